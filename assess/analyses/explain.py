"""Why an engagement scored what it did, and the smallest change that would lift its band.

:func:`explain` takes a scored :class:`~assess.result.Result` (or a file) and an engagement id
and returns an :class:`Explanation`: each criterion's rating with the descriptor of its level,
its weight and its contribution in points, the gates that capped the band, and for each rated
criterion the smallest improvement of that criterion alone that lifts the engagement into a
better band (``transparency 2 → 3 adds 6.3 points: Effective``).  Every suggestion is found and
checked by rescoring the changed ratings with the real scorer, gates included.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..display import fixed, percent, rounded
from ..errors import InputError
from ..limits import DEFAULT_MAX_INPUT_SIZE, MaxSize
from ..pipeline import scored
from ..result import Result
from ..review import REVIEW_FIELDS, Held, evidence_field
from ..rubric import DEFAULT_RUBRIC, Gate, Level, Rubric
from ..scoring import STATUS_SCORED, band_index, score_frame
from ..validation import Rejection, id_key


@dataclass(frozen=True)
class CriterionPart:
    """One criterion of an engagement's score."""

    id: str
    label: str
    direction: str
    weight: float  # the rubric's (normalised) weight
    effective_weight: float  # renormalised over the criteria rated
    rating: float | None  # None for a criterion measured by indicators, or not rated
    indicators: dict[str, float | None] | None
    levels: tuple[Level, ...]  # the level of the rating (both neighbours of a fraction)
    normalised: float | None
    contribution: float | None
    raters: dict[str, float | None] | None = None  # each rater's rating, for several raters
    evidence: str | None = None  # the evidence behind the rating, as written
    flag: str | None = None  # why it is flagged (the evidence the rubric requires is missing)

    @property
    def missing(self) -> bool:
        return self.normalised is None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "label": self.label,
            "direction": self.direction,
            "weight": self.weight,
            "effective_weight": self.effective_weight,
        }
        if self.indicators is not None:
            out["indicators"] = self.indicators
        else:
            out["rating"] = self.rating
            out["levels"] = [
                {"value": lv.value, "label": lv.label, "descriptor": lv.descriptor}
                for lv in self.levels
            ]
        out.update(normalised=self.normalised, contribution=self.contribution)
        out.update(evidence=self.evidence, flag=self.flag)
        if self.raters is not None:
            out["raters"] = self.raters
        return out


@dataclass(frozen=True)
class Improvement:
    """A change of one criterion's rating and what the real scorer makes of it."""

    criterion: str
    label: str
    rating: float | None  # None: not rated now
    to: float
    score: float
    points: float  # added to the score
    band: str
    steps: float  # levels moved (for a criterion not rated now: its distance from the worst)

    def text(self) -> str:
        """The change in words.  The points shown are the difference between the new score
        and the current one *as shown* (:mod:`assess.display`), so the headline score plus
        these points is the new score as every report shows it."""
        was = "not rated" if self.rating is None else f"{self.rating:g}"
        gain = rounded(self.score, 1) - rounded(self.score - self.points, 1)
        return f"{self.criterion} {was} → {self.to:g} adds {gain:f} points: {self.band}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "criterion": self.criterion,
            "rating": self.rating,
            "to": self.to,
            "score": self.score,
            "points": self.points,
            "band": self.band,
            "steps": self.steps,
            "text": self.text(),
        }


