"""One writer per format, all fed the same :class:`~assess.result.Result`.

:func:`write_report` picks the writer from the file extension (or ``fmt``), refuses to
write over any input file, and writes atomically: to a temporary file in the same folder,
renamed over the target only once complete.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from pathlib import Path

from ..errors import OutputError
from ..result import Result

FORMATS = {
    ".xlsx": "xlsx",
    ".csv": "csv",
    ".json": "json",
    ".md": "md",
    ".html": "html",
    ".htm": "html",
}
#: The extension each format is written with: the first of FORMATS naming it (.html, not .htm).
EXTENSIONS = {fmt: next(ext for ext, f in FORMATS.items() if f == fmt) for fmt in FORMATS.values()}


def format_for(path: str | Path, fmt: str | None = None) -> str:
    if fmt:
        if fmt not in set(FORMATS.values()):
            raise OutputError(
                f"unknown report format {fmt!r}; "
                f"use one of {', '.join(sorted(set(FORMATS.values())))}"
            )
        return fmt
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise OutputError(
            f"cannot tell the report format from {Path(path).name!r}; "
            f"use an extension among {', '.join(FORMATS)}"
        )
    return FORMATS[suffix]


def check_output_path(target: Path, inputs: Iterable[str | Path], option: str = "-o") -> None:
    """Refuse an output path that is one of the inputs (or the same file under another name),
    a folder, or in a folder that does not exist; ``option`` names the path in the message."""
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
        example = target / f"report{target.suffix if target.suffix.lower() in FORMATS else '.xlsx'}"
        raise OutputError(f"{target} is a folder; give {option} a file name such as {example}")
    if not target.parent.is_dir():
        raise OutputError(f"the folder {target.parent} does not exist")


@contextmanager
def atomic_path(target: Path):
    """Yield a temporary path beside ``target``; on success rename it over ``target``."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        # mkstemp makes the file private (0600); give it the mode a new file would have
        mode = target.stat().st_mode & 0o777 if target.exists() else 0o666 & ~_umask()
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def atomic_write_bytes(target: Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def _writers() -> dict[str, Callable[[Result, Path], None]]:
    from . import html, tabular, xlsx

    return {
        "csv": tabular.write_csv,
        "json": tabular.write_json,
        "md": tabular.write_markdown,
        "xlsx": xlsx.write_xlsx,
        "html": html.write_html,
    }


def check_report_target(
    path: str | Path, inputs: Iterable[str | Path], fmt: str | None = None, option: str = "-o"
) -> str:
    """The format a report at ``path`` is written in, once the path is known to be usable
    (see :func:`check_output_path` and :func:`format_for`); a command checks this before its
    work, so a bad path is refused at once.  Raises :class:`~assess.errors.OutputError`."""
    target = Path(path)
    check_output_path(target, inputs, option)
    return format_for(target, fmt)


def write_report(result: Result, path: str | Path, fmt: str | None = None) -> Path:
    """Write ``result`` to ``path`` in the format its extension (or ``fmt``) names.

    Raises :class:`~assess.errors.OutputError` if the path is an input of the result or a
    folder, its folder does not exist, or the format is unknown.
    """
    target = Path(path)
    kind = check_report_target(target, [s.path for s in result.sources], fmt)
    try:
        _writers()[kind](result, target)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from exc
    return target
