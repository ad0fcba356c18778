"""The HTML report: one self-contained page that shows everything and fetches nothing."""

from __future__ import annotations

import base64
import hashlib
import html
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from browser import chromium, needs_chromium
from conftest import SMALL_HEADER, dump_rubric, row, small_rubric_data, write_csv, write_xlsx

import assess
from assess.report.html import page as html_report
from assess.report.html import to_html, write_html

XSS = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://x")'


@pytest.fixture
def workbook(tmp_path) -> Path:
    return write_xlsx(
        tmp_path / "engagements.xlsx",
        [
            row("E-01", 4, 4, 4, 4, 0, name="Exercise Best"),  # 100
            row("E-02", 3, 2.5, 3, 2, 1, name=XSS, kind=FORMULA),  # fractional rating
            row(
                "E-03", 4, 4, 4, 4, 4, name="Gated Dialogue", kind="Strategic dialogue"
            ),  # friction-cap
            row("E-04", 1, 1, 0, 1, 3, name="Exercise Worst"),
            row("E-05", 2, None, None, None, 2, name="Thin evidence"),  # insufficient
            row("E-06", "high", 3, 3, 9, 1, name="Two bad cells"),  # rejected twice
            row(None, 3, 3, 3, 3, 1, name="No id"),  # rejected
        ],
    )


@pytest.fixture
def result(workbook):
    return assess.score(workbook)


@pytest.fixture
def page(result, monkeypatch) -> str:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1735689600")
    return to_html(result)


class _Page(HTMLParser):
    """Collects every tag with its attributes, and text per element id of interest."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.styles.append(data)


def parse(text: str) -> _Page:
    p = _Page()
    p.feed(text)
    return p


def ranking_ids(text: str) -> list[str]:
    body = text[text.index('id="ranking-table"') :]
    body = body[body.index("<tbody>") : body.index("</tbody>")]
    cells = re.findall(r'<td class="id">(?:<a href="#e\d+">)?(.*?)(?:</a>)?</td>', body)
    return [html.unescape(c) for c in cells]


def plain(markup: str) -> str:
    """The text of some HTML, tags dropped and whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def details_of(text: str, eid: str) -> str:
    """The text of the breakdown of engagement ``eid``."""
    for block in re.findall(r'<details class="engagement".*?</details>', text, flags=re.S):
        if f'<span class="eid">{html.escape(eid)}</span>' in block:
            return plain(block)
    raise AssertionError(f"no breakdown for {eid}")


# -- structure ----------------------------------------------------------------------------


def test_page_has_every_section(page):
    assert page.startswith("<!DOCTYPE html>")
    sections = re.findall(r'<section class="card[^"]*" id="([a-z]+)"', page)
    assert sections == [
        "summary",
        "ranking",
        "breakdown",
        "insufficient",
        "rejected",
        "rubric",
    ]
    for section in sections:
        assert f'<a href="#{section}">' in page  # in the table of contents


def test_ranking_has_one_row_per_scored_engagement_in_rank_order(page, result):
    assert ranking_ids(page) == list(result.scored.index)
    assert ranking_ids(page)[0] == "E-01"


def test_summary_line_and_band_chart_are_shown(page, result):
    assert html.escape(result.summary_line()) in page
    assert '<svg class="bands"' in page
    for band in result.rubric.bands:
        assert band.colour in page


def test_every_rejected_cell_reference_is_listed(page, result):
    assert len(result.rejected) == 2
    for rejection in result.rejected:
        for problem in rejection.problems:
            assert f"{rejection.sheet}!{problem.column}{rejection.row}" in page
    # both problems of the row with two bad cells, each with its reason
    two = next(r for r in result.rejected if len(r.problems) == 2)
    for problem in two.problems:
        assert problem.reason in plain(page)


def test_insufficient_row_lists_completeness_and_missing_criteria(page, result):
    section = plain(page[page.index('id="insufficient"') : page.index('id="rejected"')])
    assert "E-05" in section
    assert f"{result.insufficient.loc['E-05', 'completeness']:.0%}" in section
    for label in ("Alignment with international norms", "Interoperability", "Resources"):
        assert label in section


