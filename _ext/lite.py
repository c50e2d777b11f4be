"""Every chapter as a live notebook in the reader's browser (JupyterLite), served by the book.

After the HTML build this extension builds a JupyterLite site into
``<outdir>/lite/`` with ``jupyter lite build`` (jupyterlite-core and
jupyterlite-pyodide-kernel, pinned in ``requirements.txt``):

- the apps ``notebooks`` (one notebook per browser tab) and ``tree`` (the
  list of chapters), with the JupyterLab extensions of this environment:
  the ipywidgets manager, the Pyodide kernel and jupyterlab-myst (MyST
  Markdown rendered);
- the chapters (``chapters/*.ipynb`` with their stored outputs) as its
  files. Two things change in these copies: the kernel is the browser's
  ("python", Pyodide), and a glossary role ``{term}`text <target>``` becomes
  its text, since the glossary is a page of the book that a single notebook
  cannot resolve;
- the Pyodide kernel runs the Pyodide the book already serves in
  ``_static/pyodide/`` (``pyodideUrl``), so its files are not shipped twice,
  and never falls back to PyPI (``disablePyPIFallback``): nothing is
  requested from any host but the book's own.

``cnnedu`` and ipywidgets are installed when the kernel starts, before the
first cell runs, as in a local JupyterLab. Pyodide loads them from
``lite/pyodide-lock.json``: the book's Pyodide lock file plus an entry for
the ``cnnedu`` wheel built from this checkout (``_ext/cnnedu_wheel.py``,
``_static/wheels/``) and for the PyPI wheels of ipywidgets and its kernel-side
dependencies in ``_static/pyodide/pypi/``, each with its sha256 (Pyodide
checks it) and its dependencies from the wheel's metadata.

Each chapter's page links to its notebook (``lite/notebooks/index.html?path=
<chapter>.ipynb``, a URL relative to the page, so the book can be served from
any path): the launch button "Run this chapter in your browser" of
``_ext/launch_buttons.py``.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from email.parser import Parser
from pathlib import Path

from sphinx.errors import ExtensionError
from sphinx.util import logging

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from cnnedu_wheel import cnnedu_wheel  # noqa: E402
from launch_buttons import LITE  # noqa: E402
from vendor_pyodide import needed_by, normalize  # noqa: E402

logger = logging.getLogger(__name__)

#: the JupyterLite apps built: one notebook per tab, and the list of chapters
APPS = ("notebooks", "tree")
#: the book's Pyodide (vendored in assets/pyodide/) under the HTML output
PYODIDE = Path("_static") / "pyodide"
#: the PyPI wheels the kernel needs besides Pyodide's own packages
PYPI = PYODIDE / "pypi"
#: the lock file the kernel's Pyodide loads (relative to the JupyterLite site)
LOCK = "pyodide-lock.json"
#: installed when the kernel starts
PRELOAD = ("cnnedu", "ipywidgets")
#: what the Pyodide kernel itself loads from the lock file when it starts
KERNEL_PACKAGES = ("micropip", "ssl", "sqlite3", "jedi", "ipython")
#: dependencies named by the wheels' metadata that the kernel does not need:
#: widgetsnbextension is the classic Notebook's front end of ipywidgets
NOT_NEEDED = {"widgetsnbextension"}
KERNEL_PLUGIN = "@jupyterlite/pyodide-kernel-extension:kernel"
#: the kernel of the browser, named in the notebooks' metadata
KERNELSPEC = {"name": "python", "display_name": "Python (Pyodide)", "language": "python"}

#: Where the notebook's arrow-key shortcuts apply: a focused cell in command
#: mode (JupyterLab's own selector), and, added here, not anything focused
#: inside an output, such as an explorer's slider. Otherwise the notebook
#: takes the arrow keys pressed on a slider (they moved the cell focus) and the
#: slider never sees them.
ARROW_SELECTOR = ".jp-Notebook.jp-mod-commandMode:not(.jp-mod-readWrite) :focus"
ARROW_COMMANDS = [("notebook:move-cursor-up", "ArrowUp"),
                  ("notebook:move-cursor-down", "ArrowDown"),
                  ("notebook:move-cursor-heading-above-or-collapse", "ArrowLeft"),
                  ("notebook:move-cursor-heading-below-or-expand", "ArrowRight")]


def arrow_shortcuts() -> list[dict]:
    """Each arrow-key shortcut of the notebook disabled, and again with outputs left out."""
    shortcuts = []
    for command, key in ARROW_COMMANDS:
        shortcuts.append({"command": command, "keys": [key], "selector": ARROW_SELECTOR,
                          "disabled": True})
        shortcuts.append({"command": command, "keys": [key],
                          "selector": ARROW_SELECTOR + ":not(.jp-OutputArea-output *)"})
    return shortcuts


#: The notebook's settings:
#: - every cell is on the page (by default only those in view are, and the
#:   others are drawn while scrolling), so that scrolling and the browser's
#:   search reach any of a chapter's cells and explorers;
#: - the arrow keys move a focused slider (see :data:`ARROW_SELECTOR`).
SETTINGS = {"@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
            "@jupyterlab/shortcuts-extension:shortcuts": {"shortcuts": arrow_shortcuts()}}

_TERM_ROLE = re.compile(r"\{term\}`(?P<text>[^`<]*?)\s*(?:<[^`>]*>)?`")
_REQUIREMENT_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def lite_notebook(notebook: dict) -> dict:
    """A chapter as the JupyterLite site holds it: the browser's kernel, glossary roles as text."""
    notebook = json.loads(json.dumps(notebook))
    notebook.setdefault("metadata", {})["kernelspec"] = dict(KERNELSPEC)
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") == "markdown":
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            cell["source"] = _TERM_ROLE.sub(lambda m: m["text"], source)
    return notebook


