"""The backpropagation explorers, driven headlessly: the gradients they show are those
cnnedu computes, and awkward settings are explained instead of raised."""
import warnings

import ipywidgets as widgets
import numpy as np
import pytest

from cnnedu import samples
from cnnedu.explain import backprop as bx
from cnnedu.ops.conv import conv2d, conv2d_backward
from cnnedu.ops.pool import max_pool2d, max_pool2d_backward
from cnnedu.widgets.backprop import (conv_backward_caption, conv_backward_explorer,
                                     learn_kernel_caption, learn_kernel_explorer,
                                     maxpool_routing_caption, maxpool_routing_explorer)


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
    y = conv2d(x[None, None], w[None, None], stride=s, padding=p)[0, 0]
    assert st["valid"] and st["output_size"] == y.shape
    np.testing.assert_allclose(st["y"], y)
    dy = np.ones_like(y) if st["loss"] == "sum" else np.zeros_like(y)
    if st["loss"] == "cell":
        i, j = divmod(explorer.controls["cell"].value, y.shape[1])
        assert st["cell"] == (i, j)
        dy[i, j] = 1.0
    np.testing.assert_array_equal(st["dy"], dy)
    dx, dw, db = conv2d_backward(dy[None, None], x[None, None], w[None, None], s, p)
    np.testing.assert_allclose(st["dx"], dx[0, 0])
    np.testing.assert_allclose(st["dw"], dw[0, 0])
    assert st["db"] == pytest.approx(db[0])
    r, c = st["pixel"]
    assert r * x.shape[1] + c == explorer.controls["pixel"].value
    rebuilt = sum(dy[i, j] * w[u, v] for i, j, u, v in st["pairs"])
    assert rebuilt == pytest.approx(st["dx"][r, c], abs=1e-12)
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


# ------------------------------------------------------------------ learn a kernel
@pytest.fixture(scope="module")
def learn_ex():
    return learn_kernel_explorer(steps=40)


def test_learn_explorer_shows_the_run(learn_ex):
    set_controls(learn_ex, data="digits", lr=1.0, step=25)
    st = learn_ex.state()
    run = bx.learn_kernel(bx.kernel_problem(samples.digits(8, "train")), 1.0, steps=40)
    np.testing.assert_allclose(st["kernel"], run.kernels[25])
    np.testing.assert_allclose(st["prediction"], run.predictions[25])
    np.testing.assert_allclose(st["losses"], run.losses[:26])
    assert st["loss"] == pytest.approx(run.losses[25])
    assert st["shown_step"] == 25 and not st["diverged"] and st["stopped_at"] is None
    assert st["lr_limit"] == pytest.approx(2 / st["lam_max"])
    np.testing.assert_allclose(learn_ex.artists["kernel"].get_array(), run.kernels[25])
    assert len(learn_ex.artists["curve"].get_xdata()) == 26


def test_learn_explorer_step_slider_only_redraws(learn_ex):
    set_controls(learn_ex, data="digits", lr=1.0)
    n = learn_ex.runs.cache_info().misses
    for step in (0, 7, 40, 3):
        set_controls(learn_ex, step=step)
        assert learn_ex.state()["shown_step"] == step
    assert learn_ex.runs.cache_info().misses == n
    set_controls(learn_ex, lr=10 ** -0.5)
    assert learn_ex.runs.cache_info().misses == n + 1


def test_learn_explorer_divergence_is_explained_without_nan(learn_ex):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        set_controls(learn_ex, data="digits", lr=10 ** 0.5, step=40)
    st = learn_ex.state()
    assert st["lr"] > st["lr_limit"]
    assert st["diverged"] and st["stopped_at"] is not None and st["stopped_at"] < 40
    assert st["shown_step"] == st["stopped_at"]
    for key in ("kernel", "prediction", "losses"):
        assert np.all(np.isfinite(st[key]))
    msg = learn_ex.message
    assert "Diverged" in msg and "-fold" in msg and "2/&lambda;<sub>max</sub>" in msg
    assert f"stopped at step {st['stopped_at']}" in msg


def test_learn_explorer_photo_data(learn_ex):
    set_controls(learn_ex, data="photo", lr=0.1, step=10)
    st = learn_ex.state()
    P = bx.kernel_problem(samples.photo_crops(8))
    np.testing.assert_allclose(st["target"], P.targets[0, 0])
    assert st["lam_max"] == pytest.approx(P.lam_max)


def test_learn_explorer_play_is_linked_to_the_step_slider(learn_ex):
    assert isinstance(learn_ex.play, widgets.Play)
    link = learn_ex.play_link
    assert link.source == (learn_ex.play, "value")
    assert link.target == (learn_ex.controls["step"], "value")
    assert learn_ex.play.max == learn_ex.controls["step"].max == 40
    row = next(c for c in learn_ex.children if isinstance(c, widgets.HBox)
               and learn_ex.controls["step"] in c.children)
    assert learn_ex.play in row.children


