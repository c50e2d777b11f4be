"""Drawing of the kernel-learning explorer (:mod:`cnnedu.widgets.learn`) and of loss curves.

``draw_learn_kernel`` makes the artists on a figure of
:func:`cnnedu.viz.canvas.blit_figure` once and lists the ones that change in
``fig.canvas.dynamic``; ``update_learn_kernel`` sets them from the explorer's
state (a dict of :func:`cnnedu.explain.learn.learn_kernel_view`) in place. A
new target invalidates the cached background. :func:`draw_loss_curves` draws
the losses of several runs.
"""
from __future__ import annotations

import numpy as np
from matplotlib.collections import LineCollection

from .._checks import as_float_array
from .base import CATEGORICAL_COLORS, HIGHLIGHT_COLOR, check_axes
from .panels import bare_axes, invalidate, same_image, set_grid_labels, signed_map, \
    update_signed_map
from .text import LabelLayer, PanelTitles

__all__ = ["draw_loss_curves", "draw_learn_kernel", "update_learn_kernel"]


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
    """Show a state of :func:`cnnedu.explain.learn.learn_kernel_view` in the artists of
    :func:`draw_learn_kernel`, in place; ``run_losses`` (T + 1,) are the losses of the whole
    run (they set the loss axes) and ``steps`` the length of every run."""
    t, target = state["shown_step"], state["target"]
    if not same_image(art["target"], target):
        vmax = float(np.abs(target).max()) or 1.0
        update_signed_map(art["target"], target, vmax=vmax)
        art["prediction"].set_clim(-vmax, vmax)
        invalidate(art["target"].figure)
    _loss_axes(art, run_losses, steps)
    update_signed_map(art["prediction"], state["prediction"], vmax=art["target"].get_clim()[1])
    update_signed_map(art["kernel"], state["kernel"], vmax=art["hidden"].get_clim()[1])
    set_grid_labels(art["kernel_labels"], art["kernel"], state["kernel"])
    art["curve"].set_data(np.arange(t + 1), np.log10(state["losses"]))
    art["marker"].set_data([t], [np.log10(state["loss"])])
    art["titles"].set("target y = x ⋆ w*", f"prediction, step {t}", "hidden w*",
                      f"learned w, step {t}", f"loss {state['loss']:.3g} (log scale)")
