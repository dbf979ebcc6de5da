"""Wavelet and envelope benchmarks on 60 s of a real heart sound at 2 kHz.

Signal: CirCor 50734_AV (4 kHz) decimated to 2 kHz with ``scipy.signal.resample_poly(x, 1, 2)``,
first 120 000 samples; falls back to the packaged PhysioNet a0007 (2 kHz) tiled to 60 s when
../shared/data is absent.

- CWT, 64 log-spaced frequencies 25-500 Hz: physiofeat (one FFT, the scaled wavelet spectra of all
  scales, one batched inverse FFT) against ``pywt.cwt(method='fft')`` (its fastest) with the same
  wavelet and scales, and against ssqueezepy's ``cwt`` with its Morlet ``mu = 2 pi``, whose
  spectrum ``sqrt(2) pi**0.25 exp(-(s w - 2 pi)**2 / 2)`` is that of ``cmor2-1.0`` times a
  constant (checked: column "max rel. diff" of ``|W|`` in the interior, after that constant).
- DWT features (per-band statistics) against the loop a user writes: ``pywt.wavedec`` per
  signal and NumPy statistics per band.
- Envelopes at out_sr = 50 Hz; the PSD envelope against the usual SciPy port of Springer's
  ``spectrogram(..., 1:sr/2)`` (a full 1 Hz-resolution spectrogram, then the 40-60 Hz rows).

All timings best-of-N in the same run; first calls (Numba cache load or compile) reported apart.
"""

from __future__ import annotations

import warnings

import numpy as np

from ._util import best_time, first_call, print_table, shared_data

SR = 2000.0
N = 120_000
N_FREQS = 64


def _signal() -> tuple[np.ndarray, str]:
    import scipy.signal as ss
    import soundfile as sf

    circor = shared_data() / "pcg/circor/50734_AV.wav"
    if circor.is_file():
        x, sr = sf.read(circor)
        assert sr == 4000
        return ss.resample_poly(x, 1, 2)[:N], "CirCor 50734_AV, 4 kHz -> 2 kHz, 60 s"
    import physiofeat

    x, sr = sf.read(physiofeat.data.path("a0007"))
    return np.resize(x, N), "PhysioNet a0007 tiled to 60 s (shared data absent)"


def _bench_cwt(x) -> None:
    import pywt

    from physiofeat.wavelet import cwt, frequencies_to_scales

    freqs = np.geomspace(25.0, 500.0, N_FREQS)
    first = first_call(lambda: cwt(x[:4000], sr=SR, freqs=freqs))
    rows = []
    for wavelet in ("cmor1.5-1.0", "mexh"):
        scales = frequencies_to_scales(freqs, sr=SR, wavelet=wavelet)
        t_pywt = best_time(lambda s=scales, w=wavelet: pywt.cwt(x, s, w, method="fft"), repeat=3)
        for workers, label in ((1, "1 thread"), (-1, "all cores")):
            t = best_time(
                lambda w=wavelet, k=workers: cwt(x, sr=SR, freqs=freqs, wavelet=w, workers=k),
                repeat=5,
            )
            rows.append(
                [
                    wavelet,
                    "float64",
                    label,
                    t,
                    "pywt.cwt(method='fft')",
                    t_pywt,
                    f"{t_pywt / t:.2f}x",
                ]
            )

    t_ssq_first = float("nan")
    try:
        from ssqueezepy import Wavelet
        from ssqueezepy import cwt as ssq_cwt
    except ImportError:  # pragma: no cover
        ssq_cwt = None
    if ssq_cwt is not None:
        sc = np.sort(frequencies_to_scales(freqs, sr=SR, wavelet="cmor2-1.0"))
        for dtype in ("float64", "float32"):
            xx = x.astype(dtype)
            wav = Wavelet(("morlet", {"mu": 2 * np.pi}), dtype=dtype)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if dtype == "float64":
                    t_ssq_first = first_call(
                        lambda xx=xx, wav=wav, d=dtype: ssq_cwt(xx, wav, scales=sc.astype(d))
                    )
                t_ssq = best_time(
                    lambda xx=xx, wav=wav, d=dtype: ssq_cwt(xx, wav, scales=sc.astype(d)), repeat=3
                )
                ref = np.abs(ssq_cwt(xx, wav, scales=sc.astype(dtype))[0])
            ours = np.abs(cwt(xx, sr=SR, freqs=freqs[::-1], wavelet="cmor2-1.0", norm="l1"))
            e = 5000
            # ssqueezepy's morlet: sqrt(2) cs pi**0.25 (exp(-(w - mu)**2 / 2) - ks exp(-w**2 / 2))
            mu = 2 * np.pi
            cs = (1 + np.exp(-(mu**2)) - 2 * np.exp(-0.75 * mu**2)) ** -0.5
            ours *= np.sqrt(2) * cs * np.pi**0.25
            diff = np.abs(ours[:, e:-e] - ref[:, e:-e]).max() / ref[:, e:-e].max()
            for workers, label in ((1, "1 thread"), (-1, "all cores")):
                t = best_time(
                    lambda xx=xx, k=workers: cwt(
                        xx, sr=SR, freqs=freqs, wavelet="cmor2-1.0", workers=k
                    ),
                    repeat=5,
                )
                rows.append(
                    [
                        "cmor2-1.0",
                        dtype,
                        label,
                        t,
                        f"ssqueezepy.cwt morlet(mu=2pi) (max rel. diff {diff:.1e})",
                        t_ssq,
                        f"{t_ssq / t:.2f}x",
                    ]
                )
    print_table(
        f"CWT, {N_FREQS} frequencies 25-500 Hz, 60 s at 2 kHz (seconds, best of N)",
        [
            "wavelet",
            "dtype",
            "physiofeat",
            "physiofeat (s)",
            "competitor",
            "competitor (s)",
            "speed-up",
        ],
        rows,
    )
    print_table(
        "CWT first call (s): physiofeat = Numba cache load/compile of the spectrum kernel + "
        "planning on a 2 s signal; ssqueezepy = its first 60 s call",
        ["physiofeat", "ssqueezepy"],
        [[first, t_ssq_first]],
    )


