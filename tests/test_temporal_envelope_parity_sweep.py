"""Parity sweep of physiofeat.temporal and physiofeat.envelope against independent oracles, over
the non-default parameters (tests/test_temporal.py, tests/test_envelope.py and
tests/test_envelope_temporal_edges.py cover the defaults and the z-score / histogram edges).

Oracles
-------
- ``temporal``: per row (signal or explicitly sliced frame) ``math.fsum`` means,
  ``numpy.std(ddof=0)``, ``scipy.stats.skew(bias=True)``, ``scipy.stats.kurtosis(fisher=True,
  bias=True)``, antropy's ``hjorth_params`` (mobility, complexity) and ``num_zerocross``
  (counts, divided by ``n - 1`` as documented, not antropy's ``n``), ``librosa.zero_crossings``
  and ``numpy.histogram`` counts in the row's dtype for ``shannon_entropy``; exact rational
  (``fractions.Fraction``) central moments for signals far from zero.
- ``sample_entropy``: a brute-force Chebyshev distance matrix of the ``n - m`` templates
  (``<= r * std``), neurokit2's ``entropy_sample(tolerance=r * np.std(x))`` and antropy's
  ``sample_entropy``. antropy's Numba path (``n < 5000``) counts a match when the distance is
  ``< r`` (strictly), so it is given ``nextafter(r, inf)``: ``d < nextafter(r)`` iff ``d <= r``.
- envelopes, from the module's definitions: the analytic signal by the one-sided FFT spectrum;
  the homomorphic low-pass as a Butterworth of the documented order/cutoff (order 1 from its
  closed-form bilinear coefficients) run forward and backward with odd extension and
  steady-state initial conditions, written out here; the Shannon energy averaged over an odd
  window with half-sample mirror ends by cumulative sums; Springer's getDWT repetition and
  centre cut on ``pywt.wavedec``'s detail; the PSD as the documented direct DFT sum at integer
  frequencies with a symmetric Hamming window written out; ``scipy.signal.resample_poly(...,
  padtype='line')`` for ``out_sr`` (documented as the method).

Tolerances (two-sided: an absolute and a relative part, both scaled by the dtype's resolution)
---------------------------------------------------------------------------------------------
- temporal, float64: ``tol(float64, 32)`` times the quantity's natural scale (``max|x|`` for
  the mean, ``1 + max|x| / std`` for the centred moments, ``log2(bins)`` for the entropy;
  observed <= 1.4 ``tol(float64, 1)``). float32 input is computed in float64 and cast
  (documented), so float32 results must lie within half a float32 ulp of the float64 oracle
  (observed 0.5 ulp: correctly rounded; a float32 computation would be several ulps off).
- sample entropy: the counts are integers, so the value is the oracle's to ``tol(float64, 4)``.
- envelopes: ``tol(float64, 300)`` of the oracle's maximum in float64 (observed <= 3e-14, the
  homomorphic log/exp filter; x 30 for Butterworth orders >= 5, whose poles near z = 1 amplify
  the round-off of the two analytic signals: observed 2e-13 at order 8, 8 Hz / 1 kHz) and
  ``tol(float32, 20)`` in float32 (observed <= 2.3e-6, the complex64 FFT of the Hilbert
  envelope); z-scores to that tolerance times ``max / std`` of the envelope.
"""

from __future__ import annotations

import math
import warnings
from fractions import Fraction

import numpy as np
import pytest
import pywt
import scipy.signal as ss
import scipy.stats
from conftest import tol
from naive import naive_analytic

from physiofeat import InvalidSignalError, ParameterError
from physiofeat import envelope as E
from physiofeat import temporal as T

F32, F64 = np.float32, np.float64
IDX = {name: k for k, name in enumerate(T.STAT_NAMES)}


@pytest.fixture(scope="module")
def ant():
    return pytest.importorskip("antropy")


@pytest.fixture(scope="module")
def nk():
    return pytest.importorskip("neurokit2")


def _rng(*key):
    return np.random.default_rng([20260214, *key])


# ============================================================================================
# temporal(): oracles


def _signals(shape, dtype, seed):
    """Skewed noise + tone + offset, with some samples quantised to 0 and a few exact zeros."""
    rng = _rng(seed)
    n = shape[-1]
    x = rng.gamma(2.0, size=shape) - 1.7 + 0.8 * np.sin(np.arange(n) / 3.0) + 0.3
    x = np.where(np.abs(x) < 0.05, 0.0, x)
    return x.astype(dtype)


def _frames_of(x, frame_length, hop):
    """Explicit slices x[..., t * hop : t * hop + L] as (..., n_frames, L)."""
    n = x.shape[-1]
    n_frames = 1 + (n - frame_length) // hop
    return np.stack([x[..., t * hop : t * hop + frame_length] for t in range(n_frames)], axis=-2)


def _ref_row(row, bins, ant):
    """(values, abs-tolerance scales) of the 12 statistics of one row, by the oracles."""
    a = np.asarray(row, dtype=F64)
    n = a.size
    mean = math.fsum(a) / n
    std = float(np.std(a))
    rms = math.sqrt(math.fsum(a * a) / n)
    peak = float(np.max(np.abs(a)))
    with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        skew = float(scipy.stats.skew(a, bias=True))
        kurt = float(scipy.stats.kurtosis(a, fisher=True, bias=True))
        mob, comp = (float(v) for v in ant.hjorth_params(a))
    zc = int(ant.num_zerocross(a))
    counts, _ = np.histogram(row, bins=bins)  # in the row's own dtype, as documented
    p = counts[counts > 0] / n
    ent = float(-(p * np.log2(p)).sum())
    ref = [mean, std, skew, kurt, rms, peak, peak / rms, zc / (n - 1), std**2, mob, comp, ent]
    cond = 1.0 + peak / std if std > 0 else np.inf
    scale = [
        peak,
        std * cond,
        (1 + abs(skew)) * cond,
        (1 + abs(kurt)) * cond,
        rms,
        peak,
        peak / rms,
        0.0,
        std**2 * cond,
        (1 + mob) * cond,
        (1 + comp) * cond,
        max(1.0, math.log2(bins)),
    ]
    return np.array(ref), np.array(scale)


