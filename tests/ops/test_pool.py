"""Tests of cnnedu.ops.pool: max, average and global pooling, forward and backward."""
import itertools

import numpy as np
import pytest

from cnnedu.gradcheck import check_gradient
from cnnedu.ops.pool import (
    avg_pool2d, avg_pool2d_backward, avg_pool2d_backward_naive, avg_pool2d_naive,
    global_avg_pool2d, global_avg_pool2d_backward, global_avg_pool2d_backward_naive,
    global_avg_pool2d_naive, global_max_pool2d, global_max_pool2d_backward,
    global_max_pool2d_backward_naive, global_max_pool2d_naive, max_pool2d,
    max_pool2d_backward, max_pool2d_backward_naive, max_pool2d_naive,
)
from cnnedu.explain.pool import pool_window

# (forward, backward) pairs, fast and naive
MAX_OPS = {True: (max_pool2d, max_pool2d_backward),
           False: (max_pool2d_naive, max_pool2d_backward_naive)}
AVG_OPS = {True: (avg_pool2d, avg_pool2d_backward),
           False: (avg_pool2d_naive, avg_pool2d_backward_naive)}

# A hand-made 4x4 feature map, no ties inside any 2x2 window.
X4 = np.array([[1, 3, 2, 0],
               [4, 2, 1, 5],
               [0, 7, 6, 3],
               [6, 1, 2, 8]], dtype=float)[None, None]


def distinct(shape, seed):
    """Float64 values 0, 1, 2, ... in random order: no ties, maxima 1 apart."""
    rng = np.random.default_rng(seed)
    return rng.permutation(int(np.prod(shape))).reshape(shape).astype(np.float64)


# ----------------------------------------------------------------------------
# Fast == naive over a grid of geometries
# ----------------------------------------------------------------------------

SIZES = [1, 2, 3, 4, (2, 3), (3, 1)]
STRIDES = [None, 1, 2, 3, (1, 2)]
PADDINGS = [0, 1, 2, (1, 0)]
INPUTS = [(1, 1, 5, 5), (2, 3, 7, 6), (3, 2, 4, 9), (1, 3, 6, 4)]


def _pair(v):
    return (v, v) if isinstance(v, int) else v


def _label(v):
    return "None" if v is None else ("{}x{}".format(*v) if isinstance(v, tuple) else str(v))


def _grid():
    """Every size/stride/padding combination that is legal for its input.

    Impossible geometry is left out on purpose: padding above half the window
    and windows larger than the padded input raise (tested further down).
    """
    cases = []
    for n, (size, stride, padding) in enumerate(itertools.product(SIZES, STRIDES, PADDINGS)):
        shape = INPUTS[n % len(INPUTS)]
        (kh, kw), (ph, pw) = _pair(size), _pair(padding)
        if ph > kh // 2 or pw > kw // 2:
            continue          # padding may be at most half the window
        if shape[2] + 2 * ph < kh or shape[3] + 2 * pw < kw:
            continue          # the window does not fit
        cases.append(pytest.param(
            shape, size, stride, padding,
            id=f"k{_label(size)}-s{_label(stride)}-p{_label(padding)}"
               f"-x{'x'.join(map(str, shape))}"))
    return cases


GRID = _grid()


def test_grid_is_not_trivially_small():
    assert len(GRID) > 60


