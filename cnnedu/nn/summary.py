"""Counting parameters, and the table printed by ``Sequential.summary()``.

- :func:`conv_params` and :func:`dense_params` -- the parameter count of a
  convolution or dense layer from its sizes alone, the formulas the chapters
  write out (no layer is built);
- :func:`conv_macs` -- the multiply-adds of a convolution layer's forward
  pass, from its sizes and its output size;
- :func:`count_params` -- the parameters of a built layer, a model, or a
  list of layers (``model.layers[4:]``);
- :func:`summary_table` -- the table of ``Sequential.summary()``, in the
  format Keras made familiar.
"""
from __future__ import annotations

from .._checks import as_pair, check_positive_int
from .base import Layer, shape_str

__all__ = ["conv_params", "dense_params", "conv_macs", "count_params", "summary_table"]

WIDTHS = (29, 26, 12)


def conv_params(filters: int, channels: int, kernel_size, use_bias: bool = True) -> int:
    r"""Parameters of a convolution layer: :math:`F \cdot C \cdot K_H K_W + F`.

    ``F`` kernels of shape ``(C, KH, KW)`` (the weights ``(F, C, KH, KW)``),
    and one bias per kernel. The count does not depend on the image size,
    the stride, the padding or the dilation.

    Parameters
    ----------
    filters : int
        Number of kernels (output channels) ``F``.
    channels : int
        Input channels ``C``.
    kernel_size : int or (KH, KW)
    use_bias : bool, default True

    Returns
    -------
    int

    Examples
    --------
    >>> conv_params(32, 1, 3)          # the first layer of the digit CNN: 32 * 1 * 3 * 3 + 32
    320
    """
    f = check_positive_int(filters, "filters")
    c = check_positive_int(channels, "channels")
    kh, kw = as_pair(kernel_size, "kernel_size")
    return f * c * kh * kw + (f if use_bias else 0)


def dense_params(inputs: int, units: int, use_bias: bool = True) -> int:
    r"""Parameters of a dense layer: :math:`D \cdot M + M`.

    A weight for every (unit, input) pair (the weights ``(M, D)``) and one
    bias per unit.

    Parameters
    ----------
    inputs : int
        Input features ``D`` (e.g. ``28 * 28`` for a flattened digit).
    units : int
        Outputs ``M``.
    use_bias : bool, default True

    Returns
    -------
    int

    Examples
    --------
    >>> dense_params(1600, 128)        # 1600 * 128 + 128
    204928
    """
    d = check_positive_int(inputs, "inputs")
    m = check_positive_int(units, "units")
    return d * m + (m if use_bias else 0)


def conv_macs(filters: int, channels: int, kernel_size, output_size) -> int:
    r"""Multiply-adds of a convolution's forward pass, per image: :math:`F C K_H K_W O_H O_W`.

    Each of the ``F * OH * OW`` outputs is a sum of ``C * KH * KW``
    products (the bias adds are not counted). Stride, padding and dilation
    enter only through the output size, which
    :func:`cnnedu.geometry.conv_output_size` gives.

    Parameters
    ----------
    filters : int
        Number of kernels (output channels) ``F``.
    channels : int
        Input channels ``C``.
    kernel_size : int or (KH, KW)
    output_size : int or (OH, OW)
        Output pixels along each axis.

    Returns
    -------
    int

    Examples
    --------
    >>> conv_macs(32, 1, 3, 26)        # first layer of the digit CNN: 32 * 9 * 26 * 26
    194688
    """
    f = check_positive_int(filters, "filters")
    c = check_positive_int(channels, "channels")
    kh, kw = as_pair(kernel_size, "kernel_size")
    oh, ow = as_pair(output_size, "output_size")
    return f * c * kh * kw * oh * ow


def count_params(layers) -> int:
    """Number of scalar parameters of a layer, a model or a list of layers.

    Parameters
    ----------
    layers : Layer, Sequential or iterable of Layer
        E.g. ``model``, ``model.get_layer('dense')`` or ``model.layers[4:]``.
        Layers that are not built yet count 0.

    Returns
    -------
    int
    """
    if isinstance(layers, Layer):
        return layers.count_params()
    if isinstance(getattr(layers, "layers", None), list):       # a Sequential
        layers = layers.layers
    try:
        items = list(layers)
    except TypeError:
        raise TypeError(f"layers must be a Layer, a Sequential or an iterable of layers, "
                        f"got {type(layers).__name__}") from None
    for i, layer in enumerate(items):
        if not isinstance(layer, Layer):
            raise TypeError(f"layers[{i}] must be a Layer, got {type(layer).__name__}")
    return sum(layer.count_params() for layer in items)


def summary_table(model) -> str:
    """A text table of a built model's layers: name (type), output shape, parameters.

    Parameters
    ----------
    model : Sequential
        A built model.

    Returns
    -------
    str
        One row per layer, then the totals and the memory the parameters
        take in the model's dtype (KB = 1024 bytes). Output shapes start
        with ``None``, the batch axis, then channels first.
    """
    names = [f" {layer.name} ({type(layer).__name__})" for layer in model.layers]
    # the name column grows to fit the longest name (residual blocks have long ones)
    widths = (max([WIDTHS[0]] + [len(name) + 2 for name in names]),) + WIDTHS[1:]
    rule, double = "_" * sum(widths), "=" * sum(widths)

    def row(*cells):
        return "".join(f"{c:<{w - 1}} " for c, w in zip(cells, widths)).rstrip()   # >= 1 space

    header = row(" Layer (type)", "Output Shape", "Param #")
    lines = [f'Model: "{model.name}"', rule, header, double]
    for name, layer, shape in zip(names, model.layers, model.layer_output_shapes):
        lines.append(row(name, shape_str(shape), str(layer.count_params())))
    total = model.count_params()
    trainable = sum(p.size for layer in model.layers for p in layer.params.values())
    size = total * model.dtype.itemsize
    lines += [double,
              f"Total params: {total:,} ({size / 1024:.2f} KB, {model.dtype.name})",
              f"Trainable params: {trainable:,}",
              f"Non-trainable params: {total - trainable:,}",
              rule]
    return "\n".join(lines)
