"""The feature registry and :func:`extract`.

Each feature is declared once with :func:`register_feature`: its name, family, output dims, a
one-line description, and a compute function ``compute(ctx, **params) -> Feature``. Defaults
are read from one signature (``params_from``, usually the family's public function, else the
compute function itself), so the registry, the CLI and the docs never keep defaults of their own.

Intermediates (the STFT, the IMFs...) are registered with :func:`register_intermediate` and
fetched through :meth:`Context.get`, which memoises them on their parameters: within one
``extract`` call one STFT feeds the spectrogram, mel, MFCC, deltas and spectral statistics.

**Record features.** Most features are computed on one signal (``ctx.x``, ``ctx.sr``). A feature registered with
``roles=("ecg", "pcg")`` is a *record feature*: it is computed on one
:class:`~physiofeat.records.Record` (a WFDB/EDF file, a text record, an audio file, or
:meth:`Record.from_arrays`), and its compute function receives a :class:`RecordContext` whose
``ctx.signal(role)`` gives the record's channels of that role as one ``(n_channels, n)`` array
and its rate: all ECG leads together (resampled to the highest of their rates if they differ,
cut to the shortest), the PCG at its own rate. Which channel has which role is inferred from the
channel names (:func:`physiofeat.records.channel_role`) unless ``extract(..., roles=...)`` says.
A request mixes no record features with single-signal ones (:func:`extract` refuses it: the
table's columns would depend on which channels a record has).
"""

from __future__ import annotations

import contextlib
import contextvars
import difflib
import importlib
import inspect
import re
import sys
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._errors import InvalidSignalError, ParameterError, UnknownFeatureError
from ._features import DEFAULT_STATS, TIME_DIMS, Feature, Features
from ._validation import as_signal, check_sr

__all__ = [
    "FeatureSpec",
    "Context",
    "register_feature",
    "register_intermediate",
    "register_preset",
    "presets",
    "features",
    "get_spec",
    "extract",
]

#: Family modules whose import registers the built-in features.
BUILTIN_MODULES = (
    "physiofeat.spectral",
    "physiofeat.temporal",
    "physiofeat.envelope",
    "physiofeat.wavelet",
    "physiofeat.hht",
    "physiofeat.hos",
    "physiofeat.ecg",
    "physiofeat.pcg",
    "physiofeat.ecgpcg",
)

# Parameters that are not feature parameters (the signal and its rate come from extract()).
_RESERVED = {"ctx", "x", "y", "sr", "S", "self"}


@dataclass(frozen=True)
class FeatureSpec:
    """A registered feature."""

    name: str
    compute: Callable[..., Feature] = field(repr=False)
    defaults: Mapping[str, Any]
    dims: tuple[str, ...]
    description: str
    family: str
    needs: tuple[str, ...] = ()
    summarize: Callable[..., Any] | None = field(default=None, repr=False)
    check: Callable[[dict[str, Any]], None] | None = field(default=None, repr=False)
    ignores: Callable[[dict[str, Any]], Mapping[str, str]] | None = field(default=None, repr=False)
    #: Channel roles a record feature draws on (``("ecg", "pcg")``); empty for a feature of one
    #: signal (see the module's "Record features" paragraph).
    roles: tuple[str, ...] = ()
    #: Parameters that mean something else here than in the other features taking that name
    #: (``{"frame_length": "seconds"}``): a shared value never reaches features that read it
    #: differently (see :func:`register_feature`).
    meanings: Mapping[str, str] = field(default_factory=dict)

    def describe(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.defaults.items())
        roles = f" roles={self.roles}" if self.roles else ""
        return (
            f"{self.name} [{self.family}] dims={self.dims}{roles}: {self.description}\n    {params}"
        )


_FEATURES: dict[str, FeatureSpec] = {}
_INTERMEDIATES: dict[str, Callable[..., Any]] = {}
_PRESETS: dict[str, Preset] = {}
_builtins_loaded = False
_builtins_loading = 0  # the thread importing the families (threading.get_ident), else 0
_BUILTINS_LOCK = threading.Lock()
_builtins_error: Exception | None = None
#: the feature specs a batch task in a worker process uses before the process's registry
#: (``batch._task_specs``: its request's own modules, never another caller's registrations)
_TASK_SPECS: contextvars.ContextVar[Mapping[str, FeatureSpec] | None] = contextvars.ContextVar(
    "physiofeat_task_specs", default=None
)


@dataclass(frozen=True)
class Preset:
    """A registered preset: a name standing for a fixed request ``feature -> params``."""

    name: str
    request: Mapping[str, Mapping[str, Any]]
    description: str

    def describe(self) -> str:
        return f"{self.name} [preset]: {self.description}\n    " + ", ".join(self.request)


def _signature_defaults(func: Callable[..., Any]) -> dict[str, Any]:
    out = {}
    for p in inspect.signature(func).parameters.values():
        if p.name in _RESERVED or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        if p.default is inspect.Parameter.empty:
            continue
        out[p.name] = p.default
    return out


#: What a feature or preset name may be: ``-f a,b`` and ``-p feature.param=v`` split on the
#: comma and the dot, so names are letters, digits and underscores, like the built-in ones.
_NAME_RE = re.compile(r"[A-Za-z0-9_]+")


def _check_name(name: Any, what: str) -> None:
    if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
        raise ParameterError(
            f"a {what} name must be a non-empty string of letters, digits and underscores (like "
            f"'mfcc_delta2': the command line's -f splits names on ',' and -p FEATURE.PARAM on "
            f"'.'); got {name!r}"
        )


