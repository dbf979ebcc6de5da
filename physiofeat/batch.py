"""Feature extraction over many recordings: :func:`extract_many` and :func:`iter_extract`.

Each source (a file path, an array, or an ``(array, sr)`` pair) is one independent task: it is
loaded, optionally split into channels and fixed-length segments, passed through
:func:`physiofeat.extract` with the same parameters, and summarised with
:meth:`Features.vector`. Tasks run in a process pool (default: all cores), a bounded number in
flight so memory stays flat however many files there are, and results stream back as they finish.
With ``client=`` (a :class:`dask.distributed.Client`) the very same task function runs on a Dask
cluster instead. A failing source never stops the run: its :class:`Result` carries the error
type and message instead of a vector.

A request of *record features* (``ecg_multilead``, ``ecg_pcg_timing``: registered with
``roles``) reads each file with :func:`physiofeat.load_record` (WFDB, EDF, text records and
audio files alike) and gives one row per record: its channels are chosen by role
(``roles=``, else the names' rule of :func:`physiofeat.records.channel_role`), and
``Result.channel_name`` says which channels played which role (``"ecg: ii, v5; pcg: PCG"``).
A record without a channel of a role its features need is an error record
(:class:`~physiofeat.records.MissingRoleError`), as any bad source.

Results do not depend on the number of jobs: each source is computed on its own, with Numba
limited to one thread per task (no thread-count-dependent reductions), and seeded features
(EEMD, CEEMDAN) take their ``seed`` from the parameters, never from the worker.
"""

from __future__ import annotations

import importlib
import json
import multiprocessing
import os
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Sized
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from ._errors import InvalidSignalError, ParameterError
from ._features import DEFAULT_STATS

__all__ = [
    "Result",
    "extract_many",
    "iter_extract",
    "results_to_frame",
    "default_jobs",
    "shutdown_workers",
]


@dataclass
class Result:
    """The outcome of one source in :func:`extract_many`.

    Attributes
    ----------
    index : int
        Position of the source in the input sequence.
    id : str
        The source's identifier (the path for files, ``"<index>"`` for arrays, or the id given).
    path : str or None
        The file path, or None for arrays.
    names : list of str or None
        Column names of ``vector`` (``Features.vector_names()``); None on error.
    vector : np.ndarray or None
        ``(n_columns,)`` for one row per source, ``(n_rows, n_columns)`` when split into
        channels or segments; None on error.
    channel, segment, start : np.ndarray or None
        Per-row channel index, segment index and segment start (seconds) when ``per_channel``
        / ``segment`` split the source (else None). For a record (WFDB, EDF, or a file read
        with ``channels``) ``channel`` is the channel's position in the file.
    sr : float or np.ndarray or None
        The sampling rate features were computed at; per row when the channels of a record
        have different rates.
    duration : float or np.ndarray or None
        Length of the (possibly resampled) recording in seconds (per row, as ``sr``).
    arrays : dict or None
        Full feature arrays (``Features.to_dict()`` plus coordinates) when ``return_arrays``.
    error_type, error : str or None
        The exception's type name and message when the source failed.
    cpu_time : float or None
        CPU seconds the worker process spent on this source (loading included).
    channel_name : list of str or None
        Per-row channel names of a record (``"ii"``, ``"PCG"``...), else None.
    """

    index: int
    id: str
    path: str | None = None
    names: list[str] | None = None
    vector: np.ndarray | None = None
    channel: np.ndarray | None = None
    segment: np.ndarray | None = None
    start: np.ndarray | None = None
    sr: float | None = None
    duration: float | None = None
    arrays: dict[str, np.ndarray] | None = field(default=None, repr=False)
    error_type: str | None = None
    error: str | None = None
    cpu_time: float | None = None
    channel_name: list[str] | None = None

    @property
    def ok(self) -> bool:
        """True when the source produced features."""
        return self.error_type is None

    @property
    def n_rows(self) -> int:
        """Rows this source contributes to a table (0 on error)."""
        if self.vector is None:
            return 0
        return 1 if self.vector.ndim == 1 else self.vector.shape[0]


def default_jobs() -> int:
    """All usable cores (the CPU affinity mask where the OS exposes it)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS / Windows
        return max(1, os.cpu_count() or 1)


# --------------------------------------------------------------------------------------------
# The task: everything a worker needs travels in one picklable tuple.


@dataclass(frozen=True)
class _Job:
    features: Any
    params: Mapping[str, Any]
    sr: float | None
    stats: tuple[str, ...]
    per_channel: bool
    segment: float | None
    return_arrays: bool
    arrays_dir: str | None
    #: modules that register the requested features outside physiofeat, each with the
    #: caller's ``sys.path`` and the (mtime, size) of its file: a worker process imports them
    #: before extracting (see :func:`_feature_modules`), even one forked from a fork server
    #: started with another path, and re-imports one whose file changed since it did
    modules: tuple[tuple[str, tuple[str, ...], tuple[int, int] | None], ...] = ()
    #: channels to read (names or indices, as :func:`physiofeat.load_record` takes them)
    channels: tuple[str | int, ...] | None = None
    #: a request of record features: each source is one record, one row
    record: bool = False
    #: channel-role overrides ``((role, (channel, ...)), ...)`` for record features
    roles: tuple[tuple[str, tuple[str | int, ...]], ...] | None = None
    #: for a Dask cluster: ``(name, spec)`` of the requested features no worker can import
    #: (registered in the caller's ``__main__`` or inside a function) and ``(name, func)`` of
    #: the intermediates registered in ``__main__``, sent by value (Dask pickles what refers
    #: to ``__main__`` with cloudpickle, code included): see :func:`_shipped`
    shipped: tuple[tuple[str, Any], ...] = ()
    shipped_intermediates: tuple[tuple[str, Any], ...] = ()
    #: the process that made the job: any other is a worker (:func:`_task_specs`)
    origin: int = field(default_factory=os.getpid)


def check_record_request(
    plan: Mapping[str, Any], *, roles: Any = None, per_channel: bool = False, segment: Any = None
) -> tuple[bool, tuple[tuple[str, tuple[str | int, ...]], ...] | None]:
    """Whether a resolved request is of record features, and its ``roles`` overrides as a
    tuple; a :class:`ParameterError` for a request mixing record and single-signal features,
    ``roles`` without record features, or ``per_channel`` / ``segment`` with them (a record
    feature gives one row per record)."""
    from ._registry import record_feature_names, split_request
    from .records import check_roles

    rec, _ = split_request(plan)
    checked = check_roles(roles)
    if roles is not None and not rec:
        raise ParameterError(
            f"roles (--role) choose the channels of record features, and the request "
            f"{list(plan)} has none; drop them (record features: "
            f"{', '.join(record_feature_names())})"
        )
    if rec and (per_channel or segment is not None):
        what = "per_channel (--per-channel)" if per_channel else "segment (--segment)"
        raise ParameterError(
            f"{rec} are record features (one row per record, drawn on its channels by role); "
            f"{what} does not apply to them: drop it"
        )
    return bool(rec), (tuple(checked.items()) if roles is not None else None)


def _shipped(features: Any) -> tuple[tuple[tuple[str, Any], ...], tuple[tuple[str, Any], ...]]:
    """The requested features a worker of a Dask cluster cannot import, to send by value:
    those registered in ``__main__`` (the caller's script, a notebook, a REPL: a worker's own
    ``__main__`` is another program) or inside a function; and the intermediates registered in
    ``__main__``, which such features may use."""
    from ._registry import _INTERMEDIATES, _normalise_request, get_spec

    specs = []
    for name in _normalise_request(features):
        spec = get_spec(name)
        if not _is_own(spec) and _by_value(spec.compute):
            specs.append((name, spec))
    inter = tuple(
        (n, f) for n, f in _INTERMEDIATES.items() if getattr(f, "__module__", None) == "__main__"
    )
    return tuple(specs), inter if specs else ()


def _by_value(func: Any) -> bool:
    """``func`` cannot be imported by name in another process: defined in ``__main__`` or
    inside a function."""
    return (getattr(func, "__module__", None) or "__main__") == "__main__" or "<locals>" in (
        getattr(func, "__qualname__", "") or ""
    )


def _feature_modules(
    features: Any, remote: bool, *, by_value: bool = False
) -> tuple[tuple[str, tuple[str, ...], tuple[int, int] | None], ...]:
    """The modules defining the requested features that are not physiofeat's own.

    A worker process imports them, so features registered in a user's module work in parallel
    runs too. A feature registered interactively (in a ``__main__`` that is not a file: a REPL,
    a notebook, ``python -c`` or ``python - < script``) or inside a function (a compute function
    whose ``__qualname__`` has ``<locals>``: the worker never runs that function) cannot be
    imported by another process; with ``remote`` (worker processes) that is a
    :class:`ParameterError` saying what to do instead. ``by_value`` (a Dask cluster): such
    features are sent by value (:func:`_shipped`), so they are neither refused nor a module
    to import."""
    import sys

    from ._registry import _normalise_request, get_spec

    fix = (
        "use n_jobs=1, or define the feature at the top level of a module and import that "
        "module before calling"
    )
    mods: list[str] = []
    for name in _normalise_request(features):
        spec = get_spec(name)
        if _is_own(spec) or (by_value and _by_value(spec.compute)):
            continue
        compute, mod = spec.compute, _module_of(spec)
        main_file = getattr(sys.modules.get("__main__"), "__file__", None)
        if remote and mod == "__main__" and not (main_file and os.path.isfile(main_file)):
            raise ParameterError(
                f"feature {name!r} was registered interactively (in __main__, which is not a "
                f"file: {main_file or 'no file'}), so worker processes cannot import it; {fix}"
            )
        if remote and "<locals>" in (getattr(compute, "__qualname__", "") or ""):
            raise ParameterError(
                f"feature {name!r} was registered inside a function "
                f"({compute.__qualname__}), so worker processes cannot import it; {fix}"
            )
        if mod not in mods:
            mods.append(mod)
    where = tuple(p for p in sys.path if isinstance(p, str))
    return tuple((mod, where, _file_stamp(sys.modules.get(mod))) for mod in mods)


def _file_stamp(module: Any) -> tuple[int, int] | None:
    """``(mtime_ns, size)`` of a module's source file (None: no file, e.g. a REPL)."""
    try:
        st = os.stat(module.__file__)
    except (AttributeError, TypeError, OSError):
        return None
    return (st.st_mtime_ns, st.st_size)


