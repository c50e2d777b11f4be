"""Launch buttons only when they can work, and the Colab cell that makes Colab work.

Offline: the theme options that ``_ext/launch_buttons.py`` derives from
``repository.url``, the links sphinx-book-theme then makes from them, the
script that sets the URL, and each chapter's Colab cell run with a stand-in
for Colab (nothing is installed).
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import types
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
import yaml
from sphinx.errors import ConfigError

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


def _theme_links(options, pagename="chapters/01_convolution"):
    """The launch links sphinx-book-theme builds for a notebook page with these options."""
    from sphinx_book_theme.header_buttons import update_context_with_repository_info
    from sphinx_book_theme.header_buttons.launch import add_launch_buttons

    config = _Mapping(html_theme_options=options, html_context={})
    app = SimpleNamespace(
        config=config, builder=SimpleNamespace(theme_options=options),
        env=SimpleNamespace(doc2path=lambda name: ROOT / f"{name}.ipynb",
                            metadata={pagename: {"kernelspec": {"name": "python3"}}}))
    update_context_with_repository_info(app)
    context = {**config.html_context, "pagename": pagename, "header_buttons": [],
               "sourcename": pagename + ".ipynb"}
    add_launch_buttons(app, pagename, "page.html", context, None)
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
