"""The ``physiofeat`` command on a folder mixing good WAV/MP3/FLAC files with empty, truncated,
non-audio, stereo and very short files and unicode names: every good file gets its row (equal to
extract() file by file), every bad file an error record, exit status 1; a killed run resumed
ends with the uninterrupted table; --jobs 1 and 2 give the same table."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import soundfile as sf

import physiofeat
from physiofeat.cli import errors_path, journal_path, main, parse_params

SR = 8000
FEATS = ["mfcc", "rms"]
PARAMS = {"n_fft": 256, "hop_length": 64, "frame_length": 256}
ARGS = ["-f", "mfcc,rms", "-p", "n_fft=256", "-p", "hop_length=64", "-p", "frame_length=256"]

GOOD = [
    "a_tone.wav",
    "sub/b_noise.wav",
    "sub/deeper/c.flac",
    "señal_ü_心音.wav",
    "stereo.flac",
    "tiny.wav",
    "d_clip.mp3",
    "sub/e.ogg",
]
BAD = {
    "empty.wav": "empty file",
    "truncated.wav": "truncated",
    "not_audio.wav": "cannot decode",
    "sub/garbage.mp3": "cannot decode",
}


def _tone(f0, n, rng):
    t = np.arange(n) / SR
    return (0.4 * np.sin(2 * np.pi * f0 * t) + 0.05 * rng.standard_normal(n)).astype(np.float32)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    rng = np.random.default_rng(7)
    d = tmp_path_factory.mktemp("mixed")
    (d / "sub" / "deeper").mkdir(parents=True)
    sf.write(d / "a_tone.wav", _tone(150, 6000, rng), SR, subtype="PCM_16")
    sf.write(
        d / "sub/b_noise.wav",
        0.2 * rng.standard_normal(9000).astype(np.float32),
        SR,
        subtype="FLOAT",
    )
    sf.write(d / "sub/deeper/c.flac", _tone(300, 7000, rng), SR, subtype="PCM_24")
    sf.write(d / "señal_ü_心音.wav", _tone(90, 5000, rng), SR, subtype="PCM_16")
    sf.write(d / "stereo.flac", np.stack([_tone(100, 6400, rng), _tone(200, 6400, rng)], 1), SR)
    # 80 samples: shorter than n_fft=256 (a warning), but within the 4 x length accepted
    sf.write(d / "tiny.wav", _tone(100, 80, rng), SR, subtype="PCM_16")
    sf.write(d / "sub/e.ogg", _tone(250, 6000, rng), SR, format="OGG", subtype="VORBIS")
    (d / "empty.wav").write_bytes(b"")
    sf.write(d / "full.wav", _tone(120, 8000, rng), SR, subtype="PCM_16")
    raw = (d / "full.wav").read_bytes()
    (d / "truncated.wav").write_bytes(raw[: len(raw) // 2])
    (d / "full.wav").unlink()
    (d / "not_audio.wav").write_text("this is a text file, not a RIFF/WAVE file\n" * 20)
    (d / "sub/garbage.mp3").write_bytes(bytes(rng.integers(0, 256, 3000, dtype=np.uint8)))
    (d / "notes.txt").write_text("not picked up: not an audio suffix")
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is not installed: cannot make the MP3 of the mixed folder")
    sf.write(d / "clip_src.wav", _tone(200, 12000, rng), SR, subtype="PCM_16")
    subprocess.run(
        [
            "ffmpeg",
            "-loglevel",
            "error",
            "-y",
            "-i",
            str(d / "clip_src.wav"),
            "-codec:a",
            "libmp3lame",
            "-b:a",
            "32k",
            str(d / "d_clip.mp3"),
        ],
        check=True,
    )
    (d / "clip_src.wav").unlink()
    return d


@pytest.fixture(scope="module")
def full_run(folder, tmp_path_factory):
    out = tmp_path_factory.mktemp("out") / "features.parquet"
    status = main(["extract", str(folder), *ARGS, "-o", str(out), "--jobs", "2", "-q"])
    return status, out


def _expected_vector(path):
    x, sr = physiofeat.load(path)
    f = physiofeat.extract(x, FEATS, sr=sr, **PARAMS)
    return f.vector_names(), f.vector()


def test_every_good_file_has_its_row_equal_to_extract(folder, full_run):
    status, out = full_run
    assert status == 1  # some files failed
    table = pd.read_parquet(out)
    assert sorted(table["id"]) == sorted(GOOD)
    assert table["id"].is_unique
    assert list(table.columns[:4]) == ["id", "path", "sr_hz", "duration_s"]
    for _, row in table.iterrows():
        names, vec = _expected_vector(row["path"])
        assert list(table.columns[4:]) == names
        np.testing.assert_array_equal(row.iloc[4:].to_numpy(np.float64), vec)
        info = sf.info(row["path"])
        assert row["sr_hz"] == info.samplerate
        assert row["duration_s"] == pytest.approx(info.frames / info.samplerate, rel=1e-12)
    # rows follow the sorted discovery order (deterministic, not completion order)
    from physiofeat.cli import discover

    assert list(table["path"]) == [p for rid, p in discover([str(folder)]) if rid in GOOD]


def test_every_bad_file_has_an_error_record(full_run):
    _, out = full_run
    err = pd.read_csv(errors_path(out))
    assert list(err.columns) == ["path", "id", "error_type", "error"]
    assert sorted(err["id"]) == sorted(BAD)
    for _, e in err.iterrows():
        assert e["error_type"] == "DecodeError"
        assert BAD[e["id"]] in e["error"], e["error"]
    assert not journal_path(out).exists()  # removed once the table is written


def test_same_table_whatever_jobs_and_csv_equals_parquet(folder, full_run, tmp_path):
    _, out = full_run
    csv = tmp_path / "one.csv"
    assert main(["extract", str(folder), *ARGS, "-o", str(csv), "--jobs", "1", "-q"]) == 1
    a = pd.read_parquet(out)
    b = pd.read_csv(csv, dtype={"id": str, "path": str})
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    pd.testing.assert_frame_equal(pd.read_csv(errors_path(out)), pd.read_csv(errors_path(csv)))


def test_killed_run_resumes_to_the_uninterrupted_table(folder, full_run, tmp_path):
    _, full = full_run
    out = tmp_path / "features.parquet"
    env = {**os.environ, "PHYSIOFEAT_TEST_KILL_AFTER": "4"}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "physiofeat",
            "extract",
            str(folder),
            *ARGS,
            "-o",
            str(out),
            "--jobs",
            "1",
            "-q",
        ],
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert proc.returncode == -9, proc.stderr.decode()
    assert not out.exists()  # no half-written table
    lines = journal_path(out).read_text(encoding="utf-8").splitlines()
    assert list(json.loads(lines[0])["request"]["features"]) == FEATS  # what it computes
    assert len(lines) == 1 + 4 and all(json.loads(line)["path"] for line in lines[1:])
    with open(journal_path(out), "a", encoding="utf-8") as fh:
        fh.write('{"path": "torn by the kill", "vec')  # a write cut short is ignored
    assert (
        main(["extract", str(folder), *ARGS, "-o", str(out), "--jobs", "2", "--resume", "-q"]) == 1
    )
    pd.testing.assert_frame_equal(pd.read_parquet(out), pd.read_parquet(full), check_exact=True)
    pd.testing.assert_frame_equal(pd.read_csv(errors_path(out)), pd.read_csv(errors_path(full)))
    # resuming a finished table recomputes nothing that succeeded and changes nothing
    before = out.stat().st_mtime_ns
    assert main(["extract", str(folder), *ARGS, "-o", str(out), "--resume", "-q"]) == 1
    assert out.stat().st_mtime_ns >= before
    pd.testing.assert_frame_equal(pd.read_parquet(out), pd.read_parquet(full), check_exact=True)


def test_resume_only_computes_what_is_missing(folder, full_run, tmp_path, capsys):
    _, full = full_run
    out = tmp_path / "t.parquet"
    table = pd.read_parquet(full)
    table.iloc[:3].to_parquet(out, index=False)
    assert main(["extract", str(folder), *ARGS, "-o", str(out), "--resume", "--jobs", "1"]) == 1
    msg = capsys.readouterr().err
    assert f"{len(GOOD) - 3} extracted, {len(BAD)} failed, 3 already done" in msg
    pd.testing.assert_frame_equal(pd.read_parquet(out), table, check_exact=True)


def test_per_channel_segment_glob_and_arrays(folder, tmp_path):
    out = tmp_path / "st.parquet"
    status = main(
        [
            "extract",
            str(folder),
            *ARGS,
            "-o",
            str(out),
            "--glob",
            "stereo*",
            "--per-channel",
            "--segment",
            "0.25",
            "--arrays",
            str(tmp_path / "arr"),
            "-q",
        ]
    )
    assert status == 0
    t = pd.read_parquet(out)
    assert list(t.columns[:7]) == [
        "id", "path", "sr_hz", "duration_s", "channel", "segment", "start_s"
    ]  # fmt: skip
    x, sr = physiofeat.load(folder / "stereo.flac", mono=False)
    seg = int(0.25 * sr)
    assert len(t) == 2 * (x.shape[1] // seg)
    for _, row in t.iterrows():
        c, k = int(row["channel"]), int(row["segment"])
        ref = physiofeat.extract(x[c, k * seg : (k + 1) * seg], FEATS, sr=sr, **PARAMS).vector()
        np.testing.assert_allclose(row.iloc[7:].to_numpy(float), ref, rtol=1e-6, atol=1e-6)
        assert row["start_s"] == pytest.approx(k * 0.25)
    with np.load(tmp_path / "arr" / "stereo.flac.npz") as z:
        assert z["mfcc"].shape[0] == len(t)  # (signal, coef, time)
        assert tuple(z["mfcc__dims"]) == ("signal", "coef", "time")


def test_toml_config_equals_command_line_params(folder, tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text(
        'features = ["mfcc", "rms"]\n[params]\nn_fft = 256\nhop_length = 64\n'
        "frame_length = 256\n[params.mfcc]\nn_mfcc = 7\n",
        encoding="utf-8",
    )
    a, b = tmp_path / "a.parquet", tmp_path / "b.parquet"
    assert (
        main(
            [
                "extract",
                str(folder / "a_tone.wav"),
                "--config",
                str(cfg),
                "-o",
                str(a),
                "-q",
                "-j",
                "1",
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "extract",
                str(folder / "a_tone.wav"),
                *ARGS,
                "-p",
                "mfcc.n_mfcc=7",
                "-o",
                str(b),
                "-q",
                "-j",
                "1",
            ]
        )
        == 0
    )
    ta = pd.read_parquet(a)
    pd.testing.assert_frame_equal(ta, pd.read_parquet(b))
    assert "mfcc_coef6_max" in ta.columns and "mfcc_coef7_mean" not in ta.columns


def test_parse_params_types():
    shared, own = parse_params(
        ["n_fft=512", "fmax=1e3", "center=false", "window=hamming", "mfcc.n_mfcc=13", "fmin=none"]
    )
    assert shared == {
        "n_fft": 512,
        "fmax": 1000.0,
        "center": False,
        "window": "hamming",
        "fmin": None,
    }
    assert own == {"mfcc": {"n_mfcc": 13}}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["-f", "mfc"], "unknown feature 'mfc'"),
        (["-f", "rms", "-p", "n_mfcc=3"], "accepted by none of the requested features"),
        (["-f", "rms", "-p", "rms.nope=3"], r"has no parameter\(s\) \['nope'\]"),
        (["-f", "rms", "-p", "mfcc.n_mfcc=3"], "not requested"),
        (["-f", "rms", "-p", "n_fft"], "is not NAME=VALUE"),
        (["-f", "rms", "--jobs", "0"], "--jobs must be >= 1"),
        (["-f", "rms", "--segment", "-1"], "--segment must be > 0"),
        (["-f", "rms", "--sr", "0"], "--sr must be a finite number > 0"),
        (["-f", "rms", "--sr", "inf"], "--sr must be a finite number > 0 of Hz; got inf"),
        ([], "no features requested"),
        (["-f", "rms", "--config", "/nonexistent/c.toml"], "cannot read config"),
        (["-f", "rms", "--glob", "*.nothing"], r"no input matches --glob \*\.nothing \(in "),
    ],
)
def test_usage_errors_exit_2(folder, tmp_path, capsys, argv, message):
    with pytest.raises(SystemExit, match="^2$"):
        main(["extract", str(folder), "-o", str(tmp_path / "x.parquet"), *argv])
    assert re.search(message, capsys.readouterr().err)


@pytest.mark.parametrize(
    ("output", "inputs", "message"),
    [
        ("x.xlsx", None, r"must end in \.parquet or \.csv"),
        ("nodir/x.csv", None, "does not exist"),
        ("x.csv", ["/no/such/input"], "input '/no/such/input' does not exist"),
    ],
)
def test_bad_output_or_input_exit_2(folder, tmp_path, capsys, output, inputs, message):
    with pytest.raises(SystemExit, match="^2$"):
        main(["extract", *(inputs or [str(folder)]), "-f", "rms", "-o", str(tmp_path / output)])
    assert re.search(message, capsys.readouterr().err)


def test_bad_toml_exit_2(folder, tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("features = [", encoding="utf-8")
    with pytest.raises(SystemExit, match="^2$"):
        main(["extract", str(folder), "--config", str(bad), "-o", str(tmp_path / "x.csv")])
    assert "not valid TOML" in capsys.readouterr().err
    bad.write_text("colour = 1", encoding="utf-8")
    with pytest.raises(SystemExit, match="^2$"):
        main(["extract", str(folder), "--config", str(bad), "-o", str(tmp_path / "x.csv")])
    assert "unknown key(s) ['colour']" in capsys.readouterr().err


def test_resume_with_other_features_is_refused(folder, full_run, tmp_path, capsys):
    _, full = full_run
    out = tmp_path / "t.parquet"
    pd.read_parquet(full).iloc[:2].to_parquet(out, index=False)
    with pytest.raises(SystemExit, match="^2$"):
        main(
            [
                "extract",
                str(folder),
                "-f",
                "rms",
                "-p",
                "frame_length=256",
                "-o",
                str(out),
                "--resume",
                "-q",
                "-j",
                "1",
            ]
        )
    assert "columns differ" in capsys.readouterr().err


def test_features_lists_every_registered_feature_with_defaults(capsys):
    assert main(["features"]) == 0
    text = capsys.readouterr().out
    for spec in physiofeat.features():
        assert f"  {spec.name}  dims=" in text
    assert "n_mfcc=20" in text and "[spectral]" in text
    assert main(["features", "--names", "--family", "spectral"]) == 0
    names = capsys.readouterr().out.split()
    assert names == [s.name for s in physiofeat.features("spectral")]
    with pytest.raises(SystemExit, match="^2$"):
        main(["features", "--family", "nope"])
    assert "no features in family 'nope'" in capsys.readouterr().err


def test_info_prints_format_rate_channels_duration(folder, capsys):
    assert main(["info", str(folder / "stereo.flac")]) == 0
    out = capsys.readouterr().out
    i = sf.info(str(folder / "stereo.flac"))
    assert "format: FLAC" in out and f"rate: {i.samplerate} Hz" in out
    assert "channels: 2" in out and f"duration: {i.frames / i.samplerate:.3f} s" in out
    assert main(["info", str(folder / "empty.wav"), str(folder / "a_tone.wav")]) == 1
    cap = capsys.readouterr()
    assert "DecodeError" in cap.err and "channels: 1" in cap.out


def test_console_script_and_python_m(tmp_path):
    exe = Path(sys.executable).with_name("physiofeat")
    cmds = [[sys.executable, "-m", "physiofeat", "--version"]]
    if exe.exists():
        cmds.append([str(exe), "--version"])
    for cmd in cmds:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        assert (
            proc.returncode == 0 and proc.stdout.strip() == f"physiofeat {physiofeat.__version__}"
        )
    proc = subprocess.run(
        [sys.executable, "-m", "physiofeat", "extract"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 2 and "the following arguments are required" in proc.stderr


def _small(tmp_path, n=3):
    d = tmp_path / "small"
    d.mkdir()
    rng = np.random.default_rng(5)
    for i in range(n):
        sf.write(d / f"s{i}.wav", _tone(100 + 50 * i, 3000, rng), SR, subtype="PCM_16")
    return d


def test_resume_refuses_another_request_naming_what_differs(tmp_path, capsys):
    d = _small(tmp_path)
    out = tmp_path / "res.csv"
    rms = ["-f", "rms", "-p", "frame_length=256", "-o", str(out), "-q", "-j", "1"]
    assert main(["extract", str(d), *rms]) == 0
    table = pd.read_csv(out)
    for argv, message in [
        (["-f", "mfcc", "-p", "n_fft=256"], r"another request \(features \['rms'\] -> \['mfcc'\]"),
        (["-f", "rms", "-p", "frame_length=512"], r"rms\.frame_length 256 -> 512"),
        (["-f", "rms", "-p", "frame_length=256", "--stats", "mean"], r"stats \[.*\] -> \['mean'\]"),
        (["-f", "rms", "-p", "frame_length=256", "--sr", "4000"], r"sr None -> 4000\.0"),
    ]:
        with pytest.raises(SystemExit, match="^2$"):
            main(["extract", str(d), *argv, "-o", str(out), "--resume", "-q", "-j", "1"])
        assert re.search(message, capsys.readouterr().err)
        pd.testing.assert_frame_equal(pd.read_csv(out), table)  # untouched
    # the same request resumes (nothing to do), with or without the defaults spelled out
    assert main(["extract", str(d), *rms, "--resume", "-p", "hop_length=512"]) == 0
    cfg = tmp_path / "c.toml"
    cfg.write_text("sr = 8000\nsegment = 0.25\n", encoding="utf-8")
    out2 = tmp_path / "res2.csv"
    base = ["extract", str(d), "-f", "rms", "-p", "frame_length=256", "-o", str(out2), "-q"]
    assert main([*base, "-j", "1", "--config", str(cfg)]) == 0
    # the TOML's int 8000 is the command line's 8000.0
    assert main([*base, "-j", "1", "--sr", "8000.0", "--segment", "0.25", "--resume"]) == 0
    # a killed run's journal records its request too
    journal_path(out).write_text(
        json.dumps({"request": json.loads(out.with_name("res.csv.request.json").read_text())})
        + "\n",
        encoding="utf-8",
    )
    out.unlink()
    with pytest.raises(SystemExit, match="^2$"):
        main(["extract", str(d), "-f", "zero_crossing_rate", "-o", str(out), "--resume", "-q"])
    assert re.search(r"journal\.jsonl was made with another request", capsys.readouterr().err)
    # a table without its request record: the columns must belong to the requested features
    table.to_csv(out, index=False)
    out.with_name("res.csv.request.json").unlink()
    journal_path(out).unlink()
    with pytest.raises(SystemExit, match="^2$"):
        main(["extract", str(d), "-f", "mfcc", "-o", str(out), "--resume", "-q", "-j", "1"])
    assert re.search(
        r"columns of other features.*features \['mfcc'\] have none", capsys.readouterr().err
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--stats", "mean,foo"], r"--stats: unknown summary statistic\(s\) \['foo'\]"),
        (["--stats", ""], r"--stats: stats is empty; pass at least one of: mean"),
        (["--stats", "mean,mean"], r"--stats: stats names \['mean'\] more than once"),
    ],
)
def test_stats_errors_are_usage_errors_before_any_work(tmp_path, capsys, argv, message):
    d = _small(tmp_path, 1)
    out = tmp_path / "st.csv"
    with pytest.raises(SystemExit, match="^2$"):
        main(["extract", str(d), "-f", "rms", "-o", str(out), "-j", "1", *argv])
    assert re.search(message, capsys.readouterr().err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["small"]  # no journal, no table


def test_scheduler_and_late_argument_errors_are_usage_errors_without_journal(
    tmp_path, capsys, monkeypatch
):
    from physiofeat import ParameterError, distributed

    d = _small(tmp_path, 1)
    out = tmp_path / "sch.csv"

    def refuse(address):
        raise ParameterError(f"cannot connect to Dask scheduler {address!r}: refused")

    monkeypatch.setattr(distributed, "connect", refuse)
    with pytest.raises(SystemExit, match="^2$"):
        main(["extract", str(d), "-f", "rms", "-o", str(out), "--scheduler", "tcp://h:1", "-q"])
    assert "--scheduler: cannot connect to Dask scheduler 'tcp://h:1'" in capsys.readouterr().err
    assert not journal_path(out).exists() and not out.exists()
    cfg = tmp_path / "c.toml"
    cfg.write_text('features = ["rms"]\nsegment = "long"\n', encoding="utf-8")
    with pytest.raises(SystemExit, match="^2$"):
        main(["extract", str(d), "--config", str(cfg), "-o", str(out), "-j", "1", "-q"])
    assert re.search(r"segment must be a finite number; got .long.", capsys.readouterr().err)
    assert not journal_path(out).exists() and not out.exists()
    for bad, message in [
        ("jobs = 0", r"jobs must be >= 1; got 0"),
        ("sr = -5", r"sr must be a positive number of Hz; got -5"),
    ]:
        cfg.write_text(f'features = ["rms"]\n{bad}\n', encoding="utf-8")
        with pytest.raises(SystemExit, match="^2$"):
            main(["extract", str(d), "--config", str(cfg), "-o", str(out), "-q"])
        assert re.search(message, capsys.readouterr().err)
        assert not journal_path(out).exists() and not out.exists()


def test_features_unknown_family_lists_the_families(capsys):
    with pytest.raises(SystemExit, match="^2$"):
        main(["features", "--family", "nope"])
    err = capsys.readouterr().err
    listed = re.search(r"no features in family 'nope'; families: (.*)$", err, re.M).group(1)
    builtin = ["ecg", "envelope", "hht", "hos", "spectral", "temporal", "wavelet"]
    assert set(builtin) <= set(listed.split(", "))  # (+ "user" if a test registered one)


def test_ctrl_c_stops_a_long_computation_at_once_keeping_finished_results(tmp_path):
    """SIGINT while a Numba kernel runs for tens of seconds (sample entropy of a long file):
    the command exits within seconds with status 130, the journal holds the finished file."""
    import signal
    import time

    d = tmp_path / "long"
    d.mkdir()
    rng = np.random.default_rng(0)
    sf.write(d / "a.wav", rng.standard_normal(2000) * 0.1, 2000, subtype="FLOAT")
    sf.write(d / "b.wav", rng.standard_normal(400_000) * 0.1, 2000, subtype="FLOAT")
    out = tmp_path / "out.csv"
    cmd = [sys.executable, "-m", "physiofeat", "extract", str(d), "-f", "sample_entropy"]
    # Ctrl-C at a terminal: SIGINT at its default disposition in the command. A test suite
    # started in the background by a non-interactive shell (`make test &`, a CI step) inherits
    # SIGINT *ignored*, and POSIX passes that on to children, which then rightly ignore it
    # (Python installs no KeyboardInterrupt handler): this was the session-5 "flake".
    proc = subprocess.Popen(
        [*cmd, "-o", str(out), "--jobs", "1", "-q"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        deadline = time.monotonic() + 90
        journal = journal_path(out)
        while time.monotonic() < deadline:  # wait until a.wav is journaled (b.wav is running)
            if journal.exists() and len(journal.read_text(encoding="utf-8").splitlines()) >= 2:
                break
            time.sleep(0.1)
        time.sleep(1.0)
        assert proc.poll() is None, proc.communicate()
        t0 = time.monotonic()
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=15)
        assert time.monotonic() - t0 < 10
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert "interrupted" in err and "--resume" in err
    lines = journal.read_text(encoding="utf-8").splitlines()
    assert [Path(json.loads(line)["path"]).name for line in lines[1:]] == ["a.wav"]
    assert not out.exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["-f", "mfcc", "-p", "n_fft=1"], r"n_fft must be >= 2; got 1"),
        (["-f", "rms", "-p", "frame_length=0"], r"frame_length must be >= 2; got 0"),
        (["-f", "mel", "-p", "window=nope"], r"window"),
        (["-f", "mfcc", "-p", "n_mfcc=50", "-p", "n_mels=40"], r"n_mfcc=50 must be <= n_mels=40"),
        (["-f", "spectrogram", "-p", "power=0"], r"power must be > 0"),
        # one per family declaring a check= hook besides spectral
        (["-f", "pr_interval", "-p", "p_threshold=0"], r"p_threshold must be > 0\.0; got 0"),
        (["-f", "emd", "-p", "max_imfs=0"], r"max_imfs must be >= 1; got 0"),
        (["-f", "dwt", "-p", "wavelet=db99"], r"unknown discrete wavelet 'db99'"),
        (["-f", "bispectrum", "-p", "n_fft=2"], r"n_fft must be >= 4; got 2"),
        (["-f", "sample_entropy", "-p", "m=0"], r"\bm must be >= 1; got 0"),
        (["-f", "envelope", "-p", "method=nope"], r"method must be one of 'hilbert'"),
    ],
)
def test_bad_parameter_values_are_usage_errors_before_any_work(tmp_path, capsys, argv, message):
    d = _small(tmp_path, 2)
    out = tmp_path / "p.csv"
    with pytest.raises(SystemExit, match="^2$"):
        main(["extract", str(d), *argv, "-o", str(out), "-j", "1", "-q"])
    assert re.search(message, capsys.readouterr().err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["small"]  # no journal, no table


# -------------------------------------------------------------------------------------------
# Issue #12: batch runs never abort


@pytest.fixture(scope="module")
def mixed_rates(tmp_path_factory):
    """Short real heart sounds at 2, 4, 8 and 44.1 kHz (shipped PhysioNet 2016 / CirCor
    recordings, resampled with physiofeat.io.resample)."""
    from physiofeat.io import resample

    d = tmp_path_factory.mktemp("rates")
    a, sr_a = physiofeat.load(physiofeat.data.path("a0007"))  # 2 kHz
    b, sr_b = physiofeat.load(physiofeat.data.path("50277_MV"))  # 4 kHz
    a, b = a[: int(1.5 * sr_a)], b[int(2 * sr_b) : int(3.5 * sr_b)]
    sf.write(d / "p2000.wav", a, sr_a, subtype="FLOAT")
    sf.write(d / "c4000.wav", b, sr_b, subtype="FLOAT")
    sf.write(d / "r8000.wav", resample(b, sr_b, 8000), 8000, subtype="FLOAT")
    sf.write(d / "r44100.wav", resample(a, sr_a, 44100), 44100, subtype="FLOAT")
    return d


def test_a_folder_of_mixed_rates_makes_one_table_equal_to_extract(mixed_rates, tmp_path):
    out = tmp_path / "mixed.parquet"
    feats = ["mfcc", "cwt", "envelope", "temporal"]
    status = main(["extract", str(mixed_rates), "-f", ",".join(feats), "-o", str(out), "-q"])
    assert status == 0
    table = pd.read_parquet(out)
    assert sorted(table["id"]) == ["c4000.wav", "p2000.wav", "r44100.wav", "r8000.wav"]
    assert sorted(table["sr_hz"]) == [2000, 4000, 8000, 44100]
    assert not errors_path(out).exists()  # nothing failed: no header-only errors file
    for _, row in table.iterrows():
        x, sr = physiofeat.load(row["path"])
        assert sr == row["sr_hz"]
        f = physiofeat.extract(x, feats, sr=row["sr_hz"])
        assert list(table.columns[4:]) == f.vector_names()
        np.testing.assert_array_equal(row.iloc[4:].to_numpy(np.float64), f.vector())


_FRAGILE_MODULE = """
import sys
import warnings
import numpy as np
from physiofeat import Feature, register_feature

