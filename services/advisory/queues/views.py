"""What the queue listing and the queue counts answer."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, Field

from services.advisory.views import CaseView, NoticeView
from shared.events import Channel, Tier, personal_shown
from shared.sla_events import SlaClock


class QueueRow(CaseView):
    """A case as a queue shows it: the case, what it is about, who asked, when it is due."""

    member_name: str | None = personal_shown(
        "The member's full name; null until advisory has read the request."
    )
    subject: str | None = personal_shown("Subject of the request; null until it has been read.")
    channel: Channel | None = Field(description="How the request came in.")
    sla_due_at: AwareDatetime | None = Field(
        description="When its SLA clock that runs out first is due (past: overdue); null when "
        "no clock runs (waiting on the member, resolved, not started yet)."
    )
    sla_clock: SlaClock | None = Field(description="Which clock that is.")
    follows_case_id: UUID | None = Field(
        None,
        description="The resolved case this one follows (a member wrote again too late "
        "to reopen it); null for a new request.",
    )

    @classmethod
    def of_row(cls, row: Any) -> QueueRow:
        data = dict(row)
        picked = {k: v for k, v in data.items() if k in cls.model_fields or k == "events"}
        return cls.model_validate({**picked, "notice": NoticeView.of(data)})


class CaseList(BaseModel):
    cases: list[QueueRow] = Field(
        description="Matching cases: the soonest SLA due time first, then the oldest; cases "
        "no clock runs for last."
    )
    next_cursor: str | None = Field(
        description="Pass as `cursor` (with the same filters) for the next page; null on the "
        "last page."
    )


class QueueCount(BaseModel):
    queue: str = Field(description="The queue, e.g. 'liege/first_line' or 'support'.")
    tier: Tier = Field(description="first_line or support.")
    open: int = Field(description="Cases not resolved.")
    by_state: dict[str, int] = Field(description="Open cases per state (only states present).")
    overdue: int = Field(description="Open cases whose SLA due time has passed.")
    next_due_at: AwareDatetime | None = Field(description="The soonest SLA due time.")
    oldest_opened_at: AwareDatetime | None = Field(description="When the oldest was opened.")


class QueueCounts(BaseModel):
    queues: list[QueueCount] = Field(description="Every queue with open cases, by name.")


def counted(rows: list[Any]) -> QueueCounts:
    """Rows per (queue, tier, state) folded into one count per queue."""
    found: dict[tuple[str, str], QueueCount] = {}
    for r in rows:
        key = (r["queue"], r["tier"])
        known = found.get(key) or QueueCount(
            queue=key[0],
            tier=Tier(key[1]),
            open=0,
            by_state={},
            overdue=0,
            next_due_at=None,
            oldest_opened_at=None,
        )
        found[key] = known.model_copy(
            update={
                "open": known.open + r["cases"],
                "by_state": {**known.by_state, r["status"]: r["cases"]},
                "overdue": known.overdue + r["overdue"],
                "next_due_at": _least(known.next_due_at, r["next_due_at"]),
                "oldest_opened_at": _least(known.oldest_opened_at, r["oldest_opened_at"]),
            }
        )
    return QueueCounts(queues=[found[k] for k in sorted(found)])


def _least(a: Any, b: Any) -> Any:
    return b if a is None else a if b is None else min(a, b)
