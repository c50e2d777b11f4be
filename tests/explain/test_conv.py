"""cnnedu.explain.conv: what the convolution explorers show, checked against cnnedu.ops.conv."""
import numpy as np
import pytest

from cnnedu.explain import conv as cx
from cnnedu.geometry import conv_output_size
from cnnedu.ops.conv import conv2d, correlate2d
from cnnedu.kernels import get_kernel, kernel_names

GEOMETRIES = [  # (H, W, KH, KW, stride, padding, dilation)
    (5, 5, 3, 3, 1, 0, 1),
    (7, 6, 3, 2, 2, 0, 1),
    (8, 8, 3, 3, 3, 0, 1),       # stride does not tile: last rows/cols unread
    (6, 9, 3, 3, 1, 1, 2),
    (9, 7, 2, 3, (2, 1), (1, 0), (1, 2)),
    (5, 5, 3, 3, 2, "same", 1),
    (6, 5, 4, 2, 1, "same", 2),  # even kernel: one extra zero after
    (4, 4, 3, 3, 1, "full", 1),
    (4, 5, 2, 3, 2, "full", 2),
    (4, 4, 3, 3, 5, 0, 1),       # stride larger than the input
    (3, 3, 3, 3, 1, "valid", 1),  # kernel as large as the input
]
IDS = [f"{h}x{w}-k{kh}x{kw}-s{s}-p{p}-d{d}".replace(" ", "")
       for h, w, kh, kw, s, p, d in GEOMETRIES]


def conv_padding(g, padding):
    """conv2d has no 'full': pass the explicit pads."""
    top, bottom, left, right = g.pads
    return (top, left) if padding == "full" else padding


# ------------------------------------------------------------------ geometry
@pytest.mark.parametrize("H, W, KH, KW, s, p, d", GEOMETRIES, ids=IDS)
def test_geometry_matches_conv_output_size_and_conv2d(H, W, KH, KW, s, p, d):
    g = cx.geometry(H, W, KH, KW, s, p, d)
    assert not g.empty and g.explanation == ""
    x = np.random.default_rng(0).random((1, 1, H, W))
    y = conv2d(x, np.ones((1, 1, KH, KW)), stride=s, padding=conv_padding(g, p), dilation=d)
    assert g.output_size == y.shape[2:]
    sh, sw = (s, s) if isinstance(s, int) else s
    dh, dw = (d, d) if isinstance(d, int) else d
    if p != "full" and not isinstance(p, tuple):
        assert g.output_size == (conv_output_size(H, KH, sh, p, dh),
                                 conv_output_size(W, KW, sw, p, dw))
    top, bottom, left, right = g.pads
    assert g.padded_size == (H + top + bottom, W + left + right)
    assert g.extent == (dh * (KH - 1) + 1, dw * (KW - 1) + 1)
    assert g.formula[0].endswith(f"= {g.output_size[0]}")
    assert g.formula[1].endswith(f"= {g.output_size[1]}")


@pytest.mark.parametrize("H, W, KH, KW, s, p, d", GEOMETRIES, ids=IDS)
def test_rows_read_and_unused_match_every_window(H, W, KH, KW, s, p, d):
    g = cx.geometry(H, W, KH, KW, s, p, d)
    read = np.zeros(g.padded_size, dtype=bool)
    OH, OW = g.output_size
    for i in range(OH):
        for j in range(OW):
            rows = i * g.stride[0] + np.arange(KH) * g.dilation[0]
            cols = j * g.stride[1] + np.arange(KW) * g.dilation[1]
            read[np.ix_(rows, cols)] = True
    np.testing.assert_array_equal(read, g.rows_read[:, None] & g.cols_read[None, :])
    last_row = np.nonzero(read.any(axis=1))[0].max()
    last_col = np.nonzero(read.any(axis=0))[0].max()
    assert g.unused == (g.padded_size[0] - 1 - last_row, g.padded_size[1] - 1 - last_col)


def test_geometry_formula_with_the_numbers_filled_in():
    g = cx.geometry(14, 14, 3, 3, stride=2, padding=1)
    assert g.formula[0] == ("OH = ⌊(H + 2p − d(k − 1) − 1) / s⌋ + 1"
                            " = ⌊(14 + 2·1 − 1·(3 − 1) − 1) / 2⌋ + 1"
                            " = ⌊13 / 2⌋ + 1 = 7")
    asym = cx.geometry(6, 6, 4, 4, padding="same")
    assert asym.pads == (1, 2, 1, 2)
    assert "(6 + 1 + 2 − 1·(4 − 1) − 1)" in asym.formula[0]


