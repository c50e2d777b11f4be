"""Launch buttons (Binder, Colab) and repository buttons only when they can work.

One setting turns them on: the repository URL in ``_config.yml``::

    repository:
      url: https://github.com/<owner>/<repo>   # "" for none
      branch: main

- ``url: ""`` (a copy of the book with no public repository): no Binder, no
  Colab, no repository or issues button. A launch button that opens a
  repository that does not exist would only show the reader an error.
- ``url:`` a public GitHub repository holding this book: the repository and
  issues buttons, and on every chapter the Binder and Colab buttons, which open
  the chapter's notebook from that repository on ``branch``. Binder installs
  ``requirements.txt`` (``cnnedu`` included); Colab has numpy and matplotlib,
  and each chapter's first code cell (:func:`colab_cell_source`) installs
  ``cnnedu`` with its ``widgets`` extra (ipywidgets 8, which the explorers need)
  from the same repository when it runs in Colab.

The chapters' Colab cells must name the repository the buttons open, so the
build fails if one does not; ``scripts/set_repository_url.py`` sets the URL in
``_config.yml`` and in every chapter at once.

Whatever the URL, every chapter also gets the launch button "Run this chapter
in your browser" (:func:`browser_button`), first in the launch menu next to the
download button: it opens the chapter as a live notebook that the book itself
serves (JupyterLite, built by ``_ext/lite.py``), with Python running in the
reader's browser. Its URL is relative to the page, so the book works from any
path; a page opened as a file cannot run it (WebAssembly needs http), and the
button's title says so.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from sphinx.errors import ConfigError

GITHUB_URL = re.compile(r"https://github\.com/[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+")
#: the tag that keeps the Colab cell out of the web page (it only acts in Colab)
COLAB_CELL_TAG = "remove-cell"
#: the line of the Colab cell that names the repository
_REPOSITORY_LINE = re.compile(r'^REPOSITORY = "(?P<url>[^"]*)"$', re.M)
_BRANCH_LINE = re.compile(r'^BRANCH = "(?P<branch>[^"]*)"$', re.M)


def check_repository_url(url) -> str:
    """The repository URL of ``_config.yml``: ``""`` or a GitHub repository URL."""
    if url is None:
        return ""
    if not isinstance(url, str):
        raise ConfigError(f"repository.url in _config.yml must be a string, got {url!r}")
    url = url.strip().removesuffix("/").removesuffix(".git")
    if url and not GITHUB_URL.fullmatch(url):
        raise ConfigError(
            f"repository.url in _config.yml is {url!r}; it must be '' (no launch or repository "
            f"buttons) or a GitHub repository, https://github.com/<owner>/<repo> (Colab opens "
            f"notebooks from GitHub only)")
    return url


def button_options(theme_options: dict) -> dict:
    """The theme options with the repository, issues and launch buttons on or off.

    They are on when ``repository_url`` names a GitHub repository and off when
    it is empty. ``launch_buttons`` keeps its other keys (``notebook_interface``).
    """
    options = dict(theme_options)
    url = check_repository_url(options.get("repository_url", ""))
    options["repository_url"] = url
    on = bool(url)
    options["use_repository_button"] = on
    options["use_issues_button"] = on
    launch = dict(options.get("launch_buttons") or {})
    if not on:
        for key in ("binderhub_url", "jupyterhub_url", "colab_url", "deepnote_url"):
            launch.pop(key, None)
    options["launch_buttons"] = launch
    return options


def colab_cell_source(url: str, branch: str = "main") -> str:
    """The first code cell of every chapter: in Colab, install ``cnnedu`` from the repository."""
    return f'''\
# In Google Colab (the launch button at the top of the web page), this cell
# installs the book's package, cnnedu, from the book's repository; anywhere
# else it does nothing.
import sys

REPOSITORY = "{url}"
BRANCH = "{branch}"
if "google.colab" in sys.modules:
    if not REPOSITORY:
        raise RuntimeError(
            "This copy of the book names no repository to install cnnedu "
            "from: set REPOSITORY above to the URL of a public Git "
            "repository holding the book, and run this cell again.")
    import subprocess

    # the explorers need ipywidgets 8 (the "widgets" extra)
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet",
                    f"cnnedu[widgets] @ git+{{REPOSITORY}}@{{BRANCH}}"], check=True)
    from google.colab import output

    output.enable_custom_widget_manager()  # the explorers are ipywidgets'''


def colab_cell_repository(source: str):
    """``(url, branch)`` named by a Colab cell's source, or None if it is not one."""
    url, branch = _REPOSITORY_LINE.search(source), _BRANCH_LINE.search(source)
    if url is None or branch is None:
        return None
    return url["url"], branch["branch"]


