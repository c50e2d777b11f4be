"""Explorer of the chapter "Dense layers and the classification head".

- :func:`dropout_explorer` -- a dropout mask on a feature map of a digit: the
  drop rate, the seed of the mask and train/eval mode; the kept activations,
  scaled by ``1 / (1 - rate)``, and the mean activation before and after.
"""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ..explain.activation import digit_feature_map
from ..ops.activation import relu
from ..ops.dropout import dropout
from ..viz.base import MAGNITUDE_CMAP, cmap_and_limits, show_image
from ..viz.activation import (blit_figure, draw_bars, show_dropout_mask, update_bars,
                       update_dropout_mask)
from ._base import Explorer

__all__ = ["dropout_explorer"]

#: How many masks the explorer averages over to show the expected mean.
N_MASKS = 500


def digit_activations(index: int = 0) -> np.ndarray:
    """A non-negative feature map: ReLU of the Sobel-x response of a test digit.

    Parameters
    ----------
    index : int
        Which digit of ``load_digits('test')``.

    Returns
    -------
    a : ndarray of float64, shape (26, 26)
    """
    return relu(digit_feature_map(index))


def dropout_explorer(rate: float = 0.5, seed: int = 0, mode: str = "train",
                     activations=None) -> Explorer:
    """Explore inverted dropout on a map of activations.

    Parameters
    ----------
    rate : float in [0, 0.9]
        Initial drop rate.
    seed : int in [0, 20]
        Seed of the mask (``dropout(x, rate, rng=seed)``).
    mode : {'train', 'eval'}
        Dropout is the identity in evaluation mode.
    activations : array_like (H, W), optional
        The activations to drop; by default :func:`digit_activations`.

    Returns
    -------
    Explorer
        Controls ``rate``, ``seed``, ``mode``. ``state()`` holds ``x`` (the
        activations), ``mask`` and ``y`` as returned by
        :func:`cnnedu.ops.dropout.dropout`, ``rate``, ``training``,
        ``kept_fraction``, ``mean_before``, ``mean_after`` (this mask) and
        ``mean_after_average`` (over :data:`N_MASKS` masks drawn with
        ``rng=numpy.random.default_rng(seed + 1)``).
    """
    x = digit_activations() if activations is None else np.asarray(activations, dtype=float)
    if x.ndim != 2:
        raise ValueError(f"activations must be a 2-D array (H, W), got shape {x.shape}")
    controls = {
        "rate": widgets.FloatSlider(value=rate, min=0.0, max=0.9, step=0.05,
                                    description="drop rate"),
        "seed": widgets.IntSlider(value=seed, min=0, max=20, description="mask seed"),
        "mode": widgets.ToggleButtons(options=["train", "eval"], value=mode,
                                      description="mode"),
    }
    fig = blit_figure(9.6, 2.9)
    gs = fig.add_gridspec(1, 4, width_ratios=[1, 1, 1, 1.25], left=0.01, right=0.99,
                          bottom=0.2, top=0.86, wspace=0.15)
    axes = [fig.add_subplot(gs[k]) for k in range(4)]
    # activations after ReLU: a sequential map from 0; signed ones: diverging, centred at 0
    cmap, bottom, top = cmap_and_limits(x, vmin=min(0.0, float(x.min())),
                                        vmax=float(np.abs(x).max()) or 1.0,
                                        unsigned_cmap=MAGNITUDE_CMAP)
    mean_before = float(x.mean())
    show_image(axes[0], x, cmap=cmap, vmin=bottom, vmax=top, title="activations $a$")
    im_mask = show_dropout_mask(axes[1], np.ones_like(x), title="mask (white = kept)")
    im_out = show_image(axes[2], x, cmap=cmap, vmin=bottom, vmax=top,
                        title="output $a \\cdot$ mask")
    bars = draw_bars(axes[3], [mean_before] * 3, ["before", "after\n(this mask)",
                                                 f"after\n(mean of {N_MASKS})"],
                     fmt="{:.3f}", ylim=(0, 2.0 * mean_before if mean_before > 0 else 1.0),
                     title="mean activation")
    axes[3].tick_params(axis="x", labelsize=8)
    # what changes from one update to the next is redrawn on a cached background
    fig.canvas.dynamic += [im_mask, im_out, *bars.rects[1:], *bars.texts[1:],
                           *axes[1].spines.values(), *axes[2].spines.values()]
    cache: dict = {}

    def average_mean(rate, seed):
        key = (rate, seed)
        if key not in cache:
            cache.clear()
            many = np.broadcast_to(x, (N_MASKS,) + x.shape)
            y_many, _ = dropout(many, rate, rng=np.random.default_rng(seed + 1))
            cache[key] = float(y_many.mean())
        return cache[key]

    def update(rate, seed, mode):
        training = mode == "train"
        rate = float(rate)
        y, mask = dropout(x, rate, rng=int(seed), training=training)
        kept = float(np.mean(mask != 0))
        mean_after = float(y.mean())
        mean_avg = average_mean(rate, int(seed)) if training else mean_after
        scale = 1.0 / (1.0 - rate) if training else 1.0
        update_dropout_mask(im_mask, mask)
        im_out.set_data(y)
        im_out.set_clim(bottom * scale, top * scale)
        update_bars(bars, [mean_before, mean_after, mean_avg])
        n = x.size
        if not training:
            caption = (f"<b>eval mode</b>: dropout is the identity (the mask is all ones), "
                       f"whatever the rate; mean activation {mean_before:.3f} before and after.")
        elif rate == 0:
            caption = ("rate 0: nothing is dropped and nothing is scaled; mean activation "
                       f"{mean_before:.3f} before and after.")
        else:
            caption = (f"train mode, rate {rate:.2f}: kept {int(round(kept * n))} of {n} units "
                       f"({100 * kept:.1f}%), each multiplied by 1/(1 - {rate:.2f}) = "
                       f"{scale:.2f}. Mean activation: {mean_before:.3f} before, "
                       f"{mean_after:.3f} after with this mask, {mean_avg:.3f} averaged over "
                       f"{N_MASKS} masks (inverted scaling keeps the expected value).")
        state = {"x": x, "mask": mask, "y": y, "rate": rate, "training": training,
                 "kept_fraction": kept, "mean_before": mean_before, "mean_after": mean_after,
                 "mean_after_average": mean_avg}
        return state, caption

    return Explorer(controls, fig, update, title="Dropout explorer")
