"""Speed of cnnedu's convolution: fast (im2col + one matrix product) vs naive loops.

Times forward and backward passes at the two convolutions of the classic
MNIST network (Conv32-Pool-Conv64-Pool-Dense128-Dense10, batch 64):

- conv1: x (64, 1, 28, 28), w (32, 1, 3, 3)
- conv2: x (64, 32, 13, 13), w (64, 32, 3, 3)

Run it from the repository root::

    python benchmarks/bench_conv.py             # float32 and float64
    python benchmarks/bench_conv.py --repeat 50

Fast times are medians of ``--repeat`` runs (after one warm-up run). The naive
loops are too slow to run at batch 64 over and over: they are timed on a
batch of ``--naive-batch`` images (median of 3 runs) and scaled linearly to
batch 64, since their cost is exactly proportional to the batch size. The
table says so in its header.
"""
from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np

from cnnedu.ops.conv import conv2d, conv2d_backward, conv2d_backward_naive, conv2d_naive

SHAPES = {
    "conv1 1->32, 28x28, 3x3": ((64, 1, 28, 28), (32, 1, 3, 3)),
    "conv2 32->64, 13x13, 3x3": ((64, 32, 13, 13), (64, 32, 3, 3)),
}


def timings_ms(fn, repeat: int, warmup: bool = True) -> np.ndarray:
    """Wall times of ``repeat`` calls of ``fn()`` in milliseconds (after one warm-up call)."""
    if warmup:
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1e3 * np.array(times)


def bench(x_shape, w_shape, dtype, repeat: int, naive_batch: int) -> dict:
    rng = np.random.default_rng(0)
    x = rng.standard_normal(x_shape).astype(dtype)
    w = (0.1 * rng.standard_normal(w_shape)).astype(dtype)
    b = np.zeros(w_shape[0], dtype=dtype)
    y = conv2d(x, w, b)
    dy = rng.standard_normal(y.shape).astype(dtype)

    fwd = timings_ms(lambda: conv2d(x, w, b), repeat)
    bwd = timings_ms(lambda: conv2d_backward(dy, x, w), repeat)
    both = fwd + bwd

    xs, dys = x[:naive_batch], dy[:naive_batch]
    scale = x_shape[0] / naive_batch
    naive_fwd = scale * np.median(timings_ms(lambda: conv2d_naive(xs, w, b), 3, warmup=False))
    naive_bwd = scale * np.median(timings_ms(lambda: conv2d_backward_naive(dys, xs, w), 3,
                                             warmup=False))
    return dict(fwd=np.median(fwd), bwd=np.median(bwd), both=np.median(both), both_min=both.min(),
                naive_fwd=naive_fwd, naive_bwd=naive_bwd,
                speedup=(naive_fwd + naive_bwd) / np.median(both))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="runs per fast timing (median)")
    parser.add_argument("--naive-batch", type=int, default=4,
                        help="batch size the naive loops are timed on (then scaled to 64)")
    parser.add_argument("--dtype", choices=["float32", "float64", "both"], default="both")
    args = parser.parse_args(argv)

    dtypes = ["float32", "float64"] if args.dtype == "both" else [args.dtype]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"numpy {np.__version__}, Python {platform.python_version()}, {os.cpu_count()} CPU(s), "
          f"load average {load:.1f} (other work on the machine slows the timings)")
    print(f"batch 64; fast: median of {args.repeat} runs; naive: timed on batch "
          f"{args.naive_batch} (median of 3 runs) and scaled x{64 // args.naive_batch} to batch 64")
    header = (f"{'layer':<26}{'dtype':<9}{'fast fwd':>10}{'fast bwd':>10}{'fast f+b':>10}"
              f"{'(best)':>9}{'naive fwd':>11}{'naive bwd':>11}{'naive f+b':>11}{'speed-up':>10}")
    print()
    print(header)
    print("-" * len(header))
    for dtype in dtypes:
        total = total_min = 0.0
        for name, (x_shape, w_shape) in SHAPES.items():
            r = bench(x_shape, w_shape, np.dtype(dtype), args.repeat, args.naive_batch)
            total += r["both"]
            total_min += r["both_min"]
            print(f"{name:<26}{dtype:<9}{r['fwd']:>8.2f}ms{r['bwd']:>8.2f}ms"
                  f"{r['both']:>8.2f}ms{r['both_min']:>7.2f}ms"
                  f"{r['naive_fwd']:>9.0f}ms{r['naive_bwd']:>9.0f}ms"
                  f"{r['naive_fwd'] + r['naive_bwd']:>9.0f}ms{r['speedup']:>9.0f}x")
        print(f"{'both convs':<35}{'':<20}{total:>8.2f}ms{total_min:>7.2f}ms")
    print("\nMedians in milliseconds ('(best)': fastest of the runs); 'f+b' is forward + backward\n"
          "(dx, dw, db); speed-up = naive f+b / fast f+b (medians).")


if __name__ == "__main__":
    main()
