"""Pooling explorer: which input window makes which output cell.

Choose max or average pooling, the window size ``k``, the stride ``s`` and
the padding ``p``; pick an output cell ``(i, j)`` with the two sliders below.
The left panel shows the feature map (a crop of the Sobel response of a
digit, as in the convolution chapter) with every window outlined, the window
of the current cell in thick black and the next one dashed; the middle panel
shows that window's values and, for max pooling, the winner in yellow; the
right panel the pooled map with the current cell. A setting whose window
does not fit is explained in the caption, never raised.

Three layers: :mod:`cnnedu.ops.pool` computes (``max_pool2d``, ``avg_pool2d``,
``pool_window``), :mod:`cnnedu.viz.pool` draws, :func:`pooling_explorer`
builds.
"""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from .._checks import as_float_array, check_ndim
from ..explain.pool import digit_edge_map, pool_geometry_problem, window_coverage
from ..ops.pool import avg_pool2d, max_pool2d, pool_window
from ..viz.base import signed_cmap_limits
from ..viz.pool import (CellLabels, draw_pool_input, draw_pool_output, draw_pool_window,
                        format_value, update_pool_input, update_pool_output, update_pool_window)
from ._base import Explorer, new_figure

__all__ = ["pooling_explorer"]

_POOL = {"max": max_pool2d, "avg": avg_pool2d}
_NAMES = {"max": "max", "avg": "average"}


def _caption(x, kind, k, s, p, oh, ow, i, j, win, coverage) -> str:
    H, W = x.shape
    lines = [
        f"Output size: OH = &lfloor;(H + 2p &minus; k) / s&rfloor; + 1 = "
        f"&lfloor;({H} + 2&middot;{p} &minus; {k}) / {s}&rfloor; + 1 = <b>{oh}</b>, "
        f"and OW = <b>{ow}</b>."]
    top, left = win.top_left
    rows = f"rows {top}&ndash;{top + k - 1}" if k > 1 else f"row {top}"
    cols = f"columns {left}&ndash;{left + k - 1}" if k > 1 else f"column {left}"
    where = " (partly in the padding)" if not win.inside.all() else ""
    value = format_value(win.value, "{:.2f}")
    if kind == "max":
        result = f"its maximum is {value}, at input cell {win.argmax}"
        if np.count_nonzero(win.window[win.inside] == win.value) > 1:
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