#: in a worker process: physiofeat's own feature specs, taken before any user module is used
_BUILTIN_SPECS: dict[str, Any] | None = None
#: in a worker process: the file stamp each user module was (re-)imported at
_IMPORTED_AT: dict[str, tuple[int, int] | None] = {}
_IMPORT_LOCK = threading.Lock()


def _task_specs(job: _Job) -> dict[str, Any]:
    """In a worker process, the feature specs a task of ``job`` uses.

    The job's user modules are imported, and one whose file changed since this process imported
    it (a long-lived Dask worker, the kept local pool, an edited module) is re-imported, its
    own registrations first dropped. The task then sees physiofeat's own features with those of
    the job's modules over them: a feature another caller's module registered in this process
    (one overriding a built-in name, say) is not used for a request that did not import it.
    """
    global _BUILTIN_SPECS
    from . import _registry as R

    R._load_builtins()
    with _IMPORT_LOCK:
        if _BUILTIN_SPECS is None:
            _BUILTIN_SPECS = {n: s for n, s in R._FEATURES.items() if _is_own(s)}
        for mod, where, stamp in job.modules:
            sys.path.extend(p for p in where if p not in sys.path)
            module = sys.modules.get(mod)
            if module is None:
                importlib.import_module(mod)
                _IMPORTED_AT[mod] = stamp
            elif _IMPORTED_AT.setdefault(mod, stamp) != stamp and mod != "__main__":
                for name in [n for n, sp in R._FEATURES.items() if _module_of(sp) == mod]:
                    if name in _BUILTIN_SPECS:  # it had overridden a built-in
                        R._FEATURES[name] = _BUILTIN_SPECS[name]
                    else:
                        del R._FEATURES[name]
                importlib.reload(module)
                _IMPORTED_AT[mod] = stamp
        mods = {m for m, _, _ in job.modules}
        if "__main__" in mods:  # a worker runs the caller's main script as __mp_main__
            mods.add("__mp_main__")
        specs = dict(_BUILTIN_SPECS)
        specs.update({n: sp for n, sp in R._FEATURES.items() if _module_of(sp) in mods})
        specs.update(dict(job.shipped))  # the caller's own, sent by value (a Dask cluster)
        R._INTERMEDIATES.update(dict(job.shipped_intermediates))
    return specs


def _module_of(spec: Any) -> str:
    return getattr(spec.compute, "__module__", None) or "__main__"


def _is_own(spec: Any) -> bool:
    from ._registry import _is_physiofeat

    return _is_physiofeat(_module_of(spec))


#: a cached threadpoolctl controller, once the families are loaded, and len(sys.modules) then
_THREADPOOLS: list[Any] = []


@contextmanager
def _single_threaded():
    """Compute with one Numba thread and one BLAS/OpenMP thread.

    Results then cannot depend on thread counts (reduction order), and a worker never runs idle
    or spinning helper threads on the cores the other workers need: on a busy 2-core machine,
    two BLAS threads per process made the mel filterbank product several times slower.
    BLAS/OpenMP pools are limited through threadpoolctl when it is installed (it comes with
    scikit-learn); worker processes also start with ``OMP_NUM_THREADS=1`` and friends.
    """
    import numba

    from ._registry import _load_builtins

    _load_builtins()  # so the controller sees every BLAS/OpenMP library the families load
    if not _THREADPOOLS or _THREADPOOLS[1] != len(sys.modules):
        # (again when modules were imported since: one may have loaded another BLAS, such as
        # scipy.linalg's own OpenBLAS beside NumPy's; a controller costs milliseconds)
        try:
            from threadpoolctl import ThreadpoolController

            _THREADPOOLS[:] = [ThreadpoolController(), len(sys.modules)]
        except ImportError:  # pragma: no cover - optional
            _THREADPOOLS[:] = [None, len(sys.modules)]
    ctl = _THREADPOOLS[0]
    old = numba.get_num_threads()  # Numba's count is the calling thread's own
    numba.set_num_threads(1)
    try:
        if ctl is None:  # pragma: no cover
            yield
        else:
            _hold_blas(ctl)
            try:  # OpenMP's count is per thread: each thread sets and restores its own
                with ctl.select(user_api="openmp").limit(limits=1):
                    yield
            finally:
                _release_blas()
    finally:
        numba.set_num_threads(old)


