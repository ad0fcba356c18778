"""Opening a workbook (.xlsx, .xlsm, .xlsb, .xls, .ods): every sheet's cells as read.

python-calamine reads the workbook (with the cached value of formula cells); a zip-based one is
first checked for size (:func:`assess.limits.scan_workbook`) and for being the kind of file its
extension names.  Formula error cells become :class:`~assess.read.raw.CellError` cells
(:mod:`assess.read.error_cells`).
"""

from __future__ import annotations

import io
from pathlib import Path

from ..errors import InputError
from ..limits import scan_workbook
from .error_cells import XlsxErrorCells, formula_error_cells
from .raw import CellError, Sheets

#: What a zip package holds, by the content type of its main part ([Content_Types].xml) or
#: its OpenDocument ``mimetype``: checked in this order, the first match names it.
_PACKAGES = (
    (b"spreadsheetml.sheet.main", "excel"),
    (b"spreadsheetml.template.main", "excel"),
    (b"ms-excel.sheet.macroEnabled.main", "excel"),
    (b"ms-excel.template.macroEnabled.main", "excel"),
    (b"ms-excel.sheet.binary.macroEnabled.main", "excel"),
    (b"wordprocessingml", "a Word document"),
    (b"presentationml", "a PowerPoint presentation"),
    (b"opendocument.spreadsheet", "ods"),
    (b"opendocument.text", "an OpenDocument text document"),
    (b"opendocument.presentation", "an OpenDocument presentation"),
)
_PACKAGE_NAMES = {
    "excel": "an Excel workbook",
    "ods": "an OpenDocument spreadsheet",
    "xls": "an Excel 97-2003 workbook",  # never a zip
}


def _zip_package(path: Path) -> str:
    """What a zip file holds: ``"excel"``, ``"ods"``, or a description such as
    ``"a Word document"`` (``"a zip archive of other files"`` when it is no office file);
    ``""`` when the zip cannot be read (a damaged workbook is the workbook reader's to report)."""
    import zipfile
    import zlib

    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            for member in ("[Content_Types].xml", "mimetype"):
                if member in names:
                    with z.open(member) as fh:
                        head = fh.read(1 << 20)
                    for marker, what in _PACKAGES:
                        if marker in head:
                            return what
            if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
                return "excel"
    except (OSError, zipfile.BadZipFile, zlib.error, KeyError, RuntimeError, ValueError, EOFError):
        return ""  # damaged: the size check that reads every part says so
    return "a zip archive of other files"


def _check_package(path: Path) -> None:
    """Refuse a zip that is not the workbook its extension names (a Word document renamed
    .xlsx, an .ods renamed .xlsx, ...) with one line saying what it is instead."""
    suffix = path.suffix.lower()
    wanted = {".ods": "ods", ".xls": "xls"}.get(suffix, "excel")
    what = _zip_package(path)
    if what in (wanted, ""):
        return
    hint = ""
    if what in _PACKAGE_NAMES:  # the other kind of workbook: the extension is wrong
        hint = f"; rename it {'.ods' if what == 'ods' else '.xlsx'}"
    raise InputError(
        f"{path.name}: not {_PACKAGE_NAMES[wanted]} (it is {_PACKAGE_NAMES.get(what, what)}{hint})"
    )


def open_workbook(path: Path, kind: str, raw: bytes, limit: int) -> Sheets:
    """All sheets as (name, visible, rows), from the file's bytes ``raw``.

    A zip-based workbook is checked first (:func:`assess.limits.scan_workbook`: sizes,
    compression ratio, the cells its sheets span), in the same pass that finds the .xlsx
    formula error cells; python-calamine then parses the very bytes that were checked.
    """
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    errors: dict[str, XlsxErrorCells] = {}
    if kind == "zip":
        scan_errors = path.suffix.lower() in {".xlsx", ".xlsm"}
        scan_workbook(
            path.name,
            raw,
            limit,
            on_sheet=(lambda name: errors.setdefault(name, XlsxErrorCells()))
            if scan_errors
            else None,
        )
        _check_package(path)  # after the check of every part: a damaged zip says so first
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(raw))
    except Exception as exc:  # calamine raises its own error types; all mean "cannot read"
        if kind == "ole" and path.suffix.lower() != ".xls":
            # an .xlsx/.xlsm/.ods stored as an OLE container is an encrypted workbook
            raise InputError(
                f"{path.name}: the workbook is password-protected (encrypted); "
                "save an unprotected copy and score that"
            ) from exc
        raise InputError(f"{path.name}: cannot open as a workbook ({_short(exc)})") from exc
    sheets = []
    try:
        for meta in wb.sheets_metadata:
            if meta.typ != SheetTypeEnum.WorkSheet:  # chart sheets, dialog sheets: no cells
                continue
            rows = wb.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
            sheets.append((meta.name, meta.visible == SheetVisibleEnum.Visible, rows))
    except Exception as exc:
        raise InputError(f"{path.name}: the workbook is damaged ({_short(exc)})") from exc
    finally:
        wb.close()
    # .xlsx error cells were found by the size check's pass; .xls and .ods ones here
    found = {name: e.found for name, e in errors.items()}
    if kind == "ole" or path.suffix.lower() == ".ods":
        found.update(formula_error_cells(path, kind, sheets))
    for name, _, rows in sheets:
        for r, c, text in found.get(name, ()):
            if r < len(rows) and c < len(rows[r]):
                rows[r][c] = CellError(text or "#ERROR")
    return sheets


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:160] if text else exc.__class__.__name__
