"""Explorers of chapter 1 (Convolution).

* :func:`kernel_slider` -- slide a kernel over a small image, one output
  position at a time: window, products, sum and the output cell they fill.
* :func:`stride_explorer` -- stride, padding and dilation: the padded input,
  the kernel's footprint, the output grid and the output-size formula.
* :func:`filter_bank` -- a preset or hand-typed kernel applied to a photo.

The numbers come from :mod:`cnnedu.explain.conv` and :mod:`cnnedu.ops.conv`, the
pictures from :mod:`cnnedu.viz.conv`; each builder returns an
:class:`~cnnedu.widgets.Explorer`.
"""
from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np

from ..explain import conv as cx
from .._checks import as_float_array, check_ndim
from ..ops.conv import conv2d, correlate2d
from ..data import load_digits, load_sample_image
from ..kernels import describe_kernel, get_kernel, kernel_names
from ..viz.base import IMAGE_CMAP, SIGNED_CMAP, show_grid_values, show_image, signed_cmap_limits
from ..viz.conv import (CURRENT_COLOR, FOOTPRINT_COLOR, PADDING_COLOR, LabelLayer,
                        cell_text_colours, draw_footprint, draw_never_read, draw_output,
                        draw_padded_input, draw_products, label_formatter, title_transform,
                        update_footprint, update_never_read, update_output,
                        update_padded_input)
from ..viz.activation import blit_figure
from ._base import Explorer, new_figure

__all__ = ["kernel_slider", "stride_explorer", "filter_bank"]

#: the 3x3 presets (the kernel slider keeps its output size when the kernel changes)
_KERNELS_3X3 = [n for n in kernel_names() if get_kernel(n).shape == (3, 3)]


def _digit(index: int = 0) -> np.ndarray:
    X, _ = load_digits("train", dtype="float64")
    return X[index, 0]


def _default_crop() -> np.ndarray:
    """A 10x10 crop of the first training digit (a 2): the top of its loop."""
    return _digit(0)[4:14, 9:19]


def _check_image(image):
    arr = check_ndim(as_float_array(image, "image"), "image", 2, "(H, W)")
    if 0 in arr.shape:
        raise ValueError(f"image must not be empty, got shape {arr.shape}")
    return arr.astype(np.float64, copy=False)


#: a kernel weight in a few characters: 2, -0.5, 1/9 -> 0.111
_short = label_formatter("{:.3g}")


def _grid_picture(values, side):
    """A small array drawn as a grid of values, once, as an RGBA picture ``side`` inches wide.

    A panel that changes rarely (the kernel) is shown as this picture, so a
    frame does not spend time drawing its text again.
    """
    fig = new_figure(side, side * values.shape[0] / values.shape[1])
    ax = fig.add_axes((0, 0, 1, 1))
    vmin, vmax = signed_cmap_limits(values)
    show_grid_values(ax, values, fmt=_short, cmap=SIGNED_CMAP, vmin=vmin, vmax=vmax)
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba()).copy()


class _Title:
    """A panel title that changes: drawn by a :class:`LabelLayer` (quick once seen)."""

    def __init__(self, ax, fontsize=10):
        self.layer = LabelLayer(ax, fontsize, transform=title_transform(ax, fontsize))
        self.image = self.layer.image

    def set_text(self, text):
        self.layer.set([(0.5, 1.0)], [text])

    def get_text(self):
        return self.layer.labels[0] if self.layer.labels else ""


def _legend(items) -> str:
    return " &nbsp; ".join(f"<span style='color:{c}'>{s}</span> {html.escape(t)}"
                           for s, c, t in items)


