"""Checkers for the exercises of chapter 1 (Convolution).

Each ``check_*`` function compares the reader's answer or function with what
:mod:`cnnedu` computes, on several cases including awkward geometry
(non-square inputs and kernels, strides that do not tile the input, kernels
as large as the input), prints what is right or, for the first wrong case,
what was expected -- and, when the mistake is a common one (a flipped
kernel, a missing last window, a forgotten dilation), says so. Each returns
a :class:`~cnnedu.exercises.CheckResult` (true when everything passed).

The fixed data of the exercises are module constants, so the chapter and
the checkers use the same numbers: :data:`HAND_X`, :data:`HAND_K`,
:data:`SHAPE_CASES`, :data:`PARAM_LAYER`, :data:`RF_LAYERS`.
"""
from __future__ import annotations

import numpy as np

from ..geometry import conv_output_size
from ..ops.conv import conv2d, convolve2d, correlate2d, im2col
from ..explain.receptive_field import receptive_field
from ._common import CheckResult, check_answer, check_function, unanswered

__all__ = ["HAND_X", "HAND_K", "SHAPE_CASES", "PARAM_LAYER", "RF_LAYERS",
           "check_hand_correlation", "check_output_shapes", "check_parameter_counts",
           "check_correlate2d", "check_output_size", "check_strided_conv", "check_im2col",
           "check_conv_im2col", "check_receptive_field"]

#: Exercise 1: a 4x4 input ...
HAND_X = np.array([[3, 2, 0, 1],
                   [0, 1, 3, 1],
                   [2, 1, 0, 2],
                   [1, 0, 1, 3]], dtype=float)
#: ... and a 3x3 kernel (a vertical-edge detector, not symmetric: flipping it matters).
HAND_K = np.array([[1, 0, -1],
                   [2, 0, -1],
                   [1, 0, -1]], dtype=float)

#: Exercise 2: (H, W, k, stride, padding, dilation) settings whose output shape to predict.
SHAPE_CASES = [
    (28, 28, 3, 1, 0, 1),
    (28, 28, 5, 1, 2, 1),
    (32, 32, 3, 2, 1, 1),
    (7, 7, 3, 2, 0, 1),
    (8, 8, 3, 3, 0, 1),
    (10, 12, 3, 1, 0, 2),
    (5, 5, 3, 1, 0, 3),
]

#: Exercise 3: a convolution layer on an RGB image (the dense layer maps the
#: same input to an output of the same size as the convolution's).
PARAM_LAYER = dict(C=3, H=32, W=32, F=16, k=5)

#: Exercise 8: (name, k, s[, p[, d]]) of a stack of layers.
RF_LAYERS = [("conv3", 3, 1), ("conv3", 3, 1), ("pool2", 2, 2), ("conv3 dilated", 3, 1, 0, 2)]


def _print(result: CheckResult, quiet: bool) -> CheckResult:
    if not quiet:
        print(result)
    return result


def _first_failure(fn, reference, cases):
    """``(args, got, expected)`` of the first case ``fn`` gets wrong, or None."""
    for args in cases:
        expected = reference(*args)
        try:
            got = np.asarray(fn(*args), dtype=float)
        except Exception:  # reported by check_function already
            return None
        if got.shape != np.shape(expected) or not np.allclose(got, expected, rtol=1e-6, atol=1e-8):
            return args, got, expected
    return None


def _matches(got, value):
    value = np.asarray(value, dtype=float)
    return got.shape == value.shape and np.allclose(got, value, rtol=1e-6, atol=1e-8)


def _add_hint(result: CheckResult, hint: str | None) -> CheckResult:
    if hint and not result:
        result.messages.append(f"  hint: {hint}")
    return result


