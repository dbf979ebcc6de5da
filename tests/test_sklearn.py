"""physiofeat.sklearn.FeatureExtractor: a transformer equal to extract().vector(), usable in a
Pipeline with cross-validation, clonable, picklable, joblib-able."""

from __future__ import annotations

import pickle
import subprocess
import sys

import joblib
import numpy as np
import pytest
import soundfile as sf

pytest.importorskip("sklearn")
from sklearn.base import clone  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import StratifiedKFold, cross_val_score  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

import physiofeat  # noqa: E402
from physiofeat import ParameterError, PhysiofeatError  # noqa: E402
from physiofeat.sklearn import FeatureExtractor  # noqa: E402

SR = 2000
PARAMS = {"n_fft": 256, "hop_length": 64, "frame_length": 256}


def _fx(**kw):
    return FeatureExtractor(["mfcc", "rms"], sr=SR, params=PARAMS, **kw)


def _two_classes(rng, n=24, length=2000):
    """Class 1 carries a 300 Hz component on top of the noise, class 0 a 60 Hz one."""
    t = np.arange(length) / SR
    y = np.arange(n) % 2
    X = 0.5 * rng.standard_normal((n, length))
    X += np.where(y[:, None] == 1, np.sin(2 * np.pi * 300 * t), np.sin(2 * np.pi * 60 * t))
    return X, y


def test_transform_equals_extract_vector(rng):
    X = rng.standard_normal((5, 1500))
    fx = _fx().fit(X)
    ref = physiofeat.extract(X, ["mfcc", "rms"], sr=SR, **PARAMS)
    np.testing.assert_array_equal(fx.transform(X), ref.vector())
    assert list(fx.get_feature_names_out()) == ref.vector_names()
    assert fx.n_features_out_ == ref.vector().shape[1]
    np.testing.assert_array_equal(_fx().fit_transform(X), ref.vector())


def test_lists_of_unequal_arrays_and_paths(tmp_path, rng):
    xs = [rng.standard_normal(n).astype(np.float32) for n in (900, 1400, 2100)]
    paths = []
    for i, x in enumerate(xs):
        p = tmp_path / f"r{i}.wav"
        sf.write(p, x, SR, subtype="FLOAT")
        paths.append(str(p))
    expect = np.stack(
        [physiofeat.extract(x, ["mfcc", "rms"], sr=SR, **PARAMS).vector() for x in xs]
    )
    np.testing.assert_array_equal(_fx().fit(xs).transform(xs), expect)
    fx = FeatureExtractor(["mfcc", "rms"], params=PARAMS)  # paths: each file's own rate
    np.testing.assert_array_equal(fx.fit_transform(paths), expect)
    np.testing.assert_array_equal(_fx(n_jobs=2).fit(paths).transform(paths), expect)


def test_failed_inputs_raise_or_give_nan_rows(tmp_path, rng):
    good = tmp_path / "g.wav"
    sf.write(good, rng.standard_normal(1000).astype(np.float32), SR, subtype="FLOAT")
    bad = tmp_path / "b.wav"
    bad.write_bytes(b"")
    with pytest.raises(
        PhysiofeatError, match=r"1 of 2 inputs failed; first: .*b\.wav: DecodeError"
    ):
        _fx().fit_transform([str(good), str(bad)])
    out = _fx(on_error="nan").fit_transform([str(good), str(bad)])
    assert np.isfinite(out[0]).all() and np.isnan(out[1]).all()


def test_pipeline_cross_validation_separates_two_tone_classes(rng):
    X, y = _two_classes(rng)
    pipe = Pipeline(
        [
            ("features", _fx()),
            ("scale", StandardScaler()),
            ("clf", LogisticRegression(max_iter=2000)),
        ]
    )
    scores = cross_val_score(pipe, X, y, cv=StratifiedKFold(3, shuffle=True, random_state=0))
    assert scores.shape == (3,)
    assert scores.min() >= 0.85  # the classes differ by a 60 vs 300 Hz tone: easy when it works
    # permuting the labels removes the signal: chance level, so the score above is not an artefact
    perm = cross_val_score(pipe, X, rng.permutation(y), cv=StratifiedKFold(3))
    assert perm.mean() < 0.85


def test_get_set_params_clone_pickle_joblib(tmp_path, rng):
    X = rng.standard_normal((3, 1200))
    fx = _fx(stats=("mean",))
    p = fx.get_params()
    assert p == {
        "features": ["mfcc", "rms"],
        "sr": SR,
        "params": PARAMS,
        "stats": ("mean",),
        "n_jobs": 1,
        "on_error": "raise",
        "roles": None,
    }
    c = clone(fx)
    assert c.get_params() == p and c is not fx
    fx.fit(X)
    blob = pickle.loads(pickle.dumps(fx))
    np.testing.assert_array_equal(blob.transform(X), fx.transform(X))
    joblib.dump(fx, tmp_path / "fx.joblib")
    np.testing.assert_array_equal(joblib.load(tmp_path / "fx.joblib").transform(X), fx.transform(X))
    fx.set_params(stats=("mean", "max"), params={**PARAMS, "n_mfcc": 5})
    out = fx.fit_transform(X)
    assert out.shape == (3, 5 * 2 + 2)
    pipe = Pipeline([("f", _fx())])
    pipe.set_params(f__sr=1000)
    assert pipe.get_params()["f__sr"] == 1000


