r"""Convolution: single-channel filters, multi-channel ``conv2d`` and its gradient.

Layout is NCHW: images ``x`` are ``(N, C, H, W)``, weights ``w`` are
``(F, C, KH, KW)`` (``F`` filters, each looking at all ``C`` input channels),
biases ``b`` are ``(F,)`` and outputs ``(N, F, OH, OW)``.

Like every deep-learning library, :func:`conv2d` computes a
*cross-correlation* (the kernel is not flipped):

.. math::

    y[n, f, i, j] = b[f] + \sum_{c=0}^{C-1} \sum_{u=0}^{KH-1} \sum_{v=0}^{KW-1}
        x_p[n, c, s_h i + d_h u, s_w j + d_w v] \; w[f, c, u, v]

where ``x_p`` is ``x`` padded with zeros, ``s`` the stride and ``d`` the
dilation. Along each axis the output size is
(:func:`cnnedu.geometry.conv_output_size`)

.. math::  o = \left\lfloor \frac{n + 2p - d(k - 1) - 1}{s} \right\rfloor + 1 .

Two versions of every operation live side by side: a loop version
(``*_naive``) that reads like the formula, and a fast version that copies
every window into one matrix (:func:`im2col`) and does a single matrix
product. They are tested against each other.
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .._checks import as_float_array, check_ndim, check_positive_int
from ..geometry import Geometry, conv_geometry

__all__ = [
    "correlate2d", "convolve2d", "correlate2d_naive", "convolve2d_naive",
    "conv2d", "conv2d_backward", "conv2d_naive", "conv2d_backward_naive",
    "im2col", "col2im",
]

_MODES = ("valid", "same", "full")


# --------------------------------------------------------------------------
# Geometry (computed by cnnedu.geometry) and argument checks
# --------------------------------------------------------------------------

def _geometry(x_shape, kh, kw, stride, padding, dilation) -> Geometry:
    """The geometry of a convolution of an ``x_shape`` (N, C, H, W) input; raise if it is empty."""
    H, W = x_shape[2:]
    if H < 1 or W < 1:
        raise ValueError(f"x must have at least one row and one column, got H x W = {H}x{W}")
    g = conv_geometry((H, W), (kh, kw), stride, padding, dilation)
    if g.empty:
        dil = "" if (g.dh, g.dw) == (1, 1) else (
            f" with dilation {g.dh if g.dh == g.dw else (g.dh, g.dw)} (extent {g.EH}x{g.EW})")
        raise ValueError(
            f"kernel {kh}x{kw}{dil} does not fit a {H}x{W} input with padding "
            f"{g.padding_text()}: the padded input is {g.Hp}x{g.Wp}, the kernel needs at "
            f"least {g.EH}x{g.EW}")
    return g


def _check_conv_args(x, w, b):
    """Validate ``x``, ``w`` and ``b``; return them in x's floating dtype."""
    x = check_ndim(as_float_array(x, "x"), "x", 4, "(N, C, H, W)")
    w = check_ndim(as_float_array(w, "w"), "w", 4, "(F, C, KH, KW)")
    if w.shape[1] != x.shape[1]:
        raise ValueError(
            f"w has {w.shape[1]} input channels but x has {x.shape[1]}: "
            f"w must be (F, C, KH, KW) with C = x.shape[1]")
    if w.shape[2] < 1 or w.shape[3] < 1:
        raise ValueError(f"w must have a kernel of at least 1x1, got w.shape = {w.shape}")
    dtype = x.dtype
    w = w.astype(dtype, copy=False)
    if b is not None:
        b = as_float_array(b, "b")
        if b.shape != (w.shape[0],):
            raise ValueError(f"b must have shape (F,) = ({w.shape[0]},) to match "
                             f"w of shape {w.shape}, got {b.shape}")
        b = b.astype(dtype, copy=False)
    return x, w, b


