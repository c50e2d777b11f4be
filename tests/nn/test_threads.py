"""Training gives the same numbers bit for bit whatever the number of BLAS threads.

The BLAS thread count is read when numpy is loaded, so each run is a fresh
Python process with its own ``OPENBLAS_NUM_THREADS`` (the test process itself
has one thread, from ``conftest.py``).
"""
import os
import subprocess
import sys

import numpy as np
import pytest

SCRIPT = r"""
import sys
import numpy as np
from cnnedu.nn import Conv2D, Dense, Flatten, Input, MaxPool2D
from cnnedu.nn.model import Sequential

rng = np.random.default_rng(0)
X = rng.random((96, 1, 16, 16), dtype=np.float32)
y = rng.integers(0, 10, 96)
model = Sequential([Input((1, 16, 16)), Conv2D(32, 3, activation="relu"), MaxPool2D(2),
                    Conv2D(64, 3, activation="relu"), Flatten(),
                    Dense(256, activation="relu"), Dense(10, activation="softmax")], seed=0)
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(X, y, epochs=2, batch_size=32, verbose=0)
weights = [p.copy() for p in model.parameters()]
probs = model.predict(X)
np.savez(sys.argv[1], probs=probs, *weights)
"""


def run(threads: int, out) -> dict:
    env = dict(os.environ)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(threads)
    subprocess.run([sys.executable, "-c", SCRIPT, str(out)], env=env, check=True,
                   timeout=300)
    with np.load(out) as data:
        return {key: data[key] for key in data.files}


@pytest.mark.parametrize("threads", [2])
def test_training_is_the_same_with_any_number_of_blas_threads(tmp_path, threads):
    one = run(1, tmp_path / "one.npz")
    more = run(threads, tmp_path / "more.npz")
    assert one.keys() == more.keys()
    for key in one:
        assert one[key].dtype == more[key].dtype, key
        assert np.array_equal(one[key], more[key]), \
            f"{key} differs between 1 and {threads} BLAS threads"


def test_single_blas_thread_limits_blas_and_restores_it():
    from threadpoolctl import threadpool_info, threadpool_limits

    from cnnedu.nn.training import single_blas_thread

    def blas_threads():
        return [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]

    with threadpool_limits(2, user_api="blas"):
        before = blas_threads()
        with single_blas_thread():
            assert blas_threads() and set(blas_threads()) == {1}
        assert blas_threads() == before
