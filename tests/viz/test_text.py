"""cnnedu.viz.text: the one number formatter, text-colour rule, label engine and title helper."""
import time

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

from cnnedu.viz import panels as vpan
from cnnedu.viz import conv as vc
from cnnedu.viz import grid as vg
from cnnedu.viz import model as vm
from cnnedu.viz import pool as vp
from cnnedu.viz import pool_explorer as vpe
from cnnedu.viz import values as vvalues
from cnnedu.viz.text import (LUMINANCE_THRESHOLD, MINUS, LabelLayer, PanelTitles,
                             cell_text_colours, format_number, number_formatter, text_colours)


# ------------------------------------------------------------------ numbers
@pytest.mark.parametrize("value, fmt, text", [
    (-0.001, "{:.2f}", "0.00"), (-0.0, "{:.2f}", "0.00"), (-0.004, "{:.2f}", "0.00"),
    (-0.006, "{:.2f}", "-0.01"), (-1.5, "{:.2f}", "-1.50"), (0.004, "{:.2f}", "0.00"),
    (-0.04, "{:.1f}", "0.0"), (-1.26, "{:.1f}", "-1.3"), (2.0, "{:.0f}", "2"),
    (-0.4, "{:.0f}", "0"), (-0.0, "{:g}", "0"), (-1e-7, "{:g}", "-1e-07"),
    (-0.0001, "{:.1%}", "0.0%"), (-1e-9, "{:.2e}", "-1.00e-09"), (-0.0, "{:.1e}", "0.0e+00"),
    (-np.inf, "{:.2f}", "-inf"), (np.nan, "{:.2f}", "nan"), (-0.001, "{:6.2f}", "  0.00"),
], ids=lambda v: repr(v))
def test_format_number_writes_no_sign_on_a_value_that_rounds_to_zero(value, fmt, text):
    assert format_number(value, fmt) == text
    assert number_formatter(fmt)(value) == text


def test_format_number_defaults_callables_and_minus_signs():
    assert format_number(-0.5) == "-0.50"                                   # two decimals
    assert format_number(-0.5, minus=MINUS) == "\u22120.50"
    assert format_number(-0.001, minus=MINUS) == "0.00"
    assert format_number(-2e-5, "{:.1e}", "&minus;") == "&minus;2.0e&minus;05"
    plus = number_formatter(lambda v: f"{v:+.1f}")
    assert plus(-0.01) == "0.0" and plus(0.01) == "+0.0" and plus(-0.3) == "-0.3"
    assert number_formatter(lambda v: f"\u2212{abs(v):.1f}")(-0.01) == "0.0"


def test_number_formatter_errors():
    with pytest.raises(TypeError, match="fmt must be a format string such as '{:.2f}' or a "
                                        "callable, got int"):
        number_formatter(3)
    with pytest.raises(ValueError, match=r"fmt must be a format string for one number such "
                                         r"as '\{:.2f\}', got '\{\} and \{\}'"):
        number_formatter("{} and {}")
    with pytest.raises(ValueError, match="fmt must be a format string for one number"):
        format_number(1.0, "{:d}")
    with pytest.raises(TypeError, match="minus must be a non-empty str such as '-' or MINUS, "
                                        "got None"):
        format_number(1.0, minus=None)


# ------------------------------------------------------------------ colours
def _grey(level):
    return (level, level, level, 1.0)


def test_text_colours_black_on_light_white_on_dark():
    assert text_colours([_grey(0.0), _grey(1.0), to_rgba("#440154"), to_rgba("#fde725")]
                        ).tolist() == ["white", "black", "white", "black"]
    # mid grey 0.46 has a relative luminance of 0.18, just above the threshold
    assert text_colours([_grey(0.44), _grey(0.48)]).tolist() == ["white", "black"]
    assert 0.17 < LUMINANCE_THRESHOLD < 0.19
    # the luminance weighs green far more than blue: the same value, different text
    assert text_colours([(0, 0.7, 0), (0, 0, 0.7)]).tolist() == ["black", "white"]


