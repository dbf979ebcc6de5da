"""Reading: resampling for ``load(sr=...)`` and the record readers behind ``load_record``.
Run: ``python -m benchmarks.bench_io``.

Resampling: soxr (HQ) against scipy.signal.resample_poly, speed and accuracy in the same run. A
sum of in-band tones is resampled and compared with the same tones synthesised at the target
rate (the exact answer), away from the edges; error relative to the signal RMS.

EDF readers (the choice ``docs/records.rst`` argues): one EDF+ file of an ECG at 500 Hz and a
respiration channel at 100 Hz (1 h) with two annotations, written by edfio, is read by edfio,
pyEDFlib and MNE (those installed); the table gives the read time, the largest error against
the written values in quantisation steps of the 16-bit format (<= 0.5 is exact rounding),
whether each channel keeps its own rate, the annotations read back, and the import time.
WFDB: ``load_record`` against ``wfdb.rdrecord`` on a QTDB record (format 212, 2 x 15 min)
when ``../shared/data`` is present (the header and file-size checks are the difference).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tempfile
from fractions import Fraction
from pathlib import Path

import numpy as np

from ._util import best_time, print_table, shared_data


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
    _bench_edf()
    _bench_wfdb()


def _import_ms(module: str) -> float:
    """Import time of ``module`` in a fresh interpreter, NumPy's own import excluded (best of 3)."""
    code = (
        "import time, numpy; t = time.perf_counter(); "
        f"import {module}; print(time.perf_counter() - t)"
    )
    runs = [
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout)
        for _ in range(3)
    ]
    return 1e3 * min(runs)


def _bench_edf() -> None:
    import edfio

    rng = np.random.default_rng(0)
    seconds = 3600
    ecg = np.cumsum(rng.standard_normal(500 * seconds)) * 0.01
    resp = 200 * np.sin(2 * np.pi * 0.25 * np.arange(100 * seconds) / 100)
    written = [ecg, resp]
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "x.edf")
        edfio.Edf(
            [
                edfio.EdfSignal(ecg, 500, label="ECG II", physical_dimension="mV"),
                edfio.EdfSignal(resp, 100, label="Resp", physical_dimension="uV"),
            ],
            annotations=[edfio.EdfAnnotation(1.5, None, "a"), edfio.EdfAnnotation(3, 2, "b")],
        ).write(path)
        steps = []
        for s in edfio.read_edf(path).signals:
            lo, hi = s.physical_range
            steps.append((hi - lo) / 65535)

        def read_edfio():
            e = edfio.read_edf(path)
            return (
                [s.data for s in e.signals],
                [s.sampling_frequency for s in e.signals],
                len(e.annotations),
            )

        def read_pyedflib():
            import pyedflib

            with pyedflib.EdfReader(path) as r:
                n = r.signals_in_file
                sigs = [r.readSignal(i) for i in range(n)]
                rates = [r.getSampleFrequency(i) for i in range(n)]
                return sigs, rates, len(r.readAnnotations()[0])

        def read_mne():
            import mne

            raw = mne.io.read_raw_edf(path, preload=True, verbose="error")
            data = raw.get_data() * np.array([[1e3], [1e6]])  # MNE gives volts: back to mV, uV
            return list(data), [raw.info["sfreq"]] * len(data), len(raw.annotations)

        def read_physiofeat():
            from physiofeat.records import load_record

            r = load_record(path)
            return list(r.signals), list(r.rates), len(r.annotations)

        readers = {
            "physiofeat.load_record (edfio)": (read_physiofeat, "edfio"),
            "edfio 0.4": (read_edfio, "edfio"),
            "pyEDFlib": (read_pyedflib, "pyedflib"),
            "MNE read_raw_edf": (read_mne, "mne"),
        }
        rows = []
        for name, (fn, mod) in readers.items():
            if importlib.util.find_spec(mod) is None:
                rows.append([name, "not installed", "", "", "", ""])
                continue
            sigs, rates, n_ann = fn()
            errs = []
            for x, ref, step in zip(sigs, written, steps):
                errs.append(
                    f"{np.abs(x - ref).max() / step:.2f}" if x.shape == ref.shape else "resampled"
                )
            t = best_time(fn, repeat=7)
            rows.append(
                [
                    name,
                    f"{t * 1e3:.0f}",
                    " / ".join(errs),
                    " / ".join(f"{r:g}" for r in rates),
                    str(n_ann),
                    f"{_import_ms(mod):.0f}",
                ]
            )
    print_table(
        "EDF+ (ECG 500 Hz + Resp 100 Hz, 1 h, 2 annotations): read ms (best of 7), max error in "
        "16-bit steps, rates kept, annotations, import ms (beyond NumPy)",
        ["reader", "read ms", "max error (steps)", "rates (Hz)", "annotations", "import ms"],
        rows,
    )


def _bench_wfdb() -> None:
    import wfdb

    from physiofeat.records import load_record

    hea = shared_data() / "ecg/qtdb/sel100.hea"
    if not hea.exists():
        print(f"(WFDB timing skipped: {hea} is absent)")
        return
    t_rd = best_time(lambda: wfdb.rdrecord(str(hea.with_suffix(""))), repeat=5)
    t_pf = best_time(lambda: load_record(hea), repeat=5)
    t_one = best_time(lambda: load_record(hea, channels="ii"), repeat=5)
    print_table(
        "WFDB QTDB sel100 (format 212, 2 x 225000 samples), ms (best of 5)",
        ["wfdb.rdrecord", "load_record", "load_record(channels='ii')", "load_record / rdrecord"],
        [[f"{t_rd * 1e3:.1f}", f"{t_pf * 1e3:.1f}", f"{t_one * 1e3:.1f}", f"{t_pf / t_rd:.2f}x"]],
    )


if __name__ == "__main__":
    main()
