"""Continuous wavelet transform by FFT, batched over scales.

One FFT of the (padded) signal, one multiplication by the closed-form Fourier transforms of the
wavelet at every scale, and one batched inverse FFT (``scipy.fft``, ``workers=``). Real wavelets
(Mexican hat, real Morlet) use ``rfft``/``irfft`` and return real coefficients; the complex Morlet
returns complex ones.

Conventions (the same as ``pywt.cwt``): for a wavelet ``psi`` and scale ``a`` in samples,

    W[a, b] = norm(a) * sum_n x[n] * conj(psi((n - b) / a)),

with ``norm(a) = 1 / sqrt(a)`` (``norm='l2'``, PyWavelets' and Torrence & Compo's) or ``1 / a``
(``norm='l1'``: a cosine of amplitude A at the wavelet's centre frequency gives
``|W| = A / 2 * max|psi_hat|``; ``A / 2`` for the complex Morlet). In the Fourier domain
(``omega`` in radians per sample), ``W[a] = ifft(X(omega) * norm(a) * a * conj(psi_hat(a omega)))``,
computed exactly from the closed-form ``psi_hat``.

Wavelets (``psi_hat`` is the continuous Fourier transform ``integral psi(t) exp(-i omega t) dt``):

- ``'cmorB-C'`` complex Morlet as PyWavelets defines it,
  ``psi(t) = (pi B)**-0.5 exp(-t**2 / B) exp(2j pi C t)``: ``B`` is the bandwidth parameter
  (the Gaussian's variance is ``B / 2``; larger B, longer wavelet, finer frequency resolution) and
  ``C`` the centre frequency in cycles per unit time; ``psi_hat(w) = exp(-B (w - 2 pi C)**2 / 4)``.
  ``'cmor'`` alone means ``'cmor1.5-1.0'``.
- ``'mexh'`` (alias ``'ricker'``) Mexican hat / Ricker, the negative second derivative of a
  Gaussian: ``psi(t) = 2 / (sqrt(3) pi**0.25) (1 - t**2) exp(-t**2 / 2)``,
  ``psi_hat(w) = 2 sqrt(2 pi) / (sqrt(3) pi**0.25) w**2 exp(-w**2 / 2)``.
- ``'morl'`` PyWavelets' real Morlet ``psi(t) = exp(-t**2 / 2) cos(5 t)``.

Scale and frequency: the scale for a frequency ``f`` in Hz is ``a = fc * sr / f`` where ``fc`` is
the peak of ``|psi_hat|`` in cycles per unit time: ``C`` for cmor, ``sqrt(2) / (2 pi)`` = 0.2251
for mexh, ``5 / (2 pi)`` = 0.7958 for morl. (``pywt.scale2frequency`` estimates ``fc`` from a
sampled FFT of the wavelet instead and gives 0.25 for mexh and 0.8125 for morl; pass
:func:`frequencies_to_scales` to ``pywt.cwt`` to compare like with like.)

Cone of influence (Torrence & Compo 1998): the e-folding time of the wavelet power at scale
``a`` is ``tau = sqrt(beta) * a`` samples for a Gaussian envelope ``exp(-t**2 / beta)``
(``beta = B`` for cmor, ``2`` for mexh and morl), i.e. ``tau(f) = k / f`` seconds with
``k = sqrt(beta) * fc``. At time sample ``i`` the coefficients of frequencies below
``coi[i] = k / d_i`` Hz, where ``d_i`` is the distance in seconds to the nearer end of the signal,
feel the edges (padding) by more than a factor ``e**-2`` in power; ``coi`` is ``inf`` at the two
end samples.
"""

from __future__ import annotations

import math
import re
from typing import Literal

import numpy as np

from .._errors import ParameterError
from .._validation import as_signal, check_choice, check_float, check_int, check_sr

__all__ = [
    "cwt",
    "scalogram",
    "cwt_frequencies",
    "frequencies_to_scales",
    "cone_of_influence",
    "wavelet_center_frequency",
]

_CONTINUOUS = ("cmorB-C (e.g. 'cmor1.5-1.0')", "cmor", "mexh", "ricker", "morl")
_CMOR = re.compile(r"^cmor(?P<B>\d+(?:\.\d*)?)-(?P<C>\d+(?:\.\d*)?)$")
_MEXH_C = 2.0 * math.sqrt(2.0 * math.pi) / (math.sqrt(3.0) * math.pi**0.25)
# |argument| of exp(-arg) beyond which a spectrum value is below 1e-18 of its peak (dropped).
_TAIL = 41.5


