"""Cells drawn fast for the explorers: a mesh coloured in place, and outlines of rectangles.

Cell ``(r, c)`` of an array is the unit square centred on ``(x, y) = (c, r)``,
row 0 at the top, so cells outside an array (padding) have negative indices
(or indices ``>= H``). :class:`CellGrid` colours cells of a fixed mesh in
place (no image resampling); :class:`Outlines` outlines rectangles of cells
in a few fixed styles with two ``LineCollection`` s. The pooling pictures of
:mod:`cnnedu.viz.pool` and :mod:`cnnedu.viz.pool_explorer` are drawn with them
and with the helpers below: the colours of cells (:func:`cmap_and_norm`,
:func:`cell_colours`), the numbers written in them (:func:`cell_fontsize`,
:func:`write_cell_labels`), outlines of cell regions as paths
(:func:`frame_path`, :func:`cells_path`) and the checks the pictures share.
"""
from __future__ import annotations

import matplotlib
import numpy as np
from matplotlib.collections import LineCollection, QuadMesh
from matplotlib.colors import Normalize, to_rgba
from matplotlib.path import Path

from .._checks import as_float_array, check_ndim
from .base import OKABE_ITO, cmap_and_limits
from .text import text_colours

__all__ = ["CellGrid", "Outlines", "WINDOW_COLOR", "WINNER_COLOR", "MIN_FONTSIZE"]

#: Outline of the current window and of the current output cell.
WINDOW_COLOR = "black"
#: Outline of the winning cell of a max-pooling window (Okabe-Ito yellow,
#: drawn over a wider black line so that it shows on any colour).
WINNER_COLOR = OKABE_ITO["yellow"]
#: Below this size (points) numbers are not written: the cells are too small.
MIN_FONTSIZE = 5.0
_BORDER_RGBA = to_rgba("0.55")
_PAD_RGBA = to_rgba("0.86")


def check_map(x2d, name):
    """``x2d`` as a 2-D float array (H, W), or a ``ValueError`` naming ``name``."""
    return check_ndim(as_float_array(x2d, name), name, 2, "(H, W)")


def check_artists(artists, kind, drawn_by):
    """A ``TypeError`` unless ``artists`` is a ``kind`` (the tuple that ``drawn_by`` returns)."""
    if not isinstance(artists, kind):
        raise TypeError(f"artists must be the {kind.__name__} returned by {drawn_by}, "
                        f"got {type(artists).__name__}")


def cmap_and_norm(arr, cmap, vmin, vmax):
    """The colour map and ``Normalize`` to colour the cells of ``arr`` (H, W) with.

    As :func:`cnnedu.viz.cmap_and_limits`, with limits over the finite values
    of ``arr`` when none are given (widened by 1 each way if they are equal).
    """
    finite = arr[np.isfinite(arr)]
    cmap, vmin, vmax = cmap_and_limits(arr, cmap, vmin, vmax)
    if vmin is None and vmax is None and finite.size:
        vmin, vmax = float(finite.min()), float(finite.max())
    if vmin is not None and vmax is not None and not vmin < vmax:
        vmin, vmax = vmin - 1.0, vmax + 1.0
    cm = matplotlib.colormaps[cmap] if isinstance(cmap, str) else cmap
    return cm, Normalize(vmin=vmin, vmax=vmax)


def cell_colours(values, cfg):
    """RGBA colours (..., 4) of ``values`` with ``cfg['cmap']`` and ``cfg['norm']``.

    NaN values (padding) are light grey.
    """
    rgba = np.asarray(cfg["cmap"](cfg["norm"](values)), dtype=float)
    rgba[np.isnan(values)] = _PAD_RGBA
    return rgba


def cell_fontsize(ax, n_cells, longest):
    """Points at which a label of ``longest`` characters fits a cell of an axes n cells wide."""
    width_in = ax.get_position().width * ax.figure.get_size_inches()[0]
    cell = 72 * width_in / max(n_cells, 1)
    return float(min(1.5 * cell / max(longest, 1), 0.42 * cell, 12.0))


