r"""The numbers behind the backpropagation chapter and its explorers.

Pure functions (numpy and :mod:`cnnedu` ops only, no drawing):

* :func:`scalar_graph` -- forward values and adjoints of the small graph
  :math:`L = (w x + b - t)^2`.
* :func:`dilate`, :func:`input_gradient_full`, :func:`weight_gradient_correlate`
  and :func:`conv2d_backward_by_correlation` -- the gradients of a
  convolution written as correlations and convolutions, to be compared with
  :func:`cnnedu.ops.conv.conv2d_backward`.
* :func:`pixel_contributions` -- which output cells and kernel taps meet a
  chosen input pixel; :func:`conv_gradients` -- the gradients a single-channel
  convolution sends back for the loss "one output cell" or "sum of all cells".
* :func:`kernel_problem` and :func:`learn_kernel` -- gradient descent
  recovering a hidden kernel from (input, output) pairs, every step kept.
* :func:`max_pool_routing` -- where max pooling sends each cell's gradient.
* :func:`conv_backward_view`, :func:`learn_kernel_view` and
  :func:`maxpool_routing_view` -- what the chapter's three explorers show for
  one setting of their controls (the *compute* step of
  :mod:`cnnedu.widgets.backprop`), with :func:`output_cell_range` and
  :func:`upstream_gradient`.

In the book's notation (0-based indices, padded input :math:`x_p`, stride
:math:`s`, dilation :math:`d`), a single-channel convolution is

.. math::  y[i, j] = \sum_{u=0}^{K_H-1} \sum_{v=0}^{K_W-1} x_p[i s + u d,\; j s + v d]\; w[u, v] .
"""
from __future__ import annotations

import html
from typing import NamedTuple

import numpy as np

from .._checks import as_float_array, as_pair, check_ndim, check_positive_int
from ..geometry import Geometry, check_padding, conv_geometry, pool_geometry
from ..kernels import get_kernel
from ..ops.conv import conv2d, conv2d_backward, convolve2d, correlate2d, im2col
from ..nn.optim import SGD, Adam
from ..ops.pool import max_pool2d, max_pool2d_backward
from .conv import geometry as explained_geometry
from .pool import pool_geometry_problem

__all__ = ["ScalarGraph", "scalar_graph", "dilate", "input_gradient_full",
           "weight_gradient_correlate", "conv2d_backward_by_correlation",
           "PixelContributions", "pixel_contributions", "ConvGradients", "conv_gradients",
           "KernelProblem", "kernel_problem", "KernelRun", "learn_kernel", "METHODS",
           "MaxPoolRouting", "max_pool_routing", "CONV_LOSSES", "UPSTREAMS", "output_cell_range",
           "conv_backward_view", "learn_kernel_view", "upstream_gradient", "maxpool_routing_view"]


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


def _single_geometry(input_size, kernel_size, stride, padding, dilation):
    """Sizes of a single-channel convolution with symmetric int padding; raise if it is empty.

    A dict of the :class:`cnnedu.geometry.Geometry`'s one-axis names (H, W, KH, KW, sh, sw,
    ph, pw, dh, dw, Hp, Wp, OH, OW), as the chapter's code reads them.
    """
    try:
        padding = check_padding(padding, modes=())
    except TypeError as exc:
        if not isinstance(padding, str):
            raise
        raise TypeError(f"{exc} (use cnnedu.geometry.resolve_padding to turn {padding!r} into "
                        f"numbers)") from None
    g = conv_geometry(input_size, kernel_size, stride, padding, dilation)
    if g.empty:
        raise ValueError(f"kernel {g.KH}x{g.KW} (extent {g.EH}x{g.EW}) does not fit a "
                         f"{g.H}x{g.W} input with padding {g.padding_text()}: the padded input "
                         f"is {g.Hp}x{g.Wp}")
    return _axis_names(g)


def _axis_names(g: Geometry) -> dict:
    """The one-axis sizes of ``g`` as a dict (H, W, KH, KW, sh, sw, ph, pw, dh, dw, Hp, Wp,
    OH, OW)."""
    return {name: getattr(g, name) for name in
            ("H", "W", "KH", "KW", "sh", "sw", "ph", "pw", "dh", "dw", "Hp", "Wp", "OH", "OW")}


