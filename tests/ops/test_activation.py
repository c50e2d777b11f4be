"""cnnedu.ops.activation: values, derivatives, softmax Jacobian, stability, registry."""
import functools
import math
import warnings

import numpy as np
import pytest

from cnnedu.ops import activation as act
from cnnedu.ops.activation import (
    ACTIVATIONS, SELU_ALPHA, SELU_LAMBDA, Activation, elu, elu_grad, gelu, gelu_grad,
    get_activation, leaky_relu, leaky_relu_grad, linear, linear_grad, prelu, prelu_grad,
    relu, relu_grad, selu, selu_grad, silu, silu_grad,
    sigmoid, sigmoid_grad, softmax, softmax_backward, softmax_grad, tanh, tanh_grad)
from cnnedu.gradcheck import check_gradient, numerical_gradient, rel_error

LN2, LN3 = math.log(2), math.log(3)

# (id, f, f_grad, keyword arguments) for every element-wise activation
ELEMENTWISE = [
    ("linear", linear, linear_grad, {}),
    ("sigmoid", sigmoid, sigmoid_grad, {}),
    ("tanh", tanh, tanh_grad, {}),
    ("relu", relu, relu_grad, {}),
    ("leaky_relu", leaky_relu, leaky_relu_grad, {}),
    ("leaky_relu-alpha0.2", leaky_relu, leaky_relu_grad, {"alpha": 0.2}),
    ("elu", elu, elu_grad, {}),
    ("elu-alpha0.5", elu, elu_grad, {"alpha": 0.5}),
    ("elu-alpha2", elu, elu_grad, {"alpha": 2.0}),
    ("selu", selu, selu_grad, {}),
    ("gelu", gelu, gelu_grad, {}),
    ("gelu-tanh", gelu, gelu_grad, {"approximate": "tanh"}),
    ("silu", silu, silu_grad, {}),
    ("prelu", prelu, prelu_grad, {}),
    ("prelu-alpha-1.5", prelu, prelu_grad, {"alpha": -1.5}),
]
ELEMENTWISE_IDS = [case[0] for case in ELEMENTWISE]


def away_from_zero(shape, seed=0):
    """Random float64 inputs with |x| >= 0.1, so x +- h never crosses a kink at 0."""
    x = np.random.default_rng(seed).standard_normal(shape)
    return np.sign(x) * (0.1 + np.abs(x))


# ------------------------------------------------------------ hand-computed values
def test_hand_values():
    assert sigmoid(0) == 0.5
    assert np.isclose(sigmoid(LN3), 0.75)            # 1 / (1 + 1/3)
    assert np.isclose(sigmoid(-LN3), 0.25)
    assert np.isclose(tanh(LN2), 0.6)                # (2 - 1/2) / (2 + 1/2)
    np.testing.assert_array_equal(relu([-2.0, 0.0, 3.0]), [0.0, 0.0, 3.0])
    np.testing.assert_allclose(leaky_relu([-2.0, 0.0, 3.0], alpha=0.1), [-0.2, 0.0, 3.0])
    np.testing.assert_allclose(leaky_relu([-100.0]), [-1.0])  # default alpha 0.01
    assert np.isclose(elu(-LN2), -0.5)               # e^{-ln 2} - 1
    assert np.isclose(elu(-LN2, alpha=3.0), -1.5)
    assert elu(2.5) == 2.5
    assert selu(1.0) == SELU_LAMBDA
    assert np.isclose(selu(-LN2), -0.5 * SELU_LAMBDA * SELU_ALPHA)
    np.testing.assert_array_equal(linear([[1.0, -2.0]]), [[1.0, -2.0]])
    np.testing.assert_allclose(softmax([0.0, LN2]), [1 / 3, 2 / 3])
    np.testing.assert_allclose(softmax([0.0, LN2, LN3]), [1 / 6, 2 / 6, 3 / 6])


