"""physiofeat.wavelet against PyWavelets, a direct-sum CWT (tests/naive.py) and analytic results.

Tolerances:
- DWT / packet features are sums over PyWavelets' own coefficients: float64 round-off
  (``tol(float64, 1e3)`` relative).
- The FFT CWT against the direct time-domain sum ``naive_cwt`` (closed-form wavelet, zero outside
  the signal): both are the same linear convolution, so they agree to round-off everywhere, edges
  included, as long as the wavelet spectrum is negligible beyond Nyquist (the sampled wavelet
  then does not alias): ``1e-10`` of the row maximum.
- Against ``pywt.cwt``: PyWavelets integrates the wavelet over each sample (a box-car, i.e. a
  ``sinc(omega / 2)`` attenuation, relative error ~``(pi f / sr)**2 / 6``) and samples the
  integral on a grid of ``2**precision`` points. With ``precision=16`` and scales ``(2m+1)/16``
  (for which its output trim is centred; other scales shift it by half a sample) the relative
  error is below 1 % for ``f <= sr / 16`` and below 3 % for ``f <= sr / 8``, measured in the
  interior (more than 4 e-folding times from either end).
"""

from __future__ import annotations

import numpy as np
import pytest
import pywt
import soundfile as sf
from conftest import tol
from naive import naive_cwt, naive_dwt_stats

import physiofeat
from physiofeat import InvalidSignalError, ParameterError
from physiofeat import wavelet as W


@pytest.fixture(scope="module")
def pcg():
    x, sr = sf.read(physiofeat.data.path("a0007"))
    return x[2000:6000], float(sr)


# -------------------------------------------------------------------------------------------
# DWT


@pytest.mark.parametrize("wavelet", ["db4", "sym5", "haar", "bior3.5"])
@pytest.mark.parametrize("mode", ["symmetric", "periodization"])
def test_dwt_features_match_numpy_on_pywt_coefficients(rng, wavelet, mode):
    x = rng.standard_normal(500)
    got = W.dwt_features(x, wavelet=wavelet, level=4, mode=mode)
    ref = naive_dwt_stats(pywt.wavedec(x, wavelet, mode=mode, level=4))
    assert got.shape == (5, len(W.DWT_STATS))
    np.testing.assert_allclose(got, ref, rtol=tol(np.float64, 1e3), atol=tol(np.float64, 1e3))


def test_dwt_float32_and_batch(rng):
    x = rng.standard_normal((3, 400)).astype(np.float32)
    got = W.dwt_features(x, wavelet="db2", level=3)
    assert got.shape == (3, 4, 7)
    for i in range(3):
        ref = naive_dwt_stats(pywt.wavedec(x[i], "db2", level=3))  # PyWavelets keeps float32
        np.testing.assert_allclose(got[i], ref, rtol=tol(np.float64, 1e3), atol=1e-12)


def test_dwt_periodization_conserves_energy_and_rel_energy_sums_to_one(rng):
    x = rng.standard_normal(1024)
    f = W.dwt_features(x, wavelet="db6", level=5, mode="periodization")
    e = f[:, W.DWT_STATS.index("energy")]
    np.testing.assert_allclose(e.sum(), np.sum(x**2), rtol=tol(np.float64, 1e3))
    np.testing.assert_allclose(f[:, 1].sum(), 1.0, rtol=tol(np.float64, 1e3))


