"""cnnedu.explain.kernels: what the filter bank shows, checked against cnnedu.ops.conv."""
import numpy as np
import pytest

from cnnedu.explain.kernels import filter_view
from cnnedu.kernels import get_kernel
from cnnedu.ops.conv import correlate2d


@pytest.mark.parametrize("name", ["sobel_x", "box_blur_3x3", "gaussian_5x5", "laplacian_8"])
@pytest.mark.parametrize("x", [np.random.default_rng(2).random((9, 12)),
                               np.random.default_rng(4).random((5, 4)) - 0.5],
                         ids=["photo-like", "signed"])
def test_filter_view_agrees_with_correlate2d_same(x, name):
    w = get_kernel(name)
    view = filter_view(x, w)
    y = correlate2d(x, w, mode="same")
    np.testing.assert_array_equal(view.feature_map, y)
    np.testing.assert_array_equal(view.kernel, w)
    assert view.error == "" and view.input is not None
    assert view.signed == (w.min() < 0 or y.min() < 0)
    if view.signed:                     # symmetric: white is 0; saturates at the 99th percentile
        m = np.percentile(np.abs(y), 99)
        assert view.limits == (-m, m)
    else:
        assert view.limits == (y.min(), y.max())


def test_filter_view_reads_typed_text_and_explains_what_it_cannot_read():
    x = np.random.default_rng(2).random((6, 7))
    view = filter_view(x, "1/4 1/4\n1/4 1/4")
    np.testing.assert_array_equal(view.kernel, np.full((2, 2), 0.25))
    np.testing.assert_array_equal(view.feature_map, correlate2d(x, np.full((2, 2), 0.25),
                                                                mode="same"))
    view = filter_view(x, "1 2\n3")
    assert view.kernel is None and view.feature_map is None and view.limits is None
    assert view.error == "every row needs the same number of entries: row 1 has 2, row 2 has 1"
    assert filter_view(x, "1 x").error.startswith("row 1, entry 2: 'x' is not a number")
    flat = filter_view(np.ones((4, 4)), np.zeros((3, 3)))      # a flat map: limits widened
    assert not flat.signed and flat.limits == (0.0, 1.0)
    with pytest.raises(ValueError, match=r"x2d must be a 2-D array \(H, W\)"):
        filter_view(np.ones(4), np.ones((3, 3)))
