"""Explorers of the backpropagation chapter.

* :func:`conv_backward_explorer` -- the gradients a convolution sends back:
  ``dL/dy``, ``dL/dx`` and ``dL/dw`` for the loss "one output cell" or "sum of
  all cells", with the output cells and kernel taps that meet a chosen input
  pixel outlined.
* :func:`learn_kernel_explorer` -- gradient descent recovers a hidden Sobel
  kernel from (input, output) pairs; a step slider replays the run.
* :func:`maxpool_routing_explorer` -- where max pooling sends the gradient of
  each pooled cell.

Each is built in three layers: *compute* (:func:`cnnedu.explain.backprop.conv_backward_view`,
:func:`~cnnedu.explain.backprop.learn_kernel_view`,
:func:`~cnnedu.explain.backprop.maxpool_routing_view`, built on
:func:`cnnedu.ops.conv.conv2d_backward` and :func:`cnnedu.ops.pool.max_pool2d_backward`),
*draw* (``draw_*`` / ``update_*`` of :mod:`cnnedu.viz.backprop`) and *caption*
(:func:`conv_backward_caption`, :func:`learn_kernel_caption`,
:func:`maxpool_routing_caption` here: pure functions, state -> HTML).
"""
from __future__ import annotations

import html
from functools import lru_cache, partial

import ipywidgets as widgets
import numpy as np

from .. import samples
from ..explain import backprop as bx
from ..kernels import get_kernel
from ..viz.backprop import (draw_conv_backward, draw_learn_kernel, draw_maxpool_routing,
                            update_conv_backward, update_learn_kernel, update_maxpool_routing)
from ..viz.canvas import blit_figure
from ..viz.text import format_number
from ._base import Explorer

#: the builders (the captions are public too, but ``__all__`` lists only what
#: :mod:`cnnedu.widgets._registry` may call as an explorer)
__all__ = ["conv_backward_explorer", "learn_kernel_explorer", "maxpool_routing_explorer"]

_STYLE = dict(description_width="initial")

#: a number in a caption (HTML): ``_html_number(v, fmt='{:.2f}')``
_html_number = partial(format_number, minus="&minus;")


def _sci(v: float) -> str:
    """5.2e+06 -> '5.2&times;10<sup>6</sup>' (HTML)."""
    mantissa, exponent = f"{v:.1e}".split("e")
    return f"{mantissa}&times;10<sup>{int(exponent)}</sup>"


def _slider(value, lo, hi, description):
    return widgets.IntSlider(value=value, min=lo, max=hi, description=description, style=_STYLE)


# ======================================================================
# 1. Gradients of a convolution
# ======================================================================

def _default_inputs():
    rng = np.random.default_rng(0)
    return {"digit crop": samples.digit(0, "train", top=4, left=9, size=10),
            "random": rng.standard_normal((10, 10))}


def _default_kernels():
    return {"sobel_x": get_kernel("sobel_x"), "laplacian_4": get_kernel("laplacian_4"),
            "gaussian_3x3": get_kernel("gaussian_3x3"), "box_blur_5x5": get_kernel("box_blur_5x5"),
            "1..9 (3×3)": np.arange(1.0, 10.0).reshape(3, 3),
            "1..4 (2×2)": np.arange(1.0, 5.0).reshape(2, 2)}


def _check_arrays(arrays, name):
    if not isinstance(arrays, dict) or not arrays:
        raise TypeError(f"{name} must be a non-empty dict name -> 2-D array, got {arrays!r}")
    out = {}
    for key, a in arrays.items():
        arr = np.array(a, dtype=np.float64)
        if arr.ndim != 2 or min(arr.shape) < 1 or max(arr.shape) > 16:
            raise ValueError(f"{name}[{key!r}] must be a 2-D array of at most 16x16, "
                             f"got shape {arr.shape}")
        out[str(key)] = arr
    return out


