"""Numba kernels of the time-domain family (private; no validation, no raising).

Sample entropy
--------------
For each lag ``d >= 1`` the template pairs ``(i, i + d)`` lie on one diagonal of the
recurrence matrix. Along it ``match[t] = |x[t] - x[t + d]| <= r`` is computed once (one
comparison per sample pair, not ``m``), ``mm[i] = match[i] & ... & match[i + m - 1]`` says whether
the length-``m`` templates match and ``mm[i] & match[i + m]`` whether the length-``m + 1`` ones
do. Every pass is a branch-free loop over contiguous uint8/float64 arrays, which LLVM
vectorises: exact O(N^2) counting at a fraction of a nanosecond per pair.

The work over lags is shared cyclically (``d = b + 1, b + 1 + nb, ...`` for block ``b``) so that
long and short diagonals mix in every block; each ``prange`` iteration writes its own
``counts[row, block, :]``.
"""

from __future__ import annotations

import math

import numpy as np

from ._numba import jit, prange


@jit(inline="always")
def _sampen_diagonals(x, n, m, r, d0, step, res):
    """Counts (B, A) of matching template pairs on lags d0, d0 + step, ... (< n - m)."""
    match = np.empty(n, dtype=np.uint8)
    mm = np.empty(n, dtype=np.uint8)
    cb = 0
    ca = 0
    d = d0
    while d < n - m:
        nd = n - d  # comparisons on this diagonal
        a = x[:nd]
        b = x[d:]
        for t in range(nd):
            match[t] = np.uint8(abs(a[t] - b[t]) <= r)
        k_n = nd - m  # template pairs (i, i + d) with i <= n - m - 1 - d
        w = mm[:k_n]
        for i in range(k_n):
            w[i] = match[i]
        for k in range(1, m):
            s = match[k : k + k_n]
            for i in range(k_n):
                w[i] &= s[i]
        e = match[m : m + k_n]
        sb = np.int32(0)
        sa = np.int32(0)
        for i in range(k_n):
            sb += np.int32(w[i])
            sa += np.int32(w[i] & e[i])
        cb += sb
        ca += sa
        d += step
    res[0] += cb
    res[1] += ca


@jit(parallel=True)
def sampen_counts_par(X, m, r, nb, counts):
    """``counts[row, b] = (B, A)`` of lags ``b + 1 + k nb``; rows of ``X`` are signals/frames."""
    R, n = X.shape
    for rb in prange(R * nb):
        row = rb // nb
        b = rb - row * nb
        counts[row, b, 0] = 0
        counts[row, b, 1] = 0
        _sampen_diagonals(X[row], n, m, r[row], b + 1, nb, counts[row, b])


@jit
def sampen_counts(X, m, r, nb, counts):
    """Serial twin of :func:`sampen_counts_par` (same body, separate cache entry)."""
    R, n = X.shape
    for rb in range(R * nb):
        row = rb // nb
        b = rb - row * nb
        counts[row, b, 0] = 0
        counts[row, b, 1] = 0
        _sampen_diagonals(X[row], n, m, r[row], b + 1, nb, counts[row, b])


@jit(fastmath=False)
def _histogram_edges(lo, hi, ks, edges):
    """``edges[:] = np.linspace(lo, hi, bins + 1)`` in ``lo``'s dtype, operation for operation as
    NumPy computes it (``ks`` is ``0, 1, ..., bins`` in that dtype): ``ks * step + lo`` with
    ``step = (hi - lo) / bins`` (``ks / bins * (hi - lo) + lo`` if the step underflows to 0),
    the last edge ``hi``. Strict IEEE arithmetic: a fused multiply-add or a reciprocal
    (fastmath ``contract``/``arcp``) would move an edge by an ulp, and a value lying on it into
    the other bin."""
    bins = ks.shape[0] - 1
    delta = hi - lo
    step = delta / ks[bins]
    if step == 0:
        for k in range(bins):
            edges[k] = ks[k] / ks[bins] * delta + lo
    else:
        for k in range(bins):
            edges[k] = ks[k] * step + lo
    edges[bins] = hi


@jit(parallel=True)
def histogram_entropy(X, bins, out):
    """Shannon entropy (bits) of an equal-width ``bins``-bin histogram over [min, max] per row.

    The bins are :func:`numpy.histogram`'s: bin ``k`` holds ``edges[k] <= v < edges[k + 1]``
    (the last bin also ``v == max``) with NumPy's edges ``np.linspace(min, max, bins + 1)`` in
    the row's dtype (:func:`_histogram_edges`). As NumPy does, ``v`` gets the bin
    ``int((v - min) * bins / (max - min))`` (within one bin of the answer), which is then
    moved down one if ``v < edges[k]``, or up one if ``v >= edges[k + 1]`` (not past the last).
    A constant row has entropy 0.
    """
    R, n = X.shape
    ks = np.empty(bins + 1, dtype=X.dtype)
    for k in range(bins + 1):
        ks[k] = k
    for row in prange(R):
        x = X[row]
        lo = x[0]
        hi = x[0]
        for t in range(n):
            v = x[t]
            if v < lo:
                lo = v
            if v > hi:
                hi = v
        if not hi > lo:
            out[row] = 0.0
            continue
        edges = np.empty(bins + 1, dtype=X.dtype)
        _histogram_edges(lo, hi, ks, edges)
        counts = np.zeros(bins, dtype=np.int64)
        scale = bins / (np.float64(hi) - np.float64(lo))
        for t in range(n):
            v = x[t]
            k = int((np.float64(v) - lo) * scale)
            if k >= bins:
                k = bins - 1
            elif k < 0:  # not for finite v >= lo; keeps the index in range
                k = 0
            if v < edges[k]:
                k -= 1
            elif k < bins - 1 and v >= edges[k + 1]:
                k += 1
            counts[k] += 1
        h = 0.0
        for k in range(bins):
            if counts[k] > 0:
                p = counts[k] / n
                h -= p * math.log2(p)
        out[row] = h
