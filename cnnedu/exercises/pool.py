"""Checkers for the exercises of the pooling chapter.

Each ``check_*`` function compares the reader's answer or function with
:mod:`cnnedu.ops.pool` on several cases (including awkward geometry: rows
left over, overlapping windows, ties), prints what is right or, for the
first wrong case, what was expected, what was given and a hint, and returns
a :class:`~cnnedu.exercises.CheckResult` (true when everything passed).
"""
from __future__ import annotations

import numpy as np

from ..explain.pool import window_coverage
from ..geometry import pool_geometry
from ..ops.pool import avg_pool2d, max_pool2d, max_pool2d_backward
from ._common import (CheckResult, check_answer, check_function, name_of, not_written,
                      unanswered)

__all__ = ["HAND_X", "SHAPE_CASES", "COVERAGE_CASE",
           "check_pool_by_hand", "check_output_shapes", "check_window_counts",
           "check_max_pool2d_single", "check_avg_pool_reshape", "check_max_pool_backward"]

#: The 4 x 4 map of the first exercise (pooled with 2 x 2 windows, stride 2).
HAND_X = np.array([[1, 3, 2, 0],
                   [4, 2, 1, 5],
                   [0, 7, 6, 3],
                   [6, 1, 2, 8]], dtype=float)

#: Input shape (N, C, H, W), window size, stride, padding for the shape exercise.
SHAPE_CASES = [
    ((1, 1, 28, 28), 2, 2, 0),
    ((64, 32, 26, 26), 2, 2, 0),
    ((64, 64, 11, 11), 2, 2, 0),
    ((1, 96, 55, 55), 3, 2, 0),
    ((8, 16, 7, 7), 3, 2, 1),
    ((2, 3, 10, 10), 4, 3, 0),
]

#: Map size, window size and stride of the coverage exercise (AlexNet-style overlap).
COVERAGE_CASE = ((7, 7), 3, 2)


def _merge(name: str, parts) -> CheckResult:
    result = CheckResult(name)
    for part in parts:
        result.total += part.total
        result.passed += part.passed
        result.messages += part.messages
    return result


def _finish(result: CheckResult, quiet: bool) -> CheckResult:
    if not quiet:
        print(result)
    return result


def check_pool_by_hand(max_answer, avg_answer, quiet: bool = False) -> CheckResult:
    """Check 2 x 2 max and average pooling (stride 2) of :data:`HAND_X`, done by hand.

    Parameters
    ----------
    max_answer, avg_answer : array_like, shape (2, 2)
    """
    todo = unanswered("pooling by hand", quiet, max_answer=max_answer, avg_answer=avg_answer)
    if todo is not None:
        return todo
    x = HAND_X[None, None]
    parts = []
    for what, answer, expected in (("max pooling", max_answer, max_pool2d(x, 2)[0, 0]),
                                   ("average pooling", avg_answer, avg_pool2d(x, 2)[0, 0])):
        part = check_answer(what, np.asarray(answer, dtype=float), expected, quiet=True)
        if not part:
            part.messages = [f"  {what}: {m.strip()}" for m in part.messages]
            if np.shape(answer) != (2, 2):
                part.messages.append("  hint: 2x2 windows with stride 2 on a 4x4 map give "
                                     "(4 - 2) // 2 + 1 = 2 rows and 2 columns")
        parts.append(part)
    return _finish(_merge("pooling by hand", parts), quiet)


def check_output_shapes(answers, quiet: bool = False) -> CheckResult:
    """Check predicted output shapes ``(N, C, OH, OW)``, one per :data:`SHAPE_CASES` entry."""
    todo = unanswered("output shapes", quiet, answers=answers)
    if todo is not None:
        return todo
    result = CheckResult("output shapes")
    answers = list(answers)
    if len(answers) != len(SHAPE_CASES):
        result.total = len(SHAPE_CASES)
        result.messages.append(f"  expected {len(SHAPE_CASES)} shapes, one per case, "
                               f"got {len(answers)}")
        return _finish(result, quiet)
    for k, (answer, (shape, size, stride, padding)) in enumerate(zip(answers, SHAPE_CASES)):
        expected = max_pool2d(np.zeros(shape), size, stride, padding).shape
        result.total += 1
        got = tuple(int(v) for v in answer) if np.ndim(answer) == 1 else answer
        if got == expected:
            result.passed += 1
            continue
        if result.messages:
            continue
        result.messages.append(f"  case {k}: input {shape}, window {size}, stride {stride}, "
                               f"padding {padding}: got {answer!r}, expected {expected}")
        if not isinstance(got, tuple) or len(got) != 4:
            result.messages.append("  hint: give the whole shape, (N, C, OH, OW)")
        elif got[:2] != expected[:2]:
            result.messages.append("  hint: pooling works on each channel of each image "
                                   "separately: N and C do not change")
        else:
            result.messages.append("  hint: OH = floor((H + 2p - k) / s) + 1, "
                                   "and OW likewise")
    return _finish(result, quiet)


