"""Murmur detection on CirCor (PhysioNet Challenge 2022 task): physiofeat features in one fixed model.

``python -m benchmarks.murmur_cv [--jobs N] [--fresh] [--limit N] [--repeats R] [--nested]``

What it does, and how (every choice fixed here, none tuned on an evaluation fold):

* **Data**: every recording of the 193 patients in ``../shared/data/pcg/circor`` (12 patients)
  and ``pcg/circor_dev`` (181), labels from ``circor_dev/training_data.csv`` (Murmur Present /
  Unknown / Absent per patient; "Murmur locations" lists where a present murmur is heard).
* **Features**: the ``heart_sound`` preset through :func:`physiofeat.extract_many` (all cores)
  into one table, one row per recording; beside it, librosa MFCC mean/std (20 coefficients,
  ``n_fft=512, hop_length=128`` at the file's 4 kHz) in the same model and folds; and each
  physiofeat family's columns of the preset table alone. Tables are cached in ``out/murmur/``
  with the extraction time, keyed by the request and :func:`code_fingerprint` (the physiofeat
  source and its dependencies' versions: any change rebuilds them; ``--fresh`` always does).
* **Per-recording labels**: Present where the patient is Present and the location is one of
  its murmur locations, Absent for the patient's other locations and for Absent patients,
  Unknown for every recording of an Unknown patient.
* **Model** (fixed): the ``N_SELECT = 60`` columns with the highest ANOVA F between the three
  recording classes (:class:`SelectByF`, chosen on the training recordings of each fit only),
  then ``HistGradientBoostingClassifier(max_iter=200, learning_rate=0.05, max_leaf_nodes=15,
  l2_regularization=1.0, random_state=0)``; NaN features go to the model as NaN (it splits on
  them natively); no scaler is needed, so none can leak. Without the selection the 394 columns
  of the preset dilute what ~150 training patients can teach (0.708 in the last version of
  this benchmark, where the pcg family alone scored higher than the whole preset).
  ``N_SELECT = 60`` was picked among ``K_CHOICES = (30, 60, 120)`` by CV repetitions of these
  same patients, so the run also reports the preset with ``k`` chosen among them inside each
  training fold (its inner CV, :func:`select_k_fit_predict`): the honest estimate of that pick.
  Changes to the model tried since and not kept (no gain beyond the spread between seeds) are
  scored by ``python -m benchmarks.murmur_variants``.
* **Per patient** (aggregation over auscultation locations): ``present = max`` over the
  patient's recordings of P(Present), ``unknown = mean`` of P(Unknown). The patient is Present
  when ``present >= t_p``, else Unknown when ``unknown >= t_u``, else Absent. The two thresholds
  are chosen inside each training fold only: out-of-fold predictions of an inner patient-wise
  5-fold CV on the training patients, the grid point that maximises their weighted accuracy.
* **Evaluation**: patient-wise stratified 5-fold CV (``StratifiedKFold(5, shuffle=True,
  random_state=seed)`` over patients; every recording of a patient on one side), repeated with
  outer seeds ``0 .. R-1`` (``--repeats``, default 5: one partition of 193 patients moves the
  score by +-0.03), the challenge's weighted accuracy (weights 5 Present, 3 Unknown, 1 Absent,
  over the true class) per repetition, their mean, and the confusion matrix summed over them.
* **No label leaks**: each repetition's each fold refits the segmenter on its own training
  patients (:func:`fold_segmenter`) and re-extracts the pcg columns with it (cached as
  ``physiofeat_pcg_r<repeat>_fold<k>``); column selection, the model and the two thresholds
  are fitted on training patients only. ``--nested`` adds the choice between the preset and
  each family made inside each training fold (seed 0).
"""

from __future__ import annotations

import argparse
import csv
import functools
import os
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ._util import shared_data

ROOT = Path(__file__).resolve().parents[1]
SHARED = shared_data()
CLASSES = ("Present", "Unknown", "Absent")
WEIGHTS = np.array([5.0, 3.0, 1.0])
CACHE = ROOT / "out" / "murmur"
GRID = np.linspace(0.05, 0.95, 19)
#: Columns of the extraction tables that describe the file, not its sound: never features.
META_COLUMNS = ("sr_hz", "duration_s")


@dataclass(frozen=True)
class Recording:
    path: str
    patient: str
    location: str  # AV, PV, TV, MV, Phc (a trailing _1/_2 of repeated recordings is dropped)


