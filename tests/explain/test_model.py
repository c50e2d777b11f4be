"""Looking inside a model: feature maps, saliency, confusion matrix, confident mistakes."""
import numpy as np
import pytest

from cnnedu.gradcheck import numerical_gradient, rel_error
from cnnedu.explain.model import (confusion_matrix, feature_maps, most_active_channels,
                                  most_confident_mistakes, saliency)
from cnnedu.nn import Conv2D, Dense, Dropout, Flatten, Input, MaxPool2D, Softmax
from cnnedu.nn.model import Sequential
from cnnedu.nn.zoo import classic_cnn


def tiny(head="softmax", dtype="float64", seed=1):
    """Conv -> pool -> dense on 1x8x8 inputs.

    The head ends in softmax, a Softmax layer or logits.
    """
    layers = [Input((1, 8, 8)), Conv2D(3, 3, activation="relu"), MaxPool2D(2), Flatten(),
              Dropout(0.5)]
    if head == "softmax":
        layers.append(Dense(5, activation="softmax"))
    elif head == "layer":
        layers += [Dense(5), Softmax()]
    else:
        layers.append(Dense(5))
    return Sequential(layers, seed=seed, dtype=dtype)


@pytest.fixture
def x():
    return np.random.default_rng(0).random((3, 1, 8, 8))


# ---------------------------------------------------------------- feature_maps
def test_feature_maps_are_each_layers_output_in_order(x):
    model = tiny()
    maps = feature_maps(model, x)
    assert list(maps) == [layer.name for layer in model.layers]
    out = x
    for layer, (name, got) in zip(model.layers, maps.items()):
        out = layer.forward(out)
        np.testing.assert_array_equal(got, out)
    assert maps["conv2d"].shape == (3, 3, 6, 6) and maps["max_pool2d"].shape == (3, 3, 3, 3)
    np.testing.assert_allclose(maps[model.layers[-1].name], model.predict(x), rtol=1e-12)


def test_feature_maps_run_in_inference_mode(x):
    model = tiny()
    first = feature_maps(model, x)["dropout"]
    np.testing.assert_array_equal(first, feature_maps(model, x)["dropout"])   # no dropout mask
    np.testing.assert_array_equal(first, feature_maps(model, x)["flatten"])


def test_feature_maps_cast_to_the_models_dtype_and_build_it():
    model = Sequential([Conv2D(2, 3), Flatten()], dtype="float32")
    maps = feature_maps(model, np.zeros((2, 1, 5, 5)))
    assert model.built and maps["conv2d"].dtype == np.float32 and maps["flatten"].shape == (2, 18)


@pytest.mark.parametrize("shape, words", [
    ((1, 8, 8), r"add a batch axis, e\.g\. X\[None\]"),
    ((4, 8, 8), r"add a channel axis, e\.g\. X\[:, None\]"),
    ((2, 1, 9, 8), r"X must be a batch of shape \(N,\) \+ \(1, 8, 8\), got shape \(2, 1, 9, 8\)"),
    ((0, 1, 8, 8), r"X holds no samples"),
])
def test_feature_maps_explain_a_wrong_input(shape, words):
    with pytest.raises(ValueError, match=words):
        feature_maps(tiny(), np.zeros(shape))


def test_feature_maps_want_a_model():
    with pytest.raises(TypeError, match="model must be a cnnedu Sequential, got list"):
        feature_maps([Conv2D(2, 3)], np.zeros((1, 1, 5, 5)))
    with pytest.raises(ValueError, match="model has no layers"):
        feature_maps(Sequential(), np.zeros((1, 1, 5, 5)))


# ---------------------------------------------------------------- most_active_channels
def test_most_active_channels_by_hand():
    maps = np.zeros((3, 2, 2))
    maps[0] = 1.0          # mean 1
    maps[1] = [[0, 8], [0, 0]]   # mean 2
    maps[2] = 0.5          # mean 0.5
    np.testing.assert_array_equal(most_active_channels(maps, 2), [1, 0])
    np.testing.assert_array_equal(most_active_channels(maps[None].repeat(2, 0), 5), [1, 0, 2])


def test_most_active_channels_keep_the_lower_index_on_ties():
    np.testing.assert_array_equal(most_active_channels(np.ones((4, 2, 2)), 3), [0, 1, 2])


