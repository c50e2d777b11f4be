"""The chapter 1 explorers, driven headless: what they show equals what cnnedu computes."""
import html
import io

import ipywidgets as widgets
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image

from cnnedu.explain import conv as cx
from cnnedu.explain.kernels import filter_view
from cnnedu.geometry import conv_output_size
from cnnedu.ops.conv import conv2d, correlate2d
from cnnedu.kernels import format_kernel, get_kernel, kernel_names, parse_kernel
from cnnedu.widgets.conv import filter_bank, kernel_slider, stride_explorer


# ------------------------------------------------------------- kernel slider
@pytest.fixture(scope="module")
def slider():
    return kernel_slider()


@pytest.mark.parametrize("position", [0, 1, 7, 8, 19, 63])
def test_kernel_slider_shows_window_products_sum_and_output(slider, position):
    slider.controls["kernel"].value = "sobel_x"
    slider.controls["position"].value = position
    state = slider.state()
    x = slider.state()["input"]
    w = get_kernel("sobel_x")
    OW = x.shape[1] - 2
    i, j = divmod(position, OW)
    assert (state["position"], state["i"], state["j"]) == (position, i, j)
    win = cx.window_at(x, w, i, j)
    np.testing.assert_array_equal(state["rows"], win.rows)
    np.testing.assert_array_equal(state["cols"], win.cols)
    np.testing.assert_array_equal(state["window"], win.window)
    np.testing.assert_array_equal(state["products"], win.products)
    assert state["sum"] == win.total
    np.testing.assert_allclose(state["output"], correlate2d(x, w))
    assert state["output"][i, j] == pytest.approx(state["sum"])
    flat = state["shown"].ravel()
    assert not np.isnan(flat[:position + 1]).any() and np.isnan(flat[position + 1:]).all()
    assert state["titles"] == [f"input x (window at rows {i}-{i + 2}, cols {j}-{j + 2})",
                      f"output y[{i}, {j}] = sum = {state['sum']:.2f}".replace("-0.00", "0.00")]


def test_kernel_slider_default_input_is_a_digit_crop(slider):
    x = slider.state()["input"]
    assert x.shape == (10, 10) and 0 <= x.min() and x.max() <= 1 and x.max() > 0.5
    assert slider.controls["position"].max == 63


@pytest.mark.parametrize("name", ["identity", "box_blur_3x3", "laplacian_8"])
def test_kernel_slider_kernel_choice(slider, name):
    slider.controls["position"].value = 10
    slider.controls["kernel"].value = name
    state = slider.state()
    np.testing.assert_array_equal(state["kernel"], get_kernel(name))
    np.testing.assert_allclose(state["output"], correlate2d(state["input"], get_kernel(name)))
    assert name in slider.message


def test_kernel_slider_play_button_drives_the_slider():
    ex = kernel_slider(np.arange(20.0).reshape(4, 5) / 20, kernel="box_blur_3x3")
    assert isinstance(ex.play, widgets.Play)
    row = next(c for c in ex.children if isinstance(c, widgets.HBox) and ex.play in c.children)
    assert ex.controls["position"] in row.children
    assert (ex.play.min, ex.play.max) == (0, 5) and ex.controls["position"].max == 5
    assert ex.play_link.source == (ex.play, "value")        # linked in the browser
    assert ex.play_link.target == (ex.controls["position"], "value")
    ex.controls["position"].value = 5           # the last output position
    assert (ex.state()["i"], ex.state()["j"]) == (1, 2)
    assert ex.state()["sum"] == pytest.approx(np.mean(ex.state()["window"]))


@pytest.mark.parametrize("kwargs, match", [
    (dict(kernel="gaussian_5x5"), r"kernel must be one of the 3x3 presets \['identity'"),
    (dict(image=np.ones((2, 5))), r"image must be at least 3x3 for a 3x3 kernel, got 2x5"),
    (dict(image=np.ones(9)), r"image must be a 2-D array \(H, W\), got shape \(9,\)"),
])
def test_kernel_slider_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        kernel_slider(**kwargs)


