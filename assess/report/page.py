"""How every workbook assess writes prints, and how wide its columns are.

Every sheet of every workbook (the report, the portfolio, the calibration report, the input
template) prints on A4, fitted to one page wide (as many pages tall as it takes), its header
rows repeated on every page, a header naming the sheet and a footer naming the rubric (name,
version, short hash), the page ("Page 3 of 7") and the date of the result it shows.
:class:`PageSetup` is that setup and :func:`set_page` applies it to a sheet, whether XlsxWriter
or openpyxl writes it.

Headers wrap at word boundaries: :func:`column_width` makes a column wide enough for the
longest word of its header (and, up to a cap, for its values), :func:`header_height` makes the
header row tall enough for the wrapped lines.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

#: Excel's paper size code for A4.
A4 = 9
#: Margins in inches: narrow, so that wide tables print as large as they can.
MARGINS = {"left": 0.4, "right": 0.4, "top": 0.6, "bottom": 0.6}
#: Margin of the header and the footer, in inches.
HEADER_MARGIN = 0.25
#: Bold text is about this much wider than regular text.
BOLD = 1.1
#: Characters of padding a cell needs beyond its text.
PADDING = 2.0
#: Height of one line of 11 point text, in points.
LINE = 15.0
#: The most a column widens for its values (characters); a header's words may need more.
MOST = 40.0
#: The widest a column grows for one word of its values (a hash, a path), in characters.
LONGEST_WORD = 72.0
#: The longest text a header or footer may hold (Excel's limit is 255).
_FOOTER_ROOM = 250


@dataclass(frozen=True)
class PageSetup:
    """What every printed page of a workbook carries: its title (at the top right, the sheet's
    name at the top left), the rubric (``name version (short hash)``) and the date of the
    result it shows (its scoring time, so that printing the same result twice gives the same
    pages; empty for a workbook of no result, such as the input template)."""

    title: str
    rubric: str
    date: str = ""

    @classmethod
    def of(cls, title: str, rubric: Any, when: str = "") -> PageSetup:
        """The setup of a workbook about ``rubric`` (a :class:`~assess.rubric.Rubric`) whose
        result is from ``when`` (an ISO time or date; only the date is printed)."""
        return cls(
            title=title,
            rubric=f"{rubric.name} {rubric.version} ({rubric.short_hash})",
            date=when[:10],
        )

    def header_parts(self) -> dict[str, str]:
        """The header's left and right parts in Excel's codes: the sheet's name, the title."""
        return {"left": "&A", "right": _code_text(self.title)}

    def footer_parts(self) -> dict[str, str]:
        """The footer's parts in Excel's codes: the rubric, the page, the date."""
        parts = {"left": _code_text(self.rubric), "center": "Page &P of &N"}
        if self.date:
            parts["right"] = _code_text(self.date)
        return parts

    def header(self) -> str:
        """The header as one string of Excel's codes (``&L...&R...``)."""
        return _joined(self.header_parts())

    def footer(self) -> str:
        """The footer as one string of Excel's codes (``&L...&C...&R...``)."""
        return _joined(self.footer_parts())


def _joined(parts: dict[str, str]) -> str:
    return "".join(
        f"&{side[0].upper()}{parts[side]}" for side in ("left", "center", "right") if side in parts
    )


def _code_text(text: str) -> str:
    """``text`` for a header or footer: '&' doubled (a single one starts a code), clipped."""
    room = (_FOOTER_ROOM - 40) // 2
    text = " ".join(str(text).split())
    if len(text) > room:
        text = text[: room - 1] + "…"
    return text.replace("&", "&&")


def set_page(
    ws,
    page: PageSetup,
    *,
    repeat: tuple[int, int] | None = (0, 0),
    landscape: bool = True,
    one_page: bool = False,
) -> None:
    """Set up ``ws`` (an XlsxWriter or an openpyxl worksheet) for printing.

    Parameters
    ----------
    ws : Worksheet
        The sheet, from XlsxWriter or openpyxl.
    page : PageSetup
        The header and footer every page carries.
    repeat : tuple of int, optional
        The first and last row (0-based) printed at the top of every page: the header rows;
        None for none.
    landscape : bool, optional
        Landscape (for wide sheets) or portrait.
    one_page : bool, optional
        Fit the whole sheet on one page, not just its width.
    """
    tall = 1 if one_page else 0
    if hasattr(ws, "fit_to_pages"):  # XlsxWriter
        ws.set_paper(A4)
        if landscape:
            ws.set_landscape()
        else:
            ws.set_portrait()
        ws.fit_to_pages(1, tall)
        ws.set_margins(**MARGINS)
        ws.set_header(page.header(), {"margin": HEADER_MARGIN})
        ws.set_footer(page.footer(), {"margin": HEADER_MARGIN})
        if repeat is not None:
            ws.repeat_rows(*repeat)
        return
    _set_openpyxl_page(ws, page, repeat, landscape, tall)


