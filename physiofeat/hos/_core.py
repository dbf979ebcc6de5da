"""Direct (FFT, segment-averaged) bispectrum and bicoherence, and scalar features from them.

Estimator
---------
The signal is cut into segments of ``n_fft`` samples every ``hop_length`` samples (default
``n_fft // 2``: 50 % overlap; no padding, a trailing partial segment is dropped). Each segment is
detrended (``detrend``), multiplied by ``window`` and transformed with a batched
``scipy.fft.rfft``, giving ``X_m(k)``, ``k = 0 .. n_fft // 2``. Then

    B(k1, k2) = 1/M sum_m X_m(k1) X_m(k2) conj(X_m(k1 + k2))

(the direct estimator, Nikias & Raghuveer 1987; the same triple product as PyBispectra's
``Bispectrum`` with ``f1`` and ``f2`` swapped) and the squared bicoherence (Y. C. Kim and
E. J. Powers, IEEE Trans. Plasma Sci. 7 (1979) 120-131)

    b^2(k1, k2) = |sum_m X_m(k1) X_m(k2) conj(X_m(k1 + k2))|^2
                  / (sum_m |X_m(k1) X_m(k2)|^2 * sum_m |X_m(k1 + k2)|^2),

which lies in [0, 1] by the Cauchy-Schwarz inequality (0 where the denominator is 0). It is 1
for perfect quadratic phase coupling and about ``1 / M`` for independent phases. (Other
normalisations exist, e.g. Hagihira's "real triple product" ``P(f1) P(f2) P(f1 + f2)``, which is
not bounded by 1; this one is.)

Principal domain
----------------
For a real signal ``B(k1, k2) = B(k2, k1) = conj(B(-k1, -k2)) = B(k1, -k1 - k2)``, so the
bispectrum of a band-limited (non-aliased) signal is fully described by the triangle

    0 <= f2 <= f1,   f1 + f2 <= sr / 2.

Only that triangle is computed. The default output has shape ``(..., n_fft // 2 + 1,
n_fft // 4 + 1)`` (``f1`` rows from 0 to ``sr / 2``, ``f2`` columns from 0 to ``sr / 4``),
NaN outside the triangle. ``full=True`` returns the square ``(..., n_fft // 2 + 1, n_fft // 2 + 1)``
non-negative quadrant with the mirror half ``f2 > f1`` filled by symmetry
(``B(f1, f2) = B(f2, f1)``; the bicoherence has the same symmetry) and NaN where
``f1 + f2 > sr / 2``. (The "outer triangle" of the discrete-time principal domain, which only
aliased power populates, is not computed.)
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any, Literal

import numpy as np
import scipy.fft

from .._errors import InvalidSignalError, ParameterError
from .._validation import (
    as_signal,
    check_bool,
    check_choice,
    check_int,
    check_sr,
    check_workers,
    real_array,
)
from ..spectral._core import SpectralWarning, check_named_window, get_window
from . import _kernels

__all__ = [
    "bispectrum",
    "bicoherence",
    "bispectrum_frequencies",
    "bispectral_features",
    "FEATURE_NAMES",
]

Detrend = Literal["constant", "linear"] | None

#: Names of the scalar features of :func:`bispectral_features`, in order.
FEATURE_NAMES: tuple[str, ...] = (
    "entropy",
    "squared_entropy",
    "sum_log_amplitude",
    "sum_log_diagonal",
    "moment_log_diagonal",
    "wcob_f1",
    "wcob_f2",
    "peak_f1",
    "peak_f2",
    "peak_value",
    "mean_magnitude",
)


# ---------------------------------------------------------------------------------------------
# validation and segment spectra


def _check_segments(n_fft: Any, hop_length: Any) -> tuple[int, int]:
    """``(n_fft, hop_length)`` checked, the hop defaulting to ``n_fft // 2`` (no signal needed)."""
    n_fft = check_int(n_fft, "n_fft", minimum=4)
    hop_length = check_int(hop_length, "hop_length", minimum=1, allow_none=True)
    return n_fft, (n_fft // 2 if hop_length is None else hop_length)


def _check_framing(n: int, n_fft: Any, hop_length: Any) -> tuple[int, int]:
    n_fft, hop_length = _check_segments(n_fft, hop_length)
    if n_fft > n:
        raise InvalidSignalError(
            f"x has {n} samples, shorter than one segment of n_fft={n_fft}; pass a smaller "
            f"n_fft (at most {n}) or a longer signal"
        )
    return n_fft, hop_length


def _get_window(window: Any, n_fft: int, dtype: np.dtype) -> np.ndarray:
    if isinstance(window, (str, tuple)):
        # the spectral family's window cache: built-in cosine windows without importing
        # scipy.signal (0.5 s), anything else through scipy.signal.get_window
        return get_window(window, n_fft, n_fft, dtype=dtype)
    what = "window as an array must hold"
    if callable(window):  # as the spectral family (and librosa): window(n_fft) gives the values
        what = f"window {getattr(window, '__name__', repr(window))}(n_fft) must return"
        window = window(n_fft)
    try:
        w = np.asarray(window, dtype=np.float64)
    except (ValueError, TypeError) as exc:
        raise ParameterError(f"{what} n_fft={n_fft} finite values ({exc})") from None
    if w.shape != (n_fft,) or not np.isfinite(w).all():
        n_bad = "" if w.shape != (n_fft,) else f" with {int((~np.isfinite(w)).sum())} NaN or inf"
        raise ParameterError(f"{what} n_fft={n_fft} finite values; got shape {w.shape}{n_bad}")
    return w.astype(dtype)


def _check_detrend(detrend: Any) -> Detrend:
    """``detrend`` checked; False means None."""
    check_choice(detrend, "detrend", ("constant", "linear", None, False))
    return None if detrend is False else detrend


def _check_window(window: Any, n_fft: int) -> None:
    """A named window must be buildable (checked small when it can be: see
    :func:`~physiofeat.spectral._core.check_named_window`); an array must hold ``n_fft`` finite
    values. A callable is checked when it is called, in compute (as in the spectral family: it
    is not called at full size twice)."""
    if isinstance(window, (str, tuple)):
        check_named_window(window, n_fft, n_fft)
    elif not callable(window):
        _get_window(window, n_fft, np.dtype(np.float64))


def _segment_spectra(
    rows: np.ndarray,
    n_fft: int,
    hop_length: int,
    window: Any,
    detrend: Detrend,
    workers: int | None,
) -> np.ndarray:
    """``X[row, segment, bin]``: rfft of detrended, windowed segments of each row."""
    w = _get_window(window, n_fft, rows.dtype)
    seg = np.lib.stride_tricks.sliding_window_view(rows, n_fft, axis=-1)[:, ::hop_length, :]
    if detrend == "constant":
        seg = seg - seg.mean(axis=-1, keepdims=True)
    elif detrend == "linear":  # least-squares line: project out 1 and the centred ramp
        tc = np.arange(n_fft, dtype=rows.dtype) - (n_fft - 1) / 2
        seg = seg - seg.mean(axis=-1, keepdims=True)
        seg = seg - (seg @ tc / (tc @ tc))[..., None] * tc
    seg = seg * w
    X = scipy.fft.rfft(seg, axis=-1, workers=workers)
    if detrend != "none":
        # the DC bin of a detrended segment under a flat window is 0 in exact arithmetic but
        # comes out as round-off, and its bicoherence cells as 0/0 noise (0.19 where the docs
        # promise 0): below the FFT's error bound (eps sqrt(n) log2(n) |segment|) it is 0
        eps = np.finfo(seg.dtype).eps
        norm = np.sqrt(np.einsum("...i,...i->...", seg, seg))
        dc = X[..., 0]
        dc[np.abs(dc) <= eps * np.sqrt(n_fft) * max(1.0, np.log2(n_fft)) * norm] = 0
    return X


def _prepare(x, sr, n_fft, hop_length, window, detrend, workers):
    check_sr(sr)
    workers = check_workers(workers)
    x = as_signal(x, ndim=(1, 2, 3))
    detrend = _check_detrend(detrend)
    n_fft, hop_length = _check_framing(x.shape[-1], n_fft, hop_length)
    rows = x.reshape(-1, x.shape[-1])
    X = _segment_spectra(rows, n_fft, hop_length, window, detrend, workers)
    return x.shape[:-1], n_fft, np.ascontiguousarray(X)


def _warn_one_segment(n: int, n_fft: int, hop_length: int, n_segments: int) -> None:
    """Warn (:class:`~physiofeat.spectral.SpectralWarning`) when the bicoherence comes from a
    single segment: it is then 1 wherever it is defined, whatever the signal."""
    if n_segments > 1:
        return
    fix = (
        f"hop_length <= {n - n_fft} (now {hop_length}), a smaller n_fft or a longer signal"
        if n > n_fft
        else f"a smaller n_fft (now {n_fft}, the whole signal) or a longer signal"
    )
    warnings.warn(
        f"bicoherence from a single segment (x has {n} samples, n_fft={n_fft}, "
        f"hop_length={hop_length}) is 1 by construction wherever it is defined, and tells "
        "nothing about phase coupling: it needs at least 2 segments (independent phases then "
        f"give about 1 / n_segments; tens of segments separate coupling from chance); use {fix}",
        SpectralWarning,
        stacklevel=3,
    )


def _spectra_to_bispectrum(X: np.ndarray, n_fft: int) -> np.ndarray:
    R, _, K = X.shape
    out = np.empty((R, K, n_fft // 4 + 1), dtype=X.dtype)
    _kernels.bispectrum_kernel(X, out)
    return out


def _spectra_to_bicoherence(X: np.ndarray, n_fft: int) -> tuple[np.ndarray, np.ndarray]:
    R, _, K = X.shape
    p3 = np.einsum("rmk,rmk->rk", X.real, X.real) + np.einsum("rmk,rmk->rk", X.imag, X.imag)
    p3 = p3.astype(np.float64)
    bis = np.empty((R, K, n_fft // 4 + 1), dtype=X.dtype)
    bic = np.empty((R, K, n_fft // 4 + 1), dtype=X.real.dtype)
    _kernels.bicoherence_kernel(X, p3, bis, bic)
    return bis, bic


def _to_full(a: np.ndarray) -> np.ndarray:
    """Principal-domain ``(..., K, K2)`` -> non-negative quadrant ``(..., K, K)`` by symmetry."""
    K = a.shape[-2]
    i, j = np.meshgrid(np.arange(K), np.arange(K), indexing="ij")
    lo, hi = np.maximum(i, j), np.minimum(i, j)
    inside = i + j <= K - 1
    out = a[..., lo * inside, hi * inside]
    out[..., ~inside] = np.nan
    return out


# ---------------------------------------------------------------------------------------------
# public functions


def bispectrum_frequencies(*, sr: float, n_fft: int = 256, full: bool = False):
    """Frequency axes (Hz) of :func:`bispectrum` / :func:`bicoherence` output.

    Parameters
    ----------
    sr : float
        Sampling rate in Hz.
    n_fft : int
        Segment (FFT) length.
    full : bool
        As in :func:`bispectrum`.

    Returns
    -------
    f1 : np.ndarray [shape=(n_fft // 2 + 1,)]
        Row frequencies, 0 to ``sr / 2``.
    f2 : np.ndarray [shape=(n_fft // 4 + 1,) or (n_fft // 2 + 1,) if full]
        Column frequencies, 0 to ``sr / 4`` (``sr / 2`` if ``full``).

    Examples
    --------
    >>> from physiofeat.hos import bispectrum_frequencies
    >>> f1, f2 = bispectrum_frequencies(sr=1000, n_fft=8)
    >>> f1, f2
    (array([  0., 125., 250., 375., 500.]), array([  0., 125., 250.]))
    """
    sr = check_sr(sr)
    n_fft = check_int(n_fft, "n_fft", minimum=4)
    f = np.arange(n_fft // 2 + 1) * (sr / n_fft)
    return f, (f if check_bool(full, "full") else f[: n_fft // 4 + 1])


def bispectrum(
    x: Any,
    *,
    sr: float,
    n_fft: int = 256,
    hop_length: int | None = None,
    window: str | tuple | np.ndarray | Callable = "hann",
    detrend: Detrend = "constant",
    full: bool = False,
    workers: int | None = None,
) -> np.ndarray:
    """Direct (segment-averaged FFT) bispectrum on its principal domain.

    ``B(f1, f2) = mean over segments of X(f1) X(f2) conj(X(f1 + f2))``, computed only on the
    triangle ``0 <= f2 <= f1, f1 + f2 <= sr / 2`` by a parallel Numba kernel (see the module
    notes of :mod:`physiofeat.hos` for the estimator and the symmetry).

    Parameters
    ----------
    x : np.ndarray [shape=(..., n)]
        Real signal(s); leading axes are a batch.
    sr : float
        Sampling rate in Hz (sets the frequency axes, :func:`bispectrum_frequencies`).
    n_fft : int
        Segment length = FFT length (>= 4, <= n).
    hop_length : int or None
        Samples between segment starts; None gives ``n_fft // 2`` (50 % overlap).
    window : str, tuple, np.ndarray or callable
        A :func:`scipy.signal.get_window` spec (periodic), ``n_fft`` finite window values, or a
        callable ``window(n_fft)`` returning them (e.g. ``np.hanning``), as in
        :func:`physiofeat.spectral.stft`.
    detrend : {'constant', 'linear', None}
        Per-segment detrending before windowing.
    full : bool
        Return the non-negative quadrant ``(f1, f2) in [0, sr/2]^2`` with the mirror half filled
        by symmetry (NaN where ``f1 + f2 > sr / 2``) instead of the principal domain only.
    workers : int or None
        ``scipy.fft`` threads: None (its default), a positive count, or a negative one counting
        back from the cores (-1 = all); 0 is refused.

    Returns
    -------
    B : np.ndarray [shape=(..., n_fft // 2 + 1, n_fft // 4 + 1) or (..., n_fft // 2 + 1, n_fft // 2 + 1)]
        Complex bispectrum (complex64 for float32 input, else complex128), ``B[..., i, j]`` at
        ``f1 = i sr / n_fft``, ``f2 = j sr / n_fft``; NaN outside the computed domain.

    Raises
    ------
    InvalidSignalError
        If the signal is shorter than ``n_fft``, empty or non-finite.
    ParameterError
        For a bad ``sr``, ``n_fft``, ``hop_length``, ``window``, ``detrend`` or ``workers``.

    Examples
    --------
    >>> import numpy as np
    >>> from physiofeat.hos import bispectrum
    >>> rng = np.random.default_rng(0)
    >>> B = bispectrum(rng.standard_normal(4000), sr=1000, n_fft=64)
    >>> B.shape, B.dtype
    ((33, 17), dtype('complex128'))
    >>> bool(np.isnan(B[1, 2])), bool(np.isnan(B[2, 1]))
    (True, False)
    """
    batch, n_fft, X = _prepare(x, sr, n_fft, hop_length, window, detrend, workers)
    B = _spectra_to_bispectrum(X, n_fft)
    B = B.reshape(batch + B.shape[1:])
    return _to_full(B) if check_bool(full, "full") else B


def bicoherence(
    x: Any,
    *,
    sr: float,
    n_fft: int = 256,
    hop_length: int | None = None,
    window: str | tuple | np.ndarray | Callable = "hann",
    detrend: Detrend = "constant",
    full: bool = False,
    workers: int | None = None,
) -> np.ndarray:
    """Squared bicoherence (Kim & Powers 1979) on the bispectrum's principal domain.

    ``b2(f1, f2) = |sum_m X1 X2 X3*|^2 / (sum_m |X1 X2|^2 * sum_m |X3|^2)`` with
    ``X1 = X_m(f1), X2 = X_m(f2), X3 = X_m(f1 + f2)`` over segments ``m``: 1 for perfect
    quadratic phase coupling, about ``1 / n_segments`` for independent phases; in [0, 1]
    (0 where the denominator is 0). Take ``np.sqrt`` for the (unsquared) bicoherence.
    Same segmentation, parameters and domain as :func:`bispectrum`.

    With a single segment (``n_fft == n``, or ``hop_length > n - n_fft``) the ratio is 1 by
    construction wherever the denominator is not 0, whatever the signal: a
    :class:`~physiofeat.spectral.SpectralWarning` says so. At least 2 segments are needed, and
    tens to tell coupling from the ``1 / n_segments`` of independent phases.

    Parameters
    ----------
    x : np.ndarray [shape=(..., n)]
        Real signal(s).
    sr, n_fft, hop_length, window, detrend, full, workers
        As in :func:`bispectrum`.

    Returns
    -------
    b2 : np.ndarray [shape=(..., n_fft // 2 + 1, n_fft // 4 + 1) or (..., n_fft // 2 + 1, n_fft // 2 + 1)]
        Real, float32 for float32 input; NaN outside the computed domain.

    Warns
    -----
    SpectralWarning
        When there is a single segment (the result is then 1 by construction).

    Examples
    --------
    >>> import numpy as np
    >>> from physiofeat.hos import bicoherence
    >>> sr, n_fft = 1000, 64
    >>> rng = np.random.default_rng(1)
    >>> t = np.arange(n_fft) / sr
    >>> segs = []
    >>> for _ in range(50):   # 125 + 250 -> 375 Hz, phases coupled in every segment
    ...     p1, p2 = rng.uniform(0, 2 * np.pi, 2)
    ...     segs.append(np.cos(2 * np.pi * 125 * t + p1) + np.cos(2 * np.pi * 250 * t + p2)
    ...                 + np.cos(2 * np.pi * 375 * t + p1 + p2))
    >>> x = np.concatenate(segs) + 0.1 * rng.standard_normal(50 * n_fft)
    >>> b2 = bicoherence(x, sr=sr, n_fft=n_fft, hop_length=n_fft, window="boxcar")
    >>> i, j = np.unravel_index(np.nanargmax(b2), b2.shape)
    >>> float(i * sr / n_fft), float(j * sr / n_fft), bool(b2[i, j] > 0.9)
    (250.0, 125.0, True)
    """
    batch, n_fft, X = _prepare(x, sr, n_fft, hop_length, window, detrend, workers)
    n = np.shape(x)[-1]
    _warn_one_segment(n, n_fft, _check_segments(n_fft, hop_length)[1], X.shape[1])
    _, b2 = _spectra_to_bicoherence(X, n_fft)
    b2 = b2.reshape(batch + b2.shape[1:])
    return _to_full(b2) if check_bool(full, "full") else b2


# ---------------------------------------------------------------------------------------------
# scalar features (Chua et al. 2010)


def _domain_indices(K: int, K2: int, *, skip_dc: bool = True):
    i, j = np.meshgrid(np.arange(K), np.arange(K2), indexing="ij")
    ok = (j <= i) & (i + j <= K - 1) & (j >= (1 if skip_dc else 0))
    return i[ok], j[ok]


def _check_scalar_inputs(mag, f1, f2):
    """:func:`scalar_features`' inputs checked: ``mag`` as float64 ``(..., n_f1, n_f2)``, ``f1``
    and ``f2`` as float64 of lengths ``n_f1`` and ``n_f2``, and the principal-domain indices."""
    mag = real_array(mag, "mag", "of shape (..., n_f1, n_f2)")
    if mag.ndim < 2:
        raise InvalidSignalError(
            f"mag must have shape (..., n_f1, n_f2) (the principal domain, as bispectrum lays it "
            f"out); got {mag.ndim}-D array of shape {mag.shape}"
        )
    mag = mag.astype(np.float64, copy=False)
    K, K2 = mag.shape[-2:]
    freqs = []
    for name, f, n in (("f1", f1, K), ("f2", f2, K2)):
        try:
            arr = np.asarray(f, dtype=np.float64)
        except (TypeError, ValueError):
            raise ParameterError(
                f"{name} must be a 1-D sequence of frequencies in Hz; got {f!r}"
            ) from None
        if arr.ndim != 1 or arr.shape[0] != n:
            raise ParameterError(
                f"{name} must be a 1-D sequence of {n} frequencies (one per "
                f"{'row' if name == 'f1' else 'column'} of mag, shape {mag.shape}); got shape "
                f"{arr.shape} (bispectrum_frequencies gives both)"
            )
        freqs.append(arr)
    ii, jj = _domain_indices(K, K2)
    if ii.size == 0:
        raise InvalidSignalError(
            f"mag of shape {mag.shape} has no bin in the principal domain 0 < f2 <= f1, "
            f"f1 + f2 <= sr / 2: at least 3 rows (f1) and 2 columns (f2) are needed (a "
            f"bispectrum with n_fft >= 4)"
        )
    return mag, freqs[0], freqs[1], ii, jj


def scalar_features(
    mag: np.ndarray, f1: Sequence[float], f2: Sequence[float]
) -> tuple[tuple[str, ...], np.ndarray]:
    """Scalar features of a non-negative principal-domain array ``mag[..., i, j]``.

    The region ``Omega`` is the principal domain without the ``f2 = 0`` line (the DC terms,
    which carry the segment means, not coupling): ``0 < f2 <= f1, f1 + f2 <= sr / 2``. With
    ``p = mag / sum_Omega mag`` and ``q = mag^2 / sum_Omega mag^2`` (Chua et al. 2010):

    - ``entropy`` P1 = -sum p ln p (normalised bispectral entropy), ``squared_entropy``
      P2 = -sum q ln q (0 ln 0 = 0; NaN when ``mag`` is 0 on all of Omega);
    - ``sum_log_amplitude`` H1 = sum_Omega ln mag; ``sum_log_diagonal`` H2 = sum_k ln mag(k, k);
      ``moment_log_diagonal`` H3 = sum_k k ln mag(k, k) over diagonal bins ``k >= 1``
      (NaN, not ``-inf``, if an amplitude in the sum is exactly 0: a constant or silent
      segment has no defined log-amplitude, and a feature table must stay finite or NaN);
    - ``wcob_f1``, ``wcob_f2``: weighted centre of bispectrum, sum f mag / sum mag, in Hz;
    - ``peak_f1``, ``peak_f2``, ``peak_value``: location (Hz) and value of the maximum (the
      location is NaN when ``mag`` is 0 on all of Omega: there is no peak);
    - ``mean_magnitude``: mean of ``mag`` over Omega.

    Parameters
    ----------
    mag : np.ndarray [shape=(..., n_f1, n_f2)]
        ``|B|`` or the bicoherence on the principal domain (as :func:`bispectrum` lays it out;
        ``n_f1 >= 3``, ``n_f2 >= 2``): real, non-negative and finite on Omega, where a NaN
        marks a missing value and makes the features it enters NaN; values outside Omega
        (NaN in :func:`bispectrum`'s layout) are not read.
    f1, f2 : array-like [shape=(n_f1,), (n_f2,)]
        Their frequencies in Hz (:func:`bispectrum_frequencies`).

    Returns
    -------
    names : tuple of str
        :data:`FEATURE_NAMES`.
    values : np.ndarray [shape=(..., 11)]
        float64.

    Examples
    --------
    >>> import numpy as np
    >>> from physiofeat.hos import bispectrum_frequencies, scalar_features
    >>> f1, f2 = bispectrum_frequencies(sr=8, n_fft=8)  # Omega: (1,1), (2,1), (3,1), (2,2)
    >>> mag = np.zeros((5, 3))
    >>> mag[1, 1], mag[2, 1], mag[3, 1], mag[2, 2] = 1.0, 1.0, 1.0, 5.0
    >>> d = dict(zip(*scalar_features(mag, f1, f2)))
    >>> float(d["peak_f1"]), float(d["peak_f2"]), float(d["peak_value"]), float(d["mean_magnitude"])
    (2.0, 2.0, 5.0, 2.0)
    >>> round(float(d["wcob_f1"]), 3), round(float(d["entropy"]), 3)
    (2.0, 1.074)
    """
    mag, f1, f2, ii, jj = _check_scalar_inputs(mag, f1, f2)
    v = mag[..., ii, jj]  # (..., L)
    if np.any(v < 0) or np.isinf(v).any():
        bad = "negative" if np.any(v < 0) else "infinite"
        raise InvalidSignalError(
            f"mag must be non-negative and finite on the principal domain (|B| or the "
            f"bicoherence; NaN marks a missing value); got {bad} values there. Pass np.abs(B)"
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        s1 = v.sum(axis=-1, keepdims=True)
        s2 = (v * v).sum(axis=-1, keepdims=True)
        p = v / s1
        q = v * v / s2
        p1 = -np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0).sum(axis=-1)
        p2 = -np.where(q > 0, q * np.log(np.where(q > 0, q, 1.0)), 0.0).sum(axis=-1)
        p1 = np.where(s1[..., 0] > 0, p1, np.nan)
        p2 = np.where(s2[..., 0] > 0, p2, np.nan)
        logv = np.log(v)
        logv[logv == -np.inf] = np.nan  # ln 0: undefined, not -inf (see above)
        h1 = logv.sum(axis=-1)
        diag = ii == jj
        kd = ii[diag].astype(np.float64)
        h2 = logv[..., diag].sum(axis=-1)
        h3 = (kd * logv[..., diag]).sum(axis=-1)
        w1 = (v * f1[ii]).sum(axis=-1) / s1[..., 0]
        w2 = (v * f2[jj]).sum(axis=-1) / s1[..., 0]
    arg = np.argmax(v, axis=-1)
    peak = np.take_along_axis(v, arg[..., None], axis=-1)[..., 0]
    pf1 = np.where(peak > 0, f1[ii][arg], np.nan)
    pf2 = np.where(peak > 0, f2[jj][arg], np.nan)
    mean = v.mean(axis=-1)
    out = np.stack([p1, p2, h1, h2, h3, w1, w2, pf1, pf2, peak, mean], axis=-1)
    return FEATURE_NAMES, out


def bispectral_features(
    x: Any,
    *,
    sr: float,
    kind: Literal["bispectrum", "bicoherence"] = "bispectrum",
    n_fft: int = 256,
    hop_length: int | None = None,
    window: str | tuple | np.ndarray | Callable = "hann",
    detrend: Detrend = "constant",
    workers: int | None = None,
) -> dict[str, np.ndarray]:
    """Scalar higher-order-spectra features (Chua et al. 2010) of a signal.

    Computed from ``|B|`` (``kind='bispectrum'``) or the squared bicoherence
    (``kind='bicoherence'``) over the principal domain without the ``f2 = 0`` line; see
    :func:`physiofeat.hos.scalar_features` for each definition. Reference: K. C. Chua,
    V. Chandran, U. R. Acharya, C. M. Lim, "Application of higher order statistics/spectra in
    biomedical signals - A review", Medical Engineering & Physics 32 (2010) 679-689.

    Parameters
    ----------
    x : np.ndarray [shape=(..., n)]
        Real signal(s).
    sr : float
        Sampling rate in Hz.
    kind : {'bispectrum', 'bicoherence'}
        Which array the features summarise.
    n_fft, hop_length, window, detrend, workers
        As in :func:`bispectrum`.

    Returns
    -------
    dict of str -> np.ndarray [shape=(...)]
        One entry per name of :data:`FEATURE_NAMES`.

    Examples
    --------
    >>> import numpy as np
    >>> from physiofeat.hos import bispectral_features
    >>> x = np.random.default_rng(0).standard_normal(4000)
    >>> feats = bispectral_features(x, sr=1000, n_fft=64)
    >>> list(feats)[:3]
    ['entropy', 'squared_entropy', 'sum_log_amplitude']
    >>> bool(0 < feats["wcob_f1"] < 500), feats["peak_value"].shape
    (True, ())
    """
    check_choice(kind, "kind", ("bispectrum", "bicoherence"))
    func = bispectrum if kind == "bispectrum" else bicoherence
    a = func(
        x,
        sr=sr,
        n_fft=n_fft,
        hop_length=hop_length,
        window=window,
        detrend=detrend,
        workers=workers,
    )
    mag = np.abs(a) if kind == "bispectrum" else a
    f1, f2 = bispectrum_frequencies(sr=sr, n_fft=n_fft)
    names, vals = scalar_features(mag, f1, f2)
    return {n: vals[..., k] for k, n in enumerate(names)}
