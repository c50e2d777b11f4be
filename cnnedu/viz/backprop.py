"""Drawing functions of the backpropagation chapter and its explorers.

Each function takes a matplotlib ``Axes`` and arrays, draws, and returns the
artists it made; the ``update_*`` / ``set_*`` twins change those artists in
place (``set_data``, ``set_segments``, ``set_offsets``), so an explorer never
draws a panel twice. Colours follow :mod:`cnnedu.viz`: signed values
(gradients, kernels) with the diverging :data:`~cnnedu.viz.SIGNED_CMAP`
centred at zero, images in grey.
"""
from __future__ import annotations

from typing import NamedTuple

import matplotlib
import matplotlib.colors as mcolors
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.patches import Circle, FancyArrowPatch

from .._checks import as_float_array, check_positive_int
from .base import (CATEGORICAL_COLORS, HIGHLIGHT_COLOR, IMAGE_CMAP, OKABE_ITO, SIGNED_CMAP,
                   as_2d, check_axes, cmap_and_limits, signed_cmap_limits)
from .text import (MINUS, LabelLayer, PanelTitles, cell_text_colours, format_number,
                   number_formatter)

__all__ = ["ADJOINT_COLOR", "PIXEL_COLOR", "PAD_COLOR", "SIGNED_PAD_COLOR", "draw_scalar_graph",
           "signed_map", "update_signed_map", "padded_cmap", "padded_map", "update_padded_map",
           "cell_outlines", "set_cell_outlines", "fixed_box", "show_gradient_check",
           "RoutingArtists", "routing_arrows", "set_routing", "draw_loss_curves", "bare_axes",
           "set_grid_labels", "draw_conv_backward", "update_conv_backward", "draw_learn_kernel",
           "update_learn_kernel", "draw_maxpool_routing", "update_maxpool_routing"]

#: colour of adjoints (gradients) written on a graph: blue of the Okabe-Ito palette
ADJOINT_COLOR = OKABE_ITO["blue"]
#: outline of a chosen input pixel: bluish green of the Okabe-Ito palette
PIXEL_COLOR = OKABE_ITO["bluish green"]
#: colour of zero padding around an image drawn in grey (a pale blue: no grey level)
PAD_COLOR = "#cfe3f3"
#: colour of zero padding around signed values drawn with the diverging map (a
#: grey: pale blue would read as a small negative value)
SIGNED_PAD_COLOR = "0.72"


# ------------------------------------------------------------------ graph
#: where the nodes of L = (w x + b - t)^2 sit: name -> (x, y, symbol, quantity it holds)
_GRAPH_NODES = {
    "w": (0.0, 2.0, None, "w"), "x": (0.0, 0.0, None, "x"), "mul": (2.3, 1.0, "×", "p"),
    "b": (2.3, -1.3, None, "b"), "add": (4.6, 0.0, "+", "z"), "t": (4.6, -2.3, None, "t"),
    "sub": (6.9, -1.0, "−", "r"), "sq": (9.2, -1.0, "( )²", "L"),
}
#: edges (from, to)
_GRAPH_EDGES = [("w", "mul"), ("x", "mul"), ("mul", "add"), ("b", "add"), ("add", "sub"),
                ("t", "sub"), ("sub", "sq")]


