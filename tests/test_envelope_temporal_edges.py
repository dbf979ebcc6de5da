"""Edge cases of the envelope z-score, PSD framing and output rate, and of the temporal entropy.

- ``normalize=True`` on an envelope that is constant to round-off, or not finite, gives NaN at
  every sample (never -inf or round-off amplified to unit SD); the homomorphic envelope of a
  silent signal is 0; real small modulations and huge finite envelopes still z-score.
- :func:`physiofeat.envelope.psd_envelope`'s default framing rounds as MATLAB does (half away
  from zero), checked against ``decimal.ROUND_HALF_UP``; the PCG segmenter keeps the framing its
  shipped model was fitted with.
- The ``out_sr`` error suggests the nearest rate the check accepts (against a brute-force search
  over ``p/q`` with ``q <= 1000``).
- ``temporal``'s ``shannon_entropy`` equals the entropy of ``numpy.histogram``'s counts on
  random, quantised, on-the-edge and constant frames, float32 and float64, and real recordings.
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pytest

import physiofeat
from physiofeat import InvalidSignalError, ParameterError
from physiofeat import envelope as E
from physiofeat import pcg as P
from physiofeat import temporal as T
from tests.conftest import tol

# ------------------------------------------------------------------------------------------
# 1. z-scoring a flat envelope


@pytest.mark.parametrize("method", E.METHODS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("value", [0.0, 0.3, -2.0, 1e6])
@pytest.mark.parametrize("out_sr", [None, 50])
def test_zscore_of_a_constant_signal_is_nan_everywhere(method, dtype, value, out_sr):
    x = np.full(2000, value, dtype=dtype)
    z = E.envelope(x, sr=1000, method=method, out_sr=out_sr, normalize=True)
    assert z.shape == (2000 if out_sr is None else 100,)
    assert np.isnan(z).all()


@pytest.mark.parametrize(("sr", "seconds"), [(1000, 2), (2000, 10)])
@pytest.mark.parametrize("method", ["hilbert", "homomorphic"])
def test_zscore_of_a_steady_tone_is_nan(sr, seconds, method):
    # an integer number of cycles: the analytic magnitude is the amplitude, to the round-off of
    # the samples (their phase round-off grows with time)
    x = 2.0 * np.cos(2 * np.pi * 100 * np.arange(seconds * sr) / sr)
    env = E.envelope(x, sr=sr, method=method)
    assert np.abs(env - 2.0).max() <= tol(np.float64, 1e4)
    assert np.isnan(E.envelope(x, sr=sr, method=method, normalize=True)).all()


def test_homomorphic_envelope_of_silence_is_zero_not_log_of_zero():
    env = E.homomorphic_envelope(np.zeros(2000), sr=1000)
    np.testing.assert_array_equal(env, 0.0)
    assert np.isnan(E.homomorphic_envelope(np.zeros(2000), sr=1000, normalize=True)).all()
    # a batch: the silent row is 0, the other row its own envelope (to the round-off of a
    # 2-D FFT and filter)
    y = np.random.default_rng(3).standard_normal(2000)
    both = E.homomorphic_envelope(np.stack([np.zeros(2000), y]), sr=1000, out_sr=50)
    np.testing.assert_array_equal(both[0], 0.0)
    one = E.homomorphic_envelope(y, sr=1000, out_sr=50)
    np.testing.assert_allclose(both[1], one, rtol=0, atol=tol(np.float64, 1e2) * one.max())


def test_extract_envelope_of_silence_has_no_inf():
    plain = physiofeat.extract(np.zeros(2000), ["envelope"], sr=1000).vector()
    np.testing.assert_array_equal(plain, 0.0)
    z = physiofeat.extract(np.zeros(2000), ["envelope"], sr=1000, normalize=True).vector()
    assert z.size > 0 and np.isnan(z).all()


def test_zscore_of_a_batch_is_row_by_row():
    rng = np.random.default_rng(4)
    y = rng.standard_normal(3000)
    for method in E.METHODS:
        z = E.envelope(np.stack([np.full(3000, 0.3), y]), sr=1000, method=method, normalize=True)
        assert np.isnan(z[0]).all()
        one = E.envelope(y, sr=1000, method=method, normalize=True)
        np.testing.assert_allclose(z[1], one, rtol=0, atol=tol(np.float64, 1e3))


@pytest.mark.parametrize(("dtype", "depth"), [(np.float64, 1e-9), (np.float32, 1e-3)])
@pytest.mark.parametrize("method", ["hilbert", "homomorphic", "wavelet", "psd"])
def test_zscore_keeps_a_small_real_modulation(dtype, depth, method):
    # 1 Hz amplitude modulation of a 100 Hz tone, far above the dtype's round-off: z-scored
    # (its mean is round-off, ~eps / depth), not NaN
    sr = 1000
    t = np.arange(4 * sr) / sr
    x = ((1 + depth * np.cos(2 * np.pi * t)) * np.cos(2 * np.pi * 100 * t)).astype(dtype)
    z = E.envelope(x, sr=sr, method=method, out_sr=50, normalize=True)
    assert np.isfinite(z).all()
    assert abs(float(z.mean())) <= tol(dtype, 1e2) / depth
    assert abs(float(z.std()) - 1.0) <= tol(z.dtype, 1e2)


@pytest.mark.parametrize("method", ["hilbert", "homomorphic", "shannon", "wavelet"])
def test_zscore_of_a_huge_finite_envelope_is_that_of_the_scaled_one(method):
    # squaring 1e200 overflows; the z-score does not depend on the scale
    y = np.random.default_rng(5).standard_normal(3000)
    z = E.envelope(1e200 * y, sr=1000, method=method, normalize=True)
    want = E.envelope(y, sr=1000, method=method, normalize=True)
    np.testing.assert_allclose(z, want, rtol=0, atol=tol(np.float64, 1e5))


def test_zscore_of_a_non_finite_envelope_is_nan():
    # the PSD of a 1e200 signal overflows to inf
    y = 1e200 * np.random.default_rng(6).standard_normal(3000)
    with np.errstate(over="ignore"):
        assert not np.isfinite(E.psd_envelope(y, sr=1000)).all()
        assert np.isnan(E.psd_envelope(y, sr=1000, normalize=True)).all()


# ------------------------------------------------------------------------------------------
# 2. PSD framing: MATLAB's round by default, the fitted framing in the segmenter


def _matlab_round(v: Decimal) -> int:
    return int(v.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@pytest.mark.parametrize("sr", [500, 1000, 2000, 3000, 4000, 8000, 11025, 22050, 44100, 48000])
def test_psd_default_framing_rounds_half_away_from_zero(sr):
    win = _matlab_round(Decimal(sr) / 40)
    hop = max(1, win - _matlab_round(Decimal(sr) / 80))
    assert E._check_psd_framing(None, None, float(sr)) == (win, hop)
    x = np.random.default_rng(sr).standard_normal(max(3 * win, 600))
    np.testing.assert_array_equal(
        E.psd_envelope(x, sr=sr), E.psd_envelope(x, sr=sr, win_length=win, hop_length=hop)
    )


def test_psd_default_framing_values():
    assert E._check_psd_framing(None, None, 1000.0) == (25, 12)  # MATLAB: overlap 13, not 12
    assert E._check_psd_framing(None, None, 44100.0)[0] == 1103  # 1102.5 -> 1103


def test_segmenter_keeps_the_psd_framing_its_model_was_fitted_with():
    x, sr = physiofeat.load(physiofeat.data.path("50277_MV"))
    y, fs = P.preprocess(x, sr=sr)
    assert fs == 1000.0
    got = P.segmentation_features(y, sr=fs, features=("psd",))[0]
    fitted = E.psd_envelope(y, sr=fs, win_length=25, hop_length=13, out_sr=50, normalize=True)
    np.testing.assert_array_equal(got, fitted)
    default = E.psd_envelope(y, sr=fs, out_sr=50, normalize=True)
    assert not np.array_equal(got, default)


# ------------------------------------------------------------------------------------------
# 3. the out_sr error suggests a rate the check accepts


def _nearest_accepted_rate(out_sr: float, sr: float) -> float:
    """The positive rate p/q * sr (q <= 1000, p <= q) nearest to out_sr, by brute force."""
    best = math.inf
    for q in range(1, 1001):
        for p in {math.floor(out_sr / sr * q), math.ceil(out_sr / sr * q)}:
            if 1 <= p <= q and abs(p / q * sr - out_sr) < abs(best - out_sr):
                best = p / q * sr
    return best


@pytest.mark.parametrize(
    ("sr", "out_sr"),
    [
        (1000, 0.5),
        (44100, 40),
        (8000, 3),
        (1000, 333.3),
        (1000, 0.0004),
        (22050, 12.34567),
        (48000, 44.1),
        (4000, 3999.9),
        (2000, math.pi),
    ],
)
def test_out_sr_error_suggests_the_nearest_accepted_rate(sr, out_sr):
    x = np.zeros(2000)
    with pytest.raises(ParameterError, match="not a ratio p/q with q <= 1000; the nearest") as e:
        E.envelope(x, sr=sr, method="hilbert", out_sr=out_sr)
    m = re.search(r"the nearest output rate that is: sr \* (\d+)/(\d+) = (\S+) Hz$", str(e.value))
    assert m is not None, str(e.value)
    suggested = float(m.group(3))
    want = _nearest_accepted_rate(out_sr, sr)
    assert abs(suggested - want) <= 1e-11 * want
    assert abs(int(m.group(1)) / int(m.group(2)) * sr - want) <= 1e-11 * want
    # typed back as printed, it is accepted, with the output length it implies
    env = E.envelope(x, sr=sr, method="hilbert", out_sr=suggested)
    p, q = int(m.group(1)), int(m.group(2))
    assert env.shape == (-(-2000 * p // q),)
    assert physiofeat.extract(x, {"envelope": {"out_sr": suggested}}, sr=sr).vector().size > 0


def test_out_sr_errors_stay_typed():
    with pytest.raises(ParameterError, match=r"^out_sr must be > 0"):
        E.envelope(np.zeros(2000), sr=1000, out_sr=-1)
    with pytest.raises(InvalidSignalError, match="empty"):
        E.envelope(np.zeros(0), sr=1000, out_sr=0.5)


# ------------------------------------------------------------------------------------------
# 4. temporal's shannon_entropy is the entropy of numpy.histogram's counts


def _naive_entropy(frame, bins):
    counts, _ = np.histogram(frame, bins=bins)
    p = counts[counts > 0] / frame.size
    return float(-(p * np.log2(p)).sum())


def _check_entropy(rows, bins):
    got = T.temporal(rows, bins=bins)[..., -1]
    assert got.dtype == rows.dtype
    atol = tol(rows.dtype, 8) * max(1.0, math.log2(bins))
    for idx in np.ndindex(rows.shape[:-1]):
        want = _naive_entropy(rows[idx], bins)
        assert abs(float(got[idx]) - want) <= atol, (idx, rows[idx], float(got[idx]), want)


def test_shannon_entropy_audit_example():
    a = np.array([0.6, 0.7, 0.8, 0.2, 0.5])
    got = T.temporal(a, bins=6)[-1]
    assert abs(got - 1.9219280948873623) <= tol(np.float64, 8)
    _check_entropy(a, 6)


def _frames(kind, rng, n_rows, n, bins):
    if kind == "gaussian":
        return rng.standard_normal((n_rows, n))
    if kind == "quantised":  # ADC-like integer levels, scaled
        return rng.integers(-20, 20, (n_rows, n)) / rng.choice([3.0, 7.0, 10.0, 300.0])
    if kind == "rounded":
        return np.round(rng.uniform(0, 1, (n_rows, n)), 1)
    # values exactly on NumPy's bin edges of [lo, hi]
    out = np.empty((n_rows, n))
    for r in range(n_rows):
        lo, hi = np.sort(rng.standard_normal(2) * 10)
        edges = np.linspace(lo, hi, bins + 1)
        out[r] = edges[rng.integers(0, bins + 1, n)]
        out[r, :2] = lo, hi
    return out


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kind", ["gaussian", "quantised", "rounded", "edges"])
@pytest.mark.parametrize("bins", [2, 3, 6, 7, 10, 16, 100])
def test_shannon_entropy_matches_numpy_histogram(dtype, kind, bins):
    rng = np.random.default_rng(bins * 31 + len(kind))
    for n in (3, 5, 17, 64, 301):
        rows = _frames(kind, rng, 40, n, bins).astype(dtype)
        if kind == "edges" and dtype == np.float32:  # edges in float32, as numpy makes them
            for r in rows:
                lo, hi = r.min(), r.max()
                r[:] = np.linspace(lo, hi, bins + 1, dtype=np.float32)[rng.integers(0, bins + 1, n)]
                r[:2] = lo, hi
        _check_entropy(rows, bins)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_shannon_entropy_of_constant_and_two_valued_frames(dtype):
    rows = np.array([[0.3] * 8, [0.0] * 8, [1.0, 2.0] * 4, [5.0] * 7 + [5.5]], dtype=dtype)
    got = T.temporal(rows, bins=16)[:, -1]
    np.testing.assert_array_equal(got[:2], 0.0)
    assert abs(float(got[2]) - 1.0) <= tol(dtype, 8)
    _check_entropy(rows, 16)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_shannon_entropy_of_real_frames(dtype):
    # 16-bit recordings put many samples on bin edges
    x, sr = physiofeat.load(physiofeat.data.path("a0007"))
    x = x[: 4 * int(sr)].astype(dtype)
    got = T.temporal(x, frame_length=256, hop_length=64)[-1]
    frames = T.frame(x, frame_length=256, hop_length=64)
    assert got.shape == (frames.shape[0],)
    atol = tol(dtype, 8) * 4
    want = np.array([_naive_entropy(f, 16) for f in frames])
    np.testing.assert_allclose(got, want, rtol=0, atol=atol)
