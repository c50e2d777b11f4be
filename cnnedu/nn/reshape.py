"""Layers that only change the shape of a batch: :class:`Flatten`."""
from __future__ import annotations

import numpy as np

from .base import Layer

__all__ = ["Flatten"]


class Flatten(Layer):
    """Flatten each sample to a vector: ``(N, C, H, W) -> (N, C*H*W)``. No parameters.

    The order is NCHW's: all of channel 0 row by row, then channel 1, ...
    """

    def output_shape(self, input_shape) -> tuple:
        return (int(np.prod(input_shape)),)

    def _forward_op(self, x, training):
        self._in_shape = x.shape
        return x.reshape(len(x), -1)

    def _backward_op(self, dz):
        self.grads = {}
        return np.reshape(dz, self._in_shape)