# ----------------------------------------------------------- stride explorer
@pytest.fixture(scope="module")
def strider():
    return stride_explorer()


def set_controls(explorer, **values):
    for name, value in values.items():
        explorer.controls[name].value = value
    return explorer.state()


SETTINGS = [  # kernel, padding, stride, dilation
    ("box_blur_3x3", 0, 1, 1), ("sobel_x", 1, 2, 1), ("gaussian_5x5", 2, 3, 1),
    ("laplacian_4", 0, 2, 2), ("sharpen", "same", 3, 1), ("box_blur_5x5", "same", 2, 2),
    ("prewitt_y", "full", 1, 1), ("identity", 3, 5, 4), ("gaussian_3x3", "full", 4, 3),
]


@pytest.mark.parametrize("kernel, padding, stride, dilation", SETTINGS,
                         ids=[f"{k}-p{p}-s{s}-d{d}" for k, p, s, d in SETTINGS])
def test_stride_explorer_output_equals_conv2d(strider, kernel, padding, stride, dilation):
    state = set_controls(strider, kernel=kernel, padding=padding, stride=stride, dilation=dilation)
    x, w = strider.state()["input"], get_kernel(kernel)
    k = w.shape[0]
    assert not state["empty"]
    if padding == "full":
        p = dilation * (k - 1)
        expected_size = conv_output_size(x.shape[0], k, stride, p, dilation)
        y = conv2d(x[None, None], w[None, None], stride=stride, padding=p, dilation=dilation)
    else:
        expected_size = conv_output_size(x.shape[0], k, stride, padding, dilation)
        y = conv2d(x[None, None], w[None, None], stride=stride, padding=padding, dilation=dilation)
    assert state["output_size"] == (expected_size, expected_size) == y.shape[2:]
    np.testing.assert_allclose(state["output"], y[0, 0])
    assert strider.controls["position"].max == expected_size ** 2 - 1
    assert f"= {expected_size}" in strider.message


def test_stride_explorer_full_padding_is_correlate2d_full(strider):
    state = set_controls(strider, kernel="sobel_y", padding="full", stride=1, dilation=1)
    np.testing.assert_allclose(state["output"], correlate2d(state["input"], get_kernel("sobel_y"),
                                                            mode="full"))


def test_stride_explorer_position_moves_the_footprint(strider):
    set_controls(strider, kernel="sobel_x", padding=1, stride=2, dilation=2, position=0)
    OH, OW = strider.state()["output_size"]
    state = set_controls(strider, position=OW + 2)
    assert (state["i"], state["j"]) == (1, 2)
    np.testing.assert_array_equal(state["rows"], 2 + 2 * np.arange(3))
    np.testing.assert_array_equal(state["cols"], 4 + 2 * np.arange(3))
    win = cx.window_at(state["input"], get_kernel("sobel_x"), 1, 2, 2, 1, 2)
    assert win.total == pytest.approx(state["output"][1, 2])
    assert "taps for y[1, 2]" in strider.message


def test_stride_explorer_position_range_follows_the_output(strider):
    set_controls(strider, kernel="box_blur_3x3", padding=0, stride=1, dilation=1)
    strider.controls["position"].value = 143                   # the last of 12 x 12
    state = set_controls(strider, stride=4)                     # now 3 x 3
    assert strider.controls["position"].max == 8
    assert state["position"] == 8 == strider.controls["position"].value
    assert (state["i"], state["j"]) == (2, 2)


