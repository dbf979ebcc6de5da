"""Hilbert-Huang transform: EMD, EEMD, CEEMDAN and Hilbert spectral analysis.

The sift runs entirely in Numba (:mod:`physiofeat.hht._kernels`); ensembles run their trials on
threads (the kernels release the GIL) with one random stream per trial, so a seed gives the
same result whatever ``n_jobs``. Importing this module registers the features ``emd``, ``hht``,
``hilbert_spectrum`` and ``marginal_spectrum`` (one shared ``imfs`` intermediate).
"""

from __future__ import annotations

from . import _register  # noqa: F401  (registers the features)
from ._emd import EMDResult, ceemdan, eemd, emd
from ._hilbert import (
    IMF_FEATURES,
    Instantaneous,
    hilbert_spectrum,
    imf_features,
    instantaneous,
    marginal_spectrum,
)

__all__ = [
    "EMDResult",
    "IMF_FEATURES",
    "Instantaneous",
    "ceemdan",
    "eemd",
    "emd",
    "hilbert_spectrum",
    "imf_features",
    "instantaneous",
    "marginal_spectrum",
]
