"""Numba kernels of the HHT family (private; no validation, no raising).

The whole sift of one signal runs in :func:`emd_one` (nopython, ``nogil``): extrema detection,
Rilling/PyEMD boundary mirroring, cubic-spline envelopes (a tridiagonal solve written here),
the stopping criteria and the residue termination. Ensembles and batches call it from Python
threads (it releases the GIL), one call per signal or trial.

Per sift, with as few passes over memory as the data flow allows:

- :func:`_extrema_knots` writes the extrema straight into the knot arrays (one vectorised pass
  compacting positions and values, ``vcompresspd``; a slope-sign pass and one compaction when
  extrema are sparse), leaving room for :func:`_mirror_in` to put the mirrored boundary knots
  around them;
- :func:`_solve_env` solves both envelopes' spline systems with a twisted factorisation (four
  independent chains of divisions: upper/lower, from the top/from the bottom), computing each
  knot's spacing and slope as the sweeps reach it and each interval's cubic coefficients as the
  outward substitution completes it, in one 4-field record per knot (two per cache line);
- :func:`_eval_range` evaluates the envelopes block by block (``BLOCK`` samples, so the two
  envelope blocks stay in L1) in 8-sample vectors, and :func:`_mean_step` subtracts the mean
  and sums the stopping criteria.

Every kernel is compiled with ``error_model="numpy"``: a division by zero (an exact zero in
PyEMD's ``sum((m / h)**2)``, say) gives inf/NaN as in PyEMD instead of raising, so the kernels
never raise; the comparisons that read those values treat them as "criterion not met".

Stopping codes (``stop``): 0 ``pyemd``, 1 ``sd``, 2 ``s_number``, 3 ``energy``, 4 ``fixed``.
Status codes of :func:`_sift`: 0 an IMF was produced, 1 the input is a trend (too few extrema or
no valid mirrored envelope), so sifting ends.
"""

from __future__ import annotations

import math

import numpy as np
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

from .._numba import jit

BLOCK = 1024  # samples per block of the envelope evaluation (two blocks fit in L1)
DENSE = 5  # extrema closer than 1 in DENSE samples: the single-pass extrema path
STOP_CODES = {"pyemd": 0, "sd": 1, "s_number": 2, "energy": 3, "fixed": 4}


@intrinsic
def _cubic8(typingctx, out, start, y0, c1, c2, c3, b0):
    """``out[start + q] = y0 + B*(c1 + B*(c2 + B*c3))``, ``B = b0 + q``, q = 0..7, as one vector.

    Numba runs no SLP vectoriser, so the 8-sample chunk of :func:`_eval` is written as explicit
    LLVM vector code. The same three fused multiply-adds as the scalar expression compiled with
    'contract' (bitwise the same values). No bounds check: callers keep ``start + 8 <= len(out)``.
    """
    sig = types.void(out, start, y0, c1, c2, c3, b0)

    def codegen(context, builder, signature, args):
        arr, st, vy0, vc1, vc2, vc3, vb0 = args
        ary = context.make_array(signature.args[0])(context, builder, arr)
        dbl = ir.DoubleType()
        vty = ir.VectorType(dbl, 8)
        zero_mask = ir.Constant(ir.VectorType(ir.IntType(32), 8), [0] * 8)

        def splat(v):
            u = builder.insert_element(ir.Constant(vty, None), v, ir.Constant(ir.IntType(32), 0))
            return builder.shuffle_vector(u, u, zero_mask)

        fma = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(vty, [vty, vty, vty]), "llvm.fma.v8f64"
        )
        steps = ir.Constant(vty, [float(q) for q in range(8)])
        B = builder.fadd(splat(vb0), steps)
        acc = builder.call(fma, [B, splat(vc3), splat(vc2)])
        acc = builder.call(fma, [B, acc, splat(vc1)])
        acc = builder.call(fma, [B, acc, splat(vy0)])
        ptr = builder.gep(ary.data, [st])
        vptr = builder.bitcast(ptr, vty.as_pointer())
        builder.store(acc, vptr, align=8)
        return context.get_dummy_value()

    return sig, codegen


@intrinsic
def _ipos(typingctx, t, j):
    """``int(t[j])`` without index wraparound (callers keep 0 <= j < len(t))."""
    sig = types.int64(t, j)

    def codegen(context, builder, signature, args):
        ta = context.make_array(signature.args[0])(context, builder, args[0])
        v = builder.load(builder.gep(ta.data, [args[1]]))
        return builder.fptosi(v, ir.IntType(64))

    return sig, codegen


@intrinsic
def _fnmadd(typingctx, a, b, c):
    """``c - a * b`` with one rounding (``llvm.fma``): pins which product is fused, which the
    optimiser otherwise picks itself (it fused ``2 * (a + c)`` and left ``a * c'`` on the
    sweeps' critical chain)."""
    sig = types.float64(types.float64, types.float64, types.float64)

    def codegen(context, builder, signature, args):
        dbl = ir.DoubleType()
        fma = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(dbl, [dbl, dbl, dbl]), "llvm.fma.f64"
        )
        return builder.call(fma, [builder.fneg(args[0]), args[1], args[2]])

    return sig, codegen


@intrinsic
def _compress8(typingctx, sg, out, i, ne):
    """Positions i..i+7 where ``sg[p - 1] != sg[p]``, appended to ``out`` at ``ne``; new ``ne``.

    ``llvm.masked.compressstore`` (one ``vpcompressq`` with AVX-512; LLVM expands it elsewhere):
    the branch-free compaction of 8 samples in a few instructions. No bounds check: callers keep
    ``i >= 1``, ``i + 8 <= len(sg)`` and ``ne + 8 <= len(out)``.
    """
    sig = types.int64(sg, out, i, ne)

    def codegen(context, builder, signature, args):
        sgv, outv, iv, nev = args
        sga = context.make_array(signature.args[0])(context, builder, sgv)
        outa = context.make_array(signature.args[1])(context, builder, outv)
        i8 = ir.IntType(8)
        i64 = ir.IntType(64)
        v8i8 = ir.VectorType(i8, 8)
        v8i64 = ir.VectorType(i64, 8)
        v8i1 = ir.VectorType(ir.IntType(1), 8)
        p0 = builder.gep(sga.data, [builder.sub(iv, ir.Constant(i64, 1))])
        p1 = builder.gep(sga.data, [iv])
        a = builder.load(builder.bitcast(p0, v8i8.as_pointer()), align=1)
        b = builder.load(builder.bitcast(p1, v8i8.as_pointer()), align=1)
        mask = builder.icmp_unsigned("!=", a, b)
        u = builder.insert_element(ir.Constant(v8i64, None), iv, ir.Constant(ir.IntType(32), 0))
        base = builder.shuffle_vector(u, u, ir.Constant(ir.VectorType(ir.IntType(32), 8), [0] * 8))
        idx = builder.add(base, ir.Constant(v8i64, list(range(8))))
        fn = cgutils.get_or_insert_function(
            builder.module,
            ir.FunctionType(ir.VoidType(), [v8i64, i64.as_pointer(), v8i1]),
            "llvm.masked.compressstore.v8i64",
        )
        dst = builder.gep(outa.data, [nev])
        builder.call(fn, [idx, dst, mask])
        bits = builder.bitcast(mask, i8)
        ctpop = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(i8, [i8]), "llvm.ctpop.i8"
        )
        cnt = builder.zext(builder.call(ctpop, [bits]), i64)
        return builder.add(nev, cnt)

    return sig, codegen


