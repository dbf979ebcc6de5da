"""The eight findings of the second ``pcg`` audit (segmentation, cycle features, quality), one
test each, plus the size guard of :meth:`Segmentation.from_intervals`. Each failed before its
fix. Oracles: analytic beat rates, CirCor annotations, naive NumPy."""

from __future__ import annotations

import math

import numpy as np
import pytest
import soundfile as sf

import physiofeat
from physiofeat import InvalidSignalError, ParameterError
from physiofeat.pcg import (
    Segmentation,
    cycle_average,
    fit_segmenter,
    load_model,
    murmur_features,
    schmidt_spike_removal,
    segment,
    segmentation_features,
    signal_quality,
)

# four cycles of 1 s: S1 0.1 s, systole 0.3 s, S2 0.1 s, diastole 0.5 s
_CYCLES = [
    [a + k, b + k, s]
    for k in range(9)
    for a, b, s in [[0.1, 0.2, 1], [0.2, 0.5, 2], [0.5, 0.6, 3], [0.6, 1.1, 4]]
]


def _ref():
    x, sr = physiofeat.load(physiofeat.data.path("50277_MV"))
    ref = Segmentation.from_tsv(physiofeat.data.DATA_DIR / "50277_MV.tsv", sr=sr)
    return x, sr, ref


# 1 -----------------------------------------------------------------------------------------
def test_spike_removal_ignores_silent_windows(rng):
    """Zero padding longer than the signal made the median window peak 0, so every window with
    sound was a 'spike' and 30 % of spike-free noise was zeroed."""
    x = rng.standard_normal(10_000)
    ref = schmidt_spike_removal(x, sr=1000)
    np.testing.assert_array_equal(ref, x)  # spike-free: nothing removed
    for pad in (11_000, 30_000):
        y = schmidt_spike_removal(np.r_[x, np.zeros(pad)], sr=1000)
        np.testing.assert_array_equal(y[:10_000], ref)
        assert not y[10_000:].any()
    # a real spike is still removed next to the padding (same result as without padding)
    xs = x.copy()
    xs[5000:5003] = [0.5, 40.0, 0.5]
    np.testing.assert_array_equal(
        schmidt_spike_removal(np.r_[xs, np.zeros(11_000)], sr=1000)[:10_000],
        schmidt_spike_removal(xs, sr=1000),
    )


def _pooled_f1(ref_centres, det_centres, span, tol=0.06):
    """Naive one-to-one matching (closest pairs first) of detected and annotated centres."""
    det = det_centres[(det_centres >= span[0]) & (det_centres <= span[1])]
    pairs = sorted((abs(d - r), i, j) for i, r in enumerate(ref_centres) for j, d in enumerate(det))
    used_r, used_d, tp = set(), set(), 0
    for dist, i, j in pairs:
        if dist <= tol and i not in used_r and j not in used_d:
            used_r.add(i)
            used_d.add(j)
            tp += 1
    return tp, ref_centres.size, det.size


def test_segment_of_zero_padded_circor_recordings(shared_data):
    """46 circor recordings padded with 1.2x their length of zeros: S1/S2 F1 was 0.33."""
    counts = {1: np.zeros(3), 3: np.zeros(3)}
    for p in sorted((shared_data / "pcg" / "circor").glob("*.wav")):
        x, sr = sf.read(p, dtype="float64")
        try:
            ref = Segmentation.from_tsv(p.with_suffix(".tsv"), sr=sr, n_samples=x.shape[0])
        except ParameterError:
            continue
        if ref.sounds(1).shape[0] == 0:
            continue
        seg = segment(np.r_[x, np.zeros(int(1.2 * x.shape[0]))], sr=sr)
        ann = ref.intervals[ref.intervals[:, 2] > 0]
        span = (ann[0, 0], ann[-1, 1])
        for code in (1, 3):
            counts[code] += _pooled_f1(ref.centres(code), seg.centres(code), span)
    for code, (tp, n_ref, n_det) in counts.items():
        assert 2 * tp / (n_ref + n_det) > 0.8, code