def patient_table(shared: Path = SHARED) -> dict[str, dict[str, str]]:
    """``training_data.csv`` as patient id -> row."""
    with open(shared / "pcg" / "circor_dev" / "training_data.csv", newline="") as f:
        return {row["Patient ID"]: row for row in csv.DictReader(f)}


def recordings(shared: Path = SHARED) -> list[Recording]:
    """Every CirCor recording here, sorted by path."""
    out = []
    for folder in ("circor", "circor_dev"):
        for p in sorted((shared / "pcg" / folder).glob("*.wav")):
            parts = p.stem.split("_")
            out.append(Recording(str(p), parts[0], parts[1]))
    return out


def recording_set(limit: int | None = None, shared: Path = SHARED):
    """The labelled recordings (the first ``limit``): (patients, recordings, their paths, the
    patient of each, the label of each, :func:`recording_label`)."""
    patients = patient_table(shared)
    recs = [r for r in recordings(shared) if r.patient in patients][:limit]
    groups = np.array([r.patient for r in recs])
    y_rec = np.array([recording_label(r, patients) for r in recs])
    return patients, recs, [r.path for r in recs], groups, y_rec


def recording_label(rec: Recording, patients: dict[str, dict[str, str]]) -> str:
    row = patients[rec.patient]
    murmur = row["Murmur"]
    if murmur != "Present":
        return murmur
    return "Present" if rec.location in row["Murmur locations"].split("+") else "Absent"


def weighted_accuracy(y_true, y_pred) -> float:
    """The challenge's murmur score: sum_c w_c correct_c / sum_c w_c n_c (w = 5, 3, 1)."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    w = WEIGHTS[[CLASSES.index(c) for c in y_true]]
    return float(np.sum(w * (y_true == y_pred)) / np.sum(w))


def confusion(y_true, y_pred) -> np.ndarray:
    """Rows: true class, columns: predicted class, in ``CLASSES`` order."""
    m = np.zeros((3, 3), dtype=int)
    for t, p in zip(y_true, y_pred):
        m[CLASSES.index(t), CLASSES.index(p)] += 1
    return m


#: How many columns the model keeps (the highest ANOVA F over the three classes, chosen on the
#: training recordings of each fit; all of them when a table has fewer).
N_SELECT = 60


class SelectByF:
    """Keep the ``k`` columns with the highest one-way ANOVA F between the classes of ``y``.

    The F statistics are computed on a copy with each column's NaN replaced by its median (a
    column that is all NaN, or constant, scores 0); the columns passed on keep their NaN, which
    the gradient-boosting model splits on natively (a refused segmentation is information).
    Ties go to the earlier column. Fitted on the rows it is given only, so inside every
    training fold (scikit-learn estimator protocol: ``fit``/``transform``/``get_params``)."""

    def __init__(self, k: int = N_SELECT):
        self.k = k

    def get_params(self, deep: bool = True) -> dict:
        return {"k": self.k}

    def set_params(self, **params):
        for key, value in params.items():
            setattr(self, key, value)
        return self

    def fit(self, X, y):
        from sklearn.feature_selection import f_classif

        X = np.asarray(X, dtype=np.float64)
        med = np.nanmedian(np.where(np.isfinite(X), X, np.nan), axis=0) if len(X) else []
        filled = np.where(np.isfinite(X), X, np.nan_to_num(np.asarray(med, dtype=np.float64)))
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # constant columns: F is NaN, scored 0 below
            F, _ = f_classif(filled, y)
        F = np.where(np.isfinite(F), F, 0.0)
        order = np.argsort(-F, kind="stable")
        self.columns_ = np.sort(order[: min(self.k, X.shape[1])])
        self.scores_ = F
        return self

    def transform(self, X):
        return np.asarray(X, dtype=np.float64)[:, self.columns_]

    def fit_transform(self, X, y):
        return self.fit(X, y).transform(X)


def make_model():
    """The one fixed model: :class:`SelectByF` (``N_SELECT`` columns) and gradient boosting."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.pipeline import make_pipeline

    return make_pipeline(
        SelectByF(N_SELECT),
        HistGradientBoostingClassifier(
            max_iter=200,
            learning_rate=0.05,
            max_leaf_nodes=15,
            l2_regularization=1.0,
            random_state=0,
        ),
    )


#: The column counts among which ``--nested`` (and every run's "k chosen in each training fold"
#: row) lets each training fold choose by its own inner cross-validation: the honest estimate of
#: having picked ``N_SELECT`` among them (it was chosen on CV repetitions of these same patients).
K_CHOICES = (30, 60, 120)


