"""Max pooling's backward pass made visible: routing agrees with max_pool2d_backward;
the explorer's view; clear errors."""

import numpy as np
import pytest

from cnnedu.explain import routing as rx
from cnnedu.ops.pool import max_pool2d, max_pool2d_backward


# ------------------------------------------------------------------ max pool routing
X4 = np.array([[1, 3, 2, 0],
               [4, 2, 1, 5],
               [0, 7, 6, 3],
               [6, 1, 2, 8]], dtype=float)


def test_max_pool_routing_by_hand():
    dy = np.array([[1.0, 2.0], [3.0, 4.0]])
    R = rx.max_pool_routing(X4, dy, 2)
    np.testing.assert_array_equal(R.output, [[4, 5], [7, 8]])
    np.testing.assert_array_equal(R.winners, [[[1, 0], [1, 3]], [[2, 1], [3, 3]]])
    expected = np.zeros((4, 4))
    expected[1, 0], expected[1, 3], expected[2, 1], expected[3, 3] = 1, 2, 3, 4
    np.testing.assert_array_equal(R.dx, expected)
    assert R.wins.sum() == 4 and R.ties == 0


@pytest.mark.parametrize("size, stride, padding", [(2, 2, 0), (3, 2, 0), (2, 1, 0), (3, 2, 1),
                                                   (2, 3, 0), (3, 1, 1), (1, 1, 0)],
                         ids=lambda v: str(v))
def test_max_pool_routing_agrees_with_the_library(size, stride, padding):
    rng = np.random.default_rng(9)
    x = rng.standard_normal((7, 8))
    y = max_pool2d(x[None, None], size, stride, padding)[0, 0]
    dy = rng.standard_normal(y.shape)
    R = rx.max_pool_routing(x, dy, size, stride, padding)
    np.testing.assert_array_equal(R.output, y)
    np.testing.assert_array_equal(
        R.dx, max_pool2d_backward(dy[None, None], x[None, None], size, stride, padding)[0, 0])
    rebuilt = np.zeros_like(x)
    np.add.at(rebuilt, (R.winners[..., 0], R.winners[..., 1]), dy)
    np.testing.assert_allclose(rebuilt, R.dx)
    assert R.wins.sum() == y.size
    assert np.all(x[R.winners[..., 0], R.winners[..., 1]] == y)


def test_max_pool_routing_ties_and_overlaps():
    tie = np.array([[5.0, 5.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    R = rx.max_pool_routing(tie, np.ones((1, 1)), 2)
    assert R.ties == 1 and tuple(R.winners[0, 0]) == (0, 0)     # the first in reading order
    centre = np.array([[1.0, 2.0, 1.0], [2.0, 9.0, 2.0], [1.0, 2.0, 1.0]])
    R = rx.max_pool_routing(centre, np.ones((2, 2)), 2, stride=1)
    assert R.wins[1, 1] == 4 and R.dx[1, 1] == 4.0


def test_max_pool_routing_errors():
    with pytest.raises(ValueError,
                       match=r"dy must have the pooled output's shape \(OH, OW\) = \(2, 2\), "
                             r"got \(3, 3\)"):
        rx.max_pool_routing(X4, np.ones((3, 3)), 2)


def test_upstream_gradient():
    np.testing.assert_array_equal(rx.upstream_gradient("ones", (2, 3)), np.ones((2, 3)))
    g = rx.upstream_gradient("random", (4, 4))
    np.testing.assert_array_equal(g, rx.upstream_gradient("random", (4, 4)))
    np.testing.assert_array_equal(g, np.round(g, 1))
    with pytest.raises(ValueError, match="upstream must be 'ones' or 'random', got 'zeros'"):
        rx.upstream_gradient("zeros", (2, 2))


@pytest.mark.parametrize("size, stride, upstream", [(2, 2, "ones"), (3, 2, "random"),
                                                    (2, 1, "random"), (6, 4, "ones"),
                                                    (2, 13, "random"), (1, 1, "ones")],
                         ids=lambda v: str(v))
def test_maxpool_routing_view_agrees_with_max_pool2d_backward(size, stride, upstream):
    x = np.random.default_rng(12).standard_normal((12, 11))
    v = rx.maxpool_routing_view(x, size, stride, upstream)
    y = max_pool2d(x[None, None], size, stride)[0, 0]
    assert v["valid"] and v["problem"] is None and v["output_size"] == y.shape
    np.testing.assert_array_equal(v["output"], y)
    np.testing.assert_array_equal(v["dy"], rx.upstream_gradient(upstream, y.shape))
    dx = max_pool2d_backward(v["dy"][None, None], x[None, None], size, stride)[0, 0]
    np.testing.assert_array_equal(v["dx"], dx)
    R = rx.max_pool_routing(x, v["dy"], size, stride)
    np.testing.assert_array_equal(v["winners"], R.winners)
    np.testing.assert_array_equal(v["wins"], R.wins)
    assert v["ties"] == R.ties and v["wins"].sum() == y.size


def test_maxpool_routing_view_explains_a_window_larger_than_the_map():
    v = rx.maxpool_routing_view(np.arange(9.0).reshape(3, 3), 5, 2, "random")
    assert not v["valid"] and v["output_size"] == (0, 0)
    assert v["problem"].startswith("a 5x5 window does not fit the 3x3 input")
    assert all(v[k] is None for k in ("output", "dy", "dx", "winners", "wins", "ties"))
    with pytest.raises(ValueError, match="upstream must be 'ones' or 'random', got 'zeros'"):
        rx.maxpool_routing_view(np.ones((3, 3)), 2, 2, "zeros")
    with pytest.raises(ValueError, match="size must be a positive int"):
        rx.maxpool_routing_view(np.ones((3, 3)), 0, 2)