def _check_2d(a, name, layout):
    return check_ndim(as_float_array(a, name), name, 2, layout)


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


# --------------------------------------------------------------------------
# Which outputs meet an input pixel
# --------------------------------------------------------------------------

class PixelContributions(NamedTuple):
    """Where input pixel ``(r, c)`` is used (see :func:`pixel_contributions`)."""

    #: the input pixel (r, c)
    pixel: tuple
    #: int array (n, 4): each row (i, j, u, v) says output (i, j) read the pixel through tap (u, v)
    pairs: np.ndarray
    #: bool (OH, OW): the output cells whose window contains the pixel
    outputs: np.ndarray
    #: bool (KH, KW): the kernel taps that ever meet the pixel
    taps: np.ndarray


def _axis_pairs(r, p, k, s, d, o):
    """(output index, tap) pairs along one axis with ``i s + u d = r + p``."""
    u = np.arange(k)
    num = r + p - u * d
    ok = (num >= 0) & (num % s == 0) & (num // s < o)
    return num[ok] // s, u[ok]


def pixel_contributions(input_size, kernel_size, pixel, stride=1, padding=0, dilation=1):
    r"""The output cells and kernel taps that meet input pixel ``(r, c)``.

    Output ``(i, j)`` reads input pixel ``(r, c)`` through tap ``(u, v)``
    when :math:`i s + u d = r + p` and :math:`j s + v d = c + p` (padded
    coordinates). The chain rule therefore gives

    .. math::  \frac{\partial L}{\partial x}[r, c] = \sum_{(i, j, u, v)} dy[i, j]\; w[u, v]

    over exactly these quadruples. With stride 1 and no dilation there are up
    to ``KH * KW`` of them, one per tap; a stride larger than 1 leaves some
    taps out, and pixels near the border or skipped by the stride have fewer
    (possibly none).

    Parameters
    ----------
    input_size : (H, W)
    kernel_size : int or (KH, KW)
    pixel : (r, c)
        0-based input coordinates, ``0 <= r < H``, ``0 <= c < W``.
    stride, padding, dilation : int or pair (padding: zeros on each side)

    Returns
    -------
    PixelContributions
        ``pairs`` (n, 4) int rows ``(i, j, u, v)`` in reading order of
        ``(i, j)``; ``outputs`` (OH, OW) bool; ``taps`` (KH, KW) bool.
    """
    g = _single_geometry(input_size, kernel_size, stride, padding, dilation)
    if (not isinstance(pixel, (tuple, list)) or len(pixel) != 2
            or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool)
                       for v in pixel)):
        raise TypeError(f"pixel must be a pair of ints (r, c), got {pixel!r}")
    r, c = int(pixel[0]), int(pixel[1])
    if not (0 <= r < g["H"] and 0 <= c < g["W"]):
        raise ValueError(f"pixel must lie in the {g['H']}x{g['W']} input, "
                         f"0 <= r < {g['H']} and 0 <= c < {g['W']}, got {(r, c)}")
    return _contributions(g, r, c)


def _contributions(g, r: int, c: int) -> PixelContributions:
    """:func:`pixel_contributions` of a checked pixel, for a geometry read as ``g[name]``."""
    i, u = _axis_pairs(r, g["ph"], g["KH"], g["sh"], g["dh"], g["OH"])
    j, v = _axis_pairs(c, g["pw"], g["KW"], g["sw"], g["dw"], g["OW"])
    I, J = np.meshgrid(i, j, indexing="ij")
    U, V = np.meshgrid(u, v, indexing="ij")
    pairs = np.stack([I.ravel(), J.ravel(), U.ravel(), V.ravel()], axis=1).astype(int)
    pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))] if len(pairs) else pairs.reshape(0, 4)
    outputs = np.zeros((g["OH"], g["OW"]), dtype=bool)
    taps = np.zeros((g["KH"], g["KW"]), dtype=bool)
    outputs[pairs[:, 0], pairs[:, 1]] = True
    taps[pairs[:, 2], pairs[:, 3]] = True
    return PixelContributions((r, c), pairs, outputs, taps)


