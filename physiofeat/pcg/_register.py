"""Registration of the heart-sound (``pcg``) features and the ``heart_sound`` preset.

Every ``pcg`` feature draws on one shared intermediate, ``pcg_segmentation``: within one
:func:`physiofeat.extract` call the recording is segmented once (:func:`physiofeat.pcg.segment`)
however many ``pcg`` features are asked for. A recording ``segment`` refuses (too short, silent)
gets an empty segmentation, NaN cycle features and a :class:`~physiofeat.pcg.PcgWarning`, so a
table keeps its row. ``segmentation=`` (a
:class:`~physiofeat.pcg.Segmentation` or ``(n, 3)`` interval rows, one signal only) replaces the
segmenter, e.g. by a reference annotation: ``extract(x, "heart_sound", sr=sr,
segmentation=seg)``.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .._errors import InvalidSignalError, ParameterError
from .._features import STAT_FUNCS, Feature
from .._registry import register_feature, register_intermediate, register_preset
from . import _cycles as C
from ._baseline import BASELINE_NAMES, baseline_features
from ._quality import QUALITY_NAMES, _check_hr, signal_quality
from ._segmentation import S1, S2, Segmentation


def _rows(ctx) -> list[np.ndarray]:
    return [ctx.x] if not ctx.batched else [ctx.x[i] for i in range(ctx.x.shape[0])]


@register_intermediate("pcg_segmentation")
def _pcg_segmentation(ctx, *, segmentation=None, model=None, warn=True) -> list[Segmentation]:
    """One :class:`Segmentation` per signal: the given one, or :func:`segment`'s (with ``model``);
    ``warn=False`` for a caller that raises the refusal itself (``pcg_intervals(strict=True)``)."""
    if segmentation is not None:
        if ctx.batched:
            raise ParameterError(
                f"segmentation= describes one recording; got a batch of {ctx.x.shape[0]} "
                f"signals: extract them one at a time, or leave segmentation=None to segment each"
            )
        return [C._as_segmentation(segmentation, ctx.sr)]
    from ._core import segment

    out = []
    for k, x in enumerate(_rows(ctx)):
        try:
            out.append(segment(x, sr=ctx.sr, model=model))
        except InvalidSignalError as exc:  # too short or silent: NaN features, not an error
            # (a batch of one, such as a record's chosen channel, has no other to tell apart)
            where = f"signal {k}: " if ctx.batched and np.shape(ctx.x)[0] > 1 else ""
            if warn:
                warnings.warn(
                    f"{where}{exc}; its cycle and per-state features are NaN",
                    C.PcgWarning,
                    stacklevel=2,
                )
            out.append(
                Segmentation.from_intervals(
                    np.zeros((0, 3)), sr=ctx.sr, n_samples=x.shape[-1], attrs={"error": str(exc)}
                )
            )
    return out


def _segs(ctx, segmentation, model=None) -> list[tuple[np.ndarray, Segmentation]]:
    segs = ctx.get("pcg_segmentation", segmentation=segmentation, model=model)
    return list(zip(_rows(ctx), segs))


def _check_segmentation(p: dict) -> None:
    seg, model = p.get("segmentation"), p.get("model")
    if seg is not None:
        C._as_segmentation(seg, 1.0)  # the rows' shape, codes, order (rate-free)
        if model is not None:
            raise ParameterError(
                "segmentation= and model= were both given: a given segmentation is used as it "
                "is, so the segmenter model would be ignored; pass one of them"
            )
    if model is not None:
        from ._hsmm import _as_model

        _as_model(model)  # None, a SegmenterModel, or the path of a readable model JSON


def _finish(ctx, rows: list[np.ndarray]) -> np.ndarray:
    vals = np.stack(rows)
    return vals if ctx.batched else vals[0]


# ---------------------------------------------------------------------------------------------
# pcg_cycles: the per-cycle table


def _summarize_cycles(feature: Feature, stats: tuple[str, ...]):
    vals = np.asarray(feature.values, dtype=np.float64)
    names, cols = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows give NaN on purpose
        for k, q in enumerate(C.CYCLE_QUANTITIES):
            row = vals[..., k, :]
            for s in stats:
                names.append(f"{feature.name}_{q}_{s}")
                cols.append(
                    STAT_FUNCS[s](row, axis=-1)
                    if row.shape[-1]
                    else np.full(row.shape[:-1], np.nan)
                )
        n = np.sum(np.isfinite(vals[..., 0, :]), axis=-1).astype(np.float64)
    return [f"{feature.name}_n_cycles", *names], np.stack([n, *cols], axis=-1)


@register_feature(
    "pcg_cycles",
    family="pcg",
    dims=("quantity", "cycle"),
    needs=("pcg_segmentation",),
    summarize=_summarize_cycles,
    check=_check_segmentation,
    description="per-cycle RR, S1, systole, S2, diastole (s), their ratios and amplitude ratios",
)
def _pcg_cycles(ctx, *, segmentation=None, model=None) -> Feature:
    tables = []
    for x, seg in _segs(ctx, segmentation, model):
        t = C.cycle_table(x, sr=ctx.sr, segmentation=seg)
        tables.append(np.stack([t[q] for q in C.CYCLE_QUANTITIES]))
    nc = max(t.shape[1] for t in tables)
    out = np.full((len(tables), len(C.CYCLE_QUANTITIES), nc), np.nan)
    for i, t in enumerate(tables):
        out[i, :, : t.shape[1]] = t
    return Feature(
        out if ctx.batched else out[0],
        dims=("quantity", "cycle"),
        coords={"quantity": list(C.CYCLE_QUANTITIES)},
        attrs={"units": "s (ratios: 1)", "padding": "NaN after the last cycle of a batch row"},
    )


# ---------------------------------------------------------------------------------------------
# pcg_intervals: the segmentation itself

#: ``pcg_intervals``: the columns of each interval row (CirCor's ``.tsv`` columns)
INTERVAL_FIELDS: tuple[str, ...] = ("start_s", "end_s", "state")
#: ``pcg_intervals``' vector: the segmenter's heart rate (bpm) and systolic interval (s), the
#: number of S1 and S2 sounds and of complete cycles (:meth:`Segmentation.cycles`)
INTERVAL_SUMMARY: tuple[str, ...] = ("heart_rate", "systolic_interval", "n_s1", "n_s2", "n_cycles")


def _interval_summary(seg: Segmentation) -> np.ndarray:
    return np.array(
        [
            seg.heart_rate,
            seg.systolic_interval,
            len(seg.sounds(S1)),
            len(seg.sounds(S2)),
            len(seg.cycles()),
        ],
        dtype=np.float64,
    )


def _summarize_intervals(feature: Feature, stats: tuple[str, ...]):
    names = [f"{feature.name}_{k}" for k in INTERVAL_SUMMARY]
    return names, np.asarray(feature.attrs["summary"], dtype=np.float64)


def _check_intervals(p: dict) -> None:
    from .._validation import check_bool

    _check_segmentation(p)
    check_bool(p["strict"], "strict")


@register_feature(
    "pcg_intervals",
    family="pcg",
    dims=("interval", "field"),
    needs=("pcg_segmentation",),
    summarize=_summarize_intervals,
    check=_check_intervals,
    description="the segmentation: (start_s, end_s, state) rows; vector: heart rate, counts",
)
def _pcg_intervals(ctx, *, segmentation=None, model=None, strict=False) -> Feature:
    """``strict``: a recording :func:`segment` refuses (too short, silent) raises its
    :class:`InvalidSignalError` instead of giving no intervals (what ``physiofeat segment``
    asks for: an error record, not an empty ``.tsv``)."""
    # strict: the refusal is raised below, not also warned of (a segmentation of its own when
    # other pcg features of the call share the warning one)
    kw = {"warn": False} if strict else {}
    segs = ctx.get("pcg_segmentation", segmentation=segmentation, model=model, **kw)
    if strict:
        for k, seg in enumerate(segs):
            if seg.attrs.get("error"):
                where = f"signal {k}: " if ctx.batched and len(segs) > 1 else ""
                raise InvalidSignalError(f"{where}{seg.attrs['error']}")
    n = max(len(seg.intervals) for seg in segs)
    out = np.full((len(segs), n, len(INTERVAL_FIELDS)), np.nan)
    for i, seg in enumerate(segs):
        out[i, : len(seg.intervals)] = seg.intervals
    summary = np.stack([_interval_summary(seg) for seg in segs])
    errors = [seg.attrs.get("error") for seg in segs]
    return Feature(
        out if ctx.batched else out[0],
        dims=("interval", "field"),
        coords={"field": list(INTERVAL_FIELDS)},
        attrs={
            "units": "s; state: 1 S1, 2 systole, 3 S2, 4 diastole, 0 unannotated",
            "padding": "NaN rows after the last interval of a batch row",
            "summary": summary if ctx.batched else summary[0],
            "error": errors if ctx.batched else errors[0],
        },
    )


# ---------------------------------------------------------------------------------------------
# pcg_baseline, pcg_quality, pcg_murmur: named scalars


@register_feature(
    "pcg_baseline",
    family="pcg",
    dims=("stat",),
    needs=("pcg_segmentation",),
    check=_check_segmentation,
    description="the 20 PhysioNet/CinC 2016 baseline features (Liu et al. 2016), durations in s",
)
def _pcg_baseline(ctx, *, segmentation=None, model=None) -> Feature:
    rows = []
    for x, seg in _segs(ctx, segmentation, model):
        f = baseline_features(x, sr=ctx.sr, segmentation=seg)
        rows.append(np.array([f[k] for k in BASELINE_NAMES]))
    return Feature(_finish(ctx, rows), dims=("stat",), coords={"stat": list(BASELINE_NAMES)})


def _check_quality(p: dict) -> None:
    _check_segmentation(p)
    _check_hr(p["hr_min"], p["hr_max"])


@register_feature(
    "pcg_quality",
    family="pcg",
    dims=("stat",),
    needs=("pcg_segmentation",),
    params_from=signal_quality,
    check=_check_quality,
    description="signal-quality indices: envelope autocorrelation peak, periodicity, kurtosis...",
)
def _pcg_quality(ctx, *, hr_min, hr_max, segmentation=None, model=None) -> Feature:
    rows = []
    for x, seg in _segs(ctx, segmentation, model):
        f = signal_quality(x, sr=ctx.sr, segmentation=seg, hr_min=hr_min, hr_max=hr_max)
        rows.append(np.array([f[k] for k in QUALITY_NAMES]))
    return Feature(_finish(ctx, rows), dims=("stat",), coords={"stat": list(QUALITY_NAMES)})


def _check_murmur(p: dict) -> None:
    _check_segmentation(p)
    C._check_band(p["band"])


@register_feature(
    "pcg_murmur",
    family="pcg",
    dims=("stat",),
    needs=("pcg_segmentation",),
    params_from=C.murmur_features,
    check=_check_murmur,
    description="murmur-band power in systole and diastole relative to the cycle's S1/S2 (dB)",
)
def _pcg_murmur(ctx, *, band, segmentation=None, model=None) -> Feature:
    rows = []
    for x, seg in _segs(ctx, segmentation, model):
        f = C.murmur_features(x, sr=ctx.sr, segmentation=seg, band=band)
        rows.append(np.array([f[k] for k in C.MURMUR_STATS]))
    return Feature(_finish(ctx, rows), dims=("stat",), coords={"stat": list(C.MURMUR_STATS)})


# ---------------------------------------------------------------------------------------------
# pcg_states and pcg_cycle_average: per-state tables


def _state_labels(n_mfcc: int, bands) -> list[str]:
    return [
        *(f"mfcc{i}" for i in range(n_mfcc)),
        *(C.band_label(b) for b in bands),
        "peak_freq",
        "peak_width",
    ]


def _check_states(p: dict) -> None:
    from .._validation import check_float, check_int

    _check_segmentation(p)
    check_int(p["n_fft"], "n_fft", minimum=2, allow_none=True)
    check_int(p["hop_length"], "hop_length", minimum=1, allow_none=True)
    check_int(p["n_mfcc"], "n_mfcc", minimum=1)
    n_mels = check_int(p["n_mels"], "n_mels", minimum=1)
    if p["n_mfcc"] > n_mels:
        raise ParameterError(f"n_mfcc={p['n_mfcc']} is more than n_mels={n_mels}")
    fmin = check_float(p["fmin"], "fmin", minimum=0.0)
    fmax = check_float(p["fmax"], "fmax", minimum=0.0, allow_none=True)
    if fmax is not None and fmax <= fmin:
        raise ParameterError(f"fmax must be above fmin={fmin:g} Hz; got {fmax:g}")
    C._check_bands(p["bands"])


@register_feature(
    "pcg_states",
    family="pcg",
    dims=("state", "stat"),
    needs=("pcg_segmentation",),
    params_from=C.state_spectra,
    check=_check_states,
    description="per state (S1, systole, S2, diastole): MFCC means, band powers, peak Hz, width",
)
def _pcg_states(ctx, *, segmentation=None, model=None, **p) -> Feature:
    rows = []
    bands = C._check_bands(p["bands"])
    for x, seg in _segs(ctx, segmentation, model):
        s = C.state_spectra(x, sr=ctx.sr, segmentation=seg, **p)
        rows.append(
            np.concatenate(
                [s["mfcc"], s["band_power"], s["peak_freq"][:, None], s["peak_width"][:, None]],
                axis=1,
            )
        )
    return Feature(
        _finish(ctx, rows),
        dims=("state", "stat"),
        coords={"state": list(C.STATE_KEYS), "stat": _state_labels(p["n_mfcc"], bands)},
        attrs={"units": "mfcc: dB-cepstral; band powers: fraction; peak_freq, peak_width: Hz"},
    )


def _check_average(p: dict) -> None:
    _check_segmentation(p)
    C._check_bins(p["bins"])
    C._check_band(p["band"])


@register_feature(
    "pcg_cycle_average",
    family="pcg",
    dims=("band", "phase"),
    needs=("pcg_segmentation",),
    params_from=C.cycle_average,
    check=_check_average,
    description="cycle-synchronous RMS profile (25-400 Hz and murmur band) in time-normalised bins",
    meanings={"bins": "phase bins per state"},
)
def _pcg_cycle_average(ctx, *, bins, band, segmentation=None, model=None):
    rows = [
        C.cycle_average(x, sr=ctx.sr, segmentation=seg, bins=bins, band=band)
        for x, seg in _segs(ctx, segmentation, model)
    ]
    return Feature(
        _finish(ctx, rows),
        dims=("band", "phase"),
        coords={"band": ["pcg", "murmur"], "phase": C.cycle_average_labels(bins)},
        attrs={"units": "bin RMS / mean 25-400 Hz S1 bin RMS"},
    )


# ---------------------------------------------------------------------------------------------
# the heart_sound preset

#: Frame-based features of the preset: 256-point frames (64 ms at 4 kHz, 128 ms at 2 kHz), 75 %
#: overlap; mel filters and Hilbert-spectrum bins up to 800 Hz (inside a 2 kHz file's band).
_FRAMES: dict[str, Any] = {"n_fft": 256, "hop_length": 64}

#: The ``heart_sound`` preset: feature -> parameters.
HEART_SOUND: dict[str, dict[str, Any]] = {
    "pcg_baseline": {},
    "pcg_cycles": {},
    "pcg_states": {},
    "pcg_murmur": {},
    "pcg_cycle_average": {},
    "pcg_quality": {},
    "mfcc": {**_FRAMES, "n_mfcc": 13, "n_mels": 40, "fmin": 25.0, "fmax": 800.0},
    "spectral_centroid": dict(_FRAMES),
    "spectral_bandwidth": dict(_FRAMES),
    "spectral_rolloff": dict(_FRAMES),
    "spectral_flatness": dict(_FRAMES),
    "spectral_entropy": dict(_FRAMES),
    "envelope": {"method": "homomorphic", "out_sr": 50.0, "normalize": False},
    # energies and the marginal spectrum as means over the samples, not sums: a sum grows with
    # the recording's duration (CirCor's run from 6 to 65 s), which then masquerades as a feature
    "dwt": {"wavelet": "db4", "level": 5, "per_sample": True},
    "wpt": {"wavelet": "db4", "level": 4, "relative": True},
    # 10 sifts per IMF (Wu & Huang 2009's fixed sifting number): PyEMD's default rule never
    # settles on CirCor recordings and sifts every IMF to its 999-sift cap (828 on average over
    # 10 circor_dev recordings), 1.1 s of the preset's 1.24 s per recording; with 10 sifts the
    # decomposition takes 0.016 s and the IMFs' amplitude modulation (CV of the instantaneous
    # amplitude of IMFs 1-4) stays alike: 3.2 / 3.1 / 2.2 / 1.5 against 3.4 / 3.1 / 2.3 / 2.0
    "marginal_spectrum": {
        "max_imfs": 8,
        "stop": "fixed",
        "n_bins": 20,
        "fmin": 0.0,
        "fmax": 800.0,
        "scaling": "spectrum",
    },
    "bicoherence": {"n_fft": 256},
    "temporal": {},
}

register_preset(
    "heart_sound",
    HEART_SOUND,
    description="features recommended for heart-sound classification: cardiac-cycle and "
    "per-state features, the 2016 baseline, murmur energy, quality, MFCC, spectral, envelope, "
    "wavelet, HHT and bicoherence features, framed for PCG at 2-4 kHz",
)
