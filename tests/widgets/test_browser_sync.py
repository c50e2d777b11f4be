"""What the kernel sends to the browser when a reader moves a control there.

A change made in the browser reaches Python through ``Widget.set_state``
(as JupyterLab's message does). Where the browser already keeps two widgets
in step by a link (a Stack of frames and its control, a Play and its
slider), Python must not send its own copy of that change back: by the time
it arrives, the reader may have pressed the key again, and the stale value
would move the picture (or the slider) back to where it was.
"""
import ipywidgets as widgets
import numpy as np
import pytest

from cnnedu.widgets import Explorer, new_figure


def make_explorer():
    """A small explorer: slider 'level' (0..9), free text 'label'."""
    fig = new_figure(1.5, 1.2)
    ax = fig.add_subplot()
    img = ax.imshow(np.zeros((4, 4)), vmin=0, vmax=9)

    def update(level, label):
        img.set_data(np.full((4, 4), level))
        return {"level": level}, f"{label} {level}"

    controls = {"level": widgets.IntSlider(value=2, min=0, max=9),
                "label": widgets.Text("x")}
    return Explorer(controls, fig, update)


@pytest.fixture
def sent(monkeypatch):
    """``sent(widget)``: the names of the traits each message to the browser carried, since now."""
    log = {}

    def watch(widget):
        original = widget._send
        log[id(widget)] = []

        def send(msg, buffers=None):
            log[id(widget)].append(sorted(msg.get("state", {})))
            return original(msg, buffers=buffers)

        monkeypatch.setattr(widget, "_send", send)
        return log[id(widget)]

    return watch


def from_browser(control, **state):
    """Apply a change as JupyterLab's update message does."""
    control.set_state(state)


def test_a_swept_value_from_the_browser_leaves_the_stacks_to_the_browser(sent):
    ex = make_explorer().with_frames({"level": "all"})
    (stack, _), = ex.frames.stacks
    messages = sent(stack)
    for value in (3, 4, 5):
        from_browser(ex.controls["level"], value=value)
        # Python knows which frame is shown (saved pages and tests read it) ...
        assert stack.selected_index == value
        assert ex.frames.shown().children[0].value == ex.frames.pictures[(value,)][0]
    # ... but sent none: the browser's link selected it when the key was pressed
    assert not any("selected_index" in m for m in messages)


def test_the_stacks_still_switch_to_the_live_picture_in_the_browser(sent):
    ex = make_explorer().with_frames({"level": "all"})
    (stack, level), = ex.frames.stacks
    messages = sent(stack)
    from_browser(ex.controls["label"], value="new")      # not swept: no frame matches
    assert ex.frames.links == [] and stack.selected_index == level.live_slot
    assert ["selected_index"] in messages                # no link does that in the browser
    messages.clear()
    from_browser(ex.controls["label"], value="x")        # back: links made again, and a new
    assert len(ex.frames.links) == 1 and stack.selected_index == 2     # link copies the
    assert not any("selected_index" in m for m in messages)            # control's value


def test_a_slider_moved_in_the_browser_is_not_sent_back_through_its_play(sent):
    ex = make_explorer()
    play = ex.bind_play("level")
    messages = sent(play)
    for value in (3, 4, 5):
        from_browser(ex.controls["level"], value=value)
        assert play.value == value                       # equal in Python, for saved pages
    assert not any("value" in m for m in messages)       # the browser's jslink did it there
    ex.controls["level"].max = 12
    assert play.max == 12 and ["max"] in messages


def test_a_slider_set_in_python_reaches_the_browser(sent):
    ex = make_explorer().with_frames({"level": "all"})
    play = ex.bind_play("level")
    slider_messages = sent(ex.controls["level"])
    ex.controls["level"].value = 7                       # e.g. a chapter's code cell
    assert ["value"] in slider_messages                  # the browser's links follow it
    assert play.value == 7 and ex.frames.stacks[0][0].selected_index == 7


def test_a_value_set_in_python_moves_the_play_in_the_browser_too(sent):
    # the saved page links Play -> slider: a Play left at the old value would move
    # the slider (and the picture) back there when the page loads
    ex = make_explorer()
    play = ex.bind_play("level")
    messages = sent(play)
    ex.controls["level"].value = 7
    assert play.value == 7 and ["value"] in messages
    from_browser(ex.controls["level"], value=4)
    assert play.value == 4 and messages.count(["value"]) == 1
