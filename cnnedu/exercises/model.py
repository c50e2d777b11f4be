"""Checkers for the exercises of the chapter "A complete CNN on real digits".

Each ``check_*`` function prints what is right or, for the first wrong case,
what was expected and what was given, and returns a truthy
:class:`~cnnedu.exercises.CheckResult` when everything is correct. The
expected values are computed with :mod:`cnnedu` (models are built and
their parameters counted, confusion matrices counted), not typed in.
"""
from __future__ import annotations

import numpy as np

from ..explain.model import confusion_matrix, saliency
from ..explain.pool import conv_multiply_adds
from ..nn import Conv2D, Dense, Flatten, Input, MaxPool2D
from ..ops.loss import accuracy
from ..nn.model import Sequential
from ._common import CheckResult, check_answer, check_function, name_of, not_written, unanswered
from .activation import strict

__all__ = ["EX3_TRUE", "EX3_PRED", "EX5_LAYERS", "check_param_counts", "check_same_shapes",
           "check_confusion_by_hand", "check_multiply_adds", "check_accuracy",
           "check_confusion_matrix", "check_new_architecture", "check_saliency"]

#: True classes of exercise 3 (classes 0, 1, 2).
EX3_TRUE = np.array([0, 0, 1, 1, 1, 2, 2, 2, 2, 0, 1, 2])
#: Predicted classes of exercise 3.
EX3_PRED = np.array([0, 1, 1, 1, 2, 2, 2, 0, 2, 0, 1, 1])


def _classic(padding="valid"):
    return Sequential([
        Input((1, 28, 28)),
        Conv2D(32, 3, padding=padding, activation="relu"), MaxPool2D(2),
        Conv2D(64, 3, padding=padding, activation="relu"), MaxPool2D(2),
        Flatten(), Dense(128, activation="relu"), Dense(10, activation="softmax"),
    ])


def _ints(values, name):
    try:
        return tuple(int(v) for v in values)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a sequence of ints, got {values!r}") from None


# ------------------------------------------------------------------ by hand
def check_param_counts(conv1, conv2, dense1, dense2, quiet=False):
    """Exercise 1: the parameters (weights and biases) of the four layers of the
    classic CNN that have any: ``Conv2D(32, 3)``, ``Conv2D(64, 3)``,
    ``Dense(128)``, ``Dense(10)``."""
    todo = unanswered("parameter counts", quiet,
                      conv1=conv1, conv2=conv2, dense1=dense1, dense2=dense2)
    if todo is not None:
        return todo
    model = _classic()
    expected = tuple(layer.count_params() for layer in model.layers if layer.params)
    return check_answer("parameter counts", _ints((conv1, conv2, dense1, dense2), "answers"),
                        expected, quiet=quiet)


def check_same_shapes(conv1, pool1, conv2, pool2, flat, quiet=False):
    """Exercise 2: the per-sample output shapes of the classic CNN when both
    convolutions use ``padding='same'`` (conv, pool, conv, pool as (C, H, W),
    then the length of the flattened vector)."""
    todo = unanswered("output shapes with padding='same'", quiet,
                      conv1=conv1, pool1=pool1, conv2=conv2, pool2=pool2, flat=flat)
    if todo is not None:
        return todo
    model = _classic("same")
    shapes = model.layer_output_shapes
    expected = (tuple(shapes[0]), tuple(shapes[1]), tuple(shapes[2]), tuple(shapes[3]),
                int(shapes[4][0]))
    got = (_ints(conv1, "conv1"), _ints(pool1, "pool1"), _ints(conv2, "conv2"),
           _ints(pool2, "pool2"), int(flat))
    return check_answer("output shapes with padding='same'", got, expected, quiet=quiet)


