"""Reading audio: :func:`load` and :func:`info`.

soundfile (libsndfile) decodes WAV (8/16/24/32-bit PCM, float), FLAC, OGG/Vorbis, Opus and MP3;
ffmpeg is the fallback for what libsndfile cannot read (AAC/M4A, WMA, Matroska, odd MP3s): run
on the file, it decodes the first audio stream to float64, so float codecs keep their values
(AAC overshoots full scale) and integer ones are scaled exactly as libsndfile scales them.
Resampling, only when ``sr`` is given, uses soxr (``benchmarks/bench_io.py`` compares it with
scipy's polyphase filter: soxr is both faster and closer to the band-limited ideal).
WFDB records and EDF files (named channels, units, a rate per channel) are read by
:func:`physiofeat.load_record` (``physiofeat/records.py``); :func:`load` refuses them, saying so.
"""

from __future__ import annotations

import functools
import math
import os
import shutil
import subprocess
import sys
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


def _as_path(path: Any) -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise ParameterError(f"path must be a str or os.PathLike; got {type(path).__name__}")
    return Path(path)


def _check_path(path: Any) -> Path:
    p = _as_path(path)
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


#: Bytes per sample of the AIFF-C compression types whose size the header implies (None: the
#: sample size of the COMM chunk, rounded up to whole bytes).
_AIFC_BYTES = {
    b"NONE": None,
    b"twos": None,
    b"sowt": None,
    b"raw ": None,
    b"in24": 3,
    b"in32": 4,
    b"fl32": 4,
    b"FL32": 4,
    b"fl64": 8,
    b"FL64": 8,
    b"ulaw": 1,
    b"ULAW": 1,
    b"alaw": 1,
    b"ALAW": 1,
}


def _aiff_truncation(p: Path) -> str | None:
    """For an AIFF/AIFF-C file, compare the frames its COMM chunk declares with the sample bytes
    its SSND chunk holds (libsndfile silently shortens a truncated AIFF to what is there)."""
    size = p.stat().st_size
    comm = ssnd = None
    with open(p, "rb") as fh:
        head = fh.read(12)
        if len(head) < 12 or head[:4] != b"FORM" or head[8:12] not in (b"AIFF", b"AIFC"):
            return None
        pos = 12
        while pos + 8 <= size and (comm is None or ssnd is None):
            fh.seek(pos)
            chunk = fh.read(8)
            cid, csize = chunk[:4], int.from_bytes(chunk[4:8], "big")
            if cid == b"COMM":
                comm = fh.read(min(csize, 22))
            elif cid == b"SSND":
                offset = int.from_bytes(fh.read(4), "big")
                declared = csize - 8 - offset
                present = size - (pos + 16 + offset)
                ssnd = max(min(declared, present), 0)
            pos += 8 + csize + (csize & 1)
    if comm is None or ssnd is None or len(comm) < 8:
        return None
    channels = int.from_bytes(comm[0:2], "big")
    frames = int.from_bytes(comm[2:6], "big")
    bits = int.from_bytes(comm[6:8], "big")
    kind = comm[18:22] if head[8:12] == b"AIFC" and len(comm) >= 22 else b"NONE"
    if kind not in _AIFC_BYTES:  # a compressed type (ima4...): no size to compare with
        return None
    width = _AIFC_BYTES[kind] or (bits + 7) // 8
    need = frames * channels * width
    if ssnd < need:
        return (
            f"the COMM chunk declares {frames} frames ({need} bytes) but the SSND chunk holds "
            f"{ssnd} bytes"
        )
    return None


def _header_truncation(p: Path, fmt: str) -> str | None:
    """What a WAV or AIFF header promises beyond the bytes present (None when it all is)."""
    if fmt in ("WAV", "WAVEX"):
        return _wav_truncation(p)
    if fmt == "AIFF":
        return _aiff_truncation(p)
    return None


def _sf_name(p: Path) -> str | bytes:
    """``p`` for libsndfile: its text, or its bytes where the name is not valid in the file
    system's encoding (a name read from disk with undecodable bytes, held as surrogates), which
    soundfile cannot encode and would fail to open."""
    try:
        str(p).encode(sys.getfilesystemencoding())
        return str(p)
    except UnicodeEncodeError:
        return os.fsencode(p)


