"""Colours of every figure and explorer, for readers with any colour vision.

The book's rules (:mod:`cnnedu.viz`): images in grey (``IMAGE_CMAP``),
non-negative magnitudes with a sequential map (``MAGNITUDE_CMAP``), signed
values with the diverging ``SIGNED_CMAP`` and limits symmetric about 0 (so
that its white middle is 0), no other colour map; lines, markers and
outlines in colours of the Okabe-Ito palette.

Every public drawing function of the viz modules is drawn on signed and on
non-negative data, every explorer of the widget registry is built (on signed
data too, where it takes data) and moved through a few settings; then every
artist of the figure is checked against those rules.
"""
import colorsys
import importlib
import inspect

import numpy as np
import pytest
from matplotlib.collections import Collection
from matplotlib.colors import to_hex, to_rgba
from matplotlib.contour import ContourSet
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from cnnedu.explain import conv as cx
from cnnedu import viz
from cnnedu.viz import pool as viz_pool
from cnnedu.viz import pool_explorer as viz_pool_explorer
from cnnedu.viz import activation as viz_act
from cnnedu.viz import backprop as viz_backprop
from cnnedu.viz import conv_backward as viz_conv_backward
from cnnedu.viz import learn as viz_learn
from cnnedu.viz import panels as viz_panels
from cnnedu.viz import routing as viz_routing
from cnnedu.viz import canvas as viz_canvas
from cnnedu.viz import cells as viz_cells
from cnnedu.viz import conv as viz_conv
from cnnedu.viz import grid as viz_grid
from cnnedu.viz import kernels as viz_kernels
from cnnedu.viz import receptive_field as viz_rf
from cnnedu.viz import dense as viz_dense
from cnnedu.viz import model as viz_model
from cnnedu.viz import text as viz_text
from cnnedu.viz import tiles as viz_tiles
from cnnedu.viz import values as viz_values
from cnnedu.explain.backprop import scalar_graph
from cnnedu.explain.kernels import filter_view
from cnnedu.explain.receptive_field import receptive_field, receptive_field_units
from cnnedu.ops.pool import avg_pool2d

OKABE_ITO_HEX = {"#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7"}
ALLOWED_CMAPS = {viz.IMAGE_CMAP, viz.MAGNITUDE_CMAP, viz.SIGNED_CMAP}
SEQUENTIAL = {viz.IMAGE_CMAP, viz.MAGNITUDE_CMAP}
SIGNED = {viz.SIGNED_CMAP}
NONE = set()          # draws no colour-mapped artist
VIZ_MODULES = {"viz": viz, "viz_act": viz_act, "viz_backprop": viz_backprop,
               "viz_conv_backward": viz_conv_backward, "viz_learn": viz_learn,
               "viz_panels": viz_panels, "viz_routing": viz_routing,
               "viz_canvas": viz_canvas, "viz_cells": viz_cells, "viz_conv": viz_conv,
               "viz_dense": viz_dense,
               "viz_grid": viz_grid, "viz_kernels": viz_kernels, "viz_rf": viz_rf,
               "viz_model": viz_model, "viz_pool": viz_pool,
               "viz_pool_explorer": viz_pool_explorer, "viz_text": viz_text,
               "viz_tiles": viz_tiles, "viz_values": viz_values}

RNG = np.random.default_rng(0)
SIGNED_DATA = RNG.standard_normal((6, 6))                  # negative and positive values
NONNEG_DATA = RNG.uniform(0.05, 1.0, (6, 6))               # images, magnitudes


# ------------------------------------------------------------------ walking a figure
def colour_scales(fig):
    """``(artist, cmap name, vmin, vmax, values or None)`` for every colour-mapped artist.

    An artist maps values to colours if it holds values (an image or a
    collection with an array; RGB(A) pictures and contours in fixed colours
    do not) or if colour limits were set on it without values (the cells
    of :class:`cnnedu.viz.cells.CellGrid`, coloured directly from the map).
    """
    scales = []
    for art in fig.findobj(lambda a: hasattr(a, "get_cmap") and hasattr(a, "norm")):
        if isinstance(art, ContourSet) and art.colors is not None:
            continue
        values = art.get_array()
        if values is None:
            if not art.norm.scaled():
                continue          # an ordinary collection: no colour map in use
        else:
            values = np.ma.filled(np.ma.asarray(values, dtype=float), np.nan)
            if isinstance(art, AxesImage) and values.ndim == 3:
                continue          # an RGB(A) picture: its colours are given
        scales.append((art, art.get_cmap().name, art.norm.vmin, art.norm.vmax, values))
    return scales


