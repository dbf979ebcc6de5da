"""Amplitude envelopes of heart sounds (and any 1-D signal), as used for PCG segmentation.

Five methods, one public function each, and :func:`envelope` dispatching on ``method=``:

=============== ============================================================================
``hilbert``     ``|analytic signal|`` (``scipy.signal.hilbert``), no smoothing.
``homomorphic`` ``exp(lowpass(log|analytic signal|))``: a zero-phase (forward-backward,
                ``scipy.signal.sosfiltfilt``) Butterworth low-pass of order ``order`` (1) at
                ``cutoff`` (8 Hz) applied to the log Hilbert envelope (Gill et al. 2005;
                Schmidt et al. 2010; Springer et al. 2016).
``shannon``     Shannon energy ``-x**2 log(x**2)`` of the signal normalised to max ``|x| = 1``
                (Liang et al. 1997), smoothed by a centred moving average of ``frame_length``
                (20 ms).
``wavelet``     ``|detail coefficients|`` of one DWT level (``rbio3.9``, Springer 2016), each
                coefficient repeated ``2**level`` times and the centre ``n`` samples kept (as
                Springer's ``getDWT``); the default level covers ~62.5-125 Hz at any rate.
``psd``         Mean power spectral density between ``fmin`` and ``fmax`` (40-60 Hz) of 25 ms
                Hamming frames with 50 % overlap (Springer 2016), linearly interpolated onto
                the output time grid.
=============== ============================================================================

Output rate: with ``out_sr`` (Hz, at most ``sr``) the envelope is resampled by
``scipy.signal.resample_poly`` (polyphase, Kaiser-windowed anti-alias FIR, ``padtype='line'``);
``out_sr=None`` keeps ``sr``. Sample ``j`` of the output sits at ``j / out_sr`` seconds
(:func:`envelope_times`). Springer's features are at 50 Hz and z-scored (``normalize=True``).
The z-score of an envelope that is constant to round-off (its SD over time at most
``max(100 eps, 1e-12)`` of its peak, see ``_FLAT_EPS``), or not finite, is NaN at every sample: a
constant has no z-score, and dividing its round-off by its SD would only amplify noise to unit SD.
Pre-filtering (Springer band-passes 25-400 Hz and removes spikes) is left to the caller.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Literal

import numpy as np

from ._errors import InvalidSignalError, ParameterError
from ._features import Feature
from ._registry import register_feature
from ._validation import as_signal, check_bool, check_choice, check_float, check_int, check_sr

__all__ = [
    "METHODS",
    "envelope",
    "hilbert_envelope",
    "homomorphic_envelope",
    "shannon_envelope",
    "wavelet_envelope",
    "psd_envelope",
    "envelope_times",
]

#: Envelope methods accepted by :func:`envelope`.
METHODS = ("hilbert", "homomorphic", "shannon", "wavelet", "psd")


# ------------------------------------------------------------------------------------------
# shared helpers


def _signal(x, min_length=1):
    return as_signal(x, ndim=(1, 2, 3), min_length=min_length)


def _check_out_rate(out_sr) -> float | None:
    """``out_sr`` before it meets ``sr``: None or > 0."""
    return check_float(out_sr, "out_sr", minimum=0.0, strict_min=True, allow_none=True)


def _check_out_sr(out_sr, sr) -> tuple[int, int] | None:
    """``(up, down)`` for resample_poly, or None to keep ``sr``."""
    out_sr = _check_out_rate(out_sr)
    if out_sr is None:
        return None
    if out_sr > sr:
        raise ParameterError(
            f"out_sr={out_sr:g} Hz is above the input rate sr={sr:g} Hz; envelopes are only "
            f"downsampled (0 < out_sr <= sr)"
        )
    ratio = Fraction(out_sr / sr).limit_denominator(1000)  # the nearest p/q with q <= 1000
    if (
        ratio.numerator == 0
        or abs(ratio.numerator / ratio.denominator * sr - out_sr) > 1e-9 * out_sr
    ):
        near = ratio if ratio.numerator else Fraction(1, 1000)  # the lowest rate accepted
        # 12 digits: the printed rate, typed back, passes this check (within 1e-9 relative)
        raise ParameterError(
            f"out_sr/sr = {out_sr:g}/{sr:g} is not a ratio p/q with q <= 1000; the nearest "
            f"output rate that is: sr * {near.numerator}/{near.denominator} = "
            f"{near.numerator / near.denominator * sr:.12g} Hz"
        )
    if ratio == 1:
        return None
    return ratio.numerator, ratio.denominator


#: An envelope is constant to round-off, and its z-score NaN, when its SD over time is at most
#: ``max(_FLAT_EPS * eps, _FLAT_REL) * peak``: ``eps`` of the coarser of the signal's and the
#: envelope's dtypes, ``peak`` the larger of max ``|envelope|`` and, for the hilbert,
#: homomorphic and wavelet envelopes (in the signal's units), max ``|x|``; times
#: ``max(1, |ln peak|)`` for the homomorphic envelope, whose log carries absolute round-off.
#: ``_FLAT_EPS``: the envelopes of constant signals (0.5-44.1 kHz, up to 5 min, float32 and
#: float64) vary by at most ~7 eps times that gain. ``_FLAT_REL``: the round-off a sampled
#: signal brings in float64 (the Hilbert envelope of a steady tone, 10 s at 44.1 kHz, varies by
#: ~8e-13 as the phase round-off of ``cos`` grows), far below any recording's resolution.
_FLAT_EPS = 100.0
_FLAT_REL = 1e-12


def _finish(env, sr, out_sr, normalize, x=None, gain=1.0):
    """Resample to ``out_sr`` and optionally z-score over time (:func:`_zscore`); ``x`` is the
    signal when the envelope is in its units (its peak and dtype then set the round-off),
    ``gain`` the round-off's growth (see ``_FLAT_EPS``)."""
    normalize = check_bool(normalize, "normalize")
    ud = _check_out_sr(out_sr, sr)
    if ud is not None:
        from scipy.signal import resample_poly

        env = resample_poly(env, ud[0], ud[1], axis=-1, padtype="line")
    if normalize:
        env = _zscore(env, x, gain)
    return env


