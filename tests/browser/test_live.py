"""Explorers made live in the static page: Python (Pyodide) runs in the browser.

With every host but 127.0.0.1 unresolvable, on the built book:

- before the reader asks, the page downloads nothing of Python: no runtime,
  no recipe, no script of the live explorers;
- chapter 1: made live, the kernel slider takes a kernel and a position the
  precomputed frames do not cover (the Laplacian), and the page shows the
  output value that ``cnnedu`` computes natively from the same recipe;
- chapter 6: made live, the digit explorer shows its drawing grid; a digit
  drawn there changes the predicted class and the probabilities, and the
  page's caption equals what ``cnnedu`` computes natively with the weights
  trained when the book was built (the recipe the page fetched);
- nothing is requested from another host, no request fails and the console
  has no error.

Times (click to first live picture, updates) are written to
``_build/live-report.txt`` (printed by ``.ci/run``); the budgets are
measured by ``benchmarks/bench_live.py`` for every explorer, not asserted.
"""
from __future__ import annotations

import html
import json
import re
import statistics
import time
from pathlib import Path
from urllib.parse import urljoin, urlparse

import numpy as np
import pytest

from cnnedu.widgets import _recipe

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"
REPORT = ROOT / "_build" / "live-report.txt"
PYTHON_FILES = re.compile(r"pyodide|live-explorers\.js|live-worker\.js|/live/|\.whl$")
RENDERED = """() => document.querySelectorAll('.cnnedu-go-live').length > 0"""


