"""Numba kernels of the spectral family (private; no validation, no raising).

Layout convention inside the family: spectra are *frame-major*, ``(rows, n_frames, n_bins)``
C-contiguous, so that every per-frame loop reads contiguous memory. The public functions expose
time-last views of these arrays.

Each kernel with a ``prange`` loop has a serial twin built from the same ``inline="always"`` body
(``cache=True`` would otherwise make the serial and parallel compiles share one cache entry);
the wrappers pick the serial one for small inputs, where thread start-up costs more than it saves.
"""

from __future__ import annotations

import math

import numpy as np

from .._numba import jit, prange

# --------------------------------------------------------------------------------------------
# power / magnitude and sparse mel projection straight from the complex STFT


@jit(inline="always")
def _power_body(X, power, out):
    R, T, F = X.shape
    for rt in prange(R * T):
        r = rt // T
        t = rt - r * T
        for f in range(F):
            z = X[r, t, f]
            p = z.real * z.real + z.imag * z.imag
            if power == 2.0:
                out[r, t, f] = p
            elif power == 1.0:
                out[r, t, f] = math.sqrt(p)
            else:
                out[r, t, f] = p ** (0.5 * power)


@jit(parallel=True)
def power_spectrum_par(X, power, out):
    _power_body(X, power, out)


@jit
def power_spectrum(X, power, out):
    _power_body(X, power, out)


@jit(inline="always")
def _mel_body(X, power, band_lo, band_ptr, weights, out):
    # out[r, t, m] = sum_f W[m, f] * |X[r, t, f]|**power. Mel filters are contiguous runs of
    # bins, so each band is stored as its run: bins band_lo[m] .. band_lo[m] + (band_ptr[m+1]
    # - band_ptr[m]) with weights weights[band_ptr[m]:band_ptr[m+1]] (gather, no scatter).
    R, T, F = X.shape
    M = out.shape[2]
    for rt in prange(R * T):
        r = rt // T
        t = rt - r * T
        p = np.empty(F, dtype=out.dtype)
        if power == 2.0:
            for f in range(F):
                z = X[r, t, f]
                p[f] = z.real * z.real + z.imag * z.imag
        elif power == 1.0:
            for f in range(F):
                z = X[r, t, f]
                p[f] = math.sqrt(z.real * z.real + z.imag * z.imag)
        else:
            for f in range(F):
                z = X[r, t, f]
                p[f] = (z.real * z.real + z.imag * z.imag) ** (0.5 * power)
        for m in range(M):
            lo = band_lo[m]
            k0 = band_ptr[m]
            n = band_ptr[m + 1] - k0
            acc = 0.0
            for j in range(n):
                acc += weights[k0 + j] * p[lo + j]
            out[r, t, m] = acc


@jit(parallel=True)
def mel_project_par(X, power, band_lo, band_ptr, weights, out):
    _mel_body(X, power, band_lo, band_ptr, weights, out)


@jit
def mel_project(X, power, band_lo, band_ptr, weights, out):
    _mel_body(X, power, band_lo, band_ptr, weights, out)


@jit
def frame_window(rows, window, hop, pad, n_frames, g0, out):
    # out[i, :] = window * frame g0 + i, where frame g of the (R, n_frames) grid starts at sample
    # (g % n_frames) * hop - pad of signal g // n_frames; samples outside the signal are zero
    # (centre padding with pad_mode="constant" without copying the signal). One pass, serial:
    # callers run blocks on several threads (the kernel releases the GIL).
    B, N = out.shape
    n = rows.shape[1]
    for i in range(B):
        g = g0 + i
        r = g // n_frames
        s = (g - r * n_frames) * hop - pad
        if s >= 0 and s + N <= n:
            for j in range(N):
                out[i, j] = rows[r, s + j] * window[j]
        else:
            for j in range(N):
                k = s + j
                out[i, j] = rows[r, k] * window[j] if 0 <= k < n else 0.0


# --------------------------------------------------------------------------------------------
# Savitzky-Golay derivative along time (librosa.feature.delta, mode="interp")


@jit(inline="always")
def _savgol_body(x, coeffs, out):
    # x, out: (B, T, K) with time on axis 1. coeffs: (width, width); row h = interior filter,
    # rows 0..h-1 / h+1..width-1 evaluate the edge polynomial fits (scipy's mode="interp").
    B, T, K = x.shape
    W = coeffs.shape[0]
    h = W // 2
    for b in prange(B):
        for t in range(T):
            if t < h:
                row = t
                start = 0
            elif t >= T - h:
                row = t - (T - W)
                start = T - W
            else:
                row = h
                start = t - h
            for k in range(K):
                out[b, t, k] = 0.0
            for j in range(W):
                c = coeffs[row, j]
                for k in range(K):
                    out[b, t, k] += c * x[b, start + j, k]


@jit(parallel=True)
def savgol_par(x, coeffs, out):
    _savgol_body(x, coeffs, out)


