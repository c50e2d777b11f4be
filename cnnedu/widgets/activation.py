"""Explorers of the chapter "Activation functions".

- :func:`activation_explorer` -- pick an activation (and its ``alpha``), see
  ``f`` and ``f'`` with a marker at one input, and what ``f`` does to a
  feature map (the Sobel response of a digit).
- :func:`softmax_explorer` -- softmax of ten logits at a temperature ``T``,
  as bars of probabilities, with the entropy in the caption.
"""
from __future__ import annotations

import re

import ipywidgets as widgets
import numpy as np

from ..explain.activation import (WITH_ALPHA, digit_feature_map, entropy, evaluate_activation,
                           softmax_with_temperature)
from ..viz.base import MAGNITUDE_CMAP, SIGNED_CMAP, show_image, signed_cmap_limits
from ..viz.activation import blit_figure, draw_bars, plot_activation, update_activation, update_bars
from ._base import Explorer

__all__ = ["activation_explorer", "softmax_explorer"]

#: Dropdown label -> activation name.
ACTIVATION_CHOICES = (("sigmoid", "sigmoid"), ("tanh", "tanh"), ("ReLU", "relu"),
                      ("leaky ReLU", "leaky_relu"), ("ELU", "elu"), ("SELU", "selu"))

#: Logits of a classifier for one digit (classes 0-9), the default of softmax_explorer.
DEFAULT_LOGITS = (-1.2, 0.3, 1.1, 4.0, -0.5, 2.2, -2.0, 0.8, 2.9, 0.1)


def _logit_label(v: float) -> str:
    return f"{v:.1f}" if abs(v) < 100 else f"{v:.0f}"


def _robust_limits(values, q: float = 99.5) -> tuple[float, float]:
    """Symmetric colour limits at the q-th percentile of |values| (a few extreme
    edges would otherwise wash out the rest of a feature map)."""
    m = float(np.percentile(np.abs(values), q))
    return signed_cmap_limits([m]) if m > 0 else signed_cmap_limits(values)


def _probability_label(p: float) -> str:
    return f"{p:.2f}" if p >= 0.005 else ""  # "0.00" on every small bar says nothing


def _rounded_limits(y, dydx, step: float = 0.5) -> tuple[float, float]:
    """y-limits holding both curves and 0..1, rounded out to a multiple of ``step``
    (so that small changes of alpha do not move the axes)."""
    lo = min(float(y.min()), float(dydx.min()), 0.0)
    hi = max(float(y.max()), float(dydx.max()), 1.0)
    pad = 0.05 * (hi - lo)
    return float(np.floor((lo - pad) / step) * step), float(np.ceil((hi + pad) / step) * step)


def _format_logits(values) -> str:
    return ", ".join(f"{v:g}" for v in values)


