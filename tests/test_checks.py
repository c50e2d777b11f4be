"""cnnedu._checks: the argument checks every public function shares."""
import numpy as np
import pytest

from cnnedu._checks import as_generator, check_index, float_dtype


@pytest.mark.parametrize("given, expected", [
    ("float32", np.float32), ("float64", np.float64), (np.float32, np.float32),
    (np.dtype("float64"), np.float64), (float, np.float64)])
def test_float_dtype_accepts_the_two_float_types(given, expected):
    assert float_dtype(given) == np.dtype(expected)
    assert isinstance(float_dtype(given), np.dtype)


@pytest.mark.parametrize("bad", ["int32", "float16", "complex128", "floaty", int, object])
def test_float_dtype_rejects_everything_else(bad):
    with pytest.raises(TypeError, match=r"dtype must be 'float32' or 'float64', got "):
        float_dtype(bad)
    with pytest.raises(TypeError, match=r"^precision must be 'float32' or 'float64', got 'int32'$"):
        float_dtype("int32", "precision")


def test_as_generator():
    g = np.random.default_rng(3)
    assert as_generator(g) is g
    np.testing.assert_array_equal(as_generator(7).random(3), np.random.default_rng(7).random(3))
    np.testing.assert_array_equal(as_generator(None).random(3),
                                  np.random.default_rng(0).random(3))
    assert as_generator(np.int64(2)).random() == np.random.default_rng(2).random()


@pytest.mark.parametrize("bad", [-1, True, 0.5, "0", np.random.RandomState(0)],
                         ids=["negative", "bool", "float", "str", "RandomState"])
def test_as_generator_errors(bad):
    with pytest.raises(TypeError, match=r"rng must be a numpy.random.Generator, a non-negative "
                                        r"int seed or None, got "):
        as_generator(bad)
    with pytest.raises(TypeError, match="^seed must be"):
        as_generator(bad, "seed")


def test_check_index_returns_an_int_in_range():
    assert check_index(np.int64(2), "i", 3, "an output row", "the output is 3x4") == 2
    assert type(check_index(np.int64(2), "i", 3, "an output row", "the output is 3x4")) is int


@pytest.mark.parametrize("bad", [3, -1, 1.0, True, "1", None])
def test_check_index_errors(bad):
    with pytest.raises(ValueError, match=r"i must be an output row in 0..2 \(the output is 3x4\), "
                                         rf"got {bad!r}"):
        check_index(bad, "i", 3, "an output row", "the output is 3x4")
