r"""What the chapter "Going deeper" shows: deep stacks, their gradients, batch statistics.

- :func:`plain_stack` and :func:`residual_stack` -- the small networks of the
  depth experiments: the same input, stem and head around a body of
  ``depth`` 3x3 convolutions, stacked one after the other or paired in
  residual blocks;
- :func:`output_gradient_norms` -- the norm of the loss gradient at the
  output of every unit of the body (a convolution, or a residual block),
  which carries the gradient on towards the input;
- :func:`weight_gradient_norms` -- the norm :math:`\lVert \partial L /
  \partial W_l \rVert` of the gradient that reaches every convolution and
  dense layer, first to last (inside residual blocks too);
- :func:`depth_run` and :func:`depth_runs` -- one experiment: the gradient
  norms at initialisation, then a short training run (its history);
- :func:`running_statistics` -- the batch statistics of a sequence of
  mini-batches and the running averages a batch normalization layer keeps
  of them;
- :func:`batch_norm_view` -- one batch's values of a channel before and after
  normalization (histograms), with the running estimates up to that batch,
  for the batch normalization explorer.

Pure numpy on arrays and :mod:`cnnedu.nn` models; no data is loaded here.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .._checks import as_float_array, check_positive_int
from ..nn import (AvgPool2D, BatchNormalization, Conv2D, Dense, Flatten, Input, MaxPool2D, ReLU,
                  residual_block)
from ..nn.model import Sequential
from ..nn.optim import SGD
from ..nn.training import single_blas_thread
from ..ops.norm import batch_norm2d, batch_stats

__all__ = ["BLOCK_TYPES", "plain_stack", "residual_stack", "weight_gradient_norms",
           "output_gradient_norms", "DepthRun",
           "depth_run", "depth_runs", "running_statistics", "batch_norm_view"]

#: The two kinds of body :func:`depth_run` builds.
BLOCK_TYPES = ("plain", "residual")


def _check_depth(depth, even: bool) -> int:
    depth = check_positive_int(depth, "depth", minimum=2)
    if even and depth % 2:
        raise ValueError(f"depth must be even for a residual body (blocks of two "
                         f"convolutions), got {depth}")
    return depth


def _check_momentum(momentum) -> float:
    if isinstance(momentum, bool) or not isinstance(momentum, (int, float)) \
            or not 0 <= momentum < 1:
        raise ValueError(f"momentum must be a number in [0, 1), got {momentum!r}")
    return float(momentum)


def _stem(width: int, batch_norm: bool, momentum: float) -> list:
    """Input (1, 28, 28) -> 2x2 average pooling (14 x 14, to keep the runs short) -> conv."""
    layers = [Input((1, 28, 28)), AvgPool2D(2)]
    return layers + _conv(width, batch_norm, momentum)


def _conv(width: int, batch_norm: bool, momentum: float) -> list:
    if batch_norm:
        return [Conv2D(width, 3, padding="same", use_bias=False),
                BatchNormalization(momentum=momentum), ReLU()]
    return [Conv2D(width, 3, padding="same", activation="relu")]


def _head() -> list:
    return [MaxPool2D(2), Flatten(), Dense(10, activation="softmax")]


def plain_stack(depth: int, width: int = 8, batch_norm: bool = False, momentum: float = 0.9,
                seed: int = 0) -> Sequential:
    """A plain stack: ``depth`` 3x3 convolutions (ReLU) one after the other.

    ::

        Input (1, 28, 28) -> AvgPool2D(2) -> conv (stem) -> depth x conv
        -> MaxPool2D(2) -> Flatten -> Dense(10, softmax)

    Each *conv* is ``Conv2D(width, 3, padding='same', activation='relu')``,
    or with ``batch_norm`` ``Conv2D(width, 3, padding='same',
    use_bias=False)`` -> ``BatchNormalization(momentum)`` -> ``ReLU()``.
    Initial weights: He normal (``kernel_initializer='auto'``). Not compiled.

    Parameters
    ----------
    depth : int
        Convolutions in the body (at least 2); the network has ``depth + 1``.
    width : int
        Channels of every convolution.
    batch_norm : bool
    momentum : float in [0, 1)
        Of the batch normalization layers (0.9: short runs, see
        :class:`~cnnedu.nn.norm.BatchNormalization`).
    seed : int
        The model's seed (initial weights and shuffling).
    """
    depth = _check_depth(depth, even=False)
    width = check_positive_int(width, "width")
    momentum = _check_momentum(momentum)
    body = [layer for _ in range(depth) for layer in _conv(width, batch_norm, momentum)]
    return Sequential(_stem(width, batch_norm, momentum) + body + _head(), seed=seed,
                      name=f"plain_{depth}")


def residual_stack(depth: int, width: int = 8, batch_norm: bool = True, momentum: float = 0.9,
                   seed: int = 0) -> Sequential:
    """The residual twin of :func:`plain_stack`: the body is ``depth / 2`` basic blocks.

    Each block is :func:`cnnedu.nn.residual.residual_block` ``(width,
    batch_norm=batch_norm, momentum=momentum, zero_init=batch_norm)``: two
    3x3 convolutions and the identity shortcut, ``y = relu(F(x) + x)``; with
    batch normalization the main path's last ``gamma`` starts at 0, so every
    block starts as the identity. Same stem, head and number of
    convolutions (``depth + 1``) as the plain stack. Not compiled.
    """
    depth = _check_depth(depth, even=True)
    width = check_positive_int(width, "width")
    momentum = _check_momentum(momentum)
    body = [residual_block(width, batch_norm=batch_norm, momentum=momentum,
                           zero_init=batch_norm) for _ in range(depth // 2)]
    return Sequential(_stem(width, batch_norm, momentum) + body + _head(), seed=seed,
                      name=f"residual_{depth}")


def _weight_layers(layers, prefix: str = ""):
    """``(name, layer)`` of every layer with a weight ``'w'``, inside residual blocks too."""
    for layer in layers:
        inner = getattr(layer, "main", None)
        if inner is not None:
            yield from _weight_layers(inner, f"{prefix}{layer.name}/")
        elif "w" in layer.params:
            yield f"{prefix}{layer.name}", layer


def weight_gradient_norms(model, X, y):
    r"""The norm of the loss gradient reaching each weight, first layer to last.

    One forward and backward pass in training mode on ``(X, y)``
    (``model.compute_gradients``), then :math:`\lVert \partial L / \partial
    W_l \rVert_2` (all entries) for every convolution and dense layer, in
    order; the convolutions of residual blocks are named ``'block/conv'``
    (the shortcut's projection, if any, is not listed).

    Parameters
    ----------
    model : Sequential
        Compiled (the loss is needed).
    X : ndarray, shape (N, C, H, W)
    y : ndarray of int, shape (N,)

    Returns
    -------
    names : list of str
    norms : ndarray, shape (len(names),)
    """
    model.compute_gradients(X, y)
    pairs = list(_weight_layers(model.layers))
    names = [name for name, _ in pairs]
    norms = np.array([float(np.linalg.norm(layer.grads["w"])) for _, layer in pairs])
    return names, norms


def _unit_end(layer) -> int:
    """Convolutions a layer ends as a unit of the body (0: not the end of a unit).

    A ``ReLU`` layer or a convolution with ``activation='relu'`` ends a plain
    unit (one convolution); a residual block is a unit of its main path's
    convolutions.
    """
    inner = getattr(layer, "main", None)
    if inner is not None:
        return sum(isinstance(l, Conv2D) for l in inner)
    if isinstance(layer, ReLU) or (isinstance(layer, Conv2D) and layer.activation == "relu"):
        return 1
    return 0


def output_gradient_norms(model, X, y):
    r"""The norm of the loss gradient at the output of every unit of the body, first to last.

    One forward pass in training mode and the backward pass, layer by
    layer, keeping :math:`\lVert \partial L / \partial h_l \rVert_2` for
    the output :math:`h_l` of every unit: a convolution with its ReLU (and
    batch normalization) in a plain stack, a whole block in a residual one.
    This is the gradient that flows on towards the input; a layer's weight
    gradient is made from it.

    Parameters
    ----------
    model : Sequential
        Compiled, softmax cross-entropy loss.
    X : ndarray, shape (N, C, H, W)
    y : ndarray of int, shape (N,)

    Returns
    -------
    names : list of str
        The layers that end each unit.
    positions : ndarray of int
        Convolutions from the input up to the end of each unit (1, 2, ... for a
        plain stack; 1, 3, 5, ... for the stem and the blocks of a residual one).
    norms : ndarray of float
    """
    from ..nn.loss import loss_and_gradient

    model._require_compiled("output_gradient_norms")
    with single_blas_thread():
        _, dscores, _ = loss_and_gradient(model, model.forward(X, training=True), y)
        last = model.layers[-1]
        dout = (last.backward_preactivation(dscores) if last.activation == "softmax"
                else last.backward(dscores))
        found = []
        for layer in reversed(model.layers[:-1]):
            if _unit_end(layer):
                found.append((layer, float(np.linalg.norm(dout))))
            dout = layer.backward(dout)
    found.reverse()
    counts = np.cumsum([_unit_end(layer) for layer, _ in found])
    return ([layer.name for layer, _ in found], counts.astype(int),
            np.array([n for _, n in found]))


@dataclass
class DepthRun:
    """One network of the depth experiment: gradient norms at initialisation, then training.

    Attributes
    ----------
    block : str
        ``'plain'`` or ``'residual'``.
    depth : int
        Convolutions in the body.
    names : list of str
        The layers that end each unit of the body, first to last.
    positions : ndarray of int
        Convolutions from the input to the end of each unit.
    norms : ndarray
        :math:`\\lVert \\partial L / \\partial h_l \\rVert` at initialisation
        (:func:`output_gradient_norms`), one per unit.
    history : dict of str -> list of float
        Per epoch: ``'loss'``, ``'accuracy'`` and, with validation data,
        ``'val_loss'``, ``'val_accuracy'``.
    params : int
        Parameters of the network.
    """

    block: str
    depth: int
    names: list
    positions: np.ndarray
    norms: np.ndarray
    history: dict = field(default_factory=dict)
    params: int = 0


def depth_run(block: str, depth: int, X, y, validation_data=None, epochs: int = 3,
              batch_size: int = 32, lr: float = 0.02, width: int = 8, batch_norm: bool = False,
              seed: int = 0, grad_samples: int = 256) -> DepthRun:
    """Build a plain or residual stack, measure its gradients at init, and train it.

    The gradient norms are measured on the first ``grad_samples`` samples of
    ``X`` before any update (:func:`output_gradient_norms`); then the network
    trains with SGD (``lr``, momentum 0.9) for ``epochs`` epochs in batches of
    ``batch_size``, seeded. With ``batch_norm`` the layers use
    ``momentum=0.9`` for their running statistics.
    """
    if block not in BLOCK_TYPES:
        raise ValueError(f"block must be one of {BLOCK_TYPES}, got {block!r}")
    build = plain_stack if block == "plain" else residual_stack
    model = build(depth, width=width, batch_norm=batch_norm, seed=seed)
    model.compile(optimizer=SGD(lr=lr, momentum=0.9), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    X = as_float_array(X, "X")
    names, positions, norms = output_gradient_norms(model, X[:grad_samples],
                                                    np.asarray(y)[:grad_samples])
    history = model.fit(X, y, epochs=epochs, batch_size=batch_size,
                        validation_data=validation_data, verbose=0)
    return DepthRun(block, int(depth), names, positions, norms,
                    {k: [float(v) for v in vals] for k, vals in history.history.items()
                     if k != "lr"}, model.count_params())


def depth_runs(depths, X, y, blocks=BLOCK_TYPES, **kwargs) -> dict:
    """``{(block, depth): DepthRun}`` for every block type and depth (see :func:`depth_run`)."""
    return {(block, int(d)): depth_run(block, d, X, y, **kwargs)
            for block in blocks for d in depths}


# ---------------------------------------------------------------------- batch statistics
def running_statistics(x, batch_size: int, steps: int, momentum: float = 0.99, seed: int = 0):
    r"""Batch statistics of ``steps`` mini-batches and the running averages of them.

    The batches are drawn without replacement from a seeded permutation of
    the ``N`` samples (a new permutation when it runs out), as ``fit`` does.
    After batch :math:`t = 1, 2, \dots` the running estimates are, starting
    from 0 (mean) and 1 (variance), as :class:`~cnnedu.nn.norm.BatchNormalization`,

    .. math:: \hat\mu_t = m \hat\mu_{t-1} + (1 - m) \mu_{B_t}, \qquad
              \hat\sigma^2_t = m \hat\sigma^2_{t-1} + (1 - m) \sigma^2_{B_t}.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W)
        The values a batch normalization layer would see (all samples).
    batch_size : int
        ``B``; needs ``B * H * W > 1``.
    steps : int
    momentum : float in [0, 1)
    seed : int

    Returns
    -------
    dict
        ``'batches'``: (steps, B) sample indices; ``'batch_mean'``,
        ``'batch_var'``, ``'running_mean'``, ``'running_var'``: (steps, C);
        ``'mean'``, ``'var'``: (C,), the statistics of all ``N`` samples.
    """
    x = as_float_array(x, "x")
    if x.ndim != 4:
        raise ValueError(f"x must have shape (N, C, H, W), got {x.shape}")
    n = x.shape[0]
    b = check_positive_int(batch_size, "batch_size")
    if b > n:
        raise ValueError(f"batch_size must be at most the number of samples {n}, got {b}")
    steps = check_positive_int(steps, "steps")
    m = _check_momentum(momentum)
    rng = np.random.default_rng(seed)
    per_epoch = n // b
    order = np.concatenate([rng.permutation(n)[:per_epoch * b]
                            for _ in range(-(-steps // per_epoch))])
    batches = order[:steps * b].reshape(steps, b)
    c = x.shape[1]
    out = {k: np.zeros((steps, c)) for k in ("batch_mean", "batch_var", "running_mean",
                                             "running_var")}
    run_mean, run_var = np.zeros(c), np.ones(c)
    for t, idx in enumerate(batches):
        mean, var = batch_stats(x[idx])
        run_mean = m * run_mean + (1 - m) * mean
        run_var = m * run_var + (1 - m) * var
        out["batch_mean"][t], out["batch_var"][t] = mean, var
        out["running_mean"][t], out["running_var"][t] = run_mean, run_var
    out["batches"] = batches
    out["mean"], out["var"] = (np.asarray(s, dtype=np.float64) for s in batch_stats(x))
    return out


def batch_norm_view(x, batch_size: int, step: int, momentum: float = 0.99, channel: int = 0,
                    steps: int | None = None, eps: float = 1e-3, bins: int = 40,
                    seed: int = 0) -> dict:
    """What the batch normalization explorer shows for one batch of one channel.

    Batch ``step`` (1-based) of :func:`running_statistics`: the histogram of
    the channel's values in that batch before normalization, after
    normalization with the batch's own statistics (training mode), and after
    normalization with the running estimates reached at that step
    (inference mode), with the running estimates' curves up to ``steps``.

    Returns
    -------
    dict
        ``'edges_in'`` (bins + 1,), ``'hist_in'`` (bins,) densities of the
        raw values; ``'edges_out'``, ``'hist_train'``, ``'hist_infer'`` of the
        normalized ones on [-4, 4]; ``'batch_mean'``, ``'batch_var'``,
        ``'running_mean'``, ``'running_var'`` (steps,) of the channel;
        ``'mean'``, ``'var'``: the channel's statistics over all samples;
        the numbers ``'out_mean_train'``, ``'out_std_train'``,
        ``'out_mean_infer'``, ``'out_std_infer'`` of the normalized batch;
        and the arguments.
    """
    x = as_float_array(x, "x")
    if x.ndim != 4:
        raise ValueError(f"x must have shape (N, C, H, W), got {x.shape}")
    if not 0 <= channel < x.shape[1]:
        raise ValueError(f"channel must be in 0..{x.shape[1] - 1}, got {channel}")
    step = check_positive_int(step, "step")
    steps = step if steps is None else check_positive_int(steps, "steps")
    if step > steps:
        raise ValueError(f"step must be at most steps = {steps}, got {step}")
    xc = x[:, channel:channel + 1]
    stats = running_statistics(xc, batch_size, steps, momentum, seed)
    batch = xc[stats["batches"][step - 1]]
    one, zero = np.ones(1), np.zeros(1)
    train = batch_norm2d(batch, one, zero, eps)
    infer = batch_norm2d(batch, one, zero, eps, mean=stats["running_mean"][step - 1],
                         var=stats["running_var"][step - 1])
    lo, hi = float(xc.min()), float(xc.max())
    edges_in = np.linspace(lo, hi if hi > lo else lo + 1, bins + 1)
    edges_out = np.linspace(-4, 4, bins + 1)

    def hist(values, edges):
        return np.histogram(np.clip(values.ravel(), edges[0], edges[-1]), edges,
                            density=True)[0]

    return {"batch_size": int(batch_size), "step": step, "steps": steps,
            "momentum": float(momentum), "channel": int(channel),
            "edges_in": edges_in, "hist_in": hist(batch, edges_in),
            "hist_all": hist(xc, edges_in),
            "edges_out": edges_out, "hist_train": hist(train, edges_out),
            "hist_infer": hist(infer, edges_out),
            **{k: stats[k][:, 0] for k in ("batch_mean", "batch_var", "running_mean",
                                           "running_var")},
            "mean": float(stats["mean"][0]), "var": float(stats["var"][0]),
            "out_mean_train": float(train.mean()), "out_std_train": float(train.std()),
            "out_mean_infer": float(infer.mean()), "out_std_infer": float(infer.std())}
