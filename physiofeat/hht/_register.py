"""Registry entries of the HHT family: one ``imfs`` intermediate feeds ``emd``, ``hht``,
``hilbert_spectrum`` and ``marginal_spectrum`` within an :func:`physiofeat.extract` call.

``.vector()`` has a fixed length although the number of IMFs varies from signal to signal:
``emd`` and ``hht`` summarise a fixed number of IMF *slots* (``n_slots``, default 8), the first
IMFs in sifting order (highest frequency first). A slot beyond the signal's IMF count is NaN,
never shifted or zero-filled, so column ``hht_imf3_freq_mean`` always means the fourth IMF.
``emd``'s slots hold ``stats`` over time of each IMF; ``hht``'s hold the five values of
:func:`~physiofeat.hht.imf_features` whatever ``stats`` (see :func:`_summarize_hht`).
"""

from __future__ import annotations

import inspect
import warnings

import numpy as np

from .._features import STAT_FUNCS, Feature
from .._registry import register_feature, register_intermediate
from .._validation import check_choice, check_int, check_length
from ._emd import ceemdan, check_max_imfs, check_seed, check_stop, check_trials, eemd, emd
from ._hilbert import (
    IMF_FEATURES,
    check_bins,
    check_mode,
    check_scaling,
    hilbert_spectrum,
    imf_features,
    instantaneous,
    scale_marginal,
)

_METHODS = {"emd": emd, "eemd": eemd, "ceemdan": ceemdan}
_TRIALS = inspect.signature(eemd).parameters["trials"].default
_N_BINS = inspect.signature(hilbert_spectrum).parameters["n_bins"].default
#: The parameters of the shared decomposition (the ``imfs`` intermediate) that every hht
#: feature takes and passes on.
_DECOMPOSITION = ("method", "max_imfs", "trials", "seed", "stop", "stop_thresh")


def _decomposition(params: dict) -> dict:
    """The decomposition's parameters among a feature's (its ``locals()``)."""
    return {k: params[k] for k in _DECOMPOSITION}


def _check_decomposition(method, max_imfs, trials, seed, stop="pyemd", stop_thresh=None) -> str:
    """The checked ``method``; ``max_imfs``, ``trials``, ``seed`` and the sifting stop rule
    are checked also when method='emd' ignores trials and seed: a typo must not pass silently."""
    method = check_choice(method, "method", tuple(_METHODS))
    check_max_imfs(max_imfs)
    check_trials(trials)
    check_seed(seed)
    check_stop(stop, stop_thresh)
    return method


def _check_n_slots(n_slots) -> int:
    return check_int(n_slots, "n_slots", minimum=1)


def _check_values(p: dict) -> None:
    """The signal-independent checks of an HHT feature's parameters (decomposition, IMF slots,
    Hilbert-spectrum bins and mode): run by ``resolve_params`` before any work."""
    _check_decomposition(
        p["method"], p["max_imfs"], p["trials"], p["seed"], p["stop"], p["stop_thresh"]
    )
    if "n_slots" in p:
        _check_n_slots(p["n_slots"])
    if "n_bins" in p:
        check_bins(p["n_bins"], p["fmin"], p["fmax"])  # fmax=None (sr/2) is checked in compute
        check_mode(p["mode"])
    if "scaling" in p:
        check_scaling(p["scaling"])


#: The hht features decompose signals of at most this many samples (4.4 min at 2 kHz, 17 min
#: at 500 Hz). EMD's time and the IMFs, instantaneous frequencies and Hilbert spectrum held for
#: it grow with the length (the four features peaked at 3 GB on 10 min at 2 kHz, ~1.8 GB at this limit); a longer
#: signal is refused with how to split it, which :func:`physiofeat.extract_many` and the CLI
#: do with ``segment=`` / ``--segment``, computing the segments a few at a time.
HHT_FEATURE_MAX_SAMPLES = 2**19


