"""Options the chapter "Going deeper" uses: the momentum and zero-initialised gamma of
residual blocks, BatchNormalization's gamma_initializer, and a summary that fits long names."""
import numpy as np
import pytest

from cnnedu.nn import BatchNormalization, Conv2D, Dense, GlobalAvgPool2D, Input, residual_block
from cnnedu.nn.model import Sequential


def test_residual_block_momentum_reaches_every_batch_normalization():
    block = residual_block(8, stride=2, momentum=0.9)
    block.build((4, 6, 6))
    norms = [l for l in block.main + block.shortcut if isinstance(l, BatchNormalization)]
    assert len(norms) == 3 and all(l.momentum == 0.9 for l in norms)
    assert "momentum=0.9" in repr(block)
    x = np.random.default_rng(0).random((5, 4, 6, 6)).astype(np.float32)
    block.forward(x, training=True)
    # one update with momentum 0.9 moves the running mean a tenth of the way
    first = norms[0]
    assert np.all(np.abs(first.moving_mean) > 0)
    default = residual_block(8)
    default.build((8, 6, 6))
    assert all(l.momentum == 0.99 for l in default.main if isinstance(l, BatchNormalization))
    with pytest.raises(ValueError, match=r"momentum must be a number in \[0, 1\)"):
        residual_block(8, momentum=1.5)


def test_zero_init_makes_the_block_the_identity_on_non_negative_inputs():
    block = residual_block(4, zero_init=True, seed=0)
    x = np.random.default_rng(1).random((3, 4, 5, 5))          # >= 0, as after a ReLU
    block.build((4, 5, 5), dtype="float64")
    np.testing.assert_allclose(block.forward(x, training=True), x)
    np.testing.assert_array_equal(block.main[-1].params["gamma"], 0)
    np.testing.assert_array_equal(block.main[1].params["gamma"], 1)
    assert "zero_init=True" in repr(block)
    with pytest.raises(ValueError, match="needs batch_norm=True"):
        residual_block(4, batch_norm=False, zero_init=True)
    with pytest.raises(TypeError, match="zero_init must be True or False"):
        residual_block(4, zero_init=1)


def test_gamma_initializer():
    layer = BatchNormalization(gamma_initializer="zeros")
    layer.build((3, 2, 2))
    np.testing.assert_array_equal(layer.params["gamma"], 0)
    assert "gamma_initializer='zeros'" in repr(layer)
    with pytest.raises(ValueError, match="gamma_initializer must be 'ones' or 'zeros'"):
        BatchNormalization(gamma_initializer="he")


def test_summary_name_column_fits_residual_blocks():
    model = Sequential([Input((1, 8, 8)), Conv2D(4, 3, padding="same"), residual_block(4),
                        residual_block(8, stride=2), GlobalAvgPool2D(), Dense(10)])
    lines = model.summary(print_fn=lambda s: None).splitlines()
    rows = [l for l in lines if "(None" in l]
    shape_columns = {l.index("(None") for l in rows}
    assert len(shape_columns) == 1                              # every shape in one column
    name = next(l for l in rows if "residual_block_1" in l)
    assert "residual_block_1 (ResidualBlock) " in name
    header = next(l for l in lines if "Output Shape" in l)
    assert header.index("Output Shape") == shape_columns.pop()
    assert len(lines[1]) == len(lines[3])                       # the rules span the columns
