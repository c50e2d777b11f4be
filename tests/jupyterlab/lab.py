"""A real JupyterLab on the chapters, and what a reader does in it, for Playwright.

:class:`LabServer` starts ``jupyter lab`` as the README does
(``.venv/bin/jupyter lab chapters/``), but isolated: on 127.0.0.1 and a free
port, with a token, without a browser, on a temporary copy of ``chapters/``,
with its settings, workspaces, configuration and runtime files in a
temporary folder (nothing of the user's JupyterLab is read or written). Its
settings turn off the news and update checks and render every cell of a
notebook, not only those on screen (``windowingMode: none``), so that a test
sees all of a chapter. The kernel is the environment's ``python3`` with one
BLAS thread.

The page helpers drive JupyterLab through its application object
(``window.jupyterapp``, exposed with ``--LabApp.expose_app_in_browser``):
open a notebook and wait for its kernel, run all cells and wait until every
code cell has run, and read the pictures of the explorers.

Used by ``tests/jupyterlab`` and ``benchmarks/bench_jupyterlab.py``.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = ROOT / "chapters"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
START_TIMEOUT = 60.0

# JupyterLab's user settings for the test server: no news or update checks (no
# network, no pop-up over the notebook) and every cell rendered.
SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
        {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def jupyter_command() -> Path:
    """The ``jupyter`` of the environment running this Python (the README's ``.venv``)."""
    return Path(sys.executable).parent / "jupyter"


class LabServer:
    """``jupyter lab`` on a temporary copy of ``chapters/``.

    Parameters
    ----------
    chapters : Path
        The folder to copy (its files only, notebooks and their companions).

    Attributes
    ----------
    base : str
        ``http://127.0.0.1:<port>``.
    token : str
    root : Path
        The copy of the chapters the server serves.
    """

    def __init__(self, chapters: Path = CHAPTERS):
        self.tmp = Path(tempfile.mkdtemp(prefix="cnnedu-lab-"))
        self.root = self.tmp / "chapters"
        self.root.mkdir()
        for path in Path(chapters).iterdir():
            if path.is_file():
                shutil.copy2(path, self.root / path.name)
        for name, values in SETTINGS.items():
            target = self.tmp / "settings" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(values))
        self.token = os.urandom(12).hex()
        port = _free_port()
        self.base = f"http://127.0.0.1:{port}"
        env = dict(os.environ, JUPYTER_CONFIG_DIR=str(self.tmp / "config"),
                   JUPYTER_RUNTIME_DIR=str(self.tmp / "runtime"), JUPYTER_PLATFORM_DIRS="1",
                   IPYTHONDIR=str(self.tmp / "ipython"), OMP_NUM_THREADS="1",
                   OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
        command = [str(jupyter_command()), "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
                   f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
                   f"--IdentityProvider.token={self.token}",
                   f"--ServerApp.root_dir={self.root}",
                   f"--LabApp.user_settings_dir={self.tmp / 'settings'}",
                   f"--LabApp.workspaces_dir={self.tmp / 'workspaces'}",
                   "--LabApp.extension_manager=readonly",
                   "--LabApp.expose_app_in_browser=True"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.append("--allow-root")
        self.log_path = self.tmp / "jupyterlab.log"
        self._log = open(self.log_path, "w")
        self.process = subprocess.Popen(command, env=env, stdout=self._log,
                                        stderr=subprocess.STDOUT)
        try:
            self._wait_ready()
        except Exception:
            self.stop()
            raise

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"jupyter lab exited ({self.process.returncode}):\n"
                                   f"{self.log_path.read_text()[-3000:]}")
            try:
                urllib.request.urlopen(f"{self.base}/api/status?token={self.token}", timeout=1)
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"jupyter lab did not answer within {START_TIMEOUT:.0f} s:\n"
                           f"{self.log_path.read_text()[-3000:]}")

    def url(self, notebook: str) -> str:
        """The address that opens ``notebook`` (a file name in the copy) alone in JupyterLab.

        Each page gets a workspace of its own, reset, so that it shows only that notebook.
        """
        self._pages = getattr(self, "_pages", 0) + 1
        return (f"{self.base}/lab/workspaces/page{self._pages}/tree/{notebook}"
                f"?reset&token={self.token}")

    def stop(self) -> None:
        """Stop the server (and its kernels) and remove the temporary folder."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


# ---------------------------------------------------------------- the page

NOTEBOOK = "window.jupyterapp.shell.currentWidget"

KERNEL_READY = f"""() => {{
  const app = window.jupyterapp, nb = app && {NOTEBOOK};
  const kernel = nb && nb.sessionContext && nb.sessionContext.session
                 && nb.sessionContext.session.kernel;
  return !!(kernel && kernel.connectionStatus === 'connected' && kernel.status === 'idle'
            && nb.content && nb.content.widgets.length);
}}"""

ALL_RUN = f"""() => {{
  const nb = {NOTEBOOK}, session = nb && nb.sessionContext.session;
  const cells = nb.content.widgets.filter(c => c.model.type === 'code');
  return !!(session && session.kernel) && session.kernel.status === 'idle'
         && nb.__cnneduRunAll === 'done'
         && cells.every(c => c.model.executionCount !== null);
}}"""

RUN_ALL = f"""async () => {{
  const nb = {NOTEBOOK};
  nb.__cnneduRunAll = 'running';
  await window.jupyterapp.commands.execute('notebook:run-all-cells');
  nb.__cnneduRunAll = 'done';
}}"""


def open_notebook(page, server: LabServer, notebook: str, timeout_ms: int = 90_000) -> None:
    """Open ``notebook`` in ``page`` and wait until its kernel is connected and idle."""
    page.goto(server.url(notebook))
    page.wait_for_selector(".jp-Notebook .jp-Cell", state="attached", timeout=timeout_ms)
    page.wait_for_function(KERNEL_READY, timeout=timeout_ms, polling=200)


def run_all(page, timeout_ms: int = 300_000) -> None:
    """Run every cell of the open notebook and wait until all have run and the kernel is idle."""
    page.evaluate(RUN_ALL)
    page.wait_for_function(ALL_RUN, timeout=timeout_ms, polling=200)


def shut_down(page) -> None:
    """Shut the open notebook's kernel down (its memory back before the next chapter)."""
    page.evaluate(f"async () => {{ await {NOTEBOOK}.sessionContext.shutdown(); }}")