#: BLAS thread limits are process-wide (OpenBLAS's pthreads pool): the tasks running at once
#: on a Dask worker's threads share one limit, set by the first to start and restored by the
#: last to finish; a limit per task would interleave, and the last restore would leave 1
_BLAS_LOCK = threading.Lock()
_BLAS_HOLD: list[Any] = [0, None]  # tasks holding the limit, and the limiter to restore


def _hold_blas(ctl: Any) -> None:
    with _BLAS_LOCK:
        if _BLAS_HOLD[0] == 0:
            _BLAS_HOLD[1] = ctl.select(user_api="blas").limit(limits=1)
        _BLAS_HOLD[0] += 1


def _release_blas() -> None:
    with _BLAS_LOCK:
        _BLAS_HOLD[0] -= 1
        if _BLAS_HOLD[0] == 0:
            _BLAS_HOLD[1].restore_original_limits()
            _BLAS_HOLD[1] = None


#: Packages whose warnings are about this machine, not about a source (pydub's "Couldn't find
#: ffmpeg or avconv", raised for every file it is asked to decode): said once per process.
_MACHINE_WARNINGS_FROM = ("pydub",)
_SAID_ONCE: set[tuple[type, str]] = set()


def _about_machine(w: warnings.WarningMessage) -> bool:
    parts = os.path.normpath(w.filename or "").split(os.sep)
    return any(pkg in parts for pkg in _MACHINE_WARNINGS_FROM)


@contextmanager
def _naming_warnings(rid: str):
    """Warnings raised inside name their source (``"<id>: ..."``): a run may be over thousands
    of files, in worker processes. They go through the caller's filters again on the way out
    (an ``"error"`` filter still makes the source an error record). A warning about the machine
    rather than the source (a missing ffmpeg, from pydub) is said once per process."""
    caught: list[warnings.WarningMessage] = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield
    finally:
        for w in caught:
            if _about_machine(w):
                key = (w.category, str(w.message))
                if key in _SAID_ONCE:
                    continue
                _SAID_ONCE.add(key)
                msg = f"{w.message} (first met on {rid}; said once per process, not per file)"
                warnings.warn_explicit(msg, w.category, w.filename, w.lineno)
                continue
            warnings.warn_explicit(f"{rid}: {w.message}", w.category, w.filename, w.lineno)


def _split(x: np.ndarray, sr: float, job: _Job):
    """Rows to compute: ``(batch (n_rows, n) or (n,), channel idx, segment idx)``."""
    from ._errors import InvalidSignalError

    x2 = x if x.ndim == 2 else x[None, :]
    n_ch, n = x2.shape
    if job.segment is not None:
        seg = int(round(job.segment * sr))
        if seg < 1:
            raise InvalidSignalError(
                f"a segment of {job.segment:g} s is less than one sample at {sr:g} Hz; give "
                f"segments of at least {1 / sr:.3g} s (or resample with sr=)"
            )
        n_seg = n // seg
        if n_seg == 0:
            raise InvalidSignalError(
                f"recording has {n} samples ({n / sr:.3f} s) at {sr:g} Hz, shorter than one "
                f"segment of {job.segment:g} s ({seg} samples)"
            )
        rows = x2[:, : n_seg * seg].reshape(n_ch * n_seg, seg)
        channel = np.repeat(np.arange(n_ch), n_seg) if job.per_channel else None
        segment = np.tile(np.arange(n_seg), n_ch)
        return rows, channel, segment
    if job.per_channel:
        return x2, np.arange(n_ch), None
    return x, None, None


def _arrays_of(feats) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for name, f in feats.items():
        out[name] = np.asarray(f.values)
        out[f"{name}__dims"] = np.array(f.dims)
        for dim, c in f.coords.items():
            out[f"{name}__{dim}"] = np.asarray(c)
    return out


def _kept_arrays(feats, job: _Job, rid: str) -> dict[str, np.ndarray] | None:
    """A source's full arrays: saved under ``arrays_dir``, returned with ``return_arrays``
    (None otherwise)."""
    if not (job.return_arrays or job.arrays_dir):
        return None
    arrays = _arrays_of(feats)
    if job.arrays_dir:
        _atomic_savez(arrays_path(job.arrays_dir, rid), arrays)
    return arrays if job.return_arrays else None


def _atomic_savez(path: Path, arrays: Mapping[str, np.ndarray]) -> None:
    from ._files import atomic_write

    def savez(tmp: Path) -> None:
        with open(tmp, "wb") as fh:  # a file object: np.savez would add .npz to a name
            np.savez(fh, **arrays)

    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, savez, fsync=False)


def inside(folder: str | os.PathLike, rid: str) -> Path:
    """The path of the source with id ``rid`` inside ``folder`` whatever the id (a ``..`` part
    becomes ``_up_``, so ``../a.wav`` and ``a.wav`` stay apart; an absolute id loses its
    root): where outputs named after their source go."""
    parts = ["_up_" if p == ".." else p for p in Path(rid).parts if p not in ("/", "\\")]
    rel = Path(*parts) if parts else Path("x")
    if rel.is_absolute():
        rel = rel.relative_to(rel.anchor)
    return Path(folder) / rel


def arrays_path(arrays_dir: str | os.PathLike, rid: str) -> Path:
    """Where ``--arrays`` / ``arrays_dir`` stores the full arrays of the source with id ``rid``:
    :func:`inside` ``arrays_dir``, with ``.npz`` added."""
    p = inside(arrays_dir, rid)
    return p.with_name(p.name + ".npz")


def _reads_as_record(source: Any, job: _Job) -> bool:
    """A WFDB header or EDF file, or any file when channels are chosen: read by
    :func:`physiofeat.load_record`, one row per channel."""
    from .records import is_record_path

    return job.channels is not None or is_record_path(source)


def _run_record_features(index: int, rid: str, source: Any, job: _Job, cpu0: float) -> Result:
    """Record features of one record (a path read by :func:`load_record`, or a Record): one
    row; ``channel_name`` holds the channels by role."""
    from ._registry import extract
    from .records import Record, load_record

    path = _source_path(source)
    if isinstance(source, Record):
        rec = source
        if job.channels is not None:
            rec = rec.select(list(job.channels))
        if job.sr is not None:
            raise ParameterError(
                f"source {rid!r} is a Record: its channels carry their own rates; sr= resamples "
                "files as they are read (load_record(path, sr=...) for a Record)"
            )
    elif isinstance(source, (str, os.PathLike)):
        rec = load_record(
            path, channels=None if job.channels is None else list(job.channels), sr=job.sr
        )
    else:
        raise ParameterError(
            f"source {rid!r} is a {type(source).__name__}; record features take file paths or "
            "physiofeat.Record objects (Record.from_arrays({'ECG': (ecg, sr), ...}))"
        )
    roles = None if job.roles is None else dict(job.roles)
    with _single_threaded():
        feats = extract(rec, job.features, stats=job.stats, roles=roles, **job.params)
        vec = feats.vector()
        names = feats.vector_names()
    used = {}
    for f in feats.values():
        used.update(f.attrs.get("channels", {}))
    return Result(
        index,
        rid,
        path,
        names,
        vec,
        sr=feats.sr,
        duration=max(c.duration for c in rec),
        arrays=_kept_arrays(feats, job, rid),
        cpu_time=time.process_time() - cpu0,
        channel_name=["; ".join(f"{r}: {', '.join(v)}" for r, v in sorted(used.items()))],
    )


