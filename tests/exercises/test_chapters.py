"""The exercise sections of the chapters: the reader writes, the solution waits, folded.

Each exercise that has a checker gives the reader a visible cell to answer
in (a stub raising ``NotImplementedError`` with a hint, or values left as
``...``) and a visible call of the checker on it, whose stored output says
"not written yet" or "not answered yet". The reference solution comes after
them, with names of its own, folded in the book (tag ``hide-cell``, or
``remove-cell`` where a Solution dropdown already gives the values) and in
JupyterLab (``source_hidden`` and ``outputs_hidden``; the first line, which
JupyterLab shows of a collapsed cell, is a comment); its stored output is
the checker passing, which nbval compares, so the reference and the checker
agree. No visible output in an exercise section says a check passed.
"""
import ast
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHAPTERS = sorted(p for p in (ROOT / "chapters").glob("*.ipynb")
                  if "## Exercises" in p.read_text())

PASSED = re.compile(r"all \d+ cases correct")
FOLDING_TAGS = {"hide-cell", "remove-cell"}


def source(cell):
    return "".join(cell["source"])


def output_text(cell):
    return "".join("".join(o.get("text", "")) for o in cell.get("outputs", [])
                   if o.get("output_type") == "stream")


def exercise_cells(nb):
    """The cells after the "## Exercises" heading, up to the end of the notebook."""
    cells = nb["cells"]
    start = next(i for i, c in enumerate(cells)
                 if c["cell_type"] == "markdown" and re.search(r"^## Exercises", source(c), re.M))
    return cells[start + 1:]


def exercises(nb):
    """Groups of cells, one per "**Exercise N" statement, in order."""
    groups = []
    for cell in exercise_cells(nb):
        if cell["cell_type"] == "markdown" and source(cell).startswith("**Exercise"):
            groups.append([cell])
        elif groups:
            groups[-1].append(cell)
    return groups


def checker_calls(tree):
    """``(checker name, [argument nodes])`` of every ``check_*(...)`` call."""
    return [(node.func.id, node.args) for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id.startswith("check_")]


def defined_names(tree):
    names = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    names |= {t.id for n in ast.walk(tree) if isinstance(n, ast.Assign)
              for t in n.targets if isinstance(t, ast.Name)}
    return names


def is_folded(cell):
    return bool(FOLDING_TAGS & set(cell["metadata"].get("tags", [])))


def signature(fn: ast.FunctionDef):
    args = fn.args
    return ([a.arg for a in args.args], [ast.unparse(d) for d in args.defaults])


def stub_hint(fn: ast.FunctionDef):
    """The hint of a stub whose whole body is ``raise NotImplementedError("...")``, or None."""
    if len(fn.body) != 1 or not isinstance(fn.body[0], ast.Raise):
        return None
    exc = fn.body[0].exc
    if not (isinstance(exc, ast.Call) and isinstance(exc.func, ast.Name)
            and exc.func.id == "NotImplementedError" and len(exc.args) == 1
            and isinstance(exc.args[0], ast.Constant)):
        return None
    return exc.args[0].value


