"""Learning a hidden kernel by gradient descent: the problem, the runs, the explorer's
view, and clear errors."""
import warnings

import numpy as np
import pytest

from cnnedu import samples
from cnnedu.explain import learn as lx
from cnnedu.ops.conv import conv2d, im2col
from cnnedu.kernels import get_kernel


# ------------------------------------------------------------------ learning a kernel
@pytest.fixture(scope="module")
def problem():
    return lx.kernel_problem(samples.digits(4, "train", size=12))


def test_kernel_problem(problem):
    assert problem.inputs.shape == (4, 1, 12, 12) and problem.targets.shape == (4, 1, 10, 10)
    np.testing.assert_array_equal(problem.hidden, get_kernel("sobel_x"))
    np.testing.assert_allclose(problem.targets, conv2d(problem.inputs, problem.hidden[None, None]))
    H = problem.hessian
    np.testing.assert_allclose(H, H.T)
    eig = np.linalg.eigvalsh(H)
    assert problem.lam_max == pytest.approx(eig[-1]) and problem.lam_min == pytest.approx(eig[0])
    assert problem.lam_min > 0


def test_kernel_problem_hessian_is_the_loss_curvature(problem):
    # L(w) is quadratic: L(w + e) - 2 L(w) + L(w - e) = e^T H e exactly
    def loss(w):
        return np.mean((conv2d(problem.inputs, w.reshape(1, 1, 3, 3)) - problem.targets) ** 2)

    w = np.random.default_rng(7).standard_normal(9)
    e = np.random.default_rng(8).standard_normal(9) * 0.1
    second = loss(w + e) - 2 * loss(w) + loss(w - e)
    assert second == pytest.approx(e @ problem.hessian @ e, rel=1e-8)


def test_kernel_problem_takes_any_batch_and_kernel():
    x = samples.photo_crops(2, size=8)
    P = lx.kernel_problem(x, hidden=np.arange(4.0).reshape(2, 2))
    assert P.inputs.shape == (2, 1, 8, 8) and P.targets.shape == (2, 1, 7, 7)
    np.testing.assert_array_equal(P.inputs, x)
    assert P.inputs is not x and P.inputs.dtype == np.float64
    ints = lx.kernel_problem(np.ones((1, 1, 4, 4), dtype=int))
    assert ints.inputs.dtype == np.float64 and ints.targets.shape == (1, 1, 2, 2)


@pytest.mark.parametrize("inputs, hidden, error, match", [
    (np.ones((4, 4)), "sobel_x", ValueError,
     r"inputs must be a 4-D array \(N, 1, H, W\), got shape \(4, 4\)"),
    (np.ones((2, 3, 8, 8)), "sobel_x", ValueError,
     r"inputs must be a non-empty batch of one-channel images \(N, 1, H, W\), "
     r"got shape \(2, 3, 8, 8\)"),
    (np.ones((0, 1, 8, 8)), "sobel_x", ValueError, "inputs must be a non-empty batch"),
    ("cats", "sobel_x", TypeError, "inputs must be an array of real numbers"),
    (np.ones((1, 1, 2, 8)), "sobel_x", ValueError,
     r"hidden kernel \(3, 3\) does not fit 2x8 inputs"),
    (np.ones((1, 1, 8, 8)), "blur", ValueError, "unknown kernel 'blur'"),
], ids=["2-D", "three-channels", "empty", "text", "too-small", "unknown-kernel"])
def test_kernel_problem_errors(inputs, hidden, error, match):
    with pytest.raises(error, match=match):
        lx.kernel_problem(inputs, hidden=hidden)


def test_first_step_is_minus_lr_times_the_gradient(problem):
    lr = 0.3
    run = lx.learn_kernel(problem, lr, steps=1)
    A = im2col(problem.inputs, 3, 3).T
    grad = -2 * A.T @ problem.targets.transpose(1, 0, 2, 3).ravel() / A.shape[0]   # at w = 0
    np.testing.assert_allclose(run.kernels[1].ravel(), -lr * grad, rtol=1e-10)
    assert run.losses[0] == pytest.approx(np.mean(problem.targets ** 2))


def test_converging_run_recovers_the_kernel(problem):
    run = lx.learn_kernel(problem, 0.9 * 2 / problem.lam_max, steps=60, method="adam")
    assert not run.diverged and run.losses.shape == (61,) and run.kernels.shape == (61, 3, 3)
    assert run.predictions.shape == (61, 10, 10)
    sgd = lx.learn_kernel(problem, 1.0 / problem.lam_max, steps=300)
    assert np.all(np.diff(sgd.losses) <= 0)                   # below 2/lam_max: never up
    momentum = lx.learn_kernel(problem, 1.0 / problem.lam_max, steps=300, method="momentum")
    assert momentum.losses[-1] < sgd.losses[-1]
    np.testing.assert_allclose(momentum.kernels[-1], problem.hidden, atol=0.05)


