"""Small inputs the chapters and explorers share: real digits, crops, edge maps, photo crops.

Each function returns a fresh float64 array cut from the data shipped with
the package (:mod:`cnnedu.data`), the same every time, so a chapter, an
explorer and a test that ask for the same sample see the same numbers. The
computations that *explain* something (:mod:`cnnedu.explain`) take arrays
and load nothing; their callers pass a sample from here.

===========================  ==========================================================
:func:`digit`                one real digit, 28 x 28, or a ``size x size`` crop of it
:func:`digits`               the first ``n`` digits of a split as a batch ``(n, 1, H, W)``
:func:`edge_map`             the edge map of an image ('valid' cross-correlation with
                             a kernel, Sobel x by default), or a crop of it
:func:`photo_crops`          ``n`` crops of the grey sample photo as a batch
:data:`SOBEL_X`              the horizontal Sobel kernel
:data:`PHOTO_CROPS`          where :func:`photo_crops` cuts
===========================  ==========================================================

The samples the book uses::

    digit(0, "train", top=4, left=9, size=10)        # the top of the loop of a 2, 10 x 10
    edge_map(digit(0))                               # Sobel x of a 6: 26 x 26 signed values
    edge_map(digit(1), top=7, left=6, size=16)       # Sobel x of a 7, 16 x 16: to pool
    digits(8, "train"), photo_crops(8)               # inputs of the kernel-learning problem
"""
from __future__ import annotations

import numpy as np

from ._checks import as_float_array, check_ndim, check_positive_int
from .data import load_digits, load_sample_image
from .kernels import get_kernel
from .ops.conv import correlate2d

__all__ = ["SOBEL_X", "PHOTO_CROPS", "digit", "digits", "edge_map", "photo_crops"]

#: The horizontal Sobel kernel (``get_kernel('sobel_x')``, read-only): responds to
#: vertical edges, positive where the image gets brighter from left to right.
SOBEL_X = get_kernel("sobel_x")
SOBEL_X.setflags(write=False)

#: Top-left corners (row, column) of the crops :func:`photo_crops` cuts from the
#: grey sample photo downsampled to 150 x 128.
PHOTO_CROPS = ((10, 10), (10, 60), (40, 30), (60, 90), (90, 20), (100, 70), (120, 40), (30, 95))


def _crop(a: np.ndarray, top, left, size, what: str) -> np.ndarray:
    """The ``size x size`` block of the last two axes of ``a`` starting at ``(top, left)``.

    ``size=None`` keeps everything from ``(top, left)`` to the bottom-right
    corner. ``what`` names the array in error messages (``'the digit'``).
    """
    h, w = a.shape[-2:]
    top = check_positive_int(top, "top", minimum=0)
    left = check_positive_int(left, "left", minimum=0)
    if size is None:
        for name, value, n in (("top", top, h), ("left", left, w)):
            if value >= n:
                raise ValueError(f"{name} must be less than {n} ({what} is {h}x{w}), "
                                 f"got {name}={value}")
        return a[..., top:, left:].copy()
    size = check_positive_int(size, "size")
    for name, value, n in (("top", top, h), ("left", left, w)):
        if value + size > n:
            raise ValueError(f"{name} + size must be at most {n} ({what} is {h}x{w}), "
                             f"got {name}={value}, size={size}")
    return a[..., top:top + size, left:left + size].copy()


def digit(index: int = 0, split: str = "test", *, top: int = 0, left: int = 0,
          size: int | None = None) -> np.ndarray:
    """One real MNIST digit of ``load_digits(split)``, or a square crop of it.

    Parameters
    ----------
    index : int, default 0
        Which digit of the split (test digit 0 is a 6, test digit 1 a 7,
        training digit 0 a 2).
    split : {'test', 'train'}, default 'test'
    top, left : int, default 0
        Top-left corner of the crop.
    size : int, optional
        Side of the crop (``top + size <= 28``, ``left + size <= 28``);
        default: everything from ``(top, left)`` on, the whole digit if both
        are 0.

    Returns
    -------
    ndarray, shape (size, size) (the whole digit: (28, 28)), float64
        Grey levels in [0, 1], 0 the background and 1 full ink.

    Examples
    --------
    >>> digit(0, "train", top=4, left=9, size=10).shape
    (10, 10)
    """
    X, _ = load_digits(split, dtype="float64")
    index = check_positive_int(index, "index", minimum=0)
    if index >= len(X):
        raise ValueError(f"index must be an int in 0..{len(X) - 1}, got {index}")
    return _crop(X[index, 0], top, left, size, "the digit")


