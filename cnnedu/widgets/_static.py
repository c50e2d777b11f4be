"""Precomputed frames: explorers that respond in the static book.

A published page has no kernel, so an explorer's Python ``update`` cannot run
there. :func:`freeze` (also ``explorer.with_frames(sweep)``) renders the
explorer, with its own code, for every combination of a few controls'
values, and embeds the pictures and captions in the widget as nested
``ipywidgets.Stack`` s, one level per swept control, each Stack linked to its
control in the browser by ``ipywidgets.jsdlink``. Moving a slider in the
static page then switches the picture without any Python::

    display(kernel_slider().with_frames({"position": "all"}))
    display(stride_explorer().with_frames({"stride": "all", "padding": "all"}))

How a control selects a frame
-----------------------------
A Stack shows its child number ``selected_index``; the link copies into it
the control's ``value`` (``IntSlider``, ``Play``, ``BoundedIntText``) or
``index`` (``Dropdown``, ``ToggleButtons``, ``RadioButtons``,
``SelectionSlider``, ``Select``). So the Stack of a slider has one slot per
value from 0 to ``max``: a swept value's slot holds its frame (or the Stack
of the next control), any other slot a short note that this value was not
precomputed for the web page. One more slot, after those, holds the *live*
picture (``explorer.image`` and ``explorer.caption``).

On the web page the controls that are not swept, and any other widget of the
explorer that only Python answers (buttons, the digit explorer's drawing
cells), are marked with the CSS class ``cnnedu-fixed`` (the book's style
sheet greys them out; JupyterLab does not load it); a ``Play`` linked in the
browser to a swept slider stays live and, unless ``note=''``, a line above the picture says
which controls the page follows.

In a live kernel
----------------
The explorer stays fully general, and the picture always matches the
controls, because the Python side chooses what every Stack shows after each
update:

- while every control that is not swept keeps the value it had when the
  frames were made, the links stay; a swept value shows its frame (the
  picture the update draws for it) and any other value the live picture;
- once a non-swept control changes (a text box, the kernel of the kernel
  slider, ...), the frames no longer match: the links are removed and every
  Stack shows the live picture, until that control is set back.

Size
----
Each distinct frame is one PNG in the notebook's widget state (in base64,
4/3 of its bytes) plus about 1 kB of widget state. The published book moves
each PNG to a file of its own (``_static/frames/<sha1>.png``, see
``_ext/offline_assets.py``), which the browser fetches only when the frame
is shown. Frames are palette PNGs by default (``colors=256``, median cut, no
dithering: the book's figures shrink about 2.5 times and look the same);
``colors=None`` stores the explorer's full PNGs. ``explorer.frames.nbytes``
is the total, and ``max_bytes`` refuses a sweep that would make the
notebook and the book too heavy.
"""
from __future__ import annotations

import html
import itertools
from typing import Mapping, Sequence

import ipywidgets as widgets

__all__ = ["Frames", "freeze", "FRAMES_CLASS", "SWEPT_CLASS", "FIXED_CLASS", "EXPLORER_CLASS"]

#: CSS class of the outer Stack of frames (the browser tests look for it)
FRAMES_CLASS = "cnnedu-frames"
#: CSS class of every swept control
SWEPT_CLASS = "cnnedu-swept"
#: CSS class of every control that is not swept (greyed out on the web page)
FIXED_CLASS = "cnnedu-fixed"
#: CSS class of an explorer with frames
EXPLORER_CLASS = "cnnedu-explorer"

DEFAULT_MAX_BYTES = 2_000_000

_VALUE_CONTROLS = (widgets.IntSlider, widgets.BoundedIntText, widgets.Play)
_INDEX_CONTROLS = (widgets.Dropdown, widgets.ToggleButtons, widgets.RadioButtons,
                   widgets.SelectionSlider, widgets.Select)
_NOT_PRECOMPUTED = ("<i>This value was not precomputed for the web page; run the notebook "
                    "(launch button at the top) to see it.</i>")
_RULED_OUT = "<i>This combination of values does not exist: change one of them.</i>"


def _option_values(control) -> list:
    return [o[1] if isinstance(o, tuple) else o for o in control.options]


