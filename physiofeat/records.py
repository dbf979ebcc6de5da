"""Reading multi-channel records: :func:`load_record` and :class:`Record`.

A record is what biosignal files hold beyond audio: several channels, each with a name (an ECG
lead, ``PCG``...), physical units and its own sampling rate. :func:`load_record` reads

- WFDB records (PhysioNet: ``.hea`` header + signal files) through ``wfdb.rdrecord``;
- EDF, EDF+ (continuous) and BDF files through ``edfio`` (see ``docs/records.rst`` for why that
  reader: it keeps each channel's rate, writes EDF, reads EDF+ annotations, is pure Python and
  Apache-2.0);
- multi-channel WAV/FLAC/OGG/MP3 through the audio path of :func:`physiofeat.load`;
- BioSPPy's "Simple Text Format" (``#`` header lines with the rate, units and labels, then one
  tab-separated column per channel).

``wfdb`` and ``edfio`` are imported only when a record of theirs is read.

Channels are chosen with ``channels=`` (one or a list of names or indices), matched in this order:
the exact name (case-insensitive, surrounding spaces ignored); an integer index (or a string of
digits, ``"-1"`` counting from the end as ``-1`` does); the lead part of a name, i.e. an EDF+
standard label ``"ECG II"`` or MIT-BIH's modified lead ``"MLII"`` both answer ``"ii"``. A name
that states a signal type matches only a channel of that type (or of none): ``"EEG II"`` finds
neither ``"ECG II"`` nor LUDB's ``"ii"`` (a bare standard lead is an ECG lead), while ``"ECG
II"`` and ``"MLII"`` find either; ``"ii"`` states no type. A name that matches no channel, or
several, is a :class:`~physiofeat.ParameterError` listing the record's channels.

**Channel roles.** A channel's *role* (``"ecg"``, ``"pcg"`` or None) tells the record features of
:func:`physiofeat.extract` (``ecg_multilead``, ``ecg_pcg_timing``) which channels to draw on.
:func:`channel_role` infers it from the name by one rule (case-insensitive, surrounding spaces
ignored):

- **ecg**: the name is a standard lead (``i``, ``ii``, ``iii``, ``avr``, ``avl``, ``avf``,
  ``v1``-``v9``, ``v3r``-``v6r``), or ``Lead`` and one (``"Lead II"``); or it starts with
  ``ecg`` or ``ekg`` (``"ECG"``, ``"ECG1"``, ``"ECG II"``: the EDF+ signal type; not
  ``"EEG II"``); or it is a modified or Holter lead ``ML<x>`` / ``CM<x>`` (``MLII``, ``ML5``,
  ``CM5``: MIT-BIH and QTDB);
- **pcg**: the first word of the name (words split at spaces, ``_``, ``-`` and digits) is
  ``pcg``, ``phono``, ``phonocardiogram``, ``sound``, ``mic``, ``microphone``, ``audio`` or
  ``stethoscope``, or the name contains ``heart sound`` (``"PCG"``, ``"Phono 1"``,
  ``"Heart Sound"``, ``"mic_left"``);
- the one channel of a mono audio file (WAV, FLAC...: named ``"0"``) is **pcg**: heart-sound
  audio is what the project reads (not one channel chosen from a stereo file: the file's
  channel count decides, :attr:`Record.file_channels`);
- anything else (``"Resp"``, QTDB's unnamed ``"record 30, signal 0"``, a stereo file's
  ``"0"``/``"1"``) has no role.

:meth:`Record.roles` applies the rule to a record, with overrides by role
(``rec.roles({"pcg": "PCG", "ecg": ["ii", "v5"]})``; the CLI's ``--role pcg=PCG``): an
overridden role takes exactly the channels given, and they leave any role the rule gave them.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ._errors import DecodeError, InvalidSignalError, ParameterError

__all__ = [
    "load_record",
    "Record",
    "Channel",
    "ROLES",
    "MissingRoleError",
    "channel_role",
    "RECORD_SUFFIXES",
    "is_record_path",
    "header_of_audio",
]

PathLike = str | os.PathLike

#: File suffixes read as records (not audio) by :func:`load_record` and the CLI.
RECORD_SUFFIXES = (".hea", ".edf", ".bdf")

ChannelKey = str | int

#: The channel roles record features draw on (see the module's "Channel roles" paragraph).
ROLES = ("ecg", "pcg")

#: Formats :func:`load_record` gives records that are not audio files.
_RECORD_FORMATS = ("WFDB", "EDF", "EDF+", "BDF", "BDF+", "text", "arrays")


class MissingRoleError(InvalidSignalError):
    """A record lacks a channel of the role a record feature needs (a heart-sound WAV asked
    for ``ecg_pcg_timing``); the message names the record's channels and the role missing."""


@dataclass(frozen=True, eq=False)
class Channel:
    """One channel of a :class:`Record`: its samples, name, physical unit and rate, and its
    position in the file (``index``: the channel number a table reports)."""

    name: str
    unit: str
    sr: float
    data: np.ndarray
    index: int = 0

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return self.data.shape[-1] / self.sr

    def __repr__(self) -> str:
        return (
            f"Channel({self.name!r}, unit={self.unit!r}, sr={self.sr:g}, n={self.data.shape[-1]})"
        )


