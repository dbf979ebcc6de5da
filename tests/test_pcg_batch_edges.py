"""Edge cases of the heart-sound and batch front ends found by using them as a new user would
(session 11): typed errors for bad values that escaped as TypeError, ZeroDivisionError,
IndexError or UnicodeDecodeError; a constant signal is no heart sound; info() refuses what
load() refuses; presets are suggested for a misspelt name; pcgshow leaves a caller's legend
alone and refuses unknown states."""

from __future__ import annotations

import numpy as np
import pytest

import physiofeat
from physiofeat import DecodeError, InvalidSignalError, ParameterError, UnknownFeatureError
from physiofeat.pcg import Segmentation, heart_rate, segment, segmentation_features, signal_quality


@pytest.fixture(scope="module")
def pcg():
    return physiofeat.load(physiofeat.data.path("a0007"))


def test_segment_heart_rate_outside_the_model_is_a_parameter_error(pcg):
    x, sr = pcg
    with pytest.raises(ParameterError, match=r"heart_rate=300 bpm is outside the 40-200 bpm"):
        segment(x, sr=sr, heart_rate=300)


def test_segment_of_a_constant_signal_is_silent(pcg):
    """Its band-pass is round-off (1.6e-16): six 'S1' were found in it."""
    with pytest.raises(InvalidSignalError, match="silent after the band-pass"):
        segment(np.full(20000, 0.5), sr=2000)


def test_segmentation_features_takes_one_name_and_refuses_none(pcg):
    x, sr = pcg
    one = segmentation_features(x, sr=sr, features="homomorphic")
    assert one.shape[0] == 1
    np.testing.assert_array_equal(one, segmentation_features(x, sr=sr, features=["homomorphic"]))
    with pytest.raises(ParameterError, match="at least one segmentation feature; accepted"):
        segmentation_features(x, sr=sr, features=[])


def test_heart_rate_systole_min_beyond_the_cycle_is_a_parameter_error(pcg):
    """systole_min beyond the cycle found: it returned a 5 s systole inside a 1.3 s cycle."""
    x, sr = pcg
    with pytest.raises(
        ParameterError, match=r"systole_min=5 s is not shorter than the heart cycle"
    ):
        heart_rate(x, sr=sr, systole_min=5)
    hr, si = heart_rate(x, sr=sr)
    assert 0 < si < 60.0 / hr


def test_signal_quality_hr_max_is_bounded(pcg):
    x, sr = pcg
    with pytest.raises(ParameterError, match="hr_max"):
        signal_quality(x, sr=sr, hr_max=5000)
    with pytest.raises(ParameterError, match="hr_max"):
        physiofeat.extract(x, {"pcg_quality": {"hr_max": 1e6}}, sr=sr)


def test_from_tsv_of_a_binary_file_is_a_decode_error(tmp_path):
    p = tmp_path / "seg.tsv"
    p.write_bytes(bytes(range(128, 256)) * 4)
    with pytest.raises(DecodeError, match="is not text"):
        Segmentation.from_tsv(p, sr=4000)


def test_extract_many_checks_ids_and_mp_context(pcg):
    x, sr = pcg
    with pytest.raises(ParameterError, match="one id per source; got 1 ids for 2 sources"):
        physiofeat.extract_many([x, x], ["rms"], sr=sr, ids=["a"], n_jobs=1)
    with pytest.raises(ParameterError, match="mp_context must be one of"):
        physiofeat.extract_many([x], ["rms"], sr=sr, n_jobs=2, mp_context="bogus")


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_an_iterator_longer_than_its_ids_keeps_the_results_it_has(pcg, n_jobs):
    # an iterator's length is known only at its end: the sources past the last id are error
    # records, and the results before them are not lost
    x, sr = pcg
    x = x[: 2 * int(sr)]
    res = physiofeat.extract_many(iter([x, x, x]), ["rms"], sr=sr, ids=["a"], n_jobs=n_jobs)
    assert [r.id for r in res] == ["a", "1", "2"]
    assert res[0].ok and res[0].vector.shape == (4,)
    assert [r.error_type for r in res[1:]] == ["ParameterError"] * 2
    assert "source #1 has no id: ids gave 1 ids" in res[1].error


