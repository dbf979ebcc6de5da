"""ECG features: R peaks, QRS onset and offset, P and T waves, PR, QRS, QT/QTc, and HRV.

Public functions take an ECG ``(n,)`` or one multi-lead recording ``(n_leads, n)`` and ``sr``:

- :func:`detect_r_peaks` -- R-peak sample indices;
- :func:`delineate` -- a per-beat table (:class:`EcgBeats`): R time, RR, QRS onset, P onset,
  P peak, PR interval, P-peak to R-peak interval (NaN where a wave is absent);
- :func:`pr_features` -- heart-rate, RR and PR summary values named by :data:`PR_STATS`;
- :func:`qt_features` -- QRS duration, QT and QTc (``qtc=``: one of :data:`QTC_METHODS`)
  summary values named by :data:`QT_STATS`; the beat table carries them per beat;
- :func:`hrv_features` / :func:`hrv_from_peaks` -- heart-rate variability (time domain,
  Lomb-Scargle LF/HF, Poincare, sample entropy, DFA alpha1) named by :data:`HRV_STATS`;
- :func:`synthetic_ecg` -- a test ECG with exact wave boundaries.

Registered features (``physiofeat.extract``; a 2-D input there is a batch of single-lead ECGs):
``pr_interval`` (dims ``("stat",)``, the :data:`PR_STATS` values), ``qt_interval`` (the
:data:`QT_STATS` values), ``hrv`` (the :data:`HRV_STATS` values) and ``ecg_beats`` (dims
``("wave", "beat")``, the per-beat table in seconds; summarised by ``.vector()`` as statistics
over beats).

``p_threshold`` (default 0.7) sets how closely a beat's pre-QRS wave must match the record's
P-wave template to count as a P wave: lower finds faint P waves more often and takes atrial
fibrillation or flutter waves for P waves more often.

Method and references: see ``physiofeat/ecg/_core.py`` (Pan & Tompkins 1985 QRS detection,
Martinez et al. 2004 wavelet-style delineation, CSE 1985 multi-lead rule). Validated against
the manual annotations of LUDB and the QT Database by ``benchmarks/validate_ecg.py``.
"""

from __future__ import annotations

from ._core import (
    HRV_STATS,
    PR_STATS,
    QT_STATS,
    EcgBeats,
    EcgWarning,
    delineate,
    detect_r_peaks,
    hrv_features,
    hrv_from_peaks,
    pr_features,
    qt_features,
    summarize_beats,
    summarize_qt,
)
from ._qt import QTC_METHODS
from ._register import BEAT_COLUMNS
from ._synth import synthetic_ecg

__all__ = [
    "BEAT_COLUMNS",
    "HRV_STATS",
    "PR_STATS",
    "QTC_METHODS",
    "QT_STATS",
    "EcgBeats",
    "EcgWarning",
    "delineate",
    "detect_r_peaks",
    "hrv_features",
    "hrv_from_peaks",
    "pr_features",
    "qt_features",
    "summarize_beats",
    "summarize_qt",
    "synthetic_ecg",
]
