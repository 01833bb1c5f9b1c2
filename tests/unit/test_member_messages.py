"""What a member's message does to its case (answers), and waits left unanswered (waits):
pure decisions, ids derived from the message or the wait, times as inputs."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from services.advisory.answers import answer
from services.advisory.domain import CaseState, Status
from services.advisory.sla import waits
from services.advisory.sla.policy import SlaPolicy, SlaSettings
from services.intake import domain as intake
from shared.events import (
    CaseReopened,
    CaseResolved,
    Channel,
    FollowUpRequested,
    MemberMessageReceived,
    MemberReminded,
    Outcome,
    ReopenCause,
    WaitingEnded,
    follow_up_case_id,
)

CASE = uuid.UUID(int=7)
T0 = datetime(2026, 3, 2, 10, tzinfo=UTC)  # a Monday
WINDOW = timedelta(days=14)
OPEN = CaseState(
    case_id=CASE,
    member_id="M-1",
    status=Status.CLAIMED,
    office="liege",
    queue="liege/first_line",
    assignee="liege-adv-1",
    opened_at=T0,
    last_event_at=T0,
)


def message(at: datetime) -> MemberMessageReceived:
    return MemberMessageReceived(
        type="MemberMessageReceived",
        schema_version=1,
        event_id=uuid.uuid5(CASE, at.isoformat()),
        occurred_at=at,
        case_id=CASE,
        member_id="M-1",
        correlation_id=CASE,
        causation_id=None,
        producer="intake",
        idempotency_key=None,
        channel=Channel.EMAIL,
        body="Here is the document.",
        received_at=at,
    )


def resolved(at: datetime, by: str = "liege-adv-1") -> CaseState:
    return replace(OPEN, status=Status.RESOLVED, resolved_at=at, resolved_by=by, last_event_at=at)


def test_a_message_ends_a_wait_on_the_member() -> None:
    waiting = replace(OPEN, status=Status.WAITING)
    fact = answer(waiting, message(T0 + timedelta(hours=1)), window=WINDOW)
    assert isinstance(fact, WaitingEnded)
    assert fact.ended_by == "member"
    assert fact.causation_id == message(T0 + timedelta(hours=1)).event_id
    # the same message again decides the same fact (a redelivery is recognised by its id)
    assert answer(waiting, message(T0 + timedelta(hours=1)), window=WINDOW) == fact


@pytest.mark.parametrize("status", [Status.QUEUED, Status.CLAIMED, Status.ESCALATED, None])
def test_on_an_open_case_a_message_is_history_only(status: Status | None) -> None:
    assert answer(replace(OPEN, status=status), message(T0), window=WINDOW) is None


@pytest.mark.parametrize(
    ("after", "reopens"),
    [(timedelta(days=1), True), (WINDOW, True), (WINDOW + timedelta(seconds=1), False)],
)
def test_a_resolved_case_reopens_within_the_window_else_a_new_case_follows(
    after: timedelta, reopens: bool
) -> None:
    sent = message(T0 + after)
    fact = answer(resolved(T0), sent, window=WINDOW)
    if reopens:
        assert isinstance(fact, CaseReopened)
        assert fact.cause is ReopenCause.MEMBER_MESSAGE
        assert fact.reopened_to == "liege-adv-1"  # back to who resolved it
        assert fact.causation_id == sent.event_id
    else:
        assert isinstance(fact, FollowUpRequested)
        assert fact.follow_up_case_id == follow_up_case_id(sent.event_id) != CASE
        assert fact.message_event_id == sent.event_id


def test_the_window_is_measured_to_the_message_not_to_when_it_is_read() -> None:
    # Read late (the case's last fact is later than the message): still within the window
    late = replace(resolved(T0), last_event_at=T0 + timedelta(days=30))
    fact = answer(late, message(T0 + timedelta(days=13)), window=WINDOW)
    assert isinstance(fact, CaseReopened)


POLICY = SlaPolicy(remind_after_days=2, close_after_days=5)
WAIT = waits.OpenWait(CASE, uuid.UUID(int=9), T0)
WAITING = replace(OPEN, status=Status.WAITING)


@pytest.mark.parametrize(
    ("now", "reminded", "types"),
    [
        (T0 + timedelta(days=1), False, []),
        (T0 + timedelta(days=2), False, ["MemberReminded"]),  # Wednesday 10:00, 2 days later
        (T0 + timedelta(days=3), True, []),
        (T0 + timedelta(days=6), False, ["MemberReminded"]),  # Sunday: Monday's closure not yet
        (T0 + timedelta(days=7), True, ["CaseResolved"]),  # 5 business days: next Monday 10:00
        (T0 + timedelta(days=30), False, ["MemberReminded", "CaseResolved"]),
    ],
)
def test_reminder_then_closure_after_business_days(
    now: datetime, reminded: bool, types: list[str]
) -> None:
    facts = waits.due(WAITING, WAIT, reminded, POLICY, now)
    assert [f.type for f in facts] == types
    assert [f.occurred_at for f in facts] == sorted({f.occurred_at for f in facts})


def test_the_closure_is_no_response_with_no_admin_act_held_by_the_adviser() -> None:
    (*_, closure) = waits.due(WAITING, WAIT, True, POLICY, T0 + timedelta(days=30))
    assert isinstance(closure, CaseResolved)
    assert closure.outcome is Outcome.NO_RESPONSE
    assert closure.admin_act is None  # admin opens no task
    assert closure.resolved_by == "liege-adv-1"
    assert closure.resolved_at == datetime(2026, 3, 9, 10, tzinfo=UTC)
    assert closure.event_id == waits.closure_id(WAIT.wait_event_id)


def test_reminder_counts_the_office_calendar() -> None:
    # Gent closes on 11 July (a Friday in 2025): two business days from Thursday 10 July 10:00
    policy = replace(SlaSettings().policy(), remind_after_days=2, close_after_days=9)
    since = datetime(2025, 7, 10, 8, tzinfo=UTC)  # 10:00 in Brussels
    wait = waits.OpenWait(CASE, uuid.UUID(int=9), since)
    state = replace(WAITING, last_event_at=since)
    later = since + timedelta(days=5)
    (gent,) = waits.due(replace(state, office="gent"), wait, False, policy, later)
    (liege,) = waits.due(state, wait, False, policy, later)
    assert isinstance(gent, MemberReminded)
    assert liege.occurred_at == datetime(2025, 7, 14, 8, tzinfo=UTC)
    assert gent.occurred_at == datetime(2025, 7, 15, 8, tzinfo=UTC)


def test_no_reminder_once_the_wait_ended() -> None:
    assert waits.due(OPEN, WAIT, False, POLICY, T0 + timedelta(days=30)) == []


def test_a_follow_up_request_is_the_same_whenever_it_is_decided() -> None:
    request = intake.SubmitRequest.model_validate(
        {
            "member": {
                "member_id": "M-1",
                "name": "Ann Peeters",
                "preferred_language": "nl",
                "home_office": "gent",
                "activity_type": "artist",
            },
            "channel": "web",
            "topic_family": "invoicing",
            "subject": "My invoice",
            "body": "Where is it?",
        }
    )
    case = intake.request_received(
        request, case_id=CASE, event_id=uuid.UUID(int=1), correlation_id=CASE, now=T0
    )
    sent = message(T0 + timedelta(days=30))
    requested = answer(resolved(T0), sent, window=WINDOW)
    assert isinstance(requested, FollowUpRequested)
    follow_up = intake.follow_up_request(case, sent, requested)
    assert follow_up == intake.follow_up_request(case, sent, requested)
    assert follow_up.case_id == requested.follow_up_case_id
    assert follow_up.causation_id == requested.event_id
    assert (follow_up.member, follow_up.topic_family) == (case.member, case.topic_family)
    assert (follow_up.subject, follow_up.body) == ("Re: My invoice", sent.body)


@pytest.mark.parametrize("kind", [MemberMessageReceived, MemberReminded, FollowUpRequested])
def test_the_contract_examples_are_valid_events(kind: type[MemberMessageReceived]) -> None:
    for example in kind.model_json_schema()["examples"]:
        assert kind.model_validate(example).type == kind.__name__
