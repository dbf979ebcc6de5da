"""The segmenter's model: duration laws, logistic-regression emissions, Viterbi, fitting.

Springer, Schmidt, Puri, Clifford (2016), *Logistic Regression-HSMM-Based Heart Sound
Segmentation*, IEEE TBME 63(4):822-832, implemented from the paper. Four states in a cycle
(S1 -> systole -> S2 -> diastole -> S1), each with a Gaussian duration law (Schmidt et al. 2010):
S1 and S2 of fixed mean and SD; systole and diastole whose means follow the recording's heart
rate and systolic interval. The emission score of state ``j`` at envelope sample ``t`` is
``log P(j | o_t) - log P(j)`` with ``P(j | o_t)`` a multinomial logistic regression over the
envelope features: Bayes' rule gives ``P(o_t | j) = P(j | o_t) P(o_t) / P(j)``, and ``P(o_t)`` is
the same for every path, so it drops out of the Viterbi maximisation.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .._errors import DecodeError, ParameterError
from ._segmentation import _dataclass_eq

__all__ = ["SegmenterModel", "load_model", "duration_tables", "viterbi"]

#: the shipped parameters (fitted by benchmarks/fit_pcg_segmenter.py)
DEFAULT_MODEL_PATH = Path(__file__).resolve().parent / "springer_circor.json"

N_STATES = 4
# the cyclic order: the state before S1 (index 0) is diastole (index 3), etc.
_PREV = np.array([3, 0, 1, 2], dtype=np.int64)


@dataclass(frozen=True, eq=False)
class SegmenterModel:
    """Parameters of the LR-HSMM segmenter.

    Attributes
    ----------
    coef : np.ndarray [shape=(4, n_features)]
        Multinomial logistic-regression weights of S1, systole, S2, diastole.
    intercept : np.ndarray [shape=(4,)]
    log_prior : np.ndarray [shape=(4,)]
        ``log P(state)`` of the training samples (divided out of the posteriors).
    s1_mean, s1_sd, s2_mean, s2_sd : float
        Duration law of S1 and S2 in seconds.
    systole_sd : float
        SD (s) of systole about its mean ``systolic_interval - s1_mean``.
    diastole_rel_sd, diastole_sd_min : float
        SD of diastole: ``max(diastole_rel_sd * mean, diastole_sd_min)`` about its mean
        ``60 / heart_rate - systolic_interval - s2_mean``.
    n_sd : float
        Durations are allowed within ``mean +- n_sd * sd`` (at least one sample).
    audio_sr, feature_sr : float
        Rate the signal is resampled to before filtering, and rate of the envelope features.
    fmin, fmax, order : float, float, int
        The Butterworth band-pass (high-pass at ``fmin``, low-pass at ``fmax``, each of
        ``order``, zero phase).
    features : tuple of str
        Envelope features, in order (see :func:`physiofeat.pcg.segmentation_features`).
    context : tuple of int
        Offsets (feature samples) of the neighbouring frames whose features join each
        frame's (edge values repeated past the ends): the regression sees the envelope's
        shape around ``t``, not only its value at ``t``. ``()`` is Springer's model.
    time_offset : float
        Seconds added to every decoded state boundary: the median signed centre error of
        the S1/S2 sounds on the fitting recordings (the annotators' placement of a sound
        relative to its envelope), so the decoded sounds sit where annotations put them.
    hr_min, hr_max : float
        Heart-rate search range (bpm) of the autocorrelation.
    systole_min : float
        Shortest systolic interval (s) searched.
    info : dict
        How it was fitted (patients, recipe).

    Two models are ``==`` when every attribute is (arrays by :func:`numpy.array_equal`, NaN
    equal to NaN); like NumPy arrays, a model is not hashable (``hash()`` raises
    :class:`TypeError`): its arrays and ``info`` can be changed in place.
    """

    coef: np.ndarray
    intercept: np.ndarray
    log_prior: np.ndarray
    s1_mean: float = 0.122
    s1_sd: float = 0.022
    s2_mean: float = 0.094
    s2_sd: float = 0.022
    systole_sd: float = 0.025
    diastole_rel_sd: float = 0.07
    diastole_sd_min: float = 0.006
    n_sd: float = 3.0
    audio_sr: float = 1000.0
    feature_sr: float = 50.0
    fmin: float = 25.0
    fmax: float = 400.0
    order: int = 2
    features: tuple = ("homomorphic", "hilbert", "psd", "wavelet")
    context: tuple = ()
    time_offset: float = 0.0
    hr_min: float = 40.0
    hr_max: float = 200.0
    systole_min: float = 0.2
    info: dict = field(default_factory=dict)

    __eq__ = _dataclass_eq
    __hash__ = None  # type: ignore[assignment]  # value equality over mutable fields

    @classmethod
    def untrained(cls, **kwargs: Any) -> SegmenterModel:
        """A model with the default settings and flat emissions (a base for fitting)."""
        n = len(kwargs.get("features", cls.__dataclass_fields__["features"].default))
        n *= 1 + len(kwargs.get("context", ()))
        return cls(
            coef=np.zeros((N_STATES, n)),
            intercept=np.zeros(N_STATES),
            log_prior=np.log(np.full(N_STATES, 0.25)),
            **kwargs,
        )

    def to_json(self, path: str | os.PathLike) -> None:
        """Write the model as JSON (read it back with :func:`load_model`)."""
        d = asdict(self)
        for k in ("coef", "intercept", "log_prior"):
            d[k] = np.asarray(d[k]).tolist()
        d["features"] = list(self.features)
        d["context"] = list(self.context)
        Path(path).write_text(json.dumps(d, indent=1) + "\n", encoding="utf-8")

    def emission_scores(self, feats: np.ndarray) -> np.ndarray:
        """``(T, 4)`` ``log P(state | o_t) - log P(state)`` of features ``(n_features, T)``."""
        z = stack_context(feats, self.context).T @ self.coef.T + self.intercept
        z = z - z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return logp - self.log_prior


#: the envelope features a segmenter model may use (physiofeat.pcg.segmentation_features)
SEGMENTATION_FEATURES = ("homomorphic", "hilbert", "psd", "wavelet", "shannon")


def load_model(path: str | os.PathLike | None = None) -> SegmenterModel:
    """Read a :class:`SegmenterModel` written by :meth:`SegmenterModel.to_json`; ``None``
    reads the shipped model (fitted on CirCor, see ``docs/segmentation.rst``).

    Examples
    --------
    >>> from physiofeat.pcg import load_model
    >>> m = load_model()
    >>> m.coef.shape, m.feature_sr
    ((4, 75), 50.0)
    """
    p = DEFAULT_MODEL_PATH if path is None else Path(path)
    try:
        d = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DecodeError(f"cannot read segmenter model {os.fspath(p)!r}: {exc}") from exc
    try:
        for k in ("coef", "intercept", "log_prior"):
            d[k] = np.asarray(d[k], dtype=np.float64)
        d["features"] = tuple(d["features"])
        d["context"] = tuple(int(c) for c in d.get("context", ()))
        model = SegmenterModel(**d)
    except (KeyError, TypeError, ValueError) as exc:
        raise DecodeError(f"{os.fspath(p)!r} is not a segmenter model: {exc}") from exc
    bad = [f for f in model.features if f not in SEGMENTATION_FEATURES]
    if bad or not model.features:
        raise DecodeError(
            f"{os.fspath(p)!r}: features must be segmentation features "
            f"({', '.join(SEGMENTATION_FEATURES)}); got {list(model.features)}"
        )
    for k in ("audio_sr", "feature_sr"):
        v = getattr(model, k)
        if not isinstance(v, (int, float)) or not 0 < v < float("inf"):
            raise DecodeError(f"{os.fspath(p)!r}: {k} must be a positive number of Hz; got {v!r}")
    n = len(model.features) * (1 + len(model.context))
    if model.coef.shape != (N_STATES, n) or model.intercept.shape != (4,):
        raise DecodeError(
            f"{os.fspath(p)!r}: coef must be (4, {n}) and intercept (4,); got "
            f"{model.coef.shape} and {model.intercept.shape}"
        )
    return model


def stack_context(feats: np.ndarray, context) -> np.ndarray:
    """``(n_features * (1 + len(context)), T)``: the features, then the features shifted by
    each offset in ``context`` (row ``t`` of offset ``c`` holds frame ``clip(t + c, 0, T-1)``)."""
    if not len(context):
        return feats
    T = feats.shape[1]
    t = np.arange(T)
    blocks = [feats] + [feats[:, np.clip(t + int(c), 0, T - 1)] for c in context]
    return np.concatenate(blocks, axis=0)


_MODEL_CACHE: dict[str, SegmenterModel] = {}


def _default_model() -> SegmenterModel:
    if "default" not in _MODEL_CACHE:
        _MODEL_CACHE["default"] = load_model(None)
    return _MODEL_CACHE["default"]


def duration_means_sds(
    model: SegmenterModel, heart_rate: float, systolic_interval: float
) -> tuple[np.ndarray, np.ndarray]:
    """Mean and SD (s) of the four states' durations for a heart rate (bpm) and systolic
    interval (s, S1 start to S2 start)."""
    cycle = 60.0 / heart_rate
    sys_mean = max(systolic_interval - model.s1_mean, 1e-3)
    dia_mean = max(cycle - systolic_interval - model.s2_mean, 1e-3)
    mean = np.array([model.s1_mean, sys_mean, model.s2_mean, dia_mean])
    sd = np.array(
        [
            model.s1_sd,
            model.systole_sd,
            model.s2_sd,
            max(model.diastole_rel_sd * dia_mean, model.diastole_sd_min),
        ]
    )
    return mean, sd


def duration_tables(
    mean: np.ndarray, sd: np.ndarray, *, fs: float, n_sd: float = 3.0
) -> tuple[np.ndarray, np.ndarray]:
    """``(log_p, log_s)``, each ``(4, D + 1)``: the log duration pmf of each state over
    ``d = 0..D`` samples at ``fs`` (a Gaussian of ``mean``/``sd`` seconds kept within
    ``mean +- n_sd * sd``, at least one sample, renormalised) and the log survival
    ``log P(duration >= v)``.

    Examples
    --------
    >>> import numpy as np
    >>> from physiofeat.pcg._hsmm import duration_tables
    >>> lp, ls = duration_tables(np.full(4, 0.1), np.full(4, 0.02), fs=50)
    >>> lp.shape, float(np.exp(lp[0]).sum()).__round__(12), float(ls[0, 1])
    ((4, 9), 1.0, 0.0)
    """
    mu = np.asarray(mean, dtype=np.float64) * fs
    sg = np.maximum(np.asarray(sd, dtype=np.float64) * fs, 1e-3)
    lo = np.maximum(np.floor(mu - n_sd * sg), 1).astype(np.int64)
    hi = np.maximum(np.ceil(mu + n_sd * sg), lo).astype(np.int64)
    D = int(hi.max())
    d = np.arange(D + 1, dtype=np.float64)
    logp = np.full((N_STATES, D + 1), -np.inf)
    logs = np.full((N_STATES, D + 1), -np.inf)
    for j in range(N_STATES):
        g = -0.5 * ((d - mu[j]) / sg[j]) ** 2
        ok = (d >= lo[j]) & (d <= hi[j])
        g = np.where(ok, g, -np.inf)
        g = g - (g.max() + math.log(np.exp(g - g.max()).sum()))
        logp[j] = g
        p = np.exp(g)
        surv = np.cumsum(p[::-1])[::-1]  # P(D >= v)
        with np.errstate(divide="ignore"):
            logs[j] = np.log(np.minimum(surv, 1.0))
    return logp, logs


def viterbi(log_b: np.ndarray, log_p: np.ndarray, log_s: np.ndarray) -> tuple[np.ndarray, float]:
    """The cyclic 4-state HSMM Viterbi (``_kernels.hsmm_viterbi``): states ``0..3`` (S1,
    systole, S2, diastole) per time step, and the path's log score."""
    log_b = np.ascontiguousarray(log_b, dtype=np.float64)
    if log_b.ndim != 2 or log_b.shape[1] != N_STATES or log_b.shape[0] < 1:
        raise ParameterError(f"log_b must be (T >= 1, 4); got shape {log_b.shape}")
    if log_p.shape != log_s.shape or log_p.shape[0] != N_STATES:
        raise ParameterError(
            f"log_p and log_s must both be (4, D + 1); got {log_p.shape} and {log_s.shape}"
        )
    from ._kernels import hsmm_viterbi

    states, score = hsmm_viterbi(
        log_b, np.ascontiguousarray(log_p), np.ascontiguousarray(log_s), _PREV
    )
    return states, float(score)


