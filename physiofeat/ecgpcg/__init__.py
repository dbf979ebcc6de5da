"""ECG-PCG timing: electromechanical intervals from a synchronous ECG and heart sound.

- :func:`timing` -- per beat (:class:`EcgPcgBeats`): QRS onset to S1 onset and to S1 peak
  (EMAT), their ratios to RR (``emat_peak_rr`` is the published %EMAT, Q onset to S1 peak over
  RR; ``emat_rr`` the onset-based one), QRS onset to S2 (electromechanical systole), S1 to
  S2, R to S1, with the ECG's PR interval beside them; S1 and S2 found in an ECG-gated search
  or from the ECG-free :func:`physiofeat.pcg.segment`;
- :func:`timing_features` -- their medians and SDs (beat-to-beat stability), named by
  :data:`TIMING_STATS`;
- :func:`gated_segment` -- an ECG-gated S1/systole/S2/diastole segmentation of the heart
  sound, an independent reference for :func:`physiofeat.pcg.segment`;
- :func:`synthetic_ecg_pcg` -- a test pair with exactly known delays.

Read a record's channels with :func:`physiofeat.load_record` (``rec["ECG"]``, ``rec["PCG"]``).

Registered record feature (``physiofeat.extract(record, ["ecg_pcg_timing"])``, the command line
``-f ecg_pcg_timing``): ``ecg_pcg_timing``, the :data:`TIMING_STATS` values of
:func:`timing_features` on the record's ECG (all its leads) and PCG channels, chosen by their
roles (:meth:`physiofeat.records.Record.roles`); ``method="gated"`` or ``"hsmm"``.
"""

from __future__ import annotations

from . import _register  # noqa: F401 - registers ecg_pcg_timing
from ._core import INTERVALS, TIMING_STATS, EcgPcgBeats, gated_segment, timing, timing_features
from ._synth import synthetic_ecg_pcg

__all__ = [
    "INTERVALS",
    "TIMING_STATS",
    "EcgPcgBeats",
    "gated_segment",
    "timing",
    "timing_features",
    "synthetic_ecg_pcg",
]