@intrinsic
def _knots_loop(typingctx, h, q, tmax, ymax, tmin, ymin, off):
    """Extrema of samples p = 1 .. 8 q (steps of 8, i = 1, 9, ...) appended as knots, one
    vectorised loop with its counters in registers.

    With ``a = h[p-1]``, ``b = h[p]``, ``c = h[p+1]``: a maximum where ``b > a`` and not
    ``c > b``, a minimum where not ``b > a`` and ``c > b`` (the sign change of the slope, exact
    when no flat step occurs). Positions (as float64) and values are compacted with
    ``llvm.experimental.vector.compress`` (``vcompresspd``) and stored as whole vectors at
    ``tmax[off + n_max:]``, ``ymax[...]`` (``tmin``/``ymin`` likewise); the next step overwrites
    the surplus lanes. Zero crossings count ``b * c < 0`` (differing sign bits); ``special``
    flags a flat step ``c == b`` or an exact zero ``b == 0`` (``(c - b) * b == 0``, also true
    on underflow: then the caller's exact plateau-aware path runs, which is only slower). Both
    are accumulated as vectors and reduced once. Returns (n_max, n_min, zero_crossings,
    special). No bounds check: callers keep ``8 q + 10 <= len(h)`` and 8 free slots after the
    last knot.
    """
    sig = types.UniTuple(types.int64, 4)(h, q, tmax, ymax, tmin, ymin, off)

    def codegen(context, builder, signature, args):
        hv, qv, tav, yav, tbv, ybv, offv = args
        ha = context.make_array(signature.args[0])(context, builder, hv)
        outs = [
            context.make_array(signature.args[k])(context, builder, args[k]) for k in (2, 3, 4, 5)
        ]
        i8 = ir.IntType(8)
        i64 = ir.IntType(64)
        dbl = ir.DoubleType()
        vd = ir.VectorType(dbl, 8)
        vi = ir.VectorType(i64, 8)
        v8i1 = ir.VectorType(ir.IntType(1), 8)
        comp = cgutils.get_or_insert_function(
            builder.module,
            ir.FunctionType(vd, [vd, v8i1, vd]),
            "llvm.experimental.vector.compress.v8f64",
        )
        ctpop = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(i8, [i8]), "llvm.ctpop.i8"
        )
        vsum = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(i64, [vi]), "llvm.vector.reduce.add.v8i64"
        )
        kmax_p = cgutils.alloca_once_value(builder, offv)
        kmin_p = cgutils.alloca_once_value(builder, offv)
        zc_p = cgutils.alloca_once_value(builder, ir.Constant(vi, [0] * 8))
        flat_p = cgutils.alloca_once_value(builder, ir.Constant(i8, 0))
        pos_p = cgutils.alloca_once_value(
            builder, ir.Constant(vd, [float(k + 1) for k in range(8)])
        )
        zero = ir.Constant(vd, [0.0] * 8)
        with cgutils.for_range(builder, qv) as loop:
            iv = builder.add(builder.shl(loop.index, ir.Constant(i64, 3)), ir.Constant(i64, 1))

            def vload(k):
                ptr = builder.gep(ha.data, [builder.add(iv, ir.Constant(i64, k))])
                return builder.load(builder.bitcast(ptr, vd.as_pointer()), align=8)

            a = vload(-1)
            b = vload(0)
            c = vload(1)
            up0 = builder.fcmp_ordered(">", b, a)
            up1 = builder.fcmp_ordered(">", c, b)
            ones = ir.Constant(v8i1, [1] * 8)
            mmax = builder.and_(up0, builder.xor(up1, ones))
            mmin = builder.and_(builder.xor(up0, ones), up1)
            flat = builder.fcmp_ordered("==", builder.fmul(builder.fsub(c, b), b), zero)
            builder.store(builder.or_(builder.load(flat_p), builder.bitcast(flat, i8)), flat_p)
            sx = builder.xor(builder.bitcast(b, vi), builder.bitcast(c, vi))
            zc = builder.icmp_signed("<", sx, ir.Constant(vi, [0] * 8))
            builder.store(builder.add(builder.load(zc_p), builder.zext(zc, vi)), zc_p)
            pos = builder.load(pos_p)
            builder.store(builder.fadd(pos, ir.Constant(vd, [8.0] * 8)), pos_p)
            kmax = builder.load(kmax_p)
            kmin = builder.load(kmin_p)

            def put(vec, mask, arr, k):
                cv = builder.call(comp, [vec, mask, ir.Constant(vd, None)])
                ptr = builder.bitcast(builder.gep(arr.data, [k]), vd.as_pointer())
                builder.store(cv, ptr, align=8)

            put(pos, mmax, outs[0], kmax)
            put(b, mmax, outs[1], kmax)
            put(pos, mmin, outs[2], kmin)
            put(b, mmin, outs[3], kmin)

            def count(mask):
                return builder.zext(builder.call(ctpop, [builder.bitcast(mask, i8)]), i64)

            builder.store(builder.add(kmax, count(mmax)), kmax_p)
            builder.store(builder.add(kmin, count(mmin)), kmin_p)
        nmax = builder.sub(builder.load(kmax_p), offv)
        nmin = builder.sub(builder.load(kmin_p), offv)
        nzc = builder.call(vsum, [builder.load(zc_p)])
        special = builder.zext(
            builder.icmp_unsigned("!=", builder.load(flat_p), ir.Constant(i8, 0)), i64
        )
        return context.make_tuple(builder, signature.return_type, [nmax, nmin, nzc, special])

    return sig, codegen


@intrinsic
def _slopes8(typingctx, h, sg, i):
    """Samples i..i+7 of the extrema's first pass as one vector: ``sg[p] = h[p+1] > h[p]``;
    returns the number of zero crossings ``h[p] * h[p+1] < 0`` plus ``2**32`` if a flat step
    ``h[p+1] == h[p]`` or an exact zero ``h[p] == 0`` occurs. No bounds check: callers keep
    ``i + 9 <= len(h)`` and ``i + 8 <= len(sg)``.
    """
    sig = types.int64(h, sg, i)

    def codegen(context, builder, signature, args):
        hv, sgv, iv = args
        ha = context.make_array(signature.args[0])(context, builder, hv)
        sga = context.make_array(signature.args[1])(context, builder, sgv)
        i8 = ir.IntType(8)
        i64 = ir.IntType(64)
        vd = ir.VectorType(ir.DoubleType(), 8)
        p0 = builder.gep(ha.data, [iv])
        p1 = builder.gep(ha.data, [builder.add(iv, ir.Constant(i64, 1))])
        a = builder.load(builder.bitcast(p0, vd.as_pointer()), align=8)
        b = builder.load(builder.bitcast(p1, vd.as_pointer()), align=8)
        up = builder.fcmp_ordered(">", b, a)
        ps = builder.gep(sga.data, [iv])
        builder.store(
            builder.zext(up, ir.VectorType(i8, 8)),
            builder.bitcast(ps, ir.VectorType(i8, 8).as_pointer()),
            align=1,
        )
        zero = ir.Constant(vd, [0.0] * 8)
        flat = builder.or_(builder.fcmp_ordered("==", b, a), builder.fcmp_ordered("==", a, zero))
        zc = builder.fcmp_ordered("<", builder.fmul(a, b), zero)
        ctpop = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(i8, [i8]), "llvm.ctpop.i8"
        )
        nz = builder.zext(builder.call(ctpop, [builder.bitcast(zc, i8)]), i64)
        anyflat = builder.icmp_unsigned("!=", builder.bitcast(flat, i8), ir.Constant(i8, 0))
        fl = builder.shl(builder.zext(anyflat, i64), ir.Constant(i64, 32))
        return builder.or_(nz, fl)

    return sig, codegen


@jit(error_model="numpy")
def _extrema_sparse(h, imax, imin, tmax, ymax, tmin, ymin, off, nb, sg, ei):
    """:func:`_extrema_knots` for signals with few extrema (n >= 10): the slope signs in one
    vector pass (:func:`_slopes8`), all extrema compacted into one list (:func:`_compress8`),
    which is then split into the knot arrays by a scalar loop over the extrema only."""
    n = h.shape[0]
    special = 0
    nzc = 0
    i = 0
    while i + 9 <= n:
        code = _slopes8(h, sg, i)
        nzc += code & 0xFFFFFFFF
        special += code >> 32
        i += 8
    for j in range(i, n - 1):
        a = h[j]
        b = h[j + 1]
        d = b - a
        sg[j] = d > 0.0
        special += (d == 0.0) | (a == 0.0)
        nzc += a * b < 0.0
    if special > 0 or h[n - 1] == 0.0:
        return _extrema_slow(h, imax, imin, tmax, ymax, tmin, ymin, off)
    ne = 0
    i = 1
    while i + 8 <= n - 1:  # sg[n - 1] is never read
        ne = _compress8(sg, ei, i, ne)
        i += 8
    for j in range(i, n - 1):
        ei[ne] = j
        ne += sg[j - 1] != sg[j]
    if ne == 0:
        return 0, 0, nzc
    first_max = sg[ei[0] - 1] == 1
    nmax = 0
    nmin = 0
    for j in range(ne):
        p = ei[j]
        if ((j & 1) == 0) == first_max:
            tmax[off + nmax] = p
            ymax[off + nmax] = h[p]
            nmax += 1
        else:
            tmin[off + nmin] = p
            ymin[off + nmin] = h[p]
            nmin += 1
    _ends_to_int(tmax, nmax, imax, tmin, nmin, imin, off, nb)
    return nmax, nmin, nzc


@jit(error_model="numpy")
def _extrema_slow(h, imax, imin, tmax, ymax, tmin, ymin, off):
    """Plateau-aware extrema (:func:`_extrema_plateau`) copied into the knot arrays."""
    nmax, nmin, nzc = _extrema_plateau(h, imax, imin)
    for j in range(nmax):
        tmax[off + j] = imax[j]
        ymax[off + j] = h[imax[j]]
    for j in range(nmin):
        tmin[off + j] = imin[j]
        ymin[off + j] = h[imin[j]]
    return nmax, nmin, nzc


