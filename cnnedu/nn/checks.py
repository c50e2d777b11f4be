"""Checks of the data handed to :class:`~cnnedu.nn.model.Sequential`.

``fit``, ``evaluate`` and ``predict`` run every ``X`` and ``y`` through
these functions first, so a mistake (a missing channel axis, one-hot labels,
a label out of range, a NaN pixel) is reported once, in words, before any
training starts.
"""
from __future__ import annotations

import numpy as np

from .._checks import as_float_array
from .base import Layer, shape_str

__all__ = ["check_inputs", "check_labels", "check_targets"]


def check_inputs(X, first: Layer, input_shape, name: str = "X") -> np.ndarray:
    """Check a batch of inputs for a model whose first layer is ``first``.

    Parameters
    ----------
    X : array_like, shape (N, ...) as ``first`` expects, e.g. (N, C, H, W)
    first : Layer
        The model's first layer (gives the expected rank).
    input_shape : tuple or None
        The per-sample shape the model was built for (None: not built yet).
    name : str
        Name of the argument in error messages.

    Returns
    -------
    X : ndarray of floats (not yet cast to the model's dtype)
    """
    X = as_float_array(X, name)
    if first.input_ndim is not None and X.ndim != first.input_ndim:
        raise ValueError(
            f"{name} must be a {first.input_ndim}-D array {first.input_layout} for the first "
            f"layer {first!r}, got shape {X.shape} ({X.ndim}-D){first._rank_hint(X.ndim)}")
    if X.ndim < 2:
        raise ValueError(f"{name} must be a batch (N, ...) with at least 2 axes, "
                         f"got shape {X.shape}")
    if input_shape is not None and X.shape[1:] != tuple(input_shape):
        raise ValueError(f"{name} holds samples of shape {X.shape[1:]}, but the model was "
                         f"built for {tuple(input_shape)}")
    bad = ~np.isfinite(X)
    if bad.any():
        i = int(np.argmax(bad.reshape(len(X), -1).any(axis=1)))
        raise ValueError(f"{name} contains NaN or inf values (first in sample {i})")
    return X


def _check_length(y: np.ndarray, n: int, name: str, x_name: str) -> None:
    if y.ndim == 0 or len(y) != n:
        raise ValueError(f"{x_name} and {name} must have the same number of samples, got "
                         f"{n} and {len(y) if y.ndim else 'a scalar'}")


def check_labels(y, n: int, output_shape: tuple, name: str = "y", x_name: str = "X") -> np.ndarray:
    """Check class labels for a classifier with per-sample output ``(K,)``.

    Parameters
    ----------
    y : array_like, shape (N,)
        Integer class indices in ``[0, K)`` (whole-number floats accepted).
    n : int
        Number of samples in ``X``.
    output_shape : tuple
        The model's per-sample output shape; must be ``(K,)``.
    name, x_name : str
        Names of the arguments in error messages.

    Returns
    -------
    y : ndarray of intp, shape (N,)
    """
    y = np.asarray(y)
    _check_length(y, n, name, x_name)
    if len(output_shape) != 1:
        raise ValueError(f"sparse_categorical_crossentropy needs a model output (N, K), "
                         f"got {shape_str(output_shape)}: end the model with Flatten and Dense")
    k = output_shape[0]
    if y.ndim != 1:
        hint = (f"; {name} looks one-hot encoded, use {name}.argmax(axis=1)"
                if y.shape == (n, k) else "")
        raise ValueError(f"{name} must be a 1-D array (N,) of class indices, got shape "
                         f"{y.shape}{hint}")
    if y.dtype == bool or not (np.issubdtype(y.dtype, np.integer)
                               or np.issubdtype(y.dtype, np.floating)):
        raise TypeError(f"{name} must hold integer class indices, got dtype {y.dtype}")
    if np.issubdtype(y.dtype, np.floating):
        bad = ~np.isfinite(y) | (y != np.round(y))
        if bad.any():
            i = int(np.argmax(bad))
            raise ValueError(f"{name} must hold integer class indices, got {y[i].item()} "
                             f"at index {i}")
    out = (y < 0) | (y >= k)
    if out.any():
        i = int(np.argmax(out))
        raise ValueError(f"{name} must hold class indices in [0, {k}) for the model's {k} "
                         f"outputs, got {y[i].item()} at index {i}")
    return y.astype(np.intp)


def check_targets(y, n: int, output_shape: tuple, name: str = "y", x_name: str = "X") -> np.ndarray:
    """Check regression targets (for ``'mse'``): one target of ``output_shape`` per sample.

    A 1-D ``y`` is accepted for a model with a single output.

    Returns
    -------
    y : ndarray of floats, shape (N,) + output_shape
    """
    y = as_float_array(y, name)
    _check_length(y, n, name, x_name)
    if y.ndim == 1 and tuple(output_shape) == (1,):
        y = y[:, None]
    if y.shape[1:] != tuple(output_shape):
        raise ValueError(f"{name} must have one target of shape {tuple(output_shape)} per sample "
                         f"for the model's output {shape_str(output_shape)}, got {name} of shape "
                         f"{y.shape}")
    return y
