"""Numba kernel of the PCG segmenter: the extended duration-dependent HSMM Viterbi.

Never validates or raises; :func:`physiofeat.pcg._hsmm.viterbi` checks the inputs.
"""

from __future__ import annotations

import numpy as np

from .._numba import jit


@jit
def hsmm_viterbi(log_b, log_p, log_s, prev):
    """Most probable state sequence of a cyclic hidden semi-Markov model.

    ``log_b[t, j]``: log emission score of state ``j`` at time ``t`` (``T x N``).
    ``log_p[j, d]``: log probability that a complete stay in ``j`` lasts ``d`` samples
    (``d = 0..D``; ``-inf`` where impossible). ``log_s[j, v]``: log probability that a stay
    in ``j`` lasts at least ``v`` samples (used for the stay cut by the start or the end of
    the recording). ``prev[j]``: the only state that can precede ``j``.

    The first stay may have begun before sample 0 (visible length ``v`` scored
    ``log_s[j, v]``: the stationary residual-life law of an alternating renewal process, up to
    a constant), the last may continue after sample ``T - 1`` (scored ``log_s[j, d]``);
    every other stay is scored ``log_p[j, d]``. Returns ``(states (T,) int64, score)``.
    """
    T, N = log_b.shape
    D = log_p.shape[1] - 1
    cum = np.zeros((T + 1, N))
    for t in range(T):
        for j in range(N):
            cum[t + 1, j] = cum[t, j] + log_b[t, j]
    delta = np.full((T, N), -np.inf)
    best_d = np.zeros((T, N), dtype=np.int64)  # duration of the stay ending at t; 0 = first stay
    for t in range(T):
        for j in range(N):
            v = t + 1
            best = -np.inf
            arg = 0
            if v <= D:
                best = log_s[j, v] + cum[t + 1, j]
            i = prev[j]
            dmax = D if D < t else t
            for d in range(1, dmax + 1):
                lp = log_p[j, d]
                if lp == -np.inf:
                    continue
                s = delta[t - d, i] + lp + cum[t + 1, j] - cum[t + 1 - d, j]
                if s > best:
                    best = s
                    arg = d
            delta[t, j] = best
            best_d[t, j] = arg
    # the last stay, cut by the end: ends at T - 1 with any length d <= D, scored log_s
    score = -np.inf
    last_j = 0
    last_d = 0
    for j in range(N):
        i = prev[j]
        dmax = D if D < T - 1 else T - 1
        for d in range(1, dmax + 1):
            ls = log_s[j, d]
            if ls == -np.inf:
                continue
            s = delta[T - 1 - d, i] + ls + cum[T, j] - cum[T - d, j]
            if s > score:
                score = s
                last_j = j
                last_d = d
        if T <= D:  # one stay covering the whole recording
            s = log_s[j, T] + cum[T, j]
            if s > score:
                score = s
                last_j = j
                last_d = T
    states = np.empty(T, dtype=np.int64)
    t = T - 1
    j = last_j
    d = last_d
    while True:
        for u in range(t - d + 1, t + 1):
            states[u] = j
        t -= d
        if t < 0:
            break
        j = prev[j]
        d = best_d[t, j]
        if d == 0:  # the first stay: from 0 to t
            d = t + 1
    return states, score
