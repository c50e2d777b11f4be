"""The max-pooling routing explorer, driven headlessly: the gradients it shows are those
max_pool2d_backward computes, and awkward settings are explained instead of raised."""

import numpy as np
import pytest

from cnnedu import samples
from cnnedu.explain import routing as rx
from cnnedu.ops.pool import max_pool2d, max_pool2d_backward
from cnnedu.widgets.routing import maxpool_routing_caption, maxpool_routing_explorer

from .test_conv_backward import set_controls


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


def test_maxpool_routing_caption():
    x = np.array([[1.0, 3, 2, 0], [4, 2, 1, 5], [0, 7, 6, 3], [6, 1, 2, 8]])
    msg = maxpool_routing_caption(rx.maxpool_routing_view(x, 2, 2, "ones"))
    assert msg == ("Output size: O<sub>H</sub> = &lfloor;(H &minus; k) / s&rfloor; + 1 = "
                   "&lfloor;(4 &minus; 2) / 2&rfloor; + 1 = <b>2</b>, O<sub>W</sub> = <b>2</b>."
                   "<br>Each of the 4 windows sends its whole gradient dy[i, j] to the cell "
                   "holding its maximum (dot); the other cells of the window get 0 from it. 4 "
                   "of the 16 input cells receive a gradient, 12 get 0.")
    centre = np.array([[1.0, 2.0, 1.0], [2.0, 9.0, 2.0], [1.0, 2.0, 1.0]])
    msg = maxpool_routing_caption(rx.maxpool_routing_view(centre, 2, 1, "ones"))
    assert msg.endswith("1 of the 9 input cells receives a gradient, 8 get 0.<br>The windows "
                        "overlap (stride 1 &lt; window 2): 1 cells win several windows (up to 4) "
                        "and add up their gradients.")
    msg = maxpool_routing_caption(rx.maxpool_routing_view(np.ones((4, 4)), 3, 1, "ones"))
    assert msg.endswith("<br>4 windows have a tie for the maximum: the first maximum in "
                        "reading order takes the gradient.")
    msg = maxpool_routing_caption(rx.maxpool_routing_view(x, 2, 5, "ones"))
    assert "The window sends" in msg and "1 of the 16 input cells receives a gradient" in msg
    assert "no room for a second window down or across" in msg
    assert maxpool_routing_caption(rx.maxpool_routing_view(x, 5, 2, "ones")) == (
        "<b>No output</b>: a 5x5 window does not fit the 4x4 input with padding 0: it needs "
        "H + 2p &gt;= k, here 4 + 2*0 = 4 &lt; 5. Make the window smaller.")