# ------------------------------------------------------------------------------------------
# fitting


def _robust_sd(r: np.ndarray) -> float:
    r = np.asarray(r, dtype=np.float64)
    return float(1.4826 * np.median(np.abs(r - np.median(r))))


def fit_model(
    features: list[np.ndarray],
    labels: list[np.ndarray],
    stays: list[np.ndarray],
    rates: list[tuple[float, float]],
    *,
    base: SegmenterModel,
    C: float = 1.0,
    max_samples: int | None = 200_000,
    seed: int = 0,
    info: dict | None = None,
) -> SegmenterModel:
    """Fit emissions and duration laws.

    ``features[i]`` ``(n_features, T_i)``, ``labels[i]`` ``(T_i,)`` codes 0-4 (0 ignored),
    ``stays[i]`` ``(k, 2)`` ``[state, duration_s]`` of the complete annotated stays,
    ``rates[i]`` the estimated ``(heart_rate, systolic_interval)`` of recording ``i``.
    """
    from sklearn.linear_model import LogisticRegression

    names = {1: "S1", 2: "systole", 3: "S2", 4: "diastole"}
    y = np.concatenate(labels) if labels else np.zeros(0, np.int64)
    missing = [names[c] for c in names if not (y == c).any()]
    if missing:
        raise ParameterError(
            f"the annotations hold no {'/'.join(missing)} example; every state 1-4 (S1, "
            f"systole, S2, diastole) needs annotated examples to fit the emissions"
        )
    st = [s for s in stays if s.size]
    st = np.concatenate(st) if st else np.zeros((0, 2))
    for c in (1, 3):
        if not (st[:, 0] == c).any():
            raise ParameterError(
                f"the annotations hold no {names[c]} stay between two annotated neighbours; "
                f"the {names[c]} duration law needs at least one"
            )
    if not any(s.size and np.isfinite(hr) for s, (hr, _) in zip(stays, rates)):
        raise ParameterError(
            "no complete annotated cycle (S1, systole, S2, diastole, then S1): the systole "
            "and diastole duration laws need at least one"
        )
    X = np.concatenate([stack_context(f, base.context).T for f in features])
    keep = y > 0
    X, y = X[keep], y[keep]
    if max_samples is not None and X.shape[0] > max_samples:
        idx = np.random.default_rng(seed).choice(X.shape[0], max_samples, replace=False)
        X, y = X[idx], y[idx]
        missing = [names[c] for c in names if not (y == c).any()]
        if missing:
            raise ParameterError(
                f"max_samples={max_samples} examples drawn with seed={seed} hold no "
                f"{'/'.join(missing)} example; raise max_samples (None keeps every example)"
            )
    lr = LogisticRegression(C=C, max_iter=2000)
    lr.fit(X, y)
    order = [list(lr.classes_).index(c) for c in (1, 2, 3, 4)]
    coef = lr.coef_[order]
    intercept = lr.intercept_[order]
    prior = np.array([(y == c).mean() for c in (1, 2, 3, 4)])

    s1 = st[st[:, 0] == 1, 1]
    s2 = st[st[:, 0] == 3, 1]
    s1_mean, s2_mean = float(np.median(s1)), float(np.median(s2))
    sys_res, dia_rel = [], []
    for s, (hr, si) in zip(stays, rates):
        if not s.size or not np.isfinite(hr):
            continue
        sys_res.append(s[s[:, 0] == 2, 1] - max(si - s1_mean, 1e-3))
        dmean = max(60.0 / hr - si - s2_mean, 1e-3)
        dia_rel.append(s[s[:, 0] == 4, 1] / dmean - 1.0)
    sys_res = np.concatenate(sys_res)
    dia_rel = np.concatenate(dia_rel)
    return SegmenterModel(
        coef=coef,
        intercept=intercept,
        log_prior=np.log(prior),
        s1_mean=s1_mean,
        s1_sd=max(_robust_sd(s1), 0.5 / base.feature_sr),
        s2_mean=s2_mean,
        s2_sd=max(_robust_sd(s2), 0.5 / base.feature_sr),
        systole_sd=max(_robust_sd(sys_res), 1.0 / base.feature_sr),
        diastole_rel_sd=max(_robust_sd(dia_rel), 0.02),
        diastole_sd_min=base.diastole_sd_min,
        n_sd=base.n_sd,
        audio_sr=base.audio_sr,
        feature_sr=base.feature_sr,
        fmin=base.fmin,
        fmax=base.fmax,
        order=base.order,
        features=tuple(base.features),
        context=tuple(base.context),
        hr_min=base.hr_min,
        hr_max=base.hr_max,
        systole_min=base.systole_min,
        info=dict(info or {}),
    )


def _as_model(model: Any) -> SegmenterModel:
    if model is None:
        return _default_model()
    if isinstance(model, SegmenterModel):
        return model
    if isinstance(model, (str, os.PathLike)):
        return load_model(model)
    raise ParameterError(
        f"model must be None (the shipped model), a SegmenterModel or a path to its JSON; got "
        f"{type(model).__name__}"
    )
