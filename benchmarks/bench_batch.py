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

from ._util import first_call, machine, print_table, shared_data

DATA = shared_data()
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


# --------------------------------------------------------------------------------------------
# Cold start: the demo's extraction (``make run``) on an empty Numba cache, then warm


def cold_start(repeat: int = 2) -> None:
    """``python -m physiofeat.demo`` with ``NUMBA_CACHE_DIR`` pointing at an empty folder (cold:
    every kernel the request needs is compiled, once, in the workers' fork server), then again on
    the cache it filled (warm). The time is the demo's own report of the extraction (the
    ``physiofeat extract`` command in-process: imports, fork server, workers, table)."""
    import re

    rows = []
    for i in range(repeat):
        with tempfile.TemporaryDirectory(prefix="physiofeat_cold_") as tmp:
            env = {**os.environ, "NUMBA_CACHE_DIR": str(Path(tmp) / "numba")}
            for label in ("cold (empty cache)", "warm (cache filled by the cold run)"):
                t0 = time.perf_counter()
                proc = subprocess.run(
                    [sys.executable, "-m", "physiofeat.demo", str(Path(tmp) / "f.parquet")],
                    env=env,
                    capture_output=True,
                    text=True,
                    check=True,
                )
                wall = time.perf_counter() - t0
                m = re.search(r"time\s*:\s*([0-9.]+) s", proc.stdout)
                rows.append([f"{label}, run {i + 1}", float(m.group(1)), wall])
    print_table(
        f"make run (python -m physiofeat.demo): extraction time, cold vs warm Numba cache "
        f"({machine()}; load average {os.getloadavg()[0]:.1f})",
        ["run", "demo extraction (s)", "whole command (s)"],
        rows,
    )


# --------------------------------------------------------------------------------------------
# Hour-long recordings: every family on 1 h of 2 kHz PCG and 1 h of 500 Hz ECG

_LONG_CHILD = r"""
import json, resource, sys, time, warnings
import numpy as np
import physiofeat
kind, family, seconds, segment = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
if kind == "pcg":
    x, sr = physiofeat.load(physiofeat.data.path("a0007"))          # 35.7 s at 2 kHz
else:
    x, sr = physiofeat.load_record(physiofeat.data.path("ludb_1"))["ii"], 500.0  # 10 s, lead II
n = int(seconds * sr)
x = np.tile(x, n // x.size + 1)[:n].astype(np.float32)
names = [s.name for s in physiofeat.features(family) if not s.roles]  # one signal each
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
try:
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        if segment == "none":
            v = physiofeat.extract(x, names, sr=sr).vector()
        else:  # the documented way for what refuses a whole hour: segments, a few per call
            (r,) = physiofeat.extract_many([(x, sr)], names, segment=float(segment), n_jobs=1)
            if not r.ok:
                raise RuntimeError(f"{r.error_type}: {r.error}")
            v = r.vector
    status = f"ok, {v.shape} values" + (f"; warned: {str(w[0].message)[:100]}" if w else "")
except Exception as exc:
    status = f"{type(exc).__name__}: {str(exc)[:160]}"
wall = time.perf_counter() - t0
hwm = [l for l in open("/proc/self/status") if l.startswith("VmHWM")][0].split()[1]
print(json.dumps({"wall": wall, "hwm_mb": int(hwm) / 1024, "before_mb": base / 1024,
                  "status": status, "names": names, "n": n}))
"""


