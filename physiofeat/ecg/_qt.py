"""QRS offset (J point), T peak, T-wave end, QRS duration, QT and RR-corrected QT.

Method
------
Runs on the leads, R peaks and QRS onsets that :func:`physiofeat.ecg.delineate` already found
for the PR interval (one detection serves both).

1. *QRS offset* (the J point), the mirror of the QRS-onset rule: going forward from the largest
   slope after R (derivative of a Gaussian, sigma ``j_sigma_ms``), the first sample after which
   the slope stays below ``j_xi`` of the QRS's largest slope for ``j_quiet_ms`` (the ST segment).
   That is each beat's own offset; it is refined on the median beat as the QRS onset is in
   ``_core`` (:func:`template_qrs_offsets`): the beats are aligned on their QRS (fractional shift
   of best correlation, +-16 ms), those correlating at least 0.9 form the median beat, whose
   offset is taken by the same rule at ``jt_xi`` on the median beat resampled to 2 kHz, and a
   beat's offset is 0.7 x that template offset (carried to the beat by its shift) + 0.3 x its
   own (``jt_blend``), minus the calibration ``jt_bias_ms`` (beats of another shape keep their
   own offset, calibration ``j_bias_ms``). Single-beat noise (EMG) moved the own offset by up to
   20 ms (SD) on LUDB records 17 and 33. Several leads: the same rules on the spatial velocity
   (root sum of squared lead slopes), which comes to rest with the last lead, as the CSE global
   offset does (aligned on the lead with the largest slopes).
2. *T wave*: the signal smoothed by a Gaussian (sigma ``t_sigma_ms``), less the isoelectric
   level (the median over the ``t_base_ms`` before this beat's QRS onset and before the next
   one's, interpolated in between). The T peak is the largest ``|level|`` from ``t_pk_lo_ms``
   after the J point to ``t_hi_frac`` of the RR interval after R (at most ``t_hi_max_ms``, and
   ``t_gap_ms`` before the next QRS onset); a T wave whose amplitude is under ``t_amp_rel`` of
   the QRS amplitude is absent (NaN). A beat whose T end lies more than ``t_tol_ms`` from the
   median beat's (aligned on R) takes the median beat's T wave, unless its own T wave is absent
   by that rule: a beat without one has no T end to mend (before, the median beat's had given
   such beats a QT; on LUDB lead II T-end SD 20.2 -> 18.2 ms, T ends found 98.6 -> 96.9 %).
   The search also ends at a QTc of ``t_qtc_max_ms`` (600 ms:
   QRS onset + 600 ms x sqrt(RR in s), RR the interval before the beat), Bazett-like, so that
   in a long RR a flat T wave does not let the next P wave or a U wave pass for it (LUDB
   records 131 lead III, 15 lead V6). The T end is found after the steepest slope back towards
   the baseline that follows the peak, by the trapezium-area method (Vazquez-Seisdedos et al.
   2011: the point maximising the area of the trapezium between that slope point, the candidate
   and a fixed point ``t_right_ms`` later; of the same family as Zhang et al. 2006's area
   indicator) or by the tangent method (the tangent at the steepest slope crossing the
   baseline), chosen by ``t_method`` on the odd LUDB records (see below), minus ``t_bias_ms``.
   Several leads (:func:`combine_t_waves`), where at least ``t_lead_frac`` of the leads show a
   T wave: the median of their T ends weighted by each lead's T amplitude relative to its QRS
   amplitude (a flat T wave's end is the least reliable; with two leads, as in the QT
   Database, the end in the lead whose T wave stands out more). Chosen on 2-lead subsets of
   the odd LUDB records (II+V5, V5+V2, II+V2, II+V1, III+V4, I+aVF, against the median of the
   12 leads' marks): T-end SD 23.5 -> 20.4 ms and record-median QT MAE 14.7 -> 11.5 ms against
   the plain median; 12 leads 13.2 -> 13.6 ms (QT MAE 7.4 -> 7.3). The several-lead QRS offset
   and T end are thus a consensus of the leads, not the CSE "global" offset and end (the latest
   over the leads, which QT measured from superimposed leads takes): against the later of a
   LUDB pair's own two marks they come 8 ms (QRS offset) and 10-15 ms (T end) early, odd and even
   records alike (``validate_ecg``): the gap to expect against a QT read on superimposed leads.
3. *Intervals*: QRS duration = offset - onset; QT = T end - QRS onset; QTc from the RR interval
   before the beat (seconds): Bazett ``QT / sqrt(RR)``, Fridericia ``QT / RR**(1/3)``,
   Framingham (Sagie et al. 1992) ``QT + 0.154 (1 - RR)``, Hodges (1983)
   ``QT + 0.00175 (60 / RR - 60)``.

The parameters were chosen on the odd-numbered LUDB records (lead II and the median of the
leads' marks), the even records and the QT Database (``.q1c``) being held out;
``benchmarks/validate_ecg.py`` prints the figures of both methods. The QTc bound and the
median-beat QRS offset (``j_sigma_ms`` 6, ``jt_xi`` 0.06, ``jt_blend`` 0.3; calibrations
centring the odd records' lead-II and median-of-leads errors) were chosen on the same odd
records, adding each of their 12 leads against its own marks (17 sinus records, 1728 QRS offsets,
1535 T ends) to lead II: odd-record lead-II QRS-offset SD 13.2 -> 9.8 ms, all-lead 11.8 -> 11.1 ms;
all-lead T-end SD 31.7 -> 28.1 ms (lead II unchanged, 26.6 ms). Tried there and dropped:
taking a biphasic T wave's end at the end of its second, opposite lobe (all-lead T-end SD 28 ->
38-58 ms: on these records the lobe after the main one is mostly the slow return of the
baseline, whose end the trapezium puts far late), and a higher ``t_amp_rel`` (SD down only by
calling the low T waves absent: lead II T found 99 -> 83 %).

References
----------
Vazquez-Seisdedos CR, Neto JE, Maranon Reyes EJ, Klautau A, Limao de Oliveira RC. New approach
for T-wave end detection on electrocardiogram: performance in noisy conditions. Biomed Eng
Online 2011;10:77.
Zhang Q, Illanes Manriquez A, Medigue C, Papelier Y, Sorine M. An algorithm for robust and
efficient location of T-wave ends in electrocardiograms. IEEE Trans Biomed Eng
2006;53(12):2544-2552.
Bazett HC. An analysis of the time-relations of electrocardiograms. Heart 1920;7:353-370.
Fridericia LS. Die Systolendauer im Elektrokardiogramm bei normalen Menschen und bei
Herzkranken. Acta Med Scand 1920;53:469-486.
Sagie A, Larson MG, Goldberg RJ, Bengtson JR, Levy D. An improved method for adjusting the QT
interval for heart rate (the Framingham Heart Study). Am J Cardiol 1992;70(7):797-801.
Hodges M, Salerno D, Erlien D. Bazett's QT correction reviewed: evidence that a linear QT
correction for heart rate is better. J Am Coll Cardiol 1983;1:694.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._errors import ParameterError
from . import _kernels as K

#: Accepted values of ``qtc`` (the RR correction of the QT interval).
QTC_METHODS: tuple[str, ...] = ("bazett", "fridericia", "framingham", "hodges")

QT_PARAMS: dict[str, Any] = {
    "j_sigma_ms": 6.0,
    "j_lo_ms": 60.0,
    "j_hi_ms": 140.0,
    "j_xi": 0.07,
    "j_quiet_ms": 6.0,
    "j_bias_ms": -5.5,
    "j_bias_spatial_ms": 4.5,
    "jt_half_ms": 60.0,
    "jt_shift_ms": 16.0,
    "jt_corr": 0.9,
    "jt_rate_hz": 2000.0,
    "jt_xi": 0.06,
    "jt_blend": 0.3,
    "jt_run": 60,
    "jt_bias_ms": -4.0,
    "jt_bias_spatial_ms": 4.5,
    "t_sigma_ms": 10.0,
    "t_base_ms": 20.0,
    "t_pk_lo_ms": 60.0,
    "t_pair_ms": 200.0,
    "t_hi_frac": 0.7,
    "t_hi_max_ms": 700.0,
    "t_gap_ms": 80.0,
    "t_gap_p_ms": 10.0,
    "t_qtc_max_ms": 600.0,
    "t_amp_rel": 0.02,
    "t_method": "trapezium",
    "t_right_ms": 80.0,
    "t_bias_ms": 0.0,
    "t_template": True,
    "t_tol_ms": 40.0,
    "t_lead_frac": 0.5,
    "t_lead_weighted": True,
}


def check_qtc(qtc: Any) -> str:
    """The name of a QT correction (case-insensitive), or a ParameterError."""
    if not isinstance(qtc, str) or qtc.lower() not in QTC_METHODS:
        raise ParameterError(
            f"qtc={qtc!r} is not a QT correction; accepted: {', '.join(map(repr, QTC_METHODS))}"
        )
    return qtc.lower()


def qtc_from(qt: np.ndarray, rr: np.ndarray, method: str) -> np.ndarray:
    """RR-corrected QT (seconds) of ``qt`` and the preceding ``rr`` (seconds)."""
    qt = np.asarray(qt, dtype=np.float64)
    rr = np.asarray(rr, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        rr = np.where(rr > 0, rr, np.nan)
        if method == "bazett":
            return qt / np.sqrt(rr)
        if method == "fridericia":
            return qt / np.cbrt(rr)
        if method == "framingham":
            return qt + 0.154 * (1.0 - rr)
        return qt + 0.00175 * (60.0 / rr - 60.0)  # hodges


def _method_code(p: dict) -> int:
    return 0 if p["t_method"] == "tangent" else 1


def template_qrs_offsets(
    X: np.ndarray, xa: np.ndarray, r: np.ndarray, sr: float, p: dict, key: str
) -> np.ndarray:
    """QRS offsets (float samples, NaN where none) of the leads ``X`` (n_leads, n; one lead or
    several, whose spatial velocity is used), refined on the median beat.

    Each beat's own offset (the slope rule of ``K.qrs_offsets``, uncalibrated) is blended with the offset of the
    median beat carried to it: the beats are aligned on ``xa`` (n,) by the fractional shift of
    best correlation with its median QRS (``jt_half_ms`` either side of R, within
    ``jt_shift_ms``), those correlating at least ``jt_corr`` form the median beat of ``X``, whose
    offset is taken by the same slope rule at threshold ``jt_xi`` on the median beat resampled to
    ``jt_rate_hz``; a beat's offset is ``(1 - jt_blend)`` x the template's + ``jt_blend`` x its
    own, minus the calibration ``jt_bias``. Beats of another shape keep their own offset (with
    the single-beat calibration ``j_bias``); runs of at most ``jt_run`` beats have their own
    median beat.
    """
    from scipy.ndimage import gaussian_filter1d

    ms = 1e-3 * sr
    d = gaussian_filter1d(X, p["j_sigma_ms"] * ms, order=1, axis=-1)
    v = np.sqrt((d * d).sum(axis=0)) if X.shape[0] > 1 else d[0]
    raw = _raw_offsets(v, r, sr, p)
    own = np.where(raw >= 0, raw - p["j_bias" + key] * ms, np.nan)
    if p["jt_blend"] >= 1.0:
        return own
    out = own.copy()
    n_runs = max(1, int(np.ceil(r.size / p["jt_run"])))
    for idx in np.array_split(np.arange(r.size), n_runs):
        if idx.size >= 3:
            out[idx] = _template_offset_run(X, xa, r[idx], raw[idx], own[idx], sr, p, key)
    return out


def _raw_offsets(d: np.ndarray, r: np.ndarray, sr: float, p: dict, xi: float | None = None):
    ms = 1e-3 * sr
    return K.qrs_offsets(
        np.ascontiguousarray(d),
        r.astype(np.int64),
        int(p["j_lo_ms"] * ms),
        int(p["j_hi_ms"] * ms),
        p["j_xi"] if xi is None else xi,
        max(int(round(p["j_quiet_ms"] * ms)), 1),
        int(0.25 * sr),
    )


def _template_offset_run(X, xa, r, raw, own, sr, p, key):
    """:func:`template_qrs_offsets` on one run of beats."""
    from scipy.ndimage import gaussian_filter1d

    from ._core import _aligned_median_beat

    ms = 1e-3 * sr
    pad = int(round(40 * ms))
    pre, post = int(p["j_lo_ms"] * ms) + pad, int(p["j_hi_ms"] * ms) + pad
    rate = float(p["jt_rate_hz"])
    beat = _aligned_median_beat(
        X, xa, r, sr, p["jt_half_ms"], p["jt_shift_ms"], p["jt_corr"], pre, post, rate
    )
    if beat is None:
        return own
    shift, good, tm, ratio = beat
    ms_r = 1e-3 * rate
    pre_r = int(round(pre * ratio))
    d = gaussian_filter1d(tm, p["j_sigma_ms"] * ms_r, order=1, axis=-1, mode="nearest")
    v = np.sqrt((d * d).sum(axis=0)) if X.shape[0] > 1 else d[0]
    off = int(_raw_offsets(v, np.array([pre_r]), rate, p, p["jt_xi"])[0])
    if off < 0:
        return own
    tmpl = r + shift + (off - pre_r) / ratio
    w = p["jt_blend"]
    mixed = np.where(raw >= 0, (1.0 - w) * tmpl + w * raw, tmpl) - p["jt_bias" + key] * ms
    return np.where(good, mixed, own)


def _baseline(ys: np.ndarray, qon: np.ndarray, sr: float, p: dict) -> np.ndarray:
    """Isoelectric level at each beat's QRS onset: the median of ``ys`` over the ``t_base_ms``
    before it (NaN where the onset is missing or too near the start)."""
    h = max(int(round(p["t_base_ms"] * 1e-3 * sr)), 1)
    out = np.full(qon.size, np.nan)
    q = np.rint(np.nan_to_num(qon, nan=-1.0)).astype(np.int64)
    ok = (q - h >= 0) & (q < ys.size)
    if ok.any():
        out[ok] = np.median(ys[q[ok][:, None] + np.arange(-h, 0)], axis=1)
    return out


def _t_windows(r, qon, qoff, pon, n, sr, p):
    """Each beat's T-wave search window ``[lo, hi]`` (int samples, ``-1`` where none): from
    ``t_pk_lo_ms`` after the QRS offset to the earliest of ``t_hi_frac`` of the RR interval
    after R (at most ``t_hi_max_ms``), ``t_gap_ms`` before the next QRS onset, ``t_gap_p_ms``
    before the next P onset and a QTc of ``t_qtc_max_ms`` (the RR before the beat; the last
    beat's next R and the first beat's previous one are an RR median away); and whether the
    end of the recording cut the window short (bool)."""
    ms = 1e-3 * sr
    rf = r.astype(np.float64)
    rr = np.diff(rf)
    rr_med = float(np.median(rr)) if rr.size else sr
    nxt = np.append(rf[1:], rf[-1:] + rr_med)
    e = rf + np.minimum(p["t_hi_frac"] * (nxt - rf), p["t_hi_max_ms"] * ms)
    for v, gap in ((qon, p["t_gap_ms"]), (pon, p["t_gap_p_ms"])):
        v1 = np.append(v[1:], np.nan)
        e = np.where(np.isfinite(v1), np.minimum(e, v1 - gap * ms), e)
    if p["t_qtc_max_ms"] > 0:
        rr_b = np.concatenate((nxt[:1] - rf[:1], rr))
        with np.errstate(invalid="ignore"):
            qt_max = qon + p["t_qtc_max_ms"] * ms * np.sqrt(rr_b / sr)
        e = np.where(np.isfinite(qon), np.minimum(e, qt_max), e)
    a = np.ceil(qoff + p["t_pk_lo_ms"] * ms)
    cut = np.floor(e) > n - 2
    e = np.minimum(np.floor(e), n - 2)
    ok = np.isfinite(qoff) & (e - a >= 8)
    lo = np.where(ok, np.nan_to_num(a), -1).astype(np.int64)
    hi = np.where(ok, e, -1).astype(np.int64)
    return lo, hi, cut


def lead_t_waves(
    xf: np.ndarray,
    r: np.ndarray,
    qon: np.ndarray,
    qoff: np.ndarray,
    pon: np.ndarray,
    sr: float,
    p: dict,
) -> dict[str, np.ndarray]:
    """T peak (int samples, -1), T end (float samples, NaN) and T amplitude of one lead
    (``xf`` band-passed; ``r`` R peaks; ``qon``/``qoff`` QRS onsets and offsets, float, NaN;
    ``pon`` P onsets, NaN where none: the next beat's P wave bounds the T-wave search)."""
    from scipy.ndimage import gaussian_filter1d

    ms = 1e-3 * sr
    nb = r.size
    ys = gaussian_filter1d(xf, p["t_sigma_ms"] * ms)
    dy = gaussian_filter1d(xf, p["t_sigma_ms"] * ms, order=1)
    base = _baseline(ys, qon, sr, p)
    lo, hi, cut = _t_windows(r, qon, qoff, pon, ys.size, sr, p)
    tpk = np.empty(nb, dtype=np.int64)
    tend = np.empty(nb)
    tamp = np.empty(nb)
    K.t_waves(
        ys,
        dy,
        np.nan_to_num(base),
        lo,
        hi,
        int(round(p["t_pair_ms"] * ms)),
        int(round(p["t_right_ms"] * ms)),
        _method_code(p),
        tpk,
        tend,
        tamp,
    )
    own = tamp.copy()  # the beat's own T amplitude: the median beat's cannot make it present
    if p["t_template"]:
        tpk, tend, tamp = _template_t(ys, dy, base, r, lo, hi, tpk, tend, tamp, sr, p)
    tend = tend - p["t_bias_ms"] * ms
    # a T wave the recording's end cuts off: where its search window was cut short and the T end
    # found lies within ``t_right_ms`` of the end, the end is unknown (the area rule ran out of
    # signal, and the T end found sits at the cut), not a QT shorter than the beat's
    right = p["t_right_ms"] * ms
    gone = cut & (tend + right > ys.size - 2)
    tend = np.where(gone, np.nan, tend)
    return {"tpk": tpk, "tend": tend, "tamp": tamp, "tamp_own": own}


def _template_t(ys, dy, base, r, lo, hi, tpk, tend, tamp, sr, p):
    """Beats whose own T end lies more than ``t_tol_ms`` from the one of the median beat
    (aligned on R, over the beats of the search; T peak, end and amplitude taken as for a beat
    and carried to each beat by its R peak) take the median beat's values: a noise-borne or
    misread beat cannot move the T end far, and beat-to-beat QT changes within the tolerance are
    kept."""
    ms = 1e-3 * sr
    ok = lo >= 0
    if ok.sum() < 3:
        return tpk, tend, tamp
    a = int(np.median((lo - r)[ok]))
    e = int(np.median((hi - r)[ok]))
    pre = int(round(p["t_base_ms"] * ms)) + 2
    ri = r[ok]
    inb = (ri - pre >= 0) & (ri + e + 2 < ys.size)
    if inb.sum() < 3 or e - a < 8:
        return tpk, tend, tamp
    idx = ri[inb][:, None] + np.arange(-pre, e + 3)
    tm = np.ascontiguousarray(np.median(ys[idx], axis=0))
    dm = np.ascontiguousarray(np.median(dy[idx], axis=0))
    pk1 = np.empty(1, dtype=np.int64)
    end1 = np.empty(1)
    amp1 = np.empty(1)
    K.t_waves(
        tm,
        dm,
        np.array([np.nanmedian(base[ok])]),
        np.array([pre + a], dtype=np.int64),
        np.array([pre + e], dtype=np.int64),
        int(round(p["t_pair_ms"] * ms)),
        int(round(p["t_right_ms"] * ms)),
        _method_code(p),
        pk1,
        end1,
        amp1,
    )
    if pk1[0] < 0:
        return tpk, tend, tamp
    t_end = r + (end1[0] - pre)
    far = ok & ~(np.abs(tend - t_end) <= p["t_tol_ms"] * ms)
    tend = np.where(far, t_end, tend)
    tpk = np.where(far, r + (pk1[0] - pre), tpk)
    tamp = np.where(far, amp1[0], tamp)
    return tpk, tend, tamp


def lead_qt(
    xf: np.ndarray,
    r: np.ndarray,
    qon: np.ndarray,
    pon: np.ndarray,
    qamp: float,
    sr: float,
    p: dict,
) -> dict[str, np.ndarray]:
    """One lead's QRS offsets and T waves; T waves below ``t_amp_rel`` of ``qamp`` are absent:
    the beat's own T wave, before the median beat's replaces a T end far from its own (a beat
    without a T wave has no T end to replace), and the one it keeps."""

    qoff = template_qrs_offsets(xf[None], xf, r, sr, p, "_ms")
    t = lead_t_waves(xf, r, qon, qoff, pon, sr, p)
    own = t.pop("tamp_own")
    least = p["t_amp_rel"] * qamp
    absent = ~(t["tamp"] >= least) | ~(own >= least)
    t["tend"] = np.where(absent, np.nan, t["tend"])
    t["tpk"] = np.where(absent, -1, t["tpk"])
    return {"qoff": qoff, **t}


def spatial_qrs_offset(xf: np.ndarray, r: np.ndarray, sr: float, p: dict) -> np.ndarray:
    """Global QRS offset from the spatial velocity of the leads ``xf`` (n_leads, n)."""
    from scipy.ndimage import gaussian_filter1d

    d = gaussian_filter1d(xf, p["j_sigma_ms"] * 1e-3 * sr, order=1, axis=-1)
    xa = xf[int(np.argmax(np.median(np.abs(d), axis=-1)))]
    return template_qrs_offsets(xf, np.ascontiguousarray(xa), r, sr, p, "_spatial_ms")


def combine_t_waves(leads: list[dict], p: dict) -> tuple[np.ndarray, np.ndarray]:
    """T peak and T end of each beat (float samples, NaN) from the leads' delineations (dicts
    with ``tpk``, ``tend``, ``tamp`` and ``qamp``, as :func:`lead_qt` and ``_core`` give them).

    Where at least ``t_lead_frac`` of the leads show a T wave, the T end is the weighted median of
    their T ends, each lead weighted by its T amplitude relative to its QRS amplitude (with two
    leads: the T end of the lead whose T wave stands out more; a flat T wave's end is the least
    reliable), and the T peak is the median of their T peaks. ``t_lead_weighted=False``: the
    plain median of the T ends (the first version, kept for the validation's comparison).
    """
    from ._core import _combine

    TE = np.stack([L["tend"] for L in leads])
    TP = np.stack([np.where(L["tpk"] >= 0, L["tpk"].astype(np.float64), np.nan) for L in leads])
    W = np.stack([L["tamp"] / L["qamp"] if L["qamp"] > 0 else 0.0 * L["tamp"] for L in leads])
    W = np.where(np.isfinite(TE) & np.isfinite(W), W, 0.0)
    has_t = np.isfinite(TE).mean(axis=0) >= p["t_lead_frac"]
    order = np.argsort(np.where(np.isfinite(TE), TE, np.inf), axis=0)
    ts = np.take_along_axis(TE, order, axis=0)
    c = np.cumsum(np.take_along_axis(W, order, axis=0), axis=0)
    total = c[-1]
    k = np.argmax(c >= 0.5 * total, axis=0)
    wmed = ts[k, np.arange(TE.shape[1])]
    tend = np.where((total > 0) & p["t_lead_weighted"], wmed, _combine(TE, 0.5))
    return np.where(has_t, _combine(TP, 0.5), np.nan), np.where(has_t, tend, np.nan)
