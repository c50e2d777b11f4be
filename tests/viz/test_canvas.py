"""cnnedu.viz.canvas: the blitting canvas of the explorers and their PNG pictures."""
import io

import matplotlib
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image

from cnnedu.viz import canvas


def _pixels(png):
    return matplotlib.image.imread(io.BytesIO(png))


def _render(fig):
    buf = io.BytesIO()
    fig.canvas.print_png(buf)
    return buf.getvalue()


def _full_render(fig):
    buf = io.BytesIO()
    FigureCanvasAgg(fig).print_png(buf)
    return buf.getvalue()


# ------------------------------------------------------------------ blitting canvas
def test_blit_figure_renders_what_a_full_draw_renders():
    fig = canvas.blit_figure(3, 2)
    assert isinstance(fig.canvas, canvas.BlitCanvas)
    ax = fig.add_subplot()
    ax.set_title("static")
    (line,) = ax.plot([0, 1], [0, 1], color="C1")
    fig.canvas.dynamic.append(line)
    first = _pixels(_render(fig))
    line.set_ydata([1, 0])                       # only the dynamic artist changes
    second = _pixels(_render(fig))
    assert not np.array_equal(first, second)
    own = fig.canvas
    expected = _pixels(_full_render(fig))
    fig.set_canvas(own)
    np.testing.assert_array_equal(second, expected)


def test_blit_canvas_needs_invalidate_for_static_changes():
    fig = canvas.blit_figure(3, 2)
    ax = fig.add_subplot()
    (line,) = ax.plot([0, 1], [0, 1])
    fig.canvas.dynamic.append(line)
    _render(fig)
    ax.set_title("a new title")                  # static: not drawn until invalidated
    stale = _pixels(_render(fig))
    fig.canvas.invalidate()
    fresh = _pixels(_render(fig))
    assert not np.array_equal(stale, fresh)
    own = fig.canvas
    np.testing.assert_array_equal(fresh, _pixels(_full_render(fig)))
    fig.set_canvas(own)


def test_blit_canvas_savefig_draws_everything(tmp_path):
    fig = canvas.blit_figure(3, 2)
    ax = fig.add_subplot()
    (line,) = ax.plot([0, 1], [0, 1])
    fig.canvas.dynamic.append(line)
    _render(fig)
    ax.set_title("changed")
    fig.savefig(tmp_path / "a.png", dpi=80)
    own = fig.canvas
    np.testing.assert_array_equal(matplotlib.image.imread(tmp_path / "a.png"),
                                  _pixels(_full_render(fig)))
    fig.set_canvas(own)


def test_hidden_dynamic_artists_stay_hidden():
    fig = canvas.blit_figure(3, 2)
    ax = fig.add_subplot()
    (line,) = ax.plot([0, 1], [0, 1])
    fig.canvas.dynamic.append(line)
    line.set_visible(False)
    with_hidden = _pixels(_render(fig))
    assert not line.get_visible()
    ax.lines[0].remove()
    own = fig.canvas
    np.testing.assert_array_equal(with_hidden, _pixels(_full_render(fig)))
    fig.set_canvas(own)


# ------------------------------------------------------------------ PNG pictures
def _picture(transparent=False):
    fig = canvas.blit_figure(2, 1.5, dpi=50)
    if transparent:
        fig.patch.set_alpha(0.0)
    ax = fig.add_axes((0.1, 0.1, 0.8, 0.8))
    ax.imshow(np.linspace(0, 1, 64).reshape(8, 8), cmap="viridis")
    ax.set_title("a picture")
    return fig


def test_png_bytes_without_colors_is_the_canvas_png():
    fig = _picture()
    png = canvas.png_bytes(fig)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert Image.open(io.BytesIO(png)).mode == "RGBA"
    np.testing.assert_array_equal(_pixels(png), _pixels(_render(fig)))


def test_png_bytes_palette_round_trip():
    fig = _picture()
    full = np.asarray(Image.open(io.BytesIO(canvas.png_bytes(fig))).convert("RGB"), float)
    small = canvas.png_bytes(fig, colors=64)
    picture = Image.open(io.BytesIO(small))
    assert picture.mode == "P" and len(picture.getcolors()) <= 64
    back = np.asarray(picture.convert("RGB"), dtype=float)
    assert back.shape == full.shape == (75, 100, 3)           # 2 x 1.5 inches at 50 dpi
    assert np.abs(back - full).mean() < 2.0                     # looks the same
    assert canvas.png_bytes(fig, colors=64) == small            # deterministic
    assert len(small) < len(canvas.png_bytes(fig))
    exact = canvas.png_bytes(fig, colors=256)       # fewer colours in the figure than that
    np.testing.assert_array_equal(np.asarray(Image.open(io.BytesIO(exact)).convert("RGB")),
                                  full)


def test_png_bytes_palette_lays_a_transparent_figure_over_white():
    fig = _picture(transparent=True)
    rgba = np.asarray(Image.open(io.BytesIO(canvas.png_bytes(fig))))
    assert rgba[0, 0, 3] == 0                                   # the full PNG keeps alpha
    back = np.asarray(Image.open(io.BytesIO(canvas.png_bytes(fig, colors=16))).convert("RGB"))
    assert tuple(back[0, 0]) == (255, 255, 255)                 # the palette one is on white


def test_png_bytes_errors():
    with pytest.raises(TypeError, match="figure must be a matplotlib Figure drawn by an Agg "
                                        "canvas, got str"):
        canvas.png_bytes("fig")
    fig = _picture()
    for bad in (1, 300, 2.5, True):
        with pytest.raises(ValueError, match=f"colors must be None or an int from 2 to 256, "
                                             f"got {bad!r}"):
            canvas.png_bytes(fig, colors=bad)


def test_blit_figure_is_not_managed_by_pyplot():
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    fig = canvas.blit_figure(3, 2, dpi=72, facecolor="0.9")
    assert plt.get_fignums() == before
    assert fig.dpi == 72 and tuple(fig.get_size_inches()) == (3, 2)
    assert fig.canvas.dynamic == []