def test_dwt_per_sample_energy_is_mean_power_and_duration_free(rng):
    x = rng.standard_normal(1024)
    f = W.dwt_features(x, wavelet="db6", level=5, mode="periodization", per_sample=True)
    np.testing.assert_allclose(f[:, 0].sum(), np.mean(x**2), rtol=tol(np.float64, 1e3))
    plain = W.dwt_features(x, wavelet="db6", level=5, mode="periodization")
    np.testing.assert_array_equal(f[:, 1:], plain[:, 1:])
    # a signal repeated 4 times: 4x the energy, the same energy per sample (periodization of a
    # 1024-periodic signal has exactly periodic coefficients)
    f4 = W.dwt_features(np.tile(x, 4), wavelet="db6", level=5, mode="periodization")
    np.testing.assert_allclose(f4[:, 0], 4 * plain[:, 0], rtol=tol(np.float64, 1e3))
    f4s = W.dwt_features(
        np.tile(x, 4), wavelet="db6", level=5, mode="periodization", per_sample=True
    )
    np.testing.assert_allclose(f4s[:, 0], f[:, 0], rtol=tol(np.float64, 1e3))
    with pytest.raises(ParameterError, match="per_sample must be True or False"):
        W.dwt_features(x, per_sample="yes")
    g = physiofeat.extract(
        x, {"dwt": {"per_sample": True, "mode": "periodization", "wavelet": "db6"}}, sr=100
    )
    np.testing.assert_array_equal(g["dwt"].values, f)
    with pytest.raises(ParameterError, match="per_sample"):
        physiofeat.extract(x, {"dwt": {"per_sample": 1}}, sr=100)


def test_dwt_level_none_is_max_level_and_band_names():
    x = np.sin(np.arange(300.0))
    coeffs = W.wavedec(x, wavelet="db4", level=None)
    assert len(coeffs) == pywt.dwt_max_level(300, 8) + 1
    assert W.dwt_band_names(5) == ["a5", "d5", "d4", "d3", "d2", "d1"]


def test_dwt_errors():
    x = np.ones(100)
    with pytest.raises(ParameterError, match=r"maximum level is pywt.dwt_max_level\(100, 8\) = 3"):
        W.dwt_features(x, wavelet="db4", level=6)
    with pytest.raises(InvalidSignalError, match="too short for even one level of 'db4'"):
        W.dwt_features(np.ones(5), wavelet="db4", level=1)
    with pytest.raises(ParameterError, match=r"unknown discrete wavelet 'db99'.*pywt.wavelist"):
        W.dwt_features(x, wavelet="db99")
    with pytest.raises(ParameterError, match="mode must be one of"):
        W.dwt_features(x, wavelet="db4", level=2, mode="wrap")
    with pytest.raises(ParameterError, match="level must be >= 1"):
        W.dwt_features(x, wavelet="db4", level=0)
    with pytest.raises(InvalidSignalError, match="non-finite"):
        W.dwt_features(np.r_[x, np.nan], wavelet="db4", level=2)


# -------------------------------------------------------------------------------------------
# wavelet packets


def test_wpt_energies_match_pywt_nodes(rng):
    x = rng.standard_normal(512)
    for order in ("freq", "natural"):
        got = W.wpt_energies(x, wavelet="db3", level=3, order=order)
        wp = pywt.WaveletPacket(x, "db3", mode="symmetric", maxlevel=3)
        ref = [np.sum(wp[p].data ** 2) for p in W.wpt_band_names(3, order=order)]
        np.testing.assert_allclose(got, ref, rtol=tol(np.float64, 1e3))


def test_wpt_frequency_order_is_gray_code_and_tones_land_in_their_band():
    # frequency order of the packet tree: the Gray-code sequence of the a/d paths
    assert W.wpt_band_names(3) == ["aaa", "aad", "add", "ada", "dda", "ddd", "dad", "daa"]
    sr = 1600.0
    t = np.arange(4096) / sr
    edges = W.wpt_band_edges(3, sr=sr)
    np.testing.assert_allclose(edges[:, 1] - edges[:, 0], 100.0)
    for k in range(8):
        f = 100.0 * k + 50.0  # band centre
        e = W.wpt_energies(np.sin(2 * np.pi * f * t), wavelet="db20", level=3, relative=True)
        assert int(np.argmax(e)) == k
        assert e[k] > 0.8  # real filters leak into the neighbours
        np.testing.assert_allclose(e.sum(), 1.0, rtol=tol(np.float64, 1e3))


def test_wpt_periodization_conserves_energy(rng):
    x = rng.standard_normal((2, 256))
    e = W.wpt_energies(x, wavelet="sym4", level=4, mode="periodization")
    # PyWavelets' sym4 taps are orthonormal to ~1e-12 (not to float64 round-off)
    np.testing.assert_allclose(e.sum(-1), np.sum(x**2, -1), rtol=1e-10)


