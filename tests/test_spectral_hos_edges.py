"""Edge cases of the spectral and higher-order-spectra families found by an audit.

Covers: ``dct_type`` must be an int (not a bool or float that compares equal to one);
``workers`` of the HOS functions and features is checked before any work; spectrograms with
fewer than 2 frequency bins, and ``n_fft``/``hop_length``/``sr`` of ``fft_frequencies`` and
``frames_to_time``; the decibel ``ref`` (a positive number or a callable, also in the registry's
up-front check); callable windows in HOS; an integer ``axis`` for ``delta``; non-finite window
arrays; the documented white-noise spectral flatness (``exp(-gamma)``); the warning of a
single-segment bicoherence (1 by construction); and the spectral statistics keeping the input's
float dtype (as librosa). Errors are pinned with ``match=``; tolerances are two-sided and
dtype-aware.
"""

from __future__ import annotations

import re
import warnings

import librosa
import numpy as np
import pytest
from conftest import tol

import physiofeat
from physiofeat import ParameterError, hos
from physiofeat import spectral as S

SR = 1000


@pytest.fixture(scope="module")
def noise() -> np.ndarray:
    return np.random.default_rng(20261130).standard_normal(4000)


# --------------------------------------------------------------------------------------------
# 1. dct_type


@pytest.mark.parametrize("bad", [True, False, 2.0, np.float64(3.0), "2"])
def test_mfcc_dct_type_must_be_an_int(noise, bad):
    with pytest.raises(
        ParameterError, match=rf"^dct_type must be an integer; got {re.escape(repr(bad))}"
    ):
        S.mfcc(noise, sr=SR, n_fft=256, n_mels=40, dct_type=bad)
    S_db = np.zeros((40, 5))
    with pytest.raises(ParameterError, match=r"^dct_type must be an integer"):
        S.mfcc(S=S_db, sr=SR, dct_type=bad)


@pytest.mark.parametrize("bad", [True, 2.0])
def test_extract_refuses_a_non_int_dct_type_before_any_work(no_compute, noise, bad):
    with pytest.raises(
        ParameterError, match=rf"^dct_type must be an integer; got {re.escape(repr(bad))}"
    ):
        physiofeat.extract(noise, {"mfcc": {"dct_type": bad}}, sr=SR)


def test_numpy_int_dct_type_still_works(noise):
    kw = dict(sr=SR, n_fft=256, n_mels=40)
    np.testing.assert_array_equal(
        S.mfcc(noise, dct_type=np.int64(3), **kw), S.mfcc(noise, dct_type=3, **kw)
    )
    with pytest.raises(ParameterError, match=r"^dct_type must be one of 1, 2, 3, 4; got 5"):
        S.mfcc(noise, dct_type=np.int64(5), **kw)


# --------------------------------------------------------------------------------------------
# 2. workers

WORKERS_MSG = r"^workers must be None, a positive number of threads, or -1 for all cores"


@pytest.mark.parametrize("bad", [0, "4", 2.5, True])
@pytest.mark.parametrize("func", [hos.bispectrum, hos.bicoherence, hos.bispectral_features])
def test_hos_workers_is_checked(noise, func, bad):
    with pytest.raises(ParameterError, match=rf"{WORKERS_MSG}.*; got {re.escape(repr(bad))}$"):
        func(noise, sr=SR, n_fft=64, workers=bad)


@pytest.mark.parametrize("name", ["bispectrum", "bicoherence"])
@pytest.mark.parametrize("bad", [0, "4", 2.5])
def test_extract_refuses_bad_hos_workers_before_any_work(no_compute, noise, name, bad):
    with pytest.raises(ParameterError, match=WORKERS_MSG):
        physiofeat.extract(noise, [name], sr=SR, workers=bad)


def test_valid_workers_give_the_same_bispectrum(noise):
    ref = hos.bispectrum(noise, sr=SR, n_fft=64)
    for w in (1, 2, -1, np.int64(2)):
        np.testing.assert_array_equal(hos.bispectrum(noise, sr=SR, n_fft=64, workers=w), ref)


# --------------------------------------------------------------------------------------------
# 3. bins, n_fft, hop_length

STATS = [
    S.spectral_centroid,
    S.spectral_bandwidth,
    S.spectral_rolloff,
    S.spectral_flatness,
    S.spectral_entropy,
    S.spectral_flux,
]


