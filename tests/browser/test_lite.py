"""A chapter as a live notebook in the browser (JupyterLite), served by the built book.

With every host but 127.0.0.1 unresolvable, in headless Chromium:

- the chapter page's "Run this chapter in your browser" button opens the
  chapter in the in-browser notebook (at a phone's width too);
- the kernel (Pyodide) starts with ``cnnedu`` and ipywidgets installed; Run
  All runs every cell with no error; moving an explorer's slider that only
  Python can answer (the window size of the pooling explorer: its frames
  cover the output cells only) changes the picture; the arrow keys move a
  focused slider, and still move between cells when a cell has the focus;
- an exercise checker runs on a reader's answer written into the exercise's
  cell: a correct one gets the success line, a wrong one the failure line;
- every request goes to 127.0.0.1, none fails, and the console has no error.

The book is served by a server of this module that logs each request and
its bytes. Times and bytes are written to ``_build/lite-report.txt``.
"""
from __future__ import annotations

import json
import re
import statistics
import time
from urllib.parse import urlparse

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from ..jupyterlab.lab import IMAGE_DIGEST, PICTURES
from .conftest import HTML, ROOT, BookHandler, serve, unavailable

REPORT = ROOT / "_build" / "lite-report.txt"
# a chapter whose cells run in a few seconds in WebAssembly, with an explorer
# and exercises that check functions
CHAPTER = "02_pooling"
NOTEBOOK = HTML / "lite" / "files" / f"{CHAPTER}.ipynb"
# the explorer's control that the precomputed frames do not cover
SLIDER = "window k"
UPDATES = 20
# stderr that is not an error: matplotlib's first import in a new browser
FONT_CACHE = "Matplotlib is building the font cache"

ERROR_OUTPUT = ".jp-RenderedText[data-mime-type='application/vnd.jupyter.error']"
STDERR_OUTPUT = ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
KERNEL_READY = """() => {
  const name = document.querySelector('.jp-KernelName, .jp-Toolbar-kernelName');
  const status = document.querySelector('.jp-Notebook-ExecutionIndicator');
  return name && /Pyodide/.test(name.textContent) && status
    && status.dataset.status === 'idle';
}"""
PENDING = """() => Array.from(document.querySelectorAll('.jp-CodeCell .jp-InputPrompt'))
  .filter(p => p.textContent.includes('*')).length"""
# records the time of each press of the mouse and of the first change of the
# cell's picture after it (performance.now(), in ms)
WATCH = """cell => {
  const pictures = """ + PICTURES + """;
  const w = window.__liteWatch = {key: null, changed: null, before: ''};
  document.addEventListener('pointerdown', e => {
    w.key = performance.now(); w.changed = null; w.before = pictures(cell).join();
  }, true);
  new MutationObserver(() => {
    if (w.key !== null && w.changed === null && pictures(cell).join() !== w.before) {
      w.changed = performance.now();
    }
  }).observe(cell, {subtree: true, childList: true, attributes: true,
                    attributeFilter: ['src', 'style', 'class']});
}"""

# true once the cell is still: the kernel idle, every picture in the cell
# loaded, and the slider's handle where it was at the previous poll (a new
# picture or caption can move the controls after the picture's src changed)
SETTLED = """([cell, handle]) => {
  const status = document.querySelector('.jp-Notebook-ExecutionIndicator');
  const loaded = Array.from(cell.querySelectorAll('img')).every(i => i.complete);
  const r = handle.getBoundingClientRect();
  const here = [r.x, r.y, r.width, r.height].join();
  const still = window.__liteHandleAt === here;
  window.__liteHandleAt = here;
  return status && status.dataset.status === 'idle' && loaded && still;
}"""

# true when the slider's handle h is at value v
SLIDER_AT = "([h, v]) => Number(h.getAttribute('aria-valuenow')) === v"

CORRECT = '''\
def max_pool2d_single(x2d, size, stride):
    H, W = x2d.shape
    OH, OW = (H - size) // stride + 1, (W - size) // stride + 1
    return np.array([[x2d[i * stride:i * stride + size,
                          j * stride:j * stride + size].max()
                      for j in range(OW)] for i in range(OH)])'''
# the mean of each window, not its largest value
WRONG = CORRECT.replace(".max()", ".mean()")


class CountingHandler(BookHandler):
    """The book's handler, logging (status, path, bytes of the body) for every response."""

    log: list = []

    def send_response(self, code, message=None):
        self._status, self._length = int(code), 0
        super().send_response(code, message)

    def send_header(self, keyword, value):
        if keyword.lower() == "content-length":
            self._length = int(value)
        super().send_header(keyword, value)

    def end_headers(self):
        self.log.append((self._status, self.path, self._length))
        super().end_headers()


