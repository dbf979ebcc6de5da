"""The CLI over WFDB records against the manual PR intervals of LUDB and the QT Database.

Run from the repository root (about a minute on one core)::

    .venv/bin/python -m benchmarks.validate_records_cli

runs ``physiofeat extract ../shared/data/ecg/ludb ../shared/data/ecg/qtdb -f pr_interval
--channel ii -j 1`` (one row per record: lead ``ii`` in LUDB, ``MLII`` in the QTDB records that
have it; the QTDB records whose leads are unnamed or are not lead II are error records naming
their leads), checks that every row equals ``physiofeat.ecg.pr_features`` on the same lead read
by ``wfdb.rdrecord``, and compares each record's ``pr_interval_pr_median`` with the median of the
manual PR intervals of that lead (LUDB: the lead's own ``.ii`` marks; QTDB: ``.q1c``, each QRS
onset paired with the last P onset less than 400 ms before it, as ``../shared/data/README.md``
reads them). Prints the per-record table and, per dataset, the mean absolute error of the
record-median PR over the records with manual P waves, and how many records without P marks
(AF, flutter, paced) get a PR value.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from ._util import print_table

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def _manual_pr_median(path: Path, lead_name: str) -> float:
    """Median manual PR (s) of a record, NaN without P marks."""
    import wfdb

    rec = str(path.with_suffix(""))
    if path.parent.name == "ludb":
        ann = wfdb.rdann(rec, "ii")
        s, sym = ann.sample, list(ann.symbol)
        p_on = np.array(
            [s[k - 1] for k in range(1, len(sym)) if sym[k] == "p" and sym[k - 1] == "("]
        )
        q_on = np.array(
            [s[k - 1] for k in range(1, len(sym)) if sym[k] == "N" and sym[k - 1] == "("]
        )
    else:
        ann = wfdb.rdann(rec, "q1c")
        sym = np.array(ann.symbol)
        p_on = ann.sample[(sym == "(") & (ann.num == 0)]
        q_on = ann.sample[(sym == "(") & (ann.num == 1)]
    fs = float(ann.fs)
    pr = []
    for q in q_on:
        prev = p_on[(p_on < q) & (p_on > q - 0.4 * fs)]
        if prev.size:
            pr.append((q - prev[-1]) / fs)
    return float(np.median(pr)) if pr else float("nan")


def main() -> None:
    import pandas as pd
    import wfdb

    from physiofeat.cli import main as cli
    from physiofeat.ecg import PR_STATS, pr_features

    if not DATA.exists():
        print(f"validate_records_cli: {DATA} is absent")
        return
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "pr.csv"
        args = ["extract", str(DATA / "ecg/ludb"), str(DATA / "ecg/qtdb"), "-f", "pr_interval"]
        status = cli([*args, "--channel", "ii", "-o", str(out), "-j", "1", "-q"])
        df = pd.read_csv(out)
        errors = Path(tmp) / "pr.csv.errors.csv"  # written only when a record failed
        err = pd.read_csv(errors) if errors.is_file() else pd.DataFrame({"id": []})
    cols = [f"pr_interval_{s}" for s in PR_STATS]
    rows, by_set = [], {"LUDB": [], "QTDB": []}
    no_p = {"LUDB": [0, 0], "QTDB": [0, 0]}
    worst = 0.0
    for _, r in df.iterrows():
        path = Path(r["path"])
        ref = wfdb.rdrecord(str(path.with_suffix("")), channels=[int(r["channel"])])
        want = pr_features(ref.p_signal[:, 0], sr=ref.fs)
        got = r[cols].to_numpy(float)
        both = np.isfinite(want) & np.isfinite(got)
        assert (np.isfinite(want) == np.isfinite(got)).all(), path
        worst = max(worst, float(np.abs(got[both] - want[both]).max(initial=0.0)))
        manual = _manual_pr_median(path, r["channel_name"])
        ds = "LUDB" if path.parent.name == "ludb" else "QTDB"
        est = r["pr_interval_pr_median"]
        if np.isfinite(manual):
            by_set[ds].append(abs(est - manual) * 1e3 if np.isfinite(est) else np.nan)
        else:
            no_p[ds][0] += 1
            no_p[ds][1] += int(np.isfinite(est))
        rows.append(
            [
                r["id"],
                r["channel_name"],
                f"{manual * 1e3:.0f}" if np.isfinite(manual) else "-",
                f"{est * 1e3:.0f}" if np.isfinite(est) else "NaN",
            ]
        )
    print_table(
        f"CLI -f pr_interval --channel ii (exit {status}): record-median PR (ms) vs manual",
        ["record", "channel", "manual PR", "physiofeat PR"],
        rows,
    )
    summary = []
    for ds, errs in by_set.items():
        e = np.asarray(errs, float)
        summary.append(
            [
                ds,
                str(len(e)),
                f"{np.nanmean(e):.1f}" if e.size else "-",
                f"{np.nanmax(e):.1f}" if e.size else "-",
                str(int(np.isnan(e).sum())),
                f"{no_p[ds][1]} of {no_p[ds][0]}",
            ]
        )
    print_table(
        "Record-median PR error of the CLI table against the manual marks",
        [
            "dataset",
            "records with P marks",
            "MAE ms",
            "max ms",
            "PR NaN",
            "records without P marks given a PR",
        ],
        summary,
    )
    print(
        f"rows equal pr_features on the same lead (largest difference {worst:.1e}); "
        f"error records: {', '.join(err['id'])}"
    )


if __name__ == "__main__":
    main()
