"""Drawing functions used by every chapter of the book.

Each function takes a matplotlib ``Axes`` (or a ``Figure``) and arrays, draws,
and returns the artists it made, so an interactive explorer can later update
them in place (``AxesImage.set_data``, ``Text.set_text``) instead of drawing
again. Nothing here touches pyplot's global state or imports ipywidgets.

Colour maps, chosen to stay readable for colour-blind readers and shared by the
whole book:

* :data:`IMAGE_CMAP` -- grey levels, for images and patches of images;
* :data:`MAGNITUDE_CMAP` -- a perceptually uniform sequential map, for
  non-negative magnitudes (activations after ReLU, pooled maps, counts);
* :data:`SIGNED_CMAP` -- a diverging map, white at zero, for signed values
  (kernels, raw feature maps, gradients); use it with the symmetric limits of
  :func:`signed_cmap_limits` so that zero sits in the middle.

:func:`cmap_and_limits` picks between them the way every drawing function of
the book does when it is given no colour map: the diverging map, with limits
symmetric about 0, for data holding a negative value; a sequential one
otherwise.

Lines, markers and outlines take their colours from the Okabe-Ito palette
(:data:`OKABE_ITO`, in the order of :data:`CATEGORICAL_COLORS` for a series of
lines), whose colours stay distinct for colour-blind readers; no figure tells
two things apart by red and green alone.
"""
from __future__ import annotations

import numpy as np
from matplotlib.image import interpolations_names

from .._checks import as_float_array, check_positive_int

__all__ = ["IMAGE_CMAP", "MAGNITUDE_CMAP", "SIGNED_CMAP",
           "OKABE_ITO", "CATEGORICAL_COLORS", "HIGHLIGHT_COLOR",
           "signed_cmap_limits", "cmap_and_limits", "show_image",
           "mark_window", "show_image_grid", "show_pipeline"]

#: Colour map for images: black (0) to white (1).
IMAGE_CMAP = "gray"
#: Sequential colour map for non-negative magnitudes.
MAGNITUDE_CMAP = "viridis"
#: Diverging colour map for signed values: blue below zero, white at zero, red above.
SIGNED_CMAP = "RdBu_r"
#: The Okabe-Ito palette (Okabe and Ito, *Color Universal Design*, 2002): seven
#: colours that readers with any common form of colour blindness tell apart.
#: Name -> hex colour.
OKABE_ITO = {
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
}
#: The Okabe-Ito colours in the order a series of lines uses them (pass it to
#: ``ax.set_prop_cycle(color=CATEGORICAL_COLORS)``); yellow, faint on white,
#: comes last.
CATEGORICAL_COLORS = tuple(OKABE_ITO[name] for name in (
    "blue", "bluish green", "vermillion", "reddish purple", "orange", "sky blue", "yellow"))
#: Outline colour for a window marked on an image (orange of the Okabe-Ito
#: palette, distinct for colour-blind readers from grey, blue and white).
HIGHLIGHT_COLOR = OKABE_ITO["orange"]

# pixels per side up to which an image is drawn with one flat square per pixel
_NEAREST_MAX_SIDE = 100
# the interpolation that smooths a shrunk image: 'auto' since matplotlib 3.10,
# 'antialiased' before (Pyodide's matplotlib, in the reader's browser, is 3.8)
_SMOOTH = "auto" if "auto" in interpolations_names else "antialiased"


# ------------------------------------------------------------------ helpers
def check_axes(ax, name="ax"):
    """``ax`` if it is a matplotlib ``Axes``, else a ``TypeError`` naming ``name``.

    The argument check every drawing function of :mod:`cnnedu.viz` starts with.
    """
    if not (hasattr(ax, "imshow") and hasattr(ax, "figure")):
        raise TypeError(f"{name} must be a matplotlib Axes, got {type(ax).__name__}")
    return ax


def as_2d(array, name):
    """``array`` as a non-empty 2-D float array (H, W), or a ``ValueError`` naming ``name``."""
    arr = as_float_array(array, name)
    if arr.ndim != 2 or 0 in arr.shape:
        raise ValueError(f"{name} must be a non-empty 2-D array (H, W), got shape {arr.shape}")
    return arr


