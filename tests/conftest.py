"""The one headless Chromium that the browser tests of the built book
(``tests/browser``) and of JupyterLab (``tests/jupyterlab``) share: Playwright's
sync API runs one instance per process, so both suites use this session's."""
from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def chromium():
    """Headless Chromium (the system's; Playwright's own browsers are never downloaded)."""
    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, unavailable

    if not Path(CHROMIUM).is_file():
        unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright is not installed (pip install -r requirements.txt)")
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()
    playwright.stop()
