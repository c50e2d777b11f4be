"""The explorer of gradient descent learning a kernel.

:func:`learn_kernel_explorer` -- gradient descent recovers a hidden Sobel
kernel from (input, output) pairs; a step slider replays the run.

It is built in three layers: *compute*
(:func:`cnnedu.explain.learn.learn_kernel_view` of a run of
:func:`cnnedu.explain.learn.learn_kernel`), *draw* (``draw_learn_kernel`` /
``update_learn_kernel`` of :mod:`cnnedu.viz.learn`) and *caption*
(:func:`learn_kernel_caption` here: a pure function, state -> HTML).
"""
from __future__ import annotations

from functools import lru_cache

import ipywidgets as widgets

from .. import samples
from ..explain import learn as lx
from ..viz.canvas import blit_figure
from ..viz.learn import draw_learn_kernel, update_learn_kernel
from ._base import LABEL_STYLE, Explorer, int_slider
from ._recipe import recorded

#: the builders (the captions are public too, but ``__all__`` lists only what
#: :mod:`cnnedu.widgets._registry` may call as an explorer)
__all__ = ["learn_kernel_explorer"]



def _sci(v: float) -> str:
    """5.2e+06 -> '5.2&times;10<sup>6</sup>' (HTML)."""
    mantissa, exponent = f"{v:.1e}".split("e")
    return f"{mantissa}&times;10<sup>{int(exponent)}</sup>"



def learn_kernel_caption(state: dict, steps: int) -> str:
    """The caption (HTML) of a state of :func:`cnnedu.explain.learn.learn_kernel_view`
    for runs of ``steps`` steps."""
    t, lr, loss, limit = state["shown_step"], state["lr"], state["loss"], state["lr_limit"]
    lam_min, lam_max, last = state["lam_min"], state["lam_max"], state["stopped_at"]
    lines = [f"Step {t} of {steps}: loss {loss:.3g} (it was {state['losses'][0]:.3g} at step 0). "
             f"The loss is quadratic in the {state['hidden'].size} weights, with curvatures "
             f"(Hessian eigenvalues) from &lambda;<sub>min</sub> = {lam_min:.3g} to "
             f"&lambda;<sub>max</sub> = {lam_max:.3g}: plain gradient descent converges "
             f"for &eta; &lt; 2/&lambda;<sub>max</sub> = {limit:.3g}."]
    factor = f"|1 &minus; &eta;&lambda;<sub>max</sub>| = {abs(1 - lr * lam_max):.2f}"
    if state["diverged"]:
        lines.append(
            f"<b>Diverged: the loss grew {_sci(state['growth'])}-fold</b> by step {last}. The "
            f"step &eta; = {lr:.3g} is larger than 2/&lambda;<sub>max</sub> = {limit:.3g}, so "
            f"along the steepest direction each step overshoots the minimum and multiplies "
            f"the error by {factor} &gt; 1"
            + ("" if state["lam_fast"] == lam_max else
               " (the starting error has no part along that direction: the growth starts "
               "from round-off, so the loss falls at first)")
            + f". The run was stopped at step {last} "
            f"before the numbers overflow" + (f"; steps after {last} show step {last}."
                                              if state["step"] > last else "."))
    elif lr > limit:
        lines.append(f"&eta; = {lr:.3g} is above 2/&lambda;<sub>max</sub> = {limit:.3g}: "
                     f"the error along the steepest direction grows by {factor}"
                     " per step; the loss falls at first, then grows without bound.")
    else:
        slow = state["lam_slow"]
        note = ("" if slow == lam_min else
                f"The starting error has no part along the flatter directions, so the "
                f"slowest curvature that matters is &lambda; = {slow:.3g}. ")
        where = "that direction" if note else "the flattest direction"
        lines.append(f"{note}Along {where} each step keeps a fraction "
                     f"1 &minus; &eta;&lambda; = {1 - lr * slow:.3f} of the "
                     "error, which is why the curve flattens out before the kernel is exact.")
    return "<br>".join(lines)


@recorded
def learn_kernel_explorer(source: str = "digits", lr: float = 1.0, steps: int = 100,
                          hidden: str = "sobel_x") -> Explorer:
    """Gradient descent recovers a hidden kernel from (input, output) pairs.

    The targets are 8 inputs (``samples.digits(8, 'train')`` or
    ``samples.photo_crops(8)``, see :mod:`cnnedu.samples`) cross-correlated
    with a hidden kernel (Sobel x); starting from a kernel of zeros,
    :func:`cnnedu.explain.learn.learn_kernel` takes ``steps`` steps
    of plain gradient descent on the mean squared error. The whole run is
    computed once per (data, learning rate) and cached, so the step slider
    (and its Play button) only redraws. Panels: the target for the first
    input, the prediction at the chosen step, the hidden kernel, the learned
    kernel and the loss curve up to that step.

    A learning rate above ``2 / lambda_max`` (the largest curvature of this
    quadratic loss) makes the loss grow; the run stops when it has grown a
    million-fold, and the caption says so.

    Parameters
    ----------
    source : {'digits', 'photo'}
    lr : float
        Initial learning rate, between 0.01 and about 3.16 (log slider).
    steps : int
        Length of every run (the slider's range), 1 to 500.
    hidden : str
        Name of the hidden kernel (:func:`cnnedu.kernels.get_kernel`).

    Returns
    -------
    Explorer
        Controls ``data``, ``lr`` and ``step``; ``explorer.play`` (an
        ``ipywidgets.Play`` linked to ``step`` in the browser by
        ``explorer.play_link``); ``explorer.runs``, the memoised
        ``runs(data, lr)`` (its ``cache_info()`` counts the runs computed).
        ``state()`` is :func:`cnnedu.explain.learn.learn_kernel_view`'s dict.
    """
    if source not in ("digits", "photo"):
        raise ValueError(f"source must be 'digits' or 'photo', got {source!r}")
    steps = int(steps)
    if not 1 <= steps <= 500:
        raise ValueError(f"steps must be between 1 and 500, got {steps}")

    @lru_cache(maxsize=None)
    def problem(data):
        inputs = samples.digits(8, "train") if data == "digits" else samples.photo_crops(8)
        return lx.kernel_problem(inputs, hidden=hidden)

    @lru_cache(maxsize=None)
    def runs(data, rate):                     # rate rounded as the slider shows it
        return lx.learn_kernel(problem(data), rate, steps)

    controls = {
        "data": widgets.Dropdown(options=[("digits", "digits"), ("photo crops", "photo")],
                                 value=source, description="data", style=LABEL_STYLE),
        "lr": widgets.FloatLogSlider(value=lr, base=10, min=-2, max=0.5, step=0.125,
                                     readout_format=".3g", description="learning rate η",
                                     style=LABEL_STYLE),
        "step": int_slider(steps, 0, steps, "step"),
    }
    fig = blit_figure(9.4, 2.8)
    artists = draw_learn_kernel(fig, problem(source).targets[0, 0], problem(source).hidden)

    def update(data, lr, step):
        run = runs(data, float(f"{lr:.6g}"))
        state = lx.learn_kernel_view(problem(data), run, data, lr, step)
        update_learn_kernel(artists, state, run.losses, steps)
        return state, learn_kernel_caption(state, steps)

    explorer = Explorer(controls, fig, update, layout=[["data", "lr"], ["step"]],
                        title=f"Learn a kernel: gradient descent recovers the hidden {hidden}")
    explorer.bind_play("step", interval=150)
    explorer.runs = runs
    explorer.artists = artists
    return explorer