def test_errors():
    X = np.zeros((2, 1000)) + 0.1
    with pytest.raises(NotFittedError, match="not fitted"):
        _fx().transform(X)
    with pytest.raises(NotFittedError, match="not fitted"):
        _fx().get_feature_names_out()
    with pytest.raises(ParameterError, match="sr is required for array input"):
        FeatureExtractor(["rms"]).fit(X)
    with pytest.raises(ParameterError, match="sr is required for array input"):
        FeatureExtractor(["rms"]).fit([X[0], X[1]])
    with pytest.raises(ParameterError, match="on_error must be 'raise' or 'nan'; got 'skip'"):
        _fx(on_error="skip").fit(X)
    with pytest.raises(ParameterError, match="params must be a mapping"):
        FeatureExtractor(["rms"], sr=SR, params=[1]).fit(X)
    with pytest.raises(ParameterError, match="got a 1-D numeric array"):
        _fx().fit_transform(X[0])
    with pytest.raises(ParameterError, match="not one path"):
        _fx().fit_transform("a.wav")
    with pytest.raises(ParameterError, match="X is empty"):
        _fx().fit_transform([])
    with pytest.raises(physiofeat.UnknownFeatureError, match="unknown feature 'nope'"):
        FeatureExtractor(["nope"], sr=SR).fit(X)
    with pytest.raises(ParameterError, match="every input failed"):
        _fx(on_error="nan").fit_transform([np.zeros(0)])


def test_import_physiofeat_does_not_import_sklearn():
    code = (
        "import sys, physiofeat; physiofeat.extract_many; physiofeat.batch; "
        "print(any(m.split('.')[0] in ('sklearn', 'pandas', 'dask', 'tqdm') "
        "for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False", out.stderr


def test_dataframe_rows_are_signals(rng):
    pd = pytest.importorskip("pandas")
    X = rng.standard_normal((3, 1500))
    ref = physiofeat.extract(X, ["rms"], sr=SR, frame_length=256).vector()
    fx = FeatureExtractor(["rms"], sr=SR, params={"frame_length": 256})
    np.testing.assert_array_equal(fx.fit_transform(pd.DataFrame(X)), ref)
    np.testing.assert_array_equal(fx.fit(pd.DataFrame(X)).transform(pd.DataFrame(X)), ref)


def test_fit_learns_names_past_failing_first_inputs(tmp_path, rng):
    bad = tmp_path / "b.wav"
    bad.write_bytes(b"")
    goods = []
    for i in range(2):
        p = tmp_path / f"g{i}.wav"
        sf.write(p, rng.standard_normal(1000).astype(np.float32), SR, subtype="FLOAT")
        goods.append(str(p))
    fx = FeatureExtractor(["rms"], params={"frame_length": 256}, on_error="nan")
    fx.fit([str(bad), *goods])
    assert list(fx.get_feature_names_out()) == ["rms_mean", "rms_std", "rms_min", "rms_max"]
    out = fx.transform([str(bad), *goods])
    assert np.isnan(out[0]).all() and np.isfinite(out[1:]).all()
    with pytest.raises(PhysiofeatError, match=r"1 of 1 inputs failed; first: .*b\.wav"):
        FeatureExtractor(["rms"], params={"frame_length": 256}).fit([str(bad), *goods])
    with pytest.raises(ParameterError, match="every input failed"):
        FeatureExtractor(["rms"], on_error="nan").fit([str(bad), str(bad)])


def test_cross_validation_in_parallel_around_a_parallel_extractor(tmp_path, rng):
    """Issue #17: cross_val_score(n_jobs=2) around FeatureExtractor(n_jobs=2) on files failed
    every fold (BrokenProcessPool, "cannot find context for 'loky'"). The inner extractor now
    runs serially in each cross-validation worker; the scores equal the all-serial run's."""
    from sklearn.pipeline import make_pipeline

    X, y = _two_classes(rng, n=14, length=1200)
    files = []
    for i, x in enumerate(X):
        p = tmp_path / f"r{i:02d}.wav"
        sf.write(p, x.astype(np.float32), SR, subtype="FLOAT")
        files.append(str(p))

    def scores(inner, outer):
        fx = FeatureExtractor(["mfcc", "rms"], params=PARAMS, n_jobs=inner)
        pipe = make_pipeline(fx, StandardScaler(), LogisticRegression(max_iter=500))
        cv = StratifiedKFold(7, shuffle=True, random_state=0)
        return cross_val_score(pipe, files, y, cv=cv, n_jobs=outer, error_score="raise")

    nested = scores(2, 2)
    np.testing.assert_array_equal(nested, scores(1, 1))
    assert nested.shape == (7,) and np.all(np.isfinite(nested))
