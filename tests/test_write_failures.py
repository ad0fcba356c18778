"""A write that fails (a full disk, a file-size quota) or is killed: one line, the previous
report intact, no partial file and no temporary files anywhere, nothing printed afterwards."""

from __future__ import annotations

import errno
import gc
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import EXAMPLE_WORKBOOK, ROOT

import assess
from assess.engines.batch import run_batch
from assess.errors import OutputError
from assess.report import write_report

try:
    import fcntl
    import resource
    import signal
except ImportError:  # Windows
    fcntl = resource = signal = None  # type: ignore[assignment]

FORMATS = ["xlsx", "csv", "json", "md", "html"]
#: A deadline for a subprocess that should finish (or reach a point) long before it.
DEADLINE = 120


@pytest.fixture(scope="module")
def result():
    return assess.score(EXAMPLE_WORKBOOK)


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    """The system's temporary folder for this test: must stay empty."""
    folder = tmp_path / "tmpdir"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture
def unraisable(monkeypatch):
    """What Python would print as "Exception ignored in ..." (e.g. from a destructor)."""
    seen: list = []
    monkeypatch.setattr(sys, "unraisablehook", seen.append)
    return seen


@contextmanager
def file_size_limit(nbytes: int):
    """Writes past ``nbytes`` into any file fail with EFBIG ("File too large"), as a quota or a
    full disk would stop them; no privileges needed (the soft limit is restored after)."""
    if resource is None or signal.getsignal(signal.SIGXFSZ) != signal.SIG_IGN:
        pytest.skip("needs RLIMIT_FSIZE with SIGXFSZ ignored (POSIX)")
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (nbytes, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))


def env_for(tmpdir: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(tmpdir)}


# -- a write that fails partway ---------------------------------------------------------------


@pytest.mark.parametrize("share", [0.0, 0.5])
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_write_failing_partway_is_one_error_and_leaves_nothing(
    tmp_path, result, scratch, unraisable, fmt, share
):
    size = write_report(result, tmp_path / f"sized.{fmt}").stat().st_size
    out = tmp_path / "out"
    out.mkdir()
    target = out / f"report.{fmt}"
    target.write_bytes(b"the previous report")
    with file_size_limit(int(size * share)):
        try:
            write_report(result, target)
        except OutputError as exc:
            message = str(exc)
        else:
            message = "written"
        gc.collect()  # a half-written archive left to the garbage collector would speak here
    assert message == f"cannot write {target}: File too large"
    assert target.read_bytes() == b"the previous report"
    assert [p.name for p in out.iterdir()] == [target.name]
    assert list(scratch.iterdir()) == []
    assert unraisable == []


def test_a_full_disk_while_zipping_the_workbook_is_one_line(tmp_path, cli, scratch, monkeypatch):
    """The disk fills as XlsxWriter assembles the archive: its own error type becomes the
    one-line message of every other format."""
    calls = {"n": 0}
    write = zipfile.ZipFile.write

    def full_disk(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] > 3:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return write(self, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "write", full_disk)
    out = tmp_path / "out"
    out.mkdir()
    done = cli("score", EXAMPLE_WORKBOOK, "-o", out / "report.xlsx")
    assert done.exit_code == 2
    assert done.output.splitlines() == [
        f"assess: error: cannot write {out / 'report.xlsx'}: No space left on device"
    ]
    assert calls["n"] > 3
    assert list(out.iterdir()) == [] and list(scratch.iterdir()) == []


def test_a_batch_on_a_full_disk_lists_each_report_and_stops_at_the_portfolio(
    tmp_path, cli, scratch, unraisable
):
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(EXAMPLE_WORKBOOK, src / "a.xlsx")
    out = tmp_path / "out"
    out.mkdir()
    with file_size_limit(0):
        with pytest.raises(OutputError) as caught:
            run_batch([src], out, jobs=1)
        message = str(caught.value)
        del caught
        gc.collect()
        done = cli("batch", src, "-o", out, "--jobs", "1")
        gc.collect()
    assert message == f"cannot write {out / 'portfolio.json'}: File too large"
    lines = done.output.splitlines()
    assert f"cannot write {out / 'a-report.xlsx'}: File too large" in lines[0]
    assert lines[1:] == [f"assess: error: {message}"]
    assert list(out.iterdir()) == [] and list(scratch.iterdir()) == []
    assert unraisable == []


# -- a real full disk (a small tmpfs; needs the right to mount one) -----------------------------


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "disk"
    mount.mkdir()
    if shutil.which("mount") is None or shutil.which("umount") is None:
        pytest.skip("no mount command to make a small disk")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.strip() or 'not allowed'}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], capture_output=True)


