"""The book's build makes each page's explorers honest for a page without a kernel.

``_ext/offline_assets.py`` rewrites the saved widget state of every page
(:func:`static_explorers`): controls the page cannot answer are disabled and
say why, a swept slider offers only the span of its precomputed values, and
the slots of the frames that show the live picture in a notebook show a note.
Tested on small hand-written states and on the state of real explorers.
"""
from __future__ import annotations

import copy
import sys
from pathlib import Path

import ipywidgets as widgets
import pytest
from ipywidgets.embed import embed_data

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "_ext"))

import offline_assets as oa  # noqa: E402

from cnnedu.widgets import _static  # noqa: E402


def model(name, **fields):
    return {"model_name": name, "model_module": "@jupyter-widgets/controls",
            "model_module_version": "2.0.0", "state": fields}


def ref(model_id):
    return f"IPY_MODEL_{model_id}"


def small_state(value=2):
    """A slider 'level' (0..9, frames for 1..3), a Play linked to it, a fixed dropdown."""
    return {"state": {
        "explorer": model("VBoxModel", _dom_classes=["cnnedu-explorer"],
                          children=[ref("row"), ref("frames")]),
        "row": model("HBoxModel", children=[ref("play"), ref("level"), ref("kind")]),
        "level": model("IntSliderModel", value=value, min=0, max=9, description="level <i>n</i>",
                       _dom_classes=["cnnedu-swept"]),
        "play": model("PlayModel", value=value, min=0, max=9),
        "kind": model("DropdownModel", index=0, description="kind", disabled=False,
                      _dom_classes=["cnnedu-fixed"]),
        "frames": model("StackModel", selected_index=value, _dom_classes=["cnnedu-frames"],
                        children=[ref("live"), ref("f1"), ref("f2"), ref("gone")]
                        + [ref("live")] * 6 + [ref("live")]),
        "f1": model("VBoxModel", children=[]),
        "f2": model("VBoxModel", children=[]),
        "gone": model("VBoxModel", children=[], _dom_classes=["cnnedu-frames-ruled-out"]),
        "live": model("VBoxModel", children=[], _dom_classes=["cnnedu-frames-live"]),
        "note": model("HTMLModel", value="not precomputed",
                      _dom_classes=["cnnedu-not-precomputed"]),
        "ruled": model("HTMLModel", value="does not exist", _dom_classes=["cnnedu-ruled-out"]),
        "link": model("DirectionalLinkModel", source=[ref("level"), "value"],
                      target=[ref("frames"), "selected_index"]),
        "play_link": model("LinkModel", source=[ref("play"), "value"],
                           target=[ref("level"), "value"]),
    }}


def fields(state, model_id):
    return state["state"][model_id]["state"]


def text(state, reference):
    """The text of the HTML model a reference names ('' for any other model)."""
    found = state["state"][reference[len("IPY_MODEL_"):]]
    return found["state"].get("value", "") if found["model_name"] == "HTMLModel" else ""


# ------------------------------------------------------------------ small states
def test_fixed_controls_are_disabled_with_the_reason():
    state = small_state()
    assert oa.disable_fixed_controls(state) == 1
    kind = fields(state, "kind")
    assert kind["disabled"] is True
    assert kind["tooltip"] == ("Needs Python: press Make it live above the explorer (or run the "
                               "notebook); until then its picture "
                               "follows only level n.")
    assert "disabled" not in fields(state, "level") and "tooltip" not in fields(state, "level")
    assert "disabled" not in fields(state, "play")


def test_a_control_outside_an_explorer_is_left_alone():
    state = small_state()
    state["state"]["lonely"] = model("IntSliderModel", value=1, _dom_classes=["cnnedu-fixed"])
    oa.disable_fixed_controls(state)
    assert "disabled" not in fields(state, "lonely")


def test_swept_slider_offers_the_span_of_its_frames():
    state = small_state()
    assert oa.narrow_swept_sliders(state) == 1
    # slots 1, 2 have frames; 3 is ruled out everywhere, 0 and 4..9 show the live picture
    assert (fields(state, "level")["min"], fields(state, "level")["max"]) == (1, 2)
    assert (fields(state, "play")["min"], fields(state, "play")["max"]) == (1, 2)
    assert (fields(state, "kind").get("min"), fields(state, "kind").get("max")) == (None, None)


def test_slider_saved_on_a_value_without_a_frame_keeps_its_range():
    state = small_state(value=7)
    assert oa.narrow_swept_sliders(state) == 0
    assert (fields(state, "level")["min"], fields(state, "level")["max"]) == (0, 9)


def test_slots_without_a_frame_show_the_notes():
    state = small_state()
    assert oa.notes_in_unframed_slots(state) == 1 + 1 + 6
    children = fields(state, "frames")["children"]
    assert children[0] == ref("note") and children[4:10] == [ref("note")] * 6
    assert children[3] == ref("ruled")
    assert children[1:3] == [ref("f1"), ref("f2")]
    assert children[-1] == ref("live")                  # the picture the page was saved with


