"""Murmur benchmark: model-side variants tried against the fixed model of ``murmur_cv``, none kept.

``python -m benchmarks.murmur_variants [--repeats R] [--jobs N] [VARIANT ...]``

Each variant changes one thing of :mod:`benchmarks.murmur_cv`'s fixed model and is scored on the
same cached tables (``out/murmur/``, built by ``python -m benchmarks.murmur_cv``, or here with
``--jobs`` processes when they are missing or stale), the same patient-wise folds with their
per-fold segmenters, the same thresholds chosen in each training fold, and the same weighted
accuracy, over outer seeds ``0 .. R-1``:

* ``base``: the fixed model itself (the check that this script reproduces ``murmur_cv``);
* ``ensemble``: class probabilities averaged over the models keeping 30, 60 and 120 columns
  (no choice of k to make);
* ``class_weight``: training recordings weighted by the challenge's class weights (Present 5,
  Unknown 3, Absent 1);
* ``ratios``: 12 more columns, log ratios of the cycle-synchronous envelopes between states
  (mean systole / S1, systole / S2, diastole / S2, diastole / S1, and the quietest eighth of
  systole and diastole over the louder heart sound; murmur band and whole PCG band);
* ``drop_unheard``: the recordings of Present patients at locations where the murmur is not
  heard are left out of training (they are still scored for their patient);
* ``drop_unheard_k``: the same, with k chosen among (30, 60, 120) in each training fold;
* ``location``: the recording's auscultation location (AV, PV, TV, MV, Phc, one-hot) as 5 more
  columns that the model always keeps (past the column selection): a murmur's audibility, and
  so the recording's label, depends on where it was recorded;
* ``location_k``: the same, with k chosen among (30, 60, 120) in each training fold;
* ``quality_gate``: poor recordings are left out of their patient's P(Present) (the max over
  the patient's other recordings; Unknown stays the mean over all): a recording is poor when a
  quality index (``GATE_COLUMNS``: envelope autocorrelation peak, periodicity, share of the
  recording in whole cycles; NaN, a refused segmentation, is poor) is below the ``GATE_QUANTILES``
  quantile of the training recordings' values. The gate, or none, is chosen with the two
  thresholds in each training fold on the same out-of-fold probabilities, so the score is an
  honest estimate of the choice (the issue's "quality gating of poor recordings");
* ``k_inner3``: k chosen in each training fold as ``murmur_cv`` does, but from out-of-fold
  probabilities averaged over 3 inner CV seeds (and the two thresholds from them): less
  partition noise in the choice.

Measured 2026-12-04 with the code of c209c3d (before the fixes of fad81ec to the pcg quality
indices and to cycles cut by the recording's start, after which ``murmur_cv`` reads base 0.731
and k in-fold 0.728; the variants were not re-run), 5 seeds (mean, SD over seeds, min-max),
environment ``benchmarks/measured-with.txt``: base 0.743 (0.009, 0.732-0.754); ensemble 0.734 (0.015,
0.715-0.759); class_weight 0.743 (0.018, 0.715-0.767); ratios 0.743 (0.028, 0.710-0.794);
drop_unheard 0.736 (0.025, 0.705-0.767); drop_unheard_k 0.722 (0.014, 0.708-0.742); k_inner3
0.735 (0.008, 0.725-0.747); location 0.743 (0.014, 0.725-0.757); location_k 0.735 (0.008,
0.722-0.744), against 0.739 for the fixed model with k chosen in-fold (``murmur_cv``). No
variant scores above base, so the fixed model stays as it is. The day before, in another
environment with the same code, the same variants read base 0.754, ensemble 0.733,
class_weight 0.735, ratios 0.759, drop_unheard 0.734, drop_unheard_k 0.712, k_inner3 0.728:
differences of 0.01 between variants come and go with package versions (ratios' +0.005 then is
+0.000 now), and keeping the best of nine variants scored on the same patients would be a choice
made on them.

``quality_gate``, measured 2026-12-07 with the code of bddfadf (tables rebuilt), 5 seeds: 0.725
(SD 0.024, 0.683-0.749) against base 0.741 (0.025, 0.703-0.774) in the same run; the training
folds chose a gate in 17 of 25 folds, spread over all three indices (cycle coverage 5,
periodicity 6, autocorrelation peak 6), so the choice follows the partition more than the
recordings. Not kept.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

from . import murmur_cv as M

VARIANTS = (
    "base",
    "ensemble",
    "class_weight",
    "ratios",
    "drop_unheard",
    "drop_unheard_k",
    "k_inner3",
    "location",
    "location_k",
    "quality_gate",
)
#: ``location``: the auscultation locations, one column each
LOCATIONS = ("AV", "PV", "TV", "MV", "Phc")
#: ``k_inner3``: inner patient-wise CV repetitions (seeds) whose out-of-fold probabilities are
#: averaged before k and the two thresholds are chosen from them
INNER_REPEATS = 3
#: ``quality_gate``: the quality indices (higher = cleaner recording) and the quantiles of the
#: training recordings' values below which a recording is left out of its patient's P(Present)
GATE_COLUMNS = ("pcg_quality_acf_peak", "pcg_quality_periodicity", "pcg_quality_cycle_coverage")
GATE_QUANTILES = (0.1, 0.2)
CLASS_WEIGHT = {"Present": 5.0, "Unknown": 3.0, "Absent": 1.0}
UNHEARD = "Unheard"  # a Present patient's recording where its murmur is not heard


def _repeated_oof(
    X_tr, y_tr, g_tr, patients, *, inner_folds: int = 5, seed: int = 0, k=None, model=None
):
    """:func:`murmur_cv._out_of_fold` averaged over ``INNER_REPEATS`` inner seeds (from ``seed``):
    less partition noise in the training patients' scores that choose k and the thresholds."""
    return np.mean(
        [
            M._out_of_fold(
                X_tr, y_tr, g_tr, patients, inner_folds=inner_folds, seed=seed + i, k=k, model=model
            )
            for i in range(INNER_REPEATS)
        ],
        axis=0,
    )