class LivePage:
    """A chapter page with its requests and console recorded."""

    def __init__(self, browser, url):
        self.context = browser.new_context(viewport={"width": 1280, "height": 800})
        self.page = self.context.new_page()
        self.requests, self.problems = [], []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("requestfailed", lambda r: self.problems.append(f"failed: {r.url}"))
        self.page.on("response", lambda r: r.status >= 400
                     and self.problems.append(f"HTTP {r.status}: {r.url}"))
        self.page.on("console", lambda m: m.type == "error"
                     and self.problems.append(f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.problems.append(f"error: {e}"))
        self.page.goto(url)
        self.page.wait_for_function(RENDERED, timeout=60_000)

    def go_live(self, explorer_title: str):
        """Press "Make it live" above the explorer titled so; return (view, seconds)."""
        find = """t => Array.from(document.querySelectorAll('.cnnedu-live-bar')).findIndex(
            b => b.nextElementSibling && b.nextElementSibling.innerText.includes(t))"""
        self.page.wait_for_function(f"t => ({find})(t) >= 0", arg=explorer_title,
                                    timeout=60_000)
        bar = self.page.locator(".cnnedu-live-bar").nth(self.page.evaluate(find, explorer_title))
        bar.scroll_into_view_if_needed()
        bar.locator(".cnnedu-go-live").click()
        self.page.wait_for_function(
            "bar => bar.classList.contains('cnnedu-is-live') "
            "|| bar.classList.contains('cnnedu-live-failed')",
            arg=bar.element_handle(), timeout=60_000)
        assert "cnnedu-is-live" in bar.get_attribute("class"), bar.inner_text()
        view = bar.locator("xpath=following-sibling::div[contains(@class, 'cnnedu-live-view')][1]")
        return view, float(bar.get_attribute("data-live-seconds"))

    def recipe_of(self, view) -> bytes:
        """The recipe bytes the page fetched for this explorer (from the built book)."""
        urls = [u for u in self.requests if "/live/recipes/" in u]
        assert urls, "the page fetched no recipe"
        return (HTML / urlparse(urls[-1]).path.lstrip("/")).read_bytes()

    def close(self):
        self.context.close()


def caption(view) -> str:
    return view.locator(".widget-html").last.inner_text().strip()


def as_text(message_html: str) -> str:
    """An explorer's caption (HTML) as the page shows its text."""
    text = html.unescape(re.sub(r"<[^>]+>", "", message_html))
    return re.sub(r"\s+", " ", text).strip()


def picture(view) -> str:
    return view.locator("img").first.get_attribute("src")


def changed_picture(page, view, before: str, timeout=10_000):
    page.wait_for_function("([img, b]) => img.getAttribute('src') !== b",
                           arg=[view.locator("img").first.element_handle(), before],
                           timeout=timeout)


def only_local(requests) -> list[str]:
    return [u for u in requests
            if urlparse(u).scheme not in ("data", "blob", "about")
            and urlparse(u).hostname != "127.0.0.1"]


def test_chapter_1_kernel_slider_live_with_a_kernel_the_frames_do_not_cover(
        browser, book_url, report):
    live = LivePage(browser, urljoin(book_url, "chapters/01_convolution.html"))
    try:
        page = live.page
        page.wait_for_load_state("load")
        before_click = list(live.requests)
        assert not [u for u in before_click if PYTHON_FILES.search(u)], \
            "Python was downloaded before the reader asked"
        view, seconds = live.go_live("Slide the kernel")
        # the live explorer starts where the static one was
        assert view.locator(".widget-readout").first.inner_text() == "19"
        start = picture(view)
        view.locator("select").first.select_option("laplacian_4")
        changed_picture(page, view, start)
        handle = view.locator(".widget-hslider .noUi-handle").first
        handle.focus()
        times = []
        for _ in range(26):                         # 19 -> 45: every step recomputed in Python
            shown = picture(view)
            t0 = time.perf_counter()
            page.keyboard.press("ArrowRight")
            changed_picture(page, view, shown)
            times.append((time.perf_counter() - t0) * 1000)
        assert view.locator(".widget-readout").first.inner_text() == "45"
        native = _recipe.build(live.recipe_of(view))
        native.set_values(kernel="laplacian_4", position=45)
        expected = as_text(native.message)
        page.wait_for_function("([el, t]) => el.innerText.replace(/\\s+/g, ' ').trim() === t",
                               arg=[view.locator(".widget-html").last.element_handle(), expected],
                               timeout=10_000)
        value = float(re.search(r"= (-?\d+\.\d+)", caption(view)).group(1))
        assert value == pytest.approx(float(native.state()["sum"]), abs=5e-4)
        assert "laplacian_4" in caption(view) and "y[5, 5]" in caption(view)
        assert only_local(live.requests) == []
        assert live.problems == []
        report.append(f"live, chapter 1 kernel slider: first live picture {seconds:.2f} s after "
                      f"the click (Python ready after, in ms: "
                      f"{page.evaluate('window.cnneduLive.startup()')}); position updates "
                      f"median {statistics.median(times):.0f} ms (max {max(times):.0f} ms, "
                      f"{len(times)} steps)")
    finally:
        live.close()


def test_chapter_6_live_drawing_changes_the_prediction(browser, book_url, report):
    live = LivePage(browser, urljoin(book_url, "chapters/06_complete_cnn.html"))
    try:
        page = live.page
        view, seconds = live.go_live("Inside the CNN")
        cells = view.locator(".widget-hbox > .widget-toggle-button")     # the 14 x 14 grid
        assert cells.count() == 14 * 14
        assert cells.first.is_visible()          # the grid the static page hides
        test_digit_caption = caption(view)
        view.get_by_role("button", name="clear").click()
        page.wait_for_function("el => el.innerText.includes('0 of 196')",
                               arg=view.locator(".widget-html").last.element_handle(),
                               timeout=10_000)
        drawing = np.zeros((14, 14), dtype=bool)
        times = []
        for r, c in [(r, 7) for r in range(2, 12)] + [(2, 6), (3, 5), (11, 6), (11, 8)]:
            shown = picture(view)
            t0 = time.perf_counter()
            cells.nth(r * 14 + c).click()
            changed_picture(page, view, shown)
            times.append((time.perf_counter() - t0) * 1000)
            drawing[r, c] = True
        native = _recipe.build(live.recipe_of(view))
        assert native.state()["trained"]                   # the book's trained weights
        native.set_drawing(drawing)
        expected = as_text(native.message)
        page.wait_for_function("([el, t]) => el.innerText.replace(/\\s+/g, ' ').trim() === t",
                               arg=[view.locator(".widget-html").last.element_handle(), expected],
                               timeout=10_000)
        state = native.state()
        assert f"predicted {state['prediction']}" in caption(view)
        assert caption(view) != test_digit_caption
        shown_probability = float(re.search(r"probability (\d\.\d+)", caption(view)).group(1))
        assert shown_probability == pytest.approx(float(state["probabilities"].max()), abs=5e-3)
        assert only_local(live.requests) == []
        assert live.problems == []
        report.append(f"live, chapter 6 digit explorer: first live picture {seconds:.2f} s after "
                      f"the click; drawing a cell: median {statistics.median(times):.0f} ms "
                      f"(max {max(times):.0f} ms); drawn digit predicted {state['prediction']}")
    finally:
        live.close()


def test_a_browser_without_webassembly_is_told_and_keeps_the_frames(browser, book_url):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.add_init_script("delete window.WebAssembly;")
    page = context.new_page()
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    try:
        page.goto(urljoin(book_url, "chapters/02_pooling.html"))
        page.wait_for_function(RENDERED, timeout=60_000)
        bar = page.locator(".cnnedu-live-bar").first
        bar.scroll_into_view_if_needed()
        bar.locator(".cnnedu-go-live").click()
        page.wait_for_function("b => b.classList.contains('cnnedu-live-failed')",
                               arg=bar.element_handle(), timeout=30_000)
        text = bar.inner_text()
        assert "cannot run Python in a page" in text and "precomputed" in text
        assert not [u for u in requests if re.search(r"pyodide|\.whl$|/recipes/", u)]
        # the static explorer is still there and its frames still switch
        frames = page.locator(".cnnedu-explorer").first
        shown = frames.locator(".cnnedu-frames img").evaluate_all(
            "ims => ims.filter(im => im.offsetParent).map(im => im.getAttribute('src'))")
        handle = frames.locator(".cnnedu-swept .noUi-handle").first
        handle.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function(
            """([ex, before]) => JSON.stringify(Array.from(ex.querySelectorAll(
                 '.cnnedu-frames img')).filter(im => im.offsetParent)
                 .map(im => im.getAttribute('src'))) !== before""",
            arg=[frames.element_handle(), json.dumps(shown)], timeout=10_000)
    finally:
        context.close()
