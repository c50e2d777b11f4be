"""cnnedu.viz.conv: drawing functions of the convolution chapter, checked on their artists."""
import numpy as np
import pytest
from matplotlib.figure import Figure

from cnnedu.explain import conv as cx
from cnnedu.viz import conv as vc
from cnnedu.viz import SIGNED_CMAP

pytestmark = pytest.mark.figure(figsize=(4, 4))


def shown(image):
    """The values an AxesImage shows, NaN where masked."""
    return np.ma.filled(np.ma.asarray(image.get_array(), dtype=float), np.nan)


def square_centres(collection):
    """Centres (x, y) of the squares of a PolyCollection."""
    return np.array([p.vertices[:4].mean(axis=0) for p in collection.get_paths()])


# ---------------------------------------------------------------- footprint
def test_footprint_has_one_square_per_tap_at_the_dilated_positions(ax):
    win = cx.window_at(np.zeros((9, 9)), np.ones((3, 2)), 1, 2, stride=2, dilation=(2, 3))
    fp = vc.draw_footprint(ax, win.rows, win.cols)
    centres = square_centres(fp.taps)
    expected = [(c, r) for r in win.rows for c in win.cols]
    np.testing.assert_allclose(centres, expected)
    assert fp.outline.get_xy() == (win.cols[0] - 0.5, win.rows[0] - 0.5)
    assert fp.outline.get_width() == 4 and fp.outline.get_height() == 5


def test_update_footprint_moves_resizes_and_hides(ax):
    fp = vc.draw_footprint(ax, [0, 1], [0, 1])
    vc.update_footprint(fp, [3, 4, 5], [1, 2, 3])
    assert len(fp.taps.get_paths()) == 9
    np.testing.assert_allclose(square_centres(fp.taps)[0], (1, 3))
    vc.update_footprint(fp, [], [])
    assert not fp.taps.get_visible() and not fp.outline.get_visible()


# ------------------------------------------------------------- never read
def test_never_read_marks_exactly_the_unread_pixels(ax):
    g = cx.geometry(8, 8, 3, 3, stride=3)
    crosses = vc.draw_never_read(ax, g.rows_read, g.cols_read)
    offsets = {tuple(o) for o in crosses.get_offsets().tolist()}
    expected = {(c, r) for r in range(8) for c in range(8) if r >= 6 or c >= 6}
    assert offsets == expected
    vc.update_never_read(crosses, np.ones(5, bool), np.ones(5, bool))
    assert len(crosses.get_offsets()) == 0


# ---------------------------------------------------------- window values
def test_window_values_are_written_on_the_window_and_follow_it(ax):
    x = np.arange(25.0).reshape(5, 5) / 24
    win = cx.window_at(x, np.ones((2, 2)), 0, 0)
    im = ax.imshow(x, cmap="gray", vmin=0, vmax=1)
    texts = vc.draw_window_values(ax, win.window, win.rows, win.cols, image=im)
    assert [t.get_text() for t in texts] == ["0.00", "0.04", "0.21", "0.25"]
    assert texts[0].get_color() == "white" and texts[0].get_position() == (0, 0)
    win = cx.window_at(x, np.ones((2, 2)), 3, 3)
    vc.update_window_values(texts, win.window, win.rows, win.cols, image=im)
    assert texts[3].get_position() == (4, 4) and texts[3].get_text() == "1.00"
    assert texts[3].get_color() == "black"
    with pytest.raises(ValueError, match="window has 9 values but there are 4 labels"):
        vc.update_window_values(texts, np.ones((3, 3)), [0, 1, 2], [0, 1, 2])


# --------------------------------------------------------------- products
def test_products_use_a_diverging_map_centred_at_zero_and_no_negative_zero(ax):
    grid = vc.draw_products(ax, np.array([[-0.001, 0.5], [2.0, -1.0]]))
    assert grid.image.get_cmap().name == SIGNED_CMAP
    assert grid.image.get_clim() == (-2.0, 2.0)
    assert [t.get_text() for row in grid.texts for t in row] == ["0.00", "0.50", "2.00", "-1.00"]
    assert ax.get_title() == "products x·w"
    fixed = vc.draw_products(Figure().subplots(), np.ones((2, 2)), vmax=5)
    assert fixed.image.get_clim() == (-5.0, 5.0)


