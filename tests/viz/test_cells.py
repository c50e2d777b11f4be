"""The explorers' fast cells: a mesh coloured in place, and outlines of rectangles."""
import numpy as np
import pytest

from cnnedu.viz.cells import CellGrid, Outlines

pytestmark = pytest.mark.figure(figsize=(4, 4), dpi=80)


def test_cell_grid_grows_when_needed(ax):
    grid = CellGrid(ax, (0, 2), (0, 2))
    grid.show(np.ones((3, 2, 4)), top=-1, left=0)
    assert grid.rows == (-1, 2) and grid.block == (-1, 0, 3, 2)
    assert ax.get_ylim()[1] < -1.5 < ax.get_ylim()[0]


def test_outlines_reject_unknown_styles(ax):
    with pytest.raises(ValueError, match=r"unknown outline styles \['dotted'\]"):
        Outlines(ax).set(dotted=[(0, 0, 1, 1)])
