"""physiofeat.load_record: WFDB (against wfdb.rdrecord and a hand-written format-16 file),
EDF/EDF+/BDF round trips through edfio's own writer, multi-channel audio, BioSPPy text,
channel selection, every error path; the CLI over WFDB/EDF records."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from conftest import tol

import physiofeat
from physiofeat import DecodeError, ParameterError
from physiofeat.records import Record, load_record

wfdb = pytest.importorskip("wfdb")
edfio = pytest.importorskip("edfio")

LUDB_LEADS = ["i", "ii", "iii", "avr", "avl", "avf", "v1", "v2", "v3", "v4", "v5", "v6"]


def _same_as_wfdb(rec: Record, record_path: Path, channels=None) -> None:
    ref = wfdb.rdrecord(str(record_path.with_suffix("")), channels=channels)
    assert rec.names == tuple(ref.sig_name)
    assert rec.units == tuple(ref.units)
    assert rec.rates == (float(ref.fs),) * ref.n_sig
    assert rec.format == "WFDB" and rec.path == str(record_path)
    for k, x in enumerate(rec.signals):
        assert x.dtype == np.float64
        np.testing.assert_array_equal(x, ref.p_signal[:, k])


# --------------------------------------------------------------------------------------------
# WFDB


def test_shipped_ludb_record_without_shared_data():
    path = physiofeat.data.path("ludb_1")
    rec = physiofeat.load_record(path)
    _same_as_wfdb(rec, path)
    assert list(rec.names) == LUDB_LEADS and set(rec.units) == {"mV"} and rec.sr == 500.0
    # an independent reader of the same bytes (physiofeat.data.load_ecg parses the header itself)
    sig, sr, leads = physiofeat.data.load_ecg()
    assert leads == list(rec.names) and sr == rec.sr
    np.testing.assert_allclose(rec.to_array(), sig, rtol=0, atol=tol(np.float64, 8))
    assert rec["II"] is rec.signals[1] and rec.channel("ii").sr == 500.0
    assert rec.channel(-1).name == "v6" and len(rec) == 12
    assert [c.name for c in rec] == LUDB_LEADS


@pytest.mark.parametrize(
    ("rel", "n_sig"),
    [("ecg/ludb/134", 12), ("ecg/qtdb/sel100", 2), ("ecg/qtdb/sel30", 2)],
)
def test_wfdb_records_equal_rdrecord(shared_data, rel, n_sig):
    hea = shared_data / (rel + ".hea")
    rec = load_record(hea)
    assert len(rec) == n_sig
    _same_as_wfdb(rec, hea)


def test_ephnogram_ecg_pcg_record(shared_data):
    hea = shared_data / "ecg_pcg/ephnogram/ECGPCG0003.hea"
    rec = load_record(hea, channels=["pcg"])
    _same_as_wfdb(rec, hea, channels=[1])
    assert rec.names == ("PCG",) and rec.sr == 8000.0 and rec["PCG"].shape == (240000,)


def test_wfdb_record_given_as_dat_or_name(shared_data):
    base = shared_data / "ecg/qtdb/sel100"
    a = load_record(base.with_suffix(".hea"), channels=0)
    for alias in (base.with_suffix(".dat"), str(base)):
        b = load_record(alias, channels=0)
        assert b.path == a.path and b.names == a.names
        np.testing.assert_array_equal(b[0], a[0])


def test_wfdb_channel_subset_reads_those_channels(shared_data):
    hea = shared_data / "ecg/ludb/134.hea"
    rec = load_record(hea, channels=["V5", 1, "ii", "avr"])  # order kept, duplicates once
    assert rec.names == ("v5", "ii", "avr")
    _same_as_wfdb(rec, hea, channels=[10, 1, 3])


def test_mlii_answers_lead_ii_only_when_no_exact_name(shared_data):
    rec = load_record(shared_data / "ecg/qtdb/sel100.hea", channels="ii")
    assert rec.names == ("MLII",)
    with pytest.raises(ParameterError, match=r"no channel 'ii'; its channels: 0 'record 30, sig"):
        load_record(shared_data / "ecg/qtdb/sel30.hea", channels="ii")


def _write_wfdb_spf(folder: Path, *, truncate: int = 0) -> tuple[Path, np.ndarray, np.ndarray]:
    """A hand-written format-16 record: 'slow' at 100 Hz, 'fast' two samples per frame
    (200 Hz), gain 1000/mV, so the oracle is the integers / 1000."""
    rng = np.random.default_rng(3)
    slow = rng.integers(-3000, 3000, 50)
    fast = rng.integers(-3000, 3000, 100)
    frames = np.stack([slow, fast[0::2], fast[1::2]], axis=1).astype("<i2")
    raw = frames.tobytes()
    (folder / "spf.dat").write_bytes(raw[: len(raw) - truncate])
    (folder / "spf.hea").write_text(
        "spf 2 100 50\n"
        "spf.dat 16x1 1000(0)/mV 16 0 0 0 0 slow\n"
        "spf.dat 16x2 1000(0)/uV 16 0 0 0 0 fast\n"
    )
    return folder / "spf.hea", slow / 1000.0, fast / 1000.0


def test_wfdb_per_channel_rates_from_samples_per_frame(tmp_path):
    hea, slow, fast = _write_wfdb_spf(tmp_path)
    rec = load_record(hea)
    assert rec.names == ("slow", "fast") and rec.units == ("mV", "uV")
    assert rec.rates == (100.0, 200.0)
    np.testing.assert_allclose(rec["slow"], slow, rtol=0, atol=tol(np.float64, 4))
    np.testing.assert_allclose(rec["fast"], fast, rtol=0, atol=tol(np.float64, 4))
    assert rec.channel("fast").duration == rec.channel("slow").duration == 0.5
    with pytest.raises(ParameterError, match=r"different rates \(0 'slow' 100 Hz, 1 'fast' 200"):
        rec.sr  # noqa: B018
    with pytest.raises(ParameterError, match="different rates"):
        rec.to_array()
    groups = rec.groups()
    assert [(list(i), sr, x.shape) for i, sr, x in groups] == [
        ([0], 100.0, (1, 50)),
        ([1], 200.0, (1, 100)),
    ]
    # resampled to one rate: one array
    r2 = load_record(hea, sr=100)
    assert r2.rates == (100.0, 100.0) and r2.to_array().shape == (2, 50)
    np.testing.assert_allclose(
        r2["fast"], physiofeat.io.resample(rec["fast"], 200, 100), rtol=0, atol=1e-12
    )


def test_dtype_float32(tmp_path):
    hea, slow, _ = _write_wfdb_spf(tmp_path)
    x = load_record(hea, dtype=np.float32)["slow"]
    assert x.dtype == np.float32
    np.testing.assert_allclose(x, slow, rtol=0, atol=tol(np.float32, 4))


# --------------------------------------------------------------------------------------------
# WFDB errors


def test_wfdb_missing_dat(tmp_path):
    hea, _, _ = _write_wfdb_spf(tmp_path)
    (tmp_path / "spf.dat").unlink()
    with pytest.raises(DecodeError, match=r"spf.hea: the signal file spf.dat the header names is"):
        load_record(hea)


def test_wfdb_truncated_dat(tmp_path):
    hea, _, _ = _write_wfdb_spf(tmp_path, truncate=7)
    with pytest.raises(
        DecodeError, match=r"spf.hea: truncated: spf.dat holds 293 bytes but the header's 50 "
    ):
        load_record(hea)


def test_wfdb_truncated_format_212(shared_data, tmp_path):
    for ext in ("hea", "dat"):
        data = (shared_data / f"ecg/qtdb/sel100.{ext}").read_bytes()
        (tmp_path / f"sel100.{ext}").write_bytes(data if ext == "hea" else data[:100_000])
    with pytest.raises(
        DecodeError, match=r"truncated: sel100.dat holds 100000 bytes .* need 675000"
    ):
        load_record(tmp_path / "sel100.hea")


@pytest.mark.parametrize(
    ("header", "match"),
    [
        (
            "spf 2 abc 50\nspf.dat 16 1000 16 0 0 0 0 a\nspf.dat 16 1000 16 0 0 0 0 b\n",
            r"bad WFDB header: the sampling frequency is 'abc'",
        ),
        ("spf 2 100 50\nspf.dat 16 1000 16 0 0 0 0 a\n", r"2 signals declared but 1 signal lines"),
        ("this is not a header\n", r"spf.hea: bad WFDB header: the record line 'this is not"),
        ("spf 2 100 5x\n", r"the number of samples is '5x'; an integer is required"),
        (
            "spf 2 100 50\nspf.dat 16 1000 16 0 0 0 0 a\nspf.dat 1x6 1000 16 0 0 0 0 b\n",
            r"bad WFDB header: signal 1 \(.b.\) has format .1.; WFDB formats are 8, 16",
        ),
    ],
)
def test_wfdb_bad_header(tmp_path, header, match):
    _write_wfdb_spf(tmp_path)
    (tmp_path / "spf.hea").write_text(header)
    with pytest.raises(DecodeError, match=match):
        load_record(tmp_path / "spf.hea")


def test_missing_empty_and_directory(tmp_path):
    with pytest.raises(DecodeError, match=r"nothere.hea: no such file"):
        load_record(tmp_path / "nothere.hea")
    (tmp_path / "empty.hea").write_bytes(b"")
    with pytest.raises(DecodeError, match=r"empty.hea: empty file \(0 bytes\)"):
        load_record(tmp_path / "empty.hea")
    (tmp_path / "d.edf").mkdir()
    with pytest.raises(DecodeError, match=r"d.edf: is a directory, not an EDF file"):
        load_record(tmp_path / "d.edf")
    with pytest.raises(ParameterError, match="path must be a str or os.PathLike; got int"):
        load_record(3)


# --------------------------------------------------------------------------------------------
# channel requests


@pytest.mark.parametrize(
    ("channels", "exc", "match"),
    [
        ("v7", ParameterError, r"ludb_1.hea: no channel 'v7'; its channels: 0 'i', 1 'ii', "),
        (12, ParameterError, r"channel index 12 is out of range for 12 channel\(s\) \(0 to 11\)"),
        (-13, ParameterError, r"channel index -13 is out of range"),
        ("12", ParameterError, r"channel index 12 is out of range"),
        (True, ParameterError, r"chosen by name \(str\) or index \(int\); got bool True"),
        ([1.5], ParameterError, r"got float 1.5"),
        ([], ParameterError, r"channels is empty: pass None for all channels"),
        (b"ii", ParameterError, r"channels must be a name, an index, or a list of them; got b"),
    ],
)
def test_bad_channel_requests(channels, exc, match):
    with pytest.raises(exc, match=match):
        load_record(physiofeat.data.path("ludb_1"), channels=channels)


def test_ambiguous_channel_and_lead_part_names(tmp_path):
    sig = np.zeros(256)
    edf = edfio.Edf(
        [
            edfio.EdfSignal(sig, 256, label="ECG II"),
            edfio.EdfSignal(sig, 256, label="EEG II"),
            edfio.EdfSignal(sig, 256, label="ECG V1"),
        ]
    )
    edf.write(tmp_path / "a.edf")
    rec = load_record(tmp_path / "a.edf", channels="v1")  # EDF+ label "<type> <lead>"
    assert rec.names == ("ECG V1",)
    assert load_record(tmp_path / "a.edf", channels="eeg ii").names == ("EEG II",)
    with pytest.raises(ParameterError, match=r"channel 'ii' is ambiguous: it matches channels 0 "):
        load_record(tmp_path / "a.edf", channels="ii")


def test_bad_sr_and_dtype():
    path = physiofeat.data.path("ludb_1")
    with pytest.raises(ParameterError, match="dtype must be float32 or float64; got int16"):
        load_record(path, dtype=np.int16)
    with pytest.raises(ParameterError, match="dtype must be float32 or float64; got 'foo'"):
        load_record(path, dtype="foo")
    with pytest.raises(ParameterError, match="sr"):
        load_record(path, sr=-5)


# --------------------------------------------------------------------------------------------
# EDF / BDF


def _edf_signals(rng):
    ecg = np.cumsum(rng.standard_normal(500 * 8)) * 0.01  # mV, 500 Hz
    resp = 200 * np.sin(2 * np.pi * 0.25 * np.arange(100 * 8) / 100)  # uV, 100 Hz
    return ecg, resp


@pytest.mark.parametrize(("kind", "bits"), [("edf", 16), ("bdf", 24)])
def test_edf_round_trip_two_rates(tmp_path, rng, kind, bits):
    ecg, resp = _edf_signals(rng)
    make = edfio.EdfSignal if kind == "edf" else edfio.BdfSignal
    dig = (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)
    sigs = [
        make(ecg, 500, label="ECG II", physical_dimension="mV", digital_range=dig),
        make(resp, 100, label="Resp", physical_dimension="uV", digital_range=dig),
    ]
    cls = edfio.Edf if kind == "edf" else edfio.Bdf
    ann = [edfio.EdfAnnotation(1.5, None, "R peak"), edfio.EdfAnnotation(3.0, 2.0, "artefact")]
    path = tmp_path / f"x.{kind}"
    cls(sigs, annotations=ann).write(path)
    rec = load_record(path)
    assert rec.format == ("EDF+" if kind == "edf" else "BDF+")
    assert rec.names == ("ECG II", "Resp") and rec.units == ("mV", "uV")
    assert rec.rates == (500.0, 100.0)
    assert rec["ii"].shape == (4000,) and rec["resp"].shape == (800,)
    back = edfio.read_edf(path) if kind == "edf" else edfio.read_bdf(path)
    for ref, s, got in zip((ecg, resp), back.signals, rec.signals):
        lo, hi = s.physical_range
        step = (hi - lo) / (dig[1] - dig[0])  # one step of the 16/24-bit quantisation
        err = np.abs(got - ref).max()
        assert err <= 0.5 * step * (1 + 1e-6)
        assert err > 0 or kind == "bdf"  # 16 bits do quantise: the check can fail
    assert [(a[0], a[2]) for a in rec.annotations] == [(1.5, "R peak"), (3.0, "artefact")]
    assert rec.annotations[1][1] == 2.0
    one = load_record(path, channels="Resp", sr=50)
    assert one.names == ("Resp",) and one.rates == (50.0,) and one["resp"].shape == (400,)


def test_edf_latin1_label(tmp_path):
    path = tmp_path / "u.edf"
    edfio.Edf([edfio.EdfSignal(np.zeros(100), 100, label="ECG a")]).write(path)
    raw = bytearray(path.read_bytes())
    raw[raw.index(b"ECG a") + 4] = 0xE9  # a device writing latin-1 text in the header
    path.write_bytes(bytes(raw))
    assert load_record(path).names == ("ECG \u00e9",)


def test_plain_edf_is_edf(tmp_path):
    path = tmp_path / "p.edf"
    edfio.Edf([edfio.EdfSignal(np.zeros(100), 100, label="A")]).write(path)
    assert load_record(path).format in ("EDF", "EDF+")


def test_edf_truncated_and_garbage(tmp_path, rng):
    ecg, resp = _edf_signals(rng)
    path = tmp_path / "t.edf"
    edfio.Edf([edfio.EdfSignal(ecg, 500, label="ECG")]).write(path)
    data = path.read_bytes()
    path.write_bytes(data[:-1000])
    with pytest.raises(DecodeError, match=r"t.edf: truncated: the header promises 8 data records"):
        load_record(path)
    path.write_bytes(data[:100])
    with pytest.raises(DecodeError, match=r"t.edf: truncated: the file has 100 bytes, shorter"):
        load_record(path)
    path.write_bytes(b"x" * 300)
    with pytest.raises(DecodeError, match=r"t.edf: cannot read as EDF \("):
        load_record(path)
    # EDF+D (discontinuous): edfio would join its data records, losing the gaps
    plus = tmp_path / "d.edf"
    edfio.Edf(
        [edfio.EdfSignal(ecg, 500, label="ECG")], annotations=[edfio.EdfAnnotation(0.5, None, "a")]
    ).write(plus)
    raw = bytearray(plus.read_bytes())
    assert raw[192:197] == b"EDF+C"
    raw[192:197] = b"EDF+D"
    plus.write_bytes(bytes(raw))
    with pytest.raises(DecodeError, match=r"d.edf: a discontinuous recording \(EDF\+D: its data"):
        load_record(plus)


# --------------------------------------------------------------------------------------------
# audio and text


def test_multichannel_wav(tmp_path, rng):
    x = rng.uniform(-0.9, 0.9, (3000, 3))
    path = tmp_path / "three.wav"
    sf.write(path, x, 4000, subtype="PCM_24")
    rec = load_record(path)
    assert rec.format == "WAV" and rec.names == ("0", "1", "2") and rec.rates == (4000.0,) * 3
    ref, _ = sf.read(path, dtype="float64")
    np.testing.assert_array_equal(rec.to_array(), ref.T)
    x2, sr = physiofeat.load(path, mono=False, dtype=np.float64)
    np.testing.assert_array_equal(rec.to_array(), x2)
    sub = load_record(path, channels=[2, "0"])
    assert sub.names == ("2", "0")
    np.testing.assert_array_equal(sub.to_array(), ref.T[[2, 0]])
    with pytest.raises(ParameterError, match=r"three.wav: no channel 'ecg'; its channels: 0 '0'"):
        load_record(path, channels="ecg")


def test_flac_and_broken_audio(tmp_path, rng):
    x = rng.uniform(-0.5, 0.5, (1000, 2))
    sf.write(tmp_path / "s.flac", x, 2000)
    rec = load_record(tmp_path / "s.flac", channels=1)
    assert rec.format == "FLAC" and rec.names == ("1",)
    assert np.abs(rec[0] - x[:, 1]).max() <= 2**-15
    (tmp_path / "junk.wav").write_bytes(b"not audio at all" * 10)
    with pytest.raises(DecodeError, match=r"junk.wav: cannot decode as audio"):
        load_record(tmp_path / "junk.wav")


def test_biosppy_text(shared_data):
    path = shared_data / "ecg_pcg/biosppy/pcg_ecg.txt"
    rec = load_record(path)
    ref = np.loadtxt(path)
    assert rec.format == "text" and rec.names == ("PCG", "ECG") and rec.rates == (2000.0, 2000.0)
    assert rec.units == ("Volts", "Volts")
    np.testing.assert_array_equal(rec.to_array(), ref.T)
    assert load_record(path, channels="ecg").names == ("ECG",)


def test_text_errors(tmp_path):
    p = tmp_path / "a.txt"
    p.write_text("1 2\n3 4\n")
    with pytest.raises(DecodeError, match=r"a.txt: not a record: a text record starts with '#'"):
        load_record(p)
    p.write_text("# Labels:= A\tB\n1 2\n")
    with pytest.raises(DecodeError, match=r"a.txt: the text header has no 'Sampling Rate"):
        load_record(p)
    p.write_text("# Sampling Rate (Hz):= fast\n1 2\n")
    with pytest.raises(DecodeError, match=r"a.txt: bad sampling rate 'fast'"):
        load_record(p)
    p.write_text("# Sampling Rate (Hz):= 100\n1 x\n")
    with pytest.raises(DecodeError, match=r"a.txt: the text record has non-numeric samples"):
        load_record(p)
    p.write_text("# Sampling Rate (Hz):= 100\n1 2\n3 4\n")
    rec = load_record(p)  # no Labels line: channels named by index
    assert rec.names == ("0", "1") and rec.units == ("", "")


def test_load_refuses_records_pointing_at_load_record(tmp_path):
    with pytest.raises(DecodeError, match=r"ludb_1.hea: is a WFDB record header, not audio: read"):
        physiofeat.load(physiofeat.data.path("ludb_1"))
    path = tmp_path / "x.edf"
    edfio.Edf([edfio.EdfSignal(np.zeros(100), 100, label="A")]).write(path)
    with pytest.raises(DecodeError, match=r"x.edf: is an EDF file, not audio: .*load_record"):
        physiofeat.info(path)


def test_import_stays_light():
    code = (
        "import sys, physiofeat, physiofeat.records\n"
        "physiofeat.load_record, physiofeat.Record\n"
        "print(sorted(m for m in ('wfdb', 'edfio', 'numba', 'pandas') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --------------------------------------------------------------------------------------------
# the CLI over records


def _cli(args: list[str]) -> int:
    from physiofeat.cli import main

    return main(["extract", *args, "-j", "1", "-q"])


def test_cli_pr_interval_over_ludb_and_qtdb(shared_data, tmp_path):
    """The issue's run: -f pr_interval --channel ii over the LUDB and QTDB folders (a few
    records each): one row per record, PR medians equal physiofeat.ecg on the same lead."""
    import pandas as pd

    from physiofeat.ecg import PR_STATS, pr_features

    out = tmp_path / "pr.csv"
    globs = ["1.hea", "15.hea", "134.hea", "sel100.hea", "sel103.hea", "sel30.hea"]
    args = [str(shared_data / "ecg/ludb"), str(shared_data / "ecg/qtdb"), "-f", "pr_interval"]
    args += ["--channel", "ii", "-o", str(out)] + sum((["--glob", g] for g in globs), [])
    assert _cli(args) == 1  # sel30's leads are unnamed: an error record, not a crash
    df = pd.read_csv(out)
    assert list(df["id"]) == ["1.hea", "134.hea", "15.hea", "sel100.hea", "sel103.hea"]
    assert list(df["channel_name"]) == ["ii", "ii", "ii", "MLII", "MLII"]
    assert list(df["channel"]) == [1, 1, 1, 0, 0]
    assert list(df["sr_hz"]) == [500.0, 500.0, 500.0, 250.0, 250.0]
    cols = [f"pr_interval_{s}" for s in PR_STATS]
    for _, row in df.iterrows():
        ref = wfdb.rdrecord(str(Path(row["path"]).with_suffix("")), channels=[row["channel"]])
        want = pr_features(ref.p_signal[:, 0], sr=ref.fs)
        np.testing.assert_allclose(row[cols].to_numpy(float), want, rtol=1e-12, equal_nan=True)
        assert np.isfinite(row["pr_interval_pr_median"])
    err = pd.read_csv(tmp_path / "pr.csv.errors.csv")  # the report of output pr.csv
    assert list(err["id"]) == ["sel30.hea"] and list(err["error_type"]) == ["ParameterError"]
    assert "no channel 'ii'; its channels: 0 'record 30, signal 0', 1 'record 30" in err["error"][0]
    # --resume with other channels is another request
    with pytest.raises(SystemExit) as e:
        _cli([*args[:-12], "--channel", "v5", "-o", str(out), "--resume"])
    assert e.value.code == 2


def test_cli_edf_channels_at_two_rates(tmp_path, rng, capsys):
    import pandas as pd

    ecg, resp = _edf_signals(rng)
    edfio.Edf(
        [
            edfio.EdfSignal(ecg, 500, label="ECG II", physical_dimension="mV"),
            edfio.EdfSignal(resp, 100, label="Resp", physical_dimension="uV"),
        ]
    ).write(tmp_path / "night.edf")
    out = tmp_path / "t.parquet"
    params = ["-p", "frame_length=64", "-p", "hop_length=32"]
    assert _cli([str(tmp_path), "-f", "rms", *params, "-o", str(out)]) == 0
    df = pd.read_parquet(out)
    assert list(df["channel_name"]) == ["ECG II", "Resp"] and list(df["channel"]) == [0, 1]
    assert list(df["sr_hz"]) == [500.0, 100.0] and list(df["duration_s"]) == [8.0, 8.0]
    rec = load_record(tmp_path / "night.edf")
    for i, name in enumerate(rec.names):
        ch = rec.channel(name)
        want = physiofeat.extract(
            ch.data, ["rms"], sr=ch.sr, frame_length=64, hop_length=32
        ).vector()
        got = df.loc[i, [c for c in df.columns if c.startswith("rms_")]].to_numpy(float)
        np.testing.assert_allclose(got, want, rtol=1e-12)
    # one channel by name, segments of it
    out2 = tmp_path / "t2.csv"
    args = [str(tmp_path / "night.edf"), "-f", "rms", *params, "--channel", "resp"]
    assert _cli([*args, "--segment", "2", "-o", str(out2)]) == 0
    df2 = pd.read_csv(out2)
    assert list(df2["channel_name"]) == ["Resp"] * 4 and list(df2["segment"]) == [0, 1, 2, 3]
    assert list(df2["start_s"]) == [0.0, 2.0, 4.0, 6.0] and set(df2["sr_hz"]) == {100.0}


def test_cli_discovers_records_not_their_dat_nor_audio_headers(shared_data, tmp_path):
    from physiofeat.cli import discover

    for f in ("85343_AV.wav", "85343_AV.hea"):  # CirCor: a WFDB header over a WAV
        (tmp_path / f).write_bytes((shared_data / "pcg/circor" / f).read_bytes())
    for ext in ("hea", "dat", "ii"):
        (tmp_path / f"ludb_1.{ext}").write_bytes(
            (physiofeat.data.DATA_DIR / f"ludb_1.{ext}").read_bytes()
        )
    (tmp_path / "x.edf").write_bytes(b"")
    assert [rid for rid, _ in discover([str(tmp_path)])] == ["85343_AV.wav", "ludb_1.hea", "x.edf"]


def test_cli_channel_of_a_stereo_wav(tmp_path, rng):
    import pandas as pd

    x = rng.uniform(-0.5, 0.5, (4000, 2)).astype(np.float32)
    sf.write(tmp_path / "st.wav", x, 2000, subtype="FLOAT")
    out = tmp_path / "w.csv"
    args = [str(tmp_path / "st.wav"), "-f", "rms", "-p", "frame_length=64", "-p", "hop_length=32"]
    assert _cli([*args, "--channel", "1", "-o", str(out)]) == 0
    df = pd.read_csv(out, dtype={"channel_name": str})
    assert list(df["channel"]) == [1] and list(df["channel_name"]) == ["1"]
    want = physiofeat.extract(
        x[:, 1].astype(np.float64), ["rms"], sr=2000, frame_length=64, hop_length=32
    ).vector()
    np.testing.assert_allclose(
        df[[c for c in df.columns if c.startswith("rms_")]].to_numpy(float)[0], want, rtol=1e-6
    )


def test_records_page_snippets_run(tmp_path):
    """docs/records.rst's Python runs as written, its ``# value`` comments checked."""
    from test_docs import DOCS, python_blocks, with_checks

    blocks = python_blocks(DOCS / "records.rst")
    assert blocks
    script = tmp_path / "snippets.py"
    script.write_text(with_checks("\n\n".join(blocks)) + "\n")
    assert "assert (rec.format) == 'WFDB'" in script.read_text()
    res = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, cwd=tmp_path
    )
    assert res.returncode == 0, res.stderr[-3000:]


