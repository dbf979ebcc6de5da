"""Edges of ``physiofeat extract``'s journal, ``--resume`` and outputs: a kill while the journal
is rewritten, one file under two spellings, resuming from another folder, error reports of two
outputs, file names that are not UTF-8, a newer journal over an older table, unusable outputs,
a table without its request record, config values of the wrong type, a fresh run over a killed
run's journal, unreadable tables and folders, ``--arrays`` on resume, and the messages."""

from __future__ import annotations

import ast
import builtins
import json
import os
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import soundfile as sf

from physiofeat import batch, cli
from physiofeat.cli import Journal, errors_path, journal_path, main, request_path

SR = 8000
RMS = ["-f", "rms", "-p", "frame_length=256"]


def _wavs(d: Path, n: int = 3, length: int = 3000) -> Path:
    d.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(11)
    for i in range(n):
        t = np.arange(length) / SR
        x = 0.3 * np.sin(2 * np.pi * (100 + 40 * i) * t) + 0.02 * rng.standard_normal(length)
        sf.write(d / f"s{i}.wav", x.astype(np.float32), SR, subtype="PCM_16")
    return d


def _extract(*argv) -> int:
    return main(["extract", *map(str, argv), "-j", "1", "-q"])


def _usage_error(capsys, *argv) -> str:
    with pytest.raises(SystemExit, match="^2$"):
        _extract(*argv)
    return capsys.readouterr().err


def _kill_after(monkeypatch, n: int) -> None:
    """The next extract run is interrupted (as by Ctrl-C) once ``n`` results are journaled."""
    real = batch.iter_extract

    def interrupted(*args, **kwargs):
        for i, r in enumerate(real(*args, **kwargs)):
            if i == n:
                break
            yield r
        raise KeyboardInterrupt

    monkeypatch.setattr(batch, "iter_extract", interrupted)


def _journaled(out: Path) -> list[dict]:
    return [rec for rec in Journal(journal_path(out)).read() if "vector" in rec]


# -------------------------------------------------------------------------------------------
# 3. the journal is rewritten through a temporary file, never truncated in place


class _Killed(BaseException):
    """A kill at one point of a rewrite."""


def _torn_journal(path: Path) -> list[dict]:
    recs = [{"request": {"features": {"rms": {}}}}] + [
        {"path": f"f{i}.wav", "id": f"f{i}.wav", "names": ["rms_mean"], "vector": [float(i)]}
        for i in range(3)
    ]
    path.write_text(
        "".join(json.dumps(r) + "\n" for r in recs) + '{"path": "torn', encoding="utf-8"
    )
    return recs


@pytest.mark.parametrize("where", ["while writing", "before the rename"])
def test_a_kill_while_the_journal_is_rewritten_keeps_every_record(tmp_path, monkeypatch, where):
    path = tmp_path / "t.csv.journal.jsonl"
    recs = _torn_journal(path)
    if where == "while writing":
        real_dumps = json.dumps
        calls = []

        def dumps(obj, **kw):
            calls.append(1)
            if len(calls) == 3:
                raise _Killed
            return real_dumps(obj, **kw)

        monkeypatch.setattr(cli.json, "dumps", dumps)
    else:

        def replace(src, dst):
            raise _Killed

        monkeypatch.setattr(cli.os, "replace", replace)
    with pytest.raises(_Killed):
        Journal(path).open(truncate=False)
    monkeypatch.undo()
    assert Journal(path).read(with_request=True) == recs
    j = Journal(path)
    j.open(truncate=False)  # now without a kill: the torn tail is gone, the records stay
    j.append({"path": "g.wav", "id": "g.wav", "error_type": "X", "error": "e"})
    j.close()
    assert Journal(path).read(with_request=True)[:4] == recs
    assert path.read_text(encoding="utf-8").endswith('"e"}\n')
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left


# -------------------------------------------------------------------------------------------
# 1, 2. one identity for done-ness (the real path), each input spelling keeps its own row


def test_one_file_under_two_spellings_keeps_one_row_per_spelling_across_resumes(tmp_path):
    d = _wavs(tmp_path / "in")
    link = tmp_path / "link.wav"
    link.symlink_to(d / "s1.wav")
    inputs = [d / "s0.wav", f"{d}/../in/s0.wav", d / "s1.wav", link]
    out = tmp_path / "t.csv"
    assert _extract(*inputs, *RMS, "-o", out) == 0
    first = pd.read_csv(out)
    assert list(first["path"]) == [str(p) for p in inputs]
    for _ in range(2):
        assert _extract(*inputs, *RMS, "-o", out, "--resume") == 0
        pd.testing.assert_frame_equal(pd.read_csv(out), first)


