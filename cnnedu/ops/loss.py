"""Loss functions, each returning the loss and its gradient, plus accuracy.

- :func:`softmax_cross_entropy` (logits, integer labels) -> ``(loss, dlogits)``:
  softmax and cross-entropy fused, computed stably through log-sum-exp.
  Keras calls it ``sparse_categorical_crossentropy`` with ``from_logits=True``.
- :func:`cross_entropy` (probabilities, integer labels) -> ``loss``.
- :func:`mse` (prediction, target) -> ``(loss, dpred)``.
- :func:`accuracy` (scores, integer labels) -> fraction correct.

Losses are averaged over the batch and returned as Python floats; gradients
have the dtype of the prediction (float32 in, float32 out).

Labels are class indices, a 1-D array of N ints in ``[0, K)``. Float labels
are accepted when every value is a whole number (``3.0`` -> class 3), since
labels loaded from files are often floats; ``2.5`` is an error.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from .._checks import as_float_array

__all__ = ["softmax_cross_entropy", "softmax_cross_entropy_naive", "cross_entropy",
           "mse", "accuracy"]


def _check_finite(arr: np.ndarray, name: str, verb: str = "contain") -> None:
    for bad, what in ((np.isnan(arr), "NaN"), (np.isinf(arr), "inf")):
        if bad.any():
            where = tuple(int(i) for i in np.unravel_index(np.argmax(bad), arr.shape))
            raise ValueError(f"{name} {verb} {what} (first at index {where})")


def _check_scores(scores, name: str) -> np.ndarray:
    scores = as_float_array(scores, name)
    if scores.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array (N, K): N samples, K classes, "
                         f"got shape {scores.shape} ({scores.ndim}-D)")
    if scores.shape[0] == 0 or scores.shape[1] == 0:
        raise ValueError(f"{name} must hold at least one sample and one class, "
                         f"got shape {scores.shape}")
    _check_finite(scores, name)
    return scores


def _check_labels(labels, n: int, k: int, name: str = "labels") -> np.ndarray:
    """Return labels as an int array of shape (n,) with values in [0, k)."""
    arr = np.asarray(labels)
    if arr.dtype == bool or not (np.issubdtype(arr.dtype, np.integer)
                                 or np.issubdtype(arr.dtype, np.floating)):
        raise TypeError(f"{name} must be integer class indices, got dtype {arr.dtype}")
    if arr.ndim != 1:
        hint = ""
        if arr.shape == (n, k):
            hint = f"; {name} look one-hot encoded, use {name}.argmax(axis=1)"
        raise ValueError(f"{name} must be a 1-D array (N,) of class indices, "
                         f"got shape {arr.shape}{hint}")
    if arr.shape[0] != n:
        raise ValueError(f"got {arr.shape[0]} {name} for a batch of {n} samples; "
                         "they must match")
    if np.issubdtype(arr.dtype, np.floating):
        bad = ~np.isfinite(arr) | (arr != np.round(arr))
        if bad.any():
            i = int(np.argmax(bad))
            raise ValueError(f"{name} must be integer class indices, got {float(arr[i])!r} "
                             f"at index {i}")
        arr = arr.astype(np.int64)
    out = (arr < 0) | (arr >= k)
    if out.any():
        i = int(np.argmax(out))
        raise ValueError(f"{name} must be in [0, K) = [0, {k}) for K = {k} classes, "
                         f"got {arr[i]} at index {i}")
    return arr.astype(np.intp, copy=False)


def softmax_cross_entropy(logits, labels):
    """Mean cross-entropy of ``softmax(logits)`` against integer labels, and its gradient.

    Parameters
    ----------
    logits : array_like, shape (N, K)
        Raw scores for N samples and K classes (finite).
    labels : array_like of int, shape (N,)
        Correct class of each sample, in ``[0, K)``. Whole-number floats are
        accepted.

    Returns
    -------
    loss : float
        :math:`L = \\frac{1}{N}\\sum_n -\\log p_{n, y_n}`.
    dlogits : ndarray, shape (N, K), dtype of ``logits``
        :math:`\\partial L / \\partial z = (p - \\mathrm{onehot}(y)) / N`.

    Raises
    ------
    ValueError
        Logits containing NaN or inf, labels out of range, label count not N.

    Notes
    -----
    With :math:`p = \\mathrm{softmax}(z)` along each row,

    .. math:: -\\log p_{n,y_n} = \\log \\sum_k e^{z_{n,k}} - z_{n,y_n}
              = m_n + \\log \\sum_k e^{z_{n,k} - m_n} - z_{n,y_n},
              \\qquad m_n = \\max_k z_{n,k}.

    The shifted exponents are all <= 0 and one of them is 0, so the sum lies
    in ``[1, K]``: no overflow, no ``log(0)``, even for logits of 1e4.
    The gradient :math:`(p - \\mathrm{onehot}(y))/N` is the reason softmax
    and cross-entropy are fused: the Jacobian of the softmax cancels out.
    Uniform logits give :math:`L = \\log K`.
    """
    logits = _check_scores(logits, "logits")
    n, k = logits.shape
    labels = _check_labels(labels, n, k)
    rows = np.arange(n)
    shifted = logits - logits.max(axis=1, keepdims=True)
    with np.errstate(under="ignore"):
        e = np.exp(shifted)
    s = e.sum(axis=1, keepdims=True)
    log_p = shifted - np.log(s)
    loss = -float(np.mean(log_p[rows, labels], dtype=np.float64))
    dlogits = e / s
    dlogits[rows, labels] -= 1
    dlogits /= n
    return loss, dlogits


def softmax_cross_entropy_naive(logits, labels):
    """:func:`softmax_cross_entropy` written as a loop over the samples.

    Parameters
    ----------
    logits : array_like, shape (N, K)
    labels : array_like of int, shape (N,)

    Returns
    -------
    loss : float
    dlogits : ndarray, shape (N, K), dtype of ``logits``
    """
    logits = _check_scores(logits, "logits")
    n, k = logits.shape
    labels = _check_labels(labels, n, k)
    loss = 0.0
    dlogits = np.zeros_like(logits)
    for i in range(n):
        z = [float(v) for v in logits[i]]
        m = max(z)                                     # shift for stability
        total = sum(math.exp(v - m) for v in z)
        loss += m + math.log(total) - z[labels[i]]     # -log p[i, label]
        for j in range(k):
            p = math.exp(z[j] - m) / total
            dlogits[i, j] = (p - (j == labels[i])) / n
    return loss / n, dlogits


def cross_entropy(probs, labels, eps=1e-12):
    """Mean cross-entropy of predicted probabilities against integer labels.

    Parameters
    ----------
    probs : array_like, shape (N, K)
        Predicted probabilities in [0, 1], e.g. ``softmax(logits)``.
    labels : array_like of int, shape (N,)
        Correct class of each sample, in ``[0, K)``.
    eps : float
        The probability of the correct class is clipped to ``[eps, 1]``
        before the log, so a probability of exactly 0 gives a large finite
        loss (``-log(1e-12) ~ 27.6``) instead of infinity.

    Returns
    -------
    loss : float
        :math:`\\frac{1}{N}\\sum_n -\\log \\max(p_{n, y_n}, \\varepsilon)`.

    Notes
    -----
    Only the probability of the correct class enters the loss. Starting from
    logits, :func:`softmax_cross_entropy` is more accurate and also returns
    the gradient.
    """
    probs = _check_scores(probs, "probs")
    if not (isinstance(eps, numbers.Real) and 0 < eps < 1):
        raise ValueError(f"eps must be a number in (0, 1), got {eps!r}")
    lo, hi = float(probs.min()), float(probs.max())
    if lo < 0 or hi > 1:
        raise ValueError(f"probs must lie in [0, 1], got values from {lo:g} to {hi:g}; "
                         "for raw scores use softmax_cross_entropy(logits, labels)")
    n, k = probs.shape
    labels = _check_labels(labels, n, k)
    p = np.clip(probs[np.arange(n), labels], eps, 1.0)
    return -float(np.mean(np.log(p), dtype=np.float64))


def mse(pred, target):
    """Mean squared error over all elements, and its gradient.

    Parameters
    ----------
    pred : array_like, any shape
        Predictions.
    target : array_like, same shape as ``pred``
        Targets. No broadcasting: a ``(N, 1)`` prediction against ``(N,)``
        targets is an error, not an ``(N, N)`` surprise.

    Returns
    -------
    loss : float
        :math:`L = \\frac{1}{S}\\sum_i (\\hat y_i - y_i)^2`, S = number of elements.
    dpred : ndarray, shape and dtype of ``pred``
        :math:`\\partial L / \\partial \\hat y = 2(\\hat y - y)/S`.
    """
    pred = as_float_array(pred, "pred")
    target = as_float_array(target, "target")
    if pred.shape != target.shape:
        raise ValueError(f"pred and target must have the same shape, got {pred.shape} "
                         f"and {target.shape}")
    if pred.size == 0:
        raise ValueError("pred and target are empty; mse needs at least one element")
    _check_finite(pred, "pred", "contains")
    _check_finite(target, "target", "contains")
    diff = pred - target
    loss = float(np.mean(diff * diff, dtype=np.float64))
    dpred = (2 * diff / diff.size).astype(pred.dtype, copy=False)
    return loss, dpred


def accuracy(scores, labels):
    """Fraction of samples whose highest score is the correct class.

    Parameters
    ----------
    scores : array_like, shape (N, K)
        Logits or probabilities (the argmax is the same).
    labels : array_like of int, shape (N,)
        Correct classes, in ``[0, K)``.

    Returns
    -------
    acc : float
        In [0, 1]. On ties, the first of the tied classes is the prediction
        (``numpy.argmax``).
    """
    scores = _check_scores(scores, "scores")
    n, k = scores.shape
    labels = _check_labels(labels, n, k)
    return float(np.mean(scores.argmax(axis=1) == labels))
