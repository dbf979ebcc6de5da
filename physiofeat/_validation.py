"""Input validation shared by every public function (kernels never validate)."""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from typing import Any

import numpy as np

from ._errors import InvalidSignalError, ParameterError

FLOAT_DTYPES = (np.float32, np.float64)

#: The largest single work or output array a function allocates, in bytes; above it a
#: :class:`ParameterError` saying what would be built replaces an out-of-memory crash.
MAX_ARRAY_BYTES = 8 * 2**30


def check_array_size(shape: tuple[int, ...], dtype: Any, what: str, hint: str) -> None:
    """Raise :class:`ParameterError` if an array of ``shape`` and ``dtype`` would exceed
    :data:`MAX_ARRAY_BYTES`; ``what`` names the array, ``hint`` says what to change."""
    nbytes = float(np.prod([float(s) for s in shape])) * np.dtype(dtype).itemsize
    if nbytes > MAX_ARRAY_BYTES:
        raise ParameterError(
            f"{what} would be {tuple(int(s) for s in shape)} {np.dtype(dtype).name} values "
            f"({nbytes / 2**30:.3g} GiB, above the {MAX_ARRAY_BYTES / 2**30:g} GiB limit); {hint}"
        )


def real_array(x: Any, name: str, shape: str) -> np.ndarray:
    """``x`` as a real numeric ndarray (float, int, uint or bool; any shape), or an
    :class:`InvalidSignalError` naming ``name`` and the ``shape`` wanted ("of shape (n,)")."""
    if isinstance(x, (str, bytes)) or x is None:
        raise InvalidSignalError(f"{name} must be a numeric array {shape}; got {type(x).__name__}")
    try:
        arr = np.asarray(x)
    except (ValueError, TypeError) as exc:  # ragged nesting, mixed types
        raise InvalidSignalError(
            f"{name} must be a numeric array {shape}; got a {type(x).__name__} that is not one "
            f"({exc})"
        ) from None
    if arr.dtype.kind == "c":
        raise InvalidSignalError(
            f"{name} must be real-valued; got complex dtype {arr.dtype}. Pass np.real(x) or np.abs(x)."
        )
    if arr.dtype.kind not in "fiub":
        raise InvalidSignalError(f"{name} must be a real numeric array; got dtype {arr.dtype}")
    return arr


def as_signal(
    x: Any,
    *,
    name: str = "x",
    ndim: tuple[int, ...] = (1, 2),
    min_length: int = 1,
    dtype: Any = None,
    allow_nonfinite: bool = False,
) -> np.ndarray:
    """Validate a signal and return it as a C-contiguous float32/float64 array.

    Integer and bool input is converted to float64; float32 and float64 are kept (or cast to
    ``dtype`` when given). Raises :class:`InvalidSignalError` naming what was wrong.
    """
    arr = real_array(x, name, f"of shape {_shape_words(ndim)}")
    if arr.ndim not in ndim:
        raise InvalidSignalError(
            f"{name} must have shape {_shape_words(ndim)}; got {arr.ndim}-D array of shape {arr.shape}"
        )
    if arr.size == 0:
        raise InvalidSignalError(f"{name} is empty (shape {arr.shape}); a signal needs samples")
    if arr.shape[-1] < min_length:
        raise InvalidSignalError(
            f"{name} has {arr.shape[-1]} samples; at least {min_length} are needed"
        )
    if dtype is not None:
        target = np.dtype(dtype)
    elif arr.dtype in (np.float32, np.float64):
        target = arr.dtype
    else:
        target = np.dtype(np.float64)
    arr = np.ascontiguousarray(arr, dtype=target)
    # min/max propagate NaN and expose inf: two SIMD reductions, no boolean temporary
    if not allow_nonfinite and not (np.isfinite(arr.min()) and np.isfinite(arr.max())):
        bad = np.flatnonzero(~np.isfinite(arr.reshape(-1)))
        raise InvalidSignalError(
            f"{name} contains {bad.size} non-finite value(s) (NaN or inf), first at flat index "
            f"{bad[0]}; clean or interpolate the signal first"
        )
    return arr


