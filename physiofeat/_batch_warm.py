"""Imported by the fork server of :func:`physiofeat.extract_many`'s process pool (never by
users): runs the requested features once on a synthetic signal, so every worker forked from the
server starts with the families imported and the Numba kernels loaded, instead of each worker
paying that start-up itself. The request arrives in ``PHYSIOFEAT_WARM_REQUEST`` (JSON).
Results are unaffected: workers compute with one Numba thread whatever the threading layer."""

from __future__ import annotations

import json
import os


def _warm() -> None:
    spec = os.environ.get("PHYSIOFEAT_WARM_REQUEST")
    if not spec:
        return
    try:
        import numpy as np

        from ._registry import _normalise_request, extract, get_spec

        req = json.loads(spec)
        if os.getppid() != req.get("parent"):
            return  # not the fork server of the process that asked (e.g. a doctest import)
        sr = req.get("sr") or 4000.0
        if any(get_spec(n).roles for n in _normalise_request(req["features"])):
            from .ecgpcg import synthetic_ecg_pcg  # record features take a record
            from .records import Record

            ecg, pcg, sr, _ = synthetic_ecg_pcg(duration=8.0, sr=sr)
            x, sr = Record.from_arrays({"ECG": (ecg, sr), "PCG": (pcg, sr)}), None
        else:
            x = np.random.default_rng(0).standard_normal(int(sr * 8)).astype(np.float32)
        import numba

        # Processes fork from this one: if a kernel launches Numba's thread pool here, it must
        # be the fork-safe workqueue layer (GNU OpenMP is not fork-safe).
        numba.config.THREADING_LAYER = "workqueue"
        import warnings

        with warnings.catch_warnings():  # the warm-up's signal is noise: ECG features warn
            warnings.simplefilter("ignore")
            extract(x, req["features"], sr=sr, stats=req["stats"], **req["params"]).vector()
    except Exception:  # noqa: BLE001 - warming is an optimisation; the workers report real errors
        pass


_warm()
