"""The Python snippets of the user guide run as written (each page in a fresh interpreter)."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
# Pages whose snippets continue from a loaded recording, as the text says they do.
PRELUDE = "import physiofeat\nx, sr = physiofeat.load(physiofeat.data.path('a0007'))\n"


def python_blocks(page: Path) -> list[str]:
    """The bodies of ``.. code-block:: python`` directives, dedented."""
    blocks, lines = [], page.read_text().splitlines()
    i = 0
    while i < len(lines):
        if re.match(r"\.\. code-block:: python\s*$", lines[i]):
            i += 1
            body = []
            while i < len(lines) and (not lines[i].strip() or lines[i].startswith("   ")):
                body.append(lines[i][3:])
                i += 1
            blocks.append("\n".join(body).strip("\n"))
        else:
            i += 1
    return blocks


def with_checks(code: str) -> str:
    """``expr  # literal`` lines become assertions that ``expr == literal``, so the values the
    pages show are checked too (other comments are left alone)."""
    out = []
    for line in code.splitlines():
        m = re.match(r"^(\s*)([^=#]+?)\s+#\s*(.+?)\s*$", line)
        if m and "=" not in m.group(2) or (m and "==" in m.group(2)):
            try:
                expected = ast.literal_eval(m.group(3))
                ast.parse(m.group(2).strip(), mode="eval")
            except (ValueError, SyntaxError):
                out.append(line)
                continue
            expr = m.group(2).strip()
            out.append(f"{m.group(1)}assert ({expr}) == {expected!r}, ({expr!r}, {expr})")
            continue
        out.append(line)
    return "\n".join(out)


def test_with_checks_turns_value_comments_into_assertions():
    code = "a.shape  # (3, 4)\nb = f(x)  # (3,)\nc.times[:3]  # seconds: [0, 1]"
    lines = with_checks(code).splitlines()
    assert lines[0].startswith("assert (a.shape) == (3, 4)")
    assert lines[1] == "b = f(x)  # (3,)" and lines[2].startswith("c.times")


@pytest.mark.parametrize(
    "page", ["index.rst", "quickstart.rst", "features.rst", "segmentation.rst"]
)
def test_user_guide_snippets_run(page, tmp_path):
    blocks = python_blocks(DOCS / page)
    assert blocks, f"no python code blocks found in {page}"
    script = tmp_path / "snippets.py"
    script.write_text(PRELUDE + with_checks("\n\n".join(blocks)) + "\n")
    env = {**os.environ, "MPLBACKEND": "Agg"}
    res = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr[-3000:]
