r"""Residual connections: :class:`ResidualBlock` and :func:`residual_block`.

A residual block adds its input, carried by a *shortcut* :math:`S`, to the
output of a few layers :math:`F` (the *main path*), then applies an
activation (He et al., 2016):

.. math::  y = \sigma\big(F(x) + S(x)\big).

:math:`S` is the identity when :math:`F` keeps the shape of :math:`x`, and a
*projection* (a 1x1 convolution with the main path's stride, usually
followed by batch normalization) when :math:`F` changes the number of
channels or the image size. The backward pass adds the gradients of both
paths, :math:`\partial L/\partial x = F'(x)^\top g + S'(x)^\top g` with
:math:`g` the gradient at :math:`F(x) + S(x)`; with the identity shortcut the
second term is :math:`g` itself, so the gradient reaches :math:`x` whatever
the main path does to it.

The block is one layer of a :class:`~cnnedu.nn.model.Sequential`: it builds
its inner layers from the input shape, passes the training flag to them
(batch normalization, dropout), and presents their parameters and gradients
under the keys ``'<inner layer name>.<key>'`` (``'conv2d.w'``,
``'shortcut_conv2d.w'``), so the optimizers update them.
"""
from __future__ import annotations

import numbers

import numpy as np

from .._checks import as_generator, check_positive_int, float_dtype
from .activation import ReLU
from .base import Layer, default_name
from .conv import Conv2D
from .norm import BatchNormalization

__all__ = ["ResidualBlock", "residual_block"]


def _as_layer_list(layers, name: str) -> list[Layer]:
    if isinstance(layers, Layer):
        layers = [layers]
    if not isinstance(layers, (list, tuple)):
        raise TypeError(f"{name} must be a cnnedu layer or a list of layers, got "
                        f"{type(layers).__name__}")
    for i, layer in enumerate(layers):
        if not isinstance(layer, Layer):
            raise TypeError(f"{name}[{i}] must be a cnnedu layer (Conv2D, "
                            f"BatchNormalization, ...), got {layer!r} ({type(layer).__name__})")
    return list(layers)