def as_image(image, name="image", allow_rgb=True):
    """``image`` as a non-empty float array (H, W), or (H, W, 3|4) if ``allow_rgb``.

    Anything else gets a ``ValueError`` naming ``name``, with a hint for one
    NCHW image ``(1, 1, H, W)`` or a ``(1, H, W)`` image.
    """
    arr = as_float_array(image, name)
    rgb_ok = allow_rgb and arr.ndim == 3 and arr.shape[-1] in (3, 4)
    if arr.ndim != 2 and not rgb_ok:
        allowed = "a 2-D array (H, W)" + (" or an RGB(A) array (H, W, 3|4)" if allow_rgb else "")
        hint = ""
        if arr.ndim == 4 and arr.shape[:2] == (1, 1):
            hint = f"; for one NCHW image use {name}[0, 0]"
        elif arr.ndim == 3 and arr.shape[0] == 1:
            hint = f"; for a (1, H, W) image use {name}[0]"
        raise ValueError(f"{name} must be {allowed}, got shape {arr.shape}{hint}")
    if 0 in arr.shape:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    return arr


def check_limits(vmin, vmax):
    """A ``ValueError`` unless ``vmin < vmax`` (when both colour limits are given)."""
    if vmin is not None and vmax is not None and not vmin < vmax:
        raise ValueError(f"vmin must be less than vmax, got vmin={vmin}, vmax={vmax}")


# ---------------------------------------------------------------- functions
def signed_cmap_limits(array):
    """Symmetric colour limits ``(-m, m)`` for signed values, ``m = max |array|``.

    With a diverging colour map such as :data:`SIGNED_CMAP`, these limits put
    zero at the map's neutral middle colour, so the sign of a value can be
    read from its hue.

    Parameters
    ----------
    array : array_like of real numbers, any shape
        Non-finite values (``nan``, ``inf``) are ignored.

    Returns
    -------
    vmin, vmax : float
        ``-m`` and ``m``. If the array holds no non-zero finite value,
        ``(-1.0, 1.0)``, so that a colour map still has a range.

    Examples
    --------
    >>> signed_cmap_limits([[0.5, -2.0], [1.0, 0.0]])
    (-2.0, 2.0)
    """
    arr = as_float_array(array, "array")
    finite = np.abs(arr[np.isfinite(arr)])
    m = float(finite.max()) if finite.size else 0.0
    if m == 0.0:
        return -1.0, 1.0
    return -m, m


def _is_signed_cmap(cmap):
    return getattr(cmap, "name", cmap) == SIGNED_CMAP


def cmap_and_limits(array, cmap=None, vmin=None, vmax=None, unsigned_cmap=IMAGE_CMAP):
    """The colour map and limits to draw ``array`` with, as the book's figures do.

    Without a colour map, signed data get the diverging :data:`SIGNED_CMAP`
    and non-negative data ``unsigned_cmap``. Whatever chose it, the diverging
    map always gets limits symmetric about 0, so that its white middle is 0.

    Parameters
    ----------
    array : array_like of real numbers, any shape
        The values to draw (non-finite ones are ignored).
    cmap : str or Colormap, optional
        If given, it is kept. If None: :data:`SIGNED_CMAP` when ``array``
        holds a negative value or ``vmin < 0``, unless ``vmin >= 0`` is given
        (the caller asked for a scale from ``vmin`` up: values below are
        clipped); ``unsigned_cmap`` otherwise.
    vmin, vmax : float, optional
        Limits asked for. With :data:`SIGNED_CMAP` they become ``(-m, m)``,
        ``m`` the largest of ``|vmin|`` and ``|vmax|`` given, or
        ``max |array|`` (:func:`signed_cmap_limits`) if neither is given.
        With any other map they are returned as given.
    unsigned_cmap : str or Colormap, default :data:`IMAGE_CMAP`
        The map for non-negative data (:data:`MAGNITUDE_CMAP` for magnitudes
        such as activations after ReLU or counts).

    Returns
    -------
    cmap : str or Colormap
    vmin, vmax : float or None

    Examples
    --------
    >>> cmap_and_limits([[-1.0, 0.5]])
    ('RdBu_r', -1.0, 1.0)
    >>> cmap_and_limits([[0.0, 0.5]])
    ('gray', None, None)
    >>> cmap_and_limits([[0.0, 0.5]], cmap=SIGNED_CMAP, vmax=2)
    ('RdBu_r', -2.0, 2.0)
    """
    if cmap is None:
        if vmin is not None and vmin >= 0:
            cmap = unsigned_cmap
        else:
            arr = as_float_array(array, "array")
            finite = arr[np.isfinite(arr)]
            negative = (finite.size and finite.min() < 0) or (vmin is not None and vmin < 0)
            cmap = SIGNED_CMAP if negative else unsigned_cmap
    if _is_signed_cmap(cmap):
        given = [abs(float(v)) for v in (vmin, vmax) if v is not None]
        if given and max(given) > 0:
            vmin, vmax = -max(given), max(given)
        else:
            vmin, vmax = signed_cmap_limits(array)
    return cmap, vmin, vmax