def _last_frame_unreadable(p: Path, frames: int) -> bool:
    """Whether libsndfile fails to seek to and read the last frame its header counts (a
    truncated FLAC: its STREAMINFO keeps the full count); a cheap check, not a decode."""
    import soundfile as sf

    try:
        with sf.SoundFile(_sf_name(p)) as f:
            f.seek(frames - 1)
            return f.read(1).shape[0] == 0
    except Exception:
        return True


def _read_soundfile(p: Path, dtype) -> tuple[np.ndarray, int]:
    import soundfile as sf

    with sf.SoundFile(_sf_name(p)) as f:
        sr = f.samplerate
        expected = f.frames
        data = f.read(dtype=dtype, always_2d=True)
        fmt = f.format
    if data.shape[0] == 0:
        raise DecodeError(f"{p}: the file holds no audio samples ({fmt})")
    why = _header_truncation(p, fmt)
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
    """The ffmpeg (or avconv) executable of the fallback, looked up once per process."""
    return shutil.which("ffmpeg") or shutil.which("avconv")


class _Undecodable(Exception):
    """libsndfile opens the file but cannot read all it counts: :func:`info` decodes it as
    :func:`load` does (and reports that error, or what ffmpeg reads)."""


class _NoAudioStream(Exception):
    """ffmpeg reads the file, but finds no audio stream in it (a text file is ANSI art to it)."""


def _wav_stream(buf: bytes) -> tuple[int, int, memoryview]:
    """Channels, rate and the sample bytes of the WAV ffmpeg writes to a pipe (its sizes are
    unset there: the samples run to the end)."""
    pos, mv = 12, memoryview(buf)
    channels = sr = 0
    while pos + 8 <= len(buf):
        cid, csize = buf[pos : pos + 4], int.from_bytes(buf[pos + 4 : pos + 8], "little")
        if cid == b"fmt ":
            channels = int.from_bytes(buf[pos + 10 : pos + 12], "little")
            sr = int.from_bytes(buf[pos + 12 : pos + 16], "little")
        elif cid == b"data":
            return channels, sr, mv[pos + 8 :]
        pos += 8 + csize + (csize & 1)
    raise RuntimeError("ffmpeg wrote no WAV data chunk")


def _read_ffmpeg(p: Path, dtype) -> tuple[np.ndarray, int]:
    """The first audio stream as ffmpeg decodes it to float64: a float codec's own values (AAC,
    Vorbis and Opus overshoot full scale; they are neither clipped nor quantised), an integer
    codec's samples exactly (k / 2**(bits-1), as libsndfile scales them)."""
    exe = _ffmpeg_path()
    if exe is None:
        raise FileNotFoundError("ffmpeg")
    cmd = [exe, "-nostdin", "-v", "error", "-i", str(p), "-map", "0:a:0", "-map_metadata", "-1"]
    cmd += ["-fflags", "+bitexact", "-f", "wav", "-acodec", "pcm_f64le", "-"]
    run = subprocess.run(cmd, capture_output=True)
    if run.returncode != 0:
        err = run.stderr.decode("utf-8", "replace")
        if "matches no streams" in err:  # -map 0:a:0: no audio stream in it
            raise _NoAudioStream(str(p))
        lines = [ln.strip() for ln in err.splitlines() if ln.strip()]
        raise RuntimeError(lines[-1] if lines else f"ffmpeg returned error code {run.returncode}")
    channels, sr, raw = _wav_stream(run.stdout)
    if not channels or not sr:
        raise RuntimeError(f"ffmpeg wrote a WAV header of {channels} channel(s) at {sr} Hz")
    n = len(raw) // (8 * channels)
    if n == 0:
        raise DecodeError(f"{p}: the file holds no audio samples (ffmpeg)")
    data = np.frombuffer(raw[: n * 8 * channels], dtype="<f8").reshape(n, channels)
    return data.astype(dtype), sr


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
    """WFDB records, EDF files and BioSPPy text records have named channels, units and a rate
    per channel, which an ``(x, sr)`` pair cannot carry: say where they are read instead of
    letting libsndfile answer "format not recognised" (run before :func:`_check_path`, so a
    WFDB record's name without extension is refused rather than "no such file")."""
    from .records import _is_text_record

    suffix = p.suffix.lower()
    hea = p.with_suffix(".hea")
    if not p.exists():
        named = Path(str(p) + ".hea")
        kind = f"names a WFDB record ({named.name} is beside it)" if named.is_file() else None
    elif not p.is_file():
        kind = None
    elif suffix in (".hea", ".edf", ".bdf"):
        kind = {".hea": "a WFDB record header", ".edf": "an EDF file", ".bdf": "a BDF file"}
        kind = f"is {kind[suffix]}"
    elif suffix == ".dat" and hea.is_file():
        kind = f"is the signal file of the WFDB record {hea.name}"
    elif _is_text_record(p):
        kind = "is a BioSPPy text record"
    else:
        kind = None
    if kind:
        raise DecodeError(
            f"{p}: {kind}, not audio: read it with physiofeat.load_record(path) (channel "
            "names, units and per-channel rates; rec['ii'] gives one channel's samples)"
        )


