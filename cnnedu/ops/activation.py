"""Activation functions and their derivatives.

Every activation ``f(x)`` comes with ``f_grad(x)``, its derivative at ``x``,
taking the same parameters. All of them except softmax act element-wise, so
the backward pass of ``y = f(x)`` is ``dx = dy * f_grad(x)``. Softmax mixes
the entries along one axis: :func:`softmax_grad` returns its full Jacobian
and :func:`softmax_backward` the vector-Jacobian product a backward pass needs.

Conventions
-----------
- Output dtype follows the input: float32 in, float32 out; integers become
  float64.
- At a kink (``x = 0`` for ReLU, leaky ReLU, PReLU, ELU and SELU) the
  derivative is that of the left branch (``x < 0``): ``relu_grad(0) = 0``,
  ``leaky_relu_grad(0) = prelu_grad(0) = alpha``, ``elu_grad(0) = alpha``,
  ``selu_grad(0) = lambda * alpha``. GELU and SiLU are smooth.
- No overflow for large inputs (``x = +-1000`` is fine in float32 and
  float64): sigmoid uses ``exp(-|x|)``, softmax subtracts the maximum, ELU and
  SELU take ``expm1`` of the clipped negative part. Results that are smaller
  than the smallest float are rounded to 0 without a warning.

:data:`ACTIVATIONS` and :func:`get_activation` map names such as ``'relu'``
to ``(f, f_grad)`` pairs, for layers that take ``activation='relu'``.
PReLU is not in it: its slope is learned, by the layer
:class:`cnnedu.nn.activation.PReLU`.
"""
from __future__ import annotations

import difflib
import functools
import math
import numbers
from typing import Callable, NamedTuple

import numpy as np

from .._checks import as_float_array

__all__ = [
    "linear", "linear_grad",
    "sigmoid", "sigmoid_grad",
    "tanh", "tanh_grad",
    "relu", "relu_grad",
    "leaky_relu", "leaky_relu_grad",
    "elu", "elu_grad",
    "selu", "selu_grad",
    "gelu", "gelu_grad",
    "silu", "silu_grad",
    "prelu", "prelu_grad",
    "softmax", "softmax_grad", "softmax_backward",
    "SELU_LAMBDA", "SELU_ALPHA",
    "Activation", "ACTIVATIONS", "get_activation",
]

#: SELU scale :math:`\lambda` (Klambauer et al., 2017, "Self-Normalizing Neural Networks").
SELU_LAMBDA = 1.0507009873554804934193349852946
#: SELU :math:`\alpha` (Klambauer et al., 2017).
SELU_ALPHA = 1.6732632423543772848170429916717


def _check_alpha(alpha, name: str = "alpha") -> float:
    if not isinstance(alpha, numbers.Real) or isinstance(alpha, bool):
        raise TypeError(f"{name} must be a real number, got {alpha!r} ({type(alpha).__name__})")
    if not np.isfinite(alpha):
        raise ValueError(f"{name} must be a finite real number, got {alpha!r}")
    return float(alpha)


def _check_axis(axis, x: np.ndarray) -> int:
    if not isinstance(axis, numbers.Integral) or isinstance(axis, bool):
        raise TypeError(f"axis must be an int, got {axis!r} ({type(axis).__name__})")
    if x.ndim == 0:
        raise ValueError("softmax needs an array with at least one axis, got a 0-D scalar")
    if not -x.ndim <= axis < x.ndim:
        raise ValueError(f"axis {axis} is out of range for x of shape {x.shape} "
                         f"(allowed: {-x.ndim} to {x.ndim - 1})")
    axis = int(axis) % x.ndim
    if x.shape[axis] == 0:
        raise ValueError(f"softmax over an empty axis: axis {axis} of x has length 0 "
                         f"(x has shape {x.shape})")
    return axis


# --------------------------------------------------------------------------- linear

def linear(x):
    """Identity activation, :math:`f(x) = x` (a layer with no activation).

    Parameters
    ----------
    x : array_like, any shape

    Returns
    -------
    y : ndarray, same shape as ``x``
        A copy of ``x`` as a float array.

    Notes
    -----
    .. math:: f(x) = x, \\qquad f'(x) = 1.

    Range: all reals.
    """
    return as_float_array(x, "x").copy()


