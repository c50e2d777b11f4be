"""The loss and the metrics of a :class:`~cnnedu.nn.model.Sequential`.

- :func:`resolve_loss` and :func:`resolve_metrics` -- what ``compile``
  accepts: ``'sparse_categorical_crossentropy'`` (:data:`CLASSIFICATION`) or
  ``'mse'``, and ``['accuracy']`` or nothing;
- :func:`fuses_softmax`, :func:`scores_of`, :func:`loss_and_gradient` and
  :func:`backward_from_loss` -- the loss of a batch and the start of the
  backward pass, with softmax and cross-entropy fused: the loss is computed
  from the last layer's *pre-softmax* output ``z`` (the logits) by
  :func:`cnnedu.ops.loss.softmax_cross_entropy`, and the backward pass starts
  at the logits with ``dL/dz = (p - onehot(y)) / N``;
- :func:`count_correct` and :func:`metric_logs` -- the accuracy and the
  ``{'loss': ..., 'accuracy': ...}`` dict that ``fit`` and ``evaluate`` report.

The functions that take a ``model`` read only its ``loss``, ``metrics`` and
``layers`` (and call its ``backward``).
"""
from __future__ import annotations

import numpy as np

from ..ops.loss import mse, softmax_cross_entropy

__all__ = ["CLASSIFICATION", "LOSSES", "resolve_loss", "resolve_metrics", "fuses_softmax",
           "scores_of", "loss_and_gradient", "backward_from_loss", "count_correct",
           "metric_logs"]

CLASSIFICATION = "sparse_categorical_crossentropy"
LOSSES = {CLASSIFICATION: CLASSIFICATION, "mse": "mse", "mean_squared_error": "mse"}
"""Loss names ``compile`` accepts (lower case) -> the loss they stand for."""


# ---------------------------------------------------------------------- compile
def resolve_loss(loss) -> str:
    """The loss a ``compile(loss=...)`` argument names: :data:`CLASSIFICATION` or ``'mse'``.

    Raises a ValueError naming the value given and the losses allowed (with a
    hint for Keras' ``'categorical_crossentropy'``, which expects one-hot ``y``).
    """
    if not isinstance(loss, str) or loss.lower() not in LOSSES:
        hint = ""
        if loss == "categorical_crossentropy":
            hint = ("; labels here are class indices, so use "
                    "'sparse_categorical_crossentropy' (one-hot y: y.argmax(axis=1))")
        raise ValueError(f"loss must be 'sparse_categorical_crossentropy' or 'mse', "
                         f"got {loss!r}{hint}")
    return LOSSES[loss.lower()]


def resolve_metrics(metrics) -> list[str]:
    """``['accuracy']`` for ``'accuracy'``, ``'acc'`` or a list of them; ``[]`` for nothing."""
    if metrics is None:
        metrics = []
    metrics = [metrics] if isinstance(metrics, str) else list(metrics)
    for m in metrics:
        if m not in ("accuracy", "acc"):
            raise ValueError(f"metrics may only hold 'accuracy', got {m!r}")
    return ["accuracy"] if metrics else []


# ---------------------------------------------------------------------- loss of a batch
def fuses_softmax(model) -> bool:
    """Is the loss fused with a softmax at the end of the model's last layer?"""
    return (model.loss == CLASSIFICATION and bool(model.layers)
            and model.layers[-1].activation == "softmax")


def scores_of(model, out) -> np.ndarray:
    """What the loss is computed from: the logits ``z`` of a fused softmax, else ``out``.

    ``out`` is the model's output for a batch, shape ``(N,) + output_shape``.
    """
    return model.layers[-1].preactivation if fuses_softmax(model) else out


def loss_and_gradient(model, out, y):
    """``(loss, dscores, scores)`` of a batch; ``scores`` are the logits for classification.

    Parameters
    ----------
    model : Sequential
        Compiled, and just run forward on the batch (the logits of a fused
        softmax are read from its last layer).
    out : ndarray, shape (N,) + output shape, e.g. (N, 10)
        The model's output for the batch.
    y : ndarray, shape (N,) of int class labels (or targets like ``out`` for ``'mse'``)

    Returns
    -------
    loss : float
        Averaged over the batch.
    dscores : ndarray, shape of ``scores``
        ``dL/dscores``, where the backward pass starts (:func:`backward_from_loss`).
    scores : ndarray
        The logits ``(N, K)`` for classification, else ``out``.
    """
    if model.loss == CLASSIFICATION:
        logits = scores_of(model, out)
        loss, dlogits = softmax_cross_entropy(logits, y)
        return loss, dlogits, logits
    loss, dout = mse(out, y)
    return loss, dout, out


def backward_from_loss(model, dscores) -> None:
    """Backward pass from ``dscores`` of :func:`loss_and_gradient`; fills every ``grads``.

    The first layer runs :meth:`~cnnedu.nn.base.Layer.backward_weights`: the
    gradient with respect to the model's input is not needed.
    """
    layers = model.layers
    dout = dscores
    if fuses_softmax(model):
        if len(layers) == 1:
            layers[0].backward_preactivation(dscores)
            return
        dout = layers[-1].backward_preactivation(dscores)
        layers = layers[:-1]
    for layer in reversed(layers[1:]):
        dout = layer.backward(dout)
    layers[0].backward_weights(dout)


# ---------------------------------------------------------------------- metrics
def count_correct(loss: str, scores, y) -> int:
    """Number of samples of a batch the model gets right.

    Parameters
    ----------
    loss : {'sparse_categorical_crossentropy', 'mse'}
        The model's loss (as resolved by :func:`resolve_loss`).
    scores : ndarray, shape (N, K) for classification, else like ``y``
        The ``scores`` of :func:`loss_and_gradient`.
    y : ndarray, shape (N,) of int class labels, or the ``'mse'`` targets
        For ``'mse'``: one-hot rows ``(N, K)`` are compared by argmax, other
        targets as 0/1 (a sample is right if every value is on the right
        side of 0.5).
    """
    if loss == CLASSIFICATION:
        return int(np.count_nonzero(scores.argmax(axis=1) == y))
    if scores.ndim == 2 and scores.shape[1] > 1:        # one-hot targets
        return int(np.count_nonzero(scores.argmax(axis=1) == y.argmax(axis=1)))
    hits = (scores > 0.5) == (y > 0.5)                   # one 0/1 target per sample
    return int(np.count_nonzero(hits.reshape(len(y), -1).all(axis=1)))


def metric_logs(model, loss: float, acc: float) -> dict:
    """``{'loss': loss, 'accuracy': acc}``, without the accuracy if the model has no metrics."""
    return {"loss": loss, **({"accuracy": acc} if model.metrics else {})}
