"""One place where physiofeat's Numba options are chosen.

``fastmath`` uses only the flags that keep NaN/inf semantics (no ``nnan``/``ninf``), as stumpy
and pynndescent do; every kernel is compiled with ``cache=True``. ``error_model="numpy"``: a
division by zero gives inf/NaN as in NumPy instead of raising ZeroDivisionError inside a kernel
(kernels never raise; their wrappers validate).
"""

from __future__ import annotations

import numba

FASTMATH = frozenset({"nsz", "arcp", "contract", "afn", "reassoc"})  # never nnan/ninf


def jit(*args, parallel: bool = False, **kwargs):
    """``numba.njit`` with physiofeat's defaults (cache, safe fastmath, nogil)."""
    kwargs.setdefault("cache", True)
    kwargs.setdefault("fastmath", set(FASTMATH))
    kwargs.setdefault("nogil", True)
    kwargs.setdefault("error_model", "numpy")
    return numba.njit(*args, parallel=parallel, **kwargs)


prange = numba.prange


def use_parallel(size: int, minimum: int) -> bool:
    """Whether a family should run the ``prange`` twin of a kernel on ``size`` elements: at
    least ``minimum`` of them and more than one Numba thread. With one thread (every batch
    worker computes with one) the serial twin, built from the same ``inline="always"`` body,
    gives the same values without a parallel compile, the slowest part of a cold start (the
    demo's spectral request: ~26 s of parfor compiles on a loaded 2-core machine)."""
    return size >= minimum and numba.get_num_threads() > 1
