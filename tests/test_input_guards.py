"""Bad input the session-17 audit found getting through: each case is refused with a typed
error naming what was wrong and what is accepted (or, for a segmentation of a longer recording,
counted correctly); each test failed on the code before its fix."""

from __future__ import annotations

import re

import numpy as np
import pytest

import physiofeat
from physiofeat import ParameterError, UnknownFeatureError


def test_resample_refuses_an_upsampling_ratio_soxr_never_returns_from():
    from physiofeat.io import MAX_RESAMPLE_RATIO, resample

    x = np.random.default_rng(0).standard_normal(10)
    # 1 Hz -> 1 MHz ran for minutes in soxr (and 1000 samples segfaulted under a memory limit)
    with pytest.raises(ParameterError, match=r"ratio of 1e\+06; the ratio must be at most 10000"):
        resample(x, 1, 1e6)
    y = resample(x, 1, MAX_RESAMPLE_RATIO)  # the largest ratio accepted still resamples
    assert y.shape == (10 * int(MAX_RESAMPLE_RATIO),) and y.dtype == np.float64


def test_temporal_refuses_more_histogram_bins_than_it_can_count():
    from physiofeat.temporal import MAX_BINS, temporal

    x = np.random.default_rng(1).standard_normal(1000)
    with pytest.raises(ParameterError, match=r"bins must be <= 16777216; got 1000000000"):
        temporal(x, bins=10**9)  # had allocated 8 GB (OOM-killed at 23 GB RSS)
    with pytest.raises(ParameterError, match="bins must be <="):
        physiofeat.extract(x, {"temporal": {"bins": MAX_BINS + 1}}, sr=100)
    assert np.isfinite(temporal(x, bins=4096)).all()


@pytest.mark.parametrize("n_jobs", [0, "2", 2.5, -100])
def test_extract_many_checks_n_jobs_inside_a_worker_process_too(monkeypatch, n_jobs):
    """In a pool worker n_jobs is replaced by 1 (no nested pool), but a bad value is still a
    bad value: it had been accepted there and refused in the main process."""
    from physiofeat import batch

    monkeypatch.setattr(batch, "_pool_worker_name", lambda: "SpawnProcess-1")
    with pytest.raises(ParameterError, match="n_jobs must be"):
        physiofeat.extract_many([np.zeros(100)], ["rms"], sr=100, n_jobs=n_jobs)


def test_summary_helpers_refuse_what_is_not_their_beat_table():
    from physiofeat import ecg, ecgpcg

    x, _ = ecg.synthetic_ecg(duration=10.0, sr=500)
    beats = ecg.delineate(x, sr=500)
    for func, bad in [
        (ecg.summarize_beats, np.zeros(5)),
        (ecg.summarize_beats, {"rr": [1.0, 2.0]}),
        (ecg.summarize_qt, None),
        (ecgpcg.timing_features, np.zeros(5)),
        (ecgpcg.timing_features, beats),  # an EcgBeats is not an EcgPcgBeats
    ]:
        with pytest.raises(ParameterError, match=rf"{func.__name__}: beats must be a physiofeat"):
            func(bad)
    assert np.isfinite(ecg.summarize_beats(beats)[0])  # the right table still works


def test_heart_rate_return_periodicity_must_be_a_bool():
    from physiofeat.pcg import heart_rate

    x, sr = physiofeat.load(physiofeat.data.path("50277_MV"))
    with pytest.raises(ParameterError, match="return_periodicity must be True or False; got 'no'"):
        heart_rate(x, sr=sr, return_periodicity="no")  # had returned the 3-tuple
    assert (
        len(heart_rate(x, sr=sr)) == 2 and len(heart_rate(x, sr=sr, return_periodicity=True)) == 3
    )


def test_synthetic_ecg_refuses_a_heart_rate_no_beat_fits():
    from physiofeat.ecg import synthetic_ecg

    with pytest.raises(ParameterError, match=r"heart_rate must be at most 300 bpm .*; got 1e\+06"):
        synthetic_ecg(duration=5.0, sr=500, heart_rate=1e6)  # had 79,000 overlapping QRS


