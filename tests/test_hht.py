"""Tests of physiofeat.hht: EMD/EEMD/CEEMDAN and Hilbert spectral analysis.

Oracles
-------
- PyEMD (EMD-signal 1.x) ``EMD()`` with its defaults: cubic (not-a-knot) splines, ``nbsym=2``
  mirroring, ``check_imf`` stopping, ``range_thr=0.001``, ``total_power_thr=0.005``,
  ``MAX_ITERATION=1000``. physiofeat's defaults are the same rule with the thresholds relative to
  ``std(x)``, so the oracle is run on unit-std signals with both sides' defaults (physiofeat's
  ``max_sifts=999``: PyEMD stops at iteration 1000 before sifting). Tolerance: 1e-10 absolute
  on unit-std signals (observed ~1e-15).
- ``emd`` (0.8) ``sift.sift`` with its defaults: SD stop ``sum(m**2)/sum(h_new**2) < 0.1``,
  ``splrep`` (not-a-knot) envelopes, Rilling padding, ``sift_thresh=1e-8``, ``energy_thresh=50``
  = physiofeat ``stop='sd', stop_thresh=0.1, power_thresh=1e-8, range_thresh=0, energy_db=50``.
  The first two IMFs agree to 1e-10 on the first 80 % of the signal only: at the right edge
  emd's ``_pad_extrema_rilling`` mirrors every maximum in one branch (``indmax[-(pad_width-2):]``
  is the whole array for ``pad_width=2``), where PyEMD (and physiofeat) mirror two; the spline
  spreads that difference a few knots inwards, and it compounds in later IMFs.
- scipy ``CubicSpline`` (not-a-knot / natural) for the spline kernel, ``emd.spectra`` for the
  instantaneous frequency and ``hilberthuang``, tests/naive.py for extrema and binning,
  PyEMD's ``find_extrema`` + ``prepare_points`` for the mirrored boundary knots.
- Properties (as the emd package's tests): reconstruction, scaling, sifting an IMF, two tones,
  time reversal.
"""

from __future__ import annotations

import warnings

import hypothesis.strategies as st
import numpy as np
import pytest
from conftest import tol
from hypothesis import given, settings
from naive import naive_extrema, naive_hilbert_spectrum
from numpy.testing import assert_allclose, assert_array_equal

import physiofeat
from physiofeat import InvalidSignalError, ParameterError
from physiofeat.hht import (
    _kernels,
    ceemdan,
    eemd,
    emd,
    hilbert_spectrum,
    imf_features,
    instantaneous,
    marginal_spectrum,
)

SR = 1000


def _unit(x):
    return x / x.std()


def _tones(n=1000, f1=50.0, f2=5.0, a2=1.0):
    t = np.arange(n) / SR
    return np.sin(2 * np.pi * f1 * t) + a2 * np.sin(2 * np.pi * f2 * t + 0.4)


def _mixed(n=1000, seed=3):
    rng = np.random.default_rng(seed)
    t = np.arange(n) / SR
    x = (
        np.sin(2 * np.pi * 60 * t)
        + 0.7 * np.sin(2 * np.pi * 9 * t + 0.3)
        + 0.8 * t
        + 0.3 * rng.standard_normal(n)
    )
    return _unit(x)


# --------------------------------------------------------------------------------------------
# kernels against independent references


@pytest.mark.parametrize(
    ("nk", "n"),
    [(nk, 200) for nk in (3, 4, 5, 6, 7, 9, 40, 150)] + [(6, 3000), (40, 3000), (1500, 3000)],
)
def test_spline_matches_scipy(nk, n, rng):
    """Integer knots covering [0, n-1] (the sift's), dense (intervals < 8 samples) to sparse
    (intervals of hundreds), through the twisted factorisation (>= 6 knots) or the plain one."""
    from scipy.interpolate import CubicSpline

    t = np.sort(rng.choice(np.arange(1, n - 1), size=nk - 2, replace=False)).astype(float)
    t = np.r_[-3.0, t, n + 3.0]
    y = rng.standard_normal(nk)
    out = np.empty(n)
    _kernels.spline_eval(t, y, out)
    ref = CubicSpline(t, y, bc_type="natural" if nk == 3 else "not-a-knot")(np.arange(n))
    assert_allclose(out, ref, rtol=0, atol=tol(np.float64, 1e4) * np.abs(y).max())


