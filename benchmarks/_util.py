"""Timing and table helpers shared by every benchmark."""

from __future__ import annotations

import gc
import os
import platform
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any


def shared_data() -> Path:
    """``../shared/data`` beside the checkout, or ``$PHYSIOFEAT_SHARED_DATA`` when set (a
    worktree elsewhere, a CI layout): where every benchmark looks for the real recordings."""
    env = os.environ.get("PHYSIOFEAT_SHARED_DATA")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "shared" / "data"


def best_time(func: Callable[[], Any], *, repeat: int = 5, min_time: float = 0.0) -> float:
    """Best wall time of ``repeat`` calls of ``func`` (seconds), after none-warm-up by the caller.

    Best-of-N is the usual estimator for "how fast can this run" on a shared machine: noise only
    ever adds time.
    """
    best = float("inf")
    spent = 0.0
    n = 0
    while n < repeat or spent < min_time:
        gc.collect()
        t0 = time.perf_counter()
        func()
        dt = time.perf_counter() - t0
        best = min(best, dt)
        spent += dt
        n += 1
    return best


def best_times(funcs: dict[str, Callable[[], Any]], *, rounds: int = 5) -> dict[str, float]:
    """Best wall time of each function over ``rounds`` interleaved rounds (one call of each per
    round), so that every contender meets the same machine: on a shared machine noise that
    comes and goes hits all of them alike instead of whichever happened to run then."""
    best = dict.fromkeys(funcs, float("inf"))
    for _ in range(rounds):
        for name, func in funcs.items():
            gc.collect()
            t0 = time.perf_counter()
            func()
            best[name] = min(best[name], time.perf_counter() - t0)
    return best


def first_call(func: Callable[[], Any]) -> float:
    """Wall time of one call (use on the very first call to report JIT compile / cache load)."""
    t0 = time.perf_counter()
    func()
    return time.perf_counter() - t0


def print_table(title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Print (and return) a Markdown table."""

    def fmt(v: Any) -> str:
        if isinstance(v, float):
            return f"{v:.4g}"
        return str(v)

    lines = [
        f"### {title}",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    lines += ["| " + " | ".join(fmt(v) for v in row) + " |" for row in rows]
    text = "\n".join(lines) + "\n"
    print(text, flush=True)
    return text


def machine() -> str:
    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
