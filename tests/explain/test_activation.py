"""cnnedu.explain.activation: the quantities the chapter on activations measures."""
import warnings

import numpy as np
import pytest

from cnnedu.ops import activation as act
from cnnedu.explain.activation import (CLASSIC, ELEMENTWISE, RECENT, activation_pair,
                                       dead_fraction, entropy, evaluate_activation,
                                       gradient_norms_through_depth, inactive_fraction,
                                       never_active_fraction, softmax_with_temperature)


def ops_pair(name):
    """The ops' ``(f, f_grad)`` for ``name``; PReLU is not in the registry (its slope is
    learned)."""
    if name == "prelu":
        return act.Activation(act.prelu, act.prelu_grad)
    return act.get_activation(name)


# ------------------------------------------------------------------ activation_pair
@pytest.mark.parametrize("name", ELEMENTWISE)
def test_evaluate_activation_matches_the_ops(name):
    x = np.array([-2.0, -0.3, 0.4, 3.0])
    y, d = evaluate_activation(name, x)
    pair = ops_pair(name)
    np.testing.assert_array_equal(y, pair.f(x))
    np.testing.assert_array_equal(d, pair.grad(x))


def test_alpha_is_bound_for_leaky_relu_and_elu():
    x = np.array([-2.0, 1.0])
    f, g = activation_pair("leaky_relu", 0.2)
    np.testing.assert_allclose(f(x), [-0.4, 1.0])
    np.testing.assert_allclose(g(x), [0.2, 1.0])
    f, g = activation_pair("elu", 0.5)
    np.testing.assert_allclose(f(x), [0.5 * (np.exp(-2) - 1), 1.0])
    np.testing.assert_allclose(g(x), [0.5 * np.exp(-2), 1.0])
    f, _ = activation_pair("leaky_relu")  # default 0.01
    np.testing.assert_allclose(f(x), [-0.02, 1.0])
    f, g = activation_pair("prelu")       # default 0.25, He et al.'s starting slope
    np.testing.assert_allclose(f(x), [-0.5, 1.0])
    np.testing.assert_allclose(g(x), [0.25, 1.0])


def test_the_lists_of_activations():
    assert ELEMENTWISE == CLASSIC + RECENT
    assert RECENT == ("gelu", "silu", "prelu")


def test_activation_pair_errors():
    with pytest.raises(ValueError, match="name must be one of the element-wise activations .* "
                                         "got 'softmax'"):
        activation_pair("softmax")
    with pytest.raises(ValueError, match="tanh takes no alpha .* got alpha=0.1"):
        activation_pair("tanh", 0.1)
    with pytest.raises(ValueError, match="alpha must be a finite real number, got nan"):
        activation_pair("elu", float("nan"))


# ------------------------------------------------------------------ temperature and entropy
def test_temperature_one_is_plain_softmax_and_limits():
    z = np.array([1.0, 3.0, 2.0])
    np.testing.assert_allclose(softmax_with_temperature(z, 1.0), act.softmax(z))
    np.testing.assert_allclose(softmax_with_temperature(z, 0.5), act.softmax(2 * z))
    np.testing.assert_allclose(softmax_with_temperature(z, 1e-3), [0, 1, 0], atol=1e-12)
    np.testing.assert_allclose(softmax_with_temperature(z, 1e6), np.full(3, 1 / 3), atol=1e-5)


def test_temperature_near_zero_and_large_logits_never_give_nan():
    z = np.array([1000.0, 999.0, 1000.0, -1000.0])
    for t in (1e-300, 1e-8, 0.01, 1.0, 1e300):
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no overflow warning either
            p = softmax_with_temperature(z, t)
        assert np.all(np.isfinite(p)) and np.isclose(p.sum(), 1.0)
    np.testing.assert_allclose(softmax_with_temperature(z, 1e-300), [0.5, 0, 0.5, 0])


def test_temperature_along_an_axis_and_dtype():
    z = np.arange(6.0).reshape(2, 3).astype(np.float32)
    p = softmax_with_temperature(z, 2.0, axis=0)
    assert p.dtype == np.float32
    np.testing.assert_allclose(p, act.softmax(z / 2, axis=0), rtol=1e-6)


@pytest.mark.parametrize("bad, match", [
    (0.0, "temperature must be a positive finite number, got 0.0"),
    (-1.0, "temperature must be a positive finite number, got -1.0"),
    (float("inf"), "temperature must be a positive finite number, got inf"),
], ids=["zero", "negative", "inf"])
def test_temperature_errors(bad, match):
    with pytest.raises(ValueError, match=match):
        softmax_with_temperature([1.0, 2.0], bad)