def test_wpt_errors():
    with pytest.raises(ParameterError, match="maximum level is pywt.dwt_max_level"):
        W.wpt_energies(np.ones(64), wavelet="db4", level=5)
    with pytest.raises(ParameterError, match="order must be one of 'freq', 'natural'"):
        W.wpt_energies(np.ones(64), level=2, order="paley")


# -------------------------------------------------------------------------------------------
# CWT


@pytest.mark.parametrize(
    "wavelet, fmax_frac",
    [
        ("cmor1.5-1.0", 1 / 8),
        ("cmor4-0.5", 1 / 8),
        ("mexh", 1 / 16),
        ("ricker", 1 / 16),
        ("morl", 1 / 16),
    ],
)
@pytest.mark.parametrize("norm", ["l2", "l1"])
def test_cwt_matches_direct_sum(rng, wavelet, fmax_frac, norm):
    sr = 1000.0
    x = rng.standard_normal(256)
    freqs = np.geomspace(sr / 100, sr * fmax_frac, 5)
    got = W.cwt(x, sr=sr, freqs=freqs, wavelet=wavelet, norm=norm)
    scales = W.frequencies_to_scales(freqs, sr=sr, wavelet=wavelet)
    ref = naive_cwt(x, scales, wavelet, norm=norm)
    if not wavelet.startswith("cmor"):
        assert not np.iscomplexobj(got)
        np.testing.assert_allclose(ref.imag, 0, atol=1e-12)
    err = np.abs(got - ref).max(axis=-1) / np.abs(ref).max(axis=-1)
    assert err.max() < 1e-10, err


@pytest.mark.parametrize("wavelet, fmax_frac", [("cmor1.5-1.0", 1 / 8), ("mexh", 1 / 16)])
def test_cwt_block_path_matches_direct_sum(rng, monkeypatch, wavelet, fmax_frac):
    # force the overlap-save path on a short signal (2-3 blocks) and check it like the global one
    from physiofeat.wavelet import _continuous

    monkeypatch.setattr(_continuous, "_BLOCK_MIN_BLOCKS", 1)
    sr = 1000.0
    x = rng.standard_normal(2500)
    freqs = np.array([sr * fmax_frac, sr * fmax_frac / 2])
    scales = W.frequencies_to_scales(freqs, sr=sr, wavelet=wavelet)
    assert x.size < 2 * _continuous._block_sizes(wavelet[:4], 1.5, scales).max() * 2
    got = W.cwt(x, sr=sr, freqs=freqs, wavelet=wavelet)
    ref = naive_cwt(x, scales, wavelet)
    err = np.abs(got - ref).max(axis=-1) / np.abs(ref).max(axis=-1)
    assert err.max() < 1e-10, err


@pytest.mark.parametrize(
    "wavelet, fmax_frac", [("cmor1.5-1.0", 1 / 8), ("morl", 1 / 16), ("mexh", 1 / 16)]
)
@pytest.mark.parametrize("pad_mode", ["zero", "reflect"])
def test_cwt_block_and_global_paths_agree(rng, monkeypatch, wavelet, fmax_frac, pad_mode):
    from physiofeat.wavelet import _continuous

    sr = 1000.0
    x = rng.standard_normal((2, 20000))
    freqs = np.geomspace(5.0, sr * fmax_frac, 12)
    blocks = W.cwt(x, sr=sr, freqs=freqs, wavelet=wavelet, pad_mode=pad_mode)
    b32 = W.cwt(x.astype(np.float32), sr=sr, freqs=freqs, wavelet=wavelet, pad_mode=pad_mode)
    serial = W.cwt(x, sr=sr, freqs=freqs, wavelet=wavelet, pad_mode=pad_mode, workers=1)
    # threads only split the scales (pocketfft's SIMD batching may round differently)
    np.testing.assert_allclose(
        serial, blocks, rtol=0, atol=tol(np.float64, 100) * np.abs(blocks).max()
    )
    monkeypatch.setattr(_continuous, "_BLOCK_MIN_BLOCKS", 10**9)
    glob = W.cwt(x, sr=sr, freqs=freqs, wavelet=wavelet, pad_mode=pad_mode)
    assert blocks.dtype == glob.dtype and b32.dtype in (np.float32, np.complex64)
    scale = np.abs(glob).max(axis=-1, keepdims=True)
    assert (np.abs(blocks - glob) / scale).max() < 1e-10
    assert (np.abs(b32 - glob) / scale).max() < tol(np.float32, 50)


