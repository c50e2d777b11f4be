"""The explorer of the gradients a convolution sends back.

:func:`conv_backward_explorer` -- ``dL/dy``, ``dL/dx`` and ``dL/dw`` for the
loss "one output cell" or "sum of all cells", with the output cells and kernel
taps that meet a chosen input pixel outlined.

It is built in three layers: *compute*
(:func:`cnnedu.explain.conv_backward.conv_backward_view`, built on
:func:`cnnedu.ops.conv.conv2d_backward`), *draw* (``draw_conv_backward`` /
``update_conv_backward`` of :mod:`cnnedu.viz.conv_backward`) and *caption*
(:func:`conv_backward_caption` here: a pure function, state -> HTML).
"""
from __future__ import annotations

import html
from functools import partial

import ipywidgets as widgets
import numpy as np

from .. import samples
from ..explain import conv_backward as cb
from ..kernels import get_kernel
from ..viz.canvas import blit_figure
from ..viz.conv_backward import draw_conv_backward, update_conv_backward
from ..viz.text import format_number
from ._base import LABEL_STYLE, Explorer, int_slider
from ._recipe import recorded

#: the builders (the captions are public too, but ``__all__`` lists only what
#: :mod:`cnnedu.widgets._registry` may call as an explorer)
__all__ = ["conv_backward_explorer"]


#: a number in a caption (HTML): ``_html_number(v, fmt='{:.2f}')``
_html_number = partial(format_number, minus="&minus;")



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
    """The caption (HTML) of a state of :func:`cnnedu.explain.conv_backward.conv_backward_view`."""
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


@recorded
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
        ``state()`` is :func:`cnnedu.explain.conv_backward.conv_backward_view`'s
        dict; ``explorer.artists`` those of
        :func:`cnnedu.viz.conv_backward.draw_conv_backward`.
    """
    inputs = _check_arrays(_default_inputs() if inputs is None else inputs, "inputs")
    kernels = _check_arrays(_default_kernels() if kernels is None else kernels, "kernels")
    if kernel not in kernels:
        raise ValueError(f"kernel must be one of {list(kernels)}, got {kernel!r}")
    if loss not in cb.CONV_LOSSES:
        raise ValueError(f"loss must be 'cell' or 'sum', got {loss!r}")
    first = next(iter(inputs.values()))
    H0, W0 = first.shape
    controls = {
        "input": widgets.Dropdown(options=list(inputs), description="input x", style=LABEL_STYLE),
        "kernel": widgets.Dropdown(options=list(kernels), value=kernel, description="kernel w",
                                   style=LABEL_STYLE),
        "loss": widgets.ToggleButtons(options=[("L = one cell y[i, j]", "cell"),
                                               ("L = sum of all cells", "sum")],
                                      value=loss, description="loss", style=LABEL_STYLE),
        "stride": int_slider(stride, 1, 12, "stride s"),
        "padding": int_slider(padding, 0, 3, "padding p"),
        "cell": int_slider(0, 0, 0, "output cell i·OW + j"),
        "pixel": int_slider((H0 // 2) * W0 + W0 // 2, 0, H0 * W0 - 1, "input pixel r·W + c"),
    }
    fig = blit_figure(9.4, 2.9)
    artists = draw_conv_backward(fig, first, kernels[kernel])

    def update(input, kernel, loss, stride, padding, cell, pixel):
        state = cb.conv_backward_view(inputs[input], kernels[kernel], stride, padding, loss,
                                      cell, pixel)
        update_conv_backward(artists, state)
        return state, conv_backward_caption(state)

    ranges = {"pixel": lambda v: inputs[v["input"]].size - 1,
              "cell": lambda v: cb.output_cell_range(inputs[v["input"]].shape,
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
