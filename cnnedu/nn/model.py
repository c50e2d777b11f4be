"""``Sequential``: a stack of layers that trains with mini-batch gradient descent.

The API mirrors Keras, so the classic MNIST example reads the same::

    model = Sequential([
        Conv2D(32, 3, activation='relu'), MaxPool2D(2),
        Conv2D(64, 3, activation='relu'), MaxPool2D(2),
        Flatten(), Dense(128, activation='relu'), Dense(10, activation='softmax'),
    ])
    model.compile(optimizer='adam', loss='sparse_categorical_crossentropy',
                  metrics=['accuracy'])
    history = model.fit(X, y, epochs=3, batch_size=64, validation_data=(X_test, y_test))
    model.summary()

**Softmax and cross-entropy are fused** (:mod:`cnnedu.nn.loss`). With
``loss='sparse_categorical_crossentropy'`` and a model whose last layer ends
in a softmax (``Dense(10, activation='softmax')`` or a ``Softmax()`` layer),
the loss is computed from that layer's *pre-softmax* output, the logits
``z``, by :func:`cnnedu.ops.loss.softmax_cross_entropy`: stable (log-sum-exp,
no ``log(0)``) and with the simple gradient ``dL/dz = (p - onehot(y)) / N``,
so the backward pass skips the softmax Jacobian and starts at the logits
(:meth:`~cnnedu.nn.base.Layer.backward_preactivation`). A model whose
last layer has no softmax is taken to output logits (Keras'
``from_logits=True``); :meth:`Sequential.predict` then applies the softmax,
so it returns probabilities either way.

Everything random comes from the model's ``seed``: the initial weights,
dropout masks and the shuffling of the training set, so two models built
and trained with the same seed and data end with identical weights. The
methods that compute (``fit``, ``train_on_batch``, ``evaluate``,
``predict``, ``compute_loss``, ``compute_gradients``) run the matrix
products on one BLAS thread (:func:`~cnnedu.nn.training.single_blas_thread`),
so the weights and every printed number are the same whatever the number of
threads or cores.

The mini-batch loop of :meth:`Sequential.fit` and its :class:`History` live
in :mod:`cnnedu.nn.training`.
"""
from __future__ import annotations

import numbers

import numpy as np

from .._checks import check_positive_int, float_dtype
from ..ops.activation import softmax
from .base import Input, Layer, default_name
from .checks import check_inputs, check_labels, check_targets
from .loss import (CLASSIFICATION, backward_from_loss, loss_and_gradient, metric_logs,
                   resolve_loss, resolve_metrics)
from .optim import get_optimizer
from .summary import summary_table
from .training import (History, divergence_error, evaluate_batches, fit_epochs,
                       single_blas_thread, steps_per_epoch, train_step)

__all__ = ["Sequential"]


