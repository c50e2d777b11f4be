"""Value grids: a small 2-D array drawn as a heatmap with each value written in its cell.

The way textbooks show a kernel or a patch of an image (:func:`show_grid_values`),
updated in place by :func:`update_grid_values` so that an explorer can show new
values without drawing again. ``from cnnedu import viz`` gives these names too
(``viz.show_grid_values``).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgba

from .base import as_image, check_axes, check_limits, cmap_and_limits
from .text import cell_text_colours, number_formatter

__all__ = ["MAX_GRID_CELLS", "GridValues", "show_grid_values", "update_grid_values"]

#: :func:`show_grid_values` writes one number per cell; beyond this many cells
#: the numbers cannot be read (use :func:`~cnnedu.viz.show_image` instead).
MAX_GRID_CELLS = 1024


class GridValues(NamedTuple):
    """The artists made by :func:`show_grid_values`."""

    #: the heatmap (an ``AxesImage``)
    image: object
    #: ``texts[i][j]`` is the ``Text`` written in cell ``(i, j)``
    texts: list
    #: the thin cell borders (a ``LineCollection``)
    borders: object
    #: the function that turns a value into its label
    fmt: object


def _auto_fontsize(ax, shape, labels):
    """A font size (points) at which the longest label fits in a cell."""
    fig_w, fig_h = ax.figure.get_size_inches()
    box = ax.get_position()
    cell = 72 * min(box.width * fig_w / shape[1], box.height * fig_h / shape[0])
    longest = max(len(s) for row in labels for s in row)
    # a digit is about 0.6 em wide; leave a margin around the label
    return float(np.clip(min(1.4 * cell / max(longest, 1), 0.4 * cell), 4, 12))


def show_grid_values(ax, array, fmt="{:.2f}", cmap=None, vmin=None, vmax=None,
                     title=None, fontsize=None, border_color="0.5", border_width=0.5):
    """Draw a small 2-D array as a heatmap with each value written in its cell.

    The way textbooks show a kernel or a patch of an image: one coloured
    square per entry, the number in it, in black or white -- whichever
    contrasts more with the cell's colour (:func:`cnnedu.viz.text.text_colours`)
    -- and thin borders between cells.
    Row ``i``, column ``j`` of the array is drawn at row ``i`` from the top,
    column ``j`` from the left.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    array : array_like, shape (H, W)
        At most :data:`MAX_GRID_CELLS` entries.
    fmt : str or callable, default ``'{:.2f}'``
        Format string for one number, or a function ``value -> str``; a value
        that rounds to zero is written without a minus sign
        (:func:`cnnedu.viz.text.number_formatter`).
    cmap : str or Colormap, optional
        By default :data:`~cnnedu.viz.SIGNED_CMAP` if the array has a negative entry, and
        :data:`~cnnedu.viz.IMAGE_CMAP` otherwise (see :func:`~cnnedu.viz.cmap_and_limits`).
    vmin, vmax : float, optional
        Colour limits; by default the array's range, made symmetric about 0
        for :data:`~cnnedu.viz.SIGNED_CMAP` (always). Pass them to keep colours
        comparable between grids, e.g. a patch and the whole image it comes
        from.
    title : str, optional
    fontsize : float, optional
        By default chosen from the size of a cell on the figure.
    border_color : colour, default ``'0.5'`` (mid grey)
    border_width : float, default 0.5 (points)

    Returns
    -------
    GridValues
        Named tuple ``(image, texts, borders, fmt)``: the ``AxesImage``, the
        ``Text`` artists as a list of ``H`` rows of ``W``, the border
        ``LineCollection``, and the label function. Pass it with new values of
        the same shape to :func:`update_grid_values`.
    """
    check_axes(ax)
    arr = as_image(array, "array", allow_rgb=False)
    if arr.size > MAX_GRID_CELLS:
        raise ValueError(f"array has shape {arr.shape} = {arr.size} cells; show_grid_values "
                         f"writes one number per cell and allows at most {MAX_GRID_CELLS}: "
                         "show a crop, or use show_image")
    label = number_formatter(fmt)
    check_limits(vmin, vmax)
    cmap, vmin, vmax = cmap_and_limits(arr, cmap, vmin, vmax)
    H, W = arr.shape
    im = ax.imshow(arr, cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
    labels = [[label(v) for v in row] for row in arr.tolist()]
    if fontsize is None:
        fontsize = _auto_fontsize(ax, arr.shape, labels)
    colours = cell_text_colours(im, arr)
    texts = [[ax.text(j, i, labels[i][j], ha="center", va="center",
                      color=colours[i, j], fontsize=fontsize)
              for j in range(W)] for i in range(H)]
    rows = [[(-0.5, y), (W - 0.5, y)] for y in np.arange(H + 1) - 0.5]
    cols = [[(x, -0.5), (x, H - 0.5)] for x in np.arange(W + 1) - 0.5]
    borders = LineCollection(rows + cols, colors=[to_rgba(border_color)],
                             linewidths=border_width)
    ax.add_collection(borders)
    ax.set_xlim(-0.5, W - 0.5)
    ax.set_ylim(H - 0.5, -0.5)
    ax.set_xticks([])
    ax.set_yticks([])
    if title is not None:
        ax.set_title(title)
    return GridValues(im, texts, borders, label)


def update_grid_values(grid, array):
    """Show new values in a grid drawn by :func:`show_grid_values`, in place.

    The colour limits stay as they were, so colours remain comparable from
    one update to the next.

    Parameters
    ----------
    grid : GridValues
        What :func:`show_grid_values` returned.
    array : array_like, shape (H, W)
        The new values; same shape as the grid.

    Returns
    -------
    GridValues
        ``grid`` itself, its artists updated.
    """
    if not isinstance(grid, GridValues):
        raise TypeError(f"grid must be the GridValues returned by show_grid_values, "
                        f"got {type(grid).__name__}")
    arr = as_image(array, "array", allow_rgb=False)
    shape = (len(grid.texts), len(grid.texts[0]))
    if arr.shape != shape:
        raise ValueError(f"array must have the grid's shape {shape}, got {arr.shape}")
    grid.image.set_data(arr)
    colours = cell_text_colours(grid.image, arr)
    for i, row in enumerate(arr.tolist()):
        for j, v in enumerate(row):
            grid.texts[i][j].set_text(grid.fmt(v))
            grid.texts[i][j].set_color(colours[i, j])
    return grid
