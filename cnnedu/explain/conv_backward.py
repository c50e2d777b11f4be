r"""The gradients a convolution sends back, as the chapter's explorer shows them.

Pure functions (numpy and :mod:`cnnedu` ops only, no drawing):

* :func:`pixel_contributions` -- which output cells and kernel taps meet a
  chosen input pixel; :func:`conv_gradients` -- the gradients a single-channel
  convolution sends back for the loss "one output cell" or "sum of all cells".
* :func:`conv_backward_view` -- what the convolution-gradient explorer shows
  for one setting of its controls (the *compute* step of
  :mod:`cnnedu.widgets.conv_backward`), with :func:`output_cell_range`.

The formulas behind them (the gradients as correlations) are in
:mod:`cnnedu.explain.backprop`.
"""
from __future__ import annotations

import html
from typing import NamedTuple

import numpy as np

from .._checks import check_positive_int
from ..geometry import conv_geometry
from ..ops.conv import conv2d, conv2d_backward
from .checks import axis_names, check_2d, single_geometry
from .conv import geometry as explained_geometry

__all__ = ["PixelContributions", "pixel_contributions", "ConvGradients", "conv_gradients",
           "CONV_LOSSES", "output_cell_range", "conv_backward_view"]


# --------------------------------------------------------------------------
# Which outputs meet an input pixel
# --------------------------------------------------------------------------

class PixelContributions(NamedTuple):
    """Where input pixel ``(r, c)`` is used (see :func:`pixel_contributions`)."""

    #: the input pixel (r, c)
    pixel: tuple
    #: int array (n, 4): each row (i, j, u, v) says output (i, j) read the pixel through tap (u, v)
    pairs: np.ndarray
    #: bool (OH, OW): the output cells whose window contains the pixel
    outputs: np.ndarray
    #: bool (KH, KW): the kernel taps that ever meet the pixel
    taps: np.ndarray


def _axis_pairs(r, p, k, s, d, o):
    """(output index, tap) pairs along one axis with ``i s + u d = r + p``."""
    u = np.arange(k)
    num = r + p - u * d
    ok = (num >= 0) & (num % s == 0) & (num // s < o)
    return num[ok] // s, u[ok]


def pixel_contributions(input_size, kernel_size, pixel, stride=1, padding=0, dilation=1):
    r"""The output cells and kernel taps that meet input pixel ``(r, c)``.

    Output ``(i, j)`` reads input pixel ``(r, c)`` through tap ``(u, v)``
    when :math:`i s + u d = r + p` and :math:`j s + v d = c + p` (padded
    coordinates). The chain rule therefore gives

    .. math::  \frac{\partial L}{\partial x}[r, c] = \sum_{(i, j, u, v)} dy[i, j]\; w[u, v]

    over exactly these quadruples. With stride 1 and no dilation there are up
    to ``KH * KW`` of them, one per tap; a stride larger than 1 leaves some
    taps out, and pixels near the border or skipped by the stride have fewer
    (possibly none).

    Parameters
    ----------
    input_size : (H, W)
    kernel_size : int or (KH, KW)
    pixel : (r, c)
        0-based input coordinates, ``0 <= r < H``, ``0 <= c < W``.
    stride, padding, dilation : int or pair (padding: zeros on each side)

    Returns
    -------
    PixelContributions
        ``pairs`` (n, 4) int rows ``(i, j, u, v)`` in reading order of
        ``(i, j)``; ``outputs`` (OH, OW) bool; ``taps`` (KH, KW) bool.
    """
    g = single_geometry(input_size, kernel_size, stride, padding, dilation)
    if (not isinstance(pixel, (tuple, list)) or len(pixel) != 2
            or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool)
                       for v in pixel)):
        raise TypeError(f"pixel must be a pair of ints (r, c), got {pixel!r}")
    r, c = int(pixel[0]), int(pixel[1])
    if not (0 <= r < g["H"] and 0 <= c < g["W"]):
        raise ValueError(f"pixel must lie in the {g['H']}x{g['W']} input, "
                         f"0 <= r < {g['H']} and 0 <= c < {g['W']}, got {(r, c)}")
    return _contributions(g, r, c)


def _contributions(g, r: int, c: int) -> PixelContributions:
    """:func:`pixel_contributions` of a checked pixel, for a geometry read as ``g[name]``."""
    i, u = _axis_pairs(r, g["ph"], g["KH"], g["sh"], g["dh"], g["OH"])
    j, v = _axis_pairs(c, g["pw"], g["KW"], g["sw"], g["dw"], g["OW"])
    I, J = np.meshgrid(i, j, indexing="ij")
    U, V = np.meshgrid(u, v, indexing="ij")
    pairs = np.stack([I.ravel(), J.ravel(), U.ravel(), V.ravel()], axis=1).astype(int)
    pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))] if len(pairs) else pairs.reshape(0, 4)
    outputs = np.zeros((g["OH"], g["OW"]), dtype=bool)
    taps = np.zeros((g["KH"], g["KW"]), dtype=bool)
    outputs[pairs[:, 0], pairs[:, 1]] = True
    taps[pairs[:, 2], pairs[:, 3]] = True
    return PixelContributions((r, c), pairs, outputs, taps)


