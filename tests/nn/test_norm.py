"""Tests of the BatchNormalization layer: statistics, modes, gradients, training, errors."""
import re

import numpy as np
import pytest

from cnnedu.gradcheck import check_gradient, check_layer, check_model
from cnnedu.nn import BatchNormalization, Conv2D, Dense, Flatten, Input, ReLU
from cnnedu.nn.model import Sequential
from cnnedu.nn.optim import Adam

from .helpers import bars, TrainingMode


def images(shape=(6, 3, 4, 5), seed=0):
    """Channels with means and spreads far from 0 and 1."""
    rng = np.random.default_rng(seed)
    c = shape[1]
    return (rng.standard_normal(shape) * rng.uniform(0.5, 3, c)[None, :, None, None]
            + rng.uniform(-2, 2, c)[None, :, None, None])


# ---------------------------------------------------------------- running statistics

def test_running_statistics_by_hand():
    layer = BatchNormalization()                         # momentum 0.99
    # one channel; batch 1 holds 1 and 3 (mean 2, biased variance 1)
    layer.forward(np.array([[1.0], [3.0]]), training=True)
    np.testing.assert_allclose(layer.moving_mean, [0.01 * 2])                  # 0.99 * 0 + ...
    np.testing.assert_allclose(layer.moving_variance, [0.99 * 1 + 0.01 * 1])
    # batch 2 holds 0 and 4 (mean 2, biased variance 4)
    layer.forward(np.array([[0.0], [4.0]]), training=True)
    np.testing.assert_allclose(layer.moving_mean, [0.0398])          # 0.99 * 0.02 + 0.01 * 2
    np.testing.assert_allclose(layer.moving_variance, [1.03])        # 0.99 * 1 + 0.01 * 4


def test_running_statistics_of_images_after_known_batches():
    layer = BatchNormalization(momentum=0.8, dtype="float64")
    batches = [images(seed=s) for s in range(3)]
    mean, var = np.zeros(3), np.ones(3)
    for x in batches:
        layer.forward(x, training=True)
        values = x.transpose(1, 0, 2, 3).reshape(3, -1)             # channel c: all its values
        batch_mean = values.sum(axis=1) / values.shape[1]
        batch_var = ((values - batch_mean[:, None]) ** 2).sum(axis=1) / values.shape[1]
        mean = 0.8 * mean + 0.2 * batch_mean
        var = 0.8 * var + 0.2 * batch_var
    np.testing.assert_allclose(layer.moving_mean, mean, rtol=1e-12)
    np.testing.assert_allclose(layer.moving_variance, var, rtol=1e-12)


def test_inference_does_not_touch_the_running_statistics():
    layer = BatchNormalization()
    x = images()
    layer.forward(x, training=True)
    before = layer.get_weights()
    layer.forward(images(seed=1))
    layer.forward(images(seed=2), training=False)
    for a, b in zip(layer.get_weights(), before):
        np.testing.assert_array_equal(a, b)


# ---------------------------------------------------------------- training vs inference

def test_training_normalizes_with_the_batch_and_inference_with_the_moving_statistics():
    layer = BatchNormalization(momentum=0.5, epsilon=1e-3, dtype="float64")
    x = images()
    y = layer.forward(x, training=True)
    np.testing.assert_allclose(y.mean(axis=(0, 2, 3)), 0, atol=1e-12)
    layer.params["gamma"][:] = [2.0, 0.5, 1.0]
    layer.params["beta"][:] = [0.1, -0.2, 0.3]
    mm, mv = layer.moving_mean, layer.moving_variance
    expected = ((x - mm[None, :, None, None]) / np.sqrt(mv[None, :, None, None] + 1e-3)
                * layer.params["gamma"][None, :, None, None]
                + layer.params["beta"][None, :, None, None])
    np.testing.assert_allclose(layer.forward(x), expected, rtol=1e-12)
    # each sample alone gives what it gives in its batch
    for n in range(len(x)):
        np.testing.assert_allclose(layer.forward(x[n:n + 1]), expected[n:n + 1], rtol=1e-12)


def test_fit_updates_the_statistics_and_evaluate_predict_use_them():
    X, y = bars(40)
    model = Sequential([Input((1, 6, 6)), Conv2D(3, 3), BatchNormalization(momentum=0.9),
                        Flatten(), Dense(2)], seed=0, dtype="float64")
    model.compile(Adam(0.01), metrics=["accuracy"])
    bn = model.get_layer("batch_normalization")
    assert np.all(bn.moving_mean == 0) and np.all(bn.moving_variance == 1)
    model.fit(X, y, epochs=2, batch_size=8, verbose=0)
    assert not np.allclose(bn.moving_mean, 0) and not np.allclose(bn.moving_variance, 1)
    state = bn.get_weights()
    probs = model.predict(X)
    loss, _ = model.evaluate(X, y, batch_size=5)
    # evaluate is inference too: its loss is the cross-entropy of predict's probabilities
    assert loss == pytest.approx(-np.mean(np.log(probs[np.arange(len(y)), y])), rel=1e-10)
    for a, b in zip(bn.get_weights(), state):          # inference leaves them alone
        np.testing.assert_array_equal(a, b)
    # predict is inference: a sample's prediction does not depend on its batch
    np.testing.assert_allclose(model.predict(X[:1]), probs[:1], rtol=1e-12)
    np.testing.assert_allclose(model.predict(X, batch_size=3), probs, rtol=1e-12)
    # and it normalizes with the moving statistics, not the batch's
    z = model.layers[0].forward(X)
    manual = bn.forward(z)
    expected = ((z - bn.moving_mean[None, :, None, None])
                / np.sqrt(bn.moving_variance[None, :, None, None] + bn.epsilon)
                * bn.params["gamma"][None, :, None, None] + bn.params["beta"][None, :, None, None])
    np.testing.assert_allclose(manual, expected, rtol=1e-12)
    # the training forward of the same batch differs (batch statistics)
    assert not np.allclose(model.forward(X, training=True), model.forward(X))


