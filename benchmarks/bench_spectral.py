"""MFCC pipeline (STFT -> mel -> MFCC -> deltas) against librosa, plus the bare-FFT floor.

Run: ``python -m benchmarks.bench_spectral`` (from the repository root).

(a) one 10-minute signal at 22.05 kHz (a real MP3 heart sound resampled and tiled), librosa's
    default framing (n_fft=2048, hop 512, 128 mels, 20 MFCCs);
(b) 1000 clips of 5 s at 2 kHz (PhysioNet 2016 heart sounds cut into clips), n_fft=256, hop 64,
    40 mels, 13 MFCCs; librosa gets its fastest form, the 2-D batch;
(c) the floor: scipy.fft.rfft (all workers) of the same windowed frames, already laid out.

Both sides run in float32 in this process; best wall time of 7 interleaved rounds (one call of
each contender a round, so passing load on a shared machine hits all alike). First-call time
(import, Numba cache load or compile) is measured in fresh subprocesses and reported apart.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from ._util import best_times, print_table, shared_data

ROOT = Path(__file__).resolve().parents[1]
SHARED = shared_data()


def _long_signal() -> np.ndarray:
    import physiofeat

    mp3 = SHARED / "mp3/umich_heart_sound_library/01_apex_normal_s1_s2_supine_bell.mp3"
    if mp3.exists():
        x, _ = physiofeat.load(mp3, sr=22050)
    else:  # fresh clone without ../shared: the shipped sample, resampled
        x, _ = physiofeat.load(physiofeat.data.path("50277_MV"), sr=22050)
    n = 10 * 60 * 22050
    return np.resize(x, n).astype(np.float32)


def _clips() -> np.ndarray:
    import physiofeat

    files = sorted((SHARED / "pcg/physionet2016").glob("a*.wav")) or [physiofeat.data.path("a0007")]
    clips = []
    for f in files:
        x, sr = physiofeat.load(f)
        assert sr == 2000
        clips += [x[i : i + 10000] for i in range(0, x.size - 10000 + 1, 10000)]
    clips = np.stack(clips)
    return np.ascontiguousarray(np.resize(clips, (1000, 10000)), dtype=np.float32)


def _frames_for_floor(x: np.ndarray, n_fft: int, hop: int) -> np.ndarray:
    rows = np.pad(x.reshape(-1, x.shape[-1]), ((0, 0), (n_fft // 2, n_fft // 2)))
    fr = np.lib.stride_tricks.sliding_window_view(rows, n_fft, axis=-1)[:, ::hop]
    w = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n_fft) / n_fft)).astype(np.float32)
    return np.ascontiguousarray(fr * w)


def _first_call_seconds(cache_dir: str | None) -> dict:
    code = (
        "import time; t0 = time.perf_counter(); import physiofeat; t1 = time.perf_counter(); "
        "import numpy as np; x = np.random.default_rng(0).standard_normal(20000).astype('f4'); "
        "physiofeat.extract(x, ['mfcc', 'mfcc_delta', 'mfcc_delta2'], sr=2000, n_fft=256, "
        "hop_length=64, n_mels=40, n_mfcc=13); t2 = time.perf_counter(); "
        "physiofeat.extract(x, ['mfcc', 'mfcc_delta', 'mfcc_delta2'], sr=2000, n_fft=256, "
        "hop_length=64, n_mels=40, n_mfcc=13); t3 = time.perf_counter(); "
        "print(t1 - t0, t2 - t1, t3 - t2)"
    )
    env = dict(os.environ)
    if cache_dir is not None:
        env["NUMBA_CACHE_DIR"] = cache_dir
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True, cwd=ROOT
    )
    imp, first, second = map(float, out.stdout.split())
    return {"import": imp, "first": first, "second": second}


def main() -> None:
    import librosa
    import scipy.fft

    import physiofeat

    cases = {
        "(a) 10 min @ 22.05 kHz": (
            _long_signal(),
            22050,
            dict(n_fft=2048, hop_length=512, n_mels=128, n_mfcc=20),
        ),
        "(b) 1000 x 5 s @ 2 kHz": (
            _clips(),
            2000,
            dict(n_fft=256, hop_length=64, n_mels=40, n_mfcc=13, fmax=1000.0),
        ),
    }
    rows = []
    for label, (x, sr, kw) in cases.items():

        def ours(x=x, sr=sr, kw=kw):
            return physiofeat.extract(x, ["mfcc", "mfcc_delta", "mfcc_delta2"], sr=sr, **kw)

        def theirs(x=x, sr=sr, kw=kw):
            M = librosa.feature.mfcc(y=x, sr=sr, **kw)
            return M, librosa.feature.delta(M), librosa.feature.delta(M, order=2)

        frames = _frames_for_floor(x, kw["n_fft"], kw["hop_length"])

        def floor(frames=frames):
            return scipy.fft.rfft(frames, axis=-1, workers=-1)

        ours(), theirs(), floor()  # warm-up (JIT cache load, librosa's lazy imports)
        # agreement in the same run (float32 both sides) on the first signal alone: in a batch
        # librosa floors top_db at the maximum over all clips, physiofeat per clip
        one = x[0] if x.ndim == 2 else x
        a = physiofeat.extract(one, ["mfcc"], sr=sr, **kw)["mfcc"].values
        b = librosa.feature.mfcc(y=one, sr=sr, **kw)
        err = float(np.abs(a - b).max() / np.abs(b).max())
        t = best_times({"ours": ours, "librosa": theirs, "floor": floor}, rounds=7)
        t_ours, t_lib, t_fft = t["ours"], t["librosa"], t["floor"]
        rows.append(
            [
                label,
                f"{x.size / sr:.0f} s audio",
                f"{t_lib:.3f}",
                f"{t_ours:.3f}",
                f"{t_fft:.3f}",
                f"{t_lib / t_ours:.2f}x",
                f"{t_ours / t_fft:.2f}x",
                f"{err:.1e}",
            ]
        )
    print_table(
        "MFCC + delta + delta-delta: physiofeat vs librosa (float32, best-of-N wall seconds)",
        [
            "case",
            "input",
            "librosa s",
            "physiofeat s",
            "rfft floor s",
            "speed-up vs librosa",
            "physiofeat / floor",
            "max rel. diff",
        ],
        rows,
    )
    warm = _first_call_seconds(None)
    with tempfile.TemporaryDirectory() as cold_dir:
        cold = _first_call_seconds(cold_dir)
    print_table(
        "First call in a fresh process (seconds)",
        ["cache", "import physiofeat", "first extract (5 s clip)", "second extract"],
        [
            [
                "warm Numba cache",
                f"{warm['import']:.3f}",
                f"{warm['first']:.3f}",
                f"{warm['second']:.4f}",
            ],
            [
                "cold (compile)",
                f"{cold['import']:.3f}",
                f"{cold['first']:.3f}",
                f"{cold['second']:.4f}",
            ],
        ],
    )


if __name__ == "__main__":
    main()
