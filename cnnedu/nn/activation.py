"""Activation layers: an activation function as a layer of its own.

``Sequential([Conv2D(32, 3), ReLU(), ...])`` is the same model as
``Sequential([Conv2D(32, 3, activation='relu'), ...])``; the separate layer
shows up as its own row in ``summary()``. The functions and their
derivatives live in :mod:`cnnedu.ops.activation`.

Element-wise activations back-propagate as ``dx = dy * f'(x)``;
:class:`Softmax` mixes the entries along the channel/feature axis (axis 1)
and uses :func:`cnnedu.ops.activation.softmax_backward`.
"""
from __future__ import annotations

import numbers

from ..ops.activation import Activation as _Fn, elu, elu_grad, leaky_relu, leaky_relu_grad
from .base import Layer

__all__ = ["Activation", "ReLU", "Sigmoid", "Tanh", "LeakyReLU", "ELU", "SELU", "Softmax"]


class Activation(Layer):
    """Apply an activation function by name: ``Activation('relu')``.

    Parameters
    ----------
    activation : str
        One of ``'relu'``, ``'sigmoid'``, ``'tanh'``, ``'leaky_relu'``,
        ``'elu'``, ``'selu'``, ``'softmax'``, ``'linear'``.
    name, dtype, input_shape
        See :class:`~cnnedu.nn.base.Layer`.

    Notes
    -----
    input any ``(N, ...)``; output the same. No parameters.
    """

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self._set_activation(activation)

    def _forward_op(self, x, training):
        return x                                 # the activation is applied by Layer.forward

    def _backward_op(self, dz):
        self.grads = {}
        return dz

    def _repr_args(self) -> list[str]:
        return [repr(self.activation or "linear")]


class _Named(Activation):
    """An activation layer whose class fixes the function."""

    function = "linear"

    def __init__(self, **kwargs):
        super().__init__(self.function, **kwargs)

    def _repr_args(self) -> list[str]:
        return []


class ReLU(_Named):
    """ReLU layer, ``max(x, 0)`` (:func:`cnnedu.ops.activation.relu`)."""
    function = "relu"


class Sigmoid(_Named):
    """Sigmoid layer, ``1 / (1 + exp(-x))`` (:func:`cnnedu.ops.activation.sigmoid`)."""
    function = "sigmoid"


class Tanh(_Named):
    """Tanh layer (:func:`cnnedu.ops.activation.tanh`)."""
    function = "tanh"


class SELU(_Named):
    """SELU layer (:func:`cnnedu.ops.activation.selu`)."""
    function = "selu"


class Softmax(_Named):
    """Softmax over the channel/feature axis (axis 1): each sample's outputs sum to 1.

    For an ``(N, K)`` input this is the usual row-wise softmax; for
    ``(N, C, H, W)`` it normalises over the C channels at every pixel.
    At the end of a model trained with ``'sparse_categorical_crossentropy'``
    the model fuses it with the loss (see :class:`~cnnedu.nn.model.Sequential`).
    """
    function = "softmax"


def _with_alpha(f, f_grad, name: str, alpha: float) -> _Fn:
    def fn(x):
        return f(x, alpha)

    def grad(x):
        return f_grad(x, alpha)

    fn.__name__ = name
    return _Fn(fn, grad)


def _check_alpha(alpha) -> float:
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real) or not alpha >= 0:
        raise ValueError(f"alpha must be a non-negative number, got {alpha!r}")
    return float(alpha)


class LeakyReLU(Activation):
    """Leaky ReLU layer: ``x`` for ``x > 0``, ``alpha * x`` otherwise.

    Parameters
    ----------
    alpha : float
        Slope for negative inputs. Default 0.01, as :func:`cnnedu.ops.activation.leaky_relu`
        (Keras' ``LeakyReLU`` defaults to 0.3).
    """

    def __init__(self, alpha: float = 0.01, **kwargs):
        self.alpha = _check_alpha(alpha)
        super().__init__("leaky_relu", **kwargs)
        self._act = _with_alpha(leaky_relu, leaky_relu_grad, "leaky_relu", self.alpha)

    def _repr_args(self) -> list[str]:
        return [f"alpha={self.alpha:g}"]


class ELU(Activation):
    """ELU layer: ``x`` for ``x > 0``, ``alpha * (exp(x) - 1)`` otherwise.

    Parameters
    ----------
    alpha : float
        The output tends to ``-alpha`` for very negative inputs (default 1).
    """

    def __init__(self, alpha: float = 1.0, **kwargs):
        self.alpha = _check_alpha(alpha)
        super().__init__("elu", **kwargs)
        self._act = _with_alpha(elu, elu_grad, "elu", self.alpha)

    def _repr_args(self) -> list[str]:
        return [f"alpha={self.alpha:g}"]

