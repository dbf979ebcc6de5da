"""Regression tests for the second audit of physiofeat.ecgpcg (one test per fixed finding)."""

from __future__ import annotations

import ast
import os
import warnings
from pathlib import Path

import numpy as np
import pytest

import physiofeat
from physiofeat._errors import ParameterError
from physiofeat.ecgpcg import (
    TIMING_STATS,
    gated_segment,
    synthetic_ecg_pcg,
    timing,
    timing_features,
)
from physiofeat.ecgpcg._synth import _sound
from physiofeat.records import Record

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("PHYSIOFEAT_SHARED_DATA", ROOT.parent / "shared" / "data"))
EPHNOGRAM = SHARED / "ecg_pcg" / "ephnogram" / "ECGPCG0003.hea"


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _s4_before_missing_s1():
    """A loud burst 60 ms before beat 4's QRS onset, whose S1 is missing: the S1 window opens
    on that burst's decaying tail."""
    ecg, pcg, sr, tr = synthetic_ecg_pcg(duration=10.0, sr=2000, missing_s1=[4])
    t = np.arange(pcg.size) / sr
    pcg = pcg + 0.8 * _sound(t, tr["qrs_onset"][4] - 0.06, 40.0, 0.003, 0.020, 0.080)
    return ecg, pcg, sr, tr


# --- #1: a sound that began before its search window is no peak at the window's edge ---------


def test_1_no_s1_peak_at_the_window_edge_when_the_sound_began_before_it():
    ecg, pcg, sr, tr = _s4_before_missing_s1()
    b = timing(ecg, pcg, sr=sr)
    assert np.isnan(b.s1_onset[4])
    assert np.isnan(b.s1_peak[4]) and np.isnan(b.emat_peak[4])
    ok = np.isfinite(b.emat_peak)
    assert np.all(b.emat_peak[ok] > 0)  # the QRS precedes S1
    f = dict(zip(TIMING_STATS, timing_features(b)))
    assert f["emat_peak_sd"] < 0.002  # was 0.028 with the window-edge "peak"


def test_1_peaks_and_onsets_are_nan_together_on_real_data():
    if not EPHNOGRAM.is_file():
        pytest.skip(f"shared data not found: {EPHNOGRAM} (set PHYSIOFEAT_SHARED_DATA)")
    rec = physiofeat.load_record(EPHNOGRAM)
    b = timing(rec["ECG"], rec["PCG"], sr=rec.channel("ECG").sr, pcg_sr=rec.channel("PCG").sr)
    for on, pk in ((b.s1_onset, b.s1_peak), (b.s2_onset, b.s2_peak)):
        np.testing.assert_array_equal(np.isfinite(on), np.isfinite(pk))
    assert np.nanmin(b.emat_peak) > 0


# --- #10: the benchmark and the example give the PCG's rate as pcg_sr ---------------------------


def _timing_calls(path: Path):
    tree = ast.parse(path.read_text())
    return [
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and getattr(n.func, "id", None) == "timing"
    ]


@pytest.mark.parametrize("rel", ["benchmarks/validate_ecgpcg.py", "examples/plot_ecg_pcg.py"])
def test_10_scripts_pass_the_pcg_rate_as_pcg_sr(rel):
    calls = _timing_calls(ROOT / rel)
    assert calls
    for c in calls:
        kw = {k.arg: k.value for k in c.keywords}
        assert "pcg_sr" in kw, f"{rel}: timing() without pcg_sr"
        if "beats" in kw:  # the ECG's rate then comes from the delineation
            assert "sr" not in kw or ast.unparse(kw["sr"]) != ast.unparse(kw["pcg_sr"])


def test_10_benchmark_call_works_with_different_rates():
    ecg5, _, _, _ = synthetic_ecg_pcg(duration=10.0, sr=500)
    _, pcg, _, tr = synthetic_ecg_pcg(duration=10.0, sr=2000)
    rec = Record.from_arrays({"ECG": (ecg5, 500.0), "PCG": (pcg, 2000.0)})
    beats = physiofeat.ecg.delineate(rec["ECG"], sr=500.0)
    b = timing(None, rec["PCG"], pcg_sr=rec.channel("PCG").sr, beats=beats)
    assert np.isfinite(b.s1_onset).all()


# --- #2: the published %EMAT (QRS onset to S1 peak over RR) is its own value -------------------


def test_2_emat_peak_rr_is_the_published_ratio():
    ecg, pcg, sr, tr = synthetic_ecg_pcg(duration=10.0, sr=2000, emat=0.06, qs2=0.36)
    b = timing(ecg, pcg, sr=sr)
    np.testing.assert_allclose(b.emat_peak_rr[1:], b.emat_peak[1:] / b.rr[1:], rtol=1e-15)
    assert np.isnan(b.emat_peak_rr[0])  # RR is the preceding one
    assert np.all(b.emat_peak_rr[1:] > b.emat_rr[1:])
    f = dict(zip(TIMING_STATS, timing_features(b)))
    assert "emat_peak_rr_median" in f and "emat_peak_rr_sd" in f
    assert f["emat_peak_rr_median"] == pytest.approx(np.nanmedian(b.emat_peak / b.rr))
    assert "emat_peak_rr" in b.to_dict()


def test_2_emat_peak_rr_documented_with_its_reference():
    import physiofeat.ecgpcg._core as core

    doc = core.__doc__
    assert "emat_peak_rr" in doc and "Moyers" in doc
    rst = (ROOT / "docs" / "features.rst").read_text()
    assert "emat_peak_rr" in rst and "Moyers" in rst


