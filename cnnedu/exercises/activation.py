"""Checkers for the exercises of the chapter "Activation functions".

Each ``check_*`` function prints what is right or, for the first wrong case,
what was expected and what was given, and returns a truthy
:class:`~cnnedu.exercises.CheckResult` when everything is correct.
Functions written by the reader run with numpy's floating-point errors
raised (overflow, invalid values, division by zero), so an ``exp`` that
overflows is reported instead of printing a warning.
"""
from __future__ import annotations

import functools

import numpy as np

from ..ops import activation as act
from ._common import CheckResult, check_answer, check_function, not_written, unanswered

__all__ = ["RELU_INPUTS", "LEAKY_ALPHA", "DEAD_UNIT_W", "DEAD_UNIT_B", "TEMPERATURE_LOGITS",
           "check_relu_by_hand", "check_sigmoid_bound", "check_softmax_by_hand",
           "check_temperature_limits", "check_dead_unit", "check_leaky_relu", "check_elu",
           "check_softmax_jacobian"]

#: Inputs of exercise 1.
RELU_INPUTS = np.array([-2.0, -0.5, 0.0, 1.5])
#: The leaky ReLU slope of exercise 1.
LEAKY_ALPHA = 0.1
#: Weights and bias of the unit of exercise 5: ``z = w . x + b`` for ``x`` in [0, 1]^2.
DEAD_UNIT_W = np.array([1.0, -1.0])
DEAD_UNIT_B = -1.5
#: Logits of exercise 4.
TEMPERATURE_LOGITS = np.array([1.0, 3.0, 2.0])


def strict(fn):
    """Wrap ``fn`` so that numpy overflow, invalid values and division by zero raise
    ``FloatingPointError`` instead of warning (the wrapper keeps ``fn``'s name)."""
    @functools.wraps(fn)
    def wrapped(*args):
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            return fn(*args)
    return wrapped


def merge(name: str, parts: list[tuple[str, CheckResult]], quiet: bool = False) -> CheckResult:
    """Combine the results of several quiet checks into one, printed once.

    If no part was attempted (every function still raises ``NotImplementedError``),
    neither is the result; a part not attempted beside others that were counts
    as wrong and says what to do.
    """
    if all(not part.attempted for _, part in parts):
        result = not_written(name, [n for _, part in parts for n in part.missing],
                             sum(part.total for _, part in parts))
    else:
        result = CheckResult(name)
        for label, part in parts:
            result.passed += part.passed
            result.total += part.total
            messages = part.messages if part.attempted else [part.todo]
            result.messages += [f"  {label}:{m.strip() and ' ' + m.strip()}" for m in messages]
    if not quiet:
        print(result)
    return result


# ------------------------------------------------------------------ by hand
def check_relu_by_hand(relu_values, leaky_values, quiet=False):
    """Exercise 1: ReLU and leaky ReLU (alpha = 0.1) of ``RELU_INPUTS = [-2, -0.5, 0, 1.5]``."""
    todo = unanswered("ReLU and leaky ReLU by hand", quiet, relu_values=relu_values,
                      leaky_values=leaky_values)
    if todo is not None:
        return todo
    expected = (act.relu(RELU_INPUTS), act.leaky_relu(RELU_INPUTS, LEAKY_ALPHA))
    return check_answer("ReLU and leaky ReLU by hand",
                        (np.asarray(relu_values, dtype=float),
                         np.asarray(leaky_values, dtype=float)),
                        expected, quiet=quiet)


def check_sigmoid_bound(max_slope, bound_10_layers, quiet=False):
    """Exercise 2: the largest value of sigmoid', and the bound it gives through 10 layers."""
    todo = unanswered("sigmoid bound", quiet, max_slope=max_slope,
                      bound_10_layers=bound_10_layers)
    if todo is not None:
        return todo
    return check_answer("sigmoid bound", (max_slope, bound_10_layers), (0.25, 0.25 ** 10),
                        rtol=1e-3, atol=0, quiet=quiet)


def check_softmax_by_hand(p, quiet=False):
    """Exercise 3: softmax of ``[0, ln 2, ln 3]`` as three fractions."""
    todo = unanswered("softmax by hand", quiet, p=p)
    if todo is not None:
        return todo
    return check_answer("softmax by hand", np.asarray(p, dtype=float),
                        act.softmax(np.log([1.0, 2.0, 3.0])), rtol=0, atol=1e-3, quiet=quiet)


