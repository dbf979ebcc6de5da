"""A synthetic synchronous ECG and heart sound with exactly known electromechanical delays."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .._errors import ParameterError
from .._validation import check_float, check_sr

__all__ = ["synthetic_ecg_pcg"]


def _sound(t: np.ndarray, start: float, freq: float, rise: float, tau: float, length: float):
    """A tone burst that starts at ``start``: raised-cosine rise over ``rise`` s, then an
    exponential decay with time constant ``tau``, cut at ``length``."""
    u = t - start
    out = np.zeros_like(t)
    on = (u >= 0) & (u < length)
    a = np.where(
        u[on] < rise, 0.5 * (1 - np.cos(np.pi * u[on] / rise)), np.exp(-(u[on] - rise) / tau)
    )
    out[on] = a * np.sin(2 * np.pi * freq * u[on])
    return out


def _beat_numbers(values, name: str, n_beats: int) -> list[int]:
    out = []
    for v in list(values):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not 0 <= v < n_beats:
            raise ParameterError(
                f"{name} holds beat numbers, integers from 0 to {n_beats - 1} (the pair has "
                f"{n_beats} beats); got {v!r}"
            )
        out.append(int(v))
    return out


def synthetic_ecg_pcg(
    *,
    duration: float,
    sr: float,
    heart_rate: float = 70.0,
    emat: float = 0.06,
    qs2: float = 0.36,
    noise: float = 0.01,
    missing_s1: Sequence[int] = (),
    missing_s2: Sequence[int] = (),
    seed: int | None = 0,
):
    """ECG (:func:`physiofeat.ecg.synthetic_ecg`) and a heart sound whose S1 starts ``emat``
    and whose S2 starts ``qs2`` seconds after each QRS onset.

    S1 is a 50 Hz burst (3 ms rise, 20 ms decay, 100 ms long), S2 a 70 Hz burst (3 ms rise,
    15 ms decay, 80 ms long, 0.7x as loud); white noise of SD ``noise`` (the sounds peak at 1).
    ``missing_s1`` / ``missing_s2``: beat numbers (0-based) left without that sound.

    The delays must satisfy ``0 <= emat < qs2 < 60 / heart_rate`` (S1 before S2, and S2 before
    the next beat's QRS onset, else "beat i"'s S2 lies in beat i + 1 and the truth is not what
    it says): the default ``qs2=0.36`` holds up to 166 bpm; at faster rates give a shorter one
    (Weissler's QS2 is about 0.546 - 0.0021 HR s).

    Raises
    ------
    ParameterError
        Delays outside that range, or beat numbers that are not integers from 0 to the number
        of beats - 1.

    Returns
    -------
    ecg, pcg : np.ndarray [shape=(n,)]
    sr : float
    truth : dict of np.ndarray
        ``qrs_onset``, ``r``, ``s1_onset``, ``s2_onset`` in seconds per beat (NaN for the
        missing sounds).
    """
    from ..ecg import synthetic_ecg

    sr = check_sr(sr)
    emat = check_float(emat, "emat", minimum=0.0)
    qs2 = check_float(qs2, "qs2", minimum=0.0)
    hr = check_float(heart_rate, "heart_rate", minimum=0.0, strict_min=True)
    if not emat < qs2 < 60.0 / hr:
        raise ParameterError(
            f"synthetic_ecg_pcg needs 0 <= emat < qs2 < 60 / heart_rate (S1 before S2, S2 "
            f"before the next QRS onset); got emat={emat:g} s, qs2={qs2:g} s and "
            f"60 / heart_rate = {60.0 / hr:.4g} s"
        )
    ecg, tr = synthetic_ecg(duration=duration, sr=sr, heart_rate=heart_rate)
    n = ecg.size
    t = np.arange(n) / sr
    q = tr["qrs_onset"] / sr
    pcg = np.zeros(n)
    s1 = q + emat
    s2 = q + qs2
    s1 = np.where(
        np.isin(np.arange(q.size), _beat_numbers(missing_s1, "missing_s1", q.size)), np.nan, s1
    )
    s2 = np.where(
        np.isin(np.arange(q.size), _beat_numbers(missing_s2, "missing_s2", q.size)), np.nan, s2
    )
    for a in s1[np.isfinite(s1)]:
        pcg += _sound(t, a, 50.0, 0.003, 0.020, 0.100)
    for a in s2[np.isfinite(s2)]:
        pcg += 0.7 * _sound(t, a, 70.0, 0.003, 0.015, 0.080)
    if noise:
        pcg += np.random.default_rng(seed).normal(0.0, noise, n)
    truth = {"qrs_onset": q, "r": tr["r"] / sr, "s1_onset": s1, "s2_onset": s2}
    return ecg, pcg, sr, truth