def _check_dims(name: str, dims: Any) -> tuple[str, ...]:
    """``dims`` as a tuple of distinct axis names, or a :class:`ParameterError`."""
    if isinstance(dims, str):
        raise ParameterError(
            f"feature {name!r}: dims must be a sequence of axis names; got the string {dims!r} "
            f"(which would be {tuple(dims)!r}): write dims=({dims!r},)"
        )
    try:
        out = tuple(dims)
    except TypeError:
        raise ParameterError(
            f"feature {name!r}: dims must be a sequence of axis names such as ('coef', 'time') "
            f"or () for a scalar; got {type(dims).__name__}"
        ) from None
    bad = [d for d in out if not isinstance(d, str) or not d]
    if bad:
        raise ParameterError(
            f"feature {name!r}: dims must be non-empty strings (axis names); got {bad} in {out!r}"
        )
    if len(set(out)) != len(out):
        raise ParameterError(f"feature {name!r}: dims name an axis twice: {out!r}")
    if "signal" in out:
        raise ParameterError(
            f"feature {name!r}: dims describe one signal's output; the leading 'signal' axis of "
            f"a batch is added for you: drop it from {out!r}"
        )
    return out


def _check_compute(
    name: str,
    compute: Callable[..., Any],
    defaults: Mapping[str, Any],
    params_from: Callable[..., Any] | None,
    exclude: Iterable[str] = (),
) -> None:
    """Refuse a compute function :func:`extract` could not call as ``compute(ctx, **params)``
    with the feature's parameters, or whose parameters would be dropped silently."""
    try:
        params = list(inspect.signature(compute).parameters.values())
    except (TypeError, ValueError):
        raise ParameterError(
            f"feature {name!r}: compute must be a function compute(ctx, **params) -> Feature; "
            f"got {compute!r}"
        ) from None
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    if not params or params[0].kind not in positional + (inspect.Parameter.VAR_POSITIONAL,):
        raise ParameterError(
            f"feature {name!r}: compute must take the context as its first positional argument, "
            "def compute(ctx, *, param=default, ...)"
        )
    for p in params[1:]:
        if p.kind is p.VAR_POSITIONAL:
            continue
        if p.kind is p.VAR_KEYWORD:
            if params_from is None:
                raise ParameterError(
                    f"feature {name!r}: compute takes **{p.name}, which names no parameter, so "
                    "extract would pass it none: name each parameter with its default (def "
                    "compute(ctx, *, gain=1.0)), or give params_from= a function whose "
                    "signature has them"
                )
            continue
        if p.name in _RESERVED:
            raise ParameterError(
                f"feature {name!r}: compute's parameter {p.name!r} is a reserved name, never a "
                f"feature parameter ({', '.join(sorted(_RESERVED))}; the signal and its rate are "
                "ctx.x and ctx.sr): rename it"
            )
        if p.default is p.empty and p.name not in defaults:
            where = (
                " and is excluded (exclude=)"
                if p.name in exclude
                else " here or in params_from's signature"
                if params_from is not None
                else ""
            )
            raise ParameterError(
                f"feature {name!r}: compute's parameter {p.name!r} has no default{where}"
                "; every feature parameter needs a default (the registry, the command line and "
                f"the docs read it from the signature): give it one, e.g. {p.name}=None, and "
                "refuse a missing value in compute or check="
            )