class Record:
    """A multi-channel recording read by :func:`load_record`.

    Attributes
    ----------
    path : str
        The file the record was read from (the ``.hea`` header for WFDB).
    format : str
        ``"WFDB"``, ``"EDF"``, ``"EDF+"``, ``"BDF"``, ``"BDF+"``, ``"text"``, the audio
        container (``"WAV"``, ``"FLAC"``...), or ``"arrays"`` for :meth:`from_arrays`.
    names, units : tuple of str
        Channel names and physical units (``""`` where the file has none).
    rates : tuple of float
        Each channel's sampling rate in Hz.
    signals : tuple of np.ndarray
        Each channel's samples, 1-D, in physical units (channels at different rates have
        different lengths).
    annotations : tuple of (float, float or None, str)
        EDF+ annotations: onset (s), duration (s, None if unset) and text; empty otherwise.
    file_channels : int
        How many channels the file holds (``channels=`` may have read fewer): the one channel
        of a mono audio file is ``"pcg"``, one channel chosen from a stereo file is not.

    Examples
    --------
    >>> import physiofeat
    >>> rec = physiofeat.load_record(physiofeat.data.path("ludb_1"))
    >>> rec.names[:3], rec.units[1], rec.rates[1]
    (('i', 'ii', 'iii'), 'mV', 500.0)
    >>> rec["II"].shape, rec.channel("ii").sr
    ((5000,), 500.0)
    >>> rec.to_array().shape, rec.sr
    ((12, 5000), 500.0)
    """

    def __init__(
        self,
        channels: Sequence[Channel],
        *,
        path: str,
        format: str,
        annotations: Sequence[tuple[float, float | None, str]] = (),
        file_channels: int | None = None,
    ):
        self._channels = tuple(channels)
        self.path = path
        self.format = format
        self.annotations = tuple(annotations)
        self.file_channels = len(self._channels) if file_channels is None else int(file_channels)

    # -- what it holds ----------------------------------------------------------------------
    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self._channels)

    @property
    def units(self) -> tuple[str, ...]:
        return tuple(c.unit for c in self._channels)

    @property
    def rates(self) -> tuple[float, ...]:
        return tuple(c.sr for c in self._channels)

    @property
    def signals(self) -> tuple[np.ndarray, ...]:
        return tuple(c.data for c in self._channels)

    @property
    def sr(self) -> float:
        """The rate shared by every channel (a :class:`ParameterError` when they differ)."""
        rates = set(self.rates)
        if len(rates) != 1:
            raise ParameterError(
                f"{self.path}: the channels have different rates "
                f"({self._describe(rate=True)}); use rec.channel(name).sr, or "
                "load_record(..., sr=RATE) to resample them all"
            )
        return self._channels[0].sr

    def __len__(self) -> int:
        return len(self._channels)

    def __iter__(self) -> Iterator[Channel]:
        return iter(self._channels)

    def __getitem__(self, key: ChannelKey) -> np.ndarray:
        """The samples of one channel, by name or index (``rec["ii"]``, ``rec[0]``)."""
        return self.channel(key).data

    def __repr__(self) -> str:
        return f"Record({self.path!r}, format={self.format!r}, {self._describe(rate=True)})"

    def _describe(
        self, *, rate: bool = False, roles: Mapping[str, Sequence[int]] | None = None
    ) -> str:
        of = {i: r for r, idx in (roles or {}).items() for i in idx}
        parts = []
        for i, c in enumerate(self._channels):
            s = f"{i} {c.name!r}"
            if rate:
                s += f" {c.sr:g} Hz"
            if i in of:
                s += f" ({of[i]})"
            parts.append(s)
        return ", ".join(parts) if parts else "no channels"

    # -- choosing channels ------------------------------------------------------------------
    def index(self, key: ChannelKey) -> int:
        """The position of a channel given by name or index (matching rules: module docs)."""
        return _match(self.names, key, self.path)

    def channel(self, key: ChannelKey) -> Channel:
        """One :class:`Channel` (samples, name, unit, rate), by name or index."""
        return self._channels[self.index(key)]

    def select(self, channels: ChannelKey | Sequence[ChannelKey]) -> Record:
        """A record of the chosen channels, in the order asked."""
        idx = _resolve(self.names, channels, self.path)
        return Record(
            [self._channels[i] for i in idx],
            path=self.path,
            format=self.format,
            annotations=self.annotations,
            file_channels=self.file_channels,
        )

    def to_array(self) -> np.ndarray:
        """The channels stacked, ``(n_channels, n)``, when they share one rate and length
        (:attr:`sr` gives the rate); a :class:`ParameterError` otherwise."""
        self.sr  # noqa: B018 - raises when the rates differ
        lengths = {c.data.shape[-1] for c in self._channels}
        if len(lengths) != 1:
            raise ParameterError(
                f"{self.path}: the channels have different lengths ({sorted(lengths)} samples); "
                "use rec[name] per channel"
            )
        return np.stack(self.signals)

    # -- roles ------------------------------------------------------------------------------
    def roles(
        self, overrides: Mapping[str, ChannelKey | Sequence[ChannelKey]] | None = None
    ) -> dict[str, tuple[int, ...]]:
        """Channel positions by role (``{"ecg": (0, 1, ...), "pcg": (2,)}``; roles without
        channels left out), by the rule of :func:`channel_role`.

        ``overrides`` maps a role to the channel(s) that play it (names or indices, matched as
        :meth:`index` matches them): that role takes exactly those channels, which leave any
        other role the rule gave them. A role other than ``"ecg"``/``"pcg"``, a channel the
        record does not have, or one given two roles is a :class:`ParameterError`.

        Examples
        --------
        >>> import physiofeat
        >>> rec = physiofeat.load_record(physiofeat.data.path("ludb_1"))
        >>> rec.roles()["ecg"][:3]
        (0, 1, 2)
        >>> rec.roles({"ecg": ["ii", "v5"]})
        {'ecg': (1, 10)}
        """
        audio = self.format not in _RECORD_FORMATS and self.file_channels == 1
        out: dict[str, list[int]] = {}
        for i, c in enumerate(self._channels):
            role = channel_role(c.name, mono_audio=audio)
            if role is not None:
                out.setdefault(role, []).append(i)
        given = {}
        for role, keys in check_roles(overrides).items():
            self._refuse_ambiguous_index(role, keys)
            given[role] = _resolve(self.names, list(keys), self.path)
        owner: dict[int, str] = {}
        for role, idx in given.items():
            for i in idx:
                if owner.setdefault(i, role) != role:
                    raise ParameterError(
                        f"{self.path}: roles= gives channel {i} {self.names[i]!r} two roles "
                        f"({owner[i]} and {role}); a channel plays one role"
                    )
        for role, idx in given.items():
            for other in out:
                out[other] = [i for i in out[other] if i not in idx]
            out[role] = idx
        return {r: tuple(out[r]) for r in ROLES if out.get(r)}

    def _refuse_ambiguous_index(self, role: str, keys: Sequence[ChannelKey]) -> None:
        """A role given by index in a record that holds the file's channels in other positions
        (``channels=`` chose or reordered them): the index would count in the selection, while
        the file, the table's ``channel`` column and :attr:`Channel.index` count in the file."""
        if [c.index for c in self._channels] == list(range(len(self._channels))):
            return  # the positions are the file's
        for key in keys:
            if _by_index(self.names, key):
                held = ", ".join(f"{c.name!r} (file channel {c.index})" for c in self._channels)
                raise ParameterError(
                    f"{self.path}: the role {role!r} is given channel index {key}, but the "
                    f"record holds a selection of the file's channels: {held}; an index is "
                    "ambiguous there (a position in the selection, or in the file): give the "
                    "channel by name"
                )

    def describe_roles(self, roles: Mapping[str, Sequence[int]] | None = None) -> str:
        """The channels with their roles, for messages: ``0 'ECG' (ecg), 1 'Resp'``."""
        return self._describe(roles=self.roles() if roles is None else roles)

    def _missing_role(
        self, role: str, roles: Mapping[str, Sequence[int]], *, feature: str | None = None
    ) -> MissingRoleError:
        """The error for a record without a channel of ``role`` (``feature``: who needs it)."""
        what = (
            f"{feature} needs a channel of role {role!r} and the record has none"
            if feature
            else f"no channel of role {role!r}"
        )
        return MissingRoleError(
            f"{self.path}: {what}; its channels: {self.describe_roles(roles)}. Name the "
            f"channel(s) with roles={{{role!r}: NAME}} (command line: --role {role}=NAME)"
        )

    def role_signal(
        self, role: str, roles: Mapping[str, Sequence[int]] | None = None
    ) -> tuple[np.ndarray, float, tuple[str, ...]]:
        """The channels of one role stacked, ``(x (k, n), sr, names)``.

        Channels at different rates are resampled to the highest of them (soxr, as
        :func:`physiofeat.io.resample`); channels of different lengths are cut to the shortest
        (they start at the same instant in a record). :class:`MissingRoleError` when the record
        has no channel of that role; a :class:`ParameterError` for a role other than those of
        :data:`ROLES`.
        """
        if role not in ROLES:  # as roles= refuses it: no override could name its channels
            raise ParameterError(f"unknown channel role {role!r}; roles are {', '.join(ROLES)}")
        roles = self.roles() if roles is None else roles
        idx = tuple(roles.get(role, ()))
        if not idx:
            raise self._missing_role(role, roles)
        from .io import resample  # the channels at the highest rate come back as they are

        chans = [self._channels[i] for i in idx]
        sr = max(c.sr for c in chans)
        data = [resample(c.data, c.sr, sr) for c in chans]
        n = min(d.shape[-1] for d in data)
        return np.stack([d[:n] for d in data]), float(sr), tuple(c.name for c in chans)

    @classmethod
    def from_arrays(
        cls,
        signals: Mapping[str, tuple[Any, float]],
        *,
        units: Mapping[str, str] | None = None,
        path: str = "<arrays>",
    ) -> Record:
        """A record of in-memory channels: ``{name: (samples (n,), sr)}``, in that order.

        Examples
        --------
        >>> import numpy as np
        >>> from physiofeat.records import Record
        >>> rec = Record.from_arrays({"ECG": (np.zeros(1000), 500.0), "PCG": (np.zeros(8000), 4000)})
        >>> rec.rates, rec.roles()
        ((500.0, 4000.0), {'ecg': (0,), 'pcg': (1,)})
        """
        from ._validation import as_signal, check_sr

        if not isinstance(signals, Mapping) or not signals:
            raise ParameterError(
                f"signals must be a non-empty mapping name -> (samples, sr); got {signals!r}"
            )
        chans = []
        for i, (name, pair) in enumerate(signals.items()):
            if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                raise ParameterError(
                    f"channel {name!r}: give (samples, sr); got {type(pair).__name__}"
                )
            x = as_signal(pair[0], ndim=(1,), name=str(name))  # float32/float64, contiguous
            sr = check_sr(pair[1])
            chans.append(Channel(str(name), (units or {}).get(name, ""), float(sr), x, i))
        return cls(chans, path=path, format="arrays")

    def groups(self) -> list[tuple[np.ndarray, float, np.ndarray]]:
        """Channels of one rate and length stacked together, in channel order:
        ``(indices, sr, x (k, n))`` per group (what a batch computes in one call)."""
        out: dict[tuple[float, int], list[int]] = {}
        for i, c in enumerate(self._channels):
            out.setdefault((c.sr, c.data.shape[-1]), []).append(i)
        return [
            (np.asarray(idx), sr, np.stack([self._channels[i].data for i in idx]))
            for (sr, _), idx in out.items()
        ]


