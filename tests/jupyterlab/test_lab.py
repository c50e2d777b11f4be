"""The chapters in a real JupyterLab, as the README's reader opens them.

``jupyter lab`` runs on a temporary copy of ``chapters/`` (see ``lab.py``);
headless Chromium opens a chapter, checks that its MyST markup is rendered
(roles, citations, folded solutions, math), runs it, moves an explorer's
slider with the keyboard and checks that the picture changes.
"""
from __future__ import annotations

import re

import pytest

from .lab import (IMAGE_DIGEST, PICTURES, Console, broken_widgets, error_outputs,
                  open_notebook, run_all)

# a light chapter with folded solutions, citations, glossary terms, math and an explorer
CHAPTER = "02_pooling.ipynb"

# MyST that would be left as raw text if JupyterLab did not render it
RAW_MYST = {
    "a role such as {term} or {cite:p}": re.compile(r"\{[a-z]+(:[a-z]+)?\}`?"),
    "a directive option such as :class: dropdown": re.compile(r"^:[a-z-]+:", re.M),
    "a directive fence": re.compile(r"```|:::"),
    "a role's 'text <target>' form": re.compile(r"\w <[\w .-]+>"),
    "TeX math left in dollars": re.compile(r"\$[^$\n]+\$"),
}



@pytest.fixture(scope="module")
def chapter(lab, lab_browser):
    """The chapter open in JupyterLab, before and after Run All: (page, console, markdown)."""
    page = lab_browser.new_page(viewport={"width": 1280, "height": 900})
    console = Console(page)
    open_notebook(page, lab, CHAPTER)
    # jupyterlab-myst renders each Markdown cell when the notebook opens
    page.wait_for_function("""() => Array.from(document.querySelectorAll('.jp-MarkdownCell'))
        .every(c => c.querySelector('.jp-MarkdownOutput, .myst'))""", timeout=60_000)
    markdown = page.eval_on_selector_all(".jp-MarkdownCell .jp-RenderedMarkdown, "
                                         ".jp-MarkdownCell .myst",
                                         "els => els.map(e => e.innerText)")
    details = page.eval_on_selector_all(".jp-MarkdownCell details",
                                        "els => els.map(e => [e.open, e.innerText.slice(0, 40)])")
    maths = page.locator(".jp-MarkdownCell .katex, .jp-MarkdownCell mjx-container").count()
    run_all(page)
    yield {"page": page, "console": console, "markdown": markdown, "details": details,
           "maths": maths}
    page.close()


def test_myst_is_rendered(chapter):
    text = "\n".join(chapter["markdown"])
    assert len(chapter["markdown"]) > 20 and "Pooling" in text
    for what, pattern in RAW_MYST.items():
        found = pattern.findall(text) and pattern.search(text).group(0)
        assert not found, f"raw MyST in the rendered chapter ({what}): {found!r}"
    assert chapter["maths"] > 20, "the chapter's formulas are not typeset"


def test_solutions_are_folded(chapter):
    solutions = [d for d in chapter["details"] if d[1].strip().startswith("Solution")]
    assert len(solutions) >= 3, f"no folded Solution blocks: {chapter['details']}"
    assert not any(is_open for is_open, _ in solutions), "a solution is shown unfolded"


def test_chapter_runs_without_errors(chapter):
    assert error_outputs(chapter["page"]) == []
    assert broken_widgets(chapter["page"]) == []
    errors = [e for e in chapter["console"].errors if "widget" in e.lower()]
    assert errors == []


def test_slider_moves_picture_by_keyboard(chapter):
    page = chapter["page"]
    cell = page.locator(".jp-CodeCell", has=page.locator(".jp-OutputArea .noUi-handle")).first
    # the explorer's first slider that the reader can move
    handle = cell.locator(".widget-slider:not(.mod-disabled) .noUi-handle").first
    before_value = handle.get_attribute("aria-valuenow")
    (before,) = cell.evaluate(PICTURES)
    before_bytes = page.evaluate(IMAGE_DIGEST, before)
    handle.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(f"""() => {{
        const cells = document.querySelectorAll('.jp-CodeCell');
        const cell = Array.from(cells).find(c => c.querySelector('.jp-OutputArea .noUi-handle'));
        return ({PICTURES})(cell).some(src => src !== {before!r});
    }}""", timeout=20_000)
    assert float(handle.get_attribute("aria-valuenow")) == float(before_value) + 1
    (after,) = cell.evaluate(PICTURES)
    assert page.evaluate(IMAGE_DIGEST, after) != before_bytes
