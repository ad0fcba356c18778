"""Where everything lives in the report workbook, so that formulas on one sheet can point
into another: :class:`Layout` (the Weights sheet's cells and their workbook-level names, the
Scores sheet's columns) and the references formulas use."""

from __future__ import annotations

from dataclasses import dataclass

from xlsxwriter.utility import xl_col_to_name

from ...rubric import Rubric, normalise_header

#: The band a row without enough of the weight rated shows on the Scores sheet.
INSUFFICIENT = "Insufficient evidence"
#: Added to a score before its band is looked up, so a score on a cut-off lands in its band.
EPS = "1E-9"


def absolute_ref(sheet: str, col: int, row: int) -> str:
    """An absolute reference like 'Weights'!$G$5 (row is 0-based)."""
    return f"'{sheet}'!${xl_col_to_name(col)}${row + 1}"


def column_range(sheet: str, col: int, first: int, last: int) -> str:
    """An absolute range of one column like 'Scores'!$B$2:$B$9 (rows are 0-based)."""
    c = xl_col_to_name(col)
    return f"'{sheet}'!${c}${first + 1}:${c}${last + 1}"


@dataclass
class Layout:
    """Where everything lives, so that formulas on one sheet can point into another."""

    rubric: Rubric
    n: int  # engagements on Scores
    carried: list[str]
    history: bool = False  # Previous score, Change and Previous band after the band
    # Weights sheet (0-based rows/cols)
    w_first: int = 4  # first criterion row
    w_col_min: int = 3
    w_col_max: int = 4
    w_col_raw: int = 5
    w_col_norm: int = 6

    @property
    def k(self) -> int:
        return len(self.rubric.criteria)

    @property
    def minshare_row(self) -> int:
        return self.w_first + self.k + 1

    @property
    def bands_first(self) -> int:
        return self.minshare_row + 4

    @property
    def gates_first(self) -> int:
        return self.bands_first + len(self.rubric.bands) + 3

    # The cells of the Weights sheet that formulas read go by workbook-level names
    # (``weight_1``, ``scale_min_1``, ``band_mins`` ...): formulas an analyst can read, and a
    # third of the length of 'Weights'!$G$5-style references on every row of Scores.
    def defined_names(self) -> dict[str, str]:
        """Each name the formulas use -> the absolute reference it stands for."""
        last_band = self.bands_first + len(self.rubric.bands) - 1
        names = {
            "min_share": absolute_ref("Weights", 2, self.minshare_row),
            "band_mins": column_range("Weights", 1, self.bands_first, last_band),
            "band_names": column_range("Weights", 0, self.bands_first, last_band),
        }
        for i in range(self.k):
            names[f"weight_{i + 1}"] = absolute_ref("Weights", self.w_col_norm, self.w_first + i)
            names[f"scale_min_{i + 1}"] = absolute_ref("Weights", self.w_col_min, self.w_first + i)
            names[f"scale_max_{i + 1}"] = absolute_ref("Weights", self.w_col_max, self.w_first + i)
        for g in range(len(self.rubric.gates)):
            names[f"gate_at_{g + 1}"] = absolute_ref("Weights", 3, self.gates_first + g)
            names[f"gate_cap_{g + 1}"] = absolute_ref("Weights", 5, self.gates_first + g)
        return names

    def weight(self, i: int) -> str:
        return f"weight_{i + 1}"

    def smin(self, i: int) -> str:
        return f"scale_min_{i + 1}"

    def smax(self, i: int) -> str:
        return f"scale_max_{i + 1}"

    @property
    def minshare(self) -> str:
        return "min_share"

    @property
    def band_mins(self) -> str:
        return "band_mins"

    @property
    def band_names(self) -> str:
        return "band_names"

    def gate_threshold(self, g: int) -> str:
        return f"gate_at_{g + 1}"

    def gate_cap_position(self, g: int) -> str:
        return f"gate_cap_{g + 1}"

    # Scores sheet columns
    @property
    def c_rank(self) -> int:
        return 0

    @property
    def c_id(self) -> int:
        return 1

    @property
    def c_carried(self) -> int:
        return 2

    @property
    def c_rating(self) -> int:
        return self.c_carried + len(self.carried)

    @property
    def c_contrib(self) -> int:
        return self.c_rating + self.k

    @property
    def c_completeness(self) -> int:
        return self.c_contrib + self.k

    @property
    def c_score(self) -> int:
        return self.c_completeness + 1

    @property
    def c_band(self) -> int:
        return self.c_score + 1

    # with a history: the previous period's score, the change since and its band
    @property
    def c_previous(self) -> int:
        return self.c_band + 1

    @property
    def c_change(self) -> int:
        return self.c_band + 2

    @property
    def c_previous_band(self) -> int:
        return self.c_band + 3

    @property
    def c_gates(self) -> int:
        return self.c_band + (4 if self.history else 1)

    @property
    def c_source(self) -> int:
        return self.c_gates + 1

    @property
    def c_key(self) -> int:
        return self.c_source + 3

    def scores_col(self, col: int) -> str:
        return column_range("Scores", col, 1, max(self.n, 1))


def scale_of(rubric: Rubric, i: int) -> tuple[float, float]:
    """The scale of criterion ``i`` as the Scores sheet shows it: 0-1 for indicator criteria."""
    c = rubric.criteria[i]
    return (c.scale.min, c.scale.max) if c.rated else (0.0, 1.0)


def carried_column(lay: Layout, names: tuple[str, ...]) -> int | None:
    """The position among the carried columns of the first named one of ``names``, or None."""
    for j, col in enumerate(lay.carried):
        if normalise_header(col) in names:
            return j
    return None
