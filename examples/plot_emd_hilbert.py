"""
EMD IMFs and the Hilbert spectrum
=================================

Empirical mode decomposition sifts a signal into intrinsic mode functions (IMFs), from the
fastest oscillation to the slowest, plus a residue; ``x == imfs.sum(0) + residue``. The Hilbert
transform of each IMF gives an instantaneous amplitude and frequency at every sample; binned
on a frequency grid they make the Hilbert spectrum, a time-frequency picture with no window
length to choose. One EMD feeds the ``emd``, ``hht`` and ``hilbert_spectrum`` features.
"""

import matplotlib.pyplot as plt
from scipy.signal import resample_poly

import physiofeat
from physiofeat import plot

x, sr = physiofeat.load(physiofeat.data.path("50277_MV"))  # CirCor, 4 kHz
start, stop = 4.0, 6.0
x = resample_poly(x[int(start * sr) : int(stop * sr)], 1, 4)  # 1 kHz: heart sounds < 400 Hz
sr = sr // 4

feats = physiofeat.extract(
    x,
    {"emd": {}, "hht": {}, "hilbert_spectrum": {"n_bins": 100, "fmax": 300.0, "mode": "energy"}},
    sr=sr,
    max_imfs=6,
)
print(feats)
emd = feats["emd"]
print("IMFs:", emd.attrs["n_imfs"], " sifts per IMF:", emd.attrs["n_sifts"])

# %%
# The ``hht`` feature's vector summarises each IMF; its energy share and mean instantaneous
# frequency say where each IMF's track lies in the figure below.
imf = feats["hht"].attrs["imf_features"]
for k in range(emd.attrs["n_imfs"]):
    print(
        f"IMF {k + 1}: {100 * imf['energy_share'][k]:5.1f} % of the energy, "
        f"instantaneous frequency {imf['freq_mean'][k]:6.1f} +/- {imf['freq_std'][k]:5.1f} Hz"
    )

# %%
# From the top: the IMF stack (each trace scaled to its lane), then three forms of the Hilbert
# spectrum, all against the recording's time (``offset=start``, ``times=t``):
#
# - each IMF's instantaneous-frequency track in its own colour; opacity and width follow the
#   amplitude (50 dB range), so the stretches where an IMF is quiet and its frequency is
#   ill-defined (IMF 1 between the heart sounds) fade, and a line is broken where the frequency
#   jumps by more than a tenth of the axis between two samples. The axis stops at 300 Hz:
#   IMF 1 also reaches above it, up to the 500 Hz Nyquist frequency;
# - the same tracks coloured by amplitude in dB;
# - the gridded ``hilbert_spectrum`` feature (energy in 3 Hz bins). Each sample falls in a
#   single bin, so the raw grid is a scatter of isolated bins; here it is Gaussian-smoothed for
#   display (``smooth=(3.0, 0.01)``: sigma 3 Hz and 10 ms), which keeps the total energy and
#   lowers the peak values.
t = feats["hht"].times + start
fig, axes = plt.subplots(
    4, 1, figsize=(8, 13), sharex=True, height_ratios=(1.4, 1, 1, 1), layout="constrained"
)
plot.imfshow(
    emd, sr=sr, offset=start, signal=x, residue=True, ax=axes[0], title="EMD of 50277_MV, 4-6 s"
)
plot.hilbert_spectrum(
    feats["hht"],
    times=t,
    fmax=300,
    top_db=50,
    color_by="imf",
    ax=axes[1],
    title="Instantaneous frequency of each IMF (opacity and width: amplitude)",
)
plot.hilbert_spectrum(
    feats["hht"],
    times=t,
    fmax=300,
    top_db=50,
    ax=axes[2],
    title="Instantaneous frequency of each IMF, coloured by amplitude",
)
plot.hilbert_spectrum(
    feats["hilbert_spectrum"],
    times=t,
    to_db="power",
    top_db=50,
    smooth=(3.0, 0.01),
    ax=axes[3],
    title="Hilbert spectrum (energy, 3 Hz bins), smoothed for display",
)
for ax in axes[:-1]:
    ax.set_xlabel("")
axes[-1].set_xlim(start, start + x.size / sr)
plt.show()