def test_uneven_stride_leaves_the_last_rows_unread():
    g = cx.geometry(8, 8, 3, 3, stride=3)        # windows at 0-2, 3-5; rows 6, 7 never read
    assert g.output_size == (2, 2) and g.unused == (2, 2)
    np.testing.assert_array_equal(g.rows_read, [1, 1, 1, 1, 1, 1, 0, 0])
    assert g.note == ("the stride does not tile the padded input evenly: the last 2 rows and "
                      "the last 2 columns of the padded input are never read")
    one = cx.geometry(7, 6, 3, 3, stride=(2, 1))
    assert one.unused == (0, 0) and one.note == ""
    assert "the last row of the padded input is never read" in cx.geometry(
        4, 5, 3, 3, stride=(2, 1)).note


def test_stride_larger_than_the_input_gives_one_window():
    g = cx.geometry(4, 4, 3, 3, stride=5)
    assert g.output_size == (1, 1) and not g.empty
    assert g.note.endswith("so it fits only once down and across")


@pytest.mark.parametrize("args, message", [
    ((8, 8, 3, 3, 1, 0, 4), "the dilated kernel spans 9 pixels but the padded input is only "
                            "8 wide"),
    ((4, 6, 5, 5, 1, 0, 1), "the kernel spans 5 pixels but the padded input is only 4 tall"),
    ((6, 4, 3, 5, 1, 0, 1), "the kernel spans 5 pixels but the padded input is only 4 wide"),
    ((4, 6, 5, 7, 1, 0, 1), "the kernel spans 5 x 7 pixels (tall x wide) but the padded input "
                            "is only 4 tall and 6 wide"),
    ((4, 6, 3, 3, 1, 0, 3), "the dilated kernel spans 7 pixels but the padded input is only "
                            "4 tall and 6 wide"),
    ((3, 3, 3, 3, 1, 0, 2), "the dilated kernel spans 5 pixels but the padded input is only "
                            "3 wide"),
], ids=["dilated-square", "too-tall", "too-wide", "both-different", "dilated-both", "dilated-3x3"])
def test_empty_output_is_explained_not_raised(args, message):
    g = cx.geometry(*args)
    assert g.empty and g.output_size == (0, 0)
    assert g.explanation == message
    assert min(g.raw_output) < 1
    assert not g.rows_read.any() and not g.cols_read.any()
    x = np.ones((1, 1, args[0], args[1]))
    with pytest.raises(ValueError, match="does not fit"):   # conv2d itself refuses
        conv2d(x, np.ones((1, 1, args[2], args[3])), dilation=args[6])


def test_padding_rescues_an_empty_output():
    assert cx.geometry(8, 8, 3, 3, dilation=4).empty
    assert cx.geometry(8, 8, 3, 3, padding=1, dilation=4).output_size == (2, 2)


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(stride=0), ValueError, r"stride must be a positive int or \(h, w\) pair, got 0"),
    (dict(dilation=(1, 0)), ValueError, r"dilation must be a positive int or \(h, w\) pair"),
    (dict(padding="half"), ValueError, r"padding must be a non-negative int, an \(h, w\) pair, "
                                       r"'valid', 'same' or 'full', got 'half'"),
    (dict(padding=-1), ValueError, r"padding must be .*got -1"),
    (dict(padding=1.5), TypeError, r"padding must be .*got 1.5"),
], ids=["stride-0", "dilation-0", "padding-str", "padding-negative", "padding-float"])
def test_geometry_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        cx.geometry(8, 8, 3, 3, **kwargs)


def test_geometry_bad_sizes():
    with pytest.raises(ValueError, match="n_h must be a positive int, got 0"):
        cx.geometry(0, 8, 3, 3)
    with pytest.raises(TypeError, match=r"k_w must be an int, got 3.0 \(float\)"):
        cx.geometry(8, 8, 3, 3.0)


def test_resolve_pads_full_and_same():
    assert cx.resolve_pads("full", (5, 5), (3, 2), dilation=(1, 3)) == (2, 2, 3, 3)
    assert cx.resolve_pads("same", (28, 28), (4, 4)) == (1, 2, 1, 2)
    assert cx.resolve_pads((1, 2), (5, 5), (3, 3)) == (1, 1, 2, 2)


# ------------------------------------------------------------------ window_at
def test_window_at_by_hand():
    x = np.arange(16.0).reshape(4, 4)
    k = np.array([[1.0, 0.0], [0.0, -1.0]])
    win = cx.window_at(x, k, 1, 2)
    np.testing.assert_array_equal(win.rows, [1, 2])
    np.testing.assert_array_equal(win.cols, [2, 3])
    np.testing.assert_array_equal(win.window, [[6, 7], [10, 11]])
    np.testing.assert_array_equal(win.products, [[6, 0], [0, -11]])
    assert win.total == -5.0
    assert win.pads == (0, 0, 0, 0)


