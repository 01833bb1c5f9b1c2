"""Shadow routing, pure: the decisions a candidate model would have made for a batch live
routing has just decided, from the same office, advisers and load the live decisions saw.

The live decisions are inputs here, already made: the shadow follows them (each live
assignment counts in the load the next request sees, as it did live) and nothing it decides
flows back. A case is shadowed when its office has a candidate model (``OfficeShadowSet``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from uuid import uuid5

from services.routing import policies
from services.routing.deciding import Staffing
from services.routing.domain import EVENT_NAMESPACE, SERVICE
from shared.events import CaseRouted, OrganisationModel, RequestReceived, case_envelope
from shared.shadow_events import CaseShadowRouted


def shadow_batch(
    requests: Sequence[RequestReceived],
    live: Sequence[CaseRouted],
    staffing: Mapping[str, Staffing],
    own_advisers: Mapping[str, str],
    candidates: Mapping[str, OrganisationModel],
) -> list[CaseShadowRouted]:
    """One shadow decision per request of a shadowed office; ``live[i]`` is the live decision
    about ``requests[i]`` (``deciding.route_batch``'s, from the same ``staffing``)."""
    offices = dict(staffing)
    found = []
    for request, decision in zip(requests, live, strict=True):
        code = request.member.home_office
        known = offices.get(code) or Staffing(code)
        model = candidates.get(code)
        if model is not None:
            office = replace(known.as_office(request.received_at), model=model)
            asked = policies.Request(
                office=code,
                language=request.member.preferred_language.value,
                topic_family=request.topic_family,
                own_adviser=own_advisers.get(request.member_id),
            )
            found.append(shadow_routed(request, decision, policies.decide(asked, office)))
        if decision.adviser_id is not None:
            offices[code] = known.with_one_more(decision.adviser_id)
    return found


def shadow_routed(
    request: RequestReceived, live: CaseRouted, choice: policies.Choice
) -> CaseShadowRouted:
    """The fact of a shadow decision, beside the live one (same instant; its own id, derived
    from the request's, so re-deciding after a crash publishes the same fact)."""
    event_id = uuid5(EVENT_NAMESPACE, f"routed-shadow:{request.event_id}")
    about = request.case_id, request.member_id, request.correlation_id
    at: datetime = live.routed_at
    return CaseShadowRouted(
        type="CaseShadowRouted",
        **case_envelope(*about, event_id, at, SERVICE, cause=request.event_id),
        office=live.office,
        queue=choice.queue,
        desk=choice.desk,
        adviser_id=choice.adviser_id,
        organisation_model=choice.organisation_model,
        policy=choice.policy,
        policy_version=choice.policy_version,
        reason=choice.reason,
        live_queue=live.queue,
        live_adviser_id=live.adviser_id,
        live_model=live.organisation_model,
        topic_family=request.topic_family,
        language=request.member.preferred_language,
        received_at=request.received_at,
        routed_at=at,
    )