def register_feature(
    name: str,
    *,
    dims: Sequence[str],
    description: str,
    family: str = "user",
    needs: Sequence[str] = (),
    params_from: Callable[..., Any] | None = None,
    exclude: Iterable[str] = (),
    summarize: Callable[..., Any] | None = None,
    check: Callable[[dict[str, Any]], None] | None = None,
    ignores: Callable[[dict[str, Any]], Mapping[str, str]] | None = None,
    roles: Sequence[str] = (),
    meanings: Mapping[str, str] | None = None,
    overwrite: bool = False,
):
    """Decorator that registers ``compute(ctx, **params) -> Feature`` under ``name``.

    ``compute``'s keyword arguments other than the context are the feature's parameters, each
    with its default (a parameter without one, ``**params`` without ``params_from``, or one
    named like the signal, ``x``, ``y``, ``S``, ``sr``, is refused: extract could never pass
    it). What it returns is checked against ``dims``: a :class:`ParameterError` names the
    feature when it returns anything but a :class:`Feature` of these dims.

    Parameters
    ----------
    name : str
        The name users pass to :func:`extract`: letters, digits and underscores (the command
        line splits ``-f`` on commas), not a preset's name.
    dims : sequence of str
        Axis names of one signal's output, time-last (``("coef", "time")``, ``()`` for a
        scalar). For a batch ``(n_signals, n)`` compute returns a leading axis of
        ``n_signals`` rows more (named ``signal`` for you when the Feature's ``dims`` leave it
        out). A feature without a time axis may add a trailing ``time`` axis, when a
        parameter asks for frames (``temporal`` with ``frame_length=``).
    description : str
        One line for listings and docs.
    family : str
        The family it belongs to (``spectral``, ``hht``...).
    needs : sequence of str
        Intermediates it draws on (documentation and planning).
    params_from : callable, optional
        Read default parameters from this function's signature (keyword arguments other than
        the signal and ``sr``); by default from ``compute``'s own keyword arguments.
    exclude : iterable of str
        Parameters of ``params_from`` not exposed as feature parameters.
    summarize : callable, optional
        ``summarize(feature, stats) -> (names, values)`` for a fixed-length summary that is not
        statistics over time.
    check : callable, optional
        ``check(params)`` raises :class:`ParameterError` for parameter values that are wrong
        whatever the signal; :func:`resolve_params` runs it, so :func:`extract`, the batch
        functions and the CLI refuse them before any work (signal-dependent checks stay in
        ``compute``).
    ignores : callable, optional
        ``ignores(params) -> {name: why}``: the parameters this combination of values does not
        use (``hop_length`` without ``frame_length``, ``seed`` with ``method='emd'``...).
        :func:`resolve_params` refuses a value other than the default given for one of them
        when no requested feature uses it, instead of recording a parameter that changes
        nothing.
    roles : sequence of str
        Register a *record feature*: the channel roles (``"ecg"``, ``"pcg"``) it draws on.
        ``compute`` then receives a :class:`RecordContext` (``ctx.signal("ecg")`` is
        ``(x (n_leads, n), sr)``) instead of one signal, and :func:`extract` takes a
        :class:`~physiofeat.records.Record` for it; a record without a channel of one of these
        roles raises :class:`~physiofeat.records.MissingRoleError`. ``dims`` describe the
        record's output (one row per record: no ``signal`` axis).
    meanings : mapping of str to str, optional
        Parameters this feature reads in a sense of its own, named by it (the ``envelope``'s
        ``frame_length`` is a smoothing window in seconds, where ``rms``' is a frame in
        samples). A parameter shared in :func:`extract` (``frame_length=256``) that would reach
        requested features reading it in different senses is refused, naming them, instead of
        meaning 256 samples to one and 256 seconds to another; given per feature it is fine.
    overwrite : bool
        Allow replacing an existing registration.

    Examples
    --------
    >>> import numpy as np, physiofeat
    >>> from physiofeat import Feature, register_feature
    >>> @register_feature("peak_to_peak", dims=(), description="max - min", overwrite=True)
    ... def _ptp(ctx):
    ...     return Feature(np.ptp(ctx.x, axis=-1), dims=())
    >>> physiofeat.extract(np.array([0.0, 2.0, -1.0]), ["peak_to_peak"], sr=1)["peak_to_peak"].values
    array(3.)
    """

    def deco(compute: Callable[..., Feature]) -> Callable[..., Feature]:
        # a user's feature named like a built-in meets it here, not later
        _load_builtins(wait=not _is_physiofeat(getattr(compute, "__module__", None)))
        _check_name(name, "feature")
        if name in _PRESETS:
            raise ParameterError(
                f"{name!r} is a preset name (extract expands it into its features, so a feature "
                "of that name could never be computed); a feature needs a name of its own"
            )
        if name in _FEATURES and not overwrite:
            raise ParameterError(f"feature {name!r} is already registered; pass overwrite=True")
        dims_t = _check_dims(name, dims)
        defaults = _signature_defaults(params_from or compute)
        if params_from is not None:
            defaults.update(
                {k: v for k, v in _signature_defaults(compute).items() if k not in defaults}
            )
        excluded = set(exclude)
        for k in excluded:
            defaults.pop(k, None)
        _check_compute(name, compute, defaults, params_from, excluded)
        from .records import ROLES

        bad = [r for r in roles if r not in ROLES]
        if isinstance(roles, str) or bad:
            raise ParameterError(
                f"feature {name!r}: roles must be a sequence of {', '.join(ROLES)}; got {roles!r}"
            )
        _FEATURES[name] = FeatureSpec(
            name=name,
            compute=compute,
            defaults=defaults,
            dims=dims_t,
            description=description,
            family=family,
            needs=tuple(needs),
            summarize=summarize,
            check=check,
            ignores=ignores,
            roles=tuple(dict.fromkeys(roles)),
            meanings=dict(meanings or {}),
        )
        return compute

    return deco


def register_intermediate(name: str):
    """Decorator registering ``func(ctx, **params)`` as a shared intermediate named ``name``."""

    def deco(func):
        _INTERMEDIATES[name] = func
        return func

    return deco


def register_preset(
    name: str,
    request: Mapping[str, Mapping[str, Any] | None],
    *,
    description: str,
    overwrite: bool = False,
) -> Preset:
    """Register ``name`` as a preset standing for the request ``feature -> params``.

    :func:`extract`, the batch functions and the CLI (``-f NAME``) expand a preset's name into
    its features with their parameters. A preset may be combined with other names: a feature
    named both in a preset and by itself is computed once, in the place it is first named,
    with the preset's parameters updated by those given to it by name, in either order
    (``{"heart_sound": {}, "mfcc": {"n_fft": 512}}`` changes only the preset's ``n_fft`` of
    ``mfcc``); in two presets, the later preset's values win where they differ. Parameters
    are checked when the preset is used, like any request.

    Examples
    --------
    >>> import numpy as np, physiofeat
    >>> from physiofeat._registry import register_preset
    >>> _ = register_preset("loudness", {"rms": {"frame_length": 64, "hop_length": 32}},
    ...                     description="frame RMS", overwrite=True)
    >>> x = np.ones(256)
    >>> physiofeat.extract(x, "loudness", sr=1000).vector_names()
    ['rms_mean', 'rms_std', 'rms_min', 'rms_max']
    """
    _load_builtins(wait=not _is_physiofeat(sys._getframe(1).f_globals.get("__name__")))
    _check_name(name, "preset")
    if name in _PRESETS and not overwrite:
        raise ParameterError(f"preset {name!r} is already registered; pass overwrite=True")
    if name in _FEATURES:
        raise ParameterError(f"{name!r} is a feature name; a preset needs a name of its own")
    if not isinstance(request, Mapping) or not request:
        raise ParameterError(
            f"a preset is a non-empty mapping feature name -> params; got {request!r}"
        )
    frozen = {}
    for k, v in request.items():
        if v is not None and not isinstance(v, Mapping):
            raise ParameterError(
                f"preset {name!r}: parameters of {k!r} must be a mapping; got {type(v).__name__}"
            )
        frozen[k] = dict(v or {})
    preset = Preset(name, frozen, description)
    _PRESETS[name] = preset
    return preset


