"""Looking inside a trained :class:`~cnnedu.nn.model.Sequential`: pure computations.

Used by the chapter "A complete CNN on real digits" and its explorer; the
drawing lives in :mod:`cnnedu.viz.model`.

- :func:`classic_cnn` -- the classic MNIST CNN, built and compiled;
- :func:`feature_maps` -- the output of every layer for a batch of inputs;
- :func:`most_active_channels` -- the channels of a feature map with the
  largest mean activation;
- :func:`saliency` -- the gradient of a class score (its logit) with respect
  to the input pixels, computed with the model's own backward pass;
- :func:`confusion_matrix` -- counts of (true class, predicted class) pairs;
- :func:`most_confident_mistakes` -- the misclassified samples the model was
  surest about.

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
from ..nn import Conv2D, Dense, Flatten, Input, MaxPool2D
from ..nn.activation import Activation
from ..nn.model import Sequential

__all__ = ["classic_cnn", "feature_maps", "most_active_channels", "Saliency", "saliency",
           "confusion_matrix", "Mistakes", "most_confident_mistakes"]


def classic_cnn(seed: int = 0, dtype="float32", compile: bool = True) -> Sequential:
    """The classic MNIST CNN, built for ``(1, 28, 28)`` inputs (and compiled).

    ::

        Conv2D(32, 3, relu) -> MaxPool2D(2) -> Conv2D(64, 3, relu) -> MaxPool2D(2)
        -> Flatten -> Dense(128, relu) -> Dense(10, softmax)

    Parameters
    ----------
    seed : int
        Seed of the initial weights (and of the shuffling in ``fit``).
    dtype : {'float32', 'float64'}
        dtype of the parameters.
    compile : bool
        Compile with Adam, sparse categorical cross-entropy and accuracy.

    Returns
    -------
    Sequential
        Untrained; 225,034 parameters.
    """
    model = Sequential([
        Input((1, 28, 28)),
        Conv2D(32, 3, activation="relu"),
        MaxPool2D(2),
        Conv2D(64, 3, activation="relu"),
        MaxPool2D(2),
        Flatten(),
        Dense(128, activation="relu"),
        Dense(10, activation="softmax"),
    ], seed=seed, dtype=dtype)
    if compile:
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
    return model


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
    if arr.ndim != 1 or len(arr) != n or not (np.issubdtype(arr.dtype, np.integer) or arr.size == 0):
        raise ValueError(f"classes must be an int or {n} ints (one per sample), got {classes!r}")
    if arr.size and (arr.min() < 0 or arr.max() >= k):
        raise ValueError(f"classes must lie in [0, {k}), got values from {arr.min()} to {arr.max()}")
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
