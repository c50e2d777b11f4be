"""Tests of the layer classes: gradients, shapes, lazy building, dtypes, errors."""
import numpy as np
import pytest

from cnnedu.gradcheck import check_layer
from cnnedu.nn.activation import GELU, PReLU, SiLU
from cnnedu.nn.initializers import fans, get_initializer, glorot_uniform, he_normal
from cnnedu.nn import (ELU, SELU, Activation, AveragePooling2D, AvgPool2D, Conv2D, Dense,
                           Dropout, Flatten, GlobalAveragePooling2D, GlobalAvgPool2D, Input,
                           LeakyReLU, MaxPool2D, MaxPooling2D, ReLU, Sigmoid, Softmax, Tanh)


def rng(seed=0):
    return np.random.default_rng(seed)


def away_from_zero(shape, seed=0):
    """Random values with |x| >= 0.1: no input sits at a ReLU kink within the check's step."""
    x = rng(seed).standard_normal(shape)
    return np.sign(x) * (0.1 + np.abs(x))


def distinct(shape, seed=0):
    """Values spaced 0.1 apart in random order: max pooling has no ties."""
    return rng(seed).permutation(int(np.prod(shape))).reshape(shape) * 0.1 - 1.0


def assert_grads_ok(layer, x):
    results = check_layer(layer, x)
    assert set(results) == {"x", *layer.params}
    for name, res in results.items():
        assert res.passed, str(res)


# ---------------------------------------------------------------- gradient checks (float64)

CONV_CASES = {
    "k3": dict(filters=2, kernel_size=3),
    "k2x3-stride2-pad1": dict(filters=3, kernel_size=(2, 3), strides=2, padding=1),
    "same": dict(filters=2, kernel_size=3, padding="same"),
    "same-stride2": dict(filters=2, kernel_size=3, strides=2, padding="same"),
    "dilation2": dict(filters=2, kernel_size=2, dilation_rate=2),
    "relu": dict(filters=2, kernel_size=3, activation="relu"),
    "tanh-nobias": dict(filters=2, kernel_size=3, activation="tanh", use_bias=False),
    "softmax": dict(filters=3, kernel_size=3, activation="softmax"),
}


@pytest.mark.parametrize("kwargs", CONV_CASES.values(), ids=CONV_CASES.keys())
def test_conv2d_gradients(kwargs):
    assert_grads_ok(Conv2D(**kwargs, dtype="float64"), rng(1).standard_normal((2, 2, 6, 5)))


POOL_CASES = {
    "max-2": (MaxPool2D, dict(pool_size=2)),
    "max-3-stride2-pad1": (MaxPool2D, dict(pool_size=3, strides=2, padding=1)),
    "max-2x1": (MaxPool2D, dict(pool_size=(2, 1))),
    "avg-2": (AvgPool2D, dict(pool_size=2)),
    "avg-3-stride1": (AvgPool2D, dict(pool_size=3, strides=1)),
    "global-avg": (GlobalAvgPool2D, {}),
}


@pytest.mark.parametrize("cls, kwargs", POOL_CASES.values(), ids=POOL_CASES.keys())
def test_pooling_gradients(cls, kwargs):
    assert_grads_ok(cls(**kwargs), distinct((2, 2, 5, 6)))


def test_flatten_gradient():
    assert_grads_ok(Flatten(), rng().standard_normal((2, 3, 2, 2)))


DENSE_CASES = {
    "linear": dict(units=3),
    "relu": dict(units=3, activation="relu"),
    "sigmoid-nobias": dict(units=4, activation="sigmoid", use_bias=False),
    "softmax": dict(units=3, activation="softmax"),
    "elu": dict(units=3, activation="elu"),
}


@pytest.mark.parametrize("kwargs", DENSE_CASES.values(), ids=DENSE_CASES.keys())
def test_dense_gradients(kwargs):
    assert_grads_ok(Dense(**kwargs, dtype="float64"), rng(2).standard_normal((4, 5)))


ACTIVATION_LAYERS = {
    "relu": ReLU(), "sigmoid": Sigmoid(), "tanh": Tanh(), "leaky-relu-0.2": LeakyReLU(0.2),
    "elu-0.5": ELU(alpha=0.5), "selu": SELU(), "softmax": Softmax(),
    "activation-tanh": Activation("tanh"), "activation-linear": Activation("linear"),
    "gelu": GELU(), "silu": SiLU(), "activation-gelu": Activation("gelu"),
    "activation-swish": Activation("swish"),
}


