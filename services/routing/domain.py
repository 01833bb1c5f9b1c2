"""routing's decisions, pure: where a case goes and the event that says so.

First policy: every case goes to the first-line queue of the member's home office. The
organisation models (polyvalent, specialised) replace it with richer policies."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid5

from shared.events import CaseRouted, OrganisationModel, RequestReceived, Tier

SERVICE = "routing"
POLICY = "home-office-queue"
POLICY_VERSION = 1
# Namespace of routing's derived event ids: the decision for a given cause always has the same
# id, so re-deciding after a crash cannot publish two different facts.
EVENT_NAMESPACE = UUID("6f6b1a8e-7b1e-4d8f-9b8a-2f1d6c3e5a01")


@dataclass(frozen=True)
class Decision:
    office: str
    queue: str
    tier: Tier
    adviser_id: str | None
    organisation_model: OrganisationModel
    policy: str
    policy_version: int
    reason: str


def queue_name(office: str, tier: Tier) -> str:
    return f"{office}/{tier.value}"


class UnknownOffice(ValueError):
    """Routing has no queues for this office: its configuration must list it first."""


def route_first_line(request: RequestReceived, offices: Collection[str]) -> Decision:
    """The member's home office, first-line queue. An office routing is not configured for
    has nobody behind its queues: the request waits (dead-lettered) until it is configured."""
    office = request.member.home_office
    if office not in offices:
        raise UnknownOffice(
            f"office {office!r} is not one routing serves ({', '.join(sorted(offices))}); "
            "configure it (RELAIS_OFFICES), then redrive"
        )
    return Decision(
        office=office,
        queue=queue_name(office, Tier.FIRST_LINE),
        tier=Tier.FIRST_LINE,
        adviser_id=None,
        organisation_model=OrganisationModel.POLYVALENT,
        policy=POLICY,
        policy_version=POLICY_VERSION,
        reason=f"first request handling goes to the member's home office ({office})",
    )


def routed_event_id(cause: UUID) -> UUID:
    return uuid5(EVENT_NAMESPACE, f"routed:{cause}")


def case_routed(request: RequestReceived, decision: Decision, now: datetime) -> CaseRouted:
    """The fact routing publishes for a decision."""
    return CaseRouted(
        type="CaseRouted",
        schema_version=1,
        event_id=routed_event_id(request.event_id),
        occurred_at=now,
        case_id=request.case_id,
        member_id=request.member_id,
        correlation_id=request.correlation_id,
        causation_id=request.event_id,
        producer=SERVICE,
        office=decision.office,
        queue=decision.queue,
        tier=decision.tier,
        adviser_id=decision.adviser_id,
        organisation_model=decision.organisation_model,
        policy=decision.policy,
        policy_version=decision.policy_version,
        reason=decision.reason,
        topic_family=request.topic_family,
        language=request.member.preferred_language,
        routed_at=now,
    )