def check_confusion_by_hand(cm_1_2, cm_2_0, row_1, column_1, quiet=False):
    """Exercise 3: from ``EX3_TRUE`` and ``EX3_PRED``, the confusion-matrix entries
    ``cm[1, 2]`` (true 1, predicted 2) and ``cm[2, 0]``, the row ``cm[1]`` and the
    column ``cm[:, 1]``."""
    todo = unanswered("confusion matrix by hand", quiet,
                      cm_1_2=cm_1_2, cm_2_0=cm_2_0, row_1=row_1, column_1=column_1)
    if todo is not None:
        return todo
    cm = confusion_matrix(EX3_TRUE, EX3_PRED, 3)
    got = (int(cm_1_2), int(cm_2_0), _ints(row_1, "row_1"), _ints(column_1, "column_1"))
    expected = (int(cm[1, 2]), int(cm[2, 0]), tuple(int(v) for v in cm[1]),
                tuple(int(v) for v in cm[:, 1]))
    return check_answer("confusion matrix by hand", got, expected, quiet=quiet)


def check_multiply_adds(conv1, conv2, dense1, quiet=False):
    """Exercise 4: multiply-adds for one digit in ``conv2d`` (1 -> 32 channels,
    28 x 28 input), ``conv2d_1`` (32 -> 64 channels, 13 x 13 input) and the first
    dense layer (1600 -> 128); biases not counted."""
    todo = unanswered("multiply-adds", quiet, conv1=conv1, conv2=conv2, dense1=dense1)
    if todo is not None:
        return todo
    expected = (conv_multiply_adds((1, 28, 28), 32, 3), conv_multiply_adds((32, 13, 13), 64, 3),
                1600 * 128)
    return check_answer("multiply-adds", _ints((conv1, conv2, dense1), "answers"), expected,
                        quiet=quiet)


#: The architecture of exercise 5, as (layer, arguments) pairs.
EX5_LAYERS = (("Conv2D", dict(filters=16, kernel_size=5, activation="relu")),
              ("MaxPool2D", dict(pool_size=2)),
              ("Conv2D", dict(filters=32, kernel_size=3, activation="relu")),
              ("MaxPool2D", dict(pool_size=2)),
              ("Flatten", {}),
              ("Dense", dict(units=64, activation="relu")),
              ("Dense", dict(units=10, activation="softmax")))


def ex5_model() -> Sequential:
    """The model of exercise 5, built for ``(1, 28, 28)`` inputs."""
    kinds = {"Conv2D": Conv2D, "MaxPool2D": MaxPool2D, "Flatten": Flatten, "Dense": Dense}
    return Sequential([Input((1, 28, 28))] + [kinds[k](**kw) for k, kw in EX5_LAYERS])


def check_new_architecture(flat_length, total, quiet=False):
    """Exercise 5: for the network of ``EX5_LAYERS`` on (1, 28, 28) digits, the
    length of the flattened vector and the total number of parameters."""
    todo = unanswered("a new architecture", quiet, flat_length=flat_length, total=total)
    if todo is not None:
        return todo
    model = ex5_model()
    expected = (int(model.layer_output_shapes[4][0]), int(model.count_params()))
    return check_answer("a new architecture", _ints((flat_length, total), "answers"), expected,
                        quiet=quiet)


# ------------------------------------------------------------------ code
def check_accuracy(fn, quiet=False):
    """Exercise 6: ``fn(probs, labels)`` returns the fraction of rows of ``probs``
    (N, K) whose largest entry is at the true label; compared with
    :func:`cnnedu.ops.loss.accuracy` (ties: the first largest entry, as ``argmax``)."""
    rng = np.random.default_rng(5)

    def probs(n, k):
        z = rng.standard_normal((n, k)) * 3
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    p1 = probs(20, 10)
    cases = [(p1, p1.argmax(axis=1)),                                  # all right
             (p1, (p1.argmax(axis=1) + 1) % 10),                       # all wrong
             (p1, rng.integers(0, 10, 20)),
             (probs(1, 3), np.array([2])),
             (np.array([[0.5, 0.5], [0.3, 0.7], [0.6, 0.4]]), np.array([1, 1, 0])),  # a tie
             (probs(7, 2).astype(np.float32), rng.integers(0, 2, 7))]
    return check_function("accuracy", strict(fn), lambda p, y: accuracy(p, y), cases,
                          quiet=quiet)


