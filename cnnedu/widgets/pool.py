"""Pooling explorer: which input window makes which output cell.

Choose max or average pooling, the window size ``k``, the stride ``s`` and
the padding ``p``; pick an output cell ``(i, j)`` with the two sliders below.
The left panel shows the feature map (a crop of the Sobel response of a
digit, as in the convolution chapter) with every window outlined, the window
of the current cell in thick black and the next one dashed; the middle panel
shows that window's values and, for max pooling, the winner in yellow; the
right panel the pooled map with the current cell. A setting whose window
does not fit is explained in the caption, never raised.

Compute: :func:`cnnedu.explain.pool.pool_settings` (one setting: its
geometry, the pooled map from :mod:`cnnedu.ops.pool`, the coverage) and
:func:`cnnedu.explain.pool.pool_view` (one output cell); draw:
:func:`cnnedu.viz.pool_explorer.draw_pooling_explorer` and
:func:`~cnnedu.viz.pool_explorer.update_pooling_explorer`; caption: :func:`pool_caption`.
:func:`pooling_explorer` wires them to the controls.
"""
from __future__ import annotations

from functools import lru_cache

import ipywidgets as widgets
import numpy as np

from .. import samples
from .._checks import as_float_array, check_ndim
from ..explain.pool import pool_settings, pool_view
from ..viz.pool_explorer import draw_pooling_explorer, update_pooling_explorer
from ..viz.text import format_number
from ._base import Explorer, new_figure
from ._recipe import recorded

__all__ = ["pooling_explorer"]     # the builders (see _registry)


def pool_caption(state: dict) -> str:
    """The explorer's caption (HTML) for a state of :func:`cnnedu.explain.pool.pool_view`."""
    if not state["valid"]:
        return (f"<b>This setting has no output</b>: {state['problem']}. "
                "Make the window smaller, or change the padding.")
    H, _ = state["input"].shape
    kind, k, s, p = state["kind"], state["size"], state["stride"], state["padding"]
    (oh, ow), (i, j), coverage = state["output_size"], state["cell"], state["coverage"]
    window, inside = state["window"], state["inside"]
    lines = [
        f"Output size: OH = &lfloor;(H + 2p &minus; k) / s&rfloor; + 1 = "
        f"&lfloor;({H} + 2&middot;{p} &minus; {k}) / {s}&rfloor; + 1 = <b>{oh}</b>, "
        f"and OW = <b>{ow}</b>."]
    top, left = state["top_left"]
    rows = f"rows {top}&ndash;{top + k - 1}" if k > 1 else f"row {top}"
    cols = f"columns {left}&ndash;{left + k - 1}" if k > 1 else f"column {left}"
    where = " (partly in the padding)" if not inside.all() else ""
    value = format_number(state["value"], "{:.2f}")
    if kind == "max":
        result = f"its maximum is {value}, at input cell {state['winner']}"
        if np.count_nonzero(window[inside] == state["value"]) > 1:
            result += " (a tie: the first maximum in reading order wins)"
    else:
        result = f"the mean of its {k}&times;{k} = {k * k} cells is {value}"
    lines.append(f"Cell <b>({i}, {j})</b> pools input {rows}, {cols}{where}: {result}.")
    most = int(coverage.max())
    if most > 1:
        lines.append(f"Stride {s} &lt; window {k}: the windows overlap, and an input cell "
                     f"lies in up to {most} windows.")
    missed = int(np.count_nonzero(coverage == 0))
    if missed:
        why = ("the stride is larger than the window, so windows skip cells" if s > k
               else "the windows stop before the edge")
        lines.append(f"{missed} input cells (cross-hatched) lie in no window ({why}): "
                     f"they never reach the output.")
    if p:
        lines.append("Padded cells (hatched) hold &minus;&infin; for max pooling, so they "
                     "never win." if kind == "max" else
                     "Padded cells (hatched) count as 0 in the average, which pulls border "
                     "windows toward 0.")
    return "<br>".join(lines)