def test_resume_from_another_folder_keeps_every_row_once(tmp_path, monkeypatch, capsys):
    _wavs(tmp_path / "small")
    (tmp_path / "w").mkdir()
    monkeypatch.chdir(tmp_path)
    assert _extract("small", *RMS, "-o", "t.csv") == 0
    full = pd.read_csv("t.csv")
    assert list(full["path"]) == [f"small/s{i}.wav" for i in range(3)]
    monkeypatch.chdir(tmp_path / "w")
    capsys.readouterr()
    # a finished table: nothing to do, the rows spelled as this run spells the files
    assert main(["extract", "../small", *RMS, "-o", "../t.csv", "--resume", "-j", "1"]) == 0
    assert "0 extracted, 0 failed, 3 already done" in capsys.readouterr().err
    again = pd.read_csv("../t.csv")
    assert list(again["path"]) == [f"../small/s{i}.wav" for i in range(3)]
    pd.testing.assert_frame_equal(again.drop(columns="path"), full.drop(columns="path"))
    # a killed run's journal, resumed from another folder
    monkeypatch.chdir(tmp_path)
    _kill_after(monkeypatch, 2)
    assert _extract("small", *RMS, "-o", "k.csv") == 130
    monkeypatch.undo()
    monkeypatch.chdir(tmp_path / "w")
    capsys.readouterr()
    assert main(["extract", "../small", *RMS, "-o", "../k.csv", "--resume", "-j", "1"]) == 0
    assert "1 extracted, 0 failed, 2 already done" in capsys.readouterr().err
    pd.testing.assert_frame_equal(pd.read_csv("../k.csv"), again)


# -------------------------------------------------------------------------------------------
# 5. the error report is named after the whole output name


def test_two_outputs_never_share_or_delete_each_others_error_report(tmp_path):
    d = _wavs(tmp_path / "in", 2)
    (d / "empty.wav").write_bytes(b"")
    a_csv, a_parquet = tmp_path / "a.csv", tmp_path / "a.parquet"
    assert errors_path(a_csv) == tmp_path / "a.csv.errors.csv"
    assert _extract(d, *RMS, "-o", a_csv) == 1
    assert _extract(d, *RMS, "-o", a_parquet) == 1
    for out in (a_csv, a_parquet):
        assert list(pd.read_csv(errors_path(out))["id"]) == ["empty.wav"]
    (d / "empty.wav").unlink()
    assert _extract(d, *RMS, "-o", a_parquet) == 0
    assert not errors_path(a_parquet).exists() and errors_path(a_csv).exists()
    # a table named like another output's old-style report is not deleted by that output
    r_err = tmp_path / "r.errors.csv"
    assert _extract(d, *RMS, "-o", r_err) == 0
    assert _extract(d, *RMS, "-o", tmp_path / "r.csv") == 0
    assert len(pd.read_csv(r_err)) == 2


# -------------------------------------------------------------------------------------------
# 6. file names that are not valid UTF-8


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_file_name_that_is_not_utf8_is_journaled_tabled_and_resumed(
    tmp_path, monkeypatch, capsys, suffix
):
    d = _wavs(tmp_path / "in", 2)
    odd = os.fsdecode(os.fsencode(str(d)) + b"/x\xff.wav")
    try:
        os.rename(d / "s1.wav", odd)
    except (OSError, UnicodeError):  # pragma: no cover - a file system refusing such names
        pytest.skip("this file system refuses file names that are not UTF-8")
    out = tmp_path / f"t{suffix}"
    _kill_after(monkeypatch, 2)
    assert _extract(d, *RMS, "-o", out) == 130
    monkeypatch.undo()
    assert sorted(rec["path"] for rec in _journaled(out)) == sorted([str(d / "s0.wav"), odd])
    capsys.readouterr()
    assert main(["extract", str(d), *RMS, "-o", str(out), "--resume", "-j", "1"]) == 0
    assert "0 extracted, 0 failed, 2 already done" in capsys.readouterr().err
    table = cli.read_table(out)
    shown = str(d) + "/x\\xff.wav"  # the undecodable byte, backslash-escaped
    assert list(table["path"]) == [str(d / "s0.wav"), shown]
    assert list(table["id"]) == ["s0.wav", "x\\xff.wav"]
    assert _extract(d, *RMS, "-o", out, "--resume") == 0  # the table's spelling is recognised
    pd.testing.assert_frame_equal(cli.read_table(out), table)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_failing_file_whose_name_is_not_utf8_goes_to_the_errors_file(tmp_path, suffix):
    """Writing errors.csv had raised UnicodeEncodeError (the error message quotes the name, held
    with a surrogate): no errors file, a traceback, the journal left behind."""
    d = _wavs(tmp_path / "in", 1)
    bad = os.fsdecode(os.fsencode(str(d)) + b"/b\xff.wav")
    try:
        Path(bad).write_bytes(b"junk")
    except (OSError, UnicodeError):  # pragma: no cover - a file system refusing such names
        pytest.skip("this file system refuses file names that are not UTF-8")
    out = tmp_path / f"t{suffix}"
    assert _extract(d, *RMS, "-o", out) == 1
    err = pd.read_csv(errors_path(out))
    shown = str(d) + "/b\\xff.wav"
    assert list(err["path"]) == [shown] and list(err["id"]) == ["b\\xff.wav"]
    assert list(err["error_type"]) == ["DecodeError"] and err["error"][0].startswith(shown)
    assert list(cli.read_table(out)["id"]) == ["s0.wav"]
    assert not journal_path(out).exists()


