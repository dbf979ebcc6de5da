"""Heart sounds (PCG): S1 / systole / S2 / diastole segmentation and cardiac-cycle features.

:class:`Segmentation` holds a recording's states (CirCor codes: 0 unannotated, 1 S1,
2 systole, 3 S2, 4 diastole) as intervals and per sample, and reads/writes CirCor ``.tsv``.
"""

from __future__ import annotations

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
]
