"""Tests of cnnedu.nn.augment (shift_images, RandomShift) and of fit(..., augment=...)."""
import numpy as np
import pytest

from cnnedu.nn import Conv2D, Dense, Flatten
from cnnedu.nn.augment import RandomShift, shift_images
from cnnedu.nn.model import Sequential
from cnnedu.nn.optim import SGD


def shift_naive(x, dy, dx, fill=0.0):
    """One image (..., H, W), pixel by pixel: out[i, j] = x[i - dy, j - dx] or fill."""
    H, W = x.shape[-2:]
    out = np.empty_like(x)
    for i in range(H):
        for j in range(W):
            si, sj = i - dy, j - dx
            out[..., i, j] = x[..., si, sj] if 0 <= si < H and 0 <= sj < W else fill
    return out


def images(shape=(3, 2, 5, 6), seed=0, dtype=np.float64):
    # values in [1, 2): a filled pixel (0 or -7) is never mistaken for an image pixel
    return (1.0 + np.random.default_rng(seed).random(shape)).astype(dtype)


@pytest.mark.parametrize("dy, dx", [(0, 0), (1, 0), (0, -2), (2, 3), (-3, -1), (4, 5), (5, 0),
                                    (-9, 2)])
def test_one_shift_for_all_matches_the_loop(dy, dx):
    x = images()
    np.testing.assert_array_equal(shift_images(x, dy, dx), shift_naive(x, dy, dx))
    np.testing.assert_array_equal(shift_images(x, dy, dx, fill=-7.0),
                                  shift_naive(x, dy, dx, fill=-7.0))


def test_one_shift_per_image_matches_the_loop_image_by_image():
    x = images((6, 2, 5, 6))
    dy = np.array([0, 1, -2, 3, -4, 6])
    dx = np.array([2, -1, 0, -5, 3, 0])
    out = shift_images(x, dy, dx, fill=-7.0)
    for n in range(6):
        np.testing.assert_array_equal(out[n], shift_naive(x[n], dy[n], dx[n], fill=-7.0))


def test_a_shift_moves_the_content_and_fills_the_edges():
    x = np.zeros((1, 1, 5, 5))
    x[0, 0, 2, 2] = 1.0                         # one lit pixel in the centre
    out = shift_images(x, 1, -2)                # one down, two left
    assert out[0, 0, 3, 0] == 1.0 and out.sum() == 1.0
    y = images((1, 1, 4, 4))
    out = shift_images(y, -1, 2, fill=0.0)
    assert np.all(out[0, 0, -1, :] == 0) and np.all(out[0, 0, :, :2] == 0)   # no wrap-around
    np.testing.assert_array_equal(out[0, 0, :3, 2:], y[0, 0, 1:, :2])


def test_shift_images_keeps_shape_and_dtype_and_does_not_modify_x():
    x = images(dtype=np.float32)
    copy = x.copy()
    for dy, dx in [(1, 1), (np.array([1, 0, -1]), np.array([0, 2, 1]))]:
        out = shift_images(x, dy, dx)
        assert out.shape == x.shape and out.dtype == np.float32
        np.testing.assert_array_equal(x, copy)
    one = x[0, 0]                                # a single (H, W) image
    np.testing.assert_array_equal(shift_images(one, 2, -1), shift_naive(one, 2, -1))
    three = x[:, 0]                              # (N, H, W)
    np.testing.assert_array_equal(shift_images(three, np.array([1, 2, 0]), 0)[1],
                                  shift_naive(three[1], 2, 0))


@pytest.mark.parametrize("args, error, words", [
    ((np.ones(5), 1, 1), ValueError, "x must be images with at least 2 axes"),
    ((np.ones((3, 1, 4, 4)), 1.5, 0), TypeError, "dy must be an int or an array of ints"),
    ((np.ones((3, 1, 4, 4)), 0, np.array([1, 2])), ValueError,
     "dx must be an int or have one value per image, shape (3,), got shape (2,)"),
    ((np.ones((4, 4)), np.array([1]), 0), ValueError, "dy must be an int for a single"),
    ((np.ones((3, 1, 4, 4)), 0, 0, "black"), TypeError, "fill must be a finite number"),
    ((np.array(["a", "b"]), 0, 0), TypeError, "x must be an array of real numbers"),
])
def test_shift_images_bad_arguments(args, error, words):
    with pytest.raises(error) as info:
        shift_images(*args)
    assert words in str(info.value)


# ------------------------------------------------------------------ RandomShift
def test_random_shift_draws_shifts_in_range_and_applies_them():
    aug = RandomShift(2, seed=3)
    x = images((200, 1, 6, 6))
    out = aug(x)
    shifts = aug.last_shifts
    assert shifts.shape == (200, 2) and shifts.min() == -2 and shifts.max() == 2
    assert len({tuple(s) for s in shifts}) == 25          # all (2k+1)^2 shifts occur
    for n in range(0, 200, 17):
        np.testing.assert_array_equal(out[n], shift_naive(x[n], *shifts[n]))


