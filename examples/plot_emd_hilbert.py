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
x = resample_poly(x[int(4.0 * sr) : int(6.0 * sr)], 1, 4)  # 2 s at 1 kHz: heart sounds < 400 Hz
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
# The IMF stack (each trace scaled to its lane), then two forms of the Hilbert spectrum:
# every sample of every IMF as a dot at its instantaneous frequency coloured by amplitude, and
# the energy binned on a 3 Hz grid.
fig, axes = plt.subplots(3, 1, figsize=(8, 10), height_ratios=(1.4, 1, 1), layout="constrained")
plot.imfshow(emd, sr=sr, signal=x, residue=True, ax=axes[0], title="EMD of 50277_MV, 4-6 s")
plot.hilbert_spectrum(
    feats["hht"],
    fmax=300,
    ax=axes[1],
    s=2,
    title="Instantaneous frequency of each IMF, coloured by amplitude",
)
plot.hilbert_spectrum(
    feats["hilbert_spectrum"],
    to_db="power",
    top_db=50,
    ax=axes[2],
    title="Hilbert spectrum (energy, 100 bins to 300 Hz)",
)
plt.show()
