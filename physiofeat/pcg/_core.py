"""PCG preprocessing, heart-rate estimation and the LR-HSMM segmenter (:func:`segment`)."""

from __future__ import annotations

import math
import os
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

import numpy as np

from .._errors import InvalidSignalError, ParameterError
from .._validation import as_signal, check_bool, check_float, check_int, check_sr
from ._cycles import _SILENT
from ._hsmm import (
    SegmenterModel,
    _as_model,
    duration_means_sds,
    duration_tables,
    fit_model,
    viterbi,
)
from ._segmentation import Segmentation

__all__ = [
    "bandpass",
    "schmidt_spike_removal",
    "preprocess",
    "heart_rate",
    "segmentation_features",
    "segment",
    "fit_segmenter",
]

FEATURES = ("homomorphic", "hilbert", "psd", "wavelet")


# ------------------------------------------------------------------------------------------
# preprocessing


def bandpass(
    x: Any, *, sr: float, fmin: float = 25.0, fmax: float = 400.0, order: int = 2
) -> np.ndarray:
    """Butterworth band-pass, zero phase: a high-pass at ``fmin`` and a low-pass at ``fmax``,
    each of ``order``, each run forward and backward (``scipy.signal.sosfiltfilt``), as
    Springer et al. (2016) filter heart sounds (25-400 Hz, order 2).

    Parameters
    ----------
    x : np.ndarray [shape=(..., n)]
        Signal(s).
    sr : float
        Sampling rate in Hz.
    fmin, fmax : float
        Band edges in Hz, ``0 < fmin < fmax < sr / 2``; ``fmax=None`` skips the low-pass
        (useful when ``sr / 2 <= 400``).
    order : int
        Order of each Butterworth filter (1-10).

    Returns
    -------
    np.ndarray [shape=(..., n)]

    Examples
    --------
    >>> import numpy as np
    >>> from physiofeat.pcg import bandpass
    >>> t = np.arange(4000) / 1000
    >>> y = bandpass(np.sin(2 * np.pi * 5 * t) + np.sin(2 * np.pi * 100 * t), sr=1000)
    >>> round(float(np.std(y[500:-500]) * np.sqrt(2)), 2)
    1.0
    """
    from scipy.signal import butter, sosfiltfilt

    sr = check_sr(sr)
    x = as_signal(x, ndim=(1, 2, 3))
    fmin = check_float(fmin, "fmin", minimum=0.0, strict_min=True)
    fmax = check_float(fmax, "fmax", minimum=0.0, strict_min=True, allow_none=True)
    order = check_int(order, "order", minimum=1, maximum=10)
    top = sr / 2 if fmax is None else fmax
    if not fmin < top or (fmax is not None and fmax >= sr / 2):
        raise ParameterError(
            f"the band-pass needs 0 < fmin < fmax < sr/2 = {sr / 2:g} Hz; got fmin={fmin:g}, "
            f"fmax={fmax!r}"
        )
    need = 3 * (2 * ((order + 1) // 2) + 1)
    if x.shape[-1] <= need:
        raise InvalidSignalError(
            f"signal of {x.shape[-1]} samples is too short for the zero-phase order-{order} "
            f"band-pass: more than {need} samples are needed"
        )
    y = x
    if fmax is not None:
        y = sosfiltfilt(butter(order, fmax, btype="low", fs=sr, output="sos"), y, axis=-1)
    y = sosfiltfilt(butter(order, fmin, btype="high", fs=sr, output="sos"), y, axis=-1)
    return y.astype(x.dtype, copy=False)


def schmidt_spike_removal(
    x: Any, *, sr: float, window: float = 0.5, threshold: float = 3.0, max_iter: int = 1000
) -> np.ndarray:
    """Remove friction spikes (Schmidt et al. 2010, Physiol. Meas. 31:513).

    The signal is cut into windows of ``window`` seconds (a shorter tail is left as it is)
    and each window's maximum absolute amplitude (MAA) is taken. While some MAA exceeds
    ``threshold`` times the median MAA, in the window with the largest MAA the samples from
    the last zero crossing before its largest absolute sample to the first zero crossing
    after it (within the window) are set to zero, and that window's MAA is recomputed.

    The median is taken over the windows that are not **silent**: a window is silent when
    its MAA, before any spike is removed, is at most ``1e-9`` times the largest window MAA
    (zero padding, a dropout, or the band-pass round-off in them; the same relative test
    :func:`segment` applies to a whole recording). Otherwise a recording more than half
    silent would have a median MAA of about 0, and every window with sound in it would
    count as a spike. A recording without silent windows is despiked exactly as Schmidt
    describes.

    Parameters
    ----------
    x : np.ndarray [shape=(n,)]
        Signal (band-passed: zero crossings delimit the spike).
    sr : float
        Sampling rate in Hz.
    window : float
        Window length in seconds (Schmidt: 0.5 s).
    threshold : float
        A window is a spike window while its MAA > ``threshold`` x median MAA (Schmidt: 3).
    max_iter : int
        Upper bound on the number of spikes removed.

    Returns
    -------
    np.ndarray [shape=(n,)]
        A copy with the spikes zeroed.

    Examples
    --------
    >>> import numpy as np
    >>> from physiofeat.pcg import schmidt_spike_removal
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal(4000)
    >>> x[1000:1003] = [0.5, 40.0, 0.5]
    >>> y = schmidt_spike_removal(x, sr=1000)
    >>> float(np.abs(y).max()) < 5, bool((y[1001] == 0))
    (True, True)
    """
    sr = check_sr(sr)
    x = as_signal(x, ndim=(1,))
    window = check_float(window, "window", minimum=0.0, strict_min=True)
    threshold = check_float(threshold, "threshold", minimum=1.0)
    max_iter = check_int(max_iter, "max_iter", minimum=0)
    w = max(1, int(round(window * sr)))
    y = x.copy()
    n_win = y.shape[0] // w
    if n_win < 2:
        return y
    frames = y[: n_win * w].reshape(n_win, w)  # a view: edits go into y
    maa = np.abs(frames).max(axis=1)
    # silent windows (padding, dropouts) stay out of the median, which is the typical
    # amplitude of the windows with sound; decided once, before any spike is removed
    live = maa > _SILENT * maa.max()
    if not live.any():
        return y
    for _ in range(max_iter):
        med = np.median(maa[live])
        k = int(np.argmax(maa))
        if not maa[k] > threshold * med:
            break
        f = frames[k]
        p = int(np.argmax(np.abs(f)))
        sign = np.signbit(f)
        zc = np.flatnonzero(sign[1:] != sign[:-1]) + 1  # index after each sign change
        before = zc[zc <= p]
        after = zc[zc > p]
        a = int(before[-1]) if before.size else 0
        b = int(after[0]) if after.size else w
        f[a:b] = 0.0
        maa[k] = np.abs(f).max()
    return y


def preprocess(
    x: Any,
    *,
    sr: float,
    target_sr: float | None = 1000.0,
    fmin: float = 25.0,
    fmax: float | None = 400.0,
    order: int = 2,
    despike: bool = True,
) -> tuple[np.ndarray, float]:
    """Resample, band-pass and remove spikes: the segmenter's front end (Springer 2016).

    ``x`` is resampled to ``target_sr`` (:func:`physiofeat.io.resample`, soxr; ``None`` keeps
    ``sr``), band-passed (:func:`bandpass`) and, with ``despike``, cleaned of spikes
    (:func:`schmidt_spike_removal`). ``fmax`` is dropped to ``None`` (no low-pass) when it is
    not below the working Nyquist frequency.

    Returns
    -------
    y : np.ndarray [shape=(m,)], float64
    sr : float
        Rate of ``y``.

    Examples
    --------
    >>> import physiofeat
    >>> from physiofeat.pcg import preprocess
    >>> x, sr = physiofeat.load(physiofeat.data.path("50277_MV"))
    >>> y, fs = preprocess(x, sr=sr)
    >>> y.shape, fs
    ((22800,), 1000.0)
    """
    from ..io import resample

    sr = check_sr(sr)
    x = as_signal(x, ndim=(1,), dtype=np.float64)
    despike = check_bool(despike, "despike")
    fs = sr if target_sr is None else check_sr(target_sr, name="target_sr")
    if fs > sr:
        raise ParameterError(
            f"target_sr={fs:g} Hz is above the signal's rate sr={sr:g} Hz; the segmenter only "
            f"downsamples"
        )
    y = resample(x, sr, fs) if fs != sr else x
    if fmax is not None and fmax >= fs / 2:
        fmax = None
    y = bandpass(y, sr=fs, fmin=fmin, fmax=fmax, order=order)
    if despike:
        y = schmidt_spike_removal(y, sr=fs)
    return y, fs


def _autocorr(env: np.ndarray) -> np.ndarray:
    from scipy import fft

    e = env - env.mean()
    n = e.shape[0]
    nfft = fft.next_fast_len(2 * n - 1, real=True)
    spec = fft.rfft(e, nfft)
    r = fft.irfft(spec.real**2 + spec.imag**2, nfft)[:n]
    return r / r[0] if r[0] > 0 else r * np.nan


def _check_length(n: int, sr: float, hr_min: float) -> None:
    need = 2 * 60.0 / hr_min
    if n / sr < need:
        raise InvalidSignalError(
            f"signal of {n / sr:.3g} s is too short: at least {need:.3g} s (two cycles at "
            f"hr_min={hr_min:g} bpm) are needed to estimate the heart rate"
        )


def _envelope_acf(x: np.ndarray, sr: float) -> np.ndarray:
    """Autocorrelation of the homomorphic envelope (8 Hz) of ``x``."""
    from ..envelope import homomorphic_envelope

    return _autocorr(homomorphic_envelope(x, sr=sr).astype(np.float64))


def _local_maxima(seg: np.ndarray) -> np.ndarray:
    if seg.shape[0] < 3:
        return np.zeros(0, np.int64)
    return np.flatnonzero((seg[1:-1] > seg[:-2]) & (seg[1:-1] >= seg[2:])) + 1


def _cycle_and_systole(r, sr, hr_min, hr_max, systole_min, cycle_lag=None):
    lo = max(1, int(round(60.0 / hr_max * sr)))
    hi = min(r.shape[0] - 1, int(round(60.0 / hr_min * sr)))
    k = _peak_lag(r, lo, hi) if cycle_lag is None else cycle_lag
    s_lo = max(1, int(round(systole_min * sr)))
    if s_lo >= k:
        raise ParameterError(
            f"systole_min={systole_min:g} s is not shorter than the heart cycle found "
            f"({k / sr:.3g} s at {60.0 * sr / k:.4g} bpm)"
        )
    s_hi = max(s_lo, k // 2)
    return k, _peak_lag(r, s_lo, s_hi)


def _cycle_candidates(r, sr, hr_min, hr_max, n=3) -> list[int]:
    """Lags of the ``n`` highest autocorrelation peaks in the heart-rate range."""
    lo = max(1, int(round(60.0 / hr_max * sr)))
    hi = min(r.shape[0] - 1, int(round(60.0 / hr_min * sr)))
    seg = r[lo : hi + 1]
    peaks = _local_maxima(seg)
    if peaks.size == 0:
        return [lo + int(np.argmax(seg))]
    peaks = peaks[np.argsort(seg[peaks])[::-1][:n]]
    return [lo + int(p) for p in peaks]


def _local_peak_lag(r: np.ndarray, lo: int, hi: int) -> int | None:
    """Lag of the highest local maximum of ``r`` in ``[lo, hi]``; None when the range holds no
    local maximum (a monotone stretch)."""
    seg = r[lo : hi + 1]
    inner = _local_maxima(seg)
    return lo + int(inner[np.argmax(seg[inner])]) if inner.size else None


def _peak_lag(r: np.ndarray, lo: int, hi: int) -> int:
    """:func:`_local_peak_lag`, or the lag of the highest value when there is no local
    maximum."""
    k = _local_peak_lag(r, lo, hi)
    return lo + int(np.argmax(r[lo : hi + 1])) if k is None else k


def heart_rate(
    x: Any,
    *,
    sr: float,
    hr_min: float = 40.0,
    hr_max: float = 200.0,
    systole_min: float = 0.2,
    return_periodicity: bool = False,
):
    """Heart rate and systolic interval from the autocorrelation of the homomorphic envelope.

    As Schmidt et al. (2010) and Springer et al. (2016): the homomorphic envelope
    (:func:`physiofeat.envelope.homomorphic_envelope`, 8 Hz) of ``x``, mean removed, is
    autocorrelated; the heart cycle is the lag of the largest autocorrelation peak (local
    maximum) between ``60 / hr_max`` and ``60 / hr_min`` seconds, the systolic interval (S1 to
    S2) the lag of the largest peak between ``systole_min`` and half the cycle (the largest
    value when the range holds no peak). Springer takes the largest value, which lands on the
    range's lower edge when the envelope is wide (murmurs); the peak is what is meant. Pass a band-passed,
    despiked signal (:func:`preprocess`).

    Parameters
    ----------
    x : np.ndarray [shape=(n,)]
        Heart sound, at least ``2 * 60 / hr_min`` seconds.
    sr : float
        Sampling rate in Hz.
    hr_min, hr_max : float
        Heart-rate search range in beats per minute.
    systole_min : float
        Shortest systolic interval searched, in seconds.
    return_periodicity : bool
        Also return the autocorrelation at the cycle lag (1 = perfectly periodic envelope).

    Returns
    -------
    heart_rate : float
        Beats per minute.
    systolic_interval : float
        Seconds.
    periodicity : float
        Only with ``return_periodicity``.

    Examples
    --------
    >>> import numpy as np
    >>> from physiofeat.pcg import heart_rate
    >>> sr = 1000
    >>> t = np.arange(10 * sr) / sr
    >>> beat = lambda c: np.exp(-(((t - c) % 0.8) / 0.02) ** 2)  # 75 bpm
    >>> x = np.sin(2 * np.pi * 60 * t) * (beat(0.1) + 0.6 * beat(0.4))
    >>> hr, si = heart_rate(x, sr=sr)
    >>> round(hr, 1), round(si, 2)
    (75.0, 0.3)
    """
    sr = check_sr(sr)
    x = as_signal(x, ndim=(1,))
    hr_min = check_float(hr_min, "hr_min", minimum=0.0, strict_min=True)
    hr_max = check_float(hr_max, "hr_max", minimum=0.0, strict_min=True)
    if hr_min >= hr_max:
        raise ParameterError(
            f"hr_min must be below hr_max; got hr_min={hr_min:g}, hr_max={hr_max:g}"
        )
    systole_min = check_float(systole_min, "systole_min", minimum=0.0)
    return_periodicity = check_bool(return_periodicity, "return_periodicity")
    _check_length(x.shape[0], sr, hr_min)
    if not np.abs(x).max() > 0:
        raise InvalidSignalError("signal is silent (all zeros); there are no heart sounds")
    r = _envelope_acf(x, sr)
    k, ks = _cycle_and_systole(r, sr, hr_min, hr_max, systole_min)
    hr, si = 60.0 / (k / sr), ks / sr
    if return_periodicity:
        return hr, si, float(r[k])
    return hr, si


# ------------------------------------------------------------------------------------------
# features


def _fitted_psd_envelope(x, *, sr, out_sr, normalize):
    """:func:`physiofeat.envelope.psd_envelope` with the framing the shipped model
    (``springer_circor.json``) was fitted with: ``win = round(sr / 40)``, ``hop = max(1, win -
    round(sr / 80))`` with Python's half-to-even ``round`` (hop 13 at 1 kHz), not the MATLAB
    rounding that psd_envelope defaults to (hop 12), so that the model sees the features it was
    fitted on. Refit the model before switching to the default."""
    from .. import envelope as E

    win = round(sr / 40)
    hop = max(1, win - round(sr / 80))
    return E.psd_envelope(
        x, sr=sr, win_length=win, hop_length=hop, out_sr=out_sr, normalize=normalize
    )


def segmentation_features(
    x: Any, *, sr: float, feature_sr: float = 50.0, features: Iterable[str] = FEATURES
) -> np.ndarray:
    """Envelope features of a preprocessed signal for the segmenter, z-scored over time.

    Each named envelope of :mod:`physiofeat.envelope` at ``feature_sr``, normalised to zero
    mean and unit SD. The default ``features`` are Springer et al.'s (2016) four: the
    homomorphic, Hilbert, PSD (40-60 Hz) and wavelet (``rbio3.9``, ~62-125 Hz detail level)
    envelopes; ``"shannon"`` (the Shannon envelope) is also accepted. The shipped model uses
    five, ``load_model().features`` (the four and the Shannon envelope), and adds the same
    features at neighbouring frames (``SegmenterModel.context``) before its regression: pass
    ``features=load_model().features`` for the rows :func:`segment` computes.

    Returns
    -------
    np.ndarray [shape=(n_features, m)]

    Examples
    --------
    >>> import physiofeat
    >>> from physiofeat.pcg import preprocess, segmentation_features
    >>> x, sr = physiofeat.load(physiofeat.data.path("50277_MV"))
    >>> y, fs = preprocess(x, sr=sr)
    >>> segmentation_features(y, sr=fs).shape
    (4, 1140)
    """
    from .. import envelope as E

    sr = check_sr(sr)
    x = as_signal(x, ndim=(1,))
    feature_sr = check_sr(feature_sr, name="feature_sr")
    funcs = {
        "homomorphic": E.homomorphic_envelope,
        "hilbert": E.hilbert_envelope,
        "psd": _fitted_psd_envelope,
        "wavelet": E.wavelet_envelope,
        "shannon": E.shannon_envelope,
    }
    if isinstance(features, str):  # one name
        features = (features,)
    return _features(x, sr, feature_sr, tuple(features), funcs)[0]


def _features(x, sr, feature_sr, features, funcs=None):
    """``(F, homomorphic envelope at sr or None)``: the full-rate homomorphic envelope is
    computed once and serves both the feature and the heart-rate autocorrelation."""
    from .. import envelope as E

    if funcs is None:
        funcs = {
            "homomorphic": E.homomorphic_envelope,
            "hilbert": E.hilbert_envelope,
            "psd": _fitted_psd_envelope,
            "wavelet": E.wavelet_envelope,
            "shannon": E.shannon_envelope,
        }
    out, full = [], None
    if not features:
        raise ParameterError(
            f"features must name at least one segmentation feature; accepted: {', '.join(funcs)}"
        )
    for name in features:
        if name not in funcs:
            raise ParameterError(
                f"unknown segmentation feature {name!r}; accepted: {', '.join(funcs)}"
            )
        if name == "homomorphic":
            full = E.homomorphic_envelope(x, sr=sr)
            out.append(E._finish(full, sr, feature_sr, True))
        else:
            out.append(funcs[name](x, sr=sr, out_sr=feature_sr, normalize=True))
    m = min(f.shape[-1] for f in out)
    F = np.stack([f[:m] for f in out]).astype(np.float64)
    return np.nan_to_num(F, nan=0.0), full


# ------------------------------------------------------------------------------------------
# segmentation


def _states_to_intervals(
    states: np.ndarray, fs: float, duration: float, offset: float = 0.0
) -> np.ndarray:
    """Feature-rate states 0..3 -> CirCor intervals; sample ``k`` stands for
    ``[(k - 1/2) / fs, (k + 1/2) / fs)``, moved by ``offset`` s, clipped to
    ``[0, duration]``."""
    change = np.flatnonzero(states[1:] != states[:-1]) + 1
    starts = np.r_[0, change]
    inner = np.clip((change - 0.5) / fs + offset, 0.0, duration)
    edges = np.r_[0.0, inner, duration]
    codes = states[starts] + 1
    iv = np.column_stack([edges[:-1], edges[1:], codes])
    return iv[iv[:, 1] > iv[:, 0]]


def _prepare(x, sr, model):
    y, fs = preprocess(
        x,
        sr=sr,
        target_sr=min(model.audio_sr, sr),
        fmin=model.fmin,
        fmax=model.fmax,
        order=model.order,
    )
    return y, fs


# the band of the PSD envelope feature (physiofeat.envelope.psd_envelope's default, Springer's)
_PSD_BAND = (40.0, 60.0)


def _segment_sr_limits(model: SegmenterModel) -> list[tuple[float, str]]:
    """The sampling-rate floors (Hz) of :func:`segment` with ``model``, each with its reason:
    above twice the high-pass edge (by 5 %: the filter needs room below Nyquist) and, when the
    model uses the PSD envelope, at least twice the top of its 40-60 Hz band (120 Hz)."""
    limits = [(2 * model.fmin * 1.05, f"the {model.fmin:g} Hz high-pass")]
    if "psd" in model.features:
        lo, hi = _PSD_BAND
        limits.append((2 * hi, f"the PSD envelope feature ({lo:g}-{hi:g} Hz)"))
    return limits


def _check_segment_sr(sr: float, model: SegmenterModel) -> None:
    limits = _segment_sr_limits(model)
    why = [reason for lim, reason in limits if sr < lim]
    if why:
        raise ParameterError(
            f"sr={sr:g} Hz is too low for {' and '.join(why)}: the segmenter needs sr >= "
            f"{max(lim for lim, _ in limits):g} Hz with this model (1 kHz or more is what the "
            "shipped model was fitted on)"
        )


def segment(
    x: Any,
    *,
    sr: float,
    model: SegmenterModel | str | os.PathLike | None = None,
    heart_rate: float | None = None,
    systolic_interval: float | None = None,
    rate_candidates: int = 3,
) -> Segmentation:
    """Segment a heart sound into S1, systole, S2 and diastole (LR-HSMM, Springer 2016).

    The signal is resampled to the model's working rate (1 kHz), band-passed (25-400 Hz,
    order 2, zero phase) and despiked (:func:`preprocess`); its heart rate and systolic
    interval come from the homomorphic envelope's autocorrelation (:func:`heart_rate`)
    unless given; the model's envelope features at 50 Hz (:func:`segmentation_features`; the
    shipped model's five, homomorphic, Hilbert, PSD, wavelet and Shannon, each also at 14
    neighbouring frames, ``SegmenterModel.context``) feed a multinomial
    logistic regression whose posteriors, divided by the state priors, are the emission
    scores of a four-state hidden semi-Markov model with Gaussian state durations
    (S1, S2 fixed; systole and diastole following the heart rate). The most probable state
    sequence is found by the extended Viterbi recursion, which lets the first and last
    states be cut by the recording's edges (their durations are scored by the survival
    function ``P(duration >= d)``).

    Parameters
    ----------
    x : np.ndarray [shape=(n,)]
        Heart sound, at least ``2 * 60 / model.hr_min`` seconds (3 s with the shipped model).
    sr : float
        Sampling rate in Hz: at least 120 Hz with the shipped model (twice the 60 Hz top of
        its PSD feature's 40-60 Hz band; a model without the PSD feature needs above
        2.1 x its high-pass edge, 52.5 Hz); 1 kHz or more is what the model was fitted on.
    model : SegmenterModel or path, optional
        ``None``: the shipped model, fitted on CirCor DigiScope recordings (``docs/segmentation.rst``).
    heart_rate, systolic_interval : float, optional
        Beats per minute and seconds; estimated when not given.
    rate_candidates : int
        Heart-cycle candidates: the ``rate_candidates`` highest peaks of the homomorphic
        envelope's autocorrelation within the model's heart-rate range, plus the highest peak
        of the autocorrelation of the S1 and of the S2 posterior (which recur once per cycle).
        Each is decoded with its own systolic interval (envelope autocorrelation); the path of
        highest HSMM log-likelihood is kept, then decoded once more with the heart rate and
        systolic interval measured on that path, kept if its likelihood is higher. This
        guards against the autocorrelation taking two cycles, or one systole, for the cycle
        (Springer uses the single highest envelope peak).

    Returns
    -------
    Segmentation
        At the signal's rate ``sr``; ``heart_rate`` and ``systolic_interval`` used;
        ``attrs``: ``periodicity`` (envelope autocorrelation at the cycle lag, low values
        mean a poorly periodic recording whose segmentation is unreliable), ``score``
        (the Viterbi log score per feature sample), ``feature_sr``.

    Raises
    ------
    InvalidSignalError
        Not 1-D, non-finite, too short for two cycles, or silent.
    ParameterError
        ``sr`` below that limit (120 Hz with the shipped model), or a bad
        ``heart_rate``, ``systolic_interval``, ``rate_candidates`` or ``model``.

    Examples
    --------
    >>> import physiofeat
    >>> from physiofeat.pcg import segment
    >>> x, sr = physiofeat.load(physiofeat.data.path("50277_MV"))
    >>> seg = segment(x, sr=sr)
    >>> seg.states.shape == x.shape, seg.sounds("S1").shape[1]
    (True, 2)
    """
    sr = check_sr(sr)
    model = _as_model(model)
    _check_segment_sr(sr, model)
    x = as_signal(x, ndim=(1,), dtype=np.float64)
    if not np.abs(x).max() > 0:
        raise InvalidSignalError("signal is silent (all zeros); there are no heart sounds")
    # a constant (a DC offset) before the resampling, whose edge transients are no sound
    if not np.abs(x - x.mean()).max() > _SILENT * float(np.abs(x).max()):
        raise InvalidSignalError(
            f"signal is silent after the band-pass: it is constant at {float(x[0]):g} (a DC "
            f"offset, no energy in {model.fmin:g}-{model.fmax:g} Hz); there are no heart sounds"
        )
    need = 2 * 60.0 / model.hr_min
    if x.shape[0] / sr < need:
        raise InvalidSignalError(
            f"signal of {x.shape[0] / sr:.3g} s is too short to segment: at least {need:.3g} s "
            f"(two cycles at the model's hr_min={model.hr_min:g} bpm) are needed"
        )
    y, fs = _prepare(x, sr, model)
    # round-off of a constant (DC) signal through the band-pass is no sound: 1e-9 of the input
    if not np.abs(y).max() > _SILENT * float(np.abs(x).max()):
        raise InvalidSignalError(
            "signal is silent after the band-pass (no energy in "
            f"{model.fmin:g}-{model.fmax:g} Hz); there are no heart sounds"
        )
    if heart_rate is not None:
        heart_rate = check_float(heart_rate, "heart_rate", minimum=0.0, strict_min=True)
        if not model.hr_min <= heart_rate <= model.hr_max:
            raise ParameterError(
                f"heart_rate={heart_rate:g} bpm is outside the {model.hr_min:g}-"
                f"{model.hr_max:g} bpm the segmentation model is made for"
            )
    if systolic_interval is not None:
        systolic_interval = check_float(
            systolic_interval, "systolic_interval", minimum=0.0, strict_min=True
        )
        if heart_rate is not None and systolic_interval >= 60.0 / heart_rate:
            raise ParameterError(
                f"systolic_interval={systolic_interval:g} s must be shorter than the heart "
                f"cycle 60/heart_rate = {60.0 / heart_rate:.3g} s"
            )
    rate_candidates = check_int(rate_candidates, "rate_candidates", minimum=1)
    F, env = _features(y, fs, model.feature_sr, tuple(model.features))
    score, states, hr, si, periodicity = _decode_best(
        y if env is None else env.astype(np.float64),
        fs,
        F,
        model,
        heart_rate,
        systolic_interval,
        rate_candidates,
        env=env is not None,
    )
    iv = _states_to_intervals(states, model.feature_sr, x.shape[0] / sr, model.time_offset)
    return Segmentation.from_intervals(
        iv,
        sr=sr,
        n_samples=x.shape[0],
        heart_rate=hr,
        systolic_interval=si,
        attrs={
            "periodicity": periodicity,
            "score": score / max(1, states.shape[0]),
            "feature_sr": model.feature_sr,
            "method": "springer_lr_hsmm",
        },
    )


def _decode_best(y, fs, F, model, heart_rate, systolic_interval, rate_candidates, env=False):
    """Decode every heart-rate candidate; ``(score, states, hr, si, periodicity)`` of the
    most likely path (after one re-decoding with its own rates). ``y`` is the preprocessed
    signal or its homomorphic envelope (``env=True``)."""
    log_b = model.emission_scores(F)
    r = _autocorr(y) if env else _envelope_acf(y, fs)
    if heart_rate is not None:
        lags = [int(round(60.0 / heart_rate * fs))]
    else:
        lags = _cycle_candidates(r, fs, model.hr_min, model.hr_max, n=rate_candidates)
        # the S1 and S2 posteriors recur once per cycle (the envelope twice): their
        # autocorrelation peaks add the cycle lags the envelope may miss
        post = np.exp(log_b + model.log_prior)
        for j in (0, 2):
            rp = _autocorr(post[:, j])
            for kk in _cycle_candidates(rp, model.feature_sr, model.hr_min, model.hr_max, n=1):
                lags.append(int(round(kk / model.feature_sr * fs)))
        lags = sorted(set(lags))
    best = None
    for k in lags:
        k, ks = _cycle_and_systole(r, fs, model.hr_min, model.hr_max, model.systole_min, k)
        hr = 60.0 / (k / fs) if heart_rate is None else heart_rate
        si = ks / fs if systolic_interval is None else systolic_interval
        if si >= 60.0 / hr:
            continue
        states, score = _decode(log_b, model, hr, si)
        if best is None or score > best[0]:
            best = (score, states, hr, si, float(r[min(k, r.shape[0] - 1)]))
    if best is None:
        if systolic_interval is not None:
            raise ParameterError(
                f"systolic_interval={systolic_interval:g} s is not shorter than the estimated "
                "heart cycle; pass heart_rate as well"
            )
        raise ParameterError(
            f"heart_rate={heart_rate:g} bpm: the systolic interval estimated from the signal "
            f"is not shorter than its cycle of {60.0 / heart_rate:.3g} s; pass "
            "systolic_interval as well"
        )
    score, states, hr, si, periodicity = best
    for _ in range(1):  # re-decode once with the rates of the decoded path
        hr2, si2 = _decoded_rates(states, model.feature_sr)
        if heart_rate is not None:
            hr2 = heart_rate
        if systolic_interval is not None:
            si2 = systolic_interval
        if not (np.isfinite(hr2) and np.isfinite(si2)) or si2 >= 60.0 / hr2:
            break
        hr2 = min(max(hr2, model.hr_min), model.hr_max)
        st2, sc2 = _decode(log_b, model, hr2, si2)
        if sc2 > score:
            score, states, hr, si = sc2, st2, hr2, si2
    return score, states, hr, si, periodicity


def _decoded_rates(states: np.ndarray, fs: float) -> tuple[float, float]:
    """Median cycle (S1 start to S1 start, bpm) and S1-start-to-S2-start interval (s) of a
    decoded state sequence (0..3)."""
    start = np.flatnonzero(np.r_[True, states[1:] != states[:-1]])
    code = states[start]
    s1 = start[code == 0]
    s2 = start[code == 2]
    s1 = s1[s1 > 0]  # the first stay may be cut by the start
    if s1.shape[0] < 2 or s2.shape[0] < 1:
        return math.nan, math.nan
    j = np.searchsorted(s2, s1)
    ok = j < s2.shape[0]
    si = np.median(s2[j[ok]] - s1[ok]) / fs if ok.any() else math.nan
    return 60.0 / (np.median(np.diff(s1)) / fs), float(si)


def _heart_rate_of(y, fs, model):
    return heart_rate(
        y,
        sr=fs,
        hr_min=model.hr_min,
        hr_max=model.hr_max,
        systole_min=model.systole_min,
        return_periodicity=True,
    )


def _decode(log_b, model, hr, si):
    mean, sd = duration_means_sds(model, hr, si)
    log_p, log_s = duration_tables(mean, sd, fs=model.feature_sr, n_sd=model.n_sd)
    return viterbi(log_b, log_p, log_s)


# ------------------------------------------------------------------------------------------
# fitting


def _labels_at(seg: Segmentation, fs: float, m: int) -> np.ndarray:
    """State code of each feature sample (at ``k / fs``), 0 where not annotated."""
    t = np.arange(m) / fs
    iv = seg.intervals
    if iv.shape[0] == 0:
        return np.zeros(m, np.int64)
    idx = np.searchsorted(iv[:, 0], t, side="right") - 1
    ok = (idx >= 0) & (t < iv[np.maximum(idx, 0), 1])
    lab = np.zeros(m, np.int64)
    lab[ok] = iv[idx[ok], 2].astype(np.int64)
    return lab


def _complete_stays(seg: Segmentation) -> np.ndarray:
    """``(k, 2)`` ``[state, duration_s]`` of annotated stays with annotated neighbours."""
    iv = seg.intervals
    if iv.shape[0] < 3:
        return np.zeros((0, 2))
    st = iv[:, 2]
    inner = np.arange(1, iv.shape[0] - 1)
    ok = (st[inner] > 0) & (st[inner - 1] > 0) & (st[inner + 1] > 0)
    i = inner[ok]
    return np.column_stack([st[i], iv[i, 1] - iv[i, 0]])


def _annotated_rates(seg: Segmentation) -> tuple[float, float]:
    """Heart rate (bpm, median complete cycle) and systolic interval (s, median S1 start to
    the next S2 start) of an annotated recording; NaN without a complete cycle."""
    cyc = seg.cycles()
    if cyc.shape[0] == 0:
        return math.nan, math.nan
    s1 = seg.sounds(1)[:, 0]
    s2 = seg.sounds(3)[:, 0]
    j = np.searchsorted(s2, s1)
    ok = j < s2.shape[0]
    si = s2[j[ok]] - s1[ok]
    return 60.0 / float(np.median(cyc[:, 1] - cyc[:, 0])), float(np.median(si))


def _check_max_samples(max_samples: Any) -> int | None:
    """``None`` or an int >= 4: the regression needs an example of each of the four states."""
    if max_samples is None:
        return None
    if isinstance(max_samples, bool) or not isinstance(max_samples, (int, np.integer)):
        raise ParameterError(
            f"max_samples must be an int >= 4 or None (every example): the regression needs an "
            f"example of each state; got {max_samples!r}"
        )
    if max_samples < 4:
        raise ParameterError(
            f"max_samples must be an int >= 4 or None (every example): the regression needs an "
            f"example of each state; got {int(max_samples)}"
        )
    return int(max_samples)


def fit_segmenter(
    recordings: Iterable[tuple[Any, float, Segmentation]],
    *,
    base: SegmenterModel | None = None,
    C: float = 1.0,
    max_samples: int | None = 200_000,
    seed: int = 0,
    calibrate: bool = True,
    info: dict | None = None,
) -> SegmenterModel:
    """Fit the segmenter's emissions and duration laws on annotated recordings.

    For each ``(x, sr, segmentation)``: the signal goes through :func:`preprocess` and
    :func:`segmentation_features` as in :func:`segment`; every feature sample inside an
    annotated interval (state 1-4; state 0 is ignored) is a training example of its state for
    a multinomial :class:`sklearn.linear_model.LogisticRegression` (``C``; at most
    ``max_samples`` examples drawn with ``seed``); the state priors are their frequencies.
    S1 and S2 durations: median and robust SD (1.4826 MAD) of the annotated stays whose
    neighbours are annotated; systole and diastole: robust SD of their deviation from the
    means predicted by the recording's annotated heart rate (median complete cycle) and
    systolic interval (median S1 start to next S2 start). With ``calibrate``, the boundary
    offset (see below). Needs scikit-learn (``pip install
    physiofeat[sklearn]``); the fitted model is evaluated with NumPy only.

    Parameters
    ----------
    recordings : iterable of (np.ndarray, float, Segmentation)
    base : SegmenterModel, optional
        Supplies what is not fitted (rates, band, features, search ranges); default
        :meth:`SegmenterModel.untrained` (the dataclass defaults).
    C, max_samples, seed
        Logistic-regression regularisation; subsampling of the examples (``max_samples``
        an int >= 4 or ``None`` for all of them; ``seed`` an int >= 0).
    calibrate : bool
        Then segment the same recordings with the fitted model and set
        ``time_offset`` to minus the median signed error of the decoded S1/S2 centres
        within 60 ms of an annotated one (where the annotations put a sound relative to
        its envelope).
    info : dict, optional
        Stored in ``model.info`` (e.g. which patients were used).

    Returns
    -------
    SegmenterModel
        Save it with :meth:`SegmenterModel.to_json`; pass it (or the path) to :func:`segment`.

    Raises
    ------
    ParameterError
        Bad ``C``, ``max_samples`` or ``seed``; recordings that are not ``(x, sr,
        Segmentation)`` triples; annotations without an example of every state 1-4 (S1,
        systole, S2, diastole), without an S1 or S2 stay between annotated neighbours, or
        without a complete cycle (S1, systole, S2, diastole, S1), which the systole and
        diastole duration laws need.

    Examples
    --------
    >>> import physiofeat
    >>> from physiofeat.pcg import Segmentation, SegmenterModel, fit_segmenter, segment
    >>> x, sr = physiofeat.load(physiofeat.data.path("50277_MV"))
    >>> ref = Segmentation.from_tsv(physiofeat.data.DATA_DIR / "50277_MV.tsv", sr=sr)
    >>> base = SegmenterModel.untrained(context=(-2, 2))
    >>> model = fit_segmenter([(x, sr, ref)], base=base, max_samples=2000)
    >>> model.coef.shape, round(model.s1_mean, 2)
    ((4, 12), 0.12)
    >>> segment(x, sr=sr, model=model).sounds("S1").shape[1]
    2
    """
    if base is None:
        base = SegmenterModel.untrained()
    elif not isinstance(base, SegmenterModel):
        base = _as_model(base)
    calibrate = check_bool(calibrate, "calibrate")
    C = check_float(C, "C", minimum=0.0, strict_min=True)
    max_samples = _check_max_samples(max_samples)
    seed = check_int(seed, "seed", minimum=0)
    feats, labels, stays, rates, kept = [], [], [], [], []
    for item in recordings:
        try:
            x, sr, seg = item
        except (TypeError, ValueError):
            raise ParameterError(
                f"recordings must yield (x, sr, Segmentation) triples; got {type(item).__name__}"
            ) from None
        if not isinstance(seg, Segmentation):
            raise ParameterError(
                f"the third item of each recording must be a Segmentation; got {type(seg).__name__}"
            )
        sr = check_sr(sr)
        x = as_signal(x, ndim=(1,), dtype=np.float64)
        y, fs = _prepare(x, sr, base)
        F = segmentation_features(y, sr=fs, feature_sr=base.feature_sr, features=base.features)
        feats.append(F)
        kept.append((y, fs, seg, x.shape[0] / sr))
        labels.append(_labels_at(seg, base.feature_sr, F.shape[1]))
        stays.append(_complete_stays(seg))
        hr, si = _annotated_rates(seg)
        rates.append((hr, si))
    if not feats or sum(int((lab > 0).sum()) for lab in labels) == 0:
        raise ParameterError("fit_segmenter needs at least one recording with annotated states")
    model = fit_model(
        feats,
        labels,
        stays,
        rates,
        base=base,
        C=C,
        max_samples=max_samples,
        seed=seed,
        info=info,
    )
    if not calibrate:
        return model
    # the offset: median signed error of the decoded S1/S2 centres (within 60 ms of an
    # annotated one) on the same recordings
    errs = []
    for (y, fs, seg, duration), F in zip(kept, feats):
        try:
            _, states, _, _, _ = _decode_best(y, fs, F, model, None, None, 3)
        except (InvalidSignalError, ParameterError):
            continue
        iv = _states_to_intervals(states, model.feature_sr, duration)
        for code in (1, 3):
            det = iv[iv[:, 2] == code, :2].mean(axis=1)
            ref = seg.centres(code)
            if det.size == 0 or ref.size == 0:
                continue
            d = det[None, :] - ref[:, None]
            e = d[np.arange(ref.size), np.abs(d).argmin(axis=1)]
            errs.append(e[np.abs(e) <= 0.06])
    errs = np.concatenate(errs) if errs else np.zeros(0)
    if errs.size == 0:
        return model
    return replace(model, time_offset=-float(np.median(errs)))
