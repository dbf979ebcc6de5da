"""Parity sweep of the spectral family against librosa, over the non-default parameters a
librosa user would try.

``tests/test_spectral.py`` checks a handful of framings on a heart sound; this file sweeps the
knobs it leaves at their defaults: odd ``n_fft``, ``win_length < n_fft`` (odd and even gaps),
``hop_length`` above ``n_fft`` and at 1, window names / tuples / floats / arrays / lists /
callables, every ``pad_mode`` librosa's STFT accepts, signals shorter than ``n_fft``, batches
of 3-D shape and strided input; mel filterbanks with p-norms other than 1 and 2, ``fmin`` /
``fmax`` / ``htk``; ``power`` 1 and 2; ``ref`` / ``amin`` / ``top_db`` of the decibel
conversions; every ``dct_type`` with ``norm`` None and ``'ortho'`` and fractional lifters;
delta orders 1-4 and widths up to the signal length along any axis; the spectral statistics'
``p``, ``amin`` and ``roll_percent``; ZCR thresholds and RMS pad modes; and the same through
:func:`physiofeat.extract`.

Tolerances are two-sided and dtype-aware: ``max|got - want| <= RTOL[dtype] * scale`` with
``RTOL`` = 1e-5 (float32) / 1e-10 (float64) and ``scale`` the oracle's largest magnitude (the
largest |dB| for decibels; Nyquist for frequencies in Hz). librosa builds its mel filterbank in
float32 unless told otherwise, so float64 comparisons pass ``dtype=np.float64`` to it.

Where physiofeat documents a deliberate difference from librosa (``top_db`` and callable
``ref`` per signal in a batch; ``pad_mode='wrap'``, which librosa's STFT refuses) the
documented behaviour is tested instead, and the test says so. Refusals of inputs librosa
accepts are pinned at the end (type and message), so that a change of behaviour is noticed.
"""

from __future__ import annotations

import warnings

import librosa
import numpy as np
import pytest
import scipy.fft
import scipy.signal

import physiofeat
from physiofeat import InvalidSignalError, ParameterError
from physiofeat import spectral as S

SR = 4000
NYQ = SR / 2
DTYPES = [np.float32, np.float64]
RTOL = {np.dtype(np.float32): 1e-5, np.dtype(np.float64): 1e-10}

pytestmark = [
    # both libraries warn about the same things (n_fft longer than the signal, empty mel
    # filters); what they compute is what is compared here
    pytest.mark.filterwarnings("ignore:n_fft=.* is too large for input signal:UserWarning"),
    pytest.mark.filterwarnings("ignore:frame_length=.* is too large for input:UserWarning"),
    pytest.mark.filterwarnings("ignore:.*mel filters are empty:UserWarning"),
    pytest.mark.filterwarnings("ignore:Empty filters detected:UserWarning"),
]


def rtol(dtype) -> float:
    return RTOL[np.dtype(dtype)]


def assert_close(got, want, dtype, *, scale=None, factor=1.0, what=""):
    """``max|got - want| <= factor * RTOL[dtype] * scale`` (default scale: ``max|want|``)."""
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape, f"{what}: shape {got.shape} != librosa's {want.shape}"
    wide = np.complex128 if np.iscomplexobj(got) or np.iscomplexobj(want) else np.float64
    err = float(np.abs(got.astype(wide) - want.astype(wide)).max())
    scale = float(np.abs(want).max()) if scale is None else float(scale)
    bound = factor * rtol(dtype) * scale
    assert err <= bound, f"{what}: max abs diff {err:.3g} > {bound:.3g} (scale {scale:.3g})"


def assert_db(got, want, dtype, *, what=""):
    """Decibels: relative to the largest |dB|, at least 1 dB (an all-0-dB result, as
    ``top_db=0`` with ``ref=np.max`` gives, still has float32 rounding of its logs)."""
    assert_close(got, want, dtype, scale=max(1.0, float(np.abs(want).max())), what=what)


