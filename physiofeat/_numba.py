"""One place where physiofeat's Numba options are chosen.

``fastmath`` uses only the flags that keep NaN/inf semantics (no ``nnan``/``ninf``), as stumpy
and pynndescent do; every kernel is compiled with ``cache=True``.
"""

from __future__ import annotations

import numba

FASTMATH = frozenset({"nsz", "arcp", "contract", "afn", "reassoc"})  # never nnan/ninf


def jit(*args, parallel: bool = False, **kwargs):
    """``numba.njit`` with physiofeat's defaults (cache, safe fastmath, nogil)."""
    kwargs.setdefault("cache", True)
    kwargs.setdefault("fastmath", set(FASTMATH))
    kwargs.setdefault("nogil", True)
    return numba.njit(*args, parallel=parallel, **kwargs)


prange = numba.prange
