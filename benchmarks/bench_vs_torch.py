"""cnnedu against PyTorch on the CPU, one thread each: a training step, epochs, new layers.

The network is the classic CNN of ``bench_training.py`` (float32, Adam)::

    Conv2D(32, 3, relu) -> MaxPool2D(2) -> Conv2D(64, 3, relu) -> MaxPool2D(2)
    -> Flatten -> Dense(128, relu) -> Dense(10)

and PyTorch's is the same stack of ``torch.nn`` modules with
``CrossEntropyLoss`` and ``torch.optim.Adam(lr=1e-3)`` (PyTorch's own
initialisation: the shapes, the batches and the optimizer are the same, not
the initial weights). The table gives, for each library and their ratio:

1. one training step (forward, loss, backward, Adam update) on a batch of
   ``--batch-size`` digits: the median of ``--repeat`` steps after a warm-up
   (PyTorch's batch is gathered from the training set's tensor, as in its
   epochs: a tensor of strides ``(784, 784, 28, 1)``, what ``DataLoader``'s
   ``torch.stack`` also gives; a batch made by ``torch.from_numpy(X[idx])``
   has the stride 1 on its one channel, which PyTorch takes for channels-last
   and runs faster on this network: a second row gives that step);
2. each of ``--epochs`` epochs on ``load_digits('train')`` (8,000 digits,
   batches of ``--batch-size``, shuffled every epoch, the running loss and
   accuracy kept as ``fit`` keeps them), and their total;
3. batch normalization, forward in training mode + backward
   (``BatchNormalization`` against ``torch.nn.BatchNorm2d``), on the
   activations of the network's first convolution;
4. a residual block, forward in training mode + backward (``residual_block(32)``
   against the same two 3x3 convolutions, batch normalizations, ReLUs and
   identity shortcut in ``torch.nn``);
5. the convolutions alone, forward + backward (input, weight and bias
   gradients), at the shapes of the network's two convolutions and of the
   residual block's: ``cnnedu.ops.conv`` against ``torch.nn.Conv2d``. With
   them a row gives the float32 rate (GFLOP/s) of a 1024 x 1024 matrix
   product in each library (numpy's ``@``, ``torch.matmul``).

Which kernels do the arithmetic matters as much as the code around them, and
the header says it: numpy hands every matrix product (a convolution is one
after ``im2col``) to its BLAS library, OpenBLAS in numpy's wheels, which runs
the kernels named by the environment variable ``OPENBLAS_CORETYPE`` if it is
set and otherwise those it picks for the processor; PyTorch's convolutions
run oneDNN's kernels, chosen for the processor whatever that variable says
(the header gives ``torch.backends.cpu.get_cpu_capability()``). On a
processor with AVX-512, ``OPENBLAS_CORETYPE=Haswell`` gives numpy 256-bit
(AVX2) kernels while PyTorch runs 512-bit ones, so the two libraries do not
multiply at the same rate; run the script with and without the variable to
see how much of a gap that is (never set ``SkylakeX`` on a processor without
AVX-512: OpenBLAS does not check, and Python stops with an illegal
instruction).

cnnedu's model methods run the matrix products on one BLAS thread
(:func:`cnnedu.nn.training.single_blas_thread`, so that its numbers do not
depend on the machine); the layers here run inside the same context, and
PyTorch runs with ``torch.set_num_threads(1)``: the same number of threads.
The ratio is cnnedu's time over PyTorch's (below 1: cnnedu is faster).

PyTorch is an optional comparison, never a dependency of the book: without
it, the script prints cnnedu's column and says that PyTorch is absent.

Run from the repository root::

    python benchmarks/bench_vs_torch.py               # 3 epochs, batch 32
    python benchmarks/bench_vs_torch.py --epochs 1

Timings depend on what else runs on the machine (the load average is
printed at the top): compare numbers taken on an idle machine.
"""
from __future__ import annotations

import argparse
import os
import time

import numpy as np

from threadpoolctl import threadpool_info

from cnnedu.data import load_digits
from cnnedu.nn import BatchNormalization
from cnnedu.ops.conv import conv2d, conv2d_backward
from cnnedu.nn.residual import residual_block
from cnnedu.nn.training import single_blas_thread

from _timing import layer_step, median_ms, torch_module_step
from bench_training import classic_cnn as cnnedu_model


