"""The ``physiofeat`` command: batch feature extraction over audio folders.

::

    physiofeat extract INPUT... -f mfcc,rms -p n_fft=256 -p mfcc.n_mfcc=13 -o features.parquet
    physiofeat extract ecg/ludb -f pr_interval --channel ii -o pr.csv
    physiofeat extract ecg/ludb -f ecg_multilead -o multilead.csv
    physiofeat extract ecg_pcg/ephnogram -f ecg_pcg_timing --role pcg=PCG -o timing.csv
    physiofeat features [--family spectral] [--names]
    physiofeat info FILE...

``extract`` writes one row per recording (or per channel / fixed-length segment) with ``id``
and ``path`` columns followed by the stable :meth:`Features.vector` columns. WFDB records (a
``.hea``; its ``.dat`` is not a separate input) and EDF/BDF files are inputs too, read by
:func:`physiofeat.load_record`: one row per channel (``--channel`` chooses them), with the
channel's name in ``channel_name`` and its own rate in ``sr_hz``. Record features
(``ecg_multilead``, ``ecg_pcg_timing``) give one row per record instead, drawn on its channels
by role (``--role ROLE=CHANNEL``, repeatable, else the names' rule of
:func:`physiofeat.records.channel_role`); ``channel_name`` then says which channels played
which role, and a record without a role they need is one error record. Finished results
are appended to a journal (``<output>.journal.jsonl``) as they arrive, so a killed run loses
nothing finished; the table itself is written atomically (temporary file in the same folder,
then ``os.replace``) and ``--resume`` skips every recording the table or the journal already
holds: a recording is the file it names (its real path, whatever the spelling or the working
folder), each input spelling keeps one row, and rows of files no longer among the inputs are
left out (with a warning). The journal's first line and ``<output>.request.json`` record the
request (features, resolved parameters, sr, stats, segment, per-channel, channels, roles) and
the working folder; ``--resume`` refuses another request, and the journal of a killed run
decides over an older table. Failures go to ``<output>.errors.csv`` (path, error type,
message), written only when some recording failed or a folder could not be read.

Exit status: 0 when every recording succeeded, 1 when some failed, 2 for usage errors.
"""

from __future__ import annotations

import argparse
import ast
import fnmatch
import itertools
import json
import os
import re
import stat
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ._files import atomic_write, staged

AUDIO_SUFFIXES = (".wav", ".flac", ".ogg", ".mp3")
#: WFDB headers and EDF/BDF files: records (physiofeat.records.RECORD_SUFFIXES)
RECORD_SUFFIXES = (".hea", ".edf", ".bdf")
_ID_COLS = ("id", "path", "sr_hz", "duration_s", "channel", "channel_name", "segment", "start_s")

#: Test hook: the extract command kills itself (SIGKILL) after journaling this many results.
_KILL_AFTER_ENV = "PHYSIOFEAT_TEST_KILL_AFTER"


class UsageError(Exception):
    """A command-line problem (exit status 2)."""


# --------------------------------------------------------------------------------------------
# Parameters


def parse_value(text: str) -> Any:
    """A command-line parameter value: int, float, bool, None, list/tuple literal, else string.

    >>> from physiofeat.cli import parse_value
    >>> parse_value("256"), parse_value("0.5"), parse_value("true"), parse_value("hann")
    (256, 0.5, True, 'hann')
    >>> parse_value("none") is None, parse_value("[1, 2]")
    (True, [1, 2])
    """
    low = text.strip().lower()
    if low in ("true", "yes", "on"):
        return True
    if low in ("false", "no", "off"):
        return False
    if low in ("none", "null"):
        return None
    try:
        return ast.literal_eval(text.strip())
    except (ValueError, SyntaxError):
        return text


def parse_params(items: Sequence[str]) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """``["n_fft=256", "mfcc.n_mfcc=13"]`` -> ``({"n_fft": 256}, {"mfcc": {"n_mfcc": 13}})``."""
    shared: dict[str, Any] = {}
    own: dict[str, dict[str, Any]] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise UsageError(f"parameter {item!r} is not NAME=VALUE or FEATURE.NAME=VALUE")
        if "." in key:
            feat, _, name = key.partition(".")
            own.setdefault(feat, {})[name] = parse_value(value)
        else:
            shared[key] = parse_value(value)
    return shared, own