def _model(k: int | None = None):
    """:func:`make_model`, keeping ``k`` columns instead of ``N_SELECT`` when ``k`` is given."""
    m = make_model()
    if k is not None:
        m.set_params(selectbyf__k=k)
    return m


def _patient_scores(proba: np.ndarray, classes, groups: np.ndarray):
    """Per patient: max P(Present) and mean P(Unknown) over its recordings."""
    classes = list(classes)
    pp = proba[:, classes.index("Present")] if "Present" in classes else np.zeros(len(proba))
    pu = proba[:, classes.index("Unknown")] if "Unknown" in classes else np.zeros(len(proba))
    pats = np.unique(groups)
    present = np.array([pp[groups == g].max() for g in pats])
    unknown = np.array([pu[groups == g].mean() for g in pats])
    return pats, present, unknown


def _decide(present, unknown, t_p, t_u) -> np.ndarray:
    return np.where(present >= t_p, "Present", np.where(unknown >= t_u, "Unknown", "Absent"))


def _thresholds(present, unknown, y_patient) -> tuple[float, float]:
    best = (-1.0, 0.5, 0.5)
    for t_p in GRID:
        for t_u in GRID:
            score = weighted_accuracy(y_patient, _decide(present, unknown, t_p, t_u))
            if score > best[0] + 1e-12:
                best = (score, t_p, t_u)
    return best[1], best[2]


def _patient_labels(pats, patients) -> np.ndarray:
    return np.array([patients[p]["Murmur"] for p in pats])


def _out_of_fold(
    X_tr, y_tr, g_tr, patients, *, inner_folds: int = 5, seed: int = 0, k=None, model=None
):
    """Out-of-fold class probabilities of the training recordings (inner patient-wise CV);
    ``model(k)`` makes the estimator (default :func:`_model`)."""
    model = model or _model
    from sklearn.model_selection import StratifiedKFold

    tr_pats = np.unique(g_tr)
    y_tr_pat = _patient_labels(tr_pats, patients)
    oof = np.zeros((len(X_tr), 3))
    inner = StratifiedKFold(inner_folds, shuffle=True, random_state=seed)
    for a, b in inner.split(tr_pats, y_tr_pat):
        ia, ib = np.isin(g_tr, tr_pats[a]), np.isin(g_tr, tr_pats[b])
        m = model(k).fit(X_tr[ia], y_tr[ia])
        p = m.predict_proba(X_tr[ib])
        for j, c in enumerate(m.classes_):
            oof[ib, CLASSES.index(c)] = p[:, j]
    return oof


def _oof_thresholds(oof, g_tr, patients):
    """(t_p, t_u, weighted accuracy of the training patients at them) from out-of-fold scores."""
    pats, pres, unk = _patient_scores(oof, CLASSES, g_tr)
    y = _patient_labels(pats, patients)
    t_p, t_u = _thresholds(pres, unk, y)
    return t_p, t_u, weighted_accuracy(y, _decide(pres, unk, t_p, t_u))


def _final(X_tr, y_tr, X_te, g_te, t_p, t_u, k=None, model=None):
    fitted = (model or _model)(k).fit(X_tr, y_tr)
    te_pats, pres, unk = _patient_scores(fitted.predict_proba(X_te), fitted.classes_, g_te)
    return te_pats, _decide(pres, unk, t_p, t_u)


def fit_predict(
    X_tr,
    y_tr,
    g_tr,
    X_te,
    g_te,
    patients,
    *,
    inner_folds: int = 5,
    seed: int = 0,
    model=None,
    oof=None,
):
    """Fit on the training recordings (thresholds by inner patient-wise CV), predict patients of
    the test recordings. Only ``X_tr``, ``y_tr``, ``g_tr`` and the training patients' labels are
    used for fitting. ``model(k)`` makes the estimator (default :func:`_model`), ``oof`` gives
    the out-of-fold probabilities (default :func:`_out_of_fold`): the benchmark variants change
    them. Returns (test patient ids, predicted classes)."""
    proba = (oof or _out_of_fold)(
        X_tr, y_tr, g_tr, patients, inner_folds=inner_folds, seed=seed, model=model
    )
    t_p, t_u, _ = _oof_thresholds(proba, g_tr, patients)
    return _final(X_tr, y_tr, X_te, g_te, t_p, t_u, model=model)