class ConvGradients(NamedTuple):
    """Forward output and gradients of one single-channel convolution (:func:`conv_gradients`)."""

    #: output y (OH, OW)
    y: np.ndarray
    #: the loss: y[i, j] for one cell, or the sum of y
    loss: float
    #: dL/dy (OH, OW): one-hot at the chosen cell, or all ones
    dy: np.ndarray
    #: dL/dx (H, W)
    dx: np.ndarray
    #: dL/dw (KH, KW)
    dw: np.ndarray
    #: dL/db (a float)
    db: float


def conv_gradients(x, w, stride=1, padding=0, cell=None) -> ConvGradients:
    r"""Gradients of :math:`L = y[i, j]` (one cell) or :math:`L = \sum y` (all cells).

    ``y = conv2d(x, w, stride=stride, padding=padding)`` for one grey image
    and one kernel; the gradients come from :func:`cnnedu.ops.conv.conv2d_backward`
    with ``dL/dy`` one-hot at ``cell`` or, for ``cell=None``, all ones.

    Parameters
    ----------
    x : array_like, shape (H, W)
    w : array_like, shape (KH, KW)
    stride, padding : int or pair
    cell : (i, j) or None
        The output cell the loss is, or None for the sum of every cell.

    Returns
    -------
    ConvGradients
        ``y`` (OH, OW), ``loss``, ``dy`` (OH, OW), ``dx`` (H, W),
        ``dw`` (KH, KW), ``db``.
    """
    x = check_2d(x, "x", "(H, W)")
    w = check_2d(w, "w", "(KH, KW)")
    x4, w4 = x[None, None], w[None, None]
    cols: dict = {}                     # the padded input's windows, shared with the backward pass
    y = conv2d(x4, w4, stride=stride, padding=padding, cache=cols)[0, 0]
    dy = np.zeros_like(y)
    if cell is None:
        dy[...] = 1.0
        loss = float(y.sum())
    else:
        if (not isinstance(cell, (tuple, list)) or len(cell) != 2
                or not all(isinstance(v, (int, np.integer)) for v in cell)):
            raise TypeError(f"cell must be None or a pair of ints (i, j), got {cell!r}")
        i, j = int(cell[0]), int(cell[1])
        if not (0 <= i < y.shape[0] and 0 <= j < y.shape[1]):
            raise ValueError(f"cell must lie in the {y.shape[0]}x{y.shape[1]} output, got {(i, j)}")
        dy[i, j] = 1.0
        loss = float(y[i, j])
    dx, dw, db = conv2d_backward(dy[None, None], x4, w4, stride=stride, padding=padding,
                                 cache=cols)
    return ConvGradients(y, loss, dy, dx[0, 0], dw[0, 0], float(db[0]))

# --------------------------------------------------------------------------
# What the explorers show
# --------------------------------------------------------------------------

#: the losses of :func:`conv_backward_view`: one output cell, or the sum of all cells
CONV_LOSSES = ("cell", "sum")

