"""What ``GET /members/{member_id}/cases`` answers: the whole member before an answer."""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, Field

from services.advisory.queues.views import QueueRow
from services.advisory.views import MemberSnapshotView, TaskView


class MemberCases(BaseModel):
    member_id: str = Field(description="The member.")
    member: MemberSnapshotView | None = Field(
        description="The member as their latest request described them; null if no request "
        "of a case the caller may see has been read."
    )
    open_cases: list[QueueRow] = Field(
        description="Cases not resolved, the soonest SLA due time first."
    )
    past_cases: list[QueueRow] = Field(description="Resolved cases, oldest first.")
    last_contact_at: AwareDatetime | None = Field(
        description="The latest request or message from, or reply or reminder to, the member "
        "in these cases."
    )
    open_tasks: list[TaskView] = Field(
        description="Administrative tasks still open for the member, oldest first."
    )
