"""physiofeat.load / info on every format in ../shared/data, synthesised PCM widths, float,
stereo, and broken files."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf
from conftest import tol

import physiofeat
from physiofeat import DecodeError, ParameterError
from physiofeat.io import resample

SR = 2000


@pytest.fixture(scope="module")
def tone():
    t = np.arange(SR) / SR
    return np.stack([0.5 * np.sin(2 * np.pi * 50 * t), 0.25 * np.cos(2 * np.pi * 80 * t)], axis=1)


@pytest.mark.parametrize(
    ("subtype", "resolution"),
    [
        ("PCM_U8", 2**-7),
        ("PCM_16", 2**-15),
        ("PCM_24", 2**-23),
        ("PCM_32", 2**-31),
        ("FLOAT", 2**-24),
        ("DOUBLE", 2**-53),
    ],
)
def test_wav_widths_round_trip(tmp_path, tone, subtype, resolution):
    path = tmp_path / f"x_{subtype}.wav"
    sf.write(path, tone, SR, subtype=subtype)
    x, sr = physiofeat.load(path, mono=False, dtype=np.float64)
    assert sr == SR and x.shape == (2, SR)
    # quantisation: at most one step (half a step when rounding) of the format
    assert np.abs(x - tone.T).max() <= resolution
    m, _ = physiofeat.load(path)
    assert m.dtype == np.float32 and m.shape == (SR,)
    np.testing.assert_allclose(m, x.mean(axis=0), atol=tol(np.float32, 4))


@pytest.mark.parametrize("fmt", ["FLAC", "OGG"])
def test_flac_and_ogg(tmp_path, tone, fmt):
    path = tmp_path / f"x.{fmt.lower()}"
    sf.write(path, tone[:, 0], SR, format=fmt)
    x, sr = physiofeat.load(path, dtype=np.float64)
    assert sr == SR
    if fmt == "FLAC":  # lossless 16-bit
        assert np.abs(x - tone[:, 0]).max() <= 2**-15
    else:  # lossy: same length and energy, correlated
        assert x.shape == (SR,)
        assert np.corrcoef(x, tone[:, 0])[0, 1] > 0.99


def test_resampling_only_when_asked(tmp_path, tone):
    path = tmp_path / "x.wav"
    sf.write(path, tone[:, 0], SR, subtype="FLOAT")
    x, sr = physiofeat.load(path, sr=1000)
    assert sr == 1000 and x.shape == (1000,)
    ref = 0.5 * np.sin(2 * np.pi * 50 * np.arange(1000) / 1000)
    # band-limited resampling of an in-band tone: accurate away from the edges
    assert np.abs(x[50:-50] - ref[50:-50]).max() < 1e-3
    y = resample(tone.T.copy(), SR, 4000)
    assert y.shape == (2, 2 * SR)


def test_ffmpeg_fallback_reads_what_libsndfile_cannot(tmp_path, tone):
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is not installed (apt-get install ffmpeg); .ci/run installs it")
    src = tmp_path / "x.wav"
    sf.write(src, np.tile(tone[:, 0], 4), 8000, subtype="PCM_16")  # AAC needs >= 7350 Hz
    m4a = tmp_path / "x.m4a"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-i", str(src), "-c:a", "aac", str(m4a)], check=True
    )
    with pytest.raises(Exception):  # noqa: B017 - libsndfile alone really cannot read it
        sf.read(m4a)
    x, sr = physiofeat.load(m4a)
    assert sr == 8000
    assert abs(x.size - 4 * SR) <= 2048  # AAC priming/padding
    assert physiofeat.info(m4a).decoder == "ffmpeg"


def test_broken_files_raise_decode_error_naming_the_file(tmp_path, tone):
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    with pytest.raises(DecodeError, match=r"empty\.wav: empty file \(0 bytes\)"):
        physiofeat.load(empty)
    junk = tmp_path / "notes.wav"
    junk.write_bytes(b"this is a text file, not audio\n" * 20)
    with pytest.raises(DecodeError, match=r"notes\.wav: cannot decode as audio"):
        physiofeat.load(junk)
    # ffmpeg reads a .txt as ANSI art: a video stream, no audio; the reason is said, not the
    # IndexError pydub raises for the missing audio stream (a CirCor patient's .txt)
    text = tmp_path / "23625.txt"
    head = "23625 4 4000\n" + "".join(
        f"{a} 23625_{a}.hea 23625_{a}.wav\n" for a in "AV PV TV MV".split()
    )
    text.write_text(head + "#Murmur: Absent\n" * 40)  # ffmpeg's tty probe wants ~500 bytes
    with pytest.raises(DecodeError, match=r"23625\.txt: cannot decode as audio") as e:
        physiofeat.load(text)
    if shutil.which("ffmpeg"):
        assert "ffmpeg: no audio stream in it" in str(e.value)
        assert "index out of range" not in str(e.value)
    good = tmp_path / "good.wav"
    sf.write(good, tone, SR, subtype="PCM_16")
    data = good.read_bytes()
    trunc = tmp_path / "trunc.wav"
    trunc.write_bytes(data[: len(data) // 2])
    with pytest.raises(
        DecodeError,
        match=r"trunc\.wav: truncated: the data chunk declares "
        r"8000 bytes but only 3978 are present",
    ):
        physiofeat.load(trunc)
    header_only = tmp_path / "header.wav"
    header_only.write_bytes(data[:44])
    with pytest.raises(DecodeError, match=r"header\.wav: "):
        physiofeat.load(header_only)
    with pytest.raises(DecodeError, match=r"missing\.wav: no such file"):
        physiofeat.load(tmp_path / "missing.wav")
    with pytest.raises(DecodeError, match=r"is a directory"):
        physiofeat.load(tmp_path)
    with pytest.raises(OSError):  # DecodeError is an OSError
        physiofeat.load(empty)
    with pytest.raises(ParameterError, match=r"dtype must be float32 or float64; got int16"):
        physiofeat.load(good, dtype=np.int16)
    with pytest.raises(ParameterError, match=r"path must be a str or os.PathLike; got int"):
        physiofeat.load(3)


def _manifest(shared_data):
    with open(shared_data / "MANIFEST.csv") as fh:
        return [r for r in csv.DictReader(fh) if r["kind"].startswith("audio:")]


def test_every_shared_audio_file_matches_the_manifest(shared_data):
    rows = _manifest(shared_data)
    assert len(rows) >= 60
    for r in rows:
        x, sr = physiofeat.load(shared_data / r["path"])
        assert sr == int(r["sample_rate_hz"]), r["path"]
        frames = int(r["note"].split("frames=")[1].split()[0])
        assert x.shape == (frames,), r["path"]
        peak = float(r["note"].split("peak=")[1].split()[0])
        assert abs(np.abs(x).max() - peak) <= 5e-4, r["path"]


def test_info_on_mp3_counts_decoded_frames(shared_data):
    mp3 = shared_data / "mp3/umich_heart_sound_library/05_apex_s3_lld_bell.mp3"
    i = physiofeat.info(mp3)
    assert (i.sr, i.channels, i.frames) == (44100, 1, 3036672)
    assert i.duration == pytest.approx(68.859, abs=1e-3)
    assert "44100 Hz" in str(i)


def test_load_dtype_not_understood_is_a_parameter_error():
    p = physiofeat.data.path("a0007")
    with pytest.raises(ParameterError, match=r"^dtype must be float32 or float64; got 'foo'"):
        physiofeat.load(p, dtype="foo")
    with pytest.raises(ParameterError, match=r"^dtype must be float32 or float64; got int16"):
        physiofeat.load(p, dtype="int16")


def test_non_mp3_named_mp3_is_a_clear_decode_error_without_stderr_noise(tmp_path, tone, capfd):
    text = tmp_path / "notes.mp3"
    text.write_bytes(b"hello world\n" * 100)
    capfd.readouterr()
    with pytest.raises(
        DecodeError,
        match=r"notes\.mp3: cannot decode as audio: not an MP3 file \(neither an ID3 tag",
    ):
        physiofeat.load(text)
    err = capfd.readouterr().err
    assert "Illegal Audio-MPEG-Header" not in err and "resync" not in err
    # an MPEG sync word followed by garbage passes the sniff: libsndfile's claim that the file
    # does not exist is replaced by what is true
    fake = tmp_path / "fake.mp3"
    fake.write_bytes(b"\xff\xfb\x90\x00" + b"\x00" * 64)
    with pytest.raises(DecodeError, match=r"fake\.mp3: cannot decode as audio") as e:
        physiofeat.load(fake)
    assert "does not exist" not in str(e.value)
    # content decides, not the name: a WAV named .mp3 still loads
    wav = tmp_path / "really_wav.mp3"
    sf.write(wav, tone, SR, format="WAV", subtype="PCM_16")
    y, sr = physiofeat.load(wav)
    assert sr == SR and y.shape == (SR,)


def test_missing_ffmpeg_is_checked_once_before_pydub_warns(tmp_path):
    """Without ffmpeg on PATH the fallback is reported unavailable in the DecodeError, and pydub
    (which warns "Couldn't find ffmpeg or avconv" at import, then fails per file) is not even
    imported: no RuntimeWarning, for one file or many (issue #17 item 6, at the io level)."""
    bad = [tmp_path / f"notes{i}.wav" for i in range(3)]
    for b in bad:
        b.write_text("not audio\n")
    code = (
        "import sys, warnings\n"
        "warnings.simplefilter('error')\n"
        "import physiofeat\n"
        "for p in sys.argv[1:]:\n"
        "    try:\n"
        "        physiofeat.load(p)\n"
        "    except physiofeat.DecodeError as e:\n"
        "        print(str(e).split('(', 1)[1])\n"
        "print('pydub' in sys.modules)\n"
    )
    env = {**os.environ, "PATH": str(tmp_path)}  # no ffmpeg, no avconv here
    out = subprocess.run(
        [sys.executable, "-c", code, *map(str, bad)], env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert len(lines) == 4
    assert all(
        "ffmpeg fallback unavailable: no ffmpeg executable on PATH" in ln for ln in lines[:3]
    )
    assert lines[3] == "False"
    assert "Couldn't find ffmpeg" not in out.stderr
