"""Set the book's repository URL: it turns the launch and repository buttons on or off.

Usage::

    python scripts/set_repository_url.py https://github.com/<owner>/<repo> [--branch main]
    python scripts/set_repository_url.py ""          # no repository: no such buttons

Writes the URL (and branch) into ``_config.yml`` (``repository: url:``) and
into the Colab cell that opens every chapter (its first code cell, hidden on the
web page), which installs ``cnnedu`` from that repository when the chapter runs
in Colab. The cell is added to a chapter that lacks it. The build checks that
the two agree (``_ext/launch_buttons.py``).
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "_ext"))

from launch_buttons import (COLAB_CELL_TAG, check_repository_url,  # noqa: E402
                            colab_cell_repository, colab_cell_source)


def set_config(config: str, url: str, branch: str) -> str:
    """``_config.yml``'s text with ``repository: url:`` and ``branch:`` replaced."""
    block = re.search(r"^repository:\n((?:[ \t]+.*\n?)*)", config, re.M)
    if block is None:
        raise SystemExit("_config.yml has no 'repository:' section")
    body = block[1]
    for key, value in (("url", f'"{url}"'), ("branch", branch)):
        line = re.compile(rf"^([ \t]+){key}:.*$", re.M)
        if line.search(body):
            body = line.sub(lambda m, v=value, k=key: f"{m[1]}{k}: {v}", body, count=1)
        else:
            body = body.rstrip("\n") + f"\n  {key}: {value}\n"
    return config[:block.start(1)] + body + config[block.end(1):]


def set_chapter(path: Path, url: str, branch: str) -> bool:
    """Put the Colab cell for ``url`` first among the chapter's code cells; True if changed."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    source = colab_cell_source(url, branch)
    codes = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    first = codes[0] if codes else len(nb.cells)
    cell = nb.cells[first] if codes else None
    if cell is not None and colab_cell_repository(cell.source) is not None:
        if cell.source == source and COLAB_CELL_TAG in cell.metadata.get("tags", []):
            return False
        cell.source = source
    else:
        cell = nbformat.v4.new_code_cell(source)
        cell.id = "colab-install"
        nb.cells.insert(first, cell)
    tags = cell.metadata.setdefault("tags", [])
    if COLAB_CELL_TAG not in tags:
        tags.append(COLAB_CELL_TAG)
    nbformat.write(nb, path)
    return True


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("url", help='https://github.com/<owner>/<repo>, or "" for none')
    parser.add_argument("--branch", default="main")
    args = parser.parse_args(argv)
    url = check_repository_url(args.url)
    config = ROOT / "_config.yml"
    config.write_text(set_config(config.read_text(encoding="utf-8"), url, args.branch),
                      encoding="utf-8")
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        if set_chapter(path, url, args.branch):
            print(f"{path.relative_to(ROOT)}: Colab cell set")
    print(f"repository.url = {url!r}, branch {args.branch!r}: launch and repository buttons "
          f"{'on' if url else 'off'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
