"""Drawing functions of the pooling chapter: what is drawn matches what cnnedu computes."""
import matplotlib
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from cnnedu.explain.pool import pool_window
from cnnedu.ops.pool import max_pool2d
from cnnedu.viz.pool import draw_pool_input, draw_pool_output, update_pool_input, update_pool_output
from cnnedu.viz.text import format_number

matplotlib.use("Agg")

X4 = np.array([[1, 3, 2, 0], [4, 2, 1, 5], [0, 7, 6, 3], [6, 1, 2, 8]], dtype=float)
RNG = np.random.default_rng(0)
X7 = RNG.standard_normal((7, 7))


def axes():
    return Figure(figsize=(4, 4), dpi=80).add_subplot()


# -------------------------------------------------------------------- input
@pytest.mark.parametrize("k, s, p, cell", [(2, 2, 0, (1, 1)), (3, 2, 1, (0, 2)), (3, 1, 0, (4, 2)),
                                           (2, 3, 0, (1, 0)), (1, 1, 0, (6, 6))],
                         ids=["tile", "overlap-pad", "stride1", "stride-gt-window", "1x1"])
def test_input_outlines_the_window_and_winner_of_pool_window(k, s, p, cell):
    art = draw_pool_input(axes(), X7, k, s, p, cell=cell)
    win = pool_window(X7, *cell, k, s, p)
    oh, ow = max_pool2d(X7[None, None], k, s, p).shape[2:]
    assert art.outlines.rects["current"] == [(*win.top_left, k, k)]
    assert art.outlines.rects["winner"] == [(*win.argmax, 1, 1)]
    assert len(art.outlines.rects["windows"]) == oh * ow
    assert art.outlines.rects["windows"][0] == (-p, -p, k, k)
    # the numbers written are those of the window, at its cells
    assert len(art.labels.labels) == k * k
    top, left = win.top_left
    assert art.labels.positions[0] == (left, top)
    expected = [format_number(v, "{:.1f}") if inside else "\u2212\u221e"
                for v, inside in zip(win.window.ravel(), win.inside.ravel())]
    assert art.labels.labels == expected
    assert art.pad_frame.get_visible() == (p > 0)


def test_input_next_window_follows_reading_order():
    art = draw_pool_input(axes(), X7, 3, 2, cell=(0, 2))    # last window of row 0
    assert art.outlines.rects["next"] == [(2, 0, 3, 3)]
    update_pool_input(art, X7, 3, 2, cell=(2, 2))            # the last window: no next
    assert art.outlines.rects["next"] == []


def test_input_whole_layer_shows_every_winner():
    art = draw_pool_input(axes(), X4, 2, cell=None, values="all", fmt="{:.0f}")
    assert sorted(art.outlines.rects["winner"]) == [(1, 0, 1, 1), (1, 3, 1, 1),
                                                    (2, 1, 1, 1), (3, 3, 1, 1)]
    assert art.outlines.rects["windows_bold"] == [(0, 0, 2, 2), (0, 2, 2, 2),
                                                  (2, 0, 2, 2), (2, 2, 2, 2)]
    assert art.outlines.rects["current"] == []
    assert art.labels.labels == ["1", "3", "2", "0", "4", "2", "1", "5",
                                 "0", "7", "6", "3", "6", "1", "2", "8"]


def test_input_average_pooling_has_no_winner_and_padding_reads_zero():
    art = draw_pool_input(axes(), X4, 3, 2, 1, cell=(0, 0), kind="avg", fmt="{:.0f}")
    assert art.outlines.rects["winner"] == []
    assert art.labels.labels == ["0", "0", "0", "0", "1", "3", "0", "4", "2"]


def test_input_hatches_cells_in_no_window():
    art = draw_pool_input(axes(), np.zeros((5, 5)), 2)
    verts = art.uncovered.get_path().vertices
    centres = {(round(float(y)), round(float(x)))
               for x, y in verts.reshape(-1, 5, 2)[:, :4].mean(axis=1)}
    assert centres == {(4, c) for c in range(5)} | {(r, 4) for r in range(5)}
    update_pool_input(art, np.zeros((5, 5)), 1, 2)          # stride 2 skips every other cell
    assert len(art.uncovered.get_path().vertices) == 5 * (25 - 9)
    update_pool_input(art, np.zeros((5, 5)), 5)             # one window covers all
    assert len(art.uncovered.get_path().vertices) == 1


def test_input_invalid_geometry_draws_only_the_map():
    art = draw_pool_input(axes(), X4, 2)
    update_pool_input(art, X4, 5, padding=0)           # the window does not fit
    assert all(r == [] for r in art.outlines.rects.values())
    assert art.labels.labels == []
    assert art.cells.block == (0, 0, 4, 4)
    update_pool_input(art, X4, 2, padding=2)           # padding more than half the window
    assert all(r == [] for r in art.outlines.rects.values())
    assert art.cells.block == (-2, -2, 8, 8)


def test_input_updates_in_place():
    ax = axes()
    art = draw_pool_input(ax, X7, 2, max_padding=2)
    mesh, coll, labels = art.cells.mesh, art.outlines.collection, art.labels.artist
    for k, s, p in [(3, 1, 1), (2, 2, 2), (3, 3, 0)]:
        update_pool_input(art, X7, k, s, p, cell=(0, 0))
    assert art.cells.mesh is mesh and art.outlines.collection is coll
    assert art.labels.artist is labels
    assert len(ax.collections) == 3     # mesh, solid and dashed outlines
    assert ax.figure.artists == [labels]    # the labels belong to the figure
    update_pool_input(art, X7, 2, 2, 0, cell=None)
    FigureCanvasAgg(ax.figure).draw()         # and it renders


@pytest.mark.parametrize("kwargs, err, match", [
    (dict(values="some"), ValueError, "values must be 'window', 'all' or 'none', got 'some'"),
    (dict(kind="min"), ValueError, "kind must be 'max' or 'avg', got 'min'"),
], ids=["values", "kind"])
def test_input_errors(kwargs, err, match):
    with pytest.raises(err, match=match):
        draw_pool_input(axes(), X4, 2, **kwargs)


def test_update_functions_check_their_artists():
    with pytest.raises(TypeError, match="artists must be the PoolInputArtists returned by "
                                        "draw_pool_input, got tuple"):
        update_pool_input((), X4, 2)
    with pytest.raises(TypeError, match="artists must be the PoolOutputArtists"):
        update_pool_output((), X4)
    with pytest.raises(ValueError, match=r"x2d must be a 2-D array \(H, W\), got shape"):
        draw_pool_input(axes(), X4[None], 2)


# ------------------------------------------------------------------- output
def test_output_panel_values_current_cell_and_note():
    y = max_pool2d(X7[None, None], 2)[0, 0]
    art = draw_pool_output(axes(), y, cell=(2, 1))
    assert art.labels.labels == [format_number(v, "{:.1f}") for v in y.ravel()]
    assert art.outlines.rects["current"] == [(2, 1, 1, 1)]
    update_pool_output(art, None)
    assert art.note.get_visible() and art.note.get_text() == "no output"
    assert art.labels.labels == [] and art.outlines.rects["current"] == []
    update_pool_output(art, y[:2, :2], cell=None)
    assert not art.note.get_visible() and len(art.labels.labels) == 4


def test_output_too_many_cells_for_numbers():
    art = draw_pool_output(Figure(figsize=(1, 1)).add_subplot(), RNG.standard_normal((20, 20)))
    assert art.labels.labels == []          # a 20x20 map in one inch: no readable numbers

