"""Drawing functions for the chapters on activations and on the dense head.

Like :mod:`cnnedu.viz`, each function takes a matplotlib ``Axes`` and arrays,
draws, and returns its artists; an ``update_*`` twin changes them in place so
an explorer stays fast.

- :func:`plot_activation` / :func:`update_activation` -- an activation
  ``f`` and its derivative ``f'`` on one axes, with a marker at one input;
- :func:`draw_bars` / :func:`update_bars` -- one bar per class (logits or
  probabilities), each with its value written above it;
- :func:`show_dropout_mask` / :func:`update_dropout_mask` -- which units a
  dropout mask keeps (white) and drops (black);
- :class:`BlitCanvas` / :func:`blit_figure` -- a figure that redraws only the
  artists that change (blitting), so an explorer's update stays fast.

Line colours come from the Okabe-Ito palette, which stays distinguishable for
colour-blind readers.
"""
from __future__ import annotations

from typing import NamedTuple

import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .._checks import as_float_array
from .base import HIGHLIGHT_COLOR, IMAGE_CMAP, OKABE_ITO, show_image
from .base import _check_axes  # shared argument checks of the drawing functions

__all__ = ["BlitCanvas", "blit_figure", "F_COLOR", "GRAD_COLOR", "BAR_COLOR", "HIGHLIGHT_COLOR",
           "ActivationArtists", "plot_activation", "update_activation",
           "Bars", "draw_bars", "update_bars", "show_dropout_mask", "update_dropout_mask"]

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
    _check_axes(ax)
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
    _check_axes(ax)
    arr = _values(values)
    k = arr.size
    if labels is None:
        labels = [str(i) for i in range(k)]
    labels = [str(s) for s in labels]
    if len(labels) != k:
        raise ValueError(f"labels must have one entry per value: {k} values, "
                         f"got {len(labels)} labels")
    fmt = fmt.format if isinstance(fmt, str) else fmt
    if not callable(fmt):
        raise TypeError(f"fmt must be a format string such as '{{:.2f}}' or a callable, "
                        f"got {type(fmt).__name__}")
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
    _check_axes(ax)
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


# ------------------------------------------------------------------ fast redraw
class BlitCanvas(FigureCanvasAgg):
    """An Agg canvas that redraws only the artists that change.

    Drawing text (tick labels, titles) is most of the time matplotlib takes to
    draw a figure. This canvas draws the figure once with its *dynamic*
    artists hidden, keeps that picture as a background, and from then on
    renders by restoring the background and drawing the dynamic artists on
    top (blitting). Everything that is not in :attr:`dynamic` must stay as it
    is, or :meth:`invalidate` must be called after changing it (new axis
    limits, a new title...), so that the next render redraws the background.

    Only :meth:`print_png` called directly (as an explorer does) takes this
    fast path; ``savefig`` draws the whole figure as usual.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
    dynamic : sequence of Artist, optional
        Artists that change between renders; drawn last, in this order, so
        they must be on top of everything they overlap. Add more with
        ``canvas.dynamic.extend(...)``.
    """

    #: zlib level of the PNG: 1 is several times faster to write than the
    #: default 6, for files about a third larger.
    png_compress_level = 1

    def __init__(self, figure, dynamic=()):
        super().__init__(figure)
        self.dynamic = list(dynamic)
        self._background = None
        self._background_size = None

    def invalidate(self) -> None:
        """Redraw the background at the next render (after a change to a static artist)."""
        self._background = None

    def draw_fast(self) -> None:
        """Render into the canvas buffer: background (cached) plus the dynamic artists."""
        renderer = self.get_renderer()
        size = (renderer.width, renderer.height)
        if self._background is None or self._background_size != size:
            shown = [a for a in self.dynamic if a.get_visible()]
            for a in shown:
                a.set_visible(False)
            try:
                FigureCanvasAgg.draw(self)
            finally:
                for a in shown:
                    a.set_visible(True)
            renderer = self.get_renderer()
            self._background = self.copy_from_bbox(self.figure.bbox)
            self._background_size = size
        else:
            self.restore_region(self._background)
        for a in self.dynamic:
            if a.get_visible():
                a.draw(renderer)

    def print_png(self, filename_or_obj, *, metadata=None, pil_kwargs=None, **_savefig_kwargs):
        """Write the figure as PNG; blitted unless called by ``savefig``.

        ``savefig`` also passes ``dpi``, ``facecolor`` and the like, which it
        has already applied to the figure; matplotlib's own ``print_png``
        does not take them either.
        """
        if self.is_saving():
            return super().print_png(filename_or_obj, metadata=metadata, pil_kwargs=pil_kwargs)
        self.draw_fast()
        kwargs = {"compress_level": self.png_compress_level, **(pil_kwargs or {})}
        mpl.image.imsave(filename_or_obj, self.buffer_rgba(), format="png", origin="upper",
                         dpi=self.figure.dpi, metadata=metadata, pil_kwargs=kwargs)


def blit_figure(width: float, height: float, dpi: int = 80, **kwargs) -> Figure:
    """A figure for an explorer, not managed by pyplot, drawn by a :class:`BlitCanvas`.

    Like :func:`cnnedu.widgets.new_figure`; list the artists that change in
    ``fig.canvas.dynamic``.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig = Figure(figsize=(width, height), dpi=dpi, **kwargs)
    BlitCanvas(fig)
    return fig
