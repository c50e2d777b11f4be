"""cnnedu.kernels: the preset kernels do what their descriptions say."""
import numpy as np
import pytest

from cnnedu.ops.conv import correlate2d
from cnnedu.kernels import KERNEL_DESCRIPTIONS, describe_kernel, format_kernel, \
    gaussian_kernel, get_kernel, kernel_names, parse_kernel

NAMES = kernel_names()
BLURS = ["box_blur_3x3", "box_blur_5x5", "gaussian_3x3", "gaussian_5x5"]
EDGES = ["sobel_x", "sobel_y", "prewitt_x", "prewitt_y", "laplacian_4", "laplacian_8"]


def test_every_preset_is_listed_and_described():
    assert NAMES == ["identity", "box_blur_3x3", "box_blur_5x5", "gaussian_3x3", "gaussian_5x5",
                     "sharpen", "sobel_x", "sobel_y", "prewitt_x", "prewitt_y",
                     "laplacian_4", "laplacian_8"]
    assert set(KERNEL_DESCRIPTIONS) == set(NAMES)
    for name in NAMES:
        w = get_kernel(name)
        assert w.dtype == np.float64 and w.ndim == 2
        assert w.shape == ((5, 5) if name.endswith("5x5") else (3, 3))
        assert describe_kernel(name) == KERNEL_DESCRIPTIONS[name]


def test_get_kernel_returns_a_fresh_copy():
    w = get_kernel("sobel_x")
    w[0, 0] = 100.0
    assert get_kernel("sobel_x")[0, 0] == -1.0


@pytest.mark.parametrize("call", [get_kernel, describe_kernel], ids=["get", "describe"])
@pytest.mark.parametrize("bad", ["sobel", "Sobel_x", 3, None])
def test_unknown_name_lists_the_presets(call, bad):
    with pytest.raises(ValueError, match=r"unknown kernel .*; the presets are: identity, "
                                         r"box_blur_3x3, .*laplacian_8"):
        call(bad)


