"""Evaluation of ECG delineation against manual annotations (LUDB, QT Database).

Shared by ``benchmarks/validate_ecg.py`` (the full tables, with NeuroKit2 side by side) and
``tests/test_ecg.py`` (the same evaluation as a test with the targets as bounds).

Reference beats
---------------
* LUDB: per lead, P onset = the ``(`` right before a ``p``, QRS onset = the ``(`` right before an
  ``N`` (the R mark); each QRS gets the last P onset less than 400 ms before it. The *multi-lead*
  reference of a beat is the global CSE measurement: the earliest QRS onset and the earliest P
  onset over the 12 leads' annotations of that beat (beats grouped by their ``N`` mark, within
  100 ms of lead II's).
* QTDB ``.q1c``: ``(`` with ``num`` 0 is a P onset, with ``num`` 1 a QRS onset (annotator 1 used
  both leads, so the same reference serves lead 0 and the two-lead estimate). The record is cut to
  the annotated span +- 10 s before delineation.

Matching and metrics
--------------------
A detected beat matches a reference beat when its R peak is within 100 ms of the reference ``N``.
On matched beats: QRS-onset error = detected - reference; P true positive when both have a P wave,
false negative when only the reference has one, false positive when only the detector has one;
P-onset error and PR error (detected PR - reference PR) on true positives. Errors in ms.
Records without P waves (atrial fibrillation, flutter, paced) are kept apart: on them the figure is
the fraction of beats given a P wave (ideally 0).
"""

from __future__ import annotations

import csv
import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

LUDB_LEADS = ("i", "ii", "iii", "avr", "avl", "avf", "v1", "v2", "v3", "v4", "v5", "v6")
MATCH_S = 0.100
P_BEFORE_S = 0.400
QTDB_MARGIN_S = 10.0
QTDB_NON_SINUS = {"sel102": "paced"}

#: Targets of issue 5 (CSE tolerances for onsets; P detection on sinus beats).
TARGETS = {"pr_mae": 10.0, "p_on_sd": 10.2, "qrs_on_sd": 6.5, "p_se": 95.0, "p_ppv": 95.0}

#: Targets of issue 15 (CSE tolerances for the QRS offset and T end; record-median QT).
QT_TARGETS = {"qoff_sd": 11.6, "tend_sd": 30.6, "qt_rec_mae": 15.0}

Detector = Callable[[np.ndarray, float], dict]

#: ``QT_PARAMS`` entries that bring back the first version of the QT delineation (commit f155679:
#: each beat's own QRS offset at sigma 4 ms, no QTc bound on the T-wave search, the plain median
#: of the leads' T ends), for the before / after rows of the validation.
QT_FIRST = {
    "j_sigma_ms": 4.0,
    "j_bias_ms": -7.0,
    "j_bias_spatial_ms": 2.0,
    "jt_blend": 1.0,
    "t_qtc_max_ms": 0.0,
    "t_lead_weighted": False,
}

#: Lead pairs of LUDB records standing in for the QT Database's two leads (its records have
#: MLII/V5, V5/V2, MLII/V2, MLII/V1, D3/D4, CM5/ML5): the development set of the two-lead rule.
LUDB_LEAD_PAIRS = (
    ("ii", "v5"),
    ("v5", "v2"),
    ("ii", "v2"),
    ("ii", "v1"),
    ("iii", "v4"),
    ("i", "avf"),
)


class qt_params:  # noqa: N801 -- used as a context manager, like a function
    """Temporarily override entries of ``physiofeat.ecg._qt.QT_PARAMS`` (for the method
    comparison of the validation, e.g. ``with qt_params(t_method="tangent"): ...``)."""

    def __init__(self, **kw):
        self.kw = kw

    def __enter__(self):
        from physiofeat.ecg import _qt

        self.old = {k: _qt.QT_PARAMS[k] for k in self.kw}
        _qt.QT_PARAMS.update(self.kw)

    def __exit__(self, *exc):
        from physiofeat.ecg import _qt

        _qt.QT_PARAMS.update(self.old)


@dataclass
class Ref:
    """Reference beats of one record, sample indices (NaN where absent)."""

    r: np.ndarray
    qon: np.ndarray
    pon: np.ndarray
    #: whether the annotation covers the time before the QRS (so "no P mark" means "no P wave");
    #: False for the first annotated beat of a LUDB lead, whose P wave was not annotated.
    p_known: np.ndarray | None = None
    #: QRS offset (J point) and T-wave end of each beat (NaN where not annotated).
    qoff: np.ndarray | None = None
    tend: np.ndarray | None = None


@dataclass
class Record:
    name: str
    x: np.ndarray  # (n_leads, n)
    sr: float
    ref_lead: Ref  # lead II (LUDB) / q1c (QTDB)
    ref_multi: Ref  # global over leads (LUDB) / q1c (QTDB)
    rhythm: str  # "sinus" or the non-sinus kind
    lead0: int = 1  # row of x that is "lead II"
    offset: int = 0  # sample of the original record where x starts (QTDB records are cut)
    #: LUDB: each lead's own QRS-offset and T-end marks on lead II's beats, (12, n_beats) each
    #: (NaN where that lead has none), as ``{"qoff": ..., "tend": ...}``
    lead_marks: dict | None = None


