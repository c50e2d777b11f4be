"""Looking inside a trained :class:`~cnnedu.nn.model.Sequential`: pure computations.

Used by the chapter "A complete CNN on real digits" and its explorer; the
drawing lives in :mod:`cnnedu.viz.model`, and the chapter's model is built by
:func:`cnnedu.nn.zoo.classic_cnn`.

- :func:`feature_maps` -- the output of every layer for a batch of inputs;
- :func:`most_active_channels` -- the channels of a feature map with the
  largest mean activation;
- :func:`saliency` -- the gradient of a class score (its logit) with respect
  to the input pixels, computed with the model's own backward pass;
- :func:`confusion_matrix` -- counts of (true class, predicted class) pairs;
- :func:`most_confident_mistakes` -- the misclassified samples the model was
  surest about;
- :func:`digit_plan` and :func:`digit_view` -- what the digit explorer shows:
  which layers and channels (chosen once), then a digit's maps, hidden units
  and class probabilities; :func:`cells_to_image` and :func:`image_to_cells`
  turn its 14 x 14 drawing into a 28 x 28 input and back.

Nothing here changes a model's weights. :func:`feature_maps` and
:func:`saliency` run the layers' ``forward`` (in inference mode), which
overwrites what each layer keeps for its backward pass, and :func:`saliency`
overwrites the layers' ``grads``; training recomputes both at every step.
"""
from __future__ import annotations

import numbers
from typing import NamedTuple

import numpy as np

from .._checks import as_float_array, check_positive_int
from ..nn.activation import Activation
from ..nn.model import Sequential
from ..nn.reshape import Flatten
from ..ops.activation import softmax

__all__ = ["GRID", "SCALE", "cells_to_image", "image_to_cells", "DigitPlan", "digit_plan",
           "DigitView", "digit_view", "feature_maps", "most_active_channels", "Saliency",
           "saliency",
           "confusion_matrix", "Mistakes", "most_confident_mistakes"]


def _check_model(model) -> Sequential:
    if not isinstance(model, Sequential):
        raise TypeError(f"model must be a cnnedu Sequential, got {type(model).__name__}")
    if not model.layers:
        raise ValueError("model has no layers")
    return model


def _check_batch(model: Sequential, X, name: str = "X") -> np.ndarray:
    """``X`` as a batch in the model's dtype; builds the model if needed."""
    X = as_float_array(X, name)
    if model.built:
        sample = tuple(model.input_shape)
        if X.ndim != len(sample) + 1 or X.shape[1:] != sample:
            extra = ""
            if X.shape == sample:
                extra = f"; for one sample add a batch axis, e.g. {name}[None]"
            elif X.ndim == len(sample) and X.shape[1:] == sample[1:]:
                extra = f"; for one-channel images add a channel axis, e.g. {name}[:, None]"
            raise ValueError(f"{name} must be a batch of shape (N,) + {sample}, got shape "
                             f"{X.shape}{extra}")
    elif X.ndim < 2:
        raise ValueError(f"{name} must be a batch (N, ...), got shape {X.shape}")
    else:
        model.build(X.shape[1:])
    if len(X) == 0:
        raise ValueError(f"{name} holds no samples (shape {X.shape})")
    return X.astype(model.dtype, copy=False)


def feature_maps(model, X) -> dict:
    """The output of every layer of ``model`` for the batch ``X``, in inference mode.

    Parameters
    ----------
    model : Sequential
    X : array_like, shape (N,) + the model's input shape, e.g. (N, 1, 28, 28)

    Returns
    -------
    dict of str -> ndarray
        Layer name -> that layer's output, in the order of the layers, e.g.
        ``'conv2d'`` -> ``(N, 32, 26, 26)`` (after its activation), ...,
        ``'dense_1'`` -> ``(N, 10)``. The last entry is the model's output
        (``model.forward(X)``).
    """
    model = _check_model(model)
    out = _check_batch(model, X)
    maps = {}
    for layer in model.layers:
        out = layer.forward(out, training=False)
        maps[layer.name] = out
    return maps