def write_cell_labels(cell_labels, positions, labels, rgba, fontsize):
    """Write ``labels`` at ``positions`` over cells of colours ``rgba``; nothing if too small.

    ``cell_labels`` is a :class:`~cnnedu.viz.text.LabelLayer`; below
    :data:`MIN_FONTSIZE` points it is cleared. Returns whether labels were written.
    """
    if fontsize < MIN_FONTSIZE or not labels:
        cell_labels.clear()
        return False
    cell_labels.set(positions, labels, text_colours(rgba), fontsize)
    return True


def prepare_axes(ax, title):
    """Switch ``ax``'s frame and ticks off, make its cells square and set its title if any."""
    ax.set_axis_off()
    ax.set_aspect("equal")
    if title:
        ax.set_title(title)


def frame_path(top, left, bottom, right, ph, pw):
    """The padding: the rectangle of the padded map minus that of the map."""
    outer = [(left - pw, top - ph), (right + pw, top - ph), (right + pw, bottom + ph),
             (left - pw, bottom + ph), (left - pw, top - ph)]
    inner = [(left, top), (left, bottom), (right, bottom), (right, top), (left, top)]
    codes = [Path.MOVETO] + [Path.LINETO] * 3 + [Path.CLOSEPOLY]
    return Path(outer + inner, codes * 2)


def cells_path(cells):
    """One path made of the unit squares of ``cells`` (``(row, col)`` pairs)."""
    squares = [[(c - 0.5, r - 0.5), (c + 0.5, r - 0.5), (c + 0.5, r + 0.5),
                (c - 0.5, r + 0.5), (c - 0.5, r - 0.5)] for r, c in cells]
    if not squares:
        return Path(np.zeros((1, 2)))
    codes = [Path.MOVETO] + [Path.LINETO] * 3 + [Path.CLOSEPOLY]
    return Path(np.concatenate(squares), codes * len(squares))


class CellGrid:
    """Cells of a fixed rectangular mesh, coloured in place (a ``QuadMesh``).

    The mesh covers rows ``r0 .. r1 - 1`` and columns ``c0 .. c1 - 1`` (cell
    ``(r, c)`` centred on ``(c, r)``); :meth:`show` colours a block of it and
    leaves the rest transparent. If a block falls outside the mesh, the mesh
    is rebuilt larger (rare: size it for the largest block at draw time).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    rows, cols : (start, stop) pairs of ints
        Extent of the mesh, in cell indices.
    borders : bool, default True
        Draw thin grey borders around the coloured cells.

    Notes
    -----
    The cells are coloured directly (:meth:`show` takes RGBA colours);
    :meth:`set_scale` records on the mesh the colour map and norm those
    colours came from, so that ``fig.colorbar(grid.mesh)`` draws their scale.
    """

    MARGIN = 0.06   # cells of blank around the block, so that border lines are not cut

    def __init__(self, ax, rows, cols, borders: bool = True):
        self.ax, self.borders = ax, borders
        self.mesh = None
        self.block = (0, 0, 0, 0)      # top, left, height, width of the coloured block
        self._shown = None
        self._build(rows, cols)

    def _build(self, rows, cols):
        old = self.mesh
        if old is not None:
            old.remove()
        self.rows, self.cols = (int(rows[0]), int(rows[1])), (int(cols[0]), int(cols[1]))
        ys, xs = np.meshgrid(np.arange(rows[0], rows[1] + 1) - 0.5,
                             np.arange(cols[0], cols[1] + 1) - 0.5, indexing="ij")
        self.mesh = QuadMesh(np.stack([xs, ys], axis=-1), antialiased=False,
                             linewidth=0.5 if self.borders else 0, zorder=1)
        if old is not None:
            self.set_scale(old.get_cmap(), old.norm)
        self.ax.add_collection(self.mesh, autolim=False)

    def set_scale(self, cmap, norm) -> None:
        """Record the colour map and norm the cells' colours come from (for a colour bar)."""
        self.mesh.set_cmap(cmap)
        self.mesh.set_norm(norm)

    def show(self, rgba, top: int = 0, left: int = 0) -> None:
        """Colour rows ``top .. top + h - 1``, columns ``left .. left + w - 1`` with ``rgba``."""
        rgba = np.asarray(rgba, dtype=float)
        h, w = rgba.shape[:2]
        if self.block == (top, left, h, w) and np.array_equal(rgba, self._shown):
            return      # nothing changed: keep the artists as they are
        self._shown = rgba.copy()
        if (top < self.rows[0] or top + h > self.rows[1]
                or left < self.cols[0] or left + w > self.cols[1]):
            self._build((min(top, self.rows[0]), max(top + h, self.rows[1])),
                        (min(left, self.cols[0]), max(left + w, self.cols[1])))
        R, C = self.rows[1] - self.rows[0], self.cols[1] - self.cols[0]
        faces = np.zeros((R, C, 4))
        r, c = top - self.rows[0], left - self.cols[0]
        faces[r:r + h, c:c + w] = rgba
        self.mesh.set_facecolor(faces.reshape(-1, 4))
        if self.borders:
            edges = np.zeros((R, C, 4))
            edges[r:r + h, c:c + w] = _BORDER_RGBA
            self.mesh.set_edgecolor(edges.reshape(-1, 4))
        self.block = (int(top), int(left), int(h), int(w))
        m = 0.5 + self.MARGIN
        self.ax.set_xlim(left - m, left + w - 1 + m)
        self.ax.set_ylim(top + h - 1 + m, top - m)