def _chromatic(rgba):
    """A colour that is not grey, black or white (nor a pale tint of one)."""
    r, g, b, a = rgba
    _, saturation, value = colorsys.rgb_to_hsv(r, g, b)
    return a > 0 and saturation > 0.3 and value > 0.2


def _colours(art):
    if isinstance(art, Line2D):
        return [art.get_color(), art.get_markerfacecolor(), art.get_markeredgecolor()]
    if isinstance(art, Patch):
        return [art.get_edgecolor(), art.get_facecolor()]
    if isinstance(art, Collection):
        return list(art.get_edgecolors()) + list(art.get_facecolors())
    return [art.get_color()] if hasattr(art, "get_color") and hasattr(art, "get_text") else []


def categorical_colours(fig):
    """Every chromatic colour of a line, marker, patch, collection or text not mapped
    from a colour map (as hex), with the artist it belongs to."""
    mapped = {id(s[0]) for s in colour_scales(fig)}
    found = []
    for art in fig.findobj():
        if id(art) in mapped:
            continue
        for colour in _colours(art):
            if isinstance(colour, str) and colour in ("none", "auto"):
                continue
            rgba = to_rgba(colour)
            if _chromatic(rgba):
                found.append((to_hex(rgba), art))
    return found


def check_figure(fig, what):
    """The rules every figure follows, whatever it shows."""
    for art, name, vmin, vmax, values in colour_scales(fig):
        where = f"{what}: {type(art).__name__} with colour map {name!r}"
        assert name in ALLOWED_CMAPS, f"{where} is not one of the book's maps {ALLOWED_CMAPS}"
        if name == viz.SIGNED_CMAP:
            assert vmin is not None and vmax is not None and vmax > 0, f"{where} has no limits"
            assert abs(vmin + vmax) <= 1e-9 * vmax, \
                f"{where}: limits ({vmin}, {vmax}) are not symmetric about 0"
        if values is not None:
            finite = values[np.isfinite(values)]
            if finite.size and finite.min() < 0:
                assert name == viz.SIGNED_CMAP, \
                    f"{where} shows negative values (min {finite.min():.3g}) on a sequential map"
    for colour, art in categorical_colours(fig):
        assert colour in OKABE_ITO_HEX, \
            f"{what}: {type(art).__name__} drawn in {colour}, not an Okabe-Ito colour"


def cmaps_used(fig):
    return {name for _, name, *_ in colour_scales(fig)}


# ------------------------------------------------------- every public drawing function
def _ax(fig):
    return fig.add_subplot()


def _stack(d):
    return np.stack([d, 0.5 * d, d.T])


def _update_grid(fig, d):
    viz_values.update_grid_values(viz_values.show_grid_values(_ax(fig), d), 0.5 * d)


def _mark_window(fig, d):
    ax = _ax(fig)
    viz.show_image(ax, d)
    viz.mark_window(ax, 1, 1, 3)


def _pipeline(fig, d):
    viz.show_pipeline(_ax(fig), [("input", (1, 28, 28)), ("conv", (8, 26, 26)), ("dense", (10,))])


def _activation(fig, d):
    x = np.linspace(-3, 3, 61)
    art = viz_act.plot_activation(_ax(fig), x, np.tanh(x), 1 - np.tanh(x) ** 2, 0.5,
                                  np.tanh(0.5), 1 - np.tanh(0.5) ** 2)
    viz_act.update_activation(art, x, np.maximum(x, 0), (x > 0) * 1.0, 1.0, 1.0, 1.0)