def linear_grad(x):
    """Derivative of :func:`linear`: ones, same shape and dtype as ``x``.

    Parameters
    ----------
    x : array_like, any shape

    Returns
    -------
    dydx : ndarray, same shape as ``x``
    """
    return np.ones_like(as_float_array(x, "x"))


# --------------------------------------------------------------------------- sigmoid

def sigmoid(x):
    """Logistic sigmoid, element-wise.

    Parameters
    ----------
    x : array_like, any shape

    Returns
    -------
    y : ndarray, same shape as ``x``, values in [0, 1]

    Notes
    -----
    .. math:: \\sigma(x) = \\frac{1}{1 + e^{-x}}, \\qquad
              \\sigma'(x) = \\sigma(x)\\,(1 - \\sigma(x)).

    Range: (0, 1) (in floating point, 0 and 1 are reached for large ``|x|``).
    Computed from :math:`z = e^{-|x|} \\in (0, 1]`, which never overflows:
    :math:`\\sigma(x) = 1/(1+z)` for :math:`x \\ge 0` and :math:`z/(1+z)`
    for :math:`x < 0`.
    """
    x = as_float_array(x, "x")
    with np.errstate(under="ignore"):
        z = np.exp(-np.abs(x))
        s = 1 / (1 + z)
        return np.where(x >= 0, s, z * s)


def sigmoid_grad(x):
    """Derivative of :func:`sigmoid`, element-wise.

    Parameters
    ----------
    x : array_like, any shape

    Returns
    -------
    dydx : ndarray, same shape as ``x``, values in [0, 1/4]

    Notes
    -----
    .. math:: \\sigma'(x) = \\sigma(x)\\,(1 - \\sigma(x))
              = \\frac{e^{-|x|}}{(1 + e^{-|x|})^2}.

    The second form (the derivative is even) keeps full relative accuracy in
    the tails, where :math:`1 - \\sigma(x)` would round to 0. Maximum 1/4 at 0.
    """
    x = as_float_array(x, "x")
    with np.errstate(under="ignore"):
        z = np.exp(-np.abs(x))
        return z / (1 + z) ** 2


# --------------------------------------------------------------------------- tanh

def tanh(x):
    """Hyperbolic tangent, element-wise.

    Parameters
    ----------
    x : array_like, any shape

    Returns
    -------
    y : ndarray, same shape as ``x``, values in [-1, 1]

    Notes
    -----
    .. math:: \\tanh(x) = \\frac{e^{x} - e^{-x}}{e^{x} + e^{-x}} = 2\\sigma(2x) - 1,
              \\qquad \\tanh'(x) = 1 - \\tanh^2(x).

    Range: (-1, 1); zero-centred, unlike the sigmoid.
    """
    return np.tanh(as_float_array(x, "x"))


def tanh_grad(x):
    """Derivative of :func:`tanh`, element-wise: :math:`1 - \\tanh^2(x)`.

    Parameters
    ----------
    x : array_like, any shape

    Returns
    -------
    dydx : ndarray, same shape as ``x``, values in [0, 1]
    """
    t = np.tanh(as_float_array(x, "x"))
    return 1 - t * t


# --------------------------------------------------------------------------- ReLU family

def relu(x):
    """Rectified linear unit, element-wise: :math:`\\max(x, 0)`.

    Parameters
    ----------
    x : array_like, any shape

    Returns
    -------
    y : ndarray, same shape as ``x``, values >= 0

    Notes
    -----
    .. math:: \\mathrm{ReLU}(x) = \\max(x, 0), \\qquad
              \\mathrm{ReLU}'(x) = \\begin{cases} 1 & x > 0 \\\\ 0 & x \\le 0 \\end{cases}

    Range: [0, inf). ReLU has no derivative at 0; :func:`relu_grad` uses 0 there.
    """
    x = as_float_array(x, "x")
    if x.ndim == 0:
        return np.maximum(x, x.dtype.type(0))
    # against an array of zeros numpy runs its vectorised loop (about twice as fast as
    # against the number 0), with the same result, -0.0 and NaN included
    out = np.zeros_like(x)
    return np.maximum(x, out, out=out)


