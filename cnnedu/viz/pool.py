"""Drawing functions for pooling: the input with its windows, and the pooled output.

Three pictures, each drawn once by a ``draw_*`` function that returns its
artists and redrawn in place by the matching ``update_*`` function (so an
explorer only recolours cells, moves rectangles and changes numbers):

- :func:`draw_pool_input`: a feature map, its padding (hatched), the outline
  of every pooling window, the current window (thick black) and the next one
  (dashed), the cells no window reaches (cross-hatched), and for max pooling the
  winning cell (yellow);
- :func:`draw_pool_window`: the current window, large, with its values and
  its winner;
- :func:`draw_pool_output`: the pooled map with its values and the current
  output cell (thick black).

The ``update_*`` functions take the settings and compute what to show
(:mod:`cnnedu.explain.pool`); :func:`show_pool_input` and
:func:`show_pool_window` draw an already computed state of
:func:`cnnedu.explain.pool.pool_view` and compute nothing. The pooling
explorer lays out its three panels with :func:`draw_pooling_explorer` and
shows each state with :func:`update_pooling_explorer`.

Cell ``(r, c)`` of an array is drawn as the unit square centred on
``(x, y) = (c, r)``, row 0 at the top, so padded cells have negative indices
(or indices ``>= H``) and input and output grids can be compared by eye.
Colours follow :mod:`cnnedu.viz`: :data:`~cnnedu.viz.SIGNED_CMAP` for signed
maps, :data:`~cnnedu.viz.IMAGE_CMAP` otherwise.

Two helpers keep an explorer fast: :class:`~cnnedu.viz.cells.CellGrid`
colours cells of a fixed mesh in place (no image resampling), and a
:class:`~cnnedu.viz.text.LabelLayer` writes the numbers as the outlines of
their glyphs in one artist (a ``Text`` artist per number would cost over a
millisecond each to render).
"""
from __future__ import annotations

from typing import NamedTuple

import matplotlib
import numpy as np
from matplotlib.colors import Normalize, to_rgba
from matplotlib.patches import PathPatch
from matplotlib.path import Path

from .._checks import as_float_array, as_pair, check_ndim
from ..explain.pool import (check_output_cell, layer_winners, pool_settings, pool_view,
                            pool_window)
from .base import cmap_and_limits, signed_cmap_limits
from .cells import CellGrid, Outlines
from .text import LabelLayer, PanelTitles, format_number, text_colours

__all__ = ["PoolInputArtists", "PoolWindowArtists", "PoolOutputArtists", "MIN_FONTSIZE",
           "draw_pool_input", "update_pool_input", "show_pool_input",
           "draw_pool_window", "update_pool_window", "show_pool_window",
           "draw_pool_output", "update_pool_output",
           "PoolingPanels", "draw_pooling_explorer", "update_pooling_explorer"]

#: Below this size (points) numbers are not written: the cells are too small.
MIN_FONTSIZE = 5.0
_PAD_RGBA = to_rgba("0.86")


def _check_2d(x2d, name):
    return check_ndim(as_float_array(x2d, name), name, 2, "(H, W)")


def _check_artists(artists, kind, drawn_by):
    if not isinstance(artists, kind):
        raise TypeError(f"artists must be the {kind.__name__} returned by {drawn_by}, "
                        f"got {type(artists).__name__}")


def _cmap_and_norm(arr, cmap, vmin, vmax):
    """The colour map and limits to use for ``arr`` (see :func:`draw_pool_input`)."""
    finite = arr[np.isfinite(arr)]
    cmap, vmin, vmax = cmap_and_limits(arr, cmap, vmin, vmax)
    if vmin is None and vmax is None and finite.size:
        vmin, vmax = float(finite.min()), float(finite.max())
    if vmin is not None and vmax is not None and not vmin < vmax:
        vmin, vmax = vmin - 1.0, vmax + 1.0
    cm = matplotlib.colormaps[cmap] if isinstance(cmap, str) else cmap
    return cm, Normalize(vmin=vmin, vmax=vmax)