WIDGET_COUNT = """async () => {
  const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  const reply = await kernel.requestExecute({code: '', silent: true, store_history: false,
    user_expressions: {n: 'len(__import__("ipywidgets").widgets.widget._instances)'}}).done;
  const n = reply.content.user_expressions.n;
  return n.status === 'ok' ? Number(n.data['text/plain']) : `${n.ename}: ${n.evalue}`;
}"""


def kernel_widget_count(page) -> int:
    """How many widgets the open notebook's kernel holds (ipywidgets' registry of open ones).

    Asked with a silent request, which runs no cell.
    """
    count = page.evaluate(WIDGET_COUNT)
    assert isinstance(count, (int, float)), f"the kernel could not count its widgets: {count}"
    return int(count)


def error_outputs(page) -> list[str]:
    """The text of every error output (a traceback) of the open notebook."""
    return page.eval_on_selector_all(
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr'],"
        ".jp-RenderedText[data-mime-type='application/vnd.jupyter.error']",
        "els => els.filter(e => e.closest('.jp-OutputArea-child'))"
        ".map(e => e.innerText.slice(0, 500))")


def broken_widgets(page) -> list[str]:
    """The text of every widget JupyterLab could not draw (its error view or message)."""
    return page.eval_on_selector_all(
        ".jupyter-widgets",
        "els => els.filter(e => /javascript error|model not found|Error displaying widget/i"
        ".test(e.innerText)).map(e => e.innerText.slice(0, 200))")


class Console:
    """The console messages of a page: ``errors`` (JavaScript errors and ``console.error``)."""

    def __init__(self, page):
        self.errors: list[str] = []
        page.on("console", self._message)
        page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))

    def _message(self, message) -> None:
        if message.type == "error":
            self.errors.append(message.text)


# every picture of a cell's explorers, as JupyterLab (or JupyterLite) shows them: the src
# of each visible <img> in a widget
PICTURES = """cell => Array.from(cell.querySelectorAll('.jp-OutputArea .widget-image'))
  .filter(img => img.offsetParent !== null).map(img => img.src)"""

# the bytes behind a picture's src (a blob: URL made by the widget), as a hex digest
IMAGE_DIGEST = """async src => {
  const bytes = await (await fetch(src)).arrayBuffer();
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return Array.from(new Uint8Array(digest)).map(b => b.toString(16).padStart(2, '0')).join('');
}"""
