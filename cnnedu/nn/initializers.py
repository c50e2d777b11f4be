r"""Weight initialisation: where training starts.

A layer's weights start random, with a spread chosen so that the signal
neither dies out nor blows up as it passes through many layers. Both schemes
here scale with the *fan-in* (inputs feeding one output unit) and *fan-out*:

- **He normal** (He et al., 2015), for layers followed by ReLU:
  :math:`w \sim \mathcal N(0, \sigma^2)` with :math:`\sigma = \sqrt{2 / \text{fan\_in}}`.
  ReLU zeroes half of its inputs; the factor 2 makes up for it.
  (Keras' ``he_normal`` truncates the normal at two standard deviations;
  here it is a plain normal.)
- **Glorot uniform** (Glorot & Bengio, 2010), Keras' default:
  :math:`w \sim \mathcal U(-l, l)` with :math:`l = \sqrt{6 / (\text{fan\_in} + \text{fan\_out})}`.

For a dense layer with weights ``(M, D)``, fan-in is ``D`` and fan-out ``M``;
for a convolution with weights ``(F, C, KH, KW)``, fan-in is ``C * KH * KW``
and fan-out ``F * KH * KW``.

Weights are drawn in float64 from the given generator and then cast, so a
float32 and a float64 model built from the same seed start from the same
values (up to rounding).
"""
from __future__ import annotations

import numpy as np

from .._checks import as_generator, float_dtype

__all__ = ["fans", "he_normal", "glorot_uniform", "INITIALIZERS", "get_initializer"]


def fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight array of shape ``(M, D)`` or ``(F, C, KH, KW)``."""
    receptive = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return shape[1] * receptive, shape[0] * receptive


def he_normal(shape, rng: np.random.Generator, dtype="float32") -> np.ndarray:
    """He-normal weights: normal with std ``sqrt(2 / fan_in)``.

    Parameters
    ----------
    shape : tuple
        ``(M, D)`` for a dense layer, ``(F, C, KH, KW)`` for a convolution.
    rng : numpy.random.Generator or int seed
    dtype : {'float32', 'float64'}

    Returns
    -------
    w : ndarray of the given shape and dtype
    """
    rng, dtype = as_generator(rng), float_dtype(dtype)
    fan_in, _ = fans(shape)
    return (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(dtype)


def glorot_uniform(shape, rng: np.random.Generator, dtype="float32") -> np.ndarray:
    """Glorot-uniform weights: uniform on ``[-l, l]``, ``l = sqrt(6 / (fan_in + fan_out))``.

    Parameters
    ----------
    shape : tuple
        ``(M, D)`` for a dense layer, ``(F, C, KH, KW)`` for a convolution.
    rng : numpy.random.Generator or int seed
    dtype : {'float32', 'float64'}

    Returns
    -------
    w : ndarray of the given shape and dtype
    """
    rng, dtype = as_generator(rng), float_dtype(dtype)
    fan_in, fan_out = fans(shape)
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=shape).astype(dtype)


INITIALIZERS = {"he": he_normal, "he_normal": he_normal,
                "glorot": glorot_uniform, "glorot_uniform": glorot_uniform}

#: Activations after which ``kernel_initializer='auto'`` picks He normal.
RELU_LIKE = ("relu", "leaky_relu", "elu")


def get_initializer(name: str, activation: str | None = None):
    """Return the initialiser function for ``name``.

    Parameters
    ----------
    name : {'auto', 'he', 'he_normal', 'glorot', 'glorot_uniform'}
        ``'auto'`` picks He normal when ``activation`` is ReLU-like
        (``'relu'``, ``'leaky_relu'``, ``'elu'``) and Glorot uniform otherwise.
    activation : str or None
        The layer's fused activation, used by ``'auto'``.

    Returns
    -------
    callable ``(shape, rng, dtype) -> ndarray``
    """
    if name == "auto":
        return he_normal if activation in RELU_LIKE else glorot_uniform
    if isinstance(name, str) and name in INITIALIZERS:
        return INITIALIZERS[name]
    raise ValueError(f"kernel_initializer must be 'auto', 'he' (he_normal) or 'glorot' "
                     f"(glorot_uniform), got {name!r}")
