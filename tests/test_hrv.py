"""Heart-rate variability (issue 15) against NeuroKit2 on the same R peaks, known answers,
least recording lengths, errors and the registry."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import physiofeat
from physiofeat import InvalidSignalError
from physiofeat.ecg import (
    HRV_STATS,
    EcgWarning,
    detect_r_peaks,
    hrv_features,
    hrv_from_peaks,
    synthetic_ecg,
)

SR = 1000.0

#: physiofeat name -> NeuroKit2 column (hrv_time / hrv_nonlinear), equal to round-off
NK_SAME = {
    "mean_nn": "MeanNN",
    "sdnn": "SDNN",
    "rmssd": "RMSSD",
    "sdsd": "SDSD",
    "cvnn": "CVNN",
    "median_nn": "MedianNN",
    "mad_nn": "MadNN",
    "iqr_nn": "IQRNN",
    "pnn50": "pNN50",
    "pnn20": "pNN20",
    "min_nn": "MinNN",
    "max_nn": "MaxNN",
    "sd1": "SD1",
    "sd2": "SD2",
    "sd1_sd2": "SD1SD2",
    "sampen": "SampEn",
    "dfa_alpha1": "DFA_alpha1",
}


def _rr_peaks(rng, n=420, mean=850.0):
    """Peaks (ms at 1 kHz) of an RR series with respiratory (0.25 Hz) and Mayer-wave (0.1 Hz)
    modulation and AR(1) noise, integer-valued as a 1 kHz R-peak detector gives them."""
    t = np.arange(n) * mean / 1000.0
    e = np.zeros(n)
    for i in range(1, n):
        e[i] = 0.6 * e[i - 1] + rng.normal(0, 12)
    rr = mean + 30 * np.sin(2 * np.pi * 0.25 * t) + 20 * np.sin(2 * np.pi * 0.1 * t) + e
    return np.cumsum(np.r_[1000, np.rint(rr)]).astype(np.int64)


def _nk(peaks, sr):
    nk = pytest.importorskip("neurokit2")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = nk.hrv_time(peaks, sampling_rate=sr).iloc[0]
        n = nk.hrv_nonlinear(peaks, sampling_rate=sr).iloc[0]
    return {**{k: t[k] for k in t.index}, **{k: n[k] for k in n.index}}


def test_matches_neurokit2_on_the_same_peaks(rng):
    peaks = _rr_peaks(rng)
    f = dict(zip(HRV_STATS, hrv_from_peaks(peaks, sr=SR)))
    ref = _nk(peaks, SR)
    for ours, theirs in NK_SAME.items():
        assert f[ours] == pytest.approx(ref[f"HRV_{theirs}"], rel=1e-9, abs=1e-12), ours


def test_lf_hf_matches_neurokit2_lomb_scargle(rng):
    pytest.importorskip("astropy")
    nk = pytest.importorskip("neurokit2")
    peaks = _rr_peaks(rng)
    f = dict(zip(HRV_STATS, hrv_from_peaks(peaks, sr=SR)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fr = nk.hrv_frequency(
            peaks, sampling_rate=SR, psd_method="lomb", interpolation_rate=None
        ).iloc[0]
    # same estimator (Lomb-Scargle at the beat times); astropy's frequency grid and
    # normalisation differ from scipy's: the ratios agree within 2 %
    assert f["lf_hf"] == pytest.approx(fr["HRV_LFHF"], rel=0.02)
    assert f["lf_nu"] == pytest.approx(fr["HRV_LF"] / (fr["HRV_LF"] + fr["HRV_HF"]), rel=0.02)


def test_real_qtdb_peaks_match_neurokit2(shared_data):
    wfdb = pytest.importorskip("wfdb")
    rec = wfdb.rdrecord(str(shared_data / "ecg" / "qtdb" / "sel16265"), sampto=250 * 300)
    peaks = detect_r_peaks(rec.p_signal[:, 0], sr=250.0)
    f = dict(zip(HRV_STATS, hrv_from_peaks(peaks, sr=250.0)))
    ref = _nk(peaks, 250.0)
    for ours, theirs in NK_SAME.items():
        assert f[ours] == pytest.approx(ref[f"HRV_{theirs}"], rel=1e-9), ours
    assert 40.0 < f["sdnn"] < 60.0 and np.isfinite(f["lf_hf"])


def test_spectrum_known_answers():
    # RR sinusoidally modulated at one frequency: its power lies in that band, and the band
    # power is the modulation's variance (a^2 / 2)
    for f0, band, other in ((0.25, "hf", "lf"), (0.1, "lf", "hf")):
        t = 0.0
        peaks = [0.0]
        while t < 400.0:
            rr = 0.8 + 0.03 * np.sin(2 * np.pi * f0 * t)
            t += rr
            peaks.append(t)
        f = dict(zip(HRV_STATS, hrv_from_peaks(np.rint(np.array(peaks) * SR), sr=SR)))
        assert f[band] == pytest.approx(30.0**2 / 2, rel=0.1), (f0, f[band])
        assert f[other] < 0.02 * f[band]


def test_short_records_give_nan_with_a_warning():
    x, _ = synthetic_ecg(duration=10.0, sr=500.0, heart_rate=75.0)
    with pytest.warns(EcgWarning, match=r"too short for hf \(67 s\); lf, lf_hf, lf_nu, hf_nu"):
        f = dict(zip(HRV_STATS, hrv_features(x, sr=500.0)))
    assert f["mean_nn"] == pytest.approx(800.0, abs=2.0)
    for k in ("lf", "hf", "lf_hf", "lf_nu", "hf_nu", "sampen", "dfa_alpha1"):
        assert np.isnan(f[k]), k
    # 120 s: HF yes, LF no; 100+ intervals: sample entropy yes
    peaks = np.cumsum(np.r_[0, np.tile([790, 810, 800], 50)])
    with pytest.warns(EcgWarning, match=r"lf, lf_hf, lf_nu, hf_nu \(250 s\)") as w:
        f = dict(zip(HRV_STATS, hrv_from_peaks(peaks, sr=SR)))
    assert "sampen" not in str(w[0].message) and "hf (67" not in str(w[0].message)
    assert np.isfinite(f["hf"]) and np.isnan(f["lf"]) and np.isfinite(f["sampen"])
    with pytest.warns(EcgWarning, match=r"too short for all values \(2 RR intervals\)"):
        assert np.isnan(hrv_from_peaks(np.array([0, 800]), sr=SR)).all()


def test_long_records_do_not_warn(rng):
    with warnings.catch_warnings():
        warnings.simplefilter("error", EcgWarning)
        f = hrv_from_peaks(_rr_peaks(rng), sr=SR)
    assert np.isfinite(f).all()


@pytest.mark.parametrize(
    "peaks, match",
    [
        (np.array([0, 800, 800, 1600]), "strictly increasing"),
        (np.array([0, 800, 700]), "strictly increasing"),
        (np.array([[0, 800]]), "peaks"),
    ],
)
def test_bad_peaks(peaks, match):
    with pytest.raises(InvalidSignalError, match=match):
        hrv_from_peaks(peaks, sr=SR)


def test_extract_hrv():
    x, _ = synthetic_ecg(duration=10.0, sr=500.0, heart_rate=75.0)
    with pytest.warns(EcgWarning, match="too short"):
        f = physiofeat.extract(x, ["hrv"], sr=500.0)
    assert f.vector_names() == [f"hrv_{s}" for s in HRV_STATS]
    with pytest.warns(EcgWarning):
        np.testing.assert_allclose(f["hrv"].values, hrv_features(x, sr=500.0), equal_nan=True)
    assert "hrv" in [s.name for s in physiofeat.features("ecg")]