def digits(n: int = 8, split: str = "test", *, top: int = 0, left: int = 0,
           size: int | None = None) -> np.ndarray:
    """The first ``n`` digits of ``load_digits(split)`` as a batch, each cropped alike.

    Parameters
    ----------
    n : int, default 8
        Number of digits, at most the size of the split (8,000 / 2,000).
    split : {'test', 'train'}, default 'test'
    top, left, size : int
        The crop, as in :func:`digit`; by default the whole 28 x 28 digits.

    Returns
    -------
    ndarray, shape (n, 1, size, size), float64
        In the NCHW layout of :func:`cnnedu.ops.conv.conv2d`.
    """
    X, _ = load_digits(split, dtype="float64")
    n = check_positive_int(n, "n")
    if n > len(X):
        raise ValueError(f"n must be at most {len(X)} digits (the {split} split), got {n}")
    return _crop(X[:n], top, left, size, "each digit")


def edge_map(image, kernel="sobel_x", *, top: int = 0, left: int = 0,
             size: int | None = None) -> np.ndarray:
    """The edge map of a grey image: its 'valid' cross-correlation with a kernel, or a crop.

    With the default Sobel x kernel the map is positive where the image gets
    brighter from left to right and negative where it gets darker; for an
    image in [0, 1] the values lie in [-4, 4].

    Parameters
    ----------
    image : array_like, shape (H, W)
        E.g. ``digit(1)`` or the grey sample photo.
    kernel : str or array_like (KH, KW), default ``'sobel_x'``
        A name known to :func:`cnnedu.kernels.get_kernel` or the kernel itself.
    top, left, size : int
        Crop of the map, as in :func:`digit`; by default the whole map.

    Returns
    -------
    ndarray, shape (H - KH + 1, W - KW + 1), or (size, size) if cropped
        ``correlate2d(image, kernel)`` (:func:`cnnedu.ops.conv.correlate2d`),
        in the dtype of ``image`` (float64 for integer images).

    Examples
    --------
    >>> edge_map(np.tile([0.0, 0.0, 1.0, 1.0], (3, 1)))   # a step up to the right
    array([[4., 4.]])
    """
    image = check_ndim(as_float_array(image, "image"), "image", 2, "(H, W)")
    if isinstance(kernel, str):
        kernel = get_kernel(kernel)
    kernel = check_ndim(as_float_array(kernel, "kernel"), "kernel", 2, "(KH, KW)")
    (h, w), (kh, kw) = image.shape, kernel.shape
    if h < kh or w < kw:
        raise ValueError(f"image must be at least as large as the {kh}x{kw} kernel, "
                         f"got shape {image.shape}")
    return _crop(correlate2d(image, kernel), top, left, size, "the edge map")


def photo_crops(n: int = 8, size: int = 28) -> np.ndarray:
    """``n`` square crops of the grey sample photo (downsampled to 150 x 128) as a batch.

    The crops start at the first ``n`` corners of :data:`PHOTO_CROPS`: patches
    of face, cap, uniform and background, with edges in every direction.

    Parameters
    ----------
    n : int, default 8
        Number of crops, 1 to ``len(PHOTO_CROPS)`` (8).
    size : int, default 28
        Side of each crop, at most 30 (so that every crop fits the photo).

    Returns
    -------
    ndarray, shape (n, 1, size, size), float64
        Grey levels in [0, 1], NCHW.
    """
    n = check_positive_int(n, "n")
    if n > len(PHOTO_CROPS):
        raise ValueError(f"n must be at most {len(PHOTO_CROPS)} photo crops, got {n}")
    size = check_positive_int(size, "size")
    photo = load_sample_image(gray=True, downsample=4)
    h, w = photo.shape
    largest = min(min(h - r, w - c) for r, c in PHOTO_CROPS)
    if size > largest:
        raise ValueError(f"size must be at most {largest} (every crop must fit the {h}x{w} "
                         f"photo), got {size}")
    return np.stack([photo[r:r + size, c:c + size] for r, c in PHOTO_CROPS[:n]])[:, None]