def _check_dy(dy, x, w, g: Geometry):
    dy = as_float_array(dy, "dy")
    expected = (x.shape[0], w.shape[0], g.OH, g.OW)
    if dy.shape != expected:
        raise ValueError(f"dy must have the shape of conv2d's output (N, F, OH, OW) = "
                         f"{expected}, got {dy.shape}")
    return dy.astype(x.dtype, copy=False)


# --------------------------------------------------------------------------
# im2col / col2im
# --------------------------------------------------------------------------
# The fast path keeps a padded copy of the input as a *logical* (C, N, Hp, Wp)
# array. Its memory is either (C, N, Hp, Wp) -- rows of pixels contiguous --
# or (C, Hp, Wp, N) -- the batch contiguous. The window matrix and its adjoint
# are built by copies whose innermost run is one output row (OW numbers) in the
# first layout, and OW * N numbers (stride 1) in the second. numpy pays a fixed
# cost per run, so short rows (small feature maps such as 13 x 13 in a batch
# of 64) are several times faster batch-last; long rows are faster as they are,
# since batch-last then has to transpose the output and dy. The two give the
# same matrices up to the order of their columns, and tests run both.

def _batch_last(N: int, g: Geometry) -> bool:
    """Use the batch-contiguous layout? Yes for short rows, stride 1, a batch of 8 or more."""
    return N >= 8 and g.OW <= 16 and g.sw == 1


def _padded(x, g: Geometry, batch_last: bool):
    """``x`` as a logical ``(C, N, Hp, Wp)`` array with zero padding (a view if possible)."""
    xt = x.transpose(1, 0, 2, 3)
    if not batch_last and g.top == g.bottom == g.left == g.right == 0:
        return xt
    N, C = x.shape[:2]
    if batch_last:
        xp = np.zeros((C, g.Hp, g.Wp, N), dtype=x.dtype).transpose(0, 3, 1, 2)
    else:
        xp = np.zeros((C, N, g.Hp, g.Wp), dtype=x.dtype)
    xp[:, :, g.top:g.top + g.H, g.left:g.left + g.W] = xt
    return xp


def _windows(xp, g: Geometry):
    """Read-only view ``(C, KH, KW, N, OH, OW)`` of every window of ``xp`` (C, N, Hp, Wp)."""
    s_c, s_n, s_h, s_w = xp.strides       # bytes between neighbours along each axis
    C, N = xp.shape[:2]
    return as_strided(xp, shape=(C, g.KH, g.KW, N, g.OH, g.OW),
                      strides=(s_c, g.dh * s_h, g.dw * s_w, s_n, g.sh * s_h, g.sw * s_w),
                      writeable=False)


def _cols(x, g: Geometry, batch_last: bool):
    """The window matrix ``(C*KH*KW, N*OH*OW)``; columns ordered (n, i, j) or (i, j, n)."""
    N, C = x.shape[:2]
    win = _windows(_padded(x, g, batch_last), g)
    if batch_last:
        win = win.transpose(0, 1, 2, 4, 5, 3)
    return win.reshape(C * g.KH * g.KW, N * g.OH * g.OW)      # copies the windows


def _col2im(cols, x_shape, g: Geometry, batch_last: bool, dtype):
    """Add the columns back onto an image of ``x_shape`` (N, C, H, W) (adjoint of :func:`_cols`)."""
    N, C = x_shape[:2]
    if batch_last:
        dxp = np.zeros((C, g.Hp, g.Wp, N), dtype=dtype).transpose(0, 3, 1, 2)
        c6 = cols.reshape(C, g.KH, g.KW, g.OH, g.OW, N).transpose(0, 1, 2, 5, 3, 4)
    else:
        dxp = np.zeros((C, N, g.Hp, g.Wp), dtype=dtype)
        c6 = cols.reshape(C, g.KH, g.KW, N, g.OH, g.OW)
    rows_end, cols_end = g.sh * (g.OH - 1) + 1, g.sw * (g.OW - 1) + 1
    for u in range(g.KH):                 # a loop over the few kernel offsets only
        top = u * g.dh
        for v in range(g.KW):
            left = v * g.dw
            dxp[:, :, top:top + rows_end:g.sh, left:left + cols_end:g.sw] += c6[:, u, v]
    dx = dxp[:, :, g.top:g.top + g.H, g.left:g.left + g.W]
    return np.ascontiguousarray(dx.transpose(1, 0, 2, 3))


