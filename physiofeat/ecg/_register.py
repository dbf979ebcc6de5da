"""Registration of the ECG features with :func:`physiofeat.extract`."""

from __future__ import annotations

import warnings

import numpy as np

from .._features import STAT_FUNCS, Feature
from .._registry import register_feature, register_intermediate
from ._core import (
    HRV_STATS,
    PR_STATS,
    QT_STATS,
    EcgWarning,
    _beats_from_samples,
    _beats_not_ecg,
    _delineate,
    _delineation,
    _hrv_values,
    _nan_reason,
    _params,
    _pr_of,
    _qt_of,
    delineate,
    hrv_features,
    pr_features,
    qt_features,
    summarize_beats,
    summarize_qt,
)
from ._qt import check_qtc

#: Rows of the ``ecg_beats`` feature (seconds).
BEAT_COLUMNS: tuple[str, ...] = (
    "r_time",
    "rr",
    "qrs_onset",
    "p_onset",
    "p_peak",
    "pr_interval",
    "pr_peak",
    "qrs_offset",
    "t_peak",
    "t_end",
    "qrs_duration",
    "qt",
    "qtc",
)
_INTERVALS = ("rr", "pr_interval", "pr_peak", "qrs_duration", "qt", "qtc")


def _rows(ctx) -> list[np.ndarray]:
    return [ctx.x] if not ctx.batched else [ctx.x[i] for i in range(ctx.x.shape[0])]


def _stack(results, ctx, attrs: dict) -> np.ndarray:
    """Stack per-row ``(values, reason)`` results; each reason is warned once and the reasons
    go to ``attrs["nan_reason"]`` (one string, or one per batch row, "" where none)."""
    vals = np.stack([v for v, _ in results])
    reasons = [r or "" for _, r in results]
    for r in dict.fromkeys(r for r in reasons if r):
        warnings.warn(r, EcgWarning, stacklevel=3)
    if any(reasons):
        attrs["nan_reason"] = reasons if ctx.batched else reasons[0]
    return vals if ctx.batched else vals[0]


def _check_values(p: dict) -> None:
    """Signal-independent parameter checks, run before any work (see ``register_feature``)."""
    _params(p["p_threshold"])
    if "qtc" in p:
        check_qtc(p["qtc"])


@register_intermediate("ecg_delineation")
def _ecg_delineation(ctx, *, p_threshold):
    """Per row of the call's signal: the delineation in samples and the rate
    (:func:`_delineation`), shared by ``pr_interval``, ``qt_interval`` and ``ecg_beats``
    (one delineation per signal and ``p_threshold``, whatever their QTc formulas)."""
    return [_delineation(x, ctx.sr, p_threshold) for x in _rows(ctx)]


def _row_beats(ctx, p_threshold, qtc: str):
    """The beat tables of the call's rows with the QTc formula ``qtc`` (from the shared
    ``ecg_delineation``)."""
    qtc = check_qtc(qtc)
    rows = ctx.get("ecg_delineation", p_threshold=p_threshold)
    return [_beats_from_samples(d, sr, qtc) for d, sr in rows]


@register_feature(
    "pr_interval",
    family="ecg",
    dims=("stat",),
    params_from=pr_features,
    check=_check_values,
    description="heart rate, RR and PR-interval statistics, P-wave fraction, PR/RR correlation",
)
def _pr_interval(ctx, *, p_threshold) -> Feature:
    attrs = {"units": "s (heart_rate: bpm; p_fraction, pr_cv, pr_rr_corr: 1)"}
    vals = _stack([_pr_of(b) for b in _row_beats(ctx, p_threshold, "bazett")], ctx, attrs)
    return Feature(vals, dims=("stat",), coords={"stat": list(PR_STATS)}, attrs=attrs)


@register_feature(
    "qt_interval",
    family="ecg",
    dims=("stat",),
    params_from=qt_features,
    check=_check_values,
    description="QRS duration, QT and QTc (record median, mean, SD) and T-wave fraction",
)
def _qt_interval(ctx, *, qtc, p_threshold) -> Feature:
    attrs = {"units": "s (t_fraction: 1)", "qtc": qtc}
    vals = _stack([_qt_of(b) for b in _row_beats(ctx, p_threshold, qtc)], ctx, attrs)
    return Feature(vals, dims=("stat",), coords={"stat": list(QT_STATS)}, attrs=attrs)


