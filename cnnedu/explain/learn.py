r"""Learning a hidden kernel by gradient descent (the backpropagation chapter's last part).

Pure functions (numpy, :mod:`cnnedu` ops and optimisers only, no drawing):

* :func:`kernel_problem` and :func:`learn_kernel` -- gradient descent
  recovering a hidden kernel from (input, output) pairs, every step kept.
* :func:`error_modes` -- the starting error split along the Hessian's
  eigenvectors: which curvatures a run actually meets.
* :func:`learn_kernel_view` -- what the kernel-learning explorer shows for
  one setting of its controls (the *compute* step of
  :mod:`cnnedu.widgets.learn`).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .._checks import as_float_array, check_ndim, check_positive_int
from ..kernels import get_kernel
from ..nn.optim import SGD, Adam
from ..ops.conv import conv2d, conv2d_backward, im2col
from .checks import check_2d

__all__ = ["KernelProblem", "kernel_problem", "KernelRun", "learn_kernel", "METHODS",
           "ErrorModes", "error_modes", "learn_kernel_view"]


class KernelProblem(NamedTuple):
    """Recover a hidden kernel from (input, output) pairs (see :func:`kernel_problem`)."""

    #: inputs x, (N, 1, H, W)
    inputs: np.ndarray
    #: targets y = conv2d(x, hidden), (N, 1, OH, OW)
    targets: np.ndarray
    #: the hidden kernel, (KH, KW)
    hidden: np.ndarray
    #: Hessian of the loss with respect to the kernel's KH*KW weights (constant: the loss is
    #: quadratic)
    hessian: np.ndarray
    #: its largest and smallest eigenvalues
    lam_max: float
    lam_min: float


def kernel_problem(inputs, hidden="sobel_x") -> KernelProblem:
    r"""The problem "which kernel turned these inputs into these outputs?".

    The targets are the 'valid' cross-correlations of the inputs with the
    hidden kernel. The loss of a kernel :math:`w` is the mean squared error

    .. math::  L(w) = \frac{1}{M} \sum (\hat y - y)^2, \qquad \hat y = x \star w,

    over all :math:`M = N O_H O_W` output values. It is a quadratic function
    of the :math:`K_H K_W` weights: with :math:`A` the window matrix
    (``im2col(x).T``, one row per output value),
    :math:`L(w) = \frac1M \lVert A w - y \rVert^2` and its Hessian is the
    constant :math:`H = \frac2M A^{\top} A`. Plain gradient descent
    converges if and only if the learning rate is below
    :math:`2 / \lambda_{\max}(H)`.

    Parameters
    ----------
    inputs : array_like, shape (N, 1, H, W)
        One-channel images, e.g. ``cnnedu.samples.digits(8, 'train')`` or
        ``cnnedu.samples.photo_crops(8)``; used in float64.
    hidden : str or array_like (KH, KW)
        A name for :func:`cnnedu.kernels.get_kernel` or the kernel itself;
        at most as large as the inputs.

    Returns
    -------
    KernelProblem
    """
    x = check_ndim(as_float_array(inputs, "inputs"), "inputs", 4, "(N, 1, H, W)")
    if x.shape[1] != 1 or 0 in x.shape:
        raise ValueError(f"inputs must be a non-empty batch of one-channel images "
                         f"(N, 1, H, W), got shape {x.shape}")
    x = np.array(x, dtype=np.float64)
    hidden = get_kernel(hidden) if isinstance(hidden, str) else check_2d(hidden, "hidden",
                                                                           "(KH, KW)")
    hidden = np.asarray(hidden, dtype=np.float64)
    if hidden.shape[0] > x.shape[2] or hidden.shape[1] > x.shape[3]:
        raise ValueError(f"hidden kernel {hidden.shape} does not fit "
                         f"{x.shape[2]}x{x.shape[3]} inputs")
    y = conv2d(x, hidden[None, None])
    A = im2col(x, *hidden.shape).T                 # (M, KH*KW)
    H = 2.0 * (A.T @ A) / A.shape[0]
    eig = np.linalg.eigvalsh(H)
    return KernelProblem(x, y, hidden, H, float(eig[-1]), float(eig[0]))


class KernelRun(NamedTuple):
    """A gradient-descent run on a :class:`KernelProblem` (see :func:`learn_kernel`)."""

    method: str
    lr: float
    #: kernels before step 0 and after each step, (T + 1, KH, KW); T <= steps
    kernels: np.ndarray
    #: the prediction for the first input at each of those points, (T + 1, OH, OW)
    predictions: np.ndarray
    #: the loss at each point, (T + 1,)
    losses: np.ndarray
    #: number of steps asked for
    steps: int
    #: True if the run was stopped because the loss grew ``blowup``-fold (or overflowed)
    diverged: bool
    #: largest loss divided by the first loss
    growth: float


#: optimisers known to :func:`learn_kernel`
METHODS = ("sgd", "momentum", "adam")


def _optimizer(method, lr):
    if method == "sgd":
        return SGD(lr)
    if method == "momentum":
        return SGD(lr, momentum=0.9)
    return Adam(lr)


def learn_kernel(problem: KernelProblem, lr: float, steps: int = 100, method: str = "sgd",
                 init=None, blowup: float = 1e6) -> KernelRun:
    r"""Recover the hidden kernel by gradient descent, keeping every step.

    Each step predicts :math:`\hat y = x \star w` with
    :func:`cnnedu.ops.conv.conv2d`, takes the mean squared error and its
    gradient :math:`\partial L / \partial \hat y = 2 (\hat y - y) / M`
    (as :func:`cnnedu.ops.loss.mse`), gets :math:`\partial L / \partial w` from
    :func:`cnnedu.ops.conv.conv2d_backward` and lets the optimiser of
    :mod:`cnnedu.nn.optim` update :math:`w` (``'sgd'``:
    :math:`w \leftarrow w - \eta \nabla_w L`; ``'momentum'``: the same with
    momentum 0.9; ``'adam'``: Adam with its default betas).

    A learning rate too large makes the loss grow geometrically. The run
    stops as soon as the loss exceeds ``blowup`` times its first value (or
    stops being finite), so the arrays never hold inf or NaN and no
    floating-point warning is raised.

    Parameters
    ----------
    problem : KernelProblem
    lr : float
        Learning rate :math:`\eta > 0`.
    steps : int
        Number of steps to take (fewer if the run diverges).
    method : {'sgd', 'momentum', 'adam'}
    init : array_like (KH, KW), optional
        Starting kernel; zeros by default.
    blowup : float
        Growth factor of the loss at which the run is stopped.

    Returns
    -------
    KernelRun
    """
    if not isinstance(problem, KernelProblem):
        raise TypeError(f"problem must be a KernelProblem (see kernel_problem), "
                        f"got {type(problem).__name__}")
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    steps = check_positive_int(steps, "steps", minimum=0)
    if isinstance(lr, bool) or not isinstance(lr, (int, float, np.integer, np.floating)) \
            or not np.isfinite(lr) or lr <= 0:
        raise ValueError(f"lr must be a positive finite number, got {lr!r}")
    if isinstance(blowup, bool) or not isinstance(blowup, (int, float, np.integer, np.floating)) \
            or not blowup > 1:
        raise ValueError(f"blowup must be a number greater than 1, got {blowup!r}")
    x, y = problem.inputs, problem.targets
    shape = problem.hidden.shape
    w = np.zeros((1, 1) + shape) if init is None else np.array(
        check_2d(init, "init", "(KH, KW)"), dtype=np.float64)[None, None]
    if w.shape[2:] != shape:
        raise ValueError(f"init must have the hidden kernel's shape {shape}, got {w.shape[2:]}")
    opt = _optimizer(method, float(lr))
    kernels, predictions, losses = [], [], []
    diverged = False
    for step in range(steps + 1):
        with np.errstate(over="ignore", invalid="ignore"):
            pred = conv2d(x, w)
            diff = pred - y
            loss = float(np.mean(diff * diff))            # cnnedu.ops.loss.mse, overflow-safe
        if not np.isfinite(loss):
            if not losses:
                raise ValueError("the loss of the initial kernel is not finite: use a smaller init")
            diverged = True
            break
        kernels.append(w[0, 0].copy())
        predictions.append(pred[0, 0])
        losses.append(loss)
        if loss > blowup * max(losses[0], 1e-300):
            diverged = True                               # keep this last, finite point
            break
        if step == steps:
            break
        with np.errstate(over="ignore", invalid="ignore"):
            _, dw, _ = conv2d_backward(2 * diff / diff.size, x, w)
            opt.step([w], [dw])
        if not np.all(np.isfinite(w)):
            diverged = True
            break
    losses = np.array(losses)
    growth = float(losses.max() / losses[0]) if losses[0] > 0 else 1.0
    return KernelRun(method, float(lr), np.array(kernels), np.array(predictions), losses,
                     steps, diverged, growth)

class ErrorModes(NamedTuple):
    """The starting error along the Hessian's eigenvectors (see :func:`error_modes`)."""

    #: eigenvalues of the Hessian, ascending, (KH*KW,)
    eigenvalues: np.ndarray
    #: the matching unit eigenvectors as kernels, (KH*KW, KH, KW)
    eigenvectors: np.ndarray
    #: component of the starting error w0 - hidden along each eigenvector, (KH*KW,)
    components: np.ndarray
    #: True where the eigenvector is unchanged by a 180-degree rotation (even), (KH*KW,)
    even: np.ndarray
    #: True where the component is not round-off: above 1e-9 times the error's norm, (KH*KW,)
    active: np.ndarray


