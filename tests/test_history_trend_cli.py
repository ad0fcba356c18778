"""``assess trend`` and ``assess changes`` from the command line, on the shipped quarterly
example (``examples/quarters/``, see its README) recorded into an SQLite store in tmp_path, and
on small hostile files."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from conftest import ROOT, row, write_csv

import assess
from assess.history import open_store
from assess.report.safety import printable
from assess.report.terminal.timeline import BLOCKS, GAP, sparkline

QUARTERS = ROOT / "examples" / "quarters"
#: the built-in rubric as it was in 1.0.0, with which Q1 and Q2 were scored
ORIGINAL = QUARTERS / "military-diplomacy-v1.0.yaml"
REVISED = QUARTERS / "military-diplomacy-v1.1.yaml"
#: period -> the files recorded for it, in order (Q2's correction supersedes the original)
RECORDED = {
    "FY2025-Q1": [("FY2025-Q1.xlsx", ORIGINAL)],
    "FY2025-Q2": [
        ("FY2025-Q2.xlsx", ORIGINAL),
        ("FY2025-Q2-corrected.xlsx", ORIGINAL),
    ],
    "FY2025-Q3": [("FY2025-Q3.xlsx", REVISED)],
    "FY2025-Q4": [("FY2025-Q4.xlsx", REVISED)],
}
SPARK = re.compile(f"[{BLOCKS}{GAP}]+")
#: What a terminal acts on rather than shows (line breaks aside).
CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("history") / "history.sqlite"
    with open_store(path) as opened:
        for period, files in RECORDED.items():
            for name, rubric in files:
                opened.record(assess.score(QUARTERS / name, rubric=rubric), period)
    return path


def ok(out) -> str:
    assert out.exit_code == 0, out.output
    assert out.stderr == ""
    return out.stdout


def error_line(out) -> str:
    """The one error line on stderr (exit code 2), without a traceback."""
    assert out.exit_code == 2, out.output
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("assess: error: "), out.stderr
    assert out.stdout == ""
    return lines[0]


def section(text: str, heading: str) -> str:
    """The lines of one section of ``assess changes``: from its heading to the next one."""
    start = text.index(heading)
    following = re.search(r"\n[A-Z][^\n]*(?: \(\d+(?: of \d+)?\)|: none[^\n]*)\n", text[start:])
    return text[start : start + following.start()] if following else text[start:]


# -- the sparkline -------------------------------------------------------------------------------


def test_the_sparkline_scales_0_to_100_with_a_gap_where_not_scored():
    assert sparkline([0, 12.4, 12.5, 50, 87.4, 87.5, 100]) == "▁▁▂▅▇██"
    assert sparkline([-5, 105]) == "▁█"
    assert sparkline([90, None, float("nan"), 10]) == f"█{GAP}{GAP}▁"
    assert sparkline([]) == ""


# -- assess trend ---------------------------------------------------------------------------------


def test_an_engagement_s_trend_shows_its_four_periods_and_a_sparkline(cli, store):
    text = ok(cli("trend", "DEP-010", "--store", store))
    lines = text.splitlines()
    title = next(line for line in lines if line.startswith("DEP-010"))
    assert "UNIFIL maritime task force contribution" in title
    assert SPARK.search(title.split("contribution")[1]).group().strip() == "▇▇▇█"
    periods = [line.split()[0] for line in lines if line.startswith(" FY2025-Q")]
    assert periods == list(RECORDED)
    assert "Partially effective *" in text and "FY2025-Q1: band capped by friction-cap" in text
    assert " 4 4 3 3 4 " in text and "Ratings: transparency, norms_alignment" in text
    # the rubric was revised before Q3: the trend says its scores are as recorded
    assert lines[1].startswith("note: scores as recorded, under rubric 1.0.0 in FY2025-Q1")
    assert "assess changes" in lines[1]


def test_following_engagements_loads_neither_pandas_nor_the_rubric_reader(store):
    # assess trend ID answers quickly: its rows are read by key and printed without pandas
    code = (
        "import sys\n"
        "from assess.cli import main\n"
        f"sys.argv = ['assess', 'trend', 'DEP-010', 'DEP-027', '--store', {str(store)!r}]\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    code = exc.code\n"
        "heavy = sorted(m for m in ('pandas', 'numpy', 'yaml', 'alembic') if m in sys.modules)\n"
        "print('loaded:', heavy, 'exit:', code)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "DEP-010" in out.stdout and "DEP-027" in out.stdout
    assert out.stdout.splitlines()[-1] == "loaded: [] exit: 0"


def test_a_trend_shows_a_gap_where_the_engagement_was_not_scored(cli, store):
    text = ok(cli("trend", "DEP-046", "DEP-050", "--store", store))
    assert "Regional maritime security centre support  ██ █" in text
    assert "FY2025-Q3: row rejected: FY2025 Q3!L46: 30 is outside the scale 0-4" in text
    new = next(line for line in text.splitlines() if line.startswith("DEP-050"))
    assert new.endswith(f"{GAP}{GAP}▇▇")
    assert text.count("not recorded") == 2


def test_periods_narrow_the_trend(cli, store):
    periods = ("--period", "FY2025-Q4", "--period", "FY2025-Q3")
    text = ok(cli("trend", "DEP-010", *periods, "--store", store))
    assert [line.split()[0] for line in text.splitlines() if line.startswith(" FY")] == [
        "FY2025-Q3",
        "FY2025-Q4",
    ]
    assert "note:" not in text  # one rubric across these two


def test_the_trend_as_json(cli, store):
    data = json.loads(ok(cli("trend", "DEP-010", "DEP-046", "--store", store, "-f", "json")))
    assert list(data) == ["store", "by", "periods", "engagements"]
    assert data["store"] == str(store) and data["by"] is None
    assert data["periods"] == list(RECORDED)
    first, second = data["engagements"]
    assert list(first) == ["id", "name", "periods"]
    assert first["id"] == "DEP-010" and second["id"] == "DEP-046"
    assert list(first["periods"][0]) == [
        "period",
        "status",
        "score",
        "band",
        "rank",
        "gates",
        "rubric_version",
        "reason",
        "ratings",
    ]
    assert [p["gates"] for p in first["periods"]] == ["friction-cap", "friction-cap", "", ""]
    assert first["periods"][3]["ratings"]["political_friction.rating"] == 1
    rejected = second["periods"][2]
    assert (rejected["status"], rejected["score"], rejected["band"]) == ("rejected", None, None)


def test_a_trend_by_type(cli, store):
    text = ok(cli("trend", "--by", "Type", "--store", store))
    assert text.startswith(f"{store}: 7 group(s) by Type over 4 periods, FY2025-Q1 to FY2025-Q4")
    post = next(line for line in text.splitlines() if "Post-conflict reconstruction" in line)
    means = [float(x) for x in re.findall(r"\d+\.\d", text[text.index(post) :])[:4]]
    assert means == sorted(means, reverse=True)  # falls every quarter
    assert SPARK.search(post.split("reconstruction")[1]).group().strip()
    assert "Band mix: the scored engagements in Highly effective, Effective" in text
    data = json.loads(ok(cli("trend", "--by", "type", "--store", store, "-f", "json")))
    assert list(data) == ["store", "by", "periods", "bands", "groups", "rubric_versions"]
    assert data["by"] == "Type" and data["rubric_versions"]["FY2025-Q3"] == "1.1.0"
    assert list(data["groups"][0]["periods"][0]) == [
        "period",
        "n",
        "insufficient",
        "mean_score",
        "band_mix",
    ]


def test_a_trend_of_every_engagement_is_one_line_each(cli, store):
    text = ok(cli("trend", "--store", store))
    assert text.startswith(f"{store}: 54 engagement(s) over 4 periods")
    rows = [line for line in text.splitlines() if line.startswith(" DEP-")]
    assert len(rows) == 54
    declining = next(line for line in rows if line.startswith(" DEP-004 "))
    assert "Partially effective" in declining and "-30.1" in declining


# -- assess changes -------------------------------------------------------------------------------


def test_changes_like_for_like_say_so_first_and_name_the_band_moves(cli, store):
    text = ok(cli("changes", "--from", "FY2025-Q2", "--to", "FY2025-Q3", "--store", store))
    first = text.splitlines()[0]
    assert first.startswith("note: like for like: FY2025-Q2 was scored with")
    assert "re-scored under military-diplomacy 1.1.0" in first
    up = section(text, "Moved up a band")
    assert "(2)" in up and "DEP-010" in up and "DEP-027" in up
    down = section(text, "Moved down a band")
    assert "(1)" in down and "DEP-002" in down and "DEP-023" not in text
    largest = section(text, "Largest score changes")
    assert "(10 of 15)" in largest and "political_friction +11.4" in largest
    assert "DEP-050" in section(text, "New: only in FY2025-Q3")
    assert "DEP-003" in section(text, "Ended")
    not_scored = " ".join(section(text, "Not scored in one of the periods").split())
    assert "DEP-046" in not_scored and "30 is outside the scale" in not_scored
    assert "Gates applied: none" in text
    assert "DEP-010" in section(text, "Gates lifted") and "friction-cap" in text
    assert text.rstrip().splitlines()[-1].startswith("FY2025-Q2 -> FY2025-Q3: 41 compared")


def test_changes_as_recorded_show_dep_023_s_drop(cli, store):
    args = ("changes", "--from", "FY2025-Q2", "--to", "FY2025-Q3", "--store", store)
    text = ok(cli(*args, "--as-recorded"))
    assert text.startswith("note: scores as recorded: FY2025-Q2 under military-diplomacy 1.0.0")
    down = section(text, "Moved down a band")
    assert "DEP-023" in down and "57.5 → 54.5" in down
    data = json.loads(ok(cli(*args, "--as-recorded", "-f", "json")))
    assert "DEP-023" in [m["id"] for m in data["moved"] if m["direction"] == "down"]


def test_changes_default_to_the_last_two_periods_and_top(cli, store):
    text = ok(cli("changes", "--top", "3", "--store", store))
    assert text.startswith("note: both periods were scored with military-diplomacy 1.1.0")
    assert "what changed from FY2025-Q3 to FY2025-Q4" in text
    assert "Largest score changes (3 of 9)" in text
    assert "Largest score changes: none of 9 listed" in ok(
        cli("changes", "--top", "0", "--store", store)
    )


def test_changes_lists_are_capped_by_limit_and_say_how_many(cli, store):
    args = ("changes", "--from", "FY2025-Q2", "--to", "FY2025-Q3", "--store", store)
    text = ok(cli(*args, "--limit", "1"))
    up = section(text, "Moved up a band")
    assert "(1 of 2)" in up and ("DEP-010" in up) != ("DEP-027" in up)
    assert "(1)" in section(text, "Moved down a band")  # one there: nothing left out
    assert "Moved up a band: none of 2 listed" in ok(cli(*args, "--limit", "0"))
    data = json.loads(ok(cli(*args, "--limit", "1", "-f", "json")))  # the JSON has every row
    assert len([m for m in data["moved"] if m["direction"] == "up"]) == 2


def test_changes_as_json(cli, store):
    args = ("changes", "--from", "FY2025-Q2", "--to", "FY2025-Q3", "--store", store, "-f", "json")
    data = json.loads(ok(cli(*args)))
    assert list(data) == [
        "store",
        "from_period",
        "to_period",
        "rubrics",
        "as_recorded",
        "rescored_under",
        "note",
        "unrated",
        "counts",
        "new",
        "ended",
        "not_scored",
        "moved",
        "largest",
        "gates",
    ]
    assert data["store"] == str(store) and data["note"].startswith("like for like")
    up = [m["id"] for m in data["moved"] if m["direction"] == "up"]
    assert up == ["DEP-010", "DEP-027"]
    assert data["largest"][0]["contributions"]
    assert data["counts"]["compared"] == 41


# -- one line when it cannot be done --------------------------------------------------------------


def test_an_unknown_id_or_period_is_one_line(cli, store):
    line = error_line(cli("trend", "DEP-010", "DEP-999", "--store", store))
    assert "no engagement DEP-999" in line and "DEP-010" not in line
    line = error_line(cli("trend", "DEP-010", "--period", "FY2026-Q1", "--store", store))
    assert "no run recorded for period 'FY2026-Q1'" in line
    line = error_line(cli("changes", "--from", "FY2024-Q4", "--store", store))
    assert "no run recorded for period 'FY2024-Q4'" in line
    line = error_line(cli("changes", "--to", "FY2025-Q1", "--store", store))
    assert "no period before FY2025-Q1" in line
    line = error_line(cli("trend", "--by", "Colour", "--store", store))
    assert "'Colour'" in line and "Type" in line


@pytest.mark.parametrize("command", [["trend"], ["trend", "E1"], ["changes"]])
def test_a_missing_store_is_one_line_and_stays_missing(cli, tmp_path, command):
    missing = tmp_path / "nowhere" / "history.sqlite"
    line = error_line(cli(*command, "--store", missing))
    assert "does not exist" in line and str(missing) in line
    assert not missing.parent.exists()


# -- input text stays inert -----------------------------------------------------------------------

HOSTILE_NAME = "[bold]x[/bold]\x1b[31m red"
HOSTILE_TYPE = '=HYPERLINK("http://x","y")\u202e'


def test_carried_text_prints_inert(cli, tmp_path):
    store = tmp_path / "history.sqlite"
    rows = [row("E1", 4, 4, 3, 3, 0, name=HOSTILE_NAME, kind=HOSTILE_TYPE), row("E2")]
    q1 = write_csv(tmp_path / "q1.csv", rows)
    q2 = write_csv(tmp_path / "q2.csv", [row("E1", 1, 1, 1, 1, 4, name=HOSTILE_NAME), row("E2")])
    for period, path in (("P1", q1), ("P2", q2)):
        assert cli("score", path, "--period", period, "--store", store).exit_code == 0
    outputs = {}
    for args in (["trend", "E1"], ["trend"], ["trend", "--by", "Type"], ["changes"]):
        text = ok(cli(*args, "--store", store))
        assert not CONTROL.search(text), (args, text)
        outputs[" ".join(args)] = text
        raw = ok(cli(*args, "--store", store, "-f", "json"))
        assert not CONTROL.search(raw) and json.loads(raw)
    assert printable(HOSTILE_NAME) in outputs["trend E1"]  # brackets as written, ESC as \x1b
    assert "[bold]x[/bold]" in outputs["trend"]
    assert printable(HOSTILE_TYPE) in outputs["trend --by Type"]
    assert "[bold]x[/bold]" in outputs["changes"]
    data = json.loads(ok(cli("trend", "E1", "--store", store, "-f", "json")))
    assert data["engagements"][0]["name"] == HOSTILE_NAME  # JSON holds the value as it is
    raw = ok(cli("trend", "--by", "Type", "--store", store, "-f", "json"))
    assert "\u202e" not in raw and "\\u202e" in raw
