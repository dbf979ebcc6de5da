"""Cardiac-cycle and per-state features of a segmented heart-sound recording.

Every function takes the signal, its rate and a :class:`~physiofeat.pcg.Segmentation` (or an
``(n, 3)`` array of ``[start_s, end_s, state]`` rows with CirCor's codes) and returns plain
arrays. A **cycle** is an S1 onset to the next S1 onset with exactly S1, systole, S2 and
diastole between them (:meth:`Segmentation.cycles`); stretches with an unannotated (state 0)
row or a missing state are not cycles. Samples belong to a state by the rule of
:attr:`Segmentation.states`: sample ``i`` (at ``i / sr`` s) is in ``[start_s, end_s)``. The
segmentation's own rate does not matter: its intervals are in seconds and are applied at the
signal's ``sr``.

Missing states or too few cycles give NaN (with the same keys and shapes), never an error.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from .._errors import InvalidSignalError, ParameterError
from .._validation import as_signal, check_float, check_int, check_sr
from ._segmentation import DIASTOLE, S1, S2, SYSTOLE, Segmentation, complete_cycle_rows

__all__ = [
    "PcgWarning",
    "CYCLE_QUANTITIES",
    "STATE_KEYS",
    "DEFAULT_BANDS",
    "MURMUR_STATS",
    "cycle_table",
    "cycle_features",
    "state_spectra",
    "murmur_features",
    "cycle_average",
    "cycle_average_labels",
]

#: Per-cycle quantities of :func:`cycle_table` (durations in s, ratios unitless).
CYCLE_QUANTITIES: tuple[str, ...] = (
    "rr",
    "s1",
    "systole",
    "s2",
    "diastole",
    "systole_rr",
    "diastole_rr",
    "systole_diastole",
    "amp_systole_s1",
    "amp_diastole_s2",
)


class PcgWarning(UserWarning):
    """A recording the cycle features cannot describe (too short or silent to segment): its
    cycle and per-state features are NaN."""


#: Labels of the four states, in cycle order (the ``state`` axis of the per-state features).
STATE_KEYS: tuple[str, ...] = ("s1", "systole", "s2", "diastole")
_STATE_CODES = (S1, SYSTOLE, S2, DIASTOLE)

#: Default frequency bands (Hz) of :func:`state_spectra`'s band powers.
DEFAULT_BANDS: tuple[tuple[float, float], ...] = (
    (25.0, 50.0),
    (50.0, 100.0),
    (100.0, 150.0),
    (150.0, 200.0),
    (200.0, 300.0),
    (300.0, 400.0),
    (400.0, 600.0),
    (600.0, 800.0),
)

#: Keys of :func:`murmur_features`, in order.
MURMUR_STATS: tuple[str, ...] = (
    "systole_db",
    "diastole_db",
    "systole_db_sd",
    "diastole_db_sd",
    "systole_minus_diastole_db",
    "systole_louder_fraction",
    "systole_band_fraction",
    "diastole_band_fraction",
)

#: The PCG band (Hz) used as the reference signal of the murmur and cycle-average features.
PCG_BAND: tuple[float, float] = (25.0, 400.0)

# A band-passed signal (or a despiking window) whose peak is at most this fraction of the
# input's (the largest window's) is silent: the band-pass round-off of a constant is about
# 1e-17 of it, recorded sound far above. physiofeat.pcg.segment applies the same test.
_SILENT = 1e-9


def _silent(filtered: np.ndarray, x: np.ndarray) -> bool:
    """Whether band-passed ``filtered`` is silence: all zeros, or the round-off of a constant
    ``x`` (peak at most ``_SILENT`` x that of ``x``)."""
    return not float(np.abs(filtered).max()) > _SILENT * float(np.abs(x).max())


# ---------------------------------------------------------------------------------------------
# shared helpers


def _as_segmentation(segmentation: Any, sr: float) -> Segmentation:
    """A :class:`Segmentation`, or ``(n, 3)`` interval rows turned into one."""
    if isinstance(segmentation, Segmentation):
        return segmentation
    if segmentation is None or isinstance(segmentation, (str, bytes)):
        raise ParameterError(
            f"segmentation must be a physiofeat.pcg.Segmentation or an (n, 3) array of "
            f"[start_s, end_s, state] rows; got {type(segmentation).__name__}"
        )
    return Segmentation.from_intervals(segmentation, sr=sr)


def _signal(x: Any) -> np.ndarray:
    return as_signal(x, ndim=(1,))


def _within(intervals: np.ndarray, n: int, sr: float) -> np.ndarray:
    """The intervals cut to the ``n``-sample signal: rows that start at or after its end are
    dropped and the last one ends with it, so that a segmentation of a whole recording applied
    to its first seconds counts the cycles in them, not the recording's (``n_cycles`` had been
    40 on a 5 s cut of a 20 s recording, ``cycle_coverage`` 3.99 of it)."""
    duration = n / sr
    iv = intervals[intervals[:, 0] < duration]
    if len(iv) and iv[-1, 1] > duration:
        iv = iv.copy()
        iv[-1, 1] = duration
    return iv


def _inputs(x: Any, sr: Any, segmentation: Any) -> tuple[np.ndarray, float, np.ndarray]:
    sr = check_sr(sr)
    x = _signal(x)
    seg = _as_segmentation(segmentation, sr)
    return x, sr, _within(np.asarray(seg.intervals, dtype=np.float64), x.shape[0], sr)


def _sample_range(n: int, sr: float, start: np.ndarray, end: np.ndarray):
    """First and one-past-last sample index with ``start <= i / sr < end`` (the
    :attr:`Segmentation.states` rule), clipped to the signal."""
    t = np.arange(n) / sr
    return np.searchsorted(t, start, side="left"), np.searchsorted(t, end, side="left")


def _segment_means(v: np.ndarray, i0: np.ndarray, i1: np.ndarray) -> np.ndarray:
    """Mean of ``v[i0:i1]`` for each pair (NaN for an empty range). Each range is summed on its
    own (``np.add.reduceat``), so a quiet segment keeps its precision after loud ones."""
    i0 = np.asarray(i0, dtype=np.int64)
    i1 = np.asarray(i1, dtype=np.int64)
    out = np.full(i0.shape, np.nan)
    ok = i1 > i0
    if ok.any():
        padded = np.concatenate([np.asarray(v, dtype=np.float64), [0.0]])
        idx = np.column_stack([i0[ok], i1[ok]]).ravel()
        out[ok] = np.add.reduceat(padded, idx)[::2] / (i1[ok] - i0[ok])
    return out


def _ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        out = a / b
    out[~np.isfinite(out)] = np.nan
    return out


def _nanstat(func, v: np.ndarray, **kw) -> float:
    v = v[np.isfinite(v)]
    if v.size == 0 or ("ddof" in kw and v.size <= kw["ddof"]):
        return math.nan
    return float(func(v, **kw))


def _fits(band: tuple[float, float], sr: float) -> bool:
    """Whether a band lies below the Nyquist frequency (else the features using it are NaN)."""
    return band[1] < sr / 2


def _bandpass(x: np.ndarray, sr: float, band: tuple[float, float], order: int = 4) -> np.ndarray:
    """Zero-phase Butterworth band-pass (``sosfiltfilt``); the upper edge is below sr/2."""
    from scipy.signal import butter, sosfiltfilt

    lo, hi = band
    sos = butter(order, [lo, hi], btype="bandpass", fs=sr, output="sos")
    if x.shape[-1] <= 3 * (2 * sos.shape[0] + 1):
        raise InvalidSignalError(
            f"x has {x.shape[-1]} samples; the band-pass needs more than "
            f"{3 * (2 * sos.shape[0] + 1)}"
        )
    return sosfiltfilt(sos, x.astype(np.float64, copy=False))


def _check_band(band: Any, name: str = "band") -> tuple[float, float]:
    try:
        lo, hi = band
    except (TypeError, ValueError):
        raise ParameterError(f"{name} must be a pair (low_hz, high_hz); got {band!r}") from None
    lo = check_float(lo, f"{name}[0]", minimum=0.0, strict_min=True)
    hi = check_float(hi, f"{name}[1]", minimum=0.0, strict_min=True)
    if hi <= lo:
        raise ParameterError(f"{name} must have low < high Hz; got ({lo:g}, {hi:g})")
    return lo, hi


# ---------------------------------------------------------------------------------------------
# durations and amplitude ratios


def cycle_table(x: Any, *, sr: float, segmentation: Any) -> dict[str, np.ndarray]:
    """Per-cycle durations, duration ratios and amplitude ratios.

    Parameters
    ----------
    x : np.ndarray [shape=(n,)]
        The heart sound the segmentation describes (amplitudes are read from it).
    sr : float
        Rate of ``x`` in Hz.
    segmentation : Segmentation or array_like [shape=(k, 3)]
        The states (``[start_s, end_s, state]`` rows, CirCor codes). States past the end of
        ``x`` are left out: a segmentation of a whole recording applied to its first seconds
        gives the cycles in them.

    Returns
    -------
    dict of str -> np.ndarray [shape=(n_cycles,)]
        ``start`` (S1 onset, s), then :data:`CYCLE_QUANTITIES`: ``rr`` (S1 onset to the next S1
        onset), ``s1``, ``systole``, ``s2``, ``diastole`` (durations, s), ``systole_rr``,
        ``diastole_rr``, ``systole_diastole`` (duration ratios), ``amp_systole_s1`` and
        ``amp_diastole_s2`` (mean absolute amplitude of systole over that of the cycle's S1,
        of diastole over its S2; NaN when a state has no sample of ``x``). Empty arrays when
        there is no complete cycle.

    Examples
    --------
    >>> import numpy as np
    >>> from physiofeat.pcg import cycle_table
    >>> iv = [[.1, .2, 1], [.2, .5, 2], [.5, .6, 3], [.6, 1.1, 4], [1.1, 1.2, 1], [1.2, 1.5, 2]]
    >>> t = cycle_table(np.ones(1600), sr=1000, segmentation=iv)
    >>> t["rr"].round(3).tolist(), t["systole_rr"].round(3).tolist()
    ([1.0], [0.3])
    """
    x, sr, iv = _inputs(x, sr, segmentation)
    i = complete_cycle_rows(iv)
    dur = iv[:, 1] - iv[:, 0]
    out = {"start": iv[i, 0].copy(), "rr": iv[i + 4, 0] - iv[i, 0]}
    for k, key in enumerate(("s1", "systole", "s2", "diastole")):
        out[key] = dur[i + k]
    out["systole_rr"] = _ratio(out["systole"], out["rr"])
    out["diastole_rr"] = _ratio(out["diastole"], out["rr"])
    out["systole_diastole"] = _ratio(out["systole"], out["diastole"])
    i0, i1 = _sample_range(x.shape[0], sr, iv[:, 0], iv[:, 1])
    amp = _segment_means(np.abs(x), i0, i1)
    out["amp_systole_s1"] = _ratio(amp[i + 1], amp[i])
    out["amp_diastole_s2"] = _ratio(amp[i + 3], amp[i + 2])
    return out


def cycle_features(x: Any, *, sr: float, segmentation: Any) -> dict[str, float]:
    """Mean and standard deviation over cycles of every :data:`CYCLE_QUANTITIES` entry, plus the
    number of cycles and the heart rate.

    Keys: ``n_cycles``, ``heart_rate`` (bpm, ``60 / mean(rr)``), then ``<quantity>_mean`` and
    ``<quantity>_sd`` (sample SD, ``ddof=1``) for each quantity. NaN where there are too few
    cycles (no cycle: every value but ``n_cycles``; one cycle: the SDs).

    Examples
    --------
    >>> import numpy as np
    >>> from physiofeat.pcg import cycle_features
    >>> iv = [[.1, .2, 1], [.2, .5, 2], [.5, .6, 3], [.6, 1.1, 4], [1.1, 1.2, 1]]
    >>> f = cycle_features(np.ones(1300), sr=1000, segmentation=iv)
    >>> f["n_cycles"], round(f["heart_rate"], 6), f["rr_sd"]
    (1.0, 60.0, nan)
    """
    t = cycle_table(x, sr=sr, segmentation=segmentation)
    out = {"n_cycles": float(t["rr"].size)}
    m = _nanstat(np.mean, t["rr"])
    out["heart_rate"] = 60.0 / m if m > 0 else math.nan
    for q in CYCLE_QUANTITIES:
        out[f"{q}_mean"] = _nanstat(np.mean, t[q])
        out[f"{q}_sd"] = _nanstat(np.std, t[q], ddof=1)
    return out


# ---------------------------------------------------------------------------------------------
# per-state spectra


def _default_framing(sr: float, n_fft: int | None, hop_length: int | None) -> tuple[int, int]:
    if n_fft is None:
        n_fft = int(2 ** max(4, round(math.log2(0.05 * sr))))  # ~50 ms, a power of two
    n_fft = check_int(n_fft, "n_fft", minimum=2)
    if hop_length is None:
        hop_length = max(1, n_fft // 8)
    return n_fft, check_int(hop_length, "hop_length", minimum=1)


def _check_bands(bands: Any) -> tuple[tuple[float, float], ...]:
    try:
        out = tuple(_check_band(b, "bands[i]") for b in bands)
    except TypeError:
        raise ParameterError(
            f"bands must be a sequence of (low_hz, high_hz); got {bands!r}"
        ) from None
    if not out:
        raise ParameterError("bands is empty; give at least one (low_hz, high_hz) band")
    seen: dict[str, tuple[float, float]] = {}
    for b in out:  # each band is a column: one label each
        first = seen.setdefault(band_label(b), b)
        if first is not b:
            raise ParameterError(
                f"bands {first} and {b} have the same column label {band_label(b)!r} (6 "
                "significant digits): give each band once, and distinct bands"
            )
    return out


def band_label(band: tuple[float, float]) -> str:
    """Column label of a band: ``band_25_50`` for (25, 50) Hz."""
    return f"band_{band[0]:g}_{band[1]:g}".replace(".", "p")


def _frame_states(n_frames: int, hop_length: int, sr: float, iv: np.ndarray, n: int) -> np.ndarray:
    """State code at each frame centre (``center=True`` framing: frame ``k`` at sample
    ``k hop``); 0 for a centre past the signal's last sample."""
    t = np.arange(n_frames) * hop_length / sr
    if iv.shape[0] == 0:
        return np.zeros(n_frames, dtype=np.int64)
    idx = np.searchsorted(iv[:, 0], t, side="right") - 1
    ok = (idx >= 0) & (t < iv[np.maximum(idx, 0), 1]) & (np.arange(n_frames) * hop_length < n)
    out = np.zeros(n_frames, dtype=np.int64)
    out[ok] = iv[idx[ok], 2].astype(np.int64)
    return out


