"""FeatureExtractor: the findings of the sklearn audit (F1-F5, F7-F9), one test each.

Each test fails on the code before the fix: a record path with one-signal features broke
with numpy's broadcast error, ``on_error="nan"`` depended on the form of X, ``fit_transform``
kept a previous fit's names, a 3-D array was mixed to mono in silence, a feature's own
ValueError changed type with the form of X, a 2-D array's failing row was not named, a
one-column DataFrame of paths (``ColumnTransformer``) was refused, and ``n_features_in_``
failed with an obscure message.
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.compose import ColumnTransformer  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

import physiofeat  # noqa: E402
from physiofeat import (  # noqa: E402
    Feature,
    InvalidSignalError,
    ParameterError,
    PhysiofeatError,
    register_feature,
)
from physiofeat.sklearn import FeatureExtractor  # noqa: E402

SR = 2000
P = {"frame_length": 256, "hop_length": 64}
RMS = ["rms_mean", "rms_std", "rms_min", "rms_max"]


def _rms(**kw):
    return FeatureExtractor(["rms"], sr=SR, params=P, **kw)


def _wav_row(path):
    """The reference row of an audio file: extract() on the loaded signal."""
    x, sr = physiofeat.load(path)
    return physiofeat.extract(x, ["rms"], sr=sr).vector()


@pytest.fixture
def X(rng):
    return rng.standard_normal((4, 2000))


@pytest.fixture
def peak_ratio():
    """A registered user feature that raises a plain ValueError on a silent signal."""
    from physiofeat import _registry

    @register_feature("peak_ratio_audit_test", dims=(), description="max / mean |x| (test)")
    def _compute(ctx):
        a = np.abs(np.atleast_2d(ctx.x))
        m = a.mean(-1)
        if np.any(m == 0):
            raise ValueError("peak_ratio: silent signal")
        v = a.max(-1) / m
        return Feature(v if ctx.x.ndim == 2 else v[0], dims=())

    try:
        yield "peak_ratio_audit_test"
    finally:
        _registry._FEATURES.pop("peak_ratio_audit_test", None)


def test_f1_record_path_with_one_signal_features_is_a_typed_error_or_a_nan_row():
    wav = str(physiofeat.data.path("a0007"))
    hea = str(physiofeat.data.path("ludb_1"))  # a 12-lead WFDB record: 12 rows in extract_many
    with pytest.raises(
        ParameterError,
        match=r"1 of 2 inputs failed; first: .*ludb_1\.hea: ParameterError: its 12 channels "
        r"\('i', 'ii', .*one row per input: request record features \(.*ecg_multilead.*\), "
        r"or pass the channels you want as arrays",
    ):
        FeatureExtractor(["rms"]).fit_transform([wav, hea])
    out = FeatureExtractor(["rms"], on_error="nan").fit_transform([wav, hea])
    assert out.shape == (2, 4)
    np.testing.assert_array_equal(out[0], _wav_row(wav))
    assert np.isnan(out[1]).all()
    fx = FeatureExtractor(["rms"], on_error="nan").fit([hea, wav])  # names from the WAV
    assert list(fx.get_feature_names_out()) == RMS
    with pytest.raises(ParameterError, match=r"every input failed; first: .*ludb_1\.hea"):
        FeatureExtractor(["rms"], on_error="nan").fit_transform([hea])


def test_f2_on_error_nan_is_the_same_for_a_one_row_2d_array_and_a_failing_first_row(X):
    bad = X.copy()
    bad[0, 5] = np.nan
    fx = _rms(on_error="nan").fit(bad)  # row 0 fails: the names come from the others
    assert list(fx.get_feature_names_out()) == RMS
    out = fx.transform(bad)
    assert np.isnan(out[0]).all()
    ref = physiofeat.extract(X[1:], ["rms"], sr=SR, **P).vector()
    np.testing.assert_allclose(out[1:], ref, rtol=1e-12, atol=0)
    one = _rms(on_error="nan").fit(X).transform(bad[:1])  # serving one failing sample
    assert one.shape == (1, 4) and np.isnan(one).all()
    np.testing.assert_array_equal(one, _rms(on_error="nan").fit(X).transform(list(bad[:1])))
    with pytest.raises(InvalidSignalError, match=r"1 of 1 inputs failed; first: X\[0\]"):
        _rms().fit(bad)  # on_error="raise" still raises


def test_f3_fit_transform_forgets_the_previous_fit_as_fit_does(X):
    fx = _rms(on_error="nan").fit(X)
    fx.set_params(features=["temporal"], params=None)
    with pytest.raises(ParameterError, match="every input failed; first: X\\[0\\]"):
        fx.fit_transform([np.zeros(0), np.zeros(0)])
    assert not hasattr(fx, "feature_names_out_")  # as after a failing fit
    all_bad = X.copy()
    all_bad[:, 3] = np.nan
    fx = _rms(on_error="nan").fit(X)
    fx.set_params(features=["temporal"], params=None)
    with pytest.raises(ParameterError, match="every input failed"):
        fx.fit_transform(all_bad)
    with pytest.raises(ParameterError, match="every input failed"):
        fx.fit(all_bad)  # what fit says of the same data


def test_f4_a_3d_array_or_a_list_of_2d_arrays_is_refused_not_mixed_to_mono(rng):
    X3 = rng.standard_normal((2, 2, 2000))
    X3[:, 1] *= 10
    with pytest.raises(
        ParameterError,
        match=r"X must be 2-D .*got a 3-D array of shape \(2, 2, 2000\).*pick a channel",
    ):
        _rms().fit_transform(X3)
    with pytest.raises(ParameterError, match=r"got a 3-D array"):
        _rms().fit(X3)
    with pytest.raises(
        ParameterError,
        match=r"X\[0\] is a 2-D array of shape \(2, 2000\); X must be a list of 1-D arrays",
    ):
        _rms().fit_transform(list(X3))
    with pytest.raises(ParameterError, match=r"X\[1\] is a 2-D array"):
        _rms(on_error="nan").fit_transform([X3[0, 0], X3[1]])  # a form error, not a NaN row
    chosen = _rms().fit_transform(X3[:, 1])  # the documented way: pick the channel
    ref = physiofeat.extract(X3[:, 1], ["rms"], sr=SR, **P).vector()
    np.testing.assert_array_equal(chosen, ref)


def test_f5_a_features_own_value_error_is_the_same_for_2d_and_lists(rng, peak_ratio):
    X = rng.standard_normal((3, 1000))
    X[1] = 0.0
    fx = FeatureExtractor([peak_ratio], sr=1000, on_error="nan")
    out2d, outlist = fx.fit_transform(X), fx.fit_transform(list(X))
    a = np.abs(X[[0, 2]])
    expect = a.max(axis=1) / a.mean(axis=1)  # independent: max |x| / mean |x|
    np.testing.assert_allclose(out2d[[0, 2], 0], expect, rtol=1e-12, atol=0)
    assert np.isnan(out2d[1]).all()
    np.testing.assert_array_equal(out2d, outlist)
    errors = []
    for form in (X, list(X)):
        with pytest.raises(ValueError, match=r"first: X\[1\]: ValueError: peak_ratio: silent") as e:
            FeatureExtractor([peak_ratio], sr=1000).fit_transform(form)
        assert isinstance(e.value, PhysiofeatError)
        errors.append(e.value)
    assert type(errors[0]) is type(errors[1]) and str(errors[0]) == str(errors[1])
    assert isinstance(errors[0].__cause__, ValueError)  # the 2-D batch keeps the original
    back = pickle.loads(pickle.dumps(errors[1]))  # crosses joblib's worker processes
    assert isinstance(back, ValueError) and isinstance(back, PhysiofeatError)
    assert str(back) == str(errors[1])


@pytest.mark.filterwarnings("ignore:.*HRV.* too short:physiofeat.ecg.EcgWarning")
def test_f7_a_failing_row_of_a_2d_array_is_named(X):
    Xn = X.copy()
    Xn[2, 5] = np.nan
    msg = r"1 of 4 inputs failed; first: X\[2\]: InvalidSignalError: .*non-finite"
    with pytest.raises(InvalidSignalError, match=msg) as e2d:
        _rms().fit_transform(Xn)
    with pytest.raises(InvalidSignalError, match=msg) as elist:
        _rms().fit_transform(list(Xn))
    assert str(e2d.value) == str(elist.value)  # the same data, the same message
    assert "flat index 4005" not in str(e2d.value)  # the batch's index into all rows
    ecg, sr, _ = physiofeat.data.load_ecg()
    E = np.stack([ecg[1], np.zeros(ecg.shape[1]), ecg[6]])
    with pytest.raises(
        InvalidSignalError, match=r"1 of 3 inputs failed; first: X\[1\]: .*flat line"
    ):
        FeatureExtractor(["hrv"], sr=sr).fit_transform(E)


class _OnlyArray:
    """An object with ``__array__`` only (as sklearn's ``_NotAnArray``)."""

    def __init__(self, data):
        self.data = data

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self.data, dtype=dtype)


