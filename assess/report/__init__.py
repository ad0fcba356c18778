"""One writer per format, all fed the same :class:`~assess.result.Result`.

:func:`write_report` picks the writer from the file extension (or ``fmt``), refuses to
write over any input file, and writes atomically: to a temporary file in a private folder
beside the target (see :func:`assess.files.atomic_path`), renamed over the target only once
complete; a write that fails (a full disk) is one :class:`~assess.errors.OutputError` and
leaves nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from ..errors import OutputError
from ..files import (  # noqa: F401 - the writers' shared file handling, for them to import
    atomic_path,
    atomic_write_bytes,
    check_output_path,
    is_temporary_folder,
    xlsx_workbook,
    zip_sink,
)
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
    suffix = target.suffix.lower()
    check_output_path(target, inputs, option, f"report{suffix if suffix in FORMATS else '.xlsx'}")
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
