"""The 20 features of the PhysioNet/CinC Challenge 2016 baseline classifier.

Liu C, Springer D, Li Q, et al. *An open access database for the evaluation of heart sound
algorithms.* Physiol Meas 2016;37(12):2181-2213, section "benchmark": from the four-state
segmentation of a recording, per heart beat (S1 onset to the next S1 onset),

- the RR interval and the S1, systolic, S2 and diastolic intervals;
- the ratios systolic interval / RR, diastolic interval / RR, systolic / diastolic interval;
- the ratio of the mean absolute amplitude during systole to that during the beat's S1, and of
  diastole to the beat's S2;

and the mean and the standard deviation over beats of each: 10 quantities x (mean, SD).

Here durations are in seconds (the challenge's code reported milliseconds) and the SD is the
sample SD (``ddof=1``, as MATLAB's ``std``). Beats are the complete cycles of
:func:`physiofeat.pcg.cycle_table`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._cycles import _nanstat, cycle_table

__all__ = ["BASELINE_NAMES", "baseline_features"]

# (published name stem, cycle_table key)
_QUANTITIES = (
    ("RR", "rr"),
    ("IntS1", "s1"),
    ("IntS2", "s2"),
    ("IntSys", "systole"),
    ("IntDia", "diastole"),
    ("Ratio_SysRR", "systole_rr"),
    ("Ratio_DiaRR", "diastole_rr"),
    ("Ratio_SysDia", "systole_diastole"),
    ("Amp_SysS1", "amp_systole_s1"),
    ("Amp_DiaS2", "amp_diastole_s2"),
)

#: The 20 feature names, in the paper's order (``m_`` mean, ``sd_`` standard deviation).
BASELINE_NAMES: tuple[str, ...] = tuple(
    f"{pre}_{stem}" for stem, _ in _QUANTITIES for pre in ("m", "sd")
)


def baseline_features(x: Any, *, sr: float, segmentation: Any) -> dict[str, float]:
    """The 20 PhysioNet/CinC 2016 baseline features of a segmented heart sound.

    Parameters
    ----------
    x : np.ndarray [shape=(n,)]
        The heart sound (the amplitude ratios are read from it).
    sr : float
        Rate of ``x`` in Hz.
    segmentation : Segmentation or array_like [shape=(k, 3)]
        Its states (``[start_s, end_s, state]`` rows, CirCor codes).

    Returns
    -------
    dict of str -> float
        Keyed by :data:`BASELINE_NAMES` (``m_RR``, ``sd_RR``, ``m_IntS1`` ... ``sd_Amp_DiaS2``);
        durations in seconds. NaN when there is no complete cycle (and the SDs with one).

    Examples
    --------
    >>> import numpy as np
    >>> from physiofeat.pcg import baseline_features
    >>> beat = [[0, .1, 1], [.1, .4, 2], [.4, .5, 3], [.5, .8, 4]]
    >>> iv = [[a + .8 * k + .1, b + .8 * k + .1, s] for k in range(3) for a, b, s in beat]
    >>> f = baseline_features(np.ones(2500), sr=1000, segmentation=iv)
    >>> round(f["m_RR"], 6), round(f["m_Ratio_SysDia"], 6), round(f["sd_IntS1"], 6)
    (0.8, 1.0, 0.0)
    """
    t = cycle_table(x, sr=sr, segmentation=segmentation)
    out: dict[str, float] = {}
    for stem, key in _QUANTITIES:
        out[f"m_{stem}"] = _nanstat(np.mean, t[key])
        out[f"sd_{stem}"] = _nanstat(np.std, t[key], ddof=1)
    return out
