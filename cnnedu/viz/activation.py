"""Drawing functions for the chapters on activations and on the dense head.

Like :mod:`cnnedu.viz`, each function takes a matplotlib ``Axes`` and arrays,
draws, and returns its artists; an ``update_*`` twin changes them in place so
an explorer stays fast.

- :func:`plot_activation` / :func:`update_activation` -- an activation
  ``f`` and its derivative ``f'`` on one axes, with a marker at one input;
- :func:`draw_bars` / :func:`update_bars` -- one bar per class (logits or
  probabilities), each with its value written above it;
- :func:`draw_activation_panels` / :func:`update_activation_panels` -- the
  activation explorer's curves and feature maps;
- :func:`draw_softmax_panels` (a :class:`SoftmaxBars`) -- the softmax
  explorer's bars of logits and probabilities.

The dropout mask is drawn by :mod:`cnnedu.viz.dense`.

Line colours come from the Okabe-Ito palette, which stays distinguishable for
colour-blind readers.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._checks import as_float_array
from .base import (HIGHLIGHT_COLOR, MAGNITUDE_CMAP, OKABE_ITO, SIGNED_CMAP, check_axes,
                   show_image, signed_cmap_limits)
from .text import number_formatter

__all__ = ["F_COLOR", "GRAD_COLOR", "BAR_COLOR", "HIGHLIGHT_COLOR",
           "ActivationArtists", "plot_activation", "update_activation",
           "Bars", "draw_bars", "update_bars", "robust_limits", "rounded_limits",
           "ActivationPanels", "draw_activation_panels", "update_activation_panels",
           "logit_label", "probability_label", "SoftmaxBars", "draw_softmax_panels"]

#: Colour of an activation's curve (Okabe-Ito blue).
F_COLOR = OKABE_ITO["blue"]
#: Colour of its derivative (Okabe-Ito vermillion; the line is also dashed).
GRAD_COLOR = OKABE_ITO["vermillion"]
#: Colour of a bar (Okabe-Ito sky blue).
BAR_COLOR = OKABE_ITO["sky blue"]
# The highlighted bar takes the book's highlight colour, Okabe-Ito orange
# (HIGHLIGHT_COLOR, imported from cnnedu.viz).


def _curves(x, y, dydx):
    x = as_float_array(x, "x")
    y = as_float_array(y, "y")
    dydx = as_float_array(dydx, "dydx")
    if x.ndim != 1 or x.size < 2:
        raise ValueError(f"x must be a 1-D array of at least 2 points, got shape {x.shape}")
    for name, arr in (("y", y), ("dydx", dydx)):
        if arr.shape != x.shape:
            raise ValueError(f"{name} must have the shape of x {x.shape}, got {arr.shape}")
    return x, y, dydx


def _curve_limits(y, dydx):
    finite = np.concatenate([y[np.isfinite(y)], dydx[np.isfinite(dydx)], [0.0, 1.0]])
    lo, hi = float(finite.min()), float(finite.max())
    pad = 0.08 * (hi - lo)
    return lo - pad, hi + pad


class ActivationArtists(NamedTuple):
    """The artists made by :func:`plot_activation`."""

    #: the curve of ``f`` (``Line2D``)
    f_line: object
    #: the curve of ``f'`` (``Line2D``)
    grad_line: object
    #: the markers at ``(x0, f(x0))`` and ``(x0, f'(x0))`` (``Line2D``, two points)
    markers: object
    #: the vertical guide at ``x0`` (``Line2D``)
    guide: object


def plot_activation(ax, x, y, dydx, x0=None, y0=None, dydx0=None, title=None,
                    legend=True):
    """Draw an activation ``y = f(x)`` and its derivative ``f'(x)`` on one axes.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    x : array_like, shape (P,)
        Inputs, increasing.
    y, dydx : array_like, shape (P,)
        ``f(x)`` and ``f'(x)``.
    x0, y0, dydx0 : float, optional
        An input and its ``f(x0)``, ``f'(x0)``: marked by two dots and a
        dotted vertical line. All three or none.
    title : str, optional
    legend : bool, default True

    Returns
    -------
    ActivationArtists
        ``(f_line, grad_line, markers, guide)``; pass it to
        :func:`update_activation`. Without ``x0`` the markers and guide
        exist but are hidden.
    """
    check_axes(ax)
    x, y, dydx = _curves(x, y, dydx)
    (f_line,) = ax.plot(x, y, color=F_COLOR, lw=2, label="$f(x)$")
    (grad_line,) = ax.plot(x, dydx, color=GRAD_COLOR, lw=1.6, ls="--", label="$f'(x)$")
    (markers,) = ax.plot([0, 0], [0, 0], "o", color="0.15", ms=5, zorder=5)
    guide = ax.axvline(0.0, color="0.4", lw=0.8, ls=":")
    ax.axhline(0, color="0.6", lw=0.6, zorder=0)
    ax.set_xlim(float(x[0]), float(x[-1]))
    ax.set_ylim(*_curve_limits(y, dydx))
    ax.set_xlabel("input $x$")
    ax.grid(True, lw=0.4, alpha=0.5)
    if legend:
        ax.legend(loc="upper left", fontsize=8, frameon=False)
    if title is not None:
        ax.set_title(title)
    artists = ActivationArtists(f_line, grad_line, markers, guide)
    _set_marker(artists, x0, y0, dydx0)
    return artists


def _set_marker(artists, x0, y0, dydx0):
    given = [v is not None for v in (x0, y0, dydx0)]
    if any(given) and not all(given):
        raise ValueError("x0, y0 and dydx0 go together: give all three or none")
    visible = all(given)
    if visible:
        x0, y0, dydx0 = float(x0), float(y0), float(dydx0)
        artists.markers.set_data([x0, x0], [y0, dydx0])
        artists.guide.set_xdata([x0, x0])
    artists.markers.set_visible(visible)
    artists.guide.set_visible(visible)


def update_activation(artists, x, y, dydx, x0=None, y0=None, dydx0=None, rescale=True):
    """Show new curves (and marker) in the artists of :func:`plot_activation`, in place.

    Parameters
    ----------
    artists : ActivationArtists
    x, y, dydx : array_like, shape (P,)
    x0, y0, dydx0 : float, optional
        As for :func:`plot_activation`; omitted, the marker is hidden.
    rescale : bool, default True
        Fit the y-limits to the new curves.

    Returns
    -------
    ActivationArtists
        ``artists`` itself.
    """
    if not isinstance(artists, ActivationArtists):
        raise TypeError(f"artists must be the ActivationArtists returned by plot_activation, "
                        f"got {type(artists).__name__}")
    x, y, dydx = _curves(x, y, dydx)
    artists.f_line.set_data(x, y)
    artists.grad_line.set_data(x, dydx)
    _set_marker(artists, x0, y0, dydx0)
    if rescale:
        artists.f_line.axes.set_ylim(*_curve_limits(y, dydx))
    return artists


class Bars(NamedTuple):
    """The artists made by :func:`draw_bars`."""

    #: one ``Rectangle`` per value
    rects: list
    #: one ``Text`` per value, written above (or below) its bar
    texts: list
    #: the function that turns a value into its label
    fmt: object


def _values(values, name="values"):
    arr = as_float_array(values, name)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array, got shape {arr.shape}")
    return arr


def _place_text(text, x, v, ylim, fmt):
    lo, hi = ylim
    offset = 0.02 * (hi - lo)
    if np.isfinite(v):
        y = min(max(v, lo), hi)
        text.set_position((x, y + offset if v >= 0 else y - offset))
        text.set_va("bottom" if v >= 0 else "top")
        text.set_text(fmt(v))
    else:
        text.set_position((x, offset))
        text.set_va("bottom")
        text.set_text("")


def draw_bars(ax, values, labels=None, fmt="{:.2f}", ylim=None, highlight=None,
              title=None, ylabel=None, fontsize=8):
    """One bar per entry of ``values`` with the value written at its end.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    values : array_like, shape (K,)
        E.g. the K logits or the K probabilities of a classifier.
    labels : sequence of K str, optional
        Tick labels under the bars; by default ``0 .. K-1``.
    fmt : str or callable, default ``'{:.2f}'``
        Format of a value (:func:`cnnedu.viz.text.number_formatter`: no minus
        sign on a value that rounds to zero).
    ylim : (float, float), optional
        Fixed y-limits, e.g. ``(0, 1)`` for probabilities (they then stay
        put when the values change). By default fitted to the values.
    highlight : int, optional
        Index of a bar drawn in :data:`HIGHLIGHT_COLOR` (e.g. the true class).
    title, ylabel : str, optional
    fontsize : float, default 8

    Returns
    -------
    Bars
        ``(rects, texts, fmt)``; pass it to :func:`update_bars`.
    """
    check_axes(ax)
    arr = _values(values)
    k = arr.size
    if labels is None:
        labels = [str(i) for i in range(k)]
    labels = [str(s) for s in labels]
    if len(labels) != k:
        raise ValueError(f"labels must have one entry per value: {k} values, "
                         f"got {len(labels)} labels")
    fmt = number_formatter(fmt)
    heights = np.where(np.isfinite(arr), arr, 0.0)
    rects = list(ax.bar(np.arange(k), heights, color=BAR_COLOR, edgecolor="0.3",
                        linewidth=0.6, width=0.75))
    ax.set_xticks(np.arange(k))
    ax.set_xticklabels(labels)
    ax.axhline(0, color="0.3", lw=0.6)
    if ylim is None:
        ylim = _fit_limits(heights)
    ax.set_ylim(*ylim)
    ax.set_xlim(-0.6, k - 0.4)
    texts = [ax.text(i, 0, "", ha="center", fontsize=fontsize) for i in range(k)]
    bars = Bars(rects, texts, fmt)
    for i, v in enumerate(arr):
        _place_text(texts[i], i, float(v), ax.get_ylim(), fmt)
    _set_highlight(bars, highlight)
    if title is not None:
        ax.set_title(title)
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    return bars


def _fit_limits(heights):
    lo = min(0.0, float(heights.min()))
    hi = max(0.0, float(heights.max()))
    span = (hi - lo) or 1.0
    return lo - 0.15 * span * (lo < 0), hi + 0.15 * span


def _set_highlight(bars, highlight):
    k = len(bars.rects)
    if highlight is not None and not (isinstance(highlight, (int, np.integer))
                                      and 0 <= highlight < k):
        raise ValueError(f"highlight must be a bar index in [0, {k}), got {highlight!r}")
    for i, rect in enumerate(bars.rects):
        rect.set_facecolor(HIGHLIGHT_COLOR if i == highlight else BAR_COLOR)


def update_bars(bars, values, highlight=None, rescale=False):
    """Show new values in the bars of :func:`draw_bars`, in place.

    Parameters
    ----------
    bars : Bars
    values : array_like, shape (K,)
        Non-finite values are drawn as empty bars without a label.
    highlight : int, optional
    rescale : bool, default False
        Fit the y-limits to the new values (else they stay).

    Returns
    -------
    Bars
        ``bars`` itself.
    """
    if not isinstance(bars, Bars):
        raise TypeError(f"bars must be the Bars returned by draw_bars, got {type(bars).__name__}")
    arr = _values(values)
    if arr.size != len(bars.rects):
        raise ValueError(f"values must have one entry per bar ({len(bars.rects)}), "
                         f"got {arr.size}")
    heights = np.where(np.isfinite(arr), arr, 0.0)
    for rect, h in zip(bars.rects, heights):
        rect.set_height(float(h))
    ax = bars.rects[0].axes
    if rescale:
        ax.set_ylim(*_fit_limits(heights))
    ylim = ax.get_ylim()
    for i, v in enumerate(arr):
        _place_text(bars.texts[i], i, float(v), ylim, bars.fmt)
    _set_highlight(bars, highlight)
    return bars


# ------------------------------------------------------------------ the chapter's explorers
def robust_limits(values, q: float = 99.5) -> tuple[float, float]:
    """Symmetric colour limits at the q-th percentile of ``|values|``.

    A few extreme edges would otherwise wash out the rest of a feature map;
    an all-zero map falls back to :func:`cnnedu.viz.base.signed_cmap_limits`.
    """
    m = float(np.percentile(np.abs(values), q))
    return signed_cmap_limits([m]) if m > 0 else signed_cmap_limits(values)


def rounded_limits(y, dydx, step: float = 0.5) -> tuple[float, float]:
    """y-limits holding both curves and 0..1, rounded out to a multiple of ``step``
    (so that small changes of alpha do not move the axes)."""
    lo = min(float(y.min()), float(dydx.min()), 0.0)
    hi = max(float(y.max()), float(dydx.max()), 1.0)
    pad = 0.05 * (hi - lo)
    return float(np.floor((lo - pad) / step) * step), float(np.ceil((hi + pad) / step) * step)


class ActivationPanels(NamedTuple):
    """The artists of the activation explorer (:func:`draw_activation_panels`)."""

    #: the curves of ``f`` and ``f'`` and the marker
    curves: ActivationArtists
    #: the images of ``f(z)`` and ``f'(z)``
    f_map: object
    df_map: object


def draw_activation_panels(fig, view) -> ActivationPanels:
    """Draw the activation explorer's four panels on ``fig``, once.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        A :func:`cnnedu.viz.canvas.blit_figure`; the artists that change are
        added to ``fig.canvas.dynamic``.
    view : cnnedu.explain.activation.ActivationView
        Gives the grid of the curves and the feature map ``z`` (H, W).

    Returns
    -------
    ActivationPanels
        Pass it to :func:`update_activation_panels`.
    """
    gs = fig.add_gridspec(1, 4, width_ratios=[1.35, 1, 1, 1], left=0.05, right=0.99,
                          bottom=0.17, top=0.86, wspace=0.22)
    ax_curve = fig.add_subplot(gs[0])
    axes = [fig.add_subplot(gs[k]) for k in (1, 2, 3)]
    curves = plot_activation(ax_curve, view.x_grid, view.f, view.df, title="$f$ and $f'$")
    z = view.z
    lo, hi = robust_limits(z)
    show_image(axes[0], z, cmap=SIGNED_CMAP, vmin=lo, vmax=hi, title="feature map $z$")
    f_map = show_image(axes[1], z, cmap=SIGNED_CMAP, vmin=lo, vmax=hi, title="$f(z)$")
    df_map = show_image(axes[2], z, cmap=MAGNITUDE_CMAP, vmin=0, vmax=1, title="$f'(z)$")
    # what changes from one update to the next is redrawn on a cached background
    fig.canvas.dynamic += [curves.f_line, curves.grad_line, curves.markers, curves.guide,
                           f_map, df_map, *axes[1].spines.values(), *axes[2].spines.values()]
    return ActivationPanels(curves, f_map, df_map)


def update_activation_panels(panels: ActivationPanels, view, title: str) -> None:
    """Show ``view`` (an ``ActivationView``) in the panels, in place, under ``title``."""
    panels.f_map.set_data(view.fz)
    panels.f_map.set_clim(*robust_limits(view.fz))
    panels.df_map.set_data(view.dfz)
    # GELU and SiLU have slightly negative slopes: start the scale there
    panels.df_map.set_clim(min(float(view.df.min()), 0.0), max(float(view.df.max()), 1e-12))
    update_activation(panels.curves, view.x_grid, view.f, view.df, view.x0, view.f_x0,
                      view.df_x0, rescale=False)
    ax = panels.curves.f_line.axes
    ylim = rounded_limits(view.f, view.df)
    if ax.get_title() != title or ax.get_ylim() != ylim:
        ax.set_title(title)
        ax.set_ylim(*ylim)
        ax.figure.canvas.invalidate()


def logit_label(v: float) -> str:
    """A logit written above its bar: one decimal, none from 100 up."""
    return f"{v:.1f}" if abs(v) < 100 else f"{v:.0f}"


def probability_label(p: float) -> str:
    """A probability written above its bar; none below 0.005 ("0.00" says nothing)."""
    return f"{p:.2f}" if p >= 0.005 else ""


class SoftmaxBars:
    """The softmax explorer's two bar charts, logits and probabilities, on two Axes.

    Drawn again (:meth:`draw`) when the number of classes changes; updated in
    place otherwise (:meth:`update`).

    Parameters
    ----------
    ax_z, ax_p : matplotlib.axes.Axes
        For the logits and for the probabilities; their figure has a
        :class:`cnnedu.viz.canvas.BlitCanvas`.
    k : int
        Number of classes drawn first.
    """

    def __init__(self, ax_z, ax_p, k: int):
        self.ax_z, self.ax_p = ax_z, ax_p
        self.typed = None      # the logits the left chart shows
        self.draw(k)

    def draw(self, k: int) -> None:
        """(Re)create both bar charts for ``k`` classes."""
        ax_z, ax_p = self.ax_z, self.ax_p
        ax_z.cla()
        ax_p.cla()
        labels = [str(i) for i in range(k)]
        self.k, self.typed = k, None
        self.z = draw_bars(ax_z, np.zeros(k), labels, fmt=logit_label, title="logits z")
        self.p = draw_bars(ax_p, np.full(k, 1.0 / k), labels, fmt=probability_label,
                           ylim=(0, 1.12), title="softmax((z + c) / T)")
        ax_z.set_xlabel("class")
        ax_p.set_xlabel("class")
        corner = dict(ha="right", va="bottom", fontsize=9, color="0.2")  # right of the title
        self.t = ax_p.text(1.0, 1.02, "", transform=ax_p.transAxes, **corner)
        self.c = ax_z.text(1.0, 1.02, "", transform=ax_z.transAxes, **corner)
        # redrawn at every update (short texts: long ones are slow to draw)
        canvas = ax_p.figure.canvas
        canvas.dynamic = [*self.p.rects, *self.p.texts, self.t, self.c]
        canvas.invalidate()

    def update(self, view) -> None:
        """Show ``view`` (a ``SoftmaxView``); empty bars when its logits are not valid."""
        canvas = self.ax_p.figure.canvas
        if not view.valid:
            for bars in (self.z, self.p):
                update_bars(bars, np.full(len(bars.rects), np.nan))
            self.typed = None
            self.t.set_text("no valid logits")
            self.c.set_text("")
            canvas.invalidate()
            return
        if view.typed.size != self.k:
            self.draw(view.typed.size)
        if self.typed is None or not np.array_equal(view.typed, self.typed):
            self.typed = view.typed
            update_bars(self.z, view.typed, rescale=True)
            canvas.invalidate()
        update_bars(self.p, view.probabilities, highlight=view.top_class)
        self.c.set_text(f"each + c, c = {view.shift:g}" if view.shift else "")
        self.t.set_text(f"T = {view.temperature:.3g}")


def draw_softmax_panels(fig, k: int) -> SoftmaxBars:
    """The softmax explorer's two panels on ``fig`` (a blit figure), for ``k`` classes."""
    ax_z, ax_p = fig.subplots(1, 2, gridspec_kw=dict(left=0.06, right=0.99, bottom=0.17,
                                                     top=0.86, wspace=0.18))
    return SoftmaxBars(ax_z, ax_p, k)
