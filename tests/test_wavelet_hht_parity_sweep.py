"""Parity sweep of physiofeat.wavelet and physiofeat.hht against their reference libraries, over
the non-default parameters a user of those libraries would try (tests/test_wavelet.py,
tests/test_hht.py and tests/test_hht_wavelet_sklearn_edges.py cover the defaults).

Oracles and tolerances
----------------------
- DWT / wavelet packets: ``pywt.wavedec`` / ``pywt.WaveletPacket`` themselves. physiofeat hands
  the decomposition to PyWavelets, so the coefficients must be bitwise equal (dtype included);
  statistics and energies are float64 sums over them, checked to ``tol(float64, 1e3)`` relative.
- CWT, exact: a direct time-domain sum with PyWavelets' own wavelet functions
  (``ContinuousWavelet.wavefun`` evaluated on the grid ``(n - b) / a``), the convention
  ``W[a, b] = a**-0.5 * sum_n x[n] conj(psi((n - b) / a))`` physiofeat documents as pywt's.
  Valid while the wavelet spectrum is negligible at Nyquist (frequencies up to sr/8 for cmor,
  sr/16 for mexh/morl), as the module notes say: 1e-12 of the row maximum in float64,
  ``tol(float32, 10)`` in float32 (observed 5e-15 / 3e-7). ``ContinuousWavelet`` keeps its
  bounds and its cmor B, C in float32, so the scales are chosen to make the grid bound a float32
  number and B, C are float32-exact (``cmor3-0.75``, not ``cmor3-0.8``).
- CWT, approximate: ``pywt.cwt`` itself, which integrates the wavelet on a ``2**precision`` grid
  (see tests/test_wavelet.py): relative L2 error in the interior below 12 % at its default
  precision 12 (its grid distorts large scales; observed up to 10.7 %) and below 1.2 % at 18,
  for both of its methods and any ``sampling_period``.
- EMD: PyEMD ``EMD`` with the corresponding non-default options on unit-std signals (physiofeat's
  thresholds are relative to ``std(x)``): 1e-10 absolute (observed ~1e-15).
- Sifting stop rules: the ``emd`` package's own stopping functions (``stop_imf_sd`` called as
  ``emd.sift.get_next_imf`` calls it, ``stop_imf_energy``), applied to physiofeat's own sift
  iterates; the S-number rule (no library implements Huang 2003's rule; PyEMD's ``FIXE_H``
  differs) against its docstring definition with PyEMD's ``find_extrema`` counts.
- EEMD / CEEMDAN: PyEMD's ``EEMD`` / ``CEEMDAN`` fed the very noise physiofeat draws
  (``generate_noise`` replaced), PyEMD's inner EMD made relative to ``std`` for EEMD; 1e-10 of
  ``std(x)`` (observed ~1e-15).
- Hilbert analysis: ``scipy.signal.hilbert`` + ``np.unwrap`` + a 3-point Savitzky-Golay
  derivative (``scipy.signal.savgol_filter(..., 3, 1, deriv=1, mode='interp')``, the documented
  definition), and ``emd.spectra.hilberthuang`` for the spectra.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import pywt
from conftest import tol
from numpy.testing import assert_allclose, assert_array_equal

import physiofeat
from physiofeat import InvalidSignalError, ParameterError
from physiofeat import wavelet as W
from physiofeat.hht import (
    ceemdan,
    eemd,
    emd,
    hilbert_spectrum,
    imf_features,
    instantaneous,
    marginal_spectrum,
)

F64 = tol(np.float64, 1e3)  # 1e-12
DISCRETE = [
    "haar",
    "db1",
    "db2",
    "db5",
    "db10",
    "sym2",
    "sym7",
    "coif1",
    "coif4",
    "bior1.3",
    "bior2.8",
    "bior6.8",
    "rbio1.5",
    "rbio3.1",
    "rbio6.8",
    "dmey",
]
MODES = list(pywt.Modes.modes)  # all nine, antireflect included


def _sig(n, seed, dtype=np.float64, kind="noise"):
    rng = np.random.default_rng(seed)
    t = np.arange(n) / 1000.0
    if kind == "noise":
        x = rng.standard_normal(n)
    elif kind == "mixed":
        x = (
            np.sin(2 * np.pi * 60 * t)
            + 0.7 * np.sin(2 * np.pi * 9 * t + 0.3)
            + 0.8 * t
            + 0.3 * rng.standard_normal(n)
        )
    elif kind == "chirp":
        x = (
            np.sin(2 * np.pi * (5 + 40 * t) * t)
            + 0.5 * np.sin(2 * np.pi * 3 * t)
            + 0.1 * rng.standard_normal(n)
        )
    elif kind == "walk":
        x = rng.standard_normal(n).cumsum()
    else:
        raise ValueError(kind)
    return (x / x.std()).astype(dtype)


def _levels(n, wavelet):
    top = pywt.dwt_max_level(n, pywt.Wavelet(wavelet).dec_len)
    return sorted({1, max(1, top - 1), top})


# =============================================================================================
# DWT


@pytest.mark.parametrize("wavelet", DISCRETE)
@pytest.mark.parametrize("mode", MODES)
def test_wavedec_is_pywt_bitwise_over_modes_levels_lengths_dtypes(wavelet, mode):
    for n, dtype in ((257, np.float32), (1001, np.float64), (300, np.float64)):
        x = _sig(n, n, dtype)
        for level in _levels(n, wavelet):
            got = W.wavedec(x, wavelet=wavelet, level=level, mode=mode)
            ref = pywt.wavedec(x, wavelet, mode=mode, level=level)
            assert len(got) == len(ref) == level + 1
            for g, r in zip(got, ref):
                assert g.dtype == r.dtype == dtype
                assert_array_equal(g, r)
        # level=None is pywt's own default depth
        got = W.wavedec(x, wavelet=wavelet, level=None, mode=mode)
        ref = pywt.wavedec(x, wavelet, mode=mode)
        assert len(got) == len(ref)
        for g, r in zip(got, ref):
            assert_array_equal(g, r)


@pytest.mark.parametrize(
    ("wavelet", "mode"),
    [("db7", "periodization"), ("sym4", "smooth"), ("bior4.4", "antireflect"), ("dmey", "zero")],
)
def test_wavedec_batches_along_the_last_axis_as_pywt(wavelet, mode):
    x = _sig(3 * 2 * 511, 4).reshape(3, 2, 511)
    level = pywt.dwt_max_level(511, pywt.Wavelet(wavelet).dec_len)
    got = W.wavedec(x, wavelet=wavelet, level=level, mode=mode)
    ref = pywt.wavedec(x, wavelet, mode=mode, level=level, axis=-1)
    for g, r in zip(got, ref):
        assert_array_equal(g, r)
    for i, j in ((0, 0), (2, 1)):  # each row as if alone
        alone = pywt.wavedec(x[i, j], wavelet, mode=mode, level=level)
        for g, r in zip(got, alone):
            assert_array_equal(g[i, j], r)


def _assert_close_by_column(got, ref, rtol=F64):
    """Relative ``rtol``, plus ``rtol`` of each column's largest magnitude (a band mean can be
    ~0, where a relative test alone would demand more than round-off)."""
    scale = np.abs(ref).max(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    assert_allclose(got / scale, ref / scale, rtol=rtol, atol=rtol)


def _stats_oracle(coeffs):
    """DWT_STATS of pywt coefficients in float64, entropy as -sum(p log p) directly."""
    cs = [np.asarray(c, dtype=np.float64) for c in coeffs]
    energies = np.array([np.sum(c**2) for c in cs])
    total = energies.sum()
    rows = []
    for c, e in zip(cs, energies):
        p = c**2 / e
        p = p[p > 0]
        rows.append(
            [
                e,
                e / total,
                -np.sum(p * np.log(p)),
                c.mean(),
                c.std(),
                np.abs(c).mean(),
                np.abs(c).max(),
            ]
        )
    return np.array(rows)


@pytest.mark.parametrize(
    ("wavelet", "mode", "dtype"),
    [
        ("db10", "reflect", np.float32),
        ("coif4", "antisymmetric", np.float64),
        ("rbio3.1", "constant", np.float32),
        ("bior6.8", "periodic", np.float64),
        ("sym7", "smooth", np.float64),
        ("dmey", "periodization", np.float32),
        ("haar", "zero", np.float64),
    ],
)
@pytest.mark.parametrize("per_sample", [False, True])
def test_dwt_features_are_the_stats_of_pywt_coefficients(wavelet, mode, dtype, per_sample):
    n = 1023
    x = _sig(n, 8, dtype, kind="chirp")
    for level in _levels(n, wavelet):
        got = W.dwt_features(x, wavelet=wavelet, level=level, mode=mode, per_sample=per_sample)
        ref = _stats_oracle(pywt.wavedec(x, wavelet, mode=mode, level=level))
        if per_sample:
            ref[:, 0] /= n
        assert got.dtype == np.float64 and got.shape == (level + 1, len(W.DWT_STATS))
        _assert_close_by_column(got, ref)
        assert W.dwt_band_names(level) == [f"a{level}"] + [f"d{j}" for j in range(level, 0, -1)]


def test_dwt_feature_through_extract_with_non_default_parameters():
    n = 1501
    x = _sig(n, 9)
    level = pywt.dwt_max_level(n, pywt.Wavelet("coif3").dec_len)
    params = {"wavelet": "coif3", "level": level, "mode": "antireflect", "per_sample": True}
    f = physiofeat.extract(x, {"dwt": params}, sr=500)["dwt"]
    ref = _stats_oracle(pywt.wavedec(x, "coif3", mode="antireflect", level=level))
    ref[:, 0] /= n
    _assert_close_by_column(f.values, ref)
    assert f.coords["band"] == W.dwt_band_names(level)


# =============================================================================================
# wavelet packets


@pytest.mark.parametrize("wavelet", ["haar", "db3", "db10", "sym6", "coif2", "bior3.5", "dmey"])
@pytest.mark.parametrize("order", ["natural", "freq"])
def test_wpt_energies_are_pywt_packet_energies(wavelet, order):
    for n, dtype, modes in (
        (255, np.float32, MODES),
        (512, np.float64, ["periodization", "antireflect", "zero"]),
    ):
        x = _sig(2 * n, n, dtype).reshape(2, n)
        for level in sorted({1, pywt.dwt_max_level(n, pywt.Wavelet(wavelet).dec_len)}):
            for mode in modes:
                got = W.wpt_energies(x, wavelet=wavelet, level=level, mode=mode, order=order)
                wp = pywt.WaveletPacket(x, wavelet, mode=mode, maxlevel=level, axis=-1)
                nodes = wp.get_level(level, order=order)
                ref = np.stack([np.sum(nd.data.astype(np.float64) ** 2, -1) for nd in nodes], -1)
                assert got.shape == (2, 2**level)
                assert_allclose(got, ref, rtol=F64, atol=0)
                rel = W.wpt_energies(
                    x, wavelet=wavelet, level=level, mode=mode, order=order, relative=True
                )
                assert_allclose(rel, ref / ref.sum(-1, keepdims=True), rtol=F64, atol=0)
                assert W.wpt_band_names(level, order=order) == [nd.path for nd in nodes]
    # level=None is the depth pywt.WaveletPacket picks by itself
    x = _sig(700, 1)
    wp = pywt.WaveletPacket(x, wavelet, mode="symmetric")
    assert W.wpt_energies(x, wavelet=wavelet, level=None, order=order).size == 2**wp.maxlevel


@pytest.mark.parametrize("level", [1, 2, 3, 5])
def test_wpt_band_edges_follow_pywt_frequency_order(level):
    sr = 3000.0
    width = sr / 2 / 2**level
    freq_paths = [
        nd.path for nd in pywt.WaveletPacket(np.zeros(2**level), "haar").get_level(level, "freq")
    ]
    for order in ("natural", "freq"):
        paths = W.wpt_band_names(level, order=order)
        k = np.array([freq_paths.index(p) for p in paths], dtype=float)
        edges = W.wpt_band_edges(level, sr=sr, order=order)
        assert_allclose(edges, np.stack([k * width, (k + 1) * width], -1), rtol=F64, atol=0)


def test_wpt_feature_through_extract_with_non_default_parameters():
    x = _sig(1024, 10)
    params = {
        "wavelet": "sym5",
        "level": 5,
        "mode": "antisymmetric",
        "order": "natural",
        "relative": True,
    }
    f = physiofeat.extract(x, {"wpt": params}, sr=2000)["wpt"]
    nodes = pywt.WaveletPacket(x, "sym5", mode="antisymmetric", maxlevel=5).get_level(
        5, order="natural"
    )
    e = np.array([np.sum(nd.data**2) for nd in nodes])
    assert_allclose(f.values, e / e.sum(), rtol=F64, atol=0)
    assert f.coords["band"] == [nd.path for nd in nodes]
    assert_allclose(f.attrs["band_edges_hz"], W.wpt_band_edges(5, sr=2000, order="natural"))


# =============================================================================================
# discrete inputs PyWavelets accepts and physiofeat refuses (typed errors, no silent change)


def test_discrete_inputs_pywt_accepts_are_refused_with_typed_errors():
    x = _sig(100, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert len(pywt.wavedec(x, "db4", level=6)) == 7  # pywt: boundary-effect warning only
        assert len(pywt.wavedec(x, "db4", level=0)) == 1
        pywt.wavedec(x, "db4", level=2, mode="per")  # deprecated alias of periodization
    with pytest.raises(ParameterError, match=r"maximum level is pywt.dwt_max_level\(100, 8\)"):
        W.wavedec(x, wavelet="db4", level=6)
    with pytest.raises(ParameterError, match="level must be >= 1; got 0"):
        W.wavedec(x, wavelet="db4", level=0)
    for mode in ("per", "sym", "zpd", pywt.Modes.symmetric):
        with pytest.raises(ParameterError, match="mode must be one of 'zero', 'constant'"):
            W.wavedec(x, wavelet="db4", level=2, mode=mode)
    with pytest.raises(InvalidSignalError, match="real-valued"):
        W.wavedec(x + 1j * x, wavelet="db4", level=2)
    with pytest.raises(InvalidSignalError, match="got 4-D array"):
        W.wpt_energies(np.zeros((2, 2, 2, 64)), wavelet="db2", level=2)
    with pytest.raises(ParameterError, match="too deep"):
        W.wpt_energies(x, wavelet="db4", level=5)
    # a pywt.Wavelet object (even a custom filter bank) is taken as is
    custom = pywt.Wavelet("custom", filter_bank=pywt.Wavelet("db2").filter_bank)
    for g, r in zip(W.wavedec(x, wavelet=custom, level=2), pywt.wavedec(x, custom, level=2)):
        assert_array_equal(g, r)


# =============================================================================================
# CWT


def _grid_scales(scales, n):
    """Scales whose grid bound (n - 1) / a is a float32 number: ``ContinuousWavelet`` stores
    its bounds in single precision, and the direct sum needs psi at exactly k / a."""
    bounds = np.float32((n - 1) / np.asarray(scales, dtype=np.float64))
    return (n - 1) / bounds.astype(np.float64)


def _pywt_psi_grid(name, a, n):
    """PyWavelets' psi at t = k / a for k = -(n-1) .. n-1 (its own wavefun on that grid)."""
    cw = pywt.ContinuousWavelet(name)
    cw.upper_bound = (n - 1) / a
    cw.lower_bound = -cw.upper_bound
    assert abs(cw.upper_bound * a / (n - 1) - 1) < 1e-15  # a from _grid_scales: exact bound
    psi, _ = cw.wavefun(length=2 * n - 1)
    return psi