@pytest.mark.parametrize("shape, size, stride, padding", GRID)
def test_max_pool_fast_equals_naive(shape, size, stride, padding):
    x = distinct(shape, seed=1)
    y = max_pool2d(x, size, stride, padding)
    np.testing.assert_array_equal(y, max_pool2d_naive(x, size, stride, padding))
    dy = np.random.default_rng(2).standard_normal(y.shape)
    np.testing.assert_allclose(max_pool2d_backward(dy, x, size, stride, padding),
                               max_pool2d_backward_naive(dy, x, size, stride, padding),
                               rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("shape, size, stride, padding", GRID)
def test_max_pool_backward_fast_equals_naive_with_many_ties(shape, size, stride, padding):
    # values in {0, 1, 2}: most windows hold several maxima; both versions
    # must route the gradient to the same (first) one
    x = np.random.default_rng(3).integers(0, 3, shape).astype(np.float64)
    dy = np.random.default_rng(4).standard_normal(max_pool2d(x, size, stride, padding).shape)
    np.testing.assert_allclose(max_pool2d_backward(dy, x, size, stride, padding),
                               max_pool2d_backward_naive(dy, x, size, stride, padding),
                               rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("shape, size, stride, padding", GRID)
def test_avg_pool_fast_equals_naive(shape, size, stride, padding):
    x = np.random.default_rng(5).standard_normal(shape)
    y = avg_pool2d(x, size, stride, padding)
    np.testing.assert_allclose(y, avg_pool2d_naive(x, size, stride, padding),
                               rtol=1e-12, atol=1e-12)
    dy = np.random.default_rng(6).standard_normal(y.shape)
    np.testing.assert_allclose(avg_pool2d_backward(dy, x, size, stride, padding),
                               avg_pool2d_backward_naive(dy, x, size, stride, padding),
                               rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("shape", [(1, 1, 1, 1), (2, 3, 4, 5), (3, 1, 7, 2)],
                         ids=lambda s: "x" + "x".join(map(str, s)))
def test_global_pools_fast_equal_naive(shape):
    x = distinct(shape, seed=7)
    dy = np.random.default_rng(8).standard_normal(shape[:2])
    np.testing.assert_allclose(global_avg_pool2d(x), global_avg_pool2d_naive(x), rtol=1e-12)
    np.testing.assert_allclose(global_avg_pool2d_backward(dy, x),
                               global_avg_pool2d_backward_naive(dy, x), rtol=1e-12)
    np.testing.assert_array_equal(global_max_pool2d(x), global_max_pool2d_naive(x))
    np.testing.assert_array_equal(global_max_pool2d_backward(dy, x),
                                  global_max_pool2d_backward_naive(dy, x))


@pytest.mark.parametrize("size, stride, padding",
                         [(2, None, 0), (3, 2, 1), ((2, 3), (1, 2), (1, 0))],
                         ids=["k2", "k3-s2-p1", "k2x3-s1x2-p1x0"])
def test_output_shape_follows_the_formula(size, stride, padding):
    x = np.zeros((2, 3, 11, 10))
    (kh, kw), (ph, pw) = _pair(size), _pair(padding)
    sh, sw = _pair(stride) if stride is not None else (kh, kw)
    expected = (2, 3, (11 + 2 * ph - kh) // sh + 1, (10 + 2 * pw - kw) // sw + 1)
    assert max_pool2d(x, size, stride, padding).shape == expected
    assert avg_pool2d(x, size, stride, padding).shape == expected


# ----------------------------------------------------------------------------
# Hand-computed examples
# ----------------------------------------------------------------------------

@pytest.mark.parametrize("pool", [max_pool2d, max_pool2d_naive])
def test_max_pool_by_hand(pool):
    # windows {1,3,4,2} {2,0,1,5} {0,7,6,1} {6,3,2,8}
    np.testing.assert_array_equal(pool(X4, 2)[0, 0], [[4, 5], [7, 8]])


@pytest.mark.parametrize("backward", [max_pool2d_backward, max_pool2d_backward_naive])
def test_max_pool_backward_by_hand(backward):
    dy = np.array([[1.0, 2.0], [3.0, 4.0]])[None, None]
    expected = np.zeros((4, 4))
    expected[1, 0], expected[1, 3], expected[2, 1], expected[3, 3] = 1, 2, 3, 4
    np.testing.assert_array_equal(backward(dy, X4, 2)[0, 0], expected)


@pytest.mark.parametrize("pool", [avg_pool2d, avg_pool2d_naive])
def test_avg_pool_by_hand(pool):
    # sums 10, 8, 14, 19 over 4 cells
    np.testing.assert_allclose(pool(X4, 2)[0, 0], [[2.5, 2.0], [3.5, 4.75]])


@pytest.mark.parametrize("backward", [avg_pool2d_backward, avg_pool2d_backward_naive])
def test_avg_pool_backward_by_hand(backward):
    dy = np.array([[1.0, 2.0], [3.0, 4.0]])[None, None]
    expected = np.array([[0.25, 0.25, 0.5, 0.5],
                         [0.25, 0.25, 0.5, 0.5],
                         [0.75, 0.75, 1.0, 1.0],
                         [0.75, 0.75, 1.0, 1.0]])
    np.testing.assert_allclose(backward(dy, X4, 2)[0, 0], expected)


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "naive"])
def test_overlapping_windows_accumulate_by_hand(fast):
    # 2x2 windows, stride 1: the centre 9 wins all four windows
    x = np.array([[1, 2, 3], [4, 9, 6], [7, 8, 5]], dtype=float)[None, None]
    dy = np.array([[1.0, 2.0], [3.0, 4.0]])[None, None]
    pool, back = MAX_OPS[fast]
    np.testing.assert_array_equal(pool(x, 2, 1)[0, 0], [[9, 9], [9, 9]])
    expected = np.zeros((3, 3))
    expected[1, 1] = 1 + 2 + 3 + 4
    np.testing.assert_array_equal(back(dy, x, 2, 1)[0, 0], expected)
    # average: each cell gets 1/4 from every window it lies in
    avg_back = AVG_OPS[fast][1]
    counts = np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]])
    np.testing.assert_allclose(avg_back(np.ones((1, 1, 2, 2)), x, 2, 1)[0, 0], counts / 4)


