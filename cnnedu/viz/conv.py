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

:class:`LabelLayer` writes numbers and titles that change at every frame of
an explorer from cached bitmaps, much faster than ``Text`` artists.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import to_rgba
from matplotlib.patches import Rectangle
from matplotlib.transforms import offset_copy

from .._checks import as_float_array
from .base import (HIGHLIGHT_COLOR, OKABE_ITO, SIGNED_CMAP, cmap_and_limits,
                  show_grid_values, signed_cmap_limits)
from .base import _check_axes, _as_2d  # shared argument checks of the drawing functions

__all__ = ["FOOTPRINT_COLOR", "CURRENT_COLOR", "PADDING_COLOR", "label_formatter",
           "PaddedInput", "draw_padded_input", "update_padded_input",
           "Footprint", "draw_footprint", "update_footprint",
           "draw_never_read", "update_never_read",
           "draw_window_values", "update_window_values", "cell_text_colours", "LabelLayer",
           "title_transform",
           "draw_products",
           "OutputGrid", "draw_output", "update_output",
           "draw_receptive_field"]

#: The kernel's footprint on the input: the book's highlight, Okabe-Ito orange.
FOOTPRINT_COLOR = HIGHLIGHT_COLOR
#: The output cell being computed, and input pixels never read: Okabe-Ito vermillion.
CURRENT_COLOR = OKABE_ITO["vermillion"]
#: The zero padding: Okabe-Ito sky blue.
PADDING_COLOR = OKABE_ITO["sky blue"]
_BLANK_HATCH_COLOR = "0.7"


def label_formatter(fmt):
    """A function ``value -> label`` from a format string or callable.

    A value that rounds to zero is written without a sign (``'0.00'``, not
    ``'-0.00'``), so a grid of products does not show spurious minus signs.

    Parameters
    ----------
    fmt : str or callable
        A format string for one number, such as ``'{:.2f}'``, or a function.

    Returns
    -------
    callable
    """
    if callable(fmt):
        base = fmt
    elif isinstance(fmt, str):
        base = fmt.format
    else:
        raise TypeError(f"fmt must be a format string such as '{{:.2f}}' or a callable, "
                        f"got {type(fmt).__name__}")

    def label(value):
        text = base(value)
        if text.startswith("-") and text.lstrip("-").strip("0.") == "":
            text = text[1:]        # a value that rounds to zero has no sign
        return text

    return label


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
    _check_axes(ax)
    padded = _as_2d(padded, "padded")
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
    padded = _as_2d(padded, "padded")
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
    _check_axes(ax)
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
    _check_axes(ax)
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


def cell_text_colours(values, image):
    """Black or white text for each value, whichever reads better on ``image``'s colours.

    Parameters
    ----------
    values : array_like
        Values drawn by ``image`` (an ``AxesImage``), in any shape.
    image : AxesImage or None
        Its colour map and limits give each value's colour; None gives black.

    Returns
    -------
    list of str
        ``'black'`` or ``'white'`` per value, flattened in row-major order.
    """
    values = np.asarray(values, dtype=float).ravel()
    if image is None:
        return ["black"] * values.size
    rgba = image.cmap(image.norm(values))
    lum = rgba[..., :3] @ np.array([0.299, 0.587, 0.114])
    return ["black" if v > 0.5 else "white" for v in lum]


def draw_window_values(ax, window, rows, cols, fmt="{:.2f}", fontsize=8, image=None):
    """Write the values of the pixels under the kernel on the input.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    window : array (KH, KW)
    rows, cols : array (KH,) and (KW,) of int
        Where the window's pixels are on the drawn input.
    fmt : str or callable
        Format of one value.
    fontsize : float
    image : AxesImage, optional
        The input's image: the text is black or white, whichever contrasts
        more with the pixel's colour (default black).

    Returns
    -------
    list of Text
        ``KH * KW`` labels, row-major; pass them to :func:`update_window_values`.
    """
    _check_axes(ax)
    window = _as_2d(window, "window")
    label = label_formatter(fmt)
    values = window.ravel().tolist()
    texts = []
    for (x, y), v, colour in zip(_window_texts_positions(rows, cols), values,
                                 cell_text_colours(values, image)):
        texts.append(ax.text(x, y, label(v), ha="center", va="center", fontsize=fontsize,
                             color=colour, zorder=5))
    return texts


