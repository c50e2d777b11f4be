"""The numbers behind the backpropagation chapter: the scalar graph by hand, the
convolution's gradients as correlations agreeing with conv2d_backward, and clear errors."""

import numpy as np
import pytest

from cnnedu.explain import backprop as bx
from cnnedu.ops.conv import conv2d, conv2d_backward, convolve2d, correlate2d
from cnnedu.gradcheck import numerical_gradient


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


def single_channel_gradients(H, W, KH, KW, s, p, d, seed):
    """A random one-channel case of one of the GEOMETRIES and what conv2d_backward gives for it.

    Returns ``x (H, W)``, ``w (KH, KW)``, ``dy (OH, OW)`` and the gradients
    ``dx (H, W)`` and ``dw (KH, KW)``, all drawn from ``default_rng(seed)``.
    """
    rng = np.random.default_rng(seed)
    x, w = rng.standard_normal((H, W)), rng.standard_normal((KH, KW))
    y = conv2d(x[None, None], w[None, None], stride=s, padding=p, dilation=d)[0, 0]
    dy = rng.standard_normal(y.shape)
    dx, dw, _ = conv2d_backward(dy[None, None], x[None, None], w[None, None], s, p, d)
    return x, w, dy, dx[0, 0], dw[0, 0]


@pytest.mark.parametrize("H, W, KH, KW, s, p, d", GEOMETRIES, ids=IDS)
def test_single_channel_formulas_equal_conv2d_backward(H, W, KH, KW, s, p, d):
    x, w, dy, dx, dw = single_channel_gradients(H, W, KH, KW, s, p, d, seed=0)
    np.testing.assert_allclose(bx.input_gradient_full(dy, w, (H, W), s, p, d), dx,
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(bx.weight_gradient_correlate(x, dy, (KH, KW), s, p, d), dw,
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
