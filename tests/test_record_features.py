"""Record features (issue 14): channel roles, extract(record, ...), ecg_multilead and
ecg_pcg_timing, and the batch front ends over records."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

import physiofeat
from physiofeat import InvalidSignalError, ParameterError
from physiofeat.ecgpcg import TIMING_STATS, synthetic_ecg_pcg, timing, timing_features
from physiofeat.io import resample
from physiofeat.records import MissingRoleError, Record, channel_role

# -------------------------------------------------------------------------------------------
# Roles


@pytest.mark.parametrize(
    ("name", "role"),
    [
        ("i", "ecg"), ("II", "ecg"), ("iii", "ecg"), ("aVR", "ecg"), ("avl", "ecg"),
        ("AVF", "ecg"), ("V1", "ecg"), ("v6", "ecg"), ("MLII", "ecg"), ("ML5", "ecg"),
        ("CM5", "ecg"), ("ECG", "ecg"), ("ECG II", "ecg"), ("ecg1", "ecg"), ("EKG", "ecg"),
        ("Lead II", "ecg"), (" ECG ", "ecg"),
        ("PCG", "pcg"), ("pcg", "pcg"), ("Phono 1", "pcg"), ("phonocardiogram", "pcg"),
        ("Heart Sound", "pcg"), ("heart sound (apex)", "pcg"), ("sound", "pcg"),
        ("mic_left", "pcg"), ("Microphone", "pcg"), ("audio", "pcg"), ("Stethoscope", "pcg"),
        ("Resp", None), ("EEG II", None), ("record 30, signal 0", None), ("0", None),
        ("SpO2", None), ("vi", None), ("micro", None),
    ],
)  # fmt: skip
def test_channel_role_rule(name, role):
    assert channel_role(name) == role


def test_mono_audio_is_pcg_stereo_has_no_roles(tmp_path):
    import soundfile as sf

    rec = physiofeat.load_record(physiofeat.data.path("a0007"))
    assert rec.names == ("0",) and rec.roles() == {"pcg": (0,)}
    sf.write(tmp_path / "st.wav", np.zeros((4000, 2)), 2000)
    assert physiofeat.load_record(tmp_path / "st.wav").roles() == {}
    # the text and WFDB records of the shared data are named: no mono rule there
    rec = Record.from_arrays({"0": (np.zeros(100), 100.0)})
    assert rec.roles() == {}


def test_roles_overrides():
    rec = physiofeat.load_record(physiofeat.data.path("ludb_1"))
    assert rec.roles() == {"ecg": tuple(range(12))}
    assert rec.roles({"ecg": ["ii", "V5"]}) == {"ecg": (1, 10)}
    assert rec.roles({"ecg": "ii"}) == {"ecg": (1,)}
    # an overridden role takes its channels away from the role the rule gave them
    assert rec.roles({"pcg": "v6"}) == {"ecg": tuple(range(11)), "pcg": (11,)}
    with pytest.raises(ParameterError, match=r"unknown channel role 'eeg'; roles are ecg, pcg"):
        rec.roles({"eeg": "i"})
    with pytest.raises(ParameterError, match=r"no channel 'x'; its channels: 0 'i', 1 'ii'"):
        rec.roles({"pcg": "x"})
    with pytest.raises(ParameterError, match=r"roles\['ecg'\] must be a channel name or index"):
        rec.roles({"ecg": []})
    with pytest.raises(ParameterError, match=r"roles must be a mapping role -> channel name"):
        rec.roles(["ecg"])


def test_roles_overrides_giving_one_channel_two_roles_are_refused():
    """Two overrides naming one channel: a ParameterError naming it, whatever their order
    (the later override silently took the channel from the earlier one)."""
    rec = physiofeat.load_record(physiofeat.data.path("ludb_1"))
    for roles in ({"pcg": "v6", "ecg": ["ii", "v6"]}, {"ecg": ["ii", "v6"], "pcg": "v6"}):
        with pytest.raises(
            ParameterError,
            match=r"roles= gives channel 11 'v6' two roles \((ecg and pcg|pcg and ecg)\)",
        ):
            rec.roles(roles)


def test_role_signal_resamples_leads_to_the_highest_rate_and_cuts_to_the_shortest():
    a, _ = physiofeat.ecg.synthetic_ecg(duration=4.0, sr=500)
    b, _ = physiofeat.ecg.synthetic_ecg(duration=4.2, sr=1000)
    rec = Record.from_arrays({"ii": (a, 500), "v5": (b, 1000), "PCG": (np.zeros(8000), 2000)})
    x, sr, names = rec.role_signal("ecg")
    up = resample(a, 500, 1000)
    n = min(up.size, b.size)
    assert sr == 1000.0 and names == ("ii", "v5") and x.shape == (2, n)
    np.testing.assert_array_equal(x[0], up[:n])
    np.testing.assert_array_equal(x[1], b[:n])
    with pytest.raises(MissingRoleError, match=r"no channel of role 'pcg'"):
        Record.from_arrays({"ii": (a, 500)}).role_signal("pcg")


# -------------------------------------------------------------------------------------------
# extract on a record


@pytest.fixture(scope="module")
def pair():
    ecg, pcg, sr, truth = synthetic_ecg_pcg(
        duration=12.0, sr=2000, emat=0.06, qs2=0.36, missing_s2=(3, 7)
    )
    return ecg, pcg, sr, truth


def test_ecg_pcg_timing_equals_timing_features_and_recovers_known_delays(pair):
    ecg, pcg, sr, truth = pair
    rec = Record.from_arrays({"ECG": (ecg, sr), "PCG": (pcg, sr)})
    for method in ("gated", "hsmm"):
        f = physiofeat.extract(rec, {"ecg_pcg_timing": {"method": method}})
        ref = timing_features(timing(ecg, pcg, sr=sr, method=method))
        np.testing.assert_array_equal(f["ecg_pcg_timing"].values, ref)
        assert f.vector_names() == [f"ecg_pcg_timing_{s}" for s in TIMING_STATS]
        v = dict(zip(f.vector_names(), f.vector()))
        # S1 onset to S2 onset is qs2 - emat = 0.30 s by construction (no QRS onset involved)
        assert abs(v["ecg_pcg_timing_s1_s2_median"] - 0.30) <= 0.002, method
        n = truth["qrs_onset"].size
        assert v["ecg_pcg_timing_s1_fraction"] == pytest.approx(1.0)
        assert v["ecg_pcg_timing_s2_fraction"] == pytest.approx((n - 2) / n, abs=1.01 / n)
        assert f["ecg_pcg_timing"].attrs["method"] == method
        assert f["ecg_pcg_timing"].attrs["channels"] == {"ecg": ("ECG",), "pcg": ("PCG",)}


def test_ecg_and_pcg_at_their_own_rates(pair):
    """The ECG at 500 Hz and the heart sound at 2 kHz: each channel is used at its own rate
    (timing is at the PCG's); S1-S2 still 0.30 s."""
    ecg, pcg, sr, _ = pair
    ecg500 = resample(ecg, sr, 500)
    rec = Record.from_arrays({"ECG II": (ecg500, 500), "Heart Sound": (pcg, sr)})
    f = physiofeat.extract(rec, ["ecg_pcg_timing"])
    ref = timing_features(timing(ecg500, pcg, sr=500, pcg_sr=sr))
    np.testing.assert_array_equal(f["ecg_pcg_timing"].values, ref)
    v = dict(zip(f.vector_names(), f.vector()))
    assert abs(v["ecg_pcg_timing_s1_s2_median"] - 0.30) <= 0.002
    assert f.sr is None and f["ecg_pcg_timing"].attrs["rates"] == {"ecg": 500.0, "pcg": 2000.0}
    # an explicit sr must be the rate of every channel the request uses
    with pytest.raises(ParameterError, match=r"sr=500 Hz disagrees with the record's rates "):
        physiofeat.extract(rec, ["ecg_pcg_timing"], sr=500)
    same = Record.from_arrays({"ECG": (ecg, sr), "PCG": (pcg, sr)})
    a = physiofeat.extract(same, ["ecg_pcg_timing"], sr=sr).vector()
    np.testing.assert_array_equal(a, physiofeat.extract(same, ["ecg_pcg_timing"]).vector())


def test_ecg_multilead_equals_pr_and_qt_features_on_all_leads():
    rec = physiofeat.load_record(physiofeat.data.path("ludb_1"))
    x = rec.to_array()
    f = physiofeat.extract(rec, ["ecg_multilead"])
    want = np.r_[physiofeat.ecg.pr_features(x, sr=rec.sr), physiofeat.ecg.qt_features(x, sr=rec.sr)]
    np.testing.assert_array_equal(f.vector(), want)
    names = f.vector_names()
    assert names[:2] == ["ecg_multilead_heart_rate", "ecg_multilead_rr_mean"]
    assert "ecg_multilead_pr_median" in names and "ecg_multilead_qtc_median" in names
    # its stat names are pr_interval's and qt_interval's
    lead = physiofeat.extract(x[1], ["pr_interval", "qt_interval"], sr=rec.sr).vector_names()
    assert [n.removeprefix("ecg_multilead_") for n in names] == [
        n.removeprefix("pr_interval_").removeprefix("qt_interval_") for n in lead
    ]
    # other leads, other parameters: the same as the public functions on those leads
    f = physiofeat.extract(
        rec,
        {"ecg_multilead": {"qtc": "fridericia", "p_threshold": 0.5}},
        roles={"ecg": ["ii", "v5"]},
    )
    two = x[[1, 10]]
    want = np.r_[
        physiofeat.ecg.pr_features(two, sr=500, p_threshold=0.5),
        physiofeat.ecg.qt_features(two, sr=500, qtc="fridericia", p_threshold=0.5),
    ]
    np.testing.assert_array_equal(f.vector(), want)
    assert f["ecg_multilead"].attrs["channels"] == {"ecg": ("ii", "v5")}


def test_ecg_multilead_column_names_do_not_depend_on_the_number_of_leads():
    rec = physiofeat.load_record(physiofeat.data.path("ludb_1"))
    one = physiofeat.extract(rec, ["ecg_multilead"], roles={"ecg": "ii"}).vector_names()
    assert one == physiofeat.extract(rec, ["ecg_multilead"]).vector_names()


def test_record_features_share_one_delineation(pair):
    ecg, pcg, sr, _ = pair
    rec = Record.from_arrays({"ECG": (ecg, sr), "PCG": (pcg, sr)})
    f = physiofeat.extract(rec, ["ecg_multilead", "ecg_pcg_timing"])
    assert f.computed["record_ecg_beats"] == 1
    assert len(f.vector()) == 25 + len(TIMING_STATS)


def test_extract_errors_on_records(pair):
    ecg, pcg, sr, _ = pair
    rec = Record.from_arrays({"ECG": (ecg, sr), "PCG": (pcg, sr)})
    with pytest.raises(ParameterError, match=r"'ecg_pcg_timing' is a record feature .*pass a phys"):
        physiofeat.extract(np.stack([ecg, pcg]), ["ecg_pcg_timing"], sr=sr)
    with pytest.raises(
        ParameterError, match=r"either record features .*\['ecg_pcg_timing'\].*\['rms'\]"
    ):
        physiofeat.extract(rec, ["ecg_pcg_timing", "rms"])
    with pytest.raises(ParameterError, match=r"x is a Record .*\['rms'\] are features of one"):
        physiofeat.extract(rec, ["rms"])
    with pytest.raises(ParameterError, match=r"^roles= names the channels of a record"):
        physiofeat.extract(ecg, ["rms"], sr=sr, roles={"pcg": "PCG"})
    with pytest.raises(TypeError, match=r"missing 1 required keyword-only argument: 'sr'"):
        physiofeat.extract(ecg, ["rms"])
    # a parameter of the feature is checked as for any feature
    with pytest.raises(ParameterError, match=r"method must be one of"):
        physiofeat.extract(rec, ["ecg_pcg_timing"], method="nope")
    # two PCG channels: which one is the heart sound is asked
    three = Record.from_arrays({"ECG": (ecg, sr), "mic 1": (pcg, sr), "mic 2": (pcg, sr)})
    with pytest.raises(ParameterError, match=r"has 2 PCG channels \('mic 1', 'mic 2'\); choose"):
        physiofeat.extract(three, ["ecg_pcg_timing"])
    a = physiofeat.extract(three, ["ecg_pcg_timing"], roles={"pcg": "mic 2"}).vector()
    np.testing.assert_array_equal(a, physiofeat.extract(rec, ["ecg_pcg_timing"]).vector())


def test_a_record_without_a_role_is_a_missing_role_error_naming_its_channels():
    wav = physiofeat.load_record(physiofeat.data.path("a0007"))
    with pytest.raises(
        MissingRoleError,
        match=r"a0007.wav: ecg_pcg_timing needs a channel of role 'ecg' and the record has "
        r"none; its channels: 0 '0' \(pcg\)\. Name the channel\(s\) with roles=",
    ):
        physiofeat.extract(wav, ["ecg_pcg_timing"])
    assert issubclass(MissingRoleError, InvalidSignalError)
    ludb = physiofeat.load_record(physiofeat.data.path("ludb_1"))
    with pytest.raises(MissingRoleError, match=r"role 'pcg' .* 0 'i' \(ecg\), 1 'ii' \(ecg\)"):
        physiofeat.extract(ludb, ["ecg_pcg_timing"])
    # a role given by name overrides the rule: lead v6 as a (poor) heart sound is computed
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f = physiofeat.extract(ludb, ["ecg_pcg_timing"], roles={"pcg": "v6", "ecg": "ii"})
    assert f["ecg_pcg_timing"].attrs["channels"] == {"ecg": ("ii",), "pcg": ("v6",)}


def test_register_feature_roles_are_checked():
    from physiofeat._registry import register_feature

    with pytest.raises(ParameterError, match=r"roles must be a sequence of ecg, pcg; got \('eeg',"):
        register_feature("bad_roles_test", dims=(), description="x", roles=("eeg",))(lambda c: 0)
    with pytest.raises(ParameterError, match=r"roles must be a sequence of ecg, pcg; got 'ecg'"):
        register_feature("bad_roles_test", dims=(), description="x", roles="ecg")(lambda c: 0)
    specs = {s.name: s for s in physiofeat.features()}
    assert specs["ecg_pcg_timing"].roles == ("ecg", "pcg")
    assert specs["ecg_multilead"].roles == ("ecg",)
    assert specs["ecg_pcg_timing"].defaults == {
        "method": "gated",
        "onset_fraction": 0.5,
        "min_snr": 3.0,
    }
    assert not specs["mfcc"].roles and "roles=('ecg', 'pcg')" in specs["ecg_pcg_timing"].describe()


def test_a_user_record_feature():
    from physiofeat import Feature
    from physiofeat._registry import _FEATURES, register_feature

    @register_feature("pcg_ecg_rms_ratio_test", roles=("ecg", "pcg"), dims=(), description="x")
    def _ratio(ctx):
        e, _ = ctx.signal("ecg")
        p, _ = ctx.signal("pcg")
        return Feature(np.sqrt(np.mean(p**2)) / np.sqrt(np.mean(e**2)), dims=())

    try:
        rec = Record.from_arrays({"ECG": (np.full(100, 2.0), 100), "PCG": (np.ones(400), 400)})
        f = physiofeat.extract(rec, ["pcg_ecg_rms_ratio_test"])
        assert f.vector_names() == ["pcg_ecg_rms_ratio_test"] and f.vector()[0] == 0.5
    finally:
        _FEATURES.pop("pcg_ecg_rms_ratio_test", None)


# -------------------------------------------------------------------------------------------
# The batch front ends


def test_extract_many_over_records_and_paths_in_a_pool(shared_data, pair):
    from physiofeat.batch import extract_many, results_to_frame

    eph = shared_data / "ecg_pcg/ephnogram/ECGPCG0003.hea"
    ecg, pcg, sr, _ = pair
    mem = Record.from_arrays({"ECG": (ecg, sr), "PCG": (pcg, sr)})
    sources = [str(eph), physiofeat.data.path("a0007"), mem]
    res = extract_many(sources, ["ecg_pcg_timing"], n_jobs=2)
    assert [r.ok for r in res] == [True, False, True]
    assert res[1].error_type == "MissingRoleError" and "role 'ecg'" in res[1].error
    rec = physiofeat.load_record(eph)
    want = timing_features(timing(rec["ECG"], rec["PCG"], sr=8000))
    np.testing.assert_array_equal(res[0].vector, want)
    np.testing.assert_array_equal(res[2].vector, timing_features(timing(ecg, pcg, sr=sr)))
    assert res[0].channel_name == ["ecg: ECG; pcg: PCG"] and res[0].sr == 8000.0
    df = results_to_frame(res)
    assert (
        df.shape == (2, 2 + len(TIMING_STATS))
        and list(df["channel_name"])[0] == "ecg: ECG; pcg: PCG"
    )
    serial = extract_many(sources, ["ecg_pcg_timing"], n_jobs=1)
    np.testing.assert_array_equal(serial[0].vector, res[0].vector)


def test_extract_many_takes_one_record_as_one_source(pair):
    """One Record is one source, as one path is (not its channels, one source each)."""
    from physiofeat.batch import extract_many

    ecg, pcg, sr, _ = pair
    mem = Record.from_arrays({"ECG": (ecg, sr), "PCG": (pcg, sr)}, path="mem/pair")
    res = extract_many(mem, ["ecg_pcg_timing"], n_jobs=1)
    assert len(res) == 1 and res[0].ok, [(r.error_type, r.error) for r in res]
    np.testing.assert_array_equal(res[0].vector, timing_features(timing(ecg, pcg, sr=sr)))


def test_error_record_of_a_record_source_names_its_path(pair):
    """A Record that fails gives an error record with the record's path, as one that
    succeeds gives a row with it."""
    from physiofeat.batch import extract_many

    ecg, pcg, sr, _ = pair
    good = Record.from_arrays({"ECG": (ecg, sr), "PCG": (pcg, sr)}, path="mem/good")
    bad = Record.from_arrays({"PCG": (pcg, sr)}, path="mem/bad")
    res = extract_many([good, bad], ["ecg_pcg_timing"], n_jobs=1)
    assert [r.ok for r in res] == [True, False]
    assert res[1].error_type == "MissingRoleError"
    assert [r.path for r in res] == ["mem/good", "mem/bad"]


def test_a_record_source_of_single_signal_features_is_a_clear_error_record(pair):
    """A Record given to features of one signal: an error record that says so (it was read
    as an array: 'an array without a sampling rate', or 'got dtype object' with sr=)."""
    from physiofeat.batch import extract_many

    ecg, pcg, sr, _ = pair
    mem = Record.from_arrays({"ECG": (ecg, sr), "PCG": (pcg, sr)})
    for kw in ({}, {"sr": sr}):
        res = extract_many([mem], ["rms"], n_jobs=1, **kw)
        assert res[0].error_type == "ParameterError", res[0].error
        assert re.search(
            r"^source '0' is a Record: .*\['rms'\] are features of one signal", res[0].error
        )
        assert "rec.channel(name).sr" in res[0].error


def test_extract_many_record_request_errors():
    from physiofeat.batch import extract_many

    p = physiofeat.data.path("ludb_1")
    with pytest.raises(ParameterError, match=r"roles \(--role\) choose the channels of record"):
        extract_many([p], ["rms"], roles={"pcg": "0"}, n_jobs=1)
    with pytest.raises(ParameterError, match=r"per_channel \(--per-channel\) does not apply"):
        extract_many([p], ["ecg_multilead"], per_channel=True, n_jobs=1)
    with pytest.raises(ParameterError, match=r"segment \(--segment\) does not apply"):
        extract_many([p], ["ecg_multilead"], segment=2.0, n_jobs=1)
    with pytest.raises(ParameterError, match=r"either record features"):
        extract_many([p], ["ecg_multilead", "pr_interval"], n_jobs=1)
    res = extract_many([np.zeros(1000)], ["ecg_multilead"], sr=500, n_jobs=1)
    assert (
        res[0].error_type == "ParameterError" and "record features take file paths" in res[0].error
    )
    # channels are chosen first, then roles among them
    res = extract_many([p], ["ecg_multilead"], channels=["ii", "v5"], n_jobs=1)
    x = physiofeat.load_record(p, channels=["ii", "v5"]).to_array()
    want = np.r_[physiofeat.ecg.pr_features(x, sr=500), physiofeat.ecg.qt_features(x, sr=500)]
    np.testing.assert_array_equal(res[0].vector, want)
    assert res[0].channel_name == ["ecg: ii, v5"]


def test_feature_extractor_on_record_paths():
    from physiofeat.sklearn import FeatureExtractor

    p = physiofeat.data.path("ludb_1")
    fx = FeatureExtractor(["ecg_multilead"], roles={"ecg": ["ii", "v5"]})
    out = fx.fit_transform([p, p])
    x = physiofeat.load_record(p).to_array()[[1, 10]]
    want = np.r_[physiofeat.ecg.pr_features(x, sr=500), physiofeat.ecg.qt_features(x, sr=500)]
    np.testing.assert_array_equal(out, np.stack([want, want]))
    assert list(fx.get_feature_names_out())[:1] == ["ecg_multilead_heart_rate"]
    np.testing.assert_array_equal(fx.transform([physiofeat.load_record(p)]), want[None, :])
    with pytest.raises(ParameterError, match=r"X must be a list of records, not one record"):
        fx.transform(physiofeat.load_record(p))


def test_records_page_snippets_run(tmp_path):
    """docs/records.rst's snippets (the record-features worked example included) run as
    written, their value comments checked, as tests/test_docs.py runs the other pages."""
    import os
    import subprocess
    import sys

    from test_docs import DOCS, PRELUDE, python_blocks, with_checks

    code = with_checks("\n\n".join(python_blocks(DOCS / "records.rst")))
    assert "ecg_multilead" in code and code.count("assert (") >= 8
    script = tmp_path / "records_snippets.py"
    script.write_text(PRELUDE + code + "\n")
    res = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        env={**os.environ, "MPLBACKEND": "Agg"},
        cwd=tmp_path,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr[-3000:]
