"""Random workbooks through the public API: only documented errors, counts that add up, and
reports that open again.

The default run is short.  A long fuzz run (a few minutes) is one command::

    ASSESS_FUZZ_EXAMPLES=3000 pytest tests/test_fuzz.py -q
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import tempfile
import warnings
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import bombs
import openpyxl
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import assess
import assess.read
from assess.report import write_report

EXAMPLES = int(os.environ.get("ASSESS_FUZZ_EXAMPLES", "25"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

RUBRIC_HEADERS = [
    "Engagement ID",
    "Transparency",
    "Norms alignment",
    "Interoperability",
    "Resources",
    "Political friction",
]
OTHER_HEADERS = ["Engagement", "Type", "Notes", '=HYPERLINK("x")', "", "Score", "id", "Rank"]

header_name = st.one_of(
    st.sampled_from(RUBRIC_HEADERS).flatmap(
        lambda h: st.sampled_from(
            [h, h.upper(), f" {h.lower()} ", f"{h} (0-4)", h.replace(" ", "_")]
        )
    ),
    st.sampled_from(OTHER_HEADERS),
    st.text(max_size=12),
)
text = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "N/A",
            "-",
            "3 - Substantial",
            "2,5",
            "high",
            "=1+1",
            "+cmd|x",
            "@A1",
            "-2+3",
            "\t=2",
            "#N/A",
            "4 - Minimal",
            "1e3",
            "nan",
            "inf",
            " 3 ",
        ]
    ),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x9F), max_size=10),
)
cell = st.one_of(
    st.none(),
    st.integers(-10, 10),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6),
    st.booleans(),
    st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2040, 1, 1)),
    text,
)


@st.composite
def sheets(draw):
    width = draw(st.integers(2, 9))
    header = draw(st.lists(header_name, min_size=width, max_size=width))
    if draw(st.booleans()):  # usually a table the rubric can find
        header[: min(width, 3)] = draw(st.permutations(RUBRIC_HEADERS))[: min(width, 3)]
    body = draw(st.lists(st.lists(cell, min_size=width, max_size=width), max_size=12))
    return header, body


def _clean(value):
    """What a spreadsheet program could store: no NUL and no lone surrogates."""
    if isinstance(value, str):
        return value.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")
    return value


def write_workbook(path: Path, header, body) -> None:
    wb = xlsxwriter.Workbook(
        str(path),
        {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
    )
    ws = wb.add_worksheet("Data")
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    for r, values in enumerate([header, *body]):
        for c, v in enumerate(values):
            v = _clean(v)
            if v is None:
                continue
            if isinstance(v, dt.date):
                ws.write_datetime(r, c, dt.datetime.combine(v, dt.time()), date_fmt)
            elif isinstance(v, str):
                ws.write_string(r, c, v)
            else:
                ws.write(r, c, v)
    wb.close()


def write_csv(path: Path, header, body) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        for values in [header, *body]:
            w.writerow(["" if v is None else _clean(v) for v in values])


def reopen(path: Path) -> None:
    """Every report must open again in the program that reads its format."""
    if path.suffix == ".xlsx":
        openpyxl.load_workbook(path)
    elif path.suffix == ".json":
        json.loads(path.read_text(encoding="utf-8"))
    elif path.suffix == ".csv":
        with path.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
        assert len({len(r) for r in rows}) == 1  # rectangular
    elif path.suffix == ".html":
        HTMLParser().feed(path.read_text(encoding="utf-8"))
    else:
        path.read_text(encoding="utf-8")


@FUZZ
@given(sheets(), st.sampled_from(["xlsx", "csv"]))
def test_random_workbooks_score_or_fail_cleanly_and_reports_reopen(table, kind):
    header, body = table
    with tempfile.TemporaryDirectory() as folder:
        src = Path(folder) / f"in.{kind}"
        (write_workbook if kind == "xlsx" else write_csv)(src, header, body)
        try:
            result = assess.score(src)
        except assess.AssessError as exc:
            assert str(exc) and "\n" not in str(exc)
            return
        c = result.counts
        assert c["scored"] + c["insufficient"] + c["rejected"] == c["rows"]
        assert c["rows"] == result.sources[0].data_rows
        if result.sources[0].header_row == 1:

            def blank(v):
                v = _clean(v)
                return v is None or (isinstance(v, str) and not v.strip())

            assert c["rows"] == sum(not all(blank(v) for v in row) for row in body)
        for rej in result.rejected:
            assert rej.sheet and rej.row > 1 and rej.column.isalpha()
        for fmt in ("xlsx", "csv", "json", "html", "md"):
            reopen(write_report(result, Path(folder) / f"out.{fmt}"))


# -- any bytes at all, under any supported name ----------------------------------------------

SUFFIXES = sorted(assess.read.SUPPORTED_SUFFIXES)
PART_NAMES = [
    "[Content_Types].xml",
    "_rels/.rels",
    "xl/workbook.xml",
    "xl/_rels/workbook.xml.rels",
    "xl/worksheets/sheet1.xml",
    "xl/sharedStrings.xml",
    "mimetype",
    "content.xml",
    "META-INF/manifest.xml",
]


@st.composite
def cell_xml(draw) -> bytes:
    """A cell somewhere in the first 3,000 rows and 60 columns, in one of the forms sheet XML
    allows: reference first, reference after the type, or no reference."""
    r, c = draw(st.integers(1, 3000)), draw(st.integers(1, 60))
    value = draw(st.sampled_from(["<v>3</v>", "<is><t>x</t></is>", "<v>#DIV/0!</v>", ""]))
    kind = ' t="inlineStr"' if "<is>" in value else (' t="e"' if "#" in value else "")
    form = draw(st.sampled_from(['<c r="{ref}"{kind}>', '<c{kind} r="{ref}">', "<c{kind}>"]))
    return (form.format(ref=f"{bombs.letters(c)}{r}", kind=kind) + value + "</c>").encode()


@st.composite
def workbook_bytes(draw) -> bytes:
    """A zip archive: an .xlsx with random rows after its table, perhaps with random parts
    added, perhaps with a few bytes changed."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "w.xlsx"
        rows = draw(st.lists(st.lists(cell_xml(), max_size=4), max_size=6))
        body = [bombs.table_rows(), *(b"<row>" + b"".join(r) + b"</row>" for r in rows)]
        bombs.write_workbook(path, bombs.sheet_xml(body))
        extra = draw(
            st.lists(st.tuples(st.sampled_from(PART_NAMES), st.binary(max_size=300)), max_size=3)
        )
        with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z, warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a part named twice is one more hostile case
            for name, data in extra:
                z.writestr(name, data)
        data = path.read_bytes()
    if draw(st.booleans()):
        at = draw(st.integers(0, len(data) - 1))
        data = data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at + 1 :]
    return data


@FUZZ
@given(
    st.sampled_from(SUFFIXES),
    st.one_of(
        st.binary(max_size=2048),
        st.text(max_size=400).map(lambda t: t.encode("utf-8")),
        st.text(max_size=200).map(lambda t: t.encode("utf-16-le")),
        st.binary(max_size=300).map(lambda b: b"\xff\xfe" + b),  # a UTF-16 BOM, any length
        workbook_bytes(),
    ),
)
def test_any_bytes_under_any_name_fail_in_one_line_or_add_up(suffix, data):
    with tempfile.TemporaryDirectory() as folder:
        src = Path(folder) / f"in{suffix}"
        src.write_bytes(data)
        try:
            result = assess.score(src, max_input_size="1MB")
        except assess.AssessError as exc:
            assert str(exc) and "\n" not in str(exc)
            return
        c = result.counts
        assert c["scored"] + c["insufficient"] + c["rejected"] == c["rows"] > 0
