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
of the next control). One more slot, after those, holds the *live* picture
(``explorer.image`` and ``explorer.caption``, in the VBox ``frames.live``).

Every other slot (a value that was not swept, a combination the explorer
rules out) also holds the live picture, so that a live notebook shows the
picture its kernel draws whatever value the browser copies into a Stack.
The book's build (``_ext/offline_assets.py``) puts a short note in those
slots of the web page instead ("This value was not precomputed for the web
page", or "This combination of values does not exist"): the two notes are
the HTML widgets ``frames.not_precomputed`` and ``frames.ruled_out`` (CSS
classes ``cnnedu-not-precomputed`` and ``cnnedu-ruled-out``), which no live
view shows, and a ruled-out slot holds ``frames.live_ruled_out``, a second
VBox of the live picture (CSS class ``cnnedu-frames-ruled-out``) that tells
the build which note goes there.

On the web page the controls that are not swept, and any other widget of the
explorer that only Python answers (buttons and the like), are marked with the
CSS class ``cnnedu-fixed``: the book's build disables them and says why on
hover (JupyterLab does not load the build's changes). Parts that only a live
notebook can use at all (``explorer.live_only``, such as the digit explorer's
drawing grid) get the class ``cnnedu-live-only`` and the book's style sheet
hides them. A ``Play`` linked in the browser to a swept slider stays live.
Unless ``note=''``, a line above the picture says which controls the page
follows (and which values of them were precomputed) and which need a live
notebook. The build also narrows a swept integer slider of the web page to
the span of its precomputed values (chapter 6's test digits 0-39 of 300).

In a live kernel
----------------
The explorer stays fully general, and the picture always matches the
controls, because the Python side chooses what every Stack shows after each
update:

- while every control that is not swept keeps the value it had when the
  frames were made, the links stay; a swept value shows its frame (the
  picture the update draws for it) and any other value the live picture
  (whichever slot the browser's link or Python selects: in a live notebook
  every slot without a frame holds the live picture);
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
from ipywidgets.widgets.widget_string import HTMLStyle

from ._base import set_without_sending

__all__ = ["Frames", "freeze", "FRAMES_CLASS", "SWEPT_CLASS", "FIXED_CLASS", "EXPLORER_CLASS",
           "LIVE_CLASS", "LIVE_RULED_OUT_CLASS", "NOT_PRECOMPUTED_CLASS", "RULED_OUT_CLASS",
           "LIVE_ONLY_CLASS"]

#: CSS class of the outer Stack of frames (the browser tests look for it)
FRAMES_CLASS = "cnnedu-frames"
#: CSS class of every swept control
SWEPT_CLASS = "cnnedu-swept"
#: CSS class of every control that is not swept (disabled on the web page)
FIXED_CLASS = "cnnedu-fixed"
#: CSS class of an explorer with frames
EXPLORER_CLASS = "cnnedu-explorer"
#: CSS class of the live picture's VBox (the last slot of every Stack of frames)
LIVE_CLASS = "cnnedu-frames-live"
#: CSS class of the live picture's second VBox, in the slots of ruled-out combinations
LIVE_RULED_OUT_CLASS = "cnnedu-frames-ruled-out"
#: CSS class of the web page's note for a value without a frame
NOT_PRECOMPUTED_CLASS = "cnnedu-not-precomputed"
#: CSS class of the web page's note for a combination the explorer rules out
RULED_OUT_CLASS = "cnnedu-ruled-out"
#: CSS class of a part of an explorer that only a live notebook can use (hidden on the web page)
LIVE_ONLY_CLASS = "cnnedu-live-only"

DEFAULT_MAX_BYTES = 2_000_000

_VALUE_CONTROLS = (widgets.IntSlider, widgets.BoundedIntText, widgets.Play)
_INDEX_CONTROLS = (widgets.Dropdown, widgets.ToggleButtons, widgets.RadioButtons,
                   widgets.SelectionSlider, widgets.Select)
_NOT_PRECOMPUTED = ("<i>This value was not precomputed for the web page; run the notebook "
                    "to see it.</i>")
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

    def values_text(self) -> str:
        """The swept values, for the note: ``'0-39'`` for a run of a slider's steps, else a list.

        For a selection control that misses only a few options: ``'all but custom'``.
        """
        if self.trait == "value":
            step = getattr(self.control, "step", 1) or 1
            lo, hi = min(self.values), max(self.values)
            if sorted(self.values) == list(range(lo, hi + 1, step)) and hi - lo >= 2 * step:
                return f"{lo}\u2013{hi}"
            return ", ".join(str(v) for v in sorted(self.values))
        labels = [str(o[0]) if isinstance(o, tuple) else str(o) for o in self.control.options]
        swept = [labels[self.slot_of(v)] for v in self.values]
        missing = [label for label in labels if label not in swept]
        if len(missing) < len(swept):
            return "all but " + ", ".join(html.escape(label) for label in missing)
        return ", ".join(html.escape(label) for label in swept)


def _and(items: list) -> str:
    """``'a'``, ``'a and b'``, ``'a, b and c'``."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


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
        The live picture, ``VBox([explorer.image, explorer.caption])``: the
        last slot of every Stack, and every slot of a value without a frame.
    live_ruled_out : ipywidgets.VBox
        The same live picture, in the slots of combinations the explorer rules out.
    not_precomputed, ruled_out : ipywidgets.HTML
        The web page's notes for those slots (the book's build puts them there;
        no live view shows them).
    note : ipywidgets.HTML
        The line above the picture (empty with ``note=''``).
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
                f"or raise max_bytes (the web page stores every distinct picture as a file)")
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
        # one layout and one style shared by all frames keep the saved widget state small
        image_layout = widgets.Layout(max_width="100%")
        caption_layout = widgets.Layout(min_height="1.5em")
        caption_style = HTMLStyle()
        box_layout = widgets.Layout()
        leaves = {}

        def leaf(png, caption):
            if (png, caption) not in leaves:
                leaves[png, caption] = widgets.VBox([
                    widgets.Image(value=png, format="png", layout=image_layout),
                    widgets.HTML(caption, layout=caption_layout, style=caption_style)],
                    layout=box_layout)
            return leaves[png, caption]

        self.live = widgets.VBox([ex.image, ex.caption])
        self.live.add_class(LIVE_CLASS)
        self.live_ruled_out = widgets.VBox([ex.image, ex.caption])
        self.live_ruled_out.add_class(LIVE_RULED_OUT_CLASS)
        # the web page's notes, which the book's build puts in place of the live picture
        self.not_precomputed = widgets.HTML(_NOT_PRECOMPUTED)
        self.not_precomputed.add_class(NOT_PRECOMPUTED_CLASS)
        self.ruled_out = widgets.HTML(_RULED_OUT)
        self.ruled_out.add_class(RULED_OUT_CLASS)
        self.stacks = []

        def stack(depth, prefix):
            level = self.levels[depth]
            # a slot without a frame shows the live picture in a live notebook
            children = [self.live] * (level.slots + 1)
            for value in level.values:
                key = prefix + (value,)
                if depth + 1 < len(self.levels):
                    child = stack(depth + 1, key)
                elif key in self.pictures:
                    child = leaf(*self.pictures[key])
                else:
                    child = self.live_ruled_out
                children[level.slot_of(value)] = child
            s = widgets.Stack(children, selected_index=level.live_slot, layout=box_layout)
            self.stacks.append((s, level))
            return s

        self.view = stack(0, ())
        self.stacks.sort(key=lambda pair: self.levels.index(pair[1]))    # outer first
        self.view.add_class(FRAMES_CLASS)
        for level in self.levels:
            level.control.add_class(SWEPT_CLASS)
        for part in ex.live_only.values():
            part.add_class(LIVE_ONLY_CLASS)
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
        controls that are not swept, but also buttons and the like), except
        the swept controls, the widgets linked to one of them in the browser
        (a ``Play`` jslinked to a swept slider animates the frames on the web
        page too) and the parts in ``explorer.live_only`` (hidden on the web
        page).
        """
        ex = self.explorer
        swept = {id(level.control) for level in self.levels}
        live = set(swept)
        for link in _browser_links(ex):
            ends = {id(link.source[0]), id(link.target[0])}
            if ends & swept:
                live |= ends
        inert = []
        hidden = {id(part) for part in ex.live_only.values()}

        def walk(widget):
            if widget is self.view or id(widget) in hidden:
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
        """A line saying what the web page follows, when it does not follow everything.

        It names the swept controls, with the values precomputed when not all
        of them were, and the controls and parts that need Python (the page's own, once
        the reader makes the explorer live, or a notebook's).
        """
        live_only = list(self.explorer.live_only)
        if not self.fixed and not live_only and all(level.complete() for level in self.levels):
            return ""
        swept = _and([f"<b>{level.label()}</b>"
                      + ("" if level.complete() else f" (precomputed: {level.values_text()})")
                      for level in self.levels])
        note = f"On the web page the picture follows {swept}"
        needs = [f"<b>{html.escape(self.explorer.controls[name].description or name)}</b>"
                 for name in self.fixed] + [html.escape(name) for name in live_only]
        if needs:
            verb = "needs" if len(needs) == 1 else "need"
            note += (f"; {_and(needs)} {verb} Python: press <i>Make it live</i> above the "
                     "explorer, or run the notebook")
        return f"<small>{note}.</small>"

    # ------------------------------------------------------------ live sync
    def frames_apply(self) -> bool:
        """True while every non-swept control has the value the frames were made with."""
        values = self.explorer.values()
        return all(values[name] == self.baseline[name] for name in self.fixed)

    def sync(self) -> None:
        """Choose, on the Python side, what every Stack shows (called after each update).

        A link made again (a non-swept control is back at its value) copies the
        control's value into its Stacks in the browser at once: a value without
        a frame selects a slot that holds the live picture, as Python does.
        """
        if self.frames_apply():
            if not self.links:
                self.links = [widgets.jsdlink((level.control, level.trait), (s, "selected_index"))
                              for s, level in self.stacks]
            for s, level in self.stacks:
                # the browser's links select it there when the control moves
                set_without_sending(s, "selected_index", level.slot_now())
        else:
            for link in self.links:
                link.close()
            self.links = []
            for s, level in self.stacks:
                s.selected_index = level.live_slot

    def shown(self) -> widgets.Widget:
        """What the Stacks select now: a frame ``VBox([Image, HTML])`` or ``self.live``
        (``self.live_ruled_out`` for a combination the explorer rules out)."""
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
