"""``physiofeat segment`` and the ``pcg_intervals`` feature behind it: a folder of heart sounds
(the shipped PhysioNet 2016 and CirCor samples) becomes one CirCor-style ``.tsv`` per recording,
equal to :func:`physiofeat.pcg.segment` of the file (the oracle: the library's own segmenter
called directly, one file at a time), plus a table with a row per input; bad, short and silent
files are error rows and the run goes on (exit 1); ``--resume`` keeps finished files, a row cut
by a kill included; ``-j 1`` and ``-j 2`` write the same files."""

from __future__ import annotations

import csv
import shutil
import warnings
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

import physiofeat
from physiofeat import InvalidSignalError, ParameterError
from physiofeat.cli import SEGMENT_COLUMNS, SEGMENT_TABLE, main, tsv_path
from physiofeat.pcg import Segmentation, segment

GOOD = {"a0007.wav": "a0007", "sub/50277_MV.wav": "50277_MV"}  # id -> shipped sample
TSV_TOL = 1e-6  # to_tsv writes times to the microsecond


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    d = tmp_path_factory.mktemp("pcg")
    (d / "sub").mkdir()
    for rid, name in GOOD.items():
        shutil.copy(physiofeat.data.path(name), d / rid)
    rng = np.random.default_rng(3)
    sf.write(d / "short.wav", 0.1 * rng.standard_normal(2000), 2000)  # 1 s: too short
    sf.write(d / "sub/silent.wav", np.zeros(20000), 2000)
    (d / "sub/garbage.wav").write_bytes(b"not audio at all")
    return d


def _run(*argv) -> int:
    return main(["segment", *map(str, argv), "-q"])


def _table(out: Path) -> list[dict[str, str]]:
    with open(out / SEGMENT_TABLE, newline="") as fh:
        return list(csv.DictReader(fh))


def _direct(rid: str, folder: Path):
    x, sr = physiofeat.load(folder / rid)
    return segment(x, sr=sr), sr


def test_each_recording_gets_the_segmenters_tsv_and_a_row(folder, tmp_path):
    out = tmp_path / "seg"
    assert _run(folder, "-o", out, "-j", "1") == 1  # three inputs failed
    rows = _table(out)
    assert tuple(rows[0]) == SEGMENT_COLUMNS
    # input order (discover: sorted paths), one row per input
    assert [r["id"] for r in rows] == [
        "a0007.wav",
        "short.wav",
        "sub/50277_MV.wav",
        "sub/garbage.wav",
        "sub/silent.wav",
    ]
    by_id = {r["id"]: r for r in rows}
    for rid in GOOD:
        seg, sr = _direct(rid, folder)
        row = by_id[rid]
        assert row["error_type"] == "" and row["tsv"] == Path(rid).with_suffix(".tsv").as_posix()
        got = Segmentation.from_tsv(out / row["tsv"], sr=sr)
        assert got.intervals.shape == seg.intervals.shape
        np.testing.assert_allclose(got.intervals, seg.intervals, rtol=0, atol=TSV_TOL)
        assert float(row["heart_rate_bpm"]) == pytest.approx(seg.heart_rate, rel=1e-12)
        assert float(row["systolic_interval_s"]) == pytest.approx(seg.systolic_interval, rel=1e-12)
        assert int(row["n_s1"]) == len(seg.sounds("S1")) > 10
        assert int(row["n_s2"]) == len(seg.sounds("S2")) > 10
        assert int(row["n_cycles"]) == len(seg.cycles())
        assert float(row["sr_hz"]) == sr
    assert by_id["short.wav"]["error_type"] == "InvalidSignalError"
    assert "too short to segment" in by_id["short.wav"]["error"]
    assert not by_id["short.wav"]["error"].startswith("feature ")
    assert "silent" in by_id["sub/silent.wav"]["error"]
    assert by_id["sub/garbage.wav"]["error_type"] == "DecodeError"
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.tsv")) == [
        "a0007.tsv",
        "sub/50277_MV.tsv",
    ]  # no empty .tsv for a failed input


def test_two_jobs_write_the_same_files(folder, tmp_path):
    assert _run(folder, "-o", tmp_path / "one", "-j", "1") == 1
    assert _run(folder, "-o", tmp_path / "two", "-j", "2") == 1
    for rid in GOOD:
        rel = Path(rid).with_suffix(".tsv")
        assert (tmp_path / "one" / rel).read_bytes() == (tmp_path / "two" / rel).read_bytes()
    assert _table(tmp_path / "one") == _table(tmp_path / "two")


def test_resume_keeps_finished_files_and_a_killed_runs_rows(folder, tmp_path, capsys):
    out = tmp_path / "seg"
    assert _run(folder, "-o", out, "-j", "1") == 1
    full = _table(out)
    kept = out / "a0007.tsv"
    stamp = kept.stat().st_mtime_ns
    (out / "sub/50277_MV.tsv").unlink()  # a file lost: computed again
    # the table of a killed run: rows appended as files finished, the last one cut mid-line
    text = (out / SEGMENT_TABLE).read_text().splitlines()
    (out / SEGMENT_TABLE).write_text("\n".join(text[:2]) + "\n" + text[3][:20])
    assert main(["segment", str(folder), "-o", str(out), "--resume", "-j", "1"]) == 1
    err = capsys.readouterr().err
    assert "1 segmented, 3 failed, 1 already done" in err
    assert kept.stat().st_mtime_ns == stamp  # not rewritten
    assert _table(out) == full
    assert (out / "sub/50277_MV.tsv").exists()


