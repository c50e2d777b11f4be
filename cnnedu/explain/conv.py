r"""What the convolution explorers show, computed (no drawing, no widgets).

A single-channel cross-correlation with stride ``s``, padding ``p`` and
dilation ``d`` reads, for output pixel ``(i, j)``,

.. math::  y[i, j] = \sum_{u=0}^{KH-1} \sum_{v=0}^{KW-1} x_p[i s + u d,\; j s + v d] \; w[u, v],

where ``x_p`` is the input with ``p`` zeros added on each side. Along each
axis there are

.. math::  o = \left\lfloor \frac{n + 2p - d(k - 1) - 1}{s} \right\rfloor + 1

outputs: the dilated kernel spans ``d(k - 1) + 1`` pixels, and that span fits
at ``n + 2p - d(k - 1)`` positions of the padded input, of which one in
``s`` is used.

* :func:`window_at` -- the window, the element-wise products and their sum at
  one output position;
* :func:`geometry` -- every size the stride / padding / dilation explorer
  shows, with an explanation when there is no output;
* :func:`receptive_field`, :func:`receptive_field_units` -- how far back a
  unit of a stack of convolution and pooling layers sees;
* :func:`parse_kernel`, :func:`format_kernel` -- a kernel typed as text.
"""
from __future__ import annotations

import numbers
import re
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .._checks import as_float_array, as_pair, check_ndim, check_positive_int
from ..ops.conv import resolve_padding

__all__ = ["Window", "window_at", "ConvGeometry", "geometry", "resolve_pads",
           "RFLayer", "receptive_field", "receptive_field_units",
           "parse_kernel", "format_kernel"]

_PADDING_WHAT = "a non-negative int, an (h, w) pair, 'valid', 'same' or 'full'"


# --------------------------------------------------------------------------
# Padding
# --------------------------------------------------------------------------

def resolve_pads(padding, input_size, kernel_size, stride=1,
                 dilation=1) -> tuple[int, int, int, int]:
    """Zeros added ``(top, bottom, left, right)`` for a padding argument.

    Like :func:`cnnedu.ops.conv.resolve_padding`, plus ``'full'``: ``d(k - 1)``
    zeros on each side, so that every window touching the input at one
    pixel is used (the output has ``n + d(k - 1)`` pixels when ``s = 1``).

    Parameters
    ----------
    padding : int, (h, w) pair, 'valid', 'same' or 'full'
    input_size : (H, W) pair of int
    kernel_size : (KH, KW) pair of int
    stride, dilation : int or (h, w) pair

    Returns
    -------
    (top, bottom, left, right) : tuple of int
    """
    if isinstance(padding, str):
        if padding not in ("valid", "same", "full"):
            raise ValueError(f"padding must be {_PADDING_WHAT}, got {padding!r}")
        if padding == "full":
            kh, kw = as_pair(kernel_size, "kernel_size")
            dh, dw = as_pair(dilation, "dilation")
            ph, pw = dh * (kh - 1), dw * (kw - 1)
            return (ph, ph, pw, pw)
        return resolve_padding(padding, input_size, kernel_size, stride, dilation)
    try:
        ph, pw = as_pair(padding, "padding", minimum=0)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"padding must be {_PADDING_WHAT}, got {padding!r}") from None
    return (ph, ph, pw, pw)


