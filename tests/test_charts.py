"""`assess score --charts DIR`: the report's charts as SVG and PNG files at slide size, and the
round axis ticks every chart uses."""

from __future__ import annotations

import re
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import EXAMPLE_WORKBOOK, row, write_xlsx

import assess
from assess.display import fixed, percent
from assess.report.charts import check_charts_folder, write_charts
from assess.report.figures import nice_range, nice_ticks

CHART_FILES = [
    f"{name}.{fmt}"
    for name in ("bands", "contributions", "criteria", "comparison")
    for fmt in ("svg", "png")
]
MATH = "$\\alpha$ sharing"
XSS = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://x")'


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def svg_text(path: Path) -> str:
    """The text of every <text> element of an SVG, unescaped, joined by newlines."""
    root = ET.fromstring(path.read_bytes())
    return "\n".join("".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text"))


@pytest.fixture(scope="module")
def example_charts(tmp_path_factory):
    """The example scored with an HTML report and its charts, through the command line."""
    folder = tmp_path_factory.mktemp("charts")
    from typer.testing import CliRunner

    from assess.cli import app

    out = CliRunner().invoke(
        app,
        [
            "score",
            str(EXAMPLE_WORKBOOK),
            "-o",
            str(folder / "report.html"),
            "--charts",
            str(folder / "charts"),
        ],
        catch_exceptions=False,
    )
    assert out.exit_code == 1, out.output  # the example has rejected rows
    return folder / "charts", out


def test_every_chart_is_written_as_svg_and_png(example_charts):
    folder, out = example_charts
    assert sorted(p.name for p in folder.iterdir()) == sorted(CHART_FILES)
    assert f"wrote 8 charts in {folder}" in " ".join(out.stdout.split())


def test_png_is_slide_size_and_svg_is_xml(example_charts):
    folder, _ = example_charts
    for name in CHART_FILES:
        path = folder / name
        if name.endswith(".png"):
            assert png_size(path) == (1600, 900)
        else:
            root = ET.fromstring(path.read_bytes())
            assert root.tag == "{http://www.w3.org/2000/svg}svg"
            assert root.get("viewBox") == "0 0 1152 648"  # 16:9


def test_charts_carry_the_reports_numbers(example_charts):
    folder, _ = example_charts
    result = assess.score(EXAMPLE_WORKBOOK)
    bands = svg_text(folder / "bands.svg")
    shares = result.band_shares()
    for name, count in result.band_counts().items():
        assert name in bands and f"{count} · {percent(shares[name])}" in bands
    top = svg_text(folder / "contributions.svg")
    for eid in result.scored.index[:30]:
        assert eid in top
    assert [fixed(s, 1) for s in result.scored["score"].head(30)] == re.findall(
        r"^\d+\.\d$", top, flags=re.M
    )
    assert result.scored.index[30] not in top  # the top 30 only
    compared = assess.compare(result, "Type").groups
    comparison = svg_text(folder / "comparison.svg")
    for name, group in compared.iterrows():
        assert f"{name} ({int(group['n'])})" in comparison
        assert fixed(group["mean"], 1) in comparison
    criteria = svg_text(folder / "criteria.svg")
    assert "Mean rating per criterion by type" in criteria
    for c in result.rubric.criteria:
        assert c.label in criteria


def test_charts_use_the_bands_and_criteria_colours(example_charts):
    folder, _ = example_charts
    rubric = assess.load_rubric("military-diplomacy")
    bands = (folder / "bands.svg").read_text(encoding="utf-8").lower()
    for band in rubric.bands:
        assert band.colour.lower() in bands
    from assess.report.figures import criterion_colours

    contributions = (folder / "contributions.svg").read_text(encoding="utf-8").lower()
    for colour in criterion_colours(len(rubric.criteria)):
        assert colour in contributions


def test_axis_ticks_are_round_numbers(example_charts):
    folder, _ = example_charts
    text = svg_text(folder / "contributions.svg")
    for tick in ("0", "25", "50", "75", "100"):
        assert re.search(rf"^{tick}$", text, flags=re.M)


@pytest.fixture
def hostile(tmp_path) -> Path:
    return write_xlsx(
        tmp_path / "hostile.xlsx",
        [
            row("E-01", 4, 4, 4, 4, 0, name=MATH, kind=MATH),
            row("E-02", 3, 3, 3, 3, 1, name=XSS, kind=XSS),
            row("E-03", 2, 2, 2, 2, 2, name=FORMULA, kind=FORMULA),
        ],
    )


def test_input_text_stays_inert_in_the_charts(hostile, tmp_path, cli):
    out = cli("score", hostile, "--charts", tmp_path / "charts")
    assert out.exit_code == 0, out.output
    for name in ("contributions.svg", "comparison.svg", "criteria.svg"):
        raw = (tmp_path / "charts" / name).read_text(encoding="utf-8")
        text = svg_text(tmp_path / "charts" / name)
        assert MATH in text  # written as typed: no mathtext
        assert XSS in text and XSS not in raw and "&lt;script&gt;" in raw
        assert "'" + FORMULA in text  # defused, as the HTML report shows it
        assert "<script" not in raw and "<a " not in raw
        assert not re.search(r'href="(?!#)', raw)  # only the drawing's own references


def test_the_same_result_writes_the_same_svg_bytes(hostile, tmp_path):
    result = assess.score(hostile)
    first = write_charts(result, tmp_path / "a")
    second = write_charts(result, tmp_path / "b")
    assert [p.name for p in first] == [p.name for p in second]
    for a, b in zip(first, second, strict=True):
        if a.suffix == ".svg":
            assert a.read_bytes() == b.read_bytes(), a.name
    again = write_charts(result, tmp_path / "a")  # over the charts of an earlier run
    assert [p.read_bytes() for p in again if p.suffix == ".svg"] == [
        p.read_bytes() for p in second if p.suffix == ".svg"
    ]
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == sorted(p.name for p in first)


def test_charts_alone_without_a_report(hostile, tmp_path, cli):
    out = cli("score", hostile, "--charts", tmp_path / "charts")
    assert out.exit_code == 0
    assert "E-01" in out.stdout  # the ranked table is still printed
    assert {p.name for p in (tmp_path / "charts").iterdir()} >= {"bands.svg", "bands.png"}


def test_charts_with_a_workbook_report(hostile, tmp_path, cli):
    out = cli("score", hostile, "-o", tmp_path / "r.xlsx", "--charts", tmp_path / "charts")
    assert out.exit_code == 0
    assert (tmp_path / "r.xlsx").is_file() and (tmp_path / "charts" / "criteria.png").is_file()


def test_a_charts_folder_that_is_a_file_is_refused_with_one_line(hostile, tmp_path, cli):
    taken = tmp_path / "charts"
    taken.write_text("not a folder", encoding="utf-8")
    out = cli("score", hostile, "-o", tmp_path / "r.html", "--charts", taken)
    assert out.exit_code == 2
    assert out.stderr.startswith("assess: error:") and len(out.stderr.strip().splitlines()) == 1
    assert "is a file" in out.stderr and "--charts" in out.stderr
    assert taken.read_text(encoding="utf-8") == "not a folder"
    assert not (tmp_path / "r.html").exists()  # refused before any work


def test_charts_never_overwrite_an_input(tmp_path):
    folder = tmp_path / "charts"
    folder.mkdir()
    data = folder / "bands.svg"
    data.write_text("an input", encoding="utf-8")
    with pytest.raises(assess.OutputError, match="over its input bands.svg"):
        check_charts_folder(folder, [data])
    with pytest.raises(assess.OutputError, match="does not exist"):
        check_charts_folder(tmp_path / "missing" / "charts")


def test_the_command_line_loads_no_plotting_library():
    code = "import sys, assess.cli; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("low", "high", "intervals", "integer", "ticks"),
    [
        (0, 100, 4, False, [0, 25, 50, 75, 100]),
        (0, 100, 5, False, [0, 20, 40, 60, 80, 100]),
        (1, 49, 5, True, [10, 20, 30, 40]),
        (1, 5, 5, True, [1, 2, 3, 4, 5]),
        (0, 0.33, 5, False, [0, 0.1, 0.2, 0.3]),
    ],
)
def test_nice_ticks_are_round(low, high, intervals, integer, ticks):
    assert nice_ticks(low, high, intervals, integer) == ticks


def test_nice_range_rounds_an_axis_out_to_round_ends():
    assert nice_range(12, 99) == (0, 100, [0, 20, 40, 60, 80, 100])  # not 12 / 33.8 / 55.5
    lo, hi, ticks = nice_range(41.3, 68.2)
    assert (lo, hi) == (40, 70) and ticks == [40, 50, 60, 70]
