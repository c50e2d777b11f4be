"""The digit explorer, driven headless: what it shows is what the model computes."""
import numpy as np
import pytest

from cnnedu.data import load_digits
from cnnedu.explain.model import cells_to_image, feature_maps, image_to_cells
from cnnedu.nn import Conv2D, Dense, Flatten, Input, MaxPool2D
from cnnedu.nn.model import Sequential
from cnnedu.nn.zoo import classic_cnn
from cnnedu.viz.tiles import mosaic
from cnnedu.widgets.model import N_CHANNELS, N_DIGITS, digit_explorer


@pytest.fixture(scope="module")
def ex():
    return digit_explorer()


@pytest.fixture(scope="module")
def test_digits():
    return load_digits("test")


def panel_images(explorer):
    """The arrays drawn in the figure: input, feature-map panels, hidden units."""
    return [np.asarray(ax.images[0].get_array().filled(np.nan), dtype=float)
            for ax in explorer.figure.axes if ax.images]


def assert_shows_what_the_model_computes(explorer, x):
    s = explorer.state()
    model = explorer.model
    np.testing.assert_array_equal(s["input"], x)
    maps = feature_maps(model, x[None, None])
    for name, shown in s["maps"].items():
        np.testing.assert_array_equal(shown, maps[name][0, s["channels"][name]])
    np.testing.assert_allclose(s["probabilities"], model.predict(x[None, None])[0], rtol=1e-6)
    assert s["prediction"] == int(np.argmax(s["probabilities"]))
    # the figure draws exactly these arrays
    images = panel_images(explorer)
    np.testing.assert_array_equal(images[0], x)
    for img, shown in zip(images[1:], s["maps"].values()):
        np.testing.assert_array_equal(img, mosaic(shown, 2))
    if s["hidden"] is not None:
        np.testing.assert_array_equal(images[-1].ravel()[:s["hidden"].size], s["hidden"])
        assert np.isnan(images[-1].ravel()[s["hidden"].size:]).all()
    bars = explorer.figure.axes[-1].patches
    np.testing.assert_allclose([b.get_height() for b in bars], s["probabilities"], rtol=1e-6)


def test_default_explorer_is_the_untrained_classic_cnn(ex):
    s = ex.state()
    assert s["trained"] is False and "Untrained network" in ex.message
    assert ex.model.count_params() == 225_034
    reference = classic_cnn(seed=0)
    np.testing.assert_array_equal(ex.model.layers[0].params["w"], reference.layers[0].params["w"])
    assert list(s["maps"]) == ["conv2d", "max_pool2d", "conv2d_1", "max_pool2d_1"]
    assert all(len(ch) == N_CHANNELS for ch in s["channels"].values())
    assert s["hidden"].shape == (128,)
    assert ex.controls["index"].max == N_DIGITS - 1


@pytest.mark.parametrize("index", [0, 7, 123, N_DIGITS - 1])
def test_a_test_digit_shows_the_models_maps_and_probabilities(ex, test_digits, index):
    X, y = test_digits
    ex.controls["source"].value = "test digit"
    ex.controls["index"].value = index
    assert_shows_what_the_model_computes(ex, X[index, 0])
    s = ex.state()
    assert s["label"] == y[index] and s["source"] == "test digit"
    assert f"test digit {index}, label {y[index]}: predicted <b>{s['prediction']}</b>" in ex.message


def test_toggling_a_cell_switches_to_the_drawing_and_changes_the_input(ex):
    ex.controls["source"].value = "test digit"
    ex.controls["index"].value = 3
    before = ex.state()["input"].copy()
    drawing = ex.drawing()
    cell = ex.cells[7, 7]
    cell.value = not cell.value
    s = ex.state()
    assert s["source"] == "drawing" and ex.controls["source"].value == "drawing"
    assert s["drawing"][7, 7] != drawing[7, 7]
    assert not np.array_equal(s["input"], before)
    np.testing.assert_array_equal(s["input"], cells_to_image(s["drawing"]))
    assert_shows_what_the_model_computes(ex, s["input"])
    previous = s["input"].copy()
    ex.cells[0, 13].value = not ex.cells[0, 13].value          # a second toggle, already drawing
    assert not np.array_equal(ex.state()["input"], previous)
    assert ex.state()["drawing"][0, 13] == ex.cells[0, 13].value
    assert (ex.cells[0, 13].button_style == "primary") == ex.cells[0, 13].value
    assert "your drawing" in ex.message


def test_clear_and_copy_the_drawing(ex, test_digits):
    X, _ = test_digits
    ex.clear_drawing()
    s = ex.state()
    assert s["source"] == "drawing" and not s["drawing"].any() and not s["input"].any()
    assert "The grid is empty" in ex.message
    assert_shows_what_the_model_computes(ex, s["input"])
    ex.controls["index"].value = 42
    ex.copy_digit()
    np.testing.assert_array_equal(ex.state()["drawing"], image_to_cells(X[42, 0]))
    with pytest.raises(ValueError, match=r"cells must have shape \(14, 14\)"):
        ex.set_drawing(np.zeros((3, 3)))


def test_a_given_model_and_data():
    model = Sequential([Input((1, 28, 28)), Conv2D(3, 5, activation="relu"), MaxPool2D(2),
                        Flatten(), Dense(4)], seed=2)          # logits out, 4 classes
    model.compile()
    X = np.random.default_rng(0).random((5, 1, 28, 28)).astype(np.float32)
    explorer = digit_explorer(model, X, index=2)
    s = explorer.state()
    assert s["trained"] is True and "Untrained" not in explorer.message
    assert s["label"] is None and explorer.controls["index"].max == 4
    assert list(s["maps"]) == ["conv2d", "max_pool2d"] and s["hidden"] is None
    assert_shows_what_the_model_computes(explorer, X[2, 0])
    np.testing.assert_allclose(s["probabilities"].sum(), 1.0, rtol=1e-6)   # softmax of logits


def test_png_changes_with_the_digit(ex):
    ex.controls["source"].value = "test digit"
    ex.controls["index"].value = 1
    png = bytes(ex.image.value)
    ex.controls["index"].value = 2
    assert bytes(ex.image.value) != png and bytes(ex.image.value).startswith(b"\x89PNG")


@pytest.mark.parametrize("args, err, words", [
    ((Sequential([Input((1, 8, 8)), Flatten(), Dense(3)]),), ValueError,
     r"model must take \(1, 28, 28\) digits, its input shape is \(1, 8, 8\)"),
    ((Sequential([Input((1, 28, 28)), Conv2D(2, 3)]),), ValueError,
     r"model must output one score per class, \(K,\)"),
    (("model",), TypeError, "model must be a cnnedu Sequential, got str"),
    ((None, np.zeros((3, 28, 28))), ValueError,
     r"X must be digits of shape \(N, 1, 28, 28\), got shape \(3, 28, 28\)"),
    ((None, np.zeros((3, 1, 28, 28)), [1, 2]), ValueError,
     r"y must hold one label per digit, shape \(3,\), got \(2,\)"),
])
def test_explorer_explains_bad_arguments(args, err, words):
    with pytest.raises(err, match=words):
        digit_explorer(*args)
