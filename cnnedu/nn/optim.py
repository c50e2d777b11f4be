"""Optimizers: how a gradient becomes a step in parameter space.

An optimizer's :meth:`~Optimizer.step` takes the parameter arrays and their
gradients and updates the parameters **in place**. Any memory an optimizer
keeps between steps (a velocity, moment estimates) is stored per parameter,
keyed by the identity of the parameter array, so one optimizer can serve a
whole model::

    opt = Adam(lr=1e-3)
    for X_batch, y_batch in batches:
        loss = model.compute_gradients(X_batch, y_batch)
        opt.step(model.parameters(), model.gradients())

:class:`SGD` and :class:`Adam` follow the update rules written in their
docstrings; the hand-computed first steps in the tests use the same formulas.

The learning rate ``lr`` is a number or a schedule
(:mod:`cnnedu.nn.schedules`), as in Keras: ``SGD(lr=StepDecay(0.1, 1000))``
uses ``schedule(t)`` for update ``t = optimizer.iterations``, which counts the
calls of :meth:`~Optimizer.step`; ``optimizer.lr`` is the rate of the next update.
"""
from __future__ import annotations

import numbers

import numpy as np

from .schedules import LearningRateSchedule

__all__ = ["Optimizer", "SGD", "Adam", "get_optimizer"]


def _check_real(value, name: str, *, low: float, high: float | None = None,
                low_open: bool = False, allowed: str) -> float:
    """Return ``value`` as a float in the interval, or raise naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number ({allowed}), got {value!r}")
    value = float(value)
    ok = np.isfinite(value) and (value > low if low_open else value >= low)
    if high is not None:
        ok = ok and value < high
    if not ok:
        raise ValueError(f"{name} must be {allowed}, got {value!r}")
    return value


def _pairs(params, grads):
    """Pair up parameters and gradients given as two lists or two dicts."""
    if isinstance(params, dict):
        if not isinstance(grads, dict) or set(grads) != set(params):
            got = sorted(grads) if isinstance(grads, dict) else repr(grads)
            raise ValueError("params and grads must be dicts with the same keys, got "
                             f"{sorted(params)} and {got}")
        return [(params[k], grads[k]) for k in params]
    params, grads = list(params), list(grads)
    if len(params) != len(grads):
        raise ValueError(f"params and grads must have the same length, got {len(params)} "
                         f"and {len(grads)}")
    for i, (p, g) in enumerate(zip(params, grads)):
        if not isinstance(p, np.ndarray):
            raise TypeError(f"params[{i}] must be a numpy array (updated in place), "
                            f"got {type(p).__name__}")
        if np.shape(g) != p.shape:
            raise ValueError(f"grads[{i}] must have the shape of params[{i}] {p.shape}, "
                             f"got {np.shape(g)}")
    return list(zip(params, grads))


class Optimizer:
    """Base class: per-parameter state keyed by ``id(param)``.

    Subclasses implement :meth:`_update(p, g, state)`, which changes ``p`` in
    place and keeps whatever it needs in the dict ``state``; they read the
    step size as ``self.lr``, the current value of a number or a schedule.
    """

    def __init__(self, lr):
        self.lr = lr
        #: Number of updates made so far (calls of :meth:`step`); a schedule's ``t``.
        self.iterations = 0
        self._state: dict[int, tuple[np.ndarray, dict]] = {}

    @property
    def lr(self) -> float:
        """The learning rate of the next update.

        The number given, or with a schedule ``schedule(iterations)``. Set it
        to a positive number or a
        :class:`~cnnedu.nn.schedules.LearningRateSchedule`.
        """
        if self.schedule is None:
            return self._lr
        return self.schedule(self.iterations)

    @lr.setter
    def lr(self, value) -> None:
        if isinstance(value, LearningRateSchedule):
            self.schedule, self._lr = value, None
            return
        if callable(value):
            raise TypeError(f"lr must be a positive number or a LearningRateSchedule such as "
                            f"StepDecay(0.1, step_size=1000), got the callable {value!r}")
        self._lr = _check_real(value, "lr", low=0.0, low_open=True,
                               allowed="a positive learning rate")
        self.schedule = None

    def step(self, params, grads) -> None:
        """Update every parameter in place from its gradient.

        Parameters
        ----------
        params : list of ndarray, or dict name -> ndarray
            The parameters; each is modified in place.
        grads : list of ndarray, or dict name -> ndarray
            Their gradients, same order (or same keys) and shapes.
        """
        for p, g in _pairs(params, grads):
            entry = self._state.get(id(p))
            if entry is None or entry[0] is not p:
                # keep a reference to p so its id cannot be reused by another array
                entry = (p, {})
                self._state[id(p)] = entry
            self._update(p, np.asarray(g), entry[1])
        self.iterations += 1

    def state(self, param: np.ndarray) -> dict:
        """The state kept for ``param`` (empty before its first step)."""
        entry = self._state.get(id(param))
        return entry[1] if entry is not None and entry[0] is param else {}

    def __setstate__(self, state: dict) -> None:
        # Unpickled (or copied with its model), the parameters are new arrays with new
        # ids: key their state by the new ids, so that training goes on where it was.
        self.__dict__.update(state)
        self._state = {id(p): (p, s) for p, s in self._state.values()}

    def reset(self) -> None:
        """Forget all per-parameter state (velocities, moments, step counts).

        ``iterations``, the position of a learning-rate schedule, is kept.
        """
        self._state.clear()

    def _lr_text(self) -> str:
        """The number, or the schedule's repr, for ``__repr__``."""
        return repr(self.schedule) if self.schedule is not None else f"{self._lr}"

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict) -> None:  # pragma: no cover
        raise NotImplementedError