def _rgba(values, cfg):
    """Colours of ``values`` (NaN, i.e. padding, in light grey)."""
    rgba = np.asarray(cfg["cmap"](cfg["norm"](values)), dtype=float)
    rgba[np.isnan(values)] = _PAD_RGBA
    return rgba


def _fontsize(ax, n_cells, longest):
    """Points at which a label of ``longest`` characters fits a cell of an axes n cells wide."""
    width_in = ax.get_position().width * ax.figure.get_size_inches()[0]
    cell = 72 * width_in / max(n_cells, 1)
    return float(min(1.5 * cell / max(longest, 1), 0.42 * cell, 12.0))


def _write(cell_labels, positions, labels, rgba, fontsize):
    """Write ``labels`` at ``positions`` over cells of colours ``rgba``; nothing if too small."""
    if fontsize < MIN_FONTSIZE or not labels:
        cell_labels.clear()
        return False
    cell_labels.set(positions, labels, text_colours(rgba), fontsize)
    return True


def _prepare_axes(ax, title):
    ax.set_axis_off()
    ax.set_aspect("equal")
    if title:
        ax.set_title(title)


# --------------------------------------------------------------------- input
class PoolInputArtists(NamedTuple):
    """What :func:`draw_pool_input` drew; pass it to :func:`update_pool_input`."""

    #: the cells of the padded map (padding light grey)
    cells: CellGrid
    #: hatching over the padding (``PathPatch``, a frame around the map)
    pad_frame: object
    #: cross-hatching over the cells that no window reaches (``PathPatch``)
    uncovered: object
    #: every window, the current and next windows, the winner(s)
    outlines: Outlines
    #: the numbers written in cells
    labels: LabelLayer
    #: settings: kind, fmt, values, cmap, norm (and what was last drawn)
    config: dict


def draw_pool_input(ax, x2d, size, stride=None, padding=0, cell=(0, 0), kind="max",
                    cmap=None, vmin=None, vmax=None, values="window", fmt="{:.1f}",
                    title=None, max_padding=0) -> PoolInputArtists:
    """Draw a feature map with its pooling windows on ``ax``.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    x2d : array_like, shape (H, W)
        The map being pooled (one channel).
    size, stride, padding
        As in :func:`cnnedu.ops.pool.max_pool2d` (stride defaults to size).
    cell : (i, j) or None, default (0, 0)
        The output cell whose window is drawn thick, with the next window
        dashed and (for max) its winner outlined in yellow. ``None``: no
        current window, every window drawn boldly and, for max pooling, the
        winner of every window outlined (the whole layer at once).
    kind : {'max', 'avg'}
    cmap, vmin, vmax
        Colour map and limits; by default :data:`~cnnedu.viz.SIGNED_CMAP`
        with symmetric limits for a map with negative values (or a negative
        ``vmin``), else :data:`~cnnedu.viz.IMAGE_CMAP` over the map's range;
        see :func:`cnnedu.viz.cmap_and_limits`.
    values : {'window', 'all', 'none'}, default 'window'
        Which cells get their number written: those of the current window,
        every cell, or none. Padded cells in a window read ``-inf`` (max
        pooling: they never win) or ``0`` (average pooling: they count).
    fmt : str, default ``'{:.1f}'``
        Format of the numbers.
    title : str, optional
    max_padding : int, default 0
        Largest padding a later :func:`update_pool_input` will show (sizes
        the mesh once; more still works, a little slower).

    Returns
    -------
    PoolInputArtists
        Update them with :func:`update_pool_input`.

    Notes
    -----
    When size, stride and padding do not fit the map (see
    :func:`cnnedu.explain.pool.pool_geometry_problem`) only the map and its
    padding are drawn; nothing is raised.
    """
    x = _check_2d(x2d, "x2d")
    if values not in ("window", "all", "none"):
        raise ValueError(f"values must be 'window', 'all' or 'none', got {values!r}")
    if kind not in ("max", "avg"):
        raise ValueError(f"kind must be 'max' or 'avg', got {kind!r}")
    cm, norm = _cmap_and_norm(x, cmap, vmin, vmax)
    H, W = x.shape
    P = max(max(as_pair(padding, "padding", minimum=0)), int(max_padding))
    cells = CellGrid(ax, (-P, H + P), (-P, W + P), borders=False)
    cells.set_scale(cm, norm)
    pad_frame = ax.add_patch(PathPatch(Path([(0, 0)]), fill=False, hatch="///",
                                       edgecolor="0.55", linewidth=0, zorder=1.5))
    uncovered = ax.add_patch(PathPatch(Path([(0, 0)]), fill=False, hatch="x",
                                       edgecolor="0.3", linewidth=0, zorder=1.5))
    _prepare_axes(ax, title)
    config = dict(kind=kind, fmt=fmt, values=values, cmap=cm, norm=norm)
    artists = PoolInputArtists(cells, pad_frame, uncovered, Outlines(ax), LabelLayer(ax),
                               config)
    return update_pool_input(artists, x, size, stride, padding, cell, kind)


