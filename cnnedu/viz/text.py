"""Numbers and words on the book's figures: one way to write each, everywhere.

- :func:`format_number` / :func:`number_formatter` -- a value as text, with
  no minus sign on a value that rounds to zero (``'0.00'``, never
  ``'-0.00'``);
- :func:`text_colours` / :func:`cell_text_colours` -- black or white text,
  whichever reads better on the colour of the cell it is written on;
- :class:`LabelLayer` -- many short labels (the numbers in cells, tick
  labels) drawn as one artist, fast to redraw;
- :class:`PanelTitles` -- a title above each of some axes, drawn the same
  fast way, changed in place.

An explorer rewrites its numbers and titles at every frame. A matplotlib
``Text`` artist is laid out and rasterized at every draw, about a millisecond
each; a :class:`LabelLayer` draws all its labels as the outlines of their
glyphs in one ``PathCollection``, which renders in a fraction of that.
"""
from __future__ import annotations

import re
from typing import Callable

import numpy as np
from matplotlib.collections import PathCollection
from matplotlib.colors import to_rgba_array
from matplotlib.font_manager import FontProperties
from matplotlib.path import Path
from matplotlib.textpath import TextPath, text_to_path
from matplotlib.transforms import Affine2D, blended_transform_factory, offset_copy

from .base import check_axes

__all__ = ["MINUS", "LUMINANCE_THRESHOLD", "format_number", "number_formatter",
           "text_colours", "cell_text_colours", "LabelLayer", "PanelTitles"]

#: The typographic minus sign (U+2212), as wide as a digit; pass it as
#: ``minus`` to :func:`format_number` for text set in a figure.
MINUS = "\u2212"
#: Relative luminance above which a cell takes black text, below which white:
#: the luminance at which black and white text contrast equally with it (WCAG 2).
LUMINANCE_THRESHOLD = 0.179


# ------------------------------------------------------------------ numbers
def _unsigned_zero(text: str) -> str:
    """``text`` without its leading minus sign if the number it writes is zero."""
    stripped = text.lstrip()
    if not stripped or stripped[0] not in ("-", MINUS):
        return text
    mantissa = re.split("[eE]", stripped[1:], maxsplit=1)[0]
    digits = [c for c in mantissa if c.isalnum()]
    if digits and all(c == "0" for c in digits):       # '-0.00', '-0.0%', '-0e+00'
        start = len(text) - len(stripped)                # a padded text keeps its width
        return text[:start] + (" " if start else "") + text[start + 1:]
    return text                                          # '-0.01', '-inf' keep their sign


def number_formatter(fmt="{:.2f}", minus: str = "-") -> Callable[[float], str]:
    """A function ``value -> text`` writing numbers the book's way.

    A value that rounds to zero is written without a sign (``'0.00'``, not
    ``'-0.00'``), so a grid of products or gradients shows no spurious minus
    signs.

    Parameters
    ----------
    fmt : str or callable, default ``'{:.2f}'``
        A format string for one number, such as ``'{:.1f}'`` or ``'{:.3g}'``,
        or a function ``value -> str`` whose text gets the same treatment.
    minus : str, default ``'-'``
        The minus sign to write: :data:`MINUS` for a figure, ``'&minus;'``
        for HTML.

    Returns
    -------
    callable

    Examples
    --------
    >>> two = number_formatter("{:.2f}")
    >>> two(-0.001), two(-1.5)
    ('0.00', '-1.50')
    """
    if callable(fmt):
        base = fmt
    elif isinstance(fmt, str):
        try:
            fmt.format(0.5)
        except (IndexError, KeyError, ValueError) as exc:
            raise ValueError(f"fmt must be a format string for one number such as "
                             f"'{{:.2f}}', got {fmt!r}") from exc
        base = fmt.format
    else:
        raise TypeError(f"fmt must be a format string such as '{{:.2f}}' or a callable, "
                        f"got {type(fmt).__name__}")
    if not isinstance(minus, str) or not minus:
        raise TypeError(f"minus must be a non-empty str such as '-' or MINUS, got {minus!r}")

    def label(value) -> str:
        text = _unsigned_zero(str(base(value)))
        return text if minus == "-" else text.replace("-", minus)

    return label