def test_overlapping_3x3_stride_2_like_alexnet():
    x = np.arange(25, dtype=float).reshape(1, 1, 5, 5)      # increasing: bottom-right wins
    np.testing.assert_array_equal(max_pool2d(x, 3, 2)[0, 0], [[12, 14], [22, 24]])
    dx = max_pool2d_backward(np.ones((1, 1, 2, 2)), x, 3, 2)[0, 0]
    assert dx[2, 2] == 1 and dx[2, 4] == 1 and dx[4, 2] == 1 and dx[4, 4] == 1 and dx.sum() == 4


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "naive"])
def test_max_padding_never_wins_even_against_negatives(fast):
    x = -np.array([[1.0, 2.0], [3.0, 4.0]])[None, None]
    pool, back = MAX_OPS[fast]
    # padding 1, 2x2 windows, stride 2: each window holds one real cell
    np.testing.assert_array_equal(pool(x, 2, 2, 1), x)
    dy = np.array([[5.0, 6.0], [7.0, 8.0]])[None, None]
    np.testing.assert_array_equal(back(dy, x, 2, 2, 1), dy)


@pytest.mark.parametrize("fast", [True, False], ids=["fast", "naive"])
def test_avg_padding_counts_the_zeros(fast):
    x = np.array([[1.0, 2.0], [3.0, 4.0]])[None, None]
    pool, back = AVG_OPS[fast]
    # each window: one real cell and three padded zeros, divided by 4
    np.testing.assert_allclose(pool(x, 2, 2, 1), x / 4)
    # padded cells drop their share: each real cell keeps 1/4 of its window's gradient
    np.testing.assert_allclose(back(np.ones((1, 1, 2, 2)), x, 2, 2, 1), np.full((1, 1, 2, 2), 0.25))


def test_leftover_rows_and_columns_get_no_gradient():
    x = distinct((1, 1, 5, 5), seed=9)       # 2x2 windows cover rows/cols 0..3 only
    for back in (max_pool2d_backward, avg_pool2d_backward):
        dx = back(np.ones((1, 1, 2, 2)), x, 2)[0, 0]
        assert np.all(dx[4, :] == 0) and np.all(dx[:, 4] == 0)
        assert dx.sum() == pytest.approx(4.0)


def test_global_pools_by_hand():
    np.testing.assert_allclose(global_avg_pool2d(X4), [[51 / 16]])   # rows sum to 6, 12, 16, 17
    np.testing.assert_array_equal(global_max_pool2d(X4), [[8]])
    dx = global_avg_pool2d_backward(np.array([[16.0]]), X4)
    np.testing.assert_allclose(dx, np.ones_like(X4))
    dx = global_max_pool2d_backward(np.array([[2.0]]), X4)
    assert dx[0, 0, 3, 3] == 2 and dx.sum() == 2


# ----------------------------------------------------------------------------
# The tie rule: the first maximum in row-major order takes all of the gradient
# ----------------------------------------------------------------------------

@pytest.mark.parametrize("window, winner", [
    ([[3, 5], [5, 1]], (0, 1)),      # tie across rows: the top one
    ([[1, 2], [7, 7]], (1, 0)),      # tie in a row: the left one
    ([[0, 0], [0, 0]], (0, 0)),      # a window of zeros, as after a ReLU
], ids=["across-rows", "within-row", "all-zero"])
@pytest.mark.parametrize("backward", [max_pool2d_backward, max_pool2d_backward_naive],
                         ids=["fast", "naive"])
