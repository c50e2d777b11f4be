"""Explorers of chapter 1 (Convolution).

* :func:`kernel_slider` -- slide a kernel over a small image, one output
  position at a time: window, products, sum and the output cell they fill.
* :func:`stride_explorer` -- stride, padding and dilation: the padded input,
  the kernel's footprint, the output grid and the output-size formula.
* :func:`filter_bank` -- a preset or hand-typed kernel applied to a photo.

Each is built from three layers: *compute* in :mod:`cnnedu.explain.conv`
(:func:`~cnnedu.explain.conv.slide_view`, :func:`~cnnedu.explain.conv.stride_settings`
and :func:`~cnnedu.explain.conv.stride_view`) and :mod:`cnnedu.explain.kernels`
(:func:`~cnnedu.explain.kernels.filter_view`), on the ops of :mod:`cnnedu.ops.conv`;
*draw* in :mod:`cnnedu.viz.conv` and :mod:`cnnedu.viz.kernels`
(``draw_*`` once, ``update_*`` in place), and a *caption* here
(:func:`slide_caption`, :func:`stride_caption`, :func:`filter_caption`: pure
functions of the computed state). Each builder wires its controls to them and
returns an :class:`~cnnedu.widgets.Explorer`.
"""
from __future__ import annotations

import html
from functools import lru_cache

import ipywidgets as widgets
import numpy as np

from .. import samples
from .._checks import as_float_array, check_ndim
from ..data import load_sample_image
from ..explain import conv as cx
from ..explain.kernels import FilterView, filter_view
from ..kernels import describe_kernel, format_kernel, get_kernel, kernel_names
from ..viz.canvas import blit_figure
from ..viz.conv import (FOOTPRINT_COLOR, draw_kernel_slider, draw_stride_explorer,
                        update_kernel_slider, update_stride_explorer)
from ..viz.grid import CURRENT_COLOR, PADDING_COLOR
from ..viz.kernels import draw_filter_bank, update_filter_bank
from ..viz.text import format_number
from ._base import Explorer
from ._recipe import recorded

__all__ = ["kernel_slider", "stride_explorer", "filter_bank"]   # the builders (see _registry)

#: the 3x3 presets (the kernel slider keeps its output size when the kernel changes)
_KERNELS_3X3 = [n for n in kernel_names() if get_kernel(n).shape == (3, 3)]
_CUSTOM = "custom"
_PADDINGS = [("0 (valid)", 0), ("1", 1), ("2", 2), ("3", 3), ("same", "same"), ("full", "full")]


def _check_image(image):
    arr = check_ndim(as_float_array(image, "image"), "image", 2, "(H, W)")
    if 0 in arr.shape:
        raise ValueError(f"image must not be empty, got shape {arr.shape}")
    return arr.astype(np.float64, copy=False)


def _check_preset(kernel, presets, what=""):
    if kernel not in presets:
        raise ValueError(f"kernel must be one of {what}{presets}, got {kernel!r}")


# ------------------------------------------------------------------ slider
def slide_caption(state: dict, name: str) -> str:
    """The kernel slider's caption (HTML): the sum at the current position, and the kernel.

    Parameters
    ----------
    state : dict
        From :func:`cnnedu.explain.conv.slide_view`.
    name : str
        The kernel's preset name (:mod:`cnnedu.kernels`).
    """
    i, j = state["i"], state["j"]
    return (f"y[{i}, {j}] = Σ<sub>u</sub> Σ<sub>v</sub> x[{i} + u, {j} + v] · w[u, v] "
            f"= {state['sum']:.3f} &nbsp; ({html.escape(name)}: "
            f"{html.escape(describe_kernel(name))})")