def presets() -> list[Preset]:
    """All registered presets, sorted by name (``physiofeat features`` lists them too).

    Examples
    --------
    >>> import physiofeat
    >>> "heart_sound" in [p.name for p in physiofeat.presets()]
    True
    """
    _load_builtins()
    return sorted(_PRESETS.values(), key=lambda p: p.name)


def _is_physiofeat(module: str | None) -> bool:
    """``module`` is one of physiofeat's own (a family registering its features)."""
    return module is not None and (module == "physiofeat" or module.startswith("physiofeat."))


def _load_builtins(*, wait: bool = True) -> None:
    """Import the families (their ``_register`` modules) once. An import that fails raises
    again on every later call, so that a registry of some families only is never used.

    Thread-safe: a thread that calls while another loads waits until the registry is whole
    (the threads of a Dask worker start their first tasks at once; a half-filled registry
    made their requests unknown features). ``wait=False``: a family's own registrations at
    import, which never wait (the loading thread may be waiting on that very import)."""
    global _builtins_loaded, _builtins_loading, _builtins_error
    if _builtins_error is not None:
        raise ImportError(
            f"physiofeat's built-in features failed to load: {_builtins_error!r}"
        ) from _builtins_error
    if _builtins_loaded or _builtins_loading == threading.get_ident():
        return  # (loading in this thread: the families' own registrations)
    if not wait and _builtins_loading:
        return
    with _BUILTINS_LOCK:
        if _builtins_loaded or _builtins_error is not None:
            return _load_builtins()  # loaded, or failed, in another thread meanwhile
        _builtins_loading = threading.get_ident()
        try:
            for mod in BUILTIN_MODULES:
                try:
                    importlib.import_module(mod)
                except ModuleNotFoundError as exc:  # a family not written yet; else it raises
                    if exc.name != mod:
                        raise
            _builtins_loaded = True
        except Exception as exc:
            _builtins_error = exc
            raise
        finally:
            _builtins_loading = 0


@contextlib.contextmanager
def _named(name: str):
    """An error a requested feature raises names it (in a preset, or among many, the message
    alone does not say which feature refused the signal or its rate)."""
    try:
        yield
    except (ParameterError, InvalidSignalError) as exc:
        msg = str(exc)
        if msg.startswith("feature ") or re.search(rf"\b{re.escape(name)}\b", msg):
            raise  # it names the feature already
        raise type(exc)(f"feature {name!r}: {msg}") from exc
    except Exception as exc:  # a user's compute failing: its own type and message, and a note
        if hasattr(exc, "add_note"):  # Python >= 3.11
            exc.add_note(f"in feature {name!r}")
        raise


def get_spec(name: str) -> FeatureSpec:
    """The :class:`FeatureSpec` registered as ``name``; :class:`UnknownFeatureError` if none."""
    _load_builtins()
    if not isinstance(name, str):
        raise UnknownFeatureError(f"feature names are strings; got {name!r}")
    task = _TASK_SPECS.get()
    if task is not None and name in task:
        return task[name]
    try:
        return _FEATURES[name]
    except KeyError:
        close = _close_names(name, list(_FEATURES) + list(_PRESETS))
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise UnknownFeatureError(
            f"unknown feature {name!r}{hint} physiofeat.features() lists all "
            f"{len(_FEATURES)} registered features, physiofeat.presets() the presets "
            f"({', '.join(sorted(_PRESETS))})"
        ) from None


def _close_names(name: str, known: list[str]) -> list[str]:
    """Registered names close to ``name``: those equal to it but for case and underscores
    first, then difflib's closest, compared in the same folded form."""

    def fold(s: str) -> str:
        return s.lower().replace("_", "").replace("-", "")

    by_fold: dict[str, list[str]] = {}
    for k in known:
        by_fold.setdefault(fold(k), []).append(k)
    same = by_fold.get(fold(name), [])
    close = difflib.get_close_matches(fold(name), list(by_fold), n=5, cutoff=0.5)
    out = list(same) + [k for f in close for k in by_fold[f] if k not in same]
    return out[:5]


def features(family: str | None = None) -> list[FeatureSpec]:
    """All registered features (optionally of one family), sorted by family and name.

    Examples
    --------
    >>> import physiofeat
    >>> "mfcc" in [spec.name for spec in physiofeat.features()]
    True
    """
    _load_builtins()
    specs = [s for s in _FEATURES.values() if family is None or s.family == family]
    return sorted(specs, key=lambda s: (s.family, s.name))


def record_feature_names() -> list[str]:
    """The names of the registered record features (those with ``roles``), in
    :func:`features` order."""
    return [s.name for s in features() if s.roles]


