"""
Bispectrum and bicoherence
==========================

The bispectrum ``B(f1, f2) = E[X(f1) X(f2) X*(f1 + f2)]`` is non-zero where three frequency
components are phase-coupled (``f3 = f1 + f2``), which a power spectrum cannot show; the squared
bicoherence normalises it to [0, 1]. Both are estimated by averaging over segments and live on the
principal domain ``0 <= f2 <= f1, f1 + f2 <= sr / 2`` (NaN elsewhere). Heart-sound energy lies
mostly below 150 Hz, and so does ``|B|``; the bicoherence is normalised by the power, so it also
reaches the weak regions, where its estimate is noisier (its floor is about one over the number
of segments).
"""

import matplotlib.pyplot as plt

import physiofeat
from physiofeat import plot

x, sr = physiofeat.load(physiofeat.data.path("a0007"))  # normal, 2 kHz
y, _ = physiofeat.load(physiofeat.data.path("a0126"))  # abnormal, 2 kHz

params = dict(n_fft=256, hop_length=128)
fx = physiofeat.extract(x, ["bispectrum", "bicoherence"], sr=sr, **params)
fy = physiofeat.extract(y, ["bispectrum", "bicoherence"], sr=sr, **params)
print(fx)
print(fx.to_frame().filter(like="bispectrum_").round(3).T)

# %%
# ``|B|`` in dB (50 dB range) and the squared bicoherence, up to ``f1 = 500`` Hz where the
# heart sounds are, and over all of ``f2 <= f1`` there (``plot.bispectrum`` with ``fmax``
# stops the ``f2`` axis at ``fmax / 2``, which would cut off the top of the abnormal
# recording's bicoherence). Above the dashed line ``f2 = f1`` (white) is outside the principal
# domain; its other edge, ``f1 + f2 = sr / 2 = 1000`` Hz, lies beyond these axes.
fig, axes = plt.subplots(2, 2, figsize=(9, 7.5), layout="constrained")
for col, (name, f) in enumerate([("a0007 (normal)", fx), ("a0126 (abnormal)", fy)]):
    plot.bispectrum(
        f["bispectrum"],
        sr=sr,
        to_db="amplitude",
        top_db=50,
        fmax=500,
        ax=axes[0, col],
        title=f"|B|, {name}",
    )
    plot.bispectrum(
        f["bicoherence"],
        sr=sr,
        fmax=500,
        levels=10,
        cmap="magma",
        ax=axes[1, col],
        title=f"Bicoherence, {name}",
    )
for ax in axes.flat:
    ax.set_ylim(0, 500)
    ax.set_aspect("equal")
plt.show()
