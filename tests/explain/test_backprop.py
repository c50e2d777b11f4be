"""The numbers behind the backpropagation chapter: hand examples, agreement with
conv2d_backward / max_pool2d_backward, and clear errors."""
import warnings

import numpy as np
import pytest

from cnnedu import samples
from cnnedu.explain import backprop as bx
from cnnedu.ops.conv import conv2d, conv2d_backward, convolve2d, correlate2d, im2col
from cnnedu.gradcheck import numerical_gradient
from cnnedu.kernels import get_kernel
from cnnedu.ops.pool import max_pool2d, max_pool2d_backward


# ------------------------------------------------------------------ scalar graph
def test_scalar_graph_by_hand():
    g = bx.scalar_graph(0.5, 2.0, 0.3, 2.0)
    # p = 1, z = 1.3, r = -0.7, L = 0.49; dL/dr = 2r = -1.4
    expected_values = dict(w=0.5, x=2.0, b=0.3, t=2.0, p=1.0, z=1.3, r=-0.7, L=0.49)
    expected_adjoints = dict(L=1.0, r=-1.4, z=-1.4, p=-1.4, b=-1.4, t=1.4, w=-2.8, x=-0.7)
    for k, v in expected_values.items():
        assert g.values[k] == pytest.approx(v)
    for k, v in expected_adjoints.items():
        assert g.adjoints[k] == pytest.approx(v)


def test_scalar_graph_adjoints_match_finite_differences():
    point = np.array([1.3, -0.4, 0.7, 2.1])

    def loss():
        w, x, b, t = point
        return (w * x + b - t) ** 2

    numeric = numerical_gradient(loss, point)
    g = bx.scalar_graph(*point)
    analytic = [g.adjoints[k] for k in "wxbt"]
    np.testing.assert_allclose(analytic, numeric, rtol=1e-7)


def test_scalar_graph_errors():
    with pytest.raises(TypeError, match="w must be a real number, got 'a'"):
        bx.scalar_graph("a", 1, 1, 1)
    with pytest.raises(ValueError, match="t must be finite, got inf"):
        bx.scalar_graph(1, 1, 1, np.inf)


# ------------------------------------------------------------------ dilate
def test_dilate_by_hand():
    out = bx.dilate(np.array([[1, 2], [3, 4]]), 2)
    np.testing.assert_array_equal(out, [[1, 0, 2], [0, 0, 0], [3, 0, 4]])
    out = bx.dilate(np.array([[1.0, 2.0]]), (1, 3))
    np.testing.assert_array_equal(out, [[1, 0, 0, 2]])
    batch = np.ones((2, 3, 2, 2), dtype=np.float32)
    out = bx.dilate(batch, 3)
    assert out.shape == (2, 3, 4, 4) and out.dtype == np.float32
    assert out.sum() == batch.sum()


def test_dilate_errors():
    with pytest.raises(ValueError,
                       match=r"a must have at least 2 axes \(..., OH, OW\), got shape \(3,\)"):
        bx.dilate(np.ones(3), 2)
    with pytest.raises(ValueError, match="stride must be a positive int or"):
        bx.dilate(np.ones((2, 2)), 0)


# ------------------------------------------------------------------ conv gradients as correlations
GEOMETRIES = [  # H, W, KH, KW, stride, padding, dilation
    (5, 5, 3, 3, 1, 0, 1), (6, 7, 2, 3, 1, 1, 1), (7, 7, 3, 3, 2, 0, 1), (8, 6, 3, 2, 2, 1, 1),
    (9, 9, 3, 3, 3, 1, 1), (7, 8, 2, 2, (2, 3), (1, 0), 1), (9, 9, 3, 3, 1, 0, 2),
    (10, 9, 3, 2, 2, 2, 2), (4, 4, 4, 4, 1, 0, 1), (5, 5, 1, 1, 2, 0, 1),
]
IDS = [f"{H}x{W}-k{KH}x{KW}-s{s}-p{p}-d{d}".replace(" ", "")
       for H, W, KH, KW, s, p, d in GEOMETRIES]