def check_confusion_matrix(fn, quiet=False):
    """Exercise 7: ``fn(y_true, y_pred, num_classes)`` returns the (K, K) matrix
    of counts ``cm[t, p]``; compared with
    :func:`cnnedu.explain.model.confusion_matrix`, including classes that never
    occur and a single sample."""
    rng = np.random.default_rng(6)
    cases = [(EX3_TRUE, EX3_PRED, 3),
             (rng.integers(0, 10, 200), rng.integers(0, 10, 200), 10),
             (np.array([3]), np.array([1]), 5),                              # one sample
             (np.array([0, 0, 0, 0]), np.array([0, 0, 0, 0]), 4),            # classes never seen
             (rng.integers(0, 2, 50), rng.integers(0, 2, 50), 2)]
    return check_function("confusion matrix", fn, confusion_matrix, cases, quiet=quiet)


def _saliency_models():
    """Small float64 models for :func:`check_saliency` (every kind of layer, tiny shapes)."""
    a = Sequential([Input((1, 8, 8)), Conv2D(3, 3, activation="relu"), MaxPool2D(2), Flatten(),
                    Dense(6, activation="relu"), Dense(4, activation="softmax")],
                   seed=1, dtype="float64")
    b = Sequential([Input((2, 9, 7)), Conv2D(4, 3, activation="relu"), MaxPool2D(2),
                    Conv2D(3, 2, activation="relu"), Flatten(), Dense(5, activation="softmax")],
                   seed=2, dtype="float64")
    c = Sequential([Input((1, 6, 6)), Flatten(), Dense(3)], seed=3, dtype="float64")  # logits out
    return a, b, c


def check_saliency(fn, quiet=False):
    r"""Exercise 8: ``fn(model, x, c)`` returns :math:`\partial z_c / \partial x` for one
    input ``x`` of shape ``(1,) + model.input_shape`` and a class ``c``, where ``z``
    are the logits (the input of the final softmax), using the layers' ``forward``
    and ``backward``; compared with :func:`cnnedu.explain.model.saliency` on small
    float64 models, among them one whose last layer has no softmax.

    ``fn`` gets a copy of the input, so changing it in place does no harm.
    """
    rng = np.random.default_rng(8)
    models = _saliency_models()
    cases = []
    for model, cls in ((models[0], 2), (models[0], 0), (models[1], 4), (models[2], 1)):
        x = rng.random((1,) + model.input_shape)
        cases.append((model, x, cls))

    def reference(model, x, c):
        return saliency(model, x.copy(), classes=[c]).grad

    result = CheckResult("saliency gradient")
    stubbed = 0
    for model, x, c in cases:
        result.total += 1
        expected = reference(model, x, c)
        try:
            got = np.asarray(fn(model, x.copy(), c), dtype=np.float64)
        except Exception as exc:  # the reader's code failed: say how
            stubbed += isinstance(exc, NotImplementedError)
            why = f"raised {type(exc).__name__}: {exc}"
        else:
            if got.shape != expected.shape:
                why = f"shape {got.shape}, expected {expected.shape} (the shape of x)"
            elif not np.allclose(got, expected, rtol=1e-6, atol=1e-9):
                scale = np.abs(expected).max()
                if np.allclose(got, -expected, rtol=1e-6, atol=1e-9):
                    why = "the sign is flipped"
                else:
                    why = (f"values differ: largest difference {np.abs(got - expected).max():.3g} "
                           f"(the gradient's largest entry is {scale:.3g}); is the score the "
                           "logit, before the softmax?")
            else:
                why = None
        if why is None:
            result.passed += 1
        elif not result.messages:
            layers = " -> ".join(type(layer).__name__ for layer in model.layers)
            result.messages.append(f"  case (model {layers}, x {x.shape}, class {c}): {why}")
    if stubbed == result.total:
        result = not_written(result.name, [name_of(fn)], result.total)
    if not quiet:
        print(result)
    return result
