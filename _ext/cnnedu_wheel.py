"""The ``cnnedu`` wheel that Python in the reader's browser installs.

Pages that run Python in the browser (the in-browser notebooks of
``_ext/lite.py``, the live explorers of the chapter pages) install ``cnnedu``
from a wheel the book serves, built from this checkout while the book builds:
``pip wheel --no-deps --no-build-isolation`` of a copy of the package's
sources (``pyproject.toml``, ``README.md``, ``LICENSE``, ``cnnedu/``), so the
build leaves nothing behind in the checkout. It is built once per build and
lands in ``<outdir>/_static/wheels/``; every extension that needs it calls
:func:`cnnedu_wheel`. It is a pure-Python wheel (``py3-none-any``); its
dependencies (numpy, matplotlib, pillow, threadpoolctl) come from the
Pyodide distribution the book ships.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
#: what a wheel of the package is built from
SOURCES = ("pyproject.toml", "README.md", "LICENSE", "cnnedu")
#: where the wheel lands, under the HTML output folder
WHEELS = Path("_static") / "wheels"


def _ignore(folder, names):
    return [n for n in names if n in ("__pycache__", ".ipynb_checkpoints") or n.endswith(".pyc")]


def build_wheel(dest: Path, root: Path = ROOT) -> Path:
    """Build the ``cnnedu`` wheel from ``root`` into the folder ``dest``; return its path."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    for old in dest.glob("cnnedu-*.whl"):
        old.unlink()
    with tempfile.TemporaryDirectory(prefix="cnnedu-wheel-") as tmp:
        src = Path(tmp) / "src"
        src.mkdir()
        for name in SOURCES:
            path = root / name
            if path.is_dir():
                shutil.copytree(path, src / name, ignore=_ignore)
            elif path.is_file():
                shutil.copy2(path, src / name)
        done = subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
             "--no-cache-dir", "--disable-pip-version-check", "--quiet",
             "--wheel-dir", str(dest), str(src)],
            capture_output=True, text=True)
        if done.returncode != 0:
            raise ExtensionError(f"building the cnnedu wheel failed:\n{done.stdout}{done.stderr}")
    wheels = sorted(dest.glob("cnnedu-*-py3-none-any.whl"))
    if len(wheels) != 1:
        raise ExtensionError(f"expected one pure-Python cnnedu wheel in {dest}, found "
                             f"{[w.name for w in dest.iterdir()]}")
    return wheels[0]


def cnnedu_wheel(app) -> Path:
    """The ``cnnedu`` wheel of this build, in ``<outdir>/_static/wheels/`` (built on first call)."""
    wheel = getattr(app, "_cnnedu_wheel", None)
    if wheel is None or not wheel.is_file():
        wheel = build_wheel(Path(app.outdir) / WHEELS, Path(app.srcdir))
        logger.info(f"cnnedu wheel: {wheel.relative_to(app.outdir)} "
                    f"({wheel.stat().st_size:,} bytes)")
        app._cnnedu_wheel = wheel
    return wheel


def setup(app):
    return {"parallel_read_safe": True, "parallel_write_safe": True}