def activation_explorer(activation: str = "relu", alpha: float = 0.1, x: float = -1.5,
                        feature_map=None) -> Explorer:
    """Explore an activation: its curve, its derivative and its effect on a feature map.

    Parameters
    ----------
    activation : {'sigmoid', 'tanh', 'relu', 'leaky_relu', 'elu', 'selu'}
        Initial choice.
    alpha : float in [0, 2]
        Initial ``alpha`` (used by leaky ReLU and ELU only).
    x : float in [-5, 5]
        Initial input marked on the curves.
    feature_map : array_like (H, W), optional
        The pre-activations to transform; by default the Sobel-x response of
        a test digit (:func:`cnnedu.explain.activation.digit_feature_map`).

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
    z = digit_feature_map() if feature_map is None else np.asarray(feature_map, dtype=float)
    if z.ndim != 2:
        raise ValueError(f"feature_map must be a 2-D array (H, W), got shape {z.shape}")
    grid = np.linspace(-5, 5, 401)
    controls = {
        "activation": widgets.Dropdown(options=ACTIVATION_CHOICES, value=activation,
                                       description="activation"),
        "alpha": widgets.FloatSlider(value=alpha, min=0.0, max=2.0, step=0.01,
                                     description="alpha", continuous_update=True),
        "x": widgets.FloatSlider(value=x, min=-5.0, max=5.0, step=0.1, description="input x"),
    }
    fig = blit_figure(9.6, 2.9)
    gs = fig.add_gridspec(1, 4, width_ratios=[1.35, 1, 1, 1], left=0.05, right=0.99,
                          bottom=0.17, top=0.86, wspace=0.22)
    ax_curve = fig.add_subplot(gs[0])
    axes = [fig.add_subplot(gs[k]) for k in (1, 2, 3)]
    y0, d0 = evaluate_activation("relu", grid)
    curves = plot_activation(ax_curve, grid, y0, d0, title="$f$ and $f'$")
    zlim = _robust_limits(z)
    show_image(axes[0], z, cmap=SIGNED_CMAP, vmin=zlim[0], vmax=zlim[1],
               title="feature map $z$")
    im_f = show_image(axes[1], z, cmap=SIGNED_CMAP, vmin=zlim[0], vmax=zlim[1], title="$f(z)$")
    im_d = show_image(axes[2], z, cmap=MAGNITUDE_CMAP, vmin=0, vmax=1, title="$f'(z)$")
    # what changes from one update to the next is redrawn on a cached background
    fig.canvas.dynamic += [curves.f_line, curves.grad_line, curves.markers, curves.guide,
                           im_f, im_d, *axes[1].spines.values(), *axes[2].spines.values()]
    cache: dict = {}

    def update(activation, alpha, x):
        uses_alpha = activation in WITH_ALPHA
        controls["alpha"].disabled = not uses_alpha
        a = float(alpha) if uses_alpha else None
        key = (activation, a)
        if key not in cache:
            cache.clear()
            f_grid, d_grid = evaluate_activation(activation, grid, a)
            fz, dfz = evaluate_activation(activation, z, a)
            cache[key] = (f_grid, d_grid, fz, dfz)
            im_f.set_data(fz)
            im_f.set_clim(*_robust_limits(fz))
            im_d.set_data(dfz)
            im_d.set_clim(0, max(float(d_grid.max()), 1e-12))
        f_grid, d_grid, fz, dfz = cache[key]
        f_x0, df_x0 = (float(v) for v in evaluate_activation(activation, float(x), a))
        update_activation(curves, grid, f_grid, d_grid, x, f_x0, df_x0, rescale=False)
        label = dict((v, k) for k, v in ACTIVATION_CHOICES)[activation]
        title = f"{label}: $f$ and $f'$"
        ylim = _rounded_limits(f_grid, d_grid)
        if ax_curve.get_title() != title or ax_curve.get_ylim() != ylim:
            ax_curve.set_title(title)
            ax_curve.set_ylim(*ylim)
            fig.canvas.invalidate()
        zero = float(np.mean(fz == 0))
        slope = float(np.mean(dfz))
        notes = []
        if uses_alpha:
            if alpha == 0:
                notes.append("alpha = 0: the same as ReLU")
            elif activation == "leaky_relu" and alpha == 1:
                notes.append("alpha = 1: leaky ReLU is the identity, a linear function")
            elif activation == "leaky_relu" and alpha > 1:
                notes.append("alpha > 1: steeper for negative inputs than for positive ones")
        else:
            notes.append(f"alpha is not used by {label}")
        caption = (f"{label}: f({x:.2f}) = {f_x0:.3f}, f'({x:.2f}) = {df_x0:.3f}. "
                   f"On the feature map: f(z) = 0 for {100 * zero:.1f}% of the pixels; "
                   f"mean slope f'(z) = {slope:.3f}.")
        if notes:
            caption += " <i>" + "; ".join(notes) + ".</i>"
        state = {"activation": activation, "alpha": a, "x_grid": grid, "f": f_grid,
                 "df": d_grid, "x0": float(x), "f_x0": f_x0, "df_x0": df_x0, "z": z,
                 "fz": fz, "dfz": dfz, "zero_fraction": zero, "mean_slope": slope}
        return state, caption

    return Explorer(controls, fig, update, title="Activation explorer")


def parse_logits(text: str) -> np.ndarray:
    """Read logits typed as numbers separated by commas or spaces.

    Parameters
    ----------
    text : str
        E.g. ``"2, 1, 0.1"``.

    Returns
    -------
    ndarray of float64, shape (K,), 2 <= K <= 20, values in [-1e6, 1e6]

    Raises
    ------
    ValueError
        For anything that is not 2 to 20 numbers in [-1e6, 1e6]; the message
        says what is wrong.
    """
    parts = [p for p in re.split(r"[,\s;]+", str(text).strip()) if p]
    values = []
    for p in parts:
        try:
            values.append(float(p))
        except ValueError:
            raise ValueError(f"'{p}' is not a number") from None
    arr = np.array(values, dtype=np.float64)
    if not 2 <= arr.size <= 20:
        raise ValueError(f"type 2 to 20 logits separated by commas, got {arr.size}")
    if not np.all(np.isfinite(arr)):
        raise ValueError("logits must be finite numbers (no nan or inf)")
    if np.any(np.abs(arr) > 1e6):
        raise ValueError("logits must lie between -1e6 and 1e6 (softmax only looks at "
                         "their differences)")
    return arr


def softmax_explorer(temperature: float = 1.0, logits=DEFAULT_LOGITS,
                     shift: float = 0.0) -> Explorer:
    """Explore softmax: probabilities of a vector of logits at temperature ``T``.

    Parameters
    ----------
    temperature : float in [0.01, 100]
        Initial temperature (a log-scale slider).
    logits : sequence of 2 to 20 floats
        Initial logits (editable as text in the explorer).
    shift : float in [0, 1000]
        Initial constant ``c`` added to every logit (softmax does not change).

    Returns
    -------
    Explorer
        Controls ``temperature``, ``shift``, ``logits`` (text). ``state()``
        holds ``valid`` and, for valid logits, ``logits`` (as typed, plus
        ``shift``), ``temperature``, ``probabilities``
        (:func:`~cnnedu.explain.activation.softmax_with_temperature`), ``entropy``
        (nats), ``max_entropy`` (``log K``) and ``top_class``. For logits
        that cannot be read, ``valid`` is False and ``error`` says why.
    """
    controls = {
        "temperature": widgets.FloatLogSlider(value=temperature, base=10, min=-2, max=2,
                                              step=0.05, description="temperature T",
                                              readout_format=".3g"),
        "shift": widgets.FloatSlider(value=shift, min=0.0, max=1000.0, step=10.0,
                                     description="add c to all"),
        "logits": widgets.Text(value=_format_logits(logits), description="logits",
                               continuous_update=False,
                               layout=widgets.Layout(width="32em")),
    }
    fig = blit_figure(9.0, 2.8)
    ax_z, ax_p = fig.subplots(1, 2, gridspec_kw=dict(left=0.06, right=0.99, bottom=0.17,
                                                     top=0.86, wspace=0.18))
    drawn: dict = {"typed": None}

    def draw(k):
        """(Re)create both bar charts for k classes."""
        ax_z.cla()
        ax_p.cla()
        labels = [str(i) for i in range(k)]
        drawn["k"] = k
        drawn["z"] = draw_bars(ax_z, np.zeros(k), labels, fmt=_logit_label, title="logits z")
        drawn["p"] = draw_bars(ax_p, np.full(k, 1.0 / k), labels, fmt=_probability_label,
                               ylim=(0, 1.12), title="softmax((z + c) / T)")
        ax_z.set_xlabel("class")
        ax_p.set_xlabel("class")
        corner = dict(ha="right", va="bottom", fontsize=9, color="0.2")  # right of the title
        drawn["t"] = ax_p.text(1.0, 1.02, "", transform=ax_p.transAxes, **corner)
        drawn["c"] = ax_z.text(1.0, 1.02, "", transform=ax_z.transAxes, **corner)
        # redrawn at every update (short texts: long ones are slow to draw)
        fig.canvas.dynamic = [*drawn["p"].rects, *drawn["p"].texts, drawn["t"], drawn["c"]]
        fig.canvas.invalidate()

    draw(len(logits))

    def update(temperature, shift, logits):
        t = float(temperature)
        try:
            z = parse_logits(logits)
        except ValueError as exc:
            for bars in (drawn["z"], drawn["p"]):
                update_bars(bars, np.full(len(bars.rects), np.nan))
            drawn["typed"] = None
            drawn["t"].set_text("no valid logits")
            drawn["c"].set_text("")
            fig.canvas.invalidate()
            return ({"valid": False, "error": str(exc)},
                    f"<b>Cannot read the logits:</b> {exc}. Example: 2, 1, 0.1")
        if z.size != drawn["k"]:
            draw(z.size)
        if drawn["typed"] is None or not np.array_equal(z, drawn["typed"]):
            drawn["typed"] = z
            update_bars(drawn["z"], z, rescale=True)
            fig.canvas.invalidate()
        shifted = z + shift
        p = softmax_with_temperature(shifted, t)
        h = entropy(p)
        top = int(np.argmax(p))
        update_bars(drawn["p"], p, highlight=top)
        drawn["c"].set_text(f"each + c, c = {shift:g}" if shift else "")
        drawn["t"].set_text(f"T = {t:.3g}")
        k = z.size
        caption = (f"T = {t:.3g}: entropy {h:.3f} nats (0 for one certain class, "
                   f"log {k} = {np.log(k):.3f} for a uniform guess); top class {top} with "
                   f"p = {p[top]:.3f}.")
        if shift:
            overflow = " (np.exp would overflow above 709.78)" if shifted.max() > 709.78 else ""
            caption += (f" Every logit is shifted by c = {shift:g}{overflow}: the "
                        f"probabilities do not change, since softmax subtracts the maximum.")
        state = {"valid": True, "logits": shifted, "temperature": t, "probabilities": p,
                 "entropy": h, "max_entropy": float(np.log(k)), "top_class": top}
        return state, caption

    return Explorer(controls, fig, update, layout=[["temperature", "shift"], ["logits"]],
                    title="Softmax explorer")