class _Wrapped:
    """The fixed model (``k`` columns) with a change to how it is fitted or predicts."""

    def __init__(self, k=None, *, ensemble=False, weighted=False, keep_last=0):
        self.k, self.ensemble, self.weighted = k, ensemble, weighted
        self.keep_last = keep_last  # the last columns bypass the selection

    def fit(self, X, y):
        X, y = np.asarray(X), np.asarray(y)
        keep = y != UNHEARD
        X, y = X[keep], y[keep]
        ks = M.K_CHOICES if self.ensemble else (self.k,)
        self.models_ = []
        for k in ks:
            m = M._model(k)
            if self.keep_last:
                n = X.shape[1] - self.keep_last
                m.set_params(selectbyf=_KeepLast(k or M.N_SELECT, n))
            if self.weighted:
                w = np.array([CLASS_WEIGHT[c] for c in y])
                m.fit(X, y, histgradientboostingclassifier__sample_weight=w)
            else:
                m.fit(X, y)
            self.models_.append(m)
        self.classes_ = self.models_[0].classes_
        return self

    def predict_proba(self, X):
        return np.mean([m.predict_proba(X) for m in self.models_], axis=0)


class _KeepLast(M.SelectByF):
    """:class:`murmur_cv.SelectByF` over the first ``n`` columns; the columns after them are
    always kept."""

    def __init__(self, k: int = M.N_SELECT, n: int = 0):
        super().__init__(k)
        self.n = n

    def get_params(self, deep: bool = True) -> dict:
        return {"k": self.k, "n": self.n}

    def fit(self, X, y):
        X = np.asarray(X, dtype=np.float64)
        super().fit(X[:, : self.n], y)
        self.columns_ = np.concatenate([self.columns_, np.arange(self.n, X.shape[1])])
        return self


