"""The ready-made models of cnnedu.nn.zoo."""
import numpy as np
import pytest

from cnnedu.nn.zoo import classic_cnn


def test_classic_cnn_has_the_familiar_shapes_and_counts():
    model = classic_cnn()
    assert model.layer_output_shapes == [(32, 26, 26), (32, 13, 13), (64, 11, 11), (64, 5, 5),
                                         (1600,), (128,), (10,)]
    # F (C k k + 1) for the convolutions, M (D + 1) for the dense layers
    assert [layer.count_params() for layer in model.layers] == [
        32 * (9 + 1), 0, 64 * (32 * 9 + 1), 0, 0, 128 * (1600 + 1), 10 * (128 + 1)]
    assert model.count_params() == 225_034
    assert model.loss == "sparse_categorical_crossentropy" and model.metrics == ["accuracy"]


def test_classic_cnn_is_seeded():
    a, b, c = classic_cnn(0), classic_cnn(0), classic_cnn(1)
    np.testing.assert_array_equal(a.layers[0].params["w"], b.layers[0].params["w"])
    assert not np.array_equal(a.layers[0].params["w"], c.layers[0].params["w"])
    assert classic_cnn(compile=False).optimizer is None
    assert classic_cnn(dtype="float64").layers[0].params["w"].dtype == np.float64


def test_classic_cnn_for_other_image_sizes():
    # the convolutions keep their 18,816 parameters; the first dense layer grows
    for size, params in ((28, 225_034), (56, 1_199_882), (10, 18_816 + 64 * 128 + 128 + 1_290)):
        model = classic_cnn(compile=False, input_size=size)
        assert model.count_params() == params
    with pytest.raises(ValueError, match="input_size"):
        classic_cnn(input_size=9)