def format_number(value, fmt="{:.2f}", minus: str = "-") -> str:
    """``value`` written with ``fmt``, without a minus sign if it rounds to zero.

    Parameters
    ----------
    value : float
    fmt : str or callable, default ``'{:.2f}'``
        As for :func:`number_formatter`.
    minus : str, default ``'-'``
        As for :func:`number_formatter`.

    Returns
    -------
    str

    Examples
    --------
    >>> format_number(-0.04, "{:.1f}"), format_number(-1.26, "{:.1f}")
    ('0.0', '-1.3')
    >>> format_number(-0.5, minus=MINUS)
    '−0.50'
    """
    return number_formatter(fmt, minus)(value)


# ------------------------------------------------------------------ colours
def text_colours(rgba) -> np.ndarray:
    """``'black'`` or ``'white'``: the text colour that reads better on each colour.

    The rule of every figure of the book: black on a colour whose relative
    luminance (WCAG 2, computed from linear sRGB) is above
    :data:`LUMINANCE_THRESHOLD`, white otherwise. A partly transparent colour
    is first laid over white, the figure's background.

    Parameters
    ----------
    rgba : array_like, shape (..., 3) or (..., 4)
        Colours, channels in [0, 1].

    Returns
    -------
    ndarray of str, shape ``rgba.shape[:-1]``

    Examples
    --------
    >>> text_colours([[0.1, 0.1, 0.4], [0.9, 0.9, 0.6]]).tolist()
    ['white', 'black']
    """
    rgba = np.asarray(rgba, dtype=float)
    if rgba.ndim == 0 or rgba.shape[-1] not in (3, 4):
        raise ValueError(f"rgba must hold RGB or RGBA colours, shape (..., 3) or (..., 4), "
                         f"got shape {rgba.shape}")
    rgb = rgba[..., :3]
    if rgba.shape[-1] == 4:
        alpha = rgba[..., 3:]
        rgb = alpha * rgb + (1.0 - alpha)
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    luminance = linear @ np.array([0.2126, 0.7152, 0.0722])
    return np.where(luminance > LUMINANCE_THRESHOLD, "black", "white")


def cell_text_colours(image, values) -> np.ndarray:
    """The text colour (:func:`text_colours`) for each value, on the colour ``image`` gives it.

    Parameters
    ----------
    image : matplotlib.cm.ScalarMappable
        A colour-mapped artist (an ``AxesImage``, a ``QuadMesh``...): its
        colour map and norm give each value's colour.
    values : array_like of float, any shape
        Values drawn by ``image``.

    Returns
    -------
    ndarray of str, the shape of ``values``
    """
    if not (hasattr(image, "cmap") and hasattr(image, "norm")):
        raise TypeError(f"image must be a colour-mapped artist such as an AxesImage, "
                        f"got {type(image).__name__}")
    values = np.asarray(values, dtype=float)
    return text_colours(image.cmap(image.norm(values)))


