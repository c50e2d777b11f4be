"""Drawing functions for pooling: a feature map with its windows, and the pooled map.

Two pictures, the ones chapter 2 draws, each drawn once by a ``draw_*``
function that returns its artists and redrawn in place by the matching
``update_*`` function (so an explorer only recolours cells, moves rectangles
and changes numbers):

- :func:`draw_pool_input`: a feature map, its padding (hatched), the outline
  of every pooling window, the current window (thick black) and the next one
  (dashed), the cells no window reaches (cross-hatched), and for max pooling the
  winning cell (yellow);
- :func:`draw_pool_output`: the pooled map with its values and the current
  output cell (thick black).

The ``update_*`` functions take the settings and compute what to show
(:mod:`cnnedu.explain.pool`); :func:`show_pool_input` draws an already
computed state of :func:`cnnedu.explain.pool.pool_view` and computes nothing.
The third panel of the pooling explorer (the current window, large) and the
explorer's layout are in :mod:`cnnedu.viz.pool_explorer`.

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

import numpy as np
from matplotlib.patches import PathPatch
from matplotlib.path import Path

from .._checks import as_pair
from ..explain.pool import check_output_cell, layer_winners, pool_settings, pool_view
from .cells import (CellGrid, Outlines, cell_colours, cell_fontsize, cells_path, check_artists,
                    check_map, cmap_and_norm, frame_path, prepare_axes, write_cell_labels)
from .text import LabelLayer, format_number

__all__ = ["PoolInputArtists", "PoolOutputArtists",
           "draw_pool_input", "update_pool_input", "show_pool_input",
           "draw_pool_output", "update_pool_output"]


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
    x = check_map(x2d, "x2d")
    if values not in ("window", "all", "none"):
        raise ValueError(f"values must be 'window', 'all' or 'none', got {values!r}")
    if kind not in ("max", "avg"):
        raise ValueError(f"kind must be 'max' or 'avg', got {kind!r}")
    cm, norm = cmap_and_norm(x, cmap, vmin, vmax)
    H, W = x.shape
    P = max(max(as_pair(padding, "padding", minimum=0)), int(max_padding))
    cells = CellGrid(ax, (-P, H + P), (-P, W + P), borders=False)
    cells.set_scale(cm, norm)
    pad_frame = ax.add_patch(PathPatch(Path([(0, 0)]), fill=False, hatch="///",
                                       edgecolor="0.55", linewidth=0, zorder=1.5))
    uncovered = ax.add_patch(PathPatch(Path([(0, 0)]), fill=False, hatch="x",
                                       edgecolor="0.3", linewidth=0, zorder=1.5))
    prepare_axes(ax, title)
    config = dict(kind=kind, fmt=fmt, values=values, cmap=cm, norm=norm)
    artists = PoolInputArtists(cells, pad_frame, uncovered, Outlines(ax), LabelLayer(ax),
                               config)
    return update_pool_input(artists, x, size, stride, padding, cell, kind)



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
    check_artists(artists, PoolInputArtists, "draw_pool_input")
    x = check_map(x2d, "x2d")
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
    check_artists(artists, PoolInputArtists, "draw_pool_input")
    x, cfg, outlines = view["input"], artists.config, artists.outlines
    cfg["kind"] = kind = view["kind"]
    H, W = x.shape
    (kh, kw), (sh, sw), (ph, pw) = _axis_pairs(view)
    padded = np.full((H + 2 * ph, W + 2 * pw), np.nan)
    padded[ph:ph + H, pw:pw + W] = x
    rgba = cell_colours(padded, cfg)
    if cfg.get("padding") != (H, W, ph, pw):
        cfg["padding"] = (H, W, ph, pw)
        artists.pad_frame.set_path(frame_path(-0.5, -0.5, H - 0.5, W - 0.5, ph, pw))
        artists.pad_frame.set_visible(ph > 0 or pw > 0)
    artists.cells.show(rgba, -ph, -pw)
    if not view["valid"]:
        cfg["geometry"] = None
        artists.uncovered.set_path(cells_path([]))
        outlines.set(**{name: [] for name in Outlines.STYLES})
        artists.labels.clear()
        return artists
    oh, ow = view["output_size"]
    key = (H, W, kh, kw, sh, sw, ph, pw)
    if cfg.get("geometry") != key:
        cfg["geometry"] = key
        artists.uncovered.set_path(cells_path(np.argwhere(view["coverage"] == 0)))
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
        size_pt = cell_fontsize(artists.cells.ax, max(H + 2 * ph, W + 2 * pw),
                            max(len(s) for s in labels))
        colours = np.array([rgba[r + ph, c + pw] for r, c, _ in written])
        write_cell_labels(artists.labels, [(c, r) for r, c, _ in written], labels, colours, size_pt)
    else:
        artists.labels.clear()
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
    :data:`~cnnedu.viz.cells.MIN_FONTSIZE` points); a large map is drawn without them.

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
    y = check_map(y2d, "y2d")
    cm, norm = cmap_and_norm(y, cmap, vmin, vmax)
    R, C = y.shape if max_shape is None else np.maximum(y.shape, max_shape)
    cells = CellGrid(ax, (0, R), (0, C), borders=True)
    cells.set_scale(cm, norm)
    note = ax.text(0.5, 0.5, "", transform=ax.transAxes, ha="center", va="center",
                   color="0.3", visible=False)
    prepare_axes(ax, title)
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
    check_artists(artists, PoolOutputArtists, "draw_pool_output")
    ax, cfg = artists.cells.ax, artists.config
    if y2d is None:
        artists.labels.clear()
        artists.cells.show(np.zeros((1, 1, 4)))
        artists.outlines.set(current=[])
        artists.note.set_text(note)
        artists.note.set_visible(bool(note))
        return artists
    y = check_map(y2d, "y2d")
    OH, OW = y.shape
    artists.note.set_visible(False)
    rgba = cell_colours(y, cfg)
    artists.cells.show(rgba)
    artists.outlines.set(current=[] if cell is None else [(cell[0], cell[1], 1, 1)])
    labels = [format_number(v, cfg["fmt"]) for v in y.ravel().tolist()]
    write_cell_labels(artists.labels, [(k % OW, k // OW) for k in range(y.size)], labels,
           rgba.reshape(-1, 4), cell_fontsize(ax, max(OH, OW), max(len(s) for s in labels)))
    return artists

