"""Properties of advisory's state machine: whatever staff try, in whatever order, no case
reaches an impossible state, and its history folds to the same state read in any order."""

from __future__ import annotations

import uuid
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from services.advisory.decisions import Command, Resolve, decide
from services.advisory.domain import CaseEvent, CaseState, Status, evolve, fold
from shared.events import CaseEscalated, CaseResolved, Outcome, Tier
from shared.identity import Principal
from shared.refusals import Refused
from tests.support.cases import ADA, ANN, BOB, GUS, OPS, SAM, T0, first_routing, support_routing
from tests.unit.test_advisory_decisions import (
    CLAIM,
    ESCALATE,
    NOTE,
    REPLY,
    RESOLVE,
    RESUME,
    RETURN,
    ROUTE,
    WAIT,
)

# Repetitions weight the draw towards the long lives (escalated, returned, escalated again):
# with resolutions as likely as the rest, most cases would end before reaching support.
ACTORS = [ANN, ANN, BOB, GUS, SAM, SAM, ADA, OPS]
COMMANDS: list[Command | str] = [
    *[CLAIM] * 3,
    NOTE,
    REPLY,
    WAIT,
    RESUME,
    *[ESCALATE] * 2,
    *[RETURN] * 2,
    *[ROUTE] * 3,
    RESOLVE,
    Resolve(outcome=Outcome.DUPLICATE),
]
steps = st.lists(
    st.tuples(
        st.sampled_from(ACTORS),
        st.sampled_from(COMMANDS),
        st.integers(min_value=-30, max_value=30),  # staff clocks disagree by up to 30 minutes
    ),
    max_size=40,
)


def impossible(state: CaseState, resolutions: int) -> list[str]:
    """Everything that must never be true of a case."""
    wrong = []
    if state.status in (Status.CLAIMED, Status.WAITING) and state.assignee is None:
        wrong.append("worked by nobody")
    if state.status is Status.QUEUED and state.assignee is not None:
        wrong.append("queued yet assigned")
    if state.status is Status.ESCALATED and (state.tier, state.assignee) != (Tier.FIRST_LINE, None):
        wrong.append("escalated from support, or still assigned")
    if state.tier is Tier.SUPPORT and (state.escalations == 0 or state.escalated_by is None):
        wrong.append("at support without an escalation")
    if state.tier is Tier.SUPPORT and state.assignee in ("ann", "bob", "gus"):
        wrong.append("an adviser works a support case")
    if state.tier is Tier.FIRST_LINE and state.assignee == "sam":
        wrong.append("support works a first-line case")
    if (state.status is Status.RESOLVED) != (state.outcome is not None) or resolutions > 1:
        wrong.append("resolved without an outcome, or twice")
    if state.admin_act is not None and state.status is not Status.RESOLVED:
        wrong.append("an administrative act before resolution")
    if state.office != "liege":
        wrong.append("changed office")
    return wrong


@settings(max_examples=300, deadline=None)
@given(script=steps, data=st.data())
def test_no_sequence_of_commands_reaches_an_impossible_state(
    script: list[tuple[Principal, Command | str, int]], data: st.DataObject
) -> None:
    case_id = uuid.uuid4()
    history: list[CaseEvent] = [first_routing(case_id)]
    state = fold(case_id, history)
    pending: CaseEscalated | None = None
    for actor, command, skew in script:
        now = T0 + timedelta(minutes=len(history) + skew)
        before = state
        if command == ROUTE:
            if pending is None:
                continue
            event: CaseEvent = support_routing(pending, now)
            pending = None
        else:
            assert isinstance(command, Command)
            try:
                event = decide(state, command, actor, event_id=uuid.uuid4(), now=now)
            except Refused:
                assert state == before  # a refusal changes nothing
                continue
            if isinstance(event, CaseEscalated):
                pending = event
        history.append(event)
        state = evolve(state, event)
        resolutions = sum(isinstance(e, CaseResolved) for e in history)
        assert impossible(state, resolutions) == [], [e.type for e in history]
        assert before.status is not Status.RESOLVED, "a resolved case accepted a command"
    # And the history read in any order (topics interleaved by a replay) folds to the same case
    shuffled = data.draw(st.permutations(history))
    assert fold(case_id, shuffled) == state
    assert state.events == len(history)
