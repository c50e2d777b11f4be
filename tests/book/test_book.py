"""Checks of the book as a whole: table of contents, notebooks, README."""
import json
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = sorted(p for p in (ROOT / "chapters").glob("*.ipynb"))


def toc_files():
    text = (ROOT / "_toc.yml").read_text()
    return re.findall(r"^\s*(?:-\s*)?(?:file|root):\s*(\S+)", text, flags=re.M)


def test_toc_lists_exactly_the_existing_pages():
    listed = toc_files()
    assert len(listed) == len(set(listed)), "a page is listed twice in _toc.yml"
    for entry in listed:
        candidates = [ROOT / (entry + ext) for ext in (".md", ".ipynb")]
        assert any(c.exists() for c in candidates), f"_toc.yml lists {entry}, which does not exist"
    notebooks = {f"chapters/{p.stem}" for p in CHAPTERS}
    assert notebooks <= set(listed), (
        f"chapters missing from _toc.yml: {sorted(notebooks - set(listed))}")


def test_chapters_exist():
    assert CHAPTERS, "no chapter notebooks found"


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_chapter_is_executed_and_tidy(path):
    nb = json.loads(path.read_text())
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    code = [c for c in nb["cells"] if c["cell_type"] == "code" and "".join(c["source"]).strip()]
    assert code, f"{path.name} has no code cells"
    counts = [c["execution_count"] for c in code]
    assert None not in counts, f"{path.name} has cells that were never executed"
    assert counts == sorted(counts), f"{path.name} was not executed top to bottom"
    for c in code:
        for out in c.get("outputs", []):
            assert out.get("output_type") != "error", f"{path.name} stores an error output"
            if out.get("name") == "stderr":
                pytest.fail(f"{path.name} stores stderr output: "
                            f"{''.join(out.get('text', ''))[:200]}")
    headings = [line for c in nb["cells"] if c["cell_type"] == "markdown"
                for line in "".join(c["source"]).splitlines() if re.match(r"^# ", line)]
    assert len(headings) == 1, f"{path.name} must have exactly one '# ' title, has {headings}"
    assert "widgets" not in nb["metadata"], (
        f"{path.name} stores its widget state (megabytes of frames); execute it with "
        f"scripts/execute_chapters.py, which leaves it out")
    size = path.stat().st_size
    assert size < 3_000_000, f"{path.name} is {size / 1e6:.1f} MB; keep stored outputs small"


def readme_command(marker):
    """The command .ci/run extracts from the README (using .ci/run's own parser)."""
    script = f"source <(sed -n '/^readme_command()/,/^}}/p' .ci/run); readme_command {marker}"
    return subprocess.run(["bash", "-c", script], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout.strip()


def test_readme_has_the_two_commands_that_ci_runs():
    readme = (ROOT / "README.md").read_text()
    build, test = readme_command("build-command"), readme_command("test-command")
    assert build in readme and test in readme
    assert "jupyter-book build . -W" in build and "pip install -r requirements.txt" in build
    assert "pytest" in test and "pip install -r requirements.txt" in test
