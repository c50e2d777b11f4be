"""cnnedu.ops.loss: cross-entropy, mse, accuracy; values, gradients, stability, errors."""
import math
import warnings

import numpy as np
import pytest

from cnnedu.ops.activation import softmax
from cnnedu.gradcheck import check_gradient
from cnnedu.ops.loss import (accuracy, cross_entropy, mse, softmax_cross_entropy,
                           softmax_cross_entropy_naive)

BOTH = pytest.mark.parametrize("sce", [softmax_cross_entropy, softmax_cross_entropy_naive],
                               ids=["fast", "naive"])


# ------------------------------------------------------------ softmax cross-entropy
@BOTH
@pytest.mark.parametrize("k", [2, 10])
def test_uniform_logits_give_log_k(sce, k):
    labels = np.arange(3) % k
    loss, dlogits = sce(np.zeros((3, k)), labels)
    assert loss == pytest.approx(math.log(k), rel=1e-14)
    onehot = np.eye(k)[labels]
    np.testing.assert_allclose(dlogits, (1 / k - onehot) / 3, rtol=1e-14)


@BOTH
def test_hand_example(sce):
    logits = np.array([[0.0, math.log(2)],     # p = [1/3, 2/3]
                       [0.0, math.log(2)]])
    loss, dlogits = sce(logits, [1, 0])
    assert loss == pytest.approx((math.log(3 / 2) + math.log(3)) / 2, rel=1e-14)
    np.testing.assert_allclose(dlogits, [[1 / 6, -1 / 6], [-1 / 3, 1 / 3]], rtol=1e-13)


@BOTH
def test_gradient_matches_numerical(sce):
    rng = np.random.default_rng(0)
    logits = rng.standard_normal((4, 5)) * 3
    labels = np.array([0, 4, 2, 2])
    _, dlogits = sce(logits, labels)
    result = check_gradient(lambda: sce(logits, labels)[0], logits, dlogits)
    assert result.error < 1e-6, str(result)


@pytest.mark.parametrize("n, k", [(1, 1), (1, 3), (4, 2), (6, 10)],
                         ids=["N1-K1", "N1-K3", "N4-K2", "N6-K10"])
def test_fast_matches_naive(n, k):
    rng = np.random.default_rng(1)
    logits = rng.standard_normal((n, k)) * 4
    labels = rng.integers(0, k, size=n)
    loss, d = softmax_cross_entropy(logits, labels)
    loss_naive, d_naive = softmax_cross_entropy_naive(logits, labels)
    assert loss == pytest.approx(loss_naive, rel=1e-12)
    np.testing.assert_allclose(d, d_naive, rtol=1e-12, atol=1e-15)


def test_equals_minus_log_softmax_of_the_correct_class():
    rng = np.random.default_rng(2)
    logits = rng.standard_normal((5, 4))
    labels = np.array([3, 0, 1, 1, 2])
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    expected = -np.mean(np.log(p[np.arange(5), labels]))
    assert softmax_cross_entropy(logits, labels)[0] == pytest.approx(expected, rel=1e-13)
    assert cross_entropy(p, labels) == pytest.approx(expected, rel=1e-13)


