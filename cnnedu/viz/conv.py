"""Drawing functions for the convolution chapter and its explorers.

Each ``draw_*`` function takes a matplotlib ``Axes`` and arrays, draws, and
returns its artists in a named tuple; the matching ``update_*`` function
changes those artists in place (``set_data``, ``set_verts``, ``set_text``),
so an explorer never re-plots. Row ``i``, column ``j`` of an array is drawn
as the unit square centred at ``(x, y) = (j, i)``, rows going down, as
``imshow`` does. Colours are the Okabe-Ito palette's, readable by
colour-blind readers:

* orange (:data:`FOOTPRINT_COLOR`, the book's highlight colour) -- the
  kernel's footprint on the input;
* vermillion (:data:`CURRENT_COLOR`) -- the output cell being computed, and
  the input pixels no window ever reads;
* sky blue (:data:`PADDING_COLOR`) -- the zero padding.

Numbers are written as :mod:`cnnedu.viz.text` writes them everywhere: no
minus sign on a value that rounds to zero, black or white for contrast with
the cell.

The chapter's three explorers are laid out once and updated in place from
the states of :mod:`cnnedu.explain.conv`: :func:`draw_kernel_slider` /
:func:`update_kernel_slider`, :func:`draw_stride_explorer` /
:func:`update_stride_explorer`, :func:`draw_filter_bank` /
:func:`update_filter_bank`.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ..geometry import format_pair
from .base import (HIGHLIGHT_COLOR, IMAGE_CMAP, OKABE_ITO, SIGNED_CMAP, as_2d, check_axes,
                   cmap_and_limits, show_grid_values, show_image, signed_cmap_limits)
from .text import LabelLayer, PanelTitles, cell_text_colours, number_formatter

__all__ = ["FOOTPRINT_COLOR", "CURRENT_COLOR", "PADDING_COLOR",
           "PaddedInput", "draw_padded_input", "update_padded_input",
           "Footprint", "draw_footprint", "update_footprint",
           "draw_never_read", "update_never_read",
           "draw_window_values", "update_window_values",
           "draw_products",
           "OutputGrid", "draw_output", "update_output",
           "draw_receptive_field",
           "SliderArtists", "draw_kernel_slider", "update_kernel_slider",
           "StrideArtists", "draw_stride_explorer", "update_stride_explorer",
           "FilterBankArtists", "draw_filter_bank", "update_filter_bank"]

#: The kernel's footprint on the input: the book's highlight, Okabe-Ito orange.
FOOTPRINT_COLOR = HIGHLIGHT_COLOR
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


# -------------------------------------------------------------- footprint
class Footprint(NamedTuple):
    """Artists of :func:`draw_footprint`."""

    #: one outlined square per kernel tap (a ``PolyCollection``)
    taps: object
    #: the rectangle spanned by the (dilated) kernel
    outline: object


def _tap_squares(rows, cols):
    rows, cols = np.asarray(rows, dtype=float), np.asarray(cols, dtype=float)
    r, c = np.meshgrid(rows, cols, indexing="ij")
    r, c = r.ravel(), c.ravel()
    d = 0.42
    return np.stack([np.stack([c - d, r - d], 1), np.stack([c + d, r - d], 1),
                     np.stack([c + d, r + d], 1), np.stack([c - d, r + d], 1)], axis=1)


def _footprint_bounds(rows, cols):
    return (cols[0] - 0.5, rows[0] - 0.5, cols[-1] - cols[0] + 1, rows[-1] - rows[0] + 1)


def draw_footprint(ax, rows, cols, color=FOOTPRINT_COLOR):
    """Outline the pixels a kernel reads: one square per tap, and their span.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Usually the one :func:`draw_padded_input` drew on.
    rows : array (KH,) of int
        Rows under the kernel's rows, e.g. ``i*s + u*d`` (padded coordinates).
    cols : array (KW,) of int
        Columns under the kernel's columns.
    color : colour, default :data:`FOOTPRINT_COLOR`

    Returns
    -------
    Footprint
        ``(taps, outline)``; pass it to :func:`update_footprint`.
    """
    check_axes(ax)
    rows, cols = np.atleast_1d(rows), np.atleast_1d(cols)
    taps = ax.add_collection(PolyCollection(_tap_squares(rows, cols),
                                            facecolors=[to_rgba(color, 0.45)],
                                            edgecolors=[color], linewidths=1.8, zorder=3))
    outline = ax.add_patch(Rectangle(_footprint_bounds(rows, cols)[:2],
                                     *_footprint_bounds(rows, cols)[2:], fill=False,
                                     edgecolor=color, linewidth=2.2, zorder=3))
    return Footprint(taps, outline)


def update_footprint(footprint, rows, cols):
    """Move a footprint (its number of taps may change); empty ``rows`` hides it.

    Parameters
    ----------
    footprint : Footprint
    rows, cols : array of int

    Returns
    -------
    Footprint
    """
    rows, cols = np.atleast_1d(rows), np.atleast_1d(cols)
    visible = rows.size > 0 and cols.size > 0
    footprint.taps.set_visible(visible)
    footprint.outline.set_visible(visible)
    if visible:
        footprint.taps.set_verts(_tap_squares(rows, cols))
        footprint.outline.set_bounds(*_footprint_bounds(rows, cols))
    return footprint


# --------------------------------------------------------- never-read pixels
def _never_read_offsets(rows_read, cols_read):
    rows_read, cols_read = np.asarray(rows_read, bool), np.asarray(cols_read, bool)
    missed = ~(rows_read[:, None] & cols_read[None, :])
    r, c = np.nonzero(missed)
    return np.column_stack([c, r]).astype(float)


def draw_never_read(ax, rows_read, cols_read, color=CURRENT_COLOR):
    """Mark with a cross every pixel that no window of the convolution reads.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    rows_read : array (Hp,) of bool
        Rows read by some kernel tap (:attr:`ConvGeometry.rows_read`).
    cols_read : array (Wp,) of bool

    Returns
    -------
    PathCollection
        The crosses; pass it to :func:`update_never_read`.
    """
    check_axes(ax)
    offsets = _never_read_offsets(rows_read, cols_read)
    return ax.scatter(offsets[:, 0], offsets[:, 1], marker="x", s=28, c=color,
                      linewidths=1.6, zorder=4)


def update_never_read(crosses, rows_read, cols_read):
    """Move the crosses of :func:`draw_never_read` in place."""
    crosses.set_offsets(_never_read_offsets(rows_read, cols_read))
    return crosses


# ---------------------------------------------------------- window values
def _window_texts_positions(rows, cols):
    r, c = np.meshgrid(rows, cols, indexing="ij")
    return list(zip(c.ravel().tolist(), r.ravel().tolist()))


def _window_colours(values, image):
    """Text colours of the window's values: the cells' contrast colours, or black."""
    return ["black"] * len(values) if image is None else cell_text_colours(image, values)


def draw_window_values(ax, window, rows, cols, fmt="{:.2f}", fontsize=8, image=None):
    """Write the values of the pixels under the kernel on the input.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    window : array (KH, KW)
    rows, cols : array (KH,) and (KW,) of int
        Where the window's pixels are on the drawn input.
    fmt : str or callable
        Format of one value (:func:`cnnedu.viz.text.number_formatter`).
    fontsize : float
    image : AxesImage, optional
        The input's image: the text is black or white, whichever contrasts
        more with the pixel's colour (default black).

    Returns
    -------
    list of Text
        ``KH * KW`` labels, row-major; pass them to :func:`update_window_values`.
    """
    check_axes(ax)
    window = as_2d(window, "window")
    label = number_formatter(fmt)
    values = window.ravel().tolist()
    texts = []
    for (x, y), v, colour in zip(_window_texts_positions(rows, cols), values,
                                 _window_colours(values, image)):
        texts.append(ax.text(x, y, label(v), ha="center", va="center", fontsize=fontsize,
                             color=colour, zorder=5))
    return texts


def update_window_values(texts, window, rows, cols, fmt="{:.2f}", image=None):
    """Move and rewrite the labels of :func:`draw_window_values` (same kernel shape)."""
    window = as_2d(window, "window")
    if window.size != len(texts):
        raise ValueError(f"window has {window.size} values but there are {len(texts)} labels")
    label = number_formatter(fmt)
    values = window.ravel().tolist()
    for text, (x, y), v, colour in zip(texts, _window_texts_positions(rows, cols), values,
                                       _window_colours(values, image)):
        text.set_position((x, y))
        text.set_text(label(v))
        text.set_color(colour)
    return texts


# --------------------------------------------------------------- products
def draw_products(ax, products, vmax=None, fmt="{:.2f}", title="products x·w"):
    """The element-wise products ``x·w`` of a window, values written in the cells.

    A diverging map centred at zero (products of an edge detector are signed).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    products : array (KH, KW)
    vmax : float, optional
        Colour limits are ``(-vmax, vmax)``; by default ``max |products|``.
        Pass the largest product over all positions to keep colours
        comparable while the window moves.
    fmt : str
    title : str

    Returns
    -------
    cnnedu.viz.GridValues
        Update it with :func:`cnnedu.viz.update_grid_values`.
    """
    products = as_2d(products, "products")
    lo, hi = signed_cmap_limits(products) if vmax is None else (-float(vmax), float(vmax))
    return show_grid_values(ax, products, fmt=fmt, cmap=SIGNED_CMAP,
                            vmin=lo, vmax=hi, title=title)


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


# -------------------------------------------------------- receptive field
def draw_receptive_field(ax, table, units, fontsize=9):
    """Draw how one unit of a stack of layers sees back to the input (one axis).

    Each layer is a row, the input at the bottom; a unit of layer ``l`` is a
    box centred on the centre of its receptive field in input coordinates
    (``start + t * jump``) and ``jump`` pixels wide, so that boxes line up
    with the input pixels they summarise. The units that feed the chosen
    top unit are filled orange; the input pixels among them form its
    receptive field.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    table : list of RFLayer
        From :func:`cnnedu.explain.conv.receptive_field` (with ``input_size``).
    units : list of arrays of int
        From :func:`cnnedu.explain.conv.receptive_field_units`, same length.
    fontsize : float

    Returns
    -------
    boxes : list of PolyCollection
        One per layer, input first.
    labels : list of Text
        The name, receptive field size ``r`` and jump ``j`` of each layer.
    """
    check_axes(ax)
    if len(table) != len(units) or any(row.out is None for row in table):
        raise ValueError("table must come from receptive_field(layers, input_size) and units "
                         "from receptive_field_units for the same layers (one entry per layer)")
    boxes, labels = [], []
    right = table[0].out + 0.3
    for level, (row, chosen) in enumerate(zip(table, units)):
        centres = row.start + row.jump * np.arange(row.out)
        half = 0.5 * row.jump - 0.06
        y0, y1 = level - 0.32, level + 0.32
        verts = [[(c - half, y0), (c + half, y0), (c + half, y1), (c - half, y1)] for c in centres]
        colours = np.full(row.out, "0.88", dtype=object)
        colours[np.asarray(chosen, dtype=int)] = FOOTPRINT_COLOR
        boxes.append(ax.add_collection(PolyCollection(verts, facecolors=list(colours),
                                                      edgecolors="0.35", linewidths=0.6)))
        what = "input" if level == 0 else f"{row.name} (k={row.k}, s={row.s})"
        labels.append(ax.text(right, level, f"{what}:  r = {row.size}, j = {row.jump}",
                              va="center", ha="left", fontsize=fontsize))
    ax.set_xlim(-1, table[0].out + 0.5)
    ax.set_ylim(-0.7, len(table) - 0.3)
    ax.set_yticks([])
    ax.set_xlabel("input pixel (one axis)")
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    return boxes, labels


# ------------------------------------------------------------- explorers
# The three explorers of the chapter, each laid out once on a figure drawn by
# :func:`cnnedu.viz.canvas.blit_figure` (the fast canvas: only the artists in
# ``fig.canvas.dynamic`` are redrawn) and updated in place from a state
# computed by :mod:`cnnedu.explain.conv`.

#: a kernel weight in a few characters: 2, -0.5, 1/9 -> 0.111
_WEIGHT = number_formatter("{:.3g}")
_TWO = number_formatter("{:.2f}")


@lru_cache(maxsize=64)
def _cached_kernel_picture(data: bytes, shape: tuple, dtype: str, side: float) -> np.ndarray:
    values = np.frombuffer(data, dtype=dtype).reshape(shape)
    fig = Figure(figsize=(side, side * shape[0] / shape[1]), dpi=80)
    FigureCanvasAgg(fig)
    vmin, vmax = signed_cmap_limits(values)
    show_grid_values(fig.add_axes((0, 0, 1, 1)), values, fmt=_WEIGHT, cmap=SIGNED_CMAP,
                     vmin=vmin, vmax=vmax)
    fig.canvas.draw()
    picture = np.asarray(fig.canvas.buffer_rgba()).copy()
    picture.flags.writeable = False       # shared by the cache
    return picture


def _kernel_picture(kernel, side: float) -> np.ndarray:
    """A small kernel drawn as a grid of its values: an RGBA picture ``side`` inches wide.

    A panel that changes rarely (the kernel) is shown as this picture, so
    that a frame does not spend time drawing its text again. Pictures are
    cached (read-only arrays).

    Parameters
    ----------
    kernel : array (KH, KW)
    side : float
        Width in inches, at 80 dpi.

    Returns
    -------
    ndarray, shape (rows, cols, 4), uint8
    """
    kernel = np.ascontiguousarray(as_2d(kernel, "kernel"))
    return _cached_kernel_picture(kernel.tobytes(), kernel.shape, kernel.dtype.str, float(side))


@dataclass
class SliderArtists:
    """The panels of the kernel slider (:func:`draw_kernel_slider`)."""

    input: PaddedInput
    footprint: Footprint
    #: the values of the pixels under the kernel, written on the input
    values: LabelLayer
    #: the kernel, shown as a picture (:func:`_kernel_picture`)
    kernel: object
    #: its width, inches
    side: float
    products: object
    product_labels: LabelLayer
    output: OutputGrid
    #: the titles above the input and the output
    titles: PanelTitles
    #: the kernel picture shown (a new one recolours the products and output)
    shown: object = None


def draw_kernel_slider(fig, view) -> SliderArtists:
    """Lay out the kernel slider: input ``x``, kernel ``w``, products ``x·w`` and output ``y``.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        Empty, from :func:`cnnedu.viz.canvas.blit_figure` (about 9.4 x 3.6 inches).
    view : dict
        A state of :func:`cnnedu.explain.conv.slide_view` (the first one shown).

    Returns
    -------
    SliderArtists
        Show a state with :func:`update_kernel_slider`.
    """
    x, w = view["input"], view["kernel"]
    W, OW = x.shape[1], view["output"].shape[1]
    axes = fig.subplots(1, 4, gridspec_kw=dict(width_ratios=[W, 4.5, 4.5, OW]))
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.02, top=0.86, wspace=0.1)
    lo, hi = float(min(x.min(), 0)), float(max(x.max(), 1))   # lo < 0: diverging, symmetric
    inp = draw_padded_input(axes[0], x, (0, 0, 0, 0), vmin=lo, vmax=hi)
    footprint = draw_footprint(axes[0], view["rows"], view["cols"])
    products = draw_products(axes[2], view["products"], vmax=1.0, title=None)
    output = draw_output(axes[3], view["output"], filled=view["position"] + 1,
                         current=(view["i"], view["j"]), cmap=SIGNED_CMAP, vmin=-1, vmax=1)
    for text in sum(products.texts, []):    # written by a label layer instead
        text.remove()
    axes[1].set_axis_off()
    axes[1].apply_aspect()
    box = axes[1].get_position()
    side = min(box.width * fig.get_figwidth(), box.height * fig.get_figheight())
    kernel = axes[1].imshow(_kernel_picture(w, side), interpolation="nearest")
    PanelTitles(axes[1:3]).set("kernel w", "products x·w")     # fixed titles, drawn once
    art = SliderArtists(inp, footprint, LabelLayer(axes[0], fontsize=7), kernel, side, products,
                        LabelLayer(axes[2], fontsize=10), output, PanelTitles([axes[0], axes[3]]))
    fig.canvas.dynamic = [kernel, footprint.taps, footprint.outline, products.image,
                          products.borders, *axes[2].spines.values(), output.image, output.grid,
                          *axes[3].spines.values(), output.current, art.values.artist,
                          art.product_labels.artist, *art.titles.artists]
    return art


def update_kernel_slider(art: SliderArtists, view) -> SliderArtists:
    """Show a state of :func:`cnnedu.explain.conv.slide_view` in place (nothing computed).

    The products are coloured on a scale fixed per kernel
    (``max |w| * max |x|``), the output on its own (diverging when signed).
    Returns ``art``; ``art.titles.texts`` are the titles shown.
    """
    x, w, y = view["input"], view["kernel"], view["output"]
    rows, cols, window, products = view["rows"], view["cols"], view["window"], view["products"]
    update_footprint(art.footprint, rows, cols)
    art.values.set([(c, r) for r in rows for c in cols], map(_TWO, window.ravel()),
                   cell_text_colours(art.input.image, window.ravel()))
    picture = _kernel_picture(w, art.side)
    if picture is not art.shown:
        art.shown = picture
        art.kernel.set_data(picture)
        pmax = float(np.abs(w).max()) * float(np.abs(x).max()) or 1.0
        art.products.image.set_clim(-pmax, pmax)
        signed = y.min() < 0
        art.output.image.set_cmap(SIGNED_CMAP if signed else IMAGE_CMAP)
        art.output.image.set_clim(*(signed_cmap_limits(y) if signed
                                    else (0.0, max(float(y.max()), 1e-12))))
    art.products.image.set_data(products)
    kh, kw = products.shape
    art.product_labels.set([(v, u) for u in range(kh) for v in range(kw)],
                           map(_TWO, products.ravel()),
                           cell_text_colours(art.products.image, products.ravel()))
    i, j = view["i"], view["j"]
    update_output(art.output, y, filled=view["position"] + 1, current=(i, j))
    art.titles.set(f"input x (window at rows {rows[0]}-{rows[-1]}, cols {cols[0]}-{cols[-1]})",
                   f"output y[{i}, {j}] = sum = {_TWO(view['sum'])}")
    return art


@dataclass
class StrideArtists:
    """The panels of the stride explorer (:func:`draw_stride_explorer`)."""

    input: PaddedInput
    footprint: Footprint
    #: crosses on the pixels no window reads
    missed: object
    output: OutputGrid
    #: 'no output', shown instead of an empty output
    nothing: object
    #: the titles above the input and the output
    titles: PanelTitles
    #: the (geometry, padded input, output) drawn: a new setting redraws the background
    shown: tuple = ()


def draw_stride_explorer(fig, x2d) -> StrideArtists:
    """Lay out the stride explorer: the padded input with the footprint, and the output.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        Empty, from :func:`cnnedu.viz.canvas.blit_figure` (about 8 x 4.1 inches).
    x2d : array (H, W)

    Returns
    -------
    StrideArtists
        Show a state with :func:`update_stride_explorer`.
    """
    x = as_2d(x2d, "x2d")
    H, W = x.shape
    axes = fig.subplots(1, 2)
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.02, top=0.9, wspace=0.06)
    art = StrideArtists(
        draw_padded_input(axes[0], x, (0, 0, 0, 0), vmin=min(0.0, float(x.min())),
                          vmax=max(1.0, float(x.max()))),            # signed x: diverging
        draw_footprint(axes[0], [0], [0]),
        draw_never_read(axes[0], np.ones(H, bool), np.ones(W, bool)),
        draw_output(axes[1], np.zeros((1, 1)), cmap=SIGNED_CMAP, vmin=-1, vmax=1, current=(0, 0)),
        axes[1].text(0.5, 0.5, "no output", transform=axes[1].transAxes, ha="center",
                     va="center", fontsize=14, color="0.4", visible=False),
        PanelTitles(axes))
    fig.canvas.dynamic = [art.footprint.taps, art.footprint.outline, art.missed,
                          art.output.current, art.titles.artists[1]]   # what a position moves
    return art


def _show_stride_setting(art: StrideArtists, view) -> None:
    """What changes with the setting, not the position: input, crosses, output, titles."""
    g, y = view["geometry"], view["output"]
    Hp, Wp = g.padded_size
    shown = (max(Hp, g.EH), max(Wp, g.EW))          # room for a kernel that sticks out
    update_padded_input(art.input, view["padded"], g.pads, limits=shown)
    if g.empty:      # nothing is read, but crossing out everything would hide the picture
        update_never_read(art.missed, np.ones(Hp, bool), np.ones(Wp, bool))
    else:
        update_never_read(art.missed, g.rows_read, g.cols_read)
    padding = f"'{g.padding}'" if isinstance(g.padding, str) else f"p = {format_pair(g.padding)}"
    art.titles.set(f"padded input {Hp}×{Wp} (input {g.H}×{g.W}, padding {padding})", None)
    out = art.output
    out.blank.set_visible(not g.empty)
    out.grid.set_visible(not g.empty)
    art.nothing.set_visible(g.empty)
    if g.empty:
        update_output(out, np.full((1, 1), np.nan), current=None, limits=shown)
        art.titles.set(None, "no output: the kernel does not fit")
        return
    signed = np.min(y) < 0
    out.image.set_cmap(SIGNED_CMAP if signed else IMAGE_CMAP)
    out.image.set_clim(*(signed_cmap_limits(y) if signed else (0, max(float(y.max()), 1e-12))))
    update_output(out, y, current=(0, 0), limits=shown)


def update_stride_explorer(art: StrideArtists, view) -> StrideArtists:
    """Show a state of :func:`cnnedu.explain.conv.stride_view` in place (nothing computed).

    A new setting (geometry, padded input or output) redraws both panels and
    the canvas' background; a new position only moves the footprint and the
    outlined output cell. Returns ``art``; ``art.titles.texts`` are the
    titles shown.
    """
    g = view["geometry"]
    setting = (g, view["padded"], view["output"])
    if len(art.shown) != 3 or any(a is not b for a, b in zip(art.shown, setting)):
        art.shown = setting
        canvas = art.output.image.figure.canvas
        if hasattr(canvas, "invalidate"):          # a blitting canvas: new background
            canvas.invalidate()
        _show_stride_setting(art, view)
    i, j = view["i"], view["j"]
    update_footprint(art.footprint, view["rows"], view["cols"])
    if not g.empty:
        art.output.current.set_visible(True)
        art.output.current.set_xy((j - 0.5, i - 0.5))
        art.titles.set(None, f"output y: {g.OH}×{g.OW} (y[{i}, {j}] outlined)")
    return art


@dataclass
class FilterBankArtists:
    """The panels of the filter bank (:func:`draw_filter_bank`)."""

    #: the axes of the kernel (cleared when the kernel's shape changes)
    kernel_axes: object
    #: the feature map (an ``AxesImage``)
    feature_map: object
    #: the kernel's weights, written in its cells
    weights: LabelLayer
    #: the titles above the kernel and the feature map
    titles: PanelTitles
    #: the kernel's grid (:class:`cnnedu.viz.GridValues`), None when no kernel is shown
    grid: object = None


def draw_filter_bank(fig, x2d, feature_map=None) -> FilterBankArtists:
    """Lay out the filter bank: the photo (drawn once), the kernel and the feature map.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        Empty, from :func:`cnnedu.viz.canvas.blit_figure` (about 7.2 x 2.5 inches).
    x2d : array (H, W)
        The photo.
    feature_map : array (H, W), optional
        The first map shown (default zeros).

    Returns
    -------
    FilterBankArtists
        Show a state with :func:`update_filter_bank`.
    """
    x = as_2d(x2d, "x2d")
    axes = fig.subplots(1, 3, gridspec_kw=dict(width_ratios=[1, 0.8, 1]))
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.03, top=0.9, wspace=0.08)
    show_image(axes[0], x, vmin=min(0.0, float(x.min())), vmax=max(1.0, float(x.max())),
               interpolation="nearest")                             # signed x: diverging
    PanelTitles(axes[0]).set(f"input x ({x.shape[0]}×{x.shape[1]})")
    first = np.zeros(x.shape) if feature_map is None else feature_map
    fmap = show_image(axes[2], first, cmap=SIGNED_CMAP, interpolation="nearest")
    return FilterBankArtists(axes[1], fmap, LabelLayer(axes[1]), PanelTitles(axes[1:]))


def _filter_bank_dynamic(art: FilterBankArtists) -> None:
    """Everything but the photo changes: redraw it on the photo's cached picture."""
    fig = art.kernel_axes.figure
    kernel = [] if art.grid is None else [art.grid.image, art.grid.borders]
    fig.canvas.dynamic = [art.feature_map, *art.feature_map.axes.spines.values(), *kernel,
                          art.weights.artist, *art.titles.artists]


