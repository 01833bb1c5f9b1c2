"""Transfers, pure: a case staff sent elsewhere (``CaseTransferred``, from advisory) is routed
again by the same policy as a new case, in the office it goes to, with the topic family it has
from now on and the desk asked for (specialised model); its decision says it was a transfer.

A transfer is routed once: when the case's latest decision is older than it (a copy of the
transfer read again finds the decision it caused, which is later)."""

from __future__ import annotations

from datetime import datetime

from services.routing import policies
from services.routing.deciding import Staffing, decision
from services.routing.domain import transfer_routed
from shared.events import CaseRouted, CaseTransferred, Language


def undecided(transfer: CaseTransferred, latest_decision_at: datetime | None) -> bool:
    """Whether the transfer still waits for its decision."""
    return latest_decision_at is not None and latest_decision_at < transfer.occurred_at


def route_transfer(
    transfer: CaseTransferred,
    staffing: Staffing,
    language: Language,
    own_adviser: str | None,
    now: datetime,
) -> CaseRouted:
    """The routing of a transferred case, by the model the office runs at the transfer."""
    office = staffing.as_office(transfer.transferred_at)
    asked = policies.Request(
        office=office.office,
        language=language.value,
        topic_family=transfer.topic_family,
        own_adviser=own_adviser,
        desk=transfer.to_desk,
    )
    why = f"transferred by {transfer.transferred_by} from {transfer.from_queue}; "
    chosen = decision(policies.decide(asked, office), office, transfer.transferred_at, why)
    return transfer_routed(transfer, language, chosen, now)
