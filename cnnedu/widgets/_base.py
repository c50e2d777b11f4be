"""The machinery every explorer shares.

An explorer is built in three layers (see the design notes of the book):

1. *compute*: a pure function of :mod:`cnnedu` giving the arrays to show;
2. *draw*: :mod:`cnnedu.viz` functions that draw them on matplotlib ``Axes``;
3. *builder*: a function in :mod:`cnnedu.widgets` returning an :class:`Explorer`.

:class:`Explorer` is an ``ipywidgets.VBox`` holding the controls, a picture of
a matplotlib :class:`~matplotlib.figure.Figure` and a caption. The figure is
not managed by pyplot (so it is never displayed twice): it is drawn off-screen
by the Agg renderer and shown as a PNG in an ``ipywidgets.Image``. That keeps
an update fast (the builder changes artists in place with ``set_data``), works
in JupyterLab, and leaves a picture in the static book, whose saved widget
state contains the PNG.

Contract, so tests and benchmarks can drive an explorer without a browser:

- ``explorer.controls``: dict, name -> control widget;
- setting ``explorer.controls[name].value`` updates the view synchronously;
- ``explorer.figure``: the matplotlib Figure, updated in place;
- ``explorer.state()``: dict of the arrays (and numbers) currently shown;
- ``explorer.message``: the text of the caption (explanations of invalid
  settings appear there instead of an exception).

For the static book, ``explorer.with_frames(sweep)`` precomputes the pictures
for a set of control values and switches them in the browser without a
kernel (see :mod:`cnnedu.widgets._static`).
"""
from __future__ import annotations

import io
from typing import Callable, Mapping

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

__all__ = ["Explorer", "new_figure"]


def new_figure(width: float, height: float, dpi: int = 80, **kwargs) -> Figure:
    """A figure for an explorer: not managed by pyplot, rendered by Agg."""
    fig = Figure(figsize=(width, height), dpi=dpi, **kwargs)
    FigureCanvasAgg(fig)
    return fig


class Explorer(widgets.VBox):
    """Controls, a figure and a caption, kept in sync.

    Parameters
    ----------
    controls : dict of str -> ipywidgets widget
        Every control with a ``value``; a change of any value calls ``update``.
    figure : matplotlib.figure.Figure
        The figure ``update`` draws into (use :func:`new_figure`).
    update : callable
        ``update(**values) -> (state, message)``, called with every control's
        current value by name. It updates the figure's artists in place and
        returns the dict of arrays shown and a caption (HTML, may be '').
    layout : list of lists of str, optional
        Rows of control names, top to bottom; default one row of all controls.
    title : str, optional
        Shown above the controls.

    Attributes
    ----------
    image : ipywidgets.Image
        The picture of the figure (the *live* picture).
    caption : ipywidgets.HTML
        The caption under it.
    frames : cnnedu.widgets._static.Frames or None
        The precomputed frames, once :meth:`with_frames` was called.
    """

    frames = None
    _frames_busy = False   # True while the frames are being rendered

    def __init__(self, controls: Mapping[str, widgets.Widget], figure: Figure,
                 update: Callable[..., tuple[dict, str]], layout=None, title: str | None = None):
        self.controls = dict(controls)
        self.figure = figure
        self._update = update
        self._state: dict = {}
        self.image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
        self.caption = widgets.HTML(layout=widgets.Layout(min_height="1.5em"))
        rows = layout if layout is not None else [list(self.controls)]
        unknown = [name for row in rows for name in row if name not in self.controls]
        if unknown:
            raise ValueError(f"layout names controls that do not exist: {unknown}")
        children = []
        if title:
            children.append(widgets.HTML(f"<b>{title}</b>"))
        children += [widgets.HBox([self.controls[name] for name in row]) for row in rows]
        children += [self.image, self.caption]
        super().__init__(children=children)
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.refresh()

    # ------------------------------------------------------------------ API
    def values(self) -> dict:
        """The current value of every control, by name."""
        return {name: control.value for name, control in self.controls.items()}

    def state(self) -> dict:
        """The arrays and numbers currently shown (a shallow copy)."""
        return dict(self._state)

    @property
    def message(self) -> str:
        """The caption currently shown (HTML)."""
        return self.caption.value

    def refresh(self) -> None:
        """Recompute, redraw the figure and update the picture (and which frame shows)."""
        self._state, message = self._update(**self.values())
        self.caption.value = message or ""
        if self._frames_busy:      # the frames render their own PNG; the live one follows after
            return
        self.image.value = self.render_png()
        if self.frames is not None:
            self.frames.sync()

    def render_png(self, colors: int | None = None) -> bytes:
        """The figure as PNG bytes, drawn by Agg.

        Parameters
        ----------
        colors : int, optional
            Store a palette PNG of at most this many colours (median cut, no
            dithering; 256 makes the book's figures about 2.5 times smaller
            and looks the same). Default: a full RGBA PNG.
        """
        buffer = io.BytesIO()
        if colors is None:
            self.figure.canvas.print_png(buffer)
            return buffer.getvalue()
        canvas = self.figure.canvas
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

    def with_frames(self, sweep, *, colors: int | None = 256, max_bytes: int | None = 2_000_000,
                    note: str | None = None) -> "Explorer":
        """Precompute the pictures for ``sweep`` so the static book responds to those controls.

        ``display(kernel_slider().with_frames({"position": "all"}))``. See
        :func:`cnnedu.widgets._static.freeze` for the parameters; returns ``self``.
        """
        from ._static import freeze

        return freeze(self, sweep, colors=colors, max_bytes=max_bytes, note=note)

    def _on_change(self, change) -> None:
        self.refresh()
