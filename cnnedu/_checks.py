"""Argument checks shared by every public function of :mod:`cnnedu`.

Each helper either returns a cleaned-up value or raises a ``TypeError`` /
``ValueError`` whose message names the argument, the value that was given and
what is allowed, so a reader never meets a numpy traceback from deep inside.
"""
from __future__ import annotations

import numbers

import numpy as np

__all__ = ["as_pair", "as_float_array", "check_ndim", "check_positive_int", "check_index",
           "float_dtype", "as_generator"]


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def check_positive_int(value, name: str, *, minimum: int = 1) -> int:
    """Return ``value`` as an int, checking it is an integer ``>= minimum``."""
    if not _is_int(value):
        raise TypeError(f"{name} must be an int, got {value!r} ({type(value).__name__})")
    if value < minimum:
        what = "a positive int" if minimum == 1 else f"an int >= {minimum}"
        raise ValueError(f"{name} must be {what}, got {value}")
    return int(value)


def as_pair(value, name: str, *, minimum: int = 1) -> tuple[int, int]:
    """Turn an int or an ``(h, w)`` pair into a pair of ints ``>= minimum``.

    >>> as_pair(2, "stride")
    (2, 2)
    >>> as_pair((1, 3), "stride")
    (1, 3)
    """
    what = "a positive int or (h, w) pair" if minimum == 1 else (
        "a non-negative int or (h, w) pair" if minimum == 0
        else f"an int >= {minimum} or (h, w) pair")
    if _is_int(value):
        pair = (int(value), int(value))
    elif isinstance(value, (tuple, list)) and len(value) == 2 and all(_is_int(v) for v in value):
        pair = (int(value[0]), int(value[1]))
    else:
        raise TypeError(f"{name} must be {what}, got {value!r}")
    if min(pair) < minimum:
        raise ValueError(f"{name} must be {what}, got {value!r}")
    return pair


def as_float_array(x, name: str) -> np.ndarray:
    """Return ``x`` as a floating-point ndarray.

    float32 and float64 arrays are returned as they are (no copy); integer and
    boolean arrays become float64; anything else is a ``TypeError``.
    """
    try:
        arr = np.asarray(x)
    except Exception as exc:  # ragged lists and other oddities
        raise TypeError(f"{name} must be an array of numbers, got {type(x).__name__}") from exc
    if arr.dtype == object and arr.size:
        raise TypeError(f"{name} must be an array of numbers, got an object array")
    if np.issubdtype(arr.dtype, np.floating):
        return arr
    if np.issubdtype(arr.dtype, np.integer) or arr.dtype == bool or arr.size == 0:
        return arr.astype(np.float64)
    raise TypeError(f"{name} must be an array of real numbers, got dtype {arr.dtype}")


def check_index(v, name: str, n: int, what: str, detail: str) -> int:
    """Check that ``v`` is an int index in ``0 .. n - 1`` and return it as an int.

    ``what`` and ``detail`` go in the message, e.g. ``'an output row'`` and
    ``'the output is 3x4'``: "i must be an output row in 0..2 (the output
    is 3x4), got 5".
    """
    if not isinstance(v, numbers.Integral) or isinstance(v, bool) or not 0 <= v < n:
        raise ValueError(f"{name} must be {what} in 0..{n - 1} ({detail}), got {v!r}")
    return int(v)


def check_ndim(arr: np.ndarray, name: str, ndim: int, layout: str) -> np.ndarray:
    """Check ``arr.ndim == ndim``; ``layout`` describes the axes, e.g. ``'(N, C, H, W)'``."""
    if arr.ndim != ndim:
        raise ValueError(
            f"{name} must be a {ndim}-D array {layout}, got shape {arr.shape} ({arr.ndim}-D)")
    return arr


def float_dtype(dtype, name: str = "dtype") -> np.dtype:
    """Return ``dtype`` as a ``numpy.dtype``, checking it is float32 or float64.

    The two float types every function of :mod:`cnnedu` works in. Anything
    else (integers, float16, a name numpy does not know) is a ``TypeError``.

    >>> float_dtype("float32")
    dtype('float32')
    """
    try:
        dt = np.dtype(dtype)
    except TypeError:
        dt = None
    if dt is None or dt not in (np.float32, np.float64):
        raise TypeError(f"{name} must be 'float32' or 'float64', got {dtype!r}")
    return dt


def as_generator(rng, name: str = "rng") -> np.random.Generator:
    """A ``numpy.random.Generator`` from a Generator, a non-negative int seed or ``None``.

    A Generator is returned as it is (so it advances as it is used); an int
    seeds a new one; ``None`` means seed 0, so results stay reproducible.
    Anything else is a ``TypeError``.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None:
        return np.random.default_rng(0)
    if _is_int(rng) and rng >= 0:
        return np.random.default_rng(int(rng))
    raise TypeError(f"{name} must be a numpy.random.Generator, a non-negative int seed or None, "
                    f"got {rng!r}")