# ------------------------------------------------------------------ labels
class LabelLayer:
    """Short labels drawn as the outlines of their glyphs, in one artist (fast to redraw).

    Every label is centred horizontally on its point; vertically, its ink is
    centred there (``valign='center'``, for numbers in cells) or its
    baseline sits there (``valign='baseline'``, for words, whose letters
    differ in height). The outlines come from cached glyphs placed side by
    side (no kerning), so a new label costs no font work, and the positions
    are transformed at draw time: the labels follow the axes when their
    limits or box change.

    The artist belongs to the figure, not to the axes: ``ax.clear()`` keeps
    it, and it is drawn after every axes.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        The axes whose data coordinates the positions are in (unless
        ``transform`` is given).
    fontsize : float, default 8
        In points; :meth:`set` may give another.
    transform : matplotlib.transforms.Transform, optional
        From the coordinates given to :meth:`set` to pixels; default
        ``ax.transData``. E.g. ``ax.transAxes`` or ``fig.transFigure``.
    valign : {'center', 'baseline'}, default 'center'
    clip : bool, optional
        Hide what falls outside the axes. Default: True for data
        coordinates, False with another ``transform``.
    zorder : float, default 5

    Attributes
    ----------
    artist : matplotlib.collections.PathCollection
        The artist to list among an explorer's changing artists.
    labels : list of str
        The labels written by the last :meth:`set`.
    positions : list of (x, y)
        Their positions.
    fontsize : float
        The size used when :meth:`set` is given none.
    """

    #: outlines of labels kept, shared by every layer
    MAX_CACHED = 4096
    _paths: dict = {}          # (label, valign) -> outline at font size 1
    _glyphs: dict = {}         # character -> (vertices, codes, advance) at font size 1
    _font = FontProperties()
    _font64 = FontProperties(size=64)   # to measure advances precisely

    def __init__(self, ax, fontsize: float = 8.0, transform=None, valign: str = "center",
                 clip: bool | None = None, zorder: float = 5):
        check_axes(ax)
        if valign not in ("center", "baseline"):
            raise ValueError(f"valign must be 'center' or 'baseline', got {valign!r}")
        self.ax, self.valign = ax, valign
        self.fontsize = self._check_fontsize(fontsize)
        self.labels: list = []
        self.positions: list = []
        self._key = None
        self.artist = PathCollection(
            [], offsets=np.zeros((0, 2)),
            offset_transform=ax.transData if transform is None else transform,
            transform=self._scale(self.fontsize), edgecolors="none", zorder=zorder)
        if clip is None:
            clip = transform is None
        if clip:
            self.artist.set_clip_box(ax.bbox)
        else:
            self.artist.set_clip_on(False)
        self.artist.set_visible(False)
        ax.figure.add_artist(self.artist)

    @staticmethod
    def _check_fontsize(fontsize) -> float:
        if isinstance(fontsize, bool) or not isinstance(fontsize, (int, float, np.number)) \
                or not fontsize > 0:
            raise ValueError(f"fontsize must be a positive number of points, got {fontsize!r}")
        return float(fontsize)

    def _scale(self, fontsize: float):
        # glyph units (1 = the font size) -> inches -> pixels at the figure's dpi
        return Affine2D().scale(fontsize / 72.0) + self.ax.figure.dpi_scale_trans

    @classmethod
    def _glyph(cls, ch: str):
        if ch not in cls._glyphs:
            if ch.isspace():   # no outline (and TextPath cannot make an empty one)
                verts, codes = np.zeros((0, 2)), np.zeros(0, dtype=np.uint8)
            else:
                tp = TextPath((0, 0), ch, size=1, prop=cls._font)
                verts = np.asarray(tp.vertices, dtype=float).reshape(-1, 2)
                codes = (np.asarray(tp.codes, dtype=np.uint8) if tp.codes is not None
                         else np.full(len(verts), Path.LINETO, dtype=np.uint8))
            advance = text_to_path.get_text_width_height_descent(
                ch, cls._font64, ismath=False)[0] / 64.0
            cls._glyphs[ch] = (verts, codes, advance)
        return cls._glyphs[ch]

    @classmethod
    def path(cls, label: str, valign: str = "center") -> Path:
        """The outline of ``label`` at font size 1, placed as ``valign`` says (cached).

        Horizontally centred on the origin; vertically, its ink centred on
        it (``'center'``) or its baseline on it (``'baseline'``).
        """
        key = (label, valign)
        if key not in cls._paths:
            if len(cls._paths) >= cls.MAX_CACHED:
                cls._paths.clear()
            verts, codes, x = [], [], 0.0
            for ch in label:
                v, c, advance = cls._glyph(ch)
                verts.append(v + [x, 0.0])
                codes.append(c)
                x += advance
            v = np.concatenate(verts) if verts else np.zeros((0, 2))
            c = np.concatenate(codes) if codes else np.zeros(0, dtype=np.uint8)
            dy = 0.0
            if valign == "center" and len(v):
                dy = (v[:, 1].min() + v[:, 1].max()) / 2
            cls._paths[key] = Path(v - [x / 2, dy], c if len(c) else None)
        return cls._paths[key]

    def set(self, positions, labels, colours="black", fontsize: float | None = None):
        """Write ``labels[k]`` at ``positions[k]``, replacing what was written.

        Parameters
        ----------
        positions : array_like, shape (n, 2)
            ``(x, y)`` of each label (data coordinates unless the layer has
            another ``transform``); for cell ``(row, col)`` of an image,
            ``(col, row)``.
        labels : iterable of n str
        colours : colour or sequence of n colours, default ``'black'``
            E.g. :func:`cell_text_colours` of the values written.
        fontsize : float, optional
            Points; default the layer's :attr:`fontsize`.

        Returns
        -------
        LabelLayer
            ``self``.
        """
        labels = [str(label) for label in labels]
        xy = np.asarray(positions, dtype=float)
        if xy.size == 0:
            xy = np.zeros((0, 2))
        if xy.ndim != 2 or xy.shape[1] != 2:
            raise ValueError(f"positions must be n (x, y) pairs, shape (n, 2), got shape "
                             f"{xy.shape}")
        if len(labels) != len(xy):
            raise ValueError(f"labels must have one entry per point: {len(xy)} points, "
                             f"got {len(labels)} labels")
        if isinstance(colours, np.ndarray) and colours.dtype.kind in "US":
            colours = colours.ravel().tolist()
        rgba = to_rgba_array(colours)
        if len(rgba) == 1:
            rgba = np.repeat(rgba, len(labels), axis=0)
        elif len(rgba) != len(labels):
            raise ValueError(f"colours must be one colour or one per label: {len(labels)} "
                             f"labels, got {len(rgba)} colours")
        size = self.fontsize if fontsize is None else self._check_fontsize(fontsize)
        key = (tuple(labels), xy.tobytes(), rgba.tobytes(), size)
        if key == self._key:
            return self              # nothing changed: the artist stays as it is
        self._key = key
        self.labels, self.positions = labels, [tuple(p) for p in xy.tolist()]
        self.artist.set_paths([self.path(label, self.valign) for label in labels])
        self.artist.set_offsets(xy)
        self.artist.set_facecolors(rgba)
        self.artist.set_transform(self._scale(size))
        self.artist.set_visible(bool(labels))
        return self

    def clear(self):
        """Write nothing. Returns ``self``."""
        return self.set(np.zeros((0, 2)), [])


