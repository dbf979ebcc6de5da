"""What ``make run`` runs: the ``physiofeat extract`` command on the shipped sample recordings.

``python -m physiofeat.demo [OUTPUT]`` extracts MFCCs, their deltas, spectral statistics and RMS
from the WAV recordings in :data:`physiofeat.data.DATA_DIR` (PhysioNet 2016 and CirCor heart
sounds; the WFDB ECG record there is not audio and is skipped), writes the table to
``out/features.parquet`` (relative to the current folder) and prints a short summary; then
``physiofeat segment`` writes each recording's S1/systole/S2/diastole segmentation to
``out/segmentations/`` and the CirCor sample's is compared with its shipped annotation.
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
    return max(status, _segment_demo(wavs, output.parent / "segmentations"))


def _segment_demo(wavs: list[str], out: Path) -> int:
    """``physiofeat segment`` on the same recordings, and the CirCor sample's S1 and S2 against
    the annotation shipped beside it (a sound found when a detected centre lies within 60 ms of
    the annotated centre)."""
    import numpy as np
    import pandas as pd

    from .cli import SEGMENT_TABLE
    from .cli import main as cli_main
    from .data import DATA_DIR
    from .pcg import S1, S2, Segmentation

    t0 = time.perf_counter()
    status = cli_main(["segment", *wavs, "-o", str(out), "--quiet"])
    elapsed = time.perf_counter() - t0
    table = pd.read_csv(out / SEGMENT_TABLE)
    print(f"\n  command : physiofeat segment <{len(wavs)} WAV files> -o {out} ({elapsed:.1f} s)")
    cols = ["id", "tsv", "heart_rate_bpm", "n_s1", "n_s2", "n_cycles"]
    with pd.option_context("display.width", 120):
        print(table[cols].round(1).to_string(index=False))
    name = "50277_MV"
    if (out / f"{name}.tsv").is_file():
        got = Segmentation.from_tsv(out / f"{name}.tsv", sr=4000)
        ref = Segmentation.from_tsv(DATA_DIR / f"{name}.tsv", sr=4000)
        for code, label in ((S1, "S1"), (S2, "S2")):
            r, d = ref.centres(code), got.centres(code)
            near = np.abs(r[:, None] - d[None, :]).min(axis=1) <= 0.06 if d.size else r < 0
            print(
                f"  {name} {label}: {int(near.sum())} of the {r.size} annotated found within "
                "60 ms (CirCor's annotation shipped beside it)"
            )
    return status


if __name__ == "__main__":
    sys.exit(main())