def test_hand_derivatives():
    assert sigmoid_grad(0) == 0.25
    assert np.isclose(sigmoid_grad(LN3), 0.75 * 0.25)
    assert tanh_grad(0) == 1.0
    assert np.isclose(tanh_grad(LN2), 1 - 0.36)
    np.testing.assert_allclose(elu_grad([-LN2, 1.0], alpha=2.0), [1.0, 1.0])
    assert selu_grad(1.0) == SELU_LAMBDA
    np.testing.assert_array_equal(linear_grad([[3.0, -4.0]]), [[1.0, 1.0]])


def test_derivative_at_the_kink_uses_the_left_branch():
    assert relu_grad(0.0) == 0.0
    assert leaky_relu_grad(0.0, alpha=0.3) == pytest.approx(0.3)
    assert elu_grad(0.0, alpha=0.5) == 0.5
    assert selu_grad(0.0) == pytest.approx(SELU_LAMBDA * SELU_ALPHA)
    np.testing.assert_array_equal(relu_grad([-1.0, 0.0, 1e-300]), [0.0, 0.0, 1.0])


def test_selu_constants_match_the_closed_form_of_the_paper():
    # Klambauer et al. (2017), the fixed point (mean 0, variance 1)
    e, pi, erfc, sqrt = math.e, math.pi, math.erfc, math.sqrt
    c = erfc(1 / sqrt(2))
    alpha = -sqrt(2 / pi) / (c * sqrt(e) - 1)
    lam = (1 - c * sqrt(e)) * sqrt(2 * pi) * (
        2 * erfc(sqrt(2)) * e ** 2 + pi * c ** 2 * e - 2 * (2 + pi) * c * sqrt(e) + pi + 2) ** -0.5
    assert SELU_ALPHA == pytest.approx(alpha, rel=1e-14)
    assert SELU_LAMBDA == pytest.approx(lam, rel=1e-14)
    assert SELU_LAMBDA == pytest.approx(1.0507009873554805, rel=1e-15)
    assert SELU_ALPHA == pytest.approx(1.6732632423543772, rel=1e-15)


def test_sigmoid_and_its_derivative_agree_with_textbook_formulas():
    x = np.linspace(-30, 30, 121)           # small enough for the naive formulas
    np.testing.assert_allclose(sigmoid(x), 1 / (1 + np.exp(-x)), rtol=1e-12)
    np.testing.assert_allclose(sigmoid(x), (1 + np.tanh(x / 2)) / 2, rtol=0, atol=1e-15)
    # sigma'(x) = 1 / (4 cosh^2(x/2)), with full relative accuracy in the tails
    np.testing.assert_allclose(sigmoid_grad(x), 1 / (4 * np.cosh(x / 2) ** 2), rtol=1e-12)
    np.testing.assert_allclose(tanh_grad(x[50:71]), 1 / np.cosh(x[50:71]) ** 2, rtol=1e-10)


def test_selu_is_lambda_times_elu_with_alpha():
    x = away_from_zero((5, 3))
    np.testing.assert_allclose(selu(x), SELU_LAMBDA * elu(x, alpha=SELU_ALPHA), rtol=1e-15)
    assert selu(-1e3) == pytest.approx(-SELU_LAMBDA * SELU_ALPHA, rel=1e-15)


# ------------------------------------------------------------ derivatives vs numerical
@pytest.mark.parametrize("name, f, f_grad, kw", ELEMENTWISE, ids=ELEMENTWISE_IDS)
def test_derivative_matches_numerical_gradient(name, f, f_grad, kw):
    x = away_from_zero((3, 4), seed=1)
    dy = np.random.default_rng(2).standard_normal(x.shape)
    result = check_gradient(lambda: f(x, **kw), x, dy * f_grad(x, **kw), df=dy)
    assert result.error < 1e-6, str(result)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_registry_backward_matches_numerical_gradient(name):
    x = away_from_zero((2, 3), seed=3)
    dy = np.random.default_rng(4).standard_normal(x.shape)
    a = get_activation(name)
    result = check_gradient(lambda: a.f(x), x, a.backward(dy, x), df=dy)
    assert result.error < 1e-6, str(result)


