"""Checkers of the complete-CNN exercises: they accept right answers and explain wrong ones."""
import numpy as np
import pytest

from cnnedu.exercises import model as ex
from cnnedu.explain.model import confusion_matrix, saliency
from cnnedu.ops.loss import accuracy


# ---------------------------------------------------------------- by hand
def test_param_counts(capsys):
    assert ex.check_param_counts(320, 18_496, 204_928, 1_290)
    assert "parameter counts: all 1 cases correct" in capsys.readouterr().out
    wrong = ex.check_param_counts(288, 18_496, 204_928, 1_290, quiet=True)    # biases forgotten
    assert not wrong and "item 0: got 288, expected 320" in str(wrong)


def test_same_padding_shapes():
    assert ex.check_same_shapes((32, 28, 28), (32, 14, 14), (64, 14, 14), (64, 7, 7), 3136,
                                quiet=True)
    wrong = ex.check_same_shapes((32, 26, 26), (32, 13, 13), (64, 11, 11), (64, 5, 5), 1600,
                                 quiet=True)                                 # the 'valid' shapes
    assert not wrong and "item 0: item 1: got 26, expected 28" in str(wrong)


def test_confusion_by_hand():
    # counted by hand from EX3_TRUE / EX3_PRED
    assert ex.check_confusion_by_hand(1, 1, (0, 3, 1), (1, 3, 1), quiet=True)
    cm = confusion_matrix(ex.EX3_TRUE, ex.EX3_PRED)
    transposed = ex.check_confusion_by_hand(cm[2, 1], cm[0, 2], cm[:, 1], cm[1], quiet=True)
    assert not transposed


def test_multiply_adds():
    # 32 * 26 * 26 * 9, 64 * 11 * 11 * 288, 1600 * 128
    assert ex.check_multiply_adds(194_688, 2_230_272, 204_800, quiet=True)
    wrong = ex.check_multiply_adds(194_688, 64 * 11 * 11 * 9, 204_800, quiet=True)  # forgot C
    assert not wrong and "item 1: got 69696, expected 2230272" in str(wrong)


def test_new_architecture_matches_a_count_by_hand():
    # conv 16*(25+1)=416 -> 24x24 -> pool 12 -> conv 32*(16*9+1)=4640 -> 10x10 -> pool 5
    # -> flatten 800 -> dense 64*(800+1)=51264 -> dense 10*(64+1)=650
    assert ex.check_new_architecture(800, 416 + 4640 + 51_264 + 650, quiet=True)
    assert ex.ex5_model().count_params() == 56_970
    wrong = ex.check_new_architecture(32 * 6 * 6, 56_970, quiet=True)       # pooled 11 -> 5 twice
    assert not wrong and "item 0: got 1152, expected 800" in str(wrong)


def test_answers_that_are_not_numbers_are_explained():
    with pytest.raises(TypeError, match="answers must be a sequence of ints"):
        ex.check_multiply_adds("a", 1, 2, quiet=True)


# ---------------------------------------------------------------- code
def test_accuracy_checker(capsys):
    assert ex.check_accuracy(accuracy)
    assert "accuracy: all 6 cases correct" in capsys.readouterr().out
    assert ex.check_accuracy(lambda p, y: np.mean(p.argmax(axis=1) == y), quiet=True)
    last_max = ex.check_accuracy(                          # ties go to the last class
        lambda p, y: np.mean(p.shape[1] - 1 - p[:, ::-1].argmax(axis=1) == y), quiet=True)
    assert not last_max and "values" not in str(last_max) and "got" in str(last_max)
    counts = ex.check_accuracy(lambda p, y: np.sum(p.argmax(axis=1) == y), quiet=True)
    assert not counts


def test_confusion_matrix_checker():
    assert ex.check_confusion_matrix(confusion_matrix, quiet=True)

    def mine(t, p, k):
        cm = np.zeros((k, k), dtype=int)
        for a, b in zip(t, p):
            cm[a, b] += 1
        return cm

    assert ex.check_confusion_matrix(mine, quiet=True)
    transposed = ex.check_confusion_matrix(lambda t, p, k: mine(t, p, k).T, quiet=True)
    assert not transposed and "values differ" in str(transposed)
    too_small = ex.check_confusion_matrix(
        lambda t, p, k: mine(t, p, max(max(t), max(p)) + 1), quiet=True)
    assert not too_small and "shape" in str(too_small)


def my_saliency(model, x, c):
    out = x
    for layer in model.layers:
        out = layer.forward(out)
    last = model.layers[-1]
    dz = np.zeros_like(last.preactivation)
    dz[0, c] = 1.0
    d = last.backward_preactivation(dz) if last.activation == "softmax" else last.backward(dz)
    for layer in reversed(model.layers[:-1]):
        d = layer.backward(d)
    return d


def test_saliency_checker(capsys):
    assert ex.check_saliency(my_saliency)
    assert "saliency gradient: all 4 cases correct" in capsys.readouterr().out
    assert ex.check_saliency(lambda m, x, c: saliency(m, x, c).grad, quiet=True)


def test_saliency_checker_explains_the_probability_instead_of_the_logit():
    def through_softmax(model, x, c):
        out = x
        for layer in model.layers:
            out = layer.forward(out)
        d = np.zeros_like(out)
        d[0, c] = 1.0
        for layer in reversed(model.layers):
            d = layer.backward(d)
        return d

    wrong = ex.check_saliency(through_softmax, quiet=True)
    assert not wrong and "is the score the logit, before the softmax?" in str(wrong)
    flipped = ex.check_saliency(lambda m, x, c: -my_saliency(m, x, c), quiet=True)
    assert not flipped and "the sign is flipped" in str(flipped)
    shape = ex.check_saliency(lambda m, x, c: my_saliency(m, x, c)[0], quiet=True)
    assert not shape and "expected (1, 1, 8, 8) (the shape of x)" in str(shape)
    broken = ex.check_saliency(lambda m, x, c: 1 / 0, quiet=True)
    assert not broken and "raised ZeroDivisionError" in str(broken)
