"""One writer per format, all fed the same :class:`~assess.result.Result`; the calibration
report, fed a :class:`~assess.calibration.result.Calibration`, in two of them.

The writers are organised by format: :mod:`assess.report.xlsx` (the Excel workbooks),
:mod:`assess.report.html` (the HTML pages), :mod:`assess.report.tabular` (CSV and JSON),
:mod:`assess.report.markdown` and :mod:`assess.report.terminal` (what the commands print).

:func:`write_report` picks the writer from the file extension (or ``fmt``), refuses to
write over any input file, and writes atomically: to a temporary file in a private folder
beside the target (see :func:`assess.files.atomic_path`), renamed over the target only once
complete; a write that fails (a full disk) is one :class:`~assess.errors.OutputError` and
leaves nothing.  Each writer (with XlsxWriter or Jinja2) is imported on first use.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import OptionError, OutputError
from ..files import (  # noqa: F401 - the writers' shared file handling, for them to import
    atomic_path,
    atomic_write_bytes,
    check_output_path,
    is_temporary_folder,
    xlsx_workbook,
    zip_sink,
)

if TYPE_CHECKING:
    from ..calibration.result import Calibration
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
#: The formats a calibration report is written in, by extension.
CALIBRATION_FORMATS = {".xlsx": "xlsx", ".html": "html", ".htm": "html"}


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
    from . import html, markdown, tabular, xlsx

    return {
        "csv": tabular.write_csv,
        "json": tabular.write_json,
        "md": markdown.write_markdown,
        "xlsx": xlsx.write_xlsx,
        "html": html.write_html,
    }


def _calibration_writers() -> dict[str, Callable[[Calibration, Path], None]]:
    from .html.calibration import write_calibration_html
    from .xlsx.calibration import write_calibration_xlsx

    return {"xlsx": write_calibration_xlsx, "html": write_calibration_html}


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


def check_calibration_report_target(
    path: str | Path, inputs: Iterable[str | Path], fmt: str | None = None
) -> str:
    """The format a calibration report at ``path`` is written in, once the path is known to
    be usable; ``assess calibrate`` checks this before its work, so a bad path is refused at
    once.

    Parameters
    ----------
    path : str or Path
        The report to write: ``.xlsx`` or ``.html`` (``.htm``).
    inputs : iterable of str or Path
        The files the report may not overwrite (the cases file).
    fmt : str, optional
        ``"xlsx"`` or ``"html"``, whatever the extension.

    Returns
    -------
    str
        ``"xlsx"`` or ``"html"``.

    Raises
    ------
    OutputError
        If the path is an input, a folder or in a folder that does not exist, or names
        neither format.
    """
    target = Path(path)
    check_output_path(target, inputs, "--report")
    if fmt:
        if fmt not in set(CALIBRATION_FORMATS.values()):
            raise OutputError(f"a calibration report is written as xlsx or html, not {fmt!r}")
        return fmt
    kind = CALIBRATION_FORMATS.get(target.suffix.lower())
    if kind is None:
        raise OutputError(
            f"{target.name}: a calibration report is .xlsx or .html "
            "(the calibrated rubric itself is written with -o)"
        )
    return kind


#: The formats that can show evidence that is a web address as a live link (``link_evidence``).
LINKING_FORMATS = ("html", "xlsx")


def write_report(
    result: Result | Calibration,
    path: str | Path,
    fmt: str | None = None,
    *,
    link_evidence: bool = False,
) -> Path:
    """Write a report of ``result`` to ``path`` in the format its extension (or ``fmt``) names.

    Parameters
    ----------
    result : Result or Calibration
        What :func:`assess.score` returned (or :func:`assess.agreement`,
        :func:`assess.sensitivity`): the report is written in any of :data:`FORMATS`.  Or what
        :func:`assess.calibrate` returned: the calibration report, ``.xlsx`` or ``.html``
        (see :func:`write_calibration_report`).
    path : str or Path
        The report to write.
    fmt : str, optional
        The format, whatever the extension (``"xlsx"``, ``"csv"``, ``"json"``, ``"md"``,
        ``"html"``).
    link_evidence : bool, optional
        In an HTML or Excel report, show evidence that is an ``http://`` or ``https://``
        address as a live link (by default every piece of evidence is plain text).  Other
        formats have no links: asking for them there is an ``OptionError``.

    Returns
    -------
    Path
        The report written.

    Raises
    ------
    OutputError
        If the path is an input of the result or a folder, its folder does not exist, the
        format is unknown, or the write fails.
    TypeError
        If ``result`` is neither a Result nor a Calibration.
    """
    from ..result import Result

    if not isinstance(result, Result):
        return write_calibration_report(_calibration(result), path, fmt)
    target = Path(path)
    kind = check_report_target(target, [s.path for s in result.sources], fmt)
    options = {}
    if link_evidence:
        if kind not in LINKING_FORMATS:
            raise OptionError(
                f"--link-evidence is for .html and .xlsx reports; a .{kind} report has no links"
            )
        options["link_evidence"] = True
    try:
        _writers()[kind](result, target, **options)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from exc
    return target


def write_calibration_report(cal: Calibration, path: str | Path, fmt: str | None = None) -> Path:
    """Write the calibration report of ``cal`` to ``path``: the recommendation, the expert and
    new weights with their bootstrap intervals, the out-of-sample comparison of the
    weightings, predicted against observed outcomes, the warnings and the provenance.

    The workbook (``.xlsx``, :mod:`assess.report.xlsx.calibration`) or the page (``.html``,
    :mod:`assess.report.html.calibration`) is written atomically, never over the cases file.
    :func:`write_report` takes a calibration too, and writes it here.

    Parameters
    ----------
    cal : Calibration
        What :func:`assess.calibrate` returned.
    path : str or Path
        The report to write: ``.xlsx`` or ``.html`` (``.htm``).
    fmt : str, optional
        ``"xlsx"`` or ``"html"``, whatever the extension.

    Returns
    -------
    Path
        The report written.

    Raises
    ------
    OutputError
        If the path cannot be used (see :func:`check_calibration_report_target`) or the
        write fails.
    """
    target = Path(path)
    kind = check_calibration_report_target(target, [cal.cases.path], fmt)
    try:
        _calibration_writers()[kind](cal, target)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from exc
    return target


def _calibration(obj: object) -> Calibration:
    """``obj`` if it is a Calibration (whose module is then loaded already)."""
    from ..calibration.result import Calibration

    if not isinstance(obj, Calibration):
        raise TypeError(f"write_report takes a Result or a Calibration, not {type(obj).__name__}")
    return obj
