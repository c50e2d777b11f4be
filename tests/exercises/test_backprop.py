"""Checkers of the backpropagation exercises: they accept right answers and explain wrong ones."""
import numpy as np

from cnnedu.explain.backprop import dilate
from cnnedu.ops.dense import dense_backward
from cnnedu.exercises import backprop as ex
from cnnedu.gradcheck import numerical_gradient


def test_chain_rule(capsys):
    # w = 1.5, x = -2, b = 0.5, t = 1: r = -3 + 0.5 - 1 = -3.5, dL/dr = -7
    assert ex.check_chain_rule(14.0, -7.0, -10.5)
    assert "all 1 cases correct" in capsys.readouterr().out
    wrong = ex.check_chain_rule(-7.0, -7.0, -10.5, quiet=True)      # forgot the factor x
    assert not wrong and "item 0: got -7.0, expected 14" in str(wrong)


def test_backward_shapes():
    assert ex.check_backward_shapes((32, 1600), (128, 1600), (128,), quiet=True)
    wrong = ex.check_backward_shapes((32, 1600), (1600, 128), (128,), quiet=True)
    assert not wrong and "item 1: item 0: got 1600, expected 128" in str(wrong)


def test_relu_backward():
    assert ex.check_relu_backward(lambda dy, z: dy * (z > 0), quiet=True)
    at_zero = ex.check_relu_backward(lambda dy, z: dy * (z >= 0), quiet=True)   # relu'(0) = 1
    assert not at_zero and "got 5, expected 0" in str(at_zero)
    forgot_dy = ex.check_relu_backward(lambda dy, z: (z > 0).astype(float), quiet=True)
    assert not forgot_dy


def test_dense_backward(capsys):
    assert ex.check_dense_backward(dense_backward)
    assert "dense backward: all 5 cases correct" in capsys.readouterr().out
    assert ex.check_dense_backward(lambda dy, x, w: (dy @ w, dy.T @ x, dy.sum(axis=0)), quiet=True)
    mean = ex.check_dense_backward(lambda dy, x, w: (dy @ w, dy.T @ x, dy.mean(axis=0)), quiet=True)
    assert not mean and "item 2: values differ" in str(mean)
    transposed = ex.check_dense_backward(lambda dy, x, w: (dy @ w, x.T @ dy, dy.sum(0)), quiet=True)
    assert not transposed and "item 1: shape" in str(transposed)


def _centred(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        plus = f(x)
        x[i] = old - h
        minus = f(x)
        x[i] = old
        grad[i] = (plus - minus) / (2 * h)
    return grad


def test_numerical_gradient():
    assert ex.check_numerical_gradient(_centred, quiet=True)
    assert ex.check_numerical_gradient(
        lambda f, x, h=1e-5: numerical_gradient(lambda: f(x), x, h=h), quiet=True)

    def one_sided(f, x, h=1e-5):
        grad, f0 = np.zeros_like(x), f(x)
        for i in np.ndindex(x.shape):
            old = x[i]
            x[i] = old + h
            grad[i] = (f(x) - f0) / h
            x[i] = old
        return grad

    wrong = ex.check_numerical_gradient(one_sided, quiet=True)
    assert not wrong and "values differ" in str(wrong)

    def not_restored(f, x, h=1e-5):
        grad = _centred(f, x, h)
        x[0] += 1.0
        return grad

    wrong = ex.check_numerical_gradient(not_restored, quiet=True)
    assert not wrong and "x was changed by your function" in str(wrong)


def test_the_buggy_backward_is_buggy_only_with_a_stride():
    wrong = ex.check_conv_input_grad(ex.conv_input_grad_buggy, quiet=True)
    stride_one = sum(1 for case in ex.CONV_CASES if case[4] == 1)
    assert not wrong and wrong.passed == stride_one
    assert "values differ" in str(wrong)

    def fixed(dy, w, input_size, stride=1, padding=0):
        return ex.conv_input_grad_buggy(dilate(dy, stride), w, input_size, 1, padding)

    assert ex.check_conv_input_grad(fixed, quiet=True)


def _conv_backward_loops(dy, x, w, stride, padding):
    xp = np.pad(x, padding)
    dxp, dw = np.zeros_like(xp), np.zeros_like(w)
    KH, KW = w.shape
    for i in range(dy.shape[0]):
        for j in range(dy.shape[1]):
            rows = slice(i * stride, i * stride + KH)
            cols = slice(j * stride, j * stride + KW)
            dw += dy[i, j] * xp[rows, cols]
            dxp[rows, cols] += dy[i, j] * w
    H, W = x.shape
    return dxp[padding:padding + H, padding:padding + W], dw, dy.sum()


def test_conv_backward_single(capsys):
    assert ex.check_conv_backward_single(_conv_backward_loops)
    assert "all 7 cases correct" in capsys.readouterr().out

    def no_padding_crop(dy, x, w, stride, padding):
        dx, dw, db = _conv_backward_loops(dy, x, w, stride, padding)
        return np.pad(dx, padding), dw, db

    wrong = ex.check_conv_backward_single(no_padding_crop, quiet=True)
    assert not wrong and "shape" in str(wrong)

    def stride_ignored(dy, x, w, stride, padding):
        return _conv_backward_loops(dy, x, w, 1, padding) if stride == 1 else (
            np.zeros_like(x), np.zeros_like(w), dy.sum())

    wrong = ex.check_conv_backward_single(stride_ignored, quiet=True)
    assert not wrong and wrong.passed == sum(1 for c in ex.CONV_CASES if c[4] == 1)