def test_divergent_run_stops_without_warnings_or_nan(problem):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = lx.learn_kernel(problem, 3 * 2 / problem.lam_max, steps=200)
        huge = lx.learn_kernel(problem, 1e200, steps=5)
    assert run.diverged and len(run.losses) < 201
    assert run.growth > 1e6 and run.losses[-1] > 1e6 * run.losses[0]
    assert np.all(np.isfinite(run.kernels)) and np.all(np.isfinite(run.predictions))
    assert huge.diverged and np.all(np.isfinite(huge.losses))


def test_slightly_too_large_rate_grows_slowly(problem):
    run = lx.learn_kernel(problem, 1.05 * 2 / problem.lam_max, steps=100)
    assert not run.diverged or run.losses.size > 10
    assert run.losses[-1] > run.losses.min()                  # it turned around


def test_learn_kernel_errors(problem):
    with pytest.raises(ValueError, match="lr must be a positive finite number, got 0"):
        lx.learn_kernel(problem, 0)
    with pytest.raises(ValueError,
                       match=r"method must be one of \('sgd', 'momentum', 'adam'\), got 'rmsprop'"):
        lx.learn_kernel(problem, 0.1, method="rmsprop")
    with pytest.raises(TypeError, match="problem must be a KernelProblem"):
        lx.learn_kernel("digits", 0.1)
    with pytest.raises(ValueError, match="blowup must be a number greater than 1, got 0.5"):
        lx.learn_kernel(problem, 0.1, blowup=0.5)
    with pytest.raises(ValueError, match="the loss of the initial kernel is not finite"):
        lx.learn_kernel(problem, 0.1, init=np.full((3, 3), 1e300))
    with pytest.raises(ValueError,
                       match=r"init must have the hidden kernel's shape \(3, 3\), got \(2, 2\)"):
        lx.learn_kernel(problem, 0.1, init=np.zeros((2, 2)))


def test_learn_kernel_view_shows_the_run(problem):
    run = lx.learn_kernel(problem, 1.0, steps=30)
    v = lx.learn_kernel_view(problem, run, "digits", 1.0, 12)
    assert v["shown_step"] == 12 and v["step"] == 12 and v["data"] == "digits"
    np.testing.assert_array_equal(v["kernel"], run.kernels[12])
    np.testing.assert_array_equal(v["prediction"], run.predictions[12])
    np.testing.assert_array_equal(v["losses"], run.losses[:13])
    np.testing.assert_array_equal(v["target"], problem.targets[0, 0])
    np.testing.assert_array_equal(v["hidden"], problem.hidden)
    pred = conv2d(problem.inputs[:1], run.kernels[12][None, None])[0, 0]
    np.testing.assert_allclose(v["prediction"], pred)
    assert v["loss"] == run.losses[12] and not v["diverged"] and v["stopped_at"] is None
    assert v["lr_limit"] == pytest.approx(2 / problem.lam_max)


def test_learn_kernel_view_of_a_diverged_run_shows_its_last_step(problem):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = lx.learn_kernel(problem, 8.0, steps=100)
    v = lx.learn_kernel_view(problem, run, "digits", 8.0, 100)
    last = len(run.losses) - 1
    assert v["diverged"] and v["stopped_at"] == last == v["shown_step"] < 100
    assert v["step"] == 100 and v["growth"] == run.growth
    with pytest.raises(ValueError, match="step must be an int from 0 to 100, got 101"):
        lx.learn_kernel_view(problem, run, "digits", 8.0, 101)
    with pytest.raises(TypeError, match="problem and run must be a KernelProblem and a KernelRun"):
        lx.learn_kernel_view(run, problem, "digits", 8.0, 0)


def test_error_modes_split_the_starting_error(problem):
    modes = lx.error_modes(problem)
    assert modes.eigenvectors.shape == (9, 3, 3) and modes.components.shape == (9,)
    np.testing.assert_allclose(modes.eigenvalues, np.linalg.eigvalsh(problem.hessian))
    # the components rebuild the error w0 - w* = -w*
    rebuilt = np.tensordot(modes.components, modes.eigenvectors, axes=1)
    np.testing.assert_allclose(rebuilt, -problem.hidden, atol=1e-12)
    # Sobel x is odd under a half turn: no part along the even eigenvectors
    assert np.all(np.abs(modes.components[modes.even]) < 1e-9)
    assert not modes.active[modes.even].any() and modes.active[~modes.even].any()
    # a generic start meets every direction
    init = np.random.default_rng(0).standard_normal((3, 3))
    assert lx.error_modes(problem, init).active.all()


def test_error_modes_errors(problem):
    with pytest.raises(TypeError, match="problem must be a KernelProblem"):
        lx.error_modes("sobel_x")
    with pytest.raises(ValueError, match=r"init must have the hidden kernel's shape \(3, 3\)"):
        lx.error_modes(problem, np.zeros((2, 2)))


def test_learn_kernel_view_names_the_curvatures_the_run_meets(problem):
    run = lx.learn_kernel(problem, 1.0, steps=3)
    view = lx.learn_kernel_view(problem, run, "digits", 1.0, 3)
    modes = lx.error_modes(problem)
    assert view["lam_slow"] == modes.eigenvalues[modes.active].min()
    assert view["lam_fast"] == modes.eigenvalues[modes.active].max()
