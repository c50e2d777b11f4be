r"""The numbers behind the backpropagation chapter: a graph by hand, a convolution's gradients.

Pure functions (numpy and :mod:`cnnedu` ops only, no drawing):

* :func:`scalar_graph` -- forward values and adjoints of the small graph
  :math:`L = (w x + b - t)^2`.
* :func:`dilate`, :func:`input_gradient_full`, :func:`weight_gradient_correlate`
  and :func:`conv2d_backward_by_correlation` -- the gradients of a
  convolution written as correlations and convolutions, to be compared with
  :func:`cnnedu.ops.conv.conv2d_backward`.

The chapter's explorers have their own modules: :mod:`cnnedu.explain.conv_backward`
(the gradients a convolution sends back), :mod:`cnnedu.explain.routing` (max
pooling's backward pass) and :mod:`cnnedu.explain.learn` (learning a kernel by
gradient descent).

In the book's notation (0-based indices, padded input :math:`x_p`, stride
:math:`s`, dilation :math:`d`), a single-channel convolution is

.. math::  y[i, j] = \sum_{u=0}^{K_H-1} \sum_{v=0}^{K_W-1} x_p[i s + u d,\; j s + v d]\; w[u, v] .
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._checks import as_float_array, as_pair, check_ndim
from ..ops.conv import convolve2d, correlate2d
# under private names, as the chapter prints these functions' source
from .checks import check_2d as _check_2d
from .checks import single_geometry as _single_geometry

__all__ = ["ScalarGraph", "scalar_graph", "dilate", "input_gradient_full",
           "weight_gradient_correlate", "conv2d_backward_by_correlation"]


# --------------------------------------------------------------------------
# A scalar graph by hand
# --------------------------------------------------------------------------

class ScalarGraph(NamedTuple):
    """Forward values and adjoints of :math:`L = (w x + b - t)^2` (see :func:`scalar_graph`)."""

    #: node name -> forward value, for w, x, b, t, p = w x, z = p + b, r = z - t, L = r^2
    values: dict
    #: node name -> adjoint dL/d(node), same keys
    adjoints: dict


def scalar_graph(w: float, x: float, b: float, t: float) -> ScalarGraph:
    r"""Forward and backward pass of :math:`L = (w x + b - t)^2`, node by node.

    The graph has the intermediate nodes :math:`p = w x`, :math:`z = p + b`,
    :math:`r = z - t` and :math:`L = r^2`. The backward pass starts from
    :math:`\partial L / \partial L = 1` and multiplies by one local
    derivative per edge:

    .. math::
        \bar r = 2 r, \quad \bar z = \bar r, \quad \bar t = -\bar r, \quad
        \bar p = \bar z, \quad \bar b = \bar z, \quad
        \bar w = x \bar p, \quad \bar x = w \bar p,

    where :math:`\bar v = \partial L / \partial v` is the *adjoint* of :math:`v`.

    Parameters
    ----------
    w, x, b, t : float
        Weight, input, bias and target.

    Returns
    -------
    ScalarGraph
        ``values`` and ``adjoints``, dicts keyed by ``'w', 'x', 'b', 't', 'p',
        'z', 'r', 'L'``.
    """
    nums = {}
    for name, v in (("w", w), ("x", x), ("b", b), ("t", t)):
        if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
            raise TypeError(f"{name} must be a real number, got {v!r}")
        if not np.isfinite(v):
            raise ValueError(f"{name} must be finite, got {v!r}")
        nums[name] = float(v)
    w, x, b, t = nums["w"], nums["x"], nums["b"], nums["t"]
    p = w * x
    z = p + b
    r = z - t
    L = r * r
    values = dict(w=w, x=x, b=b, t=t, p=p, z=z, r=r, L=L)
    bar = {"L": 1.0}
    bar["r"] = 2 * r * bar["L"]
    bar["z"] = bar["r"]
    bar["t"] = -bar["r"]
    bar["p"] = bar["z"]
    bar["b"] = bar["z"]
    bar["w"] = x * bar["p"]
    bar["x"] = w * bar["p"]
    return ScalarGraph(values, {k: bar[k] for k in values})


# --------------------------------------------------------------------------
# Convolution gradients as correlations
# --------------------------------------------------------------------------

def dilate(a, stride):
    """Insert ``s - 1`` zeros between neighbouring entries along the last two axes.

    Parameters
    ----------
    a : array_like, shape (..., OH, OW)
        For example an output gradient ``dy``.
    stride : int or (sh, sw)
        ``1`` returns a copy of ``a``.

    Returns
    -------
    ndarray, shape (..., (OH - 1) sh + 1, (OW - 1) sw + 1)
        ``out[..., i * sh, j * sw] = a[..., i, j]``, zeros elsewhere.

    Examples
    --------
    >>> dilate(np.array([[1, 2], [3, 4]]), 2)
    array([[1., 0., 2.],
           [0., 0., 0.],
           [3., 0., 4.]])
    """
    a = as_float_array(a, "a")
    if a.ndim < 2:
        raise ValueError(f"a must have at least 2 axes (..., OH, OW), got shape {a.shape}")
    sh, sw = as_pair(stride, "stride")
    oh, ow = a.shape[-2:]
    out = np.zeros(a.shape[:-2] + ((oh - 1) * sh + 1 if oh else 0, (ow - 1) * sw + 1 if ow else 0),
                   dtype=a.dtype)
    out[..., ::sh, ::sw] = a
    return out


def input_gradient_full(dy, w, input_size, stride=1, padding=0, dilation=1):
    r"""``dL/dx`` of a single-channel convolution, as a *full convolution*.

    With :math:`\hat g` the output gradient dilated by the stride
    (:func:`dilate`: ``s - 1`` zeros between entries) and :math:`\hat w` the
    kernel dilated by the dilation, the gradient with respect to the padded
    input is the full convolution (chapter 1's :math:`*`, kernel *not*
    flipped by hand)

    .. math::
        \frac{\partial L}{\partial x_p}[a, b]
        = (\hat g * \hat w)[a, b]
        = \sum_{u} \sum_{v} \hat g[a - u, b - v]\; \hat w[u, v],

    which is the full cross-correlation with the kernel rotated by 180
    degrees, ``correlate2d(g_hat, w_hat[::-1, ::-1], mode='full')``. Its
    ``(OH - 1) s + d (KH - 1) + 1`` rows are padded with zeros at the bottom
    (rows that no window read) up to ``H + 2p``, then the padding is cropped.

    Parameters
    ----------
    dy : array_like, shape (OH, OW)
        Gradient of the loss with respect to the output.
    w : array_like, shape (KH, KW)
        The kernel.
    input_size : (H, W)
    stride, padding, dilation : int or pair
        As in the forward pass; padding is the number of zeros on each side.

    Returns
    -------
    dx : ndarray, shape (H, W)
    """
    dy = _check_2d(dy, "dy", "(OH, OW)")
    w = _check_2d(w, "w", "(KH, KW)")
    g = _single_geometry(input_size, w.shape, stride, padding, dilation)
    if dy.shape != (g["OH"], g["OW"]):
        raise ValueError(f"dy must have the output's shape (OH, OW) = {(g['OH'], g['OW'])}, "
                         f"got {dy.shape}")
    g_hat = dilate(dy, (g["sh"], g["sw"]))
    w_hat = dilate(w, (g["dh"], g["dw"]))
    full = convolve2d(g_hat, w_hat, mode="full")
    dxp = np.zeros((g["Hp"], g["Wp"]), dtype=np.result_type(dy, w))
    dxp[:full.shape[0], :full.shape[1]] = full
    return dxp[g["ph"]:g["ph"] + g["H"], g["pw"]:g["pw"] + g["W"]].copy()


def weight_gradient_correlate(x, dy, kernel_size, stride=1, padding=0, dilation=1):
    r"""``dL/dw`` of a single-channel convolution, as a cross-correlation.

    .. math::
        \frac{\partial L}{\partial w}[u, v]
        = \sum_i \sum_j x_p[i s + u d,\; j s + v d]\; dy[i, j]
        = (x_p \star \hat g)[u d,\; v d],

    the 'valid' cross-correlation of the padded input with the output
    gradient dilated by the stride (:func:`dilate`), read at every ``d``-th
    position.

    Parameters
    ----------
    x : array_like, shape (H, W)
        The forward pass's input.
    dy : array_like, shape (OH, OW)
    kernel_size : int or (KH, KW)
    stride, padding, dilation : int or pair

    Returns
    -------
    dw : ndarray, shape (KH, KW)
    """
    x = _check_2d(x, "x", "(H, W)")
    dy = _check_2d(dy, "dy", "(OH, OW)")
    g = _single_geometry(x.shape, kernel_size, stride, padding, dilation)
    if dy.shape != (g["OH"], g["OW"]):
        raise ValueError(f"dy must have the output's shape (OH, OW) = {(g['OH'], g['OW'])}, "
                         f"got {dy.shape}")
    xp = np.pad(x, ((g["ph"], g["ph"]), (g["pw"], g["pw"])))
    corr = correlate2d(xp, dilate(dy, (g["sh"], g["sw"])), mode="valid")
    return corr[:g["dh"] * (g["KH"] - 1) + 1:g["dh"], :g["dw"] * (g["KW"] - 1) + 1:g["dw"]].copy()


def conv2d_backward_by_correlation(dy, x, w, stride=1, padding=0, dilation=1):
    r"""The gradients of :func:`cnnedu.ops.conv.conv2d`, channel pair by channel pair.

    .. math::
        dx[n, c] = \sum_f \hat g[n, f] * \hat w[f, c] \;\text{(full, cropped)}, \qquad
        dw[f, c] = \sum_n x_p[n, c] \star \hat g[n, f], \qquad
        db[f] = \sum_{n, i, j} dy[n, f, i, j],

    built from :func:`input_gradient_full` and
    :func:`weight_gradient_correlate`. Slow (loops over ``n, f, c``) but
    written as the formulas; equal to :func:`cnnedu.ops.conv.conv2d_backward`.

    Parameters
    ----------
    dy : array_like, shape (N, F, OH, OW)
    x : array_like, shape (N, C, H, W)
    w : array_like, shape (F, C, KH, KW)
    stride, padding, dilation : int or pair (padding: zeros on each side)

    Returns
    -------
    dx : ndarray (N, C, H, W)
    dw : ndarray (F, C, KH, KW)
    db : ndarray (F,)
    """
    dy = check_ndim(as_float_array(dy, "dy"), "dy", 4, "(N, F, OH, OW)")
    x = check_ndim(as_float_array(x, "x"), "x", 4, "(N, C, H, W)")
    w = check_ndim(as_float_array(w, "w"), "w", 4, "(F, C, KH, KW)")
    N, C, H, W = x.shape
    F = w.shape[0]
    if w.shape[1] != C:
        raise ValueError(f"w has {w.shape[1]} input channels but x has {C}")
    if dy.shape[:2] != (N, F):
        raise ValueError(f"dy must have shape (N, F, OH, OW) with (N, F) = {(N, F)}, "
                         f"got {dy.shape}")
    dx = np.zeros(x.shape, dtype=np.result_type(dy, x, w))
    dw = np.zeros(w.shape, dtype=dx.dtype)
    for n in range(N):
        for f in range(F):
            for c in range(C):
                dx[n, c] += input_gradient_full(dy[n, f], w[f, c], (H, W), stride, padding,
                                                dilation)
                dw[f, c] += weight_gradient_correlate(x[n, c], dy[n, f], w.shape[2:], stride,
                                                      padding, dilation)
    return dx, dw, dy.sum(axis=(0, 2, 3)).astype(dx.dtype)