def test_cwt_periodic_padding_is_circular(rng):
    sr = 500.0
    x = rng.standard_normal(200)
    freqs = [20.0, 50.0]
    got = W.cwt(x, sr=sr, freqs=freqs, pad_mode="periodic")
    scales = W.frequencies_to_scales(freqs, sr=sr)
    # circular convolution = direct sum over the signal tiled on both sides
    ref = naive_cwt(np.tile(x, 9), scales, "cmor1.5-1.0")[:, 4 * 200 : 5 * 200]
    np.testing.assert_allclose(got, ref, atol=1e-10 * np.abs(ref).max())


def test_cwt_reflect_padding(rng):
    sr = 500.0
    x = rng.standard_normal(300)
    freqs = [15.0, 60.0]
    got = W.cwt(x, sr=sr, freqs=freqs, wavelet="mexh", pad_mode="reflect")
    p = 299
    xr = np.pad(x, p, mode="reflect")
    ref = W.cwt(xr, sr=sr, freqs=freqs, wavelet="mexh")[:, p : p + 300]
    np.testing.assert_allclose(got, ref, atol=1e-6 * np.abs(ref).max())


@pytest.mark.parametrize("wavelet", ["cmor1.5-1.0", "mexh", "morl"])
def test_cwt_against_pywt_cwt(pcg, wavelet):
    x, sr = pcg
    n = x.size
    fc = W.wavelet_center_frequency(wavelet)
    # scales (2m+1)/16 samples, from f = sr/8 down to ~sr/100 (see the module notes)
    scales = (2 * np.round(np.geomspace(8 * fc, 100 * fc, 10) * 8) + 1) / 16
    freqs = fc * sr / scales
    got = W.cwt(x, sr=sr, freqs=freqs, wavelet=wavelet)
    ref, _ = pywt.cwt(x, scales, wavelet, method="fft", precision=16)
    tau = np.sqrt(1.5 if wavelet.startswith("cmor") else 2.0) * scales  # e-folding, samples
    for i in range(scales.size):
        e = int(4 * tau[i])
        g, r = got[i, e : n - e], ref[i, e : n - e]
        rel = np.linalg.norm(g - r) / np.linalg.norm(r)
        rel_mag = np.abs(np.abs(g) - np.abs(r)).max() / np.abs(r).max()
        limit = 0.01 if freqs[i] <= sr / 16 else 0.03
        assert rel < limit and rel_mag < limit, (wavelet, freqs[i], rel, rel_mag)


def test_cwt_l1_cosine_amplitude():
    sr = 1000.0
    t = np.arange(3000) / sr
    for f0, amp in [(30.0, 2.0), (120.0, 0.5)]:
        x = amp * np.cos(2 * np.pi * f0 * t)
        S = W.scalogram(x, sr=sr, freqs=[f0], wavelet="cmor2-1.0", norm="l1")
        np.testing.assert_allclose(S[0, 1000:2000], amp / 2, rtol=1e-9)
        # real mexh: W = A psi_hat(a w0) cos(w0 b), psi_hat's maximum is
        # 2 sqrt(2 pi) / (sqrt(3) pi**0.25) * 2 / e at the centre frequency
        S = W.scalogram(x, sr=sr, freqs=[f0], wavelet="mexh", norm="l1", power=2.0)
        peak = 2 * np.sqrt(2 * np.pi) / (np.sqrt(3) * np.pi**0.25) * 2 / np.e
        np.testing.assert_allclose(S[0, 1000:2000].max(), (amp * peak) ** 2, rtol=1e-6)


