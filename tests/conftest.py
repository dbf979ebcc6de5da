"""Shared fixtures. Tests needing ../shared/data skip with a reason when it is absent."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("PHYSIOFEAT_SHARED_DATA", _ROOT.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Path of ../shared/data (real recordings); skips the test when it is not there."""
    if not (SHARED_DATA / "MANIFEST.csv").is_file():
        pytest.skip(f"real-data test: {SHARED_DATA} is absent (it sits beside the checkout in CI)")
    return SHARED_DATA


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261129)


def tol(dtype, factor: float = 1.0) -> float:
    """A dtype-aware tolerance: ``factor`` x the dtype's resolution (1e-6 float32, 1e-15 float64)."""
    return factor * float(np.finfo(np.dtype(dtype)).resolution)


@pytest.fixture
def no_compute(monkeypatch):
    """Make computing any registered feature fail: a test using it shows that ``extract``
    refuses a parameter in the up-front ``check`` (``register_feature(check=)``), before work."""
    from physiofeat._registry import Context

    def refuse(self, name, **params):
        raise AssertionError(f"feature {name!r} was computed before its parameters were checked")

    monkeypatch.setattr(Context, "feature", refuse)
