"""Exception types raised by physiofeat.

Every error physiofeat raises derives from :class:`PhysiofeatError`, and each also derives from
the built-in type a caller would naturally catch (``ValueError``, ``KeyError``, ``OSError``).
Messages say what was received and what is accepted.
"""

from __future__ import annotations

__all__ = [
    "PhysiofeatError",
    "InvalidSignalError",
    "ParameterError",
    "UnknownFeatureError",
    "DecodeError",
]


class PhysiofeatError(Exception):
    """Base class of all physiofeat errors."""


class InvalidSignalError(PhysiofeatError, ValueError):
    """The signal is empty, too short, non-finite, of the wrong dtype or dimensionality."""


class ParameterError(PhysiofeatError, ValueError):
    """A parameter value is outside what is accepted."""


class UnknownFeatureError(PhysiofeatError, KeyError):
    """A feature name is not registered; the message lists the closest registered names."""

    def __str__(self) -> str:  # KeyError would repr() the message and add quotes
        return str(self.args[0]) if self.args else ""


class DecodeError(PhysiofeatError, OSError):
    """An audio file could not be read or decoded; the message names the file and the reason."""
