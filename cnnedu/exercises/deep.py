"""Checkers for the exercises of the chapter "Going deeper".

Each ``check_*`` function prints what is right or, for the first wrong case,
what was expected and what was given, and returns a truthy
:class:`~cnnedu.exercises.CheckResult` when everything is correct. The
expected values are computed with :mod:`cnnedu` (the ops, and blocks that
are built and measured), not typed in.
"""
from __future__ import annotations

import numpy as np

from ..nn import BatchNormalization, residual_block
from ..nn.schedules import CosineDecay
from ..ops.norm import batch_norm2d, batch_norm2d_backward
from ._common import CheckResult, check_answer, check_function, unanswered
from .activation import strict

__all__ = ["EX2_INPUT", "EX2_FILTERS", "EX2_STRIDE", "EX3_CASES", "check_batch_norm_backward",
           "check_block_shapes", "check_projection", "check_momentum_conventions",
           "check_bn_inference", "check_running_update", "check_cosine_schedule"]

def _arrays_answer(fn, returns: str):
    """``fn`` called on copies of its array arguments, its tuple ``returns`` as float64 arrays.

    ``returns`` names the expected tuple, e.g. ``'(dx, dgamma, dbeta)'``; an
    answer of another length or type raises a TypeError that says so.
    """
    count = returns.count(",") + 1

    def answer(*args):
        out = fn(*(a.copy() if isinstance(a, np.ndarray) else a for a in args))
        if not isinstance(out, (tuple, list)) or len(out) != count:
            raise TypeError(f"expected {returns}, got {type(out).__name__}")
        return tuple(np.asarray(o, dtype=np.float64) for o in out)

    answer.__name__ = getattr(fn, "__name__", "your function")
    return answer


#: Exercise 2: ``residual_block(EX2_FILTERS, stride=EX2_STRIDE)`` on samples of this shape.
EX2_INPUT = (16, 14, 14)
EX2_FILTERS = 32
EX2_STRIDE = 2

#: Exercise 3: ``(input shape (C, H, W), filters, stride)`` of four basic blocks.
EX3_CASES = (((16, 14, 14), 16, 1), ((16, 14, 14), 32, 1), ((16, 14, 14), 16, 2),
             ((8, 28, 28), 32, 2))


def _built(input_shape, filters, stride):
    block = residual_block(filters, stride=stride, seed=0)
    block.build(input_shape)
    return block


def check_batch_norm_backward(fn, quiet=False):
    r"""Exercise 1: ``fn(dy, x, gamma, eps)`` returns ``(dx, dgamma, dbeta)`` of the
    training-mode batch normalization (batch statistics over ``N, H, W``);
    compared in float64 with :func:`cnnedu.ops.norm.batch_norm2d_backward` on
    several shapes, among them one image of several pixels and a channel
    of equal values."""
    rng = np.random.default_rng(7)
    cases = []
    for shape in ((4, 3, 5, 5), (2, 1, 3, 4), (1, 2, 4, 4), (8, 5, 1, 1)):
        x = rng.standard_normal(shape) * 2 + 1
        cases.append((rng.standard_normal(shape), x, rng.standard_normal(shape[1]) + 1, 1e-5))
    x = rng.standard_normal((3, 2, 2, 2))
    x[:, 1] = 0.5                                   # a constant channel: variance 0
    cases.append((rng.standard_normal(x.shape), x, np.array([1.5, -0.5]), 1e-3))

    def reference(dy, x, gamma, eps):
        return batch_norm2d_backward(dy, x, gamma, eps)

    answer = _arrays_answer(fn, "(dx, dgamma, dbeta)")
    return check_function("batch norm backward", strict(answer), reference, cases,
                          rtol=1e-6, atol=1e-9, quiet=quiet)


def check_block_shapes(conv1, block_out, shortcut, params, quiet=False):
    """Exercise 2: for ``residual_block(EX2_FILTERS, stride=EX2_STRIDE)`` on samples
    of shape ``EX2_INPUT``: the per-sample shape (C, H, W) after the first
    convolution and after the block, the shape of the shortcut's convolution
    weights (F, C, KH, KW), and the block's number of parameters as
    ``summary()`` counts them (batch normalization's moving statistics
    included)."""
    todo = unanswered("a residual block's shapes", quiet, conv1=conv1, block_out=block_out,
                      shortcut=shortcut, params=params)
    if todo is not None:
        return todo
    block = _built(EX2_INPUT, EX2_FILTERS, EX2_STRIDE)
    expected = (tuple(block.main[0].output_shape(EX2_INPUT)),
                tuple(block.output_shape(EX2_INPUT)),
                tuple(block.shortcut[0].params["w"].shape), int(block.count_params()))
    try:
        got = (tuple(int(v) for v in conv1), tuple(int(v) for v in block_out),
               tuple(int(v) for v in shortcut), int(params))
    except (TypeError, ValueError):
        got = (conv1, block_out, shortcut, params)
    return check_answer("a residual block's shapes", got, expected, quiet=quiet)