def _sum_terms(pairs, dy, w, limit=6) -> str:
    """'dy[0, 1]·w[2, 1] + ...' with numbers, for the caption."""
    terms = [f"{_html_number(dy[i, j], '{:g}')}·{_html_number(w[u, v], '{:.3g}')}"
             for i, j, u, v in pairs if dy[i, j] != 0]
    if not terms:
        return "0"
    more = len(terms) - limit
    text = " + ".join(terms[:limit])
    return text + (f" + &hellip; ({more} more)" if more > 0 else "")


def conv_backward_caption(state: dict) -> str:
    """The caption (HTML) of a state of :func:`cnnedu.explain.backprop.conv_backward_view`."""
    if not state["valid"]:
        return (f"<b>No output</b>: {html.escape(state['problem'])} Choose a smaller kernel, "
                "or add padding.")
    x, w, s, p, cell = (state[k] for k in ("input", "kernel", "stride", "padding", "cell"))
    H, KH, (OH, OW), (r, c) = len(x), len(w), state["output_size"], state["pixel"]
    loss = float(state["y"].sum()) if cell is None else float(state["y"][cell])
    lines = [f"Output size: O<sub>H</sub> = &lfloor;(H + 2p &minus; K<sub>H</sub>) / s&rfloor; "
             f"+ 1 = &lfloor;({H} + 2&middot;{p} &minus; {KH}) / {s}&rfloor; + 1 = <b>{OH}</b>, "
             f"O<sub>W</sub> = <b>{OW}</b>."]
    if cell is None:
        lines.append(f"L = &Sigma; y = {_html_number(loss)}: &part;L/&part;y = 1 everywhere, so "
                     "&part;L/&part;x[r, c] adds up the kernel taps that meet pixel (r, c) and "
                     "&part;L/&part;w[u, v] adds up the input pixels that tap (u, v) meets.")
    else:
        lines.append(f"L = y[{cell[0]}, {cell[1]}] = {_html_number(loss)}: &part;L/&part;y is 1 "
                     f"at ({cell[0]}, {cell[1]}) and 0 elsewhere, so &part;L/&part;x is the "
                     "kernel laid on that cell's window (orange; the part on the padding is "
                     "dropped) and &part;L/&part;w is the window of the padded input.")
    pairs, dy = state["pairs"], state["dy"]
    met = (f"Pixel ({r}, {c}) (green) meets {len(pairs)} (output cell, tap) "
           f"pair{'s' if len(pairs) > 1 else ''}")
    if len(pairs) and np.any(dy[state["outputs"]] != 0):
        lines.append(f"{met}: &part;L/&part;x[{r}, {c}] = &Sigma; dy[i, j]&middot;w[u, v] = "
                     f"{_sum_terms(pairs, dy, w)} = {_html_number(state['dx'][r, c])}.")
    elif len(pairs):
        lines.append(f"{met}, but dy is 0 at all of those cells: &part;L/&part;x[{r}, {c}] = 0.")
    return "<br>".join(lines + state["notes"])


