"""How fast does each page of the built book show its first screen?

Serves a built book gzip-compressed from 127.0.0.1 with the browser tests'
server (``tests/browser/conftest.py``; no host name but 127.0.0.1 resolves)
and opens every page of ``_toc.yml`` in headless Chromium, each time in a
fresh browser profile (a new context: empty cache), ``--repeat`` times. A
first, unmeasured round warms the server's gzip cache and the file system.

"First screen complete" is the browser tests' first render
(``FIRST_SCREEN`` in ``tests/browser/test_pages.py``, checked every 25 ms, in
a 1280x900 window): the text, the pictures on screen loaded, the formulas on
screen typeset and the widgets on screen drawn, in ms since navigation start.

Prints Markdown tables, per page:

- the median, minimum and maximum time to the first screen, and the bytes
  the page loads (the page, and everything it requests until the network has
  been idle for half a second) as served and uncompressed;
- what the first screen waited for: the requests started before it was
  complete, grouped (HTML, scripts, styles, fonts, images, widget state,
  other), with their sizes; and the longest of them.

Sizes and times come from the browser (Resource Timing); the breakdowns are
those of the load with the median time. Run it from the repository root,
after a build::

    python benchmarks/bench_pages.py                 # _build/html
    python benchmarks/bench_pages.py --html /tmp/book --repeat 5
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import sys
from pathlib import Path
from urllib.parse import urlparse

from _served_book import browser_test_modules, served_book

ROOT = Path(__file__).resolve().parents[1]
GROUPS = ("HTML", "scripts", "styles", "fonts", "images", "widget state", "other")
FONTS = {".woff", ".woff2", ".ttf", ".otf", ".eot"}
IMAGES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".ico"}
WINDOW = {"width": 1280, "height": 900}         # the browser tests' window
TIMEOUT_MS = 60_000

# Every request of the page (the navigation first): where it went, when the
# browser wanted it, sent it (after waiting for a free connection) and had all
# of it (ms since navigation start), its body as served and uncompressed, and
# whether it blocked rendering.
RESOURCES = """() => performance.getEntriesByType('navigation')
  .concat(performance.getEntriesByType('resource'))
  .map(e => ({url: e.name, start: e.startTime, sent: e.requestStart, end: e.responseEnd,
              served: e.encodedBodySize, uncompressed: e.decodedBodySize,
              blocking: e.renderBlockingStatus === 'blocking'}))"""
# room for every request in the browser's resource timing buffer (250 by default)
ROOMY_BUFFER = "performance.setResourceTimingBufferSize(100000);"


@dataclasses.dataclass
class Resource:
    """One request of a page, as the browser's Resource Timing saw it."""

    url: str
    start: float
    sent: float
    end: float
    served: int
    uncompressed: int
    blocking: bool

    @property
    def group(self) -> str:
        path = urlparse(self.url).path
        suffix = Path(path).suffix.lower()
        if "/widget-state/" in path:
            return "widget state"
        if suffix in (".html", "") or path.endswith("/"):
            return "HTML"
        if suffix in (".js", ".mjs"):
            return "scripts"
        if suffix == ".css":
            return "styles"
        if suffix in FONTS:
            return "fonts"
        if suffix in IMAGES:
            return "images"
        return "other"


@dataclasses.dataclass
class Load:
    """One load of one page: its first-screen time and every request it made."""

    first_screen_ms: float
    resources: list[Resource]

    @property
    def served(self) -> int:
        return sum(r.served for r in self.resources)

    @property
    def uncompressed(self) -> int:
        return sum(r.uncompressed for r in self.resources)

    def waited_for(self) -> list[Resource]:
        """The requests started before the first screen was complete."""
        return [r for r in self.resources if r.start < self.first_screen_ms]


def load(browser, url: str, first_screen: str, all_widgets: str) -> Load:
    """Open ``url`` in a fresh context and wait for its first screen, then for the network."""
    context = browser.new_context(viewport=WINDOW)
    try:
        context.add_init_script(ROOMY_BUFFER)
        page = context.new_page()
        page.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
        first = page.wait_for_function(first_screen, polling=25,
                                       timeout=TIMEOUT_MS).json_value()
        page.wait_for_function(all_widgets, polling=25, timeout=TIMEOUT_MS)
        page.wait_for_load_state("networkidle", timeout=TIMEOUT_MS)
        resources = [Resource(**r) for r in page.evaluate(RESOURCES)]
    finally:
        context.close()
    return Load(first, resources)