def pooling_explorer(feature_map=None, kind: str = "max", size: int = 2, stride: int = 2,
                     padding: int = 0) -> Explorer:
    """Explore max and average pooling on a feature map, one output cell at a time.

    Parameters
    ----------
    feature_map : array_like, shape (H, W), optional
        The map to pool, at most 32 x 32 so that cells stay readable. By
        default :func:`cnnedu.explain.pool.digit_edge_map`: 16 x 16 values of
        the Sobel x response of a handwritten 7.
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
        :mod:`cnnedu.viz.pool`) and ``explorer.titles`` their titles.
    """
    x = np.array(check_ndim(as_float_array(digit_edge_map() if feature_map is None else
                                           feature_map, "feature_map"),
                            "feature_map", 2, "(H, W)"), dtype=np.float64)
    H, W = x.shape
    if not (1 <= H <= 32 and 1 <= W <= 32):
        raise ValueError(f"feature_map must be at most 32x32 so that its cells can be read, "
                         f"got shape {x.shape}")
    if kind not in _POOL:
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
    vmin, vmax = signed_cmap_limits(x) if x.min() < 0 else (float(x.min()), float(x.max()) or 1.0)
    colours = dict(vmin=vmin, vmax=vmax if vmax > vmin else vmin + 1.0)

    fig = new_figure(9.0, 3.4)
    ax_in, ax_win, ax_out = fig.subplots(1, 3, width_ratios=(1.25, 0.8, 1.0))
    fig.subplots_adjust(left=0.01, right=0.985, bottom=0.02, top=0.9, wspace=0.12)
    art_in = draw_pool_input(ax_in, x, 1, values="none", max_padding=4, **colours)
    art_win = draw_pool_window(ax_win, x, 0, 0, 1, title=False, max_size=8, fmt="{:.2f}",
                               **colours)
    art_out = draw_pool_output(ax_out, x, cell=None, max_shape=(H + 1, W + 1), **colours)
    # titles drawn as glyph outlines, all in one collection: a Text artist
    # costs more to render than everything else in a panel
    titles = CellLabels(ax_in, transform=fig.transFigure, valign="baseline")

    def set_titles(*texts):
        centres = [(ax.get_position().x0 + ax.get_position().x1) / 2
                   for ax in (ax_in, ax_win, ax_out)]
        titles.set([(c, 0.93) for c in centres], texts, ["black"] * 3, 10)

    cache: dict = {}
    busy = {"now": False, "last": ({}, "")}

    def geometry(kind, k, s, p):
        """Pooled output and coverage for one setting, computed once."""
        key = (kind, k, s, p)
        if key not in cache:
            y = _POOL[kind](x[None, None], k, s, p)[0, 0]
            cache[key] = (y, window_coverage((H, W), k, s, p))
        return cache[key]

    def set_range(control, top):
        control.disabled = top is None
        if top is not None and control.max != top:
            control.max = top       # may clamp the value: a nested update, see below

    def update(kind, size, stride, padding, row, col):
        if busy["now"]:
            # A slider's range changed inside this very update and clamped its
            # value: the outer call re-reads the value and draws once.
            return busy["last"]
        busy["now"] = True
        try:
            busy["last"] = result = _update(kind, size, stride, padding)
        finally:
            busy["now"] = False
        return result

    def _update(kind, k, s, p):
        base = dict(input=x, kind=kind, size=k, stride=s, padding=p)
        problem = pool_geometry_problem((H, W), k, s, p)
        if problem:
            set_range(controls["row"], None)
            set_range(controls["col"], None)
            update_pool_input(art_in, x, k, s, p, None, kind)
            update_pool_window(art_win, None, 0, 0, k)
            update_pool_output(art_out, None, note="")
            set_titles(f"input {H}×{W}, padding {p}", "no window", "no output: see below")
            state = dict(base, valid=False, problem=problem, output_size=None, output=None,
                         cell=None, window=None, inside=None, top_left=None, value=None,
                         winner=None, coverage=None)
            return state, (f"<b>This setting has no output</b>: {problem}. "
                           "Make the window smaller, or change the padding.")
        y, coverage = geometry(kind, k, s, p)
        oh, ow = y.shape
        set_range(controls["row"], oh - 1)
        set_range(controls["col"], ow - 1)
        i, j = controls["row"].value, controls["col"].value
        win = pool_window(x, i, j, k, s, p, kind)
        update_pool_input(art_in, x, k, s, p, (i, j), kind)
        update_pool_window(art_win, x, i, j, k, s, p, kind)
        update_pool_output(art_out, y, (i, j))
        set_titles(f"input {H}×{W}, padding {p}",
                   f"window ({i}, {j}): {kind} = {format_value(win.value, '{:.2f}')}",
                   f"{_NAMES[kind]} pooling: output {oh}×{ow}")
        state = dict(base, valid=True, problem=None, output_size=(oh, ow), output=y,
                     cell=(i, j), window=win.window, inside=win.inside,
                     top_left=win.top_left, value=win.value, winner=win.argmax,
                     coverage=coverage)
        return state, _caption(x, kind, k, s, p, oh, ow, i, j, win, coverage)

    explorer = Explorer(controls, fig, update,
                        layout=[["kind", "size", "stride", "padding"], ["row", "col"]],
                        title="Pooling: each output cell and the window it comes from")
    # the drawn artists, for tests and for readers who want to look inside
    explorer.artists = dict(input=art_in, window=art_win, output=art_out)
    explorer.titles = titles
    return explorer