class TorchTrainer:
    """The same network in PyTorch, trained the way ``Sequential.fit`` trains."""

    def __init__(self, torch, seed: int = 0):
        nn = torch.nn
        torch.manual_seed(seed)
        self.torch = torch
        self.net = nn.Sequential(
            nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(1600, 128), nn.ReLU(), nn.Linear(128, 10))
        self.opt = torch.optim.Adam(self.net.parameters(), lr=1e-3)
        self.loss = nn.CrossEntropyLoss()
        self.rng = np.random.default_rng(seed)

    def step(self, Xb, yb) -> tuple[float, int]:
        self.opt.zero_grad()
        out = self.net(Xb)
        loss = self.loss(out, yb)
        loss.backward()
        self.opt.step()
        return loss.item(), int((out.argmax(1) == yb).sum())

    def epoch(self, X, y, batch_size: int) -> tuple[float, float]:
        order = self.torch.from_numpy(self.rng.permutation(len(X)))
        total, correct = 0.0, 0
        for start in range(0, len(X), batch_size):
            idx = order[start:start + batch_size]
            loss, hits = self.step(X[idx], y[idx])
            total += loss * len(idx)
            correct += hits
        return total / len(X), correct / len(X)


def time_step(args, X, y, torch, numpy_batch: bool = False) -> tuple[float, float | None]:
    idx = np.random.default_rng(1).choice(len(X), args.batch_size, replace=False)
    Xb, yb = X[idx], y[idx]
    model = cnnedu_model()
    ours = median_ms(lambda: model.train_on_batch(Xb, yb), args.repeat)[0]
    if torch is None:
        return ours, None
    trainer = TorchTrainer(torch)
    # the batch gathered from the whole tensor, as in the epochs (see the module
    # docstring), or made by numpy
    Xt = (torch.from_numpy(Xb) if numpy_batch
          else torch.from_numpy(X)[torch.from_numpy(idx)])
    yt = torch.from_numpy(yb.astype(np.int64))
    return ours, median_ms(lambda: trainer.step(Xt, yt), args.repeat)[0]


def time_epochs(args, X, y, torch) -> list[tuple[float, float | None]]:
    model = cnnedu_model()
    ours = []
    for _ in range(args.epochs):
        t0 = time.perf_counter()
        model.fit(X, y, epochs=1, batch_size=args.batch_size, verbose=0)
        ours.append(1e3 * (time.perf_counter() - t0))
    if torch is None:
        return [(o, None) for o in ours]
    trainer = TorchTrainer(torch)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y.astype(np.int64))
    theirs = []
    for _ in range(args.epochs):
        t0 = time.perf_counter()
        trainer.epoch(Xt, yt, args.batch_size)
        theirs.append(1e3 * (time.perf_counter() - t0))
    return list(zip(ours, theirs))


class TorchBasicBlock:
    """conv3x3 -> BN -> ReLU -> conv3x3 -> BN, plus the input, then ReLU (no bias)."""

    def __init__(self, torch, channels: int):
        nn = torch.nn
        self.torch = torch
        self.main = nn.Sequential(
            nn.Conv2d(channels, channels, 3, padding=1, bias=False), nn.BatchNorm2d(channels),
            nn.ReLU(), nn.Conv2d(channels, channels, 3, padding=1, bias=False),
            nn.BatchNorm2d(channels)).train()

    def zero_grad(self):
        self.main.zero_grad()

    def __call__(self, x):
        return self.torch.relu(self.main(x) + x)


def time_layers(args, torch) -> list[tuple[str, float, float | None]]:
    rng = np.random.default_rng(2)
    rows = []
    cases = [("batch norm forward + backward", (args.batch_size, 32, 26, 26),
              lambda: BatchNormalization(dtype="float32"),
              lambda c: torch.nn.BatchNorm2d(c).train()),
             ("residual block forward + backward", (args.batch_size, 32, 14, 14),
              lambda: residual_block(32, seed=0),
              lambda c: TorchBasicBlock(torch, c))]
    for label, shape, ours_layer, torch_layer in cases:
        x = rng.standard_normal(shape).astype(np.float32)
        dy = rng.standard_normal(shape).astype(np.float32)
        layer = ours_layer()
        layer.build(shape[1:], dtype="float32")
        with single_blas_thread():
            ours = median_ms(layer_step(layer, x, dy), args.repeat)[0]
        theirs = None
        if torch is not None:
            theirs = median_ms(torch_module_step(torch, torch_layer(shape[1]), x, dy),
                               args.repeat)[0]
        rows.append((f"{label} {shape}", ours, theirs))
    return rows


