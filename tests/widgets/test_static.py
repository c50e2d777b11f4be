"""Precomputed frames: an explorer that responds on the static web page."""
import io

import ipywidgets as widgets
import numpy as np
import pytest
from ipywidgets.embed import embed_data
from ipywidgets.widgets.widget_link import DirectionalLink
from PIL import Image

from cnnedu.widgets import Explorer, new_figure
from cnnedu.widgets._static import (
    FIXED_CLASS, FRAMES_CLASS, LIVE_CLASS, LIVE_ONLY_CLASS, LIVE_RULED_OUT_CLASS,
    NOT_PRECOMPUTED_CLASS, RULED_OUT_CLASS, SWEPT_CLASS)

MODES = [("square", 0), ("cross", 1), ("ring", 2)]


def pattern(level, mode):
    """What the toy explorer shows: a 6x6 picture that differs for every setting."""
    yy, xx = np.mgrid[:6, :6]
    shape = [np.ones((6, 6)), (yy == 2) | (xx == 2), (np.abs(yy - 2.5) + np.abs(xx - 2.5)) > 2]
    return level * np.asarray(shape[mode], dtype=float)


def make_explorer(calls=None):
    """A small explorer: slider 'level' (1..5), dropdown 'mode', free text 'label'."""
    fig = new_figure(1.5, 1.2)
    ax = fig.add_subplot()
    img = ax.imshow(np.zeros((6, 6)), vmin=0, vmax=5, cmap="viridis")
    title = ax.set_title("", fontsize=8)

    def update(level, mode, label):
        if calls is not None:
            calls.append((level, mode, label))
        data = pattern(level, mode)
        img.set_data(data)
        title.set_text(f"{label} {level}")
        return {"data": data}, f"level {level}, mode {mode}, label {label}"

    controls = {"level": widgets.IntSlider(value=2, min=1, max=5),
                "mode": widgets.Dropdown(options=MODES, value=0),
                "label": widgets.Text("x")}
    return Explorer(controls, fig, update)


def render_at(colors=256, **values):
    """The PNG and caption a fresh explorer renders for ``values``."""
    ex = make_explorer()
    for name, value in values.items():
        ex.controls[name].value = value
    return ex.render_png(colors=colors), ex.message


def frame_leaf(frames, *slots):
    w = frames.view
    for slot in slots:
        w = w.children[slot]
    return w


# ------------------------------------------------------------------ frames
def test_frames_are_the_explorers_own_pictures():
    ex = make_explorer().with_frames({"level": [1, 2, 3], "mode": "all"})
    frames = ex.frames
    assert set(frames.pictures) == {(lv, m) for lv in (1, 2, 3) for m in (0, 1, 2)}
    for (level, mode), (png, caption) in frames.pictures.items():
        assert (png, caption) == render_at(level=level, mode=mode)
        leaf = frame_leaf(frames, level, mode)          # slider: slot = value; dropdown: index
        image, text = leaf.children
        assert image.value == png and image.format == "png"
        assert text.value == caption == f"level {level}, mode {mode}, label x"
    assert frames.count == 9
    assert frames.nbytes == sum(len(p) for p, _ in frames.pictures.values())


def test_full_pngs_when_colors_is_none():
    ex = make_explorer().with_frames({"level": [1, 4]}, colors=None)
    for (level,), (png, _) in ex.frames.pictures.items():
        assert png == render_at(colors=None, level=level)[0]
        assert Image.open(io.BytesIO(png)).mode == "RGBA"


def test_palette_frames_look_like_the_full_render():
    ex = make_explorer().with_frames({"level": [3]})
    png = ex.frames.pictures[(3,)][0]
    full = render_at(colors=None, level=3)[0]
    small = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=float)
    big = np.asarray(Image.open(io.BytesIO(full)).convert("RGB"), dtype=float)
    assert Image.open(io.BytesIO(png)).mode == "P"
    assert np.abs(small - big).mean() < 1.0


def test_rendering_the_frames_restores_the_explorer():
    calls = []
    ex = make_explorer(calls)
    before = (ex.values(), ex.image.value, ex.message)
    ex.with_frames({"level": "all", "mode": [0, 2]})
    assert (ex.values(), ex.image.value, ex.message) == before
    np.testing.assert_array_equal(ex.state()["data"], pattern(2, 0))
    assert calls[-1] == (2, 0, "x")