def _run_record(index: int, rid: str, path: str, job: _Job, cpu0: float) -> Result:
    """One row per channel of a record (per channel and segment with ``segment``). Channels of
    one rate are computed in one batch, each group at its own rate; rows in channel order."""
    from ._registry import extract
    from .records import is_record_path, load_record

    # an audio file keeps load()'s float32, so its channel chosen here (--channel N) gives the
    # values of the same channel split from the whole file (--per-channel); records are in
    # physical units, float64
    dtype = np.float64 if is_record_path(path) else np.float32
    rec = load_record(
        path,
        channels=None if job.channels is None else list(job.channels),
        sr=job.sr,
        dtype=dtype,
    )
    chans = list(rec)
    for c in chans:  # named here: the features' own check counts over the stacked channels
        bad = ~np.isfinite(c.data)
        if bad.any():
            first = int(np.argmax(bad))
            raise InvalidSignalError(
                f"channel {c.index} {c.name!r} contains {int(bad.sum())} non-finite value(s) "
                f"(NaN or inf), first at sample {first} ({first / c.sr:.3f} s); clean or "
                "interpolate it, or choose other channels (channels=, --channel)"
            )
    groups = rec.groups()
    one = replace(job, per_channel=True)
    pos, seg_idx, starts, vecs, srs, durs = [], [], [], [], [], []
    names: list[str] | None = None
    arrays: dict[str, np.ndarray] = {}
    for idx, sr, x in groups:
        rows, ch, seg = _split(x, sr, one)
        with _single_threaded():
            feats = extract(rows, job.features, sr=sr, stats=job.stats, **job.params)
            vec = np.atleast_2d(feats.vector())
            cols = feats.vector_names()
        if names is not None and cols != names:
            raise ParameterError(
                f"the record's channels at {srs[0]:g} Hz and {sr:g} Hz give different feature "
                f"columns ({len(names)} vs {len(cols)}); pass sr= (--sr) to resample every "
                "channel to one rate"
            )
        names = cols
        pos.append(idx[ch])
        if seg is not None:
            seg_idx.append(seg)
            starts.append(seg * (int(round(job.segment * sr)) / float(sr)))
        vecs.append(vec)
        srs.extend([float(sr)] * len(vec))
        durs.extend([x.shape[-1] / float(sr)] * len(vec))
        if job.return_arrays or job.arrays_dir:
            tag = "" if len(groups) == 1 else f"__{sr:g}Hz"
            arrays.update({k + tag: v for k, v in _arrays_of(feats).items()})
    p = np.concatenate(pos)
    segment = np.concatenate(seg_idx) if seg_idx else None
    order = np.lexsort((segment if segment is not None else np.zeros_like(p), p))
    segment = None if segment is None else segment[order]
    start = np.concatenate(starts)[order] if starts else None
    sr_rows, dur_rows = np.asarray(srs)[order], np.asarray(durs)[order]
    if job.arrays_dir:
        _atomic_savez(arrays_path(job.arrays_dir, rid), arrays)
    return Result(
        index,
        rid,
        path,
        names,
        np.concatenate(vecs)[order],
        np.array([chans[i].index for i in p[order]]),
        segment,
        start,
        float(sr_rows[0]) if len(set(srs)) == 1 else sr_rows,
        float(dur_rows[0]) if len(set(durs)) == 1 else dur_rows,
        arrays if job.return_arrays else None,
        cpu_time=time.process_time() - cpu0,
        channel_name=[chans[i].name for i in p[order]],
    )


#: Segments or channels of one recording go through extract() at most this many samples at a
#: time (unless their full arrays are kept): an hour at 2 kHz cut into 60 s segments is
#: computed 2 segments per call, in the memory of 2 minutes (the hht family on 8 segments at
#: once had peaked at 3.7 GB).
ROWS_PER_CALL_SAMPLES = 2**18


