"""cnnedu.ops.dense: forward/backward, fast vs naive, gradient checks, errors."""
import numpy as np
import pytest

from cnnedu.ops.dense import dense, dense_backward, dense_backward_naive, dense_naive
from cnnedu.gradcheck import check_gradient

# (N, D, M): batch, in_features, out_features
SHAPES = [(1, 1, 1), (1, 3, 2), (2, 4, 3), (5, 2, 6), (3, 7, 1)]
SHAPE_IDS = [f"N{n}-D{d}-M{m}" for n, d, m in SHAPES]


def make(n, d, m, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d)).astype(dtype)
    w = rng.standard_normal((m, d)).astype(dtype)
    b = rng.standard_normal(m).astype(dtype)
    dy = rng.standard_normal((n, m)).astype(dtype)
    return x, w, b, dy


# ------------------------------------------------------------ values
def test_hand_example():
    x = np.array([[1.0, 2.0], [-1.0, 0.5]])
    w = np.array([[1.0, 0.0],      # output 0 copies feature 0
                  [0.0, 1.0],      # output 1 copies feature 1
                  [1.0, 1.0]])     # output 2 adds them
    b = np.array([0.5, -1.0, 0.0])
    expected = np.array([[1.5, 1.0, 3.0],
                         [-0.5, -0.5, -0.5]])
    np.testing.assert_allclose(dense(x, w, b), expected)
    np.testing.assert_allclose(dense_naive(x, w, b), expected)
    np.testing.assert_allclose(dense(x, w), expected - b)


def test_one_sample_is_the_column_vector_formula():
    x, w, b, _ = make(1, 4, 3)
    np.testing.assert_allclose(dense(x, w, b)[0], w @ x[0] + b, rtol=1e-14)


def test_backward_hand_example():
    x = np.array([[1.0, 2.0]])
    w = np.array([[3.0, 4.0], [5.0, 6.0]])
    dy = np.array([[1.0, -1.0]])
    dx, dw, db = dense_backward(dy, x, w)
    np.testing.assert_allclose(dx, [[3.0 - 5.0, 4.0 - 6.0]])
    np.testing.assert_allclose(dw, [[1.0, 2.0], [-1.0, -2.0]])   # outer(dy, x)
    np.testing.assert_allclose(db, [1.0, -1.0])


def test_dw_is_the_sum_of_per_sample_outer_products():
    x, w, _, dy = make(4, 3, 2, seed=1)
    _, dw, db = dense_backward(dy, x, w)
    np.testing.assert_allclose(dw, sum(np.outer(dy[n], x[n]) for n in range(4)), rtol=1e-13)
    np.testing.assert_allclose(db, dy[0] + dy[1] + dy[2] + dy[3], rtol=1e-13)