def test_hand_written_values():
    np.testing.assert_array_equal(get_kernel("sobel_x"), [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    np.testing.assert_array_equal(get_kernel("sobel_y"), [[-1, -2, -1], [0, 0, 0], [1, 2, 1]])
    np.testing.assert_array_equal(get_kernel("prewitt_y"), [[-1, -1, -1], [0, 0, 0], [1, 1, 1]])
    np.testing.assert_array_equal(get_kernel("sharpen"), [[0, -1, 0], [-1, 5, -1], [0, -1, 0]])
    np.testing.assert_array_equal(get_kernel("laplacian_8"), [[1, 1, 1], [1, -8, 1], [1, 1, 1]])
    np.testing.assert_allclose(get_kernel("gaussian_3x3") * 16, [[1, 2, 1], [2, 4, 2], [1, 2, 1]])
    np.testing.assert_allclose(get_kernel("gaussian_5x5")[2] * 256, [6, 24, 36, 24, 6])


@pytest.mark.parametrize("name", BLURS + ["identity", "sharpen"])
def test_blurs_identity_and_sharpen_keep_a_constant_image(name):
    x = np.full((7, 7), 0.6)
    np.testing.assert_allclose(correlate2d(x, get_kernel(name)), 0.6)


@pytest.mark.parametrize("name", EDGES)
def test_edge_detectors_give_zero_on_a_constant_image(name):
    np.testing.assert_allclose(correlate2d(np.full((6, 6), 0.3), get_kernel(name)), 0, atol=1e-12)


def test_identity_returns_the_image():
    x = np.random.default_rng(0).random((6, 5))
    np.testing.assert_array_equal(correlate2d(x, get_kernel("identity"), mode="same"), x)


@pytest.mark.parametrize("name, axis, per_step", [
    ("sobel_x", 1, 8.0), ("prewitt_x", 1, 6.0), ("sobel_y", 0, 8.0), ("prewitt_y", 0, 6.0)])
def test_first_derivative_kernels_are_positive_where_brightness_increases(name, axis, per_step):
    # brightness grows by 1 per pixel along `axis`: x-kernels see it across columns,
    # y-kernels down rows; the response is the sum of positive weights times 2 pixels
    ramp = np.add.outer(np.arange(6.0), np.zeros(6)) if axis == 0 else np.add.outer(
        np.zeros(6), np.arange(6.0))
    np.testing.assert_allclose(correlate2d(ramp, get_kernel(name)), per_step)
    other = get_kernel(name).T           # the kernel for the other direction sees nothing
    np.testing.assert_allclose(correlate2d(ramp, other), 0, atol=1e-12)


@pytest.mark.parametrize("name", ["laplacian_4", "laplacian_8"])
def test_laplacians_vanish_on_a_linear_ramp_but_not_on_a_corner(name):
    ramp = np.add.outer(2 * np.arange(6.0), 3 * np.arange(6.0))
    np.testing.assert_allclose(correlate2d(ramp, get_kernel(name)), 0, atol=1e-12)
    spike = np.zeros((3, 3))
    spike[1, 1] = 1.0
    assert correlate2d(spike, get_kernel(name))[0, 0] == get_kernel(name)[1, 1] < 0


def test_sharpen_is_identity_minus_laplacian():
    np.testing.assert_array_equal(get_kernel("sharpen"),
                                  get_kernel("identity") - get_kernel("laplacian_4"))


@pytest.mark.parametrize("name, variance", [("gaussian_3x3", 0.5), ("gaussian_5x5", 1.0)])
def test_binomial_presets_have_the_stated_spread(name, variance):
    w = get_kernel(name)
    k = w.shape[0]
    u = np.arange(k) - (k - 1) / 2
    assert np.isclose((w.sum(axis=1) * u ** 2).sum(), variance)


def test_gaussian_kernel_values():
    w = gaussian_kernel(3, 1.0)
    e = np.exp(-0.5)
    norm = (1 + 2 * e) ** 2
    np.testing.assert_allclose(w, np.outer([e, 1, e], [e, 1, e]) / norm)
    assert w.sum() == pytest.approx(1.0)


@pytest.mark.parametrize("size, sigma", [(1, 1.0), (5, 0.5), (7, 2.0), (9, 1.5)])
def test_gaussian_kernel_shape_symmetry_and_peak(size, sigma):
    w = gaussian_kernel(size, sigma)
    assert w.shape == (size, size)
    assert w.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(w, w.T)
    np.testing.assert_allclose(w, w[::-1, ::-1])
    assert w.argmax() == (size * size) // 2


def test_gaussian_kernel_gets_wider_with_sigma():
    assert gaussian_kernel(5, 2.0)[0, 0] > gaussian_kernel(5, 0.7)[0, 0]


@pytest.mark.parametrize("size, sigma, error, match", [
    (4, 1.0, ValueError, r"size must be an odd positive int \(so the kernel has a centre\), got 4"),
    (0, 1.0, ValueError, r"size must be an odd positive int .*got 0"),
    (3.0, 1.0, TypeError, r"size must be an odd positive int, got 3.0 \(float\)"),
    (3, 0.0, ValueError, r"sigma must be a positive number of pixels, got 0.0"),
    (3, -1, ValueError, r"sigma must be a positive number of pixels, got -1"),
    (3, float("nan"), ValueError, r"sigma must be a positive number of pixels, got nan"),
    (3, "1", ValueError, r"sigma must be a positive number of pixels, got '1'"),
], ids=["even", "zero", "float-size", "sigma-zero", "sigma-negative", "sigma-nan", "sigma-str"])
def test_gaussian_kernel_bad_arguments(size, sigma, error, match):
    with pytest.raises(error, match=match):
        gaussian_kernel(size, sigma)


# ------------------------------------------------------------ kernels as text
@pytest.mark.parametrize("name", kernel_names())
def test_format_then_parse_gives_back_every_preset_exactly(name):
    w = get_kernel(name)
    np.testing.assert_array_equal(parse_kernel(format_kernel(w)), w)


def test_format_kernel_writes_fractions_and_integers():
    assert format_kernel(get_kernel("box_blur_3x3")).splitlines()[0] == "1/9 1/9 1/9"
    assert format_kernel(get_kernel("sharpen")) == " 0 -1  0\n-1  5 -1\n 0 -1  0"
    assert format_kernel([[0.3, -0.25]]) == "  0.3 -0.25"      # aligned on the right
    assert format_kernel([[np.pi]]) == "3.14159"


@pytest.mark.parametrize("text, expected", [
    ("1 2 1\n0 0 0\n-1 -2 -1", [[1, 2, 1], [0, 0, 0], [-1, -2, -1]]),
    ("[[0, -1, 0], [-1, 5, -1], [0, -1, 0]]", [[0, -1, 0], [-1, 5, -1], [0, -1, 0]]),
    ("1/4, 1/4; 1/4, 1/4", [[0.25, 0.25], [0.25, 0.25]]),
    ("  1e-1  .5 \n\n 2.  -3 \n", [[0.1, 0.5], [2.0, -3.0]]),
    ("7", [[7]]),
], ids=["lines", "brackets", "semicolons-fractions", "spaces-and-blank-lines", "one-number"])
def test_parse_kernel(text, expected):
    np.testing.assert_array_equal(parse_kernel(text), expected)


@pytest.mark.parametrize("text, error, match", [
    ("", ValueError, "the kernel is empty: type one row of numbers per line"),
    (" \n , ", ValueError, "the kernel is empty"),
    ("1 2\n3", ValueError, "every row needs the same number of entries: row 1 has 2, row 2 has 1"),
    ("1 x 3", ValueError, r"row 1, entry 2: 'x' is not a number \(write numbers like 1, -0.5, "
                          r"2e-1 or 1/9\)"),
    ("1 2\n3 1/0", ValueError, r"row 2, entry 2: '1/0' divides by zero"),
    ("1 2 3 4 5 6 7 8", ValueError, "the kernel may be at most 7x7, got 1x8"),
    (None, TypeError, "text must be a str, got NoneType"),
], ids=["empty", "blank", "ragged", "word", "zero-division", "too-big", "not-str"])
def test_parse_kernel_errors(text, error, match):
    with pytest.raises(error, match=match):
        parse_kernel(text)
