"""First routings, pure: a batch of requests, the organisation and workload routing knows, the
time -> one CaseRouted each. Requests are decided in order and each assignment counts in the
load seen by the next, so a batch never fills an adviser past their capacity."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from services.routing import policies
from services.routing.domain import Decision, case_routed
from services.routing.organisation.model import (
    Adviser,
    Desk,
    ModelChange,
    Office,
    model_at,
)
from shared.events import CaseRouted, RequestReceived
from shared.routing_inputs import RoutingCandidate, RoutingInputs


@dataclass(frozen=True)
class Staffing:
    """One office as routing knows it at decision time: desks, first-line advisers with their
    open load and availability, and the history of its model changes."""

    office: str
    desks: tuple[Desk, ...] = ()
    advisers: tuple[Adviser, ...] = ()
    changes: tuple[ModelChange, ...] = ()

    def as_office(self, received_at: datetime) -> Office:
        """The office with the model in force when a request was received."""
        model, since = model_at(self.changes, received_at)
        return Office(self.office, model, self.desks, self.advisers, since)

    def with_one_more(self, adviser_id: str) -> Staffing:
        """The same office after one more case went to ``adviser_id``."""
        i = next(i for i, a in enumerate(self.advisers) if a.adviser_id == adviser_id)
        busier = replace(self.advisers[i], open_cases=self.advisers[i].open_cases + 1)
        return replace(self, advisers=(*self.advisers[:i], busier, *self.advisers[i + 1 :]))


def route(request: RequestReceived, office: Office, own_adviser: str | None) -> Decision:
    """The first routing of one case by its office's model."""
    asked = policies.Request(
        office=office.office,
        language=request.member.preferred_language.value,
        topic_family=request.topic_family,
        own_adviser=own_adviser,
    )
    return decision(policies.decide(asked, office), office, request.received_at)


def decision(
    choice: policies.Choice, office: Office, received_at: datetime, why: str = ""
) -> Decision:
    """The decision of a policy's choice, with what it decided from (``why`` before its
    reason: what made routing decide again, e.g. a transfer)."""
    return Decision(
        office=office.office,
        queue=choice.queue,
        desk=choice.desk,
        tier=choice.tier,
        adviser_id=choice.adviser_id,
        organisation_model=choice.organisation_model,
        policy=choice.policy,
        policy_version=choice.policy_version,
        reason=why + choice.reason,
        # Validated from plain data in one go (pydantic's core): a batch makes thousands.
        inputs=RoutingInputs.model_validate(
            {
                "received_at": received_at,
                "model_since": office.model_since,
                "own_adviser": choice.own._asdict() if choice.own else None,
                "pool": choice.pool,
                "considered": choice.considered,
                "candidates": [c._asdict() for c in choice.candidates],
            }
        ),
    )


def route_batch(
    requests: Sequence[RequestReceived],
    staffing: Mapping[str, Staffing],
    own_advisers: Mapping[str, str],
    now: datetime,
) -> list[CaseRouted]:
    """Routes each request in order; an office routing has no data for is unstaffed (its
    first-line queue, polyvalent)."""
    offices = dict(staffing)
    routed = []
    for request in requests:
        code = request.member.home_office
        known = offices.get(code) or Staffing(code)
        decision = route(
            request, known.as_office(request.received_at), own_advisers.get(request.member_id)
        )
        if decision.adviser_id is not None:
            offices[code] = known.with_one_more(decision.adviser_id)
        routed.append(case_routed(request, decision, now))
    return routed


def weighed(c: RoutingCandidate) -> policies.Candidate:
    return policies.Candidate(
        c.adviser_id, c.desk, c.open_cases, c.capacity, c.speaks_language, c.available
    )


def replayed(event: CaseRouted) -> str | None:
    """The adviser the decision recorded in ``event`` picks again (None: queued). Equal to
    ``event.adviser_id`` for every decision routing made: the event explains itself."""
    if event.inputs is None:
        return event.adviser_id  # v1 events and support policy v1 record no inputs
    inputs = event.inputs
    return policies.replay(
        event.organisation_model,
        event.language.value,
        weighed(inputs.own_adviser) if inputs.own_adviser else None,
        [weighed(c) for c in inputs.candidates],
    )