def test_synthetic_ecg_bumps_are_added_where_they_lie():
    """The beat waves are added over their own samples only (1800 s took 38 s, each bump over
    the whole recording); naive oracle: the whole-recording bump."""
    from physiofeat.ecg._synth import _add_bump, _hann_bump

    rng = np.random.default_rng(5)
    for sr in (250.0, 333.3, 1000.0):
        t = np.arange(int(3 * sr)) / sr
        for start, width in [(-0.05, 0.1), (0.0, 0.02), (2.95, 0.1), (1.2345, 0.25), (5, 1)]:
            start += rng.uniform(0, 1e-3)
            x = rng.standard_normal(t.size)
            want = x + _hann_bump(t, start, width, 0.7)
            _add_bump(x, t, sr, start, width, 0.7)
            np.testing.assert_array_equal(x, want)


def test_a_missing_key_of_a_result_names_what_it_holds():
    f = physiofeat.extract(np.random.default_rng(0).standard_normal(4000), ["rms", "mfcc"], sr=1000)
    with pytest.raises(
        UnknownFeatureError,
        match=r"'mfccs' is not in this result \(did you mean "
        r"'mfcc'\?\); it holds 2 feature\(s\): rms, mfcc",
    ):
        f["mfccs"]
    with pytest.raises(KeyError):  # still a KeyError, so Mapping's get / in work
        f[["rms"]]
    assert f.get("mfccs") is None and "rms" in f and "mfccs" not in f


def test_ecgpcg_timing_refuses_a_segmentation_the_gated_method_would_ignore():
    from physiofeat import ecgpcg, pcg

    ecg, pcg_x, sr = ecgpcg.synthetic_ecg_pcg(duration=10.0, sr=2000)[:3]
    seg = pcg.segment(pcg_x, sr=sr)
    with pytest.raises(ParameterError, match=r'segmentation= is used by method="hsmm" only'):
        ecgpcg.timing(ecg, pcg_x, sr=sr, segmentation=seg)  # method="gated" by default
    assert len(ecgpcg.timing(ecg, pcg_x, sr=sr, method="hsmm", segmentation=seg)) > 0


def test_a_shared_parameter_read_in_two_senses_is_refused():
    """extract(..., frame_length=256) with rms (a frame in samples) and the shannon envelope (a
    smoothing window in seconds) had smoothed the envelope over 256 s of a 3 s signal, flat and
    silent; the band of pcg_murmur moved the psd envelope's band the same way."""
    x = np.random.default_rng(0).standard_normal(12000)
    shannon = {"rms": {}, "envelope": {"method": "shannon"}}
    with pytest.raises(
        ParameterError,
        match=r"shared parameter frame_length=256 means different things .*smoothing window "
        r"in seconds for envelope.*\{'envelope': \{'frame_length': \.\.\.\}\}",
    ):
        physiofeat.extract(x, shannon, sr=4000, frame_length=256)
    with pytest.raises(ParameterError, match=r"shared parameter band=\(150, 600\) means"):
        physiofeat.extract(
            x, {"pcg_murmur": {}, "envelope": {"method": "psd"}}, sr=4000, band=(150, 600)
        )
    # one reader, a per-feature value, or a method that ignores it: no ambiguity
    alone = physiofeat.extract(x, {"envelope": {"method": "shannon"}}, sr=4000, frame_length=0.05)
    from physiofeat.envelope import shannon_envelope

    np.testing.assert_array_equal(
        alone["envelope"].values, shannon_envelope(x, sr=4000, frame_length=0.05)
    )
    own = {"rms": {}, "envelope": {"method": "shannon", "frame_length": 0.03}}
    f = physiofeat.extract(x, own, sr=4000, frame_length=256)
    np.testing.assert_array_equal(
        f["envelope"].values, shannon_envelope(x, sr=4000, frame_length=0.03)
    )
    assert (
        f["rms"].values.shape[-1]
        == physiofeat.extract(x, ["rms"], sr=4000, frame_length=256)["rms"].values.shape[-1]
    )
    physiofeat.extract(x, {"rms": {}, "envelope": {"method": "hilbert"}}, sr=4000, frame_length=256)


