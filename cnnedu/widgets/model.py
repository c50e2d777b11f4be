"""Explorer of the chapter "A complete CNN on real digits".

- :func:`digit_explorer` -- a test digit (slider) or a digit drawn on a
  14 x 14 grid of toggle cells goes through a CNN: a few channels of the
  feature maps of every layer, the hidden units of the dense layer and the
  class probabilities.

The drawing grid is coarse: each cell is a 2 x 2 block of the 28 x 28 input,
and the blocks are smoothed a little (:func:`cells_to_image`) so that a
drawing looks more like the anti-aliased MNIST digits the network saw.
"""
from __future__ import annotations

import ipywidgets as widgets
import matplotlib
import numpy as np
from ipywidgets.widgets.widget_bool import ToggleButtonStyle

from ..ops.activation import softmax
from ..data import load_digits
from ..explain.model import classic_cnn, feature_maps, most_active_channels
from ..nn import Flatten
from ..nn.model import Sequential
from ..viz.base import IMAGE_CMAP, MAGNITUDE_CMAP, SIGNED_CMAP, show_image
from ..viz.activation import blit_figure
from ..viz.model import (show_feature_maps, show_probabilities, update_feature_maps,
                         update_probabilities)
from ._base import Explorer

__all__ = ["digit_explorer"]

#: Cells per side of the drawing grid; each cell is ``SCALE x SCALE`` input pixels.
GRID = 14
SCALE = 2
#: Test digits the slider reaches.
N_DIGITS = 300
#: Channels shown per feature-map layer.
N_CHANNELS = 4
#: Probabilities written above their bars: the largest ones.
N_LABELLED = 3
#: Feature-map layers shown (the first ones with (C, H, W) outputs).
N_MAP_LAYERS = 4
#: Smoothing of a drawing: a 3 x 3 binomial kernel, as a separable pair.
_SMOOTH = np.array([1.0, 2.0, 1.0]) / 4.0


def cells_to_image(cells) -> np.ndarray:
    """A 28 x 28 input image from a 14 x 14 drawing.

    Parameters
    ----------
    cells : array_like of bool, shape (14, 14)
        True where a cell is inked.

    Returns
    -------
    ndarray of float32, shape (28, 28)
        Each cell becomes a 2 x 2 block of 1s (ink) or 0s, then the image is
        smoothed with the 3 x 3 binomial kernel ``[1, 2, 1]^T [1, 2, 1] / 16``
        (zero padding) and scaled so that its largest value is 1 (if there is
        any ink). Values lie in [0, 1].
    """
    c = np.asarray(cells)
    if c.shape != (GRID, GRID):
        raise ValueError(f"cells must have shape ({GRID}, {GRID}), got {c.shape}")
    img = np.kron(c.astype(np.float64), np.ones((SCALE, SCALE)))
    pad = np.pad(img, 1)
    rows = _SMOOTH[0] * pad[:-2] + _SMOOTH[1] * pad[1:-1] + _SMOOTH[2] * pad[2:]
    img = _SMOOTH[0] * rows[:, :-2] + _SMOOTH[1] * rows[:, 1:-1] + _SMOOTH[2] * rows[:, 2:]
    top = img.max()
    if top > 0:
        img = img / top
    return img.astype(np.float32)


def image_to_cells(image, threshold: float = 0.35) -> np.ndarray:
    """A 14 x 14 drawing from a 28 x 28 image: the cells whose 2 x 2 block is inked.

    Parameters
    ----------
    image : array_like, shape (28, 28)
        Grey levels in [0, 1].
    threshold : float
        A cell is inked when the mean of its 2 x 2 block exceeds this.

    Returns
    -------
    ndarray of bool, shape (14, 14)
    """
    img = np.asarray(image, dtype=np.float64)
    if img.shape != (GRID * SCALE, GRID * SCALE):
        raise ValueError(f"image must have shape ({GRID * SCALE}, {GRID * SCALE}), got {img.shape}")
    return img.reshape(GRID, SCALE, GRID, SCALE).mean(axis=(1, 3)) > threshold


