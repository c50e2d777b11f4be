"""A one-line progress bar for training, with no dependency beyond the standard library.

During an epoch the line is redrawn in place with a carriage return
(``\\r``), which both a terminal and a Jupyter notebook honour::

    Epoch 2/3  84/125 [===================>.........] loss 0.1432 - accuracy 0.9561 - 2.1s

At the end of the epoch the line is completed (validation metrics added)
and ends with a newline. The line is redrawn at most about 20 times per
epoch, at batch counts that depend only on the number of batches, so the
printed text is the same from run to run apart from the times.
"""
from __future__ import annotations

import sys
import time

__all__ = ["ProgressBar", "format_metrics"]


def format_metrics(metrics: dict) -> str:
    """``{'loss': 0.5, 'accuracy': 0.9}`` -> ``'loss 0.5000 - accuracy 0.9000'``."""
    return " - ".join(f"{name} {value:.4f}" for name, value in metrics.items())


class ProgressBar:
    """Progress of one epoch of ``total`` batches.

    Parameters
    ----------
    total : int
        Number of batches in the epoch.
    epoch, epochs : int
        Shown as ``Epoch epoch/epochs``.
    verbose : {0, 1, 2}
        0: print nothing; 1: a bar redrawn in place during the epoch;
        2: one line at the end of the epoch only.
    width : int
        Number of characters of the bar itself.
    file : file-like, optional
        Where to write; ``sys.stdout`` at the time of writing by default (so
        notebooks and captured output see it).
    updates : int
        Roughly how many times the bar is redrawn per epoch (``verbose=1``).
    """

    def __init__(self, total: int, epoch: int = 1, epochs: int = 1, verbose: int = 1,
                 width: int = 30, file=None, updates: int = 20):
        self.total = max(int(total), 1)
        self.epoch, self.epochs = epoch, epochs
        self.verbose = verbose
        self.width = width
        self.file = file
        self.every = max(1, -(-self.total // max(updates, 1)))  # ceil(total / updates)
        self.start = time.perf_counter()
        self._last_len = 0

    def _write(self, text: str) -> None:
        out = self.file if self.file is not None else sys.stdout
        out.write(text)
        out.flush()

    def _line(self, done: int, metrics: dict) -> str:
        digits = len(str(self.total))
        filled = self.width * done // self.total
        arrow = ">" if filled < self.width else ""
        bar = "=" * filled + arrow + "." * (self.width - filled - len(arrow))
        elapsed = time.perf_counter() - self.start
        parts = [f"Epoch {self.epoch}/{self.epochs}",
                 f"{done:>{digits}}/{self.total} [{bar}]"]
        text = "  ".join(parts)
        if metrics:
            text += " " + format_metrics(metrics)
        return f"{text} - {elapsed:.1f}s"

    def update(self, done: int, metrics: dict) -> None:
        """Show that ``done`` batches are finished, with the running ``metrics``."""
        if self.verbose != 1 or (done % self.every and done != self.total):
            return
        line = self._line(done, metrics)
        pad = " " * max(0, self._last_len - len(line))
        self._last_len = len(line)
        self._write("\r" + line + pad)

    def finish(self, metrics: dict) -> None:
        """End the epoch's line with the final ``metrics`` (training and validation)."""
        if self.verbose == 0:
            return
        line = self._line(self.total, metrics)
        if self.verbose == 1:
            pad = " " * max(0, self._last_len - len(line))
            self._write("\r" + line + pad + "\n")
        else:
            self._write(line + "\n")
