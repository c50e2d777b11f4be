"""cnnedu.ops.dropout: inverted dropout, statistics, determinism, backward, errors."""
import numpy as np
import pytest

from cnnedu.ops.dropout import dropout, dropout_backward
from cnnedu.gradcheck import check_gradient

RATES = pytest.mark.parametrize("rate", [0.1, 0.5, 0.8], ids=["rate0.1", "rate0.5", "rate0.8"])


@RATES
def test_mask_values_and_output(rate):
    x = np.random.default_rng(0).standard_normal((4, 6))
    y, mask = dropout(x, rate, rng=1)
    assert y.shape == mask.shape == x.shape
    kept = mask != 0
    np.testing.assert_allclose(mask[kept], 1 / (1 - rate), rtol=1e-15)
    np.testing.assert_array_equal(y, x * mask)
    np.testing.assert_array_equal(y[~kept], 0.0)


@RATES
def test_expected_value_is_preserved(rate):
    n = 200_000
    x = np.random.default_rng(2).uniform(0.5, 1.5, size=n)
    y, mask = dropout(x, rate, rng=np.random.default_rng(3))
    # y_i - x_i = x_i (m_i / (1 - r) - 1) has mean 0 and variance x_i^2 r / (1 - r),
    # so mean(y) - mean(x) has standard deviation sqrt(mean(x^2) r / ((1 - r) n)),
    # 1.7e-3 to 4.5e-3 here; 5 of them is a tolerance a correct dropout meets
    # except with probability ~6e-7 (and the seed is fixed).
    sigma = np.sqrt(np.mean(x ** 2) * rate / ((1 - rate) * n))
    assert abs(y.mean() - x.mean()) < 5 * sigma
    # and the fraction dropped is rate, within 5 binomial standard deviations
    assert abs(np.mean(mask == 0) - rate) < 5 * np.sqrt(rate * (1 - rate) / n)


@pytest.mark.parametrize("training, rate", [(False, 0.5), (True, 0.0), (False, 0.0)],
                         ids=["eval", "rate0", "eval-rate0"])
def test_identity_in_eval_mode_or_rate_zero(training, rate):
    x = np.random.default_rng(4).standard_normal((2, 3, 4, 4))
    gen = np.random.default_rng(5)
    y, mask = dropout(x, rate, rng=gen, training=training)
    np.testing.assert_array_equal(y, x)
    np.testing.assert_array_equal(mask, np.ones_like(x))
    assert y is not x
    # the generator was not advanced
    assert gen.random() == np.random.default_rng(5).random()


def test_eval_mode_needs_no_rng():
    y, mask = dropout([[1.0, 2.0]], 0.5, training=False)
    np.testing.assert_array_equal(y, [[1.0, 2.0]])


def test_deterministic_with_the_same_seed():
    x = np.ones((10, 10))
    _, m1 = dropout(x, 0.5, rng=42)
    _, m2 = dropout(x, 0.5, rng=42)
    _, m3 = dropout(x, 0.5, rng=np.random.default_rng(42))
    np.testing.assert_array_equal(m1, m2)
    np.testing.assert_array_equal(m1, m3)        # an int seed is default_rng(seed)
    _, m4 = dropout(x, 0.5, rng=43)
    assert not np.array_equal(m1, m4)


def test_a_generator_draws_a_new_mask_each_call():
    gen = np.random.default_rng(7)
    x = np.ones((10, 10))
    _, m1 = dropout(x, 0.5, rng=gen)
    _, m2 = dropout(x, 0.5, rng=gen)
    assert not np.array_equal(m1, m2)


def test_backward_uses_the_mask():
    mask = np.array([[0.0, 2.0], [2.0, 0.0]])
    dy = np.array([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(dropout_backward(dy, mask), [[0.0, 4.0], [6.0, 0.0]])


@RATES
def test_gradient_check_with_a_fixed_mask(rate):
    rng = np.random.default_rng(8)
    x = rng.standard_normal((3, 5))
    dy = rng.standard_normal((3, 5))
    _, mask = dropout(x, rate, rng=9)
    # an int seed gives the same mask on every call, so the forward is deterministic
    result = check_gradient(lambda: dropout(x, rate, rng=9)[0], x, dropout_backward(dy, mask),
                            df=dy)
    assert result.error < 1e-6, str(result)


def test_float32_in_float32_out():
    x = np.ones((3, 4), dtype=np.float32)
    for training in (True, False):
        y, mask = dropout(x, 0.25, rng=0, training=training)
        assert y.dtype == mask.dtype == np.float32
        assert dropout_backward(x, mask).dtype == np.float32
    y, mask = dropout(np.ones((2, 2), dtype=int), 0.5, rng=0)
    assert y.dtype == mask.dtype == np.float64


# ------------------------------------------------------------ errors
def test_rate_one_is_refused():
    with pytest.raises(ValueError, match=r"rate must be in \[0, 1\), got 1 \(rate 1 would drop "
                                         r"every unit and the 1/\(1 - rate\) scaling divides "
                                         r"by zero\)"):
        dropout(np.ones(3), 1, rng=0)


@pytest.mark.parametrize("rate", [-0.1, 1.5, float("nan")], ids=["negative", "above1", "nan"])
def test_rate_out_of_range(rate):
    with pytest.raises(ValueError, match=rf"rate must be in \[0, 1\), got {rate!r}$"):
        dropout(np.ones(3), rate, rng=0)


def test_rate_must_be_a_number():
    with pytest.raises(TypeError, match=r"rate must be a number in \[0, 1\), got '0.5' \(str\)"):
        dropout(np.ones(3), "0.5", rng=0)


def test_training_needs_rng():
    with pytest.raises(TypeError, match=r"dropout in training mode with rate 0.5 needs rng: "
                                        r"pass a numpy.random.Generator .* or an int seed"):
        dropout(np.ones(3), 0.5)


@pytest.mark.parametrize("rng", [np.random.RandomState(0), True, 0.5],
                         ids=["RandomState", "bool", "float"])
def test_rng_of_wrong_type(rng):
    with pytest.raises(TypeError, match=r"rng must be a numpy.random.Generator or an int seed, "
                                        r"got .*\((RandomState|bool|float)\)"):
        dropout(np.ones(3), 0.5, rng=rng)


def test_training_must_be_bool():
    with pytest.raises(TypeError, match=r"training must be True or False, got 'no'"):
        dropout(np.ones(3), 0.5, rng=0, training="no")


def test_backward_shape_mismatch():
    with pytest.raises(ValueError, match=r"dy must have the shape of mask \(2, 3\), "
                                         r"got \(3, 2\)"):
        dropout_backward(np.ones((3, 2)), np.ones((2, 3)))
