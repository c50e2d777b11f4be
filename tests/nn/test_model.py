"""Tests of Sequential: summary, end-to-end gradients, training, determinism, errors."""
import re

import numpy as np
import pytest

from cnnedu.gradcheck import numerical_gradient, rel_error
from cnnedu.nn import (Conv2D, Dense, Dropout, Flatten, Input, MaxPool2D, ReLU, Softmax)
from cnnedu.nn.model import Sequential
from cnnedu.nn.optim import SGD, Adam
from cnnedu.nn.training import History

from .helpers import bars


def classic_cnn(**kwargs):
    return Sequential([
        Conv2D(32, (3, 3), activation="relu"), MaxPool2D(2),
        Conv2D(64, (3, 3), activation="relu"), MaxPool2D(2),
        Flatten(), Dense(128, activation="relu"), Dense(10, activation="softmax"),
    ], **kwargs)


def blobs(n=200, seed=0):
    """Two well separated 2-D Gaussian blobs, labels 0 and 1."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    X = rng.standard_normal((n, 2)) * 0.5 + np.where(y[:, None] == 1, 2.0, -2.0)
    return X, y


def mlp(seed=0, **kwargs):
    return Sequential([Dense(8, activation="relu"), Dense(2, activation="softmax")],
                      seed=seed, **kwargs)


# ---------------------------------------------------------------- summary

def test_summary_of_the_classic_mnist_cnn(capsys):
    model = classic_cnn()
    model.build((1, 28, 28))
    text = model.summary()
    assert capsys.readouterr().out.strip() == text.strip()
    rows = [line for line in text.splitlines() if re.match(r" \w+ \(\w+\) +\(None", line)]
    parsed = [(re.search(r"\(None[^)]*\)", r).group(), int(r.split()[-1])) for r in rows]
    assert parsed == [
        ("(None, 32, 26, 26)", 320), ("(None, 32, 13, 13)", 0),
        ("(None, 64, 11, 11)", 18496), ("(None, 64, 5, 5)", 0), ("(None, 1600)", 0),
        ("(None, 128)", 204928), ("(None, 10)", 1290)]
    assert "Total params: 225,034" in text
    assert "Trainable params: 225,034" in text
    assert [r.split()[0] for r in rows] == ["conv2d", "max_pool2d", "conv2d_1", "max_pool2d_1",
                                           "flatten", "dense", "dense_1"]
    assert model.count_params() == 225034


def test_summary_builds_from_input_and_returns_text():
    model = Sequential([Input((1, 28, 28)), Conv2D(4, 3), Flatten(), Dense(2)])
    assert model.built
    text = model.summary(print_fn=None)
    assert text.startswith('Model: "sequential"') and "(None, 4, 26, 26)" in text


def test_input_shape_argument_and_keras_none_batch_axis():
    a = Sequential([Conv2D(4, 3), Flatten(), Dense(2)], input_shape=(1, 8, 8))
    b = Sequential([Conv2D(4, 3), Flatten(), Dense(2)]).build((None, 1, 8, 8))
    assert a.output_shape == b.output_shape == (2,)


# ---------------------------------------------------------------- end-to-end gradient check

@pytest.mark.parametrize("head", ["softmax-dense", "softmax-layer", "logits"])
def test_whole_model_gradient_check(head):
    last = {"softmax-dense": [Dense(3, activation="softmax")],
            "softmax-layer": [Dense(3), Softmax()],
            "logits": [Dense(3)]}[head]
    model = Sequential([Conv2D(2, 3), ReLU(), MaxPool2D(2), Flatten(), *last],
                       dtype="float64", seed=1)
    model.compile(SGD(), loss="sparse_categorical_crossentropy")
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((3, 1, 6, 6)), np.array([0, 2, 1])
    model.compute_gradients(X, y)
    params, grads = model.parameters(), model.gradients()
    assert len(params) == 4 and all(p.dtype == np.float64 for p in params)
    for p, g in zip(params, grads):
        numeric = numerical_gradient(lambda: model.compute_loss(X, y), p)
        assert rel_error(g, numeric) < 1e-6


def test_whole_model_gradient_check_mse():
    model = Sequential([Dense(4, activation="tanh"), Dense(2)], dtype="float64")
    model.compile("sgd", loss="mse")
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((5, 3)), rng.standard_normal((5, 2))
    model.compute_gradients(X, y)
    for p, g in zip(model.parameters(), model.gradients()):
        assert rel_error(g, numerical_gradient(lambda: model.compute_loss(X, y), p)) < 1e-6


def test_fused_softmax_loss_equals_logits_loss():
    # same weights (same seed, same initialiser): a softmax head and a logits head
    # must give the same loss and gradients; the fused path never forms log(p).
    X, y = blobs(20)
    a = Sequential([Dense(5), Dense(2, activation="softmax")], dtype="float64")
    b = Sequential([Dense(5), Dense(2)], dtype="float64")
    for m in (a, b):
        m.compile(SGD(), loss="sparse_categorical_crossentropy")
    la, lb = a.compute_gradients(X, y), b.compute_gradients(X, y)
    assert la == pytest.approx(lb, rel=1e-12)
    for ga, gb in zip(a.gradients(), b.gradients()):
        np.testing.assert_allclose(ga, gb, rtol=1e-10)
    np.testing.assert_allclose(a.predict(X), b.predict(X), rtol=1e-10)


def test_fused_loss_is_finite_where_log_of_softmax_overflows():
    model = Sequential([Dense(2, activation="softmax", use_bias=False)], dtype="float64")
    model.compile(SGD(), loss="sparse_categorical_crossentropy")
    model.build((1,))
    model.layers[0].set_weights([np.array([[1000.0], [-1000.0]])])
    # p = softmax([1000, -1000]) = [1, 0]: log(p[1]) would be -inf; the fused loss is 2000
    assert model.compute_loss(np.array([[1.0]]), np.array([1])) == pytest.approx(2000.0)


# ---------------------------------------------------------------- training

def test_fit_separates_blobs():
    X, y = blobs()
    model = mlp()
    model.compile(Adam(lr=0.05), metrics=["accuracy"])
    history = model.fit(X, y, epochs=10, batch_size=16, verbose=0)
    loss = history.history["loss"]
    assert loss[-1] < 0.5 * loss[0]
    assert history.history["accuracy"][-1] > 0.95
    assert model.evaluate(X, y)[1] > 0.97


def test_fit_small_cnn_on_bars():
    X, y = bars()
    model = Sequential([Conv2D(4, 3, activation="relu"), MaxPool2D(2), Flatten(),
                        Dense(2, activation="softmax")], seed=0)
    model.compile(Adam(lr=0.02), metrics=["accuracy"])
    history = model.fit(X, y, epochs=15, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert model.evaluate(X, y)[1] >= 0.95


def test_same_seed_same_weights_after_fit():
    X, y = blobs(60)

    def trained(seed):
        model = Sequential([Dense(8, activation="relu"), Dropout(0.3),
                            Dense(2, activation="softmax")], seed=seed)
        model.compile("adam")
        model.fit(X, y, epochs=2, batch_size=8, verbose=0)
        return model.parameters()

    for a, b in zip(trained(3), trained(3)):
        np.testing.assert_array_equal(a, b)
    assert not all(np.array_equal(a, b) for a, b in zip(trained(3), trained(4)))


def test_history_keys_and_lengths():
    X, y = blobs(40)
    model = mlp()
    model.compile("adam", metrics=["accuracy"])
    history = model.fit(X, y, epochs=3, batch_size=10, validation_data=(X[:10], y[:10]), verbose=0)
    assert isinstance(history, History) and model.history is history
    assert list(history.history) == ["loss", "accuracy", "val_loss", "val_accuracy"]
    assert all(len(v) == 3 for v in history.history.values())
    assert history.epoch == [0, 1, 2]
    assert history.params == {"epochs": 3, "steps": 4, "batch_size": 10}
    # the validation numbers are evaluate()'s
    assert history.history["val_loss"][-1] == pytest.approx(model.evaluate(X[:10], y[:10])[0])


def test_history_without_metrics_has_loss_only():
    X, y = blobs(20)
    model = mlp()
    model.compile("sgd")
    assert list(model.fit(X, y, verbose=0).history) == ["loss"]
    assert isinstance(model.evaluate(X, y), float)
    assert set(model.evaluate(X, y, return_dict=True)) == {"loss"}


def test_fit_mse_regression_lowers_loss():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((100, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.3
    model = Sequential([Dense(1)])
    model.compile(SGD(lr=0.05), loss="mse")
    history = model.fit(X, y, epochs=20, batch_size=10, verbose=0)
    assert history.history["loss"][-1] < 1e-3 < history.history["loss"][0]


def test_fit_without_shuffle_is_deterministic_in_order():
    X, y = blobs(30)
    a, b = mlp(), mlp()
    for m in (a, b):
        m.compile("adam")
        m.fit(X, y, epochs=2, batch_size=7, shuffle=False, verbose=0)
    for pa, pb in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(pa, pb)


def test_nan_during_fit_names_epoch_and_batch():
    X, y = blobs(40)
    model = Sequential([Dense(8, activation="relu"), Dense(1)])
    model.compile(SGD(lr=1e6), loss="mse")
    with pytest.raises(FloatingPointError,
                       match=r"the loss became NaN or inf at epoch 1, batch "
                             r"\d+ of 4: .*smaller learning rate \(lr is 1e\+06\)"):
        model.fit(X, y.astype(float) * 100, epochs=3, batch_size=10, verbose=0)


def test_train_on_batch():
    X, y = blobs(16)
    model = mlp()
    model.compile(Adam(lr=0.05), metrics=["accuracy"])
    first = model.train_on_batch(X, y)
    for _ in range(20):
        last = model.train_on_batch(X, y)
    assert last[0] < first[0] and last[1] == 1.0


def test_train_on_batch_divergence():
    X, y = blobs(16)
    model = Sequential([Dense(8, activation="relu"), Dense(1)])
    model.compile(SGD(lr=1e12), loss="mse")
    with pytest.raises(FloatingPointError, match="the loss became NaN or inf at a training batch"):
        for _ in range(10):
            model.train_on_batch(X, y * 100.0)


def test_nan_in_X_is_reported_before_training():
    X, y = blobs(20)
    X[7, 1] = np.nan
    model = mlp()
    model.compile("adam")
    with pytest.raises(ValueError, match=r"X contains NaN or inf values \(first in sample 7\)"):
        model.fit(X, y, verbose=0)


def test_predict_returns_probabilities():
    X, y = blobs(30)
    for model in (mlp(), Sequential([Dense(8, activation="relu"), Dense(3)])):
        model.compile("adam")
        p = model.predict(X, batch_size=7)
        assert p.shape == (30, model.output_shape[0])
        np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-5)
        assert np.all(p >= 0)


def test_evaluate_matches_predict():
    X, y = blobs(50)
    model = mlp(dtype="float64")
    model.compile("adam", metrics=["accuracy"])
    model.fit(X, y, epochs=2, verbose=0)
    p = model.predict(X)
    loss, acc = model.evaluate(X, y, batch_size=16)
    assert loss == pytest.approx(-np.mean(np.log(p[np.arange(50), y])), rel=1e-9)
    assert acc == pytest.approx(np.mean(p.argmax(axis=1) == y))


def test_float32_model_computes_in_float32():
    X, y = blobs(20)
    model = mlp()
    model.compile("adam")
    model.fit(X, y, verbose=0)                      # X is float64: cast once to the model's dtype
    assert all(p.dtype == np.float32 for p in model.parameters())
    assert model.predict(X).dtype == np.float32
    model.astype("float64")
    assert model.predict(X).dtype == np.float64


# ---------------------------------------------------------------- printed progress

def test_verbose_0_prints_nothing(capsys):
    X, y = blobs(20)
    model = mlp()
    model.compile("adam", metrics=["accuracy"])
    model.fit(X, y, epochs=2, verbose=0)
    assert capsys.readouterr().out == ""


def test_verbose_2_prints_one_line_per_epoch(capsys):
    X, y = blobs(20)
    model = mlp()
    model.compile("adam", metrics=["accuracy"])
    model.fit(X, y, epochs=2, batch_size=5, validation_data=(X, y), verbose=2)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and "\r" not in "".join(lines)
    assert re.fullmatch(r"Epoch 2/2  4/4 \[=+\] loss \d\.\d{4} - accuracy \d\.\d{4} - "
                        r"val_loss \d\.\d{4} - val_accuracy \d\.\d{4} - \d+\.\ds", lines[1])


def test_verbose_1_redraws_the_line_in_place(capsys):
    X, y = blobs(20)
    model = mlp()
    model.compile("adam", metrics=["accuracy"])
    model.fit(X, y, epochs=1, batch_size=5, verbose=1)
    out = capsys.readouterr().out
    assert out.endswith("\n") and out.count("\n") == 1
    frames = out.rstrip("\n").split("\r")[1:]
    assert [f.split()[2] for f in frames] == ["1/4", "2/4", "3/4", "4/4", "4/4"]
    assert "[==============================]" in frames[-1]


# ---------------------------------------------------------------- structure

def test_get_layer_and_names():
    model = Sequential([Dense(4, name="hidden"), Dense(2)])
    assert model.get_layer("hidden") is model.layers[0]
    assert model.get_layer(index=1).name == "dense"
    assert repr(model.layers[1]) == "Dense(2)"


def test_add_after_build_builds_the_new_layer():
    model = Sequential([Input((3,)), Dense(4)])
    model.add(Dense(2))
    assert model.output_shape == (2,) and model.layers[1].params["w"].shape == (2, 4)


def test_repr():
    assert repr(Sequential([Dense(4, activation="relu"), Dense(2)])) == (
        "Sequential([\n    Dense(4, activation='relu'),\n    Dense(2)\n])")


# ---------------------------------------------------------------- errors

def test_fit_before_compile():
    with pytest.raises(RuntimeError, match=r"call compile\(optimizer='adam', .*\) before fit"):
        mlp().fit(*blobs(10), verbose=0)


def test_X_y_length_mismatch():
    model = mlp()
    model.compile("adam")
    X, y = blobs(10)
    with pytest.raises(ValueError,
                       match="X and y must have the same number of samples, got 10 and 9"):
        model.fit(X, y[:9], verbose=0)


def test_wrong_input_rank_for_first_layer():
    model = Sequential([Conv2D(4, 3), Flatten(), Dense(2)])
    model.compile("adam")
    with pytest.raises(ValueError,
                       match=r"X must be a 4-D array \(N, C, H, W\) for the first layer "
                             r"Conv2D\(4, kernel_size=\(3, 3\)\), got shape \(5, 8, 8\) "
                             r"\(3-D\); for one-channel images add a channel axis"):
        model.fit(np.zeros((5, 8, 8)), np.zeros(5, int), verbose=0)


def test_labels_out_of_range():
    model = mlp()
    model.compile("adam")
    X, y = blobs(10)
    y[4] = 2
    with pytest.raises(ValueError, match=r"y must hold class indices in \[0, 2\) for the model's 2 "
                                         r"outputs, got 2 at index 4"):
        model.fit(X, y, verbose=0)


def test_negative_label_in_validation_data():
    model = mlp()
    model.compile("adam")
    X, y = blobs(10)
    with pytest.raises(ValueError,
                       match=r"y_val must hold class indices in \[0, 2\) .*got -1 at index 0"):
        model.fit(X, y, validation_data=(X, -np.ones(10, int)), verbose=0)


def test_one_hot_labels_get_a_hint():
    model = mlp()
    model.compile("adam")
    X, y = blobs(10)
    with pytest.raises(ValueError, match=r"y looks one-hot encoded, use y.argmax\(axis=1\)"):
        model.fit(X, np.eye(2)[y], verbose=0)


def test_fractional_labels():
    model = mlp()
    model.compile("adam")
    X, _ = blobs(4)
    with pytest.raises(ValueError, match="y must hold integer class indices, got 0.5 at index 1"):
        model.evaluate(X, [0, 0.5, 1, 1])


def test_unknown_loss():
    with pytest.raises(ValueError,
                       match="loss must be 'sparse_categorical_crossentropy' or 'mse', "
                             "got 'categorical_crossentropy'; labels here are class indices"):
        mlp().compile("adam", loss="categorical_crossentropy")


def test_unknown_metric():
    with pytest.raises(ValueError, match="metrics may only hold 'accuracy', got 'f1'"):
        mlp().compile("adam", metrics=["f1"])


def test_unknown_optimizer():
    with pytest.raises(ValueError,
                       match="optimizer must be 'sgd', 'adam' or an Optimizer instance"):
        mlp().compile("adagrad")


def test_summary_before_build():
    with pytest.raises(RuntimeError,
                       match=r"summary\(\) needs a built model.*build\(\(1, 28, 28\)\)"):
        mlp().summary()


def test_kernel_too_big_names_the_layer():
    with pytest.raises(ValueError, match="layer 'conv2d_1': kernel 3x3 does not fit a 2x2 input"):
        Sequential([Input((1, 6, 6)), Conv2D(2, 3), MaxPool2D(2), Conv2D(2, 3)])


def test_sample_shape_differs_from_build():
    model = Sequential([Input((1, 8, 8)), Conv2D(2, 3), Flatten(), Dense(2)])
    with pytest.raises(ValueError, match=r"X holds samples of shape \(1, 9, 9\), but the model was "
                                         r"built for \(1, 8, 8\)"):
        model.predict(np.zeros((2, 1, 9, 9)))


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(epochs=0), ValueError, "epochs must be a positive int, got 0"),
    (dict(batch_size=0), ValueError, "batch_size must be a positive int, got 0"),
    (dict(verbose=3), ValueError, "verbose must be 0, 1 or 2, got 3"),
    (dict(validation_data=([1, 2],)), ValueError,
     r"validation_data must be a pair \(X_val, y_val\)"),
], ids=["epochs", "batch-size", "verbose", "validation-data"])
def test_bad_fit_arguments(kwargs, exc, match):
    model = mlp()
    model.compile("adam")
    with pytest.raises(exc, match=match):
        model.fit(*blobs(10), **{"verbose": 0, **kwargs})


def test_sequential_takes_layers_only():
    with pytest.raises(TypeError, match=r"Sequential takes cnnedu layers \(Conv2D, Dense, ...\), "
                                        r"got 'relu' \(str\)"):
        Sequential([Dense(2), "relu"])


def test_input_must_come_first():
    with pytest.raises(ValueError, match=r"Input\(...\) must come before the first layer"):
        Sequential([Dense(2), Input((3,))])


def test_same_layer_twice():
    layer = Dense(2)
    with pytest.raises(ValueError, match="is already in the model; create a new one"):
        Sequential([layer, layer])


def test_duplicate_name():
    with pytest.raises(ValueError, match="a layer named 'a' is already in the model"):
        Sequential([Dense(2, name="a"), Dense(2, name="a")])


def test_get_layer_unknown_name():
    with pytest.raises(ValueError,
                       match=r"no layer named 'x'; the layers are \['dense', 'dense_1'\]"):
        mlp().get_layer("x")


def test_bad_seed_and_dtype():
    with pytest.raises(ValueError, match="seed must be a non-negative int, got -1"):
        Sequential([Dense(2)], seed=-1)
    with pytest.raises(TypeError, match="dtype must be 'float32' or 'float64', got 'int32'"):
        Sequential([Dense(2)], dtype="int32")


def test_build_without_shape():
    with pytest.raises(ValueError,
                       match=r"build needs the shape of one input sample, "
                             r"e.g. build\(\(1, 28, 28\)\)"):
        mlp().build()


def test_build_without_layers():
    with pytest.raises(ValueError, match="the model has no layers: add some before building it"):
        Sequential().build((3,))


def test_predict_without_layers():
    with pytest.raises(ValueError, match="the model has no layers"):
        Sequential().predict(np.zeros((2, 3)))


def test_fit_on_no_samples():
    model = mlp()
    model.compile("adam")
    with pytest.raises(ValueError, match="X holds no samples"):
        model.fit(np.zeros((0, 2)), np.zeros(0, int), verbose=0)


def test_X_without_sample_axis():
    with pytest.raises(ValueError,
                       match=r"X must be a batch \(N, ...\) with at least 2 axes, "
                             r"got shape \(4,\)"):
        Sequential([Flatten(), Dense(2)]).predict(np.zeros(4))


def test_labels_of_wrong_dtype():
    model = mlp()
    model.compile("adam")
    with pytest.raises(TypeError, match="y must hold integer class indices, got dtype <U1"):
        model.evaluate(np.zeros((2, 2)), np.array(["a", "b"]))


def test_mse_targets_of_wrong_shape():
    model = Sequential([Dense(3)])
    model.compile("sgd", loss="mse")
    with pytest.raises(ValueError,
                       match=r"y must have one target of shape \(3,\) per sample for the "
                             r"model's output \(None, 3\), got y of shape \(4, 2\)"):
        model.fit(np.zeros((4, 2)), np.zeros((4, 2)), verbose=0)


def test_evaluate_with_broken_weights():
    model = mlp()
    model.compile("adam")
    model.build((2,))
    model.layers[0].params["w"][0, 0] = np.nan
    with pytest.raises(FloatingPointError,
                       match="the model's outputs are not finite "
                             r"\(samples 0 to 3\): its weights hold NaN or inf"):
        model.evaluate(np.ones((4, 2)), np.zeros(4, int))


def test_classification_needs_flat_output():
    model = Sequential([Conv2D(2, 3)])
    model.compile("adam")
    with pytest.raises(ValueError, match=r"sparse_categorical_crossentropy needs a model output "
                                         r"\(N, K\), got \(None, 2, 3, 3\)"):
        model.fit(np.zeros((2, 1, 5, 5)), np.zeros(2, int), verbose=0)


# ---------------------------------------------------------------- first layer's backward

def _full_backward_grads(model, X, y):
    """Every layer's gradients from the plain backward pass (dx of the first layer included)."""
    from cnnedu.nn.loss import loss_and_gradient
    from cnnedu.nn.training import single_blas_thread
    with single_blas_thread():
        _, dscores, _ = loss_and_gradient(model, model.forward(X, training=True), y)
        dout = model.layers[-1].backward_preactivation(dscores)
        for layer in reversed(model.layers[:-1]):
            dout = layer.backward(dout)
    assert dout.shape == X.shape
    return [g.copy() for g in model.gradients()]


