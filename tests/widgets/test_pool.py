"""The pooling explorer, driven headlessly: what it shows is what cnnedu computes."""
import itertools

import numpy as np
import pytest

from cnnedu import samples
from cnnedu.explain.pool import pool_window, window_coverage
from cnnedu.ops.pool import avg_pool2d, max_pool2d
from cnnedu.viz.text import format_number
from cnnedu.widgets.pool import pooling_explorer


def edge_map_7():
    """The explorer's default map: 16 x 16 of the Sobel x response of a 7."""
    return samples.edge_map(samples.digit(1), top=7, left=6, size=16)


POOL = {"max": max_pool2d, "avg": avg_pool2d}


def set_controls(explorer, **values):
    for name, value in values.items():
        explorer.controls[name].value = value


def assert_shows(explorer, x, kind, k, s, p):
    """state() equals what cnnedu computes for the explorer's current settings."""
    state = explorer.state()
    assert state["valid"] and state["problem"] is None
    assert (state["kind"], state["size"], state["stride"], state["padding"]) == (kind, k, s, p)
    expected = POOL[kind](x[None, None], k, s, p)[0, 0]
    np.testing.assert_array_equal(state["output"], expected)
    assert state["output_size"] == expected.shape
    i, j = state["cell"]
    assert (i, j) == (explorer.controls["row"].value, explorer.controls["col"].value)
    win = pool_window(x, i, j, k, s, p, kind)
    np.testing.assert_array_equal(state["window"], win.window)      # NaN on padding, too
    np.testing.assert_array_equal(state["inside"], win.inside)
    assert state["top_left"] == win.top_left
    assert state["value"] == win.value
    assert np.isclose(win.value, expected[i, j], rtol=1e-12, atol=1e-12)
    assert state["winner"] == win.argmax
    np.testing.assert_array_equal(state["coverage"], window_coverage(x.shape, k, s, p))
    # the sliders range over the output cells
    assert explorer.controls["row"].max == expected.shape[0] - 1
    assert explorer.controls["col"].max == expected.shape[1] - 1


@pytest.fixture(scope="module")
def explorer():
    return pooling_explorer()


def test_default_is_2x2_max_pooling_of_a_digit_edge_map(explorer):
    x = edge_map_7()
    np.testing.assert_array_equal(explorer.state()["input"], x)
    set_controls(explorer, kind="max", size=2, stride=2, padding=0, row=0, col=0)
    assert_shows(explorer, x, "max", 2, 2, 0)
    assert explorer.state()["output_size"] == (8, 8)
    assert "= <b>8</b>" in explorer.message


SETTINGS = [(kind, k, s, p, cell) for kind, (k, s, p), cell in itertools.product(
    ("max", "avg"),
    [(2, 2, 0), (3, 2, 1), (3, 1, 0), (2, 1, 1), (4, 3, 2), (2, 5, 0), (1, 1, 0), (16, 1, 0)],
    [(2, 3), (99, 99)])]


@pytest.mark.parametrize("kind, k, s, p, cell", SETTINGS,
                         ids=[f"{kind}-k{k}-s{s}-p{p}-cell{cell[0]}" for kind, k, s, p, cell
                              in SETTINGS])
def test_state_equals_cnnedu(explorer, kind, k, s, p, cell):
    set_controls(explorer, kind=kind, size=k, stride=s, padding=p)
    oh, ow = explorer.state()["output_size"]
    # the sliders clamp a cell past the output to the last row / column
    set_controls(explorer, row=min(cell[0], oh - 1), col=min(cell[1], ow - 1))
    assert_shows(explorer, edge_map_7(), kind, k, s, p)


def test_panels_draw_what_state_says(explorer):
    set_controls(explorer, kind="max", size=3, stride=2, padding=1, row=2, col=5)
    state = explorer.state()
    art = explorer.artists
    top, left = state["top_left"]
    assert art["input"].outlines.rects["current"] == [(top, left, 3, 3)]
    assert art["input"].outlines.rects["winner"] == [(*state["winner"], 1, 1)]
    assert art["output"].outlines.rects["current"] == [(2, 5, 1, 1)]
    window_labels = [format_number(v, "{:.2f}") if inside else "\u2212\u221e"
                     for v, inside in zip(state["window"].ravel(), state["inside"].ravel())]
    assert art["window"].labels.labels == window_labels
    assert art["output"].labels.labels == [format_number(v, "{:.1f}")
                                           for v in state["output"].ravel()]
    assert explorer.titles.texts[1] == \
        f"window (2, 5): max = {format_number(state['value'], '{:.2f}')}"


def test_sliders_follow_the_output_size_and_clamp():
    ex = pooling_explorer()
    set_controls(ex, size=2, stride=1)
    assert ex.controls["row"].max == 14
    set_controls(ex, row=14, col=10)
    set_controls(ex, stride=4)                       # output shrinks to 4x4
    assert ex.controls["row"].max == 3 and ex.controls["row"].value == 3
    assert ex.state()["cell"] == (3, 3)
    assert_shows(ex, edge_map_7(), "max", 2, 4, 0)


