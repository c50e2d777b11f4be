"""Quantities that explain activation functions (chapter "Activation functions").

Pure computations, no drawing:

- :func:`activation_pair` / :func:`evaluate_activation` -- an element-wise
  activation and its derivative by name, with its parameter ``alpha`` bound;
- :func:`softmax_with_temperature` and :func:`entropy` -- softmax of
  ``z / T``, stable down to ``T -> 0``, and how spread out the result is;
- :func:`gradient_norms_through_depth` -- how the size of a gradient changes
  when it is propagated back through a deep stack of random dense layers
  (vanishing with sigmoid, preserved with ReLU and He initialisation,
  exploding when the weights are too large);
- :func:`inactive_fraction`, :func:`never_active_fraction` and
  :func:`dead_fraction` -- pre-activations that are not positive (where a
  ReLU outputs 0): all of them, the positions that are never positive on a
  batch (which depends on the data and the bias), and the dead units or
  filters;
- :func:`activation_view` and :func:`softmax_view` -- what the chapter's two
  explorers show for their control values (:func:`parse_logits` reads the
  logits typed as text).

The signed feature maps the chapter applies activations to are samples:
``cnnedu.samples.edge_map(image)``, the Sobel-x response of an image.
"""
from __future__ import annotations

import functools
import numbers
import re
from typing import NamedTuple

import numpy as np

from ..ops import activation as act
from .._checks import as_float_array, check_positive_int
from ..nn.initializers import glorot_uniform, he_normal

__all__ = ["CLASSIC", "RECENT", "ELEMENTWISE", "WITH_ALPHA", "DEFAULT_ALPHA", "activation_pair",
           "evaluate_activation", "softmax_with_temperature", "entropy",
           "gradient_norms_through_depth", "inactive_fraction",
           "never_active_fraction", "dead_fraction",
           "ActivationView", "activation_view", "parse_logits", "SoftmaxView", "softmax_view"]

#: The classic element-wise activations: the S curves and the ReLU family.
CLASSIC = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu")
#: Those of recent CNNs: GELU, SiLU (Swish) and PReLU.
RECENT = ("gelu", "silu", "prelu")
#: The element-wise activations, by name (softmax acts on a whole vector).
ELEMENTWISE = CLASSIC + RECENT
#: The activations that take a parameter ``alpha`` (PReLU: its slope, learned in a network).
WITH_ALPHA = ("leaky_relu", "elu", "prelu")
#: Their default ``alpha`` (as in :mod:`cnnedu.ops.activation`).
DEFAULT_ALPHA = {"leaky_relu": 0.01, "elu": 1.0, "prelu": 0.25}


def _check_name(name, argument: str = "name") -> str:
    if not isinstance(name, str) or name not in ELEMENTWISE:
        raise ValueError(f"{argument} must be one of the element-wise activations "
                         f"{', '.join(map(repr, ELEMENTWISE))}, got {name!r}")
    return name


def activation_pair(name, alpha=None):
    """The element-wise activation ``name`` and its derivative, as functions of ``x``.

    Parameters
    ----------
    name : {'sigmoid', 'tanh', 'relu', 'leaky_relu', 'elu', 'selu', 'gelu', 'silu', 'prelu'}
    alpha : float, optional
        Slope for negative inputs (leaky ReLU, PReLU) or negative saturation
        value (ELU); ``None`` means the default of :data:`DEFAULT_ALPHA`.
        Only these three take it.

    Returns
    -------
    f, f_grad : callables ``x -> ndarray`` (same shape as ``x``)
    """
    name = _check_name(name)
    pair = (act.Activation(act.prelu, act.prelu_grad) if name == "prelu"
            else act.get_activation(name))
    if name in WITH_ALPHA:
        alpha = DEFAULT_ALPHA[name] if alpha is None else alpha
        if not isinstance(alpha, numbers.Real) or isinstance(alpha, bool) or not np.isfinite(alpha):
            raise ValueError(f"alpha must be a finite real number, got {alpha!r}")
        return (functools.partial(pair.f, alpha=float(alpha)),
                functools.partial(pair.grad, alpha=float(alpha)))
    if alpha is not None:
        raise ValueError(f"{name} takes no alpha (only {', '.join(WITH_ALPHA)} do), "
                         f"got alpha={alpha!r}")
    return pair.f, pair.grad


def evaluate_activation(name, x, alpha=None):
    """``f(x)`` and ``f'(x)`` for the element-wise activation ``name``.

    Parameters
    ----------
    name : str
        See :func:`activation_pair`.
    x : array_like, any shape
    alpha : float, optional
        For ``'leaky_relu'`` and ``'elu'`` only.

    Returns
    -------
    y : ndarray, same shape as ``x``
    dydx : ndarray, same shape as ``x``
    """
    f, f_grad = activation_pair(name, alpha)
    return f(x), f_grad(x)


