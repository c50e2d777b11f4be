"""Many small maps drawn as one tiled image: filters, feature maps, hidden units.

Like :mod:`cnnedu.viz`, each function takes a matplotlib ``Axes`` and arrays,
draws, and returns its artists; :func:`update_feature_maps` changes them in
place so that an explorer stays fast.

- :func:`mosaic` -- many small maps tiled into one array, separated by gaps;
- :func:`show_filters` -- the kernels of a convolution as a grid of tiles,
  diverging colour map centred at zero;
- :func:`show_feature_maps` / :func:`update_feature_maps` -- the channels of
  one layer's output for one input, as a grid of tiles;
- :func:`vector_tiles` -- a vector of values (hidden units) as a small image.

Colour maps are the book's (:data:`~cnnedu.viz.MAGNITUDE_CMAP`,
:data:`~cnnedu.viz.SIGNED_CMAP`).
"""
from __future__ import annotations

from typing import NamedTuple

import matplotlib as mpl
import numpy as np

from .._checks import as_float_array, check_positive_int
from .base import (MAGNITUDE_CMAP, SIGNED_CMAP, check_axes, cmap_and_limits, show_image,
                   signed_cmap_limits)

__all__ = ["GAP_COLOR", "mosaic", "Mosaic", "show_filters", "show_feature_maps",
           "update_feature_maps", "vector_tiles"]

#: Colour of the gaps between the tiles of a mosaic.
GAP_COLOR = "0.55"