def _zscore(env, x=None, gain=1.0):
    """``(env - mean) / std`` over time, NaN for a row that is constant to round-off
    (``std <= max(_FLAT_EPS * eps, _FLAT_REL) * scale * gain``) or not finite. A finite row too
    large to square (its std overflows) is z-scored divided by its scale."""
    eps = np.finfo(env.dtype).eps
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        scale = np.abs(env).max(axis=-1, keepdims=True)  # NaN or inf for a non-finite row
        if x is not None:
            eps = max(eps, np.finfo(x.dtype).eps)
            scale = np.maximum(scale, np.abs(x).max(axis=-1, keepdims=True))
        sd = env.std(axis=-1, keepdims=True)
        big = np.isfinite(scale) & ~np.isfinite(sd)
        if big.any():
            d = np.where(big, scale, 1)
            env, scale = env / d, scale / d
            sd = env.std(axis=-1, keepdims=True)
        z = (env - env.mean(axis=-1, keepdims=True)) / sd
        # also a NaN sd or an infinite scale
        flat = ~(sd > max(_FLAT_EPS * eps, _FLAT_REL) * scale * gain)
    return np.where(flat, np.nan, z) if flat.any() else z


def envelope_times(env, *, out_sr: float) -> np.ndarray:
    """Time in seconds of each envelope sample: ``arange(env.shape[-1]) / out_sr``.

    Examples
    --------
    >>> import numpy as np
    >>> from physiofeat.envelope import envelope_times
    >>> envelope_times(np.zeros(4), out_sr=50).tolist()
    [0.0, 0.02, 0.04, 0.06]
    """
    out_sr = check_sr(out_sr, name="out_sr")
    return np.arange(np.shape(env)[-1]) / out_sr


def _analytic_magnitude(x):
    from scipy.signal import hilbert

    return np.abs(hilbert(x, axis=-1))


# ------------------------------------------------------------------------------------------
# the five methods


