"""Pooling layers on images ``(N, C, H, W)``: max, average and global average.

They wrap the functional ops of :mod:`cnnedu.ops.pool` in the layer protocol
of :mod:`cnnedu.nn.base`. Argument names follow Keras (``pool_size``,
``strides``, ``padding``); the layout is channels-first (NCHW). No layer
here has parameters.

Output size along each spatial axis, for input size ``n``, window ``k``,
stride ``s`` (by default ``k``) and padding ``p``
(:func:`cnnedu.geometry.pool_geometry`)::

    out = floor((n + 2p - k) / s) + 1
"""
from __future__ import annotations

from .._checks import as_pair
from ..geometry import check_padding, pool_geometry
from ..ops.pool import (avg_pool2d, avg_pool2d_backward, global_avg_pool2d,
                        global_avg_pool2d_backward, max_pool2d, max_pool2d_backward)
from .base import Layer

__all__ = ["MaxPool2D", "AvgPool2D", "GlobalAvgPool2D",
           "MaxPooling2D", "AveragePooling2D", "GlobalAveragePooling2D"]


class _Pool2D(Layer):
    """Shared parts of the two pooling layers."""

    input_ndim = 4
    input_layout = "(N, C, H, W)"
    _op = _op_backward = None

    def __init__(self, pool_size=2, strides=None, padding=0, **kwargs):
        super().__init__(**kwargs)
        self.pool_size = as_pair(pool_size, "pool_size")
        self.strides = self.pool_size if strides is None else as_pair(strides, "strides")
        pad = check_padding(padding, modes=("valid",), keras=True)
        self.padding = (0, 0) if pad == "valid" else pad

    def output_shape(self, input_shape) -> tuple:
        c, h, w = input_shape
        g = pool_geometry((h, w), self.pool_size, self.strides, self.padding)
        if g.empty:
            kh, kw = self.pool_size
            p = g.ph if g.Hp < kh else g.pw
            raise ValueError(f"pool_size {kh}x{kw} does not fit a {h}x{w} input with "
                             f"padding {p}")
        return (c, *g.output_size)

    def _forward_op(self, x, training):
        self._x = x
        return type(self)._op(x, self.pool_size, stride=self.strides, padding=self.padding)

    def _backward_op(self, dz):
        self.grads = {}
        return type(self)._op_backward(dz, self._x, self.pool_size, stride=self.strides,
                                       padding=self.padding)

    def _repr_args(self) -> list[str]:
        args = [f"pool_size={self.pool_size}"]
        if self.strides != self.pool_size:
            args.append(f"strides={self.strides}")
        if self.padding != (0, 0):
            args.append(f"padding={self.padding}")
        return args


class MaxPool2D(_Pool2D):
    """Max pooling: the largest value of each ``pool_size`` window, per channel.

    Parameters
    ----------
    pool_size : int or (ph, pw)
        Window size.
    strides : int or (sh, sw), optional
        Step of the window; defaults to ``pool_size`` (non-overlapping windows).
    padding : 'valid' or int or (ph, pw)
        Padding on each side (padded cells never win the max).

    Notes
    -----
    input ``(N, C, H, W)``; output ``(N, C, OH, OW)``,
    ``OH = floor((H + 2p - pool) / stride) + 1``. No parameters.
    """

    _op = staticmethod(max_pool2d)
    _op_backward = staticmethod(max_pool2d_backward)


class AvgPool2D(_Pool2D):
    """Average pooling: the mean of each ``pool_size`` window, per channel.

    Parameters and shapes as :class:`MaxPool2D`.
    """

    _op = staticmethod(avg_pool2d)
    _op_backward = staticmethod(avg_pool2d_backward)


class GlobalAvgPool2D(Layer):
    """Global average pooling: one mean per channel, ``(N, C, H, W) -> (N, C)``. No parameters."""

    input_ndim = 4
    input_layout = "(N, C, H, W)"

    def output_shape(self, input_shape) -> tuple:
        return (input_shape[0],)

    def _forward_op(self, x, training):
        self._x = x
        return global_avg_pool2d(x)

    def _backward_op(self, dz):
        self.grads = {}
        return global_avg_pool2d_backward(dz, self._x)


# Keras' longer names
MaxPooling2D = MaxPool2D
AveragePooling2D = AvgPool2D
GlobalAveragePooling2D = GlobalAvgPool2D
