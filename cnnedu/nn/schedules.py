r"""Learning-rate schedules: the step size as a function of the update count.

A schedule is a callable of the **optimizer step** :math:`t = 0, 1, 2, \dots`
(the number of updates made so far), as Keras' ``LearningRateSchedule``. Give
one to an optimizer in place of a number, and every update uses the rate of
its own step::

    from cnnedu.nn.training import steps_per_epoch
    steps = steps_per_epoch(len(X), batch_size=64)         # updates per epoch
    opt = SGD(lr=StepDecay(0.1, step_size=2 * steps, gamma=0.1))  # /10 every 2 epochs
    opt = Adam(lr=CosineDecay(1e-3, total_steps=5 * steps, warmup_steps=steps))
    model.compile(optimizer=opt, ...)
    history = model.fit(X, y, epochs=5, batch_size=64)
    history.history['lr']          # the rate of each epoch's first update

``optimizer.lr`` is then the rate the next update will use,
``schedule(optimizer.iterations)``; the optimizer's counter ``iterations``
advances by one per :meth:`~cnnedu.nn.optim.Optimizer.step` (one per batch in
``fit``), and it carries on across calls of ``fit``. To decay per epoch, count
the steps in epochs, as above. A schedule also takes an array of steps, so
``schedule(np.arange(total))`` is the whole curve, ready to plot.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from .._checks import check_positive_int

__all__ = ["LearningRateSchedule", "StepDecay", "CosineDecay"]


def _check_rate(value, name: str, *, positive: bool) -> float:
    allowed = "a positive number" if positive else "a number >= 0"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be {allowed}, got {value!r}")
    value = float(value)
    if not math.isfinite(value) or (value <= 0 if positive else value < 0):
        raise ValueError(f"{name} must be {allowed}, got {value!r}")
    return value


def _check_steps(step) -> np.ndarray:
    """``step`` as an int array of values >= 0 (a scalar gives a 0-d array)."""
    arr = np.asarray(step)
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"step must be an int >= 0 or an array of them, got {step!r}")
    if arr.size and arr.min() < 0:
        raise ValueError(f"step must be >= 0 (the number of updates made so far), "
                         f"got {arr.min()}")
    return arr.astype(np.int64)


class LearningRateSchedule:
    """Base class: ``schedule(step)`` is the learning rate of update number ``step``.

    Subclasses implement :meth:`_rate` on an int64 array of steps (>= 0).
    ``__call__`` checks the steps and returns a float for an int, an array of
    floats (same shape) for an array.
    """

    def __call__(self, step):
        steps = _check_steps(step)
        rates = np.asarray(self._rate(steps), dtype=np.float64)
        return float(rates) if rates.ndim == 0 else rates

    def _rate(self, steps: np.ndarray) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError


class StepDecay(LearningRateSchedule):
    r"""Multiply the learning rate by ``gamma`` every ``step_size`` updates.

    .. math::
        \eta_t = \eta_0 \, \gamma^{\lfloor t / s \rfloor}

    for update :math:`t = 0, 1, \dots`, step size :math:`s`. PyTorch's
    ``StepLR`` (which counts epochs; here ``step_size`` counts updates, so
    pass ``k * steps_per_epoch`` for every ``k`` epochs).

    Parameters
    ----------
    lr : float
        :math:`\eta_0 > 0`, the rate of the first ``step_size`` updates.
    step_size : int
        :math:`s \ge 1` updates between two decays.
    gamma : float
        :math:`0 < \gamma \le 1`, the factor of each decay.
    """

    def __init__(self, lr: float, step_size: int, gamma: float = 0.1):
        self.lr = _check_rate(lr, "lr", positive=True)
        self.step_size = check_positive_int(step_size, "step_size")
        self.gamma = _check_rate(gamma, "gamma", positive=True)
        if self.gamma > 1:
            raise ValueError(f"gamma must be in (0, 1] (a decay), got {gamma!r}")

    def _rate(self, steps):
        return self.lr * self.gamma ** (steps // self.step_size)

    def __repr__(self) -> str:
        return f"StepDecay(lr={self.lr}, step_size={self.step_size}, gamma={self.gamma})"


class CosineDecay(LearningRateSchedule):
    r"""Linear warm-up to ``lr``, then half a cosine down to ``final_lr``.

    With :math:`W` warm-up steps and :math:`T` steps in all, update
    :math:`t = 0, 1, \dots` uses

    .. math::
        \eta_t = \begin{cases}
            \eta \, \dfrac{t + 1}{W} & t < W \quad\text{(warm-up)} \\[1ex]
            \eta_T + \tfrac12 (\eta - \eta_T)
                \left(1 + \cos \dfrac{\pi (t - W)}{T - W}\right) & W \le t < T \\[1ex]
            \eta_T & t \ge T
        \end{cases}

    The warm-up counts from :math:`t + 1`, so the first update already moves
    (:math:`\eta / W`) and update :math:`W - 1` reaches :math:`\eta`; the
    cosine starts at :math:`\eta` (update :math:`W`) and reaches
    :math:`\eta_T` at update :math:`T`, where it stays (SGDR, Loshchilov &
    Hutter 2017, without restarts; Keras' ``CosineDecay`` with
    ``warmup_steps``).

    Parameters
    ----------
    lr : float
        :math:`\eta > 0`, the peak rate.
    total_steps : int
        :math:`T \ge 1`, the update at which the decay ends (e.g.
        ``epochs * steps_per_epoch``).
    warmup_steps : int
        :math:`0 \le W < T` updates of linear warm-up (0: none).
    final_lr : float
        :math:`0 \le \eta_T \le \eta`, the rate at the end.
    """

    def __init__(self, lr: float, total_steps: int, warmup_steps: int = 0,
                 final_lr: float = 0.0):
        self.lr = _check_rate(lr, "lr", positive=True)
        self.total_steps = check_positive_int(total_steps, "total_steps")
        self.warmup_steps = check_positive_int(warmup_steps, "warmup_steps", minimum=0)
        if self.warmup_steps >= self.total_steps:
            raise ValueError(f"warmup_steps must be smaller than total_steps "
                             f"({self.total_steps}), got {warmup_steps}")
        self.final_lr = _check_rate(final_lr, "final_lr", positive=False)
        if self.final_lr > self.lr:
            raise ValueError(f"final_lr must be in [0, lr] = [0, {self.lr}], got {final_lr!r}")

    def _rate(self, steps):
        w, t_end = self.warmup_steps, self.total_steps
        progress = np.clip((steps - w) / (t_end - w), 0.0, 1.0)
        cosine = self.final_lr + 0.5 * (self.lr - self.final_lr) * (1.0 + np.cos(np.pi * progress))
        if w == 0:
            return cosine
        return np.where(steps < w, self.lr * (steps + 1) / w, cosine)

    def __repr__(self) -> str:
        return (f"CosineDecay(lr={self.lr}, total_steps={self.total_steps}, "
                f"warmup_steps={self.warmup_steps}, final_lr={self.final_lr})")
