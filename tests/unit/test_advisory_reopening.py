"""Reopening a resolved case (services.advisory.reopening), by staff through advisory's moves
or for a member who wrote again: whom it goes back to, and what it forgets."""

from __future__ import annotations

import uuid

import pytest

from services.advisory import reopening
from services.advisory.decisions import Resolve
from services.advisory.domain import CaseState, Status, evolve
from services.advisory.moves import decisions as moving
from shared.events import AdminAct, CaseReopened, Outcome, ReopenCause
from tests.support.cases import ANN, T0
from tests.support.moves import CLAIMED, LEA, REOPEN, RESOLVED, play


def test_a_reopened_case_forgets_its_resolution_but_keeps_its_history() -> None:
    resolved = play([*CLAIMED, (ANN, Resolve(outcome=Outcome.SOLVED, admin_act=AdminAct.PAYMENT))])
    event = moving.decide(resolved, REOPEN, LEA, event_id=uuid.uuid4(), now=T0)
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
    again = moving.decide(after, resolve, ANN, event_id=uuid.uuid4(), now=T0)
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
    event = reopening.reopen(
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
