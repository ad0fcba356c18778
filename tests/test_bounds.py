"""Bounded work whatever the input: decompression bombs, far-flung cells, pipes and devices,
huge CSV fields, UTF-16 without a byte-order mark, unreadable files and rewritten files.

Every refusal is one ``assess: error:`` line and exit code 2.  The bombs are built here, small
on disk, and checked against a small ``--max-input-size`` so that the tests stay light; the
full-size ones (``python tests/bombs.py DIR``) are measured in the README.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from bombs import (
    FAR_CELL,
    cells_bomb,
    letters,
    lying_bomb,
    ods_repeat_bomb,
    sheet_xml,
    table_rows,
    whitespace_bomb,
    write_workbook,
)
from conftest import EXAMPLE_WORKBOOK, HEADER, ROOT, row, write_csv
from corpus import formula_errors
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import assess
from assess.cli import app

MB = 1 << 20


def _one_line_error(result) -> str:
    """The CLI's whole stderr, which must be one ``assess: error:`` line (exit code 2)."""
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("assess: error: ")
    assert "Traceback" not in result.output
    return lines[0]


def _score(runner, path: Path, *args: str):
    return runner.invoke(app, ["score", str(path), *args])


# -- decompression bombs ----------------------------------------------------------------------


@pytest.mark.parametrize("make", [cells_bomb, whitespace_bomb], ids=["cells", "whitespace"])
def test_a_workbook_expanding_past_the_limit_is_refused_by_its_declared_size(
    tmp_path, runner, make
):
    bomb = make(tmp_path / "q3.xlsx", size=3 * MB)
    assert bomb.stat().st_size < 200_000  # small on disk
    line = _one_line_error(_score(runner, bomb, "--max-input-size", "2MB"))
    assert "q3.xlsx: sheet 'Data' expands to 3 MB (limit 2 MB; --max-input-size to raise)" in line


def test_raising_the_limit_reads_the_same_workbook(tmp_path, runner):
    bomb = whitespace_bomb(tmp_path / "q3.xlsx", size=3 * MB)
    result = _score(runner, bomb, "--max-input-size", "4MB")
    assert result.exit_code == 0, result.output
    assert "3 scored, 0 insufficient evidence, 0 rejected of 3 rows" in result.output


@pytest.mark.parametrize("forge_crc", [False, True], ids=["crc-of-all", "crc-of-declared"])
def test_a_zip_header_that_understates_the_size_is_refused(tmp_path, runner, forge_crc):
    # the sheet says it inflates to 10 kB and holds 3 MB: the pre-scan stops at 10 kB, and
    # neither reader takes in more than the header says
    bomb = lying_bomb(tmp_path / "lies.xlsx", size=3 * MB, declared=10_000, forge_crc=forge_crc)
    line = _one_line_error(_score(runner, bomb, "--max-input-size", "2MB"))
    assert "lies.xlsx: the workbook is damaged" in line


def test_a_part_that_expands_beyond_the_ratio_is_refused_under_the_limit(tmp_path, runner):
    bomb = whitespace_bomb(tmp_path / "fluffy.xlsx", size=12 * MB)
    line = _one_line_error(_score(runner, bomb))  # 12 MB is well under the default 512 MB
    assert "fluffy.xlsx: sheet 'Data' expands" in line
    assert "at most 100-fold, so this looks like a decompression bomb" in line


def test_a_workbook_of_too_many_parts_is_refused(tmp_path, monkeypatch):
    import assess.limits.archive

    monkeypatch.setattr(assess.limits.archive, "MAX_PARTS", 20)
    path = write_workbook(tmp_path / "parts.xlsx", sheet_xml([table_rows()]))
    with zipfile.ZipFile(path, "a") as z:
        for i in range(30):
            z.writestr(f"docProps/extra{i}.xml", "<x/>")
    with pytest.raises(assess.InputError, match="more than 20 parts"):
        assess.score(path)


