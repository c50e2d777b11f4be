"""Drawing functions of the backpropagation chapter: the scalar graph, gradient checks."""
import numpy as np
import pytest

from cnnedu.viz import backprop as vb
from cnnedu.explain.backprop import scalar_graph


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


def test_show_gradient_check(fig):
    axes = fig.subplots(1, 3)
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