def test_cwt_float32_batch_and_frequency_grid(rng):
    sr = 2000.0
    x = rng.standard_normal((2, 1000))
    W64 = W.cwt(x, sr=sr, fmin=20, fmax=500, n_freqs=12)
    W32 = W.cwt(x.astype(np.float32), sr=sr, fmin=20, fmax=500, n_freqs=12)
    assert W64.shape == (2, 12, 1000) and W32.dtype == np.complex64
    np.testing.assert_allclose(W32, W64, atol=tol(np.float32, 50) * np.abs(W64).max())
    np.testing.assert_allclose(W64[1], W.cwt(x[1], sr=sr, fmin=20, fmax=500, n_freqs=12))
    np.testing.assert_allclose(
        W.cwt_frequencies(fmin=20, fmax=500, n_freqs=12), np.geomspace(20, 500, 12)
    )
    # defaults: sr/200 .. sr/4, 64 log-spaced frequencies
    assert W.cwt(x[0], sr=sr).shape == (64, 1000)


def test_cone_of_influence():
    sr, n = 1000.0, 1001
    coi = W.cone_of_influence(n, sr=sr, wavelet="cmor1.5-2.0")
    d = np.minimum(np.arange(n), n - 1 - np.arange(n)) / sr
    np.testing.assert_allclose(coi[1:-1], np.sqrt(1.5) * 2.0 / d[1:-1])
    assert np.isinf(coi[0]) and np.isinf(coi[-1])
    np.testing.assert_allclose(coi, coi[::-1])
    np.testing.assert_allclose(
        W.cone_of_influence(n, sr=sr, wavelet="mexh")[500],
        np.sqrt(2) * np.sqrt(2) / (2 * np.pi) / 0.5,
    )
    # inside the cone, zero padding visibly changes the coefficient of a stationary tone
    x = np.cos(2 * np.pi * 10 * np.arange(n) / sr)
    S = W.scalogram(x, sr=sr, freqs=[10.0], wavelet="cmor1.5-2.0", norm="l1")[0]
    inside = coi > 10.0
    assert np.all(S[~inside] > 0.5 * np.exp(-1) * 0.999)
    assert S[0] < 0.3


def test_cwt_errors():
    x = np.ones(100)
    with pytest.raises(ParameterError, match=r"outside \(0, Nyquist\) = \(0, 500\) Hz"):
        W.cwt(x, sr=1000, freqs=[10.0, 500.0])
    with pytest.raises(ParameterError, match=r"frequency -5 Hz is outside \(0, Nyquist\)"):
        W.cwt(x, sr=1000, freqs=[-5.0])
    with pytest.raises(ParameterError, match=r"fmax=700 Hz must be below the Nyquist .*=500 Hz"):
        W.cwt(x, sr=1000, fmin=10, fmax=700)
    with pytest.raises(
        ParameterError, match=r"unknown continuous wavelet 'gaus1'; accepted: cmorB-C"
    ):
        W.cwt(x, sr=1000, wavelet="gaus1")
    with pytest.raises(ParameterError, match="unknown continuous wavelet 'cmor0-1'"):
        W.cwt(x, sr=1000, wavelet="cmor0-1")
    with pytest.raises(ParameterError, match="either freqs= or fmin="):
        W.cwt(x, sr=1000, freqs=[10.0], fmin=5)
    with pytest.raises(ParameterError, match="fmax must be >= fmin"):
        W.cwt(x, sr=1000, fmin=100, fmax=10)
    with pytest.raises(ParameterError, match="norm must be one of"):
        W.cwt(x, sr=1000, norm="l3")
    with pytest.raises(ParameterError, match="pad_mode must be one of"):
        W.cwt(x, sr=1000, pad_mode="edge")
    with pytest.raises(ParameterError, match="sampling rate in Hz"):
        W.cwt(x, sr=None)
    with pytest.raises(ParameterError, match="freqs must be a non-empty 1-D"):
        W.cwt(x, sr=1000, freqs=[[10.0]])


# -------------------------------------------------------------------------------------------
# registry