def _knots(x, dense, nb=2):
    """physiofeat's extrema written as knots (the sift's layout): positions, values, counts."""
    n = x.size
    off = nb + 2
    imax = np.full(n, -1, np.int64)
    imin = np.full(n, -1, np.int64)
    kn = np.full((4, n // 2 + 3 * nb + 16), np.nan)
    sgb = np.zeros((2, n + 8), np.int64)
    nmax, nmin, nzc = _kernels._extrema_knots(
        x, imax, imin, kn[0], kn[1], kn[2], kn[3], off, nb, sgb[0].view(np.int8), sgb[1], dense
    )
    return kn, off, imax, imin, nmax, nmin, nzc


@pytest.mark.parametrize("dense", [True, False])
def test_extrema_match_naive(rng, dense):
    cases = []
    for trial in range(12):
        cases.append(np.round(rng.standard_normal(300) * (2 if trial % 2 else 50)))  # plateaus
    cases += [rng.standard_normal(n) for n in (10, 17, 64, 300, 1001)]  # the vector paths
    cases += [rng.standard_normal(n).cumsum() for n in (300, 2000)]  # sparse extrema
    cases += [rng.standard_normal(n) for n in (3, 5, 9)]  # shorter than one vector step
    for x in cases:
        kn, off, imax, imin, nmax, nmin, nzc = _knots(x, dense)
        mx, mn, zc = naive_extrema(x)
        assert (nmax, nmin, nzc) == (len(mx), len(mn), zc)
        assert_array_equal(kn[0, off : off + nmax], mx)
        assert_array_equal(kn[1, off : off + nmax], x[mx])
        assert_array_equal(kn[2, off : off + nmin], mn)
        assert_array_equal(kn[3, off : off + nmin], x[mn])
        for i, ref in ((imax, mx), (imin, mn)):  # the ends the mirroring reads
            e = min(len(ref), 5)
            assert_array_equal(i[:e], ref[:e])
            assert_array_equal(i[len(ref) - e : len(ref)], ref[len(ref) - e :])


def test_boundary_knots_match_pyemd(rng):
    """Knots with the mirrored boundary (nbsym=2) against PyEMD's find_extrema +
    prepare_points (its duplicate positions dropped, as its spline step does)."""
    from PyEMD import EMD

    ref = EMD()
    checked = 0
    for trial in range(40):
        n = int(rng.integers(40, 400))
        x = rng.standard_normal(n).cumsum() if trial % 2 else rng.standard_normal(n)
        T = np.arange(n, dtype=float)
        mp, mv, np_, nv, _ = ref.find_extrema(T, x)
        if len(mp) < 3 or len(np_) < 3:
            continue
        rmax, rmin = ref.prepare_points(T, x, mp, mv, np_, nv)
        kn, off, imax, imin, nmax, nmin, nzc = _knots(x, trial % 3 == 0)
        lbuf = np.zeros((4, n // 2 + 6), np.int64)
        tbuf = np.zeros((2, 4))
        smax, kmax, smin, kmin = _kernels._mirror_in(
            x, imax, nmax, imin, nmin, 2, kn[0], kn[1], kn[2], kn[3], lbuf, tbuf, off
        )
        assert kmax > 0 and kmin > 0
        for r, s0, k, rows in ((rmax, smax, kmax, (0, 1)), (rmin, smin, kmin, (2, 3))):
            pos, idx = np.unique(r[0], return_index=True)
            assert_array_equal(kn[rows[0], s0 : s0 + k], pos)
            assert_array_equal(kn[rows[1], s0 : s0 + k], r[1][idx])
        checked += 1
    assert checked > 30


def test_hilbert_binning_matches_naive(rng):
    freq = rng.uniform(-5, 120, size=(3, 500))
    amp = rng.uniform(0, 2, size=(3, 500))
    for edges, uniform in [
        (np.linspace(0, 100, 41), True),
        (np.r_[0, 3, 10, 30, 60, 100.0], False),
    ]:
        for power in (False, True):
            out = np.zeros((1, 500, len(edges) - 1))
            _kernels.hilbert_accumulate(freq[None], amp[None], edges, uniform, power, out)
            ref = naive_hilbert_spectrum(freq, amp, edges, power=power)
            assert_allclose(out[0].T, ref, rtol=tol(np.float64, 10), atol=0)


# --------------------------------------------------------------------------------------------
# oracles: PyEMD and emd


@pytest.mark.parametrize(
    "make",
    [
        lambda: _unit(_tones()),
        lambda: _mixed(),
        lambda: _mixed(700, 9),
        lambda: _mixed(2600, 11),  # several evaluation blocks; dense and sparse extrema
    ],
)
def test_emd_matches_pyemd(make):
    from PyEMD import EMD

    x = make()
    ref = EMD()
    ref.emd(x)
    ref_imfs, ref_res = ref.get_imfs_and_residue()
    ours = emd(x)  # the defaults on both sides
    assert ours.n_imfs == ref_imfs.shape[0]
    assert_allclose(ours.imfs, ref_imfs, rtol=0, atol=1e-10)
    assert_allclose(ours.residue, ref_res, rtol=0, atol=1e-10)


def test_sift_cap_default_matches_pyemd():
    """PyEMD's MAX_ITERATION=k stops before its k-th sift: physiofeat's max_sifts=k-1 is the
    same cap (checked where the cap binds), and the defaults correspond."""
    import inspect

    from PyEMD import EMD

    x = _mixed(800, 5)
    ref = EMD(MAX_ITERATION=4)
    ref.emd(x)
    ours = emd(x, max_sifts=3)
    assert (ours.n_sifts == 3).sum() >= 3  # the cap binds
    assert_allclose(ours.imfs, ref.get_imfs_and_residue()[0], rtol=0, atol=1e-10)
    assert inspect.signature(emd).parameters["max_sifts"].default + 1 == EMD().MAX_ITERATION


def test_emd_matches_pyemd_on_heart_sound(shared_data):
    import soundfile as sf
    from PyEMD import EMD

    x, sr = sf.read(shared_data / "pcg" / "physionet2016" / "a0007.wav")
    x = _unit(x[4000:6000].astype(np.float64))  # 16-bit audio: plateaus exercise that path
    ref = EMD()
    ref.emd(x, max_imf=4)
    ours = emd(x, max_imfs=4)
    assert_allclose(ours.imfs, ref.get_imfs_and_residue()[0], rtol=0, atol=1e-10)


def test_emd_matches_emd_package():
    import emd as emd_pkg

    x = _mixed(1200, 5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # emd's own np.log10(where=) UserWarning
        ref = emd_pkg.sift.sift(x).T  # (n_imfs + residue, n)
    ours = emd(x, stop="sd", stop_thresh=0.1, power_thresh=1e-8, range_thresh=0.0, energy_db=50.0)
    inner = slice(0, int(0.8 * x.size))
    assert_allclose(ours.imfs[:2, inner], ref[:2, inner], rtol=0, atol=1e-10)


# --------------------------------------------------------------------------------------------
# properties


@pytest.mark.parametrize("func", [emd, eemd, ceemdan])
def test_reconstruction(func):
    x = 3.0 * _mixed(800) + 5.0
    kw = {} if func is emd else {"trials": 6, "seed": 1}
    r = func(x, **kw)
    assert r.imfs.shape == (r.n_imfs, x.size)
    assert r.n_imfs >= 3
    assert_allclose(r.imfs.sum(0) + r.residue, x, rtol=0, atol=tol(np.float64, 100) * 8)


@pytest.mark.parametrize("scale", [4.0, 1e-3 * 2**-3])
def test_scaling_scales_imfs(scale):
    x = _mixed(900)
    a, b = emd(x), emd(scale * x)
    assert a.n_imfs == b.n_imfs
    assert_allclose(b.imfs, scale * a.imfs, rtol=0, atol=tol(np.float64, 100) * scale)


def test_sifting_an_imf_returns_it():
    imf = emd(_unit(_tones()), stop="sd", stop_thresh=0.1).imfs[0]
    again = emd(imf, stop="sd", stop_thresh=0.1)
    assert again.n_sifts[0] == 1
    assert_allclose(again.imfs[0], imf, rtol=0, atol=0.02 * np.abs(imf).max())
    share = np.sum(again.imfs[0] ** 2) / np.sum(imf**2)
    assert abs(share - 1) < 0.02


def test_two_tones_separate_with_matching_frequencies():
    x = _tones(2000)
    r = emd(x)
    ins = instantaneous(r.imfs[:2], sr=SR)
    inner = slice(200, -200)
    assert abs(np.median(ins.frequency[0, inner]) - 50.0) < 0.5
    assert abs(np.median(ins.frequency[1, inner]) - 5.0) < 0.2
    assert_allclose(np.median(ins.amplitude[:, inner], axis=1), [1.0, 1.0], atol=0.03)
    # energy in the first two IMFs, the rest is small
    assert np.sum(r.imfs[2:] ** 2) < 0.03 * np.sum(x**2)  # edge effects, as PyEMD's


def test_time_reversal_reverses_imfs():
    x = _mixed(800)
    a, b = emd(x), emd(x[::-1].copy())
    assert a.n_imfs == b.n_imfs
    assert_allclose(b.imfs[:, ::-1], a.imfs, rtol=0, atol=1e-8)


# --------------------------------------------------------------------------------------------
# ensembles: seeds


@pytest.mark.parametrize("func", [eemd, ceemdan])
def test_ensemble_seed_reproducible_across_workers(func):
    x = _mixed(600)
    a = func(x, trials=6, seed=11, n_jobs=1)
    b = func(x, trials=6, seed=11, n_jobs=2)
    c = func(x, trials=6, seed=12, n_jobs=2)
    assert_array_equal(a.imfs, b.imfs)
    assert_array_equal(a.residue, b.residue)
    assert not np.allclose(a.imfs[0], c.imfs[0])
    batch = func(np.stack([x, 2 * x]), trials=6, seed=11, n_jobs=2)  # rows as if alone
    assert_array_equal(batch.imfs[0, : a.n_imfs], a.imfs)
    assert batch.n_imfs[0] == a.n_imfs


def test_eemd_averages_seeded_trials():
    # trial i uses SeedSequence(seed).spawn(trials)[i]: rebuild the ensemble by hand
    x = _mixed(500)
    trials = 3
    seeds = np.random.SeedSequence(5).spawn(trials)
    width = 0.05 * np.ptp(x)
    runs = [emd(x + width * np.random.default_rng(s).standard_normal(x.size)) for s in seeds]
    k = max(r.n_imfs for r in runs)
    ref = np.zeros((k, x.size))
    for r in runs:
        ref[: r.n_imfs] += r.imfs
    ours = eemd(x, trials=trials, seed=5)
    assert_allclose(ours.imfs, ref / trials, rtol=0, atol=tol(np.float64, 100))


# --------------------------------------------------------------------------------------------
# degenerate input and errors


@pytest.mark.parametrize(
    "x",
    [
        np.full(100, 3.0),
        np.linspace(-1, 2, 100),
        (np.arange(100) - 40.0) ** 2,
        np.array([1.0, 2.0]),
        np.array([5.0]),
        np.array([0.0, 1.0, 0.0, 1.0, 0.0]),
    ],
    ids=["constant", "monotonic", "one-extremum", "two-samples", "one-sample", "five-samples"],
)
def test_trend_only_signals_give_residue(x):
    for r in (emd(x), eemd(x, trials=3, seed=0), ceemdan(x, trials=3, seed=0)):
        assert r.imfs.shape[-1] == x.size
        assert_allclose(r.imfs.sum(0) + r.residue, x, rtol=0, atol=1e-12)
    r = emd(x)
    if x.size < 5 or np.ptp(np.diff(x)) == 0 or x[0] == 3.0 or x.size == 100:
        assert r.n_imfs == 0
        assert_array_equal(r.residue, x)


def test_batch_pads_imfs_and_reports_counts():
    x = np.stack([_mixed(600), np.full(600, 2.0), _unit(_tones(600))])
    r = emd(x, n_jobs=2)
    assert r.n_imfs[1] == 0
    assert r.imfs.shape == (3, r.n_imfs.max(), 600)
    for i in range(3):
        alone = emd(x[i])
        assert r.n_imfs[i] == alone.n_imfs
        assert_array_equal(r.imfs[i, : alone.n_imfs], alone.imfs)
        assert not r.imfs[i, alone.n_imfs :].any()
    assert_allclose(r.imfs.sum(1) + r.residue, x, rtol=0, atol=1e-12)


def test_quantised_noise_terminates():
    rng = np.random.default_rng(0)
    x = np.round(rng.standard_normal(3000) * 3)  # plateaus, exact zeros
    r = emd(x, max_sifts=50)
    assert 1 <= r.n_imfs <= int(np.log2(3000)) + 4
    assert_allclose(r.imfs.sum(0) + r.residue, x, rtol=0, atol=1e-11)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.integers(-2, 2), min_size=1, max_size=60).map(lambda v: np.array(v, float))
    | st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=1, max_size=60).map(np.array),
    st.sampled_from(["pyemd", "sd", "s_number", "energy"]),
)
def test_short_odd_signals_never_crash(x, stop):
    # plateaus, exact zeros, few extrema: the kernel never raises (numpy error model) nor
    # hangs, and the IMFs still reconstruct the signal
    r = emd(x, stop=stop, max_sifts=100)
    assert np.isfinite(r.imfs).all()
    scale = max(1.0, np.abs(x).max())
    assert_allclose(r.imfs.sum(0) + r.residue, x, rtol=0, atol=1e-9 * scale)


def test_zero_division_regression():
    x = np.array([0.0, 1.0, 0.0, 1.0, -1.0, 1.0, 0.0])  # once raised ZeroDivisionError
    r = emd(x)
    assert_allclose(r.imfs.sum(0) + r.residue, x, rtol=0, atol=1e-12)


@pytest.mark.parametrize("stop", ["sd", "s_number", "energy", "fixed"])
def test_other_stop_rules_run(stop):
    r = emd(_mixed(700), stop=stop)
    assert r.n_imfs >= 3
    if stop == "fixed":
        assert np.all(r.n_sifts == 10)


def test_errors():
    with pytest.raises(InvalidSignalError, match="non-finite"):
        emd(np.r_[1.0, np.nan, 2.0])
    with pytest.raises(InvalidSignalError, match="non-finite"):
        eemd(np.r_[1.0, np.inf, 2.0], trials=2)
    with pytest.raises(
        InvalidSignalError, match=r"shape \(n_samples,\) or \(n_signals, n_samples\)"
    ):
        emd(np.zeros((2, 2, 5)))
    with pytest.raises(InvalidSignalError, match="empty"):
        ceemdan(np.array([]))
    with pytest.raises(ParameterError, match="stop must be one of 'pyemd', 'sd'"):
        emd(np.arange(10.0), stop="cauchy")
    with pytest.raises(ParameterError, match="max_imfs must be >= 1; got 0"):
        emd(np.arange(10.0), max_imfs=0)
    with pytest.raises(ParameterError, match="stop_thresh must be > 0"):
        emd(np.arange(10.0), stop="sd", stop_thresh=-1.0)
    with pytest.raises(ParameterError, match="a number of sifts"):
        emd(np.arange(10.0), stop="s_number", stop_thresh=2.5)
    with pytest.raises(ParameterError, match="n_jobs must be >= 1"):
        emd(np.arange(10.0), n_jobs=0)
    with pytest.raises(ParameterError, match="trials must be >= 1"):
        eemd(np.arange(10.0), trials=0)
    with pytest.raises(ParameterError, match="seed must be None, a non-negative int.*-1"):
        eemd(np.arange(10.0), trials=2, seed=-1)
    with pytest.raises(ParameterError, match="seed must be None, a non-negative int.*True"):
        eemd(np.arange(10.0), trials=2, seed=True)
    with pytest.raises(ParameterError, match="seed must be None, a non-negative int"):
        ceemdan(np.arange(10.0), trials=2, seed="abc")
    with pytest.raises(ParameterError, match="epsilon must be >= 0"):
        ceemdan(np.arange(10.0), epsilon=-0.1)
    with pytest.raises(ParameterError, match="noise_width must be a finite number"):
        eemd(np.arange(10.0), noise_width=np.nan)
    imfs = np.ones((2, 50))
    with pytest.raises(ParameterError, match="sr must be a positive number"):
        instantaneous(imfs, sr=0)
    with pytest.raises(InvalidSignalError, match="at least 3"):
        instantaneous(np.ones((2, 2)), sr=1)
    with pytest.raises(ParameterError, match="fmax must exceed fmin"):
        hilbert_spectrum(imfs, sr=100, fmin=20, fmax=10)
    with pytest.raises(ParameterError, match="edges must be a 1-D strictly increasing"):
        hilbert_spectrum(imfs, sr=100, edges=[1, 1, 2])
    with pytest.raises(ParameterError, match="mode must be one of 'amplitude', 'energy'"):
        marginal_spectrum(imfs, sr=100, mode="power")
    with pytest.raises(ParameterError, match="residue must have shape"):
        imf_features(imfs, sr=100, residue=np.ones(49))
    with pytest.raises(ParameterError, match="method must be one of 'emd', 'eemd', 'ceemdan'"):
        physiofeat.extract(np.arange(50.0), ["emd"], sr=100, method="vmd")


# --------------------------------------------------------------------------------------------
# Hilbert analysis


def test_instantaneous_matches_emd_package():
    import emd as emd_pkg

    r = emd(_mixed(800))
    ours = instantaneous(r.imfs, sr=SR)
    _, f_ref, a_ref = emd_pkg.spectra.frequency_transform(
        r.imfs.T, SR, "hilbert", smooth_phase=None
    )
    assert_allclose(ours.frequency, f_ref.T, rtol=0, atol=tol(np.float64, 1e4) * SR)
    assert_allclose(ours.amplitude, a_ref.T, rtol=0, atol=tol(np.float64, 1e3))


def test_hilbert_spectrum_matches_emd_hilberthuang():
    import emd as emd_pkg

    r = emd(_mixed(800))
    edges = np.linspace(0, 200, 51)
    f, H = hilbert_spectrum(r.imfs, sr=SR, edges=edges, mode="energy")
    ins = instantaneous(r.imfs, sr=SR)
    f_ref, H_ref = emd_pkg.spectra.hilberthuang(
        ins.frequency.T, ins.amplitude.T, edges, sum_time=False, mode="power"
    )
    assert_allclose(f, f_ref, rtol=tol(np.float64, 10))
    assert_allclose(H, H_ref, rtol=tol(np.float64, 100), atol=0)
    f2, h = marginal_spectrum(r.imfs, sr=SR, edges=edges, mode="energy")
    assert_allclose(h, H.sum(-1), rtol=tol(np.float64, 10))
    fu, Hu = hilbert_spectrum(r.imfs, sr=SR, n_bins=50, fmax=200.0, mode="energy")  # uniform path
    assert_allclose(Hu, H, rtol=tol(np.float64, 100), atol=0)


@pytest.mark.parametrize("scaling", ["spectrum", "density"])
def test_marginal_spectrum_scaling_matches_emd(scaling):
    import emd as emd_pkg

    r = emd(_mixed(800))
    edges = np.linspace(0, 200, 51)
    ins = instantaneous(r.imfs, sr=SR)
    _, h_ref = emd_pkg.spectra.hilberthuang(
        ins.frequency.T, ins.amplitude.T, edges, mode="amplitude", sample_rate=SR, scaling=scaling
    )
    _, h = marginal_spectrum(r.imfs, sr=SR, edges=edges, scaling=scaling)
    assert_allclose(h, h_ref, rtol=tol(np.float64, 100), atol=0)
    # through extract: the same normalisation of the plain sum
    x = _mixed(800)
    got = physiofeat.extract(x, {"marginal_spectrum": {"n_bins": 20, "scaling": scaling}}, sr=SR)
    plain = physiofeat.extract(x, {"marginal_spectrum": {"n_bins": 20}}, sr=SR)
    div = x.size * (SR if scaling == "density" else 1)
    assert_allclose(
        got["marginal_spectrum"].values,
        plain["marginal_spectrum"].values / div,
        rtol=tol(np.float64, 10),
        atol=0,
    )
    assert got["marginal_spectrum"].attrs["scaling"] == scaling


def test_marginal_spectrum_mean_scaling_is_duration_free():
    t = np.arange(4000) / SR
    x = np.cos(2 * np.pi * 12 * t)  # one IMF: amplitude 1 at 12 Hz at every sample
    _, h1 = marginal_spectrum(x[None, :1000], sr=SR, n_bins=20, fmax=40.0, scaling="spectrum")
    _, h4 = marginal_spectrum(x[None], sr=SR, n_bins=20, fmax=40.0, scaling="spectrum")
    assert_allclose(h1.sum(), 1.0, rtol=1e-2)  # mean amplitude over time
    assert_allclose(h4.sum(), 1.0, rtol=1e-2)
    with pytest.raises(ParameterError, match="scaling must be one of None, 'spectrum', 'density'"):
        marginal_spectrum(x[None], sr=SR, scaling="mean")
    with pytest.raises(ParameterError, match="scaling"):
        physiofeat.extract(x, {"marginal_spectrum": {"scaling": "sum"}}, sr=SR)


def test_imf_features_two_tones():
    t = np.arange(2000) / SR
    imfs = np.stack([2 * np.cos(2 * np.pi * 40 * t), np.cos(2 * np.pi * 4 * t)])
    feats = imf_features(imfs, sr=SR, residue=np.zeros(2000))
    assert_allclose(feats["energy_share"], [0.8, 0.2], atol=1e-3)
    assert_allclose(feats["freq_mean"], [40, 4], atol=0.05)
    assert_allclose(feats["amp_mean"], [2, 1], atol=0.01)
    assert np.all(feats["freq_std"] < 0.5)


# --------------------------------------------------------------------------------------------
# registry


def test_extract_shares_imfs_and_vector_is_fixed_length():
    x = _mixed(700)
    names = ["emd", "hht", "hilbert_spectrum", "marginal_spectrum"]
    feats = physiofeat.extract(x, names, sr=SR, n_bins=32, n_slots=6)
    assert feats.computed["imfs"] == 1
    assert feats.computed["instantaneous"] == 1
    n_imfs = emd(x).n_imfs
    assert_array_equal(feats["emd"].values, emd(x).imfs)
    v = feats.vector()
    assert v.shape == (6 * 4 + 6 * 5 + 32 * 4 + 32,)
    vnames = feats.vector_names()
    assert vnames[:2] == ["emd_imf0_mean", "emd_imf0_std"]
    assert "hht_imf5_energy_share" in vnames
    # a signal with fewer IMFs: same columns, NaN beyond its IMFs
    short = physiofeat.extract(_unit(_tones(700)), names, sr=SR, n_bins=32, n_slots=6)
    assert short.vector_names() == vnames
    k = emd(_unit(_tones(700))).n_imfs
    assert k < 6 <= n_imfs or k < 6
    assert np.isnan(short.vector()[vnames.index(f"hht_imf{k}_freq_mean")])
    assert not np.isnan(short.vector()[vnames.index("hht_imf0_freq_mean")])


def test_fixed_sifts_match_pyemd_fixe():
    """``stop='fixed'``: every IMF sifted exactly ``stop_thresh`` times, as PyEMD's ``FIXE``."""
    from PyEMD import EMD

    x = _mixed(1500)
    for n in (10, 3):
        r = emd(x, max_imfs=4, stop="fixed", stop_thresh=n)
        ref = EMD(FIXE=n).emd(x, max_imf=4)
        assert np.all(r.n_sifts == n) and r.n_imfs == 4
        assert_allclose(r.imfs, ref[:4], rtol=0, atol=1e-12 * np.abs(x).max())


def test_extract_passes_the_stop_rule_to_the_decomposition():
    """The hht features' ``stop``/``stop_thresh`` reach the shared decomposition: with
    ``stop='fixed'`` the features are those of ``emd(x, stop='fixed')``, one decomposition for
    all four, and differ from the default rule's."""
    x = _mixed(700)
    names = ["emd", "hht", "hilbert_spectrum", "marginal_spectrum"]
    f = physiofeat.extract(x, names, sr=SR, stop="fixed", stop_thresh=5, max_imfs=4, n_bins=16)
    r = emd(x, stop="fixed", stop_thresh=5, max_imfs=4)
    assert f.computed["imfs"] == 1
    assert_array_equal(f["emd"].values, r.imfs)
    assert_array_equal(f["emd"].attrs["n_sifts"], [5, 5, 5, 5])
    _, h = marginal_spectrum(r.imfs, sr=SR, n_bins=16)
    assert_allclose(f["marginal_spectrum"].values, h, rtol=1e-12, atol=0)
    default = physiofeat.extract(x, ["marginal_spectrum"], sr=SR, max_imfs=4, n_bins=16)
    assert not np.allclose(default["marginal_spectrum"].values, h)


def test_extract_batch_and_methods():
    x = np.stack([_mixed(500), np.full(500, 1.0)])
    feats = physiofeat.extract(x, ["emd", "hht"], sr=SR, method="eemd", trials=4, seed=3, n_slots=4)
    v = feats.vector()
    assert v.shape == (2, 4 * 4 + 4 * 5)
    assert np.all(np.isnan(v[1]))
    assert not np.isnan(v[0, 0])
    ref = eemd(x[0], trials=4, seed=3)
    assert_array_equal(feats["emd"].values[0, : ref.n_imfs], ref.imfs)


@pytest.mark.parametrize(
    "x",
    [np.zeros(600), np.full(600, 3.0), np.linspace(-1.0, 2.0, 600)],
    ids=["zero", "const", "ramp"],
)
def test_no_imf_signal_gives_nan_not_error(x):
    """A signal without IMFs: NaN vectors for hht (as emd and a batch row), zero spectra (the empty
    sum, as a zero-padded batch row), never an error."""
    import physiofeat

    sr = 1000
    imfs = emd(x).imfs
    assert imfs.shape == (0, x.size)
    f = physiofeat.extract(x, ["emd", "hht", "hilbert_spectrum", "marginal_spectrum"], sr=sr)
    assert f["hht"].values.shape == (0, x.size)
    names = f.vector_names()
    v = f.vector()
    hht_cols = np.array([n.startswith("hht_") for n in names])
    emd_cols = np.array([n.startswith("emd_") for n in names])
    assert hht_cols.sum() == 8 * 5 and np.isnan(v[hht_cols]).all()
    assert np.isnan(v[emd_cols]).all()
    assert f["hilbert_spectrum"].values.shape == (100, x.size)
    assert f["marginal_spectrum"].values.shape == (100,)
    assert np.all(f["marginal_spectrum"].values == 0.0)
    # the same signal as a batch row gives the same vector
    b = physiofeat.extract(np.stack([x, x]), ["hht", "marginal_spectrum"], sr=sr).vector()
    mono = physiofeat.extract(x, ["hht", "marginal_spectrum"], sr=sr).vector()
    np.testing.assert_array_equal(b[0], mono)
    # the public functions take the empty stack
    ins = instantaneous(imfs, sr=sr)
    assert ins.frequency.shape == ins.amplitude.shape == (0, x.size)
    fr, H = hilbert_spectrum(imfs, sr=sr, n_bins=10)
    assert fr.shape == (10,) and H.shape == (10, x.size) and np.all(H == 0.0)
    fr, h = marginal_spectrum(np.zeros((2, 0, x.size)), sr=sr, n_bins=10)
    assert h.shape == (2, 10) and np.all(h == 0.0)
    feats = imf_features(imfs, sr=sr)
    assert all(v.shape == (0,) for v in feats.values()) and len(feats) == 5


@pytest.mark.parametrize("seed", ["x", True, -1, 2.0, np.random.default_rng(0)])
def test_extract_seed_is_checked_whatever_the_method(seed):
    x = np.random.default_rng(10).standard_normal(300)
    for method in ("emd", "eemd"):
        with pytest.raises(
            ParameterError, match=r"^seed must be None, a non-negative int or a numpy"
        ):
            physiofeat.extract(x, ["emd"], sr=SR, method=method, trials=2, seed=seed)


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        ("emd", {"method": "vmd"}, r"^method must be one of 'emd', 'eemd', 'ceemdan'"),
        ("hht", {"max_imfs": 0}, r"^max_imfs must be >= 1; got 0"),
        ("emd", {"method": "eemd", "trials": 0}, r"^trials must be >= 1; got 0"),
        ("emd", {"trials": 0}, r"^trials must be >= 1; got 0"),  # also when 'emd' ignores it
        ("hht", {"seed": -1}, r"^seed must be None, a non-negative int"),
        ("emd", {"n_slots": 0}, r"^n_slots must be >= 1; got 0"),
        ("hht", {"n_slots": 2.5}, r"^n_slots must be an integer"),
        ("hilbert_spectrum", {"n_bins": 0}, r"^n_bins must be >= 1; got 0"),
        ("marginal_spectrum", {"fmin": -1.0}, r"^fmin must be >= 0"),
        ("hilbert_spectrum", {"fmax": -5.0}, r"^fmax must be >= 0"),
        ("marginal_spectrum", {"fmin": 50.0, "fmax": 20.0}, r"^fmax must exceed fmin"),
        ("hilbert_spectrum", {"mode": "power"}, r"^mode must be one of 'amplitude', 'energy'"),
        ("marginal_spectrum", {"stop": "cauchy"}, r"^stop must be one of 'pyemd', 'sd'"),
        ("hht", {"stop": "fixed", "stop_thresh": 0}, r"^stop_thresh \(for stop='fixed'"),
        ("emd", {"stop_thresh": -1.0}, r"^stop_thresh must be > 0"),
    ],
)
def test_extract_refuses_bad_parameters_before_any_work(no_compute, name, params, message):
    with pytest.raises(ParameterError, match=message):
        physiofeat.extract(np.zeros(64), {name: params}, sr=SR)


