r"""Pooling: max, average and global pooling, forward and backward.

A pooling layer slides a ``KH x KW`` window over every channel of an image
batch ``x`` of shape ``(N, C, H, W)`` (NCHW) and keeps one number per window:
the largest value (max pooling) or the mean (average pooling). It has no
parameters and never mixes channels. The output has shape ``(N, C, OH, OW)``
with the same size formula as a convolution,

.. math::  OH = \left\lfloor \frac{H + 2 p_h - k_h}{s_h} \right\rfloor + 1,
           \qquad
           OW = \left\lfloor \frac{W + 2 p_w - k_w}{s_w} \right\rfloor + 1,

where ``k`` is the window ``size``, ``s`` the ``stride`` (by default the
window size, so windows tile the input without overlap) and ``p`` the
``padding``. Rows and columns left over at the bottom and right (when the
division is not exact, e.g. 11 -> 5 with 2x2 windows) belong to no window and
get zero gradient.

Conventions
-----------
- **Padding** adds ``p`` cells on each side and may be at most half the window
  (``p <= k // 2``, as PyTorch requires), so padding fills at most half of
  any window's rows and columns. Max pooling pads with ``-inf``: a padded cell never wins.
  Average pooling pads with zeros and *counts them*: every window is divided
  by ``KH * KW`` (``count_include_pad=True``, PyTorch's default).
- **Ties** in max pooling: the *first* maximum of the window in row-major
  order receives all of the gradient, as ``numpy.argmax`` picks it (this
  matters: after a ReLU, windows full of zeros are common).
- **Overlapping windows** (stride smaller than the window, e.g. AlexNet's 3x3
  windows with stride 2) are allowed; an input cell that lies in several
  windows adds up the gradient it receives from each.
- float32 in, float32 out; integer inputs become float64. NaN propagates to
  the output as with ``numpy.max`` (and, as with ``numpy.argmax``, the first
  NaN of a window takes its gradient).

Every fast function has a loop-based ``*_naive`` twin with the same
semantics, written to be read; the tests check that the two agree. The fast
functions loop only over the ``KH * KW`` offsets inside the window: for each
offset ``(a, b)`` the strided slice ``x[..., a::s_h, b::s_w]`` holds that
cell of every window at once, an ``(N, C, OH, OW)`` array. This is the idea
behind numpy's ``sliding_window_view`` and the reshape
``(N, C, OH, KH, OW, KW)``, without their last step: reducing over the tiny
window axes of a 6-D view is 10-20x slower in numpy than a few whole-array
operations on the slices. Max and sum over a rectangle are separable, so the
forward passes reduce over the window's rows first and then its columns.

The window, result and winning cell of one output position, for the book's
explorers, are :func:`cnnedu.explain.pool.pool_window`.
"""
from __future__ import annotations

import numpy as np

from .._checks import as_float_array, check_ndim
from ..geometry import Geometry, format_pair, pool_geometry

__all__ = [
    "max_pool2d", "max_pool2d_backward", "max_pool2d_naive", "max_pool2d_backward_naive",
    "avg_pool2d", "avg_pool2d_backward", "avg_pool2d_naive", "avg_pool2d_backward_naive",
    "global_avg_pool2d", "global_avg_pool2d_backward",
    "global_avg_pool2d_naive", "global_avg_pool2d_backward_naive",
    "global_max_pool2d", "global_max_pool2d_backward",
    "global_max_pool2d_naive", "global_max_pool2d_backward_naive",
]


# ----------------------------------------------------------------------------
# Geometry and argument checks
# ----------------------------------------------------------------------------

def _geometry(h: int, w: int, size, stride, padding) -> Geometry:
    """The pooling geometry of an ``h x w`` input; raise if the window does not fit it."""
    if h < 1 or w < 1:
        raise ValueError(f"x must have at least one row and one column, got H x W = {h}x{w}")
    g = pool_geometry((h, w), size, stride, padding)
    if g.empty:
        raise ValueError(f"pool window {g.kh}x{g.kw} does not fit a {h}x{w} input "
                         f"with padding {format_pair((g.ph, g.pw))}")
    return g


