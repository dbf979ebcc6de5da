"""Edge cases of the ECG family found by using it as a new user would (session 11): one R-peak
rule for detect_r_peaks/hrv and delineate, T waves cut off by the end of the recording, HRV and
ECG-PCG timing on what holds no ECG beats, an upper sampling rate, and the warm-up of the batch
pool keeping its warnings to itself."""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest

import physiofeat
from physiofeat import ParameterError
from physiofeat.ecg import (
    HRV_STATS,
    PR_STATS,
    QT_STATS,
    EcgWarning,
    delineate,
    detect_r_peaks,
    hrv_features,
    hrv_from_peaks,
    pr_features,
    qt_features,
    synthetic_ecg,
)

NOT_ECG = "does not look like an ECG"


def _quiet(fn, *a, **k):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*a, **k)


def test_detect_r_peaks_are_delineates_r_peaks_on_every_shipped_lead():
    """hrv_features takes detect_r_peaks' peaks; they must be delineate's, lead by lead (the
    two used different polarity windows, and on wide QRS complexes detect_r_peaks took the S
    wave of some beats and the R of others)."""
    ecg, sr, leads = physiofeat.data.load_ecg()
    for i, lead in enumerate(leads):
        p = _quiet(detect_r_peaks, ecg[i], sr=sr)
        b = _quiet(delineate, ecg[i], sr=sr)
        np.testing.assert_array_equal(p, b.r_index, err_msg=lead)
    np.testing.assert_array_equal(
        _quiet(detect_r_peaks, ecg, sr=sr), _quiet(delineate, ecg, sr=sr).r_index
    )


def test_hrv_of_a_wide_qrs_lead_agrees_with_the_manual_r_marks(shared_data):
    """LUDB 24 lead II (left bundle-branch block): RMSSD from the manual R marks is 33.8 ms;
    the S wave taken for the R on some beats gave 133 ms before the fix."""
    import wfdb

    base = shared_data / "ecg" / "ludb" / "24"
    x = physiofeat.load_record(str(base) + ".hea")["ii"]
    ann = wfdb.rdann(str(base), "ii")
    marks = ann.sample[np.asarray(ann.symbol) == "N"]
    got = dict(zip(HRV_STATS, _quiet(hrv_features, x, sr=500.0)))
    ref = dict(zip(HRV_STATS, _quiet(hrv_from_peaks, marks, sr=500.0)))
    assert got["rmssd"] == pytest.approx(ref["rmssd"], abs=6.0)
    assert got["sdnn"] == pytest.approx(ref["sdnn"], abs=6.0)
    # every manual R mark has a detected peak within 40 ms (the S waves taken were 76 ms off)
    peaks = _quiet(detect_r_peaks, x, sr=500.0)
    assert np.abs(marks[:, None] - peaks[None]).min(axis=1).max() <= 0.040 * 500.0


@pytest.mark.parametrize("cut_s", [2.9, 3.0, 3.1])
def test_a_t_wave_cut_off_by_the_end_of_the_recording_has_no_t_end(cut_s):
    """Shipped LUDB 1, lead II: beat 2's T wave ends at 3.136 s (QT 0.492 s uncut). Cut at
    2.9-3.1 s, it had a T end at the cut (QT 0.238-0.446 s), pulling qt_mean to 0.357 s."""
    ecg, sr, leads = physiofeat.data.load_ecg()
    x = ecg[leads.index("ii")]
    full = _quiet(delineate, x, sr=sr)
    assert full.t_end[1] == pytest.approx(3.136, abs=0.01)
    y = x[: int(cut_s * sr)]
    b = _quiet(delineate, y, sr=sr)
    np.testing.assert_allclose(b.r_time, full.r_time[: len(b)], atol=1.0 / sr)
    assert np.isnan(b.t_end[1]) and np.isnan(b.qt[1]) and np.isnan(b.qtc[1])
    assert b.t_end[0] == pytest.approx(full.t_end[0], abs=2.0 / sr)
    f = dict(zip(QT_STATS, _quiet(qt_features, y, sr=sr)))
    assert f["qt_mean"] == pytest.approx(full.qt[0], abs=2.0 / sr)
    assert f["t_fraction"] == pytest.approx(0.5)


