"""Which files are inputs: folders and glob patterns are searched by one walker (no symlink
loops, each real file once), for ``assess batch`` and the Dask engine alike, and a file that
assess wrote is skipped (told by what it records, not by its name)."""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest
from conftest import EXAMPLE_WORKBOOK, ROOT, row, write_csv, write_xlsx
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import assess
from assess.engines.batch import expand_inputs, run_batch
from assess.inputs import file_key, find_files
from assess.report import write_report
from assess.report.tabular import to_csv
from assess.template import write_template

pytestmark = pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")

#: A search that loops runs for minutes; a correct one takes a second or two.
TIMEOUT = 60


def good(path: Path, prefix: str = "E") -> Path:
    return write_xlsx(path, [row(f"{prefix}{i}", 3, 3, 2, 3, 1) for i in range(2)])


def tree_with_loops(root: Path, make=good, suffix: str = ".xlsx") -> Path:
    """in/a, in/sub/b, in/sub/deeper/c, three links back up the tree (loops) and a second
    way into in/sub (not a loop)."""
    src = root / "in"
    (src / "sub" / "deeper").mkdir(parents=True)
    make(src / f"a{suffix}", "A")
    make(src / "sub" / f"b{suffix}", "B")
    make(src / "sub" / "deeper" / f"c{suffix}", "C")
    os.symlink(".", src / "loop")
    os.symlink("..", src / "sub" / "up")
    os.symlink("../..", src / "sub" / "deeper" / "top")
    os.symlink(src / "sub", src / "sub-again")
    return src


