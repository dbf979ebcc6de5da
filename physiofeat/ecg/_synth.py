"""A synthetic ECG with exactly known wave boundaries (for tests, docs and examples)."""

from __future__ import annotations

import numpy as np

from .._errors import ParameterError
from .._validation import check_float, check_sr

__all__ = ["synthetic_ecg"]


def _hann_bump(t: np.ndarray, start: float, width: float, amp: float) -> np.ndarray:
    u = (t - start) / width
    inside = (u >= 0) & (u <= 1)
    out = np.zeros_like(t)
    out[inside] = amp * 0.5 * (1.0 - np.cos(2.0 * np.pi * u[inside]))
    return out


def _add_bump(x: np.ndarray, t: np.ndarray, sr: float, start: float, width: float, amp: float):
    """``x += _hann_bump(t, start, width, amp)`` over the bump's own samples only (one beat's
    waves cost their length, not the recording's)."""
    i0 = max(int(np.floor(start * sr)) - 1, 0)
    i1 = min(int(np.ceil((start + width) * sr)) + 2, len(t))
    if i1 > i0:
        x[i0:i1] += _hann_bump(t[i0:i1], start, width, amp)


def synthetic_ecg(
    *,
    duration: float,
    sr: float,
    heart_rate: float = 60.0,
    pr: float = 0.16,
    p_amp: float = 0.15,
    qrs_amp: float = 1.0,
    t_amp: float = 0.3,
    invert: bool = False,
    wander: float = 0.0,
    noise: float = 0.0,
    seed: int | None = None,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """A lead-II-like ECG built from raised-cosine waves, whose boundaries are exact.

    Each beat: a P wave (100 ms) starting ``pr`` before the QRS onset; a QRS of a small Q (20 ms),
    a tall R (50 ms, peak 40 ms after the QRS onset) and an S (30 ms); a T wave ending by half the
    RR interval. Raised-cosine waves have compact support, so P onset, QRS onset, QRS offset (end
    of the S wave, 90 ms after the QRS onset) and T end are exact.

    Parameters
    ----------
    duration : float
        Length in seconds.
    sr : float
        Sampling rate in Hz.
    heart_rate : float
        Beats per minute (constant RR), above 0 and at most 300.
    pr : float
        PR interval (P onset to QRS onset) in seconds.
    p_amp, qrs_amp : float
        P-wave and R-wave amplitudes (mV).
    t_amp : float
        T-wave amplitude as a fraction of ``qrs_amp`` (0: no T wave).
    invert : bool
        Negate the signal (an inverted lead).
    wander : float
        Amplitude (mV) of a 0.3 Hz baseline wander.
    noise : float
        Standard deviation (mV) of added white Gaussian noise.
    seed : int, optional
        Seed of the noise.

    Returns
    -------
    x : np.ndarray [shape=(n,)]
        The ECG in mV.
    truth : dict of np.ndarray
        Sample indices ``r``, ``qrs_onset``, ``p_onset``, ``p_peak``, ``qrs_offset``,
        ``t_peak``, ``t_end`` of every complete beat.

    Examples
    --------
    >>> from physiofeat.ecg import synthetic_ecg
    >>> x, truth = synthetic_ecg(duration=5.0, sr=500, heart_rate=60, pr=0.16)
    >>> x.shape, int(truth["qrs_onset"][0] - truth["p_onset"][0])
    ((2500,), 80)
    """
    sr = check_sr(sr)
    duration = check_float(duration, "duration", minimum=0.0, strict_min=True)
    heart_rate = check_float(heart_rate, "heart_rate", minimum=0.0, strict_min=True)
    if heart_rate > 300.0:
        raise ParameterError(
            f"heart_rate must be at most 300 bpm (a beat's waves last about 0.3 s); got "
            f"{heart_rate:g}"
        )
    pr = check_float(pr, "pr", minimum=0.0, strict_min=True)
    n = int(round(duration * sr))
    t = np.arange(n) / sr
    rr = 60.0 / heart_rate
    x = np.zeros(n)
    q_on = np.arange(pr + 0.1, duration - 0.5 * rr, rr)  # first QRS onset leaves room for its P
    t_off = 0.04 + 0.15 * rr + 0.02  # T-wave start after the QRS onset
    t_width = min(0.3 * rr, 0.25)
    for q in q_on:
        _add_bump(x, t, sr, q - pr, 0.10, p_amp)
        _add_bump(x, t, sr, q, 0.02, -0.1 * qrs_amp)
        _add_bump(x, t, sr, q + 0.015, 0.05, qrs_amp)
        _add_bump(x, t, sr, q + 0.06, 0.03, -0.25 * qrs_amp)
        _add_bump(x, t, sr, q + t_off, t_width, t_amp * qrs_amp)
    if invert:
        x = -x
    if wander:
        x += wander * np.sin(2 * np.pi * 0.3 * t + 0.5)
    if noise:
        x += np.random.default_rng(seed).normal(0.0, noise, n)
    truth = {
        "qrs_onset": np.rint(q_on * sr).astype(np.int64),
        "r": np.rint((q_on + 0.04) * sr).astype(np.int64),
        "p_onset": np.rint((q_on - pr) * sr).astype(np.int64),
        "p_peak": np.rint((q_on - pr + 0.05) * sr).astype(np.int64),
        "qrs_offset": np.rint((q_on + 0.09) * sr).astype(np.int64),
        "t_peak": np.rint((q_on + t_off + 0.5 * t_width) * sr).astype(np.int64),
        "t_end": np.rint((q_on + t_off + t_width) * sr).astype(np.int64),
    }
    return x, truth
