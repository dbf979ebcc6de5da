"""Benchmark: ECG PR/QT-interval features and HRV, physiofeat vs NeuroKit2, same run.

Signal: 5 minutes of real ECG at 500 Hz -- QTDB sel100 lead MLII (minutes 0-5, 250 Hz),
resampled to 500 Hz with ``scipy.signal.resample_poly``; falls back to a synthetic ECG when
../shared/data is absent. physiofeat: ``pr_features`` (R peaks, QRS onsets, P waves, PR summary).
NeuroKit2: ``ecg_process`` (clean + R peaks + rate) then ``ecg_delineate(method="dwt")`` on its
R peaks -- what a user would run to get P onsets and QRS onsets (the same call gives its QRS
offsets and T ends, so it is also the peer of ``qt_features``, which shares physiofeat's one
delineation). HRV: ``hrv_from_peaks`` against NeuroKit2's ``hrv_time`` + ``hrv_frequency``
(``psd_method="lomb"``, the same estimator) + ``hrv_nonlinear`` on the same R peaks. Best of N
wall times; the physiofeat first call (Numba cache load or compile) is reported apart.

    .venv/bin/python -m benchmarks.bench_ecg
"""

from __future__ import annotations

import warnings

import numpy as np

from ._util import best_time, first_call, machine, print_table, shared_data

SR = 500
DATA = shared_data()


def _signal() -> tuple[np.ndarray, str]:
    try:
        import wfdb
        from scipy.signal import resample_poly

        rec = wfdb.rdrecord(str(DATA / "ecg" / "qtdb" / "sel100"), sampto=5 * 60 * 250)
        x = resample_poly(rec.p_signal[:, 0], 2, 1)
        return np.ascontiguousarray(x), "QTDB sel100 MLII, 0-5 min, resampled 250 -> 500 Hz"
    except Exception:  # noqa: BLE001 -- no shared data: a synthetic ECG of the same length
        from physiofeat.ecg import synthetic_ecg

        x, _ = synthetic_ecg(duration=300.0, sr=SR, heart_rate=72, noise=0.02, seed=0)
        return x, "synthetic ECG (shared data absent)"


def _neurokit(x: np.ndarray) -> None:
    import neurokit2 as nk

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        signals, info = nk.ecg_process(x, sampling_rate=SR)
        nk.ecg_delineate(signals["ECG_Clean"], info["ECG_R_Peaks"], sampling_rate=SR, method="dwt")


def _neurokit_hrv(peaks: np.ndarray) -> None:
    import neurokit2 as nk

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nk.hrv_time(peaks, sampling_rate=SR)
        nk.hrv_frequency(peaks, sampling_rate=SR, psd_method="lomb", interpolation_rate=None)
        nk.hrv_nonlinear(peaks, sampling_rate=SR)


def main() -> None:
    from physiofeat.ecg import delineate, detect_r_peaks, hrv_from_peaks, pr_features, qt_features

    x, what = _signal()
    print(f"ECG benchmark on {machine()}: {what}, {x.size} samples ({x.size / SR:.0f} s)\n")
    t_first = first_call(lambda: pr_features(x, sr=SR))
    t_pf = best_time(lambda: pr_features(x, sr=SR), repeat=7)
    t_del = best_time(lambda: delineate(x, sr=SR), repeat=7)
    t_nk = best_time(lambda: _neurokit(x), repeat=3)
    t_qt = best_time(lambda: qt_features(x, sr=SR), repeat=7)
    rows = [
        ["NeuroKit2 ecg_process + ecg_delineate(dwt)", t_nk, 1.0],
        ["physiofeat pr_features", t_pf, t_nk / t_pf],
        ["physiofeat qt_features", t_qt, t_nk / t_qt],
        ["physiofeat delineate (beat table: PR, QRS, QT, QTc)", t_del, t_nk / t_del],
    ]
    # 12 leads at once (one LUDB-like multi-lead recording built from the same lead, scaled)
    leads = np.stack([x * (0.5 + 0.1 * k) * (-1) ** k for k in range(12)])
    t12 = best_time(lambda: pr_features(leads, sr=SR), repeat=3)
    rows.append(["physiofeat pr_features, 12 leads x 5 min", t12, t_nk / t12])
    print_table(
        "5 min of 500 Hz ECG: PR-interval features (best-of-N wall time, s)",
        ["method", "time (s)", "speed-up vs NeuroKit2 (1 lead)"],
        rows,
    )
    peaks = detect_r_peaks(x, sr=SR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_hrv = best_time(lambda: hrv_from_peaks(peaks, sr=SR), repeat=7)
    t_nk_hrv = best_time(lambda: _neurokit_hrv(peaks), repeat=3)
    print_table(
        f"HRV of the same {peaks.size} R peaks (best-of-N wall time, s)",
        ["method", "time (s)", "speed-up vs NeuroKit2"],
        [
            ["NeuroKit2 hrv_time + hrv_frequency(lomb) + hrv_nonlinear", t_nk_hrv, 1.0],
            ["physiofeat hrv_from_peaks", t_hrv, t_nk_hrv / t_hrv],
        ],
    )
    print_table(
        "physiofeat first call (Numba cache load / compile), separate",
        ["call", "time (s)"],
        [["first pr_features call in this process", t_first]],
    )


if __name__ == "__main__":
    main()