def _prepare(x, size, stride, padding):
    x = check_ndim(as_float_array(x, "x"), "x", 4, "(N, C, H, W)")
    return x, _geometry(x.shape[2], x.shape[3], size, stride, padding)


def _check_dy(dy, expected: tuple, dtype) -> np.ndarray:
    dy = as_float_array(dy, "dy")
    if dy.shape != expected:
        what = "(N, C, OH, OW)" if len(expected) == 4 else "(N, C)"
        raise ValueError(f"dy must have the shape of the forward output {what} = {expected}, "
                         f"got {dy.shape}")
    return dy.astype(dtype, copy=False)


def _pad(x: np.ndarray, ph: int, pw: int, fill: float) -> np.ndarray:
    """``x`` with ``ph`` rows and ``pw`` columns of ``fill`` added on each side."""
    if ph == 0 and pw == 0:
        return x
    n, c, h, w = x.shape
    xp = np.full((n, c, h + 2 * ph, w + 2 * pw), fill, dtype=x.dtype)
    xp[:, :, ph:ph + h, pw:pw + w] = x
    return xp


def _crop(xp: np.ndarray, g: Geometry) -> np.ndarray:
    """Undo :func:`_pad` (returns a contiguous array)."""
    if g.ph == 0 and g.pw == 0:
        return xp
    h, w = xp.shape[2] - 2 * g.ph, xp.shape[3] - 2 * g.pw
    return xp[:, :, g.ph:g.ph + h, g.pw:g.pw + w].copy()


# Strided views: row a (column b, cell (a, b)) of every window at once.
def _rows(arr, g, a):
    return arr[:, :, a:a + g.sh * (g.oh - 1) + 1:g.sh, :g.sw * (g.ow - 1) + g.kw]


def _cols(arr, g, b):
    return arr[..., b:b + g.sw * (g.ow - 1) + 1:g.sw]


def _cell(arr, g, a, b):
    return _cols(_rows(arr, g, a), g, b)


def _empty_or_zeros(shape, dtype, g: Geometry, padded_hw) -> np.ndarray:
    """np.empty when windows tile the padded input exactly (every cell is written), else zeros."""
    tiles = (g.sh == g.kh and g.sw == g.kw
             and padded_hw == (g.kh * g.oh, g.kw * g.ow))
    return np.empty(shape, dtype) if tiles else np.zeros(shape, dtype)


def _row_buffer(xp: np.ndarray, g: Geometry) -> np.ndarray:
    """Buffer shaped like ``_rows(xp, g, a)``; zeros unless the windows tile it exactly."""
    shape = _rows(xp, g, 0).shape
    return np.empty(shape, xp.dtype) if g.sw == g.kw else np.zeros(shape, xp.dtype)


def _put(view: np.ndarray, values: np.ndarray, add: bool) -> None:
    """``view += values`` where windows overlap (shared cells add up), else copy."""
    if add:
        view += values
    else:
        view[...] = values


def _reduce_windows(xp: np.ndarray, g: Geometry, ufunc) -> np.ndarray:
    """Apply ``ufunc`` (np.maximum or np.add) over every window: rows first, then columns."""
    rows = ufunc(_rows(xp, g, 0), _rows(xp, g, 1)) if g.kh > 1 else _rows(xp, g, 0).copy()
    for a in range(2, g.kh):
        ufunc(rows, _rows(xp, g, a), out=rows)
    y = ufunc(_cols(rows, g, 0), _cols(rows, g, 1)) if g.kw > 1 else _cols(rows, g, 0).copy()
    for b in range(2, g.kw):
        ufunc(y, _cols(rows, g, b), out=y)
    return y


# ----------------------------------------------------------------------------
# Max pooling
# ----------------------------------------------------------------------------