def test_gradient_check_fails_on_a_wrong_derivative():
    x = away_from_zero((3, 4), seed=5)
    dy = np.random.default_rng(6).standard_normal(x.shape)

    def wrong_sigmoid_grad(x):
        return sigmoid(x)                      # forgot the (1 - s) factor

    bad = check_gradient(lambda: sigmoid(x), x, dy * wrong_sigmoid_grad(x), df=dy)
    good = check_gradient(lambda: sigmoid(x), x, dy * sigmoid_grad(x), df=dy)
    assert not bad.passed and bad.error > 1e-2
    assert good.passed


# ------------------------------------------------------------ softmax
@pytest.mark.parametrize("shape, axis", [((5,), -1), ((4, 6), -1), ((4, 6), 0),
                                         ((2, 3, 4), 1), ((2, 3, 4), -1)],
                         ids=["1d", "2d-last", "2d-axis0", "3d-axis1", "3d-last"])
def test_softmax_is_a_probability_distribution_along_axis(shape, axis):
    x = np.random.default_rng(7).standard_normal(shape) * 5
    p = softmax(x, axis=axis)
    assert p.shape == x.shape
    assert np.all(p > 0) and np.all(p < 1)
    np.testing.assert_allclose(p.sum(axis=axis), 1.0, rtol=1e-12)
    # same as doing it by hand along that axis
    e = np.exp(x)
    np.testing.assert_allclose(p, e / e.sum(axis=axis, keepdims=True), rtol=1e-12)


def test_softmax_is_invariant_to_adding_a_constant_per_row():
    x = np.random.default_rng(8).standard_normal((4, 5))
    shift = np.array([[-50.0], [0.5], [7.0], [300.0]])
    np.testing.assert_allclose(softmax(x + shift), softmax(x), rtol=1e-10)
    np.testing.assert_allclose(softmax(x.T + shift.T, axis=0), softmax(x.T, axis=0), rtol=1e-10)


def test_softmax_jacobian_matches_numerical():
    x = np.random.default_rng(9).standard_normal((2, 3))
    J = softmax_grad(x)
    assert J.shape == (2, 3, 3)
    for n in range(2):
        for i in range(3):
            pick = np.zeros((2, 3))
            pick[n, i] = 1.0                   # d p[n, i] / d x
            numeric = numerical_gradient(lambda: softmax(x), x, df=pick)
            assert rel_error(J[n, i], numeric[n]) < 1e-6
            other = 1 - n
            np.testing.assert_allclose(numeric[other], 0.0, atol=1e-12)  # rows independent


def test_softmax_jacobian_hand_example_and_properties():
    p = np.array([1 / 3, 2 / 3])
    J = softmax_grad(np.log(p))
    expected = np.array([[p[0] * (1 - p[0]), -p[0] * p[1]],
                         [-p[1] * p[0], p[1] * (1 - p[1])]])   # [[2/9, -2/9], [-2/9, 2/9]]
    np.testing.assert_allclose(J, expected, rtol=1e-12)
    J = softmax_grad(np.random.default_rng(10).standard_normal((3, 4)))
    np.testing.assert_allclose(J, np.swapaxes(J, -1, -2), atol=1e-15)   # symmetric
    np.testing.assert_allclose(J.sum(axis=-1), 0.0, atol=1e-15)          # rows sum to 0


def test_softmax_jacobian_along_another_axis_moves_that_axis_last():
    x = np.random.default_rng(11).standard_normal((4, 3))   # K = 4 along axis 0
    J = softmax_grad(x, axis=0)
    assert J.shape == (3, 4, 4)
    np.testing.assert_allclose(J, softmax_grad(x.T), rtol=1e-14)


@pytest.mark.parametrize("shape, axis", [((3, 4), -1), ((4, 3), 0), ((2, 3, 2), 1)],
                         ids=["2d-last", "2d-axis0", "3d-axis1"])
def test_softmax_backward_equals_jacobian_product_and_numerical(shape, axis):
    rng = np.random.default_rng(12)
    x = rng.standard_normal(shape)
    dy = rng.standard_normal(shape)
    dx = softmax_backward(dy, x, axis=axis)
    J = softmax_grad(x, axis=axis)                          # (..., K, K)
    g = np.moveaxis(dy, axis, -1)
    via_jacobian = np.moveaxis(np.einsum("...i,...ij->...j", g, J), -1, axis)
    np.testing.assert_allclose(dx, via_jacobian, rtol=1e-12, atol=1e-15)
    result = check_gradient(lambda: softmax(x, axis=axis), x, dx, df=dy)
    assert result.error < 1e-6, str(result)


