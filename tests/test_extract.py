"""The Feature API: registry, extract, shared intermediates, Features summaries, errors."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from conftest import tol

import physiofeat
from physiofeat import (
    Feature,
    Features,
    InvalidSignalError,
    ParameterError,
    UnknownFeatureError,
)
from physiofeat import spectral as S
from physiofeat.records import Record

SR = 2000
KW = dict(n_fft=256, hop_length=64, n_mels=40)


@pytest.fixture(scope="module")
def x():
    return physiofeat.load(physiofeat.data.path("a0007"))[0][:8000].astype(np.float64)


def test_one_stft_feeds_every_spectral_feature(x):
    names = ["spectrogram", "mel", "mfcc", "mfcc_delta", "spectral_centroid"]
    feats = physiofeat.extract(x, names, sr=SR, **{k: v for k, v in KW.items() if k != "n_mels"})
    assert list(feats) == names
    assert feats.computed["stft"] == 1
    assert feats.computed["mel"] == 1
    assert feats.computed["mfcc"] == 1


def test_one_stft_and_one_stats_pass_for_all_statistics(x):
    names = [s.name for s in physiofeat.features("spectral") if s.name.startswith("spectral_")]
    feats = physiofeat.extract(x, names, sr=SR, n_fft=256, hop_length=64)
    assert feats.computed["stft"] == 1
    assert feats.computed["spectral_stats"] == 1


def test_different_framings_compute_separately(x):
    feats = physiofeat.extract(
        x, {"mfcc": {"n_fft": 256}, "mel": {"n_fft": 512}}, sr=SR, hop_length=64
    )
    assert feats.computed["mel"] == 2
    # nothing asked for the complex STFT, so the mel path never materialises it
    assert "stft" not in feats.computed


def test_mel_path_without_full_stft_equals_the_shared_path(x):
    direct = physiofeat.extract(x, ["mfcc", "mel"], sr=SR, **KW)
    shared = physiofeat.extract(x, ["mfcc", "mel", "spectrogram"], sr=SR, **KW)
    assert "stft" not in direct.computed and shared.computed["stft"] == 1
    for name in ("mfcc", "mel"):
        np.testing.assert_allclose(
            direct[name].values,
            shared[name].values,
            rtol=0,
            atol=tol(x.dtype, 10) * np.abs(shared[name].values).max(),
        )
    np.testing.assert_array_equal(direct["mfcc"].times, shared["spectrogram"].times)


def test_extract_values_equal_the_standalone_functions(x):
    feats = physiofeat.extract(
        x,
        ["mfcc", "mfcc_delta", "mfcc_delta2", "log_mel", "cepstrum", "rms", "zero_crossing_rate"],
        sr=SR,
        **KW,
    )
    M = S.mfcc(x, sr=SR, **KW)
    np.testing.assert_array_equal(feats["mfcc"].values, M)
    np.testing.assert_allclose(feats["mfcc_delta"].values, S.delta(M), atol=tol(x.dtype, 1e4))
    np.testing.assert_allclose(
        feats["mfcc_delta2"].values, S.delta(M, order=2), atol=tol(x.dtype, 1e4)
    )
    np.testing.assert_array_equal(feats["log_mel"].values, S.log_melspectrogram(x, sr=SR, **KW))
    np.testing.assert_array_equal(
        feats["cepstrum"].values, S.cepstrum(x, sr=SR, n_fft=256, hop_length=64)[0]
    )
    np.testing.assert_array_equal(feats["rms"].values, S.rms(x, hop_length=64))  # shared hop


def test_feature_axes_are_labelled(x):
    feats = physiofeat.extract(x, ["spectrogram", "mel", "mfcc"], sr=SR, **KW)
    sp = feats["spectrogram"]
    assert sp.dims == ("freq", "time")
    np.testing.assert_allclose(sp.freqs, np.arange(129) * SR / 256)
    np.testing.assert_allclose(sp.times, np.arange(sp.shape[1]) * 64 / SR)
    assert feats["mel"].dims == ("mel", "time")
    assert feats["mel"].coords["mel"].max() < SR / 2
    assert feats["mfcc"].attrs["n_mfcc"] == 20
    assert feats["mfcc"].attrs["sr"] == SR


def test_vector_is_fixed_length_with_stable_names(x):
    names = ["mfcc", "spectral_centroid", "rms"]
    a = physiofeat.extract(x, names, sr=SR, **KW)
    b = physiofeat.extract(x[:5000], names, sr=SR, **KW)
    assert a.vector().shape == b.vector().shape == (20 * 4 + 4 + 4,)
    assert a.vector_names() == b.vector_names()
    assert a.vector_names()[:2] == ["mfcc_coef0_mean", "mfcc_coef0_std"]
    assert "spectral_centroid_max" in a.vector_names()
    # the summary is the statistics of the arrays
    M = a["mfcc"].values
    v = dict(zip(a.vector_names(), a.vector()))
    assert v["mfcc_coef3_mean"] == pytest.approx(M[3].mean(), rel=tol(np.float64, 10))
    assert v["mfcc_coef3_std"] == pytest.approx(M[3].std(), rel=tol(np.float64, 100))
    assert v["rms_min"] == pytest.approx(a["rms"].values.min())
    frame = a.to_frame()
    assert list(frame.columns) == a.vector_names() and frame.shape == (1, len(v))
    assert set(a.to_dict()) == set(names)
    custom = a.vector(stats=("median",))
    assert custom.shape == (22,)


def test_batch_is_vectorised_and_equals_one_by_one(x, rng):
    batch = np.stack([x, x[::-1].copy(), rng.standard_normal(x.size)])
    feats = physiofeat.extract(batch, ["mfcc", "spectral_rolloff"], sr=SR, **KW)
    assert feats["mfcc"].dims == ("signal", "coef", "time")
    assert feats.computed["stft"] == 1
    V = feats.vector()
    assert V.shape == (3, len(feats.vector_names()))
    for i in range(3):
        one = physiofeat.extract(batch[i], ["mfcc", "spectral_rolloff"], sr=SR, **KW)
        np.testing.assert_allclose(
            V[i], one.vector(), rtol=tol(np.float64, 1e3), atol=tol(np.float64, 1e4)
        )
    assert feats.to_frame().shape[0] == 3


def test_float32_stays_float32(x):
    feats = physiofeat.extract(x.astype(np.float32), ["mfcc", "mel"], sr=SR, **KW)
    assert feats["mfcc"].dtype == np.float32


def test_registry_lists_every_feature_with_defaults():
    specs = {s.name: s for s in physiofeat.features()}
    for name in [
        "spectrogram",
        "mel",
        "log_mel",
        "mfcc",
        "mfcc_delta",
        "mfcc_delta2",
        "cepstrum",
        "spectral_centroid",
        "spectral_bandwidth",
        "spectral_rolloff",
        "spectral_flatness",
        "spectral_flux",
        "spectral_entropy",
        "zero_crossing_rate",
        "rms",
    ]:
        assert name in specs
        assert specs[name].description
    # defaults are read from the public function signatures, not repeated
    assert specs["mfcc"].defaults["n_mfcc"] == 20
    assert specs["mfcc"].defaults["hop_length"] == 512
    assert specs["spectral_rolloff"].defaults["roll_percent"] == S.ROLL_PERCENT
    assert "S" not in specs["mel"].defaults and "sr" not in specs["mel"].defaults
    assert specs["mfcc_delta"].defaults["width"] == 9


def test_user_registered_feature_and_summary():
    @physiofeat.register_feature(
        "test_peak_time", dims=("stat",), description="argmax time", overwrite=True
    )
    def _peak(ctx, *, scale=1.0):
        t = np.argmax(np.abs(ctx.x), axis=-1) / ctx.sr * scale
        return Feature(
            np.stack([t, t * 2], axis=-1), ("stat",), {"stat": np.array(["t", "t2"], dtype=object)}
        )

    sig = np.zeros(100)
    sig[25] = 1.0
    feats = physiofeat.extract(sig, {"test_peak_time": {"scale": 2.0}}, sr=100)
    assert feats.vector_names() == ["test_peak_time_t", "test_peak_time_t2"]
    np.testing.assert_allclose(feats.vector(), [0.5, 1.0])
    with pytest.raises(ParameterError, match=r"feature 'test_peak_time' is already registered"):
        physiofeat.register_feature("test_peak_time", dims=(), description="x")(_peak)


# ------------------------------------------------------------------------------------- errors


def test_unknown_feature_suggests_close_names(x):
    with pytest.raises(UnknownFeatureError, match=r"unknown feature 'mfc'.*did you mean 'mfcc'"):
        physiofeat.extract(x, ["mfc"], sr=SR)
    with pytest.raises(KeyError):  # UnknownFeatureError is also a KeyError
        physiofeat.extract(x, ["spectral_centriod"], sr=SR)


def test_parameter_errors(x):
    with pytest.raises(ParameterError, match=r"feature 'mfcc' has no parameter\(s\) \['n_mfc'\]"):
        physiofeat.extract(x, {"mfcc": {"n_mfc": 13}}, sr=SR)
    with pytest.raises(
        ParameterError, match=r"parameter\(s\) \['roll_percent'\] are accepted by none"
    ):
        physiofeat.extract(x, ["mfcc"], sr=SR, roll_percent=0.9)
    with pytest.raises(ParameterError, match=r"features is empty"):
        physiofeat.extract(x, [], sr=SR)
    with pytest.raises(ParameterError, match=r"features must be a name, a list of names"):
        physiofeat.extract(x, 3, sr=SR)
    with pytest.raises(ParameterError, match=r"parameters for feature 'mfcc' must be a mapping"):
        physiofeat.extract(x, {"mfcc": 13}, sr=SR)
    with pytest.raises(ParameterError, match=r"sampling rate in Hz\) is required"):
        physiofeat.extract(x, ["mfcc"], sr=None)
    with pytest.raises(ParameterError, match=r"n_mfcc must be >= 1; got 0"):
        physiofeat.extract(x, ["mfcc"], sr=SR, n_mfcc=0)
    with pytest.raises(ParameterError, match=r"unknown summary statistic\(s\) \['mode'\]"):
        physiofeat.extract(x, ["rms"], sr=SR).vector(stats=("mode",))


def test_invalid_signals():
    with pytest.raises(InvalidSignalError, match=r"x is empty"):
        physiofeat.extract(np.array([]), ["rms"], sr=SR)
    with pytest.raises(InvalidSignalError, match=r"got 3-D array of shape \(2, 2, 50\)"):
        physiofeat.extract(np.ones((2, 2, 50)), ["rms"], sr=SR)
    with pytest.raises(
        InvalidSignalError, match=r"100 non-finite value\(s\).*first at flat index 3"
    ):
        physiofeat.extract(np.array([0, 1, 2, np.inf, 1, np.nan, 0.0] * 50), ["rms"], sr=SR)
    with pytest.raises(InvalidSignalError, match=r"must be a numeric array .* got str"):
        physiofeat.extract("a0007.wav", ["rms"], sr=SR)
    with pytest.raises(InvalidSignalError, match=r"must be a numeric array .* got a list that"):
        physiofeat.extract([np.ones(300), np.ones(200)], ["rms"], sr=SR)  # ragged channels
    with pytest.raises(InvalidSignalError, match=r"shorter than one frame"):
        physiofeat.extract(np.ones(100), ["mfcc"], sr=SR, n_fft=256, center=False)
    with pytest.raises(ValueError):  # InvalidSignalError is a ValueError
        physiofeat.extract(np.array([]), ["rms"], sr=SR)


def test_feature_validates_its_shape():
    with pytest.raises(ValueError, match=r"values have 1 axes \(3,\) but dims name 3"):
        Feature(np.ones(3), ("a", "b", "c"))
    with pytest.raises(
        ValueError,
        match=r"coordinate 'time' has 2 entries for an axis of "
        r"length 3",
    ):
        Feature(np.ones(3), ("time",), {"time": np.ones(2)})
    assert isinstance(physiofeat.extract(np.ones(4096), ["rms"], sr=SR), Features)


def test_import_is_light():
    code = (
        "import sys, time; t = time.perf_counter(); import physiofeat; "
        "heavy = [m for m in ('numba', 'scipy', 'librosa', 'matplotlib', 'pandas', 'dask', "
        "'sklearn', 'pydub') if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_stats_one_name_empty_and_duplicates():
    x = np.random.default_rng(3).standard_normal(2000)
    feats = physiofeat.extract(x, ["rms"], sr=SR)
    # one name as a string is that statistic, not its letters
    assert feats.vector_names(stats="mean") == ["rms_mean"]
    np.testing.assert_array_equal(feats.vector(stats="mean"), feats.vector(stats=["mean"]))
    assert physiofeat.extract(x, ["rms"], sr=SR, stats="max").vector_names() == ["rms_max"]
    with pytest.raises(ParameterError, match=r"stats is empty; pass at least one of: mean"):
        feats.vector(stats=())
    with pytest.raises(ParameterError, match=r"stats is empty"):
        feats.vector_names(stats=[])
    with pytest.raises(ParameterError, match=r"stats names \['mean'\] more than once"):
        feats.vector(stats=["mean", "std", "mean"])
    with pytest.raises(ParameterError, match=r"unknown summary statistic\(s\) \['avg'\]"):
        feats["rms"].vector(stats="avg")
    with pytest.raises(ParameterError, match=r"stats must be a statistic name or a sequence"):
        feats.vector(stats=3)


def test_channels_last_array_is_refused_with_advice(x):
    stereo = np.stack([x[:4000], x[:4000]], axis=1)  # what soundfile.read gives for stereo
    with pytest.raises(
        InvalidSignalError,
        match=r"x of shape \(4000, 2\) looks channels-last \(n_samples, n_channels\).*pass x\.T",
    ):
        physiofeat.extract(stereo, ["rms"], sr=2000)
    with pytest.raises(InvalidSignalError, match=r"shape \(4000, 8\) looks channels-last"):
        physiofeat.extract(np.zeros((4000, 8)), ["rms"], sr=2000)
    # the transposed array is a batch of two signals; fewer rows than columns is a batch
    f = physiofeat.extract(stereo.T, ["rms"], sr=2000, frame_length=256, hop_length=64)
    assert f["rms"].dims == ("signal", "time") and f["rms"].shape[0] == 2
    assert physiofeat.extract(np.ones((3, 5)), ["temporal"], sr=2000)["temporal"].shape[0] == 3


def test_integer_arrays_are_used_raw_not_scaled(x):
    """Documented: an int16 array is taken at its raw values (load() scales files to +-1)."""
    i16 = np.round(x[:4000] / np.abs(x[:4000]).max() * 20000).astype(np.int16)
    got = physiofeat.extract(i16, ["temporal"], sr=2000)["temporal"].values
    raw = physiofeat.extract(i16.astype(np.float64), ["temporal"], sr=2000)["temporal"].values
    np.testing.assert_array_equal(got, raw)
    assert "raw values" in physiofeat.extract.__doc__


def test_sr_missing_or_none_as_documented(x):
    """docs/conventions.rst: leaving sr out is Python's TypeError naming sr; sr=None is the
    ParameterError, for extract and the family functions alike."""
    from physiofeat import envelope, hos, wavelet

    y = x[:2000]
    calls = [
        lambda **k: physiofeat.extract(y, ["mfcc"], **k),
        lambda **k: S.mfcc(y, n_fft=256, **k),
        lambda **k: wavelet.cwt(y, **k),
        lambda **k: envelope.envelope(y, **k),
        lambda **k: hos.bispectrum(y, n_fft=64, **k),
    ]
    for call in calls:
        with pytest.raises(TypeError, match=r"missing 1 required keyword-only argument: 'sr'"):
            call()
        with pytest.raises(ParameterError, match=r"^sr \(sampling rate in Hz\) is required here"):
            call(sr=None)
    from pathlib import Path

    doc = (Path(__file__).parents[1] / "docs" / "conventions.rst").read_text()
    assert "missing 1 required keyword-only argument: 'sr'" in doc


def test_plot_functions_draw_the_features_docs_features_rst_assigns_them(x):
    """docs/features.rst lists which plot function draws which feature (not 'any Feature')."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from physiofeat import PhysiofeatError, plot

    y = x[:3000]
    names = ["spectrogram", "mfcc", "cepstrum", "cwt", "hht", "emd", "bispectrum", "envelope"]
    names += ["rms", "temporal", "dwt", "wpt", "marginal_spectrum"]
    f = physiofeat.extract(y, names, sr=SR, hop_length=64, n_fft=256)
    try:
        for n in ("spectrogram", "mfcc", "cepstrum", "cwt"):
            plot.specshow(f[n])
        plot.scalogram(f["cwt"])
        plot.hilbert_spectrum(f["hht"])
        plot.imfshow(f["emd"], sr=SR)
        plot.bispectrum(f["bispectrum"])
        plot.waveshow(f["envelope"], sr=SR)
        plot.waveshow(f["rms"], sr=SR / 64)
        for n in ("temporal", "dwt", "wpt", "marginal_spectrum"):
            with pytest.raises(PhysiofeatError, match=r"needs a 2-D array|no time axis last"):
                plot.specshow(f[n])
    finally:
        plt.close("all")


