"""Registry entries of the spectral family.

One STFT per distinct framing feeds every spectral feature in an :func:`physiofeat.extract` call:
the intermediates below are memoised on their parameters by the :class:`~physiofeat._registry.Context`.
"""

from __future__ import annotations

import warnings

import numpy as np

from .._features import Feature
from .._registry import register_feature, register_intermediate
from .._validation import check_bool, check_float, check_int
from . import _core as C

_FRAMING = ("n_fft", "hop_length", "win_length", "window", "center", "pad_mode")
_MEL = ("power", "n_mels", "fmin", "fmax", "htk")


def _pick(p: dict, keys) -> dict:
    return {k: p[k] for k in keys}


class _Axes:
    """Frame times, bin frequencies and the batch shape of a framing, without any FFT."""

    def __init__(self, ctx, n_fft, hop_length, win_length, center, pad_mode, **_):
        self.fp = C.FrameParams.resolve(
            n_fft, hop_length, win_length, center, pad_mode, n=ctx.x.shape[-1]
        )
        self.batch = ctx.x.shape[:-1]
        self.times = self.fp.times(self.fp.n_frames(ctx.x.shape[-1]), ctx.sr)
        self.freqs = C.fft_frequencies(sr=ctx.sr, n_fft=self.fp.n_fft)

    def time_last(self, a_fm: np.ndarray) -> np.ndarray:
        return C._time_last(a_fm, self.batch)


class _Stft(_Axes):
    """A computed STFT: complex frame-major ``X`` (R, T, F) and its axes."""

    def __init__(self, ctx, window, **framing):
        super().__init__(ctx, **framing)
        self.X = C._stft_fm(ctx.x.reshape(-1, ctx.x.shape[-1]), self.fp, window)


@register_intermediate("stft")
def _stft(ctx, *, n_fft, hop_length, win_length, window, center, pad_mode):
    return _Stft(
        ctx,
        window,
        n_fft=n_fft,
        hop_length=hop_length,
        win_length=win_length,
        center=center,
        pad_mode=pad_mode,
    )


@register_intermediate("magnitude")
def _magnitude(ctx, **framing):
    return C._power_fm(ctx.get("stft", **framing).X, 1.0)


@register_intermediate("mel")
def _mel(ctx, *, power, n_mels, fmin, fmax, htk, norm, **framing):
    power = C._check_power(power)
    if "stft" in ctx.needs or ctx.has("stft", **framing):  # the full STFT is wanted anyway
        st = ctx.get("stft", **framing)
        _, bands = C._mel_basis(ctx.sr, st.fp.n_fft, n_mels, fmin, fmax, htk, norm, st.X.real.dtype)
        return C._mel_fm(st.X, bands, n_mels, power)
    # nobody needs the complex STFT: go block by block from the signal to mel, in cache
    return _mel_in_blocks(ctx, power, n_mels, fmin, fmax, htk, norm, framing)


def _mel_in_blocks(ctx, power, n_mels, fmin, fmax, htk, norm, framing, db_amin=None):
    """:func:`C._mel_direct` on the context's signal (with ``db_amin``: its log10 too)."""
    fp = _Axes(ctx, **framing).fp
    rows = ctx.x.reshape(-1, ctx.x.shape[-1])
    _, bands = C._mel_basis(ctx.sr, fp.n_fft, n_mels, fmin, fmax, htk, norm, rows.dtype)
    return C._mel_direct(rows, fp, framing["window"], bands, n_mels, power, db_amin=db_amin)


@register_intermediate("log_mel")
def _log_mel(ctx, *, ref, amin, top_db, **mel):
    raw_wanted = "mel" in ctx.needs or "stft" in ctx.needs or ctx.has("mel", **mel)
    if raw_wanted or callable(ref):
        return C._db_rows(ctx.get("mel", **mel), scale=10.0, ref=ref, amin=amin, top_db=top_db)
    # only the log is wanted: take it block by block, in cache, on the block threads
    amin = check_float(amin, "amin", minimum=0.0, strict_min=True)
    m = {k: mel[k] for k in ("n_mels", "fmin", "fmax", "htk", "norm")}
    power = C._check_power(mel["power"])
    L = _mel_in_blocks(ctx, power, **m, framing=_pick(mel, _FRAMING), db_amin=amin)
    return C._db_rows(L, scale=10.0, ref=ref, amin=amin, top_db=top_db, logged=True)