def test_softmax_with_temperature_other_errors():
    with pytest.raises(ValueError, match="logits must be finite numbers"):
        softmax_with_temperature([1.0, np.nan], 1.0)
    with pytest.raises(ValueError, match=r"axis must be an int in \[-1, 0\] .* got 1"):
        softmax_with_temperature([1.0, 2.0], 1.0, axis=1)
    with pytest.raises(ValueError, match=r"non-empty array .* got shape \(\)"):
        softmax_with_temperature(3.0, 1.0)


def test_entropy_by_hand():
    assert entropy([1.0, 0.0, 0.0]) == 0.0
    assert entropy(np.full(10, 0.1)) == pytest.approx(np.log(10))
    assert entropy([0.5, 0.5]) == pytest.approx(np.log(2))
    np.testing.assert_allclose(entropy([[0.5, 0.5], [1.0, 0.0]]), [np.log(2), 0.0])


def test_entropy_errors():
    with pytest.raises(ValueError, match="p must hold finite non-negative probabilities"):
        entropy([-0.1, 1.1])
    with pytest.raises(ValueError, match="at least one axis, got a 0-D scalar"):
        entropy(1.0)


# ------------------------------------------------------------------ depth
def test_gradient_norms_by_hand_for_one_linear_like_layer():
    # one layer: g_in = (g * f'(z)) @ W; with ReLU and every z > 0 it is g @ W
    norms = gradient_norms_through_depth("relu", 1, width=4, batch=2, seed=1)
    assert norms.shape == (2,) and norms[0] == 1.0
    rng = np.random.default_rng(1)
    from cnnedu.nn.initializers import he_normal
    w = he_normal((4, 4), rng, dtype="float64")
    a = rng.standard_normal((2, 4))
    z = a @ w.T
    g = rng.standard_normal((2, 4))
    expected = np.linalg.norm((g * (z > 0)) @ w) / np.linalg.norm(g)
    assert norms[1] == pytest.approx(expected)


def test_sigmoid_vanishes_relu_with_he_keeps_and_large_gain_explodes():
    sig = gradient_norms_through_depth("sigmoid", 20, width=64, batch=16)
    relu = gradient_norms_through_depth("relu", 20, width=64, batch=16)
    big = gradient_norms_through_depth("relu", 20, width=64, batch=16, gain=1.5)
    assert sig[-1] < 0.25 ** 20 * 10          # at most ~1/4 per layer
    assert 0.1 < relu[-1] < 10
    assert big[-1] > 1e2


def test_gradient_norms_errors():
    with pytest.raises(ValueError, match="activation must be one of the element-wise "
                                         "activations .* got 'softmax'"):
        gradient_norms_through_depth("softmax", 3)
    with pytest.raises(ValueError, match="depth must be a positive int, got 0"):
        gradient_norms_through_depth("relu", 0)
    with pytest.raises(ValueError, match="init must be 'auto', 'he' or 'glorot', got 'lecun'"):
        gradient_norms_through_depth("relu", 3, init="lecun")
    with pytest.raises(ValueError, match="gain must be a positive number, got -1"):
        gradient_norms_through_depth("relu", 3, gain=-1)


# ------------------------------------------------------------------ dead units
def test_inactive_and_dead_fractions_by_hand():
    z = np.array([[1.0, -1.0, 0.0, -2.0],
                  [-1.0, -3.0, 0.0, 5.0]])
    assert inactive_fraction(z) == 6 / 8
    assert never_active_fraction(z) == 2 / 4      # entries 1 and 2 are never positive
    assert dead_fraction(z) == 2 / 4              # (N, D): each entry is a unit


def test_dead_fraction_counts_filters_not_positions():
    z = -np.ones((3, 4, 5, 5))                    # (N, C, H, W)
    z[1, 0, 2, 3] = 0.5                           # filter 0 fires once, at one position
    z[:, 2] = 1.0                                 # filter 2 fires everywhere
    z[0, 3, 0, 0] = 1e-9                          # filter 3 fires once, barely
    assert dead_fraction(z) == 1 / 4              # only filter 1 is dead
    # positions: filter 0 has 24 of 25 never-positive ones, filter 1 all 25, filter 3 24
    assert never_active_fraction(z) == (24 + 25 + 24) / 100


