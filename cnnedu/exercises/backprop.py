"""Checkers for the exercises of the chapter "Backpropagation".

Each ``check_*`` function prints what is right or, for the first wrong case,
what was expected and what was given, and returns a truthy
:class:`~cnnedu.exercises.CheckResult` when everything is correct. Functions
written by the reader run with numpy's floating-point errors raised.

Exercise 6 hands the reader :func:`conv_input_grad_buggy`, a backward pass
with a bug to find.
"""
from __future__ import annotations

import numpy as np

from ..geometry import conv_geometry
from ..ops.activation import relu_grad
from ..ops.conv import conv2d, conv2d_backward, convolve2d
from ..ops.dense import dense_backward
from ..ops.loss import softmax_cross_entropy
from ._common import check_answer, check_function, name_of, unanswered
from .activation import strict

__all__ = ["CHAIN", "check_chain_rule", "check_backward_shapes", "check_relu_backward",
           "check_dense_backward", "check_numerical_gradient", "conv_input_grad_buggy",
           "check_conv_input_grad", "check_conv_backward_single", "CONV_CASES"]

#: the numbers of exercise 1: L = (w x + b - t)^2
CHAIN = dict(w=1.5, x=-2.0, b=0.5, t=1.0)


# ------------------------------------------------------------------ by hand
def check_chain_rule(dL_dw, dL_db, dL_dx, quiet=False):
    """Exercise 1: dL/dw, dL/db and dL/dx of ``L = (w x + b - t)^2`` at :data:`CHAIN`."""
    todo = unanswered("chain rule by hand (dL/dw, dL/db, dL/dx)", quiet,
                      dL_dw=dL_dw, dL_db=dL_db, dL_dx=dL_dx)
    if todo is not None:
        return todo
    w, x, b, t = CHAIN["w"], CHAIN["x"], CHAIN["b"], CHAIN["t"]
    r = w * x + b - t
    expected = (2 * r * x, 2 * r, 2 * r * w)
    got = tuple(float(v) for v in (dL_dw, dL_db, dL_dx))
    return check_answer("chain rule by hand (dL/dw, dL/db, dL/dx)", got, expected, quiet=quiet)


def check_backward_shapes(dx_shape, dw_shape, db_shape, quiet=False):
    """Exercise 2: a dense layer with ``W`` of shape (128, 1600) gets a batch ``X`` of
    shape (32, 1600); the shapes of ``dL/dX``, ``dL/dW`` and ``dL/db``."""
    todo = unanswered("dense backward shapes (dX, dW, db)", quiet,
                      dx_shape=dx_shape, dw_shape=dw_shape, db_shape=db_shape)
    if todo is not None:
        return todo
    got = tuple(tuple(int(v) for v in s) for s in (dx_shape, dw_shape, db_shape))
    return check_answer("dense backward shapes (dX, dW, db)", got,
                        ((32, 1600), (128, 1600), (128,)), quiet=quiet)


# ------------------------------------------------------------------ code
def _relu_backward(dy, z):
    return dy * relu_grad(z)


def check_relu_backward(fn, quiet=False):
    """Exercise 3: ``fn(dy, z)`` returns ``dL/dz = dy * relu'(z)`` (with relu'(0) = 0)."""
    rng = np.random.default_rng(3)
    cases = [(np.array([1.0, 2.0, 3.0, 4.0]), np.array([-1.0, 0.5, -0.1, 2.0])),
             (rng.standard_normal((3, 4)), rng.standard_normal((3, 4))),
             (rng.standard_normal((2, 3, 4, 4)), rng.standard_normal((2, 3, 4, 4))),
             (np.array([[5.0, -5.0]]), np.array([[0.0, 0.0]])),          # z = 0: gradient 0
             (np.array([0.5, -0.5]), np.array([-3.0, -2.0]))]             # all inactive
    return check_function("ReLU backward", strict(fn), _relu_backward, cases, quiet=quiet)


def check_dense_backward(fn, quiet=False):
    """Exercise 4: ``fn(dy, x, w)`` with ``dy`` (N, M), ``x`` (N, D), ``w`` (M, D) returns
    ``(dx, dw, db)`` like :func:`cnnedu.ops.dense.dense_backward` (summed over the batch)."""
    rng = np.random.default_rng(4)
    cases = []
    for n, d, m in [(4, 3, 2), (1, 5, 3), (6, 2, 4), (3, 1, 1), (2, 7, 5)]:
        cases.append((rng.standard_normal((n, m)), rng.standard_normal((n, d)),
                      rng.standard_normal((m, d))))
    return check_function("dense backward", strict(fn), dense_backward, cases, quiet=quiet)


class _Loss:
    """A scalar function of an array with its exact gradient (for exercise 5)."""

    def __init__(self, name, f, grad):
        self.name, self.f, self.grad = name, f, grad

    def __call__(self, x):
        return self.f(x)

    def __repr__(self):
        return self.name