def relu_grad(x):
    """Derivative of :func:`relu`: 1 where ``x > 0``, else 0 (also at ``x = 0``).

    Parameters
    ----------
    x : array_like, any shape

    Returns
    -------
    dydx : ndarray, same shape and dtype as ``x``, values in {0, 1}
    """
    x = as_float_array(x, "x")
    return (x > 0).astype(x.dtype)


def leaky_relu(x, alpha=0.01):
    """Leaky ReLU, element-wise: ``x`` for positive ``x``, ``alpha * x`` otherwise.

    Parameters
    ----------
    x : array_like, any shape
    alpha : float
        Slope for negative inputs.

    Returns
    -------
    y : ndarray, same shape as ``x``

    Notes
    -----
    .. math:: f(x) = \\begin{cases} x & x > 0 \\\\ \\alpha x & x \\le 0 \\end{cases},
              \\qquad
              f'(x) = \\begin{cases} 1 & x > 0 \\\\ \\alpha & x \\le 0 \\end{cases}

    Range: all reals for ``0 < alpha``. The derivative at 0 is taken as
    ``alpha`` (the left branch), the same convention as :func:`relu_grad`.
    """
    x = as_float_array(x, "x")
    alpha = _check_alpha(alpha)
    return np.where(x > 0, x, alpha * x)


def leaky_relu_grad(x, alpha=0.01):
    """Derivative of :func:`leaky_relu`: 1 where ``x > 0``, ``alpha`` otherwise.

    Parameters
    ----------
    x : array_like, any shape
    alpha : float
        Slope for negative inputs.

    Returns
    -------
    dydx : ndarray, same shape and dtype as ``x``
    """
    x = as_float_array(x, "x")
    alpha = _check_alpha(alpha)
    return np.where(x > 0, 1.0, alpha).astype(x.dtype)


def elu(x, alpha=1.0):
    """Exponential linear unit (Clevert et al., 2015), element-wise.

    Parameters
    ----------
    x : array_like, any shape
    alpha : float
        Value the output approaches for very negative inputs is ``-alpha``.

    Returns
    -------
    y : ndarray, same shape as ``x``

    Notes
    -----
    .. math:: f(x) = \\begin{cases} x & x > 0 \\\\
                                    \\alpha\\,(e^{x} - 1) & x \\le 0 \\end{cases},
              \\qquad
              f'(x) = \\begin{cases} 1 & x > 0 \\\\ \\alpha\\, e^{x} & x \\le 0 \\end{cases}

    Range: (-alpha, inf) for ``alpha > 0``. The negative branch is computed
    as ``alpha * expm1(min(x, 0))``: accurate near 0 and never overflowing.
    At 0 the derivative is taken from the left branch, ``alpha`` (for
    ``alpha = 1`` both sides agree).
    """
    x = as_float_array(x, "x")
    alpha = _check_alpha(alpha)
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))


def elu_grad(x, alpha=1.0):
    """Derivative of :func:`elu`: 1 where ``x > 0``, ``alpha * exp(x)`` otherwise.

    Parameters
    ----------
    x : array_like, any shape
    alpha : float

    Returns
    -------
    dydx : ndarray, same shape and dtype as ``x``
    """
    x = as_float_array(x, "x")
    alpha = _check_alpha(alpha)
    with np.errstate(under="ignore"):
        return np.where(x > 0, x.dtype.type(1), alpha * np.exp(np.minimum(x, 0)))


def selu(x):
    """Scaled exponential linear unit (Klambauer et al., 2017), element-wise.

    Parameters
    ----------
    x : array_like, any shape

    Returns
    -------
    y : ndarray, same shape as ``x``

    Notes
    -----
    .. math:: f(x) = \\lambda \\begin{cases} x & x > 0 \\\\
                                             \\alpha\\,(e^{x} - 1) & x \\le 0 \\end{cases},
              \\qquad
              f'(x) = \\lambda \\begin{cases} 1 & x > 0 \\\\
                                              \\alpha\\, e^{x} & x \\le 0 \\end{cases}

    with :math:`\\lambda \\approx 1.0507009873554805` (:data:`SELU_LAMBDA`)
    and :math:`\\alpha \\approx 1.6732632423543772` (:data:`SELU_ALPHA`), the
    constants that make zero mean and unit variance a fixed point.
    Range: :math:`(-\\lambda\\alpha, \\infty) \\approx (-1.7581, \\infty)`.
    At 0 the derivative is the left one, :math:`\\lambda\\alpha`.
    """
    with np.errstate(under="ignore"):
        return SELU_LAMBDA * elu(x, SELU_ALPHA)