class Sequential:
    """A linear stack of layers, with Keras' ``compile`` / ``fit`` / ``evaluate`` / ``predict``.

    Parameters
    ----------
    layers : list of Layer, optional
        The layers, first to last. An :class:`~cnnedu.nn.base.Input` first
        gives the input shape so the model is built right away.
    seed : int
        Seeds the initial weights, dropout masks and the shuffling in ``fit``.
    dtype : {'float32', 'float64'}
        dtype of the parameters and of the computation; inputs are cast to
        it. float32 is faster; use float64 for gradient checks.
    name : str
        Shown by :meth:`summary`.
    input_shape : tuple, optional
        Shape of one input sample, e.g. ``(1, 28, 28)`` (same as ``Input``).
    """

    def __init__(self, layers=None, seed: int = 0, dtype="float32", name: str = "sequential",
                 input_shape=None):
        if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
            raise ValueError(f"seed must be a non-negative int, got {seed!r}")
        self.seed = int(seed)
        self.dtype = float_dtype(dtype)
        self.name = name
        init_seq, shuffle_seq = np.random.SeedSequence(self.seed).spawn(2)
        self._init_rng = np.random.default_rng(init_seq)
        self._shuffle_rng = np.random.default_rng(shuffle_seq)
        self.layers: list[Layer] = []
        self.input_shape = None if input_shape is None else Input(input_shape).shape
        self.built = False
        self._shapes: list[tuple] = []
        self.optimizer = None
        self.loss = None
        self.metrics: list[str] = []
        self.history: History | None = None
        if isinstance(layers, Layer):
            layers = [layers]
        for layer in layers or []:
            self.add(layer)
        if self.input_shape is not None and self.layers:
            self.build(self.input_shape)

    # ------------------------------------------------------------------ structure
    def add(self, layer) -> None:
        """Append a layer (or set the input shape with an :class:`Input`)."""
        if isinstance(layer, Input):
            if self.layers:
                raise ValueError("Input(...) must come before the first layer")
            self.input_shape = layer.shape
            return
        if not isinstance(layer, Layer):
            raise TypeError(f"Sequential takes cnnedu layers (Conv2D, Dense, ...), got "
                            f"{layer!r} ({type(layer).__name__})")
        if any(layer is other for other in self.layers):
            raise ValueError(f"layer {layer!r} is already in the model; create a new one")
        names = {other.name for other in self.layers}
        if layer.name is None:
            layer.name = default_name(layer, names)
            layer._name_given = False
        elif layer.name in names:
            raise ValueError(f"a layer named {layer.name!r} is already in the model")
        if not self.layers and self.input_shape is None and layer.input_shape is not None:
            self.input_shape = layer.input_shape
        if self.built:
            self._build_layer(layer, self._shapes[-1])
        self.layers.append(layer)

    def _build_layer(self, layer: Layer, shape: tuple) -> tuple:
        try:
            if not layer.built:
                layer.build(shape, rng=self._init_rng, dtype=self.dtype)
            else:
                layer._check_compatible(layer._check_input_shape(shape))
            out = tuple(layer.output_shape(shape))
        except ValueError as exc:
            raise ValueError(f"layer {layer.name!r}: {exc}") from None
        self._shapes.append(out)
        return out

    def build(self, input_shape=None) -> "Sequential":
        """Create every layer's parameters for samples of shape ``input_shape``.

        Parameters
        ----------
        input_shape : tuple of int, optional
            Shape of one sample, e.g. ``(1, 28, 28)`` (a leading ``None``,
            Keras' batch axis, is ignored). Defaults to the shape given by
            ``Input`` / ``input_shape``.

        Returns
        -------
        self
        """
        if input_shape is None:
            input_shape = self.input_shape
        if input_shape is None:
            raise ValueError("build needs the shape of one input sample, e.g. build((1, 28, 28))")
        input_shape = tuple(input_shape)
        if input_shape and input_shape[0] is None:
            input_shape = input_shape[1:]
        if not self.layers:
            raise ValueError("the model has no layers: add some before building it")
        self.input_shape = Input(input_shape).shape
        self._shapes = []
        shape = self.input_shape
        for layer in self.layers:
            shape = self._build_layer(layer, shape)
        self.built = True
        return self

    @property
    def layer_output_shapes(self) -> list[tuple]:
        """Per-sample output shape of every layer (the model must be built)."""
        self._require_built("layer_output_shapes")
        return list(self._shapes)

    @property
    def output_shape(self) -> tuple:
        """Per-sample shape of the model's output (the model must be built)."""
        self._require_built("output_shape")
        return self._shapes[-1]

    def _require_built(self, what: str) -> None:
        if not self.built:
            raise RuntimeError(
                f"{what} needs a built model, and this one has not seen an input yet: call "
                "build((1, 28, 28)), put Input((1, 28, 28)) first, or call fit/predict first")

    def get_layer(self, name=None, index: int | None = None) -> Layer:
        """The layer with this ``name`` or at this ``index``."""
        if index is not None:
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"no layer named {name!r}; the layers are "
                         f"{[layer.name for layer in self.layers]}")

    def parameters(self) -> list[np.ndarray]:
        """All parameter arrays, layer by layer."""
        return [p for layer in self.layers for p in layer.parameters()]

    def gradients(self) -> list[np.ndarray]:
        """Their gradients from the last backward pass, same order."""
        return [g for layer in self.layers for g in layer.gradients()]

    def zero_grad(self) -> None:
        """Set every layer's gradients to zero."""
        for layer in self.layers:
            layer.zero_grad()

    def count_params(self) -> int:
        """Number of scalar parameters of all layers."""
        return sum(layer.count_params() for layer in self.layers)

    def astype(self, dtype) -> "Sequential":
        """Convert all parameters to ``dtype`` (optimizer state is reset)."""
        self.dtype = float_dtype(dtype)
        for layer in self.layers:
            layer.astype(self.dtype)
        if self.optimizer is not None:
            self.optimizer.reset()
        return self

    # ------------------------------------------------------------------ forward / backward
    def forward(self, X, training: bool = False) -> np.ndarray:
        """Run a batch through every layer; returns the last layer's output."""
        out = X
        for layer in self.layers:
            out = layer.forward(out, training=training)
        return out

    __call__ = forward

    def backward(self, dout) -> np.ndarray:
        """Backward pass from ``dout = dL/d(output)``; fills every layer's ``grads``."""
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return dout

    def compute_loss(self, X, y, training: bool = False) -> float:
        """The loss on a batch (no gradients, no update)."""
        self._require_compiled("compute_loss")
        with single_blas_thread():
            return loss_and_gradient(self, self.forward(X, training=training), y)[0]

    def compute_gradients(self, X, y, training: bool = True) -> float:
        """Forward and backward on a batch: returns the loss, fills every layer's ``grads``."""
        self._require_compiled("compute_gradients")
        with single_blas_thread():
            loss, dscores, _ = loss_and_gradient(self, self.forward(X, training=training), y)
            backward_from_loss(self, dscores)
        return loss

    # ------------------------------------------------------------------ compile
    def compile(self, optimizer="adam", loss=CLASSIFICATION, metrics=None) -> None:
        """Choose the optimizer, the loss and the metrics.

        Parameters
        ----------
        optimizer : {'adam', 'sgd'} or Optimizer
            A name gives the default settings (``Adam(lr=0.001)``,
            ``SGD(lr=0.01)``); pass ``Adam(lr=...)`` to choose.
        loss : {'sparse_categorical_crossentropy', 'mse'}
            Cross-entropy against integer class labels (fused with a final
            softmax, see the module docstring), or mean squared error.
        metrics : list of str, optional
            ``['accuracy']`` or nothing.
        """
        self.optimizer = get_optimizer(optimizer)
        self.loss = resolve_loss(loss)
        self.metrics = resolve_metrics(metrics)

    def _require_compiled(self, what: str) -> None:
        if self.optimizer is None or self.loss is None:
            raise RuntimeError(f"call compile(optimizer='adam', loss="
                               f"'sparse_categorical_crossentropy') before {what}")

    # ------------------------------------------------------------------ data checks
    def _check_X(self, X, name: str = "X") -> np.ndarray:
        if not self.layers:
            raise ValueError("the model has no layers")
        X = check_inputs(X, self.layers[0], self.input_shape if self.built else None, name)
        if not self.built:
            self.build(X.shape[1:])
        return X.astype(self.dtype, copy=False)

    def _check_y(self, y, n: int, name: str = "y", x_name: str = "X") -> np.ndarray:
        if self.loss == CLASSIFICATION:
            return check_labels(y, n, self.output_shape, name, x_name)
        return check_targets(y, n, self.output_shape, name, x_name).astype(self.dtype, copy=False)

    # ------------------------------------------------------------------ training
    def train_on_batch(self, X, y):
        """One optimisation step on one batch: forward, loss, backward, update.

        Parameters
        ----------
        X, y : one batch, as for :meth:`fit`

        Returns
        -------
        (loss, accuracy) on the batch (before the update) if compiled with
        ``metrics=['accuracy']``, else loss.
        """
        self._require_compiled("train_on_batch")
        X = self._check_X(X)
        y = self._check_y(y, len(X))
        with single_blas_thread():
            loss, hits = train_step(self, X, y)
        if loss is None:
            raise divergence_error("a training batch", self.optimizer.lr)
        return (loss, hits / len(X)) if self.metrics else loss

    def fit(self, X, y, epochs: int = 1, batch_size: int = 32, validation_data=None,
            shuffle: bool = True, verbose: int = 1, augment=None) -> History:
        """Train with mini-batches for a number of epochs.

        Parameters
        ----------
        X : ndarray, shape (N, ...) as the first layer expects, e.g. (N, 1, 28, 28)
        y : ndarray, shape (N,) of int class labels (or targets for ``'mse'``)
        epochs : int
            Passes over the training set.
        batch_size : int
            Samples per gradient step (the last batch may be smaller).
        validation_data : (X_val, y_val), optional
            Evaluated after every epoch (``val_loss``, ``val_accuracy``).
        shuffle : bool
            Reshuffle the samples every epoch (from the model's seed).
        verbose : {0, 1, 2}
            0 silent, 1 a progress bar per epoch, 2 one line per epoch.
        augment : callable, optional
            Changes each training batch before its step, e.g.
            :class:`~cnnedu.nn.augment.RandomShift` ``(2, seed=0)``: a function of
            the batch (N, ...) returning a new array of the same shape. Never
            applied to ``validation_data`` (nor in ``evaluate``, ``predict``);
            ``X`` itself is not changed.

        Returns
        -------
        History
            ``history.history['loss']`` etc., one value per epoch. The
            training loss and accuracy of an epoch are averages over its
            batches, measured while the weights change (as in Keras). With a
            learning-rate schedule (``SGD(lr=StepDecay(...))``), also
            ``'lr'``, the rate of each epoch's first update.

        Raises
        ------
        FloatingPointError
            If the loss becomes NaN or inf, naming the epoch and batch.
        """
        self._require_compiled("fit")
        epochs = check_positive_int(epochs, "epochs")
        batch_size = check_positive_int(batch_size, "batch_size")
        if verbose not in (0, 1, 2):
            raise ValueError(f"verbose must be 0, 1 or 2, got {verbose!r}")
        if augment is not None and not callable(augment):
            raise TypeError(f"augment must be None or a function of a batch such as "
                            f"RandomShift(2, seed=0), got {augment!r}")
        X = self._check_X(X)
        y = self._check_y(y, len(X))
        if len(X) == 0:
            raise ValueError("X holds no samples")
        val = self._check_validation_data(validation_data)
        history = History({"epochs": epochs, "steps": steps_per_epoch(len(X), batch_size),
                           "batch_size": batch_size})
        self.history = history
        with single_blas_thread():
            return fit_epochs(self, history, X, y, val, self._shuffle_rng if shuffle else None,
                              verbose, augment)

    def _check_validation_data(self, validation_data):
        """Checked ``(X_val, y_val)``, or ``None`` if ``validation_data`` is ``None``."""
        if validation_data is None:
            return None
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            raise ValueError("validation_data must be a pair (X_val, y_val)")
        Xv = self._check_X(validation_data[0], "X_val")
        return Xv, self._check_y(validation_data[1], len(Xv), "y_val", "X_val")

    # ------------------------------------------------------------------ inference
    def evaluate(self, X, y, batch_size: int = 128, return_dict: bool = False):
        """Loss (and accuracy) on a data set, in inference mode (no dropout).

        Parameters
        ----------
        X, y : as for :meth:`fit`
        batch_size : int
            Samples per forward pass (does not change the result).
        return_dict : bool
            Return ``{'loss': ..., 'accuracy': ...}`` instead of a tuple.

        Returns
        -------
        (loss, accuracy) if compiled with ``metrics=['accuracy']``, else loss;
        or the dict.
        """
        self._require_compiled("evaluate")
        batch_size = check_positive_int(batch_size, "batch_size")
        X = self._check_X(X)
        y = self._check_y(y, len(X))
        if len(X) == 0:
            raise ValueError("X holds no samples")
        with single_blas_thread():
            loss, correct = evaluate_batches(self, X, y, batch_size)
        logs = metric_logs(self, loss, correct / len(X))
        if return_dict:
            return logs
        return (logs["loss"], logs["accuracy"]) if self.metrics else logs["loss"]

    def predict(self, X, batch_size: int = 128) -> np.ndarray:
        """Outputs for ``X`` in inference mode; class probabilities for a classifier.

        Parameters
        ----------
        X : ndarray, shape (N, ...) as the first layer expects
        batch_size : int
            Samples per forward pass (does not change the result).

        Returns
        -------
        ndarray, shape (N,) + output shape, e.g. (N, 10)
            For a model ending in softmax, its output. For a model compiled
            with ``'sparse_categorical_crossentropy'`` whose last layer gives
            logits, ``softmax(logits)``. Otherwise the raw output. Rows of
            probabilities sum to 1.
        """
        batch_size = check_positive_int(batch_size, "batch_size")
        X = self._check_X(X)
        with single_blas_thread():
            outs = [self.forward(X[s:s + batch_size]) for s in range(0, len(X), batch_size)]
        out = np.concatenate(outs) if outs else np.zeros((0,) + self.output_shape, self.dtype)
        if self.loss == CLASSIFICATION and self.layers[-1].activation != "softmax":
            out = softmax(out, axis=1)
        return out

    # ------------------------------------------------------------------ printing
    def summary(self, print_fn=print) -> str:
        """Print (and return) a table of the layers, as Keras' ``model.summary()``.

        Columns: layer name and type, output shape (``None`` is the batch
        axis; channels first), number of parameters. Totals below, with the
        memory the parameters take in the model's dtype.
        """
        if not self.built:
            if self.input_shape is None:
                self._require_built("summary()")
            self.build()
        text = summary_table(self)
        if print_fn is not None:
            print_fn(text)
        return text

    def __repr__(self) -> str:
        inner = ",\n".join(f"    {layer!r}" for layer in self.layers)
        return f"Sequential([\n{inner}\n])" if self.layers else "Sequential([])"
