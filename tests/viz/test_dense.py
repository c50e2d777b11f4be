"""cnnedu.viz.dense: the dropout mask and the dropout explorer's panels."""
import numpy as np
import pytest

from cnnedu.explain.dense import dropout_view
from cnnedu.viz import dense as viz_dense
from cnnedu.viz.canvas import blit_figure


# ------------------------------------------------------------------ dropout masks
def test_dropout_mask_kept_white_dropped_black(ax):
    mask = np.array([[0.0, 2.0], [2.0, 0.0]])   # rate 0.5: kept units are 1 / (1 - 0.5)
    im = viz_dense.show_dropout_mask(ax, mask, title="mask")
    np.testing.assert_array_equal(im.get_array(), [[0, 1], [1, 0]])
    assert im.get_clim() == (0, 1) and im.get_cmap().name == "gray"
    assert ax.get_title() == "mask"
    viz_dense.update_dropout_mask(im, np.full((2, 2), 1.25))
    np.testing.assert_array_equal(im.get_array(), np.ones((2, 2)))
    assert len(ax.images) == 1


def test_dropout_mask_errors(ax):
    with pytest.raises(ValueError, match=r"mask must be a non-empty 2-D array \(H, W\), "
                                         r"got shape \(4,\)"):
        viz_dense.show_dropout_mask(ax, np.ones(4))
    with pytest.raises(TypeError, match="image must be the AxesImage returned by "
                                        "show_dropout_mask, got int"):
        viz_dense.update_dropout_mask(3, np.ones((2, 2)))


def test_dropout_panels_show_the_view_in_place():
    x = np.arange(12.0).reshape(3, 4)
    fig = blit_figure(6, 2)
    panels = viz_dense.draw_dropout_panels(fig, dropout_view(x, 0.0, 0, "eval"), 50)
    assert panels.limits == (0.0, 11.0) and len(fig.axes) == 4
    view = dropout_view(x, 0.5, 1, "train")
    viz_dense.update_dropout_panels(panels, view)
    np.testing.assert_array_equal(panels.mask.get_array(), view.mask != 0)
    np.testing.assert_array_equal(panels.output.get_array(), view.y)
    assert panels.output.get_clim() == (0.0, 22.0)
    heights = [r.get_height() for r in panels.bars.rects]
    assert heights == [view.mean_before, view.mean_after, view.mean_after_average]
    assert fig.axes[3].get_xticklabels()[2].get_text() == "after\n(mean of 50)"