def conv_backward_explorer(inputs=None, kernels=None, kernel: str = "sobel_x", stride: int = 1,
                           padding: int = 0, loss: str = "cell") -> Explorer:
    """The gradients a convolution sends back, for one output cell or for all of them.

    ``y = conv2d(x, w, stride, padding)`` for one grey image ``x`` and one
    kernel ``w``; the loss is either one output cell, ``L = y[i, j]`` (so
    ``dL/dy`` is one-hot), or the sum of all cells, ``L = sum(y)`` (so
    ``dL/dy`` is all ones). Five panels: the input (padding in pale blue;
    in grey around a signed input, drawn with the diverging map), the
    kernel, ``dL/dy``, ``dL/dx`` and ``dL/dw``, all computed by
    :func:`cnnedu.ops.conv.conv2d_backward`. A chosen input pixel (green) is
    traced: the output cells whose window contains it and the kernel taps
    that meet it are outlined in green, and the caption writes
    ``dL/dx[r, c]`` as the sum of ``dy[i, j]·w[u, v]`` over those pairs. In
    one-cell mode the window of the chosen output cell is outlined in orange.

    Parameters
    ----------
    inputs : dict name -> array (H, W), optional
        Images to choose from (at most 16x16); default a 10x10 crop of a
        digit and 10x10 random numbers.
    kernels : dict name -> array (KH, KW), optional
        Kernels to choose from; default Sobel x, Laplacian, Gaussian 3x3,
        box blur 5x5 and the asymmetric kernels 1..9 (3x3) and 1..4 (2x2).
    kernel : str
        The initial kernel's name.
    stride, padding : int
        Initial stride (1 to 12) and padding (0 to 3).
    loss : {'cell', 'sum'}

    Returns
    -------
    Explorer
        Controls ``input``, ``kernel``, ``loss``, ``stride``, ``padding``,
        ``cell`` (output cell in reading order, ``i * OW + j``; its range
        follows the output, disabled for the sum or when there is none) and
        ``pixel`` (input pixel, ``r * W + c``; its range follows the input).
        ``state()`` is :func:`cnnedu.explain.backprop.conv_backward_view`'s
        dict; ``explorer.artists`` those of
        :func:`cnnedu.viz.backprop.draw_conv_backward`.
    """
    inputs = _check_arrays(_default_inputs() if inputs is None else inputs, "inputs")
    kernels = _check_arrays(_default_kernels() if kernels is None else kernels, "kernels")
    if kernel not in kernels:
        raise ValueError(f"kernel must be one of {list(kernels)}, got {kernel!r}")
    if loss not in bx.CONV_LOSSES:
        raise ValueError(f"loss must be 'cell' or 'sum', got {loss!r}")
    first = next(iter(inputs.values()))
    H0, W0 = first.shape
    controls = {
        "input": widgets.Dropdown(options=list(inputs), description="input x", style=_STYLE),
        "kernel": widgets.Dropdown(options=list(kernels), value=kernel, description="kernel w",
                                   style=_STYLE),
        "loss": widgets.ToggleButtons(options=[("L = one cell y[i, j]", "cell"),
                                               ("L = sum of all cells", "sum")],
                                      value=loss, description="loss", style=_STYLE),
        "stride": _slider(stride, 1, 12, "stride s"),
        "padding": _slider(padding, 0, 3, "padding p"),
        "cell": _slider(0, 0, 0, "output cell i·OW + j"),
        "pixel": _slider((H0 // 2) * W0 + W0 // 2, 0, H0 * W0 - 1, "input pixel r·W + c"),
    }
    fig = blit_figure(10, 2.9)
    artists = draw_conv_backward(fig, first, kernels[kernel])

    def update(input, kernel, loss, stride, padding, cell, pixel):
        state = bx.conv_backward_view(inputs[input], kernels[kernel], stride, padding, loss,
                                      cell, pixel)
        update_conv_backward(artists, state)
        return state, conv_backward_caption(state)

    ranges = {"pixel": lambda v: inputs[v["input"]].size - 1,
              "cell": lambda v: bx.output_cell_range(inputs[v["input"]].shape,
                                                     kernels[v["kernel"]].shape, v["stride"],
                                                     v["padding"], v["loss"])}
    explorer = Explorer(controls, fig, update, ranges=ranges,
                        layout=[["input", "kernel", "loss"], ["stride", "padding"],
                                ["cell", "pixel"]],
                        title="Backward through a convolution: dL/dy, dL/dx and dL/dw")
    explorer.artists = artists
    return explorer


# ======================================================================
# 2. Learning a kernel by gradient descent
# ======================================================================

def learn_kernel_caption(state: dict, steps: int) -> str:
    """The caption (HTML) of a state of :func:`cnnedu.explain.backprop.learn_kernel_view`
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
            f"the error by {factor} &gt; 1. The run was stopped at step {last} "
            f"before the numbers overflow" + (f"; steps after {last} show step {last}."
                                              if state["step"] > last else "."))
    elif lr > limit:
        lines.append(f"&eta; = {lr:.3g} is above 2/&lambda;<sub>max</sub> = {limit:.3g}: "
                     f"the error along the steepest direction grows by {factor}"
                     " per step; the loss falls at first, then grows without bound.")
    else:
        lines.append(f"Along the flattest direction each step keeps a fraction "
                     f"1 &minus; &eta;&lambda;<sub>min</sub> = {1 - lr * lam_min:.3f} of the "
                     "error, which is why the curve flattens out before the kernel is exact.")
    return "<br>".join(lines)


def learn_kernel_explorer(source: str = "digits", lr: float = 1.0, steps: int = 100,
                          hidden: str = "sobel_x") -> Explorer:
    """Gradient descent recovers a hidden kernel from (input, output) pairs.

    The targets are 8 inputs (``samples.digits(8, 'train')`` or
    ``samples.photo_crops(8)``, see :mod:`cnnedu.samples`) cross-correlated
    with a hidden kernel (Sobel x); starting from a kernel of zeros,
    :func:`cnnedu.explain.backprop.learn_kernel` takes ``steps`` steps
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
        ``state()`` is :func:`cnnedu.explain.backprop.learn_kernel_view`'s dict.
    """
    if source not in ("digits", "photo"):
        raise ValueError(f"source must be 'digits' or 'photo', got {source!r}")
    steps = int(steps)
    if not 1 <= steps <= 500:
        raise ValueError(f"steps must be between 1 and 500, got {steps}")

    @lru_cache(maxsize=None)
    def problem(data):
        inputs = samples.digits(8, "train") if data == "digits" else samples.photo_crops(8)
        return bx.kernel_problem(inputs, hidden=hidden)

    @lru_cache(maxsize=None)
    def runs(data, rate):                     # rate rounded as the slider shows it
        return bx.learn_kernel(problem(data), rate, steps)

    controls = {
        "data": widgets.Dropdown(options=[("digits", "digits"), ("photo crops", "photo")],
                                 value=source, description="data", style=_STYLE),
        "lr": widgets.FloatLogSlider(value=lr, base=10, min=-2, max=0.5, step=0.125,
                                     readout_format=".3g", description="learning rate η",
                                     style=_STYLE),
        "step": _slider(steps, 0, steps, "step"),
    }
    fig = blit_figure(10, 2.8)
    artists = draw_learn_kernel(fig, problem(source).targets[0, 0], problem(source).hidden)

    def update(data, lr, step):
        run = runs(data, float(f"{lr:.6g}"))
        state = bx.learn_kernel_view(problem(data), run, data, lr, step)
        update_learn_kernel(artists, state, run.losses, steps)
        return state, learn_kernel_caption(state, steps)

    explorer = Explorer(controls, fig, update, layout=[["data", "lr"], ["step"]],
                        title=f"Learn a kernel: gradient descent recovers the hidden {hidden}")
    explorer.bind_play("step", interval=150)
    explorer.runs = runs
    explorer.artists = artists
    return explorer


# ======================================================================
# 3. Max pooling routes the gradient
# ======================================================================

def maxpool_routing_caption(state: dict) -> str:
    """The caption (HTML) of a state of :func:`cnnedu.explain.backprop.maxpool_routing_view`."""
    if not state["valid"]:
        return f"<b>No output</b>: {html.escape(state['problem'])}. Make the window smaller."
    (H, W), k, s = state["input"].shape, state["size"], state["stride"]
    (oh, ow), wins, ties = state["output_size"], state["wins"], state["ties"]
    receiving = int(np.count_nonzero(wins))
    lines = [f"Output size: O<sub>H</sub> = &lfloor;(H &minus; k) / s&rfloor; + 1 = "
             f"&lfloor;({H} &minus; {k}) / {s}&rfloor; + 1 = <b>{oh}</b>, "
             f"O<sub>W</sub> = <b>{ow}</b>.",
             ("The window sends" if oh * ow == 1 else f"Each of the {oh * ow} windows sends")
             + " its whole gradient dy[i, j] to the cell holding its maximum (dot); the other "
             f"cells of the window get 0 from it. {receiving} of the {H * W} input cells "
             f"receive{'s' if receiving == 1 else ''} a gradient, {H * W - receiving} get 0."]
    most = int(wins.max())
    if most > 1:
        lines.append(f"The windows overlap (stride {s} &lt; window {k}): "
                     f"{int(np.count_nonzero(wins > 1))} cells win several windows (up "
                     f"to {most}) and add up their gradients.")
    if ties:
        lines.append(f"{ties} window{'s have' if ties > 1 else ' has'} a tie for the "
                     "maximum: the first maximum in reading order takes the gradient.")
    if s > k:
        lines.append(f"The stride ({s}) is larger than the window ({k}): cells between "
                     "windows are never pooled and get zero gradient.")
    once = [name for name, o, n in (("down", oh, H), ("across", ow, W))
            if o == 1 and k < n < k + s]
    if once:
        lines.append(f"The stride ({s}) leaves no room for a second window "
                     f"{' or '.join(once)}: one window only, and the rest of the map gets "
                     "zero gradient.")
    return "<br>".join(lines)


def maxpool_routing_explorer(feature_map=None, size: int = 2, stride: int = 2,
                             upstream: str = "ones") -> Explorer:
    """Where max pooling sends the gradient of each pooled cell.

    Three panels: the feature map with every window outlined and each
    window's maximum marked; the upstream gradient ``dL/dy`` (all ones, or
    random numbers); and ``dL/dx`` from
    :func:`cnnedu.ops.pool.max_pool2d_backward`, with a line from the centre
    of each window to the cell that receives its gradient.

    Parameters
    ----------
    feature_map : array_like (H, W), optional
        At most 16x16; default a 12x12 crop of the Sobel x response of a
        digit (``samples.edge_map(samples.digit(1), top=7, left=6, size=12)``).
    size, stride : int
        Initial window size (1 to 6) and stride (1 to H + 1).
    upstream : {'ones', 'random'}

    Returns
    -------
    Explorer
        Controls ``size``, ``stride``, ``upstream``. ``state()`` is
        :func:`cnnedu.explain.backprop.maxpool_routing_view`'s dict;
        ``explorer.artists`` those of :func:`cnnedu.viz.backprop.draw_maxpool_routing`.
    """
    if feature_map is None:
        feature_map = samples.edge_map(samples.digit(1), top=7, left=6, size=12)
    x = np.array(feature_map, dtype=np.float64)
    if x.ndim != 2 or min(x.shape) < 1 or max(x.shape) > 16:
        raise ValueError(f"feature_map must be a 2-D array of at most 16x16, got shape {x.shape}")
    if upstream not in bx.UPSTREAMS:
        raise ValueError(f"upstream must be 'ones' or 'random', got {upstream!r}")
    controls = {
        "size": _slider(size, 1, 6, "window k"),
        "stride": _slider(stride, 1, max(x.shape) + 1, "stride s"),
        "upstream": widgets.ToggleButtons(options=[("dL/dy = all ones", "ones"),
                                                   ("dL/dy random", "random")],
                                          value=upstream, description="upstream",
                                          style=_STYLE),
    }
    fig = blit_figure(9, 3.3)
    artists = draw_maxpool_routing(fig, x)

    def update(size, stride, upstream):
        state = bx.maxpool_routing_view(x, size, stride, upstream)
        update_maxpool_routing(artists, state)
        return state, maxpool_routing_caption(state)

    explorer = Explorer(controls, fig, update, layout=[["size", "stride", "upstream"]],
                        title="Max pooling routes each gradient to its window's maximum")
    explorer.artists = artists
    return explorer