def _half_power_width(p: np.ndarray, f: np.ndarray, k: int) -> float:
    """Width (Hz) of the peak at bin ``k`` where ``p`` stays at or above half its value, the
    two crossings interpolated linearly between bins."""
    half = p[k] / 2.0
    lo = k
    while lo > 0 and p[lo - 1] >= half:
        lo -= 1
    hi = k
    while hi < p.size - 1 and p[hi + 1] >= half:
        hi += 1
    left = f[lo]
    if lo > 0:
        left = f[lo - 1] + (half - p[lo - 1]) / (p[lo] - p[lo - 1]) * (f[lo] - f[lo - 1])
    right = f[hi]
    if hi < p.size - 1:
        right = f[hi] + (p[hi] - half) / (p[hi] - p[hi + 1]) * (f[hi + 1] - f[hi])
    return float(right - left)


def state_spectra(
    x: Any,
    *,
    sr: float,
    segmentation: Any,
    n_fft: int | None = None,
    hop_length: int | None = None,
    n_mfcc: int = 13,
    n_mels: int = 40,
    fmin: float = 25.0,
    fmax: float | None = None,
    bands: Sequence[tuple[float, float]] = DEFAULT_BANDS,
) -> dict[str, np.ndarray]:
    """Spectral content of each state: MFCC means, band powers, peak frequency and width.

    One power spectrogram (:func:`physiofeat.spectral.spectrogram`, Hann window,
    ``center=True``) of the whole recording; each frame belongs to the state of its centre
    sample (frames centred on unannotated stretches or past the last sample are left out). Per state (S1, systole, S2,
    diastole):

    - ``mfcc``: the mean over the state's frames of the MFCCs, computed from that spectrogram
      exactly as :func:`physiofeat.spectral.mfcc` / ``librosa.feature.mfcc`` compute them
      (Slaney mel filters from ``fmin`` to ``fmax``, ``power_to_db`` with ``top_db=80`` over
      the whole recording, orthonormal DCT-II);
    - ``band_power``: the state's mean power spectrum summed over each band of ``bands``
      (``low <= f < high``), as fractions of its sum over all of them (NaN for a band above
      the Nyquist frequency);
    - ``peak_freq``: frequency (Hz) of the maximum of the state's mean power spectrum between
      ``fmin`` and ``fmax``; ``peak_width``: its half-power (-3 dB) width in Hz, the two
      half-power crossings interpolated linearly between bins (a tone on a bin centre gives
      4/3 of a bin with the Hann window).

    Parameters
    ----------
    x : np.ndarray [shape=(n,)]
    sr : float
    segmentation : Segmentation or array_like [shape=(k, 3)]
    n_fft, hop_length : int, optional
        Framing in samples; default the power of two nearest 50 ms and ``n_fft // 8`` (so a
        2 kHz and a 4 kHz recording are framed alike in time).
    n_mfcc, n_mels, fmin : MFCC settings.
    fmax : float, optional
        Upper edge of the mel filters and of the peak search; default ``min(800, sr / 2)`` Hz.
    bands : sequence of (low_hz, high_hz)

    Returns
    -------
    dict
        ``mfcc`` ``(4, n_mfcc)``, ``band_power`` ``(4, n_bands)``, ``peak_freq`` ``(4,)``,
        ``peak_width`` ``(4,)``, ``n_frames`` ``(4,)`` (frames per state); rows in the order of
        :data:`STATE_KEYS`. A state with no frame gives NaN rows.

    Examples
    --------
    >>> import numpy as np
    >>> from physiofeat.pcg import state_spectra
    >>> sr = 2000
    >>> x = np.random.default_rng(0).standard_normal(2 * sr)
    >>> iv = [[0, .1, 1], [.1, .4, 2], [.4, .5, 3], [.5, 1, 4], [1, 1.1, 1]]
    >>> out = state_spectra(x, sr=sr, segmentation=iv)
    >>> out["mfcc"].shape, out["band_power"].shape, out["n_frames"].tolist()
    ((4, 13), (4, 8), [26, 37, 13, 62])
    """
    from ..spectral import mel_filters, mfcc, power_to_db, spectrogram

    x, sr, iv = _inputs(x, sr, segmentation)
    n_fft, hop_length = _default_framing(sr, n_fft, hop_length)
    n_mfcc = check_int(n_mfcc, "n_mfcc", minimum=1)
    n_mels = check_int(n_mels, "n_mels", minimum=1)
    fmin = check_float(fmin, "fmin", minimum=0.0)
    fmax = min(800.0, sr / 2) if fmax is None else check_float(fmax, "fmax", minimum=0.0)
    if fmax <= fmin or fmax > sr / 2:
        raise ParameterError(
            f"fmax must be above fmin={fmin:g} Hz and at most sr/2 = {sr / 2:g} Hz; got {fmax:g}"
        )
    bands = _check_bands(bands)
    P, freqs, _ = spectrogram(x, sr=sr, n_fft=n_fft, hop_length=hop_length, power=2.0)
    P = np.asarray(P, dtype=np.float64)
    W = mel_filters(sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax, dtype=np.float64)
    M = mfcc(sr=sr, S=power_to_db(W @ P, top_db=80.0), n_mfcc=n_mfcc)
    fs = _frame_states(P.shape[1], hop_length, sr, iv, x.shape[0])
    n_b = len(bands)
    out = {
        "mfcc": np.full((4, n_mfcc), np.nan),
        "band_power": np.full((4, n_b), np.nan),
        "peak_freq": np.full(4, np.nan),
        "peak_width": np.full(4, np.nan),
        "n_frames": np.zeros(4, dtype=np.int64),
    }
    in_band = [(freqs >= lo) & (freqs < hi) for lo, hi in bands]
    over = np.array([hi > sr / 2 for _, hi in bands])
    search = (freqs >= fmin) & (freqs <= fmax)
    for r, code in enumerate(_STATE_CODES):
        sel = fs == code
        out["n_frames"][r] = sel.sum()
        if not sel.any():
            continue
        out["mfcc"][r] = M[:, sel].mean(axis=1)
        p = P[:, sel].mean(axis=1)
        bp = np.array([p[m].sum() for m in in_band])
        tot = bp[~over].sum()
        if tot > 0:
            bp = bp / tot
            bp[over] = np.nan
            out["band_power"][r] = bp
        if search.any() and p[search].max() > 0:
            k = int(np.flatnonzero(search)[np.argmax(p[search])])
            out["peak_freq"][r] = freqs[k]
            out["peak_width"][r] = _half_power_width(p, freqs, k)
    return out


