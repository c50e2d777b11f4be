"""cnnedu.explain.dense: what the dropout explorer shows."""
import numpy as np
import pytest

from cnnedu.explain.dense import N_MASKS, DropoutView, dropout_view, mean_over_masks
from cnnedu.ops.dropout import dropout

X = np.maximum(np.random.default_rng(1).normal(size=(9, 8)), 0)


@pytest.mark.parametrize("rate", [0.0, 0.25, 0.5, 0.9])
@pytest.mark.parametrize("seed", [0, 5])
@pytest.mark.parametrize("mode", ["train", "eval"])
def test_dropout_view_agrees_with_the_op(rate, seed, mode):
    v = dropout_view(X, rate, seed, mode)
    y, mask = dropout(X, rate, rng=seed, training=mode == "train")
    np.testing.assert_array_equal(v.mask, mask)
    np.testing.assert_array_equal(v.y, y)
    assert v.x is X and v.rate == rate and v.training == (mode == "train")
    assert v.kept_fraction == np.mean(mask != 0)
    assert v.mean_before == X.mean() and v.mean_after == y.mean()
    if mode == "train":
        many, _ = dropout(np.broadcast_to(X, (N_MASKS,) + X.shape), rate,
                          rng=np.random.default_rng(seed + 1))
        assert v.mean_after_average == many.mean()
    else:
        assert v.mean_after_average == v.mean_after == v.mean_before
    assert list(v._asdict()) == list(DropoutView._fields)


def test_mean_over_masks_is_memoised_and_keeps_the_mean_in_expectation():
    first = mean_over_masks(X, 0.5, 3)
    assert mean_over_masks(X.copy(), 0.5, 3) == first
    assert first == pytest.approx(X.mean(), rel=0.05)
    assert mean_over_masks(X, 0.5, 4) != first


@pytest.mark.parametrize("rate, err, words", [(1.0, ValueError, r"rate must be in \[0, 1\)"),
                                              (-0.1, ValueError, "rate must be in"),
                                              ("half", TypeError, "rate must be a number")])
def test_dropout_view_explains_a_bad_rate(rate, err, words):
    with pytest.raises(err, match=words):
        dropout_view(X, rate, 0, "train")
