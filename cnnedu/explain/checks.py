"""Checks and sizes of the one-image, one-channel convolutions the backpropagation chapter
works with (:mod:`cnnedu.explain.backprop`, :mod:`cnnedu.explain.conv_backward`,
:mod:`cnnedu.explain.learn`, :mod:`cnnedu.explain.routing`)."""
from __future__ import annotations

import numpy as np

from .._checks import as_float_array, check_ndim
from ..geometry import Geometry, check_padding, conv_geometry

__all__ = ["single_geometry", "axis_names", "check_2d"]


def single_geometry(input_size, kernel_size, stride, padding, dilation):
    """Sizes of a single-channel convolution with symmetric int padding; raise if it is empty.

    A dict of the :class:`cnnedu.geometry.Geometry`'s one-axis names (H, W, KH, KW, sh, sw,
    ph, pw, dh, dw, Hp, Wp, OH, OW), as the chapter's code reads them.
    """
    try:
        padding = check_padding(padding, modes=())
    except TypeError as exc:
        if not isinstance(padding, str):
            raise
        raise TypeError(f"{exc} (use cnnedu.geometry.resolve_padding to turn {padding!r} into "
                        f"numbers)") from None
    g = conv_geometry(input_size, kernel_size, stride, padding, dilation)
    if g.empty:
        raise ValueError(f"kernel {g.KH}x{g.KW} (extent {g.EH}x{g.EW}) does not fit a "
                         f"{g.H}x{g.W} input with padding {g.padding_text()}: the padded input "
                         f"is {g.Hp}x{g.Wp}")
    return axis_names(g)


def axis_names(g: Geometry) -> dict:
    """The one-axis sizes of ``g`` as a dict (H, W, KH, KW, sh, sw, ph, pw, dh, dw, Hp, Wp,
    OH, OW)."""
    return {name: getattr(g, name) for name in
            ("H", "W", "KH", "KW", "sh", "sw", "ph", "pw", "dh", "dw", "Hp", "Wp", "OH", "OW")}


def check_2d(a, name: str, layout: str) -> np.ndarray:
    """``a`` as a 2-D float array (:func:`cnnedu._checks.as_float_array`), or a clear error.

    ``name`` is the argument's name and ``layout`` its axes, e.g. ``'(H, W)'``, for the
    message; float32 stays float32, ints become float64.
    """
    return check_ndim(as_float_array(a, name), name, 2, layout)
