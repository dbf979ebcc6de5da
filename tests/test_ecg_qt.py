"""QRS offset, T wave, QT and QTc (issue 15): hand values, known answers, real data, registry."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

import physiofeat
from physiofeat import ParameterError
from physiofeat.ecg import (
    QT_STATS,
    QTC_METHODS,
    EcgWarning,
    delineate,
    qt_features,
    synthetic_ecg,
)
from physiofeat.ecg import _kernels as K
from physiofeat.ecg._qt import QT_PARAMS, qtc_from

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks import _ecg_eval as E  # noqa: E402

SR = 500.0


# --------------------------------------------------------------------------------------------
# QTc formulas against hand-computed values


@pytest.mark.parametrize(
    "method, want",
    [
        ("bazett", 0.4 / 0.8),  # sqrt(0.64) = 0.8
        ("fridericia", 0.4 / 0.64 ** (1 / 3)),  # 0.4 / 0.86177 = 0.46416
        ("framingham", 0.4 + 0.154 * 0.36),  # 0.45544
        ("hodges", 0.4 + 0.00175 * (60 / 0.64 - 60)),  # HR 93.75: 0.4590625
    ],
)
def test_qtc_formulas_hand_values(method, want):
    hand = {"bazett": 0.5, "fridericia": 0.464159, "framingham": 0.45544, "hodges": 0.4590625}
    assert want == pytest.approx(hand[method], abs=1e-6)
    got = qtc_from(np.array([0.4, 0.4, np.nan]), np.array([0.64, np.nan, 0.64]), method)
    assert got[0] == pytest.approx(want, rel=1e-12)
    assert np.isnan(got[1:]).all()  # no RR (first beat) or no QT: NaN


@pytest.mark.parametrize("method", QTC_METHODS)
def test_beat_table_qtc_column_is_the_formula_of_its_qt_and_rr(method):
    x, _ = synthetic_ecg(duration=10.0, sr=SR, heart_rate=80.0)
    b = delineate(x, sr=SR, qtc=method.upper())
    assert b.qtc_method == method
    np.testing.assert_allclose(b.qtc, qtc_from(b.qt, b.rr, method), equal_nan=True)
    assert np.isnan(b.qtc[0]) and np.isfinite(b.qtc[1:]).all()
    np.testing.assert_allclose(b.qt, b.t_end - b.qrs_onset)
    np.testing.assert_allclose(b.qrs_duration, b.qrs_offset - b.qrs_onset)


@pytest.mark.parametrize("bad", ["bazet", 3, None])
def test_bad_qtc_is_refused(bad):
    x, _ = synthetic_ecg(duration=5.0, sr=SR)
    with pytest.raises(ParameterError, match=r"qtc=.* is not a QT correction; accepted: 'bazett'"):
        delineate(x, sr=SR, qtc=bad)
    with pytest.raises(ParameterError, match="is not a QT correction"):
        qt_features(x, sr=SR, qtc=bad)


# --------------------------------------------------------------------------------------------
# kernels against naive versions


def _naive_qrs_offsets(d, r, lo_win, hi_win, xi, quiet, min_gap):
    out = []
    for b, rb in enumerate(r):
        lo, hi = max(rb - lo_win, 1), min(rb + hi_win, d.size - 1)
        if b + 1 < r.size:
            hi = min(hi, r[b + 1] - min_gap)
        if hi - lo < 3 or rb >= hi:
            out.append(-1)
            continue
        m = np.abs(d[lo:hi]).max()
        start = rb + int(np.argmax(np.abs(d[rb:hi])))
        quiet_mask = np.abs(d[start:hi]) < xi * m
        found = hi
        for k in range(start, hi - quiet + 1):
            if quiet_mask[k - start : k - start + quiet].all():
                found = k
                break
        out.append(found if m > 0 else -1)
    return np.array(out)


def test_qrs_offsets_kernel_matches_naive(rng):
    d = rng.standard_normal(3000) * np.r_[np.ones(1000), 0.05 * np.ones(1000), np.ones(1000)]
    r = np.array([100, 600, 1100, 1700, 2400, 2900], dtype=np.int64)
    got = K.qrs_offsets(d, r, 30, 70, 0.07, 3, 125)
    np.testing.assert_array_equal(got, _naive_qrs_offsets(d, r, 30, 70, 0.07, 3, 125))


def test_t_waves_kernel_trapezium_known_answer():
    # a raised-cosine T wave on a flat line: the trapezium point lies near its end
    n = 400
    t = np.arange(n, dtype=float)
    y = np.where((t >= 100) & (t <= 300), 0.5 * (1 - np.cos(2 * np.pi * (t - 100) / 200)), 0.0)
    dy = np.gradient(y)
    pk, end, amp = np.empty(1, np.int64), np.empty(1), np.empty(1)
    for method in (0, 1):
        K.t_waves(
            y, dy, np.zeros(1), np.array([60]), np.array([390]), 200, 80, method, pk, end, amp
        )
        assert pk[0] == 200
        assert amp[0] == pytest.approx(1.0 - y[int(round(end[0]))], abs=1e-12)
        # tangent at the steepest fall (t = 250, y = 0.5, slope -pi/200) meets 0 at
        # 250 + 100/pi = 281.8; the trapezium point sits later, nearer the wave's true end (300)
        lo, hi = (281.5, 282.0) if method == 0 else (283.0, 300.0)
        assert lo <= end[0] <= hi, (method, end[0])


# --------------------------------------------------------------------------------------------
# synthetic known answers


@pytest.mark.parametrize("hr", [50.0, 75.0, 110.0])
@pytest.mark.parametrize("sr", [250.0, 500.0, 1000.0])
def test_synthetic_known_answer(hr, sr):
    x, truth = synthetic_ecg(duration=12.0, sr=sr, heart_rate=hr, noise=0.01, seed=3)
    b = delineate(x, sr=sr)
    inside = truth["t_end"] < x.size - 0.05 * sr  # the last T wave may run past the end
    truth = {k: v[inside] for k, v in truth.items()}
    j = E.nearest(b.r_index, truth["r"], 0.05 * sr)
    assert (j >= 0).all() and j.size >= 9
    ms = 1000.0 / sr
    t_err = (b.t_end[j] * sr - truth["t_end"]) * ms
    q_err = (b.qrs_offset[j] * sr - truth["qrs_offset"]) * ms
    qt_err = ((b.t_end - b.qrs_onset)[j] * sr - (truth["t_end"] - truth["qrs_onset"])) * ms
    # raised-cosine waves fade slowly into the baseline: the S wave's end is found 10-25 ms late,
    # the T wave's end (the trapezium point) up to 20 ms early
    assert np.all(np.abs(t_err) <= 25.0), t_err
    assert np.all((q_err >= 0.0) & (q_err <= 30.0)), q_err
    assert np.all(np.abs(qt_err) <= 20.0), qt_err
    assert np.all(np.abs(b.t_peak[j] * sr - truth["t_peak"]) * ms <= 10.0)


@pytest.mark.parametrize("sr", [250.0, 500.0])
def test_median_beat_qrs_offset_shrinks_the_scatter_of_noisy_beats(sr):
    # white noise moves each beat's own slope-threshold offset; the median beat's offset, carried
    # to the beats, moves with the R peak only: the per-beat scatter halves (measured: 3.4 -> 1.4
    # ms at 250 Hz, 1.6 -> 0.8 ms at 500 Hz) and the level stays where the single-beat rule puts it
    x, truth = synthetic_ecg(duration=30.0, sr=sr, heart_rate=70.0, noise=0.04, seed=1)
    errs = {}
    for blend in (1.0, QT_PARAMS["jt_blend"]):
        with E.qt_params(jt_blend=blend):
            b = delineate(x, sr=sr)
        j = E.nearest(b.r_index, truth["r"], 0.05 * sr)
        assert (j >= 0).all()
        errs[blend] = (b.qrs_offset[j] * sr - truth["qrs_offset"]) * 1000.0 / sr
    own, tmpl = errs[1.0], errs[QT_PARAMS["jt_blend"]]
    assert np.isfinite(tmpl).all() and tmpl.size >= 30
    assert np.std(tmpl) <= 0.7 * np.std(own), (np.std(tmpl), np.std(own))
    assert np.all((tmpl >= 0.0) & (tmpl <= 30.0)), tmpl
    assert abs(np.mean(tmpl) - np.mean(own)) <= 5.0


def test_t_end_search_ends_at_a_qtc_of_600_ms():
    # no T wave, but a broad wave ending 800 ms after each QRS onset (RR 1.2 s: a QTc of 730 ms,
    # no T wave's): the T-wave search stops at QRS onset + 600 ms x sqrt(RR), where only the
    # wave's rise is, so no beat is given a T wave ending later (here none is given one at all)
    sr = 500.0
    x, truth = synthetic_ecg(duration=14.0, sr=sr, heart_rate=50.0, t_amp=0.0, noise=0.002, seed=0)
    t = np.arange(x.size) / sr
    for q in truth["qrs_onset"] / sr:
        u = (t - q - 0.45) / 0.35
        inside = (u >= 0) & (u <= 1)
        x[inside] += 0.3 * 0.5 * (1 - np.cos(2 * np.pi * u[inside]))
    with E.qt_params(t_qtc_max_ms=0.0):
        free = delineate(x, sr=sr)
    b = delineate(x, sr=sr)
    ok = np.isfinite(b.qt)
    assert np.all(b.qt[ok] <= 0.6 * np.sqrt(1.2) + 2.0 / sr), b.qt
    # without the bound, the late wave is taken for the T wave
    assert np.isfinite(free.qt).sum() >= 8 and np.nanmin(free.qt) >= 0.7, free.qt


def test_absent_t_waves_give_nan():
    x, _ = synthetic_ecg(duration=10.0, sr=SR, heart_rate=70.0, t_amp=0.0, noise=0.002, seed=0)
    b = delineate(x, sr=SR)
    assert len(b) >= 9
    assert np.isnan(b.t_end).all() and np.isnan(b.qt).all() and np.isnan(b.qtc).all()
    assert np.isnan(b.t_peak).all()
    assert np.isfinite(b.qrs_offset).all()  # the QRS is still there
    f = dict(zip(QT_STATS, qt_features(x, sr=SR)))
    assert f["t_fraction"] == 0.0 and np.isnan(f["qt_median"]) and np.isnan(f["qtc_sd"])
    assert np.isfinite(f["qrs_duration_median"])


@pytest.mark.parametrize("cut_s", [6.0, 9.0])
def test_beats_without_a_t_wave_beside_beats_with_one_give_nan(cut_s):
    """The median beat (which has a T wave) had replaced the T end of the beats without one,
    since theirs lay far from it: beats 6-10 of 12 had a QT, t_fraction 0.92 for 0.5."""
    x, truth = synthetic_ecg(duration=12.0, sr=SR, heart_rate=60, noise=0.005, seed=0)
    flat, _ = synthetic_ecg(duration=12.0, sr=SR, heart_rate=60, t_amp=0.0, noise=0.005, seed=0)
    cut = int(cut_s * SR)
    x = np.concatenate([x[:cut], flat[cut:]])
    b = delineate(x, sr=SR)
    has_t = truth["t_end"][np.argmin(np.abs(truth["r"][:, None] / SR - b.r_time), axis=0)] < cut
    assert len(b) == 12 and 3 <= (~has_t).sum() <= 6
    np.testing.assert_array_equal(np.isfinite(b.t_end), has_t)
    np.testing.assert_array_equal(np.isfinite(b.qt), has_t)
    f = dict(zip(QT_STATS, qt_features(x, sr=SR)))
    assert f["t_fraction"] == pytest.approx(has_t.mean(), abs=1e-12)


def test_qt_features_known_answer_and_fewer_than_two_beats():
    x, _ = synthetic_ecg(duration=10.0, sr=SR, heart_rate=60.0)
    b = delineate(x, sr=SR, qtc="fridericia")
    f = dict(zip(QT_STATS, qt_features(x, sr=SR, qtc="fridericia")))
    assert f["qt_median"] == pytest.approx(np.nanmedian(b.qt))
    assert f["qtc_mean"] == pytest.approx(np.nanmean(b.qtc))
    assert f["qrs_duration_sd"] == pytest.approx(np.nanstd(b.qrs_duration, ddof=1), abs=1e-12)
    assert f["t_fraction"] == 1.0
    # at 60 bpm (RR 1 s to a sample) every correction leaves QT unchanged
    assert f["qtc_median"] == pytest.approx(f["qt_median"], abs=1e-5)
    y = np.zeros(int(3 * SR))
    y[700] = 1.0
    with pytest.warns(EcgWarning, match="QT features are NaN"):
        assert np.isnan(qt_features(y, sr=SR)).all()


def test_multilead_qt_combines_leads(rng):
    x, truth = synthetic_ecg(duration=10.0, sr=SR, heart_rate=72.0)
    leads = np.stack([x, 0.7 * x, -0.5 * x]) + 0.005 * rng.standard_normal((3, x.size))
    b = delineate(leads, sr=SR)
    one = delineate(x, sr=SR)
    assert len(b) == len(one)
    assert np.nanmax(np.abs(b.t_end - one.t_end)) * 1000 <= 10.0
    assert np.isfinite(b.qt).all()


def test_multilead_t_end_follows_the_lead_whose_t_wave_stands_out():
    # lead 0: a clear T wave; lead 1: the same QRS with a flat T wave (6 % of the R wave) ending
    # 60 ms later. The amplitude-weighted median takes lead 0's end; the plain median of two
    # leads would sit half-way (30 ms late)
    x, truth = synthetic_ecg(duration=10.0, sr=SR, heart_rate=72.0, noise=0.002, seed=4)
    y, _ = synthetic_ecg(duration=10.0, sr=SR, heart_rate=72.0, t_amp=0.0, noise=0.002, seed=5)
    t = np.arange(y.size)
    width = truth["t_end"] - truth["t_peak"]
    for pk, w in zip(truth["t_peak"], width):
        u = (t - (pk - w + 30)) / (2 * w)
        inside = (u >= 0) & (u <= 1)
        y[inside] += 0.06 * 0.5 * (1 - np.cos(2 * np.pi * u[inside]))
    one = [delineate(v, sr=SR) for v in (x, y)]
    both = delineate(np.stack([x, y]), sr=SR)
    assert len(both) == len(one[0]) == len(one[1])
    late = (one[1].t_end - one[0].t_end) * 1000
    assert np.all((late > 40) & (late < 80)), late  # each lead alone finds its own T end
    err = (both.t_end - one[0].t_end) * 1000
    assert np.all(np.abs(err) <= 4.0), err


# --------------------------------------------------------------------------------------------
# registry


def test_extract_qt_interval_names_values_and_qtc():
    x, _ = synthetic_ecg(duration=10.0, sr=SR, heart_rate=75.0)
    f = physiofeat.extract(x, ["qt_interval"], sr=SR, qtc="hodges")
    np.testing.assert_allclose(f["qt_interval"].values, qt_features(x, sr=SR, qtc="hodges"))
    assert f["qt_interval"].attrs["qtc"] == "hodges"
    names = f.vector_names()
    assert names == [f"qt_interval_{s}" for s in QT_STATS]
    assert "qt_interval_qt_median" in names and "qt_interval_qtc_sd" in names
    beats = physiofeat.extract(x, ["ecg_beats"], sr=SR, qtc="hodges")
    assert "ecg_beats_qtc_mean" in beats.vector_names()
    b = delineate(x, sr=SR, qtc="hodges")
    got = dict(zip(beats.vector_names(), beats.vector()))
    assert got["ecg_beats_qtc_mean"] == pytest.approx(np.nanmean(b.qtc))


def test_extract_refuses_bad_qtc_before_any_work(no_compute):
    x, _ = synthetic_ecg(duration=5.0, sr=SR)
    with pytest.raises(ParameterError, match="is not a QT correction"):
        physiofeat.extract(x, ["qt_interval"], sr=SR, qtc="bogus")


# --------------------------------------------------------------------------------------------
# real data: a few LUDB records (lead II and 12 leads) and two QTDB records


def test_ludb_and_qtdb_qt_against_manual_marks(shared_data):
    rh = E.ludb_rhythms(shared_data)
    ludb = [E.read_ludb(shared_data, n, rh, median=True) for n in ("2", "16", "40", "64", "114")]
    m, _ = E.evaluate(ludb, E.physiofeat_detector, multi=False)
    assert m["qoff_n"] >= 35 and m["tend_n"] >= 35 and m["t_se"] >= 95.0
    assert abs(m["qoff_mean"]) <= 10.0 and m["qoff_sd"] <= E.QT_TARGETS["qoff_sd"]
    assert abs(m["tend_mean"]) <= 15.0 and m["tend_sd"] <= E.QT_TARGETS["tend_sd"]
    assert m["qt_rec_mae"] <= E.QT_TARGETS["qt_rec_mae"]
    mm, _ = E.evaluate(ludb, E.physiofeat_detector, multi=True)
    assert mm["qoff_sd"] <= 8.0 and mm["tend_sd"] <= 20.0 and mm["qt_rec_mae"] <= 15.0
    qt = [E.read_qtdb(shared_data, n) for n in ("sel16273", "sel30")]
    mq, _ = E.evaluate(qt, E.physiofeat_detector, multi=True)
    assert mq["tend_n"] >= 55 and mq["tend_sd"] <= E.QT_TARGETS["tend_sd"]
    assert mq["qt_rec_mae"] <= 15.0


def test_best_lead_per_beat_known_answer():
    """Per reference beat and mark, the lead estimate nearer the manual mark; a NaN estimate
    loses to a finite one, an unmatched lead-1 beat gives nothing, a reference beat without a
    mark keeps lead 0's value."""
    r = np.array([1000.0, 1400.0, 1800.0])
    ref = E.Ref(r=r, qon=r - 20, pon=r - 100, qoff=r + 40, tend=np.array([1300.0, np.nan, 2100.0]))
    rec = E.Record("qtdb/x", np.zeros((2, 10)), 250.0, ref, ref, "sinus", lead0=0)
    a = {
        "r": r + 1,
        "qon": r - 25,
        "pon": r - 90,
        "qoff": r + 50,
        "tend": np.array([1310.0, 1700, np.nan]),
    }
    b = {  # lead 1: its second beat is 59 samples from lead 0's (over 100 ms): unmatched
        "r": np.array([1000.0, 1460.0, 1799.0]),
        "qon": np.array([979.0, 0, 1775]),
        "pon": np.array([np.nan, 0, 1702]),
        "qoff": np.array([1030.0, 0, 1845]),
        "tend": np.array([1295.0, 0, 2150]),
    }
    got = E.best_lead_per_beat(rec, [a, b])
    np.testing.assert_array_equal(got["r"], a["r"])
    # beat 1 is lead 0's alone; errors beat 0, 2: qon -5/-1, -5/-5 (a tie: lead 0)
    np.testing.assert_array_equal(got["qon"], [979.0, 1375.0, 1775.0])
    # pon 10/NaN (NaN loses), 10/2
    np.testing.assert_array_equal(got["pon"], [910.0, 1310.0, 1702.0])
    # qoff 10/-10 (tie: lead 0), 10/5
    np.testing.assert_array_equal(got["qoff"], [1050.0, 1450.0, 1845.0])
    # tend 10/-5; beat 1 has no manual mark (lead 0's kept); NaN/50
    np.testing.assert_array_equal(got["tend"], [1295.0, 1700.0, 2150.0])