# ------------------------------------------------------------ stability at +-1000
BIG = [-1000.0, -100.0, -1.0, 0.0, 1.0, 100.0, 1000.0]
ALL_FUNCTIONS = (
    [(f"{name}", lambda x, f=f, kw=kw: f(x, **kw)) for name, f, _, kw in ELEMENTWISE]
    + [(f"{name}_grad", lambda x, g=g, kw=kw: g(x, **kw)) for name, _, g, kw in ELEMENTWISE]
    + [("softmax", softmax), ("softmax_grad", softmax_grad),
       ("softmax_backward", lambda x: softmax_backward(np.ones_like(x), x))])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name, fn", ALL_FUNCTIONS, ids=[n for n, _ in ALL_FUNCTIONS])
def test_no_floating_point_warnings_at_plus_minus_1000(name, fn, dtype):
    x = np.array([BIG, BIG[::-1]], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            y = fn(x)
    assert y.dtype == dtype
    assert np.all(np.isfinite(y))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_limits_at_plus_minus_1000(dtype):
    x = np.array([-1000.0, 1000.0], dtype=dtype)
    with np.errstate(all="raise"):
        np.testing.assert_array_equal(sigmoid(x), [0.0, 1.0])
        np.testing.assert_array_equal(sigmoid_grad(x), [0.0, 0.0])
        np.testing.assert_array_equal(tanh(x), [-1.0, 1.0])
        np.testing.assert_array_equal(tanh_grad(x), [0.0, 0.0])
        np.testing.assert_array_equal(elu(x), [-1.0, 1000.0])
        np.testing.assert_array_equal(elu_grad(x), [0.0, 1.0])
        np.testing.assert_allclose(selu(x), [-SELU_LAMBDA * SELU_ALPHA, 1000 * SELU_LAMBDA],
                                   rtol=1e-6)
        np.testing.assert_array_equal(softmax(x), [0.0, 1.0])
        np.testing.assert_allclose(softmax(np.full(4, 1000.0, dtype=dtype)), 0.25, rtol=1e-6)
        np.testing.assert_array_equal(softmax_grad(x), np.zeros((2, 2)))


# ------------------------------------------------------------ dtypes
@pytest.mark.parametrize("name, fn", ALL_FUNCTIONS, ids=[n for n, _ in ALL_FUNCTIONS])
def test_float32_in_float32_out_and_int_in_float64_out(name, fn):
    x32 = np.array([[-2.0, -0.5, 0.5, 3.0]], dtype=np.float32)
    assert fn(x32).dtype == np.float32
    assert fn(np.array([[-2, -1, 1, 3]])).dtype == np.float64


def test_float32_values_agree_with_float64():
    x = away_from_zero((3, 4), seed=13)
    for name, fn in ALL_FUNCTIONS:
        np.testing.assert_allclose(fn(x.astype(np.float32)), fn(x), rtol=1e-5, atol=1e-6,
                                   err_msg=name)


# ------------------------------------------------------------ registry
def test_registry_names_and_pairs():
    assert set(ACTIVATIONS) == {"relu", "sigmoid", "tanh", "leaky_relu", "elu", "selu",
                                "gelu", "silu", "softmax", "linear"}
    f, f_grad = get_activation("relu")
    assert f is relu and f_grad is relu_grad
    for name in ACTIVATIONS:
        a = get_activation(name)
        assert a.name == name and a.f is getattr(act, name)
        assert a.grad is getattr(act, name + "_grad")


def test_get_activation_accepts_none_case_and_instances():
    assert get_activation(None) is ACTIVATIONS["linear"]
    assert get_activation("  ReLU ") is ACTIVATIONS["relu"]
    a = ACTIVATIONS["tanh"]
    assert get_activation(a) is a
    assert repr(a) == "Activation('tanh')"
    custom = Activation(functools.partial(leaky_relu, alpha=0.2),
                        functools.partial(leaky_relu_grad, alpha=0.2))
    assert custom.name == "leaky_relu"
    np.testing.assert_allclose(custom.backward([1.0, 1.0], [-1.0, 2.0]), [0.2, 1.0])


def test_activation_backward_for_softmax_uses_the_vector_jacobian_product():
    rng = np.random.default_rng(14)
    x, dy = rng.standard_normal((2, 5)), rng.standard_normal((2, 5))
    np.testing.assert_allclose(get_activation("softmax").backward(dy, x),
                               softmax_backward(dy, x), rtol=1e-15)
    np.testing.assert_array_equal(get_activation("relu").backward(dy, x), dy * (x > 0))


# ------------------------------------------------------------ errors
def test_unknown_activation_name_lists_allowed_names():
    with pytest.raises(ValueError, match=r"unknown activation 'rleu' \(did you mean 'relu'\?\); "
                                         r"allowed names: 'linear', 'sigmoid', .*'softmax'"):
        get_activation("rleu")
    with pytest.raises(ValueError, match=r"unknown activation 'mish'; allowed names: 'linear'"):
        get_activation("mish")


def test_activation_of_wrong_type():
    with pytest.raises(TypeError, match=r"activation must be a name \(str\) or None, got 3 "
                                        r"\(int\); allowed names: 'linear'"):
        get_activation(3)


def test_alpha_must_be_a_finite_real_number():
    with pytest.raises(TypeError, match=r"alpha must be a real number, got '0.1' \(str\)"):
        leaky_relu([1.0], alpha="0.1")
    with pytest.raises(ValueError, match=r"alpha must be a finite real number, got nan"):
        elu_grad([1.0], alpha=float("nan"))


def test_x_must_be_numbers():
    with pytest.raises(TypeError, match=r"x must be an array of real numbers, got dtype <U1"):
        relu(["a"])


def test_softmax_axis_errors():
    with pytest.raises(ValueError, match=r"axis 2 is out of range for x of shape \(3, 4\) "
                                         r"\(allowed: -2 to 1\)"):
        softmax(np.zeros((3, 4)), axis=2)
    with pytest.raises(TypeError, match=r"axis must be an int, got 1.0 \(float\)"):
        softmax_grad(np.zeros((3, 4)), axis=1.0)
    with pytest.raises(ValueError, match=r"softmax needs an array with at least one axis, "
                                         r"got a 0-D scalar"):
        softmax(1.0)
    with pytest.raises(ValueError, match=r"softmax over an empty axis: axis 1 of x has length 0"):
        softmax(np.zeros((3, 0)))


def test_backward_dy_shape_errors():
    with pytest.raises(ValueError, match=r"dy must have the shape of x \(2, 3\), got \(3, 2\)"):
        softmax_backward(np.zeros((3, 2)), np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"dy must have the shape of x \(2, 3\), got \(3,\)"):
        get_activation("relu").backward(np.zeros(3), np.zeros((2, 3)))


# ------------------------------------------------------------ GELU, SiLU, PReLU
def test_gelu_and_silu_by_hand():
    phi = [0.5 * math.erfc(-v / math.sqrt(2)) for v in (-1.0, 0.0, 2.0)]
    np.testing.assert_allclose(gelu(np.array([-1.0, 0.0, 2.0])),
                               [-phi[0], 0.0, 2 * phi[2]], rtol=1e-15)
    np.testing.assert_allclose(gelu_grad(np.array([0.0])), [0.5], rtol=1e-15)
    s = 1 / (1 + math.exp(1.5))
    assert silu(-1.5) == pytest.approx(-1.5 * s, rel=1e-15)
    assert silu_grad(-1.5) == pytest.approx(s + -1.5 * s * (1 - s), rel=1e-14)


def test_gelu_and_silu_minima():
    x = np.linspace(-3, 0, 300001)
    assert x[np.argmin(gelu(x))] == pytest.approx(-0.7518, abs=1e-4)
    assert gelu(x).min() == pytest.approx(-0.16997, abs=1e-5)
    assert x[np.argmin(silu(x))] == pytest.approx(-1.2785, abs=1e-4)
    assert silu(x).min() == pytest.approx(-0.27846, abs=1e-5)
    # the derivative is 0 at the minimum: 1 + x (1 - sigmoid(x)) = 0
    assert abs(float(silu_grad(-1.2784645))) < 1e-6


def test_gelu_tanh_approximation_is_close_but_not_equal():
    x = np.linspace(-10, 10, 20001)
    gap = np.abs(gelu(x) - gelu(x, approximate="tanh"))
    assert 1e-4 < gap.max() < 1e-3
    np.testing.assert_allclose(gelu(x, "tanh")[x > 6], x[x > 6], rtol=1e-10)


def test_gelu_keeps_relative_accuracy_in_the_left_tail():
    # x * Phi(x) with Phi(-30) ~ 4.9e-198: the erf form would give exactly 0
    assert gelu(-30.0) == pytest.approx(-30 * 0.5 * math.erfc(30 / math.sqrt(2)), rel=1e-13)
    assert gelu(-30.0) < 0


def test_gelu_rejects_an_unknown_approximation():
    with pytest.raises(ValueError, match="approximate must be 'none'.*got 'fast'"):
        gelu(1.0, approximate="fast")
    with pytest.raises(ValueError, match="approximate"):
        gelu_grad(1.0, approximate=None)


def test_prelu_with_one_slope_per_channel():
    x = away_from_zero((2, 3, 4, 4), seed=20)
    alpha = np.array([0.0, 0.25, -1.0]).reshape(3, 1, 1)
    y = prelu(x, alpha)
    for c, a in enumerate((0.0, 0.25, -1.0)):
        np.testing.assert_array_equal(y[:, c], np.where(x[:, c] > 0, x[:, c], a * x[:, c]))
        np.testing.assert_array_equal(prelu_grad(x, alpha)[:, c],
                                      np.where(x[:, c] > 0, 1.0, a))
    np.testing.assert_array_equal(prelu(x, 0.01), leaky_relu(x, 0.01))
    assert prelu_grad(0.0, 0.3) == pytest.approx(0.3)     # the left derivative at the kink


@pytest.mark.parametrize("alpha, error, match", [
    ("0.2", TypeError, "alpha must be a real number"),
    (True, TypeError, "alpha must be a real number"),
    (np.array([True, False]), TypeError, "alpha must be a real number"),
    (float("nan"), ValueError, "alpha must be finite"),
    (np.array([0.1, np.inf, 0.2]), ValueError, "alpha must be finite"),
    (np.ones(4), ValueError, r"alpha of shape \(4,\) does not broadcast against x of shape "
                             r"\(2, 3, 5, 5\)"),
    (np.ones((1, 1, 1, 1, 1)), ValueError, "would enlarge x"),
])
def test_prelu_rejects_bad_alpha(alpha, error, match):
    x = np.zeros((2, 3, 5, 5))
    with pytest.raises(error, match=match):
        prelu(x, alpha)
    with pytest.raises(error, match=match):
        prelu_grad(x, alpha)


def test_swish_is_silu_and_prelu_is_a_layer():
    assert get_activation("Swish") is ACTIVATIONS["silu"]
    with pytest.raises(ValueError, match="learned slope.*PReLU"):
        get_activation("prelu")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", [1, 7, 16, 33, 1000])
def test_relu_is_bit_identical_to_maximum_with_zero(dtype, n):
    # special values at every position mod 16, in contiguous and strided arrays
    specials = np.array([-0.0, 0.0, np.nan, np.inf, -np.inf, 1e-40, -1e-40, 2.5, -2.5], dtype)
    x = np.random.default_rng(n).standard_normal((len(specials), n)).astype(dtype)
    for i, v in enumerate(specials):
        x[i, i % n::16] = v
    for arr in (x, x.T, x[:, ::2], x[0, 0]):
        got, want = act.relu(arr), np.maximum(arr, dtype(0))
        assert got.dtype == want.dtype and got.shape == want.shape
        assert np.asarray(got).tobytes() == np.asarray(want).tobytes()