@jit(error_model="numpy")
def _ends_to_int(tmax, nmax, imax, tmin, nmin, imin, off, nb):
    """Integer positions of the ``nb + 3`` extrema at each end (all the mirroring reads)."""
    e = nb + 3
    for j in range(min(nmax, e)):
        imax[j] = int(tmax[off + j])
    for j in range(max(nmax - e, 0), nmax):
        imax[j] = int(tmax[off + j])
    for j in range(min(nmin, e)):
        imin[j] = int(tmin[off + j])
    for j in range(max(nmin - e, 0), nmin):
        imin[j] = int(tmin[off + j])


@jit(error_model="numpy")
def _extrema_knots(h, imax, imin, tmax, ymax, tmin, ymin, off, nb, sg, ei, dense):
    """Local extrema of ``h`` written directly as spline knots, and the zero-crossing count.

    Positions (float64) and values of the maxima go to ``tmax[off:]``/``ymax[off:]``, of the
    minima to ``tmin[off:]``/``ymin[off:]`` (:func:`_mirror_in` puts the mirrored boundary
    knots around them). Fast path for signals without flat steps or exact zeros: one
    vectorised pass (:func:`_knots_loop`; :func:`_extrema_sparse` when ``dense`` is false).
    Otherwise :func:`_extrema_plateau` (plateau middles as
    PyEMD, zero runs counted once). ``imax``/``imin`` receive the integer positions of the
    ``nb + 3`` extrema at each end (all that the boundary mirroring reads) on the fast path,
    all of them otherwise. The knot arrays need 8 free slots after the last extremum.
    """
    n = h.shape[0]
    nmax = 0
    nmin = 0
    nzc = 0
    special = 0
    if n >= 10 and not dense:
        return _extrema_sparse(h, imax, imin, tmax, ymax, tmin, ymin, off, nb, sg, ei)
    if n >= 10:
        a = h[0]
        b = h[1]
        special = (b == a) | (a == 0.0) | (h[n - 1] == 0.0)
        nzc = a * b < 0.0
        q = (n - 10) // 8 + 1  # vector steps i = 1, 9, ... with i + 9 <= n
        nmax, nmin, z, f = _knots_loop(h, q, tmax, ymax, tmin, ymin, off)
        nzc += z
        special += f
        i = 1 + 8 * q
        for p in range(i, n - 1):
            a = h[p - 1]
            b = h[p]
            c = h[p + 1]
            special += (c == b) | (b == 0.0)
            nzc += b * c < 0.0
            up0 = b > a
            up1 = c > b
            if up0 and not up1:
                tmax[off + nmax] = p
                ymax[off + nmax] = b
                nmax += 1
            elif up1 and not up0:
                tmin[off + nmin] = p
                ymin[off + nmin] = b
                nmin += 1
    if n < 10 or special > 0:
        return _extrema_slow(h, imax, imin, tmax, ymax, tmin, ymin, off)
    _ends_to_int(tmax, nmax, imax, tmin, nmin, imin, off, nb)
    return nmax, nmin, nzc


@jit(error_model="numpy")
def _extrema_plateau(h, imax, imin):
    """Local maxima/minima (plateaus at their middle, as PyEMD) and the zero-crossing count."""
    n = h.shape[0]
    nmax = 0
    nmin = 0
    nzc = 0
    prev_dir = 0
    run_start = -1
    if n > 0 and h[0] == 0.0:
        nzc += 1
    for i in range(1, n):
        a = h[i - 1]
        b = h[i]
        if a * b < 0.0:
            nzc += 1
        elif b == 0.0 and a != 0.0:
            nzc += 1  # a run of exact zeros counts once
        d = b - a
        if d > 0.0:
            dirn = 1
        elif d < 0.0:
            dirn = -1
        else:
            if run_start < 0:
                run_start = i - 1
            continue
        if prev_dir != 0 and dirn != prev_dir:
            if run_start < 0:
                pos = i - 1
            else:
                s = run_start + i - 1  # plateau [run_start, i-1]: middle, half to even
                pos = s // 2
                if s % 2 == 1 and pos % 2 == 1:
                    pos += 1
            if prev_dir > 0:
                imax[nmax] = pos
                nmax += 1
            else:
                imin[nmin] = pos
                nmin += 1
        prev_dir = dirn
        run_start = -1
    return nmax, nmin, nzc


@jit(error_model="numpy")
def _rev_slice(src, start, stop, dst, k):
    """dst[k:] = src[start:stop][::-1]; returns the new length."""
    for j in range(stop - 1, start - 1, -1):
        dst[k] = src[j]
        k += 1
    return k


@jit(error_model="numpy")
def _mirror_in(h, imax, nmax, imin, nmin, nb, tmax, ymax, tmin, ymin, lbuf, tbuf, off):
    """PyEMD's ``prepare_points_simple`` (Rilling et al.'s boundary mirroring, ``nbsym=nb``)
    around knots already in place: the detected extrema are at ``tmax[off:]``/``ymax[off:]``
    (``tmin``/``ymin``), written by :func:`_extrema_knots`; the mirrored knots are written
    before and after them (``off >= nb + 1``), nothing is copied. ``imax``/``imin`` hold the
    integer positions of at least the ``nb + 3`` extrema at each end.

    Returns (start_max, n_max_knots, start_min, n_min_knots); n_max_knots = -1 when no valid
    mirrored envelope exists (then the signal is treated as a trend). ``tbuf``: (2, nb + 2)
    float scratch.
    """
    n = h.shape[0]
    M = nmax
    m = nmin
    if M == 0 or m == 0:
        return 0, -1, 0, -1
    lmax = lbuf[0]
    lmin = lbuf[1]
    rmax = lbuf[2]
    rmin = lbuf[3]
    # ---- left
    if imax[0] < imin[0]:
        if h[0] > h[imin[0]]:
            nlmax = _rev_slice(imax, 1, min(M, nb + 1), lmax, 0)
            nlmin = _rev_slice(imin, 0, min(m, nb), lmin, 0)
            lsym = imax[0]
        else:
            nlmax = _rev_slice(imax, 0, min(M, nb), lmax, 0)
            nlmin = _rev_slice(imin, 0, min(m, nb - 1), lmin, 0)
            lmin[nlmin] = 0
            nlmin += 1
            lsym = 0
    else:
        if h[0] < h[imax[0]]:
            nlmax = _rev_slice(imax, 0, min(M, nb), lmax, 0)
            nlmin = _rev_slice(imin, 1, min(m, nb + 1), lmin, 0)
            lsym = imin[0]
        else:
            nlmax = _rev_slice(imax, 0, min(M, nb - 1), lmax, 0)
            lmax[nlmax] = 0
            nlmax += 1
            nlmin = _rev_slice(imin, 0, min(m, nb), lmin, 0)
            lsym = 0
    if nlmin == 0:
        for j in range(m):
            lmin[j] = imin[j]
        nlmin = m
    if nlmax == 0:
        for j in range(M):
            lmax[j] = imax[j]
        nlmax = M
    if 2 * lsym - lmin[0] > 0 or 2 * lsym - lmax[0] > 0:
        if lsym == imax[0]:
            nlmax = _rev_slice(imax, 0, min(M, nb), lmax, 0)
        else:
            nlmin = _rev_slice(imin, 0, min(m, nb), lmin, 0)
        if lsym == 0:
            return 0, -1, 0, -1
        lsym = 0
    # ---- right
    if imax[M - 1] < imin[m - 1]:
        if h[n - 1] < h[imax[M - 1]]:
            nrmax = _rev_slice(imax, max(M - nb, 0), M, rmax, 0)
            nrmin = _rev_slice(imin, max(m - nb - 1, 0), m - 1, rmin, 0)
            rsym = imin[m - 1]
        else:
            rmax[0] = n - 1
            nrmax = _rev_slice(imax, max(M - nb + 1, 0), M, rmax, 1)
            nrmin = _rev_slice(imin, max(m - nb, 0), m, rmin, 0)
            rsym = n - 1
    else:
        if h[n - 1] > h[imin[m - 1]]:
            nrmax = _rev_slice(imax, max(M - nb - 1, 0), M - 1, rmax, 0)
            nrmin = _rev_slice(imin, max(m - nb, 0), m, rmin, 0)
            rsym = imax[M - 1]
        else:
            nrmax = _rev_slice(imax, max(M - nb, 0), M, rmax, 0)
            rmin[0] = n - 1
            nrmin = _rev_slice(imin, max(m - nb + 1, 0), m, rmin, 1)
            rsym = n - 1
    if nrmin == 0:
        for j in range(m):
            rmin[j] = imin[j]
        nrmin = m
    if nrmax == 0:
        for j in range(M):
            rmax[j] = imax[j]
        nrmax = M
    if 2 * rsym - rmin[nrmin - 1] < n - 1 or 2 * rsym - rmax[nrmax - 1] < n - 1:
        if rsym == imax[M - 1]:
            nrmax = _rev_slice(imax, max(M - nb, 0), M, rmax, 0)
        else:
            nrmin = _rev_slice(imin, max(m - nb, 0), m, rmin, 0)
        if rsym == n - 1:
            return 0, -1, 0, -1
        rsym = n - 1
    smax, kmax = _assemble_in(
        h, lmax, nlmax, lsym, imax, M, rmax, nrmax, rsym, tmax, ymax, off, tbuf
    )
    smin, kmin = _assemble_in(
        h, lmin, nlmin, lsym, imin, m, rmin, nrmin, rsym, tmin, ymin, off, tbuf
    )
    if kmax < 2 or kmin < 2:
        return 0, -1, 0, -1
    # valid envelope: strictly increasing knots (checked in _assemble_in) covering [0, n-1]
    if (
        tmax[smax] > 0.0
        or tmin[smin] > 0.0
        or tmax[smax + kmax - 1] < n - 1
        or tmin[smin + kmin - 1] < n - 1
    ):
        return 0, -1, 0, -1
    return smax, kmax, smin, kmin