def test_registered_features_and_vector_names(rng):
    sr = 2000.0
    x = rng.standard_normal(2000)
    feats = physiofeat.extract(
        x, {"dwt": {}, "wpt": {"level": 2}, "cwt": {"n_freqs": 8, "hop_length": 10}}, sr=sr
    )
    assert feats["dwt"].dims == ("band", "stat") and feats["dwt"].shape == (6, 7)
    np.testing.assert_allclose(feats["dwt"].values, W.dwt_features(x))
    np.testing.assert_allclose(feats["wpt"].values, W.wpt_energies(x, level=2))
    cw = feats["cwt"]
    assert cw.shape == (8, 200) and cw.dims == ("freq", "time")
    # the feature's default range is fixed in Hz (20-800 Hz), not relative to the rate
    np.testing.assert_allclose(
        cw.values, W.scalogram(x, sr=sr, fmin=20, fmax=800, n_freqs=8)[:, ::10]
    )
    np.testing.assert_allclose(cw.times, np.arange(0, 2000, 10) / sr)
    np.testing.assert_allclose(cw.freqs, np.geomspace(20, 800, 8))
    assert cw.attrs["coi"].shape == (200,)
    names = feats.vector_names()
    assert names[:2] == ["dwt_a5_energy", "dwt_a5_rel_energy"]
    assert "dwt_d1_max_abs" in names and "wpt_ad" in names and "cwt_800Hz_mean" in names
    assert feats.vector().shape == (6 * 7 + 4 + 8 * 4,)
    names_w = [s.name for s in physiofeat.features(family="wavelet")]
    assert {"dwt", "wpt", "cwt"} <= set(names_w)


def test_registered_batch_equals_single(rng):
    sr = 1000.0
    x = rng.standard_normal((2, 800))
    fb = physiofeat.extract(x, ["dwt", "cwt"], sr=sr, n_freqs=4)
    f1 = physiofeat.extract(x[1], ["dwt", "cwt"], sr=sr, n_freqs=4)
    np.testing.assert_allclose(fb.vector()[1], f1.vector(), rtol=1e-12)


def test_cwt_band_errors_name_fmin_or_fmax():
    y = np.random.default_rng(6).standard_normal(2000)
    with pytest.raises(ParameterError, match=r"^fmax=5000 Hz must be below the Nyquist .*=2000 Hz"):
        W.cwt(y, sr=4000, fmax=5000)
    with pytest.raises(ParameterError, match=r"^fmin=2000 Hz must be below the Nyquist"):
        W.cwt(y, sr=4000, fmin=2000)
    # the feature: rows at or above a recording's Nyquist frequency are NaN (same columns at
    # every rate), the rows below it are the public scalogram's
    f = physiofeat.extract(y, ["cwt"], sr=4000, fmax=5000, n_freqs=8)["cwt"]
    above = np.geomspace(20, 5000, 8) >= 2000
    assert above.sum() == 2 and np.isnan(f.values[above]).all()
    np.testing.assert_allclose(f.attrs["nan_above_nyquist_hz"], np.geomspace(20, 5000, 8)[above])
    np.testing.assert_allclose(
        f.values[~above], W.scalogram(y, sr=4000, freqs=np.geomspace(20, 5000, 8)[~above])
    )
    with pytest.raises(ParameterError, match=r"^fmin must be > 0.0; got -1"):
        W.cwt(y, sr=4000, fmin=-1)


def test_relative_must_be_a_bool():
    y = np.random.default_rng(9).standard_normal(512)
    with pytest.raises(ParameterError, match=r"^relative must be True or False; got 'x'"):
        W.wpt_energies(y, wavelet="db4", level=2, relative="x")


