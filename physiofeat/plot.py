"""Plots of signals and features: time-frequency images, waveforms, IMFs, scalograms, bispectra, ECG.

matplotlib is imported inside each function, never when this module is imported. Every function
takes plain arrays or a :class:`~physiofeat.Feature` of the kind it draws (whose coordinates give
the axes: ``time`` in seconds, ``freq`` in Hz; features without a time axis such as ``temporal``,
``dwt`` or ``wpt`` are tables, not images, and are refused), draws on ``ax`` (a new figure when ``ax`` is None) and returns a
named tuple of the matplotlib objects it made, so they can be restyled afterwards.

=============================== ==================================================================
:func:`specshow`                time-frequency image, axes in s and Hz; ``y_axis='linear'``,
                                ``'log'`` or ``'mel'``; optional dB conversion and colour bar
:func:`waveshow`                waveform against time with event markers and shaded segments
                                (e.g. S1/systole/S2/diastole)
:func:`imfshow`                 intrinsic mode functions stacked on one axis
:func:`hilbert_spectrum`        Hilbert spectrum: each IMF's instantaneous-frequency track
                                coloured and widened by its amplitude, or a gridded image
:func:`scalogram`               CWT scalogram on a log-frequency axis with its cone of influence
:func:`bispectrum`              bispectrum or bicoherence contour over ``(f1, f2)``
:func:`ecgshow`                 ECG with R peaks, P onsets, QRS onsets and PR intervals marked
:func:`pcgshow`                 heart sound with its S1 / systole / S2 / diastole shaded and the
                                sounds labelled (a :class:`~physiofeat.pcg.Segmentation`)
=============================== ==================================================================
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Literal, NamedTuple

import numpy as np

from ._errors import InvalidSignalError, ParameterError
from ._features import Feature
from ._validation import as_signal, check_bool, check_choice, check_float, check_int, check_sr

__all__ = [
    "TFImage",
    "Waveform",
    "ImfStack",
    "Scalogram",
    "Contour",
    "EcgPlot",
    "PcgPlot",
    "specshow",
    "waveshow",
    "imfshow",
    "hilbert_spectrum",
    "scalogram",
    "bispectrum",
    "ecgshow",
    "pcgshow",
    "PCG_STATES",
]

#: Labels of the CirCor / Springer heart-cycle states (``physiofeat.data.pcg_segmentation``).
PCG_STATES: dict[int, str] = {1: "S1", 2: "systole", 3: "S2", 4: "diastole"}
_STATE_COLOURS = {1: "tab:red", 2: "tab:orange", 3: "tab:blue", 4: "tab:green"}

Y_AXES = ("linear", "log", "mel", "index")
_DB = (None, "power", "amplitude")


class TFImage(NamedTuple):
    """What :func:`specshow` and :func:`hilbert_spectrum` return."""

    ax: Any
    mesh: Any  #: the QuadMesh (or the PathCollection of a scatter Hilbert spectrum)
    colorbar: Any  #: the Colorbar, or None


class Waveform(NamedTuple):
    """What :func:`waveshow` returns."""

    ax: Any
    line: Any  #: the Line2D of the waveform
    markers: list  #: one LineCollection per marker group
    spans: list  #: one Polygon per shaded segment


class ImfStack(NamedTuple):
    """What :func:`imfshow` returns."""

    ax: Any
    lines: list  #: one Line2D per trace, top to bottom


class Scalogram(NamedTuple):
    """What :func:`scalogram` returns."""

    ax: Any
    mesh: Any
    colorbar: Any
    coi: Any  #: the hatched PolyCollection of the cone of influence, or None


class Contour(NamedTuple):
    """What :func:`bispectrum` returns."""

    ax: Any
    contour: Any  #: the QuadContourSet
    colorbar: Any


class EcgPlot(NamedTuple):
    """What :func:`ecgshow` returns."""

    ax: Any
    line: Any  #: the Line2D of the ECG
    markers: dict  #: ``'r_peak'``, ``'p_onset'``, ``'qrs_onset'`` -> Line2D (markers only)
    pr: Any  #: the LineCollection of PR-interval bars, or None
    labels: list  #: the Text objects of the PR values


# ---------------------------------------------------------------------------------------------
# helpers


def _axes(ax):
    if ax is not None:
        from matplotlib.axes import Axes

        if not isinstance(ax, Axes):
            raise ParameterError(
                f"ax must be a matplotlib Axes (plt.subplots()[1]) or None for a new figure; "
                f"got {type(ax).__name__}"
            )
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=(8, 3.5), layout="constrained")
    return ax


def _uniform(c: np.ndarray) -> bool:
    d = np.diff(c)
    return bool(d.size) and bool(np.all(d > 0)) and bool(np.ptp(d) <= 1e-6 * np.abs(d).max())


def _edges(c: np.ndarray, *, width: float = 1.0, htk: bool = False) -> np.ndarray:
    """Bin edges for bin centres ``c``: midpoints in whichever of linear, log or mel spacing
    makes ``c`` uniform (linear midpoints otherwise; the mel formula ``htk`` is tried first);
    the outer edges extrapolate half a bin. A single centre gets a bin ``width`` wide."""
    from .spectral import hz_to_mel, mel_to_hz

    c = np.asarray(c, dtype=np.float64)
    if c.size == 1:
        return np.array([c[0] - 0.5 * width, c[0] + 0.5 * width])

    def mid(u):
        e = np.empty(u.size + 1)
        e[1:-1] = 0.5 * (u[1:] + u[:-1])
        e[0] = u[0] - (e[1] - u[0])
        e[-1] = u[-1] + (u[-1] - e[-2])
        return e

    if not _uniform(c) and np.all(c > 0):
        if _uniform(np.log(c)):
            return np.exp(mid(np.log(c)))
        for formula in (htk, not htk):
            if _uniform(hz_to_mel(c, htk=formula)):
                return mel_to_hz(mid(hz_to_mel(c, htk=formula)), htk=formula)
    return mid(c)


def _feature_2d(data: Any, what: str) -> tuple[np.ndarray, tuple[str, ...] | None, dict, dict]:
    """Values, dims, coords and attrs of a 2-D array or Feature (one signal)."""
    if isinstance(data, Feature):
        if data.batched:
            raise InvalidSignalError(
                f"{what}: Feature {data.name!r} holds a batch of {data.shape[0]} signals "
                f"(dims {data.dims}); plot one, e.g. Feature(f.values[0], f.dims[1:], f.coords)"
            )
        values, dims, coords, attrs = data.values, data.dims, dict(data.coords), dict(data.attrs)
    else:
        values, dims, coords, attrs = data, None, {}, {}
    arr = np.asarray(values)
    if arr.ndim != 2:
        raise InvalidSignalError(f"{what} needs a 2-D array (rows, columns); got shape {arr.shape}")
    if arr.size == 0:
        raise InvalidSignalError(f"{what}: the array is empty (shape {arr.shape})")
    if np.iscomplexobj(arr):
        arr = np.abs(arr)
    return arr.astype(np.float64, copy=False), dims, coords, attrs


def _numbers(v: Any, name: str, what: str = "") -> np.ndarray:
    """``v`` as float64, or a :class:`ParameterError` naming ``name`` (and ``what`` they are)."""
    try:
        return np.asarray(v, dtype=np.float64)
    except (TypeError, ValueError):
        kind = f" ({what})" if what else ""
        raise ParameterError(f"{name} must be numbers{kind}; got {v!r:.80}") from None


def _axis_values(given, name: str, n: int, default) -> np.ndarray:
    if given is None:
        given = default()
    v = _numbers(given, name).reshape(-1)
    if v.size != n:
        raise ParameterError(f"{name} has {v.size} values for an axis of length {n}")
    if not np.isfinite(v).all():
        raise ParameterError(f"{name} must be finite; {int((~np.isfinite(v)).sum())} are not")
    return v


def _frame_times(n: int, sr, hop_length, what: str):
    def make():
        if sr is None or hop_length is None:
            raise ParameterError(
                f"{what}: pass times= (seconds) or both sr= and hop_length= to place the "
                f"{n} frames in time; got sr={sr!r}, hop_length={hop_length!r}"
            )
        return np.arange(n) * (float(hop_length) / check_sr(sr))

    return make


def _to_db(arr: np.ndarray, to_db, top_db) -> np.ndarray:
    """dB conversion that leaves NaN (outside a domain) as NaN; the reference is 1."""
    check_choice(to_db, "to_db", _DB)
    if to_db is None:
        return arr
    scale, amin = (10.0, 1e-10) if to_db == "power" else (20.0, 1e-5)
    with np.errstate(invalid="ignore"):
        db = scale * np.log10(np.maximum(np.abs(arr), amin))
    if top_db is not None:
        top_db = check_float(top_db, "top_db", minimum=0.0)
        db = np.maximum(db, np.nanmax(db) - top_db)
    return np.where(np.isnan(arr), np.nan, db)


_MEL_TICKS = (0, 50, 100, 200, 300, 400, 500, 600, 700, 800, 1000, 1250, 1500, 2000, 2500, 3000,
              4000, 5000, 6000, 8000, 10000, 12000, 16000, 20000, 24000)  # fmt: skip


def _set_y_axis(ax, y_axis: str, lo: float, hi: float, htk: bool) -> None:
    from matplotlib.ticker import FixedLocator, LogLocator, NullFormatter, ScalarFormatter

    if y_axis == "log":
        ax.set_yscale("log")
        ax.yaxis.set_major_locator(LogLocator(base=10.0, subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_major_formatter(ScalarFormatter())
        ax.yaxis.set_minor_formatter(NullFormatter())
    elif y_axis == "mel":
        from .spectral import hz_to_mel, mel_to_hz

        def fwd(f):
            return hz_to_mel(np.maximum(f, 0.0), htk=htk)

        def inv(m):
            return mel_to_hz(m, htk=htk)

        ax.set_yscale("function", functions=(fwd, inv))
        # nice Hz values at least an eighth of the mel range apart (low ones crowd otherwise)
        ticks: list[float] = []
        gap = (fwd(hi) - fwd(lo)) / 8.0
        for t in _MEL_TICKS:
            if lo <= t <= hi and (not ticks or fwd(t) - fwd(ticks[-1]) >= gap):
                ticks.append(t)
        ax.yaxis.set_major_locator(FixedLocator(ticks))
        ax.yaxis.set_major_formatter(ScalarFormatter())
    ax.set_ylim(lo, hi)


_Y_LABELS = {
    "freq": "Frequency (Hz)",
    "mel": "Frequency (Hz)",
    "coef": "Coefficient",
    "quefrency": "Quefrency (s)",
    "imf": "IMF",
}


def _colorbar(ax, mappable, label: str | None):
    cb = ax.figure.colorbar(mappable, ax=ax, pad=0.01)
    if label:
        cb.set_label(label)
    return cb


# ---------------------------------------------------------------------------------------------
# time-frequency images


def _check_feature_sr(sr: float, attrs: Mapping[str, Any], func: str) -> float:
    """``sr`` given beside a Feature made at another rate: refused (its axes come from the
    Feature; the given rate had been ignored for them but used to check ``fmax``)."""
    made = attrs.get("sr")
    if made is not None and not math.isclose(float(made), sr, rel_tol=1e-9):
        raise ParameterError(
            f"{func}: sr={sr:g} Hz, but the Feature was computed at {float(made):g} Hz "
            "(attrs['sr']); leave sr out to use the Feature's"
        )
    return sr


#: The most contour levels :func:`bispectrum` draws (matplotlib's contourf had run for
#: minutes on 10**9, most of it allocating).
MAX_LEVELS = 1000


def _check_levels(levels: Any) -> int | np.ndarray:
    """A number of contour levels (1 to :data:`MAX_LEVELS`) or their increasing values."""
    if isinstance(levels, (int, np.integer)) and not isinstance(levels, bool):
        return check_int(levels, "levels", minimum=1, maximum=MAX_LEVELS)
    try:
        v = np.asarray(levels, dtype=np.float64)
    except (TypeError, ValueError):
        v = None
    if (
        v is None
        or v.ndim != 1
        or not 2 <= v.size <= MAX_LEVELS
        or not np.isfinite(v).all()
        or (np.diff(v) <= 0).any()
    ):
        raise ParameterError(
            f"levels must be a number of contour levels (1 to {MAX_LEVELS}) or 2 to "
            f"{MAX_LEVELS} increasing finite values; got {levels!r}"
        )
    return v


def _check_limits(fmin, fmax, y_axis: str, sr) -> tuple[float | None, float | None]:
    """``fmin`` and ``fmax`` of :func:`specshow` as floats: finite, ``fmin < fmax``, and on a
    frequency axis ``0 <= fmin`` and ``fmax <= sr / 2`` (when a rate is known)."""
    freq_axis = y_axis != "index"
    lowest = 0.0 if freq_axis else None
    fmin = check_float(fmin, "fmin", minimum=lowest, allow_none=True)
    fmax = check_float(fmax, "fmax", minimum=lowest, strict_min=True, allow_none=True)
    nyq = None
    if freq_axis and isinstance(sr, (int, float, np.number)) and np.isfinite(sr) and sr > 0:
        nyq = float(sr) / 2
    if fmax is not None and nyq is not None and fmax > nyq:
        raise ParameterError(
            f"specshow: fmax={fmax:g} Hz is above the Nyquist frequency sr / 2 = {nyq:g} Hz; "
            f"pass fmax <= {nyq:g} (or None for the top of the data)"
        )
    if fmin is not None:
        top, what = (fmax, f"fmax ({fmax:g})") if fmax is not None else (nyq, "")
        if top is not None and fmin >= top:
            what = what or f"the Nyquist frequency sr / 2 = {nyq:g} Hz"
            raise ParameterError(f"specshow: fmin ({fmin:g}) must be below {what}")
    return fmin, fmax


def _frame_step(times: np.ndarray, sr, hop_length, attrs: dict) -> float:
    """Width in seconds of the one frame of a single-frame image: ``hop_length / sr`` (given,
    else the Feature's ``attrs``), so it is drawn as the first frame of a longer one would be."""
    sr = attrs.get("sr") if sr is None else sr
    hop = attrs.get("hop_length") if hop_length is None else hop_length
    known = (
        isinstance(sr, (int, float, np.number))
        and not isinstance(sr, bool)
        and np.isfinite(sr)
        and sr > 0
        and isinstance(hop, (int, np.integer))
        and not isinstance(hop, bool)
        and hop > 0
    )
    if not known:
        raise ParameterError(
            f"specshow: one frame (at {times[0]:g} s) is drawn one hop wide; pass sr= and "
            f"hop_length= so its width hop_length / sr is known (got sr={sr!r}, "
            f"hop_length={hop!r})"
        )
    return float(hop) / float(sr)


def specshow(
    data: Any,
    *,
    sr: float | None = None,
    hop_length: int | None = None,
    n_fft: int | None = None,
    times: Any = None,
    freqs: Any = None,
    y_axis: Literal["linear", "log", "mel", "index"] | None = None,
    htk: bool | None = None,
    fmin: float | None = None,
    fmax: float | None = None,
    to_db: Literal["power", "amplitude"] | None = None,
    top_db: float | None = 80.0,
    units: str | None = None,
    colorbar: bool = True,
    cmap: str = "magma",
    vmin: float | None = None,
    vmax: float | None = None,
    ax: Any = None,
    title: str | None = None,
) -> TFImage:
    """Time-frequency image with time in seconds and frequency in Hz.

    Parameters
    ----------
    data : np.ndarray [shape=(n_bins, n_frames)] or Feature
        A spectrogram, mel spectrogram, MFCC, cepstrum, scalogram... Complex input is shown as
        its magnitude. A :class:`~physiofeat.Feature` supplies ``times`` (``coords['time']``),
        the bin values (``coords`` of its first axis: ``freq`` or ``mel`` in Hz, ``quefrency``
        in s, ``coef`` indices), the axis type and the colour-bar units (``attrs['units']``).
    sr, hop_length : float, int, optional
        Place array frames at ``frame * hop_length / sr`` seconds when ``times`` is not given.
        A single frame is drawn one hop (``hop_length / sr``, from the Feature's ``attrs``
        when not given) wide, centred on its time as every frame is, so it needs them.
    n_fft : int, optional
        With ``sr``, the bin frequencies of an STFT (``k * sr / n_fft``; default
        ``n_fft = 2 * (n_bins - 1)``) when ``freqs`` is not given and ``y_axis`` is
        ``'linear'`` or ``'log'``.
    times : array [shape=(n_frames,)], optional
        Frame centres in seconds.
    freqs : array [shape=(n_bins,)], optional
        Bin centres in Hz (or the row coordinate for ``y_axis='index'``).
    y_axis : {'linear', 'log', 'mel', 'index'}, optional
        Frequency axis. ``'mel'`` uses the mel scale (Slaney, or HTK with ``htk=True``); an
        array with ``y_axis='mel'`` and no ``freqs`` is a mel spectrogram whose band centres are
        computed from ``sr``, ``fmin`` (0) and ``fmax`` (``sr / 2``). ``'index'`` plots rows by
        number. Default: from the Feature's first axis, else ``'linear'``.
    htk : bool, optional
        HTK mel formula for ``y_axis='mel'`` (else Slaney's, librosa's default). Default: the
        Feature's ``attrs['htk']`` (the formula its bands were made with), else False.
    fmin, fmax : float, optional
        Frequency limits of the axis in Hz (and of the mel bands, see ``y_axis``):
        ``0 <= fmin < fmax <= sr / 2`` (``sr`` given or the Feature's). With
        ``y_axis='index'`` they are limits in row units, any ``fmin < fmax``.
    to_db : {'power', 'amplitude'}, optional
        Convert to dB before display (``10 log10`` of power, ``20 log10`` of amplitude,
        reference 1, floored ``top_db`` below the peak).
    top_db : float or None
        Dynamic range kept by ``to_db``.
    units : str, optional
        Colour-bar label; default ``'dB'`` with ``to_db``, else the Feature's ``attrs['units']``.
    colorbar : bool
        Draw a colour bar.
    cmap, vmin, vmax
        Passed to :meth:`~matplotlib.axes.Axes.pcolormesh`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.
    title : str, optional

    Returns
    -------
    TFImage
        ``(ax, mesh, colorbar)``.

    Raises
    ------
    InvalidSignalError
        If ``data`` is not 2-D (e.g. a batched Feature).
    ParameterError
        If the axes cannot be placed (no ``times`` and no ``sr``/``hop_length``; one frame and
        no ``sr``/``hop_length``), a coordinate has the wrong length, ``hop_length`` or
        ``n_fft`` is not a positive integer, ``fmin``/``fmax`` are outside the limits above or
        ``y_axis``/``to_db`` is not one of the choices.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np, physiofeat
    >>> from physiofeat import plot
    >>> sr = 2000
    >>> x = np.sin(2 * np.pi * 100 * np.arange(sr) / sr)
    >>> S = physiofeat.extract(x, ["spectrogram"], sr=sr, n_fft=256, hop_length=64, power=2.0)
    >>> img = plot.specshow(S["spectrogram"], to_db="power")
    >>> img.ax.get_xlabel(), img.ax.get_ylabel(), img.colorbar.ax.get_ylabel()
    ('Time (s)', 'Frequency (Hz)', 'dB')
    >>> [round(v) for v in img.ax.get_ylim()]
    [0, 1000]
    """
    arr, dims, coords, attrs = _feature_2d(data, "specshow")
    if y_axis is not None:
        check_choice(y_axis, "y_axis", Y_AXES)
    n_bins, n_frames = arr.shape
    row_dim = dims[0] if dims else "freq"
    if dims is not None and dims[-1] not in ("time", "frame"):
        raise ParameterError(
            f"specshow: Feature dims {dims} have no time axis last; plot time-last features "
            f"(e.g. ('freq', 'time'))"
        )
    if y_axis is None:
        y_axis = {"mel": "mel", "coef": "index", "quefrency": "index"}.get(row_dim, "linear")
    if sr is not None:
        sr = _check_feature_sr(check_sr(sr), attrs, "specshow")
    hop_length = check_int(hop_length, "hop_length", minimum=1, allow_none=True)
    n_fft = check_int(n_fft, "n_fft", minimum=1, allow_none=True)
    if htk is None:  # the formula the Feature's mel bands were made with
        htk = check_bool(attrs.get("htk", False), "the Feature's attrs['htk']")
    else:
        htk = check_bool(htk, "htk")
    fmin, fmax = _check_limits(fmin, fmax, y_axis, sr if sr is not None else attrs.get("sr"))
    times = _axis_values(
        coords.get("time") if times is None else times,
        "times",
        n_frames,
        _frame_times(n_frames, sr, hop_length, "specshow"),
    )
    if freqs is None:
        freqs = coords.get(row_dim)

    def default_freqs():
        if y_axis == "index":
            return np.arange(n_bins)
        if sr is None:
            raise ParameterError(
                f"specshow: pass freqs= (Hz) or sr= to place the {n_bins} frequency bins"
            )
        srv = check_sr(sr)
        if y_axis == "mel":
            from .spectral import mel_frequencies

            lo = 0.0 if fmin is None else float(fmin)
            hi = srv / 2 if fmax is None else float(fmax)
            return mel_frequencies(n_bins + 2, fmin=lo, fmax=hi, htk=htk)[1:-1]
        nf = 2 * (n_bins - 1) if n_fft is None else int(n_fft)
        return np.arange(n_bins) * (srv / max(nf, 1))

    freqs = _axis_values(freqs, "freqs", n_bins, default_freqs)
    arr = _to_db(arr, to_db, top_db)
    hop_s = _frame_step(times, sr, hop_length, attrs) if n_frames == 1 else 1.0

    vmin = check_float(vmin, "vmin", allow_none=True)
    vmax = check_float(vmax, "vmax", allow_none=True)
    ax = _axes(ax)
    t_edges = _edges(times, width=hop_s)
    f_edges = _edges(freqs, htk=htk)
    if times[0] == 0:  # frames centred on t = 0 (as an STFT's): the axis starts at 0 s
        t_edges[0] = 0.0
    if y_axis != "index" and freqs[0] == 0 and _uniform(freqs):
        f_edges[-1] = freqs[-1]  # FFT bins: 0 Hz to Nyquist, as librosa shows them
    if y_axis != "index":
        f_edges = np.maximum(f_edges, 0.0)
        if y_axis == "log":
            positive = f_edges[f_edges > 0]
            f_edges = np.where(f_edges > 0, f_edges, positive.min() / 2 if positive.size else 1.0)
    mesh = ax.pcolormesh(
        t_edges, f_edges, arr, cmap=cmap, vmin=vmin, vmax=vmax, shading="flat", rasterized=True
    )
    lo = f_edges[0] if fmin is None else float(fmin)
    hi = f_edges[-1] if fmax is None else float(fmax)
    if y_axis == "log" and lo <= 0:
        lo = f_edges[f_edges > 0].min()
    _set_y_axis(ax, y_axis, lo, hi, htk)
    ax.set_xlim(t_edges[0], t_edges[-1])
    ax.set_xlabel("Time (s)")
    if dims is None:  # a plain array: frequency in Hz unless rows are plotted by number
        ylabel = "Row" if y_axis == "index" else "Frequency (Hz)"
    else:
        ylabel = _Y_LABELS.get(row_dim, row_dim)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    label = units if units is not None else ("dB" if to_db else attrs.get("units", ""))
    cb = _colorbar(ax, mesh, label) if colorbar else None
    return TFImage(ax, mesh, cb)


def scalogram(
    data: Any,
    *,
    sr: float | None = None,
    times: Any = None,
    freqs: Any = None,
    coi: Any = None,
    y_axis: Literal["linear", "log"] = "log",
    to_db: Literal["power", "amplitude"] | None = None,
    top_db: float | None = 80.0,
    units: str | None = None,
    colorbar: bool = True,
    cmap: str = "viridis",
    ax: Any = None,
    title: str | None = None,
) -> Scalogram:
    """CWT scalogram on a frequency axis in Hz, with the cone of influence hatched.

    Parameters
    ----------
    data : np.ndarray [shape=(n_freqs, n)] or Feature
        ``|W|`` (complex input is shown as its magnitude), e.g. from
        :func:`physiofeat.wavelet.scalogram`, or the ``cwt`` Feature (whose ``attrs['coi']``
        is used when ``coi`` is None).
    sr : float, optional
        Sampling rate: places column ``i`` at ``i / sr`` s when ``times`` is not given.
    times, freqs : array, optional
        Column times (s) and row frequencies (Hz); ``freqs`` is required for an array.
    coi : array [shape=(n,)], optional
        Cone of influence in Hz per column (:func:`physiofeat.wavelet.cone_of_influence`):
        frequencies below ``coi[i]`` are hatched.
    y_axis : {'log', 'linear'}
        Frequency axis scale.
    to_db, top_db, units, colorbar, cmap, ax, title
        As in :func:`specshow`.

    Returns
    -------
    Scalogram
        ``(ax, mesh, colorbar, coi)``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np, physiofeat
    >>> from physiofeat import plot
    >>> sr = 1000
    >>> x = np.cos(2 * np.pi * 40 * np.arange(sr) / sr)
    >>> W = physiofeat.extract(x, {"cwt": {"fmin": 5, "fmax": 200, "n_freqs": 32}}, sr=sr)["cwt"]
    >>> out = plot.scalogram(W)
    >>> out.ax.get_yscale(), out.coi is not None
    ('log', True)
    """
    check_choice(y_axis, "y_axis", ("log", "linear"))
    arr, dims, coords, attrs = _feature_2d(data, "scalogram")
    n_f, n = arr.shape
    if freqs is None and "freq" not in coords:
        raise ParameterError("scalogram: pass freqs= (Hz, one per row) or the cwt Feature")
    if coi is None:
        coi = attrs.get("coi")
    t = _axis_values(
        coords.get("time") if times is None else times,
        "times",
        n,
        _frame_times(n, sr, 1, "scalogram"),
    )
    img = specshow(
        data,
        sr=sr,
        hop_length=None if "hop_length" in attrs else 1,  # an array: one column per sample
        times=t,
        freqs=freqs,
        y_axis=y_axis,
        to_db=to_db,
        top_db=top_db,
        units=units if units is not None else ("dB" if to_db else attrs.get("units", "|W|")),
        colorbar=colorbar,
        cmap=cmap,
        ax=ax,
        title=title,
    )
    ax = img.ax
    hatch = None
    if coi is not None:
        c = np.asarray(coi, dtype=np.float64).reshape(-1)
        if c.size != n:
            raise ParameterError(f"coi has {c.size} values for {n} columns")
        lo, hi = ax.get_ylim()
        c = np.clip(np.where(np.isfinite(c), c, hi), lo, hi)
        hatch = ax.fill_between(
            t,
            lo,
            c,
            facecolor="white",
            alpha=0.45,
            hatch="xx",
            edgecolor="0.2",
            linewidth=0.0,
            label="cone of influence",
        )
        ax.plot(t, c, color="white", lw=1.2)
        ax.set_ylim(lo, hi)
    return Scalogram(ax, img.mesh, img.colorbar, hatch)


_HS_STYLES = ("lines", "dots")
_HS_COLOR_BY = ("amplitude", "imf")


def _smooth_grid(arr, times, freqs, smooth) -> np.ndarray:
    """Gaussian smoothing of a gridded Hilbert spectrum for display: sigma in Hz and seconds."""
    from scipy.ndimage import gaussian_filter

    if not isinstance(smooth, Sequence) or isinstance(smooth, str) or len(smooth) != 2:
        raise ParameterError(
            f"hilbert_spectrum: smooth must be a pair (sigma_hz, sigma_s) of Gaussian widths in "
            f"Hz and seconds; got {smooth!r}"
        )
    s_f = check_float(smooth[0], "smooth[0] (sigma in Hz)", minimum=0.0)
    s_t = check_float(smooth[1], "smooth[1] (sigma in s)", minimum=0.0)
    if freqs is None or times is None:
        raise ParameterError(
            "hilbert_spectrum: smooth= needs the bin frequencies and times: pass a Feature, or "
            "freqs= (Hz) and times= (s) (or sr=)"
        )
    steps = []
    for c, name in ((freqs, "freqs"), (times, "times")):
        d = np.diff(np.asarray(c, dtype=np.float64))
        if d.size == 0:
            steps.append(np.inf)  # one bin or frame: nothing to smooth along it
            continue
        if not _uniform(np.asarray(c, dtype=np.float64)):
            raise ParameterError(
                f"hilbert_spectrum: smooth= needs uniformly spaced {name}; got spacings from "
                f"{d.min():g} to {d.max():g}"
            )
        steps.append(float(d.mean()))
    sigma = (s_f / steps[0], s_t / steps[1])
    # 'reflect' keeps the total: what a bin at the edge spreads outwards is folded back in
    return gaussian_filter(np.nan_to_num(arr), sigma=sigma, mode="reflect", truncate=3.0)


def hilbert_spectrum(
    data: Any,
    *,
    amplitude: Any = None,
    sr: float | None = None,
    times: Any = None,
    freqs: Any = None,
    fmax: float | None = None,
    to_db: Literal["power", "amplitude"] | None = "amplitude",
    top_db: float | None = 60.0,
    units: str | None = None,
    colorbar: bool = True,
    cmap: str = "magma_r",
    style: Literal["lines", "dots"] = "lines",
    color_by: Literal["amplitude", "imf"] = "amplitude",
    linewidth: float = 2.0,
    max_jump: float | None = None,
    s: float = 1.0,
    smooth: tuple[float, float] | None = None,
    ax: Any = None,
    title: str | None = None,
) -> TFImage:
    """Hilbert spectrum: energy over time and instantaneous frequency.

    Two inputs are accepted:

    - with ``amplitude=``, ``data`` is the instantaneous frequency in Hz of each IMF
      ``(n_imfs, n)`` and ``amplitude`` its instantaneous amplitude (the ``hht`` Feature carries
      it in ``attrs['amplitude']`` and is drawn this way). ``style='lines'`` (default) draws each
      IMF as its frequency track: a line through its samples, coloured by amplitude (in dB with
      ``to_db``) and wider where it is louder, so the quiet stretches where an IMF's frequency is
      ill-defined fade out and the loud tracks stand out. A line is broken where the frequency
      jumps by more than ``max_jump`` between two samples (such a jump is no track); a sample
      with a jump on both sides is drawn as a dot, so every sample is shown.
      ``style='dots'`` draws every sample as a dot of size ``s`` (Huang et al. 1998).
      ``color_by='imf'`` colours the lines by IMF instead (with a legend), their opacity and
      width following the amplitude.
    - a gridded spectrum ``(n_freqs, n_times)`` (array with ``freqs``/``times``, or the
      ``hilbert_spectrum`` Feature), drawn as an image like :func:`specshow`. Each sample of an
      IMF falls in one frequency bin, so the image is a scatter of single bins; ``smooth=``
      spreads them by a Gaussian for display (the total is kept, peak values drop: say so in
      the title).

    The background is the colour of the quietest values (light with the default ``magma_r``).

    Parameters
    ----------
    data : np.ndarray or Feature
        Gridded spectrum, or instantaneous frequency (Hz) per IMF when ``amplitude`` is given.
    amplitude : np.ndarray [shape=(n_imfs, n)], optional
        Instantaneous amplitude per IMF.
    sr : float, optional
        Sampling rate (places sample ``i`` at ``i / sr`` s when ``times`` is not given).
    times, freqs : array, optional
        Sample/frame times (s) and, for a gridded array, bin frequencies (Hz).
    fmax : float, optional
        Upper frequency limit (default: ``sr / 2`` or the largest frequency).
    to_db, top_db, units, colorbar, cmap, ax, title
        As in :func:`specshow` (default: amplitude in dB, 60 dB range, light-to-dark colours).
    style : {'lines', 'dots'}
        Instantaneous form: frequency tracks or one dot per sample.
    color_by : {'amplitude', 'imf'}
        Instantaneous form: colour by amplitude (with a colour bar) or by IMF (with a legend).
    linewidth : float
        Width of the loudest segment; the quietest drawn (the bottom of the colour range, at
        most ``top_db`` below the loudest) is a quarter as wide.
    max_jump : float, optional
        Largest frequency change (Hz) between two samples that a line joins; default a tenth
        of ``fmax``.
    s : float
        Marker size of ``style='dots'``.
    smooth : (float, float), optional
        Gridded form: Gaussian standard deviations in Hz and seconds applied before the dB
        conversion (``scipy.ndimage.gaussian_filter``, edges reflected so the sum is kept).

    Returns
    -------
    TFImage
        ``(ax, mesh, colorbar)``; ``mesh`` is the LineCollection of the tracks (one segment
        per pair of joined samples, loudest last), the PathCollection of the dots, or the
        QuadMesh of the gridded form; ``colorbar`` is None with ``color_by='imf'``.

    Raises
    ------
    InvalidSignalError
        Frequency and amplitude of different shapes, or no IMF to draw.
    ParameterError
        A bad ``style``, ``color_by``, ``linewidth``, ``max_jump``, ``fmax`` or ``smooth``
        (also ``smooth`` given to the instantaneous form).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from physiofeat import plot
    >>> sr = 500
    >>> f_inst = np.vstack([np.full(sr, 50.0), np.full(sr, 10.0)])
    >>> a_inst = np.vstack([np.ones(sr), 0.5 * np.ones(sr)])
    >>> img = plot.hilbert_spectrum(f_inst, amplitude=a_inst, sr=sr)
    >>> img.ax.get_ylabel(), [float(v) for v in img.ax.get_ylim()]
    ('Instantaneous frequency (Hz)', [0.0, 250.0])
    >>> len(img.mesh.get_segments())  # (sr - 1) segments per IMF
    998
    """
    check_choice(style, "style", _HS_STYLES)
    check_choice(color_by, "color_by", _HS_COLOR_BY)
    linewidth = check_float(linewidth, "linewidth", minimum=0.0, strict_min=True)
    max_jump = check_float(max_jump, "max_jump", minimum=0.0, strict_min=True, allow_none=True)
    fmax = check_float(fmax, "fmax", minimum=0.0, strict_min=True, allow_none=True)
    if amplitude is None and isinstance(data, Feature) and "amplitude" in data.attrs:
        amplitude = data.attrs["amplitude"]  # the ``hht`` Feature: frequency per IMF + amplitude
        if times is None:
            times = data.coords.get("time")
    if amplitude is None:
        if smooth is not None:
            arr, dims, coords, attrs = _feature_2d(data, "hilbert_spectrum")
            t_grid = coords.get("time") if times is None else times
            if t_grid is None and sr is not None:
                t_grid = np.arange(arr.shape[1]) / check_sr(sr)
            f_grid = coords.get(dims[0]) if freqs is None and dims else freqs
            arr = _smooth_grid(arr, t_grid, f_grid, smooth)
            data = Feature(arr, dims=dims, coords=coords, attrs=attrs) if dims else arr
        img = specshow(
            data,
            sr=sr,
            hop_length=1 if times is None else None,
            times=times,
            freqs=freqs,
            fmax=fmax,
            to_db=to_db,
            top_db=top_db,
            units=units,
            colorbar=colorbar,
            cmap=cmap,
            ax=ax,
            title=title,
        )
        img.ax.set_ylabel("Instantaneous frequency (Hz)")
        return img
    f = np.atleast_2d(np.asarray(data.values if isinstance(data, Feature) else data, float))
    a = np.atleast_2d(np.abs(np.asarray(amplitude, dtype=np.float64)))
    if f.shape != a.shape or f.ndim != 2:
        raise InvalidSignalError(
            f"hilbert_spectrum: instantaneous frequency {f.shape} and amplitude {a.shape} must "
            f"have the same (n_imfs, n) shape"
        )
    n_imfs, n = f.shape
    if n_imfs == 0 or n == 0:
        raise InvalidSignalError(
            f"hilbert_spectrum: no instantaneous frequency to draw (shape {f.shape}: "
            f"{n_imfs} IMFs of {n} samples)"
        )
    if smooth is not None:
        raise ParameterError(
            "hilbert_spectrum: smooth= applies to the gridded form (a Hilbert spectrum array or "
            "Feature); the instantaneous form (frequency + amplitude) draws each IMF's track"
        )
    t = _axis_values(times, "times", n, _frame_times(n, sr, 1, "hilbert_spectrum"))
    c = _to_db(a, to_db, top_db)
    ok = np.isfinite(f) & np.isfinite(c) & (f >= 0)
    if fmax is None:
        fmax = check_sr(sr) / 2 if sr is not None else float(np.nanmax(np.where(ok, f, np.nan)))
    fmax = float(fmax)
    ax = _axes(ax)
    label = units if units is not None else ("dB" if to_db else "amplitude")
    # loudness in [0, 1] over the drawn range: what the widths (and the opacity by IMF) follow
    lo, hi = (float(c[ok].min()), float(c[ok].max())) if ok.any() else (0.0, 1.0)
    loud = np.clip((c - lo) / (hi - lo), 0.0, 1.0) if hi > lo else np.ones_like(c)
    imf = np.broadcast_to(np.arange(n_imfs)[:, None], f.shape)
    tt = np.broadcast_to(t, f.shape)
    if style == "dots":
        order = np.argsort(np.where(ok, c, -np.inf), axis=None)  # loudest drawn last
        keep = ok.reshape(-1)[order]
        sel = order[keep]
        kw: dict[str, Any] = {"c": c.reshape(-1)[sel], "cmap": cmap}
        if color_by == "imf":
            kw = {"c": _imf_colours(imf.reshape(-1)[sel], loud.reshape(-1)[sel])}
        mesh = ax.scatter(
            tt.reshape(-1)[sel], f.reshape(-1)[sel], s=s, linewidths=0, rasterized=True, **kw
        )
        if color_by == "amplitude":
            mesh.set_clim(lo, hi)
    else:
        jump = 0.1 * fmax if max_jump is None else max_jump
        with np.errstate(invalid="ignore"):
            join = ok[:, :-1] & ok[:, 1:] & (np.abs(np.diff(f, axis=-1)) <= jump)
        seg_c = 0.5 * (c[:, :-1] + c[:, 1:])[join]
        seg_loud = 0.5 * (loud[:, :-1] + loud[:, 1:])[join]
        seg_imf = imf[:, :-1][join]
        p0 = np.stack([tt[:, :-1][join], f[:, :-1][join]], axis=-1)
        p1 = np.stack([tt[:, 1:][join], f[:, 1:][join]], axis=-1)
        order = np.argsort(seg_c, kind="stable")  # loudest drawn last
        from matplotlib.collections import LineCollection

        mesh = LineCollection(
            np.stack([p0, p1], axis=1)[order],
            linewidths=linewidth * (0.25 + 0.75 * seg_loud[order]),
            capstyle="round",
            rasterized=True,
        )
        if color_by == "imf":
            mesh.set_color(_imf_colours(seg_imf[order], seg_loud[order]))
        else:
            mesh.set_array(seg_c[order])
            mesh.set_cmap(cmap)
            mesh.set_clim(lo, hi)
        ax.add_collection(mesh)
        touched = np.zeros_like(ok)
        touched[:, :-1] |= join
        touched[:, 1:] |= join
        alone = ok & ~touched  # samples with a jump (or a gap) on both sides: dots
        if alone.any():
            kw = {"c": c[alone], "cmap": cmap, "vmin": lo, "vmax": hi}
            if color_by == "imf":
                kw = {"c": _imf_colours(imf[alone], loud[alone])}
            ax.scatter(
                tt[alone], f[alone], s=(0.5 * linewidth) ** 2, linewidths=0, rasterized=True, **kw
            )
    ax.set_xlim(t[0], t[-1])
    ax.set_ylim(0.0, fmax)
    ax.set_xlabel("Time (s)")
    ax.set_ylabel("Instantaneous frequency (Hz)")
    if title:
        ax.set_title(title)
    cb = None
    if color_by == "imf":
        from matplotlib.lines import Line2D

        handles = [
            Line2D([], [], color=_imf_colours(np.array([i]), np.ones(1))[0], lw=linewidth)
            for i in range(n_imfs)
        ]
        ax.legend(
            handles,
            [f"IMF {i + 1}" for i in range(n_imfs)],
            loc="upper right",
            ncols=min(n_imfs, 6),
            fontsize="x-small",
            framealpha=0.85,
            handlelength=1.2,
            columnspacing=1.0,
        )
    elif colorbar:
        cb = _colorbar(ax, mesh, label)
    return TFImage(ax, mesh, cb)


def _imf_colours(imf: np.ndarray, loud: np.ndarray) -> np.ndarray:
    """RGBA per element: the IMF's tab10 colour, opacity from 0.15 (quietest) to 1 (loudest)."""
    from matplotlib import colormaps

    rgba = colormaps["tab10"](np.asarray(imf) % 10)
    rgba[:, 3] = 0.15 + 0.85 * np.asarray(loud, dtype=np.float64)
    return rgba


def bispectrum(
    data: Any,
    *,
    f1: Any = None,
    f2: Any = None,
    sr: float | None = None,
    levels: int | Sequence[float] = 12,
    to_db: Literal["power", "amplitude"] | None = None,
    top_db: float | None = 60.0,
    fmax: float | None = None,
    units: str | None = None,
    colorbar: bool = True,
    domain: bool = True,
    cmap: str = "viridis",
    ax: Any = None,
    title: str | None = None,
) -> Contour:
    """Filled contour of a bispectrum magnitude or bicoherence over ``(f1, f2)`` in Hz.

    Parameters
    ----------
    data : np.ndarray [shape=(n_f1, n_f2)] or Feature
        ``B[i, j]`` at ``(f1[i], f2[j])`` (complex input is shown as ``|B|``), NaN outside the
        computed domain, as :func:`physiofeat.hos.bispectrum`/:func:`~physiofeat.hos.bicoherence`
        return it; or the ``bispectrum``/``bicoherence`` Feature (coords ``freq1``, ``freq2``).
    f1, f2 : array, optional
        Row and column frequencies in Hz; default ``k * sr / n_fft`` with
        ``n_fft = 2 * (n_f1 - 1)`` (needs ``sr``).
    sr : float, optional
        Sampling rate; also draws the principal-domain edges when ``domain`` is True.
    levels : int or sequence of float
        Contour levels (number or values).
    to_db, top_db
        Optional dB display (see :func:`specshow`).
    fmax : float, optional
        Upper limit of the ``f1`` axis (``f2`` is limited to ``fmax / 2``).
    units : str, optional
        Colour-bar label; default from the Feature's ``attrs['what']`` (``|B|`` or ``b^2``).
    colorbar : bool
    domain : bool
        Draw the principal-domain edges ``f2 = f1`` and ``f1 + f2 = sr / 2``.
    cmap, ax, title
        As in :func:`specshow`.

    Returns
    -------
    Contour
        ``(ax, contour, colorbar)``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np, physiofeat
    >>> from physiofeat import plot
    >>> x = np.random.default_rng(0).standard_normal(4000)
    >>> b2 = physiofeat.extract(x, ["bicoherence"], sr=1000, n_fft=64)["bicoherence"]
    >>> out = plot.bispectrum(b2, sr=1000)
    >>> out.ax.get_xlabel(), out.ax.get_ylabel(), out.colorbar.ax.get_ylabel()
    ('$f_1$ (Hz)', '$f_2$ (Hz)', 'b^2')
    """
    arr, dims, coords, attrs = _feature_2d(data, "bispectrum")
    n1, n2 = arr.shape
    if n1 < 2 or n2 < 2:
        raise InvalidSignalError(
            f"bispectrum: a contour needs at least 2 x 2 bins; got {n1} x {n2} (a bispectrum "
            "with n_fft >= 4)"
        )
    levels = _check_levels(levels)
    if sr is not None:
        sr = _check_feature_sr(check_sr(sr), attrs, "bispectrum")
    fmax = check_float(fmax, "fmax", minimum=0.0, strict_min=True, allow_none=True)

    def default_f():
        if sr is None:
            raise ParameterError("bispectrum: pass f1= and f2= (Hz) or sr= to place the bins")
        return np.arange(max(n1, n2)) * (check_sr(sr) / (2 * (n1 - 1)))

    f1 = _axis_values(coords.get("freq1") if f1 is None else f1, "f1", n1, lambda: default_f()[:n1])
    f2 = _axis_values(coords.get("freq2") if f2 is None else f2, "f2", n2, lambda: default_f()[:n2])
    z = _to_db(arr, to_db, top_db)
    if not np.isfinite(z).any():
        raise InvalidSignalError("bispectrum: no finite values to contour")
    ax = _axes(ax)
    cs = ax.contourf(f1, f2, np.ma.masked_invalid(z).T, levels=levels, cmap=cmap)
    hi = float(f1[-1]) if fmax is None else float(fmax)
    if domain and sr is not None:
        nyq = check_sr(sr) / 2
        ax.plot([0, nyq / 2], [0, nyq / 2], color="0.4", lw=0.8, ls="--")
        ax.plot([nyq / 2, nyq], [nyq / 2, 0], color="0.4", lw=0.8, ls="--")
    ax.set_xlim(float(f1[0]), hi)
    ax.set_ylim(float(f2[0]), min(float(f2[-1]), hi / 2) if fmax is not None else float(f2[-1]))
    ax.set_xlabel("$f_1$ (Hz)")
    ax.set_ylabel("$f_2$ (Hz)")
    if title:
        ax.set_title(title)
    label = units if units is not None else ("dB" if to_db else attrs.get("what", ""))
    cb = _colorbar(ax, cs, label) if colorbar else None
    return Contour(ax, cs, cb)


# ---------------------------------------------------------------------------------------------
# signals


def _one_signal(y: Any, what: str) -> np.ndarray:
    if isinstance(y, Feature):
        y = y.values
    return as_signal(y, name=what, ndim=(1,), allow_nonfinite=True)


def waveshow(
    y: Any,
    *,
    sr: float,
    offset: float = 0.0,
    markers: Mapping[str, Any] | Any = None,
    segments: Any = None,
    segment_labels: Mapping[Any, str] | None = None,
    color: str = "0.15",
    linewidth: float = 0.6,
    ylabel: str = "Amplitude",
    legend: bool = True,
    ax: Any = None,
    title: str | None = None,
) -> Waveform:
    """Waveform against time in seconds, with event markers and shaded segments.

    Parameters
    ----------
    y : np.ndarray [shape=(n,)] or Feature
        The signal (e.g. a heart sound, or an ``envelope`` Feature).
    sr : float
        Sampling rate in Hz; sample ``i`` is at ``offset + i / sr`` s. A Feature with a time
        coordinate (an ``envelope`` at its ``out_sr``, per-frame series) is drawn at
        ``offset +`` its own times instead.
    offset : float
        Time of the first sample in seconds.
    markers : mapping str -> array of times, or array of times, optional
        Vertical lines at the given times (s); one colour and legend entry per key.
    segments : array [shape=(n_segments, 2) or (n_segments, 3)], optional
        ``start_s, end_s[, state]`` rows (:func:`physiofeat.data.pcg_segmentation`), drawn as
        shaded spans coloured by state.
    segment_labels : mapping state -> str, optional
        Legend names of the states; default :data:`PCG_STATES` (1 S1, 2 systole, 3 S2,
        4 diastole). States missing from the mapping are not shaded.
    color, linewidth : waveform style.
    ylabel : str
    legend : bool
        Add a legend (upper right) when there are markers or segments; it replaces a legend
        already on ``ax``, as :meth:`~matplotlib.axes.Axes.legend` does.
    ax, title
        As in :func:`specshow`.

    Returns
    -------
    Waveform
        ``(ax, line, markers, spans)``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from physiofeat import plot
    >>> sr = 1000
    >>> y = np.sin(2 * np.pi * 5 * np.arange(2 * sr) / sr)
    >>> seg = np.array([[0.1, 0.2, 1], [0.2, 0.5, 2], [0.5, 0.6, 3], [0.6, 1.0, 4]])
    >>> out = plot.waveshow(y, sr=sr, segments=seg, markers={"peak": [0.05, 0.25]})
    >>> out.ax.get_xlabel(), [float(v) for v in out.ax.get_xlim()], len(out.spans)
    ('Time (s)', [0.0, 1.999], 4)
    """
    sr = check_sr(sr)
    x = _one_signal(y, "y")
    offset = check_float(offset, "offset")  # a finite number (seconds)
    if segment_labels is not None and not isinstance(segment_labels, Mapping):
        raise ParameterError(
            f"segment_labels must be a mapping state -> label ({{1: 'S1', ...}}); got "
            f"{type(segment_labels).__name__}"
        )
    times = y.times if isinstance(y, Feature) else None
    if times is not None and np.shape(times) == x.shape:  # a Feature's own time axis
        t = offset + np.asarray(times, dtype=np.float64)
    else:
        t = offset + np.arange(x.size) / sr
    ax = _axes(ax)
    (line,) = ax.plot(t, x, color=color, lw=linewidth)
    t0, t1 = float(t[0]), float(t[-1])
    spans = []
    if segments is not None:
        seg = np.atleast_2d(_numbers(segments, "segments", "times in seconds"))
        if seg.ndim != 2 or seg.shape[1] not in (2, 3):
            raise ParameterError(
                f"segments must be rows of (start_s, end_s) or (start_s, end_s, state); got "
                f"shape {seg.shape}"
            )
        if (seg[:, 1] < seg[:, 0]).any():
            i = int(np.flatnonzero(seg[:, 1] < seg[:, 0])[0])
            raise ParameterError(
                f"segments row {i} ends before it starts ({seg[i, 0]:g} s to {seg[i, 1]:g} s)"
            )
        labels = PCG_STATES if segment_labels is None else dict(segment_labels)
        seen = set()
        for row in seg:
            start, end = row[0], row[1]
            state = int(row[2]) if seg.shape[1] == 3 else 1
            if end < t0 or start > t1 or (seg.shape[1] == 3 and state not in labels):
                continue
            name = labels.get(state, "segment") if seg.shape[1] == 3 else "segment"
            colour = _STATE_COLOURS.get(state, "tab:purple")
            spans.append(
                ax.axvspan(
                    max(start, t0),
                    min(end, t1),
                    color=colour,
                    alpha=0.18,
                    lw=0,
                    label=None if name in seen else name,
                )
            )
            seen.add(name)
    marks = []
    if markers is not None:
        groups = markers if isinstance(markers, Mapping) else {"marker": markers}
        lo, hi = (np.nanmin(x), np.nanmax(x)) if np.isfinite(x).any() else (-1.0, 1.0)
        for i, (name, times_) in enumerate(groups.items()):
            tm = _numbers(times_, f"markers[{name!r}]", "times in seconds").reshape(-1)
            tm = tm[(tm >= t0) & (tm <= t1)]
            marks.append(
                ax.vlines(tm, lo, hi, colors=f"C{i}", lw=1.0, linestyles="--", label=str(name))
            )
    ax.set_xlim(t0, t1)
    ax.set_xlabel("Time (s)")
    ax.set_ylabel(ylabel)
    if legend:
        _wave_legend(ax, spans, marks, labels if spans else {}, "upper right")
    if title:
        ax.set_title(title)
    return Waveform(ax, line, marks, spans)


def _wave_legend(ax, spans: list, marks: list, labels: Mapping[Any, str], loc: str):
    """The legend of :func:`waveshow` (and :func:`pcgshow`), drawn once at ``loc``: shaded
    states in cycle order (``labels``), then the marker groups as given; None (and the axes'
    legend, if any, left alone) when there are no spans or markers."""
    if not (spans or marks):
        return None
    handles, names = ax.get_legend_handles_labels()
    rank = {name: k for k, name in enumerate(labels.values())}

    def key(k):
        is_span = any(handles[k] is sp for sp in spans)
        return (0, rank.get(names[k], len(rank)), k) if is_span else (1, 0, k)

    order = sorted(range(len(names)), key=key)
    return ax.legend(
        [handles[i] for i in order],
        [names[i] for i in order],
        loc=loc,
        fontsize="small",
        ncols=min(4, len(order)),
    )


def imfshow(
    imfs: Any,
    *,
    sr: float,
    signal: Any = None,
    labels: Sequence[str] | None = None,
    residue: bool = False,
    scale: Literal["each", "common"] = "each",
    offset: float = 0.0,
    color: str = "0.15",
    linewidth: float = 0.6,
    ax: Any = None,
    title: str | None = None,
) -> ImfStack:
    """Intrinsic mode functions stacked top to bottom on one axis, time in seconds.

    Parameters
    ----------
    imfs : np.ndarray [shape=(n_imfs, n)] or Feature
        IMFs, highest frequency first (as :func:`physiofeat.hht.emd` returns them).
    sr : float
        Sampling rate in Hz.
    signal : np.ndarray [shape=(n,)], optional
        The decomposed signal, drawn above the IMFs.
    labels : sequence of str, optional
        One label per IMF row (default ``IMF 1``, ``IMF 2``...; the last is ``residue`` with
        ``residue=True``).
    residue : bool
        The last row is the residue (trend). For the ``emd`` Feature, the residue in
        ``attrs['residue']`` is appended as that last row.
    scale : {'each', 'common'}
        Scale every trace to its own lane (``'each'``) or all by the largest amplitude.
    offset, color, linewidth, ax, title
        As in :func:`waveshow`.

    Returns
    -------
    ImfStack
        ``(ax, lines)``, top to bottom.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from physiofeat import plot
    >>> sr = 500
    >>> t = np.arange(sr) / sr
    >>> imfs = np.vstack([np.sin(2 * np.pi * 40 * t), np.sin(2 * np.pi * 4 * t)])
    >>> out = plot.imfshow(imfs, sr=sr, signal=imfs.sum(0))
    >>> [tick.get_text() for tick in out.ax.get_yticklabels()]
    ['signal', 'IMF 1', 'IMF 2']
    """
    sr = check_sr(sr)
    check_choice(scale, "scale", ("each", "common"))
    try:
        arr = np.asarray(imfs.values if isinstance(imfs, Feature) else imfs, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidSignalError(
            f"imfs must be a 2-D (n_imfs, n) array of numbers; got {type(imfs).__name__}"
        ) from None
    if arr.ndim == 1:
        arr = arr[None, :]
    if residue is True and isinstance(imfs, Feature) and "residue" in imfs.attrs:
        res = np.asarray(imfs.attrs["residue"], dtype=np.float64)  # the ``emd`` Feature
        if res.shape == arr.shape[-1:]:
            arr = np.vstack([arr, res[None, :]])
    if arr.ndim != 2 or arr.size == 0:
        raise InvalidSignalError(f"imfs must be a 2-D (n_imfs, n) array; got shape {arr.shape}")
    k, n = arr.shape
    if labels is None:
        labels = [f"IMF {i + 1}" for i in range(k)]
        if residue:
            labels[-1] = "residue"
    labels = list(labels)
    if len(labels) != k:
        raise ParameterError(f"labels has {len(labels)} entries for {k} IMFs")
    rows = [arr[i] for i in range(k)]
    if signal is not None:
        s = _one_signal(signal, "signal")
        if s.size != n:
            raise ParameterError(f"signal has {s.size} samples; the IMFs have {n}")
        rows.insert(0, s)
        labels.insert(0, "signal")
    t = offset + np.arange(n) / sr
    peak = np.array([np.nanmax(np.abs(r)) if r.size else 0.0 for r in rows])
    peak[peak == 0] = 1.0
    if scale == "common":
        peak[:] = peak.max()
    ax = _axes(ax)
    lines = []
    for i, r in enumerate(rows):
        (ln,) = ax.plot(
            t, -i + 0.45 * r / peak[i], color="C0" if labels[i] == "signal" else color, lw=linewidth
        )
        lines.append(ln)
    ax.set_yticks(-np.arange(len(rows)), labels)
    ax.set_ylim(-len(rows) + 0.4, 0.6)
    ax.set_xlim(t[0], t[-1])
    ax.set_xlabel("Time (s)")
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", length=0)
    if title:
        ax.set_title(title)
    return ImfStack(ax, lines)


def _beat_table(beats: Any) -> dict[str, np.ndarray]:
    if isinstance(beats, Feature):
        names = list(beats.coords.get("wave", []))
        if beats.batched or not names:
            raise ParameterError(
                "ecgshow: beats must be one signal's ecg_beats Feature (dims ('wave', 'beat'))"
            )
        return {w: np.asarray(beats.values[i], dtype=np.float64) for i, w in enumerate(names)}
    if hasattr(beats, "to_dict"):
        beats = beats.to_dict()
    if not isinstance(beats, Mapping):
        raise ParameterError(
            f"beats must be an EcgBeats, an ecg_beats Feature or a mapping of time arrays; got "
            f"{type(beats).__name__}"
        )
    drawn = ("r_time", "p_onset", "qrs_onset")
    if beats and not any(k in beats for k in drawn):
        raise ParameterError(
            f"ecgshow: beats has none of the times it draws ({', '.join(drawn)}); got keys "
            f"{sorted(map(str, beats))}"
        )
    return {
        k: _numbers(v, f"beats[{k!r}]", "times in seconds").reshape(-1) for k, v in beats.items()
    }


def ecgshow(
    ecg: Any,
    *,
    sr: float,
    beats: Any = None,
    offset: float = 0.0,
    annotate: bool = True,
    ylabel: str = "ECG (mV)",
    color: str = "0.15",
    linewidth: float = 0.8,
    legend: bool = True,
    ax: Any = None,
    title: str | None = None,
) -> EcgPlot:
    """ECG against time with R peaks, P onsets, QRS onsets and PR intervals marked.

    Parameters
    ----------
    ecg : np.ndarray [shape=(n,)]
        One lead. NaN (or inf) samples, e.g. a gap or a lead that was not recorded, are drawn
        as gaps: the y range is that of the finite samples (-1 to 1 when there are none, as in
        :func:`waveshow`, so an all-NaN lead is an empty trace with its beats' PR bars), and a
        marker that falls in a gap is not drawn (its y is NaN).
    sr : float
        Sampling rate in Hz.
    beats : EcgBeats, Feature or mapping, optional
        Per-beat times in seconds: :func:`physiofeat.ecg.delineate`'s result, the ``ecg_beats``
        Feature, or a mapping with any of ``r_time``, ``p_onset``, ``qrs_onset`` (NaN = absent).
        Each PR interval (``p_onset`` to ``qrs_onset``) is drawn as a bar under the trace and,
        with ``annotate``, labelled in ms.
    offset : float
        Time of the first sample in seconds.
    annotate : bool
        Write each PR interval in ms.
    ylabel, color, linewidth, legend, ax, title
        As in :func:`waveshow`.

    Returns
    -------
    EcgPlot
        ``(ax, line, markers, pr, labels)``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from physiofeat import plot
    >>> sr = 500
    >>> x = np.zeros(2 * sr)
    >>> beats = {"r_time": [0.5, 1.5], "qrs_onset": [0.46, 1.46], "p_onset": [0.3, np.nan]}
    >>> out = plot.ecgshow(x, sr=sr, beats=beats)
    >>> sorted(out.markers), [t.get_text() for t in out.labels]
    (['p_onset', 'qrs_onset', 'r_peak'], ['160 ms'])
    """
    sr = check_sr(sr)
    x = _one_signal(ecg, "ecg")
    t = offset + np.arange(x.size) / sr
    finite = np.isfinite(x)
    lo_x, hi_x = (float(x[finite].min()), float(x[finite].max())) if finite.any() else (-1.0, 1.0)
    ax = _axes(ax)
    (line,) = ax.plot(t, x, color=color, lw=linewidth)
    markers: dict[str, Any] = {}
    labels: list = []
    pr = None
    if beats is not None:
        tab = _beat_table(beats)
        style = {
            "r_peak": ("r_time", dict(marker="v", color="tab:red", label="R peak")),
            "qrs_onset": ("qrs_onset", dict(marker="s", color="tab:blue", label="QRS onset")),
            "p_onset": ("p_onset", dict(marker="o", color="tab:green", label="P onset")),
        }
        for key, (col, kw) in style.items():
            if col not in tab:
                continue
            tm = tab[col]
            tm = tm[np.isfinite(tm)]
            y = np.interp(tm, t, x)
            if key == "r_peak":
                y = y + 0.04 * (hi_x - lo_x)
            (mk,) = ax.plot(tm, y, ls="none", ms=5, **kw)
            markers[key] = mk
        if "p_onset" in tab and "qrs_onset" in tab:
            p, q = tab["p_onset"], tab["qrs_onset"]
            m = min(p.size, q.size)
            p, q = p[:m], q[:m]
            ok = np.isfinite(p) & np.isfinite(q) & (q > p)
            span = hi_x - lo_x if hi_x > lo_x else 1.0
            ybar = lo_x - 0.12 * span
            if ok.any():
                pr = ax.hlines(
                    np.full(ok.sum(), ybar),
                    p[ok],
                    q[ok],
                    colors="tab:purple",
                    lw=4,
                    label="PR interval",
                )
                if annotate:
                    for a, b in zip(p[ok], q[ok]):
                        labels.append(
                            ax.text(
                                0.5 * (a + b),
                                ybar - 0.05 * span,
                                f"{1000 * (b - a):.0f} ms",
                                ha="center",
                                va="top",
                                fontsize="x-small",
                                color="tab:purple",
                                clip_on=True,
                            )
                        )
            ax.set_ylim(ybar - 0.25 * span, hi_x + 0.35 * span)  # room for the legend
    ax.set_xlim(t[0], t[-1])
    ax.set_xlabel("Time (s)")
    ax.set_ylabel(ylabel)
    if legend and (markers or pr is not None):
        ax.legend(loc="upper right", fontsize="small", ncols=4)
    if title:
        ax.set_title(title)
    return EcgPlot(ax, line, markers, pr, labels)


class PcgPlot(NamedTuple):
    """What :func:`pcgshow` returns."""

    ax: Any
    line: Any  #: the Line2D of the heart sound
    spans: list  #: one Polygon per shaded state interval
    labels: list  #: the Text objects naming each S1 and S2


def _intervals(segmentation: Any) -> np.ndarray:
    iv = getattr(segmentation, "intervals", segmentation)
    try:
        iv = np.array(iv, dtype=np.float64, ndmin=2)
    except (TypeError, ValueError):
        iv = None
    if iv is None or iv.ndim != 2 or (iv.size and iv.shape[1] != 3):
        raise ParameterError(
            f"pcgshow: segmentation must be a physiofeat.pcg.Segmentation or (n, 3) rows "
            f"[start_s, end_s, state]; got {type(segmentation).__name__}"
            + (f" of shape {iv.shape}" if iv is not None else "")
        )
    iv = iv.reshape(-1, 3)
    bad = ~np.isin(iv[:, 2], (0, 1, 2, 3, 4))
    if bad.any():
        raise ParameterError(
            f"pcgshow: segmentation states are 0 (unannotated), 1 S1, 2 systole, 3 S2, "
            f"4 diastole; got {iv[bad, 2][0]:g} in row {int(np.flatnonzero(bad)[0])}"
        )
    return iv


def pcgshow(
    pcg: Any,
    *,
    sr: float,
    segmentation: Any,
    offset: float = 0.0,
    label_sounds: bool = True,
    color: str = "0.15",
    linewidth: float = 0.5,
    ylabel: str = "PCG",
    legend: bool = True,
    ax: Any = None,
    title: str | None = None,
) -> PcgPlot:
    """A heart sound with its S1, systole, S2 and diastole shaded and its sounds labelled.

    Parameters
    ----------
    pcg : np.ndarray [shape=(n,)]
        The heart sound.
    sr : float
        Its rate in Hz.
    segmentation : Segmentation or array [shape=(k, 3)]
        :func:`physiofeat.pcg.segment`'s result, a :class:`~physiofeat.pcg.Segmentation` read
        from a CirCor ``.tsv``, or ``[start_s, end_s, state]`` rows (1 S1, 2 systole, 3 S2,
        4 diastole; 0, unannotated, is not shaded).
    offset : float
        Time of the first sample in seconds (the segmentation's times are absolute).
    label_sounds : bool
        Write "S1" / "S2" above each sound.
    legend : bool
        Add a legend of the shaded states, below the trace (lower right, with room made for
        it). When no state is shaded (none in the window) there is none, and a legend already
        on ``ax`` is left where it was.
    color, linewidth, ylabel, ax, title
        As in :func:`waveshow`.

    Returns
    -------
    PcgPlot
        ``(ax, line, spans, labels)``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from physiofeat import plot
    >>> sr = 1000
    >>> x = np.random.default_rng(0).standard_normal(2 * sr)
    >>> seg = [[0.1, 0.2, 1], [0.2, 0.5, 2], [0.5, 0.6, 3], [0.6, 1.1, 4], [1.1, 1.2, 1]]
    >>> out = plot.pcgshow(x, sr=sr, segmentation=seg)
    >>> len(out.spans), [t.get_text() for t in out.labels]
    (5, ['S1', 'S2', 'S1'])
    """
    iv = _intervals(segmentation)
    wf = waveshow(
        pcg,
        sr=sr,
        offset=offset,
        segments=iv,
        color=color,
        linewidth=linewidth,
        ylabel=ylabel,
        legend=False,
        ax=ax,
        title=title,
    )
    ax = wf.ax
    labels: list = []
    show = check_bool(label_sounds, "label_sounds") and iv.size > 0
    # the states' legend, drawn once below the trace, where it hides neither the trace nor the
    # labels; with no state shaded there is none, and a legend the caller had stays as it was
    leg = _wave_legend(ax, wf.spans, [], PCG_STATES, "lower right") if legend else None
    lo, hi = ax.get_ylim()
    if leg is not None:
        lo -= 0.3 * (hi - lo)
    if show:
        hi += 0.15 * (hi - lo)  # room for the labels
    ax.set_ylim(lo, hi)
    if show:
        t0, t1 = ax.get_xlim()
        trans = ax.get_xaxis_transform()
        for a, b, s in iv:
            if int(s) in (1, 3) and t0 <= 0.5 * (a + b) <= t1:
                labels.append(
                    ax.text(
                        0.5 * (a + b),
                        0.97,
                        PCG_STATES[int(s)],
                        transform=trans,
                        ha="center",
                        va="top",
                        fontsize="x-small",
                        color=_STATE_COLOURS[int(s)],
                        clip_on=True,
                    )
                )
    return PcgPlot(ax, wf.line, wf.spans, labels)
