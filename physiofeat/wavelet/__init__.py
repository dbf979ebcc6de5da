"""Wavelet features: multilevel DWT statistics and wavelet-packet energies (through PyWavelets),
and an FFT continuous wavelet transform batched over scales, with scales given in Hz.

Registered features: ``dwt`` (per-band statistics), ``wpt`` (packet band energies) and ``cwt``
(the scalogram ``|W|``, summarised by statistics over time per frequency row).
"""

from __future__ import annotations

import numpy as np

from .._features import Feature
from .._registry import register_feature
from .._validation import check_bool, check_int
from ._continuous import (
    _check_cwt_args,
    _check_freq_args,
    _check_power,
    _resolve_freqs,
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
        _check_power(p["power"])
        _check_hop(p["hop_length"])
        return
    _check_discrete(p["wavelet"], p["level"], p["mode"])
    if "order" in p:  # wpt
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
def _dwt(ctx, *, wavelet="db4", level=5, mode="symmetric"):
    values = dwt_features(ctx.x, wavelet=wavelet, level=level, mode=mode)
    n_bands = values.shape[-2]
    return Feature(
        values,
        dims=("band", "stat"),
        coords={"band": dwt_band_names(n_bands - 1), "stat": list(DWT_STATS)},
        attrs={"wavelet": wavelet, "level": n_bands - 1, "mode": mode},
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
    level = values.shape[-1].bit_length() - 1  # the depth used (level=None: the deepest)
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


@register_feature(
    "cwt",
    family="wavelet",
    dims=("freq", "time"),
    description="CWT scalogram |W| (FFT, batched over scales), cone of influence in attrs",
    params_from=scalogram,
    exclude=("workers",),
    check=_check_values,
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
    hop = _check_hop(hop_length)
    S = scalogram(
        ctx.x,
        sr=ctx.sr,
        freqs=freqs,
        fmin=fmin,
        fmax=fmax,
        n_freqs=n_freqs,
        wavelet=wavelet,
        norm=norm,
        pad_mode=pad_mode,
        power=power,
    )
    n = ctx.x.shape[-1]
    fr = _resolve_freqs(ctx.sr, freqs, fmin, fmax, n_freqs)
    idx = np.arange(0, n, hop)
    return Feature(
        np.ascontiguousarray(S[..., ::hop]),
        dims=("freq", "time"),
        coords={"freq": fr, "time": idx / ctx.sr, "freq_label": [f"{v:.4g}Hz" for v in fr]},
        attrs={
            "coi": cone_of_influence(n, sr=ctx.sr, wavelet=wavelet)[idx],
            "coi_units": "Hz: frequencies below coi[t] are affected by the edges",
            "scales": wavelet_center_frequency(wavelet) * ctx.sr / fr,
            "wavelet": wavelet,
        },
    )