def _clear_kernel_panel(art: FilterBankArtists) -> None:
    art.kernel_axes.clear()               # a new kernel shape: new limits, new artists
    art.kernel_axes.set_axis_off()
    art.grid = None
    art.weights.clear()
    canvas = art.kernel_axes.figure.canvas
    if hasattr(canvas, "invalidate"):
        canvas.invalidate()


def _show_kernel(art: FilterBankArtists, w) -> None:
    vmin, vmax = signed_cmap_limits(w)
    if art.grid is None or art.grid.image.get_array().shape != w.shape:
        _clear_kernel_panel(art)
        art.grid = show_grid_values(art.kernel_axes, w, fmt=_WEIGHT, cmap=SIGNED_CMAP,
                                    vmin=vmin, vmax=vmax)
        art.weights.fontsize = art.grid.texts[0][0].get_fontsize()
        for text in sum(art.grid.texts, []):        # written by the label layer instead
            text.remove()
    else:
        art.grid.image.set_clim(vmin, vmax)
        art.grid.image.set_data(w)
    cells = [(v, u) for u in range(w.shape[0]) for v in range(w.shape[1])]
    art.weights.set(cells, map(_WEIGHT, w.ravel()), cell_text_colours(art.grid.image, w))


def update_filter_bank(art: FilterBankArtists, view, name: str) -> FilterBankArtists:
    """Show a :class:`cnnedu.explain.conv.FilterView` in place (nothing computed).

    ``name`` (a preset's, or 'custom') goes in the kernel's title. A view
    without a kernel (text that cannot be read) clears the kernel and the
    map. Returns ``art``; ``art.titles.texts`` are the titles shown.
    """
    if view.kernel is None:
        art.feature_map.set_data(np.full(view.input.shape, np.nan))
        _clear_kernel_panel(art)
        art.titles.set("kernel w: cannot read it", "feature map: none")
    else:
        w = view.kernel
        art.feature_map.set_cmap(SIGNED_CMAP if view.signed else IMAGE_CMAP)
        art.feature_map.set_clim(*view.limits)
        art.feature_map.set_data(view.feature_map)
        _show_kernel(art, w)
        art.titles.set(f"kernel w ({w.shape[0]}×{w.shape[1]}, {name})", "feature map y = x ⋆ w")
    _filter_bank_dynamic(art)
    return art