def test_window_at_with_padding_stride_and_dilation_by_hand():
    x = np.arange(1.0, 10.0).reshape(3, 3)               # 1..9
    win = cx.window_at(x, np.ones((2, 2)), 1, 0, stride=2, padding=1, dilation=2)
    # padded is 5x5 with x in its centre; window (1, 0) reads rows 2, 4 and cols 0, 2
    np.testing.assert_array_equal(win.rows, [2, 4])
    np.testing.assert_array_equal(win.cols, [0, 2])
    np.testing.assert_array_equal(win.window, [[0, 5], [0, 0]])
    assert win.total == 5.0
    assert win.padded.shape == (5, 5) and win.padded[2, 2] == 5.0


@pytest.mark.parametrize("H, W, KH, KW, s, p, d", GEOMETRIES, ids=IDS)
def test_window_sums_equal_conv2d_everywhere(H, W, KH, KW, s, p, d):
    rng = np.random.default_rng(1)
    x, k = rng.standard_normal((H, W)), rng.standard_normal((KH, KW))
    g = cx.geometry(H, W, KH, KW, s, p, d)
    y = conv2d(x[None, None], k[None, None], stride=s, padding=conv_padding(g, p), dilation=d)[0, 0]
    for i in range(y.shape[0]):
        for j in range(y.shape[1]):
            win = cx.window_at(x, k, i, j, s, p, d)
            np.testing.assert_allclose(win.products, win.window * k)
            assert win.total == pytest.approx(y[i, j], abs=1e-12)
            np.testing.assert_array_equal(win.window, win.padded[np.ix_(win.rows, win.cols)])


@pytest.mark.parametrize("name", kernel_names())
def test_window_at_matches_correlate2d_for_every_preset(name):
    x = np.random.default_rng(2).random((8, 9))
    k = get_kernel(name)
    y = correlate2d(x, k)
    for i, j in [(0, 0), (1, 2), (y.shape[0] - 1, y.shape[1] - 1)]:
        assert cx.window_at(x, k, i, j).total == pytest.approx(y[i, j])


def test_window_at_keeps_float32():
    win = cx.window_at(np.ones((4, 4), dtype=np.float32), np.ones((3, 3)), 0, 0)
    assert win.window.dtype == win.products.dtype == np.float32
    assert isinstance(win.total, float)