def test_ids_left_over_by_an_iterator_are_warned_of(pcg):
    x, sr = pcg
    x = x[: 2 * int(sr)]
    with pytest.warns(UserWarning, match="ids gave 3 ids for 1 sources: the last 2 ids"):
        res = physiofeat.extract_many(iter([x]), ["rms"], sr=sr, ids=["a", "b", "c"], n_jobs=1)
    assert [(r.id, r.ok) for r in res] == [("a", True)]


@pytest.mark.parametrize("bad", ["2000", -5.0, True, float("nan")])
def test_a_bad_rate_in_an_array_source_names_the_source(pcg, bad):
    # the pair's rate is checked as the source's, not as the resampler's orig_sr
    x, sr = pcg
    for given in (None, 1000):
        (r,) = physiofeat.extract_many([(x[:4000], bad)], ["rms"], sr=given, n_jobs=1)
        assert r.error_type == "ParameterError"
        assert r.error.startswith("the sampling rate of source '0' must be a positive number")


@pytest.mark.parametrize("name", ["heart_sounds", "heartsound", "Heart_Sound", "hart_sound"])
def test_a_misspelt_preset_is_suggested(name):
    with pytest.raises(UnknownFeatureError, match=r"did you mean 'heart_sound'"):
        physiofeat.extract(np.zeros(4000), name, sr=2000)


def test_info_refuses_a_truncated_wav_as_load_does(tmp_path):
    import soundfile as sf

    good = tmp_path / "full.wav"
    sf.write(good, np.zeros(8000, dtype=np.float32), 2000, subtype="PCM_16")
    raw = good.read_bytes()
    bad = tmp_path / "cut.wav"
    bad.write_bytes(raw[: len(raw) // 2])
    for fn in (physiofeat.load, physiofeat.info):
        with pytest.raises(DecodeError, match="truncated: the data chunk declares"):
            fn(bad)
    assert physiofeat.info(good).frames == 8000


def test_pcgshow_leaves_a_callers_legend_alone_and_refuses_unknown_states():
    mpl = pytest.importorskip("matplotlib")
    mpl.use("Agg")
    import matplotlib.pyplot as plt

    from physiofeat import plot

    sr = 1000
    x = np.random.default_rng(0).standard_normal(2 * sr)
    seg = [[0.1, 0.2, 1], [0.2, 0.5, 2], [0.5, 0.6, 3], [0.6, 1.1, 4], [1.1, 1.2, 1]]
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1], label="mine")
    ax.legend(loc="upper left")
    before = ax.get_legend()._loc
    plot.pcgshow(x, sr=sr, segmentation=seg, ax=ax, legend=False, label_sounds=False)
    assert ax.get_legend()._loc == before
    lo, _ = ax.get_ylim()
    fig2, ax2 = plt.subplots()
    plot.pcgshow(x, sr=sr, segmentation=seg, ax=ax2, legend=False, label_sounds=False)
    assert lo == pytest.approx(ax2.get_ylim()[0])  # no room made below for a legend
    with pytest.raises(ParameterError, match=r"states are 0 .* got 9 in row 1"):
        plot.pcgshow(x, sr=sr, segmentation=[[0.1, 0.2, 1], [0.2, 0.5, 9]], ax=ax2)
    plt.close("all")


def test_an_error_of_a_presets_feature_names_the_feature_and_the_fix():
    """A 1 kHz file lost its heart_sound row with 'fmax=800.0 Hz exceeds the Nyquist
    frequency', which named neither the feature nor what to do."""
    x = np.random.default_rng(0).standard_normal(10_000)
    with pytest.raises(ParameterError, match=r"^feature 'mfcc': fmax=800.0 Hz .* --sr"):
        physiofeat.extract(x, "heart_sound", sr=1000)
