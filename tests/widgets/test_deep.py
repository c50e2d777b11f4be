"""The explorers of the chapter "Going deeper", driven headlessly."""
import numpy as np
import pytest

from cnnedu.explain import deep as dx
from cnnedu.ops.norm import batch_stats
from cnnedu.widgets.deep import (batch_norm_caption, batch_norm_explorer, default_channel,
                                 depth_explorer)

RNG = np.random.default_rng(3)


@pytest.fixture(scope="module")
def runs():
    X = RNG.random((16, 1, 28, 28)).astype(np.float32)
    y = RNG.integers(0, 10, 16)
    return dx.depth_runs([2, 4], X, y, validation_data=(X[:8], y[:8]), epochs=2,
                         batch_size=8, width=2, batch_norm=True)


def test_depth_explorer_shows_the_chosen_run_beside_the_other(runs):
    ex = depth_explorer(runs)
    assert list(ex.controls["depth"].options) == [2, 4]
    for depth in (2, 4):
        for block, other in (("plain", "residual"), ("residual", "plain")):
            ex.set_values(depth=depth, block=block)
            s = ex.state()
            np.testing.assert_array_equal(s["norms"], runs[(block, depth)].norms)
            np.testing.assert_array_equal(s["other_norms"], runs[(other, depth)].norms)
            assert s["history"] == runs[(block, depth)].history
            main = ex.figure.axes[0].lines[0]
            np.testing.assert_array_equal(main.get_ydata(), runs[(block, depth)].norms)
            assert f"<b>{block}</b>" in ex.message
            assert f"{runs[(block, depth)].norms[0]:.3g}" in ex.message


def test_depth_explorer_refuses_incomplete_runs(runs):
    partial = {k: v for k, v in runs.items() if k != ("residual", 4)}
    with pytest.raises(ValueError, match="both block types"):
        depth_explorer(partial)
    with pytest.raises(ValueError, match="curve must be a history key"):
        depth_explorer(runs, curve="val_top5")


def test_depth_explorer_frames_cover_every_combination(runs):
    ex = depth_explorer(runs).with_frames({"depth": "all", "block": "all"})
    assert ex.frames is not None and ex.frames.nbytes < 300_000


def test_batch_norm_explorer_normalizes_each_batch():
    x = default_channel()
    assert x.shape == (1000, 1, 7, 7) and x.min() >= 0
    ex = batch_norm_explorer(x[:200], steps=50)
    for b in ex.controls["batch_size"].options:
        ex.set_values(batch_size=b, step=10, momentum=0.9)
        s = ex.state()
        assert s["batch_size"] == b and s["step"] == 10 and s["momentum"] == 0.9
        assert abs(s["out_mean_train"]) < 1e-9
        mean, var = batch_stats(x[:200])
        assert s["mean"] == pytest.approx(float(mean[0]))
        # after 10 updates with momentum 0.9 the start keeps 0.9**10 of the running variance
        expected = 0.9 ** 10 + 0.1 * sum(0.9 ** (9 - k) * s["batch_var"][k] for k in range(10))
        assert s["running_var"][9] == pytest.approx(expected)
        assert ex.message == batch_norm_caption(s)
    assert "35%" in ex.message                       # 0.9 ** 10 = 0.349
    assert max(ex.controls["step"].options) == 50


def test_batch_norm_explorer_bad_arguments():
    with pytest.raises(ValueError, match="momentum must be 0.9 or 0.99"):
        batch_norm_explorer(momentum=0.5)
