"""extract_many / iter_extract: values equal extract() source by source, errors become records,
the same results whatever n_jobs (seeded EEMD included), bounded submission, and the Dask path
on a real LocalCluster."""

from __future__ import annotations

import os
import warnings
from dataclasses import replace

import numpy as np
import pytest
import soundfile as sf

import physiofeat
from physiofeat import ParameterError, UnknownFeatureError
from physiofeat.batch import Result, extract_many, iter_extract, results_to_frame

SR = 1000
FEATS = ["mfcc", "rms"]
KW = dict(n_fft=256, hop_length=64, frame_length=256)


def _signals(rng, n=6):
    return [rng.standard_normal(int(rng.integers(800, 2500))) for _ in range(n)]


def _oracle(x, sr=SR, feats=FEATS, **kw):
    f = physiofeat.extract(x, feats, sr=sr, **{**KW, **kw})
    return f.vector_names(), f.vector()


def test_arrays_equal_extract_one_by_one_in_input_order(rng):
    xs = _signals(rng)
    res = extract_many(xs, FEATS, sr=SR, n_jobs=1, **KW)
    assert [r.index for r in res] == list(range(len(xs)))
    assert [r.id for r in res] == [str(i) for i in range(len(xs))]
    for r, x in zip(res, xs):
        names, vec = _oracle(x)
        assert r.ok and r.names == names
        np.testing.assert_array_equal(r.vector, vec)
        assert r.sr == SR and r.duration == pytest.approx(len(x) / SR, rel=1e-12)


def test_errors_become_records_and_never_stop_the_run(rng):
    xs = [
        rng.standard_normal(1000),
        np.zeros(0),
        np.array([1.0, np.nan, 2.0]),
        rng.standard_normal(1200),
    ]
    res = extract_many(xs, FEATS, sr=SR, n_jobs=1, **KW)
    assert [r.ok for r in res] == [True, False, False, True]
    assert res[1].error_type == "InvalidSignalError" and "empty" in res[1].error
    assert res[2].error_type == "InvalidSignalError" and "non-finite" in res[2].error
    assert res[1].vector is None and res[1].n_rows == 0
    frame = results_to_frame(res)
    assert list(frame["id"]) == ["0", "3"]
    np.testing.assert_array_equal(frame.iloc[1, 1:].to_numpy(float), _oracle(xs[3])[1])


def test_pool_gives_the_same_results_as_one_process(rng):
    xs = _signals(rng, 8) + [np.zeros(0)]
    one = extract_many(xs, FEATS, sr=SR, n_jobs=1, **KW)
    two = extract_many(xs, FEATS, sr=SR, n_jobs=2, chunksize=2, **KW)
    assert [r.index for r in two] == list(range(len(xs)))
    for a, b in zip(one, two):
        assert (a.ok, a.error_type, a.names) == (b.ok, b.error_type, b.names)
        if a.ok:
            np.testing.assert_array_equal(a.vector, b.vector)


def test_seeded_eemd_is_the_same_whatever_n_jobs(rng):
    if "hht" not in {s.name for s in physiofeat.features()}:
        pytest.skip("the hht family is not registered in this checkout")
    t = np.arange(600) / SR
    xs = [np.sin(2 * np.pi * f * t) + 0.3 * rng.standard_normal(t.size) for f in (20, 45, 70)]
    kw = dict(method="eemd", trials=4, seed=7, max_imfs=3)
    one = extract_many(xs, ["hht"], sr=SR, n_jobs=1, **kw)
    two = extract_many(xs, ["hht"], sr=SR, n_jobs=2, **kw)
    for a, b in zip(one, two):
        assert a.ok, a.error
        np.testing.assert_array_equal(a.vector, b.vector)
    ref = physiofeat.extract(xs[1], ["hht"], sr=SR, **kw).vector()
    np.testing.assert_array_equal(one[1].vector, ref)


def test_paths_pairs_resampling_and_ids(tmp_path, rng):
    x = (0.3 * rng.standard_normal(3000)).astype(np.float32)
    p = tmp_path / "rec.wav"
    sf.write(p, x, 2000, subtype="FLOAT")
    res = extract_many([p, (x, 2000)], FEATS, sr=SR, ids=["file", "pair"], n_jobs=1, **KW)
    assert [r.id for r in res] == ["file", "pair"]
    assert res[0].path == str(p) and res[1].path is None
    y, sr = physiofeat.load(p, sr=SR)
    np.testing.assert_array_equal(res[0].vector, _oracle(y, sr)[1])
    y2 = physiofeat.io.resample(x, 2000, SR)
    np.testing.assert_array_equal(res[1].vector, _oracle(y2)[1])
    assert res[0].sr == SR == res[1].sr