class _Level:
    """One swept control: the trait its link reads and the Stack slot of each value."""

    def __init__(self, name, control, values):
        self.name, self.control = name, control
        if isinstance(control, _INDEX_CONTROLS):
            self.trait = "index"
            options = _option_values(control)
            self.values = self._listed(options if _is_all(values) else values)
            missing = [v for v in self.values if v not in options]
            if missing:
                raise ValueError(f"sweep for {name!r} has values that are not options of the "
                                 f"control: {missing}; options are {options}")
            self.slots = len(options)
        elif isinstance(control, _VALUE_CONTROLS):
            self.trait = "value"
            lo, hi = control.min, control.max
            if lo < 0:
                raise ValueError(f"control {name!r} can take negative values (min={lo}); a frame "
                                 f"is chosen by the control's value, which must be >= 0")
            step = getattr(control, "step", 1) or 1
            self.values = self._listed(range(lo, hi + 1, step) if _is_all(values) else values)
            bad = [v for v in self.values
                   if not isinstance(v, int) or isinstance(v, bool) or not lo <= v <= hi]
            if bad:
                raise ValueError(f"sweep for {name!r} has values outside the control's range "
                                 f"{lo}..{hi} (integers): {bad}")
            self.slots = hi + 1
        else:
            raise TypeError(
                f"cannot sweep control {name!r} ({type(control).__name__}): frames follow "
                f"integer sliders (IntSlider, Play, BoundedIntText: their value) and selection "
                f"controls (Dropdown, ToggleButtons, RadioButtons, SelectionSlider, Select: "
                f"their index)")

    def _listed(self, values) -> list:
        if isinstance(values, (str, bytes)) or not isinstance(values, (Sequence, range)):
            raise TypeError(f"sweep for {self.name!r} must be a list of values or 'all', "
                            f"got {values!r}")
        values = [int(v) if hasattr(v, "__index__") and not isinstance(v, bool) else v
                  for v in values]
        values = list(dict.fromkeys(values))
        if not values:
            raise ValueError(f"sweep for {self.name!r} is empty")
        return values

    def slot_of(self, value) -> int:
        """The Stack slot that the link selects when the control has ``value``."""
        if self.trait == "index":
            return _option_values(self.control).index(value)
        return value

    @property
    def live_slot(self) -> int:
        return self.slots

    def slot_now(self) -> int:
        """The slot the Python side selects: the frame of a swept value, else the live picture."""
        value = self.control.value
        return self.slot_of(value) if value in self.values else self.live_slot

    def complete(self) -> bool:
        """True when every value the control can take has a frame."""
        if self.trait == "index":
            return len(self.values) == len(self.control.options)
        step = getattr(self.control, "step", 1) or 1
        return len(self.values) == len(range(self.control.min, self.control.max + 1, step))

    def label(self) -> str:
        return html.escape(self.control.description or self.name)


def _is_all(values) -> bool:
    return isinstance(values, str) and values == "all"


