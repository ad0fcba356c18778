"""A batch's inputs and output names: files, folders and patterns searched for spreadsheets
(never a file assess wrote), and a report name for each input."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from ...inputs import file_key, find_files
from ...limits import describe_special
from ...read import SUPPORTED_SUFFIXES
from ...report import EXTENSIONS
from ...report.provenance import written_by_assess
from .outcomes import FileOutcome

PORTFOLIO_XLSX = "portfolio.xlsx"
PORTFOLIO_JSON = "portfolio.json"
SUFFIX = EXTENSIONS
_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


def _wanted(path: Path) -> bool:
    name = path.name
    # Excel's lock files (~$book.xlsx) and hidden files are never inputs
    return path.suffix.lower() in SUPPORTED_SUFFIXES and not name.startswith(("~$", "."))


def expand_inputs(
    inputs: Iterable[str | Path], exclude: Path | None = None
) -> tuple[list[Path], list[FileOutcome]]:
    """Files, folders (recursed) and glob patterns -> sorted input files, each real file once
    (see :func:`assess.inputs.find_files`), plus outcomes for the arguments that matched
    nothing (failed) and for the files assess wrote (skipped, with what they are).  Earlier
    reports in ``exclude`` (the output folder: ``*-report.*`` and the portfolio) found by
    searching a folder or a pattern are left out without a word: they are about to be
    replaced."""
    found: dict[tuple[int, int], Path] = {}
    outcomes: list[FileOutcome] = []
    for item in inputs:
        text = str(item)
        p = Path(text)
        special = describe_special(p)
        explicit = p.is_file() or special is not None
        # a named pipe or device named outright is refused, with its reason, when read
        matches = [p] if special else [q for q in find_files(text) if explicit or _wanted(q)]
        if exclude is not None and not explicit:
            matches = [q for q in matches if not _is_report(q, exclude)]
        if not matches:
            outcomes.append(
                FileOutcome(
                    input=text,
                    status="failed",
                    error=f"{text}: no such file, or no spreadsheets in it",
                )
            )
        for q in matches:
            key = file_key(q)
            if key is not None and key not in found:
                found[key] = q
    files = []
    for q in sorted(found.values(), key=str):
        kind = written_by_assess(q)
        if kind is None:
            files.append(q)
        else:
            note = f"written by assess (a {kind}), not an input"
            outcomes.append(FileOutcome(input=str(q), status="skipped", notes=[note]))
    return files, outcomes


def _is_report(path: Path, outdir: Path) -> bool:
    if not path.resolve().is_relative_to(outdir.resolve()):
        return False
    return path.stem.endswith("-report") or path.name in {PORTFOLIO_XLSX, PORTFOLIO_JSON}


def _safe_stem(path: Path) -> str:
    stem = _UNSAFE.sub("_", path.stem).strip(" .") or "input"
    return stem[:120]


def output_names(inputs: list[Path], fmt: str) -> dict[Path, str]:
    """A report file name per input: ``<stem>-report.<ext>``, made unique when two inputs share
    a stem (``a/x.xlsx``, ``b/x.xlsx`` -> ``x-report.xlsx``, ``b_x-report.xlsx``).  Names hold
    no path separators, so they cannot leave the output folder."""
    ext = SUFFIX[fmt]
    names: dict[Path, str] = {}
    taken: set[str] = {PORTFOLIO_XLSX.lower(), PORTFOLIO_JSON.lower()}
    for p in inputs:
        base = _safe_stem(p)
        candidates = [f"{base}-report{ext}"]
        parent = _UNSAFE.sub("_", p.parent.name).strip(" .")
        if parent:
            candidates.append(f"{parent}_{base}-report{ext}")
        candidates += [f"{base}-{n}-report{ext}" for n in range(2, 10_000)]
        name = next(c for c in candidates if c.lower() not in taken)
        taken.add(name.lower())
        names[p] = name
    return names