def check_window_counts(counts, quiet: bool = False) -> CheckResult:
    """Check a 7 x 7 array of how many 3 x 3 windows (stride 2) cover each pixel.

    Each row of the array counts as one case.
    """
    todo = unanswered("windows covering each pixel", quiet, counts=counts)
    if todo is not None:
        return todo
    (h, w), size, stride = COVERAGE_CASE
    expected = window_coverage((h, w), size, stride)
    result = CheckResult("windows covering each pixel", total=h)
    counts = np.asarray(counts)
    if counts.shape != expected.shape:
        result.messages.append(f"  expected a {h}x{w} array (one count per pixel), "
                               f"got shape {counts.shape}")
        return _finish(result, quiet)
    for r in range(h):
        if np.array_equal(counts[r], expected[r]):
            result.passed += 1
        elif not result.messages:
            result.messages.append(f"  row {r}: got {counts[r].tolist()}, "
                                   f"expected {expected[r].tolist()}")
            result.messages.append("  hint: along one axis the windows start at 0, 2, 4 and "
                                   "cover 0-2, 2-4, 4-6; a pixel's count is (windows over its "
                                   "row) x (windows over its column)")
    return _finish(result, quiet)


def _cases_with_hints(name, fn, reference, cases, hint, quiet):
    """Run ``cases`` (label, args) like :func:`check_function`; add ``hint(label, args, got)``.

    A function that raises ``NotImplementedError`` on every case is "not written yet".
    """
    result = CheckResult(name)
    stubbed = 0
    for label, args in cases:
        outputs = []

        def recorded(*a):
            outputs.append(fn(*a))
            return outputs[-1]

        part = check_function(name, recorded, reference, [args], quiet=True)
        result.total += 1
        stubbed += not part.attempted
        if part:
            result.passed += 1
        elif not result.messages:
            result.messages += [m.replace("  case (", f"  case '{label}' (", 1)
                                for m in part.messages]
            extra = hint(label, args, outputs[0] if outputs else None)
            if extra:
                result.messages.append(f"  hint: {extra}")
    if result.total and stubbed == result.total:
        result = not_written(name, [name_of(fn)], result.total)
    return _finish(result, quiet)


def _single_channel(op):
    def reference(*args):
        arrays = [a[None, None] if isinstance(a, np.ndarray) else a for a in args]
        return op(*arrays)[0, 0]
    return reference


def check_max_pool2d_single(fn, quiet: bool = False) -> CheckResult:
    """Check ``fn(x2d, size, stride) -> (OH, OW)``: max pooling of one 2-D map, with loops.

    Cases: windows tiling the map, rows left over, overlapping windows, a
    stride larger than the window, one window as large as the map, and a map
    with only negative values.
    """
    rng = np.random.default_rng(2)
    cases = [
        ("2x2 windows tile a 4x4 map", (rng.standard_normal((4, 4)), 2, 2)),
        ("a row and a column left over", (rng.standard_normal((5, 5)), 2, 2)),
        ("overlapping 3x3 windows, stride 2", (rng.standard_normal((7, 7)), 3, 2)),
        ("stride 1, not square", (rng.standard_normal((5, 6)), 3, 1)),
        ("stride larger than the window", (rng.standard_normal((6, 8)), 2, 3)),
        ("one window covers the map", (rng.standard_normal((3, 3)), 3, 3)),
        ("all values negative", (-1 - rng.random((4, 6)), 2, 2)),
    ]

    def hint(label, args, got):
        x, k, s = args
        expected_shape = pool_geometry(x.shape, k, s).output_size
        if got is None:
            return None
        if np.shape(got) != expected_shape:
            return (f"the output has floor((n - k) / s) + 1 rows and columns: "
                    f"{expected_shape} here; window (i, j) starts at row i*s, column j*s")
        expected = max_pool2d(x[None, None], k, s)[0, 0]
        if np.any((np.asarray(got) == 0) & (expected < 0)):
            return ("where a whole window is negative you return 0: start each maximum "
                    "from the window's values (or -inf), not from 0")
        return "window (i, j) is x2d[i*s : i*s + k, j*s : j*s + k]"

    return _cases_with_hints("max_pool2d_single", fn, _single_channel(max_pool2d),
                             cases, hint, quiet)


