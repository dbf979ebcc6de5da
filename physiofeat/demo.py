"""What ``make run`` runs: the ``physiofeat extract`` command on the shipped sample recordings.

``python -m physiofeat.demo [OUTPUT]`` extracts MFCCs, their deltas, spectral statistics and RMS
from the WAV recordings in :data:`physiofeat.data.DATA_DIR` (PhysioNet 2016 and CirCor heart
sounds; the WFDB ECG record there is not audio and is skipped), writes the table to
``out/features.parquet`` (relative to the current folder) and prints a short summary.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

FEATURES = (
    "mfcc,mfcc_delta,spectral_centroid,spectral_bandwidth,spectral_rolloff,spectral_flatness,rms"
)
PARAMS = [
    "n_fft=256",
    "hop_length=64",
    "mfcc.n_mfcc=13",
    "mfcc_delta.n_mfcc=13",
    "frame_length=256",
]


def main(argv: list[str] | None = None) -> int:
    """Run the demo; returns the CLI's exit status."""
    import pandas as pd

    from .cli import errors_path
    from .cli import main as cli_main
    from .data import DATA_DIR

    argv = sys.argv[1:] if argv is None else argv
    output = Path(argv[0] if argv else "out/features.parquet")
    output.parent.mkdir(parents=True, exist_ok=True)
    wavs = sorted(str(p) for p in DATA_DIR.glob("*.wav"))
    print(f"physiofeat demo: {len(wavs)} sample recordings in {DATA_DIR}")
    t0 = time.perf_counter()
    args = ["extract", *wavs, "-f", FEATURES, "-o", str(output), "--quiet"]
    for p in PARAMS:
        args += ["-p", p]
    status = cli_main(args)
    elapsed = time.perf_counter() - t0
    table = pd.read_parquet(output)
    err_file = errors_path(output)  # written only when some recording failed
    errors = pd.read_csv(err_file) if err_file.exists() else pd.DataFrame()
    from .cli import _ID_COLS

    meta = [c for c in table.columns if c in _ID_COLS]
    feat = [c for c in table.columns if c not in _ID_COLS]
    shown = " ".join(f"-p {p}" for p in PARAMS)
    print(f"  command : physiofeat extract <{len(wavs)} WAV files> -f {FEATURES} {shown}")
    print(f"  rows    : {len(table)} (one per recording)")
    print(
        f"  columns : {table.shape[1]} ({', '.join(meta)} + {len(feat)} feature columns, "
        f"e.g. {', '.join(feat[:3])}, ...)"
    )
    print(f"  failures: {len(errors)}" + (f" (see {errors_path(output)})" if len(errors) else ""))
    print(f"  time    : {elapsed:.1f} s")
    print(f"  table   : {output.resolve()}")
    with pd.option_context("display.width", 120, "display.max_columns", 6):
        print(table[["id", *feat[:3]]].round(2).to_string(index=False))
    return status


if __name__ == "__main__":
    sys.exit(main())