def selu_grad(x):
    """Derivative of :func:`selu`: ``lambda`` for ``x > 0``, ``lambda * alpha * exp(x)`` otherwise.

    Parameters
    ----------
    x : array_like, any shape

    Returns
    -------
    dydx : ndarray, same shape and dtype as ``x``
    """
    with np.errstate(under="ignore"):
        return SELU_LAMBDA * elu_grad(x, SELU_ALPHA)


# --------------------------------------------------------------------------- GELU, SiLU

_erfc = np.frompyfunc(math.erfc, 1, 1)
_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)
_GELU_APPROXIMATIONS = ("none", "tanh")


def _check_approximate(approximate) -> str:
    if approximate not in _GELU_APPROXIMATIONS:
        raise ValueError(f"approximate must be 'none' (the exact erf form) or 'tanh', "
                         f"got {approximate!r}")
    return approximate


def _normal_cdf(x):
    """Standard normal cumulative distribution function, :math:`\\Phi(x)`, element-wise.

    Parameters
    ----------
    x : array_like, any shape

    Returns
    -------
    ndarray, same shape and float dtype as ``x``, values in [0, 1]

    Notes
    -----
    .. math:: \\Phi(x) = \\tfrac12 \\operatorname{erfc}(-x / \\sqrt 2).

    The ``erfc`` form keeps full relative accuracy in the left tail, where
    :math:`\\tfrac12 (1 + \\operatorname{erf}(x / \\sqrt 2))` would cancel to 0.
    Computed in float64 with :func:`math.erfc` and cast back.
    """
    x = as_float_array(x, "x")
    with np.errstate(under="ignore"):
        erfc = np.asarray(_erfc(-x.astype(np.float64) / math.sqrt(2)), dtype=np.float64)
        return (0.5 * erfc).astype(x.dtype)


def _normal_pdf(x):
    with np.errstate(under="ignore"):
        return np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)


def gelu(x, approximate="none"):
    """Gaussian error linear unit (Hendrycks & Gimpel, 2016), element-wise.

    Parameters
    ----------
    x : array_like, any shape
    approximate : {'none', 'tanh'}
        ``'none'``: the exact form :math:`x\\,\\Phi(x)` (the default, as in
        PyTorch and Keras); ``'tanh'``: the paper's tanh approximation.

    Returns
    -------
    y : ndarray, same shape as ``x``

    Notes
    -----
    .. math:: \\mathrm{GELU}(x) = x\\,\\Phi(x), \\qquad
              \\mathrm{GELU}'(x) = \\Phi(x) + x\\,\\varphi(x),

    with :math:`\\Phi` the standard normal CDF and
    :math:`\\varphi(x) = e^{-x^2/2} / \\sqrt{2\\pi}` its density. The tanh form is
    :math:`\\tfrac12 x \\big(1 + \\tanh(\\sqrt{2/\\pi}\\,(x + 0.044715\\,x^3))\\big)`.
    Smooth, not monotonic: minimum about -0.170 at :math:`x \\approx -0.752`.
    Range: about [-0.170, inf).
    """
    approximate = _check_approximate(approximate)
    x = as_float_array(x, "x")
    with np.errstate(under="ignore"):
        if approximate == "tanh":
            return 0.5 * x * (1 + np.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x ** 3)))
        return x * _normal_cdf(x)


def gelu_grad(x, approximate="none"):
    """Derivative of :func:`gelu`, element-wise: :math:`\\Phi(x) + x\\,\\varphi(x)`.

    Parameters
    ----------
    x : array_like, any shape
    approximate : {'none', 'tanh'}
        The derivative of the exact form or of the tanh approximation.

    Returns
    -------
    dydx : ndarray, same shape and dtype as ``x``, values in about [-0.129, 1.129]
    """
    approximate = _check_approximate(approximate)
    x = as_float_array(x, "x")
    with np.errstate(under="ignore"):
        if approximate == "tanh":
            t = np.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x ** 3))
            du = _SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x)
            return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du
        return (_normal_cdf(x) + x * _normal_pdf(x)).astype(x.dtype)