def _frame_path(top, left, bottom, right, ph, pw):
    """The padding: the rectangle of the padded map minus that of the map."""
    outer = [(left - pw, top - ph), (right + pw, top - ph), (right + pw, bottom + ph),
             (left - pw, bottom + ph), (left - pw, top - ph)]
    inner = [(left, top), (left, bottom), (right, bottom), (right, top), (left, top)]
    codes = [Path.MOVETO] + [Path.LINETO] * 3 + [Path.CLOSEPOLY]
    return Path(outer + inner, codes * 2)


def _cells_path(cells):
    """One path made of the unit squares of ``cells`` (``(row, col)`` pairs)."""
    squares = [[(c - 0.5, r - 0.5), (c + 0.5, r - 0.5), (c + 0.5, r + 0.5),
                (c - 0.5, r + 0.5), (c - 0.5, r - 0.5)] for r, c in cells]
    if not squares:
        return Path(np.zeros((1, 2)))
    codes = [Path.MOVETO] + [Path.LINETO] * 3 + [Path.CLOSEPOLY]
    return Path(np.concatenate(squares), codes * len(squares))


def update_pool_input(artists, x2d, size, stride=None, padding=0, cell=(0, 0),
                      kind=None) -> PoolInputArtists:
    """Redraw what :func:`draw_pool_input` drew, in place, for new settings.

    Computes the setting with :func:`cnnedu.explain.pool.pool_settings` and
    :func:`~cnnedu.explain.pool.pool_view`, then draws it with
    :func:`show_pool_input`.

    Parameters
    ----------
    artists : PoolInputArtists
    x2d : array_like, shape (H, W)
    size, stride, padding, cell
        As in :func:`draw_pool_input`. ``cell`` must be a valid output
        position (``0 <= i < OH``, ``0 <= j < OW``) or None.
    kind : {'max', 'avg'}, optional
        Defaults to the kind last drawn.

    Returns
    -------
    PoolInputArtists
        ``artists``, updated.
    """
    _check_artists(artists, PoolInputArtists, "draw_pool_input")
    x = _check_2d(x2d, "x2d")
    kind = artists.config["kind"] if kind is None else kind
    if kind not in ("max", "avg"):
        raise ValueError(f"kind must be 'max' or 'avg', got {kind!r}")
    settings = pool_settings(x, kind, size, stride, padding)
    if cell is None or settings.problem:
        return show_pool_input(artists, pool_view(settings, 0, 0), layer_winners(settings))
    i, j = check_output_cell(*cell, settings.geometry.output_size)
    return show_pool_input(artists, pool_view(settings, i, j))


def _axis_pairs(view):
    """``(kh, kw), (sh, sw), (ph, pw)`` of a view's size, stride (default: size) and padding."""
    kh, kw = as_pair(view["size"], "size")
    stride = view["stride"]
    return ((kh, kw), (kh, kw) if stride is None else as_pair(stride, "stride"),
            as_pair(view["padding"], "padding", minimum=0))


