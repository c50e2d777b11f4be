"""The package's layout rules, checked by parsing every module's imports.

Data flows one way through :mod:`cnnedu`::

    _checks, geometry -> data, kernels -> ops -> samples, gradcheck -> nn
        -> explain -> viz -> widgets        (exercises on top, beside widgets)

(``_no_ipython``, the page's stand-in for IPython, stands alone: it imports
nothing from cnnedu.)

A module may import only from its own layer and the layers before it; only
``widgets`` imports ipywidgets; nothing below ``viz`` imports matplotlib; no
module imports another module's private (underscore) names; every fast op in
``ops`` has a loop-based ``*_naive`` twin with the same parameters. The
imports are read with :mod:`ast` (including imports inside functions), so a
lazy import cannot hide a broken rule.
"""
from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "cnnedu"

#: The layers, in order; a module's layer is its sub-package or, at the top,
#: its own name. ``None``-valued keys are checked in ALLOWED below.
LAYER_OF_TOP_MODULE = {
    "_checks": "_checks", "geometry": "geometry", "data": "data", "kernels": "kernels",
    "samples": "samples", "gradcheck": "gradcheck", "source": "source", "__init__": "api",
    "_no_ipython": "_no_ipython",
}

#: layer -> the layers it may import from (besides itself).
ALLOWED = {
    "_checks": set(),
    "geometry": {"_checks"},
    "data": {"_checks"},
    "kernels": {"_checks"},
    "source": set(),
    # a stand-in for IPython in the page's Python, registered before widgets loads
    "_no_ipython": set(),
    "ops": {"_checks", "geometry"},
    "samples": {"_checks", "geometry", "data", "kernels", "ops"},
    "gradcheck": {"_checks"},
    "nn": {"_checks", "geometry", "ops", "gradcheck"},
    "explain": {"_checks", "geometry", "kernels", "ops", "gradcheck", "nn"},
    "viz": {"_checks", "geometry", "ops", "explain"},
    "widgets": {"_checks", "geometry", "data", "kernels", "ops", "samples", "gradcheck",
                "nn", "explain", "viz"},
    "exercises": {"_checks", "geometry", "data", "kernels", "ops", "samples", "gradcheck",
                  "nn", "explain", "viz", "source"},
    "api": {"_checks", "geometry", "data", "kernels", "ops", "samples", "gradcheck", "nn",
            "source"},
}

#: Third-party packages only some layers may import.
RESTRICTED = {
    "ipywidgets": {"widgets"},
    "matplotlib": {"viz", "widgets"},
}

#: Public functions of ``ops`` that need no naive twin, and why. Anything else
#: public in ``ops`` must have one.
NO_TWIN_NEEDED = {
    # elementwise formulas: the numpy expression *is* the formula
    **{f"activation.{name}": "elementwise" for name in (
        "linear", "linear_grad", "sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "relu",
        "relu_grad", "leaky_relu", "leaky_relu_grad", "elu", "elu_grad", "selu", "selu_grad",
        "gelu", "gelu_grad", "silu", "silu_grad", "prelu", "prelu_grad",
        "softmax", "softmax_grad", "softmax_backward", "get_activation")},
    "dropout.dropout": "elementwise mask", "dropout.dropout_backward": "elementwise mask",
    "loss.cross_entropy": "one reduction", "loss.mse": "one reduction",
    "loss.accuracy": "one reduction",
    "conv.im2col": "the fast path's own tool", "conv.col2im": "the fast path's own tool",
}