# ---------------------------------------------------------------------------------------------
# murmur energy and cycle-synchronous averages


def murmur_features(
    x: Any,
    *,
    sr: float,
    segmentation: Any,
    band: tuple[float, float] = (150.0, 600.0),
) -> dict[str, float]:
    """Murmur energy in systole and diastole, relative to the heart sounds of each cycle.

    ``h`` is ``x`` band-passed to ``band`` (where murmurs carry energy and S1/S2 little), ``p``
    is ``x`` band-passed to the PCG band 25-400 Hz (4th-order Butterworth, zero phase). For each
    cycle ``c``, with ``P_h(state)`` and ``P_p(state)`` the mean square of ``h`` and ``p`` over
    the state's samples and ``E_c = (P_p(S1) + P_p(S2)) / 2`` the cycle's heart-sound power:

    - ``systole_db`` / ``diastole_db``: median over cycles of ``10 log10(P_h(state) / E_c)``;
      ``systole_db_sd`` / ``diastole_db_sd`` their SDs (``ddof=1``);
    - ``systole_minus_diastole_db``: median of ``10 log10(P_h(systole) / P_h(diastole))``;
    - ``systole_louder_fraction``: fraction of cycles with ``P_h(systole) > P_h(diastole)``;
    - ``systole_band_fraction`` / ``diastole_band_fraction``: median of
      ``P_h(state) / P_p(state)``, the share of the state's power in ``band``.

    A murmur raises the value of the state it sounds in (a holosystolic murmur:
    ``systole_db`` and ``systole_minus_diastole_db``). NaN without a complete cycle, when
    ``band`` or the PCG band reaches the Nyquist frequency ``sr / 2``, and for a silent
    recording (``p`` peaks at most ``1e-9`` times ``x``: all zeros, or a constant whose
    band-pass is round-off). Cycles whose systole and diastole both have zero power are left
    out of ``systole_louder_fraction`` (0 against 0 is neither louder).

    Parameters
    ----------
    x : np.ndarray [shape=(n,)]
    sr : float
    segmentation : Segmentation or array_like [shape=(k, 3)]
    band : (low_hz, high_hz)
        The murmur band.

    Returns
    -------
    dict of str -> float
        Keyed by :data:`MURMUR_STATS`.

    Examples
    --------
    >>> import numpy as np
    >>> from physiofeat.pcg import murmur_features
    >>> sr = 2000
    >>> x = np.random.default_rng(0).standard_normal(3 * sr)
    >>> iv = [[0, .1, 1], [.1, .4, 2], [.4, .5, 3], [.5, 1, 4]] * 1
    >>> iv = [[a + k, b + k, s] for k in range(3) for a, b, s in iv]
    >>> f = murmur_features(x, sr=sr, segmentation=iv)
    >>> sorted(f) == sorted(["systole_db", "diastole_db", "systole_db_sd", "diastole_db_sd",
    ...     "systole_minus_diastole_db", "systole_louder_fraction", "systole_band_fraction",
    ...     "diastole_band_fraction"])
    True
    """
    x, sr, iv = _inputs(x, sr, segmentation)
    band = _check_band(band)
    out = dict.fromkeys(MURMUR_STATS, math.nan)
    i = complete_cycle_rows(iv)
    if i.size == 0 or not (_fits(band, sr) and _fits(PCG_BAND, sr)):
        return out
    h = _bandpass(x, sr, band)
    p = _bandpass(x, sr, PCG_BAND)
    if _silent(p, x):
        return out
    i0, i1 = _sample_range(x.shape[0], sr, iv[:, 0], iv[:, 1])
    Ph = _segment_means(h * h, i0, i1)
    Pp = _segment_means(p * p, i0, i1)
    E = 0.5 * (Pp[i] + Pp[i + 2])
    with np.errstate(divide="ignore", invalid="ignore"):
        sys_db = 10 * np.log10(_ratio(Ph[i + 1], E))
        dia_db = 10 * np.log10(_ratio(Ph[i + 3], E))
        sd_db = 10 * np.log10(_ratio(Ph[i + 1], Ph[i + 3]))
    out["systole_db"] = _nanstat(np.median, sys_db)
    out["diastole_db"] = _nanstat(np.median, dia_db)
    out["systole_db_sd"] = _nanstat(np.std, sys_db, ddof=1)
    out["diastole_db_sd"] = _nanstat(np.std, dia_db, ddof=1)
    out["systole_minus_diastole_db"] = _nanstat(np.median, sd_db)
    ok = np.isfinite(Ph[i + 1]) & np.isfinite(Ph[i + 3]) & ((Ph[i + 1] > 0) | (Ph[i + 3] > 0))
    if ok.any():
        out["systole_louder_fraction"] = float(np.mean(Ph[i + 1][ok] > Ph[i + 3][ok]))
    out["systole_band_fraction"] = _nanstat(np.median, _ratio(Ph[i + 1], Pp[i + 1]))
    out["diastole_band_fraction"] = _nanstat(np.median, _ratio(Ph[i + 3], Pp[i + 3]))
    return out


