"""Shadow routing as facts, on the `routed-shadow` topic owned by routing. Key: case_id.

An office can be shadowed by a candidate organisation model (ops sets it: the organisation
fact ``OfficeShadowSet``). routing then decides every new case of that office twice: live, by
the model in force (``CaseRouted`` on `routed`, acted on), and in the shadow, by the candidate,
from the very same office, advisers and load (``CaseShadowRouted`` here, acted on by nobody).
The shadow decision is made after the live one is recorded and reads nothing live routing
writes, so it can never change a live decision; one that fails is dropped, live routing goes on.
Each fact carries the live decision beside the shadow one, so the two are compared as they
happen (BI: ``bi.shadow_routing``, ``bi.shadow_load``)."""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import AwareDatetime, Field

from shared.envelope import Code, Envelope, Language, OrganisationModel


class CaseShadowRouted(Envelope):
    """Where a candidate model would have routed a case routing just routed live."""

    type: Literal["CaseShadowRouted"] = Field(description="Event type discriminator.")
    schema_version: Literal[1] = Field(description="Version of this event's schema.")
    office: Code = Field(description="The office that owns the case.")
    queue: str = Field(
        description="Queue the candidate would have put the case in: '<office>/first_line' "
        "(polyvalent) or '<office>/<desk>' (specialised)."
    )
    desk: Code | None = Field(description="The candidate's desk (specialised model), else null.")
    adviser_id: str | None = Field(description="Adviser the candidate would have picked, if any.")
    organisation_model: OrganisationModel = Field(description="The candidate model.")
    policy: str = Field(description="Name of the routing policy that decided in the shadow.")
    policy_version: int = Field(description="Version of that policy.", ge=1)
    reason: str = Field(description="Why the candidate would send the case there, in plain words.")
    live_queue: str = Field(description="Queue live routing put the case in (CaseRouted.queue).")
    live_adviser_id: str | None = Field(description="Adviser live routing picked, if any.")
    live_model: OrganisationModel = Field(description="The model live routing decided by.")
    topic_family: Code = Field(description="Topic family of the request (copied for consumers).")
    language: Language = Field(description="Member's language (copied for consumers).")
    received_at: AwareDatetime = Field(description="When intake accepted the request.")
    routed_at: AwareDatetime = Field(description="When the live and shadow decisions were made.")


RoutedShadowTopic = Annotated[Union[CaseShadowRouted], Field(discriminator="type")]