# ------------------------------------------------------------------ reading the package
def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def dotted(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> str:
    """``cnnedu.ops.conv`` -> ``ops``; ``cnnedu.geometry`` -> ``geometry``; ``cnnedu`` -> api."""
    parts = module.split(".")
    if len(parts) == 1:
        return "api"
    if (PACKAGE / parts[1]).is_dir():
        return parts[1]
    return LAYER_OF_TOP_MODULE.get(parts[1], parts[1])


def imports(path: Path):
    """``(line, imported module, names or None)`` for every import in the file."""
    module = dotted(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, None
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module
            names = [alias.name for alias in node.names]
            if node.module is None or node.level and not node.module:
                # ``from . import a, b``: each name may itself be a module
                for name in names:
                    yield node.lineno, f"{target}.{name}", None
            else:
                yield node.lineno, target, names


def cnnedu_target(target: str) -> str | None:
    """The cnnedu module an import names (a package's name stands for the package)."""
    return target if target == "cnnedu" or target.startswith("cnnedu.") else None


def violations() -> list[str]:
    found = []
    for path in modules():
        module = dotted(path)
        layer = layer_of(module)
        where = f"{path.relative_to(PACKAGE.parent)}"
        for line, target, names in imports(path):
            top = target.split(".")[0]
            if top in RESTRICTED and layer not in RESTRICTED[top]:
                found.append(f"{where}:{line}: layer {layer!r} imports {top} "
                             f"(only {sorted(RESTRICTED[top])} may)")
            if cnnedu_target(target) is None:
                continue
            other = layer_of(target)
            if other != layer and other not in ALLOWED.get(layer, set()):
                found.append(f"{where}:{line}: layer {layer!r} imports {target} "
                             f"(layer {other!r}); {layer!r} may import only "
                             f"{sorted(ALLOWED.get(layer, set()))}")
            if names and target != module:
                private = [n for n in names if n.startswith("_") and not n.endswith("__")]
                if private:
                    found.append(f"{where}:{line}: imports private names {private} from {target}")
    return found


# ------------------------------------------------------------------ the rules
def test_every_module_belongs_to_a_known_layer():
    unknown = sorted({layer_of(dotted(p)) for p in modules()} - set(ALLOWED))
    assert not unknown, f"modules outside the known layers: {unknown}; add them to ALLOWED"


def test_imports_follow_the_layers():
    problems = violations()
    assert not problems, "layout rules broken:\n" + "\n".join(problems)


def ops_functions():
    for path in sorted((PACKAGE / "ops").glob("*.py")):
        if path.name == "__init__.py":
            continue
        module = importlib.import_module(dotted(path))
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if inspect.isfunction(obj):
                yield path.stem, module, name, obj


def test_ops_modules_declare_their_public_functions():
    for path in sorted((PACKAGE / "ops").glob("*.py")):
        if path.name != "__init__.py":
            module = importlib.import_module(dotted(path))
            assert getattr(module, "__all__", None), f"{dotted(path)} has no __all__"


@pytest.mark.parametrize("stem, name", [(stem, name) for stem, _, name, _ in ops_functions()
                                        if not name.endswith("_naive")])
def test_every_fast_op_has_a_naive_twin_with_the_same_parameters(stem, name):
    module = importlib.import_module(f"cnnedu.ops.{stem}")
    if f"{stem}.{name}" in NO_TWIN_NEEDED:
        return
    twin = getattr(module, f"{name}_naive", None)
    assert twin is not None, (
        f"cnnedu.ops.{stem}.{name} has no {name}_naive twin; write one, or, if it is not a "
        f"fast op (an elementwise formula, a one-line reduction), add it with the reason "
        f"to NO_TWIN_NEEDED")
    fast = inspect.signature(getattr(module, name)).parameters
    slow = list(inspect.signature(twin).parameters)
    assert list(fast)[:len(slow)] == slow, \
        f"{name}{list(fast)} and {name}_naive{slow} take different parameters"
    extra = [p for p in list(fast)[len(slow):] if fast[p].default is inspect.Parameter.empty]
    assert not extra, f"{name} has required parameters its naive twin lacks: {extra}"


def test_no_twin_list_names_only_existing_functions_without_twins():
    public = {f"{stem}.{name}" for stem, _, name, _ in ops_functions()}
    for key in NO_TWIN_NEEDED:
        stem, name = key.split(".")
        if key in public:     # listed functions that do not exist yet (gelu, ...) are allowed
            module = importlib.import_module(f"cnnedu.ops.{stem}")
            assert not hasattr(module, f"{name}_naive"), \
                f"{key} has a naive twin: remove it from NO_TWIN_NEEDED"


# ------------------------------------------------------------------ the checker itself
def test_the_import_reader_sees_a_broken_rule(tmp_path, monkeypatch):
    """A deliberate breakage of each rule is reported (so the rules above can fail)."""
    fake = tmp_path / "cnnedu"
    (fake / "ops").mkdir(parents=True)
    (fake / "__init__.py").write_text("")
    (fake / "ops" / "__init__.py").write_text("")
    (fake / "ops" / "conv.py").write_text(
        "import numpy as np\n"
        "def f():\n"
        "    import matplotlib.pyplot as plt\n"       # matplotlib below viz
        "    from ..nn.model import Sequential\n"      # ops importing a higher layer
        "    from .pool import _geometry\n")           # a private name of another module
    (fake / "ops" / "pool.py").write_text("_geometry = None\n")
    (fake / "nn").mkdir()
    (fake / "nn" / "__init__.py").write_text("")
    (fake / "nn" / "model.py").write_text("import ipywidgets\n")   # ipywidgets outside widgets
    monkeypatch.setattr(__import__(__name__, fromlist=["PACKAGE"]), "PACKAGE", fake)
    problems = "\n".join(violations())
    assert "layer 'ops' imports matplotlib" in problems
    assert "layer 'ops' imports cnnedu.nn.model (layer 'nn')" in problems
    assert "imports private names ['_geometry'] from cnnedu.ops.pool" in problems
    assert "layer 'nn' imports ipywidgets" in problems
    assert len(violations()) == 4