def _parse_wavelet(wavelet) -> tuple[str, float, float]:
    """``(kind, B, C)``: kind in {'cmor', 'mexh', 'morl'}; B and C only for cmor."""
    if isinstance(wavelet, str):
        name = wavelet.strip().lower()
        if name == "cmor":
            return "cmor", 1.5, 1.0
        m = _CMOR.match(name)
        if m:
            B, C = float(m["B"]), float(m["C"])
            if B > 0 and C > 0:
                return "cmor", B, C
        if name in ("mexh", "ricker"):
            return "mexh", 0.0, 0.0
        if name == "morl":
            return "morl", 0.0, 0.0
    raise ParameterError(
        f"unknown continuous wavelet {wavelet!r}; accepted: {', '.join(_CONTINUOUS)} "
        f"(cmor bandwidth B > 0 and centre frequency C > 0)"
    )


def wavelet_center_frequency(wavelet: str = "cmor1.5-1.0") -> float:
    """Peak of ``|psi_hat|`` in cycles per unit time (``a = fc * sr / f``).

    Examples
    --------
    >>> from physiofeat.wavelet import wavelet_center_frequency
    >>> wavelet_center_frequency("cmor1.5-2.0"), round(wavelet_center_frequency("mexh"), 4)
    (2.0, 0.2251)
    """
    kind, B, C = _parse_wavelet(wavelet)
    if kind == "cmor":
        return C
    if kind == "mexh":
        return math.sqrt(2.0) / (2.0 * math.pi)
    return 5.0 / (2.0 * math.pi)


def _efold_factor(wavelet) -> float:
    """``k`` with the e-folding time ``tau(f) = k / f`` seconds."""
    kind, B, _ = _parse_wavelet(wavelet)
    beta = B if kind == "cmor" else 2.0
    return math.sqrt(beta) * wavelet_center_frequency(wavelet)


def _half_support(kind: str, B: float) -> float:
    """Half-width (in units of the scale) beyond which ``|psi|`` < ~1e-7 of its peak."""
    if kind == "cmor":
        return 4.0 * math.sqrt(B)
    return 6.0


def cwt_frequencies(*, fmin: float, fmax: float, n_freqs: int = 64) -> np.ndarray:
    """``n_freqs`` log-spaced frequencies from ``fmin`` to ``fmax`` Hz (ascending).

    Examples
    --------
    >>> from physiofeat.wavelet import cwt_frequencies
    >>> cwt_frequencies(fmin=10, fmax=1000, n_freqs=3).tolist()
    [10.0, 100.0, 1000.0]
    """
    fmin = check_float(fmin, "fmin", minimum=0.0, strict_min=True)
    fmax = check_float(fmax, "fmax", minimum=0.0, strict_min=True)
    n_freqs = check_int(n_freqs, "n_freqs", minimum=1)
    if fmax < fmin:
        raise ParameterError(f"fmax must be >= fmin; got fmin={fmin}, fmax={fmax}")
    return np.geomspace(fmin, fmax, n_freqs)


def _resolve_freqs(sr, freqs, fmin, fmax, n_freqs) -> np.ndarray:
    nyq = sr / 2.0
    if freqs is None:
        fmin = sr / 200.0 if fmin is None else fmin
        fmax = sr / 4.0 if fmax is None else fmax
        freqs = cwt_frequencies(fmin=fmin, fmax=fmax, n_freqs=n_freqs)
    else:
        if fmin is not None or fmax is not None:
            raise ParameterError("pass either freqs= or fmin=/fmax=/n_freqs=, not both")
        freqs = np.atleast_1d(np.asarray(freqs, dtype=np.float64))
        if freqs.ndim != 1 or freqs.size == 0:
            raise ParameterError(
                f"freqs must be a non-empty 1-D sequence of Hz; got shape {freqs.shape}"
            )
    bad = ~np.isfinite(freqs) | (freqs <= 0) | (freqs >= nyq)
    if bad.any():
        raise ParameterError(
            f"frequency {float(freqs[bad][0]):g} Hz is outside (0, Nyquist) = (0, {nyq:g}) Hz for "
            f"sr={sr:g}; every CWT frequency must lie strictly inside it"
        )
    return freqs


def frequencies_to_scales(freqs, *, sr: float, wavelet: str = "cmor1.5-1.0") -> np.ndarray:
    """Scales in samples, ``a = fc * sr / f``, for frequencies in Hz (inside ``(0, sr/2)``).

    Examples
    --------
    >>> from physiofeat.wavelet import frequencies_to_scales
    >>> frequencies_to_scales([100.0, 200.0], sr=2000, wavelet="cmor1.5-1.0").tolist()
    [20.0, 10.0]
    """
    sr = check_sr(sr)
    freqs = _resolve_freqs(sr, freqs, None, None, 1)
    return wavelet_center_frequency(wavelet) * sr / freqs


