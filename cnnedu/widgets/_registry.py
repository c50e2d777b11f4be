"""Find every explorer builder and the values its controls can take.

Used by the widget benchmark and by the test that no combination of control
values crashes an explorer. A builder is a public function listed in the
``__all__`` of a module of :mod:`cnnedu.widgets` (``conv``, ``pooling``, ...)
that can be called with no arguments.
"""
from __future__ import annotations

import importlib
import pkgutil

import ipywidgets as widgets
import numpy as np

__all__ = ["builders", "control_values"]


def builders() -> dict:
    """``{'module.builder': callable}`` for every explorer builder."""
    import cnnedu.widgets as package

    found = {}
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for name in getattr(module, "__all__", []):
            found[f"{info.name}.{name}"] = getattr(module, name)
    return found


def control_values(control: widgets.Widget, most: int = 12) -> list:
    """Up to ``most`` values a control can take, spread over its range."""
    if isinstance(control, (widgets.IntSlider, widgets.BoundedIntText, widgets.Play)):
        lo, hi = int(control.min), int(control.max)
        values = np.unique(np.linspace(lo, hi, min(most, hi - lo + 1)).round().astype(int))
        return [int(v) for v in values]
    if isinstance(control, (widgets.FloatSlider, widgets.FloatLogSlider, widgets.BoundedFloatText)):
        if isinstance(control, widgets.FloatLogSlider):
            exps = np.linspace(control.min, control.max, most)
            return [float(control.base ** e) for e in exps]
        return [float(v) for v in np.linspace(control.min, control.max, most)]
    if isinstance(control, (widgets.Dropdown, widgets.ToggleButtons, widgets.RadioButtons,
                            widgets.SelectionSlider, widgets.Select)):
        options = [o[1] if isinstance(o, tuple) else o for o in control.options]
        return options[:most]
    if isinstance(control, (widgets.Checkbox, widgets.ToggleButton)):
        return [not control.value, control.value]
    return []  # free text and the like: not swept
