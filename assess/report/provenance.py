"""Recognising the files assess wrote, so that a search for inputs never takes them.

Every workbook assess writes as an output (a report, ``portfolio.xlsx``, a calibration report)
records it in a custom document property, ``assess output``, whose value says what it is.
Workbooks written by earlier versions are told by what they recorded then: a report's
document properties (author ``assess``, title ``Effectiveness report (...)``) and first sheets
(Summary, Scores), a calibration report's title (``assess calibration``), a portfolio's four
sheets with ``assess version`` on its Summary sheet.  The input template is not an output: it
is meant to be filled in.

A CSV file has no room for such a record, so a CSV report is told by its header, which assess
always writes the same way: ``rank,id,score,band,status,completeness,gates,source,sheet,row``
first (``assess score --format csv``, CSV reports, the Dask engine's scores), or exactly
``file,sheet,row,column,cell,header,value,reason`` (the Dask engine's rejected rows).  No
engagements sheet starts with the ten columns of a scored report.

Only a few kilobytes of each file are read: a workbook's document properties (a few small
parts of its zip archive) or a CSV file's first line.
"""

from __future__ import annotations

import csv
import re
import zipfile
from pathlib import Path

#: The custom document property that marks a workbook written by assess, and its values.
PROPERTY = "assess output"
REPORT = "report"
PORTFOLIO = "portfolio"
CALIBRATION = "calibration report"

#: a CSV report's first columns (:mod:`assess.report.tabular` writes them in this order)
SCORES_HEADER = (
    "rank",
    "id",
    "score",
    "band",
    "status",
    "completeness",
    "gates",
    "source",
    "sheet",
    "row",
)
REJECTED_HEADER = ("file", "sheet", "row", "column", "cell", "header", "value", "reason")
PORTFOLIO_SHEETS = ("Summary", "Engagements", "Files", "Failures")
REPORT_SHEETS = ("Summary", "Scores")

_HEAD = 65536  # bytes read of a CSV file, or of a part of a workbook
_CUSTOM = re.compile(
    r'<property\b[^>]*\bname="' + re.escape(PROPERTY) + r'"[^>]*>\s*<vt:lpwstr>([^<]*)<'
)
_CREATOR = re.compile(r"<dc:creator>([^<]*)</dc:creator>")
_TITLE = re.compile(r"<dc:title>([^<]*)</dc:title>")
_SHEET = re.compile(r'<sheet\b[^>]*\bname="([^"]*)"')


def mark(workbook, kind: str) -> None:
    """Record in an XlsxWriter workbook that assess wrote it, and as what."""
    workbook.set_custom_property(PROPERTY, kind)


def written_by_assess(path: str | Path) -> str | None:
    """What ``path`` is if assess wrote it as an output (``"report"``, ``"portfolio"``,
    ``"calibration report"``, ``"CSV report"``, ``"rejected rows"``), else None."""
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.is_file():  # a named pipe or device is never ours, and must not be opened
        return None
    try:
        if suffix in {".xlsx", ".xlsm"}:
            return _workbook_kind(path)
        if suffix in {".csv", ".tsv", ".txt"}:
            return _csv_kind(path)
    except (OSError, ValueError, zipfile.BadZipFile, EOFError, RuntimeError, NotImplementedError):
        return None  # not readable as such: not ours, and reading it will say what is wrong
    return None


def _part(archive: zipfile.ZipFile, name: str) -> str:
    try:
        with archive.open(name) as fh:
            return fh.read(_HEAD).decode("utf-8", errors="replace")
    except KeyError:
        return ""


def _workbook_kind(path: Path) -> str | None:
    if not zipfile.is_zipfile(path):
        return None
    with zipfile.ZipFile(path) as archive:
        found = _CUSTOM.search(_part(archive, "docProps/custom.xml"))
        if found:
            return found.group(1) or REPORT
        core = _part(archive, "docProps/core.xml")
        creator, title = _CREATOR.search(core), _TITLE.search(core)
        title_text = title.group(1) if title else ""
        sheets = tuple(_SHEET.findall(_part(archive, "xl/workbook.xml")))
        if (
            creator
            and creator.group(1) == "assess"
            and title_text.startswith("Effectiveness report (")
            and sheets[:2] == REPORT_SHEETS
        ):
            return REPORT
        if title_text == "assess calibration":
            return CALIBRATION
        if sheets == PORTFOLIO_SHEETS and "<t>assess version</t>" in _part(
            archive, "xl/worksheets/sheet1.xml"
        ):
            return PORTFOLIO
    return None


def _csv_kind(path: Path) -> str | None:
    with path.open("rb") as fh:
        head = fh.read(_HEAD).decode("utf-8-sig", errors="replace")
    first = head.splitlines()[0] if head else ""
    header = tuple(next(csv.reader([first]), []))
    if header[: len(SCORES_HEADER)] == SCORES_HEADER:
        return "CSV report"
    if header == REJECTED_HEADER:
        return "rejected rows"
    return None