def test_after_dense_the_statistics_are_per_feature():
    layer = BatchNormalization(momentum=0.0)            # momentum 0: the last batch's statistics
    x = np.random.default_rng(3).standard_normal((10, 4)) * [1, 2, 3, 4] + [0, 1, 2, 3]
    y = layer.forward(x, training=True)
    assert y.shape == (10, 4)
    np.testing.assert_allclose(layer.moving_mean, x.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(layer.moving_variance, x.var(axis=0), rtol=1e-12)
    np.testing.assert_allclose(y.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(layer.forward(x), y, rtol=1e-12)    # moving == this batch's


# ---------------------------------------------------------------- gradients (float64)

def _random_affine(layer, x, seed):
    layer.build(x.shape[1:], dtype="float64")
    rng = np.random.default_rng(seed)
    c = x.shape[1]
    layer.params["gamma"][:] = rng.uniform(0.5, 2, c)
    layer.params["beta"][:] = rng.standard_normal(c)
    layer.moving_mean[:] = rng.standard_normal(c)
    layer.moving_variance[:] = rng.uniform(0.5, 2, c)
    return layer


@pytest.mark.parametrize("shape", [(3, 2, 3, 4), (5, 3)], ids=["images", "vectors"])
@pytest.mark.parametrize("training", [True, False], ids=["training", "inference"])
def test_layer_gradient_check(shape, training):
    x = images(shape, seed=4) if len(shape) == 4 else np.random.default_rng(4).normal(1, 2, shape)
    layer = _random_affine(BatchNormalization(), x, seed=5)
    results = check_layer(TrainingMode(layer) if training else layer, x)
    assert set(results) == {"x", "gamma", "beta"}
    for res in results.values():
        assert res.passed, str(res)


@pytest.mark.parametrize("center, scale, keys", [(False, True, {"gamma"}), (True, False, {"beta"}),
                                                 (False, False, set())],
                         ids=["no-center", "no-scale", "neither"])
def test_without_center_or_scale(center, scale, keys):
    x = images((4, 2, 2, 3), seed=6)
    layer = BatchNormalization(center=center, scale=scale, dtype="float64")
    y = layer.forward(x, training=True)
    assert set(layer.params) == keys and layer.count_params() == len(keys) * 2 + 4
    # without beta the output has mean 0, without gamma variance var / (var + eps)
    np.testing.assert_allclose(y.mean(axis=(0, 2, 3)), 0, atol=1e-12)
    results = check_layer(TrainingMode(layer), x)
    assert set(results) == {"x"} | keys
    assert all(r.passed for r in results.values()), [str(r) for r in results.values()]


def test_model_gradient_check_in_both_modes():
    X, y = bars(6, seed=7)
    model = Sequential([Input((1, 6, 6)), Conv2D(2, 3), BatchNormalization(), ReLU(), Flatten(),
                        Dense(2)], seed=1, dtype="float64")
    model.compile(Adam(0.01))
    model.fit(X, y, epochs=1, batch_size=3, verbose=0)      # moving statistics away from 0 and 1
    for name, res in check_model(model, X, y).items():         # inference mode
        assert res.passed, f"{name}: {res}"
    # training mode: the loss of the batch through the batch statistics
    model.compute_gradients(X, y, training=True)
    for layer in model.layers:
        for key, p in layer.params.items():
            res = check_gradient(lambda: model.compute_loss(X, y, training=True), p,
                                 layer.grads[key], name=f"{layer.name}.{key}")
            if f"{layer.name}.{key}" == "conv2d.b":
                # a bias right before batch norm cancels with the batch mean: zero gradient
                assert np.abs(res.analytic).max() < 1e-12 and np.abs(res.numeric).max() < 1e-8
            else:
                assert res.passed, str(res)


# ---------------------------------------------------------------- a network with it trains

def test_conv_batchnorm_relu_trains_deterministically():
    X, y = bars(64)

    def trained():
        model = Sequential([Conv2D(4, 3), BatchNormalization(), ReLU(), Flatten(),
                            Dense(2, activation="softmax")], seed=0)
        model.compile(Adam(0.02), metrics=["accuracy"])
        history = model.fit(X, y, epochs=8, batch_size=16, verbose=0)
        return model, history.history["loss"]

    model, losses = trained()
    assert losses[-1] < 0.5 * losses[0]
    assert model.evaluate(X, y)[1] >= 0.95
    bn = model.get_layer("batch_normalization")
    assert bn.moving_mean.dtype == np.float32 and bn.params["gamma"].dtype == np.float32
    again, losses_again = trained()
    assert losses_again == losses
    for a, b in zip(model.get_layer("batch_normalization").get_weights(),
                    again.get_layer("batch_normalization").get_weights()):
        np.testing.assert_array_equal(a, b)


# ---------------------------------------------------------------- parameters and summary

def test_parameter_count_and_summary_as_keras():
    model = Sequential([Input((1, 6, 6)), Conv2D(4, 3), BatchNormalization()])
    bn = model.layers[1]
    assert bn.count_params() == 16 and bn.count_trainable_params() == 8      # 4C, 2C
    assert model.count_params() == 40 + 16
    assert [p.size for p in model.parameters()] == [36, 4, 4, 4]            # what optimizers see
    text = model.summary(print_fn=None)
    assert re.search(r" batch_normalization \(BatchNormalization\) +\(None, 4, 4, 4\)", text)
    assert "Total params: 56" in text
    assert "Trainable params: 48" in text and "Non-trainable params: 8" in text


def test_weights_in_keras_order_and_astype():
    layer = BatchNormalization()
    layer.forward(images(), training=True)
    gamma, beta, mm, mv = layer.get_weights()
    np.testing.assert_array_equal(gamma, 1)
    np.testing.assert_array_equal(mm, layer.moving_mean)
    layer.set_weights([gamma * 2, beta + 1, mm * 0, mv * 0 + 4])
    np.testing.assert_array_equal(layer.moving_variance, 4)
    np.testing.assert_array_equal(layer.params["gamma"], 2)
    layer.astype("float32")
    assert layer.moving_mean.dtype == np.float32 and layer.moving_variance.dtype == np.float32


def test_repr():
    assert repr(BatchNormalization()) == "BatchNormalization()"
    assert repr(BatchNormalization(momentum=0.9, epsilon=1e-5, center=False)) == \
        "BatchNormalization(momentum=0.9, epsilon=1e-05, center=False)"


# ---------------------------------------------------------------- errors

@pytest.mark.parametrize("make, exc, message", [
    (lambda: BatchNormalization(momentum=1.0), ValueError,
     r"momentum must be a number in \[0, 1\), got 1\.0"),
    (lambda: BatchNormalization(momentum=-0.1), ValueError,
     r"momentum must be a number in \[0, 1\), got -0\.1"),
    (lambda: BatchNormalization(momentum="0.9"), ValueError,
     r"momentum must be a number in \[0, 1\), got '0\.9'"),
    (lambda: BatchNormalization(epsilon=0), ValueError,
     r"epsilon must be a finite number > 0, got 0"),
    (lambda: BatchNormalization(epsilon=-1e-3), ValueError,
     r"epsilon must be a finite number > 0, got -0\.001"),
    (lambda: BatchNormalization(center="yes"), TypeError,
     r"center must be True or False, got 'yes'"),
    (lambda: BatchNormalization(scale=1), TypeError, r"scale must be True or False, got 1"),
], ids=["momentum-1", "momentum-negative", "momentum-str", "epsilon-0", "epsilon-negative",
        "center", "scale"])
def test_bad_arguments(make, exc, message):
    with pytest.raises(exc, match=message):
        make()


def test_error_input_rank():
    with pytest.raises(ValueError, match=r"BatchNormalization expects samples of shape \(C, H, W\) "
                                         r"or \(D,\).*got input_shape \(2, 3\)"):
        BatchNormalization().forward(np.zeros((4, 2, 3)))


def test_error_channels_differ_from_the_built_ones():
    layer = BatchNormalization()
    layer.forward(np.zeros((2, 3, 4, 4)))
    with pytest.raises(ValueError, match=r"was built for inputs with 3 channels \(samples "
                                         r"\(3, 4, 4\)\), got samples of shape \(2, 4, 4\)"):
        layer.forward(np.zeros((2, 2, 4, 4)))


def test_error_one_sample_of_one_value_per_channel_in_training():
    layer = BatchNormalization()
    with pytest.raises(ValueError, match=r"BatchNormalization in training needs more than one "
                                         r"value per channel.*got a batch of shape \(1, 5\)"):
        layer.forward(np.zeros((1, 5)), training=True)
    assert layer.forward(np.zeros((1, 5))).shape == (1, 5)           # inference is fine
    assert layer.forward(np.zeros((2, 5)), training=True).shape == (2, 5)
    # for images, one image with several pixels has several values per channel
    images_layer = BatchNormalization()
    assert images_layer.forward(np.ones((1, 5, 2, 2)), training=True).shape == (1, 5, 2, 2)
    with pytest.raises(ValueError, match=r"got a batch of shape \(1, 5, 1, 1\)"):
        images_layer.forward(np.ones((1, 5, 1, 1)), training=True)