def show_pool_input(artists, view, winners=None) -> PoolInputArtists:
    """Draw one state of the pooling explorer on the input panel, in place (nothing computed).

    Parameters
    ----------
    artists : PoolInputArtists
    view : dict
        From :func:`cnnedu.explain.pool.pool_view`: ``input``, ``kind``,
        ``size``, ``stride``, ``padding``, ``valid``, ``output_size``,
        ``cell``, ``window``, ``inside``, ``top_left``, ``winner``,
        ``coverage``. An invalid setting draws only the map and its padding.
    winners : list of (row, col), optional
        Draw the whole layer instead of the view's cell: every window bold
        and these cells (:func:`cnnedu.explain.pool.layer_winners`) outlined
        as winners.

    Returns
    -------
    PoolInputArtists
        ``artists``, updated.
    """
    _check_artists(artists, PoolInputArtists, "draw_pool_input")
    x, cfg, outlines = view["input"], artists.config, artists.outlines
    cfg["kind"] = kind = view["kind"]
    H, W = x.shape
    (kh, kw), (sh, sw), (ph, pw) = _axis_pairs(view)
    padded = np.full((H + 2 * ph, W + 2 * pw), np.nan)
    padded[ph:ph + H, pw:pw + W] = x
    rgba = _rgba(padded, cfg)
    if cfg.get("padding") != (H, W, ph, pw):
        cfg["padding"] = (H, W, ph, pw)
        artists.pad_frame.set_path(_frame_path(-0.5, -0.5, H - 0.5, W - 0.5, ph, pw))
        artists.pad_frame.set_visible(ph > 0 or pw > 0)
    artists.cells.show(rgba, -ph, -pw)
    if not view["valid"]:
        cfg["geometry"] = None
        artists.uncovered.set_path(_cells_path([]))
        outlines.set(**{name: [] for name in Outlines.STYLES})
        artists.labels.clear()
        return artists
    oh, ow = view["output_size"]
    key = (H, W, kh, kw, sh, sw, ph, pw)
    if cfg.get("geometry") != key:
        cfg["geometry"] = key
        artists.uncovered.set_path(_cells_path(np.argwhere(view["coverage"] == 0)))
        tops, lefts = np.arange(oh) * sh - ph, np.arange(ow) * sw - pw
        cfg["windows"] = [(t, l, kh, kw) for t in tops for l in lefts]

    written = []   # (row, col, label) of the numbers to write
    if winners is not None:
        outlines.set(windows=[], windows_bold=cfg["windows"], next=[], current=[],
                     winner=[(r, c, 1, 1) for r, c in winners])
    else:
        (i, j), (top, left) = view["cell"], view["top_left"]
        k = i * ow + j + 1
        nxt = [cfg["windows"][k]] if k < oh * ow else []
        outlines.set(windows=cfg["windows"], windows_bold=[], next=nxt,
                     current=[(top, left, kh, kw)],
                     winner=[] if view["winner"] is None else [(*view["winner"], 1, 1)])
        if cfg["values"] == "window":
            window, inside = view["window"], view["inside"]
            pad_label = "\u2212\u221e" if kind == "max" else "0"
            written = [(top + a, left + b,
                        format_number(window[a, b], cfg["fmt"]) if inside[a, b] else pad_label)
                       for a in range(kh) for b in range(kw)]
    if cfg["values"] == "all":
        written = [(r, c, format_number(x[r, c], cfg["fmt"])) for r in range(H) for c in range(W)]
    if written:
        labels = [label for _, _, label in written]
        size_pt = _fontsize(artists.cells.ax, max(H + 2 * ph, W + 2 * pw),
                            max(len(s) for s in labels))
        colours = np.array([rgba[r + ph, c + pw] for r, c, _ in written])
        _write(artists.labels, [(c, r) for r, c, _ in written], labels, colours, size_pt)
    else:
        artists.labels.clear()
    return artists


# -------------------------------------------------------------------- window
class PoolWindowArtists(NamedTuple):
    """What :func:`draw_pool_window` drew; pass it to :func:`update_pool_window`."""

    #: the window's cells (padding light grey)
    cells: CellGrid
    #: the winning cell for max pooling (style ``winner``)
    outlines: Outlines
    #: the numbers written in the cells
    labels: LabelLayer
    #: settings: fmt, title, cmap, norm
    config: dict


