"""Building blocks of the explorers' panels: value maps, their padding, cell outlines, labels.

Each function takes a matplotlib ``Axes`` (or an artist it made) and arrays;
the ``update_*`` / ``set_*`` twins change the artists in place (``set_data``,
``set_segments``), so an explorer never draws a panel twice. Colours follow
:mod:`cnnedu.viz`: signed values (gradients, kernels) with the diverging
:data:`~cnnedu.viz.SIGNED_CMAP` centred at zero, images in grey. Used by the
explorers of :mod:`cnnedu.viz.conv_backward`, :mod:`cnnedu.viz.learn` and
:mod:`cnnedu.viz.routing`, and by :func:`cnnedu.viz.backprop.show_gradient_check`.
"""
from __future__ import annotations

import matplotlib
import matplotlib.colors as mcolors
import numpy as np
from matplotlib.collections import LineCollection

from .._checks import check_positive_int
from .base import HIGHLIGHT_COLOR, IMAGE_CMAP, SIGNED_CMAP, as_2d, check_axes, cmap_and_limits, \
    signed_cmap_limits
from .text import MINUS, LabelLayer, cell_text_colours, number_formatter

__all__ = ["PAD_COLOR", "SIGNED_PAD_COLOR", "signed_map", "update_signed_map", "set_image",
           "same_image", "with_padding", "padded_cmap", "padded_map", "update_padded_map",
           "fixed_box", "cell_outlines", "set_cell_outlines", "bare_axes", "set_grid_labels",
           "spines", "invalidate"]

#: colour of zero padding around an image drawn in grey (a pale blue: no grey level)
PAD_COLOR = "#cfe3f3"
#: colour of zero padding around signed values drawn with the diverging map (a
#: grey: pale blue would read as a small negative value)
SIGNED_PAD_COLOR = "0.72"


# ------------------------------------------------------------------ heatmaps
def _extent(shape):
    h, w = shape
    return (-0.5, w - 0.5, h - 0.5, -0.5)


