"""Known scenarios for the BI views: case lives written into scratch schemas of the four
services by the services' own code (projections, pure decisions, command paths), at chosen
times, as the services would have recorded them; then the `bi` views installed over them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import asyncpg

from relais_cli.demo_data import stream
from services.admin import commands as admin_commands
from services.admin import domain as admin_domain
from services.admin import projection as admin_projection
from services.admin.decisions import CloseTask
from services.advisory import commands
from services.advisory import projection as advisory_projection
from services.advisory.decisions import Command
from services.intake import domain as intake_domain
from services.intake import projection as intake_projection
from services.routing import domain as routing_domain
from services.routing import escalation_store, support_policy
from services.routing import projection as routing_projection
from shared.db import PoolHolder
from shared.events import (
    REQUEST_RECEIVED,
    CaseEscalated,
    CaseResolved,
    OrganisationModel,
    RequestReceived,
    Tier,
)
from shared.identity import Principal
from shared.outbox import event_message
from tests.support.organisation import first_line

SERVICES = ("intake", "routing", "advisory", "admin")


@dataclass(frozen=True)
class Asked:
    """What a member asks: where from, how, about what, in which language."""

    office: str
    channel: str
    family: str
    language: str


def specialised(office: str, desk: str, adviser_id: str | None = None) -> routing_domain.Decision:
    """A pilot office's routing decision (the policy engine's output, given)."""
    return routing_domain.Decision(
        office=office,
        queue=f"{office}/{desk}",
        tier=Tier.FIRST_LINE,
        adviser_id=adviser_id,
        organisation_model=OrganisationModel.SPECIALISED,
        policy="specialised",
        policy_version=2,
        reason="test scenario",
    )


@dataclass
class Sources:
    """The four services' scratch schemas, written as the services would."""

    pools: dict[str, asyncpg.Pool]
    requests: dict[uuid.UUID, RequestReceived] = field(default_factory=dict)

    def holder(self, service: str) -> PoolHolder:
        holder = PoolHolder()
        holder.pool = self.pools[service]
        return holder

    async def received(self, asked: Asked, at: datetime, member_id: str) -> uuid.UUID:
        """intake accepts the request; admin reads it too."""
        body: dict[str, Any] = stream(1, seed=len(self.requests) + 900)[0]
        body["member"] = {**body["member"], "member_id": member_id, "home_office": asked.office}
        body["member"]["preferred_language"] = asked.language
        body.update(channel=asked.channel, topic_family=asked.family)
        case_id = uuid.uuid4()
        request = intake_domain.request_received(
            intake_domain.SubmitRequest.model_validate(body),
            case_id=case_id,
            event_id=uuid.uuid4(),
            correlation_id=case_id,
            now=at,
        )
        message = event_message(REQUEST_RECEIVED, request)
        async with self.pools["intake"].acquire() as conn:
            submission = intake_projection.Submission(request, message, None, f"fp-{case_id}")
            await intake_projection.accept(conn, REQUEST_RECEIVED, [submission])
        async with self.pools["admin"].acquire() as conn:
            await admin_projection.record_requests(conn, [request])
        self.requests[case_id] = request
        return case_id

    async def routed(
        self, case_id: uuid.UUID, at: datetime, decision: routing_domain.Decision | None = None
    ) -> None:
        """routing decides (the first-line policy unless told) and advisory queues the case."""
        request = self.requests[case_id]
        routed = routing_domain.case_routed(request, decision or first_line(request), at)
        async with self.pools["routing"].acquire() as conn:
            await routing_projection.insert_requests(conn, [request])
            await routing_projection.apply_routed(conn, [routed])
        async with self.pools["advisory"].acquire() as conn:
            await advisory_projection.record(conn, [routed])

    async def staff(
        self, case_id: uuid.UUID, who: Principal, command: Command, at: datetime
    ) -> None:
        """A staff command through advisory's own command path; what follows from it too:
        routing sends an escalation to support a second later, admin reads a resolution."""
        event, _ = await commands.execute(
            self.holder("advisory"), case_id, command, who, event_id=uuid.uuid4(), now=at
        )
        if isinstance(event, CaseEscalated):
            await self._to_support(event, at + timedelta(seconds=1))
        if isinstance(event, CaseResolved):
            opened = admin_domain.task_opened(event)
            async with self.pools["admin"].acquire() as conn:
                await admin_projection.record_resolutions(conn, [event])
                await admin_projection.record_tasks(conn, [opened] if opened else [])

    async def _to_support(self, escalation: CaseEscalated, at: datetime) -> None:
        async with self.pools["routing"].acquire() as conn:
            await escalation_store.insert(conn, [escalation])
            cases = await escalation_store.known_cases(conn, [escalation.case_id])
            known = cases[escalation.case_id]
            decision = support_policy.route_escalation(escalation, known)
            routed = routing_domain.escalation_routed(escalation, known, decision, at)
            await escalation_store.mark_routed(conn, [routed])
        async with self.pools["advisory"].acquire() as conn:
            await advisory_projection.record(conn, [routed])

    async def task_closed(
        self, case_id: uuid.UUID, who: Principal, command: CloseTask, at: datetime
    ) -> None:
        """The administrative team closes the case's task through admin's command path."""
        task_id = await self.pools["admin"].fetchval(
            "SELECT task_id FROM tasks WHERE case_id = $1", case_id
        )
        await admin_commands.execute(
            self.holder("admin"), task_id, command, who, event_id=uuid.uuid4(), now=at
        )
