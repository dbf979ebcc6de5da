"""Bad-input guards (audit 17, h1): read-only arrays through PyWavelets, the wavelet-packet level
cap, hos.scalar_features' validation, and the spectral unit helpers' typed errors."""

from __future__ import annotations

import time

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import physiofeat
from physiofeat import InvalidSignalError, ParameterError, hos
from physiofeat import spectral as S
from physiofeat import wavelet as W

pywt = pytest.importorskip("pywt")


# --------------------------------------------------------------------------------------------
# 1. read-only input to the PyWavelets-based functions


def _read_only(x: np.ndarray) -> np.ndarray:
    ro = x.copy()
    ro.setflags(write=False)
    return ro


def _signals(rng):
    # (a read-only 2-D batch already worked: PyWavelets copies it to move the axis)
    x1 = rng.standard_normal(700)
    return {"1d_f64": x1, "1d_f32": x1.astype(np.float32), "1d_odd": rng.standard_normal(513)}


_DWT_CALLS = {
    "wavedec": lambda x: W.wavedec(x, wavelet="db4", level=3),
    "wavedec_max_level": lambda x: W.wavedec(x, wavelet="sym5", level=None, mode="periodization"),
    "dwt_features": lambda x: W.dwt_features(x, wavelet="db4", level=4),
    "dwt_features_per_sample": lambda x: W.dwt_features(x, level=3, per_sample=True),
    "wpt_energies": lambda x: W.wpt_energies(x, wavelet="db4", level=3),
    "wpt_energies_natural_rel": lambda x: W.wpt_energies(
        x, wavelet="haar", level=None, order="natural", relative=True
    ),
}


@pytest.mark.parametrize("call", list(_DWT_CALLS))
@pytest.mark.parametrize("kind", ["1d_f64", "1d_f32", "1d_odd"])
def test_read_only_input_gives_the_writable_result(rng, call, kind):
    x = _signals(rng)[kind]
    f = _DWT_CALLS[call]
    ro = _read_only(x)
    got, ref = f(ro), f(x)
    if isinstance(ref, list):
        assert len(got) == len(ref)
        for g, r in zip(got, ref):
            assert_array_equal(g, r)
    else:
        assert_array_equal(got, ref)
    assert not ro.flags.writeable  # the caller's array is not touched


def test_memory_mapped_input_and_registry_features(tmp_path, rng):
    x = rng.standard_normal(2000)
    fn = tmp_path / "x.npy"
    np.save(fn, x)
    ro = np.load(fn, mmap_mode="r")
    assert not ro.flags.writeable
    assert_array_equal(W.dwt_features(ro), W.dwt_features(x))
    assert_array_equal(W.wpt_energies(ro), W.wpt_energies(x))
    got = physiofeat.extract(ro, ["dwt", "wpt"], sr=1000).vector()
    ref = physiofeat.extract(x, ["dwt", "wpt"], sr=1000).vector()
    assert got[0] == ref[0]
    assert_array_equal(got[1], ref[1])


# --------------------------------------------------------------------------------------------
# 2. the wavelet-packet level cap


@pytest.mark.parametrize(
    "call",
    [
        lambda: W.wpt_band_names(40),
        lambda: W.wpt_band_names(21, order="natural"),
        lambda: W.wpt_band_edges(40, sr=1000),
        lambda: W.wpt_band_edges(70, sr=1000, order="natural"),
    ],
)
def test_too_deep_packet_level_is_refused_quickly(call):
    t = time.perf_counter()
    with pytest.raises(ParameterError, match=r"level must be in \[1, 20\]"):
        call()
    assert time.perf_counter() - t < 1.0


def test_wpt_energies_and_wpt_feature_share_the_cap(rng):
    x = rng.standard_normal(64)
    with pytest.raises(ParameterError, match=r"level=21 is too deep for a wavelet packet"):
        W.wpt_energies(x, wavelet="haar", level=21)
    with pytest.raises(ParameterError, match=r"level must be in \[1, 20\]"):
        physiofeat.extract(x, {"wpt": {"level": 30}}, sr=100)


def test_deepest_accepted_level_is_fast():
    t = time.perf_counter()
    names = W.wpt_band_names(20)
    edges = W.wpt_band_edges(20, sr=2000, order="natural")
    assert time.perf_counter() - t < 5.0  # the pywt-tree version took ~11 s for the names
    assert len(names) == 2**20 and names[0] == "a" * 20 and names[1] == "a" * 19 + "d"
    assert edges.shape == (2**20, 2)
    assert_array_equal(np.sort(edges[:, 0]), np.arange(2**20) * (1000 / 2**20))


