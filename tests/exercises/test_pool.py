"""Checkers of the pooling exercises: right answers pass, wrong ones fail and say why."""
import numpy as np
import pytest

from cnnedu.exercises.pool import (HAND_X, SHAPE_CASES, check_avg_pool_reshape,
                                      check_max_pool2d_single, check_max_pool_backward,
                                      check_output_shapes, check_pool_by_hand,
                                      check_window_counts)


def text(result):
    return str(result)


# ------------------------------------------------------------ by hand, shapes
def test_pool_by_hand():
    assert HAND_X.shape == (4, 4)
    assert check_pool_by_hand([[4, 5], [7, 8]], [[2.5, 2.0], [3.5, 4.75]], quiet=True)
    wrong = check_pool_by_hand([[4, 5], [7, 8]], [[2.5, 2.0], [3.5, 4.7]], quiet=True)
    assert not wrong and wrong.passed == 1
    assert "average pooling: values differ, first at index (1, 1): got 4.7, expected 4.75" \
        in text(wrong)
    flat = check_pool_by_hand([4, 5, 7, 8], [[2.5, 2.0], [3.5, 4.75]], quiet=True)
    assert not flat and "= 2 rows and 2 columns" in text(flat)


def test_pool_by_hand_prints(capsys):
    check_pool_by_hand([[4, 5], [7, 8]], [[2.5, 2.0], [3.5, 4.75]])
    assert capsys.readouterr().out.strip() == "pooling by hand: all 2 cases correct."


RIGHT_SHAPES = [(1, 1, 14, 14), (64, 32, 13, 13), (64, 64, 5, 5), (1, 96, 27, 27),
                (8, 16, 4, 4), (2, 3, 3, 3)]


def test_output_shapes():
    assert len(SHAPE_CASES) == len(RIGHT_SHAPES)
    assert check_output_shapes(RIGHT_SHAPES, quiet=True)
    rounded_up = list(RIGHT_SHAPES)
    rounded_up[2] = (64, 64, 6, 6)
    result = check_output_shapes(rounded_up, quiet=True)
    assert not result and result.passed == 5
    assert "case 2: input (64, 64, 11, 11), window 2, stride 2, padding 0: got (64, 64, 6, 6), " \
           "expected (64, 64, 5, 5)" in text(result)
    assert "floor((H + 2p - k) / s) + 1" in text(result)


def test_output_shapes_hints():
    channels = list(RIGHT_SHAPES)
    channels[1] = (64, 16, 13, 13)
    assert "N and C do not change" in text(check_output_shapes(channels, quiet=True))
    spatial_only = [s[2:] for s in RIGHT_SHAPES]
    assert "give the whole shape, (N, C, OH, OW)" in text(check_output_shapes(spatial_only,
                                                                               quiet=True))
    short = check_output_shapes(RIGHT_SHAPES[:3], quiet=True)
    assert not short and "expected 6 shapes, one per case, got 3" in text(short)


def test_window_counts():
    right = np.outer([1, 1, 2, 1, 2, 1, 1], [1, 1, 2, 1, 2, 1, 1])
    assert check_window_counts(right, quiet=True)
    wrong = right.copy()
    wrong[3, 3] = 2
    result = check_window_counts(wrong, quiet=True)
    assert not result and result.passed == 6
    assert "row 3: got [1, 1, 2, 2, 2, 1, 1], expected [1, 1, 2, 1, 2, 1, 1]" in text(result)
    assert "shape (6, 6)" in text(check_window_counts(np.ones((6, 6)), quiet=True))


# ------------------------------------------------------------- max_pool2d_single
def max_pool_loops(x, k, s):
    oh, ow = (x.shape[0] - k) // s + 1, (x.shape[1] - k) // s + 1
    y = np.empty((oh, ow))
    for i in range(oh):
        for j in range(ow):
            y[i, j] = x[i * s:i * s + k, j * s:j * s + k].max()
    return y


def max_from_zero(x, k, s):
    y = max_pool_loops(x, k, s)
    return np.maximum(y, 0.0)             # as if each maximum started at 0


def floor_division_shape(x, k, s):        # n // s windows: too many when k > s
    oh, ow = x.shape[0] // s, x.shape[1] // s
    return np.array([[x[i * s:i * s + k, j * s:j * s + k].max() for j in range(ow)]
                     for i in range(oh)])