def select_fit_predict(candidates, y_tr, g_tr, g_te, patients, *, inner_folds: int = 5):
    """Nested selection: ``candidates`` maps a feature-set name to ``(X_tr, X_te)``; the set whose
    inner-CV (out-of-fold) weighted accuracy on the training patients is highest is fitted and
    predicts the test patients. Returns (test patient ids, predictions, chosen name)."""
    best = None
    for name, (X_tr, _) in candidates.items():
        oof = _out_of_fold(X_tr, y_tr, g_tr, patients, inner_folds=inner_folds)
        t_p, t_u, score = _oof_thresholds(oof, g_tr, patients)
        if best is None or score > best[0] + 1e-12:
            best = (score, name, t_p, t_u)
    _, name, t_p, t_u = best
    X_tr, X_te = candidates[name]
    te_pats, pred = _final(X_tr, y_tr, X_te, g_te, t_p, t_u)
    return te_pats, pred, name


def select_k_fit_predict(
    X_tr, y_tr, g_tr, X_te, g_te, patients, ks=K_CHOICES, *, model=None, oof=None
):
    """Like :func:`fit_predict`, with the number of selected columns chosen among ``ks`` by the
    training patients' inner-CV weighted accuracy. Returns (test patients, predictions, k)."""
    best = None
    for k in ks:
        proba = (oof or _out_of_fold)(X_tr, y_tr, g_tr, patients, k=k, model=model)
        t_p, t_u, score = _oof_thresholds(proba, g_tr, patients)
        if best is None or score > best[0] + 1e-12:
            best = (score, k, t_p, t_u)
    _, k, t_p, t_u = best
    te_pats, pred = _final(X_tr, y_tr, X_te, g_te, t_p, t_u, k=k, model=model)
    return te_pats, pred, k


def cross_validate_k(
    X, y_rec, groups, patients, *, ks=K_CHOICES, seed: int = 0, X_folds=None, model=None, oof=None
):
    """Patient-wise 5-fold CV of :func:`select_k_fit_predict`; (weighted accuracy, confusion,
    per-fold scores, k chosen per fold)."""

    def predict(k, tr, te):
        Xk = X if X_folds is None else X_folds[k]
        return select_k_fit_predict(
            Xk[tr], y_rec[tr], groups[tr], Xk[te], groups[te], patients, ks, model=model, oof=oof
        )

    return _over_folds(predict, groups, patients, folds=5, seed=seed)


def cross_validate_select(
    fold_candidates, y_rec, groups, patients, *, folds: int = 5, seed: int = 0
):
    """Patient-wise k-fold with the feature set chosen inside each training fold
    (:func:`select_fit_predict`); ``fold_candidates[k]`` maps names to fold ``k``'s matrices.
    Returns (weighted accuracy, confusion, per-fold scores, chosen set per fold)."""

    def predict(k, tr, te):
        cands = {n: (X[tr], X[te]) for n, X in fold_candidates[k].items()}
        return select_fit_predict(cands, y_rec[tr], groups[tr], groups[te], patients)

    return _over_folds(predict, groups, patients, folds=folds, seed=seed)


def _over_folds(predict, groups, patients, *, folds: int, seed: int):
    """Run ``predict(k, train_mask, test_mask) -> (test patients, predictions, extra)`` over the
    outer folds; returns (weighted accuracy, confusion, per-fold scores, extras)."""
    true, pred, per_fold, extras = [], [], [], []
    for k, (a, b) in enumerate(outer_folds(groups, patients, folds=folds, seed=seed)):
        tr, te = np.isin(groups, a), np.isin(groups, b)
        te_pats, p, extra = predict(k, tr, te)
        t = _patient_labels(te_pats, patients)
        per_fold.append(weighted_accuracy(t, p))
        extras.append(extra)
        true.extend(t)
        pred.extend(p)
    return weighted_accuracy(true, pred), confusion(true, pred), per_fold, extras


def outer_folds(groups, patients, *, folds: int = 5, seed: int = 0):
    """The evaluation folds: [(training patient ids, test patient ids)], stratified by murmur."""
    from sklearn.model_selection import StratifiedKFold

    pats = np.unique(groups)
    y_pat = _patient_labels(pats, patients)
    outer = StratifiedKFold(folds, shuffle=True, random_state=seed)
    return [(pats[a], pats[b]) for a, b in outer.split(pats, y_pat)]


