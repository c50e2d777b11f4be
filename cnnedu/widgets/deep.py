"""The explorers of the chapter "Going deeper".

- :func:`depth_explorer` -- depth and block type (plain or residual) -> the
  gradient norm reaching each layer at initialisation and the training curve;
- :func:`batch_norm_explorer` -- one channel's values in a mini-batch before
  and after batch normalization, per batch size, with the running estimates
  converging batch after batch.

Each is built in three layers: *compute* (:mod:`cnnedu.explain.deep`), *draw*
(:mod:`cnnedu.viz.deep`) and *caption* (the ``*_caption`` functions here).
"""
from __future__ import annotations

from functools import lru_cache

import ipywidgets as widgets
import numpy as np

from ..data import load_digits
from ..explain import deep as dx
from ..ops.pool import avg_pool2d
from ..viz.deep import draw_batch_norm, draw_depth, update_batch_norm, update_depth
from ._base import LABEL_STYLE, Explorer, new_figure
from ._recipe import recorded

__all__ = ["depth_explorer", "batch_norm_explorer"]

#: Batch sizes and steps the batch normalization explorer offers.
BATCH_SIZES = (2, 4, 16, 64)
STEPS = (1, 2, 3, 5, 10, 20, 50, 100, 200)


@lru_cache(maxsize=1)
def default_depth_runs() -> dict:
    """A small version of the chapter's experiment (300 digits, 2 epochs), for a
    builder called without runs; computed once per process."""
    X, y = load_digits("train")
    return dx.depth_runs((4, 8, 16), X[:300], y[:300], validation_data=(X[300:500], y[300:500]),
                         epochs=2, lr=0.02, batch_norm=True)


def depth_caption(run, other) -> str:
    """The caption (HTML) of the depth explorer for ``run`` and the ``other`` block type."""
    first, last = run.norms[0], run.norms[-1]
    lines = [f"<b>{run.block}</b>, {run.depth} convolutions after the stem "
             f"({run.params:,} parameters): at initialisation the gradient at the output of "
             f"the first convolution has norm {first:.3g}, at the last unit's {last:.3g} "
             f"(ratio {first / last:.2g})."]
    for r in (run, other):
        h = r.history
        val = (f", validation accuracy {h['val_accuracy'][-1]:.1%}"
               if "val_accuracy" in h else "")
        lines.append(f"{r.block}: training loss {h['loss'][0]:.3f} after epoch 1, "
                     f"{h['loss'][-1]:.3f} after epoch {len(h['loss'])}{val}.")
    return "<br>".join(lines)


