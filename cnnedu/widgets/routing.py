"""The explorer of where max pooling sends the gradient.

:func:`maxpool_routing_explorer` -- where max pooling sends the gradient of
each pooled cell.

It is built in three layers: *compute*
(:func:`cnnedu.explain.routing.maxpool_routing_view`, built on
:func:`cnnedu.ops.pool.max_pool2d_backward`), *draw* (``draw_maxpool_routing``
/ ``update_maxpool_routing`` of :mod:`cnnedu.viz.routing`) and *caption*
(:func:`maxpool_routing_caption` here: a pure function, state -> HTML).
"""
from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np

from .. import samples
from ..explain import routing as rx
from ..viz.canvas import blit_figure
from ..viz.routing import draw_maxpool_routing, update_maxpool_routing
from ._base import LABEL_STYLE, Explorer, int_slider
from ._recipe import recorded

#: the builders (the captions are public too, but ``__all__`` lists only what
#: :mod:`cnnedu.widgets._registry` may call as an explorer)
__all__ = ["maxpool_routing_explorer"]




def maxpool_routing_caption(state: dict) -> str:
    """The caption (HTML) of a state of :func:`cnnedu.explain.routing.maxpool_routing_view`."""
    if not state["valid"]:
        return f"<b>No output</b>: {html.escape(state['problem'])}. Make the window smaller."
    (H, W), k, s = state["input"].shape, state["size"], state["stride"]
    (oh, ow), wins, ties = state["output_size"], state["wins"], state["ties"]
    receiving = int(np.count_nonzero(wins))
    lines = [f"Output size: O<sub>H</sub> = &lfloor;(H &minus; k) / s&rfloor; + 1 = "
             f"&lfloor;({H} &minus; {k}) / {s}&rfloor; + 1 = <b>{oh}</b>, "
             f"O<sub>W</sub> = <b>{ow}</b>.",
             ("The window sends" if oh * ow == 1 else f"Each of the {oh * ow} windows sends")
             + " its whole gradient dy[i, j] to the cell holding its maximum (dot); the other "
             f"cells of the window get 0 from it. {receiving} of the {H * W} input cells "
             f"receive{'s' if receiving == 1 else ''} a gradient, {H * W - receiving} get 0."]
    most = int(wins.max())
    if most > 1:
        lines.append(f"The windows overlap (stride {s} &lt; window {k}): "
                     f"{int(np.count_nonzero(wins > 1))} cells win several windows (up "
                     f"to {most}) and add up their gradients.")
    if ties:
        lines.append(f"{ties} window{'s have' if ties > 1 else ' has'} a tie for the "
                     "maximum: the first maximum in reading order takes the gradient.")
    if s > k:
        lines.append(f"The stride ({s}) is larger than the window ({k}): cells between "
                     "windows are never pooled and get zero gradient.")
    once = [name for name, o, n in (("down", oh, H), ("across", ow, W))
            if o == 1 and k < n < k + s]
    if once:
        lines.append(f"The stride ({s}) leaves no room for a second window "
                     f"{' or '.join(once)}: one window only, and the rest of the map gets "
                     "zero gradient.")
    return "<br>".join(lines)


@recorded
def maxpool_routing_explorer(feature_map=None, size: int = 2, stride: int = 2,
                             upstream: str = "ones") -> Explorer:
    """Where max pooling sends the gradient of each pooled cell.

    Three panels: the feature map with every window outlined and each
    window's maximum marked; the upstream gradient ``dL/dy`` (all ones, or
    random numbers); and ``dL/dx`` from
    :func:`cnnedu.ops.pool.max_pool2d_backward`, with a line from the centre
    of each window to the cell that receives its gradient.

    Parameters
    ----------
    feature_map : array_like (H, W), optional
        At most 16x16; default a 12x12 crop of the Sobel x response of a
        digit (``samples.edge_map(samples.digit(1), top=7, left=6, size=12)``).
    size, stride : int
        Initial window size (1 to 6) and stride (1 to H + 1).
    upstream : {'ones', 'random'}

    Returns
    -------
    Explorer
        Controls ``size``, ``stride``, ``upstream``. ``state()`` is
        :func:`cnnedu.explain.routing.maxpool_routing_view`'s dict;
        ``explorer.artists`` those of :func:`cnnedu.viz.routing.draw_maxpool_routing`.
    """
    if feature_map is None:
        feature_map = samples.edge_map(samples.digit(1), top=7, left=6, size=12)
    x = np.array(feature_map, dtype=np.float64)
    if x.ndim != 2 or min(x.shape) < 1 or max(x.shape) > 16:
        raise ValueError(f"feature_map must be a 2-D array of at most 16x16, got shape {x.shape}")
    if upstream not in rx.UPSTREAMS:
        raise ValueError(f"upstream must be 'ones' or 'random', got {upstream!r}")
    controls = {
        "size": int_slider(size, 1, 6, "window k"),
        "stride": int_slider(stride, 1, max(x.shape) + 1, "stride s"),
        "upstream": widgets.ToggleButtons(options=[("dL/dy = all ones", "ones"),
                                                   ("dL/dy random", "random")],
                                          value=upstream, description="upstream",
                                          style=LABEL_STYLE),
    }
    fig = blit_figure(9, 3.3)
    artists = draw_maxpool_routing(fig, x)

    def update(size, stride, upstream):
        state = rx.maxpool_routing_view(x, size, stride, upstream)
        update_maxpool_routing(artists, state)
        return state, maxpool_routing_caption(state)

    explorer = Explorer(controls, fig, update, layout=[["size", "stride", "upstream"]],
                        title="Max pooling routes each gradient to its window's maximum")
    explorer.artists = artists
    return explorer