def test_stride_explorer_explains_an_empty_output(strider):
    state = set_controls(strider, kernel="box_blur_5x5", padding=0, stride=1, dilation=4)
    assert state["empty"] and state["output"] is None and state["output_size"] == (0, 0)
    assert state["explanation"] == ("the dilated kernel spans 17 pixels but the padded input is "
                                    "only 14 wide")
    assert "<b>No output:</b> the dilated kernel spans 17 pixels but the padded input is only " \
           "14 wide: span d(k − 1) + 1 = 4·(5 − 1) + 1 = 17 &gt; W + 2p = 14 + 2·0 = 14" \
           in strider.message
    assert "= -2 &nbsp;→ no output" in strider.message
    assert strider.controls["position"].max == 0
    assert state["titles"][1] == "no output: the kernel does not fit"
    assert state["titles"][0] == "padded input 14×14 (input 14×14, padding p = 0)"
    state = set_controls(strider, padding="same")               # padding rescues it
    assert not state["empty"] and state["output_size"] == (14, 14)


def test_stride_explorer_stride_larger_than_the_input():
    ex = stride_explorer(np.arange(16.0).reshape(4, 4) / 16)
    state = set_controls(ex, kernel="box_blur_3x3", padding=0, stride=5, dilation=1)
    assert state["output_size"] == (1, 1) == (conv_output_size(4, 3, 5), conv_output_size(4, 3, 5))
    np.testing.assert_allclose(state["output"], [[np.mean(state["input"][:3, :3])]])
    assert "the last row and the last column of the padded input are never read" in ex.message
    assert "fits only once down and across" in ex.message


def test_stride_explorer_uneven_stride_is_shown(strider):
    state = set_controls(strider, kernel="box_blur_3x3", padding=1, stride=3, dilation=1)
    g = state["geometry"]
    assert g.unused == (1, 1) and state["output_size"] == (5, 5)
    crosses = strider.figure.axes[0].collections[-1].get_offsets()
    assert len(crosses) == 16 * 16 - 15 * 15
    assert "the last row and the last column of the padded input are never read" in strider.message


def test_stride_explorer_bad_arguments():
    with pytest.raises(ValueError, match=r"kernel must be one of \['identity'"):
        stride_explorer(kernel="nope")


# --------------------------------------------------------------- filter bank
@pytest.fixture
def bank():
    image = np.random.default_rng(0).random((20, 24))
    explorer = filter_bank(image)
    renders = []
    original = explorer.render_png

    def counting():
        renders.append(1)
        return original()

    explorer.render_png = counting
    explorer.renders = renders
    return explorer


@pytest.mark.parametrize("name", kernel_names())
def test_filter_bank_feature_map_for_every_preset(bank, name):
    if name == bank.controls["kernel"].value:
        bank.controls["kernel"].value = "identity" if name != "identity" else "sobel_x"
    bank.renders.clear()
    bank.controls["kernel"].value = name
    state = bank.state()
    assert len(bank.renders) == 1                   # one picture per change, not two
    np.testing.assert_array_equal(state["kernel"], get_kernel(name))
    np.testing.assert_allclose(state["feature_map"], correlate2d(state["input"], get_kernel(name),
                                                                 mode="same"))
    assert state["error"] == "" and state["preset"] == name
    assert parse_kernel(bank.controls["weights"].value).tolist() == get_kernel(name).tolist()
    assert bank.figure.axes[2].images[0].get_cmap().name == (
        "RdBu_r" if get_kernel(name).min() < 0 else "gray")


def test_filter_bank_typed_weights_switch_to_custom(bank):
    bank.renders.clear()
    bank.controls["weights"].value = "1 0 -1\n1 0 -1\n1 0 -1"
    state = bank.state()
    assert len(bank.renders) == 1
    assert bank.controls["kernel"].value == "custom" and state["preset"] == "custom"
    k = np.array([[1, 0, -1]] * 3, dtype=float)
    np.testing.assert_array_equal(state["kernel"], k)
    np.testing.assert_allclose(state["feature_map"], correlate2d(state["input"], k, mode="same"))
    state = set_controls(bank, weights="1/4 1/4\n1/4 1/4")     # a 2x2 kernel works too
    assert state["kernel"].shape == (2, 2) and state["feature_map"].shape == (20, 24)