def test_tie_goes_to_first_maximum_in_row_major_order(window, winner, backward):
    x = np.array(window, dtype=float)[None, None]
    dx = backward(np.array([[[[2.5]]]]), x, 2)[0, 0]
    expected = np.zeros((2, 2))
    expected[winner] = 2.5
    np.testing.assert_array_equal(dx, expected)
    assert pool_window(x[0, 0], 0, 0, 2).argmax == winner


def test_global_max_tie_goes_to_first_maximum():
    x = np.array([[0, 4, 1], [4, 0, 4]], dtype=float)[None, None]
    for backward in (global_max_pool2d_backward, global_max_pool2d_backward_naive):
        dx = backward(np.array([[1.0]]), x)[0, 0]
        assert dx[0, 1] == 1 and dx.sum() == 1


# ----------------------------------------------------------------------------
# Gradient checks (float64, tiny shapes, no ties)
# ----------------------------------------------------------------------------

GRAD_CASES = [
    pytest.param(2, None, 0, id="k2"),
    pytest.param(3, 2, 1, id="k3-s2-p1-overlap"),
    pytest.param((2, 3), 1, (1, 1), id="k2x3-s1-p1-overlap"),
    pytest.param(2, 3, 1, id="k2-s3-p1-gaps"),
]


@pytest.mark.parametrize("size, stride, padding", GRAD_CASES)
def test_max_pool_gradient_check(size, stride, padding):
    x = distinct((2, 2, 5, 6), seed=10) / 10      # maxima 0.1 apart, far above h
    dy = np.random.default_rng(11).standard_normal(max_pool2d(x, size, stride, padding).shape)
    dx = max_pool2d_backward(dy, x, size, stride, padding)
    result = check_gradient(lambda: max_pool2d(x, size, stride, padding), x, dx, df=dy)
    assert result.passed, str(result)


@pytest.mark.parametrize("size, stride, padding", GRAD_CASES)
def test_avg_pool_gradient_check(size, stride, padding):
    x = np.random.default_rng(12).standard_normal((2, 2, 5, 6))
    dy = np.random.default_rng(13).standard_normal(avg_pool2d(x, size, stride, padding).shape)
    dx = avg_pool2d_backward(dy, x, size, stride, padding)
    result = check_gradient(lambda: avg_pool2d(x, size, stride, padding), x, dx, df=dy)
    assert result.passed, str(result)


def test_global_pools_gradient_check():
    x = distinct((2, 3, 3, 4), seed=14) / 10
    dy = np.random.default_rng(15).standard_normal((2, 3))
    for pool, backward in ((global_avg_pool2d, global_avg_pool2d_backward),
                           (global_max_pool2d, global_max_pool2d_backward)):
        result = check_gradient(lambda: pool(x), x, backward(dy, x), df=dy)
        assert result.passed, f"{pool.__name__}: {result}"


def test_gradient_check_fails_on_wrong_backward():
    x = distinct((1, 2, 4, 4), seed=16) / 10
    dy = np.random.default_rng(17).standard_normal((1, 2, 2, 2))
    # max-pool gradient routed to each window's minimum (the arg-max of -x)
    to_min = max_pool2d_backward(dy, -x, 2)
    result = check_gradient(lambda: max_pool2d(x, 2), x, to_min, df=dy)
    assert not result.passed and result.error > 0.5
    # avg-pool gradient not divided by the window size
    undivided = avg_pool2d_backward(dy, x, 2) * 4
    result = check_gradient(lambda: avg_pool2d(x, 2), x, undivided, df=dy)
    assert not result.passed and result.error > 0.5


# ----------------------------------------------------------------------------
# Properties
# ----------------------------------------------------------------------------

def test_max_pool_absorbs_a_shift_inside_the_window():
    # features at even columns; shifted right by one pixel they stay in their
    # 2x2 window, so the max-pooled map does not change
    x = np.zeros((1, 1, 4, 4))
    x[0, 0, 0, 0], x[0, 0, 3, 2] = 5.0, 3.0
    shifted = np.zeros_like(x)
    shifted[..., 1:] = x[..., :-1]
    np.testing.assert_array_equal(max_pool2d(shifted, 2), max_pool2d(x, 2))
    np.testing.assert_array_equal(max_pool2d(x, 2)[0, 0], [[5, 0], [0, 3]])
    # ... but a shift across a window border moves the feature to another output
    across = np.zeros_like(x)
    across[..., 1:] = shifted[..., :-1]
    assert not np.array_equal(max_pool2d(across, 2), max_pool2d(x, 2))


