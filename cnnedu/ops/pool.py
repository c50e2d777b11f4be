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
  (``p <= k // 2``, as PyTorch requires), so every window covers at least one
  real input cell. Max pooling pads with ``-inf``: a padded cell never wins.
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

:func:`pool_window` returns the window, the result and the winning cell at
one output position, for the book's interactive explorers.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._checks import as_float_array, as_pair, check_ndim

__all__ = [
    "max_pool2d", "max_pool2d_backward", "max_pool2d_naive", "max_pool2d_backward_naive",
    "avg_pool2d", "avg_pool2d_backward", "avg_pool2d_naive", "avg_pool2d_backward_naive",
    "global_avg_pool2d", "global_avg_pool2d_backward",
    "global_avg_pool2d_naive", "global_avg_pool2d_backward_naive",
    "global_max_pool2d", "global_max_pool2d_backward",
    "global_max_pool2d_naive", "global_max_pool2d_backward_naive",
    "pool_window", "PoolWindow",
]


# ----------------------------------------------------------------------------
# Geometry and argument checks
# ----------------------------------------------------------------------------

class _Geometry(NamedTuple):
    kh: int
    kw: int
    sh: int
    sw: int
    ph: int
    pw: int
    oh: int
    ow: int


def _pool_output_size(n: int, k: int, s: int, p: int) -> int:
    """Output length ``floor((n + 2p - k) / s) + 1`` along one axis.

    The convolution formula with dilation 1 (``cnnedu.ops.conv.conv_output_size``),
    written out here so that pooling depends on numpy only.
    """
    return (n + 2 * p - k) // s + 1


def _pair_str(pair) -> str:
    return str(pair[0]) if pair[0] == pair[1] else f"({pair[0]}, {pair[1]})"


def _geometry(h: int, w: int, size, stride, padding) -> _Geometry:
    """Check size, stride and padding for an ``h x w`` input; return the geometry."""
    kh, kw = as_pair(size, "size")
    sh, sw = (kh, kw) if stride is None else as_pair(stride, "stride")
    ph, pw = as_pair(padding, "padding", minimum=0)
    if ph > kh // 2 or pw > kw // 2:
        raise ValueError(
            f"padding must be at most half the pool window, so that every window covers "
            f"part of the input: a {kh}x{kw} window allows padding up to "
            f"{_pair_str((kh // 2, kw // 2))}, got {padding!r}")
    if h + 2 * ph < kh or w + 2 * pw < kw:
        raise ValueError(f"pool window {kh}x{kw} does not fit a {h}x{w} input "
                         f"with padding {_pair_str((ph, pw))}")
    return _Geometry(kh, kw, sh, sw, ph, pw,
                     _pool_output_size(h, kh, sh, ph), _pool_output_size(w, kw, sw, pw))


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


def _crop(xp: np.ndarray, g: _Geometry) -> np.ndarray:
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


def _empty_or_zeros(shape, dtype, g: _Geometry, padded_hw) -> np.ndarray:
    """np.empty when windows tile the padded input exactly (every cell is written), else zeros."""
    tiles = (g.sh == g.kh and g.sw == g.kw
             and padded_hw == (g.kh * g.oh, g.kw * g.ow))
    return np.empty(shape, dtype) if tiles else np.zeros(shape, dtype)


def _row_buffer(xp: np.ndarray, g: _Geometry) -> np.ndarray:
    """Buffer shaped like ``_rows(xp, g, a)``; zeros unless the windows tile it exactly."""
    shape = _rows(xp, g, 0).shape
    return np.empty(shape, xp.dtype) if g.sw == g.kw else np.zeros(shape, xp.dtype)


def _put(view: np.ndarray, values: np.ndarray, add: bool) -> None:
    """``view += values`` where windows overlap (shared cells add up), else copy."""
    if add:
        view += values
    else:
        view[...] = values


def _reduce_windows(xp: np.ndarray, g: _Geometry, ufunc) -> np.ndarray:
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


def _first_argmax(xp: np.ndarray, g: _Geometry) -> np.ndarray:
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


# ----------------------------------------------------------------------------
# One window, for the explorers
# ----------------------------------------------------------------------------

class PoolWindow(NamedTuple):
    """What one output cell of a pooling layer sees (see :func:`pool_window`)."""

    #: ``(kh, kw)`` values under the window, NaN where it covers padding.
    window: np.ndarray
    #: ``(kh, kw)`` bool, True where the window covers a real input cell.
    inside: np.ndarray
    #: ``(row, col)`` of the window's top-left cell in input coordinates
    #: (negative when it starts in the padding).
    top_left: tuple
    #: The pooled value ``y[i, j]``.
    value: float
    #: ``(row, col)`` of the winning cell in input coordinates (max pooling;
    #: the first maximum in row-major order), None for average pooling.
    argmax: tuple | None


def pool_window(x2d, i, j, size, stride=None, padding=0, kind="max") -> PoolWindow:
    """The window, result and winner of one output cell ``(i, j)`` of a pooling layer.

    Same semantics as :func:`max_pool2d` / :func:`avg_pool2d` on a single
    channel: padded cells never win a max and count as zeros in an average.

    Parameters
    ----------
    x2d : array_like, shape (H, W)
        One channel.
    i, j : int
        Output position, ``0 <= i < OH`` and ``0 <= j < OW``.
    size, stride, padding
        As in :func:`max_pool2d`.
    kind : {'max', 'avg'}

    Returns
    -------
    PoolWindow
        ``window`` (kh, kw) with NaN on padding, ``inside`` mask, ``top_left``,
        ``value`` and (for max) ``argmax`` in input coordinates.
    """
    x2d = check_ndim(as_float_array(x2d, "x2d"), "x2d", 2, "(H, W)")
    if kind not in ("max", "avg"):
        raise ValueError(f"kind must be 'max' or 'avg', got {kind!r}")
    H, W = x2d.shape
    g = _geometry(H, W, size, stride, padding)
    for name, v, n in (("i", i, g.oh), ("j", j, g.ow)):
        what = "row" if name == "i" else "column"
        if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or not 0 <= v < n:
            raise ValueError(f"{name} must be an output {what} in 0..{n - 1} "
                             f"(the output is {g.oh}x{g.ow}), got {v!r}")
    top, left = i * g.sh - g.ph, j * g.sw - g.pw
    rows, cols = np.arange(top, top + g.kh), np.arange(left, left + g.kw)
    inside = ((rows >= 0) & (rows < H))[:, None] & ((cols >= 0) & (cols < W))[None, :]
    window = np.full((g.kh, g.kw), np.nan, dtype=x2d.dtype)
    window[inside] = x2d[np.clip(rows, 0, H - 1)[:, None], np.clip(cols, 0, W - 1)][inside]
    if kind == "avg":
        return PoolWindow(window, inside, (int(top), int(left)),
                          float(np.where(inside, window, 0).sum() / (g.kh * g.kw)), None)
    candidates = np.where(inside, window, -np.inf)
    r, s = np.unravel_index(np.argmax(candidates), candidates.shape)
    return PoolWindow(window, inside, (int(top), int(left)), float(candidates.max()),
                      (int(top + r), int(left + s)))
