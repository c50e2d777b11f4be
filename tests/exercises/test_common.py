"""The shared exercise-checking machinery."""
import numpy as np

from cnnedu.exercises import check_answer, check_function


def reference(x, k):
    return x * k


def test_check_function_passes_a_correct_function(capsys):
    cases = [(np.arange(4.0), 2.0), (np.ones((2, 2)), -1.0)]
    result = check_function("scale", lambda x, k: k * x, reference, cases)
    assert result and result.passed == result.total == 2
    assert "all 2 cases correct" in capsys.readouterr().out


def test_check_function_explains_the_first_wrong_case(capsys):
    cases = [(np.arange(4.0), 2.0), (np.arange(3.0), 3.0)]
    result = check_function("scale", lambda x, k: x + k, reference, cases)
    assert not result and result.passed == 0 and result.total == 2
    out = capsys.readouterr().out
    assert "0 of 2 cases correct" in out
    assert "first at index (0,): got 2, expected 0" in out
    assert out.count("case (") == 1


def test_check_function_reports_shape_and_exceptions(capsys):
    check_function("scale", lambda x, k: x[:1] * k, reference, [(np.arange(3.0), 1.0)])
    assert "shape (1,), expected (3,)" in capsys.readouterr().out
    result = check_function("scale", lambda x, k: 1 / 0, reference, [(np.arange(3.0), 1.0)])
    assert not result
    assert "raised ZeroDivisionError" in capsys.readouterr().out


def test_check_answer():
    assert check_answer("size", (13, 13), (13, 13), quiet=True)
    wrong = check_answer("size", (14, 13), (13, 13), quiet=True)
    assert not wrong and "item 0: got 14, expected 13" in str(wrong)
    assert check_answer("x", 0.1 + 0.2, 0.3, quiet=True)
    assert not check_answer("x", 0.31, 0.3, quiet=True)
