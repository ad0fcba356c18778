"""The Result of scoring one or more tables: what every report writer is fed.

``Result.engagements`` has one row per valid engagement (scored or insufficient evidence),
``Result.rejected`` one :class:`~assess.validation.Rejection` per rejected row, and
``Result.to_dict()`` is the documented JSON contract.
"""

from __future__ import annotations

import datetime as dt
import gc
import math
import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .contract import result_contract
from .display import percent
from .rubric import Rubric, normalise_header
from .scoring import STATUS_INSUFFICIENT, STATUS_SCORED, input_columns
from .validation import Rejection

#: How many flags the terminal lists one per line (a table without evidence columns can have
#: a flag for most rows); every flag is in the JSON and the reports.
SHOWN_FLAGS = 20

#: Headers (compared after normalise_header) of the carried column that names an engagement.
NAME_HEADERS = ("engagement", "engagement name", "name", "title", "activity")


@dataclass(frozen=True)
class SourceInfo:
    """Where a table came from and how its rows were accounted for.

    Attributes
    ----------
    file : str
        The file's name as given (what the reports show).
    path : str
        The path it was read from.
    sha256 : str
        SHA-256 of the file's bytes, for the audit trail.
    sheet : str
        The sheet read (a CSV file's name for text files).
    header_row : int
        1-based row of the header.
    data_rows : int
        Rows below the header that hold anything; equals
        ``scored + insufficient + rejected + held``.
    scored, insufficient, rejected : int
        How those rows ended up.
    held : int
        Rows set aside as not in the required review status (``require_status``).
    flagged : int
        Warnings on the table's scored rows (a rating without required evidence, an unknown
        status).
    blank_rows : int
        Wholly blank rows inside the table, skipped (not counted as data rows).
    notes : tuple of str
        What the reader did that changes a result and the user asked for (e.g. a criterion
        scored as not rated with ``allow_missing``); shown in every output.
    columns : tuple of (str, str)
        ``(name, Excel column letter)`` of the id column and every criterion or indicator
        column read, for cell references.
    """

    file: str
    path: str
    sha256: str
    sheet: str
    header_row: int
    data_rows: int
    scored: int
    insufficient: int
    rejected: int
    blank_rows: int = 0
    notes: tuple[str, ...] = ()
    columns: tuple[tuple[str, str], ...] = ()
    held: int = 0
    flagged: int = 0

    @classmethod
    def of_table(
        cls,
        table: Any,
        *,
        data_rows: int,
        scored: int,
        insufficient: int,
        rejected: int,
        notes: tuple[str, ...] | None = None,
        also_columns: frozenset[str] = frozenset(),
        held: int = 0,
        flagged: int = 0,
    ) -> SourceInfo:
        """How the rows of ``table`` (a :class:`~assess.read.RawTable`) were accounted for;
        ``notes`` default to the table's own, and ``also_columns`` are carried columns whose
        letters are recorded too (a long table's rater, criterion and rating columns)."""
        return cls(
            file=table.name,
            path=str(table.path),
            sha256=table.sha256,
            sheet=table.sheet,
            header_row=table.header_row,
            data_rows=data_rows,
            scored=scored,
            insufficient=insufficient,
            rejected=rejected,
            held=held,
            flagged=flagged,
            blank_rows=table.blank_rows,
            notes=tuple(table.notes) if notes is None else notes,
            columns=tuple(
                (c.key, c.letter)
                for c in table.columns
                if c.role != "carry" or c.key in also_columns
            ),
        )

    def letter(self, key: str) -> str:
        return dict(self.columns).get(key, "")

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "sha256": self.sha256,
            "sheet": self.sheet,
            "header_row": self.header_row,
            "rows": self.data_rows,
            "scored": self.scored,
            "insufficient": self.insufficient,
            "rejected": self.rejected,
            "not_approved": self.held,
            "flagged": self.flagged,
            "blank_rows_skipped": self.blank_rows,
            "notes": list(self.notes),
        }


