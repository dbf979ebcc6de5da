"""
Murmur detection on CirCor: from recordings to a per-patient decision
=====================================================================

The George B. Moody PhysioNet Challenge 2022 asks, per patient, whether a heart murmur is
Present, Absent or Unknown from recordings at up to five auscultation locations. This page
follows two real patients of the CirCor DigiScope dataset through physiofeat's pipeline: the
``heart_sound`` preset turns every recording into one table row (cardiac cycles and states from
the LR-HSMM segmentation, per-state spectra, murmur energy in systole and diastole, MFCC,
wavelet, HHT and bicoherence features); a classifier scores each recording; the patient takes
the highest murmur score over its locations.

Data: CirCor patients 50277 (murmur Present: holosystolic III/VI and early-diastolic) and 2530
(Absent), four locations each, from ``../shared/data/pcg/circor`` (ODC-By 1.0). Without the
shared data the page uses the one CirCor recording shipped with physiofeat (``50277_MV``) and a
PhysioNet 2016 recording of a normal adult (``a0007``) in their place.

The cross-validated figures at the end come from ``benchmarks/murmur_cv.py``, which runs the
same preset over all 642 recordings of the 193 labelled patients; with the extraction (7
minutes), 25 refitted segmenters with their pcg tables, and the cross-validation it runs for
about an hour on two cores, so this page prints what it measured instead of running it.
"""

import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import physiofeat
from physiofeat import plot
from physiofeat.batch import results_to_frame

try:
    here = Path(__file__).resolve().parent
except NameError:  # sphinx-gallery runs each page in examples/ without __file__
    here = Path.cwd()
shared = Path(os.environ.get("PHYSIOFEAT_SHARED_DATA", here.parents[1] / "shared" / "data"))
circor = shared / "pcg" / "circor"
if (circor / "2530_MV.wav").is_file():
    patients = {
        "50277 (murmur Present)": sorted(circor.glob("50277_*.wav")),
        "2530 (murmur Absent)": sorted(circor.glob("2530_*.wav")),
    }
else:
    patients = {
        "50277 (murmur Present)": [physiofeat.data.path("50277_MV")],
        "a0007 (normal, PhysioNet 2016)": [physiofeat.data.path("a0007")],
    }
for name, files in patients.items():
    print(name, [f.stem for f in files])

# %%
# One recording of each patient with the states the segmenter found. The murmur of 50277 fills
# systole (between S1 and S2) with sound; in the other patient systole is as quiet as diastole.
fig, axes = plt.subplots(2, 1, figsize=(10, 5), layout="constrained")
for ax, files in zip(axes, patients.values()):
    path = next((f for f in files if f.stem.endswith("_MV")), files[0])
    x, sr = physiofeat.load(path)
    seg = physiofeat.pcg.segment(x, sr=sr)  # the whole recording; 4 s of it drawn
    a, b = int(4 * sr), int(8 * sr)
    plot.pcgshow(x[a:b], sr=sr, offset=4.0, segmentation=seg, ax=ax, title=f"{path.stem}, 4-8 s")

# %%
# Every recording of both patients through the ``heart_sound`` preset, as the CLI or
# :func:`physiofeat.extract_many` computes a whole dataset: one row per recording, the same
# columns at every sampling rate.
files = [f for fs in patients.values() for f in fs]
owner = {str(f): name for name, fs in patients.items() for f in fs}
res = physiofeat.extract_many(files, "heart_sound", n_jobs=1)
table = results_to_frame(res, with_path=True)
table["patient"] = table["path"].map(owner)
# CirCor names end in the auscultation location; a0007 (PhysioNet 2016) names none
table["location"] = [(Path(p).stem.split("_", 1)[1:] or ["-"])[0] for p in table["path"]]
print(table.shape)

# %%
# Three of the murmur columns, per location: the 150-600 Hz power in systole relative to that
# in diastole, and the fraction of cycles whose systole is the louder. The patient-level
# decision of the benchmark takes, per patient, the highest murmur score over its locations
# (a murmur heard at one valve is a murmur).
cols = [
    "pcg_murmur_systole_minus_diastole_db",
    "pcg_murmur_systole_louder_fraction",
    "pcg_murmur_systole_db",
]
fig, axes = plt.subplots(1, len(cols), figsize=(11, 3.4), layout="constrained")
for ax, c in zip(axes, cols):
    locs = sorted(set(table["location"]))
    for k, (name, rows) in enumerate(table.groupby("patient", sort=False)):
        pos = [locs.index(loc) + 0.4 * k for loc in rows["location"]]
        ax.bar(pos, rows[c], 0.4, label=name)
    ax.axhline(0, color="k", lw=0.6)
    ax.set_xticks(np.arange(len(locs)) + 0.2, locs)
    ax.set_title(c.removeprefix("pcg_murmur_"), fontsize=10)
axes[0].legend(fontsize=8)
print(table.groupby("patient", sort=False)[cols].max().round(2).T)

