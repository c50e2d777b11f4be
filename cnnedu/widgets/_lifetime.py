"""Explorers that a notebook cell made in an earlier run are closed when it runs again.

Every widget lives in the kernel until it is closed, and an explorer with
precomputed frames is hundreds of widgets (the Stacks, pictures and captions
of every frame, their layouts and styles, the browser links). Without this
module each *Run All* of a chapter would add all of them again, and a
JupyterLab page that opens the notebook later loads every widget the kernel
still holds before it can draw one explorer.

How it works
------------
The first :class:`~cnnedu.widgets.Explorer` made inside IPython registers
two callbacks on IPython's events (once per shell; outside IPython nothing
happens). JupyterLab sends the id of the notebook cell it runs, which IPython
passes to its ``pre_run_cell`` event as ``info.cell_id``:

- an explorer made while a cell runs belongs to that run of that cell;
- when the same cell runs again, the explorers of its earlier run are
  *superseded*; at the end of every run (``post_run_cell``) the superseded
  explorers are closed: the explorer and every widget that belongs to it
  (:func:`owned_widgets`), so the kernel and the page forget them.

An explorer is kept, and checked again at the end of every later run, while
something may still show it (an explorer is closed whole or not at all):

- a display of it, of a part of it or of a widget holding it, by another
  run that is still the latest of its cell (a reader who runs ``ex = ...;
  ex`` in one cell and ``ex`` in the next, then the first cell again, still
  sees the old explorer in the second cell's output), by a run without a
  cell id, or into an ``Output`` widget that is still open;
- a variable of the reader's: a name in the namespace, or an item of a
  list, tuple, set or dict held by a name (the output history, ``_``,
  ``Out`` and ``_5``, does not count: it is not shown);
- another explorer that is kept and shares one of its widgets.

Without a cell id (plain IPython, nbclient and nbval, which build and test
the book) nothing is superseded and nothing is closed. A second browser page
on the same notebook that still shows the earlier run's outputs (a page does
not get the outputs of cells run from another page) loses those explorers'
pictures when the cell runs again; reloading it shows the current ones.
"""
from __future__ import annotations

import re
import weakref

import ipywidgets as widgets
import numpy as np

__all__ = ["track", "owned_widgets", "live_widget_count"]

# names of IPython's output history: what they hold is not shown anywhere
_HISTORY = re.compile(r"_+|_\d+|_i+|_i\d+|_[oid]h|Out|In")


def live_widget_count() -> int:
    """How many widgets the kernel holds (ipywidgets' registry of open widgets)."""
    from ipywidgets.widgets import widget as registry

    return len(registry._instances)


def owned_widgets(explorer) -> dict:
    """Every open widget that belongs to ``explorer``, by ``id``: what closing it closes.

    That is the explorer, its children (recursively) and every widget their
    traits hold (``layout``, ``style``), and the widgets the explorer or its
    frames keep as public attributes (controls, parts shown only live, the
    live picture, the precomputed frames' Stacks, pictures and notes, the
    browser links). A link's two ends are not followed: they are reached as
    the explorer's own widgets, or belong to something else.
    """
    return _reach([explorer])


def _reach(roots) -> dict:
    from ._base import Explorer
    from ._static import Frames

    found: dict = {}
    stack = list(roots)
    seen: set = set()
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, widgets.Widget):
            if obj.comm is None:            # closed already
                continue
            found[id(obj)] = obj
            if isinstance(obj, (widgets.widget_link.Link, widgets.widget_link.DirectionalLink)):
                continue
            for name in obj.keys:
                stack.append(getattr(obj, name, None))
            if isinstance(obj, Explorer):
                stack.extend(v for k, v in vars(obj).items() if not k.startswith("_"))
        elif isinstance(obj, Frames):
            stack.extend(v for k, v in vars(obj).items() if not k.startswith("_"))
        elif isinstance(obj, dict):
            stack.extend(obj.values())
        elif isinstance(obj, (list, tuple, set, frozenset)):
            stack.extend(obj)
        elif isinstance(obj, np.ndarray) and obj.dtype == object:
            stack.extend(obj.ravel().tolist())   # e.g. a grid of buttons
    return found


