"""
MFCC with deltas
================

Mel-frequency cepstral coefficients are the DCT-II of the log-mel spectrogram; their deltas
(first derivative over time) and delta-deltas (second) are Savitzky-Golay derivatives over
``width=9`` frames, as librosa computes them. One ``extract`` call returns all three from a single
STFT, and ``vector()`` summarises them into fixed-length columns for a classifier.
"""

import matplotlib.pyplot as plt
import numpy as np

import physiofeat
from physiofeat import plot

x, sr = physiofeat.load(physiofeat.data.path("a0007"))  # normal, PhysioNet 2016, 2 kHz
x = x[: 5 * sr]

feats = physiofeat.extract(
    x,
    ["mfcc", "mfcc_delta", "mfcc_delta2"],
    sr=sr,
    n_fft=256,
    hop_length=32,
    n_mels=40,
    n_mfcc=13,
    fmax=1000.0,
)
print(feats)
print(len(feats.vector_names()), "vector columns, e.g.", feats.vector_names()[:3])

# %%
# Coefficient 0 (the log energy) dominates the MFCC colour scale, so it is left out of the
# first image. All three use a diverging colour map centred on zero (white), each with limits
# symmetric about zero at its largest absolute value, so the colour of a cell says its sign.
fig, axes = plt.subplots(3, 1, figsize=(8, 8), sharex=True, layout="constrained")
M = feats["mfcc"]


def symmetric(values):
    """Colour limits centred on zero: +-max(|values|)."""
    v = float(np.max(np.abs(values)))
    return dict(vmin=-v, vmax=v)


plot.specshow(
    M.values[1:],
    times=M.times,
    freqs=M.coords["coef"][1:],
    y_axis="index",
    ax=axes[0],
    cmap="coolwarm",
    title="MFCC 1-12",
    **symmetric(M.values[1:]),
)
for ax, name, title in [(axes[1], "mfcc_delta", "Delta"), (axes[2], "mfcc_delta2", "Delta-delta")]:
    plot.specshow(feats[name], ax=ax, cmap="coolwarm", title=title, **symmetric(feats[name].values))
for ax in axes:
    ax.set_ylabel("Coefficient")
for ax in axes[:2]:
    ax.set_xlabel("")
plt.show()