@register_intermediate("imfs")
def _imfs(
    ctx, *, method="emd", max_imfs=None, trials=_TRIALS, seed=0, stop="pyemd", stop_thresh=None
):
    """The decomposition (an :class:`EMDResult`) of ``ctx.x`` by ``method``, sifting each IMF
    until ``stop`` (:func:`physiofeat.hht.emd`'s rules) says so."""
    method = _check_decomposition(method, max_imfs, trials, seed, stop, stop_thresh)
    check_length(ctx.x, ctx.sr, "the hht family (emd, hht, ...)", HHT_FEATURE_MAX_SAMPLES)
    sift = dict(max_imfs=max_imfs, stop=stop, stop_thresh=stop_thresh)
    if method == "emd":
        return emd(ctx.x, **sift)
    return _METHODS[method](ctx.x, trials=trials, seed=seed, **sift)


@register_intermediate("instantaneous")
def _inst(ctx, **p):
    return instantaneous(ctx.get("imfs", **p).imfs, sr=ctx.sr)


def _n_imfs(feature: Feature) -> np.ndarray:
    return np.atleast_1d(np.asarray(feature.attrs["n_imfs"]))


def _slots(feature: Feature, per_imf: dict[str, np.ndarray]):
    """Columns ``<name>_imf<k>_<key>`` for k < n_slots; NaN where the signal has no IMF k."""
    n_slots = int(feature.attrs["n_slots"])
    n_imfs = _n_imfs(feature)
    keys = list(per_imf)
    first = np.asarray(per_imf[keys[0]])
    batch = first.ndim == 2
    rows = first.shape[0] if batch else 1
    out = np.full((rows, n_slots, len(keys)), np.nan)
    for j, key in enumerate(keys):
        v = np.asarray(per_imf[key], dtype=np.float64).reshape(rows, -1)
        k = min(n_slots, v.shape[1])
        out[:, :k, j] = v[:, :k]
    have = np.arange(n_slots)[None, :] < n_imfs[:, None]
    out[~have] = np.nan
    names = [f"{feature.name}_imf{k}_{key}" for k in range(n_slots) for key in keys]
    out = out.reshape(rows, -1)
    return names, (out if batch else out[0])


