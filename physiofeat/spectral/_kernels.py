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


@jit
def _frame_power(Xf, row, F, power, p, off):
    # p[off + f] = |X[row, f]|**power from the interleaved float view Xf (re, im, re, im, ...)
    if power == 2.0:
        for f in range(F):
            re = Xf[row, 2 * f]
            im = Xf[row, 2 * f + 1]
            p[off + f] = re * re + im * im
    elif power == 1.0:
        for f in range(F):
            re = Xf[row, 2 * f]
            im = Xf[row, 2 * f + 1]
            p[off + f] = math.sqrt(re * re + im * im)
    else:
        for f in range(F):
            re = Xf[row, 2 * f]
            im = Xf[row, 2 * f + 1]
            p[off + f] = (re * re + im * im) ** (0.5 * power)


@jit(inline="always")
def _mel_rows_body(Xf, power, band_lo, band_ptr, weights, out, p, zero, floor, r0, r1):
    # out[r, m] = sum_f W[m, f] * |X[r, f]|**power for rows r0..r1 of the float view Xf
    # (N, 2F) of a complex (N, F) spectrum. Mel filters are contiguous runs of bins: band m is
    # bins band_lo[m] .. + (band_ptr[m+1] - band_ptr[m]) with weights
    # weights[band_ptr[m]:band_ptr[m+1]] (a gather, no scatter). Eight frames go through each
    # band together: eight independent accumulators instead of one latency-bound chain (the
    # runs are short, 1-30 bins, too short to vectorise along the bins). band_lo/band_ptr are
    # unsigned, so indexing needs no negative-index wraparound test. p: scratch of >= 8F.
    # Results below ``floor`` are raised to it (power_to_db's amin; 0 = no effect).
    F = Xf.shape[1] // 2
    M = out.shape[1]
    Fu = np.uint64(F)
    r = r0
    while r + 8 <= r1:
        for i in range(8):
            _frame_power(Xf, r + i, F, power, p, i * F)
        for m in range(M):
            lo = band_lo[m]
            k0 = band_ptr[m]
            n = band_ptr[m + 1] - k0
            a0 = zero
            a1 = zero
            a2 = zero
            a3 = zero
            a4 = zero
            a5 = zero
            a6 = zero
            a7 = zero
            for j in range(n):
                w = weights[k0 + j]
                q = lo + j
                a0 += w * p[q]
                a1 += w * p[q + Fu]
                a2 += w * p[q + np.uint64(2) * Fu]
                a3 += w * p[q + np.uint64(3) * Fu]
                a4 += w * p[q + np.uint64(4) * Fu]
                a5 += w * p[q + np.uint64(5) * Fu]
                a6 += w * p[q + np.uint64(6) * Fu]
                a7 += w * p[q + np.uint64(7) * Fu]
            out[r, m] = max(a0, floor)
            out[r + 1, m] = max(a1, floor)
            out[r + 2, m] = max(a2, floor)
            out[r + 3, m] = max(a3, floor)
            out[r + 4, m] = max(a4, floor)
            out[r + 5, m] = max(a5, floor)
            out[r + 6, m] = max(a6, floor)
            out[r + 7, m] = max(a7, floor)
        r += 8
    while r < r1:
        _frame_power(Xf, r, F, power, p, 0)
        for m in range(M):
            lo = band_lo[m]
            k0 = band_ptr[m]
            n = band_ptr[m + 1] - k0
            acc = zero
            for j in range(n):
                acc += weights[k0 + j] * p[lo + j]
            out[r, m] = max(acc, floor)
        r += 1


@jit
def mel_rows(Xf, power, band_lo, band_ptr, weights, out, p, zero, floor):
    """Mel projection of every row of ``Xf`` (serial; the block pipeline runs blocks on
    threads), ``p`` a scratch buffer of at least ``8 * F`` elements."""
    _mel_rows_body(Xf, power, band_lo, band_ptr, weights, out, p, zero, floor, 0, Xf.shape[0])


#: Rows per task of the parallel mel projection.
MEL_CHUNK = 64


@jit(parallel=True)
def mel_rows_par(Xf, power, band_lo, band_ptr, weights, out, zero, floor):
    N = Xf.shape[0]
    F = Xf.shape[1] // 2
    n_chunks = (N + MEL_CHUNK - 1) // MEL_CHUNK
    for c in prange(n_chunks):
        p = np.empty(8 * F, dtype=out.dtype)
        r0 = c * MEL_CHUNK
        _mel_rows_body(
            Xf, power, band_lo, band_ptr, weights, out, p, zero, floor, r0, min(N, r0 + MEL_CHUNK)
        )


