"""Small data sets and wrappers that several layer and model tests share."""
from __future__ import annotations

import numpy as np


def bars(n=64, seed=0):
    """6x6 images holding a vertical (label 0) or horizontal (label 1) bar, plus noise."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    X = rng.random((n, 1, 6, 6)) * 0.2
    pos = rng.integers(0, 6, n)
    for i in range(n):
        if y[i] == 0:
            X[i, 0, :, pos[i]] += 1.0
        else:
            X[i, 0, pos[i], :] += 1.0
    return X, y


class TrainingMode:
    """A layer whose ``forward`` runs in training mode (batch statistics), for check_layer."""

    def __init__(self, layer):
        self.layer = layer

    def forward(self, x):
        return self.layer.forward(x, training=True)

    def backward(self, dy):
        return self.layer.backward(dy)

    @property
    def params(self):
        return self.layer.params

    @property
    def grads(self):
        return self.layer.grads
