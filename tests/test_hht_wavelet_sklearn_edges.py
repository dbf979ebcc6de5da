"""Edge cases of the hht and wavelet families and of the scikit-learn wrapper found by using
them as a new user would (session 12): parameters given together that exclude each other,
thread counts scipy.fft refuses, CEEMDAN of a monotonic signal, the hht feature of a signal too
short for any IMF, cwt column labels that collide, the least length of a DWT, and
FeatureExtractor's statistics, errors and NaN rows."""

from __future__ import annotations

import numpy as np
import pytest
import pywt

import physiofeat
from physiofeat import InvalidSignalError, ParameterError
from physiofeat import wavelet as W
from physiofeat.hht import (
    ceemdan,
    emd,
    hilbert_spectrum,
    imf_features,
    instantaneous,
    marginal_spectrum,
)
from physiofeat.sklearn import FeatureExtractor

SR = 1000


def _tones(n=800):
    t = np.arange(n) / SR
    return np.sin(2 * np.pi * 60 * t) + np.sin(2 * np.pi * 7 * t)


# ---------------------------------------------------------------------------------------------
# arguments that exclude each other


@pytest.mark.parametrize("extra", [{"n_bins": 7}, {"fmin": 3.0}, {"fmax": 90.0}])
def test_hilbert_spectra_refuse_edges_with_bins(extra):
    r = emd(_tones())
    for fn in (marginal_spectrum, hilbert_spectrum):
        with pytest.raises(ParameterError, match="pass either edges= or n_bins=/fmin=/fmax="):
            fn(r.imfs, sr=SR, edges=[0, 50, 100], **extra)
    # the defaults, given or not, are no conflict
    f, h = marginal_spectrum(r.imfs, sr=SR, edges=[0, 50, 100], n_bins=100, fmin=0.0)
    np.testing.assert_array_equal(f, [25.0, 75.0])


def test_cwt_refuses_freqs_with_n_freqs():
    x = _tones()
    with pytest.raises(ParameterError, match="got freqs= and n_freqs=0"):
        W.cwt(x, sr=SR, freqs=[100.0], n_freqs=0)
    with pytest.raises(ParameterError, match="got freqs= and n_freqs=5"):
        physiofeat.extract(x, ["cwt"], sr=SR, freqs=[10.0], n_freqs=5)
    assert W.cwt(x, sr=SR, freqs=[100.0], n_freqs=64).shape == (1, x.size)


# ---------------------------------------------------------------------------------------------
# workers


@pytest.mark.parametrize("workers", [0, "x", 2.5, True])
def test_thread_counts_scipy_refuses_are_parameter_errors(workers):
    x = _tones(600)
    imfs = emd(x).imfs
    calls = [
        lambda: W.cwt(x, sr=SR, freqs=[50.0], workers=workers),
        lambda: W.scalogram(x, sr=SR, freqs=[50.0], workers=workers),
        lambda: instantaneous(imfs, sr=SR, workers=workers),
        lambda: hilbert_spectrum(imfs, sr=SR, workers=workers),
        lambda: marginal_spectrum(imfs, sr=SR, workers=workers),
        lambda: imf_features(imfs, sr=SR, workers=workers),
    ]
    for call in calls:
        with pytest.raises(ParameterError, match="workers must be None, a positive number"):
            call()


def test_valid_thread_counts_give_the_same_numbers():
    x = _tones(600)
    ref = W.cwt(x, sr=SR, freqs=[50.0, 20.0], workers=1)
    for workers in (None, 2, -1):
        np.testing.assert_array_equal(W.cwt(x, sr=SR, freqs=[50.0, 20.0], workers=workers), ref)


# ---------------------------------------------------------------------------------------------
# CEEMDAN, hht feature, imf_features


@pytest.mark.parametrize("x", [np.linspace(0, 1, 50), np.array([1.0, 2, 0, 1])])
def test_ceemdan_of_what_has_no_imf_has_none_as_emd(x):
    assert emd(x).n_imfs == 0
    r = ceemdan(x, trials=3, seed=0)
    assert r.n_imfs == 0 and r.imfs.shape == (0, x.size)
    np.testing.assert_array_equal(r.residue, x)


def test_ceemdan_still_decomposes_a_signal_with_imfs():
    x = _tones(400)
    r = ceemdan(x, trials=4, seed=0)
    assert r.n_imfs >= 2
    np.testing.assert_allclose(r.imfs.sum(axis=0) + r.residue, x, rtol=0, atol=1e-12)


