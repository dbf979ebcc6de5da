"""Cardiac-cycle, per-state, murmur and quality features of the pcg family, and the
``heart_sound`` preset.

Oracles: hand-computed values on a synthetic segmentation, a plain-Python walk over the
intervals, librosa (MFCC, STFT), analytic results (tone peaks, Hann half-power width, sine
powers, Gaussian kurtosis, white-noise band fractions), and CirCor's own ``.tsv`` annotation.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from conftest import tol

import physiofeat
from physiofeat import InvalidSignalError, ParameterError
from physiofeat.pcg import (
    BASELINE_NAMES,
    CYCLE_QUANTITIES,
    MURMUR_STATS,
    QUALITY_NAMES,
    Segmentation,
    baseline_features,
    cycle_average,
    cycle_average_labels,
    cycle_features,
    cycle_table,
    murmur_features,
    signal_quality,
    state_spectra,
)
from physiofeat.pcg._register import HEART_SOUND

SR = 1000
# Three complete beats (durations in ms: S1, systole, S2, diastole), then a closing S1.
BEATS_MS = [(100, 300, 80, 520), (120, 280, 100, 600), (110, 320, 90, 480)]
# Mean absolute amplitude of each state in each beat.
AMPS = {1: [2.0, 4.0, 3.0], 2: [1.0, 1.0, 0.6], 3: [1.5, 2.0, 1.0], 4: [0.3, 0.5, 0.2]}


def _synthetic(closing=True):
    """Intervals (ms-exact, from 100 ms) and a signal whose |x| is AMPS[state][beat] on each
    state."""
    rows, t, beat_of = [], 100, []  # an unannotated head: a cycle from 0 s is not complete
    for b, durs in enumerate(BEATS_MS):
        for state, d in zip((1, 2, 3, 4), durs):
            rows.append([t / 1000, (t + d) / 1000, state])
            beat_of.append(b)
            t += d
    if closing:
        rows.append([t / 1000, (t + 100) / 1000, 1])
        beat_of.append(len(BEATS_MS))
        t += 100
    n = t + 200  # an unannotated tail
    x = np.zeros(n)
    signs = np.where(np.random.default_rng(1).random(n) < 0.5, -1.0, 1.0)
    for (a, b, s), k in zip(rows, beat_of):
        i0, i1 = round(a * SR), round(b * SR)
        amp = AMPS[int(s)][k] if k < len(BEATS_MS) else 1.0
        x[i0:i1] = amp * signs[i0:i1]
    return np.array(rows), x


def _sd(v):
    v = np.asarray(v, dtype=np.float64)
    return np.sqrt(((v - v.mean()) ** 2).sum() / (v.size - 1))


# -------------------------------------------------------------------------------------------
# the 2016 baseline features, hand-computed


def test_baseline_features_hand_computed():
    iv, x = _synthetic()
    f = baseline_features(x, sr=SR, segmentation=iv)
    assert tuple(f) == BASELINE_NAMES and len(f) == 20
    # by hand from BEATS_MS (ms -> s) and AMPS
    rr = [1.000, 1.100, 1.000]
    s1, sys_, s2, dia = (
        [0.100, 0.120, 0.110],
        [0.300, 0.280, 0.320],
        [0.08, 0.10, 0.09],
        [
            0.52,
            0.60,
            0.48,
        ],
    )
    want = {
        "m_RR": 3.1 / 3,
        "sd_RR": np.sqrt(((1 / 30) ** 2 * 2 + (2 / 30) ** 2) / 2),
        "m_IntS1": 0.11,
        "sd_IntS1": 0.01,
        "m_IntS2": 0.09,
        "sd_IntS2": 0.01,
        "m_IntSys": 0.30,
        "sd_IntSys": 0.02,
        "m_IntDia": 1.6 / 3,
        "sd_IntDia": _sd(dia),
        "m_Ratio_SysRR": (0.3 + 0.28 / 1.1 + 0.32) / 3,
        "sd_Ratio_SysRR": _sd([0.3, 0.28 / 1.1, 0.32]),
        "m_Ratio_DiaRR": (0.52 + 0.6 / 1.1 + 0.48) / 3,
        "sd_Ratio_DiaRR": _sd([0.52, 0.6 / 1.1, 0.48]),
        "m_Ratio_SysDia": (0.3 / 0.52 + 0.28 / 0.6 + 0.32 / 0.48) / 3,
        "sd_Ratio_SysDia": _sd([0.3 / 0.52, 0.28 / 0.6, 0.32 / 0.48]),
        "m_Amp_SysS1": (0.5 + 0.25 + 0.2) / 3,
        "sd_Amp_SysS1": _sd([0.5, 0.25, 0.2]),
        "m_Amp_DiaS2": (0.2 + 0.25 + 0.2) / 3,
        "sd_Amp_DiaS2": _sd([0.2, 0.25, 0.2]),
    }
    assert s1 and sys_ and s2 and rr  # (listed for the reader)
    for k, v in want.items():
        np.testing.assert_allclose(f[k], v, rtol=1e-12, atol=1e-12, err_msg=k)


def test_baseline_without_closing_s1_drops_the_last_beat():
    iv, x = _synthetic(closing=False)  # the third beat has no next S1: no RR, not a beat
    f = baseline_features(x, sr=SR, segmentation=iv)
    np.testing.assert_allclose(f["m_RR"], 1.05, rtol=1e-12)
    np.testing.assert_allclose(f["m_Amp_SysS1"], 0.375, rtol=1e-12)


def test_baseline_accepts_a_segmentation_at_another_rate():
    iv, x = _synthetic()
    seg = Segmentation.from_intervals(iv, sr=50.0)  # the segmenter's working rate, say
    a = baseline_features(x, sr=SR, segmentation=seg)
    b = baseline_features(x, sr=SR, segmentation=iv)
    assert a == b


# -------------------------------------------------------------------------------------------
# durations and ratios against a plain-Python walk


def _naive_cycles(iv):
    out = []
    for i in range(len(iv) - 4):
        if [int(r[2]) for r in iv[i : i + 5]] == [1, 2, 3, 4, 1]:
            d = [iv[i + k][1] - iv[i + k][0] for k in range(4)]
            rr = iv[i + 4][0] - iv[i][0]
            out.append([rr, *d, d[1] / rr, d[3] / rr, d[1] / d[3]])
    return np.array(out).reshape(-1, 8)


def test_cycle_table_against_naive_walk_on_circor_tsv():
    x, sr = physiofeat.load(physiofeat.data.path("50277_MV"))
    iv = physiofeat.data.pcg_segmentation("50277_MV")  # np.loadtxt of the .tsv
    t = cycle_table(x, sr=sr, segmentation=iv)
    want = _naive_cycles(iv.tolist())
    assert want.shape[0] == 6
    got = np.column_stack([t[q] for q in CYCLE_QUANTITIES[:8]])
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    seg = Segmentation.from_tsv(physiofeat.data.DATA_DIR / "50277_MV.tsv", sr=sr)
    np.testing.assert_allclose(t["start"], seg.cycles()[:, 0], rtol=0, atol=1e-12)
    # amplitude ratios: mean |x| over each state's samples, by boolean masks on the time axis
    tt = np.arange(x.size) / sr
    x64 = x.astype(np.float64)
    for k, c in enumerate(np.flatnonzero(np.isin(iv[:, 0], t["start"]))):
        m = [np.abs(x64[(tt >= iv[c + j, 0]) & (tt < iv[c + j, 1])]).mean() for j in range(4)]
        np.testing.assert_allclose(t["amp_systole_s1"][k], m[1] / m[0], rtol=1e-9)
        np.testing.assert_allclose(t["amp_diastole_s2"][k], m[3] / m[2], rtol=1e-9)


def test_cycle_features_mean_sd_and_heart_rate(rng):
    iv, x = _synthetic()
    f = cycle_features(x, sr=SR, segmentation=iv)
    t = cycle_table(x, sr=SR, segmentation=iv)
    assert f["n_cycles"] == 3
    np.testing.assert_allclose(f["heart_rate"], 60 / np.mean(t["rr"]), rtol=1e-12)
    for q in CYCLE_QUANTITIES:
        np.testing.assert_allclose(f[f"{q}_mean"], np.mean(t[q]), rtol=1e-12)
        np.testing.assert_allclose(f[f"{q}_sd"], np.std(t[q], ddof=1), rtol=1e-12)


# -------------------------------------------------------------------------------------------
# NaN paths


def _no_cycle():
    return np.array([[0.0, 0.1, 1], [0.1, 0.4, 2], [0.4, 0.5, 3], [0.5, 1.0, 4]])


@pytest.mark.parametrize(
    "iv",
    [_no_cycle(), np.zeros((0, 3)), np.array([[0, 0.1, 1], [0.1, 0.3, 0], [0.3, 0.5, 3]])],
    ids=["no-closing-s1", "empty", "unannotated-gap"],
)
def test_no_complete_cycle_gives_nan_with_stable_keys(iv):
    x = np.random.default_rng(0).standard_normal(2 * SR)
    t = cycle_table(x, sr=SR, segmentation=iv)
    assert all(t[q].shape == (0,) for q in CYCLE_QUANTITIES)
    b = baseline_features(x, sr=SR, segmentation=iv)
    assert tuple(b) == BASELINE_NAMES and np.isnan(list(b.values())).all()
    m = murmur_features(x, sr=SR, segmentation=iv)
    assert tuple(m) == MURMUR_STATS and np.isnan(list(m.values())).all()
    a = cycle_average(x, sr=SR, segmentation=iv)
    assert a.shape == (2, 24) and np.isnan(a).all()
    f = cycle_features(x, sr=SR, segmentation=iv)
    assert f["n_cycles"] == 0 and np.isnan([v for k, v in f.items() if k != "n_cycles"]).all()
    q = signal_quality(x, sr=SR, segmentation=iv)
    assert tuple(q) == QUALITY_NAMES and np.isnan(q["rr_cv"]) and q["cycle_coverage"] == 0


def test_one_cycle_gives_nan_sds_and_finite_means():
    # from 0.1 s: a cycle whose S1 starts at 0 s may be cut by the recording's start
    iv = np.vstack([_no_cycle(), [[1.0, 1.1, 1]]]) + [0.1, 0.1, 0]
    x = np.random.default_rng(0).standard_normal(2 * SR)
    b = baseline_features(x, sr=SR, segmentation=iv)
    assert np.isnan([b[k] for k in BASELINE_NAMES if k.startswith("sd_")]).all()
    assert np.isfinite([b[k] for k in BASELINE_NAMES if k.startswith("m_")]).all()


def test_state_without_frames_is_a_nan_row():
    x = np.random.default_rng(0).standard_normal(2 * SR)
    iv = [[0.0, 0.5, 2], [0.5, 1.5, 4]]  # systole and diastole only
    s = state_spectra(x, sr=SR, segmentation=iv, n_fft=64, hop_length=16)
    assert s["n_frames"].tolist()[0] == 0 and s["n_frames"].tolist()[2] == 0
    for k in ("mfcc", "band_power"):
        assert np.isnan(s[k][[0, 2]]).all() and np.isfinite(s[k][[1, 3]][:, :3]).all()
    assert np.isnan(s["peak_freq"][[0, 2]]).all() and np.isfinite(s["peak_freq"][[1, 3]]).all()


def test_a_segmentation_past_the_end_of_the_signal_counts_the_cycles_in_it():
    """A segmentation of a longer recording applied to its first samples: its cycles are those
    whose four states and next S1 onset lie in the signal (the whole signal's rows for them),
    not the segmentation's (n_cycles had been 40 of a 5 s signal, cycle_coverage 3.99)."""
    iv, x = _synthetic()
    full = cycle_table(x, sr=SR, segmentation=iv)
    n = 1500
    inside = full["start"] + full["rr"] < n / SR
    assert 0 < inside.sum() < full["rr"].size  # the cut drops cycles
    cut = cycle_table(x[:n], sr=SR, segmentation=iv)
    assert set(cut) == set(full)
    for key in full:
        np.testing.assert_array_equal(cut[key], full[key][inside])
    assert cycle_features(x[:n], sr=SR, segmentation=iv)["n_cycles"] == inside.sum()
    q = signal_quality(x[:n], sr=SR, segmentation=iv)
    assert 0 < q["cycle_coverage"] <= 1
    shifted = np.asarray(iv, dtype=np.float64) + [100.0, 100.0, 0.0]  # all past the end
    assert cycle_features(x, sr=SR, segmentation=shifted)["n_cycles"] == 0


# -------------------------------------------------------------------------------------------
# per-state spectra against librosa


def _frame_states(seg, n_frames, hop):
    idx = np.arange(n_frames) * hop
    st = np.zeros(n_frames, dtype=int)
    ok = idx < seg.states.size
    st[ok] = seg.states[idx[ok]]
    return st


def test_state_mfcc_means_and_band_powers_against_librosa():
    librosa = pytest.importorskip("librosa")
    x, sr = physiofeat.load(physiofeat.data.path("50277_MV"))
    x = x[: 8 * sr].astype(np.float64)
    seg = Segmentation.from_tsv(physiofeat.data.DATA_DIR / "50277_MV.tsv", sr=sr, n_samples=x.size)
    kw = dict(n_fft=256, hop_length=32, n_mels=40, fmin=25.0, fmax=800.0)
    s = state_spectra(x, sr=sr, segmentation=seg, n_mfcc=13, **kw)
    M = librosa.feature.mfcc(y=x, sr=sr, n_mfcc=13, **kw)
    P = np.abs(librosa.stft(x, n_fft=256, hop_length=32)) ** 2
    f = librosa.fft_frequencies(sr=sr, n_fft=256)
    st = _frame_states(seg, M.shape[1], 32)
    bands = [(25, 50), (50, 100), (100, 150), (150, 200), (200, 300), (300, 400), (400, 600)]
    bands += [(600, 800)]
    for r, code in enumerate((1, 2, 3, 4)):
        sel = st == code
        assert s["n_frames"][r] == sel.sum() > 10
        np.testing.assert_allclose(s["mfcc"][r], M[:, sel].mean(axis=1), rtol=1e-6, atol=1e-6)
        p = P[:, sel].mean(axis=1)
        bp = np.array([p[(f >= lo) & (f < hi)].sum() for lo, hi in bands])
        np.testing.assert_allclose(s["band_power"][r], bp / bp.sum(), rtol=1e-6, atol=1e-12)
        band = (f >= 25) & (f <= 800)
        np.testing.assert_allclose(s["peak_freq"][r], f[band][np.argmax(p[band])], rtol=0)


def test_state_peak_frequency_and_half_power_width_of_a_tone():
    sr, n_fft = 2000, 256
    df = sr / n_fft
    f0 = 20 * df  # a bin centre (156.25 Hz)
    x = np.sin(2 * np.pi * f0 * np.arange(4 * sr) / sr)
    iv = [[0.0, 1.0, 1], [1.0, 2.0, 2], [2.0, 3.0, 3], [3.0, 4.0, 4]]
    s = state_spectra(x, sr=sr, segmentation=iv, n_fft=n_fft, hop_length=64)
    np.testing.assert_allclose(s["peak_freq"], f0, rtol=0)
    # Hann window, tone on a bin centre: power 1 at the peak bin and 1/4 at its neighbours, so
    # the linearly interpolated half-power crossings are 2/3 bin each side (the continuous
    # lobe's 1.44 bins is within 8 %); interior states exactly, the edge states (padded frames)
    # within 1 %
    np.testing.assert_allclose(s["peak_width"][1:3], 4 / 3 * df, rtol=1e-6)
    np.testing.assert_allclose(s["peak_width"], 4 / 3 * df, rtol=0.01)


def test_band_above_nyquist_is_nan():
    x = np.random.default_rng(0).standard_normal(2 * SR)
    iv = [[0.0, 0.5, 1], [0.5, 1.0, 2], [1.0, 1.5, 3], [1.5, 2.0, 4]]
    s = state_spectra(x, sr=SR, segmentation=iv, bands=[(25, 200), (200, 450), (450, 700)])
    assert np.isnan(s["band_power"][:, 2]).all()
    np.testing.assert_allclose(s["band_power"][:, :2].sum(axis=1), 1.0, rtol=1e-12)


@pytest.mark.parametrize("bands", [[(25, 50), (25, 50)], [(25, 50), (25.0000001, 50)]])
def test_bands_with_one_column_label_are_refused(bands):
    """Two bands labelled band_25_50 had given two columns of one name (68 names, 64 unique)."""
    x = np.random.default_rng(0).standard_normal(2 * SR)
    iv = [[0.0, 0.5, 1], [0.5, 1.0, 2], [1.0, 1.5, 3], [1.5, 2.0, 4]]
    with pytest.raises(ParameterError, match=r"same column label 'band_25_50'"):
        state_spectra(x, sr=SR, segmentation=iv, bands=bands)
    with pytest.raises(ParameterError, match=r"same column label 'band_25_50'"):
        physiofeat.extract(x, {"pcg_states": {"bands": bands}}, sr=SR)


# -------------------------------------------------------------------------------------------
# murmur energy and cycle-synchronous averages, analytic


def _murmur_signal(sr=4000, a_murmur=0.25, n_beats=6):
    """S1/S2: 50 Hz sines of amplitude 1; a 300 Hz systolic 'murmur' of amplitude a_murmur."""
    beat = [(0.10, 1), (0.30, 2), (0.10, 3), (0.50, 4)]
    rows, t0 = [], 0.2
    for _ in range(n_beats):
        for d, s in beat:
            rows.append([t0, t0 + d, s])
            t0 += d
    rows.append([t0, t0 + 0.1, 1])
    n = int((t0 + 0.4) * sr)
    t = np.arange(n) / sr
    seg = Segmentation.from_intervals(rows, sr=sr, n_samples=n)
    x = np.where(np.isin(seg.states, (1, 3)), np.sin(2 * np.pi * 50 * t), 0.0)
    x = x + np.where(seg.states == 2, a_murmur * np.sin(2 * np.pi * 300 * t), 0.0)
    return x, sr, seg


def test_murmur_features_of_a_systolic_tone():
    x, sr, seg = _murmur_signal(a_murmur=0.25)
    m = murmur_features(x, sr=sr, segmentation=seg)
    np.testing.assert_allclose(m["systole_db"], 20 * np.log10(0.25), atol=0.5)
    assert m["diastole_db"] < -30 and m["systole_minus_diastole_db"] > 25
    assert m["systole_louder_fraction"] == 1.0
    np.testing.assert_allclose(m["systole_band_fraction"], 1.0, atol=0.1)  # 300 Hz: both bands
    x0, _, _ = _murmur_signal(a_murmur=0.0)
    clean = murmur_features(x0, sr=sr, segmentation=seg)
    assert clean["systole_db"] < -30


def test_cycle_average_profile_and_gain_invariance():
    x, sr, seg = _murmur_signal(a_murmur=0.5)
    a = cycle_average(x, sr=sr, segmentation=seg)
    lab = cycle_average_labels()
    assert a.shape == (2, len(lab)) and lab[0] == "s1_0" and lab[-1] == "diastole_7"
    sys_ = [i for i, n in enumerate(lab) if n.startswith("systole_")]
    inner = sys_[2:-2]  # away from the band-pass transients at the state edges
    # RMS of a sine is amplitude / sqrt(2) in S1 (normaliser) and systole: ratio 0.5
    np.testing.assert_allclose(a[0, inner], 0.5, rtol=0.05)
    np.testing.assert_allclose(a[1, inner], 0.5, rtol=0.05)
    np.testing.assert_allclose(cycle_average(7.0 * x, sr=sr, segmentation=seg), a, rtol=1e-9)
    dia = [i for i, n in enumerate(lab) if n.startswith("diastole_")][2:-2]
    assert (a[1, dia] < 0.02).all()


# -------------------------------------------------------------------------------------------
# quality indices, analytic


def test_quality_of_a_periodic_beat_train_and_of_noise():
    sr = 2000
    t = np.arange(20 * sr) / sr
    rng = np.random.default_rng(3)
    beats = np.sin(2 * np.pi * 60 * t) * (np.mod(t, 0.8) < 0.08) + 0.01 * rng.standard_normal(
        t.size
    )
    q = signal_quality(beats, sr=sr)
    np.testing.assert_allclose(q["acf_heart_rate"], 75.0, atol=2.0)
    assert q["acf_peak"] > 0.9 and q["periodicity"] > 0.85
    noise = rng.standard_normal(20 * sr)
    qn = signal_quality(noise, sr=sr)
    assert qn["acf_peak"] < 0.3 and qn["periodicity"] < 0.3
    np.testing.assert_allclose(qn["signal_kurtosis"], 3.0, atol=0.2)  # Gaussian
    # white noise spreads its power evenly over 0..sr/2
    np.testing.assert_allclose(qn["pcg_band_fraction"], (400 - 25) / (sr / 2), atol=0.02)
    assert q["envelope_kurtosis"] > qn["envelope_kurtosis"]


def test_quality_segmentation_indices():
    iv, x = _synthetic()
    q = signal_quality(x, sr=SR, segmentation=iv)
    rr = np.array([1.0, 1.1, 1.0])
    np.testing.assert_allclose(q["rr_cv"], _sd(rr) / rr.mean(), rtol=1e-12)
    np.testing.assert_allclose(q["cycle_coverage"], rr.sum() / (x.size / SR), rtol=1e-12)
    assert np.isnan(signal_quality(x, sr=SR)["rr_cv"])


# -------------------------------------------------------------------------------------------
# registered features and the preset


@pytest.fixture(scope="module")
def circor():
    x, sr = physiofeat.load(physiofeat.data.path("50277_MV"))
    seg = Segmentation.from_tsv(physiofeat.data.DATA_DIR / "50277_MV.tsv", sr=sr, n_samples=x.size)
    return x, sr, seg


def test_registered_features_equal_the_functions(circor):
    x, sr, seg = circor
    names = ["pcg_baseline", "pcg_quality", "pcg_murmur", "pcg_states", "pcg_cycle_average"]
    f = physiofeat.extract(x, [*names, "pcg_cycles"], sr=sr, segmentation=seg)
    assert f.computed["pcg_segmentation"] == 1
    b = baseline_features(x, sr=sr, segmentation=seg)
    np.testing.assert_array_equal(f["pcg_baseline"].values, [b[k] for k in BASELINE_NAMES])
    q = signal_quality(x, sr=sr, segmentation=seg)
    np.testing.assert_array_equal(f["pcg_quality"].values, [q[k] for k in QUALITY_NAMES])
    s = state_spectra(x, sr=sr, segmentation=seg)
    np.testing.assert_array_equal(f["pcg_states"].values[:, :13], s["mfcc"])
    np.testing.assert_array_equal(f["pcg_states"].values[:, -2], s["peak_freq"])
    t = cycle_table(x, sr=sr, segmentation=seg)
    np.testing.assert_array_equal(f["pcg_cycles"].values[0], t["rr"])
    cols = dict(zip(f.vector_names(), f.vector()))
    np.testing.assert_allclose(
        cols["pcg_cycles_rr_mean"], np.mean(t["rr"]), rtol=tol(np.float64, 8)
    )
    assert cols["pcg_cycles_n_cycles"] == 6
    assert cols["pcg_baseline_m_RR"] == b["m_RR"]
    assert cols["pcg_states_s1_mfcc0"] == s["mfcc"][0, 0]
    assert cols["pcg_cycle_average_murmur_systole_3"] == f["pcg_cycle_average"].values[1, 7]


@pytest.fixture(scope="module")
def short_circor(circor):
    """The first 8 s of the shipped recording (the preset's tests stay fast)."""
    x, sr, seg = circor
    n = 8 * int(sr)
    return x[:n], sr, Segmentation.from_intervals(seg.intervals, sr=sr, n_samples=n)


def test_heart_sound_preset_through_extract(short_circor):
    x, sr, seg = short_circor
    f = physiofeat.extract(x, "heart_sound", sr=sr, segmentation=seg)
    assert list(f) == list(HEART_SOUND)
    assert f.computed["pcg_segmentation"] == 1 and f.computed["stft"] == 1
    names = f.vector_names()
    assert len(names) == len(set(names)) and np.isfinite(f.vector()).all()
    assert f["mfcc"].attrs["n_fft"] == 256 and f["mfcc"].attrs["n_mfcc"] == 13
    b = baseline_features(x, sr=sr, segmentation=seg)
    np.testing.assert_array_equal(f["pcg_baseline"].values, [b[k] for k in BASELINE_NAMES])
    assert "heart_sound" in [p.name for p in physiofeat.presets()]
    # the marginal Hilbert spectrum of 8 IMFs sifted 10 times each
    from physiofeat.hht import emd, marginal_spectrum

    r = emd(x, max_imfs=8, stop="fixed", stop_thresh=10)
    _, h = marginal_spectrum(r.imfs, sr=sr, n_bins=20, fmin=0.0, fmax=800.0)
    np.testing.assert_allclose(f["marginal_spectrum"].values, h / x.size, rtol=1e-12, atol=0)
    # band energies per sample: the plain energies over the signal's length
    from physiofeat.wavelet import dwt_features

    d = dwt_features(x, wavelet="db4", level=5)
    np.testing.assert_allclose(f["dwt"].values[:, 0], d[:, 0] / x.size, rtol=1e-12, atol=0)
    np.testing.assert_array_equal(f["dwt"].values[:, 1:], d[:, 1:])


def test_preset_expansion_and_combination():
    from physiofeat._registry import _normalise_request

    assert _normalise_request("heart_sound") == HEART_SOUND
    got = _normalise_request(["heart_sound", "rms"])
    assert list(got) == [*HEART_SOUND, "rms"]
    # a feature named beside the preset changes only the parameters it is given, in its place
    got = _normalise_request({"heart_sound": None, "mfcc": {"n_mfcc": 5}})
    assert got["mfcc"] == {**HEART_SOUND["mfcc"], "n_mfcc": 5}
    assert list(got) == list(HEART_SOUND)
    got = _normalise_request({"mfcc": {"n_mfcc": 5}, "heart_sound": {}})
    assert got["mfcc"] == {**HEART_SOUND["mfcc"], "n_mfcc": 5} and list(got)[0] == "mfcc"
    got["mfcc"]["n_mfcc"] = 1  # a copy: the preset itself is unchanged
    assert _normalise_request("heart_sound")["mfcc"]["n_mfcc"] == 13


def test_heart_sound_columns_do_not_depend_on_rate_or_length(short_circor):
    from scipy.signal import resample_poly

    x, sr, seg = short_circor
    x2 = resample_poly(x, 1, 2)  # the same recording at 2 kHz
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = physiofeat.extract(x, "heart_sound", sr=sr, segmentation=seg).vector_names()
        b = physiofeat.extract(x2[: 6 * 2000], "heart_sound", sr=2000).vector_names()
        c = physiofeat.extract(x[: 5 * int(sr)], "heart_sound", sr=sr).vector_names()
        # no complete cycle at all: NaN values, the same columns
        no = physiofeat.extract(x2[:8000], "heart_sound", sr=2000, segmentation=_no_cycle())
    assert a == b == c == no.vector_names()
    v = dict(zip(no.vector_names(), no.vector()))
    assert np.isnan(v["pcg_baseline_m_RR"]) and np.isfinite(v["mfcc_coef0_mean"])


def test_preset_segments_once_per_signal_and_batches():
    x, sr = physiofeat.load(physiofeat.data.path("a0007"))
    xb = np.stack([x[: 8 * sr], x[8 * sr : 16 * sr]])
    names = ["pcg_baseline", "pcg_cycles", "pcg_murmur"]
    fb = physiofeat.extract(xb, names, sr=sr)
    assert fb.computed["pcg_segmentation"] == 1 and fb.vector().shape[0] == 2
    for i in range(2):
        fi = physiofeat.extract(xb[i], names, sr=sr)
        np.testing.assert_allclose(fb.vector()[i], fi.vector(), rtol=tol(np.float64, 8), atol=0)


def test_preset_through_the_cli(tmp_path, short_circor, capsys):
    import pandas as pd
    import soundfile as sf

    from physiofeat.cli import main

    x, sr, _ = short_circor
    (tmp_path / "in").mkdir()
    sf.write(tmp_path / "in" / "rec.wav", x, int(sr), subtype="PCM_16")
    out = tmp_path / "f.csv"
    args = ["extract", str(tmp_path / "in"), "-f", "heart_sound", "-o", str(out), "--jobs", "1"]
    assert main([*args, "-p", "mfcc.n_mfcc=5"]) == 0  # a parameter of one of the preset's
    table = pd.read_csv(out)
    y, sr2 = physiofeat.load(tmp_path / "in" / "rec.wav")
    request = {k: dict(v) for k, v in HEART_SOUND.items()}
    request["mfcc"]["n_mfcc"] = 5
    want = physiofeat.extract(y, request, sr=sr2)
    assert "mfcc_coef4_mean" in table.columns and "mfcc_coef5_mean" not in table.columns
    cols = [c for c in table.columns if c in set(want.vector_names())]
    assert cols == want.vector_names()
    np.testing.assert_allclose(table[cols].to_numpy()[0], want.vector(), rtol=1e-6, atol=1e-9)
    with pytest.raises(SystemExit) as exc:  # a feature neither named nor in the preset
        main([*args, "-p", "cwt.n_freqs=3"])
    assert exc.value.code == 2
    assert "parameters given for feature(s) ['cwt'] that are not requested" in (
        capsys.readouterr().err
    )
    assert main(["features"]) == 0
    assert "[preset] heart_sound" in capsys.readouterr().out


# -------------------------------------------------------------------------------------------
# errors


def test_function_error_paths():
    x = np.zeros(1000)
    with pytest.raises(ParameterError, match="segmentation must be a physiofeat.pcg.Segmentation"):
        cycle_table(x, sr=SR, segmentation="50277_MV.tsv")
    with pytest.raises(ParameterError, match="segmentation must be"):
        baseline_features(x, sr=SR, segmentation=None)
    with pytest.raises(ParameterError, match=r"shape \(n, 3\)"):
        cycle_table(x, sr=SR, segmentation=np.zeros((4, 2)))
    with pytest.raises(InvalidSignalError, match="must have shape"):
        cycle_table(np.zeros((2, 1000)), sr=SR, segmentation=_no_cycle())
    with pytest.raises(ParameterError, match="sr must be a positive number"):
        cycle_table(x, sr=0, segmentation=_no_cycle())
    with pytest.raises(ParameterError, match="band must have low < high"):
        murmur_features(x, sr=SR, segmentation=_no_cycle(), band=(300, 200))
    with pytest.raises(ParameterError, match=r"band must be a pair"):
        cycle_average(x, sr=SR, segmentation=_no_cycle(), band=300)
    with pytest.raises(ParameterError, match="bins must give 4 counts"):
        cycle_average(x, sr=SR, segmentation=_no_cycle(), bins=(4, 8))
    with pytest.raises(ParameterError, match=r"bins\[i\] must be >= 1"):
        cycle_average_labels((4, 0, 4, 8))
    with pytest.raises(ParameterError, match="fmax must be above fmin"):
        state_spectra(x, sr=SR, segmentation=_no_cycle(), fmin=300.0, fmax=200.0)
    with pytest.raises(ParameterError, match="at most sr/2"):
        state_spectra(x, sr=SR, segmentation=_no_cycle(), fmax=900.0)
    with pytest.raises(ParameterError, match="bands is empty"):
        state_spectra(x, sr=SR, segmentation=_no_cycle(), bands=[])
    with pytest.raises(ParameterError, match="n_mfcc must be >= 1"):
        state_spectra(x, sr=SR, segmentation=_no_cycle(), n_mfcc=0)
    with pytest.raises(ParameterError, match="hr_max must be above hr_min"):
        signal_quality(x, sr=SR, hr_min=100.0, hr_max=60.0)


@pytest.mark.parametrize(
    "request_, match",
    [
        ({"pcg_murmur": {"band": (600.0, 150.0)}}, "band must have low < high"),
        ({"pcg_cycle_average": {"bins": (1, 2, 3)}}, "bins must give 4 counts"),
        ({"pcg_states": {"n_mfcc": 50, "n_mels": 40}}, "n_mfcc=50 is more than n_mels=40"),
        ({"pcg_states": {"bands": [(10, 5)]}}, r"bands\[i\] must have low < high"),
        ({"pcg_states": {"fmin": 500.0, "fmax": 100.0}}, "fmax must be above fmin"),
        ({"pcg_quality": {"hr_min": 0.0}}, "hr_min must be > 0"),
        ({"pcg_baseline": {"segmentation": np.zeros((2, 2))}}, r"shape \(n, 3\)"),
        ({"heart_sound": {"n_fft": 256}}, "'heart_sound' is a preset; give parameters"),
    ],
)
def test_registered_parameters_are_checked_before_any_work(request_, match, no_compute):
    with pytest.raises(ParameterError, match=match):
        physiofeat.extract(np.zeros(4000), request_, sr=4000)


@pytest.mark.parametrize("kind", ["short", "silent"])
def test_a_recording_segment_refuses_gives_nan_and_a_warning(kind, short_circor):
    from physiofeat.pcg import PcgWarning

    x, sr, seg = short_circor
    y = x[: 2 * int(sr)] if kind == "short" else np.zeros(5 * int(sr))
    names = ["pcg_baseline", "pcg_states", "pcg_murmur", "pcg_cycles", "pcg_quality"]
    with pytest.warns(PcgWarning, match="cycle and per-state features are NaN"):
        f = physiofeat.extract(y, names, sr=sr)
    ref = physiofeat.extract(x, names, sr=sr, segmentation=seg)
    assert f.vector_names() == ref.vector_names()
    v = dict(zip(f.vector_names(), f.vector()))
    assert np.isnan(v["pcg_baseline_m_RR"]) and np.isnan(v["pcg_states_s1_mfcc0"])
    assert v["pcg_cycles_n_cycles"] == 0
    with pytest.warns(PcgWarning, match="signal 1: "):
        fb = physiofeat.extract(np.stack([x[: 2 * int(sr)]] * 2), ["pcg_baseline"], sr=sr)
    assert np.isnan(fb.vector()).all()


def test_segmentation_for_a_batch_is_refused():
    with pytest.raises(ParameterError, match="segmentation= describes one recording"):
        physiofeat.extract(np.zeros((2, 4000)), ["pcg_baseline"], sr=4000, segmentation=_no_cycle())


def test_register_preset_errors():
    from physiofeat._registry import register_preset

    with pytest.raises(ParameterError, match="already registered"):
        register_preset("heart_sound", {"rms": {}}, description="x")
    with pytest.raises(ParameterError, match="is a feature name"):
        register_preset("mfcc", {"rms": {}}, description="x")
    with pytest.raises(ParameterError, match="non-empty mapping"):
        register_preset("empty_preset", {}, description="x")
    with pytest.raises(ParameterError, match="parameters of 'rms' must be a mapping"):
        register_preset("bad_preset", {"rms": 3}, description="x")
    register_preset("typo_preset", {"rms_typo": {}}, description="x")
    with pytest.raises(physiofeat.UnknownFeatureError, match="rms_typo"):
        physiofeat.extract(np.zeros(100), "typo_preset", sr=100)


# -------------------------------------------------------------------------------------------
# real recordings with CirCor's annotations


def test_shipped_circor_recording_values(circor):
    x, sr, seg = circor
    b = baseline_features(x, sr=sr, segmentation=seg)
    iv = physiofeat.data.pcg_segmentation("50277_MV")
    cyc = _naive_cycles(iv.tolist())
    np.testing.assert_allclose(b["m_RR"], cyc[:, 0].mean(), rtol=1e-12)
    np.testing.assert_allclose(b["sd_IntDia"], np.std(cyc[:, 4], ddof=1), rtol=1e-12)
    # patient 50277: holosystolic murmur (grade III/VI) -> systole louder than diastole in the
    # murmur band in most cycles
    m = murmur_features(x, sr=sr, segmentation=seg)
    assert m["systole_minus_diastole_db"] > 0 and m["systole_louder_fraction"] >= 0.5


def test_circor_recordings_with_their_tsv(shared_data):
    files = sorted((shared_data / "pcg" / "circor").glob("*_MV.wav"))[:4]
    assert files
    for wav in files:
        x, sr = physiofeat.load(wav)
        seg = Segmentation.from_tsv(wav.with_suffix(".tsv"), sr=sr, n_samples=x.size)
        b = baseline_features(x, sr=sr, segmentation=seg)
        cyc = _naive_cycles(seg.intervals.tolist())
        if cyc.shape[0] >= 2:
            np.testing.assert_allclose(b["m_RR"], cyc[:, 0].mean(), rtol=1e-12)
            np.testing.assert_allclose(b["m_Ratio_SysRR"], cyc[:, 5].mean(), rtol=1e-12)
            assert 0.25 < b["m_RR"] < 2.0  # 30-240 bpm
        q = signal_quality(x, sr=sr, segmentation=seg)
        assert 0 <= q["cycle_coverage"] <= 1 and 0 < q["pcg_band_fraction"] <= 1


# -------------------------------------------------------------------------------------------
# plot


def test_pcgshow_draws_states_and_labels(circor):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from physiofeat import plot

    x, sr, seg = circor
    a, b = int(4 * sr), int(9 * sr)
    out = plot.pcgshow(x[a:b], sr=sr, offset=4.0, segmentation=seg)
    iv = seg.intervals
    inside = iv[(iv[:, 1] > 4.0) & (iv[:, 0] < (b - 1) / sr) & (iv[:, 2] > 0)]
    assert len(out.spans) == inside.shape[0]
    sounds = inside[np.isin(inside[:, 2], (1, 3))]
    mids = sounds[:, :2].mean(axis=1)
    want = [("S1" if s == 1 else "S2") for s, m in zip(sounds[:, 2], mids) if 4.0 <= m <= 9.0]
    assert [t.get_text() for t in out.labels] == want
    np.testing.assert_allclose(
        [t.get_position()[0] for t in out.labels], mids[(mids >= 4.0) & (mids <= 9.0)]
    )
    assert out.ax.get_legend() is not None
    no = plot.pcgshow(x[a:b], sr=sr, offset=4.0, segmentation=seg.intervals, label_sounds=False)
    assert no.labels == [] and len(no.spans) == len(out.spans)
    with pytest.raises(ParameterError, match=r"segmentation must be .* \(n, 3\) rows"):
        plot.pcgshow(x[:100], sr=sr, segmentation=np.zeros((3, 2)))
    with pytest.raises(ParameterError, match="label_sounds must be True or False"):
        plot.pcgshow(x[:100], sr=sr, segmentation=seg, label_sounds="no")
    plt.close("all")


def test_pcg_features_take_a_segmenter_model(tmp_path):
    """model= reaches segment(): the shipped model by path equals the default; a model with
    longer S1/S2 duration laws gives longer S1 sounds, as segment() with that model does; a
    model beside a segmentation is refused."""
    import dataclasses

    from physiofeat.pcg import load_model, segment
    from physiofeat.pcg._hsmm import DEFAULT_MODEL_PATH

    x, sr = physiofeat.load(physiofeat.data.path("50277_MV"))
    names = ["pcg_cycles", "pcg_murmur"]
    ref = physiofeat.extract(x, names, sr=sr).vector()
    same = physiofeat.extract(x, names, sr=sr, model=str(DEFAULT_MODEL_PATH)).vector()
    np.testing.assert_array_equal(ref, same)
    slow = dataclasses.replace(load_model(), s1_mean=0.25, s2_mean=0.25)
    path = tmp_path / "slow.json"
    slow.to_json(path)
    k = CYCLE_QUANTITIES.index("s1")
    got = physiofeat.extract(x, ["pcg_cycles"], sr=sr, model=str(path))["pcg_cycles"].values[k]
    seg = segment(x, sr=sr, model=slow)
    want = cycle_table(x, sr=sr, segmentation=seg)["s1"]
    np.testing.assert_array_equal(got[: want.size], want)
    default = physiofeat.extract(x, ["pcg_cycles"], sr=sr)["pcg_cycles"].values[k]
    assert np.nanmedian(got) > np.nanmedian(default) + 0.05
    with pytest.raises(ParameterError, match="segmentation= and model= were both given"):
        physiofeat.extract(x, names, sr=sr, model=str(path), segmentation=[[0.0, 1.0, 1.0]])
    with pytest.raises(physiofeat.DecodeError, match="cannot read segmenter model"):
        physiofeat.extract(x, names, sr=sr, model=str(tmp_path / "missing.json"))


def test_a_cycle_from_an_s1_cut_by_the_recording_start_is_not_complete():
    """An S1 starting at 0 s may be cut by the start (segment() lets the first state be): the
    cycle from it is not counted (13918_AV started 0.1 s late had a first 'cycle' of 0.52 s
    with a 40 ms S1 beside medians of 0.58 and 0.11 s)."""
    iv, x = _synthetic()
    cut = iv.copy()
    cut[:, :2] -= iv[0, 0] + 0.06  # the first S1 starts 60 ms before the recording ...
    cut = cut[cut[:, 1] > 0]
    cut[0, 0] = 0.0  # ... so it shows as a 40 ms S1 from 0 s
    y = x[int(round((iv[0, 0] + 0.06) * SR)) :]
    seg = Segmentation.from_intervals(cut, sr=SR)
    np.testing.assert_allclose(
        seg.cycles(), Segmentation.from_intervals(iv, sr=SR).cycles()[1:] - (iv[0, 0] + 0.06)
    )
    t = cycle_table(y, sr=SR, segmentation=seg)
    np.testing.assert_allclose(t["rr"], [1.1, 1.0], atol=1e-9)
    b = baseline_features(y, sr=SR, segmentation=cut)
    assert b["m_RR"] == pytest.approx(1.05, abs=1e-9)


def test_quality_autocorrelation_is_a_correlation_and_finds_the_beat():
    """acf_peak/periodicity lie in [-1, 1] whatever the clip's length and hr_min (each lag's
    n - k average reached 1.83 on 1.6 s clips and 30.9 with hr_min=1), and the heart rate is
    that of a local maximum, not the search edge (hr_max=200 on 7 of 46 CirCor files)."""
    x, sr = physiofeat.load(physiofeat.data.path("50277_MV"))
    seg = Segmentation.from_tsv(physiofeat.data.path("50277_MV").with_suffix(".tsv"), sr=sr)
    for dur in (1.6, 2.0, 3.0, None):
        y = x if dur is None else x[: int(dur * sr)]
        for hr_min in (1.0, 40.0):
            q = signal_quality(y, sr=sr, hr_min=hr_min)
            for k in ("acf_peak", "periodicity"):
                assert np.isnan(q[k]) or -1.0 <= q[k] <= 1.0, (dur, hr_min, k, q[k])
    q = signal_quality(x, sr=sr)
    c = seg.cycles()  # CirCor's annotated cycles: 46 bpm
    assert q["acf_heart_rate"] == pytest.approx(60.0 / np.median(c[:, 1] - c[:, 0]), rel=0.1)


def test_envelope_kurtosis_does_not_depend_on_the_rate():
    """The homomorphic envelope's edge transient (up to 20x its median) set the kurtosis, and
    its size depends on the rate: 50277_MV gave 4.76 at 2 kHz and 22.9 at 4 kHz."""
    import soxr
    from scipy.signal import butter, sosfiltfilt

    x, sr = physiofeat.load(physiofeat.data.path("50277_MV"))
    x = sosfiltfilt(butter(8, 900, fs=sr, output="sos"), x.astype(np.float64))
    q4 = signal_quality(x, sr=sr)
    q2 = signal_quality(soxr.resample(x, sr, 2000), sr=2000)
    for k in ("envelope_kurtosis", "acf_peak", "acf_heart_rate"):
        assert q2[k] == pytest.approx(q4[k], rel=0.1), k