def test_wpt_level_none_is_the_deepest_level_like_dwt():
    y = np.random.default_rng(12).standard_normal(1000)
    deepest = pywt.dwt_max_level(1000, pywt.Wavelet("db4").dec_len)  # the oracle: 7
    np.testing.assert_array_equal(
        W.wpt_energies(y, wavelet="db4", level=None),
        W.wpt_energies(y, wavelet="db4", level=deepest),
    )
    assert W.dwt_features(y, wavelet="db4", level=None).shape == (deepest + 1, len(W.DWT_STATS))
    # the features refuse it: a shorter signal would get fewer columns
    f = physiofeat.extract(y, ["wpt", "dwt"], sr=1000, level=deepest)
    assert f["wpt"].shape == (2**deepest,)
    assert f["wpt"].coords["band"] == W.wpt_band_names(deepest)
    for name in ("wpt", "dwt"):
        with pytest.raises(ParameterError, match=r"level=None .* other columns"):
            physiofeat.extract(y, [name], sr=1000, level=None)


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        ("dwt", {"wavelet": "db99"}, r"^unknown discrete wavelet 'db99'"),
        ("dwt", {"level": 0}, r"^level must be >= 1; got 0"),
        ("dwt", {"mode": "nope"}, r"^mode must be one of 'zero', 'constant'"),
        ("wpt", {"wavelet": "cmor1.5-1.0"}, r"^unknown discrete wavelet 'cmor1.5-1.0'"),
        ("wpt", {"level": 2.5}, r"^level must be an integer; got 2.5"),
        ("wpt", {"mode": "edge"}, r"^mode must be one of"),
        ("wpt", {"order": "bad"}, r"^order must be one of 'freq', 'natural'; got 'bad'"),
        ("wpt", {"relative": "yes"}, r"^relative must be True or False; got 'yes'"),
        ("cwt", {"wavelet": "db4"}, r"^unknown continuous wavelet 'db4'"),
        ("cwt", {"norm": "l3"}, r"^norm must be one of 'l2', 'l1'; got 'l3'"),
        ("cwt", {"pad_mode": "edge"}, r"^pad_mode must be one of 'zero', 'reflect', 'periodic'"),
        ("cwt", {"power": 0}, r"^power must be > 0"),
        ("cwt", {"hop_length": 0}, r"^hop_length must be >= 1; got 0"),
        ("cwt", {"n_freqs": 0}, r"^n_freqs must be >= 1; got 0"),
        ("cwt", {"fmin": -1.0}, r"^fmin must be > 0"),
        ("cwt", {"fmax": 0.0}, r"^fmax must be > 0"),
        ("cwt", {"fmin": 50.0, "fmax": 20.0}, r"^fmax must be >= fmin; got fmin=50.0, fmax=20.0"),
        ("cwt", {"freqs": [10.0], "fmin": 5.0}, r"^pass either freqs= or fmin=/fmax="),
        ("cwt", {"freqs": []}, r"^freqs must be a non-empty 1-D sequence of Hz"),
    ],
)
def test_extract_refuses_bad_parameters_before_any_work(no_compute, name, params, message):
    with pytest.raises(ParameterError, match=message):
        physiofeat.extract(np.zeros(64), {name: params}, sr=1000)


def test_signal_dependent_wavelet_checks_stay_in_compute():
    """Level against the length and CWT frequencies against Nyquist need the signal/rate."""
    x = np.random.default_rng(3).standard_normal(64)
    with pytest.raises(
        ParameterError, match=r"^feature 'dwt': level=9 is too deep for a signal of 64 samples"
    ):
        physiofeat.extract(x, ["dwt"], sr=1000, level=9)
    with pytest.raises(ParameterError, match=r"^fmin=600 Hz must be below the Nyquist"):
        W.cwt(x, sr=1000, fmin=600.0)
    # the cwt feature: frequencies a 1 kHz recording cannot hold are NaN rows, not an error,
    # so a folder of mixed rates makes one table
    assert np.isnan(physiofeat.extract(x, {"cwt": {"fmin": 600.0}}, sr=1000)["cwt"].values).all()


def test_cwt_far_below_the_signal_is_a_parameter_error_not_out_of_memory():
    # fmin=1e-9 Hz: the widest wavelet would need ~1e12 samples of padding
    x = np.random.default_rng(0).standard_normal(2048)
    with pytest.raises(ParameterError, match=r"CWT work array would be .*GiB.*raise fmin"):
        physiofeat.wavelet.cwt(x, sr=1000, fmin=1e-9, fmax=10.0, n_freqs=8)