# fastmath off: the same float32 operations in the same order as the NumPy version (scale,
# subtract the reference, floor at the row maximum minus top_db), so the same bits.
@jit(inline="always", fastmath=False)
def _db_finish_body(L, scale, log_ref, top_db):
    R, n = L.shape
    for r in prange(R):
        lr = log_ref[r]
        mx = L[r, 0] * scale - lr
        for i in range(n):
            v = L[r, i] * scale
            if lr != 0:
                v -= lr
            L[r, i] = v
            mx = max(mx, v)
        if top_db >= 0:
            fl = mx - top_db
            for i in range(n):
                L[r, i] = max(L[r, i], fl)


@jit(parallel=True, fastmath=False)
def db_finish_par(L, scale, log_ref, top_db):
    """In place: ``L = scale * L - log_ref[row]``, floored per row at ``max - top_db``
    (``top_db < 0``: no floor)."""
    _db_finish_body(L, scale, log_ref, top_db)


@jit(fastmath=False)
def db_finish(L, scale, log_ref, top_db):
    _db_finish_body(L, scale, log_ref, top_db)


@jit(inline="always")
def _frame_window_body(rows, window, hop, pad, n_frames, g0, out):
    # out[i, :] = window * frame g0 + i, where frame g of the (R, n_frames) grid starts at sample
    # (g % n_frames) * hop - pad of signal g // n_frames; samples outside the signal are zero
    # (centre padding with pad_mode="constant" without copying the signal). One pass, serial:
    # callers run blocks on several threads (the kernels release the GIL).
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


@jit
def frame_window(rows, window, hop, pad, n_frames, g0, out):
    _frame_window_body(rows, window, hop, pad, n_frames, g0, out)


@jit
def mel_rows_then_frame(
    Xf, power, band_lo, band_ptr, weights, out, p, zero, floor, rows, window, hop, pad, T, g, nxt
):
    """``mel_rows`` of this block, then ``frame_window`` of the thread's next block into
    ``nxt`` (skipped when it has no rows): one call, one release of the GIL, per block."""
    _mel_rows_body(Xf, power, band_lo, band_ptr, weights, out, p, zero, floor, 0, Xf.shape[0])
    if nxt.shape[0] > 0:
        _frame_window_body(rows, window, hop, pad, T, g, nxt)


# --------------------------------------------------------------------------------------------
# Savitzky-Golay derivative along time (librosa.feature.delta, mode="interp")


#: Interior elements per chunk of the delta filter: the chunk and its input stay in L1 while
#: the filter's taps pass over it.
SAVGOL_CHUNK = 2048


@jit(inline="always")
def _savgol_body(x, coeffs, out, T, K):
    # x, out: (B, T * K), each row a C-ordered (T, K) block with time first. coeffs: (W, W);
    # row h = the interior filter, rows 0..h-1 / h+1..W-1 evaluate the edge polynomial fits
    # (scipy's mode="interp"). The interior is one long run per row: out[h*K + i] =
    # sum_j c[j] x[j*K + i], tap by tap over chunks (vectorised; unsigned indices skip the
    # negative-index test). Requires T >= W.
    B = x.shape[0]
    W = coeffs.shape[0]
    h = W // 2
    n_int = (T - 2 * h) * K
    for b in prange(B):
        xb = x[b]
        ob = out[b]
        c0 = coeffs[h, 0]
        for i0 in range(0, n_int, SAVGOL_CHUNK):
            n = np.uint64(min(SAVGOL_CHUNK, n_int - i0))
            o = np.uint64(h * K + i0)
            s0 = np.uint64(i0)
            for i in range(n):
                ob[o + i] = c0 * xb[s0 + i]
            for j in range(1, W):
                c = coeffs[h, j]
                s = np.uint64(j * K + i0)
                for i in range(n):
                    ob[o + i] += c * xb[s + i]
        for t in range(h):
            for k in range(K):
                a0 = c0 - c0  # zero in the data's dtype
                a1 = c0 - c0
                for j in range(W):
                    a0 += coeffs[t, j] * xb[j * K + k]
                    a1 += coeffs[W - h + t, j] * xb[(T - W + j) * K + k]
                ob[t * K + k] = a0
                ob[(T - h + t) * K + k] = a1


@jit(parallel=True)
def savgol_par(x, coeffs, out, T, K):
    _savgol_body(x, coeffs, out, T, K)


@jit
def savgol(x, coeffs, out, T, K):
    _savgol_body(x, coeffs, out, T, K)


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