def test_per_channel_and_segments_equal_extract_on_the_slices(rng):
    x = rng.standard_normal((2, 2500))
    r = extract_many([x], FEATS, sr=SR, per_channel=True, n_jobs=1, **KW)[0]
    assert r.vector.shape[0] == 2
    np.testing.assert_array_equal(r.channel, [0, 1])
    for c in range(2):
        np.testing.assert_allclose(r.vector[c], _oracle(x[c])[1], rtol=1e-12, atol=1e-12)
    s = extract_many([x[0]], FEATS, sr=SR, segment=0.8, n_jobs=1, **KW)[0]
    assert s.vector.shape[0] == 3  # 2500 samples = 3 full segments of 800, remainder dropped
    np.testing.assert_array_equal(s.segment, [0, 1, 2])
    np.testing.assert_allclose(s.start, [0.0, 0.8, 1.6])
    for k in range(3):
        np.testing.assert_allclose(
            s.vector[k], _oracle(x[0, 800 * k : 800 * (k + 1)])[1], rtol=1e-12, atol=1e-12
        )
    frame = results_to_frame([s])
    assert list(frame.columns[:4]) == ["id", "segment", "start_s", "mfcc_coef0_mean"]
    short = extract_many([x[0, :500]], FEATS, sr=SR, segment=0.8, n_jobs=1, **KW)[0]
    assert short.error_type == "InvalidSignalError" and "shorter than one segment" in short.error


def test_return_arrays_and_arrays_dir(tmp_path, rng):
    x = rng.standard_normal(2000)
    r = extract_many(
        [x], FEATS, sr=SR, ids=["a/b"], return_arrays=True, arrays_dir=tmp_path, n_jobs=1, **KW
    )[0]
    ref = physiofeat.extract(x, FEATS, sr=SR, **KW)
    np.testing.assert_array_equal(r.arrays["mfcc"], ref["mfcc"].values)
    np.testing.assert_array_equal(r.arrays["mfcc__time"], ref["mfcc"].times)
    with np.load(tmp_path / "a" / "b.npz") as z:
        np.testing.assert_array_equal(z["rms"], ref["rms"].values)
        assert tuple(z["mfcc__dims"]) == ("coef", "time")


def test_iter_extract_consumes_sources_lazily(rng):
    consumed = []

    def gen():
        for i in range(40):
            consumed.append(i)
            yield rng.standard_normal(600)

    it = iter_extract(
        gen(), ["rms"], sr=SR, n_jobs=2, max_pending=3, frame_length=256, hop_length=64
    )
    first = next(it)
    assert isinstance(first, Result) and first.ok
    assert len(consumed) <= 4  # never more than max_pending in flight (+1 being read)
    rest = list(it)
    assert sorted(r.index for r in [first, *rest]) == list(range(40))


def _crash_in_worker(ctx):
    if os.getpid() != _PARENT and ctx.x.shape[-1] in _CRASH_LENGTHS:
        os._exit(3)  # what a segfault in native code looks like to the pool
    return physiofeat.Feature(np.zeros(()), dims=())


_PARENT = os.getpid()
_CRASH_LENGTHS = (501, 503)


@pytest.mark.timeout(120)
def test_a_dying_worker_fails_only_its_own_source(rng):
    physiofeat.register_feature("_test_crash", dims=(), description="dies", overwrite=True)(
        _crash_in_worker
    )
    xs = [rng.standard_normal(n) for n in (500, 501, 502, 503, 504, 505, 506)]
    res = extract_many(xs, ["_test_crash"], sr=SR, n_jobs=2, mp_context="fork")
    assert [r.index for r in res] == list(range(len(xs)))
    crashed = [i for i, r in enumerate(res) if not r.ok]
    assert crashed == [1, 3]
    assert all(res[i].error_type == "WorkerCrashed" for i in crashed)
    assert "died while computing this source" in res[1].error
    ok = extract_many(xs, ["rms"], sr=SR, n_jobs=2, mp_context="fork", frame_length=256)
    assert all(r.ok for r in ok)


def test_parameter_errors_raise_before_any_work(rng):
    x = [rng.standard_normal(500)]
    with pytest.raises(UnknownFeatureError, match="unknown feature 'mfc'"):
        extract_many(x, ["mfc"], sr=SR)
    with pytest.raises(ParameterError, match=r"accepted by none of the requested features"):
        extract_many(x, ["rms"], sr=SR, n_mfcc=3)
    with pytest.raises(ParameterError, match="n_jobs must be a positive number"):
        extract_many(x, ["rms"], sr=SR, n_jobs=0)
    with pytest.raises(ParameterError, match="segment must be > 0"):
        extract_many(x, ["rms"], sr=SR, segment=0)
    with pytest.raises(ParameterError, match="unknown summary statistic"):
        extract_many(x, ["rms"], sr=SR, stats=["mean", "mode"])
    with pytest.raises(ParameterError, match="chunksize must be >= 1"):
        extract_many(x, ["rms"], sr=SR, chunksize=0)
    with pytest.raises(ParameterError, match="ids must be a sequence"):
        extract_many(x, ["rms"], sr=SR, ids=iter(["a"]))
    with pytest.raises(ParameterError, match="sr must be a positive number"):
        extract_many(x, ["rms"], sr=-5)
    r = extract_many(x, ["rms"], n_jobs=1)[0]  # an array without a rate: a per-source error
    assert r.error_type == "ParameterError" and "without a sampling rate" in r.error