def test_text_colours_keep_the_shape_and_lay_transparency_over_white():
    rgba = np.zeros((2, 3, 4))
    rgba[..., 3] = 1.0
    assert text_colours(rgba).shape == (2, 3)
    assert text_colours([(0, 0, 0, 0), (0, 0, 0, 0.2), (0, 0, 0, 1)]).tolist() == \
        ["black", "black", "white"]
    assert text_colours((0.9, 0.9, 0.9)).tolist() == "black"
    with pytest.raises(ValueError, match=r"rgba must hold RGB or RGBA colours, shape \(\.\.\., "
                                         r"3\) or \(\.\.\., 4\), got shape \(2, 2\)"):
        text_colours([[0.0, 1.0], [1.0, 0.0]])


def test_cell_text_colours_use_the_artists_colour_map():
    ax = Figure().subplots()
    im = ax.imshow(np.array([[0.0, 1.0]]), cmap="gray", vmin=0, vmax=1)
    assert cell_text_colours(im, [[0.0, 1.0]]).tolist() == [["white", "black"]]
    im.set_clim(-1, 0)                                      # both values now at the light end
    assert cell_text_colours(im, [0.0, 1.0]).tolist() == ["black", "black"]
    signed = ax.imshow(np.zeros((1, 3)), cmap="RdBu_r", vmin=-1, vmax=1)
    assert cell_text_colours(signed, [-1.0, 0.0, 1.0]).tolist() == ["white", "black", "white"]
    with pytest.raises(TypeError, match="image must be a colour-mapped artist such as an "
                                        "AxesImage, got list"):
        cell_text_colours([1], [0.0])


DARK_AND_LIGHT = np.array([[0.0, 0.3, 0.45], [0.5, 0.7, 1.0]])   # grey map: dark to light


def _rule(values, cmap="gray", vmin=0.0, vmax=1.0):
    ax = Figure().subplots()
    return cell_text_colours(ax.imshow(values, cmap=cmap, vmin=vmin, vmax=vmax), values)


def _face(artist):
    return ["black" if tuple(c[:3]) == (0, 0, 0) else "white" for c in artist.get_facecolors()]


def test_every_picture_follows_the_one_colour_rule():
    """The text colours of every picture with numbers in cells are those of the rule."""
    values, expected = DARK_AND_LIGHT, _rule(DARK_AND_LIGHT)
    assert set(expected.ravel()) == {"black", "white"}          # dark and light cells

    grid = vvalues.show_grid_values(Figure().subplots(), values, cmap="gray", vmin=0, vmax=1)
    assert [[t.get_color() for t in row] for row in grid.texts] == expected.tolist()
    vvalues.update_grid_values(grid, values[::-1])
    assert [[t.get_color() for t in row] for row in grid.texts] == expected[::-1].tolist()

    out = vg.draw_output(Figure().subplots(), values, cmap="gray", vmin=0, vmax=1,
                         fmt="{:.1f}")
    assert [[t.get_color() for t in row] for row in out.texts] == expected.tolist()

    ax = Figure().subplots()
    im = vg.draw_padded_input(ax, values, (0, 0, 0, 0), cmap="gray", vmin=0, vmax=1).image
    texts = vc.draw_window_values(ax, values, [0, 1], [0, 1, 2], image=im)
    assert [t.get_color() for t in texts] == expected.ravel().tolist()

    ax = Figure().subplots()
    im = ax.imshow(values, cmap="gray", vmin=0, vmax=1)
    labels = vpan.set_grid_labels(LabelLayer(ax), im, values)
    assert _face(labels.artist) == expected.ravel().tolist()

    art = vp.draw_pool_output(Figure(figsize=(4, 4)).subplots(), values, cmap="gray", vmin=0,
                              vmax=1)
    assert _face(art.labels.artist) == expected.ravel().tolist()

    counts = np.array([[0, 1, 4], [9, 16, 25]])
    cm = vm.show_confusion_matrix(Figure().subplots(), np.vstack([counts, counts[:1]]),
                                  gamma=1.0)
    rule = _rule(np.vstack([counts, counts[:1]]).astype(float), "viridis", 0, 25)
    assert [[t.get_color() for t in row] for row in cm.texts] == rule.tolist()