def _set_openpyxl_page(
    ws, page: PageSetup, repeat: tuple[int, int] | None, landscape: bool, tall: int
) -> None:
    from openpyxl.worksheet.page import PageMargins

    ws.page_setup.paperSize = A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = tall
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = PageMargins(**MARGINS, header=HEADER_MARGIN, footer=HEADER_MARGIN)
    for target, parts in ((ws.oddHeader, page.header_parts()), (ws.oddFooter, page.footer_parts())):
        for side, text in parts.items():
            getattr(target, side).text = text
    if repeat is not None:
        ws.print_title_rows = f"{repeat[0] + 1}:{repeat[1] + 1}"


#: Rough widths of characters relative to a digit (a column's width counts digits), as in
#: DejaVu Sans, a little wider than Calibri: what fits here fits in either. Other characters
#: count as one digit.
_WIDTHS = {
    **dict.fromkeys("fijltIJ'(),-./:;[\\]| ", 0.5),
    **dict.fromkeys('crsz!"*?_`', 0.75),
    **dict.fromkeys("wDGHMNOQU#&+<=>^~", 1.25),
    **dict.fromkeys("mW%@", 1.5),
}


def text_width(text: str, bold: bool = False) -> float:
    """The width of ``text`` on one line, in the units of a column width (digits)."""
    width = sum(_WIDTHS.get(ch, 1.0) for ch in str(text))
    return width * BOLD if bold else width


def longest_word(text: str, bold: bool = True) -> float:
    """The width (as :func:`text_width`) of the longest word of ``text``."""
    return max((text_width(w, bold) for w in str(text).split()), default=0.0)


def column_width(
    headers: Iterable[str] = (), values: Iterable[Any] = (), least: float = 6, most: float = MOST
) -> float:
    """The width (in characters) of a column with ``headers`` (bold, wrapped at word
    boundaries: the longest word must fit on a line) and ``values`` (their text on one line up
    to ``most``; longer text wraps, but never inside a word: a value's longest word fits up to
    :data:`LONGEST_WORD`)."""
    texts = [_shown(v) for v in values]
    word = max((longest_word(h) for h in headers), default=0.0) + PADDING
    value_word = max((longest_word(t, bold=False) for t in texts), default=0.0) + PADDING
    text = max((text_width(t) for t in texts), default=0.0) + PADDING
    return round(max(least, word, min(value_word, LONGEST_WORD), min(text, most)), 1)


def _shown(value: Any) -> str:
    """A value's text roughly as a cell shows it: numbers to a few places."""
    if isinstance(value, float) and math.isfinite(value):
        return f"{value:.2f}"
    return "" if value is None else str(value)


def wrapped_lines(text: str, width: float, bold: bool = True) -> int:
    """The lines ``text`` takes in a column ``width`` characters wide, wrapped at spaces."""
    room = max(width - 1.0, 1.0)
    space = text_width(" ", bold)
    lines, used = 1, 0.0
    for part in str(text).split("\n"):
        if used:
            lines, used = lines + 1, 0.0
        for word in part.split():
            size = text_width(word, bold)
            if used and used + space + size > room:
                lines, used = lines + 1, size
            else:
                used = size if not used else used + space + size
    return lines


def header_height(cells: Iterable[tuple[str, float]], bold: bool = True) -> float:
    """The height (points) of a header row of wrapped ``(text, column width)`` cells."""
    lines = max((wrapped_lines(text, width, bold) for text, width in cells), default=1)
    return LINE * lines + 2


def write_note(ws, r: int, widths: list[float], text: str, fmt) -> None:
    """``text`` on row ``r`` of an XlsxWriter sheet, over the columns ``widths`` measures
    (merged), wrapped in ``fmt`` and the row as tall as its lines: a note that prints whole
    however long it is."""
    ws.set_row(r, LINE * wrapped_lines(text, sum(widths), bold=False))
    if len(widths) > 1:
        ws.merge_range(r, 0, r, len(widths) - 1, text, fmt)
    else:
        ws.write_string(r, 0, text, fmt)