def max_pool2d(x, size, stride=None, padding=0) -> np.ndarray:
    """Max pooling: the largest value of every window, per channel.

    Parameters
    ----------
    x : array_like, shape (N, C, H, W)
        Input batch.
    size : int or (kh, kw)
        Window size.
    stride : int or (sh, sw), optional
        Step between windows; defaults to ``size`` (windows tile the input).
        A stride smaller than the window gives overlapping pooling.
    padding : int or (ph, pw), default 0
        Cells of ``-inf`` added on each side, at most half the window
        (``p <= k // 2``); a padded cell never wins.

    Returns
    -------
    y : ndarray, shape (N, C, OH, OW)
        ``OH = floor((H + 2ph - kh) / sh) + 1``, ``OW`` likewise. Same float
        dtype as ``x``.

    Raises
    ------
    ValueError, TypeError
        If ``x`` is not 4-D, the window does not fit, or size, stride or
        padding are out of range.

    Examples
    --------
    >>> x = np.array([[[[1, 3, 2, 0], [4, 2, 1, 5], [0, 7, 6, 3], [6, 1, 2, 8]]]])
    >>> max_pool2d(x, 2)[0, 0]
    array([[4., 5.],
           [7., 8.]])
    """
    x, g = _prepare(x, size, stride, padding)
    return _reduce_windows(_pad(x, g.ph, g.pw, -np.inf), g, np.maximum)


def _first_argmax(xp: np.ndarray, g: Geometry) -> np.ndarray:
    """Row-major index ``k = a * kw + b`` of the first maximum of every window.

    A tournament over the window's cells in row-major order: a cell takes
    over only if it is strictly larger than the best so far, so among equal
    maxima the first one stays.
    """
    best = _cell(xp, g, 0, 0).copy()
    idx = np.zeros(best.shape, dtype=np.min_scalar_type(g.kh * g.kw - 1))
    for k in range(1, g.kh * g.kw):
        cell = _cell(xp, g, *divmod(k, g.kw)).copy()      # contiguous copy: cheaper to compare
        better = cell > best
        np.maximum(best, cell, out=best)
        # k is larger than every index stored so far, so max(idx, k * better)
        # sets idx to k exactly where this cell is better (no masked writes).
        np.maximum(idx, better * idx.dtype.type(k), out=idx)
    if np.isnan(best).any():
        # NaN wins, as in numpy.argmax: route to the first NaN of the window
        for k in reversed(range(g.kh * g.kw)):
            idx[np.isnan(_cell(xp, g, *divmod(k, g.kw)))] = k
    return idx


def max_pool2d_backward(dy, x, size, stride=None, padding=0) -> np.ndarray:
    """Gradient of :func:`max_pool2d` with respect to its input.

    Each output gradient ``dy[n, c, i, j]`` goes, whole, to the input cell
    that won window ``(i, j)``; every other cell of the window gets nothing.

    **Tie rule:** if several cells of a window hold the maximum, the *first*
    one in row-major order (top row first, left to right), the one
    ``numpy.argmax`` of the flattened window picks, receives all of the
    gradient. Where windows overlap, a cell that wins several windows adds up
    their gradients. Padded cells never win; cells in no window get 0.

    Parameters
    ----------
    dy : array_like, shape (N, C, OH, OW)
        Gradient of the loss with respect to the output of ``max_pool2d``.
    x : array_like, shape (N, C, H, W)
        The input of the forward pass.
    size, stride, padding
        As in :func:`max_pool2d`.

    Returns
    -------
    dx : ndarray, shape (N, C, H, W)
        Same float dtype as ``x``.
    """
    x, g = _prepare(x, size, stride, padding)
    n, c = x.shape[:2]
    dy = _check_dy(dy, (n, c, g.oh, g.ow), x.dtype)
    xp = _pad(x, g.ph, g.pw, -np.inf)
    idx = _first_argmax(xp, g)
    dxp = _empty_or_zeros(xp.shape, x.dtype, g, xp.shape[2:])
    overlap = g.sh < g.kh or g.sw < g.kw
    for k in range(g.kh * g.kw):
        view = _cell(dxp, g, *divmod(k, g.kw))     # cell (a, b) of every window
        if overlap:
            view += dy * (idx == k)
        else:
            np.multiply(dy, idx == k, out=view)
    return _crop(dxp, g)