def signal(n: int, dtype, seed: int = 0) -> np.ndarray:
    """A chirp in seeded noise with a stretch 80 dB down (it makes ``top_db`` bite)."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / SR
    x = np.sin(2 * np.pi * (40 * t + 700 * t**2)) + 0.25 * rng.standard_normal(n)
    x[n // 3 : n // 3 + n // 5] *= 1e-4
    return x.astype(dtype)


N = 3001  # odd length on purpose


# ============================================================================================
# STFT

FRAMINGS = {
    "odd-nfft": dict(n_fft=255, hop_length=37),
    "odd-win<nfft-hamming": dict(n_fft=256, hop_length=100, win_length=201, window="hamming"),
    "tukey-nocenter": dict(n_fft=512, hop_length=128, window=("tukey", 0.3), center=False),
    "reflect": dict(n_fft=300, hop_length=75, pad_mode="reflect"),
    "edge-blackman": dict(n_fft=300, hop_length=75, pad_mode="edge", window="blackman"),
    "symmetric-oddnfft-win": dict(n_fft=301, hop_length=64, win_length=300, pad_mode="symmetric"),
    "linear_ramp-flattop": dict(n_fft=200, hop_length=50, pad_mode="linear_ramp", window="flattop"),
    "hop>nfft": dict(n_fft=128, hop_length=200),
    "kaiser-nocenter-win": dict(
        n_fft=1024, hop_length=1000, win_length=700, window=("kaiser", 14.0), center=False
    ),
    "hop1-triang": dict(n_fft=64, hop_length=1, window="triang"),
    "gaussian-tuple": dict(n_fft=256, hop_length=64, window=("gaussian", 20)),
    "float-window": dict(n_fft=256, hop_length=64, window=20.0),  # scipy: Gaussian std 20
    "boxcar-default-hop": dict(n_fft=256, window="boxcar"),
    "odd-win-default-hop": dict(n_fft=256, win_length=127),
    "array-window": dict(n_fft=256, hop_length=64, window=np.hanning(256)),
    "list-window-win<nfft": dict(
        n_fft=256, hop_length=50, win_length=200, window=list(np.blackman(200))
    ),
    "callable-window": dict(n_fft=256, hop_length=64, win_length=128, window=np.bartlett),
    "float32-array-window": dict(
        n_fft=128, hop_length=32, window=scipy.signal.get_window("hann", 128).astype(np.float32)
    ),
}


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("fr", list(FRAMINGS.values()), ids=list(FRAMINGS))
def test_stft_framings(fr, dtype):
    x = signal(N, dtype)
    got, want = S.stft(x, **fr), librosa.stft(x, **fr)
    assert got.dtype == want.dtype
    assert_close(got, want, dtype, what="stft")


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("n_fft", [16, 17, 255])
def test_stft_signals_shorter_than_n_fft(n_fft, dtype):
    """Down to n_fft / 4 samples (physiofeat refuses shorter, see the refusals below), every
    centred pad mode, and center=False on exactly one frame."""
    rng = np.random.default_rng(n_fft)
    for n in sorted({n_fft // 4 + 1, n_fft // 2, n_fft // 2 + 1, n_fft - 1, n_fft, n_fft + 1}):
        x = rng.standard_normal(n).astype(dtype)
        for hop in (1, 3, max(1, n_fft // 4), n_fft):
            for pad_mode in ("constant", "edge", "reflect", "symmetric", "linear_ramp"):
                if pad_mode in ("reflect", "symmetric") and n <= n_fft // 2:
                    continue  # refused by physiofeat (one reflection only), see below
                kw = dict(n_fft=n_fft, hop_length=hop, pad_mode=pad_mode)
                assert_close(S.stft(x, **kw), librosa.stft(x, **kw), dtype, what=f"{n} {kw}")
            if n >= n_fft:
                kw = dict(n_fft=n_fft, hop_length=hop, center=False)
                assert_close(S.stft(x, **kw), librosa.stft(x, **kw), dtype, what=f"{n} {kw}")


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
def test_stft_wrap_pad_mode_is_np_pad_wrap(dtype):
    """Documented difference: physiofeat's pad_mode accepts 'wrap' (np.pad's mode), which
    librosa.stft refuses; it must equal librosa on the np.pad-wrapped signal, uncentred."""
    x = signal(N, dtype)
    with pytest.raises(librosa.util.exceptions.ParameterError, match="wrap"):
        librosa.stft(x, n_fft=256, pad_mode="wrap")
    for n_fft, hop in [(256, 64), (255, 100)]:
        want = librosa.stft(
            np.pad(x, n_fft // 2, mode="wrap"), n_fft=n_fft, hop_length=hop, center=False
        )
        got = S.stft(x, n_fft=n_fft, hop_length=hop, pad_mode="wrap")
        assert_close(got, want, dtype, what=f"wrap {n_fft}")


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
def test_stft_batch_and_strided_input(dtype):
    rng = np.random.default_rng(7)
    xb = rng.standard_normal((2, 3, 1001)).astype(dtype)
    kw = dict(n_fft=127, hop_length=30, win_length=100)
    assert_close(S.stft(xb, **kw), librosa.stft(xb, **kw), dtype, what="3-D batch")
    strided = rng.standard_normal((1001, 3)).astype(dtype)[:, 1]
    assert_close(S.stft(strided, **kw), librosa.stft(strided.copy(), **kw), dtype, what="stride")
    fortran = np.asfortranarray(rng.standard_normal((4, 777)).astype(dtype))
    assert_close(S.stft(fortran, **kw), librosa.stft(fortran, **kw), dtype, what="F order")


# ============================================================================================
# spectrogram (power / magnitude, dB)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("power", [1.0, 2.0, 1.5, 0.5])
@pytest.mark.parametrize("fr", ["odd-nfft", "tukey-nocenter", "symmetric-oddnfft-win"])
def test_spectrogram_power(fr, power, dtype):
    fr = FRAMINGS[fr]
    x = signal(N, dtype)
    P, freqs, times = S.spectrogram(x, sr=SR, power=power, **fr)
    want = np.abs(librosa.stft(x, **fr)) ** power
    assert P.dtype == want.dtype
    assert_close(P, want, dtype, factor=2, what="spectrogram")
    np.testing.assert_allclose(freqs, librosa.fft_frequencies(sr=SR, n_fft=fr["n_fft"]), rtol=1e-15)
    # frame centres: librosa.frames_to_time with n_fft= gives the uncentred frames' offset
    offset_nfft = None if fr.get("center", True) else fr["n_fft"]
    np.testing.assert_allclose(
        times,
        librosa.frames_to_time(
            np.arange(P.shape[-1]), sr=SR, hop_length=fr["hop_length"], n_fft=offset_nfft
        ),
        rtol=1e-15,
    )


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("top_db", [None, 0.0, 40.0, 120.0])
@pytest.mark.parametrize(
    ("power", "oracle"), [(2.0, librosa.power_to_db), (1.0, librosa.amplitude_to_db)]
)
def test_spectrogram_db(power, oracle, top_db, dtype):
    fr = FRAMINGS["odd-win<nfft-hamming"]
    x = signal(N, dtype)
    got, _, _ = S.spectrogram(x, sr=SR, power=power, db=True, top_db=top_db, **fr)
    want = oracle(np.abs(librosa.stft(x, **fr)) ** power, top_db=top_db)
    assert_db(got, want, dtype, what="dB spectrogram")


# ============================================================================================
# mel filterbank and mel spectrogram

NORMS = [None, "slaney", 1, 2.0, 0.5, 3, np.inf]


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("norm", NORMS, ids=str)
@pytest.mark.parametrize("htk", [False, True])
def test_mel_filters_grid(htk, norm, dtype):
    for sr, n_fft, n_mels, fmin, fmax in [
        (2000, 255, 24, 0.0, None),
        (8000 / 3, 256, 30, 55.5, 1200.0),
        (22050, 1024, 96, 300.0, 11025.0),
        (4000, 64, 40, 0.0, None),  # more bands than bins: some filters empty in both
    ]:
        kw = dict(sr=sr, n_fft=n_fft, n_mels=n_mels, fmin=fmin, fmax=fmax, htk=htk, norm=norm)
        want = librosa.filters.mel(**kw, dtype=dtype)
        got = S.mel_filters(**kw, dtype=dtype)
        assert got.dtype == want.dtype
        assert_close(got, want, dtype, factor=2, what=str(kw))


MELS = {
    "n20": dict(n_mels=20),
    "htk-band-nonorm": dict(n_mels=40, fmin=100.0, fmax=1500.0, htk=True, norm=None),
    "l1": dict(n_mels=30, norm=1),
    "l2": dict(n_mels=30, norm=2.0),
    "linf": dict(n_mels=30, norm=np.inf),
    "l0.5": dict(n_mels=30, norm=0.5),
    "htk-fmin-slaney": dict(n_mels=24, fmin=300.0, htk=True),
    "n64-fmax=nyq": dict(n_mels=64, fmax=NYQ),
}


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("power", [1.0, 2.0])
@pytest.mark.parametrize("mel", list(MELS.values()), ids=list(MELS))
@pytest.mark.parametrize("fr", ["odd-nfft", "odd-win<nfft-hamming", "reflect", "hop>nfft"])
def test_melspectrogram_grid(fr, mel, power, dtype):
    fr = FRAMINGS[fr]
    x = signal(N, dtype)
    got = S.melspectrogram(x, sr=SR, power=power, **fr, **mel)
    want = librosa.feature.melspectrogram(y=x, sr=SR, power=power, dtype=dtype, **fr, **mel)
    assert got.dtype == want.dtype == dtype
    assert_close(got, want, dtype, what="melspectrogram")


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
def test_melspectrogram_defaults_hop_none_and_batch(dtype):
    """hop_length=None means win_length // 4 in both; a (2, 3, n) batch keeps its shape."""
    x = signal(N, dtype)
    kw = dict(n_fft=256, hop_length=None, win_length=160, n_mels=32)
    assert_close(
        S.melspectrogram(x, sr=SR, **kw),
        librosa.feature.melspectrogram(y=x, sr=SR, dtype=dtype, **kw),
        dtype,
        what="hop None",
    )
    xb = np.stack([signal(2001, dtype, seed=s) for s in range(6)]).reshape(2, 3, 2001)
    kw = dict(n_fft=200, hop_length=64, n_mels=20, fmin=20.0, htk=True, norm=2.0)
    assert_close(
        S.melspectrogram(xb, sr=SR, **kw),
        librosa.feature.melspectrogram(y=xb, sr=SR, dtype=dtype, **kw),
        dtype,
        what="batch",
    )


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("mel", list(MELS.values()), ids=list(MELS))
def test_melspectrogram_from_S(mel, dtype):
    x = signal(N, dtype)
    P = np.abs(librosa.stft(x, n_fft=256, hop_length=64)) ** 1.5
    got = S.melspectrogram(S=P, sr=SR, **mel)
    want = librosa.feature.melspectrogram(S=P, sr=SR, dtype=dtype, **mel)
    assert_close(got, want, dtype, what="mel from S")