def draw_pool_window(ax, x2d, i, j, size, stride=None, padding=0, kind="max", cmap=None,
                     vmin=None, vmax=None, fmt="{:.1f}", title=True,
                     max_size=None) -> PoolWindowArtists:
    """Draw, large, the window behind output cell ``(i, j)`` and its winner.

    The window's values are written in their cells; cells in the padding read
    ``-inf`` for max pooling (they never win) or ``0`` for average pooling
    (they count in the mean). For max pooling the winning cell (the first
    maximum in row-major order, as :func:`cnnedu.explain.pool.pool_window`
    reports) is outlined in yellow.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    x2d : array_like, shape (H, W)
    i, j : int
        Output position.
    size, stride, padding, kind
        As in :func:`draw_pool_input`.
    cmap, vmin, vmax, fmt
        As in :func:`draw_pool_input` (pass the input's limits).
    title : bool or str, default True
        True: a title naming the window and its result, e.g.
        ``'window (0, 1): max = 3.9'``; a string: that title; False: none.
    max_size : int, optional
        Largest window a later update will show (sizes the mesh once).

    Returns
    -------
    PoolWindowArtists
        Update them with :func:`update_pool_window`.
    """
    x = _check_2d(x2d, "x2d")
    cm, norm = _cmap_and_norm(x, cmap, vmin, vmax)
    kh, kw = as_pair(size, "size")
    K = max(kh, kw, int(max_size or 0))
    cells = CellGrid(ax, (0, K), (0, K), borders=True)
    cells.set_scale(cm, norm)
    _prepare_axes(ax, None)
    config = dict(fmt=fmt, cmap=cm, norm=norm, title=title)
    artists = PoolWindowArtists(cells, Outlines(ax, zorder=2.5), LabelLayer(ax), config)
    return update_pool_window(artists, x, i, j, size, stride, padding, kind)


def update_pool_window(artists, x2d, i, j, size, stride=None, padding=0,
                       kind="max") -> PoolWindowArtists:
    """Redraw what :func:`draw_pool_window` drew, in place, for another window.

    ``x2d`` and ``(i, j)`` with ``size``, ``stride``, ``padding`` must be a
    valid setting (:func:`cnnedu.explain.pool.pool_window` raises otherwise);
    ``x2d=None`` clears the panel (for a setting that has no window).
    Returns ``artists`` (drawn by :func:`show_pool_window`).
    """
    _check_artists(artists, PoolWindowArtists, "draw_pool_window")
    if x2d is None:
        return show_pool_window(artists, dict(valid=False))
    win = pool_window(x2d, i, j, size, stride, padding, kind)
    return show_pool_window(artists, dict(valid=True, kind=kind, cell=(i, j), window=win.window,
                                          inside=win.inside, top_left=win.top_left,
                                          value=win.value, winner=win.argmax))


