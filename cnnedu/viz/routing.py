"""Drawing of the max-pooling routing explorer (:mod:`cnnedu.widgets.routing`).

:func:`routing_arrows` and :func:`set_routing` draw a line from each window to
the cell that receives its gradient. ``draw_maxpool_routing`` makes the
explorer's artists on a figure of :func:`cnnedu.viz.canvas.blit_figure` once
and lists the ones that change in ``fig.canvas.dynamic``;
``update_maxpool_routing`` sets them from the explorer's state (a dict of
:func:`cnnedu.explain.routing.maxpool_routing_view`) in place.
"""
from __future__ import annotations

from typing import NamedTuple

import matplotlib.colors as mcolors
import numpy as np
from matplotlib.collections import LineCollection

from .base import check_axes
from .panels import bare_axes, cell_outlines, fixed_box, set_cell_outlines, signed_map, spines, \
    update_signed_map
from .text import PanelTitles

__all__ = ["RoutingArtists", "routing_arrows", "set_routing", "draw_maxpool_routing",
           "update_maxpool_routing"]


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
    fig.canvas.dynamic = ([art["dy"], art["dx"]] + spines(ax_dx)
                          + [art["frame_dy"], art["windows"], art["windows_dx"], m.lines, m.dots,
                             r.lines, r.dots, *art["titles"].artists])
    return art


def update_maxpool_routing(art, state) -> None:
    """Show a state of :func:`cnnedu.explain.routing.maxpool_routing_view` in the artists of
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