def _onsets_of(
    sample: np.ndarray, symbol: Sequence[str], peak: str
) -> tuple[np.ndarray, np.ndarray]:
    """(onset, peak) pairs: the ``(`` right before each ``peak`` mark."""
    on, pk = [], []
    for k in range(1, len(symbol)):
        if symbol[k] == peak and symbol[k - 1] == "(":
            on.append(sample[k - 1])
            pk.append(sample[k])
    return np.array(on, dtype=float), np.array(pk, dtype=float)


def _offsets_after(sample: np.ndarray, symbol: Sequence[str], peak: str) -> dict[float, float]:
    """Peak sample -> the ``)`` right after that ``peak`` mark (the wave's offset)."""
    out = {}
    for k in range(len(symbol) - 1):
        if symbol[k] == peak and symbol[k + 1] == ")":
            out[float(sample[k])] = float(sample[k + 1])
    return out


def ludb_offsets(sample: np.ndarray, symbol: Sequence[str], r: np.ndarray):
    """QRS offset and T end of the beats whose ``N`` marks are ``r`` (LUDB): the ``)`` right
    after the beat's ``N``, and the ``)`` right after the first ``t`` between this ``N`` and the
    next (NaN where not annotated)."""
    qo = _offsets_after(sample, symbol, "N")
    to = _offsets_after(sample, symbol, "t")
    tpk = np.array(sorted(to), dtype=float)
    qoff = np.array([qo.get(float(v), np.nan) for v in r])
    tend = np.full(r.size, np.nan)
    for i, v in enumerate(r):
        nxt = r[i + 1] if i + 1 < r.size else np.inf
        c = tpk[(tpk > v) & (tpk < nxt)]
        if c.size:
            tend[i] = to[float(c[0])]
    return qoff, tend


def nearest(a: np.ndarray, v: np.ndarray, tol: float) -> np.ndarray:
    """For each value of ``v``: the index of the nearest element of ``a`` (the first on a tie),
    or -1 when ``a`` is empty or that element is more than ``tol`` away."""
    a = np.asarray(a, float)
    v = np.atleast_1d(np.asarray(v, float))
    if a.size == 0:
        return np.full(v.size, -1, dtype=np.int64)
    j = np.abs(a[None, :] - v[:, None]).argmin(axis=1)
    return np.where(np.abs(a[j] - v) <= tol, j, -1)


def _pair(
    qon: np.ndarray, r: np.ndarray, pon: np.ndarray, sr: float, first_mark: float = -np.inf
) -> Ref:
    p = np.full(qon.size, np.nan)
    for i, q in enumerate(qon):
        prev = pon[(pon < q) & (pon > q - P_BEFORE_S * sr)]
        if prev.size:
            p[i] = prev[-1]
    known = np.isfinite(p) | (qon > first_mark)
    return Ref(r=r, qon=qon, pon=p, p_known=known)


def ludb_rhythms(root: Path) -> dict[str, str]:
    """Record -> "sinus", "af", "flutter" or "paced" from ``ludb.csv``."""
    out = {}
    with open(root / "ecg" / "ludb" / "ludb.csv", newline="") as f:
        for row in csv.DictReader(f):
            rh = row["Rhythms"].lower()
            if "fibrillation" in rh:
                kind = "af"
            elif "flutter" in rh:
                kind = "flutter"
            elif row["Cardiac pacing"].strip():
                kind = "paced"
            else:
                kind = "sinus"
            out[row["ID"].strip()] = kind
    return out


def ludb_names(root: Path) -> list[str]:
    d = root / "ecg" / "ludb"
    return sorted((p.stem for p in d.glob("*.hea")), key=int)


def read_ludb(
    root: Path, name: str, rhythms: dict[str, str] | None = None, *, median: bool = False
) -> Record:
    """One LUDB record; ``median=True`` makes the multi-lead reference the median over the
    leads' annotations instead of the earliest (the CSE global onset)."""
    import wfdb

    base = str(root / "ecg" / "ludb" / name)
    rec = wfdb.rdrecord(base)
    sr = float(rec.fs)
    per = {}
    for lead in LUDB_LEADS:
        ann = wfdb.rdann(base, lead)
        qon, r = _onsets_of(ann.sample, ann.symbol, "N")
        pon, _ = _onsets_of(ann.sample, ann.symbol, "p")
        per[lead] = _pair(qon, r, pon, sr, first_mark=float(ann.sample[0]))
        per[lead].qoff, per[lead].tend = ludb_offsets(ann.sample, ann.symbol, r)
    ref2 = per["ii"]
    shape = (len(per), ref2.r.size)
    Q, P, QO, TE = (np.full(shape, np.nan) for _ in range(4))
    for li, ref in enumerate(per.values()):
        k = nearest(ref.r, ref2.r, MATCH_S * sr)
        for A, v in ((Q, ref.qon), (P, ref.pon), (QO, ref.qoff), (TE, ref.tend)):
            A[li, k >= 0] = v[k[k >= 0]]
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # beats without any P mark give NaN
        gq, gp = np.nanmin(Q, axis=0), np.nanmin(P, axis=0)
        gqo, gte = np.nanmax(QO, axis=0), np.nanmax(TE, axis=0)
        mq, mp = np.nanmedian(Q, axis=0), np.nanmedian(P, axis=0)
        mqo, mte = np.nanmedian(QO, axis=0), np.nanmedian(TE, axis=0)
    if not median:
        mq, mp, mqo, mte = gq, gp, gqo, gte
    rhythms = rhythms if rhythms is not None else ludb_rhythms(root)
    return Record(
        name=f"ludb/{name}",
        x=rec.p_signal.T.copy(),
        sr=sr,
        ref_lead=ref2,
        ref_multi=Ref(r=ref2.r, qon=mq, pon=mp, p_known=ref2.p_known, qoff=mqo, tend=mte),
        rhythm=rhythms.get(name, "sinus"),
        lead0=1,
        lead_marks={"qoff": QO, "tend": TE},
    )


