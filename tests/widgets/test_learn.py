"""The kernel-learning explorer, driven headlessly: it shows the runs cnnedu computes,
and divergence is explained instead of raised."""
import warnings

import ipywidgets as widgets
import numpy as np
import pytest

from cnnedu import samples
from cnnedu.explain import learn as lx
from cnnedu.widgets.learn import learn_kernel_caption, learn_kernel_explorer

from .test_conv_backward import set_controls


# ------------------------------------------------------------------ learn a kernel
@pytest.fixture(scope="module")
def learn_ex():
    return learn_kernel_explorer(steps=40)


def test_learn_explorer_shows_the_run(learn_ex):
    set_controls(learn_ex, data="digits", lr=1.0, step=25)
    st = learn_ex.state()
    run = lx.learn_kernel(lx.kernel_problem(samples.digits(8, "train")), 1.0, steps=40)
    np.testing.assert_allclose(st["kernel"], run.kernels[25])
    np.testing.assert_allclose(st["prediction"], run.predictions[25])
    np.testing.assert_allclose(st["losses"], run.losses[:26])
    assert st["loss"] == pytest.approx(run.losses[25])
    assert st["shown_step"] == 25 and not st["diverged"] and st["stopped_at"] is None
    assert st["lr_limit"] == pytest.approx(2 / st["lam_max"])
    np.testing.assert_allclose(learn_ex.artists["kernel"].get_array(), run.kernels[25])
    assert len(learn_ex.artists["curve"].get_xdata()) == 26


def test_learn_explorer_step_slider_only_redraws(learn_ex):
    set_controls(learn_ex, data="digits", lr=1.0)
    n = learn_ex.runs.cache_info().misses
    for step in (0, 7, 40, 3):
        set_controls(learn_ex, step=step)
        assert learn_ex.state()["shown_step"] == step
    assert learn_ex.runs.cache_info().misses == n
    set_controls(learn_ex, lr=10 ** -0.5)
    assert learn_ex.runs.cache_info().misses == n + 1


def test_learn_explorer_divergence_is_explained_without_nan(learn_ex):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        set_controls(learn_ex, data="digits", lr=10 ** 0.5, step=40)
    st = learn_ex.state()
    assert st["lr"] > st["lr_limit"]
    assert st["diverged"] and st["stopped_at"] is not None and st["stopped_at"] < 40
    assert st["shown_step"] == st["stopped_at"]
    for key in ("kernel", "prediction", "losses"):
        assert np.all(np.isfinite(st[key]))
    msg = learn_ex.message
    assert "Diverged" in msg and "-fold" in msg and "2/&lambda;<sub>max</sub>" in msg
    assert f"stopped at step {st['stopped_at']}" in msg


def test_learn_explorer_photo_data(learn_ex):
    set_controls(learn_ex, data="photo", lr=0.1, step=10)
    st = learn_ex.state()
    P = lx.kernel_problem(samples.photo_crops(8))
    np.testing.assert_allclose(st["target"], P.targets[0, 0])
    assert st["lam_max"] == pytest.approx(P.lam_max)


def test_learn_explorer_play_is_linked_to_the_step_slider(learn_ex):
    assert isinstance(learn_ex.play, widgets.Play)
    link = learn_ex.play_link
    assert link.source == (learn_ex.play, "value")
    assert link.target == (learn_ex.controls["step"], "value")
    assert learn_ex.play.max == learn_ex.controls["step"].max == 40
    row = next(c for c in learn_ex.children if isinstance(c, widgets.HBox)
               and learn_ex.controls["step"] in c.children)
    assert learn_ex.play in row.children


def test_learn_explorer_arguments_are_checked():
    with pytest.raises(ValueError, match="source must be 'digits' or 'photo', got 'faces'"):
        learn_kernel_explorer(source="faces")
    with pytest.raises(ValueError, match="steps must be between 1 and 500, got 0"):
        learn_kernel_explorer(steps=0)


def test_learn_kernel_caption():
    problem = lx.kernel_problem(samples.digits(4, "train", size=12))
    run = lx.learn_kernel(problem, 1.0, steps=20)
    msg = learn_kernel_caption(lx.learn_kernel_view(problem, run, "digits", 1.0, 5), 20)
    assert msg.startswith(f"Step 5 of 20: loss {run.losses[5]:.3g} (it was "
                          f"{run.losses[0]:.3g} at step 0). The loss is quadratic in the 9 "
                          "weights")
    slow = lx.learn_kernel_view(problem, run, "digits", 1.0, 5)["lam_slow"]
    assert f"each step keeps a fraction 1 &minus; &eta;&lambda; = {1 - slow:.3f}" in msg
    limit = 2 / problem.lam_max
    slow = lx.learn_kernel(problem, 1.05 * limit, steps=20)
    assert not slow.diverged
    msg = learn_kernel_caption(lx.learn_kernel_view(problem, slow, "digits", 1.05 * limit, 20),
                               20)
    assert "is above 2/&lambda;<sub>max</sub>" in msg and "grows without bound" in msg
    big = lx.learn_kernel(problem, 3 * limit, steps=200)
    last = len(big.losses) - 1
    msg = learn_kernel_caption(lx.learn_kernel_view(problem, big, "digits", 3 * limit, 200), 200)
    assert "<b>Diverged: the loss grew" in msg and "&times;10<sup>" in msg
    assert msg.endswith(f"stopped at step {last} before the numbers overflow; steps after "
                        f"{last} show step {last}.")
