"""Checkers for the exercises at the end of each chapter.

Each chapter has a module here (``cnnedu.exercises.conv`` for chapter 1, ...)
whose ``check_*`` functions take the reader's function or answer, compare it
with what :mod:`cnnedu` computes on a few cases, and print what is right or,
for the first case that is wrong, what was expected and what was given. They
return a :class:`CheckResult` (true when everything passed), so a notebook
can also ``assert`` on it. A function that still raises
``NotImplementedError`` (the stub a chapter gives the reader) or an answer
that is still ``...`` gets one line saying what to do, and a result whose
``attempted`` is False.
"""
from ._common import CheckResult, check_answer, check_function

__all__ = ["CheckResult", "check_answer", "check_function"]