@recorded
def depth_explorer(runs: dict | None = None, curve: str = "val_accuracy") -> Explorer:
    """Depth and block type -> gradient norm per layer at initialisation and the training curve.

    Parameters
    ----------
    runs : dict, optional
        ``{(block, depth): DepthRun}`` from :func:`cnnedu.explain.deep.depth_runs`,
        with both block types for every depth. Default: a small run computed
        once (300 training digits, 2 epochs, batch normalization).
    curve : str
        The history key the right panel shows (``'val_accuracy'``; ``'loss'``
        if the runs have no validation data).

    Returns
    -------
    Explorer
        Controls ``depth`` (Dropdown) and ``block`` (ToggleButtons); ``state()``
        holds the shown run's ``norms``, ``names`` and ``history``, and the
        other block type's as ``other_norms``, ``other_history``;
        ``explorer.runs`` is the dict of runs.
    """
    runs = default_depth_runs() if runs is None else dict(runs)
    blocks = sorted({b for b, _ in runs}, key=dx.BLOCK_TYPES.index)
    depths = sorted({d for _, d in runs})
    if set(blocks) != set(dx.BLOCK_TYPES) or any((b, d) not in runs
                                                for b in blocks for d in depths):
        raise ValueError(f"runs must hold both block types {dx.BLOCK_TYPES} for every depth, "
                         f"got {sorted(runs)}")
    if any(curve not in r.history for r in runs.values()):
        raise ValueError(f"curve must be a history key of every run, got {curve!r}; keys "
                         f"{sorted(next(iter(runs.values())).history)}")
    all_norms = np.concatenate([r.norms for r in runs.values()])
    all_curve = np.concatenate([r.history[curve] for r in runs.values()])
    norm_limits = (all_norms.min() / 2, all_norms.max() * 2)
    pad = 0.05 * (all_curve.max() - all_curve.min() or 1)
    curve_limits = (all_curve.min() - pad, all_curve.max() + pad)
    epochs = max(len(r.history[curve]) for r in runs.values())
    controls = {
        "depth": widgets.Dropdown(options=depths, value=depths[len(depths) // 2],
                                  description="depth", style=LABEL_STYLE),
        "block": widgets.ToggleButtons(options=blocks, value=blocks[0], description="block",
                                       style=LABEL_STYLE),
    }
    fig = new_figure(8.4, 3.0)
    artists = draw_depth(fig, max(int(r.positions[-1]) for r in runs.values()), epochs, curve)

    def update(depth, block):
        run = runs[(block, depth)]
        other = runs[(next(b for b in blocks if b != block), depth)]
        update_depth(artists, run, other, norm_limits, curve_limits)
        state = {"block": block, "depth": depth, "names": list(run.names),
                 "positions": run.positions.copy(), "norms": run.norms.copy(),
                 "history": dict(run.history), "other_norms": other.norms.copy(),
                 "other_history": dict(other.history)}
        return state, depth_caption(run, other)

    explorer = Explorer(controls, fig, update, layout=[["depth", "block"]],
                        title="Depth and block type: gradients at initialisation, and training")
    explorer.runs = runs
    return explorer


# ---------------------------------------------------------------------- batch normalization
def default_channel() -> np.ndarray:
    """The values the batch normalization explorer normalizes by default, (1000, 1, 7, 7).

    The ink of the first 1,000 shipped training digits averaged over 4 x 4
    blocks (7 x 7 per digit): a non-negative, skewed channel with many zeros,
    like a ReLU feature map deep in a network.
    """
    X, _ = load_digits("train")
    return avg_pool2d(X[:1000].astype(np.float64), 4)


def batch_norm_caption(state: dict) -> str:
    """The caption (HTML) of a state of :func:`cnnedu.explain.deep.batch_norm_view`."""
    t, m = state["step"], state["momentum"]
    k = t - 1
    left = m ** t
    return (f"Batch {t} of B = {state['batch_size']} samples ({state['batch_size']} &times; "
            f"49 values of the channel): batch mean {state['batch_mean'][k]:.3f}, variance "
            f"{state['batch_var'][k]:.3f}; over all samples {state['mean']:.3f} and "
            f"{state['var']:.3f}. Normalized with its own statistics the batch has mean "
            f"{state['out_mean_train']:.2f} and standard deviation "
            f"{state['out_std_train']:.2f} (training mode). The running estimates, after "
            f"{t} update{'s' if t > 1 else ''} with momentum {m}, are "
            f"{state['running_mean'][k]:.3f} and {state['running_var'][k]:.3f}: they still hold "
            f"{left:.0%} of their start (0 and 1), so normalized with them (inference mode) "
            f"the same batch has mean {state['out_mean_infer']:.2f} and standard deviation "
            f"{state['out_std_infer']:.2f}.")


@recorded
def batch_norm_explorer(x=None, momentum: float = 0.99, steps: int = 200) -> Explorer:
    """One channel before and after batch normalization, per batch size, and its running estimates.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W), optional
        Values of a batch normalization layer's input over many samples;
        channel 0 is shown. Default :func:`default_channel`.
    momentum : {0.9, 0.99}
        Initial value of the momentum control (Keras' convention).
    steps : int
        Batches drawn (the running-estimate panel's length), 200 by default.

    Returns
    -------
    Explorer
        Controls ``batch_size``, ``step`` (SelectionSlider of batch numbers)
        and ``momentum``; ``state()`` is the dict of
        :func:`cnnedu.explain.deep.batch_norm_view`, and
        ``explorer.view(batch_size, step, momentum)`` computes (and caches) that
        dict for any setting without moving the controls.
    """
    x = default_channel() if x is None else np.asarray(x, dtype=np.float64)
    if momentum not in (0.9, 0.99):
        raise ValueError(f"momentum must be 0.9 or 0.99, got {momentum!r}")
    steps = int(steps)
    offered = tuple(s for s in STEPS if s <= steps)
    sizes = tuple(b for b in BATCH_SIZES if b <= x.shape[0])
    if not offered or not sizes:
        raise ValueError(f"steps must be >= 1 and x must hold at least {BATCH_SIZES[0]} "
                         f"samples, got steps={steps} and {x.shape[0]} samples")

    @lru_cache(maxsize=None)
    def view(batch_size, step, m):
        return dx.batch_norm_view(x, batch_size, step, momentum=m, steps=steps)

    controls = {
        "batch_size": widgets.Dropdown(options=sizes, value=sizes[-2] if len(sizes) > 1
                                       else sizes[0], description="batch size B",
                                       style=LABEL_STYLE),
        "step": widgets.SelectionSlider(options=offered, value=offered[min(4, len(offered) - 1)],
                                        description="batch t", style=LABEL_STYLE),
        "momentum": widgets.Dropdown(options=(0.9, 0.99), value=momentum,
                                     description="momentum", style=LABEL_STYLE),
    }
    fig = new_figure(8.4, 2.9)
    first = view(controls["batch_size"].value, controls["step"].value, momentum)
    artists = draw_batch_norm(fig, first)

    def update(batch_size, step, momentum):
        state = view(batch_size, step, momentum)
        update_batch_norm(artists, state)
        return dict(state), batch_norm_caption(state)

    explorer = Explorer(controls, fig, update, layout=[["batch_size", "momentum"], ["step"]],
                        title="Batch normalization: one channel, batch by batch")
    explorer.view = view
    return explorer