# ============================================================================================
# decibels

REFS = {"1": 1.0, "0.37": 0.37, "1e3": 1e3, "max": np.max, "median": np.median}


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("top_db", [None, 0.0, 20.0, 80.0])
@pytest.mark.parametrize("amin", [1e-10, 1e-4])
@pytest.mark.parametrize("ref", list(REFS.values()), ids=list(REFS))
def test_power_to_db_grid(ref, amin, top_db, dtype):
    P = (np.random.default_rng(3).random((33, 47)) ** 8).astype(dtype)
    for arr in (P, P[0], P.T):  # 2-D and 1-D are one signal each, as in librosa
        want = librosa.power_to_db(arr, ref=ref, amin=amin, top_db=top_db)
        got = S.power_to_db(arr, ref=ref, amin=amin, top_db=top_db)
        assert got.dtype == want.dtype
        assert_db(got, want, dtype, what="power_to_db")


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("top_db", [None, 0.0, 20.0, 80.0])
@pytest.mark.parametrize("amin", [1e-5, 1e-2])
@pytest.mark.parametrize("ref", list(REFS.values()), ids=list(REFS))
def test_amplitude_to_db_grid(ref, amin, top_db, dtype):
    A = (np.random.default_rng(4).random((33, 47)) ** 4).astype(dtype)
    for arr in (A, A[3]):
        want = librosa.amplitude_to_db(arr, ref=ref, amin=amin, top_db=top_db)
        got = S.amplitude_to_db(arr, ref=ref, amin=amin, top_db=top_db)
        assert got.dtype == want.dtype
        assert_db(got, want, dtype, what="amplitude_to_db")


def test_db_of_complex_input_uses_the_magnitude():
    rng = np.random.default_rng(5)
    Z = rng.standard_normal((10, 20)) + 1j * rng.standard_normal((10, 20))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # librosa warns that the phase is discarded
        pairs = [
            (S.power_to_db(Z, ref=np.max), librosa.power_to_db(Z, ref=np.max)),
            (S.amplitude_to_db(Z, top_db=30.0), librosa.amplitude_to_db(Z, top_db=30.0)),
        ]
    for got, want in pairs:
        assert_db(got, want, np.float64, what="complex")


