"""Tests of the loss and metrics of Sequential: names compile takes, fused softmax, accuracy."""
import numpy as np
import pytest

from cnnedu.nn import Dense, Softmax
from cnnedu.nn.loss import (CLASSIFICATION, backward_from_loss, count_correct, fuses_softmax,
                            loss_and_gradient, metric_logs, resolve_loss, resolve_metrics,
                            scores_of)
from cnnedu.nn.model import Sequential
from cnnedu.ops.loss import softmax_cross_entropy


@pytest.mark.parametrize("given, loss", [
    ("sparse_categorical_crossentropy", CLASSIFICATION), ("Sparse_Categorical_Crossentropy",
                                                          CLASSIFICATION),
    ("mse", "mse"), ("MSE", "mse"), ("mean_squared_error", "mse")])
def test_resolve_loss(given, loss):
    assert resolve_loss(given) == loss


@pytest.mark.parametrize("given", ["hinge", None, 3])
def test_resolve_loss_refuses_other_values(given):
    with pytest.raises(ValueError, match=f"loss must be 'sparse_categorical_crossentropy' or "
                                         f"'mse', got {given!r}$"):
        resolve_loss(given)


@pytest.mark.parametrize("given, metrics", [
    (None, []), ([], []), ("accuracy", ["accuracy"]), ("acc", ["accuracy"]),
    (["acc", "accuracy"], ["accuracy"]), (("accuracy",), ["accuracy"])])
def test_resolve_metrics(given, metrics):
    assert resolve_metrics(given) == metrics


def test_resolve_metrics_refuses_other_metrics():
    with pytest.raises(ValueError, match="metrics may only hold 'accuracy', got 'mae'"):
        resolve_metrics(["accuracy", "mae"])


def compiled(*layers, loss=CLASSIFICATION):
    model = Sequential(list(layers), dtype="float64", seed=0)
    model.compile("sgd", loss=loss)
    model.build((3,))
    return model


def test_fuses_softmax_only_for_classification_with_a_softmax_at_the_end():
    assert fuses_softmax(compiled(Dense(2, activation="softmax")))
    assert fuses_softmax(compiled(Dense(2), Softmax()))
    assert not fuses_softmax(compiled(Dense(2)))
    assert not fuses_softmax(compiled(Dense(2, activation="softmax"), loss="mse"))


def test_loss_and_gradient_start_at_the_logits_of_a_softmax_head():
    model = compiled(Dense(2, activation="softmax"))
    X, y = np.random.default_rng(0).standard_normal((4, 3)), np.array([0, 1, 1, 0])
    out = model.forward(X, training=True)
    logits = model.layers[-1].preactivation
    assert scores_of(model, out) is logits
    loss, dlogits, scores = loss_and_gradient(model, out, y)
    expected_loss, expected_d = softmax_cross_entropy(logits, y)
    assert scores is logits and loss == expected_loss
    np.testing.assert_array_equal(dlogits, expected_d)
    backward_from_loss(model, dlogits)
    np.testing.assert_allclose(model.layers[0].grads["b"], dlogits.sum(axis=0))


def test_loss_and_gradient_of_mse_uses_the_output():
    model = compiled(Dense(2), loss="mse")
    X = np.random.default_rng(1).standard_normal((4, 3))
    out = model.forward(X)
    loss, dout, scores = loss_and_gradient(model, out, np.zeros((4, 2)))
    assert scores is out and loss == pytest.approx(np.mean(out ** 2))
    assert dout.shape == out.shape


@pytest.mark.parametrize("loss, scores, y, correct", [
    (CLASSIFICATION, [[2.0, 1.0], [0.0, 3.0], [1.0, 0.0]], [0, 1, 1], 2),
    ("mse", [[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]], [[1, 0], [0, 1], [0, 1]], 2),
    ("mse", [[0.7], [0.2], [0.4]], [[1.0], [1.0], [0.0]], 2),
    ("mse", [0.7, 0.2, 0.4], [1.0, 0.0, 1.0], 2),
], ids=["labels", "one-hot", "one-target", "flat-targets"])
def test_count_correct(loss, scores, y, correct):
    assert count_correct(loss, np.array(scores), np.array(y)) == correct


def test_metric_logs_hold_the_accuracy_only_when_compiled_with_it():
    model = compiled(Dense(2))
    assert metric_logs(model, 0.5, 0.75) == {"loss": 0.5}
    model.compile("sgd", metrics=["accuracy"])
    assert metric_logs(model, 0.5, 0.75) == {"loss": 0.5, "accuracy": 0.75}
