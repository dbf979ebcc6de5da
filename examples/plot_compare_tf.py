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
# (``n_fft=128`` = 32 ms, ``hop_length=16`` = 4 ms). The Hilbert spectrum puts each sample of
# each IMF in one 5 Hz bin; a grid of single bins is unreadable at this size, so it is drawn
# Gaussian-smoothed (sigma 10 Hz and 4 ms, the total energy kept), still sharper in time than
# the STFT's 32 ms window. :ref:`sphx_glr_auto_examples_plot_emd_hilbert.py` shows the IMFs'
# frequency tracks themselves.
feats = physiofeat.extract(
    beat,
    {
        "spectrogram": {},
        "log_mel": {"n_mels": 48, "fmax": 1000.0},
        "cwt": {"fmin": 15.0, "fmax": 1000.0, "n_freqs": 80},
        "hilbert_spectrum": {"max_imfs": 7, "n_bins": 200, "fmax": 1000.0, "mode": "energy"},
    },
    sr=sr,
    n_fft=128,
    hop_length=16,
)
print(feats)

# %%
# The time axes are the recording's (``offset=start`` for the waveform, ``times=`` the frames'
# times plus ``start`` for the images), so the annotated states line up without shifting them.
fig, axes = plt.subplots(5, 1, figsize=(8, 13), sharex=True, layout="constrained")
plot.waveshow(
    beat,
    sr=sr,
    offset=start,
    segments=seg,
    ax=axes[0],
    title=f"50277_MV: one cardiac cycle, {start:.2f}-{stop:.2f} s",
)
plot.specshow(
    feats["spectrogram"],
    times=feats["spectrogram"].times + start,
    to_db="power",
    top_db=60,
    fmax=1000,
    ax=axes[1],
    title="STFT power spectrogram (32 ms Hann window)",
)
plot.specshow(
    feats["log_mel"],
    times=feats["log_mel"].times + start,
    ax=axes[2],
    title="Log-mel spectrogram (48 bands)",
)
plot.scalogram(
    feats["cwt"],
    times=feats["cwt"].times + start,
    to_db="amplitude",
    top_db=50,
    ax=axes[3],
    title="CWT scalogram (complex Morlet), cone of influence hatched",
)
plot.hilbert_spectrum(
    feats["hilbert_spectrum"],
    times=feats["hilbert_spectrum"].times + start,
    to_db="power",
    top_db=50,
    smooth=(10.0, 0.004),
    cmap="magma",
    ax=axes[4],
    title="Hilbert spectrum of 7 IMFs (5 Hz bins), smoothed by 10 Hz x 4 ms for display",
)
for ax in axes[:-1]:
    ax.set_xlabel("")
axes[-1].set_xlim(start, stop)
plt.show()
