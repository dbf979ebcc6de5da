"""physiofeat.plot edge cases: specshow's parameter checks, its mel axis under HTK, a single frame's
width; ecgshow over NaN; pcgshow and the legend it finds on the axes."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

import physiofeat  # noqa: E402
from physiofeat import ParameterError, plot  # noqa: E402

SR = 1000
_LOC = {"upper right": 1, "upper left": 2, "lower right": 4}  # matplotlib's legend location codes


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def noise() -> np.ndarray:
    return np.random.default_rng(7).standard_normal(2 * SR)


def _t_edges(img) -> np.ndarray:
    return img.mesh.get_coordinates()[0, :, 0]


# ---------------------------------------------------------------------------------------------
# 1. specshow checks hop_length, n_fft, fmin and fmax


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (0, "hop_length must be >= 1; got 0"),
        (-3, "hop_length must be >= 1; got -3"),
        (2.5, "hop_length must be an integer; got 2.5"),
        (True, "hop_length must be an integer; got True"),
        ("32", "hop_length must be an integer; got '32'"),
    ],
)
def test_specshow_refuses_a_bad_hop_length(value, message):
    with pytest.raises(ParameterError, match=f"^{message}$"):
        plot.specshow(np.ones((5, 4)), sr=100, hop_length=value, freqs=np.arange(5.0))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (0, "n_fft must be >= 1; got 0"),
        (-8, "n_fft must be >= 1; got -8"),
        (8.5, "n_fft must be an integer; got 8.5"),
        (True, "n_fft must be an integer; got True"),
    ],
)
def test_specshow_refuses_a_bad_n_fft(value, message):
    with pytest.raises(ParameterError, match=f"^{message}$"):
        plot.specshow(np.ones((5, 4)), sr=100, hop_length=1, n_fft=value)


@pytest.mark.parametrize("y_axis", ["linear", "log", "mel"])
def test_specshow_refuses_bad_frequency_limits(y_axis):
    A = np.ones((5, 4))
    kw = {"sr": 100, "hop_length": 1, "y_axis": y_axis}
    with pytest.raises(ParameterError, match=r"fmin \(40\) must be below fmax \(10\)"):
        plot.specshow(A, fmin=40, fmax=10, **kw)
    with pytest.raises(ParameterError, match=r"fmin \(20\) must be below fmax \(20\)"):
        plot.specshow(A, fmin=20, fmax=20, **kw)
    with pytest.raises(ParameterError, match=r"^fmin must be >= 0.0; got -10.0$"):
        plot.specshow(A, fmin=-10, **kw)
    with pytest.raises(ParameterError, match="^fmin must be a finite number; got nan$"):
        plot.specshow(A, fmin=float("nan"), **kw)
    with pytest.raises(ParameterError, match=r"fmax=400 Hz is above the Nyquist frequency"):
        plot.specshow(A, fmax=400, **kw)
    with pytest.raises(ParameterError, match=r"fmin \(60\) must be below .* Nyquist .* 50 Hz"):
        plot.specshow(A, fmin=60, **kw)


def test_specshow_checks_fmax_against_the_features_rate(noise):
    S = physiofeat.extract(noise, ["spectrogram"], sr=SR, n_fft=128, hop_length=32)["spectrogram"]
    with pytest.raises(ParameterError, match=r"fmax=600 Hz is above .* sr / 2 = 500 Hz"):
        plot.specshow(S, fmax=600)
    img = plot.specshow(S, fmin=50, fmax=SR / 2)  # the limits a user may set
    assert img.ax.get_ylim() == pytest.approx((50.0, SR / 2))


def test_specshow_index_axis_takes_row_limits():
    # rows by number: the limits are row values, below 0 allowed, no Nyquist
    img = plot.specshow(np.ones((4, 3)), times=np.arange(3) * 0.1, y_axis="index", fmin=-0.5)
    assert img.ax.get_ylim() == pytest.approx((-0.5, 3.5))


# ---------------------------------------------------------------------------------------------
# 2. the mel axis follows the Feature's htk


@pytest.mark.parametrize("htk", [False, True])
def test_specshow_mel_axis_follows_the_features_htk(noise, htk):
    import librosa  # the oracle for both mel scales

    n_mels = 16
    F = physiofeat.extract(
        noise, {"mel": {"htk": htk, "n_mels": n_mels}}, sr=SR, n_fft=128, hop_length=32
    )["mel"]
    assert F.attrs["htk"] is htk
    img = plot.specshow(F, to_db="power")
    fwd = img.ax.yaxis.get_transform()  # Hz -> the axis' mel scale
    f = np.linspace(0.0, SR / 2, 41)
    np.testing.assert_allclose(
        fwd.transform(f), librosa.hz_to_mel(f, htk=htk), rtol=1e-12, atol=1e-9
    )
    # the bands (librosa's centres) are evenly spaced on screen, their edges at mel midpoints
    centres = librosa.mel_frequencies(n_mels + 2, fmin=0.0, fmax=SR / 2, htk=htk)[1:-1]
    y = img.ax.transData.transform(np.c_[np.zeros(n_mels), centres])[:, 1]
    step = np.diff(y)
    assert np.ptp(step) <= 1e-6 * step.mean()
    m = librosa.hz_to_mel(centres, htk=htk)
    half = (m[1] - m[0]) / 2
    want = librosa.mel_to_hz(np.concatenate([[m[0] - half], m + half]), htk=htk)
    f_edges = img.mesh.get_coordinates()[:, 0, 1]
    np.testing.assert_allclose(f_edges, np.maximum(want, 0.0), rtol=1e-9, atol=1e-9)


def test_specshow_htk_argument_overrides_the_feature_and_drives_an_array(noise):
    import librosa

    F = physiofeat.extract(
        noise, {"mel": {"htk": True, "n_mels": 16}}, sr=SR, n_fft=128, hop_length=32
    )["mel"]
    f = np.array([100.0, 300.0, 500.0])
    img = plot.specshow(F, htk=False)  # an explicit choice wins
    np.testing.assert_allclose(img.ax.yaxis.get_transform().transform(f), librosa.hz_to_mel(f))
    M = np.ones((8, 5))  # an array has no attrs: its bands are HTK only when htk=True says so
    arr = plot.specshow(M, sr=SR, hop_length=32, y_axis="mel", htk=True)
    np.testing.assert_allclose(
        arr.ax.yaxis.get_transform().transform(f), librosa.hz_to_mel(f, htk=True), rtol=1e-12
    )
    with pytest.raises(ParameterError, match="htk must be True or False; got 'yes'"):
        plot.specshow(M, sr=SR, hop_length=32, y_axis="mel", htk="yes")


# ---------------------------------------------------------------------------------------------
# 3. a single frame is one hop wide


def test_specshow_single_frame_feature_is_one_hop_wide():
    x = np.random.default_rng(1).standard_normal(128)
    S = physiofeat.extract(x, ["spectrogram"], sr=SR, n_fft=128, hop_length=32, center=False)
    S = S["spectrogram"]
    assert S.shape[-1] == 1 and S.coords["time"][0] == pytest.approx(0.064)
    img = plot.specshow(S)
    np.testing.assert_allclose(_t_edges(img), [0.064 - 0.016, 0.064 + 0.016], rtol=0, atol=1e-12)
    assert img.ax.get_xlim() == pytest.approx((0.048, 0.080))


@pytest.mark.parametrize(("sr", "hop"), [(1000, 32), (8000, 80), (100, 1)])
def test_specshow_single_frame_array_matches_the_first_of_many(sr, hop):
    freqs = np.arange(5.0)
    one = plot.specshow(np.ones((5, 1)), sr=sr, hop_length=hop, freqs=freqs)
    many = plot.specshow(np.ones((5, 3)), sr=sr, hop_length=hop, freqs=freqs)
    # frames centred on t = 0: the axis starts at 0 s, the frame ends half a hop later
    np.testing.assert_allclose(_t_edges(one), _t_edges(many)[:2], rtol=0, atol=1e-12)
    np.testing.assert_allclose(_t_edges(one), [0.0, 0.5 * hop / sr], rtol=0, atol=1e-12)
    later = plot.specshow(np.ones((5, 1)), sr=sr, hop_length=hop, times=[0.25], freqs=freqs)
    h = hop / sr
    np.testing.assert_allclose(_t_edges(later), [0.25 - h / 2, 0.25 + h / 2], rtol=0, atol=1e-12)


def test_specshow_single_frame_without_a_hop_is_refused():
    with pytest.raises(ParameterError, match=r"one frame .* pass sr= and hop_length="):
        plot.specshow(np.ones((5, 1)), times=[0.3], freqs=np.arange(5.0))


# ---------------------------------------------------------------------------------------------
# 4. ecgshow over NaN

_BEATS = {"r_time": [0.5, 1.5], "qrs_onset": [0.46, 1.46], "p_onset": [0.3, 1.3]}


def test_ecgshow_draws_nan_gaps(tmp_path):
    sr = 500
    t = np.arange(2 * sr) / sr
    x = np.sin(2 * np.pi * t)
    x[700:800] = np.nan  # 1.4-1.6 s: the second beat's R and QRS onset fall in the gap
    x[50] = np.inf
    out = plot.ecgshow(x, sr=sr, beats=_BEATS)
    out.ax.figure.savefig(tmp_path / "gap.png", dpi=40)
    ok = np.isfinite(x)
    lo, hi = x[ok].min(), x[ok].max()
    span = hi - lo
    ybar = lo - 0.12 * span
    assert out.ax.get_ylim() == pytest.approx((ybar - 0.25 * span, hi + 0.35 * span))
    np.testing.assert_allclose(out.line.get_ydata(), x)  # the gap stays a gap
    r = out.markers["r_peak"].get_ydata()
    assert np.isfinite(r[0]) and np.isnan(r[1])  # a marker in the gap is not drawn
    assert [tx.get_text() for tx in out.labels] == ["160 ms", "160 ms"]
    np.testing.assert_allclose([s[0, 1] for s in out.pr.get_segments()], [ybar, ybar])


def test_ecgshow_draws_an_all_nan_lead_as_an_empty_trace(tmp_path):
    sr = 500
    out = plot.ecgshow(np.full(2 * sr, np.nan), sr=sr, beats=_BEATS)
    out.ax.figure.savefig(tmp_path / "empty.png", dpi=40)
    # no finite sample: the range waveshow takes, -1 to 1
    assert out.ax.get_ylim() == pytest.approx((-1.24 - 0.5, 1 + 0.7))
    assert out.ax.get_xlim() == pytest.approx((0.0, (2 * sr - 1) / sr))
    assert np.isnan(out.markers["r_peak"].get_ydata()).all()
    assert len(out.pr.get_segments()) == 2  # the beats (e.g. from other leads) still show


# ---------------------------------------------------------------------------------------------
# 5. pcgshow and the legend


def test_pcgshow_leaves_a_callers_legend_in_place_when_it_draws_none(noise):
    # every state outside the window: pcgshow shades nothing and has no legend of its own
    seg = [[5.0, 5.1, 1], [5.1, 5.4, 2]]
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1], label="mine")
    ax.legend(loc="upper left")
    mine = ax.get_legend()
    out = plot.pcgshow(noise, sr=SR, segmentation=seg, ax=ax, label_sounds=False)
    assert out.spans == []
    assert ax.get_legend() is mine and mine._loc == _LOC["upper left"]
    _, ref = plt.subplots()
    ref.plot([0, 1], [0, 1], label="mine")
    plot.pcgshow(noise, sr=SR, segmentation=seg, ax=ref, label_sounds=False, legend=False)
    assert ax.get_ylim() == pytest.approx(ref.get_ylim())  # no room made for a legend


def test_pcgshow_places_its_legend_below_the_trace(noise):
    seg = [[0.1, 0.2, 1], [0.2, 0.5, 2], [0.5, 0.6, 3], [0.6, 1.1, 4], [1.1, 1.2, 1]]
    out = plot.pcgshow(noise, sr=SR, segmentation=seg, label_sounds=False)
    leg = out.ax.get_legend()
    assert leg._loc == _LOC["lower right"]
    assert [tx.get_text() for tx in leg.get_texts()] == ["S1", "systole", "S2", "diastole"]
    none = plot.pcgshow(noise, sr=SR, segmentation=seg, label_sounds=False, legend=False)
    assert none.ax.get_legend() is None
    lo, hi = none.ax.get_ylim()
    assert out.ax.get_ylim() == pytest.approx((lo - 0.3 * (hi - lo), hi))
    # waveshow's own legend is unchanged: upper right
    wf = plot.waveshow(noise, sr=SR, segments=np.asarray(seg))
    assert wf.ax.get_legend()._loc == _LOC["upper right"]
