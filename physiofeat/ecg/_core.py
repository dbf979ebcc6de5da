"""ECG delineation: R peaks, QRS onset, P onset / P peak, and the PR interval features.

Method
------
1. *Filtering* (zero-phase, SciPy ``sosfiltfilt``): impulses (a sample more than 1.5 times the
   lead's amplitude away from its +-3 ms running median: electrostatic or pacing spikes; outside
   the pacing spikes of paced record 34, no LUDB or QTDB sample exceeds 0.87) are replaced by
   that median first. Then a 0.5-40 Hz band-pass (each end padded with 2 s of its mirror
   image; see 4) removes baseline wander and EMG noise for delineation; a 5-15 Hz band-pass
   feeds the QRS detector. When 50 or 60 Hz
   mains stands out of a lead's spectrum (periodogram peak 200 times its neighbours: about
   20 uV on a 1 mV ECG), a notch (Q 30) at that frequency is added to the delineation band-pass
   (only then: a notch rings around every QRS, which on clean records costs QRS-onset accuracy).
2. *R peaks* (Pan & Tompkins 1985; Hamilton & Tompkins 1986): squared derivative of the 5-15 Hz
   signal, each lead scaled by its own robust QRS energy and summed over leads, smoothed by a
   150 ms moving window; energy peaks at least 200 ms apart are classified by adaptive signal /
   noise levels with search-back after 1.66 mean RR (Numba). The levels start from the first
   10 s (the learning phase), and the signal level halves for every further 1.66 mean RR in which
   search-back finds nothing (down to 1/32 of its start), so recordings whose amplitude grows or
   drops suddenly keep their beats. A detection that looks like no QRS of the record (its best
   correlation over leads with the mean of the other beats below 0.5) and splits one RR in two
   (its two intervals sum to the median RR +-20 %) is an artefact -- an electrode-motion step, a
   noise burst -- and is dropped, least QRS-like first; an ectopic beat is kept, its compensatory
   pause makes its two intervals sum to about two RR. The R peak of each lead is the
   extremum, in the lead's dominant QRS polarity, within 60 ms of the energy peak, so inverted leads
   work; the polarity is judged over +-100 ms, which holds a whole QRS even when a wide complex
   puts the energy peak late (a +-60 ms window can miss the R apex and pick the S wave).
3. *QRS onset* (after the wavelet delineator of Martinez et al. 2004, whose quadratic-spline
   wavelet transform is the derivative of a smoothed signal; here a derivative of a Gaussian):
   each beat's own onset -- going back from the largest slope before R (sigma 4 ms), the first
   sample after which the slope stays below 7 % of the QRS's largest slope for 6 ms (the
   isoelectric PR segment), so the zero slope at a Q trough does not stop the search -- anchors
   the P-wave search. The reported onset is refined on the record's median beat: every beat is
   aligned to the median QRS (+-60 ms) by the fractional shift (parabolic vertex, within +-16 ms)
   of best correlation; the beats correlating at least 0.9 form the median beat, whose onset is
   taken by the same rule at 15 % (a noise-averaged template allows a higher, less
   morphology-dependent threshold; the crossing is interpolated between samples) on the median
   beat resampled to 2 kHz, whatever the recording's rate (on the recording's own grid a ~5 ms
   Q-wave trough passed for the quiet PR segment on some grids and not on others: LUDB record
   15 resampled to 250-2000 Hz had PR medians 15 ms apart), and carried back to each beat by its
   shift. A beat's onset is 0.7 x that template
   onset + 0.3 x its own onset (beat-specific changes are kept, single-beat noise is shrunk).
   Beats of another shape (correlation < 0.9: ectopic beats) and runs with fewer than three
   aligned beats keep their own onset. Long recordings are taken in runs of at most 60 beats,
   each with its own median beat, so slow QRS changes are followed (not tuned: the validation
   figures barely move between runs of 15 beats and one run per record).
4. *P wave*: a P wave repeats beat after beat, an atrial fibrillation wave does not. Each lead's
   median pre-QRS segment (aligned on the QRS onset; segments whose shape lies more than 5 times
   the median distance from that median -- a baseline step, a noise burst, a false beat -- are
   left out and the median retaken) is delineated like a single beat: in the
   window from the end of the previous T wave (half an RR after the previous R) to 25 ms before
   the QRS onset, the largest slope of the Gaussian-smoothed signal (sigma 6 ms) and the largest
   opposite slope within 120 ms form the P wave's pair of modulus maxima (Martinez et al. 2004);
   the P peak is the extremum between them, the onset where the slope falls below 20 % of the
   first one going back. The template P wave counts if its amplitude is at least 1.5 % of the QRS
   amplitude and it starts at least 20 ms after the window start (a wave running into the window
   start -- flutter waves, P on T -- is not taken for one; the price: a true P wave
   that starts less than 20 ms after that T-end estimate, as in sinus tachycardia above about
   150 bpm with a long PR, is missed too and its PR is NaN). It is then located in each beat by the
   shift (within +-40 ms) that best correlates its slopes with the beat's; beats correlating
   below 0.7 (``p_threshold``) get no P wave (NaN): atrial fibrillation, flutter, paced or
   dissociated beats -- unless at least half the beats reach it: then the record has a P wave,
   and its other beats are searched again within +-20 ms of the matched beats' median shift
   (the PR interval barely changes from beat to beat) and take a P wave at correlation 0.4.
   Fibrillation waves, flutter waves and paced beats of LUDB lead II and QTDB lead 0 reach 0.7
   on at most 29 % of a record's beats (AF record 88; see the gates in 4), so this does not
   open for them (in five other leads of
   flutter record 35 the flutter waves match at 0.7 already, and the multi-lead rule, half the
   leads, keeps them out). On LUDB lead II it found the 10 P waves that 0.7 missed (records 17
   and 56: muscle noise on faint P waves; 62: one beat at 0.700), chosen on the odd records
   (record 17's weakest true P correlates 0.49) with the even records as the check. Beats left without a P wave are searched again with the template of
   their run of 8 beats (runs on two grids half a run apart), at a stricter correlation (0.95):
   a P wave whose shape changes along the record (a wandering atrial pacemaker) matches no
   record-wide template but its run's; on LUDB and QTDB no non-sinus beat gains a P wave from
   it. A lower threshold finds faint P waves in noise at the price of taking more
   fibrillation / flutter waves for P waves (the trade-off is in benchmarks/validate_ecg.py).
   A second pass re-delineates the template aligned on the first-pass P onsets (sharper: no smear
   from the PR and QRS-onset jitter) and shifts every onset by the correction; this final onset is
   taken at a coarser scale, as Martinez et al. do for the P wave: the template smoothed to a
   total Gaussian sigma of 14 ms, onset where the slope falls below 50 % of the first modulus
   maximum (less sensitive to the P wave's shape than 20 % at 6 ms), interpolated between
   samples (taken to the sample it moved the PR by up to 4 ms at 250 Hz). The median pre-QRS
   segment is smoothed by a further 2 ms Gaussian first: a median of beats is rough at the
   scale of a sample, and at 1 kHz that roughness stopped the onset search inside the P wave.
   The P wave, and each beat's own QRS onset that aligns its template, are taken at one rate,
   500 Hz (where the rules were tuned; LUDB's rate): a lead recorded at another rate is
   resampled to it before the band-pass, and the band-pass pads each end with 2 s of its mirror
   image (one period of the 0.5 Hz edge) at every rate. At the recording's own rate the steps
   that decide the P template -- a beat's
   own QRS onset at 7 % of the largest slope, which of a few beats the robust median keeps, the
   1.5 % amplitude gate -- took small differences of the filtered signal (a band-pass designed
   at 2 kHz lets through more 60-250 Hz muscle noise than at 500 Hz; SciPy pads a number of
   samples, not of seconds) into P onsets 20-40 ms apart: of the 36 LUDB sinus records
   resampled to 250, 500, 1000 and 2000 Hz, 15 had lead-II PR medians more than 2 ms apart,
   then 3 (11, 17, 56), now none. Those three went with SciPy's default padding (30 ms at
   500 Hz, point-symmetric about the end sample): one perturbed end sample -- a resampler's
   edge -- shifted the whole extension, and the 0.5 Hz high-pass rang with a third of it over
   the last second, as large as a P wave (record 56's P template was 1.36 % of the QRS at
   250 Hz, under the 1.5 % gate, and 1.56-1.58 % at 500-2000 Hz). The price of the mirror:
   noisy record 17's template matches 5 of its 12 beats at 0.7 instead of 7, its weak search
   no longer opens and 5 true P waves are missed (LUDB lead-II P sensitivity 100 -> 98.3 %).
   Two gates keep out what the new template of paced and fibrillation records let in (the
   fractions of beats at 0.7 moved with it: AF record 88 from 7 % to 29 %): a P wave starts at
   least 60 ms (``p_min_pr_ms``: no P wave is shorter, and it ends before the QRS starts)
   before the QRS onset -- the template of paced record 34 (ventricular pacing over a
   III-degree AV block) starts 40 ms before it, the pacing artefact; and in an irregularly
   irregular rhythm (median absolute difference of successive RR intervals above 15 % of the
   median RR: LUDB's two AF records 19 % and 27 %, its 36 sinus records at most 12 %, QTDB's
   at most 4 %) a P wave that fewer than half the beats show is fibrillation waves lining up
   with the template by chance, and the record gets none (a sinus rhythm as irregular, whose
   every beat has its P wave, keeps them).
5. *Calibration*: the onsets sit on average after the cardiologists' marks; constants are
   subtracted: 14 ms for the template-refined onset and 10 ms for a beat's own onset (used for
   ectopic beats). All parameters were tuned on LUDB; the QT Database was held out. The QRS
   template refinement (15 % threshold, 0.3 own-beat weight, sigma 4 ms) was chosen on the
   odd-numbered LUDB records only (lead-II QRS-onset SD, over a grid of threshold 5-25 %, weight
   0-0.7, sigma 2-8 ms) and its calibrations set to centre the odd records' errors; the
   even-numbered records and QTDB served as checks (benchmarks/validate_ecg.py has the numbers).
6. *Multi-lead*: a lead whose QRS does not repeat from beat to beat (each beat correlated
   with the mean of the lead's other beats, median below 0.5: a flat, disconnected, noise- or
   mains-only lead; real leads of LUDB and QTDB score at least 0.64) is dropped first, and the
   QRS detection (over all remaining leads) rerun. The global QRS onset is found with the same
   rules (own beat, then median-beat refinement aligned on the lead with the largest QRS
   slopes) on the spatial velocity (root sum of squared lead slopes), which starts moving with
   the earliest lead, as the CSE global onset does; its calibration (9 ms for the refined onset)
   centres the odd LUDB records' errors against the median of the 12 leads' marks (a beat's own
   spatial onset keeps the earlier LUDB calibration, 8 ms). The
   P onset is the 20th percentile over the leads where a P wave was found (robust to leads where
   the P wave is flat or misplaced) and a beat has a P wave when at least half the leads show
   one (at ``p_threshold``: the weak second search of 4 is for a single lead; over the leads it
   gave LUDB no beat a P wave -- the 10 multi-lead misses are beats of record 56, whose P wave
   is too flat for a template in 6 of its 12 leads (aVF, V2-V6) -- and moved the 20th percentile, P-onset SD against the median
   of the leads' marks 5.50 -> 5.65 ms on the odd records); R and P peaks are medians over
   leads.
7. *Checks*: a wave placed outside the recording (the QRS onset of a beat cut by the start) is
   NaN. A signal whose QRS-like complexes do not repeat (the best lead's median correlation of
   each beat with the mean of the others, :attr:`EcgBeats.ecg_score`, below 0.5; real LUDB and
   QTDB leads score at least 0.64, heart sounds 0.03-0.47) does not look like an ECG: the
   functions warn (:class:`EcgWarning`) and the summary features are NaN, with the reason in
   the registered features' ``attrs``.

References
----------
Pan J, Tompkins WJ. A real-time QRS detection algorithm. IEEE Trans Biomed Eng 1985;32(3):230-236.
Martinez JP, Almeida R, Olmos S, Rocha AP, Laguna P. A wavelet-based ECG delineator: evaluation on
standard databases. IEEE Trans Biomed Eng 2004;51(4):570-581.
The CSE Working Party. Recommendations for measurement standards in quantitative
electrocardiography. Eur Heart J 1985;6(10):815-825.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from .._errors import InvalidSignalError, ParameterError
from .._validation import as_signal, check_float, check_sr
from . import _kernels as K
from . import _qt
from ._hrv import HRV_STATS, hrv_from_peaks
from ._qt import QT_PARAMS

__all__ = [
    "EcgBeats",
    "EcgWarning",
    "HRV_STATS",
    "QT_STATS",
    "hrv_features",
    "hrv_from_peaks",
    "qt_features",
    "summarize_qt",
    "PR_STATS",
    "detect_r_peaks",
    "delineate",
    "pr_features",
    "summarize_beats",
]

MIN_SR = 100.0
#: Highest sampling rate (Hz) delineation takes: the P wave and QRS onsets are taken at 500 Hz
#: (``p_rate_hz``), by a polyphase ratio of integers up to 1000 (a recording at more is
#: resampled first: :func:`physiofeat.io.resample`).
MAX_SR = 100_000.0
MIN_DURATION = 2.0  # seconds: two beats at 60 bpm

#: Names of the values :func:`qt_features` returns, in order.
QT_STATS: tuple[str, ...] = (
    "qrs_duration_median",
    "qrs_duration_mean",
    "qrs_duration_sd",
    "qt_median",
    "qt_mean",
    "qt_sd",
    "qtc_median",
    "qtc_mean",
    "qtc_sd",
    "t_fraction",
)

#: Names of the values :func:`pr_features` returns, in order.
PR_STATS: tuple[str, ...] = (
    "heart_rate",
    "rr_mean",
    "rr_sd",
    "rr_rmssd",
    "pr_mean",
    "pr_median",
    "pr_sd",
    "pr_cv",
    "pr_rmssd",
    "pr_min",
    "pr_max",
    "pr_peak_mean",
    "pr_peak_sd",
    "p_fraction",
    "pr_rr_corr",
)

# Tuned on LUDB (see benchmarks/validate_ecg.py); QTDB is held out. Tried and not adopted: a
# coarser, higher-threshold per-beat QRS onset (sigma 8 ms, 20 % of the largest slope, 14 ms
# calibration) brings the LUDB lead-II QRS-onset SD from 8.3 to 6.0 ms but takes held-out QTDB
# lead 0 from 7.5 to 10.7 ms (LUDB marks each lead's own onset, QTDB's q1c marks are two-lead
# onsets), so it fits LUDB's annotation convention rather than the QRS. Also tried on the median
# beat and not adopted (worse on both datasets): lower thresholds (2-5 %), the threshold relative
# to the first deflection's own slope maximum (Martinez et al.), and the knee of the signal
# against the chord from the PR segment to the first slope maximum.
_PARAMS: dict[str, Any] = {
    "qrs_band": (5.0, 15.0),
    "band": (0.5, 40.0),
    "notch": (50.0, 60.0),
    "notch_ratio": 200.0,
    "mwi_ms": 150.0,
    "refractory_ms": 200.0,
    "learn_blocks": 5,
    "r_half_ms": 60.0,
    "r_search_ms": 100.0,
    "q_sigma_ms": 4.0,
    "q_lo_ms": 120.0,
    "q_hi_ms": 60.0,
    "q_xi": 0.07,
    "q_quiet_ms": 6.0,
    "q_bias_ms": 10.0,
    "q_spatial": True,
    "q_bias_spatial_ms": 8.0,
    "qt_half_ms": 60.0,
    "qt_shift_ms": 16.0,
    "qt_corr": 0.9,
    "qt_sigma_ms": 4.0,
    "qt_xi": 0.15,
    "qt_blend": 0.3,
    "qt_rate_hz": 2000.0,
    "qt_run": 60,
    "qt_bias_ms": 14.0,
    "qt_bias_spatial_ms": 9.0,
    "p_sigma_ms": 6.0,
    "p_win_ms": 330.0,
    "p_gap_ms": 25.0,
    "p_min_win_ms": 60.0,
    "p_t_frac": 0.5,
    "p_pair_ms": 120.0,
    "p_xi": 0.2,
    "p_amp_rel": 0.015,
    "p_corr": 0.7,
    "p_quiet_ms": 20.0,
    "p_pre_ms": 20.0,
    "p_shift_ms": 40.0,
    "p_refine": True,
    "p_on_sigma_ms": 14.0,
    "p_on_xi": 0.5,
    "p_on_bias_ms": 1.0,
    "p_tmpl_outlier": 5.0,
    "p_tmpl_sigma_ms": 2.0,
    "p_run": 8,
    "p_run_corr": 0.95,
    "p_rate_hz": 500.0,
    "p_weak_corr": 0.4,
    "p_weak_frac": 0.5,
    "p_weak_shift_ms": 20.0,
    "p_min_pr_ms": 60.0,
    "p_irregular": 0.15,
    "p_irregular_frac": 0.5,
    "lead_quantile_q": 0.5,
    "lead_quantile_p": 0.2,
    "p_lead_frac": 0.5,
    "lead_min_corr": 0.5,
    "extra_corr": 0.5,
    "extra_rr_tol": 0.2,
    "spike_ms": 3.0,
    "spike_k": 1.5,
}


class EcgWarning(UserWarning):
    """A legal input from which no PR measurement could be made (e.g. fewer than two beats)."""


@dataclass(frozen=True)
class EcgBeats:
    """Per-beat delineation; times in seconds, NaN where a wave was not found.

    Attributes
    ----------
    r_time : np.ndarray [shape=(n_beats,)]
        R-peak time: the QRS extremum in the lead's dominant QRS polarity, so an inverted lead
        works; in a lead whose QRS is mostly negative (rS in V1-V3, aVR) that is the S wave, about
        30 ms after the small r that LUDB's annotators mark there (in leads I, II, V5 and V6 the
        median difference from their marks is 2 ms). Multi-lead: the median over leads.
    rr : np.ndarray
        Interval from the previous R peak (NaN for the first beat).
    qrs_onset, p_onset, p_peak : np.ndarray
        Wave times (NaN when absent).
    pr_interval : np.ndarray
        ``qrs_onset - p_onset`` (the PR interval).
    pr_peak : np.ndarray
        ``r_time - p_peak`` (P peak to R peak, with the R peak as in ``r_time``).
    qrs_offset, t_peak, t_end : np.ndarray
        QRS offset (J point), T-wave peak and T-wave end (NaN when absent).
    qrs_duration : np.ndarray
        ``qrs_offset - qrs_onset``.
    qt : np.ndarray
        ``t_end - qrs_onset`` (the QT interval).
    qtc : np.ndarray
        QT corrected by the preceding RR with the formula named by ``qtc_method``.
    qtc_method : str
        ``"bazett"``, ``"fridericia"``, ``"framingham"`` or ``"hodges"``.
    ecg_score : float
        How well the QRS complexes repeat from beat to beat (the best lead's median correlation
        of each beat with the mean of the others; NaN with fewer than 3 beats). Real ECG leads
        score at least 0.64; below 0.5 the signal does not look like an ECG.
    duration : float
        Length of the recording in seconds.
    r_index : np.ndarray of int
        R-peak sample index.
    sr : float
        Sampling rate in Hz.
    """

    r_time: np.ndarray
    rr: np.ndarray
    qrs_onset: np.ndarray
    p_onset: np.ndarray
    p_peak: np.ndarray
    pr_interval: np.ndarray
    pr_peak: np.ndarray
    qrs_offset: np.ndarray
    t_peak: np.ndarray
    t_end: np.ndarray
    qrs_duration: np.ndarray
    qt: np.ndarray
    qtc: np.ndarray
    r_index: np.ndarray
    sr: float
    qtc_method: str = "bazett"
    ecg_score: float = np.nan
    duration: float = np.nan

    def __len__(self) -> int:
        return int(self.r_time.size)

    def to_dict(self) -> dict[str, np.ndarray]:
        """Plain arrays by column name."""
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name not in ("sr", "qtc_method", "ecg_score", "duration")
        }

    def to_frame(self):
        """The table as a pandas DataFrame, one row per beat."""
        import pandas as pd

        return pd.DataFrame(self.to_dict())


# --------------------------------------------------------------------------------------------
# validation and filtering


#: Default of ``p_threshold``: the least correlation of a beat's pre-QRS slopes with the record's P
#: template for the beat to get a P wave.
P_THRESHOLD = 0.7


def _params(p_threshold: Any) -> dict[str, Any]:
    """The delineation parameters with the user's P-wave threshold (checked)."""
    t = check_float(p_threshold, "p_threshold", minimum=0.0, maximum=1.0, strict_min=True)
    return _PARAMS if t == _PARAMS["p_corr"] else {**_PARAMS, "p_corr": t}