def test_a_wav_whose_name_is_not_utf8_is_read_by_libsndfile(tmp_path):
    """soundfile cannot encode such a name, so libsndfile had failed and ffmpeg decoded it."""
    import physiofeat

    d = _wavs(tmp_path / "in", 1)
    odd = os.fsdecode(os.fsencode(str(d)) + b"/x\xff.wav")
    try:
        os.rename(d / "s0.wav", odd)
    except (OSError, UnicodeError):  # pragma: no cover
        pytest.skip("this file system refuses file names that are not UTF-8")
    assert physiofeat.io.info(odd).decoder == "soundfile"
    with open(odd, "rb") as f:
        ref, sr = sf.read(f, dtype="float32")
    x, got_sr = physiofeat.load(odd)
    assert got_sr == sr
    np.testing.assert_array_equal(x, ref)


# -------------------------------------------------------------------------------------------
# 7. the journal of a killed run decides over an older table


def test_a_killed_fresh_run_with_another_request_resumes_over_the_older_table(
    tmp_path, monkeypatch
):
    d = _wavs(tmp_path / "in")
    out, ref = tmp_path / "t.csv", tmp_path / "ref.csv"
    assert _extract(d, *RMS, "-o", out) == 0  # an earlier finished run
    other = ["-f", "rms", "-p", "frame_length=512"]
    assert _extract(d, *other, "-o", ref) == 0
    _kill_after(monkeypatch, 1)
    assert _extract(d, *other, "-o", out) == 130  # a fresh run with another request, killed
    monkeypatch.undo()
    assert _extract(d, *other, "-o", out, "--resume") == 0
    pd.testing.assert_frame_equal(pd.read_csv(out), pd.read_csv(ref))
    req = json.loads(request_path(out).read_text(encoding="utf-8"))
    assert req["features"]["rms"]["frame_length"] == 512


# -------------------------------------------------------------------------------------------
# 8. outputs that cannot be written are refused before any work


def test_an_output_that_is_a_folder_is_refused_before_any_work(tmp_path, capsys, monkeypatch):
    d = _wavs(tmp_path / "in", 1)
    (tmp_path / "o.csv").mkdir()

    def no_work(*a, **k):
        raise AssertionError("computed before the output was checked")

    monkeypatch.setattr(batch, "iter_extract", no_work)
    err = _usage_error(capsys, d, *RMS, "-o", tmp_path / "o.csv")
    assert re.search(r"output .*o\.csv is a folder", err)


def test_an_output_folder_that_cannot_be_written_is_a_usage_error(tmp_path, capsys, monkeypatch):
    d = _wavs(tmp_path / "in", 1)
    ro = tmp_path / "ro"
    ro.mkdir()
    real_open, real_os_open = builtins.open, os.open

    def refuse(path):
        if str(path).startswith(str(ro)):
            raise PermissionError(13, "Permission denied", str(path))

    def fake_open(file, *a, **k):  # as a read-only folder does (even for root)
        refuse(file)
        return real_open(file, *a, **k)

    def fake_os_open(path, *a, **k):
        refuse(path)
        return real_os_open(path, *a, **k)

    monkeypatch.setattr(builtins, "open", fake_open)
    monkeypatch.setattr(os, "open", fake_os_open)
    err = _usage_error(capsys, d, *RMS, "-o", ro / "t.csv")
    assert re.search(r"cannot write to output folder .*ro: Permission denied", err)


