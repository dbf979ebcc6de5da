"""physiofeat.plot: every function renders to a PNG; axes are in seconds and Hz; errors."""

from __future__ import annotations

import subprocess
import sys

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

import physiofeat  # noqa: E402
from physiofeat import Feature, InvalidSignalError, ParameterError, plot  # noqa: E402

SR = 1000


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def chirp() -> np.ndarray:
    t = np.arange(2 * SR) / SR
    return np.sin(2 * np.pi * (20 * t + 40 * t**2)).astype(np.float64)


def _save(obj, path) -> int:
    """Save the figure of ``obj.ax``; return the PNG size in bytes after checking its header."""
    obj.ax.figure.savefig(path, dpi=60)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return len(data)


def _mesh_edges(mesh):
    xy = mesh.get_coordinates()
    return xy[0, :, 0], xy[:, 0, 1]


# ---------------------------------------------------------------------------------------------
# specshow


def test_specshow_linear_from_feature(tmp_path, chirp):
    n_fft, hop = 128, 32
    S = physiofeat.extract(chirp, ["spectrogram"], sr=SR, n_fft=n_fft, hop_length=hop, power=2.0)[
        "spectrogram"
    ]
    img = plot.specshow(S, to_db="power")
    assert _save(img, tmp_path / "spec.png") > 5000
    assert img.ax.get_xlabel() == "Time (s)"
    assert img.ax.get_ylabel() == "Frequency (Hz)"
    assert img.colorbar.ax.get_ylabel() == "dB"
    # independent oracle: FFT bins k*sr/n_fft, edges at the midpoints, clipped to [0, sr/2]
    df = SR / n_fft
    want_f = np.concatenate([[0.0], (np.arange(n_fft // 2) + 0.5) * df, [SR / 2]])
    t_edges, f_edges = _mesh_edges(img.mesh)
    np.testing.assert_allclose(f_edges, want_f, rtol=0, atol=1e-9)
    n_frames = S.shape[-1]
    want_t = np.concatenate([[0.0], (np.arange(n_frames) + 0.5) * hop / SR])
    np.testing.assert_allclose(t_edges, want_t, rtol=0, atol=1e-9)
    assert img.ax.get_ylim() == pytest.approx((0.0, SR / 2))
    # dB values: 10 log10(S) floored 80 dB below the peak
    db = img.mesh.get_array().reshape(S.shape)
    ref = np.maximum(10 * np.log10(np.maximum(S.values, 1e-10)), 10 * np.log10(S.values.max()) - 80)
    np.testing.assert_allclose(db, ref, rtol=0, atol=1e-9)


def test_specshow_array_needs_sr_hop_and_matches_feature(chirp):
    X = physiofeat.spectral.stft(chirp, n_fft=128, hop_length=32)
    img = plot.specshow(X, sr=SR, hop_length=32, n_fft=128)  # complex: shown as |X|
    np.testing.assert_allclose(img.mesh.get_array().reshape(X.shape), np.abs(X))
    t_edges, f_edges = _mesh_edges(img.mesh)
    assert f_edges[-1] == pytest.approx(SR / 2)
    assert t_edges[1] == pytest.approx(16 / SR)
    assert img.colorbar.ax.get_ylabel() == ""


def test_specshow_log_axis(tmp_path, chirp):
    S = physiofeat.extract(chirp, ["spectrogram"], sr=SR, n_fft=128, hop_length=32)
    img = plot.specshow(S["spectrogram"], y_axis="log", to_db="amplitude", fmin=20)
    assert _save(img, tmp_path / "log.png") > 5000
    assert img.ax.get_yscale() == "log"
    assert img.ax.get_ylim() == pytest.approx((20.0, SR / 2))


def test_specshow_mel_axis_band_edges(tmp_path, chirp):
    import librosa  # the oracle for the mel scale

    F = physiofeat.extract(chirp, ["log_mel"], sr=SR, n_fft=128, hop_length=32, n_mels=24)
    img = plot.specshow(F["log_mel"])
    assert _save(img, tmp_path / "mel.png") > 5000
    assert img.ax.get_yscale() == "function"
    assert img.ax.get_ylabel() == "Frequency (Hz)"
    assert img.colorbar.ax.get_ylabel() == "dB"
    centres = librosa.mel_frequencies(n_mels=26, fmin=0.0, fmax=SR / 2)[1:-1]
    m = librosa.hz_to_mel(centres)
    step = m[1] - m[0]
    want = librosa.mel_to_hz(np.concatenate([[m[0] - step / 2], m + step / 2]))
    _, f_edges = _mesh_edges(img.mesh)
    np.testing.assert_allclose(f_edges, np.maximum(want, 0), rtol=1e-9, atol=1e-9)
    # the mel ticks are Hz values inside the axis, increasing
    ticks = img.ax.get_yticks()
    assert np.all(np.diff(ticks) > 0) and ticks[0] >= 0 and ticks[-1] <= SR / 2


def test_specshow_mel_array_from_sr(chirp):
    M = physiofeat.spectral.melspectrogram(chirp, sr=SR, n_fft=128, hop_length=32, n_mels=16)
    img = plot.specshow(M, sr=SR, hop_length=32, y_axis="mel", to_db="power")
    _, f_edges = _mesh_edges(img.mesh)
    assert f_edges[0] >= 0 and f_edges[-1] == pytest.approx(SR / 2, rel=0.05)


def test_specshow_index_axis_for_mfcc(tmp_path, chirp):
    F = physiofeat.extract(chirp, ["mfcc"], sr=SR, n_fft=256, hop_length=32, n_mfcc=13, n_mels=40)
    img = plot.specshow(F["mfcc"], cmap="coolwarm")
    assert _save(img, tmp_path / "mfcc.png") > 3000
    assert img.ax.get_ylabel() == "Coefficient"
    assert img.ax.get_ylim() == pytest.approx((-0.5, 12.5))


def test_specshow_on_given_axes_without_colorbar():
    fig, ax = plt.subplots()
    img = plot.specshow(
        np.ones((5, 4)),
        times=np.arange(4) * 0.1,
        freqs=np.arange(5) * 10.0,
        ax=ax,
        colorbar=False,
        title="x",
    )
    assert img.ax is ax and img.colorbar is None and ax.get_title() == "x"
    assert len(fig.axes) == 1


def test_specshow_errors():
    with pytest.raises(InvalidSignalError, match="needs a 2-D array"):
        plot.specshow(np.ones(10))
    with pytest.raises(InvalidSignalError, match="empty"):
        plot.specshow(np.ones((0, 3)))
    with pytest.raises(ParameterError, match="pass times= .* sr= and hop_length="):
        plot.specshow(np.ones((5, 4)), freqs=np.arange(5.0))
    with pytest.raises(ParameterError, match="pass freqs= .* or sr="):
        plot.specshow(np.ones((5, 4)), times=np.arange(4.0))
    with pytest.raises(ParameterError, match="times has 3 values for an axis of length 4"):
        plot.specshow(np.ones((5, 4)), times=np.arange(3.0), freqs=np.arange(5.0))
    with pytest.raises(ParameterError, match="y_axis must be one of"):
        plot.specshow(np.ones((5, 4)), sr=100, hop_length=1, y_axis="bark")
    with pytest.raises(ParameterError, match="to_db must be one of"):
        plot.specshow(np.ones((5, 4)), sr=100, hop_length=1, to_db="dB")
    batch = Feature(np.ones((2, 5, 4)), ("freq", "time"), name="spectrogram")
    with pytest.raises(InvalidSignalError, match="batch of 2 signals"):
        plot.specshow(batch)
    with pytest.raises(ParameterError, match="no time axis last"):
        plot.specshow(Feature(np.ones((5, 4)), ("band", "stat")))


# ---------------------------------------------------------------------------------------------
# scalogram, Hilbert spectrum, bispectrum


def test_scalogram_with_cone_of_influence(tmp_path, chirp):
    W = physiofeat.extract(chirp, {"cwt": {"fmin": 5, "fmax": 300, "n_freqs": 24}}, sr=SR)["cwt"]
    out = plot.scalogram(W, to_db="amplitude")
    assert _save(out, tmp_path / "cwt.png") > 5000
    assert out.ax.get_yscale() == "log"
    assert out.ax.get_xlabel() == "Time (s)" and out.ax.get_ylabel() == "Frequency (Hz)"
    lo, hi = out.ax.get_ylim()
    # the hatched region's top follows the cone of influence, clipped to the axis
    coi = physiofeat.wavelet.cone_of_influence(chirp.size, sr=SR)
    verts = out.coi.get_paths()[0].vertices
    n = chirp.size
    top = verts[n + 2 : 2 * n + 2][::-1]  # fill_between: start, bottom edge, then top reversed
    np.testing.assert_allclose(top[:, 0], np.arange(chirp.size) / SR, atol=1e-12)
    np.testing.assert_allclose(
        top[:, 1], np.clip(np.nan_to_num(coi, posinf=hi), lo, hi), rtol=1e-12
    )


def test_scalogram_array_and_errors(chirp):
    f = np.geomspace(5, 300, 16)
    S = physiofeat.wavelet.scalogram(chirp, sr=SR, freqs=f)
    out = plot.scalogram(S, sr=SR, freqs=f, y_axis="linear")
    assert out.coi is None and out.ax.get_yscale() == "linear"
    # geometric centres get geometric-midpoint edges
    _, f_edges = _mesh_edges(out.mesh)
    np.testing.assert_allclose(f_edges[1:-1], np.sqrt(f[1:] * f[:-1]), rtol=1e-12)
    with pytest.raises(ParameterError, match="pass freqs="):
        plot.scalogram(S, sr=SR)
    with pytest.raises(ParameterError, match="coi has 3 values for 2000 columns"):
        plot.scalogram(S, sr=SR, freqs=f, coi=np.ones(3))
    with pytest.raises(ParameterError, match="y_axis must be one of 'log', 'linear'"):
        plot.scalogram(S, sr=SR, freqs=f, y_axis="mel")


def test_hilbert_spectrum_dots_and_grid(tmp_path):
    n = 2 * SR
    f_inst = np.vstack([np.full(n, 120.0), np.linspace(10, 40, n)])
    a_inst = np.vstack([np.ones(n), np.full(n, 0.1)])
    img = plot.hilbert_spectrum(f_inst, amplitude=a_inst, sr=SR, style="dots")
    assert _save(img, tmp_path / "hs.png") > 3000
    assert img.ax.get_ylim() == pytest.approx((0.0, SR / 2))
    assert img.ax.get_xlim() == pytest.approx((0.0, (n - 1) / SR))
    assert img.colorbar.ax.get_ylabel() == "dB"
    offsets = img.mesh.get_offsets()
    assert offsets.shape == (2 * n, 2)
    # colours are 20 log10(amplitude): 0 dB for IMF 1, -20 dB for IMF 2
    assert sorted(np.unique(np.round(img.mesh.get_array(), 9))) == [-20.0, 0.0]
    H = np.zeros((50, 40))
    H[10, :] = 1.0
    grid = plot.hilbert_spectrum(H, times=np.arange(40) / 40, freqs=np.arange(50) * 5.0)
    assert _save(grid, tmp_path / "hs_grid.png") > 2000
    assert grid.ax.get_ylabel() == "Instantaneous frequency (Hz)"
    with pytest.raises(InvalidSignalError, match="same .* shape"):
        plot.hilbert_spectrum(f_inst, amplitude=a_inst[:1], sr=SR)


def _segments(mesh) -> np.ndarray:
    return np.array([np.asarray(s) for s in mesh.get_segments()])  # (n_segments, 2, 2)


def test_hilbert_spectrum_lines_join_consecutive_samples_of_each_imf(tmp_path):
    n = SR
    f_inst = np.vstack([np.full(n, 120.0), np.linspace(10, 40, n)])
    a_inst = np.vstack([np.ones(n), np.full(n, 0.1)])
    img = plot.hilbert_spectrum(f_inst, amplitude=a_inst, sr=SR, linewidth=2.0)
    assert _save(img, tmp_path / "lines.png") > 3000
    seg = _segments(img.mesh)
    assert seg.shape == (2 * (n - 1), 2, 2)
    # every segment joins sample i to sample i + 1 of one IMF, at that IMF's frequencies
    i0 = np.rint(seg[:, 0, 0] * SR).astype(int)
    np.testing.assert_allclose(seg[:, 1, 0], (i0 + 1) / SR, rtol=0, atol=1e-12)
    row = np.where(seg[:, 0, 1] == 120.0, 0, 1)
    np.testing.assert_allclose(seg[:, 0, 1], f_inst[row, i0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(seg[:, 1, 1], f_inst[row, i0 + 1], rtol=0, atol=1e-12)
    assert np.bincount(row).tolist() == [n - 1, n - 1]
    # colour = mean of the two samples' dB (0 and -20), width from a quarter to all of linewidth
    colours = np.asarray(img.mesh.get_array())
    np.testing.assert_allclose(colours, np.where(row == 0, 0.0, -20.0), atol=1e-9)
    widths = np.asarray(img.mesh.get_linewidths())
    np.testing.assert_allclose(widths, np.where(row == 0, 2.0, 0.5), rtol=1e-12)
    assert np.all(np.diff(colours) >= 0)  # loudest drawn last
    assert img.colorbar.ax.get_ylabel() == "dB"
    assert img.ax.get_facecolor()[:3] != (0.0, 0.0, 0.0)  # no black background
    assert img.ax.get_ylim() == pytest.approx((0.0, SR / 2))


def test_hilbert_spectrum_lines_break_at_jumps_and_draw_every_sample():
    n = 200
    f = np.full(n, 50.0)
    f[100:] = 300.0  # a jump of 250 Hz: more than max_jump (default fmax / 10 = 50 Hz)
    f[40] = 200.0  # one sample away from its neighbours on both sides: drawn as a dot
    f[150] = np.nan  # no frequency: neither joined nor drawn
    a = np.ones(n)
    img = plot.hilbert_spectrum(f[None], amplitude=a[None], sr=SR)
    seg = _segments(img.mesh)
    assert np.abs(seg[:, 1, 1] - seg[:, 0, 1]).max() <= 50.0
    # n - 1 pairs, minus the jump at 100, the two around sample 40 and the two around 150
    assert len(seg) == n - 1 - 5
    dots = [c for c in img.ax.collections if c is not img.mesh]
    assert len(dots) == 1
    np.testing.assert_allclose(dots[0].get_offsets(), [[40 / SR, 200.0]])
    drawn = {tuple(p) for p in seg.reshape(-1, 2)} | {(40 / SR, 200.0)}
    expected = {(i / SR, f[i]) for i in range(n) if np.isfinite(f[i])}
    assert {(round(t, 9), v) for t, v in drawn} == {(round(t, 9), v) for t, v in expected}
    joined = plot.hilbert_spectrum(f[None], amplitude=a[None], sr=SR, max_jump=1000.0)
    assert len(joined.mesh.get_segments()) == n - 1 - 2  # only the NaN sample breaks it
    assert [c for c in joined.ax.collections if c is not joined.mesh] == []


def test_hilbert_spectrum_color_by_imf():
    n = 100
    f_inst = np.vstack([np.full(n, 120.0), np.full(n, 30.0), np.full(n, 5.0)])
    a_inst = np.vstack([np.ones(n), np.full(n, 0.1), np.full(n, 0.01)])
    img = plot.hilbert_spectrum(f_inst, amplitude=a_inst, sr=SR, color_by="imf", top_db=40)
    assert img.colorbar is None
    labels = [t.get_text() for t in img.ax.get_legend().get_texts()]
    assert labels == ["IMF 1", "IMF 2", "IMF 3"]
    seg = _segments(img.mesh)
    rgba = np.asarray(img.mesh.get_colors())
    tab10 = matplotlib.colormaps["tab10"]
    for k, (freq, loud) in enumerate([(120.0, 1.0), (30.0, 0.5), (5.0, 0.0)]):  # 0, -20, -40 dB
        mine = seg[:, 0, 1] == freq
        assert mine.sum() == n - 1
        np.testing.assert_allclose(rgba[mine, :3], np.tile(tab10(k)[:3], (n - 1, 1)))
        np.testing.assert_allclose(rgba[mine, 3], 0.15 + 0.85 * loud, rtol=1e-12)


def test_hilbert_spectrum_smoothed_grid_is_a_gaussian_that_keeps_the_sum():
    H = np.zeros((50, 40))
    H[10, :] = 1.0
    freqs, times = np.arange(50) * 5.0, np.arange(40) / 40
    img = plot.hilbert_spectrum(H, times=times, freqs=freqs, to_db=None, smooth=(5.0, 0.0))
    got = np.asarray(img.mesh.get_array()).reshape(50, 40)
    k = np.arange(50) - 10.0
    w = np.where(np.abs(k) <= 3, np.exp(-0.5 * k**2), 0.0)  # sigma 1 bin, cut at 3 sigma
    np.testing.assert_allclose(got, np.tile((w / w.sum())[:, None], (1, 40)), atol=1e-12)
    np.testing.assert_allclose(got.sum(axis=0), 1.0, rtol=1e-12)
    # from the Feature: its coordinates give the steps (2 Hz bins, 1 ms samples)
    F = Feature(H, dims=("freq", "time"), coords={"freq": np.arange(50) * 2.0, "time": times})
    both = plot.hilbert_spectrum(F, to_db=None, smooth=(2.0, 1 / 40))
    g2 = np.asarray(both.mesh.get_array()).reshape(50, 40)
    np.testing.assert_allclose(g2[:, 5], w / w.sum(), atol=1e-12)  # no change along time
    np.testing.assert_allclose(g2.sum(), H.sum(), rtol=1e-12)
    with pytest.raises(ParameterError, match=r"smooth must be a pair \(sigma_hz, sigma_s\)"):
        plot.hilbert_spectrum(H, times=times, freqs=freqs, smooth=5.0)
    with pytest.raises(ParameterError, match=r"smooth\[0\] \(sigma in Hz\) must be"):
        plot.hilbert_spectrum(H, times=times, freqs=freqs, smooth=(-1.0, 0.0))
    with pytest.raises(ParameterError, match="uniformly spaced freqs"):
        plot.hilbert_spectrum(H, times=times, freqs=np.geomspace(1, 500, 50), smooth=(1, 0))
    with pytest.raises(ParameterError, match="needs the bin frequencies and times"):
        plot.hilbert_spectrum(H, smooth=(1.0, 0.0))


def test_hilbert_spectrum_bad_options():
    f, a = np.full((1, 50), 10.0), np.ones((1, 50))
    with pytest.raises(ParameterError, match="style must be one of 'lines', 'dots'; got 'bars'"):
        plot.hilbert_spectrum(f, amplitude=a, sr=SR, style="bars")
    with pytest.raises(ParameterError, match="color_by must be one of 'amplitude', 'imf'"):
        plot.hilbert_spectrum(f, amplitude=a, sr=SR, color_by="state")
    with pytest.raises(ParameterError, match="max_jump must be"):
        plot.hilbert_spectrum(f, amplitude=a, sr=SR, max_jump=0.0)
    with pytest.raises(ParameterError, match="linewidth must be"):
        plot.hilbert_spectrum(f, amplitude=a, sr=SR, linewidth=-1.0)


def test_bispectrum_contour(tmp_path, rng):
    x = rng.standard_normal(4000)
    B = physiofeat.extract(x, ["bispectrum", "bicoherence"], sr=SR, n_fft=64)
    out = plot.bispectrum(B["bicoherence"], sr=SR)
    assert _save(out, tmp_path / "bic.png") > 3000
    assert out.ax.get_xlim() == pytest.approx((0.0, SR / 2))
    assert out.ax.get_ylim() == pytest.approx((0.0, SR / 4))
    assert out.colorbar.ax.get_ylabel() == "b^2"
    cplx = physiofeat.hos.bispectrum(x, sr=SR, n_fft=64)
    out2 = plot.bispectrum(cplx, sr=SR, to_db="amplitude", fmax=200)
    assert _save(out2, tmp_path / "bis.png") > 3000
    assert out2.ax.get_xlim() == pytest.approx((0.0, 200.0))
    assert out2.colorbar.ax.get_ylabel() == "dB"
    with pytest.raises(ParameterError, match="pass f1= and f2= .* or sr="):
        plot.bispectrum(np.abs(cplx))
    with pytest.raises(InvalidSignalError, match="no finite values"):
        plot.bispectrum(np.full((5, 3), np.nan), sr=SR)


# ---------------------------------------------------------------------------------------------
# signals


def test_waveshow_segments_and_markers(tmp_path):
    x, sr = physiofeat.load(physiofeat.data.path("50277_MV"))
    seg = physiofeat.data.pcg_segmentation("50277_MV")
    x = x[: 3 * sr]
    s1 = seg[seg[:, 2] == 1, 0]
    out = plot.waveshow(x, sr=sr, segments=seg, markers={"S1": s1})
    assert _save(out, tmp_path / "wave.png") > 5000
    assert out.ax.get_xlim() == pytest.approx((0.0, (3 * sr - 1) / sr))
    end = (3 * sr - 1) / sr
    inside = seg[(seg[:, 1] >= 0) & (seg[:, 0] <= end) & np.isin(seg[:, 2], [1, 2, 3, 4])]
    assert len(out.spans) == len(inside)
    for span, (a, b, _) in zip(out.spans, inside):
        xs = span.get_patch_transform().transform(span.get_path().vertices)[:, 0]
        assert xs.min() == pytest.approx(max(a, 0)) and xs.max() == pytest.approx(min(b, end))
    legend = [t.get_text() for t in out.ax.get_legend().get_texts()]
    assert legend == [
        "S1",
        "systole",
        "S2",
        "diastole",
        "S1",
    ]  # states in cycle order, then markers
    segs = out.markers[0].get_segments()
    np.testing.assert_allclose([s[0, 0] for s in segs], s1[s1 <= end])


def test_waveshow_errors():
    with pytest.raises(ParameterError, match="sr .* is required"):
        plot.waveshow(np.ones(10), sr=None)
    with pytest.raises(InvalidSignalError, match="y must have shape"):
        plot.waveshow(np.ones((2, 10)), sr=10)
    with pytest.raises(ParameterError, match="segments must be rows"):
        plot.waveshow(np.ones(10), sr=10, segments=np.ones((2, 4)))


def test_imfshow(tmp_path):
    t = np.arange(SR) / SR
    imfs = np.vstack([np.sin(2 * np.pi * 40 * t), 3 * np.sin(2 * np.pi * 4 * t), 0.5 + t])
    out = plot.imfshow(imfs, sr=SR, signal=imfs.sum(0), residue=True)
    assert _save(out, tmp_path / "imfs.png") > 3000
    labels = [tk.get_text() for tk in out.ax.get_yticklabels()]
    assert labels == ["signal", "IMF 1", "IMF 2", "residue"]
    assert len(out.lines) == 4
    # each trace fits its lane: |y - lane| <= 0.45
    for lane, ln in enumerate(out.lines):
        y = ln.get_ydata()
        assert np.max(np.abs(y + lane)) == pytest.approx(0.45)
    assert out.ax.get_xlabel() == "Time (s)"
    feat = Feature(imfs, ("imf", "time"), {"time": t})
    assert len(plot.imfshow(feat, sr=SR, scale="common").lines) == 3
    with pytest.raises(ParameterError, match="labels has 1 entries for 3 IMFs"):
        plot.imfshow(imfs, sr=SR, labels=["a"])
    with pytest.raises(ParameterError, match="signal has 5 samples; the IMFs have 1000"):
        plot.imfshow(imfs, sr=SR, signal=np.ones(5))
    with pytest.raises(InvalidSignalError, match="2-D"):
        plot.imfshow(np.ones((2, 2, 2)), sr=SR)


def test_ecgshow_marks_waves_and_pr(tmp_path):
    ecg, fs, _ = physiofeat.data.load_ecg()
    beats = physiofeat.ecg.delineate(ecg, sr=fs)
    out = plot.ecgshow(ecg[1], sr=fs, beats=beats)
    assert _save(out, tmp_path / "ecg.png") > 5000
    assert out.ax.get_xlabel() == "Time (s)" and out.ax.get_ylabel() == "ECG (mV)"
    assert set(out.markers) == {"r_peak", "p_onset", "qrs_onset"}
    ok = np.isfinite(beats.p_onset) & np.isfinite(beats.qrs_onset)
    bars = out.pr.get_segments()
    np.testing.assert_allclose(
        [b[:, 0] for b in bars], np.c_[beats.p_onset[ok], beats.qrs_onset[ok]]
    )
    assert [t.get_text() for t in out.labels] == [
        f"{1000 * v:.0f} ms" for v in beats.pr_interval[ok]
    ]
    np.testing.assert_allclose(
        out.markers["qrs_onset"].get_xdata(), beats.qrs_onset[np.isfinite(beats.qrs_onset)]
    )
    # the ecg_beats Feature gives the same picture
    F = physiofeat.extract(ecg[1], ["ecg_beats"], sr=fs)["ecg_beats"]
    out2 = plot.ecgshow(ecg[1], sr=fs, beats=F)
    assert set(out2.markers) == {"r_peak", "p_onset", "qrs_onset"}


def test_ecgshow_errors():
    with pytest.raises(ParameterError, match="beats must be an EcgBeats"):
        plot.ecgshow(np.zeros(100), sr=100, beats=[1, 2])
    with pytest.raises(ParameterError, match="one signal's ecg_beats Feature"):
        plot.ecgshow(np.zeros(100), sr=100, beats=Feature(np.ones((2, 7, 3)), ("wave", "beat")))
    out = plot.ecgshow(np.zeros(100), sr=100)
    assert out.markers == {} and out.pr is None


def test_import_does_not_load_matplotlib():
    code = (
        "import sys, physiofeat.plot; "
        "print(any(m == 'matplotlib' or m.startswith('matplotlib.') for m in sys.modules))"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert res.stdout.strip() == "False"


def test_hht_features_drive_imfshow_and_hilbert_spectrum(tmp_path):
    t = np.arange(SR) / SR
    x = np.sin(2 * np.pi * 60 * t) + 0.5 * np.sin(2 * np.pi * 7 * t)
    F = physiofeat.extract(x, ["emd", "hht", "hilbert_spectrum"], sr=SR, max_imfs=3)
    emd = F["emd"]
    out = plot.imfshow(emd, sr=SR, signal=x, residue=True)
    assert _save(out, tmp_path / "emd.png") > 3000
    labels = [tk.get_text() for tk in out.ax.get_yticklabels()]
    assert labels[0] == "signal" and labels[-1] == "residue"
    assert len(labels) == emd.shape[0] + 2
    hs = plot.hilbert_spectrum(F["hht"])  # a frequency track per IMF
    assert _save(hs, tmp_path / "hht.png") > 3000
    seg = _segments(hs.mesh)
    assert len(seg) > 0 and seg[:, :, 0].min() >= 0 and seg[:, :, 0].max() <= (SR - 1) / SR
    assert hs.ax.get_xlim() == pytest.approx((0.0, (SR - 1) / SR))
    grid = plot.hilbert_spectrum(F["hilbert_spectrum"], fmax=150)
    assert _save(grid, tmp_path / "hs.png") > 3000
    assert grid.ax.get_ylim() == pytest.approx((0.0, 150.0))


def test_specshow_axis_labels_follow_the_rows():
    arr = np.ones((4, 6))
    t = np.arange(6) * 0.01
    assert plot.specshow(arr, times=t, y_axis="index").ax.get_ylabel() == "Row"
    assert plot.specshow(arr, times=t, freqs=np.arange(4.0)).ax.get_ylabel() == "Frequency (Hz)"
    q = Feature(arr, ("quefrency", "time"), {"quefrency": np.arange(4) / 100, "time": t})
    img = plot.specshow(q)
    assert img.ax.get_ylabel() == "Quefrency (s)"
    assert img.ax.get_ylim() == pytest.approx((-0.005, 0.035))


def test_waveshow_draws_a_feature_at_its_own_times_and_markers_over_nan():
    y = np.sin(2 * np.pi * 5 * np.arange(2000) / 1000)
    env = physiofeat.extract(y, {"envelope": {"out_sr": 50}}, sr=1000)["envelope"]
    out = plot.waveshow(env, sr=1000)  # sr is the signal's; the envelope is at 50 Hz
    np.testing.assert_allclose(out.line.get_xdata(), env.coords["time"], rtol=0, atol=1e-12)
    assert float(out.ax.get_xlim()[1]) == pytest.approx(1.98, abs=1e-9)
    y[100:200] = np.nan  # a gap: the markers span the finite range, not NaN
    out = plot.waveshow(y, sr=1000, markers={"m": [0.5, 1.0]})
    seg = out.markers[0].get_segments()
    assert len(seg) == 2 and np.isfinite(np.asarray(seg)).all()
    plt.close("all")
