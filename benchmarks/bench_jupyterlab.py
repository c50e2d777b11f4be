"""How fast does an explorer answer a key press in JupyterLab?

Starts a real JupyterLab on a temporary copy of the chapters (the
JupyterLab tests' server, ``tests/jupyterlab/lab.py``), opens each chapter in
headless Chromium, runs it (*Run All*), and for every explorer takes its
main control, the first slider the reader can move, and measures:

- **key to picture**: a key press on the focused slider (ArrowRight, or
  ArrowLeft at the end of its range) to the moment the picture shown
  changes (a MutationObserver on the explorer's output sees a visible
  ``<img>`` with another ``src`` than before), in ms, over ``--presses`` presses, each
  after the previous one has settled (kernel idle, no change for 0.4 s).
  "flicker" counts the presses after which the picture changed more than
  once (another picture shown, then replaced);
- **lost presses**: ``--presses`` fast presses (0 to 30 ms apart, fixed
  seed) toward one end; once settled, the slider must show the value the
  keys put it at, and the picture must be the one the explorer shows for
  that value when it is reached slowly (its bytes compared, after one key
  back and one forward, each settled). "last key to final picture" is the
  time from the last of those presses to the last change of the picture
  (negative when the last presses hit the end of the slider's range and
  changed nothing).

Prints a Markdown table per explorer: chapter, cell, slider, median, min and
max key-to-picture ms, flicker, the fast burst's result and its last key to
final picture. Run it from the
repository root (it takes a few minutes; the machine should be otherwise
idle for numbers worth comparing)::

    python benchmarks/bench_jupyterlab.py
    python benchmarks/bench_jupyterlab.py --chapters 02_pooling 05_backpropagation --presses 10
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SETTLE_QUIET_MS = 400
SETTLE_TIMEOUT_MS = 15_000

# In-page helpers: the explorers of the notebook, their pictures, and a watch
# that records when the picture of one explorer changes.
SETUP = """() => {
  if (window.__bench) return;
  const cells = () => Array.from(document.querySelectorAll('.jp-CodeCell'));
  const visible = el => el.offsetParent !== null;
  window.__bench = {
    keyTime: null,
    lastMutation: 0,
    cells,
    picture(i) {
      return Array.from(cells()[i].querySelectorAll('.jp-OutputArea .widget-image'))
        .filter(visible).map(img => img.src).join(' ');
    },
    sliders(i) {
      return Array.from(cells()[i].querySelectorAll('.jp-OutputArea .widget-slider'))
        .filter(s => visible(s) && !s.classList.contains('mod-disabled')
                     && s.querySelector('.noUi-handle'));
    },
    explorers() {
      return cells().map((cell, i) => {
        const sliders = this.sliders(i);
        if (!sliders.length || !this.picture(i)) return null;
        return {cell: i, labels: sliders.map(s => {
          const label = s.querySelector('.widget-label');
          return label ? label.innerText : '';
        })};
      }).filter(x => x);
    },
    choose(i, k) { this.chosen = k; },
    handle(i) { return this.sliders(i)[this.chosen || 0].querySelector('.noUi-handle'); },
    state(i) {
      // the slider's own values (a log slider's are exponents), in steps from its minimum
      const ui = this.handle(i).closest('.noUi-target').noUiSlider, o = ui.options;
      const steps = v => Math.round((v - o.range.min) / o.step);
      return {value: steps(+ui.get()), min: 0, max: steps(o.range.max)};
    },
    watch(i) {
      if (this.observer) this.observer.disconnect();
      let last = this.picture(i);
      const changes = this.changes = [];
      this.lastMutation = performance.now();
      this.observer = new MutationObserver(() => {
        const now = performance.now();
        this.lastMutation = now;
        const p = this.picture(i);
        // a picture shown (not the moment between taking one away and showing the next)
        if (p && p !== last) { last = p; changes.push(now); }
      });
      this.observer.observe(cells()[i].querySelector('.jp-OutputArea'),
        {subtree: true, childList: true, attributes: true});
    },
    settled(quietMs) {
      const nb = window.jupyterapp.shell.currentWidget;
      return nb.sessionContext.session.kernel.status === 'idle'
             && performance.now() - this.lastMutation > quietMs
             && performance.now() - (this.keyTime || 0) > quietMs;
    },
    async digest(i) {
      const src = this.picture(i).split(' ')[0];
      const bytes = await (await fetch(src)).arrayBuffer();
      const d = await crypto.subtle.digest('SHA-256', bytes);
      return Array.from(new Uint8Array(d)).map(b => b.toString(16).padStart(2, '0')).join('');
    },
  };
  document.addEventListener('keydown', () => { window.__bench.keyTime = performance.now(); },
                            true);
}"""


def settle(page) -> None:
    page.wait_for_function(f"() => window.__bench.settled({SETTLE_QUIET_MS})",
                           timeout=SETTLE_TIMEOUT_MS, polling=50)


def direction(state: dict) -> str:
    return "ArrowRight" if state["value"] < state["max"] else "ArrowLeft"


def key_to_picture(page, cell: int, presses: int) -> tuple[list[float], int, int]:
    """``presses`` settled presses: (ms from key to first change, flickers, presses unanswered)."""
    times, flicker, unanswered = [], 0, 0
    handle = page.evaluate_handle(f"() => window.__bench.handle({cell})")
    for _ in range(presses):
        state = page.evaluate(f"() => window.__bench.state({cell})")
        page.evaluate(f"() => window.__bench.watch({cell})")
        handle.as_element().focus()
        page.keyboard.press(direction(state))
        settle(page)
        key, changes = page.evaluate("() => [window.__bench.keyTime, window.__bench.changes]")
        if not changes:
            unanswered += 1
            continue
        times.append(changes[0] - key)
        flicker += len(changes) > 1
    return times, flicker, unanswered


def burst(page, cell: int, presses: int, seed: int = 0) -> tuple[str, float]:
    """``presses`` keys 0-30 ms apart: ('ok' when slider and picture end where the keys put
    them, else what is wrong; ms from the last key to the last change of the picture)."""
    rng = random.Random(seed)
    state = page.evaluate(f"() => window.__bench.state({cell})")
    key = "ArrowRight" if state["max"] - state["value"] >= state["value"] - state["min"] \
        else "ArrowLeft"
    step = 1 if key == "ArrowRight" else -1
    expected = min(state["max"], max(state["min"], state["value"] + step * presses))
    handle = page.evaluate_handle(f"() => window.__bench.handle({cell})")
    page.evaluate(f"() => window.__bench.watch({cell})")
    handle.as_element().focus()
    for _ in range(presses):
        page.keyboard.press(key)
        time.sleep(rng.uniform(0, 0.030))
    settle(page)
    time.sleep(1.0)
    settle(page)
    last_key, changes = page.evaluate("() => [window.__bench.keyTime, window.__bench.changes]")
    final_ms = changes[-1] - last_key if changes else float("nan")
    shown = page.evaluate(f"() => window.__bench.state({cell})")["value"]
    picture = page.evaluate(f"() => window.__bench.digest({cell})")
    # the picture of that value, reached slowly: one key back, one forward, each settled
    back = "ArrowLeft" if key == "ArrowRight" else "ArrowRight"
    for k in (back, key):
        handle.as_element().focus()
        page.keyboard.press(k)
        settle(page)
    reference = page.evaluate(f"() => window.__bench.digest({cell})")
    problems = []
    if shown != expected:
        problems.append(f"slider at step {shown}, keys put it at step {expected}")
    if picture != reference:
        problems.append("picture not that of the slider's value")
    return ("ok" if not problems else "; ".join(problems)), final_ms


def bench_chapter(browser, server, chapter: str, presses: int) -> list[dict]:
    from tests.jupyterlab.lab import open_notebook, run_all, shut_down

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        open_notebook(page, server, chapter)
        run_all(page)
        page.evaluate(SETUP)
        rows = []
        for explorer in page.evaluate("() => window.__bench.explorers()"):
            cell = explorer["cell"]
            page.locator(".jp-CodeCell").nth(cell).scroll_into_view_if_needed()
            settle(page)
            # the main control: the first slider whose key press changes the picture
            for k, label in enumerate(explorer["labels"]):
                page.evaluate(f"() => window.__bench.choose({cell}, {k})")
                if key_to_picture(page, cell, 1)[0]:
                    break
            explorer["label"] = label
            times, flicker, unanswered = key_to_picture(page, cell, presses)
            result, final_ms = burst(page, cell, presses)
            rows.append({"chapter": chapter, "cell": cell, "slider": explorer["label"],
                         "times": times, "flicker": flicker, "unanswered": unanswered,
                         "burst": result, "final_ms": final_ms})
            print(f"  {chapter} cell {cell} {explorer['label']!r}: "
                  f"median {statistics.median(times) if times else float('nan'):.0f} ms, "
                  f"{result}", file=sys.stderr, flush=True)
        shut_down(page)
        return rows
    finally:
        page.close()


def table(rows: list[dict], presses: int) -> str:
    lines = [f"| chapter | cell | slider | median ms | min ms | max ms | flicker | "
             f"unanswered | {presses} fast presses | last key to final picture ms |",
             "|---|---:|---|---:|---:|---:|---:|---:|---|---:|"]
    for r in rows:
        t = r["times"]
        stats = (f"{statistics.median(t):.0f} | {min(t):.0f} | {max(t):.0f}" if t
                 else "- | - | -")
        lines.append(f"| {r['chapter']} | {r['cell']} | {r['slider']} | {stats} | "
                     f"{r['flicker']} | {r['unanswered']} | {r['burst']} | "
                     f"{r['final_ms']:.0f} |")
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chapters", nargs="*", help="chapter stems (default: every chapter)")
    parser.add_argument("--presses", type=int, default=20,
                        help="key presses per explorer, settled and fast (default 20)")
    args = parser.parse_args(argv)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from playwright.sync_api import sync_playwright

    from tests.jupyterlab.lab import CHAPTERS, CHROMIUM, CHROMIUM_ARGS, LabServer

    chapters = [f"{stem}.ipynb" for stem in args.chapters] if args.chapters else \
        sorted(p.name for p in CHAPTERS.glob("*.ipynb"))
    server = LabServer()
    rows = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for chapter in chapters:
                rows += bench_chapter(browser, server, chapter, args.presses)
            browser.close()
    finally:
        server.stop()
    print(table(rows, args.presses))
    every = [t for r in rows for t in r["times"]]
    if every:
        print(f"\nall explorers: median {statistics.median(every):.0f} ms over {len(every)} "
              f"presses; fast presses ok in {sum(r['burst'] == 'ok' for r in rows)} of "
              f"{len(rows)} explorers")


if __name__ == "__main__":
    main()