@jit
def savgol(x, coeffs, out):
    _savgol_body(x, coeffs, out)


# --------------------------------------------------------------------------------------------
# spectral statistics on a magnitude spectrogram (rows, frames, bins)


# fastmath off: the roll-off threshold compares a running sum that must add in order, as
# np.cumsum does, or ties land in a neighbouring bin.
@jit(inline="always", fastmath=False)
def _stats_body(S, freq, roll_percent, p, amin, centroid, bandwidth, rolloff, flatness, entropy):
    R, T, F = S.shape
    tiny = np.finfo(S.dtype).tiny
    logF = math.log(F)
    for rt in prange(R * T):
        r = rt // T
        t = rt - r * T
        total = 0.0
        tot_same = S[r, t, 0] - S[r, t, 0]  # accumulated in S's dtype, like np.cumsum
        wsum = 0.0
        ptot = 0.0
        logsum = 0.0
        for f in range(F):
            s = S[r, t, f]
            total += s
            tot_same += s
            wsum += freq[f] * s
            q = s * s
            ptot += q
            logsum += math.log(max(amin, q))
        norm = total if total >= tiny else 1.0
        c = wsum / norm
        centroid[r, t] = c
        # bandwidth: (sum_f S/norm * |f - c|**p) ** (1/p)
        acc = 0.0
        thresh = roll_percent * tot_same
        cum = S[r, t, 0] - S[r, t, 0]
        ro = np.nan
        ent = 0.0
        qtot = 0.0
        for f in range(F):
            s = S[r, t, f]
            acc += (s / norm) * abs(freq[f] - c) ** p
            cum += s
            if cum >= thresh and ro != ro:
                ro = freq[f]
            q = max(amin, s * s)
            qtot += q
        bandwidth[r, t] = acc ** (1.0 / p)
        rolloff[r, t] = ro
        flatness[r, t] = math.exp(logsum / F) / (qtot / F)
        if ptot > 0.0:
            for f in range(F):
                s = S[r, t, f]
                pr = s * s / ptot
                if pr > 0.0:
                    ent -= pr * math.log(pr)
            entropy[r, t] = ent / logF
        else:
            entropy[r, t] = 0.0


@jit(parallel=True, fastmath=False)
def spectral_stats_par(
    S, freq, roll_percent, p, amin, centroid, bandwidth, rolloff, flatness, entropy
):
    _stats_body(S, freq, roll_percent, p, amin, centroid, bandwidth, rolloff, flatness, entropy)


@jit(fastmath=False)
def spectral_stats(S, freq, roll_percent, p, amin, centroid, bandwidth, rolloff, flatness, entropy):
    _stats_body(S, freq, roll_percent, p, amin, centroid, bandwidth, rolloff, flatness, entropy)


@jit(inline="always")
def _flux_body(S, out):
    R, T, F = S.shape
    for rt in prange(R * T):
        r = rt // T
        t = rt - r * T
        if t == 0:
            out[r, t] = 0.0
            continue
        acc = 0.0
        for f in range(F):
            d = S[r, t, f] - S[r, t - 1, f]
            acc += d * d
        out[r, t] = math.sqrt(acc)


@jit(parallel=True)
def flux_par(S, out):
    _flux_body(S, out)


@jit
def flux(S, out):
    _flux_body(S, out)


# --------------------------------------------------------------------------------------------
# framed time-domain statistics: zero-crossing rate and RMS without materialising frames


@jit(inline="always")
def _zcr_body(y, frame_length, hop, threshold, out):
    R, N = y.shape
    T = out.shape[1]
    for rt in prange(R * T):
        r = rt // T
        t = rt - r * T
        s = t * hop
        cnt = 0
        prev = y[r, s]
        prev_neg = prev < -threshold
        for i in range(1, frame_length):
            v = y[r, s + i]
            neg = v < -threshold
            if neg != prev_neg:
                cnt += 1
            prev_neg = neg
        out[r, t] = cnt / frame_length


@jit(parallel=True)
def zcr_par(y, frame_length, hop, threshold, out):
    _zcr_body(y, frame_length, hop, threshold, out)


@jit
def zcr(y, frame_length, hop, threshold, out):
    _zcr_body(y, frame_length, hop, threshold, out)


@jit(inline="always")
def _rms_body(y, frame_length, hop, out):
    R, N = y.shape
    T = out.shape[1]
    for rt in prange(R * T):
        r = rt // T
        t = rt - r * T
        s = t * hop
        acc = 0.0
        for i in range(frame_length):
            v = y[r, s + i]
            acc += v * v
        out[r, t] = math.sqrt(acc / frame_length)


@jit(parallel=True)
def rms_par(y, frame_length, hop, out):
    _rms_body(y, frame_length, hop, out)


@jit
def rms(y, frame_length, hop, out):
    _rms_body(y, frame_length, hop, out)
