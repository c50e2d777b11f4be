r"""Small computations that explain pooling (for the pooling chapter and its explorer).

The pooling operations themselves live in :mod:`cnnedu.ops.pool`; this module
holds what the book needs around them:

- :func:`window_coverage`: how many pooling windows cover each input cell;
- :func:`conv_multiply_adds`: the cost of a convolution layer, to see what
  pooling before it saves;
- :func:`pool_geometry_problem`: why a window, stride and padding do not fit
  an input, in words (or ``None`` when they do);
- :func:`pool_window`: the window, result and winner of one output cell
  (:func:`check_output_cell` checks the cell);
- :func:`pool_settings` and :func:`pool_view`: everything the pooling
  explorer shows, for one setting and then for one output cell of it;
  :func:`layer_winners`: the winning cell of every window, for a picture of
  the whole layer.

Geometry is that of :func:`cnnedu.ops.pool.max_pool2d`
(:func:`cnnedu.geometry.pool_geometry`): a ``k x k`` window moved by ``s``
over the input padded by ``p`` on each side, giving

.. math::  OH = \left\lfloor \frac{H + 2p - k}{s} \right\rfloor + 1

outputs per column (and ``OW`` likewise), with ``p <= k // 2``. The feature
map the chapter pools is a sample: ``cnnedu.samples.edge_map(cnnedu.samples.digit(1),
top=7, left=6, size=16)``.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._checks import as_float_array, as_pair, check_ndim, check_positive_int
from ..geometry import (Geometry, check_padding, conv_geometry, max_pool_padding,
                        pool_geometry)
from ..nn.summary import conv_macs
from ..ops.pool import avg_pool2d, max_pool2d

__all__ = ["window_coverage", "conv_multiply_adds", "pool_geometry_problem",
           "PoolWindow", "check_output_cell", "pool_window", "PoolSettings", "pool_settings",
           "pool_view", "layer_winners"]

_KINDS = ("max", "avg")


def _coverage_1d(n: int, k: int, s: int, p: int, outputs: int) -> np.ndarray:
    """Along one axis: how many of the windows ``[o*s - p, o*s - p + k)`` hold each cell."""
    starts = np.arange(outputs) * s - p
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
    problem, g = _checked_geometry(shape, size, stride, padding)
    if problem:
        raise ValueError(problem)
    return _coverage(g)


def _coverage(g: Geometry) -> np.ndarray:
    """:func:`window_coverage` of a geometry that fits, (H, W)."""
    return np.outer(_coverage_1d(g.H, g.kh, g.sh, g.ph, g.oh),
                    _coverage_1d(g.W, g.kw, g.sw, g.pw, g.ow))


def conv_multiply_adds(in_shape, filters: int, kernel_size, stride=1, padding=0) -> int:
    r"""Multiply-adds of a convolution layer on one ``(C, H, W)`` image (no bias additions).

    The output size comes from :func:`cnnedu.geometry.conv_geometry`, the
    count from :func:`cnnedu.nn.summary.conv_macs`.

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
    stride : int or (h, w) pair
    padding : int, (h, w) pair, 'valid' or 'same'

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
    g = conv_geometry((h, w), kernel_size, stride, padding)
    if g.empty:
        raise ValueError(f"kernel {g.KH}x{g.KW} does not fit a {h}x{w} input with padding "
                         f"{g.padding_text()}")
    return conv_macs(f, c, g.kernel_size, g.output_size)


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
    return _checked_geometry(shape, size, stride, padding)[0]


