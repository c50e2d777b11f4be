"""Routing marks of the max-pooling routing explorer: lines and dots, errors."""
import numpy as np
import pytest

from cnnedu.viz import routing as vr


def test_routing(ax):
    art = vr.routing_arrows(ax)
    vr.set_routing(art, [(0.5, 0.5), (0.5, 2.5)], [(1, 0), (0, 3)])
    segs = art.lines.get_segments()
    np.testing.assert_allclose(segs[0], [[0.5, 0.5], [0.0, 1.0]])     # (x, y) = (col, row)
    np.testing.assert_allclose(art.dots.get_offsets(), [[0, 1], [3, 0]])
    vr.set_routing(art, [], [])
    assert len(art.dots.get_offsets()) == 0
    with pytest.raises(ValueError, match="starts and ends must have the same shape"):
        vr.set_routing(art, [(0, 0)], [])