@dataclass
class Explanation:
    """One engagement's score, criterion by criterion, and how it could reach the next band.

    Every figure is shown rounded by the one rule of :mod:`assess.display`, the same as in
    every report, so a criterion's points here are the points the HTML report and the
    workbook show.  Rounded one by one, the points shown need not add up to the score shown:
    18.75 + 18.75 + 15 + 11.25 + 7.5 = 71.25 shows as 18.8 + 18.8 + 15.0 + 11.3 + 7.5 = 71.4
    against a score of 71.3.  They are not nudged to add up (a largest-remainder share-out
    would show some criterion with points it does not have, and differently from the other
    reports); instead :meth:`points_note` says that they are rounded whenever they do not.
    """

    id: str
    status: str
    score: float | None
    band: str | None
    band_by_score: str | None
    rank: int | None
    of: int
    completeness: float
    source: str
    sheet: str
    row: int
    name: str | None
    criteria: list[CriterionPart]
    gates: list[Gate]
    next_band: str | None  # the band above, None at the top (or when not scored)
    next_band_min: float | None
    improvements: list[Improvement] = field(default_factory=list)
    rubric: Rubric | None = field(default=None, repr=False)
    #: why the row was rejected (``status == "rejected"``): nothing of it was scored
    rejection: Rejection | None = None
    #: the row's review fields (status, assessed by and on, reviewed by) as written
    review: dict[str, str | None] = field(default_factory=dict)
    #: the warnings on the row (:class:`assess.review.Flag`)
    flags: list[Any] = field(default_factory=list)
    #: why the row was not scored when its status is not one required (``require_status``)
    held: Any = None

    @property
    def exit_code(self) -> int:
        """0 when the engagement was scored; 1 when rejected or short of evidence."""
        return 0 if self.status == STATUS_SCORED else 1

    def headline(self) -> str:
        name = f" {self.name}" if self.name else ""
        if self.rejection is not None:
            return f"{self.id}: rejected, not scored: {self.rejection}"
        if self.held is not None:
            return f"{self.id}: not approved, not scored: {self.held.reason}"
        if self.status != STATUS_SCORED:
            return (
                f"{self.id}{name}: insufficient evidence ({percent(self.completeness)} of the "
                "weight rated), not scored"
            )
        capped = f" (capped from {self.band_by_score})" if self.band_by_score != self.band else ""
        return (
            f"{self.id}{name}: score {fixed(self.score, 1)}, rank {self.rank} of {self.of}, "
            f"{self.band}{capped}"
        )

    def points_note(self) -> str:
        """A line saying that the points are rounded, when the points shown (one decimal each)
        do not add up to the score shown; "" when they do or the engagement is not scored."""
        if self.status != STATUS_SCORED or self.score is None:
            return ""
        shown = sum(
            (rounded(c.contribution, 1) for c in self.criteria if c.contribution is not None),
            start=Decimal(0),
        )
        score = rounded(self.score, 1)
        if shown == score:
            return ""
        return (
            f"Points are rounded to one decimal each: as shown they add up to {shown:f}, "
            f"not {score:f}; unrounded they add up to the score."
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "score": self.score,
            "band": self.band,
            "band_by_score": self.band_by_score,
            "rank": self.rank,
            "of": self.of,
            "completeness": self.completeness,
            "source": self.source,
            "sheet": self.sheet,
            "row": self.row,
            "name": self.name,
            "criteria": [c.to_dict() for c in self.criteria],
            "gates": [{"id": g.id, "rule": g.describe(), "reason": g.reason} for g in self.gates],
            "next_band": self.next_band,
            "next_band_min": self.next_band_min,
            "improvements": [i.to_dict() for i in self.improvements],
            "rejection": self.rejection.to_dict() if self.rejection is not None else None,
            "review": self.review,
            "flags": [f.to_dict() for f in self.flags],
            "not_approved": self.held.to_dict() if self.held is not None else None,
        }


def _value(v: Any) -> float | None:
    if v is None or v is pd.NA:
        return None
    f = float(v)
    return f if math.isfinite(f) else None


def _levels(rubric: Rubric, cid: str, rating: float | None) -> tuple[Level, ...]:
    c = rubric.criterion(cid)
    if rating is None or not c.rated:
        return ()
    values = {math.floor(rating), math.ceil(rating)}
    return tuple(lv for lv in (c.level(int(v)) for v in sorted(values)) if lv is not None)


def _inputs_row(result: Result, row: pd.Series) -> dict[str, float]:
    out: dict[str, float] = {}
    for c in result.rubric.criteria:
        if c.rated:
            out[c.id] = float(row[f"{c.id}.rating"])
        for ind in c.indicators:
            out[ind.id] = float(row[f"{ind.id}.value"])
    return out