def _summarize_emd(feature: Feature, stats):
    vals = np.asarray(feature.values, dtype=np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        per = {s: STAT_FUNCS[s](vals, axis=-1) for s in stats}
    return _slots(feature, per)


def _summarize_hht(feature: Feature, stats):
    """The slots of :func:`imf_features` (energy share, mean and std of the instantaneous
    frequency and amplitude), deliberately whatever ``stats``: the energy share is no statistic
    over time, the frequency statistics leave out an all-zero IMF, the columns stay those of
    the public function, and the min and max of an instantaneous frequency are its Hilbert
    phase's spikes at amplitude minima. Other statistics: ``feats["hht"].values`` (frequency)
    and ``.attrs["amplitude"]``, or ``emd`` with ``stats=``."""
    return _slots(feature, feature.attrs["imf_features"])


def _times(ctx) -> np.ndarray:
    return np.arange(ctx.x.shape[-1]) / ctx.sr


def _ignored(p: dict) -> dict[str, str]:
    """``trials`` and ``seed`` drive the added noise of EEMD/CEEMDAN; plain EMD has none."""
    if p["method"] == "emd":
        why = "uses {} only with method='eemd' or 'ceemdan' (noise-assisted); this request has "
        return {k: why.format(k) + "method='emd'" for k in ("trials", "seed")}
    return {}


@register_feature(
    "emd",
    family="hht",
    dims=("imf", "time"),
    needs=("imfs",),
    check=_check_values,
    ignores=_ignored,
    description="Intrinsic mode functions (EMD/EEMD/CEEMDAN); vector: stats of the first n_slots IMFs",
    summarize=_summarize_emd,
)
def _emd_feature(
    ctx,
    *,
    method="emd",
    max_imfs=None,
    trials=_TRIALS,
    seed=0,
    stop="pyemd",
    stop_thresh=None,
    n_slots=8,
):
    r = ctx.get("imfs", **_decomposition(locals()))
    n_slots = _check_n_slots(n_slots)
    return Feature(
        r.imfs,
        dims=("imf", "time"),
        coords={"time": _times(ctx)},
        attrs={"n_imfs": r.n_imfs, "n_slots": n_slots, "residue": r.residue, "n_sifts": r.n_sifts},
    )


@register_feature(
    "hht",
    family="hht",
    dims=("imf", "time"),
    needs=("imfs",),
    check=_check_values,
    ignores=_ignored,
    description="Hilbert instantaneous frequency (Hz) per IMF; vector: per-IMF energy share and "
    "mean/std of instantaneous frequency and amplitude for n_slots IMFs (imf_features; fixed, "
    "stats= does not apply)",
    summarize=_summarize_hht,
)
def _hht_feature(
    ctx,
    *,
    method="emd",
    max_imfs=None,
    trials=_TRIALS,
    seed=0,
    stop="pyemd",
    stop_thresh=None,
    n_slots=8,
):
    p = _decomposition(locals())
    n_slots = _check_n_slots(n_slots)
    r = ctx.get("imfs", **p)
    if r.imfs.shape[-2]:
        ins = ctx.get("instantaneous", **p)
        freq, amp = ins.frequency, ins.amplitude
        feats = imf_features(r.imfs, sr=ctx.sr, residue=r.residue)
    else:  # no IMF (a constant, monotonic or 1-2 sample signal): nothing to analyse
        freq = amp = np.zeros(r.imfs.shape)
        feats = {k: np.zeros(r.imfs.shape[:-1]) for k in IMF_FEATURES}
    return Feature(
        freq,
        dims=("imf", "time"),
        coords={"time": _times(ctx)},
        attrs={
            "n_imfs": r.n_imfs,
            "n_slots": n_slots,
            "unit": "Hz",
            "amplitude": amp,
            "imf_features": feats,
        },
    )


def _spectrum(ctx, decomposition, n_bins, fmin, fmax, mode):
    r = ctx.get("imfs", **decomposition)
    imfs = r.imfs
    if imfs.shape[-2] == 0:  # no IMF: an empty (all-zero) spectrum
        imfs = np.zeros(imfs.shape[:-2] + (1, imfs.shape[-1]))
    return hilbert_spectrum(imfs, sr=ctx.sr, n_bins=n_bins, fmin=fmin, fmax=fmax, mode=mode)


@register_feature(
    "hilbert_spectrum",
    family="hht",
    dims=("freq", "time"),
    needs=("imfs",),
    check=_check_values,
    ignores=_ignored,
    description="Hilbert spectrum H(f, t) of the IMFs (amplitude or energy per frequency bin)",
    meanings={"mode": "amplitude or energy"},
)
def _hs_feature(
    ctx,
    *,
    method="emd",
    max_imfs=None,
    trials=_TRIALS,
    seed=0,
    stop="pyemd",
    stop_thresh=None,
    n_bins=_N_BINS,
    fmin=0.0,
    fmax=None,
    mode="amplitude",
):
    f, H = _spectrum(ctx, _decomposition(locals()), n_bins, fmin, fmax, mode)
    return Feature(
        H, dims=("freq", "time"), coords={"freq": f, "time": _times(ctx)}, attrs={"mode": mode}
    )


@register_feature(
    "marginal_spectrum",
    family="hht",
    dims=("freq",),
    needs=("imfs",),
    check=_check_values,
    ignores=_ignored,
    description="Marginal Hilbert spectrum: the Hilbert spectrum summed over time "
    "(scaling='spectrum': averaged; 'density': per Hz)",
    meanings={"mode": "amplitude or energy"},
)
def _ms_feature(
    ctx,
    *,
    method="emd",
    max_imfs=None,
    trials=_TRIALS,
    seed=0,
    stop="pyemd",
    stop_thresh=None,
    n_bins=_N_BINS,
    fmin=0.0,
    fmax=None,
    mode="amplitude",
    scaling=None,
):
    """``scaling`` as :func:`physiofeat.hht.marginal_spectrum`: None sums over the samples
    (growing with the duration), 'spectrum' averages over them, 'density' also divides by sr."""
    f, H = _spectrum(ctx, _decomposition(locals()), n_bins, fmin, fmax, mode)
    h = scale_marginal(H.sum(axis=-1), H.shape[-1], ctx.sr, scaling)
    return Feature(h, dims=("freq",), coords={"freq": f}, attrs={"mode": mode, "scaling": scaling})