def signed_map(ax, array, title=None, vmax=None):
    """Draw signed values (a gradient, a kernel) with the diverging map centred at 0.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    array : array_like, shape (H, W)
    title : str, optional
    vmax : float, optional
        Colour limits ``(-vmax, vmax)``; by default ``max |array|``
        (:func:`cnnedu.viz.signed_cmap_limits`).

    Returns
    -------
    matplotlib.image.AxesImage
        Update it with :func:`update_signed_map`.
    """
    check_axes(ax)
    arr = as_2d(array, "array")
    lo, hi = signed_cmap_limits(arr) if vmax is None else (-float(vmax), float(vmax))
    im = ax.imshow(arr, cmap=SIGNED_CMAP, vmin=lo, vmax=hi, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title is not None:
        ax.set_title(title)
    return im


def update_signed_map(im, array, vmax=None):
    """Show new signed values in an image of :func:`signed_map`, in place.

    The shape may change (the axes limits follow); the colour limits become
    ``(-vmax, vmax)``, by default ``max |array|``.

    Returns
    -------
    the same AxesImage
    """
    arr = as_2d(array, "array")
    lo, hi = signed_cmap_limits(arr) if vmax is None else (-float(vmax), float(vmax))
    set_image(im, arr)
    im.set_clim(lo, hi)
    return im


def set_image(im, arr):
    """Show ``arr`` (H, W) in image ``im`` in place; the axes limits follow a new shape."""
    if im.get_array().shape != arr.shape:
        im.set_extent(_extent(arr.shape))
        im.axes.set_xlim(-0.5, arr.shape[1] - 0.5)
        im.axes.set_ylim(arr.shape[0] - 0.5, -0.5)
        im.axes.apply_aspect()          # settle the limits (or box) now, not at the next draw
    im.set_data(arr)


def fixed_box(ax, color="0.15", linewidth=0.8):
    """Keep ``ax``'s box where it is whatever the shape of the image drawn in it.

    The box becomes square and the data limits, not the box, adapt to a new
    image shape (``adjustable='datalim'``), so a panel whose array changes
    shape does not move -- an explorer can then keep the rest of the figure
    as a cached background. The axes frame is replaced by an outline around
    the image, to be set with :func:`set_cell_outlines` (one rectangle at
    ``(0, 0)`` of the image's height and width).

    Returns
    -------
    matplotlib.collections.LineCollection
        The outline.
    """
    check_axes(ax)
    ax.set_box_aspect(1)
    ax.set_adjustable("datalim")
    ax.set_frame_on(False)
    outline = cell_outlines(ax, color, linewidth, zorder=2.5)
    outline.set_clip_on(False)          # it runs along the edge of the axes
    return outline


def with_padding(arr, pad):
    """``arr`` (H, W) inside ``pad = (ph, pw)`` rows and columns of NaN (the padding's cells)."""
    ph, pw = pad
    out = np.full((arr.shape[0] + 2 * ph, arr.shape[1] + 2 * pw), np.nan)
    out[ph:ph + arr.shape[0], pw:pw + arr.shape[1]] = arr
    return out


def _pad_pair(pad):
    if isinstance(pad, (int, np.integer)) and not isinstance(pad, bool):
        pad = (int(pad), int(pad))
    if (not isinstance(pad, (tuple, list)) or len(pad) != 2
            or not all(isinstance(p, (int, np.integer)) and p >= 0 for p in pad)):
        raise ValueError(f"pad must be a non-negative int or (ph, pw) pair, got {pad!r}")
    return int(pad[0]), int(pad[1])


def padded_cmap(cmap=IMAGE_CMAP):
    """``cmap`` (a name or a Colormap) drawing NaN cells, the padding, in :data:`PAD_COLOR`
    (:data:`SIGNED_PAD_COLOR` for the diverging :data:`~cnnedu.viz.SIGNED_CMAP`)."""
    cm = matplotlib.colormaps[cmap] if isinstance(cmap, str) else cmap
    return cm.with_extremes(bad=SIGNED_PAD_COLOR if cm.name == SIGNED_CMAP else PAD_COLOR)


def padded_map(ax, array, pad=0, cmap=None, vmin=None, vmax=None, title=None):
    """Draw an image with its zero padding shown as a pale blue border.

    Pixel ``(r, c)`` of ``array`` is drawn at ``(r + ph, c + pw)``: the axes
    use the coordinates of the padded input ``x_p``.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    array : array_like, shape (H, W)
    pad : int or (ph, pw)
        Rows / columns of padding on each side.
    cmap : str or Colormap, optional
        By default grey (:data:`~cnnedu.viz.IMAGE_CMAP`), or the diverging
        :data:`~cnnedu.viz.SIGNED_CMAP` (padding in grey,
        :data:`SIGNED_PAD_COLOR`) if the array holds a negative value; see
        :func:`cnnedu.viz.cmap_and_limits`.
    vmin, vmax : float, optional
        Colour limits; by default the array's range, symmetric about 0 for
        the diverging map.
    title : str, optional

    Returns
    -------
    matplotlib.image.AxesImage
        Update it with :func:`update_padded_map`.
    """
    check_axes(ax)
    arr = as_2d(array, "array")
    cmap, vmin, vmax = cmap_and_limits(arr, cmap, vmin, vmax)
    cm = padded_cmap(cmap)
    vmin = float(np.min(arr)) if vmin is None else vmin
    vmax = float(np.max(arr)) if vmax is None else vmax
    if vmax <= vmin:
        vmax = vmin + 1.0
    im = ax.imshow(with_padding(arr, _pad_pair(pad)), cmap=cm, vmin=vmin, vmax=vmax,
                   interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title is not None:
        ax.set_title(title)
    return im


def update_padded_map(im, array, pad=0):
    """New values or padding for an image of :func:`padded_map`, in place."""
    set_image(im, with_padding(as_2d(array, "array"), _pad_pair(pad)))
    return im


# ------------------------------------------------------------------ outlines
def cell_outlines(ax, color=HIGHLIGHT_COLOR, linewidth=2.0, linestyle="solid", zorder=3):
    """An (empty) set of cell outlines on ``ax``; fill it with :func:`set_cell_outlines`.

    Returns
    -------
    matplotlib.collections.LineCollection
    """
    check_axes(ax)
    lc = LineCollection([], colors=[mcolors.to_rgba(color)], linewidths=linewidth,
                        linestyles=linestyle, zorder=zorder)
    ax.add_collection(lc)
    return lc


def set_cell_outlines(outlines, cells, height=1, width=1):
    """Outline the rectangles of ``height x width`` cells whose top-left cells are ``cells``.

    Cell ``(r, c)`` of an image covers ``[c - 0.5, c + 0.5] x [r - 0.5, r + 0.5]``.

    Parameters
    ----------
    outlines : LineCollection
        From :func:`cell_outlines`.
    cells : array_like of int, shape (n, 2)
        ``(row, col)`` of each rectangle's top-left cell; may be empty.
    height, width : int

    Returns
    -------
    the same LineCollection
    """
    height = check_positive_int(height, "height")
    width = check_positive_int(width, "width")
    cells = np.asarray(cells, dtype=float).reshape(-1, 2)
    r0, c0 = cells[:, 0] - 0.5, cells[:, 1] - 0.5
    r1, c1 = r0 + height, c0 + width
    polys = np.stack([np.stack([c0, r0], -1), np.stack([c1, r0], -1), np.stack([c1, r1], -1),
                      np.stack([c0, r1], -1), np.stack([c0, r0], -1)], axis=1)
    outlines.set_segments(list(polys))
    return outlines

# ------------------------------------------------------------------ fast text
# A matplotlib Text costs about a millisecond to render; an explorer redraws
# its whole figure on every change. Its titles and the numbers in its cells
# are therefore drawn by :mod:`cnnedu.viz.text` (PanelTitles, LabelLayer).

def bare_axes(ax):
    """Hide the x and y axes of ``ax`` (ticks, labels, their layout), keeping its frame."""
    check_axes(ax)
    ax.xaxis.set_visible(False)
    ax.yaxis.set_visible(False)
    return ax


def set_grid_labels(labels, image, array, fmt=None, fontsize=8):
    """Write each value of ``array`` in its cell of ``image``, black or white for contrast.

    Parameters
    ----------
    labels : cnnedu.viz.text.LabelLayer
        On the axes of ``image``, e.g. ``LabelLayer(ax)``.
    image : AxesImage
        The image the values are drawn on (for the cell colours,
        :func:`cnnedu.viz.text.cell_text_colours`).
    array : array_like, shape (H, W)
    fmt : str or callable, optional
        Format of a value (:func:`cnnedu.viz.text.number_formatter`); default
        two decimals, with a typographic minus sign.
    fontsize : float

    Returns
    -------
    cnnedu.viz.text.LabelLayer
        ``labels``.
    """
    if not isinstance(labels, LabelLayer):
        raise TypeError(f"labels must be a cnnedu.viz.text.LabelLayer, got {type(labels).__name__}")
    arr = as_2d(array, "array")
    label = number_formatter("{:.2f}", minus=MINUS) if fmt is None else number_formatter(fmt)
    rows, cols = np.indices(arr.shape)
    return labels.set(np.stack([cols.ravel(), rows.ravel()], axis=1),
                      [label(v) for v in arr.ravel().tolist()],
                      cell_text_colours(image, arr), fontsize)


# ------------------------------------------------------------------ explorers' figures
def spines(*axes):
    """The spines (frame lines) of all ``axes``, e.g. to list them as dynamic artists."""
    return [spine for ax in axes for spine in ax.spines.values()]


def invalidate(fig) -> None:
    """Have a :class:`~cnnedu.viz.canvas.BlitCanvas` redraw its background (no-op elsewhere)."""
    invalidate = getattr(fig.canvas, "invalidate", None)
    if invalidate is not None:
        invalidate()


def same_image(im, arr) -> bool:
    """True if image ``im`` already shows ``arr`` (NaN cells, the padding, compare equal)."""
    old = im.get_array()
    return old.shape == arr.shape and np.array_equal(np.ma.getdata(old), arr, equal_nan=True)