class _Lifetime:
    """The explorers and widget displays of one IPython shell, by run."""

    def __init__(self, shell):
        self.shell = weakref.ref(shell)
        self.latest: dict = {}         # cell id -> ExecutionInfo of its latest run
        self.explorers: list = []      # (weakref to explorer, ExecutionInfo of its run)
        self.displays: list = []       # (weakref to widget, ExecutionInfo or None, Output ref)

    # ------------------------------------------------------------ events
    def pre_run_cell(self, info) -> None:
        if getattr(info, "cell_id", None):
            self.latest[info.cell_id] = info

    def post_run_cell(self, result) -> None:
        self.close_superseded()

    def current_run(self):
        """The ``ExecutionInfo`` of the run in progress, or None (no run, or a silent one)."""
        shell = self.shell()
        exec_result = getattr(getattr(shell, "displayhook", None), "exec_result", None)
        info = getattr(exec_result, "info", None)
        if info is None or getattr(info, "silent", False):
            return None
        cell_id = getattr(info, "cell_id", None)
        if cell_id and cell_id not in self.latest:
            self.latest[cell_id] = info      # the run that made the first explorer
        return info

    def add(self, explorer) -> None:
        run = self.current_run()
        if run is not None and run.cell_id:
            self.explorers.append((weakref.ref(explorer), run))

    def note_display(self, widget) -> None:
        """Note that the run in progress (or an open ``Output`` widget) displays ``widget``."""
        capture = next((w for w in list(_registry().values())
                        if isinstance(w, widgets.Output) and w.msg_id), None)
        self.displays.append((weakref.ref(widget), self.current_run(),
                              weakref.ref(capture) if capture is not None else None))

    # ------------------------------------------------------------ closing
    def _is_latest(self, run) -> bool:
        return run is None or not run.cell_id or self.latest.get(run.cell_id) is run

    def close_superseded(self) -> list:
        """Close the superseded explorers nothing may still show; return those closed."""
        self.explorers = [(ref, run) for ref, run in self.explorers
                          if ref() is not None and ref().comm is not None]
        stale = [(ref(), run) for ref, run in self.explorers if not self._is_latest(run)]
        if not stale:
            return []
        # a display by a run its cell has run again since is gone (unless an Output holds it)
        self.displays = [(ref, run, out) for ref, run, out in self.displays
                         if ref() is not None and ref().comm is not None
                         and (out is not None or self._is_latest(run))]
        owned = {id(ex): owned_widgets(ex) for ex, _ in stale}
        held = _reach(self._held_by_names())
        closing = {}
        for ex, run in stale:
            shown = [ref() for ref, by, out in self.displays
                     if (out is not None and out() is not None and out().comm is not None)
                     or (by is not run and self._is_latest(by))]
            if not owned[id(ex)].keys() & (held.keys() | _reach(shown).keys()):
                closing[id(ex)] = ex
        # a widget shared with an explorer that stays keeps the other one too
        others = [ex for ex in _open_explorers() if id(ex) not in closing]
        kept = _reach(others)
        changed = True
        while changed:
            changed = False
            for key, ex in list(closing.items()):
                if owned[key].keys() & kept.keys():
                    del closing[key]
                    kept.update(owned[key])
                    changed = True
        for key, ex in closing.items():
            for widget in owned[key].values():
                widget.close()
        self.explorers = [(ref, run) for ref, run in self.explorers if id(ref()) not in closing]
        return list(closing.values())

    def _held_by_names(self) -> list:
        shell = self.shell()
        names = getattr(shell, "user_ns", {}) or {}
        held = []
        for name, value in list(names.items()):
            if _HISTORY.fullmatch(name):
                continue
            if isinstance(value, widgets.Widget):
                held.append(value)
            elif isinstance(value, (list, tuple, set, frozenset, dict)):
                items = value.values() if isinstance(value, dict) else value
                held.extend(v for v in list(items) if isinstance(v, widgets.Widget))
        return held


def _registry() -> dict:
    from ipywidgets.widgets import widget as registry

    return registry._instances


def _open_explorers() -> list:
    from ._base import Explorer

    return [w for w in list(_registry().values()) if isinstance(w, Explorer)]


_LIFETIMES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _shell():
    try:
        from IPython import get_ipython
    except ImportError:          # not in IPython: nothing to do
        return None
    return get_ipython()


def lifetime_of(shell) -> _Lifetime:
    """The shell's record of explorers, made (with its callbacks) the first time."""
    lifetime = _LIFETIMES.get(shell)
    if lifetime is None:
        lifetime = _LIFETIMES[shell] = _Lifetime(shell)
        shell.events.register("pre_run_cell", lifetime.pre_run_cell)
        shell.events.register("post_run_cell", lifetime.post_run_cell)
        # every widget displayed (alone, or as the last value of a cell) passes here
        formatter = shell.display_formatter.mimebundle_formatter
        previous = formatter.lookup_by_type(widgets.Widget) \
            if widgets.Widget in formatter.type_printers else None

        def bundle(widget):
            lifetime.note_display(widget)
            if previous is not None:             # a printer registered before keeps formatting
                return previous(widget)
            method = getattr(widget, "_repr_mimebundle_", None)    # None once closed
            return method() if callable(method) else None

        formatter.for_type(widgets.Widget, bundle)
    return lifetime


def track(explorer) -> None:
    """Note that ``explorer`` was made by the cell running now (nothing outside IPython)."""
    shell = _shell()
    if shell is None or not hasattr(shell, "events"):
        return
    lifetime_of(shell).add(explorer)
