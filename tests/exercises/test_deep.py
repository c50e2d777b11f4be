"""The checkers of the chapter "Going deeper": not attempted, right and wrong answers."""
import math

import numpy as np

from cnnedu.exercises.deep import (EX3_CASES, check_batch_norm_backward, check_block_shapes,
                                   check_bn_inference, check_cosine_schedule,
                                   check_momentum_conventions, check_projection,
                                   check_running_update)


def bn_backward(dy, x, gamma, eps):
    """The chain rule step by step (written for this test, not the package's)."""
    axes = (0, 2, 3)
    s = x.shape[0] * x.shape[2] * x.shape[3]
    mu = x.mean(axis=axes, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=axes, keepdims=True)
    x_hat = (x - mu) / np.sqrt(var + eps)
    g = gamma.reshape(1, -1, 1, 1)
    dx_hat = dy * g
    dvar = np.sum(dx_hat * (x - mu) * -0.5 * (var + eps) ** -1.5, axis=axes, keepdims=True)
    dmu = np.sum(-dx_hat / np.sqrt(var + eps), axis=axes, keepdims=True)
    dx = dx_hat / np.sqrt(var + eps) + dvar * 2 * (x - mu) / s + dmu / s
    return dx, np.sum(dy * x_hat, axis=axes), np.sum(dy, axis=axes)


def test_batch_norm_backward_checker(capsys):
    def stub(dy, x, gamma, eps):
        raise NotImplementedError("write me")

    result = check_batch_norm_backward(stub)
    assert not result.attempted and "not written yet; write stub" in capsys.readouterr().out
    assert check_batch_norm_backward(bn_backward, quiet=True)

    def without_mean_path(dy, x, gamma, eps):        # forgets that x moves the mean
        dx, dgamma, dbeta = bn_backward(dy, x, gamma, eps)
        s = x.shape[0] * x.shape[2] * x.shape[3]
        return dx + dbeta.reshape(1, -1, 1, 1) * gamma.reshape(1, -1, 1, 1) / s / np.sqrt(
            x.var(axis=(0, 2, 3), keepdims=True) + eps), dgamma, dbeta

    wrong = check_batch_norm_backward(without_mean_path)
    assert wrong.attempted and not wrong
    assert "values differ" in capsys.readouterr().out

    def wrong_type(dy, x, gamma, eps):
        return dy

    assert not check_batch_norm_backward(wrong_type, quiet=True)


def test_block_shapes_checker(capsys):
    result = check_block_shapes(..., ..., ..., ...)
    assert not result.attempted and "not answered yet" in capsys.readouterr().out
    # derived by hand: ceil(14 / 2) = 7; 32*16*9 + 32*32*9 + 32*16 + 3 * 4*32 = 14,720
    assert check_block_shapes((32, 7, 7), (32, 7, 7), (32, 16, 1, 1), 14_720, quiet=True)
    assert not check_block_shapes((32, 14, 14), (32, 7, 7), (32, 16, 1, 1), 14_720, quiet=True)
    assert not check_block_shapes((32, 7, 7), (32, 7, 7), (32, 16, 1, 1), 14_656, quiet=True)
    partial = check_block_shapes((32, 7, 7), ..., (32, 16, 1, 1), 14_720)
    assert not partial.attempted and "block_out" in capsys.readouterr().out


def test_projection_checker(capsys):
    assert len(EX3_CASES) == 4
    result = check_projection([..., ..., ..., ...], [..., ..., ..., ...])
    assert not result.attempted and "not answered yet" in capsys.readouterr().out
    right = ([False, True, True, True], [None, (32, 16, 1, 1), (16, 16, 1, 1), (32, 8, 1, 1)])
    assert check_projection(*right, quiet=True)
    # a stride-2 block that keeps the channels still needs a projection
    assert not check_projection([False, True, False, True],
                                [None, (32, 16, 1, 1), None, (32, 8, 1, 1)], quiet=True)
    assert not check_projection(right[0], [None, (32, 16, 3, 3), (16, 16, 1, 1),
                                           (32, 8, 1, 1)], quiet=True)


def test_momentum_conventions_checker(capsys):
    assert not check_momentum_conventions(..., 0.9, ...).attempted
    assert "torch_for_keras and left_after_100" in capsys.readouterr().out
    assert check_momentum_conventions(0.01, 0.9, 0.99 ** 100, quiet=True)
    assert not check_momentum_conventions(0.99, 0.1, 0.99 ** 100, quiet=True)   # swapped
    assert not check_momentum_conventions(0.01, 0.9, 0.01 ** 100, quiet=True)


def test_bn_inference_checker():
    def mine(x, gamma, beta, mean, var, eps):
        c = (1, -1, 1, 1)
        return gamma.reshape(c) * (x - mean.reshape(c)) / np.sqrt(var.reshape(c) + eps) \
            + beta.reshape(c)

    assert check_bn_inference(mine, quiet=True)

    def batch_statistics(x, gamma, beta, mean, var, eps):   # ignores the given statistics
        return mine(x, gamma, beta, x.mean(axis=(0, 2, 3)), x.var(axis=(0, 2, 3)), eps)

    assert not check_bn_inference(batch_statistics, quiet=True)


def test_running_update_checker():
    def mine(mm, mv, x, m):
        return m * mm + (1 - m) * x.mean(axis=(0, 2, 3)), m * mv + (1 - m) * x.var(axis=(0, 2, 3))

    assert check_running_update(mine, quiet=True)

    def pytorch_style(mm, mv, x, m):                        # momentum weighs the new batch
        return (1 - m) * mm + m * x.mean(axis=(0, 2, 3)), (1 - m) * mv + m * x.var(axis=(0, 2, 3))

    assert not check_running_update(pytorch_style, quiet=True)

    def unbiased(mm, mv, x, m):
        return m * mm + (1 - m) * x.mean(axis=(0, 2, 3)), \
            m * mv + (1 - m) * x.var(axis=(0, 2, 3), ddof=1)

    assert not check_running_update(unbiased, quiet=True)


def test_cosine_schedule_checker():
    def mine(t, lr, total, warmup):
        if t < warmup:
            return lr * (t + 1) / warmup
        if t >= total:
            return 0.0
        return 0.5 * lr * (1 + math.cos(math.pi * (t - warmup) / (total - warmup)))

    assert check_cosine_schedule(mine, quiet=True)

    def warmup_from_zero(t, lr, total, warmup):               # t / W instead of (t + 1) / W
        return lr * t / warmup if t < warmup else mine(t, lr, total, warmup)

    assert not check_cosine_schedule(warmup_from_zero, quiet=True)
