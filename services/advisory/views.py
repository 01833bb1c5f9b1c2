"""What advisory's HTTP API answers: cases as the queues show them, their history, what the
member asked and the administrative tasks of the case."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Any, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from services.advisory.domain import CaseState, Status
from services.advisory.notices import NoticeKind
from shared.events import AdminAct, Channel, Language, Outcome, Tier, personal_shown
from shared.history import HistoryEntry


class NoticeView(BaseModel):
    """What the case's holder must read before going on."""

    kind: NoticeKind = Field(
        description="support_answer (support answered the adviser, who holds the case again), "
        "task_rejected (the administrative act was refused: the case reopened), "
        "member_message (the member wrote again: reopened) or reopened (by staff)."
    )
    text: str = personal_shown("Support's note, or why the case reopened.")
    by: str = Field(description="Who: the support member, the staff member or the service.")
    at: AwareDatetime = Field(description="When.")

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> NoticeView | None:
        """From a case's notice columns (None when it has none)."""
        if data.get("notice") is None:
            return None
        return cls(
            kind=data["notice"],
            text=data["notice_text"],
            by=data["notice_by"],
            at=data["notice_at"],
        )


class CaseView(BaseModel):
    case_id: UUID = Field(description="The case.")
    member_id: str = Field(description="The member it belongs to.")
    status: Status | None = Field(description="Where the case is in its life.")
    tier: Tier = Field(description="first_line (advisers) or support.")
    office: str | None = Field(description="Office that owns the case.")
    queue: str | None = Field(description="Queue (desk) the case is in.")
    routed_to: str | None = Field(description="Adviser routing picked, if any.")
    assignee: str | None = Field(description="Who works the case now, if anyone.")
    escalated_by: str | None = Field(
        description="Adviser who last escalated it (an SLA escalation: the adviser who held "
        "it or was routed it), to whom support returns it."
    )
    topic_family: str | None = Field(description="What it is about.")
    language: str | None = Field(description="The member's language.")
    opened_at: AwareDatetime | None = Field(description="When it was first routed.")
    claimed_at: AwareDatetime | None = Field(description="When it was first claimed.")
    first_reply_at: AwareDatetime | None = Field(description="First reply to the member.")
    resolved_at: AwareDatetime | None = Field(description="When it was resolved.")
    resolved_by: str | None = Field(description="Who resolved it.")
    outcome: Outcome | None = Field(description="How it ended.")
    admin_act: AdminAct | None = Field(description="Administrative act the resolution needs.")
    escalations: int = Field(description="How many times it was escalated.")
    replies: int = Field(description="Replies sent to the member.")
    notes: int = Field(description="Internal notes.")
    last_event_at: AwareDatetime | None = Field(description="Time of its latest fact.")
    version: int = Field(
        description="How many facts the case's history holds: grows with every change. A "
        'command sent with `If-Match: "<version>"` (the ETag of GET /cases/{case_id}) is '
        "refused 409 `stale_version` if the case has changed since."
    )
    notice: NoticeView | None = Field(
        description="What the holder must read before going on: support's answer, or why the "
        "case reopened; null once they act on the case (reply, hold, escalate, resolve)."
    )

    @model_validator(mode="before")
    @classmethod
    def _version_of_events(cls, data: Any) -> Any:
        """A folded state or a `cases` row counts its facts in ``events``: the version."""
        if isinstance(data, dict) and "version" not in data and "events" in data:
            return {**data, "version": data["events"]}
        return data

    @classmethod
    def of(cls, source: CaseState | Any) -> CaseView:
        """From a folded state or a `cases` row."""
        data = asdict(source) if isinstance(source, CaseState) else dict(source)
        picked = {k: v for k, v in data.items() if k in cls.model_fields or k == "events"}
        return cls.model_validate({**picked, "notice": NoticeView.of(data)})


class MemberSnapshotView(BaseModel):
    member_id: str = Field(description="Member number.")
    name: str = personal_shown("Full name of the member.")
    preferred_language: Language = Field(description="Language the member is served in.")
    home_office: str = Field(description="The member's home office.")
    activity_type: str = Field(description="Kind of professional activity, e.g. 'artist'.")

    @classmethod
    def of(cls, row: Any) -> MemberSnapshotView:
        """From a `requests` row."""
        return cls(
            member_id=row["member_id"],
            name=row["member_name"],
            preferred_language=row["preferred_language"],
            home_office=row["home_office"],
            activity_type=row["activity_type"],
        )


