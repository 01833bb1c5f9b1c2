"""Cases moved by staff, for the unit tests of advisory's moves: the people, the commands, the
organisation advisory knows, and a case played through a list of steps with advisory's own
pure decisions."""

from __future__ import annotations

import uuid
from datetime import timedelta

from services.advisory.decisions import Claim, Command, Escalate, Resolve, WaitOnMember
from services.advisory.domain import CaseState, evolve, fold
from services.advisory.moves import decisions as moving
from services.advisory.moves.kinds import Reassign, Release, Reopen, Transfer
from services.advisory.moves.known import Colleague, Known
from shared.events import EscalationReason, Outcome, Tier
from shared.identity import Principal, Role
from shared.settings import DEMO_OFFICES, DEMO_TOPIC_FAMILIES
from tests.support.cases import ANN, T0, first_routing

LEA = Principal("lea", Role.TEAM_LEAD, "liege")  # team lead of the case's office
LEO = Principal("leo", Role.TEAM_LEAD, "gent")  # team lead of another office
REOPEN = Reopen(reason="the member says the invoice is still wrong")
RELEASE = Release(reason="needs a Dutch speaker")
TO_BOB = Reassign(to="bob", reason="Bob knows this member")
TO_NAMUR = Transfer(to_office="namur", reason="the member moved")
Step = tuple[Principal, Command]


def colleague(
    who: str, office: str = "liege", team: Tier = Tier.FIRST_LINE, **kw: bool
) -> Colleague:
    return Colleague(who, office, team, kw.get("active", True), kw.get("away", False))


KNOWN = Known(
    offices=frozenset(DEMO_OFFICES),
    topic_families=frozenset(DEMO_TOPIC_FAMILIES),
    desks=frozenset({"front", "contracts"}),
    staff={
        "ann": colleague("ann"),
        "bob": colleague("bob"),
        "gus": colleague("gus", "gent"),
        "zoe": colleague("zoe", away=True),
        "old": colleague("old", active=False),
        "sam": colleague("sam", "bruxelles", Tier.SUPPORT),
    },
)

CLAIMED: list[Step] = [(ANN, Claim())]
WAITING: list[Step] = [*CLAIMED, (ANN, WaitOnMember(note="the invoice"))]
ESCALATED: list[Step] = [*CLAIMED, (ANN, Escalate(reason_code=EscalationReason.LEGAL, note="?"))]
RESOLVED: list[Step] = [*CLAIMED, (ANN, Resolve(outcome=Outcome.SOLVED))]
RELEASED: list[Step] = [*CLAIMED, (ANN, RELEASE)]
TRANSFERRING: list[Step] = [*CLAIMED, (ANN, TO_NAMUR)]


def play(steps: list[Step]) -> CaseState:
    case_id = uuid.uuid4()
    state = fold(case_id, [first_routing(case_id)])
    for i, (actor, command) in enumerate(steps):
        now = T0 + timedelta(minutes=i + 1)
        event = moving.decide(state, command, actor, event_id=uuid.uuid4(), now=now, known=KNOWN)
        state = evolve(state, event)
    return state
