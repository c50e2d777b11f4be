"""The pooling explorer's window panel: what is drawn matches what cnnedu computes."""
import numpy as np
import pytest
from matplotlib.figure import Figure

from cnnedu.explain.pool import pool_window
from cnnedu.viz.pool_explorer import draw_pool_window, update_pool_window
from cnnedu.viz.text import format_number

X4 = np.array([[1, 3, 2, 0], [4, 2, 1, 5], [0, 7, 6, 3], [6, 1, 2, 8]], dtype=float)
RNG = np.random.default_rng(0)
X7 = RNG.standard_normal((7, 7))


def axes():
    return Figure(figsize=(4, 4), dpi=80).add_subplot()


# ------------------------------------------------------------------- window
def test_window_panel_shows_pool_window():
    art = draw_pool_window(axes(), X7, 1, 2, 3, 2, 1)
    win = pool_window(X7, 1, 2, 3, 2, 1)
    assert art.labels.labels == [format_number(v, "{:.1f}") for v in win.window.ravel()]
    r, c = win.argmax[0] - win.top_left[0], win.argmax[1] - win.top_left[1]
    assert art.outlines.rects["winner"] == [(r, c, 1, 1)]
    assert art.cells.ax.get_title() == f"window (1, 2): max = {format_number(win.value, '{:.1f}')}"
    update_pool_window(art, X7, 0, 0, 3, 2, 1, kind="avg")
    assert art.labels.labels[:4] == ["0", "0", "0", "0"]
    assert art.outlines.rects["winner"] == []
    update_pool_window(art, None, 0, 0, 3)
    assert art.labels.labels == [] and art.cells.ax.get_title() == "no window"


def test_update_pool_window_checks_its_artists():
    with pytest.raises(TypeError, match="artists must be the PoolWindowArtists"):
        update_pool_window((), X4, 0, 0, 2)
