"""Checkers of the exercises on activations: they accept right answers and explain wrong ones."""
import numpy as np
import pytest

from cnnedu.ops import activation as act
from cnnedu.exercises import activation as ex


def test_relu_by_hand(capsys):
    assert ex.check_relu_by_hand([0, 0, 0, 1.5], [-0.2, -0.05, 0, 1.5])
    assert "all 1 cases correct" in capsys.readouterr().out
    wrong = ex.check_relu_by_hand([0, 0, 0, 1.5], [-0.02, -0.005, 0, 1.5], quiet=True)
    assert not wrong and "item 1: values differ, first at index (0,): got -0.02, expected -0.2" \
        in str(wrong)


def test_sigmoid_bound():
    assert ex.check_sigmoid_bound(1 / 4, 4.0 ** -10, quiet=True)
    wrong = ex.check_sigmoid_bound(0.5, 0.5 ** 10, quiet=True)
    assert not wrong and "item 0: got 0.5, expected 0.25" in str(wrong)


def test_softmax_by_hand():
    assert ex.check_softmax_by_hand([1 / 6, 1 / 3, 1 / 2], quiet=True)
    assert ex.check_softmax_by_hand([0.167, 0.333, 0.5], quiet=True)   # rounded is fine
    assert not ex.check_softmax_by_hand([0, np.log(2), np.log(3)], quiet=True)


def test_temperature_limits():
    assert ex.check_temperature_limits([0, 1, 0], [1 / 3] * 3, quiet=True)
    wrong = ex.check_temperature_limits([0, 0, 1], [1 / 3] * 3, quiet=True)
    assert not wrong and "item 0" in str(wrong)


def test_dead_unit():
    assert ex.check_dead_unit(-0.5, [0, 0], quiet=True)
    wrong = ex.check_dead_unit(-1.5, [0, 0], quiet=True)
    assert not wrong and "item 0: got -1.5, expected -0.5" in str(wrong)
    assert not ex.check_dead_unit(-0.5, [1, 0], quiet=True)


def test_leaky_relu_checker_accepts_the_library_and_a_reader_solution(capsys):
    assert ex.check_leaky_relu(act.leaky_relu, act.leaky_relu_grad)
    assert "leaky ReLU: all 8 cases correct" in capsys.readouterr().out
    assert ex.check_leaky_relu(lambda x, a: np.where(x > 0, x, a * x),
                               lambda x, a: np.where(x > 0, 1.0, a), quiet=True)


def test_leaky_relu_checker_explains_a_wrong_derivative():
    wrong = ex.check_leaky_relu(act.leaky_relu, lambda x, a: (x > 0) * 1.0, quiet=True)
    assert not wrong and wrong.passed == 4 and wrong.total == 8
    assert "leaky_relu_grad: case" in str(wrong) and "expected 0.01" in str(wrong)


def test_elu_checker_reports_overflow_instead_of_a_warning():
    def naive(x, a):
        return np.where(x > 0, x, a * (np.exp(x) - 1))     # exp(1000) overflows

    def naive_grad(x, a):
        return np.where(x > 0, 1.0, a * np.exp(x))

    result = ex.check_elu(naive, naive_grad, quiet=True)
    assert not result
    assert "raised FloatingPointError: overflow encountered in exp" in str(result)
    assert ex.check_elu(act.elu, act.elu_grad, quiet=True)
    assert ex.check_elu(lambda x, a: np.where(x > 0, x, a * np.expm1(np.minimum(x, 0))),
                        lambda x, a: np.where(x > 0, 1.0, a * np.exp(np.minimum(x, 0))),
                        quiet=True)


def test_softmax_jacobian_checker():
    def jac(z):
        p = act.softmax(z)
        return np.diag(p) - np.outer(p, p)

    assert ex.check_softmax_jacobian(jac, quiet=True)
    transposed_sign = ex.check_softmax_jacobian(lambda z: np.outer(act.softmax(z), act.softmax(z)),
                                                quiet=True)
    assert not transposed_sign and "values differ" in str(transposed_sign)
    only_diag = ex.check_softmax_jacobian(lambda z: np.diag(act.softmax(z) * (1 - act.softmax(z))),
                                          quiet=True)
    assert not only_diag


def test_merge_adds_up_and_prefixes_messages(capsys):
    a = ex.CheckResult("a", passed=1, total=2, messages=["  case (x): bad"])
    b = ex.CheckResult("b", passed=2, total=2)
    m = ex.merge("both", [("first", a), ("second", b)])
    assert (m.passed, m.total) == (3, 4) and not m
    out = capsys.readouterr().out
    assert "both: 3 of 4 cases correct." in out and "first: case (x): bad" in out


def test_strict_turns_numpy_warnings_into_errors():
    with pytest.raises(FloatingPointError, match="divide by zero"):
        ex.strict(lambda x: np.log(x))(np.array([0.0]))
