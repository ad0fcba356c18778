"""Writing files safely: output paths checked before any work, atomic writes through a
private temporary folder beside the target, and XlsxWriter's scratch files kept there too.

Every file assess writes (reports, portfolios, calibrated rubrics, templates) goes through
here, so a failed write (a full disk) leaves neither a partial file nor temporary files.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # Windows: no lock, so no sweep of killed writers' folders
    fcntl = None  # type: ignore[assignment]

from .errors import OutputError


def check_output_path(
    target: Path, inputs: Iterable[str | Path], option: str = "-o", example: str = "report.xlsx"
) -> None:
    """Refuse an output path that is one of the inputs (or the same file under another name),
    a folder, or in a folder that does not exist; ``option`` names the path in the message,
    and a folder is answered with ``example``, a file name to give inside it."""
    resolved = target.resolve()
    for inp in inputs:
        p = Path(inp)
        try:
            same = p.resolve() == resolved or (
                target.exists() and p.exists() and os.path.samefile(p, target)
            )
        except OSError:
            same = False
        if same:
            raise OutputError(
                f"refusing to write the report over its input {p.name}; "
                f"choose another {option} path"
            )
    if target.is_dir():
        raise OutputError(
            f"{target} is a folder; give {option} a file name such as {target / example}"
        )
    if not target.parent.is_dir():
        raise OutputError(f"the folder {target.parent} does not exist")


#: Every write goes through a private folder beside its target named with this prefix; input
#: searches never look inside one (see :func:`is_temporary_folder`).
TEMP_PREFIX = ".assess-tmp-"
_LOCK = ".assess-lock"
#: Folders already swept for the leftovers of killed writers, in this process.
_swept: set[str] = set()
#: What to undo for each temporary path should its write fail (see :func:`_on_failure`).
_undo: dict[Path, list[Callable[[], None]]] = {}


def is_temporary_folder(name: str) -> bool:
    """Whether a folder named ``name`` is one of assess's temporary write folders."""
    return name.startswith(TEMP_PREFIX)


@contextmanager
def atomic_path(target: Path):
    """Yield a temporary path beside ``target``; on success rename it over ``target``.

    The temporary file lives in a private folder ``.assess-tmp-*`` in the target's folder,
    which also takes the writer's own scratch files (XlsxWriter's, see :func:`xlsx_workbook`),
    so nothing is written to the system's temporary folder and a failed write leaves nothing
    behind: the folder is removed whatever happens.  A writer killed outright leaves its folder;
    the next write into the same folder removes it (the owner holds a lock on it while alive).
    """
    folder, lock = _temporary_folder(target.parent)
    tmp = folder / target.name
    _undo[tmp] = []
    try:
        yield tmp
        # keep the mode of the report replaced, or the mode a new file would have
        mode = target.stat().st_mode & 0o777 if target.exists() else 0o666 & ~_umask()
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        for undo in _undo.get(tmp, ()):
            undo()
        raise
    finally:
        _undo.pop(tmp, None)
        shutil.rmtree(folder, ignore_errors=True)
        if lock is not None:
            os.close(lock)


def _on_failure(tmp: Path, undo: Callable[[], None]) -> None:
    """Have ``undo`` run if the write to ``tmp`` (a path from :func:`atomic_path`) fails."""
    if tmp in _undo:
        _undo[tmp].append(undo)


def _temporary_folder(parent: Path) -> tuple[Path, int | None]:
    """A new private folder in ``parent`` and the descriptor of the lock held on it.

    The lock file appears under its final name only once locked, so a sweep that can lock it
    knows its owner is gone."""
    _sweep(parent)
    folder = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=parent))
    if fcntl is None:
        return folder, None
    fd = None
    try:
        fd = os.open(folder / f"{_LOCK}-new", os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.rename(folder / f"{_LOCK}-new", folder / _LOCK)
    except BaseException:
        if fd is not None:
            os.close(fd)
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder, fd


def _sweep(parent: Path) -> None:
    """Remove the temporary folders that killed writers left in ``parent`` (once a process)."""
    key = os.path.abspath(parent)
    if fcntl is None or key in _swept:
        return
    _swept.add(key)
    try:
        entries = [
            e
            for e in os.scandir(parent)
            if is_temporary_folder(e.name) and e.is_dir(follow_symlinks=False)
        ]
    except OSError:
        return
    for entry in entries:
        try:
            fd = os.open(os.path.join(entry.path, _LOCK), os.O_RDWR)
        except OSError:  # not a folder of ours, already gone, or its owner is still starting
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # its owner is alive
            os.close(fd)
            continue
        try:
            shutil.rmtree(entry.path, ignore_errors=True)
        finally:
            os.close(fd)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def atomic_write_bytes(target: Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


class _Sink:
    """The temporary file a zip archive is written to, which can be abandoned.

    A zip writer whose file failed (a full disk) tries again to finish the archive when it is
    garbage-collected, and prints "Exception ignored ..." when that fails too.  Once abandoned,
    this file is closed and takes any further bytes without writing them, so nothing is printed.
    """

    def __init__(self, path: Path) -> None:
        self._fh: Any = open(path, "wb")  # noqa: SIM115 (closed by close or abandon)
        self._pos = 0
        self.name = str(path)
        _on_failure(path, self.abandon)

    def seekable(self) -> bool:
        return True

    def write(self, data) -> int:
        n = len(memoryview(data))
        if self._fh is not None:
            self._fh.write(data)
        self._pos += n
        return n

    def tell(self) -> int:
        return self._fh.tell() if self._fh is not None else self._pos

    def seek(self, offset: int, whence: int = 0) -> int:
        if self._fh is not None:
            self._pos = self._fh.seek(offset, whence)
        elif whence == 0:
            self._pos = offset
        elif whence == 1:
            self._pos += offset
        return self._pos

    def flush(self) -> None:
        if self._fh is not None:
            self._fh.flush()

    def close(self) -> None:
        """Close the real file; raises if its last bytes cannot be written."""
        fh, self._fh = self._fh, None
        if fh is not None:
            fh.close()

    def abandon(self) -> None:
        fh, self._fh = self._fh, None
        if fh is not None:
            with suppress(OSError):
                fh.close()


def zip_sink(tmp: Path) -> _Sink:
    """A file to write a zip-based document (a workbook) to, at a path from
    :func:`atomic_path`; close it once the document is complete."""
    return _Sink(tmp)


def xlsx_workbook(tmp: Path, options: dict[str, Any]):
    """An XlsxWriter workbook to be written at ``tmp`` (a path from :func:`atomic_path`).

    Its scratch files go to the same temporary folder rather than the system's.  ``close()``
    raises the :class:`OSError` behind a failed write (not XlsxWriter's own error type); if
    the write fails, the workbook is neutralised so that nothing runs or prints afterwards.
    """
    from xlsxwriter import Workbook
    from xlsxwriter.exceptions import FileCreateError

    class _Workbook(Workbook):
        def close(self) -> None:
            try:
                super().close()
            except FileCreateError as exc:
                cause = exc.args[0] if exc.args and isinstance(exc.args[0], OSError) else None
                raise (cause or OSError(str(exc))) from None
            sink.close()

    def abandon() -> None:
        wb.fileclosed = True
        for ws in wb.worksheets():
            fh = getattr(ws, "row_data_fh", None)
            if fh is not None:
                with suppress(OSError, ValueError):
                    fh.close()
                ws.row_data_fh_closed = True

    sink = _Sink(tmp)
    wb = _Workbook(sink, {**options, "tmpdir": str(tmp.parent)})
    _on_failure(tmp, abandon)
    return wb
