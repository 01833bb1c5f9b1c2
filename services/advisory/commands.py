"""advisory's staff commands on a case, run by shared.commands in one transaction: lock the
case, read its state, decide (services.advisory.decisions, pure), record the fact with the
consumers' own code, put it in the outbox. The work joins the case's trace (the one its latest
routing travelled in), linked to the HTTP request's span. Two commands on one case are
serialised by the case's lock: the second decides on the state the first left."""

from __future__ import annotations

from services.advisory import moves, projection
from services.advisory.decisions import Command
from services.advisory.domain import CaseEvent, CaseState, evolve
from shared import commands
from shared.events import CASE_ACTIVITY, ESCALATED, RESOLVED, CaseEscalated, CaseResolved


def topic_of(event: CaseEvent) -> str:
    """Escalations and resolutions go on the backbone; the rest on advisory's own topic."""
    if isinstance(event, CaseEscalated):
        return ESCALATED
    if isinstance(event, CaseResolved):
        return RESOLVED
    return CASE_ACTIVITY


CASE = commands.Subject[CaseEvent](
    projection.LOCK_SPACE, projection.record, topic_of, projection.case_trace, "relais.case_id"
)
CASES = commands.Folded[CaseState, Command, CaseEvent](
    CASE, projection.current, moves.decide, evolve
)
# execute(holder, case_id, command, actor, *, event_id, now) -> (the fact, the case after it)
execute = CASES.execute
