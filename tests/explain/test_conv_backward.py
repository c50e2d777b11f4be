"""The convolution-gradient explorer's numbers: pixel contributions, conv_gradients and
conv_backward_view agree with conv2d_backward; clear errors."""

import numpy as np
import pytest

from cnnedu.explain import conv_backward as cb
from cnnedu.ops.conv import conv2d, conv2d_backward
from cnnedu.gradcheck import numerical_gradient

from .test_backprop import GEOMETRIES, IDS, single_channel_gradients


# ------------------------------------------------------------------ pixel contributions
def test_pixel_contributions_by_hand():
    corner = cb.pixel_contributions((5, 5), 3, (0, 0))
    np.testing.assert_array_equal(corner.pairs, [[0, 0, 0, 0]])
    centre = cb.pixel_contributions((5, 5), 3, (2, 2))
    assert len(centre.pairs) == 9 and centre.outputs.all() and centre.taps.all()
    # output (i, j) reads pixel (2, 2) through tap (2 - i, 2 - j)
    assert all(i + u == 2 and j + v == 2 for i, j, u, v in centre.pairs)
    # stride 2, padding 1: padded row 3 is read by outputs i with 2i + u = 3: (1, 1) only
    odd = cb.pixel_contributions((5, 5), 3, (2, 2), stride=2, padding=1)
    np.testing.assert_array_equal(odd.pairs, [[1, 1, 1, 1]])
    # stride 3 skips pixel 3 of a 7-wide input with a 2-wide kernel: windows 0-1, 3-4 ... no
    skipped = cb.pixel_contributions((7, 7), 2, (2, 2), stride=3)
    assert len(skipped.pairs) == 0 and not skipped.outputs.any()


@pytest.mark.parametrize("H, W, KH, KW, s, p, d", GEOMETRIES, ids=IDS)
def test_pixel_contributions_rebuild_the_input_gradient(H, W, KH, KW, s, p, d):
    _, w, dy, dx, _ = single_channel_gradients(H, W, KH, KW, s, p, d, seed=3)
    rebuilt = np.zeros((H, W))
    for r in range(H):
        for c in range(W):
            pc = cb.pixel_contributions((H, W), (KH, KW), (r, c), s, p, d)
            rebuilt[r, c] = sum(dy[i, j] * w[u, v] for i, j, u, v in pc.pairs)
            assert pc.outputs.shape == dy.shape and pc.taps.shape == (KH, KW)
    np.testing.assert_allclose(rebuilt, dx, rtol=1e-12, atol=1e-12)


def test_pixel_contributions_errors():
    with pytest.raises(ValueError,
                       match=r"pixel must lie in the 5x5 input, 0 <= r < 5 and 0 <= c < 5, "
                             r"got \(5, 0\)"):
        cb.pixel_contributions((5, 5), 3, (5, 0))
    with pytest.raises(TypeError, match=r"pixel must be a pair of ints \(r, c\), got 3"):
        cb.pixel_contributions((5, 5), 3, 3)


# ------------------------------------------------------------------ conv_gradients
def test_conv_gradients_one_cell_pastes_the_kernel_on_the_window():
    x = np.random.default_rng(4).standard_normal((6, 6))
    w = np.arange(1.0, 10.0).reshape(3, 3)
    g = cb.conv_gradients(x, w, stride=2, padding=1, cell=(1, 2))
    assert g.y.shape == (3, 3) and g.dy.sum() == 1 and g.dy[1, 2] == 1
    assert g.loss == pytest.approx(g.y[1, 2])
    expected = np.zeros((8, 8))
    expected[2:5, 4:7] = w                    # window of (1, 2): padded rows 2-4, cols 4-6
    np.testing.assert_array_equal(g.dx, expected[1:7, 1:7])
    np.testing.assert_array_equal(g.dw, np.pad(x, 1)[2:5, 4:7])
    assert g.db == 1.0


def test_conv_gradients_sum_of_all_cells():
    x = np.random.default_rng(5).standard_normal((5, 5))
    w = np.random.default_rng(6).standard_normal((2, 2))
    g = cb.conv_gradients(x, w)
    assert g.loss == pytest.approx(g.y.sum())
    np.testing.assert_array_equal(g.dy, np.ones((4, 4)))
    numeric = numerical_gradient(lambda: conv2d(x[None, None], w[None, None]).sum(), x)
    np.testing.assert_allclose(g.dx, numeric, rtol=1e-7, atol=1e-9)
    assert g.db == 16.0


def test_conv_gradients_errors():
    with pytest.raises(ValueError, match=r"cell must lie in the 3x3 output, got \(3, 0\)"):
        cb.conv_gradients(np.ones((5, 5)), np.ones((3, 3)), cell=(3, 0))
    with pytest.raises(TypeError, match="cell must be None or a pair of ints"):
        cb.conv_gradients(np.ones((5, 5)), np.ones((3, 3)), cell="all")


# ------------------------------------------------------------------ what the explorers show
def assert_view_is_conv2d_backward(view, x, w, s, p, loss, cell):
    """The arrays of a valid conv_backward_view (or explorer state) are those of conv2d and
    conv2d_backward for input x (H, W), kernel w (KH, KW), stride s and padding p.

    ``dy`` is one at output cell ``cell`` (index ``i * OW + j``) for the loss
    ``'cell'``, all ones for ``'sum'``; the (output cell, tap) pairs of the
    traced pixel add up to its ``dx``. Returns ``y`` (OH, OW).
    """
    y = conv2d(x[None, None], w[None, None], stride=s, padding=p)[0, 0]
    assert view["valid"] and view["output_size"] == y.shape
    np.testing.assert_allclose(view["y"], y)
    dy = np.ones_like(y)
    if loss == "cell":
        assert view["cell"] == divmod(cell, y.shape[1])
        dy = np.zeros_like(y)
        dy[view["cell"]] = 1.0
    np.testing.assert_array_equal(view["dy"], dy)
    dx, dw, db = conv2d_backward(dy[None, None], x[None, None], w[None, None], s, p)
    np.testing.assert_allclose(view["dx"], dx[0, 0])
    np.testing.assert_allclose(view["dw"], dw[0, 0])
    assert view["db"] == pytest.approx(db[0])
    r, c = view["pixel"]
    assert sum(dy[i, j] * w[u, v] for i, j, u, v in view["pairs"]) == pytest.approx(
        view["dx"][r, c], abs=1e-12)
    return y