# ------------------------------------------------------------------ slider
def kernel_slider(image=None, kernel="sobel_x") -> Explorer:
    """Slide a 3x3 kernel over a small image, one output position at a time.

    Four panels, drawn together: the input ``x`` with the window under the
    kernel outlined and its values written; the kernel ``w``; the
    element-wise products ``x·w``; and the output ``y`` with the cell being
    computed outlined -- cells computed before it are shown, later ones are
    blank (hatched). Cross-correlation in 'valid' mode
    (:func:`cnnedu.ops.conv.correlate2d`).

    Parameters
    ----------
    image : array (H, W), optional
        Default: a 10x10 crop of an MNIST digit. Keep it small (up to about
        12x12) so the values stay readable.
    kernel : str
        A 3x3 preset of :mod:`cnnedu.kernels` (the control offers them all).

    Returns
    -------
    Explorer
        Controls ``position`` (one index over the output positions,
        row-major: ``position = i * OW + j``) and ``kernel``; beside the
        slider, ``explorer.play`` (an ``ipywidgets.Play``, linked to it in
        the browser by ``explorer.play_link``) steps through the positions.
        ``state()`` holds ``input``, ``position``, ``i``, ``j``, ``rows``,
        ``cols``, ``window``, ``kernel``, ``products``, ``sum``, ``output``
        (every value) and ``shown`` (NaN where not yet computed).
    """
    x = _default_crop() if image is None else _check_image(image)
    if kernel not in _KERNELS_3X3:
        raise ValueError(f"kernel must be one of the 3x3 presets {_KERNELS_3X3}, got {kernel!r}")
    H, W = x.shape
    if H < 3 or W < 3:
        raise ValueError(f"image must be at least 3x3 for a 3x3 kernel, got {H}x{W}")
    OH, OW = H - 2, W - 2

    fig = blit_figure(9.4, 3.6)           # redraws only what moves (see fig.canvas.dynamic)
    axes = fig.subplots(1, 4, gridspec_kw=dict(width_ratios=[W, 4.5, 4.5, OW]))
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.02, top=0.86, wspace=0.1)
    w0 = get_kernel(kernel)
    win0 = cx.window_at(x, w0, 0, 0)
    lo, hi = float(min(x.min(), 0)), float(max(x.max(), 1))   # lo < 0: diverging, symmetric
    art = {"input": draw_padded_input(axes[0], x, (0, 0, 0, 0), vmin=lo, vmax=hi),
           "footprint": draw_footprint(axes[0], win0.rows, win0.cols),
           "products": draw_products(axes[2], win0.products, vmax=1.0, title=None),
           "output": draw_output(axes[3], correlate2d(x, w0), filled=1, current=(0, 0),
                                 cmap=SIGNED_CMAP, vmin=-1, vmax=1)}
    for text in sum(art["products"].texts, []):    # written by a label layer instead
        text.remove()
    art["values"] = LabelLayer(axes[0], fontsize=7)
    art["product_labels"] = LabelLayer(axes[2], fontsize=10)
    axes[1].set_axis_off()
    axes[1].apply_aspect()
    box = axes[1].get_position()
    side = min(box.width * fig.get_figwidth(), box.height * fig.get_figheight())
    art["kernel"] = axes[1].imshow(_grid_picture(w0, side), interpolation="nearest")
    _Title(axes[1]).set_text("kernel w")          # fixed titles, drawn once
    _Title(axes[2]).set_text("products x·w")
    titles = [_Title(axes[0]), _Title(axes[3])]
    products, output = art["products"], art["output"]
    fig.canvas.dynamic = [art["kernel"], art["footprint"].taps, art["footprint"].outline,
                          products.image, products.borders, *axes[2].spines.values(),
                          output.image, output.grid, *axes[3].spines.values(), output.current,
                          art["values"].image, art["product_labels"].image,
                          *(title.image for title in titles)]
    cache = {}
    two_decimals = label_formatter("{:.2f}")

    def kernel_data(name):
        if name not in cache:
            w = get_kernel(name)
            y = correlate2d(x, w)
            ylim = signed_cmap_limits(y) if y.min() < 0 else (0.0, max(float(y.max()), 1e-12))
            cache[name] = (w, y, float(np.abs(w).max()) * float(np.abs(x).max()) or 1.0,
                           ylim, _grid_picture(w, side))
        return cache[name]

    def update(position, kernel):
        w, y, pmax, ylim, picture = kernel_data(kernel)
        position = int(min(max(position, 0), OH * OW - 1))
        i, j = divmod(position, OW)
        win = cx.window_at(x, w, i, j)
        update_footprint(art["footprint"], win.rows, win.cols)
        taps = [(c, r) for r in win.rows for c in win.cols]
        art["values"].set(taps, map(two_decimals, win.window.ravel()),
                          cell_text_colours(win.window.ravel(), art["input"].image))
        if art.get("kernel_name") != kernel:
            art["kernel_name"] = kernel
            art["kernel"].set_data(picture)
            art["products"].image.set_clim(-pmax, pmax)
            art["output"].image.set_cmap(SIGNED_CMAP if y.min() < 0 else IMAGE_CMAP)
            art["output"].image.set_clim(*ylim)
        art["products"].image.set_data(win.products)
        cells = [(v, u) for u in range(3) for v in range(3)]
        art["product_labels"].set(cells, map(two_decimals, win.products.ravel()),
                                  cell_text_colours(win.products.ravel(), art["products"].image))
        update_output(art["output"], y, filled=position + 1, current=(i, j))
        r0, r1, c0, c1 = win.rows[0], win.rows[-1], win.cols[0], win.cols[-1]
        total = two_decimals(win.total)
        titles[0].set_text(f"input x (window at rows {r0}-{r1}, cols {c0}-{c1})")
        titles[1].set_text(f"output y[{i}, {j}] = sum = {total}")
        shown = y.astype(float).copy()
        shown.reshape(-1)[position + 1:] = np.nan
        state = dict(input=x, position=position, i=i, j=j, rows=win.rows, cols=win.cols,
                     window=win.window, kernel=w, products=win.products, sum=win.total,
                     output=y, shown=shown, titles=[t.get_text() for t in titles])
        caption = (f"y[{i}, {j}] = Σ<sub>u</sub> Σ<sub>v</sub> x[{i} + u, {j} + v] · w[u, v] "
                   f"= {win.total:.3f} &nbsp; ({html.escape(kernel)}: "
                   f"{html.escape(describe_kernel(kernel))})")
        return state, caption

    position = widgets.IntSlider(value=0, min=0, max=OH * OW - 1, description="position",
                                 continuous_update=True,
                                 layout=widgets.Layout(width="420px"))
    kernel_control = widgets.Dropdown(options=_KERNELS_3X3, value=kernel, description="kernel")
    explorer = Explorer({"position": position, "kernel": kernel_control}, fig, update,
                        layout=[["position", "kernel"]],
                        title=f"Slide the kernel: output position = i·{OW} + j")
    play = widgets.Play(value=position.value, min=0, max=OH * OW - 1, interval=600,
                        description="play")
    link = widgets.jslink((play, "value"), (position, "value"))
    # The browser link copies the Play value onto the slider when a page loads:
    # keep the two equal on the Python side too, so that a saved page shows the
    # slider at the position its picture shows.
    position.observe(lambda change: setattr(play, "value", change["new"]), names="value")
    row = next(c for c in explorer.children
               if isinstance(c, widgets.HBox) and position in c.children)
    row.children = (play,) + tuple(row.children)
    explorer.play, explorer.play_link = play, link
    return explorer


