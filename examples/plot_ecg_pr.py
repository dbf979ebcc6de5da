"""
ECG: P onset, QRS onset and PR intervals
========================================

:func:`physiofeat.ecg.delineate` finds R peaks (Pan-Tompkins), QRS onsets and P waves in each lead
and combines the 12 leads into one estimate per beat. The PR interval runs from the P onset to
the QRS onset. Here it is compared with the manual delineation of the same LUDB record, which
ships with the package (``ludb_1.ii``, lead II; read with ``wfdb``).
"""

import matplotlib.pyplot as plt
import numpy as np
import wfdb

import physiofeat
from physiofeat import plot
from physiofeat.ecg import delineate

ecg, sr, leads = physiofeat.data.load_ecg("ludb_1")  # 12 leads, 10 s, 500 Hz, mV
beats = delineate(ecg, sr=sr)
print(beats.to_frame().round(3))

# %%
# The manual annotation marks each wave as ``(`` onset, peak symbol, ``)`` offset; the onset
# before a ``p`` is the P onset, the one before an ``N`` the QRS onset.
ann = wfdb.rdann(str(physiofeat.data.ecg_annotation_path("ludb_1")), "ii")
sym, samp = np.array(ann.symbol), ann.sample
onsets = {w: samp[:-1][(sym[:-1] == "(") & (sym[1:] == w)] / sr for w in ("p", "N")}
manual = {"p_onset": onsets["p"], "qrs_onset": onsets["N"]}


def nearest(auto, ref, tol=0.1):
    """Automatic times matched to the nearest manual time within ``tol`` seconds."""
    pairs = [(a, ref[np.argmin(np.abs(ref - a))]) for a in auto[np.isfinite(auto)]]
    return np.array([(a, r) for a, r in pairs if abs(a - r) <= tol])


for wave in ("p_onset", "qrs_onset"):
    m = nearest(getattr(beats, wave), manual[wave])
    err = 1000 * (m[:, 0] - m[:, 1])
    print(f"{wave}: {len(m)} beats matched, error {err.mean():+.1f} +/- {err.std():.1f} ms")

# %%
# Lead II with the automatic marks and PR bars; the manual onsets are the grey dotted lines.
fig, axes = plt.subplots(2, 1, figsize=(9, 7), layout="constrained")
lead = leads.index("ii")
out = plot.ecgshow(ecg[lead], sr=sr, beats=beats, ax=axes[0], title="LUDB record 1, lead II")
axes[0].vlines(
    np.r_[manual["p_onset"], manual["qrs_onset"]],
    *axes[0].get_ylim(),
    colors="0.5",
    linestyles=":",
    lw=0.8,
    label="manual onsets",
)
axes[0].legend(loc="upper right", fontsize="small", ncols=5)
r = beats.r_time[3]
plot.ecgshow(ecg[lead], sr=sr, beats=beats, ax=axes[1], legend=False, title="One beat, zoomed")
axes[1].vlines(
    np.r_[manual["p_onset"], manual["qrs_onset"]],
    *axes[1].get_ylim(),
    colors="0.5",
    linestyles=":",
    lw=0.8,
)
axes[1].set_xlim(r - 0.35, r + 0.15)
plt.show()
