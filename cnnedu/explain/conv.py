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
* :func:`slide_view` -- what the kernel slider shows at one position;
* :func:`stride_settings`, :func:`stride_view` -- what the stride explorer
  shows: one setting (geometry, padded input, output), then one position;
* :func:`filter_view` -- what the filter bank shows: the feature map of a
  kernel given as an array or typed as text;
* :func:`receptive_field`, :func:`receptive_field_units` -- how far back a
  unit of a stack of convolution and pooling layers sees;
* :func:`parse_kernel`, :func:`format_kernel` -- a kernel typed as text.
"""
from __future__ import annotations

import numbers
import re
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from .._checks import as_float_array, check_ndim, check_positive_int
from ..geometry import Geometry, conv_geometry, conv_output_size, resolve_padding
from ..ops.conv import conv2d, correlate2d

__all__ = ["Window", "window_at", "ConvGeometry", "geometry", "resolve_pads",
           "slide_view", "StrideSettings", "stride_settings", "stride_view",
           "FilterView", "filter_view",
           "RFLayer", "receptive_field", "receptive_field_units",
           "parse_kernel", "format_kernel"]

# --------------------------------------------------------------------------
# Padding
# --------------------------------------------------------------------------

def resolve_pads(padding, input_size, kernel_size, stride=1,
                 dilation=1) -> tuple[int, int, int, int]:
    """Zeros added ``(top, bottom, left, right)`` for the explorers' padding argument.

    :func:`cnnedu.geometry.resolve_padding` with ``'full'`` allowed: ``d(k - 1)``
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
    return resolve_padding(padding, input_size, kernel_size, stride, dilation, allow_full=True)


# --------------------------------------------------------------------------
# Geometry
# --------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class ConvGeometry(Geometry):
    """Every size of one single-channel convolution, as the explorer shows it.

    A :class:`cnnedu.geometry.Geometry` (``input_size``, ``kernel_size``,
    ``stride``, ``dilation``, ``padding``, ``pads``, ``extent``,
    ``padded_size``, ``raw_output``, ``output_size``, ``empty`` and the
    one-axis names such as ``OH``) with what the explorer explains about it.

    Attributes
    ----------
    rows_read, cols_read : ndarray of bool, shapes (Hp,) and (Wp,)
        Rows / columns of the padded input read by at least one kernel tap
        of at least one window (all False when empty). A pixel is read if
        and only if its row and its column are. Read-only.
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
    return _explained(conv_geometry((H, W), (KH, KW), stride, padding, dilation,
                                    allow_full=True))


@lru_cache(maxsize=256)
def _explained(g: Geometry) -> ConvGeometry:
    """:func:`geometry`'s result for a checked geometry (cached: explorers ask again and again)."""
    (H, W), (KH, KW), (sh, sw), (dh, dw) = g.input_size, g.kernel_size, g.stride, g.dilation
    top, bottom, left, right = g.pads
    formula = (_formula("OH", H, top, bottom, KH, sh, dh, g.raw_output[0]),
               _formula("OW", W, left, right, KW, sw, dw, g.raw_output[1]))
    rows_read = np.zeros(g.Hp, dtype=bool)
    cols_read = np.zeros(g.Wp, dtype=bool)
    explanation = note = ""
    unused = (0, 0)
    if g.empty:
        explanation = _why_empty(g.extent, g.padded_size, (dh, dw) != (1, 1))
    else:
        r = (np.arange(g.OH)[:, None] * sh + np.arange(KH)[None, :] * dh).ravel()
        c = (np.arange(g.OW)[:, None] * sw + np.arange(KW)[None, :] * dw).ravel()
        rows_read[r] = True
        cols_read[c] = True
        unused = (g.Hp - g.EH - sh * (g.OH - 1), g.Wp - g.EW - sw * (g.OW - 1))
        note = _uncovered_note(unused, g.output_size, (sh, sw))
    rows_read.flags.writeable = cols_read.flags.writeable = False     # shared by the cache
    return ConvGeometry(**{f.name: getattr(g, f.name) for f in fields(Geometry)},
                        rows_read=rows_read, cols_read=cols_read, unused=unused,
                        formula=formula, explanation=explanation, note=note)


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
    return _window(np.pad(x2d, ((top, bottom), (left, right))), kernel, g, i, j)


