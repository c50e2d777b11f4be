"""Explorer of the chapter "Dense layers and the classification head".

- :func:`dropout_explorer` -- a dropout mask on a feature map of a digit: the
  drop rate, the seed of the mask and train/eval mode; the kept activations,
  scaled by ``1 / (1 - rate)``, and the mean activation before and after.

Wired from :func:`cnnedu.explain.dense.dropout_view` (compute),
:mod:`cnnedu.viz.dense` (draw) and :func:`dropout_caption`.
"""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from .. import samples
from ..explain.dense import N_MASKS, dropout_view
from ..ops.activation import relu
from ..viz.canvas import blit_figure
from ..viz.dense import draw_dropout_panels, update_dropout_panels
from ._base import Explorer
from ._recipe import recorded

__all__ = ["dropout_explorer"]


def digit_activations(index: int = 0) -> np.ndarray:
    """A non-negative feature map: ReLU of the Sobel-x response of a test digit.

    Parameters
    ----------
    index : int
        Which digit of ``load_digits('test')`` (``samples.digit(index)``).

    Returns
    -------
    a : ndarray of float64, shape (26, 26)
    """
    return relu(samples.edge_map(samples.digit(index)))


def dropout_caption(view) -> str:
    """The dropout explorer's caption (HTML) for a ``DropoutView``."""
    before, rate = view.mean_before, view.rate
    if not view.training:
        return (f"<b>eval mode</b>: dropout is the identity (the mask is all ones), "
                f"whatever the rate; mean activation {before:.3f} before and after.")
    if rate == 0:
        return ("rate 0: nothing is dropped and nothing is scaled; mean activation "
                f"{before:.3f} before and after.")
    n, kept = view.x.size, view.kept_fraction
    return (f"train mode, rate {rate:.2f}: kept {int(round(kept * n))} of {n} units "
            f"({100 * kept:.1f}%), each multiplied by 1/(1 - {rate:.2f}) = "
            f"{1.0 / (1.0 - rate):.2f}. Mean activation: {before:.3f} before, "
            f"{view.mean_after:.3f} after with this mask, {view.mean_after_average:.3f} "
            f"averaged over {N_MASKS} masks (inverted scaling keeps the expected value).")


@recorded
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
        ``mean_after_average`` (over :data:`~cnnedu.explain.dense.N_MASKS`
        masks drawn with ``rng=numpy.random.default_rng(seed + 1)``).
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
    panels = draw_dropout_panels(fig, dropout_view(x, 0.0, 0, "eval"), N_MASKS)

    def update(rate, seed, mode):
        view = dropout_view(x, rate, seed, mode)
        update_dropout_panels(panels, view)
        return view._asdict(), dropout_caption(view)

    return Explorer(controls, fig, update, title="Dropout explorer")