def cone_of_influence(n: int, *, sr: float, wavelet: str = "cmor1.5-1.0") -> np.ndarray:
    """Cone of influence per time sample, in Hz (see the module notes).

    Coefficients at frequencies below ``coi[i]`` at sample ``i`` are affected by the signal's
    edges (e-folding criterion of Torrence & Compo); ``inf`` at the first and last samples.

    Examples
    --------
    >>> from physiofeat.wavelet import cone_of_influence
    >>> coi = cone_of_influence(2001, sr=1000, wavelet="cmor2.0-1.0")
    >>> round(float(coi[1000]), 4)  # 1 s from either end: sqrt(2) * 1 Hz s / 1 s
    1.4142
    """
    n = check_int(n, "n", minimum=1)
    sr = check_sr(sr)
    k = _efold_factor(wavelet)
    i = np.arange(n, dtype=np.float64)
    d = np.minimum(i, n - 1 - i) / sr
    with np.errstate(divide="ignore"):
        return k / d


def _psi_hat(w, kind, B, C):
    """Closed-form Fourier transform of the wavelet at angular frequencies ``w`` (real)."""
    if kind == "cmor":
        return np.exp(-B * (w - 2.0 * math.pi * C) ** 2 / 4.0)
    if kind == "mexh":
        return _MEXH_C * w * w * np.exp(-w * w / 2.0)
    return math.sqrt(math.pi / 2.0) * (
        np.exp(-((w - 5.0) ** 2) / 2.0) + np.exp(-((w + 5.0) ** 2) / 2.0)
    )