# --- #4: the gated S2 search start is rate-aware; s2_peak is never filled without S2 -----------


@pytest.mark.parametrize("gap", [0.12, 0.14, 0.15])
def test_4_gated_s2_found_at_fast_rates(gap):
    ecg, pcg, sr, tr = synthetic_ecg_pcg(
        duration=10.0, sr=2000, heart_rate=160, emat=0.06, qs2=0.06 + gap
    )
    b = timing(ecg, pcg, sr=sr)
    assert np.isfinite(b.s2_onset).mean() > 0.9
    ok = np.isfinite(b.s2_onset)
    assert np.nanmax(np.abs(b.s2_onset[ok] - tr["s2_onset"][ok])) < 0.002
    np.testing.assert_array_equal(np.isfinite(b.s2_peak), ok)


# --- #6 / #7: hsmm and gated agree on silent / short PCG and on the 0.2x rule ------------------


def test_6_hsmm_gives_nan_like_gated_on_a_silent_pcg():
    ecg, pcg, sr, _ = synthetic_ecg_pcg(duration=10.0, sr=2000)
    rec = Record.from_arrays({"ECG": (ecg, sr), "PCG": (np.zeros_like(pcg), sr)})
    for method in ("gated", "hsmm"):
        fs = physiofeat.extract(rec, {"ecg_pcg_timing": {"method": method}})
        v = dict(zip(fs.vector_names(), fs.vector()))
        assert v["ecg_pcg_timing_s1_fraction"] == 0.0
        assert np.isnan(v["ecg_pcg_timing_emat_onset_median"])


def test_6_hsmm_gives_values_like_gated_on_a_short_pcg():
    ecg, pcg, sr, tr = synthetic_ecg_pcg(duration=10.0, sr=2000)
    g = timing(ecg[:5000], pcg[:5000], sr=sr)
    h = timing(ecg[:5000], pcg[:5000], sr=sr, method="hsmm")  # 2.5 s: segment needs 3 s
    assert len(h) == len(g) and np.isfinite(g.s1_onset).any()
    assert np.isnan(h.s1_onset).all()


def test_7_hsmm_applies_the_relative_amplitude_rule_too():
    ecg, pcg, sr, tr = synthetic_ecg_pcg(duration=10.0, sr=2000, missing_s1=[4])
    t = np.arange(pcg.size) / sr
    pcg = pcg + 0.15 * _sound(t, tr["qrs_onset"][4] + 0.06, 50.0, 0.003, 0.020, 0.100)
    g = timing(ecg, pcg, sr=sr)
    h = timing(ecg, pcg, sr=sr, method="hsmm")
    assert np.isnan(g.s1_onset[4]) and np.isnan(h.s1_onset[4])
    np.testing.assert_array_equal(np.isfinite(g.s1_onset), np.isfinite(h.s1_onset))


# --- #8: gated_segment keeps an S2 whose beat has no S1 ----------------------------------------


def test_8_gated_segment_keeps_s2_without_s1():
    from physiofeat.pcg import S2

    ecg, pcg, sr, tr = synthetic_ecg_pcg(duration=10.0, sr=2000, missing_s1=[3, 6])
    b = physiofeat.ecg.delineate(ecg, sr=sr)
    n_s2 = int(np.isfinite(timing(None, pcg, sr=sr, beats=b).s2_onset).sum())
    seg = gated_segment(pcg, sr=sr, beats=b)
    assert len(seg.sounds(S2)) == n_s2 == len(tr["s2_onset"])
    i = int(round(tr["s2_onset"][3] * sr + 0.01 * sr))
    assert seg.states[i] == S2


# --- #9: synthetic_ecg_pcg refuses delays and beat numbers that break its truth ----------------


@pytest.mark.parametrize(
    "kw, match",
    [
        ({"heart_rate": 180}, r"emat < qs2 < 60 / heart_rate"),
        ({"emat": 0.4, "qs2": 0.1}, r"emat < qs2"),
        ({"missing_s1": [99]}, r"missing_s1 holds beat numbers"),
        ({"missing_s2": [1.5]}, r"missing_s2 holds beat numbers"),
        ({"missing_s1": [-1]}, r"missing_s1 holds beat numbers"),
    ],
)
def test_9_synthetic_delays_validated(kw, match):
    with pytest.raises(ParameterError, match=match):
        synthetic_ecg_pcg(duration=5.0, sr=1000, **kw)


def test_9_valid_fast_rate_pair_still_accepted():
    _, _, _, tr = synthetic_ecg_pcg(duration=5.0, sr=1000, heart_rate=180, emat=0.05, qs2=0.17)
    assert np.all(tr["s2_onset"][:-1] < tr["qrs_onset"][1:])


# --- #5: a rate wrong by 8.8 % (48 kHz given as 44.1 kHz) is refused ---------------------------


def test_5_a_slightly_wrong_pcg_rate_is_refused():
    ecg, _, sr, _ = synthetic_ecg_pcg(duration=30.0, sr=1000, emat=0.06, qs2=0.36)
    _, pcg, _, _ = synthetic_ecg_pcg(duration=30.0, sr=8000, emat=0.06, qs2=0.36)
    with pytest.raises(ParameterError, match="is pcg_sr"):
        timing(ecg, pcg, sr=sr, pcg_sr=7350)  # 8 kHz declared 44.1/48 of it
    timing(ecg, pcg[: int(pcg.size * 0.99)], sr=sr, pcg_sr=8000)  # 1 % shorter: accepted
