"""Checks of the book's citations and bibliographies (no build needed).

The works the book cites live in references.bib. The text cites them with
sphinxcontrib-bibtex roles, {cite:t}`key` (textual) and {cite:p}`key`
(parenthetical). Each chapter ends with a "References" section holding a
bibliography of its own works. So that two chapters can both list a work,
every chapter uses its own key prefix: chapter n cites `chn-key` and its
bibliography directive has `:keyprefix: chn-` and
`:filter: docname in docnames` (the works cited in this chapter). Works a
chapter recommends without citing them are listed by key (without prefix)
in the body of that directive. The page bibliography.md lists every entry.
"""
import json
import re
from pathlib import Path

import pytest
from pybtex.database import parse_file

ROOT = Path(__file__).resolve().parents[2]
BIBFILE = ROOT / "references.bib"
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))
# Markdown pages of the book (citations there use keys without prefix and
# resolve to the bibliography page).
PAGES = sorted(p for p in ROOT.glob("*.md") if p.name not in {"README.md", "LICENSE-TEXT.md"})

CITE_ROLE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]*)`")
# one target of a role: optional {pre-text}, key, optional {post-text}
CITE_TARGET = re.compile(r"\s*(?:\{[^{}]*\})?\s*([^{}\s,]+)\s*(?:\{[^{}]*\})?\s*")
BIB_DIRECTIVE = re.compile(r"```\{bibliography\}[^\n]*\n(.*?)```", re.S)
# a plain-text reference list item: "- Surname, I." ...
PLAIN_REFERENCE = re.compile(r"^\s*- [A-Z][\w'-]+(?: [\w'-]+)*, [A-Z]\.", re.M)
# an author-year mention left as plain text: "Fukushima (1980)",
# "(Glorot and Bengio, 2010", "LeCun et al. (1989)", "Hubel & Wiesel (1959"
PLAIN_MENTION = re.compile(
    r"\b[A-Z][A-Za-z'-]*[a-z]"                               # a surname
    r"(?: et al\.|,?\s(?:and|&)\s[A-Z][A-Za-z'-]*[a-z])?"    # "et al." or a second surname
    r",?\s\(?(?:1[89]|20)\d\d[a-z]?\b[),;]"                 # the year
)

# The works the issue asks for: key, year, words of the title.
REQUIRED = {
    "lecun1989backprop": (1989, "Backpropagation applied to handwritten zip code recognition"),
    "lecun1998gradient": (1998, "Gradient-based learning applied to document recognition"),
    "krizhevsky2012imagenet": (2012, "classification with deep convolutional neural networks"),
    "dumoulin2016guide": (2016, "A guide to convolution arithmetic for deep learning"),
    "glorot2010understanding": (2010, "Understanding the difficulty of training deep feedforward"),
    "he2015delving": (2015, "Delving deep into rectifiers"),
    "kingma2015adam": (2015, "a method for stochastic optimization"),
    "srivastava2014dropout": (2014, "a simple way to prevent neural networks from overfitting"),
    "clevert2016fast": (2016, "exponential linear units"),
    "klambauer2017self": (2017, "Self-normalizing neural networks"),
    "lin2014network": (2014, "Network in network"),
}


def load_bib():
    return parse_file(str(BIBFILE), bib_format="bibtex").entries


def markdown_cells(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"]


def chapter_prefix(path):
    return f"ch{int(path.stem[:2])}-"


def cited_keys(text):
    """Every key cited in text, with its prefix if any."""
    keys = []
    for targets in CITE_ROLE.findall(text):
        for target in targets.split(","):
            m = CITE_TARGET.fullmatch(target)
            assert m, f"malformed citation target {target!r} in {targets!r}"
            keys.append(m.group(1))
    return keys


def bibliographies(text):
    """(options, listed keys) of every bibliography directive in text."""
    found = []
    for body in BIB_DIRECTIVE.findall(text):
        lines = body.strip("\n").split("\n")
        options = dict(re.match(r":([a-z]+):\s*(.*)", l).groups()
                       for l in lines if l.startswith(":"))
        keys = [l.strip() for l in lines if l.strip() and not l.startswith(":")]
        found.append((options, keys))
    return found


def all_uses():
    """(where, cited keys without prefix, keys listed in bibliography bodies)."""
    uses = []
    for path in CHAPTERS:
        text = "\n".join(markdown_cells(path))
        prefix = chapter_prefix(path)
        cited = [k[len(prefix):] if k.startswith(prefix) else k for k in cited_keys(text)]
        listed = [k for _, keys in bibliographies(text) for k in keys]
        uses.append((path.name, cited, listed))
    for path in PAGES:
        text = path.read_text(encoding="utf-8")
        uses.append((path.name, cited_keys(text),
                     [k for _, keys in bibliographies(text) for k in keys]))
    return uses


def test_bibfile_parses_and_keys_follow_the_style():
    entries = load_bib()
    assert len(entries) >= 40
    for key, entry in entries.items():
        year = entry.fields.get("year")
        if year is None:  # an undated web page: surname and a word
            assert re.fullmatch(r"[a-z]+", key), key
        else:
            m = re.fullmatch(r"[a-z]+(\d{4})[a-z]+", key)
            assert m, f"key {key!r} is not firstauthorYEARword"
            assert m.group(1) == year, f"{key}: year field {year}"
        assert "title" in entry.fields, f"{key} has no title"
        assert entry.persons.get("author"), f"{key} has no author"


@pytest.mark.parametrize("key", sorted(REQUIRED))
def test_required_work_is_present(key):
    entries = load_bib()
    assert key in entries, f"{key} missing from references.bib"
    year, words = REQUIRED[key]
    fields = entries[key].fields
    assert int(fields["year"]) == year
    title = re.sub(r"[{}]", "", fields["title"]).lower()
    assert words.lower() in title, f"{key}: title {fields['title']!r}"


def test_every_citation_key_exists():
    entries = load_bib()
    for where, cited, listed in all_uses():
        unknown = sorted(set(cited + listed) - set(entries))
        assert not unknown, f"{where} cites or lists keys missing from references.bib: {unknown}"


def test_every_entry_is_cited_or_listed():
    entries = load_bib()
    used = set()
    for _, cited, listed in all_uses():
        used |= set(cited) | set(listed)
    unused = sorted(set(entries) - used)
    assert not unused, f"references.bib entries cited nowhere and listed in no chapter: {unused}"


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_chapter_cites_with_its_own_prefix(path):
    prefix = chapter_prefix(path)
    keys = cited_keys("\n".join(markdown_cells(path)))
    wrong = [k for k in keys if not k.startswith(prefix)]
    assert not wrong, f"{path.name} must cite as {prefix}key: {wrong}"


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_chapter_ends_with_its_bibliography(path):
    cells = markdown_cells(path)
    text = "\n".join(cells)
    assert text.count("## References") == 1, f"{path.name} needs one References section"
    last = cells[-1]
    assert "## References" in last, f"{path.name}: References is not the last cell"
    section = last[last.index("## References"):]
    assert not PLAIN_REFERENCE.search(section), f"{path.name} still has a plain-text reference list"
    found = bibliographies(section)
    assert len(found) == 1, f"{path.name}: References needs one bibliography directive"
    assert section.rstrip().endswith("```"), f"{path.name}: text after the bibliography"
    options, listed = found[0]
    assert options.get("keyprefix") == chapter_prefix(path)
    assert options.get("filter") == "docname in docnames"
    cited = {k[len(chapter_prefix(path)):] for k in cited_keys(text)}
    assert cited or listed, f"{path.name} has an empty bibliography"
    assert not set(listed) & cited, f"{path.name} lists keys it also cites: {set(listed) & cited}"


@pytest.mark.parametrize("path", CHAPTERS + PAGES, ids=[p.stem for p in CHAPTERS + PAGES])
def test_no_author_year_mention_left_as_plain_text(path):
    text = ("\n".join(markdown_cells(path)) if path.suffix == ".ipynb"
            else path.read_text(encoding="utf-8"))
    text = CITE_ROLE.sub("", text)
    text = re.sub(r"```.*?```", "", text, flags=re.S)  # code and directives
    left = [m.group(0) for m in PLAIN_MENTION.finditer(text)]
    assert not left, f"{path.name}: mentions to turn into citations: {left}"


def test_bibliography_page_lists_every_entry():
    page = ROOT / "bibliography.md"
    text = page.read_text(encoding="utf-8")
    assert text.startswith("# Bibliography\n")
    found = bibliographies(text)
    assert len(found) == 1
    options, listed = found[0]
    assert "all" in options and "keyprefix" not in options and not listed