# --------------------------------------------------------------------------
# Geometry
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class ConvGeometry:
    """Every size of one single-channel convolution, as the explorer shows it.

    Attributes
    ----------
    input_size, kernel_size, stride, dilation : (int, int)
        ``(H, W)``, ``(KH, KW)``, ``(sh, sw)``, ``(dh, dw)``.
    padding : int, pair or str
        The padding argument as given.
    pads : (top, bottom, left, right)
        Zeros added on each side.
    padded_size : (int, int)
        ``(H + top + bottom, W + left + right)``.
    extent : (int, int)
        Pixels spanned by the dilated kernel, ``d(k - 1) + 1`` per axis.
    raw_output : (int, int)
        The output-size formula's value per axis, *not clipped* (``<= 0``
        when the kernel does not fit).
    output_size : (int, int)
        ``(OH, OW)``; ``(0, 0)`` when the output is empty.
    empty : bool
        True when the dilated kernel does not fit the padded input.
    rows_read, cols_read : ndarray of bool, shapes (Hp,) and (Wp,)
        Rows / columns of the padded input read by at least one kernel tap
        of at least one window (all False when empty). A pixel is read if
        and only if its row and its column are.
    unused : (int, int)
        Rows at the bottom and columns at the right of the padded input
        that no window reaches, because the stride does not tile the
        padded input evenly: ``(Hp - extent) - s (o - 1)`` per axis.
    formula : (str, str)
        The output-size formula for the height and the width with the
        numbers filled in (plain text).
    explanation : str
        Why the output is empty, in plain words ('' if it is not).
    note : str
        What the stride leaves uncovered ('' if nothing).
    """

    input_size: tuple
    kernel_size: tuple
    stride: tuple
    padding: object
    dilation: tuple
    pads: tuple
    padded_size: tuple
    extent: tuple
    raw_output: tuple
    output_size: tuple
    empty: bool
    rows_read: np.ndarray
    cols_read: np.ndarray
    unused: tuple
    formula: tuple
    explanation: str
    note: str


def _formula(name, n, before, after, k, s, d, raw):
    pad = f"2·{before}" if before == after else f"{before} + {after}"
    sym_p = "2p" if before == after else "p_before + p_after"
    top = n + before + after - d * (k - 1) - 1
    side = "H" if name == "OH" else "W"
    return (f"{name} = ⌊({side} + {sym_p} − d(k − 1) − 1) / s⌋ + 1"
            f" = ⌊({n} + {pad} − {d}·({k} − 1) − 1) / {s}⌋ + 1"
            f" = ⌊{top} / {s}⌋ + 1 = {raw}")


def _why_empty(extent, padded, dilated) -> str:
    """'the dilated kernel spans 9 pixels but the padded input is only 8 wide'."""
    (EH, EW), (Hp, Wp) = extent, padded
    kernel = "the dilated kernel" if dilated else "the kernel"
    if EH > Hp and EW > Wp and (EH, Hp) != (EW, Wp):
        spans = f"{EH} pixels" if EH == EW else f"{EH} x {EW} pixels (tall x wide)"
        return f"{kernel} spans {spans} but the padded input is only {Hp} tall and {Wp} wide"
    if EW > Wp:
        return f"{kernel} spans {EW} pixels but the padded input is only {Wp} wide"
    return f"{kernel} spans {EH} pixels but the padded input is only {Hp} tall"


def _uncovered_note(unused, outputs, strides) -> str:
    """What the stride leaves out at the bottom / right, or ''."""
    parts = []
    if unused[0]:
        parts.append("the last row" if unused[0] == 1 else f"the last {unused[0]} rows")
    if unused[1]:
        parts.append("the last column" if unused[1] == 1 else f"the last {unused[1]} columns")
    if not parts:
        return ""
    verb = "is" if parts in (["the last row"], ["the last column"]) else "are"
    note = (f"the stride does not tile the padded input evenly: {' and '.join(parts)} "
            f"of the padded input {verb} never read")
    once = [axis for axis, o, s in zip(("down", "across"), outputs, strides) if o == 1 and s > 1]
    if once:
        note += (f"; the stride is larger than the room left after the first window, so it "
                 f"fits only once {' and '.join(once)}")
    return note