# 2 -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("bpm", [60, 75, 90, 100, 120, 150, 171.4, 180])
def test_acf_heart_rate_is_the_beat_not_a_multiple(bpm):
    """A beat train at ``bpm``: the normalised autocorrelation peaks as high at 2T and 3T, and
    the highest peak was taken (100 bpm gave 50, 120 gave 60, 171.4 gave 42.9)."""
    sr = 2000
    t = np.arange(20 * sr) / sr
    period = 60.0 / bpm
    rng = np.random.default_rng(0)
    x = np.sin(2 * np.pi * 60 * t) * (np.mod(t, period) < 0.08)
    x += 0.01 * rng.standard_normal(t.size)
    q = signal_quality(x, sr=sr)
    esr = sr / (sr // 50)  # the envelope's rate: the lag resolution is one sample of it
    assert abs(60.0 * esr / q["acf_heart_rate"] - period * esr) <= 1.0, q["acf_heart_rate"]
    assert q["acf_peak"] > 0.9


# 3 -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "x",
    [np.full(40_000, 120, dtype=np.int16), np.full(40_000, 0.3), np.zeros(40_000)],
    ids=["int16_dc", "float_dc", "zeros"],
)
def test_constant_recordings_give_nan(x):
    """A constant (a dead channel's ADC offset) is silent: the band-pass round-off of it gave
    envelope kurtosis 290 and signal kurtosis 1014 ('cleanest'), systole_db -256 dB."""
    sr = 4000
    q = signal_quality(x, sr=sr)
    for k in (
        "acf_peak",
        "acf_heart_rate",
        "periodicity",
        "envelope_kurtosis",
        "signal_kurtosis",
        "pcg_band_fraction",
    ):
        assert math.isnan(q[k]), (k, q[k])
    m = murmur_features(x, sr=sr, segmentation=_CYCLES)
    assert all(math.isnan(v) for v in m.values()), m
    assert np.isnan(cycle_average(x, sr=sr, segmentation=_CYCLES)).all()
    with pytest.raises(InvalidSignalError, match="silent"):
        segment(x, sr=sr)


def test_quality_of_sound_is_still_finite(rng):
    x = rng.standard_normal(40_000)
    q = signal_quality(x, sr=4000)
    assert q["signal_kurtosis"] == pytest.approx(3.0, abs=0.2)
    assert np.isfinite(murmur_features(x, sr=4000, segmentation=_CYCLES)["systole_db"])


# 4 -----------------------------------------------------------------------------------------
def test_fit_segmenter_names_what_the_annotations_lack():
    pytest.importorskip("sklearn")
    x, sr, ref = _ref()
    iv = ref.intervals
    two = Segmentation.from_intervals(iv[2:4], sr=sr)  # no S1, no systole... some states only
    with pytest.raises(ParameterError, match="every state 1-4"):
        fit_segmenter([(x, sr, two)], calibrate=False)
    four = Segmentation.from_intervals(iv[1:5], sr=sr)  # every state, no complete cycle
    with pytest.raises(ParameterError, match="complete annotated cycle|stay between"):
        fit_segmenter([(x, sr, four)], calibrate=False)
    for bad in (3, 0, -5, 2.5, True):
        with pytest.raises(ParameterError, match="max_samples must be an int >= 4 or None"):
            fit_segmenter([(x, sr, ref)], max_samples=bad, calibrate=False)
    with pytest.raises(ParameterError, match="seed must be"):
        fit_segmenter([(x, sr, ref)], seed=-1, calibrate=False)


