"""Checkers of the chapter 1 exercises: right answers pass, common mistakes are named."""
import numpy as np
import pytest

from cnnedu.geometry import conv_output_size
from cnnedu.ops.conv import conv2d, convolve2d, correlate2d, im2col
from cnnedu.exercises import conv as ex


# reference solutions, written independently of the library
def loops(x, k):
    H, W = x.shape
    KH, KW = k.shape
    y = np.zeros((H - KH + 1, W - KW + 1))
    for i in range(H - KH + 1):
        for j in range(W - KW + 1):
            y[i, j] = np.sum(x[i:i + KH, j:j + KW] * k)
    return y


def strided(x, k, stride, padding, dilation):
    xp = np.pad(x, padding)
    KH, KW = k.shape
    eh, ew = dilation * (KH - 1) + 1, dilation * (KW - 1) + 1
    OH = (xp.shape[0] - eh) // stride + 1
    OW = (xp.shape[1] - ew) // stride + 1
    y = np.zeros((OH, OW))
    for i in range(OH):
        for j in range(OW):
            r, c = i * stride, j * stride
            y[i, j] = np.sum(xp[r:r + eh:dilation, c:c + ew:dilation] * k)
    return y


def im2col_2d(x, kh, kw):
    H, W = x.shape
    OH, OW = H - kh + 1, W - kw + 1
    cols = np.empty((kh * kw, OH * OW))
    for i in range(OH):
        for j in range(OW):
            cols[:, i * OW + j] = x[i:i + kh, j:j + kw].ravel()
    return cols


def conv_im2col(x, k):
    OH, OW = x.shape[0] - k.shape[0] + 1, x.shape[1] - k.shape[1] + 1
    return (k.ravel() @ im2col_2d(x, *k.shape)).reshape(OH, OW)


def test_constants_are_the_exercise_data():
    assert ex.HAND_X.shape == (4, 4) and ex.HAND_K.shape == (3, 3)
    assert not np.array_equal(ex.HAND_K, ex.HAND_K[::-1, ::-1])   # flipping must matter
    assert len(ex.SHAPE_CASES) == 7


def test_hand_correlation(capsys):
    assert ex.check_hand_correlation([[2, 1], [1, -3]])          # computed by hand
    assert "hand correlation: all 1 cases correct." in capsys.readouterr().out
    flipped = ex.check_hand_correlation(convolve2d(ex.HAND_X, ex.HAND_K), quiet=True)
    assert not flipped and "hint: these are the values of true convolution" in str(flipped)
    shape = ex.check_hand_correlation([1, 2, 3], quiet=True)
    assert not shape and "shape (3,), expected (2, 2)" in str(shape)


def test_output_shapes():
    right = [(26, 26), (28, 28), (16, 16), (3, 3), (2, 2), (6, 8), (0, 0)]
    assert ex.check_output_shapes(right, quiet=True)
    no_dilation = list(right)
    no_dilation[5] = (8, 10)
    result = ex.check_output_shapes(no_dilation, quiet=True)
    assert result.passed == 6 and "dilation 2 makes the kernel span d(k - 1) + 1 = 5 pixels" \
        in str(result)
    rounded_up = list(right)
    rounded_up[4] = (3, 3)
    assert "hint: round down" in str(ex.check_output_shapes(rounded_up, quiet=True))
    negative = list(right)
    negative[6] = (-1, -1)
    assert "spans d(k - 1) + 1 = 7 pixels but the padded input is only 5: no output" in str(
        ex.check_output_shapes(negative, quiet=True))
    short = ex.check_output_shapes(right[:3], quiet=True)
    assert not short and "expected 7 answers (one per case), got 3" in str(short)


def test_parameter_counts():
    assert ex.check_parameter_counts(16 * 3 * 5 * 5 + 16, 3072 * 12544 + 12544, quiet=True)
    result = ex.check_parameter_counts(16 * 3 * 5 * 5, 3072 * 12544 + 12544, quiet=True)
    assert result.passed == 1 and "convolution: got 1200, expected 1216" in str(result)
    assert "one bias" in str(result)


