"""Run every benchmark module in this folder: ``python -m benchmarks [name ...]``."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

from ._util import machine


def main(argv: list[str]) -> int:
    here = Path(__file__).parent
    names = sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))
    wanted = [n if n.startswith("bench_") else f"bench_{n}" for n in argv] or names
    print(f"physiofeat benchmarks on {machine()}\n")
    sys.argv = sys.argv[:1]  # the names chosen here are not arguments of each module's main
    for name in wanted:
        mod = importlib.import_module(f"benchmarks.{name}")
        mod.main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
