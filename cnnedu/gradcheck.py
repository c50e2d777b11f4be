"""Numerical gradient checking: is an analytic backward pass right?

The analytic gradient of a scalar loss ``L`` with respect to an array ``x`` is
compared with the centred difference

.. math::  \\frac{\\partial L}{\\partial x_i} \\approx
           \\frac{L(x + h e_i) - L(x - h e_i)}{2h},

whose error is :math:`O(h^2)`. With ``h = 1e-5`` in float64 a correct backward
agrees to a relative error around ``1e-8``-``1e-10``; a wrong one is off by
``1e-2`` or more. Checks run in float64: in float32 the rounding error of the
difference quotient alone is about ``1e-3``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

__all__ = ["numerical_gradient", "rel_error", "check_gradient", "check_layer", "check_model",
           "GradCheckResult"]


def numerical_gradient(f: Callable[[], object], x: np.ndarray, df=None,
                       h: float = 1e-5) -> np.ndarray:
    """Centred-difference gradient of ``f`` with respect to the array ``x``.

    Parameters
    ----------
    f : callable taking no arguments
        Evaluates the function; it must read ``x`` (for instance a closure
        ``lambda: conv2d(x, w)``). ``x`` is perturbed in place, one entry at a
        time, and every entry is restored afterwards.
    x : ndarray of float64
        The input to differentiate with respect to.
    df : ndarray, optional
        Upstream gradient, same shape as ``f()``'s output. The gradient of
        ``sum(f() * df)`` is returned. If omitted, ``f()`` must return a scalar.
    h : float
        Step size.

    Returns
    -------
    grad : ndarray, same shape as ``x``
    """
    if not isinstance(x, np.ndarray) or not np.issubdtype(x.dtype, np.floating):
        raise TypeError(f"x must be a float ndarray, got {type(x).__name__}"
                        + (f" of dtype {x.dtype}" if isinstance(x, np.ndarray) else ""))
    if not h > 0:
        raise ValueError(f"h must be a positive step size, got {h!r}")

    def value() -> float:
        out = np.asarray(f(), dtype=np.float64)
        if df is None:
            if out.size != 1:
                raise ValueError(
                    f"f returned an array of shape {out.shape}; pass df (the upstream "
                    "gradient, same shape) or make f return a scalar")
            return float(out.reshape(()))
        if out.shape != np.shape(df):
            raise ValueError(f"df must have the shape of f's output {out.shape}, "
                             f"got {np.shape(df)}")
        return float(np.sum(out * df))

    grad = np.zeros_like(x, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        plus = value()
        x[i] = old - h
        minus = value()
        x[i] = old
        grad[i] = (plus - minus) / (2 * h)
    return grad


def rel_error(a, b) -> float:
    """Largest element-wise relative error ``|a - b| / max(1e-8, |a| + |b|)``."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same shape, got {a.shape} and {b.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))


@dataclass
class GradCheckResult:
    """Outcome of one gradient check (``bool(result)`` is ``result.passed``)."""

    name: str
    error: float
    tol: float
    analytic: np.ndarray = field(repr=False)
    numeric: np.ndarray = field(repr=False)

    @property
    def passed(self) -> bool:
        return bool(self.error < self.tol)

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        verdict = "ok" if self.passed else "FAILED"
        return f"{self.name}: relative error {self.error:.2e} (tol {self.tol:.0e}) {verdict}"


def check_gradient(f: Callable[[], object], x: np.ndarray, analytic, df=None, *, h: float = 1e-5,
                   tol: float = 1e-6, name: str = "x") -> GradCheckResult:
    """Compare an analytic gradient with :func:`numerical_gradient`.

    ``analytic`` is the gradient your backward pass computed for ``x``
    (for ``sum(f() * df)`` when ``df`` is given). Returns a
    :class:`GradCheckResult`; ``bool(result)`` tells whether the relative
    error is below ``tol``.
    """
    numeric = numerical_gradient(f, x, df=df, h=h)
    analytic = np.asarray(analytic, dtype=np.float64)
    if analytic.shape != x.shape:
        raise ValueError(f"analytic gradient must have the shape of x {x.shape}, "
                         f"got {analytic.shape}")
    return GradCheckResult(name, rel_error(analytic, numeric), tol, analytic, numeric)


