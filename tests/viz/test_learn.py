"""Loss curves of gradient-descent runs."""
import numpy as np

from cnnedu.viz import learn as vl


def test_loss_curves(ax):
    lines = vl.draw_loss_curves(ax, {"sgd": [1.0, 0.5, 0.25], "adam": [1.0, 0.1]})
    np.testing.assert_array_equal(lines["sgd"].get_ydata(), [1.0, 0.5, 0.25])
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "step"
