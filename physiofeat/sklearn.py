"""A scikit-learn transformer: raw signals (or audio file paths) in, feature vectors out.

>>> import numpy as np
>>> from sklearn.pipeline import make_pipeline
>>> from sklearn.preprocessing import StandardScaler
>>> from physiofeat.sklearn import FeatureExtractor
>>> X = np.random.default_rng(0).standard_normal((4, 2000))
>>> pipe = make_pipeline(FeatureExtractor(["rms"], sr=1000, params={"frame_length": 256,
...                                                                  "hop_length": 64}),
...                      StandardScaler())
>>> pipe.fit_transform(X).shape
(4, 4)
>>> list(pipe[0].get_feature_names_out())
['rms_mean', 'rms_std', 'rms_min', 'rms_max']

This module imports scikit-learn; ``import physiofeat`` does not.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ._errors import ParameterError, PhysiofeatError
from ._features import DEFAULT_STATS

__all__ = ["FeatureExtractor"]


def _is_path(v: Any) -> bool:
    return isinstance(v, (str, os.PathLike))


def _is_source(v: Any) -> bool:
    """A file path or a :class:`~physiofeat.records.Record` (record features take both)."""
    from .records import Record

    return _is_path(v) or isinstance(v, Record)


def _error_class(name: str) -> type[PhysiofeatError]:
    """The physiofeat error class named ``name`` (a Result's ``error_type``), else the base."""
    from . import _errors

    cls = getattr(_errors, name, None)
    return cls if isinstance(cls, type) and issubclass(cls, PhysiofeatError) else PhysiofeatError


def _first_difference(a: Sequence[str], b: Sequence[str]) -> str:
    """The first position where two lists of column names differ, as text."""
    a, b = list(a), list(b)
    for i, (u, v) in enumerate(zip(a, b)):
        if u != v:
            return f"column {i}, {u!r} against {v!r}"
    i = min(len(a), len(b))
    extra = a[i] if len(a) > len(b) else b[i]
    return f"column {i}, {extra!r}, present in one only"


def _as_input(X: Any) -> Any:
    """A pandas DataFrame / Series as its values: rows of a DataFrame are signals (iterating it
    would give the column labels)."""
    if not isinstance(X, np.ndarray) and hasattr(X, "to_numpy") and hasattr(X, "iloc"):
        return X.to_numpy()
    return X


class FeatureExtractor(TransformerMixin, BaseEstimator):
    """Compute :func:`physiofeat.extract` summary vectors inside a scikit-learn Pipeline.

    Parameters
    ----------
    features : str, list of str, or mapping str -> dict
        Feature names (``physiofeat.features()``) or name -> own parameters.
    sr : float, optional
        Sampling rate of array input (required for arrays); for paths, resample to this rate
        (``None`` keeps each file's rate).
    params : dict, optional
        Shared feature parameters (``{"n_fft": 256}``), as ``**params`` of ``extract``.
    stats : sequence of str
        Statistics over time of the summary vector.
    n_jobs : int
        Processes for lists of paths or unequal-length arrays (1: in this process; None: all
        cores). Equal-length 2-D arrays are computed as one vectorised batch in this process.
    on_error : {"raise", "nan"}
        What a source that fails (unreadable file, too short...) does: raise, or give a row of NaN
        (impute downstream).
    roles : mapping str -> channel name(s), optional
        For record features (``ecg_multilead``, ``ecg_pcg_timing``): which channels of each
        record play which role (``{"pcg": "PCG"}``), as in :func:`physiofeat.extract_many`;
        default: inferred from the channel names.

    Attributes
    ----------
    feature_names_out_ : np.ndarray of str
        Output column names, set by :meth:`fit`.
    n_features_out_ : int

    Notes
    -----
    ``X`` is a 2-D array ``(n_signals, n_samples)`` of equal-length signals, a list of 1-D arrays
    (any lengths), or a list of audio file paths. Record features take a list of record paths
    (WFDB ``.hea``, EDF, audio...) or :class:`~physiofeat.records.Record` objects, one row
    each. Stateless: :meth:`fit` only learns the output
    names, so cloning, pickling and cross-validation behave as for any transformer.
    """

    def __init__(
        self,
        features: Any = ("mfcc",),
        *,
        sr: float | None = None,
        params: Mapping[str, Any] | None = None,
        stats: Sequence[str] = DEFAULT_STATS,
        n_jobs: int | None = 1,
        on_error: str = "raise",
        roles: Mapping[str, Any] | None = None,
    ):
        self.features = features
        self.sr = sr
        self.params = params
        self.stats = stats
        self.n_jobs = n_jobs
        self.on_error = on_error
        self.roles = roles

    # -- helpers -----------------------------------------------------------------------------
    def _request(self):
        f = self.features
        if isinstance(f, tuple):
            f = list(f)
        return f

    def _check(self) -> None:
        if self.on_error not in ("raise", "nan"):
            raise ParameterError(f"on_error must be 'raise' or 'nan'; got {self.on_error!r}")
        if self.params is not None and not isinstance(self.params, Mapping):
            raise ParameterError(
                f"params must be a mapping name -> value; got {type(self.params).__name__}"
            )

    def _rows(self, X: Any) -> tuple[list[str] | None, np.ndarray]:
        from ._registry import extract
        from .batch import extract_many

        self._check()
        X = _as_input(X)
        params = dict(self.params or {})
        if isinstance(X, np.ndarray) and X.ndim == 2 and X.dtype.kind in "fiub":
            if self.sr is None:
                raise ParameterError("sr is required for array input (the sampling rate in Hz)")
            try:
                feats = extract(X, self._request(), sr=self.sr, stats=self.stats, **params)
                return feats.vector_names(), feats.vector()
            except PhysiofeatError:
                if self.on_error != "nan" or X.shape[0] < 2:
                    raise
            X = list(X)  # one row failed the batch: row by row, NaN rows for those that fail
        if _is_source(X):
            what = "path" if _is_path(X) else "record"
            raise ParameterError(
                f"X must be a list of {what}s, not one {what}; got {X!r} (use [X])"
            )
        items = (
            list(X)
            if not (isinstance(X, np.ndarray) and X.ndim == 1 and X.dtype.kind in "fiub")
            else None
        )
        if items is None:
            raise ParameterError(
                "X must be 2-D (n_signals, n_samples), a list of 1-D arrays or a list of paths; "
                f"got a 1-D numeric array of shape {X.shape} (wrap one signal as X[None, :])"
            )
        if not items:
            raise ParameterError("X is empty; pass at least one signal or path")
        if not all(_is_source(v) for v in items) and self.sr is None:
            raise ParameterError("sr is required for array input (the sampling rate in Hz)")
        results = extract_many(
            items,
            self._request(),
            sr=self.sr,
            n_jobs=self.n_jobs,
            stats=self.stats,
            roles=self.roles,
            **params,
        )
        good = next((r for r in results if r.ok), None)
        bad = [r for r in results if not r.ok]
        if bad and self.on_error == "raise":
            r = bad[0]
            raise _error_class(r.error_type)(
                f"{len(bad)} of {len(results)} inputs failed; first: {r.id}: {r.error_type}: "
                f"{r.error} (on_error='nan' gives NaN rows instead)"
            )
        if good is None:
            names = getattr(self, "feature_names_out_", None)
            if names is None:
                raise ParameterError(
                    f"every input failed; first: {bad[0].error_type}: {bad[0].error}"
                )
            return list(names), np.full((len(results), len(names)), np.nan)
        k = good.vector.shape[-1]
        out = np.full((len(results), k), np.nan)
        for r in results:
            if r.ok:
                if list(r.names) != list(good.names):
                    raise ParameterError(
                        f"input {r.id} gives {len(r.names)} columns and input {good.id} "
                        f"{len(good.names)} (first different: {_first_difference(r.names, good.names)}); "
                        "a feature whose columns depend on the signal cannot "
                        "make a feature matrix: give it parameters that fix its size"
                    )
                out[r.index] = r.vector
        return good.names, out

    # -- sklearn API -------------------------------------------------------------------------
    def fit(self, X: Any, y: Any = None) -> FeatureExtractor:
        """Learn the output column names from the first signal (with ``on_error="nan"``: from
        the first one that succeeds); no other state."""
        for attr in ("feature_names_out_", "n_features_out_"):
            self.__dict__.pop(attr, None)  # a refit learns afresh
        X = _as_input(X)
        if isinstance(X, np.ndarray) and X.ndim == 2:
            names, _ = self._rows(X[:1])
        elif _is_source(X) or (isinstance(X, np.ndarray) and X.ndim < 2):
            names, _ = self._rows(X)  # the clear error about the input's form
        else:
            items = list(X)
            try:
                names, _ = self._rows(items[:1])
            except ParameterError as exc:
                if self.on_error != "nan" or len(items) < 2 or "every input failed" not in str(exc):
                    raise
                names, _ = self._rows(items[1:])  # the first failed: learn from the others
        self.feature_names_out_ = np.asarray(names, dtype=object)
        self.n_features_out_ = len(names)
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Summary vectors ``(n_signals, n_features_out_)``, float64."""
        check_is_fitted(self, "feature_names_out_")
        names, out = self._rows(X)
        if list(names) != list(self.feature_names_out_):
            raise ParameterError(
                f"transform produced {len(names)} columns and fit {self.n_features_out_}, and "
                "they differ (first: "
                f"{_first_difference(names, self.feature_names_out_)}): refit after "
                "set_params, and use features whose columns do not depend on the input"
            )
        return out

    def fit_transform(self, X: Any, y: Any = None, **fit_params: Any) -> np.ndarray:
        names, out = self._rows(X)
        self.feature_names_out_ = np.asarray(names, dtype=object)
        self.n_features_out_ = len(names)
        return out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """The stable vector column names (``Features.vector_names()``)."""
        check_is_fitted(self, "feature_names_out_")
        return np.asarray(self.feature_names_out_, dtype=object)

    def __sklearn_tags__(self):  # sklearn >= 1.6: raw signals / paths, not a feature matrix
        tags = super().__sklearn_tags__()
        tags.requires_fit = True
        tags.input_tags.two_d_array = True
        tags.transformer_tags.preserves_dtype = ["float64"]
        return tags
