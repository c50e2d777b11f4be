"""An explorer's recipe rebuilds the same explorer (what a page made live shows)."""
import pickle
import zlib

import numpy as np
import pytest

from cnnedu.data import load_digits
from cnnedu.nn.zoo import classic_cnn
from cnnedu.widgets import _recipe
from cnnedu.widgets._registry import builders, control_values
from cnnedu.widgets.conv import kernel_slider
from cnnedu.widgets.model import N_DIGITS, digit_explorer

BUILDERS = builders()


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_every_builder_records_a_recipe_that_rebuilds_the_same_view(name):
    explorer = BUILDERS[name]()
    assert explorer.recipe is not None and explorer.recipe.builder.endswith(name.split(".")[1])
    # move each control off its default first, so the values travel too
    for control_name, control in explorer.controls.items():
        values = [v for v in control_values(control, most=3) if v != control.value]
        if values and not control.disabled:
            explorer.controls[control_name].value = values[-1]
    again = _recipe.build(_recipe.encode(explorer))
    assert type(again) is type(explorer)
    assert again.values() == explorer.values()
    assert again.render_png() == explorer.render_png()
    assert again.message == explorer.message


def test_arguments_travel_with_the_recipe():
    image = np.random.default_rng(3).random((12, 15))
    explorer = kernel_slider(image, kernel="laplacian_8")
    explorer.controls["position"].value = 7
    again = _recipe.build(_recipe.encode(explorer))
    np.testing.assert_array_equal(again.state()["input"], explorer.state()["input"])
    assert again.state()["input"].shape == image.shape
    assert again.values() == {"kernel": "laplacian_8", "position": 7}


def test_a_trained_model_travels_without_its_training_state():
    X, y = load_digits("test")
    model = classic_cnn(seed=0)
    model.fit(X[:64], y[:64], epochs=1, batch_size=32, verbose=0)
    explorer = digit_explorer(model, X, y, index=5)
    data = _recipe.encode(explorer)
    payload = pickle.loads(zlib.decompress(data))
    sent_model, digits, labels = payload["args"]
    # the plan travels, so the page does not recompute it
    assert pickle.dumps(payload["kwargs"]["plan"]) == pickle.dumps(explorer_plan(explorer))
    assert sent_model.optimizer is None and sent_model.history is None
    assert model.optimizer is not None            # the chapter's model is untouched
    assert digits.shape == (N_DIGITS, 1, 28, 28)  # the digits the slider reaches, not all
    np.testing.assert_array_equal(labels, y[:N_DIGITS])
    # parameters plus the compressed digits: far below the 2,000 digits and Adam's moments
    assert len(data) < 4 * model.count_params() + 200_000
    again = _recipe.build(data)
    np.testing.assert_array_equal(again.state()["probabilities"],
                                  explorer.state()["probabilities"])
    assert again.values() == {"source": "test digit", "index": 5}


def explorer_plan(explorer):
    from cnnedu.explain.model import digit_plan
    from cnnedu.widgets.model import N_CHANNELS, N_MAP_LAYERS

    return digit_plan(explorer.model, explorer.digits, N_CHANNELS, N_MAP_LAYERS)


def test_a_digit_explorer_refuses_a_plan_of_another_kind():
    with pytest.raises(TypeError, match="plan must be a DigitPlan"):
        digit_explorer(plan={"channels": [0]})


def test_an_explorer_without_a_recipe_says_so():
    explorer = kernel_slider()
    explorer.recipe = None
    with pytest.raises(ValueError, match="has no recipe"):
        _recipe.encode(explorer)


def test_bytes_of_another_format_are_refused():
    with pytest.raises(ValueError, match="not an explorer recipe"):
        _recipe.decode(zlib.compress(pickle.dumps({"format": 0})))


def test_with_frames_sends_the_recipe_and_the_controls():
    explorer = kernel_slider().with_frames({"position": [0, 1]})
    assert _recipe.decode(explorer._live_recipe)["builder"].endswith("kernel_slider")
    assert explorer._live_controls == {name: c.model_id
                                       for name, c in explorer.controls.items()}
    state = explorer.get_state()
    assert "_live_recipe" in state and "_live_controls" in state