@dataclass
class Result:
    """Scores, insufficient-evidence rows and rejections, with the rubric and sources used.

    What :func:`assess.score` returns and every report writer takes.  For every source,
    ``scored + insufficient + rejected == data_rows``.

    Attributes
    ----------
    rubric : Rubric
        The rubric the engagements were scored against (name, version and hash are in every
        output).
    sources : list of SourceInfo
        One entry per table read, in the order read, with its row accounting.
    engagements : pandas.DataFrame
        Indexed by engagement id and sorted best first (scored rows by rank, then id;
        insufficient-evidence rows last).  Columns: ``source``, ``sheet``, ``row``, the
        scorer's columns (see :func:`assess.score_frame`: ``score``, ``band``, ``rank``,
        ``status``, ``completeness``, ``gate`` ...), ``<criterion>.rating`` (or
        ``<indicator>.value``) for every input, and the carried columns by their header.
    rejected : list of Rejection
        Rows that were not scored, each with the sheet, row and column of its problem.
    flags : list of Flag
        Warnings on rows that were scored (:class:`assess.review.Flag`): a rating without the
        evidence the rubric requires, a review status the rubric does not know; each names
        its cell.
    held : list of Held
        Rows not scored because their review status is not one required
        (``require_status``; :class:`assess.review.Held`), each with its status.
    carried_columns : list of str
        Headers of the input columns carried through to the reports (Name, Type ...).
    evidence_columns : list of str
        Those of the carried columns that hold evidence (a criterion's own, or the shared
        one); each engagement's evidence per criterion is also in ``<criterion>.evidence``.
    scored_at : str
        When scoring ran (UTC, ISO 8601); honours ``SOURCE_DATE_EPOCH`` for reproducible
        builds.
    agreement : Agreement or None
        Several raters' agreement (:class:`assess.analyses.agreement.Agreement`), when the
        input had several raters.
    sensitivity : Sensitivity or None
        Weight-sensitivity results (:class:`assess.analyses.sensitivity.Sensitivity`), when
        computed.
    history : PeriodContext or None
        The comparison with the previous recorded period and the trends
        (:class:`assess.history.context.PeriodContext`), when the result was recorded as a
        period and the context attached (``result.history = store.context(period)``): every
        report then shows each engagement's previous score, change and previous band, and the
        trends.
    comparison : Comparison or None
        Scores compared across groups (:class:`assess.analyses.groups.Comparison`), when
        attached (``result.comparison = assess.compare(result, by="Type")``): reports show it.
    require_status : tuple of str
        The review statuses a row had to be in to be scored (``require_status``), as the
        rubric spells them; ``()`` when every row was scored whatever its status.
    """

    rubric: Rubric
    sources: list[SourceInfo]
    engagements: pd.DataFrame
    rejected: list[Rejection] = field(default_factory=list)
    carried_columns: list[str] = field(default_factory=list)
    flags: list[Any] = field(default_factory=list)
    held: list[Any] = field(default_factory=list)
    evidence_columns: list[str] = field(default_factory=list)
    scored_at: str = field(default_factory=lambda: utc_now())
    agreement: Any = None
    sensitivity: Any = None
    history: Any = None
    comparison: Any = None
    require_status: tuple[str, ...] = ()

    # -- views ------------------------------------------------------------------------
    @property
    def scored(self) -> pd.DataFrame:
        # a plain mask: a boolean Series would have its (large) id index hashed to align it
        return self.engagements[(self.engagements["status"] == STATUS_SCORED).to_numpy()]

    @property
    def insufficient(self) -> pd.DataFrame:
        return self.engagements[(self.engagements["status"] == STATUS_INSUFFICIENT).to_numpy()]

    @property
    def counts(self) -> dict[str, int]:
        n_scored = int((self.engagements["status"] == STATUS_SCORED).sum())
        n_insufficient = int((self.engagements["status"] == STATUS_INSUFFICIENT).sum())
        return {
            "rows": n_scored + n_insufficient + len(self.rejected) + len(self.held),
            "scored": n_scored,
            "insufficient": n_insufficient,
            "rejected": len(self.rejected),
            "not_approved": len(self.held),
        }

    @property
    def clean(self) -> bool:
        """True when every row was scored (exit code 0)."""
        c = self.counts
        return c["scored"] == c["rows"]

    @property
    def exit_code(self) -> int:
        return 0 if self.clean else 1

    def summary_line(self) -> str:
        c = self.counts
        if self.agreement is not None:  # several raters: engagements, and rating rows rejected
            a = self.agreement
            return (
                f"{c['scored']} scored, {c['insufficient']} insufficient evidence of "
                f"{c['scored'] + c['insufficient']} engagements; {a.rows_rejected} of "
                f"{a.rows_read} rating rows rejected ({len(a.raters)} raters)"
            )
        held = f", {c['not_approved']} not approved" if c["not_approved"] else ""
        flagged = ""
        if self.flags:
            n = len(self.flags)
            flagged = f"; {n} flag{'s' if n > 1 else ''} ({self.flag_summary()})"
        return (
            f"{c['scored']} scored, {c['insufficient']} insufficient evidence, "
            f"{c['rejected']} rejected{held} of {c['rows']} rows{flagged}"
        )

    def flag_summary(self) -> str:
        """What the flags are, counted: ``3 ratings without required evidence, 1 unknown
        status``."""
        evidence = sum(f.kind == "evidence" for f in self.flags)
        status = len(self.flags) - evidence
        parts = []
        if evidence:
            plural = "s" if evidence > 1 else ""
            parts.append(f"{evidence} rating{plural} without required evidence")
        if status:
            parts.append(f"{status} unknown status{'es' if status > 1 else ''}")
        return ", ".join(parts)

    def source_notes(self) -> list[str]:
        """What reading the inputs noted, as ``"file: note"`` lines (e.g. a criterion scored
        without a column, as allowed; a table found on a hidden sheet).  Every output shows
        them, with what the reports themselves cannot hold
        (:func:`assess.report.safety.report_notes`)."""
        return [f"{s.file}: {note}" for s in self.sources for note in s.notes]

    def problem_lines(self) -> list[str]:
        """One line per insufficient-evidence row, per rejected row, per row not approved and
        per flag (the first :data:`SHOWN_FLAGS` flags, then how many more)."""
        need = percent(self.rubric.missing.min_weight_share)
        lines = []
        for eid, row in self.insufficient.iterrows():
            missing = ", ".join(self.rubric.criterion(m).label for m in missing_criteria(self, row))
            lines.append(
                f"insufficient {row['sheet']} row {row['row']} {eid}: "
                f"{percent(row['completeness'])} of the weight rated (need {need}); "
                f"missing {missing}"
            )
        lines += [f"rejected {rej}" for rej in self.rejected]
        lines += [f"not approved {held}" for held in self.held]
        lines += [f"flagged {flag}" for flag in self.flags[:SHOWN_FLAGS]]
        if len(self.flags) > SHOWN_FLAGS:
            lines.append(
                f"flagged: {len(self.flags) - SHOWN_FLAGS} more (every flag is in --format json "
                "and in the reports)"
            )
        return lines

    def band_counts(self) -> dict[str, int]:
        counts = self.scored["band"].value_counts()
        return {name: int(counts.get(name, 0)) for name in self.rubric.band_names}

    def band_shares(self) -> dict[str, float]:
        """Each band's share of the scored engagements (0 when none was scored)."""
        counts = self.band_counts()
        n = sum(counts.values())
        return {name: count / n if n else 0.0 for name, count in counts.items()}

    @property
    def blank_rows(self) -> int:
        """Blank rows skipped, over every source."""
        return sum(s.blank_rows for s in self.sources)

    @property
    def name_column(self) -> str | None:
        """The carried column that names each engagement (first of NAME_HEADERS), if any."""
        return naming_column(self.carried_columns)

    def criterion_inputs(self) -> pd.DataFrame:
        """Each criterion's input per engagement, as the Excel report's Scores sheet shows it:
        the rating, or for a criterion measured by indicators its combined 0-1 amount (before
        direction).  One column per criterion id, indexed like ``engagements``."""
        eng = self.engagements
        out = {}
        for c in self.rubric.criteria:
            if c.rated:
                out[c.id] = eng[f"{c.id}.rating"].to_numpy(dtype=float)
            else:
                x = eng[f"{c.id}.normalised"].to_numpy(dtype=float)
                out[c.id] = 1.0 - x if c.direction == "cost" else x
        return pd.DataFrame(out, index=eng.index, columns=self.rubric.ids)

    def criterion_stats(self) -> pd.DataFrame:
        """Per-criterion statistics over the **scored** engagements only (an
        insufficient-evidence row is in none of them), one row per criterion id:

        ``weight``; ``rated`` (engagements with a value); ``mean``, ``std`` (sample),
        ``min`` and ``max`` of :meth:`criterion_inputs`; ``points``, the mean contribution
        where rated.  Every report shows these figures from here.
        """
        mask = (self.engagements["status"] == STATUS_SCORED).to_numpy()
        inputs = self.criterion_inputs()[mask]
        scored = self.engagements[mask]
        rows = []
        for c in self.rubric.criteria:
            x = inputs[c.id].dropna()
            rows.append(
                {
                    "weight": c.weight,
                    "rated": int(len(x)),
                    "mean": float(x.mean()) if len(x) else math.nan,
                    "std": float(x.std(ddof=1)) if len(x) > 1 else math.nan,
                    "min": float(x.min()) if len(x) else math.nan,
                    "max": float(x.max()) if len(x) else math.nan,
                    "points": float(scored[f"{c.id}.contribution"].astype(float).mean())
                    if len(x)
                    else math.nan,
                }
            )
        return pd.DataFrame(rows, index=pd.Index(self.rubric.ids, name="criterion"))

    def rating_column(self, criterion_id: str) -> str:
        return f"{criterion_id}.rating"

    def evidence_shares(self) -> pd.DataFrame:
        """Per criterion (index: ids), over the engagements scored or short of evidence:
        ``rated`` (with a value), ``with_evidence`` (of those, with evidence) and ``share``
        (NaN when none is rated)."""
        eng = self.engagements
        rows = []
        for c in self.rubric.criteria:
            rated = eng[f"{c.id}.normalised"].notna().to_numpy()
            column = f"{c.id}.evidence"
            cited = eng[column].notna().to_numpy() if column in eng.columns else rated & False
            n, k = int(rated.sum()), int((rated & cited).sum())
            rows.append({"rated": n, "with_evidence": k, "share": k / n if n else math.nan})
        return pd.DataFrame(rows, index=pd.Index(self.rubric.ids, name="criterion"))

    def status_counts(self) -> dict[str, int]:
        """Rows per review status, over every row that has one (the rubric's statuses in
        order, then any other status as written, then ``""`` for rows without one); rejected
        rows are not counted (their cells are not read)."""
        column = "review.status"
        values = self.engagements[column].tolist() if column in self.engagements.columns else []
        values += [h.status for h in self.held]
        known = {s.casefold(): s for s in self.rubric.statuses}
        counts: dict[str, int] = dict.fromkeys(self.rubric.statuses, 0)
        for v in values:
            text = "" if v is None or v != v else " ".join(str(v).split())
            name = known.get(text.casefold(), text)
            counts[name] = counts.get(name, 0) + 1
        return counts

    # -- the JSON contract ------------------------------------------------------------
    def summary(self) -> dict[str, Any]:
        return {
            **self.counts,
            "blank_rows_skipped": self.blank_rows,
            "bands": self.band_counts(),
        }

    def to_dict(self) -> dict[str, Any]:
        """The machine contract written by ``--format json`` (see the README)."""
        # hundreds of thousands of small dicts and lists, in no cycle: the cyclic collector
        # would otherwise run again and again over all of them while they are built
        collecting = gc.isenabled()
        gc.disable()
        try:
            return result_contract(self)
        finally:
            if collecting:
                gc.enable()