def test_picture_and_caption_are_replaced_by_the_frames():
    ex = make_explorer().with_frames({"level": [1, 2]})
    frames = ex.frames
    assert frames.view in ex.children[-1].children          # under the note
    assert ex.image not in ex.children and ex.caption not in ex.children
    assert frames.live.children == (ex.image, ex.caption)
    assert FRAMES_CLASS in frames.view._dom_classes
    assert SWEPT_CLASS in ex.controls["level"]._dom_classes
    assert FIXED_CLASS in ex.controls["mode"]._dom_classes
    assert FIXED_CLASS in ex.controls["label"]._dom_classes


def test_slots_follow_the_controls_values():
    ex = make_explorer().with_frames({"level": [1, 3], "mode": [0, 2]})
    frames = ex.frames
    outer = frames.view
    assert len(outer.children) == 5 + 1 + 1                  # values 0..5, then the live slot
    assert outer.children[0] is frames.live                   # min=1: never selected
    assert outer.children[2] is frames.live                   # 2 is not swept: live picture
    assert outer.children[-1] is frames.live
    inner = outer.children[3]
    assert len(inner.children) == len(MODES) + 1
    assert inner.children[1] is frames.live                   # option 'cross' not swept
    assert inner.children[2].children[0].value == frames.pictures[(3, 2)][0]
    # the web page's notes are in no Stack: the book's build puts them there
    every_child = {id(c) for s, _ in frames.stacks for c in s.children}
    assert id(frames.not_precomputed) not in every_child and id(frames.ruled_out) not in every_child
    assert NOT_PRECOMPUTED_CLASS in frames.not_precomputed._dom_classes
    assert "not precomputed" in frames.not_precomputed.value
    assert LIVE_CLASS in frames.live._dom_classes


# ------------------------------------------------------------------ links
def test_each_stack_is_linked_to_its_control_in_the_browser():
    ex = make_explorer().with_frames({"level": [1, 2, 3], "mode": "all"})
    frames = ex.frames
    assert len(frames.stacks) == 1 + 3 and len(frames.links) == 4
    for (stack, level), link in zip(frames.stacks, frames.links):
        assert isinstance(link, DirectionalLink)  # control -> Stack only
        assert link._model_name == "DirectionalLinkModel"
        trait = "value" if level.name == "level" else "index"
        assert link.source == (ex.controls[level.name], trait)
        assert link.target == (stack, "selected_index")
    assert frames.stacks[0][0] is frames.view and frames.stacks[0][1].name == "level"


def test_links_are_in_the_saved_widget_state():
    ex = make_explorer().with_frames({"level": [1, 2]})
    state = embed_data(views=[ex])["manager_state"]["state"]
    link = state[ex.frames.links[0].model_id]
    assert link["model_name"] == "DirectionalLinkModel"
    assert link["state"]["source"] == [f"IPY_MODEL_{ex.controls['level'].model_id}", "value"]
    assert link["state"]["target"] == [f"IPY_MODEL_{ex.frames.view.model_id}", "selected_index"]


# ------------------------------------------------------------------ live kernel
def test_python_selects_the_frame_of_the_current_values():
    ex = make_explorer().with_frames({"level": [1, 2, 3], "mode": "all"})
    frames = ex.frames
    ex.controls["level"].value = 3
    ex.controls["mode"].value = 2
    assert frames.view.selected_index == 3
    shown = frames.shown()
    assert shown.children[0].value == frames.pictures[(3, 2)][0]
    assert shown.children[1].value == ex.message          # the frame and the live caption agree


def test_a_value_outside_the_sweep_shows_the_live_picture():
    ex = make_explorer().with_frames({"level": [1, 2, 3]})
    frames = ex.frames
    ex.controls["level"].value = 5
    assert frames.shown() is frames.live
    assert len(frames.links) == 1                           # swept values still switch frames
    assert ex.image.value == render_at(colors=None, level=5)[0]
    np.testing.assert_array_equal(ex.state()["data"], pattern(5, 0))
    ex.controls["level"].value = 1
    assert frames.shown().children[0].value == frames.pictures[(1,)][0]