# -------------------------------------------------------------------------------------------
# 4. a table without its request record


def test_a_table_without_its_request_record_needs_exactly_its_columns_and_says_so(tmp_path, capsys):
    d = _wavs(tmp_path / "in")
    out = tmp_path / "t.csv"
    mfcc = ["-f", "mfcc", "-p", "n_fft=256", "-p", "hop_length=64"]
    assert _extract(d, *mfcc, "-p", "n_mfcc=13", "-o", out) == 0
    table = pd.read_csv(out)
    table.iloc[:1].to_csv(out, index=False)
    request_path(out).unlink()
    # other columns (12 coefficients, not 13): refused before a file is added to the table
    err = _usage_error(capsys, d, *mfcc, "-p", "n_mfcc=12", "-o", out, "--resume")
    assert re.search(r"has no request record .*t\.csv\.request\.json", err)
    assert "rerun without --resume" in err
    pd.testing.assert_frame_equal(pd.read_csv(out), table.iloc[:1])
    assert not errors_path(out).exists()
    # the same columns: resumed, saying that the parameters could not be checked
    assert main(["extract", str(d), *mfcc, "-p", "n_mfcc=13", "-o", str(out), "--resume"]) == 0
    err = capsys.readouterr().err
    assert re.search(r"t\.csv has no request record .*parameters cannot be checked", err)
    pd.testing.assert_frame_equal(pd.read_csv(out), table)
    assert not request_path(out).exists()  # the request of the older rows stays unknown


# -------------------------------------------------------------------------------------------
# 11. config values of the wrong type


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('per_channel = "false"', r"per_channel must be true or false; got 'false'"),
        ('glob = "*.flac"', r"glob must be a list of patterns .*; got '\*\.flac'"),
        ('stats = "mean"', r"stats must be a list of statistic names .*; got 'mean'"),
        ("params = 3", r"params must be a table"),
    ],
)
def test_config_values_of_the_wrong_type_are_usage_errors(tmp_path, capsys, line, message):
    d = _wavs(tmp_path / "in", 1)
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'features = ["rms"]\n{line}\n', encoding="utf-8")
    err = _usage_error(capsys, d, "--config", cfg, "-o", tmp_path / "t.csv")
    assert re.search(rf"config .*c\.toml: {message}", err)


# -------------------------------------------------------------------------------------------
# 9. a fresh run over a killed run's journal


def test_a_fresh_run_sets_a_killed_runs_journal_aside_and_a_usage_error_keeps_it(
    tmp_path, monkeypatch, capsys
):
    from physiofeat import ParameterError

    d = _wavs(tmp_path / "in")
    out = tmp_path / "t.csv"
    _kill_after(monkeypatch, 2)
    assert _extract(d, *RMS, "-o", out) == 130
    monkeypatch.undo()
    before = journal_path(out).read_bytes()

    def late_refusal(*a, **k):  # an argument refused by iter_extract, before any work
        raise ParameterError("refused late")
        yield

    monkeypatch.setattr(batch, "iter_extract", late_refusal)
    assert "refused late" in _usage_error(capsys, d, *RMS, "-o", out)
    assert journal_path(out).read_bytes() == before
    monkeypatch.undo()
    assert main(["extract", str(d), *RMS, "-o", str(out), "-j", "1"]) == 0
    err = capsys.readouterr().err
    bak = journal_path(out).with_name(journal_path(out).name + ".bak")
    assert re.search(r"2 finished results of an unfinished run, .*set aside in .*\.bak", err)
    assert bak.read_bytes() == before and not journal_path(out).exists()


# -------------------------------------------------------------------------------------------
# 19, 20. unreadable tables and request records


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("t.csv", b"", r"cannot read .*t\.csv"),
        ("t.csv", b"a,b\n1,2\n", r"t\.csv has no id and path columns"),
        ("t.parquet", b"PAR1 this is not parquet", r"cannot read .*t\.parquet"),
        ("t.csv", None, r"cannot read .*t\.csv\.request\.json"),
    ],
)
def test_resume_onto_an_unreadable_table_is_a_usage_error_naming_it(
    tmp_path, capsys, name, content, message
):
    d = _wavs(tmp_path / "in", 2)
    out = tmp_path / name
    if content is None:  # a good table beside a truncated request record
        assert _extract(d, *RMS, "-o", out) == 0
        request_path(out).write_text('{"features": {"rms', encoding="utf-8")
    else:
        out.write_bytes(content)
    before = out.read_bytes()
    err = _usage_error(capsys, d, *RMS, "-o", out, "--resume")
    assert re.search(message, err) and "Traceback" not in err
    assert out.read_bytes() == before