def _bars(fig, d):
    bars = viz_act.draw_bars(_ax(fig), d.ravel()[:5], highlight=1)
    viz_act.update_bars(bars, d.ravel()[5:10], highlight=2)


def _dropout_mask(fig, d):
    im = viz_dense.show_dropout_mask(_ax(fig), d > 0.5)
    viz_dense.update_dropout_mask(im, d > 0)


def _activation_panels(fig, d):
    from cnnedu.explain.activation import activation_view

    viz_canvas.BlitCanvas(fig)
    x = np.linspace(-3, 3, 31)
    panels = viz_act.draw_activation_panels(fig, activation_view(d, "relu", 0.1, 0.5, x))
    viz_act.update_activation_panels(panels, activation_view(d, "elu", 1.0, -1.0, x), "ELU")


def _softmax_panels(fig, d):
    from cnnedu.explain.activation import softmax_view

    viz_canvas.BlitCanvas(fig)
    bars = viz_act.draw_softmax_panels(fig, 3)
    bars.update(softmax_view(", ".join(f"{v:g}" for v in d.ravel()[:4]), 0.5, 10.0))


def _dropout_panels(fig, d):
    from cnnedu.explain.dense import dropout_view

    viz_canvas.BlitCanvas(fig)
    panels = viz_dense.draw_dropout_panels(fig, dropout_view(d, 0.0, 0, "eval"), 10)
    viz_dense.update_dropout_panels(panels, dropout_view(d, 0.5, 1, "train"))


def _digit_panels(fig, d):
    from cnnedu.explain.model import digit_plan, digit_view
    from cnnedu.nn import Conv2D, Dense, Flatten, Input
    from cnnedu.nn.model import Sequential

    viz_canvas.BlitCanvas(fig)
    model = Sequential([Input((1, 28, 28)), Conv2D(2, 3, activation="relu"), Flatten(),
                        Dense(5, activation="relu"), Dense(3, activation="softmax")], seed=0)
    X = np.kron(d, np.ones((5, 5)))[None, None, :28, :28].astype(np.float32)
    X = np.clip(X, 0, 1)
    plan = digit_plan(model, X)
    view = digit_view(model, plan, X, None, "test digit", 0, np.zeros((14, 14), bool), True)
    panels = viz_model.draw_digit_panels(fig, plan, view, 2)
    viz_model.update_digit_panels(panels, plan, view, 2)


def _scalar_graph(fig, d):
    viz_backprop.draw_scalar_graph(_ax(fig), scalar_graph(*d.ravel()[:4]))


def _signed_map(fig, d):
    viz_panels.update_signed_map(viz_panels.signed_map(_ax(fig), d), 2 * d[:4])


def _padded_map(fig, d):
    viz_panels.update_padded_map(viz_panels.padded_map(_ax(fig), d, pad=1), 2 * d, pad=2)


def _outlines(fig, d):
    ax = viz_panels.bare_axes(_ax(fig))
    viz_panels.set_cell_outlines(viz_panels.cell_outlines(ax), [(0, 0), (1, 2)], 2, 2)
    viz_panels.set_cell_outlines(viz_panels.cell_outlines(ax, viz_conv_backward.PIXEL_COLOR),
                                 [(3, 3)])
    viz_panels.fixed_box(ax)


def _routing_marks(fig, d):
    arrows = viz_routing.routing_arrows(_ax(fig))
    viz_routing.set_routing(arrows, [(0.5, 0.5)], [(1, 0)])


def _conv_backward(fig, d):
    from cnnedu.explain.conv_backward import conv_backward_view

    art = viz_conv_backward.draw_conv_backward(fig, d, d[:3, :3])
    for loss, pad in (("cell", 1), ("sum", 0)):
        viz_conv_backward.update_conv_backward(art, conv_backward_view(d, d[:3, :3], 1, pad,
                                                                       loss, 2, 7))


