"""
Cepstrum
========

The real cepstrum of a frame is the inverse FFT of its log magnitude spectrum; its axis is the
quefrency, in seconds. Short quefrencies describe the spectral envelope (the "timbre" of S1 and
S2), longer ones periodicities of the spectrum. physiofeat's ``cepstrum`` feature computes it per
STFT frame from the same STFT as the other spectral features.
"""

import matplotlib.pyplot as plt
import numpy as np

import physiofeat
from physiofeat import plot

x, sr = physiofeat.load(physiofeat.data.path("a0007"))  # 2 kHz
x = x[: 4 * sr]

feats = physiofeat.extract(
    x, {"cepstrum": {"n_ceps": 64}, "rms": {}}, sr=sr, n_fft=256, hop_length=32
)
C = feats["cepstrum"]
print(C, "quefrency step:", C.coords["quefrency"][1], "s")

# %%
# Coefficients 0 and 1 (the mean log magnitude and the overall spectral tilt) dwarf the rest, so
# the image starts at coefficient 2 (1 ms) and stops at 20 ms. The mean cepstrum of the loudest
# frames (S1 and S2) against the quietest shows where they differ.
loud = feats["rms"].values > np.quantile(feats["rms"].values, 0.9)
quiet = feats["rms"].values < np.quantile(feats["rms"].values, 0.5)
q = C.coords["quefrency"]

fig, axes = plt.subplots(2, 1, figsize=(8, 6.5), layout="constrained")
plot.specshow(
    C.values[2:41],
    times=C.times,
    freqs=1000 * q[2:41],
    y_axis="index",
    ax=axes[0],
    cmap="coolwarm",
    vmin=-0.15,
    vmax=0.15,
    title="Cepstrogram (coefficients 2-40)",
)
axes[0].set_ylabel("Quefrency (ms)")
axes[1].plot(1000 * q[2:], C.values[2:, loud].mean(axis=1), label="loudest 10 % of frames")
axes[1].plot(1000 * q[2:], C.values[2:, quiet].mean(axis=1), label="quietest 50 % of frames")
axes[1].axhline(0, color="0.5", lw=0.5)
axes[1].set(xlabel="Quefrency (ms)", ylabel="Cepstrum", title="Mean cepstrum")
axes[1].legend()
plt.show()