@pytest.mark.parametrize("ref", [np.max, 1.0])
def test_db_3d_is_per_signal_as_documented(ref):
    """Documented difference: leading axes beyond 2-D index signals, and ``top_db`` and a
    callable ``ref`` apply per signal (librosa uses the whole array); each signal must equal
    librosa on that signal alone."""
    P = np.random.default_rng(6).random((3, 11, 47)) ** 8
    P[1] *= 1e-6  # a quiet signal: librosa's whole-array floor would flatten it
    got = S.power_to_db(P, ref=ref, top_db=40.0)
    for i in range(3):
        assert_db(got[i], librosa.power_to_db(P[i], ref=ref, top_db=40.0), np.float64)
    assert not np.allclose(got, librosa.power_to_db(P, ref=ref, top_db=40.0))


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize(
    ("ref", "amin", "top_db"),
    [(1.0, 1e-10, 80.0), (np.max, 1e-10, 40.0), (0.01, 1e-5, None), (np.max, 1e-6, 0.0)],
)
def test_log_melspectrogram(ref, amin, top_db, dtype):
    x = signal(N, dtype)
    kw = dict(n_fft=255, hop_length=50, win_length=200, n_mels=32, fmin=30.0, htk=True)
    got = S.log_melspectrogram(x, sr=SR, ref=ref, amin=amin, top_db=top_db, **kw)
    M = librosa.feature.melspectrogram(y=x, sr=SR, dtype=dtype, **kw)
    want = librosa.power_to_db(M, ref=ref, amin=amin, top_db=top_db)
    assert_db(got, want, dtype, what="log-mel")


# ============================================================================================
# MFCC


def librosa_mfcc(x, *, sr, n_mfcc, dct_type, norm, lifter, mel_norm, top_db, **melkw):
    """librosa's MFCC from its own mel spectrogram in the input's dtype, with ``top_db``
    (librosa.feature.mfcc fixes it at 80, as power_to_db's default)."""
    M = librosa.feature.melspectrogram(y=x, sr=sr, norm=mel_norm, dtype=x.dtype, **melkw)
    L = librosa.power_to_db(M, top_db=top_db)
    return librosa.feature.mfcc(S=L, n_mfcc=n_mfcc, dct_type=dct_type, norm=norm, lifter=lifter)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("lifter", [0, 22, 7.5])
@pytest.mark.parametrize("norm", [None, "ortho"])
@pytest.mark.parametrize("dct_type", [1, 2, 3, 4])
def test_mfcc_dct_grid(dct_type, norm, lifter, dtype):
    x = signal(N, dtype)
    kw = dict(
        n_fft=256,
        hop_length=64,
        n_mels=32,
        n_mfcc=13,
        dct_type=dct_type,
        norm=norm,
        lifter=lifter,
        mel_norm="slaney",
        top_db=80.0,
    )
    got = S.mfcc(x, sr=SR, **kw)
    want = librosa_mfcc(x, sr=SR, **kw)
    assert got.dtype == want.dtype == dtype
    assert_close(got, want, dtype, what="mfcc")
    if dtype == np.float32:  # and librosa.feature.mfcc itself, all defaults of its own
        ref = librosa.feature.mfcc(y=x, sr=SR, **{k: v for k, v in kw.items() if k != "top_db"})
        assert_close(got, ref, dtype, what="librosa.feature.mfcc")


MFCC_MEL = {
    "htk-band-power1": dict(n_mels=40, fmin=50.0, fmax=1800.0, htk=True, power=1.0),
    "nonorm-topdb-none": dict(n_mels=26, mel_norm=None, top_db=None),
    "l2-topdb40": dict(n_mels=26, mel_norm=2.0, top_db=40.0),
    "n_mfcc=n_mels": dict(n_mels=12, n_mfcc=12),
    "odd-nfft-win-nocenter": dict(n_fft=301, win_length=250, center=False, n_mels=20),
    "reflect-hamming": dict(pad_mode="reflect", window="hamming", n_mels=20, top_db=0.0),
}


#: the MFCC settings the mel-side tests start from (the grid changes one group at a time)
MFCC_BASE = dict(n_fft=256, hop_length=64, dct_type=2, norm="ortho", lifter=0, mel_norm="slaney")


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("mel", list(MFCC_MEL.values()), ids=list(MFCC_MEL))
def test_mfcc_mel_side_grid(mel, dtype):
    x = signal(N, dtype)
    kw = {**MFCC_BASE, "n_mfcc": 10, "top_db": 80.0, **mel}
    assert_close(S.mfcc(x, sr=SR, **kw), librosa_mfcc(x, sr=SR, **kw), dtype, what="mfcc")


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
def test_mfcc_from_S(dtype):
    L = librosa.power_to_db(
        librosa.feature.melspectrogram(y=signal(N, dtype), sr=SR, n_fft=256, n_mels=24)
    ).astype(dtype)
    for dct_type, norm, lifter in [(1, None, 0), (2, "ortho", 22), (3, None, 5.5), (4, "ortho", 0)]:
        kw = dict(n_mfcc=17, dct_type=dct_type, norm=norm, lifter=lifter)
        assert_close(S.mfcc(S=L, sr=SR, **kw), librosa.feature.mfcc(S=L, **kw), dtype, what=kw)


def test_mfcc_batch_top_db_is_per_signal_as_documented():
    """Documented difference: in a batch, ``top_db`` is applied per signal (librosa's
    ``power_to_db`` floors the whole batch at its overall maximum); each row equals librosa's
    MFCC of that signal alone."""
    xb = np.stack([signal(N, np.float64, 1), 1e-4 * signal(N, np.float64, 2)])
    kw = {**MFCC_BASE, "n_mels": 32, "n_mfcc": 13, "top_db": 60.0}
    got = S.mfcc(xb, sr=SR, **kw)
    for i in range(2):
        assert_close(got[i], librosa_mfcc(xb[i], sr=SR, **kw), np.float64, what=f"row {i}")
    assert not np.allclose(got, librosa_mfcc(xb, sr=SR, **kw))


# ============================================================================================
# delta


