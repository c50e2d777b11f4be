r"""The batch normalization layer: :class:`BatchNormalization`.

It wraps the functional ops of :mod:`cnnedu.ops.norm` in the layer protocol
of :mod:`cnnedu.nn.base`, with Keras' arguments, defaults and behaviour.
"""
from __future__ import annotations

import numbers

import numpy as np

from .._checks import float_dtype
from ..ops.norm import batch_norm2d, batch_norm2d_backward, batch_stats
from .base import Layer

__all__ = ["BatchNormalization"]


class BatchNormalization(Layer):
    r"""Batch normalization of each channel (images) or feature (vectors).

    In **training** (``fit``, ``train_on_batch``, ``forward(x, training=True)``)
    every channel is normalized with the batch's own mean and biased
    variance, then scaled and shifted, ``y = gamma * x_hat + beta``
    (:func:`cnnedu.ops.norm.batch_norm2d`), and the running estimates are
    updated, as in Keras:

    .. math::  \text{moving} \leftarrow m \cdot \text{moving} + (1 - m) \cdot
               \text{batch statistic},

    with ``m = momentum`` and the batch's *biased* variance. At **inference**
    (``evaluate``, ``predict``, ``forward(x)``) the layer normalizes with
    ``moving_mean`` and ``moving_variance``, so each sample's output does
    not depend on the rest of its batch.

    Parameters
    ----------
    momentum : float in [0, 1), default 0.99
        Weight of the old running value in each update (Keras' convention).
        PyTorch's ``BatchNorm2d(momentum=0.1)`` is the same update written
        with the weight of the *new* batch: PyTorch ``momentum = 1 - m``, so
        Keras ``0.99`` is PyTorch ``0.01`` and PyTorch's default ``0.1`` is
        Keras ``0.9``. PyTorch also keeps the *unbiased* variance (divided
        by ``M - 1``) in ``running_var``, while normalizing the batch with the
        biased one; Keras and this layer keep the biased one.
    epsilon : float > 0, default 1e-3
        Added to the variance (Keras' default; PyTorch's is ``1e-5``).
    center : bool, default True
        Learn the shift ``beta``; without it the shift is 0.
    scale : bool, default True
        Learn the scale ``gamma``; without it the scale is 1.
    gamma_initializer : {'ones', 'zeros'}, default 'ones'
        The initial ``gamma``. ``'zeros'`` makes the layer output ``beta``
        (0) at first: at the end of a residual block's main path it starts
        the block as the identity (Goyal et al., 2017).
    name, dtype, input_shape
        See :class:`~cnnedu.nn.base.Layer`.

    Attributes
    ----------
    params : dict
        The trainable parameters ``'gamma'`` (ones) and ``'beta'`` (zeros), of
        shape ``(C,)`` (those that ``scale`` and ``center`` keep).
    moving_mean, moving_variance : ndarray, shape (C,)
        The running estimates (zeros and ones at first). Not trainable: no
        optimizer touches them, and only a training forward changes them.

    Notes
    -----
    input ``(N, C, H, W)`` (statistics per channel over ``N, H, W``) or
    ``(N, D)`` after a ``Dense`` layer (per feature over ``N``); output the
    same shape. Parameters ``4 C`` as Keras counts them, ``2 C`` trainable
    (``gamma``, ``beta``) and ``2 C`` not (the moving statistics).
    A training batch needs more than one value per channel (``N * H * W > 1``;
    for vectors, ``N > 1``).
    """

    input_ndim = None
    input_layout = "(N, C, H, W) or (N, D)"

    def __init__(self, momentum: float = 0.99, epsilon: float = 1e-3, center: bool = True,
                 scale: bool = True, gamma_initializer: str = "ones", **kwargs):
        super().__init__(**kwargs)
        if isinstance(momentum, bool) or not isinstance(momentum, numbers.Real) \
                or not 0 <= momentum < 1:
            raise ValueError(f"momentum must be a number in [0, 1), got {momentum!r}")
        if isinstance(epsilon, bool) or not isinstance(epsilon, numbers.Real) \
                or not (np.isfinite(epsilon) and epsilon > 0):
            raise ValueError(f"epsilon must be a finite number > 0, got {epsilon!r}")
        for flag, value in (("center", center), ("scale", scale)):
            if not isinstance(value, bool):
                raise TypeError(f"{flag} must be True or False, got {value!r}")
        if gamma_initializer not in ("ones", "zeros"):
            raise ValueError(f"gamma_initializer must be 'ones' or 'zeros', got "
                             f"{gamma_initializer!r}")
        self.gamma_initializer = gamma_initializer
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.center = center
        self.scale = scale
        self.moving_mean: np.ndarray | None = None
        self.moving_variance: np.ndarray | None = None
        self._x = None
        self._stats = None

    # ------------------------------------------------------------------ building
    def _check_input_shape(self, input_shape) -> tuple:
        input_shape = super()._check_input_shape(input_shape)
        if len(input_shape) not in (1, 3):
            raise ValueError(f"BatchNormalization expects samples of shape (C, H, W) or (D,) "
                             f"(batches (N, C, H, W) or (N, D)), got input_shape {input_shape}")
        return input_shape

    def _init_params(self, input_shape, rng) -> None:
        c = input_shape[0]
        self.params = {}
        if self.scale:
            init = np.ones if self.gamma_initializer == "ones" else np.zeros
            self.params["gamma"] = init(c, dtype=self.dtype)
        if self.center:
            self.params["beta"] = np.zeros(c, dtype=self.dtype)
        self.moving_mean = np.zeros(c, dtype=self.dtype)
        self.moving_variance = np.ones(c, dtype=self.dtype)

    def _check_compatible(self, sample_shape) -> None:
        built = self.built_input_shape
        if len(sample_shape) != len(built) or sample_shape[0] != built[0]:
            what = "channels" if len(built) == 3 else "features"
            raise ValueError(f"{self.name or 'BatchNormalization'} was built for inputs with "
                             f"{built[0]} {what} (samples {built}), got samples of shape "
                             f"{tuple(sample_shape)}")

    def _check_input(self, x) -> np.ndarray:
        x = super()._check_input(x)
        if x.ndim not in (2, 4):
            raise ValueError(f"BatchNormalization expects a batch (N, C, H, W) or (N, D), "
                             f"got shape {x.shape}")
        return x

    # ------------------------------------------------------------------ forward / backward
    def _gamma_beta(self, dtype):
        c = self.moving_mean.shape[0]
        gamma = self.params.get("gamma", np.ones(c, dtype))
        beta = self.params.get("beta", np.zeros(c, dtype))
        return gamma, beta

    def _forward_op(self, x, training):
        x4 = x if x.ndim == 4 else x[:, :, None, None]       # (N, D) -> (N, D, 1, 1)
        gamma, beta = self._gamma_beta(x.dtype)
        if training:
            if x4.shape[0] * x4.shape[2] * x4.shape[3] < 2:
                raise ValueError(
                    f"BatchNormalization in training needs more than one value per channel "
                    f"(batch statistics), got a batch of shape {x.shape}; in fit, choose a "
                    f"batch_size that leaves no batch of one sample (the last batch holds "
                    f"len(X) % batch_size samples)")
            mean, var = batch_stats(x4)
            m = self.moving_mean.dtype.type(self.momentum)
            self.moving_mean *= m
            self.moving_mean += (1 - m) * mean
            self.moving_variance *= m
            self.moving_variance += (1 - m) * var
            self._stats = None                   # the backward goes through the batch statistics
        else:
            mean, var = self.moving_mean, self.moving_variance
            self._stats = (mean.copy(), var.copy())
        self._x = x4
        y = batch_norm2d(x4, gamma, beta, self.epsilon, mean=mean, var=var)
        return y.reshape(x.shape)

    def _backward_op(self, dz):
        x4 = self._x
        gamma, _ = self._gamma_beta(x4.dtype)
        mean, var = self._stats if self._stats is not None else (None, None)
        dx, dgamma, dbeta = batch_norm2d_backward(np.reshape(dz, x4.shape), x4, gamma,
                                                  self.epsilon, mean=mean, var=var)
        self.grads = {}
        if self.scale:
            self.grads["gamma"] = dgamma
        if self.center:
            self.grads["beta"] = dbeta
        return dx.reshape(np.shape(dz))

    # ------------------------------------------------------------------ weights
    def _moving(self) -> list[np.ndarray]:
        return [] if self.moving_mean is None else [self.moving_mean, self.moving_variance]

    def count_params(self) -> int:
        """Number of scalar parameters, trainable or not (``4 C`` with the defaults)."""
        return super().count_params() + sum(v.size for v in self._moving())

    def count_trainable_params(self) -> int:
        """Number of trainable scalar parameters (``gamma`` and ``beta``: ``2 C``)."""
        return super().count_params()

    def get_weights(self) -> list[np.ndarray]:
        """Copies of ``[gamma, beta, moving_mean, moving_variance]``, Keras' order."""
        return super().get_weights() + [v.copy() for v in self._moving()]

    def set_weights(self, weights) -> None:
        """Overwrite ``gamma``, ``beta`` and the moving statistics (in place), Keras' order."""
        weights = list(weights)
        k = len(self.params)
        if len(weights) != k + len(self._moving()):
            raise ValueError(f"BatchNormalization has {k + len(self._moving())} weight arrays "
                             f"{list(self.params) + ['moving_mean', 'moving_variance']}, "
                             f"got {len(weights)}")
        super().set_weights(weights[:k])
        for key, v, w in zip(("moving_mean", "moving_variance"), self._moving(), weights[k:]):
            if np.shape(w) != v.shape:
                raise ValueError(f"weight {key!r} must have shape {v.shape}, got {np.shape(w)}")
            v[...] = w

    def astype(self, dtype) -> "BatchNormalization":
        """Convert the parameters, gradients and moving statistics to ``dtype``."""
        super().astype(dtype)
        if self.moving_mean is not None:
            dt = float_dtype(dtype)
            self.moving_mean = self.moving_mean.astype(dt)
            self.moving_variance = self.moving_variance.astype(dt)
        return self

    def _repr_args(self) -> list[str]:
        args = []
        if self.momentum != 0.99:
            args.append(f"momentum={self.momentum:g}")
        if self.epsilon != 1e-3:
            args.append(f"epsilon={self.epsilon:g}")
        if not self.center:
            args.append("center=False")
        if self.gamma_initializer != "ones":
            args.append(f"gamma_initializer={self.gamma_initializer!r}")
        if not self.scale:
            args.append("scale=False")
        return args