class Frames:
    """The precomputed frames of an explorer and the links that switch them.

    Made by :func:`freeze`; reach it as ``explorer.frames``.

    Attributes
    ----------
    view : ipywidgets.Stack
        The outer Stack (CSS class ``cnnedu-frames``), where the picture was.
    stacks : list of ipywidgets.Stack
        Every Stack, outer first.
    links : list of ipywidgets.widget_link.DirectionalLink
        ``(control, 'value' or 'index') -> (stack, 'selected_index')``, one
        per Stack; empty while a non-swept control is off its value.
    live : ipywidgets.VBox
        The live picture, ``VBox([explorer.image, explorer.caption])``.
    pictures : dict
        ``{tuple of values, in sweep order: (png bytes, caption html)}``; a
        combination that the explorer does not accept (setting one control
        moved another, e.g. a position beyond a smaller output) has no
        picture, and its slot says so.
    count, nbytes : int
        Distinct frames and their PNG bytes (what the notebook carries, before base64).
    """

    def __init__(self, explorer, sweep: Mapping[str, object], colors: int | None = 256,
                 max_bytes: int | None = DEFAULT_MAX_BYTES, note: str | None = None):
        if not isinstance(sweep, Mapping) or not sweep:
            raise ValueError(f"sweep must be a dict naming at least one control, e.g. "
                             f"{{'stride': [1, 2, 3]}}, got {sweep!r}")
        unknown = [k for k in sweep if k not in explorer.controls]
        if unknown:
            raise ValueError(f"sweep names controls that do not exist: {unknown}; "
                             f"controls are {list(explorer.controls)}")
        self.explorer = explorer
        self.colors = colors
        self.levels = [_Level(name, explorer.controls[name], values)
                       for name, values in sweep.items()]
        self.baseline = explorer.values()
        self.fixed = [name for name in explorer.controls if name not in sweep]
        combos = 1
        for level in self.levels:
            combos *= len(level.values)
        self.pictures = self._render_all()
        if not self.pictures:
            raise ValueError(f"the explorer accepts none of the combinations of {dict(sweep)}")
        distinct = {png for png, _ in self.pictures.values()}
        self.count = len(distinct)
        self.nbytes = sum(len(png) for png in distinct)
        if max_bytes is not None and self.nbytes > max_bytes:
            raise ValueError(
                f"frames for {dict(sweep)} take {self.nbytes / 1e6:.2f} MB ({combos} combinations, "
                f"{self.count} distinct pictures of {self.nbytes / self.count / 1e3:.0f} kB on "
                f"average), more than max_bytes={max_bytes / 1e6:.2f} MB; sweep fewer values, "
                f"or raise max_bytes if the page stays under 6 MB")
        self.links: list = []
        self._build_widgets(note)
        self.sync()

    # ------------------------------------------------------------ rendering
    def _render_all(self) -> dict:
        """Drive the explorer's own controls through every combination, then restore them."""
        ex = self.explorer
        pictures = {}
        with ex.recording():
            try:
                for combo in itertools.product(*(level.values for level in self.levels)):
                    for level, value in zip(self.levels, combo):
                        level.control.value = value
                    if any(level.control.value != value
                           for level, value in zip(self.levels, combo)):
                        continue   # a value the other settings rule out (the update moved it)
                    pictures[combo] = (ex.render_png(colors=self.colors), ex.caption.value)
            finally:
                ex.set_values(**{name: value for name, value in self.baseline.items()
                                 if ex.controls[name].value != value})
        ex.refresh()                           # the live picture of the baseline again
        return pictures

    def _build_widgets(self, note) -> None:
        ex = self.explorer
        # where the picture and the caption sit, before they move into the live slot
        image_parent, caption_parent = _parent_of(ex, ex.image), _parent_of(ex, ex.caption)
        if image_parent is None:
            raise ValueError("the explorer's picture (explorer.image) is not among its children")
        image_layout = widgets.Layout(max_width="100%")
        caption_layout = widgets.Layout(min_height="1.5em")
        leaves = {}

        def leaf(png, caption):
            if (png, caption) not in leaves:
                leaves[png, caption] = widgets.VBox([
                    widgets.Image(value=png, format="png", layout=image_layout),
                    widgets.HTML(caption, layout=caption_layout)])
            return leaves[png, caption]

        self.live = widgets.VBox([ex.image, ex.caption])
        self.not_precomputed = widgets.HTML(_NOT_PRECOMPUTED)
        self.ruled_out = widgets.HTML(_RULED_OUT)
        self.stacks = []

        def stack(depth, prefix):
            level = self.levels[depth]
            children = [self.not_precomputed] * level.slots + [self.live]
            for value in level.values:
                key = prefix + (value,)
                if depth + 1 < len(self.levels):
                    child = stack(depth + 1, key)
                else:
                    child = leaf(*self.pictures[key]) if key in self.pictures else self.ruled_out
                children[level.slot_of(value)] = child
            s = widgets.Stack(children, selected_index=level.live_slot)
            self.stacks.append((s, level))
            return s

        self.view = stack(0, ())
        self.stacks.sort(key=lambda pair: self.levels.index(pair[1]))    # outer first
        self.view.add_class(FRAMES_CLASS)
        for level in self.levels:
            level.control.add_class(SWEPT_CLASS)
        for widget in self._inert_widgets():
            widget.add_class(FIXED_CLASS)
        ex.add_class(EXPLORER_CLASS)
        if note is None:
            note = self._default_note()
        self.note = widgets.HTML(note)
        self.note.add_class("cnnedu-frames-note")
        picture = widgets.VBox([self.note, self.view]) if note else self.view
        image_parent.children = tuple(picture if c is ex.image else c
                                      for c in image_parent.children)
        if caption_parent is not None:
            caption_parent.children = tuple(c for c in caption_parent.children
                                            if c is not ex.caption)

    def _inert_widgets(self) -> list:
        """Every control of the explorer that nothing answers on the web page.

        That is every interactive widget among the explorer's children (the
        controls that are not swept, but also buttons and the like, such as
        the digit explorer's drawing cells), except the swept controls and the
        widgets linked to one of them in the browser (a ``Play`` jslinked to a
        swept slider animates the frames on the web page too).
        """
        ex = self.explorer
        swept = {id(level.control) for level in self.levels}
        live = set(swept)
        for link in _browser_links(ex):
            ends = {id(link.source[0]), id(link.target[0])}
            if ends & swept:
                live |= ends
        inert = []

        def walk(widget):
            if widget is self.view:
                return
            if isinstance(widget, (widgets.ValueWidget, widgets.Button)) and id(widget) not in live:
                if not isinstance(widget, (widgets.Image, widgets.HTML, widgets.HTMLMath,
                                           widgets.Label)):
                    inert.append(widget)
            for child in getattr(widget, "children", ()):
                walk(child)

        walk(ex)
        return inert

    def _default_note(self) -> str:
        """A line saying what the web page follows, when it does not follow everything."""
        if not self.fixed and all(level.complete() for level in self.levels):
            return ""
        swept = " and ".join(f"<b>{level.label()}</b>" for level in self.levels)
        return (f"<small>On the web page the picture follows {swept} (precomputed); every "
                f"control responds when the notebook runs.</small>")

    # ------------------------------------------------------------ live sync
    def frames_apply(self) -> bool:
        """True while every non-swept control has the value the frames were made with."""
        values = self.explorer.values()
        return all(values[name] == self.baseline[name] for name in self.fixed)

    def sync(self) -> None:
        """Choose, on the Python side, what every Stack shows (called after each update)."""
        if self.frames_apply():
            if not self.links:
                self.links = [widgets.jsdlink((level.control, level.trait), (s, "selected_index"))
                              for s, level in self.stacks]
            for s, level in self.stacks:
                s.selected_index = level.slot_now()
        else:
            for link in self.links:
                link.close()
            self.links = []
            for s, level in self.stacks:
                s.selected_index = level.live_slot

    def shown(self) -> widgets.Widget:
        """What the Stacks select now: a frame ``VBox([Image, HTML])``, ``self.live`` or
        ``self.not_precomputed``."""
        w = self.view
        while isinstance(w, widgets.Stack):
            w = w.children[w.selected_index]
        return w