def test_f8_a_column_of_paths_sparse_and_array_like_input(X):
    pd = pytest.importorskip("pandas")
    sparse = pytest.importorskip("scipy.sparse")
    wav = str(physiofeat.data.path("a0007"))
    meta = pd.DataFrame({"path": [wav, wav], "age": [3, 5]})
    ct = ColumnTransformer([("fx", FeatureExtractor(["rms"]), ["path"])])
    out = ct.fit_transform(meta)
    ref = _wav_row(wav)
    np.testing.assert_array_equal(out, np.stack([ref, ref]))
    assert list(ct.get_feature_names_out()) == [f"fx__{n}" for n in RMS]
    np.testing.assert_array_equal(
        FeatureExtractor(["rms"], sr=SR).fit_transform(meta[["path"]]), np.stack([ref, ref])
    )  # sr given: the paths are resampled to it, which is their own rate
    with pytest.raises(
        ParameterError, match=r"scipy.sparse csr_matrix of shape \(4, 2000\); sparse input"
    ):
        _rms().fit_transform(sparse.csr_matrix(X))
    np.testing.assert_array_equal(_rms().fit_transform(_OnlyArray(X)), _rms().fit_transform(X))


def test_f9_no_n_features_in_says_why_and_input_features_is_checked(X):
    pipe = make_pipeline(_rms(), StandardScaler()).fit(X)
    with pytest.raises(
        AttributeError, match=r"FeatureExtractor has no n_features_in_: its input is signals"
    ):
        pipe.n_features_in_  # noqa: B018
    assert not hasattr(pipe[0], "n_features_in_")
    with pytest.raises(AttributeError, match=r"has no feature_names_in_"):
        pipe[0].feature_names_in_  # noqa: B018
    assert list(pipe[0].get_feature_names_out(["path"])) == RMS  # ignored, as documented
    assert list(pipe.get_feature_names_out()) == RMS
    with pytest.raises(ParameterError, match=r"input_features must be a 1-D sequence"):
        pipe[0].get_feature_names_out([["a", "b"]])


def test_tags_say_what_the_input_is():
    # scikit-learn's checks and meta-estimators read these: paths (strings) are accepted,
    # sparse input and non-finite samples are refused (the refusals are tested above)
    tags = _rms().__sklearn_tags__()
    assert tags.input_tags.string is True
    assert tags.input_tags.two_d_array is True
    assert tags.input_tags.sparse is False
    assert tags.input_tags.allow_nan is False
    assert tags.requires_fit is True