def im2col(x, kh, kw, stride=1, padding=0, dilation=1):
    r"""Copy every kernel window of ``x`` into the column of a matrix.

    Convolution then becomes one matrix product:
    ``w.reshape(F, -1) @ im2col(x, KH, KW)`` has shape ``(F, N*OH*OW)``.

    Parameters
    ----------
    x : array (N, C, H, W)
    kh, kw : int
        Kernel height and width.
    stride, padding, dilation
        As in :func:`conv2d`.

    Returns
    -------
    cols : ndarray (C*KH*KW, N*OH*OW), dtype of x
        Row ``(c*KH + u)*KW + v`` holds kernel tap ``(c, u, v)``; column
        ``(n*OH + i)*OW + j`` holds the window of output pixel ``(n, i, j)``:

        ``cols[(c*KH + u)*KW + v, (n*OH + i)*OW + j] = x_p[n, c, s_h i + d_h u, s_w j + d_w v]``

        This layout needs no transposition of ``w`` (its rows are
        ``w.reshape(F, -1)``'s columns), and the product's rows are output
        channels, which is the order NCHW wants.
    """
    x = check_ndim(as_float_array(x, "x"), "x", 4, "(N, C, H, W)")
    kh, kw = check_positive_int(kh, "kh"), check_positive_int(kw, "kw")
    g = _geometry(x.shape, kh, kw, stride, padding, dilation)
    return _cols(x, g, batch_last=False)


def col2im(cols, x_shape, kh, kw, stride=1, padding=0, dilation=1):
    """Scatter-add columns back to an image: the adjoint (transpose) of :func:`im2col`.

    Where windows overlap, their contributions are **summed**, so
    ``sum(im2col(x) * cols) == sum(x * col2im(cols))`` for all ``x`` and
    ``cols``. This is exactly what the backward pass of a convolution needs.

    Parameters
    ----------
    cols : array (C*KH*KW, N*OH*OW)
        Same layout as :func:`im2col`'s output.
    x_shape : tuple (N, C, H, W)
        Shape of the image to rebuild.
    kh, kw : int
    stride, padding, dilation
        As in :func:`conv2d`.

    Returns
    -------
    ndarray (N, C, H, W), dtype of cols
    """
    cols = as_float_array(cols, "cols")
    if (not isinstance(x_shape, (tuple, list)) or len(x_shape) != 4
            or not all(isinstance(n, (int, np.integer)) and n >= 0 for n in x_shape)):
        raise ValueError("x_shape must be a tuple (N, C, H, W) of non-negative ints, "
                         f"got {x_shape!r}")
    kh, kw = check_positive_int(kh, "kh"), check_positive_int(kw, "kw")
    x_shape = tuple(int(n) for n in x_shape)
    g = _geometry(x_shape, kh, kw, stride, padding, dilation)
    expected = (x_shape[1] * kh * kw, x_shape[0] * g.OH * g.OW)
    if cols.shape != expected:
        raise ValueError(f"cols must have shape (C*KH*KW, N*OH*OW) = {expected} for "
                         f"x_shape {x_shape}, got {cols.shape}")
    return _col2im(cols, x_shape, g, batch_last=False, dtype=cols.dtype)


# --------------------------------------------------------------------------
# conv2d: fast versions
# --------------------------------------------------------------------------

