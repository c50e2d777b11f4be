"""The convolution layer on images ``(N, C, H, W)``: :class:`Conv2D`.

It wraps the functional ops of :mod:`cnnedu.ops.conv` in the layer protocol
of :mod:`cnnedu.nn.base` (the pooling layers are in :mod:`cnnedu.nn.pool`).
Argument names follow Keras (``filters``, ``kernel_size``, ``strides``,
``padding``, ``dilation_rate``) so a Keras model reads the same here; the
layout is channels-first (NCHW), as everywhere in :mod:`cnnedu`.

Output size along each spatial axis, for input size ``n``, kernel ``k``,
stride ``s``, padding ``p`` and dilation ``d``
(:func:`cnnedu.geometry.conv_output_size`)::

    out = floor((n + 2p - d(k - 1) - 1) / s) + 1
"""
from __future__ import annotations

import numpy as np

from .._checks import as_pair, check_positive_int
from ..geometry import check_padding, conv_geometry, format_pair
from ..ops.conv import conv2d, conv2d_backward
from .initializers import get_initializer
from .base import Layer

__all__ = ["Conv2D"]


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
        self.padding = check_padding(padding, keras=True)
        self.dilation_rate = as_pair(dilation_rate, "dilation_rate")
        self._set_activation(activation)
        self.use_bias = bool(use_bias)
        get_initializer(kernel_initializer)             # validate the name now
        self.kernel_initializer = kernel_initializer

    def output_shape(self, input_shape) -> tuple:
        _, h, w = input_shape
        g = conv_geometry((h, w), self.kernel_size, self.strides, self.padding,
                          self.dilation_rate)
        if g.empty:
            kh, kw = self.kernel_size
            dil = "" if self.dilation_rate == (1, 1) else f" with dilation {self.dilation_rate}"
            pad = repr(self.padding) if isinstance(self.padding, str) else format_pair(self.padding)
            raise ValueError(f"kernel {kh}x{kw}{dil} does not fit a {h}x{w} input with "
                             f"padding {pad}")
        return (self.filters, *g.output_size)

    def _init_params(self, input_shape, rng) -> None:
        init = get_initializer(self.kernel_initializer, self.activation)
        shape = (self.filters, input_shape[0]) + self.kernel_size
        self.params = {"w": init(shape, rng, self.dtype)}
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

    _skips_input_grad = True

    def _backward_op(self, dz, input_grad: bool = True):
        dx, dw, db = conv2d_backward(dz, self._x, self.params["w"], stride=self.strides,
                                     padding=self.padding, dilation=self.dilation_rate,
                                     cache=self._cache, input_grad=input_grad)
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