def first_code_cell(notebook: dict):
    return next((c for c in notebook.get("cells", []) if c.get("cell_type") == "code"), None)


def chapters_out_of_step(srcdir: Path, url: str, branch: str) -> list[str]:
    """The chapters whose first code cell is not the Colab cell for ``url`` and ``branch``."""
    expected = colab_cell_source(url, branch)
    bad = []
    for path in sorted((Path(srcdir) / "chapters").glob("*.ipynb")):
        cell = first_code_cell(json.loads(path.read_text(encoding="utf-8")))
        source = "".join(cell["source"]) if cell else ""
        if source != expected or COLAB_CELL_TAG not in cell.get("metadata", {}).get("tags", []):
            bad.append(path.name)
    return bad


#: the folder of the in-browser notebooks (JupyterLite) in the built book
LITE = "lite"
BROWSER_BUTTON_TEXT = "Run this chapter in your browser"
BROWSER_BUTTON_TOOLTIP = (
    "Open this chapter as a live notebook: Python runs in your browser, with nothing to "
    "install and no server. The book must be served over http(s); a page opened as a file "
    "cannot run it.")


def browser_notebook_url(pagename: str) -> str | None:
    """The URL of a chapter's in-browser notebook, relative to its page; None for other pages.

    >>> browser_notebook_url("chapters/01_convolution")
    '../lite/notebooks/index.html?path=01_convolution.ipynb'
    """
    folder, _, stem = pagename.rpartition("/")
    if folder != "chapters" or not stem:
        return None
    return f"../{LITE}/notebooks/index.html?path={stem}.ipynb"


def browser_button(pagename: str) -> dict | None:
    """The theme's launch-menu entry that opens a chapter in the browser (None for other pages)."""
    url = browser_notebook_url(pagename)
    if url is None:
        return None
    return {"type": "link", "text": BROWSER_BUTTON_TEXT, "tooltip": BROWSER_BUTTON_TOOLTIP,
            "icon": "fas fa-play", "url": url, "label": "browser-notebook-button"}


def add_browser_button(header_buttons: list, pagename: str) -> None:
    """Put the "run in your browser" entry first in the page's launch menu.

    The menu is the theme's (with Binder and Colab when the book names a
    repository), or a new one before the download menu.
    """
    button = browser_button(pagename)
    if button is None:
        return
    launch = next((b for b in header_buttons if b.get("label") == "launch-buttons"), None)
    if launch is None:
        launch = {"type": "group", "tooltip": "Launch interactive content",
                  "icon": "fas fa-rocket", "buttons": [], "label": "launch-buttons"}
        download = next((k for k, b in enumerate(header_buttons)
                         if b.get("label") == "download-buttons"), len(header_buttons))
        header_buttons.insert(download, launch)
    launch["buttons"].insert(0, button)


def _page_buttons(app, pagename, templatename, context, doctree) -> None:
    if "lite" in app.extensions and isinstance(context.get("header_buttons"), list):
        add_browser_button(context["header_buttons"], pagename)


def configure_buttons(app, config) -> None:
    options = button_options(config.html_theme_options)
    config.html_theme_options.update(options)
    bad = chapters_out_of_step(Path(app.srcdir), options["repository_url"],
                               options.get("repository_branch", "main"))
    if bad:
        raise ConfigError(
            f"the Colab cell (first code cell, tag {COLAB_CELL_TAG!r}) of {', '.join(bad)} does "
            f"not name repository.url {options['repository_url']!r}; run "
            f"scripts/set_repository_url.py to set the URL everywhere at once")


def setup(app):
    # after jupyter-book has put _config.yml's values into the Sphinx config
    app.connect("config-inited", configure_buttons, priority=900)
    # after the theme has made its header buttons (priority 501)
    app.connect("html-page-context", _page_buttons, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