def read_ludb_leads(root: Path, name: str, rhythms: dict[str, str] | None = None) -> list[Record]:
    """Each of the 12 leads of one LUDB record as a one-lead record against its own marks
    (name ``ludb/<n>/<lead>``): 12 times lead II's morphologies (inverted, flat, biphasic T
    waves) for the QRS-offset and T-end rules."""
    import wfdb

    base = str(root / "ecg" / "ludb" / name)
    rec = wfdb.rdrecord(base)
    sr = float(rec.fs)
    rhythms = rhythms if rhythms is not None else ludb_rhythms(root)
    out = []
    for li, lead in enumerate(LUDB_LEADS):
        ann = wfdb.rdann(base, lead)
        qon, r = _onsets_of(ann.sample, ann.symbol, "N")
        pon, _ = _onsets_of(ann.sample, ann.symbol, "p")
        ref = _pair(qon, r, pon, sr, first_mark=float(ann.sample[0]))
        ref.qoff, ref.tend = ludb_offsets(ann.sample, ann.symbol, r)
        out.append(
            Record(
                name=f"ludb/{name}/{lead}",
                x=rec.p_signal[:, li][None].copy(),
                sr=sr,
                ref_lead=ref,
                ref_multi=ref,
                rhythm=rhythms.get(name, "sinus"),
                lead0=0,
            )
        )
    return out


def ludb_lead_pairs(records: Sequence[Record], reference: str = "median") -> list[Record]:
    """The :data:`LUDB_LEAD_PAIRS` of LUDB records (read with ``median=True``), each a two-lead
    record (name ``ludb/<n>/<a>+<b>``) against the median of the 12 leads' marks
    (``reference="median"``) or, for the QRS offset and T end, against the later of the two
    leads' own marks (``"latest"``: the CSE global offset of what a two-lead annotator sees)."""
    import warnings

    if reference not in ("median", "latest"):
        raise ValueError(f"reference={reference!r}: 'median' or 'latest'")
    idx = {lead: i for i, lead in enumerate(LUDB_LEADS)}
    out = []
    for rec in records:
        for a, b in LUDB_LEAD_PAIRS:
            ref = rec.ref_multi
            if reference == "latest":
                rows = [idx[a], idx[b]]
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)  # neither lead marks it
                    qoff, tend = (
                        np.nanmax(rec.lead_marks[k][rows], axis=0) for k in ("qoff", "tend")
                    )
                ref = dataclasses.replace(ref, qoff=qoff, tend=tend)
            out.append(
                Record(
                    name=f"{rec.name}/{a}+{b}",
                    x=rec.x[[idx[a], idx[b]]],
                    sr=rec.sr,
                    ref_lead=ref,
                    ref_multi=ref,
                    rhythm=rec.rhythm,
                    lead0=0,
                )
            )
    return out


def qtdb_names(root: Path) -> list[str]:
    d = root / "ecg" / "qtdb"
    return sorted(p.stem for p in d.glob("*.q1c"))


def qtdb_offsets(s: np.ndarray, sym: np.ndarray, num: np.ndarray, qon: np.ndarray, sr: float):
    """QRS offset (``)`` with ``num`` 1) and T end (``)`` with ``num`` 2) of each QRS onset of a
    ``.q1c`` annotation: the first of each after the onset and before the next onset (QRS offset
    within 250 ms, T end within 800 ms); NaN where not annotated."""
    qo = s[(sym == ")") & (num == 1)]
    te = s[(sym == ")") & (num == 2)]
    qoff = np.full(qon.size, np.nan)
    tend = np.full(qon.size, np.nan)
    for i, q in enumerate(qon):
        nxt = qon[i + 1] if i + 1 < qon.size else np.inf
        for out, c, w in ((qoff, qo, 0.25), (tend, te, 0.8)):
            c = c[(c > q) & (c < min(nxt, q + w * sr))]
            if c.size:
                out[i] = c[0]
    return qoff, tend