def hilbert_envelope(x, *, sr: float, out_sr: float | None = None, normalize: bool = False):
    """Hilbert envelope ``|x + i H{x}|`` (``scipy.signal.hilbert``, FFT length ``n``).

    Parameters
    ----------
    x : np.ndarray [shape=(..., n)]
        Signal(s).
    sr : float
        Sampling rate in Hz.
    out_sr : float, optional
        Output rate in Hz (``0 < out_sr <= sr``, a ratio p/q of ``sr`` with q <= 1000); None
        keeps ``sr``. Resampled with ``scipy.signal.resample_poly`` (anti-aliased).
    normalize : bool
        Z-score the output over time (zero mean, unit std), as Springer's features. An
        envelope constant to round-off (SD over time at most ``max(100 eps, 1e-12)`` of its
        peak or of the signal's, see the module), or not finite, gives NaN at every sample: a
        constant has no z-score.

    Returns
    -------
    np.ndarray [shape=(..., m)]
        ``m = ceil(n * out_sr / sr)``; sample ``j`` at ``j / out_sr`` s (:func:`envelope_times`).

    Examples
    --------
    >>> import numpy as np
    >>> from physiofeat.envelope import hilbert_envelope
    >>> sr = 1000
    >>> t = np.arange(sr) / sr
    >>> x = (1 + 0.5 * np.cos(2 * np.pi * 2 * t)) * np.cos(2 * np.pi * 100 * t)
    >>> env = hilbert_envelope(x, sr=sr, out_sr=40)
    >>> env.shape, np.round(env[[10, 20, 30]], 2)
    ((40,), array([0.5, 1.5, 0.5]))
    """
    sr = check_sr(sr)
    x = _signal(x)
    _check_out_sr(out_sr, sr)
    return _finish(_analytic_magnitude(x), sr, out_sr, normalize, x)


def _check_lowpass(cutoff, order) -> tuple[float, int]:
    """The homomorphic low-pass: ``cutoff`` > 0 Hz (below Nyquist: checked with ``sr``) and
    Butterworth ``order`` 1-10."""
    cutoff = check_float(cutoff, "cutoff", minimum=0.0, strict_min=True)
    return cutoff, check_int(order, "order", minimum=1, maximum=10)


def _butter_sos(cutoff, order, sr, n):
    from scipy.signal import butter

    cutoff, order = _check_lowpass(cutoff, order)
    if cutoff >= sr / 2:
        raise ParameterError(
            f"cutoff={cutoff:g} Hz must be below the Nyquist frequency {sr / 2:g} Hz (sr={sr:g})"
        )
    sos = butter(order, cutoff, btype="low", fs=sr, output="sos")
    padlen = 3 * (2 * len(sos) + 1 - min((sos[:, 2] == 0).sum(), (sos[:, 5] == 0).sum()))
    if n <= padlen:
        raise InvalidSignalError(
            f"signal of {n} samples is too short for the zero-phase order-{order} low-pass: "
            f"more than {padlen} samples are needed"
        )
    return sos


def homomorphic_envelope(
    x,
    *,
    sr: float,
    cutoff: float = 8.0,
    order: int = 1,
    out_sr: float | None = None,
    normalize: bool = False,
):
    """Homomorphic envelope ``exp(lowpass(log |hilbert(x)|))``.

    The low-pass is a Butterworth filter of ``order`` at ``cutoff`` Hz run forward and backward
    (``scipy.signal.sosfiltfilt``, zero phase, squared magnitude response; SciPy's default odd
    padding). Springer et al. (2016) use order 1 at 8 Hz. Zeros of the Hilbert envelope are
    floored at ``eps * max`` (per signal) before the log. An all-zero signal has the envelope
    0 at every sample (no log of 0 is taken; with ``normalize=True``, NaN: see
    :func:`hilbert_envelope`).

    Parameters
    ----------
    x : np.ndarray [shape=(..., n)]
        Signal(s).
    sr : float
        Sampling rate in Hz.
    cutoff : float
        Low-pass cutoff in Hz (below ``sr / 2``).
    order : int
        Butterworth order (1-10).
    out_sr, normalize
        As in :func:`hilbert_envelope`.

    Returns
    -------
    np.ndarray [shape=(..., m)]

    Examples
    --------
    >>> import numpy as np
    >>> from physiofeat.envelope import homomorphic_envelope
    >>> sr = 1000
    >>> t = np.arange(2 * sr) / sr
    >>> x = 2.0 * np.cos(2 * np.pi * 100 * t)
    >>> env = homomorphic_envelope(x, sr=sr, out_sr=50)
    >>> env.shape, round(float(env[50]), 3)
    ((100,), 2.0)
    """
    from scipy.signal import sosfiltfilt

    sr = check_sr(sr)
    x = _signal(x)
    _check_out_sr(out_sr, sr)
    sos = _butter_sos(cutoff, order, sr, x.shape[-1])
    h = _analytic_magnitude(x)
    peak = h.max(axis=-1, keepdims=True)
    floor = np.maximum(np.finfo(h.dtype).eps * peak, np.finfo(h.dtype).tiny)
    env = np.exp(sosfiltfilt(sos, np.log(np.maximum(h, floor)), axis=-1))
    silent = ~(peak > 0)
    if silent.any():  # 0, not exp(log(tiny)) ~ 2e-308
        env = np.where(silent, 0.0, env)
    gain = np.maximum(1.0, np.abs(np.log(np.where(silent, 1.0, peak))))
    # filtered in float64 (SciPy's sections are), returned in the signal's dtype as the
    # other methods are (float32 input had given float64 here only)
    return _finish(env, sr, out_sr, normalize, x, gain).astype(h.dtype, copy=False)


