"""Drawing of the convolution-gradient explorer (:mod:`cnnedu.widgets.conv_backward`).

``draw_conv_backward`` makes the artists on a figure of
:func:`cnnedu.viz.canvas.blit_figure` once and lists the ones that change in
``fig.canvas.dynamic``; ``update_conv_backward`` sets them from the explorer's
state (a dict of :func:`cnnedu.explain.conv_backward.conv_backward_view`) in
place. A static artist that changes (the input, the kernel) invalidates the
cached background. Panels are built from :mod:`cnnedu.viz.panels`.
"""
from __future__ import annotations

import numpy as np

from .base import HIGHLIGHT_COLOR, IMAGE_CMAP, OKABE_ITO, SIGNED_CMAP, signed_cmap_limits
from .panels import (bare_axes, cell_outlines, fixed_box, invalidate, padded_cmap, padded_map,
                     same_image, set_cell_outlines, set_image, signed_map, spines,
                     update_signed_map, with_padding)
from .text import MINUS, PanelTitles, format_number

__all__ = ["PIXEL_COLOR", "draw_conv_backward", "update_conv_backward"]

#: outline of a chosen input pixel: bluish green of the Okabe-Ito palette
PIXEL_COLOR = OKABE_ITO["bluish green"]


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
    fig.canvas.dynamic = ([art["dy"], art["dx"], art["dw"]] + spines(ax_dx)
                          + [art[name] for name in outlines] + art["titles"].artists)
    return art


def _show_input(im, x, pad) -> bool:
    """Show ``x`` with ``pad`` zeros around it (grey, or signed colours); True if it changed."""
    lo, hi = (0.0, 1.0) if x.min() >= 0 and x.max() <= 1 else signed_cmap_limits(x)
    changed = im.get_clim() != (lo, hi)
    if changed:
        im.set_cmap(padded_cmap(IMAGE_CMAP if lo == 0.0 else SIGNED_CMAP))
        im.set_clim(lo, hi)
    shown = with_padding(x, (pad, pad))
    if not same_image(im, shown):
        set_image(im, shown)
        changed = True
    return changed


def update_conv_backward(art, state) -> None:
    """Show a state of :func:`cnnedu.explain.conv_backward.conv_backward_view` in the artists
    of :func:`draw_conv_backward`, in place."""
    x, w, s, p = state["input"], state["kernel"], state["stride"], state["padding"]
    (H, W), (KH, KW), (r, c) = x.shape, w.shape, state["pixel"]
    static = _show_input(art["input"], x, p)
    if not same_image(art["kernel"], w):
        update_signed_map(art["kernel"], w)
        static = True
    if static:
        invalidate(art["input"].figure)
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