def conv2d(x, w, b=None, stride=1, padding=0, dilation=1, *, cache=None):
    r"""2-D convolution (cross-correlation) of a batch of multi-channel images.

    .. math::

        y[n, f, i, j] = b[f] + \sum_{c, u, v}
            x_p[n, c, s_h i + d_h u, s_w j + d_w v] \, w[f, c, u, v]

    computed as one matrix product ``w.reshape(F, -1) @ im2col(x)``.

    Parameters
    ----------
    x : array (N, C, H, W)
        Input images. float32 stays float32; integers become float64.
    w : array (F, C, KH, KW)
        Filters; cast to x's dtype.
    b : array (F,) or None
        One bias per filter.
    stride : int or (sh, sw)
        Step between windows, ``>= 1``.
    padding : int, (ph, pw), 'valid' or 'same'
        Zeros added on each side; ``'same'`` keeps ``ceil(H / sh) x
        ceil(W / sw)`` outputs, with the odd extra zero at the bottom / right
        (see :func:`cnnedu.geometry.resolve_padding`).
    dilation : int or (dh, dw)
        Spacing between kernel taps, ``>= 1``.
    cache : dict, optional
        If given, the window matrix is stored in it, so that
        :func:`conv2d_backward` called with the same dict reuses it instead
        of building it again (what a layer does between its forward and
        backward passes).

    Returns
    -------
    y : ndarray (N, F, OH, OW)
        ``OH = floor((H + 2 ph - dh (KH - 1) - 1) / sh) + 1``, and likewise
        ``OW`` (:func:`cnnedu.geometry.conv_output_size`); with ``'same'``,
        ``2 ph`` becomes ``top + bottom`` from :func:`cnnedu.geometry.resolve_padding`.

    Raises
    ------
    ValueError
        On wrong shapes, bad stride / padding / dilation, or a kernel that
        does not fit the padded input.
    """
    x, w, b = _check_conv_args(x, w, b)
    g = _geometry(x.shape, w.shape[2], w.shape[3], stride, padding, dilation)
    N, C = x.shape[:2]
    batch_last = _batch_last(N, g)
    F = w.shape[0]
    cols = _cols(x, g, batch_last)                                     # (C*KH*KW, N*OH*OW)
    if cache is not None:
        cache.clear()
        cache.update(cols=cols, geometry=g, batch_last=batch_last, x=x)
    out = w.reshape(F, C * g.KH * g.KW) @ cols                         # (F, N*OH*OW)
    if b is not None:
        out += b[:, None]
    if batch_last:
        y = out.reshape(F, g.OH, g.OW, N).transpose(3, 0, 1, 2)
    else:
        y = out.reshape(F, N, g.OH, g.OW).transpose(1, 0, 2, 3)
    return np.ascontiguousarray(y)