def test_most_active_channels_errors():
    with pytest.raises(ValueError,
                       match=r"maps must be \(N, C, H, W\) or \(C, H, W\), got shape \(5,\)"):
        most_active_channels(np.zeros(5))
    with pytest.raises(ValueError, match="k must be a positive int"):
        most_active_channels(np.zeros((2, 3, 3)), 0)


# ---------------------------------------------------------------- saliency
@pytest.mark.parametrize("head", ["softmax", "layer", "logits"])
def test_saliency_is_the_gradient_of_the_logit(head, x):
    """Against centred differences of the logits, in float64, for every kind of head."""
    model = tiny(head)
    classes = np.array([1, 4, 0])
    result = saliency(model, x, classes)

    def logits():
        out = x
        for layer in (model.layers[:-1] if head == "layer" else model.layers):
            out = layer.forward(out)
        z = model.layers[-1].preactivation if head == "softmax" else out
        return z[np.arange(3), classes].sum()

    num = numerical_gradient(logits, x)
    assert result.grad.shape == x.shape
    assert rel_error(result.grad, num) < 1e-6
    np.testing.assert_array_equal(result.classes, classes)


def test_saliency_of_each_sample_is_independent_of_the_others(x):
    model = tiny()
    batch = saliency(model, x, [2, 2, 3]).grad
    for n, c in enumerate([2, 2, 3]):
        np.testing.assert_allclose(saliency(model, x[n:n + 1], c).grad[0], batch[n], rtol=1e-12)


def test_saliency_defaults_to_the_predicted_class_and_returns_logits(x):
    model = tiny()
    result = saliency(model, x)
    z = result.logits
    np.testing.assert_array_equal(result.classes, z.argmax(axis=1))
    p = np.exp(z - z.max(axis=1, keepdims=True))
    np.testing.assert_allclose(p / p.sum(axis=1, keepdims=True), model.predict(x), rtol=1e-10)
    same = saliency(model, x, result.classes).grad
    np.testing.assert_array_equal(result.grad, same)


def test_saliency_leaves_the_weights_alone(x):
    model = tiny()
    before = [p.copy() for p in model.parameters()]
    saliency(model, x)
    for a, b in zip(before, model.parameters()):
        np.testing.assert_array_equal(a, b)


def test_saliency_in_float32_follows_the_model():
    model = classic_cnn()
    digits = np.random.default_rng(1).random((2, 1, 28, 28))
    result = saliency(model, digits, 3)
    assert result.grad.dtype == np.float32 and result.grad.shape == (2, 1, 28, 28)
    np.testing.assert_array_equal(result.classes, [3, 3])


@pytest.mark.parametrize("classes, words", [
    ([1, 2], r"classes must be an int or 3 ints \(one per sample\)"),
    ([0.5, 1, 2], r"classes must be an int or 3 ints"),
    ([0, 5, 1], r"classes must lie in \[0, 5\), got values from 0 to 5"),
    (-1, r"classes must lie in \[0, 5\), got values from -1 to -1"),
])
def test_saliency_explains_bad_classes(classes, words, x):
    with pytest.raises(ValueError, match=words):
        saliency(tiny(), x, classes)


def test_saliency_needs_logits():
    model = Sequential([Input((4,)), Softmax()])
    with pytest.raises(ValueError, match="only a Softmax layer"):
        saliency(model, np.zeros((1, 4)))


# ---------------------------------------------------------------- confusion_matrix
def test_confusion_matrix_by_hand():
    y_true = [0, 0, 1, 1, 1, 2]
    y_pred = [0, 1, 1, 1, 2, 0]
    expected = np.array([[1, 1, 0],
                         [0, 2, 1],
                         [1, 0, 0]])
    cm = confusion_matrix(y_true, y_pred)
    np.testing.assert_array_equal(cm, expected)
    assert cm.dtype == np.int64


def test_confusion_matrix_rows_count_classes_and_trace_counts_hits():
    rng = np.random.default_rng(3)
    t, p = rng.integers(0, 10, 500), rng.integers(0, 10, 500)
    cm = confusion_matrix(t, p, 10)
    np.testing.assert_array_equal(cm.sum(axis=1), np.bincount(t, minlength=10))
    np.testing.assert_array_equal(cm.sum(axis=0), np.bincount(p, minlength=10))
    assert np.trace(cm) == np.sum(t == p)


