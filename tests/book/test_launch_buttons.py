"""Launch buttons only when they can work, and the Colab cell that makes Colab work.

Offline: the theme options that ``_ext/launch_buttons.py`` derives from
``repository.url``, the links sphinx-book-theme then makes from them, the
script that sets the URL, and each chapter's Colab cell run with a stand-in
for Colab (nothing is installed).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import types
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
import yaml
from sphinx.errors import ConfigError, ExtensionError

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "_ext"))
sys.path.insert(0, str(ROOT / "scripts"))

import launch_buttons as lb  # noqa: E402
import set_repository_url as setter  # noqa: E402

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
REPO = "https://github.com/someone/cnn-book"
THEME = {"repository_url": "", "repository_branch": "main", "path_to_docs": "",
         "launch_buttons": {"notebook_interface": "jupyterlab",
                            "binderhub_url": "https://mybinder.org",
                            "colab_url": "https://colab.research.google.com"}}


def test_no_repository_means_no_launch_or_repository_button():
    options = lb.button_options(THEME)
    assert options["use_repository_button"] is False
    assert options["use_issues_button"] is False
    assert options["launch_buttons"] == {"notebook_interface": "jupyterlab"}


def test_a_repository_url_turns_every_button_on():
    options = lb.button_options({**THEME, "repository_url": REPO + ".git/"})
    assert options["repository_url"] == REPO
    assert options["use_repository_button"] and options["use_issues_button"]
    assert options["launch_buttons"]["binderhub_url"] == "https://mybinder.org"
    assert options["launch_buttons"]["colab_url"] == "https://colab.research.google.com"


@pytest.mark.parametrize("url", ["github.com/a/b", "https://gitlab.com/a/b",
                                 "https://github.com/a", "https://github.com/a/b/tree/main", 3])
def test_a_url_colab_cannot_open_is_refused(url):
    with pytest.raises(ConfigError, match=r"repository\.url .*https://github\.com/<owner>/<repo>"
                       if isinstance(url, str) else r"repository\.url .* must be a string"):
        lb.button_options({**THEME, "repository_url": url})


def _launch_context(options, pagename):
    """sphinx-book-theme's app and page context for a notebook page, its launch buttons added."""
    from sphinx_book_theme.header_buttons import update_context_with_repository_info
    from sphinx_book_theme.header_buttons.launch import add_launch_buttons

    config = _Mapping(html_theme_options=options, html_context={})
    app = SimpleNamespace(
        config=config, builder=SimpleNamespace(theme_options=options),
        env=SimpleNamespace(doc2path=lambda name: ROOT / f"{name}.ipynb",
                            metadata={pagename: {"kernelspec": {"name": "python3"}}}))
    update_context_with_repository_info(app)
    context = {**config.html_context, "pagename": pagename, "header_buttons": [],
               "sourcename": pagename + ".ipynb", "page_source_suffix": ".ipynb",
               "pathto": lambda name, resource=0: f"../{name}"}
    add_launch_buttons(app, pagename, "page.html", context, None)
    return app, context


def _theme_links(options, pagename="chapters/01_convolution"):
    """The launch links sphinx-book-theme builds for a notebook page with these options."""
    _, context = _launch_context(options, pagename)
    return [b["url"] for group in context["header_buttons"] for b in group["buttons"]]


class _Mapping:
    """A Sphinx config as the theme reads it: attributes and ``config["name"]``."""

    def __init__(self, **values):
        self.__dict__.update(values)

    def __getitem__(self, name):
        return getattr(self, name)


def test_the_theme_makes_binder_and_colab_links_to_the_chapter_from_the_url():
    urls = _theme_links(lb.button_options({**THEME, "repository_url": REPO}))
    assert urls == [
        "https://mybinder.org/v2/gh/someone/cnn-book/main"
        "?urlpath=lab/tree/chapters/01_convolution.ipynb",
        "https://colab.research.google.com/github/someone/cnn-book/blob/main/"
        "chapters/01_convolution.ipynb"]
    assert _theme_links(lb.button_options(THEME)) == []


def test_the_book_and_its_chapters_name_the_same_repository():
    repository = CONFIG["repository"]
    url = lb.check_repository_url(repository["url"])
    assert lb.chapters_out_of_step(ROOT, url, repository["branch"]) == []
    assert len(CHAPTERS) >= 7