# -------------------------------------------------------------------------------------------
# 14, 16, 10. what --resume completes, refuses and drops


def test_resume_with_arrays_completes_the_arrays_of_finished_files(tmp_path):
    d = _wavs(tmp_path / "in")
    out, arr = tmp_path / "t.csv", tmp_path / "arr"
    assert _extract(d, *RMS, "-o", out) == 0
    table = pd.read_csv(out)
    assert _extract(d, *RMS, "-o", out, "--resume", "--arrays", arr) == 0
    assert sorted(p.name for p in arr.iterdir()) == [f"s{i}.wav.npz" for i in range(3)]
    pd.testing.assert_frame_equal(pd.read_csv(out), table)


def test_resume_with_another_output_format_is_refused(tmp_path, monkeypatch, capsys):
    d = _wavs(tmp_path / "in")
    _kill_after(monkeypatch, 1)
    assert _extract(d, *RMS, "-o", tmp_path / "t.csv") == 130
    monkeypatch.undo()
    err = _usage_error(capsys, d, *RMS, "-o", tmp_path / "t.parquet", "--resume")
    assert re.search(r"nothing to resume .*t\.parquet.*t\.csv\.journal\.jsonl.*-o .*t\.csv", err)
    assert not (tmp_path / "t.parquet").exists()


def test_resume_drops_the_rows_of_files_no_longer_among_the_inputs_and_says_so(tmp_path, capsys):
    d = _wavs(tmp_path / "in")
    out = tmp_path / "t.csv"
    assert _extract(d, *RMS, "-o", out) == 0
    (d / "s1.wav").unlink()
    assert main(["extract", str(d), *RMS, "-o", str(out), "--resume", "-j", "1", "-q"]) == 0
    assert re.search(
        r"1 row\(s\) of 1 file\(s\) no longer among the inputs .*s1\.wav", capsys.readouterr().err
    )
    assert list(pd.read_csv(out)["id"]) == ["s0.wav", "s2.wav"]


# -------------------------------------------------------------------------------------------
# 12. unreadable folders


