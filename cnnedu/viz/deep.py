"""Drawing for the chapter "Going deeper": gradient norms per layer, curves, batch statistics.

- :func:`plot_gradient_norms` and :func:`plot_curves` -- static figures of
  the depth experiment (:func:`cnnedu.explain.deep.depth_runs`);
- ``draw_depth`` / ``update_depth`` -- the depth explorer's two panels, drawn
  once and then updated in place;
- ``draw_batch_norm`` / ``update_batch_norm`` -- the batch normalization
  explorer's three panels (state: :func:`cnnedu.explain.deep.batch_norm_view`).
"""
from __future__ import annotations

import numpy as np

from .base import CATEGORICAL_COLORS, check_axes

__all__ = ["plot_gradient_norms", "plot_curves", "draw_depth", "update_depth",
           "draw_batch_norm", "update_batch_norm"]

GREY = "0.6"


def _colour(k: int) -> str:
    return CATEGORICAL_COLORS[k % len(CATEGORICAL_COLORS)]


def plot_gradient_norms(ax, runs, title=None):
    """One line per run: the gradient norm at each unit's output, input to output (log scale).

    ``runs`` is a list of :class:`~cnnedu.explain.deep.DepthRun`; the lines
    are labelled by block type and depth.
    """
    check_axes(ax)
    for k, run in enumerate(runs):
        ax.plot(run.positions, run.norms, marker="o", ms=3, lw=1.4,
                color=_colour(k), label=f"{run.block} {run.depth}")
    ax.set_yscale("log")
    ax.set_xlabel("convolutions from the input")
    ax.set_ylabel("‖∂L/∂h‖ at initialisation")
    ax.legend(frameon=False, fontsize=8)
    if title:
        ax.set_title(title, fontsize=10)


def plot_curves(ax, runs, key="loss", title=None):
    """One line per run: ``history[key]`` per epoch (``'loss'``, ``'val_accuracy'``, ...)."""
    check_axes(ax)
    for k, run in enumerate(runs):
        values = run.history[key]
        ax.plot(np.arange(1, len(values) + 1), values, marker="o", ms=3, lw=1.4,
                color=_colour(k), label=f"{run.block} {run.depth}")
    ax.set_xlabel("epoch")
    ax.set_ylabel(key.replace("_", " "))
    ax.legend(frameon=False, fontsize=8)
    if title:
        ax.set_title(title, fontsize=10)


# ---------------------------------------------------------------------- depth explorer
def draw_depth(fig, max_position: int, epochs: int, curve: str = "val_accuracy") -> dict:
    """The depth explorer's panels on ``fig``: gradient norms per layer, and a curve per epoch.

    Each panel has two lines, the chosen block type (coloured) and the other
    one at the same depth (grey, dashed), for comparison.
    """
    grad_ax, curve_ax = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.6, 1]})
    fig.subplots_adjust(left=0.09, right=0.98, bottom=0.2, top=0.86, wspace=0.3)
    (g_main,) = grad_ax.plot([], [], marker="o", ms=3, lw=1.6, color=_colour(0))
    (g_other,) = grad_ax.plot([], [], marker="o", ms=2, lw=1.0, ls="--", color=GREY)
    grad_ax.set_yscale("log")
    grad_ax.set_xlim(0.5, max_position + 0.5)
    grad_ax.set_xlabel("convolutions from the input")
    grad_ax.set_ylabel("‖∂L/∂h‖ at init")
    (c_main,) = curve_ax.plot([], [], marker="o", ms=3, lw=1.6, color=_colour(0))
    (c_other,) = curve_ax.plot([], [], marker="o", ms=2, lw=1.0, ls="--", color=GREY)
    curve_ax.set_xlim(0.8, epochs + 0.2)
    curve_ax.set_xticks(np.arange(1, epochs + 1))
    curve_ax.set_xlabel("epoch")
    curve_ax.set_ylabel(curve.replace("_", " "))
    return {"grad_ax": grad_ax, "curve_ax": curve_ax, "g_main": g_main, "g_other": g_other,
            "c_main": c_main, "c_other": c_other, "curve": curve}


def update_depth(artists: dict, run, other, norm_limits, curve_limits) -> None:
    """Show ``run`` (coloured) and ``other`` (grey) in the panels of :func:`draw_depth`."""
    for line, r in ((artists["g_main"], run), (artists["g_other"], other)):
        line.set_data(r.positions, r.norms)
    key = artists["curve"]
    for line, r in ((artists["c_main"], run), (artists["c_other"], other)):
        values = r.history[key]
        line.set_data(np.arange(1, len(values) + 1), values)
    artists["grad_ax"].set_ylim(*norm_limits)
    artists["curve_ax"].set_ylim(*curve_limits)
    artists["grad_ax"].set_title(f"{run.block} (colour) and {other.block} (grey), depth "
                                 f"{run.depth}", fontsize=9)
    artists["curve_ax"].set_title(f"{key.replace('_', ' ')} per epoch", fontsize=9)