# ------------------------------------------------------------------ the label engine
def _render(fig):
    FigureCanvasAgg(fig)
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(int)


def _ink(pixels, colour):
    """(rows, cols) of the pixels inked with ``colour`` (0-255 RGB) over white.

    A pixel a glyph covers partly is a blend ``a * colour + (1 - a) * white``:
    it counts if ``a`` is at least 0.35 and the blend explains its colour.
    """
    white, colour = np.full(3, 255.0), np.asarray(colour, dtype=float)
    ink = white - colour
    a = ((white - pixels) @ ink) / (ink @ ink)
    residual = np.abs(pixels - (white - a[..., None] * ink)).sum(-1)
    return np.nonzero((a >= 0.35) & (residual < 60))


def _centre(rows, cols, height):
    """Centre of ink in display coordinates (x right, y up)."""
    return (cols.min() + cols.max()) / 2, height - 1 - (rows.min() + rows.max()) / 2


def _blank_axes(figsize=(3, 3)):
    fig = Figure(figsize=figsize, dpi=80)
    ax = fig.add_axes((0.1, 0.1, 0.8, 0.8))
    ax.set_xlim(-0.5, 2.5)
    ax.set_ylim(2.5, -0.5)
    ax.set_axis_off()
    return fig, ax


@pytest.mark.parametrize("cell", [(0, 0), (2, 1), (1, 2)])
def test_label_layer_centres_each_label_on_its_point(cell):
    fig, ax = _blank_axes()
    layer = LabelLayer(ax, fontsize=12)
    layer.set([cell], ["-1.25"], "red")
    x, y = ax.transData.transform(cell)
    cx, cy = _centre(*_ink(_render(fig), (255, 0, 0)), fig.bbox.height)
    assert abs(cx - x) <= 1.5 and abs(cy - y) <= 1.5
    assert layer.labels == ["-1.25"] and layer.positions == [cell]


def test_label_layer_writes_each_label_in_its_colour_and_size():
    fig, ax = _blank_axes()
    layer = LabelLayer(ax, fontsize=10)
    layer.set([(0, 0), (2, 2)], ["8", "8"], ["red", "blue"], fontsize=20)
    pixels = _render(fig)
    red, blue = _ink(pixels, (255, 0, 0)), _ink(pixels, (0, 0, 255))
    assert red[0].size and blue[0].size
    assert _centre(*red, fig.bbox.height)[0] < _centre(*blue, fig.bbox.height)[0]
    # like a Text artist of the same size: the digit is as tall
    height = red[0].max() - red[0].min() + 1
    alone = Figure(figsize=(1, 1), dpi=80)
    alone.text(0.5, 0.5, "8", fontsize=20, color="red", ha="center", va="center")
    text_rows = _ink(_render(alone), (255, 0, 0))[0]
    assert abs(height - (text_rows.max() - text_rows.min() + 1)) <= 2
    layer.set([(1, 1)], ["8"])                      # the layer's size and black by default
    rows = _ink(_render(fig), (0, 0, 0))[0]
    assert rows.max() - rows.min() + 1 < 0.7 * height


def test_label_layer_follows_the_axes_and_survives_clear():
    fig, ax = _blank_axes()
    layer = LabelLayer(ax, fontsize=12)
    layer.set([(1, 1)], ["5"], "red")
    ax.set_xlim(-0.5, 5.5)                      # the label moves with its data point
    x, _ = ax.transData.transform((1, 1))
    assert abs(_centre(*_ink(_render(fig), (255, 0, 0)), fig.bbox.height)[0] - x) <= 1.5
    ax.clear()
    ax.set_axis_off()
    assert _ink(_render(fig), (255, 0, 0))[0].size       # still drawn: it is the figure's
    assert fig.artists == [layer.artist]