def _square_segments(rects):
    """Closed outlines of rectangles given as ``(row, col, height, width)`` in cells."""
    segs = []
    for r, c, h, w in rects:
        x0, y0, x1, y1 = c - 0.5, r - 0.5, c + w - 0.5, r + h - 0.5
        segs.append([(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)])
    return segs


class Outlines:
    """Rectangles outlined in a few fixed styles, drawn by two ``LineCollection`` s.

    Styles, drawn in this order (later ones on top): ``windows`` (every pooling
    window, thin grey), ``windows_bold`` (every window, black, for a picture
    of the whole layer), ``next`` (dashed), ``current`` (thick black),
    ``winner`` (yellow over a wider black rim). Rectangles are
    ``(row, col, height, width)`` in cells.

    Attributes
    ----------
    rects : dict
        Style name -> list of the rectangles currently outlined in it.
    collection, dashed : matplotlib.collections.LineCollection
        The solid outlines, and the dashed one (``next``).
    """

    STYLES = {  # name: (colours, line widths) -- two entries for the winner's rim
        "windows": (["0.35"], [0.6]),
        "windows_bold": ([WINDOW_COLOR], [1.8]),
        "next": ([WINDOW_COLOR], [1.3]),
        "current": ([WINDOW_COLOR], [2.8]),
        "winner": (["black", WINNER_COLOR], [4.4, 2.2]),
    }
    DASHED = ("next",)

    def __init__(self, ax, zorder: float = 2):
        self.rects = {name: [] for name in self.STYLES}
        self._segments = {name: [] for name in self.STYLES}
        # two collections: one dash pattern per collection keeps drawing cheap
        self.collection = ax.add_collection(LineCollection([], zorder=zorder), autolim=False)
        self.dashed = ax.add_collection(LineCollection([], zorder=zorder, linestyle=(0, (4, 3))),
                                        autolim=False)

    def set(self, **rects) -> None:
        """Outline these rectangles (by style name); styles not named keep theirs."""
        unknown = set(rects) - set(self.STYLES)
        if unknown:
            raise ValueError(f"unknown outline styles {sorted(unknown)}; "
                             f"allowed: {list(self.STYLES)}")
        for name, value in rects.items():
            value = [tuple(int(v) for v in r) for r in value]
            if value != self.rects[name]:
                self.rects[name] = value
                self._segments[name] = _square_segments(value)
        for coll, dashed in ((self.collection, False), (self.dashed, True)):
            segments, colours, widths = [], [], []
            for name, (cols, lws) in self.STYLES.items():
                if (name in self.DASHED) != dashed:
                    continue
                for colour, lw in zip(cols, lws):
                    segs = self._segments[name]
                    segments += segs
                    colours += [colour] * len(segs)
                    widths += [lw] * len(segs)
            coll.set_segments(segments)
            coll.set_color(colours or ["none"])
            coll.set_linewidth(widths or [0])