def test_learn_explorer_arguments_are_checked():
    with pytest.raises(ValueError, match="source must be 'digits' or 'photo', got 'faces'"):
        learn_kernel_explorer(source="faces")
    with pytest.raises(ValueError, match="steps must be between 1 and 500, got 0"):
        learn_kernel_explorer(steps=0)


# ------------------------------------------------------------------ max pooling
@pytest.fixture(scope="module")
def pool_ex():
    return maxpool_routing_explorer()


POOL_SETTINGS = [(2, 2, "ones"), (3, 2, "random"), (2, 1, "random"), (3, 3, "ones"),
                 (2, 5, "random"), (1, 1, "ones"), (6, 4, "random")]


@pytest.mark.parametrize("k, s, up", POOL_SETTINGS,
                         ids=[f"k{k}-s{s}-{u}" for k, s, u in POOL_SETTINGS])
def test_pool_explorer_shows_max_pool2d_backward(pool_ex, k, s, up):
    set_controls(pool_ex, size=k, stride=s, upstream=up)
    st = pool_ex.state()
    x = samples.edge_map(samples.digit(1), top=7, left=6, size=12)
    y = max_pool2d(x[None, None], k, s)[0, 0]
    assert st["valid"] and st["output_size"] == y.shape
    np.testing.assert_array_equal(st["output"], y)
    if up == "ones":
        np.testing.assert_array_equal(st["dy"], np.ones_like(y))
    else:
        assert st["dy"].shape == y.shape and np.any(st["dy"] != 1)
    expected = max_pool2d_backward(st["dy"][None, None], x[None, None], k, s)[0, 0]
    np.testing.assert_array_equal(st["dx"], expected)
    np.testing.assert_array_equal(pool_ex.artists["dx"].get_array(), expected)
    assert len(pool_ex.artists["routes"].lines.get_segments()) == y.size
    np.testing.assert_array_equal(
        pool_ex.artists["routes"].dots.get_offsets(), st["winners"].reshape(-1, 2)[:, ::-1])


def test_pool_explorer_explains_overlap_ties_and_large_strides(pool_ex):
    set_controls(pool_ex, size=3, stride=2, upstream="ones")
    assert "overlap" in pool_ex.message and pool_ex.state()["wins"].max() > 1
    set_controls(pool_ex, size=2, stride=13)
    st = pool_ex.state()
    assert st["valid"] and st["output_size"] == (1, 1)
    assert "no room for a second window down or across" in pool_ex.message
    assert "The window sends" in pool_ex.message
    assert np.count_nonzero(st["dx"]) == 1


def test_pool_explorer_window_larger_than_the_map_is_explained():
    ex = maxpool_routing_explorer(feature_map=np.arange(9.0).reshape(3, 3))
    set_controls(ex, size=5)
    st = ex.state()
    assert not st["valid"] and st["dx"] is None and "No output" in ex.message
    set_controls(ex, size=2, stride=1)
    np.testing.assert_array_equal(ex.state()["dx"], [[0, 0, 0], [0, 1, 1], [0, 1, 1]])


def test_pool_explorer_arguments_are_checked():
    with pytest.raises(ValueError, match="upstream must be 'ones' or 'random', got 'zeros'"):
        maxpool_routing_explorer(upstream="zeros")
    with pytest.raises(ValueError, match="feature_map must be a 2-D array of at most 16x16"):
        maxpool_routing_explorer(feature_map=np.ones(5))


