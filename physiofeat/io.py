"""Reading audio: :func:`load` and :func:`info`.

soundfile (libsndfile) decodes WAV (8/16/24/32-bit PCM, float), FLAC, OGG/Vorbis, Opus and MP3;
pydub + ffmpeg is the fallback for what libsndfile cannot read (AAC/M4A, WMA, odd MP3s).
Resampling, only when ``sr`` is given, uses soxr (``benchmarks/bench_io.py`` compares it with
scipy's polyphase filter: soxr is both faster and closer to the band-limited ideal).
WFDB records and EDF files (named channels, units, a rate per channel) are read by
:func:`physiofeat.load_record` (``physiofeat/records.py``); :func:`load` refuses them, saying so.
"""

from __future__ import annotations

import functools
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ._errors import DecodeError, ParameterError

__all__ = ["load", "info", "resample", "AudioInfo"]

PathLike = str | os.PathLike


@dataclass(frozen=True)
class AudioInfo:
    """What :func:`info` reports about an audio file."""

    path: str
    format: str
    subtype: str
    sr: int
    channels: int
    frames: int
    duration: float
    decoder: str

    def __str__(self) -> str:
        return (
            f"{self.path}: {self.format} ({self.subtype}), {self.sr} Hz, "
            f"{self.channels} channel(s), {self.frames} frames, {self.duration:.3f} s "
            f"[{self.decoder}]"
        )


def _check_path(path: Any) -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise ParameterError(f"path must be a str or os.PathLike; got {type(path).__name__}")
    p = Path(path)
    if not p.exists():
        raise DecodeError(f"{p}: no such file")
    if p.is_dir():
        raise DecodeError(f"{p}: is a directory, not an audio file")
    if p.stat().st_size == 0:
        raise DecodeError(f"{p}: empty file (0 bytes)")
    return p


def _wav_truncation(p: Path) -> str | None:
    """For a RIFF/WAVE file, compare the 'data' chunk size in the header with the bytes present
    (libsndfile silently shortens a truncated WAV to what is there)."""
    size = p.stat().st_size
    with open(p, "rb") as fh:
        head = fh.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            return None
        pos = 12
        while pos + 8 <= size:
            fh.seek(pos)
            chunk = fh.read(8)
            cid, csize = chunk[:4], int.from_bytes(chunk[4:8], "little")
            if cid == b"data":
                if csize in (0, 0xFFFFFFFF):  # streaming writers leave it open
                    return None
                have = size - pos - 8
                if have < csize:
                    return f"the data chunk declares {csize} bytes but only {have} are present"
                return None
            pos += 8 + csize + (csize & 1)
    return None


def _read_soundfile(p: Path, dtype) -> tuple[np.ndarray, int]:
    import soundfile as sf

    with sf.SoundFile(str(p)) as f:
        sr = f.samplerate
        expected = f.frames
        data = f.read(dtype=dtype, always_2d=True)
        fmt = f.format
    if data.shape[0] == 0:
        raise DecodeError(f"{p}: the file holds no audio samples ({fmt})")
    if fmt in ("WAV", "WAVEX"):
        why = _wav_truncation(p)
        if why:
            raise DecodeError(f"{p}: truncated: {why}")
    # libsndfile reads a truncated PCM file up to where it stops; the header still says more.
    # MP3 frame counts are header estimates (larger than what decodes), so they are exempt.
    if fmt not in ("MP3", "MPEG", "OGG") and expected > 0 and data.shape[0] < expected:
        raise DecodeError(
            f"{p}: truncated: the header promises {expected} frames but only {data.shape[0]} "
            "could be read"
        )
    return data, sr


@functools.lru_cache(maxsize=1)
def _ffmpeg_path() -> str | None:
    """The ffmpeg (or avconv) executable pydub would run, looked up once per process."""
    return shutil.which("ffmpeg") or shutil.which("avconv")


class _NoAudioStream(Exception):
    """ffmpeg reads the file, but finds no audio stream in it (a text file is ANSI art to it)."""


