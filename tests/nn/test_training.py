"""Tests of the mini-batch loop behind fit: batches, one step, one epoch, History, errors."""
import io

import numpy as np
import pytest

from cnnedu.nn import Dense
from cnnedu.nn.model import Sequential
from cnnedu.nn.optim import SGD
from cnnedu.nn.progress import ProgressBar
from cnnedu.nn.training import (History, batch_indices, divergence_error, evaluate_batches,
                                fit_epochs, steps_per_epoch, train_epoch, train_step)


def compiled_mlp(metrics=("accuracy",)):
    model = Sequential([Dense(4, activation="relu"), Dense(2, activation="softmax")],
                       dtype="float64", seed=0)
    model.compile(SGD(lr=0.1), metrics=list(metrics))
    model.build((3,))
    return model


def data(n=10, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, 3)), rng.integers(0, 2, n)


@pytest.mark.parametrize("n, batch_size, steps", [(10, 3, 4), (9, 3, 3), (1, 32, 1), (32, 32, 1)])
def test_steps_per_epoch(n, batch_size, steps):
    assert steps_per_epoch(n, batch_size) == steps


def test_batch_indices_in_order_cover_every_sample_once():
    batches = batch_indices(10, 4)
    assert batches == [slice(0, 4), slice(4, 8), slice(8, 12)]
    assert np.arange(10)[batches[-1]].tolist() == [8, 9]


def test_batch_indices_follow_the_given_order():
    order = np.random.default_rng(0).permutation(7)
    batches = batch_indices(7, 3, order)
    assert [len(b) for b in batches] == [3, 3, 1]
    np.testing.assert_array_equal(np.concatenate(batches), order)


def test_train_step_returns_the_loss_before_the_update_and_updates():
    model = compiled_mlp()
    X, y = data()
    before = model.compute_loss(X, y)
    w = model.layers[0].params["w"].copy()
    loss, hits = train_step(model, X, y)
    assert loss == pytest.approx(before)
    assert 0 <= hits <= len(X)
    assert not np.array_equal(model.layers[0].params["w"], w)


def test_train_step_counts_no_hits_without_metrics():
    model = compiled_mlp(metrics=())
    assert train_step(model, *data())[1] == 0


def test_train_step_with_non_finite_outputs_updates_nothing():
    model = compiled_mlp()
    model.layers[0].params["w"][0, 0] = np.inf
    params = [p.copy() for p in model.parameters()]
    assert train_step(model, *data()) == (None, 0)
    for p, q in zip(model.parameters(), params):
        np.testing.assert_array_equal(p, q)


def test_train_epoch_with_one_batch_reports_the_loss_before_the_update():
    model = compiled_mlp()
    X, y = data()
    before = model.evaluate(X, y, return_dict=True)
    buf = io.StringIO()
    logs = train_epoch(model, X, y, 32, None, ProgressBar(1, verbose=1, file=buf), "epoch 1")
    assert list(logs) == ["loss", "accuracy"]
    assert logs["loss"] == pytest.approx(before["loss"])
    assert logs["accuracy"] == pytest.approx(before["accuracy"])
    assert buf.getvalue().startswith("\rEpoch 1/1  1/1 [")


def test_train_epoch_names_the_epoch_and_batch_when_training_diverges():
    model = compiled_mlp()
    X, y = data()
    model.layers[-1].params["b"][:] = np.nan
    with pytest.raises(FloatingPointError,
                       match=r"the loss became NaN or inf at epoch 7, batch 1 of 4: "):
        train_epoch(model, X, y, 3, None, ProgressBar(4, verbose=0), "epoch 7")


def test_fit_epochs_appends_one_entry_per_epoch_with_validation(capsys):
    model = compiled_mlp()
    X, y = data()
    history = History({"epochs": 2, "steps": 4, "batch_size": 3})
    out = fit_epochs(model, history, X, y, validation=(X[:4], y[:4]),
                     shuffle_rng=np.random.default_rng(0), verbose=0)
    assert out is history and history.epoch == [0, 1]
    assert list(history.history) == ["loss", "accuracy", "val_loss", "val_accuracy"]
    assert history.history["val_loss"][-1] == pytest.approx(model.evaluate(X[:4], y[:4])[0])
    assert capsys.readouterr().out == ""


def test_evaluate_batches_does_not_depend_on_the_batch_size():
    model = compiled_mlp()
    X, y = data(11)
    loss, correct = evaluate_batches(model, X, y, batch_size=11)
    for batch_size in (1, 4, 128):
        other = evaluate_batches(model, X, y, batch_size)
        assert other[0] == pytest.approx(loss, rel=1e-12) and other[1] == correct


def test_history_repr_shows_the_last_values():
    history = History({"epochs": 2, "steps": 1, "batch_size": 8})
    history._append(0, {"loss": 1.0, "accuracy": 0.5})
    history._append(1, {"loss": 0.25, "accuracy": 0.75})
    assert repr(history) == "History(2 epochs; last: loss=0.2500, accuracy=0.7500)"
    assert history.history == {"loss": [1.0, 0.25], "accuracy": [0.5, 0.75]}


def test_divergence_error_names_where_and_the_learning_rate():
    err = divergence_error("epoch 2, batch 3 of 5", 0.5)
    assert isinstance(err, FloatingPointError)
    assert str(err) == ("the loss became NaN or inf at epoch 2, batch 3 of 5: the model's outputs "
                        "are no longer finite. Training diverged: try a smaller learning rate "
                        "(lr is 0.5).")
