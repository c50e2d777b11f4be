"""cnnedu.viz.activation: drawing functions of the activation and dense-head chapters,
checked headless on their artists."""
import matplotlib
import numpy as np
import pytest

from cnnedu.viz import activation as viz_act

pytestmark = pytest.mark.figure(figsize=(4, 3))


X = np.linspace(-3, 3, 7)
Y = np.maximum(X, 0)
D = (X > 0).astype(float)


# ------------------------------------------------------------------ activation curves
def test_plot_activation_draws_both_curves_and_a_marker(ax):
    art = viz_act.plot_activation(ax, X, Y, D, x0=-1.0, y0=0.0, dydx0=0.0, title="ReLU")
    np.testing.assert_array_equal(art.f_line.get_ydata(), Y)
    np.testing.assert_array_equal(art.grad_line.get_ydata(), D)
    assert art.f_line.get_color() == viz_act.F_COLOR
    assert art.grad_line.get_color() == viz_act.GRAD_COLOR
    assert list(art.markers.get_xdata()) == [-1.0, -1.0]
    assert list(art.markers.get_ydata()) == [0.0, 0.0]
    assert art.markers.get_visible() and art.guide.get_visible()
    assert ax.get_title() == "ReLU"
    assert ax.get_xlim() == (-3.0, 3.0)
    lo, hi = ax.get_ylim()
    assert lo < 0 and hi > 3  # both curves and zero fit, with a margin


def test_plot_activation_without_marker_hides_it(ax):
    art = viz_act.plot_activation(ax, X, Y, D)
    assert not art.markers.get_visible() and not art.guide.get_visible()


def test_update_activation_in_place(ax):
    art = viz_act.plot_activation(ax, X, Y, D, 1.0, 1.0, 1.0)
    lines_before = list(ax.lines)
    y2, d2 = np.tanh(X), 1 - np.tanh(X) ** 2
    out = viz_act.update_activation(art, X, y2, d2, 2.0, float(np.tanh(2)), 0.07)
    assert out is art and list(ax.lines) == lines_before   # no new artists
    np.testing.assert_array_equal(art.f_line.get_ydata(), y2)
    np.testing.assert_array_equal(art.grad_line.get_ydata(), d2)
    assert list(art.guide.get_xdata()) == [2.0, 2.0]
    assert ax.get_ylim()[1] < 1.5  # rescaled to tanh's range
    viz_act.update_activation(art, X, y2, d2)
    assert not art.markers.get_visible()


def test_activation_curve_errors(ax):
    with pytest.raises(ValueError, match=r"y must have the shape of x \(7,\), got \(6,\)"):
        viz_act.plot_activation(ax, X, Y[:-1], D)
    with pytest.raises(ValueError, match=r"x must be a 1-D array of at least 2 points, "
                                         r"got shape \(1,\)"):
        viz_act.plot_activation(ax, [0.0], [0.0], [0.0])
    with pytest.raises(ValueError, match="x0, y0 and dydx0 go together"):
        viz_act.plot_activation(ax, X, Y, D, x0=1.0)
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes, got str"):
        viz_act.plot_activation("ax", X, Y, D)
    with pytest.raises(TypeError, match="artists must be the ActivationArtists returned by "
                                        "plot_activation, got tuple"):
        viz_act.update_activation((1, 2), X, Y, D)


# ------------------------------------------------------------------ bars
def test_draw_bars_heights_labels_and_highlight(ax):
    p = np.array([0.1, 0.6, 0.3])
    bars = viz_act.draw_bars(ax, p, ["a", "b", "c"], ylim=(0, 1), highlight=1, title="p")
    assert [r.get_height() for r in bars.rects] == pytest.approx(p)
    assert [t.get_text() for t in bars.texts] == ["0.10", "0.60", "0.30"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    colours = [matplotlib.colors.to_hex(r.get_facecolor()) for r in bars.rects]
    assert colours[1] == viz_act.HIGHLIGHT_COLOR.lower()
    assert colours[0] == colours[2] == viz_act.BAR_COLOR.lower()
    assert ax.get_ylim() == (0, 1)
    assert bars.texts[1].get_position()[1] > 0.6  # written above its bar


def test_negative_bars_are_labelled_below(ax):
    bars = viz_act.draw_bars(ax, [-2.0, 1.0], fmt="{:.1f}")
    assert bars.texts[0].get_text() == "-2.0" and bars.texts[0].get_va() == "top"
    assert bars.texts[0].get_position()[1] < -2.0
    assert ax.get_ylim()[0] < -2.0


def test_update_bars_in_place_and_nan_is_an_empty_bar(ax):
    bars = viz_act.draw_bars(ax, [0.5, 0.5], ylim=(0, 1))
    patches_before = list(ax.patches)
    viz_act.update_bars(bars, [0.9, 0.1], highlight=0)
    assert list(ax.patches) == patches_before
    assert [r.get_height() for r in bars.rects] == pytest.approx([0.9, 0.1])
    assert bars.texts[0].get_text() == "0.90"
    viz_act.update_bars(bars, [np.nan, 0.2])
    assert bars.rects[0].get_height() == 0 and bars.texts[0].get_text() == ""
    assert ax.get_ylim() == (0, 1)
    viz_act.update_bars(bars, [5.0, 1.0], rescale=True)
    assert ax.get_ylim()[1] > 5.0


def test_bar_errors(ax):
    with pytest.raises(ValueError, match="labels must have one entry per value: 3 values, "
                                         "got 2 labels"):
        viz_act.draw_bars(ax, [1, 2, 3], ["a", "b"])
    with pytest.raises(ValueError,
                       match=r"values must be a non-empty 1-D array, got shape \(2, 2\)"):
        viz_act.draw_bars(ax, np.ones((2, 2)))
    bars = viz_act.draw_bars(ax, [1.0, 2.0])
    with pytest.raises(ValueError, match=r"values must have one entry per bar \(2\), got 3"):
        viz_act.update_bars(bars, [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"highlight must be a bar index in \[0, 2\), got 5"):
        viz_act.update_bars(bars, [1.0, 2.0], highlight=5)
    with pytest.raises(TypeError, match="bars must be the Bars returned by draw_bars, got list"):
        viz_act.update_bars([1], [1.0])