def show_image(ax, image, cmap=None, vmin=None, vmax=None, title=None,
               interpolation=None):
    """Draw an image on ``ax`` without ticks, one square per pixel.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    image : array_like, shape (H, W), or (H, W, 3) / (H, W, 4) for RGB(A)
        One image; for the first image of an NCHW batch ``X`` pass ``X[0, 0]``.
    cmap : str or Colormap, optional
        By default :data:`IMAGE_CMAP` (grey levels), or :data:`SIGNED_CMAP`
        if the image holds a negative value (see :func:`cmap_and_limits`).
        Ignored for RGB(A) images, as are ``vmin`` and ``vmax`` (their
        values must already lie in [0, 1]).
    vmin, vmax : float, optional
        Values drawn with the first and last colour of ``cmap``; by default
        the image's own minimum and maximum. With :data:`SIGNED_CMAP` they
        are made symmetric about 0 (by default ``±max |image|``).
    title : str, optional
    interpolation : str, optional
        Passed to ``imshow``. By default ``'nearest'`` (every pixel a flat
        square) for images up to 100 pixels a side, and matplotlib's
        ``'auto'`` (which smooths when an image is shrunk) for larger ones.

    Returns
    -------
    matplotlib.image.AxesImage
        Update it in place with ``set_data`` (and ``set_clim``).
    """
    check_axes(ax)
    arr = as_image(image)
    check_limits(vmin, vmax)
    if interpolation is None:
        interpolation = "nearest" if max(arr.shape[:2]) <= _NEAREST_MAX_SIDE else _SMOOTH
    kwargs = {}
    if arr.ndim == 2:
        cmap, vmin, vmax = cmap_and_limits(arr, cmap, vmin, vmax)
        kwargs = dict(cmap=cmap, vmin=vmin, vmax=vmax)
    im = ax.imshow(arr, interpolation=interpolation, **kwargs)
    ax.set_xticks([])
    ax.set_yticks([])
    if title is not None:
        ax.set_title(title)
    return im



def mark_window(ax, row, col, height, width=None, color=HIGHLIGHT_COLOR, linewidth=2.0):
    """Outline the pixels ``[row:row + height, col:col + width]`` of a drawn image.

    Pixel ``(i, j)`` of an image drawn by :func:`show_image` or
    :func:`~cnnedu.viz.values.show_grid_values` covers ``j - 0.5 <= x <= j + 0.5`` and
    ``i - 0.5 <= y <= i + 0.5``, so the outline runs along pixel edges.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    row, col : int
        The top-left pixel of the window.
    height : int
        Rows in the window.
    width : int, optional
        Columns in the window; by default ``height`` (a square window).
    color : colour, default :data:`HIGHLIGHT_COLOR`
    linewidth : float, default 2.0

    Returns
    -------
    matplotlib.patches.Rectangle
        Move it later with ``set_xy((col - 0.5, row - 0.5))``.
    """
    from matplotlib.patches import Rectangle

    check_axes(ax)
    row = check_positive_int(row, "row", minimum=0)
    col = check_positive_int(col, "col", minimum=0)
    height = check_positive_int(height, "height")
    width = height if width is None else check_positive_int(width, "width")
    return ax.add_patch(Rectangle((col - 0.5, row - 0.5), width, height, fill=False,
                                  edgecolor=color, linewidth=linewidth))


