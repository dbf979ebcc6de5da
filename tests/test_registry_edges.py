"""Edges of the registry and of Feature summaries: preset merging, the checks of what a user's
feature returns and of what register_feature takes, unique column names, complex values, an
empty time axis, errors naming the feature, and hht's fixed summary."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

import physiofeat
from physiofeat import Feature, ParameterError, _registry, register_feature
from physiofeat._registry import register_preset

SR = 2000
DOCS = Path(__file__).resolve().parents[1] / "docs"


@pytest.fixture(autouse=True)
def registry():
    """Every feature and preset a test registers is gone after it (built-ins loaded first, so
    that they are in the snapshot)."""
    physiofeat.features()
    feats, presets = dict(_registry._FEATURES), dict(_registry._PRESETS)
    yield
    _registry._FEATURES.clear()
    _registry._FEATURES.update(feats)
    _registry._PRESETS.clear()
    _registry._PRESETS.update(presets)


@pytest.fixture(scope="module")
def x():
    return np.random.default_rng(0).standard_normal(4000)


def _register(name, compute, *, dims=(), **kw):
    return register_feature(name, dims=dims, description="test feature", **kw)(compute)


# ---------------------------------------------------------------- 3: a preset's feature by name


def _mfcc_params(feat):
    return {k: feat.attrs[k] for k in ("n_mfcc", "n_fft", "hop_length", "n_mels", "fmin", "fmax")}


def test_preset_feature_given_by_name_changes_only_that_parameter(x):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 2 s: too short for the heart-sound segmenter
        preset = physiofeat.extract(x, "heart_sound", sr=SR)
        both = physiofeat.extract(x, {"heart_sound": {}, "mfcc": {"n_fft": 512}}, sr=SR)
    assert list(both) == list(preset)  # mfcc keeps its place
    assert both.vector_names() == preset.vector_names()  # 394 columns, not 422
    assert len(both.vector_names()) == 394
    want = {**_mfcc_params(preset["mfcc"]), "n_fft": 512}
    assert _mfcc_params(both["mfcc"]) == want
    assert want["n_mfcc"] == 13 and want["hop_length"] == 64 and want["n_mels"] == 40


def test_preset_merge_order_and_two_presets(x):
    register_preset(
        "edges_p1",
        {"rms": {"frame_length": 64, "hop_length": 32}, "zero_crossing_rate": {}},
        description="t",
    )
    register_preset("edges_p2", {"rms": {"hop_length": 16}}, description="t")
    # named before the preset: computed first, its own value still wins over the preset's
    f = physiofeat.extract(x, {"rms": {"hop_length": 8}, "edges_p1": {}}, sr=SR)
    assert list(f) == ["rms", "zero_crossing_rate"]
    assert (f["rms"].attrs["frame_length"], f["rms"].attrs["hop_length"]) == (64, 8)
    # named after it, without parameters: the preset's
    f = physiofeat.extract(x, ["edges_p1", "rms"], sr=SR)
    assert list(f) == ["rms", "zero_crossing_rate"]
    assert (f["rms"].attrs["frame_length"], f["rms"].attrs["hop_length"]) == (64, 32)
    # two presets: the later one's values where they differ, the earlier one's elsewhere
    f = physiofeat.extract(x, ["edges_p1", "edges_p2"], sr=SR)
    assert (f["rms"].attrs["frame_length"], f["rms"].attrs["hop_length"]) == (64, 16)


def test_docs_and_register_preset_say_how_a_preset_merges():
    doc = register_preset.__doc__
    assert "a feature named twice keeps the parameters given last" not in doc
    assert "updated by those given to it by name" in doc
    assert "updated by those given to it by name" in (DOCS / "features.rst").read_text()


# ----------------------------------------------------------- 4: returned dims against declared


def test_feature_returning_a_signal_axis_for_one_signal_is_refused(x):
    _register("edges_time", lambda ctx: Feature(np.zeros((3, 10)), dims=("time",)), dims=("time",))
    with pytest.raises(
        ParameterError,
        match=r"feature 'edges_time' returned values of shape \(3, 10\) with dims "
        r"\('signal', 'time'\).*registered with dims=\('time',\): for one signal it must "
        r"return dims \('time',\)",
    ):
        physiofeat.extract(x, ["edges_time"], sr=SR)


def test_feature_returning_other_rows_than_the_batch_is_refused(x):
    _register("edges_rows", lambda ctx: Feature(np.zeros((5, 10)), dims=("time",)), dims=("time",))
    with pytest.raises(
        ParameterError,
        match=r"feature 'edges_rows' returned values of shape \(5, 10\).*for a batch of 3 "
        r"signals it must return dims \('signal', 'time'\) with 3 rows on 'signal'",
    ):
        physiofeat.extract(np.stack([x, x, x]), ["edges_rows"], sr=SR)


def test_feature_returning_other_dims_than_declared_is_refused(x):
    _register("edges_cd", lambda ctx: Feature(np.zeros(10), ("time",)), dims=("coef", "time"))
    with pytest.raises(
        ParameterError,
        match=r"feature 'edges_cd' returned values of shape \(10,\) with dims \('time',\); it "
        r"is registered with dims=\('coef', 'time'\)",
    ):
        physiofeat.extract(x, ["edges_cd"], sr=SR)


def test_declared_dims_pass_for_one_signal_a_batch_and_frames(x):
    def compute(ctx, *, frames=False):
        v = np.ones(ctx.x.shape[:-1] + ((2, 7) if frames else (2,)))
        return Feature(v, ("coef", "time") if frames else ("coef",))

    _register("edges_ok", compute, dims=("coef",))
    assert physiofeat.extract(x, ["edges_ok"], sr=SR)["edges_ok"].dims == ("coef",)
    batch = physiofeat.extract(np.stack([x, x]), ["edges_ok"], sr=SR)["edges_ok"]
    assert batch.dims == ("signal", "coef") and batch.shape == (2, 2)
    framed = physiofeat.extract(x, {"edges_ok": {"frames": True}}, sr=SR)["edges_ok"]
    assert framed.dims == ("coef", "time")  # a trailing time axis, as temporal's frame_length
    t = physiofeat.extract(np.stack([x, x]), {"temporal": {"frame_length": 256}}, sr=SR)
    assert t["temporal"].dims == ("signal", "stat", "time")


# ---------------------------------------------------------------- 5a: unique vector names


def test_duplicate_vector_names_across_features_are_refused(x):
    _register("mfcc_coef0", lambda ctx: Feature(np.zeros(5), dims=("time",)), dims=("time",))
    f = physiofeat.extract(x, ["mfcc", "mfcc_coef0"], sr=SR, n_fft=256, hop_length=64)
    with pytest.raises(
        ParameterError,
        match=r"column names must be unique; 4 are not: 'mfcc_coef0_mean' \(from 'mfcc', "
        r"'mfcc_coef0'\)",
    ):
        f.vector_names()
    with pytest.raises(ParameterError, match=r"must be unique"):
        f.vector()
    assert f["mfcc_coef0"].values.shape == (5,)  # the arrays stay available


def test_duplicate_labels_of_an_axis_are_refused(x):
    _register(
        "edges_band",
        lambda ctx: Feature(np.zeros(2), dims=("band",), coords={"band": ["lo", "lo"]}),
        dims=("band",),
    )
    f = physiofeat.extract(x, ["edges_band"], sr=SR)
    with pytest.raises(
        ParameterError, match=r"1 are not: 'edges_band_lo' \(from 'edges_band' 2 times\)"
    ):
        f.to_frame()


# ------------------------------------------------------- 7: a preset's name is no feature's


def test_register_feature_refuses_a_preset_name():
    with pytest.raises(ParameterError, match=r"'heart_sound' is a preset name"):
        _register("heart_sound", lambda ctx: Feature(np.float64(1.0), ()))
    with pytest.raises(ParameterError, match=r"'heart_sound' is a preset name"):
        _register("heart_sound", lambda ctx: Feature(np.float64(1.0), ()), overwrite=True)
    assert "heart_sound" not in _registry._FEATURES


# ------------------------------------------------------------------- 8: complex values


def test_complex_values_are_refused_by_the_summary(x):
    _register(
        "edges_cplx", lambda ctx: Feature(np.array([1 + 1j, 2 + 2j]), ("time",)), dims=("time",)
    )
    f = physiofeat.extract(x, ["edges_cplx"], sr=SR)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no ComplexWarning on the way
        with pytest.raises(
            ParameterError,
            match=r"feature 'edges_cplx' has complex values \(complex128\).*np\.abs, np\.real "
            r"or np\.angle",
        ):
            f.vector()
    with pytest.raises(ParameterError, match=r"complex values"):  # no time axis either
        Feature(np.array([1j]), ("band",), name="edges_c").vector()


# ------------------------------------------------------- 9: errors inside a user's feature


@pytest.mark.parametrize(
    "value, kind", [(np.zeros(3), "ndarray"), (None, "NoneType"), ({"a": 1}, "dict")]
)
def test_feature_returning_no_feature_is_named(x, value, kind):
    _register("edges_bare", lambda ctx: value)
    with pytest.raises(
        ParameterError,
        match=rf"^feature 'edges_bare' returned {kind}; a feature's compute must return a "
        r"physiofeat\.Feature",
    ):
        physiofeat.extract(x, ["edges_bare"], sr=SR)


@pytest.mark.parametrize("exc_type", [RuntimeError, ValueError, ZeroDivisionError])
def test_exception_in_a_feature_keeps_its_type_and_gets_a_note(x, exc_type):
    def compute(ctx):
        raise exc_type("boom")

    _register("edges_raise", compute)
    with pytest.raises(exc_type) as info:
        physiofeat.extract(x, ["rms", "edges_raise"], sr=SR)
    assert info.type is exc_type and str(info.value) == "boom"
    assert info.value.__notes__ == ["in feature 'edges_raise'"]


def test_wrong_coordinate_length_is_a_typed_error_naming_the_feature(x):
    _register(
        "edges_coord",
        lambda ctx: Feature(np.zeros(3), ("band",), coords={"band": ["a", "b"]}),
        dims=("band",),
    )
    with pytest.raises(
        ParameterError,
        match=r"^feature 'edges_coord': a Feature's coordinate 'band' has 2 entries for an axis "
        r"of length 3",
    ):
        physiofeat.extract(x, ["edges_coord"], sr=SR)
    with pytest.raises(ParameterError, match=r"^a Feature's values have 1 axes \(3,\) but dims"):
        Feature(np.ones(3), ("a", "b"))


# ------------------------------------------------------------------ 10: empty time axis


@pytest.mark.parametrize(
    "values, dims, n_cols",
    [(np.zeros(0), ("time",), 4), (np.zeros((2, 0)), ("coef", "time"), 8)],
)
def test_empty_time_axis_gives_nan(values, dims, n_cols):
    names, v = Feature(values, dims, name="edges_empty").vector()
    assert len(names) == n_cols and v.shape == (n_cols,) and np.isnan(v).all()
    names, v = Feature(np.stack([values] * 3), dims, name="edges_empty").vector()
    assert v.shape == (3, n_cols) and np.isnan(v).all()


# -------------------------------------------------- 11: parameters extract could not pass


@pytest.mark.parametrize(
    "compute, match",
    [
        (
            lambda ctx, *, gain: None,
            r"feature 'edges_sig': compute's parameter 'gain' has no default; every feature "
            r"parameter needs a default",
        ),
        (lambda ctx, **params: None, r"compute takes \*\*params, which names no parameter"),
        (lambda ctx, *, y=None: None, r"compute's parameter 'y' is a reserved name"),
        (lambda ctx, *, S=None: None, r"compute's parameter 'S' is a reserved name"),
        (lambda *, gain=1.0: None, r"must take the context as its first positional argument"),
    ],
)
def test_register_feature_refuses_parameters_extract_cannot_pass(compute, match):
    with pytest.raises(ParameterError, match=match):
        _register("edges_sig", compute)
    assert "edges_sig" not in _registry._FEATURES


def test_params_from_supplies_required_and_var_keyword_parameters(x):
    def public(y, *, sr, gain=2.0):
        return gain

    def compute(ctx, *, gain):
        return Feature(np.float64(gain), ())

    _register("edges_pf", compute, params_from=public)
    assert _registry._FEATURES["edges_pf"].defaults == {"gain": 2.0}
    _register("edges_pf2", lambda ctx, **p: Feature(np.float64(p["gain"]), ()), params_from=public)
    assert float(physiofeat.extract(x, {"edges_pf2": {"gain": 3.0}}, sr=SR).vector()[0]) == 3.0
    with pytest.raises(ParameterError, match=r"'gain' has no default and is excluded"):
        _register("edges_pf3", compute, params_from=public, exclude=("gain",))


# ------------------------------------------------------------ 13: register_feature's arguments


@pytest.mark.parametrize("name", [3, "", "a,b", "a.b", "has space", None])
def test_register_feature_refuses_bad_names(name):
    with pytest.raises(
        ParameterError,
        match=r"a feature name must be a non-empty string of letters, digits and underscores",
    ):
        _register(name, lambda ctx: Feature(np.float64(1.0), ()))
    assert name not in _registry._FEATURES


def test_register_preset_refuses_bad_names():
    with pytest.raises(ParameterError, match=r"a preset name must be a non-empty string"):
        register_preset("a,b", {"rms": {}}, description="t")


@pytest.mark.parametrize(
    "dims, match",
    [
        ("time", r"dims must be a sequence of axis names; got the string 'time'.*dims=\('time',\)"),
        (3, r"dims must be a sequence of axis names such as"),
        (("time", 3), r"dims must be non-empty strings"),
        (("time", "time"), r"dims name an axis twice"),
        (("signal", "time"), r"dims describe one signal's output; the leading 'signal' axis"),
    ],
)
def test_register_feature_refuses_bad_dims(dims, match):
    with pytest.raises(ParameterError, match=rf"feature 'edges_dims': {match}"):
        _register("edges_dims", lambda ctx: Feature(np.zeros(3), ("time",)), dims=dims)
    assert "edges_dims" not in _registry._FEATURES


# ------------------------------------------------------------- 14: hht's summary is fixed


def test_hht_summary_is_fixed_and_says_so(x):
    default = physiofeat.extract(x, ["hht"], sr=SR, n_slots=2)
    median = physiofeat.extract(x, ["hht"], sr=SR, n_slots=2, stats=("median",))
    names = [f"hht_imf{k}_{v}" for k in range(2) for v in physiofeat.hht.IMF_FEATURES]
    assert default.vector_names() == median.vector_names() == names
    np.testing.assert_array_equal(default.vector(), median.vector())
    assert "stats= does not apply" in _registry.get_spec("hht").description
    assert "``hht`` for the same IMF slots" in (DOCS / "features.rst").read_text()
    emd = physiofeat.extract(x, ["emd"], sr=SR, n_slots=2, stats=("median",))
    assert emd.vector_names() == ["emd_imf0_median", "emd_imf1_median"]


# ------------------------------------------------------------------ 15: an empty request


@pytest.mark.parametrize("request_", [[], {}, ()])
def test_an_empty_request_is_refused(x, request_):
    with pytest.raises(ParameterError, match=r"^features is empty; name at least one"):
        physiofeat.extract(x, request_, sr=SR)


# ----------------------------------------------------- 17: the caller's name of the frame


def test_frame_too_long_message_uses_frame_length(x):
    """rms and zcr had been said to have an n_fft (their parameter is frame_length)."""
    with pytest.raises(physiofeat.InvalidSignalError, match=r"frame_length=8000, center=False"):
        physiofeat.extract(x, ["rms"], sr=SR, center=False, frame_length=8000)
    with pytest.raises(physiofeat.InvalidSignalError, match=r"with frame_length=8000 \(needs"):
        physiofeat.extract(x[:3000], ["rms"], sr=SR, frame_length=8000, pad_mode="reflect")