def test_breakdown_shows_the_descriptor_of_the_rating_given(page, result):
    block = details_of(page, "E-04")
    rubric = result.rubric
    for cid, rating in (("transparency", 1), ("interoperability", 0), ("political_friction", 3)):
        level = rubric.criterion(cid).level(rating)
        assert f"{rating} · {level.label}" in block
        assert " ".join(level.descriptor.split()) in block


def test_fractional_rating_shows_both_neighbouring_levels(page, result):
    block = details_of(page, "E-02")
    norms = result.rubric.criterion("norms_alignment")
    assert f"between {norms.level(2).label} (2) and {norms.level(3).label} (3)" in block


def test_gated_row_is_marked_with_its_gate(page):
    gated = re.search(r'<tr class="gated">.*?</tr>', page, flags=re.S).group(0)
    assert "E-03" in gated and "friction-cap" in gated and "Partially effective" in gated
    assert "Gate friction-cap" in details_of(page, "E-03")


def test_contribution_bar_per_breakdown(page, result):
    assert page.count('<svg class="contrib"') == len(result.scored)


def test_rubric_section_lists_every_level_band_and_gate(page, result):
    section = normalised = plain(page[page.index('id="rubric"') :])
    for c in result.rubric.criteria:
        assert c.label in section and " ".join(c.source.split()) in normalised
        for lv in c.scale.levels:
            assert " ".join(lv.descriptor.split()) in normalised
    for g in result.rubric.gates:
        assert " ".join(g.reason.split()) in normalised
    for b in result.rubric.bands:
        assert b.name in section


def test_header_records_sources_rubric_and_version(page, result):
    source = result.sources[0]
    assert f'title="{source.sha256}"' in page and source.sha256[:12] in page
    assert result.rubric.content_hash in page and result.rubric.version in page
    assert f"assess {assess.__version__}" in page
    assert "2025-01-01 00:00:00 UTC" in page  # SOURCE_DATE_EPOCH


