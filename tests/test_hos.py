"""Higher-order spectra: the direct bispectrum and bicoherence against the naive triple product,
quadratic phase coupling, symmetry, scalar features, PyBispectra, the registry and errors."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.signal

import physiofeat
from physiofeat import InvalidSignalError, ParameterError, hos
from tests.conftest import tol
from tests.naive import naive_bispectrum, naive_segment_ffts


def _window_values(window, n_fft):
    if isinstance(window, np.ndarray):
        return window
    return scipy.signal.get_window(window, n_fft, fftbins=True)


def _close(a, b, dtype, factor):
    """Two-sided, relative to the largest magnitude (the bispectrum's natural scale)."""
    scale = np.nanmax(np.abs(b))
    assert np.array_equal(np.isnan(a), np.isnan(b))
    np.testing.assert_allclose(
        np.nan_to_num(a), np.nan_to_num(b), rtol=0, atol=tol(dtype, factor) * scale
    )


@pytest.mark.parametrize(
    ("n_fft", "hop", "window", "detrend"),
    [
        (32, None, "hann", "constant"),
        (33, 7, "boxcar", None),
        (30, 30, "hamming", "linear"),
        (16, 5, np.hanning(16), "constant"),
    ],
)
def test_bispectrum_matches_naive_triple_product(rng, n_fft, hop, window, detrend):
    x = rng.standard_normal(700) + 0.3 * np.sin(np.arange(700) / 3.0)
    B = hos.bispectrum(x, sr=500, n_fft=n_fft, hop_length=hop, window=window, detrend=detrend)
    ref = naive_bispectrum(x, n_fft, hop or n_fft // 2, _window_values(window, n_fft), detrend)
    assert B.shape == (n_fft // 2 + 1, n_fft // 4 + 1) and B.dtype == np.complex128
    _close(B, ref, np.float64, 100)


def test_bicoherence_matches_naive_and_is_in_unit_interval(rng):
    x = rng.standard_normal(1500)
    b2 = hos.bicoherence(x, sr=1000, n_fft=32, hop_length=12, window="hann")
    _, ref = naive_bispectrum(x, 32, 12, scipy.signal.get_window("hann", 32), "constant", True)
    _close(b2, ref, np.float64, 100)
    v = b2[~np.isnan(b2)]
    assert v.min() >= 0.0 and v.max() <= 1.0


def test_float32_input_gives_float32_precision_results(rng):
    x = rng.standard_normal(1200)
    B32 = hos.bispectrum(x.astype(np.float32), sr=1000, n_fft=32)
    b32 = hos.bicoherence(x.astype(np.float32), sr=1000, n_fft=32)
    assert B32.dtype == np.complex64 and b32.dtype == np.float32
    ref_B, ref_b = naive_bispectrum(
        x.astype(np.float32).astype(np.float64),
        32,
        16,
        scipy.signal.get_window("hann", 32),
        "constant",
        True,
    )
    _close(B32, ref_B, np.float32, 50)
    _close(b32, ref_b, np.float32, 50)


def test_batch_equals_loop(rng):
    x = rng.standard_normal((2, 3, 600))
    B = hos.bispectrum(x, sr=100, n_fft=24, hop_length=10)
    b2 = hos.bicoherence(x, sr=100, n_fft=24, hop_length=10)
    assert B.shape == (2, 3, 13, 7)
    for idx in np.ndindex(2, 3):
        one = hos.bispectrum(x[idx], sr=100, n_fft=24, hop_length=10)
        np.testing.assert_array_equal(B[idx], one)
        np.testing.assert_array_equal(
            b2[idx], hos.bicoherence(x[idx], sr=100, n_fft=24, hop_length=10)
        )


def test_full_fills_mirror_half_by_symmetry(rng):
    x = rng.standard_normal(900)
    B = hos.bispectrum(x, sr=200, n_fft=20)
    F = hos.bispectrum(x, sr=200, n_fft=20, full=True)
    bf = hos.bicoherence(x, sr=200, n_fft=20, full=True)
    K = 11
    assert F.shape == (K, K) and bf.shape == (K, K)
    # the full quadrant against the triple product computed directly at every (f1, f2)
    X = naive_segment_ffts(x, 20, 10, scipy.signal.get_window("hann", 20), "constant")
    for i in range(K):
        for j in range(K):
            if i + j <= K - 1:
                direct = np.mean(X[:, i] * X[:, j] * np.conj(X[:, i + j]))
                assert abs(F[i, j] - direct) <= tol(np.float64, 100) * np.nanmax(np.abs(B))
                assert bf[i, j] == bf[j, i]
            else:
                assert np.isnan(F[i, j]) and np.isnan(bf[i, j])
    np.testing.assert_array_equal(F[:, : B.shape[1]][~np.isnan(B)], B[~np.isnan(B)])


def _qpc(rng, *, coupled, n_seg=64, n_fft=128, sr=1000.0, noise=0.2):
    """Tones at bins 16, 24 and 40 (125, 187.5, 312.5 Hz); the third tone's phase is the sum of
    the first two (coupled) or independent (control); fresh random phases every segment."""
    t = np.arange(n_fft) / sr
    segs = []
    for _ in range(n_seg):
        p1, p2, p3 = rng.uniform(0, 2 * np.pi, 3)
        p3 = p1 + p2 if coupled else p3
        segs.append(
            np.cos(2 * np.pi * 125 * t + p1)
            + np.cos(2 * np.pi * 187.5 * t + p2)
            + np.cos(2 * np.pi * 312.5 * t + p3)
        )
    return np.concatenate(segs) + noise * rng.standard_normal(n_seg * n_fft)


@pytest.mark.parametrize("window", ["boxcar", "hann"])
def test_quadratic_phase_coupling_peak(rng, window):
    sr, n_fft = 1000.0, 128
    f1, f2 = hos.bispectrum_frequencies(sr=sr, n_fft=n_fft)
    x = _qpc(rng, coupled=True)
    b2 = hos.bicoherence(x, sr=sr, n_fft=n_fft, hop_length=n_fft, window=window)
    i, j = np.unravel_index(np.nanargmax(b2), b2.shape)
    assert (f1[i], f2[j]) == (187.5, 125.0)
    assert 0.9 < b2[i, j] <= 1.0
    ctrl = hos.bicoherence(
        _qpc(rng, coupled=False), sr=sr, n_fft=n_fft, hop_length=n_fft, window=window
    )
    assert 0.0 <= ctrl[24, 16] < 0.15  # about 1 / n_segments for independent phases
    # the bispectrum magnitude peaks there too
    B = np.abs(hos.bispectrum(x, sr=sr, n_fft=n_fft, hop_length=n_fft, window=window))
    assert np.unravel_index(np.nanargmax(B), B.shape) == (24, 16)


def test_scalar_features_against_direct_formulas(rng):
    x = _qpc(rng, coupled=True, n_seg=16, n_fft=64)
    sr = 1000.0
    feats = hos.bispectral_features(x, sr=sr, n_fft=64, hop_length=64)
    B = naive_bispectrum(x, 64, 64, scipy.signal.get_window("hann", 64), "constant")
    f1, f2 = np.arange(33) * sr / 64, np.arange(17) * sr / 64
    cells = [(i, j) for i in range(33) for j in range(1, 17) if j <= i and i + j <= 32]
    mag = np.array([abs(B[i, j]) for i, j in cells])
    p = mag / mag.sum()
    q = mag**2 / np.sum(mag**2)
    diag = [(k, abs(B[k, k])) for k in range(1, 17) if 2 * k <= 32]
    k_peak = int(np.argmax(mag))
    expect = {
        "entropy": -np.sum(p * np.log(p)),
        "squared_entropy": -np.sum(q * np.log(q)),
        "sum_log_amplitude": np.sum(np.log(mag)),
        "sum_log_diagonal": sum(np.log(v) for _, v in diag),
        "moment_log_diagonal": sum(k * np.log(v) for k, v in diag),
        "wcob_f1": sum(f1[i] * m for (i, _), m in zip(cells, mag)) / mag.sum(),
        "wcob_f2": sum(f2[j] * m for (_, j), m in zip(cells, mag)) / mag.sum(),
        "peak_f1": f1[cells[k_peak][0]],
        "peak_f2": f2[cells[k_peak][1]],
        "peak_value": mag[k_peak],
        "mean_magnitude": mag.mean(),
    }
    assert list(feats) == list(hos.FEATURE_NAMES)
    for name, v in expect.items():
        assert feats[name] == pytest.approx(v, rel=1e-10, abs=1e-12), name
    assert (feats["peak_f1"], feats["peak_f2"]) == (187.5, 125.0)
    b = hos.bispectral_features(x, sr=sr, n_fft=64, hop_length=64, kind="bicoherence")
    assert 0.9 < b["peak_value"] <= 1.0 and (b["peak_f1"], b["peak_f2"]) == (187.5, 125.0)


def test_scalar_features_of_silence_are_nan_not_crash():
    names, v = hos.scalar_features(np.zeros((5, 3)), np.arange(5.0), np.arange(3.0))
    d = dict(zip(names, v))
    assert np.isnan(d["entropy"]) and np.isnan(d["wcob_f1"]) and d["mean_magnitude"] == 0.0


def test_against_pybispectra(rng):
    """PyBispectra's Bispectrum (epochs = our segments, its numpy Hann and linear detrend):
    same estimator with f1/f2 swapped, equal to round-off."""
    pyb = pytest.importorskip("pybispectra")
    x = rng.standard_normal(2000)
    n_fft, hop, sr = 32, 16, 1000
    segs = np.lib.stride_tricks.sliding_window_view(x, n_fft)[::hop]
    coeffs, freqs = pyb.compute_fft(
        segs[:, None, :], sampling_freq=sr, window="hanning", verbose=False
    )
    bs = pyb.Bispectrum(coeffs, freqs, sr, verbose=False)
    bs.compute(indices=((0,), (0,), (0,)))
    ref = bs.results.get_results()[0].T  # theirs: [f1 <= f2]; ours: [f1 >= f2]
    B = hos.bispectrum(
        x, sr=sr, n_fft=n_fft, hop_length=hop, window=np.hanning(n_fft), detrend="linear"
    )
    ok = ~np.isnan(B)
    np.testing.assert_allclose(
        B[ok], ref[:, : B.shape[1]][ok], rtol=0, atol=tol(np.float64, 100) * np.abs(B[ok]).max()
    )


def test_extract_shares_segment_spectra_and_summarises(rng):
    x = rng.standard_normal((2, 3000))
    feats = physiofeat.extract(x, ["bispectrum", "bicoherence"], sr=1000, n_fft=64)
    assert feats.computed["hos_spectra"] == 1
    bis = feats["bispectrum"]
    assert bis.dims == ("signal", "freq1", "freq2") and bis.shape == (2, 33, 17)
    np.testing.assert_array_equal(bis.coords["freq1"], np.arange(33) * 1000 / 64)
    np.testing.assert_allclose(
        bis.values[1], np.abs(hos.bispectrum(x[1], sr=1000, n_fft=64)), rtol=0, atol=0
    )
    names = feats.vector_names()
    assert names[:2] == ["bispectrum_entropy", "bispectrum_squared_entropy"]
    assert "bicoherence_peak_value" in names and len(names) == 2 * len(hos.FEATURE_NAMES)
    v = feats.vector()
    assert v.shape == (2, 22)
    one = hos.bispectral_features(x[0], sr=1000, n_fft=64, kind="bicoherence")
    np.testing.assert_allclose(v[0, 11:], [one[n] for n in hos.FEATURE_NAMES], rtol=1e-12)


def test_errors():
    x = np.zeros(100)
    with pytest.raises(
        InvalidSignalError,
        match=r"x has 100 samples, shorter than one segment "
        r"of n_fft=256",
    ):
        hos.bispectrum(x, sr=1000)
    with pytest.raises(InvalidSignalError, match=r"shorter than one segment of n_fft=128"):
        physiofeat.extract(x, ["bicoherence"], sr=1000, n_fft=128)
    with pytest.raises(ParameterError, match=r"n_fft must be >= 4; got 2"):
        hos.bispectrum(x, sr=1000, n_fft=2)
    with pytest.raises(ParameterError, match=r"hop_length must be >= 1; got 0"):
        hos.bicoherence(x, sr=1000, n_fft=16, hop_length=0)
    with pytest.raises(ParameterError, match=r"window 'nope' is not understood"):
        hos.bispectrum(x, sr=1000, n_fft=16, window="nope")
    with pytest.raises(ParameterError, match=r"n_fft=16 finite values; got shape \(15,\)"):
        hos.bispectrum(x, sr=1000, n_fft=16, window=np.ones(15))
    with pytest.raises(ParameterError, match=r"detrend must be one of .*got 'quadratic'"):
        hos.bispectrum(x, sr=1000, n_fft=16, detrend="quadratic")
    with pytest.raises(ParameterError, match=r"sr \(sampling rate in Hz\) is required"):
        hos.bispectrum(x, sr=None, n_fft=16)
    with pytest.raises(ParameterError, match=r"kind must be one of 'bispectrum', 'bicoherence'"):
        hos.bispectral_features(x, sr=1000, n_fft=16, kind="trispectrum")
    with pytest.raises(InvalidSignalError, match=r"must be real-valued; got complex"):
        hos.bicoherence(x + 1j, sr=1000, n_fft=16)
    with pytest.raises(InvalidSignalError, match=r"non-finite"):
        hos.bispectrum(np.r_[x, np.nan], sr=1000, n_fft=16)


def test_scaling_and_sign_properties(rng):
    """B(c x) = c^3 B(x); the bicoherence is scale-invariant; B(-x) = -B(x)."""
    x = rng.standard_normal(1000)
    B = hos.bispectrum(x, sr=100, n_fft=32)
    ok = ~np.isnan(B)
    scale = np.abs(B[ok]).max()
    np.testing.assert_allclose(
        hos.bispectrum(2.5 * x, sr=100, n_fft=32)[ok],
        2.5**3 * B[ok],
        rtol=0,
        atol=tol(np.float64, 100) * 2.5**3 * scale,
    )
    np.testing.assert_allclose(
        hos.bispectrum(-x, sr=100, n_fft=32)[ok], -B[ok], rtol=0, atol=tol(np.float64, 100) * scale
    )
    b2 = hos.bicoherence(x, sr=100, n_fft=32)
    np.testing.assert_allclose(
        hos.bicoherence(1e3 * x, sr=100, n_fft=32)[ok], b2[ok], rtol=0, atol=tol(np.float64, 100)
    )


def test_full_must_be_a_bool():
    x = np.random.default_rng(11).standard_normal(1000)
    with pytest.raises(ParameterError, match=r"^full must be True or False; got 'x'"):
        hos.bispectrum(x, sr=1000, n_fft=64, full="x")
    with pytest.raises(ParameterError, match=r"^full must be True or False; got 1"):
        hos.bispectrum_frequencies(sr=1000, n_fft=64, full=1)


def test_constant_signal_gives_nan_not_inf_features():
    """A constant (or silent) signal has an all-zero bispectrum: its log-amplitude sums, entropies,
    centres and peak location are undefined -> NaN; never -inf in a feature table."""
    f = physiofeat.extract(np.ones(4000), ["bispectrum", "bicoherence"], sr=1000)
    v = f.vector()
    assert not np.isinf(v).any()
    d = dict(zip(f.vector_names(), v))
    for k in ("sum_log_amplitude", "sum_log_diagonal", "moment_log_diagonal", "peak_f1"):
        assert np.isnan(d[f"bispectrum_{k}"])
    assert d["bispectrum_peak_value"] == 0.0 and d["bispectrum_mean_magnitude"] == 0.0
    # a signal with a non-zero bispectrum keeps finite values
    y = np.random.default_rng(0).standard_normal(4000)
    assert np.isfinite(physiofeat.extract(y, ["bispectrum"], sr=1000).vector()).all()


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        ("bispectrum", {"n_fft": 2}, r"^n_fft must be >= 4; got 2"),
        ("bicoherence", {"n_fft": 64.5}, r"^n_fft must be an integer; got 64.5"),
        ("bispectrum", {"hop_length": 0}, r"^hop_length must be >= 1; got 0"),
        ("bicoherence", {"window": "nope"}, r"^window 'nope' is not understood"),
        ("bispectrum", {"n_fft": 8, "window": np.ones(5)}, r"must hold n_fft=8 finite values"),
        ("bicoherence", {"detrend": "quadratic"}, r"^detrend must be one of 'constant'"),
    ],
)
def test_extract_refuses_bad_parameters_before_any_work(no_compute, name, params, message):
    with pytest.raises(ParameterError, match=message):
        physiofeat.extract(np.zeros(64), {name: params}, sr=1000)


def test_a_huge_n_fft_is_refused_by_the_signal_check_without_building_its_window(monkeypatch):
    """The up-front check builds a named window at <= 16 points; n_fft longer than the signal
    stays a signal error raised in compute."""
    from physiofeat.hos import _core
    from physiofeat.spectral import _core as spectral_core

    built = []
    real = spectral_core.get_window
    spy = lambda w, n, *a, **k: built.append(n) or real(w, n, *a, **k)  # noqa: E731
    monkeypatch.setattr(_core, "get_window", spy)  # compute's window
    monkeypatch.setattr(spectral_core, "get_window", spy)  # the shared up-front check's
    with pytest.raises(InvalidSignalError, match=r"shorter than one segment of n_fft=10000000"):
        physiofeat.extract(np.zeros(64), ["bispectrum"], sr=1000, n_fft=10_000_000)
    assert built == [16]


@pytest.mark.parametrize("name", ["bispectrum", "bicoherence"])
def test_extract_accepts_windows_that_exist_only_at_full_length(name):
    # ("dpss", 10) needs n_fft > 20: the up-front check must not refuse it for being built small
    x = np.random.default_rng(0).standard_normal(2048)
    got = physiofeat.extract(x, {name: {"n_fft": 256, "window": ("dpss", 10)}}, sr=1000)[name]
    want = np.abs(getattr(hos, name)(x, sr=1000, n_fft=256, window=("dpss", 10)))  # |B|
    np.testing.assert_array_equal(got.values, want)
    with pytest.raises(ParameterError, match="not understood"):
        physiofeat.extract(x, {name: {"n_fft": 256, "window": ("dpss", 200)}}, sr=1000)
