"""ECG-PCG timing (physiofeat.ecgpcg): known delays on synthetic pairs, missing sounds, real records."""

from __future__ import annotations

import numpy as np
import pytest

import physiofeat
from physiofeat import InvalidSignalError, ParameterError
from physiofeat.ecgpcg import (
    INTERVALS,
    TIMING_STATS,
    gated_segment,
    synthetic_ecg_pcg,
    timing,
    timing_features,
)
from physiofeat.pcg import S1, S2, Segmentation

MS = 1e-3


@pytest.mark.parametrize("sr", [1000.0, 2000.0, 4000.0, 8000.0])
@pytest.mark.parametrize(("emat", "qs2"), [(0.06, 0.36), (0.09, 0.30)])
def test_known_delays_are_recovered_within_2_ms(sr, emat, qs2):
    ecg, pcg, sr, truth = synthetic_ecg_pcg(duration=8.0, sr=sr, emat=emat, qs2=qs2)
    b = timing(ecg, pcg, sr=sr)
    assert len(b) == truth["qrs_onset"].size
    # the heart sounds, at the PCG's full rate, against the times they were made at
    np.testing.assert_allclose(b.s1_onset, truth["s1_onset"], rtol=0, atol=2 * MS)
    np.testing.assert_allclose(b.s2_onset, truth["s2_onset"], rtol=0, atol=2 * MS)
    # the intervals are the differences they are defined as
    np.testing.assert_array_equal(b.emat_onset, b.s1_onset - b.qrs_onset)
    np.testing.assert_array_equal(b.qrs_s2, b.s2_onset - b.qrs_onset)
    np.testing.assert_array_equal(b.s1_s2, b.s2_onset - b.s1_onset)
    np.testing.assert_array_equal(b.r_s1, b.s1_onset - b.r_time)
    np.testing.assert_allclose(b.emat_rr[1:], b.emat_onset[1:] / b.rr[1:], rtol=1e-15)
    # S1 to S2 involves no ECG: the known difference within 2 ms
    np.testing.assert_allclose(b.s1_s2, qs2 - emat, rtol=0, atol=2 * MS)
    # EMAT = known delay + the ECG family's QRS-onset offset on this ECG (measured from truth)
    q_offset = truth["qrs_onset"] - b.qrs_onset
    np.testing.assert_allclose(b.emat_onset, emat + q_offset, rtol=0, atol=2 * MS)


def test_missing_sounds_are_nan_and_the_rest_is_kept():
    ecg, pcg, sr, truth = synthetic_ecg_pcg(
        duration=10.0, sr=2000, missing_s1=[3, 7], missing_s2=[5]
    )
    b = timing(ecg, pcg, sr=sr)
    miss1 = np.isnan(b.s1_onset)
    miss2 = np.isnan(b.s2_onset)
    np.testing.assert_array_equal(np.flatnonzero(miss1), [3, 7])
    np.testing.assert_array_equal(np.flatnonzero(miss2), [5])
    assert np.isnan(b.emat_onset[[3, 7]]).all() and np.isnan(b.qrs_s2[5])
    ok = ~miss1
    np.testing.assert_allclose(b.s1_onset[ok], truth["s1_onset"][ok], rtol=0, atol=2 * MS)
    ok = ~miss2
    np.testing.assert_allclose(b.s2_onset[ok], truth["s2_onset"][ok], rtol=0, atol=2 * MS)
    f = timing_features(b)
    assert f.shape == (len(TIMING_STATS),)
    stats = dict(zip(TIMING_STATS, f))
    n = len(b)
    assert stats["s1_fraction"] == pytest.approx((n - 2) / n, abs=1e-15)
    assert stats["s2_fraction"] == pytest.approx((n - 1) / n, abs=1e-15)
    v = b.emat_onset[np.isfinite(b.emat_onset)]
    assert stats["emat_onset_median"] == pytest.approx(np.median(v), abs=1e-15)
    assert stats["emat_onset_sd"] == pytest.approx(np.std(v, ddof=1), abs=1e-15)


def test_silent_pcg_gives_nan_sounds_with_stable_names():
    ecg, _, sr, _ = synthetic_ecg_pcg(duration=6.0, sr=1000)
    pcg = np.random.default_rng(0).normal(0, 0.01, ecg.size)
    b = timing(ecg, pcg, sr=sr)
    assert len(b) > 3
    assert np.isnan(b.s1_onset).mean() > 0.5
    f = timing_features(b)
    assert f.shape == (len(TIMING_STATS),) and len(TIMING_STATS) == 2 * len(INTERVALS) + 2