@pytest.fixture(scope="module")
def lite_url():
    """The built book on a logging server of its own; yields its base URL."""
    if not (HTML / "index.html").is_file():
        unavailable(f"no built book at {HTML} (run: jupyter-book build . -W -n --keep-going)")
    if not NOTEBOOK.is_file():
        unavailable(f"the built book has no in-browser notebooks ({NOTEBOOK}); rebuild it "
                    "with --all")
    CountingHandler.log = []
    yield from serve(CountingHandler)


class Session:
    """One browser context on the book, with its requests and console recorded."""

    def __init__(self, browser, width=1280, height=900):
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.requests, self.problems = [], []
        self.context.on("request", lambda r: self.requests.append(r.url))
        self.context.on("requestfailed", lambda r: self.problems.append(f"failed: {r.url}"))
        self.context.on("response", lambda r: r.status >= 400
                        and self.problems.append(f"HTTP {r.status}: {r.url}"))
        self.context.on("page", self.watch)

    def watch(self, page):
        page.on("console", lambda m: m.type == "error"
                and self.problems.append(f"console: {m.text}"))
        page.on("pageerror", lambda e: self.problems.append(f"error: {e}"))

    def check_offline_and_clean(self):
        hosts = {urlparse(u).hostname for u in self.requests
                 if urlparse(u).scheme not in ("data", "blob", "about")}
        assert hosts == {"127.0.0.1"}, f"requests to other hosts: {hosts}"
        assert self.problems == []


def open_chapter_from_its_page(session, base, stem):
    """Click the chapter page's launch button; return the notebook's page (a new tab).

    Also returns the time of the click (``time.perf_counter()``) and how many
    requests the server had logged before it.
    """
    page = session.context.new_page()
    page.goto(f"{base}chapters/{stem}.html", wait_until="load")
    page.locator(".dropdown-launch-buttons .dropdown-toggle").click()
    button = page.locator(".dropdown-launch-buttons a.btn-browser-notebook-button")
    assert button.is_visible()
    assert button.inner_text().strip() == "Run this chapter in your browser"
    # the title (Bootstrap's tooltip keeps it in data-bs-original-title)
    title = button.get_attribute("title") or button.get_attribute("data-bs-original-title")
    assert "opened as a file cannot run it" in title
    mark, clicked = len(CountingHandler.log), time.perf_counter()
    with session.context.expect_page() as opened:
        button.click()
    notebook = opened.value
    page.close()
    return notebook, clicked, mark


def cell_with_output(page, text: str):
    """The notebook's code cell whose output contains ``text``."""
    cells = page.locator(".jp-CodeCell").filter(
        has=page.locator(".jp-OutputArea-output", has_text=text))
    assert cells.count() >= 1, f"no cell shows {text!r}"
    return cells.first


def run_cell_with(page, cell, source: str):
    """Replace a cell's source (an element handle), run it and the cell below."""
    cell.scroll_into_view_if_needed()
    cell.query_selector(".cm-content").click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.insert_text(source)
    page.keyboard.press("Shift+Enter")
    page.keyboard.press("Shift+Enter")


