"""Moving cases (services.advisory.moves), table-driven: who may move a case in which state,
where it goes, and the refusals that publish nothing."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from pydantic import BaseModel

from services.advisory.decisions import Claim, Command
from services.advisory.domain import CaseState, Status, evolve
from services.advisory.moves import decisions as moving
from services.advisory.moves.kinds import Reassign, Transfer
from shared.events import CaseReassigned, CaseReleased, CaseReopened, CaseTransferred
from shared.identity import Principal
from shared.organisation_events import AdviserAbsenceRecorded
from shared.refusals import Conflict, Forbidden, Invalid, Refused
from tests.support.cases import ADA, ANN, BOB, GUS, OPS, SAM, T0, first_routing
from tests.support.moves import (
    CLAIMED,
    ESCALATED,
    KNOWN,
    LEA,
    LEO,
    RELEASE,
    RELEASED,
    REOPEN,
    RESOLVED,
    TO_BOB,
    TO_NAMUR,
    TRANSFERRING,
    WAITING,
    Step,
    play,
)

ACCEPTED = [
    ("the resolver reopens", RESOLVED, ANN, REOPEN, Status.CLAIMED, "ann"),
    ("a colleague reopens: back to the resolver", RESOLVED, BOB, REOPEN, Status.CLAIMED, "ann"),
    ("the office's team lead reopens", RESOLVED, LEA, REOPEN, Status.CLAIMED, "ann"),
    ("support reopens", RESOLVED, SAM, REOPEN, Status.CLAIMED, "ann"),
    ("the holder releases", CLAIMED, ANN, RELEASE, Status.QUEUED, None),
    ("the team lead releases", CLAIMED, LEA, RELEASE, Status.QUEUED, None),
    ("the holder hands over", CLAIMED, ANN, TO_BOB, Status.CLAIMED, "bob"),
    ("the team lead reassigns", CLAIMED, LEA, TO_BOB, Status.CLAIMED, "bob"),
    ("ops reassigns", CLAIMED, OPS, TO_BOB, Status.CLAIMED, "bob"),
    ("a queued case to a colleague", [], LEA, TO_BOB, Status.CLAIMED, "bob"),
    ("a waiting case keeps waiting", WAITING, LEA, TO_BOB, Status.WAITING, "bob"),
    ("a released case is claimed again", RELEASED, BOB, Claim(), Status.CLAIMED, "bob"),
    ("the holder transfers", CLAIMED, ANN, TO_NAMUR, Status.TRANSFERRING, None),
    ("an adviser transfers a queued case", [], BOB, TO_NAMUR, Status.TRANSFERRING, None),
    (
        "the team lead changes the family",
        [],
        LEA,
        Transfer(topic_family="contracts", reason="about a contract"),
        Status.TRANSFERRING,
        None,
    ),
    (
        "to a desk of the same office",
        [],
        LEA,
        Transfer(to_desk="contracts", reason="specialist"),
        Status.TRANSFERRING,
        None,
    ),
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
    event = moving.decide(state, command, actor, event_id=uuid.uuid4(), now=T0, known=KNOWN)
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
    ("releasing a queued case", [], LEA, RELEASE, Conflict, "not_claimed"),
    ("releasing a waiting case", WAITING, ANN, RELEASE, Conflict, "waiting_on_member"),
    ("releasing another's case", CLAIMED, BOB, RELEASE, Conflict, "claimed_by_other"),
    ("releasing a resolved case", RESOLVED, ANN, RELEASE, Conflict, "case_resolved"),
    ("ops releasing", CLAIMED, OPS, RELEASE, Forbidden, "forbidden"),
    ("reassigning another's case", CLAIMED, BOB, TO_BOB, Conflict, "not_holder"),
    (
        "reassigning to the holder",
        CLAIMED,
        LEA,
        Reassign(to="ann", reason="x"),
        Conflict,
        "already_holds",
    ),
    ("to someone away", CLAIMED, LEA, Reassign(to="zoe", reason="x"), Conflict, "colleague_away"),
    (
        "to someone who left",
        CLAIMED,
        LEA,
        Reassign(to="old", reason="x"),
        Invalid,
        "unknown_colleague",
    ),
    (
        "to a stranger",
        CLAIMED,
        LEA,
        Reassign(to="nobody", reason="x"),
        Invalid,
        "unknown_colleague",
    ),
    ("to another office", CLAIMED, LEA, Reassign(to="gus", reason="x"), Conflict, "other_office"),
    (
        "a first-line case to support",
        CLAIMED,
        LEA,
        Reassign(to="sam", reason="x"),
        Conflict,
        "other_team",
    ),
    ("reassigning an escalated case", ESCALATED, LEA, TO_BOB, Conflict, "not_movable"),
    ("transferring an escalated case", ESCALATED, LEA, TO_NAMUR, Conflict, "not_movable"),
    ("transferring a waiting case", WAITING, ANN, TO_NAMUR, Conflict, "not_movable"),
    ("transferring twice", TRANSFERRING, LEA, TO_NAMUR, Conflict, "not_movable"),
    ("transferring another's case", CLAIMED, BOB, TO_NAMUR, Conflict, "claimed_by_other"),
    (
        "to an unknown office",
        [],
        LEA,
        Transfer(to_office="atlantis", reason="x"),
        Invalid,
        "unknown_office",
    ),
    (
        "to an unknown desk",
        [],
        LEA,
        Transfer(to_desk="nowhere", reason="x"),
        Invalid,
        "unknown_desk",
    ),
    (
        "to an unknown family",
        [],
        LEA,
        Transfer(topic_family="astrology", reason="x"),
        Invalid,
        "unknown_topic_family",
    ),
    (
        "a transfer that changes nothing",
        [],
        LEA,
        Transfer(to_office="liege", reason="x"),
        Conflict,
        "nothing_to_transfer",
    ),
    ("a team lead of another office transferring", [], LEO, TO_NAMUR, Forbidden, "other_office"),
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
        moving.decide(state, command, actor, event_id=uuid.uuid4(), now=T0, known=KNOWN)
    assert raised.value.code == code
    assert raised.value.message


def test_a_transfer_says_where_and_what_and_leaves_every_queue() -> None:
    claimed = play(CLAIMED)
    command = Transfer(to_office="namur", topic_family="contracts", reason="moved")
    event = moving.decide(claimed, command, LEA, event_id=uuid.uuid4(), now=T0, known=KNOWN)
    assert isinstance(event, CaseTransferred)
    assert (event.from_office, event.from_queue, event.to_office, event.to_desk) == (
        "liege",
        "liege/first_line",
        "namur",
        None,
    )
    assert (event.topic_family, event.transferred_by) == ("contracts", "lea")
    after = evolve(claimed, event)
    assert (after.status, after.assignee, after.topic_family) == (
        Status.TRANSFERRING,
        None,
        "contracts",
    )
    # routing's new decision puts it in the queue of the office it went to
    routed = first_routing(claimed.case_id, office="namur", at=event.occurred_at + timedelta(1))
    assert (evolve(after, routed).status, evolve(after, routed).queue) == (
        Status.QUEUED,
        "namur/first_line",
    )


@pytest.mark.parametrize(
    "kind",
    [CaseReopened, CaseReleased, CaseReassigned, CaseTransferred, AdviserAbsenceRecorded],
)
def test_the_contract_examples_of_moves_are_valid_events(kind: type[BaseModel]) -> None:
    examples = kind.model_json_schema()["examples"]
    assert examples
    for example in examples:
        assert kind.model_validate(example).model_dump(mode="json")["type"] == kind.__name__