@pytest.mark.parametrize("layer", ACTIVATION_LAYERS.values(), ids=ACTIVATION_LAYERS.keys())
@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 2, 2)], ids=["NxD", "NCHW"])
def test_activation_layer_gradients(layer, shape):
    assert_grads_ok(layer, away_from_zero(shape))


class ReplayDropout:
    """Dropout in training mode with the same mask at every forward.

    check_layer calls forward many times (twice per entry of x); each call
    must draw the same mask, so the generator is reset before each one.
    """

    def __init__(self, layer, seed=3):
        self.layer, self.seed = layer, seed
        self.params, self.grads = {}, {}

    def forward(self, x):
        self.layer.rng = np.random.default_rng(self.seed)
        return self.layer.forward(x, training=True)

    def backward(self, dy):
        return self.layer.backward(dy)


def test_dropout_gradient_in_training_mode():
    layer = Dropout(0.5)
    x = rng().standard_normal((4, 6))
    wrapped = ReplayDropout(layer)
    y = wrapped.forward(x)
    assert 0 < np.count_nonzero(y == 0) < y.size        # some units dropped, not all
    assert_grads_ok(wrapped, x)


def test_dropout_gradient_in_inference_mode_is_identity():
    layer = Dropout(0.5)
    x = rng().standard_normal((4, 6))
    np.testing.assert_array_equal(layer.forward(x), x)
    np.testing.assert_array_equal(layer.backward(np.ones_like(x)), np.ones_like(x))
    assert_grads_ok(layer, x)


def test_broken_backward_fails_the_check():
    class BrokenDense(Dense):
        def _backward_op(self, dz):
            dx = super()._backward_op(dz)
            self.grads["w"] = self.grads["w"] * 1.01         # 1% wrong
            return dx

    results = check_layer(BrokenDense(3, dtype="float64"), rng().standard_normal((4, 5)))
    assert results["x"].passed and results["b"].passed
    assert not results["w"].passed


# ---------------------------------------------------------------- hand-computed forward passes

def test_conv2d_forward_by_hand():
    layer = Conv2D(1, 2, dtype="float64")
    layer.build((1, 3, 3))
    layer.set_weights([np.array([[[[1.0, 0.0], [0.0, -1.0]]]]), np.array([0.5])])
    x = np.arange(9.0).reshape(1, 1, 3, 3)        # [[0 1 2] [3 4 5] [6 7 8]]
    # each output: top-left - bottom-right + 0.5 = -4 + 0.5
    np.testing.assert_allclose(layer.forward(x), np.full((1, 1, 2, 2), -3.5))


def test_dense_forward_by_hand():
    layer = Dense(2, activation="relu", dtype="float64")
    layer.build((3,))
    layer.set_weights([np.array([[1.0, 2.0, 3.0], [-1.0, 0.0, 0.0]]), np.array([0.0, 1.0])])
    # z = [1 + 4 + 9, -1 + 1] = [14, 0]; relu -> [14, 0]
    np.testing.assert_allclose(layer.forward(np.array([[1.0, 2.0, 3.0]])), [[14.0, 0.0]])
    np.testing.assert_allclose(layer.preactivation, [[14.0, 0.0]])


def test_max_pool_forward_by_hand():
    x = np.array([[[[1, 3, 2, 0], [4, 2, 1, 5], [0, 7, 6, 3], [6, 1, 2, 8]]]], dtype=float)
    np.testing.assert_array_equal(MaxPooling2D(2).forward(x)[0, 0], [[4, 5], [7, 8]])
    np.testing.assert_array_equal(AveragePooling2D(2).forward(x)[0, 0], [[2.5, 2], [3.5, 4.75]])
    np.testing.assert_array_equal(GlobalAveragePooling2D().forward(x), [[51 / 16]])


def test_flatten_order_is_nchw():
    x = np.arange(8.0).reshape(1, 2, 2, 2)
    np.testing.assert_array_equal(Flatten().forward(x), [np.arange(8.0)])


@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 2, 2)], ids=["NxD", "NCHW"])
def test_prelu_learns_one_slope_per_channel_gradient_checked(shape):
    layer = PReLU(dtype="float64")
    x = away_from_zero(shape, seed=3)
    layer.forward(x)
    assert layer.params["alpha"].shape == (shape[1],)
    np.testing.assert_array_equal(layer.params["alpha"], 0.25)
    layer.params["alpha"][...] = np.linspace(-0.5, 1.5, shape[1])   # distinct slopes
    assert_grads_ok(layer, x)


