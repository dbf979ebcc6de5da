"""Wavelet features: multilevel DWT statistics and wavelet-packet energies (through PyWavelets),
and an FFT continuous wavelet transform batched over scales, with scales given in Hz.

Registered features: ``dwt`` (per-band statistics), ``wpt`` (packet band energies) and ``cwt``
(the scalogram ``|W|``, summarised by statistics over time per frequency row).
"""

from __future__ import annotations

import numpy as np

from .._errors import ParameterError
from .._features import Feature
from .._registry import register_feature
from .._validation import check_bool, check_int, check_length
from ._continuous import (
    _check_cwt_args,
    _check_freq_args,
    _check_power,
    cone_of_influence,
    cwt,
    cwt_frequencies,
    frequencies_to_scales,
    scalogram,
    wavelet_center_frequency,
)
from ._discrete import (
    DWT_STATS,
    _check_discrete,
    _check_order,
    _check_wpt_level_arg,
    dwt_band_names,
    dwt_features,
    wavedec,
    wpt_band_edges,
    wpt_band_names,
    wpt_energies,
)

__all__ = [
    "DWT_STATS",
    "wavedec",
    "dwt_band_names",
    "dwt_features",
    "wpt_energies",
    "wpt_band_names",
    "wpt_band_edges",
    "cwt",
    "scalogram",
    "cwt_frequencies",
    "frequencies_to_scales",
    "cone_of_influence",
    "wavelet_center_frequency",
]


def _check_hop(hop_length) -> int:
    return check_int(hop_length, "hop_length", minimum=1)


def _check_values(p: dict) -> None:
    """The signal-independent checks of a wavelet feature's parameters (wavelet names, level,
    modes, packet order, CWT frequencies, norm, power, hop): run by ``resolve_params`` before
    any work. The level against the signal length and the frequencies against the Nyquist
    frequency are checked in compute."""
    if "n_freqs" in p:  # cwt
        _check_cwt_args(p["wavelet"], p["norm"], p["pad_mode"])
        _check_freq_args(p["freqs"], p["fmin"], p["fmax"], p["n_freqs"])
        if p["freqs"] is None:
            _feature_freqs(None, p["fmin"], p["fmax"], p["n_freqs"])
        _check_power(p["power"])
        _check_hop(p["hop_length"])
        return
    _check_discrete(p["wavelet"], p["level"], p["mode"])
    if p["level"] is None:
        raise ParameterError(
            "level=None (the deepest level each signal allows) would give signals of other "
            "lengths other columns, which no feature table can hold; pass a level (an int >= 1; "
            "pywt.dwt_max_level(n, filter length) is the deepest for n samples), or use "
            "physiofeat.wavelet.dwt_features / wpt_energies for one signal"
        )
    if "per_sample" in p:  # dwt
        check_bool(p["per_sample"], "per_sample")
    if "order" in p:  # wpt
        _check_wpt_level_arg(p["level"])
        _check_order(p["order"])
        check_bool(p["relative"], "relative")


@register_feature(
    "dwt",
    family="wavelet",
    dims=("band", "stat"),
    description="per-band DWT statistics (energy, relative energy, entropy, mean, std...)",
    params_from=dwt_features,
    check=_check_values,
)
def _dwt(ctx, *, wavelet="db4", level=5, mode="symmetric", per_sample=False):
    values = dwt_features(ctx.x, wavelet=wavelet, level=level, mode=mode, per_sample=per_sample)
    n_bands = values.shape[-2]
    return Feature(
        values,
        dims=("band", "stat"),
        coords={"band": dwt_band_names(n_bands - 1), "stat": list(DWT_STATS)},
        attrs={"wavelet": wavelet, "level": n_bands - 1, "mode": mode, "per_sample": per_sample},
    )


@register_feature(
    "wpt",
    family="wavelet",
    dims=("band",),
    description="wavelet-packet band energies (frequency order by default)",
    params_from=wpt_energies,
    check=_check_values,
)
def _wpt(ctx, *, wavelet="db4", level=4, mode="symmetric", order="freq", relative=False):
    values = wpt_energies(
        ctx.x, wavelet=wavelet, level=level, mode=mode, order=order, relative=relative
    )
    level = values.shape[-1].bit_length() - 1  # the depth used
    return Feature(
        values,
        dims=("band",),
        coords={"band": wpt_band_names(level, order=order)},
        attrs={
            "band_edges_hz": wpt_band_edges(level, sr=ctx.sr, order=order),
            "wavelet": wavelet,
            "order": order,
        },
    )


