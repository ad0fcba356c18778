"""The evidence and review trail in the HTML report: the evidence under each rating of a
breakdown (plain text, or with ``link_evidence`` its web addresses as live links), the share of
ratings with evidence and the rows per status in the summary, and the lists of flags and rows
not approved.

Evidence is input text: it is defused and cleaned like every carried cell and escaped by
Jinja2; only an ``http://`` or ``https://`` address becomes a link, and only when asked for,
opened in a new tab without a referrer.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

from ...result import Result
from ..review_content import review_summary
from ..safety import ADDRESS_END, WEB_ADDRESS, clean_text, safe_cell

#: How many flags the report lists (a table without evidence columns may have one for most
#: rows); every flag is in the JSON report.
FLAGS_SHOWN = 200


def evidence_markup(text: str | None, link: bool) -> Markup | None:
    """The evidence as HTML: escaped text, its ``http(s)`` addresses live links when
    ``link``; None when there is none."""
    if text is None:
        return None
    shown = str(safe_cell(text))
    if not link:
        return escape(shown)
    out, at = [], 0
    for m in WEB_ADDRESS.finditer(shown):
        url = m.group(0).rstrip(ADDRESS_END)
        out.append(escape(shown[at : m.start()]))
        out.append(
            Markup(
                '<a href="{0}" rel="noopener noreferrer nofollow" target="_blank">{0}</a>'
            ).format(url)
        )
        at = m.start() + len(url)
    out.append(escape(shown[at:]))
    return Markup("").join(out)


def flag_index(result: Result) -> dict[tuple[Any, str], str]:
    """(engagement id, criterion id) -> why its rating is flagged."""
    return {(f.id, f.criterion): f.reason for f in result.flags if f.criterion is not None}


def criterion_evidence(
    flags: dict[tuple[Any, str], str], eid: Any, row: dict[str, Any], cid: str, link: bool
) -> dict[str, Any]:
    """What a breakdown shows under a rating: its evidence, and the flag (from ``flags``, a
    :func:`flag_index`) when the rubric asks for evidence it does not have."""
    flag = flags.get((eid, cid))
    text = row.get(f"{cid}.evidence")
    return {
        "evidence": evidence_markup(None if text is None or text != text else text, link),
        "flag": None if flag is None else clean_text(flag),
    }


def shared_evidence(criteria: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The evidence that two or more criteria of a breakdown cite alike (the most cited):
    shown once under the breakdown rather than under each of their ratings, whose own entries
    are then cleared, in place.  ``{"text", "every"}`` (``every``: no rating cites another),
    or None."""
    cited = [item for item in criteria if item["evidence"] is not None]
    counts: dict[str, int] = {}
    for item in cited:
        counts[str(item["evidence"])] = counts.get(str(item["evidence"]), 0) + 1
    if not counts or max(counts.values()) < 2:
        return None
    common = max(counts, key=lambda text: counts[text])
    text = next(item["evidence"] for item in cited if str(item["evidence"]) == common)
    for item in cited:
        if str(item["evidence"]) == common:
            item["evidence"] = None
    return {"text": text, "every": counts[common] == len(cited)}


def review_context(result: Result) -> dict[str, Any] | None:
    """The summary's evidence shares and status counts, and the flags and rows not approved;
    None when the result has none of them."""
    summary = review_summary(result)
    if summary.empty and not (result.flags or result.held):
        return None
    return {
        "shares": summary.shares,
        "statuses": [{"status": clean_text(k), "rows": v} for k, v in summary.statuses],
        "flags": [
            {
                "cell": clean_text(f.cell),
                "id": clean_text(str(f.id)),
                "reason": clean_text(f.reason),
            }
            for f in result.flags[:FLAGS_SHOWN]
        ],
        "flags_total": len(result.flags),
        "held": [
            {
                "where": clean_text(f"{h.sheet} row {h.row}"),
                "id": clean_text(h.id or ""),
                "status": clean_text(h.status) if h.status else "(blank)",
                "reason": clean_text(h.reason),
            }
            for h in result.held
        ],
    }