def _losses():
    w = np.array([[[[1.0, -2.0, 0.5], [0.0, 1.5, -1.0], [2.0, 0.5, -0.5]]]])
    labels = np.array([2, 0, 1])

    def conv_loss(x):
        return float(np.sum(conv2d(x, w, stride=2, padding=1) ** 2))

    def conv_grad(x):
        y = conv2d(x, w, stride=2, padding=1)
        return conv2d_backward(2 * y, x, w, stride=2, padding=1)[0]

    return [
        _Loss("sum(x**3)", lambda x: float(np.sum(x ** 3)), lambda x: 3 * x ** 2),
        _Loss("sum(x * sin(x))", lambda x: float(np.sum(x * np.sin(x))),
              lambda x: np.sin(x) + x * np.cos(x)),
        _Loss("sum(conv2d(x, w, stride=2, padding=1)**2)", conv_loss, conv_grad),
        _Loss("softmax_cross_entropy(x, labels)",
              lambda x: softmax_cross_entropy(x, labels)[0],
              lambda x: softmax_cross_entropy(x, labels)[1]),
    ]


def check_numerical_gradient(fn, quiet=False):
    """Exercise 5: ``fn(f, x, h=1e-5)`` returns the centred-difference gradient of the
    scalar function ``f`` at ``x`` (same shape as ``x``) and leaves ``x`` as it was.

    Compared with exact gradients to a relative tolerance of ``1e-7``: centred
    differences pass easily, one-sided ones (error of order ``h``) do not.
    """
    rng = np.random.default_rng(5)
    f1, f2, f3, f4 = _losses()
    cases = [(f1, rng.standard_normal(5)), (f2, rng.standard_normal((3, 4))),
             (f3, rng.standard_normal((1, 1, 5, 5))), (f4, rng.standard_normal((3, 4)))]

    def reader(f, x):
        x_in = x.copy()
        grad = strict(fn)(f, x_in)
        if not np.array_equal(x_in, x):
            raise ValueError("x was changed by your function: put every entry back after "
                             "perturbing it")
        return grad

    return check_function("numerical gradient", reader, lambda f, x: f.grad(x), cases,
                          rtol=1e-7, atol=1e-9, quiet=quiet, fn_name=name_of(fn))


def conv_input_grad_buggy(dy, w, input_size, stride=1, padding=0):
    """dL/dx of ``y = conv2d(x, w, stride, padding)`` for one channel -- with a bug.

    Parameters
    ----------
    dy : ndarray (OH, OW)
    w : ndarray (KH, KW)
    input_size : (H, W)
    stride, padding : int

    Returns
    -------
    dx : ndarray (H, W)
    """
    H, W = input_size
    # full convolution: dxp[a, b] = sum dy[a-u, b-v] w[u, v]
    full = convolve2d(dy, w, mode="full")
    dxp = np.zeros((H + 2 * padding, W + 2 * padding))
    dxp[:full.shape[0], :full.shape[1]] = full   # rows no window read stay 0
    return dxp[padding:padding + H, padding:padding + W]


#: geometries (H, W, KH, KW, stride, padding) of the conv backward checkers
CONV_CASES = [(5, 5, 3, 3, 1, 0), (6, 7, 2, 3, 1, 1), (7, 7, 3, 3, 2, 0), (8, 6, 3, 2, 2, 1),
              (9, 9, 3, 3, 3, 1), (4, 5, 4, 1, 1, 2), (7, 8, 2, 2, 2, 0)]


def _conv_cases(seed):
    rng = np.random.default_rng(seed)
    cases = []
    for H, W, KH, KW, s, p in CONV_CASES:
        x = rng.standard_normal((H, W))
        w = rng.standard_normal((KH, KW))
        oh, ow = conv_geometry((H, W), (KH, KW), s, p).output_size
        cases.append((rng.standard_normal((oh, ow)), x, w, s, p))
    return cases


def _reference_single(dy, x, w, stride, padding):
    dx, dw, db = conv2d_backward(dy[None, None], x[None, None], w[None, None], stride, padding)
    return dx[0, 0], dw[0, 0], float(db[0])


def check_conv_input_grad(fn, quiet=False):
    """Exercise 6: the corrected ``fn(dy, w, input_size, stride, padding)`` returns dL/dx
    of a single-channel convolution; compared with :func:`cnnedu.ops.conv.conv2d_backward`
    over :data:`CONV_CASES` (strides 1, 2 and 3, paddings 0 to 2)."""
    cases = [(dy, w, x.shape, s, p) for dy, x, w, s, p in _conv_cases(6)]

    def reference(dy, w, input_size, stride, padding):
        return _reference_single(dy, np.zeros(input_size), w, stride, padding)[0]

    return check_function("conv input gradient", strict(fn), reference, cases, quiet=quiet)


def check_conv_backward_single(fn, quiet=False):
    """Exercise 7: ``fn(dy, x, w, stride, padding)`` for one channel (``x`` (H, W),
    ``w`` (KH, KW), ``dy`` (OH, OW)) returns ``(dx, dw, db)`` with ``db`` a number;
    compared with :func:`cnnedu.ops.conv.conv2d_backward` over :data:`CONV_CASES`."""
    return check_function("conv backward (one channel)", strict(fn), _reference_single,
                          _conv_cases(7), quiet=quiet)