@register_feature(
    "hrv",
    family="ecg",
    dims=("stat",),
    params_from=hrv_features,
    description="heart-rate variability: time domain, Lomb-Scargle LF/HF, Poincare, SampEn, DFA",
)
def _hrv(ctx) -> Feature:
    attrs = {"units": "ms (pnn50, pnn20: %; lf, hf: ms^2; ratios, nu, sampen, alpha1: 1)"}
    vals = _stack([_hrv_values(x, ctx.sr) for x in _rows(ctx)], ctx, attrs)
    return Feature(vals, dims=("stat",), coords={"stat": list(HRV_STATS)}, attrs=attrs)


def _summarize_beats(feature: Feature, stats: tuple[str, ...]):
    vals = np.asarray(feature.values, dtype=np.float64)
    names = []
    cols = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows give NaN on purpose
        for w in _INTERVALS:
            row = vals[..., BEAT_COLUMNS.index(w), :]
            for s in stats:
                names.append(f"{feature.name}_{w}_{s}")
                cols.append(
                    STAT_FUNCS[s](row, axis=-1)
                    if row.shape[-1]
                    else np.full(row.shape[:-1], np.nan)
                )
    return names, np.stack(cols, axis=-1)


@register_feature(
    "ecg_beats",
    family="ecg",
    dims=("wave", "beat"),
    params_from=delineate,
    summarize=_summarize_beats,
    check=_check_values,
    description="per-beat R, RR, QRS onset/offset, P onset/peak, T peak/end, PR, QRS, QT, QTc (s)",
)
def _ecg_beats(ctx, *, p_threshold, qtc) -> Feature:
    tables = []
    reasons = []
    for b in _row_beats(ctx, p_threshold, qtc):
        reason = _beats_not_ecg(b)
        if len(b) < 2:
            warnings.warn(f"only {len(b)} beat(s) detected", EcgWarning, stacklevel=2)
        if reason:
            warnings.warn(reason, EcgWarning, stacklevel=2)
        reasons.append(reason or "")
        tables.append(np.stack([getattr(b, c) for c in BEAT_COLUMNS]))
    nb = max(t.shape[1] for t in tables)
    out = np.full((len(tables), len(BEAT_COLUMNS), nb), np.nan)
    for i, t in enumerate(tables):
        out[i, :, : t.shape[1]] = t
    if not ctx.batched:
        out = out[0]
    return Feature(
        out,
        dims=("wave", "beat"),
        coords={"wave": list(BEAT_COLUMNS)},
        attrs={
            "units": "s",
            "padding": "NaN after the last beat of a batch row",
            **({"not_ecg_reason": reasons if ctx.batched else reasons[0]} if any(reasons) else {}),
        },
    )


# --------------------------------------------------------------------------------------------
# Record features: all the ECG leads of a record at once (physiofeat.records roles)


@register_intermediate("record_ecg_beats")
def _record_ecg_beats(ctx, *, p_threshold, qtc):
    """The multi-lead :func:`delineate` of a record's ECG channels (``ctx.signal("ecg")``) and
    its not-an-ECG reason; shared by the record features of one call (ecg_multilead and
    ecg_pcg_timing delineate once)."""
    x, sr = ctx.signal("ecg")
    return _delineate(x, sr, p_threshold, qtc)


#: Names of the ``ecg_multilead`` values: the PR summary, then the QT summary.
MULTILEAD_STATS: tuple[str, ...] = PR_STATS + QT_STATS


@register_feature(
    "ecg_multilead",
    family="ecg",
    roles=("ecg",),
    dims=("stat",),
    params_from=delineate,
    check=_check_values,
    description="PR and QRS/QT/QTc summaries (pr_interval's and qt_interval's stats) of the "
    "multi-lead delineation of all a record's ECG leads",
)
def _ecg_multilead(ctx, *, p_threshold, qtc) -> Feature:
    """:func:`pr_features` and :func:`qt_features` of the record's ECG leads ``(n_leads, n)``,
    from one delineation: the same values as those functions called on the stacked leads."""
    beats, _ = ctx.get("record_ecg_beats", p_threshold=p_threshold, qtc=qtc)
    attrs: dict = {"units": "s (heart_rate: bpm; p_fraction, pr_cv, pr_rr_corr, t_fraction: 1)"}
    parts, reasons = [], []
    for what, n, summary in (
        ("PR", len(PR_STATS), summarize_beats),
        ("QT", len(QT_STATS), summarize_qt),
    ):
        reason = _nan_reason(beats, what)
        parts.append(np.full(n, np.nan) if reason else summary(beats))
        if reason:
            reasons.append(reason)
            warnings.warn(reason, EcgWarning, stacklevel=2)
    if reasons:
        attrs["nan_reason"] = "; ".join(reasons)
    attrs["n_leads"] = len(ctx.channel_names("ecg"))
    return Feature(
        np.concatenate(parts), dims=("stat",), coords={"stat": list(MULTILEAD_STATS)}, attrs=attrs
    )