def test_ecgpuwave_offsets_are_its_own_marks_in_beat_order(shared_data):
    """ecgpuwave's QRS offsets and T ends read from the .pu file: each finite value is a ``)``
    mark of that lead of the right wave type, R < QRS offset < T end < next R; the two-lead
    estimate takes the later of the two leads' marks."""
    import wfdb

    rec = E.read_qtdb(shared_data, "sel100")
    ann = wfdb.rdann(str(shared_data / "ecg" / "qtdb" / "sel100"), "pu")
    s = ann.sample - rec.offset
    sym, num, chan = np.asarray(ann.symbol), np.asarray(ann.num), np.asarray(ann.chan)
    one = {c: E.ecgpuwave_beats(shared_data, rec, c) for c in (0, 1)}
    for c, d in one.items():
        for key, wave in (("qoff", 1), ("tend", 2)):
            marks = set(s[(sym == ")") & (num == wave) & (chan == c)].tolist())
            v = d[key][np.isfinite(d[key])]
            assert v.size >= 0.9 * d["r"].size and set(v.tolist()) <= marks
        ok = np.isfinite(d["qoff"]) & np.isfinite(d["tend"])
        assert np.all(d["r"][ok] < d["qoff"][ok]) and np.all(d["qoff"][ok] < d["tend"][ok])
        assert np.all(d["tend"][:-1][ok[:-1]] < d["r"][1:][ok[:-1]])
    both = E.ecgpuwave_beats(shared_data, rec, None)
    j = E.nearest(one[1]["r"], one[0]["r"], E.MATCH_S * rec.sr)
    i = np.flatnonzero((j >= 0) & np.isfinite(one[0]["tend"]))
    i = i[np.isfinite(one[1]["tend"][j[i]])]
    assert i.size > 10
    np.testing.assert_array_equal(
        both["tend"][i], np.maximum(one[0]["tend"][i], one[1]["tend"][j[i]])
    )


