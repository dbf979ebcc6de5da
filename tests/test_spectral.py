"""The spectral family against librosa (the oracle), called with the same arguments on both sides.

Tolerances are dtype-aware (``tol(dtype, k)`` = k x the dtype's resolution) and two-sided
(absolute differences). librosa builds its mel filterbank in float32 whatever the input dtype,
so float64 mel/MFCC comparisons use ``librosa.filters.mel(dtype=float64)`` with librosa's own
power spectrogram as the oracle; float32 ones compare with ``librosa.feature.*`` directly.
"""

from __future__ import annotations

import itertools

import librosa
import numpy as np
import pytest
import scipy.fft
import soundfile as sf
from conftest import tol

import physiofeat
from physiofeat import InvalidSignalError, ParameterError
from physiofeat import spectral as S

SR = 2000


@pytest.fixture(scope="module")
def heart():
    x, sr = sf.read(physiofeat.data.path("a0007"))
    assert sr == SR
    return x[4000:16000]


def _signal(heart, dtype):
    return heart.astype(dtype)


FRAMINGS = [  # n_fft, hop_length, win_length, center, window
    (256, 64, None, True, "hann"),
    (512, 128, 400, False, "hamming"),
    (2048, 512, None, True, "hann"),
    (400, 100, None, True, "blackman"),
    (128, 50, 100, False, ("kaiser", 8.0)),
]
DTYPES = [np.float32, np.float64]
GRID = list(itertools.product(FRAMINGS, DTYPES))
IDS = [
    f"{f[0]}-{f[1]}-{f[2]}-{f[3]}-{f[4] if isinstance(f[4], str) else f[4][0]}-{d.__name__}"
    for f, d in GRID
]


def _kw(fr):
    n_fft, hop, win, center, window = fr
    return dict(n_fft=n_fft, hop_length=hop, win_length=win, center=center, window=window)


def _rel(a, b):
    return np.abs(a - b).max() / np.abs(b).max()


@pytest.mark.parametrize(("fr", "dtype"), GRID, ids=IDS)
def test_stft_matches_librosa(heart, fr, dtype):
    x = _signal(heart, dtype)
    X = S.stft(x, **_kw(fr))
    Xl = librosa.stft(x, **_kw(fr))
    assert X.shape == Xl.shape
    assert X.dtype == Xl.dtype
    assert _rel(X, Xl) <= tol(dtype, 10)


@pytest.mark.parametrize(("fr", "dtype"), GRID, ids=IDS)
@pytest.mark.parametrize(
    ("n_mels", "htk", "norm"), [(40, False, "slaney"), (64, True, None), (32, True, 2.0)]
)
def test_melspectrogram_matches_librosa(heart, fr, dtype, n_mels, htk, norm):
    x = _signal(heart, dtype)
    n_mels = min(n_mels, fr[0] // 4)  # more bands than that leaves empty filters (warns; below)
    kw = dict(sr=SR, n_mels=n_mels, htk=htk, norm=norm, fmax=900.0, **_kw(fr))
    M = S.melspectrogram(x, **kw)
    if dtype == np.float32:
        ref = librosa.feature.melspectrogram(y=x, **kw)
    else:
        P = np.abs(librosa.stft(x, **_kw(fr))) ** 2
        W = librosa.filters.mel(
            sr=SR, n_fft=fr[0], n_mels=n_mels, htk=htk, norm=norm, fmax=900.0, dtype=np.float64
        )
        ref = W @ P
    assert M.dtype == dtype
    assert _rel(M, ref) <= tol(dtype, 10)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("power", [1.0, 1.5, 2.0])
@pytest.mark.parametrize("n_signals", [1, 3, 12])
def test_mel_paths_match_librosa(heart, dtype, power, n_signals):
    """Every route to the mel spectrogram -- block by block from the signal, from a shared
    complex STFT (serial below PARALLEL_MIN elements, parallel above), frame counts that are
    not a multiple of the kernel's 8-frame tile -- against librosa's filterbank applied to
    librosa's |STFT|**power in float64."""
    rows = np.stack([np.roll(heart, 37 * i) for i in range(n_signals)]).astype(dtype)
    rows = rows[:, :5001]  # 79 frames of hop 64: 9 tiles of 8 and a remainder of 7
    kw = dict(n_fft=256, hop_length=64)
    W = librosa.filters.mel(sr=SR, n_fft=256, n_mels=40, dtype=np.float64)
    ref = W @ (np.abs(librosa.stft(rows.astype(np.float64), **kw)) ** power)
    direct = S.melspectrogram(rows, sr=SR, n_mels=40, power=power, **kw)
    shared = physiofeat.extract(rows, ["spectrogram", "mel"], sr=SR, n_mels=40, power=power, **kw)
    assert shared["mel"].values.shape == ref.shape
    for M in (direct, shared["mel"].values):
        assert M.dtype == dtype
        assert _rel(M, ref) <= tol(dtype, 10)


@pytest.mark.parametrize(("fr", "dtype"), GRID, ids=IDS)
@pytest.mark.parametrize("lifter", [0, 22])
def test_mfcc_matches_librosa(heart, fr, dtype, lifter):
    x = _signal(heart, dtype)
    kw = dict(sr=SR, n_mels=40, n_mfcc=13, lifter=lifter, **_kw(fr))
    M = S.mfcc(x, **kw)
    if dtype == np.float32:
        ref = librosa.feature.mfcc(y=x, **kw)
    else:
        P = np.abs(librosa.stft(x, **_kw(fr))) ** 2
        W = librosa.filters.mel(sr=SR, n_fft=fr[0], n_mels=40, dtype=np.float64)
        ref = librosa.feature.mfcc(S=librosa.power_to_db(W @ P), n_mfcc=13, lifter=lifter)
    assert M.shape == ref.shape
    # decibels turn the STFT's relative rounding into absolute error, so scale by the range
    assert np.abs(M - ref).max() <= tol(dtype, 20) * np.abs(ref).max()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("width", "order"), [(3, 1), (9, 1), (9, 2), (5, 3)])