def savgol_scale(data, width, order) -> float:
    """The size of a delta's terms: sum |c| x max |data| (the rounding scale of the filter,
    whose output can be much smaller than its terms for high orders)."""
    c = scipy.signal.savgol_coeffs(width, order, deriv=order, use="dot")
    return float(np.abs(c).sum() * np.abs(data).max())


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize(
    ("order", "width"),
    [(1, 3), (1, 5), (1, 41), (2, 3), (2, 5), (2, 9), (2, 41), (3, 5), (3, 9), (4, 7), (4, 41)],
)
def test_delta_grid(order, width, dtype):
    """Oracle: librosa's delta of the float64 data. (librosa's own float32 result is up to
    ~1e-5 of its maximum away from its float64 one at order 4, width 41, physiofeat's
    float32 ~2e-7: the float32 comparison would measure librosa's rounding.)"""
    data = np.cumsum(np.random.default_rng(order * 100 + width).standard_normal((3, 7, 41)), -1)
    data = data.astype(dtype)
    for axis in (-1, 0, 1):
        if data.shape[axis] < width:
            continue
        got = S.delta(data, width=width, order=order, axis=axis)
        want = librosa.feature.delta(data.astype(np.float64), width=width, order=order, axis=axis)
        assert got.dtype == dtype
        assert_close(got, want, dtype, scale=savgol_scale(data, width, order), what=f"{axis=}")


@pytest.mark.parametrize(("order", "width"), [(3, 3), (4, 3), (5, 5)])
def test_delta_order_not_below_width_is_refused_like_librosa(order, width):
    """librosa (scipy's savgol_filter) refuses ``order >= width``: no polynomial of degree
    ``order`` is determined by ``width`` points. physiofeat refuses too, with its
    ParameterError; it had returned arbitrary numbers (a minimum-norm fit): for t**2,
    whose third derivative is 0, width=3 order=3 gave 6 t."""
    data = np.arange(20.0) ** 2
    with pytest.raises(ValueError, match="polyorder must be less than window_length"):
        librosa.feature.delta(data, width=width, order=order)
    with pytest.raises(ParameterError, match="order"):
        S.delta(data, width=width, order=order)


# ============================================================================================
# spectral statistics

STAT_FRAMINGS = [
    "odd-nfft",
    "odd-win<nfft-hamming",
    "reflect",
    "kaiser-nocenter-win",
    "hop1-triang",
]


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("fr", STAT_FRAMINGS)
def test_spectral_statistics_grid(fr, dtype):
    """The float32 statistics are float32 (documented; librosa gives float64 centroid,
    bandwidth and rolloff): compared in Hz with Nyquist as the scale."""
    fr = FRAMINGS[fr]
    x = signal(N, dtype)
    x[2000:2400] = 0.0  # silent frames: centroid 0, flatness 1 in both
    kw = dict(sr=SR, **fr)
    assert_close(
        S.spectral_centroid(x, **kw),
        librosa.feature.spectral_centroid(y=x, **kw)[0],
        dtype,
        scale=NYQ,
        what="centroid",
    )
    for p in (0.5, 1.0, 2.0, 3.0):
        assert_close(
            S.spectral_bandwidth(x, p=p, **kw),
            librosa.feature.spectral_bandwidth(y=x, p=p, **kw)[0],
            dtype,
            scale=NYQ,
            # p < 1 is ill-conditioned where the centroid lands on a bin (a flat spectrum,
            # one sample in the frame): |f - c|**0.5 turns the centroid's 1e-13 Hz rounding
            # into 3e-7; both libraries are within that of a long-double evaluation
            factor=1e4 if p < 1 and dtype == np.float64 else 1,
            what=f"bandwidth {p=}",
        )
    for amin in (1e-10, 1e-4):
        assert_close(
            S.spectral_flatness(x, amin=amin, **kw),
            librosa.feature.spectral_flatness(y=x, amin=amin, **fr)[0],
            dtype,
            scale=1.0,
            factor=10,  # a ratio of exp(mean log) to mean: ~1e-6 in float32
            what=f"flatness {amin=}",
        )
    for rp in (0.01, 0.3, 0.85, 0.99):
        assert_close(
            S.spectral_rolloff(x, roll_percent=rp, **kw),
            librosa.feature.spectral_rolloff(y=x, roll_percent=rp, **kw)[0],
            dtype,
            scale=NYQ,
            what=f"rolloff {rp=}",
        )


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
def test_spectral_statistics_from_S_batch(dtype):
    xb = np.stack([signal(N, dtype, s) for s in range(3)])
    xb[1, :1500] = 0.0
    mag = np.abs(librosa.stft(xb, n_fft=200, hop_length=80))
    pairs = [
        (S.spectral_centroid(S=mag, sr=SR), librosa.feature.spectral_centroid(S=mag, sr=SR)),
        (
            S.spectral_bandwidth(S=mag, sr=SR, p=1.0),
            librosa.feature.spectral_bandwidth(S=mag, sr=SR, p=1.0),
        ),
        (
            S.spectral_rolloff(S=mag, sr=SR, roll_percent=0.2),
            librosa.feature.spectral_rolloff(S=mag, sr=SR, roll_percent=0.2),
        ),
    ]
    for got, want in pairs:
        assert_close(got, want[:, 0], dtype, scale=NYQ, what="from S")
    assert_close(
        S.spectral_flatness(S=mag, sr=SR, amin=1e-8),
        librosa.feature.spectral_flatness(S=mag, amin=1e-8)[:, 0],
        dtype,
        scale=1.0,
        factor=10,
        what="flatness from S",
    )


# ============================================================================================
# zero-crossing rate and RMS


def zcr_signal(dtype):
    x = signal(N, np.float64, 9) * np.linspace(0, 1, N)
    x[500:700] = 0.0
    x[700:720] = 1e-12 * np.random.default_rng(9).standard_normal(20)
    x[720:740] = -0.0
    x[900:1000] = np.where(np.arange(100) % 2, 0.03, -0.03)  # within a 0.05 threshold
    return x.astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("threshold", [0.0, 1e-10, 0.05])
