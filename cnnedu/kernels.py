r"""Classic image-processing kernels, by name.

Each kernel is a small 2-D array ``w`` of shape ``(KH, KW)`` meant for
:func:`cnnedu.ops.conv.correlate2d` (cross-correlation, the kernel is *not*
flipped):

.. math::  y[i, j] = \sum_{u=0}^{KH-1} \sum_{v=0}^{KW-1} x[i + u, j + v] \, w[u, v].

The signs of the edge detectors follow that convention: ``sobel_x`` is
positive where the image gets brighter from left to right. With true
convolution (:func:`cnnedu.ops.conv.convolve2d`, kernel rotated by 180 degrees)
the signs of the antisymmetric kernels (Sobel, Prewitt) flip.

======================  ==============================================================
name                    what it does / detects
======================  ==============================================================
``identity``            nothing: returns the image unchanged
``box_blur_3x3``        blur: the mean of the 3x3 neighbourhood
``box_blur_5x5``        stronger blur: the mean of the 5x5 neighbourhood
``gaussian_3x3``        smooth blur, centre weighted (binomial, sigma about 0.71)
``gaussian_5x5``        smooth blur, centre weighted (binomial, sigma = 1)
``sharpen``             sharpening: the image minus its Laplacian
``sobel_x``             horizontal change of brightness: vertical edges
``sobel_y``             vertical change of brightness: horizontal edges
``prewitt_x``           like ``sobel_x`` with equal weights across rows
``prewitt_y``           like ``sobel_y`` with equal weights across columns
``laplacian_4``         second derivative (4 neighbours): edges and fine detail, any direction
``laplacian_8``         second derivative (8 neighbours, diagonals too)
======================  ==============================================================

A kernel typed as text, one row per line, is read by :func:`parse_kernel`
and written by :func:`format_kernel`.

>>> get_kernel("sobel_x")
array([[-1.,  0.,  1.],
       [-2.,  0.,  2.],
       [-1.,  0.,  1.]])
"""
from __future__ import annotations

import numbers
import re

import numpy as np

from ._checks import as_float_array, check_ndim

__all__ = ["KERNEL_DESCRIPTIONS", "kernel_names", "get_kernel", "describe_kernel",
           "gaussian_kernel", "MAX_KERNEL_SIDE", "parse_kernel", "format_kernel"]


def gaussian_kernel(size: int, sigma: float) -> np.ndarray:
    r"""A sampled, normalised 2-D Gaussian: a smooth blur.

    .. math::  w[u, v] \propto \exp\!\left(-\frac{(u - c)^2 + (v - c)^2}{2\sigma^2}\right),
               \qquad c = \frac{\text{size} - 1}{2},

    scaled so that the weights sum to 1 (a constant image stays constant).

    Parameters
    ----------
    size : int
        Odd side length ``k >= 1`` (odd, so the kernel has a centre pixel).
    sigma : float
        Standard deviation in pixels, ``> 0``. The weights fall to about 1%
        of the centre's at ``3 sigma``; choose ``size`` near ``6 sigma + 1``.

    Returns
    -------
    ndarray, shape (size, size), float64
        Non-negative weights summing to 1, symmetric under flips and
        transposition.

    Examples
    --------
    >>> gaussian_kernel(3, 1.0).round(3)
    array([[0.075, 0.124, 0.075],
           [0.124, 0.204, 0.124],
           [0.075, 0.124, 0.075]])
    """
    if not isinstance(size, numbers.Integral) or isinstance(size, bool):
        raise TypeError(f"size must be an odd positive int, got {size!r} ({type(size).__name__})")
    if size < 1 or size % 2 == 0:
        raise ValueError(f"size must be an odd positive int (so the kernel has a centre), "
                         f"got {size}")
    if not isinstance(sigma, numbers.Real) or isinstance(sigma, bool) or not np.isfinite(sigma) \
            or sigma <= 0:
        raise ValueError(f"sigma must be a positive number of pixels, got {sigma!r}")
    c = (size - 1) / 2
    t = np.arange(size) - c
    g = np.exp(-t ** 2 / (2.0 * float(sigma) ** 2))
    w = np.outer(g, g)
    return w / w.sum()


def _binomial(n: int) -> np.ndarray:
    row = np.array([1.0])
    for _ in range(n - 1):
        row = np.convolve(row, [1.0, 1.0])
    w = np.outer(row, row)
    return w / w.sum()


