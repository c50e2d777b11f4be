"""Drawing the receptive field of a stack of convolution and pooling layers (one axis).

:func:`draw_receptive_field` draws the tables of
:mod:`cnnedu.explain.receptive_field`; the units that feed the chosen unit
are filled in the footprint's orange (:data:`cnnedu.viz.conv.FOOTPRINT_COLOR`).
"""
from __future__ import annotations

import numpy as np
from matplotlib.collections import PolyCollection

from .base import check_axes
from .conv import FOOTPRINT_COLOR

__all__ = ["draw_receptive_field"]


def draw_receptive_field(ax, table, units, fontsize=9):
    """Draw how one unit of a stack of layers sees back to the input (one axis).

    Each layer is a row, the input at the bottom; a unit of layer ``l`` is a
    box centred on the centre of its receptive field in input coordinates
    (``start + t * jump``) and ``jump`` pixels wide, so that boxes line up
    with the input pixels they summarise. The units that feed the chosen
    top unit are filled orange; the input pixels among them form its
    receptive field.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    table : list of RFLayer
        From :func:`cnnedu.explain.receptive_field.receptive_field` (with ``input_size``).
    units : list of arrays of int
        From :func:`cnnedu.explain.receptive_field.receptive_field_units`, same length.
    fontsize : float

    Returns
    -------
    boxes : list of PolyCollection
        One per layer, input first.
    labels : list of Text
        The name, receptive field size ``r`` and jump ``J`` of each layer (``J``, as
        in the text, since ``j`` is the column index).
    """
    check_axes(ax)
    if len(table) != len(units) or any(row.out is None for row in table):
        raise ValueError("table must come from receptive_field(layers, input_size) and units "
                         "from receptive_field_units for the same layers (one entry per layer)")
    boxes, labels = [], []
    right = table[0].out + 0.3
    for level, (row, chosen) in enumerate(zip(table, units)):
        centres = row.start + row.jump * np.arange(row.out)
        half = 0.5 * row.jump - 0.06
        y0, y1 = level - 0.32, level + 0.32
        verts = [[(c - half, y0), (c + half, y0), (c + half, y1), (c - half, y1)] for c in centres]
        colours = np.full(row.out, "0.88", dtype=object)
        colours[np.asarray(chosen, dtype=int)] = FOOTPRINT_COLOR
        boxes.append(ax.add_collection(PolyCollection(verts, facecolors=list(colours),
                                                      edgecolors="0.35", linewidths=0.6)))
        what = "input" if level == 0 else f"{row.name} (k={row.k}, s={row.s})"
        labels.append(ax.text(right, level, f"{what}:  r = {row.size}, J = {row.jump}",
                              va="center", ha="left", fontsize=fontsize))
    ax.set_xlim(-1, table[0].out + 0.5)
    ax.set_ylim(-0.7, len(table) - 0.3)
    ax.set_yticks([])
    ax.set_xlabel("input pixel (one axis)")
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    return boxes, labels