def test_pcg_at_another_rate_than_the_ecg():
    ecg, pcg, sr, truth = synthetic_ecg_pcg(duration=8.0, sr=4000)
    ecg500 = physiofeat.io.resample(ecg, 4000, 500)
    b = timing(ecg500, pcg, sr=500, pcg_sr=4000)
    np.testing.assert_allclose(b.s1_onset, truth["s1_onset"], rtol=0, atol=2 * MS)


def test_gated_segmentation_brackets_the_sounds():
    ecg, pcg, sr, truth = synthetic_ecg_pcg(duration=8.0, sr=2000)
    beats = physiofeat.ecg.delineate(ecg, sr=sr)
    seg = gated_segment(pcg, sr=sr, beats=beats)
    assert isinstance(seg, Segmentation)
    s1, s2 = seg.sounds(S1), seg.sounds(S2)
    assert len(s1) == truth["s1_onset"].size and len(s2) == truth["s2_onset"].size
    np.testing.assert_allclose(s1[:, 0], truth["s1_onset"], rtol=0, atol=2 * MS)
    np.testing.assert_allclose(s2[:, 0], truth["s2_onset"], rtol=0, atol=2 * MS)
    assert (s1[:, 1] > s1[:, 0] + 0.01).all() and (s1[:, 1] < s1[:, 0] + 0.1).all()


def test_errors():
    ecg, pcg, sr, _ = synthetic_ecg_pcg(duration=4.0, sr=1000)
    with pytest.raises(ParameterError, match="method must be one of 'gated', 'hsmm'"):
        timing(ecg, pcg, sr=sr, method="peaks")
    with pytest.raises(ParameterError, match="onset_fraction"):
        timing(ecg, pcg, sr=sr, onset_fraction=1.0)
    with pytest.raises(ParameterError, match="onset_fraction"):
        timing(ecg, pcg, sr=sr, onset_fraction=0.0)
    with pytest.raises(ParameterError, match="min_snr"):
        timing(ecg, pcg, sr=sr, min_snr=0.5)
    with pytest.raises(ParameterError, match="beats must be a physiofeat.ecg.EcgBeats"):
        timing(None, pcg, sr=sr, beats={"r_time": [1.0]})
    with pytest.raises(ParameterError, match="give the ECG"):
        timing(None, pcg, sr=sr)
    with pytest.raises(ParameterError, match="segmentation must be a physiofeat.pcg.Segmentation"):
        timing(ecg, pcg, sr=sr, method="hsmm", segmentation=np.zeros((2, 3)))
    with pytest.raises(InvalidSignalError, match="needs at least 1 s"):
        timing(ecg, pcg[:500], sr=sr)
    with pytest.raises(InvalidSignalError, match="pcg"):
        timing(ecg, np.stack([pcg, pcg]), sr=sr)
    with pytest.raises(ParameterError, match="pcg_sr"):
        timing(ecg, pcg, sr=sr, pcg_sr=-1)


def test_ephnogram_gated_and_hsmm_agree(shared_data):
    rec = physiofeat.load_record(shared_data / "ecg_pcg" / "ephnogram" / "ECGPCG0003.hea")
    ecg, pcg, sr = rec["ECG"], rec["PCG"], rec.channel("ECG").sr
    beats = physiofeat.ecg.delineate(ecg, sr=sr)
    g = timing(None, pcg, sr=sr, beats=beats)
    h = timing(None, pcg, sr=sr, beats=beats, method="hsmm")
    assert len(g) >= 40  # 30 s at ~90 bpm
    assert np.isfinite(g.s1_peak).mean() >= 0.95 and np.isfinite(g.s2_onset).mean() >= 0.95
    both = np.isfinite(g.s1_onset) & np.isfinite(h.s1_onset)
    assert both.mean() >= 0.9
    np.testing.assert_allclose(g.s1_onset[both], h.s1_onset[both], rtol=0, atol=5 * MS)
    # physiological ranges: EMAT 40-120 ms, QRS-S2 (electromechanical systole) 0.25-0.45 s
    emat = np.nanmedian(g.emat_onset)
    assert 0.04 <= emat <= 0.12 and 0.25 <= np.nanmedian(g.qrs_s2) <= 0.45
    assert np.nanstd(g.qrs_s2) < 0.03  # beat-to-beat stable at rest


def test_the_validation_script_runs_both_methods(shared_data, monkeypatch, capsys):
    """``python -m benchmarks.validate_ecgpcg`` (quoted by docs/features.rst) had stopped with a
    ParameterError since timing(method="gated") refuses segmentation=."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from benchmarks import validate_ecgpcg as V

    monkeypatch.setattr(V, "SHARED", shared_data)
    V.main()
    out = capsys.readouterr().out
    for record in ("EPHNOGRAM ECGPCG0003", "BioSPPy pcg_ecg"):
        for method in ("gated", "hsmm"):
            assert out.count(f"| {record} | {method} |") == 1