def _run_one(task: tuple[int, str, Any, _Job]) -> Result:
    """Load and extract one source; every exception becomes an error record."""
    index, rid, source, job = task
    path = _source_path(source)
    cpu0 = time.process_time()
    token = None
    try:
        with _naming_warnings(rid):
            from ._registry import _TASK_SPECS, _normalise_request, extract, record_feature_names

            if os.getpid() != job.origin:  # a worker: the job's own features, fresh
                token = _TASK_SPECS.set(_task_specs(job))
            else:  # the caller's process: its registry is the job's
                for mod, where, _ in job.modules:
                    sys.path.extend(p for p in where if p not in sys.path)
                    importlib.import_module(mod)
            if isinstance(source, _NoId):
                raise ParameterError(
                    f"source #{index} has no id: ids gave {source.n_ids} ids, and ids must "
                    "give one id per source"
                )
            if job.record:
                return _run_record_features(index, rid, source, job, cpu0)
            if isinstance(source, (str, os.PathLike)) and _reads_as_record(source, job):
                return _run_record(index, rid, path, job, cpu0)
            if isinstance(source, (str, os.PathLike)):
                from .io import load

                x, sr = load(path, sr=job.sr, mono=not (job.per_channel or job.segment is not None))
                if job.segment is not None and not job.per_channel and x.ndim == 2:
                    x = x.mean(axis=0, dtype=x.dtype)
            else:
                from .records import Record

                if isinstance(source, Record):
                    names = list(_normalise_request(job.features))
                    raise ParameterError(
                        f"source {rid!r} is a Record: it is a source of record features "
                        f"({', '.join(record_feature_names())}), and {names} are features of "
                        "one signal: pass the record's file (one row per channel) or its "
                        "channels as (rec[name], rec.channel(name).sr) pairs"
                    )
                if isinstance(source, tuple) and len(source) == 2:
                    x, sr = source
                    sr = sr if sr is not None else job.sr
                else:
                    x, sr = source, job.sr
                if sr is None:
                    raise ParameterError(
                        f"source {rid!r} is an array without a sampling rate; pass sr= or "
                        "(array, sr) pairs"
                    )
                from ._validation import check_sr

                sr = check_sr(sr, name=f"the sampling rate of source {rid!r}")
                from ._registry import refuse_channels_last

                x = np.asarray(x)
                if x.ndim not in (1, 2):
                    raise InvalidSignalError(
                        f"source {rid!r} is an array of shape {x.shape}; a source is a 1-D "
                        "signal or a 2-D (n_channels, n_samples) recording"
                    )
                refuse_channels_last(x, f"source {rid!r}", "pass x.T (one signal per channel)")
                if x.ndim == 2 and not job.per_channel:  # channels of one recording, as for files
                    x = x.mean(axis=0, dtype=x.dtype if x.dtype.kind == "f" else np.float64)
                if job.sr is not None and sr != job.sr:
                    from .io import resample

                    x, sr = resample(x, sr, job.sr), job.sr
            rows, channel, segment = _split(x, sr, job)
            start = (
                None if segment is None else segment * (int(round(job.segment * sr)) / float(sr))
            )
            keep = job.return_arrays or job.arrays_dir
            if not keep and rows.ndim == 2 and rows.size > ROWS_PER_CALL_SAMPLES:
                # segments (channels) of a long recording: a few rows per extract() call, so
                # that memory follows one call's rows, not the recording's length
                step = max(1, ROWS_PER_CALL_SAMPLES // rows.shape[1])
                parts = []
                with _single_threaded():
                    for i in range(0, rows.shape[0], step):
                        part = extract(
                            rows[i : i + step], job.features, sr=sr, stats=job.stats, **job.params
                        )
                        parts.append(np.atleast_2d(part.vector()))
                    names = part.vector_names()
                vec = np.concatenate(parts)
                feats = None
            else:
                with _single_threaded():
                    feats = extract(rows, job.features, sr=sr, stats=job.stats, **job.params)
                    vec = feats.vector()
                    names = feats.vector_names()
            arrays = _kept_arrays(feats, job, rid)
        return Result(
            index,
            rid,
            path,
            names,
            vec,
            channel,
            segment,
            start,
            float(sr),
            x.shape[-1] / float(sr),
            arrays,
            cpu_time=time.process_time() - cpu0,
        )
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - a bad source never stops the run
        # (SystemExit too: a user feature calling sys.exit() fails its source, not the run;
        # KeyboardInterrupt still stops it)
        notes = "".join(f" ({n})" for n in getattr(exc, "__notes__", ()))  # 'in feature ...'
        return Result(
            index,
            rid,
            path,
            error_type=type(exc).__name__,
            error=(str(exc) or repr(exc)) + notes,
            cpu_time=time.process_time() - cpu0,
        )
    finally:
        if token is not None:
            _TASK_SPECS.reset(token)


def _source_path(source: Any) -> str | None:
    """The path a source's results report: a file path as given, a Record's ``path``."""
    from .records import Record

    if isinstance(source, Record):
        return source.path
    return os.fspath(source) if isinstance(source, (str, os.PathLike)) else None


def _failed_chunk(chunk: list[tuple[int, str, Any, _Job]], exc: BaseException) -> list[Result]:
    """Error records for every source of a chunk whose task failed outside :func:`_run_one`
    (its arguments or its results could not travel between processes, a Dask worker was
    lost...): the run goes on without them."""
    msg = str(exc) or repr(exc)
    return [
        Result(
            index,
            rid,
            _source_path(src),
            error_type=type(exc).__name__,
            error=f"the task of this source failed outside its extraction (sending it to "
            f"or from the worker, or the worker was lost): {msg}",
        )
        for index, rid, src, _ in chunk
    ]


def _run_chunk(tasks: list[tuple[int, str, Any, _Job]]) -> list[Result]:
    return [_run_one(t) for t in tasks]


_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")


def _watch_parent() -> None:
    """End this worker process as soon as the process that started it dies, however it died
    (``kill -9`` included), instead of living on for minutes holding its memory: a daemon
    thread waits on multiprocessing's parent sentinel (a pipe whose other end only the parent
    holds: it reads EOF when the parent is gone) and then calls ``os._exit``, which ends the
    process even in the middle of a long Numba kernel (they release the GIL). On Linux the
    worker also asks for SIGKILL when its own parent (the fork server) dies
    (``PR_SET_PDEATHSIG``). The fork server ends by itself when the parent dies."""
    import multiprocessing
    import threading

    if sys.platform.startswith("linux"):
        try:
            import ctypes
            import signal

            ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):  # pragma: no cover - no libc prctl
            pass
    parent = multiprocessing.parent_process()
    if parent is None or getattr(parent, "sentinel", None) is None:  # pragma: no cover
        return

    def watch(sentinel=parent.sentinel):
        from multiprocessing.connection import wait

        try:
            wait([sentinel])
        except OSError:  # pragma: no cover - the sentinel is gone: so is the parent
            pass
        os._exit(_ORPHAN_EXIT)

    threading.Thread(target=watch, name="physiofeat-parent-watch", daemon=True).start()


#: Exit status of a worker that ended because its parent died.
_ORPHAN_EXIT = 70


def _worker_init() -> None:
    """One thread per worker process: the pool is the parallelism. Numba's thread pool (and
    the OpenMP runtime behind it) is sized to one thread before it starts, so no idle threads
    spin on the cores the other workers need. The worker ends when its parent dies
    (:func:`_watch_parent`)."""
    _watch_parent()
    for var in _THREAD_VARS:
        os.environ[var] = "1"
    try:
        import numba
        from numba.np.ufunc import parallel
    except ImportError:  # pragma: no cover - numba is a dependency
        return
    if not parallel._is_initialized:
        numba.config.NUMBA_NUM_THREADS = 1


# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _NoId:
    """A source past the last of ``n_ids`` ids (``_as_tasks``): its record is an error."""

    n_ids: int


def _as_tasks(sources: Iterable[Any], ids: Sequence[str] | None, job: _Job):
    """``(index, id, source, job)`` of each source.

    ``ids`` and a sized ``sources`` are checked against each other before the run; an iterator of
    sources is not, so a source past the last id becomes a ParameterError record (the run goes
    on, and no finished result is lost), and ids left over when the iterator ends are warned of.
    """
    n = -1
    for n, src in enumerate(sources):
        if ids is not None:
            rid = str(ids[n]) if n < len(ids) else str(n)
            if n >= len(ids):
                src = _NoId(len(ids))
        elif isinstance(src, (str, os.PathLike)):
            rid = os.fspath(src)
        else:
            rid = str(n)
        yield (n, rid, src, job)
    if ids is not None and n + 1 < len(ids):
        warnings.warn(
            f"ids gave {len(ids)} ids for {n + 1} sources: the last {len(ids) - n - 1} ids "
            "were not used",
            UserWarning,
            stacklevel=2,
        )


