"""cnnedu.data: the shipped digits, the sample photo and the MNIST IDX loader."""
import gzip
import hashlib
import itertools
import struct
import subprocess
import sys

import numpy as np
import pytest

from cnnedu import data
from cnnedu.data import load_digits, load_mnist, load_sample_image, parse_idx


# ------------------------------------------------------------ shipped digits
@pytest.mark.parametrize("split, n", [("train", 8000), ("test", 2000)])
def test_load_digits_shapes_dtypes_ranges(split, n):
    X, y = load_digits(split)
    assert X.shape == (n, 1, 28, 28)
    assert X.dtype == np.float32
    assert y.shape == (n,) and y.dtype == np.int64
    assert X.min() == 0.0 and X.max() == 1.0
    assert set(np.unique(y)) == set(range(10))
    # every class is represented in roughly MNIST's proportions (about 10% each)
    freq = np.bincount(y, minlength=10) / n
    assert freq.min() > 0.07 and freq.max() < 0.13


def test_load_digits_float64_and_bad_dtype():
    X, _ = load_digits("test", dtype="float64")
    assert X.dtype == np.float64
    with pytest.raises(TypeError, match="dtype must be 'float32' or 'float64', got 'int32'"):
        load_digits("test", dtype="int32")


def test_train_and_test_are_disjoint():
    Xtr, _ = load_digits("train")
    Xte, _ = load_digits("test")
    train = {x.tobytes() for x in (Xtr * 255).round().astype(np.uint8)}
    test = {x.tobytes() for x in (Xte * 255).round().astype(np.uint8)}
    assert len(train) == 8000 and len(test) == 2000  # no duplicates within a set
    assert not train & test


def test_digits_look_like_digits():
    X, y = load_digits("train")
    # handwritten strokes on an empty background: borders are blank, a fair
    # share of the centre is ink, and the mean "1" has less ink than the mean "0"
    border = np.concatenate([X[:, 0, :2, :].ravel(), X[:, 0, -2:, :].ravel(),
                             X[:, 0, :, :2].ravel(), X[:, 0, :, -2:].ravel()])
    assert (border > 0.5).mean() < 0.002
    ink = (X > 0.5).mean(axis=(1, 2, 3))
    assert 0.03 < ink.mean() < 0.3
    assert ink[y == 1].mean() < 0.7 * ink[y == 0].mean()


def test_load_digits_bad_split():
    with pytest.raises(ValueError, match="split must be 'train' or 'test', got 'validation'"):
        load_digits("validation")


def test_load_digits_is_deterministic():
    a, ya = load_digits("test")
    b, yb = load_digits("test")
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(ya, yb)


# -------------------------------------------------------------- sample photo
def test_sample_image_gray_and_colour():
    gray = load_sample_image()
    assert gray.shape == (600, 512) and gray.dtype == np.float64
    assert 0.0 <= gray.min() and gray.max() <= 1.0 and gray.std() > 0.1
    rgb = load_sample_image(gray=False)
    assert rgb.shape == (600, 512, 3)
    np.testing.assert_allclose(rgb @ [0.299, 0.587, 0.114], gray)


def test_sample_image_downsample_averages_blocks():
    full = load_sample_image()
    small = load_sample_image(downsample=4)
    assert small.shape == (150, 128)
    np.testing.assert_allclose(small[3, 5], full[12:16, 20:24].mean())