@pytest.mark.parametrize(
    ("frame_length", "hop_length", "center"),
    [(255, 64, True), (100, 100, False), (64, 7, True), (4096, 512, True), (301, 1, False)],
)
def test_zero_crossing_rate_grid(frame_length, hop_length, center, threshold, dtype):
    x = zcr_signal(dtype)
    kw = dict(frame_length=frame_length, hop_length=hop_length, center=center)
    got = S.zero_crossing_rate(x, threshold=threshold, **kw)
    want = librosa.feature.zero_crossing_rate(x, threshold=threshold, **kw)[0]
    assert_close(got, want, dtype, scale=1.0, what="zcr")


RMS_GRID = [  # frame_length, hop_length, center, pad_mode (pad_mode pads centred frames only)
    (fl, hop, True, pm)
    for fl, hop in [(255, 64), (64, 7), (4096, 512)]
    for pm in ["constant", "edge", "reflect", "symmetric", "linear_ramp", "wrap"]
] + [(100, 100, False, "constant"), (301, 1, False, "constant")]


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize(("frame_length", "hop_length", "center", "pad_mode"), RMS_GRID)
def test_rms_grid(frame_length, hop_length, center, pad_mode, dtype):
    x = zcr_signal(dtype)
    kw = dict(frame_length=frame_length, hop_length=hop_length, center=center, pad_mode=pad_mode)
    got = S.rms(x, **kw)
    want = librosa.feature.rms(y=x, dtype=dtype, **kw)[0]  # librosa's default dtype: float32
    assert got.dtype == dtype
    assert_close(got, want, dtype, what="rms")


# ============================================================================================
# cepstrum (not in librosa: the definition on librosa's STFT)


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize(
    ("fr", "n_ceps", "amin"),
    [("odd-nfft", None, 1e-10), ("kaiser-nocenter-win", 40, 1e-3), ("reflect", 1, 1e-10)],
)
def test_cepstrum_on_librosa_stft(fr, n_ceps, amin, dtype):
    fr = FRAMINGS[fr]
    x = signal(N, dtype)
    C, q = S.cepstrum(x, sr=SR, n_ceps=n_ceps, amin=amin, **fr)
    mag = np.abs(librosa.stft(x.astype(np.float64), **fr))
    want = scipy.fft.irfft(np.log(np.maximum(mag, amin)), n=fr["n_fft"], axis=0)
    want = want[: fr["n_fft"] if n_ceps is None else n_ceps]
    # log turns the STFT's relative rounding into absolute error: scale by the log's range
    assert_close(C, want, dtype, scale=np.abs(np.log(np.maximum(mag, amin))).max(), factor=10)
    np.testing.assert_allclose(q, np.arange(want.shape[0]) / SR, rtol=1e-15)


# ============================================================================================
# frequency helpers


def test_frequency_helpers_match_librosa():
    f = np.r_[0.0, 1e-3, 999.999, 1000.0, 1000.001, np.geomspace(1, 48000, 97)]
    for htk in (False, True):
        np.testing.assert_allclose(
            S.hz_to_mel(f, htk=htk), librosa.hz_to_mel(f, htk=htk), rtol=1e-13, atol=1e-12
        )
        m = np.linspace(0, 80 if not htk else 4000, 101)
        np.testing.assert_allclose(
            S.mel_to_hz(m, htk=htk), librosa.mel_to_hz(m, htk=htk), rtol=1e-13, atol=1e-10
        )
        for n_mels, fmin, fmax in [(1, 0.0, 8000.0), (2, 20.0, 300.0), (130, 55.0, 22050.0)]:
            np.testing.assert_allclose(
                S.mel_frequencies(n_mels, fmin=fmin, fmax=fmax, htk=htk),
                librosa.mel_frequencies(n_mels, fmin=fmin, fmax=fmax, htk=htk),
                rtol=1e-13,
            )
    for sr, n_fft in [(SR, 255), (SR, 256), (44100.5, 3), (1000, 2)]:
        np.testing.assert_allclose(
            S.fft_frequencies(sr=sr, n_fft=n_fft),
            librosa.fft_frequencies(sr=sr, n_fft=n_fft),
            rtol=1e-15,
        )
    frames = np.array([0, 1, 7, 1000])
    np.testing.assert_allclose(
        S.frames_to_time(frames, sr=8000 / 3, hop_length=37),
        librosa.frames_to_time(frames, sr=8000 / 3, hop_length=37),
        rtol=1e-15,
    )