def test_confusion_matrix_num_classes_and_whole_floats():
    cm = confusion_matrix(np.array([1.0, 1.0]), np.array([1, 0]), num_classes=4)
    assert cm.shape == (4, 4) and cm[1, 1] == 1 and cm[1, 0] == 1 and cm.sum() == 2
    assert confusion_matrix([], [], 3).sum() == 0


@pytest.mark.parametrize("t, p, k, words", [
    ([0, 1], [0], None, "y_true and y_pred must have the same length, got 2 and 1"),
    ([0, -1], [0, 1], None, "y_true must hold class labels >= 0, got -1"),
    ([0, 1], [0, 0.5], None, "y_pred must hold integer class labels, got dtype float64"),
    ([[0, 1]], [0, 1], None, r"y_true must be a 1-D array of class labels, got shape \(1, 2\)"),
    ([0, 3], [0, 1], 3, r"labels must lie in \[0, num_classes\) = \[0, 3\), got a label 3"),
    ([0, 1], [0, 1], 0, "num_classes must be a positive int"),
])
def test_confusion_matrix_errors(t, p, k, words):
    with pytest.raises(ValueError, match=words):
        confusion_matrix(t, p, k)


# ---------------------------------------------------------------- most_confident_mistakes
def test_most_confident_mistakes_by_hand():
    probs = np.array([[0.9, 0.1, 0.0],     # predicted 0, true 0: right
                      [0.2, 0.7, 0.1],     # predicted 1, true 2: wrong, 0.7
                      [0.05, 0.05, 0.9],   # predicted 2, true 0: wrong, 0.9
                      [0.4, 0.35, 0.25],   # predicted 0, true 1: wrong, 0.4
                      [0.1, 0.2, 0.7]])    # predicted 2, true 2: right
    m = most_confident_mistakes(probs, [0, 2, 0, 1, 2], k=5)
    np.testing.assert_array_equal(m.index, [2, 1, 3])
    np.testing.assert_array_equal(m.true, [0, 2, 1])
    np.testing.assert_array_equal(m.predicted, [2, 1, 0])
    np.testing.assert_allclose(m.confidence, [0.9, 0.7, 0.4])
    assert list(most_confident_mistakes(probs, [0, 2, 0, 1, 2], k=2).index) == [2, 1]


def test_most_confident_mistakes_ties_and_none():
    probs = np.array([[0.2, 0.8], [0.2, 0.8], [0.8, 0.2]])
    assert list(most_confident_mistakes(probs, [0, 0, 1]).index) == [0, 1, 2]
    none = most_confident_mistakes(probs, [1, 1, 0])
    assert none.index.size == 0 and none.confidence.size == 0


@pytest.mark.parametrize("probs, y, k, words", [
    (np.ones(3), [0], 1, r"probs must be \(N, K\), got shape \(3,\)"),
    (np.ones((2, 3)), [0], 1, "probs and y_true must have the same length, got 2 and 1"),
    (np.ones((2, 3)), [0, 3], 1, r"y_true must lie in \[0, 3\), got a label 3"),
    (np.ones((2, 3)), [0, 1], 0, "k must be a positive int"),
])
def test_most_confident_mistakes_errors(probs, y, k, words):
    with pytest.raises(ValueError, match=words):
        most_confident_mistakes(probs, y, k)


# ------------------------------------------------------------------ the digit explorer's view
from cnnedu.explain.model import (GRID, cells_to_image, digit_plan, digit_view,  # noqa: E402
                                  image_to_cells)
from cnnedu.ops.activation import softmax  # noqa: E402


def digit_model(head):
    layers = [Input((1, 28, 28)), Conv2D(3, 5, activation="relu"), MaxPool2D(2),
              Conv2D(2, 3), Flatten(), Dense(6, activation="relu")]
    layers.append(Dense(4, activation="softmax") if head == "softmax" else Dense(4))
    model = Sequential(layers, seed=4, dtype="float64")
    model.compile()          # predict gives probabilities, from a softmax or from logits
    return model


