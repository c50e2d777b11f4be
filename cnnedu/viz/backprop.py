"""Drawing functions of the backpropagation chapter: its graph and its gradient checks.

Each function takes a matplotlib ``Axes`` and arrays, draws, and returns the
artists it made. Signed values (gradients) are drawn with the diverging
:data:`~cnnedu.viz.SIGNED_CMAP` centred at zero. The chapter's explorers have
their own modules: :mod:`cnnedu.viz.conv_backward`, :mod:`cnnedu.viz.routing`
and :mod:`cnnedu.viz.learn` (with the loss curves), built from the panels of
:mod:`cnnedu.viz.panels`.
"""
from __future__ import annotations

import numpy as np
from matplotlib.patches import Circle, FancyArrowPatch

from .base import OKABE_ITO, as_2d, check_axes, signed_cmap_limits
from .panels import signed_map
from .text import MINUS, format_number

__all__ = ["ADJOINT_COLOR", "draw_scalar_graph", "show_gradient_check"]

#: colour of adjoints (gradients) written on a graph: blue of the Okabe-Ito palette
ADJOINT_COLOR = OKABE_ITO["blue"]


# ------------------------------------------------------------------ graph
#: where the nodes of L = (w x + b - t)^2 sit: name -> (x, y, symbol, quantity it holds)
_GRAPH_NODES = {
    "w": (0.0, 2.0, None, "w"), "x": (0.0, 0.0, None, "x"), "mul": (2.3, 1.0, "×", "p"),
    "b": (2.3, -1.3, None, "b"), "add": (4.6, 0.0, "+", "z"), "t": (4.6, -2.3, None, "t"),
    "sub": (6.9, -1.0, "−", "r"), "sq": (9.2, -1.0, "( )²", "L"),
}
#: edges (from, to)
_GRAPH_EDGES = [("w", "mul"), ("x", "mul"), ("mul", "add"), ("b", "add"), ("add", "sub"),
                ("t", "sub"), ("sub", "sq")]


def draw_scalar_graph(ax, graph, fontsize: float = 10):
    """Draw the computational graph of ``L = (w x + b - t)^2`` with its numbers.

    Operations are grey circles; next to every node (an input, or the result
    of an operation) its forward value is written in black and its adjoint
    ``dL/d(node)`` in blue. Arrows show the forward direction; the backward
    pass runs against them.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    graph : ScalarGraph
        From :func:`cnnedu.explain.backprop.scalar_graph`.
    fontsize : float

    Returns
    -------
    dict
        ``'nodes'`` (name -> artist), ``'arrows'`` (list), ``'values'`` and
        ``'adjoints'`` (quantity name -> Text).
    """
    check_axes(ax)
    if not (hasattr(graph, "values") and hasattr(graph, "adjoints")):
        raise TypeError(f"graph must be the ScalarGraph of scalar_graph(), "
                        f"got {type(graph).__name__}")
    nodes, arrows, values, adjoints = {}, [], {}, {}
    radius = 0.36
    for name, (x, y, symbol, q) in _GRAPH_NODES.items():
        value = f"{q} = {format_number(graph.values[q], minus=MINUS)}"
        adjoint = f"∂L/∂{q} = {format_number(graph.adjoints[q], minus=MINUS)}"
        if symbol is None:                       # an input: its value, adjoint below
            nodes[name] = values[q] = ax.text(x, y + 0.12, value, ha="center", va="bottom",
                                              fontsize=fontsize)
            adjoints[q] = ax.text(x, y - 0.12, adjoint, ha="center", va="top",
                                  fontsize=fontsize, color=ADJOINT_COLOR)
        else:                                    # an operation: circle, result above it
            nodes[name] = ax.add_patch(Circle((x, y), radius, facecolor="0.92", edgecolor="0.2",
                                              linewidth=1.0))
            ax.text(x, y, symbol, ha="center", va="center", fontsize=fontsize + 1)
            values[q] = ax.text(x, y + radius + 0.42, value, ha="center", va="bottom",
                                fontsize=fontsize)
            adjoints[q] = ax.text(x, y + radius + 0.1, adjoint, ha="center", va="bottom",
                                  fontsize=fontsize, color=ADJOINT_COLOR)
    for src, dst in _GRAPH_EDGES:
        (x0, y0, s0, _), (x1, y1, _, _) = _GRAPH_NODES[src], _GRAPH_NODES[dst]
        d = np.hypot(x1 - x0, y1 - y0)
        ux, uy = (x1 - x0) / d, (y1 - y0) / d
        gap0 = radius + 0.06 if s0 is not None else 0.95
        start = (x0 + ux * gap0, y0 + uy * gap0)
        end = (x1 - ux * (radius + 0.06), y1 - uy * (radius + 0.06))
        arrows.append(ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>",
                                                   mutation_scale=11, color="0.35", lw=1.0)))
    ax.set_xlim(-1.1, 10.3)
    ax.set_ylim(-2.9, 2.75)
    ax.set_aspect("equal")
    ax.set_axis_off()
    return dict(nodes=nodes, arrows=arrows, values=values, adjoints=adjoints)

# ------------------------------------------------------------------ gradient check
def show_gradient_check(axes, analytic, numeric, error=None, names=("analytic", "numerical")):
    """Analytic and numerical gradients side by side, and their difference.

    The first two panels share symmetric colour limits (the largest
    ``|value|`` of either), so equal values look equal; the third shows
    ``analytic - numeric`` with its own symmetric limits, written in its title.

    Parameters
    ----------
    axes : sequence of 3 Axes
    analytic, numeric : array_like, shape (H, W)
    error : float, optional
        The relative error, written in the difference panel's title.
    names : (str, str)
        Titles of the first two panels.

    Returns
    -------
    list of 3 AxesImage
    """
    axes = list(axes)
    if len(axes) != 3:
        raise ValueError(f"axes must hold 3 Axes, got {len(axes)}")
    a = as_2d(analytic, "analytic")
    n = as_2d(numeric, "numeric")
    if a.shape != n.shape:
        raise ValueError(f"analytic and numeric must have the same shape, got {a.shape} and "
                         f"{n.shape}")
    m = max(signed_cmap_limits(a)[1], signed_cmap_limits(n)[1])
    diff = a - n
    dm = float(np.abs(diff).max())
    ims = [signed_map(axes[0], a, names[0], vmax=m), signed_map(axes[1], n, names[1], vmax=m)]
    title = f"difference, max |·| = {dm:.0e}"
    if error is not None:
        title += f"\nrelative error {error:.0e}"
    ims.append(signed_map(axes[2], diff, title, vmax=dm if dm > 0 else 1.0))
    return ims
