"""The evidence and review trail in every report: evidence carried and inert in every format,
live links only for http(s) addresses and only when asked, the flags and rows not approved
listed with their cells, the share of ratings with evidence and the rows per status."""

from __future__ import annotations

import csv
import io
import json
import re

import openpyxl
import pytest
from conftest import EXAMPLE_WORKBOOK, HEADER, row, write_csv

import assess
from assess.report import write_report
from assess.report.html import to_html
from assess.report.markdown import to_markdown
from assess.report.tabular import to_csv

HOSTILE = (
    '=HYPERLINK("http://evil.example","x") <script>alert(1)</script> '
    "javascript:alert(2) \x07bell https://example.org/a?b=1"
)
URL = "https://example.org/report?id=7&part=2"
HEADERS = [*HEADER, "Transparency evidence", "Evidence", "Status"]


@pytest.fixture
def hostile(tmp_path):
    """E1: hostile transparency evidence; E2: a bare web address as the shared evidence;
    E3: a javascript: address; E4: an extreme rating without evidence (flagged)."""
    rows = [
        row("E1", t=4) + [HOSTILE, "Minutes", "Approved"],
        row("E2") + [None, URL, "Approved"],
        row("E3") + [None, "javascript:alert(3)", "Approved"],
        row("E4", t=0) + [None, None, "Draft"],
    ]
    return write_csv(tmp_path / "hostile.csv", rows, header=HEADERS)


def test_evidence_stays_inert_in_every_format(hostile, tmp_path):
    result = assess.score(hostile)
    assert [f.id for f in result.flags] == ["E4"]
    # JSON: the text as data
    item = {e["id"]: e for e in json.loads(json.dumps(result.to_dict()))["engagements"]}
    assert item["E1"]["criteria"]["transparency"]["evidence"].startswith("=HYPERLINK(")
    # CSV: a formula prefix is defused, the control character gone
    table = list(csv.DictReader(io.StringIO(to_csv(result))))
    cell = {r["id"]: r for r in table}["E1"]["Transparency evidence"]
    assert cell.startswith("'=HYPERLINK(") and "\x07" not in cell
    # HTML: escaped, and no link at all unless asked for
    page = to_html(result)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "\x07" not in page and 'href="javascript:' not in page
    body = page[page.index('id="breakdown"') :]
    assert not re.search(r'<a href="https?://', body)
    # Excel: text cells, never a formula or a hyperlink
    wb = openpyxl.load_workbook(write_report(result, tmp_path / "r.xlsx"))
    ws = wb["Scores"]
    head = [c.value for c in ws[1]]
    col, id_col = head.index("Transparency evidence") + 1, head.index("Engagement ID") + 1
    cells = {ws.cell(r, id_col).value: ws.cell(r, col) for r in range(2, ws.max_row + 1)}
    assert cells["E1"].data_type == "s" and cells["E1"].value.startswith("=HYPERLINK(")
    assert not any(c.hyperlink for r in ws.iter_rows() for c in r)
    # Markdown: the flag's reason and cell, escaped
    (flag,) = result.flags
    assert flag.cell.startswith("hostile!I") and f"{flag.cell} (E4)" in to_markdown(result)


def test_links_only_for_http_addresses_and_only_when_asked(hostile, tmp_path, cli):
    result = assess.score(hostile)
    page = to_html(result, link_evidence=True)
    body = page[page.index('id="breakdown"') :]
    links = re.findall(r'<a href="([^"]+)" rel="noopener noreferrer nofollow"', body)
    # every http(s) address is a link (the one inside the formula text too: it is an address
    # the evidence cites), never a javascript: one
    assert links == ["http://evil.example", "https://example.org/a?b=1", URL.replace("&", "&amp;")]
    assert 'href="javascript:' not in page and "javascript:alert(3)" in page
    wb = openpyxl.load_workbook(write_report(result, tmp_path / "r.xlsx", link_evidence=True))
    ws = wb["Scores"]
    linked = [c.hyperlink.target for r in ws.iter_rows() for c in r if c.hyperlink]
    assert linked == [URL]  # a cell that is one address; not one that holds other text
    with pytest.raises(assess.AssessError, match="--link-evidence is for .html and .xlsx"):
        write_report(result, tmp_path / "r.csv", link_evidence=True)
    out = cli("score", hostile, "-o", tmp_path / "r.md", "--link-evidence")
    assert out.exit_code == 2 and "goes with -o REPORT.html" in out.stderr
    assert not (tmp_path / "r.md").exists()
    ok = cli("score", hostile, "-o", tmp_path / "c.html", "--link-evidence")
    assert ok.exit_code == 0 and 'href="https://example.org' in (tmp_path / "c.html").read_text()


def test_html_breakdown_shows_the_evidence_under_each_rating_and_the_flags(tmp_path):
    result = assess.score(EXAMPLE_WORKBOOK)
    page = to_html(result)
    body = page[page.index('id="breakdown"') : page.index('id="insufficient"')]
    assert "<b>Evidence:</b> Course completion report published to partners" in body
    assert "Evidence for the other ratings:" in body and "Evidence for every rating:" in body
    assert body.count("No evidence behind this rating") == len(result.flags) == 5
    review = page[page.index('id="review"') : page.index('id="rubric"')]
    shares = result.evidence_shares()
    assert f'<td class="num">{int(shares.at["transparency", "with_evidence"])}</td>' in review
    for flag in result.flags:
        assert flag.cell in review
    assert 'href="#review"' in page


def test_excel_summary_and_rejected_sheet_show_the_review_trail(tmp_path):
    result = assess.score(EXAMPLE_WORKBOOK, require_status="Approved")
    wb = openpyxl.load_workbook(write_report(result, tmp_path / "r.xlsx"))
    summary = {r[0]: r[1:4] for r in wb["Summary"].iter_rows(values_only=True) if r[0]}
    assert summary["Not approved"][0] == len(result.held) == 6
    assert summary["Data rows"][0].startswith("=SUM(")  # the counts add up, not approved too
    shares = result.evidence_shares()
    review_rows = list(wb["Summary"].iter_rows(values_only=True))
    start = next(i for i, r in enumerate(review_rows) if r[0] == "Evidence and review")
    evidence = {r[0]: r[1:4] for r in review_rows[start + 2 : start + 7]}
    assert evidence["Transparency"][:2] == (
        int(shares.at["transparency", "rated"]),
        int(shares.at["transparency", "with_evidence"]),
    )
    statuses = {r[0]: r[1] for r in review_rows[start + 8 : start + 11]}
    assert statuses == {"Draft": 4, "Reviewed": 2, "Approved": 44}
    rejected = [r for r in wb["Rejected"].iter_rows(values_only=True)][1:]
    kinds = [r[0] for r in rejected]
    assert kinds.count("not approved") == 6 and kinds.count("flagged") == len(result.flags)
    held = next(r for r in rejected if r[0] == "not approved")
    assert held[1] == result.held[0].cell and held[6] == "Status"