def _learn_kernel(fig, d):
    from cnnedu.explain.learn import kernel_problem, learn_kernel, learn_kernel_view

    problem = kernel_problem(d[None, None], hidden=d[:3, :3])
    run = learn_kernel(problem, 0.1, steps=5)
    art = viz_learn.draw_learn_kernel(fig, problem.targets[0, 0], problem.hidden)
    viz_learn.update_learn_kernel(art, learn_kernel_view(problem, run, "d", 0.1, 3),
                                  run.losses, 5)


def _maxpool_routing(fig, d):
    from cnnedu.explain.routing import maxpool_routing_view

    art = viz_routing.draw_maxpool_routing(fig, d)
    for size, stride in ((2, 1), (9, 1)):
        viz_routing.update_maxpool_routing(art, maxpool_routing_view(d, size, stride, "random"))


def _gradient_check(fig, d):
    viz_backprop.show_gradient_check(fig.subplots(1, 3), d, d + 1e-7 * d.T, error=1e-7)


def _loss_curves(fig, d):
    runs = {name: np.abs(d.ravel()) * (k + 1) for k, name in enumerate(["sgd", "momentum", "adam"])}
    viz_learn.draw_loss_curves(_ax(fig), runs)


def _titles_and_labels(fig, d):
    axes = fig.subplots(1, 2)
    viz_text.PanelTitles(axes).set("a", "b")
    im = viz.show_image(axes[1], d[:3, :3])
    viz_panels.set_grid_labels(viz_text.LabelLayer(axes[1]), im, d[:3, :3])
    viz_text.LabelLayer(axes[0]).set([(0, 0), (1, 1)], ["1", "2"],
                                     viz_text.cell_text_colours(im, [d[0, 0], d[1, 1]]))


def _padded_input(fig, d):
    art = viz_grid.draw_padded_input(_ax(fig), np.pad(d, 1), (1, 1, 1, 1))
    viz_grid.update_padded_input(art, np.pad(d, 2), (2, 2, 2, 2))


def _footprint(fig, d):
    ax = _ax(fig)
    viz_grid.draw_padded_input(ax, d, (0, 0, 0, 0))
    fp = viz_conv.draw_footprint(ax, [0, 2], [0, 2])
    viz_conv.update_footprint(fp, [1, 3], [1, 3])
    crosses = viz_conv.draw_never_read(ax, np.arange(6) < 5, np.arange(6) < 4)
    viz_conv.update_never_read(crosses, np.arange(6) < 4, np.arange(6) < 5)
    texts = viz_conv.draw_window_values(ax, d[:2, :2], [0, 1], [0, 1])
    viz_conv.update_window_values(texts, d[1:3, 1:3], [1, 2], [1, 2])


def _products(fig, d):
    viz_conv.draw_products(_ax(fig), d[:3, :3])


def _output(fig, d):
    grid = viz_grid.draw_output(_ax(fig), d, filled=10, current=(1, 3), fmt="{:.1f}")
    viz_grid.update_output(grid, 0.5 * d, filled=12, current=(2, 0))


def _receptive_field(fig, d):
    layers = [("conv3", 3, 1), ("pool2", 2, 2)]
    viz_rf.draw_receptive_field(_ax(fig), receptive_field(layers, 12),
                                receptive_field_units(layers, 12, 2))


def _filters(fig, d):
    viz_tiles.show_filters(_ax(fig), _stack(d)[:, :3, :3], ncols=3)


def _feature_maps(fig, d):
    art = viz_tiles.show_feature_maps(_ax(fig), _stack(d), ncols=2)
    viz_tiles.update_feature_maps(art, 2 * _stack(d))


def _confusion(fig, d):
    viz_model.show_confusion_matrix(_ax(fig), np.round(10 * np.abs(d[:4, :4])).astype(int))


def _probabilities(fig, d):
    p = np.abs(d.ravel()[:10]) / np.abs(d.ravel()[:10]).sum()
    bars = viz_model.show_probabilities(_ax(fig), p, highlight=int(p.argmax()))
    viz_model.update_probabilities(bars, p[::-1], highlight=0)


def _history(fig, d):
    history = {"loss": [1.0, 0.5], "val_loss": [1.1, 0.6], "accuracy": [0.7, 0.9],
               "val_accuracy": [0.6, 0.85]}
    viz_model.plot_history(fig.subplots(1, 2), history)