def draw_scalar_graph(ax, graph, fontsize: float = 10):
    """Draw the computational graph of ``L = (w x + b - t)^2`` with its numbers.

    Operations are grey circles; next to every node (an input, or the result
    of an operation) its forward value is written in black and its adjoint
    ``dL/d(node)`` in blue. Arrows show the forward direction; the backward
    pass runs against them.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    graph : ScalarGraph
        From :func:`cnnedu.explain.backprop.scalar_graph`.
    fontsize : float

    Returns
    -------
    dict
        ``'nodes'`` (name -> artist), ``'arrows'`` (list), ``'values'`` and
        ``'adjoints'`` (quantity name -> Text).
    """
    check_axes(ax)
    if not (hasattr(graph, "values") and hasattr(graph, "adjoints")):
        raise TypeError(f"graph must be the ScalarGraph of scalar_graph(), "
                        f"got {type(graph).__name__}")
    nodes, arrows, values, adjoints = {}, [], {}, {}
    radius = 0.36
    for name, (x, y, symbol, q) in _GRAPH_NODES.items():
        value = f"{q} = {format_number(graph.values[q], minus=MINUS)}"
        adjoint = f"∂L/∂{q} = {format_number(graph.adjoints[q], minus=MINUS)}"
        if symbol is None:                       # an input: its value, adjoint below
            nodes[name] = values[q] = ax.text(x, y + 0.12, value, ha="center", va="bottom",
                                              fontsize=fontsize)
            adjoints[q] = ax.text(x, y - 0.12, adjoint, ha="center", va="top",
                                  fontsize=fontsize, color=ADJOINT_COLOR)
        else:                                    # an operation: circle, result above it
            nodes[name] = ax.add_patch(Circle((x, y), radius, facecolor="0.92", edgecolor="0.2",
                                              linewidth=1.0))
            ax.text(x, y, symbol, ha="center", va="center", fontsize=fontsize + 1)
            values[q] = ax.text(x, y + radius + 0.42, value, ha="center", va="bottom",
                                fontsize=fontsize)
            adjoints[q] = ax.text(x, y + radius + 0.1, adjoint, ha="center", va="bottom",
                                  fontsize=fontsize, color=ADJOINT_COLOR)
    for src, dst in _GRAPH_EDGES:
        (x0, y0, s0, _), (x1, y1, _, _) = _GRAPH_NODES[src], _GRAPH_NODES[dst]
        d = np.hypot(x1 - x0, y1 - y0)
        ux, uy = (x1 - x0) / d, (y1 - y0) / d
        gap0 = radius + 0.06 if s0 is not None else 0.95
        start = (x0 + ux * gap0, y0 + uy * gap0)
        end = (x1 - ux * (radius + 0.06), y1 - uy * (radius + 0.06))
        arrows.append(ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>",
                                                   mutation_scale=11, color="0.35", lw=1.0)))
    ax.set_xlim(-1.1, 10.3)
    ax.set_ylim(-2.9, 2.75)
    ax.set_aspect("equal")
    ax.set_axis_off()
    return dict(nodes=nodes, arrows=arrows, values=values, adjoints=adjoints)


# ------------------------------------------------------------------ heatmaps
def _extent(shape):
    h, w = shape
    return (-0.5, w - 0.5, h - 0.5, -0.5)


