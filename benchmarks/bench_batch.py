"""Batch throughput: files/s on 1 and 2 jobs, the Dask LocalCluster path, and peak memory as the
folder grows.

The folder holds N real heart-sound recordings of 5-30 s (PhysioNet 2016 at 2 kHz and CirCor at
4 kHz from ../shared/data, symlinked repeatedly into a temporary folder). The feature set is
moderately heavy: MFCC + deltas + four spectral statistics + RMS at n_fft=256, hop 64, at each
file's native rate. The competitor is what a user writes without physiofeat's batch layer: a
serial Python loop of ``load`` + ``extract`` + ``vector``.

Peak memory is the largest sum of RSS (and of PSS) over the ``physiofeat extract`` process and all its
children (sampled every 50 ms with psutil), for the same command on 500 and on 2000 files.

Run: ``python -m benchmarks.bench_batch [N_SMALL N_LARGE REPEAT]`` (defaults 500 2000 2).
"""

from __future__ import annotations

import csv
import gc
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from ._util import first_call, machine, print_table

DATA = Path(
    os.environ.get(
        "PHYSIOFEAT_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"
    )
)
FEATURES = [
    "mfcc",
    "mfcc_delta",
    "spectral_centroid",
    "spectral_bandwidth",
    "spectral_rolloff",
    "spectral_flatness",
    "rms",
]
PARAMS = {"n_fft": 256, "hop_length": 64, "frame_length": 256}