@pytest.mark.parametrize("H, W, KH, KW, s, p, d", GEOMETRIES, ids=IDS)
def test_single_channel_formulas_equal_conv2d_backward(H, W, KH, KW, s, p, d):
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((H, W)), rng.standard_normal((KH, KW))
    y = conv2d(x[None, None], w[None, None], stride=s, padding=p, dilation=d)[0, 0]
    dy = rng.standard_normal(y.shape)
    dx, dw, _ = conv2d_backward(dy[None, None], x[None, None], w[None, None], s, p, d)
    np.testing.assert_allclose(bx.input_gradient_full(dy, w, (H, W), s, p, d), dx[0, 0],
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(bx.weight_gradient_correlate(x, dy, (KH, KW), s, p, d), dw[0, 0],
                               rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("H, W, KH, KW, s, p, d", GEOMETRIES[:6], ids=IDS[:6])
def test_multichannel_by_correlation_equals_conv2d_backward(H, W, KH, KW, s, p, d):
    rng = np.random.default_rng(1)
    x, w = rng.standard_normal((2, 3, H, W)), rng.standard_normal((4, 3, KH, KW))
    dy = rng.standard_normal(conv2d(x, w, stride=s, padding=p, dilation=d).shape)
    for got, expected in zip(bx.conv2d_backward_by_correlation(dy, x, w, s, p, d),
                             conv2d_backward(dy, x, w, s, p, d)):
        np.testing.assert_allclose(got, expected, rtol=1e-11, atol=1e-12)


def test_input_gradient_is_a_full_convolution_not_a_full_correlation():
    w = np.arange(1.0, 10.0).reshape(3, 3)           # not symmetric under a 180-degree turn
    dy = np.random.default_rng(2).standard_normal((4, 4))
    dx = bx.input_gradient_full(dy, w, (6, 6))
    np.testing.assert_allclose(dx, convolve2d(dy, w, mode="full"))
    np.testing.assert_allclose(dx, correlate2d(dy, w[::-1, ::-1], mode="full"))
    assert not np.allclose(dx, correlate2d(dy, w, mode="full"))


def test_gradients_by_hand():
    # 3x3 input, 2x2 kernel, stride 1: dy = ones gives every pixel the sum of the taps
    # that meet it; dw[u, v] is the sum of the pixels tap (u, v) meets.
    x = np.arange(9.0).reshape(3, 3)
    w = np.array([[1.0, 2.0], [3.0, 4.0]])
    dy = np.ones((2, 2))
    np.testing.assert_array_equal(bx.input_gradient_full(dy, w, (3, 3)),
                                  [[1, 3, 2], [4, 10, 6], [3, 7, 4]])
    np.testing.assert_array_equal(bx.weight_gradient_correlate(x, dy, 2),
                                  [[0 + 1 + 3 + 4, 1 + 2 + 4 + 5], [3 + 4 + 6 + 7, 4 + 5 + 7 + 8]])


def test_float32_stays_float32():
    x = np.ones((5, 5), dtype=np.float32)
    w = np.ones((3, 3), dtype=np.float32)
    dy = np.ones((3, 3), dtype=np.float32)
    assert bx.input_gradient_full(dy, w, (5, 5)).dtype == np.float32
    assert bx.weight_gradient_correlate(x, dy, 3).dtype == np.float32


def test_correlation_formula_errors():
    with pytest.raises(ValueError,
                       match=r"dy must have the output's shape \(OH, OW\) = \(3, 3\), "
                             r"got \(2, 2\)"):
        bx.input_gradient_full(np.ones((2, 2)), np.ones((3, 3)), (5, 5))
    with pytest.raises(ValueError, match=r"dy must have the output's shape \(OH, OW\) = \(2, 2\)"):
        bx.weight_gradient_correlate(np.ones((5, 5)), np.ones((3, 3)), 4)
    with pytest.raises(TypeError, match="padding must be a non-negative int or .* got 'same'"):
        bx.input_gradient_full(np.ones((5, 5)), np.ones((3, 3)), (5, 5), padding="same")
    with pytest.raises(ValueError, match="kernel 3x3 .* does not fit a 2x2 input with padding 0"):
        bx.input_gradient_full(np.ones((1, 1)), np.ones((3, 3)), (2, 2))
    with pytest.raises(ValueError,
                       match=r"w must be a 2-D array \(KH, KW\), got shape \(1, 3, 3\)"):
        bx.input_gradient_full(np.ones((3, 3)), np.ones((1, 3, 3)), (5, 5))
    with pytest.raises(ValueError, match="w has 2 input channels but x has 3"):
        bx.conv2d_backward_by_correlation(np.ones((1, 1, 3, 3)), np.ones((1, 3, 5, 5)),
                                          np.ones((1, 2, 3, 3)))
    with pytest.raises(ValueError,
                       match=r"dy must have shape \(N, F, OH, OW\) with \(N, F\) = \(1, 1\)"):
        bx.conv2d_backward_by_correlation(np.ones((2, 1, 3, 3)), np.ones((1, 1, 5, 5)),
                                          np.ones((1, 1, 3, 3)))


# ------------------------------------------------------------------ pixel contributions
def test_pixel_contributions_by_hand():
    corner = bx.pixel_contributions((5, 5), 3, (0, 0))
    np.testing.assert_array_equal(corner.pairs, [[0, 0, 0, 0]])
    centre = bx.pixel_contributions((5, 5), 3, (2, 2))
    assert len(centre.pairs) == 9 and centre.outputs.all() and centre.taps.all()
    # output (i, j) reads pixel (2, 2) through tap (2 - i, 2 - j)
    assert all(i + u == 2 and j + v == 2 for i, j, u, v in centre.pairs)
    # stride 2, padding 1: padded row 3 is read by outputs i with 2i + u = 3: (1, 1) only
    odd = bx.pixel_contributions((5, 5), 3, (2, 2), stride=2, padding=1)
    np.testing.assert_array_equal(odd.pairs, [[1, 1, 1, 1]])
    # stride 3 skips pixel 3 of a 7-wide input with a 2-wide kernel: windows 0-1, 3-4 ... no
    skipped = bx.pixel_contributions((7, 7), 2, (2, 2), stride=3)
    assert len(skipped.pairs) == 0 and not skipped.outputs.any()


@pytest.mark.parametrize("H, W, KH, KW, s, p, d", GEOMETRIES, ids=IDS)
def test_pixel_contributions_rebuild_the_input_gradient(H, W, KH, KW, s, p, d):
    rng = np.random.default_rng(3)
    x, w = rng.standard_normal((H, W)), rng.standard_normal((KH, KW))
    y = conv2d(x[None, None], w[None, None], stride=s, padding=p, dilation=d)[0, 0]
    dy = rng.standard_normal(y.shape)
    dx = conv2d_backward(dy[None, None], x[None, None], w[None, None], s, p, d)[0][0, 0]
    rebuilt = np.zeros((H, W))
    for r in range(H):
        for c in range(W):
            pc = bx.pixel_contributions((H, W), (KH, KW), (r, c), s, p, d)
            rebuilt[r, c] = sum(dy[i, j] * w[u, v] for i, j, u, v in pc.pairs)
            assert pc.outputs.shape == y.shape and pc.taps.shape == (KH, KW)
    np.testing.assert_allclose(rebuilt, dx, rtol=1e-12, atol=1e-12)


def test_pixel_contributions_errors():
    with pytest.raises(ValueError,
                       match=r"pixel must lie in the 5x5 input, 0 <= r < 5 and 0 <= c < 5, "
                             r"got \(5, 0\)"):
        bx.pixel_contributions((5, 5), 3, (5, 0))
    with pytest.raises(TypeError, match=r"pixel must be a pair of ints \(r, c\), got 3"):
        bx.pixel_contributions((5, 5), 3, 3)


# ------------------------------------------------------------------ conv_gradients
def test_conv_gradients_one_cell_pastes_the_kernel_on_the_window():
    x = np.random.default_rng(4).standard_normal((6, 6))
    w = np.arange(1.0, 10.0).reshape(3, 3)
    g = bx.conv_gradients(x, w, stride=2, padding=1, cell=(1, 2))
    assert g.y.shape == (3, 3) and g.dy.sum() == 1 and g.dy[1, 2] == 1
    assert g.loss == pytest.approx(g.y[1, 2])
    expected = np.zeros((8, 8))
    expected[2:5, 4:7] = w                    # window of (1, 2): padded rows 2-4, cols 4-6
    np.testing.assert_array_equal(g.dx, expected[1:7, 1:7])
    np.testing.assert_array_equal(g.dw, np.pad(x, 1)[2:5, 4:7])
    assert g.db == 1.0


def test_conv_gradients_sum_of_all_cells():
    x = np.random.default_rng(5).standard_normal((5, 5))
    w = np.random.default_rng(6).standard_normal((2, 2))
    g = bx.conv_gradients(x, w)
    assert g.loss == pytest.approx(g.y.sum())
    np.testing.assert_array_equal(g.dy, np.ones((4, 4)))
    numeric = numerical_gradient(lambda: conv2d(x[None, None], w[None, None]).sum(), x)
    np.testing.assert_allclose(g.dx, numeric, rtol=1e-7, atol=1e-9)
    assert g.db == 16.0


def test_conv_gradients_errors():
    with pytest.raises(ValueError, match=r"cell must lie in the 3x3 output, got \(3, 0\)"):
        bx.conv_gradients(np.ones((5, 5)), np.ones((3, 3)), cell=(3, 0))
    with pytest.raises(TypeError, match="cell must be None or a pair of ints"):
        bx.conv_gradients(np.ones((5, 5)), np.ones((3, 3)), cell="all")


# ------------------------------------------------------------------ learning a kernel
@pytest.fixture(scope="module")
def problem():
    return bx.kernel_problem(samples.digits(4, "train", size=12))


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
    P = bx.kernel_problem(x, hidden=np.arange(4.0).reshape(2, 2))
    assert P.inputs.shape == (2, 1, 8, 8) and P.targets.shape == (2, 1, 7, 7)
    np.testing.assert_array_equal(P.inputs, x)
    assert P.inputs is not x and P.inputs.dtype == np.float64
    ints = bx.kernel_problem(np.ones((1, 1, 4, 4), dtype=int))
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
        bx.kernel_problem(inputs, hidden=hidden)


def test_first_step_is_minus_lr_times_the_gradient(problem):
    lr = 0.3
    run = bx.learn_kernel(problem, lr, steps=1)
    A = im2col(problem.inputs, 3, 3).T
    grad = -2 * A.T @ problem.targets.transpose(1, 0, 2, 3).ravel() / A.shape[0]   # at w = 0
    np.testing.assert_allclose(run.kernels[1].ravel(), -lr * grad, rtol=1e-10)
    assert run.losses[0] == pytest.approx(np.mean(problem.targets ** 2))


def test_converging_run_recovers_the_kernel(problem):
    run = bx.learn_kernel(problem, 0.9 * 2 / problem.lam_max, steps=60, method="adam")
    assert not run.diverged and run.losses.shape == (61,) and run.kernels.shape == (61, 3, 3)
    assert run.predictions.shape == (61, 10, 10)
    sgd = bx.learn_kernel(problem, 1.0 / problem.lam_max, steps=300)
    assert np.all(np.diff(sgd.losses) <= 0)                   # below 2/lam_max: never up
    momentum = bx.learn_kernel(problem, 1.0 / problem.lam_max, steps=300, method="momentum")
    assert momentum.losses[-1] < sgd.losses[-1]
    np.testing.assert_allclose(momentum.kernels[-1], problem.hidden, atol=0.05)


def test_divergent_run_stops_without_warnings_or_nan(problem):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = bx.learn_kernel(problem, 3 * 2 / problem.lam_max, steps=200)
        huge = bx.learn_kernel(problem, 1e200, steps=5)
    assert run.diverged and len(run.losses) < 201
    assert run.growth > 1e6 and run.losses[-1] > 1e6 * run.losses[0]
    assert np.all(np.isfinite(run.kernels)) and np.all(np.isfinite(run.predictions))
    assert huge.diverged and np.all(np.isfinite(huge.losses))


def test_slightly_too_large_rate_grows_slowly(problem):
    run = bx.learn_kernel(problem, 1.05 * 2 / problem.lam_max, steps=100)
    assert not run.diverged or run.losses.size > 10
    assert run.losses[-1] > run.losses.min()                  # it turned around


def test_learn_kernel_errors(problem):
    with pytest.raises(ValueError, match="lr must be a positive finite number, got 0"):
        bx.learn_kernel(problem, 0)
    with pytest.raises(ValueError,
                       match=r"method must be one of \('sgd', 'momentum', 'adam'\), got 'rmsprop'"):
        bx.learn_kernel(problem, 0.1, method="rmsprop")
    with pytest.raises(TypeError, match="problem must be a KernelProblem"):
        bx.learn_kernel("digits", 0.1)
    with pytest.raises(ValueError, match="blowup must be a number greater than 1, got 0.5"):
        bx.learn_kernel(problem, 0.1, blowup=0.5)
    with pytest.raises(ValueError, match="the loss of the initial kernel is not finite"):
        bx.learn_kernel(problem, 0.1, init=np.full((3, 3), 1e300))
    with pytest.raises(ValueError,
                       match=r"init must have the hidden kernel's shape \(3, 3\), got \(2, 2\)"):
        bx.learn_kernel(problem, 0.1, init=np.zeros((2, 2)))


# ------------------------------------------------------------------ max pool routing
X4 = np.array([[1, 3, 2, 0],
               [4, 2, 1, 5],
               [0, 7, 6, 3],
               [6, 1, 2, 8]], dtype=float)


def test_max_pool_routing_by_hand():
    dy = np.array([[1.0, 2.0], [3.0, 4.0]])
    R = bx.max_pool_routing(X4, dy, 2)
    np.testing.assert_array_equal(R.output, [[4, 5], [7, 8]])
    np.testing.assert_array_equal(R.winners, [[[1, 0], [1, 3]], [[2, 1], [3, 3]]])
    expected = np.zeros((4, 4))
    expected[1, 0], expected[1, 3], expected[2, 1], expected[3, 3] = 1, 2, 3, 4
    np.testing.assert_array_equal(R.dx, expected)
    assert R.wins.sum() == 4 and R.ties == 0


@pytest.mark.parametrize("size, stride, padding", [(2, 2, 0), (3, 2, 0), (2, 1, 0), (3, 2, 1),
                                                   (2, 3, 0), (3, 1, 1), (1, 1, 0)],
                         ids=lambda v: str(v))
def test_max_pool_routing_agrees_with_the_library(size, stride, padding):
    rng = np.random.default_rng(9)
    x = rng.standard_normal((7, 8))
    y = max_pool2d(x[None, None], size, stride, padding)[0, 0]
    dy = rng.standard_normal(y.shape)
    R = bx.max_pool_routing(x, dy, size, stride, padding)
    np.testing.assert_array_equal(R.output, y)
    np.testing.assert_array_equal(
        R.dx, max_pool2d_backward(dy[None, None], x[None, None], size, stride, padding)[0, 0])
    rebuilt = np.zeros_like(x)
    np.add.at(rebuilt, (R.winners[..., 0], R.winners[..., 1]), dy)
    np.testing.assert_allclose(rebuilt, R.dx)
    assert R.wins.sum() == y.size
    assert np.all(x[R.winners[..., 0], R.winners[..., 1]] == y)


def test_max_pool_routing_ties_and_overlaps():
    tie = np.array([[5.0, 5.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    R = bx.max_pool_routing(tie, np.ones((1, 1)), 2)
    assert R.ties == 1 and tuple(R.winners[0, 0]) == (0, 0)     # the first in reading order
    centre = np.array([[1.0, 2.0, 1.0], [2.0, 9.0, 2.0], [1.0, 2.0, 1.0]])
    R = bx.max_pool_routing(centre, np.ones((2, 2)), 2, stride=1)
    assert R.wins[1, 1] == 4 and R.dx[1, 1] == 4.0


def test_max_pool_routing_errors():
    with pytest.raises(ValueError,
                       match=r"dy must have the pooled output's shape \(OH, OW\) = \(2, 2\), "
                             r"got \(3, 3\)"):
        bx.max_pool_routing(X4, np.ones((3, 3)), 2)


# ------------------------------------------------------------------ what the explorers show
VIEW_SETTINGS = [  # H, W, KH, KW, stride, padding, loss, cell, pixel
    (10, 10, 3, 3, 1, 0, "cell", 27, 55), (10, 10, 3, 3, 2, 1, "sum", 0, 45),
    (10, 10, 2, 2, 3, 0, "cell", 5, 99), (10, 10, 5, 5, 2, 3, "cell", 12, 0),
    (7, 9, 3, 2, 4, 1, "sum", 0, 62), (6, 6, 1, 1, 1, 0, "cell", 35, 20),
]


@pytest.mark.parametrize("H, W, KH, KW, s, p, loss, cell, pixel", VIEW_SETTINGS,
                         ids=[f"{h}x{w}-k{kh}x{kw}-s{s}-p{p}-{loss}"
                              for h, w, kh, kw, s, p, loss, _, _ in VIEW_SETTINGS])
def test_conv_backward_view_agrees_with_conv2d_backward(H, W, KH, KW, s, p, loss, cell, pixel):
    rng = np.random.default_rng(11)
    x, w = rng.standard_normal((H, W)), rng.standard_normal((KH, KW))
    v = bx.conv_backward_view(x, w, s, p, loss, cell, pixel)
    y = conv2d(x[None, None], w[None, None], stride=s, padding=p)[0, 0]
    assert v["valid"] and v["problem"] is None and v["output_size"] == y.shape
    np.testing.assert_allclose(v["y"], y)
    dy = np.ones_like(y)
    if loss == "cell":
        assert v["cell"] == divmod(cell, y.shape[1])
        dy = np.zeros_like(y)
        dy[v["cell"]] = 1.0
    else:
        assert v["cell"] is None
    np.testing.assert_array_equal(v["dy"], dy)
    dx, dw, db = conv2d_backward(dy[None, None], x[None, None], w[None, None], s, p)
    np.testing.assert_allclose(v["dx"], dx[0, 0])
    np.testing.assert_allclose(v["dw"], dw[0, 0])
    assert v["db"] == pytest.approx(db[0])
    r, c = v["pixel"]
    assert (r, c) == divmod(pixel, W)
    pc = bx.pixel_contributions((H, W), (KH, KW), (r, c), s, p)
    np.testing.assert_array_equal(v["pairs"], pc.pairs)
    np.testing.assert_array_equal(v["outputs"], pc.outputs)
    np.testing.assert_array_equal(v["taps"], pc.taps)
    assert sum(dy[i, j] * w[u, v_] for i, j, u, v_ in v["pairs"]) == pytest.approx(
        v["dx"][r, c], abs=1e-12)
    assert bx.output_cell_range((H, W), (KH, KW), s, p, loss) == (
        y.size - 1 if loss == "cell" else None)


def test_conv_backward_view_notes():
    x, w = np.ones((10, 10)), np.ones((3, 3))
    v = bx.conv_backward_view(x, w, stride=12, padding=0, loss="sum", pixel=99)
    assert v["output_size"] == (1, 1) and v["dx"][9, 9] == 0
    assert v["notes"][0] == ("Pixel (9, 9) lies in no window: it never reaches the output, so "
                             "its gradient is 0.")
    assert "fits only once down and across" in v["notes"][1]
    assert "(10&times;10)" in v["notes"][1]
    v = bx.conv_backward_view(x, np.ones((2, 2)), stride=3, padding=0, pixel=0)
    assert v["notes"] == ["The stride (3) is larger than the kernel (2&times;2): windows skip "
                          "pixels, and a skipped pixel gets zero gradient."]
    v = bx.conv_backward_view(x, w, stride=2, padding=0, pixel=0)
    assert len(v["notes"]) == 1 and "never read" in v["notes"][0]
    assert v["notes"][0].startswith("The stride does not tile") and np.all(v["dx"][-1] == 0)
    assert bx.conv_backward_view(x, w, stride=1, padding=1, pixel=0)["notes"] == []


def test_conv_backward_view_explains_a_kernel_that_does_not_fit():
    v = bx.conv_backward_view(np.ones((3, 3)), np.ones((5, 5)), 1, 0, "cell", cell=7, pixel=4)
    assert not v["valid"] and v["output_size"] == (0, 0) and v["pixel"] == (1, 1)
    assert v["problem"] == "the kernel spans 5 pixels but the padded input is only 3 wide."
    assert all(v[k] is None for k in ("y", "dy", "dx", "dw", "db", "cell", "pairs", "outputs",
                                      "taps"))
    assert v["notes"] == []
    assert bx.output_cell_range((3, 3), (5, 5), 1, 0, "cell") is None
    assert bx.conv_backward_view(np.ones((3, 3)), np.ones((5, 5)), 1, 1, "cell", 0, 4)["valid"]


def test_conv_backward_view_errors():
    x, w = np.ones((4, 5)), np.ones((3, 3))
    with pytest.raises(ValueError, match="loss must be 'cell' or 'sum', got 'mean'"):
        bx.conv_backward_view(x, w, loss="mean")
    with pytest.raises(ValueError, match=r"pixel must be an index into the 4x5 input "
                                         r"\(r \* W \+ c\), 0 to 19, got 20"):
        bx.conv_backward_view(x, w, pixel=20)
    with pytest.raises(ValueError, match=r"cell must be an index into the 2x3 output "
                                         r"\(i \* OW \+ j\), 0 to 5, got 6"):
        bx.conv_backward_view(x, w, loss="cell", cell=6)
    with pytest.raises(TypeError, match="cell must be an int index"):
        bx.conv_backward_view(x, w, loss="cell", cell=(0, 1))
    with pytest.raises(ValueError, match="stride must be a positive int"):
        bx.conv_backward_view(x, w, stride=0)
    with pytest.raises(ValueError, match="loss must be 'cell' or 'sum', got 'max'"):
        bx.output_cell_range((4, 5), (3, 3), loss="max")


def test_learn_kernel_view_shows_the_run(problem):
    run = bx.learn_kernel(problem, 1.0, steps=30)
    v = bx.learn_kernel_view(problem, run, "digits", 1.0, 12)
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
        run = bx.learn_kernel(problem, 8.0, steps=100)
    v = bx.learn_kernel_view(problem, run, "digits", 8.0, 100)
    last = len(run.losses) - 1
    assert v["diverged"] and v["stopped_at"] == last == v["shown_step"] < 100
    assert v["step"] == 100 and v["growth"] == run.growth
    with pytest.raises(ValueError, match="step must be an int from 0 to 100, got 101"):
        bx.learn_kernel_view(problem, run, "digits", 8.0, 101)
    with pytest.raises(TypeError, match="problem and run must be a KernelProblem and a KernelRun"):
        bx.learn_kernel_view(run, problem, "digits", 8.0, 0)


def test_upstream_gradient():
    np.testing.assert_array_equal(bx.upstream_gradient("ones", (2, 3)), np.ones((2, 3)))
    g = bx.upstream_gradient("random", (4, 4))
    np.testing.assert_array_equal(g, bx.upstream_gradient("random", (4, 4)))
    np.testing.assert_array_equal(g, np.round(g, 1))
    with pytest.raises(ValueError, match="upstream must be 'ones' or 'random', got 'zeros'"):
        bx.upstream_gradient("zeros", (2, 2))


@pytest.mark.parametrize("size, stride, upstream", [(2, 2, "ones"), (3, 2, "random"),
                                                    (2, 1, "random"), (6, 4, "ones"),
                                                    (2, 13, "random"), (1, 1, "ones")],
                         ids=lambda v: str(v))
def test_maxpool_routing_view_agrees_with_max_pool2d_backward(size, stride, upstream):
    x = np.random.default_rng(12).standard_normal((12, 11))
    v = bx.maxpool_routing_view(x, size, stride, upstream)
    y = max_pool2d(x[None, None], size, stride)[0, 0]
    assert v["valid"] and v["problem"] is None and v["output_size"] == y.shape
    np.testing.assert_array_equal(v["output"], y)
    np.testing.assert_array_equal(v["dy"], bx.upstream_gradient(upstream, y.shape))
    dx = max_pool2d_backward(v["dy"][None, None], x[None, None], size, stride)[0, 0]
    np.testing.assert_array_equal(v["dx"], dx)
    R = bx.max_pool_routing(x, v["dy"], size, stride)
    np.testing.assert_array_equal(v["winners"], R.winners)
    np.testing.assert_array_equal(v["wins"], R.wins)
    assert v["ties"] == R.ties and v["wins"].sum() == y.size


def test_maxpool_routing_view_explains_a_window_larger_than_the_map():
    v = bx.maxpool_routing_view(np.arange(9.0).reshape(3, 3), 5, 2, "random")
    assert not v["valid"] and v["output_size"] == (0, 0)
    assert v["problem"].startswith("a 5x5 window does not fit the 3x3 input")
    assert all(v[k] is None for k in ("output", "dy", "dx", "winners", "wins", "ties"))
    with pytest.raises(ValueError, match="upstream must be 'ones' or 'random', got 'zeros'"):
        bx.maxpool_routing_view(np.ones((3, 3)), 2, 2, "zeros")
    with pytest.raises(ValueError, match="size must be a positive int"):
        bx.maxpool_routing_view(np.ones((3, 3)), 0, 2)