def test_a_non_swept_control_unlinks_the_frames_until_it_is_back():
    ex = make_explorer().with_frames({"level": [1, 2, 3], "mode": "all"})
    frames = ex.frames
    old_links = frames.links
    ex.controls["label"].value = "new"
    assert frames.links == []
    assert all(link.comm is None for link in old_links)     # closed in the browser too
    assert frames.shown() is frames.live
    ex.controls["level"].value = 3                          # still live: frames are for label 'x'
    assert frames.shown() is frames.live
    assert "label new" in ex.message
    assert ex.image.value == render_at(colors=None, level=3, label="new")[0]
    ex.controls["label"].value = "x"
    assert len(frames.links) == 4
    assert frames.shown().children[0].value == frames.pictures[(3, 0)][0]


# ------------------------------------------------------------------ never the web page's note live
def browser_shows(frames, order):
    """What a browser shows after Python's choice of slots and the links' copies.

    The browser receives both: Python's ``selected_index`` of every Stack and,
    whenever a link is made (again), the link's copy of its control's value
    into its Stacks. Which comes last is a race: ``order`` is 'links last' or
    'python last'.
    """
    selected = {id(s): s.selected_index for s, _ in frames.stacks}
    copies = {}
    for link in frames.links:
        control, trait = link.source
        copies[id(link.target[0])] = getattr(control, trait)
    if order == "links last":
        selected.update(copies)
    else:
        selected = {**copies, **selected}
    w = frames.view
    while isinstance(w, widgets.Stack):
        w = w.children[selected[id(w)]]
    return w


@pytest.mark.parametrize("order", ["links last", "python last"])
def test_digit_explorer_back_from_the_drawing_shows_the_live_picture(order):
    """Test digit 45 (no frame), the drawing, then the test digit again: the links are made
    again, and the browser copies 45 into the Stack. A live notebook must show the live picture
    of digit 45, never the web page's note."""
    from cnnedu.widgets.model import digit_explorer

    ex = digit_explorer().with_frames({"index": [0, 1, 2]})
    frames = ex.frames
    ex.controls["index"].value = 45
    assert browser_shows(frames, order) is frames.live
    ex.controls["source"].value = "drawing"
    assert frames.links == [] and browser_shows(frames, order) is frames.live
    ex.controls["source"].value = "test digit"
    assert len(frames.links) == 1
    shown = browser_shows(frames, order)
    assert shown is frames.live, "the browser shows something else than the live picture"
    assert ex.state()["index"] == 45 and ex.state()["source"] == "test digit"
    assert "test digit 45" in ex.message
    ex.controls["index"].value = 2                       # a frame again
    assert browser_shows(frames, order).children[0].value == frames.pictures[(2,)][0]


@pytest.mark.parametrize("order", ["links last", "python last"])
def test_no_value_shows_a_note_in_a_live_notebook(order):
    """Every value of every control, swept or not, after any other: the picture shown in the
    browser is a frame of the current values or the live picture."""
    ex = make_explorer().with_frames({"level": [1, 3], "mode": [0, 2]})
    frames = ex.frames
    notes = (frames.not_precomputed, frames.ruled_out)
    for label in ("x", "y", "x"):
        for level in range(1, 6):
            for mode in range(3):
                ex.set_values(label=label, level=level, mode=mode)
                shown = browser_shows(frames, order)
                assert shown not in notes
                if (level, mode) in frames.pictures and label == "x":
                    assert shown.children[0].value == frames.pictures[(level, mode)][0]
                else:
                    assert shown is frames.live
                    assert ex.image.value == render_at(colors=None, level=level, mode=mode,
                                                       label=label)[0]


def test_every_explorer_keeps_the_live_picture_in_unframed_slots():
    """The same layout in every explorer of the book: slots without a frame hold the live
    picture (the web page's notes are put there by the build)."""
    from cnnedu.widgets._registry import builders

    for name, build in builders().items():
        ex = build()
        control_name, control = next(
            (n, c) for n, c in ex.controls.items()
            if isinstance(c, (widgets.IntSlider, widgets.Dropdown, widgets.ToggleButtons,
                              widgets.SelectionSlider)) and not c.disabled)
        first = control.value
        ex.with_frames({control_name: [first]}, max_bytes=None)
        notes = {id(ex.frames.not_precomputed), id(ex.frames.ruled_out)}
        for stack, _ in ex.frames.stacks:
            assert not notes & {id(c) for c in stack.children}, name
            assert stack.children[-1] is ex.frames.live, name