def most_active_channels(maps, k: int = 4) -> np.ndarray:
    """Indices of the ``k`` channels with the largest mean activation.

    Parameters
    ----------
    maps : array_like, shape (N, C, H, W) or (C, H, W)
        Feature maps; the mean of channel ``c`` is taken over all other axes.
    k : int
        How many channels (at most C).

    Returns
    -------
    ndarray of int, shape (min(k, C),)
        Channels by decreasing mean; equal means keep the lower index first.
    """
    arr = as_float_array(maps, "maps")
    if arr.ndim not in (3, 4):
        raise ValueError(f"maps must be (N, C, H, W) or (C, H, W), got shape {arr.shape}")
    k = check_positive_int(k, "k")
    axes = (0, 2, 3) if arr.ndim == 4 else (1, 2)
    means = arr.mean(axis=axes)
    return np.argsort(-means, kind="stable")[:k]


class Saliency(NamedTuple):
    """What :func:`saliency` returns."""

    #: d(logit of the class) / d(input), the shape of the input batch
    grad: np.ndarray
    #: the logits of the batch, shape (N, K)
    logits: np.ndarray
    #: the class of each sample whose logit was differentiated, shape (N,)
    classes: np.ndarray


def _logit_head(model: Sequential):
    """``(layers to back-propagate through, does the last one start at its pre-activation)``.

    The class score is the logit: the input of the final softmax. That is the
    pre-activation of a last layer with ``activation='softmax'``, or the input
    of a final ``Softmax()`` layer, or the output of a last layer without one.
    """
    layers = list(model.layers)
    last = layers[-1]
    if isinstance(last, Activation) and last.activation == "softmax":
        layers = layers[:-1]
        if not layers:
            raise ValueError("model has only a Softmax layer: there are no logits to differentiate")
        return layers, False
    return layers, last.activation == "softmax"


def saliency(model, X, classes=None) -> Saliency:
    r"""Gradient of a class score with respect to the input: which pixels move it most.

    For each sample ``X[n]`` and class ``c_n`` the score is the logit
    :math:`z_{c_n}(x)` (before softmax), and the saliency map is

    .. math:: g[n] = \frac{\partial z_{c_n}}{\partial x}\Big|_{x = X[n]},

    same shape as ``X[n]``. A pixel with a large ``|g|`` changes the score
    most when it changes a little. It is computed with the model's backward
    pass (Simonyan, Vedaldi and Zisserman, 2014): forward in inference mode,
    then backward from ``dL/dz = onehot(c)`` at the logits. The samples do
    not interact, so one pass gives every sample's gradient.

    Parameters
    ----------
    model : Sequential
        A model whose last layer gives logits or ends in a softmax.
    X : array_like, shape (N,) + the model's input shape, e.g. (N, 1, 28, 28)
    classes : int or array_like of int, shape (N,), optional
        The class whose logit is differentiated, per sample (an int: the
        same for all). By default the predicted class, ``argmax`` of the logits.

    Returns
    -------
    Saliency
        ``(grad, logits, classes)``: ``grad`` of the shape of ``X`` in the
        model's dtype, the logits ``(N, K)`` and the classes ``(N,)``.
    """
    model = _check_model(model)
    X = _check_batch(model, X)
    layers, from_preactivation = _logit_head(model)
    out = X
    for layer in layers:                       # a final Softmax() layer is left out
        out = layer.forward(out, training=False)
    last = layers[-1]
    logits = last.preactivation if from_preactivation else out
    if logits.ndim != 2:
        raise ValueError(f"the model's logits must be (N, K), got shape {logits.shape}")
    n, k = logits.shape
    if classes is None:
        classes = logits.argmax(axis=1)
    else:
        classes = _check_classes(classes, n, k)
    dz = np.zeros_like(logits)
    dz[np.arange(n), classes] = 1
    dout = last.backward_preactivation(dz) if from_preactivation else last.backward(dz)
    for layer in reversed(layers[:-1]):
        dout = layer.backward(dout)
    return Saliency(dout, logits.copy(), np.asarray(classes, dtype=np.int64))


def _check_classes(classes, n: int, k: int) -> np.ndarray:
    if isinstance(classes, numbers.Integral) and not isinstance(classes, bool):
        classes = np.full(n, int(classes))
    arr = np.asarray(classes)
    integers = np.issubdtype(arr.dtype, np.integer) or arr.size == 0
    if arr.ndim != 1 or len(arr) != n or not integers:
        raise ValueError(f"classes must be an int or {n} ints (one per sample), got {classes!r}")
    if arr.size and (arr.min() < 0 or arr.max() >= k):
        raise ValueError(f"classes must lie in [0, {k}), got values from {arr.min()} "
                         f"to {arr.max()}")
    return arr.astype(np.int64)