def test_default_fmax_is_checked_against_fmin_with_the_rate():
    """fmax=None means sr/2, known only with the signal: fmin above it is refused in compute."""
    x = np.random.default_rng(11).standard_normal(200)
    with pytest.raises(
        ParameterError,
        match=r"^feature 'marginal_spectrum': fmax must exceed fmin; got fmin=600.0, fmax=500.0",
    ):
        physiofeat.extract(x, ["marginal_spectrum"], sr=1000, fmin=600.0)


def test_a_huge_max_imfs_allocates_only_what_is_found(monkeypatch):
    # max_imfs=10**6 used to allocate 10**6 rows up front (out of memory on 2048 samples); the
    # buffer now starts at log2(n) + 4 rows and doubles only when filled. Forcing a 1-row start
    # exercises the doubling: the IMFs equal one kernel run with a buffer that is never full
    from physiofeat.hht import _emd

    x = np.random.default_rng(5).standard_normal(2048).cumsum()
    want = emd(x, max_imfs=60)
    got = emd(x, max_imfs=10**6)
    assert_array_equal(got.imfs, want.imfs)
    monkeypatch.setattr(_emd._Config, "start_rows", staticmethod(lambda n: 1))
    grown = emd(x, max_imfs=10**6)
    assert_array_equal(grown.imfs, want.imfs)
    assert_array_equal(grown.n_sifts, want.n_sifts)
    capped = emd(x, max_imfs=3)  # a cap below the start is still a cap
    assert capped.n_imfs == 3 and want.n_imfs > 3
    assert_array_equal(capped.imfs, want.imfs[:3])
    e1 = eemd(x[:512], trials=3, seed=1, max_imfs=10**6)
    e2 = eemd(x[:512], trials=3, seed=1, max_imfs=60)
    assert_array_equal(e1.imfs, e2.imfs)


