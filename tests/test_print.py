"""The HTML pages on paper and in a narrow window, rendered by headless Chromium: the example
report prints on at most 12 A4 pages with the ranking's header on every page and no screen
controls, the calibration page prints as cleanly, and at 760 px the ranking does not scroll
sideways."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from browser import CHROMIUM, chromium
from conftest import EXAMPLE_WORKBOOK, ROOT

import assess
from assess.report.html import to_html

PDFINFO = shutil.which("pdfinfo")
PDFTOTEXT = shutil.which("pdftotext")
pytestmark = [
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="Chromium is not installed (apt-get install chromium): the pages are not printed",
    ),
    pytest.mark.skipif(
        PDFINFO is None or PDFTOTEXT is None,
        reason="poppler-utils is not installed (pdfinfo, pdftotext): pages cannot be counted",
    ),
]
#: The most A4 pages the example report may print on.
REPORT_PAGES = 12
#: The most A4 pages the example calibration page may print on (3 measured).
CALIBRATION_PAGES = 4


def print_to_pdf(page: Path, tmp_path: Path) -> Path:
    pdf = page.with_suffix(".pdf")
    chromium(f"--print-to-pdf={pdf}", "--no-pdf-header-footer", page.as_uri(), tmp_path=tmp_path)
    assert pdf.is_file(), "Chromium printed nothing"
    return pdf


def pages(pdf: Path) -> int:
    info = subprocess.run([PDFINFO, str(pdf)], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, flags=re.M).group(1))


def page_text(pdf: Path, first: int, last: int | None = None) -> str:
    args = [PDFTOTEXT, "-layout", "-f", str(first), "-l", str(last or first), str(pdf), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> tuple[Path, Path]:
    """The example report (with its comparison by Type, as ``assess score -o`` writes it)
    and its printout."""
    folder = tmp_path_factory.mktemp("print")
    result = assess.score(EXAMPLE_WORKBOOK)
    result.comparison = assess.compare(result, "Type")
    page = assess.write_report(result, folder / "report.html")
    return page, print_to_pdf(page, folder)


def test_example_report_prints_on_at_most_12_a4_pages(example):
    _, pdf = example
    assert pages(pdf) <= REPORT_PAGES
    info = subprocess.run([PDFINFO, str(pdf)], capture_output=True, text=True).stdout
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
    assert (round(width), round(height)) == (595, 842)  # A4 portrait, in points


def test_the_ranking_header_is_on_every_page_it_spans(example):
    _, pdf = example
    text = page_text(pdf, 1, pages(pdf))
    spanned = [p for p in text.split("\f") if re.search(r"MD-2025-\d{3}\s+\S.*\s\d+\.\d\s", p)]
    ranking = [p for p in spanned if "Organisation" in p or re.search(r"^\s*\d+\s+MD-", p, re.M)]
    assert len(ranking) >= 2
    for page in ranking[:2]:  # the first pages of the ranking, each with the header
        assert re.search(r"Rank\s+ID\s+Engagement\s+Type\s+Organisation\s+Score\s+Band", page)


def test_print_shows_no_screen_controls_and_every_breakdown(example):
    page, pdf = example
    text = page_text(pdf, 1, pages(pdf))
    assert "Click a column header" not in text and "Open an engagement" not in text
    assert "↕" not in text and "▸" not in text
    result = assess.score(EXAMPLE_WORKBOOK)
    for eid in result.scored.index:  # every breakdown printed, open
        assert len(re.findall(re.escape(eid), text)) >= 2, eid
    assert "page 1 of" in text  # page numbers in the margin


def test_every_printed_page_is_used(example):
    _, pdf = example
    text = page_text(pdf, 1, pages(pdf))
    for number, page in enumerate(text.split("\f")[: pages(pdf)], start=1):
        lines = [line for line in page.splitlines() if line.strip()]
        assert len(lines) > 5, f"page {number} is nearly empty"


def test_calibration_page_prints_cleanly(tmp_path):
    cal = assess.calibrate(ROOT / "examples" / "past_cases.xlsx", "Outcome", bootstrap=20)
    page = assess.write_report(cal, tmp_path / "calibration.html")
    pdf = print_to_pdf(page, tmp_path)
    assert pages(pdf) <= CALIBRATION_PAGES
    text = page_text(pdf, 1, pages(pdf))
    assert "Every fold" in text and "Paired tests" in text and "Provenance" in text


def test_the_ranking_fits_a_760_pixel_window(tmp_path):
    result = assess.score(EXAMPLE_WORKBOOK)
    page = to_html(result, generated_at="now")
    # the page's policy only admits its own script: the test copy drops it to measure
    page = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", page)
    page = page.replace(
        "</body>",
        "<script>var s = document.querySelector('#ranking-table').closest('.scroll');"
        "document.title = 'measured ' + s.scrollWidth + ' ' + s.clientWidth;</script></body>",
    )
    target = tmp_path / "narrow.html"
    target.write_text(page, encoding="utf-8")
    dom = chromium("--window-size=760,1400", "--dump-dom", target.as_uri(), tmp_path=tmp_path)
    scroll, width = map(int, re.search(r"<title>measured (\d+) (\d+)</title>", dom.stdout).groups())
    assert scroll <= width, f"the ranking scrolls sideways: {scroll} px in {width} px"
