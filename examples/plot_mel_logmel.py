"""
Mel and log-mel spectrograms
============================

The mel spectrogram projects the power spectrogram onto triangular filters equally spaced on
the mel scale (Slaney's, as librosa: linear below 1 kHz, logarithmic above). Heart sounds
live below ~600 Hz at 2 kHz sampling, so 40 bands up to ``fmax=1000`` Hz are plenty. In power
units a few loud S1 sounds dominate; in dB (the log-mel spectrogram, the usual input of CNN
classifiers) the murmur and the quieter S2 become visible.
"""

import matplotlib.pyplot as plt
import numpy as np

import physiofeat
from physiofeat import plot
from physiofeat.spectral import mel_filters

x, sr = physiofeat.load(physiofeat.data.path("a0126"))  # abnormal, PhysioNet 2016, 2 kHz
x = x[: 5 * sr]

params = dict(n_fft=256, hop_length=32, n_mels=40, fmax=1000.0)
feats = physiofeat.extract(x, ["mel", "log_mel"], sr=sr, **params)
print(feats)
print("mel band centres (Hz):", np.round(feats["mel"].coords["mel"][:5], 1), "...")

# %%
# Both features share one mel projection (``feats.computed`` counts it once); the plots read the
# band centres (Hz) and frame times (s) from the features' coordinates and use a mel axis.
print(feats.computed)

# %%
# Top: the filters themselves. Middle: the mel spectrogram in power units, where the loudest
# S1 sounds set the colour scale and everything else is near black. Bottom: the same in dB.
fig, axes = plt.subplots(3, 1, figsize=(8, 9), layout="constrained")
weights = mel_filters(sr=sr, n_fft=256, n_mels=40, fmax=1000.0)
f = np.arange(weights.shape[1]) * sr / 256
axes[0].plot(f, weights.T, lw=0.8)
axes[0].set(
    xlim=(0, 1000),
    xlabel="Frequency (Hz)",
    ylabel="Weight",
    title="40 Slaney mel filters (area-normalised)",
)
plot.specshow(feats["mel"], ax=axes[1], units="power", title="Mel spectrogram (power)")
plot.specshow(feats["log_mel"], ax=axes[2], title="Log-mel spectrogram")
plt.show()
