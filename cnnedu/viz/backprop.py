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
                  cmap_and_limits, signed_cmap_limits)
from .pool import CellLabels
from .base import _check_axes, _as_2d  # shared argument checks of the drawing functions

__all__ = ["ADJOINT_COLOR", "PIXEL_COLOR", "PAD_COLOR", "SIGNED_PAD_COLOR", "draw_scalar_graph",
           "signed_map", "update_signed_map", "padded_cmap", "padded_map", "update_padded_map",
           "cell_outlines", "set_cell_outlines", "fixed_box", "show_gradient_check",
           "RoutingArtists", "routing_arrows", "set_routing", "draw_loss_curves", "bare_axes",
           "PanelTitles", "panel_titles", "set_panel_titles", "grid_labels", "set_grid_labels"]

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


def _num(v: float) -> str:
    text = f"{v:.2f}"
    return "0.00" if text == "-0.00" else text.replace("-", "−")


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
    _check_axes(ax)
    if not (hasattr(graph, "values") and hasattr(graph, "adjoints")):
        raise TypeError(f"graph must be the ScalarGraph of scalar_graph(), got {type(graph).__name__}")
    nodes, arrows, values, adjoints = {}, [], {}, {}
    radius = 0.36
    for name, (x, y, symbol, q) in _GRAPH_NODES.items():
        value = f"{q} = {_num(graph.values[q])}"
        adjoint = f"∂L/∂{q} = {_num(graph.adjoints[q])}"
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
    _check_axes(ax)
    arr = _as_2d(array, "array")
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
    arr = _as_2d(array, "array")
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
    _check_axes(ax)
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
    _check_axes(ax)
    arr = _as_2d(array, "array")
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
    _set_image(im, _with_padding(_as_2d(array, "array"), _pad_pair(pad)))
    return im


# ------------------------------------------------------------------ outlines
def cell_outlines(ax, color=HIGHLIGHT_COLOR, linewidth=2.0, linestyle="solid", zorder=3):
    """An (empty) set of cell outlines on ``ax``; fill it with :func:`set_cell_outlines`.

    Returns
    -------
    matplotlib.collections.LineCollection
    """
    _check_axes(ax)
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
    a = _as_2d(analytic, "analytic")
    n = _as_2d(numeric, "numeric")
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
    _check_axes(ax)
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
    _check_axes(ax)
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
# A matplotlib Text costs several milliseconds to render; an explorer redraws
# its whole figure on every change. Titles and numbers in cells are therefore
# drawn as glyph outlines gathered in one collection
# (:class:`cnnedu.viz.pool.CellLabels`), which renders in well under one.

def bare_axes(ax):
    """Hide the x and y axes of ``ax`` (ticks, labels, their layout), keeping its frame."""
    _check_axes(ax)
    ax.xaxis.set_visible(False)
    ax.yaxis.set_visible(False)
    return ax


class PanelTitles:
    """Titles above a figure's panels, drawn as one collection of glyph outlines.

    Made by :func:`panel_titles`, changed by :func:`set_panel_titles`. The
    panels' positions are worked out again only when an axes' limits change
    (a panel with a new shape moves its box).

    Attributes
    ----------
    labels : cnnedu.viz.pool.CellLabels
    collection : matplotlib.collections.PathCollection
        The artist to redraw.
    """

    def __init__(self, fig):
        self.labels = CellLabels(fig.axes[0], transform=fig.transFigure, valign="baseline")
        self.collection = self.labels.collection
        self._key = None
        self._positions = None

    def positions(self, axes, gap):
        key = (tuple(id(ax) for ax in axes), gap,
               tuple((ax.get_xlim(), ax.get_ylim()) for ax in axes))
        if key != self._key:
            self._key = key
            self._positions = []
            for ax in axes:
                ax.apply_aspect()
                box = ax.get_position()
                self._positions.append(((box.x0 + box.x1) / 2, box.y1 + gap))
        return self._positions

    @property
    def texts(self) -> list:
        """The titles currently shown."""
        return list(self.labels.labels)


def panel_titles(fig):
    """An empty set of panel titles for ``fig``; fill it with :func:`set_panel_titles`.

    Returns
    -------
    PanelTitles
    """
    if not hasattr(fig, "transFigure") or not fig.axes:
        raise TypeError("fig must be a matplotlib Figure with its axes already added")
    return PanelTitles(fig)


def set_panel_titles(titles, axes, texts, fontsize=10, colour="black", gap=0.03):
    """Write ``texts[k]`` centred above ``axes[k]`` (``gap`` in figure fractions).

    Parameters
    ----------
    titles : PanelTitles
    axes : sequence of Axes
    texts : sequence of str, one per axes
    fontsize : float
    colour : colour
    gap : float
        Distance between the top of a panel and its title's baseline.
    """
    if not isinstance(titles, PanelTitles):
        raise TypeError(f"titles must be the PanelTitles of panel_titles(), "
                        f"got {type(titles).__name__}")
    axes, texts = list(axes), [str(t) for t in texts]
    if len(axes) != len(texts):
        raise ValueError(f"axes and texts must have the same length, got {len(axes)} and "
                         f"{len(texts)}")
    titles.labels.set(titles.positions(axes, gap), texts, [colour] * len(texts), fontsize)
    return titles


def grid_labels(ax):
    """An empty set of cell labels on ``ax``; fill it with :func:`set_grid_labels`."""
    _check_axes(ax)
    return CellLabels(ax)


def _luminance(rgba):
    rgb = np.asarray(rgba, dtype=float)[..., :3]
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return linear @ np.array([0.2126, 0.7152, 0.0722])


def set_grid_labels(labels, image, array, fmt=None, fontsize=8):
    """Write each value of ``array`` in its cell of ``image``, black or white for contrast.

    Parameters
    ----------
    labels : CellLabels
        From :func:`grid_labels`.
    image : AxesImage
        The image the values are drawn on (for the cell colours).
    array : array_like, shape (H, W)
    fmt : callable, optional
        value -> str; default two decimals, without a minus sign on zero.
    fontsize : float
    """
    arr = _as_2d(array, "array")
    fmt = fmt or _num
    lum = _luminance(image.cmap(image.norm(arr)))
    colours = np.where(lum > 0.179, "black", "white").ravel()
    rows, cols = np.indices(arr.shape)
    labels.set(np.stack([cols.ravel(), rows.ravel()], axis=1), [fmt(v) for v in arr.ravel()],
               colours, fontsize)
    return labels
