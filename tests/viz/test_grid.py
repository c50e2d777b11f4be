"""cnnedu.viz.grid: the padded input and the output grid, checked on their artists."""
import numpy as np
import pytest
from matplotlib.figure import Figure

from cnnedu.explain import conv as cx
from cnnedu.viz import grid as vg
from cnnedu.viz import SIGNED_CMAP

pytestmark = pytest.mark.figure(figsize=(4, 4))


def shown(image):
    """The values an AxesImage shows, NaN where masked."""
    return np.ma.filled(np.ma.asarray(image.get_array(), dtype=float), np.nan)


# -------------------------------------------------------------- padded input
def test_draw_padded_input_outlines_the_input_and_tints_the_padding(ax):
    win = cx.window_at(np.ones((3, 4)), np.ones((2, 2)), 0, 0, padding=(1, 2))
    art = vg.draw_padded_input(ax, win.padded, win.pads, title="x")
    assert art.image.get_array().shape == (5, 8)
    assert art.border.get_xy() == (1.5, 0.5) and art.border.get_width() == 4
    assert art.border.get_height() == 3
    alpha = art.padding.get_array()[..., 3]
    assert (alpha[1:4, 2:6] == 0).all() and (alpha[0] > 0).all() and (alpha[:, :2] > 0).all()
    assert ax.get_xlim() == (-0.5, 7.5) and ax.get_ylim() == (4.5, -0.5)
    assert ax.get_title() == "x"
    assert len(art.grid.get_segments()) == (5 + 1) + (8 + 1)


def test_update_padded_input_changes_shape_and_limits_in_place(ax):
    art = vg.draw_padded_input(ax, np.zeros((4, 4)), (0, 0, 0, 0))
    vg.update_padded_input(art, np.ones((6, 6)), (1, 1, 1, 1), limits=(9, 7))
    assert art.image.get_array().shape == (6, 6)
    assert art.image.get_extent() == [-0.5, 5.5, 5.5, -0.5]
    assert art.border.get_xy() == (0.5, 0.5) and art.border.get_width() == 4
    assert ax.get_xlim() == (-0.5, 6.5) and ax.get_ylim() == (8.5, -0.5)
    assert len(ax.images) == 2                           # nothing was drawn again


@pytest.mark.parametrize("pads, match", [
    ((1, 1, 1), r"pads must be \(top, bottom, left, right\) non-negative ints, got \(1, 1, 1\)"),
    ((2, 2, 0, 0), r"pads \(2, 2, 0, 0\) leave no input inside a padded array of shape \(4, 4\)"),
    ((0, -1, 0, 0), r"pads must be .*got \(0, -1, 0, 0\)"),
])
def test_draw_padded_input_bad_pads(ax, pads, match):
    with pytest.raises(ValueError, match=match):
        vg.draw_padded_input(ax, np.zeros((4, 4)), pads)


def test_draw_functions_need_axes():
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes, got Figure"):
        vg.draw_output(Figure(), np.zeros((2, 2)))


# ------------------------------------------------------------------ output
def test_output_blanks_later_cells_and_outlines_the_current_one(ax):
    y = np.arange(6.0).reshape(2, 3) - 2
    grid = vg.draw_output(ax, y, filled=4, current=(1, 0), fmt="{:.1f}", title="y")
    values = shown(grid.image)
    assert np.isnan(values[1, 1]) and np.isnan(values[1, 2]) and values[1, 0] == 1.0
    assert [t.get_text() for t in grid.texts[1]] == ["1.0", "", ""]
    assert grid.texts[0][2].get_text() == "0.0"                 # not '-0.0'
    assert grid.current.get_xy() == (-0.5, 0.5)
    assert grid.image.get_cmap().name == SIGNED_CMAP and grid.image.get_clim() == (-3.0, 3.0)
    vg.update_output(grid, y, filled=6, current=(1, 2))
    assert not np.isnan(shown(grid.image)).any()
    assert grid.texts[1][2].get_text() == "3.0" and grid.current.get_xy() == (1.5, 0.5)
    vg.update_output(grid, y, filled=0, current=None)
    assert np.isnan(shown(grid.image)).all() and not grid.current.get_visible()


def test_output_without_values_can_change_shape(ax):
    grid = vg.draw_output(ax, np.ones((2, 2)))
    assert grid.texts is None and grid.image.get_cmap().name == "gray"
    vg.update_output(grid, np.zeros((4, 3)), current=(3, 2), limits=(6, 6))
    assert grid.image.get_array().shape == (4, 3)
    assert grid.blank.get_width() == 3 and grid.blank.get_height() == 4
    assert ax.get_xlim() == (-0.5, 5.5)


def test_output_with_values_keeps_its_shape(ax):
    grid = vg.draw_output(ax, np.ones((2, 2)), fmt="{:.1f}")
    with pytest.raises(ValueError, match=r"output must keep the grid's shape \(2, 2\) when values "
                                         r"are written in the cells, got \(3, 3\)"):
        vg.update_output(grid, np.ones((3, 3)))
    with pytest.raises(ValueError, match=r"output must be a non-empty 2-D array \(H, W\), got "
                                         r"shape \(2,\)"):
        vg.draw_output(ax, np.ones(2))
    with pytest.raises(TypeError, match="fmt must be a format string"):
        vg.draw_output(ax, np.ones((2, 2)), fmt=3)