def _assert_stats(got, rows, bins, dtype, ant, factor=32):
    """got (R, 12) against the oracle for rows (R, L)."""
    assert got.dtype == dtype
    for r in range(rows.shape[0]):
        ref, scale = _ref_row(rows[r], bins, ant)
        g = got[r].astype(F64)
        atol = tol(F64, factor) * scale
        if dtype == F32:  # float64 result cast to float32: within half a float32 ulp
            atol = atol + 0.5 * np.spacing(np.abs(ref).astype(F32)).astype(F64)
        bad = ~(np.abs(g - ref) <= atol)
        bad &= ~(np.isnan(g) & np.isnan(ref))
        assert not bad.any(), {
            T.STAT_NAMES[k]: (float(g[k]), float(ref[k]), float(atol[k]))
            for k in np.flatnonzero(bad)
        }


# ============================================================================================
# temporal(): the sweep

FRAMINGS = [
    (None, None),
    (3, None),  # hop max(1, 3 // 4) = 1
    (3, 2),
    (8, None),
    (64, 16),
    (97, 41),
    (50, 120),  # hop longer than the frame: gaps
    (257, None),  # one frame of the whole signal
]


@pytest.mark.parametrize("bins", [2, 5, 33, 300])
@pytest.mark.parametrize("dtype", [F64, F32])
@pytest.mark.parametrize(("frame_length", "hop_length"), FRAMINGS)
def test_temporal_statistics_grid(ant, frame_length, hop_length, dtype, bins):
    x = _signals((2, 257), dtype, seed=bins + 7 * (frame_length or 0))
    got = T.temporal(x, frame_length=frame_length, hop_length=hop_length, bins=bins)
    if frame_length is None:
        assert got.shape == (2, 12)
        _assert_stats(got, x, bins, dtype, ant)
        return
    hop = hop_length if hop_length is not None else max(1, frame_length // 4)
    frames = _frames_of(x, frame_length, hop)  # (2, n_frames, L)
    assert got.shape == (2, 12, frames.shape[1])
    _assert_stats(np.moveaxis(got, -1, -2).reshape(-1, 12), frames.reshape(-1, frame_length),
                  bins, dtype, ant)  # fmt: skip


@pytest.mark.parametrize("dtype", [F64, F32])
@pytest.mark.parametrize("framing", [(None, None), (40, 13)])
def test_temporal_3d_batch_is_row_by_row(dtype, framing):
    x = _signals((2, 3, 301), dtype, seed=11)
    fl, hop = framing
    got = T.temporal(x, frame_length=fl, hop_length=hop, bins=9)
    for idx in np.ndindex(2, 3):
        np.testing.assert_array_equal(
            got[idx], T.temporal(x[idx], frame_length=fl, hop_length=hop, bins=9)
        )


@pytest.mark.parametrize("n", [3, 4, 5, 7])
def test_temporal_shortest_signals(ant, n):
    """n = 3 is the documented minimum (one second difference: complexity 0)."""
    x = _signals((4, n), F64, seed=n)
    _assert_stats(T.temporal(x, bins=4), x, 4, F64, ant)
    assert T.temporal(x[:, :3])[:, IDX["hjorth_complexity"]].tolist() == [0.0] * 4
    with pytest.raises(InvalidSignalError, match=r"x has 2 samples; at least 3 are needed"):
        T.temporal(x[:, :2])


@pytest.mark.parametrize(
    ("offset", "spread"), [(1e3, 1e-2), (-5e4, 1.0), (1e6, 3e-3), (0.0, 1e-60), (0.0, 1e60)]
)
def test_centred_moments_far_from_zero_against_exact_rationals(offset, spread):
    """Two-pass centred moments: the error grows like eps * |mean| / std (the rounding of the
    mean), not its cube (raw moments); tiny and huge scales (|x| ~ 1e-60, 1e60) are scale-free."""
    rng = _rng(int(abs(offset)) % 1000, 3)
    x = offset + spread * (rng.gamma(3.0, size=240) - 3.0)
    got = dict(zip(T.STAT_NAMES, T.temporal(x)))
    q = [Fraction(float(v)) for v in x]
    mean = sum(q) / len(q)
    c = [v - mean for v in q]
    m2, m3, m4 = (sum(v**k for v in c) / len(q) for k in (2, 3, 4))
    skew = float(m3 / m2) / math.sqrt(float(m2))
    kurt = float(m4 / (m2 * m2)) - 3.0
    cond = 1.0 + float(abs(mean)) / math.sqrt(float(m2))
    assert abs(got["mean"] - float(mean)) <= tol(F64, 8) * float(abs(mean) + spread)
    assert abs(got["std"] - math.sqrt(float(m2))) <= tol(F64, 64) * cond * math.sqrt(float(m2))
    assert abs(got["skewness"] - skew) <= tol(F64, 64) * cond * (1 + abs(skew))
    assert abs(got["kurtosis"] - kurt) <= tol(F64, 64) * cond * (1 + abs(kurt))


# The documented rule: "Moments of a constant signal give NaN (0/0) for skewness, kurtosis,
# mobility and complexity"; std and activity are then 0 and the entropy 0.
@pytest.mark.parametrize("dtype", [F64, F32])
@pytest.mark.parametrize("n", [3, 50, 1001])
@pytest.mark.parametrize("value", [3.0, 0.0, -2.5, 0.1, 0.3, 1 / 3, -2.7, 7.77])
def test_constant_signals_follow_the_documented_nan_rule(value, n, dtype):
    x = np.full(n, value, dtype=dtype)
    s = {k: float(v) for k, v in zip(T.STAT_NAMES, T.temporal(x))}
    assert abs(s["mean"] - float(dtype(value))) <= tol(F64, 4) * abs(value)
    assert (s["std"], s["hjorth_activity"], s["shannon_entropy"]) == (0.0, 0.0, 0.0), s
    for k in ("skewness", "kurtosis", "hjorth_mobility", "hjorth_complexity"):
        assert np.isnan(s[k]), (k, s)
    assert s["zero_crossing_rate"] == 0.0
    if value != 0:
        assert s["peak"] == abs(float(dtype(value)))
        assert abs(s["crest_factor"] - 1.0) <= tol(dtype, 4)


def test_constant_stretch_inside_a_framed_signal_is_constant():
    """A clipped (saturated) stretch of a recording: its frames are constant signals."""
    x = np.r_[_signals((200,), F64, seed=5), np.full(200, 0.1), _signals((200,), F64, seed=6)]
    got = T.temporal(x, frame_length=50, hop_length=50)
    flat = got[:, 4:8]  # frames 4..7 cover x[200:400]
    np.testing.assert_array_equal(flat[IDX["std"]], 0.0)
    assert np.isnan(flat[[IDX["skewness"], IDX["hjorth_mobility"]]]).all(), flat


def test_exact_ramp_and_two_level_hjorth_against_antropy(ant):
    """dx constant (var 0): mobility 0 and complexity 0/0 = NaN, as antropy's formulas give."""
    for x in (np.arange(12.0), np.r_[np.zeros(5), np.ones(5)], np.tile([1.0, -1.0], 9)):
        s = T.temporal(x)
        with np.errstate(invalid="ignore", divide="ignore"):
            mob, comp = ant.hjorth_params(x)
        np.testing.assert_allclose(s[IDX["hjorth_mobility"]], mob, rtol=tol(F64, 8), atol=0)
        np.testing.assert_allclose(s[IDX["hjorth_complexity"]], comp, rtol=tol(F64, 8), atol=0)
        assert s[IDX["hjorth_activity"]] == np.var(x)


def test_zero_crossings_of_quantised_signals_against_antropy_and_librosa(ant):
    """Exact zeros count as positive: the counts of antropy.num_zerocross (signbit) and of
    librosa.zero_crossings(zero_pos=True, threshold=0), over n - 1 pairs."""
    librosa = pytest.importorskip("librosa")
    rng = _rng(17)
    x = rng.integers(-2, 3, (5, 400)).astype(F64)  # 40 % of the samples are exactly 0
    got = T.temporal(x)[:, IDX["zero_crossing_rate"]]
    np.testing.assert_array_equal(got, ant.num_zerocross(x) / 399)
    lib = librosa.zero_crossings(x, threshold=0.0, pad=False, zero_pos=True).sum(axis=-1)
    np.testing.assert_array_equal(got, lib / 399)
    fr = T.temporal(x[0], frame_length=30, hop_length=7)[IDX["zero_crossing_rate"]]
    want = [ant.num_zerocross(f) / 29 for f in _frames_of(x[0], 30, 7)]
    np.testing.assert_array_equal(fr, want)


def test_negative_zero_counts_as_zero_in_the_zero_crossing_rate():
    """The docstring: '0 counts as positive, as librosa's zero_pos=True'. librosa maps every
    |x| <= threshold (0 included) to +0, so -0.0 (np.round of small negatives, -x of a signal
    with exact zeros) is a positive zero there; [1, -0.0, 1] has no crossing."""
    librosa = pytest.importorskip("librosa")
    x = np.round(np.array([0.3, -0.0004, 0.2, -0.001, 0.5, 0.1, -0.0002, 0.4]), 2)
    assert np.signbit(x).sum() == 3  # three -0.0
    want = librosa.zero_crossings(x, threshold=0.0, pad=False, zero_pos=True).sum() / 7
    assert want == 0.0
    assert T.temporal(x)[IDX["zero_crossing_rate"]] == want


@pytest.mark.parametrize("dtype", [F64, F32])
@pytest.mark.parametrize("bins", [2, 10, 64, 1000])
def test_shannon_entropy_far_from_zero_and_with_more_bins_than_samples(dtype, bins):
    """numpy.histogram's edges in x's dtype when x sits far from 0 (float32 rounds the edges
    to its coarse grid); bins > n: at most log2(n)."""
    rng = _rng(bins, 23)
    x = (np.array([[1e3], [-4e3], [2.5e4]]) + rng.uniform(0, 3, (3, 120))).astype(dtype)
    got = T.temporal(x, bins=bins)[:, -1]
    for r in range(3):
        counts, _ = np.histogram(x[r], bins=bins)
        p = counts[counts > 0] / 120
        want = -(p * np.log2(p)).sum()
        assert abs(float(got[r]) - want) <= tol(dtype, 8) * max(1.0, math.log2(bins))
        assert got[r] <= math.log2(min(bins, 120)) + tol(dtype, 8) * math.log2(bins)


def test_integer_and_bool_input_are_float64():
    x = _rng(2).integers(-100, 100, 500)
    got = T.temporal(x, bins=7)
    assert got.dtype == F64
    np.testing.assert_array_equal(got, T.temporal(x.astype(F64), bins=7))
    b = np.arange(60) % 3 == 0
    np.testing.assert_array_equal(T.temporal(b), T.temporal(b.astype(F64)))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_samples_are_refused_everywhere(bad):
    x = _signals((400,), F64, seed=1)
    x[123] = bad
    for call in (
        lambda: T.temporal(x),
        lambda: T.temporal(x, frame_length=50),
        lambda: T.sample_entropy(x, m=3, r=0.1),
        lambda: T.frame(x, frame_length=10),
        *[lambda m=m: E.envelope(x, sr=1000, method=m, out_sr=100) for m in E.METHODS],
    ):
        with pytest.raises(InvalidSignalError, match=r"1 non-finite value\(s\).*index 123"):
            call()


# ============================================================================================
# frame()


@pytest.mark.parametrize(
    ("shape", "frame_length", "hop_length"),
    [((10,), 1, None), ((11,), 4, 3), ((2, 37), 5, None), ((2, 3, 64), 16, 16), ((50,), 7, 60)],
)
@pytest.mark.parametrize("dtype", [F64, F32, np.int16])
def test_frame_is_explicit_slicing(shape, frame_length, hop_length, dtype):
    x = (_rng(3).standard_normal(shape) * 100).astype(dtype)
    got = T.frame(x, frame_length=frame_length, hop_length=hop_length)
    hop = hop_length if hop_length is not None else max(1, frame_length // 4)
    want = _frames_of(x.astype(F64) if dtype == np.int16 else x, frame_length, hop)
    assert got.dtype == (F64 if dtype == np.int16 else dtype)
    np.testing.assert_array_equal(got, want)
    assert not got.flags.writeable


def test_frame_errors():
    with pytest.raises(ParameterError, match=r"frame_length must be >= 1; got 0"):
        T.frame(np.zeros(5), frame_length=0)
    with pytest.raises(InvalidSignalError, match=r"shorter than one frame of frame_length=6"):
        T.frame(np.zeros(5), frame_length=6)


# ============================================================================================
# sample_entropy()


def _naive_counts(row, m, r_abs):
    """(B, A) by the full Chebyshev distance matrix of the n - m templates of length m + 1."""
    x = np.asarray(row, dtype=F64)
    n = x.size
    t = np.lib.stride_tricks.sliding_window_view(x, m + 1)[: n - m]
    d = np.abs(t[:, None, :] - t[None, :, :])
    iu = np.triu_indices(n - m, 1)
    dm = d[..., :m].max(axis=-1)[iu]
    dm1 = d.max(axis=-1)[iu]
    return int(np.count_nonzero(dm <= r_abs)), int(np.count_nonzero(dm1 <= r_abs))


def _naive_sampen(row, m, r):
    b, a = _naive_counts(row, m, r * np.std(np.asarray(row, dtype=F64)))
    if b == 0:
        return np.nan
    return np.inf if a == 0 else -math.log(a / b)


def _sampen_signal(kind, n, seed):
    rng = _rng(seed, n)
    if kind == "ar1":
        e = rng.standard_normal(n)
        x = np.empty(n)
        x[0] = e[0]
        for i in range(1, n):
            x[i] = 0.8 * x[i - 1] + e[i]
        return x
    if kind == "tone":
        return np.sin(np.arange(n) / 4.0) + 0.2 * rng.standard_normal(n)
    return rng.integers(-8, 9, n).astype(F64)  # "levels": many equal distances


def _check_sampen(got, want):
    got, want = np.asarray(got, dtype=F64), np.asarray(want, dtype=F64)
    same_special = (np.isnan(got) & np.isnan(want)) | (np.isinf(got) & (got == want))
    with np.errstate(invalid="ignore"):
        ok = same_special | (np.abs(got - want) <= tol(F64, 4) * np.abs(want))
    assert ok.all(), (got[~ok], want[~ok])


@pytest.mark.parametrize("kind", ["ar1", "tone", "levels"])
@pytest.mark.parametrize("r", [0.07, 0.35, 1.2])
@pytest.mark.parametrize("m", [1, 3, 5])
def test_sample_entropy_grid_against_brute_force(kind, m, r):
    x = _sampen_signal(kind, 230, seed=m)
    got = T.sample_entropy(x, m=m, r=r)
    assert got.dtype == F64 and got.shape == ()
    _check_sampen(got, _naive_sampen(x, m, r))
    np.testing.assert_array_equal(
        T.sample_entropy(x, m=m, r=r, parallel=True), T.sample_entropy(x, m=m, r=r, parallel=False)
    )


@pytest.mark.parametrize("dtype", [F64, F32])
@pytest.mark.parametrize(
    ("m", "r", "frame_length", "hop_length"),
    [(1, 0.5, 60, 17), (2, 0.15, 40, None), (4, 0.3, 6, 5), (2, 0.25, 4, 9), (3, 0.8, 100, 100)],
)
def test_sample_entropy_frames_and_batches(dtype, m, r, frame_length, hop_length):
    x = np.stack([_sampen_signal(k, 310, seed=7) for k in ("ar1", "tone", "levels")])
    x = x.reshape(3, 1, 310).repeat(2, axis=1).astype(dtype)
    x[:, 1] = x[:, 1, ::-1]
    got = T.sample_entropy(x, m=m, r=r, frame_length=frame_length, hop_length=hop_length)
    hop = hop_length if hop_length is not None else max(1, frame_length // 4)
    frames = _frames_of(x, frame_length, hop)
    assert got.dtype == F64 and got.shape == frames.shape[:-1]
    want = np.array([_naive_sampen(f, m, r) for f in frames.reshape(-1, frame_length)])
    _check_sampen(got.reshape(-1), want)
    for p in (True, False):
        np.testing.assert_array_equal(
            got,
            T.sample_entropy(x, m=m, r=r, frame_length=frame_length, hop_length=hop, parallel=p),
        )


@pytest.mark.parametrize("m", [1, 2, 4])
def test_sample_entropy_shortest_signal_and_undefined_values(m):
    """n = m + 2: one template pair. B = 0 -> NaN, A = 0 < B -> inf (documented)."""
    rng = _rng(m, 41)
    seen = set()
    for trial in range(60):
        n = m + 2 + trial % 5
        x = np.round(rng.standard_normal(n), 1)
        for r in (0.01, 0.3, 2.0):
            got, want = T.sample_entropy(x, m=m, r=r), _naive_sampen(x, m, r)
            _check_sampen(got, want)
            seen.add("nan" if np.isnan(want) else "inf" if np.isinf(want) else "finite")
    assert seen == {"nan", "inf", "finite"}
    with pytest.raises(InvalidSignalError, match=rf"at least {m + 2} are needed"):
        T.sample_entropy(np.arange(m + 1.0), m=m)


@pytest.mark.parametrize("value", [2.0, 0.1, -7.77])
def test_sample_entropy_of_a_constant_signal_is_zero(value):
    """std 0 (or round-off): every template pair is within <= r * std, so A = B and SampEn 0."""
    x = np.full(80, value)
    assert T.sample_entropy(x, m=2, r=0.2) == 0.0 == _naive_sampen(x, 2, 0.2)


def _exact_r(x, target):
    """An r with r * std(x) == target exactly (as physiofeat forms the tolerance)."""
    s = float(np.asarray(x, dtype=F64).reshape(1, -1).std(axis=-1)[0])
    r = target / s
    for cand in (r, np.nextafter(r, 0), np.nextafter(r, 1), np.nextafter(np.nextafter(r, 1), 1)):
        if float(cand) * s == target:
            return float(cand)
    pytest.skip("no r gives the tolerance exactly")


@pytest.mark.parametrize(("m", "target"), [(1, 2.0), (2, 3.0), (3, 1.0)])
def test_sample_entropy_ties_count_as_matches(ant, nk, m, target):
    """Integer levels with r * std an integer: distances equal to the tolerance match
    (Richman & Moorman's <= r), as in neurokit2 (KDTree radius) and the brute force. antropy's
    Numba path counts d < r, so it agrees only when given nextafter(r * std, inf): the
    docstring's "matches antropy.sample_entropy ... (<= r)" holds off ties only."""
    x = _sampen_signal("levels", 400, seed=m)
    r = _exact_r(x, target)
    got = T.sample_entropy(x, m=m, r=r)
    b, a = _naive_counts(x, m, target)
    _check_sampen(got, -math.log(a / b))
    nk_val, _ = nk.entropy_sample(x, dimension=m, tolerance=target)
    _check_sampen(got, nk_val)
    up = float(np.nextafter(target, np.inf))
    _check_sampen(got, ant.sample_entropy(x, order=m, tolerance=up))
    strict = ant.sample_entropy(x, order=m, tolerance=target)
    assert abs(strict - got) > 1e-3  # antropy's strict d < r, not the docstring's <= r


@pytest.mark.parametrize(("m", "r"), [(1, 0.1), (2, 0.45), (3, 0.2)])
def test_sample_entropy_continuous_signals_against_neurokit2_and_antropy(ant, nk, m, r):
    """Off ties the three agree: neurokit2 with tolerance=r * np.std(x) (population std),
    antropy with the same absolute tolerance."""
    x = _sampen_signal("ar1", 700, seed=10 + m)
    got = T.sample_entropy(x, m=m, r=r)
    tol_abs = r * np.std(x)
    _check_sampen(got, nk.entropy_sample(x, dimension=m, tolerance=tol_abs)[0])
    _check_sampen(got, ant.sample_entropy(x, order=m, tolerance=float(tol_abs)))
    _check_sampen(got, _naive_sampen(x, m, r))


def test_sample_entropy_against_neurokit2_default_tolerance(nk):
    """The docstring's note: neurokit2's default tolerance is 0.2 * np.std(x, ddof=1), i.e.
    physiofeat's r = 0.2 * sqrt(n / (n - 1)) (r is relative to the population std)."""
    x = _sampen_signal("tone", 500, seed=21)
    nk_val, info = nk.entropy_sample(x, dimension=2)
    assert info["Tolerance"] == pytest.approx(0.2 * np.std(x, ddof=1), rel=tol(F64, 4))
    _check_sampen(T.sample_entropy(x, m=2, r=0.2 * math.sqrt(500 / 499)), nk_val)


def test_sample_entropy_float32_is_computed_in_float64():
    x = _sampen_signal("tone", 300, seed=3).astype(F32)
    got = T.sample_entropy(x, m=2, r=0.2)
    assert got.dtype == F64
    assert got == T.sample_entropy(x.astype(F64), m=2, r=0.2)
    _check_sampen(got, _naive_sampen(x, 2, 0.2))


# ============================================================================================
# envelopes: oracles


def _analytic(x):
    """Analytic signal by the one-sided spectrum (tests/naive.py), along the last axis."""
    return np.apply_along_axis(naive_analytic, -1, np.asarray(x, dtype=F64))


def _lowpass_sos(order, cutoff, sr):
    if order == 1:  # bilinear transform of 1 / (1 + s / wc), prewarped: closed form
        k = math.tan(math.pi * cutoff / sr)
        sos = np.array([[k / (1 + k), k / (1 + k), 0.0, 1.0, (k - 1) / (k + 1), 0.0]])
        np.testing.assert_allclose(
            sos, ss.butter(1, cutoff, fs=sr, output="sos"), rtol=0, atol=1e-15
        )
        return sos
    return ss.butter(order, cutoff, btype="low", fs=sr, output="sos")


def _filtfilt(sos, y):
    """Forward-backward filtering along the last axis: odd extension by 3 (2 sections + 1 -
    trailing zeros) samples, steady-state initial conditions scaled by the first sample."""
    nsec = sos.shape[0]
    pad = 3 * (2 * nsec + 1 - min((sos[:, 2] == 0).sum(), (sos[:, 5] == 0).sum()))
    zi = ss.sosfilt_zi(sos)  # (nsec, 2): the state of a unit step
    out = np.empty_like(y)
    for idx in np.ndindex(y.shape[:-1]):
        v = y[idx]
        ext = np.r_[2 * v[0] - v[pad:0:-1], v, 2 * v[-1] - v[-2 : -pad - 2 : -1]]
        f, _ = ss.sosfilt(sos, ext, zi=zi * ext[0])
        b, _ = ss.sosfilt(sos, f[::-1], zi=zi * f[-1])
        out[idx] = b[::-1][pad:-pad]
    return out


def _ref_homomorphic(x, sr, cutoff, order):
    h = np.abs(_analytic(x))
    peak = h.max(axis=-1, keepdims=True)
    h = np.maximum(h, np.maximum(np.finfo(F64).eps * peak, np.finfo(F64).tiny))
    return np.exp(_filtfilt(_lowpass_sos(order, cutoff, sr), np.log(h)))


def _window_samples(frame_length, sr):
    """w = 2 floor(frame_length * sr / 2) + 1, in exact arithmetic (frame_length as typed)."""
    return 2 * math.floor(Fraction(str(frame_length)) * Fraction(str(sr)) / 2) + 1


def _ref_shannon(x, w):
    x = np.asarray(x, dtype=F64)
    xn = x / np.abs(x).max(axis=-1, keepdims=True)
    p = xn * xn
    e = np.where(p > 0, -p * np.log(np.where(p > 0, p, 1.0)), 0.0)
    n, half = x.shape[-1], w // 2
    k = np.arange(-half, n + half) % (2 * n)  # half-sample mirror, periodic with 2n
    k = np.where(k >= n, 2 * n - 1 - k, k)
    c = np.concatenate([np.zeros(x.shape[:-1] + (1,)), np.cumsum(e[..., k], axis=-1)], axis=-1)
    return (c[..., w:] - c[..., :-w]) / w


def _ref_wavelet(x, wavelet, level):
    d = pywt.wavedec(np.asarray(x, dtype=F64), wavelet, mode="symmetric", level=level, axis=-1)[1]
    rep = np.kron(d, np.ones(2**level))  # each coefficient 2**level times
    start = (rep.shape[-1] - x.shape[-1]) // 2
    return np.abs(rep[..., start : start + x.shape[-1]])


def _matlab_round(v):
    """Half away from zero (v >= 0), exactly."""
    return math.floor(Fraction(v) + Fraction(1, 2))


def _ref_psd(x, sr, fmin, fmax, win, hop, rate, m):
    x = np.asarray(x, dtype=F64)
    win = _matlab_round(Fraction(sr) / 40) if win is None else win
    hop = max(1, win - _matlab_round(Fraction(sr) / 80)) if hop is None else hop
    t = np.arange(win)
    w = 0.54 - 0.46 * np.cos(2 * np.pi * t / (win - 1))
    f = np.arange(math.ceil(fmin), math.floor(fmax) + 1)
    n_frames = 1 + (x.shape[-1] - win) // hop
    vals = np.empty(x.shape[:-1] + (n_frames,))
    for k in range(n_frames):
        seg = x[..., k * hop : k * hop + win] * w
        z = np.einsum("...t,tf->...f", seg, np.exp(-2j * np.pi * np.outer(t, f) / sr))
        vals[..., k] = (2 * np.abs(z) ** 2 / (sr * np.sum(w * w))).mean(axis=-1)
    centres = (np.arange(n_frames) * hop + win / 2) / sr
    t_out = np.arange(m) / rate
    out = np.empty(x.shape[:-1] + (m,))
    for idx in np.ndindex(x.shape[:-1]):
        out[idx] = np.interp(t_out, centres, vals[idx])
    return out


def _resample(env, sr, out_sr):
    q = Fraction(out_sr) / Fraction(sr)
    if q == 1:
        return env
    return ss.resample_poly(env, q.numerator, q.denominator, axis=-1, padtype="line")


def _zscore(env):
    return (env - env.mean(axis=-1, keepdims=True)) / env.std(axis=-1, keepdims=True)


def _close(got, want, rtol, *, dtype=None, normalized_from=None):
    """|got - want| <= rtol * max|want| (per row); z-scores: times max / std of the envelope."""
    assert got.shape == want.shape
    if dtype is not None:
        assert got.dtype == dtype, got.dtype
    base = want if normalized_from is None else normalized_from
    scale = np.abs(base).max(axis=-1, keepdims=True)
    if normalized_from is not None:
        scale = scale / base.std(axis=-1, keepdims=True) * (2 + np.abs(want))
    err = np.abs(got.astype(F64) - want)
    assert (err <= rtol * scale).all(), float((err / scale).max())


def _rtol(dtype):
    return tol(F32, 20) if dtype == F32 else tol(F64, 300)


# (sr, n, out_sr): rates from 500 Hz to 44.1 kHz, odd lengths, ratios 1, 1/2, 3/7, 1/882, ...
RATES = [
    (500, 1001, None),
    (1000, 2000, 1000),  # out_sr == sr: no resampling
    (2000, 1999, 750),  # 3/8
    (2800, 1401, 1200),  # 3/7
    (4000, 1500, 50),  # 1/80
    (44100, 4410, 50),  # 1/882
]


def _test_signal(shape, sr, dtype, seed):
    """A heart-sound-like train of 90 Hz bursts (S1, S2 every 0.4 s), noise and a DC offset."""
    rng = _rng(seed, sr)
    t = np.arange(shape[-1]) / sr
    burst = np.exp(-(((t % 0.4) - 0.1) ** 2) / 2e-4) + 0.6 * np.exp(
        -(((t % 0.4) - 0.3) ** 2) / 1e-4
    )
    x = burst * np.cos(2 * np.pi * 90 * t + 0.3) + 0.05 * rng.standard_normal(shape) + 0.01
    return x.astype(dtype)


def _expected_length(n, sr, out_sr):
    if out_sr is None:
        return n
    q = Fraction(out_sr) / Fraction(sr)
    return -(-n * q.numerator // q.denominator)


# ============================================================================================
# envelopes: the sweep


@pytest.mark.parametrize("normalize", [False, True])
@pytest.mark.parametrize("dtype", [F64, F32])
@pytest.mark.parametrize(("sr", "n", "out_sr"), RATES)
def test_hilbert_envelope_grid(sr, n, out_sr, dtype, normalize):
    x = _test_signal((2, n), sr, dtype, seed=1)
    got = E.hilbert_envelope(x, sr=sr, out_sr=out_sr, normalize=normalize)
    env = _resample(np.abs(_analytic(x)), sr, out_sr or sr)
    assert got.shape == (2, _expected_length(n, sr, out_sr))
    if normalize:
        _close(got, _zscore(env), _rtol(dtype), dtype=dtype, normalized_from=env)
    else:
        _close(got, env, _rtol(dtype), dtype=dtype)
        if out_sr in (None, sr):  # the documented scipy.signal.hilbert, in x's dtype
            _close(got, np.abs(ss.hilbert(x)).astype(F64), tol(dtype, 4))
    t = E.envelope_times(got, out_sr=out_sr or sr)
    np.testing.assert_array_equal(t, np.arange(got.shape[-1]) / (out_sr or sr))


HOMOMORPHIC = [  # (sr, n, cutoff, order, out_sr)
    (500, 900, 2.0, 1, None),
    (1000, 2000, 15.0, 2, 50),
    (2000, 3001, 40.0, 3, 250),
    (4000, 4000, 100.0, 5, 1000),
    (1000, 1500, 8.0, 8, 100),
    (2800, 2000, 300.0, 10, 1200),
]


@pytest.mark.parametrize("dtype", [F64, F32])
@pytest.mark.parametrize(("sr", "n", "cutoff", "order", "out_sr"), HOMOMORPHIC)
def test_homomorphic_envelope_grid(sr, n, cutoff, order, out_sr, dtype):
    x = _test_signal((2, n), sr, dtype, seed=2)
    full = _ref_homomorphic(x, sr, cutoff, order)
    env = _resample(full, sr, out_sr or sr)
    rtol = _rtol(dtype) * (30 if order >= 5 and dtype == F64 else 1)
    got = E.homomorphic_envelope(x, sr=sr, cutoff=cutoff, order=order, out_sr=out_sr)
    _close(got, env, rtol)
    z = E.homomorphic_envelope(x, sr=sr, cutoff=cutoff, order=order, out_sr=out_sr, normalize=True)
    _close(z, _zscore(env), rtol, normalized_from=env)
    np.testing.assert_array_equal(
        got, E.envelope(x, sr=sr, method="homomorphic", cutoff=cutoff, order=order, out_sr=out_sr)
    )


@pytest.mark.parametrize("order", [1, 2, 3, 5, 10])
def test_homomorphic_shortest_signal_for_the_filter(order):
    """More than 3 (2 sections + 1 - trailing zeros) samples are needed (sosfiltfilt's pad)."""
    sos = _lowpass_sos(order, 30.0, 1000)
    pad = 3 * (2 * sos.shape[0] + 1 - min((sos[:, 2] == 0).sum(), (sos[:, 5] == 0).sum()))
    x = _test_signal((pad + 1,), 1000, F64, seed=order)
    got = E.homomorphic_envelope(x, sr=1000, cutoff=30.0, order=order)
    _close(got, _ref_homomorphic(x, 1000, 30.0, order), _rtol(F64))
    with pytest.raises(InvalidSignalError, match=rf"more than {pad} samples are needed"):
        E.homomorphic_envelope(x[:pad], sr=1000, cutoff=30.0, order=order)
    with pytest.raises(ParameterError, match=r"cutoff=500 Hz must be below the Nyquist"):
        E.homomorphic_envelope(x, sr=1000, cutoff=500.0, order=order)


SHANNON = [  # (sr, n, frame_length, out_sr)
    (500, 700, 0.0, None),  # w = 1: no smoothing
    (1000, 1201, 0.0011, 250),  # w = 1
    (1000, 1000, 0.0137, None),  # w = 13
    (2000, 2500, 0.05, 400),  # w = 101
    (4000, 1000, 0.4, 1000),  # w = 1601 > n: repeated mirroring
    (2800, 1400, 0.02, 1200),
]


@pytest.mark.parametrize("dtype", [F64, F32])
@pytest.mark.parametrize(("sr", "n", "frame_length", "out_sr"), SHANNON)
def test_shannon_envelope_grid(sr, n, frame_length, out_sr, dtype):
    x = _test_signal((3, n), sr, dtype, seed=3)
    x[1] *= -250.0  # per-signal normalisation to max |x| = 1
    env = _resample(_ref_shannon(x, _window_samples(frame_length, sr)), sr, out_sr or sr)
    got = E.shannon_envelope(x, sr=sr, frame_length=frame_length, out_sr=out_sr)
    _close(got, env, _rtol(dtype), dtype=dtype)
    z = E.shannon_envelope(x, sr=sr, frame_length=frame_length, out_sr=out_sr, normalize=True)
    _close(z, _zscore(env), _rtol(dtype), normalized_from=env)


@pytest.mark.parametrize(
    ("frame_length", "sr"), [(0.009, 48000), (0.018, 48000), (0.072, 48000), (0.58, 100)]
)
def test_shannon_window_is_the_documented_odd_length(frame_length, sr):
    """w = 2 * floor(frame_length * sr / 2) + 1 for frame_length as given: 9 ms at 48 kHz is
    432 samples, w = 433 (the float product 431.99999999999994 must not floor to 215)."""
    w = _window_samples(frame_length, sr)
    x = _test_signal((3 * w,), sr, F64, seed=4)
    got = E.shannon_envelope(x, sr=sr, frame_length=frame_length)
    _close(got, _ref_shannon(x, w), _rtol(F64))


WAVELETS = [  # (sr, n, wavelet, level)
    (1000, 1000, "rbio3.9", None),  # default: round(log2(8)) = 3
    (3000, 2999, "rbio3.9", None),  # round(log2(24)) = 5
    (8000, 4000, "rbio3.9", None),  # 6
    (250, 1000, "db2", None),  # max(1, 1) = 1
    (1000, 1001, "haar", 4),
    (2000, 2000, "sym5", 2),
    (2000, 1537, "coif2", 5),
    (4000, 3000, "bior2.4", 1),
]


@pytest.mark.parametrize("dtype", [F64, F32])
@pytest.mark.parametrize(("sr", "n", "wavelet", "level"), WAVELETS)
def test_wavelet_envelope_grid(sr, n, wavelet, level, dtype):
    x = _test_signal((2, n), sr, dtype, seed=5)
    lev = level if level is not None else max(1, round(math.log2(sr / 125)))
    env = _ref_wavelet(x, wavelet, lev)
    got = E.wavelet_envelope(x, sr=sr, wavelet=wavelet, level=level)
    _close(got, env, _rtol(dtype), dtype=dtype)
    out_sr = sr // 4
    low = E.wavelet_envelope(x, sr=sr, wavelet=wavelet, level=level, out_sr=out_sr)
    _close(low, _resample(env, sr, out_sr), _rtol(dtype))
    assert low.shape == (2, _expected_length(n, sr, out_sr))


PSD = [  # (sr, n, fmin, fmax, win_length, hop_length, out_sr)
    (1000, 1000, 40.0, 60.0, None, None, None),  # 25 / 12, MATLAB's round
    (3000, 2400, 10.5, 30.2, None, None, 500),  # win 75, hop 75 - round(37.5) = 37
    (4000, 2000, 0.0, 0.0, None, None, 1000),  # DC only
    (2000, 1500, 200.0, 1000.0, 33, 7, 250),  # up to Nyquist
    (2000, 1500, 90.0, 90.0, 20, 50, None),  # hop > window
    (2800, 1400, 25.0, 80.0, 2, 1, 1200),  # shortest window
    (44100, 4410, 40.0, 60.0, None, None, 50),  # 1103 / 552
]


@pytest.mark.parametrize("dtype", [F64, F32])
@pytest.mark.parametrize(("sr", "n", "fmin", "fmax", "win", "hop", "out_sr"), PSD)
def test_psd_envelope_grid(sr, n, fmin, fmax, win, hop, out_sr, dtype):
    x = _test_signal((2, n), sr, dtype, seed=6)
    rate = out_sr or sr
    m = _expected_length(n, sr, out_sr)
    env = _ref_psd(x, sr, fmin, fmax, win, hop, rate, m)
    kw = dict(sr=sr, fmin=fmin, fmax=fmax, win_length=win, hop_length=hop, out_sr=out_sr)
    got = E.psd_envelope(x, **kw)
    _close(got, env, _rtol(dtype), dtype=dtype)
    z = E.psd_envelope(x, **kw, normalize=True)
    _close(z, _zscore(env), _rtol(dtype), normalized_from=env)
    via = E.envelope(x, sr=sr, method="psd", band=(fmin, fmax), win_length=win,
                     hop_length=hop, out_sr=out_sr)  # fmt: skip
    np.testing.assert_array_equal(via, got)


@pytest.mark.parametrize("method", E.METHODS)
def test_out_sr_lengths_times_and_3d_batches(method):
    """ceil(n p / q) samples at j / out_sr for p/q with q up to 1000, a (2, 2, n) batch row by
    row, out_sr == sr the full-rate envelope itself."""
    sr, n = 2000, 3001
    x = _test_signal((2, 2, n), sr, F64, seed=8)
    for out_sr, (p, q) in [
        (2000, (1, 1)),
        (2, (1, 1000)),
        (1998, (999, 1000)),
        (857.5, (343, 800)),
    ]:
        got = E.envelope(x, sr=sr, method=method, out_sr=out_sr)
        assert got.shape == (2, 2, -(-n * p // q)), (out_sr, got.shape)
        np.testing.assert_array_equal(
            E.envelope_times(got, out_sr=out_sr), np.arange(got.shape[-1]) / out_sr
        )
        for idx in np.ndindex(2, 2):
            one = E.envelope(x[idx], sr=sr, method=method, out_sr=out_sr)
            _close(got[idx], one, tol(F64, 1e3))
    np.testing.assert_array_equal(
        E.envelope(x, sr=sr, method=method, out_sr=2000), E.envelope(x, sr=sr, method=method)
    )


def test_envelope_times_rejects_bad_rates():
    for bad in (0, -50, None, np.nan):
        with pytest.raises(ParameterError):
            E.envelope_times(np.zeros(3), out_sr=bad)
    np.testing.assert_array_equal(
        E.envelope_times(np.zeros((2, 5)), out_sr=12.5), np.arange(5) / 12.5
    )
