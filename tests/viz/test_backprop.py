"""Drawing functions of the backpropagation chapter: what they draw, in place updates, errors."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from cnnedu.viz import backprop as vb  # noqa: E402
from cnnedu.explain.backprop import scalar_graph  # noqa: E402
from cnnedu.viz import SIGNED_CMAP  # noqa: E402
from cnnedu.viz.text import LabelLayer  # noqa: E402


@pytest.fixture
def ax():
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


def test_scalar_graph_writes_values_and_adjoints(ax):
    art = vb.draw_scalar_graph(ax, scalar_graph(0.5, 2.0, 0.3, 2.0))
    assert art["values"]["L"].get_text() == "L = 0.49"
    assert art["values"]["r"].get_text() == "r = −0.70"
    assert art["adjoints"]["w"].get_text() == "∂L/∂w = −2.80"
    assert art["adjoints"]["t"].get_text() == "∂L/∂t = 1.40"
    assert art["adjoints"]["w"].get_color() == vb.ADJOINT_COLOR
    assert len(art["arrows"]) == 7 and set(art["values"]) == set("wxbtpzrL")
    with pytest.raises(TypeError, match="graph must be the ScalarGraph of scalar_graph"):
        vb.draw_scalar_graph(ax, {"L": 1})


def test_signed_map_is_centred_and_updates_in_place(ax):
    im = vb.signed_map(ax, np.array([[1.0, -3.0], [0.5, 2.0]]), title="g")
    assert im.get_clim() == (-3.0, 3.0) and im.cmap.name == SIGNED_CMAP
    assert ax.get_title() == "g"
    same = vb.update_signed_map(im, np.arange(12.0).reshape(3, 4) - 6)
    assert same is im and im.get_array().shape == (3, 4) and im.get_clim() == (-6.0, 6.0)
    assert im.get_extent() == [-0.5, 3.5, 2.5, -0.5]
    assert ax.get_xlim() == (-0.5, 3.5) and ax.get_ylim() == (2.5, -0.5)
    vb.update_signed_map(im, np.zeros((3, 4)), vmax=2)
    assert im.get_clim() == (-2.0, 2.0)
    with pytest.raises(ValueError,
                       match=r"array must be a non-empty 2-D array \(H, W\), got shape \(3,\)"):
        vb.signed_map(ax, np.ones(3))


def test_padded_map_marks_the_padding(ax):
    im = vb.padded_map(ax, np.ones((3, 4)), pad=2)
    arr = np.ma.getdata(im.get_array())
    assert arr.shape == (7, 8)
    assert (np.isnan(arr[:2]).all() and np.isnan(arr[:, :2]).all()
            and not np.isnan(arr[2:5, 2:6]).any())
    assert np.allclose(im.cmap.get_bad(), matplotlib.colors.to_rgba(vb.PAD_COLOR))
    vb.update_padded_map(im, np.ones((3, 4)), pad=(0, 1))
    assert im.get_array().shape == (3, 6)
    with pytest.raises(ValueError, match="pad must be a non-negative int or"):
        vb.padded_map(ax, np.ones((2, 2)), pad=-1)


def test_cell_outlines(ax):
    lc = vb.cell_outlines(ax, color="red")
    assert len(lc.get_segments()) == 0
    vb.set_cell_outlines(lc, [(1, 2), (0, 0)], height=2, width=3)
    segs = lc.get_segments()
    assert len(segs) == 2
    np.testing.assert_allclose(segs[0],
                               [[1.5, 0.5], [4.5, 0.5], [4.5, 2.5], [1.5, 2.5], [1.5, 0.5]])
    vb.set_cell_outlines(lc, [])
    assert len(lc.get_segments()) == 0
    with pytest.raises(ValueError, match="height must be a positive int, got 0"):
        vb.set_cell_outlines(lc, [(0, 0)], height=0)


def test_show_gradient_check():
    fig, axes = plt.subplots(1, 3)
    a = np.array([[1.0, -2.0], [0.5, 0.0]])
    n = a + 1e-9
    ims = vb.show_gradient_check(axes, a, n, error=3e-9)
    assert ims[0].get_clim() == ims[1].get_clim()
    np.testing.assert_allclose(ims[2].get_array(), a - n)
    assert "relative error 3e-09" in axes[2].get_title()
    with pytest.raises(ValueError,
                       match=r"analytic and numeric must have the same shape, "
                             r"got \(2, 2\) and \(3,"):
        vb.show_gradient_check(axes, a, np.ones((3, 3)))
    with pytest.raises(ValueError, match="axes must hold 3 Axes, got 2"):
        vb.show_gradient_check(axes[:2], a, n)
    plt.close(fig)


def test_routing(ax):
    art = vb.routing_arrows(ax)
    vb.set_routing(art, [(0.5, 0.5), (0.5, 2.5)], [(1, 0), (0, 3)])
    segs = art.lines.get_segments()
    np.testing.assert_allclose(segs[0], [[0.5, 0.5], [0.0, 1.0]])     # (x, y) = (col, row)
    np.testing.assert_allclose(art.dots.get_offsets(), [[0, 1], [3, 0]])
    vb.set_routing(art, [], [])
    assert len(art.dots.get_offsets()) == 0
    with pytest.raises(ValueError, match="starts and ends must have the same shape"):
        vb.set_routing(art, [(0, 0)], [])


def test_loss_curves(ax):
    lines = vb.draw_loss_curves(ax, {"sgd": [1.0, 0.5, 0.25], "adam": [1.0, 0.1]})
    np.testing.assert_array_equal(lines["sgd"].get_ydata(), [1.0, 0.5, 0.25])
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "step"


def test_bare_axes_and_grid_labels():
    fig, axes = plt.subplots(1, 2)
    assert vb.bare_axes(axes[0]) is axes[0] and not axes[0].xaxis.get_visible()
    im = vb.signed_map(axes[1], np.array([[-1.0, 0.0], [0.25, 1.0]]))
    labels = vb.set_grid_labels(LabelLayer(axes[1]), im, im.get_array())
    assert labels.labels == ["−1.00", "0.00", "0.25", "1.00"]          # a typographic minus
    assert labels.positions == [(0, 0), (1, 0), (0, 1), (1, 1)]        # (col, row)
    colours = labels.artist.get_facecolors()
    assert tuple(colours[0][:3]) == (1.0, 1.0, 1.0) and tuple(colours[1][:3]) == (0.0, 0.0, 0.0)
    vb.set_grid_labels(labels, im, np.array([[-0.001, 2.0], [0.5, 3.0]]), fmt="{:.1f}")
    assert labels.labels == ["0.0", "2.0", "0.5", "3.0"]               # no sign on zero
    with pytest.raises(TypeError, match="labels must be a cnnedu.viz.text.LabelLayer, got list"):
        vb.set_grid_labels([], im, im.get_array())
    plt.close(fig)