def _run_colab_cell(source, monkeypatch, in_colab):
    """Run a Colab cell; return the commands it ran and whether it enabled the widget manager."""
    ran, enabled = [], []
    monkeypatch.setattr(subprocess, "run", lambda cmd, check: ran.append((cmd, check)))
    if in_colab:
        colab = types.ModuleType("google.colab")
        colab.output = SimpleNamespace(enable_custom_widget_manager=lambda: enabled.append(True))
        google = types.ModuleType("google")
        google.colab = colab
        monkeypatch.setitem(sys.modules, "google", google)
        monkeypatch.setitem(sys.modules, "google.colab", colab)
    else:
        monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    exec(compile(source, "<colab cell>", "exec"), {})
    return ran, enabled


def test_in_colab_the_cell_installs_cnnedu_from_the_repository(monkeypatch):
    ran, enabled = _run_colab_cell(lb.colab_cell_source(REPO, "dev"), monkeypatch, True)
    assert ran == [([sys.executable, "-m", "pip", "install", "--quiet",
                     f"cnnedu[widgets] @ git+{REPO}@dev"], True)]
    assert enabled == [True]


def test_anywhere_else_the_cell_does_nothing(monkeypatch):
    assert _run_colab_cell(lb.colab_cell_source(REPO), monkeypatch, False) == ([], [])
    assert _run_colab_cell(lb.colab_cell_source(""), monkeypatch, False) == ([], [])


def test_in_colab_without_a_repository_the_cell_says_so(monkeypatch):
    with pytest.raises(RuntimeError,
                       match="names no repository to install cnnedu from: set REPOSITORY"):
        _run_colab_cell(lb.colab_cell_source(""), monkeypatch, True)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_each_chapter_opens_with_its_colab_cell(chapter, monkeypatch):
    nb = nbformat.read(chapter, as_version=4)
    cell = lb.first_code_cell(nb)
    assert lb.COLAB_CELL_TAG in cell.metadata.get("tags", [])
    assert lb.colab_cell_repository(cell.source) == (
        lb.check_repository_url(CONFIG["repository"]["url"]), CONFIG["repository"]["branch"])
    assert cell.outputs == []
    assert _run_colab_cell(cell.source, monkeypatch, False) == ([], [])


def test_the_script_sets_the_url_in_the_config_and_every_chapter(tmp_path):
    config = (ROOT / "_config.yml").read_text(encoding="utf-8")
    changed = setter.set_config(config, REPO, "dev")
    parsed = yaml.safe_load(changed)
    assert parsed["repository"] == {**CONFIG["repository"], "url": REPO, "branch": "dev"}
    assert {k: v for k, v in parsed.items() if k != "repository"} == {
        k: v for k, v in CONFIG.items() if k != "repository"}
    assert yaml.safe_load(setter.set_config(changed, "", "main")) == CONFIG

    chapter = tmp_path / "chapter.ipynb"
    shutil.copy(CHAPTERS[1], chapter)
    setter.set_chapter(chapter, "", "main")                 # as the chapters are
    before = nbformat.read(chapter, as_version=4)
    assert setter.set_chapter(chapter, REPO, "dev") is True
    after = nbformat.read(chapter, as_version=4)
    assert lb.first_code_cell(after).source == lb.colab_cell_source(REPO, "dev")
    assert len(after.cells) == len(before.cells)            # replaced in place, not added
    assert [c.source for c in after.cells if "REPOSITORY" not in c.source] == [
        c.source for c in before.cells if "REPOSITORY" not in c.source]
    assert setter.set_chapter(chapter, REPO, "dev") is False
    # a chapter without the cell gets one, before its first code cell
    first = next(i for i, c in enumerate(after.cells) if c.cell_type == "code")
    del after.cells[first]
    nbformat.write(after, chapter)
    assert setter.set_chapter(chapter, "", "main") is True
    again = nbformat.read(chapter, as_version=4)
    assert len(again.cells) == len(before.cells)
    assert again.cells[first].source == lb.colab_cell_source("", "main")
    assert again.cells[first].metadata["tags"] == [lb.COLAB_CELL_TAG]