# ------------------------------------------------------------------ notes and size
def test_note_says_what_the_web_page_follows():
    ex = make_explorer().with_frames({"level": [1, 2]})
    assert "follows <b>level</b>" in ex.frames.note.value
    ex = make_explorer().with_frames({"level": [1, 2]}, note="")
    assert ex.frames.view in ex.children and ex.frames.note.value == ""


@pytest.mark.parametrize("values, shown", [
    (range(1, 5), "(precomputed: 1\u20134)"),   # a run of the slider's values: its ends
    ([1, 2], "(precomputed: 1, 2)"),          # two values: listed
    ([5, 1, 3], "(precomputed: 1, 3, 5)"),    # not a run: every value, in order
], ids=["run", "two", "gaps"])
def test_note_says_which_values_were_precomputed(values, shown):
    ex = make_explorer().with_frames({"level": values})
    note = ex.frames.note.value
    assert f"follows <b>level</b> {shown}" in note
    assert "<b>mode</b> and <b>label</b> need Python" in note


def test_note_names_the_options_of_a_selection_that_were_precomputed():
    ex = make_explorer().with_frames({"mode": [0, 2]})           # square and ring, not cross
    assert "follows <b>mode</b> (precomputed: all but cross)" in ex.frames.note.value
    ex = make_explorer().with_frames({"mode": [1]})
    assert "follows <b>mode</b> (precomputed: cross)" in ex.frames.note.value
    ex = make_explorer().with_frames({"mode": "all", "level": "all"})
    assert ex.frames.note.value == ("<small>On the web page the picture follows <b>mode</b> and "
                                    "<b>level</b>; <b>label</b> needs Python: press <i>Make it "
                                    "live</i> above the explorer, or run the notebook.</small>")


def test_complete_sweep_of_every_control_needs_no_note():
    fig = new_figure(1, 1)
    fig.add_subplot()
    ex = Explorer({"k": widgets.IntSlider(0, 0, 2)}, fig, lambda k: ({}, f"k={k}"))
    ex.with_frames({"k": "all"})
    assert ex.frames.note.value == "" and ex.frames.fixed == []


def test_size_limit_is_explained():
    with pytest.raises(ValueError, match=r"frames for \{'level': 'all'\} take .* MB \(5 "
                                         r"combinations, 5 distinct pictures .*max_bytes=0\.00 MB"):
        make_explorer().with_frames({"level": "all"}, max_bytes=100)


# ------------------------------------------------------------------ errors
@pytest.mark.parametrize("sweep, error, words", [
    ({"nope": [1]}, ValueError, r"sweep names controls that do not exist: \['nope'\]"),
    ({}, ValueError, r"sweep must be a dict naming at least one control"),
    ({"level": [0, 1]}, ValueError, r"sweep for 'level' has values outside the control's range "
                                    r"1\.\.5 \(integers\): \[0\]"),
    ({"level": [1.5]}, ValueError, r"outside the control's range 1\.\.5 \(integers\): \[1\.5\]"),
    ({"level": []}, ValueError, r"sweep for 'level' is empty"),
    ({"level": 3}, TypeError, r"sweep for 'level' must be a list of values or 'all', got 3"),
    ({"mode": [7]}, ValueError, r"sweep for 'mode' has values that are not options of the "
                                r"control: \[7\]"),
    ({"label": ["a"]}, TypeError, r"cannot sweep control 'label' \(Text\): frames follow integer"),
], ids=["unknown-control", "empty-sweep", "below-min", "float", "empty-list", "not-a-list",
        "not-an-option", "text-box"])
def test_bad_sweeps_are_explained(sweep, error, words):
    with pytest.raises(error, match=words):
        make_explorer().with_frames(sweep)


def test_negative_slider_cannot_index_a_stack():
    fig = new_figure(1, 1)
    ex = Explorer({"t": widgets.IntSlider(0, -3, 3)}, fig, lambda t: ({}, ""))
    with pytest.raises(ValueError, match=r"control 't' can take negative values \(min=-3\)"):
        ex.with_frames({"t": [0, 1]})


def test_frames_are_made_once():
    ex = make_explorer().with_frames({"level": [1]})
    with pytest.raises(ValueError, match="this explorer already has frames"):
        ex.with_frames({"level": [2]})


