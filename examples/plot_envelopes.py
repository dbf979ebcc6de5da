"""
Envelopes of a heart sound
==========================

Heart-sound segmentation (Springer et al. 2016) starts from amplitude envelopes. physiofeat
computes the five classic ones: the Hilbert envelope, the homomorphic envelope (low-passed log
Hilbert envelope), the Shannon energy, the wavelet envelope (one DWT detail level) and the PSD
envelope (40-60 Hz band power). Here they are at 50 Hz, z-scored as Springer uses them, over the
CirCor annotation of S1, systole, S2 and diastole.
"""

import matplotlib.pyplot as plt
import numpy as np

import physiofeat
from physiofeat import plot
from physiofeat.envelope import METHODS, envelope, envelope_times

x, sr = physiofeat.load(physiofeat.data.path("50277_MV"))  # CirCor, 4 kHz
segmentation = physiofeat.data.pcg_segmentation("50277_MV")
start, stop = 4.0, 7.0
x = x[int(start * sr) : int(stop * sr)]

envs = {m: envelope(x, sr=sr, method=m, out_sr=50, normalize=True) for m in METHODS}
t_env = start + envelope_times(envs["hilbert"], out_sr=50)  # recording time (s)
print({m: e.shape for m, e in envs.items()})

# %%
# Each envelope is drawn in its own lane (offset by 4 z-units) over the shaded states, against
# the recording's time (the excerpt starts at ``offset=start``). S1 and S2 stand out in all
# five; the homomorphic envelope also rises through the systolic murmur.
fig, axes = plt.subplots(
    2, 1, figsize=(8, 7), sharex=True, height_ratios=(1, 2), layout="constrained"
)
plot.waveshow(x, sr=sr, offset=start, segments=segmentation, ax=axes[0], title="50277_MV, 4-7 s")
axes[0].set_xlabel("")
plot.waveshow(
    np.zeros_like(x),
    sr=sr,
    offset=start,
    segments=segmentation,
    ax=axes[1],
    legend=False,
    color="none",
    ylabel="z-scored envelope (offset)",
)
for i, (m, e) in enumerate(envs.items()):
    axes[1].plot(t_env, e - 4 * i, lw=1.2, label=m)
axes[1].set_yticks(-4 * np.arange(len(envs)), list(envs))
axes[1].set_ylim(-4 * len(envs) + 1, 5)
axes[1].set_title("Envelopes at 50 Hz (Springer 2016)")
plt.show()