@pytest.fixture(scope="module")
def chapter(browser, lite_url, report):
    """The chapter opened from its page in the in-browser notebook, after Run All."""
    session = Session(browser)
    page, clicked, mark = open_chapter_from_its_page(session, lite_url, CHAPTER)
    page.wait_for_function(KERNEL_READY, timeout=90_000, polling=100)
    ready = time.perf_counter() - clicked
    # every cell is on the page (those out of view once the browser is idle)
    code_cells = sum(c["cell_type"] == "code"
                     for c in json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"])
    page.wait_for_function(f"() => document.querySelectorAll('.jp-CodeCell').length === "
                           f"{code_cells}", timeout=30_000)
    ready_bytes = sum(size for _, _, size in CountingHandler.log[mark:])

    start = time.perf_counter()
    page.locator(".lm-MenuBar-item", has_text="Run").first.click()
    page.locator(".lm-Menu-item", has_text="Run All Cells").first.click()
    page.wait_for_function(f"() => ({PENDING})() > 0", timeout=10_000, polling=50)
    # every cell has run, or one failed (Run All stops there)
    try:
        page.wait_for_function(f"() => (({PENDING})() === 0 && ({KERNEL_READY})()) "
                               f"|| document.querySelector({json.dumps(ERROR_OUTPUT)})",
                               timeout=120_000, polling=100)
    except PlaywrightTimeout:
        raise AssertionError(
            f"Run All did not end: {page.evaluate(PENDING)} cells waiting, errors "
            f"{page.eval_on_selector_all(ERROR_OUTPUT, 'els => els.map(e => e.innerText)')}")
    ran = time.perf_counter() - start
    report.append(f"in-browser notebook, {CHAPTER}: kernel ready {ready:.1f} s after the click "
                  f"({ready_bytes / 1e6:.1f} MB downloaded), Run All {ran:.1f} s, "
                  f"{sum(size for _, _, size in CountingHandler.log[mark:]) / 1e6:.1f} MB "
                  "downloaded in all")
    yield {"page": page, "session": session}
    session.context.close()


def test_the_chapter_runs_every_cell(chapter):
    page = chapter["page"]
    notebook = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    code_cells = sum(c["cell_type"] == "code" for c in notebook["cells"])
    errors = page.eval_on_selector_all(f"{STDERR_OUTPUT}, {ERROR_OUTPUT}",
                                       "els => els.map(e => e.innerText.slice(0, 500))")
    assert [e for e in errors if not e.startswith(FONT_CACHE)] == []
    prompts = page.eval_on_selector_all(".jp-CodeCell .jp-InputPrompt",
                                        "els => els.map(e => e.textContent.trim())")
    assert len(prompts) == code_cells
    # every cell ran in this kernel, in order: the k-th shows [k]: (a folded
    # solution shows no prompt, but its number is taken)
    shown = [(k, prompt) for k, prompt in enumerate(prompts, 1) if prompt]
    assert len(shown) > code_cells * 3 // 4
    assert shown == [(k, f"[{k}]:") for k, _ in shown]
    broken = page.eval_on_selector_all(
        ".jupyter-widgets", "els => els.filter(e => /javascript error|model not found|"
        "Error displaying widget/i.test(e.innerText)).map(e => e.innerText.slice(0, 200))")
    assert broken == []


def explorer_slider(page):
    """The pooling explorer's cell, its slider SLIDER and that slider's handle, range and value.

    Returns ``(cell, slider, handle, (low, high), value)``, the handle scrolled into view.
    """
    cell = page.locator(".jp-CodeCell").filter(
        has=page.locator(".widget-slider .widget-label", has_text=SLIDER)).first
    slider = cell.locator(".widget-slider", has=page.locator(".widget-label", has_text=SLIDER))
    handle = slider.locator(".noUi-handle")
    handle.scroll_into_view_if_needed()
    low, high = slider.evaluate("s => [s.querySelector('.noUi-target').noUiSlider.options"
                                ".range.min, s.querySelector('.noUi-target').noUiSlider"
                                ".options.range.max]")
    return cell, slider, handle, (low, high), float(handle.get_attribute("aria-valuenow"))


def test_moving_a_slider_redraws_the_picture(chapter, report):
    page = chapter["page"]
    cell, slider, handle, (low, high), start_value = explorer_slider(page)
    (before,) = cell.evaluate(PICTURES)
    before_bytes = page.evaluate(IMAGE_DIGEST, before)
    cell.evaluate(WATCH)
    times = []
    for k in range(UPDATES):
        # a click on the slider's track, three steps right of the handle, then
        # back, measured once the cell is still (the last update's picture and
        # caption may still be moving the slider)
        handle.scroll_into_view_if_needed()
        page.wait_for_function(SETTLED, arg=[cell.element_handle(), handle.element_handle()],
                               timeout=20_000, polling="raf")
        value = float(handle.get_attribute("aria-valuenow"))
        target = value + (3 if k % 2 == 0 else -3)
        track, box = slider.locator(".noUi-base").bounding_box(), handle.bounding_box()
        step = (target - value) * track["width"] / (high - low)
        page.mouse.click(box["x"] + box["width"] / 2 + step, box["y"] + box["height"] / 2)
        try:
            page.wait_for_function(SLIDER_AT, arg=[handle.element_handle(), target],
                                   timeout=5_000)
        except PlaywrightTimeout:
            moved = handle.get_attribute("aria-valuenow")
            raise AssertionError(f"update {k}: the click left the slider at {moved}, "
                                 f"not at {target} (from {value})")
        try:
            page.wait_for_function("() => window.__liteWatch.changed !== null",
                                   timeout=20_000, polling=10)
        except PlaywrightTimeout:
            state = page.evaluate("() => window.__liteWatch")
            value = handle.get_attribute("aria-valuenow")
            raise AssertionError(f"update {k}: no new picture (slider at {value}, {state})")
        times.append(page.evaluate("() => window.__liteWatch.changed - window.__liteWatch.key"))
        if k == 0:
            assert float(handle.get_attribute("aria-valuenow")) == start_value + 3
            (after,) = cell.evaluate(PICTURES)
            assert page.evaluate(IMAGE_DIGEST, after) != before_bytes
            # the caption, written by Python, follows: k = 6 in the output size
            assert f"{int(start_value) + 3}) / " in cell.inner_text()
    assert float(handle.get_attribute("aria-valuenow")) == start_value
    report.append(f"in-browser notebook, {CHAPTER}: slider '{SLIDER}', click to new picture, "
                  f"median {statistics.median(times):.0f} ms over {UPDATES} updates "
                  f"(max {max(times):.0f} ms)")


def test_the_arrow_keys_move_a_focused_slider_and_still_move_between_cells(chapter):
    page = chapter["page"]
    cell, _, handle, (low, high), start = explorer_slider(page)
    up, down = ("ArrowRight", "ArrowLeft") if start < high else ("ArrowLeft", "ArrowRight")
    handle.focus()
    for key, value in [(up, start + (1 if up == "ArrowRight" else -1)), (down, start)]:
        page.keyboard.press(key)
        page.wait_for_function(SLIDER_AT, arg=[handle.element_handle(), value],
                               timeout=10_000)
        assert page.evaluate("h => document.activeElement === h", handle.element_handle())
    assert low <= start <= high
    # with a cell focused (command mode), ArrowDown selects the next cell: the
    # cell above the explorer's, clicked, then ArrowDown
    above = cell.element_handle().evaluate_handle("c => c.previousElementSibling").as_element()
    above.scroll_into_view_if_needed()
    above.click(position={"x": 5, "y": 5})
    page.keyboard.press("Escape")
    index = "() => Array.from(document.querySelectorAll('.jp-Notebook-cell'))" \
            ".findIndex(c => c.classList.contains('jp-mod-active'))"
    before = page.evaluate(index)
    focused = "() => document.activeElement.className"
    page.keyboard.press("ArrowDown")
    try:
        page.wait_for_function(f"() => ({index})() === {before + 1}", timeout=10_000)
    except PlaywrightTimeout:
        raise AssertionError(f"ArrowDown on cell {before} left cell {page.evaluate(index)} "
                             f"active, focus on {page.evaluate(focused)!r}")


def test_an_exercise_checker_runs_on_the_readers_answer(chapter):
    page = chapter["page"]
    # the checker's cell, and the reader's cell above it
    checker = cell_with_output(page, "max_pool2d_single: not written yet").element_handle()
    answer = checker.evaluate_handle("c => c.previousElementSibling").as_element()
    answer.scroll_into_view_if_needed()
    source = "el => el.querySelector('.cm-content').innerText"
    assert answer.evaluate(source).startswith("def max_pool2d_single(x2d, size, stride):")
    assert checker.evaluate(source).startswith(
        "result = check_max_pool2d_single(max_pool2d_single)")
    outputs = "el => el.querySelector('.jp-OutputArea').innerText"
    run_cell_with(page, answer, CORRECT)
    page.wait_for_function(f"el => /all \\d+ cases correct/.test(({outputs})(el))",
                           arg=checker, timeout=20_000)
    assert checker.evaluate(outputs).strip().startswith("max_pool2d_single: all ")
    run_cell_with(page, answer, WRONG)
    page.wait_for_function(f"el => /\\d+ of \\d+ cases correct/.test(({outputs})(el))",
                           arg=checker, timeout=20_000)
    passed, total = map(int, re.search(r"max_pool2d_single: (\d+) of (\d+) cases correct",
                                       checker.evaluate(outputs)).groups())
    assert passed < total


def test_nothing_but_the_book_is_requested_and_the_console_is_clean(chapter):
    session = chapter["session"]
    # the kernel's worker fetched Python from the book
    assert any(u.endswith("/_static/pyodide/pyodide.asm.wasm") for u in session.requests)
    assert any(re.search(r"/_static/wheels/cnnedu-[^/]+\.whl$", u) for u in session.requests)
    session.check_offline_and_clean()
    assert [entry for entry in CountingHandler.log if entry[0] >= 400] == []


def test_the_button_opens_the_notebook_at_a_phones_width(browser, lite_url):
    session = Session(browser, width=390, height=844)
    try:
        page, _, _ = open_chapter_from_its_page(session, lite_url, "00_intro")
        page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=60_000)
        assert page.url.endswith("/lite/notebooks/index.html?path=00_intro.ipynb")
        intro = json.loads((HTML / "lite" / "files" / "00_intro.ipynb").read_text())
        heading = "".join(intro["cells"][0]["source"]).splitlines()[0].lstrip("# ")
        page.wait_for_function(
            "h => document.querySelector('.jp-Notebook').innerText.includes(h)", arg=heading)
        session.check_offline_and_clean()
    finally:
        session.context.close()
