"""How to build an explorer again, elsewhere: its *recipe*.

The static book shows each explorer with precomputed frames. A reader who
asks for more makes the explorer live in the page: Python starts in the
browser (Pyodide) and builds the same explorer with the same code. To do
that, the page needs the call that built it: the builder, its arguments and
the values its controls were set to. That is the recipe.

- Builders are wrapped with :func:`recorded`, which remembers the call on the
  explorer it returns (``explorer.recipe``). A builder whose arguments are
  larger than what the explorer uses sets a slimmer recipe itself (chapter 6's
  digit explorer keeps the 300 digits its slider reaches, not the 2,000 it
  was given).
- :func:`encode` turns a recipe and the current control values into bytes
  (zlib-compressed pickle). Models are stored with their parameters, not
  their optimizer state or their last batch (see ``Layer.__getstate__``).
- :func:`build` turns the bytes back into a new explorer, with those values.

The bytes are written by the book's build and read by the page that the same
build produced; like any pickle, they are not for data from elsewhere.
"""
from __future__ import annotations

import copy
import functools
import importlib
import pickle
import zlib
from dataclasses import dataclass, field

__all__ = ["Recipe", "recorded", "encode", "decode", "build"]

#: Bumped when the encoding changes, so an old page's bytes fail with a clear error.
FORMAT = 1


@dataclass
class Recipe:
    """The call that builds an explorer: ``builder(*args, **kwargs)``.

    ``builder`` is the builder's qualified name, e.g.
    ``'cnnedu.widgets.conv.kernel_slider'``.
    """

    builder: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)

    @classmethod
    def of(cls, builder, *args, **kwargs) -> "Recipe":
        """The recipe of ``builder(*args, **kwargs)``."""
        return cls(f"{builder.__module__}.{builder.__qualname__}", tuple(args), dict(kwargs))


def recorded(builder):
    """Decorate an explorer builder so the explorer it returns knows its recipe."""

    @functools.wraps(builder)
    def build_and_record(*args, **kwargs):
        explorer = builder(*args, **kwargs)
        if getattr(explorer, "recipe", None) is None:
            explorer.recipe = Recipe.of(builder, *args, **kwargs)
        return explorer

    return build_and_record


def _without_training_state(obj):
    """A model ready to pickle for inference: no optimizer, no history."""
    from ..nn.model import Sequential

    if isinstance(obj, Sequential):
        slim = copy.copy(obj)
        slim.optimizer = None
        slim.history = None
        return slim
    return obj


def encode(explorer) -> bytes:
    """The explorer's recipe and current control values, as bytes for the page.

    Raises ``ValueError`` if the explorer has no recipe (it was not made by a
    :func:`recorded` builder).
    """
    recipe = getattr(explorer, "recipe", None)
    if recipe is None:
        raise ValueError("this explorer has no recipe: only explorers made by a builder of "
                         "cnnedu.widgets (decorated with recorded) can be rebuilt in a page")
    payload = {
        "format": FORMAT,
        "builder": recipe.builder,
        "args": tuple(_without_training_state(a) for a in recipe.args),
        "kwargs": {k: _without_training_state(v) for k, v in recipe.kwargs.items()},
        "values": explorer.values(),
    }
    return zlib.compress(pickle.dumps(payload, protocol=4), 6)


def decode(data: bytes) -> dict:
    """The payload :func:`encode` wrote (``builder``, ``args``, ``kwargs``, ``values``)."""
    payload = pickle.loads(zlib.decompress(bytes(data)))
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise ValueError(f"not an explorer recipe of format {FORMAT}: rebuild the book")
    return payload


def build(data: bytes):
    """A new explorer from :func:`encode`'s bytes, its controls set as they were."""
    payload = decode(data)
    module, _, name = payload["builder"].rpartition(".")
    builder = getattr(importlib.import_module(module), name)
    explorer = builder(*payload["args"], **payload["kwargs"])
    # only the values the builder did not already give: each update redraws the figure
    current = explorer.values()
    values = {k: v for k, v in payload["values"].items()
              if k in explorer.controls and not _same(current[k], v)}
    if values:
        explorer.set_values(**values)
    return explorer


def _same(a, b) -> bool:
    try:
        return bool(a == b)
    except ValueError:               # arrays: compare them whole
        import numpy as np

        return np.array_equal(a, b)
