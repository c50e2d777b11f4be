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
* vermillion (:data:`cnnedu.viz.grid.CURRENT_COLOR`) -- the output cell
  being computed, and the input pixels no window ever reads;
* sky blue (:data:`cnnedu.viz.grid.PADDING_COLOR`) -- the zero padding.

Numbers are written as :mod:`cnnedu.viz.text` writes them everywhere: no
minus sign on a value that rounds to zero, black or white for contrast with
the cell.

The padded input and the output grid are drawn by :mod:`cnnedu.viz.grid`,
the filter bank by :mod:`cnnedu.viz.kernels`, the receptive field by
:mod:`cnnedu.viz.receptive_field`. Two explorers of the chapter are laid
out once here and updated in place from the states of
:mod:`cnnedu.explain.conv`: :func:`draw_kernel_slider` /
:func:`update_kernel_slider`, :func:`draw_stride_explorer` /
:func:`update_stride_explorer`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from matplotlib.collections import PolyCollection
from matplotlib.colors import to_rgba
from matplotlib.patches import Rectangle

from ..geometry import format_pair
from .base import HIGHLIGHT_COLOR, IMAGE_CMAP, SIGNED_CMAP, as_2d, check_axes, signed_cmap_limits
from .grid import (CURRENT_COLOR, OutputGrid, PaddedInput, draw_output, draw_padded_input,
                   update_output, update_padded_input)
from .kernels import kernel_picture
from .text import LabelLayer, PanelTitles, cell_text_colours, number_formatter
from .values import show_grid_values

__all__ = ["FOOTPRINT_COLOR",
           "Footprint", "draw_footprint", "update_footprint",
           "draw_never_read", "update_never_read",
           "draw_window_values", "update_window_values",
           "draw_products",
           "SliderArtists", "draw_kernel_slider", "update_kernel_slider",
           "StrideArtists", "draw_stride_explorer", "update_stride_explorer"]

#: The kernel's footprint on the input: the book's highlight, Okabe-Ito orange.
FOOTPRINT_COLOR = HIGHLIGHT_COLOR


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
    cnnedu.viz.values.GridValues
        Update it with :func:`cnnedu.viz.values.update_grid_values`.
    """
    products = as_2d(products, "products")
    lo, hi = signed_cmap_limits(products) if vmax is None else (-float(vmax), float(vmax))
    return show_grid_values(ax, products, fmt=fmt, cmap=SIGNED_CMAP,
                            vmin=lo, vmax=hi, title=title)


# ------------------------------------------------------------- explorers
# The kernel slider and the stride explorer, each laid out once on a figure
# drawn by :func:`cnnedu.viz.canvas.blit_figure` (the fast canvas: only the
# artists in ``fig.canvas.dynamic`` are redrawn) and updated in place from a
# state computed by :mod:`cnnedu.explain.conv`.

_TWO = number_formatter("{:.2f}")


@dataclass
class SliderArtists:
    """The panels of the kernel slider (:func:`draw_kernel_slider`)."""

    input: PaddedInput
    footprint: Footprint
    #: the values of the pixels under the kernel, written on the input
    values: LabelLayer
    #: the kernel, shown as a picture (:func:`cnnedu.viz.kernels.kernel_picture`)
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
    kernel = axes[1].imshow(kernel_picture(w, side), interpolation="nearest")
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
    picture = kernel_picture(w, art.side)
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
