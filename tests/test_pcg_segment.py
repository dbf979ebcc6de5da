"""physiofeat.pcg segmentation: the Segmentation container, preprocessing, the HSMM segmenter."""

from __future__ import annotations

import numpy as np
import pytest

import physiofeat
from physiofeat import DecodeError, ParameterError
from physiofeat.pcg import DIASTOLE, S1, S2, STATE_NAMES, SYSTOLE, Segmentation

SAMPLE_TSV = physiofeat.data.DATA_DIR / "50277_MV.tsv"


# ------------------------------------------------------------------------------------------
# Segmentation


def test_codes_are_circor():
    assert (S1, SYSTOLE, S2, DIASTOLE) == (1, 2, 3, 4)
    assert STATE_NAMES == {0: "unannotated", 1: "S1", 2: "systole", 3: "S2", 4: "diastole"}


def test_from_tsv_matches_loadtxt():
    ref = np.loadtxt(SAMPLE_TSV, ndmin=2)  # independent reader; the shipped file is contiguous
    seg = Segmentation.from_tsv(SAMPLE_TSV, sr=4000, n_samples=91200)
    np.testing.assert_array_equal(seg.intervals, ref)
    assert seg.states.shape == (91200,) and seg.states.dtype == np.int8
    assert np.isnan(seg.heart_rate) and np.isnan(seg.systolic_interval)
    # per-sample states: sample i at i/sr lies in [start, end) of its row
    t = np.arange(91200) / 4000
    for a, b, s in ref:
        inside = (t >= a) & (t < b)
        assert (seg.states[inside] == s).all()
    np.testing.assert_array_equal(seg.sounds(S1), ref[ref[:, 2] == 1, :2])
    np.testing.assert_array_equal(seg.sounds("s2"), ref[ref[:, 2] == 3, :2])
    np.testing.assert_allclose(seg.centres(S1), ref[ref[:, 2] == 1, :2].mean(axis=1))


def test_tsv_round_trip(tmp_path):
    seg = Segmentation.from_tsv(SAMPLE_TSV, sr=4000)
    out = tmp_path / "x.tsv"
    seg.to_tsv(out)
    back = Segmentation.from_tsv(out, sr=4000, n_samples=seg.states.size)
    np.testing.assert_allclose(back.intervals, seg.intervals, rtol=0, atol=5e-7)
    np.testing.assert_array_equal(back.states, seg.states)
    # and the written text parses to the shipped file's numbers
    np.testing.assert_allclose(np.loadtxt(out), np.loadtxt(SAMPLE_TSV), rtol=0, atol=5e-7)


def test_to_frame():
    seg = Segmentation.from_tsv(SAMPLE_TSV, sr=4000)
    df = seg.to_frame()
    assert list(df.columns) == ["start_s", "end_s", "state", "state_name"]
    assert len(df) == seg.intervals.shape[0]
    assert df["state_name"].iloc[2] == "S1" and df["state"].iloc[2] == 1


def test_cycles_are_complete_s1_to_s1():
    seg = Segmentation.from_tsv(SAMPLE_TSV, sr=4000)
    cyc = seg.cycles()
    s1 = seg.sounds(S1)[:, 0]
    # 7 S1 sounds, the last followed by unannotated time: 6 complete cycles, S1 start to S1 start
    assert cyc.shape == (6, 2)
    np.testing.assert_array_equal(cyc[:, 0], s1[:-1])
    np.testing.assert_array_equal(cyc[:, 1], s1[1:])


def test_holes_zero_length_and_sorting():
    iv = [[0.5, 0.6, 3], [0.0, 0.2, 1], [0.2, 0.2, 0], [0.2, 0.45, 2]]
    seg = Segmentation.from_intervals(iv, sr=100)
    np.testing.assert_allclose(
        seg.intervals, [[0, 0.2, 1], [0.2, 0.45, 2], [0.45, 0.5, 0], [0.5, 0.6, 3]]
    )
    assert seg.states.size == 60
    assert (seg.states[45:50] == 0).all() and (seg.states[50:] == 3).all()


def test_small_overlaps_are_cut():
    # CirCor rounding: S1 ends 0.3 ms after systole starts
    seg = Segmentation.from_intervals([[0, 0.1003, 1], [0.1, 0.3, 2], [0.3, 0.4, 3]], sr=1000)
    np.testing.assert_allclose(seg.intervals, [[0, 0.1, 1], [0.1, 0.3, 2], [0.3, 0.4, 3]])


def test_from_states_round_trip():
    rng = np.random.default_rng(3)
    runs = rng.integers(1, 30, size=40)
    codes = np.tile([1, 2, 3, 4], 10)
    states = np.repeat(codes, runs).astype(np.int8)
    seg = Segmentation.from_states(states, sr=50)
    np.testing.assert_array_equal(seg.states, states)
    assert seg.intervals.shape == (40, 3)
    np.testing.assert_allclose(np.diff(seg.intervals[:, :2], axis=1)[:, 0], runs / 50)


def test_empty_segmentation():
    seg = Segmentation.from_intervals(np.zeros((0, 3)), sr=4000, n_samples=10)
    assert seg.intervals.shape == (0, 3) and seg.sounds(S1).shape == (0, 2)
    assert (seg.states == 0).all() and seg.cycles().shape == (0, 2)


@pytest.mark.parametrize(
    ("intervals", "match"),
    [
        ([[0, 1]], r"shape \(n, 3\)"),
        ([[0, np.nan, 1]], "NaN or inf"),
        ([[0, 1, 5]], "CirCor codes 0-4.*got 5"),
        ([[0, 1, 1.5]], "CirCor codes 0-4.*got 1.5"),
        ([[-1, 1, 1]], "must be >= 0 s"),
        ([[1, 0.5, 1]], "ends before it starts"),
        ([[0, 1, 1], [0.5, 2, 2]], "intervals overlap.*more than 10 ms"),
        ("abc", "numeric"),
    ],
)
def test_from_intervals_errors(intervals, match):
    with pytest.raises(ParameterError, match=match):
        Segmentation.from_intervals(intervals, sr=100)


def test_other_errors(tmp_path):
    with pytest.raises(ParameterError, match="sampling rate"):
        Segmentation.from_intervals([[0, 1, 1]], sr=None)
    with pytest.raises(ParameterError, match="n_samples must be >= 0"):
        Segmentation.from_intervals([[0, 1, 1]], sr=10, n_samples=-1)
    seg = Segmentation.from_intervals([[0, 1, 1]], sr=10)
    with pytest.raises(ParameterError, match="unknown state 'S3'"):
        seg.sounds("S3")
    with pytest.raises(ParameterError, match="codes 0-4"):
        seg.sounds(7)
    with pytest.raises(ParameterError, match="1-D integer array"):
        Segmentation.from_states(np.zeros((2, 2), int), sr=10)
    with pytest.raises(DecodeError, match="cannot read segmentation file"):
        Segmentation.from_tsv(tmp_path / "missing.tsv", sr=4000)
    bad = tmp_path / "bad.tsv"
    bad.write_text("0\t1\t1\n1\tx\t2\n")
    with pytest.raises(DecodeError, match="line 2 is not"):
        Segmentation.from_tsv(bad, sr=4000)


def test_frozen():
    seg = Segmentation.from_intervals([[0, 1, 1]], sr=10)
    with pytest.raises(AttributeError):
        seg.sr = 5
    with pytest.raises(ValueError, match="read-only"):
        seg.intervals[0, 0] = 3
