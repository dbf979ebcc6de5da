"""Sphinx configuration of the physiofeat documentation (built offline: no intersphinx)."""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # _gallery_order
os.environ.setdefault("MPLBACKEND", "Agg")

import physiofeat  # noqa: E402

project = "physiofeat"
author = "physiofeat developers"
copyright = "2026, physiofeat developers"
version = release = physiofeat.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = [
    "_build",
    "Thumbs.db",
    ".DS_Store",
    "auto_examples/*.ipynb",
    "auto_examples/*.py",
    "auto_examples/*.zip",
    "auto_examples/*.json",
    "gen_modules/feature_table.rst",
    "gen_modules/backreferences/*",
]
root_doc = "index"
default_role = "py:obj"

# -- API reference -----------------------------------------------------------------------------
autosummary_generate = True
autosummary_imported_members = False
autodoc_default_options = {"members": True, "inherited-members": False}
autodoc_typehints = "none"  # numpydoc's Parameters sections carry the types
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks: set[str] = set()

# -- gallery -----------------------------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    # only plot_*.py pages, each executed for its figure from the shipped recordings; other
    # scripts in examples/ (e.g. ones needing ../shared/data) stay out of the gallery
    "ignore_pattern": r"^__init__\.py$|^(?!plot_).*\.py$",  # matched against file names
    "within_subsection_order": "_gallery_order.ExampleOrder",
    "backreferences_dir": "gen_modules/backreferences",
    "doc_module": ("physiofeat",),
    "image_scrapers": ("matplotlib",),
    "matplotlib_animations": False,
    "remove_config_comments": True,
    "download_all_examples": False,
    "show_memory": False,
    "min_reported_time": 1,
    # a cell's last expression (a plot call returning its artists, ax.set_title(...)) is not
    # echoed as an "Out:" block: pages print what they mean to show
    "capture_repr": (),
    "abort_on_example_error": False,
    "only_warn_on_example_error": False,
}

# Examples print nothing noisy; this one warning comes from matplotlib's Agg backend in workers.
warnings.filterwarnings("ignore", message="Matplotlib is currently using agg")

# -- HTML --------------------------------------------------------------------------------------
html_theme = "alabaster"
html_theme_options = {
    "description": "Feature extraction for heart sounds, ECG and other biosignals",
    "fixed_sidebar": True,
    # wide enough for ruff's 100-column code lines in a 14 px font (docs/_static/custom.css);
    # alabaster switches to its narrow layout (sidebar on top) below page_width
    "page_width": "1160px",
    "sidebar_width": "200px",
}
html_static_path = ["_static"]
html_title = f"physiofeat {version}"


# -- the registered-features table (read from the registry, never kept by hand) ---------------
def _rst_escape(text: str) -> str:
    for c in "\\`*_|":
        text = text.replace(c, "\\" + c)
    return text


def _write_feature_table() -> None:
    specs = physiofeat.features()
    rows = []
    for s in specs:
        params = ", ".join(f"``{k}={v!r}``" for k, v in s.defaults.items()) or "(none)"
        dims = ", ".join(s.dims) if s.dims else "(scalar)"
        rows.append(
            (f"``{s.name}``", s.family, f"``({dims})``", _rst_escape(s.description), params)
        )
    lines = [
        ".. list-table::",
        "   :header-rows: 1",
        "   :widths: 14 8 14 30 34",
        "",
        "   * - name",
        "     - family",
        "     - dims",
        "     - description",
        "     - parameters (defaults)",
    ]
    for row in rows:
        lines.append(f"   * - {row[0]}")
        lines += [f"     - {cell}" for cell in row[1:]]
    out = Path(__file__).parent / "gen_modules" / "feature_table.rst"
    out.parent.mkdir(exist_ok=True)
    text = "\n".join(lines) + "\n"
    if not out.is_file() or out.read_text() != text:
        out.write_text(text)


_write_feature_table()


# -- the API reference: one section per public module that exists, listing its __all__ ---------
API_MODULES = [
    ("physiofeat", "The package: extract, the registry, Feature and Features, errors"),
    ("physiofeat.io", "Reading audio"),
    ("physiofeat.records", "Reading WFDB, EDF and multi-channel records"),
    ("physiofeat.data", "Sample recordings shipped with the package"),
    ("physiofeat.spectral", "STFT, mel, MFCC, deltas, cepstrum, spectral statistics"),
    ("physiofeat.envelope", "Amplitude envelopes"),
    ("physiofeat.wavelet", "DWT, wavelet packets, CWT"),
    ("physiofeat.hht", "EMD, EEMD, CEEMDAN, Hilbert spectral analysis"),
    ("physiofeat.hos", "Bispectrum and bicoherence"),
    ("physiofeat.temporal", "Time-domain statistics and sample entropy"),
    ("physiofeat.pcg", "Heart-sound segmentation and cardiac-cycle features"),
    ("physiofeat.ecg", "R peaks, P and QRS onsets, PR intervals"),
    ("physiofeat.ecgpcg", "ECG-PCG intervals"),
    ("physiofeat.plot", "Plots"),
    ("physiofeat.batch", "Many recordings at once"),
    ("physiofeat.sklearn", "scikit-learn transformer"),
    ("physiofeat.distributed", "Dask"),
    ("physiofeat.cli", "Command line"),
]
# Top-level names that are documented in their own module instead (no duplicate descriptions).
_TOP_LEVEL_ELSEWHERE = {
    "load": "physiofeat.io",
    "info": "physiofeat.io",
    "load_record": "physiofeat.records",
    "Record": "physiofeat.records",
    "extract_many": "physiofeat.batch",
}


