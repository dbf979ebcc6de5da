"""
A folder of recordings through the command line
===============================================

``physiofeat extract`` turns a folder of recordings (searched recursively) into one table: a row
per recording, or per segment with ``--segment``, and a column per feature statistic. Here it
runs on real heart sounds: the 14 PhysioNet/CinC 2016 recordings of ``../shared/data`` when that
folder is there (their ``REFERENCE.csv`` labels them normal or abnormal), else the three shipped
with the package. They are copied into a temporary folder, one sub-folder per label, so that the
label is part of each row's ``id``. The command runs as a user would run it in a shell (here
through :mod:`subprocess`), and the Parquet table it writes is read back with pandas.
"""

import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import physiofeat

# the repository's ../shared/data, wherever the page is run from, or your own folder
try:
    here = Path(__file__).resolve().parent
except NameError:  # sphinx-gallery runs each page in examples/ without __file__
    here = Path.cwd()
default = here.parents[1] / "shared" / "data"
shared = Path(os.environ.get("PHYSIOFEAT_SHARED_DATA", default))
reference = shared / "pcg" / "physionet2016" / "REFERENCE.csv"
if reference.is_file():  # record,label with 1 = abnormal, -1 = normal
    ref = pd.read_csv(reference, header=None, names=["record", "label"])
    files = {
        reference.parent / f"{r}.wav": ("abnormal" if v == 1 else "normal") for r, v in ref.values
    }
else:  # the recordings shipped with the package (the CirCor one has a murmur)
    files = {
        physiofeat.data.path("a0007"): "normal",
        physiofeat.data.path("a0126"): "abnormal",
        physiofeat.data.path("50277_MV"): "abnormal",
    }

work = Path(tempfile.mkdtemp(prefix="physiofeat_cli_"))
for src, label in files.items():
    (work / "recordings" / label).mkdir(parents=True, exist_ok=True)
    shutil.copy(src, work / "recordings" / label / Path(src).name)
print(len(files), "recordings:", pd.Series(files).value_counts().to_dict())

# %%
# The command: MFCC, spectral centroid and the DWT band energies, with one STFT setting (128 ms
# window, 32 ms hop) and 40 mel bands (``-p`` parameters are shared by every feature that takes
# them; ``mfcc.n_mfcc`` is the MFCC's own), every file resampled to 2 kHz, one row per 5 s
# segment, two worker processes. Its standard error holds any warning (named by file) and the
# summary line; the exit status is 0 when every file succeeded.
args = [  # one shell command, written over three lines
    "extract recordings -f mfcc,spectral_centroid,dwt",
    "-p n_fft=256 -p hop_length=64 -p n_mels=40 -p mfcc.n_mfcc=13",
    "--sr 2000 --segment 5 --jobs 2 -o features.parquet",
]
cmd = [sys.executable, "-m", "physiofeat", *shlex.split(" ".join(args))]
print("$ physiofeat " + " \\\n      ".join(args))
run = subprocess.run(cmd, cwd=work, capture_output=True, text=True)
print("exit status", run.returncode)
lines = run.stderr.splitlines()
print("\n".join(s for s in lines if s.strip() and not s.startswith("extract:")))  # no bar
run.check_returncode()

# %%
# The table has the recording's ``id`` (its path below the input folder), ``path``, rate,
# duration, the segment's number and start, then the feature columns; the request it was made
# with is stored next to it (``--resume`` checks it).
table = pd.read_parquet(work / "features.parquet")
print(table.shape, list(table.columns[:8]), "...")
shown = ["id", "segment", "start_s", "spectral_centroid_mean", "dwt_d3_rel_energy"]
print(table[shown].head(4).round(3).to_string())
request = json.loads((work / "features.parquet.request.json").read_text())
print({k: request[k] for k in ("sr", "stats", "segment")})
print("mfcc parameters:", request["features"]["mfcc"])

# %%
# One dot per 5 s segment and a bar per recording (its mean over segments) for two columns of
# the table: the mean spectral centroid, and the share of the energy in the DWT detail band
# ``d3`` (125-250 Hz at 2 kHz). A trailing partial segment is dropped
# (``b0010`` lasts 8 s: one segment). With the shared data, ``b0010`` and ``e01127`` come from
# other databases of the challenge than the ``a`` recordings (other stethoscopes and sites): a
# reminder that such columns also measure the recording setup. This shows what the table holds;
# a handful of recordings is not evidence for a classifier.
table["label"] = table["id"].str.split("/").str[0]
table["record"] = table["id"].str.split("/").str[1].str.removesuffix(".wav")
order = table.groupby("record")["spectral_centroid_mean"].mean().sort_values().index
colours = {"normal": "tab:blue", "abnormal": "tab:red"}

fig, axes = plt.subplots(2, 1, figsize=(9, 7), sharex=True, layout="constrained")
for ax, column, ylabel in [
    (axes[0], "spectral_centroid_mean", "Spectral centroid,\nmean over frames (Hz)"),
    (axes[1], "dwt_d3_rel_energy", "Relative energy\nof DWT band d3"),
]:
    for i, rec in enumerate(order):
        rows = table[table["record"] == rec]
        colour = colours[rows["label"].iloc[0]]
        ax.bar(i, rows[column].mean(), color=colour, alpha=0.35, width=0.7)
        jitter = np.linspace(-0.2, 0.2, len(rows))
        ax.plot(i + jitter, rows[column], "o", color=colour, ms=3.5)
    ax.set_ylabel(ylabel)
axes[1].set_xticks(np.arange(len(order)), order, rotation=45, ha="right")
axes[1].set_xlabel("Recording (sorted by mean spectral centroid)")
handles = [plt.Rectangle((0, 0), 1, 1, color=c, alpha=0.6) for c in colours.values()]
axes[0].legend(handles, list(colours), loc="upper left", fontsize="small")
axes[0].set_title(f"{table['record'].nunique()} recordings, {len(table)} segments of 5 s")
plt.show()

shutil.rmtree(work)