def cross_validate(
    X, y_rec, groups, patients, *, folds: int = 5, seed: int = 0, X_folds=None, model=None
):
    """Patient-wise stratified k-fold; returns (weighted accuracy, confusion, per-fold scores).
    ``X_folds[k]``, if given, replaces ``X`` in fold ``k`` (features made with parts fitted on
    that fold's training patients only); ``model`` as in :func:`fit_predict`."""

    def predict(k, tr, te):
        Xk = X if X_folds is None else X_folds[k]
        out = fit_predict(Xk[tr], y_rec[tr], groups[tr], Xk[te], groups[te], patients, model=model)
        return (*out, None)

    return _over_folds(predict, groups, patients, folds=folds, seed=seed)[:3]


# ----------------------------------------------------------------------------------------------
# Feature tables


def _librosa_row(path: str) -> np.ndarray:
    import librosa
    import soundfile as sf

    x, sr = sf.read(path, dtype="float32")
    m = librosa.feature.mfcc(y=x, sr=sr, n_mfcc=20, n_fft=512, hop_length=128)
    return np.concatenate([m.mean(axis=1), m.std(axis=1)])


def librosa_table(recs: list[Recording], jobs: int):
    from concurrent.futures import ProcessPoolExecutor

    import pandas as pd

    with ProcessPoolExecutor(jobs) as ex:
        rows = list(ex.map(_librosa_row, [r.path for r in recs], chunksize=8))
    names = [f"mfcc{k}_mean" for k in range(20)] + [f"mfcc{k}_std" for k in range(20)]
    return pd.DataFrame(np.vstack(rows), columns=names, index=[r.path for r in recs])


def physiofeat_table(recs: list[Recording], jobs: int, request: dict):
    import physiofeat
    from physiofeat.batch import results_to_frame

    res = physiofeat.extract_many([r.path for r in recs], request, n_jobs=jobs)
    failed = [r for r in res if not r.ok]
    for r in failed:
        print(f"  failed: {r.id}: {r.error_type}: {r.error}", file=sys.stderr)
    if len(failed) > len(res) // 10:
        raise RuntimeError(
            f"{len(failed)} of {len(res)} recordings failed ({failed[0].error_type}: "
            f"{failed[0].error}); nothing cached"
        )
    df = results_to_frame(res, with_path=True)
    return df.drop(columns=["id"]).set_index("path"), len(failed)


def cached(name: str, build, fresh: bool, key: str = ""):
    """(table, build info) from ``out/murmur/<name>.parquet`` if it was built for ``key``, else
    ``build()`` -> table or (table, n_failed), saved with the seconds it took."""
    import json

    import pandas as pd

    CACHE.mkdir(parents=True, exist_ok=True)
    path, meta = CACHE / f"{name}.parquet", CACHE / f"{name}.json"
    if not fresh and path.is_file() and meta.is_file():
        info = json.loads(meta.read_text())
        if info.get("key", "") == key:
            return pd.read_parquet(path), info
    t0 = time.perf_counter()
    out = build()
    table, extra = out if isinstance(out, tuple) else (out, None)
    info = {"seconds": time.perf_counter() - t0, "rows": len(table), "failed": extra, "key": key}
    table.to_parquet(path)
    meta.write_text(json.dumps(info))
    return table, info


def request_groups(features) -> dict[str, dict]:
    """The request (a preset name, a name, a list or a mapping) split by family, each group
    extracted and cached on its own, so that changing one family re-extracts only that one."""
    import physiofeat
    from physiofeat._registry import _normalise_request, get_spec

    physiofeat.features()  # load the built-in families and presets
    groups: dict[str, dict] = {}
    for name, params in _normalise_request(features).items():
        groups.setdefault(get_spec(name).family, {})[name] = params
    return groups


#: Installed distributions whose version can change a feature table or a fitted segmenter.
CODE_DEPENDENCIES = (
    "numpy",
    "scipy",
    "numba",
    "llvmlite",
    "EMD-signal",
    "PyWavelets",
    "librosa",
    "soundfile",
    "soxr",
    "scikit-learn",
)


