"""PCG segmentation speed: physiofeat.pcg.segment, with pyPCG's peak segmentation beside it.

Run: ``.venv/bin/python -m benchmarks.bench_pcg`` from the repository root (a few minutes).

1. One hour of 4 kHz PCG: the 46 recordings of ``../shared/data/pcg/circor`` concatenated and
   tiled to 3600 s (14.4 M samples), segmented in one call.
2. All 596 recordings of ``../shared/data/pcg/circor_dev`` (read into memory first; reading is
   not timed), one call each.
3. ``physiofeat segment circor_dev -o OUT`` with 1 and 2 worker processes (reading and writing
   included; a fresh process each), against a loop of ``load`` + ``segment`` + ``to_tsv`` in
   the benchmark's warm process: what the command costs and what its workers gain.

Times are wall-clock, one run each (they are long enough), reported per recording-minute. The
first call in a fresh process with an empty Numba cache (the Viterbi kernel's compile) and the
first call with the cache present (cache load) are reported apart; every timed call runs
after them. pyPCG (``pypcg-toolbox``, benchmark peer only): its peak-based segmentation
(``filter`` x2, ``homomorphic``, ``adv_peak``, ``peak_sort_diff``, ``segment_peaks``), as in
``benchmarks/validate_pcg.py``; it has no HSMM without ``hsmmlearn`` (not on PyPI).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from ._pcg_data import DEV, EXTRA, patients, recordings
from ._util import machine, print_table

_FIRST = (
    "import time, numpy as np; t=time.perf_counter(); from physiofeat.pcg import segment; "
    "x=np.random.default_rng(0).standard_normal(8000); segment(x, sr=1000); "
    "print(time.perf_counter()-t)"
)


def _fresh_first_call(cache_dir: str) -> float:
    env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir)
    out = subprocess.run(
        [sys.executable, "-c", _FIRST], env=env, capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip().splitlines()[-1])


def _read_all(paths):
    import soundfile as sf

    out = []
    for p in paths:
        x, sr = sf.read(p, dtype="float32")
        out.append((x, sr))
    return out


def main() -> None:
    from benchmarks.validate_pcg import _import_pypcg, pypcg_segment
    from physiofeat.pcg import segment

    print(f"## physiofeat.pcg.segment speed on {machine()}\n")
    with tempfile.TemporaryDirectory() as d:
        compile_s = _fresh_first_call(d)  # empty cache: imports + Viterbi compile
    cached_s = _fresh_first_call(os.environ.get("NUMBA_CACHE_DIR", tempfile.gettempdir()))
    print(
        f"first call in a fresh process (imports + JIT): empty Numba cache {compile_s:.2f} s, "
        f"with the cache {cached_s:.2f} s\n"
    )
    segment(np.random.default_rng(0).standard_normal(8000), sr=1000)
    lib = _import_pypcg()

    rows = []
    # 1. one hour of 4 kHz PCG
    recs = _read_all(recordings(EXTRA, patients(EXTRA)))
    sr = recs[0][1]
    one = np.concatenate([x for x, _ in recs])
    hour = np.tile(one, int(np.ceil(3600 * sr / one.shape[0])))[: int(3600 * sr)]
    t0 = time.perf_counter()
    seg = segment(hour, sr=sr)
    t_phys = time.perf_counter() - t0
    n_s1 = seg.sounds(1).shape[0]
    t0 = time.perf_counter()
    try:
        pypcg_segment(hour.astype(np.float64), sr, lib)
        t_py = time.perf_counter() - t0
    except Exception as exc:  # noqa: BLE001  (a peer's failure is reported, not fatal)
        print(f"pyPCG failed on the 1 h signal: {type(exc).__name__}: {exc}")
        t_py = float("nan")
    rows.append(
        ["1 h at 4 kHz (tiled circor)", 60.0, t_phys, 1000 * t_phys / 60, t_py, t_py / t_phys]
    )
    print(f"1 h: {n_s1} S1 found, heart rate used {seg.heart_rate:.1f} bpm\n")
    del hour, seg

    # 2. all circor_dev recordings
    recs = _read_all(sorted(DEV.glob("*.wav")))
    minutes = sum(x.shape[0] / s for x, s in recs) / 60
    t_phys, t_py, fails = 0.0, 0.0, 0
    for x, s in recs:
        t0 = time.perf_counter()
        segment(x, sr=s)
        t_phys += time.perf_counter() - t0
        t0 = time.perf_counter()
        try:
            pypcg_segment(x.astype(np.float64), s, lib)
        except Exception:  # noqa: BLE001
            fails += 1
        t_py += time.perf_counter() - t0
    rows.append(
        [
            f"{len(recs)} circor_dev recordings",
            minutes,
            t_phys,
            1000 * t_phys / minutes,
            t_py,
            t_py / t_phys,
        ]
    )
    print_table(
        "segmentation wall time (one core per call)",
        [
            "input",
            "recording-minutes",
            "physiofeat s",
            "physiofeat ms / rec-min",
            "pyPCG peaks s",
            "pyPCG / physiofeat",
        ],
        rows,
    )
    if fails:
        print(f"pyPCG raised on {fails} circor_dev recordings (time still counted)")
    _bench_cli(sorted(DEV.glob("*.wav")), minutes)


def _loop_to_tsv(paths, out: str) -> None:
    """What a user writes without the command: read, segment and write each file in turn."""
    import physiofeat
    from physiofeat.pcg import segment

    for p in paths:
        x, s = physiofeat.load(p)
        segment(x, sr=s).to_tsv(os.path.join(out, os.path.basename(p)[:-4] + ".tsv"))


def _bench_cli(paths, minutes: float) -> None:
    """3. ``physiofeat segment`` over the circor_dev folder (reading, segmenting and writing
    every .tsv and the table; a fresh process each, so the import and the workers' start are
    in its time) against a Python loop of load + segment + to_tsv in this warm process."""
    folder = str(DEV)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        _loop_to_tsv(paths, tmp)
        t_loop = time.perf_counter() - t0
    rows = []
    for jobs in (1, 2):
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "seg")
            cmd = [sys.executable, "-m", "physiofeat", "segment", folder, "-o", out]
            t0 = time.perf_counter()
            res = subprocess.run([*cmd, "-q", "-j", str(jobs)], capture_output=True, text=True)
            dt = time.perf_counter() - t0
            n = len(list(Path(out).rglob("*.tsv")))
            rows.append([f"physiofeat segment -j {jobs}", n, res.returncode, dt, t_loop / dt])
    rows.append(["loop: load + segment + to_tsv (warm)", len(paths), 0, t_loop, 1.0])
    print_table(
        f"{len(paths)} circor_dev files ({minutes:.0f} recording-minutes) to .tsv, wall time",
        ["run", ".tsv written", "exit", "s", "loop / run"],
        rows,
    )


if __name__ == "__main__":
    main()