def error_modes(problem: KernelProblem, init=None) -> ErrorModes:
    r"""Split the starting error :math:`w_0 - w^*` along the Hessian's eigenvectors.

    On the quadratic loss of :func:`kernel_problem` a gradient-descent step
    multiplies the component of the error along an eigenvector with
    eigenvalue :math:`\lambda` by :math:`1 - \eta\lambda`, and only the
    components that are non-zero at the start ever matter (in exact
    arithmetic the others stay 0; in floating point they start at round-off).

    Parameters
    ----------
    problem : KernelProblem
    init : array_like (KH, KW), optional
        The starting kernel :math:`w_0`; zeros by default (as
        :func:`learn_kernel`).

    Returns
    -------
    ErrorModes
    """
    if not isinstance(problem, KernelProblem):
        raise TypeError(f"problem must be a KernelProblem (see kernel_problem), "
                        f"got {type(problem).__name__}")
    shape = problem.hidden.shape
    w0 = np.zeros(shape) if init is None else np.asarray(check_2d(init, "init", "(KH, KW)"),
                                                           dtype=np.float64)
    if w0.shape != shape:
        raise ValueError(f"init must have the hidden kernel's shape {shape}, got {w0.shape}")
    lam, vecs = np.linalg.eigh(problem.hessian)
    kernels = vecs.T.reshape((-1,) + shape)
    error = (w0 - problem.hidden).ravel()
    comp = vecs.T @ error
    even = np.array([np.allclose(k, k[::-1, ::-1], atol=1e-9) for k in kernels])
    active = np.abs(comp) > 1e-9 * max(np.linalg.norm(error), 1e-300)
    return ErrorModes(lam, kernels, comp, even, active)


