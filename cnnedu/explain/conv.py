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
* :func:`check_input` -- the checks every explorer state makes of its image
  and kernel.

What the filter bank shows is in :mod:`cnnedu.explain.kernels`, receptive
fields in :mod:`cnnedu.explain.receptive_field`, and kernels typed as text
in :mod:`cnnedu.kernels`.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from .._checks import as_float_array, check_index, check_ndim, check_positive_int
from ..geometry import Geometry, conv_geometry, resolve_padding
from ..ops.conv import conv2d

__all__ = ["Window", "window_at", "ConvGeometry", "geometry", "resolve_pads",
           "check_input", "slide_view", "StrideSettings", "stride_settings", "stride_view"]

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
    i = check_index(i, "i", OH, "an output row", f"the output is {OH}x{OW}")
    j = check_index(j, "j", OW, "an output column", f"the output is {OH}x{OW}")
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

def check_input(x2d, kernel):
    """The image and kernel of an explorer state, checked: float arrays, neither empty.

    Parameters
    ----------
    x2d : array (H, W)
    kernel : array (KH, KW)

    Returns
    -------
    (x2d, kernel) : ndarray (H, W) and ndarray (KH, KW), floating

    Raises
    ------
    TypeError, ValueError
        Naming the argument, what was given and what is allowed.
    """
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
    x2d, kernel = check_input(x2d, kernel)
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
    x2d, kernel = check_input(x2d, kernel)
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