def test_progress_callback_sees_every_result(rng):
    seen = []
    extract_many(
        [rng.standard_normal(500)] * 3,
        ["rms"],
        sr=SR,
        n_jobs=1,
        progress=seen.append,
        frame_length=256,
    )
    assert len(seen) == 3


# -- Dask: a real LocalCluster of two worker processes ---------------------------------------


@pytest.fixture(scope="module")
def dask_client():
    distributed = pytest.importorskip("dask.distributed")
    cluster = distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
    )
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


def test_dask_localcluster_gives_the_same_results(dask_client, tmp_path, rng):
    xs = _signals(rng, 5) + [np.zeros(0)]
    p = tmp_path / "f.wav"
    sf.write(p, (0.2 * rng.standard_normal(1500)).astype(np.float32), SR, subtype="PCM_16")
    sources = [*xs, str(p), str(tmp_path / "missing.wav")]
    local = extract_many(sources, FEATS, sr=SR, n_jobs=1, **KW)
    remote = extract_many(sources, FEATS, sr=SR, client=dask_client, chunksize=2, **KW)
    assert [r.index for r in remote] == list(range(len(sources)))
    workers = set(dask_client.nthreads())
    assert len(workers) == 2
    for a, b in zip(local, remote):
        assert (a.ok, a.error_type) == (b.ok, b.error_type)
        if a.ok:
            np.testing.assert_array_equal(a.vector, b.vector)
    assert remote[-1].error_type == "DecodeError" and "no such file" in remote[-1].error


class _Unpicklable:
    """A source that cannot travel to a Dask worker."""

    def __reduce__(self):
        raise TypeError("cannot pickle _Unpicklable")


def test_a_source_that_cannot_be_sent_to_the_cluster_is_one_error_record(dask_client, rng):
    """client.submit raised for the chunk holding it, outside the error handling, and the run
    stopped; now only that source fails, and the others of its chunk are computed."""
    xs = _signals(rng, 4)
    sources = [xs[0], xs[1], _Unpicklable(), xs[2], xs[3]]
    remote = extract_many(sources, FEATS, sr=SR, client=dask_client, chunksize=4, **KW)
    assert [r.index for r in remote] == list(range(5))
    assert [r.ok for r in remote] == [True, True, False, True, True]
    assert remote[2].error_type == "TypeError" and "cannot pickle" in remote[2].error
    local = extract_many(xs, FEATS, sr=SR, n_jobs=1, **KW)
    for a, b in zip(local, [remote[i] for i in (0, 1, 3, 4)]):
        np.testing.assert_array_equal(a.vector, b.vector)


def test_record_features_on_the_cluster_equal_the_serial_run(dask_client):
    """Record features (one row per record, channels by role) through a Dask cluster: record
    paths and an in-memory Record travel to the workers; a record without a role is an error
    record there too."""
    from physiofeat.ecgpcg import synthetic_ecg_pcg
    from physiofeat.records import Record

    ecg, pcg, sr, _ = synthetic_ecg_pcg(duration=10.0, sr=2000)
    sources = [
        physiofeat.data.path("ludb_1"),
        Record.from_arrays({"ECG": (ecg, sr), "PCG": (pcg, sr)}),
        physiofeat.data.path("a0007"),
    ]
    req = ["ecg_multilead", "ecg_pcg_timing"]
    roles = {"pcg": "v6"}  # LUDB's lead v6 as a stand-in heart sound: the request runs there
    local = extract_many(sources, req, n_jobs=1, roles=roles)
    assert [r.ok for r in local] == [True, False, False]  # v6 is not in the others
    local[1:2] = extract_many(sources[1:2], req, n_jobs=1)
    remote = extract_many(sources, req, client=dask_client, roles=roles)
    remote[1:2] = extract_many(sources[1:2], req, client=dask_client)
    for a, b in zip(local, remote):
        assert (a.ok, a.error_type, a.channel_name) == (b.ok, b.error_type, b.channel_name)
        if a.ok:
            np.testing.assert_array_equal(a.vector, b.vector)
    assert local[1].ok and local[1].channel_name == ["ecg: ECG; pcg: PCG"]
    assert local[2].error_type == "ParameterError" and "no channel 'v6'" in local[2].error


def test_cli_scheduler_option_on_the_cluster(dask_client, tmp_path, rng):
    import pandas as pd

    from physiofeat.cli import main

    for i in range(3):
        sf.write(
            tmp_path / f"r{i}.wav",
            (0.2 * rng.standard_normal(1500)).astype(np.float32),
            SR,
            subtype="PCM_16",
        )
    args = [
        "extract",
        str(tmp_path),
        "-f",
        "mfcc,rms",
        "-p",
        "n_fft=256",
        "-p",
        "hop_length=64",
        "-p",
        "frame_length=256",
        "-q",
    ]
    assert (
        main(
            [*args, "-o", str(tmp_path / "d.parquet"), "--scheduler", dask_client.scheduler.address]
        )
        == 0
    )
    assert main([*args, "-o", str(tmp_path / "l.parquet"), "--jobs", "1"]) == 0
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "d.parquet"), pd.read_parquet(tmp_path / "l.parquet")
    )


