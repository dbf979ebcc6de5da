"""Heart sounds (PCG): S1 / systole / S2 / diastole segmentation and cardiac-cycle features.

:class:`Segmentation` holds a recording's states (CirCor codes: 0 unannotated, 1 S1,
2 systole, 3 S2, 4 diastole) as intervals and per sample, and reads/writes CirCor ``.tsv``.
"""

from __future__ import annotations

from . import _register  # noqa: F401  (registers the pcg features and the heart_sound preset)
from ._baseline import BASELINE_NAMES, baseline_features
from ._core import (
    bandpass,
    fit_segmenter,
    heart_rate,
    preprocess,
    schmidt_spike_removal,
    segment,
    segmentation_features,
)
from ._cycles import (
    CYCLE_QUANTITIES,
    DEFAULT_BANDS,
    MURMUR_STATS,
    STATE_KEYS,
    PcgWarning,
    cycle_average,
    cycle_average_labels,
    cycle_features,
    cycle_table,
    murmur_features,
    state_spectra,
)
from ._hsmm import SegmenterModel, load_model
from ._quality import QUALITY_NAMES, signal_quality
from ._segmentation import (
    DIASTOLE,
    S1,
    S2,
    STATE_NAMES,
    SYSTOLE,
    UNANNOTATED,
    Segmentation,
)

__all__ = [
    "S1",
    "SYSTOLE",
    "S2",
    "DIASTOLE",
    "UNANNOTATED",
    "STATE_NAMES",
    "Segmentation",
    "bandpass",
    "schmidt_spike_removal",
    "preprocess",
    "heart_rate",
    "segmentation_features",
    "segment",
    "fit_segmenter",
    "SegmenterModel",
    "load_model",
    "PcgWarning",
    "CYCLE_QUANTITIES",
    "STATE_KEYS",
    "DEFAULT_BANDS",
    "MURMUR_STATS",
    "BASELINE_NAMES",
    "QUALITY_NAMES",
    "cycle_table",
    "cycle_features",
    "baseline_features",
    "state_spectra",
    "murmur_features",
    "cycle_average",
    "cycle_average_labels",
    "signal_quality",
]