def _check(ecg: Any, sr: Any) -> tuple[np.ndarray, float]:
    sr = check_sr(sr)
    if sr < MIN_SR:
        raise ParameterError(
            f"sr={sr:g} Hz is too low for ECG delineation; at least {MIN_SR:g} Hz is needed "
            "(P and QRS onsets need a few ms resolution)"
        )
    if sr > MAX_SR:
        raise ParameterError(
            f"sr={sr:g} Hz is above the {MAX_SR:g} Hz ECG delineation takes; resample the "
            "recording first (physiofeat.io.resample, or load(..., sr=...))"
        )
    x = as_signal(ecg, name="ecg", ndim=(1, 2))
    x = np.atleast_2d(x).astype(np.float64, copy=False)
    n = x.shape[-1]
    if n < MIN_DURATION * sr:
        hint = ""
        if x.shape[0] >= MIN_DURATION * sr:  # (n_samples, n_leads), as wfdb's p_signal is
            hint = (
                f"; ecg of shape {x.shape} looks leads-last (n_samples, n_leads): pass ecg.T, "
                "(n_leads, n_samples)"
            )
        raise InvalidSignalError(
            f"ecg has {n} samples ({n / sr:.3g} s at {sr:g} Hz); at least {MIN_DURATION:g} s are "
            f"needed for two beats{hint}"
        )
    ptp = np.ptp(x, axis=-1)
    if np.all(ptp <= 1e-12 * max(1.0, float(np.max(np.abs(x))))):
        raise InvalidSignalError(
            "ecg is a flat line (peak-to-peak amplitude 0 in every lead); no beats can be found"
        )
    return x, sr