def max_pool2d_naive(x, size, stride=None, padding=0) -> np.ndarray:
    """Loop-based :func:`max_pool2d`: one window at a time (same arguments and result)."""
    x, g = _prepare(x, size, stride, padding)
    N, C = x.shape[:2]
    xp = _pad(x, g.ph, g.pw, -np.inf)
    y = np.empty((N, C, g.oh, g.ow), dtype=x.dtype)
    for n in range(N):
        for c in range(C):
            for i in range(g.oh):
                for j in range(g.ow):
                    top, left = i * g.sh, j * g.sw
                    window = xp[n, c, top:top + g.kh, left:left + g.kw]
                    y[n, c, i, j] = window.max()
    return y


def max_pool2d_backward_naive(dy, x, size, stride=None, padding=0) -> np.ndarray:
    """Loop-based :func:`max_pool2d_backward` (same arguments, result and tie rule)."""
    x, g = _prepare(x, size, stride, padding)
    N, C, H, W = x.shape
    dy = _check_dy(dy, (N, C, g.oh, g.ow), x.dtype)
    xp = _pad(x, g.ph, g.pw, -np.inf)
    dxp = np.zeros_like(xp)
    for n in range(N):
        for c in range(C):
            for i in range(g.oh):
                for j in range(g.ow):
                    top, left = i * g.sh, j * g.sw
                    window = xp[n, c, top:top + g.kh, left:left + g.kw]
                    # argmax returns the first maximum in row-major order
                    r, s = np.unravel_index(np.argmax(window), window.shape)
                    dxp[n, c, top + r, left + s] += dy[n, c, i, j]
    return dxp[:, :, g.ph:g.ph + H, g.pw:g.pw + W]


# ----------------------------------------------------------------------------
# Average pooling
# ----------------------------------------------------------------------------

def avg_pool2d(x, size, stride=None, padding=0) -> np.ndarray:
    """Average pooling: the mean of every window, per channel.

    Padding adds zeros that are counted in the mean: every window is divided
    by ``kh * kw``, also at the border (``count_include_pad=True``, PyTorch's
    default), so a window half in the padding averages its real cells with
    zeros.

    Parameters
    ----------
    x : array_like, shape (N, C, H, W)
        Input batch.
    size : int or (kh, kw)
        Window size.
    stride : int or (sh, sw), optional
        Step between windows; defaults to ``size``.
    padding : int or (ph, pw), default 0
        Zeros added on each side, at most half the window (``p <= k // 2``).

    Returns
    -------
    y : ndarray, shape (N, C, OH, OW)
        ``OH = floor((H + 2ph - kh) / sh) + 1``, ``OW`` likewise. Same float
        dtype as ``x``.

    Examples
    --------
    >>> x = np.array([[[[1, 3, 2, 0], [4, 2, 1, 5], [0, 7, 6, 3], [6, 1, 2, 8]]]])
    >>> avg_pool2d(x, 2)[0, 0]
    array([[2.5 , 2.  ],
           [3.5 , 4.75]])
    """
    x, g = _prepare(x, size, stride, padding)
    y = _reduce_windows(_pad(x, g.ph, g.pw, 0.0), g, np.add)
    y *= y.dtype.type(1.0 / (g.kh * g.kw))
    return y