def test_prelu_values_and_channel_check():
    layer = PReLU(alpha_initializer=0.1, dtype="float64")
    x = np.array([[[[-2.0, 3.0]]], [[[4.0, -1.0]]]])                   # (2, 1, 1, 2)
    np.testing.assert_allclose(layer.forward(x), [[[[-0.2, 3.0]]], [[[4.0, -0.1]]]])
    layer.backward(np.ones_like(x))
    np.testing.assert_allclose(layer.grads["alpha"], [-3.0])          # -2 + -1
    assert repr(layer) == "PReLU(alpha_initializer=0.1)" and repr(PReLU()) == "PReLU()"
    with pytest.raises(ValueError, match="built for 1 channels .*got input with 2"):
        layer.forward(np.zeros((1, 2, 1, 2)))


def test_fused_activation_equals_separate_layer():
    x = rng().standard_normal((2, 1, 5, 5))
    fused = Conv2D(3, 3, activation="relu", dtype="float64")
    plain = Conv2D(3, 3, kernel_initializer="he", dtype="float64")
    fused.build((1, 5, 5), rng=7)
    plain.build((1, 5, 5), rng=7)
    relu = ReLU()
    np.testing.assert_array_equal(fused.forward(x), relu.forward(plain.forward(x)))
    dy = rng(1).standard_normal(fused.forward(x).shape)
    np.testing.assert_allclose(fused.backward(dy), plain.backward(relu.backward(dy)))
    np.testing.assert_allclose(fused.grads["w"], plain.grads["w"])


def test_backward_preactivation_skips_the_activation():
    layer = Dense(3, activation="softmax", dtype="float64")
    x = rng().standard_normal((2, 4))
    p = layer.forward(x)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    dz = rng(1).standard_normal((2, 3))
    dx = layer.backward_preactivation(dz)
    np.testing.assert_allclose(dx, dz @ layer.params["w"])
    np.testing.assert_allclose(layer.grads["w"], dz.T @ x)


def test_softmax_layer_normalises_channels():
    p = Softmax().forward(rng().standard_normal((2, 3, 4, 4)))
    np.testing.assert_allclose(p.sum(axis=1), 1.0)


def test_dropout_scales_kept_units_and_is_reproducible():
    x = np.ones((50, 40))
    a = Dropout(0.25, seed=5).forward(x, training=True)
    b = Dropout(0.25, seed=5).forward(x, training=True)
    np.testing.assert_array_equal(a, b)
    assert set(np.unique(a)) == {0.0, 1 / 0.75}
    assert abs(np.mean(a == 0) - 0.25) < 0.03


# ---------------------------------------------------------------- shapes and building

SHAPE_CASES = {
    "conv-k3": (Conv2D(4, 3), (2, 9, 8)),
    "conv-stride2-pad1": (Conv2D(4, 3, strides=2, padding=1), (2, 9, 8)),
    "conv-same-stride2": (Conv2D(4, (3, 2), strides=2, padding="same"), (2, 9, 8)),
    "conv-dilation": (Conv2D(4, 3, dilation_rate=(2, 1)), (2, 9, 8)),
    "max-2": (MaxPool2D(2), (3, 9, 8)),
    "max-3-stride2": (MaxPool2D(3, strides=2, padding=1), (3, 9, 8)),
    "avg-2x3": (AvgPool2D((2, 3)), (3, 9, 8)),
    "global": (GlobalAvgPool2D(), (3, 9, 8)),
    "flatten": (Flatten(), (3, 4, 5)),
    "dense": (Dense(7), (12,)),
    "dropout": (Dropout(0.5), (3, 4, 5)),
    "relu": (ReLU(), (3, 4, 5)),
}


@pytest.mark.parametrize("layer, sample_shape", SHAPE_CASES.values(), ids=SHAPE_CASES.keys())
def test_output_shape_matches_forward(layer, sample_shape):
    x = rng().standard_normal((2,) + sample_shape)
    assert layer.forward(x).shape == (2,) + layer.output_shape(sample_shape)


