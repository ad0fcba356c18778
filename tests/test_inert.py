"""Input text stays inert in every output: the terminal (stdout and stderr), CSV, JSON,
Markdown, HTML and Excel; input columns never collide with the columns a report computes;
text and tables too large for Excel are cut there with a note."""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest
from conftest import HEADER, row, write_csv, write_xlsx
from corpus import xlsx
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from openpyxl.utils.escape import unescape

import assess
from assess.report import write_report
from assess.report.safety import (
    FORMULA_PREFIXES,
    MAX_CELL_TEXT,
    MAX_COLUMNS,
    clean_text,
    md_text,
    printable,
    safe_cell,
)

#: Text that means something to a terminal, rich, a spreadsheet, Markdown or a browser.
HOSTILE = [
    "[/]",
    "[bold]loud[/bold]",
    "[link=http://x]click[/link]",
    "\x1b[31mred",
    "\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\",
    "\x9b31m",
    "a\u202eevil",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "=cmd|' /C calc'!A0",
    "@SUM(1)",
    "+1",
    "-1",
    "\tx",
    "\rx",
    "![x](http://x)",
    "[x](javascript:alert(1))",
    "`code` *em* _em_ ~~s~~ $x$",
    "# heading",
    "1. item",
    "a|b",
    "&lt; &amp;",
    "line\nbreak",
]
# what a terminal could act on: nothing of it may reach stdout or stderr (but line ends)
TERMINAL_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(
        alphabet=st.one_of(
            st.sampled_from(list("[]/<>&=+-@|`*_~$#!()\\'\"\t\r\n\x1b\x07\x9b\u202e\u2028 ")),
            # (no NUL: a CSV file holding one is refused as binary)
            st.characters(
                codec="utf-8", categories=["L", "N", "P", "S", "Cc"], exclude_characters="\x00"
            ),
        ),
        min_size=1,
        max_size=8,
    ),
)
FILE_NAME_TEXT = ["\x1b[31mred", "[bold]b[/bold]", "=cmd", "a\u202eb", "tab\there", "\x9bx"]


def _file_name(text: str) -> str:
    """``text`` made into a file name Linux accepts (no slash, no NUL, not too long)."""
    return text.replace("/", "_").replace("\x00", "_")[:40] + ".csv"


def _no_control(output: str) -> None:
    found = TERMINAL_CONTROL.findall(output)
    assert not found, found


def _scored_ids(path: Path) -> list[str]:
    return [str(i) for i in assess.score(path).engagements.index]


# -- the terminal --------------------------------------------------------------------------