def geometry(n_h, n_w, k_h, k_w, stride=1, padding=0, dilation=1) -> ConvGeometry:
    r"""The sizes of a convolution, including the case where nothing fits.

    Unlike :func:`cnnedu.ops.conv.conv2d`, this never raises on a kernel that
    does not fit: it reports an empty output and says why, so that an
    explorer can explain it.

    Parameters
    ----------
    n_h, n_w : int
        Input height ``H`` and width ``W``, ``>= 1``.
    k_h, k_w : int
        Kernel height ``KH`` and width ``KW``, ``>= 1``.
    stride : int or (sh, sw)
    padding : int, (ph, pw), 'valid', 'same' or 'full'
        See :func:`resolve_pads`.
    dilation : int or (dh, dw)

    Returns
    -------
    ConvGeometry
        Output size per axis
        ``o = floor((n + p_before + p_after - d(k - 1) - 1) / s) + 1``
        (``floor((n + 2p - d(k - 1) - 1) / s) + 1`` for symmetric padding),
        the formula with the numbers filled in, what is read and what is not.

    Examples
    --------
    >>> g = geometry(8, 8, 3, 3, stride=1, dilation=4)
    >>> g.empty, g.output_size
    (True, (0, 0))
    >>> g.explanation
    'the dilated kernel spans 9 pixels but the padded input is only 8 wide'
    """
    H, W = check_positive_int(n_h, "n_h"), check_positive_int(n_w, "n_w")
    KH, KW = check_positive_int(k_h, "k_h"), check_positive_int(k_w, "k_w")
    sh, sw = as_pair(stride, "stride")
    dh, dw = as_pair(dilation, "dilation")
    top, bottom, left, right = resolve_pads(padding, (H, W), (KH, KW), (sh, sw), (dh, dw))
    Hp, Wp = H + top + bottom, W + left + right
    EH, EW = dh * (KH - 1) + 1, dw * (KW - 1) + 1
    raw = ((Hp - EH) // sh + 1, (Wp - EW) // sw + 1)
    empty = EH > Hp or EW > Wp
    OH, OW = (0, 0) if empty else raw
    formula = (_formula("OH", H, top, bottom, KH, sh, dh, raw[0]),
               _formula("OW", W, left, right, KW, sw, dw, raw[1]))

    rows_read = np.zeros(Hp, dtype=bool)
    cols_read = np.zeros(Wp, dtype=bool)
    explanation = note = ""
    unused = (0, 0)
    if empty:
        explanation = _why_empty((EH, EW), (Hp, Wp), (dh, dw) != (1, 1))
    else:
        r = (np.arange(OH)[:, None] * sh + np.arange(KH)[None, :] * dh).ravel()
        c = (np.arange(OW)[:, None] * sw + np.arange(KW)[None, :] * dw).ravel()
        rows_read[r] = True
        cols_read[c] = True
        unused = (Hp - EH - sh * (OH - 1), Wp - EW - sw * (OW - 1))
        note = _uncovered_note(unused, (OH, OW), (sh, sw))
    return ConvGeometry((H, W), (KH, KW), (sh, sw), padding, (dh, dw), (top, bottom, left, right),
                        (Hp, Wp), (EH, EW), raw, (OH, OW), empty, rows_read, cols_read, unused,
                        formula, explanation, note)


# --------------------------------------------------------------------------
# One window
# --------------------------------------------------------------------------

class Window(NamedTuple):
    """One output position of a single-channel cross-correlation."""

    #: the input with its zero padding, shape (Hp, Wp)
    padded: np.ndarray
    #: zeros added (top, bottom, left, right)
    pads: tuple
    #: rows of ``padded`` under the kernel's rows, shape (KH,): ``i*s + u*d``
    rows: np.ndarray
    #: columns of ``padded`` under the kernel's columns, shape (KW,): ``j*s + v*d``
    cols: np.ndarray
    #: the pixels under the kernel, ``padded[rows][:, cols]``, shape (KH, KW)
    window: np.ndarray
    #: element-wise products ``window * kernel``, shape (KH, KW)
    products: np.ndarray
    #: their sum: the output ``y[i, j]``
    total: float


def _check_index(v, name, n, what, detail):
    if not isinstance(v, numbers.Integral) or isinstance(v, bool) or not 0 <= v < n:
        raise ValueError(f"{name} must be {what} in 0..{n - 1} ({detail}), got {v!r}")
    return int(v)


def window_at(x2d, kernel, i, j, stride=1, padding=0, dilation=1) -> Window:
    r"""The window, products and sum behind output pixel ``y[i, j]``.

    .. math::

        y[i, j] = \sum_{u=0}^{KH-1} \sum_{v=0}^{KW-1}
            x_p[i s_h + u d_h,\; j s_w + v d_w] \; w[u, v]

    Parameters
    ----------
    x2d : array (H, W)
        One channel of an image.
    kernel : array (KH, KW)
    i, j : int
        Output row and column, ``0 <= i < OH``, ``0 <= j < OW``.
    stride, dilation : int or (h, w) pair
    padding : int, (h, w) pair, 'valid', 'same' or 'full'

    Returns
    -------
    Window
        ``padded`` (Hp, Wp), ``pads``, the footprint ``rows`` (KH,) and
        ``cols`` (KW,) in padded coordinates, ``window`` and ``products``
        (KH, KW) in x's floating dtype, and ``total`` (float).

    Raises
    ------
    ValueError
        If the kernel does not fit the padded input, or ``(i, j)`` is not an
        output position.
    """
    x2d = check_ndim(as_float_array(x2d, "x2d"), "x2d", 2, "(H, W)")
    kernel = check_ndim(as_float_array(kernel, "kernel"), "kernel", 2, "(KH, KW)")
    if 0 in x2d.shape or 0 in kernel.shape:
        raise ValueError(f"x2d and kernel must not be empty, got shapes {x2d.shape} "
                         f"and {kernel.shape}")
    g = geometry(*x2d.shape, *kernel.shape, stride, padding, dilation)
    if g.empty:
        raise ValueError(f"kernel {kernel.shape[0]}x{kernel.shape[1]} does not fit: "
                         f"{g.explanation}")
    OH, OW = g.output_size
    i = _check_index(i, "i", OH, "an output row", f"the output is {OH}x{OW}")
    j = _check_index(j, "j", OW, "an output column", f"the output is {OH}x{OW}")
    top, bottom, left, right = g.pads
    padded = np.pad(x2d, ((top, bottom), (left, right)))
    rows = i * g.stride[0] + np.arange(kernel.shape[0]) * g.dilation[0]
    cols = j * g.stride[1] + np.arange(kernel.shape[1]) * g.dilation[1]
    window = padded[np.ix_(rows, cols)]
    products = window * kernel.astype(x2d.dtype, copy=False)
    return Window(padded, g.pads, rows, cols, window, products, float(products.sum()))


# --------------------------------------------------------------------------
# Receptive fields
# --------------------------------------------------------------------------

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

    Along one axis, with ``r_0 = 1``, ``j_0 = 1`` for the input and the
    effective kernel size ``k'_l = d_l (k_l - 1) + 1``:

    .. math::

        r_l = r_{l-1} + (k'_l - 1)\, j_{l-1}, \qquad j_l = j_{l-1}\, s_l, \qquad
        c_l = c_{l-1} + \left(\tfrac{k'_l - 1}{2} - p_l\right) j_{l-1},

    where ``r_l`` is how many input pixels one unit of layer ``l`` sees,
    ``j_l`` the distance (in input pixels) between two neighbouring units,
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
            out = (prev.out + 2 * p - ke) // s + 1
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
    index = _check_index(index, "index", last, "a unit of the last layer", f"it has {last} units")
    units = [np.array([index])]
    for below, layer in zip(table[-2::-1], table[:0:-1]):
        offsets = np.arange(layer.k) * layer.d
        taps = np.unique(units[0][:, None] * layer.s - layer.p + offsets[None, :])
        units.insert(0, taps[(taps >= 0) & (taps < below.out)])
    return units


# --------------------------------------------------------------------------
# Kernels as text
# --------------------------------------------------------------------------

_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
MAX_KERNEL_SIDE = 7


def _parse_number(token: str, row: int, col: int) -> float:
    parts = token.split("/")
    if len(parts) <= 2 and all(_NUMBER.match(p) for p in parts):
        value = float(parts[0])
        if len(parts) == 2:
            if float(parts[1]) == 0:
                raise ValueError(f"row {row}, entry {col}: {token!r} divides by zero")
            value /= float(parts[1])
        return value
    raise ValueError(f"row {row}, entry {col}: {token!r} is not a number "
                     f"(write numbers like 1, -0.5, 2e-1 or 1/9)")


def parse_kernel(text: str) -> np.ndarray:
    """Read a kernel typed as text: one row per line.

    Numbers are separated by spaces or commas; rows by new lines or
    semicolons. Brackets are ignored, so ``[[0, -1, 0], [-1, 5, -1], [0, -1, 0]]``
    works too, and fractions such as ``1/9`` are allowed.

    Parameters
    ----------
    text : str

    Returns
    -------
    ndarray, shape (KH, KW), float64
        ``1 <= KH, KW <= 7``.

    Raises
    ------
    ValueError
        With a message saying which row or entry is wrong.

    Examples
    --------
    >>> parse_kernel("1 2 1\\n0 0 0\\n-1 -2 -1")
    array([[ 1.,  2.,  1.],
           [ 0.,  0.,  0.],
           [-1., -2., -1.]])
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    cleaned = text.replace("],", ";").replace("[", " ").replace("]", " ")
    lines = [line for line in re.split(r"[;\n]", cleaned) if line.strip(" ,\t\r")]
    if not lines:
        raise ValueError("the kernel is empty: type one row of numbers per line")
    rows = []
    for r, line in enumerate(lines, start=1):
        tokens = [t for t in re.split(r"[\s,]+", line.strip(" ,\t\r")) if t]
        rows.append([_parse_number(t, r, c) for c, t in enumerate(tokens, start=1)])
    widths = [len(row) for row in rows]
    if len(set(widths)) > 1:
        bad = next(n for n, w in enumerate(widths) if w != widths[0])
        raise ValueError(f"every row needs the same number of entries: row 1 has {widths[0]}, "
                         f"row {bad + 1} has {widths[bad]}")
    kernel = np.array(rows, dtype=np.float64)
    if max(kernel.shape) > MAX_KERNEL_SIDE:
        raise ValueError(f"the kernel may be at most {MAX_KERNEL_SIDE}x{MAX_KERNEL_SIDE}, "
                         f"got {kernel.shape[0]}x{kernel.shape[1]}")
    if not np.all(np.isfinite(kernel)):
        raise ValueError("the kernel must hold finite numbers (no inf or nan)")
    return kernel


def format_kernel(kernel) -> str:
    """Write a kernel as text that :func:`parse_kernel` reads back.

    If every entry is a multiple of ``1/b`` for a small common denominator
    ``b`` (up to 256, as in 1/9 or the 5x5 Gaussian's ``/256``), the entries
    are written as fractions over that ``b`` (integers if ``b = 1``), so the
    text gives back exactly the same kernel; otherwise with up to 6
    significant digits.

    Parameters
    ----------
    kernel : array (KH, KW)

    Returns
    -------
    str
        One line per row, entries separated by spaces and aligned.

    Examples
    --------
    >>> print(format_kernel([[1, 2, 1], [2, 4, 2], [1, 2, 1]] / np.array(16.0)))
    1/16 2/16 1/16
    2/16 4/16 2/16
    1/16 2/16 1/16
    """
    kernel = check_ndim(as_float_array(kernel, "kernel"), "kernel", 2, "(KH, KW)")
    values = kernel.astype(np.float64)
    denominator = next((b for b in (1, 2, 3, 4, 5, 8, 9, 16, 25, 49, 64, 256)
                        if np.allclose(values * b, np.round(values * b), rtol=0, atol=1e-9)), None)

    def one(v):
        if denominator is None:
            return f"{v:.6g}"
        a = int(round(v * denominator))
        return f"{a}" if denominator == 1 or a == 0 else f"{a}/{denominator}"

    cells = [[one(v) for v in row] for row in values.tolist()]
    width = max(len(c) for row in cells for c in row)
    return "\n".join(" ".join(c.rjust(width) for c in row) for row in cells)
