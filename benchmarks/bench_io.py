"""Resampling for ``load(sr=...)``: soxr (HQ) against scipy.signal.resample_poly, speed and
accuracy in the same run. Run: ``python -m benchmarks.bench_io``.

Accuracy: a sum of in-band tones is resampled and compared with the same tones synthesised
at the target rate (the exact answer), away from the edges; error relative to the signal RMS.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from ._util import best_time, print_table


def _tones(sr: float, n_seconds: float, freqs) -> np.ndarray:
    t = np.arange(int(round(sr * n_seconds))) / sr
    return sum(np.sin(2 * np.pi * f * t + k) for k, f in enumerate(freqs)).astype(np.float32)


def main() -> None:
    import scipy.signal
    import soxr

    rows = []
    for src, dst in [(44100, 2000), (4000, 2000), (2000, 22050), (44100, 22050)]:
        nyq = min(src, dst) / 2
        freqs = [0.05 * nyq, 0.3 * nyq, 0.7 * nyq]
        x = _tones(src, 60.0, freqs)
        exact = _tones(dst, 60.0, freqs)
        frac = Fraction(dst, src)

        def run_soxr(x=x, src=src, dst=dst):
            return soxr.resample(x, src, dst, quality="HQ")

        def run_poly(x=x, frac=frac):
            return scipy.signal.resample_poly(x, frac.numerator, frac.denominator)

        errs = []
        for f in (run_soxr, run_poly):
            y = f()
            n = min(y.size, exact.size)
            edge = int(0.5 * dst)
            d = y[edge : n - edge] - exact[edge : n - edge]
            errs.append(
                np.sqrt(np.mean(d.astype(np.float64) ** 2))
                / np.sqrt(np.mean(exact.astype(np.float64) ** 2))
            )
        t_soxr = best_time(run_soxr, repeat=5)
        t_poly = best_time(run_poly, repeat=5)
        rows.append(
            [
                f"{src} -> {dst} Hz",
                f"{t_soxr * 1e3:.1f}",
                f"{t_poly * 1e3:.1f}",
                f"{t_poly / t_soxr:.1f}x",
                f"{errs[0]:.1e}",
                f"{errs[1]:.1e}",
            ]
        )
    print_table(
        "Resampling 60 s of float32 (ms, best of 5; relative RMS error vs exact synthesis)",
        [
            "conversion",
            "soxr HQ ms",
            "resample_poly ms",
            "soxr speed-up",
            "soxr error",
            "resample_poly error",
        ],
        rows,
    )


if __name__ == "__main__":
    main()