# ------------------------------------------------------------------ explorers
def blit_figure(width, height):
    from cnnedu.viz.canvas import blit_figure as make

    return make(width, height)


def test_kernel_slider_panels_show_the_view():
    from cnnedu.kernels import get_kernel

    x = np.random.default_rng(1).random((6, 7))
    fig = blit_figure(9.4, 3.6)
    art = vc.draw_kernel_slider(fig, cx.slide_view(x, get_kernel("sobel_x"), 0))
    assert len(fig.axes) == 4 and art.input.image not in fig.canvas.dynamic
    view = cx.slide_view(x, get_kernel("laplacian_8"), 13)        # y[2, 3] of a 4x5 output
    vc.update_kernel_slider(art, view)
    np.testing.assert_array_equal(square_centres(art.footprint.taps)[:, ::-1],
                                  [(r, c) for r in range(2, 5) for c in range(3, 6)])
    assert art.values.labels == [f"{v:.2f}" for v in view["window"].ravel()]
    np.testing.assert_array_equal(art.products.image.get_array(), view["products"])
    flat = shown(art.output.image).ravel()
    assert not np.isnan(flat[:14]).any() and np.isnan(flat[14:]).all()
    assert art.output.image.get_cmap().name == SIGNED_CMAP      # the Laplacian's output is signed
    pmax = np.abs(view["kernel"]).max() * np.abs(x).max()
    assert art.products.image.get_clim() == (-pmax, pmax)
    assert art.titles.texts == ["input x (window at rows 2-4, cols 3-5)",
                                f"output y[2, 3] = sum = {view['sum']:.2f}"]
    assert art.kernel in fig.canvas.dynamic and art.values.artist in fig.canvas.dynamic


def test_stride_explorer_redraws_the_background_only_for_a_new_setting():
    from cnnedu.kernels import get_kernel

    x = np.random.default_rng(1).random((8, 8))
    fig = blit_figure(8, 4.1)
    art = vc.draw_stride_explorer(fig, x)
    invalidated = []
    fig.canvas.invalidate = lambda: invalidated.append(1)
    settings = cx.stride_settings(x, get_kernel("sobel_x"), 2, 1, 1)     # 4 x 4 output
    vc.update_stride_explorer(art, cx.stride_view(settings, 0))
    assert len(invalidated) == 1
    vc.update_stride_explorer(art, cx.stride_view(settings, 6))          # y[1, 2]: a position
    assert len(invalidated) == 1
    np.testing.assert_array_equal(square_centres(art.footprint.taps)[:, ::-1],
                                  [(r, c) for r in range(2, 5) for c in range(4, 7)])
    assert art.output.current.get_xy() == (1.5, 0.5)
    assert art.titles.texts == ["padded input 10×10 (input 8×8, padding p = 1)",
                                "output y: 4×4 (y[1, 2] outlined)"]
    np.testing.assert_array_equal(art.input.image.get_array(), settings.padded)
    empty = cx.stride_settings(x, get_kernel("box_blur_5x5"), 1, 0, 3)  # extent 13 > 8
    vc.update_stride_explorer(art, cx.stride_view(empty, 0))
    assert len(invalidated) == 2 and art.nothing.get_visible()
    assert not art.output.current.get_visible()
    assert art.titles.texts == ["padded input 8×8 (input 8×8, padding p = 0)",
                                "no output: the kernel does not fit"]
    assert art.input.image.axes.get_xlim() == (-0.5, 12.5)     # room for the kernel sticking out
    same = cx.stride_settings(x, get_kernel("box_blur_3x3"), 1, "same", 1)
    vc.update_stride_explorer(art, cx.stride_view(same, 0))
    assert not art.nothing.get_visible()
    assert art.titles.texts[0] == "padded input 10×10 (input 8×8, padding 'same')"
