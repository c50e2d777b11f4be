"""The convolution-gradient explorer, driven headlessly: the gradients it shows are those
cnnedu computes, and awkward settings are explained instead of raised."""

import numpy as np
import pytest

from cnnedu.explain import conv_backward as cb
from cnnedu.widgets.conv_backward import conv_backward_caption, conv_backward_explorer

from ..explain.test_conv_backward import assert_view_is_conv2d_backward


def set_controls(explorer, **values):
    for name, value in values.items():
        explorer.controls[name].value = value


# ------------------------------------------------------------------ conv backward
@pytest.fixture(scope="module")
def conv_ex():
    return conv_backward_explorer()


def assert_conv_state(explorer):
    """Every array shown equals what conv2d / conv2d_backward give for the settings."""
    st = explorer.state()
    x, w, s, p = st["input"], st["kernel"], st["stride"], st["padding"]
    y = assert_view_is_conv2d_backward(st, x, w, s, p, st["loss"], explorer.controls["cell"].value)
    r, c = st["pixel"]
    assert r * x.shape[1] + c == explorer.controls["pixel"].value
    # what is drawn is what the state says
    np.testing.assert_allclose(explorer.artists["dx"].get_array(), st["dx"])
    np.testing.assert_allclose(explorer.artists["dw"].get_array(), st["dw"])
    assert len(explorer.artists["outputs"].get_segments()) == st["outputs"].sum()
    assert len(explorer.artists["taps"].get_segments()) == st["taps"].sum()
    assert explorer.controls["cell"].disabled == (st["loss"] == "sum")
    if st["loss"] == "cell":
        assert explorer.controls["cell"].max == y.size - 1


CONV_SETTINGS = [  # input, kernel, stride, padding, loss, cell, pixel
    ("digit crop", "sobel_x", 1, 0, "cell", 27, 55),
    ("digit crop", "1..9 (3×3)", 2, 1, "sum", 0, 44),
    ("random", "1..4 (2×2)", 3, 0, "cell", 5, 99),
    ("random", "box_blur_5x5", 2, 3, "cell", 12, 0),
    ("digit crop", "laplacian_4", 1, 2, "sum", 0, 11),
    ("random", "gaussian_3x3", 4, 1, "cell", 8, 36),
]


@pytest.mark.parametrize("inp, kernel, s, p, loss, cell, pixel", CONV_SETTINGS,
                         ids=[f"{k}-s{s}-p{p}-{loss}" for _, k, s, p, loss, _, _ in CONV_SETTINGS])
def test_conv_explorer_shows_conv2d_backward(conv_ex, inp, kernel, s, p, loss, cell, pixel):
    set_controls(conv_ex, input=inp, kernel=kernel, stride=s, padding=p, loss=loss)
    set_controls(conv_ex, cell=min(cell, conv_ex.controls["cell"].max), pixel=pixel)
    assert_conv_state(conv_ex)


def test_conv_explorer_one_cell_puts_the_kernel_on_its_window(conv_ex):
    set_controls(conv_ex, input="random", kernel="1..9 (3×3)", stride=1, padding=0, loss="cell")
    set_controls(conv_ex, cell=3 * 8 + 4)          # (3, 4) of an 8x8 output
    st = conv_ex.state()
    np.testing.assert_array_equal(st["dx"][3:6, 4:7], st["kernel"])
    assert np.count_nonzero(st["dx"]) == 9
    np.testing.assert_array_equal(st["dw"], st["input"][3:6, 4:7])
    assert "laid on that cell's window" in conv_ex.message


def test_conv_explorer_stride_larger_than_the_input_is_explained(conv_ex):
    set_controls(conv_ex, input="digit crop", kernel="sobel_x", padding=0, loss="sum")
    set_controls(conv_ex, stride=12, pixel=99)
    st = conv_ex.state()
    assert st["valid"] and st["output_size"] == (1, 1)
    assert "fits only once down and across" in conv_ex.message
    assert "lies in no window" in conv_ex.message and st["dx"][9, 9] == 0
    assert_conv_state(conv_ex)


def test_conv_explorer_skipped_pixels_and_untiled_rows(conv_ex):
    set_controls(conv_ex, input="random", kernel="1..4 (2×2)", padding=0, loss="sum", stride=3)
    assert "larger than the kernel" in conv_ex.message
    set_controls(conv_ex, kernel="sobel_x", stride=2, padding=0)      # (10 - 3) / 2 leaves a row
    assert "never read" in conv_ex.message
    assert np.all(conv_ex.state()["dx"][-1] == 0)


