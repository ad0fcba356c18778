"""What a batch did: each input's outcome, and the totals over all of them."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from ..._version import __version__
from ...rubric import Rubric


@dataclass
class FileOutcome:
    """What happened to one input of a batch."""

    input: str
    sha256: str = ""
    status: str = "scored"  # scored | unchanged | failed | skipped (assess wrote it)
    report: str = ""
    rows: int = 0
    scored: int = 0
    insufficient: int = 0
    rejected: int = 0
    #: rows not in the required review status, and warnings on scored rows
    not_approved: int = 0
    flagged: int = 0
    error: str = ""
    seconds: float = 0.0
    sheet: str = ""
    #: what reading the file noted (e.g. a criterion allowed to have no column)
    notes: list[str] = field(default_factory=list)
    engagements: list[dict[str, Any]] = field(default_factory=list, repr=False)

    @property
    def clean(self) -> bool:
        return self.status != "failed" and self.scored == self.rows

    def summary_line(self) -> str:
        """How the file's rows were accounted for, or why it failed."""
        if self.status == "failed":
            return self.error
        if self.status == "skipped":
            return "; ".join(self.notes)
        held = f", {self.not_approved} not approved" if self.not_approved else ""
        flags = f"; {self.flagged} flagged" if self.flagged else ""
        return (
            f"{self.scored} scored, {self.insufficient} insufficient evidence, "
            f"{self.rejected} rejected{held} of {self.rows} rows{flags}"
        )

    def summary(self) -> dict[str, Any]:
        # not dataclasses.asdict: it would deep-copy every engagement only to drop them
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "engagements"}


def _now() -> str:
    from ...result import utc_now  # pandas, numpy: not loaded until a batch runs

    return utc_now()


@dataclass
class BatchResult:
    """Every input's outcome, where the portfolio was written and when the batch was scored
    (``scored_at``, as :attr:`Result.scored_at <assess.result.Result.scored_at>`: the date the
    portfolio prints)."""

    outdir: Path
    rubric: Rubric
    files: list[FileOutcome]
    portfolio: Path | None = None
    seconds: float = 0.0
    scored_at: str = field(default_factory=_now)

    @property
    def failed(self) -> list[FileOutcome]:
        return [f for f in self.files if f.status == "failed"]

    @property
    def skipped(self) -> list[FileOutcome]:
        return [f for f in self.files if f.status == "skipped"]

    @property
    def exit_code(self) -> int:
        if self.failed:
            return 2
        return 0 if all(f.clean for f in self.files) else 1

    def totals(self) -> dict[str, int]:
        ok = [f for f in self.files if f.status != "failed"]
        return {
            "files": len(self.files),
            "failed": len(self.failed),
            "unchanged": sum(f.status == "unchanged" for f in self.files),
            "skipped": sum(f.status == "skipped" for f in self.files),
            "rows": sum(f.rows for f in ok),
            "scored": sum(f.scored for f in ok),
            "insufficient": sum(f.insufficient for f in ok),
            "rejected": sum(f.rejected for f in ok),
            "not_approved": sum(f.not_approved for f in ok),
            "flagged": sum(f.flagged for f in ok),
        }

    def summary_line(self) -> str:
        t = self.totals()
        held = f", {t['not_approved']} not approved" if t["not_approved"] else ""
        flags = f"; {t['flagged']} flagged" if t["flagged"] else ""
        return (
            f"{t['files']} files ({t['failed']} failed, {t['unchanged']} unchanged, "
            f"{t['skipped']} skipped): "
            f"{t['scored']} scored, {t['insufficient']} insufficient evidence, "
            f"{t['rejected']} rejected{held} of {t['rows']} rows{flags}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "assess_version": __version__,
            "rubric": self.rubric.describe(),
            "outdir": str(self.outdir),
            "portfolio": str(self.portfolio) if self.portfolio else None,
            "totals": self.totals(),
            "files": [f.summary() for f in self.files],
        }
