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


def _public_modules() -> list[str]:
    """Every module of the package that ``--doctest-modules`` collects (``__main__`` aside)."""
    import pkgutil

    import physiofeat

    names = ["physiofeat"]
    for info in pkgutil.walk_packages(physiofeat.__path__, "physiofeat."):
        if info.name.rsplit(".", 1)[-1] != "__main__":
            names.append(info.name)
    return sorted(names)


def _is_public(module, test_name: str) -> bool:
    """Whether a doctest documents something a user can reach: a public name of a public
    module, or a name that a private module (``hos._core``) gives its public package."""
    import importlib

    rest = test_name[len(module.__name__) :].lstrip(".")
    parts = module.__name__.split(".")
    private = [i for i, p in enumerate(parts) if p.startswith("_")]
    if any(p.startswith("_") for p in rest.split(".") if p):
        return False
    if not private:
        return True
    if not rest:  # the docstring of a private module
        return False
    package = importlib.import_module(".".join(parts[: private[0]]))
    first = rest.split(".")[0]
    return first in getattr(package, "__all__", ()) and getattr(package, first, None) is getattr(
        module, first, object()
    )


@pytest.mark.parametrize("name", _public_modules())
def test_docstring_examples_run_in_a_fresh_namespace(name, tmp_path, monkeypatch, request):
    """The ``>>>`` examples of the public API import what they use, so a user can paste them into
    a fresh interpreter: each runs with empty globals, not the module's (as ``--doctest-modules``
    does), with the option flags of the pytest configuration."""
    import doctest
    import importlib

    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as exc:  # an optional dependency that is not installed
        if (exc.name or "").split(".")[0] == "physiofeat":
            raise
        pytest.skip(f"{name} needs {exc.name}")
    from _pytest.doctest import _get_checker  # pytest's checker, which knows NUMBER

    flags = 0
    for flag in request.config.getini("doctest_optionflags"):
        flags |= doctest.register_optionflag(flag)  # the same bit pytest registers
    monkeypatch.chdir(tmp_path)
    from physiofeat import _registry

    # what the examples register (register_feature's peak_to_peak) must not outlive them: its
    # function's globals are these examples' own, cleared below, and later tests extract every
    # registered feature
    _registry._load_builtins()  # loaded into the tables restored afterwards, not a copy
    for table in ("_FEATURES", "_INTERMEDIATES", "_PRESETS"):
        monkeypatch.setattr(_registry, table, dict(getattr(_registry, table)))
    runner = doctest.DocTestRunner(checker=_get_checker(), optionflags=flags, verbose=False)
    report: list[str] = []
    for test in doctest.DocTestFinder(exclude_empty=True).find(module, name, globs={}):
        if test.examples and _is_public(module, test.name):
            test.globs = {}
            runner.run(test, out=report.append)
            test.globs.clear()
    results = runner.summarize(verbose=False)
    assert results.failed == 0, "".join(report)[-6000:]