def _grid_shape(n: int, ncols) -> tuple[int, int]:
    if ncols is None:
        ncols = int(np.ceil(np.sqrt(n)))
    ncols = min(check_positive_int(ncols, "ncols"), n)
    return -(-n // ncols), ncols


def mosaic(maps, ncols=None, gap: int = 1) -> np.ndarray:
    """Tile ``M`` maps of equal size into one 2-D array, row by row.

    Parameters
    ----------
    maps : array_like, shape (M, H, W)
        E.g. the channels of one feature map, or ``F`` kernels ``w[:, 0]``.
    ncols : int, optional
        Tiles per row; by default ``ceil(sqrt(M))``. There are
        ``ceil(M / ncols)`` rows.
    gap : int
        Cells between neighbouring tiles (and none around the border).

    Returns
    -------
    ndarray of float64, shape (rows*H + (rows-1)*gap, ncols*W + (ncols-1)*gap)
        Map ``m`` occupies the tile at row ``m // ncols``, column
        ``m % ncols``; gaps and unused tiles are NaN (drawn in the colour map's
        "bad" colour).
    """
    arr = as_float_array(maps, "maps")
    if arr.ndim != 3 or arr.shape[0] == 0 or 0 in arr.shape[1:]:
        raise ValueError(f"maps must be a non-empty 3-D array (M, H, W), got shape {arr.shape}")
    if isinstance(gap, bool) or not isinstance(gap, (int, np.integer)) or gap < 0:
        raise ValueError(f"gap must be a non-negative int, got {gap!r}")
    m, h, w = arr.shape
    rows, cols = _grid_shape(m, ncols)
    out = np.full((rows * h + (rows - 1) * gap, cols * w + (cols - 1) * gap), np.nan)
    for k in range(m):
        r, c = divmod(k, cols)
        out[r * (h + gap):r * (h + gap) + h, c * (w + gap):c * (w + gap) + w] = arr[k]
    return out


class Mosaic(NamedTuple):
    """The artists of :func:`show_filters` / :func:`show_feature_maps`."""

    #: the one ``AxesImage`` holding every tile
    image: object
    #: tiles per row
    ncols: int
    #: cells between tiles
    gap: int


def _with_gap_colour(cmap, colour=GAP_COLOR):
    return mpl.colormaps[cmap].with_extremes(bad=colour) if isinstance(cmap, str) \
        else cmap.with_extremes(bad=colour)


def show_filters(ax, w, ncols: int = 8, gap: int = 1, vmax=None, title=None):
    """Draw the kernels of a convolution with one input channel as a grid of tiles.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    w : array_like, shape (F, 1, KH, KW) or (F, KH, KW)
        The filters, e.g. ``model.layers[0].params['w']`` of a first
        convolution on grey images (for more input channels pass one
        channel, ``w[:, c]``).
    ncols : int, default 8
        Filters per row; filter ``f`` is at row ``f // ncols``, column
        ``f % ncols``.
    gap : int, default 1
        Cells of :data:`GAP_COLOR` between tiles.
    vmax : float, optional
        Colour limits ``(-vmax, vmax)``; by default ``max |w|``. The colour map
        is :data:`~cnnedu.viz.SIGNED_CMAP`, white at zero, the same for all
        filters so that they can be compared.
    title : str, optional

    Returns
    -------
    Mosaic
        ``(image, ncols, gap)``; add a colour bar with
        ``fig.colorbar(result.image, ax=ax)``.
    """
    check_axes(ax)
    arr = as_float_array(w, "w")
    if arr.ndim == 4:
        if arr.shape[1] != 1:
            raise ValueError(f"w must have one input channel, got shape {arr.shape} "
                             f"({arr.shape[1]} channels); pass one channel, e.g. w[:, 0]")
        arr = arr[:, 0]
    elif arr.ndim != 3:
        raise ValueError(f"w must be (F, 1, KH, KW) or (F, KH, KW), got shape {arr.shape}")
    if vmax is None:
        vmin, vmax = signed_cmap_limits(arr)
    else:
        vmax = float(vmax)
        if not vmax > 0:
            raise ValueError(f"vmax must be positive, got {vmax!r}")
        vmin = -vmax
    tiles = mosaic(arr, ncols, gap)
    image = show_image(ax, tiles, cmap=_with_gap_colour(SIGNED_CMAP), vmin=vmin, vmax=vmax,
                       title=title)
    return Mosaic(image, _grid_shape(len(arr), ncols)[1], gap)


def _as_maps(maps):
    arr = as_float_array(maps, "maps")
    if arr.ndim == 2:
        arr = arr[None]
    if arr.ndim != 3:
        raise ValueError(f"maps must be (C, H, W) (channels of one input) or (H, W), "
                         f"got shape {arr.shape}")
    return arr


def show_feature_maps(ax, maps, ncols=None, gap: int = 1, cmap=None, vmin=None,
                      vmax=None, title=None):
    """Draw the channels of one layer's output for one input as a grid of tiles.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    maps : array_like, shape (C, H, W)
        E.g. ``feature_maps(model, x)['conv2d'][0, :8]``: 8 channels of the
        first convolution's output for the first input.
    ncols : int, optional
        Tiles per row (default ``ceil(sqrt(C))``).
    gap : int, default 1
    cmap : str or Colormap, optional
        By default :data:`~cnnedu.viz.MAGNITUDE_CMAP` for non-negative maps
        (after ReLU), and the diverging :data:`~cnnedu.viz.SIGNED_CMAP` for
        maps holding a negative value (before the activation); see
        :func:`cnnedu.viz.cmap_and_limits`.
    vmin, vmax : float, optional
        One colour scale for all tiles; by default the maps' minimum and
        maximum, made symmetric about 0 for the diverging map (always).
    title : str, optional

    Returns
    -------
    Mosaic
        Pass it to :func:`update_feature_maps`. Channel ``m`` is the tile at
        row ``m // ncols``, column ``m % ncols``; the gaps are white.
    """
    check_axes(ax)
    arr = _as_maps(maps)
    tiles = mosaic(arr, ncols, gap)
    cmap, vmin, vmax = cmap_and_limits(arr, cmap, vmin, vmax, unsigned_cmap=MAGNITUDE_CMAP)
    image = show_image(ax, tiles, cmap=_with_gap_colour(cmap, "white"), vmin=vmin, vmax=vmax,
                       title=title)
    return Mosaic(image, _grid_shape(len(arr), ncols)[1], gap)


def update_feature_maps(artists, maps, vmin=None, vmax=None):
    """Show new maps, of the same shape, in the tiles of :func:`show_feature_maps`.

    Parameters
    ----------
    artists : Mosaic
    maps : array_like, shape (C, H, W)
    vmin, vmax : float, optional
        New colour limits; ``None`` keeps the current one. With the
        diverging :data:`~cnnedu.viz.SIGNED_CMAP` the limits stay symmetric
        about 0.

    Returns
    -------
    Mosaic
        ``artists`` itself.
    """
    if not isinstance(artists, Mosaic):
        raise TypeError(f"artists must be the Mosaic returned by show_feature_maps, "
                        f"got {type(artists).__name__}")
    tiles = mosaic(_as_maps(maps), artists.ncols, artists.gap)
    old = artists.image.get_array().shape
    if tiles.shape != old:
        raise ValueError(f"maps must tile to the shape shown {old}, got {tiles.shape} "
                         f"from maps of shape {np.shape(maps)}")
    artists.image.set_data(tiles)
    lo, hi = artists.image.get_clim()
    if artists.image.get_cmap().name == SIGNED_CMAP:       # symmetric limits, from those given
        if vmin is not None or vmax is not None:
            lo, hi = cmap_and_limits(tiles, SIGNED_CMAP, vmin, vmax)[1:]
    else:
        lo, hi = lo if vmin is None else vmin, hi if vmax is None else vmax
    artists.image.set_clim(lo, hi)
    return artists


def vector_tiles(v, cols: int) -> np.ndarray:
    """A vector of D values as a (rows, cols) image, NaN after the last value.

    Parameters
    ----------
    v : ndarray, shape (D,)
    cols : int

    Returns
    -------
    ndarray of float64, shape (ceil(D / cols), cols)
    """
    v = np.asarray(v)
    rows = -(-v.size // cols)
    out = np.full(rows * cols, np.nan)
    out[:v.size] = v
    return out.reshape(rows, cols)
