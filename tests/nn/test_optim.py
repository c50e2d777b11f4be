"""Tests of cnnedu.nn.optim: first steps against hand-computed values, state, errors."""
import numpy as np
import pytest

from cnnedu.nn.optim import SGD, Adam, Optimizer, get_optimizer

P0 = [1.0, -2.0]
G1 = [0.5, -1.0]
G2 = [1.0, 2.0]


def two_steps(opt, dtype=np.float64):
    p = np.array(P0, dtype=dtype)
    opt.step([p], [np.array(G1, dtype=dtype)])
    p1 = p.copy()
    opt.step([p], [np.array(G2, dtype=dtype)])
    return p1, p


def test_sgd_plain_two_steps():
    # p <- p - 0.1 g:  [1, -2] - 0.1 [0.5, -1] = [0.95, -1.9];  - 0.1 [1, 2] -> [0.85, -2.1]
    p1, p2 = two_steps(SGD(lr=0.1))
    np.testing.assert_allclose(p1, [0.95, -1.9], rtol=1e-12)
    np.testing.assert_allclose(p2, [0.85, -2.1], rtol=1e-12)


def test_sgd_momentum_two_steps():
    # v1 = -0.1 g1 = [-0.05, 0.1];                p1 = [0.95, -1.9]
    # v2 = 0.9 v1 - 0.1 g2 = [-0.145, -0.11];      p2 = [0.805, -2.01]
    p1, p2 = two_steps(SGD(lr=0.1, momentum=0.9))
    np.testing.assert_allclose(p1, [0.95, -1.9], rtol=1e-12)
    np.testing.assert_allclose(p2, [0.805, -2.01], rtol=1e-12)


def test_sgd_nesterov_two_steps():
    # p1 = p0 + 0.9 v1 - 0.1 g1 = [1 - 0.045 - 0.05, -2 + 0.09 + 0.1] = [0.905, -1.81]
    # p2 = p1 + 0.9 v2 - 0.1 g2 = [0.905 - 0.1305 - 0.1, -1.81 - 0.099 - 0.2]
    p1, p2 = two_steps(SGD(lr=0.1, momentum=0.9, nesterov=True))
    np.testing.assert_allclose(p1, [0.905, -1.81], rtol=1e-12)
    np.testing.assert_allclose(p2, [0.6745, -2.109], rtol=1e-12)


def test_adam_two_steps_with_bias_correction():
    lr, eps = 0.1, 1e-7
    p1, p2 = two_steps(Adam(lr=lr, beta1=0.9, beta2=0.999, eps=eps))
    # step 1: m = 0.1 g, v = 0.001 g^2; corrected m_hat = g, v_hat = g^2, so the
    # step is lr * g / (|g| + eps): almost exactly lr in the direction of -g.
    expected1 = np.array([1.0 - lr * 0.5 / (0.5 + eps), -2.0 + lr * 1.0 / (1.0 + eps)])
    np.testing.assert_allclose(p1, expected1, rtol=1e-12)
    # step 2, first entry: m = 0.9*0.05 + 0.1*1 = 0.145, v = 0.999*0.00025 + 0.001*1 = 0.00124975
    #   m_hat = 0.145 / 0.19, v_hat = 0.00124975 / 0.001999
    # second entry: m = -0.09 + 0.2 = 0.11, v = 0.000999 + 0.004 = 0.004999
    m_hat = np.array([0.145, 0.11]) / (1 - 0.9 ** 2)
    v_hat = np.array([0.00124975, 0.004999]) / (1 - 0.999 ** 2)
    np.testing.assert_allclose(p2, p1 - lr * m_hat / (np.sqrt(v_hat) + eps), rtol=1e-12)
    np.testing.assert_allclose(p2, [0.80348183, -1.93661036], atol=1e-8)


