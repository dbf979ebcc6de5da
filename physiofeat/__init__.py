"""physiofeat: fast, validated feature extraction for heart sounds, ECG and other biosignals.

>>> import physiofeat
>>> x, sr = physiofeat.load(physiofeat.data.path("a0007"))
>>> feats = physiofeat.extract(x, ["mfcc", "spectral_centroid"], sr=sr, n_fft=256, hop_length=64)
>>> row = feats.vector()

``import physiofeat`` is light: the numeric families (and Numba, SciPy, matplotlib, pandas,
dask) are imported on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._errors import (
    DecodeError,
    InvalidSignalError,
    ParameterError,
    PhysiofeatError,
    UnknownFeatureError,
)
from ._features import Feature, Features

__version__ = "0.1.0"

_LAZY_ATTRS = {
    "load": ("physiofeat.io", "load"),
    "info": ("physiofeat.io", "info"),
    "load_record": ("physiofeat.records", "load_record"),
    "Record": ("physiofeat.records", "Record"),
    "extract": ("physiofeat._registry", "extract"),
    "features": ("physiofeat._registry", "features"),
    "presets": ("physiofeat._registry", "presets"),
    "register_feature": ("physiofeat._registry", "register_feature"),
    "register_intermediate": ("physiofeat._registry", "register_intermediate"),
    "extract_many": ("physiofeat.batch", "extract_many"),
}
_LAZY_MODULES = {
    "io",
    "records",
    "data",
    "spectral",
    "temporal",
    "envelope",
    "wavelet",
    "hht",
    "hos",
    "ecg",
    "pcg",
    "ecgpcg",
    "plot",
    "cli",
    "batch",
    "sklearn",
    "distributed",
}

__all__ = [
    "DecodeError",
    "Feature",
    "Features",
    "InvalidSignalError",
    "ParameterError",
    "PhysiofeatError",
    "UnknownFeatureError",
    *sorted(_LAZY_ATTRS),
    *sorted(_LAZY_MODULES),
]


def __getattr__(name: str) -> Any:
    if name in _LAZY_ATTRS:
        mod, attr = _LAZY_ATTRS[name]
        value = getattr(importlib.import_module(mod), attr)
        globals()[name] = value
        return value
    if name in _LAZY_MODULES:
        module = importlib.import_module(f"physiofeat.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'physiofeat' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # pragma: no cover
    from . import data, ecg, envelope, hht, hos, io, spectral, temporal, wavelet  # noqa: F401
    from ._registry import (  # noqa: F401
        extract,
        features,
        presets,
        register_feature,
        register_intermediate,
    )
    from .batch import extract_many  # noqa: F401
    from .io import info, load  # noqa: F401
    from .records import Record, load_record  # noqa: F401