def test_sample_image_is_read_as_matplotlib_reads_it():
    # the photo is read with pillow; matplotlib's own reader gives the same bytes,
    # so every value the book prints is unchanged
    import matplotlib.cbook as cbook
    import matplotlib.image as mpimg

    with cbook.get_sample_data("grace_hopper.jpg") as f:
        rgb = mpimg.imread(f, format="jpg").astype(np.float64) / 255.0
    for gray, k, dtype in itertools.product([True, False], [1, 2, 4], ["float32", "float64"]):
        image = rgb @ np.array([0.299, 0.587, 0.114]) if gray else rgb
        h, w = (image.shape[0] // k) * k, (image.shape[1] // k) * k
        image = image[:h, :w].reshape(h // k, k, w // k, k, *image.shape[2:]).mean(axis=(1, 3))
        got = load_sample_image(gray=gray, downsample=k, dtype=dtype)
        assert got.dtype == np.dtype(dtype)
        np.testing.assert_array_equal(got, image.astype(dtype))


def test_sample_image_does_not_import_matplotlib():
    code = ("import sys; from cnnedu.data import load_sample_image, sample_image_path; "
            "load_sample_image(); assert sample_image_path().name == 'grace_hopper.jpg'; "
            "print('matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_sample_image_without_matplotlib(monkeypatch):
    monkeypatch.setattr(data.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(FileNotFoundError, match="grace_hopper.jpg ships with matplotlib"):
        load_sample_image()


@pytest.mark.parametrize("bad", [0, -2, 1.5, True])
def test_sample_image_bad_downsample(bad):
    with pytest.raises(ValueError, match="downsample must be a positive int, got"):
        load_sample_image(downsample=bad)


# ------------------------------------------------------------- IDX and MNIST
def idx_bytes(array: np.ndarray) -> bytes:
    """The IDX encoding of a uint8 array, written independently of parse_idx."""
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(struct.pack(">I", d) for d in array.shape)
    return header + array.astype(np.uint8).tobytes()


def test_parse_idx_round_trip():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(5, 28, 28), dtype=np.uint8)
    labels = np.array([3, 1, 4, 1, 5], dtype=np.uint8)
    np.testing.assert_array_equal(parse_idx(idx_bytes(images)), images)
    np.testing.assert_array_equal(parse_idx(idx_bytes(labels)), labels)


def test_parse_idx_hand_written_bytes():
    raw = bytes([0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6])
    np.testing.assert_array_equal(parse_idx(raw), [[1, 2, 3], [4, 5, 6]])


@pytest.mark.parametrize("raw, words", [
    (b"\x00\x00", "not an IDX file \\(only 2 bytes"),
    (b"PK\x03\x04rest", "not an IDX file \\(magic bytes 504b0304"),
    (bytes([0, 0, 8, 3, 0, 0]), "truncated IDX header"),
    (bytes([0, 0, 8, 1, 0, 0, 0, 4, 1, 2]), "truncated: IDX header declares shape \\(4,\\)"),
    (bytes([0, 0, 8, 1, 0, 0, 0, 1, 1, 2]), "too long: IDX header declares shape \\(1,\\)"),
])
def test_parse_idx_errors(raw, words):
    with pytest.raises(ValueError, match=words):
        parse_idx(raw)


@pytest.fixture
def mirror(tmp_path):
    """A local 'mirror' of small MNIST-format files and their checksums."""
    rng = np.random.default_rng(1)
    content = {
        "train_images": rng.integers(0, 256, size=(6, 28, 28)).astype(np.uint8),
        "train_labels": np.arange(6, dtype=np.uint8) % 10,
        "test_images": rng.integers(0, 256, size=(4, 28, 28)).astype(np.uint8),
        "test_labels": np.array([9, 8, 7, 6], dtype=np.uint8),
    }
    root = tmp_path / "mirror"
    root.mkdir()
    files = {}
    for key, array in content.items():
        name = f"{key}.gz"
        blob = gzip.compress(idx_bytes(array), mtime=0)
        (root / name).write_bytes(blob)
        files[key] = (name, hashlib.md5(blob).hexdigest())
    return root, files, content


def test_load_mnist_downloads_parses_and_caches(mirror, tmp_path):
    root, files, content = mirror
    cache = tmp_path / "cache"
    Xtr, ytr, Xte, yte = load_mnist(cache, mirrors=[root.as_uri()], files=files)
    assert Xtr.shape == (6, 1, 28, 28) and Xte.shape == (4, 1, 28, 28)
    assert Xtr.dtype == np.float32 and ytr.dtype == np.int64
    np.testing.assert_allclose(Xtr[:, 0] * 255, content["train_images"], atol=1e-4)
    np.testing.assert_array_equal(yte, content["test_labels"])
    assert sorted(p.name for p in cache.iterdir()) == sorted(n for n, _ in files.values())
    # a second call reads the cache: the mirror may disappear
    for p in root.iterdir():
        p.unlink()
    again = load_mnist(cache, mirrors=[root.as_uri()], files=files)
    np.testing.assert_array_equal(again[1], ytr)


def test_load_mnist_corrupted_file_is_rejected_and_not_cached(mirror, tmp_path):
    root, files, _ = mirror
    name = files["train_images"][0]
    blob = bytearray((root / name).read_bytes())
    blob[len(blob) // 2] ^= 0xFF
    (root / name).write_bytes(bytes(blob))
    cache = tmp_path / "cache"
    with pytest.raises(RuntimeError, match=f"(?s)could not get a valid {name}.*checksum mismatch"):
        load_mnist(cache, mirrors=[root.as_uri()], files=files)
    assert not (cache / name).exists()
    assert not list(cache.glob("*.part"))


def test_load_mnist_truncated_file_is_rejected_and_not_cached(mirror, tmp_path):
    root, files, content = mirror
    # a truncated archive whose checksum was (wrongly) recorded for it: the
    # checksum passes, the parser must still refuse it
    name = "train_images.gz"
    blob = gzip.compress(idx_bytes(content["train_images"])[:-100], mtime=0)
    (root / name).write_bytes(blob)
    files = dict(files, train_images=(name, hashlib.md5(blob).hexdigest()))
    cache = tmp_path / "cache"
    with pytest.raises(RuntimeError, match="truncated: IDX header declares shape \\(6, 28, 28\\)"):
        load_mnist(cache, mirrors=[root.as_uri()], files=files)
    assert not (cache / name).exists()
    assert not list(cache.glob("*.part"))


def test_load_mnist_tries_the_next_mirror(mirror, tmp_path):
    root, files, _ = mirror
    empty = tmp_path / "empty"
    empty.mkdir()
    Xtr, *_ = load_mnist(tmp_path / "cache", mirrors=[empty.as_uri(), root.as_uri()], files=files)
    assert Xtr.shape == (6, 1, 28, 28)


def test_load_mnist_replaces_a_damaged_cache_entry(mirror, tmp_path):
    root, files, _ = mirror
    cache = tmp_path / "cache"
    cache.mkdir()
    name = files["test_labels"][0]
    (cache / name).write_bytes(b"garbage")
    *_, yte = load_mnist(cache, mirrors=[root.as_uri()], files=files)
    np.testing.assert_array_equal(yte, [9, 8, 7, 6])


def test_load_mnist_needs_all_four_files(tmp_path):
    with pytest.raises(ValueError, match="files must name .*missing \\['test_labels'\\]"):
        load_mnist(tmp_path,
                   files={k: v for k, v in data.MNIST_FILES.items() if k != "test_labels"})


def test_default_cache_respects_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("CNNEDU_DATA", str(tmp_path))
    assert data._default_cache() == tmp_path / "mnist"
    monkeypatch.delenv("CNNEDU_DATA")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert data._default_cache() == tmp_path / "cnnedu" / "mnist"
