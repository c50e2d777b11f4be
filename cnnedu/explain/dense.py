"""Quantities that explain the dense head (chapter "Dense layers and the classification head").

Pure computations, no drawing:

- :func:`dropout_view` -- what the dropout explorer shows: one inverted
  dropout mask on a map of activations, the kept share and the mean
  activation before and after;
- :func:`mean_over_masks` -- the mean output of dropout averaged over many
  masks (inverted scaling keeps it close to the mean input).
"""
from __future__ import annotations

import functools
from typing import NamedTuple

import numpy as np

from ..ops.dropout import dropout

__all__ = ["N_MASKS", "DropoutView", "dropout_view", "mean_over_masks"]

#: How many masks :func:`dropout_view` averages over to show the expected mean.
N_MASKS = 500


def mean_over_masks(x, rate: float, seed: int, n: int = N_MASKS) -> float:
    """Mean of ``dropout(x, rate)`` over ``n`` masks drawn with ``default_rng(seed)``.

    Parameters
    ----------
    x : ndarray, any shape, e.g. (H, W)
    rate : float in [0, 1)
    seed : int
        Seed of the generator of all ``n`` masks.
    n : int

    Returns
    -------
    float
        The mean over the ``n`` outputs of shape ``x.shape`` (memoised).
    """
    x = np.ascontiguousarray(x, dtype=np.float64)
    return _mean_over_masks(x.tobytes(), x.shape, float(rate), int(seed), int(n))


@functools.lru_cache(maxsize=64)
def _mean_over_masks(data: bytes, shape: tuple, rate: float, seed: int, n: int) -> float:
    x = np.frombuffer(data, dtype=np.float64).reshape(shape)
    many = np.broadcast_to(x, (n,) + shape)
    y_many, _ = dropout(many, rate, rng=np.random.default_rng(seed))
    return float(y_many.mean())


class DropoutView(NamedTuple):
    """What the dropout explorer shows (:func:`dropout_view`)."""

    #: the activations (H, W), the mask and the output ``x * mask`` (H, W)
    x: np.ndarray
    mask: np.ndarray
    y: np.ndarray
    rate: float
    training: bool
    #: share of units kept by the mask
    kept_fraction: float
    #: mean of ``x``, of ``y``, and of ``y`` over :data:`N_MASKS` masks
    mean_before: float
    mean_after: float
    mean_after_average: float


def dropout_view(x, rate: float, seed: int, mode: str = "train") -> DropoutView:
    """One dropout mask on ``x`` and the mean activation before and after.

    Parameters
    ----------
    x : ndarray, shape (H, W)
        The activations.
    rate : float in [0, 1)
        The drop rate.
    seed : int
        Seed of the mask (``dropout(x, rate, rng=seed)``); the average over
        :data:`N_MASKS` masks uses ``rng=numpy.random.default_rng(seed + 1)``.
    mode : {'train', 'eval'}
        Dropout is the identity in evaluation mode.

    Returns
    -------
    DropoutView
    """
    training = mode == "train"
    y, mask = dropout(x, rate, rng=int(seed), training=training)   # checks the rate
    rate = float(rate)
    mean_after = float(y.mean())
    mean_avg = mean_over_masks(x, rate, int(seed) + 1) if training else mean_after
    return DropoutView(x, mask, y, rate, training, float(np.mean(mask != 0)),
                       float(x.mean()), mean_after, mean_avg)