def _promised_frames(p: Path) -> tuple[str, int] | None:
    """The format and frame count of a header libsndfile opens but whose samples it cannot
    read (a truncated FLAC), None when it cannot open it or the count is an estimate."""
    import soundfile as sf

    try:
        i = sf.info(_sf_name(p))
    except Exception:
        return None
    if i.format in ("MP3", "MPEG", "OGG") or i.frames <= 0:
        return None
    return i.format, int(i.frames)


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
    promised = _promised_frames(p)
    try:
        data, sr = _read_ffmpeg(p, dtype)
        if promised and data.shape[0] < promised[1]:  # ffmpeg stops quietly where a FLAC does
            raise DecodeError(
                f"{p}: truncated: the {promised[0]} header promises {promised[1]} frames but "
                f"only {data.shape[0]} could be decoded (by ffmpeg; {errors[0]})"
            )
        return data, sr, "ffmpeg"
    except DecodeError:
        raise
    except FileNotFoundError:
        errors.append("ffmpeg fallback unavailable: no ffmpeg executable on PATH")
    except _NoAudioStream:
        errors.append("ffmpeg: no audio stream in it")
    except Exception as exc:
        msg = str(exc).strip().splitlines()
        errors.append(f"ffmpeg: {msg[-1] if msg else type(exc).__name__}")
    raise DecodeError(f"{p}: cannot decode as audio ({'; '.join(errors)})")


#: The smallest ``target_sr / orig_sr`` :func:`resample` accepts: soxr's filter grows as the
#: inverse of the ratio (1e-4 takes ~1 s per million input samples; 1e-6 runs for hours).
MIN_RESAMPLE_RATIO = 1e-4
#: The largest ``target_sr / orig_sr`` :func:`resample` accepts (100 Hz to 1 MHz): above about
#: 6e5 soxr 0.5 never returns (10 samples at 1 Hz to 1 MHz ran for minutes; 5e5 takes 0.07 s).
MAX_RESAMPLE_RATIO = 1e4