@jit(error_model="numpy")
def _assemble_in(h, left, nl, lsym, mid, nm, right, nr, rsym, t, y, off, tbuf):
    """Mirrored-left, detected and mirrored-right knots as one increasing sequence, dropping
    repeated positions (PyEMD's duplicate removal), with the detected knots already at
    ``t[off:off + nm]``: the left knots are written just before the first kept one, the right
    ones after the last. Returns (start, knot count); count -1 if positions are not
    increasing."""
    tl = tbuf[0]
    yl = tbuf[1]
    k0 = 0
    last = -1.0e300
    for j in range(nl):
        pos = 2.0 * lsym - left[j]
        if pos != last:
            if pos < last:
                return 0, -1
            tl[k0] = pos
            yl[k0] = h[left[j]]
            k0 += 1
            last = pos
    j0 = 0
    while j0 < nm and mid[j0] <= last:  # detected extrema are increasing: only the junction
        if mid[j0] < last:
            return 0, -1
        j0 += 1
    start = off + j0 - k0
    for q in range(k0):
        t[start + q] = tl[q]
        y[start + q] = yl[q]
    k = off + nm
    if nm > j0:
        last = float(mid[nm - 1])
    for j in range(nr):
        pos = 2.0 * rsym - right[j]
        if pos != last:
            if pos < last:
                return 0, -1
            t[k] = pos
            y[k] = h[right[j]]
            k += 1
            last = pos
    return start, k - start


# ---- knot records: the spline scratch is a flat float64 array with one record per knot, so
# every field of a row sits in one cache line and the sweeps' loops need a single base pointer
# per system (four systems at once would otherwise exhaust registers). The sift's solver uses
# 4-field records (_g4/_s4, described in _solve_env: two knots per cache line, which is what
# the evaluation streams through); systems of fewer than 6 knots are solved on 8-field scratch
# records (_g/_s: 0 h, 1 1/h, 2 slope, 3 c', 4 r', 5 M) by _solve_small.


def _record_access(log2_fields: int):
    """The pair of intrinsics ``get(w, j, f) = w[(j << log2_fields) + f]`` and
    ``put(w, j, f, v)``: field ``f`` of knot ``j``'s record, with no wraparound or bounds
    checks (callers keep the indices in range)."""

    def _index(builder, j, f):
        i64 = ir.IntType(64)
        return builder.add(builder.shl(j, ir.Constant(i64, log2_fields)), f)

    @intrinsic
    def get(typingctx, w, j, f):
        sig = types.float64(w, types.int64, types.int64)

        def codegen(context, builder, signature, args):
            wa = context.make_array(signature.args[0])(context, builder, args[0])
            return builder.load(builder.gep(wa.data, [_index(builder, args[1], args[2])]))

        return sig, codegen

    @intrinsic
    def put(typingctx, w, j, f, v):
        sig = types.void(w, types.int64, types.int64, types.float64)

        def codegen(context, builder, signature, args):
            wa = context.make_array(signature.args[0])(context, builder, args[0])
            builder.store(args[3], builder.gep(wa.data, [_index(builder, args[1], args[2])]))
            return context.get_dummy_value()

        return sig, codegen

    return get, put


_g, _s = _record_access(3)  # 8-field records
_g4, _s4 = _record_access(2)  # 4-field records


@intrinsic
def _cubic8w(typingctx, out, start, y, w, j):
    """:func:`_cubic8` at local coordinate 0 for interval ``j``: ``y[j]`` and the coefficients
    (fields 3, 4, 6 of knot record j) read and broadcast straight from memory. No checks:
    callers keep ``0 <= j < len`` and ``start + 8 <= len(out)``.
    """
    sig = types.void(out, start, y, w, types.int64)

    def codegen(context, builder, signature, args):
        outa = context.make_array(signature.args[0])(context, builder, args[0])
        ya = context.make_array(signature.args[2])(context, builder, args[2])
        wa = context.make_array(signature.args[3])(context, builder, args[3])
        jv = args[4]
        i64 = ir.IntType(64)
        dbl = ir.DoubleType()
        vty = ir.VectorType(dbl, 8)
        zero_mask = ir.Constant(ir.VectorType(ir.IntType(32), 8), [0] * 8)

        def splat(ptr):
            v = builder.load(ptr)
            u = builder.insert_element(ir.Constant(vty, None), v, ir.Constant(ir.IntType(32), 0))
            return builder.shuffle_vector(u, u, zero_mask)

        j8 = builder.shl(jv, ir.Constant(i64, 3))

        def field(f):
            return splat(builder.gep(wa.data, [builder.add(j8, ir.Constant(i64, f))]))

        fma = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(vty, [vty, vty, vty]), "llvm.fma.v8f64"
        )
        B = ir.Constant(vty, [float(q) for q in range(8)])
        vy0 = splat(builder.gep(ya.data, [jv]))
        vc1 = field(3)
        vc2 = field(4)
        vc3 = field(6)
        acc = builder.call(fma, [B, vc3, vc2])
        acc = builder.call(fma, [B, acc, vc1])
        acc = builder.call(fma, [B, acc, vy0])
        ptr = builder.gep(outa.data, [args[1]])
        builder.store(acc, builder.bitcast(ptr, vty.as_pointer()), align=8)
        return context.get_dummy_value()

    return sig, codegen


@intrinsic
def _eval_run(typingctx, out, x, x0, x1, t, y, w, j, last):
    """Intervals j+1, j+2, ... starting on their knots (x = t[j+1] first), each written as one
    8-sample chunk at local coordinate 0 (:func:`_cubic8w`), in one LLVM loop; it stops after
    the first interval that is longer than 8 samples or reaches ``x1``. Returns (j, x, xe) of
    that interval (written from x; xe = its end, ``x1`` for the last interval). No checks:
    callers keep ``j < last = nk - 2`` and 8 free slots after ``x1 - x0`` in ``out``.
    """
    sig = types.UniTuple(types.int64, 3)(out, x, x0, x1, t, y, w, j, last)

    def codegen(context, builder, signature, args):
        outv, xv, x0v, x1v, tv, yv, wv, jv, lastv = args
        outa = context.make_array(signature.args[0])(context, builder, outv)
        ta = context.make_array(signature.args[4])(context, builder, tv)
        ya = context.make_array(signature.args[5])(context, builder, yv)
        wa = context.make_array(signature.args[6])(context, builder, wv)
        i64 = ir.IntType(64)
        dbl = ir.DoubleType()
        vty = ir.VectorType(dbl, 8)
        zero_mask = ir.Constant(ir.VectorType(ir.IntType(32), 8), [0] * 8)
        fma = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(vty, [vty, vty, vty]), "llvm.fma.v8f64"
        )
        B = ir.Constant(vty, [float(q) for q in range(8)])

        def splat(ptr):
            v = builder.load(ptr)
            u = builder.insert_element(ir.Constant(vty, None), v, ir.Constant(ir.IntType(32), 0))
            return builder.shuffle_vector(u, u, zero_mask)

        j_p = cgutils.alloca_once_value(builder, jv)
        x_p = cgutils.alloca_once_value(builder, xv)
        xe_p = cgutils.alloca_once_value(builder, xv)
        loop_bb = builder.append_basic_block("eval_loop")
        next_bb = builder.append_basic_block("eval_next")
        exit_bb = builder.append_basic_block("eval_exit")
        builder.branch(loop_bb)
        builder.position_at_end(loop_bb)
        j = builder.add(builder.load(j_p), ir.Constant(i64, 1))
        builder.store(j, j_p)
        x = builder.load(x_p)
        tn = builder.load(builder.gep(ta.data, [builder.add(j, ir.Constant(i64, 1))]))
        xe = builder.select(builder.icmp_signed("==", j, lastv), x1v, builder.fptosi(tn, i64))
        builder.store(xe, xe_p)
        j4 = builder.shl(j, ir.Constant(i64, 2))

        def field(f):
            return splat(builder.gep(wa.data, [builder.add(j4, ir.Constant(i64, f))]))

        acc = builder.call(fma, [B, field(1), field(2)])
        acc = builder.call(fma, [B, acc, field(0)])
        acc = builder.call(fma, [B, acc, splat(builder.gep(ya.data, [j]))])
        ptr = builder.gep(outa.data, [builder.sub(x, x0v)])
        builder.store(acc, builder.bitcast(ptr, vty.as_pointer()), align=8)
        long_ = builder.icmp_signed("<", builder.add(x, ir.Constant(i64, 8)), xe)
        end = builder.icmp_signed(">=", xe, x1v)
        builder.cbranch(builder.or_(long_, end), exit_bb, next_bb)
        builder.position_at_end(next_bb)
        builder.store(xe, x_p)
        builder.branch(loop_bb)
        builder.position_at_end(exit_bb)
        vals = [builder.load(j_p), builder.load(x_p), builder.load(xe_p)]
        return context.make_tuple(builder, signature.return_type, vals)

    return sig, codegen


