"""Tests of cnnedu.nn.schedules and of optimizers and fit with a scheduled learning rate."""
import math

import numpy as np
import pytest

from cnnedu.nn import Dense
from cnnedu.nn.model import Sequential
from cnnedu.nn.optim import SGD, Adam
from cnnedu.nn.schedules import CosineDecay, LearningRateSchedule, StepDecay


# ------------------------------------------------------------------ the formulas
@pytest.mark.parametrize("t, expected", [
    (0, 0.5), (2, 0.5), (3, 0.05), (5, 0.05), (6, 0.005), (10, 0.5 * 0.1 ** 3)])
def test_step_decay_at_known_steps(t, expected):
    # eta_t = 0.5 * 0.1 ** floor(t / 3)
    assert StepDecay(0.5, step_size=3, gamma=0.1)(t) == pytest.approx(expected, rel=1e-12)


def test_step_decay_over_an_array_of_steps():
    s = StepDecay(1.0, step_size=4, gamma=0.5)
    t = np.arange(20)
    expected = [0.5 ** (k // 4) for k in range(20)]
    out = s(t)
    assert isinstance(out, np.ndarray) and out.shape == (20,)
    np.testing.assert_allclose(out, expected, rtol=1e-12)
    assert isinstance(s(np.int64(5)), float)


def cosine_by_hand(t, lr, total, warmup, final):
    if t < warmup:
        return lr * (t + 1) / warmup
    if t >= total:
        return final
    return final + 0.5 * (lr - final) * (1 + math.cos(math.pi * (t - warmup) / (total - warmup)))


@pytest.mark.parametrize("lr, total, warmup, final", [
    (1.0, 10, 0, 0.0), (0.1, 10, 3, 0.01), (2e-3, 100, 10, 0.0), (0.5, 5, 4, 0.5)],
    ids=["no-warmup", "warmup-3", "warmup-10", "flat"])
def test_cosine_decay_against_the_formula(lr, total, warmup, final):
    s = CosineDecay(lr, total, warmup_steps=warmup, final_lr=final)
    steps = list(range(total + 5))
    expected = [cosine_by_hand(t, lr, total, warmup, final) for t in steps]
    np.testing.assert_allclose(s(np.array(steps)), expected, rtol=1e-12, atol=1e-15)
    for t in (0, warmup, total - 1, total, total + 3):
        assert s(t) == pytest.approx(cosine_by_hand(t, lr, total, warmup, final), rel=1e-12)


def test_cosine_decay_landmarks():
    s = CosineDecay(0.8, total_steps=14, warmup_steps=4, final_lr=0.2)
    assert s(0) == pytest.approx(0.2)            # 0.8 * 1/4: the first update already moves
    assert s(3) == pytest.approx(0.8)            # end of warm-up
    assert s(4) == pytest.approx(0.8)            # start of the cosine
    assert s(9) == pytest.approx(0.5)            # half-way down: the mean of 0.8 and 0.2
    assert s(14) == pytest.approx(0.2) and s(1000) == pytest.approx(0.2)
    values = s(np.arange(4, 15))
    assert np.all(np.diff(values) < 0)           # decreasing after the warm-up


@pytest.mark.parametrize("make, error, words", [
    (lambda: StepDecay(0, 10), ValueError, "lr must be a positive number, got 0"),
    (lambda: StepDecay(-0.1, 10), ValueError, "lr must be a positive number"),
    (lambda: StepDecay("0.1", 10), TypeError, "lr must be a positive number"),
    (lambda: StepDecay(0.1, 0), ValueError, "step_size must be a positive int, got 0"),
    (lambda: StepDecay(0.1, 2.5), TypeError, "step_size must be an int"),
    (lambda: StepDecay(0.1, 10, gamma=0), ValueError, "gamma must be a positive number"),
    (lambda: StepDecay(0.1, 10, gamma=2), ValueError, "gamma must be in (0, 1]"),
    (lambda: StepDecay(float("nan"), 10), ValueError, "lr must be a positive number"),
    (lambda: CosineDecay(0.1, 0), ValueError, "total_steps must be a positive int"),
    (lambda: CosineDecay(0.1, 10, warmup_steps=-1), ValueError, "warmup_steps must be an int >= 0"),
    (lambda: CosineDecay(0.1, 10, warmup_steps=10), ValueError,
     "warmup_steps must be smaller than total_steps (10), got 10"),
    (lambda: CosineDecay(0.1, 10, final_lr=-1), ValueError, "final_lr must be a number >= 0"),
    (lambda: CosineDecay(0.1, 10, final_lr=0.2), ValueError, "final_lr must be in [0, lr]"),
])
def test_bad_arguments(make, error, words):
    with pytest.raises(error) as info:
        make()
    assert words in str(info.value)


@pytest.mark.parametrize("step, error, words", [
    (-1, ValueError, "step must be >= 0"), (1.5, TypeError, "step must be an int >= 0"),
    (True, TypeError, "step must be an int"), (np.array([0, -2]), ValueError, "got -2")])
def test_bad_steps(step, error, words):
    with pytest.raises(error, match=words.replace("(", r"\(")):
        StepDecay(0.1, 5)(step)


def test_reprs():
    assert repr(StepDecay(0.1, 5)) == "StepDecay(lr=0.1, step_size=5, gamma=0.1)"
    assert repr(CosineDecay(0.1, 5, 1)) == \
        "CosineDecay(lr=0.1, total_steps=5, warmup_steps=1, final_lr=0.0)"
    assert repr(SGD(lr=StepDecay(0.1, 5))) == "SGD(lr=StepDecay(lr=0.1, step_size=5, gamma=0.1))"


# ------------------------------------------------------------------ optimizers with a schedule
def test_sgd_on_a_quadratic_takes_the_scheduled_steps_exactly():
    # L(p) = 1/2 * sum(a * p**2), gradient a * p: each update must be exactly -lr_t * grad
    a = np.array([1.0, 3.0, 0.5])
    schedule = CosineDecay(0.2, total_steps=8, warmup_steps=3, final_lr=0.02)
    opt = SGD(lr=schedule)
    p = np.array([1.0, -2.0, 4.0])
    for t in range(12):
        assert opt.iterations == t
        lr_t = cosine_by_hand(t, 0.2, 8, 3, 0.02)
        assert opt.lr == pytest.approx(lr_t, rel=1e-12)
        before, grad = p.copy(), a * p
        opt.step([p], [grad])
        np.testing.assert_array_equal(p, before - schedule(t) * grad)
        np.testing.assert_allclose(p - before, -lr_t * grad, rtol=1e-12)
    assert opt.iterations == 12


def test_step_decay_sgd_with_momentum_uses_the_rate_of_each_update():
    # v <- mu v - lr_t g, p <- p + v; rates 0.1, 0.1, 0.05, 0.05
    opt = SGD(lr=StepDecay(0.1, step_size=2, gamma=0.5), momentum=0.9)
    p, v = np.array([1.0]), 0.0
    expected = 1.0
    for t, lr_t in enumerate([0.1, 0.1, 0.05, 0.05]):
        g = np.array([2.0 * t + 1.0])
        v = 0.9 * v - lr_t * g[0]
        expected += v
        opt.step([p], [g])
        assert p[0] == pytest.approx(expected, rel=1e-12)


def test_adam_with_a_schedule_matches_adam_with_the_rate_set_by_hand():
    schedule = StepDecay(0.01, step_size=2, gamma=0.3)
    scheduled, by_hand = Adam(lr=schedule), Adam(lr=0.01)
    p1, p2 = np.array([1.0, -1.0]), np.array([1.0, -1.0])
    for t in range(6):
        g = np.array([np.sin(t) + 0.5, np.cos(t)])
        by_hand.lr = schedule(t)
        scheduled.step([p1], [g])
        by_hand.step([p2], [g])
        np.testing.assert_array_equal(p1, p2)
    assert by_hand.schedule is None and scheduled.schedule is schedule


def test_the_counter_advances_once_per_step_whatever_the_number_of_parameters():
    opt = SGD(lr=StepDecay(1.0, step_size=1, gamma=0.5))
    params = [np.ones(3), np.ones((2, 2)), np.ones(1)]
    opt.step(params, [np.ones_like(q) for q in params])
    # every parameter used lr_0 = 1.0 in the same update
    for q in params:
        np.testing.assert_array_equal(q, 0.0)
    assert opt.iterations == 1 and opt.lr == 0.5


def test_setting_lr_switches_between_a_number_and_a_schedule():
    opt = SGD(lr=0.1)
    assert opt.schedule is None and opt.lr == 0.1
    opt.lr = StepDecay(0.3, 1)
    assert opt.lr == pytest.approx(0.3)
    opt.lr = 0.2
    assert opt.schedule is None and opt.lr == 0.2


@pytest.mark.parametrize("lr, error, words", [
    (lambda t: 0.1, TypeError, "lr must be a positive number or a LearningRateSchedule"),
    (0, ValueError, "lr must be a positive learning rate, got 0.0"),
    ("fast", TypeError, "lr must be a number")])
def test_bad_learning_rates(lr, error, words):
    with pytest.raises(error) as info:
        SGD(lr=lr)
    assert words in str(info.value)


def test_a_subclass_is_a_schedule():
    class Halving(LearningRateSchedule):
        def _rate(self, steps):
            return 0.5 ** steps

    opt = SGD(lr=Halving())
    p = np.array([1.0])
    opt.step([p], [np.array([1.0])])
    opt.step([p], [np.array([1.0])])
    assert p[0] == pytest.approx(1.0 - 1.0 - 0.5)


# ------------------------------------------------------------------ fit with a schedule
def mlp(lr, seed=0):
    model = Sequential([Dense(5, activation="relu"), Dense(3, activation="softmax")],
                       dtype="float64", seed=seed)
    model.compile(SGD(lr=lr), metrics=["accuracy"])
    return model


def data(n=20, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, 4)), rng.integers(0, 3, n)


def test_fit_records_the_rate_of_each_epochs_first_update():
    X, y = data(20)
    schedule = StepDecay(0.1, step_size=8, gamma=0.5)       # batch 5: 4 updates per epoch
    model = mlp(schedule)
    history = model.fit(X, y, epochs=5, batch_size=5, verbose=0)
    assert history.history["lr"] == pytest.approx([0.1 * 0.5 ** (4 * e // 8) for e in range(5)])
    assert model.optimizer.iterations == 20
    # fitting again carries the schedule on
    again = model.fit(X, y, epochs=1, batch_size=5, verbose=0)
    assert again.history["lr"] == pytest.approx([0.1 * 0.5 ** (20 // 8)])


def test_fit_with_a_constant_schedule_equals_fit_with_the_number_and_records_no_lr_without():
    X, y = data(20)
    plain, scheduled = mlp(0.1), mlp(StepDecay(0.1, step_size=1, gamma=1.0))
    h1 = plain.fit(X, y, epochs=2, batch_size=6, verbose=0)
    h2 = scheduled.fit(X, y, epochs=2, batch_size=6, verbose=0)
    for a, b in zip(plain.parameters(), scheduled.parameters()):
        np.testing.assert_array_equal(a, b)
    assert "lr" not in h1.history and h2.history["lr"] == [0.1, 0.1]
    assert h1.history["loss"] == h2.history["loss"]


def test_fit_with_a_decaying_schedule_trains_differently():
    X, y = data(20)
    plain, scheduled = mlp(0.1), mlp(StepDecay(0.1, step_size=2, gamma=0.1))
    plain.fit(X, y, epochs=2, batch_size=5, verbose=0)
    scheduled.fit(X, y, epochs=2, batch_size=5, verbose=0)
    assert not np.allclose(plain.parameters()[0], scheduled.parameters()[0])
