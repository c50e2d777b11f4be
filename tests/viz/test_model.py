"""Drawing functions of the complete-CNN chapter: what they draw is what they were given."""
import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure

from cnnedu.viz import MAGNITUDE_CMAP, SIGNED_CMAP
from cnnedu.viz.activation import HIGHLIGHT_COLOR
from cnnedu.viz.model import (TRAIN_COLOR, VAL_COLOR, mosaic, plot_history,
                              show_confusion_matrix, show_feature_maps, show_filters,
                              show_probabilities, show_saliency, update_feature_maps,
                              update_probabilities)

matplotlib.use("Agg")


@pytest.fixture
def ax():
    return Figure().add_subplot()


def drawn(image):
    return np.asarray(image.get_array().filled(np.nan), dtype=float)


# ---------------------------------------------------------------- mosaic
def test_mosaic_by_hand():
    maps = np.arange(12.0).reshape(3, 2, 2)
    got = mosaic(maps, ncols=2, gap=1)
    nan = np.nan
    expected = np.array([[0, 1, nan, 4, 5],
                         [2, 3, nan, 6, 7],
                         [nan, nan, nan, nan, nan],
                         [8, 9, nan, nan, nan],
                         [10, 11, nan, nan, nan]])
    np.testing.assert_array_equal(got, expected)


def test_mosaic_default_columns_and_no_gap():
    maps = np.ones((5, 3, 4))
    assert mosaic(maps).shape == (2 * 3 + 1, 3 * 4 + 2)         # ceil(sqrt(5)) = 3 columns
    assert mosaic(maps, ncols=9, gap=0).shape == (3, 20)           # at most M columns
    assert not np.isnan(mosaic(maps, ncols=5, gap=0)).any()


@pytest.mark.parametrize("maps, kwargs, err, words", [
    (np.ones((2, 2)), {}, ValueError,
     r"maps must be a non-empty 3-D array \(M, H, W\), got shape \(2, 2\)"),
    (np.ones((0, 2, 2)), {}, ValueError, "non-empty"),
    (np.ones((2, 2, 2)), {"gap": -1}, ValueError, "gap must be a non-negative int, got -1"),
    (np.ones((2, 2, 2)), {"ncols": 0}, ValueError, "ncols must be a positive int"),
])
def test_mosaic_errors(maps, kwargs, err, words):
    with pytest.raises(err, match=words):
        mosaic(maps, **kwargs)


# ---------------------------------------------------------------- filters
def test_show_filters_draws_the_kernels_on_a_zero_centred_scale(ax):
    w = np.random.default_rng(0).standard_normal((32, 1, 3, 3))
    art = show_filters(ax, w, ncols=8)
    np.testing.assert_array_equal(drawn(art.image), mosaic(w[:, 0], 8, 1))
    m = np.abs(w).max()
    assert art.image.get_clim() == (-m, m)
    assert art.image.get_cmap().name.startswith(SIGNED_CMAP)
    assert drawn(art.image).shape == (4 * 3 + 3, 8 * 3 + 7)
    art = show_filters(Figure().add_subplot(), w[:, 0], vmax=2.0)
    assert art.image.get_clim() == (-2.0, 2.0)


def test_show_filters_errors(ax):
    with pytest.raises(ValueError,
                       match=r"one input channel, got shape \(4, 3, 3, 3\) "
                             r".*pass one channel, e\.g\. w\[:, 0\]"):
        show_filters(ax, np.ones((4, 3, 3, 3)))
    with pytest.raises(ValueError, match=r"w must be \(F, 1, KH, KW\) or \(F, KH, KW\)"):
        show_filters(ax, np.ones((3, 3)))
    with pytest.raises(ValueError, match="vmax must be positive"):
        show_filters(ax, np.ones((2, 3, 3)), vmax=0)
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes"):
        show_filters("ax", np.ones((2, 3, 3)))


# ---------------------------------------------------------------- feature maps
def test_show_and_update_feature_maps(ax):
    rng = np.random.default_rng(1)
    maps = rng.random((4, 5, 5))
    art = show_feature_maps(ax, maps, ncols=2, vmin=0, vmax=1, title="layer")
    np.testing.assert_array_equal(drawn(art.image), mosaic(maps, 2))
    assert art.image.get_cmap().name.startswith(MAGNITUDE_CMAP) and ax.get_title() == "layer"
    new = rng.random((4, 5, 5)) * 3
    assert update_feature_maps(art, new, vmax=3.0) is art
    np.testing.assert_array_equal(drawn(art.image), mosaic(new, 2))
    assert art.image.get_clim() == (0, 3.0)
    one = show_feature_maps(Figure().add_subplot(), maps[0])          # a single (H, W) map
    assert drawn(one.image).shape == (5, 5)


def test_update_feature_maps_errors(ax):
    art = show_feature_maps(ax, np.ones((4, 5, 5)), ncols=2)
    with pytest.raises(ValueError,
                       match=r"maps must tile to the shape shown \(11, 11\), got \(11, 13\)"):
        update_feature_maps(art, np.ones((4, 5, 6)))
    with pytest.raises(TypeError, match="artists must be the Mosaic returned by show_feature_maps"):
        update_feature_maps(ax, np.ones((4, 5, 5)))
    with pytest.raises(ValueError, match=r"maps must be \(C, H, W\)"):
        show_feature_maps(ax, np.ones((1, 2, 5, 5)))


