"""Layers on images ``(N, C, H, W)``: convolution, pooling and flattening.

They wrap the functional ops of :mod:`cnnedu.ops.conv` and :mod:`cnnedu.ops.pool`
in the layer protocol of :mod:`cnnedu.nn.base`. Argument names follow
Keras (``filters``, ``kernel_size``, ``strides``, ``padding``,
``dilation_rate``, ``pool_size``) so a Keras model reads the same here; the
layout is channels-first (NCHW), as everywhere in :mod:`cnnedu`.

Output size along each spatial axis, for input size ``n``, kernel ``k``,
stride ``s``, padding ``p`` and dilation ``d``
(:func:`cnnedu.ops.conv.conv_output_size`)::

    out = floor((n + 2p - d(k - 1) - 1) / s) + 1
"""
from __future__ import annotations

import numpy as np

from .._checks import as_pair, check_positive_int
from ..ops.conv import conv2d, conv2d_backward, conv_output_size
from .initializers import get_initializer
from .base import Layer
from ..ops.pool import (avg_pool2d, avg_pool2d_backward, global_avg_pool2d,
                      global_avg_pool2d_backward, max_pool2d, max_pool2d_backward)

__all__ = ["Conv2D", "MaxPool2D", "AvgPool2D", "GlobalAvgPool2D", "Flatten",
           "MaxPooling2D", "AveragePooling2D", "GlobalAveragePooling2D"]


def _check_padding(padding, *, allow_same: bool = True):
    """'valid' / 'same' (lower-cased), or an int / pair of non-negative ints."""
    if isinstance(padding, str):
        key = padding.lower()
        if key == "valid" or (key == "same" and allow_same):
            return key
    else:
        try:
            return as_pair(padding, "padding", minimum=0)
        except (TypeError, ValueError):
            pass
    allowed = "'valid', 'same', " if allow_same else "'valid', "
    raise ValueError(f"padding must be {allowed}a non-negative int or (h, w) pair, got {padding!r}")


