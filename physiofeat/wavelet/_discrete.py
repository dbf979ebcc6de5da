"""Discrete wavelet features on top of PyWavelets: multilevel DWT statistics and packet energies.

The decompositions themselves are PyWavelets' (``pywt.wavedec``, ``pywt.WaveletPacket``); this
module validates input, names the bands, and reduces the coefficients to features.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from .._errors import InvalidSignalError, ParameterError
from .._validation import as_signal, check_bool, check_choice, check_int, check_sr

__all__ = [
    "DWT_STATS",
    "wavedec",
    "dwt_band_names",
    "dwt_features",
    "wpt_energies",
    "wpt_band_names",
    "wpt_band_edges",
]

#: The deepest wavelet-packet level :func:`wpt_energies`, :func:`wpt_band_names` and
#: :func:`wpt_band_edges` accept. A level-``L`` packet has ``2**L`` bands, and PyWavelets builds
#: its tree as ``2**(L + 1) - 1`` Python node objects, the time doubling per level: level 16
#: takes ~1 s, 17 ~2 s, 20 ~15 s and ~1 M band names; level 40 had asked for 8 TiB. The bound
#: ``MAX_ARRAY_BYTES`` would give (``dwt_max_level`` of a 2**31-sample float32 signal with
#: 'haar', 31) is no cap: 2**31 names do not fit in memory. 20 keeps every level a packet
#: decomposition finishes in reasonable time and memory; the signal's own bound,
#: ``pywt.dwt_max_level(n, filter_length)``, applies below it.
MAX_WPT_LEVEL = 20

#: Statistics :func:`dwt_features` computes per band, in column order.
DWT_STATS: tuple[str, ...] = (
    "energy",
    "rel_energy",
    "entropy",
    "mean",
    "std",
    "mean_abs",
    "max_abs",
)

_MODES = (
    "zero",
    "constant",
    "symmetric",
    "periodic",
    "smooth",
    "periodization",
    "reflect",
    "antisymmetric",
    "antireflect",
)


def _pywt():
    import pywt

    return pywt


def _discrete_wavelet(wavelet):
    pywt = _pywt()
    if isinstance(wavelet, pywt.Wavelet):
        return wavelet
    if not isinstance(wavelet, str) or wavelet not in pywt.wavelist(kind="discrete"):
        families = ", ".join(pywt.families(short=True)[:7])
        raise ParameterError(
            f"unknown discrete wavelet {wavelet!r}; accepted: any name in "
            f"pywt.wavelist(kind='discrete') (families {families}; e.g. 'db4', 'sym8', "
            f"'coif3', 'bior3.9', 'rbio3.9', 'haar')"
        )
    return pywt.Wavelet(wavelet)


def _check_level_arg(level, what: str = "level") -> int | None:
    """A decomposition depth before it meets a signal: None or an int >= 1."""
    return check_int(level, what, minimum=1, allow_none=True)


def _check_discrete(wavelet, level, mode):
    """The wavelet (returned as a ``pywt.Wavelet``), level and extension mode of a DWT or
    wavelet packet, checked without the signal."""
    wav = _discrete_wavelet(wavelet)
    check_choice(mode, "mode", _MODES)
    _check_level_arg(level)
    return wav


def _check_wpt_level_arg(level, what: str = "level") -> int | None:
    """A packet depth before it meets a signal: None or an int in [1, MAX_WPT_LEVEL]."""
    level = _check_level_arg(level, what)
    if level is not None and level > MAX_WPT_LEVEL:
        raise ParameterError(
            f"{what}={level} is too deep for a wavelet packet: {what} must be in [1, "
            f"{MAX_WPT_LEVEL}] (a level-L packet has 2**L bands; level {level} would have "
            f"{2**level:,})"
        )
    return level


def _writable(x: np.ndarray) -> np.ndarray:
    """``x``, or a copy of it when it is read-only (``np.load(mmap_mode='r')``, a joblib memmap,
    ``setflags(write=False)``): PyWavelets' Cython core refuses read-only buffers."""
    return x if x.flags.writeable else x.copy()