def test_resume_refuses_files_made_another_way(folder, tmp_path, capsys):
    out = tmp_path / "seg"
    assert _run(folder / "a0007.wav", "-o", out) == 0
    model = Path(physiofeat.pcg.__file__).parent / "springer_circor.json"  # the shipped one
    # the shipped model given by its path is the default: the same request
    assert _run(folder / "a0007.wav", "-o", out, "--resume", "--model", model) == 0
    other = tmp_path / "mine.json"
    shutil.copy(model, other)  # a model of one's own (here equal in content, not by name)
    msg = _usage(capsys, folder / "a0007.wav", "-o", out, "--resume", "--model", other)
    assert "were made with another request (model None then" in msg
    assert "sr None then, 2000.0 now" in _usage(
        capsys, folder / "a0007.wav", "-o", out, "--resume", "--sr", "2000"
    )
    assert _run(folder / "a0007.wav", "-o", out, "--resume") == 0  # the same request


def test_a_channel_of_a_multichannel_file(tmp_path):
    x, sr = physiofeat.load(physiofeat.data.path("50277_MV"))
    rng = np.random.default_rng(0)
    sf.write(tmp_path / "st.wav", np.stack([0.01 * rng.standard_normal(x.size), x], 1), sr)
    out = tmp_path / "seg"
    assert _run(tmp_path / "st.wav", "-o", out) == 0  # audio: mixed to mono, as extract does
    mix, _ = physiofeat.load(tmp_path / "st.wav")
    got = Segmentation.from_tsv(out / "st.tsv", sr=sr)
    np.testing.assert_allclose(got.intervals, segment(mix, sr=sr).intervals, atol=TSV_TOL)
    assert _run(tmp_path / "st.wav", "-o", out, "--channel", "1") == 0
    got = Segmentation.from_tsv(out / "st.tsv", sr=sr)
    ref = segment(x, sr=sr)  # the file's float32 samples, as load gives them
    np.testing.assert_allclose(got.intervals, ref.intervals, rtol=0, atol=TSV_TOL)


def _usage(capsys, *argv) -> str:
    with pytest.raises(SystemExit, match="^2$"):
        main(["segment", *map(str, argv)])
    return capsys.readouterr().err


def test_a_record_read_whole_asks_for_its_channel(tmp_path):
    # the shipped LUDB record: 12 ECG leads, no heart sound; read whole it is one row per lead
    out = tmp_path / "seg"
    assert _run(physiofeat.data.path("ludb_1"), "-o", out) == 1
    row = _table(out)[0]
    assert row["error_type"] == "ParameterError"
    assert "a record of 12 channels (i, ii, iii" in row["error"]
    assert "and none is named as a heart sound" in row["error"]
    assert "choose its heart-sound channel with --channel NAME" in row["error"]
    assert not list(out.rglob("*.tsv"))


def test_a_records_heart_sound_channel_is_found_by_its_name(tmp_path):
    # a BioSPPy text record of an ECG and a heart sound (the CirCor sample): read whole, the
    # one channel named as a heart sound ("PCG") is the one segmented
    from physiofeat.ecg import synthetic_ecg

    x, sr = physiofeat.load(physiofeat.data.path("50277_MV"), dtype=np.float64)
    ecg = synthetic_ecg(duration=x.size / sr, sr=sr)[0][: x.size]
    rows = "\n".join(f"{e:.6f}\t{p:.8f}" for e, p in zip(ecg, x))
    path = tmp_path / "pair.txt"
    path.write_text(f"# Sampling Rate (Hz):= {sr:g}\n# Units:=\n# Labels:= ECG\tPCG\n{rows}\n")
    out = tmp_path / "seg"
    assert _run(path, "-o", out) == 0
    row = _table(out)[0]
    assert row["tsv"] == "pair.tsv" and float(row["sr_hz"]) == sr
    got = Segmentation.from_tsv(out / "pair.tsv", sr=sr)
    pcg = physiofeat.load_record(path)["PCG"]
    np.testing.assert_allclose(got.intervals, segment(pcg, sr=sr).intervals, atol=TSV_TOL)
    assert _run(path, "-o", tmp_path / "chosen", "--channel", "PCG") == 0
    # resumed with the name in another case: the same channel, so the same request
    assert _run(path, "-o", tmp_path / "chosen", "--channel", "pcg", "--resume") == 0
    assert (tmp_path / "chosen" / "pair.tsv").read_bytes() == (out / "pair.tsv").read_bytes()


