r"""Max pooling's backward pass: where each pooled cell's gradient goes.

Pure functions (numpy and :mod:`cnnedu` ops only, no drawing):

* :func:`max_pool_routing` -- where max pooling sends each cell's gradient.
* :func:`maxpool_routing_view` -- what the routing explorer shows for one
  setting of its controls (the *compute* step of
  :mod:`cnnedu.widgets.routing`), with :func:`upstream_gradient`.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._checks import check_positive_int
from ..geometry import Geometry, pool_geometry
from ..ops.pool import max_pool2d, max_pool2d_backward
from .checks import check_2d
from .pool import pool_geometry_problem

__all__ = ["MaxPoolRouting", "max_pool_routing", "UPSTREAMS", "upstream_gradient",
           "maxpool_routing_view"]


class MaxPoolRouting(NamedTuple):
    """Where max pooling sends each output cell's gradient (see :func:`max_pool_routing`)."""

    #: pooled output (OH, OW)
    output: np.ndarray
    #: int (OH, OW, 2): input (row, col) of each window's maximum (the first one on a tie)
    winners: np.ndarray
    #: dL/dx (H, W), from :func:`cnnedu.ops.pool.max_pool2d_backward`
    dx: np.ndarray
    #: int (H, W): how many windows each input cell wins
    wins: np.ndarray
    #: number of windows whose maximum is shared by several cells
    ties: int


def max_pool_routing(x, dy, size, stride=None, padding=0) -> MaxPoolRouting:
    r"""Max pooling's backward pass, made visible.

    Output cell :math:`(i, j)` passes its whole gradient :math:`dy[i, j]` to
    the cell of its window holding the maximum (the first in reading order
    on a tie, as :func:`numpy.argmax`); every other cell of the window gets
    nothing from it, and a cell that wins several overlapping windows adds
    up their gradients.

    Parameters
    ----------
    x : array_like, shape (H, W)
        One feature map.
    dy : array_like, shape (OH, OW)
        Upstream gradient.
    size, stride, padding
        As in :func:`cnnedu.ops.pool.max_pool2d` (stride defaults to size).

    Returns
    -------
    MaxPoolRouting
        ``output``, ``winners`` (OH, OW, 2), ``dx`` (H, W), ``wins`` (H, W),
        ``ties``.
    """
    x = check_2d(x, "x", "(H, W)")
    dy = check_2d(dy, "dy", "(OH, OW)")
    y = max_pool2d(x[None, None], size, stride, padding)[0, 0]
    if dy.shape != y.shape:
        raise ValueError(f"dy must have the pooled output's shape (OH, OW) = {y.shape}, "
                         f"got {dy.shape}")
    return _routing(x, dy, y, pool_geometry(x.shape, size, stride, padding))


def _routing(x, dy, y, g: Geometry) -> MaxPoolRouting:
    """:func:`max_pool_routing` of checked arrays: ``y`` is the pooled ``x``, ``g`` its geometry."""
    (kh, kw), (sh, sw), (ph, pw) = g.kernel_size, g.stride, (g.ph, g.pw)
    xp = np.pad(x, ((ph, ph), (pw, pw)), constant_values=-np.inf) if ph or pw else x
    oh, ow = y.shape
    win = np.lib.stride_tricks.sliding_window_view(xp, (kh, kw))[::sh, ::sw][:oh, :ow]
    flat = win.reshape(oh, ow, kh * kw)
    k = flat.argmax(axis=-1)
    rows = np.arange(oh)[:, None] * sh + k // kw - ph
    cols = np.arange(ow)[None, :] * sw + k % kw - pw
    winners = np.stack([rows, cols], axis=-1)
    ties = int(np.count_nonzero((flat == y[..., None]).sum(axis=-1) > 1))
    wins = np.zeros(x.shape, dtype=int)
    np.add.at(wins, (rows.ravel(), cols.ravel()), 1)
    dx = max_pool2d_backward(dy[None, None], x[None, None], g.kernel_size, g.stride,
                             (ph, pw))[0, 0]
    return MaxPoolRouting(y, winners, dx, wins, ties)


#: the upstream gradients of :func:`maxpool_routing_view` (see :func:`upstream_gradient`)
UPSTREAMS = ("ones", "random")

def upstream_gradient(kind: str, shape) -> np.ndarray:
    """The upstream gradient ``dL/dy`` of the routing explorer, shape ``(OH, OW)``.

    ``'ones'``: all ones; ``'random'``: standard normal numbers (seed 0)
    rounded to one decimal, the same for the same shape.
    """
    if kind == "ones":
        return np.ones(shape)
    if kind == "random":
        return np.round(np.random.default_rng(0).standard_normal(shape), 1)
    raise ValueError(f"upstream must be 'ones' or 'random', got {kind!r}")


def maxpool_routing_view(x, size, stride, upstream="ones") -> dict:
    """What the max-pooling routing explorer shows for one setting of its controls.

    Max pooling of ``x`` with a ``size x size`` window and stride ``stride``
    (no padding), the upstream gradient :func:`upstream_gradient` and its
    routing (:func:`max_pool_routing`, with ``dx`` from
    :func:`cnnedu.ops.pool.max_pool2d_backward`). The geometry is computed
    once; a window larger than the map is explained (``valid`` False), not
    raised.

    Parameters
    ----------
    x : array_like, shape (H, W)
    size, stride : int, >= 1
    upstream : {'ones', 'random'}

    Returns
    -------
    dict
        ``input``, ``size``, ``stride``, ``upstream``, ``valid``, ``problem``
        (a sentence, or None), ``output_size`` ``(OH, OW)`` (``(0, 0)`` if
        none), ``output``, ``dy`` (OH, OW), ``dx`` (H, W), ``winners``
        (OH, OW, 2), ``wins`` (H, W) and ``ties``; None when there is no
        output.
    """
    x = check_2d(x, "x", "(H, W)")
    size = check_positive_int(size, "size")
    stride = check_positive_int(stride, "stride")
    if upstream not in UPSTREAMS:
        raise ValueError(f"upstream must be 'ones' or 'random', got {upstream!r}")
    view = dict(input=x, size=size, stride=stride, upstream=upstream)
    g = pool_geometry(x.shape, size, stride)
    if g.empty:
        return dict(view, valid=False, problem=pool_geometry_problem(x.shape, size, stride),
                    output_size=(0, 0), output=None, dy=None, dx=None, winners=None, wins=None,
                    ties=None)
    dy = upstream_gradient(upstream, g.output_size)
    R = _routing(x, dy, max_pool2d(x[None, None], size, stride)[0, 0], g)
    return dict(view, valid=True, problem=None, output_size=g.output_size, output=R.output,
                dy=dy, dx=R.dx, winners=R.winners, wins=R.wins, ties=R.ties)
