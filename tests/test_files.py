"""``atomic_write``: a file written whole or not at all gets the permissions ``open()`` would
give it (the umask's; the oracle is a file made with ``open``), or keeps those of the file it
replaces, never ``mkstemp``'s owner-only 0o600."""

from __future__ import annotations

import os
import stat

import pytest

from physiofeat._files import atomic_write


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.parametrize("mask", [0o022, 0o027, 0o077])
def test_a_new_file_gets_the_umasks_permissions(tmp_path, mask):
    old = os.umask(mask)
    try:
        with open(tmp_path / "by_open.txt", "w") as fh:
            fh.write("x")
        atomic_write(tmp_path / "atomic.txt", lambda t: t.write_text("x"))
    finally:
        os.umask(old)
    assert _mode(tmp_path / "atomic.txt") == _mode(tmp_path / "by_open.txt") == 0o666 & ~mask
    assert (tmp_path / "atomic.txt").read_text() == "x"
    assert [p.name for p in tmp_path.iterdir()] != [] and not list(tmp_path.glob(".pf-*"))


def test_a_replaced_file_keeps_its_permissions(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("old")
    os.chmod(path, 0o640)
    atomic_write(path, lambda t: t.write_text("new"), fsync=False)
    assert path.read_text() == "new" and _mode(path) == 0o640


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("old")

    def fail(t):
        t.write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        atomic_write(path, fail)
    assert path.read_text() == "old" and not list(tmp_path.glob(".pf-*"))
