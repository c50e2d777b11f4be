"""The mini-batch loop behind :meth:`~cnnedu.nn.model.Sequential.fit`, and its ``History``.

- :class:`History` -- what ``fit`` returns: one value per epoch of every metric;
- :func:`steps_per_epoch` and :func:`batch_indices` -- how an epoch is cut
  into mini-batches (the last one may be smaller);
- :func:`train_step` -- forward, loss, backward and update on one batch;
- :func:`train_epoch` and :func:`fit_epochs` -- one pass over the training
  set with its progress bar, and the whole run with validation (and, when
  asked, augmented batches and the learning rate of every epoch);
- :func:`evaluate_batches` -- loss and hits on a data set in inference mode;
- :func:`divergence_error` -- the error raised when the loss becomes NaN or inf;
- :func:`single_blas_thread` -- runs the matrix products on one BLAS thread, so
  that training and inference give the same numbers whatever the number of
  threads or cores (on the same kind of processor, with the same numpy and BLAS).

The functions take a compiled and built model and checked arrays (``X`` in
the model's dtype, ``y`` checked against its output); the checks, and the
random order of the samples, are the model's (:meth:`Sequential.fit`).
"""
from __future__ import annotations

import functools
import math

import numpy as np
from threadpoolctl import ThreadpoolController

from .loss import backward_from_loss, count_correct, loss_and_gradient, metric_logs, scores_of
from .progress import ProgressBar

__all__ = ["History", "steps_per_epoch", "batch_indices", "train_step", "train_epoch",
           "fit_epochs", "augmented_batch", "evaluate_batches", "divergence_error",
           "single_blas_thread"]


@functools.cache
def _controller() -> ThreadpoolController:
    """The thread pools of the libraries numpy has loaded (found once, on first use)."""
    return ThreadpoolController()


def single_blas_thread():
    """A context manager that runs the BLAS library behind numpy on one thread.

    A BLAS library splits a large matrix product (``X @ W``, im2col's
    ``(N*O_H*O_W, C*k*k) @ (C*k*k, F)``) among threads, and how it splits it
    can change the order in which the float32 products are added, so the
    result can differ in its last digits with the number of threads. Over
    thousands of training steps such differences grow into different weights
    and different printed accuracies. :meth:`Sequential.fit`, ``evaluate``, ``predict`` and
    the other model methods run inside this context, so the same seed gives
    the same numbers whatever ``OPENBLAS_NUM_THREADS`` (or the core count) is.
    It does not make other machines agree: a BLAS library picks its kernels
    for the processor, so another kind of processor (or another numpy or BLAS
    version) can round differently, and after training the printed accuracies
    can differ by a few tenths of a percent.
    The limit is lifted when the ``with`` block ends; calls nest.

    Examples
    --------
    >>> with single_blas_thread():
    ...     out = model.forward(X)      # doctest: +SKIP
    """
    return _controller().limit(limits=1, user_api="blas")


class History:
    """What :meth:`Sequential.fit` returns: per-epoch metrics, as in Keras.

    Attributes
    ----------
    history : dict of str -> list of float
        ``'loss'`` and, as compiled and given, ``'accuracy'``, ``'val_loss'``,
        ``'val_accuracy'``; one value per epoch. With a learning-rate
        schedule, also ``'lr'``: the rate of each epoch's first update.
    epoch : list of int
        The epoch indices (0-based, as in Keras).
    params : dict
        ``epochs``, ``steps`` (batches per epoch), ``batch_size``.
    """

    def __init__(self, params: dict):
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []
        self.params = params

    def _append(self, epoch: int, metrics: dict) -> None:
        self.epoch.append(epoch)
        for key, value in metrics.items():
            self.history.setdefault(key, []).append(float(value))

    def __repr__(self) -> str:
        last = ", ".join(f"{k}={v[-1]:.4f}" for k, v in self.history.items())
        return f"History({len(self.epoch)} epochs; last: {last})"


def divergence_error(where: str, lr) -> FloatingPointError:
    """The error for a loss that became NaN or inf ``where``, suggesting a smaller ``lr``."""
    return FloatingPointError(
        f"the loss became NaN or inf at {where}: the model's outputs are no longer finite. "
        f"Training diverged: try a smaller learning rate (lr is {lr:g}).")