def test_the_build_stops_when_a_chapter_names_another_repository(tmp_path):
    (tmp_path / "chapters").mkdir()
    for path in CHAPTERS[:2]:
        shutil.copy(path, tmp_path / "chapters" / path.name)
    app = SimpleNamespace(srcdir=str(tmp_path))

    def configure(url):
        config = SimpleNamespace(html_theme_options={**THEME, "repository_url": url})
        lb.configure_buttons(app, config)
        return config.html_theme_options

    assert configure("")["use_repository_button"] is False
    with pytest.raises(ConfigError, match=r"01_convolution\.ipynb does not name repository\.url "
                                          r"'https://github\.com/someone/cnn-book'; run "
                                          r"scripts/set_repository_url\.py"):
        configure(REPO)
    for path in (tmp_path / "chapters").glob("*.ipynb"):
        setter.set_chapter(path, REPO, "main")
    assert configure(REPO)["launch_buttons"]["colab_url"] == "https://colab.research.google.com"


# ----------------------------------------------- the chapters in the browser (JupyterLite)

def test_every_chapter_gets_a_run_in_your_browser_link_relative_to_its_page():
    assert lb.browser_notebook_url("chapters/02_pooling") == (
        "../lite/notebooks/index.html?path=02_pooling.ipynb")
    for page in ("index", "glossary", "bibliography", "notation"):
        assert lb.browser_notebook_url(page) is None
        assert lb.browser_button(page) is None
    button = lb.browser_button("chapters/06_complete_cnn")
    assert button["text"] == "Run this chapter in your browser"
    assert "opened as a file cannot run it" in button["tooltip"]


def _header_buttons(options, pagename="chapters/01_convolution"):
    """The header buttons sphinx-book-theme makes for a notebook page, then ours."""
    from sphinx_book_theme.header_buttons import add_header_buttons

    app, context = _launch_context(options, pagename)
    add_header_buttons(app, pagename, "page.html", context, None)
    lb.add_browser_button(context["header_buttons"], pagename)
    return context["header_buttons"]


def test_the_browser_button_opens_the_launch_menu_next_to_the_download_menu():
    # no repository: a launch menu of its own, just before the download menu
    buttons = _header_buttons({**lb.button_options(THEME), "use_download_button": True})
    labels = [b.get("label") for b in buttons]
    assert labels.index("launch-buttons") == labels.index("download-buttons") - 1
    launch = buttons[labels.index("launch-buttons")]["buttons"]
    assert [b["url"] for b in launch] == [
        "../lite/notebooks/index.html?path=01_convolution.ipynb"]
    # a repository: first in the theme's launch menu, before Binder and Colab
    buttons = _header_buttons({**lb.button_options({**THEME, "repository_url": REPO}),
                               "use_download_button": True})
    launch = [b for b in buttons if b.get("label") == "launch-buttons"]
    assert len(launch) == 1
    urls = [b["url"] for b in launch[0]["buttons"]]
    assert urls[0] == "../lite/notebooks/index.html?path=01_convolution.ipynb"
    assert [u.split("/")[2] for u in urls[1:]] == ["mybinder.org", "colab.research.google.com"]


import lite  # noqa: E402
from cnnedu_wheel import build_wheel  # noqa: E402

PYODIDE = ROOT / "assets" / "pyodide"


@pytest.fixture(scope="module")
def lite_site(tmp_path_factory):
    """A JupyterLite site built by ``_ext/lite.py`` into a stand-in for the book's output."""
    if not (PYODIDE / "pyodide.js").is_file():
        pytest.fail(f"no Pyodide in {PYODIDE} (scripts/vendor_pyodide.py re-creates it)")
    out = tmp_path_factory.mktemp("html")
    (out / "_static").mkdir()
    (out / "_static" / "pyodide").symlink_to(PYODIDE, target_is_directory=True)
    wheel = build_wheel(out / "_static" / "wheels")
    site = lite.build_site(out, ROOT, wheel, "_static/favicon.svg")
    return out, site, wheel


