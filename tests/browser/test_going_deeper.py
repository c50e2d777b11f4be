"""The static page of the chapter "Going deeper": both explorers respond without a kernel.

The depth explorer switches between the precomputed runs (block type and
depth); the batch normalization explorer follows its batch size and batch
slider, and its momentum, which the frames do not cover, is disabled.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from urllib.parse import urljoin

from cnnedu.widgets import _recipe

from .test_live import LivePage, as_text, changed_picture, only_local, picture
from .test_static_controls import open_page, shown, shown_after

NAME = "07_going_deeper"


def explorer_index(page, title: str) -> int:
    return page.evaluate("t => Array.from(document.querySelectorAll('.cnnedu-explorer'))"
                         ".findIndex(e => e.textContent.includes(t))", title)


@contextmanager
def static_explorer(browser, book_url, title: str):
    """The chapter's static page; yields ``(page, index, explorer, first view)`` of the
    explorer titled so (it must have frames), and closes the page afterwards."""
    page = open_page(browser, book_url, NAME)
    try:
        index = explorer_index(page, title)
        assert index >= 0, f"no explorer titled {title!r} with frames"
        yield page, index, page.locator(".cnnedu-explorer").nth(index), shown(page, index)
    finally:
        page.close()


def test_depth_explorer_switches_block_and_depth(browser, book_url):
    with static_explorer(browser, book_url, "Depth and block type") as (
            page, index, explorer, first):
        assert re.search(r"\bplain\b.*8 convolutions after the stem", first["text"])
        explorer.locator(".widget-toggle-button", has_text="residual").click()
        residual = shown_after(page, index, first)
        assert re.search(r"\bresidual\b.*8 convolutions after the stem", residual["text"])
        explorer.locator("select").first.select_option("16")
        deeper = shown_after(page, index, residual)
        assert "16 convolutions after the stem" in deeper["text"]


def test_batch_norm_explorer_follows_batch_size_and_batch(browser, book_url):
    with static_explorer(browser, book_url, "Batch normalization: one channel") as (
            page, index, explorer, first):
        assert re.search(r"Batch 10 of B = 16 samples", first["text"])
        explorer.locator("select").first.select_option("64")
        bigger = shown_after(page, index, first)
        assert "Batch 10 of B = 64 samples" in bigger["text"]
        handle = explorer.locator(".widget-slider .noUi-handle").first
        handle.focus()
        page.keyboard.press("End")
        page.wait_for_timeout(150)
        last = shown(page, index)
        assert "Batch 200 of B = 64 samples" in last["text"]
        momentum = explorer.locator("select").nth(1)
        assert momentum.is_disabled()


def test_batch_norm_explorer_made_live_takes_the_momentum_the_frames_do_not_cover(
        browser, book_url):
    live = LivePage(browser, urljoin(book_url, f"chapters/{NAME}.html"))
    try:
        page = live.page
        view, _ = live.go_live("Batch normalization: one channel")
        start = picture(view)
        momentum = view.locator("select").nth(1)
        assert momentum.is_enabled()
        momentum.select_option("0.9")
        changed_picture(page, view, start, timeout=30_000)
        native = _recipe.build(live.recipe_of(view))
        native.set_values(momentum=0.9)
        expected = as_text(native.message)
        page.wait_for_function("([el, t]) => el.innerText.replace(/\\s+/g, ' ').trim() === t",
                               arg=[view.locator(".widget-html").last.element_handle(),
                                    expected], timeout=30_000)
        assert "momentum 0.9" in expected and "35%" in expected     # 0.9 ** 10 is left
        assert only_local(live.requests) == []
        assert live.problems == []
    finally:
        live.close()