def read_qtdb(root: Path, name: str) -> Record:
    import wfdb

    base = str(root / "ecg" / "qtdb" / name)
    ann = wfdb.rdann(base, "q1c")
    sym = np.array(ann.symbol)
    s = ann.sample.astype(float)
    num = np.asarray(ann.num)
    qon = s[(sym == "(") & (num == 1)]
    pon = s[(sym == "(") & (num == 0)]
    r = np.array(
        [s[(sym == "N") & (s > q)][0] if np.any((sym == "N") & (s > q)) else q for q in qon]
    )
    rec = wfdb.rdrecord(base)
    sr = float(rec.fs)
    lo = int(max(np.min(qon) - QTDB_MARGIN_S * sr, 0))
    hi = int(min(np.max(qon) + QTDB_MARGIN_S * sr, rec.p_signal.shape[0]))
    x = rec.p_signal[lo:hi].T.copy()
    x = np.nan_to_num(x)
    ref = _pair(qon - lo, r - lo, pon - lo, sr)
    ref.qoff, ref.tend = qtdb_offsets(s, sym, num, qon, sr)
    ref.qoff, ref.tend = ref.qoff - lo, ref.tend - lo
    return Record(
        name=f"qtdb/{name}",
        x=x,
        sr=sr,
        ref_lead=ref,
        ref_multi=ref,
        rhythm=QTDB_NON_SINUS.get(name, "sinus"),
        lead0=0,
        offset=lo,
    )


# --------------------------------------------------------------------------------------------
# matching and metrics


@dataclass
class Tally:
    """Errors (ms) and counts pooled over records."""

    qrs_err: list = field(default_factory=list)
    pon_err: list = field(default_factory=list)
    pr_err: list = field(default_factory=list)
    tp: int = 0
    fn: int = 0
    fp: int = 0
    n_ref: int = 0
    n_matched: int = 0
    nonsinus_beats: int = 0
    nonsinus_with_p: int = 0
    qoff_err: list = field(default_factory=list)
    tend_err: list = field(default_factory=list)
    #: per record: detected minus manual record-median QT (ms)
    qt_rec_err: list = field(default_factory=list)
    #: reference beats with a manual T end, and those of them given a T end
    t_ref: int = 0
    t_found: int = 0

    def add(self, other: Tally) -> None:
        for k in ("qrs_err", "pon_err", "pr_err", "qoff_err", "tend_err", "qt_rec_err"):
            getattr(self, k).extend(getattr(other, k))
        for k in (
            "tp",
            "fn",
            "fp",
            "n_ref",
            "n_matched",
            "nonsinus_beats",
            "nonsinus_with_p",
            "t_ref",
            "t_found",
        ):
            setattr(self, k, getattr(self, k) + getattr(other, k))

    def metrics(self) -> dict[str, float]:
        q = np.asarray(self.qrs_err, float)
        p = np.asarray(self.pon_err, float)
        pr = np.asarray(self.pr_err, float)

        def m(a, f):
            return float(f(a)) if a.size else np.nan

        def sd(a):
            return np.std(a, ddof=1) if a.size > 1 else np.nan

        qo = np.asarray(self.qoff_err, float)
        te = np.asarray(self.tend_err, float)
        qt = np.asarray(self.qt_rec_err, float)
        return {
            "qoff_mean": m(qo, np.mean),
            "qoff_sd": m(qo, sd),
            "qoff_n": int(qo.size),
            "tend_mean": m(te, np.mean),
            "tend_sd": m(te, sd),
            "tend_n": int(te.size),
            "t_se": 100.0 * self.t_found / self.t_ref if self.t_ref else np.nan,
            "qt_rec_mae": m(qt, lambda a: np.mean(np.abs(a))),
            "qt_records": int(qt.size),
            "beats": self.n_ref,
            "r_se": 100.0 * self.n_matched / self.n_ref if self.n_ref else np.nan,
            "qrs_on_mean": m(q, np.mean),
            "qrs_on_sd": m(q, lambda a: np.std(a, ddof=1) if a.size > 1 else np.nan),
            "p_on_mean": m(p, np.mean),
            "p_on_sd": m(p, lambda a: np.std(a, ddof=1) if a.size > 1 else np.nan),
            "pr_mae": m(pr, lambda a: np.mean(np.abs(a))),
            "p_se": 100.0 * self.tp / (self.tp + self.fn) if self.tp + self.fn else np.nan,
            "p_ppv": 100.0 * self.tp / (self.tp + self.fp) if self.tp + self.fp else np.nan,
            "nonsinus_beats": self.nonsinus_beats,
            "nonsinus_p_frac": (
                100.0 * self.nonsinus_with_p / self.nonsinus_beats
                if self.nonsinus_beats
                else np.nan
            ),
        }


def _compare_qt(t: Tally, ref: Ref, det: dict, near: np.ndarray, ms: float) -> None:
    """QRS-offset and T-end errors and the record-median QT error on the matched beats (called
    for sinus records only, as the onset errors are)."""
    if ref.qoff is None or "qoff" not in det:
        return
    ok = near >= 0
    j = near[ok]
    dqo = np.asarray(det["qoff"], float)[j]
    dte = np.asarray(det["tend"], float)[j]
    dqt = dte - np.asarray(det["qon"], float)[j]
    rqo, rte = ref.qoff[ok], ref.tend[ok]
    rqt = rte - ref.qon[ok]
    e = dqo - rqo
    t.qoff_err.extend((e[np.isfinite(e)] * ms).tolist())
    e = dte - rte
    t.tend_err.extend((e[np.isfinite(e)] * ms).tolist())
    t.t_ref += int(np.isfinite(rte).sum())
    t.t_found += int((np.isfinite(rte) & np.isfinite(dte)).sum())
    a, b = dqt[np.isfinite(dqt)], rqt[np.isfinite(rqt)]
    if a.size and b.size:
        t.qt_rec_err.append(float(np.median(a) - np.median(b)) * ms)


