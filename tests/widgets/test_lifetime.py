"""Explorers that a notebook cell made are closed when that cell runs again.

An IPython shell runs code as JupyterLab's kernel does, with the id of the
notebook cell (``run_cell(..., cell_id=...)``); the kernel's widgets are
ipywidgets' registry of open widgets.
"""
import ipywidgets as widgets
import numpy as np
import pytest
from ipywidgets.widgets import widget as registry
from traitlets.config import Config

from cnnedu.widgets import Explorer, new_figure
from cnnedu.widgets._lifetime import owned_widgets
from cnnedu.widgets._registry import builders

FRAMES_CELL = 'ex = kernel_slider().with_frames({"position": [0, 1, 2]}); ex'
OTHER_CELL = 'other = stride_explorer().with_frames({"stride": "all"}); other'


def open_ids() -> set:
    return set(registry._instances)


@pytest.fixture
def shell(tmp_path, monkeypatch):
    """An IPython shell (what the kernel runs cells in), removed after the test."""
    from IPython.core.interactiveshell import InteractiveShell

    monkeypatch.setenv("IPYTHONDIR", str(tmp_path))
    config = Config()
    config.HistoryManager.hist_file = ":memory:"
    sh = InteractiveShell.instance(config=config)
    run(sh, "from cnnedu.widgets.conv import kernel_slider, stride_explorer", "imports")
    yield sh
    InteractiveShell.clear_instance()


def run(sh, code, cell_id):
    result = sh.run_cell(code, cell_id=cell_id)
    assert result.success, result.error_in_exec or result.error_before_exec
    return result


def test_running_a_cell_again_leaves_the_widget_count_where_its_first_run_left_it(shell):
    before = len(registry._instances)
    run(shell, FRAMES_CELL, "A")
    after_first = len(registry._instances)
    assert after_first - before > 20             # an explorer with frames: many widgets
    for _ in range(3):
        run(shell, FRAMES_CELL, "A")
        assert len(registry._instances) == after_first
    run(shell, "x = 1", "C")                      # a cell without widgets changes nothing
    assert len(registry._instances) == after_first


def test_the_earlier_run_s_widgets_are_all_closed_frames_included(shell):
    start = open_ids()
    run(shell, FRAMES_CELL, "A")
    first = open_ids() - start
    old = shell.user_ns["ex"]
    frames = old.frames
    parts = ([old, old.image, old.caption, frames.view, frames.live, frames.live_ruled_out,
              frames.not_precomputed, frames.ruled_out, frames.note]
             + [s for s, _ in frames.stacks] + list(frames.links) + list(old.controls.values())
             + [c.style for c in old.controls.values()] + [old.layout, old.image.layout])
    assert {p.model_id for p in parts} <= first
    run(shell, FRAMES_CELL, "A")
    assert not first & open_ids(), "widgets of the earlier run are still open"
    assert all(p.comm is None for p in parts)
    new = shell.user_ns["ex"]
    assert new is not old and new.comm is not None
    assert "closed" in repr(old) and "closed" not in repr(new)


def test_another_cell_s_explorer_is_untouched(shell):
    run(shell, FRAMES_CELL, "A")
    start = open_ids()
    run(shell, OTHER_CELL, "B")
    other_ids = open_ids() - start
    other = shell.user_ns["other"]
    run(shell, FRAMES_CELL, "A")
    run(shell, FRAMES_CELL, "A")
    assert other_ids <= open_ids()
    other.controls["stride"].value = 2            # still works, in Python and in the page
    assert other.frames.shown() is not other.frames.live
    assert other.comm is not None


def test_without_a_cell_id_nothing_is_closed(shell):
    run(shell, FRAMES_CELL, None)
    first = open_ids()
    run(shell, FRAMES_CELL, None)
    assert first <= open_ids()
    assert len(open_ids()) > len(first)


def test_an_explorer_another_cell_shows_stays_until_that_cell_runs_again(shell):
    run(shell, FRAMES_CELL, "A")
    old = shell.user_ns["ex"]
    old_ids = owned_widgets(old).keys()
    run(shell, "ex", "B")                          # the reader shows it again, in cell B
    run(shell, FRAMES_CELL, "A")
    assert old.comm is not None and owned_widgets(old).keys() == old_ids   # B still shows it
    run(shell, "ex", "B")                          # B now shows the new one
    assert old.comm is None


def test_an_explorer_inside_a_box_another_cell_shows_stays(shell):
    run(shell, FRAMES_CELL, "A")
    old = shell.user_ns["ex"]
    run(shell, "import ipywidgets\nipywidgets.HBox([ex])", "B")
    run(shell, "del ex", "C")
    run(shell, FRAMES_CELL, "A")
    assert old.comm is not None and old.frames.view.comm is not None


def test_an_explorer_a_variable_holds_stays_until_the_variable_goes(shell):
    run(shell, FRAMES_CELL, "A")
    old = shell.user_ns["ex"]
    run(shell, "kept = [ex]", "B")                 # a list of the reader's holds it
    run(shell, FRAMES_CELL, "A")
    assert old.comm is not None
    run(shell, "del kept", "B")
    assert old.comm is None


def test_history_of_outputs_does_not_keep_an_explorer(shell):
    run(shell, FRAMES_CELL, "A")
    old = shell.user_ns["ex"]
    assert any(v is old for v in shell.user_ns["Out"].values())
    run(shell, FRAMES_CELL, "A")
    assert old.comm is None


def test_a_widget_shared_with_another_cell_s_explorer_is_never_closed(shell):
    shared = widgets.IntSlider(value=1, min=0, max=3, description="shared")
    shell.user_ns["make"] = lambda: make_explorer(shared)
    run(shell, "a = make(); a", "A")
    run(shell, "b = make(); b", "B")
    old_a = shell.user_ns["a"]
    run(shell, "a = make(); a", "A")
    assert shared.comm is not None and shared.style.comm is not None
    assert old_a.comm is not None        # closed whole or not at all: it shares the slider


def test_nothing_happens_outside_ipython():
    from IPython import get_ipython

    assert get_ipython() is None
    ex = make_explorer(widgets.IntSlider())
    assert ex.comm is not None


def make_explorer(control):
    fig = new_figure(1, 1)
    img = fig.add_subplot().imshow(np.zeros((2, 2)), vmin=0, vmax=3)

    def update(level):
        img.set_data(np.full((2, 2), float(level)))
        return {"level": level}, ""

    return Explorer({"level": control}, fig, update)


def test_no_two_explorers_share_a_widget():
    """What closing one explorer closes belongs to it alone (no shared module-level widget)."""
    for name, build in sorted(builders().items()):
        a, b = owned_widgets(build()), owned_widgets(build())
        assert len(a) > 5
        shared = [type(a[k]).__name__ for k in a.keys() & b.keys()]
        assert not shared, f"{name}: two explorers share {shared}"


def test_an_explorer_shown_in_an_output_widget_stays_while_that_widget_is_open(shell):
    run(shell, "import ipywidgets\nout = ipywidgets.Output()", "O")
    # what `with out: display(ex)` does in a kernel: out captures the run's displays
    capture = "out.msg_id = 'capturing'\ndisplay(ex)\nout.msg_id = ''"
    run(shell, FRAMES_CELL + "\n" + capture, "A")
    old = shell.user_ns["ex"]
    run(shell, FRAMES_CELL + "\n" + capture, "A")
    assert old.comm is not None
    run(shell, "out.close()", "O2")
    assert old.comm is None