def test_adam_weight_decay_is_decoupled():
    # AdamW: p <- p - lr*wd*p, then the Adam step computed from g alone
    lr, wd, eps = 0.1, 0.5, 1e-7
    p1, p2 = two_steps(Adam(lr=lr, eps=eps, weight_decay=wd))
    shrink = 1 - lr * wd                                   # 0.95
    expected1 = np.array([1.0 * shrink - lr * 0.5 / (0.5 + eps),
                          -2.0 * shrink + lr * 1.0 / (1.0 + eps)])
    np.testing.assert_allclose(p1, expected1, rtol=1e-12)
    m_hat = np.array([0.145, 0.11]) / (1 - 0.9 ** 2)
    v_hat = np.array([0.00124975, 0.004999]) / (1 - 0.999 ** 2)
    np.testing.assert_allclose(p2, p1 * shrink - lr * m_hat / (np.sqrt(v_hat) + eps),
                               rtol=1e-12)
    # with a zero gradient only the decay acts: exactly (1 - lr*wd) per step
    p = np.array(P0)
    opt = Adam(lr=lr, weight_decay=wd)
    for _ in range(3):
        opt.step([p], [np.zeros(2)])
    np.testing.assert_allclose(p, np.array(P0) * shrink ** 3, rtol=1e-15)
    # the L2 form (wd*p added to g) would be rescaled by Adam: not what is done
    l2 = Adam(lr=lr, eps=eps)
    q = np.array(P0)
    l2.step([q], [np.array(G1) + wd * np.array(P0)])
    assert not np.allclose(q, p1)


def test_adam_without_weight_decay_is_plain_adam():
    a, b = two_steps(Adam(lr=0.1)), two_steps(Adam(lr=0.1, weight_decay=0.0))
    np.testing.assert_array_equal(a[1], b[1])


def test_adam_first_step_size_is_lr_whatever_the_gradient_scale():
    # bias correction: without it the first step would be ~ lr * 0.1 / sqrt(0.001) ~ 3.2 lr
    for scale in (1e-3, 1.0, 1e3):
        p = np.zeros(3)
        Adam(lr=0.01).step([p], [np.array([1.0, -2.0, 3.0]) * scale])
        np.testing.assert_allclose(np.abs(p), 0.01, rtol=1e-3)


@pytest.mark.parametrize("opt", [SGD(lr=0.1), SGD(lr=0.1, momentum=0.9), Adam(lr=0.1)],
                         ids=["sgd", "momentum", "adam"])
def test_float32_parameters_stay_float32(opt):
    p32, _ = two_steps(opt, np.float32)
    assert p32.dtype == np.float32


def test_state_is_per_parameter_and_keyed_by_identity():
    opt = Adam()
    a, b = np.ones(2), np.ones(2)
    opt.step([a, b], [np.ones(2), np.ones(2)])
    opt.step([a], [np.ones(2)])
    assert opt.state(a)["t"] == 2
    assert opt.state(b)["t"] == 1
    assert opt.state(a.copy()) == {}              # a copy is another parameter
    opt.reset()
    assert opt.state(a) == {}


def test_step_accepts_dicts():
    p = {"w": np.array([1.0]), "b": np.array([2.0])}
    SGD(lr=0.5).step(p, {"b": np.array([2.0]), "w": np.array([1.0])})
    np.testing.assert_allclose([p["w"][0], p["b"][0]], [0.5, 1.0])


def test_momentum_zero_equals_plain_sgd():
    a = two_steps(SGD(lr=0.3))[1]
    b = two_steps(SGD(lr=0.3, momentum=0.0, nesterov=True))[1]
    np.testing.assert_array_equal(a, b)


def test_sgd_weight_decay_two_steps():
    # g <- g + 0.1 p, then the momentum step
    p1, p2 = two_steps(SGD(lr=0.1, momentum=0.9, weight_decay=0.1))
    g1 = np.array(G1) + 0.1 * np.array(P0)
    v1 = -0.1 * g1
    np.testing.assert_allclose(p1, np.array(P0) + v1)
    v2 = 0.9 * v1 - 0.1 * (np.array(G2) + 0.1 * p1)
    np.testing.assert_allclose(p2, p1 + v2)


def test_sgd_is_pytorch_momentum_with_a_scaled_velocity():
    # PyTorch: u <- mu u + g, p <- p - lr u; the same iterates, v = -lr u
    rng = np.random.default_rng(0)
    p, u = rng.standard_normal(4), np.zeros(4)
    q = p.copy()
    opt = SGD(lr=0.05, momentum=0.9)
    for _ in range(20):
        g = rng.standard_normal(4)
        opt.step([p], [g])
        u = 0.9 * u + g
        q -= 0.05 * u
        np.testing.assert_allclose(opt.state(p)["velocity"], -0.05 * u, rtol=1e-12)
    np.testing.assert_allclose(p, q, rtol=1e-12)