def signed_map(ax, array, title=None, vmax=None):
    """Draw signed values (a gradient, a kernel) with the diverging map centred at 0.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    array : array_like, shape (H, W)
    title : str, optional
    vmax : float, optional
        Colour limits ``(-vmax, vmax)``; by default ``max |array|``
        (:func:`cnnedu.viz.signed_cmap_limits`).

    Returns
    -------
    matplotlib.image.AxesImage
        Update it with :func:`update_signed_map`.
    """
    check_axes(ax)
    arr = as_2d(array, "array")
    lo, hi = signed_cmap_limits(arr) if vmax is None else (-float(vmax), float(vmax))
    im = ax.imshow(arr, cmap=SIGNED_CMAP, vmin=lo, vmax=hi, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title is not None:
        ax.set_title(title)
    return im


def update_signed_map(im, array, vmax=None):
    """Show new signed values in an image of :func:`signed_map`, in place.

    The shape may change (the axes limits follow); the colour limits become
    ``(-vmax, vmax)``, by default ``max |array|``.

    Returns
    -------
    the same AxesImage
    """
    arr = as_2d(array, "array")
    lo, hi = signed_cmap_limits(arr) if vmax is None else (-float(vmax), float(vmax))
    _set_image(im, arr)
    im.set_clim(lo, hi)
    return im


def _set_image(im, arr):
    if im.get_array().shape != arr.shape:
        im.set_extent(_extent(arr.shape))
        im.axes.set_xlim(-0.5, arr.shape[1] - 0.5)
        im.axes.set_ylim(arr.shape[0] - 0.5, -0.5)
        im.axes.apply_aspect()          # settle the limits (or box) now, not at the next draw
    im.set_data(arr)


def fixed_box(ax, color="0.15", linewidth=0.8):
    """Keep ``ax``'s box where it is whatever the shape of the image drawn in it.

    The box becomes square and the data limits, not the box, adapt to a new
    image shape (``adjustable='datalim'``), so a panel whose array changes
    shape does not move -- an explorer can then keep the rest of the figure
    as a cached background. The axes frame is replaced by an outline around
    the image, to be set with :func:`set_cell_outlines` (one rectangle at
    ``(0, 0)`` of the image's height and width).

    Returns
    -------
    matplotlib.collections.LineCollection
        The outline.
    """
    check_axes(ax)
    ax.set_box_aspect(1)
    ax.set_adjustable("datalim")
    ax.set_frame_on(False)
    outline = cell_outlines(ax, color, linewidth, zorder=2.5)
    outline.set_clip_on(False)          # it runs along the edge of the axes
    return outline


def _with_padding(arr, pad):
    ph, pw = pad
    out = np.full((arr.shape[0] + 2 * ph, arr.shape[1] + 2 * pw), np.nan)
    out[ph:ph + arr.shape[0], pw:pw + arr.shape[1]] = arr
    return out


def _pad_pair(pad):
    if isinstance(pad, (int, np.integer)) and not isinstance(pad, bool):
        pad = (int(pad), int(pad))
    if (not isinstance(pad, (tuple, list)) or len(pad) != 2
            or not all(isinstance(p, (int, np.integer)) and p >= 0 for p in pad)):
        raise ValueError(f"pad must be a non-negative int or (ph, pw) pair, got {pad!r}")
    return int(pad[0]), int(pad[1])


def padded_cmap(cmap=IMAGE_CMAP):
    """``cmap`` (a name or a Colormap) drawing NaN cells, the padding, in :data:`PAD_COLOR`
    (:data:`SIGNED_PAD_COLOR` for the diverging :data:`~cnnedu.viz.SIGNED_CMAP`)."""
    cm = matplotlib.colormaps[cmap] if isinstance(cmap, str) else cmap
    return cm.with_extremes(bad=SIGNED_PAD_COLOR if cm.name == SIGNED_CMAP else PAD_COLOR)


def padded_map(ax, array, pad=0, cmap=None, vmin=None, vmax=None, title=None):
    """Draw an image with its zero padding shown as a pale blue border.

    Pixel ``(r, c)`` of ``array`` is drawn at ``(r + ph, c + pw)``: the axes
    use the coordinates of the padded input ``x_p``.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    array : array_like, shape (H, W)
    pad : int or (ph, pw)
        Rows / columns of padding on each side.
    cmap : str or Colormap, optional
        By default grey (:data:`~cnnedu.viz.IMAGE_CMAP`), or the diverging
        :data:`~cnnedu.viz.SIGNED_CMAP` (padding in grey,
        :data:`SIGNED_PAD_COLOR`) if the array holds a negative value; see
        :func:`cnnedu.viz.cmap_and_limits`.
    vmin, vmax : float, optional
        Colour limits; by default the array's range, symmetric about 0 for
        the diverging map.
    title : str, optional

    Returns
    -------
    matplotlib.image.AxesImage
        Update it with :func:`update_padded_map`.
    """
    check_axes(ax)
    arr = as_2d(array, "array")
    cmap, vmin, vmax = cmap_and_limits(arr, cmap, vmin, vmax)
    cm = padded_cmap(cmap)
    vmin = float(np.min(arr)) if vmin is None else vmin
    vmax = float(np.max(arr)) if vmax is None else vmax
    if vmax <= vmin:
        vmax = vmin + 1.0
    im = ax.imshow(_with_padding(arr, _pad_pair(pad)), cmap=cm, vmin=vmin, vmax=vmax,
                   interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title is not None:
        ax.set_title(title)
    return im


def update_padded_map(im, array, pad=0):
    """New values or padding for an image of :func:`padded_map`, in place."""
    _set_image(im, _with_padding(as_2d(array, "array"), _pad_pair(pad)))
    return im


# ------------------------------------------------------------------ outlines
def cell_outlines(ax, color=HIGHLIGHT_COLOR, linewidth=2.0, linestyle="solid", zorder=3):
    """An (empty) set of cell outlines on ``ax``; fill it with :func:`set_cell_outlines`.

    Returns
    -------
    matplotlib.collections.LineCollection
    """
    check_axes(ax)
    lc = LineCollection([], colors=[mcolors.to_rgba(color)], linewidths=linewidth,
                        linestyles=linestyle, zorder=zorder)
    ax.add_collection(lc)
    return lc


def set_cell_outlines(outlines, cells, height=1, width=1):
    """Outline the rectangles of ``height x width`` cells whose top-left cells are ``cells``.

    Cell ``(r, c)`` of an image covers ``[c - 0.5, c + 0.5] x [r - 0.5, r + 0.5]``.

    Parameters
    ----------
    outlines : LineCollection
        From :func:`cell_outlines`.
    cells : array_like of int, shape (n, 2)
        ``(row, col)`` of each rectangle's top-left cell; may be empty.
    height, width : int

    Returns
    -------
    the same LineCollection
    """
    height = check_positive_int(height, "height")
    width = check_positive_int(width, "width")
    cells = np.asarray(cells, dtype=float).reshape(-1, 2)
    r0, c0 = cells[:, 0] - 0.5, cells[:, 1] - 0.5
    r1, c1 = r0 + height, c0 + width
    polys = np.stack([np.stack([c0, r0], -1), np.stack([c1, r0], -1), np.stack([c1, r1], -1),
                      np.stack([c0, r1], -1), np.stack([c0, r0], -1)], axis=1)
    outlines.set_segments(list(polys))
    return outlines


# ------------------------------------------------------------------ gradient check
def show_gradient_check(axes, analytic, numeric, error=None, names=("analytic", "numerical")):
    """Analytic and numerical gradients side by side, and their difference.

    The first two panels share symmetric colour limits (the largest
    ``|value|`` of either), so equal values look equal; the third shows
    ``analytic - numeric`` with its own symmetric limits, written in its title.

    Parameters
    ----------
    axes : sequence of 3 Axes
    analytic, numeric : array_like, shape (H, W)
    error : float, optional
        The relative error, written in the difference panel's title.
    names : (str, str)
        Titles of the first two panels.

    Returns
    -------
    list of 3 AxesImage
    """
    axes = list(axes)
    if len(axes) != 3:
        raise ValueError(f"axes must hold 3 Axes, got {len(axes)}")
    a = as_2d(analytic, "analytic")
    n = as_2d(numeric, "numeric")
    if a.shape != n.shape:
        raise ValueError(f"analytic and numeric must have the same shape, got {a.shape} and "
                         f"{n.shape}")
    m = max(signed_cmap_limits(a)[1], signed_cmap_limits(n)[1])
    diff = a - n
    dm = float(np.abs(diff).max())
    ims = [signed_map(axes[0], a, names[0], vmax=m), signed_map(axes[1], n, names[1], vmax=m)]
    title = f"difference, max |·| = {dm:.0e}"
    if error is not None:
        title += f"\nrelative error {error:.0e}"
    ims.append(signed_map(axes[2], diff, title, vmax=dm if dm > 0 else 1.0))
    return ims


# ------------------------------------------------------------------ routing
class RoutingArtists(NamedTuple):
    """Lines from each window's centre to its winner, and a dot on each winner."""

    lines: object
    dots: object


def routing_arrows(ax, color="black", linewidth=1.2, markersize=18):
    """Empty routing marks on ``ax``; fill them with :func:`set_routing`.

    Returns
    -------
    RoutingArtists
    """
    check_axes(ax)
    lines = LineCollection([], colors=[mcolors.to_rgba(color)], linewidths=linewidth, zorder=4)
    ax.add_collection(lines)
    dots = ax.scatter([], [], s=markersize, c=[mcolors.to_rgba(color)], zorder=5,
                      edgecolors="white", linewidths=0.6)
    return RoutingArtists(lines, dots)


def set_routing(artists, starts, ends):
    """Draw a line from each ``starts[k]`` to ``ends[k]`` and a dot at each end.

    Parameters
    ----------
    artists : RoutingArtists
    starts, ends : array_like, shape (n, 2)
        ``(row, col)`` positions in cell coordinates (may be fractional).
    """
    s = np.asarray(starts, dtype=float).reshape(-1, 2)
    e = np.asarray(ends, dtype=float).reshape(-1, 2)
    if s.shape != e.shape:
        raise ValueError(f"starts and ends must have the same shape, got {s.shape} and {e.shape}")
    artists.lines.set_segments(list(np.stack([s[:, ::-1], e[:, ::-1]], axis=1)))
    artists.dots.set_offsets(e[:, ::-1] if len(e) else np.empty((0, 2)))
    return artists


# ------------------------------------------------------------------ curves
def draw_loss_curves(ax, curves, log=True, xlabel="step", ylabel="loss"):
    """One line per run: ``curves`` maps a label to its losses (1-D).

    Lines take the colours of :data:`~cnnedu.viz.CATEGORICAL_COLORS` in
    order (Okabe-Ito blue, bluish green, vermillion, ...), as a series of
    lines does everywhere in the book.

    Returns
    -------
    dict label -> Line2D
    """
    check_axes(ax)
    lines = {}
    for label, losses in curves.items():
        losses = as_float_array(losses, f"curves[{label!r}]").ravel()
        colour = CATEGORICAL_COLORS[len(lines) % len(CATEGORICAL_COLORS)]
        (lines[label],) = ax.plot(np.arange(len(losses)), losses, label=label, lw=1.6,
                                  color=colour)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(frameon=False)
    return lines


# ------------------------------------------------------------------ fast text
# A matplotlib Text costs about a millisecond to render; an explorer redraws
# its whole figure on every change. Its titles and the numbers in its cells
# are therefore drawn by :mod:`cnnedu.viz.text` (PanelTitles, LabelLayer).

def bare_axes(ax):
    """Hide the x and y axes of ``ax`` (ticks, labels, their layout), keeping its frame."""
    check_axes(ax)
    ax.xaxis.set_visible(False)
    ax.yaxis.set_visible(False)
    return ax


def set_grid_labels(labels, image, array, fmt=None, fontsize=8):
    """Write each value of ``array`` in its cell of ``image``, black or white for contrast.

    Parameters
    ----------
    labels : cnnedu.viz.text.LabelLayer
        On the axes of ``image``, e.g. ``LabelLayer(ax)``.
    image : AxesImage
        The image the values are drawn on (for the cell colours,
        :func:`cnnedu.viz.text.cell_text_colours`).
    array : array_like, shape (H, W)
    fmt : str or callable, optional
        Format of a value (:func:`cnnedu.viz.text.number_formatter`); default
        two decimals, with a typographic minus sign.
    fontsize : float

    Returns
    -------
    cnnedu.viz.text.LabelLayer
        ``labels``.
    """
    if not isinstance(labels, LabelLayer):
        raise TypeError(f"labels must be a cnnedu.viz.text.LabelLayer, got {type(labels).__name__}")
    arr = as_2d(array, "array")
    label = number_formatter("{:.2f}", minus=MINUS) if fmt is None else number_formatter(fmt)
    rows, cols = np.indices(arr.shape)
    return labels.set(np.stack([cols.ravel(), rows.ravel()], axis=1),
                      [label(v) for v in arr.ravel().tolist()],
                      cell_text_colours(image, arr), fontsize)


# ------------------------------------------------------------------ the explorers
# Each explorer's picture: ``draw_*`` makes the artists on a figure of
# :func:`cnnedu.viz.canvas.blit_figure` once and lists the ones that change in
# ``fig.canvas.dynamic``; ``update_*`` sets them from the explorer's state (a
# dict of :mod:`cnnedu.explain.backprop`) in place. A static artist that
# changes (the input, the kernel, the target) invalidates the cached background.

def _spines(*axes):
    return [spine for ax in axes for spine in ax.spines.values()]


def _invalidate(fig) -> None:
    """Have a :class:`~cnnedu.viz.canvas.BlitCanvas` redraw its background (no-op elsewhere)."""
    invalidate = getattr(fig.canvas, "invalidate", None)
    if invalidate is not None:
        invalidate()


def _same_image(im, arr) -> bool:
    """True if image ``im`` already shows ``arr`` (NaN cells, the padding, compare equal)."""
    old = im.get_array()
    return old.shape == arr.shape and np.array_equal(np.ma.getdata(old), arr, equal_nan=True)


def draw_conv_backward(fig, x, w) -> dict:
    """The five panels of the convolution-gradient explorer, drawn once on ``fig``.

    The input ``x`` (H, W) with its padding, the kernel ``w`` (KH, KW),
    ``dL/dy``, ``dL/dx`` and ``dL/dw``, with the outlines
    :func:`update_conv_backward` moves: the window of the chosen output cell
    (orange) and the pixel traced, its output cells and kernel taps (green).

    Returns
    -------
    dict
        name -> artist: ``input``, ``kernel``, ``dy``, ``dx``, ``dw`` (images),
        ``window``, ``window_dx``, ``cell``, ``pixel``, ``pixel_dx``,
        ``outputs``, ``taps``, ``frame_dy``, ``frame_dw`` (outlines) and
        ``titles`` (:class:`~cnnedu.viz.text.PanelTitles`).
    """
    axes = fig.subplots(1, 5)
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.02, top=0.8, wspace=0.12)
    ax_x, ax_w, ax_dy, ax_dx, ax_dw = axes
    art = dict(input=padded_map(ax_x, x, 0, vmin=0.0, vmax=1.0), kernel=signed_map(ax_w, w),
               dy=signed_map(ax_dy, np.zeros((1, 1))), dx=signed_map(ax_dx, np.zeros_like(x)),
               dw=signed_map(ax_dw, np.zeros_like(w)),
               frame_dy=fixed_box(ax_dy), frame_dw=fixed_box(ax_dw),   # shape changes: no redraw
               window=cell_outlines(ax_x, HIGHLIGHT_COLOR, 2.0),
               window_dx=cell_outlines(ax_dx, HIGHLIGHT_COLOR, 2.0),
               taps=cell_outlines(ax_w, PIXEL_COLOR, 1.8),
               cell=cell_outlines(ax_dy, HIGHLIGHT_COLOR, 2.6, zorder=4),
               outputs=cell_outlines(ax_dy, PIXEL_COLOR, 1.6, zorder=5),
               pixel=cell_outlines(ax_x, PIXEL_COLOR, 2.0, zorder=5),
               pixel_dx=cell_outlines(ax_dx, PIXEL_COLOR, 2.0, zorder=5))
    for ax in axes:
        bare_axes(ax)
    art["titles"] = PanelTitles(axes)
    outlines = ["frame_dy", "frame_dw", "window", "window_dx", "taps", "cell", "outputs",
                "pixel", "pixel_dx"]
    # the input and the kernel change only with their controls: they stay in the cached
    # background, redrawn when they (or the padding) change
    fig.canvas.dynamic = ([art["dy"], art["dx"], art["dw"]] + _spines(ax_dx)
                          + [art[name] for name in outlines] + art["titles"].artists)
    return art


def _show_input(im, x, pad) -> bool:
    """Show ``x`` with ``pad`` zeros around it (grey, or signed colours); True if it changed."""
    lo, hi = (0.0, 1.0) if x.min() >= 0 and x.max() <= 1 else signed_cmap_limits(x)
    changed = im.get_clim() != (lo, hi)
    if changed:
        im.set_cmap(padded_cmap(IMAGE_CMAP if lo == 0.0 else SIGNED_CMAP))
        im.set_clim(lo, hi)
    shown = _with_padding(x, (pad, pad))
    if not _same_image(im, shown):
        _set_image(im, shown)
        changed = True
    return changed


def update_conv_backward(art, state) -> None:
    """Show a state of :func:`cnnedu.explain.backprop.conv_backward_view` in the artists
    of :func:`draw_conv_backward`, in place."""
    x, w, s, p = state["input"], state["kernel"], state["stride"], state["padding"]
    (H, W), (KH, KW), (r, c) = x.shape, w.shape, state["pixel"]
    static = _show_input(art["input"], x, p)
    if not _same_image(art["kernel"], w):
        update_signed_map(art["kernel"], w)
        static = True
    if static:
        _invalidate(art["input"].figure)
    set_cell_outlines(art["pixel"], [(r + p, c + p)])
    set_cell_outlines(art["pixel_dx"], [(r, c)])
    heads = (f"input x, {H}×{W}, p = {p}", f"kernel w, {KH}×{KW}")
    if not state["valid"]:
        for name in ("window", "window_dx", "cell", "outputs", "taps"):
            set_cell_outlines(art[name], [])
        for name, shape in (("dy", (1, 1)), ("dx", x.shape), ("dw", w.shape)):
            update_signed_map(art[name], np.zeros(shape))
        titles = heads + ("no output", "∂L/∂x: none", "∂L/∂w: none")
    else:
        update_signed_map(art["dy"], state["dy"], vmax=1.0)
        update_signed_map(art["dx"], state["dx"])
        update_signed_map(art["dw"], state["dw"])
        set_cell_outlines(art["outputs"], np.argwhere(state["outputs"]))
        set_cell_outlines(art["taps"], np.argwhere(state["taps"]))
        cell = state["cell"]
        set_cell_outlines(art["cell"], [] if cell is None else [cell])
        i, j = cell if cell is not None else (0, 0)
        windows = ([], []) if cell is None else ([(i * s, j * s)], [(i * s - p, j * s - p)])
        set_cell_outlines(art["window"], windows[0], KH, KW)
        set_cell_outlines(art["window_dx"], windows[1], KH, KW)
        titles = heads + (f"∂L/∂y, {state['output_size'][0]}×{state['output_size'][1]}",
                          f"∂L/∂x, pixel ({r}, {c}) = "
                          f"{format_number(state['dx'][r, c], minus=MINUS)}",
                          f"∂L/∂w, ∂L/∂b = {format_number(state['db'], '{:g}', MINUS)}")
    set_cell_outlines(art["frame_dy"], [(0, 0)], *art["dy"].get_array().shape)
    set_cell_outlines(art["frame_dw"], [(0, 0)], *art["dw"].get_array().shape)
    art["titles"].set(*titles)


def draw_learn_kernel(fig, target, hidden) -> dict:
    """The five panels of the kernel-learning explorer, drawn once on ``fig``.

    The target ``y = x ⋆ w*`` (OH, OW) of the first input, the prediction,
    the hidden kernel ``w*`` (KH, KW) with its values, the learned kernel
    and the loss curve (log10 of the loss against the step).

    Returns
    -------
    dict
        name -> artist: ``target``, ``prediction``, ``hidden``, ``kernel``
        (images), ``hidden_labels``, ``kernel_labels`` (LabelLayer),
        ``curve``, ``marker``, ``grid``, ``ticks`` and ``titles``.
    """
    axes = fig.subplots(1, 5, width_ratios=(1, 1, 0.8, 0.8, 1.5))
    fig.subplots_adjust(left=0.01, right=0.985, bottom=0.17, top=0.84, wspace=0.25)
    ax_t, ax_p, ax_h, ax_k, ax_l = axes
    vmax = float(np.abs(target).max()) or 1.0
    kmax = float(np.abs(hidden).max()) or 1.0
    art = dict(target=signed_map(ax_t, target, vmax=vmax),
               prediction=signed_map(ax_p, np.zeros_like(target), vmax=vmax),
               hidden=signed_map(ax_h, hidden, vmax=kmax),
               kernel=signed_map(ax_k, np.zeros_like(hidden), vmax=kmax))
    art["hidden_labels"] = set_grid_labels(LabelLayer(ax_h), art["hidden"], hidden)
    art["kernel_labels"] = LabelLayer(ax_k)
    for ax in axes:
        bare_axes(ax)
    (art["curve"],) = ax_l.plot([], [], color="#0072B2", lw=1.5)
    (art["marker"],) = ax_l.plot([], [], "o", color=HIGHLIGHT_COLOR, ms=5)
    art["grid"] = ax_l.add_collection(LineCollection([], colors="0.85", linewidths=0.8,
                                                    zorder=0))
    art["ticks"] = LabelLayer(ax_l, fontsize=8, clip=False)        # tick labels outside the axes
    art["titles"] = PanelTitles(axes)
    fig.canvas.dynamic = [art[name] for name in ("prediction", "kernel")] + [
        art["kernel_labels"].artist, art["grid"], art["ticks"].artist, art["curve"],
        art["marker"], *art["titles"].artists]
    return art


def _loss_axes(art, losses, steps) -> None:
    """Limits, decade grid lines and tick labels of the loss panel (log10 of the loss)."""
    ax = art["curve"].axes
    logs = np.log10(losses)
    lo, hi = np.floor(logs.min()), np.ceil(logs.max())
    if hi - lo < 1:
        hi = lo + 1
    x0, x1 = -0.02 * steps, steps * 1.02
    ylim = (lo - 0.1 * (hi - lo), hi + 0.05 * (hi - lo))
    if ax.get_xlim() == (x0, x1) and ax.get_ylim() == ylim:
        return                                   # the same run, or one with the same decades
    every = int(np.ceil((hi - lo) / 4))
    decades = np.arange(lo, hi + 0.5, every)
    ax.set_xlim(x0, x1)
    ax.set_ylim(*ylim)
    art["grid"].set_segments([[(x0, d), (x1, d)] for d in decades])
    labels = [f"1e{int(d)}" for d in decades] + ["0", f"{steps}", "step"]
    below = lo - 0.22 * (hi - lo)
    positions = ([(0.11 * steps, d + 0.03 * (hi - lo)) for d in decades]
                 + [(0, below), (steps, below), (steps / 2, below)])
    art["ticks"].set(positions, labels, "0.35")


def update_learn_kernel(art, state, run_losses, steps) -> None:
    """Show a state of :func:`cnnedu.explain.backprop.learn_kernel_view` in the artists of
    :func:`draw_learn_kernel`, in place; ``run_losses`` (T + 1,) are the losses of the whole
    run (they set the loss axes) and ``steps`` the length of every run."""
    t, target = state["shown_step"], state["target"]
    if not _same_image(art["target"], target):
        vmax = float(np.abs(target).max()) or 1.0
        update_signed_map(art["target"], target, vmax=vmax)
        art["prediction"].set_clim(-vmax, vmax)
        _invalidate(art["target"].figure)
    _loss_axes(art, run_losses, steps)
    update_signed_map(art["prediction"], state["prediction"], vmax=art["target"].get_clim()[1])
    update_signed_map(art["kernel"], state["kernel"], vmax=art["hidden"].get_clim()[1])
    set_grid_labels(art["kernel_labels"], art["kernel"], state["kernel"])
    art["curve"].set_data(np.arange(t + 1), np.log10(state["losses"]))
    art["marker"].set_data([t], [np.log10(state["loss"])])
    art["titles"].set("target y = x ⋆ w*", f"prediction, step {t}", "hidden w*",
                      f"learned w, step {t}", f"loss {state['loss']:.3g} (log scale)")


def draw_maxpool_routing(fig, x) -> dict:
    """The three panels of the max-pooling routing explorer, drawn once on ``fig``.

    The feature map ``x`` (H, W) with the windows and their maxima, the
    upstream gradient ``dL/dy`` and ``dL/dx`` with a line from the centre of
    each window to the cell that receives its gradient.

    Returns
    -------
    dict
        name -> artist: ``input``, ``dy``, ``dx`` (images), ``windows``,
        ``windows_dx``, ``frame_dy`` (outlines), ``maxima``, ``routes``
        (:class:`RoutingArtists`) and ``titles``.
    """
    ax_x, ax_dy, ax_dx = axes = fig.subplots(1, 3, width_ratios=(1, 0.8, 1))
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.02, top=0.86, wspace=0.12)
    art = dict(input=signed_map(ax_x, x), dy=signed_map(ax_dy, np.zeros((1, 1))),
               dx=signed_map(ax_dx, np.zeros_like(x)),
               frame_dy=fixed_box(ax_dy),              # no redraw when it changes shape
               windows=cell_outlines(ax_x, "0.35", 0.9),
               windows_dx=cell_outlines(ax_dx, "0.6", 0.9),
               maxima=routing_arrows(ax_x, "black", markersize=14),
               routes=routing_arrows(ax_dx, "black"))
    for ax in axes:
        bare_axes(ax)
    art["titles"] = PanelTitles(axes)
    m, r = art["maxima"], art["routes"]
    fig.canvas.dynamic = ([art["dy"], art["dx"]] + _spines(ax_dx)
                          + [art["frame_dy"], art["windows"], art["windows_dx"], m.lines, m.dots,
                             r.lines, r.dots, *art["titles"].artists])
    return art