def _saliency(fig, d):
    image = np.zeros((6, 6))
    image[1:5, 2:4] = 1.0
    viz_model.show_saliency(_ax(fig), image, d)


def _pool_input(fig, d):
    art = viz_pool.draw_pool_input(_ax(fig), d, 2, cell=(1, 1))
    viz_pool.update_pool_input(art, d, 3, 1, 1, cell=(0, 2))


def _pool_window(fig, d):
    art = viz_pool_explorer.draw_pool_window(_ax(fig), d, 0, 1, 2)
    viz_pool_explorer.update_pool_window(art, d, 1, 1, 3, 1, 1)


def _pool_output(fig, d):
    y = avg_pool2d(d[None, None], 2)[0, 0]
    art = viz_pool.draw_pool_output(_ax(fig), y, cell=(0, 1))
    viz_pool.update_pool_output(art, 0.5 * y, cell=(2, 2))


def _pooling_explorer(fig, d):
    from cnnedu.explain.pool import pool_settings, pool_view

    viz_canvas.BlitCanvas(fig)
    panels = viz_pool_explorer.draw_pooling_explorer(fig, d)
    for settings, cell in [(pool_settings(d, "max", 3, 2, 1), (1, 2)),
                           (pool_settings(d, "avg", 9, 1, 0), (0, 0)),
                           (pool_settings(d, "avg", 2, 1, 1), (3, 4))]:
        viz_pool_explorer.update_pooling_explorer(panels, pool_view(settings, *cell))


def _kernel_slider(fig, d):
    from cnnedu.kernels import get_kernel

    viz_canvas.BlitCanvas(fig)
    art = viz_conv.draw_kernel_slider(fig, cx.slide_view(d, get_kernel("sobel_x"), 0))
    viz_conv.update_kernel_slider(art, cx.slide_view(d, get_kernel("box_blur_3x3"), 7))


def _stride_explorer(fig, d):
    from cnnedu.kernels import get_kernel

    viz_canvas.BlitCanvas(fig)
    art = viz_conv.draw_stride_explorer(fig, d)
    for s, p, dil, position in [(1, 0, 4, 0), (2, "same", 1, 3)]:
        settings = cx.stride_settings(d, get_kernel("box_blur_3x3"), s, p, dil)
        viz_conv.update_stride_explorer(art, cx.stride_view(settings, position))


def _filter_bank(fig, d):
    from cnnedu.kernels import get_kernel

    viz_canvas.BlitCanvas(fig)
    art = viz_kernels.draw_filter_bank(fig, d)
    viz_kernels.update_filter_bank(art, filter_view(d, get_kernel("sobel_x")), "sobel_x")
    viz_kernels.update_filter_bank(art, filter_view(d, "1 2\n3"), "custom")
    viz_kernels.update_filter_bank(art, filter_view(d, "1 1\n1 1"), "custom")


