"""Tests of cnnedu.ops.norm: batch normalization, forward and backward."""
import numpy as np
import pytest

from cnnedu.gradcheck import check_gradient
from cnnedu.ops.norm import (
    batch_norm2d, batch_norm2d_backward, batch_norm2d_backward_naive, batch_norm2d_naive,
    batch_stats, batch_stats_naive,
)

SHAPES = [(2, 1, 1, 1), (1, 1, 1, 2), (1, 3, 4, 4), (2, 3, 5, 4), (4, 2, 1, 1), (3, 1, 2, 7),
          (2, 5, 3, 3), (5, 2, 1, 6)]


def _id(shape):
    return "x" + "x".join(map(str, shape))


def inputs(shape, seed, dtype=np.float64):
    """A batch with channel means and spreads far from 0 and 1, and gamma, beta, dy."""
    rng = np.random.default_rng(seed)
    c = shape[1]
    x = rng.standard_normal(shape) * rng.uniform(0.5, 3, c)[None, :, None, None] \
        + rng.uniform(-2, 2, c)[None, :, None, None]
    gamma, beta = rng.uniform(0.5, 2, c), rng.standard_normal(c)
    dy = rng.standard_normal(shape)
    return [a.astype(dtype) for a in (x, gamma, beta, dy)]


# ----------------------------------------------------------------------------
# Fast == naive
# ----------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("shape", SHAPES, ids=_id)
def test_training_mode_fast_equals_naive(shape, dtype):
    x, gamma, beta, dy = inputs(shape, seed=1, dtype=dtype)
    tol = 1e-12 if dtype == np.float64 else 2e-5
    y = batch_norm2d(x, gamma, beta)
    assert y.dtype == dtype
    np.testing.assert_allclose(y, batch_norm2d_naive(x, gamma, beta), rtol=tol, atol=tol)
    fast = batch_norm2d_backward(dy, x, gamma)
    slow = batch_norm2d_backward_naive(dy, x, gamma)
    for name, a, b in zip(("dx", "dgamma", "dbeta"), fast, slow):
        assert a.dtype == dtype, name
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol * 10, err_msg=name)
    for a, b in zip(batch_stats(x), batch_stats_naive(x)):
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("shape", [(1, 1, 1, 1)] + SHAPES, ids=_id)
def test_inference_mode_fast_equals_naive(shape, dtype):
    x, gamma, beta, dy = inputs(shape, seed=2, dtype=dtype)
    rng = np.random.default_rng(3)
    mean, var = rng.standard_normal(shape[1]), rng.uniform(0.1, 4, shape[1])
    tol = 1e-12 if dtype == np.float64 else 2e-5
    np.testing.assert_allclose(batch_norm2d(x, gamma, beta, 1e-3, mean, var),
                               batch_norm2d_naive(x, gamma, beta, 1e-3, mean, var),
                               rtol=tol, atol=tol)
    for a, b in zip(batch_norm2d_backward(dy, x, gamma, 1e-3, mean, var),
                    batch_norm2d_backward_naive(dy, x, gamma, 1e-3, mean, var)):
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol * 10)


def test_float32_agrees_with_float64():
    x, gamma, beta, dy = inputs((4, 3, 6, 6), seed=4)
    y64 = batch_norm2d(x, gamma, beta)
    y32 = batch_norm2d(*(a.astype(np.float32) for a in (x, gamma, beta)))
    np.testing.assert_allclose(y32, y64, rtol=1e-5, atol=1e-5)
    for a, b in zip(batch_norm2d_backward(*(a.astype(np.float32) for a in (dy, x, gamma))),
                    batch_norm2d_backward(dy, x, gamma)):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)


# ----------------------------------------------------------------------------
# By hand and properties
# ----------------------------------------------------------------------------

