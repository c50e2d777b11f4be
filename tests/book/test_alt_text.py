"""Every picture of the book has a text alternative.

A figure made by a code cell gets its alt text from the cell's metadata,
``{"mystnb": {"image": {"alt": "..."}}}`` (myst-nb's cell-level image
options), which myst-nb writes into the ``alt`` attribute of the ``<img>``.
An image in markdown needs ``![alt](path)`` with a non-empty alt, or an
``:alt:`` option on a ``{figure}``/``{image}`` directive. No build needed.
"""
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
MARKDOWN_FILES = [ROOT / "index.md", *sorted((ROOT / "chapters").glob("*.md"))]
MIN_ALT_LENGTH = 40


def figure_cells(nb):
    """The code cells of a notebook with an image/png output."""
    return [c for c in nb["cells"] if c["cell_type"] == "code"
            and any("image/png" in o.get("data", {}) for o in c.get("outputs", []))]


def cell_alt(cell):
    """The alt text myst-nb uses for a cell's image outputs, or None."""
    image = cell.get("metadata", {}).get("mystnb", {}).get("image", {})
    alt = image.get("alt") if isinstance(image, dict) else None
    return alt if isinstance(alt, str) else None


def all_figures():
    """(label, alt) for every figure cell of every chapter."""
    figures = []
    for path in CHAPTERS:
        nb = json.loads(path.read_text(encoding="utf-8"))
        for index, cell in enumerate(figure_cells(nb)):
            label = f"{path.name} cell {cell.get('id', '?')} (figure {index + 1})"
            figures.append((label, cell_alt(cell)))
    return figures


MD_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)]*)\)")
HTML_IMG = re.compile(r"<img\b[^>]*>", re.I)
DIRECTIVE = re.compile(r"^\s*(`{3,}|:{3,})\s*\{(figure|image)\}\s*(\S*)", re.M)


def images_without_alt(text):
    """Descriptions of the images in MyST markdown `text` that have no alt text."""
    missing = []
    for m in MD_IMAGE.finditer(text):
        if not m.group(1).strip():
            missing.append(f"![]({m.group(2)})")
    for m in HTML_IMG.finditer(text):
        alt = re.search(r"""\balt\s*=\s*(["'])(.*?)\1""", m.group(0), re.I | re.S)
        if not alt or not alt.group(2).strip():
            missing.append(m.group(0))
    lines = text.splitlines()
    for m in DIRECTIVE.finditer(text):
        start = text.count("\n", 0, m.start()) + 1
        options = []
        for line in lines[start:]:
            if not re.match(r"^\s*:[\w-]+:", line):
                break
            options.append(line.strip())
        alt = [o for o in options if o.startswith(":alt:")]
        if not alt or not alt[0][len(":alt:"):].strip():
            missing.append(f"{{{m.group(2)}}} {m.group(3)}")
    return missing


def markdown_sources():
    """(label, text) of every markdown cell of the chapters and of the .md pages."""
    sources = [(p.name, p.read_text(encoding="utf-8")) for p in MARKDOWN_FILES if p.exists()]
    for path in CHAPTERS:
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            if cell["cell_type"] == "markdown":
                sources.append((f"{path.name} cell {cell.get('id', '?')}", "".join(cell["source"])))
    return sources


def test_the_chapters_have_figures():
    assert len(all_figures()) >= 30, "fewer figures than expected: is the image detection broken?"


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_every_figure_has_alt_text(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in figure_cells(nb):
        alt = cell_alt(cell)
        where = f"{path.name} cell {cell.get('id', '?')}"
        assert alt is not None, f"{where} shows a figure but has no metadata mystnb.image.alt"
        assert len(alt.strip()) >= MIN_ALT_LENGTH, (
            f"{where}: alt text {alt!r} is too short to say what the figure shows")
        assert alt == alt.strip() and "\n" not in alt, f"{where}: alt text should be one line"


def test_alt_texts_are_distinct():
    seen = {}
    for label, alt in all_figures():
        if alt is None:
            continue
        key = " ".join(alt.lower().split())
        assert key not in seen, f"{label} has the same alt text as {seen[key]}"
        seen[key] = label


def test_markdown_images_have_alt_text():
    missing = [f"{label}: {image}" for label, text in markdown_sources()
               for image in images_without_alt(text)]
    assert not missing, "images without alt text:\n" + "\n".join(missing)


# The checks above must be able to fail.

def test_cell_alt_reads_only_the_mystnb_key():
    assert cell_alt({"metadata": {}}) is None
    assert cell_alt({"metadata": {"mystnb": {"image": {"width": "50%"}}}}) is None
    assert cell_alt({"metadata": {"render": {"image": {"alt": "x" * 50}}}}) is None
    assert cell_alt({"metadata": {"mystnb": {"image": {"alt": "a plot"}}}}) == "a plot"


@pytest.mark.parametrize("text, count", [
    ("![](fig.png)", 1),
    ("![  ](fig.png)", 1),
    ("![A 3 x 3 kernel](fig.png)", 0),
    ('<img src="a.png">', 1),
    ('<img src="a.png" alt="">', 1),
    ('<img src="a.png" alt="the kernel">', 0),
    ("```{figure} a.png\n:width: 50%\n\nCaption\n```", 1),
    ("```{figure} a.png\n:alt:\n\nCaption\n```", 1),
    ("```{figure} a.png\n:width: 50%\n:alt: the kernel\n\nCaption\n```", 0),
    (":::{image} a.png\n:alt: the kernel\n:::", 0),
    (":::{image} a.png\n:::", 1),
], ids=["md-empty", "md-blank", "md-alt", "html-none", "html-empty", "html-alt", "figure-none",
        "figure-empty", "figure-alt", "image-alt", "image-none"])
def test_images_without_alt_finds_missing_alt(text, count):
    assert len(images_without_alt(text)) == count