# --------------------------------------------------------------------------------------------
# Channel roles

_LEADS = frozenset(
    ["i", "ii", "iii", "avr", "avl", "avf"]
    + [f"v{k}" for k in range(1, 10)]
    + [f"v{k}r" for k in range(3, 7)]
)
_ECG_START = re.compile(r"^(ecg|ekg)|^(ml|cm)(?=[ivx]|\d)")
_PCG_WORDS = frozenset(
    ["pcg", "phono", "phonocardiogram", "sound", "mic", "microphone", "audio", "stethoscope"]
)


def channel_role(name: str, *, mono_audio: bool = False) -> str | None:
    """The role (``"ecg"``, ``"pcg"`` or None) the name of a channel gives it, by the rule
    in the module's "Channel roles" paragraph; ``mono_audio``: the channel is a mono audio file's one
    channel (``"pcg"`` unless its name says otherwise).

    Examples
    --------
    >>> from physiofeat.records import channel_role
    >>> [channel_role(n) for n in ("ii", "ECG II", "MLII", "V5", "EKG", "CM5")]
    ['ecg', 'ecg', 'ecg', 'ecg', 'ecg', 'ecg']
    >>> [channel_role(n) for n in ("PCG", "Phono 1", "heart sound", "mic_left", "Resp", "0")]
    ['pcg', 'pcg', 'pcg', 'pcg', None, None]
    >>> channel_role("EEG II"), channel_role("Lead II")
    (None, 'ecg')
    >>> channel_role("0", mono_audio=True)
    'pcg'
    """
    n = str(name).strip().lower()
    first, _, rest = n.partition(" ")
    if _ECG_START.match(n) or n in _LEADS:  # _ECG_START takes the ML<x> / CM<x> leads
        return "ecg"
    if first == "lead" and rest.strip() in _LEADS:  # "Lead II"; not "EEG II"
        return "ecg"
    words = [w for w in re.split(r"[\s_\-\d]+", n) if w]
    if (words and words[0] in _PCG_WORDS) or "heart sound" in n:
        return "pcg"
    return "pcg" if mono_audio else None


def check_roles(
    roles: Mapping[str, ChannelKey | Sequence[ChannelKey]] | None,
) -> dict[str, tuple[ChannelKey, ...]]:
    """``roles=`` overrides as ``{role: (channel keys...)}``; a :class:`ParameterError` for a
    role other than those of :data:`ROLES` or a value that is not channel names/indices."""
    if roles is None:
        return {}
    if not isinstance(roles, Mapping):
        raise ParameterError(
            f"roles must be a mapping role -> channel name(s), e.g. {{'pcg': 'PCG', 'ecg': "
            f"['ii', 'v5']}}; got {type(roles).__name__}"
        )
    out: dict[str, tuple[ChannelKey, ...]] = {}
    for role, keys in roles.items():
        if role not in ROLES:
            raise ParameterError(f"unknown channel role {role!r}; roles are {', '.join(ROLES)}")
        if isinstance(keys, (str, int, np.integer)) and not isinstance(keys, bool):
            keys = (keys,)
        if (
            not isinstance(keys, Sequence)
            or isinstance(keys, (bytes, bytearray))
            or not keys
            or not all(
                isinstance(k, (str, int, np.integer)) and not isinstance(k, bool) for k in keys
            )
        ):
            raise ParameterError(
                f"roles[{role!r}] must be a channel name or index, or a non-empty list of them; "
                f"got {keys!r}"
            )
        out[role] = tuple(k if isinstance(k, str) else int(k) for k in keys)
    return out


