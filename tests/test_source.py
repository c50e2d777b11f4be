"""cnnedu.show_source prints a function's source exactly as the chapters print it."""
import ast
import inspect
import textwrap

import pytest

import cnnedu
from cnnedu import source
from cnnedu.gradcheck import numerical_gradient
from cnnedu.nn import Dense
from cnnedu.ops.conv import conv2d_naive


def chapter_show_code(fn):
    """The helper chapter 5 defines: the source with its docstring left out."""
    source_ = inspect.getsource(fn)
    lines = source_.splitlines()
    first = ast.parse(source_).body[0].body[0]
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
        lines[first.lineno - 1:first.end_lineno] = ["    ...  # docstring left out"]
    print("\n".join(lines))


def test_with_docstring_is_print_getsource(capsys):
    cnnedu.show_source(conv2d_naive)
    shown = capsys.readouterr().out
    print(inspect.getsource(conv2d_naive))
    assert shown == capsys.readouterr().out
    assert source.source_text(conv2d_naive) == inspect.getsource(conv2d_naive)


@pytest.mark.parametrize("fn", [numerical_gradient, conv2d_naive])
def test_without_docstring_is_the_chapters_show_code(fn, capsys):
    cnnedu.show_source(fn, docstring=False)
    shown = capsys.readouterr().out
    chapter_show_code(fn)
    assert shown == capsys.readouterr().out
    assert '"""' not in shown and "    ...  # docstring left out\n" in shown


def test_methods_and_classes_keep_their_indentation():
    text = source.source_text(Dense.output_shape, docstring=True)
    assert text.startswith("    def output_shape(")
    no_doc = source.source_text(Dense, docstring=False)
    assert no_doc.splitlines()[1] == "    ...  # docstring left out"
    assert "def _forward_op" in no_doc
    ast.parse(textwrap.dedent(source.source_text(Dense.output_shape, docstring=False)))


def test_without_a_docstring_nothing_is_left_out():
    def plain(x):
        return x

    assert source.source_text(plain, docstring=False) == inspect.getsource(plain).rstrip("\n")


@pytest.mark.parametrize("obj", [len, 3, "text"])
def test_objects_without_source(obj):
    with pytest.raises(TypeError, match="obj must be a function, method or class with source"):
        cnnedu.show_source(obj)