def test_dead_fraction_errors():
    with pytest.raises(ValueError, match=r"z must be an array \(N, \.\.\.\) .* got shape \(3,\)"):
        dead_fraction(np.ones(3))
    with pytest.raises(ValueError, match=r"z must be an array \(N, \.\.\.\) .* got shape \(0, 2\)"):
        never_active_fraction(np.ones((0, 2)))
    with pytest.raises(ValueError, match="z must not be empty"):
        inactive_fraction(np.ones(0))



# ------------------------------------------------------------------ the explorers' views
from cnnedu.explain.activation import (WITH_ALPHA, activation_view, parse_logits,  # noqa: E402
                                       softmax_view)

GRID = np.linspace(-5, 5, 41)
Z = np.random.default_rng(3).normal(size=(6, 7)) * 2


@pytest.mark.parametrize("name", ELEMENTWISE)
@pytest.mark.parametrize("alpha", [0.0, 0.3, 1.7])
@pytest.mark.parametrize("x0", [-1.2, 0.5])
def test_activation_view_agrees_with_the_ops(name, alpha, x0):
    v = activation_view(Z, name, alpha, x0, GRID)
    pair = ops_pair(name)
    kw = {"alpha": alpha} if name in WITH_ALPHA else {}
    assert v.activation == name and v.alpha == (alpha if name in WITH_ALPHA else None)
    np.testing.assert_array_equal(v.f, pair.f(GRID, **kw))
    np.testing.assert_array_equal(v.df, pair.grad(GRID, **kw))
    np.testing.assert_array_equal(v.fz, pair.f(Z, **kw))
    np.testing.assert_array_equal(v.dfz, pair.grad(Z, **kw))
    assert v.x0 == x0 and v.f_x0 == pytest.approx(float(pair.f(np.float64(x0), **kw)))
    assert v.df_x0 == pytest.approx(float(pair.grad(np.float64(x0), **kw)))
    assert v.zero_fraction == np.mean(pair.f(Z, **kw) == 0)
    assert v.mean_slope == pytest.approx(np.mean(pair.grad(Z, **kw)))
    assert set(v._asdict()) == {"activation", "alpha", "x_grid", "f", "df", "x0", "f_x0",
                                "df_x0", "z", "fz", "dfz", "zero_fraction", "mean_slope"}


def test_activation_view_of_an_unknown_activation_says_what_is_allowed():
    with pytest.raises(ValueError, match="name must be one of the element-wise activations"):
        activation_view(Z, "swish", 0.1, 0.0, GRID)


def test_parse_logits():
    np.testing.assert_array_equal(parse_logits("2, 1  0.1;-3"), [2, 1, 0.1, -3])
    with pytest.raises(ValueError, match="'abc' is not a number"):
        parse_logits("1, abc")
    with pytest.raises(ValueError, match="type 2 to 20 logits separated by commas, got 1"):
        parse_logits("5")
    with pytest.raises(ValueError, match="logits must be finite numbers"):
        parse_logits("1, inf")
    with pytest.raises(ValueError, match="logits must lie between -1e6 and 1e6"):
        parse_logits("1e308, -1e308")


@pytest.mark.parametrize("text", ["2, 1, 0.1", "-1 0 1 0 -1", "0, 0, 1, 1"])
@pytest.mark.parametrize("t", [0.01, 1.0, 50.0])
@pytest.mark.parametrize("shift", [0.0, 10.0, 1000.0])
def test_softmax_view_agrees_with_the_ops(text, t, shift):
    v = softmax_view(text, t, shift)
    z = parse_logits(text)
    assert v.valid and v.error is None and v.shift == shift
    np.testing.assert_array_equal(v.typed, z)
    np.testing.assert_array_equal(v.logits, z + shift)
    np.testing.assert_allclose(v.probabilities, act.softmax((z - z.max()) / t), atol=1e-12)
    assert v.entropy == pytest.approx(entropy(v.probabilities))
    assert v.max_entropy == pytest.approx(np.log(z.size))
    assert v.top_class == int(np.argmax(v.probabilities))
    assert list(v.state()) == ["valid", "logits", "temperature", "probabilities", "entropy",
                               "max_entropy", "top_class"]


@pytest.mark.parametrize("text, words", [("1, two", "'two' is not a number"),
                                         ("3", "type 2 to 20 logits"), ("", "got 0"),
                                         ("1, nan", "finite numbers")])
def test_softmax_view_explains_logits_it_cannot_read(text, words):
    v = softmax_view(text, 1.0, 0.0)
    assert not v.valid and words in v.error
    assert v.state() == {"valid": False, "error": v.error}