# ------------------------------------------------------------ exercise 1
def check_hand_correlation(answer, quiet: bool = False) -> CheckResult:
    """Exercise 1: the 'valid' cross-correlation of :data:`HAND_X` with :data:`HAND_K`.

    Parameters
    ----------
    answer : array_like, shape (2, 2)
        Your four numbers, ``answer[i][j] = y[i, j]``.
    quiet : bool
        Do not print.

    Returns
    -------
    CheckResult
    """
    todo = unanswered("hand correlation", quiet, answer=answer)
    if todo is not None:
        return todo
    expected = correlate2d(HAND_X, HAND_K)
    result = check_answer("hand correlation", np.asarray(answer, dtype=float), expected,
                          quiet=True)
    got = np.asarray(answer, dtype=float)
    hint = None
    if _matches(got, convolve2d(HAND_X, HAND_K)):
        hint = ("these are the values of true convolution (kernel flipped); cross-correlation "
                "uses the kernel as it is: y[i, j] = sum over u, v of x[i + u, j + v] * k[u, v]")
    elif got.shape == (2, 2) and _matches(got.T, expected):
        hint = "rows and columns are swapped: answer[i][j] must be y[i, j], row i, column j"
    return _print(_add_hint(result, hint), quiet)


# ------------------------------------------------------------ exercise 2
def _shape_of(H, W, k, s, p, d):
    return tuple(max(conv_output_size(n, k, s, p, d), 0) for n in (H, W))