@pytest.mark.parametrize("op", [batch_norm2d, batch_norm2d_naive], ids=["fast", "naive"])
def test_by_hand(op):
    # channel 0 holds 1, 3, 5, 7: mean 4, biased variance (9 + 1 + 1 + 9) / 4 = 5
    x = np.array([1.0, 3.0, 5.0, 7.0]).reshape(2, 1, 1, 2)
    y = op(x, [2.0], [0.5], eps=1.0)      # (x - 4) / sqrt(6) * 2 + 0.5
    np.testing.assert_allclose(y.ravel(), (np.array([-3, -1, 1, 3]) / np.sqrt(6)) * 2 + 0.5)


def test_training_output_has_mean_beta_and_variance_gamma2_var_over_var_plus_eps():
    x, gamma, beta, _ = inputs((8, 3, 5, 5), seed=5)
    eps = 0.5                                   # large, so var / (var + eps) is far from 1
    y = batch_norm2d(x, gamma, beta, eps)
    var = x.var(axis=(0, 2, 3))
    np.testing.assert_allclose(y.mean(axis=(0, 2, 3)), beta, atol=1e-12)
    np.testing.assert_allclose(y.var(axis=(0, 2, 3)), gamma ** 2 * var / (var + eps), rtol=1e-10)
    z = batch_norm2d(x, np.ones(3), np.zeros(3), eps)
    np.testing.assert_allclose(z.mean(axis=(0, 2, 3)), 0, atol=1e-12)
    np.testing.assert_allclose(z.var(axis=(0, 2, 3)), var / (var + eps), rtol=1e-10)


def test_statistics_are_biased_and_per_channel():
    x, *_ = inputs((3, 4, 2, 5), seed=6)
    mean, var = batch_stats(x)
    for c in range(4):
        values = x[:, c].ravel()
        assert mean[c] == pytest.approx(values.sum() / values.size)
        assert var[c] == pytest.approx(((values - values.mean()) ** 2).sum() / values.size)


def test_inference_uses_the_given_statistics_and_not_the_batch():
    x, gamma, beta, _ = inputs((5, 3, 4, 4), seed=7)
    mean, var = np.array([0.5, -1.0, 2.0]), np.array([1.5, 0.25, 4.0])
    y = batch_norm2d(x, gamma, beta, 1e-5, mean, var)
    expected = (gamma[None, :, None, None] * (x - mean[None, :, None, None])
                / np.sqrt(var[None, :, None, None] + 1e-5) + beta[None, :, None, None])
    np.testing.assert_allclose(y, expected, rtol=1e-12)
    # a sample alone gives the same output as in its batch
    for n in range(5):
        alone = batch_norm2d(x[n:n + 1], gamma, beta, 1e-5, mean, var)
        np.testing.assert_allclose(alone, y[n:n + 1], rtol=1e-12)
    # while in training mode the batch changes it
    assert not np.allclose(batch_norm2d(x[:2], gamma, beta), batch_norm2d(x, gamma, beta)[:2])


def test_training_mode_with_the_batch_statistics_given_is_the_same_forward():
    x, gamma, beta, _ = inputs((3, 2, 4, 3), seed=8)
    np.testing.assert_allclose(batch_norm2d(x, gamma, beta, 1e-5, *batch_stats(x)),
                               batch_norm2d(x, gamma, beta), rtol=1e-12)


def test_a_constant_channel_gives_beta():
    x = np.full((4, 1, 3, 3), 7.0)
    np.testing.assert_allclose(batch_norm2d(x, [3.0], [0.25]), 0.25)
    dx, dgamma, dbeta = batch_norm2d_backward(np.ones_like(x), x, [3.0])
    assert np.all(np.isfinite(dx)) and dgamma[0] == 0 and dbeta[0] == 36


def test_one_image_with_several_pixels_is_a_batch():
    x, gamma, beta, dy = inputs((1, 2, 3, 3), seed=9)
    y = batch_norm2d(x, gamma, beta)
    np.testing.assert_allclose(y.mean(axis=(0, 2, 3)), beta, atol=1e-12)