def test_static_explorers_does_all_three_and_touches_nothing_else():
    state = small_state()
    before = copy.deepcopy(state)
    oa.static_explorers(state)
    changed = {k for k in state["state"] if state["state"][k] != before["state"][k]}
    assert changed == {"kind", "level", "play", "frames"}


# ------------------------------------------------------------------ real explorers
def test_the_build_knows_the_packages_css_classes():
    for name in ("EXPLORER_CLASS", "SWEPT_CLASS", "FIXED_CLASS", "LIVE_CLASS",
                 "LIVE_RULED_OUT_CLASS", "NOT_PRECOMPUTED_CLASS", "RULED_OUT_CLASS"):
        assert getattr(oa, name) == getattr(_static, name), name


@pytest.fixture(scope="module")
def digits():
    """Chapter 6's explorer, with frames for the first 40 test digits, and its page state."""
    from cnnedu.widgets.model import digit_explorer

    ex = digit_explorer().with_frames({"index": range(40)})
    state = embed_data(views=[ex])["manager_state"]
    oa.static_explorers(state)
    return ex, state


def test_digit_slider_offers_the_digits_with_frames(digits):
    ex, state = digits
    index = fields(state, ex.controls["index"].model_id)
    assert (index["min"], index["max"], index.get("value", 0)) == (0, 39, 0)
    assert ex.controls["index"].max == 299              # the live explorer keeps every digit
    assert "follows <b>test digit</b> (precomputed: 0\u201339)" in ex.frames.note.value


def test_digit_explorer_input_is_disabled_and_drawing_hidden(digits):
    ex, state = digits
    source = fields(state, ex.controls["source"].model_id)
    assert source["disabled"] is True and "follows only test digit" in source["tooltip"]
    assert not fields(state, ex.controls["index"].model_id).get("disabled")
    drawing = fields(state, ex.live_only["drawing"].model_id)
    assert "cnnedu-live-only" in drawing["_dom_classes"]
    assert not any(fields(state, cell.model_id).get("disabled") for cell in ex.cells.ravel())


def test_web_page_shows_the_note_where_the_notebook_shows_the_live_picture(digits):
    ex, state = digits
    frames = ex.frames
    children = fields(state, frames.view.model_id)["children"]
    assert len(children) == 300 + 1
    assert {text(state, child) for child in children[40:300]} == {frames.not_precomputed.value}
    assert "not precomputed for the web page" in frames.not_precomputed.value
    assert children[-1] == ref(frames.live.model_id)
    assert children[:40] == [ref(leaf.model_id) for leaf in frames.view.children[:40]]
    # the live explorer is untouched
    assert frames.view.children[45] is frames.live


def test_ruled_out_combinations_get_their_note():
    from cnnedu.widgets import Explorer, new_figure

    fig = new_figure(1, 1)
    fig.add_subplot()
    holder = {}

    def update(size, pos):
        holder["pos"].max = size
        return {}, f"size {size}, pos {holder['pos'].value}"

    controls = {"size": widgets.IntSlider(3, 1, 3), "pos": widgets.IntSlider(0, 0, 3)}
    holder["pos"] = controls["pos"]
    ex = Explorer(controls, fig, update).with_frames({"size": "all", "pos": "all"})
    state = embed_data(views=[ex])["manager_state"]
    oa.static_explorers(state)
    inner = ex.frames.view.children[1]                  # size 1: pos 2 and 3 are ruled out
    children = fields(state, inner.model_id)["children"]
    assert [text(state, child) for child in children[2:4]] == [ex.frames.ruled_out.value] * 2
    assert fields(state, children[1][len("IPY_MODEL_"):])["children"]     # pos 1: a frame
    assert fields(state, ex.controls["pos"].model_id)["max"] == 3


def test_softmax_explorer_responds_on_the_web_page():
    """Chapter 3's softmax explorer: both controls swept, nothing to narrow, the logits box
    disabled with its reason."""
    from cnnedu.widgets.activation import softmax_explorer

    ex = softmax_explorer().with_frames({"temperature": "all", "shift": "all"})
    state = embed_data(views=[ex])["manager_state"]
    oa.static_explorers(state)
    for name in ("temperature", "shift"):
        assert not fields(state, ex.controls[name].model_id).get("disabled"), name
    logits = fields(state, ex.controls["logits"].model_id)
    assert logits["disabled"] is True
    assert logits["tooltip"].endswith("follows only temperature T and add c to all.")
    stacks = [s for s, _ in ex.frames.stacks]
    for s in stacks:                                     # every option has its frame
        assert not any(text(state, child) for child in fields(state, s.model_id)["children"])