class RequestView(BaseModel):
    """The member's request, as intake accepted it (`request-received`)."""

    member: MemberSnapshotView = Field(description="The member, as the channel knew them.")
    channel: Channel = Field(description="How the request came in.")
    topic_family: str = Field(description="What the member said it is about.")
    subject: str = personal_shown("Subject line written by the member.")
    body: str = personal_shown("The member's question, free text.")
    received_at: AwareDatetime = Field(description="When intake accepted it.")
    follows_case_id: UUID | None = Field(
        None,
        description="The resolved case this request follows: the member wrote again too "
        "long after its resolution to reopen it. Null for a new request.",
    )

    @classmethod
    def of(cls, row: Any) -> RequestView:
        """From a `requests` row."""
        return cls.model_validate({**dict(row), "member": MemberSnapshotView.of(row)})


class TaskView(BaseModel):
    """An administrative task of the case, as admin's facts (`admin-tasks`) tell it."""

    task_id: UUID = Field(description="The task.")
    case_id: UUID = Field(description="The case whose resolution needs the act.")
    act: AdminAct = Field(description="The administrative act.")
    office: str | None = Field(description="Office of the case.")
    status: Literal["open", "completed", "rejected"] = Field(description="Where the task is.")
    opened_at: AwareDatetime | None = Field(description="When the task was opened.")
    closed_at: AwareDatetime | None = Field(description="When it was completed or rejected.")
    closed_by: str | None = Field(description="Who completed or rejected it.")
    note: str | None = personal_shown("The administrative team's note: what was done, or why not.")

    @classmethod
    def of(cls, row: Any) -> TaskView:
        """From an `admin_tasks` row."""
        data = dict(row)
        return cls.model_validate(
            {**data, "status": data["closing"] or "open", "note": data["closing_note"]}
        )


class CaseDetail(BaseModel):
    case: CaseView = Field(description="The case now.")
    request: RequestView | None = Field(
        description="What the member asked; null until advisory has read the request."
    )
    tasks: list[TaskView] = Field(description="Its administrative tasks, oldest first.")
    history: list[HistoryEntry] = Field(description="Every fact about it, oldest first.")


class CommandDone(BaseModel):
    event_id: UUID = Field(description="The fact the command became.")
    event_type: str = Field(description="Its type, e.g. 'CaseEscalated'.")
    case: CaseView = Field(description="The case after it.")


class AdviserLoad(BaseModel):
    adviser_id: str = Field(description="The adviser (staff id).")
    desk: str | None = Field(description="Their desk (specialised model), if any.")
    capacity: int = Field(description="How many open cases they take at most.")
    claimed: int = Field(description="Cases they hold and work now.")
    waiting: int = Field(description="Cases they hold that wait on the member.")
    open_cases: int = Field(description="claimed + waiting.")
    away_until: AwareDatetime | None = Field(
        description="Until when they are away, if an absence covers now (their cases were "
        "handed over when it began)."
    )

    @classmethod
    def of(cls, row: Any) -> AdviserLoad:
        """From a row of the workload read."""
        return cls(
            adviser_id=row["staff_id"],
            desk=row["desk"],
            capacity=row["capacity"],
            claimed=row["claimed"],
            waiting=row["waiting"],
            open_cases=row["claimed"] + row["waiting"],
            away_until=row["away_until"],
        )


class Workload(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "office": "liege",
                    "team": "first_line",
                    "advisers": [
                        {
                            "adviser_id": "liege-front-01",
                            "desk": "front",
                            "capacity": 12,
                            "claimed": 4,
                            "waiting": 1,
                            "open_cases": 5,
                            "away_until": None,
                        },
                        {
                            "adviser_id": "liege-front-02",
                            "desk": "front",
                            "capacity": 12,
                            "claimed": 0,
                            "waiting": 0,
                            "open_cases": 0,
                            "away_until": "2026-12-07T00:00:00Z",
                        },
                    ],
                }
            ]
        }
    )

    office: str = Field(description="The office.")
    team: Tier = Field(description="The team: first_line or support.")
    advisers: list[AdviserLoad] = Field(description="Each active adviser, by id.")
