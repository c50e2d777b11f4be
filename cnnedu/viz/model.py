"""Drawing functions for the chapter "A complete CNN on real digits".

Like :mod:`cnnedu.viz`, each function takes a matplotlib ``Axes`` and arrays,
draws, and returns its artists; the ``update_*`` twins change them in place
so that an explorer stays fast.

- :func:`mosaic` -- many small maps tiled into one array, separated by gaps;
- :func:`show_filters` -- the kernels of a convolution as a grid of tiles,
  diverging colour map centred at zero;
- :func:`show_feature_maps` / :func:`update_feature_maps` -- the channels of
  one layer's output for one input, as a grid of tiles;
- :func:`show_confusion_matrix` -- counts of (true, predicted) pairs, written
  in the cells;
- :func:`show_probabilities` / :func:`update_probabilities` -- one bar per
  class;
- :func:`plot_history` -- loss and accuracy per epoch, training and
  validation;
- :func:`show_saliency` -- a gradient with respect to the input pixels, with
  the outline of the digit on top;
- :func:`draw_digit_panels` / :func:`update_digit_panels` -- the digit
  explorer: input, feature maps, hidden units (:func:`vector_tiles`) and
  class probabilities.

Colour maps are the book's (:data:`cnnedu.viz.IMAGE_CMAP`,
:data:`~cnnedu.viz.MAGNITUDE_CMAP`, :data:`~cnnedu.viz.SIGNED_CMAP`).
"""
from __future__ import annotations

from typing import NamedTuple

import matplotlib as mpl
import numpy as np
from matplotlib.colors import PowerNorm

from .._checks import as_float_array, check_positive_int
from .activation import draw_bars, update_bars
from .base import (IMAGE_CMAP, MAGNITUDE_CMAP, OKABE_ITO, SIGNED_CMAP, check_axes,
                   cmap_and_limits, show_image, signed_cmap_limits)
from .text import cell_text_colours

__all__ = ["TRAIN_COLOR", "VAL_COLOR", "GAP_COLOR", "mosaic", "Mosaic", "show_filters",
           "show_feature_maps", "update_feature_maps", "show_confusion_matrix",
           "ConfusionArtists", "show_probabilities", "update_probabilities", "plot_history",
           "show_saliency", "vector_tiles", "DigitPanels", "HIDDEN_COLUMNS",
           "draw_digit_panels", "update_digit_panels"]

#: Colour of training curves (Okabe-Ito blue).
TRAIN_COLOR = OKABE_ITO["blue"]
#: Colour of validation curves (Okabe-Ito vermillion).
VAL_COLOR = OKABE_ITO["vermillion"]
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


class ConfusionArtists(NamedTuple):
    """The artists of :func:`show_confusion_matrix`."""

    #: the coloured cells
    image: object
    #: one ``Text`` per cell, ``texts[t][p]``
    texts: list


def show_confusion_matrix(ax, cm, labels=None, cmap=MAGNITUDE_CMAP, gamma: float = 0.5,
                          title=None, fontsize: float = 8):
    """Draw a confusion matrix with its counts written in the cells.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    cm : array_like of int, shape (K, K)
        ``cm[t, p]``: samples of true class ``t`` predicted as ``p``
        (:func:`cnnedu.explain.model.confusion_matrix`). Rows are drawn top to
        bottom, columns left to right.
    labels : sequence of K str, optional
        Class names; by default ``0 .. K-1``.
    cmap : default :data:`~cnnedu.viz.MAGNITUDE_CMAP`
    gamma : float, default 0.5
        Colours follow ``count ** gamma`` (a square root by default), so that
        the few mistakes off the diagonal are visible next to the large
        diagonal counts; the numbers give the exact counts.
    title : str, optional
    fontsize : float, default 8

    Returns
    -------
    ConfusionArtists
        ``(image, texts)``; zero counts are left blank.
    """
    check_axes(ax)
    arr = np.asarray(cm)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1] or arr.size == 0:
        raise ValueError(f"cm must be a square 2-D array (K, K), got shape {arr.shape}")
    if not np.issubdtype(arr.dtype, np.integer) or arr.min() < 0:
        raise ValueError("cm must hold non-negative integer counts")
    k = arr.shape[0]
    if labels is None:
        labels = [str(i) for i in range(k)]
    labels = [str(s) for s in labels]
    if len(labels) != k:
        raise ValueError(f"labels must have one entry per class: {k} classes, got {len(labels)}")
    if not gamma > 0:
        raise ValueError(f"gamma must be positive, got {gamma!r}")
    norm = PowerNorm(gamma, vmin=0, vmax=max(int(arr.max()), 1))
    image = ax.imshow(arr, cmap=cmap, norm=norm, interpolation="nearest")
    colours = cell_text_colours(image, arr)
    texts = [[ax.text(p, t, str(arr[t, p]) if arr[t, p] else "", ha="center", va="center",
                      fontsize=fontsize, color=colours[t, p])
              for p in range(k)] for t in range(k)]
    ax.set_xticks(range(k))
    ax.set_xticklabels(labels)
    ax.set_yticks(range(k))
    ax.set_yticklabels(labels)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.tick_params(length=0)
    if title is not None:
        ax.set_title(title)
    return ConfusionArtists(image, texts)


