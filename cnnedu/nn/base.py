"""The layer protocol shared by every layer of :mod:`cnnedu.nn`.

A layer is an object with

- ``params``: dict name -> ndarray (``'w'``, ``'b'``; empty for layers
  without parameters);
- ``forward(x, training=False) -> y``, which keeps what the backward pass
  needs (its input, the pre-activation output, a dropout mask);
- ``backward(dy) -> dx``, which returns the gradient with respect to the
  input and fills ``grads`` (same keys as ``params``);
- ``output_shape(input_shape)``, shapes of **one sample** (no batch axis):
  ``(C, H, W)`` for images, ``(D,)`` for feature vectors;
- ``build(input_shape, rng, dtype)``, which creates the parameters. It is
  called by :class:`~cnnedu.nn.model.Sequential`, or at the first ``forward``,
  so a layer learns its input channels or features from its first input, as
  in Keras: ``Conv2D(32, 3)`` works on 1-channel and 3-channel images alike.

Layers that take ``activation=`` (``Conv2D``, ``Dense``) apply it right after
their operation, ``y = f(z)``, and their backward goes through it,
``dz = dy * f'(z)``. The pre-activation ``z`` stays available as
``layer.preactivation`` and :meth:`Layer.backward_preactivation` starts the
backward pass from ``dL/dz``: a model ending in softmax uses the two to fuse
softmax and cross-entropy.

Parameter dtype: the layer's ``dtype`` argument if given; else the dtype
passed to ``build`` (a model passes its own, float32 by default; ``build``
without one gives float32); a layer used on its own and built by its first
``forward`` takes that input's float dtype.
"""
from __future__ import annotations

import numbers
import re

import numpy as np

from .._checks import as_float_array, as_generator, float_dtype
from ..ops.activation import get_activation, softmax, softmax_backward

__all__ = ["Layer", "Input", "shape_str"]


def shape_str(shape) -> str:
    """``(32, 26, 26)`` -> ``'(None, 32, 26, 26)'``: a batch of any size, as Keras prints it."""
    return "(" + ", ".join(["None"] + [str(s) for s in shape]) + ")"


class Input:
    """The shape of one input sample, as the first entry of a :class:`Sequential`.

    ``Sequential([Input((1, 28, 28)), Conv2D(32, 3), ...])`` builds the model
    right away, so ``summary()`` works before any data is seen (Keras'
    ``keras.Input(shape=...)``; here the shape is channels-first).

    Parameters
    ----------
    shape : tuple of int
        Shape of one sample, without the batch axis: ``(C, H, W)`` or ``(D,)``.
    """

    def __init__(self, shape):
        if isinstance(shape, numbers.Integral):
            shape = (shape,)
        if not isinstance(shape, (tuple, list)) or not shape or not all(
                isinstance(s, numbers.Integral) and not isinstance(s, bool) and s > 0
                for s in shape):
            raise ValueError(f"shape must be a tuple of positive ints such as (1, 28, 28), "
                             f"got {shape!r}")
        self.shape = tuple(int(s) for s in shape)

    def __repr__(self) -> str:
        return f"Input(shape={self.shape})"


