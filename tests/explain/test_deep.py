"""The compute functions of the chapter "Going deeper": deep stacks, the gradient
reaching each unit, running statistics and the batch normalization view."""
import numpy as np
import pytest

from cnnedu.explain import deep as dx
from cnnedu.gradcheck import numerical_gradient
from cnnedu.nn import Conv2D, ResidualBlock

RNG = np.random.default_rng(0)
X = RNG.random((12, 1, 28, 28)).astype(np.float32)
Y = RNG.integers(0, 10, 12)


def convs(model):
    found = []
    for layer in model.layers:
        inner = getattr(layer, "main", None)
        found += [l for l in (inner or [layer]) if isinstance(l, Conv2D)]
    return found


@pytest.mark.parametrize("depth", [2, 4, 8])
@pytest.mark.parametrize("batch_norm", [False, True])
def test_plain_and_residual_stacks_have_the_same_convolutions(depth, batch_norm):
    plain = dx.plain_stack(depth, width=4, batch_norm=batch_norm)
    resid = dx.residual_stack(depth, width=4, batch_norm=batch_norm)
    assert len(convs(plain)) == len(convs(resid)) == depth + 1
    assert plain.output_shape == resid.output_shape == (10,)
    assert sum(isinstance(l, ResidualBlock) for l in resid.layers) == depth // 2
    assert plain.count_params() == resid.count_params()       # identity shortcuts only


def test_residual_stack_with_batch_norm_starts_every_block_as_the_identity():
    model = dx.residual_stack(4, width=4)
    for block in (l for l in model.layers if isinstance(l, ResidualBlock)):
        assert not block.shortcut
        np.testing.assert_array_equal(block.main[-1].params["gamma"], 0)


@pytest.mark.parametrize("call, words", [
    (lambda: dx.residual_stack(5), "depth must be even"),
    (lambda: dx.plain_stack(1), "depth"),
    (lambda: dx.plain_stack(4, momentum=1.0), "momentum must be a number in [0, 1)"),
    (lambda: dx.depth_run("dense", 4, X, Y), "block must be one of"),
])
def test_bad_arguments_are_named(call, words):
    with pytest.raises(ValueError, match=words.replace("[", r"\[").replace(")", r"\)")):
        call()


def compiled(model):
    model.astype("float64")
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    return model


@pytest.mark.parametrize("build", [
    lambda: dx.plain_stack(2, width=2),
    lambda: dx.plain_stack(2, width=2, batch_norm=True),
    lambda: dx.residual_stack(2, width=2, batch_norm=False),
], ids=["plain", "plain-bn", "residual"])
def test_output_gradient_norms_match_finite_differences(build):
    model = compiled(build())
    Xd, yd = X[:4].astype(np.float64), Y[:4]
    names, positions, norms = dx.output_gradient_norms(model, Xd, yd)
    layers = model.layers
    for name, norm in zip(names, norms):
        i = next(k for k, l in enumerate(layers) if l.name == name)
        h = Xd
        for layer in layers[:i + 1]:
            h = layer.forward(h, training=True)
        h = h.copy()

        def loss_of_h():
            out = h
            for layer in layers[i + 1:]:
                out = layer.forward(out, training=True)
            logits = layers[-1].preactivation
            z = logits - logits.max(axis=1, keepdims=True)
            logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
            return -logp[np.arange(len(yd)), yd].mean()

        g = numerical_gradient(loss_of_h, h)
        assert norm == pytest.approx(np.linalg.norm(g), rel=1e-5)
    assert list(np.diff(positions)) == [1 if "plain" in model.name else 2] * (len(names) - 1)


def test_identity_blocks_hand_the_gradient_on_unchanged():
    model = dx.residual_stack(8, width=4)
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    names, positions, norms = dx.output_gradient_norms(model, X, Y)
    assert list(positions) == [1, 3, 5, 7, 9]
    # stem to the second-to-last block: relu(x + 0) = x, and the same ReLU mask each time
    np.testing.assert_allclose(norms[:-1], norms[0], rtol=1e-6)
    plain = dx.plain_stack(8, width=4)
    plain.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    assert np.ptp(dx.output_gradient_norms(plain, X, Y)[2]) > 1e-3 * norms[0]


