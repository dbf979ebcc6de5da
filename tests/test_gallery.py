"""The gallery's pages: each has a place in the reading order and can run where sphinx-gallery
runs it (in ``examples/``, with no ``__file__`` defined). Running the pages themselves is the
docs build's job (``make docs``), except that the four pages with a fallback to the shipped
recordings are run here without the shared data, where the docs build never runs them."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
PAGES = sorted(p.name for p in EXAMPLES.glob("plot_*.py"))


def _gallery_order():
    spec = importlib.util.spec_from_file_location(
        "_gallery_order", ROOT / "docs" / "_gallery_order.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_every_page_has_a_place_in_the_reading_order():
    order = _gallery_order()
    assert [p for p in PAGES if p not in order.ORDER] == []
    key = order.ExampleOrder(str(EXAMPLES))
    assert sorted(PAGES, key=key) == [p for p in order.ORDER if p in PAGES]
    assert key("plot_zzz_unlisted.py") > key(order.ORDER[-1])  # unlisted pages go last


def unguarded_file_uses(source: str) -> list[int]:
    """Lines that read ``__file__`` outside a ``try`` whose handlers catch NameError
    (sphinx-gallery never defines ``__file__``: sphinx-gallery issues #166, #212)."""
    tree = ast.parse(source)
    guarded: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Try):
            names = set()
            for h in node.handlers:
                types = h.type.elts if isinstance(h.type, ast.Tuple) else [h.type]
                names |= {t.id for t in types if isinstance(t, ast.Name)}
            if names & {"NameError", "Exception", "BaseException"}:
                for stmt in node.body:
                    guarded |= {id(n) for n in ast.walk(stmt)}
    return sorted(
        n.lineno
        for n in ast.walk(tree)
        if isinstance(n, ast.Name) and n.id == "__file__" and id(n) not in guarded
    )


def test_unguarded_file_uses_finds_bare_uses_only():
    assert unguarded_file_uses("from pathlib import Path\nd = Path(__file__).parent\n") == [2]
    guarded = "try:\n    d = __file__\nexcept NameError:\n    d = '.'\nx = __file__\n"
    assert unguarded_file_uses(guarded) == [5]
    other = "try:\n    d = __file__\nexcept KeyError:\n    d = '.'\n"
    assert unguarded_file_uses(other) == [2]
    assert unguarded_file_uses("x = 1  # __file__ in a comment\ns = '__file__'\n") == []


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_without_file(page):
    lines = unguarded_file_uses((EXAMPLES / page).read_text())
    assert lines == [], (
        f"examples/{page} reads __file__ on line(s) {lines}; sphinx-gallery does not define it "
        "(the docs build fails with NameError): fall back to Path.cwd(), which is examples/ there"
    )


#: Pages that use ../shared/data when it is there and otherwise fall back to the recordings
#: shipped in the package (docs/installation.rst names them).
FALLBACK_PAGES = (
    "plot_cli_batch.py",
    "plot_pcg_segmentation.py",
    "plot_ecg_pcg.py",
    "plot_classifier.py",
)


@pytest.mark.parametrize("page", FALLBACK_PAGES)
def test_fallback_page_runs_without_the_shared_data(page, tmp_path):
    """plot_classifier.py had raised IndexError on its fallback (a0007 names no location)."""
    import os
    import subprocess
    import sys

    assert page in PAGES
    env = {**os.environ, "PHYSIOFEAT_SHARED_DATA": str(tmp_path / "absent"), "MPLBACKEND": "Agg"}
    run = subprocess.run(
        [sys.executable, str(EXAMPLES / page)], cwd=tmp_path, env=env, capture_output=True,
        text=True, timeout=600,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-2000:]
