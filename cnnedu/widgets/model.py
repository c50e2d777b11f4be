"""Explorer of the chapter "A complete CNN on real digits".

- :func:`digit_explorer` -- a test digit (slider) or a digit drawn on a
  14 x 14 grid of toggle cells goes through a CNN: a few channels of the
  feature maps of every layer, the hidden units of the dense layer and the
  class probabilities.

Wired from :func:`cnnedu.explain.model.digit_plan` and
:func:`~cnnedu.explain.model.digit_view` (compute), :mod:`cnnedu.viz.model`
(draw) and :func:`digit_caption`. The drawing grid is coarse: each cell is a
2 x 2 block of the 28 x 28 input, and the blocks are smoothed a little
(:func:`cnnedu.explain.model.cells_to_image`) so that a drawing looks more
like the anti-aliased MNIST digits the network saw.
"""
from __future__ import annotations

from typing import Callable

import ipywidgets as widgets
import numpy as np
from ipywidgets.widgets.widget_bool import ToggleButtonStyle

from ..data import load_digits
from ..explain.model import GRID, DigitPlan, digit_plan, digit_view, image_to_cells
from ..nn.model import Sequential
from ..nn.zoo import classic_cnn
from ..viz.canvas import blit_figure
from ..viz.model import draw_digit_panels, update_digit_panels
from ._base import Explorer
from ._recipe import Recipe, recorded

__all__ = ["digit_explorer"]

#: Test digits the slider reaches.
N_DIGITS = 300
#: Channels shown per feature-map layer.
N_CHANNELS = 4
#: Probabilities written above their bars: the largest ones.
N_LABELLED = 3
#: Feature-map layers shown (the first ones with (C, H, W) outputs).
N_MAP_LAYERS = 4


class DrawingGrid(widgets.VBox):
    """A 14 x 14 grid of ``ToggleButton`` cells to draw a digit on.

    Parameters
    ----------
    start : array_like of bool, shape (14, 14)
        The cells inked at first.

    Attributes
    ----------
    cells : ndarray of ToggleButton, shape (14, 14)
    """

    def __init__(self, start):
        cells = np.empty((GRID, GRID), dtype=object)
        # one layout and one style shared by all cells keep the saved widget state small
        layout = widgets.Layout(width="13px", height="13px", padding="0", margin="0")
        style = ToggleButtonStyle()
        for (r, c), value in np.ndenumerate(np.asarray(start, dtype=bool)):
            cells[r, c] = widgets.ToggleButton(value=bool(value), layout=layout, style=style,
                                               button_style="primary" if value else "")
        self.cells = cells
        self.listeners: list[Callable[[], None]] = []
        self.holding = False       # True while set_drawing sets many cells
        for cell in cells.flat:
            cell.observe(self.cell_changed, names="value")
        super().__init__([widgets.HBox(list(row), layout=widgets.Layout(margin="0"))
                          for row in cells], layout=widgets.Layout(margin="4px 12px 4px 0"))

    def drawing(self) -> np.ndarray:
        """The cells as a (14, 14) bool array."""
        return np.array([[cell.value for cell in row] for row in self.cells], dtype=bool)

    def set_drawing(self, cells) -> None:
        """Set every cell at once, then tell the listeners once."""
        c = np.asarray(cells, dtype=bool)
        if c.shape != self.cells.shape:
            raise ValueError(f"cells must have shape {self.cells.shape}, got {c.shape}")
        self.holding = True
        try:
            for cell, value in zip(self.cells.flat, c.flat):
                cell.value = bool(value)
        finally:
            self.holding = False
        self.changed()

    def changed(self) -> None:
        """Call every listener (``grid.listeners``: callables without arguments)."""
        for listener in self.listeners:
            listener()

    def cell_changed(self, change) -> None:
        """Observer of a cell's value: colour it, and tell the listeners."""
        change["owner"].button_style = "primary" if change["new"] else ""
        if not self.holding:
            self.changed()


class DigitExplorer(Explorer):
    """The :class:`~cnnedu.widgets._base.Explorer` returned by :func:`digit_explorer`.

    An Explorer with a drawing grid; it adds public methods only (no
    override). Toggling a cell of ``cells`` switches the source to
    ``'drawing'`` and updates the view synchronously, like a control.

    Attributes
    ----------
    model : Sequential
        The model shown.
    digits : ndarray, shape (n, 1, 28, 28)
        The digits the slider reaches.
    grid : DrawingGrid
    cells : ndarray of ToggleButton, shape (14, 14)
    """

    def drawing(self) -> np.ndarray:
        """The drawing grid as a (14, 14) bool array."""
        return self.grid.drawing()

    def set_drawing(self, cells) -> None:
        """Set every cell at once (one update), and show the drawing.

        Parameters
        ----------
        cells : array_like of bool, shape (14, 14)
        """
        self.grid.set_drawing(cells)

    def clear_drawing(self, *_) -> None:
        """Erase the drawing."""
        self.set_drawing(np.zeros(self.cells.shape, dtype=bool))

    def copy_digit(self, *_) -> None:
        """Copy the current test digit into the drawing grid (``image_to_cells``)."""
        self.set_drawing(image_to_cells(self.digits[int(self.controls["index"].value), 0]))


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


