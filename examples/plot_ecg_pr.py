"""
ECG: P onset, QRS onset and offset, T end; PR, QRS, QT and QTc
==============================================================

:func:`physiofeat.ecg.delineate` finds R peaks (Pan-Tompkins), QRS onsets and offsets, P waves
and T waves in each lead and combines the 12 leads into one estimate per beat. The PR interval
runs from the P onset to the QRS onset, the QT interval from the QRS onset to the T end (the
trapezium-area point, Vazquez-Seisdedos et al. 2011). Here they are compared with the manual
delineation of the same LUDB record, which ships with the package (``ludb_1.ii``, lead II; read
with ``wfdb``).
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
offsets = {w: samp[1:][(sym[1:] == ")") & (sym[:-1] == w)] / sr for w in ("N", "t")}
manual = {
    "p_onset": onsets["p"],
    "qrs_onset": onsets["N"],
    "qrs_offset": offsets["N"],
    "t_end": offsets["t"],
}


def nearest(auto, ref, tol=0.1):
    """Automatic times matched to the nearest manual time within ``tol`` seconds."""
    pairs = [(a, ref[np.argmin(np.abs(ref - a))]) for a in auto[np.isfinite(auto)]]
    return np.array([(a, r) for a, r in pairs if abs(a - r) <= tol])


for wave in ("p_onset", "qrs_onset", "qrs_offset", "t_end"):
    m = nearest(getattr(beats, wave), manual[wave])
    err = 1000 * (m[:, 0] - m[:, 1])
    print(f"{wave}: {len(m)} beats matched, error {err.mean():+.1f} +/- {err.std():.1f} ms")

# %%
# The record's QRS duration, QT and QTc (Bazett by default; ``qtc=`` picks another formula).
from physiofeat.ecg import QT_STATS, qt_features  # noqa: E402

for name, v in zip(QT_STATS, qt_features(ecg, sr=sr, qtc="fridericia")):
    print(f"{name:20s} {v * (1 if name == 't_fraction' else 1000):8.1f}")

# %%
# Lead II with the automatic marks and PR bars; the detected QRS offsets and T ends are the
# dashed blue and red lines; the manual marks are the grey dotted lines.
auto_marks = {"qrs_offset": "tab:blue", "t_end": "tab:red"}
manual_all = np.concatenate(list(manual.values()))
fig, axes = plt.subplots(2, 1, figsize=(9, 7), layout="constrained")
lead = leads.index("ii")
out = plot.ecgshow(ecg[lead], sr=sr, beats=beats, ax=axes[0], title="LUDB record 1, lead II")
axes[0].vlines(
    manual_all, *axes[0].get_ylim(), colors="0.5", linestyles=":", lw=0.8, label="manual marks"
)
for ax in axes:
    for wave, c in auto_marks.items():
        v = getattr(beats, wave)
        ax.vlines(v[np.isfinite(v)], *axes[0].get_ylim(), colors=c, linestyles="--", lw=0.8)
axes[0].legend(loc="upper right", fontsize="small", ncols=5)
r = beats.r_time[3]
plot.ecgshow(ecg[lead], sr=sr, beats=beats, ax=axes[1], legend=False, title="One beat, zoomed")
axes[1].vlines(manual_all, *axes[1].get_ylim(), colors="0.5", linestyles=":", lw=0.8)
axes[1].set_xlim(r - 0.35, r + 0.55)
plt.show()