class ConvGradients(NamedTuple):
    """Forward output and gradients of one single-channel convolution (:func:`conv_gradients`)."""

    #: output y (OH, OW)
    y: np.ndarray
    #: the loss: y[i, j] for one cell, or the sum of y
    loss: float
    #: dL/dy (OH, OW): one-hot at the chosen cell, or all ones
    dy: np.ndarray
    #: dL/dx (H, W)
    dx: np.ndarray
    #: dL/dw (KH, KW)
    dw: np.ndarray
    #: dL/db (a float)
    db: float


def conv_gradients(x, w, stride=1, padding=0, cell=None) -> ConvGradients:
    r"""Gradients of :math:`L = y[i, j]` (one cell) or :math:`L = \sum y` (all cells).

    ``y = conv2d(x, w, stride=stride, padding=padding)`` for one grey image
    and one kernel; the gradients come from :func:`cnnedu.ops.conv.conv2d_backward`
    with ``dL/dy`` one-hot at ``cell`` or, for ``cell=None``, all ones.

    Parameters
    ----------
    x : array_like, shape (H, W)
    w : array_like, shape (KH, KW)
    stride, padding : int or pair
    cell : (i, j) or None
        The output cell the loss is, or None for the sum of every cell.

    Returns
    -------
    ConvGradients
        ``y`` (OH, OW), ``loss``, ``dy`` (OH, OW), ``dx`` (H, W),
        ``dw`` (KH, KW), ``db``.
    """
    x = _check_2d(x, "x", "(H, W)")
    w = _check_2d(w, "w", "(KH, KW)")
    x4, w4 = x[None, None], w[None, None]
    cols: dict = {}                     # the padded input's windows, shared with the backward pass
    y = conv2d(x4, w4, stride=stride, padding=padding, cache=cols)[0, 0]
    dy = np.zeros_like(y)
    if cell is None:
        dy[...] = 1.0
        loss = float(y.sum())
    else:
        if (not isinstance(cell, (tuple, list)) or len(cell) != 2
                or not all(isinstance(v, (int, np.integer)) for v in cell)):
            raise TypeError(f"cell must be None or a pair of ints (i, j), got {cell!r}")
        i, j = int(cell[0]), int(cell[1])
        if not (0 <= i < y.shape[0] and 0 <= j < y.shape[1]):
            raise ValueError(f"cell must lie in the {y.shape[0]}x{y.shape[1]} output, got {(i, j)}")
        dy[i, j] = 1.0
        loss = float(y[i, j])
    dx, dw, db = conv2d_backward(dy[None, None], x4, w4, stride=stride, padding=padding,
                                 cache=cols)
    return ConvGradients(y, loss, dy, dx[0, 0], dw[0, 0], float(db[0]))


# --------------------------------------------------------------------------
# Learning a hidden kernel by gradient descent
# --------------------------------------------------------------------------

class KernelProblem(NamedTuple):
    """Recover a hidden kernel from (input, output) pairs (see :func:`kernel_problem`)."""

    #: inputs x, (N, 1, H, W)
    inputs: np.ndarray
    #: targets y = conv2d(x, hidden), (N, 1, OH, OW)
    targets: np.ndarray
    #: the hidden kernel, (KH, KW)
    hidden: np.ndarray
    #: Hessian of the loss with respect to the kernel's KH*KW weights (constant: the loss is
    #: quadratic)
    hessian: np.ndarray
    #: its largest and smallest eigenvalues
    lam_max: float
    lam_min: float


