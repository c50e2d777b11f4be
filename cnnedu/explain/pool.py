r"""Small computations that explain pooling (for the pooling chapter and its explorer).

The pooling operations themselves live in :mod:`cnnedu.ops.pool`; this module
holds what the book needs around them:

- :func:`digit_edge_map`: a feature map to pool, the Sobel response of a real
  digit (the convolution of the previous chapter);
- :func:`window_coverage`: how many pooling windows cover each input cell;
- :func:`conv_multiply_adds`: the cost of a convolution layer, to see what
  pooling before it saves;
- :func:`pool_geometry_problem`: why a window, stride and padding do not fit
  an input, in words (or ``None`` when they do).

Geometry is that of :func:`cnnedu.ops.pool.max_pool2d`: a ``k x k`` window
moved by ``s`` over the input padded by ``p`` on each side, giving

.. math::  OH = \left\lfloor \frac{H + 2p - k}{s} \right\rfloor + 1

outputs per column (and ``OW`` likewise), with ``p <= k // 2``.
"""
from __future__ import annotations

import numpy as np

from .._checks import as_pair, check_positive_int

__all__ = ["digit_edge_map", "window_coverage", "conv_multiply_adds", "pool_geometry_problem"]


def digit_edge_map(index: int = 1, top: int = 7, left: int = 6, size: int = 16,
                   kernel: str = "sobel_x"):
    """A crop of the edge map of a real MNIST digit: a feature map to pool.

    The digit ``load_digits('test')[0][index, 0]`` (28 x 28) is
    cross-correlated with a 3 x 3 edge kernel (``'valid'``: 26 x 26), and the
    ``size x size`` block starting at ``(top, left)`` is kept. The defaults
    give 16 x 16 values of the Sobel x response of a 7 (the diagonal stroke
    and the end of the top bar): small enough to read cell by cell.

    Parameters
    ----------
    index : int, default 1
        Which digit of the test split.
    top, left : int, default 7, 6
        Top-left corner of the crop in the 26 x 26 edge map.
    size : int, default 16
        Side of the crop, ``top + size <= 26`` and ``left + size <= 26``.
    kernel : str, default ``'sobel_x'``
        A name known to :func:`cnnedu.kernels.get_kernel`.

    Returns
    -------
    ndarray, shape (size, size), float64
        Signed values (for the Sobel kernels between -4 and 4): positive where
        the digit gets brighter from left to right.
    """
    from ..ops.conv import correlate2d
    from ..data import load_digits
    from ..kernels import get_kernel

    X, _ = load_digits("test", dtype="float64")
    if not isinstance(index, (int, np.integer)) or isinstance(index, bool) \
            or not 0 <= index < len(X):
        raise ValueError(f"index must be an int in 0..{len(X) - 1}, got {index!r}")
    size = check_positive_int(size, "size")
    n = 28 - 3 + 1
    for name, value in (("top", top), ("left", left)):
        check_positive_int(value, name, minimum=0)
        if value + size > n:
            raise ValueError(f"{name} + size must be at most {n} (the edge map is {n}x{n}), "
                             f"got {name}={value}, size={size}")
    edges = correlate2d(X[index, 0], get_kernel(kernel))
    return edges[top:top + size, left:left + size].copy()


def _coverage_1d(n: int, k: int, s: int, p: int) -> np.ndarray:
    """Along one axis: how many of the windows ``[o*s - p, o*s - p + k)`` hold each cell."""
    outputs = (n + 2 * p - k) // s + 1
    starts = np.arange(max(outputs, 0)) * s - p
    cells = np.arange(n)
    inside = (cells[None, :] >= starts[:, None]) & (cells[None, :] < starts[:, None] + k)
    return inside.sum(axis=0)