class Conv2D(Layer):
    r"""2-D convolution layer (cross-correlation, as in every deep-learning library).

    Parameters
    ----------
    filters : int
        Number of output channels F.
    kernel_size : int or (KH, KW)
        Kernel size; ``3`` means ``(3, 3)``.
    strides : int or (sh, sw)
        Step of the kernel.
    padding : {'valid', 'same'} or int or (ph, pw)
        ``'valid'``: no padding; ``'same'``: zero padding so that
        ``out = ceil(n / s)``; an int or pair: that many zeros on each side.
    dilation_rate : int or (dh, dw)
        Spacing between kernel taps.
    activation : str or None
        Activation applied after the convolution (``'relu'``, ...), or ``None``.
    use_bias : bool
        Add one bias per filter (initialised to zero).
    kernel_initializer : {'auto', 'he', 'glorot'}
        ``'auto'`` (default): He normal for ReLU-like activations, Glorot
        uniform (Keras' default) otherwise. See :mod:`cnnedu.nn.initializers`.
    name, dtype, input_shape
        See :class:`~cnnedu.nn.base.Layer`.

    Notes
    -----
    input ``(N, C, H, W)``; weights ``w`` ``(F, C, KH, KW)``; bias ``b``
    ``(F,)``; output ``(N, F, OH, OW)`` with ``OH, OW`` from the formula in
    the module docstring. C is taken from the first input. Parameters:
    :math:`F \cdot C \cdot K_H K_W + F`.
    """

    input_ndim = 4
    input_layout = "(N, C, H, W)"

    def __init__(self, filters: int, kernel_size, strides=1, padding="valid", dilation_rate=1,
                 activation=None, use_bias: bool = True, kernel_initializer: str = "auto",
                 **kwargs):
        super().__init__(**kwargs)
        self.filters = check_positive_int(filters, "filters")
        self.kernel_size = as_pair(kernel_size, "kernel_size")
        self.strides = as_pair(strides, "strides")
        self.padding = _check_padding(padding)
        self.dilation_rate = as_pair(dilation_rate, "dilation_rate")
        self._set_activation(activation)
        self.use_bias = bool(use_bias)
        get_initializer(kernel_initializer)             # validate the name now
        self.kernel_initializer = kernel_initializer

    def output_shape(self, input_shape) -> tuple:
        _, h, w = input_shape
        pads = (self.padding,) * 2 if isinstance(self.padding, str) else self.padding
        oh, ow = (conv_output_size(n, k, stride=s, padding=p, dilation=d)
                  for n, k, s, p, d in zip((h, w), self.kernel_size, self.strides, pads,
                                           self.dilation_rate))
        if oh < 1 or ow < 1:
            kh, kw = self.kernel_size
            dil = "" if self.dilation_rate == (1, 1) else f" with dilation {self.dilation_rate}"
            pad = self.padding if isinstance(self.padding, str) or pads[0] != pads[1] else pads[0]
            raise ValueError(f"kernel {kh}x{kw}{dil} does not fit a {h}x{w} input with "
                             f"padding {pad!r}")
        return (self.filters, oh, ow)

    def _init_params(self, input_shape, rng) -> None:
        init = get_initializer(self.kernel_initializer, self.activation)
        self.params = {"w": init((self.filters, input_shape[0]) + self.kernel_size, rng, self.dtype)}
        if self.use_bias:
            self.params["b"] = np.zeros(self.filters, dtype=self.dtype)

    def _check_compatible(self, sample_shape) -> None:
        c = self.params["w"].shape[1]
        if sample_shape[0] != c:
            raise ValueError(f"{self.name or 'Conv2D'} was built for inputs with {c} channel(s), "
                             f"got x with {sample_shape[0]} (x must be (N, C, H, W))")

    def _forward_op(self, x, training):
        self._x = x
        self._cache = {}  # the window matrix, reused by the backward pass
        return conv2d(x, self.params["w"], self.params.get("b"), stride=self.strides,
                      padding=self.padding, dilation=self.dilation_rate, cache=self._cache)

    def _backward_op(self, dz):
        dx, dw, db = conv2d_backward(dz, self._x, self.params["w"], stride=self.strides,
                                     padding=self.padding, dilation=self.dilation_rate,
                                     cache=self._cache)
        self.grads = {"w": dw}
        if self.use_bias:
            self.grads["b"] = db
        return dx

    def _repr_args(self) -> list[str]:
        args = [str(self.filters), f"kernel_size={self.kernel_size}"]
        if self.strides != (1, 1):
            args.append(f"strides={self.strides}")
        if self.padding != "valid":
            args.append(f"padding={self.padding!r}")
        if self.dilation_rate != (1, 1):
            args.append(f"dilation_rate={self.dilation_rate}")
        if self.activation is not None:
            args.append(f"activation={self.activation!r}")
        if not self.use_bias:
            args.append("use_bias=False")
        return args


class _Pool2D(Layer):
    """Shared parts of the two pooling layers."""

    input_ndim = 4
    input_layout = "(N, C, H, W)"
    _op = _op_backward = None

    def __init__(self, pool_size=2, strides=None, padding=0, **kwargs):
        super().__init__(**kwargs)
        self.pool_size = as_pair(pool_size, "pool_size")
        self.strides = self.pool_size if strides is None else as_pair(strides, "strides")
        pad = _check_padding(padding, allow_same=False)
        self.padding = (0, 0) if pad == "valid" else pad

    def output_shape(self, input_shape) -> tuple:
        c, h, w = input_shape
        out = []
        for axis, n, k, s, p in zip("HW", (h, w), self.pool_size, self.strides, self.padding):
            if n + 2 * p < k:
                raise ValueError(f"pool_size {self.pool_size[0]}x{self.pool_size[1]} does not fit a "
                                 f"{h}x{w} input with padding {p}")
            out.append((n + 2 * p - k) // s + 1)
        return (c, *out)

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


# Keras' longer names
MaxPooling2D = MaxPool2D
AveragePooling2D = AvgPool2D
GlobalAveragePooling2D = GlobalAvgPool2D
