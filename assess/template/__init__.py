"""The input template: a blank engagements workbook built from a rubric.

:func:`write_template` writes an ``.xlsx`` whose "Engagements" sheet has exactly the columns
the reader looks for, a dropdown of ``N - label`` levels on every rating column, the anchored
descriptors as header comments and input messages, and a "Criteria" sheet with the rubric in
full.  Anything picked from the dropdowns reads back through :func:`assess.score` unchanged.

The modules, one job each: :mod:`~assess.template.fields` (the columns for a rubric),
:mod:`~assess.template.engagements` (the Engagements and Lists sheets),
:mod:`~assess.template.criteria` (the Criteria sheet) and :mod:`~assess.template.cells` (the
constants, styles and texts they share).
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from ..errors import OutputError
from ..files import atomic_path, check_output_path, zip_sink
from ..report.page import PageSetup, set_page
from ..rubric import Rubric, load_rubric
from .cells import (
    CRITERIA_SHEET,
    ENGAGEMENT_TYPES,
    EXAMPLE_ID,
    LISTS_SHEET,
    ORGANISATIONS,
    PROMPT_MAX,
    SHEET,
    TITLE_MAX,
    clip,
    level_text,
)
from .criteria import write_criteria
from .engagements import write_engagements, write_lists
from .fields import template_fields

__all__ = [
    "CRITERIA_SHEET",
    "ENGAGEMENT_TYPES",
    "EXAMPLE_ID",
    "LISTS_SHEET",
    "ORGANISATIONS",
    "PROMPT_MAX",
    "SHEET",
    "TITLE_MAX",
    "level_text",
    "write_template",
]


def write_template(
    rubric: Rubric | str | Path, path: str | Path, example_row: bool = True, overwrite: bool = False
) -> Path:
    """Write a blank engagements workbook for ``rubric``, ready to fill in and score.

    The "Engagements" sheet holds the identifier column, descriptive columns (Engagement,
    Type, Partners, Organisation, Start date, End date), one column per rated criterion
    (per indicator for measured criteria) and Notes.  Every rating column offers a dropdown
    of ``N - label`` levels; its header comment and input message give the criterion's
    descriptors.  A "Criteria" sheet sets out the rubric in full; the dropdown sources sit on
    a hidden "Lists" sheet.  Whatever is picked from the dropdowns scores without rejection.

    Parameters
    ----------
    rubric : Rubric, str or Path
        The rubric to build the template for (a :class:`Rubric`, built-in name or YAML path).
    path : str or Path
        Where to write; must end in ``.xlsx``.  Written atomically (a temporary file in the
        same folder, renamed into place when complete).
    example_row : bool, optional
        Fill row 2 with a plausible example engagement (id ``EX-0001``) to show the format.
    overwrite : bool, optional
        Replace ``path`` if it exists; by default an existing file is never touched.

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    OutputError
        ``path`` exists (and ``overwrite`` is false), does not end in ``.xlsx``, is a folder,
        its folder does not exist, or it cannot be written.

    Examples
    --------
    >>> import assess, tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> out = assess.write_template(assess.load_rubric(), folder / "engagements.xlsx")
    >>> assess.score(out).summary_line()
    '1 scored, 0 insufficient evidence, 0 rejected of 1 rows'
    """
    rub = load_rubric(rubric)
    target = Path(path)
    check_output_path(target, [])
    if target.suffix.lower() != ".xlsx":
        raise OutputError(
            f"the template is an Excel workbook; give a path ending in .xlsx, not {target.name!r}"
        )
    if target.exists() and not overwrite:
        raise OutputError(f"{target} already exists; use --force to replace it")
    fields = template_fields(rub)
    wb = Workbook()
    engagements = wb.active
    engagements.title = SHEET
    criteria = wb.create_sheet(CRITERIA_SHEET)
    lists = wb.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    sources = write_lists(lists, fields)
    write_engagements(engagements, rub, fields, sources, example_row)
    write_criteria(criteria, rub)
    page = PageSetup.of("Input template", rub)
    for ws in (engagements, criteria, lists):
        set_page(ws, page)
    wb.active = 0
    wb.properties.title = clip(f"{rub.title or rub.name}: engagements", 200)
    wb.properties.subject = f"Input template for rubric {rub.name} {rub.version} ({rub.short_hash})"
    wb.properties.creator = "assess"
    wb.properties.lastModifiedBy = "assess"
    wb.properties.keywords = f"assess; rubric {rub.name}"
    try:
        with atomic_path(target) as tmp:
            sink = zip_sink(tmp)
            wb.save(sink)
            sink.close()
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from exc
    return target
