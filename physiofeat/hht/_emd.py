"""EMD, EEMD and CEEMDAN: validating wrappers over the Numba sift in :mod:`._kernels`."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

import numpy as np

from .._errors import ParameterError
from .._validation import as_signal, check_choice, check_float, check_int
from . import _kernels

__all__ = ["EMDResult", "emd", "eemd", "ceemdan"]

StopRule = Literal["pyemd", "sd", "s_number", "energy", "fixed"]

#: Default threshold of each stopping rule (``stop_thresh=None``).
STOP_DEFAULTS = {"pyemd": 0.2, "sd": 0.2, "s_number": 4, "energy": 50.0, "fixed": 10}

# PyEMD's CEEMDAN ends when the residue's range or absolute sum falls below these (unit-std signal).
_CEEMDAN_RANGE = 0.01
_CEEMDAN_POWER = 0.05


class EMDResult(NamedTuple):
    """What :func:`emd`, :func:`eemd` and :func:`ceemdan` return.

    ``x == imfs.sum(axis=-2) + residue`` to float64 round-off.
    """

    #: IMFs, ``(n_imfs, n)``, or ``(n_signals, max n_imfs, n)`` zero-padded for a batch.
    imfs: np.ndarray
    #: What is left after the IMFs (trend), ``(n,)`` or ``(n_signals, n)``.
    residue: np.ndarray
    #: Number of IMFs: an int, or ``(n_signals,)`` for a batch.
    n_imfs: Any
    #: Sifts spent on each IMF (summed over trials for ensembles), same leading shape as ``imfs``.
    n_sifts: np.ndarray


@dataclass(frozen=True)
class _Config:
    max_imfs: int | None
    max_sifts: int
    stop: int
    thresh: float
    svar_thresh: float
    s_number: int
    range_thresh: float
    power_thresh: float
    energy_db: float
    nbsym: int

    def cap(self, n: int) -> int:
        return self.start_rows(n) if self.max_imfs is None else self.max_imfs

    @staticmethod
    def start_rows(n: int) -> int:
        """Rows of the first IMF buffer: the default cap, ``log2(n) + 4``."""
        return int(np.log2(max(n, 2))) + 4

    def decompose(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
        """``(imfs buffer, sifts, n_imfs)`` of one signal. The buffer starts at ``log2(n) + 4``
        rows (or ``max_imfs`` if smaller) and is doubled, and the decomposition rerun, only when
        a larger ``max_imfs`` fills it: memory follows the IMFs found, not ``max_imfs`` (a
        ``max_imfs`` of 10**6 used to allocate 10**6 rows up front)."""
        n = x.shape[0]
        k = self.cap(n)
        if self.max_imfs is not None:
            k = min(k, self.start_rows(n))
        while True:
            out = np.zeros((k, n))
            sifts = np.zeros(k, dtype=np.int64)
            got = self.run(x, out, sifts)
            if got < k or self.max_imfs is None or k >= self.max_imfs:
                return out, sifts, got
            k = min(self.max_imfs, 2 * k)

    def run(self, x: np.ndarray, out: np.ndarray, sifts: np.ndarray) -> int:
        return int(
            _kernels.emd_one(
                x,
                out,
                sifts,
                self.max_sifts,
                self.stop,
                self.thresh,
                0.001,
                self.s_number,
                self.range_thresh,
                self.power_thresh,
                self.energy_db,
                self.nbsym,
            )
        )


def check_max_imfs(max_imfs) -> int | None:
    """``max_imfs``: None or an int >= 1."""
    return check_int(max_imfs, "max_imfs", minimum=1, allow_none=True)


def check_stop(stop, stop_thresh) -> tuple[str, float | int | None]:
    """The sifting stop rule ``stop`` (one of ``STOP_DEFAULTS``) and its ``stop_thresh`` (None:
    the rule's default), checked as :func:`emd` checks them; returned unchanged."""
    _config(None, 999, stop, stop_thresh, 0.001, 0.005, None, 2)
    return stop, stop_thresh


def check_trials(trials) -> int:
    """The ensemble size of :func:`eemd` and :func:`ceemdan`: an int >= 1."""
    return check_int(trials, "trials", minimum=1)


def _config(
    max_imfs,
    max_sifts,
    stop,
    stop_thresh,
    range_thresh,
    power_thresh,
    energy_db,
    nbsym,
    svar_thresh=0.001,
) -> _Config:
    max_imfs = check_max_imfs(max_imfs)
    max_sifts = check_int(max_sifts, "max_sifts", minimum=1)
    stop = check_choice(stop, "stop", tuple(STOP_DEFAULTS))
    thresh = STOP_DEFAULTS[stop] if stop_thresh is None else stop_thresh
    s_number = 0
    if stop in ("s_number", "fixed"):
        thresh = check_int(thresh, f"stop_thresh (for stop={stop!r}, a number of sifts)", minimum=1)
        if stop == "fixed":
            max_sifts = min(max_sifts, thresh)
        s_number = thresh
    else:
        thresh = check_float(thresh, "stop_thresh", minimum=0.0, strict_min=True)
    range_thresh = check_float(range_thresh, "range_thresh", minimum=0.0)
    power_thresh = check_float(power_thresh, "power_thresh", minimum=0.0)
    energy_db = check_float(energy_db, "energy_db", minimum=0.0, strict_min=True, allow_none=True)
    nbsym = check_int(nbsym, "nbsym", minimum=1, maximum=16)
    return _Config(
        max_imfs,
        max_sifts,
        _kernels.STOP_CODES[stop],
        float(thresh),
        check_float(svar_thresh, "svar_thresh", minimum=0.0),
        s_number,
        range_thresh,
        power_thresh,
        0.0 if energy_db is None else energy_db,
        nbsym,
    )


def _n_jobs(n_jobs) -> int:
    n_jobs = check_int(n_jobs, "n_jobs", minimum=1, allow_none=True)
    return (os.cpu_count() or 1) if n_jobs is None else n_jobs


def _map_ordered(fn: Callable[[Any], Any], items: list, n_jobs: int) -> Iterator[Any]:
    """``map(fn, items)`` on ``n_jobs`` threads (the kernels release the GIL), results in order.

    Results are consumed in item order whatever the number of threads, so sums over them are
    bitwise identical for any ``n_jobs``; a window bounds how many results wait in memory.
    """
    if n_jobs <= 1 or len(items) <= 1:
        yield from map(fn, items)
        return
    window = 4 * n_jobs
    with ThreadPoolExecutor(max_workers=n_jobs) as ex:
        for i in range(0, len(items), window):
            yield from ex.map(fn, items[i : i + window])


def _validate(x) -> np.ndarray:
    return as_signal(x, ndim=(1, 2), dtype=np.float64)


def _finish(x: np.ndarray, imfs: np.ndarray, n_imfs: int, sifts: np.ndarray) -> EMDResult:
    imfs = np.ascontiguousarray(imfs[:n_imfs])
    residue = x - imfs.sum(axis=0) if n_imfs else x.copy()
    return EMDResult(imfs, residue, n_imfs, sifts[:n_imfs].copy())


def _batch(x: np.ndarray, one: Callable[[np.ndarray], EMDResult], n_jobs: int) -> EMDResult:
    if x.ndim == 1:
        return one(x)
    results = list(_map_ordered(one, list(x), n_jobs))
    k = max(r.n_imfs for r in results)
    imfs = np.zeros((x.shape[0], k, x.shape[1]))
    sifts = np.zeros((x.shape[0], k), dtype=np.int64)
    for i, r in enumerate(results):
        imfs[i, : r.n_imfs] = r.imfs
        sifts[i, : r.n_imfs] = r.n_sifts
    residue = np.stack([r.residue for r in results])
    n_imfs = np.array([r.n_imfs for r in results], dtype=np.int64)
    return EMDResult(imfs, residue, n_imfs, sifts)


def emd(
    x,
    *,
    max_imfs: int | None = None,
    max_sifts: int = 999,
    stop: StopRule = "pyemd",
    stop_thresh: float | None = None,
    svar_thresh: float = 0.001,
    range_thresh: float = 0.001,
    power_thresh: float = 0.005,
    energy_db: float | None = None,
    nbsym: int = 2,
    n_jobs: int | None = None,
) -> EMDResult:
    """Empirical mode decomposition (Huang et al. 1998), the sift entirely in Numba.

    Parameters
    ----------
    x : np.ndarray [shape=(n,) or (n_signals, n)]
        Signal(s); a batch is decomposed signal by signal on ``n_jobs`` threads.
    max_imfs : int or None
        At most this many IMFs; None: until the residue is a trend (capped at
        ``floor(log2(n)) + 4``).
    max_sifts : int
        At most this many sifts per IMF: 999, as PyEMD's default ``MAX_ITERATION=1000`` (which
        stops before its 1000th sift), so that with the defaults a capped IMF agrees too.
    stop : {'pyemd', 'sd', 's_number', 'energy', 'fixed'}
        When a proto-IMF is accepted:

        - ``'pyemd'`` (default, PyEMD's ``EMD.check_imf``): all maxima >= 0 and minima <= 0,
          #extrema and #zero-crossings differ by < 2, and one of: scaled variance
          ``sum(m**2)/range(h_old) < svar_thresh * std(x)``, energy ratio
          ``sum(m**2)/sum(h_old**2) < stop_thresh``, or PyEMD's
          ``sum((m/h_new)**2) < stop_thresh`` (``stop_thresh`` 0.2; ``m`` the envelope mean).
        - ``'sd'`` (Cauchy-type): ``sum(m**2)/sum(h_new**2) < stop_thresh`` (0.2), ``h_new =
          h_old - m`` the sifted iterate: the rule of ``emd``'s sift (``get_next_imf`` passes
          the new iterate as ``stop_imf_sd``'s ``prev_imf``, the denominator), which stops at
          the same sift (``emd``'s default threshold is 0.1).
        - ``'s_number'`` (Huang 2003): #extrema and #zero-crossings differ by at most one and
          stayed unchanged for ``stop_thresh`` (4) consecutive sifts.
        - ``'energy'`` (Rato et al. 2008, as ``emd``): ``20 log10(sum(h0**2)/sum(m**2)) >
          stop_thresh`` (50 dB), ``h0`` the input of this IMF's sift.
        - ``'fixed'``: exactly ``stop_thresh`` (10) sifts.

        On broadband recordings the default rule may never be met: on CirCor heart sounds at
        4 kHz every IMF runs to ``max_sifts`` (``n_sifts`` of the result says so), about a
        second per 20-s recording; ``stop='fixed'`` (Wu & Huang 2009's fixed sifting number)
        takes some 50 times less.
    stop_thresh : float or int, optional
        Threshold of the chosen rule (defaults above).
    svar_thresh : float
        Scaled-variance threshold of ``stop='pyemd'`` (PyEMD's ``svar_thr``), relative to
        ``std(x)``.
    range_thresh, power_thresh : float
        The decomposition ends when the residue's range is below ``range_thresh * std(x)`` or its
        absolute sum below ``power_thresh * std(x)`` (PyEMD's ``range_thr``/``total_power_thr``
        scaled by ``std(x)``, so the result is scale-equivariant).
    energy_db : float, optional
        Also end when ``20 log10(sum(x**2)/sum(residue**2))`` exceeds this (``emd``: 50).
    nbsym : int
        Extrema mirrored at each boundary (PyEMD's ``nbsym``).
    n_jobs : int, optional
        Threads for a batch (default: all cores).

    Returns
    -------
    EMDResult
        ``(imfs, residue, n_imfs, n_sifts)``; ``x == imfs.sum(-2) + residue``. float64.

    Notes
    -----
    Extrema are samples above/below both neighbours (a plateau counts once, at its middle).
    Envelopes are cubic splines through the extrema, not-a-knot (as scipy's ``CubicSpline``,
    which PyEMD uses, and ``splrep(s=0)``, which ``emd`` uses; natural with 3 knots), after
    mirroring ``nbsym`` extrema at each end exactly as PyEMD's ``prepare_points_simple``
    (Rilling's rule: mirror about the end extremum, or about the end sample when that sample
    lies beyond the extremum). With the defaults the IMFs equal PyEMD's ``EMD()`` with its
    defaults to round-off on a unit-std signal (PyEMD's thresholds are absolute, physiofeat's
    relative to ``std(x)``; PyEMD's ``MAX_ITERATION = max_sifts + 1``).

    The sift ends — the rest is the residue — when the residue has 2 extrema or fewer, when
    no valid mirrored envelope exists, at ``max_imfs``, or at the range/power/energy
    thresholds. A constant signal, or one shorter than 3 samples, gives no IMF: the residue is
    the signal. NaN and inf raise :class:`~physiofeat.InvalidSignalError`.

    Examples
    --------
    >>> import numpy as np
    >>> from physiofeat.hht import emd
    >>> t = np.arange(2000) / 1000
    >>> x = np.sin(2 * np.pi * 50 * t) + np.sin(2 * np.pi * 5 * t)
    >>> imfs, residue, n_imfs, n_sifts = emd(x)
    >>> n_imfs, imfs.shape
    (4, (4, 2000))
    >>> bool(np.allclose(imfs.sum(0) + residue, x, rtol=0, atol=1e-12))
    True
    """
    cfg = _config(
        max_imfs,
        max_sifts,
        stop,
        stop_thresh,
        range_thresh,
        power_thresh,
        energy_db,
        nbsym,
        svar_thresh,
    )
    x = _validate(x)

    def one(sig: np.ndarray) -> EMDResult:
        out, sifts, n_imfs = cfg.decompose(sig)
        return _finish(sig, out, n_imfs, sifts)

    return _batch(x, one, _n_jobs(n_jobs))


def check_seed(seed) -> None:
    """The seeds :func:`eemd` and :func:`ceemdan` accept: None, an int >= 0 (not a bool) or a
    numpy SeedSequence; anything else is a :class:`~physiofeat.ParameterError`."""
    if seed is None or isinstance(seed, np.random.SeedSequence):
        return
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, (bool, np.bool_)):
        if seed >= 0:
            return
    raise ParameterError(
        f"seed must be None, a non-negative int or a numpy SeedSequence; got {seed!r}"
    )