@pytest.mark.parametrize(
    "kind", ["zeros", "ones", "ramp", "impulse", "noise", "sine"]
)  # fmt: skip
def test_no_feature_vector_holds_inf(kind):
    """A feature table must be finite or NaN (undefined) for a classifier: every registered
    feature except the single-signal ECG ones (which need beats) on degenerate and ordinary
    signals; the record features on a record whose PCG (and second ECG lead) is that signal,
    beside a synthetic ECG lead."""
    import warnings

    n, sr = 4000, 2000
    x = {
        "zeros": np.zeros(n),
        "ones": np.ones(n),
        "ramp": np.linspace(-1.0, 1.0, n),
        "impulse": np.r_[np.zeros(n // 2), 1.0, np.zeros(n // 2 - 1)],
        "noise": np.random.default_rng(0).standard_normal(n),
        "sine": np.sin(2 * np.pi * 50 * np.arange(n) / sr),
    }[kind]
    kw = dict(n_fft=256, hop_length=64, frame_length=256, trials=4)
    checked = 0
    ecg, _ = physiofeat.ecg.synthetic_ecg(duration=n / sr, sr=sr)
    rec = Record.from_arrays({"ii": (ecg, sr), "v5": (x, sr), "PCG": (x, sr)})
    n_record = 0
    for spec in physiofeat.features():
        if spec.roles:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                v = physiofeat.extract(rec, [spec.name]).vector()
            assert not np.isinf(v).any(), (spec.name, kind)
            n_record += 1
            continue
        if spec.family == "ecg":
            continue
        params = {k: v for k, v in kw.items() if k in spec.defaults}
        if spec.ignores is not None:  # what this feature would not use is refused (issue #17)
            params = {
                k: v
                for k, v in params.items()
                if k not in spec.ignores({**spec.defaults, **params})
            }
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            v = physiofeat.extract(x, [spec.name], sr=sr, **params).vector()
        assert not np.isinf(v).any(), (spec.name, kind)
        checked += 1
    assert checked >= 25 and n_record >= 2


# -------------------------------------------------------------------------------------------
# A request fixes the columns, never the data (issue #12)

#: (rate in Hz, seconds): the rates of real heart-sound datasets (PhysioNet 2016: 2 kHz,
#: CirCor: 4 kHz, PASCAL: 4 and 44.1 kHz) and ECG, at several lengths.
_RATES_LENGTHS = [(1000, 4.0), (2000, 2.5), (4000, 3.0), (8000, 1.6), (44100, 0.7), (2000, 5.3)]


def _probe(sr: int, seconds: float) -> np.ndarray:
    """A heart-sound-like probe: 60 Hz bursts every 0.8 s over noise, any rate and length."""
    t = np.arange(int(sr * seconds)) / sr
    rng = np.random.default_rng(sr)
    bursts = np.exp(-(((t % 0.8) - 0.1) ** 2) / 0.0008) * np.sin(2 * np.pi * 60 * t)
    return bursts + 0.05 * rng.standard_normal(t.size)


def _record_probe(sr: int, seconds: float) -> Record:
    """A record probe for the record features: two ECG leads (synthetic, at ``min(sr, 1000)``
    Hz, the second inverted) and the heart-sound-like probe at ``sr`` as its PCG."""
    from physiofeat.ecg import synthetic_ecg

    ecg_sr = min(sr, 1000)
    lead, _ = synthetic_ecg(duration=seconds, sr=ecg_sr, noise=0.01, seed=1)
    v1, _ = synthetic_ecg(duration=seconds, sr=ecg_sr, invert=True, noise=0.01, seed=2)
    return Record.from_arrays(
        {"ii": (lead, ecg_sr), "V1": (v1, ecg_sr), "PCG": (_probe(sr, seconds), sr)}
    )


@pytest.fixture(scope="module")
def probes():
    out = {(sr, s): _probe(sr, s) for sr, s in _RATES_LENGTHS}
    out.update({("record", sr, s): _record_probe(sr, s) for sr, s in _RATES_LENGTHS})
    return out


@pytest.mark.parametrize("name", [s.name for s in physiofeat.features()])
def test_every_registered_feature_has_the_same_columns_at_every_rate_and_length(name, probes):
    """Enumerates the registry, so features registered later (the pcg family...) are held to
    the rule too: a request's columns do not depend on a recording's rate or length. A
    recording too short for a feature may be refused (its batch error record), never given
    other columns."""
    import warnings

    record = physiofeat._registry.get_spec(name).roles  # a record feature: the record probes
    got: dict[tuple[int, float], list[str]] = {}
    refused = {}
    for key, x in probes.items():
        if (key[0] == "record") != bool(record):
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                if record:
                    got[key[1:]] = physiofeat.extract(x, [name]).vector_names()
                else:
                    got[key] = physiofeat.extract(x, [name], sr=key[0]).vector_names()
            except (InvalidSignalError, ParameterError) as exc:  # too short for the defaults
                refused[key] = str(exc)
    assert len(got) >= 3, f"{name}: refused on {refused}"
    (ref_key, ref), *rest = got.items()
    for key, names in rest:
        first = next((i for i, (a, b) in enumerate(zip(ref, names)) if a != b), None)
        assert names == ref, (
            f"{name}: {len(names)} columns at {key[0]} Hz / {key[1]} s vs {len(ref)} at "
            f"{ref_key[0]} Hz / {ref_key[1]} s; first difference at column {first}: "
            f"{names[first] if first is not None else None!r} vs "
            f"{ref[first] if first is not None else None!r}"
        )


def test_cwt_columns_are_fixed_hz_and_nan_above_nyquist():
    """The known case of issue #12 (cwt_20Hz_mean at 4 kHz, cwt_220.5Hz_mean at 44.1 kHz):
    the cwt feature's default frequencies are 20-800 Hz at every rate; a row a recording
    cannot hold (at or above its Nyquist frequency) is NaN; the others are the scalogram."""
    from physiofeat.wavelet import scalogram

    grid = np.geomspace(20.0, 800.0, 16)
    for sr in (1000, 4000, 44100):
        x = _probe(sr, 0.5)
        f = physiofeat.extract(x, ["cwt"], sr=sr, n_freqs=16)
        assert f.vector_names()[:4] == [f"cwt_20Hz_{s}" for s in ("mean", "std", "min", "max")]
        np.testing.assert_allclose(f["cwt"].freqs, grid, rtol=1e-12)
        high = grid >= sr / 2
        assert np.isnan(f["cwt"].values[high]).all() and (high.any() == (sr == 1000))
        np.testing.assert_allclose(
            f["cwt"].values[~high], scalogram(x, sr=sr, freqs=grid[~high]), rtol=1e-10
        )


# -------------------------------------------------------------------------------------------
# Issue #17 item 3: a parameter that changes nothing is refused, never silently recorded

#: Parameters whose effect depends on the data, so that one probe cannot show it: floors and
#: clipping levels no value of the probe reaches, a search range holding the probe's heart
#: rate either way, a cap above the number of IMFs the probe has; ``strict`` (pcg_intervals)
#: acts only on a recording the segmenter refuses (tests/test_cli_segment.py).
_DATA_DEPENDENT = {"amin", "top_db", "threshold", "hr_min", "hr_max", "max_imfs", "strict"}
#: Parameters that change how, not what (threads).
_HOW = {"workers", "parallel"}


def _perturbed(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return 2 * value if value > 1 else value + 1
    if isinstance(value, float):
        return 1.5 * value if value else 0.1
    if value is None:
        return 64
    return None  # strings, tuples: no generic other value


@pytest.fixture(scope="module")
def audit_signals():
    from physiofeat.ecgpcg import synthetic_ecg_pcg

    x, sr = physiofeat.load(physiofeat.data.path("a0007"))
    rec = physiofeat.load_record(physiofeat.data.path("ludb_1"))
    ecg = rec["ii"]
    # record features: ECG lead II of LUDB 1 and a synthetic pair's ECG lead and heart sound,
    # noisy enough (SD 0.2, S1 peaks at 1) that the sound thresholds decide on some beats
    e2, pcg, sr2, _ = synthetic_ecg_pcg(duration=10.0, sr=2000, noise=0.2)
    pair = Record.from_arrays({"ECG": (e2, sr2), "PCG": (pcg, sr2)})
    return {
        "pcg": (x[: 3 * sr].astype(np.float64), sr),
        "ecg": (ecg.astype(np.float64), 500.0),
        "record": (pair, None),
        "ecg_record": (rec, None),
    }


@pytest.mark.parametrize("name", [s.name for s in physiofeat.features()])
def test_every_parameter_counts_or_is_refused(name, audit_signals):
    """Enumerates the registry: another value of each numeric, boolean or None parameter of a
    feature either changes its vector or is refused (ParameterError: it would change nothing
    in that combination, or is invalid; InvalidSignalError: the probe is too short for it).
    ``extract(x, ["temporal"], hop_length=64)`` used to be accepted and change nothing."""
    import warnings

    spec = physiofeat._registry.get_spec(name)
    if spec.roles:  # a record feature: a record, its channels' own rates
        x, sr = audit_signals["record" if "pcg" in spec.roles else "ecg_record"]
    else:
        x, sr = audit_signals["ecg" if spec.family == "ecg" else "pcg"]
    kw = {} if spec.roles else {"sr": sr}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            base = physiofeat.extract(x, [name], **kw).vector()
        except (InvalidSignalError, ParameterError):
            pytest.skip(f"{name} needs another probe signal")
        silent = []
        for k, v in spec.defaults.items():
            new = _perturbed(v)
            if new is None or k in _HOW | _DATA_DEPENDENT:
                continue
            try:
                out = physiofeat.extract(x, [name], **kw, **{k: new}).vector()
            except (ParameterError, InvalidSignalError):
                continue
            if out.shape == base.shape and np.array_equal(out, base, equal_nan=True):
                silent.append(f"{k}={new!r}")
    assert not silent, f"{name}: accepted and changed nothing: {silent}"


@pytest.mark.parametrize(
    ("features", "params", "message"),
    [
        (["temporal"], {"hop_length": 64}, r"hop_length \(temporal uses hop_length only with "),
        ({"temporal": {"hop_length": 64}}, {}, r"temporal\.hop_length \(temporal uses"),
        (["sample_entropy"], {"hop_length": 64}, r"sample_entropy uses hop_length only with"),
        (["emd", "hht"], {"seed": 3}, r"seed \(emd uses seed only with method='eemd' or "),
        (["envelope"], {"cutoff": 5.0, "method": "psd"}, r"uses cutoff only with method='homo"),
        (["spectrogram"], {"top_db": 40.0}, r"top_db \(spectrogram uses top_db only with db=True"),
        (["mfcc"], {"center": False, "pad_mode": "reflect"}, r"pad_mode only with center=True"),
    ],
)
def test_parameters_that_change_nothing_are_refused(features, params, message):
    with pytest.raises(
        ParameterError, match=r"^parameter\(s\) that would change nothing.*" + message
    ):
        physiofeat.extract(np.zeros(4000), features, sr=2000, **params)


def test_a_shared_parameter_used_by_one_feature_is_accepted():
    x = np.random.default_rng(0).standard_normal(4000)
    f = physiofeat.extract(x, ["temporal", "mfcc"], sr=2000, hop_length=64)
    assert f["mfcc"].attrs["hop_length"] == 64
    # the default given explicitly changes nothing either way: accepted
    physiofeat.extract(x, ["emd"], sr=2000, seed=0, trials=100)
    physiofeat.extract(x, ["temporal"], sr=2000, frame_length=256, hop_length=64)


def test_a_one_sample_signal_is_not_advised_an_impossible_n_fft():
    """The advice had been ``n_fft <= 1`` although n_fft must be >= 2; a one-sample signal is
    too short for any default frame, so the signal is refused (InvalidSignalError)."""
    for feats, name in ((["mfcc"], "n_fft"), (["rms"], "frame_length")):
        with pytest.raises(
            InvalidSignalError, match=rf"too short for {name}=2048: {name} must be >= 2 and"
        ):
            physiofeat.extract(np.ones(1), feats, sr=1000)
    with pytest.raises(ParameterError, match=r"and n_fft <= 3 is advised$"):
        physiofeat.extract(np.ones(3), ["mfcc"], sr=1000)