@pytest.mark.parametrize("make", [lambda: classic_cnn(dtype="float32"),
                                  lambda: mlp(dtype="float32"),
                                  lambda: Sequential([Dense(3, activation="softmax")])],
                         ids=["cnn", "mlp", "one-layer"])
def test_first_layer_skips_dx_and_gradients_are_bit_identical(make):
    # the first layer's backward_weights skips the gradient w.r.t. the model's
    # input; every parameter gradient must be exactly the plain backward's
    rng = np.random.default_rng(42)
    model = make()
    model.compile("adam", metrics=["accuracy"])
    shape = (1, 12, 12) if isinstance(model.layers[0], Conv2D) else (2,)
    X = rng.standard_normal((16,) + shape).astype(np.float32)
    y = rng.integers(0, model.layers[-1].units, 16)
    model.build(shape)
    expected = _full_backward_grads(model, X, y)
    model.compute_gradients(X, y)
    got = model.gradients()
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        assert g.dtype == e.dtype
        np.testing.assert_array_equal(g, e)


def test_backward_weights_of_first_layers_computes_no_input_gradient(monkeypatch):
    import cnnedu.nn.conv as nn_conv
    calls = []
    real = nn_conv.conv2d_backward

    def spy(*args, **kwargs):
        calls.append(kwargs.get("input_grad", True))
        return real(*args, **kwargs)
    monkeypatch.setattr(nn_conv, "conv2d_backward", spy)
    model = classic_cnn(dtype="float32")
    model.compile("adam")
    X = np.random.default_rng(43).standard_normal((4, 1, 12, 12)).astype(np.float32)
    model.compute_gradients(X, np.arange(4))
    assert calls == [True, False]        # the second conv first, then the first without dx


def test_backward_weights_before_forward_raises():
    layer = Dense(3)
    layer.build((4,))
    with pytest.raises(RuntimeError, match="before forward"):
        layer.backward_weights(np.zeros((2, 3)))