def _gated_scores(proba, classes, groups, keep):
    """:func:`murmur_cv._patient_scores` with P(Present) the max over the patient's recordings
    with ``keep`` (over all of them when none is kept); P(Unknown) the mean over all."""
    classes = list(classes)
    pp = proba[:, classes.index("Present")] if "Present" in classes else np.zeros(len(proba))
    pu = proba[:, classes.index("Unknown")] if "Unknown" in classes else np.zeros(len(proba))
    pats = np.unique(groups)
    present, unknown = [], []
    for g in pats:
        mine = groups == g
        kept = mine & keep
        present.append(pp[kept if kept.any() else mine].max())
        unknown.append(pu[mine].mean())
    return pats, np.array(present), np.array(unknown)


def _gates(Q_tr):
    """The candidate gates of ``quality_gate``: None (no gate) and (column, threshold) for each
    column of ``Q_tr`` (the training recordings' quality indices) and each ``GATE_QUANTILES``
    quantile of its finite values."""
    out = [None]
    for j in range(Q_tr.shape[1]):
        q = Q_tr[:, j][np.isfinite(Q_tr[:, j])]
        out += [(j, float(np.quantile(q, a))) for a in GATE_QUANTILES] if q.size else []
    return out


def _keep(Q, gate):
    """Recordings a gate keeps (a NaN index, a refused segmentation, is gated)."""
    if gate is None:
        return np.ones(len(Q), dtype=bool)
    j, t = gate
    with np.errstate(invalid="ignore"):
        return Q[:, j] >= t


def gated_fit_predict(X_tr, y_tr, g_tr, Q_tr, X_te, g_te, Q_te, patients, *, seed: int = 0):
    """:func:`murmur_cv.fit_predict` whose patient P(Present) leaves out poor recordings: the
    gate (none, or a quality index below a quantile of the training recordings' values) and the
    two thresholds are chosen together on the training patients' out-of-fold probabilities (the
    same inner CV as ``fit_predict``); the test recordings are gated by the chosen column and
    threshold. Returns (test patients, predictions, chosen gate)."""
    oof = M._out_of_fold(X_tr, y_tr, g_tr, patients, seed=seed)
    best = None
    for gate in _gates(Q_tr):
        pats, pres, unk = _gated_scores(oof, M.CLASSES, g_tr, _keep(Q_tr, gate))
        y = M._patient_labels(pats, patients)
        t_p, t_u = M._thresholds(pres, unk, y)
        score = M.weighted_accuracy(y, M._decide(pres, unk, t_p, t_u))
        if best is None or score > best[0] + 1e-12:
            best = (score, gate, t_p, t_u)
    _, gate, t_p, t_u = best
    fitted = M._model().fit(X_tr, y_tr)
    pats, pres, unk = _gated_scores(
        fitted.predict_proba(X_te), fitted.classes_, g_te, _keep(Q_te, gate)
    )
    return pats, M._decide(pres, unk, t_p, t_u), gate


def _location_columns(X: np.ndarray, recs) -> np.ndarray:
    loc = np.array([[r.location == c for c in LOCATIONS] for r in recs], dtype=np.float64)
    return np.hstack([X, loc])


def _ratio_columns(X: np.ndarray, cols: list[str]) -> np.ndarray:
    at = {c: i for i, c in enumerate(cols)}

    def part(prefix, n, how):
        return how(X[:, [at[f"{prefix}_{j}"] for j in range(n)]], axis=1)

    out = []
    for sig in ("murmur", "pcg"):
        p = f"pcg_cycle_average_{sig}"
        s1, s2 = part(p + "_s1", 4, np.nanmean), part(p + "_s2", 4, np.nanmean)
        sy, di = part(p + "_systole", 8, np.nanmean), part(p + "_diastole", 8, np.nanmean)
        sy_min, di_min = part(p + "_systole", 8, np.nanmin), part(p + "_diastole", 8, np.nanmin)
        loud = np.maximum(s1, s2)
        with np.errstate(all="ignore"):
            out += [np.log(sy / s1), np.log(sy / s2), np.log(di / s2), np.log(di / s1)]
            out += [np.log(sy_min / loud), np.log(di_min / loud)]
    return np.hstack([X, np.column_stack(out)])


