"""Explorers of the backpropagation chapter.

* :func:`conv_backward_explorer` -- the gradients a convolution sends back:
  ``dL/dy``, ``dL/dx`` and ``dL/dw`` for the loss "one output cell" or "sum of
  all cells", with the output cells and kernel taps that meet a chosen input
  pixel outlined.
* :func:`learn_kernel_explorer` -- gradient descent recovers a hidden Sobel
  kernel from (input, output) pairs; a step slider replays the run.
* :func:`maxpool_routing_explorer` -- where max pooling sends the gradient of
  each pooled cell.

The numbers come from :mod:`cnnedu.explain.backprop` (built on
:func:`cnnedu.ops.conv.conv2d_backward` and
:func:`cnnedu.ops.pool.max_pool2d_backward`), the pictures from
:mod:`cnnedu.viz.backprop`.
"""
from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np
from matplotlib.collections import LineCollection

from ..explain import backprop as bx
from ..explain.conv import geometry
from ..data import load_digits
from ..kernels import get_kernel
from ..explain.pool import digit_edge_map, pool_geometry_problem
from ..viz.base import HIGHLIGHT_COLOR, IMAGE_CMAP, SIGNED_CMAP, signed_cmap_limits
from ..viz.activation import blit_figure
from ..viz.backprop import (PIXEL_COLOR, bare_axes, cell_outlines, fixed_box, grid_labels,
                            padded_cmap, padded_map, panel_titles, routing_arrows,
                            set_cell_outlines, set_grid_labels, set_panel_titles, set_routing,
                            signed_map, update_padded_map, update_signed_map)
from ..viz.pool import CellLabels
from ._base import Explorer

__all__ = ["conv_backward_explorer", "learn_kernel_explorer", "maxpool_routing_explorer"]

_STYLE = dict(description_width="initial")


class _MutedExplorer(Explorer):
    """An Explorer whose update may change its own sliders' ranges without refreshing twice."""

    def __init__(self, *args, mute: dict, **kwargs):
        self._mute = mute
        super().__init__(*args, **kwargs)

    def _on_change(self, change):
        if not self._mute["on"]:
            super()._on_change(change)


def _set_range(mute: dict, control, top):
    """Give ``control`` the range 0..top (clamping its value), or disable it for ``top=None``."""
    mute["on"] = True
    try:
        control.disabled = top is None
        if top is not None:
            if control.value > top:
                control.value = top
            control.max = top
    finally:
        mute["on"] = False


def _n(v: float, fmt: str = "{:.2f}") -> str:
    text = fmt.format(v)
    if text.lstrip("-").strip("0.") == "":
        text = text.lstrip("-")
    return text.replace("-", "&minus;")


def _sci(v: float) -> str:
    """5.2e+06 -> '5.2&times;10<sup>6</sup>' (HTML)."""
    mantissa, exponent = f"{v:.1e}".split("e")
    return f"{mantissa}&times;10<sup>{int(exponent)}</sup>"


def _spines(*axes):
    return [spine for ax in axes for spine in ax.spines.values()]


def _place_play(explorer, control, play):
    row = next(c for c in explorer.children
               if isinstance(c, widgets.HBox) and control in c.children)
    row.children = (play,) + tuple(row.children)


# ======================================================================
# 1. Gradients of a convolution
# ======================================================================

