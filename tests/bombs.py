"""Workbooks that are small on disk and huge once inflated, built here from recipes.

``python tests/bombs.py DIR`` writes full-size bombs (over a gigabyte inflated, about a
megabyte on disk) into DIR for measuring by hand, e.g.
``/usr/bin/time -v python -m assess score DIR/cells-bomb.xlsx``; the tests build smaller
ones against a smaller ``--max-input-size``.
"""

from __future__ import annotations

import struct
import sys
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from conftest import HEADER

_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    b'officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
    b'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
_ROOT_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
SHEET_MEMBER = "xl/worksheets/sheet1.xml"
#: one cell in the last row and column a sheet can have: 17 billion cells to the parser
FAR_CELL = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'


def _workbook_xml(sheet: str) -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        b'<sheets><sheet name="' + sheet.encode() + b'" sheetId="1" r:id="rId1"/></sheets>'
        b"</workbook>"
    )


def letters(col: int) -> str:
    """1-based column number -> Excel letters (1 -> A, 28 -> AB)."""
    out = ""
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def _cell(ref: str, value: object) -> bytes:
    if isinstance(value, str):
        return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'.encode()
    return f'<c r="{ref}"><v>{value}</v></c>'.encode()


def _row(r: int, values: Iterable[object]) -> bytes:
    cells = b"".join(_cell(f"{chr(65 + c)}{r}", v) for c, v in enumerate(values))
    return f'<row r="{r}">'.encode() + cells + b"</row>"


def table_rows(n: int = 3) -> bytes:
    """The header and ``n`` plain engagement rows, as sheet XML rows."""
    out = [_row(1, HEADER)]
    for i in range(n):
        out.append(_row(i + 2, [f"E{i}", f"Engagement {i}", "Joint exercise", 3, 3, 2, 3, 1]))
    return b"".join(out)


def write_workbook(path: Path, xml: Iterable[bytes], sheet: str = "Data") -> Path:
    """An .xlsx whose one sheet's XML is ``xml`` (streamed, deflated at level 9)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _ROOT_RELS)
        z.writestr("xl/workbook.xml", _workbook_xml(sheet))
        z.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with z.open(SHEET_MEMBER, "w") as fh:
            for chunk in xml:
                fh.write(chunk)
    return path


def sheet_xml(body: Iterable[bytes]) -> Iterator[bytes]:
    """A worksheet's XML around ``body`` (rows, and anything else inside ``<sheetData>``)."""
    yield (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<sheetData>"
    )
    yield from body
    yield b"</sheetData></worksheet>"


def _repeat(unit: bytes, size: int) -> Iterator[bytes]:
    block = unit * max(1, (1 << 20) // len(unit))
    for _ in range(max(1, size // len(block))):
        yield block


def cells_bomb(path: Path, size: int = 1_100 << 20) -> Path:
    """A table whose sheet goes on with the same row of cells until it is ``size`` bytes."""
    row = b'<row><c t="inlineStr"><is><t>X</t></is></c><c><v>3</v></c><c><v>3</v></c></row>'
    return write_workbook(path, sheet_xml([table_rows(), *_repeat(row, size)]))


def whitespace_bomb(path: Path, size: int = 1_100 << 20) -> Path:
    """A small table followed by ``size`` bytes of spaces inside the sheet's XML."""
    return write_workbook(path, sheet_xml([table_rows(), *_repeat(b" " * 4096, size)]))


def lying_bomb(
    path: Path, size: int = 1_100 << 20, declared: int = 10_000, forge_crc: bool = False
) -> Path:
    """A cells bomb whose zip headers say that its sheet inflates to ``declared`` bytes
    (and, with ``forge_crc``, carry the CRC of just that many bytes, so that a reader which
    stops at the declared size finds nothing wrong)."""
    cells_bomb(path, size)
    declare_size(path, SHEET_MEMBER, declared, forge_crc=forge_crc)
    return path


def declare_size(path: Path, member: str, size: int, forge_crc: bool = False) -> None:
    """Make the zip's local and central headers declare ``size`` inflated bytes for
    ``member``; the data stay as they are."""
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(member)
        crc = None
        if forge_crc:
            with z.open(info) as fh:
                crc = zlib.crc32(fh.read(size))
    data = bytearray(path.read_bytes())
    # the local header: signature, ..., CRC at offset 14, uncompressed size at 22
    assert data[info.header_offset : info.header_offset + 4] == b"PK\x03\x04"
    struct.pack_into("<I", data, info.header_offset + 22, size)
    if crc is not None:
        struct.pack_into("<I", data, info.header_offset + 14, crc)
    # the central directory entry: CRC at offset 16, uncompressed size at 24, name at 46
    name = member.encode()
    at = data.find(b"PK\x01\x02", info.header_offset)
    while at >= 0:
        n = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + n] == name:
            struct.pack_into("<I", data, at + 24, size)
            if crc is not None:
                struct.pack_into("<I", data, at + 16, crc)
            break
        at = data.find(b"PK\x01\x02", at + 4)
    else:
        raise ValueError(f"{member}: no central directory entry")
    path.write_bytes(bytes(data))


def ods_repeat_bomb(path: Path, rows: int, cols: int) -> Path:
    """An .ods whose header row is followed by one row of a value repeated ``cols`` times,
    itself repeated ``rows`` times: a few hundred bytes that describe rows x cols cells."""
    header = "".join(
        f'<table:table-cell office:value-type="string"><text:p>{h}</text:p></table:table-cell>'
        for h in HEADER
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Data">'
        f"<table:table-row>{header}</table:table-row>"
        f'<table:table-row table:number-rows-repeated="{rows}">'
        '<table:table-cell office:value-type="float" office:value="1"'
        f' table:number-columns-repeated="{cols}"/></table:table-row>'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
        '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type='
        '"application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
        'manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content)
        z.writestr("META-INF/manifest.xml", manifest)
    return path


def main(argv: list[str]) -> int:
    out = Path(argv[1] if len(argv) > 1 else "bombs")
    out.mkdir(parents=True, exist_ok=True)
    for name, make in (
        ("cells-bomb.xlsx", cells_bomb),
        ("whitespace-bomb.xlsx", whitespace_bomb),
        ("lying-bomb.xlsx", lying_bomb),
        ("far-cell.xlsx", lambda p: write_workbook(p, sheet_xml([table_rows(), FAR_CELL]))),
        ("repeats.ods", lambda p: ods_repeat_bomb(p, 1_000_000, 99)),
    ):
        path = make(out / name)
        print(f"{path}: {path.stat().st_size:,} bytes on disk")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
