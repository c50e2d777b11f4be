"""Drawing kernels: a small kernel as a picture of its values, and the filter bank.

:func:`kernel_picture` draws a kernel's grid of weights once, as an RGBA
picture that an explorer shows without drawing its text again (the kernel
slider of :mod:`cnnedu.viz.conv` shows one). The filter bank explorer is
laid out once on a figure drawn by :func:`cnnedu.viz.canvas.blit_figure`
(the fast canvas: only the artists in ``fig.canvas.dynamic`` are redrawn)
and updated in place from a state computed by :mod:`cnnedu.explain.kernels`:
:func:`draw_filter_bank` / :func:`update_filter_bank`.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .base import IMAGE_CMAP, SIGNED_CMAP, as_2d, show_image, signed_cmap_limits
from .text import LabelLayer, PanelTitles, cell_text_colours, number_formatter
from .values import show_grid_values

__all__ = ["kernel_picture", "FilterBankArtists", "draw_filter_bank", "update_filter_bank"]

#: a kernel weight in a few characters: 2, -0.5, 1/9 -> 0.111
_WEIGHT = number_formatter("{:.3g}")


@lru_cache(maxsize=64)
def _cached_kernel_picture(data: bytes, shape: tuple, dtype: str, side: float) -> np.ndarray:
    values = np.frombuffer(data, dtype=dtype).reshape(shape)
    fig = Figure(figsize=(side, side * shape[0] / shape[1]), dpi=80)
    FigureCanvasAgg(fig)
    vmin, vmax = signed_cmap_limits(values)
    show_grid_values(fig.add_axes((0, 0, 1, 1)), values, fmt=_WEIGHT, cmap=SIGNED_CMAP,
                     vmin=vmin, vmax=vmax)
    fig.canvas.draw()
    picture = np.asarray(fig.canvas.buffer_rgba()).copy()
    picture.flags.writeable = False       # shared by the cache
    return picture


def kernel_picture(kernel, side: float) -> np.ndarray:
    """A small kernel drawn as a grid of its values: an RGBA picture ``side`` inches wide.

    A panel that changes rarely (the kernel) is shown as this picture, so
    that a frame does not spend time drawing its text again. Pictures are
    cached (read-only arrays).

    Parameters
    ----------
    kernel : array (KH, KW)
    side : float
        Width in inches, at 80 dpi.

    Returns
    -------
    ndarray, shape (rows, cols, 4), uint8
    """
    kernel = np.ascontiguousarray(as_2d(kernel, "kernel"))
    return _cached_kernel_picture(kernel.tobytes(), kernel.shape, kernel.dtype.str, float(side))


@dataclass
class FilterBankArtists:
    """The panels of the filter bank (:func:`draw_filter_bank`)."""

    #: the axes of the kernel (cleared when the kernel's shape changes)
    kernel_axes: object
    #: the feature map (an ``AxesImage``)
    feature_map: object
    #: the kernel's weights, written in its cells
    weights: LabelLayer
    #: the titles above the kernel and the feature map
    titles: PanelTitles
    #: the kernel's grid (:class:`cnnedu.viz.values.GridValues`), None when no kernel is shown
    grid: object = None


def draw_filter_bank(fig, x2d, feature_map=None) -> FilterBankArtists:
    """Lay out the filter bank: the photo (drawn once), the kernel and the feature map.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        Empty, from :func:`cnnedu.viz.canvas.blit_figure` (about 7.2 x 2.5 inches).
    x2d : array (H, W)
        The photo.
    feature_map : array (H, W), optional
        The first map shown (default zeros).

    Returns
    -------
    FilterBankArtists
        Show a state with :func:`update_filter_bank`.
    """
    x = as_2d(x2d, "x2d")
    axes = fig.subplots(1, 3, gridspec_kw=dict(width_ratios=[1, 0.8, 1]))
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.03, top=0.9, wspace=0.08)
    show_image(axes[0], x, vmin=min(0.0, float(x.min())), vmax=max(1.0, float(x.max())),
               interpolation="nearest")                             # signed x: diverging
    PanelTitles(axes[0]).set(f"input x ({x.shape[0]}×{x.shape[1]})")
    first = np.zeros(x.shape) if feature_map is None else feature_map
    fmap = show_image(axes[2], first, cmap=SIGNED_CMAP, interpolation="nearest")
    return FilterBankArtists(axes[1], fmap, LabelLayer(axes[1]), PanelTitles(axes[1:]))


def _filter_bank_dynamic(art: FilterBankArtists) -> None:
    """Everything but the photo changes: redraw it on the photo's cached picture."""
    fig = art.kernel_axes.figure
    kernel = [] if art.grid is None else [art.grid.image, art.grid.borders]
    fig.canvas.dynamic = [art.feature_map, *art.feature_map.axes.spines.values(), *kernel,
                          art.weights.artist, *art.titles.artists]


def _clear_kernel_panel(art: FilterBankArtists) -> None:
    art.kernel_axes.clear()               # a new kernel shape: new limits, new artists
    art.kernel_axes.set_axis_off()
    art.grid = None
    art.weights.clear()
    canvas = art.kernel_axes.figure.canvas
    if hasattr(canvas, "invalidate"):
        canvas.invalidate()


def _show_kernel(art: FilterBankArtists, w) -> None:
    vmin, vmax = signed_cmap_limits(w)
    if art.grid is None or art.grid.image.get_array().shape != w.shape:
        _clear_kernel_panel(art)
        art.grid = show_grid_values(art.kernel_axes, w, fmt=_WEIGHT, cmap=SIGNED_CMAP,
                                    vmin=vmin, vmax=vmax)
        art.weights.fontsize = art.grid.texts[0][0].get_fontsize()
        for text in sum(art.grid.texts, []):        # written by the label layer instead
            text.remove()
    else:
        art.grid.image.set_clim(vmin, vmax)
        art.grid.image.set_data(w)
    cells = [(v, u) for u in range(w.shape[0]) for v in range(w.shape[1])]
    art.weights.set(cells, map(_WEIGHT, w.ravel()), cell_text_colours(art.grid.image, w))


def update_filter_bank(art: FilterBankArtists, view, name: str) -> FilterBankArtists:
    """Show a :class:`cnnedu.explain.kernels.FilterView` in place (nothing computed).

    ``name`` (a preset's, or 'custom') goes in the kernel's title. A view
    without a kernel (text that cannot be read) clears the kernel and the
    map. Returns ``art``; ``art.titles.texts`` are the titles shown.
    """
    if view.kernel is None:
        art.feature_map.set_data(np.full(view.input.shape, np.nan))
        _clear_kernel_panel(art)
        art.titles.set("kernel w: cannot read it", "feature map: none")
    else:
        w = view.kernel
        art.feature_map.set_cmap(SIGNED_CMAP if view.signed else IMAGE_CMAP)
        art.feature_map.set_clim(*view.limits)
        art.feature_map.set_data(view.feature_map)
        _show_kernel(art, w)
        art.titles.set(f"kernel w ({w.shape[0]}×{w.shape[1]}, {name})", "feature map y = x ⋆ w")
    _filter_bank_dynamic(art)
    return art