#: The ``cwt`` feature's default frequency range in Hz (``fmin=None`` / ``fmax=None``): fixed,
#: not relative to the rate, so a request gives the same columns (``cwt_20Hz_mean``...) for
#: recordings of any rate. The heart-sound band; pass ``fmin``/``fmax`` or ``freqs`` for others.
CWT_FEATURE_FMIN_HZ = 20.0
CWT_FEATURE_FMAX_HZ = 800.0
#: The cwt feature's scalogram (frequencies x samples, before ``hop_length``) has at most this
#: many elements per call (512 MiB of float64; 2**20 samples, 8.7 min at 2 kHz, at 64
#: frequencies; 1 h of 500 Hz ECG, 1.8 M samples, had peaked at 2.7 GB): a longer recording
#: is refused with how to split it.
CWT_FEATURE_MAX_ELEMENTS = 2**26


def _freq_labels(freqs: np.ndarray) -> list[str]:
    """Column labels of the cwt feature's frequencies: 4 significant digits (``'50Hz'``), more
    where two frequencies would share a label (``'50.001Hz'``, ``'50.002Hz'``)."""
    for digits in range(4, 18):
        labels = [f"{v:.{digits}g}Hz" for v in freqs]
        if len(set(labels)) == len(labels):
            return labels
    dup = sorted({float(v) for v in freqs if np.sum(freqs == v) > 1})
    raise ParameterError(f"freqs holds {dup} Hz more than once; give each frequency once")


def _feature_freqs(freqs, fmin, fmax, n_freqs) -> np.ndarray:
    """The ``cwt`` feature's frequencies in Hz: ``freqs``, else ``n_freqs`` log-spaced from
    ``fmin`` (default :data:`CWT_FEATURE_FMIN_HZ`) to ``fmax`` (default
    :data:`CWT_FEATURE_FMAX_HZ`); never dependent on the rate."""
    if freqs is not None:
        return np.atleast_1d(np.asarray(freqs, dtype=np.float64))
    lo = CWT_FEATURE_FMIN_HZ if fmin is None else fmin
    hi = CWT_FEATURE_FMAX_HZ if fmax is None else fmax
    if hi < lo:
        which = (
            f"the default fmin={CWT_FEATURE_FMIN_HZ:g} Hz"
            if fmin is None
            else f"the default fmax={CWT_FEATURE_FMAX_HZ:g} Hz"
            if fmax is None
            else "fmin"
        )
        raise ParameterError(
            f"fmax must be >= fmin; got fmin={lo:g} Hz, fmax={hi:g} Hz ({which} of the cwt "
            "feature applies: pass both fmin and fmax)"
        )
    return cwt_frequencies(fmin=lo, fmax=hi, n_freqs=n_freqs)


@register_feature(
    "cwt",
    family="wavelet",
    dims=("freq", "time"),
    description="CWT scalogram |W| (FFT, batched over scales), cone of influence in attrs",
    params_from=scalogram,
    exclude=("workers",),
    check=_check_values,
    meanings={"norm": "the wavelet normalisation", "pad_mode": "the CWT's signal extension"},
)
def _cwt(
    ctx,
    *,
    freqs=None,
    fmin=None,
    fmax=None,
    n_freqs=64,
    wavelet="cmor1.5-1.0",
    norm="l2",
    pad_mode="zero",
    power=1.0,
    hop_length=1,
):
    """The scalogram at frequencies fixed by the request, never by the rate: the default range
    is :data:`CWT_FEATURE_FMIN_HZ` to :data:`CWT_FEATURE_FMAX_HZ`, and rows at or above a
    recording's Nyquist frequency (which cannot exist in it) are NaN, so recordings of every
    rate give the same columns."""
    hop = _check_hop(hop_length)
    fr = _feature_freqs(freqs, fmin, fmax, n_freqs)
    check_length(
        ctx.x,
        ctx.sr,
        f"the cwt feature with {fr.size} frequencies",
        max(1, CWT_FEATURE_MAX_ELEMENTS // (fr.size * max(1, ctx.x.size // ctx.x.shape[-1]))),
    )
    inside = fr < ctx.sr / 2.0
    n = ctx.x.shape[-1]
    idx = np.arange(0, n, hop)
    dtype = np.float32 if ctx.x.dtype == np.float32 else np.float64
    S = np.full(ctx.x.shape[:-1] + (fr.size, idx.size), np.nan, dtype=dtype)
    if not np.all(np.isfinite(fr) & (fr > 0)):
        inside[:] = True  # scalogram's error names the bad frequency
    if inside.any():
        S[..., inside, :] = scalogram(
            ctx.x,
            sr=ctx.sr,
            freqs=fr[inside],
            wavelet=wavelet,
            norm=norm,
            pad_mode=pad_mode,
            power=power,
        )[..., ::hop]
    return Feature(
        S,
        dims=("freq", "time"),
        coords={"freq": fr, "time": idx / ctx.sr, "freq_label": _freq_labels(fr)},
        attrs={
            "nan_above_nyquist_hz": fr[~inside],
            "coi": cone_of_influence(n, sr=ctx.sr, wavelet=wavelet)[idx],
            "coi_units": "Hz: frequencies below coi[t] are affected by the edges",
            "scales": wavelet_center_frequency(wavelet) * ctx.sr / fr,
            "wavelet": wavelet,
        },
    )