def test_filter_bank_explains_a_kernel_it_cannot_read(bank):
    state = set_controls(bank, weights="1 2 3\n4 five 6")
    assert state["kernel"] is None and state["feature_map"] is None
    assert state["error"] == ("row 2, entry 2: 'five' is not a number (write numbers like 1, -0.5, "
                              "2e-1 or 1/9)")
    assert bank.message.startswith("<b>Cannot read the kernel:</b> row 2, entry 2:")
    assert np.isnan(np.ma.filled(bank.figure.axes[2].images[0].get_array(), np.nan)).all()
    state = set_controls(bank, weights="1 2\n3")
    assert state["error"] == "every row needs the same number of entries: row 1 has 2, row 2 has 1"
    state = set_controls(bank, kernel="sharpen")                 # a preset recovers
    assert state["error"] == "" and state["kernel"].tolist() == get_kernel("sharpen").tolist()


def test_filter_bank_default_photo_is_small():
    ex = filter_bank()
    assert ex.state()["input"].shape == (150, 128)
    assert ex.state()["preset"] == "sobel_x"


def test_filter_bank_bad_arguments():
    with pytest.raises(ValueError, match=r"kernel must be one of \['identity'"):
        filter_bank(np.ones((5, 5)), kernel="edges")


# ------------------------------------------------- blitted pictures are exact
def full_redraw(explorer):
    """The figure drawn from scratch by plain Agg, as an RGBA array."""
    canvas = explorer.figure.canvas
    FigureCanvasAgg.draw(canvas)
    return np.asarray(canvas.buffer_rgba()).copy()


def shown_picture(explorer):
    return np.asarray(Image.open(io.BytesIO(bytes(explorer.image.value))).convert("RGBA"))


@pytest.mark.parametrize("builder, changes", [
    (kernel_slider, [("position", 5), ("kernel", "laplacian_8"), ("position", 40)]),
    (stride_explorer, [("stride", 2), ("position", 7), ("dilation", 4), ("padding", "same"),
                       ("position", 3)]),
    (filter_bank, [("kernel", "gaussian_5x5"), ("weights", "1 2\n3"), ("kernel", "sobel_y")]),
], ids=["kernel_slider", "stride_explorer", "filter_bank"])
def test_fast_redraw_gives_the_same_picture_as_a_full_one(builder, changes):
    # an explorer redraws only what changes on a cached background; a second explorer set
    # to the same values and drawn from scratch must look exactly the same after every change
    explorer = builder()
    for k, (name, value) in enumerate(changes):
        explorer.controls[name].value = value
        reference = builder()
        for earlier, earlier_value in changes[:k + 1]:
            reference.controls[earlier].value = earlier_value
        assert np.array_equal(shown_picture(explorer), full_redraw(reference)), (name, value)


def test_kernel_slider_play_button_follows_the_position():
    # a saved page links the Play value onto the slider when it loads: they must agree
    from cnnedu.widgets.conv import kernel_slider

    explorer = kernel_slider()
    explorer.controls["position"].value = 19
    assert explorer.play.value == 19
    assert explorer.state()["position"] == 19


# ------------------------------------------------------------------ captions
def test_slide_caption_is_a_function_of_the_state():
    from cnnedu.kernels import describe_kernel
    from cnnedu.widgets.conv import slide_caption

    x = np.random.default_rng(0).random((5, 6))
    state = cx.slide_view(x, get_kernel("sobel_y"), 9)           # y[2, 1] of a 3x4 output
    assert slide_caption(state, "sobel_y") == (
        f"y[2, 1] = Σ<sub>u</sub> Σ<sub>v</sub> x[2 + u, 1 + v] · w[u, v] = {state['sum']:.3f}"
        f" &nbsp; (sobel_y: {describe_kernel('sobel_y')})")