def conv2d_backward(dy, x, w, stride=1, padding=0, dilation=1, *, cache=None,
                    input_grad: bool = True):
    r"""Gradients of :func:`conv2d` with respect to its input, weights and bias.

    With ``X = im2col(x)`` (shape ``(C*KH*KW, N*OH*OW)``) and ``dY`` the
    upstream gradient arranged as ``(F, N*OH*OW)``, the forward pass is
    ``Y = W X`` and so

    - ``dW = dY X^T``                      (shape ``(F, C*KH*KW)``)
    - ``dX = col2im(W^T dY)``              (overlapping windows add up)
    - ``db[f] = sum_{n,i,j} dy[n, f, i, j]``

    Parameters
    ----------
    dy : array (N, F, OH, OW)
        Gradient of the loss with respect to conv2d's output.
    x : array (N, C, H, W)
        The forward pass's input.
    w : array (F, C, KH, KW)
        The forward pass's weights.
    stride, padding, dilation
        As in the forward call.
    cache : dict, optional
        The dict passed to the forward :func:`conv2d` call; its window
        matrix is reused when it was made from this same ``x`` with this
        geometry (otherwise it is ignored and the matrix is built again).
    input_grad : bool
        ``False`` skips ``dx`` (returned as ``None``): a network's first
        layer needs only ``dw`` and ``db``, which are the same either way.

    Returns
    -------
    dx : ndarray (N, C, H, W), or None if ``input_grad`` is False
    dw : ndarray (F, C, KH, KW)
    db : ndarray (F,)
        All in x's floating dtype.
    """
    x, w, _ = _check_conv_args(x, w, None)
    g = _geometry(x.shape, w.shape[2], w.shape[3], stride, padding, dilation)
    dy = _check_dy(dy, x, w, g)
    N, C = x.shape[:2]
    F = w.shape[0]
    batch_last = _batch_last(N, g)
    # dy as (F, N*OH*OW), columns in the same order as the window matrix
    dy2 = dy.transpose(1, 2, 3, 0) if batch_last else dy.transpose(1, 0, 2, 3)
    dy2 = np.ascontiguousarray(dy2).reshape(F, N * g.OH * g.OW)
    w2 = w.reshape(F, C * g.KH * g.KW)
    if (cache and cache.get("x") is x and cache.get("geometry") == g
            and cache.get("batch_last") == batch_last):
        cols = cache["cols"]
    else:
        cols = _cols(x, g, batch_last)
    dw = (dy2 @ cols.T).reshape(w.shape)
    dx = _col2im(w2.T @ dy2, x.shape, g, batch_last, x.dtype) if input_grad else None
    db = dy2.sum(axis=1)
    return dx, dw, db


# --------------------------------------------------------------------------
# conv2d: loop versions, as the book writes them
# --------------------------------------------------------------------------

def _pad(x, g: Geometry):
    return np.pad(x, ((0, 0), (0, 0), (g.top, g.bottom), (g.left, g.right)))


def conv2d_naive(x, w, b=None, stride=1, padding=0, dilation=1):
    """Loop version of :func:`conv2d`: one window at a time.

    Same parameters, returns and errors as :func:`conv2d`. For every image
    ``n``, filter ``f`` and output pixel ``(i, j)``, cut the window of ``x``
    under the kernel (every ``dh``-th row and ``dw``-th column when dilated),
    multiply it element-wise by ``w[f]`` and sum.

    Parameters
    ----------
    x : array (N, C, H, W)
    w : array (F, C, KH, KW)
    b : array (F,) or None
    stride, padding, dilation : see :func:`conv2d`

    Returns
    -------
    y : ndarray (N, F, OH, OW)
    """
    x, w, b = _check_conv_args(x, w, b)
    g = _geometry(x.shape, w.shape[2], w.shape[3], stride, padding, dilation)
    N, F = x.shape[0], w.shape[0]
    xp = _pad(x, g)
    height = g.dh * (g.KH - 1) + 1            # extent of the dilated kernel
    width = g.dw * (g.KW - 1) + 1
    y = np.zeros((N, F, g.OH, g.OW), dtype=x.dtype)
    for n in range(N):
        for f in range(F):
            for i in range(g.OH):
                for j in range(g.OW):
                    top, left = i * g.sh, j * g.sw
                    window = xp[n, :, top:top + height:g.dh, left:left + width:g.dw]  # (C, KH, KW)
                    y[n, f, i, j] = np.sum(window * w[f])
            if b is not None:
                y[n, f] += b[f]
    return y