# ---------------------------------------------------------------------- batch norm explorer
def draw_batch_norm(fig, state: dict) -> dict:
    """The batch normalization explorer's three panels on ``fig``, for a first ``state``."""
    raw_ax, out_ax, run_ax = fig.subplots(1, 3, gridspec_kw={"width_ratios": [1, 1, 1.2]})
    fig.subplots_adjust(left=0.06, right=0.98, bottom=0.2, top=0.85, wspace=0.35)
    a = {"raw_ax": raw_ax, "out_ax": out_ax, "run_ax": run_ax}
    a["all"] = raw_ax.stairs(state["hist_all"], state["edges_in"], color=GREY, lw=1.0,
                             label="all samples")
    a["raw"] = raw_ax.stairs(state["hist_in"], state["edges_in"], fill=True, alpha=0.6,
                             color=_colour(0), label="this batch")
    a["raw_mean"] = raw_ax.axvline(0, color=_colour(0), lw=1.2)
    a["run_mean_line"] = raw_ax.axvline(0, color=_colour(2), lw=1.2, ls="--")
    raw_ax.set_xlabel("channel value x")
    raw_ax.set_yticks([])
    raw_ax.legend(frameon=False, fontsize=7, loc="upper right")
    a["train"] = out_ax.stairs(state["hist_train"], state["edges_out"], fill=True, alpha=0.6,
                               color=_colour(0), label="batch statistics (training)")
    a["infer"] = out_ax.stairs(state["hist_infer"], state["edges_out"], color=_colour(2),
                               lw=1.4, label="running estimates (inference)")
    out_ax.set_xlabel("normalized x̂")
    out_ax.set_yticks([])
    out_ax.legend(frameon=False, fontsize=7, loc="upper right")
    steps = np.arange(1, state["steps"] + 1)
    a["b_mean"] = run_ax.plot(steps, state["batch_mean"], ".", ms=2, color=_colour(0))[0]
    a["r_mean"] = run_ax.plot(steps, state["running_mean"], lw=1.4, color=_colour(0),
                              label="running mean")[0]
    a["b_var"] = run_ax.plot(steps, state["batch_var"], ".", ms=2, color=_colour(1))[0]
    a["r_var"] = run_ax.plot(steps, state["running_var"], lw=1.4, color=_colour(1),
                             label="running variance")[0]
    a["p_mean"] = run_ax.axhline(state["mean"], color=_colour(0), lw=0.8, ls=":",
                                 label="all samples (dotted)")
    a["p_var"] = run_ax.axhline(state["var"], color=_colour(1), lw=0.8, ls=":")
    a["now"] = run_ax.axvline(state["step"], color=GREY, lw=1.0)
    run_ax.set_xscale("log")
    run_ax.set_xlabel("batch t (log scale)")
    run_ax.legend(frameon=False, fontsize=7, loc="upper right")
    update_batch_norm(a, state)
    return a


def _top(*histograms) -> tuple[float, bool]:
    """A y-limit for histograms on the same bins: above every bar, unless one bin (a
    spike of zeros, say) is more than 3 times the tallest of the other bins; then
    above those (the spike is cut)."""
    tallest = max(float(np.max(h)) for h in histograms)
    if tallest <= 0:
        return 1.0, False
    others = max((float(np.max(np.delete(h, np.argmax(h)))) if np.size(h) > 1 else 0.0)
                 for h in histograms)
    if 0 < others and tallest > 3 * others:
        return 1.15 * others, True
    return 1.15 * tallest, False


def update_batch_norm(a: dict, state: dict) -> None:
    """Set the panels of :func:`draw_batch_norm` to ``state`` (same ``steps``)."""
    t = state["step"] - 1
    a["raw"].set_data(state["hist_in"], state["edges_in"])
    a["all"].set_data(state["hist_all"], state["edges_in"])
    a["raw_mean"].set_xdata([state["batch_mean"][t]] * 2)
    a["run_mean_line"].set_xdata([state["running_mean"][t]] * 2)
    top, cut = _top(state["hist_in"], state["hist_all"])
    a["raw_ax"].set_xlim(state["edges_in"][0], state["edges_in"][-1])
    a["raw_ax"].set_ylim(0, top)
    a["raw_ax"].set_title(f"batch {t + 1}: B = {state['batch_size']}, mean "
                          f"{state['batch_mean'][t]:.2f}" + (" (tallest bar cut)" if cut else ""),
                          fontsize=9)
    a["train"].set_data(state["hist_train"], state["edges_out"])
    a["infer"].set_data(state["hist_infer"], state["edges_out"])
    top, _ = _top(state["hist_train"], state["hist_infer"])
    a["out_ax"].set_xlim(-4, 4)
    a["out_ax"].set_ylim(0, top)
    a["out_ax"].set_title(f"std {state['out_std_train']:.2f} (batch) vs "
                          f"{state['out_std_infer']:.2f} (running)", fontsize=9)
    steps = np.arange(1, state["steps"] + 1)
    for key in ("b_mean", "r_mean", "b_var", "r_var"):
        a[key].set_data(steps, state[{"b_mean": "batch_mean", "r_mean": "running_mean",
                                      "b_var": "batch_var", "r_var": "running_var"}[key]])
    a["p_mean"].set_ydata([state["mean"]] * 2)
    a["p_var"].set_ydata([state["var"]] * 2)
    a["now"].set_xdata([state["step"]] * 2)
    values = np.concatenate([state["batch_mean"], state["batch_var"], state["running_mean"],
                             state["running_var"], [state["mean"], state["var"]]])
    lo, hi = float(values.min()), float(values.max())
    pad = 0.05 * (hi - lo if hi > lo else 1)
    a["run_ax"].set_xlim(0.8, state["steps"] * 1.2)
    a["run_ax"].set_ylim(lo - pad, hi + pad)
    a["run_ax"].set_title(f"running estimates, momentum {state['momentum']}",
                          fontsize=9)