def avg_pool2d_backward(dy, x, size, stride=None, padding=0) -> np.ndarray:
    """Gradient of :func:`avg_pool2d` with respect to its input.

    Every cell of window ``(i, j)`` receives ``dy[n, c, i, j] / (kh * kw)``;
    where windows overlap the shares add up; the shares of padded cells are
    dropped; cells in no window get 0.

    Parameters
    ----------
    dy : array_like, shape (N, C, OH, OW)
        Gradient of the loss with respect to the output of ``avg_pool2d``.
    x : array_like, shape (N, C, H, W)
        The input of the forward pass (only its shape is used).
    size, stride, padding
        As in :func:`avg_pool2d`.

    Returns
    -------
    dx : ndarray, shape (N, C, H, W)
        Same float dtype as ``x``.
    """
    x, g = _prepare(x, size, stride, padding)
    N, C, H, W = x.shape
    dy = _check_dy(dy, (N, C, g.oh, g.ow), x.dtype)
    share = dy * x.dtype.type(1.0 / (g.kh * g.kw))
    # The transpose of the forward pass: spread over the window's columns,
    # then over its rows.
    hp, wp = H + 2 * g.ph, W + 2 * g.pw
    dxp = _empty_or_zeros((N, C, hp, wp), x.dtype, g, (hp, wp))
    row = _row_buffer(dxp, g)
    for b in range(g.kw):
        _put(_cols(row, g, b), share, add=g.sw < g.kw)
    for a in range(g.kh):
        _put(_rows(dxp, g, a), row, add=g.sh < g.kh)
    return _crop(dxp, g)


def avg_pool2d_naive(x, size, stride=None, padding=0) -> np.ndarray:
    """Loop-based :func:`avg_pool2d`: one window at a time (same arguments and result)."""
    x, g = _prepare(x, size, stride, padding)
    N, C = x.shape[:2]
    xp = _pad(x, g.ph, g.pw, 0.0)
    y = np.empty((N, C, g.oh, g.ow), dtype=x.dtype)
    for n in range(N):
        for c in range(C):
            for i in range(g.oh):
                for j in range(g.ow):
                    top, left = i * g.sh, j * g.sw
                    window = xp[n, c, top:top + g.kh, left:left + g.kw]
                    y[n, c, i, j] = window.sum() / (g.kh * g.kw)   # padded zeros count
    return y


def avg_pool2d_backward_naive(dy, x, size, stride=None, padding=0) -> np.ndarray:
    """Loop-based :func:`avg_pool2d_backward` (same arguments and result)."""
    x, g = _prepare(x, size, stride, padding)
    N, C, H, W = x.shape
    dy = _check_dy(dy, (N, C, g.oh, g.ow), x.dtype)
    dxp = np.zeros((N, C, H + 2 * g.ph, W + 2 * g.pw), dtype=x.dtype)
    for n in range(N):
        for c in range(C):
            for i in range(g.oh):
                for j in range(g.ow):
                    top, left = i * g.sh, j * g.sw
                    dxp[n, c, top:top + g.kh, left:left + g.kw] += dy[n, c, i, j] / (g.kh * g.kw)
    return dxp[:, :, g.ph:g.ph + H, g.pw:g.pw + W]


# ----------------------------------------------------------------------------
# Global pooling: one number per channel
# ----------------------------------------------------------------------------

def _prepare_global(x) -> np.ndarray:
    x = check_ndim(as_float_array(x, "x"), "x", 4, "(N, C, H, W)")
    if x.shape[2] == 0 or x.shape[3] == 0:
        raise ValueError("x must have at least one pixel per channel (H, W >= 1), "
                         f"got shape {x.shape}")
    return x


def global_avg_pool2d(x) -> np.ndarray:
    """Global average pooling: the mean of each channel, ``(N, C, H, W) -> (N, C)``.

    Parameters
    ----------
    x : array_like, shape (N, C, H, W)

    Returns
    -------
    y : ndarray, shape (N, C)
        ``y[n, c] = mean(x[n, c])``, same float dtype as ``x``.
    """
    x = _prepare_global(x)
    return x.mean(axis=(2, 3))


