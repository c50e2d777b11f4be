"""Run All again, on a kernel that ran the chapter before, with another page attached.

The backpropagation chapter's explorers (pooling routing, the convolution's
backward pass with a frame for every input pixel, kernel learning) are its
heaviest: hundreds of widgets each, made again at every Run All. One page
runs the chapter; a second page then opens the same notebook (attached to
the same kernel) and runs it twice more; a third page opens it last and runs it
a fourth time. Every explorer must be drawn in the page that ran it, with its
picture, and JupyterLab must never fail to find a widget's model. The
explorers of an earlier run are closed when their cell runs again, so the
kernel holds as many widgets after every Run All as after the first.
"""
from __future__ import annotations

import time

from .lab import (Console, broken_widgets, error_outputs, kernel_widget_count, open_notebook,
                  run_all)

CHAPTER = "05_backpropagation.ipynb"
TITLE = "Backward through a convolution"

# for every explorer output: does it show a picture (an <img> with a source)?
PICTURES_SHOWN = """() => Array.from(document.querySelectorAll('.jp-OutputArea-output'))
  .filter(out => out.querySelector('.widget-slider, .widget-dropdown, .widget-toggle-buttons')
                 && out.querySelector('.widget-image'))
  .map(out => ({title: (out.querySelector('.widget-html b') || {}).innerText || '',
                picture: Array.from(out.querySelectorAll('.widget-image'))
                  .some(img => img.offsetParent !== null && img.src && img.naturalWidth > 0)}))"""

ALL_DRAWN = f"""() => {{ const shown = ({PICTURES_SHOWN})();
  return shown.length >= 3 && shown.every(e => e.picture); }}"""


def model_not_found(console: Console) -> list[str]:
    return [e for e in console.errors if "model not found" in e.lower()
            or "could not create a model" in e.lower() or "could not instantiate" in e.lower()]


def check(page, console: Console, when: str) -> None:
    assert error_outputs(page) == [], when
    assert broken_widgets(page) == [], when
    assert model_not_found(console) == [], when
    page.wait_for_function(f"() => ({PICTURES_SHOWN})().every(e => e.picture)", timeout=20_000)
    shown = page.evaluate(PICTURES_SHOWN)
    assert len(shown) >= 3, f"{when}: explorers missing: {shown}"
    assert any(TITLE in e["title"] for e in shown), f"{when}: no conv backward explorer: {shown}"


def test_run_all_again_with_another_page_attached(lab, lab_browser):
    first = lab_browser.new_page(viewport={"width": 1280, "height": 900})
    first_console = Console(first)
    open_notebook(first, lab, CHAPTER)
    run_all(first)
    check(first, first_console, "first page, first run")
    widgets_after = {1: kernel_widget_count(first)}

    second = lab_browser.new_page(viewport={"width": 1280, "height": 900})
    second_console = Console(second)
    open_notebook(second, lab, CHAPTER)          # the same session: the same kernel
    assert second.evaluate(
        "() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.id"
    ) == first.evaluate(
        "() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel.id")
    for run in (2, 3):
        run_all(second)
        check(second, second_console, f"second page, run {run}")
        assert model_not_found(first_console) == [], f"first page, run {run}"
        assert broken_widgets(first) == [], f"first page, run {run}"
        widgets_after[run] = kernel_widget_count(second)
    # each Run All closes the explorers of the one before: the kernel's widgets do not grow
    assert widgets_after[1] > 500, widgets_after
    assert widgets_after[3] == widgets_after[2] == widgets_after[1], widgets_after

    # a third page opens the notebook now (restoring every widget the kernel holds) and
    # runs it a fourth time
    third = lab_browser.new_page(viewport={"width": 1280, "height": 900})
    third_console = Console(third)
    start = time.monotonic()
    open_notebook(third, lab, CHAPTER)
    run_all(third)
    third.wait_for_function(ALL_DRAWN, timeout=60_000, polling=100)
    print(f"\nkernel widgets after Run All 1-3: {widgets_after}; a page opened then ran "
          f"the chapter and drew every explorer in {time.monotonic() - start:.1f} s")
    check(third, third_console, "third page, run 4")
    assert kernel_widget_count(third) == widgets_after[1]
    for page in (third, second, first):
        page.close()
