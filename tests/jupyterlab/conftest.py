"""A real JupyterLab (started by the tests) and headless Chromium to read the chapters in it.

Without Chromium, Playwright or JupyterLab the tests are skipped, except in
CI (``CI=true``), where they fail instead (as the browser tests of the
built book do, ``tests/browser/conftest.py``).
"""
from __future__ import annotations

import importlib.util

import pytest

from tests.browser.conftest import unavailable

from .lab import LabServer, jupyter_command


@pytest.fixture(scope="session")
def lab_browser(chromium):
    """Headless Chromium (``tests/conftest.py``: one for every browser test of the session)."""
    if not jupyter_command().is_file() or importlib.util.find_spec("jupyterlab") is None:
        unavailable("jupyterlab is not installed (pip install -r requirements.txt)")
    return chromium


@pytest.fixture(scope="module")
def lab(lab_browser):
    """``jupyter lab`` on a temporary copy of the chapters, for one test module."""
    server = LabServer()
    yield server
    server.stop()