# ---------------------------------------------------------------------- batches
def steps_per_epoch(n: int, batch_size: int) -> int:
    """Number of mini-batches of ``batch_size`` samples in ``n``: ``ceil(n / batch_size)``."""
    return -(-n // batch_size)


def batch_indices(n: int, batch_size: int, order=None) -> list:
    """The index of every mini-batch of ``n`` samples, in training order.

    Parameters
    ----------
    n, batch_size : int
    order : ndarray, shape (n,), optional
        A permutation of the samples (shuffled training); ``None`` keeps them
        in order.

    Returns
    -------
    list of slice or ndarray
        ``X[idx]`` is a batch of ``batch_size`` samples (the last may be smaller).
    """
    steps = steps_per_epoch(n, batch_size)
    return [order[b * batch_size:(b + 1) * batch_size] if order is not None
            else slice(b * batch_size, (b + 1) * batch_size) for b in range(steps)]


# ---------------------------------------------------------------------- training
def train_step(model, X, y):
    """Forward, loss, backward and update on a checked batch: ``(loss, n_correct)``.

    ``loss`` is ``None`` (and nothing is updated) if the outputs are not finite.
    ``n_correct`` is 0 if the model was compiled without metrics.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        out = model.forward(X, training=True)
        scores = scores_of(model, out)
        if not np.isfinite(scores).all():
            return None, 0
        loss, dscores, scores = loss_and_gradient(model, out, y)
        if not math.isfinite(loss):
            return None, 0
        backward_from_loss(model, dscores)
        model.optimizer.step(model.parameters(), model.gradients())
    return loss, (count_correct(model.loss, scores, y) if model.metrics else 0)


def train_epoch(model, X, y, batch_size: int, order, bar: ProgressBar, where: str,
                augment=None) -> dict:
    """One pass over ``(X, y)`` in mini-batches: the epoch's mean loss (and accuracy).

    ``order`` is as for :func:`batch_indices`; ``bar`` is updated after every
    batch; ``where`` (``'epoch 2'``) names the epoch if training diverges;
    ``augment`` (optional, e.g. :class:`~cnnedu.nn.augment.RandomShift`)
    returns a changed copy of each batch before its step.
    """
    batches = batch_indices(len(X), batch_size, order)
    total_loss, correct, seen = 0.0, 0, 0
    for b, idx in enumerate(batches):
        Xb, yb = X[idx], y[idx]
        if augment is not None:
            Xb = augmented_batch(augment, Xb, model.dtype)
        loss, hits = train_step(model, Xb, yb)
        if loss is None:
            raise divergence_error(f"{where}, batch {b + 1} of {len(batches)}",
                                   model.optimizer.lr)
        total_loss += loss * len(Xb)
        correct += hits
        seen += len(Xb)
        bar.update(b + 1, metric_logs(model, total_loss / seen, correct / seen))
    return metric_logs(model, total_loss / seen, correct / seen)


def fit_epochs(model, history: History, X, y, validation=None, shuffle_rng=None,
               verbose: int = 1, augment=None) -> History:
    """Train for ``history.params['epochs']`` epochs, appending each epoch's metrics.

    Parameters
    ----------
    model : Sequential, compiled and built
    history : History
        Its ``params`` give ``epochs``, ``steps`` and ``batch_size``.
    X, y : checked training data
    validation : (X_val, y_val), optional
        Checked; evaluated after every epoch (``val_loss``, ``val_accuracy``).
    shuffle_rng : numpy.random.Generator, optional
        Draws a new order of the samples every epoch; ``None`` keeps the order.
    verbose : {0, 1, 2}
        As for :class:`~cnnedu.nn.progress.ProgressBar`.
    augment : callable, optional
        Applied to every training batch (:func:`train_epoch`), never to ``validation``.

    With an optimizer whose ``lr`` is a schedule, ``history.history['lr']``
    holds the learning rate of each epoch's first update.
    """
    epochs, steps = history.params["epochs"], history.params["steps"]
    batch_size = history.params["batch_size"]
    scheduled = getattr(model.optimizer, "schedule", None) is not None
    for epoch in range(epochs):
        order = shuffle_rng.permutation(len(X)) if shuffle_rng is not None else None
        bar = ProgressBar(steps, epoch + 1, epochs, verbose)
        lr = model.optimizer.lr if scheduled else None
        logs = train_epoch(model, X, y, batch_size, order, bar, f"epoch {epoch + 1}", augment)
        if validation is not None:
            v_loss, v_correct = evaluate_batches(model, *validation,
                                                 batch_size=max(batch_size, 128))
            logs.update({"val_" + k: v for k, v in
                         metric_logs(model, v_loss, v_correct / len(validation[0])).items()})
        bar.finish(logs)
        if scheduled:
            logs["lr"] = lr
        history._append(epoch, logs)
    return history


def augmented_batch(augment, Xb, dtype) -> np.ndarray:
    """``augment(Xb)`` in ``dtype``, checked to be an array of the batch's shape."""
    out = augment(Xb)
    if not isinstance(out, np.ndarray) or out.shape != Xb.shape:
        got = f"shape {out.shape}" if isinstance(out, np.ndarray) else type(out).__name__
        raise ValueError(f"augment must return an array of the batch's shape {Xb.shape}, "
                         f"got {got} from {augment!r}")
    return out.astype(dtype, copy=False)


# ---------------------------------------------------------------------- inference
def evaluate_batches(model, X, y, batch_size: int):
    """``(mean loss, n_correct)`` of the model on checked ``(X, y)``, in inference mode.

    Raises a FloatingPointError naming the samples if the outputs are not finite.
    """
    total, correct = 0.0, 0
    with np.errstate(over="ignore", invalid="ignore"):
        for start in range(0, len(X), batch_size):
            Xb, yb = X[start:start + batch_size], y[start:start + batch_size]
            out = model.forward(Xb)
            scores = scores_of(model, out)
            if not np.isfinite(scores).all():
                raise FloatingPointError(
                    f"the model's outputs are not finite (samples {start} to "
                    f"{start + len(Xb) - 1}): its weights hold NaN or inf")
            loss, _, scores = loss_and_gradient(model, out, yb)
            total += loss * len(Xb)
            correct += count_correct(model.loss, scores, yb)
    return total / len(X), correct
