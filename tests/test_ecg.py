"""physiofeat.ecg: kernels vs plain NumPy, synthetic ECGs with exact wave boundaries, errors,
registry, and the validation against the manual annotations of LUDB and QTDB.

The real-data test runs the same evaluation as ``benchmarks/validate_ecg.py`` (shared code in
``benchmarks/_ecg_eval.py``) over all 40 LUDB and 11 QTDB records (a few seconds). Its bounds are
two-sided: |mean error| and SD. Targets of issue 5 that are not met yet are strict xfails, so they
turn into failures the day they are met.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import numpy as np
import pytest
from naive import (
    naive_best_shift_corr,
    naive_energy_peaks,
    naive_fine_shift_corr,
    naive_r_polarity,
)

import physiofeat
from physiofeat import InvalidSignalError, ParameterError
from physiofeat.ecg import (
    PR_STATS,
    EcgWarning,
    _kernels,
    delineate,
    detect_r_peaks,
    pr_features,
    synthetic_ecg,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks import _ecg_eval as E  # noqa: E402

SR = 500.0
CAL_MS = 10.0  # QRS-onset calibration learned on LUDB (see physiofeat/ecg/_core.py)


# --------------------------------------------------------------------------------------------
# kernels vs naive references


def test_energy_peaks_matches_naive(rng):
    e = np.abs(rng.standard_normal(3000)).cumsum() % 7.0
    for refr in (1, 5, 40):
        np.testing.assert_array_equal(_kernels.energy_peaks(e, refr), naive_energy_peaks(e, refr))


def test_best_shift_corr_matches_naive(rng):
    x = rng.standard_normal(2000)
    tmpl = np.ascontiguousarray(x[500:560] + 0.1 * rng.standard_normal(60))
    starts = np.array([480, 505, 1000, 3], dtype=np.int64)
    s, c = _kernels.best_shift_corr(x, starts, tmpl, 25)
    s0, c0 = naive_best_shift_corr(x, starts, tmpl, 25)
    np.testing.assert_array_equal(s, s0)
    np.testing.assert_allclose(c, c0, rtol=0, atol=1e-12)
    assert s[0] == 20 and s[1] == -5  # the planted copy is found


def test_fine_shift_corr_matches_naive(rng):
    x = np.convolve(rng.standard_normal(3000), np.hanning(15), mode="same")
    tmpl = np.ascontiguousarray(x[800:900] + 0.05 * rng.standard_normal(100))
    starts = np.array([790, 812, 1500, 2, 2950], dtype=np.int64)
    s, c = _kernels.fine_shift_corr(x, starts, tmpl, 12)
    s0, c0 = naive_fine_shift_corr(x, starts, tmpl, 12)
    np.testing.assert_allclose(s, s0, rtol=0, atol=1e-9)
    np.testing.assert_allclose(c, c0, rtol=0, atol=1e-12, equal_nan=True)
    assert abs(s[0] - 10) < 0.5 and abs(s[1] + 12) < 0.5  # the planted copy is found


def test_fine_shift_corr_subsample_shift_known_answer():
    # a smooth pulse delayed by 0.3 samples: the parabolic vertex recovers the fraction
    t = np.arange(400, dtype=np.float64)
    pulse = lambda c: np.exp(-0.5 * ((t - c) / 6.0) ** 2)  # noqa: E731
    tmpl = np.ascontiguousarray(pulse(200.0)[170:231])
    s, c = _kernels.fine_shift_corr(pulse(200.3), np.array([170], dtype=np.int64), tmpl, 5)
    assert abs(s[0] - 0.3) <= 0.05 and c[0] > 0.99


def test_polarity_matches_naive(rng):
    from physiofeat.ecg._core import _polarity

    for _ in range(20):
        x = rng.standard_normal(600) + rng.uniform(-1, 1) * np.sin(np.arange(600) / 7.0)
        pos = np.sort(rng.choice(600, size=rng.integers(1, 12), replace=False)).astype(np.int64)
        pos[0] = min(pos[0], 5)  # a window cut by the start of the signal
        for half in (3, 30):
            assert _polarity(x, pos, half) == naive_r_polarity(x, pos, half)
    assert _polarity(np.zeros(10), np.array([], dtype=np.int64), 3) == 1.0


def test_combine_is_nanquantile_over_leads(rng):
    from physiofeat.ecg._core import _combine

    for q in (0.0, 0.2, 0.5, 1.0):
        v = rng.uniform(0, 1e4, (7, 30))
        v[rng.random(v.shape) < 0.4] = -1  # missing in some leads
        v[:, 3] = -1  # missing in every lead
        want = np.nanquantile(np.where(v >= 0, v, np.nan)[:, np.arange(30) != 3], q, axis=0)
        got = _combine(v, q)
        assert np.isnan(got[3])
        np.testing.assert_allclose(np.delete(got, 3), want, rtol=1e-13, atol=0)


def test_refine_r_is_extremum_in_window(rng):
    x = rng.standard_normal(1000)
    pos = np.array([100, 500, 900], dtype=np.int64)
    for pol in (1.0, -1.0):
        r = _kernels.refine_r(x, pos, 30, pol)
        want = [p - 30 + int(np.argmax(pol * x[p - 30 : p + 31])) for p in pos]
        np.testing.assert_array_equal(r, want)


# --------------------------------------------------------------------------------------------
# synthetic ECGs with exact boundaries


# Per case: |mean QRS-onset error + CAL_MS| and SD bounds (ms). The exact onset of a
# raised-cosine Q wave is a few ms later than the Gaussian-slope onset finds it (its first
# samples are flat); at 180 bpm the next P wave sits closer, and noise moves single beats.
Q_BOUNDS = {
    "72bpm": (6, 2),
    "40bpm": (6, 2),
    "180bpm": (9, 2),
    "inverted": (6, 2),
    "wander+noise": (6, 5),
}
CASES = {
    "72bpm": dict(heart_rate=72.0),
    "40bpm": dict(heart_rate=40.0, pr=0.20),
    "180bpm": dict(heart_rate=180.0, pr=0.10),
    "inverted": dict(heart_rate=72.0, invert=True),
    "wander+noise": dict(heart_rate=72.0, wander=0.5, noise=0.02, seed=3),
}


@pytest.mark.parametrize("case", list(CASES))
def test_synthetic_known_answer(case):
    x, truth = synthetic_ecg(duration=20.0, sr=SR, **CASES[case])
    b = delineate(x, sr=SR)
    # every beat found, R within 2 samples
    assert len(b) == truth["r"].size
    np.testing.assert_allclose(b.r_index, truth["r"], rtol=0, atol=2)
    ms = 1000.0 / SR
    q_err = (b.qrs_onset * SR - truth["qrs_onset"]) * ms
    p_err = (b.p_onset * SR - truth["p_onset"]) * ms
    assert np.isfinite(b.p_onset[1:]).all()  # the first beat may lack room for a template shift
    # QRS onset: the LUDB calibration moves the estimate CAL_MS early of the exact wave start
    qb = Q_BOUNDS[case]
    assert abs(np.mean(q_err) + CAL_MS) <= qb[0] and np.std(q_err) <= qb[1]
    assert abs(np.nanmean(p_err)) <= 6.0 and np.nanstd(p_err) <= 2.0
    pr_true = truth["qrs_onset"] - truth["p_onset"]
    pr_err = (b.pr_interval * SR - pr_true) * ms
    assert abs(np.nanmedian(pr_err) + CAL_MS) <= qb[0] + 1
    rr = np.diff(b.r_time)
    np.testing.assert_allclose(rr, 60.0 / CASES[case]["heart_rate"], rtol=0, atol=2.0 / SR)


@pytest.mark.parametrize("hr", [30.0, 200.0])
@pytest.mark.parametrize("kind", ["clean", "inverted", "wander+noise"])
def test_r_peaks_at_the_ends_of_the_rate_range(hr, kind):
    # the issue's range of rates is 30-200 bpm; at 200 bpm the P wave runs into the T wave
    # (RR 300 ms), so only the R peaks and QRS onsets are checked there, and P is NaN, no crash
    kw = {"clean": {}, "inverted": dict(invert=True), "wander+noise": CASES["wander+noise"]}[kind]
    kw = {k: v for k, v in kw.items() if k != "heart_rate"}
    x, truth = synthetic_ecg(duration=40.0, sr=SR, heart_rate=hr, pr=0.2 if hr < 100 else 0.1, **kw)
    b = delineate(x, sr=SR)
    assert len(b) == truth["r"].size
    np.testing.assert_allclose(b.r_index, truth["r"], rtol=0, atol=2)
    q_err = (b.qrs_onset * SR - truth["qrs_onset"]) * 1000.0 / SR
    assert abs(np.mean(q_err) + CAL_MS) <= 9.0 and np.std(q_err) <= 5.0
    f = dict(zip(PR_STATS, pr_features(x, sr=SR)))
    assert f["heart_rate"] == pytest.approx(hr, rel=2e-3)
    if hr < 100:
        assert f["p_fraction"] == 1.0
        assert f["pr_median"] == pytest.approx(0.2 - CAL_MS / 1000, abs=0.006)


def test_p_wave_needs_a_quiet_gap_after_the_t_wave():
    # documented limitation: a P wave must start >= 20 ms after the estimated end of the T wave
    # (half an RR after R), the rule that keeps flutter waves from being taken for P waves. At
    # 150 bpm a 40 ms T-P gap keeps the P waves, P on the T-wave end (gap 0) gives NaN
    for pr, found in ((0.12, True), (0.16, False)):
        x, truth = synthetic_ecg(duration=20.0, sr=SR, heart_rate=150.0, pr=pr)
        b = delineate(x, sr=SR)
        assert len(b) == truth["r"].size
        frac = np.isfinite(b.p_onset).mean()
        assert frac >= 0.95 if found else frac == 0.0


def test_template_qrs_onset_averages_noise():
    # the median-beat onset is carried to each beat by its alignment, so noise moves single
    # beats' onsets far less than a slope threshold on each noisy beat would (SD ~6 ms here)
    x, truth = synthetic_ecg(duration=20.0, sr=SR, heart_rate=72.0, noise=0.05, seed=5)
    b = delineate(x, sr=SR)
    q_err = (b.qrs_onset * SR - truth["qrs_onset"]) * 1000.0 / SR
    assert np.std(q_err) <= 3.0 and abs(np.mean(q_err) + CAL_MS) <= 6.0


def test_ectopic_beat_keeps_its_own_qrs_onset(rng):
    # one wide beat of another shape (no P wave) among normal beats: it does not correlate with
    # the median beat, so its onset comes from its own slopes, and the others are unaffected
    from physiofeat.ecg._synth import _hann_bump

    q_on = 0.5 + np.arange(15) * 0.85
    t = np.arange(int((q_on[-1] + 0.8) * SR)) / SR
    x = np.zeros_like(t)
    for k, q in enumerate(q_on):
        if k == 7:
            x += _hann_bump(t, q, 0.06, 0.4) + _hann_bump(t, q + 0.05, 0.08, -1.2)
            x += _hann_bump(t, q + 0.25, 0.25, 0.4)
        else:
            x += _hann_bump(t, q - 0.16, 0.10, 0.15) + _hann_bump(t, q, 0.02, -0.1)
            x += _hann_bump(t, q + 0.015, 0.05, 1.0) + _hann_bump(t, q + 0.06, 0.03, -0.25)
            x += _hann_bump(t, q + 0.2, 0.2, 0.3)
    x += 0.01 * rng.standard_normal(x.size)
    b = delineate(x, sr=SR)
    assert len(b) == q_on.size
    err_ms = (b.qrs_onset - q_on) * 1000.0
    assert abs(err_ms[7] + CAL_MS) <= 6.0
    normal = np.delete(err_ms, 7)
    assert abs(np.mean(normal) + CAL_MS) <= 6.0 and np.std(normal) <= 1.0


def test_template_qrs_onset_follows_slow_qrs_change(rng):
    # 150 beats whose R wave widens halfway (its onset moves 10 ms earlier relative to the R
    # peak): the median beat is taken per run of beats, so the late beats' onsets follow
    from physiofeat.ecg._synth import _hann_bump

    nb = 150
    q_on = 0.5 + np.arange(nb) * 0.8
    t = np.arange(int((q_on[-1] + 0.8) * SR)) / SR
    x = np.zeros_like(t)
    for k, q in enumerate(q_on):
        wq = 0.05 if k < nb // 2 else 0.07
        c = q + 0.04  # R peak
        x += _hann_bump(t, q - 0.16, 0.10, 0.15) + _hann_bump(t, c - wq / 2, wq, 1.0)
        x += _hann_bump(t, c + wq / 2, 0.03, -0.25) + _hann_bump(t, q + 0.25, 0.2, 0.3)
    x += 0.01 * rng.standard_normal(x.size)
    b = delineate(x, sr=SR)
    assert len(b) == nb
    rel_ms = (b.qrs_onset - b.r_time) * 1000.0
    moved = np.mean(rel_ms[-50:]) - np.mean(rel_ms[:50])
    assert -13.0 <= moved <= -7.0  # true: -10 ms


def _r_errors(r, truth, tol):
    missed = sum(np.min(np.abs(r - v)) > tol for v in truth)
    false = sum(np.min(np.abs(truth - v)) > tol for v in r)
    return missed, false


@pytest.mark.parametrize(
    "gain",
    [
        pytest.param(lambda n: np.linspace(0.2, 1.0, n), id="growing"),
        pytest.param(lambda n: np.linspace(1.0, 0.2, n), id="shrinking"),
        pytest.param(lambda n: np.where(np.arange(n) < n // 2, 1.0, 0.3), id="step-drop"),
    ],
)
def test_r_peaks_follow_amplitude_changes(gain):
    # levels start from the first seconds (a growing amplitude would leave the first minutes
    # undetected) and decay when no beat is found (a sudden drop would lose every later beat)
    x, truth = synthetic_ecg(duration=120.0, sr=SR, heart_rate=70.0, noise=0.02, seed=1)
    r = detect_r_peaks(x * gain(x.size), sr=SR)
    missed, false = _r_errors(r, truth["r"], 0.05 * SR)
    assert missed <= 2 and false == 0


def test_r_peaks_noise_only_stretch_gives_few_false_beats(rng):
    # 30 s of electrode noise in a 2-min record: the decaying signal level stops at 1/32 of its
    # start, above the noise, so at most the two edges of the stretch are taken for beats
    x, truth = synthetic_ecg(duration=120.0, sr=SR, heart_rate=70.0, noise=0.02, seed=1)
    a, b = int(40 * SR), int(70 * SR)
    x[a:b] = 0.02 * rng.standard_normal(b - a)
    r = detect_r_peaks(x, sr=SR)
    real = truth["r"][(truth["r"] < a) | (truth["r"] >= b)]
    missed, false = _r_errors(r, real, 0.05 * SR)
    assert missed == 0 and false <= 2


def test_summary_values_known_answer():
    x, truth = synthetic_ecg(duration=20.0, sr=SR, heart_rate=60.0, pr=0.18)
    f = dict(zip(PR_STATS, pr_features(x, sr=SR)))
    assert f["heart_rate"] == pytest.approx(60.0, abs=0.2)
    assert f["rr_mean"] == pytest.approx(1.0, abs=0.002)
    assert f["p_fraction"] == 1.0
    assert abs(f["pr_median"] - (0.18 - CAL_MS / 1000)) <= 0.008
    assert f["pr_sd"] <= 0.003 and f["pr_rmssd"] <= 0.003
    assert f["pr_min"] <= f["pr_median"] <= f["pr_max"]
    assert abs(f["pr_peak_mean"] - (0.18 - 0.05 + 0.04)) <= 0.008  # P peak -> R peak
    # constant PR and RR: no correlation is defined
    assert np.isnan(f["pr_rr_corr"])


def test_pr_rr_correlation_sign():
    # beats placed one by one; each PR lengthens with the RR interval that precedes it
    from physiofeat.ecg._synth import _hann_bump

    rng = np.random.default_rng(0)
    rr = rng.uniform(0.65, 1.1, 30)
    q_on = 0.4 + np.cumsum(rr)
    pr = 0.12 + 0.1 * (rr - 0.6)
    t = np.arange(int((q_on[-1] + 0.8) * SR)) / SR
    x = np.zeros_like(t)
    for q, p in zip(q_on, pr):
        x += _hann_bump(t, q - p, 0.10, 0.15) + _hann_bump(t, q, 0.02, -0.1)
        x += _hann_bump(t, q + 0.015, 0.05, 1.0) + _hann_bump(t, q + 0.06, 0.03, -0.25)
        x += _hann_bump(t, q + 0.2, 0.2, 0.3)
    f = dict(zip(PR_STATS, pr_features(x, sr=SR)))
    assert f["pr_rr_corr"] >= 0.9
    assert f["pr_sd"] == pytest.approx(np.std(pr[1:], ddof=1), abs=0.003)


def test_no_p_waves_gives_nan_not_crash(rng):
    x, _ = synthetic_ecg(duration=20.0, sr=SR, heart_rate=80.0, p_amp=0.0)
    x = x + 0.01 * rng.standard_normal(x.size)
    b = delineate(x, sr=SR)
    assert len(b) >= 25
    assert np.isnan(b.p_onset).mean() >= 0.9 and np.isnan(b.pr_interval).mean() >= 0.9
    f = dict(zip(PR_STATS, pr_features(x, sr=SR)))
    assert f["p_fraction"] <= 0.1 and f["heart_rate"] == pytest.approx(80.0, abs=0.5)


def test_multilead_combines_into_one_estimate(rng):
    x, truth = synthetic_ecg(duration=15.0, sr=SR, heart_rate=70.0, pr=0.16)
    leads = np.stack([x, -0.6 * x + 0.01 * rng.standard_normal(x.size), 0.8 * x])
    b1 = delineate(x, sr=SR)
    bm = delineate(leads, sr=SR)
    assert len(bm) == len(b1) == truth["r"].size
    np.testing.assert_allclose(bm.r_index, truth["r"], rtol=0, atol=2)
    np.testing.assert_allclose(bm.p_onset, b1.p_onset, rtol=0, atol=6e-3, equal_nan=True)
    assert abs(np.nanmedian(bm.qrs_onset - b1.qrs_onset)) <= 6e-3
    np.testing.assert_array_equal(detect_r_peaks(leads, sr=SR), detect_r_peaks(x, sr=SR))


@pytest.mark.parametrize(
    "bad",
    ["noise", "loud noise", "flat", "mains"],
)
def test_multilead_ignores_a_lead_that_carries_no_ecg(rng, bad):
    # a disconnected or noise-only lead is dropped before anything is combined, so the 12-lead
    # estimate equals the 11-lead one; without that, white noise of 0.5 mV in one lead moved
    # the spatial QRS onset of this record by 24 ms (and its PR mean by 48 ms)
    x, sr, _ = physiofeat.data.load_ecg("ludb_1")
    n = x.shape[1]
    t = np.arange(n) / sr
    lead = {
        "noise": 0.05 * rng.standard_normal(n),
        "loud noise": 0.5 * rng.standard_normal(n),
        "flat": np.zeros(n),
        "mains": np.sin(2 * np.pi * 50.0 * t),
    }[bad]
    y = x.copy()
    y[3] = lead
    b11 = delineate(np.delete(x, 3, axis=0), sr=sr)
    b12 = delineate(y, sr=sr)
    for k in ("r_time", "qrs_onset", "p_onset", "p_peak"):
        np.testing.assert_array_equal(getattr(b12, k), getattr(b11, k))
    np.testing.assert_array_equal(
        detect_r_peaks(y, sr=sr), detect_r_peaks(x[np.arange(12) != 3], sr=sr)
    )
    # and the clean 12-lead estimate barely differs from the 11-lead one
    b = delineate(x, sr=sr)
    assert np.nanmax(np.abs(b.qrs_onset - b11.qrs_onset)) <= 4e-3


def _ludb_lead_ii():
    x, sr, leads = physiofeat.data.load_ecg("ludb_1")
    return x[list(leads).index("ii")], float(sr)


@pytest.mark.parametrize(
    "artefact",
    ["baseline step", "noise burst", "mains 50 Hz", "mains 60 Hz"],
)
def test_pr_survives_common_artefacts(rng, artefact):
    # a 2 mV electrode-motion step, a 2 s burst of 0.5 mV muscle noise, 0.5 mV of 50 Hz or 1 mV
    # of 60 Hz mains on the shipped LUDB lead II: the PR interval stays within 5 ms of the clean
    # recording's and most beats keep their P wave. Before the robust P template a step or a
    # burst (its false beat and disturbed neighbours bent the median template) left no P wave
    # at all; before the mains notch, 60 Hz moved the median PR by 45 ms
    x, sr = _ludb_lead_ii()
    t = np.arange(x.size) / sr
    add = {
        "baseline step": 2.0 * (t > 5.0),
        "noise burst": np.where((t > 3.0) & (t < 5.0), 0.5, 0.02) * rng.standard_normal(x.size),
        "mains 50 Hz": 0.5 * np.sin(2 * np.pi * 50.0 * t),
        "mains 60 Hz": 1.0 * np.sin(2 * np.pi * 60.0 * t + 0.3),
    }[artefact]
    clean = delineate(x, sr=sr)
    b = delineate(x + add, sr=sr)
    assert abs(np.nanmedian(b.pr_interval) - np.nanmedian(clean.pr_interval)) <= 0.005
    assert np.isfinite(b.p_onset).mean() >= 0.5


def test_a_baseline_step_adds_no_beat():
    # a 2 mV electrode-motion step is detected as a QRS by the energy detector; it looks like no
    # QRS of the record and splits one RR in two, so it is dropped: the R peaks equal the clean
    # recording's (without the rule: one extra beat, and RR statistics off)
    x, sr = _ludb_lead_ii()
    t = np.arange(x.size) / sr
    clean = detect_r_peaks(x, sr=sr)
    for at, size in ((5.0, 2.0), (3.3, -2.0), (7.7, 1.5)):
        got = detect_r_peaks(x + size * (t > at), sr=sr)
        assert got.size == clean.size, (at, size)
        np.testing.assert_allclose(got, clean, rtol=0, atol=2)


def test_impulses_add_no_beat(rng):
    # 5 mV one-sample impulses on 0.2 % of the samples (about one per beat) passed the 5-15 Hz
    # detector as QRS complexes (16 detections for 8 beats); the detector's input is despiked
    x, sr = _ludb_lead_ii()
    clean = detect_r_peaks(x, sr=sr)
    for amp in (5.0, -3.0):
        got = detect_r_peaks(x + np.where(rng.random(x.size) < 0.002, amp, 0.0), sr=sr)
        assert got.size == clean.size
        np.testing.assert_allclose(got, clean, rtol=0, atol=2)


def test_median_at_matches_scipy_median_filter(rng):
    from scipy.ndimage import median_filter

    x = np.round(rng.standard_normal(500), 1)  # ties too
    idx = np.array([0, 1, 2, 250, 497, 498, 499], dtype=np.int64)
    for h in (1, 3, 6):
        want = median_filter(x, size=2 * h + 1, mode="nearest")[idx]
        np.testing.assert_array_equal(_kernels.median_at(x, idx, h), want)


def test_despike_leaves_real_ecg_alone(shared_data):
    # on every lead of LUDB and QTDB only the pacing spikes of paced LUDB record 34 are touched
    import wfdb

    from physiofeat.ecg import _core

    touched = []
    for hea in sorted((shared_data / "ecg" / "ludb").glob("*.hea")) + sorted(
        (shared_data / "ecg" / "qtdb").glob("*.hea")
    ):
        rec = wfdb.rdrecord(str(hea.with_suffix("")))
        x = np.nan_to_num(rec.p_signal.T)
        if np.any(_core._despike(x, float(rec.fs), _core._PARAMS) != x):
            touched.append(hea.stem)
    assert touched == ["34"]


def test_artefact_beats_are_dropped_more_often_than_real_ones(monkeypatch):
    # 36 corrupted copies of three shipped LUDB leads (II, V1, V5; a +-2 mV step or a 2 s burst
    # of 0.5 mV noise at random places): errors against the clean detections (missed + false
    # beats) with the extra-beat rule at most 0.8 x those without it (measured 68 vs 91;
    # NeuroKit2's ecg_peaks makes 99 on the same signals)
    from physiofeat.ecg import _core

    X, sr, _ = physiofeat.data.load_ecg("ludb_1")
    sr = float(sr)

    def errors():
        total = 0
        for lead in (1, 6, 10):
            x = X[lead]
            t = np.arange(x.size) / sr
            clean = detect_r_peaks(x, sr=sr).astype(float)
            for seed in range(6):
                g = np.random.default_rng(seed)
                for kind in ("step", "burst"):
                    if kind == "step":
                        y = x + g.choice([-2.0, 2.0]) * (t > g.uniform(2, 8))
                    else:
                        a = g.uniform(1, 7)
                        y = x + np.where((t > a) & (t < a + 2), 0.5, 0.02) * g.standard_normal(
                            x.size
                        )
                    _, fn, fp = E.match_beats(detect_r_peaks(y, sr=sr), clean, 0.05 * sr)
                    total += fn + fp
        return total

    with_rule = errors()
    monkeypatch.setitem(_core._PARAMS, "extra_corr", -2.0)  # never drop
    without = errors()
    assert with_rule <= 0.8 * without, (with_rule, without)


def test_mains_notch_only_where_mains_stands_out(rng):
    from physiofeat.ecg import _core

    x, sr = _ludb_lead_ii()
    t = np.arange(x.size) / sr
    p = _core._PARAMS
    assert _core._mains(x[None], sr, p) == ()
    assert _core._mains((x + 0.05 * np.sin(2 * np.pi * 50.0 * t))[None], sr, p) == (50.0,)
    both = x + 0.05 * np.sin(2 * np.pi * 50.0 * t) + 0.05 * np.sin(2 * np.pi * 60.0 * t)
    assert _core._mains(np.stack([x, both]), sr, p) == (50.0, 60.0)  # any lead counts
    assert _core._mains((x + 0.05 * np.sin(2 * np.pi * 50.0 * t))[None], 100.0, p) == ()  # Nyquist


def test_multilead_keeps_every_lead_when_none_is_consistent(rng):
    # only noise: no lead is singled out (all kept), and nothing crashes
    y = 0.1 * rng.standard_normal((3, 5000))
    b = delineate(y, sr=SR)
    assert np.isfinite(b.r_time).all()


def test_resampled_rates_and_float32():
    x, truth = synthetic_ecg(duration=12.0, sr=250.0, heart_rate=65.0)
    b = delineate(x.astype(np.float32), sr=250.0)
    np.testing.assert_allclose(b.r_index, truth["r"], rtol=0, atol=1)
    assert abs(np.nanmedian(b.pr_interval) - (0.16 - CAL_MS / 1000)) <= 0.012


def test_beats_table_to_frame():
    x, _ = synthetic_ecg(duration=6.0, sr=SR)
    df = delineate(x, sr=SR).to_frame()
    assert list(df.columns) == [
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
        "r_index",
    ]
    assert np.isnan(df["rr"].iloc[0]) and len(df) == 6


# --------------------------------------------------------------------------------------------
# errors and warnings


def test_errors():
    x, _ = synthetic_ecg(duration=5.0, sr=SR)
    with pytest.raises(ParameterError, match="too low for ECG delineation"):
        delineate(x, sr=80)
    with pytest.raises(ParameterError, match="sampling rate in Hz"):
        pr_features(x, sr=None)
    with pytest.raises(InvalidSignalError, match="at least 2 s are needed"):
        delineate(x[:900], sr=SR)
    with pytest.raises(InvalidSignalError, match="flat line"):
        pr_features(np.full(5000, 0.3), sr=SR)
    bad = x.copy()
    bad[100] = np.nan
    with pytest.raises(InvalidSignalError, match="non-finite"):
        detect_r_peaks(bad, sr=SR)
    with pytest.raises(InvalidSignalError, match="must have shape"):
        delineate(x[None, None], sr=SR)
    for bad_t in (0.0, -0.1, 1.5, np.nan, True, "0.5", None):
        with pytest.raises(ParameterError, match="p_threshold must be"):
            delineate(x, sr=SR, p_threshold=bad_t)
    with pytest.raises(ParameterError, match=r"p_threshold must be <= 1\.0; got 2\.0"):
        pr_features(x, sr=SR, p_threshold=2.0)


def test_p_threshold_trades_faint_p_waves_for_specificity():
    # faint P waves (30 uV) in 20 uV noise: the lower the threshold, the more beats get a P
    # wave, and every beat given one at a threshold keeps it at any lower threshold; the onsets
    # found stay near the truth
    x, truth = synthetic_ecg(duration=30.0, sr=SR, heart_rate=70.0, p_amp=0.03, noise=0.02, seed=1)
    has = {}
    for t in (0.95, 0.8, 0.7, 0.5, 0.4):
        b = delineate(x, sr=SR, p_threshold=t)
        assert len(b) == truth["r"].size
        has[t] = np.isfinite(b.p_onset)
        err = (b.p_onset[has[t]] * SR - truth["p_onset"][has[t]]) * 1000.0 / SR
        assert np.all(np.abs(err) <= 20.0)
    ts = sorted(has, reverse=True)
    for hi, lo in zip(ts, ts[1:]):
        assert np.all(has[lo][has[hi]])  # nested sets
    assert has[0.95].mean() <= 0.1 and has[0.4].mean() >= 0.9  # and a real spread between
    # at 0.8 fewer than half the beats match, so the record's P wave is not established and the
    # others are not taken at the weak correlation; at 0.7 most beats match and all get one
    assert 0.1 < has[0.8].mean() < 0.5 and has[0.7].mean() == has[0.4].mean()
    # the default is 0.7, and pr_features passes the threshold on
    np.testing.assert_array_equal(np.isfinite(delineate(x, sr=SR).p_onset), has[0.7])
    f = dict(zip(PR_STATS, pr_features(x, sr=SR, p_threshold=0.4)))
    assert f["p_fraction"] == pytest.approx(has[0.4].mean(), abs=1e-12)


def test_fewer_than_two_beats_warns_nan():
    x = np.zeros(3000)
    x[1500] = 1.0
    with pytest.warns(EcgWarning, match="beat"):
        f = pr_features(x, sr=SR)
    assert f.shape == (len(PR_STATS),) and np.isnan(f).all()


# --------------------------------------------------------------------------------------------
# registry


def test_extract_pr_interval_and_beats():
    x, _ = synthetic_ecg(duration=10.0, sr=SR, heart_rate=75.0)
    feats = physiofeat.extract(x, ["pr_interval", "ecg_beats"], sr=SR)
    assert feats["pr_interval"].dims == ("stat",)
    np.testing.assert_allclose(feats["pr_interval"].values, pr_features(x, sr=SR))
    names = feats.vector_names()
    assert names[: len(PR_STATS)] == [f"pr_interval_{s}" for s in PR_STATS]
    assert "ecg_beats_pr_interval_mean" in names
    v = feats.vector()
    assert v.shape == (len(names),)
    batch = physiofeat.extract(np.stack([x, x[::-1].copy()]), ["pr_interval", "ecg_beats"], sr=SR)
    assert batch.vector().shape == (2, len(names))
    np.testing.assert_allclose(batch["pr_interval"].values[0], feats["pr_interval"].values)
    assert "pr_interval" in [s.name for s in physiofeat.features("ecg")]


def test_extract_passes_p_threshold_and_checks_it():
    x, _ = synthetic_ecg(duration=12.0, sr=SR, heart_rate=70.0, p_amp=0.03, noise=0.02, seed=1)
    feats = physiofeat.extract(x, ["pr_interval", "ecg_beats"], sr=SR, p_threshold=0.4)
    np.testing.assert_allclose(
        feats["pr_interval"].values, pr_features(x, sr=SR, p_threshold=0.4), equal_nan=True
    )
    want = delineate(x, sr=SR, p_threshold=0.4).p_onset
    got = feats["ecg_beats"].values[3]
    np.testing.assert_allclose(got[: want.size], want, equal_nan=True)


@pytest.mark.parametrize("request_", [["pr_interval"], {"ecg_beats": {"p_threshold": 1.01}}])
def test_extract_refuses_bad_p_threshold_before_any_work(no_compute, request_):
    x, _ = synthetic_ecg(duration=5.0, sr=SR)
    shared = {"p_threshold": 0.0} if isinstance(request_, list) else {}
    with pytest.raises(ParameterError, match=r"p_threshold must be (> 0\.0|<= 1\.0)"):
        physiofeat.extract(x, request_, sr=SR, **shared)


# --------------------------------------------------------------------------------------------
# validation against manual annotations (LUDB: tuning set; QTDB: held out)


@pytest.fixture(scope="module")
def validation(shared_data):
    rh = E.ludb_rhythms(shared_data)
    names = E.ludb_names(shared_data)
    ludb = [E.read_ludb(shared_data, n, rh) for n in names]
    ludb_med = [E.read_ludb(shared_data, n, rh, median=True) for n in names]
    qtdb = [E.read_qtdb(shared_data, n) for n in E.qtdb_names(shared_data)]
    run = {
        "ludb-lead": (ludb, False),
        "ludb-multi-earliest": (ludb, True),
        "ludb-multi-median": (ludb_med, True),
        "qtdb-lead": (qtdb, False),
        "qtdb-multi": (qtdb, True),
    }
    return {k: E.evaluate(recs, E.physiofeat_detector, multi=m)[0] for k, (recs, m) in run.items()}


# Achieved levels (benchmarks/validate_ecg.py) with ~1-2 ms / 1-2 % headroom, as two-sided
# regression bounds: (|mean| bound, SD bound) in ms for the QRS and P onsets, PR MAE (ms),
# P sensitivity (%) lower bound, PPV (%) lower bound, share of non-sinus beats given a P (%).
ACHIEVED = {
    # P sensitivity 96.6 -> 100 % when the noisy beats of a record with a P wave were searched
    # again at correlation 0.4 (issue 14); the P-onset SD over the beats found 8.65 -> 9.12 ms
    # and the PR MAE 7.67 -> 7.99 ms with the 10 noisy beats counted (8.55 and 7.62 on the 281
    # beats found before)
    # P sensitivity 100 -> 98.3 % when the band-pass came to pad 2 s of mirror image (issue 17,
    # item 4: the PR no longer depends on the rate): the template of noisy record 17 changed and
    # its weak search no longer opened (5 of 12 beats at 0.7, not half), so 5 of its beats have
    # no P wave; the P-onset SD 9.09 -> 8.65 ms and the PR MAE 7.97 -> 7.78 ms
    "ludb-lead": dict(qrs=(3, 7.5), pon=(3, 9.5), pr=8.5, se=98, ppv=99, nonsinus=5),
    "ludb-multi-earliest": dict(qrs=(15.5, 7.5), pon=(19.5, 23), pr=14, se=95, ppv=99, nonsinus=5),
    # P-onset SD 5.74 -> 7.93 ms with the same change: it found 8 P waves of record 56 (P Se
    # 96.6 -> 99.3 %) whose multi-lead onsets are 31 ms earlier than the median over LUDB's leads
    "ludb-multi-median": dict(qrs=(3.5, 5.5), pon=(5, 8.5), pr=8, se=95, ppv=99, nonsinus=5),
    # P-onset mean 6.32 -> 6.51 ms when the P wave of these 250 Hz records came to be taken at
    # 500 Hz (issue 17, item 4; SD 13.5 -> 13.2 ms, PR MAE 13.8 -> 13.5 ms): a re-baseline of
    # this regression bound from 6.5 to 6.6, no wider than the change needs
    # and 6.52 -> 6.77 ms with the 2 s mirror padding of the band-pass (SD 13.21 -> 13.50 ms,
    # PR MAE 13.53 -> 13.67 ms): 6.6 -> 6.8
    "qtdb-lead": dict(qrs=(3, 9), pon=(6.8, 15), pr=14.5, se=98, ppv=99, nonsinus=5),
    # P-onset mean 3.4 -> 4.5 ms when the P onset became an interpolated crossing (issue 17): the
    # integer onset sat on average half a sample (2 ms at 250 Hz) early
    "qtdb-multi": dict(qrs=(4, 9), pon=(5.0, 13.5), pr=12.5, se=98, ppv=99, nonsinus=5),
}


def test_reference_spread_known_answer():
    # manual marks 500 Hz: QRS onset 20 samples before R, +-2 samples alternately; PR constant
    n = 9
    r = 1000.0 + 400.0 * np.arange(n)
    dev = np.where(np.arange(n) % 2 == 0, 2.0, -2.0)
    qon = r - 20.0 + dev
    ref = E.Ref(r=r, qon=qon, pon=qon - 80.0)
    rec = E.Record("ludb/7", np.zeros((1, 10)), 500.0, ref, ref, "sinus")
    af = dataclasses.replace(rec, name="ludb/8", rhythm="af")
    sp = E.reference_spread([rec, af])
    want = np.std(dev * 2.0, ddof=1)  # ms; the AF record is left out
    assert sp["qrs_vs_r_sd"] == pytest.approx(want, rel=1e-12)
    assert sp["pr_sd"] == pytest.approx(0.0, abs=1e-12)
    assert E.is_tuning_record(rec) and not E.is_tuning_record(af)
    assert not E.is_tuning_record(dataclasses.replace(rec, name="qtdb/sel103"))


def test_reference_floor_known_answer():
    # manual QRS onsets 20 samples before R +-2 alternately, P onsets 100 samples before R +-4;
    # the detector's R peaks sit 3 samples after the manual R marks (a constant offset)
    n = 9
    r = 1000.0 + 400.0 * np.arange(n)
    alt = np.where(np.arange(n) % 2 == 0, 1.0, -1.0)
    ref = E.Ref(r=r, qon=r - 20.0 + 2.0 * alt, pon=r - 100.0 + 4.0 * alt)
    rec = E.Record("qtdb/x", np.zeros((1, 10)), 500.0, ref, ref, "sinus", lead0=0)
    fl = E.reference_floor([rec], lambda x, sr: {"r": r + 3.0})
    assert fl["qrs_vs_det_r_sd"] == pytest.approx(np.std(4.0 * alt, ddof=1), rel=1e-12)
    assert fl["pon_vs_det_r_sd"] == pytest.approx(np.std(8.0 * alt, ddof=1), rel=1e-12)


def test_ludb_reference_gaps_known_answer():
    r = np.array([1000.0, 1400.0, 1800.0])
    lead = E.Ref(r=r, qon=r - 20.0, pon=r - 100.0)
    early = E.Ref(r=r, qon=r - 25.0, pon=r - np.array([110.0, 120.0, 100.0]))
    med = E.Ref(r=r, qon=r - 22.0, pon=np.array([np.nan, 1300.0, 1700.0]))
    e = E.Record("ludb/1", np.zeros((1, 10)), 500.0, lead, early, "sinus")
    m = dataclasses.replace(e, ref_multi=med)
    af = dataclasses.replace(e, name="ludb/2", rhythm="af", ref_lead=early, ref_multi=lead)
    g = E.ludb_reference_gaps([e, af], [m, af])  # the AF record is left out
    assert g["lead_ii_qon"][:2] == pytest.approx((10.0, 0.0))  # 5 samples at 500 Hz
    d = np.array([10.0, 20.0, 0.0]) * 2.0
    assert g["lead_ii_pon"] == pytest.approx((d.mean(), d.std(ddof=1), 3))
    d = np.array([20.0, 0.0]) * 2.0  # NaN median mark dropped
    assert g["median_pon"] == pytest.approx((d.mean(), d.std(ddof=1), 2))


def test_qtdb_beats_its_own_automatic_delineation(shared_data):
    """Against ecgpuwave (the delineation shipped with the QT Database, an independent
    algorithm) on the same beats: QRS-onset SD and PR MAE lower, P sensitivity higher, no P waves
    on the paced record; and the manual QRS onsets themselves scatter (within a record, from the
    detected R peak) by more than the CSE tolerance, which the closing note relies on."""
    qtdb = [E.read_qtdb(shared_data, n) for n in E.qtdb_names(shared_data)]
    pf, _ = E.evaluate(qtdb, E.physiofeat_detector, multi=False)
    pu = E.evaluate_given(qtdb, [E.ecgpuwave_beats(shared_data, r, 0) for r in qtdb], multi=False)
    assert 0.0 < pf["qrs_on_sd"] < pu["qrs_on_sd"]
    assert 0.0 < pf["pr_mae"] < pu["pr_mae"]
    assert pf["p_se"] > pu["p_se"] and pf["nonsinus_p_frac"] < pu["nonsinus_p_frac"]
    fl = E.reference_floor(qtdb, E.physiofeat_detector)
    assert fl["qrs_vs_det_r_sd"] > E.TARGETS["qrs_on_sd"]
    assert fl["qrs_vs_det_r_sd"] <= pf["qrs_on_sd"] <= fl["qrs_vs_det_r_sd"] + 1.5


def test_match_beats_known_answer():
    # reference 100, 300, 500; detections 102 (hit), 290 and 305 (one hit, one false), none
    # near 500 (missed), 800 (false)
    assert E.match_beats(
        np.array([800.0, 305.0, 102.0, 290.0]), np.array([100.0, 300.0, 500.0]), 10
    ) == (2, 1, 2)
    assert E.match_beats(np.array([]), np.array([1.0]), 5) == (0, 1, 0)


def test_r_peaks_over_whole_qtdb_records(shared_data):
    """R-peak detection on the 10 QTDB records with beat labels (15 min each, over 11,000 beats,
    normal, ventricular, paced...) against the .atr labels: sensitivity and positive
    predictivity >= 99.9 %, for lead 0 and for both leads."""
    for det in (lambda x, sr: detect_r_peaks(x[0], sr=sr), lambda x, sr: detect_r_peaks(x, sr=sr)):
        m = E.qtdb_beat_detection(shared_data, det)
        assert m["beats"] > 11000
        assert m["se"] >= 99.9 and m["ppv"] >= 99.9, m


def test_lower_p_threshold_matches_neurokit_sensitivity_with_fewer_false_p(shared_data):
    """LUDB lead II: at the default threshold NeuroKit2 finds more P waves (it gives one to
    almost every beat, AF and flutter included); at p_threshold 0.4 physiofeat's every figure is
    at least NeuroKit2's and it still gives far fewer non-sinus beats a P wave."""
    rh = E.ludb_rhythms(shared_data)
    ludb = [E.read_ludb(shared_data, n, rh) for n in E.ludb_names(shared_data)]

    def det(x, sr):
        return E.physiofeat_detector(x, sr, p_threshold=0.4)

    pf, _ = E.evaluate(ludb, det, multi=False)
    nk, _ = E.evaluate(ludb, E.neurokit_detector, multi=False)
    assert pf["p_se"] >= nk["p_se"] and pf["p_ppv"] >= nk["p_ppv"]
    for k in ("qrs_on_sd", "p_on_sd", "pr_mae"):
        assert 0.0 < pf[k] <= nk[k], k
    assert pf["nonsinus_p_frac"] <= 0.6 * nk["nonsinus_p_frac"]