def _check_labels(y, name: str) -> np.ndarray:
    arr = np.asarray(y)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of class labels, got shape {arr.shape}")
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        if np.issubdtype(arr.dtype, np.floating) and np.all(arr == np.round(arr)):
            arr = arr.astype(np.int64)
        else:
            raise ValueError(f"{name} must hold integer class labels, got dtype {arr.dtype}")
    if arr.size and arr.min() < 0:
        raise ValueError(f"{name} must hold class labels >= 0, got {arr.min()}")
    return arr.astype(np.int64)


def confusion_matrix(y_true, y_pred, num_classes: int | None = None) -> np.ndarray:
    """Count how often each true class was predicted as each class.

    Parameters
    ----------
    y_true : array_like of int, shape (N,)
        True classes.
    y_pred : array_like of int, shape (N,)
        Predicted classes (e.g. ``probs.argmax(axis=1)``).
    num_classes : int, optional
        K; by default one more than the largest label seen.

    Returns
    -------
    cm : ndarray of int64, shape (K, K)
        ``cm[t, p]`` = number of samples of true class ``t`` predicted as
        ``p``. Rows are true classes, columns predictions: the diagonal holds
        the correct predictions, each row sums to the number of samples of
        that class, and ``trace(cm) / N`` is the accuracy.
    """
    t = _check_labels(y_true, "y_true")
    p = _check_labels(y_pred, "y_pred")
    if len(t) != len(p):
        raise ValueError(f"y_true and y_pred must have the same length, got {len(t)} and {len(p)}")
    seen = int(max(t.max(initial=-1), p.max(initial=-1))) + 1
    if num_classes is None:
        k = seen
    else:
        k = check_positive_int(num_classes, "num_classes")
        if seen > k:
            raise ValueError(f"labels must lie in [0, num_classes) = [0, {k}), got a label "
                             f"{seen - 1}")
    cm = np.zeros((k, k), dtype=np.int64)
    np.add.at(cm, (t, p), 1)
    return cm


class Mistakes(NamedTuple):
    """What :func:`most_confident_mistakes` returns: arrays of equal length, surest first."""

    #: index of each misclassified sample in the data set
    index: np.ndarray
    #: its true class
    true: np.ndarray
    #: the class predicted instead
    predicted: np.ndarray
    #: the probability given to the predicted class
    confidence: np.ndarray


def most_confident_mistakes(probs, y_true, k: int = 8) -> Mistakes:
    """The ``k`` misclassified samples with the highest predicted probability.

    Parameters
    ----------
    probs : array_like, shape (N, K)
        Class probabilities (e.g. ``model.predict(X)``).
    y_true : array_like of int, shape (N,)
        True classes.
    k : int
        At most how many to return (fewer if there are fewer mistakes).

    Returns
    -------
    Mistakes
        ``(index, true, predicted, confidence)``, sorted by decreasing
        confidence; equal confidences keep the data set's order.
    """
    P = as_float_array(probs, "probs")
    if P.ndim != 2:
        raise ValueError(f"probs must be (N, K), got shape {P.shape}")
    t = _check_labels(y_true, "y_true")
    if len(t) != len(P):
        raise ValueError(f"probs and y_true must have the same length, got {len(P)} and {len(t)}")
    if t.size and t.max() >= P.shape[1]:
        raise ValueError(f"y_true must lie in [0, {P.shape[1]}), got a label {t.max()}")
    k = check_positive_int(k, "k")
    pred = P.argmax(axis=1)
    conf = P[np.arange(len(P)), pred]
    wrong = np.flatnonzero(pred != t)
    order = wrong[np.argsort(-conf[wrong], kind="stable")][:k]
    return Mistakes(order, t[order], pred[order], conf[order])


#: Cells per side of the digit explorer's drawing grid; each cell is ``SCALE x SCALE`` pixels.
GRID = 14
SCALE = 2
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
    side = GRID * SCALE
    if img.shape != (side, side):
        raise ValueError(f"image must have shape ({side}, {side}), got {img.shape}")
    return img.reshape(GRID, SCALE, GRID, SCALE).mean(axis=(1, 3)) > threshold


