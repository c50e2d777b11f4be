"""Set-up shared by the drawing tests: the Agg backend, and a figure and axes per test.

pytest imports this file before any test module of this folder, so Agg is
selected before pyplot is first imported (nothing opens a window, and the
tests run without a display). The ``fig`` fixture is a pyplot figure, closed
after the test; ``ax`` is one Axes filling it. A test module whose pictures
need a particular figure marks itself with the keyword arguments of
``plt.figure``::

    pytestmark = pytest.mark.figure(figsize=(4, 4))
"""
import matplotlib
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # after matplotlib.use: pyplot starts on Agg


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "figure(**kwargs): keyword arguments of plt.figure for the fig fixture")


@pytest.fixture
def fig(request):
    """A pyplot figure (of the size the module's ``figure`` mark asks for), closed after the
    test."""
    mark = request.node.get_closest_marker("figure")
    figure = plt.figure(**(mark.kwargs if mark else {}))
    yield figure
    plt.close(figure)


@pytest.fixture
def ax(fig):
    """One Axes filling ``fig``."""
    return fig.add_subplot()