def wheel_entry(wheel: Path, file_name: str) -> dict:
    """A Pyodide lock-file entry for a pure-Python wheel, from the wheel's metadata.

    ``file_name`` is the wheel's URL relative to the Pyodide folder. The
    dependencies are the metadata's ``Requires-Dist`` without extras or
    environment markers.
    """
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
        metadata = Parser().parsestr(archive.read(metadata_name).decode("utf-8"))
    depends = []
    for requirement in metadata.get_all("Requires-Dist") or []:
        if ";" in requirement:  # an extra or a marker: not installed by default
            continue
        depends.append(normalize(_REQUIREMENT_NAME.match(requirement)[1]))
    imports = sorted({n.split("/")[0] for n in names
                      if n.count("/") == 1 and n.endswith("/__init__.py")})
    return {"name": metadata["Name"], "version": metadata["Version"], "file_name": file_name,
            "install_dir": "site", "sha256": hashlib.sha256(wheel.read_bytes()).hexdigest(),
            "package_type": "package", "imports": imports,
            "depends": [d for d in depends if d not in NOT_NEEDED]}


def lite_lock(pyodide: Path, cnnedu: Path) -> dict:
    """The book's Pyodide lock file with ``cnnedu`` and the PyPI wheels of ``pyodide/pypi/``."""
    lock_path = pyodide / "pyodide-lock.json"
    if not lock_path.is_file():
        raise ExtensionError(f"no Pyodide lock file at {lock_path}: the book's Pyodide "
                             "(assets/pyodide/) is missing")
    lock = json.loads(lock_path.read_text(encoding="utf-8"))
    packages = lock["packages"]
    wheels = [(w, f"pypi/{w.name}") for w in sorted((pyodide / "pypi").glob("*.whl"))]
    wheels.append((cnnedu, f"../{cnnedu.parent.name}/{cnnedu.name}"))
    for wheel, file_name in wheels:
        entry = wheel_entry(wheel, file_name)
        packages[normalize(entry["name"])] = entry
    # the preloaded packages, those the kernel loads when it starts, and their dependencies
    needed = needed_by(packages, (*PRELOAD, *KERNEL_PACKAGES))
    missing = sorted(f"{name} (for {why or 'the kernel'})" for name, why in needed.items()
                     if name not in packages
                     or not _shipped(pyodide, packages[name]["file_name"]))
    if missing:
        raise ExtensionError(
            f"the in-browser notebooks need packages the book's Pyodide does not ship: "
            f"{', '.join(missing)}; add them to assets/pyodide/ (its pyodide-lock.json, "
            f"or a PyPI wheel in assets/pyodide/pypi/)")
    return lock


def _shipped(pyodide: Path, file_name: str) -> bool:
    """Whether the book holds the file at ``file_name``, a URL relative to the Pyodide folder."""
    return Path(os.path.normpath(pyodide / file_name)).is_file()