def test_window_larger_than_the_input_is_explained_not_raised():
    x = np.arange(25.0).reshape(5, 5)
    ex = pooling_explorer(x)
    set_controls(ex, size=6, padding=0)
    state = ex.state()
    assert not state["valid"] and state["output"] is None and state["cell"] is None
    assert "does not fit the 5x5 input" in state["problem"]
    assert "no output" in ex.message and "does not fit" in ex.message
    assert ex.controls["row"].disabled and ex.controls["col"].disabled
    set_controls(ex, padding=1)                      # 5 + 2 >= 6: now it fits
    assert ex.state()["valid"] and not ex.controls["row"].disabled
    assert_shows(ex, x, "max", 6, ex.controls["stride"].value, 1)


def test_padding_more_than_half_the_window_is_explained():
    ex = pooling_explorer()
    set_controls(ex, size=2, padding=2)
    assert not ex.state()["valid"]
    assert "padding 2 is more than half of the 2x2 window" in ex.message


def test_stride_larger_than_the_input():
    x = np.arange(25.0).reshape(5, 5)
    ex = pooling_explorer(x, size=2, stride=6)
    assert_shows(ex, x, "max", 2, 6, 0)
    state = ex.state()
    assert state["output_size"] == (1, 1) and state["winner"] == (1, 1)
    assert state["coverage"].sum() == 4              # one 2x2 window, the rest skipped
    assert "21 input cells (cross-hatched) lie in no window" in ex.message
    assert "windows skip cells" in ex.message


def test_window_as_large_as_the_input_gives_one_cell():
    x = np.arange(16.0).reshape(4, 4)[::-1]
    ex = pooling_explorer(x, kind="avg", size=4, stride=1)
    assert_shows(ex, x, "avg", 4, 1, 0)
    assert ex.state()["output_size"] == (1, 1)
    assert "the mean of its 4&times;4 = 16 cells is 7.50" in ex.message
    assert "overlap" not in ex.message          # stride < window, but only one window


def test_ties_and_overlap_are_mentioned():
    x = np.zeros((6, 6))
    x[1, 1] = x[1, 2] = 5.0
    ex = pooling_explorer(x, size=3, stride=2)
    assert ex.state()["winner"] == (1, 1)             # first maximum in reading order
    assert "a tie: the first maximum in reading order wins" in ex.message
    assert "the windows overlap" in ex.message and "up to 4 windows" in ex.message


def test_padding_is_explained_for_each_kind():
    ex = pooling_explorer(size=3, stride=2, padding=1)
    assert "&minus;&infin; for max pooling" in ex.message
    set_controls(ex, kind="avg")
    assert "count as 0 in the average" in ex.message


def test_figure_is_updated_in_place():
    ex = pooling_explorer()
    collections = [list(ax.collections) for ax in ex.figure.axes]
    png = ex.image.value
    set_controls(ex, size=3, stride=1, padding=1, row=5, col=7, kind="avg")
    assert [list(ax.collections) for ax in ex.figure.axes] == collections
    assert ex.image.value != png


@pytest.mark.parametrize("kwargs, match", [
    (dict(feature_map=np.zeros((2, 3, 3))), r"feature_map must be a 2-D array \(H, W\)"),
    (dict(feature_map=np.zeros((40, 8))), "feature_map must be at most 32x32"),
    (dict(kind="min"), "kind must be 'max' or 'avg', got 'min'"),
], ids=["3d", "too-large", "kind"])
def test_builder_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        pooling_explorer(**kwargs)


def test_pool_caption_is_a_function_of_the_state():
    from cnnedu.explain.pool import pool_settings, pool_view
    from cnnedu.widgets.pool import pool_caption

    x = np.arange(36.0).reshape(6, 6)
    lines = pool_caption(pool_view(pool_settings(x, "max", 3, 2, 1), 0, 2)).split("<br>")
    assert lines == [
        "Output size: OH = &lfloor;(H + 2p &minus; k) / s&rfloor; + 1 = "
        "&lfloor;(6 + 2&middot;1 &minus; 3) / 2&rfloor; + 1 = <b>3</b>, and OW = <b>3</b>.",
        "Cell <b>(0, 2)</b> pools input rows -1&ndash;1, columns 3&ndash;5 (partly in the "
        "padding): its maximum is 11.00, at input cell (1, 5).",
        "Stride 2 &lt; window 3: the windows overlap, and an input cell lies in up to 4 windows.",
        "Padded cells (hatched) hold &minus;&infin; for max pooling, so they never win."]
    avg = pool_caption(pool_view(pool_settings(x, "avg", 2, 3, 0), 0, 0))
    assert "the mean of its 2&times;2 = 4 cells is 3.50" in avg
    assert ("20 input cells (cross-hatched) lie in no window (the stride is larger than the "
            "window, so windows skip cells): they never reach the output.") in avg
    assert pool_caption(pool_view(pool_settings(x, "max", 2, 2, 2), 0, 0)) == (
        "<b>This setting has no output</b>: padding 2 is more than half of the 2x2 window: a "
        "window could then lie entirely in the padding, so padding must be at most k // 2 = 1. "
        "Make the window smaller, or change the padding.")


def test_one_change_gives_one_update_while_the_cell_sliders_follow():
    ex = pooling_explorer()
    set_controls(ex, row=7, col=7)
    renders = []
    original = ex.render_png
    ex.render_png = lambda *a, **k: renders.append(1) or original(*a, **k)
    set_controls(ex, size=3)                       # 8x8 -> 7x7: both sliders clamp
    assert len(renders) == 1 and ex.state()["cell"] == (6, 6)
    set_controls(ex, size=17)                      # no output: sliders disabled
    assert len(renders) == 2 and ex.controls["row"].disabled