def _naive_dwt_loop(xs, wavelet, level):
    import pywt

    out = []
    for x in xs:
        rows = []
        coeffs = pywt.wavedec(x, wavelet, level=level)
        total = sum(np.sum(c**2) for c in coeffs)
        for c in coeffs:
            e = np.sum(c**2)
            p = c**2 / e
            rows.append(
                [
                    e,
                    e / total,
                    -np.sum(p[p > 0] * np.log(p[p > 0])),
                    c.mean(),
                    c.std(),
                    np.abs(c).mean(),
                    np.abs(c).max(),
                ]
            )
        out.append(rows)
    return np.array(out)


def _bench_dwt(x) -> None:
    from physiofeat.wavelet import dwt_features, wpt_energies

    rows = []
    batch = x[: 64 * 1875].reshape(64, 1875)  # 64 segments of 0.94 s
    for label, xs in (("1 x 60 s", x[None]), ("64 x 0.94 s", batch)):
        ours = dwt_features(xs, wavelet="db4", level=5)
        ref = _naive_dwt_loop(xs, "db4", 5)
        assert np.allclose(ours, ref, rtol=1e-9, atol=1e-12)
        t = best_time(lambda xs=xs: dwt_features(xs, wavelet="db4", level=5), repeat=7)
        t_ref = best_time(lambda xs=xs: _naive_dwt_loop(xs, "db4", 5), repeat=7)
        rows.append(
            [
                f"dwt_features db4 L5, {label}",
                t,
                "pywt.wavedec + NumPy loop",
                t_ref,
                f"{t_ref / t:.2f}x",
            ]
        )
    t = best_time(lambda: wpt_energies(x, wavelet="db4", level=4), repeat=5)
    rows.append(["wpt_energies db4 L4, 1 x 60 s", t, "-", float("nan"), "-"])
    print_table(
        "DWT / packet features (seconds, best of N)",
        ["physiofeat", "time (s)", "reference", "reference (s)", "speed-up"],
        rows,
    )


def _springer_psd_scipy(x):
    import scipy.signal as ss

    win = round(SR / 40)
    f, t, P = ss.spectrogram(
        x,
        fs=SR,
        window=ss.get_window("hamming", win, fftbins=False),
        nperseg=win,
        noverlap=round(SR / 80),
        nfft=int(SR),
        detrend=False,
    )
    band = (f >= 40) & (f <= 60)
    psd = P[band].mean(axis=0)
    return np.interp(np.arange(int(np.ceil(x.size * 50 / SR))) / 50, t, psd)


def _bench_envelope(x) -> None:
    from physiofeat.envelope import METHODS, envelope

    rows = []
    for method in METHODS:
        first = first_call(lambda m=method: envelope(x[:4000], sr=SR, method=m, out_sr=50))
        t = best_time(lambda m=method: envelope(x, sr=SR, method=m, out_sr=50), repeat=5)
        ref, t_ref = "-", float("nan")
        if method == "psd":
            ours = envelope(x, sr=SR, method="psd", out_sr=50)
            assert np.allclose(ours, _springer_psd_scipy(x), rtol=1e-9, atol=1e-12 * ours.max())
            ref = "scipy.signal.spectrogram(nfft=sr) + 40-60 Hz rows"
            t_ref = best_time(lambda: _springer_psd_scipy(x), repeat=5)
        rows.append([method, first, t, ref, t_ref, "-" if ref == "-" else f"{t_ref / t:.2f}x"])
    print_table(
        "Envelopes, 60 s at 2 kHz -> 50 Hz (seconds, best of N)",
        ["method", "first call", "physiofeat", "reference", "reference (s)", "speed-up"],
        rows,
    )


def main() -> None:
    x, what = _signal()
    print(f"Signal: {what}, {x.size} samples\n")
    _bench_cwt(x)
    _bench_dwt(x)
    _bench_envelope(x)


if __name__ == "__main__":
    main()
