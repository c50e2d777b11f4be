"""Explorers of the chapter "Activation functions".

- :func:`activation_explorer` -- pick an activation (and its ``alpha``), see
  ``f`` and ``f'`` with a marker at one input, and what ``f`` does to a
  feature map (the Sobel response of a digit).
- :func:`softmax_explorer` -- softmax of ten logits at a temperature ``T``
  (one of :data:`TEMPERATURES`), each shifted by a constant ``c`` (one of
  :data:`SHIFTS`), as bars of probabilities, with the entropy in the
  caption. The two are chosen from fixed sets so that the static book can
  precompute every picture (``softmax_explorer().with_frames({"temperature":
  "all", "shift": "all"})``).

Each is wired from a compute function of :mod:`cnnedu.explain.activation`
(:func:`~cnnedu.explain.activation.activation_view`,
:func:`~cnnedu.explain.activation.softmax_view`), drawing functions of
:mod:`cnnedu.viz.activation` and a caption function here.
"""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from .. import samples
from ..explain.activation import WITH_ALPHA, activation_view, softmax_view
from ..viz.activation import draw_activation_panels, draw_softmax_panels, update_activation_panels
from ..viz.canvas import blit_figure
from ._base import LABEL_STYLE, Explorer
from ._recipe import recorded

__all__ = ["activation_explorer", "softmax_explorer"]

#: Dropdown label -> activation name.
ACTIVATION_CHOICES = (("sigmoid", "sigmoid"), ("tanh", "tanh"), ("ReLU", "relu"),
                      ("leaky ReLU", "leaky_relu"), ("ELU", "elu"), ("SELU", "selu"),
                      ("GELU", "gelu"), ("SiLU (Swish)", "silu"), ("PReLU", "prelu"))
#: Activation name -> its label.
LABELS = {name: label for label, name in ACTIVATION_CHOICES}

#: Logits of a classifier for one digit (classes 0-9), the default of softmax_explorer.
DEFAULT_LOGITS = (-1.2, 0.3, 1.1, 4.0, -0.5, 2.2, -2.0, 0.8, 2.9, 0.1)

#: Temperatures the softmax explorer offers, from nearly one-hot to nearly uniform.
TEMPERATURES = (0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0,
                10.0, 20.0, 50.0, 100.0)
#: Shifts c the softmax explorer offers (1000: np.exp(1000) overflows, softmax does not).
SHIFTS = (0.0, 10.0, 100.0, 1000.0)

#: Inputs of the activation explorer's curves.
X_GRID = np.linspace(-5, 5, 401)


def activation_caption(view) -> str:
    """The activation explorer's caption (HTML) for an ``ActivationView``."""
    label, x, alpha = LABELS[view.activation], view.x0, view.alpha
    notes = []
    if view.activation not in WITH_ALPHA:
        notes.append(f"alpha is not used by {label}")
    elif alpha == 0:
        notes.append("alpha = 0: the same as ReLU")
    elif view.activation in ("leaky_relu", "prelu") and alpha == 1:
        notes.append(f"alpha = 1: {label} is the identity, a linear function")
    elif view.activation in ("leaky_relu", "prelu") and alpha > 1:
        notes.append("alpha > 1: steeper for negative inputs than for positive ones")
    if view.activation == "prelu":
        notes.append("in a network PReLU learns alpha, one per channel (He et al. start "
                     "at 0.25)")
    caption = (f"{label}: f({x:.2f}) = {view.f_x0:.3f}, f'({x:.2f}) = {view.df_x0:.3f}. "
               f"On the feature map: f(z) = 0 for {100 * view.zero_fraction:.1f}% of the "
               f"pixels; mean slope f'(z) = {view.mean_slope:.3f}.")
    return caption + (" <i>" + "; ".join(notes) + ".</i>" if notes else "")


@recorded
def activation_explorer(activation: str = "relu", alpha: float = 0.1, x: float = -1.5,
                        feature_map=None) -> Explorer:
    """Explore an activation: its curve, its derivative and its effect on a feature map.

    Parameters
    ----------
    activation : {'sigmoid', 'tanh', 'relu', 'leaky_relu', 'elu', 'selu', 'gelu', 'silu', \
'prelu'}
        Initial choice.
    alpha : float in [0, 2]
        Initial ``alpha`` (used by leaky ReLU, ELU and PReLU only).
    x : float in [-5, 5]
        Initial input marked on the curves.
    feature_map : array_like (H, W), optional
        The pre-activations to transform; by default the Sobel-x response of
        a test digit, ``samples.edge_map(samples.digit(0))`` (:mod:`cnnedu.samples`).

    Returns
    -------
    Explorer
        Controls ``activation``, ``alpha``, ``x``. ``state()`` holds
        ``activation``, ``alpha`` (``None`` when not used), the curves
        ``x_grid``, ``f``, ``df``, the marked point ``x0``, ``f_x0``, ``df_x0``,
        the maps ``z``, ``fz`` (``f(z)``), ``dfz`` (``f'(z)``), and
        ``zero_fraction`` (share of ``f(z) == 0``) and ``mean_slope``
        (mean of ``f'(z)``).
    """
    if feature_map is None:
        feature_map = samples.edge_map(samples.digit(0))
    z = np.asarray(feature_map, dtype=float)
    if z.ndim != 2:
        raise ValueError(f"feature_map must be a 2-D array (H, W), got shape {z.shape}")
    controls = {
        "activation": widgets.Dropdown(options=ACTIVATION_CHOICES, value=activation,
                                       description="activation"),
        "alpha": widgets.FloatSlider(value=alpha, min=0.0, max=2.0, step=0.01,
                                     description="alpha", continuous_update=True),
        "x": widgets.FloatSlider(value=x, min=-5.0, max=5.0, step=0.1, description="input x"),
    }
    fig = blit_figure(9.6, 2.9)
    panels = draw_activation_panels(fig, activation_view(z, "relu", alpha, x, X_GRID))

    def update(activation, alpha, x):
        view = activation_view(z, activation, alpha, x, X_GRID)
        update_activation_panels(panels, view, f"{LABELS[activation]}: $f$ and $f'$")
        return view._asdict(), activation_caption(view)

    return Explorer(controls, fig, update, title="Activation explorer",
                    ranges={"alpha": lambda v: 2.0 if v["activation"] in WITH_ALPHA else None})


