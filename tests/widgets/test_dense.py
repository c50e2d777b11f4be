"""The dropout explorer, driven headless through its controls."""
import numpy as np
import pytest

from cnnedu.ops.dropout import dropout
from cnnedu.explain.dense import N_MASKS
from cnnedu.widgets.dense import digit_activations, dropout_explorer


@pytest.fixture(scope="module")
def ex():
    return dropout_explorer()


def test_digit_activations_are_a_non_negative_map():
    a = digit_activations()
    assert a.shape == (26, 26) and a.min() == 0 and a.max() > 1


@pytest.mark.parametrize("rate", [0.0, 0.05, 0.3, 0.5, 0.9])
@pytest.mark.parametrize("seed", [0, 7])
@pytest.mark.parametrize("mode", ["train", "eval"])
def test_state_is_what_dropout_computes(ex, rate, seed, mode):
    ex.controls["rate"].value = rate
    ex.controls["seed"].value = seed
    ex.controls["mode"].value = mode
    s = ex.state()
    rate_set = ex.controls["rate"].value
    y, mask = dropout(s["x"], rate_set, rng=seed, training=mode == "train")
    np.testing.assert_array_equal(s["mask"], mask)
    np.testing.assert_array_equal(s["y"], y)
    assert s["rate"] == rate_set and s["training"] == (mode == "train")
    assert s["kept_fraction"] == pytest.approx(np.mean(mask != 0))
    assert s["mean_before"] == pytest.approx(s["x"].mean())
    assert s["mean_after"] == pytest.approx(y.mean())
    if mode == "eval" or rate == 0:
        np.testing.assert_array_equal(s["y"], s["x"])      # the identity
        assert s["kept_fraction"] == 1.0
        assert s["mean_after_average"] == pytest.approx(s["mean_before"])
    else:
        kept = s["mask"][s["mask"] != 0]
        np.testing.assert_allclose(kept, 1 / (1 - rate_set))
        # inverted scaling keeps the mean in expectation: the average of many masks is close
        assert s["mean_after_average"] == pytest.approx(s["mean_before"], rel=0.05)
    img = ex.figure.axes[1].images[0].get_array()
    np.testing.assert_array_equal(img, (mask != 0).astype(float))


def test_average_over_masks_is_reproducible_and_uses_the_documented_generator(ex):
    ex.controls["mode"].value = "train"
    ex.controls["rate"].value = 0.5
    ex.controls["seed"].value = 3
    many = np.broadcast_to(ex.state()["x"], (N_MASKS,) + ex.state()["x"].shape)
    y_many, _ = dropout(many, 0.5, rng=np.random.default_rng(4))
    assert ex.state()["mean_after_average"] == pytest.approx(y_many.mean())


def test_captions(ex):
    ex.controls["mode"].value = "train"
    ex.controls["rate"].value = 0.5
    ex.controls["seed"].value = 0
    s = ex.state()
    kept = int(round(s["kept_fraction"] * s["x"].size))
    assert f"kept {kept} of 676 units" in ex.message
    assert "1/(1 - 0.50) = 2.00" in ex.message
    assert f"{s['mean_before']:.3f} before" in ex.message
    ex.controls["rate"].value = 0.0
    assert "rate 0: nothing is dropped" in ex.message
    ex.controls["mode"].value = "eval"
    assert "eval mode" in ex.message and "identity" in ex.message


def test_seed_changes_the_mask_and_the_view_in_place(ex):
    ex.controls["mode"].value = "train"
    ex.controls["rate"].value = 0.5
    ex.controls["seed"].value = 1
    first, png = ex.state()["mask"], ex.image.value
    n_images = [len(ax.images) for ax in ex.figure.axes]
    ex.controls["seed"].value = 2
    assert not np.array_equal(first, ex.state()["mask"])
    assert ex.image.value != png
    assert [len(ax.images) for ax in ex.figure.axes] == n_images


def test_dropout_explorer_rejects_bad_activations():
    with pytest.raises(ValueError, match=r"activations must be a 2-D array \(H, W\), "
                                         r"got shape \(2, 2, 2\)"):
        dropout_explorer(activations=np.ones((2, 2, 2)))


def test_dropout_caption_reads_its_numbers_from_the_view():
    from cnnedu.explain.dense import dropout_view
    from cnnedu.widgets.dense import dropout_caption

    x = np.arange(1.0, 101.0).reshape(10, 10)
    view = dropout_view(x, 0.25, 3)
    kept = int(round(view.kept_fraction * 100))
    caption = dropout_caption(view)
    assert f"train mode, rate 0.25: kept {kept} of 100 units ({kept:.1f}%)" in caption
    assert "1/(1 - 0.25) = 1.33" in caption and "Mean activation: 50.500 before" in caption
    assert dropout_caption(dropout_view(x, 0.25, 3, "eval")).startswith("<b>eval mode</b>")
    assert dropout_caption(dropout_view(x, 0.0, 3)).startswith("rate 0: nothing is dropped")