def test_correlate2d_checker(capsys):
    assert ex.check_correlate2d(loops)
    assert "correlate2d: all 6 cases correct." in capsys.readouterr().out
    flipped = ex.check_correlate2d(lambda x, k: loops(x, k[::-1, ::-1]), quiet=True)
    assert not flipped and "hint: your output is true convolution" in str(flipped)
    short = ex.check_correlate2d(lambda x, k: loops(x, k)[:-1, :-1], quiet=True)
    assert "loop over range(H - KH + 1)" in str(short)
    same = ex.check_correlate2d(lambda x, k: correlate2d(x, k, mode="same"), quiet=True)
    assert "should be 'valid' (no padding)" in str(same)
    broken = ex.check_correlate2d(lambda x, k: 1 / 0, quiet=True)
    assert not broken and "raised ZeroDivisionError" in str(broken)


def test_output_size_checker():
    assert ex.check_output_size(lambda n, k, s, p, d: (n + 2 * p - d * (k - 1) - 1) // s + 1,
                                quiet=True)
    assert ex.check_output_size(conv_output_size, quiet=True)
    no_d = ex.check_output_size(lambda n, k, s, p, d: (n + 2 * p - k) // s + 1, quiet=True)
    assert not no_d and "hint: dilation is ignored" in str(no_d)
    ceil = ex.check_output_size(lambda n, k, s, p, d: -(-(n + 2 * p - d * (k - 1) - 1) // s) + 1,
                                quiet=True)
    assert "round down (floor, // in Python)" in str(ceil)
    one_side = ex.check_output_size(lambda n, k, s, p, d: (n + p - d * (k - 1) - 1) // s + 1,
                                    quiet=True)
    assert "padding p is added on both sides" in str(one_side)
    floats = ex.check_output_size(lambda n, k, s, p, d: (n + 2 * p - d * (k - 1) - 1) / s + 1,
                                  quiet=True)
    assert not floats and "return an int: use // for the floor of the division" in str(floats)


def test_strided_conv_checker():
    assert ex.check_strided_conv(strided, quiet=True)
    no_d = ex.check_strided_conv(lambda x, k, s, p, d: strided(x, k, s, p, 1), quiet=True)
    assert "hint: dilation is ignored" in str(no_d)
    no_s = ex.check_strided_conv(lambda x, k, s, p, d: strided(x, k, 1, p, d), quiet=True)
    assert "hint: stride is ignored" in str(no_s)
    no_p = ex.check_strided_conv(lambda x, k, s, p, d: strided(x, k, s, 0, d), quiet=True)
    assert "hint: padding is ignored" in str(no_p)


def test_strided_reference_is_conv2d():
    x, k = np.random.default_rng(0).random((7, 6)), np.ones((3, 2))
    np.testing.assert_allclose(strided(x, k, 2, 1, 2),
                               conv2d(x[None, None], k[None, None], stride=2, padding=1,
                                      dilation=2)[0, 0])


def test_im2col_checkers():
    x = np.random.default_rng(0).random((4, 5))
    np.testing.assert_array_equal(im2col_2d(x, 2, 3), im2col(x[None, None], 2, 3))
    assert ex.check_im2col(im2col_2d, quiet=True)
    transposed = ex.check_im2col(lambda x, kh, kw: im2col_2d(x, kh, kw).T, quiet=True)
    assert "hint: transposed" in str(transposed)

    def taps_column_major(x, kh, kw):
        cols = im2col_2d(x, kh, kw)
        order = np.arange(kh * kw).reshape(kh, kw).T.ravel()
        return cols[order]

    assert "taps in the wrong order" in str(ex.check_im2col(taps_column_major, quiet=True))
    assert ex.check_conv_im2col(conv_im2col, quiet=True)
    flat = ex.check_conv_im2col(lambda x, k: conv_im2col(x, k).ravel(), quiet=True)
    assert not flat and "reshape it to (OH, OW)" in str(flat)


def test_receptive_field_checker():
    assert ex.check_receptive_field(14, 2, quiet=True)
    no_d = ex.check_receptive_field(10, 2, quiet=True)
    assert not no_d and "the last layer is dilated" in str(no_d)
    other = ex.check_receptive_field(9, 1, quiet=True)
    assert not other and "go layer by layer" in str(other)
    # the chapter's notation: r_l, J_l, k_l, s_l, d_l
    assert ("r_l = r_(l-1) + (k_l - 1) J_(l-1) and J_l = J_(l-1) s_l, "
            "with k_l replaced by d_l (k_l - 1) + 1 for a dilated layer") in str(other)


@pytest.mark.parametrize("checker", [ex.check_correlate2d, ex.check_output_size,
                                     ex.check_strided_conv, ex.check_im2col,
                                     ex.check_conv_im2col])
def test_every_code_checker_rejects_a_wrong_function(checker):
    assert not checker(lambda *args: 0, quiet=True)