def _check_order(order) -> str:
    return check_choice(order, "order", ("freq", "natural"))


def _check_level(level, n: int, wav, *, what: str = "level") -> int:
    level = _check_level_arg(level, what)
    pywt = _pywt()
    max_level = pywt.dwt_max_level(n, wav.dec_len)
    if max_level < 1:
        raise InvalidSignalError(
            f"signal of {n} samples is too short for even one level of {wav.name!r} "
            f"(filter length {wav.dec_len}): pywt.dwt_max_level({n}, {wav.dec_len}) = {max_level}; "
            f"at least {2 * (wav.dec_len - 1)} samples are needed"
        )
    if level is None:
        return max_level
    if level > max_level:
        raise ParameterError(
            f"{what}={level} is too deep for a signal of {n} samples with {wav.name!r} (filter "
            f"length {wav.dec_len}): the maximum level is pywt.dwt_max_level({n}, {wav.dec_len}) "
            f"= {max_level}"
        )
    return level


def wavedec(
    x,
    *,
    wavelet: str = "db4",
    level: int | None = 5,
    mode: str = "symmetric",
) -> list[np.ndarray]:
    """Multilevel discrete wavelet decomposition (``pywt.wavedec`` with validation).

    Parameters
    ----------
    x : np.ndarray [shape=(..., n)]
        Signal(s); the decomposition runs along the last axis.
    wavelet : str
        A discrete wavelet name from ``pywt.wavelist(kind='discrete')``.
    level : int or None
        Decomposition depth, at most ``pywt.dwt_max_level(n, filter_length)``; None uses that
        maximum.
    mode : str
        PyWavelets signal-extension mode (``'symmetric'``, ``'periodization'``...).

    Returns
    -------
    list of np.ndarray
        ``[cA_level, cD_level, ..., cD_1]``, each ``(..., m_j)``, as ``pywt.wavedec`` orders them.

    Examples
    --------
    >>> import numpy as np
    >>> from physiofeat.wavelet import wavedec
    >>> [c.shape[-1] for c in wavedec(np.ones(64), wavelet="haar", level=3)]
    [8, 8, 16, 32]
    """
    x = as_signal(x, ndim=(1, 2, 3))
    wav = _check_discrete(wavelet, level, mode)
    level = _check_level(level, x.shape[-1], wav)
    return _pywt().wavedec(_writable(x), wav, mode=mode, level=level, axis=-1)


def dwt_band_names(level: int) -> list[str]:
    """Band labels of a ``level``-deep DWT in ``pywt.wavedec`` order.

    Examples
    --------
    >>> from physiofeat.wavelet import dwt_band_names
    >>> dwt_band_names(3)
    ['a3', 'd3', 'd2', 'd1']
    """
    level = check_int(level, "level", minimum=1)
    return [f"a{level}"] + [f"d{j}" for j in range(level, 0, -1)]


