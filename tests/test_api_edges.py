"""Edge cases of the public API found by using it as a new user would (session 12): arguments of
the wrong type that used to pass (``load(mono="no")``, ``extract_many(progress=3)``), a single
statistic given as a string to the batch functions, a shared parameter that no feature of the
request would use because each has its own value (a preset's), an ECG given leads-last, and the
ECG-PCG timing of a delineation made beforehand."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import physiofeat
from physiofeat import InvalidSignalError, ParameterError
from physiofeat.ecg import delineate, detect_r_peaks, synthetic_ecg
from physiofeat.ecgpcg import synthetic_ecg_pcg
from physiofeat.ecgpcg import timing as ecgpcg_timing


def _quiet(fn, *a, **k):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*a, **k)


# ---------------------------------------------------------------------------------------------
# load


@pytest.mark.parametrize("mono", ["no", 0, None, "False"])
def test_load_refuses_a_mono_that_is_not_a_bool(mono):
    # "no" is truthy: it had averaged the channels as if mono=True
    with pytest.raises(ParameterError, match="mono must be True or False"):
        physiofeat.load(physiofeat.data.path("a0007"), mono=mono)


@pytest.mark.parametrize("sr", [-5, 0, "x", float("nan")])
def test_load_refuses_a_bad_rate_before_reading(tmp_path, sr):
    # a missing file: the rate is checked first, so the error is about the rate
    with pytest.raises(ParameterError, match="sr must be a positive number of Hz"):
        physiofeat.load(tmp_path / "missing.wav", sr=sr)


def test_load_with_a_float_rate_still_resamples():
    x, sr = physiofeat.load(physiofeat.data.path("a0007"), sr=1000.0)
    ref, sr0 = physiofeat.load(physiofeat.data.path("a0007"))
    assert sr == 1000 and isinstance(sr, int)
    assert x.shape == (round(ref.size * 1000 / sr0),)


# ---------------------------------------------------------------------------------------------
# extract_many / iter_extract


def test_extract_many_takes_one_statistic_as_a_string():
    x = np.random.default_rng(0).standard_normal(4000)
    (r,) = physiofeat.extract_many([x], ["rms"], sr=1000, stats="mean", n_jobs=1)
    assert r.ok, r.error
    assert r.names == ["rms_mean"]
    ref = physiofeat.extract(x, ["rms"], sr=1000, stats=("mean",))
    np.testing.assert_array_equal(r.vector, ref.vector())
    (r,) = list(physiofeat.batch.iter_extract([x], ["rms"], sr=1000, stats="max", n_jobs=1))
    assert r.names == ["rms_max"]


@pytest.mark.parametrize("progress", [3, "yes", None, 1.0])
def test_extract_many_refuses_a_progress_that_is_neither_bool_nor_callable(progress):
    x = np.zeros(4000)
    with pytest.raises(ParameterError, match="progress must be True"):
        physiofeat.extract_many([x], ["rms"], sr=1000, n_jobs=1, progress=progress)


def test_extract_many_progress_callable_sees_every_result():
    x = np.random.default_rng(1).standard_normal(4000)
    seen = []
    out = physiofeat.extract_many(
        [x, x[:3000]], ["rms"], sr=1000, n_jobs=1, progress=seen.append, frame_length=256
    )
    assert sorted(r.index for r in seen) == [0, 1] and len(out) == 2


# ---------------------------------------------------------------------------------------------
# shared parameters that every feature overrides


def test_shared_parameter_every_feature_overrides_is_refused():
    x = np.random.default_rng(2).standard_normal(8000)
    req = {"mfcc": {"n_fft": 256}, "spectral_centroid": {"n_fft": 256}, "rms": {}}
    with pytest.raises(ParameterError, match=r"n_fft \(set for mfcc, spectral_centroid\)") as e:
        physiofeat.extract(x, req, sr=4000, n_fft=512)
    assert "{'mfcc': {'n_fft': 512}}" in str(e.value)
    # where one requested feature takes it from the call, it counts, and the others keep theirs
    got = physiofeat.extract(
        x, {"mfcc": {"n_fft": 256}, "spectral_centroid": {}}, sr=4000, n_fft=512
    )
    assert got["mfcc"].attrs["n_fft"] == 256
    ref = physiofeat.extract(x, {"spectral_centroid": {"n_fft": 512}}, sr=4000)
    np.testing.assert_array_equal(got["spectral_centroid"].values, ref["spectral_centroid"].values)


def test_shared_parameter_overridden_is_refused_by_the_batch_before_any_work():
    x = np.zeros(8000)
    with pytest.raises(ParameterError, match="would change nothing"):
        physiofeat.extract_many([x], {"mfcc": {"n_fft": 256}}, sr=4000, n_jobs=1, n_fft=512)


# ---------------------------------------------------------------------------------------------
# ECG


def test_delineate_names_a_leads_last_ecg():
    x, _ = synthetic_ecg(duration=10.0, sr=500, seed=0)
    X = np.stack([x, 0.5 * x, -x])
    for fn in (delineate, detect_r_peaks):
        with pytest.raises(InvalidSignalError, match=r"leads-last .*pass ecg\.T"):
            fn(X.T, sr=500)
    # a short ECG the right way round gets no such hint
    with pytest.raises(InvalidSignalError) as e:
        delineate(X[:, :500], sr=500)
    assert "leads-last" not in str(e.value)
    assert len(_quiet(delineate, X, sr=500)) == len(_quiet(delineate, x, sr=500))


def test_ecgpcg_timing_takes_the_rate_of_a_given_delineation():
    ecg, pcg, sr, truth = synthetic_ecg_pcg(duration=10.0, sr=2000, emat=0.06, qs2=0.36)
    b = delineate(ecg, sr=sr)
    got = ecgpcg_timing(None, pcg, beats=b)
    ref = ecgpcg_timing(ecg, pcg, sr=sr)
    np.testing.assert_array_equal(got.s1_onset, ref.s1_onset)
    np.testing.assert_array_equal(got.qrs_s2, ref.qrs_s2)
    assert np.max(np.abs(got.s1_onset - truth["s1_onset"])) < 0.002  # the synthetic truth
    assert len(ecgpcg_timing(None, pcg, sr=sr, beats=b)) == len(ref)
    with pytest.raises(ParameterError, match="delineated at 2000 Hz"):
        ecgpcg_timing(None, pcg, sr=1000, beats=b)
    with pytest.raises(ParameterError, match="sr .* is required with an ECG array"):
        ecgpcg_timing(ecg, pcg)


def test_hrv_from_peaks_depends_only_on_the_differences():
    from physiofeat.ecg import hrv_from_peaks

    rr = np.random.default_rng(3).normal(800.0, 30.0, 200)
    pk = np.cumsum(np.r_[0.0, rr])  # fractional sample indices at 1 kHz
    a = _quiet(hrv_from_peaks, pk, sr=1000)
    b = _quiet(hrv_from_peaks, pk - 5000.5, sr=1000)  # negative, fractional: the same intervals
    np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-12, equal_nan=True)
    assert np.isclose(a[0], rr.mean(), rtol=1e-12)  # mean_nn, in ms


# ---------------------------------------------------------------------------------------------
# batch sources and flags (session 12, second audit)


def test_batch_refuses_a_channels_last_array_source():
    x, sr = physiofeat.load(physiofeat.data.path("a0007"))
    bad, odd, scalar = physiofeat.extract_many(
        [np.stack([x] * 4, axis=1), np.zeros((2, 3, 4)), 5], ["temporal"], sr=sr, n_jobs=1
    )
    # it had averaged the 35.7 s recording over its channels' axis into 4 samples
    assert not bad.ok and bad.error_type == "InvalidSignalError"
    assert "looks channels-last" in bad.error and "x.T" in bad.error
    for r in (odd, scalar):
        assert r.error_type == "InvalidSignalError" and "a source is a 1-D signal" in r.error
    # the right way round: the mean of the channels, as for a multi-channel file
    (good,) = physiofeat.extract_many([np.stack([x] * 4)], ["temporal"], sr=sr, n_jobs=1)
    np.testing.assert_allclose(good.vector, physiofeat.extract(x, ["temporal"], sr=sr).vector())


@pytest.mark.parametrize(
    "kw, match",
    [
        ({"per_channel": "no"}, "per_channel must be True or False"),
        ({"return_arrays": "no"}, "return_arrays must be True or False"),
        ({"ids": "ab"}, "ids must be a sequence of strings; got str"),
        ({"max_pending": 0}, "max_pending must be >= 1"),
    ],
)
def test_batch_refuses_flags_of_the_wrong_type(kw, match):
    x = np.zeros(4000)
    with pytest.raises(ParameterError, match=match):
        physiofeat.extract_many([x, x], ["rms"], sr=1000, n_jobs=1, **kw)


def test_max_pending_is_checked_before_the_dask_branch():
    # with a Dask client, max_pending=0 had submitted nothing and returned no results
    with pytest.raises(ParameterError, match="max_pending must be >= 1"):
        physiofeat.extract_many([np.zeros(4000)], ["rms"], sr=1000, client=object(), max_pending=0)


def test_arrays_of_two_sources_never_share_a_file(tmp_path):
    from physiofeat.batch import arrays_path

    a, b = arrays_path(tmp_path, "../a.wav"), arrays_path(tmp_path, "a.wav")
    assert a != b and tmp_path in a.parents and tmp_path in b.parents
    assert tmp_path in arrays_path(tmp_path, "..").parents
    x = np.random.default_rng(0).standard_normal(4000)
    kw = dict(sr=1000, n_jobs=1, frame_length=256, hop_length=128)
    with pytest.raises(ParameterError, match=r"ids \['p'\] are given more than once"):
        physiofeat.extract_many([x, x[:2000]], ["rms"], ids=["p", "p"], arrays_dir=tmp_path, **kw)
    physiofeat.extract_many([x, x[:2000]], ["rms"], ids=["p", "q"], arrays_dir=tmp_path, **kw)
    for i, y in zip("pq", (x, x[:2000])):
        ref = physiofeat.extract(y, ["rms"], sr=1000, frame_length=256, hop_length=128)["rms"]
        np.testing.assert_array_equal(np.load(tmp_path / f"{i}.npz")["rms"], ref.values)


@pytest.mark.parametrize("subtype", ["PCM_16", "FLOAT"])
@pytest.mark.parametrize("sr", [None, 1000])
def test_chosen_channels_of_an_audio_file_read_as_the_file_split_into_channels(
    tmp_path, subtype, sr
):
    # chosen channels go through load_record, the split file through load: both must read the
    # file's samples as float32, or the two differ by float32 rounding (1e-6 relative in
    # spectral_centroid_std when chosen channels were read as float64)
    import soundfile as sf

    rng = np.random.default_rng(5)
    path = tmp_path / "st.wav"
    sf.write(path, 0.2 * rng.standard_normal((6000, 2)), 2000, subtype=subtype)
    mono = tmp_path / "mono.wav"
    sf.write(mono, 0.2 * rng.standard_normal(6000), 2000, subtype=subtype)
    req = ["mfcc", "spectral_centroid", "rms"]
    split = physiofeat.extract_many([path], req, per_channel=True, sr=sr)[0]
    for key in ([0, 1], ["0", "1"], [0, -1]):
        chosen = physiofeat.extract_many([path], req, channels=key, sr=sr)[0]
        assert chosen.ok and list(chosen.channel) == [0, 1]
        np.testing.assert_array_equal(chosen.vector, split.vector)
    # one channel alone is a batch of one row: float32 sums over another batch shape round
    # differently (BLAS), so equal to float32 precision, not to the bit
    one = physiofeat.extract_many([path], req, channels=[1], sr=sr)[0]
    np.testing.assert_allclose(one.vector[0], split.vector[1], rtol=2e-5, atol=1e-5)
    whole = physiofeat.extract_many([mono], req, sr=sr)[0]
    chosen = physiofeat.extract_many([mono], req, channels=[0], sr=sr)[0]
    np.testing.assert_array_equal(chosen.vector[0], whole.vector)
