"""Edge cases of physiofeat.io (load, info, resample) and physiofeat.records (load_record,
channel matching, roles): NaN gaps through the resampler, the ffmpeg fallback against ffmpeg's
own float decode, truncated AIFF/FLAC headers, rates too low to resample to, typed lead names,
negative index strings, records given to load(), and the errors each one raises."""

from __future__ import annotations

import shutil
import subprocess
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import soxr

import physiofeat
from physiofeat import DecodeError, InvalidSignalError, ParameterError
from physiofeat.io import resample
from physiofeat.records import MissingRoleError, Record

needs_ffmpeg = pytest.mark.skipif(
    shutil.which("ffmpeg") is None,
    reason="ffmpeg is not installed (apt-get install ffmpeg): the fallback decoder is untested",
)


def _ffmpeg_f64(path: Path, channels: int) -> np.ndarray:
    """ffmpeg's own float64 decode of the first audio stream, (channels, n): the oracle."""
    raw = subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-map", "0:a:0"]
        + ["-f", "f64le", "-acodec", "pcm_f64le", "-"],
        capture_output=True,
        check=True,
    ).stdout
    return np.frombuffer(raw, dtype="<f8").reshape(-1, channels).T


def _ffmpeg_convert(src: Path, dst: Path, *codec: str) -> None:
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(src), *codec, str(dst)], check=True
    )


def _noise(n: int, channels: int, seed: int = 3) -> np.ndarray:
    x = np.random.default_rng(seed).uniform(-0.9, 0.9, (n, channels))
    x[0] = -1.0  # the most negative value of each PCM width
    return x


# --------------------------------------------------------------------------------------------
# 1. NaN gaps through resample


def _gap_mask(n_in: int, bad: np.ndarray, orig: int, target: int, n_out: int) -> np.ndarray:
    """The documented rule, in exact fractions: output sample k (time k/target) is NaN when it
    lies strictly within one coarse-grid period d = max(1/orig, 1/target) of a gap."""
    d = max(Fraction(1, orig), Fraction(1, target))
    idx = np.flatnonzero(bad)
    runs = np.split(idx, np.flatnonzero(np.diff(idx) > 1) + 1) if idx.size else []
    out = np.zeros(n_out, bool)
    for run in runs:
        lo, hi = Fraction(int(run[0]), orig) - d, Fraction(int(run[-1]), orig) + d
        for k in range(n_out):
            if lo < Fraction(k, target) < hi:
                out[k] = True
    return out


