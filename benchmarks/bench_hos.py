"""Bispectrum / bicoherence and sample entropy against what users would otherwise run.

Signal: a real heart sound, CirCor 50734_AV (64.5 s at 4 kHz) decimated to 2 kHz, first 60 s
(the shipped PhysioNet a0007 tiled to 60 s if ../shared/data is absent).

- Bispectrum, n_fft 256, 50 % overlap, Hann, constant detrend: physiofeat against a vectorised
  NumPy version (same scipy.fft segment spectra, then index arrays over the full (f1, f2) grid
  and an einsum over segments, in chunks of 128 segments to bound memory) and against
  PyBispectra (``compute_fft`` + ``Bispectrum.compute``, the same estimator; physiofeat is given
  PyBispectra's preprocessing there: ``np.hanning`` window and linear detrend). Timed calls
  include the segment FFTs in every column.
- Sample entropy, m = 2, r = 0.2 std, on 5 s and 10 s: physiofeat (parallel and serial kernels)
  against a NumPy reference (vectorised per lag, the same exact counting), antropy
  (numba O(N^2) below 5000 samples, sklearn KDTree above) and neurokit2 (KDTree).

Run: ``python -m benchmarks.bench_hos`` from the repository root.
"""

from __future__ import annotations

import time

import numpy as np
import scipy.fft
import scipy.signal

from ._util import best_time, first_call, machine, print_table, shared_data

SR = 2000
DATA = shared_data()