def _probability_label(v: float) -> str:
    return f"{v:.2f}" if v >= 0.005 else ""


def _label_top(bars, probs, top):
    """Keep the written values of the ``top`` largest bars only (drawing text is slow)."""
    if top is None:
        return
    keep = set(np.argsort(-np.asarray(probs, dtype=float), kind="stable")[:top].tolist())
    for i, text in enumerate(bars.texts):
        if i not in keep:
            text.set_text("")


def show_probabilities(ax, probs, highlight=None, labels=None, title=None, top=None,
                       fontsize: float = 7):
    """One bar per class, from 0 to 1, with the probability written above it.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    probs : array_like, shape (K,)
        The class probabilities of one input (e.g. a row of
        ``model.predict(X)``). Values below 0.005 are not written.
    highlight : int, optional
        A bar drawn in orange (e.g. the predicted class).
    labels : sequence of K str, optional
        Tick labels; by default ``0 .. K-1``.
    title : str, optional
    top : int, optional
        Write the values of the ``top`` largest bars only (default: all).
    fontsize : float, default 7

    Returns
    -------
    cnnedu.viz.activation.Bars
        Pass it to :func:`update_probabilities`.
    """
    check_axes(ax)
    if top is not None:
        top = check_positive_int(top, "top")
    bars = draw_bars(ax, probs, labels=labels, fmt=_probability_label, ylim=(0, 1.18),
                     highlight=highlight, title=title, fontsize=fontsize)
    _label_top(bars, probs, top)
    ax.set_yticks([0, 0.5, 1])
    ax.set_xlabel("class")
    return bars


def update_probabilities(bars, probs, highlight=None, top=None):
    """Show new probabilities in the bars of :func:`show_probabilities`, in place.

    Parameters
    ----------
    bars : cnnedu.viz.activation.Bars
    probs : array_like, shape (K,)
    highlight : int, optional
    top : int, optional
        As for :func:`show_probabilities`.

    Returns
    -------
    cnnedu.viz.activation.Bars
        ``bars`` itself.
    """
    if top is not None:
        top = check_positive_int(top, "top")
    update_bars(bars, probs, highlight=highlight)
    _label_top(bars, probs, top)
    return bars


def plot_history(axes, history, metrics=("loss", "accuracy")):
    """Training and validation curves, one axes per metric, against the epoch.

    Parameters
    ----------
    axes : sequence of Axes
        One per metric.
    history : dict of str -> list of float, or History
        ``history.history`` of :meth:`cnnedu.nn.model.Sequential.fit` (or the
        History itself): ``'loss'``, ``'val_loss'``, ``'accuracy'``, ...
    metrics : sequence of str
        Which metrics; each is drawn for training (``m``) and, if present,
        validation (``'val_' + m``).

    Returns
    -------
    dict of str -> Line2D
        One line per key drawn, e.g. ``'loss'`` and ``'val_loss'``.

    Notes
    -----
    Epoch ``e`` (1-based) is drawn at x = e. The training values of an epoch
    are averages over its batches while the weights change, the validation
    values are measured at its end, so early in training the training curve
    lags behind.
    """
    hist = getattr(history, "history", history)
    if not isinstance(hist, dict):
        raise TypeError(f"history must be a dict or a History, got {type(history).__name__}")
    metrics = [metrics] if isinstance(metrics, str) else list(metrics)
    axes = list(np.ravel(axes)) if not hasattr(axes, "plot") else [axes]
    if len(axes) != len(metrics):
        raise ValueError(f"axes must hold one Axes per metric: {len(metrics)} metrics "
                         f"{metrics}, got {len(axes)} axes")
    lines = {}
    for ax, name in zip(axes, metrics):
        check_axes(ax)
        if name not in hist:
            raise ValueError(f"history has no {name!r}; it has {sorted(hist)}")
        for key, colour, label in ((name, TRAIN_COLOR, "training"),
                                   ("val_" + name, VAL_COLOR, "validation")):
            if key in hist:
                values = np.asarray(hist[key], dtype=float)
                epochs = np.arange(1, len(values) + 1)
                lines[key], = ax.plot(epochs, values, "o-", color=colour, label=label)
        ax.set_xlabel("epoch")
        ax.set_ylabel(name)
        ax.set_xticks(np.arange(1, len(hist[name]) + 1))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    return lines