def silu(x):
    """Sigmoid linear unit, also called Swish, element-wise: :math:`x\\,\\sigma(x)`.

    Parameters
    ----------
    x : array_like, any shape

    Returns
    -------
    y : ndarray, same shape as ``x``

    Notes
    -----
    .. math:: \\mathrm{SiLU}(x) = x\\,\\sigma(x), \\qquad
              \\mathrm{SiLU}'(x) = \\sigma(x) + x\\,\\sigma(x)\\,(1 - \\sigma(x)).

    Elfwing et al. (2018) named it SiLU; Ramachandran et al. (2017) found it
    by search as Swish (:math:`x\\,\\sigma(\\beta x)` with :math:`\\beta = 1`).
    Smooth, not monotonic: minimum about -0.278 at :math:`x \\approx -1.278`.
    Uses the overflow-free :func:`sigmoid`.
    """
    x = as_float_array(x, "x")
    with np.errstate(under="ignore"):
        return x * sigmoid(x)


def silu_grad(x):
    """Derivative of :func:`silu`: :math:`\\sigma(x) + x\\,\\sigma'(x)`, element-wise.

    Parameters
    ----------
    x : array_like, any shape

    Returns
    -------
    dydx : ndarray, same shape and dtype as ``x``, values in about [-0.100, 1.100]
    """
    x = as_float_array(x, "x")
    with np.errstate(under="ignore"):
        return sigmoid(x) + x * sigmoid_grad(x)


# --------------------------------------------------------------------------- PReLU

def _check_prelu_alpha(alpha, x: np.ndarray) -> np.ndarray:
    """``alpha`` as a float array of ``x``'s dtype that broadcasts against ``x``."""
    if isinstance(alpha, (bool, np.bool_)) or isinstance(alpha, (str, bytes)):
        raise TypeError(f"alpha must be a real number or an array of them, got {alpha!r}")
    try:
        a = np.asarray(alpha)
    except Exception:                                      # pragma: no cover - exotic input
        raise TypeError(f"alpha must be a real number or an array of them, got {alpha!r}") \
            from None
    if a.dtype == bool or not (np.issubdtype(a.dtype, np.integer)
                               or np.issubdtype(a.dtype, np.floating)):
        raise TypeError(f"alpha must be a real number or an array of them, got {alpha!r} "
                        f"(dtype {a.dtype})")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"alpha must be finite, got {alpha!r}")
    try:
        shape = np.broadcast_shapes(a.shape, x.shape)
    except ValueError:
        raise ValueError(f"alpha of shape {a.shape} does not broadcast against x of shape "
                         f"{x.shape} (for one slope per channel of (N, C, H, W) give alpha "
                         f"the shape (C, 1, 1))") from None
    if shape != x.shape:
        raise ValueError(f"alpha of shape {a.shape} would enlarge x of shape {x.shape}; "
                         f"allowed: a scalar or a shape that broadcasts to x's")
    return a.astype(x.dtype)


def prelu(x, alpha=0.25):
    """Parametric ReLU (He et al., 2015): ``x`` for positive ``x``, ``alpha * x`` otherwise.

    Parameters
    ----------
    x : array_like, any shape, e.g. (N, C, H, W)
    alpha : float or array_like
        The slope for negative inputs: a number, or an array that broadcasts
        to ``x`` (one slope per channel of an (N, C, H, W) batch: shape
        (C, 1, 1)). In a network it is learned (:class:`cnnedu.nn.activation.PReLU`);
        He et al. start it at 0.25.

    Returns
    -------
    y : ndarray, same shape as ``x``

    Notes
    -----
    .. math:: f(x) = \\begin{cases} x & x > 0 \\\\ a x & x \\le 0 \\end{cases},
              \\qquad \\frac{\\partial f}{\\partial x} =
              \\begin{cases} 1 & x > 0 \\\\ a & x \\le 0 \\end{cases},
              \\qquad \\frac{\\partial f}{\\partial a} = \\min(x, 0).

    With a fixed ``alpha`` it is :func:`leaky_relu`. At 0 the derivative is
    the left one, ``alpha``. The gradient for a shared slope sums
    ``dy * min(x, 0)`` over the entries that share it (the layer does this).
    """
    x = as_float_array(x, "x")
    a = _check_prelu_alpha(alpha, x)
    return np.where(x > 0, x, a * x)


