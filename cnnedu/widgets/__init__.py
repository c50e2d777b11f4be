"""Interactive explorers for the book's chapters (the only part of cnnedu that
imports ipywidgets). Each builder returns an :class:`Explorer`; see
:mod:`cnnedu.widgets._base` for the contract they share."""
from ._base import Explorer, new_figure

__all__ = ["Explorer", "new_figure"]