def long_recordings(seconds: float = 3600.0, timeout: float = 900.0, families=None) -> None:
    """Each family's features (defaults) on one long recording, one subprocess per family:
    wall time and peak RSS (VmHWM). PCG: the shipped PhysioNet a0007 (2 kHz) tiled to
    ``seconds``; ECG: the shipped LUDB record 1 lead II (500 Hz) tiled likewise."""
    import json

    import physiofeat

    fams = families or sorted({s.family for s in physiofeat.features() if not s.roles})
    rows = []

    def run(kind, fam, segment):
        t0 = time.perf_counter()
        how = "whole" if segment == "none" else f"--segment {segment}"
        try:
            proc = subprocess.run(
                [sys.executable, "-c", _LONG_CHILD, kind, fam, str(seconds), segment],
                capture_output=True,
                text=True,
                timeout=timeout,
            )
            out = json.loads(proc.stdout.strip().splitlines()[-1])
            rows.append([kind, fam, how, out["wall"], out["hwm_mb"], out["status"][:160]])
        except subprocess.TimeoutExpired:
            rows.append([kind, fam, how, time.perf_counter() - t0, float("nan"), "timeout"])
        except (ValueError, IndexError):
            rows.append([kind, fam, how, float("nan"), float("nan"), proc.stderr[-160:]])
        print(rows[-1], flush=True)
        return rows[-1][-1]

    for kind in ("pcg", "ecg"):
        for fam in fams:
            if run(kind, fam, "none").startswith("ParameterError"):
                run(kind, fam, "60")  # refused whole: the documented way, 60 s segments
    print_table(
        f"Every family on {seconds / 3600:g} h recordings (PCG 2 kHz: "
        f"{int(seconds * 2000):,} samples; ECG 500 Hz: {int(seconds * 500):,}), one process per "
        f"family, default parameters ({machine()})",
        ["signal", "family", "how", "wall (s)", "peak RSS (MB)", "status"],
        rows,
    )


# --------------------------------------------------------------------------------------------
# FeatureExtractor in a cross-validation: the pool kept between transform calls


def cross_validation(n_files: int = 14, folds: int = 7) -> None:
    """A 7-fold ``cross_val_score`` of FeatureExtractor + LogisticRegression on 14 short files
    (the shipped a0007/a0126 cut into 3 s pieces), FeatureExtractor ``n_jobs=1`` vs ``2`` and
    the outer ``n_jobs=2`` around it (nested: the inner one runs serially in each CV worker)."""
    import numpy as np
    import soundfile as sf
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    import physiofeat
    from physiofeat.sklearn import FeatureExtractor

    with tempfile.TemporaryDirectory(prefix="physiofeat_cv_") as tmp:
        files, y = [], []
        for k, name in enumerate(("a0007", "a0126")):
            x, sr = physiofeat.load(physiofeat.data.path(name))
            for i in range(n_files // 2):
                p = Path(tmp) / f"{name}_{i}.wav"
                sf.write(p, x[i * 3 * sr : (i + 1) * 3 * sr], sr, subtype="FLOAT")
                files.append(str(p))
                y.append(k)
        y = np.array(y)
        FeatureExtractor(["mfcc", "rms"], params=PARAMS).fit_transform(files[:2])  # JIT load
        t0 = time.perf_counter()  # the pool's start-up, once per process (kept between calls)
        FeatureExtractor(["mfcc", "rms"], params=PARAMS, n_jobs=2).fit_transform(files[:2])
        t_pool = time.perf_counter() - t0
        rows = []
        for inner, outer in ((1, 1), (2, 1), (2, 2)):
            fx = FeatureExtractor(["mfcc", "rms"], params=PARAMS, n_jobs=inner)
            pipe = make_pipeline(fx, StandardScaler(), LogisticRegression(max_iter=500))
            cv = StratifiedKFold(folds, shuffle=True, random_state=0)
            t0 = time.perf_counter()
            scores = cross_val_score(pipe, files, y, cv=cv, n_jobs=outer, error_score="raise")
            rows.append([f"FeatureExtractor(n_jobs={inner}), cv n_jobs={outer}",
                         time.perf_counter() - t0, float(np.mean(scores))])  # fmt: skip
    print_table(
        f"{folds}-fold cross-validation on {n_files} files ({machine()}; load average "
        f"{os.getloadavg()[0]:.1f}; kernels loaded in this process first)",
        ["pipeline", "wall (s)", "mean accuracy"],
        rows,
    )
    print(
        f"The 2-worker pool's start-up (fork server, warm-up, workers), paid once per process "
        f"before these runs: {t_pool:.1f} s. The cv n_jobs=2 row starts two loky workers, in "
        "which the inner extractor runs serially (a nested pool would oversubscribe the cores).\n"
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["cv"]:
        cross_validation()
    elif sys.argv[1:2] == ["cold"]:
        cold_start(int(sys.argv[2]) if len(sys.argv) > 2 else 2)
    elif sys.argv[1:2] == ["long"]:
        long_recordings(
            float(sys.argv[2]) if len(sys.argv) > 2 else 3600.0,
            families=sys.argv[3].split(",") if len(sys.argv) > 3 else None,
        )
    else:
        main()