def kernel_problem(inputs, hidden="sobel_x") -> KernelProblem:
    r"""The problem "which kernel turned these inputs into these outputs?".

    The targets are the 'valid' cross-correlations of the inputs with the
    hidden kernel. The loss of a kernel :math:`w` is the mean squared error

    .. math::  L(w) = \frac{1}{M} \sum (\hat y - y)^2, \qquad \hat y = x \star w,

    over all :math:`M = N O_H O_W` output values. It is a quadratic function
    of the :math:`K_H K_W` weights: with :math:`A` the window matrix
    (``im2col(x).T``, one row per output value),
    :math:`L(w) = \frac1M \lVert A w - y \rVert^2` and its Hessian is the
    constant :math:`H = \frac2M A^{\top} A`. Plain gradient descent
    converges if and only if the learning rate is below
    :math:`2 / \lambda_{\max}(H)`.

    Parameters
    ----------
    inputs : array_like, shape (N, 1, H, W)
        One-channel images, e.g. ``cnnedu.samples.digits(8, 'train')`` or
        ``cnnedu.samples.photo_crops(8)``; used in float64.
    hidden : str or array_like (KH, KW)
        A name for :func:`cnnedu.kernels.get_kernel` or the kernel itself;
        at most as large as the inputs.

    Returns
    -------
    KernelProblem
    """
    x = check_ndim(as_float_array(inputs, "inputs"), "inputs", 4, "(N, 1, H, W)")
    if x.shape[1] != 1 or 0 in x.shape:
        raise ValueError(f"inputs must be a non-empty batch of one-channel images "
                         f"(N, 1, H, W), got shape {x.shape}")
    x = np.array(x, dtype=np.float64)
    hidden = get_kernel(hidden) if isinstance(hidden, str) else _check_2d(hidden, "hidden",
                                                                           "(KH, KW)")
    hidden = np.asarray(hidden, dtype=np.float64)
    if hidden.shape[0] > x.shape[2] or hidden.shape[1] > x.shape[3]:
        raise ValueError(f"hidden kernel {hidden.shape} does not fit "
                         f"{x.shape[2]}x{x.shape[3]} inputs")
    y = conv2d(x, hidden[None, None])
    A = im2col(x, *hidden.shape).T                 # (M, KH*KW)
    H = 2.0 * (A.T @ A) / A.shape[0]
    eig = np.linalg.eigvalsh(H)
    return KernelProblem(x, y, hidden, H, float(eig[-1]), float(eig[0]))


class KernelRun(NamedTuple):
    """A gradient-descent run on a :class:`KernelProblem` (see :func:`learn_kernel`)."""

    method: str
    lr: float
    #: kernels before step 0 and after each step, (T + 1, KH, KW); T <= steps
    kernels: np.ndarray
    #: the prediction for the first input at each of those points, (T + 1, OH, OW)
    predictions: np.ndarray
    #: the loss at each point, (T + 1,)
    losses: np.ndarray
    #: number of steps asked for
    steps: int
    #: True if the run was stopped because the loss grew ``blowup``-fold (or overflowed)
    diverged: bool
    #: largest loss divided by the first loss
    growth: float


#: optimisers known to :func:`learn_kernel`
METHODS = ("sgd", "momentum", "adam")


def _optimizer(method, lr):
    if method == "sgd":
        return SGD(lr)
    if method == "momentum":
        return SGD(lr, momentum=0.9)
    return Adam(lr)