@pytest.mark.parametrize("args, kwargs, error, match", [
    ((np.ones((4, 4)), np.ones((3, 3)), 2, 0), {}, ValueError,
     r"i must be an output row in 0..1 \(the output is 2x2\), got 2"),
    ((np.ones((4, 4)), np.ones((3, 3)), 0, -1), {}, ValueError,
     r"j must be an output column in 0..1 \(the output is 2x2\), got -1"),
    ((np.ones((4, 4)), np.ones((3, 3)), 0.0, 0), {}, ValueError,
     r"i must be an output row .*got 0.0"),
    ((np.ones((4, 4)), np.ones((3, 3)), 0, 0), dict(dilation=2), ValueError,
     r"kernel 3x3 does not fit: the dilated kernel spans 5 pixels but the padded input is "
     r"only 4 wide"),
    ((np.ones(4), np.ones((3, 3)), 0, 0), {}, ValueError,
     r"x2d must be a 2-D array \(H, W\), got shape \(4,\)"),
    ((np.ones((4, 4)), np.ones((1, 3, 3)), 0, 0), {}, ValueError,
     r"kernel must be a 2-D array \(KH, KW\)"),
    ((np.ones((4, 0)), np.ones((3, 3)), 0, 0), {}, ValueError, r"x2d and kernel must not be empty"),
], ids=["i-too-big", "j-negative", "i-float", "does-not-fit", "x-1d", "kernel-3d", "empty"])
def test_window_at_bad_arguments(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        cx.window_at(*args, **kwargs)


# ------------------------------------------------- the explorers' computations
SLIDE_INPUTS = [np.random.default_rng(3).random((6, 7)), np.arange(20.0).reshape(4, 5) - 9]


@pytest.mark.parametrize("x", SLIDE_INPUTS, ids=["random-6x7", "signed-4x5"])
@pytest.mark.parametrize("name", ["sobel_x", "box_blur_3x3", "laplacian_8"])
def test_slide_view_agrees_with_correlate2d(x, name):
    w = get_kernel(name)
    y = correlate2d(x, w)
    OH, OW = y.shape
    for position in (0, 3, OH * OW - 1):
        view = cx.slide_view(x, w, position)
        i, j = divmod(position, OW)
        assert (view["position"], view["i"], view["j"]) == (position, i, j)
        np.testing.assert_array_equal(view["output"], y)
        assert view["sum"] == pytest.approx(y[i, j])
        win = cx.window_at(x, w, i, j)
        np.testing.assert_array_equal(view["window"], win.window)
        np.testing.assert_array_equal(view["products"], win.products)
        flat = view["shown"].ravel()
        assert not np.isnan(flat[:position + 1]).any() and np.isnan(flat[position + 1:]).all()


def test_slide_view_clamps_the_position_and_rejects_a_kernel_too_large():
    x = np.ones((4, 5))
    assert cx.slide_view(x, get_kernel("identity"), 99)["position"] == 5
    assert cx.slide_view(x, get_kernel("identity"), -3)["position"] == 0
    with pytest.raises(ValueError, match="kernel 5x5 does not fit: the kernel spans 5 pixels"):
        cx.slide_view(x, get_kernel("gaussian_5x5"), 0)


STRIDE_SETTINGS = [  # kernel, stride, padding, dilation
    ("box_blur_3x3", 1, 0, 1), ("sobel_x", 2, 1, 1), ("gaussian_5x5", 3, 2, 1),
    ("laplacian_4", 2, 0, 2), ("sharpen", 3, "same", 1), ("box_blur_5x5", 2, "same", 2),
    ("prewitt_y", 1, "full", 1), ("gaussian_3x3", 4, "full", 3), ("identity", (1, 2), 1, 1),
]


@pytest.mark.parametrize("name, s, p, d", STRIDE_SETTINGS,
                         ids=[f"{n}-s{s}-p{p}-d{d}" for n, s, p, d in STRIDE_SETTINGS])
def test_stride_settings_and_view_agree_with_conv2d(name, s, p, d):
    x = np.random.default_rng(5).random((9, 11)) - 0.5
    w = get_kernel(name)
    st = cx.stride_settings(x, w, s, p, d)
    pads = cx.resolve_pads(p, x.shape, w.shape, s, d)
    conv_padding = (pads[0], pads[2]) if p == "full" else p
    y = conv2d(x[None, None], w[None, None], stride=s, padding=conv_padding, dilation=d)[0, 0]
    np.testing.assert_allclose(st.output, y, rtol=1e-12, atol=1e-12)
    assert st.geometry.output_size == y.shape and st.last_position == y.size - 1
    np.testing.assert_array_equal(st.padded, np.pad(x, ((pads[0], pads[1]), (pads[2], pads[3]))))
    OW = y.shape[1]
    for position in (0, y.size // 2, y.size - 1, y.size + 5):
        view = cx.stride_view(st, position)
        pos = min(position, y.size - 1)
        i, j = divmod(pos, OW)
        assert (view["position"], view["i"], view["j"]) == (pos, i, j)
        win = cx.window_at(x, w, i, j, s, p, d)
        np.testing.assert_array_equal(view["rows"], win.rows)
        np.testing.assert_array_equal(view["cols"], win.cols)
        assert win.total == pytest.approx(view["output"][i, j])
        assert not view["empty"] and view["formula"] == st.geometry.formula


def test_stride_settings_explain_an_empty_output_instead_of_raising():
    x = np.ones((8, 8))
    st = cx.stride_settings(x, get_kernel("box_blur_3x3"), 1, 0, 4)
    assert st.output is None and st.last_position == 0
    view = cx.stride_view(st, 7)
    assert view["empty"] and view["output_size"] == (0, 0) and view["position"] == 0
    assert view["explanation"] == ("the dilated kernel spans 9 pixels but the padded input is "
                                   "only 8 wide")
    np.testing.assert_array_equal(view["rows"], [0, 4, 8])
    with pytest.raises(ValueError):                    # what the op says about the same setting
        conv2d(x[None, None], get_kernel("box_blur_3x3")[None, None], dilation=4)
    assert cx.stride_settings(x, get_kernel("box_blur_3x3"), 1, "same", 4).output.shape == (8, 8)


def test_stride_settings_bad_arguments():
    with pytest.raises(ValueError, match=r"x2d must be a 2-D array \(H, W\)"):
        cx.stride_settings(np.ones(5), np.ones((3, 3)))
    with pytest.raises(ValueError, match="stride must be a positive int"):
        cx.stride_settings(np.ones((5, 5)), np.ones((3, 3)), stride=0)