def test_same_input_gives_identical_page(result, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    assert to_html(result) == to_html(result)
    assert "1970-01-01 00:00:00 UTC" in to_html(result)


def test_breakdowns_are_limited_and_say_so(result, monkeypatch):
    monkeypatch.setattr(html_report, "BREAKDOWN_LIMIT", 2)
    text = to_html(result, generated_at="now")
    assert text.count('<details class="engagement"') == 2
    assert "first 2 engagements by rank of 4" in text
    assert ranking_ids(text) == list(result.scored.index)  # the ranking stays complete


def test_write_html_writes_atomically(result, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    target = tmp_path / "out" / "report.html"
    target.parent.mkdir()
    write_html(result, target)
    assert target.read_text(encoding="utf-8") == to_html(result)
    assert [p.name for p in target.parent.iterdir()] == ["report.html"]


def test_indicator_criterion_shows_its_indicator_values(tmp_path):
    data = small_rubric_data()
    data["criteria"][2] = {
        "id": "delivery",
        "label": "Delivery",
        "description": "measured delivery",
        "column": "Delivery",
        "weight": 1,
        "indicators": [
            {
                "id": "objectives_met",
                "label": "Objectives met",
                "column": "Objectives met",
                "normalisation": {"method": "minmax", "min": 0, "max": 1},
            },
        ],
    }
    rubric = dump_rubric(tmp_path / "ind.yaml", data)
    path = write_xlsx(
        tmp_path / "ind.xlsx",
        [["E1", 4, 2, 0.75]],
        header=["ID", "Alpha", "Beta", "Objectives met"],
    )
    text = to_html(assess.score(path, rubric=rubric), generated_at="now")
    assert "Objectives met: 0.75" in details_of(text, "E1")
    assert "min–max 0 to 1" in plain(text)


def test_page_without_carried_columns_gates_or_scored_rows(tmp_path, small_rubric_file):
    first = write_csv(tmp_path / "a.csv", [["A1", "bad", 1, 1]], header=SMALL_HEADER)
    second = write_csv(tmp_path / "b.csv", [["B1", 9, 1, 1]], header=SMALL_HEADER)
    result = assess.score([first, second], rubric=small_rubric_file())
    text = to_html(result, generated_at="now")
    assert result.counts["scored"] == 0 and len(result.rejected) == 2
    assert "No engagement was scored." in text
    assert "This rubric has no gates." in text
    assert "a.csv" in text and "b.csv" in text


# -- safety -------------------------------------------------------------------------------


def test_page_references_nothing_outside_itself(page):
    parsed = parse(page)
    for tag, attrs in parsed.tags:
        for name, value in attrs.items():
            if (
                name in {"src", "href", "xlink:href", "action", "srcset", "poster", "data"}
                and value
            ):
                assert value.startswith(("#", "data:")), (tag, name, value)
                assert not re.match(r"\s*(https?:)?//", value, flags=re.I), (tag, name, value)
        if tag == "link":
            assert attrs.get("rel") != "stylesheet"
        assert tag not in {"iframe", "img", "object", "embed", "base", "form"}
    css = "".join(parsed.styles)
    assert "@import" not in css
    assert not re.search(r"url\(\s*['\"]?\s*(https?:)?//", css, flags=re.I)
    scripts = [attrs for tag, attrs in parsed.tags if tag == "script"]
    assert len(scripts) == 1 and "src" not in scripts[0]


def test_content_security_policy_allows_only_the_page_script(page):
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1)
    assert "default-src 'none'" in csp
    script = re.search(r"<script>(.*?)</script>", page, flags=re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in csp


def test_script_looking_input_is_escaped(page):
    assert XSS not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert page.count("<script") == 1


def test_formula_looking_input_is_escaped_and_defused(page):
    assert FORMULA not in page
    assert "&#39;=HYPERLINK(&#34;http://x&#34;)" in page  # shown with a leading apostrophe
    assert ">=HYPERLINK" not in page


# -- in a browser -------------------------------------------------------------------------


@needs_chromium
def test_chromium_runs_the_page_script_under_its_own_policy(page, tmp_path):
    target = tmp_path / "report.html"
    target.write_text(page, encoding="utf-8")
    dom = chromium("--dump-dom", target.as_uri(), tmp_path=tmp_path).stdout
    # the script marks the document once it has wired up the tables
    assert re.search(r'<html lang="en" class="js">', dom), dom[:300]
    assert ranking_ids(dom) == ranking_ids(page)


@needs_chromium
def test_chromium_sorts_the_ranking_by_a_clicked_header(page, result, tmp_path):
    # The page's policy only admits its own script, so the test copy drops it to add a click.
    clicked = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", page).replace(
        "</body>",
        "<script>Array.from(document.querySelectorAll('#ranking-table th button'))"
        ".find(function (b) { return b.textContent.trim() === 'Score'; }).click();"
        "</script></body>",
    )
    target = tmp_path / "clicked.html"
    target.write_text(clicked, encoding="utf-8")
    dom = chromium("--dump-dom", target.as_uri(), tmp_path=tmp_path).stdout
    ascending = list(result.scored.sort_values("score", kind="stable").index)
    assert ranking_ids(dom) == ascending
    assert re.search(
        r'<th scope="col" class="num" data-sort="" aria-sort="ascending"><button type="button">'
        r"Score</button>",
        dom,
    )
    assert len(re.findall(r"<th[^>]*aria-sort=", dom)) == 1


@needs_chromium
def test_chromium_renders_a_screenshot(page, tmp_path):
    target = tmp_path / "report.html"
    target.write_text(page, encoding="utf-8")
    shot = tmp_path / "report.png"
    chromium("--window-size=1366,2400", f"--screenshot={shot}", target.as_uri(), tmp_path=tmp_path)
    assert shot.is_file() and shot.stat().st_size > 50_000