def shannon_envelope(
    x,
    *,
    sr: float,
    frame_length: float = 0.02,
    out_sr: float | None = None,
    normalize: bool = False,
):
    """Shannon-energy envelope (Liang et al. 1997).

    ``x`` is scaled to ``max|x| = 1`` per signal, its Shannon energy ``E = -x**2 log(x**2)``
    (``E = 0`` where ``x = 0``) is smoothed by a centred moving average over
    ``w = 2 * floor(frame_length * sr / 2) + 1`` samples (odd; mirror-extended at the ends,
    ``scipy.ndimage.uniform_filter1d(mode='reflect')``). Liang's *normalised* average Shannon
    energy is ``normalize=True``.

    Parameters
    ----------
    x : np.ndarray [shape=(..., n)]
        Signal(s).
    sr : float
        Sampling rate in Hz.
    frame_length : float
        Smoothing window in seconds (Liang: 20 ms).
    out_sr, normalize
        As in :func:`hilbert_envelope`.

    Returns
    -------
    np.ndarray [shape=(..., m)]

    Examples
    --------
    >>> import numpy as np
    >>> from physiofeat.envelope import shannon_envelope
    >>> x = np.r_[np.zeros(100), np.full(100, 0.5), np.zeros(99), 1.0]  # max |x| = 1
    >>> env = shannon_envelope(x, sr=1000, frame_length=0.011)
    >>> round(float(env[150]), 4), float(env[20])  # -0.25 * log(0.25) inside, 0 outside
    (0.3466, 0.0)
    """
    from scipy.ndimage import uniform_filter1d

    sr = check_sr(sr)
    x = _signal(x)
    _check_out_sr(out_sr, sr)
    frame_length = _check_smoothing(frame_length)
    # rounded first: 0.009 s x 48 kHz is 431.99999999999994 in floating point, not 432
    w = 2 * int(math.floor(round(frame_length * sr, 9) / 2)) + 1
    peak = np.abs(x).max(axis=-1, keepdims=True)
    xn = x / np.where(peak > 0, peak, 1)
    p = xn * xn
    e = -p * np.log(np.where(p > 0, p, 1))
    if w > 1:
        e = uniform_filter1d(e, w, axis=-1, mode="reflect")
    return _finish(e, sr, out_sr, normalize)


def _check_smoothing(frame_length) -> float:
    """The Shannon envelope's smoothing window in seconds (>= 0)."""
    return check_float(frame_length, "frame_length", minimum=0.0)


def _default_wavelet_level(sr: float) -> int:
    return max(1, round(math.log2(sr / 125.0)))


