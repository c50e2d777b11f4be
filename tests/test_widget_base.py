"""The Explorer machinery shared by every widget."""
import ipywidgets as widgets
import numpy as np
import pytest

from cnnedu.widgets import Explorer, new_figure


def make_explorer():
    fig = new_figure(3, 2)
    ax = fig.add_subplot()
    img = ax.imshow(np.zeros((4, 4)), vmin=0, vmax=10)
    calls = []

    def update(level, text):
        calls.append((level, text))
        data = np.full((4, 4), float(level))
        img.set_data(data)
        return {"data": data}, f"level {level}" if level < 8 else "<b>too high</b>"

    controls = {"level": widgets.IntSlider(value=1, min=0, max=10), "text": widgets.Text("a")}
    return Explorer(controls, fig, update), img, calls


def test_initial_state_rendered():
    ex, img, calls = make_explorer()
    assert calls == [(1, "a")]
    np.testing.assert_array_equal(ex.state()["data"], np.ones((4, 4)))
    assert bytes(ex.image.value[:8]) == b"\x89PNG\r\n\x1a\n"
    assert ex.message == "level 1"


def test_setting_a_control_updates_synchronously_and_in_place():
    ex, img, calls = make_explorer()
    before = ex.image.value
    ex.controls["level"].value = 9
    assert calls[-1] == (9, "a")
    np.testing.assert_array_equal(img.get_array(), np.full((4, 4), 9.0))
    np.testing.assert_array_equal(ex.state()["data"], np.full((4, 4), 9.0))
    assert ex.message == "<b>too high</b>"
    assert ex.image.value != before
    assert list(ex.figure.axes[0].images) == [img]  # updated, not re-plotted


def test_layout_must_name_existing_controls():
    fig = new_figure(2, 2)
    with pytest.raises(ValueError, match=r"layout names controls that do not exist: \['nope'\]"):
        Explorer({"a": widgets.IntSlider()}, fig, lambda a: ({}, ""), layout=[["a", "nope"]])
