"""Time-domain statistics against scipy.stats / direct NumPy, Hjorth against its definitions,
sample entropy against a naive reference, neurokit2 and antropy, the registry and errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.stats

import physiofeat
from physiofeat import InvalidSignalError, ParameterError
from physiofeat import temporal as T
from tests.conftest import tol
from tests.naive import naive_hjorth, naive_sample_entropy, naive_zero_crossing_rate


def _reference_stats(x, bins=16):
    x = np.asarray(x, dtype=np.float64)
    rms = np.sqrt(np.mean(x**2))
    peak = np.max(np.abs(x))
    counts, _ = np.histogram(x, bins=bins)
    p = counts[counts > 0] / x.size
    act, mob, comp = naive_hjorth(x)
    return {
        "mean": np.mean(x),
        "std": np.std(x),
        "skewness": scipy.stats.skew(x),
        "kurtosis": scipy.stats.kurtosis(x),
        "rms": rms,
        "peak": peak,
        "crest_factor": peak / rms,
        "zero_crossing_rate": naive_zero_crossing_rate(x),
        "hjorth_activity": act,
        "hjorth_mobility": mob,
        "hjorth_complexity": comp,
        "shannon_entropy": -np.sum(p * np.log2(p)),
    }


def _check(values, ref, dtype, factor):
    for k, name in enumerate(T.STAT_NAMES):
        r = ref[name]
        assert abs(values[k] - r) <= tol(dtype, factor) * max(1.0, abs(r)), name


def test_whole_signal_statistics(rng):
    x = rng.gamma(2.0, size=3001) - 1.5 + np.sin(np.arange(3001) / 7)
    v = T.temporal(x)
    assert v.shape == (12,) and v.dtype == np.float64
    _check(v, _reference_stats(x), np.float64, 1000)


def test_float32_and_batch(rng):
    x = rng.standard_normal((2, 3, 800)).astype(np.float32)
    v = T.temporal(x, bins=10)
    assert v.shape == (2, 3, 12) and v.dtype == np.float32
    for idx in np.ndindex(2, 3):
        _check(v[idx], _reference_stats(x[idx], bins=10), np.float32, 10)


def test_framed_statistics_and_times(rng):
    x = rng.standard_normal(1000) * np.linspace(0.5, 2, 1000)
    v = T.temporal(x, frame_length=200, hop_length=90)
    n_frames = 1 + (1000 - 200) // 90
    assert v.shape == (12, n_frames)
    for t in range(n_frames):
        _check(v[:, t], _reference_stats(x[t * 90 : t * 90 + 200]), np.float64, 1000)
    # default hop = frame_length // 4
    assert T.temporal(x, frame_length=200).shape == (12, 1 + 800 // 50)
    feats = physiofeat.extract(x, {"temporal": {"frame_length": 200, "hop_length": 90}}, sr=500)
    np.testing.assert_allclose(feats["temporal"].times, (np.arange(n_frames) * 90 + 100) / 500)


def test_analytic_values():
    sr, n = 1000, 20000
    x = np.sin(2 * np.pi * 10 * np.arange(n) / sr)  # 200 whole periods
    s = dict(zip(T.STAT_NAMES, T.temporal(x)))
    assert s["rms"] == pytest.approx(1 / np.sqrt(2), rel=1e-12)
    assert s["crest_factor"] == pytest.approx(np.sqrt(2), rel=1e-6)
    assert s["kurtosis"] == pytest.approx(-1.5, rel=1e-9)  # arcsine distribution
    # mobility of a sampled sinusoid: 2 sin(w/2) with w = 2 pi f / sr (first differences);
    # exact for an infinite sinusoid, here up to the O(1/n) edge effect of the n - 1 differences
    assert s["hjorth_mobility"] == pytest.approx(2 * np.sin(np.pi * 10 / sr), rel=4 / n)
    assert s["hjorth_complexity"] == pytest.approx(1.0, rel=4 / n)
    assert s["zero_crossing_rate"] == pytest.approx(
        399 / (n - 1), rel=1e-12
    )  # 2 per period, none at the end
    c = dict(zip(T.STAT_NAMES, T.temporal(np.full(50, 3.0))))
    assert c["shannon_entropy"] == 0.0 and c["std"] == 0.0 and np.isnan(c["skewness"])


@pytest.mark.parametrize(("m", "r"), [(1, 0.3), (2, 0.2), (3, 0.25)])
def test_sample_entropy_matches_naive(rng, m, r):
    x = np.cumsum(rng.standard_normal(400)) * 0.1 + rng.standard_normal(400)
    got = T.sample_entropy(x, m=m, r=r)
    ref = naive_sample_entropy(x, m, r * np.std(x))
    assert abs(got - ref) <= tol(np.float64, 10) * abs(ref)
    assert T.sample_entropy(x, m=m, r=r, parallel=True) == T.sample_entropy(
        x, m=m, r=r, parallel=False
    )


def test_sample_entropy_frames_and_batch(rng):
    x = rng.standard_normal((2, 500))
    x[1] = np.sin(np.arange(500) / 5) + 0.05 * x[1]
    v = T.sample_entropy(x, frame_length=150, hop_length=100)
    assert v.shape == (2, 4)
    for s in range(2):
        for t in range(4):
            seg = x[s, t * 100 : t * 100 + 150]
            ref = naive_sample_entropy(seg, 2, 0.2 * np.std(seg))
            assert abs(v[s, t] - ref) <= tol(np.float64, 10) * abs(ref)
    assert np.all(v[1] < v[0])  # a sinusoid is more regular than white noise


def test_sample_entropy_against_neurokit2_and_antropy(rng):
    """Same definition (n - m templates for both lengths, <= r, r = 0.2 * population std):
    neurokit2's entropy_sample and antropy's sample_entropy agree to round-off."""
    nk = pytest.importorskip("neurokit2")
    x = rng.standard_normal(1500) + np.sin(np.arange(1500) / 4)
    ours = T.sample_entropy(x, m=2, r=0.2)
    nk_val, _ = nk.entropy_sample(x, dimension=2, tolerance=0.2 * np.std(x))
    assert abs(ours - nk_val) <= tol(np.float64, 10) * abs(ours)
    ant = pytest.importorskip("antropy")
    assert abs(ours - ant.sample_entropy(x, order=2)) <= tol(np.float64, 10) * abs(ours)
    assert abs(T.sample_entropy(x, m=3) - ant.sample_entropy(x, order=3)) <= 1e-13


def test_sample_entropy_real_pcg_frames_against_antropy(shared_data):
    ant = pytest.importorskip("antropy")
    sf = pytest.importorskip("soundfile")
    x, sr = sf.read(shared_data / "pcg" / "physionet2016" / "a0007.wav")
    assert sr == 2000
    x = x[: 3 * sr]
    v = T.sample_entropy(x, frame_length=1000, hop_length=1000)
    ref = [ant.sample_entropy(x[k : k + 1000], order=2) for k in range(0, 3 * sr - 999, 1000)]
    np.testing.assert_allclose(v, ref, rtol=tol(np.float64, 10), atol=0)
    st = T.temporal(x)
    _check(st, _reference_stats(x), np.float64, 1000)


def test_sample_entropy_undefined_cases():
    rng = np.random.default_rng(3)
    x = rng.standard_normal(60)
    assert np.isnan(T.sample_entropy(x, r=1e-12))  # B = 0: no template pair matches
    assert np.isnan(naive_sample_entropy(x, 2, 1e-12 * np.std(x)))
    y = np.array([0.0, 0, 1, 0, 0, 2, 0, 0, 3, 5])  # A = 0 < B: pairs match at m, never at m+1
    assert T.sample_entropy(y, m=2, r=0.05) == np.inf == naive_sample_entropy(y, 2, 0.05 * y.std())


def test_registry_names_and_vector(rng):
    x = rng.standard_normal((2, 1200))
    feats = physiofeat.extract(x, ["temporal", "sample_entropy"], sr=1000)
    names = feats.vector_names()
    assert names[:4] == ["temporal_mean", "temporal_std", "temporal_skewness", "temporal_kurtosis"]
    assert names[-1] == "sample_entropy" and len(names) == 13
    v = feats.vector()
    np.testing.assert_array_equal(v[:, :12], T.temporal(x))
    np.testing.assert_array_equal(v[:, 12], T.sample_entropy(x))
    framed = physiofeat.extract(x[0], ["sample_entropy"], sr=1000, frame_length=400, hop_length=200)
    assert framed["sample_entropy"].dims == ("time",)
    np.testing.assert_allclose(framed["sample_entropy"].times, [0.2, 0.4, 0.6, 0.8, 1.0])
    assert framed.vector_names() == [f"sample_entropy_{s}" for s in ("mean", "std", "min", "max")]


def test_errors():
    x = np.zeros(100)
    with pytest.raises(ParameterError, match=r"r must be > 0.0; got 0.0"):
        T.sample_entropy(x, r=0)
    with pytest.raises(ParameterError, match=r"r must be > 0.0; got -0.2"):
        T.sample_entropy(x, r=-0.2)
    with pytest.raises(ParameterError, match=r"m must be >= 1; got 0"):
        T.sample_entropy(x, m=0)
    with pytest.raises(ParameterError, match=r"m must be an integer; got 2.5"):
        T.sample_entropy(x, m=2.5)
    with pytest.raises(InvalidSignalError, match=r"x has 3 samples; at least 4 are needed"):
        T.sample_entropy(np.zeros(3), m=2)
    with pytest.raises(
        InvalidSignalError,
        match=r"x has 100 samples, shorter than one frame of "
        r"frame_length=200",
    ):
        T.temporal(x, frame_length=200)
    with pytest.raises(ParameterError, match=r"frame_length must be >= 3; got 2"):
        T.temporal(x, frame_length=2)
    with pytest.raises(ParameterError, match=r"hop_length must be >= 1; got 0"):
        T.temporal(x, frame_length=10, hop_length=0)
    with pytest.raises(ParameterError, match=r"bins must be >= 2; got 1"):
        T.temporal(x, bins=1)
    with pytest.raises(InvalidSignalError, match=r"x has 2 samples; at least 3 are needed"):
        T.temporal(np.zeros(2))
    with pytest.raises(InvalidSignalError, match=r"non-finite"):
        T.temporal(np.r_[x, np.inf])
    with pytest.raises(
        ParameterError,
        match=r"feature 'sample_entropy' has no parameter\(s\) "
        r"\['parallel'\]",
    ):
        physiofeat.extract(x, {"sample_entropy": {"parallel": True}}, sr=100)


def test_sample_entropy_is_affine_invariant(rng):
    """r is relative to the std, so a * x + b gives the same counts (a != 0)."""
    x = np.round(rng.standard_normal(700), 2)  # dyadic-friendly values keep the counts exact
    ref = T.sample_entropy(x)
    assert T.sample_entropy(4.0 * x + 3.0) == pytest.approx(ref, rel=tol(np.float64, 10))
    assert T.sample_entropy(-x) == ref


def test_sample_entropy_warns_on_long_signals(monkeypatch):
    import physiofeat.temporal as T

    x = np.random.default_rng(0).standard_normal(3000)
    monkeypatch.setattr(T, "SAMPEN_WARN_N", 2000)
    with pytest.warns(UserWarning, match=r"O\(n\^2\).*frame_length="):
        T.sample_entropy(x)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        T.sample_entropy(x, frame_length=1000, hop_length=1000)  # frames are short: no warning


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        ("temporal", {"bins": 1}, r"^bins must be >= 2; got 1"),
        ("temporal", {"frame_length": 2}, r"^frame_length must be >= 3; got 2"),
        ("temporal", {"frame_length": 8, "hop_length": 0}, r"^hop_length must be >= 1; got 0"),
        ("temporal", {"hop_length": 0}, r"^hop_length must be >= 1; got 0"),  # even unused
        ("sample_entropy", {"m": 0}, r"^m must be >= 1; got 0"),
        ("sample_entropy", {"r": 0}, r"^r must be > 0"),
        ("sample_entropy", {"m": 3, "frame_length": 4}, r"^frame_length must be >= 5; got 4"),
        ("sample_entropy", {"frame_length": 1.5}, r"^frame_length must be an integer"),
        ("sample_entropy", {"frame_length": 16, "hop_length": -2}, r"^hop_length must be >= 1"),
    ],
)
def test_extract_refuses_bad_parameters_before_any_work(no_compute, name, params, message):
    with pytest.raises(ParameterError, match=message):
        physiofeat.extract(np.zeros(64), {name: params}, sr=1000)


def test_frame_longer_than_the_signal_stays_a_signal_error():
    with pytest.raises(
        InvalidSignalError, match=r"^feature 'temporal': x has 64 samples, shorter than one frame"
    ):
        physiofeat.extract(np.zeros(64), ["temporal"], sr=1000, frame_length=100)