#: name -> (draw(fig, data), maps on signed data, maps on non-negative data); the
#: name lists the public functions the case draws with.
CASES = {
    "viz.show_image": (lambda f, d: viz.show_image(_ax(f), d), SIGNED, {viz.IMAGE_CMAP}),
    "viz_values.show_grid_values": (lambda f, d: viz_values.show_grid_values(_ax(f), d), SIGNED,
                             {viz.IMAGE_CMAP}),
    "viz_values.show_grid_values+update_grid_values": (_update_grid, SIGNED, {viz.IMAGE_CMAP}),
    "viz.show_image_grid": (lambda f, d: viz.show_image_grid(f, _stack(d)), SIGNED,
                            {viz.IMAGE_CMAP}),
    "viz.mark_window": (_mark_window, SIGNED, {viz.IMAGE_CMAP}),
    "viz.show_pipeline": (_pipeline, NONE, NONE),
    "viz_act.plot_activation+update_activation": (_activation, NONE, NONE),
    "viz_act.draw_bars+update_bars": (_bars, NONE, NONE),
    "viz_dense.show_dropout_mask+update_dropout_mask": (_dropout_mask, {viz.IMAGE_CMAP},
                                                        {viz.IMAGE_CMAP}),
    "viz_act.draw_activation_panels+update_activation_panels": (
        _activation_panels, SIGNED | {viz.MAGNITUDE_CMAP}, SIGNED | {viz.MAGNITUDE_CMAP}),
    "viz_act.draw_softmax_panels": (_softmax_panels, NONE, NONE),
    "viz_dense.draw_dropout_panels+update_dropout_panels": (
        _dropout_panels, {viz.IMAGE_CMAP} | SIGNED, {viz.IMAGE_CMAP, viz.MAGNITUDE_CMAP}),
    "viz_model.draw_digit_panels+update_digit_panels": (
        _digit_panels, {viz.IMAGE_CMAP, viz.MAGNITUDE_CMAP}, {viz.IMAGE_CMAP, viz.MAGNITUDE_CMAP}),
    "viz_backprop.draw_scalar_graph": (_scalar_graph, NONE, NONE),
    "viz_panels.signed_map+update_signed_map": (_signed_map, SIGNED, SIGNED),
    "viz_panels.padded_map+update_padded_map": (_padded_map, SIGNED, {viz.IMAGE_CMAP}),
    "viz_panels.cell_outlines+set_cell_outlines+fixed_box+bare_axes": (_outlines, NONE, NONE),
    "viz_routing.routing_arrows+set_routing": (_routing_marks, NONE, NONE),
    "viz_backprop.show_gradient_check": (_gradient_check, SIGNED, SIGNED),
    "viz_learn.draw_loss_curves": (_loss_curves, NONE, NONE),
    "viz_conv_backward.draw_conv_backward+update_conv_backward": (
        _conv_backward, SIGNED, {viz.IMAGE_CMAP, viz.SIGNED_CMAP}),
    "viz_learn.draw_learn_kernel+update_learn_kernel": (_learn_kernel, SIGNED, SIGNED),
    "viz_routing.draw_maxpool_routing+update_maxpool_routing": (_maxpool_routing, SIGNED,
                                                                SIGNED),
    "viz_panels.set_grid_labels": (_titles_and_labels, SIGNED, {viz.IMAGE_CMAP}),
    "viz_grid.draw_padded_input+update_padded_input": (_padded_input, SIGNED, {viz.IMAGE_CMAP}),
    "viz_conv.draw_footprint+update_footprint+draw_never_read+update_never_read"
    "+draw_window_values+update_window_values": (_footprint, SIGNED, {viz.IMAGE_CMAP}),
    "viz_conv.draw_products": (_products, SIGNED, SIGNED),
    "viz_grid.draw_output+update_output": (_output, SIGNED, {viz.IMAGE_CMAP}),
    "viz_rf.draw_receptive_field": (_receptive_field, NONE, NONE),
    "viz_tiles.show_filters": (_filters, SIGNED, SIGNED),
    "viz_tiles.show_feature_maps+update_feature_maps": (_feature_maps, SIGNED,
                                                        {viz.MAGNITUDE_CMAP}),
    "viz_model.show_confusion_matrix": (_confusion, {viz.MAGNITUDE_CMAP}, {viz.MAGNITUDE_CMAP}),
    "viz_model.show_probabilities+update_probabilities": (_probabilities, NONE, NONE),
    "viz_model.plot_history": (_history, NONE, NONE),
    "viz_model.show_saliency": (_saliency, SIGNED, SIGNED),
    "viz_pool.draw_pool_input+update_pool_input+show_pool_input": (_pool_input, SIGNED,
                                                                   {viz.IMAGE_CMAP}),
    "viz_pool_explorer.draw_pool_window+update_pool_window": (_pool_window, SIGNED,
                                                              {viz.IMAGE_CMAP}),
    "viz_pool.draw_pool_output+update_pool_output": (_pool_output, SIGNED, {viz.IMAGE_CMAP}),
    "viz_pool_explorer.draw_pooling_explorer+update_pooling_explorer+show_pool_window": (
        _pooling_explorer, SIGNED, {viz.IMAGE_CMAP}),
    "viz_conv.draw_kernel_slider+update_kernel_slider": (_kernel_slider, SIGNED,
                                                         {viz.IMAGE_CMAP, viz.SIGNED_CMAP}),
    "viz_conv.draw_stride_explorer+update_stride_explorer": (_stride_explorer, SIGNED,
                                                             {viz.IMAGE_CMAP}),
    "viz_kernels.draw_filter_bank+update_filter_bank": (_filter_bank, SIGNED,
                                                     {viz.IMAGE_CMAP, viz.SIGNED_CMAP}),
}

