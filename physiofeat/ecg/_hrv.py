"""Heart-rate variability from the R peaks: time domain, frequency domain, nonlinear.

Definitions (RR intervals in ms, ``d`` their successive differences; as NeuroKit2's
``hrv_time`` / ``hrv_frequency`` / ``hrv_nonlinear`` unless said otherwise):

* time domain: ``mean_nn``, ``sdnn`` (SD, ddof 1), ``rmssd`` (root mean square of ``d``),
  ``sdsd`` (SD of ``d``, ddof 1), ``cvnn`` = sdnn / mean_nn, ``median_nn``, ``mad_nn`` (median
  absolute deviation x 1.4826), ``iqr_nn``, ``pnn50`` / ``pnn20`` (percentage of ``|d|`` above
  50 / 20 ms, over the number of intervals, as NeuroKit2 counts), ``min_nn``, ``max_nn``;
* frequency domain, from the **Lomb-Scargle** periodogram of the mean-removed RR series at the
  beat times (no resampling: ``scipy.signal.lombscargle`` on 0.0033-0.5 Hz, 0.0005 Hz steps),
  scaled to a one-sided power spectral density (ms^2/Hz: x 2 T / N for N intervals over T
  seconds, so that an RR sine of amplitude a ms has band power a^2 / 2 ms^2): ``lf``
  (0.04-0.15 Hz), ``hf`` (0.15-0.4 Hz), ``lf_hf``, and the normalised units ``lf_nu`` =
  LF / (LF + HF), ``hf_nu`` = HF / (LF + HF) (Task Force 1996; NeuroKit2's ``LFn`` divides by
  its total power instead);
* nonlinear: Poincare ``sd1``, ``sd2`` (SD, ddof 1, of ``(RR_n -+ RR_n+1) / sqrt 2``),
  ``sd1_sd2``, ``sampen`` (sample entropy, m = 2, r = 0.2 x SD with ddof 1, computed by
  :func:`physiofeat.temporal.sample_entropy`), ``dfa_alpha1`` (detrended fluctuation analysis
  of the integrated series over windows of 4-11 beats, overlapping by half, linear detrending).

Minimum recording lengths (Task Force of the ESC and NASPE 1996: a band needs about ten
periods of its lowest frequency; Richman & Moorman 2000 for sample entropy): a value whose
record is too short is NaN and the call warns once (:class:`EcgWarning`) naming what was left
out and what it needs: RR statistics need 2 intervals, successive-difference ones (rmssd, sdsd,
pnn*, Poincare) 3; ``hf`` needs 67 s (10 / 0.15 Hz), ``lf`` and ``lf_hf``, ``lf_nu``,
``hf_nu`` 250 s (10 / 0.04 Hz); ``sampen`` 100 intervals; ``dfa_alpha1`` 44 intervals (four
windows of the longest scale, 11 beats).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .._errors import InvalidSignalError
from .._validation import as_signal, check_sr

#: Names of the values :func:`hrv_features` returns, in order (ms, %, ms^2 or 1).
HRV_STATS: tuple[str, ...] = (
    "mean_nn",
    "sdnn",
    "rmssd",
    "sdsd",
    "cvnn",
    "median_nn",
    "mad_nn",
    "iqr_nn",
    "pnn50",
    "pnn20",
    "min_nn",
    "max_nn",
    "lf",
    "hf",
    "lf_hf",
    "lf_nu",
    "hf_nu",
    "sd1",
    "sd2",
    "sd1_sd2",
    "sampen",
    "dfa_alpha1",
)

LF_BAND = (0.04, 0.15)
HF_BAND = (0.15, 0.4)
#: Least recording length (s) of each frequency-domain value.
MIN_SECONDS = {"hf": 10 / HF_BAND[0], "lf": 10 / LF_BAND[0]}
MIN_SAMPEN = 100
DFA_SCALES = np.arange(4, 12)
MIN_DFA = 4 * int(DFA_SCALES[-1])


def _dfa_alpha(rr: np.ndarray) -> float:
    y = np.cumsum(rr - rr.mean())
    n = y.size
    f = []
    for w in DFA_SCALES:
        starts = np.arange(0, n - w, w // 2)
        seg = y[starts[:, None] + np.arange(w)]
        t = np.arange(w) - (w - 1) / 2.0
        c = seg - seg.mean(axis=1, keepdims=True)
        slope = (c * t).sum(axis=1) / (t * t).sum()
        res = c - slope[:, None] * t
        var = (res * res).mean(axis=1)
        var = var[var > 1e-8 * var.max()] if var.max() > 0 else var[:0]
        f.append(np.sqrt(var.mean()) if var.size else np.nan)
    f = np.asarray(f)
    if not np.all(np.isfinite(f) & (f > 0)):
        return np.nan
    return float(np.polyfit(np.log2(DFA_SCALES), np.log2(f), 1)[0])


def _lomb_bands(t: np.ndarray, rr: np.ndarray) -> tuple[float, float]:
    """LF and HF power (ms^2) of the RR series ``rr`` (ms) at times ``t`` (s)."""
    from scipy.signal import lombscargle

    freqs = np.arange(0.0033, 0.5 + 1e-9, 0.0005)
    y = rr - rr.mean()
    pgram = lombscargle(t, y, 2 * np.pi * freqs)  # ~ |sum y e^{-iwt}|^2 / N, per freq
    # one-sided PSD (ms^2/Hz): x 2 T / N, T / N the mean sampling interval, so that a sine of
    # amplitude a has band power a^2 / 2. (Scaling the grid's integral to the variance had
    # pushed the variance outside 0.0033-0.5 Hz -- slow drift, or the RR series' content up
    # to half the beat rate -- into LF and HF: 891 ms^2 for a 450 ms^2 HF sine at 150 bpm.)
    dt = (t[-1] - t[0]) / (t.size - 1) if t.size > 1 else 0.0
    pgram = pgram * 2.0 * dt

    def band(lo, hi):
        m = (freqs >= lo) & (freqs < hi)
        return float(np.trapezoid(pgram[m], freqs[m]))

    return band(*LF_BAND), band(*HF_BAND)


def hrv_from_peaks(peaks: Any, *, sr: float) -> np.ndarray:
    """HRV values (named by :data:`HRV_STATS`) of R-peak sample indices.

    Parameters
    ----------
    peaks : np.ndarray [shape=(n_beats,)]
        Increasing R-peak sample indices (e.g. :func:`detect_r_peaks`); every interval is taken
        as a normal-to-normal interval (no ectopic-beat editing). Fractional (interpolated)
        indices are taken as they are, and an offset changes nothing: only the differences
        count.
    sr : float
        Sampling rate of the indices in Hz.

    Returns
    -------
    np.ndarray [shape=(22,)]
        See the module documentation for definitions, units and the least recording length of
        each value; too short a record gives NaN and an :class:`EcgWarning`.

    Raises
    ------
    InvalidSignalError
        ``peaks`` not 1-D, not finite or not increasing.

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> from physiofeat.ecg import HRV_STATS, hrv_from_peaks
    >>> peaks = np.cumsum(np.r_[0, [800, 820, 790, 810] * 20])  # ms at sr=1000
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")  # 80 s: no LF, no sample entropy
    ...     f = dict(zip(HRV_STATS, hrv_from_peaks(peaks, sr=1000)))
    >>> round(float(f["mean_nn"]), 1), round(float(f["rmssd"]), 1)
    (805.0, 21.3)
    """
    from ._core import EcgWarning

    sr = check_sr(sr)
    pk = as_signal(peaks, name="peaks", ndim=(1,)).astype(np.float64)
    if pk.size > 1 and not np.all(np.diff(pk) > 0):
        raise InvalidSignalError(
            f"peaks must be strictly increasing sample indices; got {pk.size} values whose "
            f"smallest step is {np.min(np.diff(pk)):g}"
        )
    out = np.full(len(HRV_STATS), np.nan)
    v = dict.fromkeys(HRV_STATS, np.nan)
    rr = np.diff(pk) / sr * 1000.0
    t = pk[1:] / sr
    short = []
    if rr.size >= 2:
        v["mean_nn"] = rr.mean()
        v["sdnn"] = rr.std(ddof=1)
        v["cvnn"] = v["sdnn"] / v["mean_nn"]
        v["median_nn"] = np.median(rr)
        v["mad_nn"] = 1.4826 * np.median(np.abs(rr - np.median(rr)))
        q75, q25 = np.percentile(rr, [75, 25])
        v["iqr_nn"] = q75 - q25
        v["min_nn"], v["max_nn"] = rr.min(), rr.max()
    else:
        short.append("all values (2 RR intervals)")
    if rr.size >= 3:
        d = np.diff(rr)
        v["rmssd"] = np.sqrt(np.mean(d * d))
        v["sdsd"] = d.std(ddof=1)
        v["pnn50"] = 100.0 * np.sum(np.abs(d) > 50) / rr.size
        v["pnn20"] = 100.0 * np.sum(np.abs(d) > 20) / rr.size
        x1 = (rr[:-1] - rr[1:]) / np.sqrt(2)
        x2 = (rr[:-1] + rr[1:]) / np.sqrt(2)
        v["sd1"], v["sd2"] = x1.std(ddof=1), x2.std(ddof=1)
        v["sd1_sd2"] = v["sd1"] / v["sd2"] if v["sd2"] > 0 else np.nan
    elif rr.size == 2:
        short.append("successive-difference values (3 RR intervals)")
    dur = float(t[-1] - pk[0] / sr) if rr.size else 0.0
    if rr.size >= 3:
        lf, hf = _lomb_bands(t, rr)
        if dur >= MIN_SECONDS["hf"]:
            v["hf"] = hf
        else:
            short.append(f"hf ({MIN_SECONDS['hf']:.0f} s)")
        if dur >= MIN_SECONDS["lf"]:
            v["lf"] = lf
            v["lf_hf"] = lf / hf if hf > 0 else np.nan
            v["lf_nu"] = lf / (lf + hf) if lf + hf > 0 else np.nan
            v["hf_nu"] = hf / (lf + hf) if lf + hf > 0 else np.nan
        else:
            short.append(f"lf, lf_hf, lf_nu, hf_nu ({MIN_SECONDS['lf']:.0f} s)")
    elif rr.size == 2:
        short.append("hf, lf, lf_hf, lf_nu, hf_nu (3 RR intervals)")
    if rr.size >= MIN_SAMPEN:
        from ..temporal import sample_entropy

        sd0, sd1 = rr.std(), rr.std(ddof=1)
        if sd0 > 0:
            v["sampen"] = float(sample_entropy(rr, m=2, r=0.2 * sd1 / sd0))
    elif rr.size >= 2:
        short.append(f"sampen ({MIN_SAMPEN} intervals)")
    if rr.size >= MIN_DFA:
        v["dfa_alpha1"] = _dfa_alpha(rr)
    elif rr.size >= 2:
        short.append(f"dfa_alpha1 ({MIN_DFA} intervals)")
    if short:
        warnings.warn(
            f"HRV: {rr.size} RR intervals over {dur:.3g} s is too short for "
            + "; ".join(short)
            + " (needed in parentheses); those values are NaN",
            EcgWarning,
            stacklevel=3,
        )
    for i, k in enumerate(HRV_STATS):
        out[i] = v[k]
    return out
