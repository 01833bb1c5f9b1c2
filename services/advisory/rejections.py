"""What a rejected administrative act does to its case, pure: advisory decides it when it reads
the rejection on `admin-tasks`, with the case locked, from the case's state and the rejection.

A resolved case reopens (``CaseReopened``, cause task_rejected, the team's note as the reason):
back to whoever resolved it, who holds it again and sees the reason in their queue, or to its
queue when nobody can take it (services.advisory.reopening decides, as for every reopening). A
case already open again (the member wrote, staff reopened it) is not reopened twice: the
rejection stays in its tasks. A rejection read longer than the reopen window after it happened
(a first start of the consumer reading an old log) reopens nothing either: that case's life
went on without it. The fact's id is derived from the rejection's, so a rejection read twice
decides the same fact, which the projection recognises."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from uuid import uuid5

from services.advisory import decisions
from services.advisory.domain import CaseState, Status
from services.advisory.reopening import reopen
from shared.events import AdminTaskRejected, CaseReopened, ReopenCause


def reopening(
    state: CaseState,
    rejection: AdminTaskRejected,
    away: Collection[str] = (),
    *,
    read_at: datetime | None = None,
    window: timedelta = timedelta(days=14),
) -> CaseReopened | None:
    """The reopening a rejection read at ``read_at`` leads to, or None (the case is not
    resolved, or the rejection is older than ``window``)."""
    if state.status is not Status.RESOLVED:
        return None
    if read_at is not None and read_at - rejection.rejected_at > window:
        return None
    act = rejection.act.value.replace("_", " ")
    reopened = reopen(
        state,
        actor=decisions.SERVICE,
        cause=ReopenCause.TASK_REJECTED,
        reason=f"The {act} was rejected by {rejection.rejected_by}: {rejection.note}",
        event_id=uuid5(rejection.event_id, "reopened"),
        now=rejection.rejected_at,
        away=away,
    )
    return reopened.model_copy(update={"causation_id": rejection.event_id})
