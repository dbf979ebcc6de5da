"""Higher-order spectra: direct bispectrum, bicoherence and their scalar features.

See :mod:`physiofeat.hos._core` for the estimator, the normalisation and the principal domain
(``0 <= f2 <= f1, f1 + f2 <= sr / 2``). Importing this module registers the features
``bispectrum`` (``|B|``) and ``bicoherence`` (squared) for :func:`physiofeat.extract`; their
vector summary is the scalar-feature set of :func:`scalar_features` (Chua et al. 2010).
"""

from . import _register  # noqa: F401  (registers the features)
from ._core import (
    FEATURE_NAMES,
    bicoherence,
    bispectral_features,
    bispectrum,
    bispectrum_frequencies,
    scalar_features,
)

__all__ = [
    "FEATURE_NAMES",
    "bicoherence",
    "bispectral_features",
    "bispectrum",
    "bispectrum_frequencies",
    "scalar_features",
]
