"""
ECG and heart sound together: electromechanical intervals per beat
==================================================================

A record with an ECG and a phonocardiogram (PCG) taken at the same time relates the heart's
electrical events to its mechanical ones. Per beat, :func:`physiofeat.ecgpcg.timing` gives the
delay from the QRS onset to the first heart sound (electromechanical activation time, EMAT), to
the second (electromechanical systole), S1 to S2, R to S1, and the ECG's PR interval beside them.
S1 and S2 are found either in an ECG-gated search (S1 after each QRS onset, S2 around each T-wave
end) or by the ECG-free LR-HSMM segmentation of :func:`physiofeat.pcg.segment`, and timed at the
heart sound's full rate.

Data: EPHNOGRAM record ECGPCG0003 (30 s, 8 kHz, a 28-year-old at rest; PhysioNet, ODC-By 1.0)
from ``../shared/data/ecg_pcg`` when it is there; otherwise a synthetic pair with known delays.
"""

import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import physiofeat
from physiofeat.ecgpcg import synthetic_ecg_pcg, timing

try:
    here = Path(__file__).resolve().parent
except NameError:  # sphinx-gallery runs each page in examples/ without __file__
    here = Path.cwd()
default = here.parents[1] / "shared" / "data"
shared = Path(os.environ.get("PHYSIOFEAT_SHARED_DATA", default))
path = shared / "ecg_pcg" / "ephnogram" / "ECGPCG0003.hea"
if path.is_file():
    rec = physiofeat.load_record(path)
    print(rec)
    ecg, pcg = rec["ECG"], rec["PCG"]
    sr, pcg_sr = rec.channel("ECG").sr, rec.channel("PCG").sr  # the two may differ
    title = "EPHNOGRAM ECGPCG0003"
else:
    ecg, pcg, sr, _ = synthetic_ecg_pcg(duration=30.0, sr=2000, emat=0.07, qs2=0.34)
    pcg_sr = sr
    title = "synthetic ECG + PCG (EMAT 70 ms, QRS-S2 340 ms)"

beats = physiofeat.ecg.delineate(ecg, sr=sr)
gated = timing(None, pcg, pcg_sr=pcg_sr, beats=beats)
hsmm = timing(None, pcg, pcg_sr=pcg_sr, beats=beats, method="hsmm")
table = gated.to_frame()
print(table[["r_time", "qrs_onset", "s1_onset", "emat_onset", "qrs_s2", "s1_s2"]].head().round(3))

# %%
# Four seconds of both channels, with the ECG's QRS onsets and T ends and the S1 / S2 onsets
# that the ECG-gated search found. The time axis is the recording's own.
t0, t1 = 10.0, 14.0
fig, (a1, a2) = plt.subplots(2, 1, figsize=(9, 5), sharex=True, layout="constrained")
t = np.arange(ecg.size) / sr
m = (t >= t0) & (t < t1)
a1.plot(t[m], ecg[m], lw=0.8, color="k")
for q in gated.qrs_onset[(gated.qrs_onset >= t0) & (gated.qrs_onset < t1)]:
    a1.axvline(q, color="tab:red", lw=1, ls="--")
for te in beats.t_end[(beats.t_end >= t0) & (beats.t_end < t1)]:
    a1.axvline(te, color="tab:purple", lw=1, ls=":")
a1.set_ylabel("ECG")
a1.set_title(f"{title}: QRS onset (red dashed), T end (purple dotted)")
tp = np.arange(pcg.size) / pcg_sr
mp = (tp >= t0) & (tp < t1)
a2.plot(tp[mp], pcg[mp], lw=0.5, color="0.3")
for s, c in ((gated.s1_onset, "tab:blue"), (gated.s2_onset, "tab:orange")):
    for v in s[(s >= t0) & (s < t1)]:
        a2.axvline(v, color=c, lw=1.2)
a2.set_ylabel("PCG")
a2.set_xlabel("time (s)")
a2.set_title("S1 onsets (blue) and S2 onsets (orange), ECG-gated search")

# %%
# Beat by beat over the whole record: EMAT and QRS onset to S2 are stable at rest; the two ways
# of finding the sounds agree (their tables are printed by ``benchmarks/validate_ecgpcg.py``).
fig, ax = plt.subplots(figsize=(9, 3.5), layout="constrained")
for b, style, name in ((gated, "o-", "ECG-gated"), (hsmm, "x--", "LR-HSMM")):
    ax.plot(b.r_time, 1000 * b.emat_onset, style, ms=4, label=f"EMAT, {name}")
    ax.plot(b.r_time, 1000 * b.qrs_s2, style, ms=4, label=f"QRS onset to S2, {name}")
ax.plot(beats.r_time, 1000 * beats.pr_interval, "k.", label="PR interval (ECG)")
ax.set_xlabel("time (s)")
ax.set_ylabel("interval (ms)")
ax.legend(ncol=3, fontsize=8, loc="center right")
ax.set_title("per-beat electromechanical intervals")
plt.show()