def _read_pydub(p: Path, dtype) -> tuple[np.ndarray, int]:
    # checked here, before pydub is imported: pydub warns "Couldn't find ffmpeg or avconv" at
    # import and then fails per file; without an executable the fallback is simply unavailable
    if _ffmpeg_path() is None:
        raise FileNotFoundError("ffmpeg")
    from pydub import AudioSegment

    try:
        seg = AudioSegment.from_file(str(p))
    except IndexError:  # pydub takes the first audio stream ffprobe lists: there is none
        raise _NoAudioStream(str(p)) from None
    if seg.frame_count() == 0:
        raise DecodeError(f"{p}: the file holds no audio samples (ffmpeg)")
    width = seg.sample_width
    raw = np.array(seg.get_array_of_samples())
    scale = float(1 << (8 * width - 1))
    data = (raw.astype(np.float64) / scale).reshape(-1, seg.channels)
    return data.astype(dtype, copy=False), seg.frame_rate


#: Leading bytes of the containers libsndfile recognises by content (it ignores the extension).
_MAGICS = (b"RIFF", b"RIFX", b"RF64", b"fLaC", b"OggS", b"FORM", b".snd", b"caff", b"wvpk")


def _check_mp3(p: Path) -> None:
    """A file named ``.mp3`` must start like one (an ID3 tag or an MPEG audio frame sync in its
    first bytes): libmpg123 would otherwise print "Illegal Audio-MPEG-Header" notes to stderr
    while it scans a text or garbage file, and then fail with a misleading message."""
    if p.suffix.lower() not in (".mp3", ".mp2", ".mpga"):
        return
    with open(p, "rb") as fh:
        head = fh.read(4096)
    if head[:3] == b"ID3" or head[:4] in _MAGICS:
        return
    b = np.frombuffer(head, dtype=np.uint8)
    # MPEG audio frame header: 11 sync bits, a valid version (not 01) and layer (not 00)
    sync = (b[:-1] == 0xFF) & ((b[1:] & 0xE0) == 0xE0)
    sync &= ((b[1:] >> 3) & 3) != 1
    sync &= ((b[1:] >> 1) & 3) != 0
    if not sync.any():
        raise DecodeError(
            f"{p}: cannot decode as audio: not an MP3 file (neither an ID3 tag nor an MPEG audio "
            f"frame header in its first {len(head)} bytes; it starts with {head[:16]!r})"
        )


def _refuse_record(p: Path) -> None:
    """WFDB headers and EDF files are records (named channels, units, a rate per channel),
    which an ``(x, sr)`` pair cannot carry: say where they are read instead of letting
    libsndfile answer "format not recognised"."""
    kind = {".hea": "a WFDB record header", ".edf": "an EDF file", ".bdf": "a BDF file"}.get(
        p.suffix.lower()
    )
    if kind:
        raise DecodeError(
            f"{p}: is {kind}, not audio: read it with physiofeat.load_record(path) (channel "
            "names, units and per-channel rates; rec['ii'] gives one channel's samples)"
        )


def _decode(p: Path, dtype) -> tuple[np.ndarray, int, str]:
    errors = []
    _check_mp3(p)
    try:
        data, sr = _read_soundfile(p, dtype)
        return data, sr, "soundfile"
    except DecodeError:
        raise
    except Exception as exc:  # libsndfile cannot read it: try ffmpeg
        msg = str(exc)
        if "File does not exist or is not a regular file" in msg:  # it does and it is (checked)
            msg = "format not recognised"
        errors.append(f"libsndfile: {msg}")
    try:
        data, sr = _read_pydub(p, dtype)
        return data, sr, "ffmpeg"
    except DecodeError:
        raise
    except ImportError:
        errors.append("ffmpeg fallback unavailable: install pydub (pip install 'physiofeat[io]')")
    except FileNotFoundError:
        errors.append("ffmpeg fallback unavailable: no ffmpeg executable on PATH")
    except _NoAudioStream:
        errors.append("ffmpeg: no audio stream in it")
    except Exception as exc:
        msg = str(exc).strip().splitlines()
        errors.append(f"ffmpeg: {msg[-1] if msg else type(exc).__name__}")
    raise DecodeError(f"{p}: cannot decode as audio ({'; '.join(errors)})")


