"""Small real recordings shipped with physiofeat (ODC-By 1.0; see ``README.md`` beside this file).

>>> import physiofeat
>>> sorted(physiofeat.data.names())
['50277_MV', 'a0007', 'a0126', 'ludb_1']
>>> x, sr = physiofeat.load(physiofeat.data.path("a0007"))
>>> sr, x.shape
(2000, (71332,))
>>> ecg, fs, leads = physiofeat.data.load_ecg()
>>> ecg.shape, fs, leads[1]
((12, 5000), 500, 'ii')
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = ["DATA_DIR", "names", "path", "load_ecg", "pcg_segmentation", "ecg_annotation_path"]

DATA_DIR = Path(__file__).resolve().parent

_FILES = {
    "a0007": "a0007.wav",
    "a0126": "a0126.wav",
    "50277_MV": "50277_MV.wav",
    "ludb_1": "ludb_1.hea",
}


def names() -> list[str]:
    """Names of the shipped recordings."""
    return list(_FILES)


def path(name: str) -> Path:
    """Path of a shipped recording (``a0007``, ``a0126``, ``50277_MV``; ``ludb_1`` is WFDB)."""
    try:
        return DATA_DIR / _FILES[name]
    except KeyError:
        from .._errors import ParameterError

        raise ParameterError(
            f"no sample recording named {name!r}; shipped: {', '.join(_FILES)}"
        ) from None


def pcg_segmentation(name: str = "50277_MV") -> np.ndarray:
    """CirCor segmentation ``(n, 3)``: start_s, end_s, state (1 S1, 2 systole, 3 S2, 4 diastole)."""
    return np.loadtxt(DATA_DIR / f"{name}.tsv", ndmin=2)


def ecg_annotation_path(name: str = "ludb_1") -> Path:
    """Record path (without extension) for ``wfdb.rdann(path, 'ii')``."""
    return DATA_DIR / name


def load_ecg(name: str = "ludb_1") -> tuple[np.ndarray, int, list[str]]:
    """Read a shipped WFDB format-16 ECG record without wfdb.

    Returns
    -------
    signals : np.ndarray [shape=(n_leads, n_samples)], float64, millivolts
    sr : int
    leads : list of str
    """
    header = (DATA_DIR / f"{name}.hea").read_text().splitlines()
    first = header[0].split()
    n_sig, sr, n = int(first[1]), int(first[2]), int(first[3])
    gains, baselines, leads = [], [], []
    for line in header[1 : 1 + n_sig]:
        parts = line.split()
        if parts[1] != "16":
            raise ValueError(f"{name}: only WFDB format 16 is supported here; got {parts[1]}")
        gain_field = parts[2].split("/")[0]
        gain, _, base = gain_field.partition("(")
        gains.append(float(gain))
        baselines.append(float(base.rstrip(")")) if base else 0.0)
        leads.append(parts[-1])
    raw = np.fromfile(DATA_DIR / f"{name}.dat", dtype="<i2").reshape(n, n_sig).T
    sig = (raw - np.asarray(baselines)[:, None]) / np.asarray(gains)[:, None]
    return sig, sr, leads
