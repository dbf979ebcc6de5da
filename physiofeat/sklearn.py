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

import builtins
import os
from collections.abc import Iterable, Mapping, Sequence
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


class _FeatureValueError(PhysiofeatError, ValueError):
    """A ``ValueError`` (or subclass) raised by a feature outside physiofeat's own error types (a
    registered user feature, a NumPy/SciPy call), re-raised by :class:`FeatureExtractor`: both
    ``except ValueError`` and ``except PhysiofeatError`` catch it."""


class _FeatureTypeError(PhysiofeatError, TypeError):
    """As :class:`_FeatureValueError`, for a ``TypeError``."""


def _error_class(name: str) -> type[PhysiofeatError]:
    """The physiofeat error class named ``name`` (a Result's ``error_type``); for a built-in
    ``ValueError`` / ``TypeError`` (or a subclass), a physiofeat error that is also one; else
    the base."""
    from . import _errors, records

    for module in (_errors, records):
        cls = getattr(module, name, None)
        if isinstance(cls, type) and issubclass(cls, PhysiofeatError):
            return cls
    cls = getattr(builtins, name, None)
    if isinstance(cls, type) and issubclass(cls, ValueError):
        return _FeatureValueError
    if isinstance(cls, type) and issubclass(cls, TypeError):
        return _FeatureTypeError
    return PhysiofeatError


