"""A stand-in for the few names ipywidgets imports from IPython, for a Python without IPython.

The explorers made live in a web page (:mod:`cnnedu.widgets._page`) run in
Pyodide without IPython: ipywidgets imports ``get_ipython``, ``display``,
``clear_output`` and ``InteractiveShell`` from it, and importing IPython
itself there takes about 1 s of the first live picture, after 3 MB of
packages downloaded. The page has no IPython shell, so the stand-in gives
those names what they give outside one: ``get_ipython()`` is None,
``display`` and ``clear_output`` have nowhere to show anything and do
nothing, and ``InteractiveShell.initialized()`` is False. Its
``IPython.version_info`` is ``(0, 0, 0, 'cnnedu stand-in')``: matplotlib
reads it when it makes a canvas.

:func:`register_if_missing` must run before ipywidgets (or
:mod:`cnnedu.widgets`, which imports it) is imported. Where IPython is
installed it does nothing.
"""
from __future__ import annotations

import importlib.util
import sys
import types

__all__ = ["stand_in", "register_if_missing"]


def stand_in() -> types.ModuleType:
    """Register the stand-in ``IPython`` modules in ``sys.modules`` and return ``IPython``.

    ``IPython.__cnnedu_stand_in__`` is True, to tell it from the real one.
    """
    def get_ipython():
        return None

    def display(*objs, **kwargs):
        return None

    def clear_output(wait=False):
        return None

    class InteractiveShell:
        @classmethod
        def initialized(cls) -> bool:
            return False

    modules = {}
    for name, names in [
            # matplotlib reads version_info when it makes a canvas; no version of
            # IPython is 0, and the code it guards then asks get_ipython()
            ("IPython", {"get_ipython": get_ipython, "__cnnedu_stand_in__": True,
                         "version_info": (0, 0, 0, "cnnedu stand-in")}),
            ("IPython.display", {"display": display, "clear_output": clear_output}),
            ("IPython.core", {}),
            ("IPython.core.getipython", {"get_ipython": get_ipython}),
            ("IPython.core.interactiveshell", {"InteractiveShell": InteractiveShell})]:
        module = types.ModuleType(name, "cnnedu's stand-in for IPython, in a Python without it")
        module.__dict__.update(names)
        modules[name] = module
    modules["IPython"].display = modules["IPython.display"]
    modules["IPython"].core = modules["IPython.core"]
    modules["IPython.core"].getipython = modules["IPython.core.getipython"]
    modules["IPython.core"].interactiveshell = modules["IPython.core.interactiveshell"]
    sys.modules.update(modules)
    return modules["IPython"]


def register_if_missing() -> bool:
    """Register :func:`stand_in` if IPython is not installed; return whether it did."""
    if "IPython" in sys.modules or importlib.util.find_spec("IPython") is not None:
        return False
    stand_in()
    return True
