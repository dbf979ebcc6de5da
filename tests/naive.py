"""Plain-NumPy reference implementations (oracles) for the tests.

Each family appends its own section; none imports physiofeat.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np

# ============================================================================================
# wavelet and envelope families (physiofeat.wavelet, physiofeat.envelope): plain NumPy/SciPy
# definitions, written from the papers' formulas, sharing no code with the package.


def naive_dwt_stats(coeffs):
    """Per-band [energy, rel_energy, entropy, mean, std, mean_abs, max_abs] of 1-D coefficient
    arrays, by explicit loops over the coefficients."""
    import math

    energies = []
    for c in coeffs:
        e = 0.0
        for v in c:
            e += float(v) * float(v)
        energies.append(e)
    total = sum(energies)
    rows = []
    for c, e in zip(coeffs, energies):
        h = 0.0
        for v in c:
            p = float(v) * float(v) / e if e > 0 else 0.0
            if p > 0:
                h -= p * math.log(p)
        m = sum(float(v) for v in c) / len(c)
        sd = math.sqrt(sum((float(v) - m) ** 2 for v in c) / len(c))
        rows.append(
            [
                e,
                e / total,
                h,
                m,
                sd,
                sum(abs(float(v)) for v in c) / len(c),
                max(abs(float(v)) for v in c),
            ]
        )
    return np.array(rows)


def naive_psi(t, wavelet):
    """Closed-form wavelet in the time domain (PyWavelets' definitions)."""
    if wavelet.startswith("cmor"):
        B, C = (float(v) for v in wavelet[4:].split("-"))
        return (np.pi * B) ** -0.5 * np.exp(-(t**2) / B) * np.exp(2j * np.pi * C * t)
    if wavelet in ("mexh", "ricker"):
        return 2 / (np.sqrt(3) * np.pi**0.25) * (1 - t**2) * np.exp(-(t**2) / 2)
    if wavelet == "morl":
        return np.exp(-(t**2) / 2) * np.cos(5 * t)
    raise ValueError(wavelet)


def naive_cwt(x, scales, wavelet, norm="l2"):
    """W[a, b] = norm(a) * sum_n x[n] conj(psi((n - b) / a)) by a direct sum over all n
    (zero outside the signal): O(n**2) per scale."""
    x = np.asarray(x, dtype=np.float64)
    n = x.size
    idx = np.arange(n)
    out = np.empty((len(scales), n), dtype=np.complex128)
    for i, a in enumerate(scales):
        g = a**-0.5 if norm == "l2" else 1.0 / a
        for b in range(n):
            out[i, b] = g * np.sum(x * np.conj(naive_psi((idx - b) / a, wavelet)))
    return out


def naive_analytic(x):
    """Analytic signal by the textbook one-sided spectrum (Marple 1999), 1-D."""
    x = np.asarray(x, dtype=np.float64)
    n = x.size
    X = np.fft.fft(x)
    h = np.zeros(n)
    h[0] = 1
    if n % 2 == 0:
        h[n // 2] = 1
        h[1 : n // 2] = 2
    else:
        h[1 : (n + 1) // 2] = 2
    return np.fft.ifft(X * h)


def naive_homomorphic(x, sr, cutoff=8.0, order=1):
    """exp(filtfilt(butter(order, cutoff), log|analytic|)) with (b, a) coefficients, 1-D."""
    from scipy.signal import butter, filtfilt

    h = np.abs(naive_analytic(x))
    h = np.maximum(h, np.finfo(np.float64).eps * h.max())
    b, a = butter(order, cutoff / (sr / 2))
    return np.exp(filtfilt(b, a, np.log(h)))


def naive_shannon(x, sr, frame_length=0.02):
    """Shannon energy of x / max|x| averaged over a centred odd window with mirrored ends."""
    import math

    x = np.asarray(x, dtype=np.float64) / np.max(np.abs(x))
    e = np.array([-(v * v) * math.log(v * v) if v != 0 else 0.0 for v in x])
    half = int(math.floor(frame_length * sr / 2))
    n = e.size
    out = np.empty(n)
    for i in range(n):
        s = 0.0
        for j in range(i - half, i + half + 1):
            k = j
            while k < 0 or k >= n:  # half-sample symmetric extension: e[-1] = e[0]
                k = -k - 1 if k < 0 else 2 * n - 1 - k
            s += e[k]
        out[i] = s / (2 * half + 1)
    return out


def naive_wavelet_envelope(x, wavelet, level):
    """Springer's getDWT: |level-`level` detail| with each coefficient repeated 2**level times,
    centre n samples (MATLAB wkeep1), 1-D."""
    import pywt

    d = pywt.wavedec(np.asarray(x, dtype=np.float64), wavelet, mode="symmetric", level=level)[1]
    rep = []
    for v in d:
        rep.extend([v] * 2**level)
    start = (len(rep) - len(x)) // 2
    return np.abs(np.array(rep[start : start + len(x)]))


def naive_psd_frames(x, sr, fmin=40, fmax=60, win=None, hop=None):
    """Mean one-sided PSD over integer frequencies fmin..fmax of each symmetric-Hamming frame
    (MATLAB spectrogram scaling 2|X|^2 / (sr sum w^2)); returns (centres_s, values)."""
    x = np.asarray(x, dtype=np.float64)
    # MATLAB's round (half away from zero), as Springer's spectrogram(x, sr/40, round(sr/80))
    win = int(Decimal(sr / 40).to_integral_value(ROUND_HALF_UP)) if win is None else win
    hop = win - int(Decimal(sr / 80).to_integral_value(ROUND_HALF_UP)) if hop is None else hop
    w = 0.54 - 0.46 * np.cos(2 * np.pi * np.arange(win) / (win - 1))
    freqs = range(int(np.ceil(fmin)), int(np.floor(fmax)) + 1)
    vals, centres = [], []
    start = 0
    while start + win <= x.size:
        seg = x[start : start + win] * w
        p = []
        for f in freqs:
            z = sum(seg[t] * np.exp(-2j * np.pi * f * t / sr) for t in range(win))
            p.append(2 * abs(z) ** 2 / (sr * np.sum(w * w)))
        vals.append(np.mean(p))
        centres.append((start + win / 2) / sr)
        start += hop
    return np.array(centres), np.array(vals)


# --- higher-order spectra and time-domain statistics (hos / temporal) -----------------------


def naive_segment_ffts(x, n_fft, hop, window, detrend):
    """Full complex FFT (np.fft.fft) of each detrended, windowed segment, segment by segment.

    ``window``: n_fft values; ``detrend``: 'constant', 'linear' (least-squares line by
    np.polyfit) or None. Returns (n_segments, n_fft) complex128.
    """
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(window, dtype=np.float64)
    t = np.arange(n_fft, dtype=np.float64)
    out = []
    start = 0
    while start + n_fft <= x.size:
        s = x[start : start + n_fft].copy()
        if detrend == "constant":
            s = s - s.mean()
        elif detrend == "linear":
            slope, icpt = np.polyfit(t, s, 1)
            s = s - (slope * t + icpt)
        out.append(np.fft.fft(s * w))
        start += hop
    return np.array(out)


def naive_bispectrum(x, n_fft, hop, window, detrend, bicoherence=False):
    """Direct bispectrum (and squared bicoherence) by the triple-product definition, one
    (f1, f2) bin at a time over the triangle 0 <= j <= i, i + j <= n_fft // 2; NaN elsewhere.
    Shape (n_fft // 2 + 1, n_fft // 4 + 1)."""
    X = naive_segment_ffts(x, n_fft, hop, window, detrend)
    K, K2 = n_fft // 2 + 1, n_fft // 4 + 1
    B = np.full((K, K2), np.nan + 1j * np.nan)
    b2 = np.full((K, K2), np.nan)
    for i in range(K):
        for j in range(K2):
            if j <= i and i + j <= n_fft // 2:
                trip = X[:, i] * X[:, j] * np.conj(X[:, i + j])
                B[i, j] = trip.mean()
                den = np.sum(np.abs(X[:, i] * X[:, j]) ** 2) * np.sum(np.abs(X[:, i + j]) ** 2)
                b2[i, j] = abs(trip.sum()) ** 2 / den if den > 0 else 0.0
    return (B, b2) if bicoherence else B


def naive_sample_entropy(x, m, r):
    """Richman & Moorman SampEn with explicit templates: the n - m templates of length m and
    m + 1 starting at i = 0 .. n - m - 1, pairs i < j, Chebyshev distance <= r (absolute)."""
    x = np.asarray(x, dtype=np.float64)
    n = x.size
    em = np.array([x[i : i + m] for i in range(n - m)])
    em1 = np.array([x[i : i + m + 1] for i in range(n - m)])
    B = A = 0
    for i in range(n - m - 1):
        B += int(np.sum(np.max(np.abs(em[i + 1 :] - em[i]), axis=1) <= r))
        A += int(np.sum(np.max(np.abs(em1[i + 1 :] - em1[i]), axis=1) <= r))
    if B == 0:
        return np.nan
    if A == 0:
        return np.inf
    return -np.log(A / B)


def naive_hjorth(x):
    """Hjorth activity, mobility, complexity from their definitions with first differences."""
    x = np.asarray(x, dtype=np.float64)
    dx = np.diff(x)
    ddx = np.diff(dx)
    activity = np.var(x)
    mobility = np.sqrt(np.var(dx) / np.var(x))
    complexity = np.sqrt(np.var(ddx) / np.var(dx)) / mobility
    return activity, mobility, complexity


def naive_zero_crossing_rate(x):
    """Fraction of adjacent pairs (a, b) with (a >= 0) != (b >= 0), 1-D loop."""
    x = np.asarray(x, dtype=np.float64)
    c = sum(1 for a, b in zip(x[:-1], x[1:]) if (a >= 0) != (b >= 0))
    return c / (x.size - 1)


# --- ecg (physiofeat.ecg._kernels) -------------------------------------------------------------


def naive_energy_peaks(e, refractory):
    """Local maxima (e[i] > e[i-1] and e[i] >= e[i+1]); one closer than ``refractory`` to the
    previously kept one replaces it when larger, else is dropped. Plain loop."""
    e = np.asarray(e, dtype=np.float64)
    kept = []
    for i in range(1, e.size - 1):
        if e[i] > e[i - 1] and e[i] >= e[i + 1]:
            if kept and i - kept[-1] < refractory:
                if e[i] > e[kept[-1]]:
                    kept[-1] = i
            else:
                kept.append(i)
    return np.array(kept, dtype=np.int64)


def naive_best_shift_corr(x, starts, template, max_shift):
    """Shift in [-max_shift, max_shift] maximising np.corrcoef(segment, template) per start."""
    x = np.asarray(x, dtype=np.float64)
    L = len(template)
    shifts, corrs = [], []
    for s0 in starts:
        best, bs = -np.inf, 0
        for s in range(-max_shift, max_shift + 1):
            a = s0 + s
            if a < 0 or a + L > x.size or np.std(x[a : a + L]) == 0:
                continue
            c = np.corrcoef(x[a : a + L], template)[0, 1]
            if c > best:
                best, bs = c, s
        shifts.append(bs)
        corrs.append(best if np.isfinite(best) else np.nan)
    return np.array(shifts), np.array(corrs)


def naive_fine_shift_corr(x, starts, template, max_shift):
    """naive_best_shift_corr with the shift refined to the vertex of the parabola through the
    correlations at the best integer shift and its neighbours (when both exist and it opens
    downwards)."""
    x = np.asarray(x, dtype=np.float64)
    L = len(template)
    shifts, corrs = [], []
    for s0 in starts:
        cs = {}
        for s in range(-max_shift, max_shift + 1):
            a = s0 + s
            if a < 0 or a + L > x.size or np.std(x[a : a + L]) == 0:
                continue
            cs[s] = np.corrcoef(x[a : a + L], template)[0, 1]
        if not cs:
            shifts.append(0.0)
            corrs.append(np.nan)
            continue
        best = max(cs, key=lambda s: (cs[s], -s))
        shift = float(best)
        if best - 1 in cs and best + 1 in cs:
            y0, y1, y2 = cs[best - 1], cs[best], cs[best + 1]
            if y0 - 2 * y1 + y2 < 0:
                shift += 0.5 * (y0 - y2) / (y0 - 2 * y1 + y2)
        shifts.append(shift)
        corrs.append(cs[best])
    return np.array(shifts), np.array(corrs)


def naive_r_polarity(x, pos, half):
    """+1 when the median over beats of (window max - window median) is at least that of
    (window median - window min), else -1; windows of +-half samples cut at the signal ends."""
    ups, downs = [], []
    for p in pos:
        seg = np.asarray(x[max(p - half, 0) : min(p + half + 1, len(x))], dtype=np.float64)
        base = np.median(seg)
        ups.append(seg.max() - base)
        downs.append(base - seg.min())
    if not ups:
        return 1.0
    return 1.0 if np.median(ups) >= np.median(downs) else -1.0


# --- hht (physiofeat.hht._kernels) -------------------------------------------------------------


def naive_extrema(x):
    """Local maxima/minima indices (a flat run counts once, at its middle rounded half-to-even,
    as PyEMD's 'simple' detection) and the zero-crossing count (a run of zeros counts once)."""
    x = np.asarray(x, dtype=float)
    n = len(x)
    maxima, minima = [], []
    i = 1
    while i < n - 1:
        j = i
        while j < n - 1 and x[j + 1] == x[i]:
            j += 1  # x[i..j] is a flat run (j == i: a single sample)
        if j >= n - 1:
            break
        left, right = x[i] - x[i - 1], x[j + 1] - x[j]
        mid = int(np.round((i + j) / 2))
        if left > 0 and right < 0:
            maxima.append(mid)
        elif left < 0 and right > 0:
            minima.append(mid)
        i = j + 1
    zc = int(np.sum(x[:-1] * x[1:] < 0))
    zero = x == 0
    zc += int(np.sum(zero[1:] & ~zero[:-1]) + zero[0])
    return np.array(maxima, dtype=int), np.array(minima, dtype=int), zc


def naive_hilbert_spectrum(freq, amp, edges, power=False):
    """(n_bins, n) sum of amp (or amp**2) of the rows of freq/amp (n_imfs, n) falling in
    [edges[b], edges[b+1]), by np.digitize."""
    freq = np.asarray(freq, dtype=float)
    out = np.zeros((len(edges) - 1, freq.shape[-1]))
    for k in range(freq.shape[0]):
        b = np.digitize(freq[k], edges) - 1
        ok = (freq[k] >= edges[0]) & (freq[k] < edges[-1])
        w = amp[k] ** 2 if power else amp[k]
        np.add.at(out, (b[ok], np.flatnonzero(ok)), w[ok])
    return out