def _in_range(name: str, value, lo: float, hi: float) -> float:
    """``value`` as a float in ``[lo, hi]``, or a ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a number from {lo:g} to {hi:g}, got {value!r}")
    if not lo <= float(value) <= hi:
        raise ValueError(f"{name} must be from {lo:g} to {hi:g}, got {value!r}")
    return float(value)


def _choices(values, value: float) -> list:
    """``(label, value)`` options of ``values``, with ``value`` added in order if missing."""
    return [(f"{v:g}", v) for v in sorted({*map(float, values), value})]


def softmax_caption(view) -> str:
    """The softmax explorer's caption (HTML) for a ``SoftmaxView``."""
    if not view.valid:
        return f"<b>Cannot read the logits:</b> {view.error}. Example: 2, 1, 0.1"
    k, t, top, shift = view.typed.size, view.temperature, view.top_class, view.shift
    caption = (f"T = {t:.3g}: entropy {view.entropy:.3f} nats (0 for one certain class, "
               f"log {k} = {np.log(k):.3f} for a uniform guess); top class {top} with "
               f"p = {view.probabilities[top]:.3f}.")
    if shift:
        # the argument of exp is (z + c)/T: it overflows above log(max float64) = 709.78
        largest = float(view.logits.max() / t)
        overflow = (f" (np.exp alone would overflow: (z + c)/T reaches {largest:.6g} > 709.78)"
                    if largest > 709.78 else "")
        caption += (f" Every logit is shifted by c = {shift:g}{overflow}: the "
                    f"probabilities do not change, since softmax subtracts the maximum.")
    return caption


@recorded
def softmax_explorer(temperature: float = 1.0, logits=DEFAULT_LOGITS,
                     shift: float = 0.0) -> Explorer:
    """Explore softmax: probabilities of a vector of logits at temperature ``T``.

    Parameters
    ----------
    temperature : float in [0.01, 100]
        Initial temperature. The slider offers :data:`TEMPERATURES` (and this
        value, if it is not one of them).
    logits : sequence of 2 to 20 floats
        Initial logits (editable as text in the explorer).
    shift : float in [0, 1000]
        Initial constant ``c`` added to every logit (softmax does not change).
        The buttons offer :data:`SHIFTS` (and this value, if it is not one of them).

    Returns
    -------
    Explorer
        Controls ``temperature`` (a ``SelectionSlider`` of temperatures),
        ``shift`` (``ToggleButtons`` of shifts), ``logits`` (text). ``state()``
        holds ``valid`` and, for valid logits, ``logits`` (as typed, plus
        ``shift``), ``temperature``, ``probabilities``
        (:func:`~cnnedu.explain.activation.softmax_with_temperature`), ``entropy``
        (nats), ``max_entropy`` (``log K``) and ``top_class``. For logits
        that cannot be read, ``valid`` is False and ``error`` says why.
    """
    temperature = _in_range("temperature", temperature, 0.01, 100.0)
    shift = _in_range("shift", shift, 0.0, 1000.0)
    controls = {
        "temperature": widgets.SelectionSlider(options=_choices(TEMPERATURES, temperature),
                                               value=temperature, description="temperature T",
                                               style=LABEL_STYLE),
        "shift": widgets.ToggleButtons(options=_choices(SHIFTS, shift), value=shift,
                                       description="add c to all", style=LABEL_STYLE),
        "logits": widgets.Text(value=", ".join(f"{v:g}" for v in logits),
                               description="logits", continuous_update=False,
                               layout=widgets.Layout(width="32em")),
    }
    fig = blit_figure(9.0, 2.8)
    bars = draw_softmax_panels(fig, len(logits))

    def update(temperature, shift, logits):
        view = softmax_view(logits, temperature, shift)
        bars.update(view)
        return view.state(), softmax_caption(view)

    return Explorer(controls, fig, update, layout=[["temperature", "shift"], ["logits"]],
                    title="Softmax explorer")
