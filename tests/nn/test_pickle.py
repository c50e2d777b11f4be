"""A pickled model keeps its configuration, parameters and optimizer, not its last batch."""
import copy
import pickle

import numpy as np

from cnnedu.data import load_digits
from cnnedu.nn import BatchNormalization, Conv2D, Dense, Dropout, Flatten, Input, MaxPool2D
from cnnedu.nn.model import Sequential


def trained_model():
    model = Sequential([Input((1, 28, 28)), Conv2D(8, 3, activation="relu"),
                        BatchNormalization(), MaxPool2D(2), Flatten(), Dropout(0.3),
                        Dense(10, activation="softmax")], seed=0)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    X, y = load_digits("test")
    model.fit(X[:64], y[:64], epochs=1, batch_size=32, verbose=0)
    model.predict(X[:500])             # leaves a 500-digit batch in every layer
    return model, X, y


def test_pickle_holds_parameters_and_optimizer_not_the_last_batch():
    model, X, y = trained_model()
    data = pickle.dumps(model)
    params = 4 * model.count_params()
    batch_bytes = sum(a.nbytes for layer in model.layers for a in vars(layer).values()
                      if isinstance(a, np.ndarray))
    assert batch_bytes > 10 * params              # what used to be pickled with it
    assert len(data) < 3 * params + 100_000       # parameters + Adam's two moments
    again = pickle.loads(data)
    np.testing.assert_array_equal(again.predict(X[:50]), model.predict(X[:50]))
    # it trains on: the optimizer state came along, and backward works after a forward
    again.fit(X[64:96], y[64:96], epochs=1, batch_size=32, verbose=0)
    model.fit(X[64:96], y[64:96], epochs=1, batch_size=32, verbose=0)
    for mine, theirs in zip(again.layers, model.layers):
        for a, b in zip(mine.get_weights(), theirs.get_weights()):
            np.testing.assert_array_equal(a, b)


def test_a_copied_layer_has_no_gradients_until_its_next_backward():
    model, X, y = trained_model()
    model.compute_gradients(X[:8], y[:8])
    layer = copy.deepcopy(model.get_layer("dense"))
    assert layer.grads == {} and layer._x is None
