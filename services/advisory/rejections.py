"""What a rejected administrative act does to its case, pure: advisory decides it when it reads
the rejection on `admin-tasks`, with the case locked, from the case's state and the rejection.

A resolved case reopens (``CaseReopened``, cause task_rejected, the team's note as the reason):
back to whoever resolved it, who holds it again and sees the reason in their queue, or to its
queue when nobody can take it (services.advisory.moves decides, as for every reopening). A
case already open again (the member wrote, staff reopened it) is not reopened twice: the
rejection stays in its tasks. The fact's id is derived from the rejection's, so a rejection
read twice decides the same fact, which the projection recognises."""

from __future__ import annotations

from collections.abc import Collection
from uuid import uuid5

from services.advisory import decisions, moves
from services.advisory.domain import CaseState, Status
from shared.events import AdminTaskRejected, CaseReopened, ReopenCause


def reopening(
    state: CaseState, rejection: AdminTaskRejected, away: Collection[str] = ()
) -> CaseReopened | None:
    """The reopening a rejection leads to, or None (the case is not resolved)."""
    if state.status is not Status.RESOLVED:
        return None
    act = rejection.act.value.replace("_", " ")
    reopened = moves.reopen(
        state,
        actor=decisions.SERVICE,
        cause=ReopenCause.TASK_REJECTED,
        reason=f"The {act} was rejected by {rejection.rejected_by}: {rejection.note}",
        event_id=uuid5(rejection.event_id, "reopened"),
        now=rejection.rejected_at,
        away=away,
    )
    return reopened.model_copy(update={"causation_id": rejection.event_id})
