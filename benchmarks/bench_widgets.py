"""How fast does each explorer respond to its controls?

For every explorer builder in cnnedu.widgets, sweeps each control over its
range (one value change at a time, as a slider drag does) and times the
synchronous update: recompute, redraw in place, render the PNG. Prints the
median and 95th percentile per explorer. Target: median under 40 ms.

    python benchmarks/bench_widgets.py [--repeat 3]
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from cnnedu.widgets._registry import builders, control_values


def bench(builder, repeat: int) -> tuple[list[float], float]:
    t = time.perf_counter()
    explorer = builder()
    build_ms = (time.perf_counter() - t) * 1e3
    times = []
    for _ in range(repeat):
        for control in explorer.controls.values():
            start = control.value
            for value in control_values(control) + [start]:
                if value == control.value:
                    continue
                t = time.perf_counter()
                control.value = value
                times.append((time.perf_counter() - t) * 1e3)
    return times, build_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'explorer':40s} {'build ms':>9s} {'updates':>8s} {'median ms':>10s} {'p95 ms':>8s}")
    for name, builder in builders().items():
        times, build_ms = bench(builder, args.repeat)
        if not times:
            print(f"{name:40s} {build_ms:9.1f} {0:8d} {'-':>10s} {'-':>8s}")
            continue
        print(f"{name:40s} {build_ms:9.1f} {len(times):8d} {np.median(times):10.1f} "
              f"{np.percentile(times, 95):8.1f}")


if __name__ == "__main__":
    main()
