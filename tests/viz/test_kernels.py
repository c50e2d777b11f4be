"""cnnedu.viz.kernels: the kernel picture and the filter bank, checked on their artists."""
import numpy as np

from cnnedu.explain.kernels import filter_view
from cnnedu.viz import kernels as vk
from cnnedu.viz import SIGNED_CMAP


def shown(image):
    """The values an AxesImage shows, NaN where masked."""
    return np.ma.filled(np.ma.asarray(image.get_array(), dtype=float), np.nan)


def blit_figure(width, height):
    from cnnedu.viz.canvas import blit_figure as make

    return make(width, height)


def test_kernel_picture_is_a_cached_read_only_rgba_picture():
    w = np.array([[1.0, -2.0, 0.5], [0.0, 1 / 9, 3.0]])
    picture = vk.kernel_picture(w, 1.5)
    assert picture.dtype == np.uint8 and picture.shape == (80, 120, 4)   # 1.5 in at 80 dpi
    assert not picture.flags.writeable
    assert vk.kernel_picture(w.copy(), 1.5) is picture                  # same kernel: cached
    assert vk.kernel_picture(w, 1.0) is not picture


def test_filter_bank_panels_follow_the_kernel_and_its_shape():
    from cnnedu.kernels import get_kernel

    x = np.random.default_rng(1).random((12, 10))
    fig = blit_figure(7.2, 2.5)
    art = vk.draw_filter_bank(fig, x)
    view = filter_view(x, get_kernel("sobel_x"))
    vk.update_filter_bank(art, view, "sobel_x")
    np.testing.assert_array_equal(art.feature_map.get_array(), view.feature_map)
    assert art.feature_map.get_cmap().name == SIGNED_CMAP
    assert art.feature_map.get_clim() == view.limits
    assert art.weights.labels == ["-1", "0", "1", "-2", "0", "2", "-1", "0", "1"]
    assert art.titles.texts == ["kernel w (3×3, sobel_x)", "feature map y = x ⋆ w"]
    grid = art.grid
    vk.update_filter_bank(art, filter_view(x, get_kernel("box_blur_3x3")), "box_blur_3x3")
    assert art.grid is grid                                   # same shape: updated in place
    assert art.feature_map.get_cmap().name == "gray" and art.weights.labels[0] == "0.111"
    vk.update_filter_bank(art, filter_view(x, "1 2\n3 4"), "custom")
    assert art.grid is not grid and art.grid.image.get_array().shape == (2, 2)
    vk.update_filter_bank(art, filter_view(x, "1 2\n3"), "custom")
    assert art.grid is None and art.weights.labels == []
    assert np.isnan(shown(art.feature_map)).all()
    assert art.titles.texts == ["kernel w: cannot read it", "feature map: none"]
    assert art.feature_map in fig.canvas.dynamic
