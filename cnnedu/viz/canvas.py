"""The fast canvas every explorer draws on, and its pictures as PNG.

An explorer redraws its figure at every change of a control and shows it as a
PNG. Two things keep that fast:

- :class:`BlitCanvas` (made by :func:`blit_figure`) keeps the parts of the
  figure that do not change as a cached picture and draws only the artists
  that do (blitting);
- :func:`png_bytes` writes the figure as a PNG: quickly (zlib level 1) for
  the live picture, or as a palette PNG of a few hundred colours, about 2.5
  times smaller, for the precomputed frames of the static book.
"""
from __future__ import annotations

import io

import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

__all__ = ["BlitCanvas", "blit_figure", "png_bytes"]


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

    List the artists that change in ``fig.canvas.dynamic``.

    Parameters
    ----------
    width, height : float
        Inches.
    dpi : int, default 80
    **kwargs
        Passed to :class:`matplotlib.figure.Figure`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig = Figure(figsize=(width, height), dpi=dpi, **kwargs)
    BlitCanvas(fig)
    return fig


def png_bytes(figure, colors: int | None = None) -> bytes:
    """``figure`` as PNG bytes, drawn by its Agg canvas.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
        With an Agg canvas (a :class:`BlitCanvas` is drawn by its fast path).
    colors : int, optional
        Store a palette PNG of at most this many colours, 2 to 256 (median
        cut, no dithering; 256 makes the book's figures about 2.5 times
        smaller and looks the same). A transparent figure is laid over white
        first. Default: a full RGBA PNG.

    Returns
    -------
    bytes
    """
    canvas = getattr(figure, "canvas", None)
    if not isinstance(canvas, FigureCanvasAgg):
        raise TypeError(f"figure must be a matplotlib Figure drawn by an Agg canvas, "
                        f"got {type(figure).__name__}"
                        + (f" with a {type(canvas).__name__}" if canvas is not None else ""))
    if colors is not None and (isinstance(colors, bool) or not isinstance(colors, int)
                               or not 2 <= colors <= 256):
        raise ValueError(f"colors must be None or an int from 2 to 256, got {colors!r}")
    buffer = io.BytesIO()
    if colors is None:
        canvas.print_png(buffer)
        return buffer.getvalue()
    canvas.draw()
    rgba = np.asarray(canvas.buffer_rgba())
    if rgba[..., 3].min() == 255:
        rgb = np.ascontiguousarray(rgba[..., :3])
    else:                                     # composite a transparent figure on white
        alpha = rgba[..., 3:] / 255.0
        rgb = np.round(rgba[..., :3] * alpha + 255 * (1 - alpha)).astype(np.uint8)
    picture = Image.fromarray(rgb).quantize(colors, method=Image.Quantize.MEDIANCUT,
                                            dither=Image.Dither.NONE)
    picture.save(buffer, format="png")
    return buffer.getvalue()