@pytest.mark.parametrize("level", range(1, 9))
@pytest.mark.parametrize("order", ["freq", "natural"])
def test_packet_names_and_edges_match_pywt(level, order):
    # parity, not a bug reproducer: names/edges are now computed without a pywt tree
    wp = pywt.WaveletPacket(np.zeros(2**level), "haar", mode="periodization", maxlevel=level)
    paths = [n.path for n in wp.get_level(level, order=order)]
    freq_paths = [n.path for n in wp.get_level(level, order="freq")]
    assert W.wpt_band_names(level, order=order) == paths
    k = np.array([freq_paths.index(p) for p in paths], dtype=np.float64)
    width = 800 / 2 / 2**level
    assert_array_equal(
        W.wpt_band_edges(level, sr=800, order=order), np.stack([k * width, (k + 1) * width], -1)
    )


# --------------------------------------------------------------------------------------------
# 3. hos.scalar_features


_F1, _F2 = hos.bispectrum_frequencies(sr=8, n_fft=8)  # 5 rows, 3 columns


@pytest.mark.parametrize(
    "mag, f1, f2, match",
    [
        (np.zeros((0, 0)), [], [], r"mag of shape \(0, 0\) has no bin in the principal domain"),
        ([[1, 2], [3, 4]], [1, 2], [1, 2], r"mag of shape \(2, 2\) has no bin.*at least 3 rows"),
        (np.ones(3), _F1, _F2, r"mag must have shape \(\.\.\., n_f1, n_f2\).*got 1-D"),
        (np.array([["a"] * 3] * 5), _F1, _F2, r"mag must be a real numeric array; got dtype <U1"),
        (np.ones((5, 3)) * 1j, _F1, _F2, r"mag must be real-valued; got complex"),
        (-np.ones((5, 3)), _F1, _F2, r"mag must be non-negative.*got negative values"),
        (np.full((5, 3), np.inf), _F1, _F2, r"mag must be non-negative and finite.*infinite"),
    ],
)
def test_scalar_features_refuses_bad_mag(mag, f1, f2, match):
    with pytest.raises(InvalidSignalError, match=match):
        hos.scalar_features(mag, f1, f2)


@pytest.mark.parametrize(
    "f1, f2, match",
    [
        ([1, 2], [1], r"f1 must be a 1-D sequence of 5 frequencies.*got shape \(2,\)"),
        (_F1, _F2[:2], r"f2 must be a 1-D sequence of 3 frequencies.*got shape \(2,\)"),
        (_F1[:, None], _F2, r"f1 must be a 1-D sequence of 5 frequencies.*got shape \(5, 1\)"),
        (["a"] * 5, _F2, r"f1 must be a 1-D sequence of frequencies in Hz"),
    ],
)
def test_scalar_features_refuses_mismatched_frequencies(f1, f2, match):
    with pytest.raises(ParameterError, match=match):
        hos.scalar_features(np.ones((5, 3)), f1, f2)


def test_scalar_features_do_not_read_outside_the_principal_domain():
    """Values outside Omega (NaN in bispectrum's layout, or junk) change no feature: the guards
    check only the domain."""
    f1, f2 = hos.bispectrum_frequencies(sr=1000, n_fft=32)
    mag = np.random.default_rng(7).random((2, len(f1), len(f2)))
    mag[1, 3, 2] = 0.0
    outside = np.ones(mag.shape[-2:], dtype=bool)
    ii, jj = hos._core._domain_indices(*mag.shape[-2:])
    outside[ii, jj] = False
    junk = mag.copy()
    junk[:, outside] = np.nan
    junk[1, outside] = -1.0  # negative outside the domain: never read
    names, values = hos.scalar_features(mag, f1, f2)
    assert names == hos.FEATURE_NAMES
    assert_array_equal(hos.scalar_features(junk, f1, f2)[1], values)
    # a NaN inside the domain is a missing value: NaN features, no error
    nan_in = mag[0].copy()
    nan_in[3, 2] = np.nan
    v = hos.scalar_features(nan_in, f1, f2)[1]
    assert np.isnan(v[0]) and np.isnan(v[-1])


