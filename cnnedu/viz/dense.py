"""Drawing functions for the chapter "Dense layers and the classification head".

Like :mod:`cnnedu.viz`, each function takes matplotlib ``Axes`` (or a
figure) and arrays, draws, and returns its artists; an ``update_*`` twin
changes them in place so an explorer stays fast.

- :func:`show_dropout_mask` / :func:`update_dropout_mask` -- which units a
  dropout mask keeps (white) and drops (black);
- :func:`draw_dropout_panels` / :func:`update_dropout_panels` -- the dropout
  explorer: activations, mask, output and the mean activation as bars.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._checks import as_float_array
from .activation import draw_bars, update_bars
from .base import IMAGE_CMAP, MAGNITUDE_CMAP, check_axes, cmap_and_limits, show_image

__all__ = ["show_dropout_mask", "update_dropout_mask", "DropoutPanels", "draw_dropout_panels",
           "update_dropout_panels"]


def _mask_image(mask):
    m = as_float_array(mask, "mask")
    if m.ndim != 2 or m.size == 0:
        raise ValueError(f"mask must be a non-empty 2-D array (H, W), got shape {m.shape}")
    return (m != 0).astype(np.float64)


def show_dropout_mask(ax, mask, title=None):
    """Draw a dropout mask: kept units white, dropped units black.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    mask : array_like, shape (H, W)
        As returned by :func:`cnnedu.ops.dropout.dropout`: 0 where a unit is
        dropped, ``1 / (1 - rate)`` where it is kept.
    title : str, optional

    Returns
    -------
    matplotlib.image.AxesImage
    """
    check_axes(ax)
    return show_image(ax, _mask_image(mask), cmap=IMAGE_CMAP, vmin=0, vmax=1, title=title)


def update_dropout_mask(image, mask):
    """Show a new mask in the image drawn by :func:`show_dropout_mask`, in place.

    Parameters
    ----------
    image : matplotlib.image.AxesImage
    mask : array_like, shape (H, W)

    Returns
    -------
    matplotlib.image.AxesImage
        ``image`` itself.
    """
    if not hasattr(image, "set_data"):
        raise TypeError(f"image must be the AxesImage returned by show_dropout_mask, "
                        f"got {type(image).__name__}")
    image.set_data(_mask_image(mask))
    return image


class DropoutPanels(NamedTuple):
    """The artists of the dropout explorer (:func:`draw_dropout_panels`)."""

    #: the images of the mask and of the output
    mask: object
    output: object
    #: the bars of the mean activation: before, after (this mask), after (mean of many)
    bars: object
    #: the colour limits of the activations (the output's are scaled by 1 / (1 - rate))
    limits: tuple


def draw_dropout_panels(fig, view, n_masks: int) -> DropoutPanels:
    """Draw the dropout explorer's four panels on ``fig`` (a blit figure), once.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    view : cnnedu.explain.dense.DropoutView
        Gives the activations ``x`` (H, W) and their mean.
    n_masks : int
        The number of masks of the averaged mean (in a bar's label).

    Returns
    -------
    DropoutPanels
        Pass it to :func:`update_dropout_panels`.
    """
    x, mean_before = view.x, view.mean_before
    gs = fig.add_gridspec(1, 4, width_ratios=[1, 1, 1, 1.25], left=0.01, right=0.99,
                          bottom=0.2, top=0.86, wspace=0.15)
    axes = [fig.add_subplot(gs[k]) for k in range(4)]
    # activations after ReLU: a sequential map from 0; signed ones: diverging, centred at 0
    cmap, bottom, top = cmap_and_limits(x, vmin=min(0.0, float(x.min())),
                                        vmax=float(np.abs(x).max()) or 1.0,
                                        unsigned_cmap=MAGNITUDE_CMAP)
    show_image(axes[0], x, cmap=cmap, vmin=bottom, vmax=top, title="activations $a$")
    mask = show_dropout_mask(axes[1], np.ones_like(x), title="mask (white = kept)")
    output = show_image(axes[2], x, cmap=cmap, vmin=bottom, vmax=top,
                        title="output $a \\cdot$ mask")
    bars = draw_bars(axes[3], [mean_before] * 3, ["before", "after\n(this mask)",
                                                 f"after\n(mean of {n_masks})"],
                     fmt="{:.3f}", ylim=(0, 2.0 * mean_before if mean_before > 0 else 1.0),
                     title="mean activation")
    axes[3].tick_params(axis="x", labelsize=8)
    # what changes from one update to the next is redrawn on a cached background
    fig.canvas.dynamic += [mask, output, *bars.rects[1:], *bars.texts[1:],
                           *axes[1].spines.values(), *axes[2].spines.values()]
    return DropoutPanels(mask, output, bars, (bottom, top))


def update_dropout_panels(panels: DropoutPanels, view) -> None:
    """Show ``view`` (a ``DropoutView``) in the panels, in place."""
    scale = 1.0 / (1.0 - view.rate) if view.training else 1.0
    update_dropout_mask(panels.mask, view.mask)
    panels.output.set_data(view.y)
    panels.output.set_clim(panels.limits[0] * scale, panels.limits[1] * scale)
    update_bars(panels.bars, [view.mean_before, view.mean_after, view.mean_after_average])
