"""What a case's holder must read: support's answer when support hands the case back, the
reason when a rejected administrative act reopens it, each until the holder acts on the case;
and a rejection reopens only a resolved case, once, back to whoever resolved it."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from services.advisory.decisions import (
    AddNote,
    Claim,
    Command,
    Escalate,
    Resolve,
    ReturnToAdviser,
    SendReply,
    decide,
)
from services.advisory.domain import CaseState, Status, evolve, fold
from services.advisory.notices import NoticeKind
from services.advisory.rejections import reopening
from services.advisory.views import CaseView
from shared.events import (
    AdminAct,
    AdminTaskRejected,
    CaseEscalated,
    EscalationReason,
    Outcome,
    ReopenCause,
)
from shared.identity import Principal
from tests.support.cases import ANN, SAM, T0, first_routing, support_routing

STEP = timedelta(minutes=1)


def acted(state: CaseState, who: Principal, command: Command) -> CaseState:
    at = (state.last_event_at or T0) + STEP
    return evolve(state, decide(state, command, who, event_id=uuid.uuid4(), now=at))


def claimed() -> CaseState:
    case_id = uuid.uuid4()
    return acted(fold(case_id, [first_routing(case_id)]), ANN, Claim())


def test_support_answers_the_adviser_who_keeps_the_case_and_sees_the_answer() -> None:
    # Given Ann escalated her case and routing sent it to support
    escalate = Escalate(reason_code=EscalationReason.LEGAL, note="is this clause valid?")
    state = claimed()
    event = decide(state, escalate, ANN, event_id=uuid.uuid4(), now=T0 + STEP * 5)
    assert isinstance(event, CaseEscalated)
    state = evolve(state, event)
    state = evolve(state, support_routing(event, T0 + STEP * 6))
    assert state.notice is None
    # When support answers her
    state = acted(state, SAM, ReturnToAdviser(note="Yes: article 4 covers it."))
    # Then she holds the case again, and its row shows support's answer
    assert (state.status, state.assignee) == (Status.CLAIMED, "ann")
    view = CaseView.of(state)
    assert view.notice is not None
    assert (view.notice.kind, view.notice.text, view.notice.by) == (
        NoticeKind.SUPPORT_ANSWER,
        "Yes: article 4 covers it.",
        "sam",
    )
    # And a note keeps it, her reply to the member answers it
    state = acted(state, ANN, AddNote(note="read it"))
    assert state.notice is NoticeKind.SUPPORT_ANSWER
    state = acted(state, ANN, SendReply(text="Your clause is valid."))
    assert (state.notice, state.notice_text, CaseView.of(state).notice) == (None, None, None)


def rejection(state: CaseState, at_minutes: int = 30) -> AdminTaskRejected:
    return AdminTaskRejected(
        type="AdminTaskRejected",
        schema_version=1,
        event_id=uuid.uuid5(state.case_id, "rejected"),
        occurred_at=T0 + timedelta(minutes=at_minutes),
        case_id=state.case_id,
        member_id=state.member_id,
        correlation_id=state.case_id,
        causation_id=None,
        producer="admin",
        task_id=uuid.uuid5(state.case_id, "task"),
        act=AdminAct.CONTRACT_REGISTRATION,
        rejected_by="ada",
        note="The signed contract is missing its annex.",
        rejected_at=T0 + timedelta(minutes=at_minutes),
    )


def resolved() -> CaseState:
    done = Resolve(outcome=Outcome.SOLVED, admin_act=AdminAct.CONTRACT_REGISTRATION, note="ok")
    return acted(claimed(), ANN, done)


def test_a_rejected_act_reopens_the_resolved_case_back_to_its_resolver_with_the_reason() -> None:
    state = resolved()
    fact = reopening(state, rejection(state))
    assert fact is not None
    assert (fact.cause, fact.reopened_to, fact.actor) == (
        ReopenCause.TASK_REJECTED,
        "ann",
        "advisory",
    )
    assert "contract registration was rejected by ada" in fact.reason
    assert "missing its annex" in fact.reason
    assert fact.causation_id == rejection(state).event_id
    # the same rejection read again decides the very same fact
    assert reopening(state, rejection(state)) == fact
    after = evolve(state, fact)
    assert (after.status, after.assignee) == (Status.CLAIMED, "ann")
    assert after.notice is NoticeKind.TASK_REJECTED
    assert after.notice_text == fact.reason


def test_an_away_resolver_leaves_the_reopened_case_in_its_queue() -> None:
    state = resolved()
    fact = reopening(state, rejection(state), away={"ann"})
    assert fact is not None
    assert fact.reopened_to is None
    assert evolve(state, fact).status is Status.QUEUED


@pytest.mark.parametrize("history", ["claimed", "reopened already"])
def test_a_case_not_resolved_is_not_reopened(history: str) -> None:
    state = claimed()
    if history == "reopened already":
        state = resolved()
        reopened = reopening(state, rejection(state))
        assert reopened is not None
        state = evolve(state, reopened)
    assert reopening(state, rejection(state, 40)) is None


def test_a_rejection_read_long_after_it_happened_reopens_nothing() -> None:
    # Given a rejection a first start of the consumer reads from an old log
    state = resolved()
    old = rejection(state)
    window = timedelta(days=14)
    # Then it reopens within the window, and not past it
    assert reopening(state, old, read_at=old.rejected_at + window, window=window) is not None
    late = old.rejected_at + window + timedelta(seconds=1)
    assert reopening(state, old, read_at=late, window=window) is None