def test_input_is_not_modified():
    x, gamma, beta, dy = inputs((2, 3, 4, 4), seed=10)
    before = [a.copy() for a in (x, gamma, beta, dy)]
    batch_norm2d(x, gamma, beta), batch_norm2d_backward(dy, x, gamma)
    batch_norm2d_backward(dy, x, gamma, 1e-5, np.zeros(3), np.ones(3))
    for a, b in zip((x, gamma, beta, dy), before):
        np.testing.assert_array_equal(a, b)


def test_integer_input_becomes_float64():
    x = np.arange(8).reshape(2, 1, 2, 2)
    assert batch_norm2d(x, [1], [0]).dtype == np.float64


# ----------------------------------------------------------------------------
# Gradient checks (float64)
# ----------------------------------------------------------------------------

GRAD_SHAPES = [(2, 3, 3, 4), (4, 2, 1, 1), (1, 2, 2, 3)]


@pytest.mark.parametrize("shape", GRAD_SHAPES, ids=_id)
def test_training_mode_gradient_check(shape):
    x, gamma, beta, dy = inputs(shape, seed=11)
    dx, dgamma, dbeta = batch_norm2d_backward(dy, x, gamma, 1e-3)

    def f():
        return batch_norm2d(x, gamma, beta, 1e-3)

    for name, arr, grad in (("x", x, dx), ("gamma", gamma, dgamma), ("beta", beta, dbeta)):
        result = check_gradient(f, arr, grad, df=dy, name=name)
        assert result.passed, str(result)


@pytest.mark.parametrize("shape", GRAD_SHAPES, ids=_id)
def test_inference_mode_gradient_check(shape):
    x, gamma, beta, dy = inputs(shape, seed=12)
    mean, var = np.linspace(-1, 1, shape[1]), np.linspace(0.5, 2, shape[1])
    dx, dgamma, dbeta = batch_norm2d_backward(dy, x, gamma, 1e-3, mean, var)

    def f():
        return batch_norm2d(x, gamma, beta, 1e-3, mean, var)

    for name, arr, grad in (("x", x, dx), ("gamma", gamma, dgamma), ("beta", beta, dbeta)):
        result = check_gradient(f, arr, grad, df=dy, name=name)
        assert result.passed, str(result)


def test_gradient_check_fails_without_the_paths_through_the_statistics():
    # treating the batch statistics as constants (the inference gradient) is wrong in training
    x, gamma, beta, dy = inputs((3, 2, 2, 2), seed=13)
    wrong = batch_norm2d_backward(dy, x, gamma, 1e-3, *batch_stats(x))[0]
    result = check_gradient(lambda: batch_norm2d(x, gamma, beta, 1e-3), x, wrong, df=dy)
    assert not result.passed and result.error > 1e-2


# ----------------------------------------------------------------------------
# Errors
# ----------------------------------------------------------------------------

FORWARDS = [batch_norm2d, batch_norm2d_naive]
BACKWARDS = [batch_norm2d_backward, batch_norm2d_backward_naive]
X = np.zeros((2, 3, 2, 2))
ONES, ZEROS = np.ones(3), np.zeros(3)


def call(op, *args, x=X, **kwargs):
    """``op(x, gamma, beta, ...)`` for a forward, ``op(dy, x, gamma, ...)`` for a backward."""
    if op in BACKWARDS:
        return op(np.zeros(x.shape), x, ONES, *args, **kwargs)
    return op(x, ONES, ZEROS, *args, **kwargs)


@pytest.mark.parametrize("op", FORWARDS, ids=lambda f: f.__name__)
def test_error_x_not_4d(op):
    with pytest.raises(ValueError,
                       match=r"x must be a 4-D array \(N, C, H, W\), got shape \(2, 3\)"):
        op(np.zeros((2, 3)), ONES, ZEROS)


