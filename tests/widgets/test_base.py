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


def test_render_png_can_store_a_palette():
    import io

    from PIL import Image

    ex, img, calls = make_explorer()
    full, small = ex.render_png(), ex.render_png(colors=16)
    assert full == ex.image.value                       # the live picture is the full PNG
    assert Image.open(io.BytesIO(full)).mode == "RGBA"
    palette = Image.open(io.BytesIO(small))
    assert palette.mode == "P" and len(palette.getcolors()) <= 16
    a = np.asarray(palette.convert("RGB"), dtype=float)
    b = np.asarray(Image.open(io.BytesIO(full)).convert("RGB"), dtype=float)
    assert a.shape == b.shape and np.abs(a - b).mean() < 2.0
    assert ex.render_png(colors=16) == small            # deterministic


def test_with_frames_returns_the_explorer_and_refresh_keeps_frames_in_step():
    ex, img, calls = make_explorer()
    assert ex.frames is None
    assert ex.with_frames({"level": [1, 9]}) is ex
    ex.controls["level"].value = 9
    assert ex.frames.view.selected_index == 9            # the Python side follows each update
    assert ex.frames.shown().children[1].value == ex.message == "<b>too high</b>"


def test_text_form_says_what_to_do_before_the_widget_shows():
    """A notebook opened before its cells run shows the text/plain form: one line, whole."""
    fig = new_figure(2, 2)
    controls = {"stride": widgets.IntSlider(description="stride <i>s</i>"),
                "kernel": widgets.Dropdown(options=["a", "b"], description="kernel"),
                "note": widgets.Text()}
    ex = Explorer(controls, fig, lambda **v: ({}, ""), title="Stride &amp; <b>padding</b>")
    expected = ('Explorer "Stride & padding": run this cell (or the whole notebook) to show it '
                'and move its controls: stride s, kernel, note.')
    assert ex.text_form() == expected and repr(ex) == expected
    bundle = ex._repr_mimebundle_()
    assert bundle["text/plain"] == expected                    # not cut at 110 characters
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == ex.model_id
    untitled = Explorer({"k": widgets.IntSlider()}, fig, lambda k: ({}, ""))
    assert untitled.text_form().startswith("Explorer: run this cell")


def test_every_explorer_has_a_short_text_form():
    from cnnedu.widgets._registry import builders

    for name, build in builders().items():
        ex = build()
        text = ex._repr_mimebundle_()["text/plain"]
        assert "run this cell" in text and "<" not in text and "\n" not in text, name
        assert all(c.description.split("<")[0].strip() in text
                   for c in ex.controls.values()), name