@register_feature("fragile_test", dims=(), description="raises on some files", overwrite=True)
def _fragile(ctx):
    n = ctx.x.shape[-1]
    if n == 3001:
        raise LookupError("something nobody expected")
    if n == 3002:
        sys.exit(3)
    return Feature(np.ptp(ctx.x, axis=-1), dims=())

@register_feature("rate_named_test", dims=("band",), description="columns follow the rate",
                  overwrite=True)
def _rate_named(ctx):
    return Feature(np.ptp(ctx.x, axis=-1)[..., None], dims=("band",),
                   coords={"band": [f"{ctx.sr:g}Hz"]})
"""


@pytest.fixture
def fragile(tmp_path, monkeypatch):
    """A user's feature module (imported by the workers too): ``fragile_test`` raises an
    unexpected exception on 3001-sample files and calls sys.exit on 3002-sample files;
    ``rate_named_test`` breaks the rule that a request fixes the columns."""
    import sys

    mod = tmp_path / "mods"
    mod.mkdir()
    (mod / "pf_fragile_test.py").write_text(_FRAGILE_MODULE)
    monkeypatch.syspath_prepend(str(mod))
    import pf_fragile_test  # noqa: F401 - registers the features here

    yield
    from physiofeat import _registry

    for name in ("fragile_test", "rate_named_test"):
        _registry._FEATURES.pop(name, None)
    sys.modules.pop("pf_fragile_test", None)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_one_file_raising_anything_in_a_worker_never_stops_the_run(fragile, tmp_path, jobs):
    d = tmp_path / "in"
    d.mkdir()
    rng = np.random.default_rng(3)
    for name, n in [
        ("a.wav", 4000),
        ("b_raises.wav", 3001),
        ("c_exits.wav", 3002),
        ("d.wav", 5000),
    ]:
        sf.write(d / name, 0.1 * rng.standard_normal(n), 2000, subtype="FLOAT")
    out = tmp_path / "t.csv"
    assert (
        main(["extract", str(d), "-f", "fragile_test,rms", "-o", str(out), "-j", jobs, "-q"]) == 1
    )
    table = pd.read_csv(out)
    assert list(table["id"]) == ["a.wav", "d.wav"]
    for _, row in table.iterrows():
        x, sr = physiofeat.load(row["path"])
        f = physiofeat.extract(x, ["fragile_test", "rms"], sr=sr)
        np.testing.assert_array_equal(row.iloc[4:].to_numpy(np.float64), f.vector())
    err = pd.read_csv(errors_path(out))
    assert list(err["id"]) == ["b_raises.wav", "c_exits.wav"]
    assert list(err["path"]) == [str(d / "b_raises.wav"), str(d / "c_exits.wav")]
    assert list(err["error_type"]) == ["LookupError", "SystemExit"]
    assert "something nobody expected" in err["error"][0]
    assert not journal_path(out).exists()


def test_a_file_with_other_columns_is_an_error_record_naming_them(fragile, tmp_path, capsys):
    d = tmp_path / "in"
    d.mkdir()
    rng = np.random.default_rng(4)
    for name, sr in [("a.wav", 2000), ("b.wav", 4000), ("c.wav", 2000)]:
        sf.write(d / name, 0.1 * rng.standard_normal(2 * sr), sr, subtype="FLOAT")
    out = tmp_path / "t.csv"
    assert main(["extract", str(d), "-f", "rms,rate_named_test", "-o", str(out), "-j", "1"]) == 1
    assert list(pd.read_csv(out)["id"]) == ["a.wav", "c.wav"]
    err = pd.read_csv(errors_path(out))
    assert list(err["id"]) == ["b.wav"] and list(err["error_type"]) == ["ColumnMismatch"]
    assert re.search(
        r"\(5 vs 5\): column 4 is 'rate_named_test_4000Hz' here, 'rate_named_test_2000Hz' in "
        r"the table",
        err["error"][0],
    )
    assert "usage" not in capsys.readouterr().err


# -------------------------------------------------------------------------------------------
# Issue #17 item 6: small things


def test_no_errors_file_when_nothing_failed_and_a_stale_one_is_removed(tmp_path):
    d = _small(tmp_path, 2)
    out = tmp_path / "t.csv"
    errors_path(out).write_text("path,id,error_type,error\nold.wav,old.wav,X,from an earlier run\n")
    assert main(["extract", str(d), "-f", "rms", "-o", str(out), "-j", "1", "-q"]) == 0
    assert out.exists() and not errors_path(out).exists()


def test_usage_errors_print_the_subcommands_usage(tmp_path, capsys):
    d = _small(tmp_path, 1)
    with pytest.raises(SystemExit, match="^2$"):
        main(["extract", str(d), "-f", "no_such_feature", "-o", str(tmp_path / "o.csv"), "-q"])
    err = capsys.readouterr().err
    assert (
        err.startswith("usage: physiofeat extract ") and "unknown feature 'no_such_feature'" in err
    )
    with pytest.raises(SystemExit, match="^2$"):
        main(["features", "--family", "nope"])
    assert capsys.readouterr().err.startswith("usage: physiofeat features ")


def test_jobs_with_a_scheduler_is_a_usage_error(tmp_path, capsys):
    d = _small(tmp_path, 1)
    with pytest.raises(SystemExit, match="^2$"):
        main(["extract", str(d), "-f", "rms", "-o", str(tmp_path / "o.csv"), "-j", "2",
              "--scheduler", "tcp://127.0.0.1:1"])  # fmt: skip
    err = capsys.readouterr().err
    assert "--jobs 2 has no effect with --scheduler" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["small"]


# -------------------------------------------------------------------------------------------
# Record features: one row per record (issue 14)


def _extract(args: list[str]) -> int:
    return main(["extract", *args, "-q"])


def test_cli_ecg_multilead_over_ludb_equals_python_on_all_leads(shared_data, tmp_path):
    """-f ecg_multilead over the LUDB folder: one row per record whose values are
    physiofeat.ecg.pr_features and qt_features on all 12 leads (max difference 0)."""
    from physiofeat.ecg import PR_STATS, QT_STATS, pr_features, qt_features

    out = tmp_path / "m.parquet"
    assert _extract([str(shared_data / "ecg/ludb"), "-f", "ecg_multilead", "-o", str(out)]) == 0
    df = pd.read_parquet(out)
    heas = sorted((shared_data / "ecg/ludb").glob("*.hea"))
    assert len(df) == len(heas) == 40 and df["path"].is_unique
    cols = [f"ecg_multilead_{s}" for s in PR_STATS + QT_STATS]
    assert [c for c in df.columns if c.startswith("ecg_multilead")] == cols
    assert set(df["channel_name"]) == {"ecg: i, ii, iii, avr, avl, avf, v1, v2, v3, v4, v5, v6"}
    worst = 0.0
    for _, row in df.iterrows():
        rec = physiofeat.load_record(row["path"])
        x = rec.to_array()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            want = np.r_[pr_features(x, sr=rec.sr), qt_features(x, sr=rec.sr)]
        got = row[cols].to_numpy(float)
        np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
        ok = ~np.isnan(want)
        worst = max(worst, float(np.max(np.abs(got[ok] - want[ok]), initial=0.0)))
    assert worst == 0.0
    assert df["ecg_multilead_pr_median"].notna().sum() >= 30  # sinus records have PR values


def test_cli_ecg_pcg_timing_one_row_per_record_and_roles(shared_data, tmp_path, capsys):
    from physiofeat.ecgpcg import TIMING_STATS, timing, timing_features

    d = tmp_path / "in"
    d.mkdir()
    for f in ("ECGPCG0003.hea", "ECGPCG0003.dat"):
        (d / f).symlink_to(shared_data / "ecg_pcg/ephnogram" / f)
    shutil.copy(physiofeat.data.path("a0007"), d / "a0007.wav")
    txt = shared_data / "ecg_pcg/biosppy/pcg_ecg.txt"
    out = tmp_path / "t.csv"
    args = [str(d), str(txt), "-f", "ecg_pcg_timing", "-o", str(out), "-j", "1"]
    assert _extract(args) == 1  # the heart-sound WAV has no ECG: one error record
    df = pd.read_csv(out)
    assert list(df["id"]) == ["ECGPCG0003.hea", "pcg_ecg.txt"]
    assert list(df.columns) == ["id", "path", "sr_hz", "duration_s", "channel_name"] + [
        f"ecg_pcg_timing_{s}" for s in TIMING_STATS
    ]
    assert list(df["channel_name"]) == ["ecg: ECG; pcg: PCG"] * 2
    for _, row in df.iterrows():
        rec = physiofeat.load_record(row["path"])
        ecg, pcg = rec.channel("ECG"), rec.channel("PCG")
        want = timing_features(timing(ecg.data, pcg.data, sr=ecg.sr, pcg_sr=pcg.sr))
        got = row[[f"ecg_pcg_timing_{s}" for s in TIMING_STATS]].to_numpy(float)
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=0, equal_nan=True)
    err = pd.read_csv(errors_path(out))
    assert list(err["id"]) == ["a0007.wav"] and list(err["error_type"]) == ["MissingRoleError"]
    assert (
        "needs a channel of role 'ecg' and the record has none; its channels: 0 '0' (pcg)"
        in (err["error"][0])
    )
    req = json.loads((tmp_path / "t.csv.request.json").read_text())
    assert req["roles"] is None and req["features"]["ecg_pcg_timing"]["method"] == "gated"

    # --role: the heart sound named explicitly, recorded in the request; the hsmm method
    roles = ["--role", "pcg=PCG", "--role", "ecg=ECG"]
    args2 = [str(d / "ECGPCG0003.hea"), "-f", "ecg_pcg_timing", "-p", "method=hsmm"]
    out2 = tmp_path / "t2.csv"
    assert _extract([*args2, *roles, "-o", str(out2), "-j", "1"]) == 0
    req = json.loads((tmp_path / "t2.csv.request.json").read_text())
    assert req["roles"] == {"pcg": ["PCG"], "ecg": ["ECG"]}
    rec = physiofeat.load_record(d / "ECGPCG0003.hea")
    want = timing_features(timing(rec["ECG"], rec["PCG"], sr=8000, method="hsmm"))
    got = pd.read_csv(out2)[[f"ecg_pcg_timing_{s}" for s in TIMING_STATS]].to_numpy(float)[0]
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0, equal_nan=True)
    # --resume with other roles is another request
    capsys.readouterr()
    with pytest.raises(SystemExit) as e:
        _extract([*args2, "--role", "pcg=1", "-o", str(out2), "-j", "1", "--resume"])
    assert e.value.code == 2
    assert "made with another request (roles " in capsys.readouterr().err
    # the same roles resume: nothing to do, the same table
    assert _extract([*args2, *roles, "-o", str(out2), "-j", "1", "--resume"]) == 0


def test_cli_role_chooses_leads_and_is_refused_without_record_features(tmp_path, capsys):
    from physiofeat.ecg import pr_features, qt_features

    p = str(physiofeat.data.path("ludb_1"))
    out = tmp_path / "m.csv"
    roles = ["--role", "ecg=ii", "--role", "ecg=v5"]
    assert _extract([p, "-f", "ecg_multilead", *roles, "-o", str(out), "-j", "1"]) == 0
    df = pd.read_csv(out)
    assert len(df) == 1 and df["channel_name"][0] == "ecg: ii, v5"
    x = physiofeat.load_record(p, channels=["ii", "v5"]).to_array()
    want = np.r_[pr_features(x, sr=500), qt_features(x, sr=500)]
    got = df[[c for c in df.columns if c.startswith("ecg_multilead_")]].to_numpy(float)[0]
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0, equal_nan=True)
    for bad, msg in [
        (["-f", "pr_interval", "--role", "ecg=ii"], "roles (--role) choose the channels of"),
        (["-f", "ecg_multilead", "--role", "eeg=ii"], "unknown channel role 'eeg'"),
        (["-f", "ecg_multilead", "--role", "ecg"], "--role 'ecg' is not ROLE=CHANNEL"),
        (["-f", "ecg_multilead", "--per-channel"], "per_channel (--per-channel) does not apply"),
        (["-f", "ecg_multilead,pr_interval"], "either record features"),
    ]:
        with pytest.raises(SystemExit) as e:
            _extract([p, *bad, "-o", str(tmp_path / "x.csv"), "-j", "1"])
        assert e.value.code == 2
        assert msg in capsys.readouterr().err, bad
    assert not (tmp_path / "x.csv").exists()


def test_cli_features_lists_record_features_with_their_roles(capsys):
    assert main(["features", "--family", "ecgpcg"]) == 0
    text = capsys.readouterr().out
    assert "  ecg_pcg_timing  dims=('stat',)  roles=('ecg', 'pcg')  " in text
    assert "method='gated', onset_fraction=0.5, min_snr=3.0" in text
    assert main(["features", "--family", "ecg"]) == 0
    text = capsys.readouterr().out
    assert "  ecg_multilead  dims=('stat',)  roles=('ecg',)  " in text
    assert "  pr_interval  dims=('stat',)  heart rate" in text  # a single-signal feature: none


def test_info_shows_the_role_of_each_channel(capsys):
    assert main(["info", str(physiofeat.data.path("ludb_1"))]) == 0
    out = capsys.readouterr().out
    assert "    1 'ii': 500 Hz, 5000 samples (10.000 s), in mV, role ecg\n" in out
    assert out.count(", role ecg\n") == 12


def test_resume_of_a_preset_table_made_by_the_same_request(tmp_path, capsys):
    """-f heart_sound then --resume: the table's columns are the preset's features', which the
    check compared with the preset's name and refused."""
    d = tmp_path / "in"
    d.mkdir()
    shutil.copy(physiofeat.data.path("a0007"), d / "a0007.wav")
    out = tmp_path / "hs.csv"
    args = ["extract", str(d), "-f", "heart_sound", "-o", str(out), "-j", "1"]
    assert main(args) == 0
    first = pd.read_csv(out)
    shutil.copy(physiofeat.data.path("a0126"), d / "a0126.wav")  # one more recording
    capsys.readouterr()
    assert main([*args, "--resume"]) == 0
    assert "1 extracted, 0 failed, 1 already done" in capsys.readouterr().err
    t = pd.read_csv(out)
    assert t.shape == (2, first.shape[1]) and list(t["id"]) == ["a0007.wav", "a0126.wav"]
    pd.testing.assert_frame_equal(t.iloc[:1], first)