def test_label_layer_clips_to_the_axes_only_in_data_coordinates():
    fig, ax = _blank_axes()
    inside = LabelLayer(ax, fontsize=12)
    inside.set([(1, 2.75)], ["7"], "red")                # below the axes
    outside = LabelLayer(ax, fontsize=12, clip=False)
    outside.set([(1, 2.75)], ["7"], "blue")
    titled = LabelLayer(ax, fontsize=12, transform=ax.transAxes)
    titled.set([(0.5, 1.05)], ["7"], (0, 0.5, 0))        # above: another transform, no clip
    pixels = _render(fig)
    assert not _ink(pixels, (255, 0, 0))[0].size
    assert _ink(pixels, (0, 0, 255))[0].size and _ink(pixels, (0, 128, 0))[0].size


def test_label_layer_paths_are_cached_and_placed():
    path = LabelLayer.path("12.5")
    assert LabelLayer.path("12.5") is path                          # built once
    v = path.vertices
    assert abs(v[:, 1].min() + v[:, 1].max()) < 1e-9               # ink centred vertically
    assert abs(v[:, 0].min() + v[:, 0].max()) < 0.1                 # and about horizontally
    wide, narrow = LabelLayer.path("-8.8"), LabelLayer.path("1")
    assert np.ptp(wide.vertices[:, 0]) > 2 * np.ptp(narrow.vertices[:, 0])
    assert LabelLayer.path("a b", "baseline").vertices[:, 1].min() > -0.05    # on the baseline
    assert LabelLayer.path("py", "baseline").vertices[:, 1].min() < -0.15    # descenders below
    assert len(LabelLayer.path("").vertices) == 0 and len(LabelLayer.path(" ").vertices) == 0


def test_label_layer_keeps_its_artist_when_nothing_changes():
    fig, ax = _blank_axes()
    layer = LabelLayer(ax)
    layer.set([(0, 0), (1, 1)], ["1", "2"], ["black", "white"])
    paths = layer.artist.get_paths()
    layer.set([(0, 0), (1, 1)], ["1", "2"], np.array(["black", "white"]))
    assert layer.artist.get_paths() is paths
    layer.set(np.array([[0, 0], [1, 1]]), ["1", "3"], np.array([["black", "white"]]))
    assert layer.artist.get_paths() is not paths and layer.labels == ["1", "3"]


def test_label_layer_empty_labels_and_clear():
    fig, ax = _blank_axes()
    layer = LabelLayer(ax)
    assert not layer.artist.get_visible()
    layer.set([(0, 0)], [""])
    _render(fig)                                        # an empty label draws nothing, quietly
    layer.set([(0, 0)], ["4"])
    assert layer.artist.get_visible()
    assert layer.clear() is layer
    assert layer.labels == [] and not layer.artist.get_visible()
    _render(fig)


def test_label_layer_errors():
    fig, ax = _blank_axes()
    layer = LabelLayer(ax)
    with pytest.raises(ValueError, match="labels must have one entry per point: 2 points, "
                                         "got 1 labels"):
        layer.set([(0, 0), (1, 1)], ["a"])
    with pytest.raises(ValueError, match=r"positions must be n \(x, y\) pairs, shape \(n, 2\), "
                                         r"got shape \(3,\)"):
        layer.set([0, 1, 2], ["a"])
    with pytest.raises(ValueError, match="colours must be one colour or one per label: 1 "
                                         "labels, got 2 colours"):
        layer.set([(0, 0)], ["a"], ["black", "white"])
    with pytest.raises(ValueError, match="fontsize must be a positive number of points, got 0"):
        layer.set([(0, 0)], ["a"], fontsize=0)
    with pytest.raises(ValueError, match="valign must be 'center' or 'baseline', got 'top'"):
        LabelLayer(ax, valign="top")
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes, got Figure"):
        LabelLayer(fig)


def test_label_layer_is_much_faster_to_draw_than_text_artists():
    def best_draw(fig, artists):
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        best = np.inf
        for _ in range(3):
            start = time.perf_counter()
            for artist in artists:
                artist.draw(renderer)
            best = min(best, time.perf_counter() - start)
        return best

    values = np.random.default_rng(0).standard_normal((10, 10))
    labels = [format_number(v) for v in values.ravel()]
    cells = [(c, r) for r in range(10) for c in range(10)]
    fig = Figure(figsize=(4, 4), dpi=80)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.set_xlim(-0.5, 9.5)
    texts = [ax.text(c, r, s, ha="center", va="center", fontsize=8)
             for (c, r), s in zip(cells, labels)]
    layer = LabelLayer(ax).set(cells, labels)
    assert best_draw(fig, texts) > 5 * best_draw(fig, [layer.artist])