@jit(error_model="numpy")
def _prep(t, y, nk, w):
    """Spacings (field 0), their inverses (1) and slopes (2) of the knots."""
    for j in range(nk - 1):
        hj = t[j + 1] - t[j]
        ih = 1.0 / hj
        _s(w, j, 0, hj)
        _s(w, j, 1, ih)
        _s(w, j, 2, (y[j + 1] - y[j]) * ih)


_RECIP = 1.0 / np.arange(1.0, 1025.0)  # 1/k, k = 1..1024: what the division gives, bit for bit


@jit(inline="always", error_model="numpy")
def _recip(hj):
    """1 / hj for an integer spacing hj >= 1: the table entry (the division's bits) up to 1024."""
    k = int(hj)
    if k >= 1 and k <= 1024:
        return _RECIP[k - 1]
    return 1.0 / hj


@jit(inline="always", error_model="numpy")
def _prep1(t, y, w, j):
    """Spacing (field 0) and slope (field 1) of knot j (4-field records, see
    :func:`_solve_env`); the inverse spacing from the table, not stored."""
    hj = t[j + 1] - t[j]
    _s4(w, j, 0, hj)
    _s4(w, j, 1, (y[j + 1] - y[j]) * _recip(hj))


@jit(error_model="numpy")
def _knot_signs_ok(ymax, kmax, ymin, kmin):
    """PyEMD's sign test on its (mirrored) knots: all maxima >= 0 and all minima <= 0."""
    for j in range(kmax):
        if ymax[j] < 0.0:
            return False
    for j in range(kmin):
        if ymin[j] > 0.0:
            return False
    return True


@jit(error_model="numpy")
def _knot_range(h0, h1, ymax, kmax, ymin, kmin):
    """max(h) - min(h) of the sifted ``h`` (before the mean was subtracted) from its end values
    ``h0``, ``h1`` and the knots: the extremes of a sequence are at its ends or among its local
    extrema, every local maximum (minimum) is an upper (lower) knot, and the other knots are
    values of h too, so this is exact."""
    hmax = max(h0, h1)
    hmin = min(h0, h1)
    for j in range(kmax):
        v = ymax[j]
        if v > hmax:
            hmax = v
    for j in range(kmin):
        v = ymin[j]
        if v < hmin:
            hmin = v
    return hmax - hmin


@jit(inline="always", error_model="numpy")
def _first_row(w, nk):
    """Forward-sweep row 0 (not-a-knot: M[0] eliminated into it; natural when nk == 3)."""
    a = _g(w, 0, 0)
    c = _g(w, 1, 0)
    b = 2.0 * (a + c)
    rhs = 6.0 * (_g(w, 1, 2) - _g(w, 0, 2))
    if nk >= 4:
        ih1 = _g(w, 1, 1)
        b += a * (a + c) * ih1
        c -= a * a * ih1
    ib = 1.0 / b
    cp = c * ib
    rp = rhs * ib
    _s(w, 0, 3, cp)
    _s(w, 0, 4, rp)
    return cp, rp


@jit(inline="always", error_model="numpy")
def _mid_row(w, r, cprev, rprev):
    """Forward-sweep row r (0 < r < m-1); the recurrence stays in registers.

    ``c' = c / b`` is the only division on the chain from one row to the next (one fused
    multiply-add and one division); ``1 / b`` for the right-hand side is ``c' * (1 / c)`` off
    the chain (``1 / c = 1 / h[r+1]`` is field 1 of knot r+1).
    """
    a = _g(w, r, 0)
    c = _g(w, r + 1, 0)
    s = a + c
    cp = c / _fnmadd(a, cprev, s + s)
    rp = _fnmadd(a, rprev, 6.0 * (_g(w, r + 1, 2) - _g(w, r, 2))) * (cp * _g(w, r + 1, 1))
    _s(w, r, 3, cp)
    _s(w, r, 4, rp)
    return cp, rp


@jit(inline="always", error_model="numpy")
def _last_row(w, nk, cprev, rprev):
    """Forward-sweep row m-1 = nk-3 (nk >= 4; M[nk-1] eliminated into it)."""
    r = nk - 3
    h2 = _g(w, nk - 2, 0)
    hr = _g(w, r, 0)
    ihr = _g(w, r, 1)
    a = hr - h2 * h2 * ihr
    b = 2.0 * (hr + h2) + h2 * (hr + h2) * ihr - a * cprev
    rhs = 6.0 * (_g(w, r + 1, 2) - _g(w, r, 2)) - a * rprev
    _s(w, r, 3, 0.0)
    _s(w, r, 4, rhs / b)


@jit(inline="always", error_model="numpy")
def _ends(w, nk):
    """Not-a-knot end values M[0], M[nk-1] from the interior ones."""
    h0 = _g(w, 0, 0)
    h1 = _g(w, 1, 0)
    _s(w, 0, 5, ((h0 + h1) * _g(w, 1, 5) - h0 * _g(w, 2, 5)) * _g(w, 1, 1))
    ha = _g(w, nk - 3, 0)
    hb = _g(w, nk - 2, 0)
    _s(w, nk - 1, 5, ((ha + hb) * _g(w, nk - 2, 5) - hb * _g(w, nk - 3, 5)) * _g(w, nk - 3, 1))


@jit(inline="always", error_model="numpy")
def _back(w, nk):
    """Back substitution into M (field 5; M[1..nk-2]), then the end values."""
    m = nk - 2
    if m <= 0:
        _s(w, 0, 5, 0.0)
        _s(w, nk - 1, 5, 0.0)
        return
    nxt = _g(w, m - 1, 4)
    _s(w, m, 5, nxt)
    for r in range(m - 2, -1, -1):
        nxt = _g(w, r, 4) - _g(w, r, 3) * nxt
        _s(w, r + 1, 5, nxt)
    if nk >= 4:
        _ends(w, nk)
    else:
        _s(w, 0, 5, 0.0)
        _s(w, nk - 1, 5, 0.0)


@jit(error_model="numpy")
def _solve2(wu, nu, wl, nl):
    """Second derivatives of the upper and lower envelope splines (Thomas algorithm).

    Not-a-knot for >= 4 knots (M[0], M[nk-1] eliminated into the first/last rows, which keeps
    the system diagonally dominant), natural for 3, linear for 2. The two forward sweeps are
    independent chains of divisions, run interleaved so the CPU overlaps their latencies.
    """
    mu = nu - 2
    ml = nl - 2
    cu = ru = cl = rl = 0.0
    if mu >= 1:
        cu, ru = _first_row(wu, nu)
    if ml >= 1:
        cl, rl = _first_row(wl, nl)
    common = min(mu, ml) - 1
    for r in range(1, common):
        cu, ru = _mid_row(wu, r, cu, ru)
        cl, rl = _mid_row(wl, r, cl, rl)
    for r in range(max(1, common), mu - 1):
        cu, ru = _mid_row(wu, r, cu, ru)
    for r in range(max(1, common), ml - 1):
        cl, rl = _mid_row(wl, r, cl, rl)
    if mu >= 2:
        _last_row(wu, nu, cu, ru)
    if ml >= 2:
        _last_row(wl, nl, cl, rl)
    _back(wu, nu)
    _back(wl, nl)


@jit(inline="always", error_model="numpy")
def _first_row4(w, nk):
    """:func:`_first_row` on 4-field records (nk >= 4): c', r' of row 0 into fields 2, 3."""
    a = _g4(w, 0, 0)
    c = _g4(w, 1, 0)
    b = 2.0 * (a + c)
    rhs = 6.0 * (_g4(w, 1, 1) - _g4(w, 0, 1))
    ih1 = _recip(c)
    b += a * (a + c) * ih1
    c -= a * a * ih1
    ib = 1.0 / b
    cp = c * ib
    rp = rhs * ib
    _s4(w, 0, 2, cp)
    _s4(w, 0, 3, rp)
    return cp, rp