def test_random_shift_is_deterministic_with_its_seed():
    x = images((16, 1, 6, 6))
    a, b, c = RandomShift(2, seed=0), RandomShift(2, seed=0), RandomShift(2, seed=1)
    first_a, first_b = a(x), b(x)
    np.testing.assert_array_equal(first_a, first_b)
    assert not np.array_equal(first_a, c(x))
    # the generator advances: the next batch gets new shifts, the same for both
    second_a = a(x)
    assert not np.array_equal(first_a, second_a)
    np.testing.assert_array_equal(second_a, b(x))
    expected = np.random.default_rng(0).integers(-2, 3, size=(16, 2))
    first_shifts = RandomShift(2, seed=0)
    first_shifts(x)
    np.testing.assert_array_equal(first_shifts.last_shifts, expected)


def test_random_shift_zero_is_the_identity_and_does_not_modify_x():
    x = images((4, 1, 5, 5))
    copy = x.copy()
    out = RandomShift(0, seed=0)(x)
    np.testing.assert_array_equal(out, x)
    assert out is not x
    RandomShift(3, seed=0)(x)
    np.testing.assert_array_equal(x, copy)


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(max_shift=-1), ValueError, "max_shift must be an int >= 0, got -1"),
    (dict(max_shift=1.5), TypeError, "max_shift must be an int"),
    (dict(seed=-2), TypeError, "seed must be a numpy.random.Generator, a non-negative int"),
    (dict(fill=None), TypeError, "fill must be a finite number"),
])
def test_random_shift_bad_arguments(kwargs, error, words):
    with pytest.raises(error) as info:
        RandomShift(**kwargs)
    assert words in str(info.value)


def test_random_shift_needs_a_batch():
    with pytest.raises(ValueError, match=r"x must be a batch of images \(N, C, H, W\)"):
        RandomShift(1)(np.ones((5, 5)))


# ------------------------------------------------------------------ fit with augment
def small_cnn():
    model = Sequential([Conv2D(2, 3, activation="relu"), Flatten(),
                        Dense(3, activation="softmax")], dtype="float64", seed=0)
    model.compile(SGD(lr=0.1), metrics=["accuracy"])
    return model


def digits(n=24, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((n, 1, 7, 7)), rng.integers(0, 3, n)


def test_fit_with_augment_changes_training_but_not_X_nor_evaluate():
    X, y = digits()
    copy = X.copy()
    plain, augmented = small_cnn(), small_cnn()
    plain.fit(X, y, epochs=2, batch_size=8, verbose=0)
    augmented.fit(X, y, epochs=2, batch_size=8, verbose=0, augment=RandomShift(2, seed=0))
    np.testing.assert_array_equal(X, copy)
    assert not np.allclose(plain.parameters()[0], augmented.parameters()[0])
    # evaluate on the original images: the same as a forward pass by hand
    p = augmented.predict(X)
    loss, acc = augmented.evaluate(X, y)
    np.testing.assert_allclose(loss, -np.mean(np.log(p[np.arange(len(y)), y])), rtol=1e-10)
    assert acc == np.mean(p.argmax(1) == y)
    # and evaluate does not draw shifts: twice the same
    assert augmented.evaluate(X, y) == (loss, acc)


def test_fit_with_augment_is_deterministic_and_never_augments_validation():
    X, y = digits()
    Xv, yv = digits(10, seed=1)
    runs = []
    for _ in range(2):
        model = small_cnn()
        h = model.fit(X, y, epochs=2, batch_size=8, verbose=0, validation_data=(Xv, yv),
                      augment=RandomShift(1, seed=5))
        runs.append((model.parameters()[0].copy(), h.history))
        # the validation metrics of the last epoch are those of the unshifted data
        assert h.history["val_loss"][-1] == pytest.approx(model.evaluate(Xv, yv)[0], rel=1e-12)
    np.testing.assert_array_equal(runs[0][0], runs[1][0])
    assert runs[0][1] == runs[1][1]


def test_fit_augment_sees_the_training_batches_only():
    X, y = digits(20)
    Xv, yv = digits(7, seed=1)
    seen = []

    def record(batch):
        seen.append(batch.shape)
        return batch.copy()

    model = small_cnn()
    model.fit(X, y, epochs=2, batch_size=8, verbose=0, validation_data=(Xv, yv), augment=record)
    assert seen == [(8, 1, 7, 7), (8, 1, 7, 7), (4, 1, 7, 7)] * 2


def test_fit_with_an_identity_augment_equals_fit_without():
    X, y = digits()
    plain, identity = small_cnn(), small_cnn()
    plain.fit(X, y, epochs=2, batch_size=8, verbose=0)
    identity.fit(X, y, epochs=2, batch_size=8, verbose=0, augment=RandomShift(0, seed=0))
    for a, b in zip(plain.parameters(), identity.parameters()):
        np.testing.assert_array_equal(a, b)


def test_fit_augment_errors():
    X, y = digits(8)
    model = small_cnn()
    with pytest.raises(TypeError, match="augment must be None or a function of a batch"):
        model.fit(X, y, verbose=0, augment="shift")
    with pytest.raises(ValueError, match=r"augment must return an array of the batch's shape "
                                         r"\(8, 1, 7, 7\), got shape \(8, 1, 5, 5\)"):
        model.fit(X, y, batch_size=8, verbose=0, augment=lambda b: b[:, :, 1:-1, 1:-1])
    with pytest.raises(ValueError, match="got list"):
        model.fit(X, y, batch_size=8, verbose=0, augment=lambda b: list(b))