_USER_MODULE = """
import numpy as np
from physiofeat import Feature, register_feature


@register_feature("peak_to_peak_test", dims=(), description="max - min (test feature)")
def _ptp(ctx):
    return Feature(np.ptp(ctx.x, axis=-1), (), {}, {})
"""


def test_user_features_from_a_module_work_in_worker_processes(tmp_path, monkeypatch, rng):
    """A feature registered in the user's own module is imported by each worker process."""
    import sys

    (tmp_path / "pf_user_features_test.py").write_text(_USER_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    import pf_user_features_test  # noqa: F401 - registers the feature in this process

    try:
        xs = _signals(rng, 4)
        kw = dict(frame_length=256, hop_length=64)
        res = extract_many(xs, ["peak_to_peak_test", "rms"], sr=SR, n_jobs=2, **kw)
        assert all(r.ok for r in res), [r.error for r in res]
        for r, x in zip(res, xs):
            f = physiofeat.extract(x, ["peak_to_peak_test", "rms"], sr=SR, **kw)
            names, vec = f.vector_names(), f.vector()
            assert r.names == names
            np.testing.assert_array_equal(r.vector, vec)
        assert res[0].vector[0] == np.ptp(xs[0])
    finally:
        from physiofeat import _registry

        _registry._FEATURES.pop("peak_to_peak_test", None)
        sys.modules.pop("pf_user_features_test", None)


def test_interactively_registered_feature_with_workers_is_a_clear_error(monkeypatch, rng):
    import sys
    import types

    from physiofeat import Feature, register_feature

    def _compute(ctx):
        return Feature(np.ptp(ctx.x, axis=-1), (), {}, {})

    _compute.__module__ = "__main__"
    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))  # a REPL: no file
    register_feature("interactive_test", dims=(), description="test")(_compute)
    try:
        with pytest.raises(ParameterError, match="registered interactively.*n_jobs=1"):
            extract_many([rng.standard_normal(1000)], ["interactive_test"], sr=SR, n_jobs=2)
        res = extract_many([rng.standard_normal(1000)], ["interactive_test"], sr=SR, n_jobs=1)
        assert res[0].ok
    finally:
        from physiofeat import _registry

        _registry._FEATURES.pop("interactive_test", None)


def test_stdin_main_and_function_local_features_with_workers_are_clear_errors(monkeypatch, rng):
    import sys
    import types

    from physiofeat import Feature, register_feature

    def _compute(ctx):
        return Feature(np.ptp(ctx.x, axis=-1), (), {}, {})

    x = rng.standard_normal(1000)
    stdin_main = types.ModuleType("__main__")
    stdin_main.__file__ = "<stdin>"  # python - < script.py
    monkeypatch.setitem(sys.modules, "__main__", stdin_main)
    _compute.__module__ = "__main__"
    register_feature("stdin_test", dims=(), description="test")(_compute)

    def _local(ctx):  # defined inside a function of an importable module (a guarded main())
        return Feature(np.ptp(ctx.x, axis=-1), (), {}, {})

    assert "<locals>" in _local.__qualname__ and _local.__module__ != "__main__"
    register_feature("local_test", dims=(), description="test")(_local)
    try:
        with pytest.raises(ParameterError, match=r"registered interactively.*<stdin>.*n_jobs=1"):
            extract_many([x], ["stdin_test"], sr=SR, n_jobs=2)
        with pytest.raises(
            ParameterError, match=r"'local_test' was registered inside a function.*n_jobs=1"
        ):
            next(iter_extract([x], ["rms", "local_test"], sr=SR, n_jobs=2))
        res = extract_many([x], ["stdin_test", "local_test"], sr=SR, n_jobs=1)
        assert res[0].ok and res[0].vector.tolist() == [np.ptp(x)] * 2
    finally:
        from physiofeat import _registry

        _registry._FEATURES.pop("stdin_test", None)
        _registry._FEATURES.pop("local_test", None)


