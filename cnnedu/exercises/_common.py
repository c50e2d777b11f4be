"""What every exercise checker shares: run cases, compare, explain.

A checker can be run before the reader has written anything: a function
whose body still raises ``NotImplementedError`` (the stub each chapter
gives) is reported as "not written yet", and an answer that still holds the
placeholder ``...`` as "not answered yet", in one line, with a
:class:`CheckResult` whose ``attempted`` is False. Any other exception the
reader's function raises is a wrong case, reported with its type and message.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable

import numpy as np

__all__ = ["CheckResult", "check_answer", "check_function", "not_answered", "not_written",
           "unanswered", "name_of"]


@dataclass
class CheckResult:
    """Outcome of a checker: ``bool(result)`` is True when every case passed.

    ``attempted`` is False when the reader has not written the function yet
    (it raises ``NotImplementedError``) or has not replaced the ``...`` of an
    answer; ``todo`` then says what to do, and ``missing`` names the
    functions or answers concerned.
    """

    name: str
    passed: int = 0
    total: int = 0
    messages: list[str] = field(default_factory=list)
    attempted: bool = True
    todo: str = ""
    missing: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return self.attempted and self.total > 0 and self.passed == self.total

    def __str__(self) -> str:
        if not self.attempted:
            return f"{self.name}: {self.todo}"
        head = (f"{self.name}: all {self.total} cases correct." if self
                else f"{self.name}: {self.passed} of {self.total} cases correct.")
        return "\n".join([head, *self.messages])

    def _repr_pretty_(self, printer, cycle):  # shown nicely as a cell's last value
        printer.text(str(self))


def name_of(fn) -> str:
    """The name a reader gave ``fn`` (``"your function"`` for a lambda)."""
    name = getattr(fn, "__name__", "")
    return name if name.isidentifier() else "your function"


def not_written(name: str, functions: Iterable[str], total: int = 0) -> CheckResult:
    """The result for functions that still raise ``NotImplementedError``."""
    functions = tuple(functions)
    return CheckResult(name, total=total, attempted=False, missing=functions,
                       todo=f"not written yet; write {' and '.join(functions)} above and run "
                            "both cells.")


def not_answered(name: str, missing: Iterable[str] = (), every: bool = True) -> CheckResult:
    """The result for answers that are still the placeholder ``...``.

    ``every`` says that all the answers are missing (the message then names
    none of them); otherwise the message names the ``missing`` ones.
    """
    missing = tuple(missing)
    where = "each ..." if every else f"the ... in {' and '.join(missing)}"
    return CheckResult(name, attempted=False, missing=missing,
                       todo=f"not answered yet; replace {where} with your answer.")


def _has_ellipsis(value) -> bool:
    if value is Ellipsis:
        return True
    if isinstance(value, np.ndarray):
        return value.dtype == object and any(_has_ellipsis(v) for v in value.flat)
    if isinstance(value, (list, tuple)):
        return any(_has_ellipsis(v) for v in value)
    return False


def unanswered(name: str, quiet: bool = False, **answers) -> CheckResult | None:
    """If any of ``answers`` still holds ``...``, print and return the "not answered" result.

    Returns None when every answer is given, so a checker goes on::

        todo = unanswered("sigmoid bound", quiet, max_slope=max_slope, ...)
        if todo is not None:
            return todo
    """
    missing = [key for key, value in answers.items() if _has_ellipsis(value)]
    if not missing:
        return None
    result = not_answered(name, missing, every=len(missing) == len(answers))
    if not quiet:
        print(result)
    return result


def _describe(value) -> str:
    if isinstance(value, np.ndarray):
        with np.printoptions(precision=4, suppress=True, threshold=50):
            return f"array of shape {value.shape}:\n{value}"
    return repr(value)


def _compare(got, expected, rtol: float, atol: float) -> str | None:
    """None if ``got`` matches ``expected``, else a sentence saying how not."""
    if isinstance(expected, (tuple, list)) and not isinstance(expected, np.ndarray):
        if not isinstance(got, (tuple, list)) or len(got) != len(expected):
            return f"expected a sequence of {len(expected)} values, got {_describe(got)}"
        for k, (g, e) in enumerate(zip(got, expected)):
            why = _compare(g, e, rtol, atol)
            if why:
                return f"item {k}: {why}"
        return None
    if isinstance(expected, np.ndarray):
        try:
            got_arr = np.asarray(got, dtype=np.float64)
        except (TypeError, ValueError):
            return f"expected an array, got {type(got).__name__}"
        if got_arr.shape != expected.shape:
            return f"shape {got_arr.shape}, expected {expected.shape}"
        if not np.allclose(got_arr, expected, rtol=rtol, atol=atol):
            bad = np.argwhere(~np.isclose(got_arr, expected, rtol=rtol, atol=atol))[0]
            idx = tuple(int(i) for i in bad)
            return (f"values differ, first at index {idx}: got {got_arr[idx]:.6g}, "
                    f"expected {expected[idx]:.6g}")
        return None
    if isinstance(expected, float):
        if (not isinstance(got, (int, float, np.number))
                or not np.isclose(got, expected, rtol=rtol, atol=atol)):
            return f"got {_describe(got)}, expected {expected:.6g}"
        return None
    if got != expected:
        return f"got {_describe(got)}, expected {_describe(expected)}"
    return None


def check_function(name: str, fn: Callable, reference: Callable, cases: Iterable[tuple],
                   rtol: float = 1e-6, atol: float = 1e-8, quiet: bool = False,
                   fn_name: str | None = None) -> CheckResult:
    """Call ``fn(*args)`` and ``reference(*args)`` for each ``args`` in ``cases``.

    Stops explaining at the first wrong case (later cases are still counted).
    An exception raised by ``fn`` counts as a wrong case and is reported. If
    ``fn`` raises ``NotImplementedError`` on every case, it is the stub the
    reader has not replaced yet: the result is "not written yet" (not
    attempted), naming ``fn_name`` (by default ``fn.__name__``); its
    ``messages`` still hold the first case, for callers that report cases.
    """
    result = CheckResult(name)
    stubbed = 0
    for args in cases:
        result.total += 1
        expected = reference(*args)
        shapes = ", ".join(f"{a.shape}" if isinstance(a, np.ndarray) else repr(a) for a in args)
        try:
            got = fn(*args)
        except Exception as exc:  # the reader's code failed: say how
            stubbed += isinstance(exc, NotImplementedError)
            why = f"raised {type(exc).__name__}: {exc}"
        else:
            why = _compare(got, expected, rtol, atol)
        if why is None:
            result.passed += 1
        elif not any(m.startswith("  case") for m in result.messages):
            result.messages.append(f"  case ({shapes}): {why}")
    if result.total and stubbed == result.total:
        messages = result.messages
        result = not_written(name, [fn_name or name_of(fn)], result.total)
        result.messages = messages
    if not quiet:
        print(result)
    return result


def check_answer(name: str, answer, expected, rtol: float = 1e-6, atol: float = 1e-8,
                 quiet: bool = False) -> CheckResult:
    """Compare a single answer (a number, a shape, an array) with the expected one.

    An answer that still holds ``...`` is "not answered yet" (not attempted).
    """
    todo = unanswered(name, quiet, answer=answer)
    if todo is not None:
        return todo
    result = CheckResult(name, total=1)
    why = _compare(answer, expected, rtol, atol)
    if why is None:
        result.passed = 1
    else:
        result.messages.append(f"  {why}")
    if not quiet:
        print(result)
    return result