def versions() -> str:
    """``name==version`` of :data:`CODE_DEPENDENCIES` (the figures depend on them)."""
    from importlib import metadata

    out = []
    for dist in CODE_DEPENDENCIES:
        try:
            out.append(f"{dist}=={metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            out.append(f"{dist} absent")
    return ", ".join(out)


@functools.lru_cache(maxsize=8)
def code_fingerprint(package: Path | None = None) -> str:
    """A hash of the code that makes the cached tables: every ``.py`` and ``.json`` file of the
    physiofeat package (``package``, default the imported one) and the versions of
    :data:`CODE_DEPENDENCIES`; the shipped segmenter model (``pcg/springer_circor.json``) is
    among the files. Part of every cache key, so that a changed feature, segmenter or
    dependency rebuilds the tables instead of scoring stale ones."""
    import hashlib

    if package is None:
        import physiofeat

        package = Path(physiofeat.__file__).parent
    h = hashlib.sha256()
    for f in sorted(package.rglob("*")):
        if f.suffix in (".py", ".json") and "__pycache__" not in f.parts:
            h.update(f.relative_to(package).as_posix().encode() + b"\0" + f.read_bytes())
    h.update(versions().encode())
    return h.hexdigest()[:16]


def preset_table(recs, jobs, features, fresh, tag):
    """The physiofeat table for ``features``, one cached extraction per family; (table, seconds
    of extraction summed over families, failed sources)."""
    import json

    import pandas as pd

    parts, seconds, failed = [], 0.0, 0
    for fam, req in sorted(request_groups(features).items()):
        # the fingerprint also covers the shipped segmenter model behind the pcg features
        key = json.dumps(req, sort_keys=True, default=repr) + code_fingerprint()
        table, info = cached(
            f"physiofeat_{fam}{tag}",
            lambda req=req: physiofeat_table(recs, jobs, req),
            fresh,
            key=key,
        )
        print(f"  {fam}: {table.shape[1]} columns, {info['seconds']:.1f} s")
        parts.append(
            table if not parts else table.drop(columns=list(META_COLUMNS), errors="ignore")
        )
        seconds += info["seconds"]
        failed += info["failed"] or 0
    return pd.concat(parts, axis=1), seconds, failed


def _repeat_tag(repeat: int) -> str:
    return "" if repeat == 0 else f"_r{repeat}"


def fold_segmenter(
    k: int, train_patients, recs: list[Recording], fresh: bool, repeat: int = 0, tag: str = ""
) -> Path:
    """A segmenter fitted (:func:`physiofeat.pcg.fit_segmenter`, the shipped model's recipe and
    configuration) on the annotated recordings of fold ``k``'s training patients only (of the
    CV repetition ``repeat``)."""
    import json

    from physiofeat.pcg import fit_segmenter, load_model

    from ._pcg_data import read

    name = f"segmenter{_repeat_tag(repeat)}_fold{k}{tag}"
    path, meta = CACHE / f"{name}.json", CACHE / f"{name}.meta.json"
    key = ",".join(sorted(str(p) for p in train_patients)) + code_fingerprint()
    if not fresh and path.is_file() and meta.is_file() and json.loads(meta.read_text()) == key:
        return path
    train = set(train_patients)
    data = []
    for r in recs:
        if r.patient in train:
            x, sr, seg, _ = read(Path(r.path))
            if seg is not None:
                data.append((x, sr, seg))
    t0 = time.perf_counter()
    model = fit_segmenter(
        data,
        base=load_model(),
        info={"murmur_cv_fold": k, "repeat": repeat, "train_patients": sorted(train)},
    )
    CACHE.mkdir(parents=True, exist_ok=True)
    model.to_json(path)
    meta.write_text(json.dumps(key))
    print(
        f"  repeat {repeat}, fold {k}: segmenter fitted on {len(data)} recordings in "
        f"{time.perf_counter() - t0:.1f} s"
    )
    return path


def pcg_fold_tables(recs, jobs, features, folds, fresh, tag, repeat: int = 0):
    """The pcg family's columns once per fold, segmented by that fold's own segmenter."""
    import hashlib
    import json

    req = request_groups(features).get("pcg")
    if not req:
        return None
    out = []
    for k, (train, _) in enumerate(folds):
        model = fold_segmenter(k, train, recs, fresh, repeat, tag)
        rq = {name: {**params, "model": str(model)} for name, params in req.items()}
        key = json.dumps(rq, sort_keys=True, default=repr)
        key += hashlib.sha256(model.read_bytes()).hexdigest()[:16] + code_fingerprint()
        table, info = cached(
            f"physiofeat_pcg{_repeat_tag(repeat)}_fold{k}{tag}",
            lambda rq=rq: physiofeat_table(recs, jobs, rq),
            fresh,
            key=key,
        )
        print(
            f"  pcg, repeat {repeat} fold {k}'s segmenter: {table.shape[1]} columns, "
            f"{info['seconds']:.1f} s"
        )
        out.append(table.drop(columns=list(META_COLUMNS), errors="ignore"))
    return out


def family_columns(columns) -> dict[str, list[str]]:
    """Columns of a preset table grouped by the family of the feature that made them."""
    import physiofeat

    specs = sorted(physiofeat.features(), key=lambda s: -len(s.name))
    out: dict[str, list[str]] = {}
    for c in columns:
        spec = next((s for s in specs if c == s.name or c.startswith(s.name + "_")), None)
        if spec is not None:
            out.setdefault(spec.family, []).append(c)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--fresh", action="store_true", help="recompute the cached feature tables")
    ap.add_argument("--limit", type=int, default=None, help="first N recordings (a smoke run)")
    ap.add_argument("--features", default="heart_sound", help="physiofeat request (a preset name)")
    ap.add_argument(
        "--repeats",
        type=int,
        default=5,
        help="repetitions of the patient-wise 5-fold CV (outer seeds 0..R-1), each with its own "
        "per-fold segmenters",
    )
    ap.add_argument(
        "--nested",
        action="store_true",
        help="also choose between the preset and each family inside each training fold (seed 0)",
    )
    args = ap.parse_args(argv)
    if not (SHARED / "pcg" / "circor_dev" / "training_data.csv").is_file():
        print(f"{SHARED}/pcg/circor_dev is absent: nothing to benchmark")
        return 0
    patients, recs, paths, groups, y_rec = recording_set(args.limit)
    tag = "" if args.limit is None else f"_first{args.limit}"
    n_pat = len(np.unique(groups))
    print(f"{len(recs)} recordings of {n_pat} patients; jobs={args.jobs}")
    print(f"versions: {versions()}; code fingerprint {code_fingerprint()}")

    feats = args.features.split(",") if "," in args.features else args.features
    pf, pf_seconds, pf_failed = preset_table(recs, args.jobs, feats, args.fresh, tag)
    lb, lb_info = cached(
        f"librosa_mfcc{tag}",
        lambda: librosa_table(recs, args.jobs),
        args.fresh,
        key=code_fingerprint(),
    )
    pf = pf.reindex(paths)
    lb = lb.reindex(paths)
    print(
        f"extraction: physiofeat {args.features} {pf_seconds:.1f} s ({pf.shape[1]} columns, "
        f"{pf_failed} failed) = {pf_seconds / len(recs):.2f} s per recording with "
        f"{args.jobs} jobs; librosa MFCC {lb_info['seconds']:.1f} s ({lb.shape[1]} columns); "
        f"times are of the runs that built the caches in {CACHE}"
    )
    X_pf = pf.drop(columns=list(META_COLUMNS), errors="ignore")
    fam_cols = family_columns(X_pf.columns)
    label = f"physiofeat {args.features}"
    sets = {label: X_pf.columns.tolist()}
    for fam, cols in sorted(fam_cols.items()):
        sets[f"  {fam} family alone"] = cols
    lib = "librosa MFCC mean/std"
    X_lb = lb.to_numpy(dtype=np.float64)

    chosen_k = f"  {args.features}, k chosen in each training fold from {K_CHOICES}"
    scores: dict[str, list[float]] = {name: [] for name in [*sets, chosen_k, lib]}
    ks_chosen: list[int] = []
    fold_sd: dict[str, float] = {}
    confusions: dict[str, np.ndarray] = {}
    shipped = None
    t_cv = 0.0
    for r in range(args.repeats):
        folds = outer_folds(groups, patients, seed=r)
        fold_pcg = pcg_fold_tables(recs, args.jobs, feats, folds, args.fresh, tag, repeat=r)
        refit = fold_pcg is not None and "pcg" in fam_cols
        t0 = time.perf_counter()
        for name, cols in sets.items():
            X, per_fold = _matrices(X_pf, cols, fam_cols, fold_pcg if refit else None, paths)
            acc, cm, per = cross_validate(X, y_rec, groups, patients, seed=r, X_folds=per_fold)
            scores[name].append(acc)
            confusions[name] = confusions.get(name, 0) + cm
            if r == 0:
                fold_sd[name] = float(np.std(per))
                if name == label and per_fold is not None:  # the shipped model, for comparison
                    shipped = cross_validate(X, y_rec, groups, patients, seed=r)[0]
            if name == label:  # how much picking N_SELECT among K_CHOICES flatters the score
                acc, cm, per, ks = cross_validate_k(
                    X, y_rec, groups, patients, seed=r, X_folds=per_fold
                )
                scores[chosen_k].append(acc)
                ks_chosen.extend(ks)
                if r == 0:
                    fold_sd[chosen_k] = float(np.std(per))
        acc, cm, per = cross_validate(X_lb, y_rec, groups, patients, seed=r)
        scores[lib].append(acc)
        confusions[lib] = confusions.get(lib, 0) + cm
        if r == 0:
            fold_sd[lib] = float(np.std(per))
        t_cv += time.perf_counter() - t0
        print(
            f"repeat {r}: {label} {scores[label][-1]:.3f}, {lib} {scores[lib][-1]:.3f} "
            f"({time.perf_counter() - t0:.0f} s)",
            flush=True,
        )
    nested = None
    if args.nested:
        folds = outer_folds(groups, patients, seed=0)
        fold_pcg = pcg_fold_tables(recs, args.jobs, feats, folds, args.fresh, tag)
        fold_cands = [{} for _ in folds]
        for name, cols in sets.items():
            X, per_fold = _matrices(X_pf, cols, fam_cols, fold_pcg, paths)
            for k in range(len(folds)):
                fold_cands[k][name.strip()] = X if per_fold is None else per_fold[k]
        acc, _, per, chosen = cross_validate_select(fold_cands, y_rec, groups, patients)
        nested = (acc, float(np.std(per)), chosen)

    R = args.repeats
    print(f"\ncross-validation: {t_cv:.1f} s for {R} repetition(s) of patient-wise 5-fold CV\n")
    print(
        f"| features | columns | weighted accuracy, seed 0 (SD over its folds) | mean over {R} "
        "repetitions (SD, min-max) |"
    )
    print("|---|---|---|---|")
    for name in [*sets, chosen_k, lib]:
        v = np.array(scores[name])
        k = X_lb.shape[1] if name == lib else len(sets.get(name, sets[label]))
        print(
            f"| {name.strip()} | {k} | {v[0]:.3f} ({fold_sd[name]:.3f}) | {v.mean():.3f} "
            f"({v.std():.3f}, {v.min():.3f}-{v.max():.3f}) |"
        )
    counts = {k: ks_chosen.count(k) for k in K_CHOICES}
    print(
        f"\ncolumns kept (k) chosen inside the {len(ks_chosen)} training folds: {counts}; the "
        f"fixed model keeps N_SELECT = {N_SELECT}, chosen among {K_CHOICES} on CV repetitions "
        "of these same patients, so the 'k chosen in each training fold' row is the honest "
        "estimate of that choice"
    )
    gain = np.array(scores[label]) - np.array(scores[lib])
    print(
        f"\n{label} minus {lib}, same model and folds: {gain.mean():+.3f} on average "
        f"(min {gain.min():+.3f}) over the {R} repetition(s)"
    )
    if shipped is not None:
        print(
            f"{label} with the shipped segmenter (fitted on 109 circor_dev patients, some of whom "
            f"are evaluated here: their S1/S2 marks, never their murmur labels), seed 0: "
            f"{shipped:.3f}; every row above uses a segmenter refitted on each fold's training "
            "patients"
        )
    if nested is not None:
        print(
            f"feature set chosen inside each training fold (seed 0): {nested[0]:.3f} "
            f"(SD {nested[1]:.3f}); chose {nested[2]}"
        )
    for name in (label, lib):
        cm = confusions[name]
        print(
            f"\nconfusion ({name}; summed over the {R} repetition(s); rows true, columns "
            f"predicted: {', '.join(CLASSES)}):"
        )
        for c, row in zip(CLASSES, cm):
            print(f"  {c:8s} {row}")
    return 0


def _matrices(X_pf, cols, fam_cols, fold_pcg, paths):
    """(X with the shipped segmenter, per-fold X with each fold's own segmenter's pcg columns,
    or None when ``cols`` has no pcg column or no per-fold tables are given)."""
    X = X_pf[cols].to_numpy(dtype=np.float64)
    pc = [c for c in cols if c in set(fam_cols.get("pcg", ()))]
    if fold_pcg is None or not pc:
        return X, None
    per = []
    for t in fold_pcg:
        df = X_pf[cols].copy()
        df[pc] = t.reindex(paths)[pc].to_numpy()
        per.append(df.to_numpy(dtype=np.float64))
    return X, per


if __name__ == "__main__":
    sys.exit(main())