def test_two_d_array_sources_are_mixed_to_mono_unless_per_channel(rng):
    x = rng.standard_normal((3, 2000))
    mono = x.mean(axis=0)
    r = extract_many([x, (x.astype(np.float32), SR)], FEATS, sr=SR, n_jobs=1, **KW)
    assert r[0].vector.shape == (84,) and r[0].channel is None
    np.testing.assert_allclose(r[0].vector, _oracle(mono)[1], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(
        r[1].vector, _oracle(x.astype(np.float32).mean(axis=0))[1], rtol=1e-5, atol=1e-5
    )
    assert len(results_to_frame(r)) == 2
    seg = next(iter_extract([x], FEATS, sr=SR, n_jobs=1, segment=1.0, **KW))
    assert seg.vector.shape == (2, 84) and seg.channel is None
    np.testing.assert_allclose(seg.vector[1], _oracle(mono[1000:])[1], rtol=1e-12, atol=1e-12)
    per = extract_many([x], FEATS, sr=SR, n_jobs=1, per_channel=True, **KW)[0]
    assert per.vector.shape == (3, 84)
    np.testing.assert_array_equal(per.channel, [0, 1, 2])


def test_warnings_name_their_source(rng):
    import warnings

    from physiofeat import Feature, register_feature

    def _warns(ctx):
        warnings.warn("odd signal", UserWarning, stacklevel=1)
        return Feature(np.ptp(ctx.x, axis=-1), (), {}, {})

    register_feature("warns_test", dims=(), description="test")(_warns)
    x = rng.standard_normal(500)
    try:
        with pytest.warns(UserWarning, match=r"^rec7: odd signal$") as rec:
            res = extract_many([x, x], ["warns_test"], sr=SR, n_jobs=1, ids=["rec7", "rec8"])
        assert all(r.ok for r in res)
        assert sorted(str(w.message) for w in rec) == ["rec7: odd signal", "rec8: odd signal"]
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # the caller's filters still apply
            res = extract_many([x], ["warns_test"], sr=SR, n_jobs=1, ids=["rec7"])
        assert res[0].error_type == "UserWarning" and res[0].error == "rec7: odd signal"
    finally:
        from physiofeat import _registry

        _registry._FEATURES.pop("warns_test", None)


# -------------------------------------------------------------------------------------------
# Issue #17: nested parallelism, the pool kept between calls, workers ending with their parent

_PID_MODULE = """
import os
import numpy as np
from physiofeat import Feature, register_feature

@register_feature("worker_pid_test", dims=(), description="the computing process", overwrite=True)
def _pid(ctx):
    return Feature(np.full(ctx.x.shape[:-1], float(os.getpid())), dims=())
"""


@pytest.fixture
def pid_feature(tmp_path, monkeypatch):
    import sys

    (tmp_path / "pf_pid_test.py").write_text(_PID_MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    import pf_pid_test  # noqa: F401

    yield "worker_pid_test"
    from physiofeat import _registry

    _registry._FEATURES.pop("worker_pid_test", None)
    sys.modules.pop("pf_pid_test", None)


def test_the_process_pool_is_kept_between_calls(pid_feature, rng):
    """A second extract_many(n_jobs=2) is served by the workers of the first (a pool per call
    made FeatureExtractor(n_jobs=2) ~15x slower than n_jobs=1 in a cross-validation)."""
    from physiofeat.batch import _POOLS, shutdown_workers

    xs = _signals(rng, 6)

    def pids():
        res = extract_many(xs, [pid_feature], sr=SR, n_jobs=2)
        assert all(r.ok for r in res), [r.error for r in res]
        return {int(r.vector[0]) for r in res}

    def pool():
        assert len(_POOLS) == 1
        p = next(iter(_POOLS.values()))
        return p, set(p._processes or {})

    # compared with the kept pool's workers, not with the first call's: the first call may be
    # served by one of the two (CI once had the second call use the other, idle one), and a
    # pool of another start method spawns its workers as the tasks need them
    first = pids()
    pool1, workers1 = pool()
    second = pids()
    pool2, workers = pool()
    assert os.getpid() not in first and 1 <= len(first) <= 2
    assert pool2 is pool1 and first <= workers1 <= workers and len(workers) <= 2
    assert second <= workers
    shutdown_workers()
    assert not (pids() & workers)  # after shutdown_workers, new workers


def test_extract_many_inside_a_pool_worker_runs_serially_with_a_warning(pid_feature, rng):
    """Nested: extract_many(n_jobs=2) inside a worker of another pool computes in that worker."""
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(1) as outer:
        pids, warned, inner = outer.submit(_nested_call, [x for x in _signals(rng, 3)]).result()
    assert pids == {inner}
    assert any("running inside a worker process" in w for w in warned)


def _nested_call(xs):
    import warnings

    import pf_pid_test  # noqa: F401 - the outer worker imports the user's module

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = extract_many(xs, ["worker_pid_test"], sr=SR, n_jobs=2)
    return {int(r.vector[0]) for r in res}, [str(w.message) for w in caught], os.getpid()


def _descendants(pid: int) -> set[int]:
    """Every live descendant of ``pid`` (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if fields[0] != "Z":
            children.setdefault(int(fields[1]), []).append(int(entry))
    out: set[int] = set()
    todo = [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            if c not in out:
                out.add(c)
                todo.append(c)
    return out


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            stat = fh.read()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


_LONG_RUN = """
import numpy as np
from physiofeat.batch import iter_extract

if __name__ == "__main__":
    xs = [np.random.default_rng(i).standard_normal(300_000) for i in range(4)]
    for r in iter_extract(xs, ["sample_entropy"], sr=2000, n_jobs=2):  # minutes of O(n^2) work
        print(r.ok, flush=True)
"""


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="reads the process tree in /proc")
def test_workers_end_when_their_parent_is_killed(tmp_path):
    """kill -9 of the parent in the middle of long computations: the workers (and the fork
    server) end within seconds instead of computing on for minutes."""
    import signal
    import subprocess
    import sys
    import time
    import warnings

    script = tmp_path / "long_run.py"
    script.write_text(_LONG_RUN)
    proc = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        busy: set[int] = set()
        while time.monotonic() < deadline and len(busy) < 2:  # two workers computing
            time.sleep(0.5)
            busy = set()
            for pid in _descendants(proc.pid):
                try:
                    with open(f"/proc/{pid}/stat") as fh:
                        stat = fh.read()
                except OSError:
                    continue
                if int(stat[stat.rindex(")") + 2 :].split()[11]) > 50:  # utime > 0.5 s
                    busy.add(pid)
        assert len(busy) >= 2, "the workers did not start"
        tree = _descendants(proc.pid)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(_alive(p) for p in tree):
            time.sleep(0.2)
        left = {p for p in tree if _alive(p)}
    finally:
        if proc.poll() is None:
            proc.kill()
    for p in left:  # clean up before failing
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                os.kill(p, signal.SIGKILL)
            except OSError:
                pass
    assert not left, f"processes left after the parent was killed: {sorted(left)} of {sorted(tree)}"


def test_a_warning_about_the_machine_is_said_once_not_per_file():
    """pydub's "Couldn't find ffmpeg or avconv" (no ffmpeg on PATH) came once per file."""
    import warnings

    from physiofeat.batch import _SAID_ONCE, _naming_warnings

    _SAID_ONCE.clear()
    pydub_file = os.path.join("site-packages", "pydub", "utils.py")
    with pytest.warns(RuntimeWarning) as rec:
        for rid in ("a.wav", "b.wav", "c.wav"):
            with _naming_warnings(rid):
                warnings.warn_explicit("Couldn't find ffmpeg", RuntimeWarning, pydub_file, 170)
                warnings.warn_explicit("odd signal", RuntimeWarning, "mine.py", 1)
    msgs = [str(w.message) for w in rec]
    assert msgs.count("Couldn't find ffmpeg (first met on a.wav; said once per process, not "
                      "per file)") == 1  # fmt: skip
    assert sum("ffmpeg" in m for m in msgs) == 1
    assert [m for m in msgs if "odd" in m] == ["a.wav: odd signal", "b.wav: odd signal",
                                               "c.wav: odd signal"]  # fmt: skip


# -------------------------------------------------------------------------------------------
# Issue #12: long recordings, in bounded memory


def test_segments_of_a_long_recording_are_computed_a_few_at_a_time(monkeypatch, rng):
    """Rows (segments) go through extract() at most ROWS_PER_CALL_SAMPLES samples per call; the
    table is the one a single call gives."""
    import physiofeat.batch as B
    from physiofeat import _registry

    x = rng.standard_normal(10 * SR)
    kw = dict(segment=1.0, frame_length=256, hop_length=64, n_jobs=1)
    (whole,) = extract_many([x], ["rms", "temporal"], sr=SR, **kw)
    calls = []
    real = _registry.extract

    def spy(rows, *a, **k):
        calls.append(rows.shape)
        return real(rows, *a, **k)

    monkeypatch.setattr(B, "ROWS_PER_CALL_SAMPLES", 3 * SR)
    monkeypatch.setattr(_registry, "extract", spy)
    (chunked,) = extract_many([x], ["rms", "temporal"], sr=SR, **kw)
    assert calls == [(3, SR), (3, SR), (3, SR), (1, SR)]
    assert chunked.names == whole.names
    np.testing.assert_allclose(chunked.vector, whole.vector, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(chunked.segment, np.arange(10))


@pytest.mark.parametrize(
    ("feature", "module", "limit", "message"),
    [
        ("emd", "physiofeat.hht._register", "HHT_FEATURE_MAX_SAMPLES", r"the hht family"),
        ("sample_entropy", "physiofeat.temporal", "SAMPEN_FEATURE_MAX_SAMPLES", r"the sample_ent"),
        ("cwt", "physiofeat.wavelet", "CWT_FEATURE_MAX_ELEMENTS", r"the cwt feature with 64 freq"),
    ],
)
def test_superlinear_features_refuse_long_signals_saying_how_to_split(
    monkeypatch, rng, feature, module, limit, message
):
    import importlib

    mod = importlib.import_module(module)
    small = 2000 if limit != "CWT_FEATURE_MAX_ELEMENTS" else 64 * 2000
    monkeypatch.setattr(mod, limit, small)
    x = rng.standard_normal(2001)
    with pytest.raises(
        ParameterError, match=rf"^{message}.*at most 2,000 samples .*has 2,001 .*segment"
    ):
        physiofeat.extract(x, [feature], sr=SR)
    physiofeat.extract(x[:2000], [feature], sr=SR)  # at the limit: computed
    (r,) = extract_many([x], [feature], sr=SR, segment=1.0, n_jobs=1)  # the way out
    assert r.ok and r.vector.shape[0] == 2


# -------------------------------------------------------------------------------------------
# Worker processes that outlive a call (the kept pool, a Dask cluster): fresh user code, and
# no registration of one call's module used for another call's request

_VERSIONED = """
import numpy as np
from physiofeat import Feature, register_feature

@register_feature("versioned_test", dims=(), description="VERSION x mean")
def _v(ctx):
    return Feature({v} * np.mean(ctx.x, axis=-1), dims=())
"""

_OVERRIDE = """
import numpy as np
from physiofeat import Feature, register_feature

@register_feature("rms", dims=(), description="one rms number", overwrite=True)
def _rms(ctx):
    return Feature(np.sqrt(np.mean(ctx.x**2, axis=-1)), dims=())
"""


def _module(tmp_path, monkeypatch, name, text):
    import importlib
    import sys

    path = tmp_path / f"{name}.py"
    path.write_text(text)
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    if name in sys.modules:
        return importlib.reload(sys.modules[name])
    return importlib.import_module(name)


def test_the_kept_pool_runs_a_user_module_edited_between_calls(tmp_path, monkeypatch, rng):
    """The kept pool's workers had kept the module as they first imported it: after the user
    edited and reloaded it, n_jobs=1 gave the new values and n_jobs=2 the old ones."""
    import os
    import sys

    from physiofeat import _registry

    xs = [x + 1.0 for x in _signals(rng, 4)]
    try:
        _module(tmp_path, monkeypatch, "pf_versioned_test", _VERSIONED.format(v=1))
        one = extract_many(xs, ["versioned_test"], sr=SR, n_jobs=2)
        assert [r.vector[0] for r in one] == pytest.approx([np.mean(x) for x in xs], rel=1e-12)
        _registry._FEATURES.pop("versioned_test")  # the edited module registers it afresh
        path = tmp_path / "pf_versioned_test.py"
        _module(tmp_path, monkeypatch, "pf_versioned_test", _VERSIONED.format(v=2))
        st = os.stat(path)  # a later mtime even on a coarse clock
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))
        two = extract_many(xs, ["versioned_test"], sr=SR, n_jobs=2)
        assert all(r.ok for r in two), [r.error for r in two]
        want = [2 * np.mean(x) for x in xs]
        assert [r.vector[0] for r in two] == pytest.approx(want, rel=1e-12)
        local = extract_many(xs, ["versioned_test"], sr=SR, n_jobs=1)
        assert [r.vector[0] for r in local] == [r.vector[0] for r in two]
    finally:
        _registry._FEATURES.pop("versioned_test", None)
        sys.modules.pop("pf_versioned_test", None)


def test_a_workers_override_of_a_built_in_is_not_used_for_another_request(
    tmp_path, monkeypatch, rng
):
    """A module overriding built-in ``rms`` ran in the kept pool; a later request for the
    built-in (the override gone from the caller, as for another client of a Dask cluster) got
    the override's one column instead of rms_mean/std/min/max."""
    import sys

    from physiofeat import _registry

    xs = _signals(rng, 4)
    kw = dict(frame_length=256, hop_length=64)
    builtin = _registry.get_spec("rms")
    try:
        _module(tmp_path, monkeypatch, "pf_override_test", _OVERRIDE)
        over = extract_many(xs, ["rms"], sr=SR, n_jobs=2)
        assert all(r.ok and r.names == ["rms"] for r in over), [r.error for r in over]
    finally:
        _registry._FEATURES["rms"] = builtin
        sys.modules.pop("pf_override_test", None)
    res = extract_many(xs, ["rms"], sr=SR, n_jobs=2, **kw)
    for r, x in zip(res, xs):
        f = physiofeat.extract(x, ["rms"], sr=SR, **kw)
        assert r.names == f.vector_names() == ["rms_mean", "rms_std", "rms_min", "rms_max"]
        np.testing.assert_array_equal(r.vector, f.vector())


def test_a_feature_named_like_a_built_in_is_refused_before_the_built_ins_load():
    """In a fresh process the built-ins load lazily: registering "rms" before them had been
    accepted, and their loading then failed on it, leaving 15 of the 39 features (the heart_sound
    preset gone) for the rest of the process; with overwrite=True the same."""
    import subprocess
    import sys

    code = """
import numpy as np, physiofeat
from physiofeat import Feature, ParameterError, register_feature
def f(ctx):
    return Feature(np.sqrt(np.mean(ctx.x**2, -1)), dims=())
try:
    register_feature("rms", dims=(), description="mine")(f)
    print("accepted")
except ParameterError as e:
    print("refused:", e)
register_feature("rms", dims=(), description="mine", overwrite=True)(f)
n = len(physiofeat.features())
names = physiofeat.extract(np.ones(64), ["rms"], sr=8).vector_names()
print(n, [p.name for p in physiofeat.presets()], names)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    lines = out.stdout.splitlines()
    assert lines[0] == "refused: feature 'rms' is already registered; pass overwrite=True"
    from physiofeat import _registry
    from physiofeat.batch import _is_own

    _registry._load_builtins()
    n_builtin = sum(_is_own(s) for s in _registry._FEATURES.values())  # rms replaced, not added
    assert lines[1] == f"{n_builtin} ['heart_sound'] ['rms']"


def test_results_to_frame_warns_of_results_with_other_columns():
    """A vector whose length follows the signal (a user feature without a time axis) had been
    padded with NaN silently, although the CLI refuses such a result (ColumnMismatch)."""
    from physiofeat.batch import Result, results_to_frame

    a = Result(0, "a", None, ["f_0", "f_1"], np.array([1.0, 2.0]))
    b = Result(1, "b", None, ["f_0"], np.array([3.0]))
    c = Result(2, "c", None, ["f_0", "f_1"], np.array([5.0, 6.0]))
    with pytest.warns(UserWarning, match=r"1 of 3 results have other columns than the first"):
        df = results_to_frame([a, b, c])
    assert df.shape == (3, 3) and np.isnan(df.loc[1, "f_1"]) and df.loc[2, "f_1"] == 6.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert results_to_frame([a, c]).shape == (2, 3)


def test_an_error_record_names_the_user_feature_that_raised(rng):
    """A user feature's own exception keeps its type and message, and the record says which
    feature raised it (the note extract adds), as the typed errors of built-ins do."""
    from physiofeat import _registry, register_feature

    def _boom(ctx):
        raise RuntimeError("boom")

    register_feature("boom_test", dims=(), description="raises")(_boom)
    try:
        (r,) = extract_many([_signals(rng, 1)[0]], ["boom_test", "rms"], sr=SR, n_jobs=1)
        assert r.error_type == "RuntimeError"
        assert r.error == "boom (in feature 'boom_test')"
    finally:
        _registry._FEATURES.pop("boom_test", None)


def test_a_segment_shorter_than_a_sample_is_a_clear_error(rng):
    """segment * sr rounding to 0 samples had raised ZeroDivisionError for every file."""
    (r,) = extract_many([_signals(rng, 1)[0]], ["rms"], sr=SR, segment=0.1 / SR, n_jobs=1)
    assert r.error_type == "InvalidSignalError"
    assert "less than one sample" in r.error


def test_arrays_of_a_source_with_a_name_near_the_length_limit_are_stored(tmp_path, rng):
    """The temporary file beside the .npz had a name 13+ bytes longer than the .npz's, over
    the 255-byte limit for a source named with 246 characters: the source failed."""
    rid = "a" * 246 + ".wav"
    out = tmp_path / "arrays"
    (r,) = extract_many(
        [_signals(rng, 1)[0]], FEATS, sr=SR, ids=[rid], arrays_dir=out, n_jobs=1, **KW
    )
    assert r.ok, r.error
    saved = np.load(out / (rid + ".npz"))
    assert "rms" in saved.files
    assert [p.name for p in out.iterdir()] == [rid + ".npz"]  # no temporary file left


def test_results_to_frame_has_one_layout_whatever_the_order_of_the_results():
    """pd.concat ordered the columns by first appearance: with a record's per-channel rows
    first, channel/channel_name came before the vector, after it otherwise; channel was a float
    whenever an unsplit source's row lacked it; an id_column named like a vector column gave a
    table with two columns of that name."""
    wav = Result(0, "w", None, ["f_0", "f_1"], np.array([1.0, 2.0]))
    rec = Result(
        1,
        "r",
        None,
        ["f_0", "f_1"],
        np.array([[3.0, 4.0], [5.0, 6.0]]),
        channel=np.array([0, 1]),
        channel_name=np.array(["I", "II"]),
    )
    one = results_to_frame([wav, rec])
    other = results_to_frame([replace(rec, index=0), replace(wav, index=1)])
    layout = ["id", "channel", "channel_name", "f_0", "f_1"]
    assert list(one.columns) == layout and list(other.columns) == layout
    assert str(one["channel"].dtype) == "Int64" and one["channel"].isna().tolist() == [
        True,
        False,
        False,
    ]
    assert one["channel"].iloc[1:].tolist() == [0, 1]
    assert one["f_1"].tolist() == [2.0, 4.0, 6.0]
    only_records = results_to_frame([rec])
    assert only_records["channel"].dtype == np.int64
    with pytest.raises(ParameterError, match=r"id_column='f_0' is the name of a feature column"):
        results_to_frame([wav], id_column="f_0")
    with pytest.raises(ParameterError, match=r"id_column='channel' is the name of a meta column"):
        results_to_frame([wav], id_column="channel")
