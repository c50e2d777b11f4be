"""Data augmentation: random shifts of the training images.

- :func:`shift_images` moves images by whole pixels, filling what comes in
  from outside with a constant (no wrap-around): the same shift for every
  image, or one ``(dy, dx)`` per image;
- :class:`RandomShift` draws one shift per image from a seed and applies it;
  ``fit(..., augment=RandomShift(2, seed=0))`` shifts every training batch,
  never the validation data, ``evaluate`` or ``predict``.

A network trained on shifted copies of the digits sees each digit in many
positions, so it learns to recognise it wherever it sits, a tolerance that
pooling alone gives only for shifts of a pixel or so.
"""
from __future__ import annotations

import numbers

import numpy as np

from .._checks import as_float_array, as_generator, check_positive_int

__all__ = ["shift_images", "RandomShift"]


def _check_fill(fill) -> float:
    if isinstance(fill, bool) or not isinstance(fill, numbers.Real) or not np.isfinite(fill):
        raise TypeError(f"fill must be a finite number, got {fill!r}")
    return float(fill)


def _check_shift(value, name: str, n: int | None) -> np.ndarray:
    """An int, or (when ``n`` is given) an int array of shape (n,), as int64."""
    arr = np.asarray(value)
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"{name} must be an int or an array of ints (one per image), "
                        f"got {value!r}")
    if arr.ndim == 0:
        return arr.astype(np.int64)
    if n is None:
        raise ValueError(f"{name} must be an int for a single (H, W) image, got shape {arr.shape}")
    if arr.shape != (n,):
        raise ValueError(f"{name} must be an int or have one value per image, shape ({n},), "
                         f"got shape {arr.shape}")
    return arr.astype(np.int64)


def shift_images(x, dy, dx, fill: float = 0.0) -> np.ndarray:
    r"""Shift images by whole pixels, filling the uncovered border with ``fill``.

    .. math::
        y[n, c, i, j] = \begin{cases}
            x[n, c, i - dy_n, j - dx_n] & \text{if that pixel is inside the image} \\
            \text{fill} & \text{otherwise}
        \end{cases}

    Positive ``dy`` moves the content down, positive ``dx`` to the right;
    what leaves the image is lost (no wrap-around, unlike ``np.roll``).

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W), or any (N, ..., H, W), or one image (H, W)
        The images; the shift acts on the last two axes. Not modified.
    dy, dx : int or ndarray of int, shape (N,)
        Rows down and columns right; one int for all images, or one per image
        (along the first axis).
    fill : float
        The value of the pixels that come in from outside.

    Returns
    -------
    ndarray, same shape and dtype as ``x`` (float; integer input becomes float64)
    """
    x = as_float_array(x, "x")
    if x.ndim < 2:
        raise ValueError(f"x must be images with at least 2 axes (..., H, W), got shape "
                         f"{x.shape} ({x.ndim}-D)")
    n = x.shape[0] if x.ndim >= 3 else None
    dy = _check_shift(dy, "dy", n)
    dx = _check_shift(dx, "dx", n)
    fill = _check_fill(fill)
    H, W = x.shape[-2:]
    if dy.ndim == 0 and dx.ndim == 0:
        # one shift for all: copy the part that stays inside with two slices
        out = np.full_like(x, fill)
        a, b = int(dy), int(dx)
        if abs(a) < H and abs(b) < W:
            out[..., max(a, 0):H + min(a, 0), max(b, 0):W + min(b, 0)] = \
                x[..., max(-a, 0):H - max(a, 0), max(-b, 0):W - max(b, 0)]
        return out
    if n == 0:
        return x.copy()
    # one shift per image: gather every output pixel from its source pixel
    dy = np.broadcast_to(dy, (n,))
    dx = np.broadcast_to(dx, (n,))
    xs = x.reshape(n, -1, H, W)
    rows = np.arange(H)[None, :] - dy[:, None]          # (N, H) source row of each row
    cols = np.arange(W)[None, :] - dx[:, None]          # (N, W)
    inside = (((rows >= 0) & (rows < H))[:, :, None]
              & ((cols >= 0) & (cols < W))[:, None, :])  # (N, H, W)
    r = np.clip(rows, 0, H - 1)[:, None, :, None]
    c = np.clip(cols, 0, W - 1)[:, None, None, :]
    out = xs[np.arange(n)[:, None, None, None], np.arange(xs.shape[1])[None, :, None, None],
             r, c]
    np.copyto(out, fill, where=~inside[:, None])
    return out.reshape(x.shape)


class RandomShift:
    r"""Shift each image of a batch by a random whole-pixel ``(dy, dx)``.

    For every image, :math:`dy` and :math:`dx` are drawn independently and
    uniformly from :math:`\{-k, \dots, k\}` (:math:`k` = ``max_shift``), so
    :math:`(2k + 1)^2` shifts are equally likely, including none; the image is
    moved with :func:`shift_images`. Calling it returns a new array (the batch
    given is not modified) and advances its own random generator, so the same
    seed gives the same sequence of shifts.

    Use it in ``fit(X, y, augment=RandomShift(2, seed=0))``: each training
    batch is shifted before the forward pass; validation data, ``evaluate``
    and ``predict`` see the images as they are.

    Parameters
    ----------
    max_shift : int
        :math:`k \ge 0`, the largest shift in pixels along each axis.
    seed : int or numpy.random.Generator
        Seeds the shifts (a Generator is used as it is).
    fill : float
        The value of the pixels that come in from outside (0: a black background).

    Attributes
    ----------
    last_shifts : ndarray, shape (N, 2), or None
        The ``(dy, dx)`` of every image of the last batch.
    """

    def __init__(self, max_shift: int = 2, seed=0, fill: float = 0.0):
        self.max_shift = check_positive_int(max_shift, "max_shift", minimum=0)
        self.seed = seed
        self.rng = as_generator(seed, "seed")
        self.fill = _check_fill(fill)
        self.last_shifts = None

    def __call__(self, x) -> np.ndarray:
        """A shifted copy of the batch ``x``, shape (N, C, H, W) or (N, ..., H, W)."""
        x = as_float_array(x, "x")
        if x.ndim < 3:
            raise ValueError(f"x must be a batch of images (N, C, H, W), got shape {x.shape}")
        k = self.max_shift
        shifts = self.rng.integers(-k, k + 1, size=(len(x), 2))
        self.last_shifts = shifts
        return shift_images(x, shifts[:, 0], shifts[:, 1], self.fill)

    def __repr__(self) -> str:
        fill = f", fill={self.fill}" if self.fill else ""
        return f"RandomShift(max_shift={self.max_shift}, seed={self.seed!r}{fill})"
