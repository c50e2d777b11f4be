"""Checkers of the exercises on dense layers: they accept right answers and explain wrong ones."""
import numpy as np

from cnnedu.ops import activation as act
from cnnedu.ops.dense import dense
from cnnedu.ops.dropout import dropout
from cnnedu.exercises import dense as ex
from cnnedu.nn import Conv2D, Dense, Flatten, GlobalAvgPool2D, MaxPool2D
from cnnedu.ops.loss import softmax_cross_entropy
from cnnedu.nn.model import Sequential


def test_shapes(capsys):
    assert ex.check_dense_shapes((32, 1600), (128, 1600), (32, 128))
    assert "shapes: all 1 cases correct" in capsys.readouterr().out
    wrong = ex.check_dense_shapes((32, 1600), (1600, 128), (32, 128), quiet=True)
    assert not wrong and "item 1: item 0: got 1600, expected 128" in str(wrong)


def test_param_formulas_agree_with_the_model_summary():
    model = Sequential([Conv2D(16, 5), MaxPool2D(2), Flatten(), Dense(64)], input_shape=(1, 32, 32))
    counts = [layer.count_params() for layer in model.layers]
    assert counts == [16 * 1 * 5 * 5 + 16, 0, 0, 3136 * 64 + 64]
    assert ex.check_param_counts(counts[0], 3136, counts[3], quiet=True)
    wrong = ex.check_param_counts(400, 3136, 200_704, quiet=True)   # biases forgotten
    assert not wrong and "item 0: got 400, expected 416" in str(wrong)


def test_gap_head_agrees_with_the_model():
    gap = Sequential([GlobalAvgPool2D(), Dense(10)], input_shape=(64, 5, 5))
    flat = Sequential([Flatten(), Dense(10)], input_shape=(64, 5, 5))
    assert ex.check_gap_head(gap.count_params(), flat.count_params(), quiet=True)
    assert (gap.count_params(), flat.count_params()) == (650, 16010)
    assert not ex.check_gap_head(640, 16000, quiet=True)


def test_loss_by_hand():
    assert ex.check_loss_by_hand(0.693, 2.303, quiet=True)
    wrong = ex.check_loss_by_hand(0.5, 2.303, quiet=True)
    assert not wrong and "item 0: got 0.5, expected 0.693147" in str(wrong)


def test_dense_checker(capsys):
    assert ex.check_dense(dense)
    assert "dense forward: all 6 cases correct" in capsys.readouterr().out
    assert ex.check_dense(lambda x, w, b: x @ w.T + b, quiet=True)
    wrong = ex.check_dense(lambda x, w, b: x @ w + b, quiet=True)        # forgot the transpose
    assert not wrong and "raised ValueError" in str(wrong)
    no_bias = ex.check_dense(lambda x, w, b: x @ w.T, quiet=True)
    assert not no_bias and "values differ" in str(no_bias)


def test_softmax_checker_catches_the_naive_version():
    assert ex.check_softmax(act.softmax, quiet=True)

    def stable(z):
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    assert ex.check_softmax(stable, quiet=True)
    naive = ex.check_softmax(lambda z: np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True),
                             quiet=True)
    assert not naive and "overflow encountered in exp" in str(naive)
    wrong_axis = ex.check_softmax(lambda z: stable(z.T).T if z.ndim == 2 else stable(z), quiet=True)
    assert not wrong_axis


def test_dropout_checker():
    assert ex.check_dropout(dropout, quiet=True)

    def mine(x, rate, rng, training):
        if not training or rate == 0:
            return x.copy(), np.ones_like(x)
        mask = (rng.random(x.shape) < 1 - rate) / (1 - rate)
        return x * mask, mask

    assert ex.check_dropout(mine, quiet=True)

    def unscaled(x, rate, rng, training):
        if not training:
            return x.copy(), np.ones_like(x)
        mask = (rng.random(x.shape) < 1 - rate) * 1.0
        return x * mask, mask

    wrong = ex.check_dropout(unscaled, quiet=True)
    assert not wrong and wrong.passed == 2 and "values differ" in str(wrong)


def test_softmax_cross_entropy_checker():
    assert ex.check_softmax_cross_entropy(softmax_cross_entropy, quiet=True)

    def naive(logits, labels):
        p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
        n = len(labels)
        d = p.copy()
        d[np.arange(n), labels] -= 1
        return -np.mean(np.log(p[np.arange(n), labels])), d / n

    wrong = ex.check_softmax_cross_entropy(naive, quiet=True)
    assert not wrong and "FloatingPointError" in str(wrong)

    def not_averaged(logits, labels):
        loss, d = softmax_cross_entropy(logits, labels)
        return loss * len(labels), d * len(labels)

    assert not ex.check_softmax_cross_entropy(not_averaged, quiet=True)