def check_output_shapes(answers, quiet: bool = False) -> CheckResult:
    """Exercise 2: the output shape ``(OH, OW)`` for each setting of :data:`SHAPE_CASES`.

    Parameters
    ----------
    answers : sequence of (OH, OW) pairs
        One per case, in order; write 0 for a side with no output.
    quiet : bool

    Returns
    -------
    CheckResult
        One case per setting; the first wrong one is explained.
    """
    todo = unanswered("output shapes", quiet, answers=answers)
    if todo is not None:
        return todo
    result = CheckResult("output shapes")
    answers = list(answers)
    if len(answers) != len(SHAPE_CASES):
        result.total = len(SHAPE_CASES)
        result.messages.append(f"  expected {len(SHAPE_CASES)} answers (one per case), "
                               f"got {len(answers)}")
        return _print(result, quiet)
    for case, answer in zip(SHAPE_CASES, answers):
        H, W, k, s, p, d = case
        expected = _shape_of(*case)
        result.total += 1
        try:
            got = tuple(int(a) for a in answer)
        except (TypeError, ValueError):
            got = None
        if got == expected:
            result.passed += 1
            continue
        if any(m.startswith("  case") for m in result.messages):
            continue
        ext = d * (k - 1) + 1
        result.messages.append(
            f"  case H x W = {H}x{W}, k={k}, s={s}, p={p}, d={d}: got {answer!r}, "
            f"expected {expected}")
        if expected == (0, 0):
            result.messages.append(f"  hint: the dilated kernel spans d(k - 1) + 1 = {ext} "
                                   f"pixels but the padded input is only {H + 2 * p}: no output")
        elif d > 1 and got == _shape_of(H, W, k, s, p, 1):
            result.messages.append(f"  hint: dilation {d} makes the kernel span "
                                   f"d(k - 1) + 1 = {ext} pixels, not {k}")
        elif got == tuple(-(-(n + 2 * p - ext) // s) + 1 for n in (H, W)):
            result.messages.append("  hint: round down: floor((n + 2p - d(k - 1) - 1) / s) + 1")
        else:
            result.messages.append("  hint: OH = floor((H + 2p - d(k - 1) - 1) / s) + 1")
    return _print(result, quiet)


# ------------------------------------------------------------ exercise 3
def check_parameter_counts(conv_count, dense_count, quiet: bool = False) -> CheckResult:
    """Exercise 3: parameters of the layers described by :data:`PARAM_LAYER`.

    Parameters
    ----------
    conv_count : int
        Weights and biases of the convolution layer (``F`` filters of size
        ``k x k`` on ``C`` channels, stride 1, no padding).
    dense_count : int
        Weights and biases of a dense layer from the same ``C x H x W`` input
        to an output with as many numbers as the convolution's
        ``F x OH x OW``.
    quiet : bool

    Returns
    -------
    CheckResult
        Two cases: the convolution and the dense layer.
    """
    todo = unanswered("parameter counts", quiet, conv_count=conv_count,
                      dense_count=dense_count)
    if todo is not None:
        return todo
    C, H, W, F, k = (PARAM_LAYER[n] for n in ("C", "H", "W", "F", "k"))
    conv = F * C * k * k + F
    outputs = F * (H - k + 1) * (W - k + 1)
    dense = C * H * W * outputs + outputs
    result = CheckResult("parameter counts", total=2)
    for what, got, expected, hint in (
            ("convolution", conv_count, conv,
             f"F·C·k·k + F: every filter has C·k·k = {C * k * k} weights and one bias"),
            ("dense layer", dense_count, dense,
             f"inputs·outputs + outputs, with {C * H * W} inputs and "
             f"F·OH·OW = {outputs} outputs (OH = H - k + 1)")):
        if got == expected:
            result.passed += 1
        else:
            result.messages.append(f"  {what}: got {got!r}, expected {expected}")
            result.messages.append(f"  hint: {hint}")
    return _print(result, quiet)


# ------------------------------------------------------------ exercise 5
def _cases_2d(rng):
    shapes = [((5, 5), (3, 3)), ((6, 4), (2, 3)), ((4, 7), (1, 1)), ((3, 3), (3, 3)),
              ((7, 5), (1, 4)), ((8, 9), (5, 2))]
    return [(rng.standard_normal(xs), rng.standard_normal(ks)) for xs, ks in shapes]


def _hint_correlate(args, got):
    x, k = args
    (H, W), (KH, KW) = x.shape, k.shape
    if _matches(got, convolve2d(x, k)):
        return ("your output is true convolution (the kernel is flipped); cross-correlation "
                "uses the kernel as it is: y[i, j] = sum of x[i + u, j + v] * k[u, v]")
    if got.shape == (H - KH, W - KW):
        return ("one row and one column short: the last window starts at row H - KH, so loop "
                "over range(H - KH + 1) (and range(W - KW + 1))")
    if got.shape == (W - KW + 1, H - KH + 1) and H != W:
        return "rows and columns are swapped: the output is (H - KH + 1, W - KW + 1)"
    if got.shape == (H, W):
        return "the output should be 'valid' (no padding): shape (H - KH + 1, W - KW + 1)"
    return None


def check_correlate2d(fn, quiet: bool = False) -> CheckResult:
    """Exercise 5: ``fn(x2d, k)``, a 'valid' cross-correlation written with loops.

    Compared with :func:`cnnedu.ops.conv.correlate2d` on random inputs: square
    and non-square, 1x1 and 1xN kernels, a kernel as large as the input.

    Parameters
    ----------
    fn : callable
        ``fn(x2d, k) -> y`` with ``x2d`` (H, W), ``k`` (KH, KW), ``y``
        (H - KH + 1, W - KW + 1).
    quiet : bool

    Returns
    -------
    CheckResult
    """
    cases = _cases_2d(np.random.default_rng(1))
    result = check_function("correlate2d", fn, correlate2d, cases, quiet=True)
    failure = None if result else _first_failure(fn, correlate2d, cases)
    if failure:
        _add_hint(result, _hint_correlate(failure[0], failure[1]))
    return _print(result, quiet)


# ------------------------------------------------------------ exercise 4
_SIZE_CASES = [(28, 3, 1, 0, 1), (28, 5, 1, 2, 1), (32, 3, 2, 1, 1), (7, 3, 2, 0, 1),
               (8, 3, 3, 0, 1), (10, 3, 1, 0, 2), (12, 3, 2, 1, 3), (5, 5, 1, 0, 1),
               (9, 4, 4, 1, 2), (1, 1, 5, 0, 1)]


def check_output_size(fn, quiet: bool = False) -> CheckResult:
    """Exercise 4: ``fn(n, k, s, p, d)``, the output size along one axis.

    Cases include strides that do not divide the input, dilation, a kernel
    exactly as large as the padded input, and an even kernel.

    Parameters
    ----------
    fn : callable
        ``fn(n, k, s, p, d) -> int``.
    quiet : bool

    Returns
    -------
    CheckResult
    """
    def reference(n, k, s, p, d):
        return conv_output_size(n, k, s, p, d)

    result = check_function("output size", fn, reference, _SIZE_CASES, quiet=True)
    if result.attempted and not result:
        for n, k, s, p, d in _SIZE_CASES:
            try:
                got = fn(n, k, s, p, d)
            except Exception:
                break
            if got == reference(n, k, s, p, d):
                continue
            if got == (n + 2 * p - k) // s + 1:
                _add_hint(result, "dilation is ignored: the kernel spans d(k - 1) + 1 pixels")
            elif got == -(-(n + 2 * p - d * (k - 1) - 1) // s) + 1:
                _add_hint(result, "round down (floor, // in Python), not up")
            elif got == (n + p - d * (k - 1) - 1) // s + 1:
                _add_hint(result, "padding p is added on both sides: n + 2p")
            elif isinstance(got, float):
                _add_hint(result, "return an int: use // for the floor of the division")
            break
    return _print(result, quiet)


# ------------------------------------------------------------ exercise 6
def _strided_reference(x, k, stride, padding, dilation):
    return conv2d(x[None, None], k[None, None], stride=stride, padding=padding,
                  dilation=dilation)[0, 0]


def _strided_cases(rng):
    settings = [((6, 6), (3, 3), 1, 0, 1), ((7, 7), (3, 3), 2, 0, 1), ((8, 8), (3, 3), 3, 0, 1),
                ((6, 9), (3, 2), 2, 1, 1), ((9, 9), (3, 3), 1, 0, 2), ((10, 8), (3, 3), 2, 1, 2),
                ((4, 4), (3, 3), 5, 0, 1), ((5, 7), (2, 3), 1, 2, 3)]
    return [(rng.standard_normal(xs), rng.standard_normal(ks), s, p, d)
            for xs, ks, s, p, d in settings]


def check_strided_conv(fn, quiet: bool = False) -> CheckResult:
    """Exercise 6: ``fn(x2d, k, stride, padding, dilation)``, strided and dilated.

    Compared with :func:`cnnedu.ops.conv.conv2d` on one channel; cases include a
    stride that does not tile the input, a stride larger than the input,
    padding with dilation, and non-square inputs and kernels.

    Parameters
    ----------
    fn : callable
        ``fn(x2d, k, stride, padding, dilation) -> y`` with int stride,
        padding (zeros on each side) and dilation.
    quiet : bool

    Returns
    -------
    CheckResult
    """
    cases = _strided_cases(np.random.default_rng(2))
    result = check_function("strided conv", fn, _strided_reference, cases, quiet=True)
    failure = None if result else _first_failure(fn, _strided_reference, cases)
    if failure:
        (x, k, s, p, d), got, expected = failure
        if d > 1 and _matches(got, _strided_reference(x, k, s, p, 1)):
            _add_hint(result, "dilation is ignored: tap (u, v) reads x_p[i*s + u*d, j*s + v*d]")
        elif s > 1 and _matches(got, _strided_reference(x, k, 1, p, d)):
            _add_hint(result, "stride is ignored: window (i, j) starts at (i*s, j*s)")
        elif p > 0 and _matches(got, _strided_reference(x, k, s, 0, d)):
            _add_hint(result, "padding is ignored: pad p zeros on every side first (np.pad)")
        elif got.shape != expected.shape:
            _add_hint(result, f"expected shape {expected.shape}: OH = floor((H + 2p - d(KH - 1)"
                              f" - 1) / s) + 1, the same for OW")
    return _print(result, quiet)


# ------------------------------------------------------------ exercise 7
def _im2col_reference(x, kh, kw):
    return im2col(x[None, None], kh, kw)


def check_im2col(fn, quiet: bool = False) -> CheckResult:
    """Exercise 7a: ``fn(x2d, kh, kw)``, the window matrix of one channel.

    The expected layout is :func:`cnnedu.ops.conv.im2col`'s: row ``u*KW + v``
    holds kernel tap ``(u, v)``, column ``i*OW + j`` the window of output
    pixel ``(i, j)``; shape ``(KH*KW, OH*OW)`` (stride 1, no padding).

    Parameters
    ----------
    fn : callable
    quiet : bool

    Returns
    -------
    CheckResult
    """
    rng = np.random.default_rng(3)
    cases = [(rng.standard_normal(s), kh, kw)
             for s, kh, kw in [((4, 4), 3, 3), ((5, 6), 2, 3), ((3, 5), 3, 1), ((4, 4), 4, 4)]]
    result = check_function("im2col", fn, _im2col_reference, cases, quiet=True)
    failure = None if result else _first_failure(fn, _im2col_reference, cases)
    if failure:
        args, got, expected = failure
        if _matches(got, expected.T):
            _add_hint(result, "transposed: one ROW per kernel tap, one COLUMN per window")
        elif got.shape == expected.shape and _matches(np.sort(got, 0), np.sort(expected, 0)):
            _add_hint(result, "the right windows, taps in the wrong order: row u*KW + v is "
                              "tap (u, v)")
        elif got.shape == expected.shape and _matches(np.sort(got, 1), np.sort(expected, 1)):
            _add_hint(result, "windows in the wrong order: column i*OW + j is output (i, j), "
                              "row-major")
    return _print(result, quiet)


def check_conv_im2col(fn, quiet: bool = False) -> CheckResult:
    """Exercise 7b: ``fn(x2d, k)``, 'valid' cross-correlation as one matrix product.

    Parameters
    ----------
    fn : callable
        ``fn(x2d, k) -> y`` of shape (H - KH + 1, W - KW + 1).
    quiet : bool

    Returns
    -------
    CheckResult
    """
    cases = _cases_2d(np.random.default_rng(4))
    result = check_function("conv via im2col", fn, correlate2d, cases, quiet=True)
    failure = None if result else _first_failure(fn, correlate2d, cases)
    if failure:
        _add_hint(result, _hint_correlate(failure[0], failure[1]) or
                  "k.ravel() @ cols has OH*OW values: reshape it to (OH, OW)")
    return _print(result, quiet)


# ------------------------------------------------------------ exercise 8
def check_receptive_field(size, jump, quiet: bool = False) -> CheckResult:
    """Exercise 8: receptive field size and jump after the last layer of :data:`RF_LAYERS`.

    Parameters
    ----------
    size : int
        Input pixels (along one axis) seen by one unit of the last layer.
    jump : int
        Input pixels between two neighbouring units of the last layer.
    quiet : bool

    Returns
    -------
    CheckResult
    """
    todo = unanswered("receptive field (size, jump)", quiet, size=size, jump=jump)
    if todo is not None:
        return todo
    table = receptive_field(RF_LAYERS)
    expected = (table[-1].size, table[-1].jump)
    result = check_answer("receptive field (size, jump)", (size, jump), expected, quiet=True)
    if not result:
        no_dilation = receptive_field([layer[:3] for layer in RF_LAYERS])[-1]
        if (size, jump) == (no_dilation.size, no_dilation.jump):
            _add_hint(result, "the last layer is dilated: its kernel spans d(k - 1) + 1 = 5 pixels")
        else:
            _add_hint(result, "go layer by layer from r_0 = 1, J_0 = 1: "
                              "r_l = r_(l-1) + (k_l - 1) J_(l-1) and J_l = J_(l-1) s_l, "
                              "with k_l replaced by d_l (k_l - 1) + 1 for a dilated layer")
    return _print(result, quiet)