@pytest.mark.parametrize("key", list(ACHIEVED))
def test_validation_bounds(validation, key):
    m = validation[key]
    a = ACHIEVED[key]
    assert m["r_se"] >= 97.0
    assert abs(m["qrs_on_mean"]) <= a["qrs"][0] and m["qrs_on_sd"] <= a["qrs"][1]
    assert abs(m["p_on_mean"]) <= a["pon"][0] and m["p_on_sd"] <= a["pon"][1]
    assert m["pr_mae"] <= a["pr"]
    assert m["p_se"] >= a["se"] and m["p_ppv"] >= a["ppv"]
    assert m["nonsinus_p_frac"] <= a["nonsinus"]


# Issue-5 targets. Those not met are strict xfails (listed in the closing report), so they turn
# into failures the day they are met.
_MET = {
    ("ludb-lead", "pr_mae"),
    # ("ludb-lead", "qrs_on_sd"): 6.66 ms since the median-beat QRS onset is taken at 2 kHz
    # whatever the rate (issue 17, item 4); the 6.41 ms before was the 500 Hz sampling grid's
    # (the same rule at 1, 2 and 4 kHz gives 6.66)
    ("ludb-lead", "p_on_sd"),
    ("ludb-lead", "p_se"),
    ("ludb-lead", "p_ppv"),
    ("ludb-multi-earliest", "p_se"),
    ("ludb-multi-earliest", "p_ppv"),
    ("ludb-multi-median", "pr_mae"),
    ("ludb-multi-median", "p_on_sd"),
    ("ludb-multi-median", "qrs_on_sd"),
    ("ludb-multi-median", "p_se"),
    ("ludb-multi-median", "p_ppv"),
    ("qtdb-lead", "p_se"),
    ("qtdb-lead", "p_ppv"),
    ("qtdb-multi", "p_se"),
    ("qtdb-multi", "p_ppv"),
}
_NOT_MET = {
    ("ludb-lead", "qrs_on_sd"): "issue-5 target missed by 0.16 ms since the QRS onset no longer "
    "depends on the sampling rate (issue 17): 6.66 ms, was 6.41 on the 500 Hz grid",
}
_TARGET_CASES = [
    pytest.param(
        k,
        f,
        id=f"{k}-{f}",
        marks=()
        if (k, f) in _MET
        else pytest.mark.xfail(
            strict=True,
            reason=_NOT_MET.get(
                (k, f),
                "issue-5 target not met: at or below the scatter of the reference marks "
                "themselves (see benchmarks/validate_ecg.py)",
            ),
        ),
    )
    for k in ACHIEVED
    for f in E.TARGETS
]


@pytest.mark.parametrize(("key", "figure"), _TARGET_CASES)
def test_issue_targets(validation, key, figure):
    m = validation[key]
    if figure in ("p_se", "p_ppv"):
        assert m[figure] >= E.TARGETS[figure]
    else:
        assert m[figure] <= E.TARGETS[figure]
        # the onset means must be small too (two-sided), not only the spread
        if figure == "p_on_sd":
            assert abs(m["p_on_mean"]) <= 5.0
        if figure == "qrs_on_sd":
            assert abs(m["qrs_on_mean"]) <= 6.0


def test_nearest_known_answer():
    a = np.array([10.0, 20.0, 30.0])
    np.testing.assert_array_equal(
        E.nearest(a, np.array([11.0, 25.0, 100.0, 19.0]), 5.0), [0, 1, -1, 1]
    )
    np.testing.assert_array_equal(E.nearest(np.array([]), np.array([1.0, 2.0]), 5.0), [-1, -1])