# 5 -----------------------------------------------------------------------------------------
def test_segmentation_and_model_compare_by_value(tmp_path):
    a = Segmentation.from_intervals([[0, 0.1, 1], [0.1, 0.4, 2]], sr=10)
    b = Segmentation.from_intervals([[0, 0.1, 1], [0.1, 0.4, 2]], sr=10)
    c = Segmentation.from_intervals([[0, 0.1, 1], [0.1, 0.5, 2]], sr=10)
    assert (a == b) is True and (a != c) is True and (a == c) is False
    assert a in [c, b] and (a == "a") is False
    with pytest.raises(TypeError, match="unhashable"):
        hash(a)
    x, sr, ref = _ref()
    seg = segment(x, sr=sr)
    p = tmp_path / "seg.tsv"
    seg.to_tsv(p)
    back = Segmentation.from_tsv(p, sr=sr, n_samples=x.shape[0])
    assert (back == seg) is False  # rates (NaN from a file) and attrs differ...
    np.testing.assert_allclose(back.intervals, seg.intervals, rtol=0, atol=1e-9)  # ...not these
    assert np.array_equal(back.states, seg.states)
    assert (Segmentation.from_tsv(p, sr=sr, n_samples=x.shape[0]) == back) is True
    m1, m2 = load_model(), load_model()
    assert m1 is not m2 and (m1 == m2) is True
    assert (m1 == type(m1).untrained()) is False
    with pytest.raises(TypeError, match="unhashable"):
        hash(m1)


# 6 -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("sr", [60, 100, 119])
def test_segment_refuses_rates_below_its_real_limit(sr):
    from physiofeat.io import resample

    x, sr0, _ = _ref()
    with pytest.raises(ParameterError, match=r"PSD envelope feature.*needs sr >= 120 Hz"):
        segment(resample(x, sr0, sr), sr=sr)
    assert "120 Hz" in segment.__doc__


def test_segment_at_its_lowest_rate():
    from physiofeat.io import resample

    x, sr0, _ = _ref()
    assert segment(resample(x, sr0, 120), sr=120).sounds("S1").shape[0] > 0


# 7 -----------------------------------------------------------------------------------------
def test_from_tsv_errors_name_the_file_and_line(tmp_path):
    dup = tmp_path / "dup.tsv"
    dup.write_text("0\t0.5\t1\n0.5\t0.8\t2\n0.5\t0.8\t2\n0.8\t0.9\t3\n")
    once = tmp_path / "once.tsv"
    once.write_text("0\t0.5\t1\n0.5\t0.8\t2\n0.8\t0.9\t3\n")
    a = Segmentation.from_tsv(dup, sr=4000)
    b = Segmentation.from_tsv(once, sr=4000)
    np.testing.assert_array_equal(a.intervals, b.intervals)
    np.testing.assert_array_equal(a.states, b.states)
    bad = tmp_path / "code.tsv"
    bad.write_text("0\t0.5\t1\n0.5\t0.8\t7\n")
    with pytest.raises(ParameterError, match=r"code\.tsv'.*got 7 \(line 2\)"):
        Segmentation.from_tsv(bad, sr=4000)
    over = tmp_path / "over.tsv"
    over.write_text("\n0\t0.5\t1\n0.4\t0.8\t2\n")  # a blank first line: lines count from 1
    with pytest.raises(ParameterError, match=r"over\.tsv'.*line 2\).*line 3\)"):
        Segmentation.from_tsv(over, sr=4000)
    nan = tmp_path / "nan.tsv"
    nan.write_text("0\t0.5\t1\n0.5\tnan\t2\n")
    with pytest.raises(ParameterError, match=r"nan\.tsv'.*NaN or inf \(line 2"):
        Segmentation.from_tsv(nan, sr=4000)
    # a same-state overlap that is not an exact repeat is still refused
    with pytest.raises(ParameterError, match="overlap"):
        Segmentation.from_intervals([[0, 0.5, 2], [0.1, 0.6, 2]], sr=100)


# 8 -----------------------------------------------------------------------------------------
def test_segment_docstring_names_the_models_features():
    doc = " ".join(segment.__doc__.split()).lower()
    assert "four envelopes" not in doc
    for name in load_model().features:
        assert name in doc, name
    assert "shannon" in segmentation_features.__doc__.lower()


# size guard ---------------------------------------------------------------------------------
def test_intervals_in_samples_are_refused_before_allocating():
    """PASCAL timings in samples at 44.1 kHz, read as seconds: a bare MemoryError before."""
    with pytest.raises(ParameterError, match="sample indices"):
        Segmentation.from_intervals([[0, 1e12, 1]], sr=44100)