@jit(inline="always", error_model="numpy")
def _last_row_bwd(w, nk):
    """Backward-sweep start: row m-1 = nk-3 with M[nk-1] eliminated into it (nk >= 4); a'',
    r'' into fields 2, 3."""
    r = nk - 3
    h2 = _g4(w, nk - 2, 0)
    hr = _g4(w, r, 0)
    ihr = _recip(hr)
    a = hr - h2 * h2 * ihr
    b = 2.0 * (hr + h2) + h2 * (hr + h2) * ihr
    rhs = 6.0 * (_g4(w, r + 1, 1) - _g4(w, r, 1))
    ib = 1.0 / b
    an = a * ib
    rn = rhs * ib
    _s4(w, r, 2, an)
    _s4(w, r, 3, rn)
    return an, rn


@jit(inline="always", error_model="numpy")
def _meet(w, nk, p):
    """Solve the meeting row p of the twisted factorisation: M[p + 1]."""
    a = _g4(w, p, 0)
    c = _g4(w, p + 1, 0)
    return (
        6.0 * (_g4(w, p + 1, 1) - _g4(w, p, 1)) - a * _g4(w, p - 1, 3) - c * _g4(w, p + 1, 3)
    ) / (2.0 * (a + c) - a * _g4(w, p - 1, 2) - c * _g4(w, p + 1, 2))


@jit(inline="always", error_model="numpy")
def _coef1(w, j, m0, m1):
    """Cubic coefficients of interval j (second derivatives m0, m1 at its ends) over knot j's
    record: c1 into field 0, c3 into 1, c2 into 2 (its spacing, slope and sweep value are
    consumed by then)."""
    hj = _g4(w, j, 0)
    _s4(w, j, 0, _g4(w, j, 1) - hj * (2.0 * m0 + m1) * (1.0 / 6.0))
    _s4(w, j, 1, (m1 - m0) * _recip(hj) * (1.0 / 6.0))
    _s4(w, j, 2, 0.5 * m0)


@jit(inline="always", error_model="numpy")
def _out_left(w, i, xn):
    """Left chain step: M[i+1] from M[i+2] = ``xn``, and interval i+1's coefficients."""
    x = _g4(w, i, 3) - _g4(w, i, 2) * xn
    _coef1(w, i + 1, x, xn)
    return x


@jit(inline="always", error_model="numpy")
def _out_right(w, i, xp):
    """Right chain step: M[i+1] from M[i] = ``xp``, and interval i's coefficients."""
    x = _g4(w, i, 3) - _g4(w, i, 2) * xp
    _coef1(w, i, xp, x)
    return x


@jit(error_model="numpy")
def _outwards(wu, nu, pu, xpu, wl, nl, pl, xpl):
    """Substitute outwards from both meeting rows (M[p+1] = ``xpu``, ``xpl``): four independent
    chains in one loop, each step writing the cubic's coefficients of the interval it
    completes (no separate pass over the knots, M itself is not stored); then the not-a-knot
    end values and the two end intervals."""
    mu = nu - 2
    ml = nl - 2
    # spacings the end conditions need (records 1 and nk-3 are overwritten by the chains)
    hu0, hu1, hua, hub = _g4(wu, 0, 0), _g4(wu, 1, 0), _g4(wu, nu - 3, 0), _g4(wu, nu - 2, 0)
    hl0, hl1, hla, hlb = _g4(wl, 0, 0), _g4(wl, 1, 0), _g4(wl, nl - 3, 0), _g4(wl, nl - 2, 0)
    xul = xur = xpu
    xll = xlr = xpl
    pul = pur = xpu  # the previous value of each chain
    pll = plr = xpl
    # left chains i = p-1 down to 0 (p steps), right chains i = p+1 up to m-1 (m-1-p steps)
    common = min(min(pu, pl), min(mu - 1 - pu, ml - 1 - pl))
    for k in range(common):  # all four chains, no tests
        pul, xul = xul, _out_left(wu, pu - 1 - k, xul)
        pll, xll = xll, _out_left(wl, pl - 1 - k, xll)
        pur, xur = xur, _out_right(wu, pu + 1 + k, xur)
        plr, xlr = xlr, _out_right(wl, pl + 1 + k, xlr)
    steps = max(max(pu, pl), max(mu - 1 - pu, ml - 1 - pl))
    for k in range(common, steps):
        if k < pu:
            pul, xul = xul, _out_left(wu, pu - 1 - k, xul)
        if k < pl:
            pll, xll = xll, _out_left(wl, pl - 1 - k, xll)
        if k < mu - 1 - pu:
            pur, xur = xur, _out_right(wu, pu + 1 + k, xur)
        if k < ml - 1 - pl:
            plr, xlr = xlr, _out_right(wl, pl + 1 + k, xlr)
    # not-a-knot ends: M[0] from M[1] = xul, M[2] = pul; M[nk-1] from M[nk-2] = xur, M[nk-3]
    m0 = ((hu0 + hu1) * xul - hu0 * pul) * _recip(hu1)
    me = ((hua + hub) * xur - hub * pur) * _recip(hua)
    _coef1(wu, 0, m0, xul)
    _coef1(wu, nu - 2, xur, me)
    m0 = ((hl0 + hl1) * xll - hl0 * pll) * _recip(hl1)
    me = ((hla + hlb) * xlr - hlb * plr) * _recip(hla)
    _coef1(wl, 0, m0, xll)
    _coef1(wl, nl - 2, xlr, me)


@jit(inline="always", error_model="numpy")
def _sweep_row(w, row, h, ih, h_other, x_prev, r_prev, d_diff):
    """One elimination row of a sweep, the same arithmetic both ways: ``h`` is the spacing the
    sweep has just reached (``ih`` = 1 / h), ``h_other`` the one carried from the previous
    row, ``d_diff`` = d[right] - d[left]. Writes and returns the row's (c', r'); the
    ``2 (h + h_other)`` sum is exact and the one fused product sits on the chain."""
    s = h_other + h
    x = h / _fnmadd(h_other, x_prev, s + s)
    r = _fnmadd(h_other, r_prev, 6.0 * d_diff) * (x * ih)
    _s4(w, row, 2, x)
    _s4(w, row, 3, r)
    return x, r


@jit(inline="always", error_model="numpy")
def _fwd_step(t, y, w, r, cprev, rprev, a, da, t1, y1):
    """Forward-sweep row r (0 < r < m-1) with knot r+1's spacing and slope computed on the way
    (stored for the later passes); ``a``, ``da``, ``t1``, ``y1`` = h[r], d[r], t[r+1], y[r+1]
    carried in registers from the previous row. One fused multiply-add and one division on
    the chain to the next row."""
    t2 = t[r + 2]
    y2 = y[r + 2]
    c = t2 - t1
    ihc = _recip(c)
    dc = (y2 - y1) * ihc
    _s4(w, r + 1, 0, c)
    _s4(w, r + 1, 1, dc)
    cp, rp = _sweep_row(w, r, c, ihc, a, cprev, rprev, dc - da)
    return cp, rp, c, dc, t2, y2


@jit(inline="always", error_model="numpy")
def _bwd_step(t, y, w, i, anext, rnext, c, dc, t1, y1):
    """Backward-sweep row i (as :func:`_fwd_step`, mirrored): ``c``, ``dc``, ``t1``, ``y1`` =
    h[i+1], d[i+1], t[i+1], y[i+1] carried from the previous row."""
    t0 = t[i]
    y0 = y[i]
    a = t1 - t0
    iha = _recip(a)
    da = (y1 - y0) * iha
    _s4(w, i, 0, a)
    _s4(w, i, 1, da)
    an, rn = _sweep_row(w, i, a, iha, c, anext, rnext, dc - da)
    return an, rn, a, da, t0, y0