def check_projection(needs, weights, quiet=False) -> CheckResult:
    """Exercise 3: for each block of ``EX3_CASES``, whether its shortcut needs a
    projection (``needs``: 4 bools), and the shape (F, C, KH, KW) of the
    projection's weights, or ``None`` where the identity does (``weights``)."""
    todo = unanswered("what a projection needs", quiet, needs=needs, weights=weights)
    if todo is not None:
        return todo
    expected_needs, expected_weights = [], []
    for shape, filters, stride in EX3_CASES:
        block = _built(shape, filters, stride)
        expected_needs.append(bool(block.shortcut))
        expected_weights.append(tuple(block.shortcut[0].params["w"].shape)
                                if block.shortcut else None)
    try:
        got_needs = tuple(bool(v) for v in needs)
        got_weights = tuple(None if w is None else tuple(int(v) for v in w) for w in weights)
    except (TypeError, ValueError):
        got_needs, got_weights = needs, weights
    return check_answer("what a projection needs", (got_needs, got_weights),
                        (tuple(expected_needs), tuple(expected_weights)), quiet=quiet)


def check_momentum_conventions(torch_for_keras, keras_for_torch, left_after_100, quiet=False):
    """Exercise 4: PyTorch's ``momentum`` for Keras' ``momentum=0.99``, Keras'
    ``momentum`` for PyTorch's ``momentum=0.1``, and the fraction of its start that
    a Keras-style running mean (``momentum=0.99``) still holds after 100 updates
    (measured on a :class:`~cnnedu.nn.norm.BatchNormalization` layer fed batches of
    ones: its running mean starts at 0 and moves towards 1)."""
    name = "momentum conventions"
    todo = unanswered(name, quiet, torch_for_keras=torch_for_keras,
                      keras_for_torch=keras_for_torch, left_after_100=left_after_100)
    if todo is not None:
        return todo
    layer = BatchNormalization(momentum=0.99)
    layer.build((1, 2, 2), dtype="float64")
    ones = np.ones((4, 1, 2, 2))
    for _ in range(100):
        layer.forward(ones, training=True)
    left = float(1 - layer.moving_mean[0])
    try:
        got = (float(torch_for_keras), float(keras_for_torch), float(left_after_100))
    except (TypeError, ValueError):
        got = (torch_for_keras, keras_for_torch, left_after_100)
    return check_answer(name, got, (1 - 0.99, 1 - 0.1, left), rtol=1e-3, atol=1e-6,
                        quiet=quiet)


def _bn_cases(seed):
    rng = np.random.default_rng(seed)
    cases = []
    for shape in ((4, 3, 5, 5), (1, 2, 3, 3), (6, 1, 1, 1)):
        c = shape[1]
        cases.append((rng.standard_normal(shape) * 2 + 1, rng.standard_normal(c) + 1,
                      rng.standard_normal(c), rng.standard_normal(c), rng.random(c) + 0.1))
    return cases


def check_bn_inference(fn, quiet=False):
    """Exercise 5: ``fn(x, gamma, beta, mean, var, eps)`` normalizes a batch (N, C, H, W)
    with given per-channel statistics (inference mode); compared with
    :func:`cnnedu.ops.norm.batch_norm2d` ``(x, gamma, beta, eps, mean=mean, var=var)``,
    among others on a batch of one image of one pixel."""
    cases = [args + (eps,) for args, eps in zip(_bn_cases(11), (1e-3, 1e-5, 0.5))]

    def reference(x, gamma, beta, mean, var, eps):
        return batch_norm2d(x, gamma, beta, eps, mean=mean, var=var)

    return check_function("batch norm at inference", strict(fn), reference, cases, quiet=quiet)


def check_running_update(fn, quiet=False):
    """Exercise 6: ``fn(moving_mean, moving_var, x, momentum)`` returns the running
    estimates after one training batch ``x`` (N, C, H, W), in Keras' convention
    (``momentum`` weighs the old value; the batch's biased variance); compared with
    what a :class:`~cnnedu.nn.norm.BatchNormalization` layer stores."""
    cases = []
    for (x, _, _, mean, var), m in zip(_bn_cases(12), (0.99, 0.9, 0.0)):
        if x.shape[0] * x.shape[2] * x.shape[3] > 1:
            cases.append((mean, var, x, m))

    def reference(moving_mean, moving_var, x, momentum):
        layer = BatchNormalization(momentum=momentum)
        layer.build(x.shape[1:], dtype="float64")
        layer.moving_mean[:] = moving_mean
        layer.moving_variance[:] = moving_var
        layer.forward(x, training=True)
        return layer.moving_mean.copy(), layer.moving_variance.copy()

    answer = _arrays_answer(fn, "(new_mean, new_var)")
    return check_function("running estimates", strict(answer), reference, cases, quiet=quiet)


def check_cosine_schedule(fn, quiet=False):
    """Exercise 7: ``fn(t, lr, total_steps, warmup_steps)`` is the learning rate of
    update ``t`` (0, 1, ...) under linear warm-up then cosine decay to 0; compared
    with :class:`cnnedu.nn.schedules.CosineDecay` at the start, inside and at the end
    of the warm-up, during and after the decay, and without warm-up."""
    cases = [(t, 0.002, 657, 219) for t in (0, 1, 100, 218, 219, 220, 438, 656, 657, 900)]
    cases += [(t, 0.1, 10, 0) for t in (0, 5, 9)]

    def reference(t, lr, total_steps, warmup_steps):
        return CosineDecay(lr, total_steps, warmup_steps)(t)

    def answer(t, lr, total_steps, warmup_steps):
        return float(fn(t, lr, total_steps, warmup_steps))

    answer.__name__ = getattr(fn, "__name__", "your function")
    return check_function("cosine schedule with warm-up", strict(answer), reference, cases,
                          rtol=1e-9, atol=1e-12, quiet=quiet)
