"""The computations around pooling: edge map, window coverage, conv cost, geometry check."""
import itertools

import numpy as np
import pytest

from cnnedu.ops.conv import correlate2d
from cnnedu.data import load_digits
from cnnedu.kernels import get_kernel
from cnnedu.explain.pool import (conv_multiply_adds, digit_edge_map, pool_geometry_problem,
                                 window_coverage)
from cnnedu.ops.pool import max_pool2d


# ------------------------------------------------------------ digit_edge_map
def test_digit_edge_map_is_a_crop_of_the_sobel_response():
    X, _ = load_digits("test", dtype="float64")
    full = correlate2d(X[1, 0], get_kernel("sobel_x"))
    m = digit_edge_map()
    assert m.shape == (16, 16) and m.dtype == np.float64
    np.testing.assert_allclose(m, full[7:23, 6:22])
    assert m.min() < -3 and m.max() > 3          # strong edges of both signs: a stroke


def test_digit_edge_map_other_crop_and_kernel():
    X, _ = load_digits("test", dtype="float64")
    m = digit_edge_map(index=5, top=0, left=10, size=12, kernel="sobel_y")
    np.testing.assert_allclose(m, correlate2d(X[5, 0], get_kernel("sobel_y"))[0:12, 10:22])


@pytest.mark.parametrize("kwargs, match", [
    (dict(index=-1), "index must be an int in 0..1999, got -1"),
    (dict(index=2.0), "index must be an int"),
    (dict(top=12), r"top \+ size must be at most 26 .* got top=12, size=16"),
    (dict(left=11), r"left \+ size must be at most 26"),
    (dict(size=0), "size must be a positive int, got 0"),
], ids=["negative-index", "float-index", "top-too-low", "left-too-far", "size-zero"])
def test_digit_edge_map_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        digit_edge_map(**kwargs)


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
