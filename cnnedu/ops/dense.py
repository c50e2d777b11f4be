"""Fully-connected (dense) layer: forward and backward, fast and naive.

A dense layer maps each input vector :math:`x \\in \\mathbb{R}^D` to
:math:`z = W x + b \\in \\mathbb{R}^M`. Weights are stored as ``(M, D)`` =
``(out_features, in_features)``, so the formula reads exactly as in the book
and the first axis is the output, as for convolution weights
``(F, C, KH, KW)``. A batch holds its samples as rows, ``x`` of shape
``(N, D)``, so for the whole batch :math:`Z = X W^{\\top} + b`.

Output dtype is numpy's promotion of the inputs' dtypes: all float32 gives
float32; mixing float32 and float64 gives float64.
"""
from __future__ import annotations

import numpy as np

from .._checks import as_float_array

__all__ = ["dense", "dense_backward", "dense_naive", "dense_backward_naive"]


def _check_x_w(x, w):
    x = as_float_array(x, "x")
    w = as_float_array(w, "w")
    if x.ndim != 2:
        hint = ""
        if x.ndim == 1:
            hint = "; for a single sample use x.reshape(1, -1)"
        elif x.ndim > 2:
            hint = "; flatten each sample first, e.g. x.reshape(len(x), -1)"
        raise ValueError(f"x must be a 2-D array (N, D) with one sample per row, "
                         f"got shape {x.shape} ({x.ndim}-D){hint}")
    if w.ndim != 2:
        raise ValueError(f"w must be a 2-D array (M, D) = (out_features, in_features), "
                         f"got shape {w.shape} ({w.ndim}-D)")
    if w.shape[1] != x.shape[1]:
        hint = ""
        if w.shape[0] == x.shape[1]:
            hint = ("; w looks transposed: dense weights are stored as "
                    "(out_features, in_features), try w.T")
        raise ValueError(f"w expects {w.shape[1]} inputs (w is (M, D) = {w.shape}) "
                         f"but x has {x.shape[1]} features{hint}")
    return x, w


def _check_b(b, w):
    if b is None:
        return None
    b = as_float_array(b, "b")
    if b.shape != (w.shape[0],):
        raise ValueError(f"b must have shape (M,) = ({w.shape[0]},) to match w {w.shape}, "
                         f"got {b.shape}")
    return b


def _check_dy(dy, x, w):
    dy = as_float_array(dy, "dy")
    expected = (x.shape[0], w.shape[0])
    if dy.shape != expected:
        raise ValueError(f"dy must have the shape of the output (N, M) = {expected}, "
                         f"got {dy.shape}")
    return dy


def dense(x, w, b=None):
    """Fully-connected layer, vectorised: ``z = x @ w.T + b``.

    Parameters
    ----------
    x : array_like, shape (N, D)
        N input vectors of D features, one per row.
    w : array_like, shape (M, D)
        Weights, ``(out_features, in_features)``: row m holds the weights of
        output m.
    b : array_like, shape (M,), optional
        Biases; ``None`` means no bias.

    Returns
    -------
    z : ndarray, shape (N, M)

    Notes
    -----
    For one sample (a column vector) :math:`z = W x + b`, i.e.

    .. math:: z_{n,m} = \\sum_{d=1}^{D} W_{m,d}\\, x_{n,d} + b_m .

    See :func:`dense_naive` for the same computation written as loops.
    """
    x, w = _check_x_w(x, w)
    b = _check_b(b, w)
    z = x @ w.T
    if b is not None:
        z = z + b
    return z


def dense_backward(dy, x, w, *, input_grad: bool = True):
    """Backward pass of :func:`dense`, vectorised.

    Parameters
    ----------
    dy : array_like, shape (N, M)
        Upstream gradient :math:`\\partial L / \\partial z`.
    x : array_like, shape (N, D)
        The input of the forward pass.
    w : array_like, shape (M, D)
        The weights of the forward pass.
    input_grad : bool
        ``False`` skips ``dx`` (returned as ``None``): a network's first
        layer needs only ``dw`` and ``db``, which are the same either way.

    Returns
    -------
    dx : ndarray, shape (N, D), or None if ``input_grad`` is False
        ``dy @ w``.
    dw : ndarray, shape (M, D)
        ``dy.T @ x``: per sample the outer product :math:`dy\\, x^{\\top}`,
        summed over the batch.
    db : ndarray, shape (M,)
        ``dy.sum(axis=0)``. Returned whether or not the forward pass used a bias.

    All three have the promoted dtype of ``dy``, ``x`` and ``w``.

    Notes
    -----
    .. math:: \\frac{\\partial L}{\\partial x_{n,d}} = \\sum_m dy_{n,m} W_{m,d},\\quad
              \\frac{\\partial L}{\\partial W_{m,d}} = \\sum_n dy_{n,m}\\, x_{n,d},\\quad
              \\frac{\\partial L}{\\partial b_m} = \\sum_n dy_{n,m}.
    """
    x, w = _check_x_w(x, w)
    dy = _check_dy(dy, x, w)
    dtype = np.result_type(dy, x, w)
    dx = (dy @ w).astype(dtype, copy=False) if input_grad else None
    dw = (dy.T @ x).astype(dtype, copy=False)
    db = dy.sum(axis=0).astype(dtype, copy=False)
    return dx, dw, db


def dense_naive(x, w, b=None):
    """Fully-connected layer written as explicit loops (reference for :func:`dense`).

    Parameters
    ----------
    x : array_like, shape (N, D)
    w : array_like, shape (M, D)
        Weights, ``(out_features, in_features)``.
    b : array_like, shape (M,), optional

    Returns
    -------
    z : ndarray, shape (N, M)
        ``z[n, m] = b[m] + sum over d of w[m, d] * x[n, d]``.
    """
    x, w = _check_x_w(x, w)
    b = _check_b(b, w)
    N, D = x.shape
    M = w.shape[0]
    dtype = np.result_type(x, w) if b is None else np.result_type(x, w, b)
    z = np.zeros((N, M), dtype=dtype)
    for n in range(N):                 # every sample
        for m in range(M):             # every output neuron
            total = 0.0 if b is None else b[m]
            for d in range(D):         # weighted sum of the inputs
                total += w[m, d] * x[n, d]
            z[n, m] = total
    return z


def dense_backward_naive(dy, x, w):
    """Backward pass of :func:`dense` written as explicit loops.

    Each output ``z[n, m] = sum_d w[m, d] * x[n, d] + b[m]`` sends its
    gradient ``dy[n, m]`` back to everything it was computed from.

    Parameters
    ----------
    dy : array_like, shape (N, M)
    x : array_like, shape (N, D)
    w : array_like, shape (M, D)

    Returns
    -------
    dx : ndarray, shape (N, D)
    dw : ndarray, shape (M, D)
    db : ndarray, shape (M,)
    """
    x, w = _check_x_w(x, w)
    dy = _check_dy(dy, x, w)
    N, D = x.shape
    M = w.shape[0]
    dtype = np.result_type(dy, x, w)
    dx = np.zeros((N, D), dtype=dtype)
    dw = np.zeros((M, D), dtype=dtype)
    db = np.zeros(M, dtype=dtype)
    for n in range(N):
        for m in range(M):
            g = dy[n, m]
            db[m] += g                      # dz/db[m] = 1
            for d in range(D):
                dw[m, d] += g * x[n, d]     # dz/dw[m, d] = x[n, d]
                dx[n, d] += g * w[m, d]     # dz/dx[n, d] = w[m, d]
    return dx, dw, db