def _freeze(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return ("ndarray", value.shape, value.dtype.str, value.tobytes())
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    try:
        hash(value)
    except TypeError:
        return repr(value)
    return value


class Context:
    """What a compute function sees: the validated signal, its rate, and a memo of intermediates.

    ``ctx.x`` is the validated signal, ``(n_samples,)`` or ``(n_signals, n_samples)``;
    ``ctx.sr`` its rate in Hz. ``ctx.get(name, **params)`` returns a registered intermediate,
    computing it once per distinct parameter set; ``ctx.computed`` counts those computations.
    """

    def __init__(self, x: np.ndarray, sr: float, needs: Iterable[str] = ()):
        self.x = x
        self.sr = sr
        self.batched = x is not None and x.ndim == 2
        #: Intermediates that the requested features declared they need (the plan): a family
        #: may take a cheaper path for an intermediate nobody else needs in full.
        self.needs = frozenset(needs)
        self._memo: dict[Any, Any] = {}
        self.computed: dict[str, int] = {}

    def has(self, name: str, **params: Any) -> bool:
        """Whether intermediate ``name`` with these parameters is already computed."""
        return (name, _freeze(params)) in self._memo

    def _memoised(self, label: str, params: dict[str, Any], compute) -> Any:
        """``compute(self, **params)`` once per (label, params); counted in ``computed``."""
        key = (label, _freeze(params))
        if key not in self._memo:
            self._memo[key] = compute(self, **params)
            self.computed[label] = self.computed.get(label, 0) + 1
        return self._memo[key]

    def get(self, name: str, **params: Any) -> Any:
        try:
            func = _INTERMEDIATES[name]
        except KeyError:
            raise ParameterError(
                f"no intermediate named {name!r}; registered: {sorted(_INTERMEDIATES)}"
            ) from None
        return self._memoised(name, params, func)

    def feature(self, name: str, **params: Any) -> Feature:
        """Another registered feature, memoised like an intermediate (for derived features)."""
        spec = get_spec(name)
        full = {**spec.defaults, **{k: v for k, v in params.items() if k in spec.defaults}}
        out = self._memoised("feature:" + name, full, spec.compute)
        _check_output(spec, out, self.x.shape[0] if self.batched else None)
        return out


def _check_output(spec: FeatureSpec, feat: Any, n_signals: int | None) -> None:
    """Raise :class:`ParameterError` unless ``feat`` is a :class:`Feature` of the dims ``spec``
    declares: for a batch of ``n_signals`` with a leading ``signal`` axis of that length, for
    one signal (or a record) without one. A feature without a time axis may add a trailing
    ``time`` axis (``temporal``, ``sample_entropy`` per frame with ``frame_length=``)."""
    name = spec.name
    if not isinstance(feat, Feature):
        raise ParameterError(
            f"feature {name!r} returned {type(feat).__name__}; a feature's compute must return "
            f"a physiofeat.Feature (Feature(values, dims={spec.dims!r}, coords=...))"
        )
    core, rows_ok = feat.dims, True
    if n_signals is not None:
        rows_ok = bool(core) and core[0] == "signal" and feat.shape[0] == n_signals
        core = core[1:] if core[:1] == ("signal",) else core
    framed = core == spec.dims + ("time",) and not any(d in TIME_DIMS for d in spec.dims)
    if rows_ok and (core == spec.dims or framed):
        return
    if n_signals is None:
        want = f"for one signal it must return dims {spec.dims}"
    else:
        want = (
            f"for a batch of {n_signals} signals it must return dims "
            f"{('signal',) + spec.dims} with {n_signals} rows on 'signal'"
        )
    why = (
        " (values with one axis more than their dims name get a leading 'signal' axis)"
        if "signal" in feat.dims and (n_signals is None or not rows_ok)
        else ""
    )
    raise ParameterError(
        f"feature {name!r} returned values of shape {feat.shape} with dims {feat.dims}{why}; "
        f"it is registered with dims={spec.dims}: {want}"
    )


class RecordContext(Context):
    """What a record feature's compute function sees: the record, its channels by role, and a
    memo of intermediates (shared by the record features of one :func:`extract` call).

    ``ctx.record`` is the :class:`~physiofeat.records.Record`; ``ctx.roles`` the channel
    positions by role; ``ctx.signal(role)`` the channels of one role as ``(x (k, n), sr)``
    (see :meth:`Record.role_signal`: one rate, one length), computed once per call;
    ``ctx.channel_names(role)`` their names. ``ctx.x`` and ``ctx.sr`` are None.
    """

    def __init__(self, record: Any, roles: Mapping[str, Sequence[int]], needs: Iterable[str] = ()):
        super().__init__(None, None, needs)
        self.record = record
        self.roles = {r: tuple(v) for r, v in roles.items()}

    def signal(self, role: str) -> tuple[np.ndarray, float]:
        """The channels of ``role`` stacked ``(k, n)`` at one rate, and that rate."""
        x, sr, _ = self._role(role)
        return x, sr

    def channel_names(self, role: str) -> tuple[str, ...]:
        """The names of the channels of ``role``, in the rows' order of :meth:`signal`."""
        return self._role(role)[2]

    def _role(self, role: str):
        key = ("role:" + role, ())
        if key not in self._memo:
            self._memo[key] = self.record.role_signal(role, self.roles)
        return self._memo[key]


def _expand_presets(request: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Replace preset names by their features (with the preset's parameters). A feature
    named in a preset and by itself appears once, where it is first named, with the preset's
    parameters updated by those it is given by name (whatever the order); a feature of two
    presets gets the later preset's values where they differ (see :func:`register_preset`)."""
    _load_builtins()
    if not any(isinstance(k, str) and k in _PRESETS for k in request):
        return request
    order: dict[str, None] = {}  # every feature, where it is first named
    from_presets: dict[str, dict[str, Any]] = {}
    own: dict[str, dict[str, Any]] = {}
    for k, v in request.items():
        if isinstance(k, str) and k in _PRESETS:
            if v:
                raise ParameterError(
                    f"{k!r} is a preset; give parameters to its features "
                    f"({', '.join(_PRESETS[k].request)}), not to the preset"
                )
            for name, params in _PRESETS[k].request.items():
                order.setdefault(name)
                from_presets.setdefault(name, {}).update(params)
        else:
            order.setdefault(k)
            own[k] = dict(v)
    return {n: {**from_presets.get(n, {}), **own.get(n, {})} for n in order}


def _normalise_request(features_arg: Any) -> dict[str, dict[str, Any]]:
    if isinstance(features_arg, str):
        return _expand_presets({features_arg: {}})
    if isinstance(features_arg, Mapping):
        if not features_arg:
            raise ParameterError("features is empty; name at least one (physiofeat.features())")
        out = {}
        for k, v in features_arg.items():
            if v is None:
                v = {}
            if not isinstance(v, Mapping):
                raise ParameterError(
                    f"parameters for feature {k!r} must be a mapping of name -> value; got "
                    f"{type(v).__name__}"
                )
            out[k] = dict(v)
        return _expand_presets(out)
    if isinstance(features_arg, (set, frozenset)):  # its order changes with the hash seed
        raise ParameterError(
            "features must be a name, a list of names or a mapping name -> params; got a set, "
            "whose order (and so the order of the feature vector's columns) changes from one "
            f"process to the next: pass a list, e.g. {sorted(map(str, features_arg))!r}"
        )
    if isinstance(features_arg, Iterable):
        names = list(features_arg)
        if not names:
            raise ParameterError("features is empty; name at least one (physiofeat.features())")
        return _expand_presets({n: {} for n in names})
    raise ParameterError(
        f"features must be a name, a list of names or a mapping name -> params; got "
        f"{type(features_arg).__name__}"
    )


def _merged(spec: FeatureSpec, own: Mapping[str, Any], shared: Mapping[str, Any]) -> dict:
    """A feature's parameters: its defaults, updated by the shared ones it takes, updated by
    its own (which win)."""
    return {**spec.defaults, **{k: v for k, v in shared.items() if k in spec.defaults}, **own}


def _check_senses(request: Mapping[str, Mapping[str, Any]], shared: Mapping[str, Any]) -> None:
    """Refuse a shared parameter that would reach requested features reading it in different
    senses (``FeatureSpec.meanings``), before any feature's own value checks (which would name
    the parameter but not the feature it was meant for)."""
    senses: dict[str, dict[str, list[str]]] = {}  # a shared parameter -> sense -> its readers
    for name, own in request.items():
        spec = get_spec(name)
        params = _merged(spec, own, shared)
        try:
            why = dict(spec.ignores(params)) if spec.ignores is not None else {}
        except Exception:  # a bad value: the feature's own check names it
            why = {}
        for k in sorted(set(shared) & set(spec.defaults) - set(own) - set(why)):
            senses.setdefault(k, {}).setdefault(spec.meanings.get(k, ""), []).append(name)
    mixed = {k: by for k, by in senses.items() if len(by) > 1}
    if mixed:
        k, by = next(iter(sorted(mixed.items())))
        parts = [f"{sense or 'its usual sense'} for {', '.join(n)}" for sense, n in by.items()]
        name = next(n for sense, names in by.items() if sense for n in names)
        raise ParameterError(
            f"the shared parameter {k}={shared[k]!r} means different things to the requested "
            f"features ({'; '.join(parts)}); give it per feature instead, e.g. "
            f"{{{name!r}: {{{k!r}: ...}}}}"
        )


def resolve_params(
    request: Mapping[str, Mapping[str, Any]], shared: Mapping[str, Any]
) -> dict[str, tuple[FeatureSpec, dict[str, Any]]]:
    """Merge defaults, shared and per-feature parameters; reject unknown names, (through
    each feature's ``check``) values that are wrong whatever the signal, and (through its
    ``ignores``) values other than the default of parameters that no requested feature uses in
    this combination: they would be recorded and change nothing."""
    plan: dict[str, tuple[FeatureSpec, dict[str, Any]]] = {}
    used_shared: set[str] = set()
    ignored: dict[str, list[str]] = {}  # a given parameter -> why each feature ignores it
    used_given: set[str] = set()
    overridden: dict[str, list[str]] = {}  # a shared parameter -> features whose own value wins
    _check_senses(request, shared)
    for name, own in request.items():
        spec = get_spec(name)
        unknown = set(own) - set(spec.defaults)
        if unknown:
            raise ParameterError(
                f"feature {name!r} has no parameter(s) {sorted(unknown)}; accepted: "
                f"{sorted(spec.defaults)}"
            )
        params = _merged(spec, own, shared)
        for k in (k for k in shared if k in spec.defaults):
            if k in own:  # the feature's own value wins
                overridden.setdefault(k, []).append(name)
            else:
                used_shared.add(k)
        if spec.check is not None:
            spec.check(params)
        plan[name] = (spec, params)
        why = dict(spec.ignores(params)) if spec.ignores is not None else {}
        for k in set(own) | (set(shared) & set(spec.defaults)):
            if _freeze(params[k]) == _freeze(spec.defaults[k]):
                continue  # the default, given explicitly, changes nothing either way
            if k in why:
                ignored.setdefault(f"{name}.{k}" if k in own else k, []).append(f"{name} {why[k]}")
            elif k not in own:
                used_given.add(k)
    refused = {k: v for k, v in ignored.items() if "." in k or k not in used_given}
    if refused:
        parts = [f"{k} ({'; '.join(v)})" for k, v in refused.items()]
        raise ParameterError(
            f"parameter(s) that would change nothing in this request: {', '.join(parts)}; "
            "drop them, or give what makes them count"
        )
    unused = set(shared) - used_shared
    beaten = sorted(k for k in unused if k in overridden)
    if beaten:
        parts = [f"{k} (set for {', '.join(overridden[k])})" for k in beaten]
        k, name = beaten[0], overridden[beaten[0]][0]
        raise ParameterError(
            f"parameter(s) {', '.join(parts)} would change nothing: every requested feature that "
            "takes them has its own value in the request (a preset's, or one given per "
            f"feature), which wins; give it per feature instead, e.g. "
            f"{{{name!r}: {{{k!r}: {shared[k]!r}}}}}"
        )
    if unused:
        accepted = sorted({k for spec, _ in plan.values() for k in spec.defaults})
        raise ParameterError(
            f"parameter(s) {sorted(unused)} are accepted by none of the requested features "
            f"{list(plan)}; accepted: {accepted}"
        )
    return plan


#: A 2-D input with at most this many samples per row, and more rows than that, is taken for a
#: channels-last recording ``(n_samples, n_channels)`` and refused (see :func:`extract`).
_MAX_CHANNELS = 8


def refuse_channels_last(x: np.ndarray, subject: str, hint: str) -> None:
    """Raise :class:`InvalidSignalError` for a 2-D ``x`` that looks channels-last (at most
    :data:`_MAX_CHANNELS` columns and more rows than that): ``extract``'s rule, also applied by
    the batch functions to their array sources; ``hint`` says what to pass instead."""
    if x.ndim == 2 and x.shape[1] <= _MAX_CHANNELS < x.shape[0]:
        raise InvalidSignalError(
            f"{subject} of shape {x.shape} looks channels-last (n_samples, n_channels), as "
            f"soundfile.read returns it; {hint}"
        )


class _Required:
    """The default of ``extract``'s ``sr``: required for arrays, taken from a record."""

    def __repr__(self) -> str:
        return "<required for arrays>"


_REQUIRED: Any = _Required()


def extract(
    x: Any,
    features: Any,
    *,
    sr: float = _REQUIRED,
    stats: Sequence[str] = DEFAULT_STATS,
    roles: Mapping[str, Any] | None = None,
    **params: Any,
) -> Features:
    """Compute named features of a signal, sharing intermediates between them.

    Parameters
    ----------
    x : np.ndarray [shape=(n,) or (n_signals, n)], or Record
        The signal, or a batch of equal-length signals computed as one vectorised batch.
        A :class:`~physiofeat.records.Record` for record features (``ecg_multilead``,
        ``ecg_pcg_timing``: those registered with ``roles``), which draw on the record's
        channels by role; one record gives one row.
        Time is the last axis: a channels-last array ``(n_samples, n_channels)`` (what
        ``soundfile.read`` gives for a stereo file) with at most 8 columns and more rows is
        refused (:class:`InvalidSignalError`); pass ``x.T`` or the mono mix. Integer arrays are
        used at their raw values (an int16 array spans +-32768), not scaled to +-1 as
        :func:`physiofeat.load` scales a 16-bit file: divide by 32768 first to match ``load``.
    features : str, list of str, or mapping str -> dict
        Feature names (see :func:`physiofeat.features`), or a mapping from name to that
        feature's own parameters. A preset name (:func:`physiofeat.presets`, e.g.
        ``"heart_sound"``) stands for its features with their parameters.
    sr : float
        Sampling rate in Hz (required for an array). For a record the channels' own rates are
        used: leave it out, or give the rate every channel of the roles used has (another
        value is a :class:`ParameterError`; ``load_record(path, sr=...)`` resamples).
    stats : sequence of str
        Statistics over time used by :meth:`Features.vector`.
    roles : mapping str -> channel name(s), optional
        With a record: which channels play which role, overriding the names' rule
        (:meth:`Record.roles`), e.g. ``{"pcg": "PCG", "ecg": ["ii", "v5"]}``.
    **params
        Parameters shared by every requested feature that accepts them (``n_fft=512``); a
        parameter no requested feature accepts raises :class:`ParameterError`.

    Returns
    -------
    Features
        Mapping name -> :class:`Feature`.

    Examples
    --------
    >>> import numpy as np, physiofeat
    >>> sr = 2000
    >>> x = np.sin(2 * np.pi * 100 * np.arange(2 * sr) / sr)
    >>> feats = physiofeat.extract(x, ["mfcc", "spectral_centroid"], sr=sr, n_fft=256, hop_length=64)
    >>> feats["mfcc"].dims, feats["mfcc"].shape
    (('coef', 'time'), (20, 63))
    >>> feats.vector().shape
    (84,)

    A record feature on a record (here an in-memory one with a known 60 ms EMAT):

    >>> from physiofeat.ecgpcg import synthetic_ecg_pcg
    >>> from physiofeat.records import Record
    >>> ecg, pcg, sr, truth = synthetic_ecg_pcg(duration=10.0, sr=2000, emat=0.06)
    >>> rec = Record.from_arrays({"ECG": (ecg, sr), "PCG": (pcg, sr)})
    >>> f = physiofeat.extract(rec, ["ecg_pcg_timing"])
    >>> f.vector_names()[:2], f["ecg_pcg_timing"].attrs["channels"]
    (['ecg_pcg_timing_emat_onset_median', 'ecg_pcg_timing_emat_onset_sd'], {'ecg': ('ECG',), 'pcg': ('PCG',)})
    >>> bool(abs(f.to_frame()["ecg_pcg_timing_emat_onset_median"].iloc[0] - 0.06) < 0.01)
    True
    """
    from .records import Record

    if isinstance(x, Record):
        return _extract_record(x, features, sr=sr, stats=stats, roles=roles, params=params)
    if sr is _REQUIRED:
        raise TypeError("extract() missing 1 required keyword-only argument: 'sr'")
    if roles is not None:
        raise ParameterError(
            f"roles= names the channels of a record; x is a {type(x).__name__}: pass a "
            "physiofeat.Record (physiofeat.load_record(path)) for record features"
        )
    sr = check_sr(sr)
    x = as_signal(x, ndim=(1, 2))
    refuse_channels_last(
        x,
        "x",
        "extract takes (n_signals, n_samples): pass x.T for one signal per channel, or the "
        "mono mix x.mean(axis=1)",
    )
    plan = resolve_params(_normalise_request(features), params)
    record_features = [n for n, (spec, _) in plan.items() if spec.roles]
    if record_features:
        raise ParameterError(
            f"{', '.join(map(repr, record_features))} "
            f"{'is a record feature' if len(record_features) == 1 else 'are record features'} "
            "(drawing on a record's channels by role): pass a physiofeat.Record "
            "(physiofeat.load_record(path), or physiofeat.records.Record.from_arrays("
            "{'ECG': (ecg, sr), 'PCG': (pcg, sr)})) instead of an array"
        )
    ctx = Context(x, sr, needs={n for spec, _ in plan.values() for n in spec.needs})
    out: dict[str, Feature] = {}
    for name, (spec, p) in plan.items():
        with _named(name):
            feat = ctx.feature(name, **p)  # checked: the declared dims, 'signal' for a batch
        attrs = {"sr": sr, **p, **feat.attrs}
        out[name] = Feature(
            feat.values, feat.dims, dict(feat.coords), attrs, name=name, summarize=spec.summarize
        )
    return Features(
        out,
        sr=sr,
        n_signals=x.shape[0] if ctx.batched else None,
        stats=stats,
        computed=ctx.computed,
    )


def split_request(plan: Mapping[str, tuple[FeatureSpec, dict[str, Any]]]):
    """``(record feature names, single-signal feature names)`` of a resolved request; a
    :class:`ParameterError` when it has both (a record gives one row, a signal one row per
    channel: one table cannot have both)."""
    rec = [n for n, (spec, _) in plan.items() if spec.roles]
    one = [n for n, (spec, _) in plan.items() if not spec.roles]
    if rec and one:
        raise ParameterError(
            f"a request takes either record features (one row per record: {rec}) or features "
            f"of one signal (one row per channel: {one}), not both; extract them in two "
            "requests and join the tables on the record's id"
        )
    return rec, one


def _extract_record(
    record: Any,
    features: Any,
    *,
    sr: Any,
    stats: Sequence[str],
    roles: Mapping[str, Any] | None,
    params: Mapping[str, Any],
) -> Features:
    """:func:`extract` on a :class:`~physiofeat.records.Record`: record features only."""
    plan = resolve_params(_normalise_request(features), params)
    rec_names, one = split_request(plan)
    if not rec_names:
        raise ParameterError(
            f"x is a Record ({record.path}); extract computes record features on it "
            f"({', '.join(record_feature_names())}), and {one} are features of one signal: "
            "pass one channel (extract(rec[name], ..., sr=rec.channel(name).sr)), or the file to "
            "extract_many / the command line (one row per channel)"
        )
    role_map = record.roles(roles)
    for name, (spec, _) in plan.items():
        missing = [r for r in spec.roles if r not in role_map]
        if missing:
            raise record._missing_role(missing[0], role_map, feature=name)
    used = sorted({r for spec, _ in plan.values() for r in spec.roles})
    rates = {r: sorted({record.rates[i] for i in role_map[r]}) for r in used}
    if sr is not _REQUIRED and sr is not None:
        sr = check_sr(sr)
        off = {r: v for r, v in rates.items() if any(rate != sr for rate in v)}
        if off:
            have = "; ".join(f"{r}: {', '.join(f'{v:g}' for v in vs)} Hz" for r, vs in off.items())
            raise ParameterError(
                f"sr={sr:g} Hz disagrees with the record's rates ({have}); a record's channels "
                "carry their own rates: leave sr out, or resample with "
                f"physiofeat.load_record(path, sr={sr:g})"
            )
    ctx = RecordContext(
        record, role_map, needs={n for spec, _ in plan.values() for n in spec.needs}
    )
    out: dict[str, Feature] = {}
    for name, (spec, p) in plan.items():
        with _named(name):
            feat = ctx.feature(name, **p)
        attrs = {
            "rates": {r: ctx.signal(r)[1] for r in spec.roles},
            "channels": {r: ctx.channel_names(r) for r in spec.roles},
            **p,
            **feat.attrs,
        }
        out[name] = Feature(
            feat.values, feat.dims, dict(feat.coords), attrs, name=name, summarize=spec.summarize
        )
    all_rates = {v for vs in rates.values() for v in vs}
    return Features(
        out,
        sr=all_rates.pop() if len(all_rates) == 1 else None,
        n_signals=None,
        stats=stats,
        computed=ctx.computed,
    )
