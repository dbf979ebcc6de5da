"""Time-domain features: moments, amplitude statistics, Hjorth parameters, entropies.

Every function works on the whole signal (default) or on frames: with ``frame_length`` given,
frame ``t`` is ``x[..., t * hop_length : t * hop_length + frame_length]`` (no padding; a
trailing partial frame is dropped; ``hop_length`` defaults to ``frame_length // 4``) and the
frame axis is last. The registered features put the frame centres, in seconds, in
``coords['time']``.

Definitions (``x`` one signal or frame of ``n`` samples, ``dx = np.diff(x)``):

======================== ===========================================================================
``mean``                 ``mean(x)``
``std``                  ``sqrt(mean((x - mean)^2))`` (population, ``ddof=0``)
``skewness``             ``m3 / m2^1.5`` with central moments ``mk`` (biased; ``scipy.stats.skew``)
``kurtosis``             ``m4 / m2^2 - 3`` (Fisher excess, biased; ``scipy.stats.kurtosis``)
``rms``                  ``sqrt(mean(x^2))``
``peak``                 ``max |x|``
``crest_factor``         ``peak / rms``
``zero_crossing_rate``   fraction of the ``n - 1`` adjacent pairs of opposite sign (0 and -0.0
                         count as positive, as librosa's ``zero_pos=True``)
``hjorth_activity``      ``var(x)``
``hjorth_mobility``      ``sqrt(var(dx) / var(x))`` (per sample; multiply by ``sr`` for rad/s-like units)
``hjorth_complexity``    ``mobility(dx) / mobility(x)``
``shannon_entropy``      entropy in bits of the equal-width ``bins``-bin histogram over
                         ``[min(x), max(x)]``, the counts of ``numpy.histogram(x, bins)`` (its edges,
                         in x's dtype; a value on an edge counts in the upper bin); 0 for a
                         constant signal, at most ``log2(bins)``
======================== ===========================================================================

Moments of a constant signal give NaN (0/0) for skewness, kurtosis, mobility and complexity.
Sample entropy (Richman & Moorman 2000) is :func:`sample_entropy`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _temporal_kernels as _K
from ._errors import InvalidSignalError
from ._features import Feature
from ._registry import register_feature
from ._validation import as_signal, check_float, check_int

__all__ = ["STAT_NAMES", "temporal", "sample_entropy", "frame"]

#: The statistics :func:`temporal` returns, in order (the ``stat`` axis).
STAT_NAMES: tuple[str, ...] = (
    "mean",
    "std",
    "skewness",
    "kurtosis",
    "rms",
    "peak",
    "crest_factor",
    "zero_crossing_rate",
    "hjorth_activity",
    "hjorth_mobility",
    "hjorth_complexity",
    "shannon_entropy",
)


#: Signals longer than this many samples (per row or frame) make sample_entropy warn: exact
#: counting is quadratic, about 30 s at 260 000 samples on one 2-core machine.
SAMPEN_WARN_N = 100_000
#: The sample_entropy feature refuses a whole signal longer than this (about 2 min of counting
#: on 2 cores; 4.4 min of signal at 2 kHz): pass frame_length= or segment the recording.
SAMPEN_FEATURE_MAX_SAMPLES = 2**19


#: Samples :func:`temporal` needs per signal or frame.
_TEMPORAL_MIN_LENGTH = 3


def _check_framing(frame_length: Any, hop_length: Any, min_length: int):
    """``(frame_length, hop_length)`` checked without the signal; each may be None."""
    frame_length = check_int(frame_length, "frame_length", minimum=min_length, allow_none=True)
    return frame_length, check_int(hop_length, "hop_length", minimum=1, allow_none=True)


#: The most histogram bins ``shannon_entropy`` takes: the kernel counts into one array of
#: ``bins`` int64 (2**24 bins = 128 MiB), and no signal fills more bins than it has samples.
MAX_BINS = 2**24


def _check_bins(bins: Any) -> int:
    return check_int(bins, "bins", minimum=2, maximum=MAX_BINS)


def _check_sampen(m: Any, r: Any) -> tuple[int, float]:
    """Sample entropy's template length ``m`` (>= 1) and tolerance ``r`` (> 0)."""
    return check_int(m, "m", minimum=1), check_float(r, "r", minimum=0.0, strict_min=True)


