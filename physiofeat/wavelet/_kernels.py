"""Numba kernels of the wavelet family (private; no validation, no raising).

``fill_spectra`` writes, in one pass, the product of the signal's spectrum with the closed-form
Fourier transform of the wavelet at every scale (only on the bins where the wavelet spectrum is
above 1e-18 of its peak; the output array arrives zeroed). The batched inverse FFT that follows
is scipy.fft's. A ``prange`` over (signal, scale) rows with a serial twin built from the same
``inline="always"`` body (``cache=True`` would otherwise make the two share one cache entry).
"""

from __future__ import annotations

import math

from .._numba import jit, prange

CMOR, MEXH, MORL = 0, 1, 2
# |argument| of exp(-arg) beyond which a spectrum value is below 1e-18 of its peak.
TAIL = 41.5
MEXH_C = 2.0 * math.sqrt(2.0 * math.pi) / (math.sqrt(3.0) * math.pi**0.25)
MORL_C = math.sqrt(math.pi / 2.0)


@jit(inline="always")
def _band(kind, a, B, C, nfft, kmin, kmax):
    """Signed bin range [klo, khi] where psi_hat(a * omega_k) is non-negligible."""
    if kind == CMOR:
        r = math.sqrt(4.0 * TAIL / B)
        lo = 2.0 * math.pi * C - r
        hi = 2.0 * math.pi * C + r
    elif kind == MEXH:
        lo = -9.5
        hi = 9.5
    else:
        lo = -(5.0 + math.sqrt(2.0 * TAIL))
        hi = 5.0 + math.sqrt(2.0 * TAIL)
    scale = nfft / (2.0 * math.pi * a)
    klo = max(int(math.floor(lo * scale)), kmin)
    khi = min(int(math.ceil(hi * scale)), kmax)
    return klo, khi


@jit(inline="always")
def _psi_hat(kind, w, B, C):
    if kind == CMOR:
        d = w - 2.0 * math.pi * C
        return math.exp(-B * d * d / 4.0)
    if kind == MEXH:
        return MEXH_C * w * w * math.exp(-w * w / 2.0)
    return MORL_C * (math.exp(-((w - 5.0) ** 2) / 2.0) + math.exp(-((w + 5.0) ** 2) / 2.0))


@jit(inline="always")
def _fill_body(X, scales, gains, kind, B, C, nfft, onesided, out):
    R = X.shape[0]
    S = scales.size
    if onesided:
        kmin = 0
        kmax = nfft // 2
    else:
        kmin = -(nfft // 2)
        kmax = (nfft - 1) // 2
    dw = 2.0 * math.pi / nfft
    for rs in prange(R * S):
        r = rs // S
        s = rs - r * S
        a = scales[s]
        g = gains[s]
        klo, khi = _band(kind, a, B, C, nfft, kmin, kmax)
        for k in range(klo, khi + 1):
            i = k if k >= 0 else k + nfft
            out[r, s, i] = X[r, i] * (g * _psi_hat(kind, dw * a * k, B, C))


@jit(parallel=True)
def fill_spectra_par(X, scales, gains, kind, B, C, nfft, onesided, out):
    _fill_body(X, scales, gains, kind, B, C, nfft, onesided, out)


@jit
def fill_spectra(X, scales, gains, kind, B, C, nfft, onesided, out):
    _fill_body(X, scales, gains, kind, B, C, nfft, onesided, out)