def test_the_limit_is_on_the_parts_together(tmp_path):
    # two sheets, each under a 2 MB limit, both over it
    path = tmp_path / "two.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    for name in ("One", "Two"):
        ws = wb.add_worksheet(name)
        ws.write_row(0, 0, HEADER)
        for i in range(1, 6_000):
            ws.write_row(i, 0, row(f"{name}{i}"))
    wb.close()
    with zipfile.ZipFile(path) as z:
        sizes = [i.file_size for i in z.infolist()]
    assert max(sizes) < 2 * MB < sum(sizes)
    with pytest.raises(assess.InputError, match=r"two.xlsx: the workbook expands to .* \(limit 2"):
        assess.score(path, max_input_size="2MB")
    assert assess.score(path, max_input_size="4MB").counts["rows"] == 5_999


# -- sheets that span more cells than the limit allows ------------------------------------------


def test_a_far_cell_is_refused_before_the_parser_sets_aside_memory_for_it(tmp_path, runner):
    # 1.5 kB on disk; the parser would allocate 17 billion cells (and abort the process)
    path = write_workbook(tmp_path / "far.xlsx", sheet_xml([table_rows(), FAR_CELL]))
    line = _one_line_error(_score(runner, path))
    assert (
        "far.xlsx: sheet 'Data' spans A1:XFD1048576, 17,179,869,184 cells "
        "(limit 33,554,432 cells at --max-input-size 512 MB; --max-input-size to raise)"
    ) in line


def test_repeated_rows_and_columns_of_an_ods_count_as_the_cells_they_describe(tmp_path, runner):
    path = ods_repeat_bomb(tmp_path / "repeats.ods", rows=1_000_000, cols=99)
    assert path.stat().st_size < 2_000
    line = _one_line_error(_score(runner, path))
    assert "repeats.ods: sheet 'Data' spans A1:CU1000001, 99,000,099 cells" in line


def test_a_ragged_csv_is_refused_before_it_is_padded_into_a_rectangle(tmp_path, runner):
    # one record of 200,000 fields and 100,000 records of one: 20 billion cells once padded
    path = tmp_path / "ragged.csv"
    path.write_text(
        "Tracker\n"
        + ",".join(HEADER)
        + "\n"
        + "E0"
        + "," * 200_000
        + "\n"
        + "".join(f"E{i}\n" for i in range(1, 100_000))
    )
    line = _one_line_error(_score(runner, path))
    assert "ragged.csv: " in line and "records of up to 200,001 fields" in line


def _far_cell_xml(form: str, r: int, c: int) -> bytes:
    ref = f"{letters(c)}{r}"
    value = "<c><v>1</v></c>"
    cell = {
        "plain": f'<row r="{r}"><c r="{ref}"><v>1</v></c></row>',
        "r-not-first": f'<row r="{r}"><c t="n" r="{ref}"><v>1</v></c></row>',
        "prefixed": f'<row r="{r}"><x:c r="{ref}"><x:v>1</x:v></x:c></row>',
        # no reference on the cells: the row's number, then one column after another
        "counted": f'<row r="{r}">' + "<c/>" * (c - 1) + value + "</row>",
        # what the XML parser does not read as tags, and a '>' inside an attribute value
        "commented": f'<row r="{r}"><!-- <row r="1"> -->' + "<c/>" * (c - 1) + value + "</row>",
        "quoted": f'<row r="{r}"><c a="> r=&quot;A1&quot;" r="{ref}"><v>1</v></c></row>',
    }[form]
    return cell.encode()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    form=st.sampled_from(["plain", "r-not-first", "prefixed", "counted", "commented", "quoted"]),
    r=st.one_of(st.integers(5, 70_000), st.integers(5, 1_048_576)),
    c=st.integers(1, 40),
)
def test_a_sheet_is_refused_exactly_when_its_rectangle_passes_the_cell_limit(form, r, c):
    # --max-input-size 1MB allows 65,536 cells: the table (8 columns) and one more cell at
    # row r, column c span max(r, 4) x max(c, 8) cells from A1
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = write_workbook(
            Path(folder) / "far.xlsx", sheet_xml([table_rows(), _far_cell_xml(form, r, c)])
        )
        cells = max(r, 4) * max(c, 8)
        try:
            result = assess.score(path, max_input_size="1MB")
        except assess.InputError as exc:
            assert cells > 65_536, str(exc)
            assert f"{cells:,} cells (limit 65,536 cells at --max-input-size 1 MB" in str(exc)
        else:
            assert cells <= 65_536
            counts = result.counts
            assert counts["scored"] + counts["insufficient"] + counts["rejected"] == counts["rows"]
            if r > 4:  # the cell was read where it was counted: its row is there
                rows = {rej.row for rej in result.rejected} | set(result.engagements["row"])
                assert r in rows