@pytest.mark.parametrize(
    "shape",
    [(13, 60), (13, 400), (24, 13, 300)],  # short; interior in several chunks; batch (parallel)
)
def test_delta_matches_librosa(heart, dtype, width, order, shape, rng):
    data = rng.standard_normal(shape).astype(dtype)
    d = S.delta(data, width=width, order=order)
    ref = librosa.feature.delta(data, width=width, order=order)
    assert d.dtype == dtype
    assert np.abs(d - ref).max() <= tol(dtype, 100) * np.abs(ref).max()
    # along another axis too
    d0 = S.delta(np.moveaxis(data, -1, 0), width=width, order=order, axis=0)
    np.testing.assert_array_equal(d0, np.moveaxis(d, -1, 0))


@pytest.mark.parametrize(("fr", "dtype"), GRID, ids=IDS)
def test_spectral_statistics_match_librosa(heart, fr, dtype):
    x = _signal(heart, dtype)
    kw = dict(sr=SR, **_kw(fr))
    nyq = SR / 2
    for ours, theirs in [
        (S.spectral_centroid, librosa.feature.spectral_centroid),
        (S.spectral_bandwidth, librosa.feature.spectral_bandwidth),
    ]:
        a, b = ours(x, **kw), theirs(y=x, **kw)[0]
        assert np.abs(a - b).max() <= tol(dtype, 100) * nyq, ours.__name__
    a = S.spectral_flatness(x, **kw)
    b = librosa.feature.spectral_flatness(y=x, **{k: v for k, v in kw.items() if k != "sr"})[0]
    assert np.abs(a - b).max() <= tol(dtype, 100)
    # rolloff picks a bin: compare on the same magnitude spectrogram so ties resolve alike
    mag = np.abs(librosa.stft(x, **_kw(fr)))
    for rp in (0.5, 0.85, 0.99):
        a = S.spectral_rolloff(S=mag, sr=SR, roll_percent=rp)
        b = librosa.feature.spectral_rolloff(S=mag, sr=SR, roll_percent=rp)[0]
        np.testing.assert_array_equal(a, b)


def test_spectral_flux_and_entropy_against_numpy(heart):
    x = heart
    mag = np.abs(librosa.stft(x, n_fft=256, hop_length=64))
    flux = S.spectral_flux(S=mag, sr=SR)
    ref_flux = np.r_[0.0, np.sqrt((np.diff(mag, axis=1) ** 2).sum(axis=0))]
    assert np.abs(flux - ref_flux).max() <= tol(np.float64, 100) * ref_flux.max()
    ent = S.spectral_entropy(S=mag, sr=SR)
    p = mag**2 / (mag**2).sum(axis=0)
    ref_ent = -(p * np.log(np.where(p > 0, p, 1))).sum(axis=0) / np.log(mag.shape[0])
    assert np.abs(ent - ref_ent).max() <= tol(np.float64, 100)
    assert ((ent >= 0) & (ent <= 1)).all()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    ("frame_length", "hop_length", "center"), [(256, 64, True), (100, 33, False), (2048, 512, True)]
)
def test_zcr_and_rms_match_librosa(heart, dtype, frame_length, hop_length, center):
    x = _signal(heart, dtype)
    x[100:300] = 0.0  # exact zeros exercise the threshold/zero-is-positive rule
    kw = dict(frame_length=frame_length, hop_length=hop_length, center=center)
    z = S.zero_crossing_rate(x, **kw)
    zl = librosa.feature.zero_crossing_rate(x, **kw)[0]
    np.testing.assert_allclose(z, zl, rtol=0, atol=tol(dtype, 1))
    r = S.rms(x, **kw)
    rl = librosa.feature.rms(y=x, **kw, dtype=dtype)[0]
    assert np.abs(r - rl).max() <= tol(dtype, 10) * rl.max()


