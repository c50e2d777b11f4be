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

What builders need beyond that is public API, so no builder subclasses
:class:`Explorer` or keeps state in dict cells:

- ``ranges={name: rule}``: a slider whose range (or enabled state) follows the
  other controls. Before every update, ``rule(values)`` gives the slider's
  largest value (the value is clamped into it), or ``None`` to disable it.
  The change is made quietly: the update still runs once.
- :meth:`Explorer.quietly`: a block in which setting control values does not
  update the view; :meth:`Explorer.set_values` sets several values and
  updates once.
- :meth:`Explorer.bind_play`: a Play button that steps a slider, in the
  kernel and (linked in the browser) in the static page.
- :meth:`Explorer.recording`: a block in which updates compute the state and
  the caption but do not render the live picture (the precomputed frames
  render their own).
"""
from __future__ import annotations

import contextlib
import html
import re
from typing import Callable, Mapping

import ipywidgets as widgets
import traitlets
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..viz.canvas import png_bytes
from ._lifetime import track

__all__ = ["Explorer", "new_figure", "LABEL_STYLE", "int_slider", "set_without_sending"]

#: Control style that gives a control's label the room it needs (long
#: descriptions such as "input pixel r·W + c" are not cut off).
LABEL_STYLE = {"description_width": "initial"}


def int_slider(value: int, lo: int, hi: int, description: str) -> widgets.IntSlider:
    """An integer slider from ``lo`` to ``hi`` whose label keeps its full width."""
    return widgets.IntSlider(value=value, min=lo, max=hi, description=description,
                             style=LABEL_STYLE)


def set_without_sending(widget: widgets.Widget, name: str, value) -> None:
    """Set ``widget.<name>`` on the Python side only, sending nothing to the browser.

    For a trait that a link in the browser (``jslink``/``jsdlink``) already
    keeps in step there, the moment a key is pressed. Python's own copy of
    the change would reach the browser later, after the reader's next key,
    and move the picture (or the slider) back to where it was. The value is
    still Python's state, so a saved page and the tests see it.
    """
    to_json = widget.trait_metadata(name, "to_json", widget._trait_to_json)
    lock = widget._property_lock          # ipywidgets' lock on values the browser sent
    widget._property_lock = {**lock, name: to_json(value, widget)}
    try:
        setattr(widget, name, value)
    finally:
        widget._property_lock = lock


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
    ranges : dict of str -> callable, optional
        ``{name: rule}``: before every update, slider ``name`` gets the range
        ``min .. rule(values)`` (its value clamped into it), or is disabled
        when the rule returns ``None``. ``values`` is the dict of every
        control's current value.

    Attributes
    ----------
    image : ipywidgets.Image
        The picture of the figure (the *live* picture).
    caption : ipywidgets.HTML
        The caption under it.
    frames : cnnedu.widgets._static.Frames or None
        The precomputed frames, once :meth:`with_frames` was called.
    live_only : dict of str -> ipywidgets widget
        Parts that only a live notebook can use (e.g. ``{'drawing': grid}``):
        with frames, the web page hides them and its note names them. Empty
        by default; a builder fills it.
    title : str
        The title given (may be '').

    An explorer not yet shown (a notebook opened before its cells ran) reads
    as one line of text saying what to do, :meth:`text_form`.
    """

    frames = None
    #: How to build this explorer again (:mod:`cnnedu.widgets._recipe`); set by its builder.
    recipe = None
    #: The recipe's bytes, sent with the widget once :meth:`with_frames` is called: the
    #: book's build moves them to a file of their own, which the page fetches only when
    #: the reader makes the explorer live (Python in the page, see ``_page``).
    _live_recipe = traitlets.Bytes(b"").tag(sync=True)
    #: Control name -> model id, so that the live explorer starts where the reader left
    #: the page's controls.
    _live_controls = traitlets.Dict().tag(sync=True)

    def __init__(self, controls: Mapping[str, widgets.Widget], figure: Figure,
                 update: Callable[..., tuple[dict, str]], layout=None, title: str | None = None,
                 *, ranges: Mapping[str, Callable[[dict], int | None]] | None = None):
        self.controls = dict(controls)
        self.figure = figure
        self._update = update
        self._state: dict = {}
        self._ranges = dict(ranges or {})
        unknown = [name for name in self._ranges if name not in self.controls]
        if unknown:
            raise ValueError(f"ranges names controls that do not exist: {unknown}")
        self.live_only: dict = {}
        self.title = title or ""
        self._quiet = 0          # > 0 inside quietly(): value changes do not update
        self._recording = False  # True inside recording(): no live picture
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
            control.observe(self._value_changed, names="value")
        self.refresh()
        track(self)     # in a notebook, closed when its cell runs again (see _lifetime)

    # ------------------------------------------------------------------ API
    def text_form(self) -> str:
        """One line for a notebook that shows no widgets (yet): what the explorer is, what to do.

        >>> print(stride_explorer().text_form())      # doctest: +SKIP
        Explorer "Stride, padding and dilation": run this cell (or the whole notebook) \
to show it and move its controls: stride s, padding p, kernel, dilation d.
        """
        title = html.unescape(re.sub(r"<[^>]*>", "", self.title)).strip()
        names = [html.unescape(re.sub(r"<[^>]*>", "", c.description or name)).strip()
                 for name, c in self.controls.items()]
        what = f'Explorer "{title}"' if title else "Explorer"
        if self.comm is None:
            return f"{what}, closed: run the cell that makes it to get a new one."
        return (f"{what}: run this cell (or the whole notebook) to show it and move its "
                f"controls: {', '.join(names)}.")

    def __repr__(self) -> str:
        return self.text_form()

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = self.text_form()      # whole (ipywidgets cuts its repr at 110)
        return bundle

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
        self._follow_ranges()
        self._state, message = self._update(**self.values())
        self.caption.value = message or ""
        if self._recording:        # the frames render their own PNG; the live one follows after
            return
        self.image.value = self.render_png()
        if self.frames is not None:
            self.frames.sync()

    def render_png(self, colors: int | None = None) -> bytes:
        """The figure as PNG bytes, drawn by Agg (:func:`cnnedu.viz.canvas.png_bytes`).

        Parameters
        ----------
        colors : int, optional
            Store a palette PNG of at most this many colours (median cut, no
            dithering; 256 makes the book's figures about 2.5 times smaller
            and looks the same). Default: a full RGBA PNG.
        """
        return png_bytes(self.figure, colors)

    def with_frames(self, sweep, *, colors: int | None = 256, max_bytes: int | None = 2_000_000,
                    note: str | None = None) -> "Explorer":
        """Precompute the pictures for ``sweep`` so the static book responds to those controls.

        ``display(kernel_slider().with_frames({"position": "all"}))``. See
        :func:`cnnedu.widgets._static.freeze` for the parameters; returns ``self``.
        """
        from ._recipe import encode
        from ._static import freeze

        freeze(self, sweep, colors=colors, max_bytes=max_bytes, note=note)
        if self.recipe is not None:
            self._live_controls = {name: c.model_id for name, c in self.controls.items()}
            self._live_recipe = encode(self)
        return self

    @contextlib.contextmanager
    def quietly(self):
        """A block in which setting control values does not update the view.

        >>> with explorer.quietly():
        ...     explorer.controls["row"].value = 0    # no update here
        """
        self._quiet += 1
        try:
            yield self
        finally:
            self._quiet -= 1

    def set_values(self, **values) -> None:
        """Set several controls, then update the view once."""
        unknown = [name for name in values if name not in self.controls]
        if unknown:
            raise ValueError(f"no such controls: {unknown}; controls are {list(self.controls)}")
        with self.quietly():
            # controls whose range follows others last, once their range fits the new values
            for name in sorted(values, key=lambda name: name in self._ranges):
                if name in self._ranges:
                    self._follow_ranges()
                self.controls[name].value = values[name]
        self.refresh()

    @contextlib.contextmanager
    def recording(self):
        """A block in which updates set the state and caption but render no live picture.

        The precomputed frames (:mod:`cnnedu.widgets._static`) render each
        frame themselves; the live picture is rendered once, after the block.
        """
        self._recording = True
        try:
            yield self
        finally:
            self._recording = False

    def bind_play(self, name: str, interval: int = 600) -> widgets.Play:
        """Put a Play button before slider ``name`` that steps it through its range.

        The two are linked in the browser (so Play also animates precomputed
        frames in the static page) and kept equal on the Python side, so a
        saved page shows the slider where its picture is. Returns the Play
        widget (also ``explorer.play``).
        """
        slider = self.controls[name]
        play = widgets.Play(value=slider.value, min=slider.min, max=slider.max,
                            interval=interval, description="play")
        self.play_link = widgets.jslink((play, "value"), (slider, "value"))

        def follow(change):
            # Equal in Python too. A change from the browser: the browser's link has
            # already moved the Play there, so it is not sent back. A change made in
            # Python (a chapter's cell) is sent, or the saved page's link would move
            # the slider back to the Play's old value.
            if "value" in slider._property_lock:      # ipywidgets: set by the browser
                set_without_sending(play, "value", change["new"])
            else:
                play.value = change["new"]

        slider.observe(follow, names="value")
        slider.observe(lambda change: setattr(play, "max", change["new"]), names="max")
        row = next((c for c in self.children
                    if isinstance(c, widgets.HBox) and slider in c.children), None)
        if row is None:
            raise ValueError(f"control {name!r} is not in a row of the explorer")
        row.children = (play,) + tuple(row.children)
        self.play = play
        return play

    def _follow_ranges(self) -> None:
        """Give every slider named in ``ranges`` its range for the current values, quietly."""
        if not self._ranges:
            return
        values = self.values()
        with self.quietly():
            for name, rule in self._ranges.items():
                control, top = self.controls[name], rule(values)
                control.disabled = top is None
                if top is not None and control.max != top:
                    if control.value > top:
                        control.value = top
                    control.max = top

    def _value_changed(self, change) -> None:
        if not self._quiet:
            self.refresh()
