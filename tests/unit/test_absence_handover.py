"""An absent adviser's cases are handed over (services.advisory.absences.handover): a claimed
case goes back to its queue; a waiting one has its wait ended first; the facts are the same
whenever the hand-over is decided again on the same state."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import timedelta

import orjson
import pytest

from services.advisory.absences.handover import hand_over
from services.advisory.decisions import Claim, Command, WaitOnMember, decide
from services.advisory.domain import CaseEvent, CaseState, Status, evolve, fold
from services.advisory.moves.known import Colleague
from shared.codec import decode
from shared.events import ORGANISATION, CaseReassigned, CaseReleased, MoveCause, Tier, WaitingEnded
from shared.identity import Principal
from shared.organisation_events import AdviserAbsenceRecorded
from tests.support.cases import ANN, T0, first_routing


def play(*steps: tuple[Principal, Command]) -> CaseState:
    case_id = uuid.uuid4()
    state = fold(case_id, [first_routing(case_id)])
    for i, (actor, command) in enumerate(steps):
        now = T0 + timedelta(minutes=i + 1)
        state = evolve(state, decide(state, command, actor, event_id=uuid.uuid4(), now=now))
    return state


def after(state: CaseState, facts: Sequence[CaseEvent]) -> CaseState:
    for fact in facts:
        state = evolve(state, fact)
    return state


def test_a_claimed_case_goes_back_to_its_queue() -> None:
    claimed = play((ANN, Claim()))
    facts = hand_over(claimed, T0)
    assert [type(f) for f in facts] == [CaseReleased]
    released = facts[0]
    assert isinstance(released, CaseReleased)
    assert (released.released_by, released.released_from, released.cause) == (
        "advisory",
        "ann",
        MoveCause.ABSENCE,
    )
    assert "ann is away" in released.reason
    assert (after(claimed, facts).status, after(claimed, facts).assignee) == (Status.QUEUED, None)


def test_a_waiting_case_has_its_wait_ended_then_goes_back_to_its_queue() -> None:
    waiting = play((ANN, Claim()), (ANN, WaitOnMember(note="the invoice")))
    facts = hand_over(waiting, T0)
    assert [type(f) for f in facts] == [WaitingEnded, CaseReleased]
    assert facts[0].occurred_at < facts[1].occurred_at  # in causal order
    assert after(waiting, facts).status is Status.QUEUED


def test_nothing_is_handed_over_from_a_queue_and_the_same_state_gives_the_same_facts() -> None:
    assert hand_over(play(), T0) == []
    claimed = play((ANN, Claim()))
    assert [f.event_id for f in hand_over(claimed, T0)] == [
        f.event_id for f in hand_over(claimed, T0 + timedelta(minutes=5))
    ]


COVER = Colleague("bob", "liege", Tier.FIRST_LINE, active=True, away=False)


def test_a_named_colleague_takes_the_cases_in_the_state_they_were_in() -> None:
    waiting = play((ANN, Claim()), (ANN, WaitOnMember(note="the invoice")))
    facts = hand_over(waiting, T0, absent="ann", cover=COVER)
    assert [type(f) for f in facts] == [CaseReassigned]
    moved = facts[0]
    assert isinstance(moved, CaseReassigned)
    assert (moved.reassigned_from, moved.reassigned_to, moved.cause) == (
        "ann",
        "bob",
        MoveCause.ABSENCE,
    )
    assert (after(waiting, facts).status, after(waiting, facts).assignee) == (
        Status.WAITING,
        "bob",
    )


@pytest.mark.parametrize(
    "cover",
    [
        Colleague("gus", "gent", Tier.FIRST_LINE, active=True, away=False),
        Colleague("bob", "liege", Tier.FIRST_LINE, active=True, away=True),
        Colleague("sam", "liege", Tier.SUPPORT, active=True, away=False),
    ],
    ids=["another office", "away too", "another team"],
)
def test_a_colleague_who_cannot_take_the_case_leaves_it_to_the_queue(cover: Colleague) -> None:
    claimed = play((ANN, Claim()))
    assert [type(f) for f in hand_over(claimed, T0, absent="ann", cover=cover)] == [CaseReleased]


def test_a_case_someone_else_holds_by_now_is_left_alone() -> None:
    claimed = play((ANN, Claim()))
    assert hand_over(claimed, T0, absent="zoe") == []


def test_an_absence_recorded_before_covers_existed_is_read_with_none() -> None:
    old = {
        "type": "AdviserAbsenceRecorded",
        "schema_version": 1,
        "event_id": str(uuid.uuid4()),
        "occurred_at": "2026-03-02T09:00:00Z",
        "causation_id": None,
        "producer": "routing",
        "changed_by": "ops-1",
        "adviser_id": "ann",
        "absence_id": str(uuid.uuid4()),
        "starts_at": "2026-03-02T09:00:00Z",
        "ends_at": "2026-03-03T09:00:00Z",
        "reason": "leave",
    }
    event = decode(ORGANISATION, orjson.dumps(old))
    assert isinstance(event, AdviserAbsenceRecorded)
    assert (event.schema_version, event.covered_by) == (2, None)