@recorded
def kernel_slider(image=None, kernel="sobel_x") -> Explorer:
    """Slide a 3x3 kernel over a small image, one output position at a time.

    Four panels, drawn together: the input ``x`` with the window under the
    kernel outlined and its values written; the kernel ``w``; the
    element-wise products ``x·w``; and the output ``y`` with the cell being
    computed outlined -- cells computed before it are shown, later ones are
    blank (hatched). Cross-correlation in 'valid' mode
    (:func:`cnnedu.ops.conv.correlate2d`).

    Parameters
    ----------
    image : array (H, W), optional
        Default: a 10x10 crop of an MNIST digit. Keep it small (up to about
        12x12) so the values stay readable.
    kernel : str
        A 3x3 preset of :mod:`cnnedu.kernels` (the control offers them all).

    Returns
    -------
    Explorer
        Controls ``position`` (one index over the output positions,
        row-major: ``position = i * OW + j``) and ``kernel``; beside the
        slider, ``explorer.play`` (an ``ipywidgets.Play``, linked to it in
        the browser by ``explorer.play_link``) steps through the positions.
        ``state()`` holds ``input``, ``position``, ``i``, ``j``, ``rows``,
        ``cols``, ``window``, ``kernel``, ``products``, ``sum``, ``output``
        (every value), ``shown`` (NaN where not yet computed) and
        ``titles``.
    """
    if image is None:       # a 10x10 crop of the first training digit (a 2): the top of its loop
        x = samples.digit(0, "train", top=4, left=9, size=10)
    else:
        x = _check_image(image)
    _check_preset(kernel, _KERNELS_3X3, "the 3x3 presets ")
    if min(x.shape) < 3:
        raise ValueError(f"image must be at least 3x3 for a 3x3 kernel, got "
                         f"{x.shape[0]}x{x.shape[1]}")
    OW, last = x.shape[1] - 2, (x.shape[0] - 2) * (x.shape[1] - 2) - 1
    fig = blit_figure(9.4, 3.6)           # redraws only what moves (see fig.canvas.dynamic)
    art = draw_kernel_slider(fig, cx.slide_view(x, get_kernel(kernel), 0))

    def update(position, kernel):
        state = cx.slide_view(x, get_kernel(kernel), position)
        state["titles"] = update_kernel_slider(art, state).titles.texts
        return state, slide_caption(state, kernel)

    controls = {
        "position": widgets.IntSlider(value=0, min=0, max=last, description="position",
                                      continuous_update=True,
                                      layout=widgets.Layout(width="420px")),
        "kernel": widgets.Dropdown(options=_KERNELS_3X3, value=kernel, description="kernel"),
    }
    explorer = Explorer(controls, fig, update, layout=[["position", "kernel"]],
                        title=f"Slide the kernel: output position = i·{OW} + j")
    explorer.bind_play("position", 600)
    return explorer


# ------------------------------------------------------------------ stride
def _why_empty_numbers(g) -> str:
    """The geometry's explanation, with the arithmetic behind it."""
    axis = 1 if g.extent[1] > g.padded_size[1] else 0
    n, k, d = g.input_size[axis], g.kernel_size[axis], g.dilation[axis]
    before, after = g.pads[2 * axis:2 * axis + 2]
    side = "W" if axis else "H"
    pad = f"2·{before}" if before == after else f"{before} + {after}"
    sym = "2p" if before == after else "p + p"
    return (f"{g.explanation}: span d(k − 1) + 1 = {d}·({k} − 1) + 1 = {g.extent[axis]} "
            f"> {side} + {sym} = {n} + {pad} = {g.padded_size[axis]}")


def _legend(items) -> str:
    return " &nbsp; ".join(f"<span style='color:{c}'>{s}</span> {html.escape(t)}"
                           for s, c, t in items)