def test_a_users_feature_can_declare_a_sense_of_its_own():
    from physiofeat import Feature, register_feature

    @register_feature(
        "seconds_frame_probe",
        dims=(),
        description="test",
        meanings={"frame_length": "seconds"},
        overwrite=True,
    )
    def _probe(ctx, *, frame_length=0.5):
        return Feature(np.float64(frame_length), dims=())

    from physiofeat import _registry

    try:
        x = np.zeros(1000)
        with pytest.raises(ParameterError, match="seconds for seconds_frame_probe"):
            physiofeat.extract(x, ["rms", "seconds_frame_probe"], sr=100, frame_length=10)
        f = physiofeat.extract(x, ["seconds_frame_probe"], sr=100, frame_length=0.25)
        assert float(f["seconds_frame_probe"].values) == 0.25
    finally:
        _registry._FEATURES.pop("seconds_frame_probe", None)


@pytest.mark.parametrize("method", ["hilbert", "homomorphic", "shannon", "wavelet", "psd"])
def test_every_envelope_method_keeps_a_float32_signal_float32(method):
    from physiofeat.envelope import envelope

    x = np.random.default_rng(2).standard_normal(8000)
    e32 = envelope(x.astype(np.float32), sr=2000, method=method)
    e64 = envelope(x, sr=2000, method=method)
    assert e32.dtype == np.float32 and e64.dtype == np.float64
    np.testing.assert_allclose(e32, e64, rtol=2e-4, atol=2e-5 * np.abs(e64).max())


@pytest.mark.parametrize(
    "features, shared, what",
    [
        (["mel", "mfcc"], {"norm": None}, "the DCT normalisation for mfcc"),
        (["mel", "cwt"], {"norm": "slaney"}, "the wavelet normalisation for cwt"),
        (["envelope", "hht"], {"method": "emd"}, "the envelope method for envelope"),
        (["dwt", "hilbert_spectrum"], {"mode": "symmetric"}, "amplitude or energy for hilbert"),
        (["temporal", "pcg_cycle_average"], {"bins": 8}, "phase bins per state for pcg_cycle"),
        (["envelope", "wpt"], {"order": 2}, "the homomorphic low-pass order for envelope"),
    ],
)
def test_shared_names_of_different_meanings_are_refused(features, shared, what):
    x = np.random.default_rng(0).standard_normal(8000)
    with pytest.raises(ParameterError, match=rf"means different things .*{what}"):
        physiofeat.extract(x, features, sr=2000, **shared)


def test_a_set_of_feature_names_is_refused():
    """A set's order follows the hash seed: the vector's columns had come in another order
    from one process to the next."""
    x = np.random.default_rng(0).standard_normal(4000)
    with pytest.raises(ParameterError, match=r"got a set, whose order .* pass a list, e\.g\. "
                       r"\['rms', 'spectral_centroid'\]"):  # fmt: skip
        physiofeat.extract(x, {"spectral_centroid", "rms"}, sr=1000)
    assert list(physiofeat.extract(x, ["spectral_centroid", "rms"], sr=1000)) == [
        "spectral_centroid",
        "rms",
    ]


def _wav(tmp_path):
    import soundfile as sf

    p = tmp_path / "a.wav"
    sf.write(p, np.random.default_rng(0).standard_normal(4000) * 0.1, 1000)
    return p


def test_cli_arrays_naming_a_file_is_a_usage_error(tmp_path, capsys):
    """Every input had become an error row (FileExistsError) and the table held no features."""
    from physiofeat.cli import main

    wav = _wav(tmp_path)
    (tmp_path / "notadir.txt").write_text("x")
    out = tmp_path / "o.csv"
    argv = ["extract", str(wav), "-f", "rms", "--arrays", str(tmp_path / "notadir.txt")]
    with pytest.raises(SystemExit, match="^2$"):
        main([*argv, "-o", str(out), "-q"])
    assert re.search(r"--arrays .*notadir\.txt is a file, not a folder", capsys.readouterr().err)
    assert not out.exists()


def test_cli_config_that_is_not_utf8_is_a_usage_error(tmp_path, capsys):
    from physiofeat.cli import main

    wav = _wav(tmp_path)
    cfg = tmp_path / "c.toml"
    cfg.write_bytes(b'features = ["rms"]\n# \xff\n')
    with pytest.raises(SystemExit, match="^2$"):
        main(["extract", str(wav), "--config", str(cfg), "-o", str(tmp_path / "o.csv")])
    assert re.search(
        r"config .*c\.toml is not valid TOML: it is not UTF-8", capsys.readouterr().err
    )