class _SyncedExplorer(Explorer):
    """An Explorer whose update may set one of its own controls without a second refresh."""

    _quiet = False

    def set_quietly(self, name, value):
        self._quiet = True
        try:
            self.controls[name].value = value
        finally:
            self._quiet = False

    def set_quietly_max(self, name, maximum):
        """Change a slider's range (clamping its value) without a second refresh."""
        self._quiet = True
        try:
            control = self.controls[name]
            control.value = min(control.value, maximum)
            control.max = maximum
        finally:
            self._quiet = False

    def _on_change(self, change):
        if not self._quiet:
            super()._on_change(change)


# ------------------------------------------------------------------ stride
def _why_empty_numbers(g) -> str:
    """The geometry's explanation, with the arithmetic behind it."""
    axis = 1 if g.extent[1] > g.padded_size[1] else 0
    n, k, d = g.input_size[axis], g.kernel_size[axis], g.dilation[axis]
    before, after = g.pads[2 * axis:2 * axis + 2]
    side = "W" if axis else "H"
    pad = f"2·{before}" if before == after else f"{before} + {after}"
    sym = "2p" if before == after else "p + p"
    return (f"{g.explanation}: span d(k − 1) + 1 = {d}·({k} − 1) + 1 = {g.extent[axis]} "
            f"> {side} + {sym} = {n} + {pad} = {g.padded_size[axis]}")


