"""The pooling explorer's drawing: its window panel and the layout of its three panels.

- :func:`draw_pool_window`: the current window, large, with its values and
  its winner, redrawn in place by :func:`update_pool_window` (which computes
  the window with :func:`cnnedu.explain.pool.pool_window`) or
  :func:`show_pool_window` (which draws a computed state and computes nothing);
- :func:`draw_pooling_explorer` lays out the input, window and output panels
  (the input and output pictures are those of :mod:`cnnedu.viz.pool`) and
  :func:`update_pooling_explorer` shows each state of
  :func:`cnnedu.explain.pool.pool_view` on them.

Cells are drawn as in :mod:`cnnedu.viz.pool`, with the fast helpers of
:mod:`cnnedu.viz.cells`.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._checks import as_pair
from ..explain.pool import pool_window
from .base import signed_cmap_limits
from .cells import (CellGrid, Outlines, cell_colours, cell_fontsize, check_artists, check_map,
                    cmap_and_norm, prepare_axes, write_cell_labels)
from .pool import (PoolInputArtists, PoolOutputArtists, draw_pool_input, draw_pool_output,
                   show_pool_input, update_pool_output)
from .text import LabelLayer, PanelTitles, format_number

__all__ = ["PoolWindowArtists", "draw_pool_window", "update_pool_window", "show_pool_window",
           "PoolingPanels", "draw_pooling_explorer", "update_pooling_explorer"]


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
        As in :func:`~cnnedu.viz.pool.draw_pool_input`.
    cmap, vmin, vmax, fmt
        As in :func:`~cnnedu.viz.pool.draw_pool_input` (pass the input's limits).
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
    x = check_map(x2d, "x2d")
    cm, norm = cmap_and_norm(x, cmap, vmin, vmax)
    kh, kw = as_pair(size, "size")
    K = max(kh, kw, int(max_size or 0))
    cells = CellGrid(ax, (0, K), (0, K), borders=True)
    cells.set_scale(cm, norm)
    prepare_axes(ax, None)
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
    check_artists(artists, PoolWindowArtists, "draw_pool_window")
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
    check_artists(artists, PoolWindowArtists, "draw_pool_window")
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
    rgba = cell_colours(window, cfg)
    artists.cells.show(rgba)
    artists.outlines.set(winner=[] if winner is None else
                         [(winner[0] - top, winner[1] - left, 1, 1)])
    pad_label = "\u2212\u221e" if view["kind"] == "max" else "0"
    labels = [format_number(v, cfg["fmt"]) if cell_inside else pad_label
              for v, cell_inside in zip(window.ravel().tolist(), inside.ravel().tolist())]
    write_cell_labels(artists.labels, [(k % kw, k // kw) for k in range(kh * kw)], labels,
           rgba.reshape(-1, 4), cell_fontsize(ax, max(kh, kw), max(len(s) for s in labels)))
    if cfg["title"] is True:
        i, j = view["cell"]
        ax.set_title(f"window ({i}, {j}): {view['kind']} = "
                     f"{format_number(view['value'], cfg['fmt'])}")
    elif cfg["title"]:
        ax.set_title(cfg["title"])
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
    x = check_map(x2d, "x2d")
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