def compare(ref: Ref, det: dict, sr: float, sinus: bool) -> Tally:
    """Match detected beats (``det``: sample arrays r, qon, pon) to reference beats and tally."""
    t = Tally()
    ms = 1000.0 / sr
    dr = np.asarray(det["r"], float)
    t.n_ref = ref.r.size
    near = nearest(dr, ref.r, MATCH_S * sr)
    if sinus:
        _compare_qt(t, ref, det, near, ms)
    for i in range(ref.r.size):
        j = int(near[i])
        if j < 0:
            continue
        t.n_matched += 1
        dq = det["qon"][j]
        dp = det["pon"][j]
        if not sinus:
            t.nonsinus_beats += 1
            t.nonsinus_with_p += int(np.isfinite(dp))
            continue
        if np.isfinite(dq) and np.isfinite(ref.qon[i]):
            t.qrs_err.append((dq - ref.qon[i]) * ms)
        has_ref = np.isfinite(ref.pon[i])
        has_det = np.isfinite(dp)
        if has_ref and has_det:
            t.tp += 1
            t.pon_err.append((dp - ref.pon[i]) * ms)
            if np.isfinite(dq):
                t.pr_err.append(((dq - dp) - (ref.qon[i] - ref.pon[i])) * ms)
        elif has_ref:
            t.fn += 1
        elif has_det and (ref.p_known is None or ref.p_known[i]):
            t.fp += 1
    return t


# --------------------------------------------------------------------------------------------
# R-peak detection over whole records (QTDB .atr beat labels)

#: MIT-BIH beat labels (every label that marks a QRS complex).
BEAT_SYMBOLS = frozenset("NLRBAaJSVrFejnE/fQ?")
#: Matching window of a detected beat to a reference beat (ANSI/AAMI EC57: 150 ms).
BEAT_MATCH_S = 0.150


def match_beats(det: np.ndarray, ref: np.ndarray, tol: float) -> tuple[int, int, int]:
    """(true positives, false negatives, false positives): each reference beat takes the nearest
    unused detection within ``tol`` samples."""
    det = np.sort(np.asarray(det, float))
    used = np.zeros(det.size, dtype=bool)
    tp = 0
    for r in np.asarray(ref, float):
        j = int(np.searchsorted(det, r))
        best = -1
        for k in (j - 1, j):
            if 0 <= k < det.size and not used[k] and abs(det[k] - r) <= tol:
                if best < 0 or abs(det[k] - r) < abs(det[best] - r):
                    best = k
        if best >= 0:
            used[best] = True
            tp += 1
    return tp, int(ref.size - tp), int(det.size - used.sum())


def qtdb_beat_detection(root: Path, detector: Callable[[np.ndarray, float], np.ndarray]) -> dict:
    """R-peak detection over the *whole* QTDB records (15 min, both leads given to ``detector``
    as one array or ``detector`` picking what it wants) against the ``.atr`` beat labels; beats
    and detections in the first and last second are left out (edge effects of both)."""
    import wfdb

    tp = fn = fp = n = 0
    for name in qtdb_names(root):
        base = root / "ecg" / "qtdb" / name
        if not base.with_suffix(".atr").is_file():
            continue
        rec = wfdb.rdrecord(str(base))
        ann = wfdb.rdann(str(base), "atr")
        sr = float(rec.fs)
        x = np.nan_to_num(rec.p_signal.T)
        lo, hi = sr, x.shape[1] - sr
        ref = np.array([s for s, c in zip(ann.sample, ann.symbol) if c in BEAT_SYMBOLS], float)
        ref = ref[(ref > lo) & (ref < hi)]
        det = np.asarray(detector(x, sr), float)
        det = det[(det > lo) & (det < hi)]
        a, b, c = match_beats(det, ref, BEAT_MATCH_S * sr)
        tp, fn, fp, n = tp + a, fn + b, fp + c, n + ref.size
    return {
        "beats": n,
        "se": 100.0 * tp / (tp + fn) if tp + fn else np.nan,
        "ppv": 100.0 * tp / (tp + fp) if tp + fp else np.nan,
        "fn": fn,
        "fp": fp,
    }


def _neurokit_clean_peaks(x: np.ndarray, sr: float):
    """NeuroKit2 ``ecg_clean`` and ``ecg_peaks`` of one lead: ``(clean, R-peak indices)``."""
    import warnings

    import neurokit2 as nk

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clean = nk.ecg_clean(x, sampling_rate=int(sr))
        _, info = nk.ecg_peaks(clean, sampling_rate=int(sr))
    return clean, info["ECG_R_Peaks"]


def neurokit_r_peaks(x: np.ndarray, sr: float) -> np.ndarray:
    """NeuroKit2 ``ecg_clean`` + ``ecg_peaks`` R peaks of one lead."""
    return np.asarray(_neurokit_clean_peaks(x, sr)[1], dtype=float)


# --------------------------------------------------------------------------------------------
# detectors


