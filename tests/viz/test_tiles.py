"""Tiled maps (filters, feature maps): what they draw is what they were given."""
import numpy as np
import pytest
from matplotlib.figure import Figure

from cnnedu.viz import MAGNITUDE_CMAP, SIGNED_CMAP
from cnnedu.viz.tiles import mosaic, show_feature_maps, show_filters, update_feature_maps


def drawn(image):
    return np.asarray(image.get_array().filled(np.nan), dtype=float)


# ---------------------------------------------------------------- mosaic
def test_mosaic_by_hand():
    maps = np.arange(12.0).reshape(3, 2, 2)
    got = mosaic(maps, ncols=2, gap=1)
    nan = np.nan
    expected = np.array([[0, 1, nan, 4, 5],
                         [2, 3, nan, 6, 7],
                         [nan, nan, nan, nan, nan],
                         [8, 9, nan, nan, nan],
                         [10, 11, nan, nan, nan]])
    np.testing.assert_array_equal(got, expected)


def test_mosaic_default_columns_and_no_gap():
    maps = np.ones((5, 3, 4))
    assert mosaic(maps).shape == (2 * 3 + 1, 3 * 4 + 2)         # ceil(sqrt(5)) = 3 columns
    assert mosaic(maps, ncols=9, gap=0).shape == (3, 20)           # at most M columns
    assert not np.isnan(mosaic(maps, ncols=5, gap=0)).any()


@pytest.mark.parametrize("maps, kwargs, err, words", [
    (np.ones((2, 2)), {}, ValueError,
     r"maps must be a non-empty 3-D array \(M, H, W\), got shape \(2, 2\)"),
    (np.ones((0, 2, 2)), {}, ValueError, "non-empty"),
    (np.ones((2, 2, 2)), {"gap": -1}, ValueError, "gap must be a non-negative int, got -1"),
    (np.ones((2, 2, 2)), {"ncols": 0}, ValueError, "ncols must be a positive int"),
])
def test_mosaic_errors(maps, kwargs, err, words):
    with pytest.raises(err, match=words):
        mosaic(maps, **kwargs)


# ---------------------------------------------------------------- filters
def test_show_filters_draws_the_kernels_on_a_zero_centred_scale(ax):
    w = np.random.default_rng(0).standard_normal((32, 1, 3, 3))
    art = show_filters(ax, w, ncols=8)
    np.testing.assert_array_equal(drawn(art.image), mosaic(w[:, 0], 8, 1))
    m = np.abs(w).max()
    assert art.image.get_clim() == (-m, m)
    assert art.image.get_cmap().name.startswith(SIGNED_CMAP)
    assert drawn(art.image).shape == (4 * 3 + 3, 8 * 3 + 7)
    art = show_filters(Figure().add_subplot(), w[:, 0], vmax=2.0)
    assert art.image.get_clim() == (-2.0, 2.0)


def test_show_filters_errors(ax):
    with pytest.raises(ValueError,
                       match=r"one input channel, got shape \(4, 3, 3, 3\) "
                             r".*pass one channel, e\.g\. w\[:, 0\]"):
        show_filters(ax, np.ones((4, 3, 3, 3)))
    with pytest.raises(ValueError, match=r"w must be \(F, 1, KH, KW\) or \(F, KH, KW\)"):
        show_filters(ax, np.ones((3, 3)))
    with pytest.raises(ValueError, match="vmax must be positive"):
        show_filters(ax, np.ones((2, 3, 3)), vmax=0)
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes"):
        show_filters("ax", np.ones((2, 3, 3)))


# ---------------------------------------------------------------- feature maps
def test_show_and_update_feature_maps(ax):
    rng = np.random.default_rng(1)
    maps = rng.random((4, 5, 5))
    art = show_feature_maps(ax, maps, ncols=2, vmin=0, vmax=1, title="layer")
    np.testing.assert_array_equal(drawn(art.image), mosaic(maps, 2))
    assert art.image.get_cmap().name.startswith(MAGNITUDE_CMAP) and ax.get_title() == "layer"
    new = rng.random((4, 5, 5)) * 3
    assert update_feature_maps(art, new, vmax=3.0) is art
    np.testing.assert_array_equal(drawn(art.image), mosaic(new, 2))
    assert art.image.get_clim() == (0, 3.0)
    one = show_feature_maps(Figure().add_subplot(), maps[0])          # a single (H, W) map
    assert drawn(one.image).shape == (5, 5)


def test_update_feature_maps_errors(ax):
    art = show_feature_maps(ax, np.ones((4, 5, 5)), ncols=2)
    with pytest.raises(ValueError,
                       match=r"maps must tile to the shape shown \(11, 11\), got \(11, 13\)"):
        update_feature_maps(art, np.ones((4, 5, 6)))
    with pytest.raises(TypeError, match="artists must be the Mosaic returned by show_feature_maps"):
        update_feature_maps(ax, np.ones((4, 5, 5)))
    with pytest.raises(ValueError, match=r"maps must be \(C, H, W\)"):
        show_feature_maps(ax, np.ones((1, 2, 5, 5)))