def test_a_recording_that_ends_after_the_t_wave_keeps_it():
    ecg, sr, leads = physiofeat.data.load_ecg()
    x = ecg[leads.index("ii")]
    full = _quiet(delineate, x, sr=sr)
    end = int((full.t_end[1] + 0.2) * sr)  # 200 ms after beat 2's T end
    b = _quiet(delineate, x[:end], sr=sr)
    assert b.t_end[1] == pytest.approx(full.t_end[1], abs=2.0 / sr)


def test_hrv_of_a_lead_without_beats_is_nan_with_a_warning_not_an_error():
    x = np.zeros(5000)
    x[[1000, 3000]] = 1.0  # a disconnected lead with two artefact spikes
    with pytest.warns(EcgWarning, match="HRV features are NaN"):
        v = hrv_features(x, sr=500.0)
    assert v.shape == (len(HRV_STATS),) and np.all(np.isnan(v))
    with pytest.warns(EcgWarning):
        f = physiofeat.extract(x, ["hrv", "pr_interval"], sr=500.0)
    assert (
        np.all(np.isnan(f["hrv"].values)) and "HRV features are NaN" in f["hrv"].attrs["nan_reason"]
    )
    assert len(f.vector()) == len(HRV_STATS) + len(PR_STATS)


@pytest.mark.parametrize("kind", ["ramp", "slow sine"])
def test_baseline_drift_alone_gets_no_heart_rate(kind):
    """A drifting electrode: the band-pass's two edges were taken for two beats 9.8 s apart
    (6 bpm), with no warning."""
    sr = 500.0
    t = np.arange(int(10 * sr)) / sr
    x = t.copy() if kind == "ramp" else np.sin(2 * np.pi * 0.1 * t)
    for fn, stats in ((pr_features, PR_STATS), (qt_features, QT_STATS), (hrv_features, HRV_STATS)):
        with pytest.warns(EcgWarning, match=NOT_ECG + ".*fewer than 3"):
            v = fn(x, sr=sr)
        assert v.shape == (len(stats),) and np.all(np.isnan(v))
    with pytest.warns(EcgWarning, match="fewer than 3"):
        delineate(x, sr=sr)


def test_two_beats_of_a_short_recording_are_still_summarised():
    """Under FEW_BEATS_MIN_S a recording of 2 real beats is too short to judge, not rejected."""
    sr = 500.0
    x, truth = synthetic_ecg(duration=2.5, sr=sr, heart_rate=60)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*" + NOT_ECG)
        f = dict(zip(PR_STATS, pr_features(x, sr=sr)))
    assert f["heart_rate"] == pytest.approx(60.0, abs=1.0)


def test_sampling_rate_above_what_delineation_takes_is_a_parameter_error():
    x, _ = synthetic_ecg(duration=4.0, sr=500.0)
    y = np.repeat(x, 400)  # 200 kHz
    for fn in (delineate, detect_r_peaks, hrv_features, pr_features):
        with pytest.raises(ParameterError, match=r"sr=200000 Hz is above the 100000 Hz"):
            fn(y, sr=200_000.0)


def test_hrv_short_warning_names_every_measure_it_leaves_nan():
    peaks = np.array([0, 800, 1610])  # 2 RR intervals at 1 kHz
    with pytest.warns(EcgWarning) as rec:
        v = dict(zip(HRV_STATS, hrv_from_peaks(peaks, sr=1000.0)))
    text = " ".join(str(w.message) for w in rec)
    nan = [k for k, val in v.items() if np.isnan(val)]
    assert {"hf", "lf", "lf_hf", "rmssd", "sampen", "dfa_alpha1"} <= set(nan)
    for name in nan:
        assert name in text or name in (
            "rmssd",
            "sdsd",
            "pnn50",
            "pnn20",
            "sd1",
            "sd2",
            "sd1_sd2",
        ), name
    assert "successive-difference" in text  # the group rmssd ... sd1_sd2 belongs to