def test_qtdb_interannotator_offsets_skip_copied_marks(shared_data):
    """The .q2c - .q1c spread of QRS offsets and T ends comes from the records whose second
    annotation differs in those marks; a record whose onsets are a copy is left out of the onset
    figure only."""
    ia = E.qtdb_interannotator(shared_data)
    assert ia["qoff_n"] > 50 and ia["tend_n"] > 50
    assert 0.0 < ia["qoff_sd"] < 40.0 and 0.0 < ia["tend_sd"] < 60.0
    assert set(ia["records"].split(", ")) <= set(ia["records_off"].split(", "))
    assert "sel102" not in ia["records_off"]  # paced: not a sinus record


def test_ludb_lead_pairs_latest_reference_known_answer():
    """``reference="latest"``: a pair's QRS-offset and T-end reference is the later of its two
    leads' own marks (one lead's mark where the other has none, NaN where neither has one); the
    onsets stay the median-of-leads ones; ``"median"`` keeps the record's reference."""
    n = 3
    r = np.array([500.0, 900.0, 1300.0])
    med = E.Ref(r=r, qon=r - 20, pon=r - 80, qoff=r + 40, tend=r + 200)
    QO = np.full((12, n), np.nan)
    TE = np.full((12, n), np.nan)
    ii, v5 = E.LUDB_LEADS.index("ii"), E.LUDB_LEADS.index("v5")
    QO[ii], QO[v5] = [540.0, 945, np.nan], [545.0, 938, np.nan]
    TE[ii], TE[v5] = [700.0, np.nan, 1490], [690.0, 1110, 1510]
    rec = E.Record(
        "ludb/1",
        np.zeros((12, 2000)),
        500.0,
        med,
        med,
        "sinus",
        lead_marks={"qoff": QO, "tend": TE},
    )
    pairs = E.ludb_lead_pairs([rec], reference="latest")
    first = pairs[0]
    assert first.name == "ludb/1/ii+v5" and len(pairs) == len(E.LUDB_LEAD_PAIRS)
    np.testing.assert_array_equal(first.x, rec.x[[ii, v5]])
    np.testing.assert_array_equal(first.ref_multi.qoff, [545.0, 945.0, np.nan])
    np.testing.assert_array_equal(first.ref_multi.tend, [700.0, 1110.0, 1510.0])
    np.testing.assert_array_equal(first.ref_multi.qon, med.qon)
    assert E.ludb_lead_pairs([rec])[0].ref_multi is med
    with pytest.raises(ValueError):
        E.ludb_lead_pairs([rec], reference="earliest")
