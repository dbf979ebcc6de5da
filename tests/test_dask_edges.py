"""The Dask path as a real cluster behaves: workers started in another working folder than the
caller's (a relative input path or arrays folder named the workers' files), a source that kills
its worker (only it fails, not the other sources of its chunk), a client that is not the default
one, and arguments that are not a client or an address."""

from __future__ import annotations

import os

import numpy as np
import pytest
import soundfile as sf

import physiofeat
from physiofeat import ParameterError
from physiofeat.batch import extract_many

distributed = pytest.importorskip("dask.distributed")

SR = 1000
KW = {"frame_length": 256, "hop_length": 64}


@pytest.fixture(scope="module")
def cluster():
    c = distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
    )
    yield c
    c.close()


@pytest.fixture(scope="module")
def client(cluster):
    cl = distributed.Client(cluster, set_as_default=False)  # no default client in this file
    yield cl
    cl.close()


def _write(folder, names, rng):
    for n in names:
        sf.write(folder / n, (0.2 * rng.standard_normal(1500)).astype(np.float32), SR)


def test_relative_paths_are_the_callers_files(client, tmp_path, monkeypatch):
    # the workers started in this process's first working folder; the caller then moves
    rng = np.random.default_rng(1)
    _write(tmp_path, ["a.wav", "b.wav"], rng)
    monkeypatch.chdir(tmp_path)
    assert not os.path.exists(os.path.join(client.run(os.getcwd).popitem()[1], "a.wav"))
    local = extract_many(["a.wav", "b.wav", "nope.wav"], ["rms"], n_jobs=1, **KW)
    remote = extract_many(
        ["a.wav", "b.wav", "nope.wav"], ["rms"], client=client, arrays_dir="arr", **KW
    )
    assert [r.path for r in remote] == ["a.wav", "b.wav", "nope.wav"]  # as given
    assert [r.ok for r in remote] == [True, True, False]
    for a, b in zip(local[:2], remote[:2]):
        np.testing.assert_array_equal(a.vector, b.vector)
    assert remote[2].error_type == "DecodeError" and remote[2].error == local[2].error
    assert remote[2].error.startswith("nope.wav: no such file")  # the path as given
    # the arrays are in the caller's ./arr, where --resume looks for them
    assert sorted(p.name for p in (tmp_path / "arr").iterdir()) == ["a.wav.npz", "b.wav.npz"]


def test_cli_relative_input_with_a_scheduler(client, tmp_path, monkeypatch):
    import pandas as pd

    from physiofeat.cli import main

    _write(tmp_path, ["a.wav", "b.wav"], np.random.default_rng(2))
    monkeypatch.chdir(tmp_path)
    args = ["extract", ".", "-f", "rms", "-p", "frame_length=256", "-p", "hop_length=64", "-q"]
    assert main([*args, "-o", "d.csv", "--scheduler", client.scheduler.address]) == 0
    assert main([*args, "-o", "l.csv", "-j", "1"]) == 0
    pd.testing.assert_frame_equal(pd.read_csv("d.csv"), pd.read_csv("l.csv"))


def test_a_client_that_is_not_the_default_one(cluster):
    rng = np.random.default_rng(3)
    xs = [rng.standard_normal(800) for _ in range(3)]
    with distributed.Client(cluster.scheduler_address, set_as_default=False) as other:
        res = extract_many(xs, ["rms"], sr=SR, client=other, **KW)
    assert all(r.ok for r in res)
    np.testing.assert_array_equal(
        np.stack([r.vector for r in res]),
        np.stack([r.vector for r in extract_many(xs, ["rms"], sr=SR, n_jobs=1, **KW)]),
    )


def test_what_is_not_an_open_client_is_refused_before_any_work(cluster, client):
    x = [np.zeros(800)]
    with pytest.raises(ParameterError, match=r"got str: connect first, physiofeat\.distributed"):
        extract_many(x, ["rms"], sr=SR, client=client.scheduler.address)
    with pytest.raises(ParameterError, match="client must be a dask.distributed.Client; got obj"):
        extract_many(x, ["rms"], sr=SR, client=object())
    closed = distributed.Client(cluster.scheduler_address, set_as_default=False)
    closed.close()
    with pytest.raises(ParameterError, match="client is closed"):
        extract_many(x, ["rms"], sr=SR, client=closed)
    with pytest.raises(ParameterError, match="n_jobs must be a positive number"):
        extract_many(x, ["rms"], sr=SR, client=client, n_jobs=0)
    from physiofeat.distributed import connect

    for bad in (None, 123, "", "  "):
        with pytest.raises(ParameterError, match="address must be a string like 'tcp://"):
            connect(bad)


