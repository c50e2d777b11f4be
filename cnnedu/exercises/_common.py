"""What every exercise checker shares: run cases, compare, explain."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable

import numpy as np

__all__ = ["CheckResult", "check_answer", "check_function"]


@dataclass
class CheckResult:
    """Outcome of a checker: ``bool(result)`` is True when every case passed."""

    name: str
    passed: int = 0
    total: int = 0
    messages: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self.total > 0 and self.passed == self.total

    def __str__(self) -> str:
        head = (f"{self.name}: all {self.total} cases correct." if self
                else f"{self.name}: {self.passed} of {self.total} cases correct.")
        return "\n".join([head, *self.messages])

    def _repr_pretty_(self, printer, cycle):  # shown nicely as a cell's last value
        printer.text(str(self))


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
                   rtol: float = 1e-6, atol: float = 1e-8, quiet: bool = False) -> CheckResult:
    """Call ``fn(*args)`` and ``reference(*args)`` for each ``args`` in ``cases``.

    Stops explaining at the first wrong case (later cases are still counted).
    An exception raised by ``fn`` counts as a wrong case and is reported.
    """
    result = CheckResult(name)
    for args in cases:
        result.total += 1
        expected = reference(*args)
        shapes = ", ".join(f"{a.shape}" if isinstance(a, np.ndarray) else repr(a) for a in args)
        try:
            got = fn(*args)
        except Exception as exc:  # the reader's code failed: say how
            why = f"raised {type(exc).__name__}: {exc}"
        else:
            why = _compare(got, expected, rtol, atol)
        if why is None:
            result.passed += 1
        elif not any(m.startswith("  case") for m in result.messages):
            result.messages.append(f"  case ({shapes}): {why}")
    if not quiet:
        print(result)
    return result


def check_answer(name: str, answer, expected, rtol: float = 1e-6, atol: float = 1e-8,
                 quiet: bool = False) -> CheckResult:
    """Compare a single answer (a number, a shape, an array) with the expected one."""
    result = CheckResult(name, total=1)
    why = _compare(answer, expected, rtol, atol)
    if why is None:
        result.passed = 1
    else:
        result.messages.append(f"  {why}")
    if not quiet:
        print(result)
    return result