def _vector_tiles(v: np.ndarray, cols: int) -> np.ndarray:
    """A vector of D values as a (rows, cols) image, NaN after the last value."""
    rows = -(-v.size // cols)
    out = np.full(rows * cols, np.nan)
    out[:v.size] = v
    return out.reshape(rows, cols)


class DigitExplorer(Explorer):
    """The :class:`~cnnedu.widgets.Explorer` returned by :func:`digit_explorer`.

    Besides the controls ``source`` and ``index`` it has a drawing grid:
    ``cells[r, c]`` is the ``ToggleButton`` of cell ``(r, c)``. Toggling a
    cell switches the source to ``'drawing'`` and updates the view
    synchronously, like a control.

    Attributes
    ----------
    model : Sequential
        The model shown.
    digits : ndarray, shape (n, 1, 28, 28)
        The digits the slider reaches.
    cells : ndarray of ToggleButton, shape (14, 14)
    """

    def _setup_drawing(self, digits, cells, buttons) -> None:
        self.digits = digits
        self.cells = cells
        self._hold = False
        for cell in cells.flat:
            cell.observe(self._on_cell, names="value")
        grid = widgets.VBox([widgets.HBox(list(row), layout=widgets.Layout(margin="0"))
                             for row in cells],
                            layout=widgets.Layout(margin="4px 12px 4px 0"))
        side = widgets.VBox([widgets.HTML("<small>draw (click cells):</small>"), grid,
                             widgets.HBox(buttons)])
        body = widgets.HBox([side, self.image], layout=widgets.Layout(flex_flow="row wrap",
                                                                      align_items="center"))
        kids = list(self.children)
        at = kids.index(self.image)
        kids[at] = body
        self.children = kids

    # ------------------------------------------------------------------ drawing
    def drawing(self) -> np.ndarray:
        """The drawing grid as a (14, 14) bool array."""
        return np.array([[cell.value for cell in row] for row in self.cells], dtype=bool)

    def set_drawing(self, cells) -> None:
        """Set every cell at once (one update), and show the drawing.

        Parameters
        ----------
        cells : array_like of bool, shape (14, 14)
        """
        c = np.asarray(cells, dtype=bool)
        if c.shape != self.cells.shape:
            raise ValueError(f"cells must have shape {self.cells.shape}, got {c.shape}")
        self._hold = True
        try:
            for cell, value in zip(self.cells.flat, c.flat):
                cell.value = bool(value)
        finally:
            self._hold = False
        self._show_drawing()

    def clear_drawing(self, *_) -> None:
        """Erase the drawing."""
        self.set_drawing(np.zeros(self.cells.shape, dtype=bool))

    def copy_digit(self, *_) -> None:
        """Copy the current test digit into the drawing grid (:func:`image_to_cells`)."""
        self.set_drawing(image_to_cells(self.digits[int(self.controls["index"].value), 0]))

    def _show_drawing(self) -> None:
        if self.controls["source"].value != "drawing":
            self.controls["source"].value = "drawing"      # triggers the update
        else:
            self.refresh()

    def _on_cell(self, change) -> None:
        change["owner"].button_style = "primary" if change["new"] else ""
        if not self._hold:
            self._show_drawing()


def _check_model(model) -> Sequential:
    if not isinstance(model, Sequential):
        raise TypeError(f"model must be a cnnedu Sequential, got {type(model).__name__}")
    if not model.built:
        model.build((1, 28, 28))
    if tuple(model.input_shape) != (1, 28, 28):
        raise ValueError(f"model must take (1, 28, 28) digits, its input shape is "
                         f"{model.input_shape}")
    if len(model.output_shape) != 1:
        raise ValueError(f"model must output one score per class, (K,), got {model.output_shape}")
    return model


def _check_data(X, y):
    if X is None:
        X, y_default = load_digits("test")
        y = y_default if y is None else y
    X = np.asarray(X, dtype=np.float32)
    if X.ndim != 4 or X.shape[1:] != (1, 28, 28) or len(X) == 0:
        raise ValueError(f"X must be digits of shape (N, 1, 28, 28), got shape {X.shape}")
    if y is not None:
        y = np.asarray(y)
        if y.shape != (len(X),):
            raise ValueError(f"y must hold one label per digit, shape ({len(X)},), got {y.shape}")
    return X, y


def digit_explorer(model=None, X=None, y=None, index: int = 0) -> DigitExplorer:
    """Follow a digit through a CNN: feature maps of every layer and class probabilities.

    Parameters
    ----------
    model : Sequential, optional
        A model taking ``(1, 28, 28)`` digits and giving class probabilities
        (or logits), e.g. the chapter's trained CNN. By default the classic
        CNN of :func:`cnnedu.explain.model.classic_cnn`, **untrained**
        (weights from seed 0); the caption says so.
    X : array_like, shape (N, 1, 28, 28), optional
        Digits for the slider (the first :data:`N_DIGITS`); by default
        ``load_digits('test')``.
    y : array_like of int, shape (N,), optional
        Their labels (shown in the caption); by default the test labels
        when ``X`` is not given.
    index : int
        The digit shown first.

    Returns
    -------
    DigitExplorer
        Controls ``source`` (``'test digit'`` or ``'drawing'``) and ``index``
        (the test digit), and a drawing grid ``explorer.cells``
        (14 x 14 ``ToggleButton``; toggling one switches to the drawing).
        ``state()`` holds ``input`` (28, 28), ``maps`` (layer name -> the
        channels shown, (k, H, W)), ``channels`` (layer name -> their
        indices), ``hidden`` (the units of the last dense layer before the
        output, or None), ``probabilities`` (K,) (the model's output if it
        ends in a softmax, else the softmax of its logits, as
        ``Sequential.predict`` gives them for a classifier), ``prediction``,
        ``label`` (or None), ``source``, ``index``, ``drawing`` (14, 14) and
        ``trained`` (False for the default, untrained model). The figure's
        panels show exactly these arrays.
    """
    trained = model is not None
    model = _check_model(classic_cnn(seed=0) if model is None else model)
    X, y = _check_data(X, y)
    n = min(len(X), N_DIGITS)
    index = int(np.clip(index, 0, n - 1))

    # which layers and channels to show: chosen once, on the slider's digits
    maps_all = feature_maps(model, X[:n])
    names = list(maps_all)
    map_layers = [k for k in names if maps_all[k].ndim == 4][:N_MAP_LAYERS]
    channels = {k: most_active_channels(maps_all[k], N_CHANNELS) for k in map_layers}
    vectors = [k for k in names[:-1] if maps_all[k].ndim == 2 and
               not isinstance(model.get_layer(k), Flatten)]
    hidden = vectors[-1] if vectors else None
    # colours: a sequential map from 0 for a layer that never goes negative (after ReLU),
    # the diverging map centred at 0 for one that does
    signed = {k: bool(np.nanmin(maps_all[k]) < 0) for k in map_layers + [hidden] if k}
    del maps_all
    if model.layers[-1].activation == "softmax":
        def to_probabilities(out):
            return out
    else:                                       # logits: as Sequential.predict does
        def to_probabilities(out):
            return softmax(out[None], axis=1)[0]

    fig = blit_figure(9.6, 2.6)
    ratios = [1.0] * (1 + len(map_layers)) + ([0.8] if hidden else []) + [2.0]
    gs = fig.add_gridspec(1, len(ratios), width_ratios=ratios, left=0.01, right=0.965,
                          bottom=0.15, top=0.78, wspace=0.15)
    axes = [fig.add_subplot(gs[k]) for k in range(len(ratios))]
    x0 = X[index, 0]
    im_input = show_image(axes[0], x0, cmap=IMAGE_CMAP, vmin=0, vmax=1)
    axes[0].set_title("input\n\n28×28", fontsize=8)
    panels = {}
    maps0 = feature_maps(model, x0[None, None])
    for ax, name in zip(axes[1:], map_layers):
        C, H, W = maps0[name].shape[1:]
        k = len(channels[name])
        panels[name] = show_feature_maps(ax, maps0[name][0, channels[name]], ncols=2,
                                         cmap=SIGNED_CMAP if signed[name] else MAGNITUDE_CMAP,
                                         vmin=0, vmax=1)
        ax.set_title(f"{name}\n{k} of {C} channels\n{H}×{W}", fontsize=8)
    dynamic = [im_input] + [p.image for p in panels.values()]
    cols = 8
    if hidden:
        D = maps0[hidden].shape[1]
        ax_h = axes[1 + len(map_layers)]
        hidden_cmap = matplotlib.colormaps[SIGNED_CMAP if signed[hidden] else MAGNITUDE_CMAP]
        im_hidden = show_image(ax_h, _vector_tiles(maps0[hidden][0], cols),
                               cmap=hidden_cmap.with_extremes(bad="white"), vmin=0, vmax=1)
        ax_h.set_title(f"{hidden}\n{D} units\n(ReLU)" if model.get_layer(hidden).activation == "relu"
                       else f"{hidden}\n{D} units\n", fontsize=8)
        dynamic.append(im_hidden)
    probs0 = to_probabilities(maps0[names[-1]][0])
    bars = show_probabilities(axes[-1], probs0, highlight=int(probs0.argmax()),
                              top=N_LABELLED)
    axes[-1].set_title("class probabilities", fontsize=8)
    axes[-1].yaxis.tick_right()
    axes[-1].tick_params(labelsize=7)
    axes[-1].xaxis.label.set_fontsize(8)
    dynamic += list(bars.rects) + list(bars.texts)
    fig.canvas.dynamic += dynamic

    cells = np.empty((GRID, GRID), dtype=object)
    # one layout and one style shared by all cells keep the saved widget state small
    cell_layout = widgets.Layout(width="13px", height="13px", padding="0", margin="0")
    cell_style = ToggleButtonStyle()
    for r in range(GRID):
        for c in range(GRID):
            cells[r, c] = widgets.ToggleButton(value=False, layout=cell_layout, style=cell_style)
    start = image_to_cells(x0)
    for cell, value in zip(cells.flat, start.flat):
        cell.value = bool(value)
        cell.button_style = "primary" if value else ""

    controls = {
        "source": widgets.ToggleButtons(options=["test digit", "drawing"], value="test digit",
                                        description="input"),
        "index": widgets.IntSlider(value=index, min=0, max=n - 1, description="test digit",
                                   continuous_update=True),
    }

    def drawing():
        return np.array([[cell.value for cell in row] for row in cells], dtype=bool)

    def update(source, index):
        index = int(index)
        grid = drawing()
        if source == "drawing":
            x = cells_to_image(grid)
            label = None
        else:
            x = X[index, 0]
            label = None if y is None else int(y[index])
        maps = feature_maps(model, x[None, None])
        probs = to_probabilities(maps[names[-1]][0])
        pred = int(probs.argmax())
        im_input.set_data(x)
        shown = {}
        for name in map_layers:
            sel = maps[name][0, channels[name]]
            top = float(np.abs(sel).max()) or 1.0
            update_feature_maps(panels[name], sel, vmin=-top if signed[name] else 0.0, vmax=top)
            shown[name] = sel
        hid = None
        if hidden:
            hid = maps[hidden][0]
            top = (float(np.nanmax(np.abs(hid))) if hid.size else 0.0) or 1.0
            im_hidden.set_data(_vector_tiles(hid, cols))
            im_hidden.set_clim(-top if signed[hidden] else 0.0, top)
        update_probabilities(bars, probs, highlight=pred, top=N_LABELLED)

        p = float(probs[pred])
        if source == "drawing":
            inked = int(grid.sum())
            caption = (f"your drawing ({inked} of {GRID * GRID} cells inked): predicted "
                       f"<b>{pred}</b> with probability {p:.2f}.")
            if inked == 0:
                caption += " The grid is empty: click cells to draw a digit."
        else:
            caption = f"test digit {index}"
            if label is not None:
                verdict = "right" if pred == label else "wrong"
                caption += f", label {label}: predicted <b>{pred}</b> ({verdict})"
            else:
                caption += f": predicted <b>{pred}</b>"
            caption += f" with probability {p:.2f}."
        caption += f" Feature maps: the {N_CHANNELS} most active channels of each layer, "
        unsigned = "dark = 0, yellow = the largest value in that layer's panel"
        diverging = ("blue negative, white 0, red positive (deepest at the largest |value| "
                     "in that layer's panel)")
        if not any(signed.values()):
            caption += unsigned + "."
        elif all(signed.values()):
            caption += diverging + "."
        else:
            caption += f"{unsigned}; for a layer with negative values, {diverging}."
        if not trained:
            caption = ("<b>Untrained network</b> (random weights, seed 0): its predictions are "
                       "guesses. " + caption)
        state = {"source": source, "index": index, "label": label, "input": x,
                 "maps": shown, "channels": {k: v.copy() for k, v in channels.items()},
                 "hidden": hid, "probabilities": probs, "prediction": pred, "drawing": grid,
                 "trained": trained}
        return state, caption

    clear = widgets.Button(description="clear", layout=widgets.Layout(width="70px"))
    copy = widgets.Button(description="copy test digit", layout=widgets.Layout(width="120px"))
    explorer = DigitExplorer(controls, fig, update, layout=[["source", "index"]],
                             title="Inside the CNN" + ("" if trained else " (untrained)"))
    explorer.model = model
    explorer._setup_drawing(X[:n], cells, [clear, copy])
    clear.on_click(explorer.clear_drawing)
    copy.on_click(explorer.copy_digit)
    return explorer