def _band_stats(c: np.ndarray, total: np.ndarray) -> np.ndarray:
    """The :data:`DWT_STATS` of one band ``c (..., m)``; ``total`` is the energy of all bands."""
    c = c.astype(np.float64, copy=False)
    sq = c * c
    energy = sq.sum(axis=-1)
    # -sum(p log p) with p = c**2 / E  ==  log E - sum(c**2 log c**2) / E   (0 log 0 = 0)
    logsq = np.log(sq, out=np.zeros_like(sq), where=sq > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = energy / total
        entropy = np.log(energy) - np.einsum("...k,...k->...", sq, logsq) / energy
    entropy = np.where(energy > 0, entropy, 0.0)
    a = np.abs(c)
    cols = (energy, rel, entropy, c.mean(axis=-1), c.std(axis=-1), a.mean(axis=-1), a.max(axis=-1))
    return np.stack(cols, axis=-1)


def dwt_features(
    x,
    *,
    wavelet: str = "db4",
    level: int | None = 5,
    mode: str = "symmetric",
    per_sample: bool = False,
) -> np.ndarray:
    """Per-band statistics of a multilevel DWT.

    For each band ``b`` of ``pywt.wavedec`` (``a<level>, d<level>, ..., d1``) with coefficients
    ``c_b``, the columns are (:data:`DWT_STATS`):

    - ``energy``: ``sum(c_b**2)``
    - ``rel_energy``: energy over the total energy of all bands (NaN for an all-zero signal)
    - ``entropy``: Shannon entropy (nats) of the normalised coefficient energies
      ``p_k = c_k**2 / sum(c_b**2)``, ``-sum(p_k log p_k)`` (0 for an all-zero band)
    - ``mean``, ``std`` (population), ``mean_abs``, ``max_abs`` of the coefficients.

    The Shannon *wavelet entropy* across bands (Rosso et al. 2001) is
    ``-sum(r * log(r))`` over the ``rel_energy`` column.

    Parameters
    ----------
    x : np.ndarray [shape=(..., n)]
        Signal(s).
    wavelet, level, mode
        As in :func:`wavedec`. ``mode='periodization'`` with an orthogonal wavelet conserves
        energy when ``n`` is a multiple of ``2**level``: the band energies then sum to
        ``sum(x**2)`` (otherwise each level pads an odd length by one sample, and the sum is
        close to it, not equal).
    per_sample : bool
        Divide ``energy`` by the signal's length ``n``: each band's share of the mean power
        ``mean(x**2)`` (to which the bands then sum under periodization). A plain energy grows
        with the recording's duration; this does not, the form for feature vectors of
        recordings of unequal lengths. The other columns are unchanged.

    Returns
    -------
    np.ndarray [shape=(..., level + 1, len(DWT_STATS))], float64
        Rows in :func:`dwt_band_names` order, columns in :data:`DWT_STATS` order.

    Examples
    --------
    >>> import numpy as np
    >>> from physiofeat.wavelet import dwt_features, DWT_STATS
    >>> x = np.cos(2 * np.pi * 0.3 * np.arange(256))
    >>> f = dwt_features(x, wavelet="db4", level=3, mode="periodization")
    >>> f.shape
    (4, 7)
    >>> bool(np.isclose(f[:, 0].sum(), np.sum(x**2)))
    True
    """
    per_sample = check_bool(per_sample, "per_sample")
    coeffs = wavedec(x, wavelet=wavelet, level=level, mode=mode)
    total = sum(np.sum(np.square(c, dtype=np.float64), axis=-1) for c in coeffs)
    out = np.stack([_band_stats(c, total) for c in coeffs], axis=-2)
    if per_sample:
        out[..., 0] /= np.shape(x)[-1]
    return out


def _packet_paths(level: int, order: str) -> list[str]:
    """The node paths of ``pywt.WaveletPacket(...).get_level(level, order)``, without the tree:
    the natural-order path of packet ``j`` spells ``j`` in binary (``a`` = 0, ``d`` = 1), and
    the ``k``-th lowest-frequency packet is natural packet ``gray(k) = k ^ (k >> 1)``."""
    idx = np.arange(2**level, dtype=np.int64)
    if order == "freq":
        idx ^= idx >> 1
    return [format(j, f"0{level}b").translate(_AD) for j in idx.tolist()]


_AD = str.maketrans("01", "ad")


def wpt_band_names(level: int, *, order: Literal["freq", "natural"] = "freq") -> list[str]:
    """Node paths (``'a'`` = low-pass, ``'d'`` = high-pass) of the level-``level`` packets.

    Examples
    --------
    >>> from physiofeat.wavelet import wpt_band_names
    >>> wpt_band_names(2), wpt_band_names(2, order="natural")
    (['aa', 'ad', 'dd', 'da'], ['aa', 'ad', 'da', 'dd'])
    """
    level = _check_wpt_level(level)
    _check_order(order)
    return _packet_paths(level, order)


def _check_wpt_level(level) -> int:
    """A packet depth for the name and edge helpers: an int in [1, MAX_WPT_LEVEL]."""
    check_int(level, "level", minimum=1)  # None, a float, a bool: "must be an integer"
    return _check_wpt_level_arg(level)


def wpt_band_edges(
    level: int, *, sr: float, order: Literal["freq", "natural"] = "freq"
) -> np.ndarray:
    """Nominal frequency band ``[lo, hi]`` in Hz of each packet, in ``order``.

    With ``order='freq'`` packet ``k`` nominally covers ``[k, k + 1] * (sr / 2) / 2**level``
    (real filters overlap; the edges are the ideal ones).

    Examples
    --------
    >>> from physiofeat.wavelet import wpt_band_edges
    >>> wpt_band_edges(2, sr=800, order="natural").tolist()
    [[0.0, 100.0], [100.0, 200.0], [300.0, 400.0], [200.0, 300.0]]
    """
    sr = check_sr(sr)
    level = _check_wpt_level(level)
    _check_order(order)
    width = sr / 2 / 2**level
    k = np.arange(2**level, dtype=np.int64)
    if order == "natural":  # natural packet j is the k-th in frequency, k = inverse gray(j)
        shift = 1
        while shift < level:
            k ^= k >> shift
            shift *= 2
    k = k.astype(np.float64)
    return np.stack([k * width, (k + 1) * width], axis=-1)


def wpt_energies(
    x,
    *,
    wavelet: str = "db4",
    level: int | None = 4,
    mode: str = "symmetric",
    order: Literal["freq", "natural"] = "freq",
    relative: bool = False,
) -> np.ndarray:
    """Energies of the level-``level`` wavelet-packet bands (``pywt.WaveletPacket``).

    Parameters
    ----------
    x : np.ndarray [shape=(..., n)]
        Signal(s).
    wavelet : str
        A discrete wavelet from ``pywt.wavelist(kind='discrete')``.
    level : int or None
        Packet depth (``2**level`` bands), at most ``pywt.dwt_max_level(n, filter_length)``
        and ``MAX_WPT_LEVEL`` (20); None uses the smaller of the two.
    mode : str
        PyWavelets signal-extension mode.
    order : {'freq', 'natural'}
        ``'freq'``: bands by increasing frequency (``pywt`` frequency order: band ``k`` nominally
        covers ``[k, k + 1] * sr / 2**(level + 1)``); ``'natural'``: PyWavelets' natural (filter
        bank, Paley) order. :func:`wpt_band_names` gives the node paths in either order and
        :func:`wpt_band_edges` their nominal band edges.
    relative : bool
        Divide by the total energy of the level, so the bands sum to 1.

    Returns
    -------
    np.ndarray [shape=(..., 2**level)], float64
        ``sum(c**2)`` of each packet's coefficients.

    Examples
    --------
    >>> import numpy as np
    >>> from physiofeat.wavelet import wpt_energies
    >>> sr = 800
    >>> x = np.sin(2 * np.pi * 250 * np.arange(sr) / sr)
    >>> e = wpt_energies(x, wavelet="db8", level=2, relative=True)
    >>> int(np.argmax(e))  # 250 Hz lies in the third of four 100 Hz bands
    2
    """
    x = as_signal(x, ndim=(1, 2, 3))
    wav = _check_discrete(wavelet, level, mode)
    _check_wpt_level_arg(level)
    _check_order(order)
    relative = check_bool(relative, "relative")
    level = _check_level(level, x.shape[-1], wav)
    level = min(level, MAX_WPT_LEVEL)  # level=None: the signal's maximum, within the cap
    wp = _pywt().WaveletPacket(_writable(x), wav, mode=mode, maxlevel=level, axis=-1)
    nodes = wp.get_level(level, order=order)
    e = np.stack(
        [np.sum(np.square(node.data, dtype=np.float64), axis=-1) for node in nodes], axis=-1
    )
    if relative:
        with np.errstate(invalid="ignore", divide="ignore"):
            e = e / e.sum(axis=-1, keepdims=True)
    return e