def test_rich_markup_in_ids_and_names_is_shown_as_written(tmp_path, runner):
    from assess.cli import app

    ids = ["[/]", "[bold]E2[/bold]", "[link=http://x]E3[/link]", "[red]E4"]
    path = write_xlsx(
        tmp_path / "in.xlsx",
        [row(eid, name=f"[/{k}] name") for k, eid in enumerate(ids)],
        header=["Engagement ID", "[italic]Engagement[/italic]", *HEADER[2:]],
    )
    out = runner.invoke(app, ["score", str(path)], env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    for k, eid in enumerate(ids):
        assert f" {eid} " in out.stdout
        assert f"[/{k}] name" in out.stdout
    assert "[italic]Engagement[/italic]" in out.stdout  # the name column's header


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(eid=hostile_text, name=hostile_text, file_text=st.sampled_from(FILE_NAME_TEXT))
@example(eid="[/]", name="\x1b[31mred", file_text="\x1b[31mred")
def test_terminal_shows_input_text_as_written(tmp_path_factory, runner, eid, name, file_text):
    """The ranked table, the note lines and the rejected lines on stdout, and an error on
    stderr: no control character of the input reaches the terminal, and the text shows as
    printable() writes it."""
    from assess.cli import app

    folder = tmp_path_factory.mktemp("in")
    # an input column named "score" makes a note that names the file
    path = write_csv(
        folder / _file_name(file_text),
        [[*row(eid, name=name), 1], [*row("E2", t="bad"), 2]],
        header=[*HEADER, "score"],
    )
    out = runner.invoke(app, ["score", str(path)], env={"COLUMNS": "300"})
    assert out.exit_code in (0, 1), out.output
    _no_control(out.stdout + out.stderr)
    assert f"note: {printable(path.name)}: input column 'score'" in out.stdout
    for shown in _scored_ids(path):
        assert printable(shown) in out.stdout
    assert printable(path.name) in out.stdout  # the rejected row's line names the file
    # an error message names the file too: on stderr, as inert
    empty = folder / _file_name("empty" + file_text)
    empty.write_bytes(b"")
    err = runner.invoke(app, ["score", str(empty)])
    assert err.exit_code == 2
    _no_control(err.stdout + err.stderr)
    # (an error is one line: a tab or a line break in it reads as a space)
    assert printable(" ".join(empty.name.split())) in err.stderr


@pytest.mark.parametrize("file_text", FILE_NAME_TEXT)
def test_batch_log_lines_on_stderr_show_file_names_inert(tmp_path, runner, file_text):
    from assess.cli import app

    src = tmp_path / "in"
    src.mkdir()
    path = write_csv(src / _file_name(file_text), [row("E1"), row("E2")])
    out = runner.invoke(app, ["batch", str(src), "-o", str(tmp_path / "out"), "--jobs", "1"])
    assert out.exit_code == 0, out.output
    _no_control(out.stdout + out.stderr)
    assert f"[1/1] {printable(str(path))}: scored" in out.stderr


@pytest.mark.parametrize("text", ["\x1b[31m", "[bold]x[/bold]", "a\u202eb"])
def test_explain_agreement_and_sensitivity_print_input_text_inert(tmp_path, runner, text):
    import xlsxwriter

    from assess.cli import app

    eid = f"E{text}"
    path = xlsx(tmp_path / "in.xlsx", [row(eid, 4, 3, 2, 3, 1), row("E2", 1, 1, 1, 1, 3)])
    for args in (["explain", str(path), eid], ["sensitivity", str(path), "--draws", "50"]):
        out = runner.invoke(app, args, env={"COLUMNS": "200"})
        assert out.exit_code == 0, out.output
        _no_control(out.stdout + out.stderr)
        assert printable(eid) in out.stdout
    # raters are named by their sheets (which cannot hold brackets or control characters)
    raters = tmp_path / "raters.xlsx"
    wb = xlsxwriter.Workbook(str(raters), {"strings_to_formulas": False})
    for name, t in (("Ann\u202e<b>", 4), ("=Bo", 1)):
        ws = wb.add_worksheet(name)
        for r, values in enumerate([HEADER, row(eid, t, 3, 2, 3, 1)]):
            ws.write_row(r, 0, values)
    wb.close()
    out = runner.invoke(app, ["agreement", str(raters)], env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    _no_control(out.stdout + out.stderr)
    assert printable(eid) in out.stdout
    assert printable("Ann\u202e<b>") in out.stdout and "=Bo" in out.stdout


@given(st.text())
def test_printable_leaves_nothing_a_terminal_acts_on(text):
    acts = re.compile(TERMINAL_CONTROL.pattern.replace("\x00-\x09\x0b", "\x00"))  # and LF
    shown = printable(text)
    assert not acts.search(shown)
    if not acts.search(text):
        assert shown == text  # ordinary text is left as it is


def test_printable_writes_control_characters_as_python_escapes():
    assert printable("a\x1b[31mb\tc\nd\u202ee\x9b") == "a\\x1b[31mb\\tc\\nd\\u202ee\\x9b"


def test_json_printed_escapes_what_a_terminal_acts_on(tmp_path, cli):
    text = "x\x9b31m\u202e\x7f"
    path = write_xlsx(tmp_path / "in.xlsx", [row("E1", name=text), row("E2")])
    out = cli("score", path, "--format", "json").stdout
    _no_control(out)
    names = {e["id"]: e["Engagement"] for e in json.loads(out)["engagements"]}
    assert names["E1"] == text  # the same value, written as \u escapes


# -- CSV, Markdown, HTML, Excel --------------------------------------------------------------


def _formulas(wb) -> dict[tuple[str, str], str]:
    return {
        (ws.title, c.coordinate): getattr(c.value, "text", c.value)  # an array formula's
        for ws in wb.worksheets
        for line in ws.iter_rows()
        for c in line
        if c.data_type == "f"
    }


def _csv_rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def _defused(cell: str) -> bool:
    return not cell.startswith(FORMULA_PREFIXES)


class _Text(HTMLParser):
    """The text of every element of a page, and the tags used."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)

    def handle_data(self, data):
        self.text.append(data)


def _rendered(markdown: str) -> _Text:
    page = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(markdown)
    parser = _Text()
    parser.feed(page)
    return parser


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(eid=hostile_text, value=hostile_text, header=hostile_text)
@example(eid="<img src=x onerror=alert(1)>", value="=HYPERLINK(1)", header='=HYPERLINK("x")')
@example(eid="[x](javascript:alert(1))", value="@SUM(1)", header="<script>")
def test_every_report_keeps_ids_values_and_headers_inert(tmp_path_factory, eid, value, header):
    folder = tmp_path_factory.mktemp("r")
    path = folder / "-S.csv"  # a CSV file's sheet is its name: "-S"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, quoting=csv.QUOTE_ALL)  # a CR in a cell stays in the cell
        writer.writerows([[*HEADER, f"Notes {header}"], [*row(eid), value], [*row("E2"), "x"]])
    result = assess.score(path)
    ids = [str(i) for i in result.engagements.index]
    (carried,) = [c for c in result.carried_columns if c.startswith("Notes")]  # as read
    # CSV: every cell and header defused and free of control characters
    rows = _csv_rows(write_report(result, folder / "r.csv"))
    assert all(_defused(c) and not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", c)
               for r in rows for c in r)  # fmt: skip
    head = rows[0]
    assert safe_cell(carried) in head
    assert {r[head.index("id")] for r in rows[1:]} == {safe_cell(i) for i in ids}
    # Markdown: no raw HTML, and every id renders as written (defused, on one line)
    md = write_report(result, folder / "r.md").read_text(encoding="utf-8")
    assert "<" not in md
    rendered = _rendered(md)
    assert rendered.tags <= {"h1", "h2", "p", "strong", "code", "blockquote", "table", "thead",
                             "tbody", "tr", "th", "td", "ul", "li"}  # fmt: skip
    cells = {t.strip() for t in rendered.text}
    for i in ids:
        assert " ".join(safe_cell(i).split()) in {" ".join(c.split()) for c in cells}
    # HTML: the header and the value escaped and defused
    page = write_report(result, folder / "r.html").read_text(encoding="utf-8")
    assert page.count("<script") == 1  # the page's own
    # JSON: exactly as read
    data = json.loads(write_report(result, folder / "r.json").read_text(encoding="utf-8"))
    assert {e["id"] for e in data["engagements"]} == set(ids)
    # Excel: text cells, and exactly the formulas of the same report from plain text
    wb = openpyxl.load_workbook(write_report(result, folder / "r.xlsx"))
    texts = {clean_text(t) for t in (*ids, value, carried)}
    for ws in wb.worksheets:
        for line in ws.iter_rows():
            for cell in line:
                if isinstance(cell.value, str) and unescape(cell.value) in texts:
                    assert cell.data_type == "s", (ws.title, cell.coordinate)
    # (openpyxl leaves the _xHHHH_ escapes of control characters as they are stored)
    scores = [unescape(h) for h in next(wb["Scores"].iter_rows(max_row=1, values_only=True))]
    assert clean_text(carried) in scores
    twin_id = "E1" if len(ids) == 2 else ""  # a blank id rejects the row, as the input's did
    plain = write_csv(
        folder / "S.csv", [[*row(twin_id), "v"], [*row("E2"), "x"]], header=[*HEADER, "N"]
    )
    twin = openpyxl.load_workbook(write_report(assess.score(plain), folder / "twin.xlsx"))
    assert _formulas(wb) == _formulas(twin)


def test_csv_header_that_looks_like_a_formula_is_defused(tmp_path, cli):
    path = write_csv(
        tmp_path / "in.csv",
        [[*row("E1"), "x"], [*row("E2"), "y"]],
        header=[*HEADER, '=HYPERLINK("http://x")'],
    )
    head = next(csv.reader(io.StringIO(cli("score", path, "--format", "csv").stdout)))
    assert '\'=HYPERLINK("http://x")' in head
    assert all(_defused(h) for h in head)


def test_html_shows_input_headers_defused(tmp_path):
    path = write_xlsx(
        tmp_path / "in.xlsx",
        [[*row("E1"), "x"], [*row("E2"), "y"]],
        header=[*HEADER, "=cmd|' /C calc'!A0"],
    )
    page = write_report(assess.score(path), tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<dt>&#39;=cmd|&#39; /C calc&#39;!A0</dt>" in page
    assert "<dt>=cmd" not in page


def test_markdown_escapes_html_and_markdown_syntax(tmp_path):
    ids = ["<img src=x onerror=alert(1)>", "![x](http://x)", "[a](javascript:x)", "# h", "1. x"]
    path = write_xlsx(tmp_path / "in.xlsx", [row(i) for i in ids] + [row("E9", t="bad")])
    md = write_report(assess.score(path), tmp_path / "r.md").read_text(encoding="utf-8")
    assert "<" not in md
    rendered = _rendered(md)
    assert {"img", "a", "script"}.isdisjoint(rendered.tags)
    assert {"h1", "h2"} >= {t for t in rendered.tags if t.startswith("h")}
    shown = {t.strip() for t in rendered.text}
    assert set(ids) <= shown


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cc", "Zl", "Zp"])))
@example("<b>x</b> &amp; [a](b) ![c](d) `e` *f* _g_ ~~h~~ $i$ \\ | # 1. (@)")
def test_markdown_text_renders_as_written_in_a_table_and_a_list(text):
    text = text.strip()
    for markdown, where in (
        (f"| h |\n|---|\n| {md_text(text)} |\n", "td"),
        (f"- {md_text(text)} (row 2)\n", "li"),
    ):
        rendered = _rendered(markdown)
        assert rendered.tags <= {"table", "thead", "tbody", "tr", "th", "td", "ul", "li", "p"}
        got = "".join(rendered.text).strip()
        want = text if where == "td" else f"{text} (row 2)".strip()
        if where == "td":
            got = got.removeprefix("h").strip()
        assert " ".join(got.split()) == " ".join(want.split())


# -- input columns named like computed columns ------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "score",
        "rank",
        "band",
        "status",
        "row",
        "source",
        "sheet",
        "completeness",
        "gates",
        "criteria",
        "transparency.normalised",
        "resources.contribution",
        "sensitivity.rank_p05",
    ],
)
def test_an_input_column_named_like_a_computed_one_is_carried_under_another_name(
    tmp_path, cli, name
):
    path = write_csv(
        tmp_path / "in.csv", [[*row("E1"), "in1"], [*row("E2"), "in2"]], header=[*HEADER, name]
    )
    for fmt in ("csv", "json", "md", "html", "xlsx"):
        out = cli("score", path, "-o", tmp_path / f"r.{fmt}")
        assert out.exit_code == 0, out.output
        assert f"input column {name!r} is carried as '{name} (input)'" in out.stdout
    rows = list(csv.DictReader(io.StringIO((tmp_path / "r.csv").read_text(encoding="utf-8"))))
    assert {r["id"]: r[f"{name} (input)"] for r in rows} == {"E1": "in1", "E2": "in2"}
    assert {r["score"] for r in rows} == {"75"}
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert {e["id"]: e[f"{name} (input)"] for e in data["engagements"]} == {
        "E1": "in1",
        "E2": "in2",
    }
    assert cli("score", path).exit_code == 0  # the terminal table


def test_a_carried_column_reading_as_id_beside_a_named_id_column(tmp_path, cli):
    path = write_csv(
        tmp_path / "in.csv",
        [["R1", "x", *row("E1")[1:]], ["R2", "y", *row("E2")[1:]]],
        header=["Ref", "ID", *HEADER[1:]],
    )
    out = cli("score", path, "--id-column", "Ref", "--format", "json")
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert {e["id"]: e["ID (input)"] for e in data["engagements"]} == {"R1": "x", "R2": "y"}


CRITERION_HEADERS = HEADER[3:]


def test_a_long_format_input_column_named_score_is_carried_apart(tmp_path, cli):
    lines = [["Engagement ID", "Rater", "Criterion", "Rating", "score"]]
    for rater, shift in (("Ann", 0), ("Bo", 1)):
        for crit in CRITERION_HEADERS:
            first = 1 if crit == "Political friction" else 3 - shift
            lines.append(["E1", rater, crit, first, 99])
            lines.append(["E2", rater, crit, 2, 98])
    path = tmp_path / "long.csv"
    path.write_text("\n".join(",".join(map(str, r)) for r in lines) + "\n", encoding="utf-8")
    out = cli("agreement", path, "-o", tmp_path / "a.csv")
    assert out.exit_code == 0, out.output
    rows = list(csv.DictReader(io.StringIO((tmp_path / "a.csv").read_text(encoding="utf-8"))))
    assert {r["id"]: r["score (input)"] for r in rows} == {"E1": "99", "E2": "98"}
    assert all(0 <= float(r["score"]) <= 100 for r in rows)


def test_a_csv_report_scores_again_to_the_same_result(tmp_path, cli):
    path = write_xlsx(
        tmp_path / "in.xlsx",
        [row("E1", 4, 3, 2, 3, 1), row("E2", 1, 2, 3, 0, 4), row("E3", 2, None, None, None, 1)],
    )
    first = assess.score(path)
    report = write_report(first, tmp_path / "report.csv")
    out = cli("score", report, "-o", tmp_path / "again.json")
    assert out.exit_code == first.exit_code, out.output
    assert "note: report.csv: input columns 'rank', 'score', 'band'" in out.stdout
    again = json.loads((tmp_path / "again.json").read_text(encoding="utf-8"))
    was = first.to_dict()
    for key in ("engagements", "insufficient"):
        assert [e["id"] for e in again[key]] == [e["id"] for e in was[key]]
    for e, before in zip(again["engagements"], was["engagements"], strict=True):
        assert e["score"] == pytest.approx(before["score"])
        assert (e["rank"], e["band"]) == (before["rank"], before["band"])
        assert float(e["score (input)"]) == pytest.approx(before["score"])  # text, as read
        assert e["Engagement"] == "Exercise Test"
    # and the second report scores a third time
    rep2 = write_report(assess.score(report), tmp_path / "report2.csv")
    assert cli("score", rep2).exit_code == first.exit_code


# -- too large for Excel ------------------------------------------------------------------------


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def test_text_longer_than_an_excel_cell_is_cut_there_with_a_note(tmp_path, cli):
    long, wide = "y" * (MAX_CELL_TEXT + 10), "🙂" * 20_000  # 40,000 UTF-16 units
    path = write_csv(
        tmp_path / "in.csv",
        [[*row("E1"), long], [*row("E2"), wide], [*row("E3"), "short"]],
        header=[*HEADER, "Notes"],
    )
    out = cli("score", path, "-o", tmp_path / "r.xlsx")
    note = "2 cells of input text are longer than Excel's cell limit of 32,767 characters"
    assert out.exit_code == 0 and note in out.stdout
    wb = openpyxl.load_workbook(tmp_path / "r.xlsx")
    cells = {c.value[:1]: c.value for c in wb["Scores"]["E"][1:]}
    for cut in (cells["y"], cells["🙂"]):
        assert _utf16(cut) == MAX_CELL_TEXT and cut.endswith("…")
    assert cells["🙂"][:-1] == "🙂" * ((MAX_CELL_TEXT - 1) // 2)  # no half character
    assert any(note in str(c.value) for c in wb["Summary"]["B"])
    cli("score", path, "-o", tmp_path / "r.csv")
    notes = {r["id"]: r["Notes"] for r in csv.DictReader(io.StringIO(
        (tmp_path / "r.csv").read_text(encoding="utf-8")))}  # fmt: skip
    assert _utf16(notes["E2"]) == MAX_CELL_TEXT and notes["E3"] == "short"
    data = json.loads(cli("score", path, "--format", "json").stdout)
    assert {e["Notes"] for e in data["engagements"]} == {long, wide, "short"}


def test_a_defused_cell_at_the_limit_stays_within_it():
    cut = safe_cell("=" + "x" * MAX_CELL_TEXT)
    assert cut.startswith("'=") and _utf16(cut) == MAX_CELL_TEXT


@pytest.fixture(scope="module")
def wide_input(tmp_path_factory) -> Path:
    extra = [f"X{i}" for i in range(MAX_COLUMNS)]
    path = tmp_path_factory.mktemp("wide") / "wide.csv"
    return write_csv(
        path,
        [[*row("E1"), *range(len(extra))], [*row("E2"), *range(len(extra))]],
        header=[*HEADER, *extra],
    )


def test_a_table_wider_than_excel_leaves_the_last_carried_columns_out_with_a_note(
    tmp_path, cli, wide_input
):
    out = cli("score", wide_input, "-o", tmp_path / "r.xlsx")
    assert out.exit_code == 0, out.output
    carried = len(HEADER) - 6 + MAX_COLUMNS  # Engagement and Type, and the X columns
    kept = MAX_COLUMNS - (2 + 2 * 5 + 8)
    first_out = f"X{kept - 2}"
    note = (
        f"the Excel report leaves out the last {carried - kept:,} of the {carried:,} carried "
        f"columns, from {first_out!r} on"
    )
    assert note in out.stdout
    wb = openpyxl.load_workbook(tmp_path / "r.xlsx", read_only=True)
    head = next(wb["Scores"].iter_rows(max_row=1, values_only=True))
    assert len(head) == MAX_COLUMNS and head[-1] == "Sort key"
    assert f"X{kept - 3}" in head and first_out not in head
    assert any(note in str(r[1]) for r in wb["Summary"].iter_rows(values_only=True))
    out = cli("score", wide_input, "-o", tmp_path / "r.csv")
    assert f"X{MAX_COLUMNS - 1}" in _csv_rows(tmp_path / "r.csv")[0]


def test_batch_portfolio_of_a_table_wider_than_excel(tmp_path, cli, wide_input):
    out = cli("batch", wide_input, "-o", tmp_path / "out", "--format", "csv", "--jobs", "1")
    assert out.exit_code == 0, out.output
    wb = openpyxl.load_workbook(tmp_path / "out" / "portfolio.xlsx", read_only=True)
    head = next(wb["Engagements"].iter_rows(max_row=1, values_only=True))
    assert len(head) == MAX_COLUMNS
    notes = [r[1] for r in wb["Summary"].iter_rows(values_only=True) if r[0] == "Note"]
    assert len(notes) == 1 and "leaves out the last" in notes[0]