# --------------------------------------------------------------------------------------------
# 4. spectral unit helpers


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: S.hz_to_mel("a"), r"freqs must be a real number or an array.*got str"),
        (lambda: S.hz_to_mel("1000"), r"freqs must be a real number.*got str"),
        (lambda: S.hz_to_mel(1 + 2j), r"freqs must be a real number.*got dtype complex128"),
        (lambda: S.hz_to_mel(np.array([1 + 2j])), r"freqs must be.*complex128"),
        (lambda: S.hz_to_mel([1, None]), r"freqs must be a real number or an array"),
        (lambda: S.mel_to_hz(None), r"mels must be a real number.*got NoneType"),
        (lambda: S.mel_to_hz(["a"]), r"mels must be a real number.*<U1"),
        (lambda: S.mel_frequencies(-1), r"n_mels must be >= 0; got -1"),
        (lambda: S.mel_frequencies(2.5), r"n_mels must be an integer; got 2.5"),
        (lambda: S.mel_frequencies(10, fmin=None), r"fmin must be a finite number; got None"),
        (lambda: S.mel_frequencies(10, fmax="a"), r"fmax must be a finite number; got 'a'"),
        (lambda: S.frames_to_time(None, sr=1000), r"frames must be a real number.*NoneType"),
        (lambda: S.frames_to_time(["a"], sr=1000), r"frames must be a real number.*<U1"),
        (lambda: S.frames_to_time([1j], sr=1000), r"frames must be a real number.*complex"),
        (
            lambda: S.mel_filters(sr=1000, n_fft=256, dtype="foo"),
            r"dtype must be a floating dtype .*got 'foo'",
        ),
        (
            lambda: S.mel_filters(sr=1000, n_fft=256, n_mels=10, dtype=np.int32),
            r"dtype must be a floating dtype .*got int32",
        ),
        (
            lambda: S.mel_filters(sr=1000, n_fft=256, n_mels=10, dtype=np.complex64),
            r"dtype must be a floating dtype .*got complex64",
        ),
    ],
)
def test_unit_helpers_refuse_bad_input(call, match):
    with pytest.raises(ParameterError, match=match):
        call()


@pytest.mark.parametrize(
    "S_bad, match",
    [
        (np.array(["a"]), r"S must be a real numeric array; got dtype <U1"),
        (np.array([1, "a"], dtype=object), r"S must be a real numeric array; got dtype object"),
    ],
)
def test_amplitude_to_db_refuses_non_numeric_like_power_to_db(S_bad, match):
    with pytest.raises(InvalidSignalError, match=match):
        S.amplitude_to_db(S_bad)
    with pytest.raises(InvalidSignalError, match=match):
        S.power_to_db(S_bad)


def test_amplitude_to_db_refuses_ragged_input():
    with pytest.raises(InvalidSignalError, match=r"S must be a numeric array"):
        S.amplitude_to_db([[1.0], [1.0, 2.0]])


def test_unit_helpers_valid_input_unchanged():
    # parity: the same formulas as before for numbers, lists, ints, bools and object arrays
    f = np.array([0.0, 440.0, 1000.0, 4000.0])
    for htk in (False, True):
        assert_allclose(S.mel_to_hz(S.hz_to_mel(f, htk=htk), htk=htk), f, rtol=1e-12)
        assert S.hz_to_mel(1000, htk=htk) == S.hz_to_mel(1000.0, htk=htk)
        assert_array_equal(S.hz_to_mel([0, 440], htk=htk), S.hz_to_mel(f[:2], htk=htk))
        assert_array_equal(
            S.hz_to_mel(np.array([0, 440], dtype=object), htk=htk), S.hz_to_mel(f[:2], htk=htk)
        )
    assert float(S.hz_to_mel(1000.0)) == pytest.approx(15.0)
    assert S.mel_frequencies(0).shape == (0,)
    assert_array_equal(S.frames_to_time(np.arange(4), sr=1000, hop_length=10), np.arange(4) / 100)
    assert S.frames_to_time(3, sr=100, hop_length=2) == 0.06
    assert S.mel_filters(sr=1000, n_fft=64, n_mels=8, dtype="float64").dtype == np.float64
    assert_allclose(S.amplitude_to_db(np.array([1, 10, 100])), [0.0, 20.0, 40.0])
    assert_allclose(S.amplitude_to_db(np.array([1j, 10.0])), [0.0, 20.0])


def test_read_only_input_to_the_wavelet_envelope_and_pcg_features():
    """envelope.wavelet_envelope calls pywt itself: a read-only signal (a memory map) gives
    the writable signal's values there and in the pcg features built on it."""
    import physiofeat
    from physiofeat import envelope, pcg

    x, sr = physiofeat.load(physiofeat.data.path("50277_MV"))
    x = x[: 4 * sr].astype(np.float64)
    ro = x.copy()
    ro.setflags(write=False)
    assert_array_equal(envelope.wavelet_envelope(ro, sr=sr), envelope.wavelet_envelope(x, sr=sr))
    assert_array_equal(pcg.segmentation_features(ro, sr=sr), pcg.segmentation_features(x, sr=sr))
