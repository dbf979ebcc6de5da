"""physiofeat.envelope against direct NumPy/SciPy definitions (tests/naive.py) and real
annotated heart sounds.

Tolerances: every method is a handful of FFTs / filters / sums of the same definition, so the
comparisons are at float64 round-off scaled by the operation count (``tol(float64, 1e4)``
relative to the envelope's maximum, ~1e-12).
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.signal as ss
import soundfile as sf
from conftest import tol
from naive import (
    naive_analytic,
    naive_homomorphic,
    naive_psd_frames,
    naive_shannon,
    naive_wavelet_envelope,
)

import physiofeat
from physiofeat import InvalidSignalError, ParameterError
from physiofeat import envelope as E

SR = 2000.0
RTOL = tol(np.float64, 1e4)


@pytest.fixture(scope="module")
def pcg():
    x, sr = sf.read(physiofeat.data.path("a0007"))
    assert sr == SR
    return x[:3000]


def close(a, b, rtol=RTOL):
    np.testing.assert_allclose(a, b, rtol=0, atol=rtol * np.abs(b).max())


def test_hilbert(pcg):
    close(E.hilbert_envelope(pcg, sr=SR), np.abs(naive_analytic(pcg)))
    close(E.hilbert_envelope(pcg[:2999], sr=SR), np.abs(naive_analytic(pcg[:2999])))  # odd n


# The reference filters with (b, a) coefficients, the package with second-order sections: the
# same filter, but (b, a) loses digits as the order grows at a low cutoff (poles near z = 1),
# ~1e-8 relative at order 4 and 5 Hz / 2 kHz.
@pytest.mark.parametrize("cutoff, order, rtol", [(8.0, 1, 1e-11), (20.0, 2, 1e-10), (5.0, 4, 1e-7)])
def test_homomorphic(pcg, cutoff, order, rtol):
    got = E.homomorphic_envelope(pcg, sr=SR, cutoff=cutoff, order=order)
    close(got, naive_homomorphic(pcg, SR, cutoff=cutoff, order=order), rtol=rtol)


def test_homomorphic_of_constant_amplitude_tone_is_the_amplitude():
    t = np.arange(4000) / SR
    env = E.homomorphic_envelope(3.0 * np.cos(2 * np.pi * 100 * t), sr=SR)
    np.testing.assert_allclose(env[200:-200], 3.0, rtol=1e-6)


@pytest.mark.parametrize("frame_length", [0.02, 0.0, 0.0051])
def test_shannon(pcg, frame_length):
    x = pcg[:1500]
    close(
        E.shannon_envelope(x, sr=SR, frame_length=frame_length), naive_shannon(x, SR, frame_length)
    )


@pytest.mark.parametrize("wavelet, level", [("rbio3.9", None), ("rbio3.9", 2), ("db4", 5)])
def test_wavelet(pcg, wavelet, level):
    got = E.wavelet_envelope(pcg, sr=SR, wavelet=wavelet, level=level)
    close(got, naive_wavelet_envelope(pcg, wavelet, 4 if level is None else level))


@pytest.mark.parametrize("band, win, hop", [((40, 60), None, None), ((100.5, 150), 64, 16)])
def test_psd(pcg, band, win, hop):
    x = pcg[:1200]
    centres, vals = naive_psd_frames(x, SR, band[0], band[1], win, hop)
    got = E.psd_envelope(x, sr=SR, fmin=band[0], fmax=band[1], win_length=win, hop_length=hop)
    close(got, np.interp(np.arange(x.size) / SR, centres, vals))
    got50 = E.psd_envelope(
        x, sr=SR, fmin=band[0], fmax=band[1], win_length=win, hop_length=hop, out_sr=50
    )
    close(got50, np.interp(np.arange(30) / 50, centres, vals))


def test_psd_springer_framing_matches_scipy_spectrogram(pcg):
    # 25 ms symmetric Hamming frames, 50 % overlap: scipy's spectrogram evaluates the same
    # frames on its FFT grid; at 2 kHz / 50 samples the bins are 40 Hz apart, so bin 1 = 40 Hz.
    x = pcg[:2000]
    f, t, P = ss.spectrogram(
        x,
        fs=SR,
        window=ss.get_window("hamming", 50, fftbins=False),
        nperseg=50,
        noverlap=25,
        detrend=False,
        scaling="density",
    )
    assert f[1] == 40.0
    got = E.psd_envelope(x, sr=SR, fmin=40, fmax=40)
    close(got, np.interp(np.arange(x.size) / SR, t, P[1]))


@pytest.mark.parametrize("method", E.METHODS)
def test_out_sr_is_resample_poly_of_full_rate_and_times(pcg, method):
    full = E.envelope(pcg, sr=SR, method=method)
    assert full.shape == pcg.shape
    got = E.envelope(pcg, sr=SR, method=method, out_sr=50)
    assert got.shape == (75,)
    np.testing.assert_allclose(E.envelope_times(got, out_sr=50), np.arange(75) / 50)
    if method != "psd":  # psd is interpolated onto the output grid from its frames instead
        close(got, ss.resample_poly(full, 1, 40, padtype="line"))
    z = E.envelope(pcg, sr=SR, method=method, out_sr=50, normalize=True)
    close(z, (got - got.mean()) / got.std())
    # 3 / 40 and other rational ratios
    assert E.envelope(pcg, sr=SR, method=method, out_sr=150).shape == (225,)


@pytest.mark.parametrize("method", E.METHODS)
def test_batch_and_float32(pcg, method):
    xb = np.stack([pcg, pcg[::-1]])
    got = E.envelope(xb, sr=SR, method=method, out_sr=100)
    for i in range(2):
        close(got[i], E.envelope(xb[i], sr=SR, method=method, out_sr=100))
    g32 = E.envelope(pcg.astype(np.float32), sr=SR, method=method, out_sr=100)
    close(g32, got[0], rtol=tol(np.float32, 100))


@pytest.mark.parametrize("method", E.METHODS)
def test_real_heart_sound_envelopes_are_higher_during_s1_s2(method):
    # CirCor 50277_MV (4 kHz) with its manual S1/systole/S2/diastole segmentation; Springer's
    # pre-filter (25-400 Hz band-pass) first.
    x, sr = sf.read(physiofeat.data.path("50277_MV"))
    seg = np.loadtxt(str(physiofeat.data.path("50277_MV")).replace(".wav", ".tsv"))
    x = ss.sosfiltfilt(ss.butter(2, [25, 400], btype="band", fs=sr, output="sos"), x)
    env = E.envelope(x[: 10 * sr], sr=sr, method=method, out_sr=50)
    t = E.envelope_times(env, out_sr=50)
    state = np.zeros(t.size, int)
    for a, b, s in seg:
        state[(t >= a) & (t < b)] = int(s)
    sounds = env[(state == 1) | (state == 3)].mean()
    quiet = env[(state == 2) | (state == 4)].mean()
    assert sounds > 1.5 * quiet, (method, sounds / quiet)


def test_registered_envelope(pcg):
    feats = physiofeat.extract(pcg, {"envelope": {"method": "shannon", "out_sr": 100}}, sr=SR)
    f = feats["envelope"]
    assert f.dims == ("time",) and f.shape == (150,)
    np.testing.assert_allclose(f.times, np.arange(150) / 100)
    close(f.values, E.shannon_envelope(pcg, sr=SR, out_sr=100))
    assert feats.vector_names() == ["envelope_mean", "envelope_std", "envelope_min", "envelope_max"]
    fb = physiofeat.extract(
        np.stack([pcg, pcg]), ["envelope"], sr=SR, method="psd", band=(100, 150)
    )
    assert fb["envelope"].shape == (2, 3000)
    close(fb["envelope"].values[1], E.psd_envelope(pcg, sr=SR, fmin=100, fmax=150))
    assert "envelope" in [s.name for s in physiofeat.features(family="envelope")]


def test_errors(pcg):
    with pytest.raises(ParameterError, match="method must be one of 'hilbert', 'homomorphic'"):
        E.envelope(pcg, sr=SR, method="teager")
    with pytest.raises(ParameterError, match=r"out_sr=4000 Hz is above the input rate"):
        E.hilbert_envelope(pcg, sr=SR, out_sr=4000)
    with pytest.raises(ParameterError, match="out_sr must be > 0"):
        E.shannon_envelope(pcg, sr=SR, out_sr=0)
    with pytest.raises(ParameterError, match="not a ratio p/q with q <= 1000"):
        E.hilbert_envelope(pcg, sr=SR, out_sr=np.pi)
    with pytest.raises(ParameterError, match="cutoff=1000 Hz must be below the Nyquist"):
        E.homomorphic_envelope(pcg, sr=SR, cutoff=1000)
    with pytest.raises(ParameterError, match="order must be <= 10"):
        E.homomorphic_envelope(pcg, sr=SR, order=12)
    with pytest.raises(InvalidSignalError, match="too short for the zero-phase order-1 low-pass"):
        E.homomorphic_envelope(pcg[:5], sr=SR)
    with pytest.raises(ParameterError, match="maximum level is pywt.dwt_max_level"):
        E.wavelet_envelope(pcg, sr=SR, level=9)
    with pytest.raises(ParameterError, match="unknown discrete wavelet 'rbio9.9'"):
        E.wavelet_envelope(pcg, sr=SR, wavelet="rbio9.9")
    with pytest.raises(ParameterError, match=r"0 <= fmin <= fmax <= sr/2 = 1000 Hz"):
        E.psd_envelope(pcg, sr=SR, fmin=40, fmax=1500)
    with pytest.raises(ParameterError, match="contains no integer frequency"):
        E.psd_envelope(pcg, sr=SR, fmin=40.2, fmax=40.7)
    with pytest.raises(InvalidSignalError, match=r"shorter than one PSD frame \(win_length=50\)"):
        E.psd_envelope(pcg[:40], sr=SR)
    with pytest.raises(ParameterError, match=r"band must be a pair \(fmin, fmax\)"):
        E.envelope(pcg, sr=SR, method="psd", band=40)
    with pytest.raises(ParameterError, match="frame_length must be >= 0"):
        E.shannon_envelope(pcg, sr=SR, frame_length=-1)
    with pytest.raises(ParameterError, match="sampling rate in Hz"):
        E.envelope(pcg, sr=None)
    with pytest.raises(InvalidSignalError, match="empty"):
        E.envelope(np.array([]), sr=SR)


def test_normalize_must_be_a_bool():
    x = np.random.default_rng(8).standard_normal(2000)
    with pytest.raises(ParameterError, match=r"^normalize must be True or False; got 'yes'"):
        E.hilbert_envelope(x, sr=1000, normalize="yes")
    with pytest.raises(ParameterError, match=r"^normalize must be True or False; got 'no'"):
        physiofeat.extract(x, ["envelope"], sr=1000, normalize="no")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"method": "nope"}, r"^method must be one of 'hilbert', 'homomorphic', 'shannon'"),
        ({"out_sr": 0}, r"^out_sr must be > 0"),
        ({"normalize": "yes"}, r"^normalize must be True or False; got 'yes'"),
        ({"cutoff": 0}, r"^cutoff must be > 0"),
        ({"order": 11}, r"^order must be <= 10; got 11"),
        ({"method": "shannon", "frame_length": -0.1}, r"^frame_length must be >= 0"),
        ({"method": "wavelet", "wavelet": "db99"}, r"^unknown discrete wavelet 'db99'"),
        ({"method": "wavelet", "level": 0}, r"^level must be >= 1; got 0"),
        ({"method": "psd", "band": (40.0,)}, r"^band must be a pair \(fmin, fmax\) in Hz"),
        ({"method": "psd", "band": (-1.0, 40.0)}, r"^fmin must be >= 0"),
        ({"method": "psd", "band": (60.0, 40.0)}, r"^the PSD band must satisfy 0 <= fmin <= fmax"),
        ({"method": "psd", "band": (40.2, 40.8)}, r"^the PSD band \[40.2, 40.8\] Hz contains no"),
        ({"method": "psd", "win_length": 1}, r"^win_length must be >= 2; got 1"),
        ({"method": "psd", "hop_length": 0}, r"^hop_length must be >= 1; got 0"),
    ],
)
def test_extract_refuses_bad_parameters_before_any_work(no_compute, params, message):
    with pytest.raises(ParameterError, match=message):
        physiofeat.extract(np.zeros(64), {"envelope": params}, sr=SR)


def test_other_methods_parameters_stay_ignored_and_rate_checks_stay_in_compute():
    """As envelope() documents, a method's parameters are ignored by the others; the envelope
    feature refuses them instead (issue #17: they would be recorded and change nothing); cutoff
    and out_sr are checked against sr in compute."""
    x = np.random.default_rng(2).standard_normal(400)
    got = E.envelope(x, sr=SR, method="hilbert", order=0, band=())
    np.testing.assert_array_equal(got, E.hilbert_envelope(x, sr=SR))
    with pytest.raises(ParameterError, match=r"envelope\.order \(envelope uses order only with "):
        physiofeat.extract(x, {"envelope": {"method": "hilbert", "order": 0, "band": ()}}, sr=SR)
    with pytest.raises(
        ParameterError, match=r"^feature 'envelope': cutoff=1500 Hz must be below the Nyquist"
    ):
        physiofeat.extract(x, ["envelope"], sr=SR, cutoff=1500.0)
    with pytest.raises(
        ParameterError, match=r"^feature 'envelope': out_sr=4000 Hz is above the input rate"
    ):
        physiofeat.extract(x, ["envelope"], sr=SR, out_sr=4000.0)


def test_psd_default_hop_stays_positive_for_short_windows(pcg):
    # win_length below sr/80 samples: Springer's default hop (win - sr/80) would be <= 0; the
    # default is then 1, the same frames as asking for it
    x = pcg[:4000]
    got = physiofeat.envelope.psd_envelope(x, sr=2000.0, win_length=10)
    want = physiofeat.envelope.psd_envelope(x, sr=2000.0, win_length=10, hop_length=1)
    np.testing.assert_array_equal(got, want)