_LAPLACIAN_4 = np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], dtype=float)
_IDENTITY = np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], dtype=float)
_SOBEL_X = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=float)
_PREWITT_X = np.array([[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]], dtype=float)

_KERNELS = {
    "identity": _IDENTITY,
    "box_blur_3x3": np.full((3, 3), 1 / 9),
    "box_blur_5x5": np.full((5, 5), 1 / 25),
    "gaussian_3x3": _binomial(3),          # [1 2 1]^T [1 2 1] / 16
    "gaussian_5x5": _binomial(5),          # [1 4 6 4 1]^T [1 4 6 4 1] / 256
    "sharpen": _IDENTITY - _LAPLACIAN_4,   # [[0 -1 0] [-1 5 -1] [0 -1 0]]
    "sobel_x": _SOBEL_X,
    "sobel_y": _SOBEL_X.T.copy(),
    "prewitt_x": _PREWITT_X,
    "prewitt_y": _PREWITT_X.T.copy(),
    "laplacian_4": _LAPLACIAN_4,
    "laplacian_8": np.array([[1, 1, 1], [1, -8, 1], [1, 1, 1]], dtype=float),
}
for _w in _KERNELS.values():
    _w.setflags(write=False)

#: What each preset does or detects, one sentence each (same keys as the presets).
KERNEL_DESCRIPTIONS = {
    "identity": "Leaves the image unchanged: a single 1 at the centre.",
    "box_blur_3x3": "Blurs: each output is the mean of the 3x3 neighbourhood (weights 1/9).",
    "box_blur_5x5": "Blurs more: the mean of the 5x5 neighbourhood (weights 1/25).",
    "gaussian_3x3": ("Smooth blur weighting the centre most: [1 2 1]^T [1 2 1] / 16, "
                     "a Gaussian of sigma about 0.71 sampled on 3x3."),
    "gaussian_5x5": ("Smooth blur: [1 4 6 4 1]^T [1 4 6 4 1] / 256, "
                     "a Gaussian of sigma 1 sampled on 5x5."),
    "sharpen": ("Sharpens: the image minus its 4-neighbour Laplacian, which "
                "exaggerates differences between a pixel and its neighbours."),
    "sobel_x": ("Horizontal change of brightness, so vertical edges: positive where the "
                "image gets brighter from left to right, smoothed over 3 rows (1 2 1)."),
    "sobel_y": ("Vertical change of brightness, so horizontal edges: positive where the "
                "image gets brighter from top to bottom, smoothed over 3 columns (1 2 1)."),
    "prewitt_x": "Like sobel_x (vertical edges) with equal weights on the 3 rows (1 1 1).",
    "prewitt_y": "Like sobel_y (horizontal edges) with equal weights on the 3 columns (1 1 1).",
    "laplacian_4": ("Second derivative, the sum of the 4 neighbours minus 4 times the centre: "
                    "zero on flat areas and linear ramps, large on both sides of an edge "
                    "and on fine detail, in every direction."),
    "laplacian_8": ("Second derivative with the diagonals: the sum of the 8 neighbours "
                    "minus 8 times the centre."),
}


def kernel_names() -> list[str]:
    """The names of the preset kernels, in the order of the module's table.

    Returns
    -------
    list of str
    """
    return list(_KERNELS)


def _check_name(name) -> str:
    if not isinstance(name, str) or name not in _KERNELS:
        raise ValueError(f"unknown kernel {name!r}; the presets are: {', '.join(_KERNELS)}")
    return name


def get_kernel(name: str) -> np.ndarray:
    """A preset kernel by name (a fresh, writable float64 copy).

    Parameters
    ----------
    name : str
        One of :func:`kernel_names` (see the module's table).

    Returns
    -------
    ndarray, shape (KH, KW), float64
        3x3 for every preset except ``box_blur_5x5`` and ``gaussian_5x5``
        (5x5).

    Raises
    ------
    ValueError
        If ``name`` is not a preset; the message lists the presets.
    """
    return _KERNELS[_check_name(name)].copy()


def describe_kernel(name: str) -> str:
    """One sentence saying what the preset kernel ``name`` does or detects.

    Parameters
    ----------
    name : str
        One of :func:`kernel_names`.

    Returns
    -------
    str
    """
    return KERNEL_DESCRIPTIONS[_check_name(name)]


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
