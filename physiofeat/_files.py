"""Writing a file whole or not at all (the CLI's tables and journal, the batch's arrays)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def atomic_write(path: Path, write: Callable[[Path], object], *, fsync: bool = True) -> None:
    """``write(tmp)`` into a temporary file beside ``path``, then rename it over ``path``: a
    kill at any moment leaves the old file or the new one, never a part. The temporary name
    is short (``path``'s own name may be near the 255-byte limit); ``fsync``: the data is on
    disk before the rename makes it ``path``."""
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=".pf-", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        if fsync:
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
