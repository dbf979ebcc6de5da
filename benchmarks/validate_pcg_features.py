"""Do the pcg murmur features separate murmur from no murmur, and what does the preset cost?

On the CirCor recordings in ``../shared/data/pcg/circor`` (12 patients, 46 recordings; murmur
Present / Absent / Unknown per patient in ``<patient>.txt``), per recording:

- the murmur features (:func:`physiofeat.pcg.murmur_features`) from CirCor's own segmentation
  (``.tsv``) and from :func:`physiofeat.pcg.segment`, and the area under the ROC curve of each
  for Present against Absent recordings (Mann-Whitney; 0.5 is chance). Nothing is fitted, so
  there is no split; recordings of one patient are not independent, so read the AUC as a
  screening figure, not a classifier's score (issue #16 builds that, patient-wise);
- whether the quality indices (:func:`physiofeat.pcg.signal_quality`) flag the recordings the
  segmenter gets wrong: per recording, the share of CirCor's annotated S1 and S2 sounds that
  :func:`~physiofeat.pcg.segment` finds (a detected sound of the same kind whose centre is
  within 60 ms), and its Spearman correlation with each index (``rr_cv`` and
  ``cycle_coverage`` from the segmenter's own segmentation);
- the time of ``extract(x, "heart_sound", sr=sr)`` (segmentation included), after a first call
  that loads the JIT caches (reported apart), in seconds per recording-minute.

Run: ``.venv/bin/python benchmarks/validate_pcg_features.py``
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import numpy as np

import physiofeat
from physiofeat.pcg import (
    MURMUR_STATS,
    QUALITY_NAMES,
    S1,
    S2,
    Segmentation,
    murmur_features,
    segment,
    signal_quality,
)

from ._util import shared_data

ROOT = Path(__file__).resolve().parents[1]
SHARED = shared_data()


def auc(pos: np.ndarray, neg: np.ndarray) -> float:
    """P(a Present recording scores above an Absent one), ties counted half."""
    pos, neg = pos[np.isfinite(pos)], neg[np.isfinite(neg)]
    if not pos.size or not neg.size:
        return float("nan")
    d = pos[:, None] - neg[None, :]
    return float((d > 0).mean() + 0.5 * (d == 0).mean())


def found(ref: Segmentation, auto: Segmentation, tol: float = 0.06) -> float:
    """Share of the reference's S1 and S2 sounds with a detected one of the same kind whose
    centre is within ``tol`` s of theirs."""
    hits = total = 0
    for state in (S1, S2):
        r, a = ref.centres(state), auto.centres(state)
        total += r.size
        if r.size and a.size:
            hits += int((np.abs(r[:, None] - a[None, :]).min(axis=1) <= tol).sum())
    return hits / total if total else float("nan")


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    ok = np.isfinite(a) & np.isfinite(b)
    ra = np.argsort(np.argsort(a[ok])).astype(float)
    rb = np.argsort(np.argsort(b[ok])).astype(float)
    return float(np.corrcoef(ra, rb)[0, 1])


def main() -> int:
    folder = SHARED / "pcg" / "circor"
    if not folder.is_dir():
        print(f"{folder} is absent; nothing to do")
        return 0
    x0, sr0 = physiofeat.load(sorted(folder.glob("*.wav"))[0])
    t = time.perf_counter()
    physiofeat.extract(x0, "heart_sound", sr=sr0)
    first = time.perf_counter() - t
    rows, spent, minutes = [], 0.0, 0.0
    for txt in sorted(folder.glob("*.txt")):
        label = re.search(r"#Murmur: (\w+)", txt.read_text()).group(1)
        for wav in sorted(folder.glob(f"{txt.stem}_*.wav")):
            x, sr = physiofeat.load(wav)
            ref = Segmentation.from_tsv(wav.with_suffix(".tsv"), sr=sr, n_samples=x.size)
            t = time.perf_counter()
            physiofeat.extract(x, "heart_sound", sr=sr)
            spent += time.perf_counter() - t
            minutes += x.size / sr / 60
            auto = segment(x, sr=sr)
            m_ref = murmur_features(x, sr=sr, segmentation=ref)
            m_auto = murmur_features(x, sr=sr, segmentation=auto)
            q = signal_quality(x, sr=sr, segmentation=auto)  # what a user has without a .tsv
            rows.append((label, m_ref, m_auto, q, found(ref, auto)))
    present = [r for r in rows if r[0] == "Present"]
    absent = [r for r in rows if r[0] == "Absent"]
    print(f"CirCor {folder}: {len(rows)} recordings, {len(present)} Present, {len(absent)} Absent")
    print(f"{'murmur feature':28s} {'AUC (.tsv)':>10s} {'AUC (segment)':>14s}")
    for k in MURMUR_STATS:
        a = [auc(np.array([r[j][k] for r in present]), np.array([r[j][k] for r in absent]))
             for j in (1, 2)]  # fmt: skip
        print(f"{k:28s} {a[0]:10.3f} {a[1]:14.3f}")
    hit = np.array([r[4] for r in rows])
    print(
        f"segment() finds {np.nanmean(hit):.3f} of CirCor's S1/S2 sounds (mean over recordings; "
        f"{(hit < 0.8).sum()} recordings below 0.8)"
    )
    print(f"{'quality index':28s} {'Spearman r with the share found':>32s}")
    for k in QUALITY_NAMES:
        print(f"{k:28s} {spearman(np.array([r[3][k] for r in rows]), hit):32.3f}")
    print(
        f"heart_sound preset: {spent:.1f} s for {minutes:.1f} recording-minutes "
        f"({spent / minutes:.2f} s per minute at 4 kHz, segmentation included); first call "
        f"(JIT caches) {first:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
