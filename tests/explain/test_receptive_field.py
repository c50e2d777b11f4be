"""cnnedu.explain.receptive_field: receptive field size, jump and units, checked by hand."""
import numpy as np
import pytest

from cnnedu.explain.receptive_field import receptive_field, receptive_field_units

MNIST = [("conv3", 3, 1), ("pool2", 2, 2), ("conv3", 3, 1), ("pool2", 2, 2)]


def test_receptive_field_of_the_classic_mnist_cnn_by_hand():
    table = receptive_field(MNIST, input_size=28)
    assert [(r.name, r.size, r.jump, r.out) for r in table] == [
        ("input", 1, 1, 28), ("conv3", 3, 1, 26), ("pool2", 4, 2, 13),
        ("conv3", 8, 2, 11), ("pool2", 10, 4, 5)]
    assert [r.start for r in table] == [0.0, 1.0, 1.5, 3.5, 4.5]


def test_receptive_field_with_padding_and_dilation():
    table = receptive_field([("c", 3, 1, 1), ("c", 3, 2, 1), ("d", 3, 1, 0, 2)], input_size=10)
    assert [(r.size, r.jump, r.out) for r in table] == [
        (1, 1, 10), (3, 1, 10), (5, 2, 5), (13, 2, 1)]
    assert [r.start for r in table] == [0.0, 0.0, 0.0, 4.0]


def test_receptive_field_without_input_size():
    assert receptive_field(MNIST)[-1].out is None


@pytest.mark.parametrize("layers, index", [(MNIST, 0), (MNIST, 2), (MNIST, 4),
                                           ([("c", 5, 2, 2), ("c", 3, 3, 1)], 0),
                                           ([("c", 5, 2, 2), ("c", 3, 3, 1)], 3)])
def test_receptive_field_units_agree_with_size_jump_and_start(layers, index):
    n = 28 if layers is MNIST else 20
    table = receptive_field(layers, n)
    units = receptive_field_units(layers, n, index)
    assert len(units) == len(table)
    np.testing.assert_array_equal(units[-1], [index])
    centre = table[-1].start + index * table[-1].jump
    half = (table[-1].size - 1) / 2
    expected = np.arange(int(centre - half), int(centre + half) + 1)
    np.testing.assert_array_equal(units[0], expected[(expected >= 0) & (expected < n)])


def test_receptive_field_units_skip_holes_of_dilation():
    units = receptive_field_units([("d", 3, 1, 0, 3)], 9, 1)
    np.testing.assert_array_equal(units[0], [1, 4, 7])


@pytest.mark.parametrize("layers, match", [
    ("conv3", r"layers must be a sequence of \(name, k, s\[, p\[, d\]\]\) tuples, got str"),
    ([("conv", 3)], r"layers\[0\] must be \(name, k, s\), \(name, k, s, p\) or "
                    r"\(name, k, s, p, d\)"),
    ([("conv", 3, 1), (3, 3, 1)], r"layers\[1\] must be \(name, k, s\)"),
    ([("conv", 3, 1.5)], r"layers\[0\] must be .*with int k, s, p, d, got \('conv', 3, 1.5\)"),
    ([("conv", 0, 1)], r"layers\[0\] \('conv'\) needs k, s, d >= 1 and p >= 0, got k=0"),
], ids=["str", "short", "no-name", "float", "zero"])
def test_receptive_field_bad_layers(layers, match):
    with pytest.raises((TypeError, ValueError), match=match):
        receptive_field(layers)


def test_receptive_field_layer_that_does_not_fit():
    with pytest.raises(ValueError, match=r"layer 'pool2' \(k=2, d=1, extent 2\) does not fit "
                                         r"its input of 1 pixels with padding 0"):
        receptive_field([("conv3", 3, 1), ("pool2", 2, 2)], input_size=3)
    with pytest.raises(ValueError, match=r"index must be a unit of the last layer in 0..4 "
                                         r"\(it has 5 units\), got 5"):
        receptive_field_units(MNIST, 28, 5)