def softmax_with_temperature(logits, temperature=1.0, axis=-1):
    """Softmax of ``logits / temperature``: sharper for ``T < 1``, flatter for ``T > 1``.

    Parameters
    ----------
    logits : array_like, e.g. (K,) or (N, K)
    temperature : float > 0
    axis : int
        The axis of the K scores.

    Returns
    -------
    p : ndarray, same shape as ``logits``, summing to 1 along ``axis``

    Notes
    -----
    .. math:: p_i = \\frac{e^{(z_i - m)/T}}{\\sum_k e^{(z_k - m)/T}}, \\qquad m = \\max_k z_k .

    The maximum is subtracted *before* dividing by ``T``, so every exponent
    is <= 0 and the largest is exactly 0 for any ``T`` (even ``T = 1e-300``,
    where ``z / T`` itself would overflow). As ``T -> 0`` the result tends to
    the one-hot vector of the largest logit (shared equally between tied
    maxima); as ``T -> inf``, to the uniform distribution.
    """
    z = as_float_array(logits, "logits")
    if (not isinstance(temperature, numbers.Real) or isinstance(temperature, bool)
            or not temperature > 0 or not np.isfinite(temperature)):
        raise ValueError(f"temperature must be a positive finite number, got {temperature!r}")
    if not np.all(np.isfinite(z)):
        raise ValueError("logits must be finite numbers (no NaN or inf)")
    if z.ndim == 0 or z.size == 0:
        raise ValueError(f"logits must be a non-empty array with at least one axis, "
                         f"got shape {z.shape}")
    if not isinstance(axis, numbers.Integral) or not -z.ndim <= axis < z.ndim:
        raise ValueError(f"axis must be an int in [{-z.ndim}, {z.ndim - 1}] for logits of "
                         f"shape {z.shape}, got {axis!r}")
    axis = int(axis) % z.ndim
    with np.errstate(over="ignore", under="ignore"):
        shifted = (z - z.max(axis=axis, keepdims=True)) / z.dtype.type(temperature)
        e = np.exp(shifted)
    return e / e.sum(axis=axis, keepdims=True)


def entropy(p, axis=-1):
    """Shannon entropy of probability vectors, in nats: ``-sum p log p``.

    Parameters
    ----------
    p : array_like, e.g. (K,) or (N, K)
        Probabilities (non-negative, summing to 1 along ``axis``).
    axis : int

    Returns
    -------
    H : float for a single vector, else ndarray with ``axis`` removed
        0 for a one-hot vector, ``log K`` (the maximum) for the uniform one.
        Terms with ``p = 0`` count as 0 (the limit of ``p log p``).
    """
    p = as_float_array(p, "p")
    if p.ndim == 0:
        raise ValueError("p must be an array of probabilities with at least one axis, "
                         "got a 0-D scalar")
    if np.any(p < 0) or not np.all(np.isfinite(p)):
        raise ValueError("p must hold finite non-negative probabilities")
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * np.log(np.where(p > 0, p, 1)), 0.0)
    h = -terms.sum(axis=axis)
    h = np.maximum(h, 0.0)  # -0.0 and tiny negative rounding become 0
    return float(h) if h.ndim == 0 else h


