"""Ready-made models: :func:`classic_cnn`, the CNN of the book's last chapter.

Each function builds (and by default compiles) a :class:`~cnnedu.nn.model.Sequential`
from the layers of :mod:`cnnedu.nn`, seeded, so two calls with the same
seed give the same initial weights.
"""
from __future__ import annotations

from .._checks import check_positive_int
from .base import Input
from .conv import Conv2D
from .dense import Dense
from .model import Sequential
from .pool import MaxPool2D
from .reshape import Flatten

__all__ = ["classic_cnn"]


def classic_cnn(seed: int = 0, dtype="float32", compile: bool = True,
                input_size: int = 28) -> Sequential:
    """The classic MNIST CNN, built for ``(1, input_size, input_size)`` inputs (and compiled).

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
    input_size : int
        Height and width of the grey input images (28 for MNIST; at least 10,
        so that both convolutions and poolings fit).

    Returns
    -------
    Sequential
        Untrained; 225,034 parameters for 28 x 28 inputs (the first dense
        layer grows with the input size, the convolutions do not).
    """
    size = check_positive_int(input_size, "input_size", minimum=10)
    model = Sequential([
        Input((1, size, size)),
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