# ------------------------------------------------------------------ titles
class PanelTitles:
    """A title above each of some axes, centred, changed in place and fast to redraw.

    Each title is a :class:`LabelLayer` label whose position follows its axes
    at draw time, so it stays above the axes when their box moves (a panel
    whose image changes shape).

    Parameters
    ----------
    axes : Axes or sequence of Axes
        One title above each.
    fontsize : float, default 10
    colour : colour, default ``'black'``
    pad : float, default 6
        Points between the top of an axes and its title's baseline, as
        ``ax.set_title`` leaves.
    y : float, optional
        Put every baseline at this height of the figure instead (a fraction
        of its height, e.g. 0.93), so that titles of axes of different
        heights line up.

    Attributes
    ----------
    layers : list of LabelLayer
        One per axes.
    artists : list of PathCollection
        The artists to list among an explorer's changing artists.
    texts : list of str
        The titles shown.

    Examples
    --------
    >>> titles = PanelTitles(axes)                  # doctest: +SKIP
    >>> titles.set("input x", "output y")           # doctest: +SKIP
    """

    def __init__(self, axes, fontsize: float = 10.0, colour="black", pad: float = 6.0,
                 y: float | None = None):
        axes = [axes] if hasattr(axes, "transAxes") else list(np.ravel(axes))
        if not axes:
            raise ValueError("axes must hold at least one Axes, got none")
        for k, ax in enumerate(axes):
            check_axes(ax, f"axes[{k}]")
        self.axes, self.colour = axes, colour
        self._y = 1.0 if y is None else float(y)
        self.layers = [LabelLayer(ax, fontsize, self._transform(ax, pad, y), valign="baseline")
                       for ax in axes]

    @staticmethod
    def _transform(ax, pad, y):
        if y is None:             # (0.5, 1): the middle of the top edge, ``pad`` points up
            return offset_copy(ax.transAxes, fig=ax.figure, y=pad, units="points")
        return blended_transform_factory(ax.transAxes, ax.figure.transFigure)

    @property
    def artists(self) -> list:
        """The artists drawing the titles, one per axes."""
        return [layer.artist for layer in self.layers]

    @property
    def texts(self) -> list:
        """The titles shown, one per axes (``''`` for none)."""
        return [layer.labels[0] if layer.labels else "" for layer in self.layers]

    def set(self, *texts, colour=None):
        """Show ``texts[k]`` above ``axes[k]``; a ``None`` keeps that title as it is.

        Returns
        -------
        PanelTitles
            ``self``.
        """
        if len(texts) != len(self.layers):
            raise ValueError(f"texts must hold one title per axes: {len(self.layers)} axes, "
                             f"got {len(texts)} titles")
        for layer, text in zip(self.layers, texts):
            if text is not None:
                layer.set([(0.5, self._y)], [str(text)], self.colour if colour is None else colour)
        return self
