"""Live explorers in the static book: what the build prepares.

An explorer made with precomputed frames also carries its *recipe* (the call
that built it, as bytes: ``cnnedu.widgets._recipe``) in the widget state. On
each page this extension moves every recipe out of the widget state into a
file of its own (``_static/live/recipes/<sha1>.bin``) and leaves its URL in
the explorer's state (``_cnnedu_live``), with the size of what going live
downloads (``_cnnedu_live_mb``), so that the page's weight does not grow:
the recipe is fetched only when the reader presses "Make it live"
(``assets/js/widgets-embed.js``).

At the end of the build it writes ``_static/live/runtime.json``: what the
page's Python worker (``assets/js/live-worker.js``) loads, as URLs relative
to that file: the Pyodide runtime (``assets/pyodide``, vendored and checked
by ``scripts/vendor_pyodide.py``), its packages (numpy, matplotlib,
traitlets; not IPython, see :data:`PACKAGES`) and the wheels of comm,
ipywidgets and cnnedu (built from this repository by ``_ext/cnnedu_wheel.py``).
"""
from __future__ import annotations

import base64
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from offline_assets import save_by_content  # noqa: E402
from vendor_pyodide import closure  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PYODIDE = ROOT / "assets" / "pyodide"
LIVE_DIR = "_static/live"
#: matplotlib's font list for the runtime (made by scripts/pyodide_fontlist.js)
FONTLIST = ROOT / "assets" / "live" / "fontlist-v330.json"
#: The Pyodide packages the live explorers import (with what they depend on).
#: Not IPython: ipywidgets imports only a few names from it, which
#: ``cnnedu._no_ipython`` stands in for; traitlets, which IPython would bring,
#: ipywidgets and comm need themselves.
PACKAGES = ["numpy", "matplotlib", "traitlets", "threadpoolctl"]
#: Wheels from PyPI (assets/pyodide/pypi), by project name.
PYPI_WHEELS = ["comm", "ipywidgets"]
#: The runtime's own files (loaded by loadPyodide).
CORE = ["pyodide.js", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip",
        "pyodide-lock.json"]
WIDGET_STATE_TYPE = "application/vnd.jupyter.widget-state+json"


def package_closure(lock: dict, names) -> list[str]:
    """``names`` and every package they depend on in a Pyodide lock, sorted
    (the rule ``scripts/vendor_pyodide.py`` trims the lock by)."""
    return closure(lock["packages"], names)


def pypi_wheel(name: str) -> Path:
    """The one wheel of project ``name`` in assets/pyodide/pypi."""
    found = sorted((PYODIDE / "pypi").glob(f"{name}-*.whl"))
    if len(found) != 1:
        raise FileNotFoundError(f"expected one wheel of {name} in {PYODIDE / 'pypi'}, "
                                f"found {[p.name for p in found]}: run scripts/vendor_pyodide.py")
    return found[0]


def download_bytes(lock: dict, cnnedu_wheel: Path | None) -> int:
    """What going live downloads: the runtime, the packages and the wheels."""
    total = sum((PYODIDE / name).stat().st_size for name in CORE)
    for name in package_closure(lock, PACKAGES):
        total += (PYODIDE / lock["packages"][name]["file_name"]).stat().st_size
    total += sum(pypi_wheel(name).stat().st_size for name in PYPI_WHEELS)
    total += FONTLIST.stat().st_size
    if cnnedu_wheel is not None:
        total += cnnedu_wheel.stat().st_size
    return total


def _lock() -> dict:
    return json.loads((PYODIDE / "pyodide-lock.json").read_text())


def live_recipes(state: dict, save_recipe, megabytes: int) -> int:
    """Move every explorer recipe of a saved widget state to a file, in place.

    ``save_recipe(data) -> url`` stores the bytes. An explorer with no recipe
    (``_live_recipe`` empty) loses the empty field. Returns how many moved.
    """
    moved = 0
    for model in state.get("state", {}).values():
        fields = model.get("state", {})
        buffers = model.get("buffers", [])
        keep = []
        for buffer in buffers:
            if buffer.get("path") != ["_live_recipe"]:
                keep.append(buffer)
                continue
            data = base64.b64decode(buffer.get("data", ""))
            if data:
                fields["_cnnedu_live"] = save_recipe(data)
                fields["_cnnedu_live_mb"] = megabytes
                moved += 1
        if len(keep) != len(buffers):
            model["buffers"] = keep
            if not keep:
                del model["buffers"]
        fields.pop("_live_recipe", None)
        if "_cnnedu_live" not in fields:
            fields.pop("_live_controls", None)
    return moved


def move_recipes(app, pagename, templatename, context, doctree):
    """On a page with widgets: recipes out of the inline widget state, into files."""
    assets = context.get("script_files")
    if not assets or app.builder.format != "html":
        return

    def save_recipe(data: bytes) -> str:
        return save_by_content(app, context, f"{LIVE_DIR}/recipes", data, ".bin")

    for asset in assets:
        attributes = getattr(asset, "attributes", None)
        if not attributes or attributes.get("type") != WIDGET_STATE_TYPE:
            continue
        if not attributes.get("body") or "_live_recipe" not in attributes["body"]:
            continue
        state = json.loads(attributes["body"])
        if live_recipes(state, save_recipe, app.env.cnnedu_live_mb):
            attributes["body"] = json.dumps(state)


def _wheel(app) -> Path:
    from cnnedu_wheel import cnnedu_wheel

    return cnnedu_wheel(app)


def estimate_size(app, env):
    """Before the pages are written: the download size the "Make it live" bar states."""
    env.cnnedu_live_mb = round(download_bytes(_lock(), _wheel(app)) / 1e6)
    return []


def write_runtime(app, exception):
    """``_static/live/runtime.json``: what the page's Python worker loads."""
    if exception is not None or app.builder.format != "html":
        return
    wheel = _wheel(app)
    live = Path(app.outdir, LIVE_DIR)
    live.mkdir(parents=True, exist_ok=True)
    lock = _lock()
    runtime = {
        "indexURL": "../pyodide/",
        "packages": PACKAGES,
        "wheels": [f"../pyodide/pypi/{pypi_wheel(name).name}" for name in PYPI_WHEELS]
                  + [Path("..", wheel.relative_to(Path(app.outdir, "_static"))).as_posix()],
        # matplotlib's font list for this runtime (scripts/pyodide_fontlist.js)
        "fontlist": FONTLIST.name,
        "bytes": download_bytes(lock, wheel),
    }
    (live / "runtime.json").write_text(json.dumps(runtime, indent=1) + "\n", encoding="utf-8")


def setup(app):
    app.connect("env-updated", estimate_size)
    # before offline_assets moves the widget state out of the page (priority 910)
    app.connect("html-page-context", move_recipes, priority=908)
    app.connect("build-finished", write_runtime)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