def conv2d_backward_naive(dy, x, w, stride=1, padding=0, dilation=1):
    """Loop version of :func:`conv2d_backward`.

    Output pixel ``y[n, f, i, j]`` was ``sum(window * w[f]) + b[f]``, so its
    gradient ``g = dy[n, f, i, j]`` flows back as

    - ``dw[f]      += window * g``   (each weight met this window)
    - ``dx_window  += w[f] * g``     (each input pixel met these weights)
    - ``db[f]      += g``

    Parameters
    ----------
    dy : array (N, F, OH, OW)
    x : array (N, C, H, W)
    w : array (F, C, KH, KW)
    stride, padding, dilation : see :func:`conv2d`

    Returns
    -------
    dx : ndarray (N, C, H, W)
    dw : ndarray (F, C, KH, KW)
    db : ndarray (F,)
    """
    x, w, _ = _check_conv_args(x, w, None)
    g = _geometry(x.shape, w.shape[2], w.shape[3], stride, padding, dilation)
    dy = _check_dy(dy, x, w, g)
    N, F = x.shape[0], w.shape[0]
    xp = _pad(x, g)
    dxp = np.zeros_like(xp)
    dw = np.zeros_like(w)
    db = np.zeros(F, dtype=x.dtype)
    height = g.dh * (g.KH - 1) + 1
    width = g.dw * (g.KW - 1) + 1
    for n in range(N):
        for f in range(F):
            for i in range(g.OH):
                for j in range(g.OW):
                    top, left = i * g.sh, j * g.sw
                    rows = slice(top, top + height, g.dh)
                    cols = slice(left, left + width, g.dw)
                    grad = dy[n, f, i, j]
                    dw[f] += xp[n, :, rows, cols] * grad
                    dxp[n, :, rows, cols] += w[f] * grad
                    db[f] += grad
    dx = dxp[:, :, g.top:g.top + g.H, g.left:g.left + g.W]
    return np.ascontiguousarray(dx), dw, db


# --------------------------------------------------------------------------
# Single-channel correlation and convolution (chapter 1)
# --------------------------------------------------------------------------

def _check_2d(image, kernel, mode):
    image = check_ndim(as_float_array(image, "image"), "image", 2, "(H, W)")
    kernel = check_ndim(as_float_array(kernel, "kernel"), "kernel", 2, "(KH, KW)")
    if not isinstance(mode, str) or mode not in _MODES:
        raise ValueError(f"mode must be 'valid', 'same' or 'full', got {mode!r}")
    (h, w), (kh, kw) = image.shape, kernel.shape
    if min(h, w, kh, kw) < 1:
        raise ValueError(f"image and kernel must not be empty, got shapes {image.shape} "
                         f"and {kernel.shape}")
    if mode == "valid" and (kh > h or kw > w):
        raise ValueError(f"kernel {kh}x{kw} does not fit a {h}x{w} image in mode 'valid'; "
                         f"use mode='same' or mode='full' to pad the image with zeros")
    return image, kernel.astype(image.dtype, copy=False)


def _mode_padding(mode, kh, kw):
    if mode == "full":
        return (kh - 1, kw - 1)
    return "same" if mode == "same" else 0


def correlate2d(image, kernel, mode="valid"):
    r"""Cross-correlation of one 2-D image with one 2-D kernel.

    Slide the kernel over the image; at each position multiply the pixels
    under it by the kernel's weights and add them up:

    .. math::

       y[i, j] = \sum_{u=0}^{KH-1} \sum_{v=0}^{KW-1}
                 x[i + u - p_t,\, j + v - p_l] \; k[u, v]

    with ``x`` taken as 0 outside the image. The mode picks the frame:

    =======  ============================  ==============================  =====================
    mode     ``(p_t, p_l)``                output shape                    windows
    =======  ============================  ==============================  =====================
    'valid'  ``(0, 0)``                    ``(H - KH + 1, W - KW + 1)``    inside the image
    'same'   ``((KH-1)//2, (KW-1)//2)``    ``(H, W)``                      one per pixel
    'full'   ``(KH - 1, KW - 1)``          ``(H + KH - 1, W + KW - 1)``    overlap the image
    =======  ============================  ==============================  =====================

    For an even kernel 'same' pads one zero more at the bottom / right than
    at the top / left, as ``conv2d(padding='same')`` does.

    Parameters
    ----------
    image : array (H, W)
    kernel : array (KH, KW)
    mode : {'valid', 'same', 'full'}

    Returns
    -------
    ndarray, shape given by the table, dtype of image
    """
    image, kernel = _check_2d(image, kernel, mode)
    padding = _mode_padding(mode, *kernel.shape)
    return conv2d(image[None, None], kernel[None, None], padding=padding)[0, 0]