# ------------------------------------------------------------------ one update per change
def test_each_change_computes_once(monkeypatch):
    calls = []
    view = bx.conv_backward_view
    monkeypatch.setattr(bx, "conv_backward_view", lambda *a: calls.append(a) or view(*a))
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
    msg = conv_backward_caption(bx.conv_backward_view(x, w, 1, 0, "cell", 3, 5))
    assert msg.startswith("Output size: O<sub>H</sub> = &lfloor;(H + 2p &minus; K<sub>H</sub>) "
                          "/ s&rfloor; + 1 = &lfloor;(4 + 2&middot;0 &minus; 3) / 1&rfloor; + 1 "
                          "= <b>2</b>, O<sub>W</sub> = <b>2</b>.<br>L = y[1, 1] = ")
    assert ("Pixel (1, 1) (green) meets 4 (output cell, tap) pairs: &part;L/&part;x[1, 1] = "
            "&Sigma; dy[i, j]&middot;w[u, v] = 1·1 = 1.00.") in msg
    msg = conv_backward_caption(bx.conv_backward_view(x, w, 1, 0, "cell", 0, 15))
    assert "meets 1 (output cell, tap) pair, but dy is 0 at all of those cells" in msg
    msg = conv_backward_caption(bx.conv_backward_view(np.ones((5, 5)), w, 1, 2, "sum", 0, 12))
    assert "L = &Sigma; y = 1125.00: &part;L/&part;y = 1 everywhere" in msg
    assert "+ &hellip; (3 more) = 45.00." in msg
    bad = bx.conv_backward_view(np.ones((2, 2)), w, 1, 0, "sum", 0, 0)
    assert conv_backward_caption(bad) == (
        "<b>No output</b>: the kernel spans 3 pixels but the padded input is only 2 wide. "
        "Choose a smaller kernel, or add padding.")
    skipped = bx.conv_backward_view(np.ones((10, 10)), np.ones((2, 2)), 3, 0, "sum", 0, 2)
    assert conv_backward_caption(skipped).endswith(
        "<br>Pixel (0, 2) lies in no window: it never reaches the output, so its gradient is "
        "0.<br>The stride (3) is larger than the kernel (2&times;2): windows skip pixels, and a "
        "skipped pixel gets zero gradient.")


def test_learn_kernel_caption():
    problem = bx.kernel_problem(samples.digits(4, "train", size=12))
    run = bx.learn_kernel(problem, 1.0, steps=20)
    msg = learn_kernel_caption(bx.learn_kernel_view(problem, run, "digits", 1.0, 5), 20)
    assert msg.startswith(f"Step 5 of 20: loss {run.losses[5]:.3g} (it was "
                          f"{run.losses[0]:.3g} at step 0). The loss is quadratic in the 9 "
                          "weights")
    assert f"1 &minus; &eta;&lambda;<sub>min</sub> = {1 - problem.lam_min:.3f}" in msg
    limit = 2 / problem.lam_max
    slow = bx.learn_kernel(problem, 1.05 * limit, steps=20)
    assert not slow.diverged
    msg = learn_kernel_caption(bx.learn_kernel_view(problem, slow, "digits", 1.05 * limit, 20),
                               20)
    assert "is above 2/&lambda;<sub>max</sub>" in msg and "grows without bound" in msg
    big = bx.learn_kernel(problem, 3 * limit, steps=200)
    last = len(big.losses) - 1
    msg = learn_kernel_caption(bx.learn_kernel_view(problem, big, "digits", 3 * limit, 200), 200)
    assert "<b>Diverged: the loss grew" in msg and "&times;10<sup>" in msg
    assert msg.endswith(f"stopped at step {last} before the numbers overflow; steps after "
                        f"{last} show step {last}.")


def test_maxpool_routing_caption():
    x = np.array([[1.0, 3, 2, 0], [4, 2, 1, 5], [0, 7, 6, 3], [6, 1, 2, 8]])
    msg = maxpool_routing_caption(bx.maxpool_routing_view(x, 2, 2, "ones"))
    assert msg == ("Output size: O<sub>H</sub> = &lfloor;(H &minus; k) / s&rfloor; + 1 = "
                   "&lfloor;(4 &minus; 2) / 2&rfloor; + 1 = <b>2</b>, O<sub>W</sub> = <b>2</b>."
                   "<br>Each of the 4 windows sends its whole gradient dy[i, j] to the cell "
                   "holding its maximum (dot); the other cells of the window get 0 from it. 4 "
                   "of the 16 input cells receive a gradient, 12 get 0.")
    centre = np.array([[1.0, 2.0, 1.0], [2.0, 9.0, 2.0], [1.0, 2.0, 1.0]])
    msg = maxpool_routing_caption(bx.maxpool_routing_view(centre, 2, 1, "ones"))
    assert msg.endswith("1 of the 9 input cells receives a gradient, 8 get 0.<br>The windows "
                        "overlap (stride 1 &lt; window 2): 1 cells win several windows (up to 4) "
                        "and add up their gradients.")
    msg = maxpool_routing_caption(bx.maxpool_routing_view(np.ones((4, 4)), 3, 1, "ones"))
    assert msg.endswith("<br>4 windows have a tie for the maximum: the first maximum in "
                        "reading order takes the gradient.")
    msg = maxpool_routing_caption(bx.maxpool_routing_view(x, 2, 5, "ones"))
    assert "The window sends" in msg and "1 of the 16 input cells receives a gradient" in msg
    assert "no room for a second window down or across" in msg
    assert maxpool_routing_caption(bx.maxpool_routing_view(x, 5, 2, "ones")) == (
        "<b>No output</b>: a 5x5 window does not fit the 4x4 input with padding 0: it needs "
        "H + 2p &gt;= k, here 4 + 2*0 = 4 &lt; 5. Make the window smaller.")
