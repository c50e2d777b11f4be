"""cnnedu.viz.values: value grids (also ``viz.show_grid_values``), checked headless."""
import numpy as np
import pytest
from matplotlib.figure import Figure

from cnnedu import viz
from cnnedu.viz import values


@pytest.fixture
def ax():
    return Figure(figsize=(4, 4)).subplots()


def test_values_are_the_grids_of_the_viz_package():
    assert viz.show_grid_values is values.show_grid_values
    assert viz.update_grid_values is values.update_grid_values
    assert viz.GridValues is values.GridValues and viz.MAX_GRID_CELLS == values.MAX_GRID_CELLS


# --------------------------------------------------------- show_grid_values
def test_grid_values_writes_every_value_in_its_cell(ax):
    kernel = np.array([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0]])
    grid = viz.show_grid_values(ax, kernel, fmt="{:.1f}")
    assert np.array_equal(grid.image.get_array(), kernel)
    assert len(grid.texts) == 2 and all(len(row) == 3 for row in grid.texts)
    assert [[t.get_text() for t in row] for row in grid.texts] == [
        ["1.0", "0.0", "-1.0"], ["2.0", "0.0", "-2.0"]]
    # the text of cell (i, j) sits at x = j, y = i
    assert grid.texts[1][2].get_position() == (2, 1)
    assert len(ax.texts) == 6
    # 3 + 1 horizontal and 3 + 1 vertical cell borders
    assert len(grid.borders.get_segments()) == 3 + 4


def test_grid_values_signed_data_gets_diverging_map_centred_at_zero(ax):
    grid = viz.show_grid_values(ax, [[-0.5, 0.25], [0.0, 0.1]])
    assert grid.image.get_cmap().name == viz.SIGNED_CMAP
    assert grid.image.get_clim() == (-0.5, 0.5)


def test_grid_values_text_colour_contrasts_with_cell(ax):
    # grey map from 0 (black) to 1 (white): white text on black, black on white
    grid = viz.show_grid_values(ax, [[0.0, 1.0]], fmt="{:.0f}")
    assert grid.image.get_cmap().name == viz.IMAGE_CMAP
    assert grid.texts[0][0].get_color() == "white"
    assert grid.texts[0][1].get_color() == "black"


def test_grid_values_callable_fmt(ax):
    grid = viz.show_grid_values(ax, np.array([[0.0, 1.0]]), fmt=lambda v: str(round(255 * v)))
    assert [t.get_text() for t in grid.texts[0]] == ["0", "255"]


def test_update_grid_values_in_place(ax):
    grid = viz.show_grid_values(ax, np.zeros((2, 2)), fmt="{:.0f}", vmin=0, vmax=4)
    same = viz.update_grid_values(grid, [[1, 2], [3, 4]])
    assert same is grid and len(ax.texts) == 4
    assert np.array_equal(grid.image.get_array(), [[1, 2], [3, 4]])
    assert [[t.get_text() for t in row] for row in grid.texts] == [["1", "2"], ["3", "4"]]
    assert grid.image.get_clim() == (0, 4)
    assert grid.texts[0][0].get_color() == "white" and grid.texts[1][1].get_color() == "black"
    with pytest.raises(ValueError,
                       match=r"array must have the grid's shape \(2, 2\), got \(3, 2\)"):
        viz.update_grid_values(grid, np.zeros((3, 2)))
    with pytest.raises(TypeError, match="grid must be the GridValues returned by show_grid_values"):
        viz.update_grid_values(grid.image, np.zeros((2, 2)))


def test_grid_values_errors(ax):
    with pytest.raises(ValueError,
                       match=r"array must be a 2-D array \(H, W\), got shape \(2, 2, 3\)"):
        viz.show_grid_values(ax, np.zeros((2, 2, 3)))
    with pytest.raises(ValueError,
                       match=r"shape \(40, 40\) = 1600 cells.*at most 1024.*show a crop"):
        viz.show_grid_values(ax, np.zeros((40, 40)))
    with pytest.raises(ValueError,
                       match=r"fmt must be a format string for one number .*got '\{\}\{\}'"):
        viz.show_grid_values(ax, np.zeros((2, 2)), fmt="{}{}")
    with pytest.raises(TypeError, match="fmt must be a format string .* or a callable, got int"):
        viz.show_grid_values(ax, np.zeros((2, 2)), fmt=2)
