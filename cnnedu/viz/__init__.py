"""Drawing functions (matplotlib only; every function takes arrays and Axes).

``from cnnedu import viz`` gives the shared basics of :mod:`cnnedu.viz.base`
(palette, colour maps, images) and the value grids of :mod:`cnnedu.viz.values`
(``viz.show_grid_values``). Shared machinery:

- :mod:`~cnnedu.viz.text` writes numbers and words (the number format, the
  black-or-white text rule, fast labels, panel titles);
- :mod:`~cnnedu.viz.canvas` is the explorers' fast canvas and PNG writer;
- :mod:`~cnnedu.viz.cells` colours cells and outlines rectangles fast;
- :mod:`~cnnedu.viz.grid` draws a padded input and an output grid (the
  convolution explorers), :mod:`~cnnedu.viz.panels` the signed maps, cell
  outlines and grid labels of the backpropagation explorers;
- :mod:`~cnnedu.viz.tiles` tiles many maps into one image.

Each topic has its own module, with the same stem as in :mod:`cnnedu.explain`
and :mod:`cnnedu.widgets`: :mod:`~cnnedu.viz.conv`, :mod:`~cnnedu.viz.kernels`,
:mod:`~cnnedu.viz.receptive_field`, :mod:`~cnnedu.viz.pool` (with the
pooling explorer's window panel and layout in :mod:`~cnnedu.viz.pool_explorer`),
:mod:`~cnnedu.viz.activation`, :mod:`~cnnedu.viz.dense`,
:mod:`~cnnedu.viz.backprop`, :mod:`~cnnedu.viz.conv_backward`,
:mod:`~cnnedu.viz.learn`, :mod:`~cnnedu.viz.routing`, :mod:`~cnnedu.viz.model`.
"""
from .base import *  # noqa: F401,F403  (the curated basics, listed in base.__all__)
from .base import __all__ as _base_all
from .values import MAX_GRID_CELLS, GridValues, show_grid_values, update_grid_values

__all__ = [*_base_all, "MAX_GRID_CELLS", "GridValues", "show_grid_values",
           "update_grid_values"]
