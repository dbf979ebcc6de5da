"""Labelled feature containers: :class:`Feature` (one array with named axes) and
:class:`Features` (the mapping :func:`physiofeat.extract` returns)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._errors import ParameterError

__all__ = [
    "Feature",
    "Features",
    "DEFAULT_STATS",
    "STAT_FUNCS",
    "check_stats",
    "summarize_over_time",
]

#: Statistics over time that :meth:`Features.vector` computes for time-varying features.
DEFAULT_STATS: tuple[str, ...] = ("mean", "std", "min", "max")

#: The summary statistics by name (NaN-ignoring reductions over the time axis).
STAT_FUNCS: dict[str, Callable[..., np.ndarray]] = {
    "mean": np.nanmean,
    "std": np.nanstd,
    "min": np.nanmin,
    "max": np.nanmax,
    "median": np.nanmedian,
}


def check_stats(stats: str | Sequence[str]) -> tuple[str, ...]:
    """Return ``stats`` as a tuple if every name is a known statistic, else ParameterError.

    One name may be passed as a string; an empty selection and repeated names are errors.

    >>> check_stats("mean"), check_stats(["min", "max"])
    (('mean',), ('min', 'max'))
    """
    if isinstance(stats, str):
        stats = (stats,)
    try:
        stats = tuple(stats)
    except TypeError:
        raise ParameterError(
            f"stats must be a statistic name or a sequence of names; got {type(stats).__name__}"
        ) from None
    accepted = ", ".join(STAT_FUNCS)
    if not stats:
        raise ParameterError(f"stats is empty; pass at least one of: {accepted}")
    bad = [s for s in stats if not isinstance(s, str) or s not in STAT_FUNCS]
    if bad:
        raise ParameterError(f"unknown summary statistic(s) {bad}; accepted: {accepted}")
    dup = sorted({s for s in stats if stats.count(s) > 1})
    if dup:
        raise ParameterError(f"stats names {dup} more than once; give each statistic once")
    return stats


#: Names of the axis that holds time (frames or samples); summaries reduce over it.
TIME_DIMS = ("time", "frame")


@dataclass(frozen=True, eq=False)
class Feature:
    """One feature: an array with named axes, coordinates and attributes.

    Parameters
    ----------
    values : np.ndarray
        The data. Axes are time-last, e.g. ``(coef, time)``; a batch adds a leading ``signal``
        axis.
    dims : tuple of str
        One name per axis of ``values``. When ``values`` has exactly one axis more than
        ``dims`` names, that leading axis is a batch and is named ``signal``.
    coords : dict
        Coordinates by axis name: ``time`` in seconds, ``freq`` in Hz, labels for categorical
        axes (``stat``, ``band``...).
    attrs : dict
        Everything else: parameters used, units, sampling rate.
    name : str
        The registered feature name.
    summarize : callable, optional
        ``summarize(feature, stats) -> (names, values)`` for features whose vector summary is not
        statistics over time (set by the registry).
    """

    values: np.ndarray
    dims: tuple[str, ...]
    coords: dict[str, np.ndarray] = field(default_factory=dict)
    attrs: dict[str, Any] = field(default_factory=dict)
    name: str = ""
    summarize: Callable[..., tuple[list[str], np.ndarray]] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        values = self.values if isinstance(self.values, np.ndarray) else np.asarray(self.values)
        object.__setattr__(self, "values", values)
        dims = tuple(self.dims)
        if values.ndim == len(dims) + 1 and "signal" not in dims:
            dims = ("signal",) + dims  # a batch: the leading axis is the signal index
        object.__setattr__(self, "dims", dims)
        # a ParameterError (a ValueError): extract() prefixes the feature's name when the
        # Feature is built, unnamed, inside a compute function
        what = f"Feature {self.name!r}:" if self.name else "a Feature's"
        if values.ndim != len(self.dims):
            raise ParameterError(
                f"{what} values have {values.ndim} axes {values.shape} but dims "
                f"name {len(self.dims)}: {self.dims}"
            )
        for dim, c in self.coords.items():
            if dim in self.dims and len(c) != values.shape[self.dims.index(dim)]:
                raise ParameterError(
                    f"{what} coordinate {dim!r} has {len(c)} entries for an axis "
                    f"of length {values.shape[self.dims.index(dim)]} (values {values.shape}, "
                    f"dims {self.dims}); give one coordinate per entry of the axis"
                )

    # -- array-like conveniences -------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return self.values.shape

    @property
    def ndim(self) -> int:
        return self.values.ndim

    @property
    def dtype(self) -> np.dtype:
        return self.values.dtype

    @property
    def times(self) -> np.ndarray | None:
        """Frame times in seconds (``coords['time']``), or None for time-less features."""
        return self.coords.get("time")

    @property
    def freqs(self) -> np.ndarray | None:
        """Bin frequencies in Hz (``coords['freq']``), or None."""
        return self.coords.get("freq")

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self.values, dtype=dtype)

    def __len__(self) -> int:
        return len(self.values)

    def __getitem__(self, key):
        return self.values[key]

    def __repr__(self) -> str:
        axes = ", ".join(f"{d}: {n}" for d, n in zip(self.dims, self.values.shape))
        return f"<Feature {self.name!r} ({axes}) {self.values.dtype}>"

    # -- summaries ---------------------------------------------------------------------------
    @property
    def batched(self) -> bool:
        return bool(self.dims) and self.dims[0] == "signal"

    def vector(self, stats: Sequence[str] = DEFAULT_STATS) -> tuple[list[str], np.ndarray]:
        """Fixed-length summary: ``(names, values)`` with values ``(..., n_columns)``."""
        if self.summarize is not None:
            return self.summarize(self, check_stats(stats))
        return summarize_over_time(self, check_stats(stats))


def _labels(feature: Feature, dim: str, n: int) -> list[str]:
    c = feature.coords.get(f"{dim}_label")
    if c is None:
        c = feature.coords.get(dim)
    if c is not None and len(c) == n and all(isinstance(v, str) for v in c):
        return list(c)
    return [f"{dim}{i}" for i in range(n)]


def summarize_over_time(feature: Feature, stats: tuple[str, ...] = DEFAULT_STATS):
    """Default vector summary: statistics over the time axis, every other axis flattened.

    Column names are ``<feature>_<label>..._<stat>``; a label is the axis' string coordinate if it
    has one (``coords[dim]`` or ``coords[dim + '_label']``), else ``<dim><index>`` (``coef3``).
    Features with no time axis are flattened as they are (``<feature>_<label>...``). NaN values
    (e.g. beats without a P wave) are ignored; an all-NaN column, or an empty time axis (no
    frame), gives NaN. Complex values are refused (:class:`ParameterError`): casting them would
    drop the imaginary part.
    """
    stats = check_stats(stats)
    dims = list(feature.dims)
    vals = np.asarray(feature.values)
    if np.iscomplexobj(vals):
        raise ParameterError(
            f"feature {feature.name!r} has complex values ({vals.dtype}); its vector summary "
            "takes real ones: return np.abs, np.real or np.angle of them from the feature's "
            "compute (or register it with summarize=)"
        )
    lead = 0
    if dims and dims[0] == "signal":
        lead = 1
    core_dims = dims[lead:]
    batch_shape = vals.shape[:lead]
    time_axes = [i for i, d in enumerate(core_dims) if d in TIME_DIMS]
    if time_axes:
        t = time_axes[-1] + lead
        moved = np.moveaxis(vals, t, -1).astype(np.float64, copy=False)
        other = [d for i, d in enumerate(core_dims) if i != time_axes[-1]]
        other_shape = moved.shape[lead:-1]
        # the row count is given, not -1: a reshape cannot infer it when time has no frame
        flat = moved.reshape(batch_shape + (int(np.prod(other_shape)), moved.shape[-1]))
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices give NaN, on purpose
            cols = [
                STAT_FUNCS[s](flat, axis=-1) if flat.shape[-1] else np.full(flat.shape[:-1], np.nan)
                for s in stats
            ]
        out = np.stack(cols, axis=-1).reshape(batch_shape + (-1,))
        base = _flat_labels(feature, other, other_shape)
        names = [f"{b}_{s}" if b else s for b in base for s in stats]
    else:
        out = vals.astype(np.float64, copy=False).reshape(batch_shape + (-1,))
        names = _flat_labels(feature, core_dims, vals.shape[lead:])
    prefix = feature.name
    names = [f"{prefix}_{n}" if n else prefix for n in names]
    return names, out


def _flat_labels(feature: Feature, dims: list[str], shape: tuple[int, ...]) -> list[str]:
    labels = [""]
    for d, n in zip(dims, shape):
        labels = [f"{a}_{b}" if a else b for a in labels for b in _labels(feature, d, n)]
    return labels


def _count(items: list[str]) -> list[tuple[str, int]]:
    """``(item, count)`` in order of first appearance."""
    return [(k, items.count(k)) for k in dict.fromkeys(items)]


class Features(Mapping[str, Feature]):
    """What :func:`physiofeat.extract` returns: a mapping feature name -> :class:`Feature`.

    ``vector()`` and ``vector_names()`` give a fixed-length summary for classifiers;
    ``to_frame()`` a pandas DataFrame (one row per signal); ``to_dict()`` plain arrays.
    """

    def __init__(
        self,
        items: Mapping[str, Feature],
        *,
        sr: float | None = None,
        n_signals: int | None = None,
        stats: Sequence[str] = DEFAULT_STATS,
        computed: Mapping[str, int] | None = None,
    ):
        self._items = dict(items)
        self.sr = sr
        self.n_signals = n_signals  # None for a single 1-D signal
        self.stats = check_stats(stats)
        #: How many times each intermediate was computed in this call (shared work shows as 1).
        self.computed = dict(computed or {})

    def __getitem__(self, key: str) -> Feature:
        try:
            return self._items[key]
        except (KeyError, TypeError):  # TypeError: an unhashable key
            import difflib

            from ._errors import UnknownFeatureError

            held = list(self._items)
            close = difflib.get_close_matches(str(key), held, n=3) if held else []
            hint = f" (did you mean {', '.join(map(repr, close))}?)" if close else ""
            raise UnknownFeatureError(
                f"{key!r} is not in this result{hint}; it holds {len(held)} feature(s): "
                f"{', '.join(held) or 'none'}"
            ) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        lines = [
            f"<Features: {len(self)} feature(s)"
            + (f", batch of {self.n_signals}" if self.n_signals is not None else "")
            + (f", sr={self.sr:g} Hz>" if self.sr else ">")
        ]
        lines += [f"  {f!r}" for f in self._items.values()]
        return "\n".join(lines)

    def _summaries(self, stats):
        stats = self.stats if stats is None else check_stats(stats)
        out = [f.vector(stats) for f in self._items.values()]
        sources: dict[str, list[str]] = {}  # a column name -> the features giving it
        for key, (names, _) in zip(self._items, out):
            for n in names:
                sources.setdefault(n, []).append(key)
        dup = {n: v for n, v in sources.items() if len(v) > 1}
        if dup:
            parts = [
                f"{n!r} (from "
                + ", ".join(f"{k!r}" + (f" {c} times" if c > 1 else "") for k, c in _count(v))
                + ")"
                for n, v in list(dup.items())[:5]
            ]
            more = f" and {len(dup) - 5} more" if len(dup) > 5 else ""
            raise ParameterError(
                f"the vector's column names must be unique; {len(dup)} are not: "
                f"{', '.join(parts)}{more}. Give a feature a name no other feature's columns "
                "start with, and each axis distinct string labels"
            )
        return out

    def vector_names(self, stats: Sequence[str] | None = None) -> list[str]:
        """Stable column names of :meth:`vector`, in order."""
        return [n for names, _ in self._summaries(stats) for n in names]

    def vector(self, stats: Sequence[str] | None = None, dtype=np.float64) -> np.ndarray:
        """Fixed-length summary vector ``(n_columns,)``, or ``(n_signals, n_columns)`` for a batch.

        Time-varying features contribute ``stats`` (default ``mean, std, min, max``) over time
        for every other coordinate; scalar features contribute themselves; features whose size
        varies with the signal (e.g. IMFs) declare their own fixed-size summary.
        """
        parts = [v for _, v in self._summaries(stats)]
        if not parts:
            shape = (0,) if self.n_signals is None else (self.n_signals, 0)
            return np.zeros(shape, dtype=dtype)
        return np.concatenate([np.asarray(p, dtype=dtype) for p in parts], axis=-1)

    def to_dict(self) -> dict[str, np.ndarray]:
        """Plain arrays by feature name."""
        return {k: f.values for k, f in self._items.items()}

    def to_frame(self, stats: Sequence[str] | None = None, index=None):
        """The summary vector as a pandas DataFrame, one row per signal."""
        import pandas as pd

        v = self.vector(stats)
        v = v[None, :] if v.ndim == 1 else v
        return pd.DataFrame(v, columns=self.vector_names(stats), index=index)
