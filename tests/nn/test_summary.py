"""Parameter counts: the formulas of cnnedu.nn.summary agree with built layers and models."""
import numpy as np
import pytest

from cnnedu.nn import Conv2D, Dense, Flatten, MaxPool2D
from cnnedu.nn.summary import conv_macs, conv_params, count_params, dense_params
from cnnedu.ops.conv import im2col
from cnnedu.nn.zoo import classic_cnn


@pytest.mark.parametrize("f, c, k, use_bias", [
    (32, 1, 3, True), (64, 32, 3, True), (16, 3, 5, True), (4, 2, (1, 3), True),
    (8, 3, (3, 2), False)], ids=["conv1", "conv2", "5x5", "1x3", "no-bias"])
def test_conv_params_is_the_layers_count(f, c, k, use_bias):
    layer = Conv2D(f, k, use_bias=use_bias).build((c, 9, 9))
    assert conv_params(f, c, k, use_bias=use_bias) == layer.count_params()


@pytest.mark.parametrize("d, m, use_bias", [(1600, 128, True), (128, 10, True),
                                            (784, 3, False)])
def test_dense_params_is_the_layers_count(d, m, use_bias):
    assert dense_params(d, m, use_bias=use_bias) == Dense(m, use_bias=use_bias).build(
        (d,)).count_params()


def test_the_books_numbers():
    assert conv_params(32, 1, 3) == 320 and conv_params(64, 32, (3, 3)) == 18_496
    assert dense_params(1600, 128) == 204_928 and dense_params(128, 10) == 1_290
    assert dense_params(28 * 28, 32 * 26 * 26) == 16_981_120       # chapters 0 and 1


@pytest.mark.parametrize("f, c, k, stride, padding", [
    (4, 3, 3, 1, 0), (2, 5, 1, 1, 0), (3, 2, (3, 2), 2, 1), (1, 1, 5, 3, 2)],
    ids=["3x3", "1x1", "3x2-s2-p1", "5x5-s3-p2"])
def test_conv_macs_counts_the_products_of_im2col(f, c, k, stride, padding):
    # the forward pass is W_row (F, C*KH*KW) @ X_col (C*KH*KW, OH*OW): F*C*KH*KW*OH*OW products
    layer = Conv2D(f, k, strides=stride, padding=padding).build((c, 9, 8))
    _, oh, ow = layer.output_shape((c, 9, 8))
    kh, kw = (k, k) if isinstance(k, int) else k
    cols = im2col(np.zeros((1, c, 9, 8)), kh, kw, stride=stride, padding=padding)
    assert cols.shape == (c * kh * kw, oh * ow)
    assert conv_macs(f, c, k, (oh, ow)) == f * cols.shape[0] * cols.shape[1]


def test_conv_macs_of_the_books_layers():
    assert conv_macs(32, 1, 3, 26) == 194_688
    assert conv_macs(64, 32, 3, 11) == 64 * 32 * 9 * 121
    assert conv_macs(8, 4, 1, (5, 7)) == 8 * 4 * 35


def test_count_params_of_a_layer_a_model_and_a_list():
    model = classic_cnn()
    assert count_params(model) == model.count_params() == 225_034
    assert count_params(model.get_layer("dense")) == 204_928
    assert count_params(model.layers[4:]) == 204_928 + 1_290
    assert count_params([layer for layer in model.layers if isinstance(layer, Dense)]) \
        == 204_928 + 1_290
    assert count_params([]) == 0
    assert count_params([MaxPool2D(2), Flatten()]) == 0


@pytest.mark.parametrize("call, error, match", [
    (lambda: conv_params(0, 1, 3), ValueError, "filters must be a positive int, got 0"),
    (lambda: conv_params(8, 1.5, 3), TypeError, "channels must be an int, got 1.5"),
    (lambda: conv_params(8, 1, (3, 0)), ValueError,
     r"kernel_size must be a positive int or \(h, w\) pair, got \(3, 0\)"),
    (lambda: conv_macs(8, 1, 3, 0), ValueError,
     r"output_size must be a positive int or \(h, w\) pair, got 0"),
    (lambda: conv_macs(8, 1, 3, (2,)), TypeError,
     r"output_size must be a positive int or \(h, w\) pair, got \(2,\)"),
    (lambda: dense_params(10, -1), ValueError, "units must be a positive int, got -1"),
    (lambda: dense_params("784", 10), TypeError, "inputs must be an int, got '784'"),
    (lambda: count_params(3), TypeError,
     "layers must be a Layer, a Sequential or an iterable of layers, got int"),
    (lambda: count_params([Dense(2), "dense"]), TypeError, r"layers\[1\] must be a Layer, got str"),
], ids=["filters", "channels", "kernel", "macs-output", "macs-output-pair", "units", "inputs",
        "not-layers", "not-a-layer"])
def test_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()