def improvements(result: Result, engagement_id: str) -> list[Improvement]:
    """For each rated criterion, the smallest change of its rating alone (whole levels, towards
    better) that puts the engagement in a better band, as the real scorer finds it; best first
    by levels moved, then points added."""
    rubric = result.rubric
    row = result.engagements.loc[engagement_id]
    if row["status"] != STATUS_SCORED:
        return []
    names = rubric.band_names
    current = names.index(row["band"])
    if current == 0:
        return []
    base = _inputs_row(result, row)
    candidates: list[tuple[str, float | None, float, float]] = []  # (criterion, from, to, steps)
    for c in rubric.criteria:
        if not c.rated:
            continue
        r = base[c.id]
        values = [float(lv.value) for lv in sorted(c.scale.levels, key=lambda lv: lv.value)]
        if c.direction == "cost":
            values = values[::-1]  # less friction is better
        if math.isnan(r):
            worst = values[0]
            candidates += [(c.id, None, v, abs(v - worst)) for v in values]
            continue
        better = [v for v in values if (v < r if c.direction == "cost" else v > r)]
        candidates += [(c.id, r, v, abs(v - r)) for v in better]
    if not candidates:
        return []
    frame = pd.DataFrame([base] * len(candidates), index=range(len(candidates)))
    for i, (cid, _, to, _) in enumerate(candidates):
        frame.loc[i, cid] = to
    rescored = score_frame(frame, rubric)
    found: dict[str, Improvement] = {}
    for i, (cid, was, to, steps) in enumerate(candidates):
        if cid in found:
            continue
        out = rescored.loc[i]
        if out["status"] != STATUS_SCORED or names.index(out["band"]) >= current:
            continue
        found[cid] = Improvement(
            criterion=cid,
            label=rubric.criterion(cid).label,
            rating=was,
            to=to,
            score=float(out["score"]),
            points=float(out["score"]) - float(row["score"]),
            band=str(out["band"]),
            steps=steps,
        )
    return sorted(found.values(), key=lambda m: (m.rating is None, m.steps, -m.points))


def explain_result(result: Result, engagement_id: str) -> Explanation:
    """Explain one engagement of a scored result (see :func:`explain`)."""
    rubric = result.rubric
    eid = _find(result, engagement_id)
    if not isinstance(eid, str):
        return _not_scored(result, eid)
    row = result.engagements.loc[eid]
    flags = [f for f in result.flags if f.id == eid]
    flagged = {f.criterion: f.reason for f in flags if f.criterion is not None}
    scored = row["status"] == STATUS_SCORED
    present = {c.id for c in rubric.criteria if _value(row[f"{c.id}.normalised"]) is not None}
    rated_weight = sum(c.weight for c in rubric.criteria if c.id in present)
    spread = result.agreement.spread if result.agreement is not None else None
    parts = []
    for c in rubric.criteria:
        rating = _value(row[f"{c.id}.rating"]) if c.rated else None
        raters = None
        if spread is not None and (eid, c.id) in spread.index:
            cell = spread.loc[(eid, c.id)]
            raters = {r: _value(cell[f"rater:{r}"]) for r in result.agreement.raters}
        parts.append(
            CriterionPart(
                id=c.id,
                label=c.label,
                direction=c.direction,
                weight=c.weight,
                effective_weight=c.weight / rated_weight
                if c.id in present and rated_weight
                else 0.0,
                rating=rating,
                indicators=None
                if c.rated
                else {i.id: _value(row[f"{i.id}.value"]) for i in c.indicators},
                levels=_levels(rubric, c.id, rating),
                normalised=_value(row[f"{c.id}.normalised"]),
                contribution=_value(row[f"{c.id}.contribution"]) if scored else None,
                raters=raters,
                evidence=_text(row.get(evidence_field(c.id))),
                flag=flagged.get(c.id),
            )
        )
    names = rubric.band_names
    gates = [g for g in rubric.gates if g.id in str(row["gates"]).split(",")]
    band_by_score = None
    next_band = next_min = None
    if scored:
        band_by_score = names[int(band_index(np.array([float(row["score"])]), rubric)[0])]
        i = names.index(row["band"])
        if i > 0:
            next_band, next_min = names[i - 1], rubric.bands[i - 1].min
    name_col = result.name_column
    name = row[name_col] if name_col else None
    return Explanation(
        id=str(eid),
        status=str(row["status"]),
        score=_value(row["score"]) if scored else None,
        band=str(row["band"]) if scored else None,
        band_by_score=band_by_score,
        rank=int(row["rank"]) if scored else None,
        of=len(result.scored),
        completeness=float(row["completeness"]),
        source=str(row["source"]),
        sheet=str(row["sheet"]),
        row=int(row["row"]),
        name=None if name is None or (isinstance(name, float) and np.isnan(name)) else str(name),
        criteria=parts,
        gates=gates,
        next_band=next_band,
        next_band_min=next_min,
        improvements=improvements(result, eid),
        rubric=rubric,
        review={name.removeprefix("review."): _text(row.get(name)) for name in REVIEW_FIELDS},
        flags=flags,
    )