def load_signal(seconds: float = 60.0) -> tuple[np.ndarray, str]:
    import soundfile as sf

    src = DATA / "pcg" / "circor" / "50734_AV.wav"
    if src.is_file():
        x, sr = sf.read(src)
        x = scipy.signal.decimate(x, sr // SR, zero_phase=True)
        name = "CirCor 50734_AV decimated to 2 kHz"
    else:
        import physiofeat.data

        x, sr = sf.read(physiofeat.data.path("a0007"))
        name = "PhysioNet a0007 (shipped), tiled"
    n = int(seconds * SR)
    x = np.tile(x, -(-n // x.size))[:n]
    return np.ascontiguousarray(x, dtype=np.float64), name


# ---------------------------------------------------------------------------------------------
# competitors


def numpy_spectra(x, n_fft, hop, window, detrend="constant"):
    seg = np.lib.stride_tricks.sliding_window_view(x, n_fft)[::hop]
    if detrend == "constant":
        seg = seg - seg.mean(axis=-1, keepdims=True)
    else:
        seg = scipy.signal.detrend(seg, axis=-1)
    return scipy.fft.rfft(seg * window, axis=-1)


def numpy_bispectrum(x, n_fft=256, hop=128, window=None, bicoherence=False, chunk=128):
    """Vectorised NumPy: full (f1, f2) grid by index arrays, einsum over segments."""
    window = scipy.signal.get_window("hann", n_fft) if window is None else window
    X = numpy_spectra(x, n_fft, hop, window)
    M, K = X.shape
    f1, f2 = np.meshgrid(np.arange(K), np.arange(K), indexing="ij")
    valid = (f2 <= f1) & (f1 + f2 <= K - 1)
    f3 = np.where(f1 + f2 <= K - 1, f1 + f2, 0)
    S = np.zeros((K, K), dtype=complex)
    P = np.zeros((K, K))
    for s in range(0, M, chunk):
        Xc = X[s : s + chunk]
        X12 = Xc[:, :, None] * Xc[:, None, :]
        S += np.einsum("mij,mij->ij", X12, np.conj(Xc[:, f3]))
        if bicoherence:
            P += np.einsum("mij,mij->ij", X12.real, X12.real)
            P += np.einsum("mij,mij->ij", X12.imag, X12.imag)
    if bicoherence:
        p3 = np.sum(np.abs(X) ** 2, axis=0)
        out = np.abs(S) ** 2 / (P * p3[f3])
    else:
        out = S / M
    out[~valid] = np.nan
    return out[:, : n_fft // 4 + 1]


def pybispectra_bispectrum(x, n_fft=256, hop=128):
    from pybispectra import Bispectrum, compute_fft

    seg = np.lib.stride_tricks.sliding_window_view(x, n_fft)[::hop]
    coeffs, freqs = compute_fft(seg[:, None, :], sampling_freq=SR, window="hanning", verbose=False)
    bs = Bispectrum(coeffs, freqs, SR, verbose=False)
    bs.compute(indices=((0,), (0,), (0,)), n_jobs=1)
    return bs.results.get_results()[0].T[:, : n_fft // 4 + 1]


def numpy_sample_entropy(x, m=2, r=0.2):
    """Exact SampEn counting in NumPy, vectorised along each lag's diagonal."""
    tol = r * np.std(x)
    n = x.size
    cb = ca = 0
    for d in range(1, n - m):
        match = np.abs(x[: n - d] - x[d:]) <= tol
        k = n - d - m
        mm = match[:k].copy()
        for j in range(1, m):
            mm &= match[j : j + k]
        cb += np.count_nonzero(mm)
        ca += np.count_nonzero(mm & match[m : m + k])
    return -np.log(ca / cb)


def _rel(a, b):
    ok = ~np.isnan(b)
    return float(np.max(np.abs(a[ok] - b[ok])) / np.max(np.abs(b[ok])))


def _fmt_ms(t):
    return round(t * 1e3, 3)


# ---------------------------------------------------------------------------------------------


def bench_bispectrum(x, name):
    from physiofeat import hos

    n_fft, hop = 256, 128
    rows = []
    t0 = time.perf_counter()
    first_b = first_call(lambda: hos.bispectrum(x, sr=SR, n_fft=n_fft))
    first_c = first_call(lambda: hos.bicoherence(x, sr=SR, n_fft=n_fft))
    _ = t0

    B = hos.bispectrum(x, sr=SR, n_fft=n_fft)
    ref = numpy_bispectrum(x)
    t_pf = best_time(lambda: hos.bispectrum(x, sr=SR, n_fft=n_fft), repeat=20)
    t_np = best_time(lambda: numpy_bispectrum(x), repeat=3)
    rows.append(
        [
            "bispectrum",
            "vectorised NumPy (index arrays + einsum)",
            _fmt_ms(t_pf),
            _fmt_ms(t_np),
            round(t_np / t_pf, 1),
            f"{_rel(B, ref):.1e}",
        ]
    )

    b2 = hos.bicoherence(x, sr=SR, n_fft=n_fft)
    ref2 = numpy_bispectrum(x, bicoherence=True)
    t_pf2 = best_time(lambda: hos.bicoherence(x, sr=SR, n_fft=n_fft), repeat=20)
    t_np2 = best_time(lambda: numpy_bispectrum(x, bicoherence=True), repeat=3)
    rows.append(
        [
            "bicoherence",
            "vectorised NumPy (index arrays + einsum)",
            _fmt_ms(t_pf2),
            _fmt_ms(t_np2),
            round(t_np2 / t_pf2, 1),
            f"{_rel(b2, ref2):.1e}",
        ]
    )

    try:
        import pybispectra  # noqa: F401
    except ImportError:
        rows.append(["bispectrum", "PyBispectra: not installed", "", "", "", ""])
    else:
        hw = np.hanning(n_fft)

        def ours():
            return hos.bispectrum(x, sr=SR, n_fft=n_fft, window=hw, detrend="linear")

        pb = pybispectra_bispectrum(x)  # also compiles its numba kernel
        t_pf3 = best_time(ours, repeat=20)
        t_pb = best_time(lambda: pybispectra_bispectrum(x), repeat=3)
        rows.append(
            [
                "bispectrum (np.hanning, linear detrend)",
                "PyBispectra 1.x, n_jobs=1",
                _fmt_ms(t_pf3),
                _fmt_ms(t_pb),
                round(t_pb / t_pf3, 1),
                f"{_rel(ours(), pb):.1e}",
            ]
        )
    print_table(
        f"Bispectrum, {name}, 60 s at 2 kHz, n_fft=256, hop 128 (50 %), "
        f"{1 + (x.size - n_fft) // hop} segments; best of N",
        [
            "feature",
            "competitor",
            "physiofeat (ms)",
            "competitor (ms)",
            "speed-up",
            "max |diff| / max |ref|",
        ],
        rows,
    )
    print_table(
        "Bispectrum: first call in this process (Numba compile or cache load + run)",
        ["call", "time (ms)"],
        [["hos.bispectrum", _fmt_ms(first_b)], ["hos.bicoherence", _fmt_ms(first_c)]],
    )


def _sampen_rows(y, secs, sample_entropy):
    ours = float(sample_entropy(y))
    t_par = best_time(lambda: sample_entropy(y, parallel=True), repeat=5)
    t_ser = best_time(lambda: sample_entropy(y, parallel=False), repeat=3)
    cands = [("NumPy reference (vectorised per lag)", lambda: numpy_sample_entropy(y), 1)]
    rows = []
    try:
        import antropy

        cands.append(("antropy.sample_entropy", lambda: antropy.sample_entropy(y, order=2), 3))
    except ImportError:
        rows.append([f"{secs} s", "antropy: not installed", "", "", "", "", ""])
    try:
        import neurokit2 as nk

        tol = 0.2 * np.std(y)
        cands.append(
            (
                "neurokit2.entropy_sample",
                lambda: nk.entropy_sample(y, dimension=2, tolerance=tol)[0],
                3,
            )
        )
    except ImportError:
        rows.append([f"{secs} s", "neurokit2: not installed", "", "", "", "", ""])
    for label, f, rep in cands:
        val = float(f())
        t = best_time(f, repeat=rep)
        rows.append(
            [
                f"{secs} s ({y.size})",
                label,
                _fmt_ms(t_par),
                _fmt_ms(t_ser),
                _fmt_ms(t),
                round(t / t_par, 1),
                f"{abs(val - ours):.1e}",
            ]
        )
    return rows


def bench_sample_entropy(x, name):
    from physiofeat.temporal import sample_entropy

    first = first_call(lambda: sample_entropy(x[:3000], parallel=True))
    first_s = first_call(lambda: sample_entropy(x[:3000], parallel=False))
    rows = []
    for secs in (5, 10):
        rows += _sampen_rows(x[: secs * SR], secs, sample_entropy)
    print_table(
        f"Sample entropy (m=2, r=0.2 std), {name}; best of N",
        [
            "signal",
            "competitor",
            "physiofeat parallel (ms)",
            "physiofeat serial (ms)",
            "competitor (ms)",
            "speed-up (parallel)",
            "|SampEn diff|",
        ],
        rows,
    )
    print_table(
        "Sample entropy: first call in this process (Numba compile or cache load + run, 3000 "
        "samples)",
        ["call", "time (ms)"],
        [
            ["sample_entropy(parallel=True)", _fmt_ms(first)],
            ["sample_entropy(parallel=False)", _fmt_ms(first_s)],
        ],
    )


def main() -> None:
    import numba

    print(f"bench_hos on {machine()}, numba threads: {numba.get_num_threads()}\n")
    x, name = load_signal(60.0)
    bench_bispectrum(x, name)
    bench_sample_entropy(x, name)


if __name__ == "__main__":
    main()