def update_maxpool_routing(art, state) -> None:
    """Show a state of :func:`cnnedu.explain.backprop.maxpool_routing_view` in the artists of
    :func:`draw_maxpool_routing`, in place."""
    (H, W), k, s = state["input"].shape, state["size"], state["stride"]
    if not state["valid"]:
        for name in ("windows", "windows_dx"):
            set_cell_outlines(art[name], [])
        set_routing(art["maxima"], [], [])
        set_routing(art["routes"], [], [])
        update_signed_map(art["dy"], np.zeros((1, 1)))
        update_signed_map(art["dx"], np.zeros((H, W)))
        set_cell_outlines(art["frame_dy"], [(0, 0)], 1, 1)
        art["titles"].set(f"input x, {H}×{W}", "no output", "∂L/∂x: none")
        return
    (oh, ow), dy, dx = state["output_size"], state["dy"], state["dx"]
    tops = np.argwhere(np.ones((oh, ow), dtype=bool)) * s
    winners = state["winners"].reshape(-1, 2)
    for name in ("windows", "windows_dx"):
        set_cell_outlines(art[name], tops, k, k)
    set_routing(art["maxima"], winners, winners)
    set_routing(art["routes"], tops + (k - 1) / 2, winners)
    update_signed_map(art["dy"], dy, vmax=max(1.0, float(np.abs(dy).max())))
    update_signed_map(art["dx"], dx, vmax=max(1.0, float(np.abs(dx).max())))
    set_cell_outlines(art["frame_dy"], [(0, 0)], oh, ow)
    art["titles"].set(f"input x, {H}×{W}: windows, maxima", f"∂L/∂y, {oh}×{ow}",
                      "∂L/∂x: each window → its max")