def _checked_geometry(shape, size, stride, padding) -> tuple[str | None, Geometry | None]:
    """``(problem, None)`` for a setting that does not fit, else ``(None, geometry)``."""
    h, w = as_pair(shape, "shape")
    kh, kw = as_pair(size, "size")
    if stride is not None:
        as_pair(stride, "stride")
    ph, pw = check_padding(padding, modes=())
    most = max_pool_padding((kh, kw))
    if ph > most[0] or pw > most[1]:
        p, half = (ph, most[0]) if ph > most[0] else (pw, most[1])
        return (f"padding {p} is more than half of the {kh}x{kw} window: a window could then "
                f"lie entirely in the padding, so padding must be at most k // 2 = {half}"), None
    g = pool_geometry((h, w), (kh, kw), stride, (ph, pw))
    for axis, n, k, p, padded in zip("HW", (h, w), (kh, kw), (ph, pw), g.padded_size):
        if padded < k:
            return (f"a {kh}x{kw} window does not fit the {h}x{w} input with padding {p}: "
                    f"it needs {axis} + 2p >= k, here {n} + 2*{p} = {padded} < {k}"), None
    return None, g


# --------------------------------------------------------------------------
# One window
# --------------------------------------------------------------------------

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


def _check_kind(kind) -> str:
    if kind not in _KINDS:
        raise ValueError(f"kind must be 'max' or 'avg', got {kind!r}")
    return kind


def _window(x2d: np.ndarray, g: Geometry, i: int, j: int, kind: str) -> PoolWindow:
    """:func:`pool_window` for a checked input, geometry, cell and kind (nothing padded)."""
    H, W = x2d.shape
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


def check_output_cell(i, j, output_size) -> tuple[int, int]:
    """Check that ``(i, j)`` is a cell of an output of ``output_size`` ``(OH, OW)``.

    Returns
    -------
    (int, int)

    Raises
    ------
    ValueError
        Naming the index, the value given and the range allowed, e.g.
        ``i must be an output row in 0..1 (the output is 2x2), got 2``.
    """
    oh, ow = output_size
    for name, v, n in (("i", i, oh), ("j", j, ow)):
        what = "row" if name == "i" else "column"
        if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or not 0 <= v < n:
            raise ValueError(f"{name} must be an output {what} in 0..{n - 1} "
                             f"(the output is {oh}x{ow}), got {v!r}")
    return int(i), int(j)


def pool_window(x2d, i, j, size, stride=None, padding=0, kind="max") -> PoolWindow:
    """The window, result and winner of one output cell ``(i, j)`` of a pooling layer.

    Same semantics as :func:`cnnedu.ops.pool.max_pool2d` /
    :func:`cnnedu.ops.pool.avg_pool2d` on a single channel: padded cells
    never win a max and count as zeros in an average.

    Parameters
    ----------
    x2d : array_like, shape (H, W)
        One channel.
    i, j : int
        Output position, ``0 <= i < OH`` and ``0 <= j < OW``.
    size, stride, padding
        As in :func:`cnnedu.ops.pool.max_pool2d`.
    kind : {'max', 'avg'}

    Returns
    -------
    PoolWindow
        ``window`` (kh, kw) with NaN on padding, ``inside`` mask, ``top_left``,
        ``value`` and (for max) ``argmax`` in input coordinates.

    Raises
    ------
    ValueError
        If the window does not fit, or ``(i, j)`` is not an output cell.
    """
    x2d = check_ndim(as_float_array(x2d, "x2d"), "x2d", 2, "(H, W)")
    _check_kind(kind)
    problem, g = _checked_geometry(x2d.shape, size, stride, padding)
    if problem:
        raise ValueError(problem)
    return _window(x2d, g, *check_output_cell(i, j, g.output_size), kind)


# --------------------------------------------------------------------------
# The pooling explorer
# --------------------------------------------------------------------------

