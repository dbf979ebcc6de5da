"""``make run`` (``python -m physiofeat.demo``) on the shipped recordings: the feature table and
the segmentations it says it writes, and the CirCor sample's sounds against its annotation."""

from __future__ import annotations

import pandas as pd

from physiofeat.cli import SEGMENT_TABLE
from physiofeat.demo import main


def test_demo_writes_features_and_segmentations(tmp_path, capsys):
    out = tmp_path / "out" / "features.parquet"
    assert main([str(out)]) == 0
    text = capsys.readouterr().out
    table = pd.read_parquet(out)
    assert list(table["id"]) == ["50277_MV.wav", "a0007.wav", "a0126.wav"]
    seg = pd.read_csv(out.parent / "segmentations" / SEGMENT_TABLE)
    assert list(seg["id"]) == list(table["id"]) and seg["error_type"].isna().all()
    assert (seg["n_s1"] > 5).all()
    for tsv in seg["tsv"]:
        assert (out.parent / "segmentations" / tsv).stat().st_size > 0
    # the shipped annotation of 50277_MV marks 7 S1 and 7 S2: the demo reports how many the
    # segmenter found (the validation benchmark, not this test, says how well it does)
    assert "50277_MV S1: " in text and "of the 7 annotated found within 60 ms" in text