class SGD(Optimizer):
    r"""Stochastic gradient descent, optionally with (Nesterov) momentum.

    With a velocity :math:`v` (zero at the start), momentum :math:`\mu` and
    learning rate :math:`\eta`, one step for a parameter :math:`p` with
    gradient :math:`g` is (the form Keras uses)

    .. math::
        v \leftarrow \mu v - \eta g, \qquad
        p \leftarrow p + v
        \quad\text{(or } p \leftarrow p + \mu v - \eta g \text{ with Nesterov).}

    With ``momentum=0`` this is plain gradient descent :math:`p \leftarrow p - \eta g`.
    PyTorch writes the same method as :math:`u \leftarrow \mu u + g`,
    :math:`p \leftarrow p - \eta u`; with a constant :math:`\eta` both give the same
    iterates, with :math:`v = -\eta u`. ``weight_decay`` :math:`\lambda` adds
    :math:`\lambda p` to the gradient first (an L2 penalty
    :math:`\tfrac{\lambda}{2} \lVert p \rVert^2` on the loss, as PyTorch's SGD does).

    Parameters
    ----------
    lr : float or LearningRateSchedule
        Learning rate :math:`\eta > 0`, or a schedule giving :math:`\eta_t`
        for update :math:`t` (:mod:`cnnedu.nn.schedules`).
    momentum : float
        :math:`0 \le \mu < 1`.
    nesterov : bool
        Use Nesterov momentum (needs ``momentum > 0`` to make a difference).
    weight_decay : float
        :math:`\lambda \ge 0`; the step uses :math:`g + \lambda p` in place of :math:`g`.
    """

    def __init__(self, lr: float = 0.01, momentum: float = 0.0, nesterov: bool = False,
                 weight_decay: float = 0.0):
        super().__init__(lr)
        self.momentum = _check_real(momentum, "momentum", low=0.0, high=1.0,
                                    allowed="in [0, 1)")
        if not isinstance(nesterov, (bool, np.bool_)):
            raise TypeError(f"nesterov must be True or False, got {nesterov!r}")
        self.nesterov = bool(nesterov)
        self.weight_decay = _check_real(weight_decay, "weight_decay", low=0.0,
                                        allowed="a number >= 0")

    def _update(self, p, g, state):
        if self.weight_decay:
            g = g + self.weight_decay * p
        if self.momentum == 0.0:
            p -= self.lr * g
            return
        v = state.get("velocity")
        if v is None:
            v = state["velocity"] = np.zeros_like(p)
        v *= self.momentum
        v -= self.lr * g
        if self.nesterov:
            p += self.momentum * v - self.lr * g
        else:
            p += v

    def __repr__(self) -> str:
        extra = f", momentum={self.momentum}" if self.momentum else ""
        extra += ", nesterov=True" if self.nesterov else ""
        extra += f", weight_decay={self.weight_decay}" if self.weight_decay else ""
        return f"SGD(lr={self._lr_text()}{extra})"


