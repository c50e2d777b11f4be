r"""Batch normalization of image batches, forward and backward.

Batch normalization rescales every channel of a batch ``x`` of shape
``(N, C, H, W)`` (NCHW) to mean 0 and variance 1, then gives it a learned
scale ``gamma`` and shift ``beta`` (one of each per channel):

.. math::  \hat x = \frac{x - \mu_c}{\sqrt{\sigma_c^2 + \varepsilon}}, \qquad
           y = \gamma_c \hat x + \beta_c .

The statistics of channel ``c`` are taken over the ``S = N H W`` values it
holds in the batch (every image, every pixel):

.. math::  \mu_c = \frac{1}{S} \sum_{n,h,w} x_{nchw}, \qquad
           \sigma_c^2 = \frac{1}{S} \sum_{n,h,w} (x_{nchw} - \mu_c)^2 ,

the *biased* variance (divided by ``S``, not ``S - 1``), as both Keras and
PyTorch normalize with. In **training** the statistics are the batch's own
(``mean=None, var=None``); at **inference** they are given: the running
averages a layer keeps (:class:`cnnedu.nn.norm.BatchNormalization`), so a
sample's output no longer depends on the other samples of its batch.

The backward pass of the training-mode forward goes through the statistics
too, since every ``x`` moves the mean and the variance. It simplifies to the
compact form (with ``dy`` the upstream gradient and sums over ``n, h, w``)

.. math::  \frac{\partial L}{\partial x} = \frac{\gamma}{S\sqrt{\sigma^2 + \varepsilon}}
           \Big(S\, dy - \sum dy - \hat x \sum dy\, \hat x\Big), \qquad
           \frac{\partial L}{\partial \gamma} = \sum dy\, \hat x, \qquad
           \frac{\partial L}{\partial \beta} = \sum dy .

With given statistics they are constants and ``dL/dx = gamma dy / sqrt(var + eps)``.

Conventions
-----------
- ``eps`` must be a finite number ``> 0``: with ``eps = 0`` a constant
  channel (variance 0, e.g. a channel that a ReLU turned off for the whole
  batch) would divide by zero.
- Batch statistics need more than one value per channel, ``S = N H W > 1``
  (PyTorch raises too: "Expected more than 1 value per channel when
  training"). With ``S = 1`` the variance is 0 and every output would be
  ``beta``: the input could not reach the output. One image with several
  pixels is allowed (its statistics are over its pixels).
- float32 in, float32 out (the statistics too); integer inputs become float64.

Every fast function has a loop-based ``*_naive`` twin with the same
semantics, written to be read: the forward sums over channel values one at a
time, the backward follows the chain rule step by step (through ``x_hat``,
the variance and the mean) rather than the compact form. The fast functions
have no Python loops: per-channel sums over ``(N, H, W)`` (a matrix-vector
product or row-wise dot products over each image's pixels) and whole-array
arithmetic with per-channel coefficients; the training forward is
``(x - mean) * scale + beta`` and its backward ``a dy + b (x - mean) + c``
with one ``a``, ``b`` and ``c`` per channel.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from .._checks import as_float_array, check_ndim

__all__ = ["batch_stats", "batch_stats_naive",
           "batch_norm2d", "batch_norm2d_naive",
           "batch_norm2d_backward", "batch_norm2d_backward_naive"]


# ----------------------------------------------------------------------------
# Argument checks
# ----------------------------------------------------------------------------

def _check_x(x) -> np.ndarray:
    return check_ndim(as_float_array(x, "x"), "x", 4, "(N, C, H, W)")


def _check_eps(eps) -> float:
    if isinstance(eps, bool) or not isinstance(eps, numbers.Real) or not (
            math.isfinite(eps) and eps > 0):
        raise ValueError(f"eps must be a finite number > 0, got {eps!r}")
    return float(eps)


def _check_channel_vector(v, name: str, c: int, dtype) -> np.ndarray:
    v = as_float_array(v, name)
    if v.shape != (c,):
        raise ValueError(f"{name} must have shape (C,) = ({c},), one value per channel of x, "
                         f"got shape {v.shape}")
    return v.astype(dtype, copy=False)


def _check_stats(mean, var, c: int, dtype):
    """``(None, None)`` or the checked given statistics ``(mean, var)``."""
    if mean is None and var is None:
        return None, None
    if mean is None or var is None:
        given, missing = ("mean", "var") if var is None else ("var", "mean")
        raise ValueError(f"mean and var must be given together (inference) or both be None "
                         f"(batch statistics), got {given} without {missing}")
    mean = _check_channel_vector(mean, "mean", c, dtype)
    var = _check_channel_vector(var, "var", c, dtype)
    if np.any(var < 0):
        c_bad = int(np.argmax(var < 0))
        raise ValueError(f"var must be >= 0 in every channel, got {float(var[c_bad])!r} "
                         f"in channel {c_bad}")
    return mean, var


def _check_m(x: np.ndarray) -> int:
    n, _, h, w = x.shape
    m = n * h * w
    if m < 2:
        raise ValueError(f"batch statistics need more than one value per channel "
                         f"(N*H*W > 1), got x of shape {x.shape}; use a larger batch, or "
                         f"pass mean and var (inference)")
    return m


def _check_dy(dy, x: np.ndarray) -> np.ndarray:
    dy = as_float_array(dy, "dy")
    if dy.shape != x.shape:
        raise ValueError(f"dy must have the shape of x (N, C, H, W) = {x.shape}, got {dy.shape}")
    return dy.astype(x.dtype, copy=False)


def _rows(a: np.ndarray) -> np.ndarray:
    """An NCHW array as ``(N * C, H * W)``: one row per (image, channel)."""
    return a.reshape(a.shape[0] * a.shape[1], -1)


def _plane(v: np.ndarray, x: np.ndarray) -> np.ndarray:
    """A per-channel vector ``(C,)`` repeated over the pixels: ``(C * H * W,)``.

    ``x.reshape(N, -1) * _plane(v, x)`` multiplies channel ``c`` by ``v[c]``.
    numpy broadcasts this along whole contiguous rows, 2-3x faster than a
    ``(1, C, 1, 1)`` vector broadcast inside each image.
    """
    return np.repeat(v, x.shape[2] * x.shape[3])


def _channel_sum(a: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
    """Sum over ``(N, H, W)`` of ``a`` (or of ``a * b``) in NCHW: shape ``(C,)``.

    The sums along each row of ``H * W`` pixels are a matrix-vector product
    (or a row-wise dot product, no temporary array), the sum over the images
    is then done in float64.
    """
    n, c = a.shape[:2]
    rows = _rows(a)
    if b is None:
        per_row = rows @ np.ones(rows.shape[1], dtype=a.dtype)
    else:
        per_row = np.einsum("ij,ij->i", rows, _rows(b))
    return per_row.reshape(n, c).sum(axis=0, dtype=np.float64).astype(a.dtype)


def _centered_stats(x: np.ndarray):
    """``mean``, ``var`` (biased) and ``x - mean`` as ``(N, C * H * W)``."""
    m = x.dtype.type(_check_m(x))
    mean = _channel_sum(x) / m
    xc = x.reshape(x.shape[0], -1) - _plane(mean, x)
    xc4 = xc.reshape(x.shape)
    var = _channel_sum(xc4, xc4) / m
    return mean, var, xc


# ----------------------------------------------------------------------------
# Batch statistics
# ----------------------------------------------------------------------------

def batch_stats(x):
    """Per-channel mean and biased variance of a batch: the statistics of training mode.

    Parameters
    ----------
    x : array_like, shape (N, C, H, W)
        Needs ``N * H * W > 1``.

    Returns
    -------
    mean, var : ndarray, shape (C,)
        ``mean[c]`` and ``var[c]`` over the ``N * H * W`` values of channel
        ``c``; ``var`` divides by ``N * H * W`` (biased). Same float dtype as ``x``.
    """
    mean, var, _ = _centered_stats(_check_x(x))
    return mean, var


def batch_stats_naive(x):
    """Loop-based :func:`batch_stats`: one channel value at a time (same argument and result)."""
    x = _check_x(x)
    S = _check_m(x)
    N, C, H, W = x.shape
    mean = np.zeros(C, dtype=x.dtype)
    var = np.zeros(C, dtype=x.dtype)
    for c in range(C):
        total = 0.0
        for n in range(N):
            for h in range(H):
                for w in range(W):
                    total += x[n, c, h, w]
        mean[c] = total / S
        squares = 0.0
        for n in range(N):
            for h in range(H):
                for w in range(W):
                    squares += (x[n, c, h, w] - mean[c]) ** 2
        var[c] = squares / S
    return mean, var


# ----------------------------------------------------------------------------
# Forward
# ----------------------------------------------------------------------------

def _prepare(x, gamma, beta, eps, mean, var):
    x = _check_x(x)
    c = x.shape[1]
    gamma = _check_channel_vector(gamma, "gamma", c, x.dtype)
    beta = _check_channel_vector(beta, "beta", c, x.dtype)
    eps = _check_eps(eps)
    mean, var = _check_stats(mean, var, c, x.dtype)
    return x, gamma, beta, eps, mean, var


def batch_norm2d(x, gamma, beta, eps=1e-5, mean=None, var=None) -> np.ndarray:
    r"""Batch normalization: ``y = gamma * (x - mean) / sqrt(var + eps) + beta``, per channel.

    Parameters
    ----------
    x : array_like, shape (N, C, H, W)
        Input batch.
    gamma, beta : array_like, shape (C,)
        Scale and shift of each channel.
    eps : float, default 1e-5
        Added to the variance; a finite number ``> 0``.
    mean, var : array_like, shape (C,), optional
        Statistics to normalize with (inference: the running averages).
        Both ``None`` (training): the batch's own per-channel mean and biased
        variance over ``(N, H, W)``, :func:`batch_stats`, which needs
        ``N * H * W > 1``.

    Returns
    -------
    y : ndarray, shape (N, C, H, W)
        Same float dtype as ``x``. In training mode each channel of ``y``
        has mean ``beta`` and variance ``gamma**2 * var / (var + eps)``.

    Raises
    ------
    ValueError
        If ``x`` is not 4-D, ``gamma``/``beta``/``mean``/``var`` are not of
        shape ``(C,)``, only one of ``mean`` and ``var`` is given, ``var`` is
        negative, ``eps`` is not a finite number ``> 0``, or batch
        statistics are asked of one value per channel (``N * H * W == 1``).

    Examples
    --------
    >>> x = np.array([1.0, 3.0]).reshape(2, 1, 1, 1)     # one channel, two samples
    >>> batch_norm2d(x, [1.0], [0.0], eps=1e-12).ravel()  # mean 2, variance 1
    array([-1.,  1.])
    """
    x, gamma, beta, eps, mean, var = _prepare(x, gamma, beta, eps, mean, var)
    if mean is None:
        # training: y = (x - mean) * scale + beta, reusing x - mean from the variance
        mean, var, y = _centered_stats(x)
        y *= _plane(gamma / np.sqrt(var + x.dtype.type(eps)), x)
        y += _plane(beta, x)
    else:
        # given statistics: y = x * scale + shift, one scale and one shift per channel
        scale = gamma / np.sqrt(var + x.dtype.type(eps))
        y = x.reshape(x.shape[0], -1) * _plane(scale, x)
        y += _plane(beta - mean * scale, x)
    return y.reshape(x.shape)


def batch_norm2d_naive(x, gamma, beta, eps=1e-5, mean=None, var=None) -> np.ndarray:
    """Loop-based :func:`batch_norm2d`: one value at a time (same arguments and result)."""
    x, gamma, beta, eps, mean, var = _prepare(x, gamma, beta, eps, mean, var)
    if mean is None:
        mean, var = batch_stats_naive(x)
    N, C, H, W = x.shape
    y = np.zeros_like(x)
    for c in range(C):
        std = math.sqrt(var[c] + eps)
        for n in range(N):
            for h in range(H):
                for w in range(W):
                    x_hat = (x[n, c, h, w] - mean[c]) / std
                    y[n, c, h, w] = gamma[c] * x_hat + beta[c]
    return y


# ----------------------------------------------------------------------------
# Backward
# ----------------------------------------------------------------------------

def _prepare_backward(dy, x, gamma, eps, mean, var):
    x = _check_x(x)
    c = x.shape[1]
    dy = _check_dy(dy, x)
    gamma = _check_channel_vector(gamma, "gamma", c, x.dtype)
    eps = _check_eps(eps)
    mean, var = _check_stats(mean, var, c, x.dtype)
    return dy, x, gamma, eps, mean, var


def batch_norm2d_backward(dy, x, gamma, eps=1e-5, mean=None, var=None):
    r"""Gradients of :func:`batch_norm2d` with respect to ``x``, ``gamma`` and ``beta``.

    For the training-mode forward (``mean = var = None``, batch statistics)
    the gradient goes through the mean and the variance as well, in the
    compact form, with ``S = N H W`` and sums over ``(N, H, W)``:

    .. math::  dx = \frac{\gamma}{S \sqrt{\sigma^2 + \varepsilon}}
               \Big(S\, dy - \sum dy - \hat x \sum dy\, \hat x\Big), \quad
               d\gamma = \sum dy\, \hat x, \quad d\beta = \sum dy .

    With given ``mean`` and ``var`` (inference) they are constants and
    ``dx = gamma * dy / sqrt(var + eps)``.

    Parameters
    ----------
    dy : array_like, shape (N, C, H, W)
        Gradient of the loss with respect to the output ``y``.
    x : array_like, shape (N, C, H, W)
        The input of the forward pass.
    gamma : array_like, shape (C,)
        The scale of the forward pass (``beta`` does not enter the gradients).
    eps : float, default 1e-5
        As in the forward pass.
    mean, var : array_like, shape (C,), optional
        As in the forward pass: ``None`` for batch statistics.

    Returns
    -------
    dx : ndarray, shape (N, C, H, W)
    dgamma, dbeta : ndarray, shape (C,)
        Same float dtype as ``x``.
    """
    dy, x, gamma, eps, mean, var = _prepare_backward(dy, x, gamma, eps, mean, var)
    batch = mean is None
    if batch:
        mean, var, xc = _centered_stats(x)
    else:
        xc = x.reshape(x.shape[0], -1) - _plane(mean, x)
    inv_std = 1 / np.sqrt(var + x.dtype.type(eps))
    dbeta = _channel_sum(dy)
    dgamma = _channel_sum(dy, xc.reshape(x.shape)) * inv_std      # sum dy * x_hat
    a = gamma * inv_std
    dx = dy.reshape(x.shape[0], -1) * _plane(a, x)
    if batch:
        # dx = a * (dy - dbeta / S - x_hat * dgamma / S), x_hat = (x - mean) * inv_std
        s = x.dtype.type(x.shape[0] * x.shape[2] * x.shape[3])
        xc *= _plane(-a * inv_std * dgamma / s, x)
        xc += _plane(-a * dbeta / s, x)
        dx += xc
    return dx.reshape(x.shape), dgamma, dbeta


def batch_norm2d_backward_naive(dy, x, gamma, eps=1e-5, mean=None, var=None):
    """Loop-based :func:`batch_norm2d_backward`, step by step through the chain rule.

    Same arguments and result. Where the fast version uses the compact
    form, this one differentiates the forward pass one step at a time, per
    channel (sums over ``n, h, w``; ``S = N H W``):

    1. ``y = gamma * x_hat + beta``: ``dgamma = sum dy * x_hat``,
       ``dbeta = sum dy``, ``dx_hat = gamma * dy``;
    2. ``x_hat = (x - mean) / sqrt(var + eps)``:
       ``dvar = sum dx_hat * (x - mean) * (-1/2) (var + eps)^(-3/2)``;
    3. ``var = sum (x - mean)^2 / S``, ``mean = sum x / S``:
       ``dmean = -sum dx_hat / sqrt(var + eps) + dvar * sum -2 (x - mean) / S``;
    4. every ``x`` reaches the loss three ways, through ``x_hat``, ``var`` and
       ``mean``: ``dx = dx_hat / sqrt(var + eps) + dvar * 2 (x - mean) / S + dmean / S``.

    With given statistics only the first term of step 4 remains.
    """
    dy, x, gamma, eps, mean, var = _prepare_backward(dy, x, gamma, eps, mean, var)
    batch = mean is None
    if batch:
        mean, var = batch_stats_naive(x)
    N, C, H, W = x.shape
    S = N * H * W
    dx = np.zeros_like(x)
    dgamma = np.zeros(C, dtype=x.dtype)
    dbeta = np.zeros(C, dtype=x.dtype)
    cells = [(n, h, w) for n in range(N) for h in range(H) for w in range(W)]
    for c in range(C):
        std = math.sqrt(var[c] + eps)
        # step 1: through y = gamma * x_hat + beta
        dx_hat = np.zeros((N, H, W))
        for n, h, w in cells:
            x_hat = (x[n, c, h, w] - mean[c]) / std
            dgamma[c] += dy[n, c, h, w] * x_hat
            dbeta[c] += dy[n, c, h, w]
            dx_hat[n, h, w] = gamma[c] * dy[n, c, h, w]
        dvar = dmean = 0.0
        if batch:
            # step 2: through x_hat's dependence on the variance
            for n, h, w in cells:
                dvar += dx_hat[n, h, w] * (x[n, c, h, w] - mean[c]) * -0.5 * std ** -3
            # step 3: through the mean (directly, and through the variance)
            for n, h, w in cells:
                dmean += -dx_hat[n, h, w] / std + dvar * -2 * (x[n, c, h, w] - mean[c]) / S
        # step 4: the three paths from each x
        for n, h, w in cells:
            xc = x[n, c, h, w] - mean[c]
            dx[n, c, h, w] = dx_hat[n, h, w] / std + dvar * 2 * xc / S + dmean / S
    return dx, dgamma, dbeta
