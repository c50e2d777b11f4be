"""Execute chapter notebooks in place, the way they are committed.

Usage::

    python scripts/execute_chapters.py                    # every chapter
    python scripts/execute_chapters.py chapters/02_pooling.ipynb

Each notebook runs top to bottom in a fresh kernel, from ``chapters/``, with:

- the tests' settings, read from the repository's ``conftest.py`` (BLAS on
  one thread, as in the test run; training and prediction in ``cnnedu`` run
  on one BLAS thread by themselves, so the chapters print the same numbers
  with any thread count, and nbval compares the stored outputs exactly);
- no execution timings in the cell metadata (they change on every run);
- consecutive printed outputs of a cell to the same stream joined into one
  (how the kernel splits them depends on timing, not on the code);
- no saved widget state. The state of a chapter's widgets, with every
  explorer's precomputed frames, is megabytes; the book build executes the
  chapters again and puts it in the web pages, and JupyterLab does not
  restore it unless told to, so the committed notebooks leave it out.
"""
from __future__ import annotations

import runpy
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def coalesce_streams(nb) -> None:
    """Join each cell's consecutive ``stream`` outputs to the same stream (stdout, stderr)."""
    for cell in nb.cells:
        outputs = []
        for out in cell.get("outputs", []):
            last = outputs[-1] if outputs else None
            if (out.get("output_type") == "stream" and last is not None
                    and last.get("output_type") == "stream"
                    and last.get("name") == out.get("name")):
                last["text"] = last["text"] + out["text"]
            else:
                outputs.append(out)
        if "outputs" in cell:
            cell["outputs"] = outputs


def execute(path: Path) -> float:
    """Run one notebook in place; return the seconds it took."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3", record_timing=False,
                            store_widget_state=False,
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    nb.metadata.pop("widgets", None)
    coalesce_streams(nb)
    nbformat.write(nb, path)
    return time.perf_counter() - start


def main(argv: list[str]) -> int:
    runpy.run_path(str(ROOT / "conftest.py"))    # sets the environment the kernels inherit
    paths = [Path(a).resolve() for a in argv] or sorted((ROOT / "chapters").glob("*.ipynb"))
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        print(f"no such notebook: {', '.join(missing)}", file=sys.stderr)
        return 2
    for path in paths:
        seconds = execute(path)
        print(f"{path.relative_to(ROOT)}: {seconds:.1f} s, {path.stat().st_size / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
