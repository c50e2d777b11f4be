"""Drawing functions for the chapter "A complete CNN on real digits".

Like :mod:`cnnedu.viz`, each function takes a matplotlib ``Axes`` and arrays,
draws, and returns its artists; the ``update_*`` twins change them in place
so that an explorer stays fast.

- :func:`show_confusion_matrix` -- counts of (true, predicted) pairs, written
  in the cells;
- :func:`show_probabilities` / :func:`update_probabilities` -- one bar per
  class;
- :func:`plot_history` -- loss and accuracy per epoch, training and
  validation;
- :func:`show_saliency` -- a gradient with respect to the input pixels, with
  the outline of the digit on top;
- :func:`draw_digit_panels` / :func:`update_digit_panels` -- the digit
  explorer: input, feature maps, hidden units (:func:`~cnnedu.viz.tiles.vector_tiles`) and
  class probabilities.

The learned filters and the feature maps are drawn as tiles by
:mod:`cnnedu.viz.tiles`. Colour maps are the book's (:data:`cnnedu.viz.IMAGE_CMAP`,
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
                   show_image, signed_cmap_limits)
from .text import cell_text_colours
from .tiles import show_feature_maps, update_feature_maps, vector_tiles

__all__ = ["TRAIN_COLOR", "VAL_COLOR", "show_confusion_matrix", "ConfusionArtists",
           "show_probabilities", "update_probabilities", "plot_history", "show_saliency",
           "DigitPanels", "HIDDEN_COLUMNS", "draw_digit_panels", "update_digit_panels"]

#: Colour of training curves (Okabe-Ito blue).
TRAIN_COLOR = OKABE_ITO["blue"]
#: Colour of validation curves (Okabe-Ito vermillion).
VAL_COLOR = OKABE_ITO["vermillion"]


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