def show_image_grid(fig, images, titles=None, ncols=10, cmap=None, vmin=None,
                    vmax=None):
    """Draw images side by side in rows of ``ncols``, on new axes of ``fig``.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        Axes are added to it (``fig.subplots``); it should have none yet.
    images : array_like, shape (N, H, W) or (N, C, H, W) with C = 1 or 3
        A batch of grey images, or an NCHW batch of grey or RGB images.
    titles : sequence of N str, optional
        One title per image, e.g. its label.
    ncols : int, default 10
        Images per row; there are ``ceil(N / ncols)`` rows.
    cmap, vmin, vmax
        As for :func:`show_image`, the same for every image, so that equal
        values look equal across the grid (by default each image's own range).
        Without ``cmap``, grey, or :data:`SIGNED_CMAP` for every image if
        any holds a negative value.

    Returns
    -------
    axes : ndarray of Axes, shape (rows, ncols)
        Axes after the last image are switched off.
    ims : list of N AxesImage
    """
    if not hasattr(fig, "subplots"):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    arr = as_float_array(images, "images")
    if arr.ndim == 4:
        if arr.shape[1] not in (1, 3):
            raise ValueError(f"images in NCHW layout must have 1 or 3 channels, "
                             f"got shape {arr.shape} ({arr.shape[1]} channels)")
        arr = arr[:, 0] if arr.shape[1] == 1 else arr.transpose(0, 2, 3, 1)
    elif arr.ndim != 3:
        raise ValueError(f"images must be a 3-D array (N, H, W) or a 4-D array (N, C, H, W), "
                         f"got shape {arr.shape}")
    n = arr.shape[0]
    if n == 0:
        raise ValueError(f"images must hold at least one image, got shape {arr.shape}")
    if titles is not None:
        titles = list(titles)
        if len(titles) != n:
            raise ValueError(f"titles must have one entry per image: {n} images, "
                             f"got {len(titles)} titles")
    if arr.ndim == 3:     # grey images: one colour map for all of them
        cmap = cmap_and_limits(arr, cmap, vmin, vmax)[0]
    ncols = min(check_positive_int(ncols, "ncols"), n)
    nrows = -(-n // ncols)
    axes = np.asarray(fig.subplots(nrows, ncols, squeeze=False))
    ims = []
    for k, ax in enumerate(axes.flat):
        if k < n:
            ims.append(show_image(ax, arr[k], cmap=cmap, vmin=vmin, vmax=vmax,
                                  title=None if titles is None else titles[k]))
        else:
            ax.set_axis_off()
    return axes, ims


def show_pipeline(ax, stages, fontsize=9):
    """Draw a network as a row of boxes, one per tensor, joined by arrows.

    Boxes are tensors and arrows the operations between them, labelled above
    the arrow. A box's width grows with the number of channels and its height
    with the spatial size, on a square-root scale, so that a 28 x 28 digit
    and a 1600-long vector fit on one line; a flat vector of ``n`` values is a
    thin bar as tall as a square map holding ``n`` values would be.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    stages : sequence of (label, shape)
        ``shape`` is ``(C, H, W)`` for a stack of feature maps or ``(n,)`` for
        a vector, without the batch axis; ``label`` (str) names the operation
        that produced it (for the first stage, the input). Use ``'\\n'`` to
        break a long label.
    fontsize : float, default 9

    Returns
    -------
    boxes : list of Rectangle
        One per stage.
    texts : list of Text
        Per stage, its label, then its shape written under the box.
    arrows : list of FancyArrowPatch
        One fewer than stages.
    """
    from matplotlib.patches import FancyArrowPatch, Rectangle

    check_axes(ax)
    stages = list(stages)
    if not stages:
        raise ValueError("stages must hold at least one (label, shape) pair, got none")
    sizes = []
    for k, stage in enumerate(stages):
        ok = isinstance(stage, (tuple, list)) and len(stage) == 2
        shape = tuple(stage[1]) if ok and isinstance(stage[1], (tuple, list)) else None
        if shape is None or len(shape) not in (1, 3) or not all(
                isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s > 0
                for s in shape):
            raise ValueError(f"stages[{k}] must be (label, (C, H, W)) or (label, (n,)) "
                             f"with positive ints, got {stage!r}")
        if len(shape) == 3:
            sizes.append((0.12 * np.sqrt(shape[0]), 0.32 * np.sqrt(shape[1])))
        else:
            sizes.append((0.12, 0.32 * shape[0] ** 0.25))
    top = max(h for _, h in sizes) / 2
    gap, x, prev_end = 1.1, 0.0, None
    boxes, texts, arrows = [], [], []
    for (label, shape), (w, h) in zip(stages, sizes):
        boxes.append(ax.add_patch(Rectangle((x, -h / 2), w, h, facecolor="0.85",
                                            edgecolor="0.2", linewidth=0.8)))
        if prev_end is None:  # the input: its label above its box
            texts.append(ax.text(x + w / 2, h / 2 + 0.12, str(label), ha="center",
                                 va="bottom", fontsize=fontsize))
        else:
            arrows.append(ax.add_patch(FancyArrowPatch(
                (prev_end + 0.06, 0), (x - 0.06, 0), arrowstyle="-|>",
                mutation_scale=8, color="0.3", linewidth=0.8)))
            texts.append(ax.text((prev_end + x) / 2, 0.12, str(label), ha="center",
                                 va="bottom", fontsize=fontsize, linespacing=1.1))
        texts.append(ax.text(x + w / 2, -top - 0.15, "\u00d7".join(str(s) for s in shape),
                             ha="center", va="top", fontsize=fontsize))
        prev_end = x + w
        x += w + gap
    ax.set_xlim(-0.4, prev_end + 0.4)
    ax.set_ylim(-top - 0.6, top + 0.5)
    ax.set_aspect("equal")
    ax.set_axis_off()
    return boxes, texts, arrows
