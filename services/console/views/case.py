"""The case screen: which actions a person may take on a case now, the conversation with the
member (kept apart from what staff wrote to each other), and the bodies of the commands."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from shared.identity import Role

Json = Mapping[str, Any]

# The member's side and ours (what the member reads), by event type: who speaks and which
# field holds the words.
TO_AND_FROM_MEMBER = {
    "MemberMessageReceived": ("member", "body"),
    "ReplySent": ("reply", "text"),
    "MemberReminded": ("reminder", None),
}
# What staff wrote for staff (never sent to the member).
INTERNAL = {
    "NoteAdded": "note",
    "CaseEscalated": "note",
    "CaseReturned": "note",
    "WaitingOnMember": "note",
    "WaitingEnded": "note",
    "CaseResolved": "note",
    "CaseReopened": "reason",
    "CaseReleased": "reason",
    "CaseReassigned": "reason",
    "CaseTransferred": "reason",
}

# Every action of the case screen: the advisory command path it sends.
ACTIONS = {
    "claim": "claim",
    "reply": "replies",
    "note": "notes",
    "wait": "waiting",
    "end_wait": "waiting/end",
    "escalate": "escalation",
    "resolve": "resolution",
    "return": "return",
    "release": "release",
    "reassign": "reassign",
}
ESCALATION_REASONS = ("complex_case", "legal", "social_security", "payment_problem")
OUTCOMES = ("answered", "solved", "referred_elsewhere", "no_response_from_member", "duplicate")
ADMIN_ACTS = (
    "contract_registration",
    "invoice_issue",
    "dimona_declaration",
    "payment",
    "member_file_update",
)


@dataclass(frozen=True)
class Said:
    """One line of a conversation: who, when, which words."""

    kind: str  # question, member, reply, reminder, or an internal event's type
    by: str
    at: str | None
    text: str
    event_type: str


def allowed(case: Json, role: Role, me: str) -> list[str]:
    """The actions the services would accept from this person on this case now (they still
    decide: a colleague may act first)."""
    status, tier, mine = case.get("status"), case.get("tier"), case.get("assignee") == me
    works_tier = (tier == "first_line" and role is Role.ADVISER) or (
        tier == "support" and role is Role.SUPPORT
    )
    if not works_tier or status == "resolved":
        return []
    if status == "queued":
        return ["claim"]
    if not mine:
        return []
    found: list[str] = []
    if status in ("claimed", "waiting_on_member"):
        found += ["reply", "note"]
    if status == "claimed":
        found.append("wait")
    if status == "waiting_on_member":
        found.append("end_wait")
    if status == "claimed" and role is Role.ADVISER and tier == "first_line":
        found.append("escalate")
    if status == "claimed" and role is Role.SUPPORT and tier == "support":
        found.append("return")
    if status in ("claimed", "waiting_on_member"):
        found += ["resolve", "release", "reassign"]
    return found


def conversation(request: Json | None, history: Sequence[Json]) -> list[Said]:
    """The member's question, then what the member and staff said to each other."""
    lines: list[Said] = []
    if request:
        member = request.get("member") or {}
        lines.append(
            Said(
                "question",
                str(member.get("name") or ""),
                request.get("received_at"),
                str(request.get("body") or ""),
                "RequestReceived",
            )
        )
    for entry in history:
        kind_field = TO_AND_FROM_MEMBER.get(str(entry.get("type")))
        if kind_field is None:
            continue
        kind, field = kind_field
        event = entry.get("event") or {}
        text = str(event.get(field) or "") if field else ""
        lines.append(
            Said(
                kind,
                str(entry.get("actor") or ""),
                entry.get("occurred_at"),
                text,
                str(entry.get("type")),
            )
        )
    return lines


def internal(history: Sequence[Json]) -> list[Said]:
    """What staff wrote for staff: notes, escalations, support's answers, waits, moves."""
    lines: list[Said] = []
    for entry in history:
        kind = str(entry.get("type"))
        field = INTERNAL.get(kind)
        if field is None:
            continue
        text = str((entry.get("event") or {}).get(field) or "")
        if text:
            lines.append(
                Said(kind, str(entry.get("actor") or ""), entry.get("occurred_at"), text, kind)
            )
    return lines


def others(member_cases: Json | None, case_id: str) -> list[Json]:
    """The member's other cases, open ones first."""
    if not member_cases:
        return []
    rows = [*member_cases.get("open_cases", []), *member_cases.get("past_cases", [])]
    return [r for r in rows if str(r.get("case_id")) != case_id]


def others_present(presence: Json | None, me: str) -> list[Json]:
    """Who else is on the case now (advisory's presence), those writing first."""
    people = [p for p in (presence or {}).get("people", []) if p.get("staff_id") != me]
    return sorted(people, key=lambda p: (p.get("activity") != "replying", str(p.get("staff_id"))))


def draft_for(draft: Json | None, kept: Mapping[str, str]) -> dict[str, str]:
    """The text to put back in the reply or note box: what a refused action kept first, else
    the person's draft on the server."""
    if kept.get("action") in ("reply", "note"):
        return {}
    if not draft or not draft.get("text"):
        return {}
    return {"kind": str(draft.get("kind") or "reply"), "text": str(draft["text"])}


def with_due_time(case: Json, member_cases: Json | None) -> dict[str, Any]:
    """The case with its SLA due time, from the member's open cases (advisory's case view has
    the case, its queue rows have when it is due)."""
    found = dict(case)
    for row in (member_cases or {}).get("open_cases", []):
        if str(row.get("case_id")) == str(case.get("case_id")):
            found["sla_due_at"] = row.get("sla_due_at")
    return found


def open_tasks(detail: Json, member_cases: Json | None) -> list[Json]:
    """Open administrative tasks of this case and of the member's other cases."""
    seen: dict[str, Json] = {}
    for task in [*detail.get("tasks", []), *((member_cases or {}).get("open_tasks", []))]:
        if task.get("status", "open") == "open":
            seen[str(task.get("task_id"))] = task
    return list(seen.values())


def fingerprint(detail: Json) -> str:
    """Changes when anything happens on the case (the live update compares it)."""
    case = detail.get("case") or {}
    return "|".join(
        str(x)
        for x in (
            case.get("status"),
            case.get("assignee"),
            case.get("last_event_at"),
            len(detail.get("history", [])),
            len(detail.get("tasks", [])),
        )
    )


def if_match(seen_version: str | None) -> str | None:
    """The ``If-Match`` of a command sent from the case screen: the case version the person
    read (advisory refuses it 409 ``stale_version`` with what changed, if the case moved on:
    never two answers to one member). None: no version was on the page."""
    if seen_version and seen_version.isdigit():
        return f'"{seen_version}"'
    return None


class BadAction(ValueError):
    """An action the screen does not know, or a form missing what it needs."""


def command_body(action: str, form: Mapping[str, str]) -> dict[str, Any] | None:
    """The advisory command's JSON body from the action's form fields (None: no body)."""
    text = (form.get("text") or "").strip()
    if action == "claim":
        return None
    if action == "reply":
        return {"text": text}
    if action in ("note",):
        return {"note": text}
    if action in ("wait", "end_wait"):
        return {"note": text}
    if action == "escalate":
        return {"reason_code": form.get("reason_code") or "", "note": text}
    if action == "resolve":
        act = form.get("admin_act") or None
        return {"outcome": form.get("outcome") or "", "admin_act": act, "note": text}
    if action == "return":
        return {"note": text}
    if action == "release":
        return {"reason": text}
    if action == "reassign":
        return {"to": (form.get("to") or "").strip(), "reason": text}
    raise BadAction(action)