def _browser_links(explorer) -> list:
    """The ``jslink`` / ``jsdlink`` objects an explorer keeps as attributes (e.g. ``play_link``)."""
    link_types = (widgets.widget_link.Link, widgets.widget_link.DirectionalLink)
    return [value for value in vars(explorer).values() if isinstance(value, link_types)]


def _parent_of(root, target):
    for child in getattr(root, "children", ()):
        if child is target:
            return root
        found = _parent_of(child, target)
        if found is not None:
            return found
    return None


def freeze(explorer, sweep: Mapping[str, object], *, colors: int | None = 256,
           max_bytes: int | None = DEFAULT_MAX_BYTES, note: str | None = None):
    """Precompute an explorer's frames for the static book (see the module notes).

    Parameters
    ----------
    explorer : Explorer
        Any explorer; its controls are driven through the sweep and restored.
    sweep : dict, control name -> list of values or ``'all'``
        The frames are the product of the lists; the first control is the
        outer Stack. ``'all'`` is every value of an integer control (``min``
        to ``max`` by ``step``) or every option of a selection control.
    colors : int or None, default 256
        Palette size of the frames' PNGs (None: the explorer's full PNGs).
    max_bytes : int or None, default 2_000_000
        Refuse (ValueError) a sweep whose distinct PNGs take more bytes.
    note : str, optional
        HTML shown above the picture. Default: when some controls are not
        swept or a sweep skips values, a line saying which controls the web
        page follows; ``''`` for none.

    Returns
    -------
    Explorer
        The same explorer, its picture replaced by the frames (``explorer.frames``).
    """
    if getattr(explorer, "frames", None) is not None:
        raise ValueError("this explorer already has frames; build a new explorer to sweep again")
    explorer.frames = Frames(explorer, sweep, colors=colors, max_bytes=max_bytes, note=note)
    return explorer