@BOTH
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_large_logits_are_stable(sce, dtype):
    logits = np.array([[1e4, 0.0, -1e4]] * 3, dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            loss, dlogits = sce(logits, [0, 1, 2])
    # -log p = max - z_y = 0, 1e4 and 2e4
    assert loss == pytest.approx((0 + 1e4 + 2e4) / 3, rel=1e-6)
    assert np.all(np.isfinite(dlogits)) and dlogits.dtype == dtype
    np.testing.assert_allclose(dlogits, [[0, 0, 0], [1 / 3, -1 / 3, 0], [1 / 3, 0, -1 / 3]],
                               atol=1e-7)


@BOTH
def test_float32_in_float32_out(sce):
    logits = np.random.default_rng(3).standard_normal((3, 4)).astype(np.float32)
    loss, dlogits = sce(logits, [0, 1, 3])
    assert isinstance(loss, float) and dlogits.dtype == np.float32
    loss64, d64 = sce(logits.astype(np.float64), [0, 1, 3])
    assert loss == pytest.approx(loss64, rel=1e-6)
    np.testing.assert_allclose(dlogits, d64, atol=1e-7)
    assert sce(np.zeros((2, 3), dtype=int), [0, 1])[1].dtype == np.float64


def test_whole_number_float_labels_are_accepted():
    logits = np.random.default_rng(4).standard_normal((3, 4))
    as_int = softmax_cross_entropy(logits, np.array([0, 3, 1]))
    as_float = softmax_cross_entropy(logits, np.array([0.0, 3.0, 1.0]))
    assert as_int[0] == as_float[0]
    np.testing.assert_array_equal(as_int[1], as_float[1])


# ------------------------------------------------------------ label and logit errors
@BOTH
def test_label_out_of_range(sce):
    with pytest.raises(ValueError, match=r"labels must be in \[0, K\) = \[0, 10\) for K = 10 "
                                         r"classes, got 10 at index 2"):
        sce(np.zeros((3, 10)), [1, 9, 10])
    with pytest.raises(ValueError, match=r"labels must be in \[0, K\) = \[0, 3\) .*got -1 at "
                                         r"index 0"):
        sce(np.zeros((2, 3)), [-1, 0])


@BOTH
def test_non_integer_labels(sce):
    with pytest.raises(ValueError, match=r"labels must be integer class indices, got 2.5 at "
                                         r"index 1"):
        sce(np.zeros((2, 3)), [0.0, 2.5])
    with pytest.raises(ValueError, match=r"labels must be integer class indices, got nan"):
        sce(np.zeros((2, 3)), [0.0, np.nan])
    with pytest.raises(TypeError, match=r"labels must be integer class indices, got dtype bool"):
        sce(np.zeros((2, 3)), [True, False])
    with pytest.raises(TypeError, match=r"labels must be integer class indices, got dtype <U1"):
        sce(np.zeros((2, 3)), ["a", "b"])


@BOTH
def test_label_count_must_match_batch(sce):
    with pytest.raises(ValueError, match=r"got 3 labels for a batch of 4 samples; they must "
                                         r"match"):
        sce(np.zeros((4, 5)), [0, 1, 2])


@BOTH
def test_one_hot_labels_get_a_hint(sce):
    with pytest.raises(ValueError, match=r"labels must be a 1-D array \(N,\) of class indices, "
                                         r"got shape \(2, 3\); labels look one-hot encoded, "
                                         r"use labels.argmax\(axis=1\)"):
        sce(np.zeros((2, 3)), np.eye(3)[[0, 2]])


@BOTH
def test_nan_and_inf_in_logits(sce):
    logits = np.zeros((2, 3))
    logits[1, 2] = np.nan
    with pytest.raises(ValueError, match=r"^logits contain NaN \(first at index \(1, 2\)\)$"):
        sce(logits, [0, 1])
    logits[1, 2] = -np.inf
    with pytest.raises(ValueError, match=r"^logits contain inf \(first at index \(1, 2\)\)$"):
        sce(logits, [0, 1])


@BOTH
def test_logits_must_be_2d_and_non_empty(sce):
    with pytest.raises(ValueError, match=r"logits must be a 2-D array \(N, K\): N samples, "
                                         r"K classes, got shape \(10,\) \(1-D\)"):
        sce(np.zeros(10), [3])
    with pytest.raises(ValueError, match=r"logits must hold at least one sample and one class, "
                                         r"got shape \(0, 10\)"):
        sce(np.zeros((0, 10)), [])


# ------------------------------------------------------------ cross_entropy from probabilities
def test_cross_entropy_hand_example_and_eps_clip():
    probs = np.array([[0.25, 0.75], [0.5, 0.5]])
    assert cross_entropy(probs, [1, 0]) == pytest.approx(
        (-math.log(0.75) - math.log(0.5)) / 2, rel=1e-14)
    zero = np.array([[1.0, 0.0]])
    assert cross_entropy(zero, [1]) == pytest.approx(-math.log(1e-12), rel=1e-14)
    assert cross_entropy(zero, [1], eps=1e-3) == pytest.approx(-math.log(1e-3), rel=1e-14)
    assert cross_entropy(zero, [0]) == 0.0


def test_cross_entropy_of_softmax_agrees_with_fused_loss_in_float32():
    logits = np.random.default_rng(5).standard_normal((4, 3)).astype(np.float32)
    loss = cross_entropy(softmax(logits), [0, 1, 2, 0])
    assert isinstance(loss, float)
    assert loss == pytest.approx(softmax_cross_entropy(logits, [0, 1, 2, 0])[0], rel=1e-5)


def test_cross_entropy_errors():
    with pytest.raises(ValueError, match=r"probs must lie in \[0, 1\], got values from -1 to "
                                         r"3; for raw scores use softmax_cross_entropy"):
        cross_entropy(np.array([[-1.0, 3.0]]), [0])
    with pytest.raises(ValueError, match=r"eps must be a number in \(0, 1\), got 0"):
        cross_entropy(np.array([[0.5, 0.5]]), [0], eps=0)
    with pytest.raises(ValueError, match=r"probs contain NaN"):
        cross_entropy(np.array([[np.nan, 0.5]]), [0])
    with pytest.raises(ValueError, match=r"labels must be in \[0, K\) = \[0, 2\)"):
        cross_entropy(np.array([[0.5, 0.5]]), [2])


# ------------------------------------------------------------ mse
def test_mse_hand_example():
    loss, dpred = mse([1.0, 2.0, 3.0], [1.0, 0.0, 0.0])
    assert loss == pytest.approx((0 + 4 + 9) / 3, rel=1e-15)
    np.testing.assert_allclose(dpred, [0.0, 4 / 3, 6 / 3], rtol=1e-15)


def test_mse_gradient_matches_numerical():
    rng = np.random.default_rng(6)
    pred, target = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    _, dpred = mse(pred, target)
    result = check_gradient(lambda: mse(pred, target)[0], pred, dpred)
    assert result.error < 1e-6, str(result)


def test_mse_dtypes():
    pred = np.ones((2, 2), dtype=np.float32)
    loss, dpred = mse(pred, np.zeros((2, 2), dtype=int))
    assert isinstance(loss, float) and loss == 1.0
    assert dpred.dtype == np.float32
    assert mse(np.ones(3, dtype=int), np.zeros(3))[1].dtype == np.float64


def test_mse_errors():
    with pytest.raises(ValueError, match=r"pred and target must have the same shape, got "
                                         r"\(4, 1\) and \(4,\)"):
        mse(np.zeros((4, 1)), np.zeros(4))
    with pytest.raises(ValueError, match=r"pred and target are empty; mse needs at least one"):
        mse(np.zeros(0), np.zeros(0))
    with pytest.raises(ValueError, match=r"pred contains NaN \(first at index \(1,\)\)"):
        mse([0.0, np.nan], [0.0, 0.0])
    with pytest.raises(ValueError, match=r"target contains inf"):
        mse([0.0, 1.0], [np.inf, 0.0])


# ------------------------------------------------------------ accuracy
def test_accuracy_hand_example():
    scores = np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]])
    assert accuracy(scores, [1, 1, 1]) == pytest.approx(2 / 3)
    assert accuracy(scores, [1, 0, 1]) == 1.0
    assert accuracy(np.log(scores), [0, 1, 0]) == 0.0          # logits: same argmax


def test_accuracy_ties_pick_the_first_class():
    assert accuracy(np.array([[0.5, 0.5]]), [0]) == 1.0
    assert accuracy(np.array([[0.5, 0.5]]), [1]) == 0.0


def test_accuracy_errors():
    with pytest.raises(ValueError, match=r"got 2 labels for a batch of 3 samples"):
        accuracy(np.zeros((3, 2)), [0, 1])
    with pytest.raises(ValueError, match=r"scores must be a 2-D array \(N, K\)"):
        accuracy(np.zeros(3), [0, 1, 1])
