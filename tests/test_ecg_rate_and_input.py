"""Issue 17, items 4 and 5: the delineation does not depend on the sampling rate; waves outside
the recording are NaN; ECG features on a signal that is no ECG warn and give NaN with a reason."""

from __future__ import annotations

import warnings
from fractions import Fraction

import numpy as np
import pytest

import physiofeat
from physiofeat.ecg import (
    HRV_STATS,
    PR_STATS,
    QT_STATS,
    EcgWarning,
    delineate,
    hrv_features,
    pr_features,
    qt_features,
    synthetic_ecg,
)

NOT_ECG = "does not look like an ECG"

# LUDB lead II records. Before the fix 15 moved by 15 ms between rates (QRS onset of the median
# beat: a ~5 ms Q-wave trough passed for the quiet PR segment on some sampling grids and not on
# others; the rule now runs on the median beat resampled to 2 kHz) and 40 by 3 ms (the P onset
# was taken to the sample). Not every LUDB record agrees within 2 ms yet (see the report of
# issue 17: the P wave of records 12 and 114 is read differently at 500 Hz).
RATE_RECORDS = ("3", "6", "9", "15", "20", "40", "64")


def _lead_ii(root, name):
    wfdb = pytest.importorskip("wfdb")
    return wfdb.rdrecord(str(root / "ecg" / "ludb" / name)).p_signal[:, 1]


@pytest.mark.parametrize("name", RATE_RECORDS)
def test_pr_is_the_same_at_250_to_2000_hz(shared_data, name):
    from scipy.signal import resample_poly

    x = _lead_ii(shared_data, name)
    pr = {}
    for sr in (250, 500, 1000, 2000):
        f = Fraction(sr, 500)
        y = resample_poly(x, f.numerator, f.denominator)
        pr[sr] = dict(zip(PR_STATS, pr_features(y, sr=float(sr))))["pr_median"] * 1000.0
    assert np.isfinite(list(pr.values())).all()
    assert max(pr.values()) - min(pr.values()) <= 2.0, pr


def test_synthetic_pr_is_the_same_at_every_rate():
    pr = []
    for sr in (250.0, 500.0, 1000.0, 2000.0):
        x, _ = synthetic_ecg(duration=10.0, sr=sr, heart_rate=70.0, pr=0.17)
        pr.append(np.nanmedian(delineate(x, sr=sr).pr_interval) * 1000.0)
    assert np.ptp(pr) <= 2.0, pr


def test_no_wave_before_the_recording_starts(shared_data):
    # LUDB record 1 starts 6 ms before the QRS onset of its first beat (the calibration put the
    # onset at -0.006 s before the fix)
    wfdb = pytest.importorskip("wfdb")
    x = wfdb.rdrecord(str(shared_data / "ecg" / "ludb" / "1")).p_signal.T
    for sig in (x, x[1]):
        b = delineate(sig, sr=500.0)
        for col in ("qrs_onset", "p_onset", "p_peak", "qrs_offset", "t_peak", "t_end"):
            v = getattr(b, col)
            v = v[np.isfinite(v)]
            assert np.all((v >= 0.0) & (v <= (x.shape[-1] - 1) / 500.0)), col


def test_first_beat_cut_by_the_start_has_no_qrs_onset():
    x, truth = synthetic_ecg(duration=10.0, sr=500.0, heart_rate=60.0)
    cut = int(truth["r"][0] - 5)  # start 10 ms before the first R peak: its onset is outside
    b = delineate(x[cut:], sr=500.0)
    assert abs(b.r_index[0] - (truth["r"][0] - cut)) <= 5
    assert np.isnan(b.qrs_onset[0]) and np.isnan(b.pr_interval[0])
    assert np.isfinite(b.qrs_onset[1:]).all()


# --------------------------------------------------------------------------------------------
# not an ECG


def _heart_sound():
    x, sr = physiofeat.load(physiofeat.data.path("a0007"))
    return x, sr


def test_pr_on_a_heart_sound_warns_and_gives_nan():
    x, sr = _heart_sound()
    with pytest.warns(EcgWarning, match=NOT_ECG + r".*correlation 0\.\d\d, below 0\.5"):
        f = pr_features(x, sr=sr)
    assert np.isnan(f).all()
    with pytest.warns(EcgWarning, match=NOT_ECG):
        assert np.isnan(qt_features(x, sr=sr)).all()
    with pytest.warns(EcgWarning, match=NOT_ECG):
        assert np.isnan(hrv_features(x, sr=sr)).all()
    with pytest.warns(EcgWarning, match=NOT_ECG):
        b = delineate(x, sr=sr)
    assert b.ecg_score < 0.5


def test_extract_gives_the_reason_in_attrs():
    x, sr = _heart_sound()
    with pytest.warns(EcgWarning, match=NOT_ECG):
        f = physiofeat.extract(x, ["pr_interval", "qt_interval", "hrv", "ecg_beats"], sr=sr)
    for name, n in (("pr_interval", len(PR_STATS)), ("qt_interval", len(QT_STATS))):
        assert np.isnan(f[name].values).all() and f[name].values.size == n
        assert NOT_ECG in f[name].attrs["nan_reason"]
    assert f["hrv"].values.size == len(HRV_STATS) and NOT_ECG in f["hrv"].attrs["nan_reason"]
    assert NOT_ECG in f["ecg_beats"].attrs["not_ecg_reason"]
    # a batch: one reason per row, "" for the ECG row
    ecg, _ = synthetic_ecg(duration=x.size / sr, sr=sr, heart_rate=70.0)
    with pytest.warns(EcgWarning, match=NOT_ECG):
        fb = physiofeat.extract(np.stack([ecg[: x.size], x]), ["pr_interval"], sr=sr)
    r = fb["pr_interval"].attrs["nan_reason"]
    assert r[0] == "" and NOT_ECG in r[1]
    assert (
        np.isfinite(fb["pr_interval"].values[0, 0]) and np.isnan(fb["pr_interval"].values[1]).all()
    )


@pytest.mark.parametrize("name", ["1", "34", "38"])
def test_real_ecg_does_not_warn(shared_data, name):
    wfdb = pytest.importorskip("wfdb")
    x = wfdb.rdrecord(str(shared_data / "ecg" / "ludb" / name)).p_signal.T
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*" + NOT_ECG)
        b = delineate(x[1], sr=500.0)
        delineate(x, sr=500.0)
    assert b.ecg_score >= 0.64


def test_ephnogram_ecg_passes_and_its_pcg_does_not(shared_data):
    wfdb = pytest.importorskip("wfdb")
    rec = wfdb.rdrecord(str(shared_data / "ecg_pcg" / "ephnogram" / "ECGPCG0003"))
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*" + NOT_ECG)
        assert np.isfinite(pr_features(rec.p_signal[:60000, 0], sr=rec.fs)[0])
    with pytest.warns(EcgWarning, match=NOT_ECG):
        assert np.isnan(pr_features(rec.p_signal[:60000, 1], sr=rec.fs)).all()
