"""advisory's state machine, table-driven: what each caller may do to a case in each state."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from services.advisory.decisions import (
    AddNote,
    Claim,
    Command,
    EndWaiting,
    Escalate,
    Resolve,
    ReturnToAdviser,
    SendReply,
    WaitOnMember,
    decide,
)
from services.advisory.domain import CaseEvent, CaseState, Status, evolve, fold
from shared.events import AdminAct, CaseEscalated, EscalationReason, Outcome, Tier
from shared.identity import Principal
from shared.refusals import Conflict, Forbidden, Refused
from tests.support.cases import ADA, ANN, BOB, GUS, OPS, SAM, T0, first_routing, support_routing

CLAIM = Claim()
NOTE = AddNote(note="checked the contract")
REPLY = SendReply(text="Here is what to do.")
WAIT = WaitOnMember(note="we need the invoice")
RESUME = EndWaiting(note="invoice received")
ESCALATE = Escalate(reason_code=EscalationReason.LEGAL, note="legal question")
RESOLVE = Resolve(outcome=Outcome.SOLVED, admin_act=AdminAct.INVOICE_ISSUE, note="done")
RETURN = ReturnToAdviser(note="answer it yourself, here is how")
ROUTE = "routing sends the escalation to support"
Step = tuple[Principal, Command] | str

# Given histories, as steps from a freshly routed first-line case of Liège.
QUEUED: list[Step] = []
CLAIMED: list[Step] = [(ANN, CLAIM)]
WAITING: list[Step] = [*CLAIMED, (ANN, WAIT)]
ESCALATED: list[Step] = [*CLAIMED, (ANN, ESCALATE)]
AT_SUPPORT: list[Step] = [*ESCALATED, ROUTE]
SUPPORT_CLAIMED: list[Step] = [*AT_SUPPORT, (SAM, CLAIM)]
RETURNED: list[Step] = [*AT_SUPPORT, (SAM, RETURN)]
RESOLVED: list[Step] = [*CLAIMED, (ANN, RESOLVE)]


def play(steps: list[Step]) -> CaseState:
    case_id = uuid.uuid4()
    state = fold(case_id, [first_routing(case_id)])
    escalation: CaseEscalated | None = None
    for i, step in enumerate(steps):
        now = T0 + timedelta(minutes=i + 1)
        event: CaseEvent
        if isinstance(step, str):
            assert escalation is not None
            event = support_routing(escalation, now)
        else:
            actor, command = step
            event = decide(state, command, actor, event_id=uuid.uuid4(), now=now)
            escalation = event if isinstance(event, CaseEscalated) else escalation
        state = evolve(state, event)
    return state


ACCEPTED = [
    ("an adviser claims a queued case", QUEUED, ANN, CLAIM, "CaseClaimed", Status.CLAIMED),
    ("an adviser notes a queued case", QUEUED, BOB, NOTE, "NoteAdded", Status.QUEUED),
    ("the holder replies", CLAIMED, ANN, REPLY, "ReplySent", Status.CLAIMED),
    ("the holder waits on the member", CLAIMED, ANN, WAIT, "WaitingOnMember", Status.WAITING),
    ("the holder takes it back", WAITING, ANN, RESUME, "WaitingEnded", Status.CLAIMED),
    ("the holder replies while waiting", WAITING, ANN, REPLY, "ReplySent", Status.WAITING),
    ("the holder escalates", CLAIMED, ANN, ESCALATE, "CaseEscalated", Status.ESCALATED),
    ("escalating while waiting", WAITING, ANN, ESCALATE, "CaseEscalated", Status.ESCALATED),
    ("the holder resolves", CLAIMED, ANN, RESOLVE, "CaseResolved", Status.RESOLVED),
    ("support notes an escalated case", ESCALATED, SAM, NOTE, "NoteAdded", Status.ESCALATED),
    ("support claims from its queue", AT_SUPPORT, SAM, CLAIM, "CaseClaimed", Status.CLAIMED),
    ("support resolves", SUPPORT_CLAIMED, SAM, RESOLVE, "CaseResolved", Status.RESOLVED),
    ("support returns from its queue", AT_SUPPORT, SAM, RETURN, "CaseReturned", Status.CLAIMED),
    ("support returns its own", SUPPORT_CLAIMED, SAM, RETURN, "CaseReturned", Status.CLAIMED),
    (
        "the adviser resolves a returned case",
        RETURNED,
        ANN,
        RESOLVE,
        "CaseResolved",
        Status.RESOLVED,
    ),
    ("the adviser escalates it again", RETURNED, ANN, ESCALATE, "CaseEscalated", Status.ESCALATED),
]


@pytest.mark.parametrize(
    ("given", "actor", "command", "event_type", "status"),
    [row[1:] for row in ACCEPTED],
    ids=[row[0] for row in ACCEPTED],
)
def test_allowed_commands_become_one_fact(
    given: list[Step], actor: Principal, command: Command, event_type: str, status: Status
) -> None:
    state = play(given)
    event = decide(state, command, actor, event_id=uuid.uuid4(), now=T0)
    assert event.type == event_type
    assert event.case_id == state.case_id
    assert event.occurred_at > (state.last_event_at or T0)  # the clock never runs backwards
    assert evolve(state, event).status is status


REFUSED: list[tuple[str, list[Step] | None, Principal, Command, type[Refused], str]] = [
    ("acting on an unknown case", None, ANN, CLAIM, Conflict, "unknown_case"),
    ("claiming a claimed case", CLAIMED, BOB, CLAIM, Conflict, "not_queued"),
    ("claiming one's own claimed case", CLAIMED, ANN, CLAIM, Conflict, "not_queued"),
    ("escalating a case nobody claimed", QUEUED, ANN, ESCALATE, Conflict, "not_claimed"),
    ("resolving a case nobody claimed", QUEUED, ANN, RESOLVE, Conflict, "not_claimed"),
    ("resolving a resolved case", RESOLVED, ANN, RESOLVE, Conflict, "case_resolved"),
    ("noting a resolved case", RESOLVED, ANN, NOTE, Conflict, "case_resolved"),
    ("replying to someone else's case", CLAIMED, BOB, REPLY, Conflict, "claimed_by_other"),
    ("resolving someone else's case", CLAIMED, BOB, RESOLVE, Conflict, "claimed_by_other"),
    ("waiting twice", WAITING, ANN, WAIT, Conflict, "wrong_state"),
    ("ending a wait that never began", CLAIMED, ANN, RESUME, Conflict, "wrong_state"),
    ("claiming before support's queue has it", ESCALATED, SAM, CLAIM, Conflict, "not_queued"),
    (
        "support escalating further",
        SUPPORT_CLAIMED,
        SAM,
        ESCALATE,
        Conflict,
        "already_with_support",
    ),
    ("returning a first-line case", CLAIMED, SAM, RETURN, Conflict, "not_escalated"),
    (
        "support resolving what it has not claimed",
        AT_SUPPORT,
        SAM,
        RESOLVE,
        Conflict,
        "not_claimed",
    ),
    ("an adviser of another office resolving", CLAIMED, GUS, RESOLVE, Forbidden, "other_office"),
    ("an adviser of another office claiming", QUEUED, GUS, CLAIM, Forbidden, "other_office"),
    ("the admin team claiming", QUEUED, ADA, CLAIM, Forbidden, "forbidden"),
    ("ops claiming", QUEUED, OPS, CLAIM, Forbidden, "forbidden"),
    ("support claiming a first-line case", QUEUED, SAM, CLAIM, Forbidden, "first_line_tier"),
    ("an adviser claiming from support", AT_SUPPORT, ANN, CLAIM, Forbidden, "support_tier"),
    ("an adviser returning a case", AT_SUPPORT, ANN, RETURN, Forbidden, "support_only"),
]


@pytest.mark.parametrize(
    ("given", "actor", "command", "refusal", "code"),
    [row[1:] for row in REFUSED],
    ids=[row[0] for row in REFUSED],
)
def test_invalid_commands_are_refused_with_a_reason(
    given: list[Step] | None,
    actor: Principal,
    command: Command,
    refusal: type[Refused],
    code: str,
) -> None:
    state = CaseState(case_id=uuid.uuid4()) if given is None else play(given)
    with pytest.raises(refusal) as raised:
        decide(state, command, actor, event_id=uuid.uuid4(), now=T0)
    assert raised.value.code == code
    assert raised.value.message  # a clear message for the 403/409 body


def test_a_returned_case_goes_back_to_the_adviser_who_escalated_it() -> None:
    state = play(RETURNED)
    assert (state.assignee, state.tier, state.queue) == ("ann", Tier.FIRST_LINE, "liege/first_line")


def test_an_escalated_case_waits_in_the_support_queue_unassigned() -> None:
    state = play(AT_SUPPORT)
    assert (state.status, state.tier, state.queue, state.assignee) == (
        Status.QUEUED,
        Tier.SUPPORT,
        "support",
        None,
    )
    assert state.escalated_by == "ann"
    assert state.escalations == 1


def test_no_act_is_accepted_with_a_duplicate_or_unanswered_outcome() -> None:
    with pytest.raises(ValueError, match="needs no administrative act"):
        Resolve(outcome=Outcome.DUPLICATE, admin_act=AdminAct.PAYMENT)
    assert Resolve(outcome=Outcome.NO_RESPONSE).admin_act is None