def check_exercise(label, group):
    """Assert the structure of one exercise; return "implement", "values" or None."""
    statement = "\n".join(source(c) for c in group if c["cell_type"] == "markdown")
    code = [(c, ast.parse(source(c))) for c in group if c["cell_type"] == "code"]
    visible = [(c, t) for c, t in code if not is_folded(c)]
    folded = [(c, t) for c, t in code if is_folded(c)]
    for cell, _ in visible:
        assert not PASSED.search(output_text(cell)), (
            f"{label}: a visible cell shows a check passing:\n{source(cell)}")
    references = [(c, t) for c, t in folded if checker_calls(t)]
    if not re.search(r"check_\w+\(", statement):
        assert not references, f"{label}: a reference check, but no checker in the statement"
        return None
    assert references, f"{label}: the statement names a checker but no reference runs it"
    first_reference = min(group.index(c) for c, _ in references)
    for cell, tree in references:
        meta = cell["metadata"]
        assert meta.get("jupyter", {}).get("source_hidden") is True, f"{label}: source shown"
        assert meta.get("jupyter", {}).get("outputs_hidden") is True, f"{label}: output shown"
        # JupyterLab shows the first line of a collapsed cell: it must give nothing away
        assert source(cell).startswith("# Solution"), f"{label}: first line {source(cell)!r}"
        calls = checker_calls(tree)
        assert len(PASSED.findall(output_text(cell))) == len(calls), (
            f"{label}: the reference does not pass every check:\n{output_text(cell)}")
    reader_names = set().union(*(defined_names(t) for c, t in visible))
    reader_checks = {}
    for cell, tree in visible:
        for name, args in checker_calls(tree):
            reader_checks.setdefault(name, []).append((cell, args))
    kinds = set()
    for cell, tree in references:
        overwritten = defined_names(tree) & reader_names
        assert not overwritten, f"{label}: the reference redefines the reader's {overwritten}"
        ref_defs = {n.name: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
        for name, ref_args in checker_calls(tree):
            assert name in reader_checks, f"{label}: no visible cell calls {name} for the reader"
            reader_cell, args = reader_checks[name][-1]
            assert group.index(reader_cell) < first_reference, (
                f"{label}: the reader's check of {name} comes after the reference")
            out = output_text(reader_cell)
            if any(isinstance(a, ast.Name) and a.id in ref_defs for a in ref_args):
                kinds.add("implement")
                assert "not written yet" in out, f"{label}: {name} output: {out!r}"
                for ref_arg, arg in zip(ref_args, args, strict=True):
                    stub = next((n for c, t in visible for n in ast.walk(t)
                                 if isinstance(n, ast.FunctionDef) and n.name == arg.id), None)
                    assert stub is not None, f"{label}: no stub {arg.id} before {name}"
                    hint = stub_hint(stub)
                    assert hint and len(hint) > 20, (
                        f"{label}: {arg.id} must only raise NotImplementedError with a hint")
                    assert signature(stub) == signature(ref_defs[ref_arg.id]), (
                        f"{label}: {arg.id} and {ref_arg.id} differ in signature")
                    stub_cell = next(c for c, t in visible if arg.id in defined_names(t))
                    assert group.index(stub_cell) < group.index(reader_cell)
                    asked = [n for m in re.findall(r"write (.+?) above", out)
                             for n in m.split(" and ")]
                    assert arg.id in asked, f"{label}: the message does not name {arg.id}"
                assert re.search(r"implement|write", statement, re.I), label
                assert is_folded(cell) and "hide-cell" in cell["metadata"]["tags"], (
                    f"{label}: a reference function must be folded (hide-cell), not removed")
            else:
                kinds.add("values")
                assert "not answered yet" in out, f"{label}: {name} output: {out!r}"
                assert any(isinstance(n, ast.Constant) and n.value is Ellipsis
                           for n in ast.walk(ast.parse(source(reader_cell)))), (
                    f"{label}: the answer cell of {name} has no ... to replace")
    assert len(kinds) == 1, f"{label}: {kinds}"
    return kinds.pop()


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_every_exercise_gives_the_reader_a_cell_and_folds_the_solution(path):
    nb = json.loads(path.read_text())
    groups = exercises(nb)
    assert len(groups) >= 7, f"{path.stem}: only {len(groups)} exercises found"
    kinds = [check_exercise(f"{path.stem} exercise {k}", g) for k, g in enumerate(groups, 1)]
    assert kinds.count("implement") >= 3 and kinds.count("values") >= 2, kinds


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_no_visible_exercise_output_says_a_check_passed(path):
    nb = json.loads(path.read_text())
    for cell in exercise_cells(nb):
        if cell["cell_type"] == "code" and not is_folded(cell):
            assert not PASSED.search(output_text(cell)), source(cell)
        if cell["cell_type"] == "code" and "hide-cell" in cell["metadata"].get("tags", []):
            prompts = cell["metadata"].get("mystnb", {})
            assert "solution" in prompts.get("code_prompt_show", ""), (
                "a folded solution says what it is: mystnb code_prompt_show")