_PADDINGS = [("0 (valid)", 0), ("1", 1), ("2", 2), ("3", 3), ("same", "same"), ("full", "full")]


def stride_explorer(image=None, kernel="box_blur_3x3") -> Explorer:
    """Stride, padding and dilation: what the window reads and how big the output is.

    Left: the padded input (padding tinted blue, the original input outlined),
    the taps of the kernel for the output cell chosen by ``position``
    (orange), and a cross on every pixel that no window reads. Right: the
    output grid at the same scale, the chosen cell outlined. The caption
    writes the output-size formula with the current numbers; a combination
    with no output is explained there (the kernel is drawn sticking out of
    the input), never raised.

    Parameters
    ----------
    image : array (H, W), optional
        Default: an MNIST digit averaged down to 14x14.
    kernel : str
        Initial preset (the control offers every preset).

    Returns
    -------
    Explorer
        Controls ``kernel``, ``padding`` (0-3, 'same' or 'full'), ``stride``
        (1-5), ``dilation`` (1-4) and ``position`` (output cell, row-major
        ``i * OW + j``; its range follows the output size). ``state()``
        holds ``input``, ``geometry`` (a :class:`~cnnedu.explain.conv.ConvGeometry`),
        ``output_size``, ``output`` (the ``conv2d`` result, ``None`` when
        empty), ``empty``, ``explanation``, ``note``, ``formula``,
        ``kernel``, ``padded``, ``position``, ``i``, ``j`` and the footprint
        ``rows``/``cols`` of ``y[i, j]`` in padded coordinates.
    """
    if image is None:
        x = _digit(0).reshape(14, 2, 14, 2).mean(axis=(1, 3))
    else:
        x = _check_image(image)
    if kernel not in kernel_names():
        raise ValueError(f"kernel must be one of {kernel_names()}, got {kernel!r}")
    H, W = x.shape
    fig = blit_figure(8, 4.1)             # a new position only moves the footprint
    axes = fig.subplots(1, 2)
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.02, top=0.9, wspace=0.06)
    art = {
        "input": draw_padded_input(axes[0], x, (0, 0, 0, 0), vmin=min(0.0, float(x.min())),
                                   vmax=max(1.0, float(x.max()))),   # signed x: diverging
        "footprint": draw_footprint(axes[0], [0], [0]),
        "missed": draw_never_read(axes[0], np.ones(H, bool), np.ones(W, bool)),
        "output": draw_output(axes[1], np.zeros((1, 1)), cmap=SIGNED_CMAP, vmin=-1, vmax=1,
                              current=(0, 0)),
        "nothing": axes[1].text(0.5, 0.5, "no output", transform=axes[1].transAxes,
                                ha="center", va="center", fontsize=14, color="0.4",
                                visible=False),
        "input_title": _Title(axes[0]),
        "output_title": _Title(axes[1]),
    }
    fig.canvas.dynamic = [art["footprint"].taps, art["footprint"].outline, art["missed"],
                          art["output"].current, art["output_title"].image]
    memo = {}

    def compute(kernel, stride, padding, dilation):
        """Geometry and output for the settings (kept while only the position moves)."""
        key = (kernel, stride, padding, dilation)
        if memo.get("key") != key:
            w = get_kernel(kernel)
            g = cx.geometry(H, W, *w.shape, stride, padding, dilation)
            top, bottom, left, right = g.pads
            padded = np.pad(x, ((top, bottom), (left, right)))
            y = None
            if not g.empty:
                conv_padding = (top, left) if padding == "full" else padding
                y = conv2d(x[None, None], w[None, None], stride=g.stride, padding=conv_padding,
                           dilation=g.dilation)[0, 0]
            memo.update(key=key, value=(w, g, padded, y), drawn=False)
            fig.canvas.invalidate()
        return memo["value"]

    def draw_settings(w, g, padded, y, padding):
        Hp, Wp = g.padded_size
        view = (max(Hp, g.extent[0]), max(Wp, g.extent[1]))
        update_padded_input(art["input"], padded, g.pads, limits=view)
        if g.empty:      # nothing is read, but crossing out everything would hide the picture
            update_never_read(art["missed"], np.ones(Hp, bool), np.ones(Wp, bool))
        else:
            update_never_read(art["missed"], g.rows_read, g.cols_read)
        pad_text = f"'{padding}'" if isinstance(padding, str) else f"p = {padding}"
        art["input_title"].set_text(f"padded input {Hp}×{Wp} (input {H}×{W}, "
                                    f"padding {pad_text})")
        out = art["output"]
        out.blank.set_visible(not g.empty)
        out.grid.set_visible(not g.empty)
        art["nothing"].set_visible(g.empty)
        if g.empty:
            update_output(out, np.full((1, 1), np.nan), current=None, limits=view)
            art["output_title"].set_text("no output: the kernel does not fit")
            return
        if np.min(y) < 0:
            out.image.set_cmap(SIGNED_CMAP)
            out.image.set_clim(*signed_cmap_limits(y))
        else:
            out.image.set_cmap(IMAGE_CMAP)
            out.image.set_clim(0, max(float(y.max()), 1e-12))
        update_output(out, y, current=(0, 0), limits=view)

    def update(kernel, padding, stride, dilation, position):
        w, g, padded, y = compute(kernel, stride, padding, dilation)
        if not memo["drawn"]:
            draw_settings(w, g, padded, y, padding)
            memo["drawn"] = True
        OH, OW = g.output_size
        last = max(OH * OW - 1, 0)
        slider = controls["position"]
        if slider.max != last and "explorer" in holder:
            holder["explorer"].set_quietly_max("position", last)
        position = int(min(max(position, 0), last))
        i, j = divmod(position, OW) if OW else (0, 0)
        rows = i * g.stride[0] + np.arange(w.shape[0]) * g.dilation[0]
        cols = j * g.stride[1] + np.arange(w.shape[1]) * g.dilation[1]
        update_footprint(art["footprint"], rows, cols)
        if not g.empty:
            art["output"].current.set_visible(True)
            art["output"].current.set_xy((j - 0.5, i - 0.5))
            art["output_title"].set_text(f"output y: {OH}×{OW} (y[{i}, {j}] outlined)")
        lines = [html.escape(f) + (" &nbsp;→ no output" if raw < 1 else "")
                 for f, raw in zip(g.formula, g.raw_output)]
        if isinstance(padding, str) and padding != "valid":
            top, bottom, left, right = g.pads
            lines.append(f"Padding '{padding}' adds {top} row(s) at the top, {bottom} at the "
                         f"bottom, {left} column(s) at the left and {right} at the right.")
        if g.empty:
            lines.append(f"<b>No output:</b> {html.escape(_why_empty_numbers(g))}. "
                         f"Lower the dilation, pick a smaller kernel or add padding.")
        elif g.note:
            lines.append(html.escape(g.note[0].upper() + g.note[1:]) + " (crosses).")
        lines.append(_legend([("■", FOOTPRINT_COLOR, f"kernel taps for y[{i}, {j}]"),
                              ("■", PADDING_COLOR, "zero padding"),
                              ("✕", CURRENT_COLOR, "never read by any window")]))
        state = dict(input=x, geometry=g, output_size=g.output_size, output=y, empty=g.empty,
                     explanation=g.explanation, note=g.note, formula=g.formula, kernel=w,
                     padded=padded, position=position, i=i, j=j, rows=rows, cols=cols,
                     titles=[art["input_title"].get_text(), art["output_title"].get_text()])
        return state, "<br>".join(lines)

    controls = {
        "kernel": widgets.Dropdown(options=kernel_names(), value=kernel, description="kernel"),
        "padding": widgets.Dropdown(options=_PADDINGS, value=0, description="padding p"),
        "stride": widgets.IntSlider(value=1, min=1, max=5, description="stride s"),
        "dilation": widgets.IntSlider(value=1, min=1, max=4, description="dilation d"),
        "position": widgets.IntSlider(value=0, min=0, max=max(H - 2, 1) * max(W - 2, 1) - 1,
                                      description="position"),
    }
    holder = {}
    explorer = _SyncedExplorer(controls, fig, update,
                               layout=[["kernel", "padding"], ["stride", "dilation"],
                                       ["position"]],
                               title="Stride, padding and dilation")
    holder["explorer"] = explorer
    explorer.refresh()           # now that the position slider's range can follow the output
    return explorer