def test_cli_folder_mixing_audio_and_a_record(tmp_path, rng):
    """Audio rows (no channel) and a record's per-channel rows make one table."""
    import pandas as pd

    sf.write(tmp_path / "a.wav", rng.uniform(-0.5, 0.5, 3000), 2000)
    for ext in ("hea", "dat"):
        (tmp_path / f"ludb_1.{ext}").write_bytes(
            (physiofeat.data.DATA_DIR / f"ludb_1.{ext}").read_bytes()
        )
    params = ["-p", "frame_length=64", "-p", "hop_length=32"]
    for suffix in ("csv", "parquet"):
        out = tmp_path / f"t.{suffix}"
        assert _cli([str(tmp_path), "-f", "rms", *params, "-o", str(out)]) == 0
        df = pd.read_csv(out) if suffix == "csv" else pd.read_parquet(out)
        assert list(df["id"]) == ["a.wav"] + ["ludb_1.hea"] * 12
        assert df["channel"].isna().tolist() == [True] + [False] * 12
        assert df["channel"].iloc[1:].astype(int).tolist() == list(range(12))
        assert df["channel_name"].iloc[1:].tolist() == LUDB_LEADS
        assert df["sr_hz"].tolist() == [2000.0] + [500.0] * 12


def test_extract_many_channels_and_config(tmp_path):
    import pandas as pd

    path = str(physiofeat.data.path("ludb_1"))
    with pytest.raises(ParameterError, match=r"channels must be a name, an index, or a non-empty"):
        physiofeat.extract_many([path], ["rms"], n_jobs=1, channels=True)
    with pytest.raises(ParameterError, match=r"got \[\]"):
        physiofeat.extract_many([path], ["rms"], n_jobs=1, channels=[])
    (r,) = physiofeat.extract_many(
        [path], ["rms"], n_jobs=1, channels=["V1", 0], frame_length=64, hop_length=32
    )
    assert r.ok and r.channel_name == ["v1", "i"] and list(r.channel) == [6, 0]
    assert r.sr == 500.0 and r.vector.shape == (2, 4)
    frame = physiofeat.batch.results_to_frame([r])
    assert list(frame["channel_name"]) == ["v1", "i"]
    # the same request from a TOML config
    cfg = tmp_path / "c.toml"
    cfg.write_text(
        'features = ["rms"]\nchannels = ["V1", 0]\n[params]\nframe_length = 64\nhop_length = 32\n'
    )
    out = tmp_path / "t.csv"
    assert _cli([path, "--config", str(cfg), "-o", str(out)]) == 0
    df = pd.read_csv(out)  # the table is in file order (channel column), as --per-channel's
    assert list(df["channel_name"]) == ["i", "v1"]
    np.testing.assert_allclose(df.filter(like="rms_").to_numpy(), r.vector[::-1], rtol=1e-12)
    cfg.write_text('features = ["rms"]\nchannels = "ii"\n')
    with pytest.raises(SystemExit) as e:
        _cli([path, "--config", str(cfg), "-o", str(out)])
    assert e.value.code == 2


