"""Tests of cnnedu.geometry: output sizes, padding rules, the Geometry of conv and pool."""
import dataclasses
import doctest
import itertools

import numpy as np
import pytest

import cnnedu.geometry as geometry
from cnnedu.geometry import (Geometry, check_padding, conv_geometry, conv_output_size,
                             max_pool_padding, pool_geometry, resolve_padding)
from cnnedu.ops.conv import conv2d
from cnnedu.ops.pool import max_pool2d


def test_doctests():
    result = doctest.testmod(geometry)
    assert result.attempted >= 15 and result.failed == 0


# --------------------------------------------------------------------------
# The formula against a count of window positions
# --------------------------------------------------------------------------

def count_windows(n, k, s, before, after, d):
    """Place the dilated kernel at 0, s, 2s, ... of the padded input; count the ones inside."""
    taps = np.arange(k) * d
    return sum(1 for start in range(0, n + before + after, s)
               if start + taps[-1] < n + before + after)


SIZES = list(itertools.product(range(1, 10), range(1, 6), range(1, 5), range(0, 4), range(1, 4)))


@pytest.mark.parametrize("n, k, s, p, d", SIZES,
                         ids=[f"n{n}-k{k}-s{s}-p{p}-d{d}" for n, k, s, p, d in SIZES])
def test_conv_output_size_counts_the_window_positions(n, k, s, p, d):
    count = count_windows(n, k, s, p, p, d)
    raw = conv_output_size(n, k, s, p, d)
    assert max(raw, 0) == count
    assert (raw < 1) == (d * (k - 1) + 1 > n + 2 * p)       # not clipped: <= 0 when nothing fits
    g = conv_geometry((n, 9), (k, 1), (s, 1), (p, 0), (d, 1))
    assert g.raw_output[0] == raw and g.OH == count and g.empty == (count == 0)


@pytest.mark.parametrize("n, k, s, d", list(itertools.product(range(1, 12), range(1, 6),
                                                              range(1, 5), range(1, 3))))
