"""Every checker before the reader has written anything, and with broken answers.

A chapter gives the reader a stub that raises ``NotImplementedError`` (or an
answer that is still ``...``) and calls the checker on it: the checker must
print one line saying what to do and return a result that was not attempted,
never fail the notebook. Any other exception is a wrong case, named.
"""
import inspect

import numpy as np
import pytest

from cnnedu.exercises import activation, backprop, check_answer, check_function, conv, dense
from cnnedu.exercises import deep, model, pool
from cnnedu.ops.activation import leaky_relu, leaky_relu_grad

MODULES = {"conv": conv, "pool": pool, "activation": activation, "dense": dense,
           "backprop": backprop, "model": model, "deep": deep}

#: the checkers that take the reader's functions; every other check_* takes values
FUNCTION_CHECKERS = {
    "conv": ["check_correlate2d", "check_output_size", "check_strided_conv", "check_im2col",
             "check_conv_im2col"],
    "pool": ["check_max_pool2d_single", "check_avg_pool_reshape", "check_max_pool_backward"],
    "activation": ["check_leaky_relu", "check_elu", "check_softmax_jacobian"],
    "dense": ["check_dense", "check_softmax", "check_dropout", "check_softmax_cross_entropy"],
    "backprop": ["check_relu_backward", "check_dense_backward", "check_numerical_gradient",
                 "check_conv_input_grad", "check_conv_backward_single"],
    "model": ["check_accuracy", "check_confusion_matrix", "check_saliency"],
    "deep": ["check_batch_norm_backward", "check_bn_inference", "check_running_update",
             "check_cosine_schedule"],
}


def checkers(module_name):
    module = MODULES[module_name]
    return [name for name in module.__all__ if name.startswith("check_")]


def answer_params(checker):
    return [p for p in inspect.signature(checker).parameters if p != "quiet"]


FUNCTION_CASES = [(m, n) for m in MODULES for n in FUNCTION_CHECKERS[m]]
VALUE_CASES = [(m, n) for m in MODULES for n in checkers(m) if n not in FUNCTION_CHECKERS[m]]


def ids(cases):
    return [f"{m}.{n}" for m, n in cases]


def stub(name):
    def fn(*args, **kwargs):
        raise NotImplementedError("a hint for the reader")
    fn.__name__ = name
    return fn


def test_every_checker_is_classified():
    for module_name in MODULES:
        unknown = set(FUNCTION_CHECKERS[module_name]) - set(checkers(module_name))
        assert not unknown, f"{module_name}: not checkers: {unknown}"
    assert len(VALUE_CASES) >= 20 and len(FUNCTION_CASES) == 27


@pytest.mark.parametrize("module_name, checker_name", FUNCTION_CASES, ids=ids(FUNCTION_CASES))
def test_a_stub_is_not_written_yet(module_name, checker_name, capsys):
    checker = getattr(MODULES[module_name], checker_name)
    names = [f"my_{p}" for p in answer_params(checker)]
    result = checker(*[stub(n) for n in names])
    out = capsys.readouterr().out
    assert out.count("\n") == 1, f"expected one line, got:\n{out}"
    assert out == (f"{result.name}: not written yet; write {' and '.join(names)} above and "
                   "run both cells.\n")
    assert not result and not result.attempted
    assert "cases correct" not in out


@pytest.mark.parametrize("module_name, checker_name", FUNCTION_CASES, ids=ids(FUNCTION_CASES))
def test_an_exception_is_a_wrong_case_named(module_name, checker_name):
    checker = getattr(MODULES[module_name], checker_name)

    def broken(*args):
        raise ValueError("my bug")

    result = checker(*[broken for _ in answer_params(checker)], quiet=True)
    assert result.attempted and not result and result.passed == 0 and result.total > 0
    text = str(result)
    assert f"0 of {result.total} cases correct" in text
    assert "case" in text and "raised ValueError: my bug" in text


@pytest.mark.parametrize("module_name, checker_name", FUNCTION_CASES, ids=ids(FUNCTION_CASES))
def test_a_wrong_answer_fails_with_the_case_named(module_name, checker_name):
    checker = getattr(MODULES[module_name], checker_name)

    def wrong(*args):
        return np.float64(-123.0)

    result = checker(*[wrong for _ in answer_params(checker)], quiet=True)
    assert result.attempted and not result and result.passed < result.total
    lines = str(result).splitlines()
    assert lines[0].endswith(f"{result.passed} of {result.total} cases correct.")
    assert any(line.lstrip().startswith("case") or ": case" in line for line in lines[1:]), lines


def test_not_implemented_on_some_cases_only_is_a_wrong_case():
    def output_size(n, k, s, p, d):
        if d > 1:
            raise NotImplementedError("dilation")
        return (n + 2 * p - k) // s + 1

    result = conv.check_output_size(output_size, quiet=True)
    assert result.attempted and not result and 0 < result.passed < result.total
    assert "raised NotImplementedError: dilation" in str(result)


def test_one_function_written_and_one_not():
    result = activation.check_leaky_relu(leaky_relu, stub("leaky_relu_grad"), quiet=True)
    assert result.attempted and not result
    assert str(result).splitlines() == [
        "leaky ReLU: 4 of 8 cases correct.",
        "  leaky_relu_grad: not written yet; write leaky_relu_grad above and run both cells."]
    assert activation.check_leaky_relu(leaky_relu, leaky_relu_grad, quiet=True)


def test_a_lambda_is_called_your_function():
    result = conv.check_output_size(lambda *a: (_ for _ in ()).throw(NotImplementedError),
                                    quiet=True)
    assert "write your function above" in str(result)


@pytest.mark.parametrize("module_name, checker_name", VALUE_CASES, ids=ids(VALUE_CASES))
def test_an_answer_left_as_ellipsis_is_not_answered_yet(module_name, checker_name, capsys):
    checker = getattr(MODULES[module_name], checker_name)
    params = answer_params(checker)
    result = checker(*[... for _ in params])
    out = capsys.readouterr().out
    assert out == f"{result.name}: not answered yet; replace each ... with your answer.\n"
    assert not result and not result.attempted
    # ... inside a list counts as well
    result = checker(*[[1, ...] for _ in params], quiet=True)
    assert not result.attempted and "not answered yet" in str(result)


@pytest.mark.parametrize("module_name, checker_name",
                         [c for c in VALUE_CASES
                          if len(answer_params(getattr(MODULES[c[0]], c[1]))) > 1],
                         ids=ids([c for c in VALUE_CASES
                                  if len(answer_params(getattr(MODULES[c[0]], c[1]))) > 1]))
def test_the_answers_still_missing_are_named(module_name, checker_name):
    checker = getattr(MODULES[module_name], checker_name)
    params = answer_params(checker)
    for missing in params:
        result = checker(*[... if p == missing else 0 for p in params], quiet=True)
        assert not result.attempted and result.missing == (missing,)
        assert str(result).endswith(f"replace the ... in {missing} with your answer.")


def test_the_shared_machinery():
    assert not check_answer("x", ..., 1.0, quiet=True).attempted
    nothing = check_function("f", stub("f"), lambda x: x, [(1.0,), (2.0,)], quiet=True)
    assert not nothing.attempted and nothing.total == 2 and nothing.missing == ("f",)
    assert str(nothing) == "f: not written yet; write f above and run both cells."
    done = check_function("f", lambda x: x, lambda x: x, [(1.0,)], quiet=True)
    assert done and done.attempted