def _load_toml(path: str) -> dict[str, Any]:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except OSError as exc:
        raise UsageError(f"cannot read config {path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"config {path} is not valid TOML: {exc}") from None
    except UnicodeDecodeError as exc:  # TOML is UTF-8
        raise UsageError(
            f"config {path} is not valid TOML: it is not UTF-8 text (byte {exc.start}: "
            f"{exc.reason})"
        ) from None


_CONFIG_KEYS = {
    "features",
    "params",
    "sr",
    "stats",
    "segment",
    "per_channel",
    "channels",
    "roles",
    "glob",
    "jobs",
}


def _config_request(cfg: dict[str, Any], path: str):
    """Features, shared params and options from a TOML config.

    ``features`` is a list of names or a table ``name -> {params}``; ``[params]`` holds shared
    parameters, with sub-tables ``[params.<feature>]`` for one feature's own parameters.
    """
    unknown = set(cfg) - _CONFIG_KEYS
    if unknown:
        raise UsageError(
            f"config {path}: unknown key(s) {sorted(unknown)}; accepted: {sorted(_CONFIG_KEYS)}"
        )
    feats = cfg.get("features", [])
    own: dict[str, dict[str, Any]] = {}
    if isinstance(feats, dict):
        names = list(feats)
        for k, v in feats.items():
            if not isinstance(v, dict):
                raise UsageError(f"config {path}: features.{k} must be a table of parameters")
            own[k] = dict(v)
    elif isinstance(feats, list) and all(isinstance(f, str) for f in feats):
        names = list(feats)
    else:
        raise UsageError(f"config {path}: features must be a list of names or a table")
    _check_config_types(cfg, path)
    shared: dict[str, Any] = {}
    for k, v in cfg.get("params", {}).items():
        if isinstance(v, dict):
            both = {n: (own[k][n], v[n]) for n in v if n in own.get(k, {}) and own[k][n] != v[n]}
            if both:
                n, (a, b) = next(iter(both.items()))
                raise UsageError(
                    f"config {path}: {k}.{n} is given twice, {a!r} in [features.{k}] and {b!r} "
                    f"in [params.{k}]; keep one"
                )
            own.setdefault(k, {}).update(v)
        else:
            shared[k] = v
    return names, shared, own


def _check_config_types(cfg: dict[str, Any], path: str) -> None:
    """Refuse config values whose TOML type is not the option's (``per_channel = "false"``
    would be true, ``glob = "*.flac"`` six patterns of one character)."""

    def refuse(key: str, what: str) -> None:
        raise UsageError(f"config {path}: {key} must be {what}; got {cfg[key]!r}")

    def is_list_of_str(v: Any) -> bool:
        return isinstance(v, list) and all(isinstance(x, str) for x in v)

    if "params" in cfg and not isinstance(cfg["params"], dict):
        refuse("params", "a table ([params]) of parameters")
    if "per_channel" in cfg and not isinstance(cfg["per_channel"], bool):
        refuse("per_channel", "true or false")
    if "glob" in cfg and not is_list_of_str(cfg["glob"]):
        refuse("glob", 'a list of patterns (glob = ["*.wav"])')
    if "stats" in cfg and not is_list_of_str(cfg["stats"]):
        refuse("stats", 'a list of statistic names (stats = ["mean", "std"])')


# --------------------------------------------------------------------------------------------
# Inputs


def _is_input(f: Path) -> bool:
    """A file a folder search picks: audio, an EDF/BDF file, or a WFDB header of a record
    whose signals are not an audio file (CirCor's ``.hea`` beside each ``.wav``)."""
    suffix = f.suffix.lower()
    if suffix not in AUDIO_SUFFIXES + RECORD_SUFFIXES or not f.is_file():
        return False
    if suffix == ".hea":
        from .records import header_of_audio

        return not header_of_audio(f)
    return True


def _not_searched(rec: dict[str, str], unreadable: list[dict[str, str]] | None) -> None:
    """An input the search could not take (a folder it could not list, a broken link): an
    error record appended to ``unreadable``, or a warning when that is None."""
    if unreadable is None:
        import warnings

        warnings.warn(rec["error"], stacklevel=4)  # the caller of discover
    else:
        unreadable.append(rec)


def _walk(folder: Path, inp: str, unreadable: list[dict[str, str]] | None) -> list[Path]:
    """Every file and folder below ``folder``, as ``Path.rglob("*")`` gives them (a symlinked
    folder is not entered), but a folder that cannot be listed is not passed over in silence:
    the input folder itself is a usage error, one below it an error record in ``unreadable``
    (a warning when that is None)."""
    found: list[Path] = []

    def onerror(exc: OSError) -> None:
        where = exc.filename if exc.filename is not None else folder
        if os.path.normpath(where) == os.path.normpath(folder):
            raise UsageError(f"cannot read input folder {inp}: {exc.strerror or exc}")
        rec = {
            "path": os.fspath(where),
            "id": Path(where).relative_to(folder).as_posix(),
            "error_type": type(exc).__name__,
            "error": f"cannot read folder {where}: {exc.strerror or exc}; the recordings in it "
            "are not in the table",
        }
        _not_searched(rec, unreadable)

    for top, dirs, files in os.walk(folder, onerror=onerror):
        found.extend(Path(top, name) for name in dirs + files)
    return found


def discover(
    inputs: Sequence[str],
    globs: Sequence[str] = (),
    *,
    unreadable: list[dict[str, str]] | None = None,
) -> list[tuple[str, str]]:
    """``(id, path)`` for every input: files as given, folders searched recursively for
    WAV/FLAC/OGG/MP3 and for records, WFDB headers (``.hea``; not the ``.dat``, nor a header
    whose signal file is an audio file found beside it) and EDF/BDF files (sorted). ``globs``
    (fnmatch on the id and on the file name) filter both.
    The id is the path relative to its input folder (the file name for a file input). A folder
    below an input folder that cannot be read is an error record (path, id, error_type, error)
    appended to ``unreadable`` (a warning when it is None); an input folder that cannot be read
    is a :class:`UsageError`."""
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for inp in inputs:
        p = Path(inp)
        if p.is_dir():
            walked = _walk(p, inp, unreadable)
            found = sorted(f for f in walked if _is_input(f))
            pairs = [(f.relative_to(p).as_posix(), str(f)) for f in found]
            _broken_links(p, walked, unreadable, globs)
        elif p.exists():
            pairs = [(p.name, str(p))]
        else:
            raise UsageError(f"input {inp!r} does not exist")
        for rid, path in pairs:
            if not _selected(rid, globs):
                continue
            if path in seen:
                continue
            seen.add(path)
            out.append((rid, path))
    return out


def _selected(rid: str, globs: Sequence[str]) -> bool:
    """An input of id ``rid`` passes ``--glob``: no patterns, or one matching the id or the
    file name."""
    return not globs or any(
        fnmatch.fnmatch(rid, g) or fnmatch.fnmatch(Path(rid).name, g) for g in globs
    )


def _why_missing(link: Path) -> str:
    """Why the target of ``link`` cannot be opened: missing, or a loop of links."""
    import errno

    try:
        os.stat(link)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "leads back to itself (a loop of links)"
    return "does not exist"


def _broken_links(
    folder: Path, walked: Sequence[Path], unreadable: list | None, globs: Sequence[str] = ()
) -> None:
    """A link to a missing file, named as a recording, found below ``folder`` (and matching
    ``globs``, as an input would): an error record in ``unreadable`` (a warning when that is
    None), not a file passed over."""
    for f in walked:
        if f.suffix.lower() not in AUDIO_SUFFIXES + RECORD_SUFFIXES or f.exists():
            continue
        rid = f.relative_to(folder).as_posix()
        if not _selected(rid, globs):
            continue
        try:
            to = os.readlink(f)
        except OSError:  # not a link (or removed while searched)
            continue
        rec = {
            "path": os.fspath(f),
            "id": rid,
            "error_type": "FileNotFoundError",
            "error": f"{f} is a link to {to}, which {_why_missing(f)}",
        }
        _not_searched(rec, unreadable)


# --------------------------------------------------------------------------------------------
# Outputs


def _nothing_found(inputs: Sequence[str], globs: Sequence[str]) -> str:
    """The usage error of inputs where :func:`discover` finds nothing, naming ``--glob`` when
    it is the filter that left nothing."""
    if globs and discover(inputs, unreadable=[]):
        return f"no input matches --glob {' '.join(globs)} (in {', '.join(inputs)})"
    return (
        f"no audio files or records ({', '.join(AUDIO_SUFFIXES + RECORD_SUFFIXES)}) found "
        f"in {list(inputs)}"
    )


def _shared_target(target: Path, first: str, second: str) -> str:
    """The usage error of two inputs whose outputs would be one file ``target``."""
    if Path(first).parent == Path(second).parent:
        return (
            f"{first} and {second} differ only in their suffix, so both segmentations would be "
            f"{target}: segment them in separate runs, with separate output folders"
        )
    return (
        f"two inputs would share the segmentation file {target} ({first}, {second}): give "
        "their common parent folder as the input, or segment them in separate runs"
    )


def errors_path(output: Path) -> Path:
    """The per-file error report beside ``output``, named after its whole name
    (``features.parquet`` -> ``features.parquet.errors.csv``), so ``a.csv`` and ``a.parquet``
    have one each and no output is another's report."""
    return output.with_name(output.name + ".errors.csv")


def _interruptible(results):
    """Yield ``results``, computed on a daemon thread, while this (main) thread waits on a
    queue with a timeout: Python runs a signal handler only between bytecodes of the main
    thread, so a long Numba kernel (EMD of a long recording, sample entropy) computed here
    would hold off Ctrl-C until it returned. The caller journals what it has received; what
    the thread was computing when interrupted is discarded (``--resume`` redoes it)."""
    import queue
    import threading

    q: queue.Queue = queue.Queue()
    done = object()

    def produce():
        try:
            for r in results:
                q.put(r)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the main thread
            q.put(exc)
        q.put(done)

    threading.Thread(target=produce, name="physiofeat-extract", daemon=True).start()
    while True:
        try:
            item = q.get(timeout=0.25)
        except queue.Empty:
            continue
        if item is done:
            return
        if isinstance(item, BaseException):
            raise item
        yield item


def journal_path(output: Path) -> Path:
    """The append-only journal of finished results beside ``output``."""
    return output.with_name(output.name + ".journal.jsonl")


def request_path(output: Path) -> Path:
    """The record of what ``output`` was computed with (features, parameters, stats...),
    beside it; ``--resume`` refuses to add to a table made by another request."""
    return output.with_name(output.name + ".request.json")


def _canonical(value: Any) -> Any:
    """``value`` as JSON would give it back (tuples as lists, odd objects by their repr)."""
    return json.loads(json.dumps(value, default=repr))


def parse_roles(items: Sequence[str]) -> dict[str, list[str]] | None:
    """``["pcg=PCG", "ecg=ii", "ecg=v5"]`` -> ``{"pcg": ["PCG"], "ecg": ["ii", "v5"]}``
    (None for no items).

    >>> from physiofeat.cli import parse_roles
    >>> parse_roles(["pcg=PCG", "ecg=ii", "ecg=v5"])
    {'pcg': ['PCG'], 'ecg': ['ii', 'v5']}
    """
    if not items:
        return None
    out: dict[str, list[str]] = {}
    for item in items:
        role, sep, chan = item.partition("=")
        role, chan = role.strip().lower(), chan.strip()
        if not sep or not role or not chan:
            raise UsageError(f"--role {item!r} is not ROLE=CHANNEL (e.g. --role pcg=PCG)")
        out.setdefault(role, []).append(chan)
    return out


def _request_record(
    plan, *, sr, stats, segment, per_channel, channels=None, roles=None
) -> dict[str, Any]:
    return _canonical(
        {
            "features": {name: params for name, (_, params) in plan.items()},
            "sr": None if sr is None else float(sr),  # a config's 4000 is --sr 4000
            "stats": list(stats),
            "segment": None if segment is None else float(segment),
            "per_channel": bool(per_channel),
            "channels": None if channels is None else list(channels),
            "roles": None if roles is None else {r: list(v) for r, v in roles},
        }
    )


def _request_diff(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """What differs between two request records, one phrase each."""
    out: list[str] = []
    of, nf = old.get("features", {}), new.get("features", {})
    if list(of) != list(nf):
        out.append(f"features {list(of)} -> {list(nf)}")
    else:
        for name in nf:
            a, b = of[name], nf[name]
            for k in sorted(set(a) | set(b)):
                if a.get(k) != b.get(k):
                    out.append(f"{name}.{k} {a.get(k)!r} -> {b.get(k)!r}")
    for k in ("sr", "stats", "segment", "per_channel", "channels", "roles"):
        if _folded(old.get(k)) != _folded(new.get(k)):
            out.append(f"{k} {old.get(k)!r} -> {new.get(k)!r}")
    return out


def _folded(value: Any) -> Any:
    """Channel names as they are matched: case-insensitively (``--channel ii`` is ``II``)."""
    if isinstance(value, str):
        return value.casefold()
    if isinstance(value, list):
        return [_folded(v) for v in value]
    if isinstance(value, dict):
        return {k: _folded(v) for k, v in value.items()}
    return value


def _check_resume(old: dict[str, Any] | None, new: dict[str, Any], where: Path) -> None:
    if old is None:
        return
    diff = _request_diff(old, new)
    if diff:
        raise UsageError(
            f"--resume: {where} was made with another request ({'; '.join(diff)}); rerun "
            "without --resume (or with another output) to compute the table afresh"
        )


def _check_output(output: Path) -> None:
    """Refuse, before any work, an output that could not be written when the run ends."""
    import tempfile

    if output.is_dir():
        raise UsageError(
            f"output {output} is a folder: give the table a file name ending in .parquet or .csv"
        )
    for p in (journal_path(output), request_path(output), errors_path(output)):
        if p.is_dir():
            raise UsageError(f"{p}, a file the output {output} needs, is a folder: remove it")
    try:
        fd, probe = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".probe", dir=output.parent)
    except OSError as exc:
        raise UsageError(
            f"cannot write to output folder {output.parent}: {exc.strerror or exc}"
        ) from None
    os.close(fd)
    os.unlink(probe)


def write_table(df, path: Path) -> None:
    """Parquet or CSV by suffix, atomically."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        atomic_write(path, lambda t: df.to_parquet(t, index=False))
    elif suffix == ".csv":
        atomic_write(path, lambda t: df.to_csv(t, index=False))
    else:  # pragma: no cover - checked before any work
        raise UsageError(f"output {path} must end in .parquet or .csv")


def read_table(path: Path):
    """The table at ``path`` (Parquet or CSV by suffix); one that cannot be read, or that has
    no ``id`` and ``path`` columns, is a :class:`UsageError` naming it."""
    import pandas as pd

    try:
        if path.suffix.lower() == ".parquet":
            df = pd.read_parquet(path)
        else:
            df = pd.read_csv(
                path, dtype={"id": str, "path": str}, keep_default_na=False, na_values=[""]
            )
    except Exception as exc:  # noqa: BLE001 - empty, truncated, not a table: pandas/arrow errors
        raise UsageError(
            f"--resume: cannot read {path} ({type(exc).__name__}: {exc}); rerun without "
            "--resume to compute the table afresh"
        ) from None
    if not {"id", "path"} <= set(df.columns):
        raise UsageError(
            f"--resume: {path} has no id and path columns (it has {list(df.columns)[:5]}): it "
            "is not a physiofeat table; rerun without --resume to compute it afresh"
        )
    return df


def _read_request(path: Path) -> dict[str, Any] | None:
    """The request record ``path`` holds (None if there is none); a record that cannot be read
    is a :class:`UsageError` naming it."""
    if not path.exists():
        return None
    try:
        rec = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(rec, dict) or not isinstance(rec.get("features"), dict):
            raise ValueError("not a request record")
    except (OSError, ValueError) as exc:
        raise UsageError(
            f"--resume: cannot read {path} ({type(exc).__name__}: {exc}), the request the table "
            "was made with; rerun without --resume to compute the table afresh"
        ) from None
    return rec


def _shown(text: str) -> str:
    """``text`` as the table shows it: a file name's bytes that are not UTF-8 (held as
    surrogates, ``\\udcff``) backslash-escaped (``\\xff``), so CSV and Parquet can store it.

    >>> _shown("a\\udcff.wav"), _shown("señal.wav")
    ('a\\\\xff.wav', 'señal.wav')
    """
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        try:
            raw = text.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:
            raw = text.encode("utf-8", "backslashreplace")
        return raw.decode("utf-8", "backslashreplace")


def column_mismatch(cols: Sequence[str], table: Sequence[str]) -> str:
    """What differs between a result's columns and the table's: the counts and the first
    differing names, so a user sees which feature broke the table's schema.

    >>> from physiofeat.cli import column_mismatch
    >>> column_mismatch(["a", "cwt_220.5Hz_mean"], ["a", "cwt_20Hz_mean"])
    "its columns differ from the table's (2 vs 2): column 1 is 'cwt_220.5Hz_mean' here, 'cwt_20Hz_mean' in the table"
    """
    i = next((k for k, (a, b) in enumerate(zip(cols, table)) if a != b), min(len(cols), len(table)))
    here = repr(cols[i]) if i < len(cols) else "absent"
    there = repr(table[i]) if i < len(table) else "absent"
    return (
        f"its columns differ from the table's ({len(cols)} vs {len(table)}): column {i} is "
        f"{here} here, {there} in the table"
    )


def _result_record(r) -> dict[str, Any]:
    if not r.ok:
        return {"path": r.path, "id": r.id, "error_type": r.error_type, "error": r.error}
    rec = {"path": r.path, "id": r.id, "names": r.names, "vector": r.vector.tolist()}
    rec["sr"], rec["duration"] = _per_row(r.sr), _per_row(r.duration)
    if getattr(r, "channel_name", None) is not None:
        rec["channel_name"] = list(r.channel_name)
    for k in ("channel", "segment"):
        v = getattr(r, k)
        if v is not None:
            rec[k] = v.tolist()
    if r.start is not None:
        rec["start_s"] = r.start.tolist()
    return rec


def _per_row(v: Any) -> Any:
    """A float, or a list of per-row floats (a record's channels at different rates)."""
    return v.tolist() if isinstance(v, np.ndarray) else v


def _record_rows(rec: dict[str, Any]) -> tuple[list[str], list[dict[str, Any]], np.ndarray]:
    """Column names, per-row id columns and the ``(n_rows, n_columns)`` values of a record."""
    values = np.asarray(rec["vector"], dtype=np.float64)
    values = values[None, :] if values.ndim == 1 else values
    metas = []
    for i in range(len(values)):
        meta: dict[str, Any] = {"id": _shown(rec["id"]), "path": _shown(rec["path"])}
        if "sr" in rec:  # the rate the features were computed at, the recording's length
            sr, dur = rec["sr"], rec["duration"]
            meta["sr_hz"] = sr[i] if isinstance(sr, list) else sr
            meta["duration_s"] = dur[i] if isinstance(dur, list) else dur
        for k in ("channel", "channel_name", "segment", "start_s"):
            if k in rec:
                meta[k] = rec[k][i]
        metas.append(meta)
    return rec["names"], metas, values


def _real(path: str, cwd: str) -> str:
    """The file ``path`` (typed in folder ``cwd``) is: absolute, symlinks resolved."""
    return os.path.realpath(os.path.join(cwd, path))


def _unshown(text: str) -> str:
    """The file name :func:`_shown` shows as ``text`` (``\\xff`` back to ``\\udcff``)."""
    if "\\x" not in text:
        return text
    return re.sub(r"\\x([89a-f][0-9a-f])", lambda m: chr(0xDC00 + int(m.group(1), 16)), text)


def _match_results(todo: Sequence[tuple[str, str]], olds: Sequence[tuple[str, str, Any]]):
    """Which result already held each input takes: ``{input index: result index}``. A result
    is of an input when it is of the same file (its real path: a folder typed as a relative
    path once and as an absolute one now, from another working folder, a symlink); among
    several spellings of one file each takes one result, the one spelled as it is first."""
    by_real: dict[str, list[int]] = {}
    for j, (_, real, _) in enumerate(olds):
        by_real.setdefault(real, []).append(j)
    reals = [os.path.realpath(p) for _, p in todo]
    taken: dict[int, int] = {}
    used: set[int] = set()
    for same_spelling in (True, False):
        for i, (_, p) in enumerate(todo):
            if i in taken:
                continue
            for j in by_real.get(reals[i], ()):
                if j not in used and (olds[j][0] == p or not same_spelling):
                    taken[i] = j
                    used.add(j)
                    break
    return taken


def _warn_dropped(olds: Sequence[tuple[str, str, Any]], matched: set[int], output: Path) -> None:
    """Say which results already held are left out: their files are not among the inputs."""
    gone = [old for j, old in enumerate(olds) if j not in matched]
    if not gone:
        return
    n_rows = sum(
        (1 if np.ndim(rows["vector"]) == 1 else len(rows["vector"]))
        if isinstance(rows, dict)
        else len(rows)
        for _, _, rows in gone
    )
    names = ", ".join(_shown(typed) for typed, _, _ in gone[:3])
    names += ", ..." if len(gone) > 3 else ""
    print(
        f"physiofeat: --resume: {n_rows} row(s) of {len(gone)} file(s) no longer among the inputs "
        f"are left out of {output}: {names}",
        file=sys.stderr,
    )


def _set_aside(journal: Journal) -> None:
    """Before a run started afresh journals its first result: the journal of an unfinished
    run holding finished results is renamed ``.bak`` (with a warning), not overwritten."""
    n = sum(1 for rec in journal.read() if "path" in rec)
    if not n:
        return
    bak = journal.path.with_name(journal.path.name + ".bak")
    os.replace(journal.path, bak)
    print(
        f"physiofeat: warning: {n} finished results of an unfinished run, journaled in "
        f"{journal.path}, are set aside in {bak} (rerun with --resume instead to continue that "
        "run)",
        file=sys.stderr,
    )


def _refuse_other_format(output: Path) -> None:
    """``--resume`` with nothing to resume at ``output`` while the same table in the other
    format (or its journal) is there: the user meant that run."""
    for suffix in (".csv", ".parquet"):
        other = output.with_suffix(suffix)
        if other.name.lower() == output.name.lower():
            continue
        for there in (journal_path(other), other):
            if there.exists():
                raise UsageError(
                    f"--resume: nothing to resume at {output} (no table, no journal), but "
                    f"{there} exists: resume that run with -o {other}, or drop --resume to "
                    f"compute {output} afresh"
                )


def _check_feature_columns(columns: Sequence[str], feats: Sequence[str], output: Path) -> None:
    """A table without its request record: its columns must be of the requested features."""
    stray = [c for c in columns if not any(c == n or c.startswith(n + "_") for n in feats)]
    missing = [n for n in feats if not any(c == n or c.startswith(n + "_") for c in columns)]
    if stray or missing:
        raise UsageError(
            f"--resume: {output} has columns of other features (columns {stray[:3]} are not of "
            f"{list(feats)}, features {missing} have none); its columns differ from this "
            "request's: rerun without --resume"
        )


def _check_array_ids(todo: Sequence[tuple[str, str]], arrays: str) -> None:
    """``--arrays`` stores a recording's arrays under its id: two inputs with one id (a.wav in
    two input folders) would share one file."""
    from .batch import arrays_path

    first: dict[str, str] = {}
    for rid, path in todo:
        if rid in first:
            raise UsageError(
                f"--arrays: two inputs have the id {rid!r} ({first[rid]}, {path}; an id is the "
                "path relative to its input folder), so their arrays would share "
                f"{arrays_path(arrays, rid)}: give their common parent folder as the input "
                "instead, or extract them in separate runs"
            )
        first[rid] = path


def _fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (best effort: not every OS opens a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - Windows
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


class Journal:
    """Append-only JSON-lines log of finished results; a torn last line (kill mid-write) is
    ignored when read back. Lines are ASCII (JSON escapes): a file name that is not valid
    UTF-8 (``\\udcff`` in Python) is written and read back as it is."""

    def __init__(self, path: Path):
        self.path = path
        self._fh = None

    def head(self) -> dict[str, Any] | None:
        """The record the journal starts with: the request, the working folder of the run
        (``cwd``) and whether the run adds to the output table (``table``); None if absent."""
        if not self.path.exists():
            return None
        with open(self.path, encoding="utf-8", errors="replace") as fh:
            line = fh.readline()
        try:
            rec = json.loads(line) if line.endswith("\n") else None
        except json.JSONDecodeError:
            return None
        return rec if isinstance(rec, dict) and "request" in rec else None

    def request(self) -> dict[str, Any] | None:
        """The request record the journal starts with (None if absent)."""
        head = self.head()
        return None if head is None else head["request"]

    def read(self, *, with_request: bool = False) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        out = []
        # errors="replace": the torn tail of an older, UTF-8 journal may end mid-character
        with open(self.path, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if not line.endswith("\n"):
                    break  # torn write
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError:
                    break
        if not with_request:
            out = [rec for rec in out if "request" not in rec]
        return out

    def open(self, *, truncate: bool, head: dict[str, Any] | None = None) -> None:
        """Start writing: a new journal (``truncate``, or none yet) holds ``head`` only, an
        existing one keeps its records but not a torn tail. Either way the journal is written
        whole to a temporary file, synced and renamed over the old one, so a kill at any
        moment leaves the old journal or the new one, never a truncated one."""
        recs = [] if truncate else self.read(with_request=True)
        if head is not None and not (recs and "request" in recs[0]):
            recs.insert(0, head)
        atomic_write(
            self.path,
            lambda tmp: tmp.write_text("".join(json.dumps(r) + "\n" for r in recs), "utf-8"),
        )
        _fsync_folder(self.path.parent)
        self._fh = open(self.path, "a", encoding="utf-8")

    def append(self, rec: dict[str, Any]) -> None:
        self._fh.write(json.dumps(rec) + "\n")
        self._fh.flush()

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


# --------------------------------------------------------------------------------------------
# Commands


def _for_the_command_line(message: str) -> str:
    """A library message as the command's user reads it (the registry points Python users to
    ``physiofeat.features()``, the command's to ``physiofeat features``)."""
    return message.replace(
        "physiofeat.features() lists all", "'physiofeat features' lists all"
    ).replace(", physiofeat.presets() the presets", " and the presets")


def _connect(address: str):
    """The Dask client of ``--scheduler ADDRESS`` (extract, segment); a usage error when it
    cannot connect."""
    from ._errors import PhysiofeatError
    from .distributed import connect

    try:
        return connect(address)
    except PhysiofeatError as exc:
        raise UsageError(f"--scheduler: {exc}") from None


def _progress_bar(total: int, initial: int, desc: str):
    """The commands' progress bar on stderr, counting files."""
    from tqdm.auto import tqdm

    return tqdm(
        total=total, initial=initial, unit="files", file=sys.stderr, dynamic_ncols=True, desc=desc
    )


def _cmd_extract(args: argparse.Namespace) -> int:
    from ._errors import PhysiofeatError
    from ._features import check_stats
    from ._registry import _normalise_request, resolve_params
    from .batch import check_record_request, default_jobs, iter_extract

    output = Path(args.output)
    if output.suffix.lower() not in (".parquet", ".csv"):
        raise UsageError(f"output {output} must end in .parquet or .csv")
    if not output.parent.exists():
        raise UsageError(f"output folder {output.parent} does not exist")
    _check_output(output)
    names: list[str] = []
    shared: dict[str, Any] = {}
    own: dict[str, dict[str, Any]] = {}
    cfg: dict[str, Any] = {}
    if args.config:
        cfg = _load_toml(args.config)
        names, shared, own = _config_request(cfg, args.config)
    if args.features:
        names = [f.strip() for f in args.features.split(",") if f.strip()]
    if not names:
        raise UsageError(
            "no features requested: pass -f NAME[,NAME...] (physiofeat features lists them)"
        )
    cli_shared, cli_own = parse_params(args.param or [])
    shared.update(cli_shared)
    for k, v in cli_own.items():
        own.setdefault(k, {}).update(v)
    extra = set(own) - set(names)
    request = {n: own.get(n, {}) for n in names}
    if extra:  # -f heart_sound -p mfcc.n_mfcc=20: parameters of a preset's feature
        from ._registry import _expand_presets

        expanded = _expand_presets({n: {} for n in names})
        extra = set(own) - set(expanded)
        if extra:
            raise UsageError(
                f"parameters given for feature(s) {sorted(extra)} that are not requested ({names})"
            )
        request = {n: {**p, **own.get(n, {})} for n, p in expanded.items()}
    sr = args.sr if args.sr is not None else cfg.get("sr")
    if args.stats is not None:
        stats = [s.strip() for s in args.stats.split(",") if s.strip()]
    else:
        stats = cfg.get("stats", ["mean", "std", "min", "max"])
    try:
        stats = list(check_stats(stats))
    except PhysiofeatError as exc:
        raise UsageError(f"--stats: {exc}") from None
    segment = args.segment if args.segment is not None else cfg.get("segment")
    per_channel = args.per_channel or bool(cfg.get("per_channel", False))
    channels = list(args.channel or []) or cfg.get("channels")
    if channels is not None and (
        not isinstance(channels, list) or not all(isinstance(c, (str, int)) for c in channels)
    ):
        raise UsageError(f"channels must be a list of channel names or indices; got {channels!r}")
    roles = parse_roles(args.role or []) or cfg.get("roles")
    if roles is not None and not isinstance(roles, dict):
        raise UsageError(f"roles must be a table role -> channel name(s); got {roles!r}")
    globs = list(args.glob or []) or list(cfg.get("glob", []))
    jobs = args.jobs if args.jobs is not None else cfg.get("jobs")
    if args.scheduler and jobs is not None:  # --jobs with --scheduler: refused in main()
        print(
            f"physiofeat: jobs = {jobs} in {args.config} has no effect with --scheduler (the "
            "Dask cluster's workers set the parallelism)",
            file=sys.stderr,
        )
    try:  # values from a config file are checked here, as argparse checks the options
        from ._validation import check_float, check_int, check_sr

        sr = None if sr is None else check_sr(sr)
        segment = (
            None
            if segment is None
            else check_float(segment, "segment", minimum=0.0, strict_min=True)
        )
        jobs = None if jobs is None else check_int(jobs, "jobs", minimum=1)
    except PhysiofeatError as exc:
        raise UsageError(str(exc)) from None
    n_jobs = default_jobs() if jobs is None else jobs
    if n_jobs > 1 and not args.scheduler:
        # Boot (and warm) the workers' fork server while this process imports the families.
        from .batch import prestart_workers

        prestart_workers(request, sr=sr, stats=stats, **shared)
    try:
        plan = resolve_params(_normalise_request(request), shared)
        _, roles_t = check_record_request(
            plan, roles=roles, per_channel=per_channel, segment=segment
        )
    except (PhysiofeatError, KeyError) as exc:
        raise UsageError(_for_the_command_line(str(exc))) from None
    req_record = _request_record(
        plan,
        sr=sr,
        stats=stats,
        segment=segment,
        per_channel=per_channel,
        channels=channels,
        roles=roles_t,
    )

    cwd = os.getcwd()
    unreadable: list[dict[str, Any]] = []  # folders that could not be listed: error records
    todo = discover(args.inputs, globs, unreadable=unreadable)
    if not todo:
        raise UsageError(
            _nothing_found(args.inputs, globs)
            + (f" ({len(unreadable)} folder(s) could not be read)" if unreadable else "")
        )
    if args.arrays is not None:
        if os.path.lexists(args.arrays) and not os.path.isdir(args.arrays):
            raise UsageError(
                f"--arrays {args.arrays} is a file, not a folder: the arrays are written into "
                "a folder (made when missing); name another path"
            )
        _check_array_ids(todo, args.arrays)

    journal = Journal(journal_path(output))
    old_table = None  # rows already held: the output table (on --resume) ...
    metas: list[dict[str, Any]] = []  # ... then the journal and new results: id columns
    blocks: list[np.ndarray] = []  # and (n_rows, n_columns) values, compact
    columns: list[str] | None = None
    unchecked = False  # a table without its request record: its parameters are unknown
    head = {"request": req_record, "cwd": cwd, "table": bool(args.resume)}

    def add(rec: dict[str, Any]) -> dict[str, Any] | None:
        """Add a result's rows to the table; a result whose columns are not the table's is
        not added: its error record is returned instead (the run goes on)."""
        nonlocal columns
        cols, m, values = _record_rows(rec)
        if columns is None:
            columns = cols
        elif cols != columns:
            if unchecked:  # the table's request is unknown, and this one's columns differ
                raise UsageError(
                    f"--resume: {output} has no request record ({request_path(output).name}) "
                    f"and this request gives other columns ({column_mismatch(cols, columns)}); "
                    "rerun without --resume to compute the table afresh"
                )
            return {
                "path": rec["path"],
                "id": rec["id"],
                "error_type": "ColumnMismatch",
                "error": column_mismatch(cols, columns),
            }
        metas.extend(m)
        blocks.append(values)
        return None

    pending = todo
    if args.resume:
        jhead = journal.head()
        if jhead is not None:
            _check_resume(jhead["request"], req_record, journal.path)
        elif not output.exists() and not journal.path.exists():
            _refuse_other_format(output)
        # the journal is newer than the table: a run started afresh (without --resume)
        # replaces the table, as does one made with another request than the table's
        why = None
        if output.exists() and jhead is not None and jhead.get("table") is False:
            why = "was started without --resume"
        table_req = _read_request(request_path(output)) if output.exists() and not why else None
        if table_req is not None and jhead is not None:
            if _request_diff(table_req, jhead["request"]):
                why = "has another request than the table"
        if why:
            print(
                f"physiofeat: --resume continues the unfinished run journaled in "
                f"{journal.path}, which {why}: it replaces {output}, whose rows are not kept",
                file=sys.stderr,
            )
        use_table = output.exists() and not why
        if use_table:
            if table_req is not None:
                _check_resume(table_req, req_record, output)
            old_table = read_table(output)
            columns = [c for c in old_table.columns if c not in _ID_COLS]
            if old_table.shape[0] == 0:  # every file of that run failed: no row to keep
                old_table, columns = None, None
            elif table_req is None:  # a table without its request: its columns must be ours
                _check_feature_columns(columns, list(plan), output)
                unchecked = True
                print(
                    f"physiofeat: warning: {output} has no request record "
                    f"({request_path(output).name}): its parameters cannot be checked, only "
                    "its columns; rerun without --resume to compute it afresh if they may "
                    "differ from this request's",
                    file=sys.stderr,
                )
        # the results already held, each matched to an input by the file it is of
        olds: list[tuple[str, str, Any]] = []  # (path as typed, real path, rows or record)
        if old_table is not None:
            tcwd = (table_req or {}).get("cwd", cwd)
            for shown, rows in old_table.groupby("path", sort=False).indices.items():
                typed = _unshown(str(shown))
                olds.append((typed, _real(typed, tcwd), rows))
        jcwd = (jhead or {}).get("cwd", cwd)
        olds.extend(
            (rec["path"], rec.get("real") or _real(rec["path"], jcwd), rec)
            for rec in journal.read()
            if "vector" in rec
        )
        taken = _match_results(todo, olds)
        matched = set(taken.values())  # the others are of files no longer among the inputs
        if args.arrays is not None:  # a file is done when its arrays are there too
            from .batch import arrays_path

            no_arrays = [i for i in taken if not arrays_path(args.arrays, todo[i][0]).exists()]
            for i in no_arrays:
                del taken[i]
            if no_arrays and not args.quiet:
                print(
                    f"physiofeat: --arrays: {len(no_arrays)} finished recording(s) without "
                    f"arrays in {args.arrays} are computed again",
                    file=sys.stderr,
                )
        table_rows = np.zeros(0 if old_table is None else len(old_table), dtype=bool)
        new_id = np.empty(len(table_rows), dtype=object)
        new_path = np.empty(len(table_rows), dtype=object)
        for i, j in list(taken.items()):
            rid, p = todo[i]
            payload = olds[j][2]
            if isinstance(payload, dict):  # a journaled result, under this run's spelling
                if add({**payload, "id": rid, "path": p}) is not None:
                    del taken[i]  # columns not the table's: computed again
            else:
                table_rows[payload] = True
                new_id[payload], new_path[payload] = _shown(rid), _shown(p)
        if old_table is not None:
            old_table = old_table.assign(id=new_id, path=new_path)[table_rows]
        _warn_dropped(olds, matched, output)
        pending = [t for i, t in enumerate(todo) if i not in taken]

    client = None
    if args.scheduler:
        client = _connect(args.scheduler)
    else:  # no more workers than files to compute, nor than cores
        n_jobs = max(1, min(n_jobs, len(pending), default_jobs()))

    def journal_result(rec: dict[str, Any]) -> None:
        """Journal a result; the journal is opened with the first (after every check)."""
        if journal._fh is None:
            if not args.resume:
                _set_aside(journal)
            journal.open(truncate=not args.resume, head=head)
        journal.append({**rec, "real": _real(rec["path"], cwd)})

    kill_after = int(os.environ.get(_KILL_AFTER_ENV, "0") or 0)
    bar = None
    if not args.quiet:
        bar = _progress_bar(len(todo), len(todo) - len(pending), "extract")
    errors: list[dict[str, Any]] = []
    t0 = time.perf_counter()
    n_done = 0
    try:
        results = iter_extract(
            [p for _, p in pending],
            request,
            sr=sr,
            n_jobs=n_jobs,
            client=client,
            ids=[rid for rid, _ in pending],
            stats=stats,
            per_channel=per_channel,
            channels=channels,
            roles=roles,
            segment=segment,
            arrays_dir=args.arrays,
            **shared,
        )
        results = _interruptible(results)
        try:
            first = next(results, None)  # iter_extract checks its arguments before any work
        except PhysiofeatError as exc:
            raise UsageError(str(exc)) from None
        for r in itertools.chain([] if first is None else [first], results):
            rec = _result_record(r)
            if r.ok:
                rec = add(rec) or rec  # its error record if its columns are not the table's
            journal_result(rec)
            n_done += 1
            if kill_after and n_done >= kill_after:
                import signal

                os.kill(os.getpid(), signal.SIGKILL)
            if "error_type" in rec:
                errors.append(rec)
            if bar is not None:
                bar.update(1)
                if errors:
                    bar.set_postfix(failed=len(errors), refresh=False)
    finally:
        if bar is not None:
            bar.close()
        journal.close()
        if client is not None and args.scheduler:
            client.close()
    elapsed = time.perf_counter() - t0

    import pandas as pd

    order = {_shown(p): i for i, (_, p) in enumerate(todo)}
    frames = [] if old_table is None else [old_table]
    if blocks:
        frames.append(
            pd.concat(
                [pd.DataFrame(metas), pd.DataFrame(np.vstack(blocks), columns=columns)], axis=1
            )
        )
    df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["id", "path"])
    id_cols = [c for c in _ID_COLS if c in df.columns]
    df = df[id_cols + [c for c in df.columns if c not in _ID_COLS]]
    keys = [df["path"].map(order).fillna(len(order)).to_numpy(float)]
    for c in ("channel", "segment"):
        if c in df:  # empty for audio rows beside a record's per-channel rows
            df[c] = df[c].astype("int64" if df[c].notna().all() else "Int64")
            keys.append(df[c].fillna(-1).to_numpy(float))
    # one stable sort by (input order, channel, segment); np.lexsort takes the last key first.
    # Sorting by index, not by columns added to a frame of hundreds of columns, which pandas
    # warned about as a fragmented frame on every resume.
    df = df.iloc[np.lexsort(keys[::-1])].reset_index(drop=True)
    write_table(df, output)
    if unchecked:  # what the older rows were computed with stays unknown
        request_path(output).unlink(missing_ok=True)
    else:
        atomic_write(
            request_path(output),
            lambda t: t.write_text(json.dumps({**req_record, "cwd": cwd}), encoding="utf-8"),
        )
    n_failed = len(errors)
    errors = unreadable + errors
    if errors:
        # a message quotes the file's name: all of a row shown as the table shows names (a
        # name's bytes that are not UTF-8 cannot enter pandas' Arrow strings as surrogates)
        cols = ["path", "id", "error_type", "error"]
        rows = [[_shown(v) if isinstance(v, str) else v for v in map(e.get, cols)] for e in errors]
        err_df = pd.DataFrame(rows, columns=cols)
        err_df = err_df.sort_values(
            "path", key=lambda s: s.map(lambda p: order.get(p, len(order)))
        ).reset_index(drop=True)
        atomic_write(errors_path(output), lambda t: err_df.to_csv(t, index=False))
    else:  # nothing failed: no header-only file, and none left from an earlier run
        errors_path(output).unlink(missing_ok=True)
    journal.path.unlink(missing_ok=True)
    if not args.quiet:
        rate = n_done / elapsed if elapsed > 0 else float("nan")
        folders = f", {len(unreadable)} folder(s) unreadable" if unreadable else ""
        print(
            f"physiofeat: {len(pending) - n_failed} extracted, {n_failed} failed{folders}, "
            f"{len(todo) - len(pending)} already done; {len(df)} rows x {df.shape[1]} columns "
            f"-> {output} ({elapsed:.1f} s, {rate:.1f} files/s)",
            file=sys.stderr,
        )
        if errors:
            print(f"physiofeat: errors -> {errors_path(output)}", file=sys.stderr)
    return 1 if errors else 0


# --------------------------------------------------------------------------------------------
# physiofeat segment

#: ``physiofeat segment``'s table of every input, in its output folder, and the request its
#: ``.tsv`` files were made with (model, sr, channel, version: ``--resume`` refuses another)
SEGMENT_TABLE = "segmentation.csv"
SEGMENT_REQUEST = "segmentation.request.json"
SEGMENT_COLUMNS = (
    "id",
    "path",
    "tsv",
    "sr_hz",
    "duration_s",
    "heart_rate_bpm",
    "systolic_interval_s",
    "n_s1",
    "n_s2",
    "n_cycles",
    "error_type",
    "error",
)


def tsv_path(out_dir: str | os.PathLike, rid: str) -> Path:
    """Where ``physiofeat segment`` writes the segmentation of the input with id ``rid``: the
    id's path inside ``out_dir`` with ``.tsv`` for its suffix, CirCor's naming
    (``a/50277_MV.wav`` -> ``OUT/a/50277_MV.tsv``; a ``..`` part becomes ``_up_``).

    >>> from physiofeat.cli import tsv_path
    >>> tsv_path("out", "AV/50277_AV.wav").as_posix()
    'out/AV/50277_AV.tsv'
    """
    from .batch import inside

    return inside(out_dir, rid).with_suffix(".tsv")


def _segment_row(
    r, out: Path, target: Path, *, chosen: bool = False, mode: int | None = None
) -> tuple[dict[str, Any], Path | None]:
    """The table row of one result, and for a result with intervals its ``.tsv`` written to a
    temporary file beside ``target`` (:func:`~physiofeat._files.staged`), which the caller
    renames into place once the table lists it (a kill then never leaves a ``.tsv`` that no
    table names: the next run would refuse to overwrite it). ``chosen``: ``--channel`` picked
    the record's channel (so its name is not checked); ``mode``: the permissions of the
    ``.tsv`` it replaces (an earlier run's, removed when this run started)."""
    row: dict[str, Any] = {"id": _shown(r.id), "path": _shown(r.path or r.id)}
    if not r.ok:  # the feature's name is this command's own: not repeated on every row
        error = (r.error or "").removeprefix("feature 'pcg_intervals': ")
        return {**row, "error_type": r.error_type, "error": _shown(error)}, None
    vec = np.atleast_2d(r.vector)
    k = 0
    if r.channel_name is not None and not chosen:  # a record read whole: one row per channel;
        # its heart sound is the one channel whose name gives the pcg role (EPHNOGRAM's "PCG")
        from .records import channel_role

        names = [str(n) for n in (r.channel_name or r.channel)]
        roles = [channel_role(n) for n in names]
        pcg = [i for i, role in enumerate(roles) if role == "pcg"]
        if len(names) == 1 and roles[0] != "ecg":
            pcg = [0]  # one channel, not named as another signal: the heart sound
        if len(pcg) != 1 or "pcg_intervals" not in r.arrays:  # (no channel, or several, or
            # channels at several rates, each group's arrays apart)
            why = (
                f"its name gives it the {roles[0]} role"
                if len(names) == 1
                else "none is named as a heart sound"
                if not pcg
                else "several are named so"
                if len(pcg) > 1
                else "its channels have several rates"
            )
            n_ch = f"{len(names)} channel{'s' if len(names) > 1 else ''}"
            return {
                **row,
                "error_type": "ParameterError",
                "error": _shown(
                    f"a record of {n_ch} ({', '.join(names)}) and {why}: choose its "
                    "heart-sound channel with --channel NAME"
                ),
            }, None
        k = pcg[0]
    from .pcg._segmentation import write_tsv

    srs, durs = np.ravel(r.sr), np.ravel(r.duration)  # one value, or one per row
    sr, dur = float(srs[min(k, srs.size - 1)]), float(durs[min(k, durs.size - 1)])
    iv = np.asarray(r.arrays["pcg_intervals"], dtype=np.float64)
    iv = (iv[k] if iv.ndim == 3 else iv).reshape(-1, 3)
    iv = iv[np.isfinite(iv[:, 0])]  # a batch row's NaN padding (none for one file)
    target.parent.mkdir(parents=True, exist_ok=True)
    # whole or not at all (a kill leaves no part); not synced one by one, as the journal's
    # records are not: --resume takes a .tsv only with its row and some content
    tmp = staged(target, lambda t: write_tsv(t, iv), fsync=False, mode=mode)
    v = dict(zip(r.names, vec[k]))
    return {
        **row,
        "tsv": _shown(target.relative_to(out).as_posix()),
        "sr_hz": sr,
        "duration_s": dur,
        "heart_rate_bpm": v["pcg_intervals_heart_rate"],
        "systolic_interval_s": v["pcg_intervals_systolic_interval"],
        **{k: int(v[f"pcg_intervals_{k}"]) for k in ("n_s1", "n_s2", "n_cycles")},
    }, tmp


def _write_failed(r, exc: BaseException) -> dict[str, Any]:
    """The row of a result whose segmentation could not be written."""
    return {
        "id": _shown(r.id),
        "path": _shown(r.path or r.id),
        "error_type": type(exc).__name__,
        "error": _shown(f"writing its segmentation: {exc}"),
    }


def _read_segment_table(path: Path, *, resume: bool) -> list[dict[str, str]]:
    """The rows of an earlier run's table in the output folder (what it wrote, and what
    ``--resume`` keeps); none when there is no table. A row cut by a kill is left out; a file
    that is not such a table is a usage error (this command would replace it)."""
    import csv

    if not path.exists():
        return []
    todo = "rerun without --resume" if resume else "choose another output folder"
    try:
        with open(path, newline="", encoding="utf-8", errors="replace") as fh:  # a cut last line
            reader = csv.DictReader(fh)
            if reader.fieldnames is None and not resume:
                return []  # empty: nothing written yet
            if tuple(reader.fieldnames or ()) != SEGMENT_COLUMNS:
                raise UsageError(
                    f"{'--resume: ' if resume else ''}{path} is not a physiofeat segment table "
                    f"(its columns are {reader.fieldnames}); {todo}"
                )
            return [
                row
                for row in reader
                if None not in row and None not in row.values() and len(row) == len(SEGMENT_COLUMNS)
            ]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise UsageError(
            f"{'--resume: ' if resume else ''}cannot read {path}: {exc}; {todo}"
        ) from None


def _within(folder: Path, path: Path) -> bool:
    """``path`` is inside ``folder`` once both are resolved (no ``..`` out of it, nor a
    symlinked folder pointing elsewhere): a table's ``tsv`` column never names a file
    outside the output folder for removal."""
    return os.path.realpath(path).startswith(os.path.join(os.path.realpath(folder), ""))


def _kept_rows(
    before: list[dict[str, str]],
    targets: dict[str, Path],
    paths: dict[str, str],
    shown_target: dict[str, str],
    was_cwd: str,
    cwd: str,
) -> dict[str, dict[str, Any]]:
    """``--resume``: the rows of an earlier table (``before``, written from ``was_cwd``) that
    this run keeps, by id: an ok row of the same recording, unchanged since its ``.tsv``."""
    kept: dict[str, dict[str, Any]] = {}
    by_shown: dict[str, list[str]] = {}
    for rid in targets:
        by_shown.setdefault(_shown(rid), []).append(rid)
    for row in before:
        rids = by_shown.get(row["id"], [])
        if len(rids) != 1 or row["error_type"]:
            continue
        rid = rids[0]
        t, path = targets[rid], paths[rid]
        # the same recording, unchanged since its .tsv was written: another input set
        # with the same ids, or a file replaced since, is segmented again
        # the row's path as given, from the folder it was given in
        then = _real(_unshown(row["path"]), was_cwd)
        if row["tsv"] != shown_target[rid] or then != _real(path, cwd):
            continue
        try:  # its .tsv is newer than the file's content and its name (a file moved or
            # copied in with its old mtime, by mv or cp -p, has a new ctime)
            st = os.stat(path)
            if not t.stat().st_size or max(st.st_mtime, st.st_ctime) > t.stat().st_mtime:
                continue
        except OSError:
            continue
        kept[rid] = row
    return kept


def _cmd_segment(args: argparse.Namespace) -> int:
    import csv

    from ._errors import PhysiofeatError
    from ._registry import _normalise_request, resolve_params
    from ._validation import check_sr
    from .batch import default_jobs, iter_extract, prestart_workers

    out = Path(args.output)
    if out.exists() and not out.is_dir():
        raise UsageError(f"output {out} is a file: give a folder for the .tsv files")
    if not out.parent.exists():
        raise UsageError(f"the output folder's parent {out.parent} does not exist")
    table = out / SEGMENT_TABLE
    params: dict[str, Any] = {"strict": True}
    if args.model is not None:
        params["model"] = args.model
    request = {"pcg_intervals": params}
    try:  # the request is checked before any output is touched
        resolve_params(_normalise_request(request), {})
        if args.sr is not None:
            from .pcg import load_model
            from .pcg._core import _check_segment_sr

            _check_segment_sr(check_sr(args.sr), load_model(args.model))
        if args.channel is not None and not args.channel.strip():
            raise UsageError("--channel needs a channel's name or index; got ''")
    except PhysiofeatError as exc:
        raise UsageError(_for_the_command_line(str(exc))) from None
    unreadable: list[dict[str, Any]] = []
    globs = list(args.glob or [])
    todo = discover(args.inputs, globs, unreadable=unreadable)
    if not todo:
        raise UsageError(_nothing_found(args.inputs, globs))
    targets: dict[str, Path] = {}
    owner: dict[Path, str] = {}
    once: list[tuple[str, str]] = []
    reals: set[str] = set()
    for rid, path in todo:
        t = tsv_path(out, rid)
        real = os.path.realpath(path)
        if real in reals:  # one file given twice (its folder, and itself by another path)
            continue
        reals.add(real)
        if t in owner:
            raise UsageError(_shared_target(t, owner[t], path))
        owner[t], targets[rid] = path, t
        once.append((rid, path))
    todo = once
    if table in owner:
        raise UsageError(f"an input's segmentation file would be the table {table}")
    paths = dict(todo)
    from . import __version__

    # what the .tsv files are made with: --resume adds to files made the same way only
    from .pcg._hsmm import DEFAULT_MODEL_PATH

    model = None if args.model is None else os.path.abspath(args.model)
    if model is not None and os.path.realpath(model) == os.path.realpath(DEFAULT_MODEL_PATH):
        model = None  # the shipped model by its path is the default
    made_with = {
        "model": model,
        "sr": args.sr,
        "channel": args.channel,
        "physiofeat": __version__,
    }
    cwd = os.getcwd()  # what the table's paths, as given, are relative to (not compared)
    req_file = out / SEGMENT_REQUEST
    before = _read_segment_table(table, resume=args.resume)
    if args.resume and table.exists():
        if not req_file.is_file():
            raise UsageError(
                f"--resume: {out} has no {SEGMENT_REQUEST}, so what its .tsv files were made "
                "with (--model, --sr, --channel) is not known; rerun without --resume"
            )
        try:
            was = json.loads(req_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise UsageError(f"--resume: cannot read {req_file}: {exc}") from None
        if not isinstance(was, dict):
            raise UsageError(
                f"--resume: {req_file} is not a physiofeat segment request (a JSON object); "
                "rerun without --resume"
            )
        diff = [
            f"{k} {was.get(k)!r} then, {v!r} now"
            for k, v in made_with.items()
            if (_folded(was.get(k)) != _folded(v) if k == "channel" else was.get(k) != v)
        ]  # (channel names are matched case-insensitively: --channel pcg is PCG)
        if diff:
            raise UsageError(
                f"--resume: the .tsv files in {out} were made with another request "
                f"({'; '.join(diff)}); rerun without --resume, or with another output folder"
            )
    # the .tsv files an earlier run here wrote (its table lists them): any other file where
    # a segmentation would go is not this command's to replace (CirCor keeps its annotations
    # as <id>.tsv beside each recording: -o on the recordings' folder would overwrite them)
    ours = {row["tsv"] for row in before if row["tsv"]}
    shown_target = {rid: _shown(t.relative_to(out).as_posix()) for rid, t in targets.items()}
    for rid, t in targets.items():
        if not _within(out, t):
            raise UsageError(
                f"{_shown(str(t))} would be written outside {_shown(str(out))} (a symlinked "
                "folder in it leads elsewhere): physiofeat segment writes only inside its "
                "output folder; remove the link, or give another output folder"
            )
        if (t.exists() or t.is_symlink()) and shown_target[rid] not in ours:
            raise UsageError(
                f"{_shown(str(t))} exists and is not a segmentation this command wrote (the "
                f"table {_shown(str(table))} does not list it): physiofeat segment does not overwrite it. "
                "CirCor keeps its annotations as <id>.tsv beside each recording; give an "
                "output folder of its own (-o), or remove the file"
            )
    kept: dict[str, dict[str, Any]] = {}  # id -> an earlier run's row of a finished file
    if args.resume:
        was_cwd = _unshown(str(was.get("cwd") or cwd)) if table.exists() else cwd
        kept = _kept_rows(before, targets, paths, shown_target, was_cwd, cwd)
    # start from what is kept: the .tsv files of every other row go first (a recording that
    # now fails, or is no longer an input, leaves no stale segmentation), then the table
    # holds the kept rows only (a line cut by a kill is not appended to)
    keep_tsv = {row["tsv"] for row in kept.values()}
    by_tsv = {shown_target[rid]: t for rid, t in targets.items()}
    modes: dict[Path, int] = {}  # the permissions of the .tsv files about to be rewritten
    for name in ours - keep_tsv:
        stale = by_tsv.get(name, out / _unshown(name))
        if stale is not None and stale.suffix == ".tsv" and _within(out, stale):
            try:
                if name in by_tsv and stale.is_file():
                    modes[stale] = stat.S_IMODE(stale.stat().st_mode)
                stale.unlink(missing_ok=True)
            except OSError as exc:
                raise UsageError(f"cannot remove an earlier run's {stale}: {exc}") from None
    from ._files import TEMP_PREFIX, TEMP_SUFFIX

    # a killed run's .tsv not yet renamed; not one a physiofeat writer running now may own
    stale_before = time.time() - 3600
    for folder in {t.parent for t in targets.values()}:
        if folder.is_dir():
            for tmp in folder.glob(f"{TEMP_PREFIX}*{TEMP_SUFFIX}"):
                try:
                    if tmp.stat().st_mtime < stale_before:
                        tmp.unlink()
                except OSError:
                    pass
    out.mkdir(exist_ok=True)
    record = {**made_with, "cwd": _shown(cwd)}
    atomic_write(req_file, lambda t: t.write_text(json.dumps(record), encoding="utf-8"))
    kept_rows = [kept[rid] for rid in targets if rid in kept]

    def write_rows(rows_out: list[dict[str, Any]]):
        def write(tmp: Path) -> None:
            with open(tmp, "w", newline="", encoding="utf-8") as f:
                w = csv.DictWriter(f, fieldnames=SEGMENT_COLUMNS)
                w.writeheader()
                w.writerows(rows_out)

        atomic_write(table, write)

    write_rows(kept_rows)
    pending = [(rid, p) for rid, p in todo if rid not in kept]
    n_jobs = args.jobs if args.jobs is not None else default_jobs()
    n_jobs = max(1, min(n_jobs, len(pending), default_jobs()))
    client = None
    if args.scheduler:
        client = _connect(args.scheduler)
    elif n_jobs > 1:
        prestart_workers(request, sr=args.sr)
    bar = None
    if not args.quiet:
        bar = _progress_bar(len(todo), len(kept), "segment")
    rows: dict[str, dict[str, Any]] = dict(kept)
    t0 = time.perf_counter()
    # finished rows are appended (and flushed) as they arrive: a killed run keeps them, and
    # --resume reads them back; the table is rewritten in input order at the end
    with open(table, "a", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=SEGMENT_COLUMNS)
        try:
            results = iter_extract(
                [p for _, p in pending],
                request,
                sr=args.sr,
                n_jobs=n_jobs,
                client=client,
                ids=[rid for rid, _ in pending],
                channels=None if args.channel is None else [args.channel],
                return_arrays=True,
            )
            results = _interruptible(results)
            try:
                first = next(results, None)
            except PhysiofeatError as exc:
                raise UsageError(_for_the_command_line(str(exc))) from None
            for r in itertools.chain([] if first is None else [first], results):
                tmp = None
                try:
                    chosen = args.channel is not None
                    t = targets[r.id]
                    row, tmp = _segment_row(r, out, t, chosen=chosen, mode=modes.get(t))
                except Exception as exc:  # noqa: BLE001 - writing one file never stops the run
                    row = _write_failed(r, exc)
                rows[r.id] = row
                writer.writerow(row)
                fh.flush()  # in the OS's hands: a killed run keeps the row
                if tmp is not None:  # listed by the table now: the .tsv takes its place
                    try:
                        os.replace(tmp, t)
                    except OSError as exc:
                        tmp.unlink(missing_ok=True)
                        rows[r.id] = _write_failed(r, exc)  # the final table says so
                        writer.writerow(rows[r.id])
                        fh.flush()
                if bar is not None:
                    bar.update(1)
        finally:
            if bar is not None:
                bar.close()
            if client is not None:
                client.close()
    elapsed = time.perf_counter() - t0
    done = [rows[rid] for rid, _ in todo if rid in rows]
    for u in unreadable:
        done.append(
            {
                "id": _shown(u["id"]),
                "path": _shown(u["path"]),
                "error_type": u["error_type"],
                "error": _shown(u["error"]),
            }
        )
    write_rows(done)
    failed = [row for row in done if row.get("error_type")]
    if not args.quiet:
        print(
            f"physiofeat: {len(pending) - (len(failed) - len(unreadable))} segmented, "
            f"{len(failed)} failed, {len(kept)} already done -> {out} ({elapsed:.1f} s); "
            f"table: {table}",
            file=sys.stderr,
        )
    return 1 if failed else 0


def _cmd_features(args: argparse.Namespace) -> int:
    from ._registry import features

    specs = features(args.family)
    if not specs:
        families = sorted({s.family for s in features()})
        raise UsageError(f"no features in family {args.family!r}; families: {', '.join(families)}")
    if args.names:
        for s in specs:
            print(s.name)
        if args.family is None:  # -f accepts a preset's name too
            from ._registry import presets

            for p in presets():
                print(p.name)
        return 0
    family = None
    for s in specs:
        if s.family != family:
            family = s.family
            print(f"[{family}]")
        roles = f"  roles={s.roles}" if s.roles else ""
        print(f"  {s.name}  dims={s.dims}{roles}  {s.description}")
        if s.defaults:
            params = ", ".join(f"{k}={v!r}" for k, v in s.defaults.items())
            print(f"      {params}")
    if args.family is None:
        from ._registry import presets

        for p in presets():  # -f NAME expands a preset into its features
            print(f"[preset] {p.name}  {p.description}\n      {', '.join(p.request)}")
    return 0


def _print_record_info(path: str) -> None:
    from .records import load_record

    rec = load_record(path)
    print(f"{rec.path}\n  format: {rec.format}\n  channels: {len(rec)}")
    role_of = {i: r for r, idx in rec.roles().items() for i in idx}  # the names' rule
    for k, c in enumerate(rec):
        unit = f", in {c.unit}" if c.unit else ""
        role = f", role {role_of[k]}" if k in role_of else ""
        print(
            f"    {k} {c.name!r}: {c.sr:g} Hz, {c.data.shape[-1]} samples ({c.duration:.3f} s)"
            f"{unit}{role}"
        )
    if rec.annotations:
        print(f"  annotations: {len(rec.annotations)}")


def _cmd_info(args: argparse.Namespace) -> int:
    from ._errors import PhysiofeatError
    from .io import info

    status = 0
    for f in args.files:
        try:
            from .records import is_record_path

            if is_record_path(f):  # WFDB/EDF: its channels with names, units, rates
                _print_record_info(f)
                continue
            i = info(f)
        except PhysiofeatError as exc:
            print(f"{f}: error: {type(exc).__name__}: {exc}", file=sys.stderr)
            status = 1
            continue
        print(
            f"{i.path}\n  format: {i.format} ({i.subtype})\n  rate: {i.sr} Hz\n"
            f"  channels: {i.channels}\n  frames: {i.frames}\n  duration: {i.duration:.3f} s\n"
            f"  decoder: {i.decoder}"
        )
    return status


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="physiofeat",
        description="Feature extraction for heart sounds, ECG and other biosignals.",
        epilog="Exit status: 0 success, 1 some files failed, 2 usage error.",
    )
    from . import __version__

    parser.add_argument("--version", action="version", version=f"physiofeat {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    ex = sub.add_parser(
        "extract",
        help="extract features from audio files and folders into a table",
        description="Extract features from audio files, records and folders (recursive; WAV,\n"
        "FLAC, OGG, MP3, WFDB .hea headers, EDF/BDF files) into a Parquet or CSV table, one\n"
        "row per recording (or per channel/segment; a record gives one row per channel).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="outputs:\n"
        "  OUTPUT                     written atomically when the run ends (an existing\n"
        "                             table is replaced, unless --resume adds to it)\n"
        "  OUTPUT.errors.csv          path, id, error_type, error of every failed file or\n"
        "                             unreadable folder (only when something failed)\n"
        "  OUTPUT.journal.jsonl       the request, then finished results as they arrive\n"
        "                             (read by --resume after a killed run; removed at the end;\n"
        "                             a run without --resume renames a killed run's to .bak)\n"
        "  OUTPUT.request.json        features, parameters, sr, stats... the table was made\n"
        "                             with (--resume refuses another request)\n"
        "exit status: 0 all files succeeded, 1 some failed, 2 usage error\n\n"
        "example:\n  physiofeat extract recordings/ -f mfcc,rms -p n_fft=256 "
        "-p mfcc.n_mfcc=13 -o features.parquet",
    )
    ex.add_argument(
        "inputs",
        nargs="+",
        metavar="INPUT",
        help="audio files (WAV, FLAC, OGG, MP3; others through ffmpeg), WFDB records (.hea, "
        "or the record's .dat), EDF/BDF files, BioSPPy text records (.txt), and/or folders "
        "(searched for audio, .hea, .edf and .bdf files)",
    )
    ex.add_argument("-f", "--features", help="comma-separated feature names (physiofeat features)")
    ex.add_argument("-o", "--output", required=True, help="output table (.parquet or .csv)")
    ex.add_argument(
        "-p",
        "--param",
        action="append",
        metavar="[FEATURE.]NAME=VALUE",
        help="a parameter shared by every feature that accepts it (n_fft=256), or "
        "one feature's own (mfcc.n_mfcc=13); repeatable",
    )
    ex.add_argument(
        "--config",
        metavar="FILE.toml",
        help="TOML config: features = [...] or [features.<name>] tables, [params] "
        "shared and [params.<feature>] tables, sr, stats, segment, per_channel, "
        "glob, jobs; command-line options override it",
    )
    ex.add_argument("--sr", type=float, help="resample every file to this rate (Hz)")
    ex.add_argument("--stats", help="statistics over time (default mean,std,min,max)")
    ex.add_argument(
        "--per-channel",
        action="store_true",
        help="one row per channel (default: channels averaged to mono; WFDB and EDF records "
        "always give one row per channel)",
    )
    ex.add_argument(
        "--channel",
        action="append",
        metavar="NAME",
        help="read only this channel, by name (case-insensitive; 'ii' also finds 'MLII' and "
        "'ECG II') or index (-1: the last); repeatable; one row per channel (default: all "
        "channels)",
    )
    ex.add_argument(
        "--role",
        action="append",
        metavar="ROLE=CHANNEL",
        help="for record features (ecg_multilead, ecg_pcg_timing: one row per record): the "
        "channel playing ROLE (ecg, pcg), by name or index; repeatable, --role ecg=ii "
        "--role ecg=v5 for several leads (default: inferred from the channel names)",
    )
    ex.add_argument(
        "--segment",
        type=float,
        metavar="SECONDS",
        help="one row per consecutive segment of this length (a trailing partial "
        "segment is dropped)",
    )
    ex.add_argument(
        "--glob",
        action="append",
        metavar="PATTERN",
        help="only files whose relative path or name matches (repeatable)",
    )
    ex.add_argument(
        "--arrays",
        metavar="DIR",
        help="also write full feature arrays per recording to DIR/<id>.npz",
    )
    ex.add_argument(
        "-j",
        "--jobs",
        type=int,
        help="worker processes (default: all cores; never more than the cores or the files)",
    )
    ex.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run on a Dask distributed scheduler (tcp://host:8786) instead",
    )
    ex.add_argument(
        "--resume",
        action="store_true",
        help="skip files the output table (or the journal of a killed run) holds; the "
        "request (features, parameters, sr, stats...) must be the same; rows of files no "
        "longer among the inputs are left out",
    )
    ex.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="no progress bar or summary (warnings still print: PYTHONWARNINGS=ignore "
        "silences them)",
    )
    ex.set_defaults(func=_cmd_extract, subparser=ex)

    sg = sub.add_parser(
        "segment",
        help="segment heart-sound recordings into S1, systole, S2, diastole (.tsv files)",
        description="Segment heart-sound recordings (files and folders, recursive) with\n"
        "physiofeat.pcg.segment into CirCor-style .tsv files (start_s, end_s, state: 1 S1,\n"
        "2 systole, 3 S2, 4 diastole), one per recording, in OUTPUT/ under the recording's\n"
        "path relative to its input folder.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="outputs:\n"
        "  OUTPUT/ID.tsv              each recording's segmentation (its id's suffix made\n"
        "                             .tsv), written whole when it is done\n"
        "  OUTPUT/segmentation.request.json   the model, --sr, --channel they were made with\n"
        "  OUTPUT/segmentation.csv    one row per input: id, path, tsv, sr_hz, duration_s,\n"
        "                             heart_rate_bpm, systolic_interval_s, n_s1, n_s2,\n"
        "                             n_cycles, error_type, error (rows are added as files\n"
        "                             finish, then put in input order at the end)\n"
        "a file that fails (unreadable, too short, silent) is a row with its error; the run\n"
        "goes on and exits with status 1. A .tsv the table does not list (CirCor's own\n"
        "annotations beside its recordings) is never overwritten: a usage error. Without\n"
        "--resume a run starts over (the .tsv files its table lists are removed first).",
    )
    sg.add_argument("inputs", nargs="+", metavar="INPUT", help="audio files, records, folders")
    sg.add_argument("-o", "--output", required=True, help="folder for the .tsv files")
    sg.add_argument("--glob", action="append", help="only ids or file names matching (repeatable)")
    sg.add_argument("--sr", type=float, help="resample to this rate (Hz) before segmenting")
    sg.add_argument(
        "--channel",
        help="the heart-sound channel of a record or multi-channel file (name or index; "
        "default: audio mixed to mono, a record's one channel named as a heart sound)",
    )
    sg.add_argument("--model", help="a segmenter model JSON (default: the shipped CirCor model)")
    sg.add_argument("-j", "--jobs", type=int, help="worker processes (default: all cores)")
    sg.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run on a Dask distributed scheduler (tcp://host:8786) instead",
    )
    sg.add_argument(
        "--resume",
        action="store_true",
        help="skip inputs the table lists as segmented whose .tsv is there (a killed run's "
        "too), of the same path and not modified since; refused for another request",
    )
    sg.add_argument("-q", "--quiet", action="store_true", help="no progress bar or summary")
    sg.set_defaults(func=_cmd_segment, subparser=sg)

    fe = sub.add_parser("features", help="list the registered features with their parameters")
    fe.add_argument("--family", help="only this family (spectral, hht, ...)")
    fe.add_argument(
        "--names", action="store_true", help="names only, one per line (then the presets)"
    )
    fe.set_defaults(func=_cmd_features, subparser=fe)

    inf = sub.add_parser(
        "info", help="format, rate, channels and duration of audio files and records"
    )
    inf.add_argument("files", nargs="+", metavar="FILE")
    inf.set_defaults(func=_cmd_info, subparser=inf)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``physiofeat`` console script; returns the exit status.

    Examples
    --------
    >>> from physiofeat.cli import main
    >>> main(["features", "--family", "spectral", "--names"])  # doctest: +ELLIPSIS
    cepstrum
    ...
    0
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    # a usage error prints the subcommand's usage (physiofeat extract ...), not the top level's
    sub = getattr(args, "subparser", None) or parser
    if getattr(args, "jobs", None) is not None and args.jobs < 1:
        sub.error(f"--jobs must be >= 1; got {args.jobs}")
    if getattr(args, "segment", None) is not None and not args.segment > 0:
        sub.error(f"--segment must be > 0 seconds; got {args.segment}")
    if getattr(args, "sr", None) is not None and not 0 < args.sr < float("inf"):
        sub.error(f"--sr must be a finite number > 0 of Hz; got {args.sr}")
    if getattr(args, "scheduler", None) is not None and not args.scheduler.strip():
        sub.error("--scheduler needs the scheduler's address (tcp://host:8786); got ''")
    if getattr(args, "scheduler", None) and getattr(args, "jobs", None) is not None:
        sub.error(
            f"--jobs {args.jobs} has no effect with --scheduler: the Dask cluster's workers "
            "set the parallelism; drop one of them"
        )
    try:
        return args.func(args)
    except UsageError as exc:
        sub.error(str(exc))  # exits with status 2
    except KeyboardInterrupt:
        print(
            "physiofeat: interrupted; the finished results are kept (extract: in the "
            "journal; segment: the .tsv files and their table): rerun with --resume to "
            "continue",
            file=sys.stderr,
        )
        return 130
    return 0  # pragma: no cover


def run() -> None:
    """The ``physiofeat`` console script: :func:`main`, then exit with its status. After an
    interrupt it exits at once (``os._exit``): a computation still running on a daemon thread
    or in a worker process must not hold the exit up (the journal is already closed). A reader
    that stops early (``physiofeat features | head``) ends the output quietly, without a
    BrokenPipeError traceback (the recipe of Python's ``signal`` documentation)."""
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:
        # the rest of the output has nowhere to go: point stdout at devnull so that Python's
        # own flush at exit does not raise a second time
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    if code == 130:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(130)
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover - python -m physiofeat.cli, as the console script
    run()
