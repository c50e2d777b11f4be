"""Cell grids of the convolution pictures: a padded input, and an output filled cell by cell.

Row ``i``, column ``j`` of an array is drawn as the unit square centred at
``(x, y) = (j, i)``, rows going down, as ``imshow`` does. Each ``draw_*``
function takes a matplotlib ``Axes`` and arrays, draws, and returns its
artists in a named tuple; the matching ``update_*`` function changes those
artists in place (``set_data``, ``set_text``), and the grid may change
shape. Colours are the Okabe-Ito palette's:

* vermillion (:data:`CURRENT_COLOR`) -- the output cell being computed (and,
  in :mod:`cnnedu.viz.conv`, the input pixels no window ever reads);
* sky blue (:data:`PADDING_COLOR`) -- the zero padding.

Numbers are written as :mod:`cnnedu.viz.text` writes them everywhere.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgba
from matplotlib.patches import Rectangle

from .base import OKABE_ITO, as_2d, check_axes, cmap_and_limits
from .text import cell_text_colours, number_formatter

__all__ = ["CURRENT_COLOR", "PADDING_COLOR",
           "PaddedInput", "draw_padded_input", "update_padded_input",
           "OutputGrid", "draw_output", "update_output"]

#: The output cell being computed, and input pixels never read: Okabe-Ito vermillion.
CURRENT_COLOR = OKABE_ITO["vermillion"]
#: The zero padding: Okabe-Ito sky blue.
PADDING_COLOR = OKABE_ITO["sky blue"]
_BLANK_HATCH_COLOR = "0.7"


def _check_pads(pads, shape):
    if (not isinstance(pads, (tuple, list)) or len(pads) != 4
            or not all(isinstance(p, (int, np.integer)) and p >= 0 for p in pads)):
        raise ValueError(f"pads must be (top, bottom, left, right) non-negative ints, got {pads!r}")
    top, bottom, left, right = (int(p) for p in pads)
    if top + bottom >= shape[0] or left + right >= shape[1]:
        raise ValueError(f"pads {tuple(pads)} leave no input inside a padded array of "
                         f"shape {shape}")
    return top, bottom, left, right


def _grid_segments(h, w):
    rows = [[(-0.5, y - 0.5), (w - 0.5, y - 0.5)] for y in range(h + 1)]
    cols = [[(x - 0.5, -0.5), (x - 0.5, h - 0.5)] for x in range(w + 1)]
    return rows + cols


def _set_limits(ax, h, w):
    ax.set_xlim(-0.5, w - 0.5)
    ax.set_ylim(h - 0.5, -0.5)


# ----------------------------------------------------------- padded input
class PaddedInput(NamedTuple):
    """Artists of :func:`draw_padded_input`."""

    #: the padded input (an ``AxesImage``)
    image: object
    #: the sky-blue tint over the padding (an RGBA ``AxesImage``)
    padding: object
    #: the outline of the original input (a ``Rectangle``)
    border: object
    #: thin lines between pixels (a ``LineCollection``)
    grid: object


def _padding_rgba(shape, pads):
    top, bottom, left, right = pads
    rgba = np.zeros(shape + (4,))
    rgba[..., :3] = to_rgba(PADDING_COLOR)[:3]
    mask = np.ones(shape, dtype=bool)
    mask[top:shape[0] - bottom, left:shape[1] - right] = False
    rgba[..., 3] = 0.45 * mask
    return rgba


def draw_padded_input(ax, padded, pads, cmap=None, vmin=None, vmax=None, title=None):
    """Draw an input with its zero padding tinted and the original input outlined.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    padded : array (Hp, Wp)
        The input with its zeros (e.g. :attr:`cnnedu.explain.conv.Window.padded`).
    pads : (top, bottom, left, right)
        How many of the rows / columns of ``padded`` are padding.
    cmap, vmin, vmax
        Colour map and limits of the pixel values: by default grey from 0 to
        1, or, for an input holding a negative value, the diverging
        :data:`~cnnedu.viz.SIGNED_CMAP` with limits symmetric about 0 (see
        :func:`cnnedu.viz.cmap_and_limits`).
    title : str, optional

    Returns
    -------
    PaddedInput
        ``(image, padding, border, grid)``; pass it to :func:`update_padded_input`.
    """
    check_axes(ax)
    padded = as_2d(padded, "padded")
    pads = _check_pads(pads, padded.shape)
    cmap, vmin, vmax = cmap_and_limits(padded, cmap, vmin, vmax)
    vmin = 0.0 if vmin is None else vmin
    vmax = 1.0 if vmax is None else vmax
    h, w = padded.shape
    image = ax.imshow(padded, cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
    overlay = ax.imshow(_padding_rgba(padded.shape, pads), interpolation="nearest")
    top, bottom, left, right = pads
    border = ax.add_patch(Rectangle((left - 0.5, top - 0.5), w - left - right, h - top - bottom,
                                    fill=False, edgecolor=PADDING_COLOR, linewidth=2))
    grid = ax.add_collection(LineCollection(_grid_segments(h, w), colors="0.5", linewidths=0.4))
    _set_limits(ax, h, w)
    ax.set_xticks([])
    ax.set_yticks([])
    if title is not None:
        ax.set_title(title)
    return PaddedInput(image, overlay, border, grid)


def update_padded_input(artists, padded, pads, limits=None):
    """Show a new padded input (its shape may change) in place.

    Parameters
    ----------
    artists : PaddedInput
    padded : array (Hp, Wp)
    pads : (top, bottom, left, right)
    limits : (rows, cols), optional
        Size of the area shown (default the padded input's), e.g. larger to
        show a kernel footprint that sticks out.

    Returns
    -------
    PaddedInput
        ``artists``, updated.
    """
    padded = as_2d(padded, "padded")
    pads = _check_pads(pads, padded.shape)
    h, w = padded.shape
    extent = (-0.5, w - 0.5, h - 0.5, -0.5)
    artists.image.set_data(padded)
    artists.image.set_extent(extent)
    artists.padding.set_data(_padding_rgba(padded.shape, pads))
    artists.padding.set_extent(extent)
    top, bottom, left, right = pads
    artists.border.set_bounds(left - 0.5, top - 0.5, w - left - right, h - top - bottom)
    artists.grid.set_segments(_grid_segments(h, w))
    lh, lw = limits if limits is not None else (h, w)
    _set_limits(artists.image.axes, max(lh, h), max(lw, w))
    return artists


# ----------------------------------------------------------------- output
class OutputGrid(NamedTuple):
    """Artists of :func:`draw_output`."""

    #: the output values; blank cells are NaN, so the hatching shows through
    image: object
    #: ``texts[i][j]``, the value written in cell (i, j), or None if not written
    texts: object
    #: outline of the current cell (a ``Rectangle``)
    current: object
    #: hatched background seen through blank cells (a ``Rectangle``)
    blank: object
    #: thin lines between cells (a ``LineCollection``)
    grid: object
    #: the function writing a value (None if values are not written)
    fmt: object


def _shown(output, filled):
    shown = np.array(output, dtype=float, copy=True)
    if filled is not None:
        flat = shown.reshape(-1)
        flat[int(filled):] = np.nan
    return shown


def draw_output(ax, output, filled=None, current=None, cmap=None, vmin=None, vmax=None,
                fmt=None, title=None, fontsize=8):
    """Draw an output grid, the cells computed so far, and the current cell.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    output : array (OH, OW)
        Every output value (the ones not computed yet are hidden).
    filled : int, optional
        How many cells are computed, in row-major order: cells ``0 ..
        filled - 1`` are shown, later ones left blank (hatched). Default all.
    current : (i, j), optional
        The cell outlined in vermillion.
    cmap, vmin, vmax
        By default a diverging map with limits symmetric about 0 if the
        output has a negative value, else grey from its minimum to maximum
        (see :func:`cnnedu.viz.cmap_and_limits`; the diverging map always
        gets limits symmetric about 0).
    fmt : str or callable, optional
        Write each shown value in its cell with this format (small grids;
        :func:`cnnedu.viz.text.number_formatter`).
    title : str, optional
    fontsize : float

    Returns
    -------
    OutputGrid
        Pass it to :func:`update_output`.
    """
    check_axes(ax)
    output = as_2d(output, "output")
    h, w = output.shape
    cmap, vmin, vmax = cmap_and_limits(output, cmap, vmin, vmax)
    blank = ax.add_patch(Rectangle((-0.5, -0.5), w, h, facecolor="white",
                                   edgecolor=_BLANK_HATCH_COLOR, hatch="///", linewidth=0,
                                   zorder=0))
    shown = _shown(output, filled)
    image = ax.imshow(shown, cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest", zorder=1)
    grid = ax.add_collection(LineCollection(_grid_segments(h, w), colors="0.5", linewidths=0.4,
                                            zorder=2))
    texts = None
    if fmt is not None:
        fmt = number_formatter(fmt)
        colours = cell_text_colours(image, shown)
        texts = [[ax.text(j, i, "" if np.isnan(shown[i, j]) else fmt(shown[i, j]),
                          ha="center", va="center", fontsize=fontsize, zorder=3,
                          color=colours[i, j])
                  for j in range(w)] for i in range(h)]
    rect = ax.add_patch(Rectangle((-0.5, -0.5), 1, 1, fill=False, edgecolor=CURRENT_COLOR,
                                  linewidth=2.5, zorder=4))
    rect.set_visible(current is not None)
    if current is not None:
        rect.set_xy((current[1] - 0.5, current[0] - 0.5))
    _set_limits(ax, h, w)
    ax.set_xticks([])
    ax.set_yticks([])
    if title is not None:
        ax.set_title(title)
    return OutputGrid(image, texts, rect, blank, grid, fmt)


def update_output(grid, output, filled=None, current=None, limits=None):
    """Show new output values, blanks and current cell in place.

    Parameters
    ----------
    grid : OutputGrid
    output : array (OH, OW)
        Its shape may change only if the grid writes no values (``fmt=None``).
    filled, current
        As in :func:`draw_output`.
    limits : (rows, cols), optional
        Size of the area shown (default the output's).

    Returns
    -------
    OutputGrid
    """
    output = as_2d(output, "output")
    h, w = output.shape
    shown = _shown(output, filled)
    if grid.texts is not None:
        shape = (len(grid.texts), len(grid.texts[0]))
        if shape != output.shape:
            raise ValueError(f"output must keep the grid's shape {shape} when values are "
                             f"written in the cells, got {output.shape}")
        colours = cell_text_colours(grid.image, shown)
        for i, row in enumerate(shown.tolist()):
            for j, v in enumerate(row):
                text = grid.texts[i][j]
                text.set_text("" if np.isnan(v) else grid.fmt(v))
                text.set_color(colours[i, j])
    grid.image.set_data(shown)
    grid.image.set_extent((-0.5, w - 0.5, h - 0.5, -0.5))
    grid.blank.set_bounds(-0.5, -0.5, w, h)
    grid.grid.set_segments(_grid_segments(h, w))
    grid.current.set_visible(current is not None)
    if current is not None:
        grid.current.set_xy((current[1] - 0.5, current[0] - 0.5))
    lh, lw = limits if limits is not None else (h, w)
    _set_limits(grid.image.axes, max(lh, h), max(lw, w))
    return grid
