"""What every report shows of the review trail, worked out once for all formats: each
criterion's ratings with evidence (when any rating cites some) and the rows per review status
(when any row has one)."""

from __future__ import annotations

from dataclasses import dataclass

from ..result import Result

#: How a row without a status is shown among the statuses.
NO_STATUS = "(no status)"


@dataclass(frozen=True)
class EvidenceShare:
    """One criterion's ratings (of the scored and insufficient-evidence rows) and how many
    of them cite evidence; ``share`` is NaN when none is rated."""

    id: str
    label: str
    rated: int
    with_evidence: int
    share: float


@dataclass(frozen=True)
class ReviewSummary:
    """The evidence shares (empty when no rating cites evidence) and the rows per status, in
    the rubric's order (empty when no row has a status; rows without one as
    :data:`NO_STATUS`)."""

    shares: tuple[EvidenceShare, ...]
    statuses: tuple[tuple[str, int], ...]

    @property
    def empty(self) -> bool:
        return not self.shares and not self.statuses


def review_summary(result: Result) -> ReviewSummary:
    """The :class:`ReviewSummary` of ``result``."""
    shares = result.evidence_shares()
    counts = {k: v for k, v in result.status_counts().items() if v}
    cited = int(shares["with_evidence"].sum()) > 0
    return ReviewSummary(
        shares=tuple(
            EvidenceShare(
                c.id,
                c.label,
                int(shares.at[c.id, "rated"]),
                int(shares.at[c.id, "with_evidence"]),
                float(shares.at[c.id, "share"]),
            )
            for c in result.rubric.criteria
        )
        if cited
        else (),
        statuses=tuple((k or NO_STATUS, v) for k, v in counts.items())
        if set(counts) - {""}
        else (),
    )