class DigitPlan(NamedTuple):
    """What the digit explorer shows of a model, chosen once (:func:`digit_plan`)."""

    #: names of the feature-map layers shown (outputs (C, H, W))
    map_layers: list
    #: layer name -> the channels shown, shape (k,)
    channels: dict
    #: the last dense layer before the output (outputs (D,)), or None
    hidden: str | None
    #: layer name -> True if its outputs go negative (a diverging colour map)
    signed: dict
    #: the name of the output layer, and whether it ends in a softmax
    output: str
    softmax_output: bool
    #: layer name -> the shape of its output for one input, e.g. (32, 26, 26) or (128,)
    shapes: dict
    #: the activation of the hidden layer ('relu', ...), or None
    hidden_activation: str | None


def digit_plan(model, X, n_channels: int = 4, n_layers: int = 4) -> DigitPlan:
    """Choose the layers and channels to show, from the model's maps of the digits ``X``.

    Parameters
    ----------
    model : Sequential
    X : ndarray, shape (N, 1, 28, 28)
        The digits the explorer reaches.
    n_channels : int
        Channels per feature-map layer: the most active ones on ``X``.
    n_layers : int
        The first ``n_layers`` layers with (C, H, W) outputs.

    Returns
    -------
    DigitPlan
    """
    maps = feature_maps(model, X)
    names = list(maps)
    map_layers = [k for k in names if maps[k].ndim == 4][:n_layers]
    channels = {k: most_active_channels(maps[k], n_channels) for k in map_layers}
    vectors = [k for k in names[:-1] if maps[k].ndim == 2
               and not isinstance(model.get_layer(k), Flatten)]
    hidden = vectors[-1] if vectors else None
    signed = {k: bool(np.nanmin(maps[k]) < 0) for k in map_layers + [hidden] if k}
    shapes = {k: maps[k].shape[1:] for k in names}
    return DigitPlan(map_layers, channels, hidden, signed, names[-1],
                     model.layers[-1].activation == "softmax", shapes,
                     model.get_layer(hidden).activation if hidden else None)


class DigitView(NamedTuple):
    """What the digit explorer shows for one input (:func:`digit_view`)."""

    source: str
    index: int
    #: the test digit's label, or None (a drawing, or no labels)
    label: int | None
    #: the input image (28, 28)
    input: np.ndarray
    #: layer name -> the channels shown (k, H, W), and their indices
    maps: dict
    channels: dict
    #: the units of the hidden dense layer (D,), or None
    hidden: np.ndarray | None
    #: class probabilities (K,) and the most probable class
    probabilities: np.ndarray
    prediction: int
    #: the drawing grid (14, 14) of bool
    drawing: np.ndarray
    trained: bool


def digit_view(model, plan: DigitPlan, digits, labels, source: str, index: int,
               drawing, trained: bool) -> DigitView:
    """A test digit or a drawing through the model: the maps, units and probabilities shown.

    Parameters
    ----------
    model : Sequential
        Taking (1, 28, 28) digits.
    plan : DigitPlan
        From :func:`digit_plan`.
    digits : ndarray, shape (N, 1, 28, 28)
    labels : ndarray of int, shape (N,), or None
    source : {'test digit', 'drawing'}
    index : int
        The test digit shown when ``source`` is ``'test digit'``.
    drawing : ndarray of bool, shape (14, 14)
        The input when ``source`` is ``'drawing'`` (:func:`cells_to_image`).
    trained : bool
        Reported as is (the caption warns about an untrained model).

    Returns
    -------
    DigitView
        The probabilities are the model's output if it ends in a softmax,
        else the softmax of its logits (as ``Sequential.predict`` gives them).
    """
    index = int(index)
    if source == "drawing":
        x, label = cells_to_image(drawing), None
    else:
        x = digits[index, 0]
        label = None if labels is None else int(labels[index])
    maps = feature_maps(model, x[None, None])
    out = maps[plan.output][0]
    probs = out if plan.softmax_output else softmax(out[None], axis=1)[0]
    shown = {name: maps[name][0, plan.channels[name]] for name in plan.map_layers}
    hidden = maps[plan.hidden][0] if plan.hidden else None
    channels = {k: v.copy() for k, v in plan.channels.items()}
    return DigitView(source, index, label, x, shown, channels, hidden, probs,
                     int(probs.argmax()), drawing, trained)