def test_same_padding_gives_ceil_n_over_s_windows(n, k, s, d):
    top, bottom, _, _ = resolve_padding("same", (n, 1), (k, 1), (s, 1), (d, 1))
    assert 0 <= bottom - top <= 1                        # the odd zero goes after
    assert count_windows(n, k, s, top, bottom, d) == -(-n // s)
    assert conv_output_size(n, k, s, "same", d) == -(-n // s)
    assert conv_geometry((n, n), k, s, "same", d).output_size == (-(-n // s),) * 2


@pytest.mark.parametrize("args, kwargs, expected", [
    ((28, 3), {}, 26),                                  # (28 - 2 - 1) // 1 + 1
    ((5, 5), {}, 1),                                    # kernel exactly covers the input
    ((7, 3), dict(stride=2, padding=1), 4),             # (7 + 2 - 2 - 1) // 2 + 1
    ((8, 3), dict(stride=3), 2),                        # windows at 0 and 3; 6..8 would overrun
    ((7, 3), dict(dilation=2), 3),                      # extent 5 -> starts 0, 1, 2
    ((10, 3), dict(stride=2, dilation=2), 3),           # extent 5, starts 0, 2, 4
    ((13, 2), dict(stride=2), 6),                       # pooling-like: last row dropped
    ((28, 3), dict(padding="valid"), 26),
    ((28, 4), dict(padding="same"), 28),
    ((7, 3), dict(stride=2, padding="same"), 4),        # ceil(7 / 2)
    ((3, 5), {}, -1),                                   # no output: raw value, not clipped
], ids=lambda v: str(v))
def test_conv_output_size_hand_values(args, kwargs, expected):
    assert conv_output_size(*args, **kwargs) == expected


# --------------------------------------------------------------------------
# Padding
# --------------------------------------------------------------------------

@pytest.mark.parametrize("padding, size, kernel, stride, dilation, expected", [
    ("valid", (5, 5), 3, 1, 1, (0, 0, 0, 0)),
    (0, (5, 5), 3, 1, 1, (0, 0, 0, 0)),
    (2, (5, 5), 3, 1, 1, (2, 2, 2, 2)),
    ((1, 2), (5, 5), 3, 1, 1, (1, 1, 2, 2)),
    ([1, 2], (5, 5), 3, 1, 1, (1, 1, 2, 2)),
    (np.int64(1), (5, 5), 3, 1, 1, (1, 1, 1, 1)),
    ("same", (28, 28), 3, 1, 1, (1, 1, 1, 1)),
    ("same", (28, 28), (4, 2), 1, 1, (1, 2, 0, 1)),     # even kernels: extra zero after
    ("same", (9, 9), 3, 1, 2, (2, 2, 2, 2)),            # dilated extent 5
    ("same", (7, 8), 3, 2, 1, (1, 1, 0, 1)),            # TensorFlow: total = 3*2 + 3 - n
    ("same", (4, 4), 1, 3, 1, (0, 0, 0, 0)),            # never negative
])
def test_resolve_padding(padding, size, kernel, stride, dilation, expected):
    assert resolve_padding(padding, size, kernel, stride, dilation) == expected
    assert conv_geometry(size, kernel, stride, padding, dilation).pads == expected


def test_full_padding_only_where_allowed():
    assert resolve_padding("full", (5, 5), (3, 2), dilation=(1, 3), allow_full=True) == (2, 2, 3, 3)
    g = conv_geometry((5, 5), (3, 2), padding="full", dilation=(1, 3), allow_full=True)
    assert g.output_size == (7, 8) and g.padding == "full"    # n + d(k - 1) outputs at stride 1
    with pytest.raises(ValueError, match=r"padding must be a non-negative int, an \(h, w\) pair, "
                                         r"'valid' or 'same', got 'full'"):
        resolve_padding("full", (5, 5), 3)
    with pytest.raises(ValueError, match=r"'valid', 'same' or 'full', got 'half'"):
        conv_geometry((5, 5), 3, padding="half", allow_full=True)


@pytest.mark.parametrize("padding, kwargs, expected", [
    (1, {}, (1, 1)),
    ((0, 2), {}, (0, 2)),
    ("valid", {}, "valid"),
    ("same", {}, "same"),
    ("full", dict(modes=geometry.FULL_MODES), "full"),
    ("SAME", dict(keras=True), "same"),
    ("Valid", dict(modes=("valid",), keras=True), "valid"),
    (3, dict(pair=False), 3),
    ("same", dict(pair=False), "same"),
])
def test_check_padding_accepts(padding, kwargs, expected):
    assert check_padding(padding, **kwargs) == expected


@pytest.mark.parametrize("padding, kwargs, error, message", [
    (-1, {}, ValueError,
     "padding must be a non-negative int, an (h, w) pair, 'valid' or 'same', got -1"),
    ("SAME", {}, ValueError,
     "padding must be a non-negative int, an (h, w) pair, 'valid' or 'same', got 'SAME'"),
    ("full", {}, ValueError,
     "padding must be a non-negative int, an (h, w) pair, 'valid' or 'same', got 'full'"),
    (1.0, {}, TypeError,
     "padding must be a non-negative int, an (h, w) pair, 'valid' or 'same', got 1.0"),
    ((1, 2, 3), {}, TypeError,
     "padding must be a non-negative int, an (h, w) pair, 'valid' or 'same', got (1, 2, 3)"),
    (True, {}, TypeError,
     "padding must be a non-negative int, an (h, w) pair, 'valid' or 'same', got True"),
    ("half", dict(modes=geometry.FULL_MODES), ValueError,
     "padding must be a non-negative int, an (h, w) pair, 'valid', 'same' or 'full', got 'half'"),
    ("same", dict(modes=()), TypeError, "padding must be a non-negative int or (h, w) pair, "
                                        "got 'same'"),
    (-1, dict(modes=()), ValueError, "padding must be a non-negative int or (h, w) pair, got -1"),
    ("full", dict(keras=True), ValueError,
     "padding must be 'valid', 'same', a non-negative int or (h, w) pair, got 'full'"),
    ("same", dict(modes=("valid",), keras=True), ValueError,
     "padding must be 'valid', a non-negative int or (h, w) pair, got 'same'"),
    ((1, 1), dict(pair=False), TypeError,
     "padding must be a non-negative int, 'valid' or 'same', got (1, 1)"),
    (-2, dict(pair=False), ValueError,
     "padding must be a non-negative int, 'valid' or 'same', got -2"),
    (-2, dict(name="pad"), ValueError, "pad must be a non-negative int, an (h, w) pair, "),
])
def test_check_padding_errors_name_the_argument_value_and_what_is_allowed(padding, kwargs,
                                                                         error, message):
    with pytest.raises(error) as info:
        check_padding(padding, **kwargs)
    assert str(info.value).startswith(message)


@pytest.mark.parametrize("kwargs, exc, match", [
    (dict(n=28.0), TypeError, r"n must be an int, got 28.0 \(float\)"),
    (dict(n=0), ValueError, r"n must be a positive int, got 0"),
    (dict(k=0), ValueError, r"k must be a positive int, got 0"),
    (dict(stride=0), ValueError, r"stride must be a positive int, got 0"),
    (dict(dilation=-1), ValueError, r"dilation must be a positive int, got -1"),
    (dict(padding=-2), ValueError,
     r"padding must be a non-negative int, 'valid' or 'same', got -2"),
    (dict(padding="full"), ValueError, r"padding must be .*'valid' or 'same', got 'full'"),
])
def test_conv_output_size_errors(kwargs, exc, match):
    args = dict(n=28, k=3)
    args.update(kwargs)
    with pytest.raises(exc, match=match):
        conv_output_size(**args)


def test_resolve_padding_errors():
    with pytest.raises(ValueError, match=r"padding must be .* got 'SAME'"):
        resolve_padding("SAME", (5, 5), 3)
    with pytest.raises(ValueError, match=r"input_size must be a positive int or \(h, w\) pair, "
                                         r"got \(0, 5\)"):
        resolve_padding("same", (0, 5), 3)


# --------------------------------------------------------------------------
# Geometry
# --------------------------------------------------------------------------

def test_geometry_fields_and_short_names():
    g = conv_geometry((7, 8), (3, 2), stride=(2, 1), padding="same", dilation=(1, 2))
    assert g == Geometry(input_size=(7, 8), kernel_size=(3, 2), stride=(2, 1), dilation=(1, 2),
                         padding="same", pads=(1, 1, 1, 1), extent=(3, 3), padded_size=(9, 10),
                         raw_output=(4, 8), output_size=(4, 8), empty=False)
    assert (g.H, g.W, g.KH, g.KW, g.sh, g.sw, g.dh, g.dw) == (7, 8, 3, 2, 2, 1, 1, 2)
    assert (g.top, g.bottom, g.left, g.right, g.EH, g.EW) == (1, 1, 1, 1, 3, 3)
    assert (g.Hp, g.Wp, g.OH, g.OW) == (9, 10, 4, 8)
    assert (g.kh, g.kw, g.ph, g.pw, g.oh, g.ow) == (3, 2, 1, 1, 4, 8)
    with pytest.raises(dataclasses.FrozenInstanceError):
        g.empty = True


def test_an_empty_geometry_is_not_an_error():
    g = conv_geometry((8, 8), 3, dilation=4)
    assert g.empty and g.output_size == (0, 0) and g.raw_output == (0, 0)
    assert g.extent == (9, 9) and g.padded_size == (8, 8)
    one_axis = conv_geometry((8, 3), 4)             # fits down, not across: still no output
    assert one_axis.empty and one_axis.raw_output == (5, 0) and one_axis.output_size == (0, 0)


def test_the_geometry_is_computed_once_per_setting():
    a = conv_geometry((28, 28), 3, 2, "same")
    assert conv_geometry([28, 28], (3, 3), (2, 2), "same") is a       # cached
    assert conv_geometry((28, 28), 3, 2, 1) is not a


def test_padding_text_as_messages_write_it():
    assert conv_geometry((5, 5), 3, padding=1).padding_text() == "1"
    assert conv_geometry((5, 5), 3, padding=(1, 0)).padding_text() == "(1, 0)"
    assert conv_geometry((5, 5), 4, padding="same").padding_text() == (
        "'same' (top, bottom, left, right = (1, 2, 1, 2))")


@pytest.mark.parametrize("shape, kernel, stride, padding, dilation", [
    ((6, 7), (2, 3), (2, 1), (1, 0), (1, 2)),
    ((9, 7), (3, 3), 2, "same", 1),
    ((5, 5), (5, 4), 1, 0, 1),
    ((10, 6), (3, 4), (3, 2), "same", (2, 1)),
])
def test_conv_geometry_matches_conv2d(shape, kernel, stride, padding, dilation):
    g = conv_geometry(shape, kernel, stride, padding, dilation)
    y = conv2d(np.zeros((1, 1) + shape), np.zeros((1, 1) + kernel), stride=stride,
               padding=padding, dilation=dilation)
    assert y.shape[2:] == g.output_size


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(input_size=(0, 5)), ValueError, r"input_size must be a positive int or \(h, w\) pair"),
    (dict(kernel_size=0), ValueError, r"kernel_size must be a positive int or \(h, w\) pair"),
    (dict(stride=(1, 0)), ValueError,
     r"stride must be a positive int or \(h, w\) pair, got \(1, 0\)"),
    (dict(dilation=1.5), TypeError, r"dilation must be a positive int or \(h, w\) pair, got 1.5"),
    (dict(padding=-1), ValueError, r"padding must be a non-negative int, an \(h, w\) pair, "
                                   r"'valid' or 'same', got -1"),
])
def test_conv_geometry_errors(kwargs, error, match):
    args = dict(input_size=(5, 5), kernel_size=3)
    args.update(kwargs)
    with pytest.raises(error, match=match):
        conv_geometry(**args)


# --------------------------------------------------------------------------
# Pooling
# --------------------------------------------------------------------------

POOLS = [(n, k, s, p) for n, k, s in itertools.product(range(1, 9), range(1, 5), range(1, 5))
         for p in range(0, k // 2 + 1)]


@pytest.mark.parametrize("n, k, s, p", POOLS, ids=[f"n{n}-k{k}-s{s}-p{p}" for n, k, s, p in POOLS])
def test_pool_geometry_counts_the_window_positions(n, k, s, p):
    g = pool_geometry((n, n + 1), k, s, p)
    counts = (count_windows(n, k, s, p, p, 1), count_windows(n + 1, k, s, p, p, 1))
    assert tuple(max(raw, 0) for raw in g.raw_output) == counts
    assert g.empty == (0 in counts) == (n + 2 * p < k)
    assert g.output_size == ((0, 0) if g.empty else counts) == (g.oh, g.ow)
    assert g.dilation == (1, 1) and g.pads == (p, p, p, p)
    if not g.empty:
        assert max_pool2d(np.zeros((1, 1, n, n + 1)), k, s, p).shape[2:] == g.output_size


def test_pool_stride_defaults_to_the_window():
    g = pool_geometry((11, 10), (2, 3))
    assert g.stride == (2, 3) and g.output_size == (5, 3)
    assert pool_geometry((11, 10), 2, stride=1).output_size == (10, 9)


def test_pool_padding_is_at_most_half_the_window():
    assert max_pool_padding(3) == (1, 1) and max_pool_padding((4, 5)) == (2, 2)
    assert pool_geometry((4, 4), (4, 5), padding=2).pads == (2, 2, 2, 2)
    with pytest.raises(ValueError, match=r"padding must be at most half the pool window, so that "
                                         r"every window covers part of the input: a 3x2 window "
                                         r"allows padding up to 1, got \(2, 0\)"):
        pool_geometry((8, 8), (3, 2), padding=(2, 0))


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(size=0), ValueError, r"size must be a positive int or \(h, w\) pair, got 0"),
    (dict(stride=(1, 0)), ValueError, r"stride must be a positive int or \(h, w\) pair"),
    (dict(padding=-1), ValueError, r"padding must be a non-negative int or \(h, w\) pair, got -1"),
    (dict(padding="same"), TypeError, r"padding must be a non-negative int or \(h, w\) pair, "
                                      r"got 'same'"),
])
def test_pool_geometry_errors(kwargs, error, match):
    args = dict(input_size=(4, 4), size=2)
    args.update(kwargs)
    with pytest.raises(error, match=match):
        pool_geometry(**args)
