"""
Waveform and spectrogram of a heart sound
=========================================

A paediatric heart sound from the CirCor DigiScope dataset (mitral position, with a holosystolic
murmur), shown three ways: the waveform with its annotated S1, systole, S2 and diastole, the
power spectrogram in dB on a linear frequency axis, and the same spectrogram on a logarithmic
axis, where the low-frequency S1/S2 energy (20-150 Hz) and the broader murmur are easier to
tell apart.
"""

import matplotlib.pyplot as plt

import physiofeat
from physiofeat import plot

x, sr = physiofeat.load(physiofeat.data.path("50277_MV"))
segmentation = physiofeat.data.pcg_segmentation("50277_MV")  # start_s, end_s, state
start, stop = 4.0, 8.0
x = x[int(start * sr) : int(stop * sr)]

# %%
# One call computes the spectrogram; its coordinates (``time`` in s from the start of the
# excerpt, ``freq`` in Hz) give the plot its axes. ``n_fft=256`` at 4 kHz is a 64 ms window,
# ``hop_length=32`` an 8 ms step.
feats = physiofeat.extract(x, ["spectrogram"], sr=sr, n_fft=256, hop_length=32, power=2.0)
S = feats["spectrogram"]
print(S)

# %%
# The time axes are the recording's: the waveform starts at ``offset=start`` and the frames at
# ``S.times + start``, so the segmentation is drawn as annotated, without shifting it.
fig, axes = plt.subplots(3, 1, figsize=(8, 8), sharex=True, layout="constrained")
plot.waveshow(
    x,
    sr=sr,
    offset=start,
    segments=segmentation,
    ax=axes[0],
    title="50277_MV, 4-8 s, with the CirCor segmentation",
)
t = S.times + start
plot.specshow(S, times=t, to_db="power", ax=axes[1], fmax=1000, title="Power spectrogram")
plot.specshow(
    S,
    times=t,
    to_db="power",
    y_axis="log",
    fmin=20,
    fmax=2000,
    ax=axes[2],
    title="Power spectrogram, logarithmic frequency axis",
)
axes[0].set_xlabel("")
axes[1].set_xlabel("")
axes[2].set_xlim(start, stop)
plt.show()
