"""
Heart-sound segmentation and cardiac-cycle features
===================================================

Heart-sound analysis is organised by cardiac cycles: first S1, systole, S2 and diastole are
found, then each cycle and each state is described. This page draws a CirCor DigiScope
recording with its states, compares the LR-HSMM segmentation of :func:`physiofeat.pcg.segment`
with the dataset's own, and computes the cycle features: durations and their ratios (the 20
PhysioNet 2016 baseline features), per-state spectra, murmur energy in systole and diastole,
the cycle-synchronous average and the signal-quality indices. Everything together is the
``heart_sound`` preset of :func:`physiofeat.extract`.

Data: CirCor recording ``50277_MV`` (mitral valve, 22.8 s, 4 kHz; ODC-By 1.0), shipped with
physiofeat with its segmentation (``.tsv``). Patient 50277 has a holosystolic murmur (grade
III/VI) and an early-diastolic one. When ``../shared/data`` is present, a recording of a patient
without a murmur (``2530_MV``) is drawn beside it.
"""

import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import physiofeat
from physiofeat import plot
from physiofeat.pcg import (
    STATE_KEYS,
    Segmentation,
    baseline_features,
    cycle_average,
    cycle_average_labels,
    murmur_features,
    segment,
    signal_quality,
    state_spectra,
)

x, sr = physiofeat.load(physiofeat.data.path("50277_MV"))
ref = Segmentation.from_tsv(physiofeat.data.DATA_DIR / "50277_MV.tsv", sr=sr, n_samples=x.size)
auto = segment(x, sr=sr)
print(ref)
print(auto)

# %%
# The whole recording with CirCor's annotation (top): CirCor annotates only part of each
# recording (unshaded: state 0, not annotated). Below, five seconds with CirCor's states and
# with those of the segmenter, which labels the whole recording.
fig, axes = plt.subplots(3, 1, figsize=(10, 7.5), layout="constrained")
plot.pcgshow(x, sr=sr, segmentation=ref, ax=axes[0], label_sounds=False, legend=False,
             title="50277_MV with CirCor's segmentation (.tsv)")  # fmt: skip
a, b = int(4 * sr), int(9 * sr)
plot.pcgshow(x[a:b], sr=sr, offset=4.0, segmentation=ref, ax=axes[1], title="CirCor, 4-9 s")
plot.pcgshow(x[a:b], sr=sr, offset=4.0, segmentation=auto, ax=axes[2],
             title="physiofeat.pcg.segment, 4-9 s")  # fmt: skip

# %%
# The 20 features of the PhysioNet/CinC 2016 baseline (Liu et al. 2016): mean and SD over
# beats of the RR, S1, systolic, S2 and diastolic intervals, of the ratios systole/RR,
# diastole/RR and systole/diastole, and of the mean-absolute-amplitude ratios systole/S1 and
# diastole/S2 -- from either segmentation.
b_ref = baseline_features(x, sr=sr, segmentation=ref)
b_auto = baseline_features(x, sr=sr, segmentation=auto)
for k in b_ref:
    print(f"{k:16s} {b_ref[k]:8.3f}  {b_auto[k]:8.3f}")

# %%
# Per-state spectra: the share of each state's power in frequency bands (the mean power
# spectrum of the frames centred in the state). S1 and S2 carry most of their power below
# 150 Hz; diastole, the quietest state, is dominated by low-frequency rumble and by broadband
# noise above 400 Hz. Per-state MFCC means, peak frequency and width come from the same frames.
s = state_spectra(x, sr=sr, segmentation=ref)
bands = ["25-50", "50-100", "100-150", "150-200", "200-300", "300-400", "400-600", "600-800"]
fig, ax = plt.subplots(figsize=(9, 3.2), layout="constrained")
w = 0.2
for r, name in enumerate(STATE_KEYS):
    ax.bar(np.arange(len(bands)) + (r - 1.5) * w, s["band_power"][r], w, label=name)
ax.set_xticks(np.arange(len(bands)), bands)
ax.set_xlabel("Band (Hz)")
ax.set_ylabel("Share of the state's power")
ax.set_yscale("log")
ax.legend(ncols=4, fontsize="small")
ax.set_title("50277_MV: band powers per state (CirCor's segmentation)")
print("peak frequency per state (Hz):", dict(zip(STATE_KEYS, s["peak_freq"].round(1))))

# %%
# The cycle-synchronous average: each state cut into time-normalised bins, the RMS in each bin
# averaged over cycles and divided by the mean S1 bin RMS. With the holosystolic murmur of
# 50277 the signal stays at about 0.8 of that through systole; in 2530 (no murmur) it falls to
# about 0.3 between the sounds, as low as in diastole. The murmur features put numbers on it:
# the murmur-band power of systole against that of diastole.
recordings = {"50277_MV (murmur)": (x, sr, ref)}
try:
    here = Path(__file__).resolve().parent
except NameError:  # sphinx-gallery runs each page in examples/ without __file__
    here = Path.cwd()
default = here.parents[1] / "shared" / "data"
shared = Path(os.environ.get("PHYSIOFEAT_SHARED_DATA", default))
other = shared / "pcg" / "circor" / "2530_MV.wav"
if other.is_file():
    y, sr_y = physiofeat.load(other)
    seg_y = Segmentation.from_tsv(other.with_suffix(".tsv"), sr=sr_y, n_samples=y.size)
    recordings["2530_MV (no murmur)"] = (y, sr_y, seg_y)

labels = cycle_average_labels()
fig, axes = plt.subplots(
    1, len(recordings), figsize=(5 * len(recordings), 3.2), sharey=True, layout="constrained"
)
for ax, (name, (sig, fs, seg)) in zip(np.atleast_1d(axes), recordings.items()):
    prof = cycle_average(sig, sr=fs, segmentation=seg)
    ax.step(np.arange(len(labels)), prof[0], where="mid", label="25-400 Hz")
    ax.step(np.arange(len(labels)), prof[1], where="mid", label="150-600 Hz")
    edges = np.cumsum([0, 4, 8, 4])
    for e, k in zip(edges, STATE_KEYS):
        ax.axvline(e - 0.5, color="0.7", lw=0.8)
        ax.text(e + 0.2, 0.97, k, transform=ax.get_xaxis_transform(), va="top", fontsize="small")
    ax.set_xticks([])
    ax.set_xlabel("Cycle phase (time-normalised bins)")
    ax.set_title(name)
    m = murmur_features(sig, sr=fs, segmentation=seg)
    q = signal_quality(sig, sr=fs, segmentation=seg)
    print(
        f"{name}: systole {m['systole_db']:.1f} dB, diastole {m['diastole_db']:.1f} dB re S1/S2; "
        f"systole - diastole {m['systole_minus_diastole_db']:.1f} dB; "
        f"acf peak {q['acf_peak']:.2f}, periodicity {q['periodicity']:.2f}"
    )
np.atleast_1d(axes)[0].set_ylabel("RMS / mean S1 bin RMS")
np.atleast_1d(axes)[0].legend(fontsize="small")

# %%
# All of it as one table row: the ``heart_sound`` preset (cycle and per-state features, the
# 2016 baseline, murmur energy, quality, MFCC, spectral, envelope, wavelet, HHT and bicoherence
# features). Its columns are the same at 2 and 4 kHz, so a mixed dataset makes one table.
feats = physiofeat.extract(x, "heart_sound", sr=sr)
row = feats.to_frame()
print(row.shape)
print(row.filter(like="pcg_baseline").T.head(6))
plt.show()
