"""Showing the code of :mod:`cnnedu` in the book: :func:`show_source`.

The chapters print the source of the function they explain, so the text and
the code that computes every number are one and the same (the package is the
single source; nothing is copied into a chapter).
"""
from __future__ import annotations

import ast
import inspect
import textwrap

__all__ = ["source_text", "show_source"]

#: What replaces a left-out docstring (after the body's indentation).
DOCSTRING_LEFT_OUT = "...  # docstring left out"


def source_text(obj, docstring: bool = True) -> str:
    """The source code of a function, method or class, as a string.

    Parameters
    ----------
    obj : function, method or class
        Anything :func:`inspect.getsource` can read.
    docstring : bool, default True
        ``False`` replaces the docstring by one line,
        ``...  # docstring left out``, to show only the code.

    Returns
    -------
    str
        With the docstring: exactly :func:`inspect.getsource` (ending in a
        newline). Without it: the lines joined by newlines, no newline at
        the end.

    Raises
    ------
    TypeError
        If ``obj`` has no source code that Python can find (a builtin, a
        number, something defined in an interactive session).
    """
    try:
        source = inspect.getsource(obj)
    except (TypeError, OSError) as exc:
        raise TypeError(f"obj must be a function, method or class with source code, "
                        f"got {obj!r}") from exc
    if docstring:
        return source
    lines = source.splitlines()
    body = ast.parse(textwrap.dedent(source)).body[0].body
    first = body[0]
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
            and isinstance(first.value.value, str):
        line = lines[first.lineno - 1]
        indent = line[:len(line) - len(line.lstrip())]
        lines[first.lineno - 1:first.end_lineno] = [indent + DOCSTRING_LEFT_OUT]
    return "\n".join(lines)


def show_source(obj, docstring: bool = True) -> None:
    """Print the source code of a function, method or class.

    ``show_source(f)`` prints what ``print(inspect.getsource(f))`` prints;
    ``show_source(f, docstring=False)`` leaves the docstring out (one line
    ``...  # docstring left out`` in its place), for functions whose
    docstring the chapter's text already says.

    Parameters
    ----------
    obj : function, method or class
    docstring : bool, default True

    Examples
    --------
    >>> def double(x):
    ...     "Twice x."
    ...     return 2 * x
    >>> show_source(double, docstring=False)   # doctest: +SKIP
    def double(x):
        ...  # docstring left out
        return 2 * x
    """
    print(source_text(obj, docstring=docstring))
