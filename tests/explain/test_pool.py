"""The computations around pooling: window coverage, conv cost, geometry check, one
window, and what the pooling explorer shows."""
import itertools

import numpy as np
import pytest

from cnnedu.explain.pool import (check_output_cell, conv_multiply_adds, layer_winners,
                                 pool_geometry_problem, pool_settings, pool_view, pool_window,
                                 window_coverage)
from cnnedu.ops.pool import avg_pool2d, max_pool2d


# ----------------------------------------------------------- window_coverage
def brute_force_coverage(h, w, k, s, p):
    counts = np.zeros((h, w), dtype=int)
    oh, ow = (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
    for i in range(oh):
        for j in range(ow):
            for r in range(i * s - p, i * s - p + k):
                for c in range(j * s - p, j * s - p + k):
                    if 0 <= r < h and 0 <= c < w:
                        counts[r, c] += 1
    return counts


GEOMETRIES = [(h, w, k, s, p) for h, w, k, s, p in
              itertools.product((4, 5, 7), (5, 6), (1, 2, 3), (1, 2, 3), (0, 1))
              if p <= k // 2 and h + 2 * p >= k and w + 2 * p >= k]


@pytest.mark.parametrize("h, w, k, s, p", GEOMETRIES,
                         ids=[f"{h}x{w}-k{k}-s{s}-p{p}" for h, w, k, s, p in GEOMETRIES])
def test_window_coverage_counts_windows(h, w, k, s, p):
    np.testing.assert_array_equal(window_coverage((h, w), k, s, p),
                                  brute_force_coverage(h, w, k, s, p))


def test_window_coverage_hand_examples():
    # tiling: every cell once; 5x5 with 2x2 windows leaves the last row and column out
    np.testing.assert_array_equal(window_coverage((4, 4), 2), np.ones((4, 4)))
    cov = window_coverage((5, 5), 2)
    assert cov[4].sum() == 0 and cov[:, 4].sum() == 0 and cov[:4, :4].min() == 1
    # AlexNet-style overlap: rows 2 and 4 of a 7x7 map lie in two 3x3 windows (stride 2)
    cov = window_coverage((7, 7), 3, 2)
    assert cov[2, 2] == 4 and cov[2, 3] == 2 and cov[0, 0] == 1 and cov.max() == 4
    # stride larger than the window: cells skipped
    assert window_coverage((5, 5), 1, 2)[1].sum() == 0


def test_window_coverage_rejects_what_pooling_rejects():
    with pytest.raises(ValueError, match="window does not fit the 3x3 input"):
        window_coverage((3, 3), 4)
    with pytest.raises(ValueError, match="padding 2 is more than half of the 2x2 window"):
        window_coverage((4, 4), 2, padding=2)
    with pytest.raises(TypeError, match="shape must be a positive int or"):
        window_coverage("4x4", 2)


# -------------------------------------------------------- conv_multiply_adds
def test_conv_multiply_adds_by_hand():
    # 3x3 kernel on 5x5 single channel: 3x3 outputs of 9 products each, times 2 filters
    assert conv_multiply_adds((1, 5, 5), 2, 3) == 3 * 3 * 9 * 2
    # stride 2, padding 1 on 28x28 with 8 input channels: 14x14 outputs
    assert conv_multiply_adds((8, 28, 28), 16, 3, stride=2, padding=1) == 14 * 14 * 16 * 8 * 9
    # the classic MNIST network's second convolution, with and without pooling before it
    assert conv_multiply_adds((32, 13, 13), 64, 3) == 11 * 11 * 64 * 32 * 9
    assert conv_multiply_adds((32, 26, 26), 64, 3) == 24 * 24 * 64 * 32 * 9


@pytest.mark.parametrize("args, err, match", [
    (((5, 5), 2, 3), ValueError, r"in_shape must be a \(C, H, W\) tuple, got \(5, 5\)"),
    (((1, 2, 2), 2, 3), ValueError, "kernel 3x3 does not fit a 2x2 input with padding 0"),
    (((1, 5, 5), 0, 3), ValueError, "filters must be a positive int, got 0"),
    (((1, 5, 5), 2, 3.0), TypeError, "kernel_size must be a positive int"),
], ids=["2d-shape", "does-not-fit", "no-filters", "float-kernel"])
def test_conv_multiply_adds_errors(args, err, match):
    with pytest.raises(err, match=match):
        conv_multiply_adds(*args)


# ----------------------------------------------------- pool_geometry_problem
SETTINGS = list(itertools.product((3, 4), (1, 2, 4, 5), (1, 3, 6), (0, 1, 2, 3)))


@pytest.mark.parametrize("n, k, s, p", SETTINGS,
                         ids=[f"n{n}-k{k}-s{s}-p{p}" for n, k, s, p in SETTINGS])
def test_geometry_problem_agrees_with_max_pool2d(n, k, s, p):
    problem = pool_geometry_problem((n, n), k, s, p)
    x = np.zeros((1, 1, n, n))
    if problem is None:
        max_pool2d(x, k, s, p)
    else:
        with pytest.raises(ValueError):
            max_pool2d(x, k, s, p)


def test_geometry_problem_messages():
    assert pool_geometry_problem((4, 4), 5) == (
        "a 5x5 window does not fit the 4x4 input with padding 0: it needs H + 2p >= k, "
        "here 4 + 2*0 = 4 < 5")
    assert "needs W + 2p >= k, here 3 + 2*0 = 3 < 4" in pool_geometry_problem((6, 3), 4)
    assert pool_geometry_problem((8, 8), 3, padding=2) == (
        "padding 2 is more than half of the 3x3 window: a window could then lie entirely in "
        "the padding, so padding must be at most k // 2 = 1")
    assert pool_geometry_problem((4, 4), 2, stride=9) is None      # a large stride is fine


# ---------------------------------------------------------------- pool_window
# A hand-made 4x4 feature map, no ties inside any 2x2 window.
X4 = np.array([[1, 3, 2, 0],
               [4, 2, 1, 5],
               [0, 7, 6, 3],
               [6, 1, 2, 8]], dtype=float)


def distinct(shape, seed):
    """Float64 values 0, 1, 2, ... in random order: no ties, maxima 1 apart."""
    rng = np.random.default_rng(seed)
    return rng.permutation(int(np.prod(shape))).reshape(shape).astype(np.float64)


def test_pool_window_max_inside_the_input():
    w = pool_window(X4, 1, 0, 2)
    np.testing.assert_array_equal(w.window, [[0, 7], [6, 1]])
    assert w.inside.all() and w.top_left == (2, 0)
    assert w.value == 7 and w.argmax == (2, 1)


def test_pool_window_marks_padding_and_matches_the_layer():
    x2d = distinct((4, 5), seed=21)
    y_max = max_pool2d(x2d[None, None], 3, 2, 1)[0, 0]
    y_avg = avg_pool2d(x2d[None, None], 3, 2, 1)[0, 0]
    w = pool_window(x2d, 0, 0, 3, 2, 1)
    assert w.top_left == (-1, -1)
    np.testing.assert_array_equal(w.inside, [[0, 0, 0], [0, 1, 1], [0, 1, 1]])
    assert np.isnan(w.window[~w.inside]).all()
    np.testing.assert_array_equal(w.window[1:, 1:], x2d[:2, :2])
    for i, j in itertools.product(range(y_max.shape[0]), range(y_max.shape[1])):
        w = pool_window(x2d, i, j, 3, 2, 1)
        assert w.value == y_max[i, j]
        assert x2d[w.argmax] == y_max[i, j]
        a = pool_window(x2d, i, j, 3, 2, 1, kind="avg")
        assert a.value == pytest.approx(y_avg[i, j]) and a.argmax is None


def test_error_pool_window_x2d_not_2d():
    with pytest.raises(ValueError,
                       match=r"x2d must be a 2-D array \(H, W\), got shape \(1, 4, 4\)"):
        pool_window(np.zeros((1, 4, 4)), 0, 0, 2)


@pytest.mark.parametrize("i, j, message", [
    (2, 0, r"i must be an output row in 0..1 \(the output is 2x2\), got 2"),
    (0, -1, r"j must be an output column in 0..1 \(the output is 2x2\), got -1"),
], ids=["row", "column"])
def test_error_pool_window_position(i, j, message):
    with pytest.raises(ValueError, match=message):
        pool_window(np.zeros((4, 4)), i, j, 2)
    with pytest.raises(ValueError, match=message):
        check_output_cell(i, j, (2, 2))


def test_check_output_cell():
    assert check_output_cell(np.int64(1), 2, (2, 3)) == (1, 2)
    with pytest.raises(ValueError, match=r"i must be an output row in 0..1 \(the output is "
                                         r"2x3\), got True"):
        check_output_cell(True, 0, (2, 3))
    with pytest.raises(ValueError, match=r"j must be an output column in 0..2 .*got 1.5"):
        check_output_cell(0, 1.5, (2, 3))


def test_error_pool_window_kind():
    with pytest.raises(ValueError, match="kind must be 'max' or 'avg', got 'min'"):
        pool_window(np.zeros((4, 4)), 0, 0, 2, kind="min")


# ------------------------------------------------------- the pooling explorer
X = np.random.default_rng(7).permutation(42).reshape(6, 7).astype(float) - 20
EXPLORER = [(kind, k, s, p) for kind in ("max", "avg")
            for k, s, p in [(2, 2, 0), (3, 2, 1), (3, 1, 0), (4, 3, 2), (2, 5, 0), (1, 1, 0)]]


@pytest.mark.parametrize("kind, k, s, p", EXPLORER,
                         ids=[f"{kind}-k{k}-s{s}-p{p}" for kind, k, s, p in EXPLORER])
def test_pool_settings_and_view_agree_with_the_ops(kind, k, s, p):
    y = (max_pool2d if kind == "max" else avg_pool2d)(X[None, None], k, s, p)[0, 0]
    st = pool_settings(X, kind, k, s, p)
    assert st.problem is None and st.last_cell == (y.shape[0] - 1, y.shape[1] - 1)
    np.testing.assert_array_equal(st.output, y)
    np.testing.assert_array_equal(st.coverage, window_coverage(X.shape, k, s, p))
    for i, j in [(0, 0), (y.shape[0] - 1, y.shape[1] - 1), (99, 99)]:
        view = pool_view(st, i, j)
        ci, cj = min(i, y.shape[0] - 1), min(j, y.shape[1] - 1)
        assert view["valid"] and view["cell"] == (ci, cj)
        win = pool_window(X, ci, cj, k, s, p, kind)
        np.testing.assert_array_equal(view["window"], win.window)
        assert view["value"] == win.value and view["winner"] == win.argmax
        assert view["value"] == pytest.approx(y[ci, cj], rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("k, p", [(8, 0), (2, 2)], ids=["too-large", "too-much-padding"])
def test_pool_settings_explain_what_the_ops_reject(k, p):
    st = pool_settings(X, "max", k, 1, p)
    with pytest.raises(ValueError):
        max_pool2d(X[None, None], k, 1, p)
    assert st.problem == pool_geometry_problem(X.shape, k, 1, p) and st.last_cell is None
    view = pool_view(st, 0, 0)
    assert not view["valid"] and view["output"] is None and view["problem"] == st.problem


def test_pool_window_by_hand_and_errors():
    x = np.array([[1.0, 5, 2], [3, 4, 9], [0, 8, 7]])
    w = pool_window(x, 0, 0, 2, 1, 1)
    assert w.top_left == (-1, -1) and w.value == 1.0 and w.argmax == (0, 0)
    np.testing.assert_array_equal(w.inside, [[False, False], [False, True]])
    assert pool_window(x, 1, 1, 2, 1, 0, kind="avg").value == pytest.approx(7.0)
    with pytest.raises(ValueError, match=r"i must be an output row in 0..1 \(the output is 2x2\)"):
        pool_window(x, 2, 0, 2, 1)
    with pytest.raises(ValueError, match="kind must be 'max' or 'avg', got 'min'"):
        pool_settings(x, "min", 2, 1, 0)
    with pytest.raises(ValueError, match="window does not fit the 3x3 input"):
        pool_window(x, 0, 0, 4)


@pytest.mark.parametrize("k, s, p", [(2, 2, 0), (3, 2, 1), (3, 1, 0), (2, 5, 0)],
                         ids=["tile", "overlap-pad", "stride1", "skip"])
def test_layer_winners_are_the_winners_of_every_window(k, s, p):
    st = pool_settings(X, "max", k, s, p)
    oh, ow = st.output.shape
    expected = {pool_window(X, i, j, k, s, p).argmax for i in range(oh) for j in range(ow)}
    assert layer_winners(st) == sorted(expected)
    # each winner holds the maximum of some window: the pooled values, as a set
    assert {X[r, c] for r, c in layer_winners(st)} == set(st.output.ravel())
    assert layer_winners(pool_settings(X, "avg", k, s, p)) == []
    assert layer_winners(pool_settings(X, "max", 8, 1, 0)) == []        # no output
