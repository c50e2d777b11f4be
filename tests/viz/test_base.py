"""cnnedu.viz: the drawing functions, checked headless on their artists."""
import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from cnnedu import viz  # noqa: E402


@pytest.fixture
def ax():
    return Figure(figsize=(4, 4)).subplots()


# ------------------------------------------------------- signed_cmap_limits
@pytest.mark.parametrize("values, expected", [
    ([[0.5, -2.0], [1.0, 0.0]], (-2.0, 2.0)),
    ([3, 1], (-3.0, 3.0)),                      # ints, all positive
    ([-0.25, np.nan, np.inf], (-0.25, 0.25)),   # non-finite ignored
    (np.zeros((2, 2)), (-1.0, 1.0)),            # nothing to scale: a usable range
], ids=["mixed", "positive-ints", "non-finite", "all-zero"])
def test_signed_cmap_limits(values, expected):
    vmin, vmax = viz.signed_cmap_limits(values)
    assert (vmin, vmax) == expected
    assert isinstance(vmin, float) and vmin == -vmax


def test_signed_cmap_limits_bad_input():
    with pytest.raises(TypeError, match="array must be an array of real numbers, got dtype <U1"):
        viz.signed_cmap_limits(["a"])


# --------------------------------------------------------------- show_image
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.uint8])
def test_show_image_sets_data_and_hides_ticks(ax, dtype):
    image = np.arange(12).reshape(3, 4).astype(dtype)
    im = viz.show_image(ax, image, vmin=0, vmax=11, title="a digit")
    assert np.array_equal(im.get_array(), image)
    assert im.get_clim() == (0, 11)
    assert im.get_cmap().name == viz.IMAGE_CMAP
    assert list(ax.get_xticks()) == [] and list(ax.get_yticks()) == []
    assert ax.get_title() == "a digit"
    assert im.get_interpolation() == "nearest"  # a small image: one square per pixel


def test_show_image_rgb_and_large_images(ax):
    rgb = np.linspace(0, 1, 5 * 6 * 3).reshape(5, 6, 3)
    assert viz.show_image(ax, rgb).get_array().shape == (5, 6, 3)
    big = np.zeros((300, 200))
    assert viz.show_image(ax, big).get_interpolation() == "auto"


@pytest.mark.parametrize("image, match", [
    (np.zeros(5), r"image must be a 2-D array \(H, W\) or an RGB\(A\) array .*got shape \(5,\)"),
    (np.zeros((1, 1, 28, 28)), r"got shape \(1, 1, 28, 28\); for one NCHW image use image\[0, 0\]"),
    (np.zeros((1, 28, 28)), r"got shape \(1, 28, 28\); for a \(1, H, W\) image use image\[0\]"),
    (np.zeros((0, 3)), r"image must not be empty, got shape \(0, 3\)"),
], ids=["1-D", "NCHW", "CHW", "empty"])
def test_show_image_bad_shapes(ax, image, match):
    with pytest.raises(ValueError, match=match):
        viz.show_image(ax, image)


def test_show_image_bad_axes_and_limits(ax):
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes, got ndarray"):
        viz.show_image(np.zeros((2, 2)), np.zeros((2, 2)))
    with pytest.raises(ValueError, match="vmin must be less than vmax, got vmin=1, vmax=0"):
        viz.show_image(ax, np.zeros((2, 2)), vmin=1, vmax=0)


# ---------------------------------------------------------- show_image_grid
@pytest.mark.parametrize("shape", [(5, 4, 3), (5, 1, 4, 3)], ids=["NHW", "NCHW"])
def test_image_grid_layout_titles_and_data(shape):
    images = np.arange(np.prod(shape), dtype=float).reshape(shape)
    fig = Figure()
    axes, ims = viz.show_image_grid(fig, images, titles=list("abcde"), ncols=3)
    assert axes.shape == (2, 3) and len(ims) == 5
    for k, im in enumerate(ims):
        assert np.array_equal(im.get_array(), images.reshape(5, 4, 3)[k])
    assert [ax.get_title() for ax in axes.flat[:5]] == list("abcde")
    assert not axes.flat[5].axison  # the unused sixth place is blank


def test_image_grid_rgb_nchw():
    images = np.random.default_rng(0).random((2, 3, 4, 5))
    _, ims = viz.show_image_grid(Figure(), images)
    assert np.array_equal(ims[1].get_array(), images[1].transpose(1, 2, 0))


def test_image_grid_errors():
    with pytest.raises(ValueError, match=r"titles must have one entry per image: 3 images, got 2"):
        viz.show_image_grid(Figure(), np.zeros((3, 4, 4)), titles=["a", "b"])
    with pytest.raises(ValueError, match=r"must have 1 or 3 channels, got shape \(3, 2, 4, 4\)"):
        viz.show_image_grid(Figure(), np.zeros((3, 2, 4, 4)))
    with pytest.raises(ValueError,
                       match=r"images must be a 3-D array \(N, H, W\) .*got shape \(4, 4\)"):
        viz.show_image_grid(Figure(), np.zeros((4, 4)))
    with pytest.raises(ValueError, match="ncols must be a positive int, got 0"):
        viz.show_image_grid(Figure(), np.zeros((3, 4, 4)), ncols=0)


# ------------------------------------------------------------ show_pipeline
def test_pipeline_draws_a_box_per_stage(ax):
    stages = [("input", (1, 28, 28)), ("conv", (32, 26, 26)), ("flatten", (21632,))]
    boxes, texts, arrows = viz.show_pipeline(ax, stages)
    assert len(boxes) == 3 and len(arrows) == 2
    assert [t.get_text() for t in texts] == [
        "input", "1\u00d728\u00d728", "conv", "32\u00d726\u00d726", "flatten", "21632"]
    # more channels: a wider box; a smaller map: a shorter one
    assert boxes[1].get_width() > boxes[0].get_width()
    assert boxes[1].get_height() < boxes[0].get_height()


def test_pipeline_errors(ax):
    with pytest.raises(ValueError, match="stages must hold at least one"):
        viz.show_pipeline(ax, [])
    with pytest.raises(ValueError,
                       match=r"stages\[1\] must be \(label, \(C, H, W\)\) or \(label, \(n,\)\)"
                             r" with positive ints, got \('pool', \(32, 13\)\)"):
        viz.show_pipeline(ax, [("input", (1, 28, 28)), ("pool", (32, 13))])


# -------------------------------------------------------------- mark_window
def test_mark_window_runs_along_pixel_edges(ax):
    viz.show_image(ax, np.zeros((10, 10)))
    rect = viz.mark_window(ax, 2, 3, 4, 5)
    assert rect.get_xy() == (2.5, 1.5)  # left edge of column 3, top edge of row 2
    assert (rect.get_width(), rect.get_height()) == (5, 4)
    assert not rect.get_fill() and rect in ax.patches
    square = viz.mark_window(ax, 0, 0, 3)
    assert (square.get_width(), square.get_height()) == (3, 3)


def test_mark_window_errors(ax):
    with pytest.raises(ValueError, match="row must be an int >= 0, got -1"):
        viz.mark_window(ax, -1, 0, 3)
    with pytest.raises(ValueError, match="height must be a positive int, got 0"):
        viz.mark_window(ax, 0, 0, 0)
