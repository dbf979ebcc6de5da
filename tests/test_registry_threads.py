"""The feature registry loads once, whole, when many threads ask for it at once (the threads
of a fresh Dask worker starting their first tasks): no thread sees a half-filled registry.
The oracle is the registry as one thread alone loads it, in another fresh process."""

from __future__ import annotations

import subprocess
import sys

_SCRIPT = """
import sys, threading
import physiofeat
from physiofeat import _registry
if sys.argv[1] == "one":
    print(sorted(f.name for f in physiofeat.features()))
else:
    barrier = threading.Barrier(8)
    seen = []
    def ask():
        barrier.wait()
        try:
            seen.append(sorted(f.name for f in physiofeat.features()))
            _registry.get_spec("pcg_intervals")
        except Exception as exc:
            seen.append(repr(exc))
    ts = [threading.Thread(target=ask) for _ in range(8)]
    for t in ts: t.start()
    for t in ts: t.join()
    print(seen[0] if all(s == seen[0] for s in seen) else f"differ: {seen}")
"""


def _run(mode: str) -> str:
    out = subprocess.run(
        [sys.executable, "-c", _SCRIPT, mode], capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout.strip()


def test_threads_asking_at_once_all_see_the_whole_registry():
    alone = _run("one")
    assert "pcg_intervals" in alone and "mfcc" in alone
    for _ in range(3):  # a race: a few fresh processes
        assert _run("threads") == alone
