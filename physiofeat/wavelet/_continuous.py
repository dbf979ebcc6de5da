"""Continuous wavelet transform by FFT, batched over scales.

The wavelet spectra are the closed-form Fourier transforms of the wavelets, evaluated (by a
Numba kernel) only where they exceed 1e-18 of their peak. Two exact evaluations of the same
linear correlation, chosen by signal length:

- short signals: one FFT of the whole padded signal, multiplied by the spectra of all scales,
  one batched inverse FFT (``scipy.fft``, ``workers=``);
- long signals (at least 4 of the largest blocks): overlap-save on blocks of ``L`` samples, a
  power of two >= 8 wavelet half-supports (>= 1024): one batched FFT of the signal's blocks
  shared by every scale with that block size, then per scale the product with its spectrum and
  one batched inverse FFT, of which each block's valid centre is kept. The FFTs then stay in
  cache, ~1.3x faster than the whole-signal transform on 60 s at 2 kHz; the wavelet is cut
  where ``|psi|`` < 1e-13 of its peak, and both paths agree to ~1e-12 whenever the wavelet
  spectrum is negligible at Nyquist (the condition under which the FFT CWT equals the direct
  time-domain sum at all).

Real wavelets (Mexican hat, real Morlet) use ``rfft``/``irfft`` and return real coefficients; the
complex Morlet returns complex ones.

Conventions (the same as ``pywt.cwt``): for a wavelet ``psi`` and scale ``a`` in samples,

    W[a, b] = norm(a) * sum_n x[n] * conj(psi((n - b) / a)),

with ``norm(a) = 1 / sqrt(a)`` (``norm='l2'``, PyWavelets' and Torrence & Compo's) or ``1 / a``
(``norm='l1'``: a cosine of amplitude A at the wavelet's centre frequency gives a complex
Morlet ``|W| = A / 2`` at every sample, and a real wavelet coefficients that oscillate with the
cosine between 0 and ``A * max|psi_hat|``, the peak of ``|W|``). In the Fourier domain
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
from .._validation import (
    as_signal,
    check_array_size,
    check_choice,
    check_float,
    check_int,
    check_sr,
    check_workers,
)
from . import _kernels

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
#: Inputs with at least this many output spectrum values fill them with the parallel kernel.
PARALLEL_MIN = 1 << 16


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


def cwt_frequencies(*, fmin: float, fmax: float, n_freqs: int = 64) -> np.ndarray:
    """``n_freqs`` log-spaced frequencies from ``fmin`` to ``fmax`` Hz (ascending).

    Examples
    --------
    >>> from physiofeat.wavelet import cwt_frequencies
    >>> cwt_frequencies(fmin=10, fmax=1000, n_freqs=3).tolist()
    [10.0, 100.0, 1000.0]
    """
    _, fmin, fmax, n_freqs = _check_freq_args(None, fmin, fmax, n_freqs, required=True)
    return np.geomspace(fmin, fmax, n_freqs)


def _check_freq_args(
    freqs, fmin, fmax, n_freqs, *, required: bool = False, n_freqs_default: int = 64
):
    """``(freqs, fmin, fmax, n_freqs)`` checked as far as they can be without ``sr``: either
    ``freqs`` (a non-empty 1-D sequence, returned as an array) or ``fmin``/``fmax`` (> 0, each
    None unless ``required``, ``fmax >= fmin`` when both are given) and ``n_freqs`` (>= 1)."""
    if freqs is None:
        fmin = check_float(fmin, "fmin", minimum=0.0, strict_min=True, allow_none=not required)
        fmax = check_float(fmax, "fmax", minimum=0.0, strict_min=True, allow_none=not required)
        n_freqs = check_int(n_freqs, "n_freqs", minimum=1)
        if fmin is not None and fmax is not None and fmax < fmin:
            raise ParameterError(f"fmax must be >= fmin; got fmin={fmin}, fmax={fmax}")
        return None, fmin, fmax, n_freqs
    if fmin is not None or fmax is not None or n_freqs != n_freqs_default:
        given = [
            f"{k}={v!r}"
            for k, v, unset in (
                ("fmin", fmin, fmin is None),
                ("fmax", fmax, fmax is None),
                ("n_freqs", n_freqs, n_freqs == n_freqs_default),
            )
            if not unset
        ]
        raise ParameterError(
            f"pass either freqs= or fmin=/fmax=/n_freqs=, not both; got freqs= and "
            f"{', '.join(given)}"
        )
    try:
        freqs = np.atleast_1d(np.asarray(freqs, dtype=np.float64))
    except (TypeError, ValueError):
        raise ParameterError(
            f"freqs must be a non-empty 1-D sequence of Hz; got {freqs!r}"
        ) from None
    if freqs.ndim != 1 or freqs.size == 0:
        raise ParameterError(
            f"freqs must be a non-empty 1-D sequence of Hz; got shape {freqs.shape}"
        )
    return freqs, fmin, fmax, n_freqs


def _resolve_freqs(sr, freqs, fmin, fmax, n_freqs) -> np.ndarray:
    nyq = sr / 2.0
    freqs, fmin, fmax, n_freqs = _check_freq_args(freqs, fmin, fmax, n_freqs)
    if freqs is None:
        fmin = sr / 200.0 if fmin is None else fmin
        fmax = sr / 4.0 if fmax is None else fmax
        for name, f in (("fmin", fmin), ("fmax", fmax)):  # name the parameter the user passed
            if f >= nyq:
                raise ParameterError(
                    f"{name}={f:g} Hz must be below the Nyquist frequency sr/2={nyq:g} Hz"
                )
        freqs = cwt_frequencies(fmin=fmin, fmax=fmax, n_freqs=n_freqs)
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
    freqs = _resolve_freqs(sr, freqs, None, None, 64)  # n_freqs: the default, unused
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


def _check_cwt_args(wavelet, norm, pad_mode) -> tuple[str, float, float]:
    """The parsed wavelet ``(kind, B, C)``, ``norm`` and ``pad_mode`` checked."""
    kind, B, C = _parse_wavelet(wavelet)
    check_choice(norm, "norm", ("l2", "l1"))
    check_choice(pad_mode, "pad_mode", ("zero", "reflect", "periodic"))
    return kind, B, C


def _check_power(power) -> float:
    return check_float(power, "power", minimum=0.0, strict_min=True)


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
    workers: int | None = -1,
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
        mirror reflection, or none (circular; always the whole-signal FFT). The extension is the
        largest scale's wavelet half-support (where ``|psi|`` falls below 1e-13 of its peak).
    workers : int, optional
        Threads for ``scipy.fft`` and the Numba kernel that fills the scaled wavelet spectra
        (-1, the default: all cores, as the rest of physiofeat; 1: single-threaded).

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
    sr = check_sr(sr)
    kind, B, C = _check_cwt_args(wavelet, norm, pad_mode)
    workers = check_workers(workers)
    x = as_signal(x, ndim=(1, 2, 3))
    freqs = _resolve_freqs(sr, freqs, fmin, fmax, n_freqs)
    scales = wavelet_center_frequency(wavelet) * sr / freqs
    n = x.shape[-1]

    norm_pow = 0.5 if norm == "l2" else 0.0  # a**norm_pow = a * norm(a)
    spec = (_KIND_CODE[kind], B, C, norm_pow)
    check_array_size(
        x.shape[:-1] + (scales.size, n),
        np.result_type(x.dtype, np.complex64),
        "the CWT",
        "use fewer frequencies or a shorter signal",
    )
    if pad_mode != "periodic" and n >= _BLOCK_MIN_BLOCKS * _block_sizes(kind, B, scales).max():
        return _cwt_blocks(x, scales, spec, _extension_width(kind, B, scales), pad_mode, workers)
    return _cwt_global(x, scales, spec, pad_mode, workers)


#: Use the block (overlap-save) path when the signal spans at least this many of the largest
#: blocks; shorter signals take one FFT of the whole (padded) signal.
_BLOCK_MIN_BLOCKS = 4
_MIN_BLOCK = 1024
_KIND_CODE = {"cmor": _kernels.CMOR, "mexh": _kernels.MEXH, "morl": _kernels.MORL}


def _exact_half_support(kind: str, B: float) -> float:
    """Half-width (in units of the scale) beyond which ``|psi|`` < ~1e-13 of its peak."""
    if kind == "cmor":
        return math.sqrt(30.0 * B)
    return 9.5 if kind == "mexh" else 7.8


def _block_sizes(kind, B, scales) -> np.ndarray:
    h = np.ceil(_exact_half_support(kind, B) * scales)
    return np.maximum(_MIN_BLOCK, 2 ** np.ceil(np.log2(8 * h))).astype(np.int64)


def _extension_width(kind, B, scales) -> int:
    return int(math.ceil(_exact_half_support(kind, B) * scales.max()))


def _extend(x, left, right, pad_mode):
    """``x`` with ``left``/``right`` samples of zeros or mirror reflection on the last axis."""
    if pad_mode == "reflect" and x.shape[-1] > 1:
        widths = [(0, 0)] * (x.ndim - 1) + [(left, right)]
        return np.pad(x, widths, mode="reflect")
    xp = np.zeros(x.shape[:-1] + (x.shape[-1] + left + right,), dtype=x.dtype)
    xp[..., left : left + x.shape[-1]] = x
    return xp


def _n_threads(workers, n_jobs) -> int:
    """Threads for ``workers`` (None or 1: one; -1: all cores; k: k), at most ``n_jobs``."""
    import os

    if workers is None or workers == 1:
        return 1
    total = os.cpu_count() or 1
    k = total if workers < 0 else int(workers)
    return max(1, min(k, n_jobs))


def _parallel(workers, size):
    from .._numba import use_parallel

    return workers != 1 and use_parallel(size, PARALLEL_MIN)


def _cwt_global(x, scales, spec, pad_mode, workers):
    """One FFT of the whole padded signal, all scales' spectra, one batched inverse FFT."""
    import scipy.fft as sfft

    code, B, C, norm_pow = spec
    kind = {v: k for k, v in _KIND_CODE.items()}[code]
    n = x.shape[-1]
    onesided = kind != "cmor"
    if pad_mode == "periodic":
        pad, nfft, xp = 0, n, x
    else:
        pad = _extension_width(kind, B, scales)
        nfft = sfft.next_fast_len(n + 2 * pad, real=onesided)
        check_array_size(
            x.shape[:-1] + (scales.size, nfft // 2 + 1 if onesided else nfft),
            np.result_type(x.dtype, np.complex64),
            "the CWT work array",
            f"the widest wavelet (the lowest frequency) needs {pad} samples of padding on each "
            f"side of the {n}-sample signal: raise fmin, or use fewer frequencies",
        )
        xp = _extend(x, pad, nfft - n - pad, pad_mode)
    if onesided:
        X = sfft.rfft(xp, nfft, axis=-1, workers=workers)
    else:
        X = sfft.fft(xp, nfft, axis=-1, workers=workers)
    cdtype = np.result_type(x.dtype, np.complex64)
    out = np.zeros(x.shape[:-1] + (scales.size, X.shape[-1]), dtype=cdtype)
    rows = X.reshape(-1, X.shape[-1])
    fill = _kernels.fill_spectra_par if _parallel(workers, out.size) else _kernels.fill_spectra
    fill(
        rows,
        scales,
        scales**norm_pow,
        code,
        B,
        C,
        nfft,
        onesided,
        out.reshape(rows.shape[0], scales.size, X.shape[-1]),
    )
    if onesided:
        W = sfft.irfft(out, nfft, axis=-1, workers=workers, overwrite_x=True)
    else:
        W = sfft.ifft(out, axis=-1, workers=workers, overwrite_x=True)
    return W[..., pad : pad + n]


def _cwt_blocks(x, scales, spec, P, pad_mode, workers):
    """Overlap-save: the same linear correlation computed on blocks of ``L`` samples (a power
    of two >= 8 wavelet half-supports), so that every FFT stays in cache. For each block size:
    one batched FFT of the signal's blocks, shared by all scales of that size; per scale, the
    blocks' spectra times the wavelet spectrum, one batched inverse FFT, and the valid centre of
    each block written to the output. Exact to ~1e-13 (the wavelet is cut where ``|psi|`` falls
    below 1e-13 of its peak)."""
    import scipy.fft as sfft

    code, B, C, norm_pow = spec
    kind = {v: k for k, v in _KIND_CODE.items()}[code]
    onesided = kind != "cmor"
    n = x.shape[-1]
    lead = x.shape[:-1]
    R = int(np.prod(lead, dtype=np.int64))
    x2 = x.reshape(R, n)
    cdtype = np.result_type(x.dtype, np.complex64)
    W = np.empty((R, scales.size, n), dtype=x.dtype if onesided else cdtype)
    Ls = _block_sizes(kind, B, scales)
    hs = np.ceil(_exact_half_support(kind, B) * scales).astype(np.int64)
    jobs = []
    for L in np.unique(Ls):
        idx = np.flatnonzero(Ls == L)
        h = int(hs[idx].max())
        L = int(L)
        V = L - 2 * h
        nb = -(-n // V)
        # extended signal: block j reads xe[j V : j V + L] = x[j V - h : j V + V + h]
        xe = _extend(x2, P, nb * V - n + h, pad_mode)[:, P - h :]
        frames = np.lib.stride_tricks.sliding_window_view(xe, L, axis=-1)[:, ::V][:, :nb]
        F = (sfft.rfft if onesided else sfft.fft)(frames, axis=-1, workers=workers)
        ones = np.ones((1, F.shape[-1]), dtype=cdtype)
        H = np.zeros((1, idx.size, F.shape[-1]), dtype=cdtype)
        sc = np.ascontiguousarray(scales[idx])
        _kernels.fill_spectra(ones, sc, sc**norm_pow, code, B, C, L, onesided, H)
        jobs += [(F, H[0, j], int(s), L, h, V) for j, s in enumerate(idx)]

    def run(part):
        # one thread's share of the scales, each through its own buffer (scipy.fft and NumPy
        # release the GIL)
        buf = None
        for F, Hs, s, L, h, V in part:
            if buf is None or buf.shape != F.shape:
                buf = np.empty_like(F)
            np.multiply(F, Hs, out=buf)
            if onesided:
                y = sfft.irfft(buf, L, axis=-1, overwrite_x=True)
            else:
                y = sfft.ifft(buf, axis=-1, overwrite_x=True)
            nfull = n // V
            W[:, s, : nfull * V].reshape(R, nfull, V)[:] = y[:, :nfull, h : h + V]
            if n > nfull * V:
                W[:, s, nfull * V :] = y[:, nfull, h : h + n - nfull * V]

    threads = _n_threads(workers, len(jobs))
    if threads == 1:
        run(jobs)
    else:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(run, [jobs[i::threads] for i in range(threads)]))
    return W.reshape(lead + (scales.size, n))


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
    workers: int | None = -1,
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
    power = _check_power(power)
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