def gradient_norms_through_depth(activation, depth, width=256, batch=64, init="auto",
                                 gain=1.0, seed=0):
    """Size of a gradient after flowing back through ``k`` layers, ``k = 0..depth``.

    Builds a stack of ``depth`` random dense layers without bias,
    ``a_l = f(W_l a_{l-1})`` with ``W_l`` of shape (width, width), feeds a
    batch of standard-normal inputs forward, then propagates a random
    gradient ``g`` from the top back down:
    ``g <- W_l^T (g * f'(z_l))``. The product of the derivatives
    ``f'(z_l)`` and of the weight matrices decides whether ``g`` shrinks
    (vanishes) or grows (explodes) with depth.

    Parameters
    ----------
    activation : str
        An element-wise activation (see :data:`ELEMENTWISE`), default parameters.
    depth : int >= 1
        Number of layers.
    width : int
        Units per layer.
    batch : int
        Number of input vectors.
    init : {'auto', 'he', 'glorot'}
        Weight initialisation: He normal (std ``sqrt(2 / width)``), Glorot
        uniform (variance ``1 / width`` here), or ``'auto'``: He for ReLU,
        leaky ReLU, PReLU, ELU, GELU and SiLU, Glorot otherwise.
    gain : float > 0
        Multiplies every weight (``gain > 1`` makes gradients explode).
    seed : int

    Returns
    -------
    norms : ndarray, shape (depth + 1,)
        ``norms[k] = ||dL/da_{depth-k}|| / ||dL/da_depth||``: the norm of the
        gradient with respect to the activations ``k`` layers below the top,
        relative to the gradient at the top (``norms[0] = 1``). Entry
        ``depth`` is the gradient with respect to the input.
    """
    name = _check_name(activation, "activation")
    depth = check_positive_int(depth, "depth")
    width = check_positive_int(width, "width")
    batch = check_positive_int(batch, "batch")
    if init == "auto":
        init = "he" if name in ("relu", "leaky_relu", "prelu", "elu", "gelu", "silu") \
            else "glorot"
    if init not in ("he", "glorot"):
        raise ValueError(f"init must be 'auto', 'he' or 'glorot', got {init!r}")
    if not isinstance(gain, numbers.Real) or isinstance(gain, bool) or not gain > 0:
        raise ValueError(f"gain must be a positive number, got {gain!r}")
    draw = he_normal if init == "he" else glorot_uniform
    f, f_grad = activation_pair(name)
    rng = np.random.default_rng(seed)
    weights = [gain * draw((width, width), rng, dtype="float64") for _ in range(depth)]
    a = rng.standard_normal((batch, width))
    pre = []
    for w in weights:
        z = a @ w.T
        pre.append(z)
        a = f(z)
    g = rng.standard_normal((batch, width))
    norms = [np.linalg.norm(g)]
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        for w, z in zip(reversed(weights), reversed(pre)):
            g = (g * f_grad(z)) @ w
            norms.append(np.linalg.norm(g))
    norms = np.asarray(norms)
    return norms / norms[0]


def inactive_fraction(z):
    """Fraction of pre-activations ``z <= 0``: where a ReLU outputs 0 and passes no gradient.

    Parameters
    ----------
    z : array_like, any shape
        Pre-activations (e.g. a feature map before ReLU).

    Returns
    -------
    float in [0, 1]
    """
    z = as_float_array(z, "z")
    if z.size == 0:
        raise ValueError("z must not be empty")
    return float(np.mean(z <= 0))


def _check_batch(z):
    z = as_float_array(z, "z")
    if z.ndim < 2 or z.shape[0] == 0 or z[0].size == 0:
        raise ValueError(f"z must be an array (N, ...) of N >= 1 samples with at least one "
                         f"unit each, got shape {z.shape}")
    return z


def never_active_fraction(z):
    """Fraction of entries (position and channel) that are ``<= 0`` for every sample.

    Parameters
    ----------
    z : array_like, shape (N, ...), e.g. (N, C, H, W)
        Pre-activations of N samples.

    Returns
    -------
    float in [0, 1]
        The fraction of entries of one sample's pre-activation (each channel
        at each position) that are ``<= 0`` for all N samples. For a
        convolution this depends on the data and the bias, and does not mean
        dead weights: every position uses the same kernel and bias, so a
        position that is never positive only says that no input puts a
        pattern there that the kernel (with its bias) responds to (no ink at
        the border, say). The kernel still
        learns from the other positions; see :func:`dead_fraction`.
    """
    z = _check_batch(z)
    return float(np.mean(np.all(z <= 0, axis=0)))


def dead_fraction(z):
    """Fraction of units (dense) or filters (convolution) that are ``<= 0`` on every input.

    Parameters
    ----------
    z : array_like, shape (N, D) or (N, C, H, W) (any (N, C, ...))
        Pre-activations of N samples: D units of a dense layer, or C
        channels, one per filter, of a convolution.

    Returns
    -------
    float in [0, 1]
        The fraction of units (axis 1) whose pre-activation is ``<= 0`` for
        all N samples and, for a feature map, at every position. A ReLU unit
        or filter like that outputs only zeros and receives zero gradient
        from all of them: it is *dead* on this data, and gradient descent on
        this data cannot revive it. The positions of a feature map are not
        units of their own: they share one kernel and bias, which learn as
        long as some position of some input is positive.
    """
    z = _check_batch(z)
    per_unit = z.reshape(z.shape[0], z.shape[1], -1)
    return float(np.mean(np.all(per_unit <= 0, axis=(0, 2))))