@pytest.mark.parametrize("func", [*STATS, S.melspectrogram])
def test_a_spectrogram_with_one_bin_is_refused(func):
    with pytest.raises(ParameterError, match=r"^S must have at least 2 frequency bins.*got 1 bin"):
        func(sr=SR, S=np.ones((1, 5)))


def test_a_spectrogram_with_two_bins_is_fine():
    c = S.spectral_centroid(sr=SR, S=np.ones((2, 5)))  # n_fft = 2: bins at 0 and 500 Hz
    np.testing.assert_allclose(c, np.full(5, 250.0), rtol=0, atol=tol(np.float64, 1000))


@pytest.mark.parametrize(
    ("n_fft", "message"),
    [
        (0, r"^n_fft must be >= 1; got 0"),
        (-4, r"^n_fft must be >= 1; got -4"),
        (64.7, r"^n_fft must be an integer; got 64.7"),
        (64.0, r"^n_fft must be an integer; got 64.0"),
        (True, r"^n_fft must be an integer; got True"),
    ],
)
def test_fft_frequencies_checks_n_fft(n_fft, message):
    with pytest.raises(ParameterError, match=message):
        S.fft_frequencies(sr=SR, n_fft=n_fft)


def test_fft_frequencies_values_and_sr():
    np.testing.assert_array_equal(S.fft_frequencies(sr=SR, n_fft=1), [0.0])
    np.testing.assert_array_equal(
        S.fft_frequencies(sr=SR, n_fft=np.int64(8)), np.arange(5) * SR / 8
    )
    with pytest.raises(ParameterError, match=r"^sr must be a positive number of Hz; got 0"):
        S.fft_frequencies(sr=0, n_fft=8)


@pytest.mark.parametrize(
    ("hop", "message"),
    [
        (0, r"^hop_length must be >= 1; got 0"),
        (-1, r"^hop_length must be >= 1; got -1"),
        (2.5, r"^hop_length must be an integer; got 2.5"),
    ],
)
def test_frames_to_time_checks_hop_length(hop, message):
    with pytest.raises(ParameterError, match=message):
        S.frames_to_time([1, 2], sr=SR, hop_length=hop)


def test_frames_to_time_values_and_sr():
    np.testing.assert_array_equal(
        S.frames_to_time([0, 1, 3], sr=SR, hop_length=250), [0, 0.25, 0.75]
    )
    with pytest.raises(ParameterError, match=r"sr \(sampling rate in Hz\) is required"):
        S.frames_to_time([1], sr=None)


# --------------------------------------------------------------------------------------------
# 4. ref, callable HOS windows, delta axis

REF_MSG = r"^ref must be a positive number or a callable \(e\.g\. np\.max\); got "


@pytest.mark.parametrize("bad", ["max", True, 0, -1.0, np.nan, None, np.ones(2)])
@pytest.mark.parametrize("func", [S.power_to_db, S.amplitude_to_db])
def test_db_ref_must_be_a_positive_number_or_a_callable(func, bad):
    with pytest.raises(ParameterError, match=REF_MSG):
        func(np.ones(4), ref=bad)


def test_log_melspectrogram_checks_ref(noise):
    with pytest.raises(ParameterError, match=REF_MSG + "'max'"):
        S.log_melspectrogram(noise, sr=SR, n_fft=256, ref="max")


def test_extract_refuses_a_bad_ref_before_any_work(no_compute, noise):
    with pytest.raises(ParameterError, match=REF_MSG + "'max'"):
        physiofeat.extract(noise, ["log_mel"], sr=SR, ref="max")


def test_callable_and_numeric_refs_match_the_definition():
    a = np.array([0.5, 1.0, 2.0, 4.0])
    np.testing.assert_allclose(
        S.amplitude_to_db(a, ref=np.max), 20 * np.log10(a / 4.0), rtol=0, atol=tol(np.float64, 100)
    )
    np.testing.assert_allclose(
        S.power_to_db(a, ref=np.float32(2.0)), 10 * np.log10(a / 2.0), rtol=0, atol=1e-5
    )
    np.testing.assert_allclose(
        S.amplitude_to_db(a, ref=2), 20 * np.log10(a / 2.0), rtol=0, atol=tol(np.float64, 100)
    )


