"""STFT, spectrograms, mel, MFCC, deltas, cepstrum, spectral statistics, ZCR and RMS.

Conventions match librosa (``librosa.stft``, ``librosa.feature.*``): the same parameter names
and defaults, the same padding and framing, Slaney/HTK mel scales and norms, orthonormal DCT-II,
Savitzky-Golay deltas with ``mode="interp"``. Differences, all deliberate:

- ``sr`` is required wherever time or frequency matters (librosa defaults to 22050).
- Frame-wise statistics return ``(..., n_frames)`` rather than ``(..., 1, n_frames)``.
- In a batch ``(n_signals, n)``, ``top_db`` is applied per signal (librosa uses the maximum
  over the whole batch, so one loud signal changes every other signal's features).

FFTs are pocketfft's (:mod:`scipy.fft`). Spectra are computed block by block (about 512 KiB of
frames a block) on ``numba.get_num_threads()`` threads: each thread frames and windows a block,
transforms it and hands it straight to its consumer (the sparse mel projection and log, or a
copy into the full STFT) while it is in that core's cache, so a mel spectrogram or MFCC never
materialises the complex STFT. Power, mel projection, decibels, deltas and the spectral
statistics are Numba loops over contiguous frame-major arrays.
"""

from __future__ import annotations

import functools
import math
import numbers
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from .._errors import InvalidSignalError, ParameterError
from .._validation import as_signal, check_bool, check_choice, check_float, check_int, check_sr
from . import _kernels as K

__all__ = [
    "stft",
    "spectrogram",
    "power_to_db",
    "amplitude_to_db",
    "mel_filters",
    "hz_to_mel",
    "mel_to_hz",
    "mel_frequencies",
    "fft_frequencies",
    "frames_to_time",
    "melspectrogram",
    "log_melspectrogram",
    "mfcc",
    "delta",
    "cepstrum",
    "spectral_centroid",
    "spectral_bandwidth",
    "spectral_rolloff",
    "spectral_flatness",
    "spectral_flux",
    "spectral_entropy",
    "zero_crossing_rate",
    "rms",
]

PadMode = Literal["constant", "edge", "reflect", "symmetric", "linear_ramp", "wrap"]
_PAD_MODES = ("constant", "edge", "reflect", "symmetric", "linear_ramp", "wrap")
#: Defaults of the spectral statistics, defined once (signatures and the registry read them).
ROLL_PERCENT = 0.85
DELTA_WIDTH = 9
BANDWIDTH_P = 2.0
FLATNESS_AMIN = 1e-10
#: Inputs with at least this many elements use the parallel (prange) kernels.
PARALLEL_MIN = 1 << 16


def _workers() -> int:
    """Threads for FFTs and block pools: Numba's thread count, so one setting
    (``NUMBA_NUM_THREADS`` / ``numba.set_num_threads``, which batch workers set to 1) bounds
    all of physiofeat's threading and a process-pool worker never oversubscribes its core."""
    import numba

    return max(1, numba.get_num_threads())


def _pick(serial: Callable, parallel: Callable, size: int) -> Callable:
    from .._numba import use_parallel

    return parallel if use_parallel(size, PARALLEL_MIN) else serial


# --------------------------------------------------------------------------------------------
# windows and framing


@functools.lru_cache(maxsize=64)
def _window_cached(window: Any, win_length: int, n_fft: int, dtype: str) -> np.ndarray:
    n = np.arange(win_length)
    cosine = {  # periodic (fftbins=True) generalised cosine windows, as scipy.signal.get_window
        "hann": (0.5, 0.5),
        "hamming": (0.54, 0.46),
        "blackman": (0.42, 0.5, 0.08),
    }
    if isinstance(window, str) and window in cosine:
        a = cosine[window]
        w = np.zeros(win_length)
        for k, ak in enumerate(a):
            w += (-1) ** k * ak * np.cos(2 * np.pi * k * n / win_length)
    elif window in ("boxcar", "rectangular", "ones"):
        w = np.ones(win_length)
    else:
        import scipy.signal

        try:
            w = scipy.signal.get_window(window, win_length, fftbins=True)
        except (ValueError, TypeError) as exc:
            raise ParameterError(
                f"window {window!r} is not understood ({exc}); accepted: a name or tuple known to "
                "scipy.signal.get_window ('hann', 'hamming', 'blackman', ('kaiser', 8.0), ...) or "
                "an array of length win_length"
            ) from None
    lpad = (n_fft - win_length) // 2
    out = np.zeros(n_fft, dtype=dtype)
    out[lpad : lpad + win_length] = w
    out.setflags(write=False)
    return out


def get_window(window: Any, win_length: int, n_fft: int, dtype=np.float64) -> np.ndarray:
    """Periodic analysis window of ``win_length`` centred in ``n_fft`` (``librosa.filters.get_window``
    followed by ``pad_center``).

    ``window`` is a name or tuple for :func:`scipy.signal.get_window`, an array of
    ``win_length`` finite values, or a callable ``window(win_length)`` returning one (as
    librosa). Raises :class:`ParameterError` for anything else, including an array holding NaN
    or inf (it would make every spectrum NaN)."""
    if isinstance(window, (np.ndarray, list)):
        try:
            w = np.asarray(window, dtype=dtype)
        except (ValueError, TypeError) as exc:
            raise ParameterError(
                f"window array must hold win_length={win_length} real numbers ({exc})"
            ) from None
        if w.ndim != 1 or len(w) != win_length:
            raise ParameterError(
                f"window array must be 1-D of length win_length={win_length}; got shape {w.shape}"
            )
        bad = np.flatnonzero(~np.isfinite(w))
        if bad.size:
            raise ParameterError(
                f"window array must hold finite values; got {bad.size} NaN or inf of "
                f"{win_length}, first at index {bad[0]}"
            )
        out = np.zeros(n_fft, dtype=dtype)
        lpad = (n_fft - win_length) // 2
        out[lpad : lpad + win_length] = w
        return out
    if callable(window):
        return get_window(np.asarray(window(win_length)), win_length, n_fft, dtype)
    return _window_cached(window, win_length, n_fft, np.dtype(dtype).str)


class SpectralWarning(UserWarning):
    """A spectral or higher-order-spectral result is undefined or degenerate for this signal:
    a feature that could not be computed is NaN (the reason is in the feature's
    ``attrs["nan_reason"]``), and a bicoherence estimated from a single segment is 1 by
    construction (:func:`physiofeat.hos.bicoherence`)."""


def check_named_window(window: Any, win_length: int, n_fft: int) -> None:
    """Up-front check of a named window (``str`` or ``tuple``) that does not build it at full size.

    It is built at 16 points at most; a window that exists only at longer lengths (``("dpss",
    NW)`` needs ``NW < M / 2``) is built again at its real length, capped at 65536 points (above
    that, compute decides). Raises :class:`ParameterError` for a window that cannot be built.
    """
    try:
        get_window(window, min(win_length, 16), min(n_fft, 16))
    except ParameterError:
        if n_fft <= 16:
            raise
        get_window(window, min(win_length, 1 << 16), min(n_fft, 1 << 16))


#: ``n_fft`` (or ``frame_length``) beyond this many times the signal length is refused: such a
#: frame is almost all zero padding, and its buffers and mel filterbank could exhaust memory.
MAX_NFFT_RATIO = 4