def _framing(n: int, frame_length: Any, hop_length: Any, min_length: int) -> tuple[int, int] | None:
    frame_length, hop_length = _check_framing(frame_length, hop_length, min_length)
    if frame_length is None:
        if n < min_length:
            raise InvalidSignalError(f"x has {n} samples; at least {min_length} are needed")
        return None
    if hop_length is None:
        hop_length = max(1, frame_length // 4)
    if frame_length > n:
        raise InvalidSignalError(
            f"x has {n} samples, shorter than one frame of frame_length={frame_length}; pass a "
            f"smaller frame_length or frame_length=None for whole-signal values"
        )
    return frame_length, hop_length


def frame(x: Any, *, frame_length: int, hop_length: int | None = None) -> np.ndarray:
    """Frames of ``x`` as a read-only view ``(..., n_frames, frame_length)`` (no padding).

    Examples
    --------
    >>> import numpy as np
    >>> from physiofeat.temporal import frame
    >>> frame(np.arange(10.0), frame_length=4, hop_length=3)
    array([[0., 1., 2., 3.],
           [3., 4., 5., 6.],
           [6., 7., 8., 9.]])
    """
    x = as_signal(x, ndim=(1, 2, 3))
    frame_length, hop_length = _framing(x.shape[-1], frame_length, hop_length, 1)
    return np.lib.stride_tricks.sliding_window_view(x, frame_length, axis=-1)[..., ::hop_length, :]


def _rows(x, frame_length, hop_length, min_length):
    """``(rows (R, L), out_shape_without_stat)``: whole signals or frames as rows."""
    fr = _framing(x.shape[-1], frame_length, hop_length, min_length)
    if fr is None:
        return x.reshape(-1, x.shape[-1]), x.shape[:-1]
    v = np.lib.stride_tricks.sliding_window_view(x, fr[0], axis=-1)[..., :: fr[1], :]
    return np.ascontiguousarray(v.reshape(-1, fr[0])), v.shape[:-1]


def temporal(
    x: Any,
    *,
    frame_length: int | None = None,
    hop_length: int | None = None,
    bins: int = 16,
) -> np.ndarray:
    """Time-domain statistics of a signal or of its frames (see :data:`STAT_NAMES`).

    Parameters
    ----------
    x : np.ndarray [shape=(..., n)]
        Real signal(s); leading axes are a batch. At least 3 samples (per frame).
    frame_length : int or None
        None for one value per signal; else frame length in samples (>= 3).
    hop_length : int or None
        Samples between frame starts; None gives ``frame_length // 4`` (unused without
        ``frame_length``).
    bins : int
        Histogram bins of ``shannon_entropy``, 2 to :data:`MAX_BINS` (2**24).

    Returns
    -------
    np.ndarray [shape=(..., 12) or (..., 12, n_frames)]
        The statistics along the ``stat`` axis in :data:`STAT_NAMES` order, in ``x``'s float
        dtype (computed in float64).

    Examples
    --------
    >>> import numpy as np
    >>> from physiofeat.temporal import STAT_NAMES, temporal
    >>> x = np.sin(2 * np.pi * 5 * np.arange(1000) / 1000)
    >>> s = dict(zip(STAT_NAMES, temporal(x)))
    >>> round(float(s["rms"]), 4), round(float(s["crest_factor"]), 4)
    (0.7071, 1.4142)
    >>> temporal(x, frame_length=200, hop_length=100).shape
    (12, 9)
    """
    x = as_signal(x, ndim=(1, 2, 3))
    bins = _check_bins(bins)
    rows, shape = _rows(x, frame_length, hop_length, _TEMPORAL_MIN_LENGTH)
    n = rows.shape[-1]
    a = rows.astype(np.float64, copy=False)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = a.mean(axis=-1)
        c = a - mean[:, None]
        # a constant row's mean is not always its value in floating point (0.1 + 0.1 + 0.1):
        # its deviations are exactly 0, so that the documented NaN moments follow
        flat = a.max(axis=-1) == a.min(axis=-1)
        c[flat] = 0.0
        m2 = np.einsum("rn,rn->r", c, c) / n
        c2 = c * c
        m3 = np.einsum("rn,rn->r", c2, c) / n
        m4 = np.einsum("rn,rn->r", c2, c2) / n
        skew = m3 / m2**1.5
        kurt = m4 / (m2 * m2) - 3.0
        rms = np.sqrt(np.einsum("rn,rn->r", a, a) / n)
        rms[flat] = np.abs(a[flat, 0])  # exactly |value| (crest factor 1), not a rounded sum
        peak = np.abs(a).max(axis=-1)
        crest = peak / rms
        sb = np.signbit(a + 0.0)  # -0.0 + 0.0 is +0.0: 0 counts as positive, as librosa's
        zcr = np.count_nonzero(sb[:, 1:] != sb[:, :-1], axis=-1) / (n - 1)
        d1 = np.diff(a, axis=-1)
        d2 = np.diff(d1, axis=-1)
        v1 = d1.var(axis=-1)
        v2 = d2.var(axis=-1)
        mob = np.sqrt(v1 / m2)
        comp = np.sqrt(v2 / v1) / mob
    ent = np.empty(rows.shape[0])
    _K.histogram_entropy(rows, bins, ent)
    out = np.stack(
        [mean, np.sqrt(m2), skew, kurt, rms, peak, crest, zcr, m2, mob, comp, ent], axis=-1
    )
    out = out.reshape(shape + (len(STAT_NAMES),)).astype(x.dtype, copy=False)
    if frame_length is not None:
        out = np.moveaxis(out, -1, -2)  # (..., stat, frame)
    return out


def sample_entropy(
    x: Any,
    *,
    m: int = 2,
    r: float = 0.2,
    frame_length: int | None = None,
    hop_length: int | None = None,
    parallel: bool | None = None,
) -> np.ndarray:
    """Sample entropy (Richman & Moorman 2000) of a signal or of its frames.

    ``SampEn = -ln(A / B)``: ``B`` counts the pairs ``i < j`` of the ``n - m`` templates
    ``x[i : i + m]`` (``i = 0 .. n - m - 1``; the same templates for both lengths) within
    Chebyshev distance ``<= r * std(x)`` (population std of the signal or frame); ``A`` counts
    the pairs that still match at length ``m + 1``. Self-matches are excluded. ``inf`` when
    ``A = 0 < B``, NaN when ``B = 0`` (undefined).

    Exact O(n^2) counting in a Numba kernel, one comparison per template pair (see
    :mod:`physiofeat._temporal_kernels`); parallel over lags and frames.

    Matches ``antropy.sample_entropy(x, order=m)`` (same templates, ``<= r``, population std)
    and ``neurokit2.entropy_sample(x, dimension=m, tolerance=r * np.std(x))`` to round-off;
    note that neurokit2's default tolerance is ``0.2 * np.std(x, ddof=1)`` (sample std).

    Parameters
    ----------
    x : np.ndarray [shape=(..., n)]
        Real signal(s); leading axes are a batch.
    m : int
        Embedding dimension (template length), >= 1.
    r : float
        Tolerance as a fraction of the standard deviation, > 0.
    frame_length, hop_length : int or None
        As in :func:`temporal` (frames need more than ``m + 1`` samples).
    parallel : bool or None
        Use the multi-threaded kernel; None decides by size (parallel from 2000 samples).

    Returns
    -------
    np.ndarray [shape=(...) or (..., n_frames)]
        float64.

    Examples
    --------
    >>> import numpy as np
    >>> from physiofeat.temporal import sample_entropy
    >>> rng = np.random.default_rng(0)
    >>> round(float(sample_entropy(rng.standard_normal(2000))), 1)   # white noise: about 2.2
    2.2
    >>> round(float(sample_entropy(np.sin(np.arange(2000) / 10))), 2)  # regular: lower
    0.23
    """
    x = as_signal(x, ndim=(1, 2, 3))
    m, r = _check_sampen(m, r)
    rows, shape = _rows(x, frame_length, hop_length, m + 2)
    rows = rows.astype(np.float64, copy=False)
    tol = r * rows.std(axis=-1)
    n = rows.shape[-1]
    if n > SAMPEN_WARN_N:
        import warnings

        warnings.warn(
            f"sample_entropy compares all {n * (n - 1) / 2:.2g} template pairs of a "
            f"{n}-sample signal (exact counting is O(n^2): roughly {30 * (n / 2.6e5) ** 2:.0f} s "
            "on 2 cores); pass frame_length= (and hop_length=) to compute it per frame instead",
            UserWarning,
            stacklevel=2,
        )
    nb = 16
    counts = np.empty((rows.shape[0], nb, 2), dtype=np.int64)
    if parallel is None:
        from ._numba import use_parallel

        parallel = use_parallel(rows.shape[0] * n, 2000)
    (_K.sampen_counts_par if parallel else _K.sampen_counts)(rows, m, tol, nb, counts)
    b, a = counts.sum(axis=1).T.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = -np.log(a / b)
    return out.reshape(shape)


# ---------------------------------------------------------------------------------------------
# registry


def _frame_times(sr: float, n: int, frame_length: int, hop_length: int | None) -> np.ndarray:
    hop = hop_length if hop_length is not None else max(1, frame_length // 4)
    n_frames = 1 + (n - frame_length) // hop
    return (np.arange(n_frames) * hop + frame_length / 2) / sr


def _check_values(p: dict) -> None:
    """The signal-independent checks of a temporal feature's parameters (bins, m, r, framing):
    run by ``resolve_params`` before any work."""
    if "bins" in p:  # temporal
        _check_bins(p["bins"])
        min_length = _TEMPORAL_MIN_LENGTH
    else:  # sample_entropy
        min_length = _check_sampen(p["m"], p["r"])[0] + 2
    _check_framing(p["frame_length"], p["hop_length"], min_length)


def _ignored(p: dict) -> dict[str, str]:
    """``hop_length`` means something only with ``frame_length`` (framing)."""
    if p["frame_length"] is None:
        return {
            "hop_length": "uses hop_length only with frame_length= (framing); without it the "
            "statistics cover the whole signal"
        }
    return {}


@register_feature(
    "temporal",
    family="temporal",
    dims=("stat",),
    description="time-domain statistics (moments, RMS, crest, ZCR, Hjorth, entropy)",
    params_from=temporal,
    check=_check_values,
    ignores=_ignored,
)
def _temporal(ctx, *, frame_length, hop_length, bins):
    v = temporal(ctx.x, frame_length=frame_length, hop_length=hop_length, bins=bins)
    coords: dict[str, Any] = {"stat": list(STAT_NAMES)}
    dims: tuple[str, ...] = ("stat",)
    if frame_length is not None:
        dims = ("stat", "time")
        coords["time"] = _frame_times(ctx.sr, ctx.x.shape[-1], frame_length, hop_length)
    return Feature(v, dims=dims, coords=coords)


@register_feature(
    "sample_entropy",
    family="temporal",
    dims=(),
    description="sample entropy (Richman & Moorman), r as a fraction of the std",
    params_from=sample_entropy,
    exclude=("parallel",),
    check=_check_values,
    ignores=_ignored,
)
def _sample_entropy(ctx, *, m, r, frame_length, hop_length):
    if frame_length is None:  # exact counting is O(n^2) in the length
        from ._validation import SPLIT_HINT, check_length

        check_length(
            ctx.x,
            ctx.sr,
            "the sample_entropy feature without frame_length= (exact counting, O(n^2))",
            SAMPEN_FEATURE_MAX_SAMPLES,
            "pass frame_length= (and hop_length=) to compute it per frame, or " + SPLIT_HINT,
        )
    v = sample_entropy(ctx.x, m=m, r=r, frame_length=frame_length, hop_length=hop_length)
    if frame_length is None:
        return Feature(v, dims=())
    t = _frame_times(ctx.sr, ctx.x.shape[-1], frame_length, hop_length)
    return Feature(v, dims=("time",), coords={"time": t})
