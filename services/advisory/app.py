"""advisory: wiring only. `request-received`, `routed`, `case-activity`, `escalated`,
`resolved`, `admin-tasks` and its own `sla` in; staff commands over HTTP; `case-activity`,
`escalated`, `resolved` and `sla` out (through the outbox); the SLA tick beside the consumers."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from pathlib import Path

from fastapi import FastAPI

from services.advisory import api, handlers
from services.advisory.absences import tick as absences_tick
from services.advisory.drafts import api as drafts_api
from services.advisory.members import api as members_api
from services.advisory.presence import api as presence_api
from services.advisory.queues import api as queues_api
from services.advisory.sla import tick as sla_tick
from services.advisory.sla.policy import SlaSettings
from shared.erasure_events import MEMBER_ERASURES, MemberErasuresTopic
from shared.events import (
    ADMIN_TASKS,
    CASE_ACTIVITY,
    ESCALATED,
    MEMBER_MESSAGES,
    ORGANISATION,
    REQUEST_RECEIVED,
    RESOLVED,
    ROUTED,
    SLA,
    AdminTasksTopic,
    CaseActivityTopic,
    EscalatedTopic,
    MemberMessagesTopic,
    OrganisationLog,
    RequestReceivedTopic,
    ResolvedTopic,
    RoutedTopic,
)
from shared.http import create_app
from shared.service import ServiceRuntime
from shared.settings import Settings
from shared.sla_events import SlaTopic

NAME = "advisory"


def build(
    settings: Settings | None = None,
    sla: SlaSettings | None = None,
    handover: absences_tick.HandoverSettings | None = None,
) -> tuple[ServiceRuntime, FastAPI]:
    runtime = ServiceRuntime(NAME, settings or Settings(), Path(__file__).parent / "migrations")
    # advisory reads its own topics too: its projection is rebuilt from the log alone.
    for topic, schema, why in (
        (ROUTED, RoutedTopic, "cases enter (or, escalated, re-enter) a queue"),
        (CASE_ACTIVITY, CaseActivityTopic, "claims, notes, replies, waiting, returns, moves"),
        (ESCALATED, EscalatedTopic, "cases sent to the support team"),
        (RESOLVED, ResolvedTopic, "cases resolved"),
    ):
        runtime.subscribe(
            topic,
            schema,
            handlers.apply_case_events,
            f"advisory's case history and queues: {why} (consumer group 'advisory').",
        )
    runtime.subscribe(
        REQUEST_RECEIVED,
        RequestReceivedTopic,
        handlers.apply_request_received,
        "advisory's copy of each request: the member, the channel, the subject and the "
        "question advisers read (consumer group 'advisory').",
    )
    sla = sla or SlaSettings()
    runtime.subscribe(
        ADMIN_TASKS,
        AdminTasksTopic,
        handlers.apply_admin_task_events,
        "admin's tasks opened and closed: the open administrative acts shown with a case and "
        "a member; a rejected act reopens its resolved case, back to whoever resolved it, "
        "with the rejection's note as the reason (consumer group 'advisory').",
        decide=partial(
            handlers.decide_task_rejections, window=timedelta(days=sla.reopen_window_days)
        ),
    )
    runtime.subscribe(
        MEMBER_MESSAGES,
        MemberMessagesTopic,
        handlers.apply_case_events,
        "members' messages on their cases: each is added to its case's history; it ends a "
        "wait on the member, reopens a case resolved within the reopen window, or asks intake "
        "for a new case following one resolved earlier (consumer group 'advisory').",
        decide=partial(
            handlers.decide_member_messages, window=timedelta(days=sla.reopen_window_days)
        ),
    )
    runtime.subscribe(
        SLA,
        SlaTopic,
        handlers.apply_sla_facts,
        "advisory's SLA clocks, read back from its own facts (consumer group 'advisory').",
    )
    runtime.subscribe(
        ORGANISATION,
        OrganisationLog,
        handlers.apply_organisation,
        "advisory's copy of the organisation (staff, desks, absences): reassignments and "
        "transfers are checked against it, and an absence hands the adviser's open cases over "
        "(consumer group 'advisory').",
        decide=handlers.decide_organisation,
    )
    runtime.subscribe(
        MEMBER_ERASURES,
        MemberErasuresTopic,
        handlers.apply_member_erasures,
        "a member erased: advisory masks their names, questions, notes, replies and the "
        "history of their cases (consumer group 'advisory').",
    )
    runtime.publishes(
        CASE_ACTIVITY,
        CaseActivityTopic,
        "What staff did on a case that is neither an escalation nor a resolution: claims, "
        "internal notes, replies to the member, waiting on the member, returns from support; "
        "moves: reopenings, releases to the queue, reassignments, transfers (routing decides "
        "a transfer again). "
        "And what advisory decided for the member: a wait ended by their message (WaitingEnded "
        "by 'member'), a reminder of a wait unanswered (MemberReminded), a new case asked of "
        "intake for a message on a case resolved too long ago (FollowUpRequested). "
        "Owned by advisory. Key: case_id.",
    )
    runtime.publishes(
        ESCALATED,
        EscalatedTopic,
        "Cases an adviser sent to the support team, or that an SLA breach escalated "
        "(reason_code sla_breach, escalated_by 'sla'). Key: case_id.",
    )
    runtime.publishes(
        RESOLVED,
        ResolvedTopic,
        "Resolved cases, with the administrative act they need, if any. Key: case_id.",
    )
    runtime.publishes(
        SLA,
        SlaTopic,
        "SLA clocks of every case (first_response, resolution), owned by advisory: started, "
        "paused and resumed (waiting on the member), warned, breached, met. Business time; "
        "deadlines recorded when a clock starts or resumes. Key: case_id.",
    )
    if sla.tick_seconds > 0:
        # The relay's wake-up is set when the service starts: look it up at each commit.
        woken = lambda: runtime.holder.on_commit()  # noqa: E731
        runtime.background("sla-tick", partial(sla_tick.run, settings=sla, on_commit=woken))
    handover = handover or absences_tick.HandoverSettings()
    if handover.tick_seconds > 0:
        wake = lambda: runtime.holder.on_commit()  # noqa: E731  (set when the service starts)
        runtime.background(
            "absence-handover", partial(absences_tick.run, settings=handover, on_commit=wake)
        )
    app = create_app(
        runtime,
        [
            queues_api.router(runtime),
            api.router(runtime),
            members_api.router(runtime),
            presence_api.router(runtime),
            drafts_api.router(runtime),
        ],
        title="Relais advisory",
        description="Advisers and the support team work their queues: claim, reply, escalate, "
        "resolve. SLA clocks run on every case and escalate a breach by themselves. Every "
        "change is a fact in the log.",
    )
    return runtime, app