def _check_bins(bins: Any) -> tuple[int, int, int, int]:
    try:
        b = tuple(bins)
    except TypeError:
        raise ParameterError(
            f"bins must be 4 integers (S1, systole, S2, diastole); got {bins!r}"
        ) from None
    if len(b) != 4:
        raise ParameterError(
            f"bins must give 4 counts (S1, systole, S2, diastole); got {len(b)}: {bins!r}"
        )
    return tuple(check_int(v, "bins[i]", minimum=1, maximum=1000) for v in b)  # type: ignore[return-value]


def cycle_average_labels(bins: Sequence[int] = (4, 8, 4, 8)) -> list[str]:
    """Labels of :func:`cycle_average`'s phase axis, ``s1_0`` to ``diastole_7``."""
    return [f"{k}_{j}" for k, n in zip(STATE_KEYS, _check_bins(bins)) for j in range(n)]


def cycle_average(
    x: Any,
    *,
    sr: float,
    segmentation: Any,
    bins: Sequence[int] = (4, 8, 4, 8),
    band: tuple[float, float] = (150.0, 600.0),
) -> np.ndarray:
    """Cycle-synchronous average: the RMS profile of an average cycle, in time-normalised bins.

    Each state of each cycle is cut into ``bins`` (S1, systole, S2, diastole) intervals of
    equal duration; a bin's value is the RMS of the signal over its samples (``start <= i/sr <
    end``). Row 0 is ``x`` band-passed to the PCG band 25-400 Hz, row 1 ``x`` band-passed to
    ``band`` (the murmur band); both are averaged over cycles and divided by the mean of row
    0's S1 bin values over all cycles (so row 0's S1 bins average 1; this mean of bin RMS values
    is below the RMS over whole S1 intervals), so the profile does not depend on the
    recording's gain. A bin without
    samples (a state shorter than its bin count in samples) is NaN in that cycle and left out of
    the average.

    Parameters
    ----------
    x : np.ndarray [shape=(n,)]
    sr : float
    segmentation : Segmentation or array_like [shape=(k, 3)]
    bins : 4 ints
        Bins of S1, systole, S2 and diastole.
    band : (low_hz, high_hz)
        The murmur band of row 1.

    Returns
    -------
    np.ndarray [shape=(2, sum(bins))]
        Labels of the second axis: :func:`cycle_average_labels`. NaN without a complete cycle,
        when ``band`` or the PCG band reaches the Nyquist frequency ``sr / 2``, and for a
        silent recording (its 25-400 Hz band-pass peaks at most ``1e-9`` times ``x``: all
        zeros, or a constant whose band-pass is round-off).

    Examples
    --------
    >>> import numpy as np
    >>> from physiofeat.pcg import cycle_average
    >>> sr = 2000
    >>> x = np.random.default_rng(0).standard_normal(3 * sr)
    >>> iv = [[a + k, b + k, s] for k in range(3) for a, b, s in
    ...       [[0, .1, 1], [.1, .4, 2], [.4, .5, 3], [.5, 1, 4]]]
    >>> cycle_average(x, sr=sr, segmentation=iv).shape
    (2, 24)
    """
    x, sr, iv = _inputs(x, sr, segmentation)
    bins = _check_bins(bins)
    band = _check_band(band)
    n_ph = sum(bins)
    out = np.full((2, n_ph), np.nan)
    i = complete_cycle_rows(iv)
    if i.size == 0 or not (_fits(band, sr) and _fits(PCG_BAND, sr)):
        return out
    rows = (_bandpass(x, sr, PCG_BAND), _bandpass(x, sr, band))
    if _silent(rows[0], x):
        return out
    edges = []
    for k, nb in enumerate(bins):  # (n_cycles, nb + 1) bin edges of state k
        a, b = iv[i + k, 0], iv[i + k, 1]
        edges.append(a[:, None] + (b - a)[:, None] * np.linspace(0.0, 1.0, nb + 1)[None, :])
    starts = np.concatenate([e[:, :-1] for e in edges], axis=1)  # (n_cycles, n_ph)
    ends = np.concatenate([e[:, 1:] for e in edges], axis=1)
    i0, i1 = _sample_range(x.shape[0], sr, starts.ravel(), ends.ravel())
    prof = np.stack(
        [np.sqrt(_segment_means(r * r, i0, i1)).reshape(starts.shape) for r in rows]
    )  # (2, n_cycles, n_ph)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns give NaN on purpose
        mean = np.nanmean(prof, axis=1)
        s1 = np.nanmean(prof[0][:, : bins[0]])
    if np.isfinite(s1) and s1 > 0:
        out = mean / s1
    return out
