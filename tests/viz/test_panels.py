"""The explorers' panels: value maps, padding, cell outlines, labels; in place updates,
errors."""
import matplotlib
import numpy as np
import pytest

from cnnedu.viz import panels as vpan
from cnnedu.viz import SIGNED_CMAP
from cnnedu.viz.text import LabelLayer


def test_signed_map_is_centred_and_updates_in_place(ax):
    im = vpan.signed_map(ax, np.array([[1.0, -3.0], [0.5, 2.0]]), title="g")
    assert im.get_clim() == (-3.0, 3.0) and im.cmap.name == SIGNED_CMAP
    assert ax.get_title() == "g"
    same = vpan.update_signed_map(im, np.arange(12.0).reshape(3, 4) - 6)
    assert same is im and im.get_array().shape == (3, 4) and im.get_clim() == (-6.0, 6.0)
    assert im.get_extent() == [-0.5, 3.5, 2.5, -0.5]
    assert ax.get_xlim() == (-0.5, 3.5) and ax.get_ylim() == (2.5, -0.5)
    vpan.update_signed_map(im, np.zeros((3, 4)), vmax=2)
    assert im.get_clim() == (-2.0, 2.0)
    with pytest.raises(ValueError,
                       match=r"array must be a non-empty 2-D array \(H, W\), got shape \(3,\)"):
        vpan.signed_map(ax, np.ones(3))


def test_padded_map_marks_the_padding(ax):
    im = vpan.padded_map(ax, np.ones((3, 4)), pad=2)
    arr = np.ma.getdata(im.get_array())
    assert arr.shape == (7, 8)
    assert (np.isnan(arr[:2]).all() and np.isnan(arr[:, :2]).all()
            and not np.isnan(arr[2:5, 2:6]).any())
    assert np.allclose(im.cmap.get_bad(), matplotlib.colors.to_rgba(vpan.PAD_COLOR))
    vpan.update_padded_map(im, np.ones((3, 4)), pad=(0, 1))
    assert im.get_array().shape == (3, 6)
    with pytest.raises(ValueError, match="pad must be a non-negative int or"):
        vpan.padded_map(ax, np.ones((2, 2)), pad=-1)


def test_cell_outlines(ax):
    lc = vpan.cell_outlines(ax, color="red")
    assert len(lc.get_segments()) == 0
    vpan.set_cell_outlines(lc, [(1, 2), (0, 0)], height=2, width=3)
    segs = lc.get_segments()
    assert len(segs) == 2
    np.testing.assert_allclose(segs[0],
                               [[1.5, 0.5], [4.5, 0.5], [4.5, 2.5], [1.5, 2.5], [1.5, 0.5]])
    vpan.set_cell_outlines(lc, [])
    assert len(lc.get_segments()) == 0
    with pytest.raises(ValueError, match="height must be a positive int, got 0"):
        vpan.set_cell_outlines(lc, [(0, 0)], height=0)


def test_bare_axes_and_grid_labels(fig):
    axes = fig.subplots(1, 2)
    assert vpan.bare_axes(axes[0]) is axes[0] and not axes[0].xaxis.get_visible()
    im = vpan.signed_map(axes[1], np.array([[-1.0, 0.0], [0.25, 1.0]]))
    labels = vpan.set_grid_labels(LabelLayer(axes[1]), im, im.get_array())
    assert labels.labels == ["−1.00", "0.00", "0.25", "1.00"]          # a typographic minus
    assert labels.positions == [(0, 0), (1, 0), (0, 1), (1, 1)]        # (col, row)
    colours = labels.artist.get_facecolors()
    assert tuple(colours[0][:3]) == (1.0, 1.0, 1.0) and tuple(colours[1][:3]) == (0.0, 0.0, 0.0)
    vpan.set_grid_labels(labels, im, np.array([[-0.001, 2.0], [0.5, 3.0]]), fmt="{:.1f}")
    assert labels.labels == ["0.0", "2.0", "0.5", "3.0"]               # no sign on zero
    with pytest.raises(TypeError, match="labels must be a cnnedu.viz.text.LabelLayer, got list"):
        vpan.set_grid_labels([], im, im.get_array())