def check_layer(layer, x, *, seed: int = 0, h: float = 1e-5, tol: float = 1e-6) -> dict:
    """Gradient-check a layer's ``backward`` for its input and every parameter.

    The layer must follow the cnnedu layer protocol: ``forward(x)`` returns the
    output, ``backward(dy)`` returns ``dx`` and fills ``layer.grads`` with the
    same keys as ``layer.params``. The loss is ``sum(forward(x) * dy)`` with a
    random ``dy`` drawn from ``seed``. Layers with randomness (dropout) must be
    in a deterministic mode while checked.

    Returns
    -------
    dict
        ``{'x': GradCheckResult, '<param name>': GradCheckResult, ...}``.
    """
    x = np.array(x, dtype=np.float64)
    out = layer.forward(x)
    dy = np.random.default_rng(seed).standard_normal(np.shape(out))
    dx = layer.backward(dy)
    analytic = {"x": np.array(dx, dtype=np.float64)}
    params = getattr(layer, "params", {}) or {}
    grads = getattr(layer, "grads", {}) or {}
    for key in params:
        if key not in grads:
            raise ValueError(f"layer.grads has no entry {key!r} after backward; "
                             f"it has {sorted(grads)}")
        analytic[key] = np.array(grads[key], dtype=np.float64)

    results = {"x": check_gradient(lambda: layer.forward(x), x, analytic["x"], df=dy,
                                   h=h, tol=tol, name="x")}
    for key, p in params.items():
        if p.dtype != np.float64:
            raise TypeError(f"parameter {key!r} must be float64 for a gradient check, "
                            f"got {p.dtype}")
        results[key] = check_gradient(lambda: layer.forward(x), p, analytic[key], df=dy,
                                      h=h, tol=tol, name=key)
    return results


def check_model(model, X, y, *, h: float = 1e-5, tol: float = 1e-6) -> dict:
    """Gradient-check a whole model end to end: the loss against every parameter.

    Where :func:`check_layer` checks one layer on a made-up upstream
    gradient, this checks the chain: the loss of the batch ``(X, y)``,
    ``model.compute_loss(X, y)``, is differentiated numerically with respect
    to every parameter of every layer and compared with the gradients of one
    backward pass, ``model.compute_gradients(X, y, training=False)`` (so
    dropout is off on both sides).

    Parameters
    ----------
    model : compiled ``cnnedu.nn.Sequential`` in float64
        Anything with ``layers`` (each with ``name`` and the ``params`` and
        ``grads`` dicts), ``compute_loss`` and ``compute_gradients``.
    X : ndarray, e.g. (N, C, H, W) images
        The input batch.
    y : ndarray (N,)
        The labels (or targets) the model's loss takes.
    h, tol : float
        Step of the centred differences; relative error below which a check passes.

    Returns
    -------
    dict
        ``{'<layer name>.<param name>': GradCheckResult, ...}`` in layer order.
    """
    layers = getattr(model, "layers", None)
    if layers is None or not hasattr(model, "compute_gradients"):
        raise TypeError(f"model must be a compiled Sequential (layers, compute_loss, "
                        f"compute_gradients), got {type(model).__name__}")
    params = [(f"{layer.name}.{key}", p) for layer in layers for key, p in layer.params.items()]
    for name, p in params:
        if p.dtype != np.float64:
            raise TypeError(f"parameter {name!r} must be float64 for a gradient check, "
                            f"got {p.dtype} (use model.astype('float64'))")
    model.compute_gradients(X, y, training=False)
    analytic = {f"{layer.name}.{key}": np.array(g, dtype=np.float64)
                for layer in layers for key, g in layer.grads.items()}
    return {name: check_gradient(lambda: model.compute_loss(X, y), p, analytic[name],
                                 h=h, tol=tol, name=name)
            for name, p in params}
