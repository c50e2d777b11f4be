"""Loss curves of gradient-descent runs."""
import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from cnnedu.viz import learn as vl  # noqa: E402


@pytest.fixture
def ax():
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


def test_loss_curves(ax):
    lines = vl.draw_loss_curves(ax, {"sgd": [1.0, 0.5, 0.25], "adam": [1.0, 0.1]})
    np.testing.assert_array_equal(lines["sgd"].get_ydata(), [1.0, 0.5, 0.25])
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "step"
