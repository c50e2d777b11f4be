"""A built book served from 127.0.0.1 and headless Chromium, as the browser tests have them.

Used by the scripts that read the built pages (``bench_pages.py``,
``shots_devices.py``): the server and the Chromium settings are the browser
tests' own (``tests/browser/conftest.py``), so the scripts see what the
tests see.
"""
from __future__ import annotations

import contextlib
import functools
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def browser_test_modules():
    """``tests.browser.conftest`` and ``tests.browser.test_pages`` (the page list, the loader)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from tests.browser import conftest, test_pages

    return conftest, test_pages


@contextlib.contextmanager
def served_book(parser, html: Path):
    """Yield ``(base_url, browser, pages)`` for the book built in ``html``.

    ``pages`` are the built pages of ``_toc.yml``; a page missing from
    ``html`` or a missing Chromium stops the script with a message saying what to do.
    """
    conftest, test_pages = browser_test_modules()
    html = html.resolve()
    pages = test_pages.toc_pages()
    missing = [p for p in pages if not (html / p).is_file()]
    if missing:
        parser.error(f"--html {html}: no built page for {', '.join(missing)} "
                     "(build the book: jupyter-book build . -W -n --keep-going)")
    if not Path(conftest.CHROMIUM).is_file():
        sys.exit(f"no Chromium at {conftest.CHROMIUM} (set $CHROMIUM)")
    from playwright.sync_api import sync_playwright

    server = conftest.BookServer(("127.0.0.1", 0),
                                 functools.partial(conftest.BookHandler, directory=str(html)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=conftest.CHROMIUM,
                                             args=conftest.CHROMIUM_ARGS)
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}/", browser, pages
        finally:
            browser.close()
    finally:
        playwright.stop()
        server.shutdown()
        server.server_close()
