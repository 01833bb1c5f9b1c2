"""routing's decisions, pure: the events that say where a case goes.

A first routing is decided by the office's organisation model (``services.routing.deciding``
and ``policies``); an escalated case goes to a support member or the support team's queue
(``services.routing.support_policy``)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID, uuid5

from shared.events import (
    CaseEscalated,
    CaseRouted,
    CaseTransferred,
    Language,
    OrganisationModel,
    RequestReceived,
    Tier,
    case_envelope,
)
from shared.routing_inputs import RoutingInputs

SERVICE = "routing"
# Namespace of routing's derived event ids: the decision for a given cause always has the same
# id, so re-deciding after a crash cannot publish two different facts.
EVENT_NAMESPACE = UUID("6f6b1a8e-7b1e-4d8f-9b8a-2f1d6c3e5a01")
TICK = timedelta(microseconds=1)


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
    desk: str | None = None
    inputs: RoutingInputs | None = None


class UnknownOffice(ValueError):
    """Routing has no queues for this office: its configuration must list it first."""


def require_office(office: str, offices: Collection[str]) -> None:
    """An office routing is not configured for has nobody behind its queues: its requests
    fail (dead-lettered) until it is configured, then they are redriven."""
    if office not in offices:
        raise UnknownOffice(
            f"office {office!r} is not one routing serves ({', '.join(sorted(offices))}); "
            "configure it (RELAIS_OFFICES), then redrive"
        )


def routed_event_id(cause: UUID) -> UUID:
    return uuid5(EVENT_NAMESPACE, f"routed:{cause}")


def _routed(
    cause: RequestReceived | CaseEscalated | CaseTransferred,
    decision: Decision,
    at: datetime,
    *,
    topic_family: str,
    language: Language,
) -> CaseRouted:
    """The CaseRouted of a decision caused by ``cause`` (a request, escalation or transfer)."""
    about = cause.case_id, cause.member_id, cause.correlation_id
    event_id = routed_event_id(cause.event_id)
    envelope = case_envelope(*about, event_id, at, SERVICE, cause=cause.event_id, version=2)
    return CaseRouted(
        type="CaseRouted",
        **envelope,
        office=decision.office,
        queue=decision.queue,
        desk=decision.desk,
        tier=decision.tier,
        adviser_id=decision.adviser_id,
        organisation_model=decision.organisation_model,
        policy=decision.policy,
        policy_version=decision.policy_version,
        reason=decision.reason,
        inputs=decision.inputs,
        topic_family=topic_family,
        language=language,
        routed_at=at,
    )


def case_routed(request: RequestReceived, decision: Decision, now: datetime) -> CaseRouted:
    """The fact routing publishes for a first-routing decision."""
    return _routed(
        request,
        decision,
        now,
        topic_family=request.topic_family,
        language=request.member.preferred_language,
    )


@dataclass(frozen=True)
class KnownCase:
    """What routing remembers of a case from its request and first routing."""

    topic_family: str
    language: Language
    organisation_model: OrganisationModel
    received_at: datetime


def escalation_routed(
    escalation: CaseEscalated, case: KnownCase, decision: Decision, now: datetime
) -> CaseRouted:
    """The fact routing publishes for an escalation; never dated before the escalation itself,
    so a case's facts stay in causal order whatever the clocks say."""
    at = max(now, escalation.occurred_at + TICK)
    return _routed(escalation, decision, at, topic_family=case.topic_family, language=case.language)


def transfer_routed(
    transfer: CaseTransferred, language: Language, decision: Decision, now: datetime
) -> CaseRouted:
    """The fact routing publishes for a transfer, after it, with the case's family from now."""
    at = max(now, transfer.occurred_at + TICK)
    return _routed(transfer, decision, at, topic_family=transfer.topic_family, language=language)