def _direct_cwt(x, scales, name):
    """W[a, b] = a**-0.5 sum_n x[n] conj(psi((n - b) / a)), psi from PyWavelets."""
    x = np.asarray(x, dtype=np.float64)
    n = x.size
    k = np.arange(n)[None, :] - np.arange(n)[:, None] + (n - 1)  # [b, n] -> index of n - b
    return np.array([a**-0.5 * (np.conj(_pywt_psi_grid(name, a, n))[k] @ x) for a in scales])


CWT_WAVELETS = [
    ("cmor1.5-1.0", 1 / 8),
    ("cmor2.5-0.5", 1 / 8),
    ("cmor1-1.5", 1 / 8),
    ("cmor0.5-2.0", 1 / 10),
    ("cmor4-3", 1 / 8),
    ("cmor3-0.75", 1 / 8),  # B, C exact in float32, as pywt stores them
    ("mexh", 1 / 16),
    ("morl", 1 / 16),
]


@pytest.mark.parametrize(("wavelet", "fmax_frac"), CWT_WAVELETS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_cwt_is_the_direct_sum_with_pywt_wavelet_functions(wavelet, fmax_frac, dtype):
    sr = 360.0
    n = 301
    x = _sig(n, 12, dtype, kind="chirp")
    fc = W.wavelet_center_frequency(wavelet)
    scales = _grid_scales(fc * sr / np.geomspace(sr / 90, sr * fmax_frac, 5), n)
    freqs = fc * sr / scales
    assert_allclose(W.frequencies_to_scales(freqs, sr=sr, wavelet=wavelet), scales, rtol=F64)
    ref = _direct_cwt(x, scales, wavelet)
    limit = 1e-12 if dtype == np.float64 else tol(np.float32, 10)
    for norm, gain in (("l2", 1.0), ("l1", scales[:, None] ** -0.5)):
        got = W.cwt(x, sr=sr, freqs=freqs, wavelet=wavelet, norm=norm)
        complex_out = wavelet.startswith("cmor")
        assert got.dtype == (
            np.result_type(dtype, np.complex64) if complex_out else np.dtype(dtype)
        )
        r = ref * gain if complex_out else (ref * gain).real
        err = np.abs(got - r).max(axis=-1) / np.abs(r).max(axis=-1)
        assert err.max() < limit, (norm, err)
    # the scalogram is |W| ** power of the same coefficients
    S = W.scalogram(x, sr=sr, freqs=freqs, wavelet=wavelet, power=2.0)
    assert S.dtype == np.dtype(dtype)
    power = np.abs(ref) ** 2
    peak = power.max(-1, keepdims=True)
    assert_allclose(S / peak, power / peak, rtol=0, atol=3 * limit)


def test_cwt_batch_is_each_row_and_pywt_axis_order_transposes():
    sr = 1000.0
    x = _sig(2 * 3 * 400, 13).reshape(2, 3, 400)
    freqs = np.array([30.0, 70.0, 120.0])
    got = W.cwt(x, sr=sr, freqs=freqs, wavelet="cmor2-1.0")
    assert got.shape == (2, 3, 3, 400)
    for i, j in ((0, 0), (1, 2)):
        alone = W.cwt(x[i, j], sr=sr, freqs=freqs, wavelet="cmor2-1.0")
        assert_allclose(got[i, j], alone, rtol=0, atol=1e-13 * np.abs(alone).max())
    scales = W.frequencies_to_scales(freqs, sr=sr, wavelet="cmor2-1.0")
    ref, _ = pywt.cwt(x, scales, "cmor2-1.0", method="fft", axis=-1)  # (scales, 2, 3, n)
    assert np.moveaxis(ref, 0, -2).shape == got.shape


def _pywt_scales(fc, lo, hi, k):
    # scales (2m+1)/16 samples, for which pywt.cwt's output trim is centred (tests/test_wavelet)
    return (2 * np.round(np.geomspace(lo * fc, hi * fc, k) * 8) + 1) / 16


@pytest.mark.parametrize("wavelet", ["cmor1.5-1.0", "cmor1-1.5", "cmor4-3", "mexh", "morl"])
@pytest.mark.parametrize("method", ["conv", "fft"])
@pytest.mark.parametrize("sampling_period", [1 / 360, 1 / 2000])
def test_cwt_against_pywt_cwt_with_its_own_frequencies(wavelet, method, sampling_period):
    """A user takes pywt.cwt's frequencies (``sampling_period`` given) to physiofeat: for cmor
    the same scales exactly; for mexh/morl the documented centre frequencies differ (pywt's
    0.25 / 0.8125 from a sampled FFT against the analytic sqrt(2)/(2 pi) and 5/(2 pi)). pywt's
    coefficients approach physiofeat's as its ``precision`` grows: at its default (12) its
    integrated-wavelet grid distorts large scales by up to ~11 %, at 18 below 1.2 %."""
    sr = 1.0 / sampling_period
    n = 1200
    x = _sig(n, 14, kind="walk") + 0.3 * _sig(n, 15)
    fc = W.wavelet_center_frequency(wavelet)
    beta = float(wavelet[4:].split("-")[0]) if wavelet.startswith("cmor") else 2.0
    hi = min(80.0, n / (10 * np.sqrt(beta)) / fc)  # keep an interior 4 e-folding times in
    scales = _pywt_scales(fc, 16, hi, 4)
    errors = {}
    for precision, limit in ((12, 0.12), (18, 0.012)):
        ref, pywt_freqs = pywt.cwt(
            x, scales, wavelet, sampling_period=sampling_period, method=method, precision=precision
        )
        ratio = pywt.central_frequency(wavelet, precision=precision) / fc
        assert_allclose(pywt_freqs, ratio * fc * sr / scales, rtol=F64)
        freqs = pywt_freqs / ratio  # the frequencies whose physiofeat scales are pywt's
        assert_allclose(W.frequencies_to_scales(freqs, sr=sr, wavelet=wavelet), scales, rtol=F64)
        got = W.cwt(x, sr=sr, freqs=freqs, wavelet=wavelet)
        for i, a in enumerate(scales):
            e = int(np.ceil(4 * np.sqrt(beta) * a))  # 4 e-folding times from either end
            g, r = got[i, e : n - e], ref[i, e : n - e]
            rel = np.linalg.norm(g - r) / np.linalg.norm(r)
            assert rel < limit, (precision, a, rel)
            errors[precision, i] = rel
    assert all(errors[18, i] <= errors[12, i] + 1e-3 for i in range(scales.size))
    if wavelet.startswith("cmor"):
        assert ratio == 1.0
    # float32: both keep single precision
    r32, _ = pywt.cwt(x.astype(np.float32), scales[:1], wavelet, method=method)
    g32 = W.cwt(x.astype(np.float32), sr=sr, freqs=freqs[:1], wavelet=wavelet)
    assert r32.dtype == g32.dtype


def test_center_frequencies_and_the_bare_cmor_name():
    for B, C in ((1.5, 1.0), (2.5, 0.5), (0.5, 2.0), (4.0, 3.0)):
        name = f"cmor{B}-{C}"
        assert W.wavelet_center_frequency(name) == C == pywt.central_frequency(name)
    # documented: pywt estimates fc from a sampled FFT, physiofeat takes the analytic peak
    assert pywt.central_frequency("mexh") == 0.25
    assert pywt.central_frequency("morl") == 0.8125
    assert_allclose(W.wavelet_center_frequency("mexh"), np.sqrt(2) / (2 * np.pi), rtol=F64)
    assert_allclose(W.wavelet_center_frequency("morl"), 5 / (2 * np.pi), rtol=F64)
    for name in ("mexh", "morl"):  # scale = fc * sr / f on both sides, each with its fc
        ours = W.frequencies_to_scales([40.0], sr=1000, wavelet=name)
        theirs = pywt.frequency2scale(name, 40.0 / 1000)
        ratio = pywt.central_frequency(name) / W.wavelet_center_frequency(name)
        assert_allclose(ours * ratio, theirs, rtol=F64)
    # documented: 'cmor' alone is cmor1.5-1.0 (pywt's bare 'cmor' is B=1.0, C=0.5, deprecated)
    x = _sig(500, 16)
    assert_array_equal(
        W.cwt(x, sr=1000, freqs=[50.0], wavelet="cmor"),
        W.cwt(x, sr=1000, freqs=[50.0], wavelet="cmor1.5-1.0"),
    )
    assert_array_equal(
        W.cwt(x, sr=1000, freqs=[50.0], wavelet="ricker"),
        W.cwt(x, sr=1000, freqs=[50.0], wavelet="mexh"),
    )


@pytest.mark.parametrize(
    "wavelet", ["gaus1", "gaus8", "cgau3", "shan1.5-1.0", "fbsp1-1.5-1.0", "cmor.5-1", "db4"]
)
def test_continuous_wavelets_pywt_accepts_are_refused_by_name(wavelet):
    x = _sig(200, 17)
    if wavelet != "db4":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pywt.cwt(x, [4.0], wavelet)  # the oracle takes it
    with pytest.raises(ParameterError, match=r"unknown continuous wavelet .*accepted: cmorB-C"):
        W.cwt(x, sr=1000, freqs=[50.0], wavelet=wavelet)


def test_cwt_feature_with_hop_and_power_is_the_pywt_direct_scalogram():
    sr = 500.0
    x = _sig(240, 18, kind="chirp")
    scales = _grid_scales(0.5 * sr / np.array([20.0, 35.0, 50.0]), x.size)
    freqs = list(0.5 * sr / scales)
    f = physiofeat.extract(
        x, {"cwt": {"freqs": freqs, "wavelet": "cmor2.5-0.5", "power": 2.0, "hop_length": 7}}, sr=sr
    )["cwt"]
    ref = np.abs(_direct_cwt(x, scales, "cmor2.5-0.5")[:, ::7]) ** 2
    assert_allclose(f.values, ref, rtol=0, atol=1e-12 * ref.max())
    assert_allclose(f.attrs["scales"], scales, rtol=F64)


# =============================================================================================
# EMD against PyEMD


def _pyemd(x, max_imf=None, **kw):
    from PyEMD import EMD

    ref = EMD(**kw)
    ref.emd(np.array(x, dtype=np.float64), max_imf=-1 if max_imf is None else max_imf)
    return ref.get_imfs_and_residue()


EMD_GRID = [
    ({"nbsym": 1}, {"nbsym": 1}),
    ({"nbsym": 3}, {"nbsym": 3}),
    ({"nbsym": 6}, {"nbsym": 6}),
    ({"nbsym": 16}, {"nbsym": 16}),
    ({"stop_thresh": 0.05}, {"std_thr": 0.05, "energy_ratio_thr": 0.05}),
    ({"stop_thresh": 0.5}, {"std_thr": 0.5, "energy_ratio_thr": 0.5}),
    ({"svar_thresh": 0.02}, {"svar_thr": 0.02}),
    ({"svar_thresh": 1e-5}, {"svar_thr": 1e-5}),
    ({"range_thresh": 0.3}, {"range_thr": 0.3}),
    ({"power_thresh": 60.0}, {"total_power_thr": 60.0}),
    ({"max_sifts": 1}, {"MAX_ITERATION": 2}),
    ({"max_sifts": 6}, {"MAX_ITERATION": 7}),
    ({"stop": "fixed", "stop_thresh": 1}, {"FIXE": 1}),
    ({"stop": "fixed", "stop_thresh": 2}, {"FIXE": 2}),
    ({"stop": "fixed", "stop_thresh": 25}, {"FIXE": 25}),
]


@pytest.mark.parametrize(("ours", "theirs"), EMD_GRID, ids=[str(g[0]) for g in EMD_GRID])
@pytest.mark.parametrize(
    ("kind", "n"), [("mixed", 999), ("chirp", 1500), ("walk", 1201), ("noise", 800)]
)
def test_emd_matches_pyemd_with_non_default_options(ours, theirs, kind, n):
    x = _sig(n, n + 1, kind=kind)
    for max_imfs in (None, 3):
        got = emd(x, max_imfs=max_imfs, **ours)
        ref_imfs, ref_res = _pyemd(x, max_imfs, **theirs)
        assert got.imfs.shape == ref_imfs.shape, (max_imfs, got.n_sifts)
        assert_allclose(got.imfs, ref_imfs, rtol=0, atol=1e-10)
        assert_allclose(got.residue, ref_res, rtol=0, atol=1e-10)
        if ours.get("stop") == "fixed":
            assert np.all(got.n_sifts == ours["stop_thresh"])


@pytest.mark.parametrize("scale", [37.5, 0.02])
def test_emd_of_a_scaled_signal_matches_pyemd_with_scaled_thresholds(scale):
    """physiofeat's svar/range/power thresholds are relative to std(x), PyEMD's absolute: on
    ``scale * x`` the two agree once PyEMD's are multiplied by ``scale``."""
    x = scale * _sig(1100, 21, kind="mixed") + 4.0 * scale
    s = float(np.std(x))
    got = emd(x, svar_thresh=0.004, range_thresh=0.002, power_thresh=0.01)
    ref_imfs, _ = _pyemd(x, svar_thr=0.004 * s, range_thr=0.002 * s, total_power_thr=0.01 * s)
    assert got.imfs.shape == ref_imfs.shape
    assert_allclose(got.imfs, ref_imfs, rtol=0, atol=1e-10 * s)


def test_emd_of_float32_input_is_the_float64_decomposition():
    x = _sig(900, 22, np.float32, kind="chirp")
    got = emd(x, nbsym=3)
    ref_imfs, _ = _pyemd(x.astype(np.float64), nbsym=3)
    assert got.imfs.dtype == np.float64
    assert_allclose(got.imfs, ref_imfs, rtol=0, atol=1e-10)


def test_emd_batch_rows_match_pyemd_with_non_default_options():
    x = np.stack([_sig(1000, 23, kind="chirp"), _sig(1000, 24, kind="walk"), np.full(1000, 3.0)])
    got = emd(x, nbsym=4, stop_thresh=0.1, max_imfs=4, n_jobs=2)
    assert got.n_imfs[2] == 0 and not got.imfs[2].any()
    for i in range(2):
        ref_imfs, ref_res = _pyemd(x[i], 4, nbsym=4, std_thr=0.1, energy_ratio_thr=0.1)
        k = ref_imfs.shape[0]
        assert got.n_imfs[i] == k
        assert_allclose(got.imfs[i, :k], ref_imfs, rtol=0, atol=1e-10)
        assert not got.imfs[i, k:].any()
        assert_allclose(got.residue[i], ref_res, rtol=0, atol=1e-10)


SHORT_SIGNALS = [
    (
        [-0.5434456134247213, 0.663339164582268, 0.3970218771773825, 1.4688070664220478],
        [1.3338456829452745, 2.6525719280170175, 2.056530522205268, 2.550694473954047],
        [1.565547857375647, 2.947719780862095, 1.7130388274485393],
        2,
    ),
    (
        [-1.0141103262551785, 1.6500455378443444, 1.8814935576753966, 0.05954772596015286],
        [0.21681401592170793, 0.0456373018138666],
        [],
        1,
    ),
]


@pytest.mark.parametrize(("a", "b", "c", "k"), SHORT_SIGNALS)
def test_max_imfs_is_a_prefix_of_the_full_decomposition(a, b, c, k):
    """Short signals whose k-th IMF has only 2 extrema after sifting: physiofeat's
    ``max_imfs=k`` keeps it (the first k IMFs of the full decomposition, which equals PyEMD's).
    PyEMD's ``max_imf=k`` drops that IMF into the residue (its ``extNo <= 2`` trend test reads
    the last sift's count), so there PyEMD is compared through its full decomposition."""
    x = np.array(a + b + c)
    full = emd(x)
    ref_imfs, _ = _pyemd(x)
    assert full.imfs.shape == ref_imfs.shape and full.n_imfs >= k
    assert_allclose(full.imfs, ref_imfs, rtol=0, atol=1e-10)
    capped = emd(x, max_imfs=k)
    assert capped.n_imfs == k
    assert_array_equal(capped.imfs, full.imfs[:k])


# =============================================================================================
# stop rules against the emd package's stopping functions


def _iterates(x, k_max):
    """physiofeat's first-IMF sift iterates h_0 = x, h_1, ..., h_kmax (stop='fixed')."""
    return [x] + [
        emd(x, max_imfs=1, stop="fixed", stop_thresh=k).imfs[0] for k in range(1, k_max + 1)
    ]


@pytest.mark.parametrize(("n", "seed"), [(1200, 5), (901, 3), (640, 9)])
def test_sd_and_energy_rules_stop_where_the_emd_package_rules_do(n, seed):
    import emd as emd_pkg

    x = _sig(n, seed, kind="mixed")
    seq = _iterates(x, 12)
    for thr in (0.01, 0.05, 0.3):
        # emd.sift.get_next_imf calls stop_imf_sd(proto_imf, next_proto_imf, sd=...)
        want = next(
            k for k in range(1, 13) if emd_pkg.sift.stop_imf_sd(seq[k - 1], seq[k], sd=thr)[0]
        )
        got = emd(x, max_imfs=1, stop="sd", stop_thresh=thr)
        assert got.n_sifts[0] == want, ("sd", thr)
        assert_array_equal(got.imfs[0], seq[want])
    for thr in (20.0, 40.0, 70.0):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # emd's np.log10(where=) warning
            want = next(
                k
                for k in range(1, 13)
                if emd_pkg.sift.stop_imf_energy(seq[0], seq[k - 1] - seq[k], thresh=thr)[0]
            )
        got = emd(x, max_imfs=1, stop="energy", stop_thresh=thr)
        assert got.n_sifts[0] == want, ("energy", thr)
        assert_array_equal(got.imfs[0], seq[want])


@pytest.mark.parametrize(("n", "seed"), [(1200, 5), (640, 9)])
def test_s_number_rule_is_its_documented_definition(n, seed):
    from PyEMD import EMD

    finder = EMD()
    t = np.arange(n, dtype=np.float64)

    def counts(h):
        mx, _, mn, _, zc = finder.find_extrema(t, h)
        return len(mx) + len(mn), len(zc)

    x = _sig(n, seed, kind="mixed")
    seq = _iterates(x, 30)
    for s_number in (1, 2, 4, 6):
        run, prev, want = 0, counts(seq[0]), None
        for k in range(1, 31):
            e, z = counts(seq[k])
            run = run + 1 if abs(e - z) <= 1 and (e, z) == prev else 0
            prev = (e, z)
            if run >= s_number:
                want = k
                break
        assert want is not None
        got = emd(x, max_imfs=1, stop="s_number", stop_thresh=s_number)
        assert got.n_sifts[0] == want, s_number
        assert_array_equal(got.imfs[0], seq[want])


# =============================================================================================
# EEMD and CEEMDAN against PyEMD with the same noise


def _trial_noise(seed, trials, n):
    """The white noise physiofeat's ensemble trial i draws: SeedSequence(seed).spawn()[i]."""
    seeds = np.random.SeedSequence(seed).spawn(trials)
    return [np.random.default_rng(s).standard_normal(n) for s in seeds]


@pytest.mark.parametrize(
    ("n", "trials", "noise_width", "max_imfs"),
    [(600, 4, 0.05, None), (501, 3, 0.2, None), (700, 5, 0.01, 2), (455, 3, 0.1, 3)],
)
def test_eemd_trials_are_pyemds_with_the_same_noise(n, trials, noise_width, max_imfs):
    """PyEMD's EEMD fed physiofeat's noise, its inner EMD relative to std (as physiofeat's):
    the noise scale is the same (``noise_width * ptp(x)``), each trial's IMFs are PyEMD's, and
    physiofeat's IMF k is their sum over trials / trials (documented: a trial with fewer IMFs
    adds zero; PyEMD averages over the trials having a row k, its residue rows included)."""
    from PyEMD import EEMD, EMD

    class RelativeEMD(EMD):
        runs: list

        def emd(self, S, T=None, max_imf=-1):
            s = float(np.std(S))
            self.svar_thr, self.range_thr, self.total_power_thr = 1e-3 * s, 1e-3 * s, 5e-3 * s
            out = super().emd(S, T, max_imf=max_imf)
            self.runs.append(self.get_imfs_and_residue()[0].copy())
            return out

    x = 3.0 * _sig(n, n, kind="mixed") + 2.0
    got = eemd(x, trials=trials, noise_width=noise_width, seed=7, n_jobs=1, max_imfs=max_imfs)
    noise = iter(_trial_noise(7, trials, n))
    scales = []
    inner = RelativeEMD()
    inner.runs = []
    ref = EEMD(trials=trials, noise_width=noise_width, ext_EMD=inner, parallel=False)

    def generate(scale, size):
        scales.append(scale)
        return scale * next(noise)

    ref.generate_noise = generate
    E = ref.eemd(x.copy(), max_imf=-1 if max_imfs is None else max_imfs)
    assert_allclose(scales, noise_width * np.ptp(x), rtol=F64)
    k = max(r.shape[0] for r in inner.runs)
    want = np.zeros((k, n))
    for r in inner.runs:
        want[: r.shape[0]] += r
    want /= trials
    assert got.imfs.shape == want.shape
    assert_allclose(got.imfs, want, rtol=0, atol=1e-10 * x.std())
    common = min(r.shape[0] for r in inner.runs)  # rows every trial has: PyEMD's mean too
    assert_allclose(got.imfs[:common], E[:common], rtol=0, atol=1e-10 * x.std())


def _pyemd_ceemdan(x, trials, epsilon, max_imfs, noise, prefix_first_imf=False):
    """PyEMD's CEEMDAN fed ``noise``. ``prefix_first_imf``: with the one rule in which
    physiofeat documents a difference: the EMD of at most k IMFs is the first k IMFs of the full
    EMD (PyEMD's ``max_imf=k`` drops a last IMF left with <= 2 extrema)."""
    from PyEMD import CEEMDAN, EMD

    ref = CEEMDAN(trials=trials, epsilon=epsilon, parallel=False)
    ref.generate_noise = lambda scale, size: np.array(noise)
    if prefix_first_imf:
        decompose_noise = ref.emd  # the noises' own full EMDs are PyEMD's, unchanged

        def prefix_emd(S, T=None, max_imf=-1):
            if max_imf <= 0:
                return decompose_noise(S, T, max_imf)
            full = EMD()
            full.emd(S, T)
            imfs, _ = full.get_imfs_and_residue()
            imfs = imfs[:max_imf]
            res = S - imfs.sum(axis=0)
            return imfs if np.allclose(res, 0) else np.vstack((imfs, res))

        ref.emd = prefix_emd
    ref.ceemdan(x.copy(), max_imf=-1 if max_imfs is None else max_imfs)
    comps, _ = ref.get_imfs_and_residue()
    return comps[:-1], comps[-1]  # PyEMD's C_IMF ends with the residue


CEEMDAN_CASES = [
    ("mixed", 600, 4, 0.005, None),
    ("mixed", 500, 5, 0.2, None),
    ("mixed", 701, 3, 0.05, 3),
    ("walk", 365, 5, 0.2, None),
    ("noise", 502, 5, 1.0, None),
    ("noise", 179, 4, 1.0, None),
]
#: the case where PyEMD's max_imf=1 drops a residue's last IMF (the documented difference)
END_TEST_DIFFERS = ("walk", 365, 5, 0.2, None)


@pytest.mark.parametrize(
    ("kind", "n", "trials", "epsilon", "max_imfs"),
    [c for c in CEEMDAN_CASES if c != END_TEST_DIFFERS],
)
def test_ceemdan_matches_pyemd_with_the_same_noise(kind, n, trials, epsilon, max_imfs):
    """physiofeat documents "the algorithm of PyEMD's CEEMDAN": fed the same white noise, the
    decompositions agree (float64 round-off on the unit-std scale). The two noise cases had
    differed from the stage equal to a noise's IMF count on (physiofeat added nothing there,
    PyEMD beta times the noise's residue: up to 11.6 % of an IMF's peak)."""
    x = 2.0 * _sig(n, 31 + n, kind=kind) - 1.0
    got = ceemdan(x, trials=trials, epsilon=epsilon, seed=11, n_jobs=1, max_imfs=max_imfs)
    ref_imfs, ref_res = _pyemd_ceemdan(x, trials, epsilon, max_imfs, _trial_noise(11, trials, n))
    k = min(got.n_imfs, ref_imfs.shape[0])  # the common IMFs first: the message shows how far
    assert_allclose(got.imfs[:k], ref_imfs[:k], rtol=0, atol=1e-10 * x.std())
    assert got.imfs.shape == ref_imfs.shape
    assert_allclose(got.residue, ref_res, rtol=0, atol=1e-10 * x.std())


@pytest.mark.parametrize(("kind", "n", "trials", "epsilon", "max_imfs"), CEEMDAN_CASES)
def test_ceemdan_differs_from_pyemd_only_by_the_documented_first_imf_rule(
    kind, n, trials, epsilon, max_imfs
):
    """PyEMD's end test and local means run ``EMD.emd(r, max_imf=1)``, which returns no IMF
    when the one IMF is left with <= 2 extrema after sifting (its full EMD keeps it);
    physiofeat takes the first IMF of the full EMD (documented). With that one rule changed in
    PyEMD, every case agrees to round-off; unchanged, the walk case does not (7 IMFs vs 5)."""
    x = 2.0 * _sig(n, 31 + n, kind=kind) - 1.0
    got = ceemdan(x, trials=trials, epsilon=epsilon, seed=11, n_jobs=1, max_imfs=max_imfs)
    noise = _trial_noise(11, trials, n)
    ref_imfs, _ = _pyemd_ceemdan(x, trials, epsilon, max_imfs, noise, prefix_first_imf=True)
    assert got.imfs.shape == ref_imfs.shape
    assert_allclose(got.imfs, ref_imfs, rtol=0, atol=1e-10 * x.std())
    if (kind, n, trials, epsilon, max_imfs) == END_TEST_DIFFERS:
        plain, _ = _pyemd_ceemdan(x, trials, epsilon, max_imfs, noise)
        assert plain.shape[0] < got.n_imfs


# =============================================================================================
# Hilbert analysis


def _scipy_instantaneous(x, sr):
    from scipy.signal import hilbert, savgol_filter

    z = hilbert(np.asarray(x, dtype=np.float64), axis=-1)
    phase = np.angle(z)
    freq = savgol_filter(np.unwrap(phase, axis=-1), 3, 1, deriv=1, axis=-1, mode="interp")
    return np.abs(z), phase, freq * sr / (2 * np.pi)


@pytest.mark.parametrize(
    ("shape", "sr", "dtype"),
    [
        ((3, 1001), 1000.0, np.float64),
        ((2, 3, 512), 4000.0, np.float64),
        ((4, 777), 250.0, np.float32),
        ((5,), 360.0, np.float64),
        ((1, 3), 10.0, np.float64),
        ((2, 4), 50.0, np.float64),
    ],
)
def test_instantaneous_matches_scipy_hilbert_unwrap_savgol(shape, sr, dtype):
    rng = np.random.default_rng(40)
    x = rng.standard_normal(shape).astype(dtype)
    if len(shape) > 1 and shape[-1] > 100:  # an FM tone next to the noise rows
        t = np.arange(shape[-1]) / sr
        x[..., 0, :] = np.cos(2 * np.pi * 0.1 * sr * t + 3 * np.sin(2 * np.pi * 2 * t))
    ins = instantaneous(x, sr=sr)
    amp, phase, freq = _scipy_instantaneous(x, sr)
    n = shape[-1]
    for got in ins:
        assert got.shape == shape and got.dtype == np.float64
    assert_allclose(ins.amplitude, amp, rtol=0, atol=tol(np.float64, 100) * amp.max())
    assert_allclose(ins.phase, phase, rtol=0, atol=tol(np.float64, 100))
    # the unwrapped phase grows to ~pi n: its round-off, times sr / (2 pi)
    assert_allclose(ins.frequency, freq, rtol=0, atol=tol(np.float64, 10) * n * sr)


def test_imf_features_match_a_scipy_oracle_with_residue_and_padding():
    sr = 800.0
    rng = np.random.default_rng(41)
    imfs = rng.standard_normal((2, 3, 600))
    imfs[1, 2] = 0.0  # a zero-padded batch slot
    residue = rng.standard_normal((2, 600)) * 0.3
    for res in (None, residue):
        got = imf_features(imfs, sr=sr, residue=res)
        amp, _, freq = _scipy_instantaneous(imfs, sr)
        energy = np.sum(imfs**2, -1)
        total = energy.sum(-1, keepdims=True)
        if res is not None:
            total = total + np.sum(res**2, -1)[:, None]
        want = {
            "energy_share": energy / total,
            "freq_mean": freq.mean(-1),
            "freq_std": freq.std(-1),
            "amp_mean": amp.mean(-1),
            "amp_std": amp.std(-1),
        }
        want["freq_mean"][1, 2] = want["freq_std"][1, 2] = np.nan
        for key, w in want.items():
            assert_allclose(got[key], w, rtol=1e-10, atol=1e-10, equal_nan=True, err_msg=key)


@pytest.mark.parametrize("mode", ["amplitude", "energy"])
def test_spectra_match_emd_hilberthuang_with_log_and_offset_bins(mode):
    import emd as emd_pkg

    sr = 1000.0
    x = np.stack([_sig(900, 42, kind="mixed"), _sig(900, 43, kind="chirp")])
    r = emd(x, max_imfs=4)
    ins = instantaneous(r.imfs, sr=sr)
    power = "power" if mode == "energy" else "amplitude"
    log_edges, _ = emd_pkg.spectra.define_hist_bins(2.0, 300.0, 24, "log")
    for edges, kw in (
        (log_edges, {"edges": log_edges}),
        (np.linspace(7.5, 180.0, 31), {"n_bins": 30, "fmin": 7.5, "fmax": 180.0}),
    ):
        f, H = hilbert_spectrum(r.imfs, sr=sr, mode=mode, **kw)
        fm, h = marginal_spectrum(r.imfs, sr=sr, mode=mode, scaling="spectrum", **kw)
        assert H.shape == (2, edges.size - 1, 900)
        assert_array_equal(fm, f)
        for i in range(2):
            k = int(r.n_imfs[i])
            f_ref, H_ref = emd_pkg.spectra.hilberthuang(
                ins.frequency[i, :k].T, ins.amplitude[i, :k].T, edges, mode=power, sum_time=False
            )
            assert_allclose(f, f_ref, rtol=F64)
            assert_allclose(H[i], H_ref, rtol=tol(np.float64, 100), atol=0)
            _, h_ref = emd_pkg.spectra.hilberthuang(
                ins.frequency[i, :k].T,
                ins.amplitude[i, :k].T,
                edges,
                mode=power,
                sample_rate=sr,
                scaling="spectrum",
            )
            assert_allclose(h[i], h_ref, rtol=tol(np.float64, 100), atol=0)