def show_pool_window(artists, view) -> PoolWindowArtists:
    """Draw the window of one state of the pooling explorer, in place (nothing computed).

    Parameters
    ----------
    artists : PoolWindowArtists
    view : dict
        From :func:`cnnedu.explain.pool.pool_view`: ``valid``, ``kind``,
        ``cell``, ``window``, ``inside``, ``top_left``, ``value``,
        ``winner``. When not ``valid`` the panel is cleared.

    Returns
    -------
    PoolWindowArtists
        ``artists``, updated.
    """
    _check_artists(artists, PoolWindowArtists, "draw_pool_window")
    ax, cfg = artists.cells.ax, artists.config
    if not view["valid"]:
        artists.labels.clear()
        artists.cells.show(np.zeros((1, 1, 4)))
        artists.outlines.set(winner=[])
        if cfg["title"] is True:
            ax.set_title("no window")
        return artists
    window, inside, (top, left), winner = (view["window"], view["inside"], view["top_left"],
                                           view["winner"])
    kh, kw = window.shape
    rgba = _rgba(window, cfg)
    artists.cells.show(rgba)
    artists.outlines.set(winner=[] if winner is None else
                         [(winner[0] - top, winner[1] - left, 1, 1)])
    pad_label = "\u2212\u221e" if view["kind"] == "max" else "0"
    labels = [format_number(v, cfg["fmt"]) if cell_inside else pad_label
              for v, cell_inside in zip(window.ravel().tolist(), inside.ravel().tolist())]
    _write(artists.labels, [(k % kw, k // kw) for k in range(kh * kw)], labels,
           rgba.reshape(-1, 4), _fontsize(ax, max(kh, kw), max(len(s) for s in labels)))
    if cfg["title"] is True:
        i, j = view["cell"]
        ax.set_title(f"window ({i}, {j}): {view['kind']} = "
                     f"{format_number(view['value'], cfg['fmt'])}")
    elif cfg["title"]:
        ax.set_title(cfg["title"])
    return artists


# -------------------------------------------------------------------- output
class PoolOutputArtists(NamedTuple):
    """What :func:`draw_pool_output` drew; pass it to :func:`update_pool_output`."""

    #: the cells of the pooled map
    cells: CellGrid
    #: the current output cell (style ``current``)
    outlines: Outlines
    #: the numbers written in the cells
    labels: LabelLayer
    #: a note shown when there is no output (``Text`` in axes coordinates)
    note: object
    #: settings: fmt, cmap, norm
    config: dict


def draw_pool_output(ax, y2d, cell=(0, 0), cmap=None, vmin=None, vmax=None,
                     fmt="{:.1f}", title=None, max_shape=None) -> PoolOutputArtists:
    """Draw a pooled map with its values and the current output cell.

    Values are written in the cells when they fit (a font of at least
    :data:`MIN_FONTSIZE` points); a large map is drawn without them.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    y2d : array_like, shape (OH, OW)
        The pooled map of one channel.
    cell : (i, j) or None, default (0, 0)
        The output cell outlined in black, or None for none.
    cmap, vmin, vmax
        As in :func:`draw_pool_input`; pass the input's limits so that the
        colours of input and output can be compared.
    fmt : str, default ``'{:.1f}'``
    title : str, optional
    max_shape : (rows, cols), optional
        Largest map a later update will show (sizes the mesh once).

    Returns
    -------
    PoolOutputArtists
        Update them with :func:`update_pool_output`.
    """
    y = _check_2d(y2d, "y2d")
    cm, norm = _cmap_and_norm(y, cmap, vmin, vmax)
    R, C = y.shape if max_shape is None else np.maximum(y.shape, max_shape)
    cells = CellGrid(ax, (0, R), (0, C), borders=True)
    cells.set_scale(cm, norm)
    note = ax.text(0.5, 0.5, "", transform=ax.transAxes, ha="center", va="center",
                   color="0.3", visible=False)
    _prepare_axes(ax, title)
    config = dict(fmt=fmt, cmap=cm, norm=norm)
    artists = PoolOutputArtists(cells, Outlines(ax, zorder=2.2), LabelLayer(ax), note, config)
    return update_pool_output(artists, y, cell)


def update_pool_output(artists, y2d, cell=(0, 0), note="no output") -> PoolOutputArtists:
    """Redraw what :func:`draw_pool_output` drew, in place.

    Parameters
    ----------
    artists : PoolOutputArtists
    y2d : array_like, shape (OH, OW), or None
        The new pooled map; None clears the panel and shows ``note`` (for a
        setting that gives no output).
    cell : (i, j) or None
    note : str, default 'no output'

    Returns
    -------
    PoolOutputArtists
        ``artists``, updated.
    """
    _check_artists(artists, PoolOutputArtists, "draw_pool_output")
    ax, cfg = artists.cells.ax, artists.config
    if y2d is None:
        artists.labels.clear()
        artists.cells.show(np.zeros((1, 1, 4)))
        artists.outlines.set(current=[])
        artists.note.set_text(note)
        artists.note.set_visible(bool(note))
        return artists
    y = _check_2d(y2d, "y2d")
    OH, OW = y.shape
    artists.note.set_visible(False)
    rgba = _rgba(y, cfg)
    artists.cells.show(rgba)
    artists.outlines.set(current=[] if cell is None else [(cell[0], cell[1], 1, 1)])
    labels = [format_number(v, cfg["fmt"]) for v in y.ravel().tolist()]
    _write(artists.labels, [(k % OW, k // OW) for k in range(y.size)], labels,
           rgba.reshape(-1, 4), _fontsize(ax, max(OH, OW), max(len(s) for s in labels)))
    return artists


# ------------------------------------------------------------------ explorer
class PoolingPanels(NamedTuple):
    """The three panels of the pooling explorer (:func:`draw_pooling_explorer`)."""

    input: PoolInputArtists
    window: PoolWindowArtists
    output: PoolOutputArtists
    #: the titles above the three panels (:class:`~cnnedu.viz.text.PanelTitles`)
    titles: PanelTitles


_KIND_NAMES = {"max": "max", "avg": "average"}


def draw_pooling_explorer(fig, x2d, max_padding: int = 4, max_size: int = 8) -> PoolingPanels:
    """Lay out the pooling explorer on ``fig``: input, window and output, drawn once.

    The three panels share the input's colours: the diverging
    :data:`~cnnedu.viz.SIGNED_CMAP` with limits symmetric about 0 for a map
    with negative values, else grey over the map's range.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        Empty; about 9 x 3.4 inches.
    x2d : array_like, shape (H, W)
        The map pooled.
    max_padding, max_size : int
        The largest padding and window the explorer offers (sizes the meshes once).

    Returns
    -------
    PoolingPanels
        Show a state on it with :func:`update_pooling_explorer`.
    """
    x = _check_2d(x2d, "x2d")
    H, W = x.shape
    vmin, vmax = (signed_cmap_limits(x) if x.min() < 0
                  else (float(x.min()), float(x.max()) or 1.0))
    colours = dict(vmin=vmin, vmax=vmax if vmax > vmin else vmin + 1.0)
    ax_in, ax_win, ax_out = fig.subplots(1, 3, width_ratios=(1.25, 0.8, 1.0))
    fig.subplots_adjust(left=0.01, right=0.985, bottom=0.02, top=0.9, wspace=0.12)
    art_in = draw_pool_input(ax_in, x, 1, values="none", max_padding=max_padding, **colours)
    art_win = draw_pool_window(ax_win, x, 0, 0, 1, title=False, max_size=max_size, fmt="{:.2f}",
                               **colours)
    art_out = draw_pool_output(ax_out, x, cell=None, max_shape=(H + 1, W + 1), **colours)
    # titles drawn as glyph outlines: a Text artist costs more to render than
    # everything else in a panel
    titles = PanelTitles((ax_in, ax_win, ax_out), fontsize=10, y=0.93)
    return PoolingPanels(art_in, art_win, art_out, titles)


def update_pooling_explorer(panels: PoolingPanels, view) -> PoolingPanels:
    """Show one state of the pooling explorer, in place (nothing computed).

    Parameters
    ----------
    panels : PoolingPanels
        From :func:`draw_pooling_explorer`.
    view : dict
        From :func:`cnnedu.explain.pool.pool_view`.

    Returns
    -------
    PoolingPanels
        ``panels``, updated.
    """
    H, W = view["input"].shape
    p = view["padding"]
    show_pool_input(panels.input, view)
    show_pool_window(panels.window, view)
    if not view["valid"]:
        update_pool_output(panels.output, None, note="")
        panels.titles.set(f"input {H}×{W}, padding {p}", "no window", "no output: see below")
        return panels
    (i, j), (oh, ow), kind = view["cell"], view["output_size"], view["kind"]
    update_pool_output(panels.output, view["output"], (i, j))
    panels.titles.set(f"input {H}×{W}, padding {p}",
                      f"window ({i}, {j}): {kind} = {format_number(view['value'], '{:.2f}')}",
                      f"{_KIND_NAMES[kind]} pooling: output {oh}×{ow}")
    return panels
