"""Explorers of the chapter on activations, driven headless through their controls."""
import re

import numpy as np
import pytest

from cnnedu import samples
from cnnedu.ops import activation as act
from cnnedu.explain.activation import entropy, evaluate_activation, softmax_with_temperature
from cnnedu.widgets.activation import DEFAULT_LOGITS, activation_explorer, softmax_explorer


@pytest.fixture(scope="module")
def act_ex():
    return activation_explorer()


@pytest.fixture(scope="module")
def soft_ex():
    return softmax_explorer()


# ------------------------------------------------------------------ activation_explorer
def test_default_feature_map_is_a_signed_digit_edge_map():
    z = samples.edge_map(samples.digit(0))
    assert z.shape == (26, 26)
    assert z.min() < -1 and z.max() > 1


@pytest.mark.parametrize("name, alpha", [("sigmoid", 0.5), ("tanh", 0.5), ("relu", 0.5),
                                         ("leaky_relu", 0.2), ("leaky_relu", 0.0),
                                         ("elu", 1.0), ("elu", 1.7), ("selu", 0.3),
                                         ("gelu", 0.5), ("silu", 0.5), ("prelu", 0.25),
                                         ("prelu", 1.5)])
def test_state_is_what_cnnedu_computes(act_ex, name, alpha):
    act_ex.controls["activation"].value = name
    act_ex.controls["alpha"].value = alpha
    act_ex.controls["x"].value = -1.2
    s = act_ex.state()
    a = alpha if name in ("leaky_relu", "elu", "prelu") else None
    assert s["activation"] == name and s["alpha"] == a
    f, df = evaluate_activation(name, s["x_grid"], a)
    np.testing.assert_array_equal(s["f"], f)
    np.testing.assert_array_equal(s["df"], df)
    fz, dfz = evaluate_activation(name, s["z"], a)
    np.testing.assert_array_equal(s["fz"], fz)
    np.testing.assert_array_equal(s["dfz"], dfz)
    f0, d0 = evaluate_activation(name, -1.2, a)
    assert s["x0"] == -1.2 and s["f_x0"] == pytest.approx(float(f0))
    assert s["df_x0"] == pytest.approx(float(d0))
    assert s["zero_fraction"] == pytest.approx(np.mean(fz == 0))
    assert s["mean_slope"] == pytest.approx(np.mean(dfz))
    assert act_ex.controls["alpha"].disabled == (a is None)
    assert f"f(-1.20) = {float(f0):.3f}" in act_ex.message


def test_relu_zeroes_the_negative_half_of_the_feature_map(act_ex):
    act_ex.controls["activation"].value = "relu"
    s = act_ex.state()
    assert s["zero_fraction"] == pytest.approx(np.mean(s["z"] <= 0))
    pos = s["z"] > 0
    assert 0 < pos.mean() < 0.5                 # edges of both signs, background 0
    np.testing.assert_array_equal(s["fz"][pos], s["z"][pos])
    assert np.all(s["fz"][~pos] == 0)


def test_sigmoid_output_is_positive_and_slope_at_most_a_quarter(act_ex):
    act_ex.controls["activation"].value = "sigmoid"
    s = act_ex.state()
    assert s["fz"].min() > 0 and s["zero_fraction"] == 0
    assert s["dfz"].max() <= 0.25 + 1e-12 and s["df"].max() == pytest.approx(0.25)


def test_alpha_edge_cases_are_explained(act_ex):
    act_ex.controls["activation"].value = "leaky_relu"
    act_ex.controls["alpha"].value = 0.0
    np.testing.assert_array_equal(act_ex.state()["fz"], act.relu(act_ex.state()["z"]))
    assert "the same as ReLU" in act_ex.message
    act_ex.controls["alpha"].value = 1.0
    np.testing.assert_array_equal(act_ex.state()["fz"], act_ex.state()["z"])
    assert "identity, a linear function" in act_ex.message
    act_ex.controls["activation"].value = "tanh"
    assert "alpha is not used by tanh" in act_ex.message


def test_every_element_wise_activation_is_an_option(act_ex):
    from cnnedu.explain.activation import ELEMENTWISE
    names = [v for _, v in act_ex.controls["activation"].options]
    assert sorted(names) == sorted(ELEMENTWISE)