def test_avg_pool_is_linear_and_max_pool_is_positively_homogeneous():
    rng = np.random.default_rng(18)
    a, b = rng.standard_normal((2, 1, 2, 6, 6))
    np.testing.assert_allclose(avg_pool2d(2 * a - b, 3, 1, 1),
                               2 * avg_pool2d(a, 3, 1, 1) - avg_pool2d(b, 3, 1, 1), atol=1e-12)
    np.testing.assert_allclose(max_pool2d(3 * a, 3, 2), 3 * max_pool2d(a, 3, 2))


def test_nan_propagates_to_the_output():
    x = np.ones((1, 1, 4, 4))
    x[0, 0, 1, 1] = np.nan
    y = max_pool2d(x, 2)
    assert np.isnan(y[0, 0, 0, 0]) and np.all(y[0, 0].ravel()[1:] == 1)
    assert np.isnan(avg_pool2d(x, 2)[0, 0, 0, 0])


@pytest.mark.parametrize("size, stride", [(2, None), (3, 1)], ids=["k2", "k3-s1"])
def test_nan_gradient_goes_where_the_naive_version_sends_it(size, stride):
    # as numpy.argmax, the first NaN of a window wins
    x = distinct((1, 2, 6, 6), seed=22)
    x[0, 0, 1, 1] = x[0, 0, 0, 1] = x[0, 1, 4, 5] = np.nan
    dy = np.random.default_rng(23).standard_normal(max_pool2d(x, size, stride).shape)
    np.testing.assert_array_equal(max_pool2d(x, size, stride), max_pool2d_naive(x, size, stride))
    np.testing.assert_allclose(max_pool2d_backward(dy, x, size, stride),
                               max_pool2d_backward_naive(dy, x, size, stride),
                               rtol=1e-12, atol=1e-12)


# ----------------------------------------------------------------------------
# dtypes
# ----------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["max", "avg"])
def test_float32_stays_float32(name):
    pool, backward = {"max": (max_pool2d, max_pool2d_backward),
                      "avg": (avg_pool2d, avg_pool2d_backward)}[name]
    x = np.random.default_rng(19).standard_normal((2, 3, 7, 7)).astype(np.float32)
    y = pool(x, 3, 2, 1)
    assert y.dtype == np.float32
    assert backward(np.ones(y.shape, np.float32), x, 3, 2, 1).dtype == np.float32
    assert backward(np.ones(y.shape), x, 3, 2, 1).dtype == np.float32   # float64 dy
    np.testing.assert_allclose(y, pool(x.astype(np.float64), 3, 2, 1), rtol=1e-6, atol=1e-6)


def test_float32_global_pools_stay_float32():
    x = np.ones((2, 3, 4, 4), np.float32)
    dy = np.ones((2, 3), np.float32)
    for pool, backward in ((global_avg_pool2d, global_avg_pool2d_backward),
                           (global_max_pool2d, global_max_pool2d_backward)):
        assert pool(x).dtype == np.float32 and backward(dy, x).dtype == np.float32


def test_integer_input_becomes_float64():
    x = np.arange(16).reshape(1, 1, 4, 4)
    assert max_pool2d(x, 2).dtype == np.float64
    assert avg_pool2d(x, 2).dtype == np.float64
    assert global_avg_pool2d(x).dtype == np.float64


def test_input_is_not_modified():
    x = distinct((2, 2, 5, 5), seed=20)
    before = x.copy()
    dy = np.ones((2, 2, 3, 3))
    max_pool2d(x, 3, 2, 1), max_pool2d_backward(dy, x, 3, 2, 1)
    avg_pool2d(x, 3, 2, 1), avg_pool2d_backward(dy, x, 3, 2, 1)
    np.testing.assert_array_equal(x, before)


# ----------------------------------------------------------------------------
# Errors: one test per message
# ----------------------------------------------------------------------------

ALL_WINDOWED = [max_pool2d, max_pool2d_naive, avg_pool2d, avg_pool2d_naive]


@pytest.mark.parametrize("pool", ALL_WINDOWED, ids=lambda f: f.__name__)
def test_error_x_not_4d(pool):
    with pytest.raises(ValueError,
                       match=r"x must be a 4-D array \(N, C, H, W\), got shape \(4, 4\)"):
        pool(np.zeros((4, 4)), 2)


