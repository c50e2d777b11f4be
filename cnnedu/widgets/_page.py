"""Explorers live in a web page, with Python running in the browser and no kernel.

The static book can make an explorer live: Python (Pyodide) starts in a Web
Worker of the page, builds the explorer again from its recipe
(:mod:`cnnedu.widgets._recipe`) and talks to the page's widget manager with
the messages a Jupyter kernel would send (the Jupyter widget protocol over
comms). There is no kernel, so this module is the comm layer:

- :func:`install` replaces ``comm.create_comm`` by :class:`PageComm`, whose
  messages go to ``send(message)`` (in the page: a ``postMessage`` to the
  main thread), and stops ipywidgets from echoing the browser's own changes
  back (the page has one view per model; echoes only matter with several).
- :func:`receive` hands a message from the page (a control moved) to the
  widget it is for, as a kernel would; the explorer updates synchronously,
  and its new picture goes out through ``send`` before :func:`receive`
  returns.
- :func:`build` makes the explorer from its recipe and returns the id of its
  root widget, whose view the page shows in place of the static one.

The page's Python has no IPython: ipywidgets imports only a few names from
it, and :mod:`cnnedu._no_ipython` stands in for them (the page registers it
before importing :mod:`cnnedu.widgets`).

A message for the page is a dict: ``type`` (``'comm_open'``, ``'comm_msg'``
or ``'comm_close'``), ``comm_id``, ``target_name``, ``data``, ``metadata``
and ``buffers`` (a list of ``bytes``).
"""
from __future__ import annotations

import os
from typing import Callable

import comm
from comm.base_comm import BaseComm

__all__ = ["install", "receive", "build", "PageComm"]

_send: Callable[[dict], None] | None = None


def install(send: Callable[[dict], None]) -> None:
    """Send every widget message to ``send(message)`` from now on.

    Call before the first widget is made (before importing ipywidgets is
    best: ipywidgets reads ``JUPYTER_WIDGETS_ECHO`` when imported).
    """
    global _send
    os.environ["JUPYTER_WIDGETS_ECHO"] = "0"
    from ipywidgets.widgets import widget

    widget.JUPYTER_WIDGETS_ECHO = False
    _send = send
    comm.create_comm = PageComm


class PageComm(BaseComm):
    """A comm whose messages go to the page (see :func:`install`)."""

    def publish_msg(self, msg_type, data=None, metadata=None, buffers=None, **keys):
        if _send is None:
            raise RuntimeError("cnnedu.widgets._page.install(send) was not called")
        _send({
            "type": msg_type,
            "comm_id": self.comm_id,
            "target_name": self.target_name,
            "data": {} if data is None else data,
            "metadata": {} if metadata is None else metadata,
            "buffers": [bytes(b) for b in (buffers or [])],
        })


def receive(comm_id: str, data: dict, buffers=()) -> None:
    """Deliver a message from the page (``data`` of a ``comm_msg``) to widget ``comm_id``."""
    target = comm.get_comm_manager().get_comm(comm_id)
    if target is None:
        raise KeyError(f"no widget with comm id {comm_id!r} in this page's Python")
    buffers = [b.to_bytes() if hasattr(b, "to_bytes") else bytes(b) for b in buffers]
    target.handle_msg({"content": {"comm_id": comm_id, "data": data},
                       "buffers": [memoryview(b) for b in buffers],
                       "metadata": {}, "header": {}, "parent_header": {}})


def build(recipe: bytes, values: dict | None = None) -> str:
    """Build the explorer of ``recipe`` (bytes of :func:`cnnedu.widgets._recipe.encode`).

    ``values``: control name -> ``{'value': v}`` or ``{'index': i}``, the state
    the reader left the static page's controls in (as the browser holds it);
    they are applied like a browser's message, then the view updates once.
    Returns the model id of the explorer's root widget.
    """
    from ._recipe import build as build_explorer

    explorer = build_explorer(recipe.to_bytes() if hasattr(recipe, "to_bytes") else recipe)
    values = {name: state for name, state in (values or {}).items()
              if name in explorer.controls and isinstance(state, dict)}
    if values:
        before = explorer.values()
        with explorer.quietly():
            for name in sorted(values, key=lambda name: name in explorer._ranges):
                explorer.controls[name].set_state(values[name])
        if explorer.values() != before:      # each update redraws the figure
            explorer.refresh()
    return explorer.model_id