def test_a_workbook_under_the_limit_is_read_as_before_with_its_formula_errors(tmp_path, runner):
    path = tmp_path / "errors.xlsx"
    formula_errors(path)
    result = _score(runner, path, "--max-input-size", "64KB")
    assert result.exit_code == 1, result.output
    assert "Engagements!H3: '#DIV/0!' is not a rating 0-4" in " ".join(result.output.split())


def test_formula_errors_are_found_across_the_chunks_the_sheet_is_read_in(tmp_path):
    # a sheet of several megabytes, read a megabyte at a time: an error cell every 7th row,
    # wherever the chunks happen to cut
    path = tmp_path / "many-errors.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("Engagements")
    ws.write_row(0, 0, HEADER)
    n = 20_000
    for i in range(1, n + 1):
        ws.write_row(i, 0, row(f"E{i}", name=f"Engagement number {i} " * 4)[:7])
        if i % 7:
            ws.write_number(i, 7, 1)
        else:
            ws.write_formula(i, 7, "=1/0", None, "#DIV/0!")
    wb.close()
    result = assess.score(path)
    errors = [r for r in result.rejected if "'#DIV/0!'" in str(r)]
    assert len(errors) == n // 7
    assert {r.row for r in errors} == {i + 1 for i in range(7, n + 1, 7)}


# -- files that are not regular files ----------------------------------------------------------