@pytest.mark.parametrize("func", [hos.bispectrum, hos.bicoherence])
def test_hos_accepts_a_callable_window(noise, func):
    got = func(noise, sr=SR, n_fft=64, window=np.hanning)
    want = func(noise, sr=SR, n_fft=64, window=np.hanning(64))
    np.testing.assert_array_equal(got, want)


def test_extract_hos_with_a_callable_window(noise):
    got = physiofeat.extract(noise, {"bispectrum": {"n_fft": 64, "window": np.hanning}}, sr=SR)
    want = np.abs(hos.bispectrum(noise, sr=SR, n_fft=64, window=np.hanning(64)))
    np.testing.assert_array_equal(got["bispectrum"].values, want)


def test_hos_callable_window_of_the_wrong_length_is_refused(noise):
    with pytest.raises(
        ParameterError,
        match=r"^window <lambda>\(n_fft\) must return n_fft=64 finite values; got shape \(63,\)$",
    ):
        hos.bispectrum(noise, sr=SR, n_fft=64, window=lambda n: np.ones(n - 1))
    with pytest.raises(
        ParameterError, match=r"must return n_fft=64 finite values; got shape \(64,\) with 1 NaN"
    ):
        hos.bicoherence(noise, sr=SR, n_fft=64, window=lambda n: np.r_[np.ones(n - 1), np.nan])


@pytest.mark.parametrize("bad", [1.0, "1", True, None])
def test_delta_axis_must_be_an_int(bad):
    with pytest.raises(
        ParameterError, match=rf"^axis must be an integer; got {re.escape(repr(bad))}"
    ):
        S.delta(np.ones((3, 20)), axis=bad)


def test_delta_numpy_int_axis():
    data = np.random.default_rng(1).standard_normal((3, 20))
    np.testing.assert_array_equal(S.delta(data, axis=np.int64(1)), S.delta(data, axis=1))


# --------------------------------------------------------------------------------------------
# 5. non-finite window arrays


@pytest.mark.parametrize(
    "window",
    [np.full(64, np.nan), np.r_[np.ones(63), np.inf], lambda n: np.r_[np.nan, np.ones(n - 1)]],
    ids=["nan", "inf", "callable"],
)
def test_spectral_refuses_a_non_finite_window(noise, window):
    msg = r"^window array must hold finite values; got \d+ NaN or inf of 64, first at index \d+"
    with pytest.raises(ParameterError, match=msg):
        S.stft(noise, n_fft=64, window=window)
    with pytest.raises(ParameterError, match=msg):
        S.melspectrogram(noise, sr=SR, n_fft=64, n_mels=8, window=window)


def test_extract_refuses_a_non_finite_window_array_before_any_work(no_compute, noise):
    with pytest.raises(ParameterError, match=r"^window array must hold finite values; got 1 NaN"):
        physiofeat.extract(
            noise, ["spectrogram"], sr=SR, n_fft=64, window=np.r_[np.ones(63), np.nan]
        )


def test_spectral_window_array_of_non_numbers_is_refused(noise):
    with pytest.raises(ParameterError, match=r"^window array must hold win_length=4 real numbers"):
        S.stft(noise, n_fft=4, window=["a", "b", "c", "d"])


# --------------------------------------------------------------------------------------------
# 6. documented values: white-noise flatness, single-segment bicoherence


def test_white_noise_flatness_is_exp_minus_gamma_as_documented():
    """Each periodogram bin of white noise is exponential: E[log q] = log E[q] - gamma, so the
    geometric/arithmetic mean ratio is about exp(-gamma) = 0.561, not 1."""
    x = np.random.default_rng(5).standard_normal(200_000)
    f = S.spectral_flatness(x, sr=SR, n_fft=512, center=False)
    assert abs(float(f.mean()) - np.exp(-np.euler_gamma)) <= 0.01
    doc = S.spectral_flatness.__doc__
    assert "exp(-gamma) = 0.561" in doc and "near 1 for white noise" not in doc


ONE_SEGMENT = r"^bicoherence from a single segment .* is 1 by construction .* at least 2 segments"


