"""The fully-connected layer on feature vectors ``(N, D)``: :class:`Dense`.

It wraps the functional ops of :mod:`cnnedu.ops.dense` in the layer protocol
of :mod:`cnnedu.nn.base`.
"""
from __future__ import annotations

import numpy as np

from .._checks import check_positive_int
from ..ops.dense import dense, dense_backward
from .initializers import get_initializer
from .base import Layer

__all__ = ["Dense"]


class Dense(Layer):
    r"""Fully-connected layer: ``y = f(x @ w.T + b)``.

    Parameters
    ----------
    units : int
        Number of outputs M.
    activation : str or None
        Name of the activation applied after the product (``'relu'``,
        ``'softmax'``, ...; see :func:`cnnedu.ops.activation.get_activation`);
        ``None`` for none.
    use_bias : bool
        Add a bias ``b`` of shape ``(M,)`` (initialised to zero).
    kernel_initializer : {'auto', 'he', 'glorot'}
        ``'auto'`` (default): He normal for ReLU-like activations, Glorot
        uniform (Keras' default) otherwise. See :mod:`cnnedu.nn.initializers`.
    name, dtype, input_shape
        See :class:`~cnnedu.nn.base.Layer`.

    Notes
    -----
    input ``(N, D)``, weights ``w`` ``(M, D)``, bias ``b`` ``(M,)``, output
    ``(N, M)``. D is taken from the first input. Parameters:
    :math:`M D + M`.
    """

    input_ndim = 2
    input_layout = "(N, D)"

    def __init__(self, units: int, activation=None, use_bias: bool = True,
                 kernel_initializer: str = "auto", **kwargs):
        super().__init__(**kwargs)
        self.units = check_positive_int(units, "units")
        self._set_activation(activation)
        self.use_bias = bool(use_bias)
        get_initializer(kernel_initializer)             # validate the name now
        self.kernel_initializer = kernel_initializer

    def output_shape(self, input_shape) -> tuple:
        return (self.units,)

    def _init_params(self, input_shape, rng) -> None:
        init = get_initializer(self.kernel_initializer, self.activation)
        self.params = {"w": init((self.units, input_shape[0]), rng, self.dtype)}
        if self.use_bias:
            self.params["b"] = np.zeros(self.units, dtype=self.dtype)

    def _check_compatible(self, sample_shape) -> None:
        d = self.params["w"].shape[1]
        if sample_shape[0] != d:
            raise ValueError(f"{self.name or 'Dense'} was built for inputs of {d} features, "
                             f"got x with {sample_shape[0]}")

    def _forward_op(self, x, training):
        self._x = x
        return dense(x, self.params["w"], self.params.get("b"))

    _skips_input_grad = True

    def _backward_op(self, dz, input_grad: bool = True):
        dx, dw, db = dense_backward(dz, self._x, self.params["w"], input_grad=input_grad)
        self.grads = {"w": dw}
        if self.use_bias:
            self.grads["b"] = db
        return dx

    def _repr_args(self) -> list[str]:
        args = [str(self.units)]
        if self.activation is not None:
            args.append(f"activation={self.activation!r}")
        if not self.use_bias:
            args.append("use_bias=False")
        return args
