"""
From a feature table to a classifier
====================================

Features become a table with one row per recording (or window) and stable column names, ready
for scikit-learn. The data here are 2.5 s windows of the two PhysioNet recordings and synthetic
"murmur" variants of the same windows: band-limited noise (150-400 Hz) added 16-32 dB below
the window's power.
The classifier is trained on one recording's windows and tested on the other's, so it cannot
succeed by recognising the recording. This demonstrates the API; it is not a clinical result.
"""

import matplotlib.pyplot as plt
import numpy as np
from scipy.signal import butter, sosfiltfilt
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import confusion_matrix
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import physiofeat
from physiofeat import plot
from physiofeat.sklearn import FeatureExtractor

rng = np.random.default_rng(7)
sos = butter(4, [150, 400], btype="bandpass", fs=2000, output="sos")


def windows_with_murmurs(name, length=2.5):
    """Non-overlapping windows of a recording, each also with a synthetic murmur added."""
    x, sr = physiofeat.load(physiofeat.data.path(name))
    n = int(length * sr)
    clean = x[: x.size // n * n].reshape(-1, n).astype(np.float64)
    noise = sosfiltfilt(sos, rng.standard_normal(clean.shape), axis=-1)
    snr_db = rng.uniform(-32, -16, size=(len(clean), 1))  # murmur power relative to the window
    gain = np.sqrt(clean.var(axis=1, keepdims=True) / noise.var(axis=1, keepdims=True))
    murmur = clean + noise * gain * 10 ** (snr_db / 20)
    X = np.vstack([clean, murmur])
    y = np.r_[np.zeros(len(clean)), np.ones(len(murmur))].astype(int)
    return X, y, sr


X_train, y_train, sr = windows_with_murmurs("a0007")
X_test, y_test, _ = windows_with_murmurs("a0126")
print("train", X_train.shape, "test", X_test.shape)

# %%
# A 2-D input is one vectorised batch: ``extract`` returns every feature with a leading
# ``signal`` axis and ``to_frame()`` one row per window.
names = ["mfcc", "spectral_centroid", "spectral_flatness", "dwt", "temporal"]
params = dict(n_fft=256, hop_length=64, n_mels=40, n_mfcc=13, fmax=1000.0)
train = physiofeat.extract(X_train, names, sr=sr, **params).to_frame()
test = physiofeat.extract(X_test, names, sr=sr, **params).to_frame()
print(train.shape, list(train.columns[:4]), "...")

model = make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=2000))
model.fit(train.to_numpy(), y_train)
pred = model.predict(test.to_numpy())
print(f"accuracy on the held-out recording: {np.mean(pred == y_test):.2f}")

# %%
# The same model as one scikit-learn ``Pipeline``: :class:`physiofeat.sklearn.FeatureExtractor`
# turns raw signals (or file paths) into the same vectors, so cross-validation and grid search
# see the feature extraction as one more step.
pipe = make_pipeline(
    FeatureExtractor(names, sr=sr, params=params),
    StandardScaler(),
    LogisticRegression(C=0.1, max_iter=2000),
)
pipe.fit(X_train, y_train)
print(f"Pipeline accuracy on the held-out recording: {pipe.score(X_test, y_test):.2f}")
print(list(pipe[0].get_feature_names_out()[:3]), "...")

# %%
# Left: the log-mel spectrogram of one test window without and with its murmur. Right: the
# confusion matrix on the held-out recording and the largest standardised coefficients.
coef = model[-1].coef_[0]
top = np.argsort(np.abs(coef))[::-1][:10]
cm = confusion_matrix(y_test, pred)

fig = plt.figure(figsize=(9, 8), layout="constrained")
grid = fig.add_gridspec(2, 2, width_ratios=(1.5, 1))
i = 3
for row, (label, xi) in enumerate([("clean", X_test[i]), ("murmur", X_test[i + len(X_test) // 2])]):
    ax = fig.add_subplot(grid[row, 0])
    F = physiofeat.extract(
        xi, ["log_mel"], sr=sr, **{k: params[k] for k in params if k != "n_mfcc"}
    )
    plot.specshow(F["log_mel"], ax=ax, title=f"Test window {i}, {label}")
ax = fig.add_subplot(grid[0, 1])
ax.imshow(cm, cmap="Blues")
for (r, c), v in np.ndenumerate(cm):
    ax.text(c, r, str(v), ha="center", va="center")
ax.set(
    xticks=[0, 1],
    yticks=[0, 1],
    xticklabels=["clean", "murmur"],
    yticklabels=["clean", "murmur"],
    xlabel="predicted",
    ylabel="true",
    title="Held-out recording (a0126)",
)
ax = fig.add_subplot(grid[1, 1])
ax.barh(np.arange(10)[::-1], coef[top], color=np.where(coef[top] > 0, "C3", "C0"))
ax.set_yticks(np.arange(10)[::-1], train.columns[top], fontsize="small")
ax.set(xlabel="coefficient (standardised)", title="Largest coefficients")
plt.show()