class Layer:
    """Base class of all layers (see the module docstring for the protocol).

    Subclasses set ``input_ndim`` / ``input_layout`` (rank and axes of a
    batch, e.g. ``4`` and ``'(N, C, H, W)'``) and implement
    ``_forward_op(x, training)``, ``_backward_op(dz)``,
    ``output_shape(input_shape)`` and, if they have parameters,
    ``_init_params(input_shape, rng)``.

    Parameters
    ----------
    name : str, optional
        Name shown by ``summary()``; a :class:`Sequential` gives unnamed layers
        names such as ``'conv2d_1'``.
    dtype : {'float32', 'float64'}, optional
        dtype of the parameters (see the module docstring for the default).
    input_shape : tuple, optional
        Shape of one input sample; lets a model build itself before seeing
        data (same as putting an :class:`Input` first).
    """

    input_ndim: int | None = None      # rank of a batch of inputs; None: any rank >= 2
    input_layout: str = "(N, ...)"
    activation: str | None = None

    def __init__(self, *, name: str | None = None, dtype=None, input_shape=None):
        if name is not None and not isinstance(name, str):
            raise TypeError(f"name must be a str, got {name!r}")
        self.name = name
        self._name_given = name is not None
        self.dtype = None if dtype is None else float_dtype(dtype)
        self.input_shape = None if input_shape is None else Input(input_shape).shape
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.built = False
        self.built_input_shape: tuple | None = None
        self._act = None
        self._z = None
        self._ready_for_backward = False

    # ------------------------------------------------------------------ building
    def _check_input_shape(self, input_shape) -> tuple:
        """Validate the per-sample shape's rank (no batch axis)."""
        input_shape = tuple(input_shape)
        if input_shape and input_shape[0] is None:      # Keras-style (None, ...) batch axis
            input_shape = input_shape[1:]
        if not all(isinstance(s, numbers.Integral) and s > 0 for s in input_shape):
            raise ValueError(f"input_shape must hold positive ints, got {input_shape!r}")
        rank = None if self.input_ndim is None else self.input_ndim - 1
        if rank is not None and len(input_shape) != rank:
            raise ValueError(
                f"{type(self).__name__} expects samples of shape {self._sample_layout()} "
                f"({rank}-D, batches {self.input_layout}), got input_shape {input_shape}"
                f"{self._rank_hint(len(input_shape) + 1)}")
        if rank is None and len(input_shape) < 1:
            raise ValueError(f"{type(self).__name__} expects samples with at least one axis, "
                             f"got input_shape {input_shape}")
        return tuple(int(s) for s in input_shape)

    def _sample_layout(self) -> str:
        """``'(N, C, H, W)'`` -> ``'(C, H, W)'``: the layout of one sample."""
        return "(" + self.input_layout[1:-1].split(", ", 1)[-1] + ")"

    def _rank_hint(self, ndim: int) -> str:
        if self.input_ndim == 4 and ndim == 3:
            return "; for one-channel images add a channel axis, e.g. X[:, None]"
        if self.input_ndim == 2 and ndim > 2:
            return "; put a Flatten() layer before it"
        return ""

    def build(self, input_shape, rng=None, dtype=None) -> "Layer":
        """Create the parameters for inputs of per-sample shape ``input_shape``.

        Parameters
        ----------
        input_shape : tuple of int
            Shape of one sample (no batch axis), e.g. ``(1, 28, 28)``. A
            leading ``None`` (Keras' batch axis) is ignored.
        rng : numpy.random.Generator, int or None
            Source of the initial weights (``None``: seed 0).
        dtype : {'float32', 'float64'}, optional
            Parameter dtype if the layer was not given one.

        Returns
        -------
        self
        """
        input_shape = self._check_input_shape(input_shape)
        if self.dtype is None:
            self.dtype = float_dtype(np.float32 if dtype is None else dtype)
        self.output_shape(input_shape)          # raises if the geometry does not fit
        self._init_params(input_shape, as_generator(rng))
        self.grads = {}
        self.built_input_shape = input_shape
        self.built = True
        return self

    def _init_params(self, input_shape, rng) -> None:
        """Create ``self.params`` (layers without parameters: nothing to do)."""

    def _check_compatible(self, sample_shape) -> None:
        """Raise if a built layer cannot take inputs of this per-sample shape."""

    def output_shape(self, input_shape) -> tuple:
        """Per-sample output shape for a per-sample ``input_shape`` (default: unchanged)."""
        return tuple(input_shape)

    # ------------------------------------------------------------------ forward / backward
    def _check_input(self, x) -> np.ndarray:
        x = as_float_array(x, "x")
        if self.input_ndim is not None and x.ndim != self.input_ndim:
            raise ValueError(
                f"{type(self).__name__} expects a {self.input_ndim}-D input {self.input_layout}, "
                f"got shape {x.shape} ({x.ndim}-D){self._rank_hint(x.ndim)}")
        if self.input_ndim is None and x.ndim < 2:
            raise ValueError(f"{type(self).__name__} expects a batch {self.input_layout} with at "
                             f"least 2 axes, got shape {x.shape}")
        if not self.built:
            self.build(x.shape[1:], dtype=self.dtype if self.dtype is not None else x.dtype)
        else:
            self._check_compatible(x.shape[1:])
        return x

    def __call__(self, x, training: bool = False) -> np.ndarray:
        return self.forward(x, training=training)

    def forward(self, x, training: bool = False) -> np.ndarray:
        """Output of the layer for a batch ``x``.

        Parameters
        ----------
        x : ndarray, a batch, shape given by the layer (e.g. (N, C, H, W))
        training : bool
            Training mode (matters for dropout only).

        Returns
        -------
        y : ndarray, batch of shape ``(N,) + output_shape(x.shape[1:])``
        """
        x = self._check_input(x)
        z = self._forward_op(x, training)
        self._ready_for_backward = True
        return self._activate(z)

    def backward(self, dy) -> np.ndarray:
        """Backward pass: ``dx`` from ``dy = dL/dy``; fills ``self.grads``.

        Parameters
        ----------
        dy : ndarray, shape of the last ``forward`` output

        Returns
        -------
        dx : ndarray, shape of the last ``forward`` input
        """
        return self.backward_preactivation(self._activate_backward(dy))

    #: Does ``_backward_op`` take ``input_grad=False`` (skip ``dx``)? See :meth:`backward_weights`.
    _skips_input_grad = False

    def backward_weights(self, dy) -> None:
        """Backward pass that fills ``self.grads`` and returns nothing.

        What a model's first layer runs: nothing needs the gradient with
        respect to the model's input, so :class:`~cnnedu.nn.conv.Conv2D` and
        :class:`~cnnedu.nn.dense.Dense` skip it (a matrix product, and for a
        convolution the scatter of its columns). The gradients of the
        parameters are exactly those :meth:`backward` gives.
        """
        if not self._skips_input_grad:
            self.backward(dy)
            return
        dz = self._activate_backward(dy)
        if not self._ready_for_backward:
            raise RuntimeError(f"{type(self).__name__}.backward called before forward")
        self._backward_op(dz, input_grad=False)

    def backward_preactivation(self, dz) -> np.ndarray:
        """Backward pass starting from ``dz = dL/dz``, the gradient at the pre-activation.

        For a layer without activation this is the same as :meth:`backward`.
        """
        if not self._ready_for_backward:
            raise RuntimeError(f"{type(self).__name__}.backward called before forward")
        return self._backward_op(dz)

    def _forward_op(self, x, training):  # pragma: no cover - abstract
        raise NotImplementedError

    def _backward_op(self, dz):  # pragma: no cover - abstract
        raise NotImplementedError

    # ------------------------------------------------------------------ fused activation
    def _set_activation(self, activation) -> None:
        act = get_activation(activation)       # raises for unknown names
        self._act = act
        self.activation = None if act.name == "linear" else act.name

    @property
    def preactivation(self) -> np.ndarray | None:
        """``z`` of the last forward, before the activation (the output itself if none)."""
        return self._z

    def _activate(self, z):
        self._z = z
        if self.activation is None:
            return z
        if self.activation == "softmax":
            return softmax(z, axis=1)           # the channel / feature axis
        return self._act.f(z)

    def _activate_backward(self, dy):
        if self.activation is None:
            return dy
        if self._z is None:
            raise RuntimeError(f"{type(self).__name__}.backward called before forward")
        if self.activation == "softmax":
            return softmax_backward(dy, self._z, axis=1)
        if self.activation == "relu":
            return dy * (self._z > 0)           # same as dy * relu_grad(z), one pass less
        return dy * self._act.grad(self._z)

    # ------------------------------------------------------------------ parameters
    def parameters(self) -> list[np.ndarray]:
        """The parameter arrays (optimizers update them in place)."""
        return list(self.params.values())

    def gradients(self) -> list[np.ndarray]:
        """The gradients from the last backward, in the order of :meth:`parameters`."""
        missing = [k for k in self.params if k not in self.grads]
        if missing:
            raise RuntimeError(f"{self.name or type(self).__name__} has no gradient for "
                               f"{missing}: call backward first")
        return [self.grads[k] for k in self.params]

    def zero_grad(self) -> None:
        """Set every gradient to zero."""
        self.grads = {k: np.zeros_like(p) for k, p in self.params.items()}

    def count_params(self) -> int:
        """Number of scalar parameters."""
        return int(sum(p.size for p in self.params.values()))

    def get_weights(self) -> list[np.ndarray]:
        """Copies of the parameters, in order (``[w, b]``), as in Keras."""
        return [p.copy() for p in self.params.values()]

    def set_weights(self, weights) -> None:
        """Overwrite the parameters (in place) with arrays of the same shapes."""
        weights = list(weights)
        if len(weights) != len(self.params):
            raise ValueError(f"{type(self).__name__} has {len(self.params)} weight arrays "
                             f"{list(self.params)}, got {len(weights)}")
        for (key, p), w in zip(self.params.items(), weights):
            if np.shape(w) != p.shape:
                raise ValueError(f"weight {key!r} must have shape {p.shape}, got {np.shape(w)}")
            p[...] = w

    #: What a layer keeps of the last batch (inputs, pre-activations, caches,
    #: dropout masks, batch statistics): not part of a pickled or copied layer.
    _BATCH_STATE = ("_x", "_z", "_cache", "_mask", "_stats", "_in_shape")

    def __getstate__(self) -> dict:
        """A pickled layer holds its configuration and parameters, not its last batch
        (that would be the activations of a whole batch, many times the weights);
        it comes back ready for a forward pass, with no gradients."""
        state = self.__dict__.copy()
        for key in self._BATCH_STATE:
            if key in state:
                state[key] = None
        state["grads"] = {}
        state["_ready_for_backward"] = False
        return state

    def astype(self, dtype) -> "Layer":
        """Convert the parameters (and gradients) to ``dtype``; returns ``self``."""
        dt = float_dtype(dtype)
        self.dtype = dt
        self.params = {k: p.astype(dt) for k, p in self.params.items()}
        self.grads = {k: g.astype(dt) for k, g in self.grads.items()}
        return self

    # ------------------------------------------------------------------ printing
    def _repr_args(self) -> list[str]:
        return []

    def __repr__(self) -> str:
        args = self._repr_args()
        if self._name_given:
            args.append(f"name={self.name!r}")
        return f"{type(self).__name__}({', '.join(args)})"


def default_name(layer, taken, prefix: str = "") -> str:
    """A name for an unnamed layer, unique among ``taken``, as Keras gives them.

    ``prefix`` + the class name in snake case (``'MaxPool2D'`` -> ``'max_pool2d'``,
    ``'BatchNormalization'`` -> ``'batch_normalization'``), then ``_1``, ``_2``, ...
    """
    base = prefix + re.sub(r"(?<=[a-z])(?=[A-Z][a-z])", "_", type(layer).__name__).lower()
    name, i = base, 0
    while name in taken:
        i += 1
        name = f"{base}_{i}"
    return name
