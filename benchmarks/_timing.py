"""The timing rule the operation benchmarks share."""
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