def test_conv_output_shapes_by_formula():
    # floor((n + 2p - d(k-1) - 1) / s) + 1
    assert Conv2D(8, 3).output_shape((1, 28, 28)) == (8, 26, 26)
    assert Conv2D(8, 3, strides=2, padding=1).output_shape((1, 28, 28)) == (8, 14, 14)
    assert Conv2D(8, 3, dilation_rate=2).output_shape((1, 28, 28)) == (8, 24, 24)
    assert Conv2D(8, 5, strides=3, padding="same").output_shape((1, 28, 28)) == (8, 10, 10)
    assert MaxPool2D(2).output_shape((8, 11, 11)) == (8, 5, 5)


def test_lazy_build_infers_channels_and_features():
    conv = Conv2D(4, 3)
    conv.forward(np.zeros((1, 3, 5, 5)))
    assert conv.params["w"].shape == (4, 3, 3, 3) and conv.params["b"].shape == (4,)
    dense = Dense(6)
    dense.forward(np.zeros((2, 10)))
    assert dense.params["w"].shape == (6, 10)
    assert conv.count_params() == 4 * 3 * 9 + 4 and dense.count_params() == 66


def test_parameter_counts_of_the_classic_cnn_layers():
    assert Conv2D(32, 3).build((1, 28, 28)).count_params() == 320
    assert Conv2D(64, 3).build((32, 13, 13)).count_params() == 18496
    assert Dense(128).build((1600,)).count_params() == 204928
    assert Dense(10).build((128,)).count_params() == 1290


def test_dtypes():
    x64 = rng().standard_normal((2, 1, 5, 5))
    assert Conv2D(2, 3).build((1, 5, 5)).params["w"].dtype == np.float32     # default
    assert Conv2D(2, 3, dtype="float64").build((1, 5, 5)).params["w"].dtype == np.float64
    lazy = Conv2D(2, 3)
    assert lazy.forward(x64).dtype == np.float64 and lazy.params["w"].dtype == np.float64
    layer = Conv2D(2, 3).build((1, 5, 5))
    y32 = layer.forward(x64.astype(np.float32))
    assert y32.dtype == np.float32
    assert layer.backward(np.ones_like(y32)).dtype == np.float32
    assert layer.grads["w"].dtype == np.float32
    layer.astype(np.float64)
    assert layer.params["w"].dtype == np.float64 and layer.forward(x64).dtype == np.float64
    np.testing.assert_allclose(layer.forward(x64), y32, atol=1e-5)


def test_initializers():
    big = Dense(400, activation="relu", dtype="float64").build((500,), rng=0)
    assert abs(big.params["w"].std() / np.sqrt(2 / 500) - 1) < 0.02       # He normal
    glorot = Dense(400, dtype="float64").build((500,), rng=0)
    limit = np.sqrt(6 / (500 + 400))
    w = glorot.params["w"]
    assert w.max() <= limit and w.min() >= -limit and w.max() > 0.99 * limit
    assert fans((8, 3, 5, 5)) == (75, 200)
    assert get_initializer("auto", "relu") is he_normal
    assert get_initializer("auto", "softmax") is glorot_uniform
    assert get_initializer("glorot_uniform") is glorot_uniform
    np.testing.assert_array_equal(Conv2D(3, 3).build((2, 5, 5), rng=4).params["w"],
                                  Conv2D(3, 3).build((2, 5, 5), rng=4).params["w"])
    assert not np.array_equal(Conv2D(3, 3).build((2, 5, 5), rng=4).params["w"],
                              Conv2D(3, 3).build((2, 5, 5), rng=5).params["w"])
    assert np.all(Conv2D(3, 3).build((2, 5, 5)).params["b"] == 0)


def test_parameters_grads_and_zero_grad():
    layer = Dense(3)
    x = rng().standard_normal((2, 4))
    layer.backward(np.ones((2, 3), dtype=layer.forward(x).dtype))
    assert [p.shape for p in layer.parameters()] == [(3, 4), (3,)]
    assert [g.shape for g in layer.gradients()] == [(3, 4), (3,)]
    np.testing.assert_allclose(layer.grads["b"], [2.0, 2.0, 2.0])
    layer.zero_grad()
    assert all(np.all(g == 0) for g in layer.gradients())


def test_get_and_set_weights():
    layer = Dense(2).build((3,))
    w, b = layer.get_weights()
    w[...] = 0                                     # a copy: the layer is unchanged
    assert np.any(layer.params["w"] != 0)
    layer.set_weights([np.ones((2, 3)), np.full(2, 0.5)])
    np.testing.assert_array_equal(layer.params["b"], [0.5, 0.5])