# --------------------------------------------------------------------------------------------
# Channel matching


_ML = re.compile(r"^ml(?=[ivx]|\d)", re.IGNORECASE)  # MIT-BIH "modified lead": MLII, MLIII, ML5


def _lead_part(name: str) -> str:
    """``"ECG II"`` -> ``"ii"`` (EDF+ standard label: type, space, specification);
    ``"MLII"`` -> ``"ii"`` (MIT-BIH modified limb lead); else the name, lower-cased."""
    n = name.strip().lower()
    if " " in n:
        n = n.rsplit(" ", 1)[1]
    return _ML.sub("", n)


def _signal_type(name: str, *, bare_leads: bool) -> str | None:
    """The signal type of a name: the EDF+ type before the specification (``"EEG Fpz-Cz"``
    -> ``"eeg"``; ``ECG``, ``EKG`` and ``Lead`` are ``"ecg"``), ``"ecg"`` for a modified or
    Holter lead (``"MLII"``, ``"CM5"``) and, with ``bare_leads``, for a standard lead name
    (``"ii"``, ``"V5"``: a channel so named is an ECG lead); None for an untyped name."""
    n = name.strip().lower()
    if " " in n:
        kind = n.rsplit(" ", 1)[0].strip()
        return "ecg" if kind in ("ecg", "ekg", "lead") else kind
    if _ECG_START.match(n) or (bare_leads and n in _LEADS):
        return "ecg"
    return None


def _same_lead(channel: str, want: str) -> bool:
    """Whether a requested name finds a channel by its lead part: the parts are equal, and a
    type the request states is the channel's (``"EEG II"`` finds neither ``"ECG II"`` nor
    LUDB's ``"ii"``; ``"ii"`` states no type and finds ``"ECG II"``, ``"MLII"``, ``"EEG II"``)."""
    if _lead_part(channel) != _lead_part(want):
        return False
    asked = _signal_type(want, bare_leads=False)
    has = _signal_type(channel, bare_leads=True)
    return asked is None or has is None or asked == has


def _by_index(names: Sequence[str], key: Any) -> bool:
    """Whether :func:`_match` takes ``key`` as an index: an int, or a string of digits that no
    channel is named (case-insensitive)."""
    if isinstance(key, (bool, np.bool_)):
        return False
    if isinstance(key, (int, np.integer)):
        return True
    if not isinstance(key, str):
        return False
    want = key.strip().lower()
    return re.fullmatch(r"-?\d+", want) is not None and all(
        nm.strip().lower() != want for nm in names
    )


def _match(names: Sequence[str], key: Any, path: str) -> int:
    n = len(names)
    listing = ", ".join(f"{i} {nm!r}" for i, nm in enumerate(names)) or "none"
    if isinstance(key, (bool, np.bool_)) or not isinstance(key, (str, int, np.integer)):
        raise ParameterError(
            f"a channel is chosen by name (str) or index (int); got {type(key).__name__} "
            f"{key!r}. {path}'s channels: {listing}"
        )
    if isinstance(key, (int, np.integer)):
        if -n <= key < n:
            return int(key) % n
        raise ParameterError(
            f"{path}: channel index {key} is out of range for {n} channel(s) "
            f"(0 to {n - 1}); its channels: {listing}"
        )
    want = key.strip().lower()
    if _by_index(names, key):  # "1", "-1" (the CLI's --channel -1)
        return _match(names, int(want), path)
    hits = [i for i, nm in enumerate(names) if nm.strip().lower() == want]
    if not hits and want:
        hits = [i for i, nm in enumerate(names) if _same_lead(nm, want)]
    if len(hits) == 1:
        return hits[0]
    if len(hits) > 1:
        raise ParameterError(
            f"{path}: channel {key!r} is ambiguous: it matches channels "
            f"{', '.join(f'{i} {names[i]!r}' for i in hits)}; choose one by index"
        )
    raise ParameterError(
        f"{path}: no channel {key!r}; its channels: {listing} (chosen by name, "
        "case-insensitive, or by index)"
    )


def _resolve(names: Sequence[str], channels: Any, path: str) -> list[int]:
    """Indices of the requested channels (all for None), in the order asked, each once."""
    if channels is None:
        return list(range(len(names)))
    if isinstance(channels, (str, int, np.integer)):  # a bool is refused by _match
        channels = [channels]
    elif not isinstance(channels, Sequence) or isinstance(channels, (bytes, bytearray)):
        raise ParameterError(
            f"channels must be a name, an index, or a list of them; got {type(channels).__name__}"
        )
    if len(channels) == 0:
        raise ParameterError("channels is empty: pass None for all channels, or names/indices")
    out: list[int] = []
    for key in channels:
        i = _match(names, key, path)
        if i not in out:
            out.append(i)
    return out


# --------------------------------------------------------------------------------------------
# Readers


def is_record_path(path: PathLike) -> bool:
    """True when :func:`load_record` reads ``path`` as a record rather than audio: a
    ``.hea``/``.edf``/``.bdf`` file, a WFDB ``.dat`` beside its ``.hea``, a WFDB record
    name without extension (``ecg/ludb/1`` when ``ecg/ludb/1.hea`` exists), or a BioSPPy text
    record (a ``.txt`` whose first line is a ``#`` header line)."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix in RECORD_SUFFIXES:
        return True
    if suffix == ".dat":
        return p.with_suffix(".hea").exists()
    if suffix == ".txt":
        return _is_text_record(p)
    return not p.exists() and Path(str(p) + ".hea").exists()


def _is_text_record(p: Path) -> bool:
    """A ``.txt`` file that starts like BioSPPy's Simple Text Format (a ``#`` header line)."""
    if p.suffix.lower() != ".txt":
        return False
    try:
        with open(p, "rb") as fh:
            return fh.read(1) == b"#"
    except OSError:  # missing, a folder, unreadable: not a record of this kind
        return False


_AUDIO_SIGNAL_FILES = (".wav", ".flac", ".ogg", ".mp3")


