"""The built book on a local server, and headless Chromium to read it.

The server serves ``_build/html`` on 127.0.0.1 (a free port) and, like the
host of the published book, gzip-compresses text files (HTML, JavaScript,
CSS, SVG, JSON) for a browser that accepts it. Chromium is the system's
(``/usr/bin/chromium``, or ``$CHROMIUM``), driven by Playwright.

Without ``_build/html`` (no book built yet) or Chromium the browser tests are
skipped, except in CI (``CI=true``), where they fail instead.
"""
from __future__ import annotations

import functools
import gzip
import http.server
import os
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 # the network is unreachable: no host name but the local server's resolves
                 # (the tests also log every request and fail on one to another host)
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]
IN_CI = os.environ.get("CI", "").lower() == "true"
COMPRESSED = {".html", ".js", ".css", ".svg", ".json", ".txt", ".map"}


def unavailable(reason: str):
    """Skip outside CI; in CI a browser test that cannot run is a failure."""
    if IN_CI:
        pytest.fail(f"{reason}; CI must run the browser tests", pytrace=False)
    pytest.skip(reason)


class BookHandler(http.server.SimpleHTTPRequestHandler):
    """Static files, text ones gzip-compressed when the browser accepts it."""

    _gzipped: dict = {}
    _lock = threading.Lock()

    def log_message(self, format, *args):  # quiet
        pass

    def do_GET(self):
        path = Path(self.translate_path(self.path))
        if (path.is_file() and path.suffix in COMPRESSED
                and "gzip" in self.headers.get("Accept-Encoding", "")):
            key = (path, path.stat().st_mtime_ns)
            with self._lock:
                body = self._gzipped.get(key)
                if body is None:
                    body = self._gzipped[key] = gzip.compress(path.read_bytes(), 6)
            self.send_response(200)
            self.send_header("Content-Type", self.guess_type(str(path)))
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()


class BookServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # a page closed while it was still loading: not an error of the book
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


@pytest.fixture(scope="session")
def book_url():
    """The base URL of the built book, served on 127.0.0.1 for the test session."""
    if not (HTML / "index.html").is_file():
        unavailable(f"no built book at {HTML} (run: jupyter-book build . -W -n --keep-going)")
    yield from serve(BookHandler)


def serve(handler):
    """Serve the built book on 127.0.0.1 with ``handler`` (a ``BookHandler`` class): yield its
    base URL, then stop the server (for a fixture to ``yield from``)."""
    server = BookServer(("127.0.0.1", 0), functools.partial(handler, directory=str(HTML)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser(chromium):
    """Headless Chromium (``tests/conftest.py``: one for every browser test of the session)."""
    return chromium


@pytest.fixture(scope="module")
def report(request):
    """Lines of measurements a test module reports, written at its end to the file its
    ``REPORT`` names (``.ci/run`` prints them)."""
    lines: list[str] = []
    yield lines
    if lines:
        path = request.module.REPORT
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n")