def _public_names(modname: str) -> list[str]:
    import importlib

    mod = importlib.import_module(modname)
    if modname == "physiofeat":
        return [
            n
            for n in mod.__all__
            if n not in physiofeat._LAZY_MODULES and n not in _TOP_LEVEL_ELSEWHERE
        ]
    names = getattr(mod, "__all__", None)
    if names is None:
        names = [
            n
            for n in vars(mod)
            if not n.startswith("_")
            and getattr(getattr(mod, n), "__module__", "").startswith(modname)
        ]
    return sorted(names, key=lambda n: (not n[0].isupper(), n.lower()))


def _rst_problems(text: str) -> list[str]:
    """reST errors in a docstring (Sphinx-only roles and directives are not errors here)."""
    import inspect

    import docutils.frontend
    import docutils.parsers.rst
    import docutils.utils

    ignore = (
        "Unknown interpreted text role",
        "Unknown directive type",
        "No role entry",
        "No directive entry",
    )
    msgs: list[str] = []

    def observe(msg):
        body = msg.astext()
        if msg["level"] >= 3 and not any(s in body for s in ignore):
            msgs.append(body.splitlines()[0])

    parser = docutils.parsers.rst.Parser()
    settings = docutils.frontend.get_default_settings(docutils.parsers.rst.Parser)
    settings.report_level = 5
    settings.halt_level = 5
    doc = docutils.utils.new_document("<docstring>", settings)
    doc.reporter.attach_observer(observe)
    parser.parse(inspect.cleandoc(text), doc)
    return msgs


#: Modules whose docstring is not valid reST: the API page lists their members without the
#: module text (the build prints which, so the owner can fix the docstring).
SKIPPED_MODULE_DOCS: dict[str, list[str]] = {}


def _write_api() -> None:
    import importlib

    lines = [
        "API reference",
        "=============",
        "",
        "Generated from the docstrings of every public module. Each family module is usable",
        "on its own and returns plain arrays; :func:`physiofeat.extract` reaches all of them",
        "by name.",
        "",
    ]
    for modname, title in API_MODULES:
        try:
            importlib.import_module(modname)
        except ModuleNotFoundError as exc:  # a front end or family not written yet
            if exc.name == modname:
                continue
            raise
        heading = f":mod:`{modname}`: {title}"
        problems = _rst_problems(importlib.import_module(modname).__doc__ or "")
        if problems:
            SKIPPED_MODULE_DOCS[modname] = problems
            print(
                f"docs/conf.py: module docstring of {modname} is not valid reST "
                f"({'; '.join(problems)}); its text is left out of the API page"
            )
            lines += [heading, "-" * len(heading), "", f".. module:: {modname}", ""]
        else:
            lines += [
                heading,
                "-" * len(heading),
                "",
                f".. automodule:: {modname}",
                "   :no-members:",
                "",
            ]
        lines += [
            f".. currentmodule:: {modname}",
            "",
            ".. autosummary::",
            "   :toctree: .",
            "   :nosignatures:",
            "",
        ]
        lines += [f"   {n}" for n in _public_names(modname)]
        lines.append("")
    out = Path(__file__).parent / "gen_modules" / "api.rst"
    out.parent.mkdir(exist_ok=True)
    text = "\n".join(lines) + "\n"
    if not out.is_file() or out.read_text() != text:
        out.write_text(text)


_write_api()


# -- the CLI's --help texts, captured at build time (never copied by hand) ---------------------
def _write_cli_help() -> None:
    import subprocess

    out = Path(__file__).parent / "gen_modules" / "cli"
    out.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "COLUMNS": "96"}
    for cmd in ([], ["extract"], ["segment"], ["features"], ["info"]):
        res = subprocess.run(
            [sys.executable, "-m", "physiofeat.cli", *cmd, "--help"],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        text = _fold(res.stdout, 96)
        path = out / f"{'_'.join(cmd) or 'main'}.txt"
        if not path.is_file() or path.read_text() != text:
            path.write_text(text)


def _fold(text: str, width: int) -> str:
    """Lines longer than ``width`` folded at spaces, as a ``width``-column terminal shows them
    (argparse leaves a raw description unwrapped, and the page would cut it off)."""
    import textwrap

    out = []
    for line in text.splitlines():
        if len(line) <= width:
            out.append(line)
            continue
        indent = line[: len(line) - len(line.lstrip())]
        out += textwrap.wrap(line, width, subsequent_indent=indent, break_long_words=False)
    return "\n".join(out) + "\n"


_write_cli_help()
