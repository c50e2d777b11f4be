"""The table printed by ``Sequential.summary()``, in the format Keras made familiar."""
from __future__ import annotations

from .base import shape_str

__all__ = ["summary_table"]

WIDTHS = (29, 26, 12)


def summary_table(model) -> str:
    """A text table of a built model's layers: name (type), output shape, parameters.

    Parameters
    ----------
    model : Sequential
        A built model.

    Returns
    -------
    str
        One row per layer, then the totals and the memory the parameters
        take in the model's dtype (KB = 1024 bytes). Output shapes start
        with ``None``, the batch axis, then channels first.
    """
    rule, double = "_" * sum(WIDTHS), "=" * sum(WIDTHS)

    def row(*cells):
        return "".join(f"{c:<{w}}" for c, w in zip(cells, WIDTHS)).rstrip()

    lines = [f'Model: "{model.name}"', rule, row(" Layer (type)", "Output Shape", "Param #"), double]
    for layer, shape in zip(model.layers, model.layer_output_shapes):
        lines.append(row(f" {layer.name} ({type(layer).__name__})", shape_str(shape),
                         str(layer.count_params())))
    total = model.count_params()
    size = total * model.dtype.itemsize
    lines += [double,
              f"Total params: {total:,} ({size / 1024:.2f} KB, {model.dtype.name})",
              f"Trainable params: {total:,}",
              "Non-trainable params: 0",
              rule]
    return "\n".join(lines)
