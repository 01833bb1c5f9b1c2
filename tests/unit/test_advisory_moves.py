"""Moving cases (services.advisory.moves), table-driven: who may move a case in which state,
where it goes, and the refusals that publish nothing."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from services.advisory import moves
from services.advisory.decisions import Claim, Command, Resolve
from services.advisory.domain import CaseState, Status, evolve, fold
from services.advisory.moves import Reopen
from shared.events import AdminAct, CaseReopened, Outcome, ReopenCause
from shared.identity import Principal, Role
from shared.refusals import Conflict, Forbidden, Refused
from tests.support.cases import ADA, ANN, BOB, GUS, OPS, SAM, T0, first_routing

LEA = Principal("lea", Role.TEAM_LEAD, "liege")  # team lead of the case's office
LEO = Principal("leo", Role.TEAM_LEAD, "gent")  # team lead of another office
REOPEN = Reopen(reason="the member says the invoice is still wrong")
Step = tuple[Principal, Command]

CLAIMED: list[Step] = [(ANN, Claim())]
RESOLVED: list[Step] = [*CLAIMED, (ANN, Resolve(outcome=Outcome.SOLVED))]


def play(steps: list[Step]) -> CaseState:
    case_id = uuid.uuid4()
    state = fold(case_id, [first_routing(case_id)])
    for i, (actor, command) in enumerate(steps):
        now = T0 + timedelta(minutes=i + 1)
        state = evolve(state, moves.decide(state, command, actor, event_id=uuid.uuid4(), now=now))
    return state


ACCEPTED = [
    ("the resolver reopens", RESOLVED, ANN, REOPEN, Status.CLAIMED, "ann"),
    ("a colleague reopens: back to the resolver", RESOLVED, BOB, REOPEN, Status.CLAIMED, "ann"),
    ("the office's team lead reopens", RESOLVED, LEA, REOPEN, Status.CLAIMED, "ann"),
    ("support reopens", RESOLVED, SAM, REOPEN, Status.CLAIMED, "ann"),
]


@pytest.mark.parametrize(
    ("given", "actor", "command", "status", "assignee"),
    [row[1:] for row in ACCEPTED],
    ids=[row[0] for row in ACCEPTED],
)
def test_valid_moves_become_one_fact(
    given: list[Step], actor: Principal, command: Command, status: Status, assignee: str | None
) -> None:
    state = play(given)
    event = moves.decide(state, command, actor, event_id=uuid.uuid4(), now=T0)
    after = evolve(state, event)
    assert (after.status, after.assignee) == (status, assignee)
    assert event.occurred_at > state.last_event_at  # type: ignore[operator]


REFUSED = [
    ("reopening an open case", CLAIMED, ANN, REOPEN, Conflict, "not_resolved"),
    ("reopening an unknown case", None, ANN, REOPEN, Conflict, "unknown_case"),
    ("a team lead of another office", RESOLVED, LEO, REOPEN, Forbidden, "other_office"),
    ("an adviser of another office", RESOLVED, GUS, REOPEN, Forbidden, "other_office"),
    ("the admin team", RESOLVED, ADA, REOPEN, Forbidden, "forbidden"),
    ("ops", RESOLVED, OPS, REOPEN, Forbidden, "forbidden"),
    ("a team lead working a case", [], LEA, Claim(), Forbidden, "forbidden"),
]


@pytest.mark.parametrize(
    ("given", "actor", "command", "refusal", "code"),
    [row[1:] for row in REFUSED],
    ids=[row[0] for row in REFUSED],
)
def test_invalid_moves_are_refused_with_a_reason(
    given: list[Step] | None,
    actor: Principal,
    command: Command,
    refusal: type[Refused],
    code: str,
) -> None:
    state = CaseState(case_id=uuid.uuid4()) if given is None else play(given)
    with pytest.raises(refusal) as raised:
        moves.decide(state, command, actor, event_id=uuid.uuid4(), now=T0)
    assert raised.value.code == code
    assert raised.value.message


def test_a_reopened_case_forgets_its_resolution_but_keeps_its_history() -> None:
    resolved = play([*CLAIMED, (ANN, Resolve(outcome=Outcome.SOLVED, admin_act=AdminAct.PAYMENT))])
    event = moves.decide(resolved, REOPEN, LEA, event_id=uuid.uuid4(), now=T0)
    after = evolve(resolved, event)
    assert isinstance(event, CaseReopened)
    assert (event.actor, event.cause, event.reopened_to) == ("lea", ReopenCause.STAFF, "ann")
    assert (after.outcome, after.admin_act, after.resolved_at, after.resolved_by) == (
        None,
        None,
        None,
        None,
    )
    assert (after.queue, after.claimed_at, after.events) == (
        resolved.queue,
        resolved.claimed_at,
        resolved.events + 1,
    )
    assert after.status is Status.CLAIMED  # staff can work it again: resolve it anew
    resolve = Resolve(outcome=Outcome.ANSWERED)
    again = moves.decide(after, resolve, ANN, event_id=uuid.uuid4(), now=T0)
    assert evolve(after, again).status is Status.RESOLVED


@pytest.mark.parametrize(
    ("resolver", "away", "to", "status"),
    [
        ("ann", (), "ann", Status.CLAIMED),
        ("ann", ("ann",), None, Status.QUEUED),
        ("sla", (), None, Status.QUEUED),
        ("advisory", (), None, Status.QUEUED),
    ],
    ids=["to the resolver", "resolver away: queue", "automatic: queue", "by advisory: queue"],
)
def test_a_reopened_case_goes_to_its_resolver_or_its_queue(
    resolver: str, away: tuple[str, ...], to: str | None, status: Status
) -> None:
    resolved = play(RESOLVED)
    resolved = CaseState(**{**resolved.__dict__, "resolved_by": resolver})
    event = moves.reopen(
        resolved,
        actor="advisory",
        cause=ReopenCause.MEMBER_MESSAGE,
        reason="the member wrote again",
        event_id=uuid.uuid4(),
        now=T0,
        away=away,
    )
    after = evolve(resolved, event)
    assert (event.reopened_to, after.status, after.assignee) == (to, status, to)
    assert after.queue == "liege/first_line"