@jit(error_model="numpy")
def _solve_env(tu, yu, wu, nu, tl, yl, wl, nl):
    """Cubic coefficients of every interval of both envelope splines (integer knots ``tu``,
    ``yu`` and ``tl``, ``yl``; not-a-knot, natural for 3 knots, linear for 2).

    ``wu``/``wl`` hold one 4-field record per knot (``w[4 j : 4 j + 4]``, 32 bytes: two knots
    per cache line): 0 spacing h, 1 slope d, 2 c' (forward sweep, rows < p) or a'' (backward,
    rows > p), 3 r' or r''; the outward substitution overwrites fields 0-2 of knot j with the
    cubic's c1, c3, c2 of interval j, all that the evaluation reads. Inverse spacings come from
    a table (:func:`_recip`) where needed, M is never stored.

    For >= 6 knots a twisted (two-sided) factorisation: each system is eliminated from the top
    and from the bottom towards its middle row, so the upper and lower envelopes give four
    independent chains of divisions that the CPU overlaps. Exact (no approximation). The
    spacings and slopes are computed by the sweeps as they reach them, the coefficients by the
    outward substitution: no separate passes over the knots. Smaller systems go through
    :func:`_solve2` on 8-field scratch records (:func:`_solve_small`).
    """
    mu = nu - 2
    ml = nl - 2
    if mu < 4 or ml < 4:
        _solve_small(tu, yu, wu, nu, tl, yl, wl, nl)
        return
    pu = mu // 2
    pl = ml // 2
    for j in (0, 1, mu - 1, mu):
        _prep1(tu, yu, wu, j)
    for j in (0, 1, ml - 1, ml):
        _prep1(tl, yl, wl, j)
    cu, ru = _first_row4(wu, nu)
    cl, rl = _first_row4(wl, nl)
    au, su = _last_row_bwd(wu, nu)
    al, sl = _last_row_bwd(wl, nl)
    # carried: forward h[r], d[r], t[r+1], y[r+1]; backward h[i+1], d[i+1], t[i+1], y[i+1]
    fha, fda, ft, fy = _g4(wu, 1, 0), _g4(wu, 1, 1), tu[2], yu[2]
    gha, gda, gt, gy = _g4(wl, 1, 0), _g4(wl, 1, 1), tl[2], yl[2]
    bhu, bdu, bt, by = _g4(wu, mu - 1, 0), _g4(wu, mu - 1, 1), tu[mu - 1], yu[mu - 1]
    bhl, bdl, ct, cy = _g4(wl, ml - 1, 0), _g4(wl, ml - 1, 1), tl[ml - 1], yl[ml - 1]
    nfu = pu - 1  # forward rows 1..pu-1, backward rows mu-2 down to pu+1
    nfl = pl - 1
    nbu = mu - 2 - pu
    nbl = ml - 2 - pl
    common = min(min(nfu, nfl), min(nbu, nbl))
    for k in range(common):  # all four chains
        r = 1 + k
        cu, ru, fha, fda, ft, fy = _fwd_step(tu, yu, wu, r, cu, ru, fha, fda, ft, fy)
        cl, rl, gha, gda, gt, gy = _fwd_step(tl, yl, wl, r, cl, rl, gha, gda, gt, gy)
        i = mu - 2 - k
        au, su, bhu, bdu, bt, by = _bwd_step(tu, yu, wu, i, au, su, bhu, bdu, bt, by)
        i = ml - 2 - k
        al, sl, bhl, bdl, ct, cy = _bwd_step(tl, yl, wl, i, al, sl, bhl, bdl, ct, cy)
    steps = max(max(nfu, nfl), max(nbu, nbl))
    for k in range(common, steps):
        r = 1 + k
        if k < nfu:
            cu, ru, fha, fda, ft, fy = _fwd_step(tu, yu, wu, r, cu, ru, fha, fda, ft, fy)
        if k < nfl:
            cl, rl, gha, gda, gt, gy = _fwd_step(tl, yl, wl, r, cl, rl, gha, gda, gt, gy)
        if k < nbu:
            i = mu - 2 - k
            au, su, bhu, bdu, bt, by = _bwd_step(tu, yu, wu, i, au, su, bhu, bdu, bt, by)
        if k < nbl:
            i = ml - 2 - k
            al, sl, bhl, bdl, ct, cy = _bwd_step(tl, yl, wl, i, al, sl, bhl, bdl, ct, cy)
    xpu = _meet(wu, nu, pu)
    xpl = _meet(wl, nl, pl)
    _outwards(wu, nu, pu, xpu, wl, nl, pl, xpl)


@jit(error_model="numpy")
def _solve_small(tu, yu, wu, nu, tl, yl, wl, nl):
    """Systems with fewer than 6 knots on either side: :func:`_solve2` on 8-field scratch
    records (0 h, 1 1/h, 2 d, 3 c', 4 r', 5 M), then the coefficients into the 4-field ones."""
    su = np.empty(8 * (nu + 2))
    sl = np.empty(8 * (nl + 2))
    _prep(tu, yu, nu, su)
    _prep(tl, yl, nl, sl)
    _solve2(su, nu, sl, nl)
    _coefs(su, wu, nu)
    _coefs(sl, wl, nl)


@jit(error_model="numpy")
def _coefs(s8, w, nk):
    """Cubic coefficients of every interval from the 8-field scratch ``s8`` of
    :func:`_solve_small` (M in field 5) into the 4-field records ``w`` (as :func:`_coef1`)."""
    for j in range(nk - 1):
        m0 = _g(s8, j, 5)
        m1 = _g(s8, j + 1, 5)
        hj = _g(s8, j, 0)
        _s4(w, j, 0, _g(s8, j, 2) - hj * (2.0 * m0 + m1) * (1.0 / 6.0))
        _s4(w, j, 1, (m1 - m0) * _g(s8, j, 1) * (1.0 / 6.0))
        _s4(w, j, 2, 0.5 * m0)


@jit(error_model="numpy")
def _first_interval(t, nk):
    """The interval holding x = 0 (the knots left of it belong to the mirrored boundary)."""
    j = 0
    while j < nk - 2 and int(t[j + 1]) <= 0:
        j += 1
    return j


@jit(error_model="numpy")
def _eval_range(t, y, nk, w, j, x0, x1, out):
    """The spline at x = x0..x1-1 into ``out[0 : x1 - x0]`` (``out`` has 8 slots more), from
    the coefficients :func:`_solve_env` left in ``w``; ``j`` is the interval holding x0.
    Returns the interval holding x1.

    Knots sit on integer positions. Each interval is written in whole chunks of 8 samples (one
    SIMD vector, :func:`_cubic8`; the next interval overwrites the surplus), so there is no
    scalar remainder loop; the coefficients are broadcast straight from memory, and every
    interval but the first starts on its knot (local coordinate 0: a constant vector).
    """
    last = nk - 2
    # the interval holding x0: local coordinate x0 - t[j]
    xe = x1 if j == last else min(x1, int(t[j + 1]))
    x = x0
    B0 = x0 - t[j]
    while x < xe:
        _cubic8(out, x - x0, y[j], _g4(w, j, 0), _g4(w, j, 2), _g4(w, j, 1), B0)
        x += 8
        B0 += 8.0
    x = xe
    if x >= x1:
        if j < last and int(t[j + 1]) <= x1:
            j += 1
        return j
    # intervals starting on their knot x = t[j] (local coordinate 0: a constant vector): runs
    # of short ones in one loop (:func:`_eval_run`), the rest of a long one here
    while True:
        j, x, xe = _eval_run(out, x, x0, x1, t, y, w, j, last)
        xx = x + 8
        if xx < xe:  # a long interval
            B1 = 8.0
            while xx < min(xe, x1):
                _cubic8(out, xx - x0, y[j], _g4(w, j, 0), _g4(w, j, 2), _g4(w, j, 1), B1)
                xx += 8
                B1 += 8.0
        if xe >= x1:
            if xe == x1 and j < last:
                j += 1
            return j
        x = xe


@jit(error_model="numpy")
def _eval(t, y, nk, w, out, n):
    """Evaluate the spline at x = 0..n-1 (knots cover that range); ``out`` has n + 8 slots,
    from the coefficients :func:`_solve_env` left in ``w``."""
    _eval_range(t, y, nk, w, _first_interval(t, nk), 0, n, out)


@jit(error_model="numpy")
def spline_eval(t, y, out):
    """Cubic spline through (t, y) at x = 0..len(out)-1 (not-a-knot; natural for 3 knots).

    ``t`` must hold increasing integers covering [0, len(out) - 1]. Runs the same solver as
    the sift (the twisted factorisation for >= 6 knots); for tests.
    """
    nk = t.shape[0]
    n = out.shape[0]
    w1 = np.empty(4 * (nk + 2))
    w2 = np.empty(4 * (nk + 2))
    _solve_env(t, y, w1, nk, t, y, w2, nk)
    tmp = np.empty(n + 8)
    _eval(t, y, nk, w1, tmp, n)
    out[:] = tmp[:n]


@jit(error_model="numpy")
def _mean_step(h, ub, lb):
    """h <- h - (ub + lb) / 2 over len(h) samples; the sums of the stopping criteria."""
    s_mm = 0.0
    s_old = 0.0
    s_new = 0.0
    for t in range(h.shape[0]):
        old = h[t]
        mt = 0.5 * (ub[t] + lb[t])
        hn = old - mt
        s_mm += mt * mt
        s_old += old * old
        s_new += hn * hn
        h[t] = hn
    return s_mm, s_old, s_new