@dataclass(frozen=True)
class FrameParams:
    """Resolved framing parameters shared by every frame-based feature."""

    n_fft: int
    hop_length: int
    win_length: int
    center: bool
    pad_mode: str

    @classmethod
    def resolve(
        cls,
        n_fft,
        hop_length,
        win_length,
        center,
        pad_mode,
        *,
        hop_default=None,
        n=None,
        name="n_fft",
    ):
        """Validate the framing; ``n`` (the signal length, when known) bounds ``n_fft``, and
        ``name`` is what the caller calls the frame length (``frame_length`` for rms/zcr)."""
        n_fft = check_int(n_fft, name, minimum=2)
        if n is not None and n < 2 and n_fft > MAX_NFFT_RATIO * n:
            # no accepted frame of the default length, or any length but the shortest: the
            # signal is at fault, not the parameter
            raise InvalidSignalError(
                f"a signal of {n} sample{'s' if n != 1 else ''} is too short for {name}="
                f"{n_fft}: {name} must be >= 2 and at most {MAX_NFFT_RATIO} x the signal length"
            )
        if n is not None and n_fft > MAX_NFFT_RATIO * n:
            # checked before any window, filterbank or frame buffer is allocated
            raise ParameterError(
                f"{name}={n_fft} is too large for a signal of {n} samples: at most "
                f"{MAX_NFFT_RATIO} x the signal length ({MAX_NFFT_RATIO * n}) is accepted, "
                f"and {name} <= {n} is advised"
            )
        win_length = n_fft if win_length is None else check_int(win_length, "win_length", minimum=1)
        if win_length > n_fft:
            raise ParameterError(f"win_length={win_length} must be <= {name}={n_fft}")
        if hop_length is None:
            hop_length = hop_default if hop_default is not None else max(win_length // 4, 1)
        hop_length = check_int(hop_length, "hop_length", minimum=1)
        center = check_bool(center, "center")
        check_choice(pad_mode, "pad_mode", _PAD_MODES)
        if n is not None and center and n_fft > n:
            warnings.warn(  # as librosa.stft
                f"{name}={n_fft} is too large for input signal of length={n}", stacklevel=3
            )
        return cls(n_fft, hop_length, win_length, bool(center), pad_mode)

    def n_frames(self, n: int) -> int:
        padded = n + 2 * (self.n_fft // 2) if self.center else n
        return 1 + (padded - self.n_fft) // self.hop_length

    def times(self, n_frames: int, sr: float) -> np.ndarray:
        """Time in seconds of each frame's centre."""
        offset = 0 if self.center else self.n_fft // 2
        return (np.arange(n_frames) * self.hop_length + offset) / sr


def _as_rows(y: Any, *, min_length: int = 1, name: str = "y") -> tuple[np.ndarray, tuple]:
    """Validate ``y`` (..., n) and return it as contiguous rows (R, n) plus the batch shape."""
    arr = as_signal(y, name=name, ndim=tuple(range(1, 8)), min_length=min_length)
    return arr.reshape(-1, arr.shape[-1]), arr.shape[:-1]


def _check_length(rows: np.ndarray, fp: FrameParams, pad_mode: str, name: str = "n_fft") -> None:
    """``name``: what the caller calls the frame length (``frame_length`` for rms/zcr)."""
    n = rows.shape[-1]
    if fp.center and pad_mode in ("reflect", "symmetric") and n <= fp.n_fft // 2:
        raise InvalidSignalError(
            f"signal of {n} samples is too short for pad_mode={pad_mode!r} with {name}="
            f"{fp.n_fft} (needs more than {fp.n_fft // 2}); use pad_mode='constant' or a smaller "
            f"{name}"
        )
    if not fp.center and n < fp.n_fft:
        raise InvalidSignalError(
            f"signal of {n} samples is shorter than one frame ({name}={fp.n_fft}, center=False)"
        )


#: Frames per block are chosen so one block of windowed frames is about this many bytes: the
#: block is framed, transformed and consumed while it is still in the core's L2 cache.
BLOCK_BYTES = 1 << 19


def _rfft_rows() -> Callable:
    """``rfft(frames, out)`` along the last axis, one thread, into a preallocated ``out``.

    pocketfft's ``r2c`` (the routine under ``scipy.fft.rfft``) is called directly: the block
    pipeline calls it thousands of times on small blocks, where the public wrapper's dispatch
    (~10 us a call, holding the GIL) and a fresh output array each time are a measurable share.
    Falls back to ``scipy.fft.rfft`` if that private module ever moves; the tests check that
    both give the same spectra."""
    try:
        from scipy.fft._pocketfft.pypocketfft import r2c

        def rfft(b, out):
            return r2c(b, (1,), True, 0, out, 1)

    except ImportError:  # pragma: no cover - scipy without the pocketfft extension
        rfft = _rfft_public
    return rfft


def _rfft_public(b, out):
    import scipy.fft

    out[...] = scipy.fft.rfft(b, axis=-1, workers=1)
    return out


class _Blocks:
    """The block plan of a framed signal batch: windowed frames of ``rows`` in blocks of about
    :data:`BLOCK_BYTES`, each thread of :func:`_workers` owning one contiguous run of blocks
    (so its output is one contiguous run of rows too)."""

    def __init__(self, rows: np.ndarray, fp: FrameParams, window: Any):
        self.w = get_window(window, fp.win_length, fp.n_fft, dtype=rows.dtype)
        self.T = fp.n_frames(rows.shape[-1])
        self.pad = fp.n_fft // 2 if fp.center else 0
        if self.pad and fp.pad_mode != "constant":  # the kernel zero-pads; other modes copy
            rows = np.pad(rows, ((0, 0), (self.pad, self.pad)), mode=fp.pad_mode)
            self.pad = 0
        self.rows, self.fp = rows, fp
        self.total = rows.shape[0] * self.T
        self.block = max(16, BLOCK_BYTES // (fp.n_fft * rows.itemsize))
        n_blocks = -(-self.total // self.block)
        n_threads = max(1, min(_workers(), n_blocks))
        cuts = [n_blocks * t // n_threads for t in range(n_threads + 1)]
        #: per thread, its list of (g0, g1) global frame ranges
        self.runs = [
            [
                (b * self.block, min(self.total, (b + 1) * self.block))
                for b in range(cuts[t], cuts[t + 1])
            ]
            for t in range(n_threads)
        ]

    def frame(self, g0: int, buf: np.ndarray) -> None:
        K.frame_window(self.rows, self.w, self.fp.hop_length, self.pad, self.T, g0, buf)

    def run(self, work: Callable[[list], None]) -> None:
        """``work(run)`` for every thread's run of blocks, on its own thread."""
        if len(self.runs) == 1:
            work(self.runs[0])
            return
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(len(self.runs)) as pool:
            list(pool.map(work, self.runs))


def _stft_fm(rows: np.ndarray, fp: FrameParams, window: Any) -> np.ndarray:
    """Complex STFT, frame-major (R, n_frames, 1 + n_fft // 2): each block is framed into a
    per-thread buffer and transformed straight into its rows of the output."""
    _check_length(rows, fp, fp.pad_mode)
    plan = _Blocks(rows, fp, window)
    R, F = rows.shape[0], fp.n_fft // 2 + 1
    X = np.empty((plan.total, F), dtype=np.result_type(rows.dtype, np.complex64))
    rfft = _rfft_rows()

    def work(run):
        buf = np.empty((plan.block, fp.n_fft), dtype=rows.dtype)
        for g0, g1 in run:
            b = buf[: g1 - g0]
            plan.frame(g0, b)
            rfft(b, X[g0:g1])

    plan.run(work)
    return X.reshape(R, plan.T, F)


def _mel_direct(
    rows: np.ndarray,
    fp: FrameParams,
    window: Any,
    bands,
    n_mels: int,
    power: float,
    *,
    db_amin: float | None = None,
) -> np.ndarray:
    """Mel spectrogram straight from the signal, frame-major (R, T, n_mels), never holding the
    whole complex STFT: each block's spectra go to the mel projection while still in cache,
    and the same kernel call frames the thread's next block (two releases of the GIL a block:
    the FFT and this kernel). With ``db_amin``, values are clamped at ``db_amin`` and each
    thread takes the ``log10`` of its run of output rows at the end (the first steps of
    ``power_to_db``; :func:`_db_rows` with ``logged=True`` scales by 10 and finishes: the same
    operations in the same order, so the same bits as ``power_to_db`` of the whole mel)."""
    _check_length(rows, fp, fp.pad_mode)
    plan = _Blocks(rows, fp, window)
    lo, ptr, wts = bands
    out = np.empty((plan.total, n_mels), dtype=rows.dtype)
    wts = wts.astype(rows.dtype, copy=False)
    power = float(power)
    zero = out.dtype.type(0)
    floor = zero if db_amin is None else out.dtype.type(db_amin)
    rfft = _rfft_rows()
    cdtype = np.result_type(rows.dtype, np.complex64)
    n_fft, hop = fp.n_fft, fp.hop_length

    def work(run):
        buf = np.empty((plan.block, n_fft), dtype=rows.dtype)
        spec = np.empty((plan.block, n_fft // 2 + 1), dtype=cdtype)
        p = np.empty(8 * (n_fft // 2 + 1), dtype=out.dtype)
        nothing = buf[:0]
        g0, g1 = run[0]
        plan.frame(g0, buf[: g1 - g0])
        for i, (g0, g1) in enumerate(run):
            X = rfft(buf[: g1 - g0], spec[: g1 - g0])
            h0, h1 = run[i + 1] if i + 1 < len(run) else (0, 0)
            K.mel_rows_then_frame(
                X.view(out.dtype), power, lo, ptr, wts, out[g0:g1], p, zero, floor,
                plan.rows, plan.w, hop, plan.pad, plan.T, h0, buf[: h1 - h0] if h1 else nothing,
            )  # fmt: skip
        if db_amin is not None:
            mine = out[run[0][0] : run[-1][1]]
            np.log10(mine, out=mine)

    plan.run(work)
    return out.reshape(rows.shape[0], plan.T, n_mels)


def _time_last(a_fm: np.ndarray, batch_shape: tuple) -> np.ndarray:
    """(R, T, F) frame-major -> (*batch, F, T) time-last view."""
    return np.swapaxes(a_fm, -1, -2).reshape(batch_shape + (a_fm.shape[2], a_fm.shape[1]))


def _n_fft_of(S_fm: np.ndarray, name: str = "S", n_fft: Any = None) -> int:
    """The ``n_fft`` of a frame-major spectrogram ``(R, T, 1 + n_fft // 2)``: the given ``n_fft``
    when its bin count matches (an odd one included), else the even ``2 (F - 1)`` it implies (as
    librosa does); refuses one with fewer than 2 frequency bins, which implies none."""
    F = S_fm.shape[-1]
    if F < 2:
        raise ParameterError(
            f"{name} must have at least 2 frequency bins (shape (..., 1 + n_fft // 2, n_frames) "
            f"with n_fft >= 2); got {F} bin(s)"
        )
    if isinstance(n_fft, (int, np.integer)) and not isinstance(n_fft, bool):
        if int(n_fft) // 2 + 1 == F:
            return int(n_fft)
    return 2 * (F - 1)


def _frame_major(S: Any, name: str = "S") -> tuple[np.ndarray, tuple]:
    """Validate a time-last spectrogram (..., F, T) and return it frame-major (R, T, F)."""
    arr = as_signal(S, name=name, ndim=tuple(range(2, 8)))
    batch = arr.shape[:-2]
    fm = np.ascontiguousarray(np.swapaxes(arr.reshape((-1,) + arr.shape[-2:]), -1, -2))
    return fm, batch


def stft(
    y: Any,
    /,
    *,
    n_fft: int = 2048,
    hop_length: int | None = None,
    win_length: int | None = None,
    window: Any = "hann",
    center: bool = True,
    pad_mode: PadMode = "constant",
) -> np.ndarray:
    """Short-time Fourier transform (``librosa.stft`` conventions).

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)]
        Real signal(s); float32 input gives complex64 output, anything else complex128.
    n_fft : int
        FFT length (frame length after zero-padding the window).
    hop_length : int, optional
        Samples between frames; default ``win_length // 4``.
    win_length : int, optional
        Window length, ``<= n_fft``; default ``n_fft``. The window is centred in the frame.
    window : str, tuple, callable or np.ndarray
        Periodic window ('hann', 'hamming', 'blackman' built in; others via scipy), an array
        of ``win_length`` finite values, or a callable ``window(win_length)`` returning one.
    center : bool
        Pad ``n_fft // 2`` samples on both sides so frame ``t`` is centred at ``t * hop_length``.
    pad_mode : str
        ``np.pad`` mode for ``center=True``.

    Returns
    -------
    np.ndarray [shape=(..., 1 + n_fft // 2, n_frames)], complex

    Examples
    --------
    >>> import numpy as np
    >>> from physiofeat.spectral import stft
    >>> X = stft(np.ones(1000), n_fft=256, hop_length=64)
    >>> X.shape, X.dtype
    ((129, 16), dtype('complex128'))
    """
    rows, batch = _as_rows(y)
    fp = FrameParams.resolve(n_fft, hop_length, win_length, center, pad_mode, n=rows.shape[-1])
    return _time_last(_stft_fm(rows, fp, window), batch)


def _power_fm(X: np.ndarray, power: float) -> np.ndarray:
    out = np.empty(X.shape, dtype=X.real.dtype)
    _pick(K.power_spectrum, K.power_spectrum_par, X.size)(X, float(power), out)
    return out


def _check_power(power: Any) -> float:
    return check_float(power, "power", minimum=0.0, strict_min=True)


def spectrogram(
    y: Any,
    /,
    *,
    sr: float,
    n_fft: int = 2048,
    hop_length: int = 512,
    win_length: int | None = None,
    window: Any = "hann",
    center: bool = True,
    pad_mode: PadMode = "constant",
    power: float = 2.0,
    db: bool = False,
    top_db: float | None = 80.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Magnitude (``power=1``) or power (``power=2``) spectrogram, optionally in dB.

    Returns
    -------
    S : np.ndarray [shape=(..., 1 + n_fft // 2, n_frames)]
    freqs : np.ndarray, Hz
    times : np.ndarray, seconds (frame centres)

    Examples
    --------
    >>> import numpy as np
    >>> from physiofeat.spectral import spectrogram
    >>> sr = 1000
    >>> x = np.sin(2 * np.pi * 125 * np.arange(sr) / sr)
    >>> S, f, t = spectrogram(x, sr=sr, n_fft=64, hop_length=16)
    >>> float(f[S[:, 5].argmax()])
    125.0
    """
    sr = check_sr(sr)
    rows, batch = _as_rows(y)
    fp = FrameParams.resolve(n_fft, hop_length, win_length, center, pad_mode, n=rows.shape[-1])
    P = _power_fm(_stft_fm(rows, fp, window), _check_power(power))
    if check_bool(db, "db"):
        P = _spectrogram_db(P, power, top_db)
    return _time_last(P, batch), fft_frequencies(sr=sr, n_fft=fp.n_fft), fp.times(P.shape[1], sr)


# --------------------------------------------------------------------------------------------
# decibels


def _spectrogram_db(P_fm: np.ndarray, power: float, top_db: float | None) -> np.ndarray:
    """dB of ``|X|**power``: ``power_to_db`` for power spectra, ``amplitude_to_db`` (20 log10,
    amin 1e-5) for magnitudes, the scale ``20 / power`` in general."""
    return _db_rows(
        P_fm, scale=20.0 / power, ref=1.0, amin=1e-10 if power == 2.0 else 1e-5, top_db=top_db
    )


def _db_rows(
    S_fm: np.ndarray,
    *,
    scale: float,
    ref: Any,
    amin: float,
    top_db: float | None,
    logged: bool = False,
) -> np.ndarray:
    """``scale * log10(max(amin, S) / max(amin, ref))`` floored per row (signal) at
    ``max - top_db``. NumPy's SIMD ``log10`` is ~20x faster here than a scalar Numba loop.
    ``logged=True``: ``S_fm`` already holds ``log10(max(amin, S))`` (computed block by block,
    :func:`_mel_direct`) and is finished in place; ``ref`` must then be a number."""
    amin = check_float(amin, "amin", minimum=0.0, strict_min=True)
    if top_db is not None:
        top_db = check_float(top_db, "top_db", minimum=0.0)
    ref = check_ref(ref)
    R = S_fm.shape[0]
    flat = S_fm.reshape(R, -1)
    if callable(ref):
        refs = np.array([float(ref(np.abs(r))) for r in flat])
    else:
        refs = np.full(R, ref)
    log_ref = (scale * np.log10(np.maximum(amin, refs))).astype(flat.dtype)
    if logged:
        out = flat
    else:
        out = np.maximum(flat, flat.dtype.type(amin))
        np.log10(out, out=out)
    t = flat.dtype.type
    _pick(K.db_finish, K.db_finish_par, out.size)(
        out, t(scale), log_ref, t(-1.0 if top_db is None else top_db)
    )
    return out.reshape(S_fm.shape)


def check_ref(ref: Any) -> float | Callable:
    """The decibel reference: a callable (such as ``np.max``, applied to ``|S|`` per signal) is
    returned as is, a positive finite number as a float; anything else (``'max'``, a bool, 0,
    a negative number, NaN) raises :class:`ParameterError`."""
    if callable(ref):
        return ref
    if (
        isinstance(ref, bool)
        or not isinstance(ref, numbers.Real)
        or not np.isfinite(ref)
        or not ref > 0
    ):
        raise ParameterError(
            f"ref must be a positive number or a callable (e.g. np.max); got {ref!r}"
        )
    return float(ref)


def _db_input(S: Any) -> np.ndarray:
    """The input of :func:`power_to_db` / :func:`amplitude_to_db` as a real array of up to 7
    axes: ``|S|`` of a complex one; ragged or non-numeric input refused by ``as_signal``."""
    try:
        arr = np.asarray(S)
    except (ValueError, TypeError):  # ragged nesting: as_signal names the problem
        return as_signal(S, name="S", ndim=tuple(range(1, 8)))
    if np.iscomplexobj(arr):
        arr = np.abs(arr)
    return as_signal(arr, name="S", ndim=tuple(range(1, 8)))


def power_to_db(
    S: Any, /, *, ref: float | Callable = 1.0, amin: float = 1e-10, top_db: float | None = 80.0
) -> np.ndarray:
    """``10 * log10(S / ref)``, floored at ``amin`` and at ``max - top_db`` (per signal).

    Parameters
    ----------
    S : np.ndarray [shape=(..., n)]
        Power values (``|S|`` is used for complex input, as librosa does).
    ref : float > 0 or callable
        Reference value, or a function of ``|S|`` (e.g. ``np.max``, not the string ``'max'``)
        evaluated per signal.
    amin : float > 0
    top_db : float >= 0 or None

    Examples
    --------
    >>> import numpy as np
    >>> from physiofeat.spectral import power_to_db
    >>> power_to_db(np.array([1.0, 10.0, 100.0]))
    array([ 0., 10., 20.])
    """
    arr = _db_input(S)
    # up to 2-D is one signal (a spectrogram); leading axes beyond that index signals
    rows = arr.reshape(1, -1) if arr.ndim <= 2 else arr.reshape(-1, arr.shape[-2] * arr.shape[-1])
    out = _db_rows(rows, scale=10.0, ref=ref, amin=amin, top_db=top_db)
    return out.reshape(arr.shape)


def amplitude_to_db(
    S: Any, /, *, ref: float | Callable = 1.0, amin: float = 1e-5, top_db: float | None = 80.0
) -> np.ndarray:
    """``20 * log10(|S| / ref)`` with the same flooring as :func:`power_to_db` (``ref`` as
    there: a positive number or a callable of ``|S|``).

    Examples
    --------
    >>> import numpy as np
    >>> from physiofeat.spectral import amplitude_to_db
    >>> amplitude_to_db(np.array([1.0, 10.0]))
    array([ 0., 20.])
    """
    ref = check_ref(ref)
    mag = np.abs(_db_input(S))
    if callable(ref):
        refv = ref
        return power_to_db(mag**2, ref=lambda a: refv(np.sqrt(a)) ** 2, amin=amin**2, top_db=top_db)
    return power_to_db(mag**2, ref=ref**2, amin=amin**2, top_db=top_db)


# --------------------------------------------------------------------------------------------
# frequency scales and the mel filterbank


def fft_frequencies(*, sr: float, n_fft: int) -> np.ndarray:
    """Centre frequencies (Hz) of the ``1 + n_fft // 2`` rfft bins (``n_fft`` an int >= 1)."""
    sr = check_sr(sr)
    n_fft = check_int(n_fft, "n_fft", minimum=1)
    return np.fft.rfftfreq(n_fft, d=1.0 / sr)


def frames_to_time(frames: Any, *, sr: float, hop_length: int = 512) -> np.ndarray:
    """Frame indices to seconds (``frames * hop_length / sr``, ``hop_length`` an int >= 1)."""
    sr = check_sr(sr)
    hop_length = check_int(hop_length, "hop_length", minimum=1)
    return np.asarray(_real_values(frames, "frames", "frame indices")) * hop_length / sr


def _real_values(x: Any, name: str, what: str) -> np.ndarray:
    """``x`` (a real number or an array of them, any shape) as an ndarray of its own dtype, or a
    :class:`ParameterError` naming ``name``: None, strings and complex values are refused
    (NumPy would make None a NaN and parse ``'1000'`` as a number). An object array of numbers
    becomes float64."""
    accepted = f"{name} must be a real number or an array of real numbers ({what})"
    if x is None or isinstance(x, (str, bytes)):
        raise ParameterError(f"{accepted}; got {type(x).__name__} {x!r}")
    try:
        arr = np.asanyarray(x)
        if arr.dtype.kind == "O":
            if not all(isinstance(v, numbers.Real) for v in arr.flat):  # astype: None -> NaN
                raise TypeError("not all real numbers")
            arr = arr.astype(np.float64)
    except (ValueError, TypeError):  # ragged nesting, None or str inside an object array
        raise ParameterError(f"{accepted}; got {x!r}") from None
    if arr.dtype.kind not in "fiub":
        raise ParameterError(f"{accepted}; got dtype {arr.dtype}: {x!r}")
    return arr


_F_SP = 200.0 / 3
_MIN_LOG_HZ = 1000.0
_MIN_LOG_MEL = _MIN_LOG_HZ / _F_SP
_LOGSTEP = math.log(6.4) / 27.0


def hz_to_mel(freqs: Any, *, htk: bool = False) -> np.ndarray:
    """Hz to mel: HTK ``2595 log10(1 + f/700)`` or Slaney's (linear below 1 kHz, log above)."""
    f = np.asanyarray(_real_values(freqs, "freqs", "Hz"), dtype=np.float64)
    if check_bool(htk, "htk"):
        return 2595.0 * np.log10(1.0 + f / 700.0)
    mels = f / _F_SP
    log_t = f >= _MIN_LOG_HZ
    return np.where(
        log_t, _MIN_LOG_MEL + np.log(np.maximum(f, _MIN_LOG_HZ) / _MIN_LOG_HZ) / _LOGSTEP, mels
    )


def mel_to_hz(mels: Any, *, htk: bool = False) -> np.ndarray:
    """Inverse of :func:`hz_to_mel`."""
    m = np.asanyarray(_real_values(mels, "mels", "mel"), dtype=np.float64)
    if check_bool(htk, "htk"):
        return 700.0 * (10.0 ** (m / 2595.0) - 1.0)
    freqs = _F_SP * m
    log_t = m >= _MIN_LOG_MEL
    return np.where(log_t, _MIN_LOG_HZ * np.exp(_LOGSTEP * (m - _MIN_LOG_MEL)), freqs)


def mel_frequencies(
    n_mels: int = 128, *, fmin: float = 0.0, fmax: float = 11025.0, htk: bool = False
) -> np.ndarray:
    """``n_mels`` frequencies (Hz) equally spaced on the mel scale from ``fmin`` to ``fmax``
    (``n_mels`` an int >= 0; ``fmin``, ``fmax`` finite numbers)."""
    n_mels = check_int(n_mels, "n_mels", minimum=0)
    fmin = check_float(fmin, "fmin")
    fmax = check_float(fmax, "fmax")
    mels = np.linspace(hz_to_mel(fmin, htk=htk), hz_to_mel(fmax, htk=htk), n_mels)
    return mel_to_hz(mels, htk=htk)


def _check_mel_args(sr, n_fft, n_mels, fmin, fmax, norm):
    sr = check_sr(sr)
    n_fft = check_int(n_fft, "n_fft", minimum=2)
    n_mels = check_int(n_mels, "n_mels", minimum=1)
    nyq = sr / 2.0
    fmin, fmax = check_band_limits(fmin, nyq if fmax is None else fmax)
    if fmax > nyq * (1 + 1e-12):
        raise ParameterError(
            f"fmax={fmax} Hz exceeds the Nyquist frequency sr/2={nyq} Hz; lower fmax, or "
            f"resample the signal to at least {2 * fmax:g} Hz (load(path, sr=...), the "
            "command line's --sr)"
        )
    _check_mel_norm(norm)
    return sr, n_fft, n_mels, fmin, fmax


def check_band_limits(fmin, fmax) -> tuple[float, float | None]:
    """``0 <= fmin < fmax`` in Hz (``fmax`` None: not checked, the rate decides it), as floats;
    the rate-free part of the mel checks, run also on a request before any signal."""
    fmin = check_float(fmin, "fmin", minimum=0.0)
    if fmax is None:
        return fmin, None
    fmax = check_float(fmax, "fmax", minimum=0.0, strict_min=True)
    if fmin >= fmax:
        raise ParameterError(f"fmin={fmin} Hz must be below fmax={fmax} Hz")
    return fmin, fmax


def _check_mel_norm(norm, name: str = "norm") -> None:
    """The filterbank norm; ``name`` is what the caller calls it (``mel_norm`` in mfcc)."""
    if not (
        norm is None
        or norm == "slaney"
        or (
            isinstance(norm, numbers.Real)
            and not isinstance(norm, (bool, np.bool_))
            and not np.isnan(norm)
            and norm > 0
        )
    ):
        raise ParameterError(
            f"{name} must be None, 'slaney' or a positive number (p-norm, np.inf); got {norm!r}"
        )


@functools.lru_cache(maxsize=32)
def _mel_cached(sr, n_fft, n_mels, fmin, fmax, htk, norm, dtype):
    fftfreqs = np.fft.rfftfreq(n_fft, d=1.0 / sr)
    mel_f = mel_frequencies(n_mels + 2, fmin=fmin, fmax=fmax, htk=htk)
    fdiff = np.diff(mel_f)
    ramps = np.subtract.outer(mel_f, fftfreqs)
    lower = -ramps[:-2] / fdiff[:-1, None]
    upper = ramps[2:] / fdiff[1:, None]
    weights = np.maximum(0.0, np.minimum(lower, upper))
    if norm == "slaney":
        weights *= (2.0 / (mel_f[2 : n_mels + 2] - mel_f[:n_mels]))[:, None]
    elif norm is not None:
        p = float(norm)
        lengths = (
            np.max(np.abs(weights), axis=1)
            if np.isinf(p)
            else np.sum(np.abs(weights) ** p, axis=1) ** (1.0 / p)
        )
        lengths[lengths < np.finfo(np.float64).tiny] = 1.0
        weights = weights / lengths[:, None]
    weights = weights.astype(dtype)
    weights.setflags(write=False)
    # the same matrix stored band by band as its run of non-zero bins, for the fused kernel
    lo = np.zeros(n_mels, dtype=np.uint64)  # unsigned: the kernel skips wraparound tests
    ptr = np.zeros(n_mels + 1, dtype=np.uint64)
    runs = []
    for m in range(n_mels):
        nz = np.flatnonzero(weights[m])
        a, b = (nz[0], nz[-1] + 1) if nz.size else (0, 0)
        lo[m] = a
        runs.append(weights[m, a:b])
        ptr[m + 1] = ptr[m] + (b - a)
    bands = (lo, ptr, np.concatenate(runs).astype(dtype) if runs else np.zeros(0, dtype))
    empty = np.flatnonzero(weights.max(axis=1) == 0)
    return weights, bands, empty


def _mel_basis(sr, n_fft, n_mels, fmin, fmax, htk, norm, dtype, *, warn: bool = True):
    sr, n_fft, n_mels, fmin, fmax = _check_mel_args(sr, n_fft, n_mels, fmin, fmax, norm)
    norm_key = norm if norm is None or norm == "slaney" else float(norm)
    weights, bands, empty = _mel_cached(
        sr, n_fft, n_mels, fmin, fmax, check_bool(htk, "htk"), norm_key, np.dtype(dtype).str
    )
    if warn and empty.size:
        import warnings

        warnings.warn(
            f"{empty.size} of {n_mels} mel filters are empty (no FFT bin falls inside them: "
            f"n_mels={n_mels} is too many for n_fft={n_fft} at sr={sr:g}); lower n_mels or raise "
            "n_fft",
            UserWarning,
            stacklevel=3,
        )
    return weights, bands


def mel_filters(
    *,
    sr: float,
    n_fft: int,
    n_mels: int = 128,
    fmin: float = 0.0,
    fmax: float | None = None,
    htk: bool = False,
    norm: Literal["slaney"] | float | None = "slaney",
    dtype=np.float32,
) -> np.ndarray:
    """Mel filterbank ``(n_mels, 1 + n_fft // 2)``, the same matrix as ``librosa.filters.mel``.

    Written here rather than imported because ``import librosa`` alone costs about a second,
    more than half of physiofeat's first-call budget; ``tests/test_spectral.py`` checks it against
    librosa for both scales and every norm.

    Examples
    --------
    >>> from physiofeat.spectral import mel_filters
    >>> mel_filters(sr=2000, n_fft=256, n_mels=20).shape
    (20, 129)
    """
    dtype = _check_float_dtype(dtype)
    return _mel_basis(sr, n_fft, n_mels, fmin, fmax, htk, norm, dtype)[0].copy()


def _check_float_dtype(dtype: Any, name: str = "dtype") -> np.dtype:
    """``dtype`` as a NumPy floating dtype (float16/32/64...), or a :class:`ParameterError`: a
    filterbank's weights lie in [0, 1], so an integer dtype would make it all zeros."""
    accepted = f"{name} must be a floating dtype (np.float32, np.float64, 'float32'...)"
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise ParameterError(f"{accepted}; got {dtype!r}") from None
    if dt.kind != "f":
        raise ParameterError(f"{accepted}; got {dt.name}")
    return dt


def _mel_fm(X_fm: np.ndarray, bands, n_mels: int, power: float) -> np.ndarray:
    lo, ptr, w = bands
    R, T, F = X_fm.shape
    out = np.empty((R * T, n_mels), dtype=X_fm.real.dtype)
    w = w.astype(out.dtype, copy=False)
    Xf = np.ascontiguousarray(X_fm).reshape(R * T, F).view(out.dtype)
    zero = out.dtype.type(0)
    if _pick(False, True, X_fm.size):
        K.mel_rows_par(Xf, float(power), lo, ptr, w, out, zero, zero)
    else:
        K.mel_rows(Xf, float(power), lo, ptr, w, out, np.empty(8 * F, out.dtype), zero, zero)
    return out.reshape(R, T, n_mels)


def _mel_from_spectrogram(S_fm: np.ndarray, weights: np.ndarray) -> np.ndarray:
    return np.matmul(S_fm, weights.T.astype(S_fm.dtype, copy=False))


def melspectrogram(
    y: Any = None,
    /,
    *,
    sr: float,
    S: Any = None,
    n_fft: int = 2048,
    hop_length: int = 512,
    win_length: int | None = None,
    window: Any = "hann",
    center: bool = True,
    pad_mode: PadMode = "constant",
    power: float = 2.0,
    n_mels: int = 128,
    fmin: float = 0.0,
    fmax: float | None = None,
    htk: bool = False,
    norm: Literal["slaney"] | float | None = "slaney",
) -> np.ndarray:
    """Mel spectrogram ``(..., n_mels, n_frames)`` (``librosa.feature.melspectrogram``).

    Pass the signal ``y``, or a precomputed spectrogram ``S`` (``(..., 1 + n_fft//2, n_frames)``,
    already raised to ``power``; its ``n_fft`` is the given one when ``1 + n_fft // 2`` matches
    its bin count, else the even ``2 (bins - 1)``, as in librosa).

    Examples
    --------
    >>> import numpy as np
    >>> from physiofeat.spectral import melspectrogram
    >>> melspectrogram(np.random.default_rng(0).standard_normal(4000), sr=2000, n_fft=256,
    ...                hop_length=64, n_mels=32).shape
    (32, 63)
    """
    if S is not None:
        S_fm, batch = _frame_major(S)
        n_fft = _n_fft_of(S_fm, n_fft=n_fft)
        weights, _ = _mel_basis(sr, n_fft, n_mels, fmin, fmax, htk, norm, S_fm.dtype)
        return _time_last(_mel_from_spectrogram(S_fm, weights), batch)
    rows, batch = _as_rows(y)
    fp = FrameParams.resolve(n_fft, hop_length, win_length, center, pad_mode, n=rows.shape[-1])
    _, bands = _mel_basis(sr, fp.n_fft, n_mels, fmin, fmax, htk, norm, rows.dtype)
    return _time_last(_mel_direct(rows, fp, window, bands, n_mels, _check_power(power)), batch)


def log_melspectrogram(
    y: Any = None,
    /,
    *,
    sr: float,
    S: Any = None,
    ref: float | Callable = 1.0,
    amin: float = 1e-10,
    top_db: float | None = 80.0,
    **kwargs: Any,
) -> np.ndarray:
    """``power_to_db(melspectrogram(...))``: log-mel in dB, ``top_db`` per signal.

    Examples
    --------
    >>> import numpy as np
    >>> from physiofeat.spectral import log_melspectrogram
    >>> L = log_melspectrogram(np.ones(2000), sr=1000, n_fft=128, hop_length=32, n_mels=16)
    >>> float(L.max() - L.min()) <= 80.0
    True
    """
    check_ref(ref)  # before the mel spectrogram is computed
    M = melspectrogram(y, sr=sr, S=S, **kwargs)
    fm, batch = _frame_major(M) if M.ndim >= 2 else (M, ())
    return _time_last(_db_rows(fm, scale=10.0, ref=ref, amin=amin, top_db=top_db), batch)


@functools.lru_cache(maxsize=32)
def _dct_matrix(
    n_in: int, n_out: int, dct_type: int, norm: str | None, lifter: float, dtype: str
) -> np.ndarray:
    import scipy.fft

    D = scipy.fft.dct(np.eye(n_in), type=dct_type, norm=norm, axis=0)[:n_out]
    if lifter > 0:
        D = D * (1.0 + (lifter / 2.0) * np.sin(np.pi * np.arange(1, n_out + 1) / lifter))[:, None]
    D = np.ascontiguousarray(D.T.astype(dtype))  # (n_in, n_out) for frame-major matmul
    D.setflags(write=False)
    return D


def _check_mfcc_args(n_mfcc, n_mels, dct_type, norm, lifter):
    n_mels = check_int(n_mels, "n_mels", minimum=1)
    n_mfcc = check_int(n_mfcc, "n_mfcc", minimum=1)
    if n_mfcc > n_mels:
        raise ParameterError(f"n_mfcc={n_mfcc} must be <= n_mels={n_mels}")
    # an int first: check_choice compares with ==, so True (== 1) and 2.0 (== 2) would pass
    check_choice(check_int(dct_type, "dct_type"), "dct_type", (1, 2, 3, 4))
    check_choice(norm, "norm", (None, "ortho"))
    if dct_type == 1 and n_mels < 2:  # DCT-I is undefined on one point (any norm)
        raise ParameterError("dct_type=1 needs n_mels >= 2")
    lifter = check_float(lifter, "lifter", minimum=0.0)
    return n_mfcc, lifter


def _mfcc_fm(logmel_fm: np.ndarray, n_mfcc, dct_type, norm, lifter) -> np.ndarray:
    D = _dct_matrix(logmel_fm.shape[-1], n_mfcc, dct_type, norm, lifter, logmel_fm.dtype.str)
    return np.matmul(logmel_fm, D)


def mfcc(
    y: Any = None,
    /,
    *,
    sr: float,
    S: Any = None,
    n_mfcc: int = 20,
    dct_type: int = 2,
    norm: Literal["ortho"] | None = "ortho",
    lifter: float = 0.0,
    n_fft: int = 2048,
    hop_length: int = 512,
    win_length: int | None = None,
    window: Any = "hann",
    center: bool = True,
    pad_mode: PadMode = "constant",
    power: float = 2.0,
    n_mels: int = 128,
    fmin: float = 0.0,
    fmax: float | None = None,
    htk: bool = False,
    mel_norm: Literal["slaney"] | float | None = "slaney",
    top_db: float | None = 80.0,
) -> np.ndarray:
    """Mel-frequency cepstral coefficients ``(..., n_mfcc, n_frames)`` (``librosa.feature.mfcc``).

    DCT of the log-power mel spectrogram (``power_to_db`` with ``ref=1``, ``amin=1e-10``),
    optionally liftered: ``M[k] *= 1 + lifter/2 * sin(pi (k+1) / lifter)``. ``S`` may be a
    precomputed log-power mel spectrogram.

    Examples
    --------
    >>> import numpy as np
    >>> from physiofeat.spectral import mfcc
    >>> x = np.random.default_rng(0).standard_normal(4000).astype(np.float32)
    >>> M = mfcc(x, sr=2000, n_fft=256, hop_length=64, n_mels=40, n_mfcc=13)
    >>> M.shape, M.dtype
    ((13, 63), dtype('float32'))
    """
    if S is not None:
        L_fm, batch = _frame_major(S)
        n_mfcc, lifter = _check_mfcc_args(n_mfcc, L_fm.shape[-1], dct_type, norm, lifter)
        return _time_last(_mfcc_fm(L_fm, n_mfcc, dct_type, norm, lifter), batch)
    n_mfcc, lifter = _check_mfcc_args(n_mfcc, n_mels, dct_type, norm, lifter)
    rows, batch = _as_rows(y)
    fp = FrameParams.resolve(n_fft, hop_length, win_length, center, pad_mode, n=rows.shape[-1])
    _check_mel_norm(mel_norm, "mel_norm")
    _, bands = _mel_basis(sr, fp.n_fft, n_mels, fmin, fmax, htk, mel_norm, rows.dtype)
    L = _mel_direct(rows, fp, window, bands, n_mels, _check_power(power), db_amin=1e-10)
    L = _db_rows(L, scale=10.0, ref=1.0, amin=1e-10, top_db=top_db, logged=True)
    return _time_last(_mfcc_fm(L, n_mfcc, dct_type, norm, lifter), batch)


# --------------------------------------------------------------------------------------------
# deltas


@functools.lru_cache(maxsize=32)
def savgol_matrix(width: int, order: int) -> np.ndarray:
    """``(width, width)`` Savitzky-Golay derivative coefficients, row ``i`` evaluating the
    ``order``-th derivative of the degree-``order`` least-squares polynomial at window position
    ``i`` (rows other than the centre serve the edges, as scipy's ``mode='interp'``)."""
    j = np.arange(width, dtype=np.float64)
    C = np.empty((width, width))
    for i in range(width):
        A = np.vander(j - i, order + 1, increasing=True)  # columns (x - i)**k, k = 0..order
        C[i] = math.factorial(order) * np.linalg.pinv(A)[order]
    C.setflags(write=False)
    return C


def _check_delta_args(width, order, n_frames):
    width = check_int(width, "width", minimum=3)
    if width % 2 == 0:
        raise ParameterError(f"width must be an odd integer >= 3; got {width}")
    order = check_int(order, "order", minimum=1)
    if order >= width:  # a degree-order polynomial needs more than order points to be fitted
        raise ParameterError(
            f"order={order} must be < width={width}: the order-th derivative comes from a "
            f"least-squares polynomial of degree {order} fitted to width frames (as "
            "scipy.signal.savgol_filter's polyorder < window_length)"
        )
    if width > n_frames:
        raise ParameterError(
            f"width={width} is larger than the {n_frames} frames along the delta axis "
            "(mode='interp' fits a polynomial to the first and last width frames); use a smaller "
            "width or a longer signal"
        )
    return width, order


def _delta_time_axis1(x3: np.ndarray, width: int, order: int) -> np.ndarray:
    """Delta along axis 1 of a (B, T, K) array (any strides; copied to C order if needed)."""
    C = savgol_matrix(width, order).astype(x3.dtype)
    B, T, n = x3.shape
    x2 = np.ascontiguousarray(x3).reshape(B, T * n)
    out = np.empty((B, T * n), dtype=x3.dtype)
    _pick(K.savgol, K.savgol_par, x3.size)(x2, C, out, T, n)
    return out.reshape(x3.shape)


def delta(data: Any, /, *, width: int = DELTA_WIDTH, order: int = 1, axis: int = -1) -> np.ndarray:
    """Local derivative estimate (Savitzky-Golay), as ``librosa.feature.delta(mode='interp')``.

    Parameters
    ----------
    data : np.ndarray [shape=(..., n_frames)]
    width : odd int >= 3
        Frames in the fitting window.
    order : int >= 1
        Derivative order (1 = delta, 2 = delta-delta).
    axis : int
        Axis along which to differentiate (time, by default the last).

    Examples
    --------
    >>> import numpy as np
    >>> from physiofeat.spectral import delta
    >>> delta(np.arange(10.0) ** 2, width=3)[1:4]
    array([2., 4., 6.])
    """
    arr = as_signal(data, name="data", ndim=tuple(range(1, 8)))
    axis = check_int(axis, "axis")
    if not -arr.ndim <= axis < arr.ndim:
        raise ParameterError(f"axis={axis} is out of range for data with {arr.ndim} dimension(s)")
    width, order = _check_delta_args(width, order, arr.shape[axis])
    moved = np.moveaxis(arr, axis, -1)
    x3 = moved.reshape(-1, moved.shape[-1], 1)
    out = _delta_time_axis1(x3, width, order).reshape(moved.shape)
    return np.moveaxis(out, -1, axis)


# --------------------------------------------------------------------------------------------
# cepstrum


def _cepstrum_fm(X_fm: np.ndarray, n_fft: int, n_ceps: int, amin: float) -> np.ndarray:
    import scipy.fft

    mag = _power_fm(X_fm, 1.0)
    np.maximum(mag, amin, out=mag)
    np.log(mag, out=mag)
    c = scipy.fft.irfft(mag, n=n_fft, axis=-1, workers=_workers())
    return np.ascontiguousarray(c[..., :n_ceps])


def cepstrum(
    y: Any,
    /,
    *,
    sr: float,
    n_ceps: int | None = 20,
    n_fft: int = 2048,
    hop_length: int = 512,
    win_length: int | None = None,
    window: Any = "hann",
    center: bool = True,
    pad_mode: PadMode = "constant",
    amin: float = 1e-10,
) -> tuple[np.ndarray, np.ndarray]:
    """Real cepstrum per frame: ``irfft(log(max(|STFT|, amin)))``, first ``n_ceps`` coefficients.

    Parameters
    ----------
    y : np.ndarray [shape=(..., n)]
        Real signal(s); float32 input gives float32 output, anything else float64.
    sr : float
        Sampling rate in Hz; it sets the quefrency axis only.
    n_ceps : int or None
        Number of coefficients kept, ``1 <= n_ceps <= n_fft`` (quefrencies ``0`` to
        ``(n_ceps - 1) / sr``); None keeps all ``n_fft`` of them.
    n_fft : int
        FFT length (frame length after zero-padding the window), as in :func:`stft`.
    hop_length : int
        Samples between frames.
    win_length : int, optional
        Window length, ``<= n_fft``; default ``n_fft``.
    window : str, tuple, callable or np.ndarray
        Analysis window, as in :func:`stft`.
    center : bool
        Pad ``n_fft // 2`` samples on both sides so frame ``t`` is centred at ``t * hop_length``.
    pad_mode : str
        ``np.pad`` mode for ``center=True``.
    amin : float
        Floor (``> 0``) on the magnitude before the natural log, so silent bins stay finite.

    Returns
    -------
    C : np.ndarray [shape=(..., n_ceps, n_frames)]
    quefrency : np.ndarray, seconds (``k / sr``)

    Examples
    --------
    >>> import numpy as np
    >>> from physiofeat.spectral import cepstrum
    >>> C, q = cepstrum(np.random.default_rng(1).standard_normal(2000), sr=1000, n_fft=128,
    ...                 hop_length=32, n_ceps=10)
    >>> C.shape, float(q[1])
    ((10, 63), 0.001)
    """
    sr = check_sr(sr)
    rows, batch = _as_rows(y)
    fp = FrameParams.resolve(n_fft, hop_length, win_length, center, pad_mode, n=rows.shape[-1])
    n_ceps = (
        fp.n_fft if n_ceps is None else check_int(n_ceps, "n_ceps", minimum=1, maximum=fp.n_fft)
    )
    amin = check_float(amin, "amin", minimum=0.0, strict_min=True)
    C = _cepstrum_fm(_stft_fm(rows, fp, window), fp.n_fft, n_ceps, amin)
    return _time_last(C, batch), np.arange(n_ceps) / sr


# --------------------------------------------------------------------------------------------
# spectral statistics


def _check_stat_args(roll_percent, p, amin) -> tuple[float, float, float]:
    roll_percent = check_float(roll_percent, "roll_percent")
    if not 0.0 < roll_percent < 1.0:  # librosa's rule
        raise ParameterError(f"roll_percent must lie in the open range (0, 1); got {roll_percent}")
    p = check_float(p, "p", minimum=0.0, strict_min=True)
    amin = check_float(amin, "amin", minimum=0.0, strict_min=True)
    return roll_percent, p, amin


def _stats_fm(S_fm: np.ndarray, freq: np.ndarray, roll_percent: float, p: float, amin: float):
    """The five statistics of a frame-major magnitude spectrogram, each ``(R, T)`` in
    ``S_fm``'s dtype (float32 in, float32 out, as the STFT, mel and MFCC); the kernel
    accumulates every sum in float64 and rounds once on storing."""
    R, T, _ = S_fm.shape
    outs = [np.empty((R, T), dtype=S_fm.dtype) for _ in range(5)]
    rp = S_fm.dtype.type(roll_percent)
    _pick(K.spectral_stats, K.spectral_stats_par, S_fm.size)(
        S_fm, np.ascontiguousarray(freq, dtype=np.float64), rp, float(p), float(amin), *outs
    )
    return dict(zip(("centroid", "bandwidth", "rolloff", "flatness", "entropy"), outs))


def _flux_fm(S_fm: np.ndarray) -> np.ndarray:
    """Spectral flux ``(R, T)`` in ``S_fm``'s dtype (summed in float64 by the kernel)."""
    out = np.empty(S_fm.shape[:2], dtype=S_fm.dtype)
    _pick(K.flux, K.flux_par, S_fm.size)(S_fm, out)
    return out


def _magnitude_input(y, S, sr, n_fft, hop_length, win_length, window, center, pad_mode):
    """Magnitude spectrogram, frame-major, from ``y`` or a given ``S``; plus batch and freqs."""
    sr = check_sr(sr)
    if S is not None:
        S_fm, batch = _frame_major(S)
        if (S_fm < 0).any():
            raise ParameterError("S must be a non-negative magnitude spectrogram")
        n_fft = _n_fft_of(S_fm, n_fft=n_fft)
    else:
        if y is None:
            raise ParameterError("pass the signal y or a magnitude spectrogram S")
        rows, batch = _as_rows(y)
        fp = FrameParams.resolve(n_fft, hop_length, win_length, center, pad_mode, n=rows.shape[-1])
        S_fm = _power_fm(_stft_fm(rows, fp, window), 1.0)
    return S_fm, batch, fft_frequencies(sr=sr, n_fft=n_fft)


def _spectral_stat(
    which,
    y,
    S,
    sr,
    n_fft,
    hop_length,
    win_length,
    window,
    center,
    pad_mode,
    roll_percent=ROLL_PERCENT,
    p=BANDWIDTH_P,
    amin=FLATNESS_AMIN,
):
    roll_percent, p, amin = _check_stat_args(roll_percent, p, amin)
    S_fm, batch, freq = _magnitude_input(
        y, S, sr, n_fft, hop_length, win_length, window, center, pad_mode
    )
    if which == "flux":
        out = _flux_fm(S_fm)
    else:
        out = _stats_fm(S_fm, freq, roll_percent, p, amin)[which]
    return out.reshape(batch + (S_fm.shape[1],))


_STAT_DOC = """
    Parameters
    ----------
    y : np.ndarray [shape=(..., n)], optional
        Signal(s); or give ``S``.
    sr : float
        Sampling rate in Hz.
    S : np.ndarray [shape=(..., 1 + n_fft // 2, n_frames)], optional
        Precomputed magnitude spectrogram, at least 2 frequency bins. Its bin frequencies are
        those of ``n_fft`` when ``1 + n_fft // 2`` matches its bin count (an odd ``n_fft``
        too), else of the even ``2 (bins - 1)``, as librosa reads them.
    n_fft, hop_length, win_length, window, center, pad_mode
        As :func:`stft` (``hop_length`` defaults to 512 as in librosa's features).

    Returns
    -------
    np.ndarray [shape=(..., n_frames)]
        In the input's float dtype: float32 for float32 ``y`` or ``S`` (as :func:`stft`,
        :func:`melspectrogram` and :func:`mfcc`; librosa does so for the flatness, but returns
        float64 centroid, bandwidth and rolloff), float64 otherwise. The sums are accumulated
        in float64 whatever that dtype.
"""


def spectral_centroid(
    y: Any = None,
    /,
    *,
    sr: float,
    S: Any = None,
    n_fft: int = 2048,
    hop_length: int = 512,
    win_length: int | None = None,
    window: Any = "hann",
    center: bool = True,
    pad_mode: PadMode = "constant",
) -> np.ndarray:
    """Magnitude-weighted mean frequency (Hz) per frame (``librosa.feature.spectral_centroid``).
    {doc}
    Examples
    --------
    >>> import numpy as np
    >>> from physiofeat.spectral import spectral_centroid
    >>> sr = 1000
    >>> c = spectral_centroid(np.sin(2 * np.pi * 250 * np.arange(sr) / sr), sr=sr, n_fft=64)
    >>> round(float(np.median(c)))
    250
    """
    return _spectral_stat(
        "centroid", y, S, sr, n_fft, hop_length, win_length, window, center, pad_mode
    )


def spectral_bandwidth(
    y: Any = None,
    /,
    *,
    sr: float,
    S: Any = None,
    n_fft: int = 2048,
    hop_length: int = 512,
    win_length: int | None = None,
    window: Any = "hann",
    center: bool = True,
    pad_mode: PadMode = "constant",
    p: float = BANDWIDTH_P,
) -> np.ndarray:
    """Order-``p`` spread (Hz) around the centroid (``librosa.feature.spectral_bandwidth``,
    ``norm=True``).
    {doc}
    Examples
    --------
    >>> import numpy as np
    >>> from physiofeat.spectral import spectral_bandwidth
    >>> x = np.random.default_rng(0).standard_normal(2000)
    >>> spectral_bandwidth(x, sr=1000, n_fft=64, hop_length=16).shape
    (126,)
    """
    return _spectral_stat(
        "bandwidth", y, S, sr, n_fft, hop_length, win_length, window, center, pad_mode, p=p
    )


def spectral_rolloff(
    y: Any = None,
    /,
    *,
    sr: float,
    S: Any = None,
    n_fft: int = 2048,
    hop_length: int = 512,
    win_length: int | None = None,
    window: Any = "hann",
    center: bool = True,
    pad_mode: PadMode = "constant",
    roll_percent: float = ROLL_PERCENT,
) -> np.ndarray:
    """Lowest bin frequency (Hz) below which ``roll_percent`` of the magnitude lies
    (``librosa.feature.spectral_rolloff``).
    {doc}
    Examples
    --------
    >>> import numpy as np
    >>> from physiofeat.spectral import spectral_rolloff
    >>> sr = 1000
    >>> x = np.sin(2 * np.pi * 125 * np.arange(sr) / sr)
    >>> r = spectral_rolloff(x, sr=sr, n_fft=64, hop_length=16)
    >>> float(np.median(r))
    140.625
    """
    return _spectral_stat(
        "rolloff",
        y,
        S,
        sr,
        n_fft,
        hop_length,
        win_length,
        window,
        center,
        pad_mode,
        roll_percent=roll_percent,
    )


def spectral_flatness(
    y: Any = None,
    /,
    *,
    sr: float,
    S: Any = None,
    n_fft: int = 2048,
    hop_length: int = 512,
    win_length: int | None = None,
    window: Any = "hann",
    center: bool = True,
    pad_mode: PadMode = "constant",
    amin: float = FLATNESS_AMIN,
) -> np.ndarray:
    """Geometric over arithmetic mean of the power spectrum (``librosa.feature.spectral_flatness``,
    ``power=2``): 1 only for an exactly flat spectrum, near 0 for a tone. For white noise it
    is about ``exp(-gamma) = 0.561`` (``gamma`` Euler's constant), not 1: the periodogram's
    bins are exponential variables, and the log of one has mean ``log(its mean) - gamma``.
    {doc}
    Examples
    --------
    >>> import numpy as np
    >>> from physiofeat.spectral import spectral_flatness
    >>> x = np.random.default_rng(0).standard_normal(20000)
    >>> 0.4 < float(np.median(spectral_flatness(x, sr=1000, n_fft=256))) < 0.7
    True
    """
    return _spectral_stat(
        "flatness", y, S, sr, n_fft, hop_length, win_length, window, center, pad_mode, amin=amin
    )


def spectral_entropy(
    y: Any = None,
    /,
    *,
    sr: float,
    S: Any = None,
    n_fft: int = 2048,
    hop_length: int = 512,
    win_length: int | None = None,
    window: Any = "hann",
    center: bool = True,
    pad_mode: PadMode = "constant",
) -> np.ndarray:
    """Shannon entropy of the per-frame normalised power spectrum, divided by ``log(n_bins)``
    (0 for a single bin, 1 for a flat spectrum; 0 for a silent frame).
    {doc}
    Examples
    --------
    >>> import numpy as np
    >>> from physiofeat.spectral import spectral_entropy
    >>> h = spectral_entropy(np.random.default_rng(0).standard_normal(20000), sr=1000, n_fft=256)
    >>> 0.8 < float(np.median(h)) < 1.0
    True
    """
    return _spectral_stat(
        "entropy", y, S, sr, n_fft, hop_length, win_length, window, center, pad_mode
    )


def spectral_flux(
    y: Any = None,
    /,
    *,
    sr: float,
    S: Any = None,
    n_fft: int = 2048,
    hop_length: int = 512,
    win_length: int | None = None,
    window: Any = "hann",
    center: bool = True,
    pad_mode: PadMode = "constant",
) -> np.ndarray:
    """L2 norm of the frame-to-frame change of the magnitude spectrum (0 for the first frame).
    {doc}
    Examples
    --------
    >>> import numpy as np
    >>> from physiofeat.spectral import spectral_flux
    >>> float(spectral_flux(np.ones(4000), sr=1000, n_fft=64, center=False).max())
    0.0
    """
    return _spectral_stat("flux", y, S, sr, n_fft, hop_length, win_length, window, center, pad_mode)


for _f in (
    spectral_centroid,
    spectral_bandwidth,
    spectral_rolloff,
    spectral_flatness,
    spectral_entropy,
    spectral_flux,
):
    _f.__doc__ = _f.__doc__.replace("{doc}", _STAT_DOC)


# --------------------------------------------------------------------------------------------
# framed time-domain features


def _framed_rows(y, frame_length, hop_length, center, pad_mode):
    rows, batch = _as_rows(y)
    fp = FrameParams.resolve(
        frame_length, hop_length, None, center, pad_mode, n=rows.shape[-1], name="frame_length"
    )
    _check_length(rows, fp, pad_mode, name="frame_length")
    if fp.center:
        pad = fp.n_fft // 2
        rows = np.pad(rows, ((0, 0), (pad, pad)), mode=pad_mode)
    T = 1 + (rows.shape[-1] - fp.n_fft) // fp.hop_length
    return np.ascontiguousarray(rows), batch, fp, T


def zero_crossing_rate(
    y: Any,
    /,
    *,
    frame_length: int = 2048,
    hop_length: int = 512,
    center: bool = True,
    threshold: float = 1e-10,
) -> np.ndarray:
    """Fraction of sign changes per frame (``librosa.feature.zero_crossing_rate``).

    Values with ``|y| <= threshold`` count as zero, and zero counts as positive; with
    ``center=True`` the signal is edge-padded by ``frame_length // 2``.

    Returns
    -------
    np.ndarray [shape=(..., n_frames)]

    Examples
    --------
    >>> import numpy as np
    >>> from physiofeat.spectral import zero_crossing_rate
    >>> zero_crossing_rate(np.tile([1.0, -1.0], 100), frame_length=10, hop_length=10,
    ...                    center=False)[:3]
    array([0.9, 0.9, 0.9])
    """
    threshold = check_float(threshold, "threshold", minimum=0.0)
    rows, batch, fp, T = _framed_rows(y, frame_length, hop_length, center, "edge")
    out = np.empty((rows.shape[0], T), dtype=rows.dtype)
    _pick(K.zcr, K.zcr_par, rows.size)(rows, fp.n_fft, fp.hop_length, threshold, out)
    return out.reshape(batch + (T,))


def rms(
    y: Any,
    /,
    *,
    frame_length: int = 2048,
    hop_length: int = 512,
    center: bool = True,
    pad_mode: PadMode = "constant",
) -> np.ndarray:
    """Root-mean-square per frame (``librosa.feature.rms`` from ``y``).

    Returns
    -------
    np.ndarray [shape=(..., n_frames)]

    Examples
    --------
    >>> import numpy as np
    >>> from physiofeat.spectral import rms
    >>> rms(np.full(100, 3.0), frame_length=10, hop_length=10, center=False)[:2]
    array([3., 3.])
    """
    rows, batch, fp, T = _framed_rows(y, frame_length, hop_length, center, pad_mode)
    out = np.empty((rows.shape[0], T), dtype=rows.dtype)
    _pick(K.rms, K.rms_par, rows.size)(rows, fp.n_fft, fp.hop_length, out)
    return out.reshape(batch + (T,))