def learn_kernel(problem: KernelProblem, lr: float, steps: int = 100, method: str = "sgd",
                 init=None, blowup: float = 1e6) -> KernelRun:
    r"""Recover the hidden kernel by gradient descent, keeping every step.

    Each step predicts :math:`\hat y = x \star w` with
    :func:`cnnedu.ops.conv.conv2d`, takes the mean squared error and its
    gradient :math:`\partial L / \partial \hat y = 2 (\hat y - y) / M`
    (as :func:`cnnedu.ops.loss.mse`), gets :math:`\partial L / \partial w` from
    :func:`cnnedu.ops.conv.conv2d_backward` and lets the optimiser of
    :mod:`cnnedu.nn.optim` update :math:`w` (``'sgd'``:
    :math:`w \leftarrow w - \eta \nabla_w L`; ``'momentum'``: the same with
    momentum 0.9; ``'adam'``: Adam with its default betas).

    A learning rate too large makes the loss grow geometrically. The run
    stops as soon as the loss exceeds ``blowup`` times its first value (or
    stops being finite), so the arrays never hold inf or NaN and no
    floating-point warning is raised.

    Parameters
    ----------
    problem : KernelProblem
    lr : float
        Learning rate :math:`\eta > 0`.
    steps : int
        Number of steps to take (fewer if the run diverges).
    method : {'sgd', 'momentum', 'adam'}
    init : array_like (KH, KW), optional
        Starting kernel; zeros by default.
    blowup : float
        Growth factor of the loss at which the run is stopped.

    Returns
    -------
    KernelRun
    """
    if not isinstance(problem, KernelProblem):
        raise TypeError(f"problem must be a KernelProblem (see kernel_problem), "
                        f"got {type(problem).__name__}")
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    steps = check_positive_int(steps, "steps", minimum=0)
    if isinstance(lr, bool) or not isinstance(lr, (int, float, np.integer, np.floating)) \
            or not np.isfinite(lr) or lr <= 0:
        raise ValueError(f"lr must be a positive finite number, got {lr!r}")
    if isinstance(blowup, bool) or not isinstance(blowup, (int, float, np.integer, np.floating)) \
            or not blowup > 1:
        raise ValueError(f"blowup must be a number greater than 1, got {blowup!r}")
    x, y = problem.inputs, problem.targets
    shape = problem.hidden.shape
    w = np.zeros((1, 1) + shape) if init is None else np.array(
        _check_2d(init, "init", "(KH, KW)"), dtype=np.float64)[None, None]
    if w.shape[2:] != shape:
        raise ValueError(f"init must have the hidden kernel's shape {shape}, got {w.shape[2:]}")
    opt = _optimizer(method, float(lr))
    kernels, predictions, losses = [], [], []
    diverged = False
    for step in range(steps + 1):
        with np.errstate(over="ignore", invalid="ignore"):
            pred = conv2d(x, w)
            diff = pred - y
            loss = float(np.mean(diff * diff))            # cnnedu.ops.loss.mse, overflow-safe
        if not np.isfinite(loss):
            if not losses:
                raise ValueError("the loss of the initial kernel is not finite: use a smaller init")
            diverged = True
            break
        kernels.append(w[0, 0].copy())
        predictions.append(pred[0, 0])
        losses.append(loss)
        if loss > blowup * max(losses[0], 1e-300):
            diverged = True                               # keep this last, finite point
            break
        if step == steps:
            break
        with np.errstate(over="ignore", invalid="ignore"):
            _, dw, _ = conv2d_backward(2 * diff / diff.size, x, w)
            opt.step([w], [dw])
        if not np.all(np.isfinite(w)):
            diverged = True
            break
    losses = np.array(losses)
    growth = float(losses.max() / losses[0]) if losses[0] > 0 else 1.0
    return KernelRun(method, float(lr), np.array(kernels), np.array(predictions), losses,
                     steps, diverged, growth)


# --------------------------------------------------------------------------
# Max pooling: where the gradient goes
# --------------------------------------------------------------------------

class MaxPoolRouting(NamedTuple):
    """Where max pooling sends each output cell's gradient (see :func:`max_pool_routing`)."""

    #: pooled output (OH, OW)
    output: np.ndarray
    #: int (OH, OW, 2): input (row, col) of each window's maximum (the first one on a tie)
    winners: np.ndarray
    #: dL/dx (H, W), from :func:`cnnedu.ops.pool.max_pool2d_backward`
    dx: np.ndarray
    #: int (H, W): how many windows each input cell wins
    wins: np.ndarray
    #: number of windows whose maximum is shared by several cells
    ties: int


def max_pool_routing(x, dy, size, stride=None, padding=0) -> MaxPoolRouting:
    r"""Max pooling's backward pass, made visible.

    Output cell :math:`(i, j)` passes its whole gradient :math:`dy[i, j]` to
    the cell of its window holding the maximum (the first in reading order
    on a tie, as :func:`numpy.argmax`); every other cell of the window gets
    nothing from it, and a cell that wins several overlapping windows adds
    up their gradients.

    Parameters
    ----------
    x : array_like, shape (H, W)
        One feature map.
    dy : array_like, shape (OH, OW)
        Upstream gradient.
    size, stride, padding
        As in :func:`cnnedu.ops.pool.max_pool2d` (stride defaults to size).

    Returns
    -------
    MaxPoolRouting
        ``output``, ``winners`` (OH, OW, 2), ``dx`` (H, W), ``wins`` (H, W),
        ``ties``.
    """
    x = _check_2d(x, "x", "(H, W)")
    dy = _check_2d(dy, "dy", "(OH, OW)")
    y = max_pool2d(x[None, None], size, stride, padding)[0, 0]
    if dy.shape != y.shape:
        raise ValueError(f"dy must have the pooled output's shape (OH, OW) = {y.shape}, "
                         f"got {dy.shape}")
    return _routing(x, dy, y, pool_geometry(x.shape, size, stride, padding))