def _text(value: Any) -> str | None:
    """A review cell (text, or None where blank)."""
    return None if value is None or value is pd.NA or value != value else str(value)


def _not_scored(result: Result, row: Rejection | Held) -> Explanation:
    """A row that was not scored: rejected, or not in a required status."""
    rejection = row if isinstance(row, Rejection) else None
    return Explanation(
        id=str(row.id),
        status="rejected" if rejection is not None else "not approved",
        score=None,
        band=None,
        band_by_score=None,
        rank=None,
        of=len(result.scored),
        completeness=0.0,
        source=row.file,
        sheet=row.sheet,
        row=row.row,
        name=None,
        criteria=[],
        gates=[],
        next_band=None,
        next_band_min=None,
        rubric=result.rubric,
        rejection=rejection,
        held=None if rejection is not None else row,
    )


def _find(result: Result, engagement_id: str) -> str | Rejection | Held:
    """The engagement's id as the result holds it, or the rejection of the row holding it, or
    the row set aside as not in a required status."""
    ids = [str(i) for i in result.engagements.index]
    wanted = " ".join(str(engagement_id).split())
    if wanted in ids:
        return wanted
    key = id_key(wanted)  # the same id as the file compares them ('2.0' is 2)
    by_key = {id_key(i): i for i in ids}
    if key in by_key:
        return by_key[key]
    folded = {k.casefold(): i for k, i in by_key.items()}
    if key.casefold() in folded:
        return folded[key.casefold()]
    # a rejected row: the first one carrying the id (a later duplicate names the first)
    for exact in (True, False):
        for rej in result.rejected:
            if rej.id is not None and (
                id_key(rej.id) == key if exact else id_key(rej.id).casefold() == key.casefold()
            ):
                return rej
    for held in result.held:
        if held.id is not None and id_key(held.id).casefold() == key.casefold():
            return held
    close = difflib.get_close_matches(wanted, ids, n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    rejected = f" ({len(result.rejected)} rows were rejected)" if result.rejected else ""
    raise InputError(f"no engagement {wanted!r} among the {len(ids)} read{rejected}{hint}")


def explain(
    source: Result | str | Path | pd.DataFrame | Iterable[str | Path | pd.DataFrame],
    engagement_id: str,
    rubric: str | Path | Rubric = DEFAULT_RUBRIC,
    sheet: str | int | None = None,
    *,
    id_column: str | None = None,
    allow_missing: str | Iterable[str] | None = None,
    max_input_size: MaxSize = DEFAULT_MAX_INPUT_SIZE,
) -> Explanation:
    """Explain one engagement's score and what would lift it into the next band.

    Parameters
    ----------
    source : Result, str, Path, pandas.DataFrame or an iterable of them
        A scored :class:`~assess.result.Result`, or what :func:`assess.score` takes.
    engagement_id : str
        The engagement's id (case and spacing need not match exactly).
    rubric, sheet, id_column, allow_missing, max_input_size : optional
        As for :func:`assess.score` (ignored when ``source`` is a Result).

    Returns
    -------
    Explanation
        Each criterion's rating, level descriptor, weight and points; the gates that applied;
        ``improvements``, the smallest single-criterion changes that reach a better band.
        For a row with too little evidence, ``status`` is ``"insufficient"``; for a rejected
        row, ``status`` is ``"rejected"`` and ``rejection`` says where and why.

    Raises
    ------
    InputError
        No row has that id.

    Examples
    --------
    >>> import assess
    >>> e = assess.explain("examples/engagements.xlsx", "MD-2025-015")
    >>> e.band, [m.text() for m in e.improvements][:1]
    ('Effective', ['resources 2 → 4 adds 7.5 points: Highly effective'])
    """
    result = scored(
        source,
        rubric,
        sheet,
        id_column=id_column,
        allow_missing=allow_missing,
        max_input_size=max_input_size,
    )
    return explain_result(result, engagement_id)


__all__ = [
    "CriterionPart",
    "Explanation",
    "Improvement",
    "explain",
    "explain_result",
    "improvements",
]