def _taps(g: Geometry, i: int, j: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows (KH,) and columns (KW,) of the padded input under the kernel for ``y[i, j]``."""
    return (i * g.sh + np.arange(g.KH) * g.dh, j * g.sw + np.arange(g.KW) * g.dw)


def _window(padded: np.ndarray, kernel: np.ndarray, g: Geometry, i: int, j: int) -> Window:
    """:func:`window_at` on an input already padded by ``g.pads`` (checked arguments)."""
    rows, cols = _taps(g, i, j)
    window = padded[np.ix_(rows, cols)]
    products = window * kernel.astype(padded.dtype, copy=False)
    return Window(padded, g.pads, rows, cols, window, products, float(products.sum()))


def _correlate(padded: np.ndarray, kernel: np.ndarray, g: Geometry) -> np.ndarray:
    """``y`` (OH, OW): :func:`cnnedu.ops.conv.conv2d` of an input already padded by ``g``."""
    return conv2d(padded[None, None], kernel[None, None], stride=g.stride,
                  dilation=g.dilation)[0, 0]


# --------------------------------------------------------------------------
# The kernel slider and the stride explorer
# --------------------------------------------------------------------------

def _check_input(x2d, kernel):
    x2d = check_ndim(as_float_array(x2d, "x2d"), "x2d", 2, "(H, W)")
    kernel = check_ndim(as_float_array(kernel, "kernel"), "kernel", 2, "(KH, KW)")
    if 0 in x2d.shape or 0 in kernel.shape:
        raise ValueError(f"x2d and kernel must not be empty, got shapes {x2d.shape} "
                         f"and {kernel.shape}")
    return x2d, kernel


def slide_view(x2d, kernel, position: int) -> dict:
    r"""What the kernel slider shows: the 'valid' cross-correlation, computed up to a position.

    Output positions are numbered row-major, ``position = i * OW + j``; cells
    after ``position`` are not computed yet.

    Parameters
    ----------
    x2d : array (H, W)
    kernel : array (KH, KW)
        It must fit the input (``KH <= H``, ``KW <= W``).
    position : int
        Clamped into ``0 .. OH * OW - 1``.

    Returns
    -------
    dict
        ``input`` (H, W), ``position``, ``i``, ``j``, the footprint ``rows``
        (KH,) and ``cols`` (KW,), ``window`` and ``products`` (KH, KW),
        ``sum`` (``y[i, j]``), ``kernel``, ``output`` (OH, OW: every value,
        :func:`cnnedu.ops.conv.conv2d`) and ``shown`` (OH, OW: NaN after
        ``position``).

    Raises
    ------
    ValueError
        If the kernel does not fit the input.
    """
    x2d, kernel = _check_input(x2d, kernel)
    g = geometry(*x2d.shape, *kernel.shape)
    if g.empty:
        raise ValueError(f"kernel {g.KH}x{g.KW} does not fit: {g.explanation}")
    OH, OW = g.output_size
    y = _correlate(x2d, kernel, g)                  # 'valid': nothing to pad
    position = int(min(max(position, 0), OH * OW - 1))
    i, j = divmod(position, OW)
    win = _window(x2d, kernel, g, i, j)
    shown = y.astype(float)
    shown.reshape(-1)[position + 1:] = np.nan
    return dict(input=x2d, position=position, i=i, j=j, rows=win.rows, cols=win.cols,
                window=win.window, kernel=kernel, products=win.products, sum=win.total,
                output=y, shown=shown)


class StrideSettings(NamedTuple):
    """One setting of the stride explorer, computed once (see :func:`stride_settings`)."""

    #: the input, (H, W)
    input: np.ndarray
    #: the kernel, (KH, KW)
    kernel: np.ndarray
    #: every size, and what is read (a :class:`ConvGeometry`)
    geometry: ConvGeometry
    #: the input with its zeros, (Hp, Wp)
    padded: np.ndarray
    #: ``conv2d`` of the input, (OH, OW), or None when the output is empty
    output: np.ndarray | None

    @property
    def last_position(self) -> int:
        """The largest output position, ``OH * OW - 1`` (0 when the output is empty)."""
        OH, OW = self.geometry.output_size
        return max(OH * OW - 1, 0)


def stride_settings(x2d, kernel, stride=1, padding=0, dilation=1) -> StrideSettings:
    """Geometry, padded input and output of one convolution setting: each computed once.

    Parameters
    ----------
    x2d : array (H, W)
    kernel : array (KH, KW)
    stride, dilation : int or (h, w) pair
    padding : int, (h, w) pair, 'valid', 'same' or 'full'

    Returns
    -------
    StrideSettings
        The output is :func:`cnnedu.ops.conv.conv2d` of the padded input;
        a kernel that does not fit gives ``output=None`` and an explained,
        empty geometry, never an exception.
    """
    x2d, kernel = _check_input(x2d, kernel)
    g = geometry(*x2d.shape, *kernel.shape, stride, padding, dilation)
    top, bottom, left, right = g.pads
    padded = np.pad(x2d, ((top, bottom), (left, right)))
    y = None if g.empty else _correlate(padded, kernel, g)
    return StrideSettings(x2d, kernel, g, padded, y)


def stride_view(settings: StrideSettings, position: int) -> dict:
    """What the stride explorer shows at one output position of a setting.

    Parameters
    ----------
    settings : StrideSettings
        From :func:`stride_settings`.
    position : int
        Output cell, row-major ``i * OW + j``; clamped into the output.

    Returns
    -------
    dict
        ``input``, ``geometry``, ``output_size``, ``output`` (None when
        empty), ``empty``, ``explanation``, ``note``, ``formula``,
        ``kernel``, ``padded`` (Hp, Wp), ``position``, ``i``, ``j`` and the
        footprint ``rows`` (KH,) / ``cols`` (KW,) of ``y[i, j]`` in padded
        coordinates (of ``y[0, 0]`` when empty).
    """
    g = settings.geometry
    position = int(min(max(position, 0), settings.last_position))
    i, j = divmod(position, g.OW) if g.OW else (0, 0)
    rows, cols = _taps(g, i, j)
    return dict(input=settings.input, geometry=g, output_size=g.output_size,
                output=settings.output, empty=g.empty, explanation=g.explanation,
                note=g.note, formula=g.formula, kernel=settings.kernel,
                padded=settings.padded, position=position, i=i, j=j, rows=rows, cols=cols)


class FilterView(NamedTuple):
    """What the filter bank shows for one kernel (see :func:`filter_view`)."""

    #: the image, (H, W)
    input: np.ndarray
    #: the kernel, (KH, KW), or None when its text cannot be read
    kernel: np.ndarray | None
    #: ``correlate2d(input, kernel, mode='same')``, (H, W), or None
    feature_map: np.ndarray | None
    #: why the kernel's text cannot be read ('' if it can)
    error: str
    #: True when the kernel or the map has a negative value: colours diverge from 0
    signed: bool
    #: colour limits of the map: ``(-m, m)``, ``m`` the 99th percentile of ``|y|``
    #: (signed), else ``(min, max)`` (widened to ``(min, min + 1)`` for a flat map);
    #: None without a kernel
    limits: tuple | None


def filter_view(x2d, kernel) -> FilterView:
    """The feature map of one kernel, with the colour scale it is shown in.

    Parameters
    ----------
    x2d : array (H, W)
    kernel : array (KH, KW), or str
        The weights, or their text as a reader types it (:func:`parse_kernel`).

    Returns
    -------
    FilterView
        ``feature_map`` is :func:`cnnedu.ops.conv.correlate2d` in 'same'
        mode, (H, W). Text that cannot be read gives ``kernel=None`` and the
        reason in ``error``, never an exception.
    """
    x2d = check_ndim(as_float_array(x2d, "x2d"), "x2d", 2, "(H, W)")
    if isinstance(kernel, str):
        try:
            kernel = parse_kernel(kernel)
        except ValueError as exc:
            return FilterView(x2d, None, None, str(exc), False, None)
    x2d, kernel = _check_input(x2d, kernel)
    y = correlate2d(x2d, kernel, mode="same")
    if np.min(kernel) < 0 or np.min(y) < 0:
        m = float(np.percentile(np.abs(y), 99)) or 1.0
        return FilterView(x2d, kernel, y, "", True, (-m, m))
    lo, hi = float(y.min()), float(y.max())
    return FilterView(x2d, kernel, y, "", False, (lo, hi if hi > lo else lo + 1))


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
