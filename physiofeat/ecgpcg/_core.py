"""ECG-PCG timing: electromechanical intervals per beat from a synchronous ECG and heart sound.

Per beat (one R peak of the ECG to the next), the S1 and S2 of the heart sound are found and
timed at the heart sound's full rate:

- **S1 and S2 in an ECG-gated search** (``method="gated"``, the default): S1 is the strongest
  envelope peak from 20 ms before the QRS onset to ``min(0.25 s, 0.35 RR)`` after the R peak;
  S2 the strongest peak within 0.15 s of the T-wave end (of the QT that Bazett's formula gives
  for a QTc of 0.40 s where the T end is not delineated), at least ``max(0.08 s, min(0.15 s,
  0.25 RR))`` after the S1 peak (0.15 s at rest, less at fast rates: 0.094 s at 160 bpm) and
  0.05 s before the next QRS onset. This is the ECG-referenced labelling of Springer et al.
  (2016), who placed S1 at the R peak and S2 at the T-wave end, made local. RR here is the
  beat's own (to the next R peak; the previous one for the last beat).
- **S1 and S2 from the ECG-free segmentation** (``method="hsmm"``): the S1/S2 intervals of
  :func:`physiofeat.pcg.segment` (50 Hz state resolution), each searched again at full rate
  within 40 ms of its interval; a beat takes the S1 whose peak lies between its QRS onset and
  ``0.35 RR`` after its R peak, and the first S2 after that S1 and before the next QRS onset.
  A heart sound ``segment`` refuses as silent or too short (it needs 3 s) gives beats without
  S1 and S2, as the gated search does, instead of an error.

Within a search window the envelope is the magnitude of the analytic signal of the band-passed
(25-400 Hz) heart sound, smoothed by a 5 ms zero-phase moving average. The **peak** is the
strongest local maximum of the window whose rise begins within the window; the **onset** the
last time before the peak where the envelope is below ``floor + onset_fraction * (peak -
floor)``. A maximum on the decaying tail of an earlier sound (the envelope has not fallen below
that level since before the window) is not taken: when no sound rises within the window, its
onset, peak and offset are all NaN, never the window's edge. ``floor`` is the median of the
envelope over the beat (gated) or over the recording (hsmm, whose sounds are found before they
are assigned to beats). Both methods count as no sound (NaN) a peak less than ``min_snr``
times the floor, or less than 0.2 times the median peak of that sound over the beats.

The onset is a fraction-of-peak crossing, so it lies later than the sound's first vibration by
about ``onset_fraction`` of the sound's rise time: unbiased for the 3 ms rise of
:func:`synthetic_ecg_pcg`, but 3-14 ms late at the default 0.5 for rises of 10-30 ms (real S1s
take 20-30 ms from onset to peak). EMAT, QRS-S2 and R-S1 carry that bias; their beat-to-beat
SDs much less. A lower ``onset_fraction`` moves the onsets earlier. The QRS onset is
:func:`physiofeat.ecg.delineate`'s, calibrated to where annotators mark it (LUDB): on the
noise-free Gaussian waves of :func:`synthetic_ecg_pcg` it lies about 7 ms before the wave's
nominal onset, which lengthens EMAT and QRS-S2 by as much there (``emat_onset`` 0.067 s for
the synthetic 0.060 s).

Intervals (seconds; NaN where a wave or a sound is absent):
``emat_onset`` QRS onset to S1 onset (the onset-based electromechanical activation time),
``emat_peak`` QRS onset to S1 peak (EMAT as acoustic cardiography defines it: Q onset to the
peak of S1), ``emat_peak_rr`` = ``emat_peak`` / RR (the published %EMAT, Moyers et al. 2007,
Ann Noninvasive Electrocardiol 12:89; Efstratiadis & Michaels 2008, J Card Fail 14:577, where
0.15 and above is abnormal), ``emat_rr`` = ``emat_onset`` / RR (the onset-based ratio, lower:
0.116 against 0.159 on EPHNOGRAM ECGPCG0003; not the published %EMAT), ``qrs_s2`` QRS onset
to S2 onset (electromechanical systole), ``s1_s2`` S1 onset to S2 onset, ``r_s1`` R peak to
S1 onset; with ``pr_interval`` from the ECG beside them. In both ratios RR is ``rr`` of
:func:`physiofeat.ecg.delineate`, the interval from the previous R peak to this beat's, so the
first beat's ratios are NaN. Their beat-to-beat stability is their SD.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Literal

import numpy as np

from .._errors import InvalidSignalError, ParameterError
from .._validation import as_signal, check_choice, check_float, check_sr

__all__ = ["EcgPcgBeats", "TIMING_STATS", "INTERVALS", "timing", "timing_features", "gated_segment"]

#: Per-beat intervals of :class:`EcgPcgBeats` that :func:`timing_features` summarises.
INTERVALS = (
    "emat_onset",
    "emat_peak",
    "emat_rr",
    "emat_peak_rr",
    "qrs_s2",
    "s1_s2",
    "r_s1",
    "pr_interval",
)
#: Names of :func:`timing_features`' values: median and SD of each interval, the fraction of
#: beats with an S1 and with an S2.
TIMING_STATS = tuple(f"{w}_{s}" for w in INTERVALS for s in ("median", "sd")) + (
    "s1_fraction",
    "s2_fraction",
)

_SMOOTH = 0.005  # s, envelope smoothing
_FLOOR_Q = 50.0  # percentile of the beat's envelope taken as its floor
_HSMM_MARGIN = 0.04  # s, full-rate search around a segmented sound
_MIN_REL = 0.2  # a sound peak below this x the median over beats is no sound
_MAX_TRIES = 8  # local maxima of a search window tried, strongest first
_S1_S2_MIN = 0.15  # s, the gated S2 search starts this long after the S1 peak at rest ...
_S1_S2_RR = 0.25  # ... or this fraction of RR where that is shorter (fast rates) ...
_S1_S2_FLOOR = 0.08  # s, ... but never less than this


@dataclass(frozen=True)
class EcgPcgBeats:
    """Per-beat ECG and heart-sound times (s from the recording's start) and intervals (s).

    Attributes
    ----------
    r_time, qrs_onset, t_end, rr, pr_interval : np.ndarray [shape=(n_beats,)]
        From :func:`physiofeat.ecg.delineate`.
    s1_onset, s1_peak, s2_onset, s2_peak : np.ndarray
        Heart-sound times (NaN where the sound was not found).
    emat_onset, emat_peak, emat_rr, emat_peak_rr, qrs_s2, s1_s2, r_s1 : np.ndarray
        The intervals described in :mod:`physiofeat.ecgpcg`.
    method : str
        ``"gated"`` or ``"hsmm"``.
    """

    r_time: np.ndarray
    qrs_onset: np.ndarray
    t_end: np.ndarray
    rr: np.ndarray
    pr_interval: np.ndarray
    s1_onset: np.ndarray
    s1_peak: np.ndarray
    s2_onset: np.ndarray
    s2_peak: np.ndarray
    emat_onset: np.ndarray
    emat_peak: np.ndarray
    emat_rr: np.ndarray
    emat_peak_rr: np.ndarray
    qrs_s2: np.ndarray
    s1_s2: np.ndarray
    r_s1: np.ndarray
    method: str = "gated"

    def __len__(self) -> int:
        return int(self.r_time.size)

    def to_dict(self) -> dict[str, np.ndarray]:
        """Plain arrays by column name."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "method"}

    def to_frame(self):
        """A pandas DataFrame, one row per beat."""
        import pandas as pd

        return pd.DataFrame(self.to_dict())


def _envelope(pcg: np.ndarray, sr: float) -> np.ndarray:
    from scipy.ndimage import uniform_filter1d
    from scipy.signal import hilbert

    from ..pcg import bandpass

    fmax = 400.0 if sr > 2 * 400.0 * 1.05 else None
    y = bandpass(pcg, sr=sr, fmin=25.0, fmax=fmax)
    env = np.abs(hilbert(y))
    w = max(1, int(round(_SMOOTH * sr)))
    return uniform_filter1d(env, size=w, mode="nearest")


def _mark(env, sr, t0, t1, floor, frac, min_snr):
    """(onset, peak, offset) in seconds of the strongest envelope peak in [t0, t1] whose rise
    begins within the window, or NaNs.

    A local maximum whose envelope has not fallen below the onset level since before ``t0``
    (the window's first sample on the decaying tail of an earlier sound, or a ripple on it) is
    not a sound that starts here: the next strongest is tried, and when none rises within the
    window, onset, peak and offset are all NaN (never the window's edge).
    """
    n = env.size
    if not np.isfinite(t0 + t1):
        return np.nan, np.nan, np.nan
    i0, i1 = max(0, int(np.ceil(t0 * sr))), min(n, int(np.floor(t1 * sr)) + 1)
    if i1 - i0 < 2:
        return np.nan, np.nan, np.nan
    w = env[i0:i1]
    d = np.diff(w)
    # local maxima of the window (its two ends included), strongest first
    cand = np.flatnonzero(np.r_[True, d >= 0] & np.r_[d <= 0, True])
    for j in cand[np.argsort(-w[cand], kind="stable")][:_MAX_TRIES]:
        k = i0 + int(j)
        peak = env[k]
        if not peak > min_snr * floor:
            break  # the rest are weaker still
        level = floor + frac * (peak - floor)
        lo = max(0, i0 - 1)
        below = np.flatnonzero(env[lo:k] < level)
        if below.size:
            on = lo + below[-1] + 1
        elif i0 == 0:
            on = 0
        else:
            continue  # the rise began before the window: another sound runs into this one
        after = np.flatnonzero(env[k:] < level)
        off = k + after[0] if after.size else n - 1
        # sub-sample crossing by linear interpolation (on is the first sample at or above level)
        t_on = on
        if on > 0 and env[on] != env[on - 1]:
            t_on = on - 1 + (level - env[on - 1]) / (env[on] - env[on - 1])
        return t_on / sr, k / sr, off / sr
    return np.nan, np.nan, np.nan


def _beat_floors(env, sr, r_time):
    edges = np.r_[0, np.round(r_time * sr).astype(int), env.size]
    edges = np.clip(edges, 0, env.size)
    out = np.full(r_time.size, np.nan)
    for i in range(r_time.size):
        a, b = edges[i + 1], edges[i + 2] if i + 2 < edges.size else env.size
        if b - a < 2:
            a, b = edges[i], edges[i + 1]
        seg = env[a:b] if b - a >= 2 else env
        out[i] = np.percentile(seg, _FLOOR_Q)
    return out


def _expected_t_end(qrs_onset, rr, t_end):
    """The delineated T end, else the QRS onset + Bazett QT for QTc 0.40 s."""
    qt = 0.40 * np.sqrt(np.where(np.isfinite(rr), rr, np.nanmedian(rr) if rr.size else 1.0))
    return np.where(np.isfinite(t_end), t_end, qrs_onset + qt)


def _check_common(pcg, sr, onset_fraction, min_snr):
    sr = check_sr(sr, name="pcg_sr")
    pcg = as_signal(pcg, ndim=(1,), name="pcg")
    if pcg.size < int(sr):
        raise InvalidSignalError(
            f"pcg has {pcg.size} samples ({pcg.size / sr:.3g} s at {sr:g} Hz); ECG-PCG timing "
            f"needs at least 1 s"
        )
    frac = check_float(onset_fraction, "onset_fraction", minimum=0.0, strict_min=True)
    if not frac < 1.0:
        raise ParameterError(f"onset_fraction must be in (0, 1); got {onset_fraction!r}")
    snr = check_float(min_snr, "min_snr", minimum=1.0)
    return np.asarray(pcg, dtype=np.float64), sr, frac, snr


def _ecg_rate(sr, beats) -> float:
    """The ECG's rate: ``sr``, else that of a delineation given as ``beats``; the two must agree."""
    from ..ecg import EcgBeats

    known = float(beats.sr) if isinstance(beats, EcgBeats) else None
    if sr is None:
        if known is None:
            raise ParameterError("sr (the ECG's sampling rate in Hz) is required with an ECG array")
        return known
    sr = check_sr(sr)
    if known is not None and sr != known:
        raise ParameterError(
            f"sr={sr:g} Hz, but beats= was delineated at {known:g} Hz; drop sr or give the "
            "delineation's rate"
        )
    return sr


def _beats_of(ecg, ecg_sr, beats):
    from ..ecg import EcgBeats, delineate

    if beats is not None:
        if not isinstance(beats, EcgBeats):
            raise ParameterError(
                f"beats must be a physiofeat.ecg.EcgBeats (from delineate); got "
                f"{type(beats).__name__}"
            )
        return beats
    if ecg is None:
        raise ParameterError("give the ECG (with sr) or its delineation as beats=")
    return delineate(ecg, sr=ecg_sr)


def _weak(rows, amps, rel):
    """NaN the rows whose peak amplitude is below ``rel`` x the median peak over beats."""
    ok = np.isfinite(amps)
    if ok.sum() >= 2:
        bad = ok & (amps < rel * np.median(amps[ok]))
        rows[bad] = np.nan
        amps[bad] = np.nan
    return rows


def _beat_times(b):
    """(R times, QRS onsets with R - 40 ms where absent, each beat's RR: to the next R, else
    from the previous, else the median RR, else 1 s)."""
    r, q, rr = b.r_time, b.qrs_onset, b.rr
    q = np.where(np.isfinite(q), q, r - 0.04)
    rr_next = np.r_[r[1:], np.nan] - r
    rr_use = np.where(np.isfinite(rr_next), rr_next, rr)
    rr_use = np.where(
        np.isfinite(rr_use), rr_use, np.nanmedian(rr) if np.isfinite(rr).any() else 1.0
    )
    return r, q, rr_use


def _gated_marks(env, sr, b, frac, snr):
    r, q, rr_use = _beat_times(b)
    q_next = np.r_[q[1:], q[-1] + rr_use[-1] if q.size else np.nan]
    floors = _beat_floors(env, sr, r)
    te = _expected_t_end(q, rr_use, b.t_end)
    s1 = np.full((r.size, 3), np.nan)
    s2 = np.full((r.size, 3), np.nan)
    for i in range(r.size):
        s1[i] = _mark(
            env, sr, q[i] - 0.02, r[i] + min(0.25, 0.35 * rr_use[i]), floors[i], frac, snr
        )
    s1 = _weak(s1, _amp(env, sr, s1[:, 1]), _MIN_REL)
    gap = np.maximum(_S1_S2_FLOOR, np.minimum(_S1_S2_MIN, _S1_S2_RR * rr_use))
    for i in range(r.size):
        lo = max(te[i] - 0.15, (s1[i, 1] if np.isfinite(s1[i, 1]) else r[i]) + gap[i])
        hi = min(te[i] + 0.15, q_next[i] - 0.05)
        if hi > lo:
            s2[i] = _mark(env, sr, lo, hi, floors[i], frac, snr)
    s2 = _weak(s2, _amp(env, sr, s2[:, 1]), _MIN_REL)
    return s1, s2


def _amp(env, sr, t):
    out = np.full(t.size, np.nan)
    ok = np.isfinite(t)
    out[ok] = env[np.clip(np.round(t[ok] * sr).astype(int), 0, env.size - 1)]
    return out


def _hsmm_marks(env, sr, b, seg, frac, snr):
    from ..pcg import S1, S2

    r, q, rr_use = _beat_times(b)
    q_next = np.r_[q[1:], np.inf]
    m = _HSMM_MARGIN
    floor = np.percentile(env, _FLOOR_Q)  # the recording's: a segmented sound has no beat yet
    sounds = {}
    for state in (S1, S2):
        rows = [_mark(env, sr, a - m, e + m, floor, frac, snr) for a, e in seg.sounds(state)]
        sounds[state] = np.array(rows, dtype=np.float64).reshape(-1, 3)
    s1 = np.full((r.size, 3), np.nan)
    s2 = np.full((r.size, 3), np.nan)
    for i in range(r.size):
        c = sounds[S1]
        ok = (c[:, 1] >= q[i] - 0.02) & (c[:, 1] <= r[i] + 0.35 * rr_use[i])
        ok &= c[:, 1] > 0.0  # (a peak on the very first sample is not taken)
        if ok.any():
            s1[i] = c[np.flatnonzero(ok)[0]]
        c = sounds[S2]
        start = s1[i, 1] if np.isfinite(s1[i, 1]) else r[i]
        ok = (c[:, 1] > start + 0.1) & (c[:, 1] < q_next[i])
        if ok.any():
            s2[i] = c[np.flatnonzero(ok)[0]]
    s1 = _weak(s1, _amp(env, sr, s1[:, 1]), _MIN_REL)
    s2 = _weak(s2, _amp(env, sr, s2[:, 1]), _MIN_REL)
    return s1, s2


def gated_segment(
    pcg: Any, *, sr: float, beats: Any, onset_fraction: float = 0.5, min_snr: float = 3.0
):
    """ECG-gated segmentation of a heart sound: S1/systole/S2/diastole from the ECG's beats.

    Parameters
    ----------
    pcg : np.ndarray [shape=(n,)]
        Heart sound.
    sr : float
        Its sampling rate in Hz.
    beats : physiofeat.ecg.EcgBeats
        The ECG's delineation (:func:`physiofeat.ecg.delineate`), in seconds from the same start.
    onset_fraction, min_snr : float
        As in :func:`timing`.

    Returns
    -------
    physiofeat.pcg.Segmentation
        S1 and S2 from each sound's onset to its offset (where the envelope falls below the
        onset level again), systole and diastole between them; beats without a sound leave
        their span unannotated (state 0).
    """
    from ..pcg import DIASTOLE, S1, S2, SYSTOLE, Segmentation

    pcg, sr, frac, snr = _check_common(pcg, sr, onset_fraction, min_snr)
    b = _beats_of(None, None, beats)
    env = _envelope(pcg, sr)
    s1, s2 = _gated_marks(env, sr, b, frac, snr)
    return _segmentation_from_marks(s1, s2, pcg.size, sr, Segmentation, (S1, SYSTOLE, S2, DIASTOLE))


def _segmentation_from_marks(s1, s2, n, sr, Segmentation, codes):
    S1, SYSTOLE, S2, DIASTOLE = codes
    rows = []
    dur = n / sr
    for i in range(s1.shape[0]):
        a1, e1 = s1[i, 0], s1[i, 2]
        a2, e2 = s2[i, 0], s2[i, 2]
        if np.isfinite(a1):
            rows.append((a1, e1, S1))
            if np.isfinite(a2) and a2 > e1:
                rows.append((e1, a2, SYSTOLE))
        if np.isfinite(a2) and not a2 <= e1:  # an S2 is kept without its beat's S1
            rows.append((a2, e2, S2))
            nxt = s1[i + 1, 0] if i + 1 < s1.shape[0] else np.nan
            if np.isfinite(nxt) and nxt > e2:
                rows.append((e2, nxt, DIASTOLE))
    iv = np.array(rows, dtype=np.float64).reshape(-1, 3)
    iv[:, :2] = np.clip(iv[:, :2], 0.0, dur)
    keep = iv[:, 1] > iv[:, 0]
    # drop rows that overlap the previous kept row (sounds found twice)
    out = []
    end = -np.inf
    for row in iv[keep]:
        if row[0] >= end - 1e-9:
            out.append(row)
            end = row[1]
    return Segmentation.from_intervals(np.array(out).reshape(-1, 3), sr=sr, n_samples=n)


def _segment_or_none(segment, pcg, sr):
    """``segment(pcg, sr=sr)``, or None for a heart sound it refuses as silent or too short
    (the input is already checked 1-D and finite): the beats then have no S1 or S2."""
    if not np.any(pcg):
        return None
    try:
        return segment(pcg, sr=sr)
    except InvalidSignalError as e:
        if "silent" in str(e) or "too short" in str(e):
            return None
        raise


def _check_same_length(ecg_s: float, sr: float, pcg_s: float, pcg_sr: float) -> None:
    """The ECG and the PCG of one recording last about as long; lengths more than 2 % (and
    0.6 s) apart are two recordings or a wrong rate (a PCG at 8 kHz given ``pcg_sr`` 1 kHz, at
    48 kHz given 44.1 kHz, at 2048 Hz given 2000 Hz on a record of 30 s or more)."""
    if np.isfinite(ecg_s) and abs(ecg_s - pcg_s) > max(0.6, 0.02 * max(ecg_s, pcg_s)):
        raise ParameterError(
            f"the ECG lasts {ecg_s:.4g} s at sr={sr:g} Hz and the PCG {pcg_s:.4g} s at "
            f"pcg_sr={pcg_sr:g} Hz: one synchronous recording's two signals last as long; "
            "is pcg_sr the heart sound's rate?"
        )


def timing(
    ecg: Any,
    pcg: Any,
    *,
    sr: float | None = None,
    pcg_sr: float | None = None,
    method: Literal["gated", "hsmm"] = "gated",
    beats: Any = None,
    segmentation: Any = None,
    onset_fraction: float = 0.5,
    min_snr: float = 3.0,
) -> EcgPcgBeats:
    """Per-beat electromechanical intervals of a synchronous ECG and heart sound.

    Parameters
    ----------
    ecg : np.ndarray [shape=(n,) or (n_leads, n)], or None
        The ECG (one lead or one multi-lead recording), or ``None`` with ``beats=``.
    pcg : np.ndarray [shape=(m,)]
        The heart sound, starting at the same instant as the ECG.
    sr : float
        The ECG's sampling rate in Hz; with ``beats=`` it may be left out (``beats.sr``).
    pcg_sr : float, optional
        The heart sound's rate (default ``sr``). The two signals must last as long (within
        2 % or 0.6 s): a ParameterError otherwise. A rate wrong by less than that (2000 Hz
        given for 2048 Hz on a 10 s record) is not detected and stretches the PCG's times.
    method : {"gated", "hsmm"}
        Where S1 and S2 are looked for (see :mod:`physiofeat.ecgpcg`).
    beats : physiofeat.ecg.EcgBeats, optional
        A delineation of the ECG already made (skips :func:`physiofeat.ecg.delineate`).
    segmentation : physiofeat.pcg.Segmentation, optional
        With ``method="hsmm"``: a segmentation already made (default: ``pcg.segment``).
    onset_fraction : float
        A sound's onset is where its envelope rises through this fraction of the way from the
        beat's floor to the sound's peak (0 < f < 1).
    min_snr : float
        A peak below ``min_snr`` x the envelope floor (the beat's; with ``method="hsmm"`` the
        recording's) is no sound (>= 1). In both methods a peak below 0.2x the median peak of
        that sound over the beats is no sound either.

    Returns
    -------
    EcgPcgBeats

    Examples
    --------
    >>> import numpy as np, physiofeat
    >>> from physiofeat.ecgpcg import synthetic_ecg_pcg
    >>> ecg, pcg, sr, truth = synthetic_ecg_pcg(duration=10.0, sr=2000, emat=0.06, qs2=0.36)
    >>> b = physiofeat.ecgpcg.timing(ecg, pcg, sr=sr)
    >>> len(b), bool(np.max(np.abs(b.s1_onset - truth["s1_onset"])) < 0.002)
    (11, True)
    >>> b.to_frame()[["qrs_onset", "s1_onset", "emat_onset", "qrs_s2"]].shape
    (11, 4)
    """
    method = check_choice(method, "method", ("gated", "hsmm"))
    if method == "gated" and segmentation is not None:
        raise ParameterError(
            'segmentation= is used by method="hsmm" only; method="gated" finds S1 and S2 in '
            'windows the ECG sets: pass method="hsmm" to use the segmentation, or leave it out'
        )
    ecg_sr = _ecg_rate(sr, beats)
    pcg_sr = ecg_sr if pcg_sr is None else pcg_sr
    pcg, pcg_sr, frac, snr = _check_common(pcg, pcg_sr, onset_fraction, min_snr)
    b = _beats_of(ecg, ecg_sr, beats)
    _check_same_length(b.duration, ecg_sr, pcg.shape[0] / pcg_sr, pcg_sr)
    env = _envelope(pcg, pcg_sr)
    if method == "gated":
        s1, s2 = _gated_marks(env, pcg_sr, b, frac, snr)
    else:
        from ..pcg import Segmentation, segment

        if segmentation is None:
            segmentation = _segment_or_none(segment, pcg, pcg_sr)
        elif not isinstance(segmentation, Segmentation):
            raise ParameterError(
                f"segmentation must be a physiofeat.pcg.Segmentation; got "
                f"{type(segmentation).__name__}"
            )
        if segmentation is None:  # a silent or too short PCG: no sounds, as method="gated"
            s1 = s2 = np.full((len(b), 3), np.nan)
        else:
            s1, s2 = _hsmm_marks(env, pcg_sr, b, segmentation, frac, snr)
    q = b.qrs_onset
    with np.errstate(invalid="ignore", divide="ignore"):
        return EcgPcgBeats(
            r_time=b.r_time,
            qrs_onset=q,
            t_end=b.t_end,
            rr=b.rr,
            pr_interval=b.pr_interval,
            s1_onset=s1[:, 0],
            s1_peak=s1[:, 1],
            s2_onset=s2[:, 0],
            s2_peak=s2[:, 1],
            emat_onset=s1[:, 0] - q,
            emat_peak=s1[:, 1] - q,
            emat_rr=(s1[:, 0] - q) / b.rr,
            emat_peak_rr=(s1[:, 1] - q) / b.rr,
            qrs_s2=s2[:, 0] - q,
            s1_s2=s2[:, 0] - s1[:, 0],
            r_s1=s1[:, 0] - b.r_time,
            method=method,
        )


def timing_features(beats: EcgPcgBeats) -> np.ndarray:
    """Median and SD of each interval over beats, and the fraction of beats with S1 and S2,
    named by :data:`TIMING_STATS` (NaN where no beat has the interval)."""
    if not isinstance(beats, EcgPcgBeats):
        raise ParameterError(
            f"timing_features: beats must be a physiofeat.ecgpcg.EcgPcgBeats (from timing); got "
            f"{type(beats).__name__}"
        )
    out = []
    for w in INTERVALS:
        v = np.asarray(getattr(beats, w), dtype=np.float64)
        v = v[np.isfinite(v)]
        out.append(np.median(v) if v.size else np.nan)
        out.append(np.std(v, ddof=1) if v.size > 1 else np.nan)
    n = max(len(beats), 1)
    out.append(np.isfinite(beats.s1_onset).sum() / n if len(beats) else np.nan)
    out.append(np.isfinite(beats.s2_onset).sum() / n if len(beats) else np.nan)
    return np.array(out)
