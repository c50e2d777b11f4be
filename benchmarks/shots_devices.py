"""What a reader sees of each explorer on a phone (390 px) and on a desktop (1280 px).

Serves a built book from 127.0.0.1 with the browser tests' server
(``tests/browser/conftest.py``), opens every page of ``_toc.yml`` that has
widgets as the browser tests' phone (390 x 844, touch, 3 device pixels per
CSS pixel) and desktop (1280 x 800) do (``tests/browser/test_devices.py``),
and for each:

- saves a screenshot of every widget output (an explorer), one CSS pixel per
  pixel, as ``<out>/<chapter>_<n>_<width>.png`` (the page's sticky header is
  hidden while it is taken);
- prints a Markdown table, per page and width: how wide the page is, the
  shortest slider track, the controls that are usable and those disabled,
  and for each picture the scale it is shown at (shown / natural width) and
  whether it pans sideways.

Run it from the repository root, after a build::

    python benchmarks/shots_devices.py                       # _build/html -> _build/shots
    python benchmarks/shots_devices.py --out /tmp/shots --html /tmp/book
"""
from __future__ import annotations

import argparse
from pathlib import Path

from _served_book import browser_test_modules, served_book

ROOT = Path(__file__).resolve().parents[1]

HIDE_HEADER = ".bd-header, .bd-header-article, #pst-skip-link, #pst-back-to-top " \
              "{ display: none !important; }"

# Per widget output: its slider tracks, controls (usable or disabled) and pictures.
SUMMARY = """() => {
  const vw = document.documentElement.clientWidth;
  return {width: document.documentElement.scrollWidth, screen: vw,
          outputs: Array.from(document.querySelectorAll('.widget-subarea'), area => ({
    title: ((area.querySelector('.widget-html b') || {}).textContent || '').trim(),
    tracks: Array.from(area.querySelectorAll('.widget-hslider .noUi-target'),
                       t => Math.round(t.getBoundingClientRect().width)),
    usable: area.querySelectorAll('.widget-inline-hbox:not(.widget-html):not(.cnnedu-fixed), '
                                  + '.widget-toggle-buttons:not(.cnnedu-fixed)').length,
    disabled: area.querySelectorAll('.cnnedu-fixed').length,
    steps: area.querySelectorAll('.cnnedu-step').length / 2,
    pictures: Array.from(area.querySelectorAll('img.widget-image'))
      .filter(i => i.getClientRects().length && i.naturalWidth)
      .map(i => ({scale: i.getBoundingClientRect().width / i.naturalWidth,
                  natural: i.naturalWidth,
                  pans: i.closest('.cnnedu-overflows') !== null}))}))};
}"""


def browser_test_devices():
    """``tests.browser.test_devices`` (the phone and desktop the device tests use)."""
    from tests.browser import test_devices

    return test_devices


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, default=ROOT / "_build" / "html",
                        help="the built book to serve (default: _build/html)")
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "shots",
                        help="where the screenshots go (default: _build/shots)")
    args = parser.parse_args(argv)
    _, test_pages = browser_test_modules()
    test_devices = browser_test_devices()
    args.out.mkdir(parents=True, exist_ok=True)
    with served_book(parser, args.html) as (base, browser, pages):
        print("| page | width | page px | output | shortest track | controls usable / "
              "disabled | step buttons | pictures (scale, pans) |")
        print("|---|---|---|---|---|---|---|---|")
        for path in pages:
            for width, device in test_devices.DEVICES.items():
                visit = test_pages.load(browser, base + path, device)
                page = visit.page
                try:
                    if page.locator(test_pages.VIEW).count() == 0:
                        break
                    summary = page.evaluate(SUMMARY)
                    page.add_style_tag(content=HIDE_HEADER)
                    areas = page.locator(".widget-subarea")
                    stem = Path(path).stem
                    for n, output in enumerate(summary["outputs"]):
                        area = areas.nth(n)
                        area.scroll_into_view_if_needed()
                        page.wait_for_timeout(200)
                        area.screenshot(path=str(args.out / f"{stem}_{n}_{width}.png"),
                                        scale="css")
                        pictures = ", ".join(
                            f"{p['scale']:.2f}{' pans' if p['pans'] else ''}"
                            for p in output["pictures"]) or "-"
                        print(f"| {stem} | {width} | {summary['width']} | {n} "
                              f"{output['title'][:40]} | {min(output['tracks'], default='-')} | "
                              f"{output['usable']} / {output['disabled']} | "
                              f"{output['steps']:.0f} | {pictures} |", flush=True)
                finally:
                    visit.context.close()
    print(f"\nscreenshots in {args.out}")


if __name__ == "__main__":
    main()