def wavelet_envelope(
    x,
    *,
    sr: float,
    wavelet: str = "rbio3.9",
    level: int | None = None,
    out_sr: float | None = None,
    normalize: bool = False,
):
    """Wavelet envelope: ``|detail coefficients|`` of DWT level ``level``, back at ``sr``.

    As Springer's ``getDWT``: ``pywt.wavedec(x, wavelet, level, mode='symmetric')`` (MATLAB's
    default extension), the level-``level`` detail coefficients each repeated ``2**level`` times,
    the centre ``n`` samples kept, absolute value. No further smoothing beyond the anti-alias
    filter of ``out_sr``.

    Parameters
    ----------
    x : np.ndarray [shape=(..., n)]
        Signal(s).
    sr : float
        Sampling rate in Hz.
    wavelet : str
        Discrete wavelet (``pywt.wavelist(kind='discrete')``); Springer uses ``rbio3.9``.
    level : int, optional
        Detail level, at most ``pywt.dwt_max_level(n, filter_length)``. Default
        ``max(1, round(log2(sr / 125)))``: the band ``[sr / 2**(level+1), sr / 2**level]`` is
        then ~62.5-125 Hz (Springer's level 3 at 1 kHz; level 4 at 2 kHz).
    out_sr, normalize
        As in :func:`hilbert_envelope`.

    Returns
    -------
    np.ndarray [shape=(..., m)]

    Examples
    --------
    >>> import numpy as np
    >>> from physiofeat.envelope import wavelet_envelope
    >>> sr = 2000
    >>> x = np.cos(2 * np.pi * 90 * np.arange(sr) / sr)
    >>> env = wavelet_envelope(x, sr=sr, out_sr=50)
    >>> env.shape, bool(env[10:40].mean() > 0.5)
    ((50,), True)
    """
    import pywt

    from .wavelet._discrete import _check_level, _discrete_wavelet, _writable

    sr = check_sr(sr)
    x = _signal(x)
    _check_out_sr(out_sr, sr)
    wav = _discrete_wavelet(wavelet)
    n = x.shape[-1]
    level = _check_level(_default_wavelet_level(sr) if level is None else level, n, wav)
    d = pywt.wavedec(_writable(x), wav, mode="symmetric", level=level, axis=-1)[1]
    rep = np.repeat(d, 2**level, axis=-1)
    start = (rep.shape[-1] - n) // 2
    env = np.abs(rep[..., start : start + n])
    return _finish(env, sr, out_sr, normalize, x)


def _check_psd_band(fmin, fmax, sr: float | None = None) -> tuple[float, float]:
    """``0 <= fmin <= fmax`` (``<= sr / 2`` when ``sr`` is given) around an integer frequency."""
    fmin = check_float(fmin, "fmin", minimum=0.0)
    fmax = check_float(fmax, "fmax", minimum=0.0)
    if fmin > fmax or (sr is not None and fmax > sr / 2):
        top = "sr/2" if sr is None else f"sr/2 = {sr / 2:g} Hz"
        raise ParameterError(
            f"the PSD band must satisfy 0 <= fmin <= fmax <= {top}; got fmin={fmin:g}, "
            f"fmax={fmax:g}"
        )
    if math.ceil(fmin) > math.floor(fmax):
        raise ParameterError(
            f"the PSD band [{fmin:g}, {fmax:g}] Hz contains no integer frequency to evaluate"
        )
    return fmin, fmax


def _matlab_round(v: float) -> int:
    """MATLAB's ``round`` of ``v >= 0``: half away from zero (``12.5 -> 13``; Python's
    ``round`` goes half to even, ``12.5 -> 12``)."""
    f = math.floor(v)
    return int(f) + (1 if v - f >= 0.5 else 0)  # v - floor(v) is exact


def _check_psd_framing(win_length, hop_length, sr: float | None = None):
    """``(win_length, hop_length)`` in samples (>= 2, >= 1); with ``sr`` None takes the
    defaults (25 ms frames, ~50 % overlap, MATLAB's rounding), without it None stays None."""
    if sr is not None and win_length is None:
        win_length = _matlab_round(sr / 40)
    win_length = check_int(win_length, "win_length", minimum=2, allow_none=True)
    if sr is not None and hop_length is None:
        # a window shorter than sr/80: hop 1
        hop_length = max(1, win_length - _matlab_round(sr / 80))
    return win_length, check_int(hop_length, "hop_length", minimum=1, allow_none=True)