def _default_inputs():
    X, _ = load_digits("train", dtype="float64")
    rng = np.random.default_rng(0)
    return {"digit crop": X[0, 0, 4:14, 9:19].copy(),
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
    terms = [f"{_n(dy[i, j], '{:g}')}·{_n(w[u, v], '{:.3g}')}" for i, j, u, v in pairs
             if dy[i, j] != 0]
    if not terms:
        return "0"
    more = len(terms) - limit
    text = " + ".join(terms[:limit])
    return text + (f" + &hellip; ({more} more)" if more > 0 else "")


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
        ``cell`` (output cell in reading order, ``i * OW + j``) and ``pixel``
        (input pixel, ``r * W + c``). ``state()`` holds ``input``, ``kernel``,
        ``stride``, ``padding``, ``loss``, ``valid``, ``problem``,
        ``output_size``, ``y``, ``dy``, ``dx``, ``dw``, ``db``, ``cell``
        ``(i, j)`` (None for the sum), ``pixel`` ``(r, c)``, ``pairs`` (the
        ``(i, j, u, v)`` rows meeting the pixel), ``outputs`` (OH, OW) and
        ``taps`` (KH, KW) masks, and ``notes`` (sentences about the geometry).
    """
    inputs = _check_arrays(_default_inputs() if inputs is None else inputs, "inputs")
    kernels = _check_arrays(_default_kernels() if kernels is None else kernels, "kernels")
    if kernel not in kernels:
        raise ValueError(f"kernel must be one of {list(kernels)}, got {kernel!r}")
    if loss not in ("cell", "sum"):
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
        "stride": widgets.IntSlider(value=stride, min=1, max=12, description="stride s",
                                    style=_STYLE),
        "padding": widgets.IntSlider(value=padding, min=0, max=3, description="padding p",
                                     style=_STYLE),
        "cell": widgets.IntSlider(value=0, min=0, max=0, description="output cell i·OW + j",
                                  style=_STYLE),
        "pixel": widgets.IntSlider(value=(H0 // 2) * W0 + W0 // 2, min=0, max=H0 * W0 - 1,
                                   description="input pixel r·W + c", style=_STYLE),
    }
    mute = {"on": False}

    fig = blit_figure(10, 2.9)
    axes = fig.subplots(1, 5)
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.02, top=0.8, wspace=0.12)
    ax_x, ax_w, ax_dy, ax_dx, ax_dw = axes
    im_x = padded_map(ax_x, first, 0, vmin=0.0, vmax=1.0)
    im_w = signed_map(ax_w, kernels[kernel])
    im_dy = signed_map(ax_dy, np.zeros((1, 1)))
    im_dx = signed_map(ax_dx, np.zeros_like(first))
    im_dw = signed_map(ax_dw, np.zeros_like(kernels[kernel]))
    frame_dy, frame_dw = fixed_box(ax_dy), fixed_box(ax_dw)      # no redraw when they change shape
    window_x = cell_outlines(ax_x, HIGHLIGHT_COLOR, 2.0)
    window_dx = cell_outlines(ax_dx, HIGHLIGHT_COLOR, 2.0)
    cell_dy = cell_outlines(ax_dy, HIGHLIGHT_COLOR, 2.6, zorder=4)
    pixel_x = cell_outlines(ax_x, PIXEL_COLOR, 2.0, zorder=5)
    pixel_dx = cell_outlines(ax_dx, PIXEL_COLOR, 2.0, zorder=5)
    outs_dy = cell_outlines(ax_dy, PIXEL_COLOR, 1.6, zorder=5)
    taps_w = cell_outlines(ax_w, PIXEL_COLOR, 1.8)
    outlines = [frame_dy, frame_dw, window_x, window_dx, taps_w, cell_dy, outs_dy, pixel_x,
                pixel_dx]
    for ax in axes:
        bare_axes(ax)
    titles = panel_titles(fig)
    images = [im_x, im_w, im_dy, im_dx, im_dw]
    # the input and the kernel change only with their controls: they stay in the
    # cached background, redrawn when the input, kernel or padding changes
    fig.canvas.dynamic = images[2:] + _spines(ax_dx) + outlines + [titles.collection]
    shown = {"input": None}

    def set_titles(*texts):
        set_cell_outlines(frame_dy, [(0, 0)], *im_dy.get_array().shape)
        set_cell_outlines(frame_dw, [(0, 0)], *im_dw.get_array().shape)
        set_panel_titles(titles, axes, texts)

    def static_panels(input, kernel, padding):
        key = (input, kernel, padding)
        if shown.get("static") != key:
            shown["static"] = key
            fig.canvas.invalidate()

    def update(input, kernel, loss, stride, padding, cell, pixel):
        x, w = inputs[input], kernels[kernel]
        H, W = x.shape
        KH, KW = w.shape
        s, p = stride, padding
        _set_range(mute, controls["pixel"], H * W - 1)
        r, c = divmod(min(controls["pixel"].value, H * W - 1), W)
        if shown["input"] != input:
            shown["input"] = input
            lo, hi = (0.0, 1.0) if x.min() >= 0 and x.max() <= 1 else signed_cmap_limits(x)
            im_x.set_cmap(padded_cmap(IMAGE_CMAP if lo == 0.0 else SIGNED_CMAP))
            im_x.set_clim(lo, hi)
        update_padded_map(im_x, x, p)
        update_signed_map(im_w, w)
        static_panels(input, kernel, p)
        set_cell_outlines(pixel_x, [(r + p, c + p)])
        set_cell_outlines(pixel_dx, [(r, c)])
        g = geometry(H, W, KH, KW, stride=s, padding=p)
        base = dict(input=x, kernel=w, stride=s, padding=p, loss=loss, pixel=(r, c))
        if g.empty:
            _set_range(mute, controls["cell"], None)
            for art in (window_x, window_dx, cell_dy, outs_dy, taps_w):
                set_cell_outlines(art, [])
            for im, shape in ((im_dy, (1, 1)), (im_dx, x.shape), (im_dw, w.shape)):
                update_signed_map(im, np.zeros(shape))
            set_titles(f"input x, {H}×{W}, p = {p}", f"kernel w, {KH}×{KW}", "no output",
                       "∂L/∂x: none", "∂L/∂w: none")
            problem = f"{g.explanation}."
            state = dict(base, valid=False, problem=problem, output_size=(0, 0), y=None,
                         dy=None, dx=None, dw=None, db=None, cell=None, pairs=None,
                         outputs=None, taps=None, notes=[])
            return state, (f"<b>No output</b>: {html.escape(problem)} Choose a smaller "
                           "kernel, or add padding.")
        OH, OW = g.output_size
        _set_range(mute, controls["cell"], OH * OW - 1 if loss == "cell" else None)
        if loss == "cell":
            i, j = divmod(min(controls["cell"].value, OH * OW - 1), OW)
            chosen = (i, j)
        else:
            chosen = None
        grads = bx.conv_gradients(x, w, s, p, chosen)
        contrib = bx.pixel_contributions((H, W), (KH, KW), (r, c), s, p)
        update_signed_map(im_dy, grads.dy, vmax=1.0)
        update_signed_map(im_dx, grads.dx)
        update_signed_map(im_dw, grads.dw)
        set_cell_outlines(outs_dy, np.argwhere(contrib.outputs))
        set_cell_outlines(taps_w, np.argwhere(contrib.taps))
        if chosen is None:
            for art in (window_x, window_dx, cell_dy):
                set_cell_outlines(art, [])
        else:
            set_cell_outlines(window_x, [(i * s, j * s)], KH, KW)
            set_cell_outlines(window_dx, [(i * s - p, j * s - p)], KH, KW)
            set_cell_outlines(cell_dy, [chosen])
        value = grads.dx[r, c]
        set_titles(f"input x, {H}×{W}, p = {p}", f"kernel w, {KH}×{KW}",
                   f"∂L/∂y, {OH}×{OW}", f"∂L/∂x, pixel ({r}, {c}) = {_n(value)}",
                   f"∂L/∂w, ∂L/∂b = {_n(grads.db, '{:g}')}")

        notes = []
        lines = [f"Output size: O<sub>H</sub> = &lfloor;(H + 2p &minus; K<sub>H</sub>) / s&rfloor; "
                 f"+ 1 = &lfloor;({H} + 2&middot;{p} &minus; {KH}) / {s}&rfloor; + 1 = <b>{OH}</b>, "
                 f"O<sub>W</sub> = <b>{OW}</b>."]
        if chosen is None:
            lines.append(f"L = &Sigma; y = {_n(grads.loss)}: &part;L/&part;y = 1 everywhere, so "
                         "&part;L/&part;x[r, c] adds up the kernel taps that meet pixel (r, c) and "
                         "&part;L/&part;w[u, v] adds up the input pixels that tap (u, v) meets.")
        else:
            lines.append(f"L = y[{i}, {j}] = {_n(grads.loss)}: &part;L/&part;y is 1 at ({i}, {j}) "
                         "and 0 elsewhere, so &part;L/&part;x is the kernel laid on that "
                         "cell's window (orange; the part on the padding is dropped) and "
                         "&part;L/&part;w is the window of the padded input.")
        n_pairs = len(contrib.pairs)
        if n_pairs and np.any(grads.dy[contrib.outputs] != 0):
            lines.append(f"Pixel ({r}, {c}) (green) meets {n_pairs} (output cell, tap) "
                         f"pair{'s' if n_pairs > 1 else ''}: &part;L/&part;x[{r}, {c}] = "
                         f"&Sigma; dy[i, j]&middot;w[u, v] = "
                         f"{_sum_terms(contrib.pairs, grads.dy, w)} = {_n(value)}.")
        elif n_pairs:
            lines.append(f"Pixel ({r}, {c}) (green) meets {n_pairs} (output cell, tap) "
                         f"pair{'s' if n_pairs > 1 else ''}, but dy is 0 at all of those "
                         f"cells: &part;L/&part;x[{r}, {c}] = 0.")
        else:
            notes.append(f"Pixel ({r}, {c}) lies in no window: it never reaches the output, "
                         "so its gradient is 0.")
        once = [name for name, o, n, k in (("down", OH, H, KH), ("across", OW, W, KW))
                if o == 1 and s > 1 and s > n + 2 * p - k]
        if once:
            notes.append(f"With stride {s} a second window would start at row or column {s}, "
                         f"beyond the padded input ({H + 2 * p}&times;{W + 2 * p}): the kernel "
                         f"fits only once {' and '.join(once)}, and every pixel outside that "
                         "window gets zero gradient.")
        elif s > KH or s > KW:
            notes.append(f"The stride ({s}) is larger than the kernel ({KH}&times;{KW}): "
                         "windows skip pixels, and a skipped pixel gets zero gradient.")
        elif g.note:
            notes.append(html.escape(g.note[0].upper() + g.note[1:]) + "; their pixels get "
                         "zero gradient.")
        state = dict(base, valid=True, problem=None, output_size=(OH, OW), y=grads.y,
                     dy=grads.dy, dx=grads.dx, dw=grads.dw, db=grads.db, cell=chosen,
                     pairs=contrib.pairs, outputs=contrib.outputs, taps=contrib.taps,
                     notes=notes)
        return state, "<br>".join(lines + notes)

    explorer = _MutedExplorer(controls, fig, update, mute=mute,
                              layout=[["input", "kernel", "loss"], ["stride", "padding"],
                                      ["cell", "pixel"]],
                              title="Backward through a convolution: dL/dy, dL/dx and dL/dw")
    explorer.artists = dict(input=im_x, kernel=im_w, dy=im_dy, dx=im_dx, dw=im_dw,
                            window=window_x, window_dx=window_dx, cell=cell_dy,
                            pixel=pixel_x, pixel_dx=pixel_dx, outputs=outs_dy, taps=taps_w)
    return explorer


# ======================================================================
# 2. Learning a kernel by gradient descent
# ======================================================================

def _loss_axes(ax, grid, ticks, losses, steps):
    """Limits, decade grid lines and tick labels of the loss panel (log10 of the loss)."""
    logs = np.log10(losses)
    lo, hi = np.floor(logs.min()), np.ceil(logs.max())
    if hi - lo < 1:
        hi = lo + 1
    every = int(np.ceil((hi - lo) / 4))
    decades = np.arange(lo, hi + 0.5, every)
    x0, x1 = -0.02 * steps, steps * 1.02
    ax.set_xlim(x0, x1)
    ax.set_ylim(lo - 0.1 * (hi - lo), hi + 0.05 * (hi - lo))
    grid.set_segments([[(x0, d), (x1, d)] for d in decades])
    labels = [f"1e{int(d)}" for d in decades] + ["0", f"{steps}", "step"]
    below = lo - 0.22 * (hi - lo)
    positions = ([(0.11 * steps, d + 0.03 * (hi - lo)) for d in decades]
                 + [(0, below), (steps, below), (steps / 2, below)])
    ticks.set(positions, labels, ["0.35"] * len(labels), 8)


def learn_kernel_explorer(source: str = "digits", lr: float = 1.0, steps: int = 100,
                          hidden: str = "sobel_x") -> Explorer:
    """Gradient descent recovers a hidden kernel from (input, output) pairs.

    The targets are 8 inputs (digits or crops of the sample photo)
    cross-correlated with a hidden kernel (Sobel x); starting from a kernel of
    zeros, :func:`cnnedu.explain.backprop.learn_kernel` takes ``steps`` steps
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
        ``explorer.play_link``). ``state()`` holds ``data``, ``lr``,
        ``step`` (asked for), ``shown_step``, ``kernel``, ``hidden``,
        ``prediction``, ``target``, ``losses`` (up to the shown step),
        ``loss``, ``diverged``, ``stopped_at`` (None if the run finished),
        ``growth``, ``lam_max``, ``lam_min`` and ``lr_limit`` (2 / lam_max).
    """
    if source not in ("digits", "photo"):
        raise ValueError(f"source must be 'digits' or 'photo', got {source!r}")
    steps = int(steps)
    if not 1 <= steps <= 500:
        raise ValueError(f"steps must be between 1 and 500, got {steps}")
    problems: dict = {}
    runs: dict = {}

    def problem(name):
        if name not in problems:
            problems[name] = bx.kernel_problem(name, hidden=hidden)
        return problems[name]

    def run(name, rate):
        key = (name, float(f"{rate:.6g}"))
        if key not in runs:
            runs[key] = bx.learn_kernel(problem(name), key[1], steps)
        return runs[key]

    controls = {
        "data": widgets.Dropdown(options=[("digits", "digits"), ("photo crops", "photo")],
                                 value=source, description="data", style=_STYLE),
        "lr": widgets.FloatLogSlider(value=lr, base=10, min=-2, max=0.5, step=0.125,
                                     readout_format=".3g", description="learning rate η",
                                     style=_STYLE),
        "step": widgets.IntSlider(value=steps, min=0, max=steps, description="step",
                                  style=_STYLE),
    }
    P0 = problem(source)
    target0 = P0.targets[0, 0]
    fig = blit_figure(10, 2.8)
    axes = fig.subplots(1, 5, width_ratios=(1, 1, 0.8, 0.8, 1.5))
    fig.subplots_adjust(left=0.01, right=0.985, bottom=0.17, top=0.84, wspace=0.25)
    ax_t, ax_p, ax_h, ax_k, ax_l = axes
    vmax = float(np.abs(target0).max()) or 1.0
    im_t = signed_map(ax_t, target0, vmax=vmax)
    im_p = signed_map(ax_p, np.zeros_like(target0), vmax=vmax)
    kmax = float(np.abs(P0.hidden).max()) or 1.0
    im_h = signed_map(ax_h, P0.hidden, vmax=kmax)
    im_k = signed_map(ax_k, np.zeros_like(P0.hidden), vmax=kmax)
    hidden_labels = set_grid_labels(grid_labels(ax_h), im_h, P0.hidden)
    kernel_labels = grid_labels(ax_k)
    for ax in axes:
        bare_axes(ax)
    (curve,) = ax_l.plot([], [], color="#0072B2", lw=1.5)
    (marker,) = ax_l.plot([], [], "o", color=HIGHLIGHT_COLOR, ms=5)
    grid = ax_l.add_collection(LineCollection([], colors="0.85", linewidths=0.8, zorder=0))
    ticks = CellLabels(ax_l, transform=ax_l.transData)
    titles = panel_titles(fig)
    fig.canvas.dynamic = [im_p, im_k, kernel_labels.collection, grid, ticks.collection, curve,
                          marker, titles.collection]
    shown = {"run": None, "data": None}

    def update(data, lr, step):
        P = problem(data)
        R = run(data, lr)
        T = len(R.losses) - 1                         # last step actually computed
        t = min(step, T)
        if shown["data"] != data:
            shown["data"] = data
            v = float(np.abs(P.targets[0, 0]).max()) or 1.0
            update_signed_map(im_t, P.targets[0, 0], vmax=v)
            im_p.set_clim(-v, v)
            fig.canvas.invalidate()
        if shown["run"] is not R:
            shown["run"] = R
            _loss_axes(ax_l, grid, ticks, R.losses, steps)
        update_signed_map(im_p, R.predictions[t], vmax=im_t.get_clim()[1])
        update_signed_map(im_k, R.kernels[t], vmax=kmax)
        set_grid_labels(kernel_labels, im_k, R.kernels[t])
        curve.set_data(np.arange(t + 1), np.log10(R.losses[:t + 1]))
        marker.set_data([t], [np.log10(R.losses[t])])
        loss = float(R.losses[t])
        set_panel_titles(titles, axes, ["target y = x ⋆ w*", f"prediction, step {t}", "hidden w*",
                                        f"learned w, step {t}", f"loss {loss:.3g} (log scale)"])
        limit = 2.0 / P.lam_max
        stopped_at = T if R.diverged else None
        lines = [f"Step {t} of {steps}: loss {loss:.3g} (it was {R.losses[0]:.3g} at step 0). "
                 f"The loss is quadratic in the {P.hidden.size} weights, with curvatures "
                 f"(Hessian eigenvalues) from &lambda;<sub>min</sub> = {P.lam_min:.3g} to "
                 f"&lambda;<sub>max</sub> = {P.lam_max:.3g}: plain gradient descent converges "
                 f"for &eta; &lt; 2/&lambda;<sub>max</sub> = {limit:.3g}."]
        if R.diverged:
            lines.append(
                f"<b>Diverged: the loss grew {_sci(R.growth)}-fold</b> by step {T}. The step "
                f"&eta; = {lr:.3g} is larger than 2/&lambda;<sub>max</sub> = {limit:.3g}, so "
                f"along the steepest direction each step overshoots the minimum and multiplies "
                f"the error by |1 &minus; &eta;&lambda;<sub>max</sub>| = "
                f"{abs(1 - lr * P.lam_max):.2f} &gt; 1. The run was stopped at step {T} "
                f"before the numbers overflow" + (f"; steps after {T} show step {T}."
                                                  if step > T else "."))
        elif lr > limit:
            lines.append(f"&eta; = {lr:.3g} is above 2/&lambda;<sub>max</sub> = {limit:.3g}: "
                         f"the error along the steepest direction grows by "
                         f"|1 &minus; &eta;&lambda;<sub>max</sub>| = {abs(1 - lr * P.lam_max):.2f}"
                         " per step; the loss falls at first, then grows without bound.")
        else:
            rate = 1 - lr * P.lam_min
            lines.append(f"Along the flattest direction each step keeps a fraction "
                         f"1 &minus; &eta;&lambda;<sub>min</sub> = {rate:.3f} of the error, "
                         "which is why the curve flattens out before the kernel is exact.")
        state = dict(data=data, lr=float(lr), step=int(step), shown_step=t,
                     kernel=R.kernels[t], hidden=P.hidden, prediction=R.predictions[t],
                     target=P.targets[0, 0], losses=R.losses[:t + 1], loss=loss,
                     diverged=R.diverged, stopped_at=stopped_at, growth=R.growth,
                     lam_max=P.lam_max, lam_min=P.lam_min, lr_limit=limit)
        return state, "<br>".join(lines)

    explorer = Explorer(controls, fig, update, layout=[["data", "lr"], ["step"]],
                        title=f"Learn a kernel: gradient descent recovers the hidden {hidden}")
    play = widgets.Play(value=steps, min=0, max=steps, interval=150, description="play")
    explorer.play_link = widgets.jslink((play, "value"), (controls["step"], "value"))
    _place_play(explorer, controls["step"], play)
    explorer.play = play
    explorer.runs = runs
    explorer.artists = dict(target=im_t, prediction=im_p, hidden=im_h, kernel=im_k,
                            hidden_labels=hidden_labels, kernel_labels=kernel_labels,
                            curve=curve, marker=marker, titles=titles)
    return explorer


# ======================================================================
# 3. Max pooling routes the gradient
# ======================================================================

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
        digit (:func:`cnnedu.explain.pool.digit_edge_map`).
    size, stride : int
        Initial window size (1 to 6) and stride (1 to H + 1).
    upstream : {'ones', 'random'}

    Returns
    -------
    Explorer
        Controls ``size``, ``stride``, ``upstream``. ``state()`` holds
        ``input``, ``size``, ``stride``, ``upstream``, ``valid``,
        ``problem``, ``output_size``, ``output``, ``dy``, ``dx``, ``winners``
        (OH, OW, 2), ``wins`` (H, W) and ``ties``.
    """
    x = np.array(digit_edge_map(size=12) if feature_map is None else feature_map,
                 dtype=np.float64)
    if x.ndim != 2 or min(x.shape) < 1 or max(x.shape) > 16:
        raise ValueError(f"feature_map must be a 2-D array of at most 16x16, got shape {x.shape}")
    if upstream not in ("ones", "random"):
        raise ValueError(f"upstream must be 'ones' or 'random', got {upstream!r}")
    H, W = x.shape
    controls = {
        "size": widgets.IntSlider(value=size, min=1, max=6, description="window k",
                                  style=_STYLE),
        "stride": widgets.IntSlider(value=stride, min=1, max=max(H, W) + 1,
                                    description="stride s", style=_STYLE),
        "upstream": widgets.ToggleButtons(options=[("dL/dy = all ones", "ones"),
                                                   ("dL/dy random", "random")],
                                          value=upstream, description="upstream",
                                          style=_STYLE),
    }
    fig = blit_figure(9, 3.3)
    ax_x, ax_dy, ax_dx = fig.subplots(1, 3, width_ratios=(1, 0.8, 1))
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.02, top=0.86, wspace=0.12)
    im_x = signed_map(ax_x, x)
    im_dy = signed_map(ax_dy, np.zeros((1, 1)))
    im_dx = signed_map(ax_dx, np.zeros_like(x))
    frame_dy = fixed_box(ax_dy)                  # no redraw of the figure when it changes shape
    windows_x = cell_outlines(ax_x, "0.35", 0.9)
    windows_dx = cell_outlines(ax_dx, "0.6", 0.9)
    marks_x = routing_arrows(ax_x, "black", markersize=14)
    routes = routing_arrows(ax_dx, "black")
    for ax in (ax_x, ax_dy, ax_dx):
        bare_axes(ax)
    titles = panel_titles(fig)
    fig.canvas.dynamic = ([im_dy, im_dx] + _spines(ax_dx)
                          + [frame_dy, windows_x, windows_dx, marks_x.lines, marks_x.dots,
                             routes.lines, routes.dots, titles.collection])
    cache: dict = {}

    def upstream_gradient(kind, shape):
        if kind == "ones":
            return np.ones(shape)
        key = ("dy", shape)
        if key not in cache:
            cache[key] = np.round(np.random.default_rng(0).standard_normal(shape), 1)
        return cache[key]

    def update(size, stride, upstream):
        k, s = size, stride
        base = dict(input=x, size=k, stride=s, upstream=upstream)
        problem = pool_geometry_problem((H, W), k, s)
        if problem:
            for art in (windows_x, windows_dx):
                set_cell_outlines(art, [])
            set_routing(marks_x, [], [])
            set_routing(routes, [], [])
            update_signed_map(im_dy, np.zeros((1, 1)))
            update_signed_map(im_dx, np.zeros_like(x))
            set_cell_outlines(frame_dy, [(0, 0)], 1, 1)
            set_panel_titles(titles, (ax_x, ax_dy, ax_dx),
                             (f"input x, {H}×{W}", "no output", "∂L/∂x: none"))
            state = dict(base, valid=False, problem=problem, output_size=(0, 0), output=None,
                         dy=None, dx=None, winners=None, wins=None, ties=None)
            return state, f"<b>No output</b>: {html.escape(problem)}. Make the window smaller."
        oh, ow = (H - k) // s + 1, (W - k) // s + 1
        dy = upstream_gradient(upstream, (oh, ow))
        R = bx.max_pool_routing(x, dy, k, s)
        tops = np.argwhere(np.ones((oh, ow), dtype=bool)) * s
        centres = tops + (k - 1) / 2
        winners = R.winners.reshape(-1, 2)
        for art in (windows_x, windows_dx):
            set_cell_outlines(art, tops, k, k)
        set_routing(marks_x, winners, winners)
        set_routing(routes, centres, winners)
        update_signed_map(im_dy, dy, vmax=max(1.0, float(np.abs(dy).max())))
        update_signed_map(im_dx, R.dx, vmax=max(1.0, float(np.abs(R.dx).max())))
        set_cell_outlines(frame_dy, [(0, 0)], oh, ow)
        set_panel_titles(titles, (ax_x, ax_dy, ax_dx),
                         (f"input x, {H}×{W}: windows, maxima", f"∂L/∂y, {oh}×{ow}",
                          "∂L/∂x: each window → its max"))
        receiving = int(np.count_nonzero(R.wins))
        lines = [f"Output size: O<sub>H</sub> = &lfloor;(H &minus; k) / s&rfloor; + 1 = "
                 f"&lfloor;({H} &minus; {k}) / {s}&rfloor; + 1 = <b>{oh}</b>, "
                 f"O<sub>W</sub> = <b>{ow}</b>.",
                 ("The window sends" if oh * ow == 1 else f"Each of the {oh * ow} windows sends")
                 + " its whole gradient dy[i, j] to the cell holding its maximum (dot); the other "
                 f"cells of the window get 0 from it. {receiving} of the {H * W} input cells "
                 f"receive{'s' if receiving == 1 else ''} a gradient, {H * W - receiving} get 0."]
        most = int(R.wins.max())
        if most > 1:
            lines.append(f"The windows overlap (stride {s} &lt; window {k}): "
                         f"{int(np.count_nonzero(R.wins > 1))} cells win several windows (up "
                         f"to {most}) and add up their gradients.")
        if R.ties:
            lines.append(f"{R.ties} window{'s have' if R.ties > 1 else ' has'} a tie for the "
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
        state = dict(base, valid=True, problem=None, output_size=(oh, ow), output=R.output,
                     dy=dy, dx=R.dx, winners=R.winners, wins=R.wins, ties=R.ties)
        return state, "<br>".join(lines)

    explorer = Explorer(controls, fig, update, layout=[["size", "stride", "upstream"]],
                        title="Max pooling routes each gradient to its window's maximum")
    explorer.artists = dict(input=im_x, dy=im_dy, dx=im_dx, windows=windows_x,
                            windows_dx=windows_dx, maxima=marks_x, routes=routes)
    return explorer