# ------------------------------------------------------------ fast == naive
@pytest.mark.parametrize("use_bias", [True, False], ids=["bias", "no-bias"])
@pytest.mark.parametrize("n, d, m", SHAPES, ids=SHAPE_IDS)
def test_fast_matches_naive_forward(n, d, m, use_bias):
    x, w, b, _ = make(n, d, m, seed=2)
    b = b if use_bias else None
    z = dense(x, w, b)
    assert z.shape == (n, m)
    np.testing.assert_allclose(z, dense_naive(x, w, b), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("n, d, m", SHAPES, ids=SHAPE_IDS)
def test_fast_matches_naive_backward(n, d, m):
    x, w, _, dy = make(n, d, m, seed=3)
    fast = dense_backward(dy, x, w)
    naive = dense_backward_naive(dy, x, w)
    for name, a, r, shape in zip(("dx", "dw", "db"), fast, naive, [(n, d), (m, d), (m,)]):
        assert a.shape == shape, name
        np.testing.assert_allclose(a, r, rtol=1e-12, atol=1e-14, err_msg=name)


# ------------------------------------------------------------ gradient checks
@pytest.mark.parametrize("n, d, m", SHAPES, ids=SHAPE_IDS)
def test_gradients_match_numerical(n, d, m):
    x, w, b, dy = make(n, d, m, seed=4)
    dx, dw, db = dense_backward(dy, x, w)
    for name, arr, analytic in (("x", x, dx), ("w", w, dw), ("b", b, db)):
        result = check_gradient(lambda: dense(x, w, b), arr, analytic, df=dy, name=name)
        assert result.error < 1e-6, str(result)


def test_gradient_check_catches_a_transposed_dw():
    x, w, b, dy = make(3, 2, 2, seed=5)
    _, dw, _ = dense_backward(dy, x, w)
    assert not check_gradient(lambda: dense(x, w, b), w, dw.T, df=dy).passed


# ------------------------------------------------------------ dtypes
@pytest.mark.parametrize("fn", [dense, dense_naive], ids=["fast", "naive"])
def test_forward_dtype_follows_inputs(fn):
    x, w, b, _ = make(2, 3, 4, dtype=np.float32)
    assert fn(x, w, b).dtype == np.float32
    assert fn(x, w).dtype == np.float32
    assert fn(np.ones((2, 3), dtype=int), np.ones((4, 3), dtype=int)).dtype == np.float64
    assert fn(x, w.astype(np.float64)).dtype == np.float64     # numpy promotion


@pytest.mark.parametrize("fn", [dense_backward, dense_backward_naive], ids=["fast", "naive"])
def test_backward_dtype_follows_inputs(fn):
    x, w, _, dy = make(2, 3, 4, dtype=np.float32)
    assert [g.dtype for g in fn(dy, x, w)] == [np.float32] * 3
    mixed = fn(dy, x, w.astype(np.float64))
    assert [g.dtype for g in mixed] == [np.float64] * 3


def test_float32_agrees_with_float64():
    x, w, b, dy = make(3, 5, 4, seed=6)
    x32, w32, b32, dy32 = (a.astype(np.float32) for a in (x, w, b, dy))
    np.testing.assert_allclose(dense(x32, w32, b32), dense(x, w, b), rtol=1e-5, atol=1e-5)
    for a, r in zip(dense_backward(dy32, x32, w32), dense_backward(dy, x, w)):
        np.testing.assert_allclose(a, r, rtol=1e-5, atol=1e-5)


def test_empty_batch():
    x, w, _, _ = make(1, 3, 2)
    assert dense(np.zeros((0, 3)), w).shape == (0, 2)
    dx, dw, db = dense_backward(np.zeros((0, 2)), np.zeros((0, 3)), w)
    assert dx.shape == (0, 3)
    np.testing.assert_array_equal(dw, np.zeros((2, 3)))
    np.testing.assert_array_equal(db, np.zeros(2))


# ------------------------------------------------------------ errors
BOTH_FORWARDS = pytest.mark.parametrize("fn", [dense, dense_naive], ids=["fast", "naive"])


@BOTH_FORWARDS
def test_feature_count_mismatch(fn):
    with pytest.raises(ValueError, match=r"^w expects 784 inputs \(w is \(M, D\) = "
                                         r"\(128, 784\)\) but x has 100 features$"):
        fn(np.zeros((2, 100)), np.zeros((128, 784)))


@BOTH_FORWARDS
def test_transposed_weights_get_a_hint(fn):
    with pytest.raises(ValueError, match=r"w expects 128 inputs .* but x has 784 features; "
                                         r"w looks transposed: .*\(out_features, in_features\), "
                                         r"try w.T"):
        fn(np.zeros((2, 784)), np.zeros((784, 128)))


@BOTH_FORWARDS
def test_x_must_be_2d(fn):
    with pytest.raises(ValueError, match=r"x must be a 2-D array \(N, D\) with one sample per "
                                         r"row, got shape \(784,\) \(1-D\); for a single sample "
                                         r"use x.reshape\(1, -1\)"):
        fn(np.zeros(784), np.zeros((10, 784)))
    with pytest.raises(ValueError, match=r"got shape \(2, 1, 28, 28\) \(4-D\); flatten each "
                                         r"sample first, e.g. x.reshape\(len\(x\), -1\)"):
        fn(np.zeros((2, 1, 28, 28)), np.zeros((10, 784)))


@BOTH_FORWARDS
def test_w_must_be_2d(fn):
    with pytest.raises(ValueError, match=r"w must be a 2-D array \(M, D\) = \(out_features, "
                                         r"in_features\), got shape \(3,\) \(1-D\)"):
        fn(np.zeros((2, 3)), np.zeros(3))


@BOTH_FORWARDS
def test_bias_shape(fn):
    with pytest.raises(ValueError, match=r"b must have shape \(M,\) = \(128,\) to match w "
                                         r"\(128, 784\), got \(10,\)"):
        fn(np.zeros((2, 784)), np.zeros((128, 784)), np.zeros(10))
    with pytest.raises(ValueError, match=r"b must have shape \(M,\) = \(4,\) .*got \(1, 4\)"):
        fn(np.zeros((2, 3)), np.zeros((4, 3)), np.zeros((1, 4)))


@pytest.mark.parametrize("fn", [dense_backward, dense_backward_naive], ids=["fast", "naive"])
def test_dy_shape(fn):
    with pytest.raises(ValueError, match=r"dy must have the shape of the output \(N, M\) = "
                                         r"\(100, 128\), got \(100, 10\)"):
        fn(np.zeros((100, 10)), np.zeros((100, 784)), np.zeros((128, 784)))


def test_non_numeric_input():
    with pytest.raises(TypeError, match=r"w must be an array of real numbers, got dtype <U1"):
        dense(np.zeros((1, 1)), [["a"]])


def test_backward_without_input_grad_gives_the_same_dw_db():
    rng = np.random.default_rng(41)
    x = rng.standard_normal((32, 50)).astype(np.float32)
    w = rng.standard_normal((7, 50)).astype(np.float32)
    dy = rng.standard_normal((32, 7)).astype(np.float32)
    dx, dw, db = dense_backward(dy, x, w)
    none, dw2, db2 = dense_backward(dy, x, w, input_grad=False)
    assert none is None and dx.shape == x.shape
    np.testing.assert_array_equal(dw2, dw)          # bit for bit
    np.testing.assert_array_equal(db2, db)