@pytest.mark.parametrize("op", FORWARDS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("name", ["gamma", "beta"])
def test_error_gamma_beta_shape(op, name):
    args = {"gamma": ONES, "beta": ZEROS, name: np.ones(2)}
    with pytest.raises(ValueError, match=rf"{name} must have shape \(C,\) = \(3,\), one value "
                                         rf"per channel of x, got shape \(2,\)"):
        op(X, args["gamma"], args["beta"])


@pytest.mark.parametrize("op", BACKWARDS, ids=lambda f: f.__name__)
def test_error_backward_gamma_shape(op):
    with pytest.raises(ValueError, match=r"gamma must have shape \(C,\) = \(3,\).*"
                                         r"got shape \(1, 3\)"):
        op(X, X, np.ones((1, 3)))


@pytest.mark.parametrize("op", FORWARDS + BACKWARDS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("given", ["mean", "var"])
def test_error_mean_without_var(op, given):
    missing = "var" if given == "mean" else "mean"
    with pytest.raises(ValueError, match=rf"mean and var must be given together \(inference\) "
                                         rf"or both be None \(batch statistics\), got {given} "
                                         rf"without {missing}"):
        call(op, **{given: ONES})


@pytest.mark.parametrize("op", FORWARDS + BACKWARDS, ids=lambda f: f.__name__)
def test_error_stats_shape(op):
    with pytest.raises(ValueError, match=r"var must have shape \(C,\) = \(3,\).*"
                                         r"got shape \(4,\)"):
        call(op, mean=ZEROS, var=np.ones(4))


@pytest.mark.parametrize("op", FORWARDS + BACKWARDS, ids=lambda f: f.__name__)
def test_error_negative_var(op):
    with pytest.raises(ValueError, match=r"var must be >= 0 in every channel, got "
                                         r"-0\.5 in channel 1"):
        call(op, mean=ZEROS, var=np.array([1.0, -0.5, 1.0]))


@pytest.mark.parametrize("op", FORWARDS + BACKWARDS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("eps", [0, -1e-5, float("nan"), float("inf"), "1e-5", True],
                         ids=["zero", "negative", "nan", "inf", "str", "bool"])
def test_error_eps(op, eps):
    with pytest.raises(ValueError, match=rf"eps must be a finite number > 0, got "
                                         rf"{__import__('re').escape(repr(eps))}"):
        call(op, eps)


@pytest.mark.parametrize("op", FORWARDS + BACKWARDS + [batch_stats, batch_stats_naive],
                         ids=lambda f: f.__name__)
def test_error_one_value_per_channel_in_training(op):
    x = np.zeros((1, 3, 1, 1))
    with pytest.raises(ValueError, match=r"batch statistics need more than one value per channel "
                                         r"\(N\*H\*W > 1\), got x of shape \(1, 3, 1, 1\)"):
        op(x) if op in (batch_stats, batch_stats_naive) else call(op, x=x)


@pytest.mark.parametrize("op", FORWARDS, ids=lambda f: f.__name__)
def test_one_value_per_channel_is_fine_at_inference(op):
    y = op(np.full((1, 3, 1, 1), 2.0), ONES, ZEROS, 1e-5, mean=ONES, var=ONES)
    np.testing.assert_allclose(y.ravel(), 1 / np.sqrt(1 + 1e-5))


@pytest.mark.parametrize("op", BACKWARDS, ids=lambda f: f.__name__)
def test_error_dy_shape(op):
    with pytest.raises(ValueError, match=r"dy must have the shape of x \(N, C, H, W\) = "
                                         r"\(2, 3, 2, 2\), got \(2, 3, 2\)"):
        op(np.zeros((2, 3, 2)), X, ONES)


def test_error_x_not_numbers():
    with pytest.raises(TypeError, match="x must be an array of real numbers, got dtype <U1"):
        batch_norm2d(np.full((2, 1, 2, 2), "a"), [1.0], [0.0])
