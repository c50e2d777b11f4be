"""Checks of the glossary and the notation page, without building the book.

- every {term} role in the chapters and on the front page names a glossary
  entry (Sphinx matches glossary terms case-insensitively);
- the glossary is sorted and has no duplicate term;
- every {doc} link of the two pages names an existing page.
"""
import json
import re
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = ROOT / "glossary.md"
NOTATION = ROOT / "notation.md"
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))

ROLE = r"\{%s\}`([^`]+)`"


def role_targets(text, role):
    """Targets of the roles `{role}`text`` and `{role}`text <target>`` in text."""
    targets = []
    for inner in re.findall(ROLE % role, text):
        inner = " ".join(inner.split())
        m = re.fullmatch(r"(.*?)\s*<([^<>]+)>", inner)
        targets.append((m.group(2) if m else inner).strip())
    return targets


def glossary_entries():
    """The entries of the glossary directive, in source order, each a list of terms."""
    text = GLOSSARY.read_text(encoding="utf-8")
    m = re.search(r"^```\{glossary\}[ \t]*\n(.*?)^```[ \t]*$", text, flags=re.M | re.S)
    assert m, "glossary.md has no ```{glossary} directive"
    body = m.group(1)
    entries, previous = [], ""
    for line in body.splitlines():
        if line.startswith(":"):  # an option such as :sorted:
            continue
        if line and not line[0].isspace():
            if previous and not previous[0].isspace():
                entries[-1].append(line.strip())  # a further term of the same entry
            else:
                entries.append([line.strip()])
        previous = line
    return body, entries


def glossary_terms():
    return {term.lower() for entry in glossary_entries()[1] for term in entry}


def markdown_sources():
    """(name, text) of the front page and of every markdown cell of the chapters."""
    yield "index.md", (ROOT / "index.md").read_text(encoding="utf-8")
    for path in CHAPTERS:
        nb = json.loads(path.read_text(encoding="utf-8"))
        for i, cell in enumerate(nb["cells"]):
            if cell["cell_type"] == "markdown":
                yield f"{path.name} cell {i}", "".join(cell["source"])


def test_glossary_is_sorted_and_has_no_duplicates():
    body, entries = glossary_entries()
    assert ":sorted:" in body.split("\n\n")[0], "the glossary directive should have :sorted:"
    assert len(entries) >= 40, f"only {len(entries)} glossary entries"
    key = [unicodedata.normalize("NFD", entry[0].lower()) for entry in entries]
    assert key == sorted(key), "glossary.md lists its entries out of alphabetical order"
    terms = [term.lower() for entry in entries for term in entry]
    duplicates = sorted({t for t in terms if terms.count(t) > 1})
    assert not duplicates, f"glossary terms defined twice: {duplicates}"


def test_every_glossary_entry_says_where_it_is_explained():
    body, entries = glossary_entries()
    blocks = re.split(r"\n\s*\n", body.strip())
    definitions = [b for b in blocks if not b.startswith(":")]
    assert len(definitions) == len(entries)
    for entry, block in zip(entries, definitions):
        assert role_targets(block, "doc"), f"glossary entry {entry[0]!r} links to no chapter"


def test_every_term_role_names_a_glossary_entry():
    terms = glossary_terms()
    used, missing = 0, []
    for name, text in markdown_sources():
        for target in role_targets(text, "term"):
            used += 1
            if target.lower() not in terms:
                missing.append(f"{name}: {target!r}")
    assert used, "no {term} role in the chapters"
    assert not missing, "{term} roles without a glossary entry:\n" + "\n".join(missing)


@pytest.mark.parametrize("page", [NOTATION, GLOSSARY], ids=["notation", "glossary"])
def test_doc_links_name_existing_pages(page):
    targets = role_targets(page.read_text(encoding="utf-8"), "doc")
    assert targets, f"{page.name} has no {{doc}} link"
    for target in targets:
        base = ROOT if target.startswith("/") else page.parent
        stem = base / target.lstrip("/")
        assert any(stem.with_suffix(ext).exists() for ext in (".md", ".ipynb")), \
            f"{page.name} links to {target!r}, which does not exist"
