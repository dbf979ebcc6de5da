"""
ECG from your own WFDB records
==============================

PhysioNet databases (LUDB, QTDB, PTB-XL...) keep ECGs as WFDB records: a ``.hea`` header that
names each channel, its units and rate, and a ``.dat`` signal file. :func:`physiofeat.load_record`
reads one into a :class:`~physiofeat.Record` whose channels are picked by name (``"ii"``,
``"V5"``; an EDF+ ``"ECG II"`` or MIT-BIH ``"MLII"`` also answer ``"ii"``) or index, then
:func:`physiofeat.ecg.delineate` finds the beats and :func:`physiofeat.ecg.pr_features`
summarises them. The record here is the 12-lead LUDB record 1 shipped with the package (10 s,
500 Hz), copied into a folder as a user's own files would be.
"""

import shutil
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import physiofeat
from physiofeat import plot
from physiofeat.ecg import PR_STATS, delineate, pr_features

folder = Path(tempfile.mkdtemp(prefix="my_ecgs_"))
header = Path(physiofeat.data.path("ludb_1"))  # .../ludb_1.hea
for suffix in (".hea", ".dat"):
    shutil.copy(header.with_suffix(suffix), folder)
print(sorted(p.name for p in folder.iterdir()))

rec = physiofeat.load_record(folder / "ludb_1.hea")
print(rec.format, "record with", len(rec), "channels:", ", ".join(rec.names))
print(
    "units:",
    set(rec.units),
    " rates (Hz):",
    set(rec.rates),
    " duration (s):",
    rec.channel("ii").duration,
)

# %%
# One lead by name: ``rec["ii"]`` is its samples (mV) and ``rec.channel("ii")`` carries its rate
# and unit. A single lead is delineated on its own; the whole record, ``rec.to_array()``
# ``(12, n)``, is delineated with every lead and one estimate per beat (the median over the
# leads where the wave was found).
lead = rec.channel("ii")
beats_ii = delineate(lead.data, sr=lead.sr)
beats_12 = delineate(rec.to_array(), sr=rec.sr)
columns = ["r_time", "rr", "qrs_onset", "p_onset", "pr_interval"]
print("lead II alone:")
print(beats_ii.to_frame()[columns].round(3).to_string())
print("all 12 leads:")
print(beats_12.to_frame()[columns].round(3).to_string())

# %%
# The summary features, named by ``PR_STATS`` (times in seconds, heart rate in bpm), for
# lead II, lead V5 and the 12 leads together; ``load_record(..., channels=[...])`` reads just
# the leads asked for.
two = physiofeat.load_record(folder / "ludb_1.hea", channels=["II", "V5"])
rows = {
    "lead II": pr_features(two["ii"], sr=two.sr),
    "lead V5": pr_features(two["v5"], sr=two.sr),
    "12 leads": pr_features(rec.to_array(), sr=rec.sr),
}
for name, values in rows.items():
    f = dict(zip(PR_STATS, values))
    print(
        f"{name:>8}: heart rate {f['heart_rate']:5.1f} bpm, PR median {1000 * f['pr_median']:5.1f} ms"
        f" (SD {1000 * f['pr_sd']:.1f} ms), P waves on {100 * f['p_fraction']:.0f} % of beats"
    )

# %%
# Top: lead II with the 12-lead beats (R peaks, P and QRS onsets, PR bars). Bottom: the PR
# interval of each beat from lead II alone, from V5 alone and from the 12 leads together; a beat
# without a P wave (the first, cut by the start of the recording) has no PR.
beats_v5 = delineate(two["v5"], sr=two.sr)
fig, axes = plt.subplots(2, 1, figsize=(9, 7), height_ratios=(1.3, 1), layout="constrained")
plot.ecgshow(
    lead.data,
    sr=lead.sr,
    beats=beats_12,
    ax=axes[0],
    title="LUDB record 1, lead II (12-lead beats)",
)
for name, beats, marker in [
    ("lead II", beats_ii, "o"),
    ("lead V5", beats_v5, "s"),
    ("12 leads", beats_12, "D"),
]:
    axes[1].plot(beats.r_time, 1000 * beats.pr_interval, marker, ms=6, label=name, alpha=0.8)
axes[1].set(
    xlim=axes[0].get_xlim(),
    xlabel="R-peak time (s)",
    ylabel="PR interval (ms)",
    title="PR interval per beat",
)
pr = np.concatenate([b.pr_interval for b in (beats_ii, beats_v5, beats_12)])
lo, hi = 1000 * np.nanmin(pr), 1000 * np.nanmax(pr)
axes[1].set_ylim(lo - 10, hi + 10)
axes[1].legend(loc="lower right", ncols=3, fontsize="small")
plt.show()

shutil.rmtree(folder)
