"""Numba kernels of the ECG family (private; no validation, no raising).

All positions are sample indices (int64); a missing wave is ``-1``. Every kernel loops over
beats (or over energy peaks) and reads only short windows of the signal, so the cost is linear in
the signal length.
"""

from __future__ import annotations

import math

import numpy as np

from .._numba import jit

# --------------------------------------------------------------------------------------------
# R-peak detection: adaptive thresholds with search-back on an energy envelope (Pan & Tompkins)


@jit
def energy_peaks(e, refractory):
    """Local maxima of ``e`` at least ``refractory`` samples apart (the larger one kept)."""
    n = e.size
    out = np.empty(n // 2 + 1, dtype=np.int64)
    k = 0
    for i in range(1, n - 1):
        if e[i] > e[i - 1] and e[i] >= e[i + 1]:
            if k > 0 and i - out[k - 1] < refractory:
                if e[i] > e[out[k - 1]]:
                    out[k - 1] = i
            else:
                out[k] = i
                k += 1
    return out[:k]


@jit
def median_at(x, idx, h):
    """Median of ``x[i-h : i+h+1]`` (edge-padded, as ``scipy.ndimage.median_filter`` with
    ``mode='nearest'``) at each index of ``idx`` of the 1-D ``x``."""
    n = x.size
    k = 2 * h + 1
    out = np.empty(idx.size)
    buf = np.empty(k)
    for q in range(idx.size):
        i = idx[q]
        for j in range(k):  # insertion sort of the window
            v = x[min(max(i - h + j, 0), n - 1)]
            m = j
            while m > 0 and buf[m - 1] > v:
                buf[m] = buf[m - 1]
                m -= 1
            buf[m] = v
        out[q] = buf[h]
    return out


@jit
def adaptive_threshold(e, cand, spk0, npk0, rr0, refractory, rr_max):
    """Pan-Tompkins style classification of energy peaks ``cand`` into QRS / noise.

    Signal and noise levels are running averages (1/8 update); the threshold is
    ``npk + 0.25 (spk - npk)``. When no QRS was found for 1.66 x the mean of the last eight RR
    intervals, the largest skipped peak above half the threshold is taken (search-back); when
    search-back finds none, the signal level is halved once per further 1.66 mean RR without a
    QRS (down to 1/32 of its initial value), so a sudden drop of the QRS amplitude (a gain or
    electrode change) is followed while noise-only stretches stay below the threshold.
    """
    nc = cand.size
    is_qrs = np.zeros(nc, dtype=np.bool_)
    spk = spk0
    npk = npk0
    rr_hist = np.full(8, rr0)
    n_rr = 0
    last = -1  # index into cand of the last QRS
    last_pos = -refractory * 10
    last_decay = last_pos
    for j in range(nc):
        i = cand[j]
        v = e[i]
        thr = npk + 0.25 * (spk - npk)
        rr_mean = 0.0
        for q in range(8):
            rr_mean += rr_hist[q]
        rr_mean /= 8.0
        # search-back over the gap before this peak
        if last >= 0 and i - last_pos > 1.66 * rr_mean:
            best = -1
            bv = 0.0
            for q in range(last + 1, j):
                p = cand[q]
                if p - last_pos >= refractory and i - p >= refractory and e[p] > bv:
                    bv = e[p]
                    best = q
            if best >= 0 and bv > 0.5 * thr:
                is_qrs[best] = True
                spk = 0.25 * bv + 0.75 * spk
                rr = cand[best] - last_pos
                if rr < rr_max:
                    rr_hist[n_rr % 8] = rr
                    n_rr += 1
                last = best
                last_pos = cand[best]
                last_decay = last_pos
                thr = npk + 0.25 * (spk - npk)
            elif i - last_decay > 1.66 * rr_mean:
                spk = max(0.5 * spk, spk0 / 32.0)
                last_decay = i
                thr = npk + 0.25 * (spk - npk)
        if v > thr and i - last_pos >= refractory:
            is_qrs[j] = True
            spk = 0.125 * v + 0.875 * spk
            if last >= 0:
                rr = i - last_pos
                if rr < rr_max:
                    rr_hist[n_rr % 8] = rr
                    n_rr += 1
            last = j
            last_pos = i
            last_decay = i
        else:
            npk = 0.125 * v + 0.875 * npk
    return is_qrs


@jit
def refine_r(x, pos, half, polarity):
    """R peak: the extremum of ``polarity * x`` within ``half`` samples of each energy peak."""
    n = x.size
    out = np.empty(pos.size, dtype=np.int64)
    for b in range(pos.size):
        lo = max(pos[b] - half, 0)
        hi = min(pos[b] + half + 1, n)
        best = lo
        bv = -np.inf
        for i in range(lo, hi):
            v = polarity * x[i]
            if v > bv:
                bv = v
                best = i
        out[b] = best
    return out


# --------------------------------------------------------------------------------------------
# QRS onset (wavelet-style: first significant slope maximum, then back to where the slope fades)


@jit(inline="always")
def _peak_abs(d, lo, hi):
    """Largest ``|d|`` in ``[lo, hi)``, refined by the vertex of the parabola through it and its
    neighbours (so that the maximum does not depend on where the samples fall: at 250 Hz the
    sampled maximum of a QRS slope can be 6 % under the true one)."""
    m = 0.0
    im = lo
    for i in range(lo, hi):
        a = abs(d[i])
        if a > m:
            m = a
            im = i
    if lo < im < d.size - 1 and im + 1 < hi:
        a = abs(d[im - 1])
        c = abs(d[im + 1])
        den = a - 2.0 * m + c
        if den < 0.0:
            m = m - (a - c) * (a - c) / (8.0 * den)
    return m


@jit
def qrs_onsets(d, r, lo_win, hi_win, xi, quiet, min_gap):
    """QRS onset of each beat from the smoothed derivative ``d``.

    ``M`` is the largest absolute slope in ``[r - lo_win, r + hi_win]``. Going back from the
    largest slope before R, the onset is the first sample where ``|d|`` stays below ``xi * M``
    for ``quiet`` samples (the isoelectric PR segment): a Q wave's slopes and the zero slope at
    its trough do not stop the search, a flat baseline does. ``min_gap`` keeps the search after
    the previous R peak.
    """
    n = d.size
    nb = r.size
    out = np.full(nb, -1, dtype=np.int64)
    for b in range(nb):
        lo = max(r[b] - lo_win, 1)
        if b > 0:
            lo = max(lo, r[b - 1] + min_gap)
        hi = min(r[b] + hi_win, n - 1)
        if hi - lo < 3 or r[b] <= lo:
            continue
        m = _peak_abs(d, lo, hi)
        if m <= 0.0:
            continue
        start = r[b]
        sm = 0.0
        for i in range(lo, r[b] + 1):
            a = abs(d[i])
            if a > sm:
                sm = a
                start = i
        level = xi * m
        run = 0
        k = start
        found = lo
        while k >= lo:
            if abs(d[k]) < level:
                run += 1
                if run >= quiet:
                    found = k + quiet - 1
                    break
            else:
                run = 0
            k -= 1
        out[b] = found
    return out


# --------------------------------------------------------------------------------------------
# P wave: a pair of opposite slope maxima before the QRS (Martinez et al. 2004, simplified)


@jit(inline="always")
def _slope_pair(d, lo, hi, pair_max):
    """The largest absolute slope of ``d`` in ``[lo, hi]`` and the largest opposite slope
    within ``pair_max`` samples of it, on whichever side it is larger: ``(first, second)`` in
    time order, or ``(-1, -1)`` when there is no such pair."""
    m1 = lo
    a1 = 0.0
    for i in range(lo, hi + 1):
        a = abs(d[i])
        if a > a1:
            a1 = a
            m1 = i
    if a1 <= 0.0:
        return -1, -1
    s1 = 1.0 if d[m1] > 0 else -1.0
    br = -1
    bvr = 0.0
    for i in range(m1 + 1, min(m1 + pair_max, hi) + 1):
        v = -s1 * d[i]
        if v > bvr:
            bvr = v
            br = i
    bl = -1
    bvl = 0.0
    for i in range(max(m1 - pair_max, lo), m1):
        v = -s1 * d[i]
        if v > bvl:
            bvl = v
            bl = i
    if br < 0 and bl < 0:
        return -1, -1
    if bvr >= bvl:
        return m1, br
    return bl, m1


@jit(inline="always")
def _extremum(x, sgn, a, b):
    """Index of the largest ``sgn * x`` in ``[a, b]``."""
    pk = a
    pv = -np.inf
    for i in range(a, b + 1):
        v = sgn * x[i]
        if v > pv:
            pv = v
            pk = i
    return pk


@jit
def p_waves(
    xs,
    dp,
    r,
    qon,
    win_lo,
    win_hi,
    gap_end,
    t_frac,
    pair_max,
    xi,
    out_on,
    out_pk,
    out_amp,
    out_noise,
):
    """P onset, P peak, amplitude and window noise of each beat (``-1`` / NaN when not found).

    The search window ends ``gap_end`` samples before the QRS onset and starts at the later of
    ``qon - win_lo`` and the estimated end of the previous T wave (``r_prev + t_frac * RR``). In it,
    the largest slope of the smoothed signal (``dp``) and the largest opposite slope within
    ``pair_max`` samples on either side make the P wave's pair of modulus maxima; the P peak is the
    extremum of ``xs`` between them and the onset is where ``|dp|`` falls below ``xi`` times the
    first slope (or reaches a local minimum) going back from it.
    """
    n = xs.size
    nb = r.size
    for b in range(nb):
        out_on[b] = -1
        out_pk[b] = -1
        out_amp[b] = np.nan
        out_noise[b] = np.nan
        if qon[b] < 0:
            continue
        hi = qon[b] - gap_end
        lo = qon[b] - win_lo
        if b > 0:
            rr = r[b] - r[b - 1]
            lo = max(lo, r[b - 1] + int(t_frac * rr))
        lo = max(lo, 1)
        hi = min(hi, n - 2)
        if hi - lo < win_hi:
            continue
        # the largest slope in the window and its opposite partner
        u, v2 = _slope_pair(dp, lo, hi, pair_max)
        if u < 0:
            continue
        # peak: extremum of xs between the pair in the direction of the first slope
        pk = _extremum(xs, 1.0 if dp[u] > 0 else -1.0, u, v2)
        # onset: back from the first slope maximum
        level = xi * abs(dp[u])
        k = u
        while k > lo:
            if abs(dp[k]) <= level or dp[k] * dp[u] < 0.0:
                break
            k -= 1
        out_on[b] = k
        out_pk[b] = pk
        out_amp[b] = abs(xs[pk] - xs[k])
        # noise: mean absolute second difference of xs outside the pair (a slope-free measure)
        acc = 0.0
        cnt = 0
        for i in range(lo + 1, hi):
            acc += abs(xs[i + 1] - 2.0 * xs[i] + xs[i - 1])
            cnt += 1
        out_noise[b] = acc / max(cnt, 1)


@jit(inline="always")
def _template_moments(template):
    L = template.size
    tm = 0.0
    for i in range(L):
        tm += template[i]
    tm /= L
    tv = 0.0
    for i in range(L):
        tv += (template[i] - tm) ** 2
    return tm, tv


@jit(inline="always")
def _shift_corrs(x, start, template, tm, tv, max_shift, cs):
    # cs[k] = Pearson correlation of the template with x at start + k - max_shift (NaN where
    # the window leaves x or is flat); returns the first k of the largest, or -1 if none
    n = x.size
    L = template.size
    best = -1
    bv = -2.0
    for k in range(2 * max_shift + 1):
        cs[k] = np.nan
        a = start + k - max_shift
        if a < 0 or a + L > n:
            continue
        xm = 0.0
        for i in range(L):
            xm += x[a + i]
        xm /= L
        xv = 0.0
        c = 0.0
        for i in range(L):
            dx = x[a + i] - xm
            xv += dx * dx
            c += dx * (template[i] - tm)
        if xv > 0.0:
            cs[k] = c / math.sqrt(xv * tv)
            if cs[k] > bv:
                bv = cs[k]
                best = k
    return best


@jit
def best_shift_corr(x, starts, template, max_shift):
    """For each start, the shift in ``[-max_shift, max_shift]`` maximising the Pearson correlation
    of ``x[start + shift : start + shift + len(template)]`` with ``template``; (shift, corr)."""
    nb = starts.size
    shift = np.zeros(nb, dtype=np.int64)
    corr = np.full(nb, np.nan)
    cs = np.empty(2 * max_shift + 1)
    tm, tv = _template_moments(template)
    if tv <= 0.0:
        return shift, corr
    for b in range(nb):
        best = _shift_corrs(x, starts[b], template, tm, tv, max_shift, cs)
        if best >= 0:
            shift[b] = best - max_shift
            corr[b] = cs[best]
    return shift, corr


@jit
def fine_shift_corr(x, starts, template, max_shift):
    """Like :func:`best_shift_corr`, with a fractional shift: the vertex of the parabola through
    the correlations at the best integer shift and its two neighbours (the integer shift when the
    best one is at the edge of the range or the parabola does not open downwards)."""
    nb = starts.size
    shift = np.zeros(nb)
    corr = np.full(nb, np.nan)
    ns = 2 * max_shift + 1
    cs = np.empty(ns)
    tm, tv = _template_moments(template)
    if tv <= 0.0:
        return shift, corr
    for b in range(nb):
        best = _shift_corrs(x, starts[b], template, tm, tv, max_shift, cs)
        if best < 0:
            continue
        bv = cs[best]
        off = 0.0
        if 0 < best < ns - 1 and not (np.isnan(cs[best - 1]) or np.isnan(cs[best + 1])):
            den = cs[best - 1] - 2.0 * cs[best] + cs[best + 1]
            if den < 0.0:
                off = 0.5 * (cs[best - 1] - cs[best + 1]) / den
        shift[b] = best - max_shift + off
        corr[b] = bv
    return shift, corr


# --------------------------------------------------------------------------------------------
# QRS offset (J point) and T wave


@jit
def qrs_offsets(d, r, lo_win, hi_win, xi, quiet, min_gap):
    """QRS offset of each beat from the smoothed derivative ``d`` (mirror of :func:`qrs_onsets`).

    ``M`` is the largest absolute slope in ``[r - lo_win, r + hi_win]``. Going forward from the
    largest slope after R, the offset is the first sample of the first run of ``quiet`` samples
    where ``|d|`` stays below ``xi * M`` (the ST segment): an S wave's slopes and the zero slope
    at its trough do not stop the search, a flat segment does. ``min_gap`` keeps the search
    before the next R peak; ``-1`` where the search does not fit.
    """
    n = d.size
    nb = r.size
    out = np.full(nb, -1, dtype=np.int64)
    for b in range(nb):
        lo = max(r[b] - lo_win, 1)
        hi = min(r[b] + hi_win, n - 1)
        if b + 1 < nb:
            hi = min(hi, r[b + 1] - min_gap)
        if hi - lo < 3 or r[b] >= hi:
            continue
        m = _peak_abs(d, lo, hi)
        if m <= 0.0:
            continue
        start = r[b]
        sm = 0.0
        for i in range(r[b], hi):
            a = abs(d[i])
            if a > sm:
                sm = a
                start = i
        level = xi * m
        run = 0
        found = hi
        for k in range(start, hi):
            if abs(d[k]) < level:
                run += 1
                if run >= quiet:
                    found = k - quiet + 1
                    break
            else:
                run = 0
        out[b] = found
    return out


@jit
def t_waves(ys, dy, y0, lo, hi, pair_max, right, method, out_pk, out_end, out_amp):
    """T peak, T end and T amplitude of each beat (``-1`` / NaN when not found).

    ``ys`` is the smoothed signal, ``dy`` its slope and ``y0`` the isoelectric level of each
    beat (used by the tangent method only). In the window ``[lo, hi]`` the largest slope and the
    largest opposite slope within ``pair_max`` samples of it (after it if there is one, else
    before) are the T wave's pair of modulus maxima (Martinez et al. 2004); the T peak is the
    extremum of ``ys`` between them, and the T end is searched after the second one (``m``, the
    steepest return towards the baseline):

    * ``method == 0`` (tangent): where the tangent at ``m`` reaches the level ``y0``;
    * ``method == 1`` (trapezium, Vazquez-Seisdedos et al. 2011): the point ``i`` in
      ``[m, m + right]`` maximising the area ``s * (ys[m] - ys[i]) * (2 r_ - i - m)`` of the
      trapezium with vertices ``m``, ``i`` and the fixed right point ``r_ = m + right``
      (``s`` the T polarity), which needs no baseline;

    clipped to ``[m, hi]``. The amplitude is ``|ys[peak] - ys[end]|``.
    """
    nb = lo.size
    n = ys.size
    for b in range(nb):
        out_pk[b] = -1
        out_end[b] = np.nan
        out_amp[b] = np.nan
        a = max(lo[b], 1)
        e = min(hi[b], n - 2)
        if lo[b] < 0 or e - a < 4:
            continue
        u, m = _slope_pair(dy, a, e, pair_max)
        if u < 0:
            continue
        s = 1.0 if dy[u] > 0 else -1.0  # rising then falling: a positive T wave
        pk = _extremum(ys, s, u, m)
        sl = abs(dy[m])
        if method == 0:
            t = m + s * (ys[m] - y0[b]) / sl
        else:
            rr_ = min(m + right, e)
            best = m
            bv = 0.0
            for i in range(m, rr_ + 1):
                v = s * (ys[m] - ys[i]) * (2 * rr_ - i - m)
                if v > bv:
                    bv = v
                    best = i
            t = float(best)
        t = min(max(t, float(m)), float(e))
        out_pk[b] = pk
        out_end[b] = t
        out_amp[b] = abs(ys[pk] - ys[int(round(t))])