@pytest.mark.parametrize("layer, text", [
    (Conv2D(32, 3, activation="relu"), "Conv2D(32, kernel_size=(3, 3), activation='relu')"),
    (Conv2D(8, (3, 5), strides=2, padding="same", use_bias=False),
     "Conv2D(8, kernel_size=(3, 5), strides=(2, 2), padding='same', use_bias=False)"),
    (MaxPool2D(2), "MaxPool2D(pool_size=(2, 2))"),
    (AvgPool2D(3, strides=1), "AvgPool2D(pool_size=(3, 3), strides=(1, 1))"),
    (Dense(10, activation="softmax", name="out"), "Dense(10, activation='softmax', name='out')"),
    (Dropout(0.5), "Dropout(0.5)"),
    (Flatten(), "Flatten()"),
    (ReLU(), "ReLU()"),
    (LeakyReLU(0.2), "LeakyReLU(alpha=0.2)"),
    (Activation("tanh"), "Activation('tanh')"),
], ids=["conv", "conv-options", "maxpool", "avgpool", "dense", "dropout", "flatten", "relu",
        "leaky", "activation"])
def test_repr(layer, text):
    assert repr(layer) == text


def test_keras_aliases():
    assert MaxPooling2D is MaxPool2D and AveragePooling2D is AvgPool2D
    assert GlobalAveragePooling2D is GlobalAvgPool2D


# ---------------------------------------------------------------- errors

@pytest.mark.parametrize("make, exc, match", [
    (lambda: Conv2D(0, 3), ValueError, "filters must be a positive int, got 0"),
    (lambda: Conv2D(2.5, 3), TypeError, r"filters must be an int, got 2\.5"),
    (lambda: Conv2D(8, 0), ValueError,
     "kernel_size must be a positive int or \\(h, w\\) pair, got 0"),
    (lambda: Conv2D(8, 3, strides=0), ValueError, "strides must be a positive int .*got 0"),
    (lambda: Conv2D(8, 3, padding="full"), ValueError,
     "padding must be 'valid', 'same', a non-negative int or \\(h, w\\) pair, got 'full'"),
    (lambda: Conv2D(8, 3, padding=-1), ValueError, "padding must be .*got -1"),
    (lambda: Conv2D(8, 3, activation="rleu"), ValueError,
     "unknown activation 'rleu' \\(did you mean 'relu'\\?\\)"),
    (lambda: Conv2D(8, 3, kernel_initializer="zeros"), ValueError,
     "kernel_initializer must be 'auto', 'he' .*got 'zeros'"),
    (lambda: Dense(0), ValueError, "units must be a positive int, got 0"),
    (lambda: Dense(-3), ValueError, "units must be a positive int, got -3"),
    (lambda: Dense(10, activation="softplus"), ValueError, "unknown activation 'softplus'"),
    (lambda: Dense(10, dtype="float16"), TypeError,
     "dtype must be 'float32' or 'float64', got 'float16'"),
    (lambda: MaxPool2D(0), ValueError, "pool_size must be a positive int .*got 0"),
    (lambda: MaxPool2D(2, padding="same"), ValueError,
     "padding must be 'valid', a non-negative int or \\(h, w\\) pair, got 'same'"),
    (lambda: Dropout(1.0), ValueError, r"rate must be a number in \[0, 1\), got 1\.0"),
    (lambda: Dropout(0.5, seed=-1), ValueError, "seed must be a non-negative int or None, got -1"),
    (lambda: LeakyReLU(-0.1), ValueError, "alpha must be a non-negative number, got -0.1"),
    (lambda: Activation("mish"), ValueError, "unknown activation 'mish'"),
    (lambda: Activation("prelu"), ValueError, "learned slope.*PReLU"),
    (lambda: PReLU(float("nan")), ValueError, "alpha_initializer must be a finite number"),
    (lambda: PReLU("0.25"), ValueError, "alpha_initializer must be a finite number"),
    (lambda: Input((1, 0, 28)), ValueError, "shape must be a tuple of positive ints"),
], ids=["filters-zero", "filters-float", "kernel-zero", "strides-zero", "padding-full",
        "padding-negative", "activation-typo", "initializer", "units-zero", "units-negative",
        "activation-unknown", "dtype", "pool-zero", "pool-same", "dropout-rate", "dropout-seed",
        "leaky-alpha", "activation-layer", "activation-prelu", "prelu-nan", "prelu-str",
        "input-shape"])