def _chunks(tasks: Iterator[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for t in tasks:
        chunk.append(t)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _pool_context(mp_context: str | None, job: _Job | None = None):
    if mp_context is None:
        methods = multiprocessing.get_all_start_methods()
        mp_context = "forkserver" if "forkserver" in methods else "spawn"
    ctx = multiprocessing.get_context(mp_context)
    if mp_context == "forkserver":
        # The fork server imports the families once and runs the request once on a synthetic
        # signal (physiofeat._batch_warm); each worker then forks from it warm. This only
        # takes effect when this call starts the server (the first pool of the process).
        from ._registry import BUILTIN_MODULES

        if job is not None:
            try:
                os.environ["PHYSIOFEAT_WARM_REQUEST"] = json.dumps(
                    {
                        "features": job.features,
                        "params": dict(job.params),
                        "sr": job.sr,
                        "stats": list(job.stats),
                        "parent": os.getpid(),
                    }
                )
            except (TypeError, ValueError):  # parameters that are not JSON: no warm-up
                os.environ.pop("PHYSIOFEAT_WARM_REQUEST", None)
        ctx.set_forkserver_preload(
            ["physiofeat.io", "physiofeat._registry", *BUILTIN_MODULES, "physiofeat._batch_warm"]
        )
        # Start it now (if not yet running) with one-thread BLAS/OpenMP settings in its
        # environment, so the libraries it loads, and every worker forked from it, have no
        # helper threads. This process's own environment is restored at once.
        from multiprocessing import forkserver

        saved = {v: os.environ.get(v) for v in _THREAD_VARS}
        os.environ.update({v: "1" for v in _THREAD_VARS})
        try:
            forkserver.ensure_running()
        finally:
            for v, old in saved.items():
                if old is None:
                    os.environ.pop(v, None)
                else:
                    os.environ[v] = old
    return ctx


def prestart_workers(
    features: Any, *, sr: float | None = None, stats: Sequence[str] = DEFAULT_STATS, **params: Any
) -> None:
    """Start the process pool's fork server now, warming it with this request, so it boots
    while the caller does other work (the CLI calls this before validating its arguments).
    A no-op where the ``forkserver`` start method does not exist."""
    if "forkserver" not in multiprocessing.get_all_start_methods():  # pragma: no cover
        return
    from ._features import check_stats

    job = _Job(features, dict(params), sr, check_stats(stats), False, None, False, None)
    _pool_context("forkserver", job)


def _run_isolated(task: tuple[int, str, Any, _Job], ctx) -> Result:
    """Run one source alone in a fresh one-worker pool (after a worker died): a source that
    kills its worker again is reported as ``WorkerCrashed``; innocent bystanders succeed."""
    with ProcessPoolExecutor(1, mp_context=ctx, initializer=_worker_init) as solo:
        try:
            return solo.submit(_run_chunk, [task]).result()[0]
        except BrokenProcessPool:
            index, rid, src, _ = task
            return Result(
                index,
                rid,
                _source_path(src),
                error_type="WorkerCrashed",
                error="the worker process died while computing this source (again when retried "
                "alone). If every source fails this way the workers cannot start at all: run "
                "from a script guarded by `if __name__ == '__main__':`, or use n_jobs=1",
            )


#: The process pool kept between calls: ``(n_jobs, start method) -> executor``. Workers that
#: have imported the families and loaded the kernels serve the next call at once, as joblib's
#: reusable loky executor does: ``FeatureExtractor(n_jobs=2)`` in a 7-fold cross-validation
#: calls extract_many 14 times, and a pool started per call made it ~15x slower than n_jobs=1.
_POOLS: dict[tuple[int, str], ProcessPoolExecutor] = {}


def _shared_pool(n_jobs: int, ctx, *, renew: bool = False) -> ProcessPoolExecutor:
    """The reusable pool of ``n_jobs`` workers (a new one after a crash, with ``renew``, or for
    another ``n_jobs``: the previous pool is shut down, so at most one pool's workers live)."""
    key = (n_jobs, ctx.get_start_method())
    pool = _POOLS.get(key)
    if pool is not None and not renew and not getattr(pool, "_broken", False):
        return pool
    for old in list(_POOLS.values()):
        old.shutdown(wait=False, cancel_futures=True)
    _POOLS.clear()
    pool = ProcessPoolExecutor(n_jobs, mp_context=ctx, initializer=_worker_init)
    _POOLS[key] = pool
    return pool


def shutdown_workers() -> None:
    """End the worker processes :func:`extract_many` keeps for later calls (they also end
    with this process, and when it dies).

    Examples
    --------
    >>> from physiofeat.batch import shutdown_workers
    >>> shutdown_workers()
    """
    for pool in list(_POOLS.values()):
        pool.shutdown(wait=True, cancel_futures=True)
    _POOLS.clear()


#: Worker processes that already said their extract_many(n_jobs != 1) runs serially.
_NESTED_WARNED: set[str] = set()


def _pool_worker_name() -> str | None:
    """This process's name when it is a worker of some process pool (a joblib/loky worker of
    ``cross_val_score(n_jobs=...)``, a multiprocessing or concurrent.futures worker, a Dask
    worker process), else None. A pool started there would nest one pool per outer worker, and
    a loky worker cannot even start one: its start method ``'loky'`` travels to the children,
    which cannot find it ("cannot find context for 'loky'": every fold failed)."""
    proc = multiprocessing.current_process()
    if proc.name != "MainProcess" or multiprocessing.parent_process() is not None:
        return proc.name
    return None


def _iter_pool(
    chunks: Iterator[list[Any]],
    n_jobs: int,
    max_pending: int,
    mp_context: str | None,
    job: _Job | None = None,
) -> Iterator[Result]:
    ctx = _pool_context(mp_context, job)
    pool = _shared_pool(n_jobs, ctx)
    pending: dict[Any, list[Any]] = {}
    try:
        exhausted = False
        while True:
            while not exhausted and len(pending) < max_pending:
                try:
                    chunk = next(chunks)
                except StopIteration:
                    exhausted = True
                    break
                pending[pool.submit(_run_chunk, chunk)] = chunk
            if not pending:
                return
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            retry: list[Any] = []
            for fut in done:
                chunk = pending.pop(fut)
                try:
                    out = fut.result()
                except BrokenProcessPool:
                    retry.extend(chunk)
                except Exception as exc:  # noqa: BLE001 - e.g. a result that cannot be pickled
                    yield from _failed_chunk(chunk, exc)
                else:
                    yield from out
            if retry:
                # A worker died (a crash in native code, the OOM killer...) and took the pool
                # with it. Everything in flight is retried one source at a time, alone, so only
                # the source that kills its worker is reported; then a new pool carries on.
                for chunk in pending.values():
                    retry.extend(chunk)
                pending.clear()
                pool.shutdown(wait=False, cancel_futures=True)
                for task in sorted(retry, key=lambda t: t[0]):
                    yield _run_isolated(task, ctx)
                pool = _shared_pool(n_jobs, ctx, renew=True)
    finally:
        for fut in pending:  # the caller stopped early: what has not started never will
            fut.cancel()


def _check_channels(channels: Any) -> tuple[str | int, ...] | None:
    """``channels=`` as a tuple of names/indices (each matched per record when it is read)."""
    if channels is None:
        return None
    if isinstance(channels, (str, int, np.integer)) and not isinstance(channels, bool):
        channels = [channels]
    if (
        not isinstance(channels, Sequence)
        or not channels
        or not all(
            isinstance(c, (str, int, np.integer)) and not isinstance(c, bool) for c in channels
        )
    ):
        raise ParameterError(
            f"channels must be a name, an index, or a non-empty list of them; got {channels!r}"
        )
    return tuple(c if isinstance(c, str) else int(c) for c in channels)


def iter_extract(
    sources: Iterable[Any],
    features: Any,
    *,
    sr: float | None = None,
    n_jobs: int | None = None,
    client: Any = None,
    ids: Sequence[str] | None = None,
    stats: Sequence[str] = DEFAULT_STATS,
    per_channel: bool = False,
    segment: float | None = None,
    channels: Sequence[str | int] | None = None,
    roles: Mapping[str, Any] | None = None,
    return_arrays: bool = False,
    arrays_dir: str | os.PathLike | None = None,
    chunksize: int | None = None,
    max_pending: int | None = None,
    mp_context: str | None = None,
    **params: Any,
) -> Iterator[Result]:
    """Like :func:`extract_many`, but yield each :class:`Result` as soon as it is finished.

    Results arrive in completion order (``Result.index`` gives the input position). Sources are
    consumed lazily and at most ``max_pending`` chunks are in flight, so an iterator over a
    million paths runs in bounded memory.

    Examples
    --------
    >>> import numpy as np, physiofeat
    >>> x = np.sin(np.arange(4000) / 5.0)
    >>> out = physiofeat.batch.iter_extract([x, x[:2000]], ["rms"], sr=1000, n_jobs=1,
    ...                                     frame_length=256, hop_length=64)
    >>> [(r.index, r.vector.shape) for r in out]
    [(0, (4,)), (1, (4,))]
    """
    from ._registry import _normalise_request, resolve_params
    from .records import Record

    if isinstance(sources, (str, os.PathLike, np.ndarray, Record)):
        sources = [sources]
    if segment is not None:
        from ._validation import check_float

        segment = check_float(segment, "segment", minimum=0.0, strict_min=True)
    if sr is not None:
        from ._validation import check_sr

        sr = check_sr(sr)
    # Fail fast on unknown features / parameters, before any work is scheduled.
    plan = resolve_params(_normalise_request(features), params)
    record, roles_t = check_record_request(
        plan, roles=roles, per_channel=per_channel, segment=segment
    )
    from ._features import check_stats

    stats = check_stats(stats)
    from ._validation import check_bool, check_int

    # checked with a client too, where n_jobs is not used, and in a worker process, where it
    # is replaced by 1 below
    n_jobs = default_jobs() if n_jobs is None else check_int(n_jobs, "n_jobs", minimum=-1)
    if n_jobs == 0:
        raise ParameterError(
            "n_jobs must be a positive number of processes, or -1/None for all cores"
        )
    if client is None and n_jobs != 1:
        worker = _pool_worker_name()
        if worker is not None:  # nested parallelism: the outer pool already uses the cores
            if worker not in _NESTED_WARNED:
                _NESTED_WARNED.add(worker)
                warnings.warn(
                    f"extract_many(n_jobs={n_jobs}) is running inside a worker process "
                    f"({worker}: e.g. cross_val_score(..., n_jobs=k) or joblib.Parallel around "
                    "a FeatureExtractor with n_jobs != 1), which already shares the cores with "
                    "its siblings: its sources run serially in that worker instead of starting "
                    "a nested pool (pass n_jobs=1 inside to silence this)",
                    RuntimeWarning,
                    stacklevel=2,
                )
            n_jobs = 1
    if max_pending is not None:  # before the Dask branch too: 0 there had submitted nothing
        max_pending = check_int(max_pending, "max_pending", minimum=1)
    job = _Job(
        features,
        dict(params),
        sr,
        stats,
        check_bool(per_channel, "per_channel"),
        segment,
        check_bool(return_arrays, "return_arrays"),
        None if arrays_dir is None else os.fspath(arrays_dir),
        _feature_modules(
            features,
            remote=client is not None or (default_jobs() if n_jobs in (None, -1) else n_jobs) != 1,
            by_value=client is not None,
        ),
        _check_channels(channels),
        record,
        roles_t,
        *(_shipped(features) if client is not None else ((), ())),
    )
    if ids is not None and (isinstance(ids, str) or not isinstance(ids, Sequence)):
        raise ParameterError(f"ids must be a sequence of strings; got {type(ids).__name__}")
    if ids is not None and arrays_dir is not None:
        dup = sorted({str(i) for i in ids if list(ids).count(i) > 1})
        if dup:
            raise ParameterError(
                f"ids {dup} are given more than once, and arrays_dir stores each source's "
                "arrays under its id: give each source its own id"
            )
    if ids is not None and isinstance(sources, Sized) and len(ids) != len(sources):
        raise ParameterError(
            f"ids must give one id per source; got {len(ids)} ids for {len(sources)} sources"
        )
    if mp_context is not None and mp_context not in multiprocessing.get_all_start_methods():
        raise ParameterError(
            f"mp_context must be one of {multiprocessing.get_all_start_methods()} (or None: "
            f"forkserver where there is one); got {mp_context!r}"
        )
    if client is not None:
        from .distributed import check_client

        check_client(client)
        if job.arrays_dir is not None:  # the workers' own working folder is not the caller's
            job = replace(job, arrays_dir=os.path.abspath(job.arrays_dir))
    tasks = _as_tasks(sources, ids, job)
    if chunksize is None:  # a Dask task costs a scheduler round trip: send a few files each
        chunksize = 1 if client is None else 4
    chunksize = check_int(chunksize, "chunksize", minimum=1)
    if client is not None:
        from .distributed import iter_on_client

        typed: dict[int, tuple[str, str]] = {}  # index -> (as given, absolute) while out

        def absolute(tasks):
            # a relative path names a file from the caller's working folder: a worker's is
            # another; the result reports the path as given, its error message too
            for index, rid, src, j in tasks:
                if isinstance(src, (str, os.PathLike)) and not os.path.isabs(src):
                    typed[index] = (os.fspath(src), os.path.abspath(src))
                    src = typed[index][1]
                yield index, rid, src, j

        for r in iter_on_client(
            client,
            _chunks(absolute(tasks), chunksize),
            _run_chunk,
            max_pending=max_pending,
            on_error=_failed_chunk,
        ):
            if r.index in typed:
                r.path, where = typed.pop(r.index)
                if r.error:
                    r.error = r.error.replace(where, r.path)
            yield r
        return
    if n_jobs == -1:
        n_jobs = default_jobs()
    if n_jobs == 1:
        for t in tasks:
            yield _run_one(t)
        return
    max_pending = (
        4 * n_jobs if max_pending is None else check_int(max_pending, "max_pending", minimum=1)
    )
    yield from _iter_pool(_chunks(tasks, chunksize), n_jobs, max_pending, mp_context, job)


def extract_many(
    sources: Iterable[Any],
    features: Any,
    *,
    sr: float | None = None,
    n_jobs: int | None = None,
    client: Any = None,
    ids: Sequence[str] | None = None,
    stats: Sequence[str] = DEFAULT_STATS,
    per_channel: bool = False,
    segment: float | None = None,
    channels: Sequence[str | int] | None = None,
    roles: Mapping[str, Any] | None = None,
    return_arrays: bool = False,
    arrays_dir: str | os.PathLike | None = None,
    progress: bool | Callable[[Result], Any] = False,
    chunksize: int | None = None,
    max_pending: int | None = None,
    mp_context: str | None = None,
    **params: Any,
) -> list[Result]:
    """Extract features from many recordings in parallel; one :class:`Result` per source.

    Parameters
    ----------
    sources : iterable
        File paths (anything :func:`physiofeat.load` reads), 1-D arrays (``sr`` required), or
        ``(array, sr)`` pairs. A 2-D array ``(n_channels, n)`` is one multi-channel recording,
        like a file: its channels are averaged to mono unless ``per_channel``. With record
        features, record paths or :class:`~physiofeat.records.Record` objects; one path or one
        Record alone is one source.
    features : str, list of str, or mapping str -> dict
        As in :func:`physiofeat.extract`.
    sr : float, optional
        Resample every source to this rate (soxr); ``None`` keeps each file's own rate.
    n_jobs : int, optional
        Worker processes. ``None`` or ``-1``: all cores. ``1``: run in this process. The
        workers are kept for the next call (as joblib's loky executor is;
        :func:`shutdown_workers` ends them) and end when this process ends or dies. Inside a
        worker of another pool (``cross_val_score(..., n_jobs=k)`` around a
        ``FeatureExtractor``) the sources run serially in that worker, with a RuntimeWarning.
        The workers start by importing the main module (``forkserver``/``spawn``, as every
        :mod:`multiprocessing` pool of that kind), so a script that calls this with
        ``n_jobs != 1`` keeps its top-level code under ``if __name__ == "__main__":``; without
        it each worker runs the script again.
    client : dask.distributed.Client, optional
        Run the same tasks on this Dask cluster instead of a local pool (files must be
        readable at the same paths on the workers).
    ids : sequence of str, optional
        Identifiers for the sources (default: the path, or the position for arrays), one per
        source. Checked against a list of sources before the run; with an iterator of sources,
        a source past the last id gets a ParameterError record (id: its position) and ids left
        over at its end are warned of (UserWarning).
    stats : sequence of str
        Statistics over time for the summary vector (as in ``extract``).
    per_channel : bool
        One row per channel instead of averaging the channels to mono.
    segment : float, optional
        Split each recording into consecutive segments of this many seconds (one row each; a
        trailing partial segment is dropped; a recording shorter than one segment is an error).
    channels : str, int, or list of them, optional
        Channels to read from each file, by name or index as :func:`physiofeat.load_record`
        matches them (``"ii"``, ``0``); one row per channel. WFDB records (``.hea``) and EDF
        files are read with :func:`physiofeat.load_record` and give one row per channel even
        without it (all channels); ``Result.channel_name`` holds the names. With record
        features, the channels the record is read with (roles are given among them).
    roles : mapping str -> channel name(s), optional
        For record features (``ecg_multilead``, ``ecg_pcg_timing``): which channels play which
        role in every record (``{"pcg": "PCG", "ecg": ["ii", "v5"]}``), overriding the names'
        rule (:meth:`physiofeat.records.Record.roles`). Sources are then file paths or
        :class:`~physiofeat.records.Record` objects, one row each.
    return_arrays : bool
        Keep the full feature arrays (with coordinates) in ``Result.arrays``.
    arrays_dir : path, optional
        Write the full arrays of each source to ``<arrays_dir>/<id>.npz`` (in the worker).
    progress : bool or callable
        ``True`` shows a tqdm bar on stderr; a callable is called with each finished result.
    chunksize : int, optional
        Sources per task sent to a worker: default 1 for the process pool, 4 for a Dask
        client (each Dask task costs a scheduler round trip). Raise it for many tiny files.
    max_pending : int, optional
        Tasks in flight at once (default ``4 * n_jobs``); bounds memory.
    mp_context : str, optional
        ``multiprocessing`` start method (default ``forkserver`` where available, else ``spawn``).
    **params
        Shared feature parameters, as in :func:`physiofeat.extract`.

    Returns
    -------
    list of Result
        In input order. Failed sources have ``error_type``/``error`` set and no vector; they never
        stop the run.

    Examples
    --------
    >>> import numpy as np, physiofeat
    >>> rng = np.random.default_rng(0)
    >>> signals = [rng.standard_normal(2000), rng.standard_normal(3000), np.zeros(0)]
    >>> res = physiofeat.extract_many(signals, ["mfcc", "rms"], sr=1000, n_jobs=1,
    ...                               n_fft=256, hop_length=64)
    >>> [r.ok for r in res], res[0].vector.shape
    ([True, True, False], (84,))
    >>> res[2].error_type
    'InvalidSignalError'
    >>> physiofeat.batch.results_to_frame(res).shape
    (2, 85)
    """
    if not (isinstance(progress, (bool, np.bool_)) or callable(progress)):
        raise ParameterError(
            "progress must be True (a tqdm bar), False, or a callable taking each Result; got "
            f"{progress!r}"
        )
    it = iter_extract(
        sources,
        features,
        sr=sr,
        n_jobs=n_jobs,
        client=client,
        ids=ids,
        stats=stats,
        per_channel=per_channel,
        segment=segment,
        channels=channels,
        roles=roles,
        return_arrays=return_arrays,
        arrays_dir=arrays_dir,
        chunksize=chunksize,
        max_pending=max_pending,
        mp_context=mp_context,
        **params,
    )
    bar = None
    if progress is True:
        from tqdm.auto import tqdm

        total = len(sources) if hasattr(sources, "__len__") else None
        bar = tqdm(total=total, unit="files", dynamic_ncols=True)
    out: list[Result] = []
    try:
        for r in it:
            out.append(r)
            if bar is not None:
                bar.update(1)
            elif callable(progress):
                progress(r)
    finally:
        if bar is not None:
            bar.close()
    out.sort(key=lambda r: r.index)
    return out


def results_to_frame(results: Iterable[Result], *, id_column: str = "id", with_path: bool = False):
    """A pandas DataFrame of the successful results: the id (and path) column(s), then
    ``channel``, ``channel_name``, ``segment`` and ``start_s`` when some sources were split
    (``channel`` and ``segment`` integers, ``<NA>`` in the rows of unsplit sources), then the
    vector columns: one layout whatever the order of the results. Rows in input order.
    ``id_column`` may not be the name of one of these columns (a :class:`ParameterError`).

    Results whose columns are not those of the first (a user feature whose vector length
    follows the signal, results of different requests) are kept, their missing columns NaN,
    with a UserWarning naming them and the first column that differs (the CLI makes such a
    result a ``ColumnMismatch`` error record instead)."""
    import pandas as pd

    results = sorted((r for r in results if r.ok), key=lambda r: r.index)
    odd = [r for r in results if list(r.names) != list(results[0].names)]
    if odd:
        from .cli import column_mismatch

        ids = ", ".join(repr(r.id) for r in odd[:5]) + (", ..." if len(odd) > 5 else "")
        warnings.warn(
            f"results_to_frame: {len(odd)} of {len(results)} results have other columns than "
            f"the first ({results[0].id!r}): {ids}; {odd[0].id!r}: "
            + column_mismatch(odd[0].names, results[0].names).replace("the table", "the first")
            + "; their missing columns are NaN",
            UserWarning,
            stacklevel=2,
        )
    if not isinstance(id_column, str) or not id_column:
        raise ParameterError(f"id_column must be a non-empty str; got {id_column!r}")
    meta_names = ("path", "channel", "channel_name", "segment", "start_s")
    if id_column in meta_names or any(id_column in r.names for r in results):
        what = "a meta column" if id_column in meta_names else "a feature column"
        raise ParameterError(
            f"id_column={id_column!r} is the name of {what} of the table; choose another name"
        )
    frames = []
    for r in results:
        v = r.vector[None, :] if r.vector.ndim == 1 else r.vector
        meta: dict[str, Any] = {id_column: [r.id] * len(v)}
        if with_path:
            meta["path"] = [r.path] * len(v)
        if r.channel is not None:
            meta["channel"] = r.channel
        if r.channel_name is not None:
            meta["channel_name"] = r.channel_name
        if r.segment is not None:
            meta["segment"] = r.segment
            meta["start_s"] = r.start
        df = pd.DataFrame(v, columns=r.names)
        frames.append(pd.concat([pd.DataFrame(meta), df], axis=1))
    if not frames:
        return pd.DataFrame({id_column: []})
    df = pd.concat(frames, ignore_index=True)
    # one layout whatever the order of the results (pd.concat orders columns by first
    # appearance): id, path, the split columns, then the vector columns
    vector_names = list(dict.fromkeys(n for r in results for n in r.names))
    head = [id_column] + [c for c in meta_names if c in df.columns]
    df = df[head + vector_names]
    for c in ("channel", "segment"):
        if c in df:  # NaN for the rows of unsplit sources beside split ones
            df[c] = df[c].astype("int64" if df[c].notna().all() else "Int64")
    return df