def fill(disk: Path, leave: int) -> None:
    """Fill ``disk`` up to ``leave`` bytes of free space."""
    st = os.statvfs(disk)
    todo = max(st.f_bavail * st.f_frsize - leave, 0)
    with open(disk / "filler", "wb") as fh:
        chunk = b"\0" * 4096
        while todo > 0:
            try:
                fh.write(chunk[: min(todo, len(chunk))])
                fh.flush()
            except OSError:
                break
            todo -= len(chunk)


@pytest.mark.parametrize(
    "fmt, share",
    [("xlsx", 0.0), ("xlsx", 0.3), ("xlsx", 0.7), ("xlsx", 1.5)]
    + [(f, 0.5) for f in FORMATS if f != "xlsx"],
)
def test_a_full_disk_is_one_line_and_leaves_the_previous_report(
    tmp_path, small_disk, result, fmt, share
):
    size = write_report(result, tmp_path / f"sized.{fmt}").stat().st_size
    tmpdir = tmp_path / "tmpdir"
    tmpdir.mkdir()
    target = small_disk / f"report.{fmt}"
    target.write_bytes(b"the previous report")
    fill(small_disk, int(size * share))
    done = subprocess.run(
        [sys.executable, "-m", "assess", "score", str(EXAMPLE_WORKBOOK), "-o", str(target)],
        env=env_for(tmpdir),
        capture_output=True,
        text=True,
        timeout=DEADLINE,
    )
    assert done.returncode == 2
    assert done.stderr == f"assess: error: cannot write {target}: No space left on device\n"
    assert target.read_bytes() == b"the previous report"
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler", target.name]
    assert list(tmpdir.iterdir()) == []


# -- a writer killed outright -----------------------------------------------------------------

#: ``assess score ...`` whose workbook stops just before it is assembled, until killed
_STOPPED_WRITER = """
import os, sys, time
import xlsxwriter

def stop(self):
    open(os.environ["ASSESS_TEST_MARK"], "w").close()
    time.sleep(600)

xlsxwriter.Workbook.close = stop
from assess.cli import main
sys.argv = ["assess", "score", *sys.argv[1:]]
main()
"""


@pytest.mark.skipif(signal is None, reason="needs SIGKILL")
def test_a_killed_write_leaves_the_previous_report_and_the_next_write_cleans_up(tmp_path):
    tmpdir = tmp_path / "tmpdir"
    tmpdir.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    target = out / "report.xlsx"
    env = env_for(tmpdir)
    command = [sys.executable, "-m", "assess", "score", str(EXAMPLE_WORKBOOK), "-o"]
    subprocess.run([*command, str(target)], env=env, capture_output=True, timeout=DEADLINE)
    previous = target.read_bytes()

    mark = tmp_path / "closing"
    writer = subprocess.Popen(
        [sys.executable, "-c", _STOPPED_WRITER, str(EXAMPLE_WORKBOOK), "-o", str(target)],
        env={**env, "ASSESS_TEST_MARK": str(mark)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + DEADLINE
        while not mark.exists() and writer.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert mark.exists(), "the writer never reached the workbook's close()"
        # its sheets' rows are on disk by now (they are streamed): beside the report
        leftovers = [p for p in out.iterdir() if p != target]
        assert [p.name[:12] for p in leftovers] == [".assess-tmp-"]
        assert any(p.name.startswith("tmp") for p in leftovers[0].iterdir())
    finally:
        writer.kill()
        writer.wait(timeout=DEADLINE)
    assert target.read_bytes() == previous
    assert list(tmpdir.iterdir()) == []
    # the next write into that folder removes what the killed writer left
    again = subprocess.run(
        [*command, str(out / "other.csv")], env=env, capture_output=True, timeout=DEADLINE
    )
    assert again.returncode in (0, 1), again.stderr
    assert sorted(p.name for p in out.iterdir()) == ["other.csv", "report.xlsx"]
    assert target.read_bytes() == previous


@pytest.mark.skipif(fcntl is None, reason="the sweep needs POSIX file locks")
def test_the_next_write_removes_only_folders_whose_writer_is_gone(tmp_path, result):
    out = tmp_path
    gone = out / ".assess-tmp-gone01"
    gone.mkdir()
    (gone / ".assess-lock").touch()
    (gone / "tmp1234").write_bytes(b"rows of a killed writer")
    alive = out / ".assess-tmp-alive1"
    alive.mkdir()
    (alive / ".assess-lock").touch()
    starting = out / ".assess-tmp-start1"  # its writer has not taken its lock yet
    starting.mkdir()
    held = os.open(alive / ".assess-lock", os.O_RDWR)
    try:
        fcntl.flock(held, fcntl.LOCK_EX)  # another writer, still at work
        write_report(result, out / "report.json")
    finally:
        os.close(held)
    assert sorted(p.name for p in out.iterdir()) == [
        ".assess-tmp-alive1",
        ".assess-tmp-start1",
        "report.json",
    ]