@pytest.mark.parametrize(
    ("n", "hop", "fix"),
    [(4000, 4000, r"hop_length <= 3744 \(now 4000\)"), (256, None, r"a smaller n_fft")],
)
def test_single_segment_bicoherence_warns_and_is_one(noise, n, hop, fix):
    assert issubclass(S.SpectralWarning, UserWarning)
    with pytest.warns(S.SpectralWarning, match=ONE_SEGMENT + ".*" + fix):
        b2 = hos.bicoherence(noise[:n], sr=SR, n_fft=256, hop_length=hop)
    ok = np.isfinite(b2)
    np.testing.assert_allclose(b2[ok], 1.0, rtol=0, atol=tol(np.float64, 1e3))
    with pytest.warns(S.SpectralWarning, match=ONE_SEGMENT):
        hos.bispectral_features(noise[:n], sr=SR, n_fft=256, hop_length=hop, kind="bicoherence")


def test_single_segment_bicoherence_warns_through_extract(noise):
    with pytest.warns(S.SpectralWarning, match=ONE_SEGMENT):
        physiofeat.extract(noise, {"bicoherence": {"n_fft": 256, "hop_length": 4000}}, sr=SR)


def test_two_segments_do_not_warn(noise):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        hos.bicoherence(noise, sr=SR, n_fft=256, hop_length=3744)  # segments at 0 and 3744
        hos.bispectrum(noise, sr=SR, n_fft=256, hop_length=4000)  # |B| is not normalised
        physiofeat.extract(noise, ["bicoherence"], sr=SR, n_fft=256)


def test_bicoherence_docstring_documents_the_single_segment_case():
    assert "single segment" in hos.bicoherence.__doc__
    assert "SpectralWarning" in hos.bicoherence.__doc__


# --------------------------------------------------------------------------------------------
# 7. dtypes of the spectral statistics


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("func", STATS)
def test_spectral_statistics_keep_the_input_dtype(noise, func, dtype):
    x = noise.astype(dtype)
    assert func(x, sr=SR, n_fft=256).dtype == dtype
    mag = np.abs(S.stft(x, n_fft=256, hop_length=64))
    assert mag.dtype == dtype
    assert func(S=mag, sr=SR).dtype == dtype
    assert func(noise.astype(np.int16), sr=SR, n_fft=256).dtype == np.float64


def test_float32_statistics_match_librosa(noise):
    """Values against librosa on float32 input, within float32 tolerances; librosa's own
    dtypes differ by statistic (float32 flatness, but float64 centroid, bandwidth and rolloff,
    since its frequency axis is float64), ours follow the input as stft, mel and mfcc do."""
    x = noise.astype(np.float32)
    kw = dict(n_fft=256, hop_length=64)
    for ours, theirs in [
        (S.spectral_centroid, librosa.feature.spectral_centroid),
        (S.spectral_bandwidth, librosa.feature.spectral_bandwidth),
    ]:
        a, b = ours(x, sr=SR, **kw), theirs(y=x, sr=SR, **kw)[0]
        assert a.dtype == np.float32
        assert np.abs(a - b).max() <= tol(np.float32, 100) * SR / 2, ours.__name__
    a, b = S.spectral_flatness(x, sr=SR, **kw), librosa.feature.spectral_flatness(y=x, **kw)[0]
    assert a.dtype == b.dtype == np.float32
    assert np.abs(a - b).max() <= tol(np.float32, 100)


@pytest.mark.parametrize(
    "func",
    [
        S.spectral_centroid,
        S.spectral_bandwidth,
        S.spectral_flatness,
        S.spectral_entropy,
        S.spectral_flux,
    ],
)
def test_float32_statistics_are_the_float64_ones_rounded(noise, func):
    """The same float32 magnitude spectrogram given as float32 and as float64: the float32
    result is within float32 rounding of the float64 one (sums are accumulated in float64)."""
    mag = np.abs(S.stft(noise.astype(np.float32), n_fft=256, hop_length=64))
    a = func(S=mag, sr=SR)
    b = func(S=mag.astype(np.float64), sr=SR)
    assert a.dtype == np.float32 and b.dtype == np.float64
    assert np.abs(a - b).max() <= tol(np.float32, 10) * np.abs(b).max()


def test_extract_statistics_keep_float32(noise):
    names = ["spectral_centroid", "spectral_flatness", "spectral_flux", "spectral_entropy"]
    f = physiofeat.extract(noise.astype(np.float32), names, sr=SR, n_fft=256)
    for n in names:
        assert f[n].values.dtype == np.float32, n
    np.testing.assert_allclose(
        f["spectral_centroid"].values,
        S.spectral_centroid(noise.astype(np.float32), sr=SR, n_fft=256),
        rtol=0,
        atol=0,
    )