def show_saliency(ax, image, grad, title=None, outline: bool = True, vmax=None):
    """Draw a gradient with respect to the input pixels, with the digit's outline on top.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    image : array_like, shape (H, W)
        The input (grey levels in [0, 1]), for the outline.
    grad : array_like, shape (H, W)
        The gradient of a class score with respect to ``image``
        (:func:`cnnedu.explain.model.saliency`), drawn with
        :data:`~cnnedu.viz.SIGNED_CMAP`: red where more ink would raise the
        score, blue where it would lower it, white for no effect.
    title : str, optional
    outline : bool, default True
        Draw the contour ``image = 0.5`` (the edge of the strokes) in black.
    vmax : float, optional
        Colour limits ``(-vmax, vmax)``; by default ``max |grad|``.

    Returns
    -------
    (AxesImage, QuadContourSet or None)
    """
    check_axes(ax)
    img = as_float_array(image, "image")
    g = as_float_array(grad, "grad")
    if img.ndim != 2 or g.shape != img.shape:
        raise ValueError(f"image and grad must be 2-D arrays of the same shape, got "
                         f"{img.shape} and {g.shape}")
    vmin, vmax = signed_cmap_limits(g) if vmax is None else (-float(vmax), float(vmax))
    im = show_image(ax, g, cmap=SIGNED_CMAP, vmin=vmin, vmax=vmax, title=title)
    contour = None
    if outline and img.min() < 0.5 < img.max():
        contour = ax.contour(img, levels=[0.5], colors="black", linewidths=0.8)
    return im, contour


# ------------------------------------------------------------------ the digit explorer
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


class DigitPanels(NamedTuple):
    """The artists of the digit explorer (:func:`draw_digit_panels`)."""

    #: the input image
    input: object
    #: layer name -> the Mosaic of its channels
    maps: dict
    #: the image of the hidden units, or None
    hidden: object
    #: the probability bars
    bars: object


#: Hidden units per row of their tiles in the digit explorer.
HIDDEN_COLUMNS = 8


def draw_digit_panels(fig, plan, view, top: int) -> DigitPanels:
    """Draw the digit explorer's panels on ``fig`` (a blit figure), once.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    plan : cnnedu.explain.model.DigitPlan
        Which layers and channels, their shapes and colour maps.
    view : cnnedu.explain.model.DigitView
        The first input shown (its maps set the shapes of the panels).
    top : int
        The number of largest probabilities written above their bars.

    Returns
    -------
    DigitPanels
        Pass it to :func:`update_digit_panels`.
    """
    hidden = plan.hidden
    ratios = [1.0] * (1 + len(plan.map_layers)) + ([0.8] if hidden else []) + [2.0]
    gs = fig.add_gridspec(1, len(ratios), width_ratios=ratios, left=0.01, right=0.965,
                          bottom=0.15, top=0.78, wspace=0.15)
    axes = [fig.add_subplot(gs[k]) for k in range(len(ratios))]
    im_input = show_image(axes[0], view.input, cmap=IMAGE_CMAP, vmin=0, vmax=1)
    axes[0].set_title("input\n\n28×28", fontsize=8)
    panels = {}
    for ax, name in zip(axes[1:], plan.map_layers):
        C, H, W = plan.shapes[name]
        cmap = SIGNED_CMAP if plan.signed[name] else MAGNITUDE_CMAP
        panels[name] = show_feature_maps(ax, view.maps[name], ncols=2, cmap=cmap, vmin=0, vmax=1)
        ax.set_title(f"{name}\n{len(plan.channels[name])} of {C} channels\n{H}×{W}", fontsize=8)
    dynamic = [im_input] + [p.image for p in panels.values()]
    im_hidden = None
    if hidden:
        ax_h = axes[1 + len(plan.map_layers)]
        cmap = mpl.colormaps[SIGNED_CMAP if plan.signed[hidden] else MAGNITUDE_CMAP]
        im_hidden = show_image(ax_h, vector_tiles(view.hidden, HIDDEN_COLUMNS),
                               cmap=cmap.with_extremes(bad="white"), vmin=0, vmax=1)
        relu = "(ReLU)" if plan.hidden_activation == "relu" else ""
        ax_h.set_title(f"{hidden}\n{plan.shapes[hidden][0]} units\n{relu}", fontsize=8)
        dynamic.append(im_hidden)
    probs = view.probabilities
    bars = show_probabilities(axes[-1], probs, highlight=int(probs.argmax()), top=top)
    axes[-1].set_title("class probabilities", fontsize=8)
    axes[-1].yaxis.tick_right()
    axes[-1].tick_params(labelsize=7)
    axes[-1].xaxis.label.set_fontsize(8)
    fig.canvas.dynamic += dynamic + list(bars.rects) + list(bars.texts)
    return DigitPanels(im_input, panels, im_hidden, bars)


def update_digit_panels(panels: DigitPanels, plan, view, top: int) -> None:
    """Show ``view`` (a ``DigitView``) in the panels, in place.

    Each layer's panel gets its own colour scale: 0 (or ``-m``, diverging)
    to ``m``, the largest ``|value|`` shown in it.
    """
    panels.input.set_data(view.input)
    for name, shown in view.maps.items():
        m = float(np.abs(shown).max()) or 1.0
        update_feature_maps(panels.maps[name], shown, vmin=-m if plan.signed[name] else 0.0,
                            vmax=m)
    if panels.hidden is not None:
        hid = view.hidden
        m = (float(np.nanmax(np.abs(hid))) if hid.size else 0.0) or 1.0
        panels.hidden.set_data(vector_tiles(hid, HIDDEN_COLUMNS))
        panels.hidden.set_clim(-m if plan.signed[plan.hidden] else 0.0, m)
    update_probabilities(panels.bars, view.probabilities, highlight=view.prediction, top=top)