def _routing(x, dy, y, g: Geometry) -> MaxPoolRouting:
    """:func:`max_pool_routing` of checked arrays: ``y`` is the pooled ``x``, ``g`` its geometry."""
    (kh, kw), (sh, sw), (ph, pw) = g.kernel_size, g.stride, (g.ph, g.pw)
    xp = np.pad(x, ((ph, ph), (pw, pw)), constant_values=-np.inf) if ph or pw else x
    oh, ow = y.shape
    win = np.lib.stride_tricks.sliding_window_view(xp, (kh, kw))[::sh, ::sw][:oh, :ow]
    flat = win.reshape(oh, ow, kh * kw)
    k = flat.argmax(axis=-1)
    rows = np.arange(oh)[:, None] * sh + k // kw - ph
    cols = np.arange(ow)[None, :] * sw + k % kw - pw
    winners = np.stack([rows, cols], axis=-1)
    ties = int(np.count_nonzero((flat == y[..., None]).sum(axis=-1) > 1))
    wins = np.zeros(x.shape, dtype=int)
    np.add.at(wins, (rows.ravel(), cols.ravel()), 1)
    dx = max_pool2d_backward(dy[None, None], x[None, None], g.kernel_size, g.stride,
                             (ph, pw))[0, 0]
    return MaxPoolRouting(y, winners, dx, wins, ties)


# --------------------------------------------------------------------------
# What the explorers show
# --------------------------------------------------------------------------

#: the losses of :func:`conv_backward_view`: one output cell, or the sum of all cells
CONV_LOSSES = ("cell", "sum")
#: the upstream gradients of :func:`maxpool_routing_view` (see :func:`upstream_gradient`)
UPSTREAMS = ("ones", "random")