def test_local_clusters_dashboard_takes_a_free_port_not_dasks_8787(tmp_path):
    import socket
    import warnings

    from physiofeat.distributed import local_cluster

    held = socket.socket()
    try:
        held.bind(("", 8787))  # as another cluster's dashboard would (or it is held already)
        held.listen()
    except OSError:
        pass
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            cluster, cl = local_cluster(1, processes=False)
        try:
            assert cl.submit(sum, [1, 2]).result() == 3
            assert cluster.scheduler.http_server.port != 8787
        finally:
            cl.close()
            cluster.close()
    finally:
        held.close()
    assert not [w for w in caught if "8787" in str(w.message)]


def test_cli_empty_scheduler_is_a_usage_error(tmp_path, capsys):
    from physiofeat.cli import main

    with pytest.raises(SystemExit, match="^2$"):
        main(
            [
                "extract",
                str(tmp_path),
                "-f",
                "rms",
                "-o",
                str(tmp_path / "t.csv"),
                "--scheduler",
                "",
            ]
        )
    assert "--scheduler needs the scheduler's address" in capsys.readouterr().err


_DYING_MODULE = """
import os
import numpy as np
import physiofeat


@physiofeat.register_feature("_test_dask_die", dims=(), description="dies", overwrite=True)
def _die(ctx):
    if ctx.x.shape[-1] == 801 and os.environ.get("PF_TEST_DASK_WORKER") == "1":
        os._exit(3)  # a segfault in native code, as the worker's nanny sees it
    return physiofeat.Feature(np.zeros(()), dims=())
"""


