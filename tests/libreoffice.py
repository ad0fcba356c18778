"""Recalculate a workbook with LibreOffice headless: an engine independent of assess."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_libreoffice = pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui",
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