def _check_index(value, name: str, size: int, what: str) -> int:
    """``value`` as an int index ``0 <= value < size`` into ``what``, or a clear error."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int index into the {what}, got {value!r}")
    if not 0 <= value < size:
        raise ValueError(f"{name} must be an index into the {what}, 0 to {size - 1}, "
                         f"got {value}")
    return int(value)


def output_cell_range(input_size, kernel_size, stride=1, padding=0, loss="cell") -> int | None:
    """The largest output cell ``i * OW + j`` the loss "one cell" can take, or None.

    ``OH * OW - 1`` for ``loss='cell'``; ``None`` (no cell to choose) for
    ``loss='sum'`` or when the kernel does not fit. The geometry is that of
    :func:`conv_backward_view` (:func:`cnnedu.geometry.conv_geometry`, cached).

    Parameters
    ----------
    input_size : (H, W)
    kernel_size : (KH, KW)
    stride, padding : int
    loss : {'cell', 'sum'}
    """
    if loss not in CONV_LOSSES:
        raise ValueError(f"loss must be 'cell' or 'sum', got {loss!r}")
    g = conv_geometry(input_size, kernel_size, stride, padding)
    return None if loss == "sum" or g.empty else g.OH * g.OW - 1


def conv_backward_view(x, w, stride=1, padding=0, loss="sum", cell=0, pixel=0) -> dict:
    r"""What the convolution-gradient explorer shows for one setting of its controls.

    ``y = conv2d(x, w, stride, padding)`` for one grey image and one kernel,
    the loss :math:`L = y[i, j]` (``loss='cell'``, so ``dL/dy`` is one-hot)
    or :math:`L = \sum y` (``'sum'``, ``dL/dy`` all ones), its gradients from
    :func:`cnnedu.ops.conv.conv2d_backward` (:func:`conv_gradients`) and the
    (output cell, tap) pairs that meet input pixel ``(r, c)``
    (:func:`pixel_contributions`). The geometry is computed once; a kernel
    that does not fit is explained (``valid`` False), not raised.

    Parameters
    ----------
    x : array_like, shape (H, W)
    w : array_like, shape (KH, KW)
    stride : int, >= 1
    padding : int, >= 0
        Zeros on each side.
    loss : {'cell', 'sum'}
    cell : int
        The output cell ``i * OW + j`` of the loss 'cell' (ignored for 'sum'
        and when there is no output), ``0 <= cell < OH * OW``.
    pixel : int
        The traced input pixel ``r * W + c``, ``0 <= pixel < H * W``.

    Returns
    -------
    dict
        ``input`` (H, W), ``kernel`` (KH, KW), ``stride``, ``padding``,
        ``loss``, ``pixel`` ``(r, c)``, ``valid``, ``problem`` (why there is no
        output, or None), ``output_size`` ``(OH, OW)`` (``(0, 0)`` if none),
        ``y``, ``dy`` (OH, OW), ``dx`` (H, W), ``dw`` (KH, KW), ``db``,
        ``cell`` ``(i, j)`` (None for the sum), ``pairs`` (n, 4) rows
        ``(i, j, u, v)``, ``outputs`` (OH, OW) and ``taps`` (KH, KW) masks,
        and ``notes``: sentences about the geometry, as HTML text. The arrays
        are None when there is no output.
    """
    x = _check_2d(x, "x", "(H, W)")
    w = _check_2d(w, "w", "(KH, KW)")
    stride = check_positive_int(stride, "stride")
    padding = check_positive_int(padding, "padding", minimum=0)
    if loss not in CONV_LOSSES:
        raise ValueError(f"loss must be 'cell' or 'sum', got {loss!r}")
    H, W = x.shape
    r, c = divmod(_check_index(pixel, "pixel", H * W, f"{H}x{W} input (r * W + c)"), W)
    g = explained_geometry(H, W, *w.shape, stride=stride, padding=padding)
    view = dict(input=x, kernel=w, stride=stride, padding=padding, loss=loss, pixel=(r, c))
    if g.empty:
        return dict(view, valid=False, problem=f"{g.explanation}.", output_size=(0, 0), y=None,
                    dy=None, dx=None, dw=None, db=None, cell=None, pairs=None, outputs=None,
                    taps=None, notes=[])
    OH, OW = g.output_size
    chosen = None if loss == "sum" else divmod(
        _check_index(cell, "cell", OH * OW, f"{OH}x{OW} output (i * OW + j)"), OW)
    grads = conv_gradients(x, w, stride, padding, chosen)
    met = _contributions(_axis_names(g), r, c)
    return dict(view, valid=True, problem=None, output_size=(OH, OW), y=grads.y, dy=grads.dy,
                dx=grads.dx, dw=grads.dw, db=grads.db, cell=chosen, pairs=met.pairs,
                outputs=met.outputs, taps=met.taps, notes=_conv_notes(g, met))


def _conv_notes(g, met: PixelContributions) -> list[str]:
    """Sentences (HTML text) on what the geometry ``g`` leaves with zero gradient."""
    (r, c), s, p = met.pixel, g.sh, g.ph
    notes = []
    if not len(met.pairs):
        notes.append(f"Pixel ({r}, {c}) lies in no window: it never reaches the output, "
                     "so its gradient is 0.")
    once = [name for name, o, n, k in (("down", g.OH, g.H, g.KH), ("across", g.OW, g.W, g.KW))
            if o == 1 and s > 1 and s > n + 2 * p - k]
    if once:
        notes.append(f"With stride {s} a second window would start at row or column {s}, "
                     f"beyond the padded input ({g.H + 2 * p}&times;{g.W + 2 * p}): the kernel "
                     f"fits only once {' and '.join(once)}, and every pixel outside that "
                     "window gets zero gradient.")
    elif s > g.KH or s > g.KW:
        notes.append(f"The stride ({s}) is larger than the kernel ({g.KH}&times;{g.KW}): "
                     "windows skip pixels, and a skipped pixel gets zero gradient.")
    elif g.note:
        notes.append(html.escape(g.note[0].upper() + g.note[1:]) + "; their pixels get "
                     "zero gradient.")
    return notes


def learn_kernel_view(problem: KernelProblem, run: KernelRun, data: str, lr: float,
                      step: int) -> dict:
    """What the kernel-learning explorer shows at one step of a run.

    Parameters
    ----------
    problem : KernelProblem
        From :func:`kernel_problem`.
    run : KernelRun
        From :func:`learn_kernel` on ``problem``.
    data : str
        The name of the inputs, as the explorer's control says it.
    lr : float
        The learning rate asked for (the control's value).
    step : int
        The step asked for, ``0 <= step <= run.steps``; a diverged run shows
        its last step instead of the later ones.

    Returns
    -------
    dict
        ``data``, ``lr``, ``step``, ``shown_step``, ``kernel`` (KH, KW),
        ``hidden`` (KH, KW), ``prediction`` and ``target`` (OH, OW) for the
        first input, ``losses`` (up to the shown step), ``loss``,
        ``diverged``, ``stopped_at`` (the run's last step if it diverged,
        else None), ``growth``, ``lam_max``, ``lam_min`` and ``lr_limit``
        (``2 / lam_max``).
    """
    if not isinstance(problem, KernelProblem) or not isinstance(run, KernelRun):
        raise TypeError(f"problem and run must be a KernelProblem and a KernelRun, got "
                        f"{type(problem).__name__} and {type(run).__name__}")
    if isinstance(step, bool) or not isinstance(step, (int, np.integer)) \
            or not 0 <= step <= run.steps:
        raise ValueError(f"step must be an int from 0 to {run.steps}, got {step!r}")
    last = len(run.losses) - 1
    t = min(int(step), last)
    return dict(data=data, lr=float(lr), step=int(step), shown_step=t, kernel=run.kernels[t],
                hidden=problem.hidden, prediction=run.predictions[t],
                target=problem.targets[0, 0], losses=run.losses[:t + 1],
                loss=float(run.losses[t]), diverged=run.diverged,
                stopped_at=last if run.diverged else None, growth=run.growth,
                lam_max=problem.lam_max, lam_min=problem.lam_min,
                lr_limit=2.0 / problem.lam_max)


def upstream_gradient(kind: str, shape) -> np.ndarray:
    """The upstream gradient ``dL/dy`` of the routing explorer, shape ``(OH, OW)``.

    ``'ones'``: all ones; ``'random'``: standard normal numbers (seed 0)
    rounded to one decimal, the same for the same shape.
    """
    if kind == "ones":
        return np.ones(shape)
    if kind == "random":
        return np.round(np.random.default_rng(0).standard_normal(shape), 1)
    raise ValueError(f"upstream must be 'ones' or 'random', got {kind!r}")


def maxpool_routing_view(x, size, stride, upstream="ones") -> dict:
    """What the max-pooling routing explorer shows for one setting of its controls.

    Max pooling of ``x`` with a ``size x size`` window and stride ``stride``
    (no padding), the upstream gradient :func:`upstream_gradient` and its
    routing (:func:`max_pool_routing`, with ``dx`` from
    :func:`cnnedu.ops.pool.max_pool2d_backward`). The geometry is computed
    once; a window larger than the map is explained (``valid`` False), not
    raised.

    Parameters
    ----------
    x : array_like, shape (H, W)
    size, stride : int, >= 1
    upstream : {'ones', 'random'}

    Returns
    -------
    dict
        ``input``, ``size``, ``stride``, ``upstream``, ``valid``, ``problem``
        (a sentence, or None), ``output_size`` ``(OH, OW)`` (``(0, 0)`` if
        none), ``output``, ``dy`` (OH, OW), ``dx`` (H, W), ``winners``
        (OH, OW, 2), ``wins`` (H, W) and ``ties``; None when there is no
        output.
    """
    x = _check_2d(x, "x", "(H, W)")
    size = check_positive_int(size, "size")
    stride = check_positive_int(stride, "stride")
    if upstream not in UPSTREAMS:
        raise ValueError(f"upstream must be 'ones' or 'random', got {upstream!r}")
    view = dict(input=x, size=size, stride=stride, upstream=upstream)
    g = pool_geometry(x.shape, size, stride)
    if g.empty:
        return dict(view, valid=False, problem=pool_geometry_problem(x.shape, size, stride),
                    output_size=(0, 0), output=None, dy=None, dx=None, winners=None, wins=None,
                    ties=None)
    dy = upstream_gradient(upstream, g.output_size)
    R = _routing(x, dy, max_pool2d(x[None, None], size, stride)[0, 0], g)
    return dict(view, valid=True, problem=None, output_size=g.output_size, output=R.output,
                dy=dy, dx=R.dx, winners=R.winners, wins=R.wins, ties=R.ties)