@pytest.mark.timeout(180)
def test_a_source_killing_its_worker_fails_alone(tmp_path, monkeypatch):
    # one worker, and the scheduler gives a task up after its first lost worker (default: 3
    # more tries, each killing a worker): the chunk of four is lost, then each of its sources
    # runs alone, one after the other, and only the one at fault is an error record. The
    # feature is a user module's, which the workers import from its folder.
    (tmp_path / "pf_dying_feature_test.py").write_text(_DYING_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    import dask
    import pf_dying_feature_test  # noqa: F401 - registers the feature here

    rng = np.random.default_rng(4)
    xs = [rng.standard_normal(n) for n in (800, 801, 802, 803)]  # one chunk
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        with (
            distributed.LocalCluster(
                n_workers=1,
                processes=True,
                threads_per_worker=1,
                dashboard_address=None,
                env={"PF_TEST_DASK_WORKER": "1"},
            ) as one,
            distributed.Client(one, set_as_default=False) as cl,
        ):
            res = extract_many(xs, ["_test_dask_die"], sr=SR, client=cl, chunksize=4)
    assert [r.index for r in res] == list(range(4))
    assert [r.ok for r in res] == [True, False, True, True]
    assert res[1].error_type == "KilledWorker"
    assert "the worker was lost" in res[1].error


def test_segment_on_the_cluster_writes_what_one_process_writes(client, tmp_path, monkeypatch):
    import shutil

    from physiofeat.cli import SEGMENT_TABLE, main

    shutil.copy(physiofeat.data.path("a0007"), tmp_path / "a0007.wav")
    (tmp_path / "bad.wav").write_bytes(b"not audio")
    monkeypatch.chdir(tmp_path)  # relative input and output, as typed at a prompt
    addr = client.scheduler.address
    assert main(["segment", ".", "-o", "d", "-q", "--scheduler", addr]) == 1
    assert main(["segment", ".", "-o", "l", "-q", "-j", "1"]) == 1
    assert (tmp_path / "d/a0007.tsv").read_bytes() == (tmp_path / "l/a0007.tsv").read_bytes()
    assert (tmp_path / "d" / SEGMENT_TABLE).read_text() == (
        tmp_path / "l" / SEGMENT_TABLE
    ).read_text()


_CLUSTER_SCRIPT = """
import sys
from dask.distributed import LocalCluster

if __name__ == "__main__":
    c = LocalCluster(n_workers=1, processes=True, threads_per_worker=1, dashboard_address=":0")
    print(c.scheduler_address, flush=True)
    sys.stdin.read()  # until the test closes it
    c.close()
"""

_USER_SCRIPT = """
import sys
import numpy as np
from physiofeat import Feature, register_feature, register_intermediate
from physiofeat.batch import extract_many

@register_intermediate("_main_square")
def _sq(ctx):
    return np.asarray(ctx.x, dtype=np.float64) ** 2

@register_feature("_main_power", dims=(), description="mean square", needs=("_main_square",))
def _power(ctx):
    return Feature(np.mean(ctx.get("_main_square"), axis=-1), dims=())

if __name__ == "__main__":
    from dask.distributed import Client
    xs = [np.random.default_rng(i).standard_normal(3000) for i in range(3)]
    with Client(sys.argv[1]) as c:
        res = extract_many(xs, ["_main_power"], sr=1000, client=c)
    for r, x in zip(res, xs):
        print(r.ok, r.error_type, float(np.ravel(r.vector)[0]) if r.ok else "nan", np.mean(x**2))
"""


@pytest.mark.timeout(180)
def test_a_feature_of_the_script_or_repl_runs_on_a_cluster_started_elsewhere(tmp_path):
    # the cluster's workers are another program's processes: the caller's __main__ (a script,
    # python -c as a REPL would) is not theirs to import, so its features go by value
    import subprocess
    import sys

    (tmp_path / "cluster.py").write_text(_CLUSTER_SCRIPT)
    (tmp_path / "user.py").write_text(_USER_SCRIPT)
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    cluster = subprocess.Popen(
        [sys.executable, "cluster.py"],
        cwd=tmp_path,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        address = cluster.stdout.readline().strip()
        assert address.startswith("tcp://")
        for argv in (["user.py"], ["-c", _USER_SCRIPT]):
            out = subprocess.run(
                [sys.executable, *argv, address],
                cwd=tmp_path,
                capture_output=True,
                text=True,
                env=env,
                timeout=120,
            )
            lines = out.stdout.split("\n")[:3]
            assert len(lines) == 3, out.stderr[-2000:]
            for line in lines:
                ok, error_type, got, want = line.split()
                assert (ok, error_type) == ("True", "None"), out.stderr[-2000:]
                assert float(got) == pytest.approx(float(want), rel=1e-12)  # naive NumPy
    finally:
        cluster.stdin.close()
        cluster.wait(timeout=60)


def test_a_feature_registered_inside_a_function_runs_on_a_cluster(client):
    from physiofeat import Feature, register_feature

    def make(scale):
        @register_feature("_test_local_scaled_max", dims=(), description="x", overwrite=True)
        def _scaled_max(ctx):
            return Feature(scale * np.max(np.asarray(ctx.x, dtype=np.float64), axis=-1), dims=())

    from physiofeat import _registry

    make(3.0)
    try:
        xs = [np.random.default_rng(i).standard_normal(1200) for i in range(3)]
        res = extract_many(xs, ["_test_local_scaled_max"], sr=SR, client=client)
        assert [r.error for r in res] == [None] * 3
        for r, x in zip(res, xs):
            assert float(np.ravel(r.vector)[0]) == 3.0 * np.max(x)
        with pytest.raises(ParameterError, match="registered inside a function"):
            extract_many(xs, ["_test_local_scaled_max"], sr=SR, n_jobs=2)  # worker processes
    finally:
        _registry._FEATURES.pop("_test_local_scaled_max", None)


_BLAS_SCRIPT = """
import threading
import numpy as np
from threadpoolctl import threadpool_info
from physiofeat._registry import _load_builtins
from physiofeat.batch import _single_threaded, extract_many
from dask.distributed import Client, LocalCluster

def blas():
    return sorted({i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"})

if __name__ == "__main__":
    _load_builtins()
    print("start", blas())
    # two tasks overlapping on threads: A starts, B starts, A ends, B ends
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()
    def a():
        with _single_threaded():
            a_in.set()
            b_in.wait(10)
        a_out.set()
    def b():
        a_in.wait(10)
        with _single_threaded():
            b_in.set()
            a_out.wait(10)
    ts = [threading.Thread(target=f) for f in (a, b)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(30)
    print("threads", blas())
    xs = [np.random.default_rng(i).standard_normal(8000) for i in range(12)]
    with LocalCluster(n_workers=1, processes=False, threads_per_worker=2,
                      dashboard_address=":0") as c, Client(c, set_as_default=False) as cl:
        res = extract_many(xs, ["mfcc", "rms"], sr=1000, client=cl, chunksize=1)
    assert all(r.ok for r in res)
    print("dask", blas())
"""


@pytest.mark.timeout(180)
def test_tasks_overlapping_on_threads_leave_the_blas_thread_count_as_it_was(tmp_path):
    # OpenBLAS's count is process-wide: a limit set and restored by each task interleaves
    # (A saves 2 and sets 1, B saves 1, A restores 2, B restores 1) and left the caller's
    # process at 1 thread. Run with a BLAS of 2 threads from the start, as a user's would be.
    import subprocess
    import sys

    pytest.importorskip("threadpoolctl")
    (tmp_path / "blas.py").write_text(_BLAS_SCRIPT)
    env = {**os.environ, "OMP_NUM_THREADS": "2", "OPENBLAS_NUM_THREADS": "2"}
    out = subprocess.run(
        [sys.executable, "blas.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=170,
    )
    counts = dict(line.split(" ", 1) for line in out.stdout.splitlines())
    assert set(counts) == {"start", "threads", "dask"}, out.stderr[-2000:]
    if counts["start"] != "[2]":
        pytest.skip(f"no BLAS of 2 threads here: {counts['start']}")
    assert counts["threads"] == "[2]" and counts["dask"] == "[2]", counts