# ============================================================================================
# physiofeat.extract with non-default parameters


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
def test_extract_non_default_params_match_librosa(dtype):
    x = signal(N, dtype)
    fr = dict(n_fft=301, hop_length=50, win_length=240, window="hamming", pad_mode="reflect")
    mel = dict(n_mels=24, fmin=40.0, fmax=1800.0, htk=True, power=1.0)
    mfcc = dict(n_mfcc=12, dct_type=3, norm=None, lifter=22, mel_norm=None, top_db=None)
    f = physiofeat.extract(
        x,
        {
            "mel": dict(norm=2.0),
            "log_mel": dict(norm=None, ref=np.max, top_db=50.0, amin=1e-6),
            "mfcc": mfcc,
            "mfcc_delta": dict(**mfcc, width=5),
            "mfcc_delta2": dict(**mfcc, width=7),
        },
        sr=SR,
        **fr,
        **mel,
    )
    lkw = dict(sr=SR, dtype=dtype, **fr, **mel)
    assert_close(
        f["mel"].values, librosa.feature.melspectrogram(y=x, norm=2.0, **lkw), dtype, what="mel"
    )
    M = librosa.feature.melspectrogram(y=x, norm=None, **lkw)
    assert_db(
        f["log_mel"].values,
        librosa.power_to_db(M, ref=np.max, top_db=50.0, amin=1e-6),
        dtype,
        what="log_mel",
    )
    C = librosa.feature.mfcc(
        S=librosa.power_to_db(M, top_db=None), n_mfcc=12, dct_type=3, norm=None, lifter=22
    )
    assert_close(f["mfcc"].values, C, dtype, what="mfcc")
    assert_close(
        f["mfcc_delta"].values,
        librosa.feature.delta(C, width=5),
        dtype,
        scale=np.abs(C).max(),
        what="mfcc_delta",
    )
    assert_close(
        f["mfcc_delta2"].values,
        librosa.feature.delta(C, width=7, order=2),
        dtype,
        scale=np.abs(C).max(),
        what="mfcc_delta2",
    )
    np.testing.assert_allclose(
        f["mel"].coords["mel"],
        librosa.mel_frequencies(26, fmin=40.0, fmax=1800.0, htk=True)[1:-1],
        rtol=1e-13,
    )
    np.testing.assert_allclose(
        f["mfcc"].coords["time"],
        librosa.frames_to_time(np.arange(C.shape[-1]), sr=SR, hop_length=50),
        rtol=1e-15,
    )


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
def test_extract_statistics_and_framed_features(dtype):
    x = signal(N, dtype)
    fr = dict(n_fft=255, hop_length=40, win_length=200, window=("kaiser", 6.0), center=False)
    g = physiofeat.extract(
        x,
        {
            "spectral_rolloff": dict(roll_percent=0.3, **fr),
            "spectral_bandwidth": dict(p=1.5, **fr),
            "spectral_flatness": dict(amin=1e-6, **fr),
            "spectral_centroid": fr,
            "spectrogram": dict(power=1.0, db=True, top_db=60.0, **fr),
            "zero_crossing_rate": dict(frame_length=301, hop_length=50, threshold=0.01),
            "rms": dict(frame_length=301, hop_length=50, pad_mode="edge"),
        },
        sr=SR,
    )
    kw = dict(sr=SR, **fr)
    F = librosa.feature
    for name, want in [
        ("spectral_rolloff", F.spectral_rolloff(y=x, roll_percent=0.3, **kw)[0]),
        ("spectral_bandwidth", F.spectral_bandwidth(y=x, p=1.5, **kw)[0]),
        ("spectral_centroid", F.spectral_centroid(y=x, **kw)[0]),
    ]:
        assert_close(g[name].values, want, dtype, scale=NYQ, what=name)
    assert_close(
        g["spectral_flatness"].values,
        F.spectral_flatness(y=x, amin=1e-6, **fr)[0],
        dtype,
        scale=1.0,
        factor=10,
        what="flatness",
    )
    spec_db = librosa.amplitude_to_db(np.abs(librosa.stft(x, **fr)), top_db=60.0)
    assert_db(g["spectrogram"].values, spec_db, dtype, what="spectrogram dB")
    zcr = F.zero_crossing_rate(x, frame_length=301, hop_length=50, threshold=0.01)[0]
    assert_close(g["zero_crossing_rate"].values, zcr, dtype, scale=1.0, what="zcr")
    rms = F.rms(y=x, frame_length=301, hop_length=50, pad_mode="edge", dtype=dtype)[0]
    assert_close(g["rms"].values, rms, dtype, what="rms")
    np.testing.assert_allclose(
        g["spectral_centroid"].coords["time"],
        librosa.frames_to_time(
            np.arange(g["spectral_centroid"].values.size), sr=SR, hop_length=40, n_fft=255
        ),
        rtol=1e-15,
    )


def test_extract_batch_log_mel_is_per_signal_as_documented():
    """Documented difference: in a batch ``top_db`` (and ``ref=np.max``) apply per signal."""
    xb = np.stack([signal(N, np.float64, 1), 1e-3 * signal(N, np.float64, 2)])
    kw = dict(n_fft=256, hop_length=64, n_mels=32)
    f = physiofeat.extract(xb, {"log_mel": dict(ref=np.max, top_db=30.0)}, sr=SR, **kw)
    for i in range(2):
        M = librosa.feature.melspectrogram(y=xb[i], sr=SR, dtype=np.float64, **kw)
        want = librosa.power_to_db(M, ref=np.max, top_db=30.0)
        assert_db(f["log_mel"].values[i], want, np.float64, what=f"row {i}")


# ============================================================================================
# parameters librosa accepts: numpy scalars where physiofeat's docs say "a number"


@pytest.mark.parametrize("norm", [np.float32(2.0), np.int64(1), np.float64(3.0)], ids=repr)
def test_mel_norm_accepts_numpy_scalars(norm):
    """librosa takes any positive real for the mel ``norm``; physiofeat's docs and message say
    "a positive number", and elsewhere it takes numpy scalars (dct_type, htk, axis); it had
    refused np.float32 and np.int64."""
    want = librosa.filters.mel(sr=SR, n_fft=256, n_mels=20, norm=norm, dtype=np.float64)
    got = S.mel_filters(sr=SR, n_fft=256, n_mels=20, norm=norm, dtype=np.float64)
    assert_close(got, want, np.float64)
    x = signal(N, np.float64)
    assert_close(
        S.melspectrogram(x, sr=SR, n_fft=256, n_mels=20, norm=norm),
        librosa.feature.melspectrogram(
            y=x, sr=SR, n_fft=256, n_mels=20, norm=norm, dtype=np.float64
        ),
        np.float64,
    )


def test_mfcc_dct1_of_one_band_is_a_parameter_error():
    """DCT-I needs 2 points whatever the norm (scipy: 'zero-length FFT requested'); physiofeat
    had checked it only for norm='ortho', so norm=None let scipy's RuntimeError escape
    instead of a ParameterError (librosa raises the same RuntimeError)."""
    x = signal(N, np.float64)
    kw = dict(n_fft=256, n_mels=1, n_mfcc=1, dct_type=1)
    with pytest.raises(ParameterError, match="dct_type=1 needs n_mels >= 2"):
        S.mfcc(x, sr=SR, norm="ortho", **kw)
    with pytest.raises(ParameterError, match="dct_type=1 needs n_mels >= 2"):
        S.mfcc(x, sr=SR, norm=None, **kw)