@pytest.mark.parametrize("orig,target", [(1000, 500), (500, 1000), (4000, 100), (300, 1000)])
def test_resample_keeps_nan_gaps_where_they_are(orig, target):
    n = 3 * orig
    t = np.arange(n) / orig
    clean = np.sin(2 * np.pi * 2.0 * t) + 0.5 * np.cos(2 * np.pi * 3.0 * t)
    x = clean.copy()
    gaps = [slice(n // 4, n // 4 + 1), slice(n // 2, n // 2 + orig // 20), slice(n - 7, n)]
    for g in gaps:
        x[g] = np.nan
    x[n // 3] = np.inf  # inf is a gap too
    bad = ~np.isfinite(x)
    y = resample(x, orig, target)
    ref = soxr.resample(clean, orig, target, quality="HQ")
    assert y.shape == ref.shape and y.dtype == np.float64
    want = _gap_mask(n, bad, orig, target, len(ref))
    np.testing.assert_array_equal(np.isnan(y), want)
    # away from the gaps (0.2 s), what the unbroken signal gives: within soxr's HQ precision
    # (20 bits) and the little the filter's tails carry of the linear bridges
    tk = np.arange(len(ref)) / target
    gap_t = np.flatnonzero(bad) / orig
    far = np.min(np.abs(tk[:, None] - gap_t[None, :]), axis=1) > 0.2
    assert far.sum() > len(ref) // 3
    np.testing.assert_allclose(y[far], ref[far], rtol=0, atol=1e-4)
    # beside the gaps, the linear bridge of a slow signal keeps the values close to the truth
    np.testing.assert_allclose(y[~want], ref[~want], rtol=0, atol=0.05)


def test_resample_one_nan_is_one_gap_not_a_block():
    x = np.ones(100000)
    x[50000] = np.nan
    y = resample(x, 1000, 500)
    assert np.flatnonzero(np.isnan(y)).tolist() == [25000]
    np.testing.assert_allclose(y[1000:-1000][~np.isnan(y[1000:-1000])], 1.0, rtol=0, atol=1e-6)
    y32 = resample(x.astype(np.float32)[None].repeat(2, 0), 1000, 500)  # rows: same rule
    assert y32.dtype == np.float32 and np.isnan(y32).sum(axis=1).tolist() == [1, 1]
    allnan = np.full((2, 100), np.nan)
    allnan[1] = 0.0
    z = resample(allnan, 100, 50)
    assert np.isnan(z[0]).all() and not np.isnan(z[1]).any()


# --------------------------------------------------------------------------------------------
# 2. a typed name (EDF+ "TYPE SPEC") matches only a channel of that type


def _typed_record() -> Record:
    z = np.zeros(100)
    return Record.from_arrays({"ECG II": (z, 100), "EEG Fpz-Cz": (z, 100), "Resp": (z, 100)})


def test_typed_lead_name_matches_only_its_type():
    rec = _typed_record()
    with pytest.raises(ParameterError, match=r"no channel 'EEG II'; its channels: 0 'ECG II'"):
        rec.select("EEG II")
    with pytest.raises(ParameterError, match=r"no channel 'ECG Fpz-Cz'"):
        rec.select("ECG Fpz-Cz")
    # the documented aliases stay: the lead part alone, MIT-BIH's MLII, EKG for ECG
    assert rec.select(["ii", "MLII", "EKG II", "fpz-cz"]).names == ("ECG II", "EEG Fpz-Cz")
    assert rec.select("EEG fpz-cz").names == ("EEG Fpz-Cz",)
    leads = Record.from_arrays({"i": (np.zeros(9), 9), "ii": (np.zeros(9), 9)})  # LUDB-style
    assert leads.select("ECG II").names == ("ii",)
    with pytest.raises(ParameterError, match=r"no channel 'EEG II'; its channels: 0 'i', 1 'ii'"):
        leads.select("EEG II")
    mit = Record.from_arrays({"MLII": (np.zeros(9), 9), "EEG II": (np.zeros(9), 9)})
    assert mit.select("ECG II").names == ("MLII",) and mit.select("EEG II").names == ("EEG II",)
    with pytest.raises(ParameterError, match=r"channel 'ii' is ambiguous"):
        mit.select("ii")


# --------------------------------------------------------------------------------------------
# 3, 4. the ffmpeg fallback decodes as ffmpeg does (float codecs unclipped, 24-bit exact)


@needs_ffmpeg
def test_ffmpeg_fallback_24bit_is_exact(tmp_path):
    wav, mka = tmp_path / "s24.wav", tmp_path / "s24.mka"
    src = _noise(4000, 2)
    sf.write(wav, src, 8000, subtype="PCM_24")
    _ffmpeg_convert(wav, mka, "-c:a", "pcm_s24le")  # Matroska: libsndfile cannot read it
    x, sr = physiofeat.load(mka, mono=False, dtype=np.float64)
    assert physiofeat.info(mka).decoder == "ffmpeg" and sr == 8000
    want = sf.read(wav, dtype="float64", always_2d=True)[0].T
    assert x.shape == want.shape and x.min() == -1.0
    # exact: 24-bit samples are k / 2**23; the defect was 255 / 2**31 off on every negative one
    np.testing.assert_array_equal(x, want)
    np.testing.assert_array_equal(x, _ffmpeg_f64(mka, 2))


@needs_ffmpeg
def test_ffmpeg_fallback_float_codec_is_not_clipped_nor_quantised(tmp_path):
    wav, m4a = tmp_path / "n.wav", tmp_path / "n.m4a"
    sf.write(wav, _noise(8000, 2), 8000, subtype="PCM_16")
    _ffmpeg_convert(wav, m4a, "-c:a", "aac")
    want = _ffmpeg_f64(m4a, 2)
    assert np.abs(want).max() > 1.0  # AAC overshoots the full scale of white noise
    x, _ = physiofeat.load(m4a, mono=False, dtype=np.float64)
    np.testing.assert_array_equal(x, want)
    x32, _ = physiofeat.load(m4a, mono=False)
    assert x32.dtype == np.float32
    np.testing.assert_allclose(x32, want, rtol=2 * np.finfo(np.float32).resolution, atol=0)
    rec = physiofeat.load_record(m4a)
    np.testing.assert_array_equal(rec[1], want[1])


@needs_ffmpeg
@pytest.mark.parametrize("codec,subtype", [("pcm_s16le", "PCM_16"), ("pcm_u8", "PCM_U8")])
def test_ffmpeg_fallback_integer_codecs_stay_exact(tmp_path, codec, subtype):
    wav, mka = tmp_path / "s.wav", tmp_path / "s.mka"
    sf.write(wav, _noise(3000, 3), 8000, subtype=subtype)
    _ffmpeg_convert(wav, mka, "-c:a", codec)
    x, _ = physiofeat.load(mka, mono=False, dtype=np.float64)
    np.testing.assert_array_equal(x, sf.read(wav, dtype="float64", always_2d=True)[0].T)


@needs_ffmpeg
def test_ffmpeg_fallback_still_says_why(tmp_path):
    text = tmp_path / "23625.txt"  # ffmpeg sees ANSI art: a video stream, no audio
    text.write_text("23625 4 4000\n" + "#Murmur: Absent\n" * 40)
    with pytest.raises(DecodeError, match=r"cannot decode as audio .*ffmpeg: no audio stream"):
        physiofeat.load(text)
    good = tmp_path / "g.flac"
    sf.write(good, _noise(4000, 1), 8000)
    cut = tmp_path / "cut.m4a"
    _ffmpeg_convert(good, cut, "-c:a", "aac")
    cut.write_bytes(cut.read_bytes()[:300])
    with pytest.raises(DecodeError, match=r"cut\.m4a: cannot decode as audio .*ffmpeg: "):
        physiofeat.load(cut)


# --------------------------------------------------------------------------------------------
# 5, 6. truncated AIFF and FLAC: load and info refuse them alike


@pytest.mark.parametrize("subtype", ["PCM_16", "PCM_24", "FLOAT"])
def test_truncated_aiff_is_refused(tmp_path, subtype):
    good = tmp_path / "a.aiff"
    sf.write(good, _noise(4000, 2), 8000, format="AIFF", subtype=subtype)
    assert physiofeat.load(good, mono=False)[0].shape == (2, 4000)
    assert physiofeat.info(good).frames == 4000
    cut = tmp_path / "cut.aiff"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    msg = r"cut\.aiff: truncated: the COMM chunk declares 4000 frames .* but the SSND chunk holds"
    with pytest.raises(DecodeError, match=msg):
        physiofeat.load(cut)
    with pytest.raises(DecodeError, match=msg):
        physiofeat.info(cut)
    with pytest.raises(DecodeError, match=msg):
        physiofeat.load_record(cut)


@needs_ffmpeg  # the messages are ffmpeg's (without it, both say the fallback is unavailable)
@pytest.mark.parametrize(
    "keep,why",
    [
        (0.4, r"cannot decode as audio \(libsndfile: .*; ffmpeg: "),
        # ffmpeg decodes the whole frames there and stops quietly: load kept half the file
        (0.9, r"truncated: the FLAC header promises 8000 frames but only \d+ could be decoded"),
    ],
)
def test_info_refuses_the_truncated_flac_load_refuses(tmp_path, keep, why):
    good = tmp_path / "a.flac"
    sf.write(good, _noise(8000, 2), 8000, subtype="PCM_24")
    assert physiofeat.info(good).frames == 8000
    cut = tmp_path / "cut.flac"
    cut.write_bytes(good.read_bytes()[: int(good.stat().st_size * keep)])
    with pytest.raises(DecodeError, match=r"cut\.flac: " + why) as e_load:
        physiofeat.load(cut)
    with pytest.raises(DecodeError, match=r"cut\.flac: " + why) as e_info:
        physiofeat.info(cut)
    assert str(e_info.value) == str(e_load.value)


# --------------------------------------------------------------------------------------------
# 7, 12. resample: rates it cannot reach and inputs it cannot take are typed errors


def test_rate_too_low_to_resample_to_is_refused(tmp_path):
    wav = tmp_path / "a.wav"
    sf.write(wav, _noise(4000, 1), 8000, subtype="PCM_16")
    with pytest.raises(ParameterError, match=r"resampling 4000 samples from 8000 Hz to 0.5 Hz"):
        physiofeat.load(wav, sr=0.5)
    with pytest.raises(ParameterError, match=r"from 8000 Hz to 0.5 Hz"):
        physiofeat.load_record(wav, sr=0.5)
    assert physiofeat.load(wav, sr=2)[0].shape == (1,)  # one sample is still a signal


@pytest.mark.timeout(30)
def test_rate_ratio_below_what_soxr_handles_is_refused_not_hung(tmp_path):
    wav = tmp_path / "a.wav"
    sf.write(wav, _noise(4000, 1), 8000, subtype="PCM_16")
    with pytest.raises(ParameterError, match=r"8000 Hz to 1e-06 Hz is a ratio of 1.25e-10"):
        physiofeat.load(wav, sr=1e-6)
    with pytest.raises(ParameterError, match=r"ratio of 5e-05; .* at least 0.0001"):
        resample(np.zeros(10**6), 20000, 1)


def test_resample_refuses_what_it_cannot_take_with_typed_errors():
    y = resample([0.0, 1.0] * 50, 100, 50)  # a list is an array
    assert isinstance(y, np.ndarray) and y.shape == (50,)
    assert resample(np.arange(100), 100, 50).dtype == np.float64  # ints resample as float64
    same = np.zeros(8, np.float32)
    assert resample(same, 10, 10) is same
    with pytest.raises(InvalidSignalError, match=r"x is empty \(shape \(0,\)\)"):
        resample(np.zeros(0), 100, 50)
    with pytest.raises(InvalidSignalError, match=r"x must be an array .*; got a 0-d array"):
        resample(np.array(1.0), 100, 50)
    with pytest.raises(ParameterError, match=r"axis 3 is out of range for a 1-D array"):
        resample(np.zeros(100), 100, 50, axis=3)
    with pytest.raises(ParameterError, match=r"axis must be an integer; got 0.5"):
        resample(np.zeros(100), 100, 50, axis=0.5)
    with pytest.raises(InvalidSignalError, match=r"x must be real-valued; got complex"):
        resample(np.ones(100, complex), 100, 50)
    with pytest.raises(InvalidSignalError, match=r"x must be a numeric array"):
        resample("abc", 100, 50)
    with pytest.raises(ParameterError, match=r"sr must be a positive number of Hz; got 0"):
        resample(np.zeros(100), 100, 0)


# --------------------------------------------------------------------------------------------
# 8. folder search keeps a header whose audio file is missing


def test_folder_search_keeps_header_whose_audio_file_is_missing(tmp_path):
    from physiofeat.cli import discover
    from physiofeat.records import header_of_audio

    for name in ("a", "b"):
        (tmp_path / f"{name}.hea").write_text(
            f"{name} 1 4000 4000\n{name}.wav 16+44 1 16 0 0 0 0 AV\n"
        )
    sf.write(tmp_path / "b.wav", _noise(4000, 1), 4000, subtype="PCM_16")
    assert header_of_audio(tmp_path / "b.hea") and not header_of_audio(tmp_path / "a.hea")
    assert [rid for rid, _ in discover([str(tmp_path)])] == ["a.hea", "b.wav"]
    with pytest.raises(DecodeError, match=r"a\.hea: the signal file a\.wav the header names"):
        physiofeat.load_record(tmp_path / "a.hea")


def _circor_like(folder: Path, rate: int = 4000) -> np.ndarray:
    """A CirCor-style pair: x.wav (16-bit, one sample clipped to -32768) and x.hea naming it."""
    x = (np.round(_noise(8000, 1).ravel() * 9000)).astype(np.int16)
    x[100] = -32768  # clipped: WFDB's format-16 invalid value
    sf.write(folder / "x.wav", x, 4000, subtype="PCM_16")
    (folder / "x.hea").write_text(f"x 1 {rate} 8000\nx.wav 16+44 1 16 0 0 0 0 AV\n")
    return x


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_header_of_an_audio_file_reads_the_audio_file(tmp_path, dtype):
    # CirCor's .hea beside each .wav: read as the .wav is (scaled PCM, the clipped sample -1,
    # the pcg role), not as WFDB counts with NaN for -32768, under the header's channel name
    x = _circor_like(tmp_path)
    rec = physiofeat.load_record(tmp_path / "x.hea", dtype=dtype)
    wav = physiofeat.load_record(tmp_path / "x.wav", dtype=dtype)
    assert rec.names == ("AV",) and rec.units == ("",) and rec.channel(0).sr == 4000.0
    assert rec[0].dtype == dtype
    np.testing.assert_array_equal(rec[0], wav[0])
    np.testing.assert_array_equal(rec[0], (x / 32768.0).astype(dtype))  # the oracle: int16 / 2^15
    assert rec[0][100] == -1.0 and np.isfinite(rec[0]).all()
    assert rec.roles() == {"pcg": (0,)}
    assert physiofeat.load_record(tmp_path / "x.hea", channels="av").names == ("AV",)
    with pytest.raises(ParameterError, match=r"no channel 'ii'; its channels: 0 'AV'"):
        physiofeat.load_record(tmp_path / "x.hea", channels="ii")
    res = physiofeat.extract_many([tmp_path / "x.hea"], ["rms"], n_jobs=1)[0]
    assert res.ok and res.channel_name == ["AV"]


def test_header_that_disagrees_with_its_audio_file_is_read_as_wfdb(tmp_path):
    # the header says 2000 Hz, the file holds 4000 Hz: not the audio file's description, so
    # the header is read as WFDB says (counts, NaN for the invalid value) at its own rate
    x = _circor_like(tmp_path, rate=2000)
    rec = physiofeat.load_record(tmp_path / "x.hea")
    assert rec.format == "WFDB" and rec.channel(0).sr == 2000.0
    assert np.isnan(rec[0][100]) and np.nanmax(np.abs(rec[0])) == np.abs(x[x > -32768]).max()


def test_circor_header_reads_as_its_wav(shared_data):
    base = shared_data / "pcg" / "circor" / "2530_AV"
    rec, wav = physiofeat.load_record(f"{base}.hea"), physiofeat.load_record(f"{base}.wav")
    assert rec.names == ("AV",) and rec.roles() == {"pcg": (0,)}
    np.testing.assert_array_equal(rec[0], wav[0])  # 60 clipped samples, none NaN
    assert (rec[0] == -1.0).sum() == 60


# --------------------------------------------------------------------------------------------
# 10, 11. a stereo file's chosen channel has no role; "-1" counts from the end


def test_chosen_channel_of_a_stereo_file_has_no_role(tmp_path):
    stereo, mono = tmp_path / "s.wav", tmp_path / "m.wav"
    sf.write(stereo, _noise(4000, 2), 4000, subtype="PCM_16")
    sf.write(mono, _noise(4000, 1), 4000, subtype="PCM_16")
    assert physiofeat.load_record(stereo).roles() == {}
    assert physiofeat.load_record(stereo, channels=0).roles() == {}
    assert physiofeat.load_record(stereo, channels=[1], sr=2000).roles() == {}
    assert physiofeat.load_record(stereo).select(1).roles() == {}
    assert physiofeat.load_record(mono, channels=0).roles() == {"pcg": (0,)}
    assert physiofeat.load_record(mono, sr=2000).select(0).roles() == {"pcg": (0,)}


def test_negative_index_strings_count_from_the_end(tmp_path):
    wav = tmp_path / "s.wav"
    sf.write(wav, _noise(4000, 3), 4000, subtype="PCM_16")
    assert physiofeat.load_record(wav, channels="-1").names == ("2",)
    assert physiofeat.load_record(wav, channels=[" -3 ", "-2"]).names == ("0", "1")
    with pytest.raises(ParameterError, match=r"channel index -4 is out of range for 3 channel"):
        physiofeat.load_record(wav, channels="-4")
    named = Record.from_arrays(
        {"a": (np.zeros(9), 9), "-1": (np.zeros(9), 9), "b": (np.zeros(9), 9)}
    )
    assert named.index("-1") == 1  # a channel of that exact name comes first
    assert named.index("-2") == 1 and named.index(-1) == 2


def test_cli_channel_minus_one(tmp_path, capsys):
    import pandas as pd

    from physiofeat.cli import main

    wav = tmp_path / "s.wav"
    sf.write(wav, _noise(4000, 2), 4000, subtype="PCM_16")
    out = tmp_path / "o.csv"
    args = ["extract", str(wav), "-f", "rms", "--channel", "-1", "-o", str(out), "-j", "1"]
    assert main(args) == 0
    df = pd.read_csv(out)
    assert df["channel"].tolist() == [1] and df["channel_name"].astype(str).tolist() == ["1"]


# --------------------------------------------------------------------------------------------
# 13, 14, 15. records that are not what they seem


def test_annotation_only_edf_is_refused(tmp_path):
    edfio = pytest.importorskip("edfio", reason="edfio (physiofeat[records]) is not installed")
    p = tmp_path / "ann.edf"
    edfio.Edf([], annotations=[edfio.EdfAnnotation(0.5, None, "lights off")]).write(p)
    with pytest.raises(DecodeError, match=r"ann\.edf: the EDF\+ file holds no signals, only 1 "):
        physiofeat.load_record(p)
    with pytest.raises(DecodeError, match=r"holds no signals"):
        physiofeat.load_record(p, channels="ii")


def _wfdb_record(folder: Path, name: str = "r") -> Path:
    wfdb = pytest.importorskip("wfdb", reason="wfdb (physiofeat[records]) is not installed")
    sig = np.column_stack([np.sin(np.arange(1000) / 20), np.cos(np.arange(1000) / 30)])
    wfdb.wrsamp(
        name,
        fs=500,
        units=["mV", "mV"],
        sig_name=["ii", "v5"],
        p_signal=sig,
        fmt=["16", "16"],
        adc_gain=[1000, 1000],
        baseline=[0, 0],
        write_dir=str(folder),
    )
    return folder / f"{name}.hea"


_BIOSPPY = "# Simple Text Format\n# Sampling Rate (Hz):= 1000.0\n# Labels:= PCG\tECG\n"


def test_load_points_records_to_load_record(tmp_path, capsys):
    from physiofeat.cli import main
    from physiofeat.records import is_record_path

    hea = _wfdb_record(tmp_path)
    txt = tmp_path / "pcg_ecg.txt"
    txt.write_text(_BIOSPPY + "".join(f"{k}\t{-k}\n" for k in range(50)))
    notes = tmp_path / "notes.txt"  # a CirCor patient file: not a record
    notes.write_text("23625 4 4000\n" + "#Murmur: Absent\n" * 40)
    for path, kind in [
        (hea.with_suffix(".dat"), r"is the signal file of the WFDB record r\.hea"),
        (hea.with_suffix(""), r"names a WFDB record \(r\.hea is beside it\)"),
        (txt, r"is a BioSPPy text record"),
        (hea, r"is a WFDB record header"),
    ]:
        assert is_record_path(path)
        for fn in (physiofeat.load, physiofeat.info):
            with pytest.raises(DecodeError, match=kind + r", not audio: read it with physiofeat"):
                fn(path)
    assert not is_record_path(notes)
    with pytest.raises(DecodeError, match=r"notes\.txt: cannot decode as audio"):
        physiofeat.load(notes)
    with pytest.raises(DecodeError, match=r"nothere: no such file"):
        physiofeat.load(tmp_path / "nothere")
    assert main(["info", str(txt)]) == 0
    assert "format: text" in capsys.readouterr().out


def test_uppercase_hea_is_refused_with_the_reason(tmp_path):
    hea = _wfdb_record(tmp_path, "up")
    upper = tmp_path / "UP.HEA"
    hea.rename(upper)
    if (tmp_path / "UP.hea").exists():
        pytest.skip("case-insensitive file system: wfdb finds UP.hea")
    with pytest.raises(DecodeError, match=r"UP\.HEA: wfdb reads a header named NAME\.hea"):
        physiofeat.load_record(upper)


# --------------------------------------------------------------------------------------------
# 16. role_signal: an unknown role is refused as roles= refuses it


def test_role_signal_of_an_unknown_role_is_refused_and_advice_is_valid():
    rec = Record.from_arrays({"Resp": (np.zeros(100), 100.0), "X": (np.zeros(100), 100.0)})
    with pytest.raises(ParameterError, match=r"unknown channel role 'resp'; roles are ecg, pcg"):
        rec.role_signal("resp")
    with pytest.raises(MissingRoleError, match=r"roles=\{'ecg': NAME\}") as e:
        rec.role_signal("ecg")
    assert "--role ecg=NAME" in str(e.value)
    assert rec.roles({"ecg": "X"}) == {"ecg": (1,)}  # the advice is accepted


# --------------------------------------------------------------------------------------------
# 17. a NaN in a record names its channel (the fix is in physiofeat/batch.py)


def test_nan_in_a_record_names_the_channel(tmp_path):
    wfdb = pytest.importorskip("wfdb", reason="wfdb (physiofeat[records]) is not installed")
    sig = np.column_stack([np.sin(np.arange(2000) / 20), np.cos(np.arange(2000) / 9)])
    sig[100:110, 0] = np.nan
    sig[500, 1] = np.nan
    wfdb.wrsamp(
        "nan",
        fs=500,
        units=["mV", "mV"],
        sig_name=["ECG", "Resp"],
        p_signal=sig,
        fmt=["16", "16"],
        adc_gain=[1000, 1000],
        baseline=[0, 0],
        write_dir=str(tmp_path),
    )
    (r,) = physiofeat.extract_many([str(tmp_path / "nan.hea")], ["rms"], n_jobs=1)
    assert "channel 0 'ECG' contains 10 non-finite" in str(r.error)


# --------------------------------------------------------------------------------------------
# documentation: what load returns, dtype=None, extract --help


def test_load_returns_float_files_unscaled_and_refuses_dtype_none(tmp_path):
    over = tmp_path / "over.wav"
    sf.write(over, np.array([1.5, -2.0, 0.25]), 8000, subtype="FLOAT")
    np.testing.assert_array_equal(physiofeat.load(over)[0], [1.5, -2.0, 0.25])
    assert "float files are returned as stored" in physiofeat.load.__doc__
    for fn in (physiofeat.load, physiofeat.load_record):
        with pytest.raises(ParameterError, match=r"dtype must be float32 or float64; got None"):
            fn(over, dtype=None)


def test_extract_help_names_the_record_inputs():
    from physiofeat.cli import build_parser

    sub = build_parser()._subparsers._group_actions[0].choices["extract"]
    text = " ".join(sub.format_help().split())
    assert "WFDB records (.hea" in text and "EDF/BDF files" in text
    assert "BioSPPy text records (.txt)" in text


def test_a_file_beside_the_records_says_what_load_record_reads(tmp_path):
    (tmp_path / "rec.atr").write_bytes(b"\x00\x01annotation bytes")
    with pytest.raises(DecodeError, match=r"rec\.atr: cannot decode as audio .*; load_record "):
        physiofeat.load_record(tmp_path / "rec.atr")
    with pytest.raises(DecodeError, match=r"reads WFDB headers \(\.hea\), EDF/BDF files"):
        physiofeat.load_record(tmp_path / "rec.atr")
    (tmp_path / "bad.wav").write_bytes(b"not audio")  # an audio file that is not: as before
    with pytest.raises(DecodeError, match=r"bad\.wav: cannot decode as audio") as e:
        physiofeat.load_record(tmp_path / "bad.wav")
    assert "load_record reads" not in str(e.value)
