"""What the filter bank shows, computed (no drawing, no widgets).

* :func:`filter_view` -- the feature map of one kernel, given as an array or
  typed as text (:func:`cnnedu.kernels.parse_kernel`), with the colour scale
  it is shown in.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._checks import as_float_array, check_ndim
from ..kernels import parse_kernel
from ..ops.conv import correlate2d
from .conv import check_input

__all__ = ["FilterView", "filter_view"]


class FilterView(NamedTuple):
    """What the filter bank shows for one kernel (see :func:`filter_view`)."""

    #: the image, (H, W)
    input: np.ndarray
    #: the kernel, (KH, KW), or None when its text cannot be read
    kernel: np.ndarray | None
    #: ``correlate2d(input, kernel, mode='same')``, (H, W), or None
    feature_map: np.ndarray | None
    #: why the kernel's text cannot be read ('' if it can)
    error: str
    #: True when the kernel or the map has a negative value: colours diverge from 0
    signed: bool
    #: colour limits of the map: ``(-m, m)``, ``m`` the 99th percentile of ``|y|``
    #: (signed), else ``(min, max)`` (widened to ``(min, min + 1)`` for a flat map);
    #: None without a kernel
    limits: tuple | None


def filter_view(x2d, kernel) -> FilterView:
    """The feature map of one kernel, with the colour scale it is shown in.

    Parameters
    ----------
    x2d : array (H, W)
    kernel : array (KH, KW), or str
        The weights, or their text as a reader types it (:func:`parse_kernel`).

    Returns
    -------
    FilterView
        ``feature_map`` is :func:`cnnedu.ops.conv.correlate2d` in 'same'
        mode, (H, W). Text that cannot be read gives ``kernel=None`` and the
        reason in ``error``, never an exception.
    """
    x2d = check_ndim(as_float_array(x2d, "x2d"), "x2d", 2, "(H, W)")
    if isinstance(kernel, str):
        try:
            kernel = parse_kernel(kernel)
        except ValueError as exc:
            return FilterView(x2d, None, None, str(exc), False, None)
    x2d, kernel = check_input(x2d, kernel)
    y = correlate2d(x2d, kernel, mode="same")
    if np.min(kernel) < 0 or np.min(y) < 0:
        m = float(np.percentile(np.abs(y), 99)) or 1.0
        return FilterView(x2d, kernel, y, "", True, (-m, m))
    lo, hi = float(y.min()), float(y.max())
    return FilterView(x2d, kernel, y, "", False, (lo, hi if hi > lo else lo + 1))