# ------------------------------------------------------------------ titles
def test_panel_titles_sit_centred_above_each_axes():
    fig = Figure(figsize=(6, 3), dpi=80)
    axes = fig.subplots(1, 2)
    fig.subplots_adjust(top=0.8)
    for ax in axes:
        ax.imshow(np.zeros((4, 4)), cmap="gray", vmin=-1, vmax=0)    # white images
        ax.set_axis_off()
    titles = PanelTitles(axes, fontsize=12, colour="red")
    assert titles.set("Wide", "Ix") is titles
    assert titles.texts == ["Wide", "Ix"]
    pixels = _render(fig)
    rows, cols = _ink(pixels, (255, 0, 0))
    height = fig.bbox.height
    for ax in axes:
        box = ax.get_window_extent()
        mine = (cols > box.x0) & (cols < box.x1)
        assert mine.any()
        x, _ = _centre(rows[mine], cols[mine], height)
        assert abs(x - (box.x0 + box.x1) / 2) <= 2                    # centred
        bottom = height - 1 - rows[mine].max()
        assert box.y1 + 4 <= bottom <= box.y1 + 10                     # 6 points (5 px) above
    titles.set(None, "new")                                         # None keeps a title
    assert titles.texts == ["Wide", "new"]
    assert [layer.artist for layer in titles.layers] == titles.artists


def test_panel_titles_follow_a_moving_axes_and_can_share_a_baseline():
    fig = Figure(figsize=(6, 3), dpi=80)
    axes = fig.subplots(1, 2)
    fig.subplots_adjust(top=0.8)
    axes[0].imshow(np.zeros((2, 8)))                  # a wide image: a short box
    axes[1].imshow(np.zeros((8, 8)))
    own = PanelTitles(axes, colour="red")
    own.set("a", "b")
    rows, cols = _ink(_render(fig), (255, 0, 0))
    middle = fig.bbox.width / 2
    tops = [axes[0].get_window_extent().y1, axes[1].get_window_extent().y1]
    assert tops[0] < tops[1] - 20
    left, right = rows[cols < middle].max(), rows[cols > middle].max()
    assert abs((left - right) - (tops[1] - tops[0])) <= 2           # each above its own box
    shared = PanelTitles(axes, colour="blue", y=0.9)
    shared.set("a", "b")
    own.set("", "")
    rows, cols = _ink(_render(fig), (0, 0, 255))
    assert rows[cols < middle].max() == rows[cols > middle].max()   # one baseline
    assert abs(fig.bbox.height - 1 - rows.max() - 0.9 * fig.bbox.height) <= 1.5


def test_panel_titles_take_one_axes_and_check_their_arguments():
    fig = Figure()
    ax = fig.subplots()
    one = PanelTitles(ax).set("only")
    assert one.texts == ["only"]
    with pytest.raises(ValueError, match="texts must hold one title per axes: 1 axes, "
                                         "got 2 titles"):
        one.set("a", "b")
    with pytest.raises(TypeError, match=r"axes\[1\] must be a matplotlib Axes, got str"):
        PanelTitles([ax, "ax"])
    with pytest.raises(ValueError, match="axes must hold at least one Axes, got none"):
        PanelTitles([])


def test_pool_window_labels_use_the_formatter():
    """The pooling pictures write numbers with the one formatter (no sign on zero)."""
    x = np.array([[-0.001, 1.0], [2.0, -3.0]])
    art = vpe.draw_pool_window(Figure(figsize=(4, 4)).subplots(), x, 0, 0, 2, fmt="{:.1f}")
    assert art.labels.labels == ["0.0", "1.0", "2.0", "-3.0"]
    assert art.labels.labels == [format_number(v, "{:.1f}") for v in x.ravel()]
    assert art.cells.ax.get_title() == "window (0, 0): max = 2.0"
