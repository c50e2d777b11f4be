r"""Output sizes and padding rules: the one place that computes them.

A kernel (or a pooling window) of ``k`` taps with dilation ``d`` spans
``d(k - 1) + 1`` pixels, its *extent*. Moved by a stride ``s`` over an
input of ``n`` pixels padded with ``p`` zeros on each side, it fits at

.. math::  o = \left\lfloor \frac{n + 2p - d(k - 1) - 1}{s} \right\rfloor + 1

positions along that axis (:func:`conv_output_size`). Pooling is the case
``d = 1`` with a stride that defaults to the window, and padding of at most
half the window.

- :func:`check_padding` -- the one check of a ``padding`` argument (an int,
  an ``(h, w)`` pair, ``'valid'``, ``'same'`` and, where allowed, ``'full'``);
- :func:`resolve_padding` -- the zeros that padding adds on each side;
- :func:`conv_output_size` -- the formula along one axis;
- :class:`Geometry` -- every size of one convolution or pooling, built by
  :func:`conv_geometry` or :func:`pool_geometry` (with :func:`max_pool_padding`,
  pooling's limit on padding).

Nothing here raises because a kernel does not fit: a :class:`Geometry` then
says ``empty``, and each caller words the error (or the explanation) its
reader needs.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ._checks import as_pair, check_positive_int

__all__ = ["CONV_MODES", "FULL_MODES", "check_padding", "resolve_padding", "conv_output_size",
           "format_pair", "Geometry", "conv_geometry", "pool_geometry", "max_pool_padding"]

#: The padding names a convolution takes.
CONV_MODES = ("valid", "same")
#: The padding names the explorers take: a convolution's, and ``'full'``.
FULL_MODES = ("valid", "same", "full")


# --------------------------------------------------------------------------
# Padding
# --------------------------------------------------------------------------

def _pair(value, name: str, minimum: int = 1) -> tuple[int, int]:
    """:func:`cnnedu._checks.as_pair`, with a fast path for plain ints (every op call checks)."""
    if type(value) is int and value >= minimum:
        return (value, value)
    if (type(value) is tuple and len(value) == 2 and type(value[0]) is int
            and type(value[1]) is int and min(value) >= minimum):
        return value
    return as_pair(value, name, minimum=minimum)


def _allowed(modes, pair: bool, keras: bool) -> str:
    """What a padding argument may be, in words, for an error message."""
    names = [repr(m) for m in modes]
    if keras or not names:
        numbers = "a non-negative int or (h, w) pair" if pair else "a non-negative int"
        return ", ".join(names + [numbers])
    items = ["a non-negative int"] + (["an (h, w) pair"] if pair else []) + names
    return ", ".join(items[:-1]) + " or " + items[-1]


def check_padding(padding, *, modes=CONV_MODES, pair: bool = True, keras: bool = False,
                  name: str = "padding"):
    """Check a padding argument; return a mode name or explicit zeros per side.

    Parameters
    ----------
    padding : int, (h, w) pair or str
        Zeros on each side (one int for both axes, or one per axis), or one of
        ``modes``.
    modes : tuple of str
        The names allowed: ``('valid', 'same')`` (a convolution), ``FULL_MODES``
        (the explorers, which add ``'full'``), ``('valid',)`` or ``()`` (pooling).
    pair : bool
        Accept an ``(h, w)`` pair (True) or only one int (one axis).
    keras : bool
        Keras' spelling, as the layers of :mod:`cnnedu.nn` take it: names in
        any case (``'SAME'``), listed first in the error message.
    name : str
        The argument's name, for the error message.

    Returns
    -------
    str or (int, int) or int
        The mode name (lower case), or ``(ph, pw)`` (an int when ``pair`` is
        False).

    Raises
    ------
    ValueError, TypeError
        Naming the argument, the value given and what is allowed, e.g.
        ``padding must be a non-negative int, an (h, w) pair, 'valid' or
        'same', got -1``. A name not in ``modes`` is a ValueError (a
        TypeError when no name is allowed at all).

    Examples
    --------
    >>> check_padding(1), check_padding((0, 2)), check_padding('same')
    ((1, 1), (0, 2), 'same')
    >>> check_padding('SAME', keras=True)
    'same'
    """
    if isinstance(padding, str):
        key = padding.lower() if keras else padding
        if key in modes:
            return key
        error = ValueError if modes else TypeError
        raise error(f"{name} must be {_allowed(modes, pair, keras)}, got {padding!r}")
    try:
        if pair:
            return _pair(padding, name, minimum=0)
        return check_positive_int(padding, name, minimum=0)
    except (TypeError, ValueError) as exc:
        what = _allowed(modes, pair, keras)
        raise type(exc)(f"{name} must be {what}, got {padding!r}") from None


def _same_padding(n: int, k: int, s: int, d: int) -> tuple[int, int]:
    """Padding ``(before, after)`` giving ``ceil(n / s)`` outputs (TensorFlow's rule)."""
    out = -(-n // s)
    total = max((out - 1) * s + d * (k - 1) + 1 - n, 0)
    return total // 2, total - total // 2


def _pads(padding, size, kernel, stride, dilation) -> tuple[int, int, int, int]:
    """``(top, bottom, left, right)`` for a padding already checked by :func:`check_padding`."""
    if padding == "valid":
        return (0, 0, 0, 0)
    if padding == "same":
        return (_same_padding(size[0], kernel[0], stride[0], dilation[0])
                + _same_padding(size[1], kernel[1], stride[1], dilation[1]))
    if padding == "full":
        ph, pw = dilation[0] * (kernel[0] - 1), dilation[1] * (kernel[1] - 1)
    else:
        ph, pw = padding
    return (ph, ph, pw, pw)


def resolve_padding(padding, input_size, kernel_size, stride=1, dilation=1, *,
                    allow_full: bool = False) -> tuple[int, int, int, int]:
    """Turn a ``padding`` argument into explicit zeros on each side.

    Parameters
    ----------
    padding : int, (h, w) pair, 'valid', 'same' (or 'full')
        An int or pair pads the same amount on both sides of each axis.
        ``'valid'`` is no padding. ``'same'`` follows TensorFlow: the output
        has ``ceil(H / sh) x ceil(W / sw)`` pixels (so ``H x W`` when the
        stride is 1), and the total padding along an axis is
        ``max((ceil(n / s) - 1) * s + d * (k - 1) + 1 - n, 0)``. When that
        total is odd (for instance an even kernel with stride 1) the extra
        zero goes on the **bottom / right**. ``'full'`` (only with
        ``allow_full``) pads ``d(k - 1)`` on each side, so that every window
        that touches the input at one pixel is used.
    input_size : (H, W) pair of int
    kernel_size : int or (KH, KW) pair
    stride, dilation : int or (h, w) pair
    allow_full : bool
        Accept ``'full'`` (the explorers do; :func:`cnnedu.ops.conv.conv2d`
        does not).

    Returns
    -------
    (top, bottom, left, right) : tuple of int
        Zeros added above, below, left and right of the input.

    Examples
    --------
    >>> resolve_padding('same', (28, 28), 3)
    (1, 1, 1, 1)
    >>> resolve_padding('same', (28, 28), 4)     # even kernel: extra zero after
    (1, 2, 1, 2)
    >>> resolve_padding('same', (7, 8), 3, stride=2)
    (1, 1, 0, 1)
    >>> resolve_padding('full', (5, 5), 3, allow_full=True)
    (2, 2, 2, 2)
    """
    padding = check_padding(padding, modes=FULL_MODES if allow_full else CONV_MODES)
    return _pads(padding, _pair(input_size, "input_size"), _pair(kernel_size, "kernel_size"),
                 _pair(stride, "stride"), _pair(dilation, "dilation"))


# --------------------------------------------------------------------------
# The formula
# --------------------------------------------------------------------------

def _positions(padded: int, extent: int, stride: int) -> int:
    """How many windows of ``extent`` pixels, ``stride`` apart, start in ``padded`` pixels.

    ``floor((padded - extent) / stride) + 1``: the output-size formula with
    ``padded = n + 2p`` and ``extent = d(k - 1) + 1``. Not clipped: a value
    below 1 means that no window fits.
    """
    return (padded - extent) // stride + 1


def conv_output_size(n, k, stride=1, padding=0, dilation=1) -> int:
    r"""Number of outputs of a convolution along one axis.

    .. math::  o = \left\lfloor \frac{n + 2p - d(k - 1) - 1}{s} \right\rfloor + 1

    ``d(k - 1) + 1`` is the *extent* of the dilated kernel: a 3-tap kernel
    with dilation 2 spans 5 pixels. The formula counts the positions where
    that extent fits inside the padded input, stepping by ``s``.

    Parameters
    ----------
    n : int
        Input size along the axis (``H`` or ``W``), ``>= 1``.
    k : int
        Kernel size along the axis (``KH`` or ``KW``), ``>= 1``.
    stride : int
        Step ``s`` between windows, ``>= 1``.
    padding : int or {'valid', 'same'}
        Zeros ``p`` added on *each* side (an int ``>= 0``). ``'valid'`` means
        ``p = 0``. ``'same'`` returns ``ceil(n / s)`` (see
        :func:`resolve_padding`).
    dilation : int
        Spacing ``d`` between kernel taps, ``>= 1``.

    Returns
    -------
    int
        The formula's value, **not clipped**. A value below 1 means the
        kernel's extent does not fit the padded input: there is no output.
        :func:`cnnedu.ops.conv.conv2d` raises an error in that case; this
        function returns the raw number so that the formula can be explored
        (for instance ``conv_output_size(3, 5) == -1``).

    Examples
    --------
    >>> conv_output_size(28, 3)                 # (28 - 2 - 1) // 1 + 1
    26
    >>> conv_output_size(7, 3, stride=2, padding=1)
    4
    >>> conv_output_size(7, 3, dilation=2)      # extent 5
    3
    >>> conv_output_size(7, 3, stride=2, padding='same')
    4
    """
    n = check_positive_int(n, "n")
    k = check_positive_int(k, "k")
    stride = check_positive_int(stride, "stride")
    dilation = check_positive_int(dilation, "dilation")
    padding = check_padding(padding, pair=False)
    if isinstance(padding, str):
        before, after = (_same_padding(n, k, stride, dilation) if padding == "same" else (0, 0))
    else:
        before = after = padding
    return _positions(n + before + after, dilation * (k - 1) + 1, stride)


def format_pair(pair) -> str:
    """``'2'`` for ``(2, 2)``, ``'(2, 3)'`` otherwise: a size or padding as messages write it."""
    return str(pair[0]) if pair[0] == pair[1] else f"({pair[0]}, {pair[1]})"


# --------------------------------------------------------------------------
# One geometry for convolution and pooling
# --------------------------------------------------------------------------

def _axis(field: str, index: int, doc: str) -> property:
    return property(lambda self: getattr(self, field)[index], doc=doc)


@dataclass(frozen=True)
class Geometry:
    """Every size of one convolution or pooling on an ``H x W`` input, checked once.

    Build it with :func:`conv_geometry` or :func:`pool_geometry`. The fields
    are ``(height, width)`` pairs (``pads`` has four entries); the book's code
    reads them one axis at a time through the short names below.

    Attributes
    ----------
    input_size : (H, W)
    kernel_size : (KH, KW)
        The kernel, or the pooling window.
    stride : (sh, sw)
    dilation : (dh, dw)
        ``(1, 1)`` for pooling.
    padding : str or (int, int)
        The padding as checked: ``'valid'``, ``'same'``, ``'full'`` or
        ``(ph, pw)``.
    pads : (top, bottom, left, right)
        Zeros (pooling: cells) added on each side.
    extent : (EH, EW)
        Pixels spanned by the dilated kernel, ``d(k - 1) + 1`` per axis.
    padded_size : (Hp, Wp)
        ``(H + top + bottom, W + left + right)``.
    raw_output : (int, int)
        The output-size formula per axis, ``floor((Hp - EH) / sh) + 1``,
        *not clipped* (``<= 0`` on an axis where the kernel does not fit).
    output_size : (OH, OW)
        The output's size; ``(0, 0)`` when empty.
    empty : bool
        True when the kernel's extent does not fit the padded input (on
        either axis): there is no output.

    Short names, one axis at a time: ``H, W``, ``KH, KW``, ``sh, sw``,
    ``dh, dw``, ``top, bottom, left, right``, ``EH, EW``, ``Hp, Wp``,
    ``OH, OW``; and the pooling chapter's lower-case ``kh, kw``, ``ph, pw``
    (padding before the first row / column; pooling pads both sides alike)
    and ``oh, ow``. :meth:`padding_text` writes the padding as error
    messages do.
    """

    input_size: tuple[int, int]
    kernel_size: tuple[int, int]
    stride: tuple[int, int]
    dilation: tuple[int, int]
    padding: str | tuple[int, int]
    pads: tuple[int, int, int, int]
    extent: tuple[int, int]
    padded_size: tuple[int, int]
    raw_output: tuple[int, int]
    output_size: tuple[int, int]
    empty: bool

    H = _axis("input_size", 0, "input height")
    W = _axis("input_size", 1, "input width")
    KH = kh = _axis("kernel_size", 0, "kernel (window) height")
    KW = kw = _axis("kernel_size", 1, "kernel (window) width")
    sh = _axis("stride", 0, "vertical stride")
    sw = _axis("stride", 1, "horizontal stride")
    dh = _axis("dilation", 0, "vertical dilation")
    dw = _axis("dilation", 1, "horizontal dilation")
    top = ph = _axis("pads", 0, "rows of zeros above the input")
    bottom = _axis("pads", 1, "rows of zeros below the input")
    left = pw = _axis("pads", 2, "columns of zeros left of the input")
    right = _axis("pads", 3, "columns of zeros right of the input")
    EH = _axis("extent", 0, "rows spanned by the dilated kernel")
    EW = _axis("extent", 1, "columns spanned by the dilated kernel")
    Hp = _axis("padded_size", 0, "padded height")
    Wp = _axis("padded_size", 1, "padded width")
    OH = oh = _axis("output_size", 0, "output height (0 when empty)")
    OW = ow = _axis("output_size", 1, "output width (0 when empty)")

    def padding_text(self) -> str:
        """The padding as error messages write it: ``1``, ``(1, 0)`` or ``'same' (top, ...)``."""
        if isinstance(self.padding, str):
            return f"{self.padding!r} (top, bottom, left, right = {self.pads})"
        return format_pair(self.padding)


@lru_cache(maxsize=1024)
def _build(input_size, kernel_size, stride, dilation, padding) -> Geometry:
    """The geometry of checked, hashable arguments (cached: explorers ask again and again)."""
    pads = _pads(padding, input_size, kernel_size, stride, dilation)
    extent = tuple(d * (k - 1) + 1 for k, d in zip(kernel_size, dilation))
    padded = (input_size[0] + pads[0] + pads[1], input_size[1] + pads[2] + pads[3])
    raw = tuple(_positions(n, e, s) for n, e, s in zip(padded, extent, stride))
    empty = extent[0] > padded[0] or extent[1] > padded[1]
    return Geometry(input_size, kernel_size, stride, dilation, padding, pads, extent, padded,
                    raw, (0, 0) if empty else raw, empty)


def conv_geometry(input_size, kernel_size, stride=1, padding=0, dilation=1, *,
                  allow_full: bool = False) -> Geometry:
    """The geometry of a convolution: output size, padding on each side, extent.

    Parameters
    ----------
    input_size : (H, W) pair of int
    kernel_size : int or (KH, KW) pair
    stride, dilation : int or (h, w) pair, ``>= 1``
    padding : int, (h, w) pair, 'valid' or 'same' (or 'full' with ``allow_full``)
        See :func:`resolve_padding`.
    allow_full : bool
        Accept ``padding='full'`` (the explorers do).

    Returns
    -------
    Geometry
        ``empty`` (and ``output_size == (0, 0)``) when the dilated kernel
        does not fit the padded input; nothing is raised for that.

    Examples
    --------
    >>> g = conv_geometry((7, 8), 3, stride=2, padding='same')
    >>> g.output_size, g.pads
    ((4, 4), (1, 1, 0, 1))
    >>> conv_geometry((8, 8), 3, dilation=4).empty
    True
    """
    return _build(_pair(input_size, "input_size"), _pair(kernel_size, "kernel_size"),
                  _pair(stride, "stride"), _pair(dilation, "dilation"),
                  check_padding(padding, modes=FULL_MODES if allow_full else CONV_MODES))


def max_pool_padding(size) -> tuple[int, int]:
    """The most padding a pooling window allows per side: half the window, ``k // 2``.

    This is PyTorch's rule. With it, every window keeps at least
    ``k - p >= ceil(k / 2)`` real rows and columns (on an input at least as
    large as the window): padding fills at most half of any window.
    """
    kh, kw = _pair(size, "size")
    return kh // 2, kw // 2


def pool_geometry(input_size, size, stride=None, padding=0) -> Geometry:
    """The geometry of a pooling layer: windows of ``size``, moved by ``stride``.

    Parameters
    ----------
    input_size : (H, W) pair of int
    size : int or (kh, kw)
        The window.
    stride : int or (sh, sw), optional
        Defaults to ``size``: windows tile the input without overlap.
    padding : int or (ph, pw)
        Cells added on each side, at most :func:`max_pool_padding` (half
        the window).

    Returns
    -------
    Geometry
        With dilation ``(1, 1)``; ``empty`` when the window does not fit the
        padded input (nothing is raised for that).

    Raises
    ------
    ValueError
        If the padding is more than half the window.

    Examples
    --------
    >>> pool_geometry((11, 11), 2).output_size       # the last row and column are left over
    (5, 5)
    >>> pool_geometry((13, 13), 3, stride=2, padding=1).output_size
    (7, 7)
    """
    input_size = _pair(input_size, "input_size")
    kh, kw = _pair(size, "size")
    stride = (kh, kw) if stride is None else _pair(stride, "stride")
    ph, pw = check_padding(padding, modes=())
    most = max_pool_padding((kh, kw))
    if ph > most[0] or pw > most[1]:
        raise ValueError(
            f"padding must be at most half the pool window, so that every window covers "
            f"part of the input: a {kh}x{kw} window allows padding up to "
            f"{format_pair(most)}, got {padding!r}")
    return _build(input_size, (kh, kw), stride, (1, 1), (ph, pw))