def stride_caption(state: dict) -> str:
    """The stride explorer's caption (HTML): the output-size formula with the numbers.

    Also what 'same' / 'full' padding adds, why there is no output or what the
    stride leaves unread, and a legend. ``state`` is from
    :func:`cnnedu.explain.conv.stride_view`.
    """
    g, i, j = state["geometry"], state["i"], state["j"]
    lines = [html.escape(f) + (" &nbsp;→ no output" if raw < 1 else "")
             for f, raw in zip(g.formula, g.raw_output)]
    if isinstance(g.padding, str) and g.padding != "valid":
        top, bottom, left, right = g.pads
        lines.append(f"Padding '{g.padding}' adds {top} row(s) at the top, {bottom} at the "
                     f"bottom, {left} column(s) at the left and {right} at the right.")
    if g.empty:
        lines.append(f"<b>No output:</b> {html.escape(_why_empty_numbers(g))}. "
                     f"Lower the dilation, pick a smaller kernel or add padding.")
    elif g.note:
        lines.append(html.escape(g.note[0].upper() + g.note[1:]) + " (crosses).")
    lines.append(_legend([("■", FOOTPRINT_COLOR, f"kernel taps for y[{i}, {j}]"),
                          ("■", PADDING_COLOR, "zero padding"),
                          ("✕", CURRENT_COLOR, "never read by any window")]))
    return "<br>".join(lines)


@recorded
def stride_explorer(image=None, kernel="box_blur_3x3") -> Explorer:
    """Stride, padding and dilation: what the window reads and how big the output is.

    Left: the padded input (padding tinted blue, the original input outlined),
    the taps of the kernel for the output cell chosen by ``position``
    (orange), and a cross on every pixel that no window reads. Right: the
    output grid at the same scale, the chosen cell outlined. The caption
    writes the output-size formula with the current numbers; a combination
    with no output is explained there (the kernel is drawn sticking out of
    the input), never raised.

    Parameters
    ----------
    image : array (H, W), optional
        Default: an MNIST digit averaged down to 14x14.
    kernel : str
        Initial preset (the control offers every preset).

    Returns
    -------
    Explorer
        Controls ``kernel``, ``padding`` (0-3, 'same' or 'full'), ``stride``
        (1-5), ``dilation`` (1-4) and ``position`` (output cell, row-major
        ``i * OW + j``; its range follows the output size). ``state()``
        holds ``input``, ``geometry`` (a :class:`~cnnedu.explain.conv.ConvGeometry`),
        ``output_size``, ``output`` (the ``conv2d`` result, ``None`` when
        empty), ``empty``, ``explanation``, ``note``, ``formula``,
        ``kernel``, ``padded``, ``position``, ``i``, ``j``, the footprint
        ``rows``/``cols`` of ``y[i, j]`` in padded coordinates and ``titles``.
    """
    if image is None:
        x = samples.digit(0, "train").reshape(14, 2, 14, 2).mean(axis=(1, 3))
    else:
        x = _check_image(image)
    _check_preset(kernel, kernel_names())
    H, W = x.shape
    fig = blit_figure(8, 4.1)             # a new position only moves the footprint
    art = draw_stride_explorer(fig, x)

    @lru_cache(maxsize=64)
    def settings(kernel, stride, padding, dilation):    # geometry, padding, output: once each
        return cx.stride_settings(x, get_kernel(kernel), stride, padding, dilation)

    def last_position(v):
        return settings(v["kernel"], v["stride"], v["padding"], v["dilation"]).last_position

    def update(kernel, padding, stride, dilation, position):
        state = cx.stride_view(settings(kernel, stride, padding, dilation), position)
        state["titles"] = update_stride_explorer(art, state).titles.texts
        return state, stride_caption(state)

    controls = {
        "kernel": widgets.Dropdown(options=kernel_names(), value=kernel, description="kernel"),
        "padding": widgets.Dropdown(options=_PADDINGS, value=0, description="padding p"),
        "stride": widgets.IntSlider(value=1, min=1, max=5, description="stride s"),
        "dilation": widgets.IntSlider(value=1, min=1, max=4, description="dilation d"),
        "position": widgets.IntSlider(value=0, min=0, max=max(H - 2, 1) * max(W - 2, 1) - 1,
                                      description="position"),
    }
    return Explorer(controls, fig, update,
                    layout=[["kernel", "padding"], ["stride", "dilation"], ["position"]],
                    title="Stride, padding and dilation", ranges={"position": last_position})