def recordings() -> list[Path]:
    """Real PCG WAVs of 5-30 s (PhysioNet 2016, CirCor) listed in MANIFEST.csv."""
    out = []
    with open(DATA / "MANIFEST.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            p = row["path"]
            if not p.endswith(".wav") or not p.startswith(("pcg/physionet2016/", "pcg/circor/")):
                continue
            if 5.0 <= float(row["duration_s"]) <= 30.0:
                out.append(DATA / p)
    return sorted(out)


def make_folder(root: Path, n: int, sources: list[Path]) -> Path:
    d = root / f"n{n}"
    d.mkdir()
    for i in range(n):
        src = sources[i % len(sources)]
        (d / f"{i:05d}_{src.name}").symlink_to(src)
    return d


def peak_rss_of(cmd: list[str]) -> tuple[float, float, float, int]:
    """Run ``cmd``; return (wall seconds, peak summed RSS and PSS of the process tree in MB,
    exit status). RSS counts pages shared by forked workers once per process; PSS splits them."""
    import psutil

    t0 = time.perf_counter()
    proc = psutil.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = peak_pss = 0
    stop = threading.Event()

    def sample():
        nonlocal peak, peak_pss
        while not stop.is_set():
            total = total_pss = 0
            try:
                procs = [proc, *proc.children(recursive=True)]
            except psutil.NoSuchProcess:
                break
            for p in procs:
                try:
                    m = p.memory_full_info()
                    total += m.rss
                    total_pss += getattr(m, "pss", m.rss)
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    pass
            peak, peak_pss = max(peak, total), max(peak_pss, total_pss)
            stop.wait(0.05)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    status = proc.wait()
    wall = time.perf_counter() - t0
    stop.set()
    th.join()
    return wall, peak / 2**20, peak_pss / 2**20, status


def main(argv: list[str] | None = None) -> None:
    import numba

    import physiofeat
    from physiofeat.batch import extract_many
    from physiofeat.distributed import local_cluster

    argv = sys.argv[1:] if argv is None else argv
    n_small = int(argv[0]) if len(argv) > 0 else 500
    n_large = int(argv[1]) if len(argv) > 1 else 2000
    repeat = int(argv[2]) if len(argv) > 2 else 2
    if not (DATA / "MANIFEST.csv").is_file():
        print(f"bench_batch: {DATA} is absent; skipped")
        return
    sources = recordings()
    durations = [physiofeat.info(p).duration for p in sources]
    print(
        f"## Batch extraction ({machine()}; load average {os.getloadavg()[0]:.1f} at start, "
        "the machine is shared)\n"
    )
    print(
        f"{len(sources)} distinct real recordings of {min(durations):.1f}-{max(durations):.1f} s "
        f"(PhysioNet 2016 2 kHz, CirCor 4 kHz), repeated to {n_small} and {n_large} files; "
        f"features {', '.join(FEATURES)} with {PARAMS}\n"
    )

    root = Path(tempfile.mkdtemp(prefix="physiofeat_bench_"))
    try:
        small = make_folder(root, n_small, sources)
        large = make_folder(root, n_large, sources)
        files = sorted(str(p) for p in small.iterdir())

        x, sr = physiofeat.load(sources[0])
        jit = first_call(lambda: physiofeat.extract(x, FEATURES, sr=sr, **PARAMS).vector())

        def naive():
            c0 = time.process_time()
            for f in files:
                y, s = physiofeat.load(f)
                physiofeat.extract(y, FEATURES, sr=s, **PARAMS).vector()
            return time.process_time() - c0

        def many(n_jobs=None, client=None):
            res = extract_many(files, FEATURES, n_jobs=n_jobs, client=client, **PARAMS)
            bad = [r for r in res if not r.ok]
            assert not bad, bad[0].error
            return sum(r.cpu_time for r in res)

        def best(func):
            """Best wall time of ``repeat`` runs, with the CPU seconds of that run."""
            runs = []
            for _ in range(repeat):
                gc.collect()
                t0 = time.perf_counter()
                cpu = func()
                runs.append((time.perf_counter() - t0, cpu))
            return min(runs)

        def row(label, wall, cpu, ref):
            return [
                label,
                n_small,
                wall,
                n_small / wall,
                ref / wall,
                1e3 * cpu / n_small,
                cpu / wall,
            ]

        rows = []
        t_naive, c_naive = best(naive)
        rows.append(
            row(
                f"serial loop load+extract ({numba.get_num_threads()} Numba threads)",
                t_naive,
                c_naive,
                t_naive,
            )
        )
        t1, c1 = best(lambda: many(1))
        rows.append(row("extract_many n_jobs=1", t1, c1, t_naive))
        extract_many(files[:4], FEATURES, n_jobs=2, **PARAMS)  # start the fork server
        t2, c2 = best(lambda: many(2))
        rows.append(row("extract_many n_jobs=2 (process pool)", t2, c2, t_naive))
        t0 = time.perf_counter()
        cluster, client = local_cluster(2, threads_per_worker=1)
        t_start = time.perf_counter() - t0
        try:
            many(client=client)  # warm the workers (imports, JIT cache)
            td, cd = best(lambda: many(client=client))
        finally:
            client.close()
            cluster.close()
        rows.append(row("extract_many client=LocalCluster(2 workers x 1 thread)", td, cd, t_naive))
        print_table(
            f"In-process throughput (best of {repeat}; fork server and cluster already started)",
            [
                "path",
                "files",
                "wall (s)",
                "files/s",
                "vs serial loop",
                "CPU ms/file",
                "cores used (CPU/wall)",
            ],
            rows,
        )
        print(
            f"Scaling 1 -> 2 jobs in-process: {t1 / t2:.2f}x (target >= 1.8x); the 2 workers "
            f"got {c2 / t2:.2f} cores of the 2 on this shared machine (1 job: {c1 / t1:.2f}). "
            f"Dask LocalCluster vs 2-job pool: {t2 / td:.2f}x. First call in a fresh process "
            f"(family imports + Numba cache load) {jit:.2f} s; LocalCluster start-up "
            f"{t_start:.2f} s.\n"
        )

        exe = [sys.executable, "-m", "physiofeat", "extract"]
        args = ["-f", ",".join(FEATURES), "-q"]
        for k, v in PARAMS.items():
            args += ["-p", f"{k}={v}"]
        mem_rows = []
        for folder, n, jobs in (
            (small, n_small, 1),
            (small, n_small, 2),
            (large, n_large, 1),
            (large, n_large, 2),
        ):
            out = root / f"out{n}_{jobs}.parquet"
            wall, peak, pss, status = peak_rss_of(
                [*exe, str(folder), *args, "--jobs", str(jobs), "-o", str(out)]
            )
            assert status == 0, status
            mem_rows.append([f"physiofeat extract --jobs {jobs}", n, wall, n / wall, peak, pss])
        print_table(
            "The CLI, cold (whole command: interpreter, imports, workers), with peak memory "
            "(parent + workers, summed RSS)",
            ["command", "files", "wall (s)", "files/s", "peak RSS (MB)", "peak PSS (MB)"],
            mem_rows,
        )
        print(
            f"CLI scaling 1 -> 2 jobs: {mem_rows[0][2] / mem_rows[1][2]:.2f}x on {n_small} files, "
            f"{mem_rows[2][2] / mem_rows[3][2]:.2f}x on {n_large} (the fixed start-up, ~2-3 s of "
            f"imports and worker start, weighs less). Peak RSS {n_large} vs {n_small} files: "
            f"{mem_rows[3][4] / mem_rows[1][4]:.2f}x with 2 jobs (PSS "
            f"{mem_rows[3][5] / mem_rows[1][5]:.2f}x), {mem_rows[2][4] / mem_rows[0][4]:.2f}x with "
            f"1 job, for {n_large / n_small:.0f}x the files; load average at the end "
            f"{os.getloadavg()[0]:.1f}.\n"
        )
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
