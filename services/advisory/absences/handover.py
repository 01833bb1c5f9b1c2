"""Absences hand cases over, pure: what becomes of a case whose holder is away.

advisory decides it, not routing: routing records the absence, but advisory is where cases are
held (claims, reassignments and returns are its facts), so it alone knows, in the same
transaction as its case's lock, who holds what. It reads the absences from `organisation`.

When the absence names a colleague to cover it who can take the case (same office and team,
present), the case is theirs (``CaseReassigned``, cause absence), in the state it was in.
Otherwise a claimed case goes back to its queue (``CaseReleased``, cause absence), and a case
waiting on the member first has its wait ended (its SLA clock resumes): in a queue nobody would
take the member's answer; whoever claims it may wait on the member again. The facts' ids derive
from the case and its state, so deciding the same hand-over again gives the same facts."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID, uuid5

from services.advisory.decisions import SERVICE, envelope
from services.advisory.domain import CaseEvent, CaseState, Status, evolve
from services.advisory.moves.decisions import reassign, release
from services.advisory.moves.kinds import Reassign
from services.advisory.moves.known import Colleague, Known, can_take
from shared.events import MoveCause, WaitingEnded
from shared.identity import Principal, Role

NAMESPACE = UUID("0b7f6c52-3f0e-4c39-9a54-5d1c2e9b7a10")
HELD = (Status.CLAIMED, Status.WAITING)


def hand_over(
    state: CaseState,
    now: datetime,
    *,
    absent: str | None = None,
    cover: Colleague | None = None,
) -> list[CaseEvent]:
    """The facts that take the case from its absent holder (none if nobody holds it, or, when
    ``absent`` is given, if someone else holds it by now), to ``cover`` if they can take it."""
    if state.status not in HELD or state.assignee is None:
        return []
    if absent is not None and state.assignee != absent:
        return []
    away = state.assignee
    # advisory acts for the absent holder: it may move what they hold, as their team lead may.
    acting = Principal(SERVICE, Role.TEAM_LEAD, state.office)
    if cover is not None and can_take(state, cover):
        to = Reassign(to=cover.staff_id, reason=f"{away} is away; {cover.staff_id} covers.")
        known = Known(staff={cover.staff_id: cover})
        fact = reassign(
            state, acting, to, known, event_id=_id(state, "cover"), now=now, cause=MoveCause.ABSENCE
        )
        return [fact]
    facts: list[CaseEvent] = []
    if state.status is Status.WAITING:
        at = state.next_time(now)
        ended = WaitingEnded(
            type="WaitingEnded",
            **envelope(state, _id(state, "wait"), at),
            ended_by=SERVICE,
            note=f"{away} is away: the case goes back to its queue.",
            ended_at=at,
        )
        facts.append(ended)
        state = evolve(state, ended)
    facts.append(
        release(
            state,
            acting,
            f"{away} is away.",
            event_id=_id(state, "release"),
            now=now,
            cause=MoveCause.ABSENCE,
        )
    )
    return facts


def _id(state: CaseState, step: str) -> UUID:
    return uuid5(NAMESPACE, f"{state.case_id}:{state.events}:{step}")
