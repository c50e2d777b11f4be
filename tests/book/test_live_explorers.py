"""What the build prepares for explorers made live in the page (``_ext/live_explorers.py``).

Each explorer's recipe leaves the page's widget state for a file of its own
(the page fetches it only when the reader asks), the runtime the page's
worker loads is what the vendored Pyodide lock says the packages need, and
matplotlib's font list shipped with it is the one that runtime makes.
"""
from __future__ import annotations

import base64
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ipywidgets.embed import dependency_state, embed_data

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "_ext"))

import live_explorers as le  # noqa: E402
from vendor_pyodide import VendorError  # noqa: E402  (scripts/, on the path by live_explorers)

from cnnedu.widgets import _recipe  # noqa: E402
from cnnedu.widgets.conv import kernel_slider  # noqa: E402


def saved_state(*views) -> dict:
    """The widget state a notebook saves for ``views`` (what myst-nb puts in the page)."""
    return embed_data(views=list(views), state=dependency_state(list(views)))["manager_state"]


def test_a_recipe_leaves_the_state_for_a_file_and_the_page_gets_its_url():
    explorer = kernel_slider().with_frames({"position": [0, 1]})
    state = saved_state(explorer)
    root = state["state"][explorer.model_id]
    assert any(b["path"] == ["_live_recipe"] for b in root["buffers"])
    saved = {}

    def save(data):
        saved["data"] = data
        return "../_static/live/recipes/x.bin"

    assert le.live_recipes(state, save, 32) == 1
    fields = root["state"]
    assert fields["_cnnedu_live"] == "../_static/live/recipes/x.bin"
    assert fields["_cnnedu_live_mb"] == 32
    assert "_live_recipe" not in fields and "buffers" not in root
    assert fields["_live_controls"]["position"] == explorer.controls["position"].model_id
    # the file holds the explorer's own recipe
    assert _recipe.build(saved["data"]).values() == explorer.values()
    # the other models' buffers (the frames' pictures) stay
    assert any(m.get("buffers") for m in state["state"].values())


def test_an_explorer_without_frames_or_recipe_carries_nothing_live():
    explorer = kernel_slider()                  # no frames: no recipe sent
    state = saved_state(explorer)
    assert le.live_recipes(state, lambda data: pytest.fail("nothing to save"), 32) == 0
    fields = state["state"][explorer.model_id]["state"]
    assert "_cnnedu_live" not in fields and "_live_controls" not in fields
    assert "_live_recipe" not in fields


def test_the_packages_are_the_lock_closure_of_what_the_explorers_import():
    lock = json.loads((le.PYODIDE / "pyodide-lock.json").read_text())
    packages = le.package_closure(lock, le.PACKAGES)
    assert {"numpy", "matplotlib", "traitlets", "threadpoolctl", "pillow"} <= set(packages)
    # ipywidgets' few IPython names come from cnnedu._no_ipython, not from IPython
    assert not {"ipython", "prompt-toolkit", "jedi"} & set(packages)
    for name in packages:                         # every file is shipped
        assert (le.PYODIDE / lock["packages"][name]["file_name"]).is_file()
    with pytest.raises(VendorError, match="package 'tensorflow' is not in the official"):
        le.package_closure(lock, ["tensorflow"])
    assert le.pypi_wheel("ipywidgets").name.startswith("ipywidgets-8.1.9-")


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js runs the check")
def test_the_font_list_is_the_one_the_runtime_makes():
    done = subprocess.run(["node", str(ROOT / "scripts" / "pyodide_fontlist.js"), "--check"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    fontlist = json.loads(le.FONTLIST.read_text())
    assert fontlist["_version"] == 330 and fontlist["defaultFamily"]["ttf"] == "DejaVu Sans"
    assert all(not Path(f["fname"]).is_absolute() for f in fontlist["ttflist"])


def test_the_recipe_field_decodes_as_base64_bytes():
    explorer = kernel_slider().with_frames({"position": [0]})
    buffer = next(b for b in saved_state(explorer)["state"][explorer.model_id]["buffers"]
                  if b["path"] == ["_live_recipe"])
    assert _recipe.decode(base64.b64decode(buffer["data"]))["builder"].endswith("kernel_slider")
