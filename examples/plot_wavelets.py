"""
DWT and CWT scalogram
=====================

Two wavelet views of a heart sound. The discrete wavelet transform splits it into octave bands
(``d1`` = 500-1000 Hz at 2 kHz, ``d2`` = 250-500 Hz, ... ``a5`` below 31 Hz); the ``dwt`` feature
summarises each band (energy, relative energy, entropy...). The continuous wavelet transform
with a complex Morlet wavelet gives a scalogram on a log-frequency axis; the hatched cone of
influence marks where the signal's edges affect the coefficients.
"""

import matplotlib.pyplot as plt
import numpy as np

import physiofeat
from physiofeat import plot
from physiofeat.wavelet import dwt_band_names, wavedec

x, sr = physiofeat.load(physiofeat.data.path("a0007"))  # 2 kHz
x = x[: 3 * sr].astype(np.float64)

feats = physiofeat.extract(
    x,
    {"dwt": {"wavelet": "db4", "level": 5}, "cwt": {"fmin": 10.0, "fmax": 800.0, "n_freqs": 64}},
    sr=sr,
)
print(feats)
print(feats.to_frame().filter(like="rel_energy").round(3).T)

# %%
# Each DWT band's coefficients are drawn at their own rate (``sr / 2**j``), in one lane per band;
# the bar chart is the ``rel_energy`` column of the ``dwt`` feature.
coeffs = wavedec(x, wavelet="db4", level=5)
names = dwt_band_names(5)
fig = plt.figure(figsize=(8, 9), layout="constrained")
grid = fig.add_gridspec(2, 2, height_ratios=(1, 1), width_ratios=(3, 1))
ax_dwt = fig.add_subplot(grid[0, 0])
for i, c in enumerate(coeffs):
    t = (np.arange(c.size) + 0.5) * x.size / c.size / sr
    ax_dwt.plot(t, -i + 0.45 * c / np.abs(c).max(), lw=0.6, color="0.15")
ax_dwt.set_yticks(-np.arange(len(names)), names)
ax_dwt.set(xlim=(0, x.size / sr), xlabel="Time (s)", title="DWT coefficients (db4, 5 levels)")
ax_bar = fig.add_subplot(grid[0, 1])
dwt = feats["dwt"]
rel = dwt.values[:, dwt.coords["stat"].index("rel_energy")]
ax_bar.barh(-np.arange(len(names)), rel, color="C0")
ax_bar.set_yticks(-np.arange(len(names)), names)
ax_bar.set(xlabel="Relative energy", title="dwt feature")
ax_cwt = fig.add_subplot(grid[1, :])
plot.scalogram(
    feats["cwt"],
    to_db="amplitude",
    top_db=50,
    ax=ax_cwt,
    title="CWT scalogram (cmor1.5-1.0) with its cone of influence",
)
plt.show()