def run(variant: str, repeats: int, data, jobs: int = 1) -> list[float]:
    patients, recs, paths, groups, y, X_pf, fam = data
    cols = X_pf.columns.tolist()
    y = y.astype(object)  # room for UNHEARD
    if variant.startswith("drop_unheard"):
        present = np.array([patients[g]["Murmur"] == "Present" for g in groups])
        y[present & (y == "Absent")] = UNHEARD

    def model(k=None):
        return _Wrapped(
            k,
            ensemble=variant == "ensemble",
            weighted=variant == "class_weight",
            keep_last=len(LOCATIONS) if variant.startswith("location") else 0,
        )

    oof = _repeated_oof if variant == "k_inner3" else None
    scores = []
    for r in range(repeats):
        folds = M.outer_folds(groups, patients, seed=r)
        fold_pcg = M.pcg_fold_tables(recs, jobs, "heart_sound", folds, False, "", repeat=r)
        X, per = M._matrices(X_pf, cols, fam, fold_pcg, paths)
        if variant == "ratios":
            X, per = _ratio_columns(X, cols), [_ratio_columns(P, cols) for P in per]
        if variant.startswith("location"):
            X, per = _location_columns(X, recs), [_location_columns(P, recs) for P in per]
        cv = dict(seed=r, X_folds=per, model=model)
        if variant == "quality_gate":
            qi = [cols.index(c) for c in GATE_COLUMNS]

            def predict(k, tr, te, per=per, qi=qi):
                Xk = per[k]
                return gated_fit_predict(
                    Xk[tr],
                    y[tr],
                    groups[tr],
                    Xk[tr][:, qi],
                    Xk[te],
                    groups[te],
                    Xk[te][:, qi],
                    patients,
                )

            acc, _, _, chosen = M._over_folds(predict, groups, patients, folds=5, seed=r)
            names = [g if g is None else (GATE_COLUMNS[g[0]], round(g[1], 3)) for g in chosen]
            print(f"  {variant} seed {r}: gates chosen {names}", flush=True)
        elif variant in ("drop_unheard_k", "k_inner3", "location_k"):
            acc = M.cross_validate_k(X, y, groups, patients, oof=oof, **cv)[0]
        else:
            acc = M.cross_validate(X, y, groups, patients, **cv)[0]
        scores.append(acc)
        print(f"  {variant} seed {r}: {acc:.3f}", flush=True)
    return scores


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("variants", nargs="*", help=f"any of {', '.join(VARIANTS)} (default: all)")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="processes for the tables murmur_cv has not cached yet (default: all cores)",
    )
    args = ap.parse_args(argv)
    unknown = [v for v in args.variants if v not in VARIANTS]
    if unknown:
        ap.error(f"unknown variant(s) {', '.join(unknown)}; choose from {', '.join(VARIANTS)}")
    if not (M.SHARED / "pcg" / "circor_dev" / "training_data.csv").is_file():
        print(f"{M.SHARED}/pcg/circor_dev is absent: nothing to benchmark")
        return 0
    patients, recs, paths, groups, y = M.recording_set()
    print(f"versions: {M.versions()}; code fingerprint {M.code_fingerprint()}")
    pf, _, _ = M.preset_table(recs, args.jobs, "heart_sound", False, "")
    X_pf = pf.reindex(paths).drop(columns=list(M.META_COLUMNS), errors="ignore")
    data = (patients, recs, paths, groups, y, X_pf, M.family_columns(X_pf.columns))
    rows = []
    for v in args.variants or VARIANTS:
        t0 = time.perf_counter()
        s = np.array(run(v, args.repeats, data, args.jobs))
        rows.append((v, s, time.perf_counter() - t0))
    print(f"\n| variant | mean over {args.repeats} seeds | SD | min-max | seconds |")
    print("|---|---|---|---|---|")
    for v, s, sec in rows:
        print(f"| {v} | {s.mean():.3f} | {s.std():.3f} | {s.min():.3f}-{s.max():.3f} | {sec:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