def test_conv_explorer_no_output_is_explained_not_raised():
    ex = conv_backward_explorer(inputs={"tiny": np.ones((3, 3))})
    set_controls(ex, kernel="box_blur_5x5", padding=0)
    st = ex.state()
    assert not st["valid"] and st["dx"] is None and st["output_size"] == (0, 0)
    assert "No output" in ex.message and "5" in st["problem"]
    assert ex.controls["cell"].disabled
    set_controls(ex, padding=1)
    assert ex.state()["valid"]
    assert_conv_state(ex)


def test_conv_explorer_arguments_are_checked():
    with pytest.raises(ValueError, match="kernel must be one of"):
        conv_backward_explorer(kernel="prewitt_x")
    with pytest.raises(ValueError, match="loss must be 'cell' or 'sum', got 'mean'"):
        conv_backward_explorer(loss="mean")
    with pytest.raises(ValueError, match=r"inputs\['big'\] must be a 2-D array of at most 16x16"):
        conv_backward_explorer(inputs={"big": np.ones((20, 20))})


# ------------------------------------------------------------------ one update per change
def test_each_change_computes_once(monkeypatch):
    calls = []
    view = cb.conv_backward_view
    monkeypatch.setattr(cb, "conv_backward_view", lambda *a: calls.append(a) or view(*a))
    ex = conv_backward_explorer()
    assert len(calls) == 1                                   # construction renders once
    set_controls(ex, loss="sum")
    assert len(calls) == 2 and ex.controls["cell"].disabled
    ex.set_values(input="random", stride=2, padding=1, loss="cell", cell=24)
    assert len(calls) == 3 and ex.state()["cell"] == (4, 4)
    assert ex.controls["cell"].max == 24 and not ex.controls["cell"].disabled


def test_conv_explorer_ranges_follow_the_input_and_output():
    ex = conv_backward_explorer(inputs={"small": np.ones((4, 5)), "big": np.ones((8, 8))},
                                loss="cell")
    assert ex.controls["pixel"].max == 19 and ex.controls["cell"].max == 5
    set_controls(ex, cell=5, pixel=19)
    set_controls(ex, input="big")
    assert ex.controls["pixel"].max == 63 and ex.controls["cell"].max == 35
    set_controls(ex, pixel=63, cell=35)
    set_controls(ex, input="small")                          # values clamped into the new ranges
    assert ex.controls["pixel"].value == 19 and ex.controls["cell"].value == 5
    assert ex.state()["pixel"] == (3, 4) and ex.state()["cell"] == (1, 2)


# ------------------------------------------------------------------ captions
def test_conv_backward_caption():
    x, w = np.arange(16.0).reshape(4, 4), np.arange(1.0, 10.0).reshape(3, 3)
    msg = conv_backward_caption(cb.conv_backward_view(x, w, 1, 0, "cell", 3, 5))
    assert msg.startswith("Output size: O<sub>H</sub> = &lfloor;(H + 2p &minus; K<sub>H</sub>) "
                          "/ s&rfloor; + 1 = &lfloor;(4 + 2&middot;0 &minus; 3) / 1&rfloor; + 1 "
                          "= <b>2</b>, O<sub>W</sub> = <b>2</b>.<br>L = y[1, 1] = ")
    assert ("Pixel (1, 1) (green) meets 4 (output cell, tap) pairs: &part;L/&part;x[1, 1] = "
            "&Sigma; dy[i, j]&middot;w[u, v] = 1·1 = 1.00.") in msg
    msg = conv_backward_caption(cb.conv_backward_view(x, w, 1, 0, "cell", 0, 15))
    assert "meets 1 (output cell, tap) pair, but dy is 0 at all of those cells" in msg
    msg = conv_backward_caption(cb.conv_backward_view(np.ones((5, 5)), w, 1, 2, "sum", 0, 12))
    assert "L = &Sigma; y = 1125.00: &part;L/&part;y = 1 everywhere" in msg
    assert "+ &hellip; (3 more) = 45.00." in msg
    bad = cb.conv_backward_view(np.ones((2, 2)), w, 1, 0, "sum", 0, 0)
    assert conv_backward_caption(bad) == (
        "<b>No output</b>: the kernel spans 3 pixels but the padded input is only 2 wide. "
        "Choose a smaller kernel, or add padding.")
    skipped = cb.conv_backward_view(np.ones((10, 10)), np.ones((2, 2)), 3, 0, "sum", 0, 2)
    assert conv_backward_caption(skipped).endswith(
        "<br>Pixel (0, 2) lies in no window: it never reaches the output, so its gradient is "
        "0.<br>The stride (3) is larger than the kernel (2&times;2): windows skip pixels, and a "
        "skipped pixel gets zero gradient.")