# ============================================================================================
# refusals of what librosa accepts: pinned, each a typed physiofeat error naming the problem


def test_refusals_of_what_librosa_accepts_are_typed_errors():
    x = signal(N, np.float64)
    short = x[:100]
    cases = [
        (  # librosa pads 100 samples to 512 (with a warning)
            lambda: S.stft(short, n_fft=512),
            lambda: librosa.stft(short, n_fft=512),
            ParameterError,
            r"n_fft=512 is too large for a signal of 100 samples: at most 4 x",
        ),
        (  # numpy reflects repeatedly; physiofeat once
            lambda: S.stft(short, n_fft=256, pad_mode="reflect"),
            lambda: librosa.stft(short, n_fft=256, pad_mode="reflect"),
            InvalidSignalError,
            r"too short for pad_mode='reflect' with n_fft=256 \(needs more than 128\)",
        ),
        (
            lambda: S.rms(short, frame_length=256, pad_mode="symmetric"),
            lambda: librosa.feature.rms(y=short, frame_length=256, pad_mode="symmetric"),
            InvalidSignalError,
            r"too short for pad_mode='symmetric'",
        ),
        (
            lambda: S.rms(x, frame_length=256, pad_mode="median"),
            lambda: librosa.feature.rms(y=x, frame_length=256, pad_mode="median"),
            ParameterError,
            r"pad_mode must be one of .*; got 'median'",
        ),
        (  # librosa: filters above Nyquist are empty (a warning)
            lambda: S.melspectrogram(x, sr=SR, n_fft=256, fmax=2500.0),
            lambda: librosa.feature.melspectrogram(y=x, sr=SR, n_fft=256, fmax=2500.0),
            ParameterError,
            r"fmax=2500.0 Hz exceeds the Nyquist frequency",
        ),
        (  # librosa: every filter empty (a warning)
            lambda: S.mel_filters(sr=SR, n_fft=256, n_mels=10, fmin=500.0, fmax=500.0),
            lambda: librosa.filters.mel(sr=SR, n_fft=256, n_mels=10, fmin=500.0, fmax=500.0),
            ParameterError,
            r"fmin=500.0 Hz must be below fmax=500.0 Hz",
        ),
        (  # librosa.util.normalize: norm=0 counts the non-zero weights
            lambda: S.mel_filters(sr=SR, n_fft=256, n_mels=20, norm=0),
            lambda: librosa.filters.mel(sr=SR, n_fft=256, n_mels=20, norm=0),
            ParameterError,
            r"norm must be None, 'slaney' or a positive number",
        ),
        (
            lambda: S.mel_filters(sr=SR, n_fft=256, n_mels=20, norm=-np.inf),
            lambda: librosa.filters.mel(sr=SR, n_fft=256, n_mels=20, norm=-np.inf),
            ParameterError,
            r"norm must be None, 'slaney' or a positive number",
        ),
        (  # librosa returns the n_mels coefficients there are
            lambda: S.mfcc(x, sr=SR, n_fft=256, n_mels=10, n_mfcc=13),
            lambda: librosa.feature.mfcc(y=x, sr=SR, n_fft=256, n_mels=10, n_mfcc=13),
            ParameterError,
            r"n_mfcc=13 must be <= n_mels=10",
        ),
        (
            lambda: S.power_to_db(2.0),
            lambda: librosa.power_to_db(2.0),
            InvalidSignalError,
            r"S must have shape .*; got 0-D array",
        ),
        (  # librosa: |ref|, then max(amin, ref)
            lambda: S.power_to_db(np.ones(4), ref=0.0),
            lambda: librosa.power_to_db(np.ones(4), ref=0.0),
            ParameterError,
            r"ref must be a positive number or a callable",
        ),
        (
            lambda: S.amplitude_to_db(np.ones(4), ref=-2.0),
            lambda: librosa.amplitude_to_db(np.ones(4), ref=-2.0),
            ParameterError,
            r"ref must be a positive number or a callable",
        ),
        (  # librosa: inf dB
            lambda: S.power_to_db(np.r_[1.0, np.inf]),
            lambda: librosa.power_to_db(np.r_[1.0, np.inf]),
            InvalidSignalError,
            r"S contains 1 non-finite value",
        ),
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for ours, theirs, err, msg in cases:
            theirs()  # librosa accepts it
            with pytest.raises(err, match=msg):
                ours()


@pytest.mark.parametrize(
    ("call", "kwarg"),
    [
        (lambda x: S.delta(np.ones((3, 20)), mode="nearest"), "mode"),
        (lambda x: S.spectral_flatness(x, sr=SR, power=1.0), "power"),
        (lambda x: S.spectral_bandwidth(x, sr=SR, norm=False), "norm"),
        (lambda x: S.spectral_centroid(x, sr=SR, freq=np.arange(1025.0)), "freq"),
        (lambda x: S.rms(S=np.abs(S.stft(x))), "S"),
        (lambda x: S.zero_crossing_rate(x, zero_pos=False), "zero_pos"),
        (lambda x: S.stft(x, n_fft=256, dtype=np.complex64), "dtype"),
    ],
    ids=[
        "delta-mode",
        "flatness-power",
        "bandwidth-norm",
        "centroid-freq",
        "rms-S",
        "zcr-zero_pos",
        "stft-dtype",
    ],
)
def test_librosa_options_physiofeat_lacks(call, kwarg):
    """librosa options without a physiofeat counterpart: Python's own TypeError for an
    unexpected keyword (not a physiofeat error)."""
    with pytest.raises(TypeError, match=f"unexpected keyword argument '{kwarg}'"):
        call(signal(N, np.float64))