@pytest.mark.parametrize("pool", ALL_WINDOWED, ids=lambda f: f.__name__)
def test_error_window_does_not_fit(pool):
    with pytest.raises(ValueError, match="pool window 3x3 does not fit a 2x2 input with padding 0"):
        pool(np.zeros((1, 1, 2, 2)), 3)


def test_error_window_does_not_fit_names_nonsquare_padding():
    with pytest.raises(ValueError,
                       match=r"pool window 4x2 does not fit a 1x5 input with padding \(1, 0\)"):
        max_pool2d(np.zeros((1, 1, 1, 5)), (4, 2), padding=(1, 0))


@pytest.mark.parametrize("pool", ALL_WINDOWED, ids=lambda f: f.__name__)
def test_error_size_below_one(pool):
    with pytest.raises(ValueError, match=r"size must be a positive int or \(h, w\) pair, got 0"):
        pool(np.zeros((1, 1, 4, 4)), 0)


def test_error_size_not_an_int():
    with pytest.raises(TypeError, match=r"size must be a positive int or \(h, w\) pair, got 2.5"):
        max_pool2d(np.zeros((1, 1, 4, 4)), 2.5)


@pytest.mark.parametrize("pool", ALL_WINDOWED, ids=lambda f: f.__name__)
def test_error_stride_below_one(pool):
    with pytest.raises(ValueError,
                       match=r"stride must be a positive int or \(h, w\) pair, got \(1, 0\)"):
        pool(np.zeros((1, 1, 4, 4)), 2, stride=(1, 0))


@pytest.mark.parametrize("pool", ALL_WINDOWED, ids=lambda f: f.__name__)
def test_error_negative_padding(pool):
    with pytest.raises(ValueError,
                       match=r"padding must be a non-negative int or \(h, w\) pair, got -1"):
        pool(np.zeros((1, 1, 4, 4)), 2, padding=-1)


@pytest.mark.parametrize("pool", ALL_WINDOWED, ids=lambda f: f.__name__)
def test_error_padding_more_than_half_the_window(pool):
    with pytest.raises(ValueError, match=r"padding must be at most half the pool window.*"
                                         r"a 3x3 window allows padding up to 1, got 2"):
        pool(np.zeros((1, 1, 4, 4)), 3, padding=2)


@pytest.mark.parametrize("backward", [max_pool2d_backward, max_pool2d_backward_naive,
                                      avg_pool2d_backward, avg_pool2d_backward_naive],
                         ids=lambda f: f.__name__)
def test_error_dy_shape(backward):
    with pytest.raises(ValueError, match=r"dy must have the shape of the forward output "
                                         r"\(N, C, OH, OW\) = \(1, 2, 2, 2\), got \(1, 2, 3, 3\)"):
        backward(np.zeros((1, 2, 3, 3)), np.zeros((1, 2, 4, 4)), 2)


@pytest.mark.parametrize("backward", [global_avg_pool2d_backward, global_avg_pool2d_backward_naive,
                                      global_max_pool2d_backward, global_max_pool2d_backward_naive],
                         ids=lambda f: f.__name__)
def test_error_global_dy_shape(backward):
    with pytest.raises(ValueError, match=r"dy must have the shape of the forward output "
                                         r"\(N, C\) = \(1, 2\), got \(1, 2, 1, 1\)"):
        backward(np.zeros((1, 2, 1, 1)), np.zeros((1, 2, 4, 4)))


@pytest.mark.parametrize("pool", [global_avg_pool2d, global_avg_pool2d_naive,
                                  global_max_pool2d, global_max_pool2d_naive],
                         ids=lambda f: f.__name__)
def test_error_global_x_not_4d(pool):
    with pytest.raises(ValueError,
                       match=r"x must be a 4-D array \(N, C, H, W\), got shape \(2, 3\)"):
        pool(np.zeros((2, 3)))


def test_error_global_empty_image():
    with pytest.raises(ValueError, match=r"x must have at least one pixel per channel "
                                         r"\(H, W >= 1\), got shape \(1, 2, 0, 3\)"):
        global_avg_pool2d(np.zeros((1, 2, 0, 3)))


def test_error_x_not_numbers():
    with pytest.raises(TypeError, match="x must be an array of real numbers, got dtype <U1"):
        max_pool2d(np.full((1, 1, 2, 2), "a"), 2)