def kb(n: float) -> str:
    return f"{n / 1e3:,.0f}"


def mb(n: float) -> str:
    return f"{n / 1e6:.2f}"


def short(url: str, width: int = 60) -> str:
    path = urlparse(url).path.lstrip("/")
    return path if len(path) <= width else "…" + path[-(width - 1):]


def print_tables(loads: dict[str, list[Load]], longest: int) -> None:
    median_load = {}
    for path, runs in loads.items():
        by_time = sorted(runs, key=lambda r: r.first_screen_ms)
        median_load[path] = by_time[(len(by_time) - 1) // 2]

    print("\n### First screen complete\n")
    print("'before first screen': the requests started before it was complete, and when the "
          "last of them was received (ms); the rest of the time is the browser's own work.\n")
    print("| page | median ms | min ms | max ms | served MB | uncompressed MB | requests "
          "| before first screen | last received |")
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|")
    for path, runs in loads.items():
        times = [r.first_screen_ms for r in runs]
        m = median_load[path]
        waited = m.waited_for()
        print(f"| {path} | {statistics.median(times):.0f} | {min(times):.0f} | {max(times):.0f} "
              f"| {mb(m.served)} | {mb(m.uncompressed)} | {len(m.resources)} "
              f"| {len(waited)} requests, {mb(sum(r.served for r in waited))} MB "
              f"| {max(r.end for r in waited):.0f} |")

    print("\n### What the first screen waited for\n")
    print("Requests started before the first screen was complete, per group: "
          "count · kB served / kB uncompressed.\n")
    print("| page | " + " | ".join(GROUPS) + " |")
    print("|---|" + "--:|" * len(GROUPS))
    for path, m in median_load.items():
        cells = []
        for group in GROUPS:
            members = [r for r in m.waited_for() if r.group == group]
            cells.append("–" if not members else
                         f"{len(members)} · {kb(sum(r.served for r in members))} / "
                         f"{kb(sum(r.uncompressed for r in members))}")
        print(f"| {path} | " + " | ".join(cells) + " |")

    print(f"\n### The {longest} longest requests before the first screen (requested to received)\n")
    print("Ms since navigation start: requested, sent (after waiting for a free connection), "
          "received; 'blocking': the browser held rendering for it.\n")
    print("| page | request | group | requested | sent | received | kB served | kB uncompressed "
          "| blocking |")
    print("|---|---|---|--:|--:|--:|--:|--:|---|")
    for path, m in median_load.items():
        slowest = sorted(m.waited_for(), key=lambda r: r.end - r.start, reverse=True)
        for r in slowest[:longest]:
            print(f"| {path} | {short(r.url)} | {r.group} | {r.start:.0f} | {r.sent:.0f} "
                  f"| {r.end:.0f} "
                  f"| {kb(r.served)} | {kb(r.uncompressed)} | {'yes' if r.blocking else ''} |")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, default=ROOT / "_build" / "html",
                        help="the built book to serve (default: _build/html)")
    parser.add_argument("--repeat", type=int, default=3, help="fresh loads per page")
    parser.add_argument("--longest", type=int, default=5,
                        help="how many of the longest requests to list per page")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error(f"--repeat must be at least 1, got {args.repeat}")
    html = args.html.resolve()
    _, test_pages = browser_test_modules()
    with served_book(parser, html) as (base, browser, pages):
        loads: dict[str, list[Load]] = {p: [] for p in pages}
        print(f"{html}, served gzip-compressed from 127.0.0.1; Chromium {browser.version}, "
              f"{os.cpu_count()} CPU(s), load average {os.getloadavg()[0]:.1f} "
              "(other work on the machine slows the timings)", flush=True)
        print(f"{len(pages)} pages, {args.repeat} fresh loads each (after one unmeasured round), "
              f"window {WINDOW['width']}x{WINDOW['height']}", flush=True)
        # round by round, so that a busy spell of the machine is shared between the pages
        for round_ in range(args.repeat + 1):
            for path in pages:
                run = load(browser, base + path, test_pages.FIRST_SCREEN, test_pages.ALL_WIDGETS)
                print(f"  {'warm-up' if round_ == 0 else f'round {round_}'}: {path} "
                      f"{run.first_screen_ms:.0f} ms", file=sys.stderr, flush=True)
                if round_:
                    loads[path].append(run)
    print_tables(loads, args.longest)


if __name__ == "__main__":
    main()