@pytest.mark.parametrize("head", ["softmax", "logits"])
def test_digit_plan_and_view_agree_with_the_model(head):
    model = digit_model(head)
    X = np.random.default_rng(0).random((5, 1, 28, 28))
    labels = np.array([3, 1, 0, 2, 1])
    plan = digit_plan(model, X, n_channels=2)
    maps = feature_maps(model, X)
    assert plan.map_layers == ["conv2d", "max_pool2d", "conv2d_1"]
    for name in plan.map_layers:
        np.testing.assert_array_equal(plan.channels[name], most_active_channels(maps[name], 2))
    assert plan.hidden == "dense" and plan.output == "dense_1"
    assert plan.signed == {"conv2d": False, "max_pool2d": False, "conv2d_1": True,
                           "dense": False}
    assert plan.softmax_output == (head == "softmax")
    assert plan.shapes["conv2d"] == (3, 24, 24) and plan.shapes["dense"] == (6,)
    assert plan.hidden_activation == "relu"
    drawing = np.zeros((GRID, GRID), dtype=bool)
    for source, index in [("test digit", 0), ("test digit", 4), ("drawing", 2)]:
        v = digit_view(model, plan, X, labels, source, index, drawing, True)
        x = cells_to_image(drawing) if source == "drawing" else X[index, 0]
        np.testing.assert_array_equal(v.input, x)
        assert v.label == (None if source == "drawing" else labels[index])
        one = feature_maps(model, x[None, None])
        for name, shown in v.maps.items():
            np.testing.assert_array_equal(shown, one[name][0, plan.channels[name]])
        np.testing.assert_array_equal(v.hidden, one["dense"][0])
        out = one["dense_1"]
        expected = out[0] if head == "softmax" else softmax(out, axis=1)[0]
        np.testing.assert_allclose(v.probabilities, expected)
        np.testing.assert_allclose(v.probabilities, model.predict(x[None, None])[0])
        assert v.prediction == int(np.argmax(expected)) and v.trained is True


def test_digit_view_without_labels_or_hidden_layer():
    model = Sequential([Input((1, 28, 28)), Conv2D(2, 3), Flatten(), Dense(3)], seed=0)
    X = np.random.default_rng(1).random((2, 1, 28, 28)).astype(np.float32)
    plan = digit_plan(model, X)
    assert plan.hidden is None and plan.signed == {"conv2d": True}
    v = digit_view(model, plan, X, None, "test digit", 1, np.zeros((GRID, GRID), bool), False)
    assert v.label is None and v.hidden is None and v.probabilities.sum() == pytest.approx(1)


def test_digit_view_explains_a_digit_the_model_cannot_take():
    model = Sequential([Input((1, 8, 8)), Flatten(), Dense(3)], seed=0)
    plan = digit_plan(model, np.zeros((1, 1, 8, 8)))
    with pytest.raises(ValueError, match=r"X must be a batch of shape \(N,\) \+ \(1, 8, 8\)"):
        digit_view(model, plan, np.zeros((2, 1, 28, 28)), None, "test digit", 0,
                   np.zeros((GRID, GRID), bool), True)


def test_cells_to_image_by_hand():
    cells = np.zeros((GRID, GRID), dtype=bool)
    cells[3, 5] = True                           # input pixels 6..7 x 10..11
    img = cells_to_image(cells)
    assert img.shape == (28, 28) and img.dtype == np.float32
    # a 2x2 block smoothed by [1, 2, 1] / 4 along each axis: 3/4 * 3/4 inside, then scaled to 1
    np.testing.assert_allclose(img[6:8, 10:12], 1.0)
    np.testing.assert_allclose(img[5, 10], (1 / 4) / (3 / 4))       # one row above the block
    np.testing.assert_allclose(img[5, 9], (1 / 16) / (9 / 16))      # diagonal neighbour
    assert img[4, 10] == 0 and img[6:8, 10:12].sum() + img.sum() > 0
    np.testing.assert_array_equal(img, img[::-1, ::-1][::-1, ::-1])
    assert not cells_to_image(np.zeros((GRID, GRID))).any()


def test_image_to_cells_inverts_blocks():
    cells = np.random.default_rng(0).random((GRID, GRID)) > 0.7
    blocks = np.kron(cells, np.ones((2, 2)))
    np.testing.assert_array_equal(image_to_cells(blocks), cells)


def test_drawing_conversions_check_shapes():
    with pytest.raises(ValueError, match=r"cells must have shape \(14, 14\), got \(28, 28\)"):
        cells_to_image(np.zeros((28, 28)))
    with pytest.raises(ValueError, match=r"image must have shape \(28, 28\), got \(14, 14\)"):
        image_to_cells(np.zeros((14, 14)))