def test_the_lite_site_runs_the_books_pyodide_and_never_pypi(lite_site):
    out, site, _ = lite_site
    config = json.loads((site / "jupyter-lite.json").read_text())["jupyter-config-data"]
    kernel = config["litePluginSettings"][lite.KERNEL_PLUGIN]
    assert kernel["disablePyPIFallback"] is True
    # "./" is the site's folder: the book's _static/pyodide/, not a copy, and no CDN
    assert kernel["pyodideUrl"] == "./../_static/pyodide/pyodide.js"
    assert not (site / "static" / "pyodide").exists()
    # Pyodide reads the lock file relative to its own folder
    lock_url = kernel["loadPyodideOptions"]["lockFileURL"]
    assert Path(os.path.normpath(out / "_static" / "pyodide" / lock_url)) == (
        site / "pyodide-lock.json")
    assert kernel["loadPyodideOptions"]["packages"] == ["cnnedu", "ipywidgets"]
    assert config["settingsOverrides"]["@jupyterlab/notebook-extension:tracker"] == {
        "windowingMode": "none"}
    # the notebook's arrow-key shortcuts leave a focused slider in an output alone
    shortcuts = config["settingsOverrides"]["@jupyterlab/shortcuts-extension:shortcuts"][
        "shortcuts"]
    for command, key in lite.ARROW_COMMANDS:
        mine = [s for s in shortcuts if s["command"] == command and s["keys"] == [key]]
        assert [s.get("disabled", False) for s in mine] == [True, False]
        assert mine[0]["selector"] == lite.ARROW_SELECTOR
        assert mine[1]["selector"] == lite.ARROW_SELECTOR + ":not(.jp-OutputArea-output *)"
    # nothing in the site's configuration names another host
    text = (site / "jupyter-lite.json").read_text()
    assert not re.search(r"https?://", text)


def test_the_lite_lock_adds_the_cnnedu_wheel_and_the_widgets_with_their_sha256(lite_site):
    out, site, wheel = lite_site
    lock = json.loads((site / "pyodide-lock.json").read_text())
    official = json.loads((PYODIDE / "pyodide-lock.json").read_text())
    packages = lock["packages"]
    # the book's lock file, every entry unchanged, plus the wheels the kernel installs
    assert {k: v for k, v in packages.items() if k in official["packages"]} == (
        official["packages"])
    pyodide = out / "_static" / "pyodide"
    for name in ("cnnedu", "ipywidgets", "comm", "jupyterlab-widgets"):
        entry = packages[name]
        path = Path(os.path.normpath(pyodide / entry["file_name"]))
        assert path.is_file(), name
        assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest(), name
    assert packages["cnnedu"]["file_name"] == f"../wheels/{wheel.name}"
    assert packages["cnnedu"]["imports"] == ["cnnedu"]
    assert set(packages["cnnedu"]["depends"]) == {"numpy", "matplotlib", "pillow",
                                                  "threadpoolctl"}
    assert set(packages["ipywidgets"]["depends"]) == {"comm", "ipython", "traitlets",
                                                      "jupyterlab-widgets"}


def test_the_lite_site_holds_every_chapter_for_the_browsers_kernel(lite_site):
    _, site, _ = lite_site
    files = sorted(p.name for p in (site / "files").glob("*.ipynb"))
    assert files == [p.name for p in CHAPTERS]
    for chapter in CHAPTERS:
        source = nbformat.read(chapter, as_version=4)
        copy = nbformat.read(site / "files" / chapter.name, as_version=4)
        assert copy.metadata.kernelspec == lite.KERNELSPEC
        assert len(copy.cells) == len(source.cells)
        for a, b in zip(source.cells, copy.cells):
            if a.cell_type == "markdown":
                assert "{term}" not in b.source
                assert b.source == lite._TERM_ROLE.sub(lambda m: m["text"], a.source)
            else:
                assert a == b          # code cells, with their outputs, unchanged


def test_glossary_roles_become_their_text():
    notebook = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": [
        "A {term}`feature maps <feature map>` and a *{term}`pooling` layer*."]}],
        "metadata": {}}
    assert lite.lite_notebook(notebook)["cells"][0]["source"] == (
        "A feature maps and a *pooling layer*.")
    assert notebook["cells"][0]["source"][0].startswith("A {term}")   # the chapter is untouched


def test_the_lite_pages_use_the_books_icon(lite_site):
    _, site, _ = lite_site
    for page in ("index.html", "notebooks/index.html", "tree/index.html"):
        html = (site / page).read_text()
        depth = page.count("/") + 1
        assert f'<link rel="icon" href="{"../" * depth}_static/favicon.svg" />' in html, page


def test_a_package_the_kernel_needs_but_the_book_does_not_ship_stops_the_build(tmp_path):
    pyodide = tmp_path / "pyodide"
    shutil.copytree(PYODIDE, pyodide, ignore=shutil.ignore_patterns("threadpoolctl-*"))
    wheel = build_wheel(tmp_path / "wheels")
    with pytest.raises(ExtensionError, match=r"does not ship: threadpoolctl \(for cnnedu\)"):
        lite.lite_lock(pyodide, wheel)
    shutil.rmtree(pyodide / "pypi")
    with pytest.raises(ExtensionError, match=r"ipywidgets \(for the kernel\)"):
        lite.lite_lock(pyodide, wheel)
