"""Numba kernels of the higher-order-spectra family (private; no validation, no raising).

Layout: segment spectra are ``X[row, segment, bin]`` (C-contiguous, ``bin`` fastest), the output
of a batched ``scipy.fft.rfft``. Both kernels loop ``prange`` over ``(row, f1)`` pairs; each
iteration owns one output row ``out[row, f1, :]`` and accumulates the segment sum for every
``f2`` of that row in a private buffer, reading ``X[row, m, f2]`` and ``X[row, m, f1 + f2]``
contiguously in the innermost loop.

Only the principal domain ``0 <= f2 <= f1, f1 + f2 <= n_fft / 2`` is computed; entries of the
``(n_f1, n_f2)`` output outside it are set to NaN.
"""

from __future__ import annotations

import numpy as np

from .._numba import jit, prange


@jit(parallel=True)
def bispectrum_kernel(X, out):
    """``out[r, i, j] = mean_m X[r,m,i] X[r,m,j] conj(X[r,m,i+j])`` on the principal domain."""
    R, M, K = X.shape
    K2 = out.shape[2]
    nan = np.nan + 1j * np.nan
    inv = 1.0 / M
    for ri in prange(R * K):
        r = ri // K
        i = ri - r * K
        jmax = min(i, K - 1 - i)
        acc_re = np.zeros(jmax + 1)
        acc_im = np.zeros(jmax + 1)
        for m in range(M):
            a = X[r, m, i]
            ar = np.float64(a.real)
            ai = np.float64(a.imag)
            for j in range(jmax + 1):
                b = X[r, m, j]
                c = X[r, m, i + j]
                br = np.float64(b.real)
                bi = np.float64(b.imag)
                cr = np.float64(c.real)
                ci = np.float64(c.imag)
                # (a * b) * conj(c), written out so it vectorises over j
                pr = ar * br - ai * bi
                pi = ar * bi + ai * br
                acc_re[j] += pr * cr + pi * ci
                acc_im[j] += pi * cr - pr * ci
        for j in range(K2):
            if j <= jmax:
                out[r, i, j] = (acc_re[j] * inv) + 1j * (acc_im[j] * inv)
            else:
                out[r, i, j] = nan


@jit(parallel=True)
def bicoherence_kernel(X, p3, bis, bic):
    """Bispectrum (segment mean) and squared bicoherence on the principal domain.

    ``bic[r, i, j] = |sum_m X_i X_j X*_{i+j}|^2 / (sum_m |X_i X_j|^2 * p3[r, i+j])`` with
    ``p3[r, k] = sum_m |X[r, m, k]|^2``; 0 where the denominator is 0, NaN off the domain.
    """
    R, M, K = X.shape
    K2 = bis.shape[2]
    nan = np.nan + 1j * np.nan
    inv = 1.0 / M
    for ri in prange(R * K):
        r = ri // K
        i = ri - r * K
        jmax = min(i, K - 1 - i)
        acc_re = np.zeros(jmax + 1)
        acc_im = np.zeros(jmax + 1)
        acc_p = np.zeros(jmax + 1)
        for m in range(M):
            a = X[r, m, i]
            ar = np.float64(a.real)
            ai = np.float64(a.imag)
            for j in range(jmax + 1):
                b = X[r, m, j]
                c = X[r, m, i + j]
                br = np.float64(b.real)
                bi = np.float64(b.imag)
                cr = np.float64(c.real)
                ci = np.float64(c.imag)
                pr = ar * br - ai * bi
                pi = ar * bi + ai * br
                acc_re[j] += pr * cr + pi * ci
                acc_im[j] += pi * cr - pr * ci
                acc_p[j] += pr * pr + pi * pi
        for j in range(K2):
            if j <= jmax:
                re = acc_re[j]
                im = acc_im[j]
                bis[r, i, j] = (re * inv) + 1j * (im * inv)
                den = acc_p[j] * p3[r, i + j]
                if den > 0.0:
                    v = (re * re + im * im) / den
                    bic[r, i, j] = v if v < 1.0 else 1.0  # Cauchy-Schwarz; clip round-off
                else:
                    bic[r, i, j] = 0.0
            else:
                bis[r, i, j] = nan
                bic[r, i, j] = np.nan
