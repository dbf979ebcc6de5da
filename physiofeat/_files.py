"""Writing a file whole or not at all (the CLI's tables and journal, the batch's arrays)."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path


def _umask() -> int:
    """The process's umask, read without setting it where the OS says it (Linux's
    ``/proc/self/status``); elsewhere set and restored at once."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _mode_for(path: Path) -> int:
    """The permissions ``path`` gets: those of the file it replaces, else those ``open()``
    would give a new file (0o666 less the umask), not ``mkstemp``'s owner-only 0o600."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return 0o666 & ~_umask()


#: the names of :func:`staged` temporary files: ``.pf-XXXXXXXX.tmp``
TEMP_PREFIX, TEMP_SUFFIX = ".pf-", ".tmp"


def staged(
    path: Path, write: Callable[[Path], object], *, fsync: bool = True, mode: int | None = None
) -> Path:
    """``write(tmp)`` into a temporary file beside ``path`` and return it, for the caller to
    rename over ``path`` (``os.replace``) when it is ready: :func:`atomic_write` at once, or
    ``physiofeat segment`` once its table lists the file. The temporary name is short
    (``path``'s own name may be near the 255-byte limit); ``fsync``: the data is on disk
    before the rename can make it ``path``. Its permissions are ``mode``, else those of the
    file it will replace, or a new file's (the umask's). A failure removes it."""
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX)
    os.close(fd)
    tmp = Path(name)
    try:
        os.chmod(tmp, _mode_for(path) if mode is None else mode)
        write(tmp)
        if fsync:
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def atomic_write(path: Path, write: Callable[[Path], object], *, fsync: bool = True) -> None:
    """``write(tmp)`` into a temporary file beside ``path`` (:func:`staged`), then rename it
    over ``path``: a kill at any moment leaves the old file or the new one, never a part. The
    file's permissions are those of the file it replaces, or a new file's (the umask's)."""
    tmp = staged(path, write, fsync=fsync)
    try:
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