def test_plots_refuse_an_sr_the_feature_was_not_computed_at():
    """The axes come from the Feature: a contradicting sr had been ignored for them but used
    to check fmax (8000 Hz let fmax=3000 stretch the axis past the data's 1000 Hz Nyquist)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from physiofeat import plot

    x = np.random.default_rng(0).standard_normal(4000)
    f = physiofeat.extract(x, ["spectrogram", "cwt", "bicoherence"], sr=2000, n_fft=64)
    try:
        for func, name in [(plot.specshow, "spectrogram"), (plot.scalogram, "cwt"),
                           (plot.bispectrum, "bicoherence")]:  # fmt: skip
            with pytest.raises(ParameterError, match=r"sr=8000 Hz, but the Feature was "
                               r"computed at 2000 Hz"):  # fmt: skip
                func(f[name], sr=8000)
            func(f[name], sr=2000)  # its own rate is fine
    finally:
        plt.close("all")


@pytest.mark.parametrize(
    "kw, match",
    [
        ({"levels": -3}, "levels must be >= 1"),
        ({"levels": 10**9}, "levels must be <= 1000"),
        ({"levels": 2.5}, "levels must be a number of contour levels"),
        ({"levels": [3.0, 1.0, 2.0]}, "increasing finite values"),
        ({"levels": []}, "increasing finite values"),
        ({"fmax": -5}, "fmax must be > 0"),
    ],
)
def test_plot_bispectrum_checks_levels_and_fmax(kw, match):
    """levels=10**9 had run for minutes in matplotlib; -3 raised a math domain error, 2.5 a
    len() TypeError; fmax=-5 was accepted."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from physiofeat import plot

    b = physiofeat.extract(np.random.default_rng(0).standard_normal(4000), ["bicoherence"],
                           sr=1000, n_fft=64)["bicoherence"]  # fmt: skip
    try:
        with pytest.raises(ParameterError, match=match):
            plot.bispectrum(b, sr=1000, **kw)
        with pytest.raises(physiofeat.InvalidSignalError, match="at least 2 x 2 bins"):
            plot.bispectrum(np.ones((1, 1)), sr=2000)  # had been a ZeroDivisionError
    finally:
        plt.close("all")


@pytest.mark.parametrize("bad", [None, 5, 3.0, object()])
def test_feature_extractor_names_what_x_must_be(bad):
    """fit/transform on these had raised a bare "'NoneType' object is not iterable"."""
    from physiofeat.sklearn import FeatureExtractor

    fe = FeatureExtractor(["rms"], sr=100)
    for call in (fe.fit, fe.fit_transform):
        with pytest.raises(ParameterError, match=r"X must be 2-D \(n_signals, n_samples\), a "
                           r"list of 1-D arrays or a list of paths; got"):  # fmt: skip
            call(bad)


def test_cli_config_giving_one_parameter_two_values_is_a_usage_error(tmp_path, capsys):
    """[features.rms] frame_length = 1024 and [params.rms] frame_length = 512 had silently
    used 512."""
    from physiofeat.cli import main

    wav = _wav(tmp_path)
    cfg = tmp_path / "c.toml"
    cfg.write_text("[features.rms]\nframe_length = 1024\n[params.rms]\nframe_length = 512\n")
    with pytest.raises(SystemExit, match="^2$"):
        main(["extract", str(wav), "--config", str(cfg), "-o", str(tmp_path / "o.csv")])
    err = capsys.readouterr().err
    assert re.search(r"rms\.frame_length is given twice, 1024 in \[features\.rms\] and 512", err)
    same = tmp_path / "same.toml"  # the same value twice is one value
    same.write_text("[features.rms]\nframe_length = 512\n[params.rms]\nframe_length = 512\n")
    assert main(["extract", str(wav), "--config", str(same), "-o", str(tmp_path / "o.csv"),
                 "-q"]) == 0  # fmt: skip