def windows_stepping_by_k(x, k, s):       # ignores the stride
    return max_pool_loops(x, k, k)


def test_max_pool2d_single_right_and_wrong():
    assert check_max_pool2d_single(max_pool_loops, quiet=True)
    zero = check_max_pool2d_single(max_from_zero, quiet=True)
    assert not zero and "start each maximum from the window's values (or -inf), not from 0" \
        in text(zero)
    shape = check_max_pool2d_single(floor_division_shape, quiet=True)
    assert not shape and "floor((n - k) / s) + 1 rows and columns" in text(shape)
    stride = check_max_pool2d_single(windows_stepping_by_k, quiet=True)
    assert not stride and "case 'overlapping 3x3 windows, stride 2'" in text(stride)


def test_max_pool2d_single_reports_exceptions():
    def broken(x, k, s):
        raise IndexError("index 4 is out of bounds")
    result = check_max_pool2d_single(broken, quiet=True)
    assert result.passed == 0 and result.total == 7
    assert "raised IndexError: index 4 is out of bounds" in text(result)


# ---------------------------------------------------------------- avg via reshape
def avg_reshape(x, k):
    N, C, H, W = x.shape
    return x.reshape(N, C, H // k, k, W // k, k).mean(axis=(3, 5))


def avg_reshape_scrambled(x, k):
    N, C, H, W = x.shape
    return x.reshape(N, C, k, H // k, k, W // k).mean(axis=(2, 4))


def test_avg_pool_reshape():
    assert check_avg_pool_reshape(avg_reshape, quiet=True)
    result = check_avg_pool_reshape(avg_reshape_scrambled, quiet=True)
    assert not result
    assert "the rows of one window must be consecutive" in text(result)
    no_batch = check_avg_pool_reshape(lambda x, k: avg_reshape(x, k)[0], quiet=True)
    assert not no_batch and "(N, C, H // k, W // k)" in text(no_batch)


# ---------------------------------------------------------------- max-pool backward
def backward(dy, x, k, s):
    dx = np.zeros_like(x)
    for i in range(dy.shape[0]):
        for j in range(dy.shape[1]):
            window = x[i * s:i * s + k, j * s:j * s + k]
            r, c = np.unravel_index(np.argmax(window), window.shape)
            dx[i * s + r, j * s + c] += dy[i, j]
    return dx


def backward_overwrites(dy, x, k, s):
    dx = np.zeros_like(x)
    for i in range(dy.shape[0]):
        for j in range(dy.shape[1]):
            window = x[i * s:i * s + k, j * s:j * s + k]
            r, c = np.unravel_index(np.argmax(window), window.shape)
            dx[i * s + r, j * s + c] = dy[i, j]
    return dx


def backward_to_every_tie(dy, x, k, s):
    dx = np.zeros_like(x)
    for i in range(dy.shape[0]):
        for j in range(dy.shape[1]):
            window = x[i * s:i * s + k, j * s:j * s + k]
            dx[i * s:i * s + k, j * s:j * s + k] += (window == window.max()) * dy[i, j]
    return dx


def backward_spread(dy, x, k, s):          # the gradient of average pooling instead
    dx = np.zeros_like(x)
    for i in range(dy.shape[0]):
        for j in range(dy.shape[1]):
            dx[i * s:i * s + k, j * s:j * s + k] += dy[i, j] / (k * k)
    return dx


@pytest.mark.parametrize("fn, passed, words", [
    (backward_overwrites, 3, "add (+=), do not overwrite"),
    (backward_to_every_tie, 4, "the first one in reading order"),
    (backward_spread, 0, "goes, whole, to the position of the maximum"),
], ids=["overwrites", "every-tie", "spread-like-average"])
def test_max_pool_backward_wrong(fn, passed, words):
    result = check_max_pool_backward(fn, quiet=True)
    assert not result and result.passed == passed and result.total == 5
    assert words in text(result)


def test_max_pool_backward_right():
    assert check_max_pool_backward(backward, quiet=True)
    shape = check_max_pool_backward(lambda dy, x, k, s: dy, quiet=True)
    assert not shape and "dx has the shape of x" in text(shape)
