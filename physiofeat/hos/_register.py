"""Registry entries of the higher-order-spectra family.

One set of segment spectra (intermediate ``hos_spectra``) feeds both ``bispectrum`` and
``bicoherence`` within an :func:`physiofeat.extract` call.
"""

from __future__ import annotations

import numpy as np

from .._features import Feature
from .._registry import register_feature, register_intermediate
from .._validation import check_workers
from . import _core as C


@register_intermediate("hos_spectra")
def _hos_spectra(ctx, *, n_fft, hop_length, window, detrend, workers):
    x = ctx.x
    n_fft, hop_length = C._check_framing(x.shape[-1], n_fft, hop_length)
    detrend = C._check_detrend(detrend)
    rows = x.reshape(-1, x.shape[-1])
    X = C._segment_spectra(rows, n_fft, hop_length, window, detrend, workers)
    return n_fft, np.ascontiguousarray(X)


def _check_values(p: dict) -> None:
    """The signal-independent checks of a HOS feature's parameters (n_fft, hop_length, window,
    detrend, workers): run by ``resolve_params`` before any work."""
    n_fft, _ = C._check_segments(p["n_fft"], p["hop_length"])
    C._check_window(p["window"], n_fft)
    C._check_detrend(p["detrend"])
    check_workers(p["workers"])


def _summarize(feature: Feature, stats):
    f1 = feature.coords["freq1"]
    f2 = feature.coords["freq2"]
    names, vals = C.scalar_features(feature.values, f1, f2)
    return [f"{feature.name}_{n}" for n in names], vals


def _finish(ctx, a, n_fft, what, p):
    a = a.reshape(ctx.x.shape[:-1] + a.shape[1:])
    f1, f2 = C.bispectrum_frequencies(sr=ctx.sr, n_fft=n_fft)
    return Feature(
        a,
        dims=("freq1", "freq2"),
        coords={"freq1": f1, "freq2": f2},
        attrs={"what": what, "domain": "0 <= f2 <= f1, f1 + f2 <= sr/2 (NaN outside)"},
    )


_SPECTRA = ("n_fft", "hop_length", "window", "detrend", "workers")


@register_feature(
    "bispectrum",
    family="hos",
    dims=("freq1", "freq2"),
    needs=("hos_spectra",),
    description="direct bispectrum magnitude |B(f1,f2)| on the principal domain",
    params_from=C.bispectrum,
    exclude=("full",),
    summarize=_summarize,
    check=_check_values,
)
def _bispectrum(ctx, **p):
    n_fft, X = ctx.get("hos_spectra", **{k: p[k] for k in _SPECTRA})
    return _finish(ctx, np.abs(C._spectra_to_bispectrum(X, n_fft)), n_fft, "|B|", p)


@register_feature(
    "bicoherence",
    family="hos",
    dims=("freq1", "freq2"),
    needs=("hos_spectra",),
    description="squared bicoherence (Kim & Powers) on the principal domain",
    params_from=C.bicoherence,
    exclude=("full",),
    summarize=_summarize,
    check=_check_values,
)
def _bicoherence(ctx, **p):
    n_fft, X = ctx.get("hos_spectra", **{k: p[k] for k in _SPECTRA})
    hop = C._check_segments(n_fft, p["hop_length"])[1]
    C._warn_one_segment(ctx.x.shape[-1], n_fft, hop, X.shape[1])
    return _finish(ctx, C._spectra_to_bicoherence(X, n_fft)[1], n_fft, "b^2", p)
