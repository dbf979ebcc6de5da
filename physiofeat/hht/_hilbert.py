"""Hilbert analysis of IMFs: instantaneous amplitude, phase and frequency, the Hilbert spectrum,
the marginal spectrum and per-IMF summary features."""

from __future__ import annotations

from typing import Literal, NamedTuple

import numpy as np
import scipy.fft

from .._errors import InvalidSignalError, ParameterError
from .._validation import as_signal, check_choice, check_float, check_int, check_sr, check_workers
from .._validation import check_array_size as _check_array_size
from . import _kernels
from ._emd import EMDResult

__all__ = [
    "Instantaneous",
    "instantaneous",
    "hilbert_spectrum",
    "marginal_spectrum",
    "imf_features",
]


class Instantaneous(NamedTuple):
    """Instantaneous amplitude, phase (radians, wrapped to (-pi, pi]) and frequency (Hz)."""

    amplitude: np.ndarray
    phase: np.ndarray
    frequency: np.ndarray


def _imfs(imfs) -> np.ndarray:
    if isinstance(imfs, EMDResult):  # hilbert_spectrum(emd(x), ...) means its IMFs
        imfs = imfs.imfs
    if isinstance(imfs, np.ndarray) and imfs.ndim in (2, 3) and imfs.shape[-2] == 0:
        # no IMF at all (``emd`` of a constant or monotonic signal): an empty stack
        if imfs.dtype.kind not in "fiub" or 0 in imfs.shape[:-2]:
            as_signal(imfs, name="imfs", ndim=(2, 3))  # raises the usual message
        arr = np.zeros(imfs.shape)
    else:
        arr = as_signal(imfs, name="imfs", ndim=(1, 2, 3), dtype=np.float64)
    if arr.shape[-1] < 3:
        raise InvalidSignalError(
            f"imfs have {arr.shape[-1]} samples; instantaneous frequency needs at least 3"
        )
    return arr


