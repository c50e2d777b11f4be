"""Timing of cnnedu's pooling: fast (vectorised) against naive (loops).

Max and average pooling with 2x2 windows (stride 2), forward + backward, in
float32, at the two pooling shapes of the classic small MNIST CNN (batch 64):
after a 3x3 convolution of 28x28 digits, (64, 32, 26, 26), and after a second
block, (64, 64, 11, 11), where the odd size 11 pools to floor(11 / 2) = 5.

The naive loops visit every window in Python, so they are timed on a smaller
batch and the time is scaled up to batch 64 (the table says which batch). Each
time is the median of several runs: wall time, and CPU time of this process
(``time.process_time``), which other programs running on the machine disturb
less. For scale, the table ends with a ReLU (``np.maximum(x, 0)``) on the
same input.

Run:  python benchmarks/bench_pooling.py [--repeat 20] [--naive-batch 2]
"""
from __future__ import annotations

import argparse
import platform

import numpy as np

from cnnedu.ops.pool import (avg_pool2d, avg_pool2d_backward, avg_pool2d_backward_naive,
                            avg_pool2d_naive, max_pool2d, max_pool2d_backward,
                            max_pool2d_backward_naive, max_pool2d_naive)

from _timing import median_ms

SHAPES = [(64, 32, 26, 26), (64, 64, 11, 11)]
OPS = {
    "max": (max_pool2d, max_pool2d_backward, max_pool2d_naive, max_pool2d_backward_naive),
    "avg": (avg_pool2d, avg_pool2d_backward, avg_pool2d_naive, avg_pool2d_backward_naive),
}


def main(repeat: int = 20, naive_batch: int = 2, seed: int = 0) -> list[dict]:
    rng = np.random.default_rng(seed)
    rows = []
    for shape in SHAPES:
        # ReLU-like input: about half the values are 0, so many windows hold ties
        x = np.maximum(rng.standard_normal(shape), 0).astype(np.float32)
        for name, (fwd, bwd, fwd_naive, bwd_naive) in OPS.items():
            y = fwd(x, 2)
            dy = rng.standard_normal(y.shape).astype(np.float32)
            t_fwd, c_fwd = median_ms(lambda: fwd(x, 2), repeat)
            t_bwd, c_bwd = median_ms(lambda: bwd(dy, x, 2), repeat)
            xs, dys = x[:naive_batch], dy[:naive_batch]
            scale = shape[0] / naive_batch
            n_fwd = scale * median_ms(lambda: fwd_naive(xs, 2), max(3, repeat // 4))[0]
            n_bwd = scale * median_ms(lambda: bwd_naive(dys, xs, 2), max(3, repeat // 4))[0]
            rows.append(dict(op=f"{name}_pool2d 2x2", shape=shape, fwd=t_fwd, bwd=t_bwd,
                             cpu=c_fwd + c_bwd, naive_batch=naive_batch, naive=n_fwd + n_bwd))
        t_relu, c_relu = median_ms(lambda: np.maximum(x, 0), repeat)
        rows.append(dict(op="relu (reference)", shape=shape, fwd=t_relu, bwd=None, cpu=c_relu))
    return rows


def print_table(rows: list[dict], repeat: int) -> None:
    naive_batch = next(r["naive_batch"] for r in rows if "naive" in r)
    print(f"cnnedu pooling, float32, 2x2 windows stride 2; median of {repeat} runs "
          f"(numpy {np.__version__}, {platform.machine()})")
    print(f"naive times are measured on batch {naive_batch} and scaled to batch 64")
    header = (f"{'op':<17} {'input shape':<17} {'fwd ms':>7} {'bwd ms':>7} {'f+b ms':>7} "
              f"{'f+b cpu ms':>10} {'naive f+b ms (scaled)':>22} {'speed-up':>9}")
    print(header)
    print("-" * len(header))
    for r in rows:
        if r["bwd"] is None:                       # the ReLU reference line
            print(f"{r['op']:<17} {str(r['shape']):<17} {r['fwd']:>7.2f} {'':>7} {'':>7} "
                  f"{r['cpu']:>10.2f}")
            continue
        total = r["fwd"] + r["bwd"]
        print(f"{r['op']:<17} {str(r['shape']):<17} {r['fwd']:>7.2f} {r['bwd']:>7.2f} "
              f"{total:>7.2f} {r['cpu']:>10.2f} {r['naive']:>22.0f} {r['naive'] / total:>8.0f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="runs per timing (median)")
    parser.add_argument("--naive-batch", type=int, default=2, help="batch for the naive loops")
    args = parser.parse_args()
    print_table(main(args.repeat, args.naive_batch), args.repeat)
