"""Benchmark: training the classic MNIST CNN with cnnedu.

The model (float32, Adam, batch 64)::

    Conv2D(32, 3, relu) -> MaxPool2D(2) -> Conv2D(64, 3, relu) -> MaxPool2D(2)
    -> Flatten -> Dense(128, relu) -> Dense(10)

1. One training step (forward, loss, backward, Adam update): median and 95th
   percentile over ``--steps`` steps after a warm-up, then the time of each
   layer's forward and backward pass within a step.
2. ``--epochs`` epochs on ``load_digits('train')`` (8,000 digits), with
   ``fit``'s default batch of 32 (``--fit-batch-size``): time per epoch and
   test accuracy on ``load_digits('test')`` (2,000 digits) after each epoch.
   (With only 8,000 digits, batches of 32 give twice as many Adam steps per
   epoch as 64 and reach about 97% test accuracy in 3 epochs.)

Run from the repository root::

    python benchmarks/bench_training.py             # both parts, 3 epochs
    python benchmarks/bench_training.py --epochs 0  # the step only

Timings depend on the machine and on what else runs on it: check that it is
idle (``uptime``; the load average is printed at the top) before trusting
them. On a busy machine OpenBLAS's threads wait for each other and a step can
take several times longer; ``OPENBLAS_NUM_THREADS=1`` then gives steadier
(if not the best) numbers. The thread count also changes the rounding of the
matrix products, so training curves differ slightly between thread settings
(each setting is reproducible).
"""
from __future__ import annotations

import argparse
import os
import time

import numpy as np

from cnnedu.data import load_digits
from cnnedu.nn import Conv2D, Dense, Flatten, Input, MaxPool2D
from cnnedu.nn.loss import loss_and_gradient
from cnnedu.nn.model import Sequential
from cnnedu.nn.optim import Adam


def classic_cnn(seed: int = 0) -> Sequential:
    model = Sequential([
        Input((1, 28, 28)),
        Conv2D(32, 3, activation="relu"), MaxPool2D(2),
        Conv2D(64, 3, activation="relu"), MaxPool2D(2),
        Flatten(), Dense(128, activation="relu"), Dense(10),
    ], seed=seed, dtype="float32")
    model.compile(Adam(lr=1e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:8.2f}"


def bench_step(steps: int, batch_size: int, warmup: int = 5) -> None:
    model = classic_cnn()
    X, y = load_digits("train")
    rng = np.random.default_rng(0)
    batches = [rng.choice(len(X), batch_size, replace=False) for _ in range(warmup + steps)]
    times = []
    for i, idx in enumerate(batches):
        Xb, yb = X[idx], y[idx]
        t0 = time.perf_counter()
        model.train_on_batch(Xb, yb)
        if i >= warmup:
            times.append(time.perf_counter() - t0)
    times = np.array(times)
    print(f"## One training step (batch {batch_size}, float32, Adam), {steps} steps after "
          f"{warmup} warm-up\n")
    print("| statistic | ms |")
    print("|---|---:|")
    print(f"| median | {ms(np.median(times))} |")
    print(f"| p95 | {ms(np.percentile(times, 95))} |")
    print(f"| min | {ms(times.min())} |")

    # per-layer breakdown: the same step, timed piece by piece
    fwd = {layer.name: [] for layer in model.layers}
    bwd = {layer.name: [] for layer in model.layers}
    other = {"loss": [], "adam": []}
    for idx in batches[warmup:]:
        out, yb = X[idx], y[idx]
        for layer in model.layers:
            t0 = time.perf_counter()
            out = layer.forward(out, training=True)
            fwd[layer.name].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        _, dout, _ = loss_and_gradient(model, out, yb)
        other["loss"].append(time.perf_counter() - t0)
        for layer in reversed(model.layers):
            t0 = time.perf_counter()
            dout = layer.backward(dout)
            bwd[layer.name].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        model.optimizer.step(model.parameters(), model.gradients())
        other["adam"].append(time.perf_counter() - t0)
    print("\n### Per layer (median ms)\n")
    print("| layer | output shape | forward | backward |")
    print("|---|---|---:|---:|")
    total_f = total_b = 0.0
    for layer, shape in zip(model.layers, model._shapes):
        f, b = np.median(fwd[layer.name]), np.median(bwd[layer.name])
        total_f += f
        total_b += b
        print(f"| {layer.name} ({type(layer).__name__}) | {shape} | {ms(f)} | {ms(b)} |")
    print(f"| loss (softmax cross-entropy) | | {ms(np.median(other['loss']))} | |")
    print(f"| Adam update | | | {ms(np.median(other['adam']))} |")
    print(f"| **sum of medians** | | {ms(total_f)} | {ms(total_b)} |")


def bench_epochs(epochs: int, batch_size: int) -> None:
    X, y = load_digits("train")
    X_test, y_test = load_digits("test")
    model = classic_cnn()
    print(f"\n## Training on load_digits('train') ({len(X)} digits), batch {batch_size}\n")
    print("| epoch | time (s) | train loss | train accuracy | test loss | test accuracy |")
    print("|---:|---:|---:|---:|---:|---:|")
    for epoch in range(1, epochs + 1):
        t0 = time.perf_counter()
        hist = model.fit(X, y, epochs=1, batch_size=batch_size, verbose=0).history
        elapsed = time.perf_counter() - t0
        loss, acc = model.evaluate(X_test, y_test)
        print(f"| {epoch} | {elapsed:.1f} | {hist['loss'][0]:.4f} | {hist['accuracy'][0]:.4f} "
              f"| {loss:.4f} | {acc:.4f} |", flush=True)


def machine_line() -> str:
    threads = {k: os.environ[k]
               for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
               if k in os.environ}
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    return (f"numpy {np.__version__}, {os.cpu_count()} CPUs, load average {load}, "
            f"BLAS threads {threads or 'default'}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=50, help="timed training steps (default 50)")
    parser.add_argument("--epochs", type=int, default=3,
                        help="epochs on the digits (default 3; 0 skips)")
    parser.add_argument("--batch-size", type=int, default=64, help="batch of the timed step")
    parser.add_argument("--fit-batch-size", type=int, default=32, help="batch of the epochs")
    args = parser.parse_args(argv)
    print(f"# cnnedu training benchmark\n\n{machine_line()}\n")
    if args.steps > 0:
        bench_step(args.steps, args.batch_size)
    if args.epochs > 0:
        bench_epochs(args.epochs, args.fit_batch_size)


if __name__ == "__main__":
    main()