def _trial_seeds(seed, trials: int) -> list[np.random.SeedSequence]:
    check_seed(seed)
    ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    return ss.spawn(trials)


def _fresh(seed):
    # seed=None: draw the entropy once so every signal of a batch uses the same streams.
    if seed is None:
        return np.random.SeedSequence()
    return seed


def eemd(
    x,
    *,
    trials: int = 100,
    noise_width: float = 0.05,
    seed=None,
    n_jobs: int | None = None,
    max_imfs: int | None = None,
    max_sifts: int = 999,
    stop: StopRule = "pyemd",
    stop_thresh: float | None = None,
    svar_thresh: float = 0.001,
    range_thresh: float = 0.001,
    power_thresh: float = 0.005,
    energy_db: float | None = None,
    nbsym: int = 2,
) -> EMDResult:
    """Ensemble EMD (Wu & Huang 2009): the mean IMFs of ``trials`` EMDs of ``x + noise``.

    Parameters
    ----------
    x : np.ndarray [shape=(n,) or (n_signals, n)]
        Signal(s).
    trials : int
        Ensemble size.
    noise_width : float
        Standard deviation of the Gaussian noise relative to ``max(x) - min(x)`` (as PyEMD).
    seed : int, numpy.random.SeedSequence or None
        Trial ``i`` draws its noise from ``SeedSequence(seed).spawn(trials)[i]``, so the result
        for a seed is identical whatever ``n_jobs`` (and each signal of a batch uses the same
        streams as it would alone). None: fresh entropy.
    n_jobs : int, optional
        Threads running trials (default: all cores).
    max_imfs, max_sifts, stop, stop_thresh, svar_thresh, range_thresh, power_thresh, energy_db, nbsym
        The EMD of each trial, as in :func:`emd`.

    Returns
    -------
    EMDResult
        IMF ``k`` is the sum over trials of their IMF ``k`` divided by ``trials`` (a trial with
        fewer IMFs contributes zero); ``n_imfs`` is the largest count of any trial;
        ``residue = x - imfs.sum(-2)``; ``n_sifts`` sums the trials' sifts.

    Examples
    --------
    >>> import numpy as np
    >>> from physiofeat.hht import eemd
    >>> t = np.arange(1000) / 1000
    >>> x = np.sin(2 * np.pi * 40 * t) + np.sin(2 * np.pi * 4 * t)
    >>> r = eemd(x, trials=8, seed=0, n_jobs=1)
    >>> r2 = eemd(x, trials=8, seed=0, n_jobs=2)
    >>> bool(np.array_equal(r.imfs, r2.imfs))
    True
    """
    trials = check_trials(trials)
    noise_width = check_float(noise_width, "noise_width", minimum=0.0)
    cfg = _config(
        max_imfs,
        max_sifts,
        stop,
        stop_thresh,
        range_thresh,
        power_thresh,
        energy_db,
        nbsym,
        svar_thresh,
    )
    x = _validate(x)
    jobs = _n_jobs(n_jobs)
    seed = _fresh(seed)

    def one(sig: np.ndarray) -> EMDResult:
        n = sig.shape[0]
        width = noise_width * float(np.max(sig) - np.min(sig))
        seeds = _trial_seeds(seed, trials)

        def trial(i: int):
            noise = np.random.default_rng(seeds[i]).standard_normal(n)
            return cfg.decompose(sig + width * noise)

        total = np.zeros((0, n))
        sifts_total = np.zeros(0, dtype=np.int64)
        for out, sifts, kt in _map_ordered(trial, list(range(trials)), jobs):
            if kt > total.shape[0]:  # grow to the most IMFs any trial found so far
                total = np.concatenate([total, np.zeros((kt - total.shape[0], n))])
                sifts_total = np.concatenate(
                    [sifts_total, np.zeros(kt - sifts_total.size, dtype=np.int64)]
                )
            total[:kt] += out[:kt]
            sifts_total[:kt] += sifts[:kt]
        return _finish(sig, total / trials, total.shape[0], sifts_total)

    return _batch(x, one, 1)