def test_weight_gradient_norms_are_the_weight_gradients():
    model = dx.residual_stack(2, width=3, batch_norm=False)
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    names, norms = dx.weight_gradient_norms(model, X, Y)
    assert names == ["conv2d", "residual_block/conv2d", "residual_block/conv2d_1", "dense"]
    block = model.get_layer("residual_block")
    expected = [model.get_layer("conv2d").grads["w"], block.main[0].grads["w"],
                block.main[1].grads["w"], model.get_layer("dense").grads["w"]]
    np.testing.assert_allclose(norms, [np.sqrt(np.sum(g.astype(np.float64) ** 2))
                                       for g in expected], rtol=1e-6)


def test_depth_run_measures_then_trains():
    run = dx.depth_run("residual", 2, X, Y, validation_data=(X[:4], Y[:4]), epochs=2,
                       batch_size=4, width=2, batch_norm=True)
    assert run.block == "residual" and run.depth == 2
    assert set(run.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(v) == 2 for v in run.history.values())
    assert len(run.names) == len(run.norms) == len(run.positions) == 2
    runs = dx.depth_runs([2], X, Y, epochs=1, batch_size=6, width=2)
    assert sorted(runs) == [("plain", 2), ("residual", 2)]


# ---------------------------------------------------------------------- running statistics
def test_running_statistics_follow_the_update_rule():
    x = RNG.normal(2.0, 3.0, size=(40, 2, 3, 3))
    out = dx.running_statistics(x, batch_size=8, steps=12, momentum=0.8, seed=1)
    batches = out["batches"]
    assert batches.shape == (12, 8)
    for epoch in range(0, 12, 5):                     # 5 disjoint batches per epoch
        block = batches[epoch:epoch + 5].ravel()
        assert len(np.unique(block)) == len(block)
    means = np.array([x[b].mean(axis=(0, 2, 3)) for b in batches])
    variances = np.array([x[b].var(axis=(0, 2, 3)) for b in batches])
    np.testing.assert_allclose(out["batch_mean"], means)
    np.testing.assert_allclose(out["batch_var"], variances)
    # closed form: m^t * start + (1 - m) * sum_k m^(t-k) stat_k
    t = np.arange(1, 13)
    for start, stat, run in ((0.0, means, out["running_mean"]),
                             (1.0, variances, out["running_var"])):
        for k in range(12):
            weights = 0.2 * 0.8 ** (k - np.arange(k + 1))
            expected = 0.8 ** t[k] * start + weights @ stat[:k + 1]
            np.testing.assert_allclose(run[k], expected)
    np.testing.assert_allclose(out["mean"], x.mean(axis=(0, 2, 3)))
    np.testing.assert_allclose(out["var"], x.var(axis=(0, 2, 3)))


def test_running_statistics_errors():
    x = np.zeros((4, 1, 2, 2))
    with pytest.raises(ValueError, match="batch_size must be at most the number of samples 4"):
        dx.running_statistics(x, 5, 3)
    with pytest.raises(ValueError, match=r"x must have shape \(N, C, H, W\)"):
        dx.running_statistics(np.zeros((4, 2)), 2, 3)


def test_batch_norm_view_normalizes_the_batch():
    x = RNG.gamma(2.0, 0.5, size=(50, 2, 4, 4))
    v = dx.batch_norm_view(x, batch_size=10, step=3, momentum=0.9, channel=1, steps=20,
                           eps=1e-3)
    assert v["batch_mean"].shape == v["running_var"].shape == (20,)
    var_b = v["batch_var"][2]
    assert v["out_mean_train"] == pytest.approx(0, abs=1e-9)
    assert v["out_std_train"] == pytest.approx(np.sqrt(var_b / (var_b + 1e-3)))
    # the running estimates after 3 steps are mostly the start (0, 1): inference is off
    assert v["running_var"][2] == pytest.approx(
        0.9 ** 3 + 0.1 * (0.81 * v["batch_var"][0] + 0.9 * v["batch_var"][1] + var_b))
    for key, edges in (("hist_in", "edges_in"), ("hist_train", "edges_out")):
        assert np.sum(v[key] * np.diff(v[edges])) == pytest.approx(1.0)
    assert v["mean"] == pytest.approx(x[:, 1].mean())
    with pytest.raises(ValueError, match="step must be at most steps = 20"):
        dx.batch_norm_view(x, 10, 21, steps=20)
    with pytest.raises(ValueError, match="channel must be in 0..1"):
        dx.batch_norm_view(x, 10, 1, channel=2)