def test_stride_caption_is_a_function_of_the_state():
    from cnnedu.widgets.conv import stride_caption

    x = np.ones((14, 14))
    st = cx.stride_settings(x, get_kernel("box_blur_3x3"), 3, 1, 1)
    lines = stride_caption(cx.stride_view(st, 7)).split("<br>")
    assert lines[:2] == [html.escape(f) for f in st.geometry.formula]
    assert lines[2] == ("The stride does not tile the padded input evenly: the last row and the "
                        "last column of the padded input are never read (crosses).")
    assert "kernel taps for y[1, 2]" in lines[3] and len(lines) == 4
    same = stride_caption(cx.stride_view(cx.stride_settings(x, get_kernel("sobel_x"), 2, "same",
                                                            1), 0))
    assert ("Padding 'same' adds 0 row(s) at the top, 1 at the bottom, 0 column(s) at the left "
            "and 1 at the right.") in same
    empty = stride_caption(cx.stride_view(cx.stride_settings(x, get_kernel("box_blur_5x5"), 1, 0,
                                                             4), 0))
    assert "= -2 &nbsp;→ no output" in empty
    assert ("<b>No output:</b> the dilated kernel spans 17 pixels but the padded input is only "
            "14 wide: span d(k − 1) + 1 = 4·(5 − 1) + 1 = 17 &gt; W + 2p = 14 + 2·0 = 14. "
            "Lower the dilation, pick a smaller kernel or add padding.") in empty


def test_filter_caption_is_a_function_of_the_view():
    from cnnedu.kernels import describe_kernel
    from cnnedu.widgets.conv import filter_caption

    x = np.random.default_rng(0).random((8, 9))
    view = filter_view(x, get_kernel("sobel_x"))
    y, m = view.feature_map, view.limits[1]
    assert filter_caption(view, "sobel_x") == (
        f"{describe_kernel('sobel_x')} Weights sum to 0; y ranges from {y.min():.2f} to "
        f"{y.max():.2f} (blue negative, white 0, red positive; colours saturate at ±{m:.2f}, "
        f"the 99th percentile of |y|).")
    view = filter_view(x, "1/9 1/9 1/9\n1/9 1/9 1/9\n1/9 1/9 1/9")
    assert filter_caption(view, "custom").startswith("Your own kernel. Weights sum to 1; ")
    assert filter_caption(view, "custom").endswith(
        "(grey levels: black the smallest value, white the largest).")
    assert filter_caption(filter_view(x, "1 <2"), "custom") == (
        "<b>Cannot read the kernel:</b> row 1, entry 2: &#x27;&lt;2&#x27; is not a number "
        "(write numbers like 1, -0.5, 2e-1 or 1/9). One row per line, numbers separated by "
        "spaces or commas, e.g. <code>1 0 -1</code>.")


# --------------------------------------------------- one change, one update
def count_updates(explorer):
    renders = []
    original = explorer.render_png
    explorer.render_png = lambda *a, **k: renders.append(1) or original(*a, **k)
    return renders


def test_stride_explorer_updates_once_when_the_position_range_follows():
    ex = stride_explorer()
    ex.controls["position"].value = 143
    renders = count_updates(ex)
    ex.controls["stride"].value = 4                 # the range shrinks and clamps the position
    assert len(renders) == 1 and ex.controls["position"].value == 8 == ex.state()["position"]
    ex.set_values(stride=1, position=100)           # several values, one update
    assert len(renders) == 2 and ex.state()["position"] == 100


def test_filter_bank_controls_follow_each_other_quietly():
    ex = filter_bank(np.random.default_rng(0).random((10, 12)))
    renders = count_updates(ex)
    ex.controls["kernel"].value = "sharpen"
    assert ex.controls["weights"].value == format_kernel(get_kernel("sharpen"))
    ex.controls["weights"].value = format_kernel(get_kernel("sharpen"))   # unchanged text
    ex.controls["kernel"].value = "custom"          # the sharpen weights, now as 'custom'
    assert ex.state()["preset"] == "custom"
    np.testing.assert_array_equal(ex.state()["kernel"], get_kernel("sharpen"))
    ex.set_values(kernel="identity")
    assert ex.controls["weights"].value == format_kernel(get_kernel("identity"))
    assert len(renders) == 3