def _label(r: Any) -> str:
    """How an error names a source: its path (or id), or ``X[i]`` for an array."""
    return r.id if r.path is not None or r.id != str(r.index) else f"X[{r.index}]"


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
    """X in the forms :meth:`FeatureExtractor._rows` reads.

    A pandas DataFrame / Series is taken as its values (rows of a DataFrame are signals;
    iterating it would give the column labels), and one column of paths or arrays (what
    ``ColumnTransformer`` passes for a list selector such as ``["path"]``) as that column. An
    object with ``__array__`` that cannot be iterated is made an array; sparse input is refused.
    """
    import scipy.sparse

    if scipy.sparse.issparse(X):
        raise ParameterError(
            f"X is a scipy.sparse {type(X).__name__} of shape {X.shape}; sparse input is not "
            "supported: signals are dense (pass X.toarray())"
        )
    if not isinstance(X, np.ndarray) and hasattr(X, "to_numpy") and hasattr(X, "iloc"):
        X = X.to_numpy()
    elif not isinstance(X, np.ndarray) and hasattr(X, "__array__") and not hasattr(X, "__iter__"):
        X = np.asarray(X)
    if isinstance(X, np.ndarray) and X.ndim == 2 and X.shape[1] == 1 and X.dtype.kind in "OUS":
        X = X[:, 0]  # one column of paths (or of arrays): the column
    if (isinstance(X, np.ndarray) and X.ndim == 0) or not (
        isinstance(X, (np.ndarray, Iterable)) or _is_source(X)
    ):
        raise ParameterError(
            "X must be 2-D (n_signals, n_samples), a list of 1-D arrays or a list of paths; got "
            f"{type(X).__name__} {str(X)[:60]!r}"
        )
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
        What a source that fails (unreadable file, too short, a record of many channels for
        one-signal features...) does: raise, or give a row of NaN (impute downstream); the same
        for a 2-D array as for a list. With ``"raise"`` the error names the first failing input
        (``X[2]``, or its path) and has its type; a feature's own ``ValueError`` or
        ``TypeError`` (a registered feature, a NumPy call) comes back as a
        :class:`~physiofeat.PhysiofeatError` that is also a ``ValueError`` / ``TypeError``.
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
    (any lengths), or a list of audio file paths; a pandas DataFrame's rows are signals, and a
    one-column DataFrame of paths (what ``ColumnTransformer`` passes for ``["path"]``) is that
    list of paths. A 3-D array or a list holding 2-D arrays (several channels per sample) is
    refused rather than mixed to mono: pick a channel or average them yourself. Sparse input is
    refused. Record features take a list of record paths (WFDB ``.hea``, EDF, audio...) or
    :class:`~physiofeat.records.Record` objects, one row each; one-signal features on a WFDB or
    EDF path (one row per channel in :func:`~physiofeat.extract_many`) are an error for that
    input, a :class:`~physiofeat.ParameterError` or a NaN row as ``on_error`` says.

    Stateless: :meth:`fit` only learns the output names, so cloning, pickling and
    cross-validation behave as for any transformer. There is no ``n_features_in_`` nor
    ``feature_names_in_`` (reading them raises ``AttributeError`` saying why, and so does
    ``Pipeline.n_features_in_`` with this first): the input is signals of any length or file
    paths, not a fixed set of columns, and :meth:`transform` takes any length. For the same
    reason :meth:`get_feature_names_out` ignores ``input_features`` (once checked to be 1-D).
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

        self._check()
        X = _as_input(X)
        params = dict(self.params or {})
        numeric = isinstance(X, np.ndarray) and X.dtype.kind in "fiub"
        if numeric and X.ndim > 2:
            raise ParameterError(
                "X must be 2-D (n_signals, n_samples), a list of 1-D arrays or a list of paths; "
                f"got a {X.ndim}-D array of shape {X.shape}: for (n_signals, n_channels, "
                "n_samples) pick a channel (X[:, c]) or mix to mono (X.mean(axis=1)) yourself"
            )
        if numeric and X.ndim == 2:
            if self.sr is None:
                raise ParameterError("sr is required for array input (the sampling rate in Hz)")
            try:
                feats = extract(X, self._request(), sr=self.sr, stats=self.stats, **params)
                return feats.vector_names(), feats.vector()
            except Exception as exc:  # a row failed the batch: row by row, naming it (or NaN)
                batch_error = exc
            try:
                return self._rows_of(list(X), params)
            except Exception as exc:
                if type(exc) is type(batch_error) and str(exc) == str(batch_error):
                    raise batch_error from None  # not about a row (the request): as it came
                # a feature's own error (not physiofeat's): keep its traceback as the cause
                cause = None if isinstance(batch_error, PhysiofeatError) else batch_error
                raise exc from cause
        if _is_source(X):
            what = "path" if _is_path(X) else "record"
            raise ParameterError(
                f"X must be a list of {what}s, not one {what}; got {X!r} (use [X])"
            )
        if numeric and X.ndim == 1:
            raise ParameterError(
                "X must be 2-D (n_signals, n_samples), a list of 1-D arrays or a list of paths; "
                f"got a 1-D numeric array of shape {X.shape} (wrap one signal as X[None, :])"
            )
        return self._rows_of(list(X), params)

    def _rows_of(self, items: list[Any], params: dict[str, Any]) -> tuple[list[str], np.ndarray]:
        """The rows of a list of sources (arrays, paths, records), through ``extract_many``."""
        from ._registry import record_feature_names
        from .batch import extract_many

        if not items:
            raise ParameterError("X is empty; pass at least one signal or path")
        for i, v in enumerate(items):
            if isinstance(v, np.ndarray) and v.ndim > 1 and v.dtype.kind in "fiub":
                raise ParameterError(
                    f"X[{i}] is a {v.ndim}-D array of shape {v.shape}; X must be a list of 1-D "
                    "arrays (one signal each) or of paths: pick a channel (X[i][c]) or mix to "
                    "mono (X[i].mean(axis=0)) yourself"
                )
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
        failed = []  # (result, error type, message): failed, or gave more than one row
        for r in results:
            if not r.ok:
                failed.append((r, r.error_type, r.error))
            elif r.n_rows != 1:
                channels = ", ".join(map(repr, r.channel_name or ()))
                failed.append(
                    (
                        r,
                        "ParameterError",
                        f"its {r.n_rows} channels ({channels}) give a row each, and "
                        "FeatureExtractor makes one row per input: request record features "
                        f"({', '.join(record_feature_names())}), or pass the channels you want "
                        "as arrays (physiofeat.load_record(path)[name])",
                    )
                )
        good = next((r for r in results if r.ok and r.n_rows == 1), None)
        if failed and self.on_error == "raise":
            r, kind, error = failed[0]
            raise _error_class(kind)(
                f"{len(failed)} of {len(results)} inputs failed; first: {_label(r)}: {kind}: "
                f"{error} (on_error='nan' gives NaN rows instead)"
            )
        if good is None:
            names = getattr(self, "feature_names_out_", None)
            if names is None:
                r, kind, error = failed[0]
                raise ParameterError(f"every input failed; first: {_label(r)}: {kind}: {error}")
            return list(names), np.full((len(results), len(names)), np.nan)
        out = np.full((len(results), len(good.names)), np.nan)
        failed_at = {r.index for r, _, _ in failed}
        for r in results:
            if r.index not in failed_at:
                if list(r.names) != list(good.names):
                    raise ParameterError(
                        f"input {r.id} gives {len(r.names)} columns and input {good.id} "
                        f"{len(good.names)} (first different: {_first_difference(r.names, good.names)}); "
                        "a feature whose columns depend on the signal cannot "
                        "make a feature matrix: give it parameters that fix its size"
                    )
                out[r.index] = np.reshape(r.vector, -1)
        return good.names, out

    def _forget(self) -> None:
        for attr in ("feature_names_out_", "n_features_out_"):
            self.__dict__.pop(attr, None)  # a refit learns afresh

    # -- sklearn API -------------------------------------------------------------------------
    def fit(self, X: Any, y: Any = None) -> FeatureExtractor:
        """Learn the output column names from the first signal (with ``on_error="nan"``: from
        the first one that succeeds); no other state."""
        self._forget()
        X = _as_input(X)
        if isinstance(X, np.ndarray) and X.dtype.kind in "fiub" and X.ndim == 2:
            first, rest = X[:1], X[1:]
        elif _is_source(X) or (isinstance(X, np.ndarray) and X.dtype.kind in "fiub"):
            first, rest = X, []  # the clear error about the input's form
        else:
            items = list(X)
            first, rest = items[:1], items[1:]
        try:
            names, _ = self._rows(first)
        except ParameterError as exc:
            if self.on_error != "nan" or len(rest) == 0 or "every input failed" not in str(exc):
                raise
            names, _ = self._rows(rest)  # the first failed: learn from the others
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
        """``fit(X).transform(X)``, computing each signal once."""
        self._forget()
        names, out = self._rows(X)
        self.feature_names_out_ = np.asarray(names, dtype=object)
        self.n_features_out_ = len(names)
        return out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """The stable vector column names (``Features.vector_names()``).

        ``input_features`` (the input's column names, which ``Pipeline`` and
        ``ColumnTransformer`` pass on) is checked to be a 1-D sequence and otherwise ignored:
        the output names depend on the request only, not on the input's columns.
        """
        check_is_fitted(self, "feature_names_out_")
        if input_features is not None and np.asarray(input_features, dtype=object).ndim != 1:
            raise ParameterError(
                "input_features must be a 1-D sequence of column names or None; got shape "
                f"{np.shape(np.asarray(input_features, dtype=object))}"
            )
        return np.asarray(self.feature_names_out_, dtype=object)

    @property
    def n_features_in_(self) -> int:
        """Not defined: raises AttributeError (see Notes)."""
        raise AttributeError(
            "FeatureExtractor has no n_features_in_: its input is signals of any length (or "
            "file paths), not a fixed number of columns; n_features_out_ is the output width"
        )

    @property
    def feature_names_in_(self) -> np.ndarray:
        """Not defined: raises AttributeError (see Notes)."""
        raise AttributeError(
            "FeatureExtractor has no feature_names_in_: its input is signals of any length "
            "(or file paths), not named columns; get_feature_names_out() names the output"
        )

    def __sklearn_tags__(self):  # sklearn >= 1.6: raw signals / paths, not a feature matrix
        tags = super().__sklearn_tags__()
        tags.requires_fit = True
        tags.input_tags.two_d_array = True
        tags.input_tags.string = True  # a list (or one-column DataFrame) of paths
        tags.input_tags.sparse = False
        tags.input_tags.allow_nan = False  # a non-finite sample is refused
        tags.transformer_tags.preserves_dtype = ["float64"]
        return tags