def global_avg_pool2d_backward(dy, x) -> np.ndarray:
    """Gradient of :func:`global_avg_pool2d`: each pixel gets ``dy[n, c] / (H * W)``.

    Parameters
    ----------
    dy : array_like, shape (N, C)
    x : array_like, shape (N, C, H, W)
        The input of the forward pass (only its shape is used).

    Returns
    -------
    dx : ndarray, shape (N, C, H, W)
        Same float dtype as ``x``.
    """
    x = _prepare_global(x)
    N, C, H, W = x.shape
    dy = _check_dy(dy, (N, C), x.dtype)
    dx = np.empty_like(x)
    dx[...] = (dy * x.dtype.type(1.0 / (H * W)))[:, :, None, None]
    return dx


def global_avg_pool2d_naive(x) -> np.ndarray:
    """Loop-based :func:`global_avg_pool2d` (same argument and result)."""
    x = _prepare_global(x)
    N, C, H, W = x.shape
    y = np.zeros((N, C), dtype=x.dtype)
    for n in range(N):
        for c in range(C):
            total = 0.0
            for h in range(H):
                for w in range(W):
                    total += x[n, c, h, w]
            y[n, c] = total / (H * W)
    return y


def global_avg_pool2d_backward_naive(dy, x) -> np.ndarray:
    """Loop-based :func:`global_avg_pool2d_backward` (same arguments and result)."""
    x = _prepare_global(x)
    N, C, H, W = x.shape
    dy = _check_dy(dy, (N, C), x.dtype)
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for h in range(H):
                for w in range(W):
                    dx[n, c, h, w] = dy[n, c] / (H * W)
    return dx


def global_max_pool2d(x) -> np.ndarray:
    """Global max pooling: the largest value of each channel, ``(N, C, H, W) -> (N, C)``.

    Parameters
    ----------
    x : array_like, shape (N, C, H, W)

    Returns
    -------
    y : ndarray, shape (N, C)
        ``y[n, c] = max(x[n, c])``, same float dtype as ``x``.
    """
    x = _prepare_global(x)
    return x.max(axis=(2, 3))


def global_max_pool2d_backward(dy, x) -> np.ndarray:
    """Gradient of :func:`global_max_pool2d`: ``dy[n, c]`` goes to the channel's maximum.

    Ties: the first maximum in row-major order gets all of it, as in
    :func:`max_pool2d_backward`.

    Parameters
    ----------
    dy : array_like, shape (N, C)
    x : array_like, shape (N, C, H, W)
        The input of the forward pass.

    Returns
    -------
    dx : ndarray, shape (N, C, H, W)
        Same float dtype as ``x``.
    """
    x = _prepare_global(x)
    N, C, H, W = x.shape
    dy = _check_dy(dy, (N, C), x.dtype)
    flat = x.reshape(N, C, H * W)
    winner = np.argmax(flat, axis=2)[:, :, None]
    dx = np.zeros_like(flat)
    np.put_along_axis(dx, winner, dy[:, :, None], axis=2)
    return dx.reshape(x.shape)


def global_max_pool2d_naive(x) -> np.ndarray:
    """Loop-based :func:`global_max_pool2d` (same argument and result)."""
    x = _prepare_global(x)
    N, C = x.shape[:2]
    y = np.empty((N, C), dtype=x.dtype)
    for n in range(N):
        for c in range(C):
            y[n, c] = x[n, c].max()
    return y


def global_max_pool2d_backward_naive(dy, x) -> np.ndarray:
    """Loop-based :func:`global_max_pool2d_backward` (same arguments, result and tie rule)."""
    x = _prepare_global(x)
    N, C = x.shape[:2]
    dy = _check_dy(dy, (N, C), x.dtype)
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            h, w = np.unravel_index(np.argmax(x[n, c]), x[n, c].shape)
            dx[n, c, h, w] = dy[n, c]
    return dx