def _gap_runs(bad: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First and last index of each run of True in a 1-D boolean array."""
    edges = np.diff(np.concatenate(([0], bad.astype(np.int8), [0])))
    return np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1


def _bridge_gaps(flat: np.ndarray, bad: np.ndarray) -> np.ndarray:
    """A copy of ``flat`` (n, k) with each column's non-finite samples replaced by the linear
    interpolation between the finite samples around them (held flat at either end; a column
    with no finite sample is zeros)."""
    out = flat.copy()
    t = np.arange(flat.shape[0])
    for j in np.flatnonzero(bad.any(axis=0)):
        ok = ~bad[:, j]
        out[:, j] = np.interp(t, t[ok], flat[ok, j]) if ok.any() else 0.0
    return out


def _gap_output_mask(bad: np.ndarray, orig_sr: float, target_sr: float, n_out: int) -> np.ndarray:
    """Output samples (n_out, k) that fall within one coarse-grid period of an input gap."""
    mask = np.zeros((n_out, bad.shape[1]), bool)
    d = max(1.0 / orig_sr, 1.0 / target_sr)
    for j in np.flatnonzero(bad.any(axis=0)):
        first, last = _gap_runs(bad[:, j])
        # output k at time k / target_sr, strictly within (first/orig - d, last/orig + d); the
        # 1e-6-sample slack keeps a boundary that is exact in theory out of the gap
        lo = np.floor((first / orig_sr - d) * target_sr + 1e-6).astype(np.int64) + 1
        hi = np.ceil((last / orig_sr + d) * target_sr - 1e-6).astype(np.int64) - 1
        lo, hi = np.clip(lo, 0, n_out), np.clip(hi, -1, n_out - 1)
        keep = lo <= hi
        step = np.zeros(n_out + 1, np.int64)
        np.add.at(step, lo[keep], 1)
        np.add.at(step, hi[keep] + 1, -1)
        mask[:, j] = np.cumsum(step[:-1]) > 0
    return mask


def resample(x: Any, orig_sr: float, target_sr: float, *, axis: int = -1) -> np.ndarray:
    """Band-limited resampling with soxr (high quality), along ``axis``.

    Parameters
    ----------
    x : np.ndarray [shape=(..., n, ...)]
        Float32 and float64 are kept; integer, bool and list input is resampled as float64.
    orig_sr, target_sr : float
        The rates of ``x`` and of the result, in Hz. ``target_sr / orig_sr`` must be within
        :data:`MIN_RESAMPLE_RATIO` (1e-4) and :data:`MAX_RESAMPLE_RATIO` (1e4) and leave at
        least one sample.
    axis : int
        The time axis.

    Returns
    -------
    np.ndarray
        Time along ``axis`` at ``target_sr``; ``x`` itself (as an array, not a copy) when the
        rates are equal.

    Notes
    -----
    **NaN gaps.** Non-finite samples (NaN, +-inf) are gaps: each is bridged by linear
    interpolation between the finite samples around it before soxr runs, and every output
    sample whose time lies strictly within one period of the coarser of the two rates
    (``max(1/orig_sr, 1/target_sr)``) of a gap's first or last sample, or between them, is
    NaN. A gap thus stays a gap of about its own duration (1000 to 500 Hz: one NaN in, one
    out) instead of spreading over soxr's processing block (hundreds of samples); output
    samples beside it carry a little of the bridge through the filter's tails.

    Raises
    ------
    InvalidSignalError
        ``x`` is not a real numeric array, is 0-d, or has no samples along ``axis``.
    ParameterError
        A rate that is not a positive number, an ``axis`` out of range, or a rate ratio too
        small or too large (see above).

    Examples
    --------
    >>> import numpy as np
    >>> from physiofeat.io import resample
    >>> resample(np.zeros(4000, np.float32), 4000, 2000).shape
    (2000,)
    >>> x = np.ones(1000)
    >>> x[500] = np.nan
    >>> np.flatnonzero(np.isnan(resample(x, 1000, 500)))
    array([250])
    """
    import soxr

    from ._errors import InvalidSignalError
    from ._validation import check_array_size, check_int, check_sr, real_array

    orig_sr, target_sr = check_sr(orig_sr, name="orig_sr"), check_sr(target_sr, name="sr")
    arr = real_array(x, "x", "with a time axis")
    if arr.ndim == 0:
        raise InvalidSignalError(
            "x must be an array with a time axis (at least 1-D); got a 0-d array"
        )
    axis = check_int(axis, "axis")
    if not -arr.ndim <= axis < arr.ndim:
        raise ParameterError(
            f"axis {axis} is out of range for a {arr.ndim}-D array (accepted: {-arr.ndim} to "
            f"{arr.ndim - 1})"
        )
    if arr.size == 0:
        raise InvalidSignalError(f"x is empty (shape {arr.shape}); a signal needs samples")
    if arr.dtype not in (np.float32, np.float64):
        arr = arr.astype(np.float64)
    if orig_sr == target_sr:
        return arr
    n = arr.shape[axis]
    ratio = target_sr / orig_sr
    what = f"resampling {n} samples from {orig_sr:g} Hz to {target_sr:g} Hz"
    if ratio < MIN_RESAMPLE_RATIO:
        raise ParameterError(
            f"{what} is a ratio of {ratio:.3g}; soxr's filter grows as its inverse, and the "
            f"ratio must be at least {MIN_RESAMPLE_RATIO:g}: resample in two steps, or "
            "compute the slow quantity from the signal at its own rate"
        )
    if ratio > MAX_RESAMPLE_RATIO:
        raise ParameterError(
            f"{what} is a ratio of {ratio:.3g}; the ratio must be at most "
            f"{MAX_RESAMPLE_RATIO:g} (soxr does not return from much larger ones): check the "
            "rates' units (Hz), or resample in two steps"
        )
    if n * ratio < 1:
        raise ParameterError(
            f"{what} leaves no sample ({n * ratio:.3g}); the rate must be at least "
            f"{orig_sr / n:g} Hz for this signal"
        )
    moved = np.moveaxis(arr, axis, 0)
    flat = np.ascontiguousarray(moved.reshape(n, -1))
    check_array_size(
        (math.ceil(n * ratio), flat.shape[1]), flat.dtype, "the resampled signal", "lower sr"
    )
    bad = ~np.isfinite(flat)
    has_gaps = bool(bad.any())
    out = soxr.resample(
        _bridge_gaps(flat, bad) if has_gaps else flat, orig_sr, target_sr, quality="HQ"
    )
    out = out.reshape(out.shape[0], -1)
    if has_gaps:
        out[_gap_output_mask(bad, orig_sr, target_sr, out.shape[0])] = np.nan
    out = out.reshape((-1,) + moved.shape[1:])
    return np.moveaxis(out, 0, axis).astype(arr.dtype, copy=False)


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
        WAV, AIFF, FLAC, OGG, MP3 (libsndfile), or anything ffmpeg reads (fallback, needs an
        ``ffmpeg`` executable on PATH).
    sr : float, optional
        Resample to this rate (soxr, high quality; NaN gaps as :func:`resample` keeps them).
        ``None`` keeps the file's rate.
    mono : bool
        Average the channels to one (``(n,)``); ``False`` keeps them, ``(n_channels, n)``
        (time-last).
    dtype : np.float32 or np.float64
        Output dtype (``None`` is refused). Integer PCM is scaled to [-1, 1) (divided by
        2**(bits-1), as soundfile does); float files are returned as stored, values beyond
        +-1 included, and so are float codecs (AAC, Vorbis, Opus) through ffmpeg.

    Returns
    -------
    x : np.ndarray [shape=(n,) or (n_channels, n)]
    sr : int or float
        The sampling rate of ``x``.

    Raises
    ------
    DecodeError
        Missing, empty, truncated, non-audio or undecodable file, or a record (WFDB header,
        signal file or name, EDF/BDF, BioSPPy text: the message points to
        :func:`physiofeat.load_record`). The message names the file.
    ParameterError
        A bad ``sr``, ``mono`` or ``dtype``, or an ``sr`` too low for the file's rate and
        length (see :func:`resample`).

    Examples
    --------
    >>> import physiofeat
    >>> x, sr = physiofeat.load(physiofeat.data.path("a0007"), sr=1000)
    >>> sr, x.shape, x.dtype
    (1000, (35666,), dtype('float32'))
    """
    try:  # None is refused: np.dtype(None) would be float64, not this function's float32
        dt = None if dtype is None else np.dtype(dtype)
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
    _refuse_record(_as_path(path))
    p = _check_path(path)
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
    _refuse_record(_as_path(path))
    p = _check_path(path)
    try:
        import soundfile as sf

        i = sf.info(_sf_name(p))
        frames, decoder = i.frames, "soundfile"
        if i.format in ("MP3", "MPEG"):  # header estimate; count what actually decodes
            frames = _decode(p, "float32")[0].shape[0]
        if frames == 0:
            raise DecodeError(f"{p}: the file holds no audio samples ({i.format})")
        why = _header_truncation(p, i.format)  # as load() refuses it
        if why:
            raise DecodeError(f"{p}: truncated: {why}")
        if i.format not in ("MP3", "MPEG", "OGG") and _last_frame_unreadable(p, frames):
            raise _Undecodable  # as load() finds: decode it, and say what that says
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
