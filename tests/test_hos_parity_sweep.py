"""Parity sweep of the higher-order-spectra family over non-default parameters.

Oracles, all independent of physiofeat's code:

- a naive direct estimator written here from the documented definition (segments of ``n_fft``
  every ``hop_length`` samples, trailing partial segment dropped, per-segment detrend by
  ``np.polyfit``, the periodic ``scipy.signal.get_window`` window, full ``np.fft.fft``) and
  ``B = mean_m X1 X2 conj(X3)``, Kim & Powers ``b2 = |sum X1 X2 X3*|^2 / (sum |X1 X2|^2 *
  sum |X3|^2)``, one (f1, f2) cell at a time;
- PyBispectra's public ``compute_fft`` + ``Bispectrum`` (same estimator, f1/f2 swapped) and its
  threenorm (a different normalisation: documented difference, checked as an inequality);
- analytic cases: on-bin tones (|B| = (N a / 2)^3 boxcar, (N a / 4)^3 periodic Hann), quadratic
  phase coupling (b2 ~ 1) against independent phases, and white noise, whose b2 on
  non-overlapping boxcar segments is exactly Beta(1, M - 1) (mean 1 / M, P(b2 > t) =
  (1 - t)^(M - 1));
- the Chua et al. (2010) scalar features recomputed by plain loops.

Grid: odd/even ``n_fft`` (down to 4), hops 1 .. > n_fft, named/tuple/array/list/callable
windows, detrend constant/linear/None, float32/float64, 3-D batches, one and two segments,
several sampling rates. Tolerances are two-sided and scaled by the dtype's resolution.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.signal

import physiofeat
from physiofeat import hos
from physiofeat.spectral import SpectralWarning

ONE_SEGMENT = r"^bicoherence from a single segment .* is 1 by construction"


def _tol(dtype, factor: float) -> float:
    return factor * float(np.finfo(np.dtype(dtype)).resolution)


# ---------------------------------------------------------------------------------------------
# the naive oracle


def _window(spec, n_fft):
    if callable(spec):
        return np.asarray(spec(n_fft), dtype=np.float64)
    if isinstance(spec, (str, tuple)):
        return scipy.signal.get_window(spec, n_fft, fftbins=True)  # periodic, as documented
    return np.asarray(spec, dtype=np.float64)


def _naive_spectra(x, n_fft, hop, window, detrend):
    """(M, n_fft) full FFTs of the detrended, windowed segments, one segment at a time."""
    x = np.asarray(x, dtype=np.float64)
    w = _window(window, n_fft)
    t = np.arange(n_fft, dtype=np.float64)
    out, start = [], 0
    while start + n_fft <= x.size:
        s = x[start : start + n_fft].copy()
        if detrend == "constant":
            s -= s.mean()
        elif detrend == "linear":
            s -= np.polyval(np.polyfit(t, s, 1), t)
        out.append(np.fft.fft(s * w))
        start += hop
    return np.array(out)


def _naive_from_spectra(X, n_fft, full=False):
    K = n_fft // 2 + 1
    ncol = K if full else n_fft // 4 + 1
    B = np.full((K, ncol), np.nan + 1j * np.nan)
    b2 = np.full((K, ncol), np.nan)
    for i in range(K):
        for j in range(ncol):
            if i + j > n_fft // 2 or (j > i and not full):
                continue
            trip = X[:, i] * X[:, j] * np.conj(X[:, i + j])
            B[i, j] = trip.mean()
            den = np.sum(np.abs(X[:, i] * X[:, j]) ** 2) * np.sum(np.abs(X[:, i + j]) ** 2)
            b2[i, j] = abs(trip.sum()) ** 2 / den if den > 0 else 0.0
    return B, b2


def _naive(x, n_fft, hop=None, window="hann", detrend="constant", full=False):
    hop = n_fft // 2 if hop is None else hop
    return _naive_from_spectra(_naive_spectra(x, n_fft, hop, window, detrend), n_fft, full)


def _assert_close(got, ref, dtype, factor, scale=None):
    """Same NaN layout, then |got - ref| <= tol * scale (scale: max |ref| by default)."""
    got, ref = np.asarray(got), np.asarray(ref)
    assert got.shape == ref.shape
    np.testing.assert_array_equal(np.isnan(got), np.isnan(ref))
    ok = ~np.isnan(ref)
    scale = np.abs(ref[ok]).max() if scale is None else scale
    np.testing.assert_allclose(got[ok], ref[ok], rtol=0, atol=_tol(dtype, factor) * scale)


def _signal(rng, n, dtype=np.float64):
    """Noise with a mean, a trend and a quadratic term (non-zero bispectrum)."""
    t = np.arange(n)
    e = rng.standard_normal(n)
    return (e + 0.4 * e**2 + 0.7 + 0.003 * t + 0.5 * np.sin(t / 4.0)).astype(dtype)


# ---------------------------------------------------------------------------------------------
# 1. bispectrum / bicoherence against the naive estimator


GRID = [
    # n_fft, hop, window, detrend, dtype
    (4, None, "hann", "constant", np.float64),
    (5, 1, "hamming", "linear", np.float64),
    (7, 3, ("kaiser", 6.0), None, np.float32),
    (9, 9, "blackman", "constant", np.float64),
    (15, 4, ("tukey", 0.3), "linear", np.float32),
    (16, 1, "bartlett", "constant", np.float64),
    (17, 20, "triang", None, np.float64),
    (24, 7, "hann", "linear", np.float32),
    (31, None, np.blackman, "constant", np.float64),
    (32, 11, list(np.hamming(32)), "linear", np.float64),
    (33, 33, "hann", None, np.float32),
    (48, 13, ("gaussian", 7.0), "constant", np.float32),
    (63, 21, "boxcar", None, np.float64),
    (64, 48, "hamming", "constant", np.float64),
    (65, 30, "cosine", "linear", np.float64),
]


@pytest.mark.parametrize(("n_fft", "hop", "window", "detrend", "dtype"), GRID)
def test_principal_domain_and_full_quadrant_match_naive(rng, n_fft, hop, window, detrend, dtype):
    x = _signal(rng, 6 * n_fft + 5, dtype)
    kw = dict(sr=173.0, n_fft=n_fft, hop_length=hop, window=window, detrend=detrend)
    B = hos.bispectrum(x, **kw)
    b2 = hos.bicoherence(x, **kw)
    cdt, rdt = (np.complex64, np.float32) if dtype == np.float32 else (np.complex128, np.float64)
    assert B.dtype == cdt and b2.dtype == rdt
    ref_B, ref_b2 = _naive(x, n_fft, hop, window, detrend)
    _assert_close(B, ref_B, dtype, 100)
    # the ratio is conditioned by its denominators; b2 lies in [0, 1]
    _assert_close(b2, ref_b2, dtype, 200, scale=1.0)
    v = b2[~np.isnan(b2)]
    assert v.min() >= 0.0 and v.max() <= 1.0
    # full=True: every cell of the non-negative quadrant computed directly (not by symmetry)
    F = hos.bispectrum(x, full=True, **kw)
    Fb = hos.bicoherence(x, full=True, **kw)
    ref_F, ref_Fb = _naive(x, n_fft, hop, window, detrend, full=True)
    _assert_close(F, ref_F, dtype, 100)
    _assert_close(Fb, ref_Fb, dtype, 200, scale=1.0)


@pytest.mark.parametrize("detrend", ["constant", "linear"])
def test_boxcar_detrended_dc_column_of_bicoherence_is_zero(rng, detrend):
    """With a boxcar and per-segment detrend, X_m(0) = sum(segment - fit) = 0 exactly, so the
    documented denominator sum |X1 X2|^2 * sum |X3|^2 of every (f1, 0) cell is 0 and b2 is
    documented to be 0 there. Round-off leaves |X_m(0)| ~ 1e-15 instead, and the scale-free ratio
    of that round-off comes out at chance level (~1 / M, up to ~0.2 here), not 0."""
    x = _signal(rng, 600)
    X = _naive_spectra(x, 32, 16, "boxcar", detrend)
    assert np.abs(X[:, 0]).max() <= _tol(np.float64, 1e3) * np.abs(X).max()
    b2 = hos.bicoherence(x, sr=100.0, n_fft=32, window="boxcar", detrend=detrend)
    np.testing.assert_allclose(b2[1:, 0][~np.isnan(b2[1:, 0])], 0.0, rtol=0, atol=1e-6)


def test_batch_integer_and_list_inputs(rng):
    x = _signal(rng, 2 * 3 * 400).reshape(2, 3, 400)
    kw = dict(sr=50.0, n_fft=27, hop_length=10, window="hamming", detrend="linear")
    B = hos.bispectrum(x.astype(np.float32), **kw)
    b2 = hos.bicoherence(x, **kw)
    assert B.shape == (2, 3, 14, 7) and b2.shape == (2, 3, 14, 7)
    for idx in np.ndindex(2, 3):
        ref_B = _naive(x[idx].astype(np.float32), 27, 10, "hamming", "linear")[0]
        _assert_close(B[idx], ref_B, np.float32, 100)
        _assert_close(b2[idx], _naive(x[idx], 27, 10, "hamming", "linear")[1], np.float64, 200, 1)
    xi = (100 * x[0, 0]).astype(np.int64)
    Bi = hos.bispectrum(xi, **kw)
    assert Bi.dtype == np.complex128
    _assert_close(Bi, _naive(xi, 27, 10, "hamming", "linear")[0], np.float64, 100)
    np.testing.assert_array_equal(
        hos.bispectrum(list(x[0, 0]), **kw), hos.bispectrum(x[0, 0], **kw)
    )


# ---------------------------------------------------------------------------------------------
# 2. frequency axes and sampling rates


@pytest.mark.parametrize(("n_fft", "sr"), [(4, 1.0), (9, 250.0), (30, 360.0), (65, 1e4)])
def test_frequencies_and_domain_in_hz(rng, n_fft, sr):
    f1, f2 = hos.bispectrum_frequencies(sr=sr, n_fft=n_fft)
    np.testing.assert_allclose(f1, np.fft.rfftfreq(n_fft, 1 / sr), rtol=1e-15, atol=0)
    np.testing.assert_array_equal(f2, f1[: n_fft // 4 + 1])
    ff1, ff2 = hos.bispectrum_frequencies(sr=sr, n_fft=n_fft, full=True)
    np.testing.assert_array_equal(ff1, f1)
    np.testing.assert_array_equal(ff2, f1)
    B = hos.bispectrum(_signal(rng, 3 * n_fft), sr=sr, n_fft=n_fft)
    inside = (f2[None, :] <= f1[:, None]) & (f1[:, None] + f2[None, :] <= sr / 2 * (1 + 1e-12))
    np.testing.assert_array_equal(~np.isnan(B), inside)


@pytest.mark.parametrize("sr", [1.0, 360.0, 44100.0])
def test_values_do_not_depend_on_sr_only_the_axes(rng, sr):
    x = _signal(rng, 700)
    ref = _naive(x, 36, 12, "hann", "constant")
    B = hos.bispectrum(x, sr=sr, n_fft=36, hop_length=12)
    b2 = hos.bicoherence(x, sr=sr, n_fft=36, hop_length=12)
    _assert_close(B, ref[0], np.float64, 100)
    _assert_close(b2, ref[1], np.float64, 200, scale=1.0)
    d = hos.bispectral_features(x, sr=sr, n_fft=36, hop_length=12)
    d1 = hos.bispectral_features(x, sr=1.0, n_fft=36, hop_length=12)
    for name in hos.FEATURE_NAMES:
        k = sr if name.startswith(("wcob", "peak_f")) else 1.0
        assert d[name] == pytest.approx(k * d1[name], rel=1e-13), name


# ---------------------------------------------------------------------------------------------
# 3. analytic cases


def _tones(n, sr, freqs, phases, amps):
    t = np.arange(n) / sr
    return sum(a * np.cos(2 * np.pi * f * t + p) for f, p, a in zip(freqs, phases, amps))


@pytest.mark.parametrize(
    ("n_fft", "hop", "window", "gain", "dtype"),
    [
        (64, 64, "boxcar", 0.5, np.float64),
        (64, 17, "hann", 0.25, np.float64),  # periodic Hann: centre-bin gain 1/2 * 1/2
        (60, 7, "boxcar", 0.5, np.float32),
        (90, 45, "hann", 0.25, np.float32),
    ],
)
def test_on_bin_coupled_tones_analytic_bispectrum(n_fft, hop, window, gain, dtype):
    """x = sum a_k cos(2 pi k_k sr/N t + p_k) with bins (k1, k2, k1 + k2): X(k) = N a gain
    e^{i p} at each tone's bin, so B(k2, k1) = (N gain)^3 a1 a2 a3 e^{i (p1 + p2 - p3)} in every
    segment (the biphase is hop-invariant since f3 = f1 + f2) and b2 = 1 exactly."""
    sr, k1, k2 = 200.0, 6, 11
    p, a = (0.3, -1.1, 2.0), (1.0, 0.7, 0.4)
    x = _tones(8 * n_fft, sr, [k * sr / n_fft for k in (k1, k2, k1 + k2)], p, a).astype(dtype)
    B = hos.bispectrum(x, sr=sr, n_fft=n_fft, hop_length=hop, window=window, detrend=None)
    want = (n_fft * gain) ** 3 * np.prod(a) * np.exp(1j * (p[0] + p[1] - p[2]))
    assert abs(B[k2, k1] - want) <= _tol(dtype, 1e3) * abs(want)
    b2 = hos.bicoherence(x, sr=sr, n_fft=n_fft, hop_length=hop, window=window, detrend=None)
    assert abs(b2[k2, k1] - 1.0) <= _tol(dtype, 1e3)
    assert np.unravel_index(np.nanargmax(np.abs(B)), B.shape) == (k2, k1)


def _qpc_segments(rng, n_seg, n_fft, sr, bins, coupled, noise):
    segs = []
    for _ in range(n_seg):
        p1, p2, p3 = rng.uniform(0, 2 * np.pi, 3)
        p = (p1, p2, p1 + p2 if coupled else p3)
        segs.append(_tones(n_fft, sr, [k * sr / n_fft for k in bins], p, (1, 1, 1)))
    x = np.concatenate(segs)
    return x + noise * rng.standard_normal(x.size)


@pytest.mark.parametrize(
    ("n_fft", "sr", "window", "dtype"),
    [(63, 250.0, "hamming", np.float64), (50, 128.0, "boxcar", np.float32)],
)
def test_quadratic_phase_coupling_against_random_phases(rng, n_fft, sr, window, dtype):
    k1, k2, n_seg = 7, 11, 48
    bins = (k1, k2, k1 + k2)
    x = _qpc_segments(rng, n_seg, n_fft, sr, bins, True, 0.05).astype(dtype)
    kw = dict(sr=sr, n_fft=n_fft, hop_length=n_fft, window=window)
    b2 = hos.bicoherence(x, **kw)
    assert 0.98 <= b2[k2, k1] <= 1.0
    i, j = np.unravel_index(np.nanargmax(b2[:, 1:]), b2[:, 1:].shape)
    f1, f2 = hos.bispectrum_frequencies(sr=sr, n_fft=n_fft)
    assert (f1[i], f2[j + 1]) == (k2 * sr / n_fft, k1 * sr / n_fft)
    y = _qpc_segments(rng, n_seg, n_fft, sr, bins, False, 0.05).astype(dtype)
    ctrl = hos.bicoherence(y, **kw)[k2, k1]
    assert 0.0 <= ctrl <= 0.2  # P(Beta(1, 47) > 0.2) = 0.8^47 ~ 3e-5


@pytest.mark.parametrize(("n_fft", "n_seg", "detrend"), [(64, 8, None), (49, 40, "constant")])
def test_white_noise_bicoherence_is_beta_1_m_minus_1(n_fft, n_seg, detrend):
    """Non-overlapping boxcar segments of white Gaussian noise: X_m(i + j) (not DC, not
    Nyquist) is circular Gaussian, independent of X_m(i) X_m(j) for j >= 1, so b2 ~ Beta(1, M - 1)
    exactly: the documented ~1 / M bias, and P(b2 > t) = (1 - t)^(M - 1)."""
    rng = np.random.default_rng(1234 + n_fft)
    vals = []
    for _ in range(6):
        x = rng.standard_normal(n_seg * n_fft)
        b2 = hos.bicoherence(
            x, sr=1.0, n_fft=n_fft, hop_length=n_fft, window="boxcar", detrend=detrend
        )
        i, j = np.meshgrid(np.arange(b2.shape[0]), np.arange(b2.shape[1]), indexing="ij")
        ok = (j >= 1) & (j <= i) & (2 * (i + j) < n_fft)
        vals.append(b2[ok])
    v = np.concatenate(vals)
    assert abs(v.mean() * n_seg - 1.0) <= 0.1
    for t in (0.05, 0.1, 0.2):
        assert abs(np.mean(v > t) - (1 - t) ** (n_seg - 1)) <= 0.03


# ---------------------------------------------------------------------------------------------
# 4. one and two segments


@pytest.mark.parametrize(("n_fft", "dtype"), [(21, np.float64), (40, np.float32)])
def test_one_and_two_segment_boundary(rng, n_fft, dtype):
    hop = 13
    two = _signal(rng, n_fft + hop, dtype)  # segments at 0 and hop exactly
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        b2 = hos.bicoherence(two, sr=10.0, n_fft=n_fft, hop_length=hop)
    _assert_close(b2, _naive(two, n_fft, hop)[1], dtype, 200, scale=1.0)
    one = two[:-1]  # the second segment no longer fits
    with pytest.warns(SpectralWarning, match=ONE_SEGMENT + rf".*hop_length <= {hop - 1}"):
        b1 = hos.bicoherence(one, sr=10.0, n_fft=n_fft, hop_length=hop)
    ok = ~np.isnan(b1)
    np.testing.assert_allclose(b1[ok], 1.0, rtol=0, atol=_tol(dtype, 1e3))
    batch = np.stack([one, 2 * one[::-1]])
    with pytest.warns(SpectralWarning, match=ONE_SEGMENT):
        bb = hos.bicoherence(batch, sr=10.0, n_fft=n_fft, hop_length=hop)
    np.testing.assert_allclose(bb[~np.isnan(bb)], 1.0, rtol=0, atol=_tol(dtype, 1e3))
    # the bispectrum of one segment is that segment's triple product; no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        B = hos.bispectrum(one, sr=10.0, n_fft=n_fft, hop_length=hop)
    _assert_close(B, _naive(one, n_fft, hop)[0], dtype, 100)
    with pytest.warns(SpectralWarning, match=ONE_SEGMENT + r".*a smaller n_fft"):
        hos.bicoherence(one[:n_fft], sr=10.0, n_fft=n_fft)


# ---------------------------------------------------------------------------------------------
# 5. scalar features (Chua et al. 2010), recomputed by loops


def _naive_features(mag, f1, f2):
    """Loops over Omega = {0 < j <= i, i + j <= K - 1} of a principal-domain ``mag``."""
    K = mag.shape[0]
    cells = [(i, j) for i in range(K) for j in range(1, mag.shape[1]) if j <= i and i + j < K]
    m = np.array([mag[i, j] for i, j in cells], dtype=np.float64)
    s1, s2 = m.sum(), (m**2).sum()
    ent = -sum(v / s1 * np.log(v / s1) for v in m if v > 0)
    ent2 = -sum(v**2 / s2 * np.log(v**2 / s2) for v in m if v > 0)
    diag = [(i, mag[i, i]) for i, j in cells if i == j]
    k = int(np.argmax(m))
    return {
        "entropy": ent,
        "squared_entropy": ent2,
        "sum_log_amplitude": sum(np.log(v) for v in m),
        "sum_log_diagonal": sum(np.log(v) for _, v in diag),
        "moment_log_diagonal": sum(i * np.log(v) for i, v in diag),
        "wcob_f1": sum(f1[i] * v for (i, _), v in zip(cells, m)) / s1,
        "wcob_f2": sum(f2[j] * v for (_, j), v in zip(cells, m)) / s1,
        "peak_f1": f1[cells[k][0]],
        "peak_f2": f2[cells[k][1]],
        "peak_value": m[k],
        "mean_magnitude": m.mean(),
    }


@pytest.mark.parametrize(
    ("kind", "n_fft", "hop", "window", "detrend", "sr", "dtype"),
    [
        ("bispectrum", 33, 9, "hamming", "linear", 250.0, np.float64),
        ("bicoherence", 33, 9, "hamming", "linear", 250.0, np.float64),
        ("bispectrum", 20, None, ("kaiser", 5.0), None, 1.0, np.float32),
        ("bicoherence", 45, 45, "boxcar", None, 4000.0, np.float64),
        ("bispectrum", 64, 20, "blackman", "constant", 360.0, np.float32),
    ],
)
def test_bispectral_features_match_naive_formulas(
    rng, kind, n_fft, hop, window, detrend, sr, dtype
):
    sig = _signal(rng, 2 * 12 * n_fft).reshape(2, -1).astype(dtype)
    kw = dict(sr=sr, n_fft=n_fft, hop_length=hop, window=window, detrend=detrend)
    feats = hos.bispectral_features(sig, kind=kind, **kw)
    assert list(feats) == list(hos.FEATURE_NAMES)
    f1, f2 = np.arange(n_fft // 2 + 1) * sr / n_fft, np.arange(n_fft // 4 + 1) * sr / n_fft
    rtol = _tol(dtype, 1e4 if dtype == np.float32 else 1e5)
    for r in range(2):
        B, b2 = _naive(sig[r], n_fft, hop, window, detrend)
        want = _naive_features(np.abs(B) if kind == "bispectrum" else b2, f1, f2)
        for name, w in want.items():
            got = feats[name][r]
            assert feats[name].shape == (2,) and feats[name].dtype == np.float64
            if name in ("peak_f1", "peak_f2"):
                assert got == pytest.approx(w, rel=1e-12), name
            elif name in ("sum_log_amplitude", "sum_log_diagonal", "moment_log_diagonal"):
                # sums of logs: absolute error ~ n_terms * relative error of mag
                assert got == pytest.approx(w, rel=rtol, abs=rtol * 50 * n_fft**2), name
            else:
                assert got == pytest.approx(w, rel=rtol), name


def test_scalar_features_full_layout_batch_and_zeros(rng):
    sr, n_fft = 90.0, 26
    x = _signal(rng, 3 * 500).reshape(3, 500)
    f1, f2 = hos.bispectrum_frequencies(sr=sr, n_fft=n_fft)
    ff1, ff2 = hos.bispectrum_frequencies(sr=sr, n_fft=n_fft, full=True)
    mag = np.abs(hos.bispectrum(x, sr=sr, n_fft=n_fft, hop_length=9))
    full = np.abs(hos.bispectrum(x, sr=sr, n_fft=n_fft, hop_length=9, full=True))
    names, v = hos.scalar_features(mag, f1, f2)
    _, vf = hos.scalar_features(full, ff1, ff2)
    assert v.shape == (3, 11) and names == hos.FEATURE_NAMES
    np.testing.assert_allclose(vf, v, rtol=1e-13, atol=0)
    for r in range(3):
        np.testing.assert_allclose(v[r], list(_naive_features(mag[r], f1, f2).values()), rtol=1e-12)
    # a zero off the diagonal: 0 ln 0 = 0 in the entropies, the log sums become NaN (documented)
    z = mag[0].copy()
    z[5, 3] = 0.0
    d = dict(zip(names, hos.scalar_features(z, f1, f2)[1]))
    with np.errstate(divide="ignore", invalid="ignore"):
        want = _naive_features(z, f1, f2)  # its entropies skip v = 0 (0 ln 0 = 0)
    for name in ("entropy", "squared_entropy", "wcob_f1", "wcob_f2", "mean_magnitude"):
        assert d[name] == pytest.approx(want[name], rel=1e-9), name
    assert np.isnan(d["sum_log_amplitude"]) and np.isfinite(d["sum_log_diagonal"])
    # the f2 = 0 column is not part of Omega
    z2 = mag[0].copy()
    z2[:, 0] = 1e6
    np.testing.assert_array_equal(
        hos.scalar_features(z2, f1, f2)[1], hos.scalar_features(mag[0], f1, f2)[1]
    )


# ---------------------------------------------------------------------------------------------
# 6. the registry features


def test_extract_bispectrum_and_bicoherence_non_default(rng):
    sr, n_fft, hop, window = 360.0, 45, 17, ("tukey", 0.25)
    for dtype in (np.float64, np.float32):
        x = _signal(rng, 2 * 900).reshape(2, 900).astype(dtype)
        params = dict(n_fft=n_fft, hop_length=hop, window=window, detrend="linear")
        f = physiofeat.extract(x, {"bispectrum": params, "bicoherence": params}, sr=sr)
        bis, bic = f["bispectrum"], f["bicoherence"]
        assert bis.shape == (2, 23, 12) and bic.shape == (2, 23, 12)
        np.testing.assert_allclose(bis.coords["freq1"], np.arange(23) * sr / n_fft, rtol=1e-15)
        np.testing.assert_allclose(bis.coords["freq2"], np.arange(12) * sr / n_fft, rtol=1e-15)
        vec, names = f.vector(), f.vector_names()
        assert names == [
            f"{k}_{n}" for k in ("bispectrum", "bicoherence") for n in hos.FEATURE_NAMES
        ]
        f1, f2 = bis.coords["freq1"], bis.coords["freq2"]
        for r in range(2):
            B, b2 = _naive(x[r], n_fft, hop, window, "linear")
            _assert_close(bis.values[r], np.abs(B), dtype, 100)
            _assert_close(bic.values[r], b2, dtype, 200, scale=1.0)
            want = list(_naive_features(np.abs(B), f1, f2).values())
            want += list(_naive_features(b2, f1, f2).values())
            logs = [k for k, n in enumerate(names) if "log" in n]
            rest = [k for k in range(len(names)) if k not in logs]
            rt = _tol(dtype, 1e4)
            np.testing.assert_allclose(vec[r][rest], np.array(want)[rest], rtol=rt)
            np.testing.assert_allclose(vec[r][logs], np.array(want)[logs], rtol=rt, atol=rt * 1e4)


# ---------------------------------------------------------------------------------------------
# 7. PyBispectra


@pytest.mark.parametrize(
    ("n_fft", "hop", "pyb_window", "sr", "dtype"),
    [
        (33, 11, "hanning", 250.0, np.float64),
        (31, 31, "hamming", 1000.0, np.float64),
        (20, 3, "hamming", 8.0, np.float32),  # sr=7: pybispectra refuses its own rfftfreq
    ],
)
def test_bispectrum_against_pybispectra(rng, n_fft, hop, pyb_window, sr, dtype):
    """Same estimator when the window is PyBispectra's (numpy's symmetric np.hanning /
    np.hamming passed as an array) and detrend='linear' (its scipy.signal.detrend); its
    [f1 <= f2] layout is our transpose; no scaling difference (raw rfft coefficients, no
    normalisation by n_fft or the window)."""
    pyb = pytest.importorskip("pybispectra")
    x = _signal(rng, 1200).astype(dtype)
    segs = np.lib.stride_tricks.sliding_window_view(x.astype(np.float64), n_fft)[::hop]
    coeffs, freqs = pyb.compute_fft(
        segs[:, None, :], sampling_freq=sr, window=pyb_window, verbose=False
    )
    bs = pyb.Bispectrum(coeffs, freqs, sr, verbose=False)
    bs.compute(indices=((0,), (0,), (0,)))
    ref = bs.results.get_results()[0].T[:, : n_fft // 4 + 1]
    np.testing.assert_allclose(
        bs.results.f1s, hos.bispectrum_frequencies(sr=sr, n_fft=n_fft, full=True)[0]
    )
    w = np.hanning(n_fft) if pyb_window == "hanning" else np.hamming(n_fft)
    B = hos.bispectrum(x, sr=sr, n_fft=n_fft, hop_length=hop, window=w, detrend="linear")
    _assert_close(B, ref, dtype, 100)
    # the documented difference: physiofeat's named "hann"/"hamming" are periodic
    named = "hann" if pyb_window == "hanning" else "hamming"
    P = hos.bispectrum(x, sr=sr, n_fft=n_fft, hop_length=hop, window=named, detrend="linear")
    ok = ~np.isnan(P)
    assert np.abs(P[ok] - ref[ok]).max() > 1e-3 * np.abs(ref[ok]).max()


def test_bicoherence_vs_pybispectra_threenorm_documented_difference(rng):
    """PyBispectra normalises by its threenorm (Shahbazi et al. 2014), not by Kim & Powers'
    denominator. Its code (pybispectra 1.3 utils/_process.py ``_compute_threenorm``) averages
    (|X1|^3 |X2|^3 |X3|^3)^(1/3) = |X1 X2 X3| over segments, so its |B| / N =
    |sum X1 X2 X3*| / sum |X1 X2 X3| >= sqrt(b2) by Cauchy-Schwarz, equality iff |X1 X2| is
    proportional to |X3| across segments (then both are 1 under perfect coupling). Not a
    rescaling of each other: checked as the inequality. ``py_func`` avoids a 4 s Numba
    compile of code that is three nested loops."""
    pytest.importorskip("pybispectra")
    from pybispectra.utils._process import _compute_threenorm

    n_fft, hop, sr = 24, 8, 100.0
    x = _signal(rng, 900)
    segs = np.lib.stride_tricks.sliding_window_view(x, n_fft)[::hop]
    segs = scipy.signal.detrend(segs, axis=-1) * np.hanning(n_fft)
    coeffs = np.fft.rfft(segs, axis=-1)
    freqs = np.fft.rfftfreq(n_fft, 1 / sr)
    N = _compute_threenorm.py_func(
        coeffs[:, None, :, None], freqs, freqs, freqs, np.array([[0, 0, 0]]), np.float64
    )[0, :, :, 0].T[:, : n_fft // 4 + 1]
    kw = dict(sr=sr, n_fft=n_fft, hop_length=hop, window=np.hanning(n_fft), detrend="linear")
    B = hos.bispectrum(x, **kw)
    b2 = hos.bicoherence(x, **kw)
    ok = ~np.isnan(B)
    X = coeffs
    i, j = 7, 3
    assert N[i, j] == pytest.approx(np.mean(np.abs(X[:, i] * X[:, j] * X[:, i + j])), rel=1e-12)
    ratio = np.abs(B[ok]) / N[ok]
    assert np.all(np.sqrt(b2[ok]) <= ratio * (1 + 1e-12))
    assert np.all(ratio <= 1 + 1e-12)
    assert np.median(ratio - np.sqrt(b2[ok])) > 1e-3  # genuinely different normalisations
