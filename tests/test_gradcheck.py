"""Tests of cnnedu.gradcheck.check_model: a whole network checked end to end."""
import numpy as np
import pytest

from cnnedu.gradcheck import check_model
from cnnedu import Conv2D, Dense, Flatten, MaxPool2D, Sequential


def tiny_model(dtype="float64"):
    model = Sequential([Conv2D(2, 3, activation="relu"), MaxPool2D(2), Flatten(), Dense(3)],
                       seed=0, dtype=dtype)
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    model.build((1, 6, 6))
    return model


def test_check_model_passes_a_correct_network():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((2, 1, 6, 6)), np.array([0, 2])
    results = check_model(tiny_model(), X, y)
    assert list(results) == ["conv2d.w", "conv2d.b", "dense.w", "dense.b"]
    assert all(results.values()), [str(r) for r in results.values()]
    assert max(r.error for r in results.values()) < 1e-6


def test_check_model_catches_a_wrong_backward():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((2, 1, 6, 6)), np.array([0, 2])
    model = tiny_model()
    dense = model.layers[-1]
    backward = dense.backward

    def wrong_backward(dy):
        dx = backward(dy)
        dense.grads["w"] = 2 * dense.grads["w"]     # a factor-2 bug
        return dx

    dense.backward = wrong_backward
    results = check_model(model, X, y)
    assert not results["dense.w"] and results["dense.w"].error > 0.1
    assert results["conv2d.w"]


def test_check_model_errors():
    X, y = np.zeros((1, 1, 6, 6)), np.array([0])
    with pytest.raises(TypeError, match="model must be a compiled Sequential"):
        check_model(object(), X, y)
    with pytest.raises(TypeError, match="must be float64 for a gradient check, got float32"):
        check_model(tiny_model("float32"), X, y)