@register_intermediate("mfcc")
def _mfcc(ctx, *, n_mfcc, dct_type, norm, lifter, mel_norm, top_db, **rest):
    n_mfcc, lifter = C._check_mfcc_args(n_mfcc, rest["n_mels"], dct_type, norm, lifter)
    C._check_mel_norm(mel_norm, "mel_norm")
    L = ctx.get("log_mel", ref=1.0, amin=1e-10, top_db=top_db, norm=mel_norm, **rest)
    return C._mfcc_fm(L, n_mfcc, dct_type, norm, lifter)


@register_intermediate("spectral_stats")
def _spectral_stats(ctx, *, roll_percent, p, amin, **framing):
    roll_percent, p, amin = C._check_stat_args(roll_percent, p, amin)
    st = ctx.get("stft", **framing)
    return C._stats_fm(ctx.get("magnitude", **framing), st.freqs, roll_percent, p, amin)


def _check_values(p: dict) -> None:
    """The signal-independent checks of a spectral feature's parameters (framing, window,
    power, mel count, DCT, decibel reference): run by ``resolve_params`` before any work."""
    if "n_fft" in p:
        fp = C.FrameParams.resolve(
            p["n_fft"], p["hop_length"], p["win_length"], p["center"], p["pad_mode"]
        )
        w = p["window"]
        if isinstance(w, (str, tuple)):  # a named window: built small when it can be
            C.check_named_window(w, fp.win_length, fp.n_fft)
        elif not callable(w):  # an array: its length must be win_length (not padded here)
            C.get_window(w, fp.win_length, fp.win_length)
    elif "frame_length" in p:
        C.FrameParams.resolve(
            p["frame_length"], p["hop_length"], None, p["center"], p.get("pad_mode", "constant"),
            name="frame_length",
        )  # fmt: skip
    if "power" in p:
        C._check_power(p["power"])
    if "n_mels" in p:
        check_int(p["n_mels"], "n_mels", minimum=1)
    if "htk" in p:
        check_bool(p["htk"], "htk")
    if "n_mfcc" in p:
        C._check_mfcc_args(p["n_mfcc"], p["n_mels"], p["dct_type"], p["norm"], p["lifter"])
    if "ref" in p:
        C.check_ref(p["ref"])
    # the rate-free parts of the mel, decibel and statistics checks (the rest, fmax against
    # Nyquist, needs the signal's rate and is checked with it)
    if "fmin" in p:
        C.check_band_limits(p["fmin"], p.get("fmax"))
    if p.get("top_db") is not None:
        check_float(p["top_db"], "top_db", minimum=0.0)
    if "amin" in p:
        check_float(p["amin"], "amin", minimum=0.0, strict_min=True)
    if "norm" in p and "n_mels" in p and "n_mfcc" not in p:
        C._check_mel_norm(p["norm"])
    if "mel_norm" in p:
        C._check_mel_norm(p["mel_norm"], "mel_norm")
    if "roll_percent" in p or "p" in p:
        C._check_stat_args(
            p.get("roll_percent", C.ROLL_PERCENT),
            p.get("p", C.BANDWIDTH_P),
            p.get("amin", C.FLATNESS_AMIN),
        )


def _ignored(p: dict) -> dict[str, str]:
    """Parameters this combination does not use: ``pad_mode`` pads only centred frames (as in
    librosa), ``top_db`` clips only a spectrogram in dB."""
    out = {}
    if "pad_mode" in p and not p["center"]:
        out["pad_mode"] = "uses pad_mode only with center=True (it pads the centred frames)"
    if "db" in p and not p["db"]:
        out["top_db"] = "uses top_db only with db=True (it clips the dB spectrogram)"
    return out


def _time_coords(ctx, framing) -> dict:
    return {"time": _Axes(ctx, **framing).times}


@register_feature(
    "spectrogram",
    family="spectral",
    check=_check_values,
    ignores=_ignored,
    dims=("freq", "time"),
    needs=("stft",),
    params_from=C.spectrogram,
    description="Magnitude/power spectrogram |STFT|**power, optionally in dB",
)
def _spectrogram_feature(ctx, *, power, db, top_db, **p):
    db = check_bool(db, "db")
    st = ctx.get("stft", **_pick(p, _FRAMING))
    P = (
        ctx.get("magnitude", **_pick(p, _FRAMING))
        if power == 1.0
        else C._power_fm(st.X, C._check_power(power))
    )
    if db:
        P = C._spectrogram_db(P, power, top_db)
    return Feature(
        st.time_last(P),
        ("freq", "time"),
        {"freq": st.freqs, "time": st.times},
        {"units": "dB" if db else f"|X|^{power:g}"},
    )