def update_window_values(texts, window, rows, cols, fmt="{:.2f}", image=None):
    """Move and rewrite the labels of :func:`draw_window_values` (same kernel shape)."""
    window = _as_2d(window, "window")
    if window.size != len(texts):
        raise ValueError(f"window has {window.size} values but there are {len(texts)} labels")
    label = label_formatter(fmt)
    values = window.ravel().tolist()
    for text, (x, y), v, colour in zip(texts, _window_texts_positions(rows, cols), values,
                                       cell_text_colours(values, image)):
        text.set_position((x, y))
        text.set_text(label(v))
        text.set_color(colour)
    return texts


# ------------------------------------------------------------ fast labels
class LabelLayer:
    """Short labels drawn as one picture: fast to redraw.

    matplotlib lays out and rasterizes every ``Text`` at every draw, about a
    millisecond each; an explorer that rewrites a few dozen numbers or a
    title per frame spends most of its time there. A label layer renders each
    distinct ``(label, colour)`` once, with the same Agg text engine and at
    the figure's resolution, keeps the bitmap, pastes the labels of a frame
    into one small RGBA array and shows it as a ``FigureImage`` (placed in
    whole pixels, never resampled). The labels look as ``Text`` with
    ``ha='center', va='center'`` would.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Its position on the figure must not change afterwards (an explorer's
        layout is fixed).
    fontsize : float, default 8
    zorder : float, default 5
        Of the ``FigureImage``; it is drawn after every Axes.
    transform : matplotlib.transforms.Transform, optional
        From the coordinates given to :meth:`set` to pixels; by default the
        Axes' data coordinates. Use :func:`title_transform` to write a title.

    Attributes
    ----------
    image : matplotlib.image.FigureImage
        The artist to list among an explorer's changing artists.
    labels : list of str
        The labels written by the last :meth:`set`.
    """

    #: bitmaps kept, shared by every layer (a few kB each)
    MAX_CACHED = 4096
    _bitmaps: dict = {}      # (label, colour, fontsize, dpi) -> (rgba, centre row, centre col)
    _scratch: dict = {}      # (fontsize, dpi) -> the Text that draws new labels

    def __init__(self, ax, fontsize=8, zorder=5, transform=None):
        _check_axes(ax)
        self.ax = ax
        self.fontsize = float(fontsize)
        self.transform = transform
        self.labels: list = []
        self.image = ax.figure.figimage(np.zeros((1, 1, 4), np.uint8), 0, 0, zorder=zorder)

    def _bitmap(self, label, colour):
        dpi = self.ax.figure.dpi
        key = (label, colour, self.fontsize, dpi)
        if key not in self._bitmaps:
            if len(self._bitmaps) >= self.MAX_CACHED:
                self._bitmaps.clear()
            self._bitmaps[key] = self._render(label, colour, dpi)
        return self._bitmaps[key]

    def _render(self, label, colour, dpi):
        """``(ink, centre row, centre column)``: the label drawn alone, cropped to its ink."""
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        scratch_key = (self.fontsize, dpi)
        if scratch_key not in self._scratch:            # one small figure, reused
            fig = Figure(dpi=dpi)
            fig.patch.set_alpha(0)
            FigureCanvasAgg(fig)
            self._scratch[scratch_key] = fig.text(0.5, 0.5, "", ha="center", va="center",
                                                  fontsize=self.fontsize)
        text = self._scratch[scratch_key]
        side = int(np.ceil(self.fontsize * dpi / 72 * 1.6))         # room for the text
        width = side * max(len(label), 1)
        text.figure.set_size_inches(width / dpi, side / dpi)
        text.set_text(label)
        text.set_color(colour)
        text.figure.canvas.draw()
        rgba = np.asarray(text.figure.canvas.buffer_rgba())
        rows, cols = np.nonzero(rgba[..., 3])
        if rows.size == 0:
            return np.zeros((0, 0, 4), np.uint8), 0.0, 0.0
        r0, c0 = rows.min(), cols.min()
        return rgba[r0:rows.max() + 1, c0:cols.max() + 1].copy(), side / 2 - r0, width / 2 - c0

    def set(self, xy, labels, colours="black"):
        """Write ``labels[k]`` centred at the point ``xy[k]``.

        Parameters
        ----------
        xy : array (n, 2)
            Coordinates ``(x, y)`` of the label centres (data coordinates
            unless the layer has another ``transform``).
        labels : sequence of n str
        colours : colour or sequence of n colours

        Returns
        -------
        matplotlib.image.FigureImage
        """
        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        labels = list(labels)
        if len(labels) != len(xy):
            raise ValueError(f"labels must have one entry per point: {len(xy)} points, "
                             f"got {len(labels)} labels")
        if isinstance(colours, str):
            colours = [colours] * len(labels)
        self.ax.apply_aspect()
        transform = self.ax.transData if self.transform is None else self.transform
        fig_height = self.ax.figure.bbox.height
        placed = []                       # (ink, top row, left column) in figure pixels
        for (cx, cy), label, colour in zip(transform.transform(xy), labels, colours):
            ink, r_centre, c_centre = self._bitmap(label, colour)
            if ink.size:
                placed.append((ink, int(round(fig_height - cy - r_centre)),
                               int(round(cx - c_centre))))
        self.labels = labels
        if not placed:
            self.image.set_data(np.zeros((1, 1, 4), np.uint8))
            return self.image
        top = min(t for _, t, _ in placed)
        left = min(c for _, _, c in placed)
        bottom = max(t + ink.shape[0] for ink, t, _ in placed)
        right = max(c + ink.shape[1] for ink, _, c in placed)
        canvas = np.zeros((bottom - top, right - left, 4), np.uint8)
        for ink, t, c in placed:          # labels do not overlap: the ink of each is copied
            region = canvas[t - top:t - top + ink.shape[0], c - left:c - left + ink.shape[1]]
            np.copyto(region, ink, where=ink[..., 3:] > region[..., 3:])
        self.image.set_data(canvas)
        self.image.ox, self.image.oy = left, int(round(fig_height)) - bottom
        return self.image


