"""ECG-gated vs ECG-free heart-sound segmentation on the synchronous ECG+PCG recordings.

``python -m benchmarks.validate_ecgpcg``

For EPHNOGRAM ECGPCG0003 (30 s, 8 kHz) and the BioSPPy PCG+ECG example (5 s, 2 kHz): the
ECG-gated segmentation (:func:`physiofeat.ecgpcg.gated_segment`: S1 searched from each QRS onset,
S2 around each T end) is the reference for the ECG-free LR-HSMM (:func:`physiofeat.pcg.segment`),
scored as the segmentation validation scores CirCor (S1/S2 F1 with a sound found when its centre
lies within 60 ms, and 30 ms, of a reference one; MAE of matched centres). Then the per-beat
intervals of :func:`physiofeat.ecgpcg.timing` with each method, and the plain envelope
peak-picking baseline of ``validate_pcg`` scored the same way.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from ._pcg_data import match
from ._util import shared_data

ROOT = Path(__file__).resolve().parents[1]
SHARED = shared_data()
RECORDS = (
    ("EPHNOGRAM ECGPCG0003", "ecg_pcg/ephnogram/ECGPCG0003.hea"),
    ("BioSPPy pcg_ecg", "ecg_pcg/biosppy/pcg_ecg.txt"),
)


def f1(ref: np.ndarray, det: np.ndarray, tol: float) -> tuple[float, float]:
    k, err = match(ref, det, tol)
    return 2 * k / max(1, ref.size + det.size), 1000 * float(err.mean()) if err.size else np.nan


def main() -> None:
    import physiofeat
    from physiofeat.ecgpcg import TIMING_STATS, gated_segment, timing, timing_features
    from physiofeat.pcg import S1, S2, segment

    from .validate_pcg import peaks_baseline

    print(__doc__.splitlines()[0], "\n")
    seg_rows, beat_rows = [], []
    for name, rel in RECORDS:
        path = SHARED / rel
        if not path.is_file():
            print(f"{path} is absent: skipped")
            continue
        rec = physiofeat.load_record(path)
        ecg, pcg = rec["ECG"], rec["PCG"]
        sr_e, sr_p = rec.channel("ECG").sr, rec.channel("PCG").sr
        t0 = time.perf_counter()
        beats = physiofeat.ecg.delineate(ecg, sr=sr_e)
        ref = gated_segment(pcg, sr=sr_p, beats=beats)
        t_gated = time.perf_counter() - t0
        t0 = time.perf_counter()
        hsmm = segment(pcg, sr=sr_p)
        t_hsmm = time.perf_counter() - t0
        peaks = peaks_baseline(pcg, sr_p)
        for label, cent in (
            ("LR-HSMM (pcg.segment)", {c: hsmm.centres(c) for c in (S1, S2)}),
            ("envelope peaks", peaks),
        ):
            row = [name, label]
            for code in (S1, S2):
                r = ref.centres(code)
                for tol in (0.06, 0.03):
                    row.append(f1(r, np.asarray(cent[code]), tol)[0])
                row.append(f1(r, np.asarray(cent[code]), 0.06)[1])
            seg_rows.append(row)
        for method in ("gated", "hsmm"):
            seg = {"segmentation": hsmm} if method == "hsmm" else {}  # gated takes none
            b = timing(None, pcg, pcg_sr=sr_p, beats=beats, method=method, **seg)
            # the feature's own values (sample SD over beats), so the table is what a user gets
            v = dict(zip(TIMING_STATS, timing_features(b)))
            beat_rows.append(
                [
                    name,
                    method,
                    len(b),
                    v["s1_fraction"],
                    v["s2_fraction"],
                    1000 * v["emat_onset_median"],
                    1000 * v["emat_onset_sd"],
                    1000 * v["emat_peak_median"],
                    v["emat_rr_median"],
                    v["emat_peak_rr_median"],
                    1000 * v["qrs_s2_median"],
                    1000 * v["qrs_s2_sd"],
                    1000 * v["s1_s2_median"],
                    1000 * v["pr_interval_sd"],
                ]
            )
        print(
            f"{name}: {len(beats)} beats, {len(ref.sounds(S1))} gated S1, "
            f"{len(ref.sounds(S2))} gated S2; gated {t_gated:.2f} s (incl. ECG delineation), "
            f"HSMM {t_hsmm:.2f} s"
        )

    def fmt(v):
        return (
            f"{v:.3f}"
            if isinstance(v, float) and abs(v) < 10
            else (f"{v:.1f}" if isinstance(v, float) else str(v))
        )

    print("\nECG-free segmentation scored against the ECG-gated one (reference):\n")
    print(
        "| record | method | S1 F1 60 ms | S1 F1 30 ms | S1 MAE ms | S2 F1 60 ms | S2 F1 30 ms "
        "| S2 MAE ms |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for r in seg_rows:
        print("| " + " | ".join(fmt(v) for v in r) + " |")
    print("\nPer-beat intervals (ms; SD = beat-to-beat stability):\n")
    print(
        "| record | S1/S2 from | beats | S1 found | S2 found | EMAT median | EMAT SD | "
        "QRS-S1 peak | onset/RR | %EMAT (peak/RR) | QRS-S2 median | QRS-S2 SD | S1-S2 | PR SD |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in beat_rows:
        print("| " + " | ".join(fmt(v) for v in r) + " |")


if __name__ == "__main__":
    main()