def lite_config() -> dict:
    """The site's ``jupyter-lite.json`` (jupyter lite build adds the extensions and files)."""
    to_pyodide = "../" * len(PYODIDE.parts)
    return {
        "jupyter-lite-schema-version": 0,
        "jupyter-config-data": {
            "appName": "Convolutional Neural Networks, Interactively",
            "appUrl": "./tree",
            "litePluginSettings": {
                KERNEL_PLUGIN: {
                    # "./" URLs are relative to the site's folder: the book's Pyodide
                    "pyodideUrl": f"./../{PYODIDE.as_posix()}/pyodide.js",
                    "disablePyPIFallback": True,
                    # Pyodide reads these relative to its own folder
                    "loadPyodideOptions": {"lockFileURL": f"{to_pyodide}{LITE}/{LOCK}",
                                           "packages": list(PRELOAD)},
                },
            },
        },
    }


def add_favicon(site: Path, favicon: str) -> None:
    """Give each page of the site the book's icon (else the browser asks for /favicon.ico)."""
    for page in [site / "index.html", *(site / app / "index.html" for app in APPS)]:
        if not page.is_file():
            continue
        html = page.read_text(encoding="utf-8")
        if 'rel="icon"' in html:
            continue
        href = "../" * (len(page.relative_to(site).parts)) + favicon
        html = html.replace("</head>", f'    <link rel="icon" href="{href}" />\n  </head>', 1)
        page.write_text(html, encoding="utf-8")


def build_site(outdir: Path, srcdir: Path, cnnedu: Path, favicon: str | None = None) -> Path:
    """Build the JupyterLite site into ``outdir/lite`` from ``srcdir/chapters``; return its path."""
    outdir, srcdir = Path(outdir).resolve(), Path(srcdir).resolve()
    pyodide = outdir / PYODIDE
    if not (pyodide / "pyodide.js").is_file():
        raise ExtensionError(f"no Pyodide at {pyodide}: the book's Pyodide (assets/pyodide/, "
                             "copied to _static/pyodide/) is missing")
    lock = lite_lock(pyodide, cnnedu)
    site = outdir / LITE
    if site.exists():
        shutil.rmtree(site)
    with tempfile.TemporaryDirectory(prefix="cnnedu-lite-") as tmp:
        lite_dir, contents = Path(tmp) / "lite", Path(tmp) / "contents"
        lite_dir.mkdir()
        contents.mkdir()
        (lite_dir / "jupyter-lite.json").write_text(json.dumps(lite_config(), indent=2),
                                                    encoding="utf-8")
        (lite_dir / "overrides.json").write_text(json.dumps(SETTINGS, indent=2),
                                                 encoding="utf-8")
        for chapter in sorted((srcdir / "chapters").glob("*.ipynb")):
            notebook = json.loads(chapter.read_text(encoding="utf-8"))
            (contents / chapter.name).write_text(
                json.dumps(lite_notebook(notebook), indent=1, ensure_ascii=False) + "\n",
                encoding="utf-8")
        command = [sys.executable, "-m", "jupyterlite_core", "build", "--lite-dir", str(lite_dir),
                   "--output-dir", str(site), "--contents", str(contents),
                   "--no-sourcemaps", "--no-unused-shared-packages"]
        for app in APPS:
            command += ["--apps", app]
        done = subprocess.run(command, cwd=tmp, capture_output=True, text=True)
        if done.returncode != 0:
            raise ExtensionError(f"jupyter lite build failed:\n{done.stdout}{done.stderr}")
    (site / LOCK).write_text(json.dumps(lock, separators=(",", ":")), encoding="utf-8")
    if favicon:
        add_favicon(site, favicon)
    for stray in (".jupyterlite.doit.db",):
        (site / stray).unlink(missing_ok=True)
    return site


def build_lite(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    start = time.perf_counter()
    favicon = app.config.html_favicon
    favicon = f"_static/{Path(favicon).name}" if favicon else None
    site = build_site(Path(app.outdir), Path(app.srcdir), cnnedu_wheel(app), favicon)
    logger.info(f"in-browser notebooks: {site.relative_to(app.outdir)}/ built in "
                f"{time.perf_counter() - start:.1f} s")


def setup(app):
    app.connect("build-finished", build_lite)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