def test_cli_info_on_records(tmp_path, capsys):
    from physiofeat.cli import main

    hea, _, _ = _write_wfdb_spf(tmp_path)
    assert main(["info", str(hea)]) == 0
    out = capsys.readouterr().out
    assert "format: WFDB\n  channels: 2\n" in out
    assert "    0 'slow': 100 Hz, 50 samples (0.500 s), in mV\n" in out
    assert "    1 'fast': 200 Hz, 100 samples (0.500 s), in uV\n" in out
    (tmp_path / "spf.dat").unlink()
    assert main(["info", str(hea)]) == 1
    assert "DecodeError: " in capsys.readouterr().err


def test_roles_of_the_shared_records(shared_data):
    """The role rule (physiofeat.records.channel_role) on the real records: EPHNOGRAM's and
    BioSPPy's ECG and PCG, LUDB's twelve leads, QTDB's named leads (MLII, V5, CM5...) as ECG and
    its unnamed 'record N, signal k' channels and the European ST-T record's 'D3'/'D4'
    without a role (they are given with --role ecg=...)."""
    eph = physiofeat.load_record(shared_data / "ecg_pcg/ephnogram/ECGPCG0003.hea")
    assert eph.roles() == {"ecg": (0,), "pcg": (1,)}
    bio = physiofeat.load_record(shared_data / "ecg_pcg/biosppy/pcg_ecg.txt")
    assert bio.names == ("PCG", "ECG") and bio.roles() == {"ecg": (1,), "pcg": (0,)}
    assert physiofeat.load_record(shared_data / "ecg/ludb/1.hea").roles() == {
        "ecg": tuple(range(12))
    }
    for hea in sorted((shared_data / "ecg/qtdb").glob("*.hea")):
        rec = physiofeat.load_record(hea)
        named = all(not n.startswith("record ") and n[0] != "D" for n in rec.names)
        assert rec.roles() == ({"ecg": (0, 1)} if named else {}), (hea.name, rec.names)
        assert rec.roles({"ecg": [0, 1]}) == {"ecg": (0, 1)}
