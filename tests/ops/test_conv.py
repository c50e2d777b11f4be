"""Tests of cnnedu.ops.conv: sizes, hand-computed examples, fast == naive, gradients, errors."""
import itertools

import numpy as np
import pytest

from cnnedu.ops import conv as conv
from cnnedu.ops.conv import (col2im, conv2d, conv2d_backward, conv2d_backward_naive, conv2d_naive,
                         convolve2d, convolve2d_naive, correlate2d, correlate2d_naive, im2col)
from cnnedu.geometry import conv_output_size, resolve_padding
from cnnedu.gradcheck import check_gradient, rel_error

# The fast path stores its windows in one of two memory layouts (rows contiguous,
# or batch contiguous). Tests that take `layout` run both.
LAYOUTS = {"rows": False, "batch-last": True}


@pytest.fixture(params=list(LAYOUTS), ids=list(LAYOUTS))
def layout(request, monkeypatch):
    monkeypatch.setattr(conv, "_batch_last", lambda n, g: LAYOUTS[request.param])
    return request.param


def rng(seed=0):
    return np.random.default_rng(seed)


# --------------------------------------------------------------------------
# 'same' padding (the sizes themselves: tests/test_geometry.py)
# --------------------------------------------------------------------------

@pytest.mark.parametrize("h, w, k, s", [(7, 8, 3, 2), (9, 10, 4, 3), (6, 5, 2, 2), (28, 28, 4, 1)])
def test_same_padding_gives_ceil_of_size_over_stride(h, w, k, s):
    x = rng().standard_normal((1, 2, h, w))
    y = conv2d(x, rng(1).standard_normal((3, 2, k, k)), stride=s, padding="same")
    assert y.shape == (1, 3, -(-h // s), -(-w // s))
    assert y.shape[2:] == (conv_output_size(h, k, s, "same"), conv_output_size(w, k, s, "same"))


# --------------------------------------------------------------------------
# Hand-computed examples
# --------------------------------------------------------------------------

IMAGE = np.arange(1.0, 10.0).reshape(3, 3)      # 1 2 3 / 4 5 6 / 7 8 9
KERNEL = np.array([[1.0, 2.0], [3.0, 4.0]])


def test_correlate2d_by_hand():
    # y[0,0] = 1*1 + 2*2 + 4*3 + 5*4 = 37, and so on
    assert np.array_equal(correlate2d(IMAGE, KERNEL), [[37, 47], [67, 77]])
    # 'same' with an even kernel pads one zero row/column at the bottom/right
    assert np.array_equal(correlate2d(IMAGE, KERNEL, "same"),
                          [[37, 47, 3 + 18], [67, 77, 6 + 27], [7 + 16, 8 + 18, 9]])
    full = correlate2d(IMAGE, KERNEL, "full")
    assert full.shape == (4, 4)
    assert full[0, 0] == 1 * 4 and full[3, 3] == 9 * 1 and full[0, 3] == 3 * 3
    assert full[1, 1] == 37


def test_convolve2d_by_hand():
    # the kernel turned by 180 degrees is [[4, 3], [2, 1]]: y[0,0] = 4*1 + 3*2 + 2*4 + 1*5
    assert np.array_equal(convolve2d(IMAGE, KERNEL), [[23, 33], [53, 63]])
    full = convolve2d(IMAGE, KERNEL, "full")             # z[i,j] = sum x[i-u, j-v] k[u,v]
    assert full[0, 0] == 1 * 1 and full[3, 3] == 9 * 4 and full[0, 3] == 3 * 2
    assert np.array_equal(convolve2d(IMAGE, KERNEL, "same"), full[1:4, 1:4])


def test_conv2d_by_hand_stride_padding_bias():
    x = IMAGE[None, None]
    w = np.ones((1, 1, 2, 2))
    # padded 5x5, windows start at rows/cols 0 and 2 of the padded image
    y = conv2d(x, w, b=[0.5], stride=2, padding=1)
    assert np.array_equal(y[0, 0], [[1.5, 2 + 3 + 0.5], [4 + 7 + 0.5, 5 + 6 + 8 + 9 + 0.5]])


def test_conv2d_by_hand_dilation():
    x = np.arange(25.0).reshape(1, 1, 5, 5)
    y = conv2d(x, np.ones((1, 1, 2, 2)), dilation=2)
    # taps at (i, j), (i, j+2), (i+2, j), (i+2, j+2): 4 * x[i+1, j+1] = 4 * (5 (i+1) + j + 1)
    i, j = np.mgrid[0:3, 0:3]
    assert np.array_equal(y[0, 0], 24 + 20 * i + 4 * j)


def test_conv2d_two_channels_two_filters_by_hand():
    x = np.stack([IMAGE, 10 * IMAGE])[None]              # (1, 2, 3, 3)
    w = np.zeros((2, 2, 1, 1))
    w[0, 0] = 1.0                                         # filter 0: channel 0
    w[1, 0], w[1, 1] = 1.0, -0.1                          # filter 1: channel 0 - channel 1 / 10
    y = conv2d(x, w)
    assert np.array_equal(y[0, 0], IMAGE)
    assert np.allclose(y[0, 1], 0.0)


# --------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------

def test_identity_kernel_returns_input(layout):
    x = rng().standard_normal((3, 4, 6, 5))
    w = np.zeros((4, 4, 3, 3))
    for c in range(4):
        w[c, c, 1, 1] = 1.0
    assert np.array_equal(conv2d(x, w, padding=1), x)
    assert np.array_equal(conv2d(x, w, padding="same"), x)


def test_one_by_one_kernel_is_a_matmul_over_channels(layout):
    x = rng().standard_normal((2, 3, 4, 5))
    w = rng(1).standard_normal((6, 3, 1, 1))
    expected = np.einsum("fc,nchw->nfhw", w[:, :, 0, 0], x)
    assert rel_error(conv2d(x, w), expected) < 1e-12


def test_conv2d_is_linear_in_x_and_in_w(layout):
    r = rng()
    x1, x2 = r.standard_normal((2, 2, 2, 7, 6))
    w1, w2 = r.standard_normal((2, 3, 2, 3, 2))
    kw = dict(stride=2, padding=1, dilation=(1, 2))
    lhs = conv2d(2.0 * x1 - 3.0 * x2, w1, **kw)
    assert np.allclose(lhs, 2.0 * conv2d(x1, w1, **kw) - 3.0 * conv2d(x2, w1, **kw))
    lhs = conv2d(x1, 0.5 * w1 + 4.0 * w2, **kw)
    assert np.allclose(lhs, 0.5 * conv2d(x1, w1, **kw) + 4.0 * conv2d(x1, w2, **kw))


def test_images_of_a_batch_are_independent(layout):
    x = rng().standard_normal((9, 2, 6, 6))
    w = rng(1).standard_normal((3, 2, 3, 3))
    y = conv2d(x, w, padding="same")
    for n in (0, 4, 8):
        assert np.allclose(y[n], conv2d(x[n:n + 1], w, padding="same")[0])


@pytest.mark.parametrize("mode", ["valid", "same", "full"])
@pytest.mark.parametrize("kshape", [(3, 3), (2, 4), (1, 2)], ids=lambda s: f"k{s[0]}x{s[1]}")
def test_convolve_is_correlate_with_the_kernel_turned(mode, kshape):
    image = rng().standard_normal((6, 7))
    kernel = rng(1).standard_normal(kshape)
    assert np.allclose(convolve2d(image, kernel, mode),
                       correlate2d(image, kernel[::-1, ::-1], mode))
    assert not np.allclose(convolve2d(image, kernel, mode), correlate2d(image, kernel, mode))


@pytest.mark.parametrize("mode", ["valid", "same", "full"])
@pytest.mark.parametrize("kshape", [(3, 3), (2, 4), (5, 1)], ids=lambda s: f"k{s[0]}x{s[1]}")
def test_single_channel_fast_equals_naive(mode, kshape):
    image = rng().standard_normal((6, 7))
    kernel = rng(1).standard_normal(kshape)
    assert rel_error(correlate2d(image, kernel, mode),
                     correlate2d_naive(image, kernel, mode)) < 1e-12
    assert rel_error(convolve2d(image, kernel, mode),
                     convolve2d_naive(image, kernel, mode)) < 1e-12


def test_correlate2d_is_conv2d_on_one_channel():
    image = rng().standard_normal((6, 7))
    kernel = rng(1).standard_normal((3, 2))
    assert np.array_equal(correlate2d(image, kernel, "same"),
                          conv2d(image[None, None], kernel[None, None], padding="same")[0, 0])


def test_non_contiguous_inputs(layout):
    x = rng().standard_normal((3, 6, 9, 12))[:, ::2, ::-1, ::2]     # (3, 3, 9, 6), odd strides
    w = rng(1).standard_normal((3, 4, 3, 3)).transpose(1, 0, 2, 3)   # (4, 3, 3, 3), not contiguous
    assert not x.flags.c_contiguous and not w.flags.c_contiguous
    y = conv2d(x, w, stride=(2, 1), padding=1)
    assert rel_error(y, conv2d_naive(np.ascontiguousarray(x), np.ascontiguousarray(w),
                                     stride=(2, 1), padding=1)) < 1e-12
    dy = rng(2).standard_normal(y.shape)[..., ::-1]
    for got, want in zip(conv2d_backward(dy, x, w, stride=(2, 1), padding=1),
                         conv2d_backward_naive(dy, x, w, stride=(2, 1), padding=1)):
        assert rel_error(got, want) < 1e-12


@pytest.mark.parametrize("x_shape, w_shape", [((0, 2, 5, 5), (3, 2, 3, 3)),
                                              ((9, 2, 5, 5), (0, 2, 3, 3)),
                                              ((9, 0, 5, 5), (3, 0, 3, 3))],
                         ids=["empty-batch", "no-filters", "no-channels"])
def test_empty_axes_give_empty_or_zero_results(x_shape, w_shape):
    x, w = np.ones(x_shape), np.ones(w_shape)
    y = conv2d(x, w)
    assert y.shape == (x_shape[0], w_shape[0], 3, 3) and np.all(y == 0)
    dx, dw, db = conv2d_backward(np.ones(y.shape), x, w)
    assert dx.shape == x_shape and dw.shape == w_shape and db.shape == (w_shape[0],)
    assert np.all(dx == 0) and np.all(dw == 0)


def test_nan_is_allowed_and_stays_in_its_windows(layout):
    x = np.ones((1, 1, 5, 5))
    x[0, 0, 0, 0] = np.nan
    y = conv2d(x, np.ones((1, 1, 3, 3)))
    assert np.isnan(y[0, 0, 0, 0]) and np.isnan(y).sum() == 1
    assert np.array_equal(y, conv2d_naive(x, np.ones((1, 1, 3, 3))), equal_nan=True)


# --------------------------------------------------------------------------
# im2col / col2im
# --------------------------------------------------------------------------

def test_im2col_layout_is_as_documented():
    x = rng().standard_normal((2, 3, 6, 7))
    kh, kw, (sh, sw), (dh, dw), p = 2, 3, (2, 1), (1, 2), 1
    cols = im2col(x, kh, kw, stride=(sh, sw), padding=p, dilation=(dh, dw))
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    oh, ow = conv_output_size(6, kh, sh, p, dh), conv_output_size(7, kw, sw, p, dw)
    assert cols.shape == (3 * kh * kw, 2 * oh * ow)
    for n, c, u, v, i, j in itertools.product(range(2), range(3), range(kh), range(kw),
                                             range(oh), range(ow)):
        assert cols[(c * kh + u) * kw + v, (n * oh + i) * ow + j] == xp[n, c, sh * i + dh * u,
                                                                          sw * j + dw * v]


def test_conv2d_is_one_matmul_with_im2col():
    x = rng().standard_normal((2, 3, 6, 7))
    w = rng(1).standard_normal((4, 3, 3, 2))
    y = (w.reshape(4, -1) @ im2col(x, 3, 2, padding=1)).reshape(4, 2, 6, 8).transpose(1, 0, 2, 3)
    assert rel_error(y, conv2d_naive(x, w, padding=1)) < 1e-12


def test_col2im_counts_overlapping_windows():
    x_shape = (1, 1, 4, 4)
    counts = col2im(np.ones((9, 4)), x_shape, 3, 3)
    assert np.array_equal(counts[0, 0], [[1, 2, 2, 1], [2, 4, 4, 2], [2, 4, 4, 2], [1, 2, 2, 1]])


@pytest.mark.parametrize("stride, padding, dilation", [
    (1, 0, 1), (2, 1, 1), ((1, 3), "same", (2, 1)), (3, 2, 2)])
def test_col2im_is_the_adjoint_of_im2col(stride, padding, dilation):
    x = rng().standard_normal((2, 3, 8, 7))
    cols = im2col(x, 3, 2, stride, padding, dilation)
    c = rng(1).standard_normal(cols.shape)
    lhs = np.sum(cols * c)
    rhs = np.sum(x * col2im(c, x.shape, 3, 2, stride, padding, dilation))
    assert abs(lhs - rhs) < 1e-10 * max(1.0, abs(lhs))


# --------------------------------------------------------------------------
# Fast == naive over a grid of geometries (forward and backward)
# --------------------------------------------------------------------------

KERNELS = [(1, 1), (2, 3), (3, 3), (4, 2), (5, 5)]
STRIDES = [1, 2, 3]
PADDINGS = [0, 1, 2, (2, 0), "valid", "same"]
DILATIONS = [1, 2]
SIZES = [(7, 9), (8, 6), (9, 11), (6, 7)]


def _grid():
    for idx, (k, s, p, d) in enumerate(itertools.product(KERNELS, STRIDES, PADDINGS, DILATIONS)):
        # batch, channels, filters and image size cycle with different periods
        n, c, f = 1 + idx % 3, 1 + (idx // 2) % 4, 1 + (idx // 5) % 3
        h, w = SIZES[(idx // 7) % len(SIZES)]
        pid = p if isinstance(p, str) else f"{p[0]},{p[1]}" if isinstance(p, tuple) else p
        case_id = f"k{k[0]}x{k[1]}-s{s}-p{pid}-d{d}-n{n}c{c}f{f}-{h}x{w}"
        yield pytest.param((n, c, h, w), (f, c) + k, s, p, d, id=case_id)
    # pairs for stride and dilation
    for shape, wshape, s, p, d in [
        ((2, 2, 8, 9), (3, 2, 3, 2), (2, 1), (1, 0), (1, 2)),
        ((1, 3, 9, 7), (2, 3, 2, 2), (1, 3), "same", (2, 1)),
        ((3, 1, 6, 10), (2, 1, 3, 4), (3, 2), "same", 1),
    ]:
        yield pytest.param(shape, wshape, s, p, d, id=f"pairs-s{s}-p{p}-d{d}".replace(" ", ""))


def _geometry_fits(x_shape, w_shape, stride, padding, dilation):
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    dh, dw = (dilation, dilation) if isinstance(dilation, int) else dilation
    t, b, l, r = resolve_padding(padding, x_shape[2:], w_shape[2:], stride, dilation)
    return ((x_shape[2] + t + b) - dh * (w_shape[2] - 1) - 1 >= 0
            and (x_shape[3] + l + r) - dw * (w_shape[3] - 1) - 1 >= 0)


GRID = list(_grid())
FITS = [case for case in GRID if _geometry_fits(*case.values)]
DOES_NOT_FIT = [case for case in GRID if not _geometry_fits(*case.values)]


def test_the_grid_has_both_kinds_of_geometry():
    assert len(FITS) > 150 and len(DOES_NOT_FIT) > 5, (len(FITS), len(DOES_NOT_FIT))


@pytest.mark.parametrize("x_shape, w_shape, stride, padding, dilation", DOES_NOT_FIT)
def test_a_kernel_that_does_not_fit_is_refused(x_shape, w_shape, stride, padding, dilation):
    for op in (conv2d, conv2d_naive):          # refused, not silently wrong
        with pytest.raises(ValueError, match="does not fit"):
            op(np.zeros(x_shape), np.zeros(w_shape), stride=stride, padding=padding,
               dilation=dilation)


@pytest.mark.parametrize("x_shape, w_shape, stride, padding, dilation", FITS)
def test_fast_equals_naive(x_shape, w_shape, stride, padding, dilation, monkeypatch):
    r = rng(sum(x_shape) + sum(w_shape))
    x = r.standard_normal(x_shape)
    w = r.standard_normal(w_shape)
    b = r.standard_normal(w_shape[0])
    geo = dict(stride=stride, padding=padding, dilation=dilation)

    y_naive = conv2d_naive(x, w, b, **geo)
    dy = r.standard_normal(y_naive.shape)
    grads_naive = conv2d_backward_naive(dy, x, w, **geo)
    # output size follows the formula, per axis
    sh, sw = (stride, stride) if isinstance(stride, int) else stride
    dh, dw = (dilation, dilation) if isinstance(dilation, int) else dilation
    ph, pw = (padding, padding) if isinstance(padding, (int, str)) else padding
    assert y_naive.shape[2:] == (conv_output_size(x_shape[2], w_shape[2], sh, ph, dh),
                                 conv_output_size(x_shape[3], w_shape[3], sw, pw, dw))
    for name, batch_last in LAYOUTS.items():
        monkeypatch.setattr(conv, "_batch_last", lambda n, g, bl=batch_last: bl)
        assert rel_error(conv2d(x, w, b, **geo), y_naive) < 1e-10, name
        for got, want, what in zip(conv2d_backward(dy, x, w, **geo), grads_naive,
                                   "dx dw db".split()):
            assert got.shape == want.shape
            assert rel_error(got, want) < 1e-10, f"{what} ({name})"


# --------------------------------------------------------------------------
# Gradient checks (float64, tiny shapes)
# --------------------------------------------------------------------------

GRAD_CASES = [
    pytest.param((2, 2, 5, 6), (3, 2, 3, 3), 1, 0, 1, id="plain"),
    pytest.param((2, 2, 7, 6), (3, 2, 3, 3), 2, 1, 1, id="stride2-pad1"),
    pytest.param((1, 3, 7, 7), (2, 3, 3, 2), 1, 2, 2, id="dilation2-pad2"),
    pytest.param((2, 1, 6, 5), (2, 1, 2, 4), 1, "same", 1, id="same-even-kernel"),
    pytest.param((2, 2, 7, 8), (2, 2, 3, 3), 2, "same", 1, id="same-stride2"),
    pytest.param((1, 2, 8, 7), (2, 2, 2, 3), (2, 1), (1, 0), (1, 2), id="pairs"),
]


@pytest.mark.parametrize("x_shape, w_shape, stride, padding, dilation", GRAD_CASES)
def test_gradients_match_numerical(x_shape, w_shape, stride, padding, dilation, layout):
    r = rng(1)
    x = r.standard_normal(x_shape)
    w = r.standard_normal(w_shape)
    b = r.standard_normal(w_shape[0])
    geo = dict(stride=stride, padding=padding, dilation=dilation)
    dy = r.standard_normal(conv2d(x, w, b, **geo).shape)
    dx, dw, db = conv2d_backward(dy, x, w, **geo)

    def f():
        return conv2d(x, w, b, **geo)

    for name, param, grad in (("x", x, dx), ("w", w, dw), ("b", b, db)):
        result = check_gradient(f, param, grad, df=dy, name=name)
        assert result.passed, str(result)


def test_naive_backward_matches_numerical():
    r = rng(2)
    x, w = r.standard_normal((1, 2, 6, 5)), r.standard_normal((2, 2, 3, 2))
    geo = dict(stride=2, padding="same", dilation=(2, 1))
    dy = r.standard_normal(conv2d_naive(x, w, **geo).shape)
    dx, dw, _ = conv2d_backward_naive(dy, x, w, **geo)
    assert check_gradient(lambda: conv2d_naive(x, w, **geo), x, dx, df=dy).passed
    assert check_gradient(lambda: conv2d_naive(x, w, **geo), w, dw, df=dy).passed


def test_gradient_check_catches_wrong_backwards():
    """A check that cannot fail proves nothing: break the backward and watch it fail."""
    r = rng(3)
    x, w = r.standard_normal((2, 2, 6, 6)), r.standard_normal((3, 2, 3, 3))
    dy = r.standard_normal(conv2d(x, w, padding=1).shape)
    dx, dw, _ = conv2d_backward(dy, x, w, padding=1)

    def f():
        return conv2d(x, w, padding=1)

    # dx from the kernel *not* turned by 180 degrees: correlate dy with w instead of convolving
    w_turned = w[:, :, ::-1, ::-1]
    dx_unflipped, _, _ = conv2d_backward(dy, x, w_turned, padding=1)
    wrong = {
        "dx with the kernel not flipped": (x, dx_unflipped),
        "dx shifted by one pixel": (x, np.roll(dx, 1, axis=3)),
        "dw turned by 180 degrees": (w, dw[:, :, ::-1, ::-1]),
    }
    for what, (param, grad) in wrong.items():
        result = check_gradient(f, param, grad, df=dy)
        assert not result.passed and result.error > 1e-2, what
    assert check_gradient(f, x, dx, df=dy).passed          # and the right one passes


# --------------------------------------------------------------------------
# dtypes
# --------------------------------------------------------------------------

def test_float32_stays_float32_and_agrees_with_float64(layout):
    r = rng(4)
    x, w, b = (r.standard_normal((9, 3, 10, 9)), r.standard_normal((4, 3, 3, 3)),
               r.standard_normal(4))
    geo = dict(stride=1, padding="same", dilation=1)
    y64 = conv2d(x, w, b, **geo)
    dy = r.standard_normal(y64.shape)
    y32 = conv2d(x.astype(np.float32), w.astype(np.float32), b.astype(np.float32), **geo)
    assert y32.dtype == np.float32
    assert np.max(np.abs(y32 - y64)) < 1e-5 * np.max(np.abs(y64))
    grads32 = conv2d_backward(dy.astype(np.float32), x.astype(np.float32),
                              w.astype(np.float32), **geo)
    for g32, g64 in zip(grads32, conv2d_backward(dy, x, w, **geo)):
        assert g32.dtype == np.float32
        assert np.max(np.abs(g32 - g64)) < 1e-5 * np.max(np.abs(g64))


def test_dtype_follows_x():
    x32 = np.ones((1, 1, 4, 4), dtype=np.float32)
    w64 = np.ones((2, 1, 3, 3))
    assert conv2d(x32, w64).dtype == np.float32                        # w is cast, no upcast
    assert all(g.dtype == np.float32 for g in conv2d_backward(np.ones((1, 2, 2, 2)), x32, w64))
    assert conv2d(np.ones((1, 1, 4, 4), dtype=int), w64).dtype == np.float64
    assert correlate2d(np.ones((4, 4), dtype=np.float32), np.ones((2, 2))).dtype == np.float32
    assert im2col(x32, 2, 2).dtype == np.float32


# --------------------------------------------------------------------------
# Errors: the bad call, the exception type, the words the reader sees
# --------------------------------------------------------------------------

X = np.zeros((2, 1, 5, 5))
W = np.zeros((4, 1, 3, 3))

CONV2D_ERRORS = [
    pytest.param(dict(x=np.zeros((1, 5, 5))), ValueError,
                 r"x must be a 4-D array \(N, C, H, W\), got shape \(1, 5, 5\)", id="x-ndim"),
    pytest.param(dict(w=np.zeros((4, 3, 3))), ValueError,
                 r"w must be a 4-D array \(F, C, KH, KW\), got shape \(4, 3, 3\)", id="w-ndim"),
    pytest.param(dict(w=np.zeros((4, 3, 3, 3))), ValueError,
                 r"w has 3 input channels but x has 1: "
                 r"w must be \(F, C, KH, KW\) with C = x.shape\[1\]",
                 id="channels"),
    pytest.param(dict(b=np.zeros(3)), ValueError,
                 r"b must have shape \(F,\) = \(4,\) to match w of shape \(4, 1, 3, 3\), "
                 r"got \(3,\)",
                 id="b-shape"),
    pytest.param(dict(stride=0), ValueError,
                 r"stride must be a positive int or \(h, w\) pair, got 0", id="stride-0"),
    pytest.param(dict(stride=1.5), TypeError,
                 r"stride must be a positive int or \(h, w\) pair, got 1.5", id="stride-float"),
    pytest.param(dict(dilation=(1, 0)), ValueError,
                 r"dilation must be a positive int or \(h, w\) pair, got \(1, 0\)",
                 id="dilation-0"),
    pytest.param(dict(padding=-1), ValueError,
                 r"padding must be a non-negative int, an \(h, w\) pair, "
                 r"'valid' or 'same', got -1",
                 id="padding-negative"),
    pytest.param(dict(padding="full"), ValueError,
                 r"padding must be .*'valid' or 'same', got 'full'", id="padding-unknown-string"),
    pytest.param(dict(padding=1.0), TypeError, r"padding must be a non-negative int, .* got 1.0",
                 id="padding-float"),
    pytest.param(dict(w=np.zeros((1, 1, 7, 7))), ValueError,
                 r"kernel 7x7 does not fit a 5x5 input with padding 0: the padded input is 5x5, "
                 r"the kernel needs at least 7x7", id="kernel-too-big"),
    pytest.param(dict(w=np.zeros((1, 1, 8, 4)), padding=1), ValueError,
                 r"kernel 8x4 does not fit a 5x5 input with padding 1: the padded input is 7x7",
                 id="kernel-too-big-padded"),
    pytest.param(dict(w=np.zeros((1, 1, 3, 7)), padding=(1, 0)), ValueError,
                 r"kernel 3x7 does not fit a 5x5 input with padding \(1, 0\): "
                 r"the padded input is 7x5",
                 id="kernel-too-big-pair-padding"),
    pytest.param(dict(dilation=3), ValueError,
                 r"kernel 3x3 with dilation 3 \(extent 7x7\) does not fit a 5x5 input",
                 id="dilated-kernel-too-big"),
    pytest.param(dict(w=np.zeros((1, 1, 0, 3))), ValueError,
                 r"w must have a kernel of at least 1x1", id="empty-kernel"),
    pytest.param(dict(x=np.zeros((1, 1, 0, 5))), ValueError,
                 r"x must have at least one row and one column, got H x W = 0x5", id="empty-image"),
    pytest.param(dict(x=np.array([["a"]])), TypeError, r"x must be an array of real numbers",
                 id="x-strings"),
]


@pytest.mark.parametrize("fn", [conv2d, conv2d_naive], ids=["fast", "naive"])
@pytest.mark.parametrize("kwargs, exc, match", CONV2D_ERRORS)
def test_conv2d_errors(fn, kwargs, exc, match):
    args = dict(x=X, w=W, b=None)
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        fn(**args)


@pytest.mark.parametrize("fn", [conv2d_backward, conv2d_backward_naive], ids=["fast", "naive"])
def test_backward_checks_dy_shape(fn):
    with pytest.raises(ValueError, match=r"dy must have the shape of conv2d's output "
                                         r"\(N, F, OH, OW\) = \(2, 4, 3, 3\), got \(2, 4, 3, 2\)"):
        fn(np.zeros((2, 4, 3, 2)), X, W)


@pytest.mark.parametrize("fn", [conv2d_backward, conv2d_backward_naive], ids=["fast", "naive"])
def test_backward_checks_channels(fn):
    with pytest.raises(ValueError, match="w has 2 input channels but x has 1"):
        fn(np.zeros((2, 4, 3, 3)), X, np.zeros((4, 2, 3, 3)))


@pytest.mark.parametrize("fn", [correlate2d, convolve2d, correlate2d_naive, convolve2d_naive],
                         ids=lambda f: f.__name__)
@pytest.mark.parametrize("args, match", [
    ((np.zeros((1, 5, 5)), np.ones((3, 3))),
     r"image must be a 2-D array \(H, W\), got shape \(1, 5, 5\)"),
    ((np.zeros((5, 5)), np.ones(3)), r"kernel must be a 2-D array \(KH, KW\), got shape \(3,\)"),
    ((np.zeros((5, 5)), np.ones((3, 3)), "circular"),
     r"mode must be 'valid', 'same' or 'full', got 'circular'"),
    ((np.zeros((3, 5)), np.ones((4, 3))),
     r"kernel 4x3 does not fit a 3x5 image in mode 'valid'; use mode='same' or mode='full'"),
    ((np.zeros((3, 5)), np.ones((0, 3)), "full"), r"image and kernel must not be empty"),
], ids=["image-ndim", "kernel-ndim", "mode", "too-big", "empty"])
def test_single_channel_errors(fn, args, match):
    with pytest.raises(ValueError, match=match):
        fn(*args)


def test_large_kernel_is_fine_when_padded():
    assert correlate2d(np.ones((3, 5)), np.ones((4, 3)), "full").shape == (6, 7)
    assert correlate2d(np.ones((3, 5)), np.ones((4, 3)), "same").shape == (3, 5)


def test_im2col_col2im_errors():
    with pytest.raises(ValueError, match=r"x must be a 4-D array \(N, C, H, W\)"):
        im2col(np.zeros((5, 5)), 3, 3)
    with pytest.raises(ValueError, match=r"kh must be a positive int, got 0"):
        im2col(X, 0, 3)
    with pytest.raises(ValueError, match=r"kernel 6x6 does not fit a 5x5 input with padding 0"):
        im2col(X, 6, 6)
    with pytest.raises(ValueError,
                       match=r"cols must have shape \(C\*KH\*KW, N\*OH\*OW\) = \(9, 18\) "
                             r"for x_shape \(2, 1, 5, 5\), got \(9, 16\)"):
        col2im(np.zeros((9, 16)), X.shape, 3, 3)
    with pytest.raises(ValueError,
                       match=r"x_shape must be a tuple \(N, C, H, W\) of non-negative ints, "
                             r"got \(5, 5\)"):
        col2im(np.zeros((9, 18)), (5, 5), 3, 3)


# ---------------------------------------------------------------- the cache
@pytest.mark.parametrize("n, stride", [(2, (2, 1)), (16, 1)], ids=["rows-layout", "batch-layout"])
def test_backward_reuses_the_forward_window_matrix(n, stride, monkeypatch):
    rng = np.random.default_rng(7)
    x = rng.standard_normal((n, 3, 9, 8))
    w = rng.standard_normal((4, 3, 3, 2))
    cache = {}
    y = conv.conv2d(x, w, stride=stride, padding=1, cache=cache)
    assert cache["x"] is x and cache["batch_last"] == (n == 16)
    dy = rng.standard_normal(y.shape)
    expected = conv.conv2d_backward(dy, x, w, stride=stride, padding=1)
    built = []
    original = conv._cols
    monkeypatch.setattr(conv, "_cols", lambda *a: built.append(1) or original(*a))
    got = conv.conv2d_backward(dy, x, w, stride=stride, padding=1, cache=cache)
    assert built == []  # the forward's matrix was reused
    for g, e in zip(got, expected):
        np.testing.assert_array_equal(g, e)


def test_backward_ignores_a_cache_from_another_input_or_geometry():
    rng = np.random.default_rng(8)
    x = rng.standard_normal((2, 1, 6, 6))
    w = rng.standard_normal((2, 1, 3, 3))
    cache = {}
    conv.conv2d(x, w, cache=cache)
    other = x + 1.0
    dy = rng.standard_normal((2, 2, 6, 6))  # the output size with padding 1
    for args, kwargs in [((dy, other, w), {"padding": 1}), ((dy, x, w), {"padding": 1})]:
        got = conv.conv2d_backward(*args, cache=cache, **kwargs)
        expected = conv.conv2d_backward_naive(*args, **kwargs)
        for g, e in zip(got, expected):
            np.testing.assert_allclose(g, e, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("shape, fshape, stride, padding", [
    ((32, 1, 28, 28), (8, 1, 3, 3), 1, 0),          # rows of 26: image-first layout
    ((16, 4, 9, 9), (6, 4, 3, 3), 1, "same"),       # short rows: batch-last layout
    ((3, 2, 7, 8), (4, 2, 2, 3), 2, 1),
])
def test_backward_without_input_grad_gives_the_same_dw_db(shape, fshape, stride, padding):
    rng = np.random.default_rng(40)
    x = rng.standard_normal(shape).astype(np.float32)
    w = rng.standard_normal(fshape).astype(np.float32)
    cache = {}
    y = conv2d(x, w, None, stride, padding, cache=cache)
    dy = rng.standard_normal(y.shape).astype(np.float32)
    dx, dw, db = conv2d_backward(dy, x, w, stride, padding, cache=cache)
    none, dw2, db2 = conv2d_backward(dy, x, w, stride, padding, cache=cache, input_grad=False)
    assert none is None and dx is not None
    np.testing.assert_array_equal(dw2, dw)          # bit for bit
    np.testing.assert_array_equal(db2, db)