class PoolSettings(NamedTuple):
    """One setting of the pooling explorer, computed once (see :func:`pool_settings`)."""

    #: the map pooled, (H, W)
    input: np.ndarray
    kind: str
    size: int
    stride: int
    padding: int
    #: why the setting has no output (plain text), or None
    problem: str | None
    #: the setting's geometry (None when ``problem``)
    geometry: Geometry | None
    #: the pooled map, (OH, OW) (None when ``problem``)
    output: np.ndarray | None
    #: how many windows hold each input cell, (H, W) (None when ``problem``)
    coverage: np.ndarray | None

    @property
    def last_cell(self) -> tuple[int, int] | None:
        """``(OH - 1, OW - 1)``: the largest output row and column, or None without output."""
        return None if self.problem else (self.geometry.oh - 1, self.geometry.ow - 1)


def pool_settings(x2d, kind: str, size: int, stride: int, padding: int) -> PoolSettings:
    """Pool a map once for one setting: geometry, output and coverage, or why it fails.

    Parameters
    ----------
    x2d : ndarray, shape (H, W)
        One channel, float.
    kind : {'max', 'avg'}
    size, stride, padding : int
        Window ``k``, stride ``s`` and padding ``p``.

    Returns
    -------
    PoolSettings
        ``output`` is :func:`cnnedu.ops.pool.max_pool2d` (or ``avg_pool2d``)
        of ``x2d``; a setting that does not fit has ``problem`` set (from
        :func:`pool_geometry_problem`) instead of raising.
    """
    x2d = check_ndim(as_float_array(x2d, "x2d"), "x2d", 2, "(H, W)")
    _check_kind(kind)
    problem, g = _checked_geometry(x2d.shape, size, stride, padding)
    if problem:
        return PoolSettings(x2d, kind, size, stride, padding, problem, None, None, None)
    y = (max_pool2d if kind == "max" else avg_pool2d)(x2d[None, None], size, stride, padding)
    return PoolSettings(x2d, kind, size, stride, padding, None, g, y[0, 0], _coverage(g))


def pool_view(settings: PoolSettings, row: int, col: int) -> dict:
    """What the pooling explorer shows for output cell ``(row, col)`` of a setting.

    Parameters
    ----------
    settings : PoolSettings
        From :func:`pool_settings`.
    row, col : int
        The output cell; clamped into the output (ignored when the setting
        has no output).

    Returns
    -------
    dict
        ``input`` (H, W), ``kind``, ``size``, ``stride``, ``padding``,
        ``valid``, ``problem``, ``output_size`` (OH, OW), ``output`` (OH, OW),
        ``cell`` (i, j), ``window`` (k, k; NaN on padding), ``inside`` (k, k),
        ``top_left``, ``value``, ``winner`` (input cell of the maximum, None
        for average pooling) and ``coverage`` (H, W); the entries that
        describe an output are None when the setting has none.
    """
    st = settings
    base = dict(input=st.input, kind=st.kind, size=st.size, stride=st.stride,
                padding=st.padding)
    if st.problem:
        return dict(base, valid=False, problem=st.problem, output_size=None, output=None,
                    cell=None, window=None, inside=None, top_left=None, value=None,
                    winner=None, coverage=None)
    g = st.geometry
    i, j = min(max(int(row), 0), g.oh - 1), min(max(int(col), 0), g.ow - 1)
    win = _window(st.input, g, i, j, st.kind)
    return dict(base, valid=True, problem=None, output_size=(g.oh, g.ow), output=st.output,
                cell=(i, j), window=win.window, inside=win.inside, top_left=win.top_left,
                value=win.value, winner=win.argmax, coverage=st.coverage)


def layer_winners(settings: PoolSettings) -> list[tuple[int, int]]:
    """The winning input cell of every window of a max-pooling setting (a picture of the layer).

    Parameters
    ----------
    settings : PoolSettings
        From :func:`pool_settings`.

    Returns
    -------
    list of (row, col)
        In input coordinates, sorted, each cell once (overlapping windows may
        share a winner); empty for average pooling or a setting with no output.
    """
    if settings.problem or settings.kind != "max":
        return []
    g = settings.geometry
    return sorted({_window(settings.input, g, i, j, "max").argmax
                   for i in range(g.oh) for j in range(g.ow)})