def test_usage_errors_name_what_is_wrong(folder, tmp_path, capsys):
    (tmp_path / "f").write_text("x")
    assert "is a file: give a folder" in _usage(capsys, folder, "-o", tmp_path / "f")
    assert "parent" in _usage(capsys, folder, "-o", tmp_path / "no" / "such")
    twin = tmp_path / "twin"
    twin.mkdir()
    shutil.copy(physiofeat.data.path("a0007"), twin / "a.wav")
    data, sr = sf.read(twin / "a.wav")
    sf.write(twin / "a.flac", data, sr)
    msg = _usage(capsys, twin, "-o", tmp_path / "o1")
    assert "differ only in their suffix, so both segmentations would be" in msg
    assert "a.flac" in msg and "separate output folders" in msg
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(physiofeat.data.path("a0007"), other / "a.wav")
    msg = _usage(capsys, twin / "a.wav", other, "-o", tmp_path / "o1")
    assert "two inputs would share the segmentation file" in msg and "common parent" in msg
    msg = _usage(capsys, folder / "a0007.wav", "-o", tmp_path / "o2", "--model", "none.json")
    assert "none.json" in msg
    assert "does not exist" in _usage(capsys, tmp_path / "nothing", "-o", tmp_path / "o3")
    table = tmp_path / "o4"
    table.mkdir()
    (table / SEGMENT_TABLE).write_text("a,b\n1,2\n")
    msg = _usage(capsys, folder / "a0007.wav", "-o", table, "--resume")
    assert "is not a physiofeat segment table" in msg


def test_tsv_path_stays_inside_the_folder():
    assert tsv_path("o", "a/b.wav") == Path("o/a/b.tsv")
    assert tsv_path("o", "../b.wav") == Path("o/_up_/b.tsv")
    assert tsv_path("o", "/abs/c.flac") == Path("o/abs/c.tsv")


# -- the pcg_intervals feature ----------------------------------------------------------------


def test_pcg_intervals_is_the_segmentation_and_its_summary():
    x, sr = physiofeat.load(physiofeat.data.path("a0007"))
    seg = segment(x, sr=sr)
    f = physiofeat.extract(x, ["pcg_intervals"], sr=sr)
    np.testing.assert_array_equal(f["pcg_intervals"].values, seg.intervals)
    assert f["pcg_intervals"].dims == ("interval", "field")
    assert list(f["pcg_intervals"].coords["field"]) == ["start_s", "end_s", "state"]
    names = [f"pcg_intervals_{k}" for k in ("heart_rate", "systolic_interval")] + [
        f"pcg_intervals_{k}" for k in ("n_s1", "n_s2", "n_cycles")
    ]
    assert f.vector_names() == names
    expect = [seg.heart_rate, seg.systolic_interval, 47, 47, len(seg.cycles())]
    np.testing.assert_array_equal(f.vector(), expect)
    assert len(seg.sounds("S1")) == 47


def test_pcg_intervals_of_a_batch_pads_and_a_silent_row_is_empty():
    x, sr = physiofeat.load(physiofeat.data.path("a0007"))
    X = np.stack([x[:40000], x[20000:60000], np.zeros(40000, dtype=x.dtype)])
    with pytest.warns(physiofeat.pcg.PcgWarning, match="signal 2: signal is silent"):
        f = physiofeat.extract(X, ["pcg_intervals"], sr=sr)
    v, vec = f["pcg_intervals"].values, f.vector()
    for i in range(2):
        seg = segment(X[i], sr=sr)
        n = len(seg.intervals)
        np.testing.assert_array_equal(v[i, :n], seg.intervals)
        assert np.isnan(v[i, n:]).all()
        assert vec[i, 2] == len(seg.sounds("S1"))
    assert np.isnan(v[2]).all() and np.isnan(vec[2, :2]).all()
    np.testing.assert_array_equal(vec[2, 2:], [0, 0, 0])


def test_strict_pcg_intervals_raises_instead_of_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no PcgWarning besides the error
        with pytest.raises(InvalidSignalError, match="signal is silent"):
            physiofeat.extract(np.zeros(20000), {"pcg_intervals": {"strict": True}}, sr=2000)
    with pytest.raises(ParameterError, match="strict must be True or False; got 'yes'"):
        physiofeat.extract(np.zeros(20000), {"pcg_intervals": {"strict": "yes"}}, sr=2000)


def test_strict_intervals_beside_the_preset_agree_with_it():
    # strict asks for its own segmentation (one that does not warn): the same intervals as the
    # one the preset's features share
    x, sr = physiofeat.load(physiofeat.data.path("50277_MV"))
    f = physiofeat.extract(x, {"pcg_intervals": {"strict": True}, "pcg_cycles": {}}, sr=sr)
    np.testing.assert_array_equal(f["pcg_intervals"].values, segment(x, sr=sr).intervals)


def test_segment_help_lists_the_outputs(capsys):
    with pytest.raises(SystemExit, match="^0$"):
        main(["segment", "--help"])
    out = capsys.readouterr().out
    assert "OUTPUT/segmentation.csv" in out and "--resume" in out and "--channel" in out