def title_transform(ax, fontsize=10):
    """Coordinates for a :class:`LabelLayer` title: ``(0.5, 1.0)`` is where ``ax.set_title``
    puts the centre of a one-line title of that font size (6 points above the Axes)."""
    return offset_copy(ax.transAxes, fig=ax.figure, y=6 + 0.4 * fontsize, units="points")


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
    products = _as_2d(products, "products")
    lo, hi = signed_cmap_limits(products) if vmax is None else (-float(vmax), float(vmax))
    return show_grid_values(ax, products, fmt=label_formatter(fmt), cmap=SIGNED_CMAP,
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


def _text_colour(value, image):
    if not np.isfinite(value):
        return "black"
    r, g, b, _ = image.cmap(image.norm(value))
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "white"


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
        Write each shown value in its cell with this format (small grids).
    title : str, optional
    fontsize : float

    Returns
    -------
    OutputGrid
        Pass it to :func:`update_output`.
    """
    _check_axes(ax)
    output = _as_2d(output, "output")
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
        fmt = label_formatter(fmt)
        texts = [[ax.text(j, i, "" if np.isnan(shown[i, j]) else fmt(shown[i, j]),
                          ha="center", va="center", fontsize=fontsize, zorder=3,
                          color=_text_colour(shown[i, j], image))
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
    output = _as_2d(output, "output")
    h, w = output.shape
    shown = _shown(output, filled)
    if grid.texts is not None:
        shape = (len(grid.texts), len(grid.texts[0]))
        if shape != output.shape:
            raise ValueError(f"output must keep the grid's shape {shape} when values are "
                             f"written in the cells, got {output.shape}")
        for i, row in enumerate(shown.tolist()):
            for j, v in enumerate(row):
                text = grid.texts[i][j]
                text.set_text("" if np.isnan(v) else grid.fmt(v))
                text.set_color(_text_colour(v, grid.image))
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
    _check_axes(ax)
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