def test_hht_feature_of_a_two_sample_signal_is_nan_with_the_usual_columns():
    f = physiofeat.extract(np.ones(2), ["hht"], sr=SR)
    g = physiofeat.extract(_tones(500), ["hht"], sr=SR)
    assert f.vector_names() == g.vector_names()
    assert np.isnan(f.vector()).all()
    assert np.isfinite(g.vector()[:4]).all()


def test_imf_features_of_one_imf_as_1d_has_one_value_per_key():
    t = np.arange(2000) / SR
    x = 2 * np.cos(2 * np.pi * 40 * t)
    for kw in ({}, {"residue": np.zeros(2000)}):
        feats = imf_features(x, sr=SR, **kw)
        assert {k: v.shape for k, v in feats.items()} == dict.fromkeys(feats, (1,))
        np.testing.assert_allclose(feats["freq_mean"], [40.0], atol=0.05)
        np.testing.assert_allclose(feats["energy_share"], [1.0], rtol=1e-12)


# ---------------------------------------------------------------------------------------------
# wavelet


def test_cwt_labels_stay_unique_for_close_frequencies():
    x = _tones(2000)
    names = physiofeat.extract(x, ["cwt"], sr=SR, freqs=[50.001, 50.002]).vector_names()
    assert len(names) == len(set(names)) == 8
    assert "cwt_50.001Hz_mean" in names and "cwt_50.002Hz_mean" in names
    usual = physiofeat.extract(x, ["cwt"], sr=SR, freqs=[50.0, 100.0]).vector_names()
    assert {"cwt_50Hz_mean", "cwt_100Hz_mean"} <= set(usual)
    with pytest.raises(ParameterError, match=r"freqs holds \[50.0\] Hz more than once"):
        physiofeat.extract(x, ["cwt"], sr=SR, freqs=[50.0, 50.0])


@pytest.mark.parametrize("wavelet", ["db4", "haar", "sym5"])
def test_dwt_too_short_message_gives_the_least_length_pywt_takes(wavelet):
    d = pywt.Wavelet(wavelet).dec_len
    least = next(n for n in range(1, 100) if pywt.dwt_max_level(n, d) >= 1)  # the oracle
    with pytest.raises(InvalidSignalError, match=f"at least {least} samples are needed"):
        W.dwt_features(np.ones(least - 1), wavelet=wavelet, level=1)
    assert W.dwt_features(np.ones(least), wavelet=wavelet, level=1).shape == (2, len(W.DWT_STATS))


# ---------------------------------------------------------------------------------------------
# scikit-learn wrapper


def test_feature_extractor_takes_one_statistic_as_a_string():
    X = np.random.default_rng(0).standard_normal((3, 1000))
    fe = FeatureExtractor(["cwt"], sr=SR, stats="mean", params={"n_freqs": 2})
    out = fe.fit_transform(X)
    assert out.shape == (3, 2) and list(fe.get_feature_names_out())[0].endswith("_mean")
    ref = FeatureExtractor(["cwt"], sr=SR, stats=["mean"], params={"n_freqs": 2})
    np.testing.assert_array_equal(out, ref.fit_transform(X))
    np.testing.assert_array_equal(fe.fit_transform(list(X)), out)  # the list path too


def test_feature_extractor_on_error_nan_covers_2d_arrays():
    X = np.random.default_rng(1).standard_normal((3, 500))
    X[1, 10] = np.nan
    out = FeatureExtractor(["dwt"], sr=SR, on_error="nan").fit_transform(X)
    assert np.isnan(out[1]).all() and np.isfinite(out[[0, 2]]).all()
    ref = FeatureExtractor(["dwt"], sr=SR).fit_transform(X[[0, 2]])
    np.testing.assert_array_equal(out[[0, 2]], ref)
    with pytest.raises(InvalidSignalError, match="non-finite"):
        FeatureExtractor(["dwt"], sr=SR).fit_transform(X)


def test_feature_extractor_raises_the_failures_own_error_type():
    with pytest.raises(InvalidSignalError, match="1 of 1 inputs failed.*too short"):
        FeatureExtractor(["dwt"], sr=SR).fit_transform([np.zeros(10)])
    with pytest.raises(ValueError):  # as for a 2-D array: InvalidSignalError is a ValueError
        FeatureExtractor(["dwt"], sr=SR).fit_transform(np.zeros((1, 10)))


def test_feature_extractor_transform_names_the_column_that_changed():
    x = np.random.default_rng(2).standard_normal(2000)
    fe = FeatureExtractor(["cwt"], sr=SR, params={"freqs": [50.0]}).fit(x[None])
    fe.set_params(params={"freqs": [60.0]})
    with pytest.raises(ParameterError, match=r"'cwt_60Hz_mean' against 'cwt_50Hz_mean'.*refit"):
        fe.transform(x[None])