def prelu_grad(x, alpha=0.25):
    """Derivative of :func:`prelu` with respect to ``x``: 1 where ``x > 0``, ``alpha`` otherwise.

    Parameters
    ----------
    x : array_like, any shape
    alpha : float or array_like broadcasting to ``x``

    Returns
    -------
    dydx : ndarray, same shape and dtype as ``x``
    """
    x = as_float_array(x, "x")
    a = _check_prelu_alpha(alpha, x)
    return np.where(x > 0, x.dtype.type(1), a).astype(x.dtype)


# --------------------------------------------------------------------------- softmax

def softmax(x, axis=-1):
    """Softmax along ``axis``: turns scores into probabilities that sum to 1.

    Parameters
    ----------
    x : array_like, e.g. (N, K) scores for N samples and K classes
    axis : int
        The axis of the K scores.

    Returns
    -------
    p : ndarray, same shape as ``x``
        Values in [0, 1], summing to 1 along ``axis``.

    Notes
    -----
    .. math:: p_i = \\frac{e^{x_i}}{\\sum_{k=0}^{K-1} e^{x_k}}
                  = \\frac{e^{x_i - m}}{\\sum_{k} e^{x_k - m}},
              \\qquad m = \\max_k x_k .

    Subtracting the maximum changes nothing mathematically (softmax is
    invariant to adding a constant) but keeps every exponent <= 0, so
    nothing overflows. Derivative: :func:`softmax_grad` (Jacobian) and
    :func:`softmax_backward` (vector-Jacobian product).
    """
    x = as_float_array(x, "x")
    axis = _check_axis(axis, x)
    with np.errstate(under="ignore"):
        e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def softmax_grad(x, axis=-1):
    """Jacobian of :func:`softmax` along ``axis``.

    Parameters
    ----------
    x : array_like, shape (..., K) for ``axis=-1``
    axis : int
        The axis of the K scores.

    Returns
    -------
    J : ndarray, shape (..., K, K)
        ``J[..., i, j] = dp_i / dx_j = p_i * (delta_ij - p_j)``. For
        ``axis=-1`` this is ``x.shape + (K,)``; for another axis, the leading
        ``...`` are the other axes of ``x`` in order (``axis`` is moved last).

    Notes
    -----
    .. math:: \\frac{\\partial p_i}{\\partial x_j} = p_i\\,(\\delta_{ij} - p_j),
              \\qquad J = \\operatorname{diag}(p) - p\\,p^{\\top}.

    The Jacobian is symmetric and each of its rows sums to 0. A backward
    pass never needs it in full: use :func:`softmax_backward`.
    """
    x = as_float_array(x, "x")
    axis = _check_axis(axis, x)
    p = np.moveaxis(softmax(x, axis), axis, -1)
    eye = np.eye(p.shape[-1], dtype=p.dtype)
    return p[..., :, None] * (eye - p[..., None, :])


def softmax_backward(dy, x, axis=-1):
    """Backward pass of ``p = softmax(x, axis)``: ``dx`` from ``dy = dL/dp``.

    Parameters
    ----------
    dy : array_like, same shape as ``x``
        Upstream gradient with respect to the probabilities.
    x : array_like
        The scores that were fed to :func:`softmax`.
    axis : int
        The axis of the K scores.

    Returns
    -------
    dx : ndarray, same shape as ``x``

    Notes
    -----
    The vector-Jacobian product, without building the K x K Jacobian:

    .. math:: \\frac{\\partial L}{\\partial x_j}
              = \\sum_i \\frac{\\partial L}{\\partial p_i}\\, p_i (\\delta_{ij} - p_j)
              = p_j \\Big( g_j - \\sum_i g_i p_i \\Big),
              \\qquad g = \\frac{\\partial L}{\\partial p}.
    """
    x = as_float_array(x, "x")
    dy = as_float_array(dy, "dy")
    if dy.shape != x.shape:
        raise ValueError(f"dy must have the shape of x {x.shape}, got {dy.shape}")
    axis = _check_axis(axis, x)
    p = softmax(x, axis)
    return p * (dy - np.sum(dy * p, axis=axis, keepdims=True))