def check_avg_pool_reshape(fn, quiet: bool = False) -> CheckResult:
    """Check ``fn(x, k) -> (N, C, H // k, W // k)``: average pooling with k x k windows, stride k.

    ``H`` and ``W`` are multiples of ``k`` in every case.
    """
    rng = np.random.default_rng(3)
    cases = [
        ("2x2 windows, a batch of 2 with 3 channels", (rng.standard_normal((2, 3, 4, 4)), 2)),
        ("3x3 windows", (rng.standard_normal((1, 1, 6, 6)), 3)),
        ("a map wider than tall", (rng.standard_normal((1, 2, 4, 8)), 2)),
        ("one window covers the map", (rng.standard_normal((1, 1, 5, 5)), 5)),
        ("1x1 windows change nothing", (rng.standard_normal((3, 1, 2, 2)), 1)),
    ]

    def reference(x, k):
        return avg_pool2d(x, k)

    def hint(label, args, got):
        x, k = args
        N, C, H, W = x.shape
        if got is None:
            return None
        if np.shape(got) != (N, C, H // k, W // k):
            return "the result has shape (N, C, H // k, W // k)"
        scrambled = x.reshape(N, C, k, H // k, k, W // k).mean(axis=(2, 4))
        if np.allclose(got, scrambled):
            return ("the rows of one window must be consecutive: reshape to "
                    "(N, C, H // k, k, W // k, k) and average over axes 3 and 5")
        return "reshape to (N, C, H // k, k, W // k, k), then take the mean over axes 3 and 5"

    return _cases_with_hints("avg_pool_reshape", fn, reference, cases, hint, quiet)


def check_max_pool_backward(fn, quiet: bool = False) -> CheckResult:
    """Check ``fn(dy2d, x2d, size, stride) -> dx2d``, the gradient of max pooling on one map.

    Cases: windows tiling the map, rows left over, overlapping windows (a cell
    that wins two windows gets both gradients), and ties (the first maximum
    in reading order gets all of it).
    """
    rng = np.random.default_rng(4)

    def case(shape, k, s, x=None):
        x = rng.permutation(np.prod(shape)).reshape(shape).astype(float) if x is None else x
        oh, ow = pool_geometry(shape, k, s).output_size
        return (rng.standard_normal((oh, ow)), x, k, s)

    tie = np.array([[1, 5, 5, 0],
                    [5, 2, 3, 3],
                    [0, 0, 7, 7],
                    [0, 0, 7, 7]], dtype=float)
    overlap = np.zeros((5, 5))
    overlap[2, 2] = 9.0                      # the centre wins all four 3x3 windows
    overlap[0, 0], overlap[4, 4] = 1.0, 2.0
    cases = [
        ("2x2 windows tile a 4x4 map", case((4, 4), 2, 2)),
        ("a row and a column left over", case((5, 5), 2, 2)),
        ("windows overlap: a cell wins several", case((5, 5), 3, 2, overlap)),
        ("overlapping windows, stride 1", case((5, 6), 2, 1)),
        ("ties: the first maximum wins", case((4, 4), 2, 2, tie)),
    ]

    def reference(dy, x, k, s):
        # + 0.0 turns the -0.0 of (negative dy) x 0 into 0.0 for the messages
        return max_pool2d_backward(dy[None, None], x[None, None], k, s)[0, 0] + 0.0

    def hint(label, args, got):
        dy, x, k, s = args
        if got is None:
            return None
        if np.shape(got) != x.shape:
            return "dx has the shape of x: every input cell gets a gradient (most get 0)"
        if label.startswith("windows overlap") or label.startswith("overlapping"):
            return ("where windows overlap, a cell that wins several windows receives the "
                    "sum of their gradients: add (+=), do not overwrite")
        if label.startswith("ties"):
            return ("when several cells share the maximum, the whole gradient goes to the "
                    "first one in reading order (the one np.argmax of the flattened "
                    "window picks), not to each of them and not split")
        return ("each dy[i, j] goes, whole, to the position of the maximum of window "
                "(i, j); all other cells of the window get nothing")

    return _cases_with_hints("max_pool_backward", fn, reference, cases, hint, quiet)
