"""HHT benchmark: physiofeat.hht against PyEMD (EMD-signal) and emd, in the same run.

Signal: the first 20000 samples (10 s at 2 kHz) of PhysioNet 2016 ``a0007.wav`` (raw amplitude,
as a user would pass it). Each competitor is matched by configuring physiofeat's stopping rule
like it, and the sifts and IMFs of both are printed beside the times:

- PyEMD ``EMD()`` defaults: physiofeat ``stop='pyemd'`` (PyEMD's ``check_imf``), ``max_sifts=999``
  (PyEMD's ``MAX_ITERATION=1000`` breaks before the 1000th sift) and PyEMD's absolute thresholds
  converted to physiofeat's std-relative ones (``svar_thresh=0.001/std``,
  ``range_thresh=0.001/std``, ``power_thresh=0.005/std``). The IMFs are then identical (the max
  difference is printed).
- emd ``sift.sift`` defaults: ``stop='sd', stop_thresh=0.1`` (emd's SD rule), ``energy_db=50``,
  ``power_thresh=1e-8/std``, ``range_thresh=0``.
- Ensembles: 100 trials for physiofeat. PyEMD's EEMD/CEEMDAN (``parallel=False``, the only mode
  in which its seeds work) run ``PYEMD_TRIALS`` trials and are scaled linearly to 100; emd's
  ``complete_ensemble_sift`` runs ``EMD_CEEMDAN_TRIALS`` and is scaled likewise; emd's
  ``ensemble_sift`` runs all 100 (``nprocesses=1``). physiofeat is timed with 1 thread and with
  all cores; the ratio uses 1 thread (serial against serial).
- Hilbert spectrum: emd ``spectra.frequency_transform(imfs, sr, 'hilbert', smooth_phase=None)``
  + ``hilberthuang(IF, IA, edges, sum_time=False, mode='amplitude')`` against
  ``physiofeat.hht.hilbert_spectrum`` on the same IMFs and 100 bins (results equal; printed).

Run: ``.venv/bin/python -m benchmarks.bench_hht`` from the repository root.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np

from ._util import best_time, first_call, machine, print_table, shared_data

DATA = shared_data() / "pcg" / "physionet2016" / "a0007.wav"
N = 20000
SR = 2000
TRIALS = 100
PYEMD_TRIALS = 5
EMD_CEEMDAN_TRIALS = 10


def _signal() -> np.ndarray:
    import soundfile as sf

    if DATA.is_file():
        x, sr = sf.read(DATA)
    else:  # the shipped copy of the same recording
        import physiofeat.data

        x, sr = sf.read(physiofeat.data.path("a0007"))
    assert sr == SR
    return np.ascontiguousarray(x[:N], dtype=np.float64)


class _Counter:
    def __init__(self):
        self.n = 0

    def wrap(self, func):
        def inner(*a, **k):
            self.n += 1
            return func(*a, **k)

        return inner


def _cold_compile() -> float:
    """First call in a fresh process with an empty Numba cache (true JIT compile time)."""
    code = (
        "import time, numpy as np\n"
        "t0 = time.perf_counter()\n"
        "from physiofeat.hht import emd, eemd, hilbert_spectrum\n"
        "x = np.sin(np.arange(500) / 7.0) + np.sin(np.arange(500) / 1.3)\n"
        "r = emd(x); eemd(x, trials=2, seed=0, n_jobs=1)\n"
        "hilbert_spectrum(r.imfs, sr=100)\n"
        "print(time.perf_counter() - t0)\n"
    )
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, NUMBA_CACHE_DIR=tmp)
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    import emd as emd_pkg
    from PyEMD import CEEMDAN, EEMD, EMD

    from physiofeat.hht import _kernels, ceemdan, eemd, emd, hilbert_spectrum, instantaneous

    warnings.filterwarnings("ignore")  # emd's np.log10(where=) UserWarning
    x = _signal()
    s = float(x.std())
    ptp = float(np.ptp(x))
    jobs = os.cpu_count() or 1
    print(f"HHT benchmark on {machine()}; signal {DATA.name}[:{N}] ({N / SR:g} s at {SR} Hz)\n")

    cold = _cold_compile()
    warm = first_call(lambda: emd(x[:500]))
    print_table(
        "HHT first call (not in the ratios)",
        ["what", "seconds"],
        [
            ["cold JIT compile (empty cache, fresh process: emd + eemd + hilbert_spectrum)", cold],
            ["first call in this process (on-disk cache load)", warm],
        ],
    )

    py_cfg = dict(
        max_sifts=999, svar_thresh=0.001 / s, range_thresh=0.001 / s, power_thresh=0.005 / s
    )
    emd_cfg = dict(
        stop="sd", stop_thresh=0.1, power_thresh=1e-8 / s, range_thresh=0.0, energy_db=50.0
    )
    rows = []

    def row(task, comp, t_pf1, t_pfn, t_comp, pf_info, comp_info, target, note=""):
        ratio = t_comp / t_pf1
        best = t_comp / min(t_pf1, t_pfn)
        rows.append(
            [
                task,
                comp,
                t_pf1,
                t_pfn,
                t_comp,
                f"{ratio:.1f}x",
                f"{best:.1f}x",
                pf_info,
                comp_info,
                f">= {target}x",
                "yes" if ratio >= target else "no",
                note,
            ]
        )

    # ---- EMD vs PyEMD
    r = emd(x, **py_cfg)
    t_pf = best_time(lambda: emd(x, **py_cfg), repeat=5)
    ref = EMD()
    cnt = _Counter()
    ref.extract_max_min_spline = cnt.wrap(ref.extract_max_min_spline)
    t_py = best_time(lambda: ref.emd(x), repeat=2)
    imfs_py, _ = ref.get_imfs_and_residue()
    sifts_py = cnt.n // 2
    same = np.abs(imfs_py - r.imfs).max() if imfs_py.shape == r.imfs.shape else float("nan")
    row(
        "EMD",
        "PyEMD EMD()",
        t_pf,
        t_pf,
        t_py,
        f"{r.n_sifts.sum()} / {r.n_imfs}",
        f"{sifts_py} / {imfs_py.shape[0]}",
        30,
        f"max |IMF diff| {same:.1e}",
    )

    # ---- EMD vs emd
    r = emd(x, **emd_cfg)
    t_pf = best_time(lambda: emd(x, **emd_cfg), repeat=7)
    cnt = _Counter()
    orig = emd_pkg.sift.interp_envelope
    emd_pkg.sift.interp_envelope = cnt.wrap(orig)
    try:
        t_e = best_time(lambda: emd_pkg.sift.sift(x), repeat=3)
        sifts_e = cnt.n // 3
        imfs_e = emd_pkg.sift.sift(x)
    finally:
        emd_pkg.sift.interp_envelope = orig
    row(
        "EMD",
        "emd sift.sift",
        t_pf,
        t_pf,
        t_e,
        f"{r.n_sifts.sum()} / {r.n_imfs}",
        f"{sifts_e} / {imfs_e.shape[1] - 1}+res",
        3,
    )

    # ---- EEMD vs PyEMD (noise std 0.05 * ptp; thresholds relative to the noisy signal's std)
    sn = float(np.sqrt(s**2 + (0.05 * ptp) ** 2))
    py_cfg_n = dict(
        max_sifts=999, svar_thresh=0.001 / sn, range_thresh=0.001 / sn, power_thresh=0.005 / sn
    )
    t1 = best_time(lambda: eemd(x, trials=TRIALS, seed=0, n_jobs=1, **py_cfg_n), repeat=1)
    tn = best_time(lambda: eemd(x, trials=TRIALS, seed=0, n_jobs=jobs, **py_cfg_n), repeat=2)
    r = eemd(x, trials=TRIALS, seed=0, n_jobs=jobs, **py_cfg_n)
    ref = EEMD(trials=PYEMD_TRIALS, parallel=False)
    ref.noise_seed(0)
    cnt = _Counter()
    ref.EMD.extract_max_min_spline = cnt.wrap(ref.EMD.extract_max_min_spline)
    t0 = time.perf_counter()
    e_imfs = ref.eemd(x)
    t_py = (time.perf_counter() - t0) * TRIALS / PYEMD_TRIALS
    row(
        "EEMD 100 trials",
        f"PyEMD EEMD (parallel=False; {PYEMD_TRIALS} trials x{TRIALS // PYEMD_TRIALS})",
        t1,
        tn,
        t_py,
        f"{r.n_sifts.sum() // TRIALS}/trial / {r.n_imfs}",
        f"{cnt.n // PYEMD_TRIALS}/trial / {e_imfs.shape[0]}",
        30,
    )

    # ---- EEMD vs emd ensemble_sift (noise std 0.2 * std(x))
    nw = 0.2 * s / ptp
    sn = float(np.sqrt(s**2 + (0.2 * s) ** 2))
    emd_cfg_n = dict(emd_cfg, power_thresh=1e-8 / sn)
    t1 = best_time(
        lambda: eemd(x, trials=TRIALS, noise_width=nw, seed=0, n_jobs=1, **emd_cfg_n), repeat=2
    )
    tn = best_time(
        lambda: eemd(x, trials=TRIALS, noise_width=nw, seed=0, n_jobs=jobs, **emd_cfg_n), repeat=2
    )
    r = eemd(x, trials=TRIALS, noise_width=nw, seed=0, n_jobs=jobs, **emd_cfg_n)
    cnt = _Counter()
    emd_pkg.sift.interp_envelope = cnt.wrap(orig)
    try:
        t0 = time.perf_counter()
        e_imfs = emd_pkg.sift.ensemble_sift(
            x, nensembles=TRIALS, ensemble_noise=0.2, noise_seed=0, nprocesses=1
        )
        t_e = time.perf_counter() - t0
    finally:
        emd_pkg.sift.interp_envelope = orig
    row(
        "EEMD 100 trials",
        "emd ensemble_sift (nprocesses=1)",
        t1,
        tn,
        t_e,
        f"{r.n_sifts.sum() // TRIALS}/trial / {r.n_imfs}",
        f"{cnt.n // TRIALS}/trial / {e_imfs.shape[1]}",
        3,
    )

    # ---- CEEMDAN vs PyEMD (PyEMD normalises to unit std: physiofeat's defaults)
    t1 = best_time(lambda: ceemdan(x, trials=TRIALS, seed=0, n_jobs=1, max_sifts=999), repeat=1)
    tn = best_time(lambda: ceemdan(x, trials=TRIALS, seed=0, n_jobs=jobs, max_sifts=999), repeat=1)
    r = ceemdan(x, trials=TRIALS, seed=0, n_jobs=jobs, max_sifts=999)
    ref = CEEMDAN(trials=PYEMD_TRIALS, parallel=False, seed=0)
    cnt = _Counter()
    ref.EMD.extract_max_min_spline = cnt.wrap(ref.EMD.extract_max_min_spline)
    t0 = time.perf_counter()
    c_imfs = ref.ceemdan(x)
    t_py = (time.perf_counter() - t0) * TRIALS / PYEMD_TRIALS
    row(
        "CEEMDAN 100 trials",
        f"PyEMD CEEMDAN (parallel=False; {PYEMD_TRIALS} trials x{TRIALS // PYEMD_TRIALS})",
        t1,
        tn,
        t_py,
        f"{r.n_sifts.sum() // TRIALS}/trial / {r.n_imfs}",
        f"{cnt.n // PYEMD_TRIALS}/trial / {c_imfs.shape[0] - 1}+res",
        30,
    )

    # ---- CEEMDAN vs emd complete_ensemble_sift
    cfg_c = dict(stop="sd", stop_thresh=0.1, range_thresh=0.0, power_thresh=1e-8, energy_db=50.0)
    t1 = best_time(
        lambda: ceemdan(x, trials=TRIALS, epsilon=0.2, seed=0, n_jobs=1, **cfg_c), repeat=1
    )
    tn = best_time(
        lambda: ceemdan(x, trials=TRIALS, epsilon=0.2, seed=0, n_jobs=jobs, **cfg_c), repeat=2
    )
    r = ceemdan(x, trials=TRIALS, epsilon=0.2, seed=0, n_jobs=jobs, **cfg_c)
    cnt = _Counter()
    emd_pkg.sift.interp_envelope = cnt.wrap(orig)
    try:
        t0 = time.perf_counter()
        c_imfs = emd_pkg.sift.complete_ensemble_sift(
            x, nensembles=EMD_CEEMDAN_TRIALS, ensemble_noise=0.2, noise_seed=0
        )
        t_e = (time.perf_counter() - t0) * TRIALS / EMD_CEEMDAN_TRIALS
    finally:
        emd_pkg.sift.interp_envelope = orig
    row(
        "CEEMDAN 100 trials",
        f"emd complete_ensemble_sift ({EMD_CEEMDAN_TRIALS} trials x{TRIALS // EMD_CEEMDAN_TRIALS})",
        t1,
        tn,
        t_e,
        f"{r.n_sifts.sum() // TRIALS}/trial / {r.n_imfs}",
        f"{cnt.n // EMD_CEEMDAN_TRIALS}/trial / {c_imfs.shape[1]}",
        3,
    )

    # ---- Hilbert spectrum vs emd hilberthuang (same IMFs, 100 bins 0..1000 Hz)
    imfs = emd(x, **emd_cfg).imfs
    edges = np.linspace(0, SR / 2, 101)

    def pf_hs():
        return hilbert_spectrum(imfs, sr=SR, edges=edges, mode="amplitude")

    def emd_hs():
        _, f, a = emd_pkg.spectra.frequency_transform(imfs.T, SR, "hilbert", smooth_phase=None)
        return emd_pkg.spectra.hilberthuang(f, a, edges, sum_time=False, mode="amplitude")

    pf_hs()
    t_pf = best_time(pf_hs, repeat=7)
    t_e = best_time(emd_hs, repeat=3)
    diff = np.abs(pf_hs()[1] - np.asarray(emd_hs()[1])).max()
    row(
        "Hilbert spectrum (IMFs -> H(f,t))",
        "emd frequency_transform + hilberthuang",
        t_pf,
        t_pf,
        t_e,
        f"{imfs.shape[0]} IMFs",
        f"{imfs.shape[0]} IMFs",
        3,
        f"max |diff| {diff:.1e}",
    )
    ins = instantaneous(imfs, sr=SR)
    f3 = ins.frequency[None]
    a3 = ins.amplitude[None]

    def pf_acc():
        out = np.zeros((1, imfs.shape[1], 100))
        _kernels.hilbert_accumulate(f3, a3, edges, True, False, out)
        return out

    pf_acc()
    t_pf = best_time(pf_acc, repeat=7)
    t_e = best_time(
        lambda: emd_pkg.spectra.hilberthuang(
            ins.frequency.T, ins.amplitude.T, edges, sum_time=False, mode="amplitude"
        ),
        repeat=3,
    )
    row(
        "Hilbert spectrum (binning only, given IF/IA)",
        "emd hilberthuang",
        t_pf,
        t_pf,
        t_e,
        "",
        "",
        3,
    )

    print_table(
        "HHT vs PyEMD and emd (seconds, best of N; ratio = competitor / physiofeat 1 thread)",
        [
            "task",
            "competitor",
            "physiofeat 1 thread",
            f"physiofeat {jobs} threads",
            "competitor",
            "speed-up (1 thread)",
            "speed-up (best)",
            "physiofeat sifts / IMFs",
            "competitor sifts / IMFs",
            "target",
            "met",
            "note",
        ],
        rows,
    )


if __name__ == "__main__":
    main()