class ResidualBlock(Layer):
    r"""A residual block: ``y = activation(F(x) + S(x))``, one layer of a model.

    Parameters
    ----------
    main : list of Layer
        The main path :math:`F`, first to last, e.g. ``[Conv2D(16, 3,
        padding='same'), BatchNormalization(), ReLU(), Conv2D(16, 3,
        padding='same'), BatchNormalization()]``.
    shortcut : None or list of Layer
        The shortcut :math:`S`: ``None`` (or ``[]``) for the identity, or the
        layers of a projection, e.g. ``[Conv2D(32, 1, strides=2),
        BatchNormalization()]``. Its output must have the main path's shape.
    activation : str or None, default 'relu'
        Applied to the sum; ``None`` leaves the sum as it is.
    seed : int, optional
        Seed of the block's own generator for the initial weights of its
        inner layers. Without it they come from the model's seed, as for
        any other layer.
    name, dtype, input_shape
        See :class:`~cnnedu.nn.base.Layer`.

    Attributes
    ----------
    main, shortcut : list of Layer
        The inner layers. Unnamed ones are named as in a model (``'conv2d'``,
        ``'conv2d_1'``; shortcut layers start with ``'shortcut_'``).
    params, grads : dict
        Every inner layer's trainable parameters and gradients, under
        ``'<inner layer name>.<key>'``.

    Notes
    -----
    input and output: what the inner layers take and give, e.g.
    ``(N, C, H, W)`` -> ``(N, F, OH, OW)``. Parameters: the sum of the inner
    layers' (batch normalization's moving statistics included, as Keras
    counts them).
    """

    input_ndim = None
    input_layout = "(N, C, H, W)"

    def __init__(self, main, shortcut=None, activation="relu", seed: int | None = None,
                 **kwargs):
        super().__init__(**kwargs)
        self.main = _as_layer_list(main, "main")
        if not self.main:
            raise ValueError("main must hold at least one layer (the path F of "
                             "y = activation(F(x) + S(x)))")
        self.shortcut = [] if shortcut is None else _as_layer_list(shortcut, "shortcut")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)
                                 or seed < 0):
            raise ValueError(f"seed must be a non-negative int or None, got {seed!r}")
        self.seed = seed
        self._set_activation(activation)
        self._projection = None     # set by residual_block: (filters, stride, batch_norm)
        self._momentum = 0.99       # of the projection's batch normalization (residual_block)
        self._name_inner()

    # ------------------------------------------------------------------ inner layers
    def _inner(self) -> list[Layer]:
        return self.main + self.shortcut

    def _name_inner(self) -> None:
        """Give unnamed inner layers model-style names; names must be unique."""
        seen: list[Layer] = []
        names: set[str] = set()
        for prefix, layers in (("", self.main), ("shortcut_", self.shortcut)):
            for layer in layers:
                if any(layer is other for other in seen):
                    raise ValueError(f"layer {layer!r} appears twice in the block; create a "
                                     f"new one")
                if layer.name is None or not layer._name_given:
                    layer.name = default_name(layer, names, prefix)
                    layer._name_given = False
                elif layer.name in names:
                    raise ValueError(f"two layers of the block are named {layer.name!r}")
                names.add(layer.name)
                seen.append(layer)

    def _shortcut_layers(self, input_shape) -> list[Layer]:
        """The shortcut for samples of ``input_shape``: given, or the projection to build."""
        if self._projection is None or self.built:
            return self.shortcut
        filters, stride, batch_norm = self._projection
        if stride == 1 and input_shape[0] == filters:
            return []
        layers = [Conv2D(filters, 1, strides=stride, use_bias=not batch_norm,
                         kernel_initializer="he")]
        if batch_norm:
            layers.append(BatchNormalization(momentum=self._momentum))
        return layers

    @staticmethod
    def _path_shape(layers, shape) -> tuple:
        for layer in layers:
            try:
                shape = layer._check_input_shape(shape)
                if layer.built:
                    layer._check_compatible(shape)
                shape = tuple(layer.output_shape(shape))
            except ValueError as exc:
                raise ValueError(f"inner layer {layer.name!r}: {exc}") from None
        return shape

    def output_shape(self, input_shape) -> tuple:
        input_shape = tuple(input_shape)
        out = self._path_shape(self.main, input_shape)
        shortcut = self._shortcut_layers(input_shape)
        short = self._path_shape(shortcut, input_shape)
        if out != short:
            if shortcut:
                hint = f"make the shortcut give {out}"
            elif len(out) == 3 and len(input_shape) == 3:
                stride = max(1, -(-input_shape[1] // out[1]))     # ceil(h / oh)
                hint = (f"a projection is needed, e.g. shortcut=[Conv2D({out[0]}, 1, "
                        f"strides={stride}), BatchNormalization()]")
            else:
                hint = f"a projection is needed: a shortcut whose output has shape {out}"
            what = "the shortcut" if shortcut else "the identity shortcut"
            raise ValueError(f"the main path turns samples {input_shape} into {out} but {what} "
                             f"gives {short}: F(x) + S(x) needs equal shapes; {hint}")
        return out

    def _check_compatible(self, sample_shape) -> None:
        self.output_shape(sample_shape)

    def _init_params(self, input_shape, rng) -> None:
        if self.seed is not None:
            rng = np.random.default_rng(self.seed)
        rng = as_generator(rng)
        if self._projection is not None:
            self.shortcut = self._shortcut_layers(input_shape)
            self._name_inner()
        for layers in (self.main, self.shortcut):
            shape = input_shape
            for layer in layers:
                if not layer.built:
                    layer.build(shape, rng=rng, dtype=self.dtype)
                shape = tuple(layer.output_shape(shape))
        self._collect()

    def _collect(self) -> None:
        """Gather the inner layers' parameters and gradients under prefixed keys."""
        self.params = {f"{layer.name}.{k}": p for layer in self._inner()
                       for k, p in layer.params.items()}
        self.grads = {f"{layer.name}.{k}": g for layer in self._inner()
                      for k, g in layer.grads.items()}

    # ------------------------------------------------------------------ forward / backward
    def _forward_op(self, x, training):
        h = x
        for layer in self.main:
            h = layer.forward(h, training=training)
        s = x
        for layer in self.shortcut:
            s = layer.forward(s, training=training)
        return h + s

    def _backward_op(self, dz):
        dh = dz
        for layer in reversed(self.main):
            dh = layer.backward(dh)
        ds = dz
        for layer in reversed(self.shortcut):
            ds = layer.backward(ds)
        self._collect()
        return dh + ds                  # the identity shortcut passes dz on unchanged

    # ------------------------------------------------------------------ weights
    def zero_grad(self) -> None:
        """Set every inner layer's gradients to zero."""
        for layer in self._inner():
            layer.zero_grad()
        self._collect()

    def count_params(self) -> int:
        """Number of scalar parameters of the inner layers, trainable or not."""
        return sum(layer.count_params() for layer in self._inner())

    def count_trainable_params(self) -> int:
        """Number of trainable scalar parameters of the inner layers."""
        return int(sum(p.size for p in self.params.values()))

    def get_weights(self) -> list[np.ndarray]:
        """Copies of every inner layer's weights, main path first, each in its layer's order."""
        return [w for layer in self._inner() for w in layer.get_weights()]

    def set_weights(self, weights) -> None:
        """Overwrite every inner layer's weights (in place), in the order of :meth:`get_weights`."""
        weights = list(weights)
        counts = [len(layer.get_weights()) for layer in self._inner()]
        if len(weights) != sum(counts):
            per_layer = ", ".join(f"{layer.name}: {n}" for layer, n in zip(self._inner(), counts))
            raise ValueError(f"{self.name or 'ResidualBlock'} has {sum(counts)} weight arrays "
                             f"({per_layer}), got {len(weights)}")
        start = 0
        for layer, n in zip(self._inner(), counts):
            layer.set_weights(weights[start:start + n])
            start += n

    def astype(self, dtype) -> "ResidualBlock":
        """Convert every inner layer's parameters (and gradients) to ``dtype``."""
        self.dtype = float_dtype(dtype)
        for layer in self._inner():
            layer.astype(self.dtype)
        self._collect()
        return self

    # ------------------------------------------------------------------ printing
    def __repr__(self) -> str:
        if self._projection is None:
            return super().__repr__()
        filters, stride, batch_norm = self._projection          # made by residual_block
        args = [str(filters)] + ([f"stride={stride}"] if stride != 1 else [])
        args += [] if batch_norm else ["batch_norm=False"]
        args += [f"momentum={self._momentum}"] if self._momentum != 0.99 else []
        args += ["zero_init=True"] if getattr(self.main[-1], "gamma_initializer",
                                             "ones") == "zeros" else []
        args += [f"seed={self.seed}"] if self.seed is not None else []
        args += [f"name={self.name!r}"] if self._name_given else []
        return f"residual_block({', '.join(args)})"

    def _repr_args(self) -> list[str]:
        args = ["[" + ", ".join(repr(layer) for layer in self.main) + "]"]
        if self.shortcut:
            args.append("shortcut=[" + ", ".join(repr(layer) for layer in self.shortcut) + "]")
        if self.activation != "relu":
            args.append(f"activation={self.activation!r}")
        if self.seed is not None:
            args.append(f"seed={self.seed}")
        return args


def residual_block(filters: int, stride: int = 1, batch_norm: bool = True,
                   seed: int | None = None, name: str | None = None,
                   momentum: float = 0.99, zero_init: bool = False) -> ResidualBlock:
    """He et al.'s basic block: two 3x3 convolutions and a shortcut, as one layer.

    The main path is ``Conv2D(filters, 3, strides=stride, padding='same')``
    -> ``BatchNormalization()`` -> ``ReLU()`` -> ``Conv2D(filters, 3,
    padding='same')`` -> ``BatchNormalization()``, and the sum goes through
    a ReLU. The shortcut is the identity when the block keeps the shape, and
    a projection ``Conv2D(filters, 1, strides=stride)`` ->
    ``BatchNormalization()`` exactly when ``stride != 1`` or the input's
    channels differ from ``filters`` (decided when the block is built, from
    the input shape).

    Parameters
    ----------
    filters : int
        Output channels of both convolutions (and of the projection).
    stride : int, default 1
        Stride of the first convolution (and of the projection): 2 halves
        the image size, ``ceil(n / 2)``.
    batch_norm : bool, default True
        With batch normalization after each convolution (the convolutions
        then have no bias: a bias right before batch normalization cancels
        with the batch mean). Without it, the first convolution has a ReLU
        and both have biases.
    seed : int, optional
        Seed of the block's initial weights (default: the model's seed).
    name : str, optional
        Name shown by ``summary()``.
    momentum : float in [0, 1), default 0.99
        ``momentum`` of the block's batch normalization layers (Keras'
        convention, :class:`~cnnedu.nn.norm.BatchNormalization`): the weight
        of the old running statistics in each update. After ``t`` training
        steps the running estimates still hold a fraction ``momentum ** t``
        of their start (mean 0, variance 1), so short runs want a smaller
        value (``0.9``: 0.9 ** 50 < 1 %).
    zero_init : bool, default False
        Start the main path's last batch normalization with ``gamma = 0``
        (``gamma_initializer='zeros'``), so that ``F(x) = 0`` and the block
        is ``relu(x)``, the identity on the non-negative outputs of a ReLU,
        until training moves ``gamma``: a deep stack of blocks then starts as
        a shallow network (Goyal et al., 2017; torchvision's
        ``zero_init_residual``). Needs ``batch_norm=True``.

    Returns
    -------
    ResidualBlock
        Its convolutions use He-normal initial weights.

    Examples
    --------
    >>> block = residual_block(16, stride=2)
    >>> block.output_shape((8, 14, 14))
    (16, 7, 7)
    """
    filters = check_positive_int(filters, "filters")
    stride = check_positive_int(stride, "stride")
    if not isinstance(batch_norm, bool):
        raise TypeError(f"batch_norm must be True or False, got {batch_norm!r}")
    BatchNormalization(momentum=momentum)            # checks momentum before anything is made
    if not isinstance(zero_init, bool):
        raise TypeError(f"zero_init must be True or False, got {zero_init!r}")
    if zero_init and not batch_norm:
        raise ValueError("zero_init=True sets the last batch normalization's gamma to 0, so it "
                         "needs batch_norm=True")
    if batch_norm:
        main = [Conv2D(filters, 3, strides=stride, padding="same", use_bias=False,
                       kernel_initializer="he"),
                BatchNormalization(momentum=momentum), ReLU(),
                Conv2D(filters, 3, padding="same", use_bias=False, kernel_initializer="he"),
                BatchNormalization(momentum=momentum,
                                   gamma_initializer="zeros" if zero_init else "ones")]
    else:
        main = [Conv2D(filters, 3, strides=stride, padding="same", activation="relu",
                       kernel_initializer="he"),
                Conv2D(filters, 3, padding="same", kernel_initializer="he")]
    block = ResidualBlock(main, activation="relu", seed=seed, name=name)
    block._projection = (filters, stride, batch_norm)
    block._momentum = float(momentum)
    return block