def _shape_words(ndim: tuple[int, ...]) -> str:
    words = {
        1: "(n_samples,)",
        2: "(n_signals, n_samples)",
        3: "(n_signals, n_channels, n_samples)",
    }
    return " or ".join(words.get(d, f"{d}-D") for d in ndim)


def check_sr(sr: Any, *, name: str = "sr") -> float:
    """Return ``sr`` as a positive finite float, or raise :class:`ParameterError`."""
    if sr is None:
        raise ParameterError(
            f"{name} (sampling rate in Hz) is required here; got None. physiofeat has no default rate"
        )
    if isinstance(sr, bool) or not isinstance(sr, numbers.Real) or not np.isfinite(sr) or sr <= 0:
        raise ParameterError(f"{name} must be a positive number of Hz; got {sr!r}")
    return float(sr)


def check_int(
    value: Any,
    name: str,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    allow_none: bool = False,
) -> int | None:
    """Return ``value`` as int within [minimum, maximum], or raise :class:`ParameterError`."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ParameterError(f"{name} must be an integer; got {value!r}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ParameterError(f"{name} must be >= {minimum}; got {value}")
    if maximum is not None and value > maximum:
        raise ParameterError(f"{name} must be <= {maximum}; got {value}")
    return value


def check_workers(value: Any, name: str = "workers") -> int | None:
    """Return ``value`` if it is a thread count ``scipy.fft`` takes (None for its default, a
    positive int, or a negative one counting back from all cores: -1 = every core), or raise
    :class:`ParameterError`."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value == 0:
        raise ParameterError(
            f"{name} must be None, a positive number of threads, or -1 for all cores (a "
            f"negative int counts back from the core count); got {value!r}"
        )
    return int(value)


def check_float(
    value: Any,
    name: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    strict_min: bool = False,
    allow_none: bool = False,
) -> float | None:
    """Return ``value`` as a finite float within bounds, or raise :class:`ParameterError`."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise ParameterError(f"{name} must be a finite number; got {value!r}")
    value = float(value)
    if minimum is not None and (value <= minimum if strict_min else value < minimum):
        op = ">" if strict_min else ">="
        raise ParameterError(f"{name} must be {op} {minimum}; got {value}")
    if maximum is not None and value > maximum:
        raise ParameterError(f"{name} must be <= {maximum}; got {value}")
    return value


def check_choice(value: Any, name: str, choices: Iterable[Any]) -> Any:
    """Return ``value`` if it is one of ``choices``, or raise :class:`ParameterError`."""
    choices = tuple(choices)
    if value not in choices:
        raise ParameterError(
            f"{name} must be one of {', '.join(repr(c) for c in choices)}; got {value!r}"
        )
    return value


def check_bool(value: Any, name: str) -> bool:
    """Return ``value`` as bool if it is a real bool (or numpy bool), or raise
    :class:`ParameterError`: a string such as ``'no'`` is truthy and must not pass as True."""
    if not isinstance(value, (bool, np.bool_)):
        raise ParameterError(f"{name} must be True or False; got {value!r}")
    return bool(value)


#: How to process a recording too long for a feature that refuses it (see check_length).
SPLIT_HINT = (
    "split it into segments (extract_many(..., segment=SECONDS) or physiofeat extract "
    "--segment SECONDS, e.g. 60)"
)


def check_length(x: np.ndarray, sr: float, what: str, limit: int, hint: str = SPLIT_HINT) -> None:
    """Raise :class:`ParameterError` when a signal of ``x`` has more than ``limit`` samples:
    ``what`` (the subject of the message) takes no longer ones; ``hint`` says what to do."""
    n = x.shape[-1]
    if n > limit:
        raise ParameterError(
            f"{what} takes signals of at most {limit:,} samples ({limit / sr:.0f} s at {sr:g} "
            f"Hz); this one has {n:,} ({n / sr:.0f} s): {hint}"
        )