def test_ecg_pcg_timing_on_a_noise_ecg_is_nan_with_the_reason():
    from physiofeat.ecgpcg import TIMING_STATS, synthetic_ecg_pcg
    from physiofeat.records import Record

    _, pcg, sr, _ = synthetic_ecg_pcg(duration=12.0, sr=2000.0)
    noise = np.random.default_rng(1).standard_normal(pcg.size)
    rec = Record.from_arrays({"ECG": (noise, sr), "PCG": (pcg, sr)})
    with pytest.warns(EcgWarning, match=NOT_ECG):
        f = physiofeat.extract(rec, ["ecg_pcg_timing"])
    feat = f["ecg_pcg_timing"]
    assert feat.values.shape == (len(TIMING_STATS),) and np.all(np.isnan(feat.values))
    assert NOT_ECG in feat.attrs["nan_reason"]
    assert "ECG-PCG timing features are NaN" in feat.attrs["nan_reason"]


def test_the_batch_warm_up_keeps_its_warnings_to_itself(tmp_path):
    """The pool's fork server runs the request once on noise; its 'not an ECG' warnings
    reached the user's stderr for every valid record."""
    src = physiofeat.data.path("ludb_1")
    for suffix in (".hea", ".dat"):
        (tmp_path / ("ludb_1" + suffix)).write_bytes(src.with_suffix(suffix).read_bytes())
    out = tmp_path / "qt.csv"
    cmd = [sys.executable, "-m", "physiofeat", "extract", str(tmp_path), "-f", "qt_interval"]
    run = subprocess.run(
        cmd + ["--channel", "ii", "--jobs", "2", "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert NOT_ECG not in run.stderr
    import pandas as pd

    assert np.isfinite(pd.read_csv(out)["qt_interval_qt_median"]).all()


def test_one_delineation_feeds_pr_qt_and_beats_of_a_call(monkeypatch):
    """extract(x, ["pr_interval", "qt_interval", "ecg_beats"]) delineated each signal three
    times; the values are those of the functions called alone."""
    import physiofeat.ecg._core as core

    ecg, sr, leads = physiofeat.data.load_ecg()
    x = ecg[leads.index("ii")]
    calls = []
    inner = core._delineate_samples

    def counted(*a, **k):
        calls.append(1)
        return inner(*a, **k)

    monkeypatch.setattr(core, "_delineate_samples", counted)
    req = {"pr_interval": {}, "qt_interval": {"qtc": "fridericia"}, "ecg_beats": {}}
    f = physiofeat.extract(x, req, sr=sr)
    assert len(calls) == 1
    np.testing.assert_array_equal(f["pr_interval"].values, pr_features(x, sr=sr))
    np.testing.assert_array_equal(f["qt_interval"].values, qt_features(x, sr=sr, qtc="fridericia"))
    np.testing.assert_array_equal(f["ecg_beats"].values[-1], delineate(x, sr=sr).qtc)
    calls.clear()
    physiofeat.extract(np.stack([x, x[::-1]]), req, sr=sr)  # a batch: one per row
    assert len(calls) == 2


def test_ecg_and_pcg_of_different_lengths_are_refused():
    """A forgotten pcg_sr (PCG at 8 kHz taken at the ECG's 1 kHz) stretched the PCG's time axis
    8-fold and gave EMAT 0.109 s instead of 0.075 s, with no warning."""
    from physiofeat.ecgpcg import synthetic_ecg_pcg, timing

    ecg, pcg, sr, _ = synthetic_ecg_pcg(duration=10.0, sr=2000.0)
    pcg8 = np.repeat(pcg, 4)  # the PCG at 8 kHz
    b = timing(ecg, pcg8, sr=sr, pcg_sr=4 * sr)
    assert len(b) > 5
    with pytest.raises(ParameterError, match=r"the ECG lasts 10 s .* PCG 40 s .* is pcg_sr"):
        timing(ecg, pcg8, sr=sr)
    with pytest.raises(ParameterError, match="PCG 5 s"):
        timing(ecg, pcg[: pcg.size // 2], sr=sr)
    timing(ecg, pcg[: int(pcg.size * 0.95)], sr=sr)  # 0.5 s shorter: the same recording