# ------------------------------------------------------------- filter bank
def filter_caption(view: FilterView, name: str) -> str:
    """The filter bank's caption (HTML): the kernel, its weights' sum and the map's colours.

    Parameters
    ----------
    view : FilterView
        From :func:`cnnedu.explain.kernels.filter_view`.
    name : str
        The preset's name, or 'custom'.
    """
    if view.kernel is None:
        return (f"<b>Cannot read the kernel:</b> {html.escape(view.error)}. One row per "
                f"line, numbers separated by spaces or commas, e.g. <code>1 0 -1</code>.")
    w, y = view.kernel, view.feature_map
    if view.signed:
        colours = (f"blue negative, white 0, red positive; colours saturate at "
                   f"±{view.limits[1]:.2f}, the 99th percentile of |y|")
    else:
        colours = "grey levels: black the smallest value, white the largest"
    about = describe_kernel(name) if name != _CUSTOM else "Your own kernel."
    return (f"{html.escape(about)} Weights sum to {format_number(w.sum(), '{:.3g}')}; "
            f"y ranges from {y.min():.2f} to {y.max():.2f} ({colours}).")


@recorded
def filter_bank(image=None, kernel="sobel_x", downsample=4) -> Explorer:
    """Apply a preset or hand-typed kernel to a photo and see the feature map.

    Choosing a preset writes its values in the text box; editing the text
    box switches to 'custom'. Rows on lines, numbers separated by spaces or
    commas (fractions like 1/9 are fine); a kernel that cannot be read is
    explained in the caption and the feature map is cleared. The feature
    map is ``correlate2d(photo, w, mode='same')``, drawn with a diverging
    colour map centred at 0 when the kernel has negative weights, in grey
    otherwise.

    Parameters
    ----------
    image : array (H, W), optional
        Default: the sample photo, grey, averaged down by ``downsample``.
    kernel : str
        Initial preset.
    downsample : int, default 4
        For the default photo: 4 gives 150x128 pixels (an update in a few ms).

    Returns
    -------
    Explorer
        Controls ``kernel`` (presets and 'custom') and ``weights`` (the text).
        ``state()`` holds ``input``, ``kernel`` (the array, or None on a parse error),
        ``feature_map`` (or None), ``error`` ('' if none), ``preset`` and ``titles``.
    """
    if image is None:
        x = load_sample_image(gray=True, downsample=downsample)
    else:
        x = _check_image(image)
    _check_preset(kernel, kernel_names())
    fig = blit_figure(7.2, 2.5)           # the photo panel is drawn once
    art = draw_filter_bank(fig, x, filter_view(x, get_kernel(kernel)).feature_map)

    def update(kernel, weights):          # a preset's weights, or the text typed
        view = filter_view(x, weights if kernel == _CUSTOM else get_kernel(kernel))
        titles = update_filter_bank(art, view, kernel).titles.texts
        state = dict(input=x, kernel=view.kernel, feature_map=view.feature_map,
                     error=view.error, preset=kernel, titles=titles)
        return state, filter_caption(view, kernel)

    controls = {
        "kernel": widgets.Dropdown(options=kernel_names() + [_CUSTOM], value=kernel,
                                   description="kernel"),
        "weights": widgets.Textarea(value=format_kernel(get_kernel(kernel)),
                                    description="weights", continuous_update=False,
                                    layout=widgets.Layout(width="300px", height="110px")),
    }

    # The two controls follow each other before the explorer updates (these observers are
    # registered first, so they run first): a preset writes its weights, typed weights
    # switch to 'custom'. Quietly, so that one change gives one update.
    def preset_picked(change):
        if change["new"] != _CUSTOM:
            with explorer.quietly():
                controls["weights"].value = format_kernel(get_kernel(change["new"]))

    def weights_typed(change):
        preset = controls["kernel"].value
        if preset != _CUSTOM and change["new"] != format_kernel(get_kernel(preset)):
            with explorer.quietly():
                controls["kernel"].value = _CUSTOM

    controls["kernel"].observe(preset_picked, names="value")
    controls["weights"].observe(weights_typed, names="value")
    explorer = Explorer(controls, fig, update, layout=[["kernel", "weights"]],
                        title="Filter bank: pick or type a kernel")
    return explorer
