"""Drawing of the chapter "Going deeper": static plots and the explorers' panels."""
import numpy as np
from matplotlib.figure import Figure

from cnnedu.explain import deep as dx
from cnnedu.viz import deep as vd


def run(block, depth, norms, loss):
    return dx.DepthRun(block, depth, ["a"] * len(norms), np.arange(1, len(norms) + 1),
                       np.asarray(norms), {"loss": loss, "val_accuracy": [0.5, 0.6]}, 10)


def test_static_plots_draw_one_line_per_run():
    fig = Figure()
    ax1, ax2 = fig.subplots(1, 2)
    runs = [run("plain", 2, [1.0, 0.5, 0.25], [2.0, 1.0]), run("residual", 2, [1.0, 1.0], [2, 0.5])]
    vd.plot_gradient_norms(ax1, runs)
    vd.plot_curves(ax2, runs, "loss")
    assert len(ax1.lines) == len(ax2.lines) == 2
    np.testing.assert_array_equal(ax1.lines[0].get_ydata(), [1.0, 0.5, 0.25])
    assert ax1.get_yscale() == "log"
    assert [t.get_text() for t in ax2.get_legend().get_texts()] == ["plain 2", "residual 2"]


def test_depth_panels_update_in_place():
    fig = Figure()
    artists = vd.draw_depth(fig, 5, 2)
    a, b = run("plain", 4, [1, 2, 3, 4, 5], [2, 1]), run("residual", 4, [3, 3, 3], [2, 1])
    vd.update_depth(artists, a, b, (0.5, 10), (0, 1))
    np.testing.assert_array_equal(artists["g_main"].get_ydata(), [1, 2, 3, 4, 5])
    np.testing.assert_array_equal(artists["c_other"].get_ydata(), [0.5, 0.6])
    assert artists["grad_ax"].get_ylim() == (0.5, 10)


def test_batch_norm_panels_cut_a_spike_and_follow_the_state():
    x = np.zeros((40, 1, 4, 4))
    x[:, :, :2] = np.random.default_rng(0).random((40, 1, 2, 4))   # half zeros: a spike
    state = dx.batch_norm_view(x, 8, 2, steps=5)
    fig = Figure()
    a = vd.draw_batch_norm(fig, state)
    assert "tallest bar cut" in a["raw_ax"].get_title()
    assert a["raw_ax"].get_ylim()[1] < state["hist_in"].max()
    state = dx.batch_norm_view(x, 8, 5, steps=5)
    vd.update_batch_norm(a, state)
    assert list(a["now"].get_xdata()) == [5, 5]
    np.testing.assert_allclose(a["r_var"].get_ydata(), state["running_var"])
