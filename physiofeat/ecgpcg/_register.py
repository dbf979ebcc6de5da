"""Registration of the ECG-PCG timing with :func:`physiofeat.extract` (a record feature)."""

from __future__ import annotations

import warnings

import numpy as np

from .._errors import ParameterError
from .._features import Feature
from .._registry import register_feature
from ._core import TIMING_STATS, timing, timing_features


@register_feature(
    "ecg_pcg_timing",
    family="ecgpcg",
    roles=("ecg", "pcg"),
    dims=("stat",),
    params_from=timing,
    exclude=("pcg_sr", "beats", "segmentation"),
    description="EMAT (to S1 onset and peak), their ratios to RR, QRS-S2, S1-S2, R-S1 and PR "
    "medians and SDs over beats, S1/S2 fractions, from a record's ECG and PCG (timing_features)",
    meanings={"method": "the S1/S2 search"},
)
def _ecg_pcg_timing(ctx, *, method, onset_fraction, min_snr) -> Feature:
    """:func:`timing_features` of :func:`timing` on the record's ECG leads and its PCG; the
    ECG delineation is the one ``ecg_multilead`` uses (``delineate``'s defaults, as
    :func:`timing` makes it), computed once per call. When the ECG channels do not look like
    an ECG (or hold fewer than 2 beats) the values are NaN, with an EcgWarning and the reason
    in ``attrs["nan_reason"]``, as ``ecg_multilead``'s are."""
    from .._registry import _signature_defaults
    from ..ecg import EcgWarning, delineate  # importing ecg registers record_ecg_beats
    from ..ecg._core import _nan_reason

    pcg, pcg_sr = ctx.signal("pcg")
    if pcg.shape[0] != 1:
        names = ctx.channel_names("pcg")
        raise ParameterError(
            f"{ctx.record.path}: ecg_pcg_timing times one heart sound, and the record has "
            f"{len(names)} PCG channels ({', '.join(map(repr, names))}); choose one with "
            f"roles={{'pcg': NAME}} (command line: --role pcg=NAME)"
        )
    _, ecg_sr = ctx.signal("ecg")  # the leads themselves: through record_ecg_beats
    beats, _ = ctx.get("record_ecg_beats", **_signature_defaults(delineate))
    attrs: dict = {
        "units": "s (emat_rr, emat_peak_rr, s1_fraction, s2_fraction: 1)",
        "n_beats": len(beats),
    }
    reason = _nan_reason(beats, "ECG-PCG timing")
    if reason:
        warnings.warn(reason, EcgWarning, stacklevel=2)
        attrs["nan_reason"] = reason
        values = np.full(len(TIMING_STATS), np.nan)
    else:
        b = timing(
            None,
            pcg[0],
            sr=ecg_sr,
            pcg_sr=pcg_sr,
            method=method,
            beats=beats,
            onset_fraction=onset_fraction,
            min_snr=min_snr,
        )
        values = timing_features(b)
        if not (np.isfinite(b.s1_onset).any() or np.isfinite(b.s2_onset).any()):
            attrs["nan_reason"] = (
                f"ECG-PCG timing: no S1 or S2 found in any of the {len(b)} beats (a silent, "
                f"too short or too noisy heart sound)"
            )
    return Feature(values, dims=("stat",), coords={"stat": list(TIMING_STATS)}, attrs=attrs)