def test_gelu_and_silu_show_their_negative_slopes(act_ex):
    for name, lowest in (("gelu", -0.129), ("silu", -0.0998)):
        act_ex.controls["activation"].value = name
        s = act_ex.state()
        assert s["df"].min() == pytest.approx(lowest, abs=1e-3)
        assert "alpha is not used" in act_ex.message
    act_ex.controls["activation"].value = "prelu"
    assert "PReLU learns alpha" in act_ex.message


def test_activation_explorer_updates_in_place(act_ex):
    fig = act_ex.figure
    counts = [(len(ax.lines), len(ax.images)) for ax in fig.axes]
    png = act_ex.image.value
    act_ex.controls["activation"].value = "elu"
    act_ex.controls["x"].value = 3.0
    assert [(len(ax.lines), len(ax.images)) for ax in fig.axes] == counts
    assert act_ex.image.value != png
    assert fig.axes[0].get_title() == "ELU: $f$ and $f'$"


def test_activation_explorer_rejects_a_bad_feature_map():
    with pytest.raises(ValueError, match=r"feature_map must be a 2-D array \(H, W\), "
                                         r"got shape \(3,\)"):
        activation_explorer(feature_map=np.ones(3))


# ------------------------------------------------------------------ softmax_explorer
@pytest.mark.parametrize("t", [0.01, 0.1, 0.5, 1.0, 3.0, 100.0])
@pytest.mark.parametrize("shift", [0.0, 1000.0])
def test_softmax_state_is_what_cnnedu_computes(soft_ex, t, shift):
    soft_ex.controls["logits"].value = ", ".join(str(v) for v in DEFAULT_LOGITS)
    soft_ex.controls["temperature"].value = t
    soft_ex.controls["shift"].value = shift
    s = soft_ex.state()
    z = np.array(DEFAULT_LOGITS) + shift
    assert s["valid"] and s["temperature"] == pytest.approx(t)
    np.testing.assert_array_equal(s["logits"], z)
    p = softmax_with_temperature(z, s["temperature"])
    np.testing.assert_array_equal(s["probabilities"], p)
    assert np.all(np.isfinite(p))
    # the shift changes nothing: compare with the unshifted logits
    np.testing.assert_allclose(p, act.softmax(np.array(DEFAULT_LOGITS) / s["temperature"]),
                               atol=1e-12)
    assert s["entropy"] == pytest.approx(entropy(p))
    assert s["max_entropy"] == pytest.approx(np.log(10))
    assert s["top_class"] == 3
    assert f"entropy {s['entropy']:.3f} nats" in soft_ex.message
    heights = [r.get_height() for r in soft_ex.figure.axes[1].patches]
    np.testing.assert_allclose(heights, p)


def test_temperature_extremes(soft_ex):
    soft_ex.controls["shift"].value = 0.0
    soft_ex.controls["temperature"].value = 0.01
    s = soft_ex.state()
    assert s["probabilities"][3] == pytest.approx(1.0) and s["entropy"] < 1e-6
    soft_ex.controls["temperature"].value = 100.0
    s = soft_ex.state()
    assert s["entropy"] == pytest.approx(np.log(10), rel=1e-3)
    assert np.ptp(s["probabilities"]) < 0.01


def test_shift_beyond_exp_overflow_is_explained(soft_ex):
    soft_ex.controls["temperature"].value = 1.0
    soft_ex.controls["shift"].value = 1000.0
    assert "np.exp alone would overflow" in soft_ex.message
    assert "do not change" in soft_ex.message
    soft_ex.controls["temperature"].value = 100.0    # (z + c)/T is then about 10
    assert "overflow" not in soft_ex.message and "do not change" in soft_ex.message


def test_bad_logits_are_explained_and_the_explorer_recovers(soft_ex):
    soft_ex.controls["logits"].value = "1, two, 3"
    s = soft_ex.state()
    assert s["valid"] is False
    assert "Cannot read the logits" in soft_ex.message
    assert "'two' is not a number" in soft_ex.message
    assert all(r.get_height() == 0 for r in soft_ex.figure.axes[1].patches)
    soft_ex.controls["logits"].value = "0, 0, 1, 1"      # a tie, and K = 4
    soft_ex.controls["temperature"].value = 0.01
    soft_ex.controls["shift"].value = 0.0
    s = soft_ex.state()
    assert s["valid"] and len(soft_ex.figure.axes[1].patches) == 4
    np.testing.assert_allclose(s["probabilities"], [0, 0, 0.5, 0.5], atol=1e-12)
    assert "log 4 = 1.386" in soft_ex.message