def check_temperature_limits(cold, hot, quiet=False):
    """Exercise 4: ``softmax(TEMPERATURE_LOGITS / T)`` as ``T -> 0`` (cold) and
    ``T -> inf`` (hot)."""
    todo = unanswered("temperature limits", quiet, cold=cold, hot=hot)
    if todo is not None:
        return todo
    k = TEMPERATURE_LOGITS.size
    cold_expected = np.eye(k)[int(np.argmax(TEMPERATURE_LOGITS))]
    return check_answer("temperature limits",
                        (np.asarray(cold, dtype=float), np.asarray(hot, dtype=float)),
                        (cold_expected, np.full(k, 1.0 / k)), rtol=0, atol=1e-3, quiet=quiet)


def check_dead_unit(max_preactivation, grad_w, quiet=False):
    """Exercise 5: the largest pre-activation of the unit over [0, 1]^2 and dReLU(z)/dw there."""
    todo = unanswered("dead unit", quiet, max_preactivation=max_preactivation, grad_w=grad_w)
    if todo is not None:
        return todo
    max_z = float(DEAD_UNIT_W.clip(min=0).sum() + DEAD_UNIT_B)
    return check_answer("dead unit", (max_preactivation, np.asarray(grad_w, dtype=float)),
                        (max_z, np.zeros(2)), quiet=quiet)


# ------------------------------------------------------------------ code
_GRID = np.array([-3.0, -1.0, -0.25, 0.5, 2.0])


def _cases_with_alpha(alphas):
    rng = np.random.default_rng(3)
    return [(_GRID, alphas[0]),
            (rng.standard_normal((3, 4)), alphas[1]),
            (rng.standard_normal((2, 3, 2)).astype(np.float32), alphas[2]),
            (np.array([-1000.0, -5.0, 5.0, 1000.0]), alphas[0])]


def check_leaky_relu(leaky_relu, leaky_relu_grad, quiet=False):
    """Exercise 6: ``leaky_relu(x, alpha)`` and ``leaky_relu_grad(x, alpha)``, any shape.

    Compared with :func:`cnnedu.ops.activation.leaky_relu` and ``leaky_relu_grad``
    (derivative ``alpha`` at the kink ``x = 0``) for several alphas and shapes.
    """
    cases = _cases_with_alpha([0.01, 0.2, 0.3])
    f = check_function("leaky_relu", strict(leaky_relu), act.leaky_relu, cases, quiet=True)
    g = check_function("leaky_relu_grad", strict(leaky_relu_grad), act.leaky_relu_grad, cases,
                       quiet=True)
    return merge("leaky ReLU", [("leaky_relu", f), ("leaky_relu_grad", g)], quiet=quiet)


def check_elu(elu, elu_grad, quiet=False):
    """Exercise 7: ``elu(x, alpha)`` and ``elu_grad(x, alpha)``, with no overflow at
    ``x = 1000``."""
    cases = _cases_with_alpha([1.0, 0.5, 2.0])
    f = check_function("elu", strict(elu), act.elu, cases, rtol=1e-5, quiet=True)
    g = check_function("elu_grad", strict(elu_grad), act.elu_grad, cases, rtol=1e-5, quiet=True)
    return merge("ELU", [("elu", f), ("elu_grad", g)], quiet=quiet)


def check_softmax_jacobian(jacobian, quiet=False):
    """Exercise 8: ``jacobian(z)`` for a 1-D ``z`` of K logits returns the (K, K) matrix
    ``J[i, j] = dp_i / dz_j``; compared with :func:`cnnedu.ops.activation.softmax_grad`."""
    rng = np.random.default_rng(8)
    cases = [(np.array([1.0, 2.0, 3.0]),),
             (rng.standard_normal(5),),
             (np.array([0.0, 0.0]),),
             (np.array([2.5]),),
             (np.array([1000.0, 999.0, 0.0]),)]
    return check_function("softmax Jacobian", strict(jacobian), act.softmax_grad, cases,
                          quiet=quiet)