def test_marginal_spectrum_in_time_slabs_equals_the_summed_spectrum():
    # marginal_spectrum no longer builds the whole (bins x time) spectrum: with 5000 bins it
    # accumulates 3 slabs of time; the result is the summed Hilbert spectrum
    x = np.random.default_rng(2).standard_normal(2048).cumsum()
    imfs = emd(x).imfs
    f1, H = hilbert_spectrum(imfs, sr=SR, n_bins=5000)
    f2, h = marginal_spectrum(imfs, sr=SR, n_bins=5000)
    assert_array_equal(f1, f2)
    assert_allclose(h, H.sum(axis=-1), rtol=1e-12, atol=1e-12 * H.sum())
    batch = np.stack([imfs, imfs[:, ::-1]])
    assert_allclose(marginal_spectrum(batch, sr=SR, n_bins=5000)[1][0], h, rtol=1e-12)


def test_oversized_hilbert_spectrum_is_a_parameter_error_not_out_of_memory():
    imfs = emd(np.random.default_rng(3).standard_normal(2048).cumsum()).imfs
    with pytest.raises(ParameterError, match=r"Hilbert spectrum would be .*GiB.*marginal_spectrum"):
        hilbert_spectrum(imfs, sr=SR, n_bins=10**6)


def test_spectra_take_what_emd_returns():
    """``hilbert_spectrum(emd(x), ...)`` (and the others) mean its IMFs, not a ValueError."""
    r = emd(_mixed(600), max_imfs=3)
    for fn in (hilbert_spectrum, marginal_spectrum):
        a, b = fn(r, sr=SR, n_bins=12), fn(r.imfs, sr=SR, n_bins=12)
        assert_array_equal(a[0], b[0])
        assert_array_equal(a[1], b[1])
    assert_array_equal(instantaneous(r, sr=SR).frequency, instantaneous(r.imfs, sr=SR).frequency)
    got, want = imf_features(r, sr=SR), imf_features(r.imfs, sr=SR)
    assert all(np.array_equal(got[k], want[k]) for k in want)