def _mel_coords(ctx, p) -> dict:
    sr = ctx.sr
    fmax = sr / 2 if p["fmax"] is None else p["fmax"]
    centres = C.mel_frequencies(p["n_mels"] + 2, fmin=p["fmin"], fmax=fmax, htk=p["htk"])[1:-1]
    return {"mel": centres, **_time_coords(ctx, p)}


@register_feature(
    "mel",
    family="spectral",
    check=_check_values,
    ignores=_ignored,
    dims=("mel", "time"),
    needs=("mel",),
    params_from=C.melspectrogram,
    description="Mel spectrogram (Slaney or HTK scale), power units",
)
def _mel_feature(ctx, **p):
    st = _Axes(ctx, **p)
    M = ctx.get("mel", **_pick(p, _FRAMING + _MEL), norm=p["norm"])
    return Feature(
        st.time_last(M),
        ("mel", "time"),
        _mel_coords(ctx, p),
        {"units": "power", "mel_centres": "coords['mel'] in Hz"},
    )


@register_feature(
    "log_mel",
    family="spectral",
    check=_check_values,
    ignores=_ignored,
    dims=("mel", "time"),
    needs=("log_mel",),
    params_from=C.melspectrogram,
    description="Log-mel spectrogram in dB (power_to_db of the mel spectrogram)",
)
def _log_mel_feature(ctx, *, ref=1.0, amin=1e-10, top_db=80.0, **p):
    st = _Axes(ctx, **p)
    L = ctx.get(
        "log_mel", ref=ref, amin=amin, top_db=top_db, norm=p["norm"], **_pick(p, _FRAMING + _MEL)
    )
    return Feature(st.time_last(L), ("mel", "time"), _mel_coords(ctx, p), {"units": "dB"})


def _mfcc_args(p) -> dict:
    keys = _FRAMING + _MEL + ("n_mfcc", "dct_type", "norm", "lifter", "mel_norm", "top_db")
    return _pick(p, keys)


@register_feature(
    "mfcc",
    family="spectral",
    check=_check_values,
    ignores=_ignored,
    dims=("coef", "time"),
    needs=("log_mel",),
    params_from=C.mfcc,
    description="Mel-frequency cepstral coefficients",
    meanings={"norm": "the DCT normalisation"},
)
def _mfcc_feature(ctx, **p):
    st = _Axes(ctx, **p)
    M = ctx.get("mfcc", **_mfcc_args(p))
    return Feature(
        st.time_last(M), ("coef", "time"), {"coef": np.arange(M.shape[-1]), "time": st.times}, {}
    )


def _mfcc_delta(ctx, order, width, p):
    st = _Axes(ctx, **p)
    M = ctx.get("mfcc", **_mfcc_args(p))
    attrs: dict = {"order": order}
    if isinstance(width, (int, np.integer)) and width > M.shape[1] >= 1:
        # a recording too short for the delta window: NaN with the request's shape and names,
        # not an error, so that it is one row of NaN in a table of longer files (the public
        # ``delta`` raises here, as librosa does)
        width, order = C._check_delta_args(width, order, width)
        reason = (
            f"width={width} is larger than the {M.shape[1]} frames of this signal: the "
            f"order-{order} MFCC delta needs >= {width} frames (a longer signal, or a smaller "
            "width or hop_length)"
        )
        warnings.warn(reason, C.SpectralWarning, stacklevel=2)
        D = np.full(M.shape, np.nan, dtype=M.dtype)
        attrs["nan_reason"] = reason
    else:
        width, order = C._check_delta_args(width, order, M.shape[1])
        D = C._delta_time_axis1(M, width, order)
    return Feature(
        st.time_last(D),
        ("coef", "time"),
        {"coef": np.arange(M.shape[-1]), "time": st.times},
        attrs,
    )


@register_feature(
    "mfcc_delta",
    family="spectral",
    check=_check_values,
    ignores=_ignored,
    dims=("coef", "time"),
    needs=("mfcc",),
    params_from=C.mfcc,
    description="First-order deltas of the MFCCs",
    meanings={"norm": "the DCT normalisation"},
)
def _mfcc_delta_feature(ctx, *, width=C.DELTA_WIDTH, **p):
    return _mfcc_delta(ctx, 1, width, p)