# %%
# Cross-validated over the 193 labelled patients (``python -m benchmarks.murmur_cv``): one
# fixed scikit-learn model on the recordings -- the 60 columns of highest ANOVA F between the
# three recording classes (``SelectByF``, chosen on each fit's training recordings), then
# ``HistGradientBoostingClassifier`` -- with recordings labelled Present where the patient's
# murmur is heard at that location; per patient the highest P(Present) over locations and the
# mean P(Unknown), with the two decision thresholds chosen by an inner cross-validation of the
# training patients only; patient-wise stratified 5-fold cross-validation, repeated over five
# outer seeds (one partition of 193 patients moves the score by +-0.03); the challenge's
# weighted accuracy (Present counts 5, Unknown 3, Absent 1). The segmenter behind the pcg
# features is refitted on each fold's training patients (25 segmenters).
#
# .. code-block:: text
#
#    measured 2026-12-07 on 2 cores (code of c1fa821): 642 recordings, 193 patients
#    (environment: benchmarks/measured-with.txt)
#
#    | features                      | cols | seed 0 (fold SD) | mean of 5 seeds (SD, range) |
#    |-------------------------------|------|------------------|-----------------------------|
#    | heart_sound                   | 394  | 0.715 (0.073)    | 0.725 (0.021, 0.703-0.764)  |
#    | pcg alone                     | 217  | 0.710 (0.072)    | 0.738 (0.025, 0.710-0.771)  |
#    | envelope alone                | 4    | 0.545 (0.073)    | 0.562 (0.020, 0.536-0.590)  |
#    | wavelet alone                 | 58   | 0.541 (0.091)    | 0.561 (0.018, 0.541-0.585)  |
#    | spectral alone                | 72   | 0.572 (0.131)    | 0.548 (0.028, 0.509-0.575)  |
#    | temporal alone                | 12   | 0.499 (0.031)    | 0.530 (0.025, 0.499-0.560)  |
#    | hos alone                     | 11   | 0.459 (0.020)    | 0.498 (0.027, 0.459-0.536)  |
#    | hht alone                     | 20   | 0.474 (0.096)    | 0.475 (0.015, 0.452-0.499)  |
#    | heart_sound, k chosen in-fold | 394  | 0.747 (0.044)    | 0.743 (0.004, 0.737-0.747)  |
#    | librosa MFCC mean/std         | 40   | 0.533 (0.073)    | 0.556 (0.027, 0.533-0.609)  |
#
#    confusion, whole preset, summed over the 5 seeds (rows true, columns predicted:
#    Present, Unknown, Absent)
#      Present  [162  13  45]
#      Unknown  [ 12  41  42]
#      Absent   [ 56  52 542]
#
# The per-cycle and per-state features of the ``pcg`` family carry the result; the whole preset
# scores 0.169 above librosa's MFCC statistics in the same model and folds (at least +0.093 in
# every seed). The number of kept columns, 60, was picked among 30, 60 and 120 on
# cross-validation repeats of these same patients, so the fixed-k row is optimistic: the row "k
# chosen in-fold" lets each training fold pick k by its own inner cross-validation, and its
# 0.743 is the honest estimate of the model as a procedure, under the 0.75 this benchmark set
# out to reach. Earlier on 2026-12-07 (code of 731454b) the same model read 0.741 fixed-k,
# 0.741 in-fold and pcg alone 0.733 (seed 0: 0.703, 0.752, 0.744); between the two, a
# segmentation's holes of under 10 ms between annotated rows stopped breaking cycles, which
# changes the 25 fold segmenters' training data (and the shipped one, refitted) and so the pcg
# columns only: every family without them scored exactly the same. The run before that
# (2026-12-06, code of 7d39eb1) read 0.729 fixed-k, 0.733 in-fold
# and pcg alone 0.736; between the two, spike removal stopped erasing heart sounds next to
# silent stretches and the quality indices' heart rate stopped taking half the rate, which
# change only pcg columns: every family without them scored exactly the same. The preset's dwt
# energies and marginal spectrum are per sample since 04cc307 (sums had grown with the
# recording's duration); in the same environment the preset before that read 0.728 fixed-k and
# 0.719 in-fold, hht alone 0.466 and wavelet alone 0.550: within the spread between seeds, as is
# pcg alone's 0.736 against the 0.730 of 2026-12-05 with bit-identical pcg columns. How much
# such a figure moves: before fixes to the pcg quality indices (their autocorrelation exceeded 1
# and its heart rate stuck to the search edge) and to cycles cut by the recording's start, the
# same model read 0.743 fixed-k and 0.739 in-fold (pcg alone 0.746); the day before that, in
# another environment with the same code, 0.754 and 0.738. Every family without the pcg columns
# scored exactly the same each time. For scale: on the challenge's hidden test set the best
# entry scored 0.780 and the median of 40 teams 0.692 (a different, harder estimate than
# cross-validation on 193 patients, from models trained on the 942 patients of the challenge's
# public training set, six times the ~155 of each fold here).
#
# The whole extraction, ``physiofeat extract circor circor_dev -f heart_sound --jobs 2``,
# took 61 s for the 642 recordings on 2026-12-05 (the benchmark's extract_many 46.5 s in the
# run above; 0.07 s a recording on 2 cores; 426 s before the preset's
# marginal Hilbert spectrum sifted a fixed 10 times per IMF, which also moved hht alone from
# 0.513 to 0.466); the cross-validation with all its rows about 12 minutes.
plt.show()
