"""Accuracy of physiofeat.pcg.segment against CirCor's S1/S2 annotations, on held-out patients.

Run from the repository root (a couple of minutes on one core)::

    .venv/bin/python -m benchmarks.validate_pcg

Held out (never used for fitting, ``benchmarks/_pcg_data.py``): the 72 circor_dev REPORT
patients, and the 12 patients of ``../shared/data/pcg/circor``. A detected sound is found when
its centre lies within 60 ms (also 30 ms) of an annotated sound's centre (one-to-one, closest
pairs first); F1 = 2 TP / (n_annotated + n_detected), pooled over recordings. CirCor's
state-0 (unannotated) stretches are not scored: detections whose centre falls outside the
annotated spans are dropped, every annotated sound counts. MAE: mean |centre error| of the
matched pairs (ms).

Side by side, on the same recordings:

* ``peaks``: a plain envelope peak-picking baseline written here: the homomorphic envelope
  (physiofeat, 8 Hz) of the 25-400 Hz band-passed signal at 50 Hz, ``scipy.signal.find_peaks``
  (at least 0.2 s apart, prominence above 0.2 x the 95th percentile), each peak S1 when the
  gap to the next peak is shorter than the gap from the previous one (systole < diastole).
* ``pyPCG``: pyPCG's peak-based segmentation (``pypcg-toolbox``; documented API: homomorphic
  envelope, ``adv_peak``, ``peak_sort_diff``, ``segment_peaks``; centre = middle of the
  returned boundaries), on the signal band-passed by its own ``filter`` (order-6 Butterworth
  low-pass 400 Hz then high-pass 25 Hz). Its LR-HSMM needs ``hsmmlearn``, not on PyPI, so is
  not run; a stub module stands in for that import (the peak functions do not use it).
"""

from __future__ import annotations

import argparse
import sys
import time
import types

import numpy as np

from physiofeat import PhysiofeatError
from physiofeat.pcg import bandpass, segment

from ._pcg_data import DEV, EXTRA, patients, read, recordings, score, split, summarise


# ------------------------------------------------------------------------------------------
# baseline: plain envelope peak picking
def peaks_baseline(x, sr):
    from scipy.signal import find_peaks

    from physiofeat.envelope import homomorphic_envelope
    from physiofeat.io import resample

    fs = 1000.0
    y = bandpass(resample(x, sr, fs), sr=fs, fmin=25, fmax=400, order=2)
    env = homomorphic_envelope(y, sr=fs, out_sr=50)
    p, _ = find_peaks(env, distance=10, prominence=0.2 * np.percentile(env, 95))
    t = p / 50.0
    if t.size < 3:
        return {1: t[:0], 3: t[:0]}
    gap_next = np.r_[np.diff(t), np.inf]
    gap_prev = np.r_[np.inf, np.diff(t)]
    is_s1 = gap_next < gap_prev
    return {1: t[is_s1], 3: t[~is_s1]}


# ------------------------------------------------------------------------------------------
# pyPCG (benchmark peer only)
def _import_pypcg():
    class _Stub(types.ModuleType):
        def __getattr__(self, name):
            if name.startswith("__"):
                raise AttributeError(name)
            return type(name, (), {})

    for name in ("hsmmlearn", "hsmmlearn.hsmm", "hsmmlearn.emissions", "hsmmlearn.base"):
        sys.modules.setdefault(name, _Stub(name))
    import pyPCG
    import pyPCG.preprocessing as pre
    import pyPCG.segment as pseg

    return pyPCG, pre, pseg


def pypcg_segment(x, sr, lib):
    pyPCG, pre, pseg = lib
    sig = pyPCG.pcg_signal(np.asarray(x, dtype=np.float64), fs=int(sr))
    sig = pre.filter(pre.filter(sig, 6, 400, "LP"), 6, 25, "HP")
    env = pre.homomorphic(sig)
    _, locs = pseg.adv_peak(env)
    s1, s2 = pseg.peak_sort_diff(locs)
    out = {}
    for code, loc in ((1, s1), (3, s2)):
        a, b = pseg.segment_peaks(np.asarray(loc), env)
        out[code] = (np.asarray(a) + np.asarray(b)) / 2.0 / sr
    return out


# ------------------------------------------------------------------------------------------
def evaluate(paths, methods):
    rows = {m: [] for m in methods}
    secs = {m: 0.0 for m in methods}
    fails = {m: 0 for m in methods}
    n = 0
    for p in paths:
        x, sr, ref, why = read(p)
        if ref is None or ref.sounds(1).shape[0] == 0:
            continue
        n += 1
        for name, fn in methods.items():
            t0 = time.perf_counter()
            try:
                det = fn(x, sr)
            except (PhysiofeatError, ValueError, IndexError) as exc:
                fails[name] += 1
                print(f"  {name} failed on {p.name}: {type(exc).__name__}: {exc}"[:160])
                det = {1: np.zeros(0), 3: np.zeros(0)}
            secs[name] += time.perf_counter() - t0
            rows[name].append(score(ref, det))
    return n, {m: summarise(r) for m, r in rows.items()}, secs, fails


def table(title, n, res, secs, fails):
    print(f"\n### {title} ({n} recordings)\n")
    print(
        "| method | S1 F1 60 ms | S2 F1 60 ms | S1 F1 30 ms | S2 F1 30 ms | S1 MAE ms | "
        "S2 MAE ms | S1 Se / PPV 60 ms | S2 Se / PPV 60 ms | s / rec | failed |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for m, r in res.items():
        a, b = r[(1, 0.06)], r[(3, 0.06)]
        c, d = r[(1, 0.03)], r[(3, 0.03)]
        print(
            f"| {m} | {a['f1']:.3f} | {b['f1']:.3f} | {c['f1']:.3f} | {d['f1']:.3f} | "
            f"{a['mae_ms']:.1f} | {b['mae_ms']:.1f} | {a['se']:.3f} / {a['ppv']:.3f} | "
            f"{b['se']:.3f} / {b['ppv']:.3f} | {secs[m] / max(1, n):.3f} | {fails[m]} |"
        )
    print(
        f"\n(annotated S1: {res[next(iter(res))][(1, 0.06)]['n_ref']}, "
        f"S2: {res[next(iter(res))][(3, 0.06)]['n_ref']})"
    )


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=None, help="first N recordings per set")
    ap.add_argument("--no-pypcg", action="store_true")
    ap.add_argument("--fit-set", action="store_true", help="also score the fit patients")
    args = ap.parse_args(argv)
    methods = {
        "physiofeat segment (LR-HSMM)": _phys,
        "envelope peaks baseline": peaks_baseline,
    }
    if not args.no_pypcg:
        lib = _import_pypcg()
        methods["pyPCG peaks"] = lambda x, sr: pypcg_segment(x, sr, lib)
    segment(np.random.default_rng(0).standard_normal(8000), sr=1000)  # JIT outside timing
    fit_ids, report_ids = split()
    sets = [
        (f"circor_dev report patients ({len(report_ids)})", recordings(DEV, report_ids)),
        (f"circor ({len(patients(EXTRA))} patients)", recordings(EXTRA, patients(EXTRA))),
    ]
    if args.fit_set:
        sets.append(
            (f"circor_dev FIT patients ({len(fit_ids)}), in-sample", recordings(DEV, fit_ids))
        )
    for title, paths in sets:
        paths = paths[: args.limit] if args.limit else paths
        table(title, *evaluate(paths, methods))


def _phys(x, sr):
    seg = segment(x, sr=sr)
    return {1: seg.centres(1), 3: seg.centres(3)}


if __name__ == "__main__":
    main()