# ---------------------------------------------------------------- confusion matrix
def test_confusion_matrix_writes_every_nonzero_count(ax):
    cm = np.array([[50, 0, 2], [1, 40, 0], [0, 3, 60]])
    art = show_confusion_matrix(ax, cm, labels=["a", "b", "c"], title="cm")
    np.testing.assert_array_equal(art.image.get_array(), cm)
    texts = [[t.get_text() for t in row] for row in art.texts]
    assert texts == [["50", "", "2"], ["1", "40", ""], ["", "3", "60"]]
    for t in range(3):
        for p in range(3):
            assert art.texts[t][p].get_position() == (p, t)      # column = predicted, row = true
    assert ax.get_xlabel() == "predicted class" and ax.get_ylabel() == "true class"
    assert [lab.get_text() for lab in ax.get_xticklabels()] == ["a", "b", "c"]
    # the largest count is drawn dark on light, an empty cell light on dark
    assert (art.texts[2][2].get_color() == "black"
            and art.texts[0][0].get_color() in ("black", "white"))


@pytest.mark.parametrize("cm, kwargs, words", [
    (np.ones((2, 3), dtype=int), {}, r"cm must be a square 2-D array \(K, K\), got shape \(2, 3\)"),
    (np.ones((2, 2)), {}, "cm must hold non-negative integer counts"),
    (-np.ones((2, 2), dtype=int), {}, "cm must hold non-negative integer counts"),
    (np.ones((2, 2), dtype=int), {"labels": ["a"]},
     "labels must have one entry per class: 2 classes, got 1"),
    (np.ones((2, 2), dtype=int), {"gamma": 0}, "gamma must be positive"),
])
def test_confusion_matrix_errors(ax, cm, kwargs, words):
    with pytest.raises(ValueError, match=words):
        show_confusion_matrix(ax, cm, **kwargs)


# ---------------------------------------------------------------- probabilities
def test_probability_bars_show_the_probabilities(ax):
    p = np.array([0.001, 0.6, 0.3, 0.099])
    bars = show_probabilities(ax, p, highlight=1)
    np.testing.assert_allclose([r.get_height() for r in bars.rects], p)
    assert [t.get_text() for t in bars.texts] == ["", "0.60", "0.30", "0.10"]  # < 0.005 not written
    assert matplotlib.colors.to_hex(bars.rects[1].get_facecolor()) == HIGHLIGHT_COLOR.lower()
    assert ax.get_ylim() == (0, 1.18)
    q = np.array([0.5, 0.2, 0.2, 0.1])
    update_probabilities(bars, q, highlight=0, top=2)
    np.testing.assert_allclose([r.get_height() for r in bars.rects], q)
    assert [t.get_text() for t in bars.texts] == ["0.50", "0.20", "", ""]       # top 2, ties: first
    assert matplotlib.colors.to_hex(bars.rects[0].get_facecolor()) == HIGHLIGHT_COLOR.lower()


def test_probability_bars_top_labels(ax):
    bars = show_probabilities(ax, [0.1, 0.2, 0.7], top=1)
    assert [t.get_text() for t in bars.texts] == ["", "", "0.70"]
    with pytest.raises(ValueError, match="top must be a positive int"):
        show_probabilities(Figure().add_subplot(), [0.5, 0.5], top=0)


# ---------------------------------------------------------------- history
def test_plot_history_draws_training_and_validation():
    fig = Figure()
    axes = fig.subplots(1, 2)
    hist = {"loss": [0.5, 0.2, 0.1], "accuracy": [0.8, 0.9, 0.95],
            "val_loss": [0.3, 0.2, 0.15], "val_accuracy": [0.9, 0.93, 0.94]}
    lines = plot_history(axes, hist)
    assert set(lines) == set(hist)
    for key, values in hist.items():
        np.testing.assert_array_equal(lines[key].get_xdata(), [1, 2, 3])
        np.testing.assert_array_equal(lines[key].get_ydata(), values)
    assert lines["loss"].get_color() == TRAIN_COLOR and lines["val_loss"].get_color() == VAL_COLOR
    assert axes[0].get_ylabel() == "loss" and axes[1].get_xlabel() == "epoch"
    only_train = plot_history(Figure().add_subplot(), {"loss": [1.0, 0.5]}, metrics="loss")
    assert set(only_train) == {"loss"}


def test_plot_history_errors():
    fig = Figure()
    with pytest.raises(ValueError, match=r"history has no 'accuracy'; it has \['loss'\]"):
        plot_history(fig.subplots(1, 2), {"loss": [1.0]})
    with pytest.raises(ValueError, match="one Axes per metric: 2 metrics"):
        plot_history(fig.add_subplot(), {"loss": [1.0]})
    with pytest.raises(TypeError, match="history must be a dict or a History, got list"):
        plot_history(fig.subplots(1, 2), [1.0])


# ---------------------------------------------------------------- saliency
def test_show_saliency_centres_zero_and_outlines_the_digit(ax):
    image = np.zeros((8, 8))
    image[2:6, 3:5] = 1.0
    grad = np.linspace(-1, 3, 64).reshape(8, 8)
    im, contour = show_saliency(ax, image, grad, title="g")
    np.testing.assert_array_equal(drawn(im), grad)
    assert im.get_clim() == (-3.0, 3.0)
    assert contour is not None and list(contour.levels) == [0.5]
    im2, none = show_saliency(Figure().add_subplot(), np.zeros((8, 8)), grad, vmax=1.0)
    assert none is None and im2.get_clim() == (-1.0, 1.0)        # nothing to outline


def test_show_saliency_errors(ax):
    with pytest.raises(ValueError,
                       match=r"image and grad must be 2-D arrays of the same shape, "
                             r"got \(8, 8\) and \(8, 7\)"):
        show_saliency(ax, np.zeros((8, 8)), np.zeros((8, 7)))
