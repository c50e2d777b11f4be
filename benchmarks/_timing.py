"""The timing rule the operation benchmarks share, and the layer steps they time."""
from __future__ import annotations

import time

import numpy as np


def median_ms(fn, repeat: int) -> tuple[float, float]:
    """Median wall time and median CPU time of ``fn()`` in ms, after one warm-up call."""
    fn()
    wall, cpu = [], []
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - w0)
        cpu.append(time.process_time() - c0)
    return 1e3 * float(np.median(wall)), 1e3 * float(np.median(cpu))


def layer_step(layer, x, dy):
    """A cnnedu layer's training step: forward in training mode, then backward."""
    def step():
        layer.forward(x, training=True)
        layer.backward(dy)
    return step


def torch_module_step(torch, module, x, dy):
    """The same step for a ``torch.nn`` module: forward, then backward from ``dy``
    (the input's and the parameters' gradients cleared first)."""
    xt = torch.from_numpy(x).requires_grad_(True)
    dyt = torch.from_numpy(dy)

    def step():
        xt.grad = None
        module.zero_grad()
        module(xt).backward(dyt)
    return step
