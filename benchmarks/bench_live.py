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
  on the page: the first slider steps with the arrow keys; with no slider,
  the first drop-down (or row of toggle buttons) cycles its options.

    python benchmarks/bench_live.py [--html _build/html] [--steps 15]
"""
from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from _served_book import ROOT, served_book

RENDERED = """() => {
  const tags = document.querySelectorAll(
    'script[type="application/vnd.jupyter.widget-view+json"]');
  return Array.from(tags).every(t => t.hasAttribute('data-widget-rendered'))
    && document.querySelectorAll('.cnnedu-go-live').length > 0;
}"""
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


def update_times(page, view, steps: int) -> tuple[str, list[float]]:
    img = view.locator("img").first

    def timed(action) -> float:
        before = img.get_attribute("src")
        t0 = time.perf_counter()
        action()
        page.wait_for_function("([im, b]) => im.getAttribute('src') !== b",
                               arg=[img.element_handle(), before], timeout=20_000)
        return (time.perf_counter() - t0) * 1000

    handles = view.locator(".widget-hslider .noUi-handle")
    if handles.count():
        handle = handles.first
        label = view.locator(".widget-hslider").first.locator(".widget-label").first.inner_text()
        handle.focus()
        lo, hi = (float(handle.get_attribute(a)) for a in ("aria-valuemin", "aria-valuemax"))
        key = "ArrowRight" if float(handle.get_attribute("aria-valuenow")) < (lo + hi) / 2 \
            else "ArrowLeft"
        return f"slider '{label}'", [timed(lambda: page.keyboard.press(key))
                                     for _ in range(steps)]
    selects = view.locator("select")
    if selects.count():
        select = selects.first
        options = select.locator("option").all_inner_texts()
        times = []
        for k in range(steps):
            current = select.evaluate("s => s.selectedIndex")
            times.append(timed(lambda: select.select_option(index=(current + 1) % len(options))))
        return "drop-down", times
    buttons = view.locator(".widget-toggle-buttons button")
    n = buttons.count()
    return "toggle buttons", [timed(lambda k=k: buttons.nth((k + 1) % n).click())
                              for k in range(steps)]


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
            page.on("response", responses.append)
            page.on("request", lambda r: hosts.add(r.url.split("/")[2]))
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
                control, times = update_times(page, view, args.steps)
                median = statistics.median(times)
                rows.append(f"  {title[:54]:56s} {seconds:7.2f}s {median:11.0f} ms "
                            f"{max(times):5.0f} ms  ({control})")
            print(f"{name}: before going live {before / 1e6:.2f} MB transferred; the first "
                  f"click {after_first / 1e6:.2f} MB; hosts {sorted(hosts)}")
            print("\n".join(rows))
            context.close()


if __name__ == "__main__":
    main()