@pytest.mark.parametrize("dtype", DTYPES)
def test_cepstrum_against_numpy_definition(heart, dtype):
    x = _signal(heart, dtype)
    n_fft, hop = 256, 64
    C, q = S.cepstrum(x, sr=SR, n_fft=n_fft, hop_length=hop, n_ceps=None)
    w = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n_fft) / n_fft)
    xp = np.pad(x.astype(np.float64), n_fft // 2)
    for t in (0, 7, C.shape[-1] - 1):
        frame = xp[t * hop : t * hop + n_fft] * w
        ref = np.fft.ifft(np.log(np.maximum(np.abs(np.fft.fft(frame)), 1e-10))).real
        assert np.abs(C[:, t] - ref).max() <= tol(dtype, 1000) * np.abs(ref).max()
    np.testing.assert_allclose(q, np.arange(n_fft) / SR)


@pytest.mark.parametrize(
    ("htk", "norm"),
    [(False, "slaney"), (True, "slaney"), (False, None), (True, 1.0), (False, np.inf)],
)
def test_mel_filters_match_librosa(htk, norm):
    for sr, n_fft, n_mels, fmin, fmax in [
        (2000, 256, 40, 0.0, None),
        (22050, 2048, 128, 20.0, 8000.0),
    ]:
        ours = S.mel_filters(
            sr=sr,
            n_fft=n_fft,
            n_mels=n_mels,
            fmin=fmin,
            fmax=fmax,
            htk=htk,
            norm=norm,
            dtype=np.float64,
        )
        ref = librosa.filters.mel(
            sr=sr,
            n_fft=n_fft,
            n_mels=n_mels,
            fmin=fmin,
            fmax=fmax,
            htk=htk,
            norm=norm,
            dtype=np.float64,
        )
        assert np.abs(ours - ref).max() <= tol(np.float64, 100) * ref.max()


def test_hz_mel_round_trip():
    f = np.linspace(0, 11025, 200)
    for htk in (False, True):
        np.testing.assert_allclose(
            S.mel_to_hz(S.hz_to_mel(f, htk=htk), htk=htk),
            f,
            rtol=tol(np.float64, 100),
            atol=tol(np.float64, 1e4),
        )
        np.testing.assert_allclose(
            S.hz_to_mel(f, htk=htk), librosa.hz_to_mel(f, htk=htk), rtol=tol(np.float64, 10)
        )


def test_power_to_db_matches_librosa(rng):
    P = rng.random((20, 30)) ** 6
    for kw in [{}, {"ref": np.max}, {"top_db": None}, {"amin": 1e-5, "top_db": 40.0}]:
        np.testing.assert_allclose(
            S.power_to_db(P, **kw), librosa.power_to_db(P, **kw), rtol=0, atol=tol(np.float64, 1e3)
        )
    A = rng.random(50)
    np.testing.assert_allclose(
        S.amplitude_to_db(A), librosa.amplitude_to_db(A), rtol=0, atol=tol(np.float64, 1e3)
    )


def test_batch_equals_row_by_row(heart, rng):
    batch = np.stack([heart, heart[::-1].copy(), rng.standard_normal(heart.size)])
    M = S.mfcc(batch, sr=SR, n_fft=256, hop_length=64, n_mels=40)
    for i in range(3):
        np.testing.assert_allclose(
            M[i],
            S.mfcc(batch[i], sr=SR, n_fft=256, hop_length=64, n_mels=40),
            rtol=0,
            atol=tol(np.float64, 1e4),
        )
    # top_db is applied per signal: a quiet signal is not floored by a loud neighbour
    loud = np.stack([heart * 1e4, heart * 1e-4])
    L = S.log_melspectrogram(loud, sr=SR, n_fft=256, hop_length=64, n_mels=40)
    L1 = S.log_melspectrogram(loud[1], sr=SR, n_fft=256, hop_length=64, n_mels=40)
    np.testing.assert_allclose(L[1], L1, atol=tol(np.float64, 1e4))


def test_top_db_floor_is_max_minus_top_db(heart):
    L = S.log_melspectrogram(heart, sr=SR, n_fft=256, hop_length=64, n_mels=40, top_db=30.0)
    assert abs((L.max() - L.min()) - 30.0) <= tol(np.float64, 1e4)


def test_sine_lands_in_its_bin():
    sr, f0 = 1000, 125.0
    x = np.sin(2 * np.pi * f0 * np.arange(sr) / sr)
    P, freqs, times = S.spectrogram(x, sr=sr, n_fft=64, hop_length=16)
    assert freqs[P[:, P.shape[1] // 2].argmax()] == f0
    np.testing.assert_allclose(times[1] - times[0], 16 / sr)
    assert np.median(S.spectral_centroid(x, sr=sr, n_fft=64, hop_length=16)) == pytest.approx(
        f0, abs=1e-6
    )


# ---------------------------------------------------------------------------------- errors


def test_errors_name_the_bad_value(heart):
    with pytest.raises(ParameterError, match=r"n_fft must be >= 2; got 1"):
        S.stft(heart, n_fft=1)
    with pytest.raises(ParameterError, match=r"win_length=512 must be <= n_fft=256"):
        S.stft(heart, n_fft=256, win_length=512)
    with pytest.raises(ParameterError, match=r"hop_length must be >= 1; got 0"):
        S.stft(heart, n_fft=256, hop_length=0)
    with pytest.raises(ParameterError, match=r"pad_mode must be one of .*; got 'mirror'"):
        S.stft(heart, pad_mode="mirror")
    with pytest.raises(ParameterError, match=r"center must be True or False; got 'yes'"):
        S.stft(heart, center="yes")
    with pytest.raises(ParameterError, match=r"window 'nope' is not understood"):
        S.stft(heart, n_fft=256, window="nope")
    with pytest.raises(ParameterError, match=r"window array must be 1-D of length win_length=256"):
        S.stft(heart, n_fft=256, window=np.ones(10))
    with pytest.raises(InvalidSignalError, match=r"shorter than one frame"):
        S.stft(np.ones(100), n_fft=256, center=False)
    with pytest.raises(InvalidSignalError, match=r"too short for pad_mode='reflect'"):
        S.stft(np.ones(100), n_fft=256, pad_mode="reflect")
    with pytest.raises(InvalidSignalError, match=r"non-finite"):
        S.stft(np.r_[heart[:1000], np.nan])
    with pytest.raises(InvalidSignalError, match=r"is empty"):
        S.stft(np.array([]))
    with pytest.raises(InvalidSignalError, match=r"must be real-valued; got complex"):
        S.stft(heart.astype(complex))
    with pytest.raises(ParameterError, match=r"sampling rate in Hz\) is required"):
        S.melspectrogram(heart, sr=None)
    with pytest.raises(ParameterError, match=r"sr must be a positive number of Hz; got -5"):
        S.melspectrogram(heart, sr=-5)
    with pytest.raises(ParameterError, match=r"fmax=1500.0 Hz exceeds the Nyquist frequency"):
        S.melspectrogram(heart, sr=SR, fmax=1500.0)
    with pytest.raises(ParameterError, match=r"fmin=900.0 Hz must be below fmax=800.0 Hz"):
        S.melspectrogram(heart, sr=SR, fmin=900.0, fmax=800.0)
    with pytest.raises(ParameterError, match=r"norm must be None, 'slaney' or a positive number"):
        S.melspectrogram(heart, sr=SR, norm="l2")
    with pytest.raises(ParameterError, match=r"n_mfcc=50 must be <= n_mels=40"):
        S.mfcc(heart, sr=SR, n_mels=40, n_mfcc=50)
    with pytest.raises(ParameterError, match=r"lifter must be >= 0.0; got -1.0"):
        S.mfcc(heart, sr=SR, lifter=-1)
    with pytest.raises(ParameterError, match=r"dct_type must be one of 1, 2, 3, 4; got 5"):
        S.mfcc(heart, sr=SR, dct_type=5)
    with pytest.raises(ParameterError, match=r"width must be an odd integer >= 3; got 4"):
        S.delta(np.ones((3, 20)), width=4)
    with pytest.raises(ParameterError, match=r"width=9 is larger than the 5 frames"):
        S.delta(np.ones((3, 5)))
    with pytest.raises(ParameterError, match=r"axis=3 is out of range"):
        S.delta(np.ones((3, 20)), axis=3)
    with pytest.raises(ParameterError, match=r"power must be > 0.0; got 0.0"):
        S.melspectrogram(heart, sr=SR, power=0)
    with pytest.raises(
        ParameterError, match=r"roll_percent must lie in the open range \(0, 1\); got 1.5"
    ):
        S.spectral_rolloff(heart, sr=SR, roll_percent=1.5)
    with pytest.raises(ParameterError, match=r"S must be a non-negative magnitude"):
        S.spectral_centroid(S=-np.ones((129, 5)), sr=SR)
    with pytest.raises(ParameterError, match=r"pass the signal y or a magnitude spectrogram S"):
        S.spectral_centroid(sr=SR)
    with pytest.raises(ParameterError, match=r"n_ceps must be <= 256; got 300"):
        S.cepstrum(heart, sr=SR, n_fft=256, n_ceps=300)
    with pytest.raises(ParameterError, match=r"threshold must be >= 0.0; got -1.0"):
        S.zero_crossing_rate(heart, threshold=-1.0)


def test_empty_mel_filters_warn():
    with pytest.warns(UserWarning, match=r"mel filters are empty"):
        S.mel_filters(sr=2000, n_fft=64, n_mels=64)


@pytest.mark.parametrize(
    ("power", "oracle"), [(2.0, librosa.power_to_db), (1.0, librosa.amplitude_to_db)]
)
def test_spectrogram_db_matches_librosa(heart, power, oracle):
    kw = dict(n_fft=256, hop_length=64)
    P, _, _ = S.spectrogram(heart, sr=SR, power=power, db=True, **kw)
    ref = oracle(np.abs(librosa.stft(heart, **kw)) ** power)
    np.testing.assert_allclose(P, ref, rtol=0, atol=tol(np.float64, 1e4))
    feat = physiofeat.extract(heart, {"spectrogram": {"power": power, "db": True}}, sr=SR, **kw)
    np.testing.assert_array_equal(feat["spectrogram"].values, P)


@pytest.mark.parametrize("dtype", DTYPES)
def test_log_mel_in_blocks_equals_log_of_mel(heart, dtype):
    """When no raw mel spectrogram is requested, the log is taken block by block inside the
    STFT pipeline; that must give the very same numbers as power_to_db of the whole mel."""
    x = np.stack([heart, heart[::-1] * 3.0]).astype(dtype)
    kw = dict(sr=SR, n_fft=256, hop_length=64, n_mels=40)
    fused = physiofeat.extract(x, ["log_mel", "mfcc"], **kw)
    whole = physiofeat.extract(x, ["mel", "log_mel", "mfcc"], **kw)
    assert "mel" not in fused.computed and whole.computed["mel"] == 1
    for name in ("log_mel", "mfcc"):
        np.testing.assert_array_equal(fused[name].values, whole[name].values)
    ref = S.power_to_db(whole["mel"].values[0])
    np.testing.assert_allclose(fused["log_mel"].values[0], ref, rtol=0, atol=tol(dtype, 100))


def test_block_rfft_matches_public_scipy_rfft(heart):
    """The block pipeline calls pocketfft's r2c directly; its fallback is scipy.fft.rfft."""
    from physiofeat.spectral import _core

    b = np.stack([heart[:256], heart[256:512]]).astype(np.float32)
    direct = _core._rfft_rows()(b, np.empty((2, 129), np.complex64))
    public = _core._rfft_public(b, np.empty((2, 129), np.complex64))
    np.testing.assert_array_equal(direct, public)


@pytest.mark.parametrize("threads", [1, 2])
def test_many_small_blocks_match_librosa(heart, monkeypatch, threads):
    """Force blocks of 16 frames (several per thread, a short last one, blocks that straddle
    two signals) and check the STFT and the (log-)mel against librosa."""
    import numba

    from physiofeat.spectral import _core

    monkeypatch.setattr(_core, "BLOCK_BYTES", 1)
    rows = np.stack([heart[:4001], heart[3000:7001], heart[::-1][:4001]]).astype(np.float32)
    kw = dict(n_fft=256, hop_length=64)
    if threads > numba.config.NUMBA_NUM_THREADS:
        pytest.skip(
            f"needs {threads} Numba threads; this process may use "
            f"{numba.config.NUMBA_NUM_THREADS} (one CPU, e.g. under taskset)"
        )
    old = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        X = S.stft(rows, **kw)
        M = S.melspectrogram(rows, sr=SR, n_mels=40, **kw)
        L = S.log_melspectrogram(rows, sr=SR, n_mels=40, top_db=None, **kw)
        C = S.mfcc(rows, sr=SR, n_mels=40, n_mfcc=13, top_db=None, **kw)  # log taken in blocks
    finally:
        numba.set_num_threads(old)
    Xl = librosa.stft(rows, **kw)
    Ml = librosa.feature.melspectrogram(y=rows, sr=SR, n_mels=40, **kw)
    assert _rel(X, Xl) <= tol(np.float32, 10)
    assert _rel(M, Ml) <= tol(np.float32, 10)
    Ll = librosa.power_to_db(Ml, top_db=None)
    assert np.abs(L - Ll).max() <= tol(np.float32, 20) * np.abs(Ll).max()
    Cl = scipy.fft.dct(Ll, axis=-2, type=2, norm="ortho")[..., :13, :]
    assert np.abs(C - Cl).max() <= tol(np.float32, 50) * np.abs(Cl).max()


def test_n_fft_longer_than_signal_warns_like_librosa():
    y = np.random.default_rng(3).standard_normal(1000)
    with pytest.warns(
        UserWarning, match=r"n_fft=2048 is too large for input signal of length=1000"
    ):
        ref = librosa.stft(y, n_fft=2048, hop_length=512, pad_mode="constant")
    with pytest.warns(
        UserWarning, match=r"n_fft=2048 is too large for input signal of length=1000"
    ):
        got = S.stft(y, n_fft=2048, hop_length=512)
    np.testing.assert_allclose(got, ref, rtol=tol(np.float64), atol=tol(np.float64) * 10)
    with pytest.warns(
        UserWarning, match=r"n_fft=2048 is too large for input signal of length=1000"
    ):
        physiofeat.extract(y, ["mfcc"], sr=2000, n_fft=2048)
    with pytest.warns(UserWarning, match=r"frame_length=2048 is too large .* length=1000"):
        S.rms(y, frame_length=2048)


def test_absurd_n_fft_is_refused_before_any_allocation(monkeypatch):
    """n_fft > 4 x the signal length: ParameterError, and no filterbank or window of that size
    is built (the up-front parameter check may build a 16-point window to validate its name)."""
    from physiofeat.spectral import _core

    small_window = _core.get_window

    def boom(*a, **k):
        raise AssertionError("allocated for an absurd n_fft")

    def window(w, win_length, n_fft, *a, **k):
        if max(win_length, n_fft) > 16:
            boom()
        return small_window(w, win_length, n_fft, *a, **k)

    monkeypatch.setattr(_core, "_mel_basis", boom)
    monkeypatch.setattr(_core, "get_window", window)
    y = np.random.default_rng(4).standard_normal(8000)
    msg = r"n_fft=10000000 is too large for a signal of 8000 samples: at most 4 x .*\(32000\)"
    with pytest.raises(ParameterError, match=msg):
        physiofeat.extract(y, ["mfcc"], sr=2000, n_fft=10**7)
    with pytest.raises(ParameterError, match=msg):
        physiofeat.extract(y, ["spectral_centroid", "log_mel"], sr=2000, n_fft=10**7)
    with pytest.raises(ParameterError, match=msg):
        S.mfcc(y, sr=2000, n_fft=10**7)
    with pytest.raises(ParameterError, match=r"n_fft=32001 is too large"):
        S.stft(y, n_fft=32001)
    with pytest.raises(
        ParameterError, match=r"frame_length=40000 is too large for a signal of 8000"
    ):
        S.zero_crossing_rate(y, frame_length=40000)


def test_errors_name_the_parameter_the_user_passed():
    y = np.random.default_rng(5).standard_normal(4000)
    for name in ("rms", "zero_crossing_rate"):
        with pytest.raises(ParameterError, match=r"^frame_length must be >= 2; got 0"):
            physiofeat.extract(y, [name], sr=2000, frame_length=0)
    with pytest.raises(ParameterError, match=r"^frame_length must be >= 2; got 1"):
        S.rms(y, frame_length=1)
    with pytest.raises(ParameterError, match=r"^n_mels must be >= 1; got 0"):
        physiofeat.extract(y, ["mfcc"], sr=2000, n_mels=0)
    with pytest.raises(ParameterError, match=r"^n_mels must be >= 1; got -1"):
        S.mfcc(y, sr=2000, n_mels=-1)


def test_roll_percent_p_and_booleans_are_checked():
    y = np.random.default_rng(7).standard_normal(4000)
    for rp in (1.5, 1.0, 0.0, -0.1):
        with pytest.raises(librosa.util.exceptions.ParameterError):  # the oracle refuses too
            librosa.feature.spectral_rolloff(y=y, sr=2000, n_fft=256, roll_percent=rp)
        with pytest.raises(
            ParameterError, match=r"roll_percent must lie in the open range \(0, 1\)"
        ):
            physiofeat.extract(y, ["spectral_rolloff"], sr=2000, n_fft=256, roll_percent=rp)
        with pytest.raises(ParameterError, match=r"roll_percent must lie in the open range"):
            S.spectral_rolloff(y, sr=2000, n_fft=256, roll_percent=rp)
    for p in (0, -1):
        # refused with the request (check=), as htk below, before any work
        with pytest.raises(ParameterError, match=r"^p must be > 0.0; got"):
            physiofeat.extract(y, ["spectral_bandwidth"], sr=2000, n_fft=256, p=p)
    with pytest.raises(ParameterError, match=r"^htk must be True or False; got 'yes'"):
        physiofeat.extract(y, ["mfcc"], sr=2000, n_fft=256, htk="yes")
    with pytest.raises(ParameterError, match=r"^htk must be True or False; got 1"):
        S.hz_to_mel(100.0, htk=1)
    with pytest.raises(
        ParameterError, match=r"^feature 'spectrogram': db must be True or False; got 'x'"
    ):
        physiofeat.extract(y, ["spectrogram"], sr=2000, n_fft=256, db="x")
    with pytest.raises(ParameterError, match=r"^db must be True or False; got 'x'"):
        S.spectrogram(y, sr=2000, n_fft=256, db="x")
    with pytest.raises(ParameterError, match=r"^center must be True or False; got 'no'"):
        physiofeat.extract(y, ["mfcc"], sr=2000, n_fft=256, center="no")
    # numpy bools are real bools
    a = physiofeat.extract(y, ["mfcc"], sr=2000, n_fft=256, htk=np.True_).vector()
    b = physiofeat.extract(y, ["mfcc"], sr=2000, n_fft=256, htk=True).vector()
    np.testing.assert_array_equal(a, b)


def test_mel_norm_error_names_mel_norm():
    y = np.random.default_rng(13).standard_normal(4000)
    with pytest.raises(ParameterError, match=r"^mel_norm must be None, 'slaney' or a positive"):
        physiofeat.extract(y, ["mfcc"], sr=2000, n_fft=256, mel_norm="foo")
    with pytest.raises(ParameterError, match=r"^mel_norm must be None, 'slaney' or a positive"):
        S.mfcc(y, sr=2000, n_fft=256, mel_norm="foo")
    with pytest.raises(ParameterError, match=r"^norm must be None, 'slaney' or a positive"):
        S.melspectrogram(y, sr=2000, n_fft=256, norm="foo")


def test_extract_accepts_windows_that_exist_only_at_full_length():
    # ("dpss", 10) needs more than 20 points: the up-front check builds a named window small
    # first, and must fall back to its real length rather than refuse it
    x = np.random.default_rng(0).standard_normal(4096).astype(np.float32)
    got = physiofeat.extract(
        x, ["spectrogram"], sr=1000, n_fft=256, hop_length=64, window=("dpss", 10)
    )["spectrogram"].values
    want = np.abs(librosa.stft(x, n_fft=256, hop_length=64, window=("dpss", 10))) ** 2
    np.testing.assert_allclose(got, want, rtol=tol(np.float32, 50), atol=1e-4 * want.max())
    with pytest.raises(ParameterError, match="not understood"):
        physiofeat.extract(x, ["spectrogram"], sr=1000, n_fft=256, window=("dpss", 200))


def test_registered_deltas_on_too_few_frames_are_nan_with_the_same_names():
    """A recording shorter than the delta window (8 frames < width 9) gives the columns a longer
    one gives, NaN, with a SpectralWarning and attrs["nan_reason"] -- one NaN row in a table,
    not an error; the public delta still refuses, as librosa.feature.delta does."""
    rng = np.random.default_rng(3)
    short, long_ = rng.standard_normal(4000), rng.standard_normal(40000)
    names = ["mfcc", "mfcc_delta", "mfcc_delta2"]
    with pytest.warns(S.SpectralWarning, match="width=9 is larger than the 8 frames"):
        f = physiofeat.extract(short, names, sr=2000)
    g = physiofeat.extract(long_, names, sr=2000)
    assert f.vector_names() == g.vector_names()
    assert f["mfcc_delta"].shape == f["mfcc"].shape == (20, 8)
    assert np.isnan(f["mfcc_delta"].values).all() and np.isnan(f["mfcc_delta2"].values).all()
    assert np.isfinite(f["mfcc"].values).all()
    assert "needs >= 9 frames" in f["mfcc_delta"].attrs["nan_reason"]
    assert "nan_reason" not in g["mfcc_delta"].attrs
    with pytest.raises(ParameterError, match="width=9 is larger than the 8 frames"):
        S.delta(f["mfcc"].values, width=9)
    with pytest.raises(ParameterError, match="odd integer"):  # a bad width is still an error
        physiofeat.extract(short, ["mfcc_delta"], sr=2000, width=4)


@pytest.mark.parametrize("call", ["mfcc", "stft", "zcr"])
def test_a_one_sample_signal_is_an_invalid_signal_not_a_bad_parameter(call):
    # no frame of the default length fits one sample: the signal is at fault (an
    # InvalidSignalError, as for any too-short signal); 2+ samples: the n_fft is
    y = np.ones(1)
    f = {
        "mfcc": lambda v: physiofeat.extract(v, ["mfcc"], sr=2000),
        "stft": lambda v: S.stft(v),
        "zcr": lambda v: S.zero_crossing_rate(v),
    }[call]
    with pytest.raises(InvalidSignalError, match="a signal of 1 sample is too short for"):
        f(y)
    with pytest.raises(ParameterError, match="is too large for a signal of 3 samples"):
        f(np.ones(3))


@pytest.mark.parametrize(
    ("feature", "params", "match"),
    [
        ("mfcc", {"fmin": -5.0}, "fmin must be >= 0"),
        ("mfcc", {"fmin": 100.0, "fmax": 50.0}, r"fmin=100.0 Hz must be below fmax=50.0 Hz"),
        ("log_mel", {"top_db": -1.0}, "top_db must be >= 0"),
        ("spectral_rolloff", {"roll_percent": 2.0}, r"roll_percent must lie in the open range"),
        ("mel", {"norm": "bad"}, "norm must be None, 'slaney' or a positive number"),
        ("mfcc", {"mel_norm": 0}, "mel_norm must be None"),
    ],
)
def test_values_wrong_for_every_signal_are_refused_before_any_work(feature, params, match):
    """These had passed resolve_params and failed each file of a batch (the CLI's exit 1, not
    its usage error); now they are refused with the request, as the other spectral checks."""
    from physiofeat._registry import _normalise_request, resolve_params

    with pytest.raises(ParameterError, match=match):
        resolve_params(_normalise_request({feature: params}), {})


@pytest.mark.parametrize("n_fft", [255, 301, 256])
def test_given_spectrogram_keeps_an_odd_n_fft(rng, n_fft):
    """``S=`` of an odd ``n_fft`` had its bins read at k sr / (n_fft - 1) (2 (F - 1) assumed):
    the centroid 1/254 high at n_fft 255, the mel bands 3 % off. Oracles: bin k of an n_fft-point
    DFT at k sr / n_fft (NumPy), and librosa's filters for that n_fft."""
    sr = 4000
    y = np.sin(2 * np.pi * 211 * np.arange(5003) / sr) + 0.2 * rng.standard_normal(5003)
    mag = np.abs(librosa.stft(y, n_fft=n_fft, hop_length=100, center=False))
    f = np.arange(mag.shape[0]) * sr / n_fft
    centroid = (f[:, None] * mag).sum(0) / mag.sum(0)
    got = S.spectral_centroid(sr=sr, S=mag, n_fft=n_fft)
    np.testing.assert_allclose(got, centroid, rtol=1e-10, atol=0)
    spread = np.sqrt((np.abs(f[:, None] - centroid) ** 2 * mag).sum(0) / mag.sum(0))
    np.testing.assert_allclose(S.spectral_bandwidth(sr=sr, S=mag, n_fft=n_fft), spread, rtol=1e-10)
    weights = librosa.filters.mel(
        sr=sr, n_fft=n_fft, n_mels=30, fmin=40, fmax=1200, dtype=np.float64
    )
    mel = S.melspectrogram(sr=sr, S=mag**2, n_fft=n_fft, n_mels=30, fmin=40, fmax=1200)
    np.testing.assert_allclose(mel, weights @ mag**2, rtol=1e-10, atol=1e-12 * float(mel.max()))
    # an n_fft whose bin count does not match is replaced by the even one, as in librosa
    default = S.spectral_centroid(sr=sr, S=mag)  # n_fft 2048
    even = np.arange(mag.shape[0]) * sr / (2 * (mag.shape[0] - 1))
    np.testing.assert_allclose(default, (even[:, None] * mag).sum(0) / mag.sum(0), rtol=1e-10)