def convolve2d(image, kernel, mode="valid"):
    r"""Convolution (in the mathematical sense) of one 2-D image with one 2-D kernel.

    In the 'full' frame

    .. math::  z[i, j] = \sum_{u=0}^{KH-1} \sum_{v=0}^{KW-1} x[i - u,\, j - v] \; k[u, v],
               \qquad 0 \le i \le H + KH - 2, \; 0 \le j \le W + KW - 2,

    with ``x`` taken as 0 outside the image. The index of ``x`` runs
    *backwards* as ``u`` grows: convolution is cross-correlation with the
    kernel rotated by 180 degrees,
    ``convolve2d(x, k, mode) == correlate2d(x, k[::-1, ::-1], mode)`` in
    every mode. The other modes cut a window out of ``z``:

    - 'valid': ``y[i, j] = z[i + KH - 1, j + KW - 1]``,
      ``0 <= i <= H - KH`` (kernel entirely on the image);
    - 'same': ``y[i, j] = z[i + KH // 2, j + KW // 2]``, ``0 <= i < H``.

    Parameters
    ----------
    image : array (H, W)
    kernel : array (KH, KW)
    mode : {'valid', 'same', 'full'}

    Returns
    -------
    ndarray, same shape as :func:`correlate2d` gives for that mode
    """
    image, kernel = _check_2d(image, kernel, mode)
    return correlate2d(image, kernel[::-1, ::-1], mode)


def correlate2d_naive(image, kernel, mode="valid"):
    """Loop version of :func:`correlate2d`: pad, then one window per output pixel.

    Parameters
    ----------
    image : array (H, W)
    kernel : array (KH, KW)
    mode : {'valid', 'same', 'full'}

    Returns
    -------
    ndarray, shape as in :func:`correlate2d`
    """
    image, kernel = _check_2d(image, kernel, mode)
    kh, kw = kernel.shape
    g = conv_geometry(image.shape, (kh, kw), padding=mode, allow_full=True)
    top, bottom, left, right = g.pads
    padded = np.pad(image, ((top, bottom), (left, right)))
    out_h, out_w = g.output_size
    y = np.zeros((out_h, out_w), dtype=image.dtype)
    for i in range(out_h):
        for j in range(out_w):
            y[i, j] = np.sum(padded[i:i + kh, j:j + kw] * kernel)
    return y


def convolve2d_naive(image, kernel, mode="valid"):
    """Loop version of :func:`convolve2d`, straight from ``z[i, j] = sum x[i-u, j-v] k[u, v]``.

    Computes the 'full' result term by term, skipping the terms where
    ``x[i - u, j - v]`` falls outside the image, then cuts out the
    requested frame.

    Parameters
    ----------
    image : array (H, W)
    kernel : array (KH, KW)
    mode : {'valid', 'same', 'full'}

    Returns
    -------
    ndarray, shape as in :func:`correlate2d`
    """
    image, kernel = _check_2d(image, kernel, mode)
    (h, w), (kh, kw) = image.shape, kernel.shape
    z = np.zeros((h + kh - 1, w + kw - 1), dtype=image.dtype)
    for i in range(h + kh - 1):
        for j in range(w + kw - 1):
            for u in range(kh):
                for v in range(kw):
                    if 0 <= i - u < h and 0 <= j - v < w:
                        z[i, j] += image[i - u, j - v] * kernel[u, v]
    if mode == "full":
        return z
    if mode == "valid":
        return z[kh - 1:h, kw - 1:w]
    return z[kh // 2:kh // 2 + h, kw // 2:kw // 2 + w]