def _spectra_into(out, X, nfft, scales, kind, B, C, norm_pow, onesided):
    """``out[..., s, k] = X[..., k] * a**norm_pow * conj(psi_hat(a * omega_k))`` (psi_hat is real
    here) on the bins where psi_hat exceeds 1e-18 of its peak; ``out`` is zero elsewhere.
    Bins are in ``fft`` order (negative frequencies wrap to the end), or ``rfft`` order."""
    kmin, kmax = (0, nfft // 2) if onesided else (-(nfft // 2), (nfft - 1) // 2)
    for s, a in enumerate(scales):
        if kind == "cmor":
            r = math.sqrt(4.0 * _TAIL / B)
            lo, hi = 2.0 * math.pi * C - r, 2.0 * math.pi * C + r
        else:
            r = 9.5 if kind == "mexh" else 5.0 + math.sqrt(2.0 * _TAIL)
            lo, hi = -r, r
        klo = max(int(math.floor(lo / a * nfft / (2.0 * math.pi))), kmin)
        khi = min(int(math.ceil(hi / a * nfft / (2.0 * math.pi))), kmax)
        if khi < klo:
            continue
        g = a**norm_pow
        for k0, k1 in ((max(klo, 0), khi), (klo, min(khi, -1))):
            if k1 < k0:
                continue
            h = g * _psi_hat((2.0 * math.pi / nfft) * a * np.arange(k0, k1 + 1), kind, B, C)
            i0 = k0 % nfft
            sl = slice(i0, i0 + k1 - k0 + 1)
            out[..., s, sl] = X[..., sl] * h.astype(out.real.dtype, copy=False)


def cwt(
    x,
    *,
    sr: float,
    freqs=None,
    fmin: float | None = None,
    fmax: float | None = None,
    n_freqs: int = 64,
    wavelet: str = "cmor1.5-1.0",
    norm: Literal["l2", "l1"] = "l2",
    pad_mode: Literal["zero", "reflect", "periodic"] = "zero",
    workers: int | None = None,
) -> np.ndarray:
    """Continuous wavelet transform by FFT, with scales given as frequencies in Hz.

    Parameters
    ----------
    x : np.ndarray [shape=(..., n)]
        Signal(s), float32 (computed in single precision) or float64.
    sr : float
        Sampling rate in Hz.
    freqs : array-like of float, optional
        Analysis frequencies in Hz, each inside ``(0, sr / 2)``, in the order wanted for the rows.
        Mutually exclusive with ``fmin``/``fmax``.
    fmin, fmax : float, optional
        Without ``freqs``: ``n_freqs`` log-spaced frequencies from ``fmin`` (default ``sr / 200``)
        to ``fmax`` (default ``sr / 4``), ascending.
    n_freqs : int
        Number of log-spaced frequencies.
    wavelet : str
        ``'cmorB-C'`` (complex Morlet, bandwidth B, centre frequency C; see the module notes),
        ``'mexh'``/``'ricker'`` or ``'morl'``.
    norm : {'l2', 'l1'}
        ``1 / sqrt(a)`` (as ``pywt.cwt``) or ``1 / a`` normalisation of the scaled wavelet.
    pad_mode : {'zero', 'reflect', 'periodic'}
        Signal extension beyond its ends: zeros (a linear convolution, as ``pywt.cwt``),
        mirror reflection, or none (circular). Padding is the largest scale's wavelet half-support.
    workers : int, optional
        Threads for ``scipy.fft``.

    Returns
    -------
    np.ndarray [shape=(..., n_freqs, n)]
        Complex coefficients for ``cmor``, real for ``mexh``/``morl`` (complex64/float32 for
        float32 input). Row ``i`` is frequency ``freqs[i]``, scale
        :func:`frequencies_to_scales`; :func:`cone_of_influence` gives the edge-affected region.

    Examples
    --------
    >>> import numpy as np
    >>> from physiofeat.wavelet import cwt
    >>> sr = 1000
    >>> x = np.cos(2 * np.pi * 50 * np.arange(2 * sr) / sr)
    >>> W = cwt(x, sr=sr, freqs=[25.0, 50.0, 100.0], wavelet="cmor1.5-1.0", norm="l1")
    >>> W.shape, W.dtype
    ((3, 2000), dtype('complex128'))
    >>> np.round(np.abs(W[:, 1000]), 3)  # |W| = A / 2 at the matched frequency
    array([0.   , 0.5  , 0.012])
    """
    import scipy.fft as sfft

    sr = check_sr(sr)
    kind, B, C = _parse_wavelet(wavelet)
    check_choice(norm, "norm", ("l2", "l1"))
    check_choice(pad_mode, "pad_mode", ("zero", "reflect", "periodic"))
    x = as_signal(x, ndim=(1, 2, 3))
    freqs = _resolve_freqs(sr, freqs, fmin, fmax, n_freqs)
    scales = wavelet_center_frequency(wavelet) * sr / freqs
    n = x.shape[-1]

    if pad_mode == "periodic":
        pad, nfft = 0, n
        xp = x
    else:
        pad = int(math.ceil(_half_support(kind, B) * scales.max()))
        nfft = sfft.next_fast_len(n + 2 * pad, real=kind != "cmor")
        if pad_mode == "reflect" and n > 1:
            widths = [(0, 0)] * (x.ndim - 1) + [(pad, nfft - n - pad)]
            xp = np.pad(x, widths, mode="reflect")
        else:
            xp = np.zeros(x.shape[:-1] + (nfft,), dtype=x.dtype)
            xp[..., pad : pad + n] = x
    cdtype = np.result_type(x.dtype, np.complex64)
    norm_pow = 0.5 if norm == "l2" else 0.0  # a**norm_pow = a * norm(a)

    onesided = kind != "cmor"
    if onesided:
        X = sfft.rfft(xp, nfft, axis=-1, workers=workers)
    else:
        X = sfft.fft(xp, nfft, axis=-1, workers=workers)
    out = np.zeros(x.shape[:-1] + (scales.size, X.shape[-1]), dtype=cdtype)
    _spectra_into(out, X, nfft, scales, kind, B, C, norm_pow, onesided)
    if onesided:
        W = sfft.irfft(out, nfft, axis=-1, workers=workers, overwrite_x=True)
    else:
        W = sfft.ifft(out, axis=-1, workers=workers, overwrite_x=True)
    return W[..., pad : pad + n]


def scalogram(
    x,
    *,
    sr: float,
    freqs=None,
    fmin: float | None = None,
    fmax: float | None = None,
    n_freqs: int = 64,
    wavelet: str = "cmor1.5-1.0",
    norm: Literal["l2", "l1"] = "l2",
    pad_mode: Literal["zero", "reflect", "periodic"] = "zero",
    power: float = 1.0,
    workers: int | None = None,
) -> np.ndarray:
    """``|cwt(x)| ** power`` (magnitude for ``power=1``, wavelet power for ``power=2``).

    Parameters as :func:`cwt`; returns a real ``(..., n_freqs, n)`` array.

    Examples
    --------
    >>> import numpy as np
    >>> from physiofeat.wavelet import scalogram
    >>> sr = 1000
    >>> x = np.cos(2 * np.pi * 80 * np.arange(sr) / sr)
    >>> S = scalogram(x, sr=sr, fmin=20, fmax=300, n_freqs=16, norm="l1")
    >>> S.shape, bool(S[:, 500].argmax() == np.abs(np.geomspace(20, 300, 16) - 80).argmin())
    ((16, 1000), True)
    """
    power = check_float(power, "power", minimum=0.0, strict_min=True)
    W = cwt(
        x,
        sr=sr,
        freqs=freqs,
        fmin=fmin,
        fmax=fmax,
        n_freqs=n_freqs,
        wavelet=wavelet,
        norm=norm,
        pad_mode=pad_mode,
        workers=workers,
    )
    S = np.abs(W)
    if power != 1.0:
        S **= power
    return S