def time_convs(args, torch) -> list[tuple[str, float, float | None]]:
    """The network's and the residual block's convolutions, forward + backward."""
    rng = np.random.default_rng(3)
    rows = []
    for (n, c, h, f, pad) in [(args.batch_size, 1, 28, 32, 0), (args.batch_size, 32, 13, 64, 0),
                              (args.batch_size, 32, 14, 32, 1)]:
        x = rng.standard_normal((n, c, h, h)).astype(np.float32)
        w = (0.1 * rng.standard_normal((f, c, 3, 3))).astype(np.float32)
        b = np.zeros(f, np.float32)
        dy = rng.standard_normal((n, f, h + 2 * pad - 2, h + 2 * pad - 2)).astype(np.float32)

        def ours_step():
            cache = {}
            conv2d(x, w, b, padding=pad, cache=cache)
            conv2d_backward(dy, x, w, padding=pad, cache=cache)
        with single_blas_thread():
            ours = median_ms(ours_step, args.repeat)[0]
        theirs = None
        if torch is not None:
            module = torch.nn.Conv2d(c, f, 3, padding=pad)
            theirs = median_ms(torch_module_step(torch, module, x, dy), args.repeat)[0]
        rows.append((f"3x3 convolution forward + backward {x.shape} -> {f} channels, "
                     f"padding {pad}", ours, theirs))
    a = rng.standard_normal((1024, 1024)).astype(np.float32)
    with single_blas_thread():
        ours = median_ms(lambda: a @ a, args.repeat)[0]
    theirs = None
    if torch is not None:
        at = torch.from_numpy(a)
        theirs = median_ms(lambda: torch.matmul(at, at), args.repeat)[0]
    rows.append(("1024 x 1024 float32 matrix product", ours, theirs))
    return rows


def machine_line() -> str:
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    return f"numpy {np.__version__}, {os.cpu_count()} CPUs, load average {load}"


def kernels_line(torch) -> str:
    """Which kernels numpy's BLAS library and PyTorch run (see the module docstring)."""
    blas = next((p for p in threadpool_info() if p.get("user_api") == "blas"), None)
    if blas is None:
        ours = "numpy: no BLAS library found"
    else:
        ours = (f"numpy's BLAS: {blas.get('internal_api')} {blas.get('version')}, "
                f"{blas.get('architecture') or 'unknown'} kernels")
    coretype = os.environ.get("OPENBLAS_CORETYPE")
    ours += (f" (OPENBLAS_CORETYPE={coretype} in the environment)" if coretype
             else " (its own choice: OPENBLAS_CORETYPE is not set)")
    if torch is not None:
        ours += f"; PyTorch's CPU kernels: {torch.backends.cpu.get_cpu_capability()}"
    return ours


def print_table(rows, torch) -> None:
    if torch is None:
        print("PyTorch is absent (not importable): only cnnedu's column is measured.\n")
        print("| measure | cnnedu (ms) |")
        print("|---|---:|")
        for label, ours, _ in rows:
            print(f"| {label} | {ours:.2f} |")
        print(f"\nThe matrix product's rate in numpy: {2 * 1024 ** 3 / rows[-1][1] / 1e6:.0f} "
              "GFLOP/s.")
        return
    print(f"PyTorch {torch.__version__}, torch.set_num_threads(1); cnnedu on one BLAS "
          "thread.\n")
    print("| measure | cnnedu (ms) | PyTorch (ms) | ratio cnnedu / PyTorch |")
    print("|---|---:|---:|---:|")
    for label, ours, theirs in rows:
        print(f"| {label} | {ours:.2f} | {theirs:.2f} | {ours / theirs:.2f} |")
    gemm = rows[-1]
    print(f"\nThe matrix product's rate: {2 * 1024 ** 3 / gemm[1] / 1e6:.0f} GFLOP/s in numpy, "
          f"{2 * 1024 ** 3 / gemm[2] / 1e6:.0f} GFLOP/s in PyTorch.")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--batch-size", type=int, default=32, help="batch (default 32)")
    parser.add_argument("--epochs", type=int, default=3, help="timed epochs (default 3; 0 skips)")
    parser.add_argument("--repeat", type=int, default=30,
                        help="runs of each step / layer, median (default 30)")
    args = parser.parse_args(argv)
    try:
        import torch
    except ImportError:
        torch = None
    else:
        torch.set_num_threads(1)
    X, y = load_digits("train")
    X = np.ascontiguousarray(X, dtype=np.float32)
    print(f"# cnnedu vs PyTorch, CPU, one thread\n\n{machine_line()}\n\n{kernels_line(torch)}\n")
    rows = []
    ours, theirs = time_step(args, X, y, torch)
    rows.append((f"one training step (batch {args.batch_size})", ours, theirs))
    if torch is not None:
        ours, theirs = time_step(args, X, y, torch, numpy_batch=True)
        rows.append((f"one training step (batch {args.batch_size}), PyTorch's batch "
                     "torch.from_numpy(X[idx])", ours, theirs))
    if args.epochs > 0:
        epochs = time_epochs(args, X, y, torch)
        for e, (ours, theirs) in enumerate(epochs, 1):
            rows.append((f"epoch {e} ({len(X)} digits, batch {args.batch_size})", ours, theirs))
        rows.append((f"{args.epochs} epochs, total", sum(o for o, _ in epochs),
                     None if torch is None else sum(t for _, t in epochs)))
    rows.extend(time_layers(args, torch))
    rows.extend(time_convs(args, torch))
    print_table(rows, torch)


if __name__ == "__main__":
    main()
