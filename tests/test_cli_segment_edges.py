"""``physiofeat segment`` where inputs and outputs meet: it never overwrites a ``.tsv`` it did
not write (CirCor's annotations beside its recordings), a file name that is not UTF-8 is a row
like any other, ``--resume`` keeps only what it made of the same, unchanged recordings with a
known request, never merges a cut line into the next row, a usage error leaves the earlier
outputs as they were, and a run leaves no stale ``.tsv`` behind. The oracle of every
segmentation is :func:`physiofeat.pcg.segment` of the file, called directly."""

from __future__ import annotations

import csv
import json
import os
import shutil
import stat
import sys
from pathlib import Path

import numpy as np
import pytest

import physiofeat
from physiofeat import batch
from physiofeat.cli import SEGMENT_REQUEST, SEGMENT_TABLE, main
from physiofeat.pcg import Segmentation, segment

TSV_TOL = 1e-6  # to_tsv writes times to the microsecond
ANNOTATION = "0\t0.5\t0\n0.5\t0.62\t1\n"  # a hand annotation, as CirCor ships it


def _run(*argv) -> int:
    return main(["segment", *map(str, argv), "-q", "-j", "1"])


def _usage(capsys, *argv) -> str:
    with pytest.raises(SystemExit, match="^2$"):
        main(["segment", *map(str, argv), "-q"])
    return capsys.readouterr().err


