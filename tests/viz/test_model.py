"""Drawing functions of the complete-CNN chapter: what they draw is what they were given."""
import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure

from cnnedu.viz.activation import HIGHLIGHT_COLOR
from cnnedu.viz.model import (TRAIN_COLOR, VAL_COLOR, plot_history, show_confusion_matrix,
                              show_probabilities, show_saliency, update_probabilities)


def drawn(image):
    return np.asarray(image.get_array().filled(np.nan), dtype=float)


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
