"""Signal-quality indices of a heart-sound recording, to gate poor recordings.

A clean PCG is a train of loud, short, regularly repeating sounds: its envelope is periodic at
the heart rate (a high autocorrelation peak that repeats at 2 and 3 beats) and peaky (a high
kurtosis), and most of its power lies in the PCG band. Noise, speech, rubbing and a stethoscope
off the chest lower these. The indices follow the kinds used by Springer et al., "Automated
signal quality assessment of mobile phone-recorded heart sound signals", J Med Eng Technol
2016;40(7-8):342-355 (autocorrelation of the homomorphic envelope, kurtosis); the exact
definitions are in :func:`signal_quality`.

Measured (``benchmarks/validate_pcg_features.py``, 46 CirCor recordings): only ``rr_cv`` and
``cycle_coverage`` of the segmenter's own segmentation follow how many of CirCor's annotated
sounds the segmenter finds (Spearman -0.35 and -0.26); the envelope indices do not (absolute r
at most 0.15). A gating threshold needs validating on the data it gates.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._errors import ParameterError
from .._validation import check_float, check_sr
from ._cycles import (
    _SILENT,
    PCG_BAND,
    _as_segmentation,
    _bandpass,
    _fits,
    _nanstat,
    _signal,
    cycle_table,
)

__all__ = ["QUALITY_NAMES", "signal_quality"]

#: Keys of :func:`signal_quality`, in order.
QUALITY_NAMES: tuple[str, ...] = (
    "acf_peak",
    "acf_heart_rate",
    "periodicity",
    "envelope_kurtosis",
    "signal_kurtosis",
    "pcg_band_fraction",
    "rr_cv",
    "cycle_coverage",
)

_ENV_SR = 50.0  # rate (about) of the envelope the autocorrelation is taken of
_HR_MAX = 600.0  # bpm: a beat of 0.1 s, 5 envelope samples
_ENV_EDGE_S = 0.125  # left out at each end of the envelope: one period of its 8 Hz low-pass
# a peak of the envelope autocorrelation at T/2 or T/3 at least this fraction of r(T) is the
# beat (T is a multiple): 0.8 on 194 CirCor recordings cut the sub-harmonics from 24 to 9
_SUBHARMONIC = 0.8


def _check_hr(hr_min: Any, hr_max: Any) -> tuple[float, float]:
    lo = check_float(hr_min, "hr_min", minimum=0.0, strict_min=True)
    hi = check_float(hr_max, "hr_max", minimum=0.0, strict_min=True, maximum=_HR_MAX)
    if hi <= lo:
        raise ParameterError(f"hr_max must be above hr_min; got hr_min={lo:g}, hr_max={hi:g} bpm")
    return lo, hi


def _kurtosis(v: np.ndarray) -> float:
    v = v - v.mean()
    m2 = np.mean(v * v)
    return float(np.mean(v**4) / (m2 * m2)) if m2 > 0 else math.nan


def _acf(e: np.ndarray) -> np.ndarray:
    """Autocorrelation of ``e`` (mean removed) at lags ``0 .. n // 2``: lag ``k``'s sum of
    products over the geometric mean of the energies of the two overlapping parts
    (``e[:n-k]`` and ``e[k:]``), so it lies in [-1, 1] and is 1 at the period of a perfectly
    periodic envelope whatever the recording's length. Lags past half the recording are left
    out: fewer products than that make it noise (a sum over each lag's ``n - k`` products
    alone reached 1.8, and 31 at 1.5 s lags of a 1.6 s clip)."""
    from scipy import fft

    e = e - e.mean()
    n = e.size
    m = n // 2 + 1
    F = fft.rfft(e, n=fft.next_fast_len(2 * n))
    s = fft.irfft(F * np.conj(F), n=fft.next_fast_len(2 * n))[:m]
    c = np.concatenate(([0.0], np.cumsum(e * e)))
    k = np.arange(m)
    den = np.sqrt(c[n - k] * (c[n] - c[k]))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.where(den > 0, s / den, np.nan)
    return np.clip(r, -1.0, 1.0)  # round-off of the FFT's sums


def _fundamental_lag(r: np.ndarray, k: int, lo: int) -> int:
    """The beat lag below ``k``: while a local maximum of ``r`` within 10 % of ``k / 2`` or
    ``k / 3`` (at lags >= ``lo``) reaches ``_SUBHARMONIC`` x ``r[k]``, the shortest such lag
    replaces ``k``. ``r`` is normalised per lag, so it peaks about as high at 2 and 3 beats
    as at one; without this the highest peak is a multiple of the beat as often as not."""
    from ._core import _local_peak_lag

    while r[k] > 0:
        found = None
        for j in (2, 3):
            c0, c1 = int(math.floor(0.9 * k / j)), int(math.ceil(1.1 * k / j))
            if c0 < lo or c1 >= k:
                continue
            q = _local_peak_lag(r, c0, c1)
            if q is not None and r[q] >= _SUBHARMONIC * r[k]:
                found = q if found is None else min(found, q)
        if found is None:
            return k
        k = found
    return k


def signal_quality(
    x: Any,
    *,
    sr: float,
    segmentation: Any = None,
    hr_min: float = 40.0,
    hr_max: float = 200.0,
) -> dict[str, float]:
    """Signal-quality indices of a heart sound (higher is cleaner for all but ``rr_cv``).

    ``p`` is ``x`` band-passed to 25-400 Hz (4th-order Butterworth, zero phase) and ``e`` the
    homomorphic envelope (:func:`physiofeat.envelope.homomorphic_envelope`, 8 Hz) of ``p``
    after Schmidt spike removal (:func:`physiofeat.pcg.schmidt_spike_removal`), taken about
    every 20 ms, without its first and last 125 ms (one period of the envelope's 8 Hz low-pass:
    the filter's edge transient there is many times the envelope's median and its size depends
    on the sampling rate). With ``r`` the autocorrelation of ``e`` (mean removed; lag ``k``'s
    sum of products over the geometric mean of the energies of the overlapping parts, in
    [-1, 1]; lags up to half the envelope's length):

    - ``acf_peak``: ``r`` at the beat lag ``T``, 1 for a perfectly periodic envelope. ``T``
      starts as the lag of the highest local maximum of ``r`` over lags of one beat at
      ``hr_min``-``hr_max`` bpm; since ``r`` does not decay with the lag, a regular rhythm
      peaks about as high at two or three beats, so while a local maximum of ``r`` within
      10 % of ``T / 2`` or ``T / 3`` (and inside the range) reaches at least 0.8 ``r(T)``,
      the shortest such lag becomes ``T`` (the fundamental, not a multiple). When ``r`` has
      no local maximum in the range (it falls all the way, as a slow trend of the envelope
      makes it: no beat-to-beat periodicity) it and the next two are NaN;
    - ``acf_heart_rate``: ``60 / T`` in bpm;
    - ``periodicity``: the mean of the maxima of ``r`` within 15 % of ``T``, ``2 T`` and
      ``3 T`` (lags past half the recording left out): a recording that repeats only once
      scores lower than one that keeps its rhythm;
    - ``envelope_kurtosis``, ``signal_kurtosis``: kurtosis (Pearson, 3 for a Gaussian) of ``e``
      and of ``p`` (before spike removal: spikes and clicks raise it);
    - ``pcg_band_fraction``: the share of the periodogram of ``x`` (mean removed, without the
      0 Hz bin) in 25-400 Hz;
    - with a ``segmentation``: ``rr_cv``, coefficient of variation of the RR intervals of its
      complete cycles (:func:`physiofeat.pcg.cycle_table`), and ``cycle_coverage``, the share
      of the recording covered by complete cycles. NaN without one.

    A recording is **silent** when the peak of ``p`` is at most ``1e-9`` times that of ``x``
    (all zeros, or a constant, whose band-pass is round-off: the test :func:`segment`
    applies): every index of it but ``rr_cv`` and ``cycle_coverage`` is NaN, and so is
    ``pcg_band_fraction`` when ``x`` minus its mean is round-off of that size.

    Parameters
    ----------
    x : np.ndarray [shape=(n,)]
    sr : float
        Rate in Hz (above 800 Hz: the band-pass reaches 400 Hz).
    segmentation : Segmentation or array_like [shape=(k, 3)], optional
    hr_min, hr_max : float
        Heart-rate range (bpm) searched for the autocorrelation peak.

    Returns
    -------
    dict of str -> float
        Keyed by :data:`QUALITY_NAMES`; NaN where an index cannot be computed (a recording
        whose half is shorter than one beat at ``hr_max``, a silent one; the envelope and band
        indices at ``sr <= 800`` Hz).

    Examples
    --------
    >>> import numpy as np
    >>> from physiofeat.pcg import signal_quality
    >>> sr = 2000
    >>> t = np.arange(10 * sr) / sr
    >>> beats = np.sin(2 * np.pi * 60 * t) * (np.mod(t, 0.8) < 0.08)   # a "sound" every 0.8 s
    >>> beats += 0.01 * np.random.default_rng(0).standard_normal(t.size)
    >>> q = signal_quality(beats, sr=sr)
    >>> round(q["acf_heart_rate"]), q["acf_peak"] > 0.9
    (75, True)
    """
    sr = check_sr(sr)
    x = _signal(x)
    lo, hi = _check_hr(hr_min, hr_max)
    out = dict.fromkeys(QUALITY_NAMES, math.nan)
    if segmentation is not None:
        seg = _as_segmentation(segmentation, sr)
        t = cycle_table(x, sr=sr, segmentation=seg)
        rr = t["rr"]
        m = _nanstat(np.mean, rr)
        sd = _nanstat(np.std, rr, ddof=1)
        out["rr_cv"] = sd / m if m > 0 else math.nan
        out["cycle_coverage"] = float(rr.sum() / (x.shape[0] / sr))
    x_peak = float(np.abs(x).max()) if x.size else 0.0
    xc = x.astype(np.float64) - x.mean()
    spec = np.abs(np.fft.rfft(xc)) ** 2
    f = np.fft.rfftfreq(x.shape[0], 1.0 / sr)
    tot = spec[1:].sum()
    if tot > 0 and np.abs(xc).max() > _SILENT * x_peak:  # not a constant's round-off
        out["pcg_band_fraction"] = float(spec[(f >= PCG_BAND[0]) & (f < PCG_BAND[1])].sum() / tot)
    from ..envelope import homomorphic_envelope
    from ._core import schmidt_spike_removal

    if not _fits(PCG_BAND, sr) or x.shape[0] < 2 * sr / hi:
        return out  # no 25-400 Hz band below sr/2, or not two beats long at hr_max
    p = _bandpass(x, sr, PCG_BAND)
    if not np.abs(p).max() > _SILENT * x_peak:
        return out  # silent: all zeros, or a constant whose band-pass is round-off
    out["signal_kurtosis"] = _kurtosis(p)
    step = max(1, int(sr // _ENV_SR))
    edge = int(round(_ENV_EDGE_S * sr))
    e = homomorphic_envelope(schmidt_spike_removal(p, sr=sr), sr=sr)
    e = e[edge : e.size - edge : step] if e.size > 4 * edge else e[::step]
    esr = sr / step
    out["envelope_kurtosis"] = _kurtosis(e)
    r = _acf(e)
    a = int(math.floor(60.0 / hi * esr))
    b = min(int(math.ceil(60.0 / lo * esr)), r.size - 1)
    if b <= a or not np.isfinite(r[a : b + 1]).all():
        return out
    from ._core import _local_peak_lag

    k = _local_peak_lag(r, a, b)
    if k is None:
        return out
    k = _fundamental_lag(r, k, a)
    out["acf_peak"] = float(r[k])
    out["acf_heart_rate"] = 60.0 * esr / k
    peaks = []
    for j in (1, 2, 3):
        c0, c1 = int(math.floor(0.85 * j * k)), int(math.ceil(1.15 * j * k))
        if c1 < r.size:
            peaks.append(r[c0 : c1 + 1].max())
    if peaks:
        out["periodicity"] = float(np.mean(peaks))
    return out