#: Public functions of the viz modules that draw nothing themselves.
NOT_DRAWING = {"viz_panels.set_image", "viz_panels.same_image", "viz_panels.with_padding",
               "viz_panels.spines", "viz_panels.invalidate",
               "viz.signed_cmap_limits", "viz.cmap_and_limits", "viz_panels.padded_cmap",
               "viz_canvas.blit_figure", "viz_canvas.png_bytes", "viz_tiles.mosaic",
               "viz_act.robust_limits", "viz_act.rounded_limits", "viz_act.logit_label",
               "viz_act.probability_label", "viz_tiles.vector_tiles",
               "viz_text.format_number", "viz_text.number_formatter", "viz_text.text_colours",
               "viz_text.cell_text_colours",
               "viz_kernels.kernel_picture"}   # returns a picture, draws on no Axes


@pytest.mark.parametrize("data", ["signed", "non-negative"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_drawing_function_uses_the_books_colour_maps(name, data):
    draw, on_signed, on_nonneg = CASES[name]
    values, expected = (SIGNED_DATA, on_signed) if data == "signed" else (NONNEG_DATA, on_nonneg)
    fig = Figure(figsize=(4, 3), dpi=50)
    draw(fig, values)
    check_figure(fig, f"{name} on {data} data")
    assert cmaps_used(fig) == expected, \
        f"{name} on {data} data draws with {cmaps_used(fig) or 'no colour map'}, " \
        f"expected {expected or 'none'}"


def test_every_public_drawing_function_is_checked():
    covered = {f"{module}.{fn}" for module, fns in (key.split(".", 1) for key in CASES)
               for fn in fns.split("+")}
    # a function is counted once, under the module that defines it (``viz`` stands for
    # viz.base); a name the package re-exports (``viz.show_grid_values``) is not counted twice
    key_of = {m.__name__: key for key, m in VIZ_MODULES.items()}
    key_of["cnnedu.viz.base"] = "viz"
    public = {f"{key_of[f.__module__]}.{n}" for m in VIZ_MODULES.values() for n in m.__all__
              if inspect.isfunction(f := getattr(m, n))}
    assert public - covered - NOT_DRAWING == set(), "public functions without a colour check"
    assert covered - public == set(), "cases name functions that do not exist"


def test_signed_data_get_symmetric_limits_even_when_asked_otherwise():
    fig = Figure()
    im = viz.show_image(_ax(fig), SIGNED_DATA, cmap=viz.SIGNED_CMAP, vmin=-1, vmax=3)
    assert im.get_clim() == (-3.0, 3.0)
    assert viz.cmap_and_limits(SIGNED_DATA, vmin=0, vmax=1) == (viz.IMAGE_CMAP, 0, 1)  # asked: clip
    assert viz.cmap_and_limits(NONNEG_DATA, vmin=-2)[0] == viz.SIGNED_CMAP


# --------------------------------------------------------------- every explorer
def _explorer_cases():
    from cnnedu.widgets._registry import builders

    # explorers whose default data are non-negative: built on signed data too (the others,
    # activation_explorer, conv_backward_explorer, maxpool_routing_explorer, show signed
    # data with their defaults)
    signed_inputs = {
        "conv.kernel_slider": dict(image=SIGNED_DATA),
        "conv.stride_explorer": dict(image=SIGNED_DATA),
        "conv.filter_bank": dict(image=SIGNED_DATA),
        "dense.dropout_explorer": dict(activations=SIGNED_DATA),
        "pooling.pooling_explorer": dict(feature_map=SIGNED_DATA),
    }
    cases = []
    for name, builder in sorted(builders().items()):
        cases.append(pytest.param(builder, {}, id=f"{name}-defaults"))
        if name in signed_inputs:
            cases.append(pytest.param(builder, signed_inputs[name], id=f"{name}-signed"))
    return cases


@pytest.mark.parametrize("builder, kwargs", _explorer_cases())
def test_explorer_uses_the_books_colours(builder, kwargs):
    from cnnedu.widgets._registry import control_values

    explorer = builder(**kwargs)
    name = builder.__name__
    check_figure(explorer.figure, f"{name} as built")
    if "image" in kwargs or "feature_map" in kwargs or "activations" in kwargs:
        assert viz.SIGNED_CMAP in cmaps_used(explorer.figure), \
            f"{name} shows signed input data without the diverging map"
    rng = np.random.default_rng(0)
    sweeps = {k: control_values(c, most=3) for k, c in explorer.controls.items()}
    sweeps = {k: v for k, v in sweeps.items() if v}
    for step in range(1 if kwargs else 2):
        for key in rng.permutation(sorted(sweeps)):
            explorer.controls[key].value = sweeps[key][rng.integers(len(sweeps[key]))]
        check_figure(explorer.figure, f"{name} after change {step + 1}")


# ------------------------------------------------------------------- the palette
def test_palette_constants_are_the_okabe_ito_colours():
    assert {k: v.lower() for k, v in viz.OKABE_ITO.items()} == {
        "orange": "#e69f00", "sky blue": "#56b4e9", "bluish green": "#009e73",
        "yellow": "#f0e442", "blue": "#0072b2", "vermillion": "#d55e00",
        "reddish purple": "#cc79a7"}
    assert sorted(c.lower() for c in viz.CATEGORICAL_COLORS) == sorted(OKABE_ITO_HEX)
    assert viz.CATEGORICAL_COLORS[-1].lower() == "#f0e442"      # yellow, faint on white: last
    assert viz.HIGHLIGHT_COLOR.lower() == "#e69f00"


def test_named_colours_of_every_viz_module_are_okabe_ito_or_grey():
    from cnnedu.widgets import _registry  # noqa: F401  (imports the widget modules too)

    modules = (list(VIZ_MODULES.values())
               + [importlib.import_module(f"cnnedu.widgets.{name.split('.')[0]}")
                  for name in _registry.builders()])
    checked = 0
    for module in modules:
        for name, value in vars(module).items():
            if name.endswith("_COLOR") and isinstance(value, str):
                checked += 1
                if _chromatic(to_rgba(value)):
                    assert to_hex(value) in OKABE_ITO_HEX, \
                        f"{module.__name__}.{name} = {value!r} is not an Okabe-Ito colour"
    assert checked >= 10


def test_the_check_rejects_what_the_book_does_not_use():
    """The checks above can fail: a rainbow map, off-centre or sequential signed
    data, and a red/green pair of lines are all caught."""
    fig = Figure()
    ax = fig.add_subplot()
    ax.imshow(NONNEG_DATA, cmap="jet")
    with pytest.raises(AssertionError, match="not one of the book's maps"):
        check_figure(fig, "jet")
    fig = Figure()
    fig.add_subplot().imshow(SIGNED_DATA, cmap=viz.SIGNED_CMAP, vmin=-1, vmax=3)
    with pytest.raises(AssertionError, match="not symmetric about 0"):
        check_figure(fig, "off-centre")
    fig = Figure()
    fig.add_subplot().imshow(SIGNED_DATA, cmap=viz.MAGNITUDE_CMAP)
    with pytest.raises(AssertionError, match="negative values .* on a sequential map"):
        check_figure(fig, "sequential")
    fig = Figure()
    ax = fig.add_subplot()
    ax.plot([0, 1], color="red")
    ax.plot([1, 0], color="green")
    with pytest.raises(AssertionError, match="not an Okabe-Ito colour"):
        check_figure(fig, "red/green")
