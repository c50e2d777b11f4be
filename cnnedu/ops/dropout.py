"""Inverted dropout: forward and backward.

During training each unit is kept with probability ``1 - rate`` and the kept
ones are scaled by ``1 / (1 - rate)``, so the expected value of every output
equals its input and nothing needs rescaling at test time. In evaluation
mode dropout is the identity.

Randomness is explicit: training with ``rate > 0`` needs ``rng``, a
``numpy.random.Generator`` (draws a fresh mask on every call, advancing the
generator) or an int seed (the same mask every call with that seed). Without
it, a chapter or a test would not give the same numbers twice, so a missing
``rng`` is an error rather than a silent fresh random state.
"""
from __future__ import annotations

import numbers

import numpy as np

from .._checks import as_float_array

__all__ = ["dropout", "dropout_backward"]


def _check_rate(rate) -> float:
    if not isinstance(rate, numbers.Real) or isinstance(rate, bool):
        raise TypeError(f"rate must be a number in [0, 1), got {rate!r} ({type(rate).__name__})")
    if not 0 <= rate < 1:
        why = ""
        if rate == 1:
            why = " (rate 1 would drop every unit and the 1/(1 - rate) scaling divides by zero)"
        raise ValueError(f"rate must be in [0, 1), got {rate!r}{why}")
    return float(rate)


def _as_generator(rng, rate: float) -> np.random.Generator:
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
        return np.random.default_rng(int(rng))
    if rng is None:
        raise TypeError(f"dropout in training mode with rate {rate:g} needs rng: pass a "
                        "numpy.random.Generator (e.g. rng=np.random.default_rng(0)) or an "
                        "int seed")
    raise TypeError(f"rng must be a numpy.random.Generator or an int seed, got {rng!r} "
                    f"({type(rng).__name__})")


def dropout(x, rate, rng=None, training=True):
    """Inverted dropout: zero each entry with probability ``rate``, scale the rest.

    Parameters
    ----------
    x : array_like, any shape, e.g. (N, D) or (N, C, H, W)
        Input activations.
    rate : float in [0, 1)
        Probability of dropping (zeroing) each entry.
    rng : numpy.random.Generator or int, optional
        Source of the random mask; required when ``training`` and ``rate > 0``.
        A Generator advances, so repeated calls draw new masks; an int seed
        gives the same mask each time. Not used (and not advanced) in
        evaluation mode or when ``rate == 0``.
    training : bool
        ``False`` (evaluation/inference) makes dropout the identity.

    Returns
    -------
    y : ndarray, same shape and dtype as ``x``
        ``x * mask``.
    mask : ndarray, same shape and dtype as ``x``
        ``0`` for dropped entries, ``1 / (1 - rate)`` for kept ones (all ones
        in evaluation mode or for ``rate == 0``). Keep it for
        :func:`dropout_backward`.

    Notes
    -----
    With :math:`m_i \\sim \\mathrm{Bernoulli}(1 - r)` independently,

    .. math:: y_i = \\frac{m_i}{1 - r}\\, x_i, \\qquad
              \\mathbb{E}[y_i] = x_i, \\qquad
              \\frac{\\partial y_i}{\\partial x_i} = \\frac{m_i}{1 - r}.
    """
    x = as_float_array(x, "x")
    rate = _check_rate(rate)
    if not isinstance(training, (bool, np.bool_)):
        raise TypeError(f"training must be True or False, got {training!r}")
    if not training or rate == 0:
        mask = np.ones_like(x)
    else:
        gen = _as_generator(rng, rate)
        keep = 1.0 - rate
        kept = np.asarray(gen.random(x.shape)) < keep
        mask = kept.astype(x.dtype) / x.dtype.type(keep)
    return x * mask, mask


def dropout_backward(dy, mask):
    """Backward pass of :func:`dropout`: ``dx = dy * mask``.

    Parameters
    ----------
    dy : array_like, same shape as ``mask``
        Upstream gradient :math:`\\partial L / \\partial y`.
    mask : array_like
        The mask returned by :func:`dropout` (already scaled).

    Returns
    -------
    dx : ndarray, same shape as ``dy``
        Zero where the unit was dropped, ``dy / (1 - rate)`` where kept.
    """
    dy = as_float_array(dy, "dy")
    mask = as_float_array(mask, "mask")
    if dy.shape != mask.shape:
        raise ValueError(f"dy must have the shape of mask {mask.shape}, got {dy.shape}")
    return dy * mask
