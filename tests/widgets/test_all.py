"""Every explorer: builds with its defaults and survives any combination of
its controls' values (an invalid one is explained in the caption, never raised)."""
import numpy as np
import pytest

from cnnedu.widgets._registry import builders, control_values

BUILDERS = builders()


def test_registry_finds_builders_when_there_are_widget_modules():
    import pkgutil

    import cnnedu.widgets as package

    modules = [m.name for m in pkgutil.iter_modules(package.__path__) if not m.name.startswith("_")]
    assert modules, "cnnedu.widgets has no explorer modules"
    found = {name.split(".")[0] for name in BUILDERS}
    assert found == set(modules), f"widget modules without builders in __all__: " \
                                  f"{sorted(set(modules) - found)}"


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_explorer_follows_the_contract(name):
    explorer = BUILDERS[name]()
    assert explorer.controls, f"{name} has no controls"
    assert explorer.figure.axes, f"{name} draws nothing"
    assert explorer.state(), f"{name} reports no state"
    assert bytes(explorer.image.value).startswith(b"\x89PNG")


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_explorer_never_crashes_on_a_combination(name):
    explorer = BUILDERS[name]()
    rng = np.random.default_rng(0)
    sweeps = {k: control_values(c, most=6) for k, c in explorer.controls.items()}
    sweeps = {k: v for k, v in sweeps.items() if v}
    for _ in range(25):
        for key in rng.permutation(list(sweeps)):
            values = sweeps[key]
            explorer.controls[key].value = values[rng.integers(len(values))]
        state = explorer.state()
        assert isinstance(state, dict) and state, f"{name} shows no state after {explorer.values()}"
        assert isinstance(explorer.message, str)
        assert bytes(explorer.image.value).startswith(b"\x89PNG"), f"{name} shows no picture"