def utc_now() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = (
        dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
        if epoch and epoch.isdigit()
        else dt.datetime.now(dt.timezone.utc)
    )
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def missing_criteria(result: Result, row: pd.Series) -> list[str]:
    """Ids of the criteria with no usable value in an engagement row."""
    return [c.id for c in result.rubric.criteria if pd.isna(row[f"{c.id}.normalised"])]


def naming_column(carried: list[str]) -> str | None:
    """The first of the ``carried`` column headers that names an engagement (one of
    :data:`NAME_HEADERS`, compared after :func:`~assess.rubric.normalise_header`), if any."""
    for col in carried:
        if normalise_header(col) in NAME_HEADERS:
            return col
    return None


def input_labels(rubric: Rubric) -> dict[str, str]:
    """Each input column's name in an engagements frame: ``<criterion>.rating`` for a rated
    criterion, ``<indicator>.value`` for an indicator."""
    names = {}
    for c in rubric.criteria:
        if c.rated:
            names[c.id] = f"{c.id}.rating"
        for i in c.indicators:
            names[i.id] = f"{i.id}.value"
    return names


def engagement_rows(
    rubric: Rubric,
    ratings: pd.DataFrame,
    scores: pd.DataFrame,
    carried: pd.DataFrame,
    *,
    source: Any,
    sheet: Any,
    row: Any,
) -> pd.DataFrame:
    """The rows of :attr:`Result.engagements` for scored ``ratings``, on their index.

    Parameters
    ----------
    rubric : Rubric
        The rubric they were scored against.
    ratings : pandas.DataFrame
        The scorer's inputs (one column per :func:`~assess.scoring.input_columns`).
    scores : pandas.DataFrame
        What :func:`~assess.scoring.score_frame` gave for them.
    carried : pandas.DataFrame
        The carried input columns.
    source, sheet, row : array-like
        Where each row was read: file name, sheet and (Excel) row, one value per row.

    Returns
    -------
    pandas.DataFrame
        ``source``, ``sheet`` and ``row``, the scorer's columns, the inputs under the names
        :func:`input_labels` gives them, then the carried columns.
    """
    inputs = ratings[input_columns(rubric)].rename(columns=input_labels(rubric))
    meta = pd.DataFrame({"source": source, "sheet": sheet, "row": row}, index=ratings.index)
    return pd.concat([meta, scores, inputs, carried], axis=1)


def order_best_first(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` (an engagements frame) best first: see :func:`order_positions`."""
    return table.iloc[order_positions(table["status"], table["rank"], table.index)]


def order_positions(status: pd.Series, rank: pd.Series, ids: pd.Index) -> np.ndarray:
    """Best first: scored rows by rank then id, insufficient-evidence rows last by id."""
    import pyarrow as pa
    import pyarrow.compute as pc

    values = ids.to_numpy(dtype=object)
    try:  # ids are text; Arrow compares UTF-8 bytes, which orders as code points do
        id_keys = pa.array(values, type=pa.large_string())
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        id_keys = pa.array([str(i) for i in values], type=pa.large_string())
    keys = pa.table(
        {
            "unscored": (status != STATUS_SCORED).to_numpy(),
            "rank": rank.fillna(np.iinfo(np.int64).max).to_numpy(dtype="int64"),
            "id": id_keys,
        }
    )
    order = pc.sort_indices(keys, sort_keys=[(k, "ascending") for k in keys.column_names])
    return order.to_numpy()