def resample(x: np.ndarray, orig_sr: float, target_sr: float, *, axis: int = -1) -> np.ndarray:
    """Band-limited resampling with soxr (high quality), along ``axis``.

    Examples
    --------
    >>> import numpy as np
    >>> from physiofeat.io import resample
    >>> resample(np.zeros(4000, np.float32), 4000, 2000).shape
    (2000,)
    """
    import soxr

    from ._validation import check_sr

    orig_sr, target_sr = check_sr(orig_sr, name="orig_sr"), check_sr(target_sr, name="sr")
    if orig_sr == target_sr:
        return x
    moved = np.moveaxis(np.asarray(x), axis, 0)
    flat = moved.reshape(moved.shape[0], -1)
    out = soxr.resample(np.ascontiguousarray(flat), orig_sr, target_sr, quality="HQ")
    return np.moveaxis(out.reshape((-1,) + moved.shape[1:]), 0, axis).astype(x.dtype, copy=False)


def load(
    path: PathLike,
    *,
    sr: float | None = None,
    mono: bool = True,
    dtype: Any = np.float32,
) -> tuple[np.ndarray, int | float]:
    """Read an audio file.

    Parameters
    ----------
    path : str or os.PathLike
        WAV, FLAC, OGG, MP3 (libsndfile), or anything ffmpeg reads (fallback, needs pydub).
    sr : float, optional
        Resample to this rate (soxr, high quality). ``None`` keeps the file's rate.
    mono : bool
        Average the channels to one (``(n,)``); ``False`` keeps them, ``(n_channels, n)``
        (time-last).
    dtype : np.float32 or np.float64
        Output dtype; samples are scaled to [-1, 1).

    Returns
    -------
    x : np.ndarray [shape=(n,) or (n_channels, n)]
    sr : int or float
        The sampling rate of ``x``.

    Raises
    ------
    DecodeError
        Missing, empty, truncated, non-audio or undecodable file (the message names the file).

    Examples
    --------
    >>> import physiofeat
    >>> x, sr = physiofeat.load(physiofeat.data.path("a0007"), sr=1000)
    >>> sr, x.shape, x.dtype
    (1000, (35666,), dtype('float32'))
    """
    try:
        dt = np.dtype(dtype)
    except TypeError:  # 'foo', an object numpy does not understand
        dt = None
    if dt not in (np.float32, np.float64):
        raise ParameterError(
            f"dtype must be float32 or float64; got {dt if dt is not None else repr(dtype)}"
        )
    dtype = dt
    from ._validation import check_bool, check_sr

    mono = check_bool(mono, "mono")
    if sr is not None:
        sr = check_sr(sr)  # before decoding: a bad rate is refused without reading the file
    p = _check_path(path)
    _refuse_record(p)
    data, file_sr, _ = _decode(p, dtype.name)
    x = data.mean(axis=1, dtype=dtype) if mono else np.ascontiguousarray(data.T)
    if sr is not None:
        x = resample(x, file_sr, sr)
        file_sr = int(sr) if float(sr).is_integer() else float(sr)
    return x, file_sr


def info(path: PathLike) -> AudioInfo:
    """Format, rate, channels, frames and duration of an audio file (decoded length for MP3).

    Examples
    --------
    >>> import physiofeat
    >>> i = physiofeat.info(physiofeat.data.path("a0007"))
    >>> i.sr, i.channels, i.frames, i.subtype
    (2000, 1, 71332, 'PCM_16')
    """
    p = _check_path(path)
    _refuse_record(p)
    try:
        import soundfile as sf

        i = sf.info(str(p))
        frames, decoder = i.frames, "soundfile"
        if i.format in ("MP3", "MPEG"):  # header estimate; count what actually decodes
            frames = _decode(p, "float32")[0].shape[0]
        if frames == 0:
            raise DecodeError(f"{p}: the file holds no audio samples ({i.format})")
        if i.format in ("WAV", "WAVEX"):  # as load() refuses it
            why = _wav_truncation(p)
            if why:
                raise DecodeError(f"{p}: truncated: {why}")
        return AudioInfo(
            str(p),
            i.format,
            i.subtype,
            i.samplerate,
            i.channels,
            frames,
            frames / i.samplerate,
            decoder,
        )
    except DecodeError:
        raise
    except Exception:
        data, sr, decoder = _decode(p, "float32")
        return AudioInfo(
            str(p),
            p.suffix.lstrip(".").upper() or "?",
            "?",
            sr,
            data.shape[1],
            data.shape[0],
            data.shape[0] / sr,
            decoder,
        )
