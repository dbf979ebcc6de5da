"""
All time-frequency views of one heart beat
==========================================

One cardiac cycle of the CirCor recording (from an S1 to the next S1, with the annotated states
shaded) seen through every time-frequency representation physiofeat computes: the STFT
spectrogram, the log-mel spectrogram, the continuous wavelet scalogram and the Hilbert spectrum
of its EMD. The STFT trades time for frequency resolution with one fixed window; the mel scale
spends its bands on low frequencies; the wavelet scalogram is sharp in time at high frequency
and sharp in frequency at low frequency; the Hilbert spectrum has no window at all and follows
each IMF's instantaneous frequency sample by sample.
"""

import matplotlib.pyplot as plt
import numpy as np

import physiofeat
from physiofeat import plot

x, sr = physiofeat.load(physiofeat.data.path("50277_MV"))  # CirCor, 4 kHz
seg = physiofeat.data.pcg_segmentation("50277_MV")

s1 = seg[(seg[:, 2] == 1) & (seg[:, 0] > 4.0), 0]  # S1 onsets after 4 s
start, stop = s1[0] - 0.1, s1[1] + 0.05  # one cycle, with margins
beat = x[int(start * sr) : int(stop * sr)].astype(np.float64)
print(f"beat: {start:.2f}-{stop:.2f} s, {beat.size} samples")

# %%
# One call computes the four representations; the two STFT-based ones share one STFT
# (``n_fft=128`` = 32 ms, ``hop_length=16`` = 4 ms).
feats = physiofeat.extract(
    beat,
    {
        "spectrogram": {},
        "log_mel": {"n_mels": 48, "fmax": 1000.0},
        "cwt": {"fmin": 15.0, "fmax": 1000.0, "n_freqs": 80},
        "hht": {"max_imfs": 7},
    },
    sr=sr,
    n_fft=128,
    hop_length=16,
)
print(feats)

fig, axes = plt.subplots(5, 1, figsize=(8, 13), sharex=True, layout="constrained")
plot.waveshow(
    beat, sr=sr, segments=seg - [start, start, 0], ax=axes[0], title="50277_MV: one cardiac cycle"
)
plot.specshow(
    feats["spectrogram"],
    to_db="power",
    top_db=60,
    fmax=1000,
    ax=axes[1],
    title="STFT power spectrogram (32 ms Hann window)",
)
plot.specshow(feats["log_mel"], ax=axes[2], title="Log-mel spectrogram (48 bands)")
plot.scalogram(
    feats["cwt"],
    to_db="amplitude",
    top_db=50,
    ax=axes[3],
    title="CWT scalogram (complex Morlet), cone of influence hatched",
)
plot.hilbert_spectrum(
    feats["hht"],
    fmax=1000,
    top_db=50,
    s=1.5,
    ax=axes[4],
    title="Hilbert spectrum: instantaneous frequency of each IMF, coloured by amplitude",
)
for ax in axes[:-1]:
    ax.set_xlabel("")
plt.show()