def _table(out: Path) -> list[dict[str, str]]:
    with open(out / SEGMENT_TABLE, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _is_segment_of(tsv: Path, wav: Path) -> bool:
    x, sr = physiofeat.load(wav)
    got = Segmentation.from_tsv(tsv, sr=sr).intervals
    ref = segment(x, sr=sr).intervals
    return got.shape == ref.shape and np.allclose(got, ref, rtol=0, atol=TSV_TOL)


def _sample(name: str, to: Path) -> Path:
    to.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(physiofeat.data.path(name), to)
    return to


def _done_twice(tmp_path: Path, files: dict[str, str]) -> tuple[Path, Path, Path]:
    """A folder ``in`` of shipped samples (name -> sample), segmented into ``fresh``, and a
    copy of that output, ``seg``, for a test to damage."""
    d = tmp_path / "in"
    for name, sample in files.items():
        _sample(sample, d / name)
    fresh = tmp_path / "fresh"
    assert _run(d, "-o", fresh) == 0
    shutil.copytree(fresh, tmp_path / "seg")
    return d, fresh, tmp_path / "seg"


def test_the_recordings_folder_as_output_keeps_their_annotations(tmp_path, capsys):
    d = tmp_path / "circor"
    wav = _sample("50277_MV", d / "50277_MV.wav")
    (d / "50277_MV.tsv").write_text(ANNOTATION)
    for inputs in ([d], [wav]):
        msg = _usage(capsys, *inputs, "-o", d)
        assert f"{d / '50277_MV.tsv'} exists and is not a segmentation this command wrote" in msg
        assert "give an output folder of its own (-o), or remove the file" in msg
        assert (d / "50277_MV.tsv").read_text() == ANNOTATION
        assert not (d / SEGMENT_TABLE).exists() and not (d / SEGMENT_REQUEST).exists()
    # a folder of its own: written, and a second run there replaces its own files
    out = tmp_path / "seg"
    assert _run(d, "-o", out) == 0
    assert _run(d, "-o", out) == 0
    assert _is_segment_of(out / "50277_MV.tsv", wav)
    (out / "stray").mkdir()
    (out / "stray" / "50277_MV.tsv").write_text(ANNOTATION)  # not listed by the table
    _sample("50277_MV", d / "stray" / "50277_MV.wav")
    msg = _usage(capsys, d, "-o", out)
    assert "stray/50277_MV.tsv exists and is not a segmentation" in msg
    assert (out / "stray" / "50277_MV.tsv").read_text() == ANNOTATION


def test_another_commands_table_is_not_replaced(tmp_path, capsys):
    wav = _sample("a0007", tmp_path / "in" / "a0007.wav")
    out = tmp_path / "seg"
    out.mkdir()
    (out / SEGMENT_TABLE).write_text("subject,label\n1,murmur\n")
    msg = _usage(capsys, wav, "-o", out)
    assert "is not a physiofeat segment table" in msg and "choose another output folder" in msg
    assert (out / SEGMENT_TABLE).read_text() == "subject,label\n1,murmur\n"


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS file names must be UTF-8")
def test_a_file_name_that_is_not_utf8_is_a_row_like_any_other(tmp_path, capsys):
    d = tmp_path / "odd"
    odd = Path(os.fsdecode(b"a\xff.wav"))  # held with a surrogate, as os.listdir gives it
    wav = _sample("a0007", d / odd)
    _sample("50277_MV", d / "z.wav")
    (d / os.fsdecode(b"c\xfe.wav")).write_bytes(b"not audio")  # a bad file with such a name
    out = tmp_path / "seg"
    assert _run(d, "-o", out) == 1  # the bad file failed; the run went on
    rows = {r["id"]: r for r in _table(out)}
    assert sorted(rows) == ["a\\xff.wav", "c\\xfe.wav", "z.wav"]
    assert rows["a\\xff.wav"]["tsv"] == "a\\xff.tsv" and rows["a\\xff.wav"]["error_type"] == ""
    assert rows["c\\xfe.wav"]["error_type"] == "DecodeError"
    assert "c\\xfe.wav" in rows["c\\xfe.wav"]["error"]
    assert _is_segment_of(out / odd.with_suffix(".tsv"), wav)
    assert _is_segment_of(out / "z.tsv", d / "z.wav")
    capsys.readouterr()
    assert main(["segment", str(d), "-o", str(out), "--resume", "-j", "1"]) == 1
    assert "0 segmented, 1 failed, 2 already done" in capsys.readouterr().err


def test_resume_over_another_input_set_segments_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _sample("a0007", Path("dA/x.wav"))
    _sample("50277_MV", Path("dA/y.wav"))
    _sample("50277_MV", Path("dB/x.wav"))
    assert _run("dA", "-o", "seg") == 0
    assert _run("dB", "-o", "seg", "--resume") == 0
    (row,) = _table(Path("seg"))
    assert (row["id"], row["path"], row["tsv"]) == ("x.wav", "dB/x.wav", "x.tsv")
    assert _is_segment_of(Path("seg/x.tsv"), Path("dB/x.wav"))
    assert not Path("seg/y.tsv").exists()  # no longer an input: its .tsv is not left behind
    # the same folder spelled another way is the same input set: nothing to redo
    stamp = Path("seg/x.tsv").stat().st_mtime_ns
    assert _run(tmp_path / "dB", "-o", "seg", "--resume") == 0
    assert Path("seg/x.tsv").stat().st_mtime_ns == stamp


def test_resume_segments_a_recording_replaced_since(tmp_path):
    wav = _sample("a0007", tmp_path / "in" / "x.wav")
    out = tmp_path / "seg"
    assert _run(wav.parent, "-o", out) == 0
    shutil.copy(physiofeat.data.path("50277_MV"), wav)
    later = (out / "x.tsv").stat().st_mtime + 5
    os.utime(wav, (later, later))
    assert _run(wav.parent, "-o", out, "--resume") == 0
    assert _is_segment_of(out / "x.tsv", wav)
    x, sr = physiofeat.load(wav)
    assert int(_table(out)[0]["n_s1"]) == len(segment(x, sr=sr).sounds("S1"))


def test_resume_after_a_cut_line_never_merges_two_rows(tmp_path, monkeypatch):
    d, fresh, out = _done_twice(
        tmp_path, {"1.wav": "a0007", "11.wav": "50277_MV", "z.wav": "a0007"}
    )
    # a killed run's table: the row of 11.wav, then the first character of 1.wav's row
    lines = (out / SEGMENT_TABLE).read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[1].startswith("1.wav,") and lines[2].startswith("11.wav,")
    (out / SEGMENT_TABLE).write_text(lines[0] + lines[2] + "1", encoding="utf-8")
    (out / "1.tsv").unlink()
    (out / "z.tsv").unlink()
    real = batch.iter_extract

    def killed_on_z(*args, **kwargs):  # a resumed run killed while it works on z.wav
        for r in real(*args, **kwargs):
            if r.id == "z.wav":
                raise KeyboardInterrupt
            yield r

    monkeypatch.setattr(batch, "iter_extract", killed_on_z)
    assert _run(d, "-o", out, "--resume") == 130
    monkeypatch.undo()
    assert _run(d, "-o", out, "--resume") == 0
    assert _table(out) == _table(fresh)


def test_a_usage_error_leaves_the_earlier_outputs_as_they_were(tmp_path, capsys):
    wav = _sample("a0007", tmp_path / "in" / "a0007.wav")
    out = tmp_path / "seg"
    assert _run(wav, "-o", out) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert "--sr must be a finite number > 0 of Hz; got inf" in _usage(
        capsys, wav, "-o", out, "--sr", "inf"
    )
    assert "cannot read segmenter model" in _usage(
        capsys, wav, "-o", out, "--model", tmp_path / "none.json"
    )
    (tmp_path / "bad.json").write_text("[1, 2]")
    _usage(capsys, wav, "-o", out, "--model", tmp_path / "bad.json")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    _usage(capsys, wav, "-o", tmp_path / "new", "--model", tmp_path / "none.json")
    assert not (tmp_path / "new").exists()


def test_resume_without_the_request_file_refuses(tmp_path, capsys):
    wav = _sample("a0007", tmp_path / "in" / "a0007.wav")
    out = tmp_path / "seg"
    assert _run(wav, "-o", out) == 0
    (out / SEGMENT_REQUEST).unlink()
    msg = _usage(capsys, wav, "-o", out, "--resume", "--sr", "1000")
    assert f"has no {SEGMENT_REQUEST}, so what its .tsv files were made with" in msg
    assert not (out / SEGMENT_REQUEST).exists()


def _record(path: Path, name: str) -> Path:
    import wfdb

    x, sr = physiofeat.load(physiofeat.data.path("50277_MV"), dtype=np.float64)
    path.mkdir(parents=True, exist_ok=True)
    wfdb.wrsamp(
        path.name,
        fs=sr,
        units=["mV"],
        sig_name=[name],
        p_signal=x[:, None],
        fmt=["32"],
        adc_gain=[2**30],
        baseline=[0],
        write_dir=str(path.parent),
    )
    return path.with_suffix(".hea")


def test_a_one_channel_record_named_as_an_ecg_is_not_segmented(tmp_path):
    ecg = _record(tmp_path / "rec" / "ecgonly", "ECG")
    lead = _record(tmp_path / "rec" / "leadii", "II")
    pcg = _record(tmp_path / "rec" / "pcgonly", "PCG")
    unnamed = _record(tmp_path / "rec" / "sig", "sig 0")
    out = tmp_path / "seg"
    assert _run(tmp_path / "rec", "-o", out) == 1
    rows = {r["id"]: r for r in _table(out)}
    for rec, name in ((ecg, "ECG"), (lead, "II")):
        row = rows[rec.name]
        assert row["error_type"] == "ParameterError" and row["tsv"] == ""
        assert f"a record of 1 channel ({name}) and its name gives it the ecg role" in row["error"]
        assert "--channel NAME" in row["error"]
        assert not (out / rec.with_suffix(".tsv").name).exists()
    sig = physiofeat.load_record(pcg)["PCG"]
    ref = segment(sig, sr=physiofeat.load_record(pcg).sr).intervals
    for rec in (pcg, unnamed):  # a heart sound's name, or none: the heart sound
        assert rows[rec.name]["error_type"] == ""
        got = Segmentation.from_tsv(out / rec.with_suffix(".tsv").name, sr=4000).intervals
        np.testing.assert_allclose(got, ref, rtol=0, atol=TSV_TOL)
    assert _run(ecg, "-o", tmp_path / "chosen", "--channel", "ECG") == 0  # the user's choice
    got = Segmentation.from_tsv(tmp_path / "chosen" / "ecgonly.tsv", sr=4000).intervals
    np.testing.assert_allclose(got, ref, rtol=0, atol=TSV_TOL)


def test_a_run_leaves_no_stale_segmentation(tmp_path):
    d = tmp_path / "in"
    _sample("a0007", d / "a.wav")
    _sample("50277_MV", d / "b.wav")
    out = tmp_path / "seg"
    assert _run(d, "-o", out) == 0
    assert _run(d / "a.wav", "-o", out) == 0  # b.wav no longer an input
    assert sorted(p.name for p in out.glob("*.tsv")) == ["a.tsv"]
    (d / "a.wav").write_bytes(b"not audio any more")  # a.wav now fails
    assert _run(d / "a.wav", "-o", out) == 1
    assert not list(out.glob("*.tsv"))
    assert _table(out)[0]["error_type"] == "DecodeError"


def test_one_file_given_twice_and_a_broken_link(tmp_path):
    d = tmp_path / "in"
    wav = _sample("a0007", d / "a.wav")
    (d / "gone.wav").symlink_to(tmp_path / "nonexistent.wav")
    out = tmp_path / "seg"
    assert _run(d, wav, "-o", out) == 1  # the broken link is an error row
    rows = _table(out)
    assert [r["id"] for r in rows] == ["a.wav", "gone.wav"]
    assert rows[1]["error_type"] == "FileNotFoundError"
    assert "is a link to" in rows[1]["error"] and "which does not exist" in rows[1]["error"]
    (d / "loop.wav").symlink_to(d / "loop.wav")
    assert _run(d, "-o", tmp_path / "loop") == 1
    row = {r["id"]: r for r in _table(tmp_path / "loop")}["loop.wav"]
    assert row["error_type"] == "FileNotFoundError"
    assert "which leads back to itself (a loop of links)" in row["error"]


def test_glob_that_matches_nothing_says_so(tmp_path, capsys):
    d = tmp_path / "in"
    _sample("a0007", d / "a.wav")
    msg = _usage(capsys, d, "-o", tmp_path / "seg", "--glob", "nomatch*")
    assert f"no input matches --glob nomatch* (in {d})" in msg


def test_outputs_get_the_umasks_permissions(tmp_path):
    wav = _sample("a0007", tmp_path / "in" / "a.wav")
    old = os.umask(0o022)
    try:
        assert _run(wav, "-o", tmp_path / "seg") == 0
    finally:
        os.umask(old)
    for p in (tmp_path / "seg").iterdir():
        assert stat.S_IMODE(p.stat().st_mode) == 0o644, p.name


def test_a_table_naming_files_outside_the_folder_never_removes_them(tmp_path):
    wav = _sample("a0007", tmp_path / "in" / "a.wav")
    out = tmp_path / "seg"
    assert _run(wav, "-o", out) == 0
    outside = tmp_path / "keep.tsv"
    outside.write_text(ANNOTATION)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "b.tsv").write_text(ANNOTATION)
    (out / "link").symlink_to(elsewhere, target_is_directory=True)
    rows = _table(out)
    for name in ("../keep.tsv", "link/b.tsv"):  # as an edited or foreign table may say
        rows.append({**rows[0], "id": name, "tsv": name})
    with open(out / SEGMENT_TABLE, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    assert _run(wav, "-o", out) == 0  # starts over: removes the .tsv files its table lists
    assert outside.read_text() == ANNOTATION
    assert (elsewhere / "b.tsv").read_text() == ANNOTATION
    assert _is_segment_of(out / "a.tsv", wav)


@pytest.mark.parametrize("when", ["after", "before"])
def test_a_kill_around_a_tsvs_rename_leaves_nothing_the_next_run_refuses(
    tmp_path, monkeypatch, when
):
    # killed (as by Ctrl-C) just after, or just before, the second .tsv is renamed into place
    d = tmp_path / "in"
    for name, sample in (("a.wav", "a0007"), ("b.wav", "50277_MV"), ("c.wav", "a0007")):
        _sample(sample, d / name)
    fresh = tmp_path / "fresh"
    assert _run(d, "-o", fresh) == 0
    real = os.replace
    calls = []

    def replace(src, dst):
        if str(dst).endswith(".tsv"):
            calls.append(dst)
            if len(calls) == 2:
                if when == "after":
                    real(src, dst)
                raise KeyboardInterrupt
        return real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    out = tmp_path / "seg"
    assert _run(d, "-o", out) == 130
    monkeypatch.undo()
    left = list(out.rglob(".pf-*"))  # before: the staged .tsv that was never renamed
    assert len(left) == (1 if when == "before" else 0)
    assert _run(d, "-o", out, "--resume") == 0
    assert _table(out) == _table(fresh)
    # a fresh temporary file may be a physiofeat writer's running now: kept; an hour-old one
    # is a killed run's: removed
    assert list(out.rglob(".pf-*")) == left
    for tmp in left:
        os.utime(tmp, (tmp.stat().st_mtime - 7200,) * 2)
    assert _run(d, "-o", out, "--resume") == 0
    assert not list(out.rglob(".pf-*"))
    assert _run(d, "-o", out) == 0  # and a run that starts over
    for name in ("a", "b", "c"):
        assert (out / f"{name}.tsv").read_bytes() == (fresh / f"{name}.tsv").read_bytes()


def test_resume_from_another_folder_with_the_same_relative_path_is_another_input(
    tmp_path, monkeypatch
):
    for top, sample in (("A", "a0007"), ("B", "50277_MV")):
        _sample(sample, tmp_path / top / "rec" / "x.wav")
    monkeypatch.chdir(tmp_path / "A")
    assert _run("rec", "-o", "../seg") == 0
    monkeypatch.chdir(tmp_path / "B")
    assert _run("rec", "-o", "../seg", "--resume") == 0
    assert _is_segment_of(tmp_path / "seg" / "x.tsv", tmp_path / "B" / "rec" / "x.wav")


def test_resume_segments_a_recording_moved_in_with_its_old_mtime(tmp_path):
    wav = _sample("a0007", tmp_path / "in" / "x.wav")
    spare = _sample("50277_MV", tmp_path / "spare.wav")
    out = tmp_path / "seg"
    old = spare.stat().st_mtime - 3600
    os.utime(spare, (old, old))  # as cp -p or an archive keeps it
    assert _run(wav.parent, "-o", out) == 0
    os.replace(spare, wav)  # mv: the old mtime, a new ctime
    assert _run(wav.parent, "-o", out, "--resume") == 0
    assert _is_segment_of(out / "x.tsv", wav)


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS file names must be UTF-8")
def test_a_non_utf8_names_segmentation_is_removed_with_its_row_and_no_other(tmp_path):
    d = tmp_path / "in"
    _sample("a0007", d / os.fsdecode(b"a\xff.wav"))
    _sample("50277_MV", d / "b.wav")
    out = tmp_path / "seg"
    assert _run(d, "-o", out) == 0
    (out / "a\\xff.tsv").write_text("a user's own file, named with a backslash\n")
    assert _run(d, "-o", out, "--glob", "b*") == 0  # a\xff.wav no longer an input
    assert not (out / os.fsdecode(b"a\xff.tsv")).exists()
    assert (out / "a\\xff.tsv").exists()
    assert _run(d, "-o", out) == 0  # an input again: nothing left behind to refuse


def test_a_symlinked_subfolder_of_the_output_is_never_written_through(tmp_path, capsys):
    _sample("a0007", tmp_path / "in" / "sub" / "x.wav")
    dataset = tmp_path / "dataset"
    dataset.mkdir()
    (dataset / "x.tsv").write_text(ANNOTATION)
    out = tmp_path / "seg"
    assert _run(tmp_path / "in", "-o", out) == 0
    shutil.rmtree(out / "sub")
    (out / "sub").symlink_to(dataset, target_is_directory=True)
    msg = _usage(capsys, tmp_path / "in", "-o", out)
    assert "would be written outside" in msg and "symlinked folder" in msg
    assert (dataset / "x.tsv").read_text() == ANNOTATION


def test_values_every_file_would_fail_on_are_usage_errors_first(tmp_path, capsys):
    wav = _sample("a0007", tmp_path / "in" / "a.wav")
    out = tmp_path / "seg"
    assert _run(wav, "-o", out) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    msg = _usage(capsys, wav, "-o", out, "--sr", "100")
    assert "sr=100 Hz is too low" in msg and "needs sr >= 120 Hz" in msg
    model = json.loads((Path(physiofeat.pcg.__file__).parent / "springer_circor.json").read_text())
    for key, value, says in (
        ("features", [*model["features"][:-1], "nosuch"], "features must be segmentation"),
        ("feature_sr", 0, "feature_sr must be a positive number"),
    ):
        bad = tmp_path / f"bad_{key}.json"
        bad.write_text(json.dumps({**model, key: value}))
        assert says in _usage(capsys, wav, "-o", out, "--model", bad)
    assert "--channel needs a channel's name" in _usage(capsys, wav, "-o", out, "--channel", "")
    (out / SEGMENT_REQUEST).write_text("[]")
    before[SEGMENT_REQUEST] = b"[]"
    msg = _usage(capsys, wav, "-o", out, "--resume")
    assert "is not a physiofeat segment request" in msg
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_glob_filters_broken_links_and_one_file_by_two_paths_is_one_input(tmp_path):
    d = tmp_path / "in"
    wav = _sample("a0007", d / "s" / "b.wav")
    (d / "broken.wav").symlink_to(tmp_path / "missing.wav")
    out = tmp_path / "seg"
    assert _run(d, "-o", out, "--glob", "b.wav") == 0  # the broken link is not selected
    assert [r["id"] for r in _table(out)] == ["s/b.wav"]
    assert _run(d, wav.resolve(), d / "s" / ".." / "s" / "b.wav", "-o", tmp_path / "two") == 1
    assert [r["id"] for r in _table(tmp_path / "two")] == ["s/b.wav", "broken.wav"]
    assert [p.name for p in (tmp_path / "two").rglob("*.tsv")] == ["b.tsv"]


def test_a_table_cut_inside_a_character_is_read_to_its_last_whole_row(tmp_path):
    d, fresh, out = _done_twice(tmp_path, {"b.wav": "a0007", "zé.wav": "50277_MV"})
    data = (out / SEGMENT_TABLE).read_bytes()
    (out / SEGMENT_TABLE).write_bytes(data[: data.index("é".encode()) + 1])  # half of é
    (out / "zé.tsv").unlink()  # its row was being written when the run was killed
    assert _run(d, "-o", out, "--resume") == 0
    assert _table(out) == _table(fresh)


def test_a_rewritten_segmentation_keeps_its_permissions(tmp_path):
    wav = _sample("a0007", tmp_path / "in" / "a.wav")
    out = tmp_path / "seg"
    assert _run(wav, "-o", out) == 0
    os.chmod(out / "a.tsv", 0o640)
    assert _run(wav, "-o", out) == 0  # starts over: a.tsv removed, then written again
    assert stat.S_IMODE((out / "a.tsv").stat().st_mode) == 0o640
    assert _is_segment_of(out / "a.tsv", wav)


def test_the_chosen_channels_error_names_no_other_signal(tmp_path):
    import soundfile as sf

    x, sr = physiofeat.load(physiofeat.data.path("a0007"))
    sf.write(tmp_path / "st.wav", np.stack([x, np.zeros_like(x)], 1), sr)
    out = tmp_path / "seg"
    assert _run(tmp_path / "st.wav", "-o", out, "--channel", "1") == 1
    (row,) = _table(out)
    assert row["error_type"] == "InvalidSignalError"
    assert row["error"].startswith("signal is silent"), row["error"]  # not "signal 0: ..."
    assert _run(tmp_path / "st.wav", "-o", tmp_path / "zero", "--channel", "0") == 0