def physiofeat_detector(x: np.ndarray, sr: float, p_threshold: float | None = None) -> dict:
    """physiofeat.ecg.delineate (default or given ``p_threshold``), in samples."""
    from physiofeat.ecg import delineate

    b = delineate(x, sr=sr) if p_threshold is None else delineate(x, sr=sr, p_threshold=p_threshold)
    return {
        "r": b.r_time * sr,
        "qon": b.qrs_onset * sr,
        "pon": b.p_onset * sr,
        "ppk": b.p_peak * sr,
        "qoff": b.qrs_offset * sr,
        "tend": b.t_end * sr,
    }


def neurokit_detector(x: np.ndarray, sr: float) -> dict:
    """NeuroKit2: ecg_clean, ecg_peaks, ecg_delineate(method="dwt"), one lead, in samples."""
    import warnings

    import neurokit2 as nk

    clean, peaks = _neurokit_clean_peaks(x, sr)
    r = np.asarray(peaks, dtype=float)
    nan = np.full(r.size, np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            _, w = nk.ecg_delineate(clean, peaks, sampling_rate=int(sr), method="dwt")
        except Exception:  # noqa: BLE001 -- NeuroKit2 fails on some records; count as no waves
            return {"r": r, "qon": nan, "pon": nan, "ppk": nan, "qoff": nan, "tend": nan}

    def arr(key):
        a = np.asarray(w.get(key, nan), dtype=float)
        return a if a.size == r.size else nan

    return {
        "r": r,
        "qon": arr("ECG_R_Onsets"),
        "pon": arr("ECG_P_Onsets"),
        "ppk": arr("ECG_P_Peaks"),
        "qoff": arr("ECG_R_Offsets"),
        "tend": arr("ECG_T_Offsets"),
    }


def ecgpuwave_beats(root: Path, rec: Record, chan: int | None) -> dict:
    """The automatic delineation distributed with the QT Database (``.pu``: ecgpuwave, Laguna et
    al. 1994), in samples of ``rec.x``. ``chan`` 0 or 1 is one lead's delineation; ``None`` is
    the two-lead estimate: each beat's earliest QRS onset and P onset and latest QRS offset and
    T end over the two leads (beats of lead 0 matched to lead 1 within 100 ms).

    A beat is an ``N`` mark; its QRS onset the last QRS ``(`` (``num`` 1) within 150 ms before it,
    its P onset the last P ``(`` (``num`` 0) within 400 ms before the QRS onset, its QRS offset
    the first QRS ``)`` within 250 ms after it and its T end the first T ``)`` (``num`` 2) within
    800 ms after it, both before the next beat's QRS onset (or ``N`` mark)."""
    import wfdb

    if chan is None:
        a, b = ecgpuwave_beats(root, rec, 0), ecgpuwave_beats(root, rec, 1)
        out = {k: v.copy() for k, v in a.items()}
        for i, j in enumerate(nearest(b["r"], a["r"], MATCH_S * rec.sr)):
            if j >= 0:
                for k, pick in (
                    ("qon", np.min),
                    ("pon", np.min),
                    ("qoff", np.max),
                    ("tend", np.max),
                ):
                    v = np.array([a[k][i], b[k][j]])
                    out[k][i] = pick(v[np.isfinite(v)]) if np.isfinite(v).any() else np.nan
        return out
    ann = wfdb.rdann(str(root / "ecg" / "qtdb" / rec.name.split("/")[1]), "pu")
    keep = np.asarray(ann.chan) == chan
    s = ann.sample[keep].astype(float) - rec.offset
    sym = np.asarray(ann.symbol)[keep]
    num = np.asarray(ann.num)[keep]
    order = np.argsort(s, kind="stable")
    s, sym, num = s[order], sym[order], num[order]
    r = s[sym == "N"]
    qo = s[(sym == "(") & (num == 1)]
    po = s[(sym == "(") & (num == 0)]
    qe = s[(sym == ")") & (num == 1)]
    te = s[(sym == ")") & (num == 2)]
    qon, pon, qoff, tend = (np.full(r.size, np.nan) for _ in range(4))
    for i, rv in enumerate(r):
        c = qo[(qo <= rv) & (qo > rv - 0.150 * rec.sr)]
        if c.size:
            qon[i] = c[-1]
            c = po[(po < qon[i]) & (po > qon[i] - P_BEFORE_S * rec.sr)]
            if c.size:
                pon[i] = c[-1]
    for i, rv in enumerate(r):
        nxt = r[i + 1] if i + 1 < r.size else np.inf
        if i + 1 < r.size and np.isfinite(qon[i + 1]):
            nxt = qon[i + 1]
        for out, c, w in ((qoff, qe, 0.25), (tend, te, 0.8)):
            c = c[(c > rv) & (c < min(nxt, rv + w * rec.sr))]
            if c.size:
                out[i] = c[0]
    return {"r": r, "qon": qon, "pon": pon, "qoff": qoff, "tend": tend}


def best_lead_per_beat(rec: Record, dets: Sequence[dict]) -> dict:
    """The QT Database's usual single-lead protocol (Laguna et al. 1994, Martinez et al. 2004):
    for each reference beat and each mark, the one-lead estimate (``dets``, one per lead) that
    lies nearest the manual mark. It chooses with the answer, so it is a bound on what a rule
    choosing one lead per beat could reach, not an estimator; the validation prints it beside the
    fixed-lead and two-lead figures to compare with published QTDB numbers."""
    ref = rec.ref_multi
    base = dets[0]
    r = np.asarray(base["r"], float)
    out = {"r": r}
    idx = [nearest(np.asarray(d["r"], float), r, MATCH_S * rec.sr) for d in dets]
    near = nearest(r, ref.r, MATCH_S * rec.sr)  # detected beat of each reference beat
    for key in ("qon", "pon", "qoff", "tend"):
        if not all(key in d for d in dets):
            continue
        V = np.full((len(dets), r.size), np.nan)
        for li, (d, j) in enumerate(zip(dets, idx)):
            V[li, j >= 0] = np.asarray(d[key], float)[j[j >= 0]]
        v = V[0].copy()
        truth = getattr(ref, key)
        for b, i in enumerate(near):
            if i < 0 or truth is None or not np.isfinite(truth[b]):
                continue
            cand = V[:, i]
            if np.isfinite(cand).any():
                v[i] = cand[np.nanargmin(np.abs(cand - truth[b]))]
        out[key] = v
    return out


def evaluate_given(records: Sequence[Record], dets: Sequence[dict], *, multi: bool) -> dict:
    """Pooled metrics of precomputed detections (one dict of sample arrays per record)."""
    total = Tally()
    for rec, det in zip(records, dets):
        ref = rec.ref_multi if multi else rec.ref_lead
        total.add(compare(ref, det, rec.sr, rec.rhythm == "sinus"))
    return total.metrics()


def per_lead_combined(detector: Detector, x: np.ndarray, sr: float, q: float = 0.5) -> dict:
    """A single-lead detector run on each lead, combined per beat (median over leads, on the beats
    of the first lead's R peaks matched within 100 ms); used to give NeuroKit2 a multi-lead
    estimate built by the same rule as physiofeat's (for the T end physiofeat weights the
    leads by their T amplitude; NeuroKit2 gives no amplitude, so its T ends take the median)."""
    outs = [detector(x[i], sr) for i in range(x.shape[0])]
    base = outs[1] if len(outs) > 1 else outs[0]
    r = base["r"]
    keys = [k for k in ("qon", "pon", "qoff", "tend") if k in base]
    A = {k: np.full((len(outs), r.size), np.nan) for k in keys}
    for li, o in enumerate(outs):
        j = nearest(o["r"], r, MATCH_S * sr)
        for k in keys:
            A[k][li, j >= 0] = np.asarray(o[k])[j[j >= 0]]
    import warnings

    out = {"r": r}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for k in keys:
            v = np.nanquantile(A[k], q, axis=0)
            if k in ("pon", "tend"):  # a wave is there when at least half the leads show it
                v = np.where(np.mean(np.isfinite(A[k]), axis=0) >= 0.5, v, np.nan)
            out[k] = v
    return out


def evaluate(
    records: Sequence[Record], detector: Detector, *, multi: bool, combine: Callable | None = None
) -> tuple[dict, dict[str, Tally]]:
    """Pool the tallies of ``detector`` over ``records``; lead II (``multi=False``) or all leads.

    ``combine(detector, x, sr)`` builds the multi-lead estimate for single-lead detectors.
    Returns (pooled metrics, per-record tallies).
    """
    total = Tally()
    per = {}
    for rec in records:
        if multi:
            det = combine(detector, rec.x, rec.sr) if combine else detector(rec.x, rec.sr)
            ref = rec.ref_multi
        else:
            det = detector(rec.x[rec.lead0], rec.sr)
            ref = rec.ref_lead
        t = compare(ref, det, rec.sr, rec.rhythm == "sinus")
        per[rec.name] = t
        total.add(t)
    return total.metrics(), per


# --------------------------------------------------------------------------------------------
# how far the manual marks themselves scatter (a floor for any detector's error SD)


def is_tuning_record(rec: Record) -> bool:
    """LUDB records with an odd number: the half on which the QRS-onset refinement was chosen."""
    db, num = rec.name.split("/")[:2]
    return db == "ludb" and int(num) % 2 == 1


def _pooled_sd(groups: Sequence[np.ndarray]) -> float:
    """Within-group SD pooled over groups (each group's own mean removed; NaN values dropped;
    groups of fewer than three values left out)."""
    ss, dof = 0.0, 0
    for v in groups:
        v = np.asarray(v, float)
        v = v[np.isfinite(v)]
        if v.size > 2:
            ss += float(np.sum((v - v.mean()) ** 2))
            dof += v.size - 1
    return float(np.sqrt(ss / dof)) if dof else np.nan


def reference_spread(records: Sequence[Record]) -> dict[str, float]:
    """Within-record SD (ms, pooled over sinus records) of the manual QRS onset relative to the
    manual R mark and of the manual PR interval. The QRS shape and, at rest, the PR interval
    barely change from beat to beat, so these mostly measure where the annotator's mark falls."""
    q, pr = [], []
    for rec in records:
        if rec.rhythm == "sinus":
            ref, ms = rec.ref_lead, 1000.0 / rec.sr
            q.append((ref.qon - ref.r) * ms)
            pr.append((ref.qon - ref.pon) * ms)
    return {"qrs_vs_r_sd": _pooled_sd(q), "pr_sd": _pooled_sd(pr)}


def reference_floor(records: Sequence[Record], detector: Detector) -> dict[str, float]:
    """Within-record SD (ms, pooled over sinus records) of the manual QRS onset and the manual P
    onset measured from the *detected* R peak of lead II / lead 0.

    Unlike :func:`reference_spread` this leaves the annotator's own R mark out: the detected R
    peak is an objective fiducial, and in a stable rhythm the QRS onset keeps its distance to it
    from beat to beat. What remains is mostly where the annotator's onset mark falls, so an
    estimator that moves rigidly with the R peak (any template or median-beat method, and the
    true onset of an unchanging QRS) has at least this error SD against these marks. For the P
    onset the figure also holds the real beat-to-beat change of the PR interval."""
    q, p = [], []
    for rec in records:
        if rec.rhythm != "sinus":
            continue
        ref, ms = rec.ref_lead, 1000.0 / rec.sr
        dr = np.asarray(detector(rec.x[rec.lead0], rec.sr)["r"], float)
        near = nearest(dr, ref.r, MATCH_S * rec.sr)
        ok = near >= 0
        if ok.any():
            r = dr[near[ok]]
            q.append((ref.qon[ok] - r) * ms)
            p.append((ref.pon[ok] - r) * ms)
    return {"qrs_vs_det_r_sd": _pooled_sd(q), "pon_vs_det_r_sd": _pooled_sd(p)}


def ludb_reference_gaps(earliest: Sequence[Record], median: Sequence[Record]) -> dict:
    """Mean and SD (ms, sinus beats) of the lead-II mark and of the median-of-leads mark minus the
    earliest-of-leads mark (the CSE global onset), for the QRS and the P onsets: how far the
    annotator's own marks in other leads sit from the extreme that the earliest reference takes.
    ``earliest`` and ``median`` are the same LUDB records read both ways."""
    gaps: dict = {}
    for key, which in (("lead_ii", "ref_lead"), ("median", "ref_multi")):
        for wave in ("qon", "pon"):
            d = []
            for e, m in zip(earliest, median):
                if e.rhythm == "sinus":
                    other = getattr(e if key == "lead_ii" else m, which)
                    d.append((getattr(other, wave) - getattr(e.ref_multi, wave)) * 1000.0 / e.sr)
            v = np.concatenate(d) if d else np.array([])
            v = v[np.isfinite(v)]
            gaps[f"{key}_{wave}"] = (
                float(v.mean()) if v.size else np.nan,
                float(v.std(ddof=1)) if v.size > 1 else np.nan,
                int(v.size),
            )
    return gaps


def qtdb_interannotator(root: Path) -> dict[str, float]:
    """SD (ms) of annotator 2 (.q2c) minus annotator 1 (.q1c) QRS and P onsets, QRS offsets and
    T ends, pooled over the sinus QTDB records here whose .q2c differs from the .q1c (marks
    paired within 100 ms; offsets and ends are read from each annotator's own beats, as the
    reference's, :func:`qtdb_offsets`)."""
    import wfdb

    keys = ("qrs", "p", "qoff", "tend")
    out = {k: [] for k in keys}
    out["records"] = []
    for name in qtdb_names(root):
        base = root / "ecg" / "qtdb" / name
        if not base.with_suffix(".q2c").is_file() or name in QTDB_NON_SINUS:
            continue
        a1 = wfdb.rdann(str(base), "q1c")
        a2 = wfdb.rdann(str(base), "q2c")
        diffs = {}
        for num, key in ((1, "qrs"), (0, "p")):
            o = []
            for a in (a1, a2):
                sym = np.array(a.symbol)
                o.append(a.sample[(sym == "(") & (np.asarray(a.num) == num)].astype(float))
            k = nearest(o[1], o[0], MATCH_S * a1.fs)
            diffs[key] = list((o[1][k[k >= 0]] - o[0][k >= 0]) * 1000.0 / a1.fs)
            if num == 1:  # the offsets and ends of the beats whose QRS onsets were paired
                offs = []
                for a, q in ((a1, o[0]), (a2, o[1])):
                    offs.append(
                        qtdb_offsets(
                            a.sample.astype(float), np.array(a.symbol), np.asarray(a.num), q, a1.fs
                        )
                    )
                for m, mk in enumerate(("qoff", "tend")):
                    d = offs[1][m][k[k >= 0]] - offs[0][m][k >= 0]
                    diffs[mk] = list(d[np.isfinite(d)] * 1000.0 / a1.fs)
        # a group of marks identical to the q1c ones is a copy, not a second opinion
        for group, tag in ((("qrs", "p"), "records"), (("qoff", "tend"), "records_off")):
            if any(np.any(np.asarray(diffs[k]) != 0) for k in group):
                out.setdefault(tag, []).append(name)
                for key in group:
                    out[key].extend(diffs[key])
    res = {}
    for key in keys:
        v = np.asarray(out[key])
        res[f"{key}_sd"] = float(np.std(v, ddof=1)) if v.size > 1 else np.nan
        res[f"{key}_mean"] = float(np.mean(v)) if v.size else np.nan
        res[f"{key}_n"] = int(v.size)
    res["records"] = ", ".join(out["records"])
    res["records_off"] = ", ".join(out.get("records_off", []))
    return res