def _check_index(value, name: str, size: int, what: str) -> int:
    """``value`` as an int index ``0 <= value < size`` into ``what``, or a clear error."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int index into the {what}, got {value!r}")
    if not 0 <= value < size:
        raise ValueError(f"{name} must be an index into the {what}, 0 to {size - 1}, "
                         f"got {value}")
    return int(value)


def output_cell_range(input_size, kernel_size, stride=1, padding=0, loss="cell") -> int | None:
    """The largest output cell ``i * OW + j`` the loss "one cell" can take, or None.

    ``OH * OW - 1`` for ``loss='cell'``; ``None`` (no cell to choose) for
    ``loss='sum'`` or when the kernel does not fit. The geometry is that of
    :func:`conv_backward_view` (:func:`cnnedu.geometry.conv_geometry`, cached).

    Parameters
    ----------
    input_size : (H, W)
    kernel_size : (KH, KW)
    stride, padding : int
    loss : {'cell', 'sum'}
    """
    if loss not in CONV_LOSSES:
        raise ValueError(f"loss must be 'cell' or 'sum', got {loss!r}")
    g = conv_geometry(input_size, kernel_size, stride, padding)
    return None if loss == "sum" or g.empty else g.OH * g.OW - 1


def conv_backward_view(x, w, stride=1, padding=0, loss="sum", cell=0, pixel=0) -> dict:
    r"""What the convolution-gradient explorer shows for one setting of its controls.

    ``y = conv2d(x, w, stride, padding)`` for one grey image and one kernel,
    the loss :math:`L = y[i, j]` (``loss='cell'``, so ``dL/dy`` is one-hot)
    or :math:`L = \sum y` (``'sum'``, ``dL/dy`` all ones), its gradients from
    :func:`cnnedu.ops.conv.conv2d_backward` (:func:`conv_gradients`) and the
    (output cell, tap) pairs that meet input pixel ``(r, c)``
    (:func:`pixel_contributions`). The geometry is computed once; a kernel
    that does not fit is explained (``valid`` False), not raised.

    Parameters
    ----------
    x : array_like, shape (H, W)
    w : array_like, shape (KH, KW)
    stride : int, >= 1
    padding : int, >= 0
        Zeros on each side.
    loss : {'cell', 'sum'}
    cell : int
        The output cell ``i * OW + j`` of the loss 'cell' (ignored for 'sum'
        and when there is no output), ``0 <= cell < OH * OW``.
    pixel : int
        The traced input pixel ``r * W + c``, ``0 <= pixel < H * W``.

    Returns
    -------
    dict
        ``input`` (H, W), ``kernel`` (KH, KW), ``stride``, ``padding``,
        ``loss``, ``pixel`` ``(r, c)``, ``valid``, ``problem`` (why there is no
        output, or None), ``output_size`` ``(OH, OW)`` (``(0, 0)`` if none),
        ``y``, ``dy`` (OH, OW), ``dx`` (H, W), ``dw`` (KH, KW), ``db``,
        ``cell`` ``(i, j)`` (None for the sum), ``pairs`` (n, 4) rows
        ``(i, j, u, v)``, ``outputs`` (OH, OW) and ``taps`` (KH, KW) masks,
        and ``notes``: sentences about the geometry, as HTML text. The arrays
        are None when there is no output.
    """
    x = check_2d(x, "x", "(H, W)")
    w = check_2d(w, "w", "(KH, KW)")
    stride = check_positive_int(stride, "stride")
    padding = check_positive_int(padding, "padding", minimum=0)
    if loss not in CONV_LOSSES:
        raise ValueError(f"loss must be 'cell' or 'sum', got {loss!r}")
    H, W = x.shape
    r, c = divmod(_check_index(pixel, "pixel", H * W, f"{H}x{W} input (r * W + c)"), W)
    g = explained_geometry(H, W, *w.shape, stride=stride, padding=padding)
    view = dict(input=x, kernel=w, stride=stride, padding=padding, loss=loss, pixel=(r, c))
    if g.empty:
        return dict(view, valid=False, problem=f"{g.explanation}.", output_size=(0, 0), y=None,
                    dy=None, dx=None, dw=None, db=None, cell=None, pairs=None, outputs=None,
                    taps=None, notes=[])
    OH, OW = g.output_size
    chosen = None if loss == "sum" else divmod(
        _check_index(cell, "cell", OH * OW, f"{OH}x{OW} output (i * OW + j)"), OW)
    grads = conv_gradients(x, w, stride, padding, chosen)
    met = _contributions(axis_names(g), r, c)
    return dict(view, valid=True, problem=None, output_size=(OH, OW), y=grads.y, dy=grads.dy,
                dx=grads.dx, dw=grads.dw, db=grads.db, cell=chosen, pairs=met.pairs,
                outputs=met.outputs, taps=met.taps, notes=_conv_notes(g, met))


def _conv_notes(g, met: PixelContributions) -> list[str]:
    """Sentences (HTML text) on what the geometry ``g`` leaves with zero gradient."""
    (r, c), s, p = met.pixel, g.sh, g.ph
    notes = []
    if not len(met.pairs):
        notes.append(f"Pixel ({r}, {c}) lies in no window: it never reaches the output, "
                     "so its gradient is 0.")
    once = [name for name, o, n, k in (("down", g.OH, g.H, g.KH), ("across", g.OW, g.W, g.KW))
            if o == 1 and s > 1 and s > n + 2 * p - k]
    if once:
        notes.append(f"With stride {s} a second window would start at row or column {s}, "
                     f"beyond the padded input ({g.H + 2 * p}&times;{g.W + 2 * p}): the kernel "
                     f"fits only once {' and '.join(once)}, and every pixel outside that "
                     "window gets zero gradient.")
    elif s > g.KH or s > g.KW:
        notes.append(f"The stride ({s}) is larger than the kernel ({g.KH}&times;{g.KW}): "
                     "windows skip pixels, and a skipped pixel gets zero gradient.")
    elif g.note:
        notes.append(html.escape(g.note[0].upper() + g.note[1:]) + "; their pixels get "
                     "zero gradient.")
    return notes

