"""cnnedu.samples: the small inputs the chapters and explorers share."""
import numpy as np
import pytest

from cnnedu import samples
from cnnedu.data import load_digits, load_sample_image
from cnnedu.kernels import get_kernel
from cnnedu.ops.conv import correlate2d


@pytest.fixture(scope="module")
def test_digits():
    return load_digits("test", dtype="float64")[0]


# ------------------------------------------------------------------ digits
def test_digit_is_a_float64_copy_of_the_shipped_digit(test_digits):
    d = samples.digit(1)
    assert d.shape == (28, 28) and d.dtype == np.float64
    np.testing.assert_array_equal(d, test_digits[1, 0])
    d[:] = 5                                           # a copy: the next call is unchanged
    np.testing.assert_array_equal(samples.digit(1), test_digits[1, 0])


def test_digit_crop_and_split():
    X, y = load_digits("train", dtype="float64")
    crop = samples.digit(0, "train", top=4, left=9, size=10)
    assert crop.shape == (10, 10) and y[0] == 2
    np.testing.assert_array_equal(crop, X[0, 0, 4:14, 9:19])
    np.testing.assert_array_equal(samples.digit(3, "train", top=20, left=5), X[3, 0, 20:, 5:])


def test_digits_batch(test_digits):
    batch = samples.digits(4, size=12)
    assert batch.shape == (4, 1, 12, 12) and batch.dtype == np.float64
    np.testing.assert_array_equal(batch, test_digits[:4, :, :12, :12])
    assert samples.digits(8, "train").shape == (8, 1, 28, 28)


@pytest.mark.parametrize("call, error, match", [
    (lambda: samples.digit(-1), ValueError, "index must be an int >= 0, got -1"),
    (lambda: samples.digit(2000), ValueError, r"index must be an int in 0\.\.1999, got 2000"),
    (lambda: samples.digit(2.0), TypeError, r"index must be an int, got 2\.0 \(float\)"),
    (lambda: samples.digit(0, "valid"), ValueError, "split must be 'train' or 'test'"),
    (lambda: samples.digit(0, top=20, size=10), ValueError,
     r"top \+ size must be at most 28 \(the digit is 28x28\), got top=20, size=10"),
    (lambda: samples.digit(0, left=28), ValueError,
     r"left must be less than 28 \(the digit is 28x28\), got left=28"),
    (lambda: samples.digit(0, size=0), ValueError, "size must be a positive int, got 0"),
    (lambda: samples.digits(0), ValueError, "n must be a positive int, got 0"),
    (lambda: samples.digits(2001), ValueError,
     r"n must be at most 2000 digits \(the test split\), got 2001"),
], ids=["negative", "too-large", "float", "split", "crop-too-low", "left-outside", "size-zero",
        "no-digits", "too-many-digits"])
def test_digit_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


# ------------------------------------------------------------------ edge maps
def test_sobel_x_by_hand():
    # brightness steps up from left to right: the response is positive, 4 per unit step
    image = np.tile(np.array([0.0, 0.0, 1.0, 1.0]), (3, 1))
    np.testing.assert_array_equal(samples.edge_map(image), [[4.0, 4.0]])
    np.testing.assert_array_equal(samples.edge_map(image[:, ::-1]), [[-4.0, -4.0]])
    np.testing.assert_array_equal(samples.SOBEL_X, [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    assert not samples.SOBEL_X.flags.writeable


def test_edge_map_of_a_digit(test_digits):
    z = samples.edge_map(samples.digit(0))
    assert z.shape == (26, 26) and z.dtype == np.float64
    np.testing.assert_array_equal(z, correlate2d(test_digits[0, 0], get_kernel("sobel_x")))
    assert z.min() < -1 < 1 < z.max()
    assert np.all(z[-3:] == 0)            # no ink near the bottom border: no edges


def test_edge_map_crop_is_the_pooling_chapters_map(test_digits):
    m = samples.edge_map(samples.digit(1), top=7, left=6, size=16)
    full = correlate2d(test_digits[1, 0], get_kernel("sobel_x"))
    assert m.shape == (16, 16)
    np.testing.assert_array_equal(m, full[7:23, 6:22])
    assert m.min() < -3 and m.max() > 3          # strong edges of both signs: a stroke


def test_edge_map_other_kernels(test_digits):
    m = samples.edge_map(samples.digit(5), "sobel_y", top=0, left=10, size=12)
    np.testing.assert_array_equal(m, correlate2d(test_digits[5, 0], get_kernel("sobel_y"))
                                  [0:12, 10:22])
    box = np.ones((2, 4))
    assert samples.edge_map(np.ones((5, 5)), box).shape == (4, 2)


def test_edge_map_of_the_photo_keeps_its_dtype():
    photo = load_sample_image(downsample=4, dtype="float32")
    z = samples.edge_map(photo)
    assert z.dtype == np.float32 and z.shape == (148, 126)
    assert samples.edge_map(np.ones((4, 4), dtype=int)).dtype == np.float64


@pytest.mark.parametrize("call, error, match", [
    (lambda: samples.edge_map(np.ones((2, 5))), ValueError,
     r"image must be at least as large as the 3x3 kernel, got shape \(2, 5\)"),
    (lambda: samples.edge_map(np.ones(9)), ValueError,
     r"image must be a 2-D array \(H, W\), got shape \(9,\)"),
    (lambda: samples.edge_map(np.ones((5, 5)), "blur"), ValueError, "unknown kernel 'blur'"),
    (lambda: samples.edge_map(np.ones((5, 5)), np.ones(3)), ValueError,
     r"kernel must be a 2-D array \(KH, KW\)"),
    (lambda: samples.edge_map(samples.digit(1), top=12, size=16), ValueError,
     r"top \+ size must be at most 26 \(the edge map is 26x26\), got top=12, size=16"),
    (lambda: samples.edge_map(samples.digit(1), left=-1), ValueError,
     "left must be an int >= 0, got -1"),
], ids=["too-small", "1-D", "unknown-kernel", "1-D-kernel", "crop-too-low", "negative-left"])
def test_edge_map_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()


# ------------------------------------------------------------------ photo crops
def test_photo_crops():
    photo = load_sample_image(gray=True, downsample=4)
    crops = samples.photo_crops()
    assert crops.shape == (8, 1, 28, 28) and crops.dtype == np.float64
    for crop, (r, c) in zip(crops[:, 0], samples.PHOTO_CROPS):
        np.testing.assert_array_equal(crop, photo[r:r + 28, c:c + 28])
    assert samples.photo_crops(2, size=30).shape == (2, 1, 30, 30)


@pytest.mark.parametrize("kwargs, match", [
    (dict(n=9), "n must be at most 8 photo crops, got 9"),
    (dict(n=0), "n must be a positive int, got 0"),
    (dict(size=31), r"size must be at most 30 \(every crop must fit the 150x128 photo\), got 31"),
])
def test_photo_crops_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        samples.photo_crops(**kwargs)