def digit_caption(view, signed: dict) -> str:
    """The digit explorer's caption (HTML) for a ``DigitView``.

    ``signed`` (layer name -> bool, from the ``DigitPlan``) says which panels
    use the diverging colour map.
    """
    pred, p = view.prediction, float(view.probabilities[view.prediction])
    if view.source == "drawing":
        inked = int(view.drawing.sum())
        caption = (f"your drawing ({inked} of {GRID * GRID} cells inked): predicted "
                   f"<b>{pred}</b> with probability {p:.2f}.")
        if inked == 0:
            caption += " The grid is empty: click cells to draw a digit."
    else:
        caption = f"test digit {view.index}"
        if view.label is not None:
            verdict = "right" if pred == view.label else "wrong"
            caption += f", label {view.label}: predicted <b>{pred}</b> ({verdict})"
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
    if not view.trained:
        caption = ("<b>Untrained network</b> (random weights, seed 0): its predictions are "
                   "guesses. " + caption)
    return caption


@recorded
def digit_explorer(model=None, X=None, y=None, index: int = 0, plan=None) -> DigitExplorer:
    """Follow a digit through a CNN: feature maps of every layer and class probabilities.

    Parameters
    ----------
    model : Sequential, optional
        A model taking ``(1, 28, 28)`` digits and giving class probabilities
        (or logits), e.g. the chapter's trained CNN. By default the classic
        CNN of :func:`cnnedu.nn.zoo.classic_cnn`, **untrained**
        (weights from seed 0); the caption says so.
    X : array_like, shape (N, 1, 28, 28), optional
        Digits for the slider (the first :data:`N_DIGITS`); by default
        ``load_digits('test')``.
    y : array_like of int, shape (N,), optional
        Their labels (shown in the caption); by default the test labels
        when ``X`` is not given.
    index : int
        The digit shown first.
    plan : DigitPlan, optional
        The layers and channels to show (:func:`cnnedu.explain.model.digit_plan`
        of the model on the slider's digits, the default). The recipe that
        rebuilds the explorer in a web page carries it, so the page does not
        run the 300 digits through the network again to choose them.

    Returns
    -------
    DigitExplorer
        Controls ``source`` (``'test digit'`` or ``'drawing'``) and ``index``
        (the test digit), and a drawing grid ``explorer.cells``
        (14 x 14 ``ToggleButton``; toggling one switches to the drawing),
        which is ``explorer.live_only['drawing']`` (with frames, the web
        page hides it).
        ``state()`` holds the fields of
        :class:`~cnnedu.explain.model.DigitView`: ``input`` (28, 28),
        ``maps`` (layer name -> the channels shown, (k, H, W)), ``channels``
        (layer name -> their indices), ``hidden`` (the units of the last
        dense layer before the output, or None), ``probabilities`` (K,) (the
        model's output if it ends in a softmax, else the softmax of its
        logits, as ``Sequential.predict`` gives them for a classifier),
        ``prediction``, ``label`` (or None), ``source``, ``index``,
        ``drawing`` (14, 14) and ``trained`` (False for the default,
        untrained model). The figure's panels show exactly these arrays.
    """
    trained = model is not None
    model = _check_model(classic_cnn(seed=0) if model is None else model)
    X, y = _check_data(X, y)
    digits = X[:min(len(X), N_DIGITS)]
    index = int(np.clip(index, 0, len(digits) - 1))
    if plan is None:
        plan = digit_plan(model, digits, N_CHANNELS, N_MAP_LAYERS)   # chosen once
    elif not isinstance(plan, DigitPlan):
        raise TypeError(f"plan must be a DigitPlan (cnnedu.explain.model.digit_plan), "
                        f"got {type(plan).__name__}")
    grid = DrawingGrid(image_to_cells(digits[index, 0]))
    fig = blit_figure(9.6, 2.6)
    first = digit_view(model, plan, digits, y, "test digit", index, grid.drawing(), trained)
    panels = draw_digit_panels(fig, plan, first, N_LABELLED)
    controls = {
        "source": widgets.ToggleButtons(options=["test digit", "drawing"], value="test digit",
                                        description="input"),
        "index": widgets.IntSlider(value=index, min=0, max=len(digits) - 1,
                                   description="test digit", continuous_update=True),
    }

    def update(source, index):
        view = digit_view(model, plan, digits, y, source, index, grid.drawing(), trained)
        update_digit_panels(panels, plan, view, N_LABELLED)
        return view._asdict(), digit_caption(view, plan.signed)

    explorer = DigitExplorer(controls, fig, update, layout=[["source", "index"]],
                             title="Inside the CNN" + ("" if trained else " (untrained)"))
    explorer.model, explorer.digits, explorer.grid, explorer.cells = model, digits, grid, grid.cells
    grid.listeners.append(lambda: explorer.set_values(source="drawing"))
    clear = widgets.Button(description="clear", layout=widgets.Layout(width="70px"))
    copy = widgets.Button(description="copy test digit", layout=widgets.Layout(width="120px"))
    clear.on_click(explorer.clear_drawing)
    copy.on_click(explorer.copy_digit)
    side = widgets.VBox([widgets.HTML("<small>draw (click cells):</small>"), grid,
                         widgets.HBox([clear, copy])])
    body = widgets.HBox([side, explorer.image],
                        layout=widgets.Layout(flex_flow="row wrap", align_items="center"))
    explorer.children = [body if c is explorer.image else c for c in explorer.children]
    explorer.live_only = {"drawing": side}    # hidden on the web page, which has no kernel
    # to build it again in a page: the digits the slider reaches, not all of X
    explorer.recipe = Recipe.of(digit_explorer, model if trained else None, digits,
                                None if y is None else y[:len(digits)], index=index, plan=plan)
    return explorer
