"""Fit the shipped PCG segmenter model ``physiofeat/pcg/springer_circor.json``.

Run from the repository root (about five minutes on one core, mostly the regression)::

    .venv/bin/python -m benchmarks.fit_pcg_segmenter

Data: ``../shared/data/pcg/circor_dev`` (CirCor DigiScope, 181 patients, 596 recordings,
4 kHz, ``.tsv`` segmentations). Patient-wise split (``benchmarks/_pcg_data.py``): patients
sorted by ID, shuffled with ``numpy.random.default_rng(2016)``; the first 60 % (109 patients)
fit the model, the remaining 72 patients are only used by ``benchmarks/validate_pcg.py`` to
report accuracy, as is ``../shared/data/pcg/circor`` (12 more patients).

Recipe (:func:`physiofeat.pcg.fit_segmenter`): each recording is resampled to 1 kHz,
band-passed 25-400 Hz (Butterworth order 2, zero phase) and despiked (Schmidt 2010); its four
Springer envelopes (homomorphic, Hilbert, PSD 40-60 Hz, wavelet) and the Shannon envelope at
50 Hz, z-scored, and the same five at 14 neighbouring frames (``CONTEXT``, up to +-400 ms) are
the 75 features; every 50 Hz sample inside an annotated interval (state 1-4; CirCor's state-0 ends are
left out) is a training example of a multinomial logistic regression (scikit-learn, C=1, at most
200,000 examples drawn with seed 0); the S1/S2 duration laws are the median and robust SD of the
annotated stays, the systole/diastole SDs those of their deviations from the means predicted by
each recording's annotated heart rate and systolic interval; then the model segments the same
recordings and ``time_offset`` is minus the median signed error of the decoded S1/S2 centres
(within 60 ms). ``.tsv`` files with overlapping
intervals are skipped (printed).
"""

from __future__ import annotations

import sys
import time

import numpy as np

from physiofeat.pcg import SegmenterModel, fit_segmenter
from physiofeat.pcg._hsmm import DEFAULT_MODEL_PATH

from ._pcg_data import DEV, EXTRA, FIT_FRACTION, SPLIT_SEED, read, recordings, split

#: Springer's four envelopes plus the Shannon energy envelope
FEATURES = ("homomorphic", "hilbert", "psd", "wavelet", "shannon")
#: neighbouring 50 Hz frames (+-400 ms) whose features join each frame's
CONTEXT = (-20, -15, -10, -6, -4, -2, -1, 1, 2, 4, 6, 10, 15, 20)


def main(out=DEFAULT_MODEL_PATH) -> None:
    fit_ids, report_ids = split()
    paths = recordings(DEV, fit_ids)
    print(f"fit patients: {len(fit_ids)} ({len(paths)} recordings); report: {len(report_ids)}")
    data, skipped = [], []
    for p in paths:
        x, sr, seg, why = read(p)
        if seg is None:
            skipped.append(f"{p.name}: {why}")
            continue
        data.append((x, sr, seg))
    for s in skipped:
        print("skipped", s)
    t0 = time.perf_counter()
    model = fit_segmenter(
        data,
        base=SegmenterModel.untrained(context=CONTEXT, features=FEATURES),
        info={
            "data": "CirCor DigiScope circor_dev (PhysioNet Challenge 2022 training set)",
            "split": (
                f"patients sorted by ID, numpy.random.default_rng({SPLIT_SEED}).permutation, "
                f"first {FIT_FRACTION:.0%} fit; see benchmarks/_pcg_data.py"
            ),
            "fit_patients": fit_ids,
            "n_recordings": len(data),
            "held_out": f"{len(report_ids)} circor_dev patients and all of {EXTRA.name}/",
            "script": "benchmarks/fit_pcg_segmenter.py",
        },
    )
    print(f"fitted in {time.perf_counter() - t0:.1f} s")
    model.to_json(out)
    np.set_printoptions(precision=3, suppress=True)
    print("coef\n", model.coef, "\nintercept", model.intercept, "\nprior", np.exp(model.log_prior))
    for k in (
        "s1_mean",
        "s1_sd",
        "s2_mean",
        "s2_sd",
        "systole_sd",
        "diastole_rel_sd",
        "time_offset",
    ):
        print(f"{k} = {getattr(model, k):.4f}")
    print("wrote", out)


if __name__ == "__main__":
    main(*sys.argv[1:])