@jit(error_model="numpy")
def _sift(
    h, scale, max_sifts, stop, thresh, svar_thr, s_number, nb, buf, ibuf, kn, wk, lbuf, tbuf, sgb
):
    """Sift ``h`` in place into one IMF. Returns (status, n_sifts); status 1 = trend.

    The knots live in two alternating sets (``kn[0]``, ``kn[1]``): the extrema pass of sift
    ``it`` writes the knots of sift ``it + 1`` into the other set, so the stopping rule can still
    read the knots the envelopes of sift ``it`` were built on.
    """
    n = h.shape[0]
    off = nb + 2
    upper = buf[0]
    lower = buf[1]
    ub = buf[2]
    lb = buf[3]
    imax = ibuf[0]
    imin = ibuf[1]
    sg = sgb[0].view(np.int8)
    ei = sgb[1]
    cur = 0
    nmax, nmin, nzc = _extrema_knots(
        h, imax, imin, kn[0, 0], kn[0, 1], kn[0, 2], kn[0, 3], off, nb, sg, ei, True
    )
    e0 = 0.0
    for t in range(n):
        e0 += h[t] * h[t]
    prev_e = nmax + nmin
    prev_z = nzc
    count = 0
    for it in range(1, max_sifts + 1):
        if nmax + nmin <= 2:
            return 1, it - 1
        kc = kn[cur]
        smax, kmax, smin, kmin = _mirror_in(
            h, imax, nmax, imin, nmin, nb, kc[0], kc[1], kc[2], kc[3], lbuf, tbuf, off
        )
        if kmax < 0:
            return 1, it - 1
        tmax = kc[0, smax : smax + kmax]
        ymax = kc[1, smax : smax + kmax]
        tmin = kc[2, smin : smin + kmin]
        ymin = kc[3, smin : smin + kmin]
        wu = wk[0]
        wl = wk[1]
        _solve_env(tmax, ymax, wu, kmax, tmin, ymin, wl, kmin)
        h0 = h[0]
        h1 = h[n - 1]
        s_mm = 0.0
        s_old = 0.0
        s_new = 0.0
        ju = _first_interval(tmax, kmax)
        jl = _first_interval(tmin, kmin)
        for x0 in range(0, n, BLOCK):  # blocks small enough for the envelopes to stay in L1
            x1 = min(n, x0 + BLOCK)
            ju = _eval_range(tmax, ymax, kmax, wu, ju, x0, x1, ub)
            jl = _eval_range(tmin, ymin, kmin, wl, jl, x0, x1, lb)
            a, b, c = _mean_step(h[x0:x1], ub, lb)
            s_mm += a
            s_old += b
            s_new += c
        cur = 1 - cur
        kx = kn[cur]
        dense = DENSE * (nmax + nmin) > n  # the last count predicts this one
        nmax, nmin, nzc = _extrema_knots(
            h, imax, imin, kx[0], kx[1], kx[2], kx[3], off, nb, sg, ei, dense
        )
        if stop == 0:
            f2 = abs(nmax + nmin - nzc) < 2
            # the sign test and the range of h only when needed (from this sift's knots)
            if f2 and s_new >= 1e-10 * scale * scale and _knot_signs_ok(ymax, kmax, ymin, kmin):
                rng = _knot_range(h0, h1, ymax, kmax, ymin, kmin)
                if (rng > 0.0 and s_mm / rng < svar_thr * scale) or s_mm / s_old < thresh:
                    return 0, it
                s_std = 0.0  # PyEMD's sum((mean / h_new)**2), only when the others fail
                _eval_range(tmax, ymax, kmax, wu, _first_interval(tmax, kmax), 0, n, upper)
                _eval_range(tmin, ymin, kmin, wl, _first_interval(tmin, kmin), 0, n, lower)
                for t in range(n):  # the mean recomputed from the intact envelopes
                    q = 0.5 * (upper[t] + lower[t]) / h[t]
                    s_std += q * q
                if s_std < thresh:
                    return 0, it
        elif stop == 1:
            if s_new > 0.0 and s_mm / s_new < thresh:
                return 0, it
        elif stop == 2:
            e = nmax + nmin
            if abs(e - nzc) <= 1 and e == prev_e and nzc == prev_z:
                count += 1
            else:
                count = 0
            prev_e = e
            prev_z = nzc
            if count >= s_number:
                return 0, it
        elif stop == 3:
            if s_mm == 0.0 or 20.0 * math.log10(e0) - 20.0 * math.log10(s_mm) > thresh:
                return 0, it
    return 0, max_sifts


@jit(error_model="numpy")
def emd_one(
    x, out, nsifts, max_sifts, stop, thresh, svar_thr, s_number, range_thr, power_thr, energy_db, nb
):
    """EMD of one signal ``x`` (n,) into ``out`` (K, n) and ``nsifts`` (K,); returns n_imfs.

    Scale-dependent thresholds (``svar_thr``, ``range_thr``, ``power_thr``) are relative to the
    signal's standard deviation, so the decomposition is scale-equivariant.
    """
    n = x.shape[0]
    K = out.shape[0]
    if n < 3 or K == 0:
        return 0
    mean = 0.0
    for t in range(n):
        mean += x[t]
    mean /= n
    var = 0.0
    ex = 0.0
    for t in range(n):
        var += (x[t] - mean) ** 2
        ex += x[t] * x[t]
    scale = math.sqrt(var / n)
    if not scale > 0.0:
        return 0
    r = x.copy()
    h = np.empty(n)
    buf = np.empty((4, n + 8))  # envelopes (rarely needed whole) and two block buffers
    ibuf = np.empty((2, n), dtype=np.int64)
    kn = np.empty((2, 4, n // 2 + 3 * nb + 16))
    wk = np.empty((2, 4 * (n // 2 + 2 * nb + 6)))  # knot records, see _solve_env
    lbuf = np.empty((4, n // 2 + nb + 4), dtype=np.int64)
    tbuf = np.empty((2, nb + 2))
    sgb = np.empty((2, n + 8), dtype=np.int64)  # int8 slope signs (a view) and extrema list
    k = 0
    while k < K:
        for t in range(n):
            h[t] = r[t]
        status, ns = _sift(
            h,
            scale,
            max_sifts,
            stop,
            thresh,
            svar_thr,
            s_number,
            nb,
            buf,
            ibuf,
            kn,
            wk,
            lbuf,
            tbuf,
            sgb,
        )
        if status == 1:
            break
        rmax = -np.inf
        rmin = np.inf
        rabs = 0.0
        rsq = 0.0
        for t in range(n):
            out[k, t] = h[t]
            rt = r[t] - h[t]
            r[t] = rt
            rmax = max(rmax, rt)
            rmin = min(rmin, rt)
            rabs += abs(rt)
            rsq += rt * rt
        nsifts[k] = ns
        k += 1
        if rmax - rmin < range_thr * scale or rabs < power_thr * scale:
            break
        if energy_db > 0.0 and (
            rsq == 0.0 or 20.0 * math.log10(ex) - 20.0 * math.log10(rsq) > energy_db
        ):
            break
    return k


@jit(error_model="numpy")
def hilbert_accumulate(freq, amp, edges, uniform, power, out):
    """out[s, t, b] += amp (or amp**2) where edges[b] <= freq[s, k, t] < edges[b+1].

    Time-major output (each sample's bins are contiguous); callers expose a time-last view.
    """
    S, K, n = freq.shape
    nb = edges.shape[0] - 1
    lo = edges[0]
    hi = edges[nb]
    inv = nb / (hi - lo)
    for s in range(S):
        for k in range(K):
            for t in range(n):
                f = freq[s, k, t]
                if not (f >= lo and f < hi):
                    continue
                if uniform:
                    b = int((f - lo) * inv)
                    if b > nb - 1:
                        b = nb - 1
                    while b > 0 and f < edges[b]:
                        b -= 1
                    while b < nb - 1 and f >= edges[b + 1]:
                        b += 1
                else:
                    b = np.searchsorted(edges, f, side="right") - 1
                a = amp[s, k, t]
                out[s, t, b] += a * a if power else a


@jit(error_model="numpy")
def instantaneous_from_analytic(z, amp, phase, freq, fscale):
    """Amplitude, phase and frequency rows from analytic signals ``z`` (R, n), n >= 3.

    The phase is unwrapped as ``np.unwrap`` does (each 1-sample step taken modulo 2 pi into
    [-pi, pi) when it is at least pi in size) and differentiated by 3-point central differences
    (the end samples repeat their neighbours), times ``fscale = sr / (2 pi)``.
    """
    R, n = z.shape
    pi = math.pi
    for r in range(R):
        prev_p = 0.0
        d_prev = 0.0
        for t in range(n):
            re = z[r, t].real
            im = z[r, t].imag
            amp[r, t] = math.hypot(re, im)
            p = math.atan2(im, re)
            phase[r, t] = p
            if t > 0:
                dd = p - prev_p
                if abs(dd) >= pi:
                    ddm = ((dd + pi) % (2.0 * pi)) - pi
                    if ddm == -pi and dd > 0.0:
                        ddm = pi
                    dd = ddm
                if t >= 2:
                    freq[r, t - 1] = 0.5 * (d_prev + dd) * fscale
                d_prev = dd
            prev_p = p
        freq[r, 0] = freq[r, 1]
        freq[r, n - 1] = freq[r, n - 2]