# ------------------------------------------------------------- filter bank
_CUSTOM = "custom"


def filter_bank(image=None, kernel="sobel_x", downsample=4) -> Explorer:
    """Apply a preset or hand-typed kernel to a photo and see the feature map.

    Choosing a preset writes its values in the text box; editing the text
    box switches to 'custom'. Rows on lines, numbers separated by spaces or
    commas (fractions like 1/9 are fine); a kernel that cannot be read is
    explained in the caption and the feature map is cleared. The feature
    map is ``correlate2d(photo, w, mode='same')``, drawn with a diverging
    colour map centred at 0 when the kernel has negative weights, in grey
    otherwise.

    Parameters
    ----------
    image : array (H, W), optional
        Default: the sample photo, grey, averaged down by ``downsample``.
    kernel : str
        Initial preset.
    downsample : int, default 4
        For the default photo: 4 gives 150x128 pixels (an update in a few ms).

    Returns
    -------
    Explorer
        Controls ``kernel`` (presets and 'custom') and ``weights`` (the text).
        ``state()`` holds ``input``, ``kernel`` (the array, or None on a parse error),
        ``feature_map`` (or None), ``error`` ('' if none), ``preset``.
    """
    if image is None:
        x = load_sample_image(gray=True, downsample=downsample)
    else:
        x = _check_image(image)
    if kernel not in kernel_names():
        raise ValueError(f"kernel must be one of {kernel_names()}, got {kernel!r}")
    fig = blit_figure(7.2, 2.5)           # the photo panel is drawn once
    axes = fig.subplots(1, 3, gridspec_kw=dict(width_ratios=[1, 0.8, 1]))
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.03, top=0.9, wspace=0.08)
    show_image(axes[0], x, vmin=min(0.0, float(x.min())), vmax=max(1.0, float(x.max())),
               interpolation="nearest")                             # signed x: diverging
    _Title(axes[0]).set_text(f"input x ({x.shape[0]}×{x.shape[1]})")
    w0 = get_kernel(kernel)
    fmap = show_image(axes[2], correlate2d(x, w0, mode="same"), cmap=SIGNED_CMAP,
                      interpolation="nearest")
    art = {"kernel": None}
    titles = [_Title(axes[1]), _Title(axes[2])]
    last = {"preset": kernel, "text": cx.format_kernel(w0), "kernel": w0}

    weight_labels = LabelLayer(axes[1])

    def set_dynamic():
        """Everything but the photo changes: redraw it on the photo's cached picture."""
        grid = art["kernel"]
        kernel_artists = [] if grid is None else [grid.image, grid.borders]
        fig.canvas.dynamic = [fmap, *axes[2].spines.values(), *kernel_artists,
                              weight_labels.image, *(title.image for title in titles)]

    def clear_kernel_panel():
        axes[1].clear()                   # a new kernel shape: new limits, new artists
        axes[1].set_axis_off()
        art["kernel"] = None
        weight_labels.set([], [])
        fig.canvas.invalidate()

    def draw_kernel(w):
        vmin, vmax = signed_cmap_limits(w)
        grid = art["kernel"]
        if grid is None or grid.image.get_array().shape != w.shape:
            clear_kernel_panel()
            art["kernel"] = grid = show_grid_values(axes[1], w, fmt=_short, cmap=SIGNED_CMAP,
                                                    vmin=vmin, vmax=vmax)
            weight_labels.fontsize = grid.texts[0][0].get_fontsize()
            for text in sum(grid.texts, []):        # written by the label layer instead
                text.remove()
        else:
            grid.image.set_clim(vmin, vmax)
            grid.image.set_data(w)
        cells = [(v, u) for u in range(w.shape[0]) for v in range(w.shape[1])]
        weight_labels.set(cells, map(_short, w.ravel()), cell_text_colours(w, grid.image))
        set_dynamic()

    def choose_kernel(kernel, weights):
        """The kernel to show, the preset's name or 'custom', the text, and a parse error."""
        explorer = holder.get("explorer")
        if kernel != last["preset"] and kernel != _CUSTOM:        # a preset was picked
            w = get_kernel(kernel)
            weights = cx.format_kernel(w)
            if explorer is not None:
                explorer.set_quietly("weights", weights)
            return w, kernel, weights, ""
        if weights == last["text"] and kernel == last["preset"]:
            return last["kernel"], kernel, weights, ""
        if kernel != _CUSTOM and explorer is not None:              # the text was edited
            kernel = _CUSTOM
            explorer.set_quietly("kernel", _CUSTOM)
        try:
            return cx.parse_kernel(weights), kernel, weights, ""
        except ValueError as exc:
            return None, kernel, weights, str(exc)

    def update(kernel, weights):
        w, kernel, weights, error = choose_kernel(kernel, weights)
        last.update(preset=kernel, text=weights, kernel=w)
        if w is None:
            fmap.set_data(np.full(x.shape, np.nan))
            clear_kernel_panel()
            set_dynamic()
            titles[0].set_text("kernel w: cannot read it")
            titles[1].set_text("feature map: none")
            caption = (f"<b>Cannot read the kernel:</b> {html.escape(error)}. One row per "
                       f"line, numbers separated by spaces or commas, e.g. <code>1 0 -1</code>.")
            return dict(input=x, kernel=None, feature_map=None, error=error, preset=kernel,
                        titles=[t.get_text() for t in titles]), caption
        y = correlate2d(x, w, mode="same")
        if np.min(w) < 0 or np.min(y) < 0:
            m = float(np.percentile(np.abs(y), 99)) or 1.0
            fmap.set_cmap(SIGNED_CMAP)
            fmap.set_clim(-m, m)
            colours = (f"blue negative, white 0, red positive; colours saturate at "
                       f"±{m:.2f}, the 99th percentile of |y|")
        else:
            lo, hi = float(y.min()), float(y.max())
            fmap.set_cmap(IMAGE_CMAP)
            fmap.set_clim(lo, hi if hi > lo else lo + 1)
            colours = "grey levels: black the smallest value, white the largest"
        fmap.set_data(y)
        draw_kernel(w)
        titles[0].set_text(f"kernel w ({w.shape[0]}×{w.shape[1]}, {kernel})")
        titles[1].set_text("feature map y = x ⋆ w")
        about = describe_kernel(kernel) if kernel != _CUSTOM else "Your own kernel."
        caption = (f"{html.escape(about)} Weights sum to {_short(w.sum())}; "
                   f"y ranges from {y.min():.2f} to {y.max():.2f} ({colours}).")
        return dict(input=x, kernel=w, feature_map=y, error="", preset=kernel,
                    titles=[t.get_text() for t in titles]), caption

    holder = {}
    controls = {
        "kernel": widgets.Dropdown(options=kernel_names() + [_CUSTOM], value=kernel,
                                   description="kernel"),
        "weights": widgets.Textarea(value=last["text"], description="weights",
                                    continuous_update=False,
                                    layout=widgets.Layout(width="300px", height="110px")),
    }
    explorer = _SyncedExplorer(controls, fig, update, layout=[["kernel", "weights"]],
                               title="Filter bank: pick or type a kernel")
    holder["explorer"] = explorer
    return explorer
