"""The dropout layer: :class:`Dropout`.

It wraps the functional ops of :mod:`cnnedu.ops.dropout` in the layer protocol
of :mod:`cnnedu.nn.base`.
"""
from __future__ import annotations

import numbers

import numpy as np

from .._checks import as_generator
from ..ops.dropout import dropout, dropout_backward
from .base import Layer

__all__ = ["Dropout"]


class Dropout(Layer):
    """Inverted dropout: in training, zero each input with probability ``rate``.

    The kept inputs are scaled by ``1 / (1 - rate)``; outside training the
    layer is the identity (see :func:`cnnedu.ops.dropout.dropout`).

    Parameters
    ----------
    rate : float in [0, 1)
        Probability of dropping each entry.
    seed : int, optional
        Seed of the layer's own generator. Without it the generator is
        derived from the model's seed when the model is built.
    name, dtype, input_shape
        See :class:`~cnnedu.nn.base.Layer`.

    Attributes
    ----------
    rng : numpy.random.Generator
        Draws a fresh mask at every training forward. Replace it (e.g.
        ``layer.rng = np.random.default_rng(0)``) to replay a mask.

    Notes
    -----
    input any ``(N, ...)``; output the same. No parameters.
    """

    def __init__(self, rate: float, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
            raise ValueError(f"rate must be a number in [0, 1), got {rate!r}")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)
                                 or seed < 0):
            raise ValueError(f"seed must be a non-negative int or None, got {seed!r}")
        self.rate = float(rate)
        self.seed = seed
        self.rng = None if seed is None else np.random.default_rng(seed)
        self._mask = None

    def _init_params(self, input_shape, rng) -> None:
        if self.rng is None:
            self.rng = as_generator(rng).spawn(1)[0]

    def _forward_op(self, x, training):
        if not training or self.rate == 0:
            self._mask = None
            return x
        y, self._mask = dropout(x, self.rate, rng=self.rng, training=True)
        return y

    def _backward_op(self, dz):
        self.grads = {}
        return dz if self._mask is None else dropout_backward(dz, self._mask)

    def _repr_args(self) -> list[str]:
        return [f"{self.rate:g}"] + ([f"seed={self.seed}"] if self.seed is not None else [])