class Adam(Optimizer):
    r"""Adam (Kingma & Ba, 2015, Algorithm 1).

    Running averages of the gradient and of its square, corrected for their
    start at zero, give each parameter its own step size. At step
    :math:`t = 1, 2, \dots`:

    .. math::
        m &\leftarrow \beta_1 m + (1 - \beta_1)\, g \\
        v &\leftarrow \beta_2 v + (1 - \beta_2)\, g^2 \\
        \hat m &= m / (1 - \beta_1^t), \qquad \hat v = v / (1 - \beta_2^t) \\
        p &\leftarrow p - \eta\, \hat m / (\sqrt{\hat v} + \epsilon)

    ``weight_decay`` :math:`\lambda` is *decoupled* (AdamW, Loshchilov &
    Hutter, 2019, as Keras' ``Adam(weight_decay=...)`` and PyTorch's ``AdamW``
    do): each step first shrinks the parameter, :math:`p \leftarrow p - \eta
    \lambda p`, then takes the step above. Adding :math:`\lambda p` to the
    gradient instead (an L2 penalty, as :class:`SGD` does) would be divided by
    :math:`\sqrt{\hat v}` like the rest of the gradient, so parameters with
    large gradients would decay less.

    Parameters
    ----------
    lr : float or LearningRateSchedule
        Learning rate :math:`\eta > 0`, or a schedule giving :math:`\eta_t`
        for update :math:`t` (:mod:`cnnedu.nn.schedules`).
    beta1, beta2 : float
        Decay rates of the two averages, each in ``[0, 1)``.
    eps : float
        :math:`\epsilon > 0`, keeps the division finite. The default ``1e-7``
        is Keras' default (the paper uses ``1e-8``); it matters only where
        :math:`\sqrt{\hat v}` is tiny.
    weight_decay : float
        :math:`\lambda \ge 0` (default 0: plain Adam); decoupled, see above.
    """

    def __init__(self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-7, weight_decay: float = 0.0):
        super().__init__(lr)
        self.beta1 = _check_real(beta1, "beta1", low=0.0, high=1.0, allowed="in [0, 1)")
        self.beta2 = _check_real(beta2, "beta2", low=0.0, high=1.0, allowed="in [0, 1)")
        self.eps = _check_real(eps, "eps", low=0.0, low_open=True, allowed="a positive number")
        self.weight_decay = _check_real(weight_decay, "weight_decay", low=0.0,
                                        allowed="a number >= 0")

    def _update(self, p, g, state):
        if self.weight_decay:
            p -= (self.lr * self.weight_decay) * p
        if not state:
            state["t"] = 0
            state["m"] = np.zeros_like(p)
            state["v"] = np.zeros_like(p)
        state["t"] += 1
        t, m, v = state["t"], state["m"], state["v"]
        m *= self.beta1
        m += (1.0 - self.beta1) * g
        v *= self.beta2
        v += (1.0 - self.beta2) * (g * g)
        m_hat = m / (1.0 - self.beta1 ** t)
        v_hat = v / (1.0 - self.beta2 ** t)
        np.sqrt(v_hat, out=v_hat)
        v_hat += self.eps
        m_hat /= v_hat
        m_hat *= self.lr
        p -= m_hat

    def __repr__(self) -> str:
        extra = f", weight_decay={self.weight_decay}" if self.weight_decay else ""
        return (f"Adam(lr={self._lr_text()}, beta1={self.beta1}, beta2={self.beta2}, "
                f"eps={self.eps}{extra})")


_OPTIMIZERS = {"sgd": SGD, "adam": Adam}


def get_optimizer(optimizer) -> Optimizer:
    """Return an :class:`Optimizer` for a name (``'sgd'``, ``'adam'``) or an instance.

    A name gives the optimizer with its default settings (``SGD(lr=0.01)``,
    ``Adam(lr=0.001)``), as in Keras; an instance is returned as it is.
    """
    if isinstance(optimizer, Optimizer):
        return optimizer
    if isinstance(optimizer, str) and optimizer.lower() in _OPTIMIZERS:
        return _OPTIMIZERS[optimizer.lower()]()
    raise ValueError(f"optimizer must be 'sgd', 'adam' or an Optimizer instance such as "
                     f"Adam(lr=1e-3), got {optimizer!r}")
