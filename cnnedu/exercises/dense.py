"""Checkers for the exercises of the chapter "Dense layers and the classification head".

Each ``check_*`` function prints what is right or, for the first wrong case,
what was expected and what was given, and returns a truthy
:class:`~cnnedu.exercises.CheckResult` when everything is correct.
Functions written by the reader run with numpy's floating-point errors
raised, so an overflowing ``exp`` is reported instead of printing a warning.
"""
from __future__ import annotations

import numpy as np

from ..nn.summary import conv_params, dense_params
from ..ops import activation as act
from ..ops.dense import dense
from ..ops.dropout import dropout
from ..ops.loss import softmax_cross_entropy
from ._common import check_answer, check_function, name_of, unanswered
from .activation import strict

__all__ = ["check_dense_shapes", "check_param_counts", "check_loss_by_hand",
           "check_gap_head", "check_dense", "check_softmax", "check_dropout",
           "check_softmax_cross_entropy"]


# ------------------------------------------------------------------ by hand
def check_dense_shapes(flat_shape, w_shape, z_shape, quiet=False):
    """Exercise 1: a batch (32, 64, 5, 5) flattened, then ``Dense(128)``: the shapes of
    the flattened batch, of the weights ``W`` (out, in) and of the output."""
    todo = unanswered("shapes", quiet, flat_shape=flat_shape, w_shape=w_shape, z_shape=z_shape)
    if todo is not None:
        return todo
    got = tuple(tuple(int(v) for v in s) for s in (flat_shape, w_shape, z_shape))
    return check_answer("shapes", got, ((32, 1600), (128, 1600), (32, 128)), quiet=quiet)


def check_param_counts(conv, flat_length, dense_layer, quiet=False):
    """Exercise 2: input (1, 32, 32); ``Conv2D(16, 5)`` (no padding), ``MaxPool2D(2)``,
    ``Flatten()``, ``Dense(64)``: parameters of the convolution, length of the flattened
    vector, parameters of the dense layer."""
    todo = unanswered("parameter counts", quiet,
                      conv=conv, flat_length=flat_length, dense_layer=dense_layer)
    if todo is not None:
        return todo
    side = (32 - 5 + 1) // 2
    flat = 16 * side * side
    return check_answer("parameter counts", (int(conv), int(flat_length), int(dense_layer)),
                        (conv_params(16, 1, 5), flat, dense_params(flat, 64)), quiet=quiet)


def check_loss_by_hand(loss_half, loss_uniform, quiet=False):
    """Exercise 3: the cross-entropy when the right class gets probability 1/2, and
    for a uniform guess over 10 classes."""
    todo = unanswered("cross-entropy by hand", quiet,
                      loss_half=loss_half, loss_uniform=loss_uniform)
    if todo is not None:
        return todo
    return check_answer("cross-entropy by hand", (float(loss_half), float(loss_uniform)),
                        (float(np.log(2)), float(np.log(10))), rtol=1e-3, atol=0, quiet=quiet)


def check_gap_head(gap_head, flatten_head, quiet=False):
    """Exercise 4: parameters of a head from (64, 5, 5) feature maps to 10 classes,
    with global average pooling + ``Dense(10)``, and with ``Flatten()`` + ``Dense(10)``."""
    todo = unanswered("GAP vs Flatten head", quiet, gap_head=gap_head, flatten_head=flatten_head)
    if todo is not None:
        return todo
    return check_answer("GAP vs Flatten head", (int(gap_head), int(flatten_head)),
                        (dense_params(64, 10), dense_params(64 * 5 * 5, 10)), quiet=quiet)


# ------------------------------------------------------------------ code
def check_dense(fn, quiet=False):
    """Exercise 5: ``fn(x, w, b)`` with ``x`` (N, D), ``w`` (M, D), ``b`` (M,) returns
    ``z`` (N, M), ``z = x W^T + b``; compared with :func:`cnnedu.ops.dense.dense`."""
    rng = np.random.default_rng(5)
    cases = []
    for n, d, m in [(4, 3, 2), (1, 5, 3), (2, 1, 4), (3, 6, 1), (5, 4, 4)]:
        cases.append((rng.standard_normal((n, d)), rng.standard_normal((m, d)),
                      rng.standard_normal(m)))
    cases.append(tuple(a.astype(np.float32) for a in cases[0]))
    return check_function("dense forward", strict(fn), dense, cases, rtol=1e-5, atol=1e-6,
                          quiet=quiet)


def check_softmax(fn, quiet=False):
    """Exercise 6: ``fn(z)`` is the softmax along the last axis, stable for large logits."""
    rng = np.random.default_rng(6)
    cases = [(np.array([1.0, 2.0, 3.0]),),
             (rng.standard_normal((4, 5)),),
             (np.array([[1000.0, 999.0, 0.0], [-1000.0, -1001.0, -999.0]]),),
             (np.array([7.0]),),
             (rng.standard_normal((2, 3, 4)).astype(np.float32),)]
    return check_function("stable softmax", strict(fn), act.softmax, cases, rtol=1e-5,
                          atol=1e-7, quiet=quiet)


def check_dropout(fn, quiet=False):
    """Exercise 7: ``fn(x, rate, rng, training)`` returns ``(y, mask)`` like
    :func:`cnnedu.ops.dropout.dropout`.

    The mask must be drawn as ``rng.random(x.shape) < 1 - rate`` (kept where
    true) so that the same generator gives the same mask; the checker passes
    a fresh ``numpy.random.default_rng(seed)`` to each function (a case shows
    the seed where ``rng`` goes).
    """
    rng = np.random.default_rng(7)

    def with_generator(f):
        return lambda x, rate, seed, training: f(x, rate, np.random.default_rng(seed), training)

    cases = [(rng.standard_normal((4, 6)), 0.5, 0, True),
             (rng.standard_normal((2, 3, 4, 4)), 0.2, 1, True),
             (rng.standard_normal((3, 5)), 0.75, 2, True),
             (rng.standard_normal((3, 5)), 0.5, 3, False),
             (rng.standard_normal((3, 5)), 0.0, 4, True)]
    return check_function("inverted dropout", with_generator(strict(fn)), with_generator(dropout),
                          cases, quiet=quiet, fn_name=name_of(fn))


def check_softmax_cross_entropy(fn, quiet=False):
    """Exercise 8: ``fn(logits, labels)`` returns ``(loss, dlogits)``, the mean
    cross-entropy of softmax(logits) and its gradient, like
    :func:`cnnedu.ops.loss.softmax_cross_entropy`."""
    rng = np.random.default_rng(8)
    cases = [(rng.standard_normal((4, 10)), np.array([3, 0, 9, 3])),
             (np.zeros((1, 10)), np.array([7])),
             (np.array([[1000.0, 0.0, -1000.0], [0.0, 500.0, 1000.0]]), np.array([1, 2])),
             (rng.standard_normal((6, 2)) * 5, np.array([0, 1, 1, 0, 1, 0]))]
    return check_function("softmax cross-entropy", strict(fn), softmax_cross_entropy, cases,
                          rtol=1e-6, atol=1e-9, quiet=quiet)