def learn_kernel_view(problem: KernelProblem, run: KernelRun, data: str, lr: float,
                      step: int) -> dict:
    """What the kernel-learning explorer shows at one step of a run.

    Parameters
    ----------
    problem : KernelProblem
        From :func:`kernel_problem`.
    run : KernelRun
        From :func:`learn_kernel` on ``problem``.
    data : str
        The name of the inputs, as the explorer's control says it.
    lr : float
        The learning rate asked for (the control's value).
    step : int
        The step asked for, ``0 <= step <= run.steps``; a diverged run shows
        its last step instead of the later ones.

    Returns
    -------
    dict
        ``data``, ``lr``, ``step``, ``shown_step``, ``kernel`` (KH, KW),
        ``hidden`` (KH, KW), ``prediction`` and ``target`` (OH, OW) for the
        first input, ``losses`` (up to the shown step), ``loss``,
        ``diverged``, ``stopped_at`` (the run's last step if it diverged,
        else None), ``growth``, ``lam_max``, ``lam_min``, ``lr_limit``
        (``2 / lam_max``) and ``lam_slow``, ``lam_fast``: the smallest and
        largest eigenvalues along which the starting error has a component
        (:func:`error_modes`).
    """
    if not isinstance(problem, KernelProblem) or not isinstance(run, KernelRun):
        raise TypeError(f"problem and run must be a KernelProblem and a KernelRun, got "
                        f"{type(problem).__name__} and {type(run).__name__}")
    if isinstance(step, bool) or not isinstance(step, (int, np.integer)) \
            or not 0 <= step <= run.steps:
        raise ValueError(f"step must be an int from 0 to {run.steps}, got {step!r}")
    last = len(run.losses) - 1
    t = min(int(step), last)
    modes = error_modes(problem, run.kernels[0])
    met = modes.eigenvalues[modes.active] if modes.active.any() else modes.eigenvalues
    return dict(data=data, lr=float(lr), step=int(step), shown_step=t, kernel=run.kernels[t],
                hidden=problem.hidden, prediction=run.predictions[t],
                target=problem.targets[0, 0], losses=run.losses[:t + 1],
                loss=float(run.losses[t]), diverged=run.diverged,
                stopped_at=last if run.diverged else None, growth=run.growth,
                lam_max=problem.lam_max, lam_min=problem.lam_min,
                lr_limit=2.0 / problem.lam_max, lam_slow=float(met[0]),
                lam_fast=float(met[-1]))