def ceemdan(
    x,
    *,
    trials: int = 100,
    epsilon: float = 0.005,
    seed=None,
    n_jobs: int | None = None,
    max_imfs: int | None = None,
    max_sifts: int = 999,
    stop: StopRule = "pyemd",
    stop_thresh: float | None = None,
    svar_thresh: float = 0.001,
    range_thresh: float = 0.001,
    power_thresh: float = 0.005,
    energy_db: float | None = None,
    nbsym: int = 2,
) -> EMDResult:
    """Complete ensemble EMD with adaptive noise (Torres et al. 2011; Colominas et al. 2014).

    The algorithm of PyEMD's ``CEEMDAN``: ``x`` is scaled to unit std; each trial draws white
    noise ``w_i`` and decomposes it fully (its modes ``E_k(w_i)``, divided by the std of
    ``E_1(w_i)``); IMF 1 is the mean over trials of the first IMF of ``x + epsilon E_1(w_i)``;
    then stage ``k`` takes the local mean ``M(r) = r - IMF_1(r)`` averaged over trials of
    ``r_{k-1} + beta_k E_k(w_i)`` with ``beta_k = epsilon * std(r_{k-1})``, and
    ``IMF_k = r_{k-1} - mean M``; a noise's modes are its IMFs followed by its residue (as
    PyEMD's ``EMD.emd`` returns them). It ends at ``max_imfs``, when the residue has no IMF
    left, or when its range < 0.01 or its absolute sum < 0.05 (PyEMD's CEEMDAN thresholds, on
    the unit-std signal). One difference: "the first IMF" of the end test and of each local
    mean is the first IMF of the full EMD (:func:`emd`'s ``max_imfs=1``), where PyEMD's
    ``EMD.emd(r, max_imf=1)`` returns none when that IMF is left with at most 2 extrema after
    sifting (its full EMD keeps it); on such a residue PyEMD stops, or takes ``r`` itself as
    the local mean, where this goes on (a random walk of 365 samples: 7 IMFs here, 5 there).

    Parameters
    ----------
    x : np.ndarray [shape=(n,) or (n_signals, n)]
        Signal(s).
    trials : int
        Ensemble size.
    epsilon : float
        Noise scale ``beta_k / std(r_{k-1})``.
    seed : int, numpy.random.SeedSequence or None
        Trial ``i`` draws its white noise from ``SeedSequence(seed).spawn(trials)[i]``: the result
        for a seed is identical whatever ``n_jobs``. None: fresh entropy.
    n_jobs : int, optional
        Threads running trials (default: all cores).
    max_imfs, max_sifts, stop, stop_thresh, svar_thresh, range_thresh, power_thresh, energy_db, nbsym
        The inner EMDs, as in :func:`emd`.

    Returns
    -------
    EMDResult
        ``residue = x - imfs.sum(-2)``; ``n_sifts`` sums the sifts of every inner EMD per stage
        (stage 1 includes the trials' noise decompositions, each stage its end test).

    Examples
    --------
    >>> import numpy as np
    >>> from physiofeat.hht import ceemdan
    >>> t = np.arange(1000) / 1000
    >>> x = np.sin(2 * np.pi * 40 * t) + np.sin(2 * np.pi * 4 * t)
    >>> r = ceemdan(x, trials=8, seed=1, n_jobs=2)
    >>> bool(np.allclose(r.imfs.sum(0) + r.residue, x, rtol=0, atol=1e-12))
    True
    """
    trials = check_trials(trials)
    epsilon = check_float(epsilon, "epsilon", minimum=0.0)
    cfg = _config(
        max_imfs,
        max_sifts,
        stop,
        stop_thresh,
        range_thresh,
        power_thresh,
        energy_db,
        nbsym,
        svar_thresh,
    )
    x = _validate(x)
    jobs = _n_jobs(n_jobs)
    seed = _fresh(seed)
    one_imf = dataclasses.replace(cfg, max_imfs=1)

    def first_imf(y: np.ndarray):
        out = np.zeros((1, y.shape[0]))
        sifts = np.zeros(1, dtype=np.int64)
        k = one_imf.run(y, out, sifts)
        return out[0], k, int(sifts[0])

    def one(sig: np.ndarray) -> EMDResult:
        n = sig.shape[0]
        cap = cfg.cap(n)
        scale = float(np.std(sig))
        if not scale > 0.0 or n < 3:
            return EMDResult(np.zeros((0, n)), sig.copy(), 0, np.zeros(0, dtype=np.int64))
        s = sig / scale
        seeds = _trial_seeds(seed, trials)
        noise_cap = int(np.log2(max(n, 2))) + 4

        def stage0(i: int):
            w = np.random.default_rng(seeds[i]).standard_normal(n)
            out = np.zeros((noise_cap, n))
            sifts = np.zeros(noise_cap, dtype=np.int64)
            kw = cfg.run(w, out, sifts)
            rest = w - out[:kw].sum(axis=0)
            # the noise's modes are its IMFs and then its residue, as PyEMD's EMD.emd (and the
            # MATLAB emd of Colominas et al.'s code) return them: a stage past the noise's
            # IMFs adds beta times that residue
            modes = out[:kw] if np.allclose(rest, 0.0) else np.vstack([out[:kw], rest])
            if kw:
                modes /= np.std(modes[0])
            y = s + epsilon * modes[0] if kw else s
            imf, k, ns = first_imf(y)
            return modes, imf, k, ns + int(sifts[:kw].sum())  # the noise's EMD counts too

        modes_all = []
        acc = np.zeros(n)
        ns0 = 0
        found = 0
        for modes, imf, k, ns in _map_ordered(stage0, list(range(trials)), jobs):
            modes_all.append(modes)
            acc += imf
            ns0 += ns
            found += k > 0
        if not found:  # no trial has an IMF (a monotonic signal): none, as emd gives
            return EMDResult(np.zeros((0, n)), sig.copy(), 0, np.zeros(0, dtype=np.int64))
        cimfs = [acc / trials]
        sifts = [ns0]
        prev = s - cimfs[0]
        while len(cimfs) < cap:
            rest = s - np.sum(cimfs, axis=0)
            _, k_rest, ns_rest = first_imf(rest)  # PyEMD's end test: is there an IMF left?
            sifts[-1] += ns_rest
            if k_rest == 0:
                break
            if np.ptp(rest) < _CEEMDAN_RANGE or np.sum(np.abs(rest)) < _CEEMDAN_POWER:
                break
            stage = len(cimfs)
            beta = epsilon * float(np.std(prev))

            def local_mean(i: int, prev=prev, beta=beta, stage=stage):
                modes = modes_all[i]
                y = prev + beta * modes[stage] if modes.shape[0] > stage else prev
                imf, k, ns = first_imf(y)
                return y - imf, ns

            acc = np.zeros(n)
            nsk = 0
            for lm, ns in _map_ordered(local_mean, list(range(trials)), jobs):
                acc += lm
                nsk += ns
            mean = acc / trials
            cimfs.append(prev - mean)
            sifts.append(nsk)
            prev = mean
        imfs = np.array(cimfs) * scale
        return _finish(sig, imfs, imfs.shape[0], np.array(sifts, dtype=np.int64))

    return _batch(x, one, 1)