def psd_envelope(
    x,
    *,
    sr: float,
    fmin: float = 40.0,
    fmax: float = 60.0,
    win_length: int | None = None,
    hop_length: int | None = None,
    out_sr: float | None = None,
    normalize: bool = False,
):
    """PSD envelope: mean power spectral density between ``fmin`` and ``fmax`` per frame.

    As Springer et al. (2016) (MATLAB ``spectrogram(x, sr/40, round(sr/80), 1:sr/2, sr)``):
    frames of ``win_length`` samples (default ``round(sr / 40)``, 25 ms) every ``hop_length``
    (default ``win_length - round(sr / 80)``, ~50 % overlap, at least 1), with MATLAB's
    ``round`` (half away from zero: 25 / 12 at 1 kHz, 1103 / 552 at 44.1 kHz), no padding,
    symmetric Hamming window; the one-sided PSD ``2 |sum_t w[t] x[t] e^{-2i pi f t / sr}|**2 / (sr sum w**2)`` is
    evaluated at every integer frequency ``f`` in ``[fmin, fmax]`` Hz and averaged. Frame ``k``
    sits at its centre ``(k * hop_length + win_length / 2) / sr``; the frame values are linearly
    interpolated (``np.interp``, held constant before the first / after the last centre) onto the
    output times ``j / out_sr``.

    Parameters
    ----------
    x : np.ndarray [shape=(..., n)]
        Signal(s), at least ``win_length`` samples.
    sr : float
        Sampling rate in Hz.
    fmin, fmax : float
        Band in Hz, ``0 <= fmin <= fmax <= sr / 2``, containing at least one integer frequency.
    win_length, hop_length : int, optional
        Frame length and hop in samples.
    out_sr, normalize
        As in :func:`hilbert_envelope`.

    Returns
    -------
    np.ndarray [shape=(..., m)]

    Examples
    --------
    >>> import numpy as np
    >>> from physiofeat.envelope import psd_envelope
    >>> sr = 2000
    >>> t = np.arange(2 * sr) / sr
    >>> x = np.cos(2 * np.pi * 50 * t) * (t < 1) + np.cos(2 * np.pi * 300 * t) * (t >= 1)
    >>> env = psd_envelope(x, sr=sr, out_sr=50)
    >>> env.shape, bool(env[25] > 1000 * env[75])
    ((100,), True)
    """
    from scipy.signal import get_window

    sr = check_sr(sr)
    x = _signal(x)
    _check_out_sr(out_sr, sr)
    fmin, fmax = _check_psd_band(fmin, fmax, sr)
    f = np.arange(math.ceil(fmin), math.floor(fmax) + 1, dtype=np.float64)
    win, hop = _check_psd_framing(win_length, hop_length, sr)
    n = x.shape[-1]
    if n < win:
        raise InvalidSignalError(
            f"signal of {n} samples is shorter than one PSD frame (win_length={win})"
        )
    w = get_window("hamming", win, fftbins=False)
    basis = w[:, None] * np.exp(-2j * np.pi * np.arange(win)[:, None] * f[None, :] / sr)
    frames = np.lib.stride_tricks.sliding_window_view(x, win, axis=-1)[..., ::hop, :]
    spec = frames @ basis.astype(np.result_type(x.dtype, np.complex64))
    psd = (2.0 / (sr * np.sum(w * w))) * (spec.real**2 + spec.imag**2)
    psd = psd.mean(axis=-1)  # (..., n_frames)
    centres = (np.arange(psd.shape[-1]) * hop + win / 2) / sr
    ud = _check_out_sr(out_sr, sr)
    rate = sr if ud is None else sr * ud[0] / ud[1]
    m = n if ud is None else -(-n * ud[0] // ud[1])
    t_out = np.arange(m) / rate
    flat = psd.reshape(-1, psd.shape[-1])
    env = np.stack([np.interp(t_out, centres, row) for row in flat]).reshape(psd.shape[:-1] + (m,))
    return _finish(env.astype(x.dtype, copy=False), rate, None, normalize)


# ------------------------------------------------------------------------------------------
# dispatch and registration


def _check_method(method) -> str:
    return check_choice(method, "method", METHODS)


def _band_pair(band) -> tuple:
    """The psd method's ``(fmin, fmax)``."""
    if not isinstance(band, (tuple, list)) or len(band) != 2:
        raise ParameterError(f"band must be a pair (fmin, fmax) in Hz; got {band!r}")
    return band[0], band[1]


def _check_values(p: dict) -> None:
    """The signal-independent checks of the envelope feature's parameters: the method, the
    output rate and z-scoring, and the parameters of the chosen method only (the others are
    ignored, as by :func:`envelope`). Run by ``resolve_params`` before any work; what needs
    ``sr`` or the signal (cutoff and band below Nyquist, out_sr <= sr, level vs length) is
    checked in compute."""
    method = _check_method(p["method"])
    _check_out_rate(p["out_sr"])
    check_bool(p["normalize"], "normalize")
    if method == "homomorphic":
        _check_lowpass(p["cutoff"], p["order"])
    elif method == "shannon":
        _check_smoothing(p["frame_length"])
    elif method == "wavelet":
        from .wavelet._discrete import _check_level_arg, _discrete_wavelet

        _discrete_wavelet(p["wavelet"])
        _check_level_arg(p["level"])
    elif method == "psd":
        _check_psd_band(*_band_pair(p["band"]))
        _check_psd_framing(p["win_length"], p["hop_length"])


def envelope(
    x,
    *,
    sr: float,
    method: Literal["hilbert", "homomorphic", "shannon", "wavelet", "psd"] = "homomorphic",
    out_sr: float | None = None,
    normalize: bool = False,
    cutoff: float = 8.0,
    order: int = 1,
    frame_length: float = 0.02,
    wavelet: str = "rbio3.9",
    level: int | None = None,
    band: tuple[float, float] = (40.0, 60.0),
    win_length: int | None = None,
    hop_length: int | None = None,
):
    """Envelope of ``x`` by ``method`` (see the module table); other methods' parameters are
    ignored.

    Parameters
    ----------
    x : np.ndarray [shape=(..., n)]
        Signal(s).
    sr : float
        Sampling rate in Hz.
    method : {'hilbert', 'homomorphic', 'shannon', 'wavelet', 'psd'}
        Dispatches to :func:`hilbert_envelope`, :func:`homomorphic_envelope`,
        :func:`shannon_envelope`, :func:`wavelet_envelope` or :func:`psd_envelope`.
    out_sr, normalize
        Output rate (None keeps ``sr``) and z-scoring, for every method.
    cutoff, order
        ``homomorphic`` low-pass.
    frame_length
        ``shannon`` smoothing window in seconds.
    wavelet, level
        ``wavelet`` method's DWT.
    band, win_length, hop_length
        ``psd`` band ``(fmin, fmax)`` in Hz and framing. (The band is one parameter here, not
        ``fmin``/``fmax``, so that a shared ``fmin=`` meant for a mel or CWT feature in
        :func:`physiofeat.extract` does not move it.)

    Returns
    -------
    np.ndarray [shape=(..., m)]
        Sample ``j`` at ``j / out_sr`` seconds.

    Examples
    --------
    >>> import numpy as np
    >>> from physiofeat.envelope import envelope
    >>> sr = 2000
    >>> x = np.random.default_rng(0).standard_normal(2 * sr)
    >>> [envelope(x, sr=sr, method=m, out_sr=50).shape for m in ("hilbert", "psd")]
    [(100,), (100,)]
    """
    method = _check_method(method)
    common = {"sr": sr, "out_sr": out_sr, "normalize": normalize}
    if method == "hilbert":
        return hilbert_envelope(x, **common)
    if method == "homomorphic":
        return homomorphic_envelope(x, cutoff=cutoff, order=order, **common)
    if method == "shannon":
        return shannon_envelope(x, frame_length=frame_length, **common)
    if method == "wavelet":
        return wavelet_envelope(x, wavelet=wavelet, level=level, **common)
    fmin, fmax = _band_pair(band)
    return psd_envelope(
        x, fmin=fmin, fmax=fmax, win_length=win_length, hop_length=hop_length, **common
    )


#: The parameters only one envelope method uses.
_METHOD_PARAMS = {
    "hilbert": (),
    "homomorphic": ("cutoff", "order"),
    "shannon": ("frame_length",),
    "wavelet": ("wavelet", "level"),
    "psd": ("band", "win_length", "hop_length"),
}


def _ignored(p: dict) -> dict[str, str]:
    """The other methods' parameters (see :func:`envelope`)."""
    method = p["method"]
    return {
        k: f"uses {k} only with method={m!r}; this request has method={method!r}"
        for m, names in _METHOD_PARAMS.items()
        if m != method
        for k in names
    }


@register_feature(
    "envelope",
    family="envelope",
    dims=("time",),
    description="amplitude envelope (hilbert, homomorphic, shannon, wavelet or psd)",
    params_from=envelope,
    check=_check_values,
    ignores=_ignored,
    meanings={
        "frame_length": "the shannon smoothing window in seconds",
        "band": "the psd envelope's band (Hz)",
        "method": "the envelope method",
        "order": "the homomorphic low-pass order",
    },
)
def _envelope(ctx, **p):
    env = envelope(ctx.x, sr=ctx.sr, **p)
    rate = ctx.sr if p.get("out_sr") is None else float(p["out_sr"])
    return Feature(
        env,
        dims=("time",),
        coords={"time": np.arange(env.shape[-1]) / rate},
        attrs={"out_sr": rate, "method": p.get("method")},
    )