VIEW_SETTINGS = [  # H, W, KH, KW, stride, padding, loss, cell, pixel
    (10, 10, 3, 3, 1, 0, "cell", 27, 55), (10, 10, 3, 3, 2, 1, "sum", 0, 45),
    (10, 10, 2, 2, 3, 0, "cell", 5, 99), (10, 10, 5, 5, 2, 3, "cell", 12, 0),
    (7, 9, 3, 2, 4, 1, "sum", 0, 62), (6, 6, 1, 1, 1, 0, "cell", 35, 20),
]


@pytest.mark.parametrize("H, W, KH, KW, s, p, loss, cell, pixel", VIEW_SETTINGS,
                         ids=[f"{h}x{w}-k{kh}x{kw}-s{s}-p{p}-{loss}"
                              for h, w, kh, kw, s, p, loss, _, _ in VIEW_SETTINGS])
def test_conv_backward_view_agrees_with_conv2d_backward(H, W, KH, KW, s, p, loss, cell, pixel):
    rng = np.random.default_rng(11)
    x, w = rng.standard_normal((H, W)), rng.standard_normal((KH, KW))
    v = cb.conv_backward_view(x, w, s, p, loss, cell, pixel)
    y = assert_view_is_conv2d_backward(v, x, w, s, p, loss, cell)
    assert v["problem"] is None
    if loss == "sum":
        assert v["cell"] is None
    r, c = v["pixel"]
    assert (r, c) == divmod(pixel, W)
    pc = cb.pixel_contributions((H, W), (KH, KW), (r, c), s, p)
    np.testing.assert_array_equal(v["pairs"], pc.pairs)
    np.testing.assert_array_equal(v["outputs"], pc.outputs)
    np.testing.assert_array_equal(v["taps"], pc.taps)
    assert cb.output_cell_range((H, W), (KH, KW), s, p, loss) == (
        y.size - 1 if loss == "cell" else None)


def test_conv_backward_view_notes():
    x, w = np.ones((10, 10)), np.ones((3, 3))
    v = cb.conv_backward_view(x, w, stride=12, padding=0, loss="sum", pixel=99)
    assert v["output_size"] == (1, 1) and v["dx"][9, 9] == 0
    assert v["notes"][0] == ("Pixel (9, 9) lies in no window: it never reaches the output, so "
                             "its gradient is 0.")
    assert "fits only once down and across" in v["notes"][1]
    assert "(10&times;10)" in v["notes"][1]
    v = cb.conv_backward_view(x, np.ones((2, 2)), stride=3, padding=0, pixel=0)
    assert v["notes"] == ["The stride (3) is larger than the kernel (2&times;2): windows skip "
                          "pixels, and a skipped pixel gets zero gradient."]
    v = cb.conv_backward_view(x, w, stride=2, padding=0, pixel=0)
    assert len(v["notes"]) == 1 and "never read" in v["notes"][0]
    assert v["notes"][0].startswith("The stride does not tile") and np.all(v["dx"][-1] == 0)
    assert cb.conv_backward_view(x, w, stride=1, padding=1, pixel=0)["notes"] == []


def test_conv_backward_view_explains_a_kernel_that_does_not_fit():
    v = cb.conv_backward_view(np.ones((3, 3)), np.ones((5, 5)), 1, 0, "cell", cell=7, pixel=4)
    assert not v["valid"] and v["output_size"] == (0, 0) and v["pixel"] == (1, 1)
    assert v["problem"] == "the kernel spans 5 pixels but the padded input is only 3 wide."
    assert all(v[k] is None for k in ("y", "dy", "dx", "dw", "db", "cell", "pairs", "outputs",
                                      "taps"))
    assert v["notes"] == []
    assert cb.output_cell_range((3, 3), (5, 5), 1, 0, "cell") is None
    assert cb.conv_backward_view(np.ones((3, 3)), np.ones((5, 5)), 1, 1, "cell", 0, 4)["valid"]


def test_conv_backward_view_errors():
    x, w = np.ones((4, 5)), np.ones((3, 3))
    with pytest.raises(ValueError, match="loss must be 'cell' or 'sum', got 'mean'"):
        cb.conv_backward_view(x, w, loss="mean")
    with pytest.raises(ValueError, match=r"pixel must be an index into the 4x5 input "
                                         r"\(r \* W \+ c\), 0 to 19, got 20"):
        cb.conv_backward_view(x, w, pixel=20)
    with pytest.raises(ValueError, match=r"cell must be an index into the 2x3 output "
                                         r"\(i \* OW \+ j\), 0 to 5, got 6"):
        cb.conv_backward_view(x, w, loss="cell", cell=6)
    with pytest.raises(TypeError, match="cell must be an int index"):
        cb.conv_backward_view(x, w, loss="cell", cell=(0, 1))
    with pytest.raises(ValueError, match="stride must be a positive int"):
        cb.conv_backward_view(x, w, stride=0)
    with pytest.raises(ValueError, match="loss must be 'cell' or 'sum', got 'max'"):
        cb.output_cell_range((4, 5), (3, 3), loss="max")
