"""The report's charts as files to paste into slides: :func:`write_charts` writes the band
distribution (``bands``), each criterion's points for the best engagements
(``contributions``), the mean rating per criterion by type (``criteria``) and, when the scores
were compared across groups, each group's mean score with its interval (``comparison``), each
as ``.svg`` and ``.png`` at slide size (1600 x 900 pixels, 16:9).

* :mod:`~assess.report.charts.content`: what each chart shows, from the result;
* :mod:`~assess.report.charts.drawing`: drawing it with matplotlib (imported on first use).

The numbers are the report's own: the same counts, shares, points and means, rounded as the
reports round them.  The self-contained HTML report keeps its own inline SVG charts.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ...errors import OutputError
from ...files import atomic_write_bytes, check_output_path
from ...result import Result

#: The charts, by file name (without extension), in the order they are written.
CHARTS = ("bands", "contributions", "criteria", "comparison")
#: The formats each chart is written in.
CHART_FORMATS = ("svg", "png")


def check_charts_folder(
    folder: str | Path, inputs: Iterable[str | Path] = (), option: str = "--charts"
) -> Path:
    """The folder to write the charts in, once it is known to be usable: a folder (made if
    it does not exist, in a folder that does), none of whose chart files is an input.  A
    command checks this before its work, so a bad folder is refused at once.

    Parameters
    ----------
    folder : str or Path
        The folder for the chart files.
    inputs : iterable of str or Path
        The files no chart may be written over (the scored workbooks).
    option : str
        How the message names the folder.

    Returns
    -------
    Path
        The folder.

    Raises
    ------
    OutputError
        If ``folder`` is a file, its parent folder does not exist, or a chart would be
        written over an input.
    """
    target = Path(folder)
    if target.exists() and not target.is_dir():
        raise OutputError(f"{target} is a file; give {option} a folder for the charts")
    if not target.parent.is_dir():
        raise OutputError(f"the folder {target.parent} does not exist")
    if target.is_dir():  # a folder yet to be made holds no input
        inputs = list(inputs)
        for name in CHARTS:
            for fmt in CHART_FORMATS:
                check_output_path(target / f"{name}.{fmt}", inputs, option, f"{name}.{fmt}")
    return target


def write_charts(result: Result, folder: str | Path) -> list[Path]:
    """Write the report's charts of ``result`` into ``folder`` as SVG and PNG files.

    Each file is written atomically (``bands.svg``, ``bands.png``, ``contributions.svg`` ...;
    ``comparison`` only when ``result.comparison`` is set), replacing a chart of an earlier
    run but never an input.  The same result writes the same SVG bytes.

    Parameters
    ----------
    result : Result
        What :func:`assess.score` returned (with ``result.comparison`` from
        :func:`assess.compare` for the comparison chart).
    folder : str or Path
        The folder to write in; made if it does not exist.

    Returns
    -------
    list of Path
        The files written, in the order of :data:`CHARTS`, SVG before PNG.

    Raises
    ------
    OutputError
        If the folder cannot be used (see :func:`check_charts_folder`) or a write fails.

    Examples
    --------
    >>> write_charts(assess.score("engagements.xlsx"), "charts")  # doctest: +SKIP
    [PosixPath('charts/bands.svg'), PosixPath('charts/bands.png'), ...]
    """
    from . import content
    from .drawing import figure_bytes

    target = check_charts_folder(folder, [s.path for s in result.sources], "the charts folder")
    charts = [
        content.bands(result),
        content.contributions(result),
        content.criteria_by_type(result),
        content.comparison(result),
    ]
    written = []
    try:
        target.mkdir(exist_ok=True)
        for chart in charts:
            if chart is None or (chart.name == "contributions" and not chart.bars):
                continue
            for fmt, data in figure_bytes(chart).items():
                path = target / f"{chart.name}.{fmt}"
                atomic_write_bytes(path, data)
                written.append(path)
    except OSError as exc:
        raise OutputError(f"cannot write the charts in {target}: {exc.strerror or exc}") from exc
    return written


__all__ = ["CHARTS", "check_charts_folder", "write_charts"]
