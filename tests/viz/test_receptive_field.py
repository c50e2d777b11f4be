"""cnnedu.viz.receptive_field: the receptive field diagram, checked on its artists."""
import matplotlib
import numpy as np
import pytest

from cnnedu.explain.receptive_field import receptive_field, receptive_field_units
from cnnedu.viz.conv import FOOTPRINT_COLOR
from cnnedu.viz.receptive_field import draw_receptive_field

pytestmark = pytest.mark.figure(figsize=(4, 4))


def square_centres(collection):
    """Centres (x, y) of the squares of a PolyCollection."""
    return np.array([p.vertices[:4].mean(axis=0) for p in collection.get_paths()])


# --------------------------------------------------------- receptive field
def test_receptive_field_diagram_highlights_the_units_that_feed_one_unit(ax):
    layers = [("conv3", 3, 1), ("pool2", 2, 2), ("conv3", 3, 1), ("pool2", 2, 2)]
    table = receptive_field(layers, 28)
    units = receptive_field_units(layers, 28, 2)
    boxes, labels = draw_receptive_field(ax, table, units)
    assert [len(b.get_paths()) for b in boxes] == [28, 26, 13, 11, 5]
    orange = matplotlib.colors.to_rgba(FOOTPRINT_COLOR)
    for b, chosen in zip(boxes, units):
        lit = [k for k, c in enumerate(b.get_facecolors()) if np.allclose(c, orange)]
        assert lit == list(chosen)
    # a pool2 unit of the last layer is 4 input pixels wide and centred on its field
    np.testing.assert_allclose(square_centres(boxes[4])[2, 0], 4.5 + 2 * 4)
    assert labels[0].get_text() == "input:  r = 1, J = 1"
    assert labels[4].get_text() == "pool2 (k=2, s=2):  r = 10, J = 4"


def test_receptive_field_diagram_needs_matching_inputs(ax):
    table = receptive_field([("c", 3, 1)])
    with pytest.raises(ValueError, match=r"table must come from "
                                         r"receptive_field\(layers, input_size\)"):
        draw_receptive_field(ax, table, [np.array([0]), np.array([0])])