def _analytic(x: np.ndarray, workers: int | None) -> np.ndarray:
    """Analytic signal along the last axis (scipy.signal.hilbert's FFT method, via rfft)."""
    workers = check_workers(workers)
    n = x.shape[-1]
    X = scipy.fft.rfft(x, axis=-1, workers=workers)
    Z = np.zeros(x.shape[:-1] + (n,), dtype=np.complex128)
    half = (n + 1) // 2
    Z[..., 0] = X[..., 0]
    Z[..., 1:half] = 2.0 * X[..., 1:half]
    if n % 2 == 0:
        Z[..., n // 2] = X[..., n // 2]
    return scipy.fft.ifft(Z, axis=-1, workers=workers, overwrite_x=True)


def instantaneous(imfs, *, sr: float, workers: int | None = None) -> Instantaneous:
    """Instantaneous amplitude, phase and frequency of each IMF from its analytic signal.

    Parameters
    ----------
    imfs : np.ndarray [shape=(..., n_imfs, n)] or EMDResult
        IMFs (any leading shape; each row is transformed on its own), or what :func:`emd`,
        :func:`eemd` or :func:`ceemdan` returned (its ``.imfs``). ``n_imfs`` may be 0
        (``emd`` of a constant or monotonic signal): the results are then empty, shaped alike.
    sr : float
        Sampling rate in Hz.
    workers : int, optional
        Threads of ``scipy.fft``.

    Returns
    -------
    Instantaneous
        ``amplitude = |z|``, ``phase = angle(z)``, and ``frequency`` in Hz, each shaped like
        ``imfs``. The frequency is the derivative of the unwrapped phase by a 3-point central
        difference (a first-order Savitzky-Golay derivative; at the two ends the 3-point line fit),
        the ``emd`` package's default (``frequency_transform(..., 'hilbert', smooth_freq=3)``
        without its phase smoothing).

    Examples
    --------
    >>> import numpy as np
    >>> from physiofeat.hht import instantaneous
    >>> sr = 1000
    >>> x = np.cos(2 * np.pi * 50 * np.arange(1000) / sr)
    >>> ins = instantaneous(x, sr=sr)
    >>> round(float(np.median(ins.frequency)), 3), round(float(np.median(ins.amplitude)), 3)
    (50.0, 1.0)
    """
    sr = check_sr(sr)
    x = _imfs(imfs)
    if x.size == 0:  # no IMF: empty arrays of the same shape
        return Instantaneous(x.copy(), x.copy(), x.copy())
    z = _analytic(x, workers).reshape(-1, x.shape[-1])
    amplitude = np.empty(z.shape)
    phase = np.empty(z.shape)
    frequency = np.empty(z.shape)
    _kernels.instantaneous_from_analytic(z, amplitude, phase, frequency, sr / (2.0 * np.pi))
    return Instantaneous(
        amplitude.reshape(x.shape), phase.reshape(x.shape), frequency.reshape(x.shape)
    )


def _edges(sr: float, n_bins, fmin, fmax, edges) -> tuple[np.ndarray, bool]:
    if edges is not None:
        given = [
            f"{k}={v!r}"
            for k, v, default in (
                ("n_bins", n_bins, 100),
                ("fmin", fmin, 0.0),
                ("fmax", fmax, None),
            )
            if not (v is default or (default is not None and v == default))
        ]
        if given:
            raise ParameterError(
                f"pass either edges= or n_bins=/fmin=/fmax=, not both; got edges= and "
                f"{', '.join(given)}"
            )
        e = np.asarray(edges, dtype=np.float64)
        if e.ndim != 1 or e.size < 2 or not np.all(np.isfinite(e)) or np.any(np.diff(e) <= 0):
            raise ParameterError(
                f"edges must be a 1-D strictly increasing finite array of >= 2 frequencies in Hz; "
                f"got {np.asarray(edges)!r}"
            )
        return e, False
    n_bins, fmin, fmax = check_bins(n_bins, fmin, fmax, sr=sr)
    return np.linspace(fmin, fmax, n_bins + 1), True


def check_bins(n_bins, fmin, fmax, *, sr: float | None = None) -> tuple[int, float, float | None]:
    """``n_bins`` (>= 1) equal bins from ``fmin`` (>= 0) to ``fmax`` (> fmin; None: ``sr / 2``,
    left unchecked when ``sr`` is None)."""
    n_bins = check_int(n_bins, "n_bins", minimum=1)
    fmin = check_float(fmin, "fmin", minimum=0.0)
    if fmax is None and sr is not None:
        fmax = sr / 2.0
    fmax = check_float(fmax, "fmax", minimum=0.0, allow_none=True)
    if fmax is not None and not fmax > fmin:
        raise ParameterError(f"fmax must exceed fmin; got fmin={fmin}, fmax={fmax}")
    return n_bins, fmin, fmax


def check_mode(mode) -> str:
    """The quantity :func:`hilbert_spectrum` accumulates: 'amplitude' or 'energy'."""
    return check_choice(mode, "mode", ("amplitude", "energy"))


def check_scaling(scaling) -> str | None:
    """The normalisation of :func:`marginal_spectrum`: None, 'spectrum' or 'density'."""
    return check_choice(scaling, "scaling", (None, "spectrum", "density"))


def scale_marginal(h: np.ndarray, n: int, sr: float, scaling: str | None) -> np.ndarray:
    """A marginal spectrum summed over ``n`` samples, normalised as ``scaling`` says (None:
    as it is; 'spectrum': over ``n``; 'density': over ``sr * n``)."""
    if scaling is None or n == 0:
        return h
    return h / (n * (float(sr) if scaling == "density" else 1.0))


def hilbert_spectrum(
    imfs,
    *,
    sr: float,
    n_bins: int = 100,
    fmin: float = 0.0,
    fmax: float | None = None,
    edges=None,
    mode: Literal["amplitude", "energy"] = "amplitude",
    workers: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Hilbert spectrum H(f, t): each IMF's instantaneous amplitude (or energy) binned at its
    instantaneous frequency, summed over IMFs.

    Parameters
    ----------
    imfs : np.ndarray [shape=(n_imfs, n) or (n_signals, n_imfs, n)] or EMDResult
        IMFs (e.g. ``emd(x).imfs``, or ``emd(x)`` itself). With no IMF (``n_imfs`` = 0, ``emd`` of a constant or
        monotonic signal) the spectrum is the empty sum, zero everywhere.
    sr : float
        Sampling rate in Hz.
    n_bins, fmin, fmax : int, float, float
        ``n_bins`` equal bins from ``fmin`` to ``fmax`` Hz (default ``sr / 2``).
    edges : array_like, optional
        Bin edges in Hz instead (increasing). A bin holds ``edges[b] <= f < edges[b+1]``
        (as ``emd.spectra.hilberthuang``); frequencies outside are dropped.
    mode : {'amplitude', 'energy'}
        Accumulate the amplitude or its square (``emd``'s ``mode='power'``).
    workers : int, optional
        Threads of ``scipy.fft``.

    Returns
    -------
    freqs : np.ndarray [shape=(n_bins,)]
        Bin centres in Hz.
    spectrum : np.ndarray [shape=(..., n_bins, n)]
        Time-last (a view of a time-major array: ``np.swapaxes(spectrum, -1, -2)`` is the
        contiguous time x frequency array).

    Examples
    --------
    >>> import numpy as np
    >>> from physiofeat.hht import hilbert_spectrum
    >>> sr = 1000
    >>> x = np.cos(2 * np.pi * 50 * np.arange(1000) / sr)
    >>> f, H = hilbert_spectrum(x[None], sr=sr, n_bins=50)
    >>> H.shape, float(f[np.argmax(H.sum(-1))])
    ((50, 1000), 55.0)
    """
    e, uniform, x, freq, amp, energy = _prepare(imfs, sr, n_bins, fmin, fmax, edges, mode, workers)
    _check_array_size(
        x.shape[:-2] + (e.size - 1, x.shape[-1]),
        np.float64,
        "the Hilbert spectrum",
        "use fewer bins or a shorter signal (marginal_spectrum sums over time without it)",
    )
    if freq is None:  # no IMF: the empty sum, zero everywhere (as a zero-padded batch row)
        return 0.5 * (e[1:] + e[:-1]), np.zeros(x.shape[:-2] + (e.size - 1, x.shape[-1]))
    out = np.zeros((freq.shape[0], x.shape[-1], e.size - 1))  # time-major while accumulating
    _kernels.hilbert_accumulate(freq, amp, e, uniform, energy, out)
    out = np.swapaxes(out, -1, -2).reshape(x.shape[:-2] + (e.size - 1, x.shape[-1]))
    return 0.5 * (e[1:] + e[:-1]), out


def _prepare(imfs, sr, n_bins, fmin, fmax, edges, mode, workers):
    """Checked arguments and the IMFs' instantaneous frequency and amplitude, ``(n_rows,
    n_imfs, n)`` (``None`` when there is no IMF): ``(edges, uniform, x, freq, amp, energy)``."""
    sr = check_sr(sr)
    mode = check_mode(mode)
    check_workers(workers)
    e, uniform = _edges(sr, n_bins, fmin, fmax, edges)
    x = _imfs(imfs)
    if x.ndim == 1:
        x = x[None]
    if x.shape[-2] == 0:
        return e, uniform, x, None, None, mode == "energy"
    ins = instantaneous(x, sr=sr, workers=workers)
    freq = ins.frequency.reshape((-1,) + x.shape[-2:])
    amp = ins.amplitude.reshape(freq.shape)
    return e, uniform, x, freq, amp, mode == "energy"


def marginal_spectrum(
    imfs,
    *,
    sr: float,
    n_bins: int = 100,
    fmin: float = 0.0,
    fmax: float | None = None,
    edges=None,
    mode: Literal["amplitude", "energy"] = "amplitude",
    scaling: Literal["spectrum", "density"] | None = None,
    workers: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Marginal Hilbert spectrum h(f) = sum over time of :func:`hilbert_spectrum`.

    Parameters as :func:`hilbert_spectrum`, and ``scaling`` as
    ``emd.spectra.hilberthuang(..., sum_time=True, scaling=...)``:

    - ``None`` (default): a plain sum over the ``n`` samples; it grows with the signal's length
      (and, at a given duration, with ``sr``). Divide by ``sr`` for an integral over seconds.
    - ``'spectrum'``: the sum over ``n``, the mean over time: the same for a signal of any
      length or rate, the form for feature vectors of recordings of unequal durations.
    - ``'density'``: the sum over ``sr * n``.

    Returns
    -------
    freqs : np.ndarray [shape=(n_bins,)]
    spectrum : np.ndarray [shape=(..., n_bins)]

    Examples
    --------
    >>> import numpy as np
    >>> from physiofeat.hht import marginal_spectrum
    >>> sr = 1000
    >>> x = np.cos(2 * np.pi * 50 * np.arange(1000) / sr)
    >>> f, h = marginal_spectrum(x[None], sr=sr, n_bins=50)
    >>> h.shape, round(float(h.sum()))
    ((50,), 1000)
    """
    scaling = check_scaling(scaling)
    e, uniform, x, freq, amp, energy = _prepare(imfs, sr, n_bins, fmin, fmax, edges, mode, workers)
    nb = e.size - 1
    h = np.zeros((int(np.prod(x.shape[:-2])), nb))
    if freq is not None:  # accumulate the spectrum a slab of time at a time (<= 2**22 values)
        n = x.shape[-1]
        step = max(1, 2**22 // (freq.shape[0] * nb))
        for a in range(0, n, step):
            b = min(a + step, n)
            out = np.zeros((freq.shape[0], b - a, nb))
            _kernels.hilbert_accumulate(
                np.ascontiguousarray(freq[..., a:b]),
                np.ascontiguousarray(amp[..., a:b]),
                e,
                uniform,
                energy,
                out,
            )
            h += out.sum(axis=1)
    h = scale_marginal(h, x.shape[-1], sr, scaling)
    return 0.5 * (e[1:] + e[:-1]), h.reshape(x.shape[:-2] + (nb,))


#: Column names of :func:`imf_features`, in order.
IMF_FEATURES = ("energy_share", "freq_mean", "freq_std", "amp_mean", "amp_std")


def imf_features(imfs, *, sr: float, residue=None, workers: int | None = None) -> dict:
    """Per-IMF summary features.

    Parameters
    ----------
    imfs : np.ndarray [shape=(..., n_imfs, n)] or EMDResult
        A 1-D array is one IMF (every value then has shape ``(1,)``).
    sr : float
        Sampling rate in Hz.
    residue : np.ndarray [shape=(..., n)], optional
        When given, its energy joins the denominator of ``energy_share``.
    workers : int, optional
        Threads of ``scipy.fft``.

    Returns
    -------
    dict of str -> np.ndarray [shape=(..., n_imfs)]
        ``energy_share`` (IMF energy / total energy of the IMFs (+ residue)), ``freq_mean``,
        ``freq_std`` (instantaneous frequency, Hz), ``amp_mean``, ``amp_std`` (instantaneous
        amplitude). An all-zero IMF (batch padding) gives NaN frequency statistics; with no
        IMF at all each array has shape ``(..., 0)``.

    Examples
    --------
    >>> import numpy as np
    >>> from physiofeat.hht import imf_features
    >>> sr = 1000
    >>> t = np.arange(1000) / sr
    >>> imfs = np.stack([np.cos(2 * np.pi * 50 * t), 0.5 * np.cos(2 * np.pi * 5 * t)])
    >>> feats = imf_features(imfs, sr=sr)
    >>> np.round(feats["energy_share"], 2), np.round(feats["freq_mean"], 1)
    (array([0.8, 0.2]), array([50.,  5.]))
    """
    sr = check_sr(sr)
    x = _imfs(imfs)
    if x.ndim == 1:  # one IMF
        x = x[None]
    ins = instantaneous(x, sr=sr, workers=workers)
    energy = np.sum(x * x, axis=-1)
    total = energy.sum(axis=-1, keepdims=True)
    if residue is not None:
        res = as_signal(residue, name="residue", ndim=(1, 2), dtype=np.float64)
        if res.shape != x.shape[:-2] + x.shape[-1:]:
            raise ParameterError(
                f"residue must have shape {x.shape[:-2] + x.shape[-1:]} to match imfs "
                f"{x.shape}; got {res.shape}"
            )
        total = total + np.sum(res * res, axis=-1)[..., None]
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total > 0, energy / np.where(total > 0, total, 1.0), np.nan)
    freq = np.where((energy > 0)[..., None], ins.frequency, np.nan)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return {
            "energy_share": share,
            "freq_mean": np.nanmean(freq, axis=-1),
            "freq_std": np.nanstd(freq, axis=-1),
            "amp_mean": ins.amplitude.mean(axis=-1),
            "amp_std": ins.amplitude.std(axis=-1),
        }