def header_of_audio(path: PathLike) -> bool:
    """True for a WFDB header whose signal files are all audio files found beside it (CirCor
    ships a ``.hea`` beside each ``.wav``): when a folder is searched, the audio file is the
    input and its header is not a second one. Unreadable headers, and headers whose audio
    file is missing, give False: reading them reports why."""
    try:
        lines = Path(path).read_text(encoding="latin-1").splitlines()
    except OSError:
        return False
    lines = [ln for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        return False
    tok = lines[0].split()
    if len(tok) < 2 or not tok[1].isdigit() or int(tok[1]) == 0:
        return False
    return _audio_signal_files(
        Path(path).parent, [ln.split()[0] for ln in lines[1 : 1 + int(tok[1])]]
    )


def _audio_signal_files(folder: Path, files: Sequence[str]) -> bool:
    """The rule of :func:`header_of_audio` on a header's signal file names: all audio files
    found in ``folder``."""
    return bool(files) and all(
        f.lower().endswith(_AUDIO_SIGNAL_FILES) and (folder / f).is_file() for f in files
    )


def _check_file(p: Path, what: str) -> None:
    if not p.exists():
        raise DecodeError(f"{p}: no such file")
    if p.is_dir():
        raise DecodeError(f"{p}: is a directory, not {what}")
    if p.stat().st_size == 0:
        raise DecodeError(f"{p}: empty file (0 bytes)")


#: Bytes per sample of the WFDB signal formats (the FLAC formats 508/516/524 are compressed).
_WFDB_BYTES = {
    "8": 1,
    "16": 2,
    "24": 3,
    "32": 4,
    "61": 2,
    "80": 1,
    "160": 2,
    "212": 1.5,
    "310": 4 / 3,
    "311": 4 / 3,
}


_NUMBER = re.compile(r"^[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?$")


def _wfdb_record_line(p: Path) -> tuple[list[str], float | None, int | None]:
    """wfdb parses the record line with a lenient pattern (``"rec 2 abc 50"`` reads as
    250 Hz, its default): check the counts and the rate ourselves. Returns the header's signal
    lines and the rate and sample count the record line gives (None where it gives none)."""
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise DecodeError(f"{p}: cannot read the WFDB header ({exc.strerror or exc})") from None
    try:
        lines = raw.decode("utf-8").splitlines()
    except UnicodeDecodeError:  # WFDB headers are ASCII; some writers use Latin-1
        lines = raw.decode("latin-1").splitlines()
    body = [ln for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
    line = body[0] if body else ""
    tok = line.split()
    if len(tok) < 2 or not tok[1].isdigit():
        raise DecodeError(
            f"{p}: bad WFDB header: the record line {line[:60]!r} is not "
            "'NAME N_SIGNALS [FS [N_SAMPLES]]'"
        )
    if len(tok) > 2 and not _NUMBER.match(re.split(r"[/(]", tok[2], maxsplit=1)[0]):
        raise DecodeError(
            f"{p}: bad WFDB header: the sampling frequency is {tok[2]!r}; a positive number "
            "is required"
        )
    if len(tok) > 3 and not tok[3].isdigit():
        raise DecodeError(
            f"{p}: bad WFDB header: the number of samples is {tok[3]!r}; an integer is required"
        )
    fs = float(re.split(r"[/(]", tok[2], maxsplit=1)[0]) if len(tok) > 2 else None
    return body[1:], fs, (int(tok[3]) if len(tok) > 3 else None)


#: A WFDB signal line's format field, ``FMT[xSPF][:SKEW][+OFFSET]``, and its gain field,
#: ``GAIN[(BASELINE)][/UNITS]`` (the WFDB header specification, ``header(5)``).
_SIG_FORMAT = re.compile(r"^[0-9]+(?:x[0-9]+)?(?::[0-9]+)?(?:\+[0-9]+)?$")
_SIG_GAIN = re.compile(
    r"^([-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?)(?:\(-?[0-9]+\))?(?:/\S+)?$"
)


def _wfdb_signal_lines(p: Path, h, lines: list[str]) -> None:
    """wfdb's pattern for a signal line swallows a field it cannot parse into the next (a gain
    ``abc(6)/mV`` became the channel's name and the default gain of 200, an offset ``16+-5``
    the name ``'0 X'``): check the format and gain fields ourselves, and that wfdb read the
    gain the line gives."""
    for i, line in enumerate(lines[: h.n_sig]):
        tok = line.split()
        if len(tok) < 2 or not _SIG_FORMAT.match(tok[1]):
            raise DecodeError(
                f"{p}: bad WFDB header: signal line {i + 1} {line[:60]!r} has the format field "
                f"{tok[1] if len(tok) > 1 else ''!r}; 'FMT[xSPF][:SKEW][+OFFSET]' is required"
            )
        if len(tok) > 8:  # wfdb's pattern drops a description's non-ASCII letters
            desc = line.split(None, 8)[8].strip()
            if h.sig_name[i] != desc and h.sig_name[i] == "".join(c for c in desc if c.isascii()):
                h.sig_name[i] = desc
        if len(tok) < 3:
            continue
        m = _SIG_GAIN.match(tok[2])
        gain = float(m[1]) if m else math.nan
        if not m or not math.isfinite(gain):
            raise DecodeError(
                f"{p}: bad WFDB header: signal line {i + 1} has the gain field {tok[2]!r}; "
                "'GAIN[(BASELINE)][/UNITS]' with a finite number is required"
            )
        read = (h.adc_gain or [None] * h.n_sig)[i]
        if gain != 0 and (read is None or not math.isclose(float(read), gain, rel_tol=1e-9)):
            raise DecodeError(
                f"{p}: the WFDB reader reads signal line {i + 1}'s gain {tok[2]!r} as {read!r}; "
                "write the gain as a plain decimal number (no exponent)"
            )


def _wfdb_header(p: Path):
    import wfdb

    lower = p.with_suffix(".hea")
    if p.suffix != ".hea" and not (lower.is_file() and os.path.samefile(lower, p)):
        raise DecodeError(
            f"{p}: wfdb reads a header named NAME.hea (a lower-case suffix) and there is no "
            f"{lower.name} here; rename {p.name} to {lower.name}"
        )
    lines, line_fs, line_n = _wfdb_record_line(p)
    record = str(p.with_suffix(""))
    try:
        h = wfdb.rdheader(record)
    except Exception as exc:  # wfdb raises ValueError, IndexError, KeyError... on bad headers
        msg = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        raise DecodeError(f"{p}: bad WFDB header ({msg})") from None
    if getattr(h, "seg_name", None) is not None:
        raise DecodeError(
            f"{p}: a multi-segment WFDB record; read its segments' headers one by one"
        )
    try:
        fs = float(h.fs)
    except (TypeError, ValueError):
        fs = float("nan")
    if not (math.isfinite(fs) and fs > 0):
        raise DecodeError(
            f"{p}: bad WFDB header: the sampling frequency is {h.fs!r}; a positive number "
            "is required"
        )
    if line_fs is not None and not math.isclose(fs, line_fs, rel_tol=1e-9):
        raise DecodeError(
            f"{p}: the WFDB reader reads the header's sampling frequency as {fs:g} Hz where its "
            f"record line gives {line_fs:g} Hz; write the rate as a plain decimal number (no "
            "exponent)"
        )
    if line_n is not None and h.sig_len != line_n:
        raise DecodeError(
            f"{p}: the WFDB reader reads the header's number of samples as {h.sig_len!r} where "
            f"its record line gives {line_n}: check the line's frequency field "
            "(FS[/COUNTER[(BASE)]], plain decimal numbers)"
        )
    if not h.n_sig:
        raise DecodeError(f"{p}: the WFDB header declares no signals")
    if h.sig_len == 0:
        raise DecodeError(f"{p}: the WFDB header declares 0 samples; a record needs samples")
    if h.samps_per_frame and any(not s for s in h.samps_per_frame):
        i = next(i for i, s in enumerate(h.samps_per_frame) if not s)
        raise DecodeError(
            f"{p}: bad WFDB header: signal line {i + 1} has 0 samples per frame (FMTx0); "
            "at least 1 is required"
        )
    h.sig_name = [str(n) if n is not None else "" for n in (h.sig_name or [])]
    names = list(h.sig_name)
    if len(names) != h.n_sig or len(h.file_name or []) != h.n_sig:
        raise DecodeError(
            f"{p}: bad WFDB header: {h.n_sig} signals declared but {len(h.file_name or [])} "
            "signal lines"
        )
    known = set(_WFDB_BYTES) | {"508", "516", "524"}
    bad = [(i, f) for i, f in enumerate(h.fmt or []) if str(f) not in known]
    if bad:
        i, f = bad[0]
        raise DecodeError(
            f"{p}: bad WFDB header: signal {i} ({names[i]!r}) has format {f!r}; WFDB formats "
            f"are {', '.join(sorted(known, key=int))}"
        )
    _wfdb_signal_lines(p, h, lines)
    return h, fs


def _wfdb_check_files(p: Path, h) -> None:
    """Every signal file the header names exists and holds the samples it promises (wfdb
    fails on a short file with a bare reshape error, or reads it silently)."""
    folder = p.parent
    per_file: dict[str, list[int]] = {}
    for i, f in enumerate(h.file_name):
        per_file.setdefault(f, []).append(i)
    for f, idx in per_file.items():
        fp = folder / f
        if not fp.exists():
            raise DecodeError(
                f"{p}: the signal file {f} the header names is missing (looked for {fp})"
            )
        fmts = {str(h.fmt[i]) for i in idx}
        if not h.sig_len or not fmts <= set(_WFDB_BYTES):
            continue
        spf = [(h.samps_per_frame[i] if h.samps_per_frame else 1) or 1 for i in idx]
        per_frame = sum(s * _WFDB_BYTES[str(h.fmt[i])] for s, i in zip(spf, idx))
        offset = max(int((h.byte_offset or [0] * h.n_sig)[i] or 0) for i in idx)
        need = offset + math.ceil(h.sig_len * per_frame)
        have = fp.stat().st_size
        if have < need:
            raise DecodeError(
                f"{p}: truncated: {f} holds {have} bytes but the header's {h.sig_len} samples "
                f"of {len(idx)} signal(s) need {need}"
            )


def _read_header_audio(p: Path, h, fs: float, channels: Any, dtype) -> Record | None:
    """A WFDB header whose one signal file is an audio file (CirCor's ``.hea`` beside each
    ``.wav``): the audio file's samples as :func:`load_record` reads that file, under the
    header's channel names. WFDB's reading of the same 16-bit samples gives raw counts and
    makes every clipped sample (-32768, format 16's invalid value) NaN. None when the header
    and the audio file disagree (channel count, rate): the header is read as WFDB then."""
    if len(set(h.file_name)) != 1:
        return None
    audio = _read_audio(p.parent / h.file_name[0], None, dtype)
    if audio.file_channels != h.n_sig or not math.isclose(audio.channel(0).sr, fs):
        return None
    names = [str(n) for n in h.sig_name]
    idx = _resolve(names, channels, str(p))
    chans = [Channel(names[i], "", float(fs), audio.channel(i).data, i) for i in idx]
    return Record(chans, path=str(p), format=audio.format, file_channels=h.n_sig)


def _read_wfdb(p: Path, channels: Any, dtype) -> Record:
    import wfdb

    h, fs = _wfdb_header(p)
    if _audio_signal_files(p.parent, list(h.file_name or [])):  # the header, parsed once
        rec = _read_header_audio(p, h, fs, channels, dtype)
        if rec is not None:
            return rec
    idx = _resolve(h.sig_name, channels, str(p))
    _wfdb_check_files(p, h)
    spf = [(h.samps_per_frame[i] if h.samps_per_frame else 1) or 1 for i in idx]
    expanded = any(s != 1 for s in spf)
    try:
        r = wfdb.rdrecord(
            str(p.with_suffix("")), channels=idx, physical=True, smooth_frames=not expanded
        )
    except Exception as exc:
        raise DecodeError(
            f"{p}: cannot read the WFDB record ({type(exc).__name__}: {exc})"
        ) from None
    sigs = r.e_p_signal if expanded else [r.p_signal[:, k] for k in range(len(idx))]
    units = list(r.units or [""] * len(idx))
    chans = [
        Channel(
            h.sig_name[idx[k]],
            units[k] or "",
            fs * spf[k],
            np.ascontiguousarray(sigs[k], dtype=dtype),
            int(idx[k]),
        )
        for k in range(len(idx))
    ]
    return Record(chans, path=str(p), format="WFDB", file_channels=h.n_sig)


def _edf_truncation(p: Path, head: bytes) -> str | None:
    """Compare the data size the EDF/BDF header (``head``, its first 256 bytes as read) promises
    with the bytes present (its signal count checked first: :func:`_edf_header_problem`)."""
    size = p.stat().st_size
    if len(head) < 256:
        return f"the file has {size} bytes, shorter than the 256-byte EDF header"
    try:
        header_bytes = int(head[184:192])
        n_records = int(head[236:244])
        ns = int(head[252:256])
    except ValueError:
        return None  # let the reader say what is wrong with the header
    with open(p, "rb") as fh:
        fh.seek(256 + ns * 216)
        spr_field = fh.read(ns * 8)
    try:
        spr = [int(spr_field[i * 8 : (i + 1) * 8]) for i in range(ns)]
    except ValueError:
        return None
    width = 3 if head[:1] == b"\xff" else 2
    need = header_bytes + max(n_records, 0) * sum(spr) * width
    if n_records > 0 and size < need:
        return (
            f"the header promises {n_records} data records ({need} bytes) but the file holds "
            f"{size} bytes"
        )
    return None


def _edf_header_problem(head: bytes) -> str | None:
    """What is wrong with the signal count of a 256-byte EDF/BDF header, or None (also for a
    shorter one, which :func:`_edf_truncation` names)."""
    if len(head) < 256:
        return None
    try:
        header_bytes, ns = int(head[184:192]), int(head[252:256])
    except ValueError:
        return None  # the reader names a field that is not a number
    if ns < 1:
        return (
            f"the number of signals is {ns}; an EDF file has at least one (an EDF+ file of "
            "annotations alone has its 'EDF Annotations' signal)"
        )
    if header_bytes != 256 * (ns + 1):
        return (
            f"the header size is {header_bytes} bytes, but {ns} signal(s) need "
            f"256 x ({ns} + 1) = {256 * (ns + 1)}"
        )
    return None


def _edf_calibration_problem(s: Any, bdf: bool) -> str | None:
    """What makes an edfio signal's digital-to-physical scale undefined, or None. edfio then
    returns the raw digital values (for equal limits with a warning, for a field that is not a
    number without one), or NaN throughout for a NaN limit."""
    values = {}
    for field, kind in (("physical_min", float), ("physical_max", float),
                        ("digital_min", int), ("digital_max", int)):  # fmt: skip
        name = field.replace("_min", " minimum").replace("_max", " maximum")
        try:
            values[field] = getattr(s, field)
        except ValueError:
            want = "an integer" if kind is int else "a finite number"
            return f"has a {name} that is not {want}"
        if kind is float and not math.isfinite(values[field]):
            return f"has a {name} of {values[field]}; a finite number is required"
    pmin, pmax = values["physical_min"], values["physical_max"]
    dmin, dmax = values["digital_min"], values["digital_max"]
    if pmin == pmax:
        return (
            f"has physical minimum = physical maximum ({pmin:g}), so its samples cannot be "
            "scaled to physical units"
        )
    lo, hi = (-(2**23), 2**23 - 1) if bdf else (-(2**15), 2**15 - 1)
    if not lo <= dmin < dmax <= hi:
        return (
            f"has digital minimum {dmin} and maximum {dmax}; the minimum must be below the "
            f"maximum, both within {lo}..{hi} ({'24' if bdf else '16'}-bit samples)"
        )
    return None


def _read_edf(p: Path, channels: Any, dtype) -> Record:
    import edfio

    with open(p, "rb") as fh:
        head = fh.read(256)
    bdf = head[:1] == b"\xff"
    why = _edf_header_problem(head)
    if why:
        raise DecodeError(f"{p}: bad {'BDF' if bdf else 'EDF'} header: {why}")
    why = _edf_truncation(p, head)
    if why:
        raise DecodeError(f"{p}: truncated: {why}")
    try:
        duration = float(head[244:252])
    except ValueError:
        duration = None  # the reader says what is wrong with the header
    if duration is not None and not (math.isfinite(duration) and duration >= 0):
        raise DecodeError(
            f"{p}: bad {'BDF' if bdf else 'EDF'} header: the data-record duration is "
            f"{head[244:252].decode('latin-1').strip()!r} s; a positive number is required (0 "
            "in a file of annotations alone)"
        )
    reader = edfio.read_bdf if bdf else edfio.read_edf
    try:
        try:  # EDF header text is ASCII; some devices write latin-1 (edfio would show U+FFFD)
            edf = reader(p, header_encoding="latin-1")
        except TypeError:  # an edfio without header_encoding
            edf = reader(p)
        signals = list(edf.signals)
        annotations = [(float(a.onset), a.duration, a.text) for a in edf.annotations]
        plus = edf.reserved.startswith(("EDF+", "BDF+"))
        gaps = edf.reserved.startswith(("EDF+D", "BDF+D"))
    except Exception as exc:  # edfio raises ValueError/NotImplementedError on bad/EDF+D files
        kind = "BDF" if bdf else "EDF"
        if duration == 0:  # edfio then fails on the signals' rates (an UnboundLocalError)
            raise DecodeError(
                f"{p}: bad {kind} header: the data-record duration is 0 s, which only a file "
                "of annotations alone may have, and this one has signals"
            ) from None
        raise DecodeError(f"{p}: cannot read as {kind} ({type(exc).__name__}: {exc})") from None
    if gaps:  # edfio would join the data records as if they were contiguous
        raise DecodeError(
            f"{p}: a discontinuous recording ({edf.reserved[:5]}: its data records have gaps "
            "between them); physiofeat reads continuous EDF, EDF+C and BDF files"
        )
    fmt = ("BDF" if bdf else "EDF") + ("+" if plus else "")
    if not signals:  # an EDF+ of annotations alone (its one signal is "EDF Annotations")
        raise DecodeError(
            f"{p}: the {fmt} file holds no signals, only {len(annotations)} annotation(s); a "
            "record needs at least one channel of samples"
        )
    for s in signals:
        try:
            rate = float(s.sampling_frequency)
        except Exception as exc:  # edfio divides by the data-record duration, which may be 0
            raise DecodeError(
                f"{p}: bad {fmt} header: channel {s.label!r} has no sampling rate "
                f"({type(exc).__name__}): check the data-record duration and its samples per "
                "data record"
            ) from None
        if not (math.isfinite(rate) and rate > 0):
            raise DecodeError(
                f"{p}: bad {fmt} header: channel {s.label!r} has a sampling rate of {rate:g} Hz "
                "(its samples per data record over the data-record duration); both must be "
                "positive"
            )
    names = [s.label for s in signals]
    idx = _resolve(names, channels, str(p))
    chans = []
    for i in idx:
        s = signals[i]
        why = _edf_calibration_problem(s, bdf)
        if why:
            raise DecodeError(f"{p}: bad {fmt} header: channel {s.label!r} {why}")
        try:
            data = np.asarray(s.data, dtype=dtype)
        except Exception as exc:
            raise DecodeError(
                f"{p}: cannot read the samples of channel {s.label!r} ({type(exc).__name__}: {exc})"
            ) from None
        chans.append(Channel(s.label, s.physical_dimension, float(s.sampling_frequency), data, i))
    return Record(
        chans, path=str(p), format=fmt, annotations=annotations, file_channels=len(signals)
    )


_TEXT_KEYS = {"sampling rate (hz)": "sr", "units": "units", "labels": "labels"}


def _read_text(p: Path, channels: Any, dtype) -> Record:
    """BioSPPy's Simple Text Format: ``# Key:= value`` header lines, then numeric columns."""
    meta: dict[str, str] = {}
    head = []
    with open(p, "rb") as fh:  # UTF-8 header lines, or Latin-1 when they are not UTF-8
        for ln in fh:
            if not ln.startswith(b"#"):
                break
            head.append(ln)
    try:
        b"".join(head).decode("utf-8")
        encoding = "utf-8"
    except UnicodeDecodeError:
        encoding = "latin-1"
    with open(p, encoding=encoding, errors="replace") as fh:
        first = fh.readline()
        if not first.startswith("#"):
            raise DecodeError(
                f"{p}: not a record: a text record starts with '#' header lines (BioSPPy's "
                f"Simple Text Format); it starts with {first[:40]!r}"
            )
        line = first
        while line.startswith("#"):
            key, sep, value = line[1:].partition(":=")
            if sep and key.strip().lower() in _TEXT_KEYS:
                meta[_TEXT_KEYS[key.strip().lower()]] = value.strip("\r\n").strip(" ")
            line = fh.readline()
    if "sr" not in meta:
        raise DecodeError(f"{p}: the text header has no 'Sampling Rate (Hz):=' line")
    try:
        sr = float(meta["sr"])
    except ValueError:
        sr = float("nan")
    if not (math.isfinite(sr) and sr > 0):
        raise DecodeError(f"{p}: bad sampling rate {meta['sr']!r} in the text header")
    try:
        # latin-1 maps every byte: a non-UTF-8 label in a '#' line is not a sample error
        data = np.loadtxt(p, comments="#", ndmin=2, dtype=np.float64, encoding="latin-1")
    except ValueError as exc:
        raise DecodeError(f"{p}: the text record has non-numeric samples ({exc})") from None
    if data.shape[0] == 0:
        raise DecodeError(f"{p}: the text record holds no samples")
    n_ch = data.shape[1]
    labels = meta.get("labels", "").split("\t") if meta.get("labels") else []
    if len(labels) != n_ch:
        labels = [str(i) for i in range(n_ch)]
    unit = meta.get("units", "")
    idx = _resolve(labels, channels, str(p))
    chans = [
        Channel(labels[i], unit, sr, np.ascontiguousarray(data[:, i], dtype=dtype), i) for i in idx
    ]
    return Record(chans, path=str(p), format="text", file_channels=n_ch)


def _read_audio(p: Path, channels: Any, dtype) -> Record:
    import soundfile as sf

    from .io import _check_path, _decode

    _check_path(p)
    data, sr, decoder = _decode(p, np.dtype(dtype).name)
    try:
        fmt = sf.info(str(p)).format if decoder == "soundfile" else p.suffix.lstrip(".").upper()
    except Exception:  # pragma: no cover - it was just decoded
        fmt = p.suffix.lstrip(".").upper()
    names = [str(i) for i in range(data.shape[1])]
    idx = _resolve(names, channels, str(p))
    chans = [Channel(names[i], "", float(sr), np.ascontiguousarray(data[:, i]), i) for i in idx]
    return Record(chans, path=str(p), format=fmt, file_channels=len(names))


def load_record(
    path: PathLike,
    *,
    channels: ChannelKey | Sequence[ChannelKey] | None = None,
    sr: float | None = None,
    dtype: Any = np.float64,
) -> Record:
    """Read a multi-channel record: WFDB, EDF/EDF+/BDF, multi-channel audio or BioSPPy text.

    Parameters
    ----------
    path : str or os.PathLike
        A WFDB header (``.hea``; its ``.dat`` or the record name without extension also work),
        an ``.edf``/``.bdf`` file, an audio file (WAV, FLAC...), or a BioSPPy ``.txt`` record.
    channels : str, int, or list of them, optional
        The channels to read, by name (case-insensitive; ``"ii"`` also finds ``"ECG II"`` and
        ``"MLII"``) or index (``-1`` or ``"-1"``: the last), in the order given. ``None``
        reads all.
    sr : float, optional
        Resample every channel to this rate (soxr, high quality; NaN gaps stay gaps, see
        :func:`physiofeat.io.resample`). ``None`` keeps each channel's own rate.
    dtype : np.float32 or np.float64
        Sample dtype (``None`` is refused). Samples are in the record's physical units (mV,
        uV...); audio channels are as :func:`physiofeat.load` gives them (integer PCM scaled
        to [-1, 1), float files as stored).

    Returns
    -------
    Record
        Channel samples (time-last), names, units, per-channel rates and the source path.

    Raises
    ------
    DecodeError
        Missing, empty, truncated or unreadable file; a WFDB header whose signal file is
        missing or short, or whose suffix is not a lower-case ``.hea`` (wfdb reads no other);
        a bad header; an EDF+ of annotations only. The message names the file and the reason.
    ParameterError
        A channel that the record does not have (the message lists those it has), a bad
        ``sr`` or ``dtype``.

    Examples
    --------
    >>> import physiofeat
    >>> rec = physiofeat.load_record(physiofeat.data.path("ludb_1"), channels=["ii", "V5"])
    >>> rec
    Record('.../ludb_1.hea', format='WFDB', 0 'ii' 500 Hz, 1 'v5' 500 Hz)
    >>> lead_ii = rec["ii"]               # mV
    >>> round(float(lead_ii.max()), 3), rec.channel("ii").unit
    (0.864, 'mV')
    """
    from .io import resample

    if not isinstance(path, (str, os.PathLike)):
        raise ParameterError(f"path must be a str or os.PathLike; got {type(path).__name__}")
    try:  # None is refused, as by load(): np.dtype(None) is float64 by NumPy's convention
        dt = None if dtype is None else np.dtype(dtype)
    except TypeError:
        dt = None
    if dt not in (np.float32, np.float64):
        raise ParameterError(
            f"dtype must be float32 or float64; got {dt if dt is not None else repr(dtype)}"
        )
    if sr is not None:
        from ._validation import check_sr

        sr = check_sr(sr)
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".dat" and p.with_suffix(".hea").exists():
        p = p.with_suffix(".hea")
        suffix = ".hea"
    elif suffix not in RECORD_SUFFIXES and not p.exists() and Path(str(p) + ".hea").exists():
        p = Path(str(p) + ".hea")
        suffix = ".hea"
    if suffix == ".hea":
        _check_file(p, "a WFDB header")
        rec = _read_wfdb(p, channels, dt)
    elif suffix in (".edf", ".bdf"):
        _check_file(p, "an EDF file")
        rec = _read_edf(p, channels, dt)
    elif suffix == ".txt":
        _check_file(p, "a text record")
        rec = _read_text(p, channels, dt)
    else:
        try:
            rec = _read_audio(p, channels, dt)
        except DecodeError as exc:
            if not p.is_file() or p.suffix.lower() in _AUDIO_SIGNAL_FILES:
                raise
            # an annotation file or a table beside the records (.atr, .q1c, .csv...): say what
            # load_record reads, not only that the audio decoders could not read it
            raise DecodeError(
                f"{exc}; load_record reads WFDB headers (.hea), EDF/BDF files, BioSPPy .txt "
                "records and audio files (any other file is tried as audio)"
            ) from None
    if sr is not None:
        target = int(sr) if float(sr).is_integer() else float(sr)
        rec = Record(
            [
                Channel(c.name, c.unit, float(target), resample(c.data, c.sr, target), c.index)
                for c in rec
            ],
            path=rec.path,
            format=rec.format,
            annotations=rec.annotations,
            file_channels=rec.file_channels,
        )
    return rec
