"""``import cnnedu``: the curated public API, numpy only and quick to import."""
import subprocess
import sys

import pytest

import cnnedu
from cnnedu import geometry, nn, ops
from cnnedu.nn import model, optim


def run(code: str) -> str:
    """Run ``code`` in a fresh interpreter (nothing imported yet) and return what it prints."""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    return out.stdout.strip()


def test_all_names_exist_and_are_listed_once():
    assert len(cnnedu.__all__) == len(set(cnnedu.__all__))
    for name in cnnedu.__all__:
        assert hasattr(cnnedu, name), name


def test_the_docstring_lists_every_name():
    for name in cnnedu.__all__:
        assert f"``{name}``" in cnnedu.__doc__ or f"``{name}(" in cnnedu.__doc__, name


@pytest.mark.parametrize("name, home", [
    ("conv2d", ops.conv), ("conv2d_backward", ops.conv), ("max_pool2d", ops.pool),
    ("max_pool2d_backward", ops.pool), ("avg_pool2d_backward", ops.pool),
    ("dense", ops.dense), ("dense_backward", ops.dense), ("dropout", ops.dropout),
    ("relu", ops.activation), ("relu_grad", ops.activation), ("softmax", ops.activation),
    ("softmax_cross_entropy", ops.loss), ("conv_output_size", geometry),
    ("Sequential", model), ("SGD", optim), ("Adam", optim)])
def test_names_are_the_objects_of_their_modules(name, home):
    assert getattr(cnnedu, name) is getattr(home, name)


def test_every_layer_of_cnnedu_nn():
    for name in nn.__all__:
        assert getattr(cnnedu, name) is getattr(nn, name)
        assert name in cnnedu.__all__


def test_naive_twins_stay_in_their_modules():
    assert not [name for name in cnnedu.__all__ if name.endswith("_naive")]
    assert hasattr(ops.conv, "conv2d_naive")


def test_the_api_works_end_to_end():
    import numpy as np

    x = np.random.default_rng(0).random((2, 1, 6, 6))
    m = cnnedu.Sequential([cnnedu.Conv2D(2, 3, activation="relu"), cnnedu.MaxPool2D(2),
                           cnnedu.Flatten(), cnnedu.Dense(3, activation="softmax")], seed=0)
    m.compile(optimizer=cnnedu.Adam(0.01), loss="sparse_categorical_crossentropy")
    m.fit(x, np.array([0, 2]), epochs=1, batch_size=2, verbose=0)
    assert m.predict(x).shape == (2, 3)
    assert cnnedu.conv2d(x, np.ones((1, 1, 3, 3))).shape == (2, 1, 4, 4)
    assert cnnedu.conv_output_size(28, 3) == 26


def test_import_loads_neither_matplotlib_nor_ipywidgets():
    loaded = run("import sys, cnnedu; "
                 "print(sorted(m for m in ('matplotlib', 'ipywidgets', 'PIL') "
                 "if m in sys.modules))")
    assert loaded == "[]"


def test_import_is_fast():
    # the package on top of numpy: a small fraction of a second even on a busy machine
    seconds = float(run("import time, numpy; t = time.perf_counter(); import cnnedu; "
                        "print(time.perf_counter() - t)"))
    assert seconds < 1.0
