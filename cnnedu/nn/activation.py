"""Activation layers: an activation function as a layer of its own.

``Sequential([Conv2D(32, 3), ReLU(), ...])`` is the same model as
``Sequential([Conv2D(32, 3, activation='relu'), ...])``; the separate layer
shows up as its own row in ``summary()``. The functions and their
derivatives live in :mod:`cnnedu.ops.activation`.

Element-wise activations back-propagate as ``dx = dy * f'(x)``;
:class:`Softmax` mixes the entries along the channel/feature axis (axis 1)
and uses :func:`cnnedu.ops.activation.softmax_backward`. :class:`PReLU` is the
one activation layer with a parameter: a learned negative slope per channel.
"""
from __future__ import annotations

import numbers

import numpy as np

from ..ops.activation import (Activation as _Fn, elu, elu_grad, leaky_relu, leaky_relu_grad,
                              prelu, prelu_grad)
from .base import Layer

__all__ = ["Activation", "ReLU", "Sigmoid", "Tanh", "LeakyReLU", "ELU", "SELU", "GELU", "SiLU",
           "PReLU", "Softmax"]


class Activation(Layer):
    """Apply an activation function by name: ``Activation('relu')``.

    Parameters
    ----------
    activation : str
        One of ``'relu'``, ``'sigmoid'``, ``'tanh'``, ``'leaky_relu'``,
        ``'elu'``, ``'selu'``, ``'gelu'``, ``'silu'`` (or ``'swish'``),
        ``'softmax'``, ``'linear'``. PReLU learns its slope: use :class:`PReLU`.
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


class GELU(_Named):
    """GELU layer, ``x * Phi(x)``, exact erf form (:func:`cnnedu.ops.activation.gelu`)."""
    function = "gelu"


class SiLU(_Named):
    """SiLU (Swish) layer, ``x * sigmoid(x)`` (:func:`cnnedu.ops.activation.silu`)."""
    function = "silu"


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



class PReLU(Layer):
    """Parametric ReLU (He et al., 2015) with one learned slope per channel.

    ``y = x`` where ``x > 0`` and ``y = a_c * x`` otherwise, with ``a_c`` the
    slope of channel ``c`` (axis 1): for an ``(N, C, H, W)`` input every
    position of channel ``c`` shares ``a_c``, for an ``(N, D)`` input each
    feature has its own, as in the paper's channel-wise variant.

    Parameters
    ----------
    alpha_initializer : float
        Initial value of every slope (He et al. use 0.25, as does PyTorch).
    name, dtype, input_shape
        See :class:`~cnnedu.nn.base.Layer`.

    Notes
    -----
    input ``(N, C, ...)``; output the same. Parameter ``'alpha'``, shape
    ``(C,)``. Backward (:func:`cnnedu.ops.activation.prelu_grad`):

    .. math:: \\frac{\\partial L}{\\partial x} = dy \\cdot
              \\begin{cases} 1 & x > 0 \\\\ a_c & x \\le 0 \\end{cases},
              \\qquad \\frac{\\partial L}{\\partial a_c}
              = \\sum_{n, \\text{positions}} dy \\cdot \\min(x, 0).
    """

    def __init__(self, alpha_initializer: float = 0.25, **kwargs):
        if (isinstance(alpha_initializer, bool) or not isinstance(alpha_initializer, numbers.Real)
                or not np.isfinite(alpha_initializer)):
            raise ValueError(f"alpha_initializer must be a finite number, got "
                             f"{alpha_initializer!r}")
        self.alpha_initializer = float(alpha_initializer)
        super().__init__(**kwargs)
        self._x = None

    def _init_params(self, input_shape, rng) -> None:
        self.params = {"alpha": np.full(input_shape[0], self.alpha_initializer,
                                        dtype=self.dtype)}

    def _check_compatible(self, sample_shape) -> None:
        c = self.params["alpha"].shape[0]
        if sample_shape[0] != c:
            raise ValueError(f"{self.name or 'PReLU'} was built for {c} channels (axis 1), "
                             f"got input with {sample_shape[0]}")

    def _slopes(self, ndim: int) -> np.ndarray:
        """``alpha`` shaped ``(C, 1, ..., 1)`` to broadcast over a batch of rank ``ndim``."""
        return self.params["alpha"].reshape((-1,) + (1,) * (ndim - 2))

    def _forward_op(self, x, training):
        self._x = x
        return prelu(x, self._slopes(x.ndim))

    def _backward_op(self, dz):
        x = self._x
        if np.shape(dz) != x.shape:
            raise ValueError(f"dy must have the shape of the last output {x.shape}, "
                             f"got {np.shape(dz)}")
        axes = (0,) + tuple(range(2, x.ndim))
        self.grads = {"alpha": (dz * np.minimum(x, 0)).sum(axis=axes).astype(self.dtype)}
        return dz * prelu_grad(x, self._slopes(x.ndim))

    def _repr_args(self) -> list[str]:
        return [] if self.alpha_initializer == 0.25 else [
            f"alpha_initializer={self.alpha_initializer:g}"]