def _run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """``python -m assess ARGS`` in a child process that is killed if it hangs."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "assess", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=ROOT,
    )


def _special(tmp_path: Path, kind: str, name: str) -> Path:
    path = tmp_path / name
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to("/dev/zero")
    return path


COMMANDS = {
    "score": ["score", "{}"],
    "agreement": ["agreement", "{}"],
    "explain": ["explain", "{}", "E1"],
    "sensitivity": ["sensitivity", "{}", "--draws", "10", "--no-sobol"],
    "calibrate": ["calibrate", "{}", "--outcome", "Outcome"],
}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need a POSIX system")
@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_named_pipe_is_refused_at_once_by_every_command(tmp_path, command):
    pipe = _special(tmp_path, "fifo", "pipe.csv")
    args = [a.replace("{}", str(pipe)) for a in COMMANDS[command]]
    done = _run(*args)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == (
        "assess: error: pipe.csv: not a regular file but a named pipe; give a spreadsheet file"
    )


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
@pytest.mark.parametrize("name", ["zero.csv", "zero.xlsx"])
def test_a_symlink_to_a_device_is_refused_without_reading_it(tmp_path, name):
    link = _special(tmp_path, "zero", name)
    done = _run("score", str(link))
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == (
        f"assess: error: {name}: not a regular file but a character device (through a "
        "symbolic link); give a spreadsheet file"
    )


def test_a_symlink_to_a_regular_file_is_read(tmp_path):
    link = tmp_path / "link.xlsx"
    link.symlink_to(EXAMPLE_WORKBOOK)
    assert assess.score(link).counts == assess.score(EXAMPLE_WORKBOOK).counts


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need a POSIX system")
def test_batch_lists_a_named_pipe_as_failed_and_goes_on(tmp_path):
    pipe = _special(tmp_path, "fifo", "pipe.xlsx")
    good = tmp_path / "good.xlsx"
    shutil.copy(EXAMPLE_WORKBOOK, good)
    done = _run("batch", str(pipe), str(good), "-o", str(tmp_path / "out"), "-j", "1")
    assert done.returncode == 2, done.stderr
    assert "failed pipe.xlsx: not a regular file but a named pipe" in done.stdout
    assert (tmp_path / "out" / "good-report.xlsx").is_file()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need a POSIX system")
def test_batch_skip_unchanged_does_not_wait_on_a_named_pipe(tmp_path):
    pipe = _special(tmp_path, "fifo", "pipe.csv")
    done = _run("batch", str(pipe), "-o", str(tmp_path / "out"), "--skip-unchanged", "-j", "1")
    assert done.returncode == 2, done.stderr
    assert "not a regular file but a named pipe" in done.stdout


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need a POSIX system")
def test_batch_skip_unchanged_does_not_wait_on_a_named_pipe_for_its_last_run(tmp_path):
    src = tmp_path / "in.xlsx"
    shutil.copy(EXAMPLE_WORKBOOK, src)
    (tmp_path / "out").mkdir()
    os.mkfifo(tmp_path / "out" / "portfolio.json")  # where the previous run's record would be
    done = _run("batch", str(src), "-o", str(tmp_path / "out"), "--skip-unchanged", "-j", "1")
    assert done.returncode == 1, done.stderr  # scored afresh: some rows are rejected
    assert (tmp_path / "out" / "portfolio.json").is_file()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need a POSIX system")
def test_a_dask_dataset_with_a_named_pipe_is_refused_before_any_work(tmp_path):
    pytest.importorskip("dask.dataframe")
    write_csv(tmp_path / "part.0.csv", [row("E1")])
    os.mkfifo(tmp_path / "part.1.csv")
    done = _run(
        "score",
        str(tmp_path / "*.csv"),
        "--engine",
        "dask",
        "-o",
        str(tmp_path / "scores.parquet"),
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == (
        "assess: error: part.1.csv: not a regular file but a named pipe; give a spreadsheet file"
    )


# -- a limit on what is read from any input ----------------------------------------------------


@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_reading_command_takes_the_size_limit(tmp_path, runner, command):
    src = tmp_path / "in.xlsx"
    shutil.copy(EXAMPLE_WORKBOOK, src)
    size = src.stat().st_size
    args = [a.replace("{}", str(src)) for a in COMMANDS[command]]
    line = _one_line_error(runner.invoke(app, [*args, "--max-input-size", "4KB"]))
    assert f"in.xlsx: the file is {size / 1024:.0f} KB (limit 4 KB; --max-input-size to raise)" in (
        line
    )


def test_batch_takes_the_size_limit(tmp_path, runner):
    src = tmp_path / "in.xlsx"
    shutil.copy(EXAMPLE_WORKBOOK, src)
    result = runner.invoke(
        app, ["batch", str(src), "-o", str(tmp_path / "out"), "--max-input-size", "4KB"]
    )
    assert result.exit_code == 2
    assert "in.xlsx: the file is" in result.output and "(limit 4 KB;" in result.output


def test_the_dask_engine_takes_the_size_limit(tmp_path):
    pytest.importorskip("dask.dataframe")
    from assess.engines.dask import score_dask

    write_csv(tmp_path / "part.0.csv", [row(f"E{i}") for i in range(200)])
    with pytest.raises(assess.InputError, match=r"part.0.csv: the file is .* \(limit 1 KB;"):
        score_dask(tmp_path / "*.csv", output=tmp_path / "s.parquet", max_input_size="1KB")


@pytest.mark.parametrize(
    "text, size",
    [("512MB", 512 << 20), ("2 GB", 2 << 30), ("1.5g", 3 << 29), ("64MiB", 64 << 20), ("100", 100)],
)
def test_sizes_are_read_with_their_units(tmp_path, runner, text, size):
    path = write_csv(tmp_path / "t.csv", [row("E1")])
    result = _score(runner, path, "--max-input-size", text)
    if size >= path.stat().st_size:
        assert result.exit_code == 0, result.output
    else:
        assert f"the file is {path.stat().st_size} bytes (limit {size} bytes;" in result.stderr
    assert assess.score(path, max_input_size=size + 1000).counts["rows"] == 1


@pytest.mark.parametrize("text", ["12XB", "-1MB", "0", "lots"])
def test_a_size_that_is_not_one_is_one_line(tmp_path, runner, text):
    path = write_csv(tmp_path / "t.csv", [row("E1")])
    line = _one_line_error(_score(runner, path, "--max-input-size", text))
    assert "--max-input-size: " in line


# -- CSV: huge fields, UTF-16 ------------------------------------------------------------------


@pytest.mark.parametrize("title", [False, True], ids=["header-first", "title-above"])
@pytest.mark.parametrize("length", [200_000, 3_000_000])
def test_a_csv_field_longer_than_the_csv_modules_limit_is_read(tmp_path, title, length):
    path = tmp_path / "long.csv"
    write_csv(path, [row("E1", name="x" * length), row("E2")])
    if title:
        path.write_bytes(b"Engagement tracker, FY2025\n" + path.read_bytes())
    result = assess.score(path)
    assert result.counts["scored"] == 2
    assert len(result.engagements.loc["E1", "Engagement"]) == length


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_utf16_csv_without_a_byte_order_mark_is_read(tmp_path, encoding, delimiter):
    rows = [row("E1", name="Übung Ostsee"), row("E2", t=2, name="Exercice été"), row("E3", t=1)]
    plain = write_csv(tmp_path / "utf8.csv", rows, delimiter=delimiter)
    wide = write_csv(tmp_path / "utf16.csv", rows, delimiter=delimiter, encoding=encoding)
    assert not wide.read_bytes().startswith((b"\xff\xfe", b"\xfe\xff"))
    want, got = assess.score(plain), assess.score(wide)
    assert got.counts == want.counts == {**want.counts, "scored": 3}
    assert got.engagements["score"].tolist() == want.engagements["score"].tolist()
    assert got.engagements["Engagement"].tolist() == want.engagements["Engagement"].tolist()


# -- unreadable files --------------------------------------------------------------------------


def _unprivileged(args: list[str]) -> list[str] | None:
    """``args`` run so that file permissions apply: as is for an ordinary user; for root,
    under setpriv without the two capabilities that let root read any file (so a file of
    mode 000 is really unreadable).  None when neither is possible."""
    if os.geteuid() != 0:
        return args
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search", *args]


@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX permissions")
@pytest.mark.parametrize("command", ["score", "explain", "calibrate"])
def test_an_unreadable_file_is_one_line_not_a_usage_box(tmp_path, command):
    src = tmp_path / "locked.xlsx"
    shutil.copy(EXAMPLE_WORKBOOK, src)
    src.chmod(0)
    args = [a.replace("{}", str(src)) for a in COMMANDS[command]]
    cmd = _unprivileged([sys.executable, "-m", "assess", *args])
    if cmd is None:
        pytest.skip("running as root without setpriv: a mode-000 file is still readable")
    probe = subprocess.run(_unprivileged(["cat", str(src)]), capture_output=True)
    if probe.returncode == 0:
        pytest.skip("file permissions are not enforced here")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env, cwd=ROOT)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == "assess: error: locked.xlsx: cannot read (Permission denied)"


def test_no_command_checks_its_file_arguments_before_the_reader_does(tmp_path, runner, monkeypatch):
    # typer's Path parameters check readability themselves, with os.access, and print a
    # five-line boxed usage error; every file argument and option is left to assess instead.
    # With os.access calling every file unreadable, every command still reads and writes
    # its files (the reader opens them; a file it cannot open is one line, tested above).
    examples = ROOT / "examples"
    out = tmp_path / "out"
    out.mkdir()
    existing = {name: out / name for name in ("r.csv", "t.xlsx", "c.yaml", "c.html", "a.json")}
    for path in existing.values():
        path.write_text("an earlier file, replaced\n")
    monkeypatch.setattr(os, "access", lambda *args, **kwargs: False)
    invocations = [
        ["score", examples / "engagements.xlsx", "-o", existing["r.csv"]],
        ["template", "-o", existing["t.xlsx"], "--force"],
        ["batch", examples / "engagements.xlsx", "-o", out / "batch", "-j", "1"],
        [
            "calibrate",
            examples / "past_cases.xlsx",
            "--method",
            "ahp",
            "--pairwise",
            examples / "past_cases.xlsx",
            "--repeats",
            "1",
            "--bootstrap",
            "0",
            "-o",
            existing["c.yaml"],
            "--force",
            "--report",
            existing["c.html"],
        ],
        ["rubric", "validate", ROOT / "rubrics" / "military-diplomacy.yaml"],
        ["agreement", examples / "ratings_by_rater.xlsx", "-o", existing["a.json"]],
        ["sensitivity", examples / "engagements.xlsx", "--draws", "10", "--no-sobol"],
        ["explain", examples / "engagements.xlsx", "MD-2025-015"],
    ]
    for args in invocations:
        result = runner.invoke(app, [str(a) for a in args])
        assert result.exit_code in (0, 1), (args[0], result.output)
        assert "Usage:" not in result.output and "is not readable" not in result.output


# -- rewritten files ---------------------------------------------------------------------------


def test_a_file_rewritten_with_the_same_size_and_time_is_read_again(tmp_path):
    path = tmp_path / "t.csv"

    def write(rating: int) -> None:
        write_csv(path, [row("E1", t=rating), row("E2")])
        path.write_bytes(b"Tracker\n" + path.read_bytes())  # the general reader, not Arrow's

    write(3)
    first = assess.score(path)
    stamp = path.stat()
    write(1)
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    assert path.stat().st_size == stamp.st_size and path.stat().st_mtime_ns == stamp.st_mtime_ns
    second = assess.score(path)
    assert second.sources[0].sha256 != first.sources[0].sha256
    assert second.engagements.loc["E1", "transparency.rating"] == 1
    assert first.engagements.loc["E1", "transparency.rating"] == 3


@pytest.mark.parametrize("suffix", [".xlsx", ".ods"])
def test_a_zip_whose_directory_points_before_the_file_is_damaged_in_one_line(
    tmp_path, runner, suffix
):
    # The end record claims the central directory starts further in than it does, so Python's
    # zip reader computes a part's offset as negative ("negative seek value").
    good = tmp_path / f"good{suffix}"
    shutil.copy(EXAMPLE_WORKBOOK, good)
    data = bytearray(good.read_bytes())
    end = data.rindex(b"PK\x05\x06")
    offset = int.from_bytes(data[end + 16 : end + 20], "little")
    data[end + 16 : end + 20] = (offset + 1_000_000).to_bytes(4, "little")
    bad = tmp_path / f"bad{suffix}"
    bad.write_bytes(bytes(data))
    out = runner.invoke(app, ["score", str(bad)])
    assert out.exit_code == 2, out.output
    assert "unexpected" not in out.output
    assert len(out.output.strip().splitlines()) == 1


@pytest.mark.parametrize("suffix", [".xlsx", ".ods"])
def test_a_zip_part_that_does_not_inflate_is_damaged_in_one_line(tmp_path, runner, suffix):
    # the first part's deflate stream is overwritten with bytes zlib refuses
    data = bytearray(EXAMPLE_WORKBOOK.read_bytes())
    name_len = int.from_bytes(data[26:28], "little")
    extra_len = int.from_bytes(data[28:30], "little")
    start = 30 + name_len + extra_len
    data[start : start + 8] = b"\x07" * 8  # a reserved block type: "invalid block type"
    bad = tmp_path / f"bad{suffix}"
    bad.write_bytes(bytes(data))
    out = runner.invoke(app, ["score", str(bad)])
    assert out.exit_code == 2, out.output
    assert "unexpected" not in out.output
    assert "damaged" in out.output
    assert len(out.output.strip().splitlines()) == 1
