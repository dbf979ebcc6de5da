"""CirCor data for the PCG segmenter's fitting, validation and speed scripts.

THE PATIENT-WISE SPLIT (written here once; the fit, validation and docs refer to it):
the 181 patients of ``../shared/data/pcg/circor_dev`` are sorted by ID, shuffled with
``numpy.random.default_rng(2016)``, and the first 60 % (``round(0.6 * 181) = 109`` patients)
are the FIT patients, the other 72 the REPORT patients. ``../shared/data/pcg/circor`` (12 other
patients, 46 recordings) is a second held-out set, never used for fitting.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ._util import shared_data

DATA = shared_data() / "pcg"
DEV = DATA / "circor_dev"
EXTRA = DATA / "circor"
SPLIT_SEED = 2016
FIT_FRACTION = 0.6


def patients(folder: Path) -> list[int]:
    return sorted({int(p.name.split("_")[0]) for p in folder.glob("*.tsv")})


def split() -> tuple[list[int], list[int]]:
    """(fit patients, report patients) of circor_dev, as described above."""
    ids = np.array(patients(DEV))
    order = np.random.default_rng(SPLIT_SEED).permutation(ids.size)
    k = round(FIT_FRACTION * ids.size)
    return sorted(ids[order[:k]].tolist()), sorted(ids[order[k:]].tolist())


def recordings(folder: Path, ids) -> list[Path]:
    """The .wav files of the given patients (sorted), each with its .tsv beside it."""
    ids = set(int(i) for i in ids)
    return sorted(p for p in folder.glob("*.wav") if int(p.name.split("_")[0]) in ids)


def read(path: Path):
    """(x float64, sr, Segmentation or None if the .tsv is unusable, reason)."""
    import soundfile as sf

    from physiofeat import ParameterError
    from physiofeat.pcg import Segmentation

    x, sr = sf.read(path, dtype="float64")
    try:
        seg = Segmentation.from_tsv(path.with_suffix(".tsv"), sr=sr, n_samples=x.shape[0])
    except ParameterError as exc:
        return x, sr, None, str(exc)
    return x, sr, seg, ""


# ------------------------------------------------------------------------------------------
# scoring


def annotated_spans(seg) -> np.ndarray:
    """(k, 2) maximal runs of annotated (state 1-4) intervals."""
    iv = seg.intervals
    ann = iv[:, 2] > 0
    spans = []
    i = 0
    while i < iv.shape[0]:
        if ann[i]:
            j = i
            while j + 1 < iv.shape[0] and ann[j + 1]:
                j += 1
            spans.append((iv[i, 0], iv[j, 1]))
            i = j + 1
        else:
            i += 1
    return np.array(spans).reshape(-1, 2)


def match(ref: np.ndarray, det: np.ndarray, tol: float) -> tuple[int, np.ndarray]:
    """One-to-one matching of centres (s) within ``tol``, closest pairs first.
    Returns (n matched, |errors| of the matched pairs)."""
    if ref.size == 0 or det.size == 0:
        return 0, np.zeros(0)
    d = np.abs(ref[:, None] - det[None, :])
    pairs = np.argwhere(d <= tol)
    if pairs.size == 0:
        return 0, np.zeros(0)
    pairs = pairs[np.argsort(d[pairs[:, 0], pairs[:, 1]], kind="stable")]
    used_r, used_d, errs = set(), set(), []
    for r, c in pairs:
        if r in used_r or c in used_d:
            continue
        used_r.add(r)
        used_d.add(c)
        errs.append(d[r, c])
    return len(errs), np.array(errs)


def score(ref_seg, det_centres: dict, tols=(0.06, 0.03)) -> dict:
    """Counts per sound (1 = S1, 3 = S2) and tolerance: reference sounds (all annotated ones),
    detections whose centre lies inside an annotated span, matches, |errors|."""
    spans = annotated_spans(ref_seg)
    out = {}
    for code in (1, 3):
        ref = ref_seg.centres(code)
        det = np.asarray(det_centres[code], dtype=np.float64)
        inside = ((det[:, None] >= spans[:, 0]) & (det[:, None] < spans[:, 1])).any(axis=1)
        det = det[inside]
        for tol in tols:
            k, err = match(ref, det, tol)
            out[(code, tol)] = (ref.size, det.size, k, err)
    return out


def summarise(rows: list[dict], tols=(0.06, 0.03)) -> dict:
    """Pooled F1 (2 TP / (n_ref + n_det)), Se, PPV and MAE (ms) of matched centres."""
    res = {}
    for code in (1, 3):
        for tol in tols:
            n_ref = sum(r[(code, tol)][0] for r in rows)
            n_det = sum(r[(code, tol)][1] for r in rows)
            tp = sum(r[(code, tol)][2] for r in rows)
            err = np.concatenate([r[(code, tol)][3] for r in rows] or [np.zeros(0)])
            res[(code, tol)] = {
                "f1": 2 * tp / max(1, n_ref + n_det),
                "se": tp / max(1, n_ref),
                "ppv": tp / max(1, n_det),
                "mae_ms": 1000 * float(err.mean()) if err.size else float("nan"),
                "n_ref": n_ref,
            }
    return res