def window_coverage(shape, size, stride=None, padding=0) -> np.ndarray:
    """How many pooling windows cover each cell of an ``H x W`` input.

    A window covers a rectangle of cells, so the count at ``(r, c)`` is the
    number of windows covering row ``r`` (counted along the rows) times the
    number covering column ``c``. With ``stride == size`` every covered cell
    lies in exactly one window; with overlapping windows (stride < size) up to
    ``ceil(k / s)**2``; a cell at the bottom or right that no window reaches
    (when ``(H + 2p - k) / s`` is not a whole number) gets 0.

    Parameters
    ----------
    shape : (H, W) pair of ints
        Size of the input.
    size : int or (kh, kw)
        Window size.
    stride : int or (sh, sw), optional
        Step between windows; defaults to ``size``.
    padding : int or (ph, pw), default 0
        Cells added on each side (they are not counted: the result is
        ``H x W``).

    Returns
    -------
    ndarray of int, shape (H, W)

    Examples
    --------
    >>> window_coverage((5, 5), 3, stride=2)
    array([[1, 1, 2, 1, 1],
           [1, 1, 2, 1, 1],
           [2, 2, 4, 2, 2],
           [1, 1, 2, 1, 1],
           [1, 1, 2, 1, 1]])
    """
    h, w = as_pair(shape, "shape")
    problem = pool_geometry_problem((h, w), size, stride, padding)
    if problem:
        raise ValueError(problem)
    kh, kw = as_pair(size, "size")
    sh, sw = (kh, kw) if stride is None else as_pair(stride, "stride")
    ph, pw = as_pair(padding, "padding", minimum=0)
    return np.outer(_coverage_1d(h, kh, sh, ph), _coverage_1d(w, kw, sw, pw))


def conv_multiply_adds(in_shape, filters: int, kernel_size, stride=1, padding=0) -> int:
    r"""Multiply-adds of a convolution layer on one image (bias additions not counted).

    Each of the ``F x OH x OW`` outputs is a sum of ``C x KH x KW`` products:

    .. math::  \text{MACs} = OH \cdot OW \cdot F \cdot C \cdot KH \cdot KW,
               \qquad OH = \left\lfloor \frac{H + 2p - KH}{s} \right\rfloor + 1.

    Parameters
    ----------
    in_shape : (C, H, W) tuple of ints
        Shape of the layer's input, without the batch axis.
    filters : int
        Number of filters ``F``.
    kernel_size : int or (KH, KW)
    stride, padding : int or (h, w) pair

    Returns
    -------
    int

    Examples
    --------
    >>> conv_multiply_adds((32, 13, 13), 64, 3)      # 11 * 11 * 64 * 32 * 9
    2230272
    """
    if not (isinstance(in_shape, (tuple, list)) and len(in_shape) == 3):
        raise ValueError(f"in_shape must be a (C, H, W) tuple, got {in_shape!r}")
    c, h, w = (check_positive_int(v, "in_shape") for v in in_shape)
    f = check_positive_int(filters, "filters")
    kh, kw = as_pair(kernel_size, "kernel_size")
    sh, sw = as_pair(stride, "stride")
    ph, pw = as_pair(padding, "padding", minimum=0)
    oh, ow = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
    if oh < 1 or ow < 1:
        raise ValueError(f"kernel {kh}x{kw} does not fit a {h}x{w} input with padding "
                         f"{(ph, pw) if ph != pw else ph}")
    return oh * ow * f * c * kh * kw


def pool_geometry_problem(shape, size, stride=None, padding=0) -> str | None:
    """Why a pooling window, stride and padding do not fit an input, or None if they do.

    The rules are those of :func:`cnnedu.ops.pool.max_pool2d`: the window must
    fit in the padded input (``H + 2p >= k``), and the padding may be at most
    half the window (``p <= k // 2``, so that every window covers at least
    one real cell). Any stride fits: a stride larger than the input just
    leaves one window per axis.

    Parameters
    ----------
    shape : (H, W) pair of ints
    size : int or (kh, kw)
    stride : int or (sh, sw), optional
    padding : int or (ph, pw), default 0

    Returns
    -------
    str or None
        A sentence for the reader (plain text), or ``None``.

    Examples
    --------
    >>> print(pool_geometry_problem((4, 4), 5))  # doctest: +NORMALIZE_WHITESPACE
    a 5x5 window does not fit the 4x4 input with padding 0: it needs H + 2p >= k,
    here 4 + 2*0 = 4 < 5
    >>> pool_geometry_problem((4, 4), 2) is None
    True
    """
    h, w = as_pair(shape, "shape")
    kh, kw = as_pair(size, "size")
    if stride is not None:
        as_pair(stride, "stride")
    ph, pw = as_pair(padding, "padding", minimum=0)
    if ph > kh // 2 or pw > kw // 2:
        p, half = (ph, kh // 2) if ph > kh // 2 else (pw, kw // 2)
        return (f"padding {p} is more than half of the {kh}x{kw} window: a window could then "
                f"lie entirely in the padding, so padding must be at most k // 2 = {half}")
    for axis, n, k, p in (("H", h, kh, ph), ("W", w, kw, pw)):
        if n + 2 * p < k:
            return (f"a {kh}x{kw} window does not fit the {h}x{w} input with padding {p}: "
                    f"it needs {axis} + 2p >= k, here {n} + 2*{p} = {n + 2 * p} < {k}")
    return None
