"""The exercise sections of the built pages: no check shown passing, solutions folded.

Under each exercise the page shows the reader's cell and the checker saying
"not written yet" or "not answered yet"; the reference solution and the
checker passing with it stay inside a closed "Show the solution" toggle
until the reader opens it. At a phone's width too.
"""
import re

import pytest

from .conftest import ROOT

CHAPTERS = sorted(p.stem for p in (ROOT / "chapters").glob("*.ipynb")
                  if "## Exercises" in p.read_text())

SHOWN = "el => el.checkVisibility({contentVisibilityAuto: true, visibilityProperty: true})"


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("stem", CHAPTERS)
def test_solutions_are_folded_and_no_check_is_shown_passing(browser, book_url, stem, width):
    context = browser.new_context(viewport={"width": width, "height": 844})
    page = context.new_page()
    try:
        page.goto(f"{book_url}chapters/{stem}.html", wait_until="load")
        outputs = page.locator(".cell_output pre")
        passing = [o for o in outputs.all() if re.search(r"all \d+ cases correct",
                                                         o.text_content())]
        todo = [o for o in outputs.all() if re.search(r"not (written|answered) yet",
                                                      o.text_content())]
        assert passing and len(todo) >= 6, (stem, len(passing), len(todo))
        assert not [o for o in passing if o.evaluate(SHOWN)], "a passing check is shown"
        assert all(o.evaluate(SHOWN) for o in todo), "a reader's check is hidden"
        # each passing check sits in a closed toggle that opens to show it
        toggles = page.locator("details.hide:has(.cell_output)")
        for k in range(toggles.count()):
            toggle = toggles.nth(k)
            summary = toggle.locator("summary")
            assert summary.inner_text().strip().startswith("Show the solution")
            summary.click()
            assert toggle.locator(".cell_output pre").evaluate(SHOWN)
            assert toggle.locator("summary").inner_text().strip().startswith("Hide the solution")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        context.close()