class ActivationView(NamedTuple):
    """What the activation explorer shows (:func:`activation_view`)."""

    activation: str
    #: ``alpha`` used, or None for an activation that takes none
    alpha: float | None
    #: the inputs of the curves, shape (P,), and ``f``, ``f'`` on them
    x_grid: np.ndarray
    f: np.ndarray
    df: np.ndarray
    #: the marked input and ``f``, ``f'`` there
    x0: float
    f_x0: float
    df_x0: float
    #: the feature map (H, W), ``f(z)`` and ``f'(z)``
    z: np.ndarray
    fz: np.ndarray
    dfz: np.ndarray
    #: share of pixels with ``f(z) == 0``, and the mean of ``f'(z)``
    zero_fraction: float
    mean_slope: float


def activation_view(z, activation, alpha, x, x_grid) -> ActivationView:
    """An activation's curves, its value at ``x`` and its effect on a feature map.

    Parameters
    ----------
    z : ndarray, shape (H, W)
        Pre-activations (a feature map).
    activation : str
        An element-wise activation (:data:`ELEMENTWISE`).
    alpha : float
        Its parameter; ignored (``None`` in the result) unless the activation
        is in :data:`WITH_ALPHA`.
    x : float
        The input marked on the curves.
    x_grid : ndarray, shape (P,)
        The inputs of the curves.

    Returns
    -------
    ActivationView
    """
    a = float(alpha) if activation in WITH_ALPHA else None
    f_grid, d_grid = evaluate_activation(activation, x_grid, a)
    fz, dfz = evaluate_activation(activation, z, a)
    f_x0, df_x0 = (float(v) for v in evaluate_activation(activation, float(x), a))
    return ActivationView(activation, a, x_grid, f_grid, d_grid, float(x), f_x0, df_x0,
                          z, fz, dfz, float(np.mean(fz == 0)), float(np.mean(dfz)))


def parse_logits(text: str) -> np.ndarray:
    """Read logits typed as numbers separated by commas or spaces.

    Parameters
    ----------
    text : str
        E.g. ``"2, 1, 0.1"``.

    Returns
    -------
    ndarray of float64, shape (K,), 2 <= K <= 20, values in [-1e6, 1e6]

    Raises
    ------
    ValueError
        For anything that is not 2 to 20 numbers in [-1e6, 1e6]; the message
        says what is wrong.
    """
    parts = [p for p in re.split(r"[,\s;]+", str(text).strip()) if p]
    values = []
    for p in parts:
        try:
            values.append(float(p))
        except ValueError:
            raise ValueError(f"'{p}' is not a number") from None
    arr = np.array(values, dtype=np.float64)
    if not 2 <= arr.size <= 20:
        raise ValueError(f"type 2 to 20 logits separated by commas, got {arr.size}")
    if not np.all(np.isfinite(arr)):
        raise ValueError("logits must be finite numbers (no nan or inf)")
    if np.any(np.abs(arr) > 1e6):
        raise ValueError("logits must lie between -1e6 and 1e6 (softmax only looks at "
                         "their differences)")
    return arr


class SoftmaxView(NamedTuple):
    """What the softmax explorer shows (:func:`softmax_view`)."""

    #: False when the text could not be read; ``error`` then says why
    valid: bool
    error: str | None = None
    #: the logits as typed (K,), and the constant added to each
    typed: np.ndarray | None = None
    shift: float = 0.0
    #: ``typed + shift`` (K,), the temperature, ``softmax_with_temperature`` (K,)
    logits: np.ndarray | None = None
    temperature: float = 1.0
    probabilities: np.ndarray | None = None
    #: entropy of the probabilities and its maximum ``log K`` (nats)
    entropy: float | None = None
    max_entropy: float | None = None
    top_class: int | None = None

    def state(self) -> dict:
        """The explorer's state: ``valid`` and ``error``, or the arrays and numbers shown."""
        if not self.valid:
            return {"valid": False, "error": self.error}
        keys = ("valid", "logits", "temperature", "probabilities", "entropy", "max_entropy",
                "top_class")
        return {k: getattr(self, k) for k in keys}


def softmax_view(text, temperature, shift=0.0) -> SoftmaxView:
    """Softmax at temperature ``T`` of logits typed as text, each shifted by ``shift``.

    Parameters
    ----------
    text : str
        The logits, read by :func:`parse_logits`.
    temperature : float > 0
    shift : float
        Added to every logit (the probabilities do not change).

    Returns
    -------
    SoftmaxView
        With ``valid=False`` and the reason in ``error`` when the text cannot
        be read (explained, not raised).
    """
    try:
        typed = parse_logits(text)
    except ValueError as exc:
        return SoftmaxView(False, str(exc), shift=float(shift), temperature=float(temperature))
    t = float(temperature)
    logits = typed + shift
    p = softmax_with_temperature(logits, t)
    return SoftmaxView(True, None, typed, float(shift), logits, t, p, entropy(p),
                       float(np.log(typed.size)), int(np.argmax(p)))