@register_feature(
    "mfcc_delta2",
    family="spectral",
    check=_check_values,
    ignores=_ignored,
    dims=("coef", "time"),
    needs=("mfcc",),
    params_from=C.mfcc,
    description="Second-order (delta-delta) MFCC deltas",
    meanings={"norm": "the DCT normalisation"},
)
def _mfcc_delta2_feature(ctx, *, width=C.DELTA_WIDTH, **p):
    return _mfcc_delta(ctx, 2, width, p)


@register_feature(
    "cepstrum",
    family="spectral",
    check=_check_values,
    ignores=_ignored,
    dims=("quefrency", "time"),
    needs=("stft",),
    params_from=C.cepstrum,
    description="Real cepstrum per frame, first n_ceps coefficients",
)
def _cepstrum_feature(ctx, *, n_ceps, amin, **p):
    st = ctx.get("stft", **_pick(p, _FRAMING))
    fp = st.fp
    n_ceps = (
        fp.n_fft if n_ceps is None else C.check_int(n_ceps, "n_ceps", minimum=1, maximum=fp.n_fft)
    )
    Cm = C._cepstrum_fm(
        st.X, fp.n_fft, n_ceps, C.check_float(amin, "amin", minimum=0.0, strict_min=True)
    )
    return Feature(
        st.time_last(Cm),
        ("quefrency", "time"),
        {"quefrency": np.arange(n_ceps) / ctx.sr, "time": st.times},
        {"quefrency_units": "s"},
    )


def _register_stat(name: str, func, key: str, description: str) -> None:
    @register_feature(
        name,
        family="spectral",
        check=_check_values,
        ignores=_ignored,
        dims=("time",),
        needs=("stft",),
        params_from=func,
        description=description,
    )
    def _compute(ctx, **p):
        framing = _pick(p, _FRAMING)
        st = ctx.get("stft", **framing)
        if key == "flux":
            v = C._flux_fm(ctx.get("magnitude", **framing))
        else:
            # every statistic shares one kernel pass; parameters a feature lacks take the defaults
            extra = {
                "roll_percent": p.get("roll_percent", C.ROLL_PERCENT),
                "p": p.get("p", C.BANDWIDTH_P),
                "amin": p.get("amin", C.FLATNESS_AMIN),
            }
            v = ctx.get("spectral_stats", **extra, **framing)[key]
        return Feature(
            v.reshape(st.batch + (v.shape[-1],)),
            ("time",),
            {"time": st.times},
            {"units": "Hz" if key in ("centroid", "bandwidth", "rolloff") else ""},
        )


_register_stat(
    "spectral_centroid",
    C.spectral_centroid,
    "centroid",
    "Magnitude-weighted mean frequency per frame (Hz)",
)
_register_stat(
    "spectral_bandwidth",
    C.spectral_bandwidth,
    "bandwidth",
    "Order-p spectral spread around the centroid per frame (Hz)",
)
_register_stat(
    "spectral_rolloff",
    C.spectral_rolloff,
    "rolloff",
    "Frequency below which roll_percent of the magnitude lies (Hz)",
)
_register_stat(
    "spectral_flatness",
    C.spectral_flatness,
    "flatness",
    "Wiener entropy: geometric / arithmetic mean of the power spectrum",
)
_register_stat(
    "spectral_entropy",
    C.spectral_entropy,
    "entropy",
    "Normalised Shannon entropy of the power spectrum per frame",
)
_register_stat(
    "spectral_flux",
    C.spectral_flux,
    "flux",
    "L2 norm of the frame-to-frame magnitude-spectrum change",
)


def _framed_feature(ctx, func, p) -> Feature:
    v = func(ctx.x, **p)
    fp = C.FrameParams.resolve(
        p["frame_length"], p["hop_length"], None, p["center"], "constant", name="frame_length"
    )
    return Feature(v, ("time",), {"time": fp.times(v.shape[-1], ctx.sr)}, {})


@register_feature(
    "zero_crossing_rate",
    family="spectral",
    check=_check_values,
    ignores=_ignored,
    dims=("time",),
    params_from=C.zero_crossing_rate,
    description="Fraction of sign changes per frame",
)
def _zcr_feature(ctx, **p):
    return _framed_feature(ctx, C.zero_crossing_rate, p)


@register_feature(
    "rms",
    family="spectral",
    check=_check_values,
    ignores=_ignored,
    dims=("time",),
    params_from=C.rms,
    description="Root-mean-square energy per frame",
)
def _rms_feature(ctx, **p):
    return _framed_feature(ctx, C.rms, p)