def _sos(lo: float, hi: float, sr: float, notch: tuple[float, ...] = ()):
    """Second-order Butterworth band-pass, followed by a notch (Q 30) at each mains frequency in
    ``notch`` below 0.45 ``sr``."""
    from scipy.signal import butter, iirnotch, tf2sos

    hi = min(hi, 0.45 * sr)
    sos = [butter(2, [lo, hi], btype="bandpass", fs=sr, output="sos")]
    for f in notch:
        if f < 0.45 * sr:
            sos.append(tf2sos(*iirnotch(f, 30.0, fs=sr)))
    return np.concatenate(sos)


def _mains_leads(x: np.ndarray, sr: float, p: dict) -> np.ndarray:
    """``(leads, len(p["notch"]))``: where mains at each frequency of ``p["notch"]`` (50, 60 Hz)
    stands out of a lead's spectrum: averaged periodogram (Hann, 4 s segments, at most 16 spread
    over the record) peak within +-1 Hz at least ``p["notch_ratio"]`` times the median power
    2-6 Hz either side. A notch rings around every QRS, so it is applied only to recordings that
    carry mains interference (200 is met by about 20 uV of 50 Hz on a 1 mV ECG; no LUDB or QT
    Database record reaches it)."""
    import scipy.fft

    n = x.shape[-1]
    L = int(min(n, 4 * sr))
    starts = np.linspace(0, n - L, max(1, min(n // L, 16))).astype(np.int64)
    seg = x[:, starts[:, None] + np.arange(L)]
    seg = (seg - seg.mean(axis=-1, keepdims=True)) * np.hanning(L)
    P = (np.abs(scipy.fft.rfft(seg, axis=-1)) ** 2).mean(axis=1)
    f = scipy.fft.rfftfreq(L, 1.0 / sr)
    out = np.zeros((x.shape[0], len(p["notch"])), dtype=bool)
    for i, f0 in enumerate(p["notch"]):
        if f0 + 6.0 >= 0.45 * sr:
            continue
        pk = P[:, (f >= f0 - 1.0) & (f <= f0 + 1.0)].max(axis=-1)
        side = ((f >= f0 - 6.0) & (f < f0 - 2.0)) | ((f > f0 + 2.0) & (f <= f0 + 6.0))
        out[:, i] = pk > p["notch_ratio"] * np.median(P[:, side], axis=-1)
    return out


def _notch(mask: np.ndarray, p: dict) -> tuple[float, ...]:
    """The mains frequencies that any lead of ``mask`` (from :func:`_mains_leads`) carries."""
    return tuple(float(f0) for f0, on in zip(p["notch"], mask.any(axis=0)) if on)


def _mains(x: np.ndarray, sr: float, p: dict) -> tuple[float, ...]:
    """The mains frequencies (of ``p["notch"]``) to notch out of the leads ``x``."""
    return _notch(_mains_leads(x, sr, p), p)


def _bandpass(x: np.ndarray, band, sr: float, notch: tuple[float, ...] = ()) -> np.ndarray:
    from scipy.signal import sosfiltfilt

    sos = _sos(band[0], band[1], sr, notch)
    # The ends are padded by one period of the low band edge (2 s at 0.5 Hz; at least SciPy's
    # default, 3 samples per filter order and section at ``p_rate_hz``), the same time at every
    # rate, with the signal's mirror image (``even``). SciPy's default -- 30 ms at 500 Hz, 60 ms
    # at 250 Hz, point-symmetric about the end sample (``odd``) -- let the 0.5 Hz high-pass ring
    # over the last second, where it took small differences of the end samples (a resampler's
    # edge, a spike) into P waves: LUDB records 11, 17 and 56 resampled to 250-2000 Hz had PR
    # medians 3-5 ms apart, or no P wave at 250 Hz, until then. An ``odd`` extension of that
    # length pivots on the end sample, so one perturbed sample shifts all of it (records 5,
    # 27, 42 then moved by 2-6 ms); a mirror does not.
    zeros = min(int((sos[:, 2] == 0).sum()), int((sos[:, 5] == 0).sum()))
    pad = max(3 * (2 * len(sos) + 1 - zeros) / _PARAMS["p_rate_hz"], 1.0 / band[0]) * sr
    return sosfiltfilt(
        sos, x, axis=-1, padtype="even", padlen=int(min(round(pad), x.shape[-1] - 1))
    )


def _despike(x: np.ndarray, sr: float, p: dict) -> np.ndarray:
    """``x`` with impulses replaced by the running median (before detection and delineation).

    A sample more than ``spike_k`` times the lead's amplitude (99.5th percentile of ``|x -
    median(x)|``, which the R waves set) away from its +-``spike_ms`` running median is an
    impulse no QRS makes (the largest such ratio of any LUDB or QT Database sample outside the
    pacing spikes of paced records is 0.87). The median is taken only where the one-sample
    second difference already exceeds that bound, which an impulse makes it do.
    """
    h = max(int(round(p["spike_ms"] * 1e-3 * sr)), 1)
    n = x.shape[-1]
    if n <= 2 * h + 8:
        return x
    out = x
    for r in range(x.shape[0]):
        row = x[r]
        sub = row[::4]
        bound = p["spike_k"] * np.percentile(np.abs(sub - np.median(sub)), 99.5)
        d2 = np.abs(row[1:-1] - 0.5 * (row[:-2] + row[2:]))
        cand = np.flatnonzero(d2 > bound) + 1
        if cand.size == 0:
            continue
        med = K.median_at(np.ascontiguousarray(row, dtype=np.float64), cand, h)
        hit = np.abs(row[cand] - med) > bound
        if hit.any():
            if out is x:
                out = x.copy()
            out[r, cand[hit]] = med[hit]
    return out


def _energy(x: np.ndarray, sr: float, p: dict) -> np.ndarray:
    """Combined QRS energy over leads: squared slope, per-lead normalised, moving-window mean."""
    from scipy.ndimage import uniform_filter1d

    y = _bandpass(x, p["qrs_band"], sr)
    d = np.diff(y, axis=-1, prepend=y[:, :1])
    e = d * d
    w = max(int(round(p["mwi_ms"] * 1e-3 * sr)), 1)
    e = uniform_filter1d(e, w, axis=-1, mode="nearest")
    scale = np.percentile(e, 99.0, axis=-1)
    good = scale > 0
    if not good.any():
        return np.zeros(x.shape[-1])
    return (e[good] / scale[good, None]).sum(axis=0)


def _detect(x: np.ndarray, sr: float, p: dict) -> np.ndarray:
    """Energy-peak positions of the QRS complexes (combined over leads)."""
    e = _energy(x, sr, p)
    refr = int(round(p["refractory_ms"] * 1e-3 * sr))
    cand = K.energy_peaks(e, refr)
    if cand.size == 0:
        return cand
    # initial levels from the first 2-s blocks (at least one beat each for rates >= 30 bpm), as
    # Pan & Tompkins' learning phase: levels of the whole record would miss the first minutes of
    # a recording whose amplitude grows (no beat is found there, so search-back never starts)
    blk = int(2 * sr)
    nblk = min(max(e.size // blk, 1), p["learn_blocks"])
    maxima = np.array([e[i * blk : (i + 1) * blk].max() for i in range(nblk)])
    spk0 = float(np.median(maxima))
    first = cand[cand < nblk * blk]
    npk0 = float(np.median(e[first if first.size else cand])) * 0.5
    npk0 = min(npk0, 0.5 * spk0)
    is_qrs = K.adaptive_threshold(e, cand, spk0, npk0, float(sr), refr, int(3 * sr))
    return cand[is_qrs]


def _quiet(p: dict, ms: float) -> int:
    """Samples of the quiet run that ends the QRS-onset search (``q_quiet_ms``, at least 1)."""
    return max(int(round(p["q_quiet_ms"] * ms)), 1)


def _polarity(xf: np.ndarray, pos: np.ndarray, half: int) -> float:
    if pos.size == 0:
        return 1.0
    n = xf.size
    mx = np.empty(pos.size)
    mn = np.empty(pos.size)
    inner = (pos - half >= 0) & (pos + half + 1 <= n)
    if inner.any():  # whole windows at once
        seg = xf[pos[inner][:, None] + np.arange(-half, half + 1)]
        base = np.median(seg, axis=1)
        mx[inner] = seg.max(axis=1) - base
        mn[inner] = base - seg.min(axis=1)
    for k in np.flatnonzero(~inner):  # windows cut by the ends of the signal
        seg = xf[max(pos[k] - half, 0) : min(pos[k] + half + 1, n)]
        base = np.median(seg)
        mx[k] = seg.max() - base
        mn[k] = base - seg.min()
    return 1.0 if np.median(mx) >= np.median(mn) else -1.0


# --------------------------------------------------------------------------------------------
# per-lead delineation


def _p_leads(x: np.ndarray, sr: float, p: dict) -> np.ndarray | None:
    """The leads ``x`` (despiked, unfiltered) resampled to ``p_rate_hz`` and band-passed there
    (the same band and mains notch as at ``sr``), or None when ``sr`` is that rate.

    The P wave and each beat's own QRS onset are taken on these, so that they do not depend on
    the recording's rate. Resampling the leads band-passed at their own rate was not enough: the
    band-pass designed at 2 kHz lets through more of the 60-250 Hz muscle noise than the same
    design at 500 Hz (whose bilinear transform has a zero at 250 Hz), and LUDB record 114
    resampled to 1 and 2 kHz still had its PR median 40 ms from the 500 Hz one."""
    if _rate_fraction(sr, p["p_rate_hz"]) == 1:
        return None
    y, ratio = _at_rate(x, sr, p["p_rate_hz"])
    return _bandpass(y, p["band"], sr * ratio, _mains(x, sr, p))


def _lead_r(xf: np.ndarray, pos: np.ndarray, sr: float, p: dict) -> tuple[np.ndarray, float]:
    """One band-passed lead's R peaks (the largest deflection of the lead's polarity within
    ``r_half_ms`` of each detection) and that polarity, judged over ``r_search_ms``: a window of
    ``r_half_ms`` can miss the R apex of a wide QRS and pick the S wave."""
    half = int(round(p["r_half_ms"] * 1e-3 * sr))
    pol = _polarity(xf, pos, int(round(p["r_search_ms"] * 1e-3 * sr)))
    return K.refine_r(xf, pos, half, pol), pol


def _lead(
    xf: np.ndarray, pos: np.ndarray, sr: float, p: dict, xp: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """One lead's delineation; ``xf`` the band-passed lead at ``sr``, ``xp`` the same lead at
    ``p_rate_hz`` (:func:`_p_leads`; None: resampled from ``xf``)."""
    from scipy.ndimage import gaussian_filter1d

    ms = 1e-3 * sr
    half = int(round(p["r_half_ms"] * ms))
    r, pol = _lead_r(xf, pos, sr, p)
    # each beat's own QRS onset and the P wave are taken at one rate, ``p_rate_hz`` (the lead
    # resampled to it first; see the Method, 4)
    if xp is None:
        xr, ratio = _at_rate(xf, sr, p["p_rate_hz"])
    else:
        f = _rate_fraction(sr, p["p_rate_hz"])
        xr, ratio = np.ascontiguousarray(xp), f.numerator / f.denominator
    sr_p = sr * ratio
    ms_p = 1e-3 * sr_p
    if ratio == 1.0:
        r_p = r
    else:  # the R peak taken again on the resampled lead (``r`` is on the recording's grid)
        pos_p = np.clip(np.rint(pos * ratio), 0, xr.size - 1).astype(np.int64)
        r_p = K.refine_r(xr, pos_p, int(round(p["r_half_ms"] * ms_p)), pol)
    dq = gaussian_filter1d(xr, p["q_sigma_ms"] * ms_p, order=1)
    qon = K.qrs_onsets(
        dq,
        r_p,
        int(p["q_lo_ms"] * ms_p),
        int(p["q_hi_ms"] * ms_p),
        p["q_xi"],
        _quiet(p, ms_p),
        int(0.25 * sr_p),
    )
    qraw = qon if ratio == 1.0 else np.where(qon >= 0, qon / ratio, -1.0)
    qrs = _template_qrs_onset(xf[None], xf, r, qraw, sr, p, spatial=False)
    qon = np.where(qon >= 0, qon - int(round(p["q_bias_ms"] * ms_p)), -1)
    xs = gaussian_filter1d(xr, p["p_sigma_ms"] * ms_p)
    nb = r.size
    # QRS amplitude of the lead (robust over beats)
    if nb:
        lo = np.clip(r - half, 0, xf.size - 1)
        hi = np.clip(r + half, 0, xf.size - 1)
        qamp = float(np.median([np.ptp(xf[a : b + 1]) for a, b in zip(lo, hi)]))
    else:
        qamp = 0.0
    # A beat whose QRS looks like none of the record's others (best leave-one-out correlation
    # below ``extra_corr``: an ectopic beat, a QRS inside an electrode-motion artefact) is left
    # out of the P templates, which it could bend, and gets no P wave: an ectopic beat has none,
    # and one found in an artefact is the artefact's (LUDB record 12's first beat: a P wave
    # 20 ms off the others' PR at 500-2000 Hz, none at 250 Hz, moving the record's PR median)
    typical = _beat_corr(xr[None], r_p, int(round(p["qt_half_ms"] * ms_p)))
    typical = np.nan_to_num(typical, nan=1.0) >= p["extra_corr"]  # NaN: too near an end to say
    pon, ppk = _template_p(xr, xs, r_p, qon, sr_p, p, qamp, typical)
    pon = np.where(typical, pon, -1)
    ppk = np.where(typical, ppk, -1)
    if ratio != 1.0:
        pon = np.where(pon >= 0, pon / ratio, -1.0)
        ppk = np.where(ppk >= 0, ppk / ratio, -1.0)
    return {
        "r": r,
        "qon": qrs,
        "pon": pon,
        "ppk": ppk,
        "qamp": qamp,
        **_qt.lead_qt(
            xf, r, qrs, np.where(pon >= 0, pon.astype(np.float64), np.nan), qamp, sr, QT_PARAMS
        ),
    }


def _rate_fraction(sr: float, rate: float):
    """``rate / sr`` as a fraction of integers up to 1000 (the resampling ratio)."""
    from fractions import Fraction

    return Fraction(rate / sr).limit_denominator(1000)


def _at_rate(x: np.ndarray, sr: float, rate: float) -> tuple[np.ndarray, float]:
    """``x`` (``(..., n)``) resampled to about ``rate`` Hz along its last axis (polyphase, by
    :func:`_rate_fraction`) and the ratio of the new rate to ``sr``; ``x`` itself and 1.0 when
    ``sr`` is ``rate``. Sample 0 stays at time 0: sample ``i`` of the result is at ``i / ratio``
    samples of ``x``."""
    f = _rate_fraction(sr, rate)
    if f == 1:
        return x, 1.0
    from scipy.signal import resample_poly

    # padded with the line through the end samples, not zeros (which make a step at the ends)
    y = resample_poly(x, f.numerator, f.denominator, axis=-1, padtype="line")
    return np.ascontiguousarray(y), f.numerator / f.denominator


def _robust_template(segs: np.ndarray, k: float) -> np.ndarray:
    """Median of the segments (rows) after leaving out the ones whose shape is far off it.

    A segment's distance is the median absolute difference of its mean-removed samples from the
    mean-removed median template; segments farther than ``k`` times the median distance (an
    artefact: a baseline step, a noise burst, a false beat) are dropped and the median retaken,
    so that a few bad beats cannot bend the template as they can a plain median.
    """
    tm = np.median(segs, axis=0)
    if segs.shape[0] < 5:
        return tm
    a = segs - segs.mean(axis=1, keepdims=True)
    d = np.median(np.abs(a - (tm - tm.mean())), axis=1)
    keep = d <= k * np.median(d)
    if keep.all() or keep.sum() < 3:
        return tm
    return np.median(segs[keep], axis=0)


def _refine_p(xs, qon, pon, ppk, ok, sr, p, typical=None):
    """Second pass: re-delineate the P template aligned on the first-pass P onsets.

    Aligning on the QRS onset smears the template's P wave by the beat-to-beat jitter of the PR
    interval and of the QRS-onset estimate, which moves its onset early; aligned on the P waves
    themselves the template is sharp, and its onset corrects every beat by the same amount.
    """
    ms = 1e-3 * sr
    if ok.sum() < 3:
        return pon, ppk
    A = int(p["p_pre_ms"] * ms) + int(40 * ms)
    B = int(min(150 * ms, np.median((qon - pon)[ok]) - p["p_gap_ms"] * ms))
    if B < int(40 * ms):
        return pon, ppk
    keep = ok & (pon - A >= 0) & (pon + B < xs.size)
    if typical is not None and (keep & typical).sum() >= 3:
        keep &= typical
    if keep.sum() < 3:
        return pon, ppk
    tmpl = np.median(xs[pon[keep][:, None] + np.arange(-A, B)], axis=0)
    extra = p["p_on_sigma_ms"] ** 2 - p["p_sigma_ms"] ** 2
    if extra > 0:
        from scipy.ndimage import gaussian_filter1d

        tmpl = gaussian_filter1d(tmpl, np.sqrt(extra) * ms, mode="nearest")
    on1 = np.empty(1, dtype=np.int64)
    pk1 = np.empty(1, dtype=np.int64)
    amp1 = np.empty(1)
    nz1 = np.empty(1)
    n = A + B
    K.p_waves(
        tmpl,
        np.gradient(tmpl),
        np.array([n + 1], dtype=np.int64),
        np.array([n], dtype=np.int64),
        n - 1,
        4,
        0,
        0.0,
        int(p["p_pair_ms"] * ms),
        p["p_on_xi"],
        on1,
        pk1,
        amp1,
        nz1,
    )
    if on1[0] < 0 or abs(on1[0] - A) > int(p["p_pre_ms"] * ms):
        return pon, ppk
    # the crossing of the onset threshold, interpolated between the onset sample and the next
    # (an integer onset moves the PR by up to a sample: 4 ms at 250 Hz)
    k = int(on1[0])
    dp = np.abs(np.gradient(tmpl))
    u = k + int(np.argmax(dp[k : max(int(pk1[0]), k) + 1]))
    level = p["p_on_xi"] * dp[u]
    on_f = float(k)
    if k + 1 < dp.size and dp[k] <= level < dp[k + 1]:
        on_f += (level - dp[k]) / (dp[k + 1] - dp[k])
    # the interpolated crossing lies on average half a sample after the sample the integer
    # rule took, where the P calibration was set (1 ms at 500 Hz, the LUDB rate)
    d_on = on_f - A - p["p_on_bias_ms"] * ms
    pon = np.where(ok, pon + d_on, -1.0)
    return pon, ppk


def _template_p(xf, xs, r, qon, sr, p, qamp, typical=None):
    """P waves by template (:func:`_template_p_once`), over the whole record and then, for the
    beats left without one, over runs of ``p_run`` consecutive beats, each with its own template.

    A P wave whose shape changes along the record (a wandering atrial pacemaker, an ectopic
    atrial rhythm taking over) blurs or splits the record's median pre-QRS segment, and its
    beats then match no template; a run of a few beats shares one shape. The run's template
    goes through the same tests (amplitude, a quiet start, correlation), so fibrillation and
    flutter runs, whose waves are not locked to the QRS or start in the window, still give no
    P wave.
    """
    pon, ppk = _template_p_once(xf, xs, r, qon, sr, p, qamp, typical)
    if (pon >= 0).sum() < p["p_irregular_frac"] * (qon >= 0).sum() and _irregular(r, p):
        # atrial fibrillation: RR irregularly irregular and no P wave; a template that only a
        # minority of beats match is fibrillation waves lining up with it by chance (and no
        # run's template is tried: on a few beats they line up more easily still)
        none = np.full(r.size, -1, dtype=pon.dtype)
        return none, none.copy()
    run = int(p["p_run"])
    miss = (qon >= 0) & (pon < 0)
    if run < 3 or r.size < 2 * run or not miss.any():
        return pon, ppk
    pon = pon.astype(np.float64)
    ppk = ppk.astype(np.float64)
    # a run's template is the median of a few beats, so each of them matches it more easily:
    # no weak second search there
    p_run = {**p, "p_corr": max(p["p_corr"], p["p_run_corr"]), "p_weak_frac": np.inf}
    # runs on two grids half a run apart, so that a change of shape inside one run is whole in
    # a run of the other
    half = run // 2
    runs = np.array_split(np.arange(r.size), max(r.size // run, 1))
    runs += np.array_split(np.arange(half, r.size), max((r.size - half) // run, 1))
    for idx in runs:
        miss = (qon >= 0) & (pon < 0)
        if idx.size < 3 or not miss[idx].any():
            continue
        pr, pk = _template_p_once(
            xf, xs, r[idx], qon[idx], sr, p_run, qamp, None if typical is None else typical[idx]
        )
        take = miss[idx] & (pr >= 0)
        pon[idx[take]] = pr[take]
        ppk[idx[take]] = pk[take]
    return pon, ppk


def _irregular(r: np.ndarray, p: dict) -> bool:
    """Whether the RR intervals are irregularly irregular: the median absolute difference of
    successive RR intervals above ``p_irregular`` times the median RR (the median, so that a few
    ectopic beats and their pauses do not count)."""
    rr = np.diff(r)
    if rr.size < 4:
        return False
    return bool(np.median(np.abs(np.diff(rr))) > p["p_irregular"] * np.median(rr))


def _template_p_once(xf, xs, r, qon, sr, p, qamp, typical=None):
    """P wave by template: delineate the median pre-QRS segment, then find it in each beat.

    The segments ``[qon - W, qon]`` of all beats are averaged (median) into a template whose P wave
    is delineated like a single beat (a clean, noise-averaged wave). Each beat's P wave is then
    located by the shift (within ``p_shift_ms``) that best correlates the template's P wave with
    the beat; beats correlating less than ``p_corr`` get no P wave (atrial fibrillation, flutter,
    dissociated P waves).
    """
    ms = 1e-3 * sr
    nb = r.size
    none = np.full(nb, -1, dtype=np.int64)
    valid = qon >= 0
    if valid.sum() < 2:
        return none, none
    W = int(p["p_win_ms"] * ms)
    rq = int(np.median((r - qon)[valid]))
    G = rq + 1
    keep = valid & (qon - W >= 0) & (qon + G <= xf.size)
    rr = np.diff(r)
    rr_med = float(np.median(rr)) if rr.size else float(sr)
    if keep.sum() < 2:
        return none, none
    if typical is not None and (keep & typical).sum() >= 2:
        keep &= typical  # the template is made of the beats whose QRS is the record's
    idx = qon[keep][:, None] + np.arange(-W, G)
    tmpl = _robust_template(xs[idx], p["p_tmpl_outlier"])
    # the median of smooth beats is rough at the scale of a sample (it switches between beats),
    # and at 1 kHz and above those steps flipped the sign of the template's slope inside the P
    # wave and stopped its onset search half-way (LUDB records 12 and 114 resampled to 1 kHz:
    # P onset 30-45 ms late); a 2 ms Gaussian removes them at every rate
    from scipy.ndimage import gaussian_filter1d

    tmpl = gaussian_filter1d(tmpl, p["p_tmpl_sigma_ms"] * ms, mode="nearest")
    # window start: end of the previous T wave (t_frac RR after the previous R)
    lo_t = W + rq - rr_med + p["p_t_frac"] * rr_med
    win_lo = int(min(W, W - lo_t)) if lo_t > 0 else W
    win_lo = max(win_lo, 0)
    dp_t = np.gradient(tmpl)
    on1 = np.empty(1, dtype=np.int64)
    pk1 = np.empty(1, dtype=np.int64)
    amp1 = np.empty(1)
    nz1 = np.empty(1)
    K.p_waves(
        tmpl,
        dp_t,
        np.array([W + rq], dtype=np.int64),
        np.array([W], dtype=np.int64),
        win_lo,
        int(p["p_min_win_ms"] * ms),
        int(p["p_gap_ms"] * ms),
        p["p_t_frac"],
        int(p["p_pair_ms"] * ms),
        p["p_xi"],
        on1,
        pk1,
        amp1,
        nz1,
    )
    t_on, t_pk = int(on1[0]), int(pk1[0])
    # a P wave stands out of the QRS scale and starts after a quiet stretch: a wave running into
    # the start of the window (flutter waves, P on T) is not taken for one
    if (
        t_on < 0
        or not amp1[0] >= p["p_amp_rel"] * qamp
        or t_on - (W - win_lo) < p["p_quiet_ms"] * ms
        or W - t_on < p["p_min_pr_ms"] * ms
    ):
        return none, none
    # the template P wave: from a little before its onset to the end of the search window
    a = max(t_on - int(p["p_pre_ms"] * ms), 0)
    b = W - int(p["p_gap_ms"] * ms)
    if b - a < 4:
        return none, none
    # slopes, not levels, are correlated: a baseline trend would otherwise correlate with anything
    seg = np.ascontiguousarray(np.gradient(tmpl)[a:b])
    starts = np.where(valid, qon - W + a, -1).astype(np.int64)
    dxs = np.gradient(xs)
    shift, corr = K.best_shift_corr(dxs, starts, seg, int(p["p_shift_ms"] * ms))
    ok = valid & (np.nan_to_num(corr, nan=-1.0) >= p["p_corr"])
    # a P wave that most beats show is the record's: the other beats (faint or noisy P waves) are
    # searched again near its usual place (the median shift of the beats that matched,
    # +-``p_weak_shift_ms``: the PR interval barely changes from beat to beat) and taken at the
    # lower correlation ``p_weak_corr``; fibrillation and flutter waves reach ``p_corr`` on few
    # beats, if any, so this does not open for them
    weak = valid & ~ok
    if weak.any() and ok.sum() >= p["p_weak_frac"] * valid.sum():
        s0 = int(np.rint(np.median(shift[ok])))
        s2, c2 = K.best_shift_corr(
            dxs, np.where(weak, starts + s0, -1), seg, int(p["p_weak_shift_ms"] * ms)
        )
        take = weak & (np.nan_to_num(c2, nan=-1.0) >= min(p["p_weak_corr"], p["p_corr"]))
        shift = np.where(take, s0 + s2, shift)
        ok |= take
    pon = np.where(ok, qon - W + t_on + shift, -1)
    ppk = np.where(ok, qon - W + t_pk + shift, -1)
    if p["p_refine"]:
        pon, ppk = _refine_p(xs, qon, pon, ppk, ok, sr, p, typical)
    return pon, ppk


def _spatial_qrs_onset(xf, r, sr, p):
    """Global QRS onset from the spatial velocity (root sum of squared lead slopes)."""
    from scipy.ndimage import gaussian_filter1d

    ms = 1e-3 * sr
    d = gaussian_filter1d(xf, p["q_sigma_ms"] * ms, order=1, axis=-1)
    v = np.sqrt((d * d).sum(axis=0))
    qon = K.qrs_onsets(
        v,
        r,
        int(p["q_lo_ms"] * ms),
        int(p["q_hi_ms"] * ms),
        p["q_xi"],
        _quiet(p, ms),
        int(0.25 * sr),
    )
    a = int(np.argmax((d * d).sum(axis=-1)))  # the alignment lead: the largest QRS slopes
    return _template_qrs_onset(xf, np.ascontiguousarray(xf[a]), r, qon, sr, p, spatial=True)


def _template_qrs_onset(X, xa, r, qraw, sr, p, *, spatial):
    """QRS onsets refined on the median beat (fractional samples, NaN where none).

    ``X`` (n_leads, n) is delineated, ``xa`` (n,) aligns the beats, ``qraw`` holds each beat's own
    slope-threshold onset (uncalibrated, -1 where none). Each beat is aligned to the median QRS of
    ``xa`` by the fractional shift of best correlation; the beats that correlate at least
    ``qt_corr`` form the median beat of ``X``, whose onset is taken by the same slope rule at a
    higher threshold (``qt_xi``: a noise-averaged template allows it). A beat's onset is the
    weighted mean of the template onset carried to the beat by its shift (weight 1 - ``qt_blend``)
    and its own onset (``qt_blend``), minus the calibration ``qt_bias``. Beats of another shape
    (ectopic, poorly correlated) and runs with fewer than three aligned beats keep their own
    onset with the single-beat calibration. Long recordings are taken in runs of at most
    ``qt_run`` beats, each with its own median beat, so a slow change of the QRS (posture,
    ischaemia) is followed.
    """
    key = "_spatial_ms" if spatial else "_ms"
    own = np.where(qraw >= 0, qraw - p["q_bias" + key] * sr * 1e-3, np.nan)
    nb = r.size
    n_runs = max(1, int(np.ceil(nb / p["qt_run"])))
    out = own.copy()
    for idx in np.array_split(np.arange(nb), n_runs):
        if idx.size:
            out[idx] = _template_run(X, xa, r[idx], qraw[idx], own[idx], sr, p, spatial, key)
    return out


def _template_run(X, xa, r, qraw, own, sr, p, spatial, key):
    """:func:`_template_qrs_onset` on one run of beats."""
    from scipy.ndimage import gaussian_filter1d

    ms = 1e-3 * sr
    pad = int(round(40 * ms))
    pre, post = int(p["q_lo_ms"] * ms) + pad, int(p["q_hi_ms"] * ms) + pad
    # the median beat's onset is taken at one rate, ``qt_rate_hz`` (500 Hz, where the rule was
    # tuned): the median beat is resampled to it first. Taken at the recording's own rate, the
    # slope-threshold rule moved with the sampling grid -- a 4 ms Gaussian is one sample at
    # 250 Hz, and a ~5 ms Q-wave trough passed for the quiet PR segment at 500 Hz but not at
    # 1 kHz -- so LUDB records 5 and 15 resampled to 250-2000 Hz had PR medians 8-15 ms apart
    rate = float(p["qt_rate_hz"])
    beat = _aligned_median_beat(
        X, xa, r, sr, p["qt_half_ms"], p["qt_shift_ms"], p["qt_corr"], pre, post, rate
    )
    if beat is None:
        return own
    shift, good, tm, ratio = beat
    ms_r = 1e-3 * rate
    lo_r, hi_r = int(p["q_lo_ms"] * ms_r), int(p["q_hi_ms"] * ms_r)
    pre_r = int(round(pre * ratio))
    d = gaussian_filter1d(tm, p["qt_sigma_ms"] * ms_r, order=1, axis=-1, mode="nearest")
    v = np.sqrt((d * d).sum(axis=0)) if spatial else np.abs(d[0])
    v = np.ascontiguousarray(v)
    on = int(
        K.qrs_onsets(
            v,
            np.array([pre_r], dtype=np.int64),
            lo_r,
            hi_r,
            p["qt_xi"],
            _quiet(p, ms_r),
            int(0.25 * rate),
        )[0]
    )
    if on < 0:
        return own
    # fractional crossing of the threshold between the onset and the next sample
    level = p["qt_xi"] * v[max(pre_r - lo_r, 1) : min(pre_r + hi_r, v.size - 1)].max()
    on_f = float(on)
    if on + 1 < v.size and v[on] < level <= v[on + 1]:
        on_f += (level - v[on]) / (v[on + 1] - v[on])
    on_f /= ratio
    tmpl_on = r + shift + (on_f - pre)
    w = p["qt_blend"]
    beat = np.where(qraw >= 0, qraw, tmpl_on)
    est = (1.0 - w) * tmpl_on + w * beat - p["qt_bias" + key] * ms
    return np.where(good, est, own)


def _aligned_median_beat(X, xa, r, sr, half_ms, shift_ms, corr_min, pre, post, rate):
    """The median beat of ``X`` (n_leads, n) from ``pre`` samples before to ``post`` after the
    R peaks ``r``, resampled to ``rate``. Each beat is aligned to the median QRS of ``xa``
    (+-``half_ms`` around R) by its fractional shift of best correlation (at most ``shift_ms``);
    the beats correlating at least ``corr_min`` form the median. Returns ``(shift, good, tm,
    ratio)`` -- per-beat shifts (samples), which beats correlate, the median beat and
    ``rate / sr`` -- or None when fewer than three beats fit. Shared by the median-beat QRS
    onset (:func:`_template_run`) and offset (``_qt._template_offset_run``)."""
    ms = 1e-3 * sr
    n = xa.size
    h = int(round(half_ms * ms))
    L = max(int(round(shift_ms * ms)), 1)
    inb = (r - h - L >= 0) & (r + h + L < n)
    if inb.sum() < 3:
        return None
    t1 = np.ascontiguousarray(np.median(xa[r[inb][:, None] + np.arange(-h, h + 1)], axis=0))
    shift, corr = K.fine_shift_corr(xa, (r - h).astype(np.int64), t1, L)
    good = np.nan_to_num(corr, nan=-1.0) >= corr_min
    ri = r + np.rint(shift).astype(np.int64)
    use = good & (ri - pre >= 0) & (ri + post < n)
    if use.sum() < 3:
        return None
    tm = np.median(X[:, ri[use][:, None] + np.arange(-pre, post + 1)], axis=1)
    ratio = rate / sr
    if abs(ratio - 1.0) > 1e-9:
        tm = _resample_beat(tm, ratio)
    return shift, good, tm, ratio


def _resample_beat(tm: np.ndarray, ratio: float) -> np.ndarray:
    """Rows of ``tm`` (a median beat, sample 0 at time 0) resampled by ``ratio`` (FFT; the line
    through the end samples is taken out first so that the periodic extension has no step)."""
    from scipy.signal import resample

    n = tm.shape[-1]
    total = max(int(round(n * ratio)), 2)
    m = min(int(round((n - 1) * ratio)) + 1, total)
    line = tm[..., :1] + (tm[..., -1:] - tm[..., :1]) * np.arange(n) / (n - 1)
    res = resample(tm - line, total, axis=-1)[..., :m]
    t = np.arange(m) / ratio
    return res + tm[..., :1] + (tm[..., -1:] - tm[..., :1]) * t / (n - 1)


def _combine(vals: np.ndarray, q: float) -> np.ndarray:
    """Quantile over leads (axis 0) ignoring missing (-1 or NaN); NaN where every lead is missing.

    NumPy's default (linear) quantile of the valid values of each column, computed for all
    columns at once (``np.nanquantile`` loops over columns in Python).
    """
    v = np.where(vals >= 0, vals.astype(np.float64), np.nan)
    s = np.sort(v, axis=0)  # NaN last
    k = np.isfinite(s).sum(axis=0)
    pos = q * np.maximum(k - 1, 0)
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, np.maximum(k - 1, 0))
    cols = np.arange(s.shape[1])
    a = s[lo, cols]
    b = s[hi, cols]
    out = a + (b - a) * (pos - lo)
    return np.where(k > 0, out, np.nan)


def _loo_corr(xf: np.ndarray, pos: np.ndarray, h: int) -> np.ndarray:
    """``(leads, beats)``: the correlation of each beat (``h`` samples either side of ``pos``,
    all inside the signal, at least 3 beats) with the mean of the lead's *other* beats (leaving
    the beat out removes the self-correlation a template of few beats would have); 0 where a
    segment is flat."""
    seg = xf[:, pos[:, None] + np.arange(-h, h + 1)]  # (leads, beats, samples)
    seg = seg - seg.mean(axis=-1, keepdims=True)
    others = (seg.sum(axis=1, keepdims=True) - seg) / (pos.size - 1)
    num = (seg * others).sum(axis=-1)
    den = np.sqrt((seg * seg).sum(axis=-1) * (others * others).sum(axis=-1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / den, 0.0)


def _inner(pos: np.ndarray, h: int, n: int) -> np.ndarray:
    """Mask of the positions whose +-``h`` window lies inside ``n`` samples."""
    return (pos - h >= 0) & (pos + h < n)


def _lead_scores(xf: np.ndarray, pos: np.ndarray, sr: float, p: dict) -> np.ndarray:
    """Per lead: how well its QRS repeats from beat to beat (NaN with fewer than 3 beats).

    Each beat (``qt_half_ms`` either side of its detected QRS; at most 256 beats spread over the
    record) is correlated with the mean of the *other* beats of its lead (:func:`_loo_corr`); the
    score is the median correlation. A flat, disconnected, noise-only or mains-only lead scores
    near 0, and so does a signal that is no ECG (heart sounds: 0.03-0.47 on the shipped
    PhysioNet 2016 and CirCor recordings); the least consistent real lead of the LUDB and QT
    Database records scores 0.64.
    """
    h = int(round(p["qt_half_ms"] * 1e-3 * sr))
    pos = pos[_inner(pos, h, xf.shape[1])]
    if pos.size < 3:
        return np.full(xf.shape[0], np.nan)
    if pos.size > 256:
        pos = pos[np.linspace(0, pos.size - 1, 256).round().astype(np.int64)]
    return np.median(_loo_corr(xf, pos, h), axis=1)


def _consistent_leads(scores: np.ndarray, p: dict) -> np.ndarray:
    """Leads whose score (:func:`_lead_scores`) reaches ``lead_min_corr`` (all leads of a
    single-lead record, or when the scores are undefined)."""
    if scores.size < 2 or not np.isfinite(scores).all():
        return np.ones(scores.size, dtype=bool)
    return scores >= p["lead_min_corr"]


#: A recording at least this long (s) holds 3 whole beats at 30 bpm, the slowest rate the
#: detector is made for: finding fewer there is no ECG (a drifting or disconnected electrode
#: gives two "beats", the band-pass's edges).
FEW_BEATS_MIN_S = 8.0


def _not_ecg_reason(score: float, p: dict, n_beats: int = 0, duration: float = 0.0) -> str | None:
    """Why a recording does not look like an ECG (its best lead's QRS-repeatability score below
    ``lead_min_corr``; or, for want of 3 beats to score, fewer than 3 QRS-like complexes in at
    least :data:`FEW_BEATS_MIN_S` seconds), or None."""
    if not np.isfinite(score) and duration >= FEW_BEATS_MIN_S:
        return (
            f"the signal does not look like an ECG: only {n_beats} QRS-like complex(es) in "
            f"{duration:.1f} s (fewer than 3: a heart rate under 30 bpm, the slowest the "
            "detector is made for)"
        )
    if not score < p["lead_min_corr"]:  # NaN (fewer than 3 beats) in a short recording: no test
        return None
    return (
        "the signal does not look like an ECG: the QRS-like complexes found do not repeat from "
        f"beat to beat (best lead's median beat-to-beat correlation {score:.2f}, below "
        f"{p['lead_min_corr']:g}; the ECG leads of LUDB and the QT Database score at least 0.64)"
    )


def _beat_corr(xf: np.ndarray, pos: np.ndarray, h: int) -> np.ndarray:
    """Per beat: the largest over leads of :func:`_loo_corr`; NaN for beats too near the ends."""
    out = np.full(pos.size, np.nan)
    inner = _inner(pos, h, xf.shape[1])
    if inner.sum() >= 3:
        out[inner] = _loo_corr(xf, pos[inner], h).max(axis=0)
    return out


def _drop_extra_beats(xf: np.ndarray, pos: np.ndarray, sr: float, p: dict) -> np.ndarray:
    """Detections that look like no QRS of the record (best correlation over leads below
    ``extra_corr``) *and* split one normal RR in two (the intervals on either side sum to within
    ``extra_rr_tol`` of the median RR) are artefacts -- an electrode-motion step, a noise burst,
    an impulse -- and are dropped. An ectopic beat keeps its place: it is followed by a
    compensatory pause, so its two intervals sum to about two RR (an interpolated ectopic beat,
    which does split one RR, is the rare exception)."""
    if pos.size < 5:
        return pos
    c = np.nan_to_num(_beat_corr(xf, pos, int(round(p["qt_half_ms"] * 1e-3 * sr))), nan=1.0)
    ref = float(np.median(np.diff(pos)))
    keep = np.ones(pos.size, dtype=bool)
    while keep.sum() >= 5:  # one at a time, least QRS-like first, so that a real beat between
        idx = np.flatnonzero(keep)  # two artefacts is judged once they are gone
        rr = np.diff(pos[idx]).astype(np.float64)
        split = np.zeros(idx.size, dtype=bool)
        split[1:-1] = np.abs(rr[:-1] + rr[1:] - ref) <= p["extra_rr_tol"] * ref
        bad = split & (c[idx] < p["extra_corr"])
        if not bad.any():
            break
        keep[idx[bad][np.argmin(c[idx[bad]])]] = False
    return pos[keep]


def _leads_and_peaks(x: np.ndarray, sr: float, p: dict):
    """Band-passed leads and QRS positions, after dropping inconsistent leads (see
    :func:`_consistent_leads`; when none is consistent, all are kept): ``(x, xf, pos, score)``,
    ``score`` the best lead's QRS-repeatability score (:func:`_lead_scores`)."""
    x = _despike(x, sr, p)
    mains = _mains_leads(x, sr, p)
    notch = _notch(mains, p)
    xf = _bandpass(x, p["band"], sr, notch)
    pos = _detect(x, sr, p)
    scores = _lead_scores(xf, pos, sr, p)
    score = float(np.max(scores)) if np.isfinite(scores).any() else np.nan
    keep = _consistent_leads(scores, p)
    if keep.any() and not keep.all():
        x, xf = x[keep], xf[keep]
        kept_notch = _notch(mains[keep], p)  # a dropped mains-only lead asks for no notch
        if kept_notch != notch:
            xf = _bandpass(x, p["band"], sr, kept_notch)
        pos = _detect(x, sr, p)
    return x, xf, _drop_extra_beats(xf, pos, sr, p), score


def _delineate_samples(x: np.ndarray, sr: float, p: dict) -> dict[str, np.ndarray]:
    """Delineation in (fractional) samples; ``x`` is (n_leads, n)."""
    x, xf, pos, score = _leads_and_peaks(x, sr, p)
    n = x.shape[-1]
    xp = _p_leads(x, sr, p)
    # several leads: a beat's P wave is the leads' majority, not one lead's weak match (see the
    # Method, 6)
    pl = p if x.shape[0] == 1 else {**p, "p_weak_frac": np.inf}
    leads = [
        _lead(np.ascontiguousarray(xf[i]), pos, sr, pl, None if xp is None else xp[i])
        for i in range(x.shape[0])
    ]
    f = lambda a: np.where(a >= 0, a.astype(np.float64), np.nan)  # noqa: E731
    if len(leads) == 1:
        L = leads[0]
        d: dict = {
            "r": L["r"].astype(np.float64),
            "qon": L["qon"],
            "pon": f(L["pon"]),
            "ppk": f(L["ppk"]),
            "qoff": L["qoff"],
            "tpk": f(L["tpk"]),
            "tend": L["tend"],
        }
    else:
        d = _combine_leads(leads, xf, sr, p)
    # a wave the calibration or the search puts outside the recording (the QRS onset of a beat
    # cut by the start of the record) is not in it: NaN
    for k in ("qon", "pon", "ppk", "qoff", "tpk", "tend"):
        v = np.asarray(d[k], dtype=np.float64)
        d[k] = np.where((v >= 0) & (v <= n - 1), v, np.nan)
    d["score"] = score
    d["n"] = n
    return d


def _combine_leads(leads: list[dict], xf: np.ndarray, sr: float, p: dict) -> dict:
    """One estimate per beat from the per-lead delineations (see the module's Method, 6)."""
    R = np.stack([L["r"] for L in leads])
    Q = np.stack([L["qon"] for L in leads])
    P = np.stack([L["pon"] for L in leads])
    PK = np.stack([L["ppk"] for L in leads])
    r = np.median(R, axis=0)
    if p["q_spatial"]:
        qon = _spatial_qrs_onset(xf, np.rint(r).astype(np.int64), sr, p)
    else:
        qon = _combine(Q, p["lead_quantile_q"])
    frac = (P >= 0).mean(axis=0)
    pon = _combine(P, p["lead_quantile_p"])
    ppk = _combine(PK, 0.5)
    has_p = frac >= p["p_lead_frac"]
    pon = np.where(has_p, pon, np.nan)
    ppk = np.where(has_p, ppk, np.nan)
    qp = QT_PARAMS
    qoff = _qt.spatial_qrs_offset(xf, np.rint(r).astype(np.int64), sr, qp)
    tpk, tend = _qt.combine_t_waves(leads, qp)
    return {"r": r, "qon": qon, "pon": pon, "ppk": ppk, "qoff": qoff, "tpk": tpk, "tend": tend}


def _beats_from_samples(d: dict[str, np.ndarray], sr: float, qtc: str = "bazett") -> EcgBeats:
    r = d["r"] / sr
    rr = np.diff(r, prepend=np.nan)
    qon = d["qon"] / sr
    pon = d["pon"] / sr
    ppk = d["ppk"] / sr
    qoff = d["qoff"] / sr
    tend = d["tend"] / sr
    qt = tend - qon
    return EcgBeats(
        r_time=r,
        rr=rr,
        qrs_onset=qon,
        p_onset=pon,
        p_peak=ppk,
        pr_interval=qon - pon,
        pr_peak=r - ppk,
        qrs_offset=qoff,
        t_peak=d["tpk"] / sr,
        t_end=tend,
        qrs_duration=qoff - qon,
        qt=qt,
        qtc=_qt.qtc_from(qt, rr, qtc),
        r_index=np.rint(d["r"]).astype(np.int64),
        sr=sr,
        qtc_method=qtc,
        ecg_score=float(d.get("score", np.nan)),
        duration=d["n"] / sr if "n" in d else np.nan,
    )


# --------------------------------------------------------------------------------------------
# public functions


def detect_r_peaks(ecg: Any, *, sr: float) -> np.ndarray:
    """R-peak sample indices of a single- or multi-lead ECG.

    Parameters
    ----------
    ecg : np.ndarray [shape=(n,) or (n_leads, n)]
        ECG in any unit; several leads are detected together (one QRS per beat).
    sr : float
        Sampling rate in Hz, at least 100.

    Returns
    -------
    np.ndarray [shape=(n_beats,), dtype=int64]
        R-peak indices (for several leads: the median over leads of each lead's R peak).

    Raises
    ------
    ParameterError
        ``sr`` below 100 Hz or above 100 kHz.
    InvalidSignalError
        Shorter than 2 s, flat, non-finite, or not 1-D/2-D.

    Examples
    --------
    >>> import numpy as np
    >>> from physiofeat.ecg import detect_r_peaks, synthetic_ecg
    >>> x, truth = synthetic_ecg(duration=10.0, sr=500, heart_rate=72)
    >>> r = detect_r_peaks(x, sr=500)
    >>> len(r) == len(truth["r"]), int(np.max(np.abs(r - truth["r"]))) <= 2
    (True, True)
    """
    peaks, reason = _r_peaks(ecg, sr)
    if reason:
        warnings.warn(reason, EcgWarning, stacklevel=2)
    return peaks


def _r_peaks(ecg: Any, sr: float) -> tuple[np.ndarray, str | None]:
    """:func:`detect_r_peaks` and the not-an-ECG reason (or None), without warning."""
    x, sr = _check(ecg, sr)
    p = _PARAMS
    x, xf, pos, score = _leads_and_peaks(x, sr, p)
    # the R peaks delineate() gives (each lead's by _lead_r, their median over the leads)
    rs = [_lead_r(np.ascontiguousarray(xf[i]), pos, sr, p)[0] for i in range(x.shape[0])]
    peaks = np.rint(np.median(np.stack(rs), axis=0)).astype(np.int64)
    return peaks, _not_ecg_reason(score, p, peaks.size, x.shape[-1] / sr)


def delineate(
    ecg: Any, *, sr: float, p_threshold: float = P_THRESHOLD, qtc: str = "bazett"
) -> EcgBeats:
    """Per-beat R peak, QRS onset and offset, P wave, T wave, PR, QRS, QT and QTc intervals.

    Parameters
    ----------
    ecg : np.ndarray [shape=(n,) or (n_leads, n)]
        ECG (any unit, any polarity); a 2-D array is one multi-lead recording, combined into one
        estimate per beat (QRS onset from the spatial velocity; P onset the 20th percentile
        over the leads where a P wave was found, which must be at least half the leads). Leads
        without a repeating QRS (flat, disconnected, noise only) are left out first.
    sr : float
        Sampling rate in Hz, at least 100.
    p_threshold : float in (0, 1]
        How closely a beat's pre-QRS wave must match the record's P-wave template (correlation
        of slopes) to count as a P wave. Lower finds faint or noisy P waves more often but also
        takes atrial fibrillation / flutter waves for P waves more often; on LUDB lead II the
        default 0.7 gives P sensitivity 98.3 % with no non-sinus beat given a P wave, 0.6
        gives 99.3 % and 14.5 %, 0.4 gives 100 % and 32.7 % (NeuroKit2's ``ecg_delineate``:
        100 % and 72.7 %); ``benchmarks/validate_ecg.py`` prints the whole trade-off. When at least
        half the beats of a lead reach it, the record has a P wave and the lead's other beats
        are searched again near its usual place and take one at correlation 0.4 (or
        ``p_threshold`` if lower; single-lead input only).
    qtc : {"bazett", "fridericia", "framingham", "hodges"}
        RR correction of the ``qtc`` column (with the RR interval before the beat; NaN for the
        first beat). QRS offset and T end: see ``physiofeat/ecg/_qt.py``.

    Returns
    -------
    EcgBeats
        Times in seconds, NaN where a wave is absent (atrial fibrillation, flutter, paced beats,
        noise; a T wave under 2 % of the QRS amplitude). ``.to_frame()`` gives a pandas table.

    Raises
    ------
    ParameterError
        ``sr`` below 100 Hz or above 100 kHz, ``p_threshold`` outside (0, 1], ``qtc`` not one of the four.
    InvalidSignalError
        Shorter than 2 s, flat, non-finite, or not 1-D/2-D.

    Examples
    --------
    >>> import numpy as np
    >>> from physiofeat.ecg import delineate, synthetic_ecg
    >>> x, truth = synthetic_ecg(duration=10.0, sr=500, heart_rate=60, pr=0.16)
    >>> beats = delineate(x, sr=500)
    >>> len(beats), round(float(np.nanmedian(beats.pr_interval)) * 1000)  # ms; QRS onset ~7 ms early
    (10, 151)
    """
    beats, reason = _delineate(ecg, sr, p_threshold, qtc)
    if reason:
        warnings.warn(reason, EcgWarning, stacklevel=2)
    return beats


def _delineate(ecg: Any, sr: Any, p_threshold: Any, qtc: Any) -> tuple[EcgBeats, str | None]:
    """:func:`delineate` and the not-an-ECG reason (or None), without warning."""
    qtc = _qt.check_qtc(qtc)
    d, sr = _delineation(ecg, sr, p_threshold)
    beats = _beats_from_samples(d, sr, qtc)
    return beats, _beats_not_ecg(beats)


def _delineation(ecg: Any, sr: Any, p_threshold: Any) -> tuple[dict[str, np.ndarray], float]:
    """The delineation in samples (:func:`_delineate_samples`) and the checked rate: what
    :func:`delineate` computes before the QTc formula (the ``ecg_delineation`` intermediate
    shares it between the features of one call)."""
    p = _params(p_threshold)
    x, sr = _check(ecg, sr)
    return _delineate_samples(x, sr, p), sr


def _rmssd(v: np.ndarray) -> float:
    d = np.diff(v)
    d = d[np.isfinite(d)]
    return float(np.sqrt(np.mean(d * d))) if d.size else np.nan


def _check_beat_table(beats: Any, func: str) -> None:
    if not isinstance(beats, EcgBeats):
        raise ParameterError(
            f"{func}: beats must be a physiofeat.ecg.EcgBeats (from delineate); got "
            f"{type(beats).__name__}"
        )


def summarize_beats(beats: EcgBeats) -> np.ndarray:
    """The :data:`PR_STATS` summary of a beat table (seconds; heart rate in bpm).

    Successive differences (RMSSD) use consecutive beats only; a missing P wave breaks the chain.
    """
    _check_beat_table(beats, "summarize_beats")
    out = np.full(len(PR_STATS), np.nan)
    rr = beats.rr[np.isfinite(beats.rr)]
    pr = beats.pr_interval
    prf = pr[np.isfinite(pr)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if rr.size:
            out[0] = 60.0 / np.mean(rr)
            out[1] = np.mean(rr)
            out[2] = np.std(rr, ddof=1) if rr.size > 1 else np.nan
            out[3] = _rmssd(beats.rr[1:])
        if prf.size:
            out[4] = np.mean(prf)
            out[5] = np.median(prf)
            out[6] = np.std(prf, ddof=1) if prf.size > 1 else np.nan
            out[7] = out[6] / out[4]
            out[8] = _rmssd(pr)
            out[9] = prf.min()
            out[10] = prf.max()
            pp = beats.pr_peak[np.isfinite(beats.pr_peak)]
            out[11] = np.mean(pp)
            out[12] = np.std(pp, ddof=1) if pp.size > 1 else np.nan
        if len(beats):
            out[13] = np.mean(np.isfinite(pr))
        both = np.isfinite(pr) & np.isfinite(beats.rr)
        tiny = 1e-9  # seconds: below this a series is constant and has no correlation
        if both.sum() >= 3 and np.std(pr[both]) > tiny and np.std(beats.rr[both]) > tiny:
            out[14] = np.corrcoef(pr[both], beats.rr[both])[0, 1]
    return out


def pr_features(ecg: Any, *, sr: float, p_threshold: float = P_THRESHOLD) -> np.ndarray:
    """Heart-rate, RR and PR-interval summary features of one ECG (single- or multi-lead).

    Parameters
    ----------
    ecg : np.ndarray [shape=(n,) or (n_leads, n)]
        ECG; a 2-D array is one multi-lead recording (see :func:`delineate`).
    sr : float
        Sampling rate in Hz, at least 100.
    p_threshold : float in (0, 1]
        P-wave acceptance threshold (see :func:`delineate`).

    Returns
    -------
    np.ndarray [shape=(15,)]
        Values named by :data:`PR_STATS`: heart rate (bpm); RR mean, SD, RMSSD (s); PR mean,
        median, SD (s), coefficient of variation, RMSSD of successive PR, min, max (s); P-peak to
        R-peak mean and SD (s); fraction of beats with a P wave; PR/RR correlation. NaN where not
        defined (no P waves: every PR value is NaN and ``p_fraction`` is 0). Fewer than two
        detected beats, or a signal that does not look like an ECG (QRS complexes that do not
        repeat: :attr:`EcgBeats.ecg_score` below 0.5, e.g. a heart sound), give all-NaN values
        with an :class:`EcgWarning` that says why.

    Raises
    ------
    ParameterError
        ``sr`` below 100 Hz or above 100 kHz, ``p_threshold`` outside (0, 1].
    InvalidSignalError
        Shorter than 2 s, flat, non-finite, or not 1-D/2-D.

    Examples
    --------
    >>> from physiofeat.ecg import PR_STATS, pr_features, synthetic_ecg
    >>> x, _ = synthetic_ecg(duration=10.0, sr=500, heart_rate=75, pr=0.18)
    >>> f = dict(zip(PR_STATS, pr_features(x, sr=500)))
    >>> round(f["heart_rate"]), round(f["pr_median"] * 1000), float(f["p_fraction"])
    (75, 171, 1.0)
    """
    vals, reason = _pr_values(ecg, sr, p_threshold)
    if reason:
        warnings.warn(reason, EcgWarning, stacklevel=2)
    return vals


def _nan_reason(beats: EcgBeats, what: str) -> str | None:
    """Why the summary features of ``beats`` are all NaN (or None when they are not)."""
    if len(beats) < 2:
        return f"only {len(beats)} beat(s) detected; {what} features are NaN"
    reason = _beats_not_ecg(beats)
    return f"{reason}; {what} features are NaN" if reason else None


def _beats_not_ecg(beats: EcgBeats) -> str | None:
    """:func:`_not_ecg_reason` of a beat table (its bound, ``lead_min_corr``, is no parameter
    of the public functions)."""
    return _not_ecg_reason(beats.ecg_score, _PARAMS, len(beats), beats.duration)


def _pr_values(ecg: Any, sr: Any, p_threshold: Any) -> tuple[np.ndarray, str | None]:
    """:func:`pr_features` and the reason its values are NaN (or None), without warning."""
    beats, _ = _delineate(ecg, sr, p_threshold, "bazett")
    return _pr_of(beats)


def _pr_of(beats: EcgBeats) -> tuple[np.ndarray, str | None]:
    """:data:`PR_STATS` of a beat table (all NaN when :func:`_nan_reason` says why)."""
    reason = _nan_reason(beats, "PR")
    return (np.full(len(PR_STATS), np.nan) if reason else summarize_beats(beats)), reason


def summarize_qt(beats: EcgBeats) -> np.ndarray:
    """The :data:`QT_STATS` summary of a beat table (seconds; ``t_fraction`` 1)."""
    _check_beat_table(beats, "summarize_qt")
    out = np.full(len(QT_STATS), np.nan)
    k = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for col in ("qrs_duration", "qt", "qtc"):
            v = getattr(beats, col)
            v = v[np.isfinite(v)]
            if v.size:
                out[k : k + 3] = (
                    np.median(v),
                    np.mean(v),
                    np.std(v, ddof=1) if v.size > 1 else np.nan,
                )
            k += 3
    if len(beats):
        out[k] = np.mean(np.isfinite(beats.t_end))
    return out


def qt_features(
    ecg: Any, *, sr: float, qtc: str = "bazett", p_threshold: float = P_THRESHOLD
) -> np.ndarray:
    """QRS duration, QT and QTc summary of one ECG (single- or multi-lead).

    Parameters
    ----------
    ecg : np.ndarray [shape=(n,) or (n_leads, n)]
        ECG; a 2-D array is one multi-lead recording (see :func:`delineate`).
    sr : float
        Sampling rate in Hz, at least 100.
    qtc : {"bazett", "fridericia", "framingham", "hodges"}
        RR correction of QTc.
    p_threshold : float in (0, 1]
        P-wave acceptance threshold (see :func:`delineate`; the next beat's P wave bounds the
        T-wave search).

    Returns
    -------
    np.ndarray [shape=(10,)]
        Values named by :data:`QT_STATS`: record median, mean and SD over beats of the QRS
        duration, the QT and the QTc (s), and the fraction of beats with a T end. NaN where
        not defined; fewer than two beats or a signal that does not look like an ECG give
        all-NaN values with an :class:`EcgWarning` that says why.

    Raises
    ------
    ParameterError
        ``sr`` below 100 Hz or above 100 kHz, ``p_threshold`` outside (0, 1], ``qtc`` not one of the four.
    InvalidSignalError
        Shorter than 2 s, flat, non-finite, or not 1-D/2-D.

    Examples
    --------
    >>> from physiofeat.ecg import QT_STATS, qt_features, synthetic_ecg
    >>> x, truth = synthetic_ecg(duration=10.0, sr=500, heart_rate=60)
    >>> f = dict(zip(QT_STATS, qt_features(x, sr=500)))
    >>> round(f["qt_median"] * 1000), round(f["qrs_duration_median"] * 1000)  # true: 460, 90
    (453, 108)
    """
    vals, reason = _qt_values(ecg, sr, qtc, p_threshold)
    if reason:
        warnings.warn(reason, EcgWarning, stacklevel=2)
    return vals


def _qt_values(ecg: Any, sr: Any, qtc: Any, p_threshold: Any) -> tuple[np.ndarray, str | None]:
    """:func:`qt_features` and the reason its values are NaN (or None), without warning."""
    beats, _ = _delineate(ecg, sr, p_threshold, qtc)
    return _qt_of(beats)


def _qt_of(beats: EcgBeats) -> tuple[np.ndarray, str | None]:
    """:data:`QT_STATS` of a beat table (all NaN when :func:`_nan_reason` says why)."""
    reason = _nan_reason(beats, "QT")
    return (np.full(len(QT_STATS), np.nan) if reason else summarize_qt(beats)), reason


def hrv_features(ecg: Any, *, sr: float) -> np.ndarray:
    """Heart-rate variability of one ECG (single- or multi-lead) from its R peaks.

    :func:`detect_r_peaks`, then :func:`hrv_from_peaks` (definitions, units, the Lomb-Scargle
    spectrum and the least recording length of each value are in ``physiofeat/ecg/_hrv.py``).

    Parameters
    ----------
    ecg : np.ndarray [shape=(n,) or (n_leads, n)]
        ECG; several leads are detected together.
    sr : float
        Sampling rate in Hz, at least 100.

    Returns
    -------
    np.ndarray [shape=(22,)]
        Values named by :data:`HRV_STATS` (ms, %, ms^2, 1); NaN, with an :class:`EcgWarning`,
        where the recording is too short for a value, and everywhere when the signal does not
        look like an ECG (see :func:`pr_features`).

    Raises
    ------
    ParameterError
        ``sr`` below 100 Hz or above 100 kHz.
    InvalidSignalError
        Shorter than 2 s, flat, non-finite, or not 1-D/2-D.

    Examples
    --------
    >>> import warnings
    >>> from physiofeat.ecg import HRV_STATS, hrv_features, synthetic_ecg
    >>> x, _ = synthetic_ecg(duration=10.0, sr=500, heart_rate=75)
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")  # 10 s: no spectrum, no entropy
    ...     f = dict(zip(HRV_STATS, hrv_features(x, sr=500)))
    >>> round(float(f["mean_nn"])), round(float(f["sdnn"]), 3)
    (800, 0.0)
    """
    vals, reason = _hrv_values(ecg, sr)
    if reason:
        warnings.warn(reason, EcgWarning, stacklevel=2)
    return vals


def _hrv_values(ecg: Any, sr: Any) -> tuple[np.ndarray, str | None]:
    """:func:`hrv_features` and the reason its values are NaN (or None); the too-short warnings
    of :func:`hrv_from_peaks` are still given."""
    peaks, reason = _r_peaks(ecg, sr)
    if not reason and peaks.size < 2:
        reason = f"only {peaks.size} beat(s) detected"
    if reason:
        return np.full(len(HRV_STATS), np.nan), f"{reason}; HRV features are NaN"
    return hrv_from_peaks(peaks, sr=check_sr(sr)), None
