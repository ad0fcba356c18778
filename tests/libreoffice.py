"""Recalculate a workbook with LibreOffice headless: an engine independent of assess; and
print it to PDF, counting the pages (``pdfinfo`` from poppler-utils)."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import pytest

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_libreoffice = pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui",
)
PDFINFO = shutil.which("pdfinfo")
needs_pdfinfo = pytest.mark.skipif(
    PDFINFO is None,
    reason="pdfinfo (poppler-utils) is not installed: apt-get install poppler-utils",
)

# Recalculate every formula on load, whatever the file says about its cached values.
_RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
           xmlns:xs="http://www.w3.org/2001/XMLSchema"
           xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
  <prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
  <prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


#: CSV export filter: comma, double quote, UTF-8, from line 1, no format detection, quote all
#: text, "save cell contents as shown" (formatted values), no formulas, no spaces, and every
#: sheet to its own file (<name>-<sheet>.csv).
_CSV_AS_SHOWN = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,true,true,true,false,false,-1"


def displayed(src: Path, outdir: Path) -> dict[str, list[list[str]]]:
    """Each sheet of ``src`` as LibreOffice displays it after recalculating every formula: the
    text of every cell, formatted by its number format, by sheet name."""
    import csv

    _run(src, outdir, _CSV_AS_SHOWN)
    sheets = {}
    for path in sorted(outdir.glob(f"{src.stem}-*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            sheets[path.stem.removeprefix(f"{src.stem}-")] = list(csv.reader(fh))
    if not sheets:
        raise AssertionError(f"LibreOffice wrote no CSV for {src.name}")
    return sheets


def convert(src: Path, outdir: Path, target: str = "xlsx:Calc MS Excel 2007 XML") -> Path:
    """Open ``src`` in LibreOffice (recalculating every formula) and save it as ``target``."""
    proc = _run(src, outdir, target)
    ext = target.split(":")[0]
    out = outdir / f"{src.stem}.{ext}"
    if proc.returncode != 0 or not out.exists():
        raise AssertionError(f"LibreOffice could not open {src.name}: {proc.stdout} {proc.stderr}")
    return out


def _run(src: Path, outdir: Path, target: str) -> subprocess.CompletedProcess:
    profile = Path(tempfile.mkdtemp(prefix="lo-profile-"))
    try:
        (profile / "user").mkdir()
        (profile / "user" / "registrymodifications.xcu").write_text(_RECALC_ALWAYS)
        outdir.mkdir(parents=True, exist_ok=True)
        proc = subprocess.run(
            [
                SOFFICE,
                "--headless",
                "--norestore",
                f"-env:UserInstallation={profile.as_uri()}",
                "--convert-to",
                target,
                "--outdir",
                str(outdir),
                str(src),
            ],
            capture_output=True,
            text=True,
            timeout=180,
        )
        if proc.returncode != 0:
            raise AssertionError(
                f"LibreOffice could not open {src.name}: {proc.stdout} {proc.stderr}"
            )
        return proc
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def to_pdf(src: Path, outdir: Path) -> Path:
    """``src`` printed to PDF by LibreOffice (every visible sheet, with its page setup)."""
    return convert(src, outdir, "pdf:calc_pdf_Export")


def pdf_pages(pdf: Path) -> int:
    """The number of pages of ``pdf``, as ``pdfinfo`` counts them."""
    out = subprocess.run([PDFINFO, str(pdf)], capture_output=True, text=True, check=True).stdout
    match = re.search(r"^Pages:\s+(\d+)", out, re.MULTILINE)
    if match is None:
        raise AssertionError(f"pdfinfo found no page count in {pdf.name}: {out}")
    return int(match.group(1))


def only_sheet(src: Path, sheet: str, dest: Path) -> Path:
    """A copy of ``src`` at ``dest`` that prints only ``sheet``: every other sheet's print area
    is one empty cell, which LibreOffice leaves out (it prints hidden sheets, so hiding them
    would not do); charts, formulas and formats are left as they are."""
    with zipfile.ZipFile(src) as zin:
        book = zin.read("xl/workbook.xml").decode("utf-8")
        names = re.findall(r'<sheet name="([^"]*)"', book)
        if sheet not in names:
            raise AssertionError(f"{src.name} has no sheet {sheet!r}: {names}")
        others = {str(i) for i, name in enumerate(names) if name != sheet}
        area = re.compile(r'<definedName name="_xlnm.Print_Area" localSheetId="(\d+)"[^>]*>[^<]*<')
        book = re.sub(
            area.pattern + "/definedName>",
            lambda m: "" if m.group(1) in others else m.group(0),
            book,
        )
        empty = "".join(
            f'<definedName name="_xlnm.Print_Area" localSheetId="{i}">'
            f"'{name}'!$XFD$1048576</definedName>"
            for i, name in enumerate(names)
            if name != sheet
        )
        if "<definedNames>" in book:
            book = book.replace("<definedNames>", "<definedNames>" + empty, 1)
        else:
            book = book.replace("</sheets>", f"</sheets><definedNames>{empty}</definedNames>", 1)
        with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
            for item in zin.infolist():
                data = zin.read(item)
                if item.filename == "xl/workbook.xml":
                    data = book.encode("utf-8")
                zout.writestr(item, data)
    return dest


def sheet_pages(src: Path, outdir: Path) -> dict[str, int]:
    """The printed pages of each sheet of ``src``, sheet by sheet (the others hidden)."""
    with zipfile.ZipFile(src) as z:
        names = re.findall(r'<sheet name="([^"]*)"', z.read("xl/workbook.xml").decode("utf-8"))
    pages = {}
    for i, name in enumerate(names):
        part = outdir / f"sheet{i}"
        part.mkdir(parents=True, exist_ok=True)
        copy = only_sheet(src, name, part / f"{src.stem}-{i}.xlsx")
        pages[name] = pdf_pages(to_pdf(copy, part))
    return pages
