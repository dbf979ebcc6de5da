"""Plain-NumPy reference implementations (oracles) for the tests.

Each family appends its own section; none imports physiofeat.
"""

from __future__ import annotations

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
    win = round(sr / 40) if win is None else win
    hop = win - round(sr / 80) if hop is None else hop
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