def run_assess(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """``python -m assess ...`` in its own process, so that a search that never ends fails the
    test at the time-out instead of hanging it."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "assess", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )


ALL = ["in/a.xlsx", "in/sub/b.xlsx", "in/sub/deeper/c.xlsx"]


@pytest.mark.parametrize(
    "argument, expected",
    [
        ("in/**/*.xlsx", ALL),
        ("in/**", ALL),
        ("in", ALL),
        ("in/*/*.xlsx", ["in/sub/b.xlsx"]),  # in/loop is in itself: not entered
        ("in/s*/**/c.xlsx", ["in/sub/deeper/c.xlsx"]),
    ],
)
def test_globs_and_folders_end_despite_symlink_loops_and_take_each_file_once(
    tmp_path, argument, expected
):
    tree_with_loops(tmp_path)
    done = run_assess("batch", argument, "-o", "out", "--jobs", "1", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    inputs = [f["input"] for f in json.loads(done.stdout)["files"]]
    assert sorted(Path(i).as_posix() for i in inputs) == expected


def test_links_and_hard_links_to_one_file_give_one_input(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    good(src / "a.xlsx")
    os.symlink("a.xlsx", src / "link1.xlsx")
    os.symlink(src / "a.xlsx", src / "link2.xlsx")
    os.link(src / "a.xlsx", src / "hard.xlsx")
    for arguments in (
        [src],
        [str(src / "*.xlsx")],
        [str(src / "**" / "*.xlsx"), src, src / "link1.xlsx", src / "hard.xlsx"],
    ):
        result = run_batch(arguments, tmp_path / "out", jobs=1)
        # the file's own path is kept, not a link's
        assert [Path(f.input).name for f in result.files] == ["a.xlsx"], arguments


def test_the_dask_engine_finds_the_same_files_as_batch(tmp_path):
    """One search for both: the dataset's files are those batch would score, in natural order."""

    def part(path: Path, prefix: str) -> Path:
        return write_csv(path, [row(f"{prefix}1")])

    tree_with_loops(tmp_path, make=part, suffix=".csv")
    code = (
        "import json, sys\n"
        "from assess.engines.batch import expand_inputs\n"
        "from assess.engines.dask import expand\n"
        "p = sys.argv[1]\n"
        "print(json.dumps([[str(f) for f in expand(p)], [str(f) for f in expand_inputs([p])[0]]]))"
    )
    for pattern in ("in/**/*.csv", "in"):
        done = subprocess.run(
            [sys.executable, "-c", code, pattern],
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
        assert done.returncode == 0, done.stderr
        dask_files, batch_files = json.loads(done.stdout)
        expected = ["in/a.csv", "in/sub/b.csv", "in/sub/deeper/c.csv"]
        assert [Path(f).as_posix() for f in dask_files] == expected
        assert [Path(f).as_posix() for f in batch_files] == expected


def test_temporary_write_folders_are_never_searched(tmp_path):
    """What a killed writer leaves (``.assess-tmp-*`` beside its output) is never an input."""
    src = tmp_path / "in"
    (src / ".assess-tmp-k1ll3d").mkdir(parents=True)
    good(src / "a.xlsx")
    good(src / ".assess-tmp-k1ll3d" / "a.xlsx", "T")
    for argument in (src, src / "**" / "*.xlsx", src / "**"):
        files, outcomes = expand_inputs([argument])
        assert files == [src / "a.xlsx"] and outcomes == [], argument
    files, outcomes = expand_inputs([src / ".*" / "*.xlsx"])
    assert files == [] and [o.status for o in outcomes] == ["failed"]


# -- the search, on trees of every shape ------------------------------------------------------

_NAMES = ["a", "b", ".h"]
_FILES = ["x.xlsx", "y.csv", ".z.xlsx"]
_tree = st.lists(
    st.tuples(st.lists(st.sampled_from(_NAMES), max_size=3), st.sampled_from(_FILES)),
    min_size=1,
    max_size=8,
)


def _make(root: Path, tree) -> list[Path]:
    files = []
    for folders, name in tree:
        folder = root.joinpath(*folders)
        folder.mkdir(parents=True, exist_ok=True)
        if not folder.joinpath(name).is_dir():
            folder.joinpath(name).write_text("x")
            files.append(folder / name)
    return files


@settings(max_examples=80, deadline=None)
@given(
    tree=_tree,
    pattern=st.lists(
        st.sampled_from(["*", "**", "a", "b", ".h", ".*", "?", "*.xlsx", "x.xlsx", "[ab]"]),
        min_size=1,
        max_size=4,
    ),
)
def test_patterns_match_as_python_glob_does_on_trees_without_links(tree, pattern):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        _make(root, tree)
        text = str(root.joinpath(*pattern))
        assume(not Path(text).is_dir())  # a folder stands for the files beneath it
        # glob returns "x.xlsx/" for the pattern "x.xlsx/**": a file as a folder, not matched
        expected = {
            Path(p)
            for p in glob.glob(text, recursive=True)
            if Path(p).is_file() and not p.endswith(os.sep)
        }
        found = find_files(text)
        assert len(found) == len(set(found))
        assert set(found) == expected


@settings(max_examples=60, deadline=None)
@given(
    tree=st.lists(
        st.tuples(st.lists(st.sampled_from(["a", "b"]), max_size=3), st.sampled_from(["x", "y"])),
        min_size=1,
        max_size=8,
    ),
    links=st.lists(
        st.tuples(st.integers(0, 50), st.integers(0, 50), st.sampled_from(["l", "m"])),
        max_size=6,
    ),
)
def test_any_links_between_folders_end_the_search_with_each_real_file_once(tree, links):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp).resolve() / "in"
        root.mkdir()
        files = _make(root, [(folders, f"{name}.xlsx") for folders, name in tree])
        folders = sorted({root, *(p for f in files for p in f.parents if root in (p, *p.parents))})
        for at, to, name in links:  # a link in one folder to any folder: itself, up, down, across
            where, target = folders[at % len(folders)], folders[to % len(folders)]
            if not where.joinpath(name).exists():
                os.symlink(target, where / name)
        real = {file_key(f) for f in files}
        for argument in (root, root / "**" / "*.xlsx", root / "**"):
            found = find_files(argument)
            keys = [file_key(p) for p in found]
            assert len(keys) == len(set(keys)), argument  # each real file once
            assert set(keys) == real, argument  # and every one of them
            assert all(os.path.realpath(p) == os.path.abspath(p) for p in found)


# -- what assess wrote ----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_second_batch_into_the_input_folder_skips_the_first_ones_outputs(tmp_path, cli, fmt):
    src = tmp_path / "in"
    src.mkdir()
    good(src / "a.xlsx", "A")
    good(src / "b.xlsx", "B")
    first = cli("batch", src, "-o", src / "r1", "--format", fmt, "--jobs", "1")
    assert first.exit_code == 0, first.output
    second = cli("batch", src, "-o", src / "r2", "--format", fmt, "--jobs", "1")
    assert second.exit_code == 0, second.output
    listed = [line for line in second.output.splitlines() if line.startswith("  skipped ")]
    assert len(listed) == 3 and all("written by assess" in line for line in listed)
    data = json.loads((src / "r2" / "portfolio.json").read_text(encoding="utf-8"))
    statuses = {Path(f["input"]).relative_to(src).as_posix(): f["status"] for f in data["files"]}
    assert statuses == {
        "a.xlsx": "scored",
        "b.xlsx": "scored",
        f"r1/a-report.{fmt}": "skipped",
        f"r1/b-report.{fmt}": "skipped",
        "r1/portfolio.xlsx": "skipped",
    }
    assert data["totals"]["skipped"] == 3 and data["totals"]["failed"] == 0
    assert sorted(p.name for p in (src / "r2").iterdir()) == sorted(
        [f"a-report.{fmt}", f"b-report.{fmt}", "portfolio.json", "portfolio.xlsx"]
    )
    # the portfolio's own list of files says why
    skipped = [f for f in data["files"] if f["status"] == "skipped"]
    assert all("written by assess" in f["notes"][0] for f in skipped)


def test_outputs_are_known_by_what_they_record_not_by_their_names(tmp_path):
    result = assess.score(good(tmp_path / "a.xlsx"))
    folder = tmp_path / "shared"
    folder.mkdir()
    write_report(result, folder / "q3 scores.xlsx")
    write_report(result, folder / "q3 scores.csv")
    (folder / "printed.csv").write_text(to_csv(result), encoding="utf-8")  # --format csv > file
    batch = run_batch([tmp_path / "a.xlsx"], tmp_path / "r", jobs=1)
    shutil.copy(batch.portfolio, folder / "summary.xlsx")
    # inputs: the template (to be filled in), and a workbook that is only named like a report
    write_template("military-diplomacy", folder / "template.xlsx")
    good(folder / "x-report.xlsx", "X")
    shutil.copy(EXAMPLE_WORKBOOK, folder / "portfolio.xlsx")

    outcome = run_batch([folder], tmp_path / "out", jobs=1)
    statuses = {Path(f.input).name: f.status for f in outcome.files}
    assert {n for n, s in statuses.items() if s == "skipped"} == {
        "q3 scores.xlsx",
        "q3 scores.csv",
        "printed.csv",
        "summary.xlsx",
    }
    assert statuses["x-report.xlsx"] == "scored" and statuses["portfolio.xlsx"] == "scored"
    assert "template.xlsx" in statuses and statuses["template.xlsx"] != "skipped"
    # named on the command line, an output is still not an input
    direct = run_batch([folder / "q3 scores.xlsx", tmp_path / "a.xlsx"], tmp_path / "o2", jobs=1)
    assert [f.status for f in direct.files] == ["scored", "skipped"]


def _without_record(source: Path, target: Path, drop: set[str]) -> Path:
    """A copy of a workbook without some of its parts, as an earlier version wrote it."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        for item in zin.infolist():
            if item.filename not in drop:
                zout.writestr(item, zin.read(item.filename))
    return target


def test_outputs_of_earlier_versions_are_known_by_their_properties(tmp_path):
    """Reports written before the ``assess output`` property: a report's document properties,
    a portfolio's sheets with its provenance rows."""
    result = assess.score(good(tmp_path / "a.xlsx"))
    report = write_report(result, tmp_path / "report.xlsx")
    portfolio = run_batch([tmp_path / "a.xlsx"], tmp_path / "r", jobs=1).portfolio
    folder = tmp_path / "old"
    folder.mkdir()
    _without_record(report, folder / "old-report.xlsx", {"docProps/custom.xml"})
    _without_record(
        portfolio, folder / "old-portfolio.xlsx", {"docProps/custom.xml", "docProps/core.xml"}
    )
    good(folder / "input.xlsx")
    outcome = run_batch([folder], tmp_path / "out", jobs=1)
    statuses = {Path(f.input).name: f.status for f in outcome.files}
    assert statuses == {
        "input.xlsx": "scored",
        "old-portfolio.xlsx": "skipped",
        "old-report.xlsx": "skipped",
    }


def test_a_folder_of_nothing_but_outputs_is_one_error(tmp_path, cli):
    src = tmp_path / "in"
    src.mkdir()
    good(src / "a.xlsx")
    assert cli("batch", src / "a.xlsx", "-o", tmp_path / "r1").exit_code == 0
    again = cli("batch", tmp_path / "r1", "-o", tmp_path / "r2")
    assert again.exit_code == 2
    assert "no input files found" in again.output and "2 skipped: written by assess" in again.output
