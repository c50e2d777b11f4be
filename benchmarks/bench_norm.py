"""Timing of cnnedu's batch normalization, forward + backward, against PyTorch's.

``batch_norm2d`` followed by ``batch_norm2d_backward`` (training mode: batch
statistics, the gradient through them), float32, on the activations of a
small CNN: (64, 32, 28, 28) and a few other shapes. When PyTorch is
importable (it is an optional comparison, not a dependency), the same
forward + backward with ``torch.nn.functional.batch_norm(training=True)``
and ``autograd`` on the same data, ``torch.set_num_threads(1)`` against
cnnedu's single BLAS thread, and the ratio cnnedu / PyTorch. A second
table times the layers, which also update their running statistics:
``BatchNormalization`` (``forward(x, training=True)`` + ``backward(dy)``)
against ``torch.nn.BatchNorm2d`` in ``train()`` mode. Each time is the
median of several runs after a warm-up (wall time, and the CPU time of
this process, which other programs on the machine disturb less).

Run:  python benchmarks/bench_norm.py [--repeat 20]
"""
from __future__ import annotations

import argparse
import platform

import numpy as np

from cnnedu.nn.norm import BatchNormalization
from cnnedu.nn.training import single_blas_thread
from cnnedu.ops.norm import batch_norm2d, batch_norm2d_backward

from _timing import layer_step, median_ms, torch_module_step

SHAPES = [(64, 32, 28, 28), (64, 32, 26, 26), (64, 64, 11, 11), (256, 128, 4, 4)]


def torch_step(torch, x, gamma, beta, dy, eps):
    """A function running PyTorch's training-mode batch norm forward + backward once."""
    xt = torch.from_numpy(x).requires_grad_(True)
    gt = torch.from_numpy(gamma).requires_grad_(True)
    bt = torch.from_numpy(beta).requires_grad_(True)
    dyt = torch.from_numpy(dy)

    def step():
        xt.grad = gt.grad = bt.grad = None
        y = torch.nn.functional.batch_norm(xt, None, None, gt, bt, training=True, eps=eps)
        y.backward(dyt)
    return step


def main(repeat: int = 20, seed: int = 0) -> list[dict]:
    try:
        import torch
    except ImportError:
        torch = None
    else:
        torch.set_num_threads(1)
    rng = np.random.default_rng(seed)
    eps = 1e-5
    rows = []
    for shape in SHAPES:
        c = shape[1]
        x = (rng.standard_normal(shape) * 2 + 0.5).astype(np.float32)
        dy = rng.standard_normal(shape).astype(np.float32)
        gamma = rng.uniform(0.5, 2, c).astype(np.float32)
        beta = rng.standard_normal(c).astype(np.float32)
        with single_blas_thread():
            fwd = median_ms(lambda: batch_norm2d(x, gamma, beta, eps), repeat)
            bwd = median_ms(lambda: batch_norm2d_backward(dy, x, gamma, eps), repeat)
        row = dict(shape=shape, fwd=fwd[0], bwd=bwd[0], both=fwd[0] + bwd[0],
                   cpu=fwd[1] + bwd[1], torch=None)
        if torch is not None:
            step = torch_step(torch, x, gamma, beta, dy, eps)
            row["torch"], row["torch_cpu"] = median_ms(step, repeat)
            # the two agree (a check that both compute the same thing)
            ref_dx = torch.from_numpy(x).requires_grad_(True)
            torch.nn.functional.batch_norm(ref_dx, None, None, torch.from_numpy(gamma),
                                           torch.from_numpy(beta), training=True,
                                           eps=eps).backward(torch.from_numpy(dy))
            dx = batch_norm2d_backward(dy, x, gamma, eps)[0]
            row["max_dx_diff"] = float(np.abs(dx - ref_dx.grad.numpy()).max())
        # the layers: forward in training mode (running statistics updated) + backward
        layer = BatchNormalization(epsilon=eps, dtype="float32")
        layer.build(shape[1:])
        with single_blas_thread():
            row["layer"] = median_ms(layer_step(layer, x, dy), repeat)[0]
        row["torch_layer"] = None
        if torch is not None:
            module = torch.nn.BatchNorm2d(c, eps=eps).train()
            row["torch_layer"] = median_ms(torch_module_step(torch, module, x, dy), repeat)[0]
        rows.append(row)
    return rows, (None if torch is None else torch.__version__)


def print_table(rows: list[dict], torch_version, repeat: int) -> None:
    print(f"cnnedu batch_norm2d forward + backward (training mode), float32, one thread; "
          f"median of {repeat} runs (numpy {np.__version__}, {platform.machine()})")
    if torch_version is None:
        print("PyTorch is not importable: its comparison is skipped "
              "(pip install torch to add it)")
    else:
        print(f"PyTorch {torch_version}: F.batch_norm(training=True) + backward, "
              f"torch.set_num_threads(1)")
    header = (f"{'input shape':<18} {'fwd ms':>7} {'bwd ms':>7} {'f+b ms':>7} {'f+b cpu':>8}"
              + (f" {'torch ms':>9} {'torch cpu':>9} {'ratio':>6} {'max|dx diff|':>12}"
                 if torch_version else ""))
    print(header)
    print("-" * len(header))
    for r in rows:
        line = (f"{str(r['shape']):<18} {r['fwd']:7.2f} {r['bwd']:7.2f} {r['both']:7.2f} "
                f"{r['cpu']:8.2f}")
        if r["torch"] is not None:
            line += (f" {r['torch']:9.2f} {r['torch_cpu']:9.2f} {r['both'] / r['torch']:6.2f}"
                     f" {r['max_dx_diff']:12.1e}")
        print(line)
    if torch_version:
        print("ratio: cnnedu f+b wall time / PyTorch's (below 1: cnnedu is faster)")
    print()
    print("layers, forward (training) + backward, ms: cnnedu BatchNormalization"
          + (" vs torch.nn.BatchNorm2d" if torch_version else ""))
    header = f"{'input shape':<18} {'cnnedu':>7}" + (f" {'torch':>7} {'ratio':>6}"
                                                     if torch_version else "")
    print(header)
    print("-" * len(header))
    for r in rows:
        line = f"{str(r['shape']):<18} {r['layer']:7.2f}"
        if r["torch_layer"] is not None:
            line += f" {r['torch_layer']:7.2f} {r['layer'] / r['torch_layer']:6.2f}"
        print(line)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    rows, version = main(args.repeat)
    print_table(rows, version, args.repeat)