@recorded
def pooling_explorer(feature_map=None, kind: str = "max", size: int = 2, stride: int = 2,
                     padding: int = 0) -> Explorer:
    """Explore max and average pooling on a feature map, one output cell at a time.

    Parameters
    ----------
    feature_map : array_like, shape (H, W), optional
        The map to pool, at most 32 x 32 so that cells stay readable. By
        default ``samples.edge_map(samples.digit(1), top=7, left=6, size=16)``
        (:mod:`cnnedu.samples`): 16 x 16 values of the Sobel x response of a
        handwritten 7.
    kind : {'max', 'avg'}, default 'max'
    size, stride, padding : int, default 2, 2, 0
        Initial window size ``k``, stride ``s`` and padding ``p``.

    Returns
    -------
    Explorer
        Controls ``kind``, ``size``, ``stride``, ``padding``, ``row``, ``col``.
        ``state()`` holds ``input`` (H, W), ``kind``, ``size``, ``stride``,
        ``padding``, ``valid``, ``problem`` (why a setting does not fit, or
        None), ``output_size`` (OH, OW), ``output`` (OH, OW), ``cell``
        (i, j), ``window`` (k, k; NaN on padding), ``inside`` (k, k),
        ``top_left``, ``value``, ``winner`` (input cell of the maximum, None
        for average pooling) and ``coverage`` (H, W: how many windows hold
        each input cell); the entries that describe an output are None when
        the setting is invalid. ``explorer.artists`` holds the drawn panels
        (``'input'``, ``'window'``, ``'output'``: the artists of
        :mod:`cnnedu.viz.pool` and :mod:`cnnedu.viz.pool_explorer`) and
        ``explorer.titles`` their titles.
    """
    if feature_map is None:
        feature_map = samples.edge_map(samples.digit(1), top=7, left=6, size=16)
    x = np.array(check_ndim(as_float_array(feature_map, "feature_map"),
                            "feature_map", 2, "(H, W)"), dtype=np.float64)
    H, W = x.shape
    if not (1 <= H <= 32 and 1 <= W <= 32):
        raise ValueError(f"feature_map must be at most 32x32 so that its cells can be read, "
                         f"got shape {x.shape}")
    if kind not in ("max", "avg"):
        raise ValueError(f"kind must be 'max' or 'avg', got {kind!r}")
    style = dict(description_width="initial")
    controls = {
        "kind": widgets.ToggleButtons(options=[("max", "max"), ("average", "avg")], value=kind,
                                      description="pooling", style=style),
        "size": widgets.IntSlider(value=size, min=1, max=min(H, W) + 1,
                                  description="window k", style=style),
        "stride": widgets.IntSlider(value=stride, min=1, max=max(H, W) + 1,
                                    description="stride s", style=style),
        "padding": widgets.IntSlider(value=padding, min=0, max=4,
                                     description="padding p", style=style),
        "row": widgets.IntSlider(value=0, min=0, max=0, description="output row i", style=style),
        "col": widgets.IntSlider(value=0, min=0, max=0, description="output column j",
                                 style=style),
    }
    fig = new_figure(9.0, 3.4)
    panels = draw_pooling_explorer(fig, x, max_padding=4, max_size=8)

    @lru_cache(maxsize=64)
    def settings(kind, size, stride, padding):      # a setting is pooled once
        return pool_settings(x, kind, size, stride, padding)

    def last(axis):            # the largest output row / column; None (disabled): no output
        def rule(values):
            cell = settings(values["kind"], values["size"], values["stride"],
                            values["padding"]).last_cell
            return None if cell is None else cell[axis]
        return rule

    def update(kind, size, stride, padding, row, col):
        state = pool_view(settings(kind, size, stride, padding), row, col)
        update_pooling_explorer(panels, state)
        return state, pool_caption(state)

    explorer = Explorer(controls, fig, update,
                        layout=[["kind", "size", "stride", "padding"], ["row", "col"]],
                        title="Pooling: each output cell and the window it comes from",
                        ranges={"row": last(0), "col": last(1)})
    # the drawn artists, for tests and for readers who want to look inside
    explorer.artists = dict(input=panels.input, window=panels.window, output=panels.output)
    explorer.titles = panels.titles
    return explorer
