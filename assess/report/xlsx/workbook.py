"""The report workbook assembled: its document properties, the names its formulas use, and
its sheets in order (see :mod:`assess.report.xlsx`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ...errors import OutputError
from ...files import atomic_path, xlsx_workbook
from ...result import Result
from ..page import PageSetup
from ..provenance import REPORT, mark
from ..safety import excel_carried_room
from ..sheets import WORKBOOK_OPTIONS
from .agreement import write_agreement_sheet
from .charts import write_charts_sheet
from .comparison import write_comparison_sheet
from .criteria import write_criteria_sheet
from .formats import CellFormats, band_formats
from .layout import Layout
from .rejected import write_rejected_sheet
from .scores import write_scores_sheet
from .sensitivity import write_sensitivity_sheet
from .summary import write_summary_sheet
from .trends import write_trends_sheet
from .weights import write_weights_sheet

MAX_ROWS = 1_048_575  # Excel's row limit, less the header


def write_xlsx(result: Result, path: Path, link_evidence: bool = False) -> None:
    """Write the analyst workbook for ``result`` to ``path`` (atomically).

    Parameters
    ----------
    result : Result
        What :func:`assess.score` returned.
    path : Path
        The workbook to write.
    link_evidence : bool, optional
        Make an evidence cell that is one ``http(s)`` address a live link (default: text).

    Raises
    ------
    OutputError
        If the engagements do not fit in one sheet.
    """
    if len(result.engagements) > MAX_ROWS:
        raise OutputError(
            f"{len(result.engagements)} engagements do not fit in one Excel sheet; "
            "write .csv instead"
        )
    # carried columns beyond a sheet's room are left out (limit_notes says so)
    carried = list(result.carried_columns)[: excel_carried_room(result.rubric)]
    lay = Layout(
        rubric=result.rubric,
        n=len(result.engagements),
        carried=carried,
        history=result.history is not None,
    )
    with atomic_path(path) as tmp:
        wb = xlsx_workbook(tmp, WORKBOOK_OPTIONS)
        mark(wb, REPORT)
        wb.set_properties(_properties(result))
        for name, reference in lay.defined_names().items():
            wb.define_name(name, f"={reference}")
        f = CellFormats(wb, PageSetup.of("Effectiveness report", result.rubric, result.scored_at))
        band_fmt = band_formats(wb, result.rubric)
        where = write_summary_sheet(wb, f, lay, result, band_fmt)
        write_scores_sheet(wb, f, lay, result, band_fmt, link_evidence)
        write_charts_sheet(wb, f, lay, result, where)
        if result.history is not None:
            write_trends_sheet(wb, f, result)
        if result.comparison is not None:
            write_comparison_sheet(wb, f, lay, result)
        write_weights_sheet(wb, f, lay)
        write_criteria_sheet(wb, f, result.rubric)
        write_rejected_sheet(wb, f, result)
        if result.agreement is not None:
            write_agreement_sheet(wb, f, result)
        if result.sensitivity is not None:
            write_sensitivity_sheet(wb, f, result)
        wb.close()


def _properties(result: Result) -> dict[str, object]:
    """The workbook's document properties: title, sources, rubric hash, scoring time."""
    return {
        "title": f"Effectiveness report ({result.rubric.name} {result.rubric.version})",
        "subject": ", ".join(s.file for s in result.sources),
        "author": "assess",
        "comments": f"rubric hash {result.rubric.content_hash}",
        "created": dt.datetime.fromisoformat(result.scored_at.replace("Z", "+00:00")).replace(
            tzinfo=None
        ),
    }
