"""The :class:`Segmentation` of a heart-sound recording into S1, systole, S2 and diastole.

States use the CirCor DigiScope codes: 0 not annotated, 1 S1, 2 systole, 3 S2, 4 diastole.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from .._errors import DecodeError, ParameterError
from .._validation import check_array_size, check_int, check_sr

__all__ = ["S1", "SYSTOLE", "S2", "DIASTOLE", "UNANNOTATED", "STATE_NAMES", "Segmentation"]

UNANNOTATED, S1, SYSTOLE, S2, DIASTOLE = 0, 1, 2, 3, 4
#: CirCor state code -> name.
STATE_NAMES = {0: "unannotated", 1: "S1", 2: "systole", 3: "S2", 4: "diastole"}


def complete_cycle_rows(intervals: np.ndarray) -> np.ndarray:
    """Row index of the S1 of every complete cycle of ``[start_s, end_s, state]`` rows: rows
    ``i..i+4`` are S1, systole, S2, diastole, S1, and the first S1 does not start at 0 s (where
    the recording's start may have cut it: a cycle from there is too short)."""
    iv = np.asarray(intervals, dtype=np.float64)
    if iv.ndim != 2 or iv.shape[0] < 5:
        return np.zeros(0, dtype=np.int64)
    st = iv[:, 2].astype(np.int64)
    win = np.lib.stride_tricks.sliding_window_view(st, 5)
    ok = (win == np.array([S1, SYSTOLE, S2, DIASTOLE, S1])).all(axis=1)
    ok &= iv[: ok.size, 0] > 0
    return np.flatnonzero(ok)


_BY_NAME = {v.lower(): k for k, v in STATE_NAMES.items()}

# Two intervals closer than this (s) are taken as touching; a larger hole becomes a state-0 row.
_TOUCH = 1e-9
# An overlap up to this (s) is rounding in the annotation (CirCor files have many of < 1 ms):
# the later interval keeps its start and the earlier one is cut there. A longer one raises. A
# hole up to this between two annotated (state 1-4) rows is rounding too (CirCor has 59 holes,
# 45 under 1 ms, the largest 14 ms; none between annotated rows is a stretch left unannotated,
# which CirCor writes as a state-0 row): the earlier row is extended to the later's start.
_OVERLAP = 0.01


def _same(a: Any, b: Any) -> bool:
    """Value equality of dataclass fields that may hold arrays: arrays by
    :func:`numpy.array_equal` (shape and values; NaN equal to NaN in float arrays), floats
    with NaN equal to NaN, dicts, lists and tuples item by item, anything else by ``==``."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        nan_ok = a.dtype.kind in "fc" and b.dtype.kind in "fc"
        try:
            return bool(np.array_equal(a, b, equal_nan=nan_ok))
        except (TypeError, ValueError):
            return False
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, (float, np.floating)) and isinstance(b, (float, np.floating)):
        return bool(a == b or (math.isnan(a) and math.isnan(b)))
    try:
        return bool(a == b)
    except (TypeError, ValueError):  # an == that gives no single truth value
        return False


def _dataclass_eq(self: Any, other: Any) -> bool:
    """``__eq__`` of a dataclass holding arrays: same class and every field :func:`_same`."""
    if other.__class__ is not self.__class__:
        return NotImplemented
    return all(_same(getattr(self, f.name), getattr(other, f.name)) for f in fields(self))


def _check_state(state: Any) -> int:
    """A state code (0-4) or name (``"S1"``, ``"systole"``, ...)."""
    if isinstance(state, str):
        code = _BY_NAME.get(state.lower())
        if code is None:
            raise ParameterError(
                f"unknown state {state!r}; accepted: {', '.join(STATE_NAMES.values())} "
                f"or the codes 0-4"
            )
        return code
    if (
        isinstance(state, bool)
        or not isinstance(state, (int, np.integer))
        or int(state) not in STATE_NAMES
    ):
        raise ParameterError(
            f"state must be one of the codes 0-4 ({STATE_NAMES}) or a state name; got {state!r}"
        )
    return int(state)


def _clean_intervals(intervals: Any, lines: Any = None) -> np.ndarray:
    """Validate ``(n, 3)`` rows ``[start_s, end_s, state]``; drop zero-length rows and rows
    that repeat an earlier one exactly, sort by start, fill holes with state-0 rows.
    Overlapping intervals are an error. ``lines`` (the file's line number of each row) puts
    ``line k`` in the messages instead of the row index."""
    try:
        arr = np.array(intervals, dtype=np.float64, ndmin=2)
    except (TypeError, ValueError):
        raise ParameterError(
            f"intervals must be a numeric (n, 3) array of [start_s, end_s, state] rows; "
            f"got {type(intervals).__name__}"
        ) from None
    if arr.size == 0:
        return np.zeros((0, 3))
    if arr.ndim != 2 or arr.shape[1] != 3:
        raise ParameterError(
            f"intervals must have shape (n, 3) ([start_s, end_s, state] rows); got shape "
            f"{arr.shape}"
        )
    word = "row" if lines is None else "line"
    lines = np.arange(arr.shape[0]) if lines is None else np.asarray(lines)

    def at(i: int) -> str:
        return f"{word} {lines[i]}"

    bad = np.flatnonzero(~np.isfinite(arr).all(axis=1))
    if bad.size:
        raise ParameterError(
            f"intervals contain NaN or inf ({at(bad[0])}: {arr[bad[0]].tolist()}); times and "
            f"states must be finite"
        )
    st = arr[:, 2]
    bad = np.flatnonzero(~np.isin(st, list(STATE_NAMES)))
    if bad.size:
        raise ParameterError(
            f"interval states must be the CirCor codes 0-4 (0 unannotated, 1 S1, 2 systole, "
            f"3 S2, 4 diastole); got {st[bad[0]]:g} ({at(bad[0])})"
        )
    bad = np.flatnonzero(arr[:, 0] < 0)
    if bad.size:
        raise ParameterError(
            f"interval times must be >= 0 s; got a start of {arr[bad[0], 0]:g} s ({at(bad[0])})"
        )
    neg = np.flatnonzero(arr[:, 1] < arr[:, 0])
    if neg.size:
        r = arr[neg[0]]
        raise ParameterError(
            f"interval {neg[0]} ends before it starts ({at(neg[0])}): [{r[0]:g}, {r[1]:g}] s; "
            f"each row needs start_s <= end_s"
        )
    keep = arr[:, 1] > arr[:, 0]  # zero-length rows carry no time
    if arr.shape[0] > 1:  # a row written twice says nothing new: keep its first copy
        _, first = np.unique(arr, axis=0, return_index=True)
        once = np.zeros(arr.shape[0], bool)
        once[first] = True
        keep &= once
    arr, lines = arr[keep], lines[keep]
    order = np.argsort(arr[:, 0], kind="stable")
    arr, lines = arr[order], lines[order]
    if arr.shape[0] == 0:
        return np.zeros((0, 3))
    over = np.flatnonzero(arr[1:, 0] < arr[:-1, 1] - _OVERLAP)
    if over.size:
        j = over[0]
        a, b = arr[j], arr[j + 1]
        raise ParameterError(
            f"intervals overlap: [{a[0]:g}, {a[1]:g}] s (state {a[2]:g}, {at(j)}) and "
            f"[{b[0]:g}, {b[1]:g}] s (state {b[2]:g}, {at(j + 1)}) by more than "
            f"{_OVERLAP * 1000:g} ms; a segmentation needs disjoint intervals"
        )
    rows = [arr[0]]
    for r in arr[1:]:
        prev = rows[-1]
        if r[0] > prev[1] + _TOUCH:
            if r[0] <= prev[1] + _OVERLAP and prev[2] != UNANNOTATED and r[2] != UNANNOTATED:
                prev[1] = r[0]  # a rounding hole between two annotated rows
            else:
                rows.append(np.array([prev[1], r[0], UNANNOTATED]))
                prev = rows[-1]
        r = r.copy()
        if r[0] < prev[1]:  # a small overlap: cut the earlier interval at the later's start
            prev[1] = max(r[0], prev[0])
            if prev[1] <= prev[0]:
                rows.pop()
                prev = rows[-1] if rows else None
        if prev is not None:
            r[0] = prev[1]  # contiguous: each row starts where the previous ends
        if r[1] > r[0]:
            rows.append(r)
    out = np.array(rows)
    # merge neighbours of the same state (a hole filled next to a state-0 row, for example)
    keep = np.r_[True, out[1:, 2] != out[:-1, 2]]
    if not keep.all():
        grp = np.cumsum(keep) - 1
        ends = np.zeros(int(grp[-1]) + 1)
        np.maximum.at(ends, grp, out[:, 1])
        out = out[keep].copy()
        out[:, 1] = ends
    return out


def _states_from(intervals: np.ndarray, sr: float, n_samples: int) -> np.ndarray:
    """Per-sample state: sample ``i`` (at ``i / sr`` s) takes the state of the interval with
    ``start_s <= i / sr < end_s``; 0 outside every interval."""
    states = np.zeros(n_samples, dtype=np.int8)
    if intervals.shape[0] == 0 or n_samples == 0:
        return states
    t = np.arange(n_samples) / sr
    # intervals are contiguous: the first sample of each is the first t >= its start
    lo = np.searchsorted(t, intervals[:, 0], side="left")
    hi = np.searchsorted(t, intervals[:, 1], side="left")
    states[lo[0] : hi[-1]] = np.repeat(intervals[:, 2].astype(np.int8), hi - lo)
    return states


@dataclass(frozen=True, eq=False)
class Segmentation:
    """A recording split into S1, systole, S2 and diastole.

    Attributes
    ----------
    intervals : np.ndarray [shape=(n, 3)], float64
        Rows ``[start_s, end_s, state]``, sorted, contiguous (each row starts where the previous
        one ends), no zero-length rows; ``state`` is a CirCor code (0 unannotated, 1 S1,
        2 systole, 3 S2, 4 diastole).
    sr : float
        Rate of :attr:`states` in Hz (the signal's rate).
    states : np.ndarray [shape=(n_samples,)], int8
        Per-sample state: sample ``i`` at ``i / sr`` s has the state of the interval with
        ``start_s <= i / sr < end_s``, 0 outside all of them.
    heart_rate : float
        Heart rate in beats per minute the segmenter used (NaN when read from a file).
    systolic_interval : float
        Systolic interval in seconds the segmenter used (NaN when read from a file).
    attrs : dict
        Anything else (the segmenter's parameters, the source file, ...).

    Build one with :meth:`from_intervals` or :meth:`from_tsv`; :func:`physiofeat.pcg.segment`
    returns one.

    Two segmentations are ``==`` when every attribute is: the arrays by
    :func:`numpy.array_equal`, ``heart_rate`` and ``systolic_interval`` with NaN equal to NaN,
    ``attrs`` item by item (so one read with :meth:`from_tsv`, whose ``attrs`` name the file
    and whose rates are NaN, equals another read of the same file, not the
    :func:`~physiofeat.pcg.segment` result it was written from: compare ``intervals`` for
    that). Like NumPy arrays, a segmentation is not hashable (``hash()`` raises
    :class:`TypeError`): ``attrs`` is a mutable dict.

    Examples
    --------
    >>> import physiofeat
    >>> from physiofeat.pcg import Segmentation, S1
    >>> seg = Segmentation.from_tsv(physiofeat.data.DATA_DIR / "50277_MV.tsv", sr=4000)
    >>> seg.intervals.shape, seg.sounds(S1).shape, seg.cycles().shape
    ((31, 3), (7, 2), (6, 2))
    >>> seg.sounds("S1")[0].round(3).tolist()
    [0.58, 0.7]
    """

    intervals: np.ndarray
    sr: float
    states: np.ndarray
    heart_rate: float = math.nan
    systolic_interval: float = math.nan
    attrs: dict = field(default_factory=dict)

    __eq__ = _dataclass_eq
    __hash__ = None  # type: ignore[assignment]  # value equality over mutable fields

    # -- construction ---------------------------------------------------------------------
    @classmethod
    def from_intervals(
        cls,
        intervals: Any,
        *,
        sr: float,
        n_samples: int | None = None,
        heart_rate: float = math.nan,
        systolic_interval: float = math.nan,
        attrs: dict | None = None,
    ) -> Segmentation:
        """Build a segmentation from ``[start_s, end_s, state]`` rows.

        Rows are sorted by start; zero-length rows and exact repeats of a row are dropped; a
        hole between two rows becomes a state-0 (unannotated) row so the intervals are
        contiguous, except that a hole of up to 10 ms between two annotated rows (state 1-4) is
        annotation rounding, as an overlap of up to 10 ms is (many CirCor files have
        sub-millisecond ones): the earlier row ends at the later one's start (a state-0 row
        there would break the cardiac cycle); a longer overlap raises
        :class:`~physiofeat.ParameterError`.

        Parameters
        ----------
        intervals : array_like [shape=(n, 3)]
            ``[start_s, end_s, state]`` rows, state a CirCor code 0-4. ``n`` may be 0.
        sr : float
            Rate of the per-sample :attr:`states` in Hz.
        n_samples : int, optional
            Length of :attr:`states`; default ``round(last end_s * sr)``.
        heart_rate, systolic_interval : float
            Stored as given (bpm, s).
        attrs : dict, optional
            Stored as given.

        Returns
        -------
        Segmentation

        Examples
        --------
        >>> from physiofeat.pcg import Segmentation
        >>> seg = Segmentation.from_intervals([[0, 0.1, 1], [0.1, 0.4, 2]], sr=10)
        >>> seg.states.tolist()
        [1, 2, 2, 2]
        """
        sr = check_sr(sr)
        iv = _clean_intervals(intervals)
        if n_samples is None:
            n_samples = round(iv[-1, 1] * sr) if iv.shape[0] else 0
        n_samples = check_int(n_samples, "n_samples", minimum=0)
        check_array_size(
            (n_samples,),
            np.float64,
            "the per-sample states' time axis",
            f"intervals are in seconds (the last ends at {iv[-1, 1] if iv.shape[0] else 0:g} s, "
            f"{n_samples / sr / 3600:.3g} h at sr={sr:g} Hz): were sample indices given?",
        )
        hr = float(heart_rate)
        si = float(systolic_interval)
        iv.setflags(write=False)
        states = _states_from(iv, sr, n_samples)
        states.setflags(write=False)
        return cls(iv, sr, states, hr, si, dict(attrs or {}))

    @classmethod
    def from_states(
        cls,
        states: Any,
        *,
        sr: float,
        heart_rate: float = math.nan,
        systolic_interval: float = math.nan,
        attrs: dict | None = None,
    ) -> Segmentation:
        """Build a segmentation from per-sample states (runs of equal codes become intervals).

        Examples
        --------
        >>> from physiofeat.pcg import Segmentation
        >>> Segmentation.from_states([1, 1, 2, 2, 2, 3], sr=2).intervals.tolist()
        [[0.0, 1.0, 1.0], [1.0, 2.5, 2.0], [2.5, 3.0, 3.0]]
        """
        sr = check_sr(sr)
        s = np.asarray(states)
        if s.ndim != 1 or s.dtype.kind not in "iu":
            raise ParameterError(
                f"states must be a 1-D integer array of CirCor codes 0-4; got shape {s.shape} "
                f"dtype {s.dtype}"
            )
        if s.size == 0:
            return cls.from_intervals(np.zeros((0, 3)), sr=sr, n_samples=0, attrs=attrs)
        change = np.flatnonzero(s[1:] != s[:-1]) + 1
        starts = np.r_[0, change]
        ends = np.r_[change, s.size]
        iv = np.column_stack([starts / sr, ends / sr, s[starts]])
        return cls.from_intervals(
            iv,
            sr=sr,
            n_samples=s.size,
            heart_rate=heart_rate,
            systolic_interval=systolic_interval,
            attrs=attrs,
        )

    @classmethod
    def from_tsv(
        cls, path: str | os.PathLike, *, sr: float, n_samples: int | None = None
    ) -> Segmentation:
        """Read a CirCor ``.tsv`` segmentation (``start_s<TAB>end_s<TAB>state`` per line).

        Zero-length rows and exact repeats of a row (CirCor has files with a row written
        twice) are dropped and holes become state-0 rows (see :meth:`from_intervals`); an
        unreadable file raises :class:`~physiofeat.DecodeError`, overlapping rows or a bad
        state code :class:`~physiofeat.ParameterError`; both messages name the file and
        the line.

        Parameters
        ----------
        path : str or os.PathLike
            The ``.tsv`` file.
        sr : float
            Rate of :attr:`states` (the recording's rate, 4000 Hz for CirCor).
        n_samples : int, optional
            Length of :attr:`states` (the recording's length); default from the last row.

        Returns
        -------
        Segmentation
            ``heart_rate`` and ``systolic_interval`` are NaN; ``attrs["path"]`` is the file.
        """
        sr = check_sr(sr)
        try:
            with open(path, encoding="utf-8") as fh:
                text = fh.read()
        except OSError as exc:
            raise DecodeError(f"cannot read segmentation file {os.fspath(path)!r}: {exc}") from exc
        except UnicodeDecodeError as exc:
            raise DecodeError(
                f"segmentation file {os.fspath(path)!r} is not text (UTF-8): {exc.reason} at "
                f"byte {exc.start}"
            ) from None
        rows, lines = [], []
        for k, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            parts = line.split()
            try:
                if len(parts) != 3:
                    raise ValueError
                rows.append([float(p) for p in parts])
                lines.append(k)
            except ValueError:
                raise DecodeError(
                    f"{os.fspath(path)!r} line {k} is not 'start_s<TAB>end_s<TAB>state': "
                    f"{line[:60]!r}"
                ) from None
        iv = np.array(rows, dtype=np.float64).reshape(-1, 3)
        try:
            iv = _clean_intervals(iv, np.array(lines, dtype=np.int64))
            return cls.from_intervals(
                iv, sr=sr, n_samples=n_samples, attrs={"path": os.fspath(path)}
            )
        except ParameterError as exc:
            raise ParameterError(f"segmentation file {os.fspath(path)!r}: {exc}") from None

    # -- output ---------------------------------------------------------------------------
    def to_tsv(self, path: str | os.PathLike) -> None:
        """Write CirCor's ``.tsv`` format (``%g``-style times to the microsecond, integer
        states); :meth:`from_tsv` reads it back to the same intervals (to 1e-6 s)."""
        write_tsv(path, self.intervals)

    def to_frame(self):
        """The intervals as a pandas DataFrame: ``start_s, end_s, state, state_name``."""
        import pandas as pd

        st = self.intervals[:, 2].astype(np.int64)
        return pd.DataFrame(
            {
                "start_s": self.intervals[:, 0],
                "end_s": self.intervals[:, 1],
                "state": st,
                "state_name": [STATE_NAMES[int(s)] for s in st],
            }
        )

    # -- queries --------------------------------------------------------------------------
    @property
    def duration(self) -> float:
        """Length of :attr:`states` in seconds."""
        return self.states.shape[0] / self.sr

    def sounds(self, state: int | str = S1) -> np.ndarray:
        """``(k, 2)`` ``[start_s, end_s]`` of every interval of ``state`` (code or name).

        Examples
        --------
        >>> from physiofeat.pcg import Segmentation, S2
        >>> seg = Segmentation.from_intervals([[0, 1, 1], [1, 2, 2], [2, 3, 3]], sr=10)
        >>> seg.sounds(S2).tolist()
        [[2.0, 3.0]]
        """
        code = _check_state(state)
        return self.intervals[self.intervals[:, 2] == code, :2].copy()

    def centres(self, state: int | str = S1) -> np.ndarray:
        """``(k,)`` midpoint in seconds of every interval of ``state``."""
        return self.sounds(state).mean(axis=1)

    def cycles(self) -> np.ndarray:
        """``(k, 2)`` ``[start_s, end_s]`` of every complete cardiac cycle: an S1 start to the
        next S1 start with exactly S1, systole, S2, diastole between them (no unannotated
        stretch). An S1 that starts at the recording's start (0 s) may have been cut by it, so
        the cycle it begins is not complete.

        Examples
        --------
        >>> from physiofeat.pcg import Segmentation
        >>> iv = [[0, 1, 4], [1, 2, 1], [2, 3, 2], [3, 4, 3], [4, 5, 4], [5, 6, 1], [6, 7, 2]]
        >>> Segmentation.from_intervals(iv, sr=10).cycles().tolist()
        [[1.0, 5.0]]
        """
        i = complete_cycle_rows(self.intervals)
        if i.size == 0:
            return np.zeros((0, 2))
        return np.column_stack([self.intervals[i, 0], self.intervals[i + 4, 0]])

    def __repr__(self) -> str:
        counts = {STATE_NAMES[c]: int((self.intervals[:, 2] == c).sum()) for c in (1, 3)}
        return (
            f"Segmentation({self.intervals.shape[0]} intervals, {counts['S1']} S1, "
            f"{counts['S2']} S2, {self.duration:.3g} s at {self.sr:g} Hz, "
            f"heart_rate={self.heart_rate:.4g} bpm)"
        )


def _fmt(v: float) -> str:
    s = f"{v:.6f}".rstrip("0").rstrip(".")
    return s if s not in ("", "-0") else "0"


def write_tsv(path: str | os.PathLike, intervals: np.ndarray) -> None:
    """:meth:`Segmentation.to_tsv` of ``(n, 3)`` interval rows as they are (what
    ``physiofeat segment`` writes from a worker's rows without rebuilding the states)."""
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.writelines(f"{_fmt(a)}\t{_fmt(b)}\t{int(s)}\n" for a, b, s in intervals)