def test_resume_knows_the_files_whatever_the_spelling_of_their_folder(
    folder, tmp_path, capsys, monkeypatch
):
    """A folder given as a relative path, then resumed as an absolute one, is the same folder:
    its files are done (they were extracted again and their rows doubled)."""
    monkeypatch.chdir(folder.parent)
    out = tmp_path / "t.csv"
    base = [*ARGS, "-o", str(out), "-j", "1", "--glob", "a_tone.wav", "--glob", "c.flac"]
    assert main(["extract", folder.name, *base]) == 0
    first = pd.read_csv(out)
    capsys.readouterr()
    assert main(["extract", str(folder.resolve()), *base, "--resume"]) == 0
    assert "0 extracted, 0 failed, 2 already done" in capsys.readouterr().err
    t = pd.read_csv(out)
    assert t.shape == first.shape and t["path"].map(lambda p: Path(p).is_absolute()).all()


def test_resume_after_a_run_where_every_file_failed(tmp_path, capsys):
    d = tmp_path / "in"
    d.mkdir()
    (d / "empty.wav").write_bytes(b"")
    out = tmp_path / "t.csv"
    args = ["extract", str(d), *ARGS, "-o", str(out), "-j", "1"]
    assert main(args) == 1
    shutil.copy(physiofeat.data.path("a0007"), d / "a0007.wav")
    capsys.readouterr()
    assert main([*args, "--resume"]) == 1  # empty.wav still fails
    assert "1 extracted, 1 failed, 0 already done" in capsys.readouterr().err
    assert list(pd.read_csv(out)["id"]) == ["a0007.wav"]