def test_get_optimizer():
    assert isinstance(get_optimizer("adam"), Adam)
    assert isinstance(get_optimizer("SGD"), SGD)
    assert get_optimizer("sgd").lr == 0.01 and get_optimizer("adam").lr == 0.001
    opt = SGD(lr=0.5)
    assert get_optimizer(opt) is opt
    assert isinstance(opt, Optimizer)


def test_repr():
    assert repr(SGD(lr=0.1, momentum=0.9)) == "SGD(lr=0.1, momentum=0.9)"
    assert repr(SGD(lr=0.1, weight_decay=1e-4)) == "SGD(lr=0.1, weight_decay=0.0001)"
    assert repr(Adam()) == "Adam(lr=0.001, beta1=0.9, beta2=0.999, eps=1e-07)"
    assert repr(Adam(weight_decay=0.01)) == ("Adam(lr=0.001, beta1=0.9, beta2=0.999, eps=1e-07, "
                                             "weight_decay=0.01)")


# ---------------------------------------------------------------- errors

@pytest.mark.parametrize("make, exc, match", [
    (lambda: SGD(lr=0), ValueError, r"lr must be a positive learning rate, got 0\.0"),
    (lambda: Adam(lr=-1e-3), ValueError, r"lr must be a positive learning rate, got -0\.001"),
    (lambda: SGD(lr="0.1"), TypeError, r"lr must be a number .*got '0\.1'"),
    (lambda: SGD(lr=float("nan")), ValueError, r"lr must be a positive learning rate, got nan"),
    (lambda: SGD(momentum=1.0), ValueError, r"momentum must be in \[0, 1\), got 1\.0"),
    (lambda: SGD(momentum=-0.1), ValueError, r"momentum must be in \[0, 1\), got -0\.1"),
    (lambda: SGD(nesterov="yes"), TypeError, r"nesterov must be True or False, got 'yes'"),
    (lambda: SGD(weight_decay=-1e-4), ValueError,
     r"weight_decay must be a number >= 0, got -0\.0001"),
    (lambda: Adam(beta1=1.0), ValueError, r"beta1 must be in \[0, 1\), got 1\.0"),
    (lambda: Adam(beta2=-0.5), ValueError, r"beta2 must be in \[0, 1\), got -0\.5"),
    (lambda: Adam(eps=0), ValueError, r"eps must be a positive number, got 0\.0"),
    (lambda: Adam(weight_decay=-1.0), ValueError, r"weight_decay must be a number >= 0, got -1\.0"),
    (lambda: get_optimizer("rmsprop"), ValueError,
     r"optimizer must be 'sgd', 'adam' or an Optimizer instance .*got 'rmsprop'"),
], ids=["lr-zero", "lr-negative", "lr-str", "lr-nan", "momentum-one", "momentum-negative",
        "nesterov-str", "weight-decay-negative", "beta1-one", "beta2-negative", "eps-zero",
        "adam-weight-decay-negative",
        "unknown-name"])
def test_bad_settings(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


def test_step_length_mismatch():
    with pytest.raises(ValueError, match="params and grads must have the same length, got 2 and 1"):
        SGD().step([np.ones(2), np.ones(2)], [np.ones(2)])


def test_step_shape_mismatch():
    with pytest.raises(ValueError,
                       match=r"grads\[0\] must have the shape of params\[0\] \(2,\), "
                             r"got \(3,\)"):
        SGD().step([np.ones(2)], [np.ones(3)])


def test_step_needs_arrays():
    with pytest.raises(TypeError, match=r"params\[0\] must be a numpy array .*got list"):
        SGD().step([[1.0, 2.0]], [np.ones(2)])


def test_step_dict_keys_mismatch():
    with pytest.raises(ValueError, match="params and grads must be dicts with the same keys"):
        SGD().step({"w": np.ones(1)}, {"b": np.ones(1)})
