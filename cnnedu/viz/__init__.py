"""Drawing functions (matplotlib only; every function takes arrays and Axes).

``from cnnedu import viz`` gives the shared basics of :mod:`cnnedu.viz.base`
(palette, colour maps, images, value grids). Two modules serve all the
others: :mod:`~cnnedu.viz.text` writes numbers and words (the number format,
the black-or-white text rule, fast labels and panel titles) and
:mod:`~cnnedu.viz.canvas` is the explorers' fast canvas and PNG writer. Each
topic has its own module: :mod:`~cnnedu.viz.conv`, :mod:`~cnnedu.viz.pool`,
:mod:`~cnnedu.viz.activation`, :mod:`~cnnedu.viz.backprop`,
:mod:`~cnnedu.viz.model`.
"""
from .base import *  # noqa: F401,F403  (the curated basics, listed in base.__all__)
from .base import __all__  # noqa: F401