@pytest.mark.parametrize(
    "kw, match",
    [
        ({"offset": "a"}, "offset must be"),
        ({"offset": float("nan")}, "offset must be a finite number; got nan"),
        ({"segment_labels": 5}, "segment_labels must be a mapping state -> label"),
        ({"segments": [[0.5, 0.2]]}, r"segments row 0 ends before it starts \(0\.5 s to 0\.2 s\)"),
        ({"segments": [["a", "b"]]}, r"segments must be numbers \(times in seconds\)"),
        ({"markers": {"a": "xyz"}}, r"markers\['a'\] must be numbers \(times in seconds\)"),
    ],
)
def test_waveshow_names_a_bad_argument(kw, match):
    """These had reached NumPy or matplotlib (UFuncTypeError, 'Axis limits cannot be NaN',
    "'int' object is not iterable", 'could not convert string to float'), or been drawn."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from physiofeat import plot

    try:
        with pytest.raises(ParameterError, match=match):
            plot.waveshow(np.zeros(100), sr=100, **kw)
    finally:
        plt.close("all")


def test_plots_name_an_ax_that_is_not_axes():
    """specshow(..., ax='x') had raised AttributeError: 'str' object has no attribute
    'pcolormesh'."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from physiofeat import plot

    x = np.random.default_rng(0).standard_normal(2000)
    S = physiofeat.extract(x, ["spectrogram"], sr=1000, n_fft=64)["spectrogram"]
    try:
        for call in (lambda: plot.specshow(S, ax="x"), lambda: plot.waveshow(x, sr=1000, ax=3)):
            with pytest.raises(ParameterError, match="ax must be a matplotlib Axes"):
                call()
        _, ax = plt.subplots()
        assert plot.specshow(S, ax=ax).ax is ax
    finally:
        plt.close("all")


def test_plot_hilbert_spectrum_instantaneous_form_checks_smooth_fmax_and_imfs():
    """smooth='a' and fmax=-5 had been accepted in the instantaneous form, 0 IMFs had raised
    'zero-size array to reduction operation fmax'."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from physiofeat import plot

    f = np.full((2, 100), 50.0)
    a = np.ones((2, 100))
    try:
        with pytest.raises(ParameterError, match="smooth= applies to the gridded form"):
            plot.hilbert_spectrum(f, amplitude=a, sr=1000, smooth="a")
        with pytest.raises(ParameterError, match="fmax must be > 0"):
            plot.hilbert_spectrum(f, amplitude=a, sr=1000, fmax=-5)
        with pytest.raises(physiofeat.InvalidSignalError, match="no instantaneous frequency"):
            plot.hilbert_spectrum(np.zeros((0, 100)), amplitude=np.zeros((0, 100)), sr=1000)
        plot.hilbert_spectrum(f, amplitude=a, sr=1000, fmax=200)
    finally:
        plt.close("all")


def test_ecgshow_names_beats_it_cannot_draw():
    """A mapping with none of the drawn keys had been drawn as a bare trace; non-numeric times
    had raised 'could not convert string to float'."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from physiofeat import plot

    x = np.zeros(1000)
    try:
        with pytest.raises(ParameterError, match=r"beats has none of the times it draws .*'r'"):
            plot.ecgshow(x, sr=500, beats={"r": [0.5]})
        with pytest.raises(ParameterError, match=r"beats\['r_time'\] must be numbers"):
            plot.ecgshow(x, sr=500, beats={"r_time": "abc"})
        plot.ecgshow(x, sr=500, beats={"r_time": [0.5, 1.5]})
    finally:
        plt.close("all")


def test_time_frequency_plots_name_bad_axes_values_and_limits():
    """NaN or strings in freqs=/times=, a string vmin and imfshow('abc') had reached NumPy or
    matplotlib (pcolormesh ValueError, 'could not convert string to float')."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from physiofeat import plot

    S = np.abs(np.random.default_rng(0).standard_normal((5, 20)))
    freqs, times = np.arange(5.0), np.arange(20) / 10
    try:
        bad_f = freqs.copy()
        bad_f[2] = np.nan
        for kw, match in [
            ({"freqs": bad_f, "times": times}, "freqs must be finite; 1 are not"),
            ({"freqs": freqs, "times": ["a"] * 20}, "times must be numbers"),
            ({"freqs": freqs, "times": times, "vmin": "a"}, "vmin must be"),
        ]:
            with pytest.raises(ParameterError, match=match):
                plot.specshow(S, **kw)
        with pytest.raises(physiofeat.InvalidSignalError, match="imfs must be a 2-D"):
            plot.imfshow("abc", sr=100)
        plot.specshow(S, freqs=freqs, times=times, vmin=0.0)
    finally:
        plt.close("all")