# ------------------------------------------------------------------ a real explorer
def test_kernel_slider_frames_match_its_renders():
    from cnnedu.widgets.conv import kernel_slider

    ex = kernel_slider().with_frames({"position": [0, 5]})
    fresh = kernel_slider()
    for position in (0, 5):
        fresh.controls["position"].value = position
        assert ex.frames.pictures[(position,)] == (fresh.render_png(colors=256), fresh.message)
    assert ex.frames.links[0].source == (ex.controls["position"], "value")
    assert ex.frames.links[0].target == (ex.frames.view, "selected_index")
    ex.controls["position"].value = 7                          # not swept: live picture
    fresh.controls["position"].value = 7
    assert ex.frames.shown() is ex.frames.live and ex.image.value == fresh.image.value


def test_combinations_the_explorer_rules_out_have_no_frame():
    """'pos' can only go up to 'size' (the update clamps it, as the stride explorer does)."""
    fig = new_figure(1, 1)
    ax = fig.add_subplot()
    holder = {}

    def update(size, pos):
        pos_control = holder["pos"]
        pos_control.max = size                  # like set_quietly_max: the range follows 'size'
        ax.set_title(f"{size} {pos_control.value}")
        return {}, f"size {size}, pos {pos_control.value}"

    controls = {"size": widgets.IntSlider(3, 1, 3), "pos": widgets.IntSlider(0, 0, 3)}
    holder["pos"] = controls["pos"]
    ex = Explorer(controls, fig, update).with_frames({"size": "all", "pos": "all"})
    frames = ex.frames
    assert set(frames.pictures) == {(s, p) for s in (1, 2, 3) for p in range(s + 1)}
    assert frame_leaf(frames, 1, 3) is frames.live_ruled_out  # pos 3 with size 1
    assert frames.live_ruled_out.children == frames.live.children   # the live picture
    assert RULED_OUT_CLASS in frames.ruled_out._dom_classes
    assert LIVE_RULED_OUT_CLASS in frames.live_ruled_out._dom_classes
    assert frame_leaf(frames, 3, 3).children[1].value == "size 3, pos 3"
    assert ex.values() == {"size": 3, "pos": 0}


def test_widgets_only_python_answers_are_greyed_out_on_the_web_page():
    """Besides the non-swept controls: buttons and other inputs of the explorer (here a
    reset button), but not a Play that a browser link ties to a swept slider."""
    ex = make_explorer()
    reset = widgets.Button(description="reset")
    play = widgets.Play(min=1, max=5)
    ex.play_link = widgets.jslink((play, "value"), (ex.controls["level"], "value"))
    ex.children = (*ex.children, widgets.HBox([reset, play]))
    ex.with_frames({"level": "all"})
    assert FIXED_CLASS in reset._dom_classes
    assert FIXED_CLASS in ex.controls["mode"]._dom_classes
    assert FIXED_CLASS not in play._dom_classes
    assert FIXED_CLASS not in ex.controls["level"]._dom_classes
    pictures = [w for leaf in ex.frames.view.children if isinstance(leaf, widgets.VBox)
                for w in leaf.children]
    assert pictures and not any(FIXED_CLASS in w._dom_classes for w in pictures)


def test_digit_explorer_drawing_is_live_only_with_frames():
    """The drawing grid needs a kernel: the web page hides it (CSS class) and the note says so;
    its cells are not marked one by one."""
    from cnnedu.widgets.model import digit_explorer

    ex = digit_explorer().with_frames({"index": [0, 1]})
    drawing = ex.live_only["drawing"]
    assert ex.grid in drawing.children
    assert LIVE_ONLY_CLASS in drawing._dom_classes
    assert not any(FIXED_CLASS in cell._dom_classes for cell in ex.cells.ravel())
    assert FIXED_CLASS in ex.controls["source"]._dom_classes
    assert FIXED_CLASS not in ex.controls["index"]._dom_classes
    note = ex.frames.note.value
    assert "follows <b>test digit</b> (precomputed: 0, 1)" in note
    assert "<b>input</b> and drawing need Python" in note


def test_an_explorer_without_frames_hides_nothing():
    from cnnedu.widgets.model import digit_explorer

    ex = digit_explorer()
    assert LIVE_ONLY_CLASS not in ex.live_only["drawing"]._dom_classes


def test_kernel_slider_play_stays_live_with_frames():
    from cnnedu.widgets.conv import kernel_slider

    ex = kernel_slider().with_frames({"position": [0, 1, 2]})
    assert FIXED_CLASS not in ex.play._dom_classes
    assert FIXED_CLASS in ex.controls["kernel"]._dom_classes
