"""The static pages offer only what they can show.

On every chapter with explorers: a slider that the precomputed frames follow
shows a frame at both ends of its range (the build narrows it to the values
with frames, e.g. chapter 6's test digits 0-39 of 300); the softmax explorer
of chapter 3 responds to its temperature and shift; chapter 6's drawing grid,
which only Python can use, is hidden and the note says so.
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

CHAPTERS = ["01_convolution", "02_pooling", "03_activations", "04_dense_layers",
            "05_backpropagation", "06_complete_cnn", "07_going_deeper"]
# every widget output of the page has its view (the page renders those far below later)
READY = """() => Array.from(
  document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]'))
  .every(tag => { const area = tag.previousElementSibling;
                  return area && area.classList.contains('widget-subarea')
                         && area.firstElementChild; })
  && document.querySelectorAll('.cnnedu-explorer .cnnedu-frames img').length > 0"""

# what the frames of explorer i show: the visible pictures' files and the visible texts
SHOWN = """i => {
  const ex = document.querySelectorAll('.cnnedu-explorer')[i];
  const seen = el => el.offsetParent !== null;
  return {
    pictures: Array.from(ex.querySelectorAll('.cnnedu-frames img'), im => im).filter(seen)
      .map(im => im.getAttribute('src')),
    text: Array.from(ex.querySelectorAll('.cnnedu-frames .widget-html'), h => h).filter(seen)
      .map(h => h.innerText).join(' | ')};
}"""


def open_page(browser, book_url, name):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(f"{book_url}chapters/{name}.html")
    page.wait_for_function(READY, timeout=30_000)
    return page


def shown(page, explorer: int) -> dict:
    """The explorer's visible picture and texts, once its picture has loaded."""
    page.wait_for_function(
        """i => Array.from(document.querySelectorAll('.cnnedu-explorer')[i]
             .querySelectorAll('.cnnedu-frames img'))
             .every(im => !im.offsetParent || im.complete)""",
        arg=explorer, timeout=10_000)
    return page.evaluate(SHOWN, explorer)


def shown_after(page, explorer: int, before: dict) -> dict:
    """The explorer's view once its pictures are no longer ``before``'s (a control moved)."""
    try:
        page.wait_for_function(f"([i, b]) => ({SHOWN})(i).pictures.join() !== b",
                               arg=[explorer, ",".join(before["pictures"])], timeout=10_000)
    except PlaywrightTimeout:
        raise AssertionError(f"explorer {explorer} still shows {before['pictures']}") from None
    return shown(page, explorer)


@pytest.mark.parametrize("name", CHAPTERS)
def test_swept_sliders_show_a_frame_at_both_ends(browser, book_url, name):
    page = open_page(browser, book_url, name)
    try:
        sliders = page.locator(".cnnedu-explorer .widget-slider.cnnedu-swept")
        assert sliders.count() > 0, "no slider on this page that the frames follow"
        for k in range(sliders.count()):
            slider = sliders.nth(k)
            explorer = slider.evaluate(
                "el => Array.from(document.querySelectorAll('.cnnedu-explorer'))"
                ".indexOf(el.closest('.cnnedu-explorer'))")
            handle = slider.locator(".noUi-handle").first
            label = slider.locator(".widget-label").first.inner_text()
            for key in ("End", "Home"):
                handle.focus()
                page.keyboard.press(key)
                page.wait_for_timeout(150)
                now = shown(page, explorer)
                value = handle.get_attribute("aria-valuenow")
                assert now["pictures"], f"{name}: {label} at {key} ({value}) shows no picture"
                assert "not precomputed" not in now["text"], (
                    f"{name}: {label} offers {value}, which has no frame")
    finally:
        page.close()


def test_chapter_6_digit_slider_offers_the_digits_with_frames(browser, book_url):
    page = open_page(browser, book_url, "06_complete_cnn")
    try:
        handle = page.locator(".cnnedu-explorer .widget-slider.cnnedu-swept .noUi-handle").first
        assert float(handle.get_attribute("aria-valuemin")) == 0
        assert float(handle.get_attribute("aria-valuemax")) == 39
        note = page.locator(".cnnedu-frames-note").first.inner_text()
        assert "test digit (precomputed: 0\u201339)" in note
        assert "drawing need Python: press Make it live" in note
        drawing = page.locator(".cnnedu-live-only")
        assert drawing.count() == 1 and not drawing.first.is_visible()
    finally:
        page.close()


def test_chapter_3_softmax_explorer_responds(browser, book_url):
    page = open_page(browser, book_url, "03_activations")
    try:
        index = page.evaluate("() => Array.from(document.querySelectorAll('.cnnedu-explorer'))"
                              ".findIndex(e => e.textContent.includes('Softmax explorer'))")
        assert index >= 0, "no softmax explorer with frames"
        explorer = page.locator(".cnnedu-explorer").nth(index)
        first = shown(page, index)
        assert re.search(r"\bT = 1: entropy", first["text"])
        handle = explorer.locator(".widget-slider .noUi-handle").first
        handle.focus()
        page.keyboard.press("ArrowRight")
        warmer = shown_after(page, index, first)
        assert re.search(r"\bT = 1\.5: entropy", warmer["text"])
        explorer.locator(".widget-toggle-button", has_text="1000").click()
        shifted = shown_after(page, index, warmer)
        assert "shifted by c = 1000" in shifted["text"]
        logits = explorer.locator(".widget-text input").first
        assert logits.is_disabled()
    finally:
        page.close()
