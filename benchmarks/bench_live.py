"""Explorers made live in the static pages: download sizes and times, for every explorer.

For each chapter page with explorers (served from 127.0.0.1 as the browser
tests serve it, gzip-compressed, other hosts unresolvable), in a new browser
context each (nothing cached):

- bytes transferred by the page before going live (everything it loads by
  itself, the widgets drawn) and by the first "Make it live" click;
- for each explorer, from its "Make it live" click to its first live
  picture (the first explorer of a page starts Python; the others reuse it);
- the median and the largest time of an update of its main control in the
  live view, from the key press (or selection, or click) to the new picture
  on the page. The main control is the first one the static page's frames
  follow: a slider steps with the arrow keys (back at the ends of its
  range), a drop-down (or a row of toggle buttons) cycles its options.

    python benchmarks/bench_live.py [--html _build/html] [--steps 15]
"""
from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path
from urllib.parse import urlparse

from _served_book import ROOT, served_book

RENDERED = """() => {
  const tags = document.querySelectorAll(
    'script[type="application/vnd.jupyter.widget-view+json"]');
  return Array.from(tags).every(t => t.hasAttribute('data-widget-rendered'))
    && document.querySelectorAll('.cnnedu-go-live').length > 0;
}"""
# the label of the first control the static page's frames follow
MAIN = """bar => { const v = bar.nextElementSibling;
  const l = v && v.querySelector('.cnnedu-swept .widget-label');
  return l ? l.innerText : null; }"""
TITLE = """bar => { const v = bar.nextElementSibling;
  const b = v && v.querySelector('.widget-html b');
  return b ? b.innerText : (v ? v.innerText.slice(0, 40) : ''); }"""


def transferred(responses) -> int:
    total = 0
    for response in responses:
        try:
            sizes = response.request.sizes()
        except Exception:           # a response still streaming when the page closed
            continue
        total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
    return total


CONTROLS = ".widget-hslider:not(.mod-disabled), .widget-dropdown, .widget-toggle-buttons"


def update_times(page, view, steps: int, main: str | None) -> tuple[str, list[float]]:
    """Times of ``steps`` updates of the control labelled ``main`` (else the first one)."""
    img = view.locator("img").first
    controls = view.locator(CONTROLS)
    if main:            # the control the static page's frames followed
        named = controls.filter(has=page.locator(".widget-label", has_text=main))
        controls = named if named.count() else controls
    control = controls.first
    label = control.locator(".widget-label").first.inner_text()

    def timed(action) -> float:
        before = img.get_attribute("src")
        t0 = time.perf_counter()
        action()
        page.wait_for_function("([im, b]) => im.getAttribute('src') !== b",
                               arg=[img.element_handle(), before], timeout=20_000)
        return (time.perf_counter() - t0) * 1000

    kind = control.evaluate("el => el.className")
    if "widget-hslider" in kind:
        handle = control.locator(".noUi-handle").first
        handle.focus()
        lo, hi = (float(handle.get_attribute(a)) for a in ("aria-valuemin", "aria-valuemax"))
        step = 1

        def press():
            nonlocal step
            now = float(handle.get_attribute("aria-valuenow"))
            if now >= hi or now <= lo:         # bounce at the ends of the range
                step = -1 if now >= hi else 1
            page.keyboard.press("ArrowRight" if step > 0 else "ArrowLeft")

        return f"slider '{label}'", [timed(press) for _ in range(steps)]
    if "widget-dropdown" in kind:
        select = control.locator("select")
        n = select.locator("option").count()

        def choose():
            current = select.evaluate("s => s.selectedIndex")
            select.select_option(index=(current + 1) % n)

        return f"drop-down '{label}'", [timed(choose) for _ in range(steps)]
    buttons = control.locator("button")
    n = buttons.count()

    def click():
        current = control.evaluate(
            "el => Array.from(el.querySelectorAll('button')).findIndex("
            "b => b.classList.contains('mod-active'))")
        buttons.nth((current + 1) % n).click()

    return f"buttons '{label}'", [timed(click) for _ in range(steps)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, default=ROOT / "_build" / "html")
    parser.add_argument("--steps", type=int, default=15)
    args = parser.parse_args()
    with served_book(parser, args.html) as (base, browser, pages):
        print(f"{'page / explorer':58s} {'to live':>8s} {'update median':>14s} {'max':>7s}")
        for name in pages:
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            page = context.new_page()
            responses, hosts = [], set()
            page.on("response", lambda r: responses.append(r))
            page.on("request", lambda r: hosts.add(urlparse(r.url).netloc
                                                    or urlparse(r.url).scheme))
            page.goto(base + name)
            page.wait_for_load_state("load")
            if not page.locator("script[type='application/vnd.jupyter.widget-view+json']").count():
                context.close()
                continue
            page.wait_for_function(RENDERED, timeout=60_000)
            page.wait_for_timeout(500)
            before = transferred(responses)
            bars = page.locator(".cnnedu-live-bar")
            rows, after_first = [], None
            for i in range(bars.count()):
                bar = bars.nth(i)
                title = bar.evaluate(TITLE)
                main = bar.evaluate(MAIN)
                bar.scroll_into_view_if_needed()
                bar.locator(".cnnedu-go-live").click()
                page.wait_for_function(
                    "b => b.classList.contains('cnnedu-is-live') "
                    "|| b.classList.contains('cnnedu-live-failed')",
                    arg=bar.element_handle(), timeout=120_000)
                if "cnnedu-is-live" not in bar.get_attribute("class"):
                    rows.append(f"  {title[:54]:56s} FAILED: {bar.inner_text()}")
                    continue
                seconds = float(bar.get_attribute("data-live-seconds"))
                if after_first is None:
                    page.wait_for_timeout(200)
                    after_first = transferred(responses) - before
                view = bar.locator("xpath=following-sibling::div[1]")
                try:
                    control, times = update_times(page, view, args.steps, main)
                except Exception as err:             # reported, then the next explorer
                    rows.append(f"  {title[:54]:56s} {seconds:7.2f}s  no update measured: "
                                f"{str(err).splitlines()[0]}")
                    continue
                median = statistics.median(times)
                rows.append(f"  {title[:54]:56s} {seconds:7.2f}s {median:11.0f} ms "
                            f"{max(times):5.0f} ms  ({control})")
            print(f"{name}: before going live {before / 1e6:.2f} MB transferred; the first "
                  f"click {after_first / 1e6:.2f} MB; hosts {sorted(hosts)}")
            print("\n".join(rows))
            context.close()


if __name__ == "__main__":
    main()