# --------------------------------------------------------------------------- registry

class Activation(NamedTuple):
    """An activation ``f`` and its derivative ``grad``; unpacks as ``f, f_grad``.

    ``backward(dy, x)`` is the backward pass of ``y = f(x)``: ``dy * grad(x)``
    for the element-wise activations and :func:`softmax_backward` for softmax
    (over the last axis).
    """

    f: Callable[..., np.ndarray]
    grad: Callable[..., np.ndarray]

    @property
    def name(self) -> str:
        """The function's name, e.g. ``'relu'`` (the registry key for registry entries)."""
        f = self.f
        while isinstance(f, functools.partial):
            f = f.func
        return getattr(f, "__name__", repr(f))

    def backward(self, dy, x):
        """Gradient with respect to ``x`` of a loss whose gradient at ``f(x)`` is ``dy``.

        Parameters
        ----------
        dy : array_like, same shape as ``x``
        x : array_like
            The input that was fed to ``f``.

        Returns
        -------
        dx : ndarray, same shape as ``x``
        """
        if self.f is softmax:
            return softmax_backward(dy, x)
        x = as_float_array(x, "x")
        dy = as_float_array(dy, "dy")
        if dy.shape != x.shape:
            raise ValueError(f"dy must have the shape of x {x.shape}, got {dy.shape}")
        return dy * self.grad(x)

    def __repr__(self) -> str:
        return f"Activation({self.name!r})"


#: Name -> :class:`Activation` (an ``(f, f_grad)`` pair), default parameters.
ACTIVATIONS: dict[str, Activation] = {
    "linear": Activation(linear, linear_grad),
    "sigmoid": Activation(sigmoid, sigmoid_grad),
    "tanh": Activation(tanh, tanh_grad),
    "relu": Activation(relu, relu_grad),
    "leaky_relu": Activation(leaky_relu, leaky_relu_grad),
    "elu": Activation(elu, elu_grad),
    "selu": Activation(selu, selu_grad),
    "gelu": Activation(gelu, gelu_grad),
    "silu": Activation(silu, silu_grad),
    "softmax": Activation(softmax, softmax_grad),
}

_ALLOWED = ", ".join(map(repr, ACTIVATIONS))
#: Other names of registry entries (Keras' ``'swish'`` is SiLU).
_ALIASES = {"swish": "silu"}


def get_activation(name) -> Activation:
    """Look up an activation by name, as in ``Dense(10, activation='softmax')``.

    Parameters
    ----------
    name : str, None or Activation
        One of ``'linear'``, ``'sigmoid'``, ``'tanh'``, ``'relu'``,
        ``'leaky_relu'``, ``'elu'``, ``'selu'``, ``'gelu'``, ``'silu'`` (also
        called ``'swish'``), ``'softmax'`` (case does not matter). ``None``
        means ``'linear'`` (no activation), as in Keras. An
        :class:`Activation` is returned unchanged.

    Returns
    -------
    Activation
        ``(f, f_grad)``, with default parameters (``alpha=0.01`` for leaky
        ReLU, ``alpha=1`` for ELU, ``axis=-1`` for softmax). Note that
        ``softmax``'s ``f_grad`` returns a Jacobian (..., K, K); use
        ``Activation.backward`` for a backward pass that works for all.

    Raises
    ------
    ValueError
        For an unknown name; the message lists the allowed names.
    """
    if name is None:
        return ACTIVATIONS["linear"]
    if isinstance(name, Activation):
        return name
    if not isinstance(name, str):
        raise TypeError(f"activation must be a name (str) or None, got {name!r} "
                        f"({type(name).__name__}); allowed names: {_ALLOWED}")
    key = name.strip().lower()
    key = _ALIASES.get(key, key)
    if key == "prelu":
        raise ValueError("'prelu' has a learned slope, so it is not a fixed activation: use "
                         f"the layer cnnedu.nn.activation.PReLU(); allowed names: {_ALLOWED}")
    if key not in ACTIVATIONS:
        close = difflib.get_close_matches(key, ACTIVATIONS, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(f"unknown activation {name!r}{hint}; allowed names: "
                         f"{_ALLOWED}")
    return ACTIVATIONS[key]