def test_an_unreadable_subfolder_is_an_error_record_and_an_unreadable_input_a_usage_error(
    tmp_path, monkeypatch, capsys
):
    d = _wavs(tmp_path / "in", 2)
    _wavs(d / "locked", 1)
    real_scandir = os.scandir

    def scandir(path="."):  # as a folder without read permission does (even for root)
        if os.fspath(path).rstrip("/").endswith("locked") or os.fspath(path) == str(tmp_path / "x"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    out = tmp_path / "t.csv"
    assert _extract(d, *RMS, "-o", out) == 1
    assert list(pd.read_csv(out)["id"]) == ["s0.wav", "s1.wav"]
    err = pd.read_csv(errors_path(out))
    assert list(err["id"]) == ["locked"] and list(err["error_type"]) == ["PermissionError"]
    assert "cannot read folder" in err["error"][0]
    (tmp_path / "x").mkdir()
    err = _usage_error(capsys, tmp_path / "x", *RMS, "-o", out)
    assert re.search(r"cannot read input folder .*x: Permission denied", err)


def test_a_broken_link_below_an_input_folder_is_an_error_record(tmp_path):
    d = _wavs(tmp_path / "in", 2)
    (d / "gone.wav").symlink_to(tmp_path / "nonexistent.wav")
    (d / "notes.txt").symlink_to(tmp_path / "nonexistent.txt")  # not named as a recording
    out = tmp_path / "t.csv"
    assert _extract(d, *RMS, "-o", out) == 1
    assert list(pd.read_csv(out)["id"]) == ["s0.wav", "s1.wav"]
    err = pd.read_csv(errors_path(out))
    assert list(err["id"]) == ["gone.wav"] and list(err["error_type"]) == ["FileNotFoundError"]
    assert f"is a link to {tmp_path / 'nonexistent.wav'}, which does not exist" in err["error"][0]


# -------------------------------------------------------------------------------------------
# 23, 24, 25. messages and small things


def test_an_unknown_feature_points_to_the_features_command(tmp_path, capsys):
    d = _wavs(tmp_path / "in", 1)
    err = _usage_error(capsys, d, "-f", "bogus", "-o", tmp_path / "t.csv")
    assert "unknown feature 'bogus'" in err and "physiofeat features" in err
    assert "physiofeat.features()" not in err


def test_two_inputs_with_one_id_and_arrays_say_what_a_cli_user_can_do(tmp_path, capsys):
    a, b = _wavs(tmp_path / "a", 1), _wavs(tmp_path / "b", 1)
    err = _usage_error(capsys, a, b, *RMS, "-o", tmp_path / "t.csv", "--arrays", tmp_path / "z")
    assert re.search(r"--arrays: .*'s0\.wav'.*a/s0\.wav.*b/s0\.wav", err)
    assert "common parent folder" in err and "own id" not in err
    assert not (tmp_path / "z").exists() and not (tmp_path / "t.csv").exists()


def test_resume_takes_channel_names_case_insensitively(tmp_path):
    d = _wavs(tmp_path / "in", 2)
    out = tmp_path / "t.csv"
    assert _extract(d, *RMS, "--channel", "ii", "-o", out) == 1  # mono files: no channel ii
    assert _extract(d, *RMS, "--channel", "II", "-o", out, "--resume") == 1


def test_jobs_are_capped_at_the_files_to_compute(tmp_path, monkeypatch):
    d = _wavs(tmp_path / "in", 2)
    seen = []
    real = batch.iter_extract

    def spy(*args, **kwargs):
        seen.append(kwargs["n_jobs"])
        kwargs["n_jobs"] = 1
        return real(*args, **kwargs)

    monkeypatch.setattr(batch, "iter_extract", spy)
    monkeypatch.setattr(batch, "prestart_workers", lambda *a, **k: None)
    out = tmp_path / "t.csv"
    assert main(["extract", str(d), *RMS, "-o", str(out), "-j", "99999", "-q"]) == 0
    assert seen == [2]


def test_python_m_physiofeat_cli_runs_like_the_console_script():
    tree = ast.parse(Path(cli.__file__).read_text(encoding="utf-8"))
    block = [n for n in tree.body if isinstance(n, ast.If) and "__main__" in ast.unparse(n.test)]
    assert [ast.unparse(s) for s in block[0].body] == ["run()"]


def test_features_names_lists_the_presets_too(capsys):
    assert main(["features", "--names"]) == 0
    names = capsys.readouterr().out.split()
    assert "heart_sound" in names and "mfcc" in names


def test_a_table_named_near_the_length_limit_is_written(tmp_path):
    """The CLI's temporary name had been the table's own plus 13+ bytes, over the 255-byte
    limit for a table named with 246 characters (the batch's arrays had the same fault)."""
    from physiofeat._files import atomic_write

    path = tmp_path / ("t" * 246 + ".csv")
    atomic_write(path, lambda t: t.write_text("id,path\n"))
    assert path.read_text() == "id,path\n"
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left

    def torn(t):
        t.write_text("half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic_write(path, torn)
    assert path.read_text() == "id,path\n" and len(list(tmp_path.iterdir())) == 1


def test_resuming_a_wide_table_neither_warns_of_a_fragmented_frame_nor_reorders_rows(tmp_path):
    # the rows were sorted by key columns added to the merged frame of 398 columns: pandas
    # warned "DataFrame is highly fragmented" on every resume of a heart_sound table
    d = _wavs(tmp_path / "in", length=8 * SR)
    out = tmp_path / "t.csv"
    args = [d, "-f", "heart_sound", "-o", out]
    assert _extract(*args) == 0
    (d / "s1.wav").rename(d / "s9.wav")
    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.PerformanceWarning)
        assert main(["extract", *map(str, args), "--resume", "-j", "1", "-q"]) == 0
    table = pd.read_csv(out)
    assert table.shape[1] > 300
    assert list(table["id"]) == ["s0.wav", "s2.wav", "s9.wav"]


def test_a_reader_that_stops_early_ends_the_output_without_a_traceback():
    # `physiofeat features | head` (what docs/cli.rst suggests for browsing) printed a
    # BrokenPipeError traceback
    import subprocess
    import sys

    proc = subprocess.Popen(
        [sys.executable, "-c", "from physiofeat.cli import run; run()", "features"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=Path(cli.__file__).parents[1],
    )
    first = proc.stdout.readline()
    proc.stdout.close()  # as head does after its lines
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) in (0, 1)  # 0 when all was written before the close
    assert first.startswith(b"[") and "Traceback" not in err and "BrokenPipe" not in err, err