def test_softmax_controls_offer_fixed_temperatures_and_shifts():
    from cnnedu.widgets.activation import SHIFTS, TEMPERATURES

    ex = softmax_explorer()
    t, c = ex.controls["temperature"], ex.controls["shift"]
    assert [v for _, v in t.options] == list(TEMPERATURES) and t.value == 1.0
    assert [v for _, v in c.options] == list(SHIFTS) and c.value == 0.0
    assert [label for label, _ in t.options][:3] == ["0.01", "0.02", "0.05"]
    # a value of the caller's is added in order, and shown
    other = softmax_explorer(temperature=0.37, shift=5)
    values = [v for _, v in other.controls["temperature"].options]
    assert values == sorted(values) and 0.37 in values
    assert other.state()["temperature"] == 0.37 and other.controls["shift"].value == 5.0
    assert "shifted by c = 5" in other.message


@pytest.mark.parametrize("args, error, words", [
    ({"temperature": 0}, ValueError, "temperature must be from 0.01 to 100, got 0"),
    ({"temperature": "hot"}, TypeError, "temperature must be a number from 0.01 to 100"),
    ({"shift": -1.0}, ValueError, "shift must be from 0 to 1000, got -1.0"),
])
def test_softmax_explorer_explains_bad_arguments(args, error, words):
    with pytest.raises(error, match=re.escape(words)):
        softmax_explorer(**args)


def test_softmax_frames_cover_every_temperature_and_shift():
    """The static page responds to both controls: one frame per combination, each the
    explorer's own picture of it."""
    from cnnedu.widgets.activation import SHIFTS, TEMPERATURES

    ex = softmax_explorer().with_frames({"temperature": "all", "shift": "all"})
    assert set(ex.frames.pictures) == {(t, c) for t in TEMPERATURES for c in SHIFTS}
    fresh = softmax_explorer()
    for t, c in [(0.25, 0.0), (4.0, 1000.0)]:
        fresh.set_values(temperature=t, shift=c)
        assert ex.frames.pictures[(t, c)] == (fresh.render_png(colors=256), fresh.message)
    assert "follows <b>temperature T</b> and <b>add c to all</b>;" in ex.frames.note.value
    assert "<b>logits</b> needs Python" in ex.frames.note.value
    assert ex.frames.nbytes < 1_000_000


# ------------------------------------------------------------------ captions, from a view alone
def test_activation_caption_reads_its_numbers_from_the_view():
    from cnnedu.explain.activation import activation_view
    from cnnedu.widgets.activation import activation_caption

    z = np.array([[-2.0, -0.5], [0.5, 3.0]])
    view = activation_view(z, "relu", 0.1, -1.5, np.linspace(-4, 4, 9))
    caption = activation_caption(view)
    assert "f(-1.50) = 0.000, f'(-1.50) = 0.000" in caption
    assert "f(z) = 0 for 50.0% of the pixels; mean slope f'(z) = 0.500" in caption
    assert "alpha is not used by" in caption
    leaky = activation_caption(activation_view(z, "leaky_relu", 0.0, 2.0, np.linspace(-1, 1, 3)))
    assert "f(2.00) = 2.000" in leaky and "alpha = 0: the same as ReLU" in leaky


def test_softmax_caption_reads_its_numbers_from_the_view():
    from cnnedu.explain.activation import softmax_view
    from cnnedu.widgets.activation import softmax_caption

    caption = softmax_caption(softmax_view("1, 1, 1, 1", 2.0))
    assert "T = 2: entropy 1.386 nats" in caption and "log 4 = 1.386" in caption
    assert "top class 0 with p = 0.250" in caption and "shifted" not in caption
    shifted = softmax_caption(softmax_view("0, 5", 1.0, shift=800.0))
    assert ("shifted by c = 800 (np.exp alone would overflow: (z + c)/T reaches 805 > 709.78)"
            in shifted)
    # the argument of exp is (z + c)/T, not z + c: T = 2 halves it, T = 0.5 doubles it
    warm = softmax_caption(softmax_view("0, 5", 2.0, shift=800.0))
    assert "Every logit is shifted by c = 800: the probabilities" in warm
    cold = softmax_caption(softmax_view("0, 5", 0.5, shift=400.0))
    assert ("shifted by c = 400 (np.exp alone would overflow: (z + c)/T reaches 810 > 709.78)"
            in cold)
    bad = softmax_caption(softmax_view("1, two", 1.0))
    assert bad.startswith("<b>Cannot read the logits:</b>") and "'two'" in bad
