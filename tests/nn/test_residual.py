"""Tests of the residual block: shapes, shortcut choice, gradients, training, weights, errors."""
import numpy as np
import pytest

from cnnedu.gradcheck import check_gradient, check_layer, check_model
from cnnedu.nn import (BatchNormalization, Conv2D, Dense, Dropout, GlobalAvgPool2D, Input, ReLU,
                       ResidualBlock, residual_block)
from cnnedu.nn.model import Sequential
from cnnedu.nn.optim import Adam
from cnnedu.nn.summary import conv_params

from .helpers import bars, TrainingMode


def images(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def randomize_batch_norms(block, seed):
    """Batch-norm layers with scales, shifts and moving statistics away from 1 and 0."""
    rng = np.random.default_rng(seed)
    for layer in block.main + block.shortcut:
        if isinstance(layer, BatchNormalization):
            c = layer.moving_mean.shape[0]
            layer.params["gamma"][:] = rng.uniform(0.5, 2, c)
            layer.params["beta"][:] = rng.standard_normal(c)
            layer.moving_mean[:] = rng.standard_normal(c)
            layer.moving_variance[:] = rng.uniform(0.5, 2, c)


# ---------------------------------------------------------------- shapes and the shortcut

@pytest.mark.parametrize("channels, filters, stride, size, projection", [
    (3, 3, 1, (6, 6), False),
    (3, 3, 2, (6, 6), True),
    (2, 4, 1, (5, 5), True),
    (2, 4, 2, (7, 6), True),
], ids=["same-shape-identity", "stride2", "new-channels", "stride2-new-channels-odd"])
def test_basic_block_shapes_and_shortcut(channels, filters, stride, size, projection):
    h, w = size
    block = residual_block(filters, stride=stride)
    block.build((channels, h, w), dtype="float64")
    out = (filters, -(-h // stride), -(-w // stride))           # 'same': ceil(n / s)
    assert block.output_shape((channels, h, w)) == out
    assert block.forward(images((2, channels, h, w))).shape == (2,) + out
    if not projection:
        assert block.shortcut == []
        return
    conv, bn = block.shortcut
    assert isinstance(conv, Conv2D) and isinstance(bn, BatchNormalization)
    assert conv.params["w"].shape == (filters, channels, 1, 1)
    assert conv.strides == (stride, stride)
    assert [layer.name for layer in block.shortcut] == ["shortcut_conv2d",
                                                       "shortcut_batch_normalization"]


def test_forward_is_the_activation_of_the_sum_of_both_paths():
    x = images((3, 2, 5, 5))
    convs = [Conv2D(4, 3, padding="same"), Conv2D(4, 3, padding="same")]
    proj = Conv2D(4, 1)
    block = ResidualBlock([convs[0], ReLU(), convs[1]], shortcut=[proj], dtype="float64")
    y = block.forward(x)
    f = convs[1].forward(np.maximum(convs[0].forward(x), 0))
    np.testing.assert_allclose(y, np.maximum(f + proj.forward(x), 0), rtol=1e-12)
    identity = ResidualBlock([Conv2D(2, 3, padding="same")], activation=None, dtype="float64")
    np.testing.assert_allclose(identity.forward(x), identity.main[0].forward(x) + x, rtol=1e-12)


# ---------------------------------------------------------------- gradients (float64)

def test_identity_shortcut_passes_the_gradient_unchanged():
    # with the last batch norm's scale and shift at zero, F(x) = 0 and dF/dx = 0:
    # the block is the identity and the gradient reaching x is exactly g
    block = ResidualBlock([Conv2D(3, 3, padding="same"), BatchNormalization(), ReLU(),
                           Conv2D(3, 3, padding="same"), BatchNormalization()],
                          activation=None, dtype="float64")
    x = images((2, 3, 4, 4))
    block.build(x.shape[1:])
    randomize_batch_norms(block, seed=1)
    block.main[-1].params["gamma"][:] = 0
    block.main[-1].params["beta"][:] = 0
    np.testing.assert_array_equal(block.forward(x), x)
    g = images(x.shape, seed=2)
    np.testing.assert_array_equal(block.backward(g), g)
    # the main path's parameters still get their gradients
    assert np.abs(block.grads["batch_normalization_1.gamma"]).max() > 0


@pytest.mark.parametrize("make, shape", [
    (lambda: residual_block(3), (3, 3, 4, 4)),
    (lambda: residual_block(4, stride=2), (3, 2, 5, 4)),
    (lambda: residual_block(3, batch_norm=False), (2, 3, 4, 4)),
    (lambda: ResidualBlock([Conv2D(3, 3, padding="same", activation="tanh"),
                            Conv2D(2, 3, padding="same")], shortcut=[Conv2D(2, 1)],
                           activation="tanh"), (2, 3, 4, 4)),
], ids=["identity", "projection", "no-batch-norm", "custom-paths"])
@pytest.mark.parametrize("training", [False, True], ids=["inference", "training"])
def test_block_gradient_check(make, shape, training):
    block = make()
    x = images(shape, seed=3)
    block.build(shape[1:], rng=5, dtype="float64")
    randomize_batch_norms(block, seed=4)
    results = check_layer(TrainingMode(block) if training else block, x)
    assert set(results) == {"x", *block.params}
    for name, res in results.items():
        assert res.passed, f"{name}: {res}"


def test_gradient_check_fails_without_the_shortcut_gradient():
    block = residual_block(3)
    x = images((2, 3, 4, 4), seed=6)
    block.build(x.shape[1:], dtype="float64")
    main_only = block._backward_op

    def broken(dz):
        return main_only(dz) - dz                 # drops the identity's contribution
    block._backward_op = broken
    assert not check_layer(block, x)["x"].passed


def test_model_with_blocks_gradient_check_in_both_modes():
    X, y = bars(6, seed=7)
    model = Sequential([Input((1, 6, 6)), Conv2D(2, 3, padding="same"), residual_block(2),
                        residual_block(3, stride=2), GlobalAvgPool2D(), Dense(2)],
                       seed=0, dtype="float64")   # its ReLU inputs stay > 3e-4 away from the kink
    model.compile(Adam(0.01))
    model.fit(X, y, epochs=1, batch_size=3, verbose=0)      # moving statistics away from 0 and 1
    results = check_model(model, X, y)                      # inference mode
    assert "residual_block_1.shortcut_conv2d.w" in results
    for name, res in results.items():
        assert res.passed, f"{name}: {res}"
    model.compute_gradients(X, y, training=True)           # through the batch statistics
    for layer in model.layers:
        for key, p in layer.params.items():
            res = check_gradient(lambda: model.compute_loss(X, y, training=True), p,
                                 layer.grads[key], name=f"{layer.name}.{key}")
            assert res.passed, str(res)


# ---------------------------------------------------------------- in a model: training

def test_small_residual_network_trains_deterministically():
    X, y = bars(64)

    def trained():
        model = Sequential([Input((1, 6, 6)), Conv2D(4, 3, padding="same", activation="relu"),
                            residual_block(4), residual_block(8, stride=2), GlobalAvgPool2D(),
                            Dense(2, activation="softmax")], seed=0)
        model.compile(Adam(0.02), metrics=["accuracy"])
        history = model.fit(X, y, epochs=6, batch_size=16, verbose=0)
        return model, history.history["loss"], history.history["accuracy"]

    model, losses, accuracies = trained()
    assert losses[-1] < 0.2 * losses[0]
    # measured in training mode, with the batch statistics (24 steps leave Keras'
    # momentum-0.99 moving averages far from them, so evaluate would measure those instead)
    assert accuracies[-1] >= 0.95
    again, losses_again, _ = trained()
    assert losses_again == losses
    for a, b in zip(model.get_layer("residual_block_1").get_weights(),
                    again.get_layer("residual_block_1").get_weights()):
        np.testing.assert_array_equal(a, b)


def test_the_optimizer_updates_the_inner_parameters_and_fit_the_moving_statistics():
    X, y = bars(16)
    model = Sequential([Input((1, 6, 6)), residual_block(2), GlobalAvgPool2D(), Dense(2)])
    model.compile(Adam(0.01))
    block = model.layers[0]
    conv = block.main[0]
    assert any(p is conv.params["w"] for p in model.parameters())
    before = [w.copy() for w in block.get_weights()]
    model.train_on_batch(X, y)
    assert len(model.gradients()) == len(model.parameters())
    after = block.get_weights()
    # every trainable array moved; the moving statistics moved too (a training forward)
    assert all(not np.array_equal(a, b) for a, b in zip(before, after))
    # inference leaves them alone
    model.predict(X)
    for a, b in zip(block.get_weights(), after):
        np.testing.assert_array_equal(a, b)


def test_training_flag_reaches_the_inner_layers():
    block = ResidualBlock([Dropout(0.5, seed=0)], activation=None)
    x = np.ones((4, 2, 3, 3))
    np.testing.assert_array_equal(block.forward(x), 2 * x)             # inference: no dropout
    y = block.forward(x, training=True)
    assert set(np.unique(y)) == {1.0, 3.0}                             # x + 0 or x + 2x


# ---------------------------------------------------------------- parameters, summary, weights

def test_count_params_and_summary_row():
    model = Sequential([Input((2, 6, 6)), residual_block(4, stride=2, name="block")])
    block = model.layers[0]
    # two 3x3 convolutions without bias, a 1x1 projection, three batch norms (4 C each)
    expected = (conv_params(4, 2, 3, use_bias=False) + conv_params(4, 4, 3, use_bias=False)
                + conv_params(4, 2, 1, use_bias=False) + 3 * 4 * 4)
    assert block.count_params() == model.count_params() == expected
    assert block.count_trainable_params() == expected - 3 * 2 * 4
    text = model.summary(print_fn=None)
    rows = [line for line in text.splitlines() if "(ResidualBlock)" in line]
    assert len(rows) == 1
    assert rows[0].split() == ["block", "(ResidualBlock)", "(None,", "4,", "3,", "3)",
                               str(expected)]
    assert f"Trainable params: {expected - 24:,}" in text


def test_get_set_weights_and_astype():
    block = residual_block(3, stride=2)
    block.build((2, 5, 5))
    weights = block.get_weights()
    # conv w, BN gamma beta mean var, conv w, BN x4, projection w, BN x4
    assert [w.shape for w in weights][:6] == [(3, 2, 3, 3), (3,), (3,), (3,), (3,), (3, 3, 3, 3)]
    assert len(weights) == 15
    block.set_weights([w + 1 for w in weights])
    for a, b in zip(block.get_weights(), weights):
        np.testing.assert_array_equal(a, b + 1)
    with pytest.raises(ValueError, match=r"has 15 weight arrays \(conv2d: 1, "
                                         r"batch_normalization: 4, .*\), got 2"):
        block.set_weights(weights[:2])
    block.astype("float64")
    assert all(w.dtype == np.float64 for w in block.get_weights())
    assert block.params["conv2d.w"] is block.main[0].params["w"]      # what optimizers update
    assert block.forward(images((2, 2, 5, 5))).dtype == np.float64


def test_seeds_make_the_initial_weights_reproducible():
    def weights(model_seed, block_seed):
        model = Sequential([Input((2, 5, 5)), Conv2D(2, 3),
                            residual_block(3, stride=2, seed=block_seed)], seed=model_seed)
        return model.layers[1].get_weights()

    for a, b in zip(weights(0, 7), weights(1, 7)):             # the block's own seed
        np.testing.assert_array_equal(a, b)
    for a, b in zip(weights(4, None), weights(4, None)):       # the model's seed
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(weights(4, None)[0], weights(5, None)[0])


def test_names_and_repr():
    block = ResidualBlock([Conv2D(2, 3, padding="same"), ReLU(), Conv2D(2, 3, padding="same")],
                          shortcut=[Conv2D(2, 1)], activation=None)
    assert [layer.name for layer in block.main + block.shortcut] == [
        "conv2d", "relu", "conv2d_1", "shortcut_conv2d"]
    assert repr(block) == ("ResidualBlock([Conv2D(2, kernel_size=(3, 3), padding='same'), "
                           "ReLU(), Conv2D(2, kernel_size=(3, 3), padding='same')], "
                           "shortcut=[Conv2D(2, kernel_size=(1, 1))], activation=None)")
    assert repr(residual_block(8)) == "residual_block(8)"
    made = residual_block(8, stride=2, batch_norm=False, seed=3, name="b")
    assert repr(made) == "residual_block(8, stride=2, batch_norm=False, seed=3, name='b')"


# ---------------------------------------------------------------- errors

def test_error_when_the_paths_give_different_shapes():
    block = ResidualBlock([Conv2D(4, 3, strides=2, padding="same")])
    with pytest.raises(ValueError, match=r"the main path turns samples \(2, 6, 6\) into "
                                         r"\(4, 3, 3\) but the identity shortcut gives "
                                         r"\(2, 6, 6\).*a projection is needed, e\.g\. "
                                         r"shortcut=\[Conv2D\(4, 1, strides=2\), "
                                         r"BatchNormalization\(\)\]"):
        block.forward(np.zeros((1, 2, 6, 6)))
    wrong = ResidualBlock([Conv2D(4, 3, padding="same")], shortcut=[Conv2D(3, 1)])
    with pytest.raises(ValueError, match=r"layer 'residual_block': the main path turns samples "
                                         r"\(2, 6, 6\) into \(4, 6, 6\) but the shortcut gives "
                                         r"\(3, 6, 6\).*make the shortcut give \(4, 6, 6\)"):
        Sequential([Input((2, 6, 6)), wrong])


def test_error_from_an_inner_layer_names_it():
    block = ResidualBlock([Conv2D(2, 7)], shortcut=[Conv2D(2, 7)])
    with pytest.raises(ValueError, match=r"inner layer 'conv2d': kernel 7x7 does not fit"):
        block.build((2, 5, 5))


@pytest.mark.parametrize("make, exc, message", [
    (lambda: ResidualBlock([]), ValueError, r"main must hold at least one layer"),
    (lambda: ResidualBlock("conv"), TypeError, r"main must be a cnnedu layer or a list"),
    (lambda: ResidualBlock([Conv2D(2, 3), "relu"]), TypeError,
     r"main\[1\] must be a cnnedu layer .*got 'relu'"),
    (lambda: ResidualBlock([ReLU()], shortcut=[3]), TypeError, r"shortcut\[0\] must be"),
    (lambda: ResidualBlock([ReLU(name="a"), ReLU(name="a")]), ValueError,
     r"two layers of the block are named 'a'"),
    (lambda: ResidualBlock([ReLU()], seed=-1), ValueError,
     r"seed must be a non-negative int or None, got -1"),
    (lambda: ResidualBlock([ReLU()], activation="relux"), ValueError, r"relux"),
    (lambda: residual_block(0), ValueError, r"filters"),
    (lambda: residual_block(4, stride=0), ValueError, r"stride"),
    (lambda: residual_block(4, batch_norm="yes"), TypeError,
     r"batch_norm must be True or False, got 'yes'"),
], ids=["empty-main", "main-str", "main-item", "shortcut-item", "duplicate-name", "seed",
        "activation", "filters", "stride", "batch-norm"])
def test_bad_arguments(make, exc, message):
    with pytest.raises(exc, match=message):
        make()


def test_error_same_layer_twice():
    relu = ReLU()
    with pytest.raises(ValueError, match=r"appears twice in the block"):
        ResidualBlock([relu], shortcut=[relu])
