r"""How far back a unit of a stack of convolution and pooling layers sees (one axis).

* :func:`receptive_field` -- receptive field size ``r``, jump ``J`` and
  centre of unit 0 after each layer;
* :func:`receptive_field_units` -- which units of every layer feed one unit
  of the last layer.
"""
from __future__ import annotations

import numbers
from typing import NamedTuple

import numpy as np

from .._checks import check_index, check_positive_int
from ..geometry import conv_output_size

__all__ = ["RFLayer", "receptive_field", "receptive_field_units"]


class RFLayer(NamedTuple):
    """One row of :func:`receptive_field`'s table (the input is row 0)."""

    name: str
    #: kernel (or pooling window) size, stride, padding, dilation
    k: int
    s: int
    p: int
    d: int
    #: receptive field: input pixels seen by one unit, along one axis
    size: int
    #: jump: input pixels between neighbouring units of this layer
    jump: int
    #: input coordinate of the centre of unit 0's receptive field
    start: float
    #: number of units along the axis (None if no input size was given)
    out: int | None


def _check_layers(layers):
    if isinstance(layers, (str, bytes)) or not hasattr(layers, "__iter__"):
        raise TypeError(f"layers must be a sequence of (name, k, s[, p[, d]]) tuples, "
                        f"got {type(layers).__name__}")
    out = []
    for n, layer in enumerate(layers):
        ok = isinstance(layer, (tuple, list)) and 3 <= len(layer) <= 5 and isinstance(layer[0], str)
        nums = list(layer[1:]) + [0, 1][len(layer) - 3:] if ok else []
        ints = all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in nums)
        if not ok or not ints:
            raise ValueError(f"layers[{n}] must be (name, k, s), (name, k, s, p) or "
                             f"(name, k, s, p, d) with int k, s, p, d, got {layer!r}")
        k, s, p, d = (int(v) for v in nums)
        if k < 1 or s < 1 or d < 1 or p < 0:
            raise ValueError(f"layers[{n}] ({layer[0]!r}) needs k, s, d >= 1 and p >= 0, "
                             f"got k={k}, s={s}, p={p}, d={d}")
        out.append((layer[0], k, s, p, d))
    return out


def receptive_field(layers, input_size=None) -> list[RFLayer]:
    r"""Receptive field size and jump after each layer of a stack.

    Along one axis, with ``r_0 = 1``, ``J_0 = 1`` for the input and the
    effective kernel size ``k'_l = d_l (k_l - 1) + 1``:

    .. math::

        r_l = r_{l-1} + (k'_l - 1)\, J_{l-1}, \qquad J_l = J_{l-1}\, s_l, \qquad
        c_l = c_{l-1} + \left(\tfrac{k'_l - 1}{2} - p_l\right) J_{l-1},

    where ``r_l`` is how many input pixels one unit of layer ``l`` sees,
    ``J_l`` the distance (in input pixels) between two neighbouring units,
    and ``c_l`` the centre of unit 0's field (``c_0 = 0``). Pooling layers
    count like convolutions (their window is ``k``).

    Parameters
    ----------
    layers : sequence of tuples
        ``(name, k, s)``, ``(name, k, s, p)`` or ``(name, k, s, p, d)`` per
        layer, input first to output last (padding ``p`` defaults to 0,
        dilation ``d`` to 1).
    input_size : int, optional
        Input size along the axis; if given, each row also holds the number
        of units ``out`` (and a layer that does not fit raises).

    Returns
    -------
    list of RFLayer
        One row per layer, preceded by the input's row
        ``('input', 1, 1, 0, 1, size=1, jump=1, start=0.0, out=input_size)``.

    Examples
    --------
    >>> [(r.name, r.size, r.jump) for r in receptive_field(
    ...     [("conv3", 3, 1), ("pool2", 2, 2), ("conv3", 3, 1), ("pool2", 2, 2)])]
    [('input', 1, 1), ('conv3', 3, 1), ('pool2', 4, 2), ('conv3', 8, 2), ('pool2', 10, 4)]
    """
    layers = _check_layers(layers)
    n = None if input_size is None else check_positive_int(input_size, "input_size")
    rows = [RFLayer("input", 1, 1, 0, 1, 1, 1, 0.0, n)]
    for name, k, s, p, d in layers:
        prev = rows[-1]
        ke = d * (k - 1) + 1
        out = None
        if prev.out is not None:
            out = conv_output_size(prev.out, k, s, p, d)
            if out < 1:
                raise ValueError(f"layer {name!r} (k={k}, d={d}, extent {ke}) does not fit its "
                                 f"input of {prev.out} pixels with padding {p}")
        rows.append(RFLayer(name, k, s, p, d, prev.size + (ke - 1) * prev.jump,
                            prev.jump * s, prev.start + ((ke - 1) / 2 - p) * prev.jump, out))
    return rows


def receptive_field_units(layers, input_size, index) -> list[np.ndarray]:
    """Which units of every layer feed one unit of the last layer (one axis).

    Walks back from unit ``index`` of the last layer: unit ``i`` of a layer
    with kernel ``k``, stride ``s``, padding ``p`` and dilation ``d`` reads
    units ``i*s - p + u*d`` (``u = 0..k-1``) of the layer below, padding
    excluded.

    Parameters
    ----------
    layers : sequence of tuples
        As in :func:`receptive_field`.
    input_size : int
    index : int
        A unit of the last layer, ``0 <= index < out``.

    Returns
    -------
    list of ndarray of int
        Sorted unit indices per layer, the input first; the last holds
        ``[index]``. The input's entry is the receptive field itself
        (contiguous unless dilation leaves holes).
    """
    table = receptive_field(layers, input_size)
    last = table[-1].out
    index = check_index(index, "index", last, "a unit of the last layer", f"it has {last} units")
    units = [np.array([index])]
    for below, layer in zip(table[-2::-1], table[:0:-1]):
        offsets = np.arange(layer.k) * layer.d
        taps = np.unique(units[0][:, None] * layer.s - layer.p + offsets[None, :])
        units.insert(0, taps[(taps >= 0) & (taps < below.out)])
    return units