def test_bad_arguments(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


def test_conv_wrong_input_rank_suggests_channel_axis():
    with pytest.raises(ValueError, match=r"Conv2D expects a 4-D input \(N, C, H, W\), got shape "
                                         r"\(2, 5, 5\) \(3-D\); for one-channel images add a "
                                         r"channel axis, e.g. X\[:, None\]"):
        Conv2D(2, 3).forward(np.zeros((2, 5, 5)))


def test_dense_wrong_input_rank_suggests_flatten():
    with pytest.raises(ValueError,
                       match=r"Dense expects a 2-D input \(N, D\), got shape "
                             r"\(2, 3, 4, 4\) \(4-D\); put a Flatten\(\) layer before it"):
        Dense(2).forward(np.zeros((2, 3, 4, 4)))


def test_conv_channels_differ_from_build():
    layer = Conv2D(2, 3).build((1, 5, 5))
    with pytest.raises(ValueError,
                       match=r"Conv2D was built for inputs with 1 channel\(s\), got x with 3"):
        layer.forward(np.zeros((1, 3, 5, 5)))


def test_dense_features_differ_from_build():
    layer = Dense(2).build((4,))
    with pytest.raises(ValueError, match="Dense was built for inputs of 4 features, got x with 5"):
        layer.forward(np.zeros((1, 5)))


def test_kernel_does_not_fit():
    with pytest.raises(ValueError,
                       match="kernel 5x5 does not fit a 3x3 input with padding 'valid'"):
        Conv2D(2, 5).build((1, 3, 3))


def test_pool_does_not_fit():
    with pytest.raises(ValueError, match="pool_size 3x3 does not fit a 2x2 input with padding 0"):
        MaxPool2D(3).build((1, 2, 2))


def test_build_with_wrong_rank():
    with pytest.raises(ValueError, match=r"Conv2D expects samples of shape \(C, H, W\) .*got "
                                         r"input_shape \(28, 28\)"):
        Conv2D(2, 3).build((28, 28))


def test_backward_before_forward():
    with pytest.raises(RuntimeError, match="Dense.backward called before forward"):
        Dense(2).build((3,)).backward(np.ones((1, 2)))


def test_set_weights_wrong_shape():
    with pytest.raises(ValueError, match=r"weight 'w' must have shape \(2, 3\), got \(3, 2\)"):
        Dense(2).build((3,)).set_weights([np.ones((3, 2)), np.ones(2)])


def test_set_weights_wrong_count():
    with pytest.raises(ValueError, match=r"Dense has 2 weight arrays \['w', 'b'\], got 1"):
        Dense(2).build((3,)).set_weights([np.ones((2, 3))])


def test_bad_rng():
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator, a non-negative int "
                                        "seed or None, got 'seed'"):
        Dense(2).build((3,), rng="seed")


def test_bad_name():
    with pytest.raises(TypeError, match="name must be a str, got 3"):
        Dense(2, name=3)


def test_input_shape_with_zero():
    with pytest.raises(ValueError, match=r"input_shape must hold positive ints, got \(3, 0\)"):
        Flatten().build((3, 0))


def test_input_shape_without_axes():
    with pytest.raises(ValueError,
                       match=r"Flatten expects samples with at least one axis, "
                             r"got input_shape \(\)"):
        Flatten().build(())


def test_batch_without_sample_axis():
    with pytest.raises(ValueError,
                       match=r"Flatten expects a batch \(N, ...\) with at least 2 axes, "
                             r"got shape \(5,\)"):
        Flatten().forward(np.zeros(5))


def test_gradients_before_backward():
    with pytest.raises(RuntimeError,
                       match=r"Dense has no gradient for \['w', 'b'\]: call backward first"):
        Dense(2).build((3,)).gradients()


def test_initializers_take_a_seed_and_check_their_arguments():
    np.testing.assert_array_equal(he_normal((3, 4), 5, "float64"),
                                  he_normal((3, 4), np.random.default_rng(5), "float64"))
    assert glorot_uniform((2, 3), 0).dtype == np.float32
    with pytest.raises(TypeError, match="dtype must be 'float32' or 'float64', got 'int32'"):
        he_normal((3, 4), 0, "int32")
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        glorot_uniform((3, 4), np.random.RandomState(0))
