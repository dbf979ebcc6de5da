"""The spectral family: STFT, spectrograms, mel, MFCC, deltas, cepstrum, spectral statistics,
zero-crossing rate and RMS, with librosa's conventions (see :mod:`physiofeat.spectral._core`).

Importing this module registers the spectral features for :func:`physiofeat.extract`.
"""

from . import _register  # noqa: F401  (registers the features)
from ._core import (
    amplitude_to_db,
    cepstrum,
    delta,
    fft_frequencies,
    frames_to_time,
    hz_to_mel,
    log_melspectrogram,
    mel_filters,
    mel_frequencies,
    mel_to_hz,
    melspectrogram,
    mfcc,
    power_to_db,
    rms,
    spectral_bandwidth,
    spectral_centroid,
    spectral_entropy,
    spectral_flatness,
    spectral_flux,
    spectral_rolloff,
    spectrogram,
    stft,
    zero_crossing_rate,
)

__all__ = [
    "amplitude_to_db",
    "cepstrum",
    "delta",
    "fft_frequencies",
    "frames_to_time",
    "hz_to_mel",
    "log_melspectrogram",
    "mel_filters",
    "mel_frequencies",
    "mel_to_hz",
    "melspectrogram",
    "mfcc",
    "power_to_db",
    "rms",
    "spectral_bandwidth",
    "spectral_centroid",
    "spectral_entropy",
    "spectral_flatness",
    "spectral_flux",
    "spectral_rolloff",
    "spectrogram",
    "stft",
    "zero_crossing_rate",
]
