"""The one schema of Relais's topics: topic names, the envelope, the versioned events.

Every event about a case is a frozen pydantic model carrying the same envelope
(``shared.envelope``), and its Kafka key is its ``case_id``, so all the facts about one case stay
in one partition, in order. The organisation's facts (``shared.organisation_events``) are about
offices and advisers, not cases: they carry their own envelope and are keyed by office or
adviser. SLA facts are in ``shared.sla_events``. Fields holding personal data (names, contact
details, free text) are marked with ``x-personal: true`` in the schema so they can be encrypted
per member and erased (crypto-shredding) without reshaping the events.

A breaking change to an event is a new ``schema_version`` with an upcaster in
``shared.upcasting``: old events in the log must still replay.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal, Union
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.admin_task_events import AdminTaskAssigned as AdminTaskAssigned
from shared.admin_task_events import AdminTaskClaimed as AdminTaskClaimed
from shared.admin_task_events import AdminTaskCompleted as AdminTaskCompleted
from shared.admin_task_events import AdminTaskOpened as AdminTaskOpened
from shared.admin_task_events import AdminTaskOpenedV1 as AdminTaskOpenedV1
from shared.admin_task_events import AdminTaskRejected as AdminTaskRejected
from shared.envelope import AdminAct as AdminAct
from shared.envelope import Channel as Channel
from shared.envelope import Code as Code
from shared.envelope import Envelope as Envelope
from shared.envelope import Language as Language
from shared.envelope import OrganisationModel as OrganisationModel
from shared.envelope import StaffId as StaffId
from shared.envelope import Tier as Tier
from shared.envelope import case_envelope as case_envelope
from shared.envelope import personal as personal
from shared.envelope import personal_input as personal_input
from shared.envelope import personal_shown as personal_shown
from shared.erasure_events import MEMBER_ERASURES as MEMBER_ERASURES
from shared.erasure_events import ErasureCause as ErasureCause
from shared.erasure_events import MemberErased as MemberErased
from shared.erasure_events import MemberErasuresTopic as MemberErasuresTopic
from shared.member_message_events import MEMBER_MESSAGES as MEMBER_MESSAGES
from shared.member_message_events import FollowUpRequested as FollowUpRequested
from shared.member_message_events import MemberMessageReceived as MemberMessageReceived
from shared.member_message_events import MemberReminded as MemberReminded
from shared.member_message_events import follow_up_case_id as follow_up_case_id
from shared.organisation_events import (
    AdviserAbsenceRecordedV1,
    OrganisationEvent,
    OrganisationTopic,
)
from shared.routing_inputs import RoutingInputs
from shared.shadow_events import CaseShadowRouted, RoutedShadowTopic
from shared.sla_events import SlaEvent, SlaTopic

# --- topics -------------------------------------------------------------------------------------
REQUEST_RECEIVED = "request-received"
ROUTED = "routed"
ESCALATED = "escalated"
RESOLVED = "resolved"
BACKBONE_TOPICS = (REQUEST_RECEIVED, ROUTED, ESCALATED, RESOLVED)
# Topics a service owns for facts that fit none of the backbone topics.
CASE_ACTIVITY = "case-activity"  # owned by advisory: claims, notes, replies, waiting, returns,
# reopenings, releases, reassignments, transfers
ADMIN_TASKS = "admin-tasks"  # owned by admin: administrative tasks opened, completed, rejected
ORGANISATION = "organisation"  # owned by routing: office models, desks, advisers, absences
SLA = "sla"  # owned by advisory: SLA clocks started, paused, resumed, warned, breached, met
ROUTED_SHADOW = "routed-shadow"  # owned by routing: where a candidate model would route cases
# MEMBER_MESSAGES, owned by intake: members' messages on existing cases
# MEMBER_ERASURES, owned by intake: members erased (keys destroyed, projections masked)
OWNED_TOPICS: tuple[str, ...] = (
    CASE_ACTIVITY,
    ADMIN_TASKS,
    ORGANISATION,
    SLA,
    ROUTED_SHADOW,
    MEMBER_MESSAGES,
    MEMBER_ERASURES,
)
SERVICES = ("intake", "routing", "advisory", "admin")
PARTITIONS = 6


class MemberSnapshot(BaseModel):
    """The member as the requesting channel knew them when the request was made."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    member_id: str = Field(description="Member number.", pattern=r"^[A-Za-z0-9-]{1,64}$")
    name: str = personal("Full name of the member.", min_length=1, max_length=200)
    preferred_language: Language = Field(description="Language the member is served in.")
    home_office: Code = Field(description="Code of the member's home office, e.g. 'liege'.")
    activity_type: Code = Field(description="Kind of professional activity, e.g. 'artist'.")


class _RequestFacts(Envelope):
    """The facts of a request, in every version of RequestReceived."""

    type: Literal["RequestReceived"] = Field(description="Event type discriminator.")
    member: MemberSnapshot = Field(description="The member, as known when the request came in.")
    channel: Channel = Field(description="How the request reached the cooperative.")
    topic_family: Code = Field(description="What the request is about, e.g. 'invoicing'.")
    subject: str = personal("Subject line written by the member.", min_length=1, max_length=200)
    body: str = personal("The member's question, free text.", min_length=1, max_length=10_000)
    received_at: AwareDatetime = Field(description="When intake accepted the request.")


class RequestReceivedV1(_RequestFacts):
    """Version 1 of RequestReceived: still in the log, read as version 2 (shared.upcasting)."""

    schema_version: Literal[1] = Field(description="Version of this event's schema.")


class RequestReceived(_RequestFacts):
    """A member request was accepted by intake and became a case.

    Version 2 adds ``idempotency_key``: intake's record of which client retry key the request
    came with is then a fact in the log, so intake's own table can be rebuilt from the log."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "type": "RequestReceived", "schema_version": 2,
        "event_id": "5b0e7c3a-2f41-4d8e-9a6b-1c3d5e7f9a20", "occurred_at": "2026-12-03T09:12:00Z",
        "case_id": "9e4d2b17-6a3c-4f08-b5e1-7d2c9a0f3e64", "member_id": "M-10293",
        "correlation_id": "9e4d2b17-6a3c-4f08-b5e1-7d2c9a0f3e64",
        "causation_id": "2a7f9c10-4b3e-4d51-8e6a-0c9b7d5f3a12", "producer": "intake",
        "idempotency_key": None,
        "member": {"member_id": "M-10293", "name": "Anne Dupont", "preferred_language": "fr",
                   "home_office": "liege", "activity_type": "artist"},
        "channel": "email", "topic_family": "invoicing",
        "subject": "Re: Invoice 2026-118 not paid", "body": "The invoice is still unpaid.",
        "received_at": "2026-12-03T09:12:00Z",
        "follows_case_id": "3f2c7a51-9d0e-4b8a-a6f1-52e8c0d4b913",
    }]})  # fmt: skip

    schema_version: Literal[2] = Field(description="Version of this event's schema.")
    idempotency_key: str | None = Field(
        description="The Idempotency-Key the channel sent with the request, if any; a retry "
        "with it names this case. Null in events upcast from version 1.",
        max_length=200,
    )
    # Added within version 2 (optional, null when absent): readers of older events see null.
    follows_case_id: UUID | None = Field(
        None,
        description="The resolved case this request follows: set when a member's message came "
        "too long after that case's resolution to reopen it (advisory's FollowUpRequested), "
        "null for a new request.",
    )


class CaseRouted(Envelope):
    """Routing decided where a case goes: first routing, or a re-routing after an escalation.

    Version 2 adds ``desk`` and ``inputs`` (what the policy decided from, so the decision can
    be replayed exactly); version 1 events are read as version 2 with both null."""

    type: Literal["CaseRouted"] = Field(description="Event type discriminator.")
    schema_version: Literal[2] = Field(description="Version of this event's schema.")
    office: Code = Field(description="Office that owns the case after this decision.")
    queue: str = Field(
        description="Queue the case was put in: '<office>/first_line' (polyvalent), "
        "'<office>/<desk>' (specialised) or 'support'."
    )
    desk: Code | None = Field(description="The desk (specialised model), else null.")
    tier: Tier = Field(description="first_line (advisers) or support (the support team).")
    adviser_id: str | None = Field(description="Adviser picked by the policy, if one was.")
    organisation_model: OrganisationModel = Field(
        description="The office's model for this case: the one in force when it was received."
    )
    policy: str = Field(description="Name of the routing policy that decided.")
    policy_version: int = Field(description="Version of that policy.", ge=1)
    reason: str = Field(description="Why the case went there, in plain words.")
    inputs: RoutingInputs | None = Field(
        description="What the policy decided from; null for v1 events and for support "
        "re-routings of the support policy's version 1 (the shared queue, nobody picked)."
    )
    topic_family: Code = Field(description="Topic family of the request (copied for consumers).")
    language: Language = Field(description="Member's language (copied for consumers).")
    routed_at: AwareDatetime = Field(description="When the decision was made.")


class EscalationReason(StrEnum):
    COMPLEX_CASE = "complex_case"
    LEGAL = "legal"
    SOCIAL_SECURITY = "social_security"
    PAYMENT_PROBLEM = "payment_problem"
    SLA_BREACH = "sla_breach"


class CaseEscalated(Envelope):
    """An adviser (or an SLA breach) sent the case to the support team."""

    type: Literal["CaseEscalated"] = Field(description="Event type discriminator.")
    schema_version: Literal[1] = Field(description="Version of this event's schema.")
    reason_code: EscalationReason = Field(description="Why the case needs the support team.")
    note: str = personal("Adviser's note for the support team.", max_length=10_000)
    escalated_by: str = Field(description="Staff id who escalated, or 'sla' for an automatic one.")
    office: Code = Field(description="Office the case belonged to when escalated.")
    escalated_at: AwareDatetime = Field(description="When the case was escalated.")


class Outcome(StrEnum):
    ANSWERED = "answered"
    SOLVED = "solved"
    REFERRED_ELSEWHERE = "referred_elsewhere"
    NO_RESPONSE = "no_response_from_member"
    DUPLICATE = "duplicate"


class CaseResolved(Envelope):
    """The case was resolved; it may need an administrative act from the administrative team."""

    type: Literal["CaseResolved"] = Field(description="Event type discriminator.")
    schema_version: Literal[1] = Field(description="Version of this event's schema.")
    outcome: Outcome = Field(description="How the case ended.")
    admin_act: AdminAct | None = Field(
        description="Administrative act the resolution needs, if any."
    )
    resolved_by: str = Field(description="Staff id who resolved the case.")
    tier: Tier = Field(description="Tier that resolved it.")
    office: Code = Field(description="Office the case belonged to when resolved.")
    note: str = personal("Resolution note.", max_length=10_000)
    resolved_at: AwareDatetime = Field(description="When the case was resolved.")


class CaseClaimed(Envelope):
    """A staff member took a queued case: from now on it is theirs to work."""

    type: Literal["CaseClaimed"] = Field(description="Event type discriminator.")
    schema_version: Literal[1] = Field(description="Version of this event's schema.")
    claimed_by: str = Field(description="Staff id of the adviser or support member.")
    tier: Tier = Field(description="Tier of the queue the case was claimed from.")
    office: Code = Field(description="Office the case belongs to.")
    claimed_at: AwareDatetime = Field(description="When the case was claimed.")


class NoteAdded(Envelope):
    """An internal note was added to the case (never shown to the member)."""

    type: Literal["NoteAdded"] = Field(description="Event type discriminator.")
    schema_version: Literal[1] = Field(description="Version of this event's schema.")
    author: str = Field(description="Staff id who wrote the note.")
    note: str = personal("The note, free text.", min_length=1, max_length=10_000)
    added_at: AwareDatetime = Field(description="When the note was added.")


class ReplySent(Envelope):
    """A reply to the member was recorded on the case."""

    type: Literal["ReplySent"] = Field(description="Event type discriminator.")
    schema_version: Literal[1] = Field(description="Version of this event's schema.")
    sent_by: str = Field(description="Staff id who replied.")
    channel: Channel = Field(description="How the reply reached the member.")
    text: str = personal("The reply, free text.", min_length=1, max_length=10_000)
    sent_at: AwareDatetime = Field(description="When the reply was sent.")


class WaitingOnMember(Envelope):
    """The case is on hold until the member answers (its clock stops)."""

    type: Literal["WaitingOnMember"] = Field(description="Event type discriminator.")
    schema_version: Literal[1] = Field(description="Version of this event's schema.")
    set_by: str = Field(description="Staff id who put the case on hold.")
    note: str = personal("What is awaited from the member.", max_length=10_000)
    since: AwareDatetime = Field(description="When the wait began.")


class WaitingEnded(Envelope):
    """The case was taken back from waiting on the member."""

    type: Literal["WaitingEnded"] = Field(description="Event type discriminator.")
    schema_version: Literal[1] = Field(description="Version of this event's schema.")
    ended_by: str = Field(description="Staff id who took the case back.")
    note: str = personal("Why the wait ended, e.g. what the member sent.", max_length=10_000)
    ended_at: AwareDatetime = Field(description="When the wait ended.")


class CaseReturned(Envelope):
    """The support team gave an escalated case back to the adviser who escalated it."""

    type: Literal["CaseReturned"] = Field(description="Event type discriminator.")
    schema_version: Literal[1] = Field(description="Version of this event's schema.")
    returned_by: str = Field(description="Staff id of the support member.")
    returned_to: str = Field(description="Staff id of the adviser who owns the case again.")
    office: Code = Field(description="Office the case belongs to.")
    note: str = personal("Support's note for the adviser.", min_length=1, max_length=10_000)
    returned_at: AwareDatetime = Field(description="When the case was returned.")


def _moved(kind: str, **fields: Any) -> dict[str, Any]:
    """An example of one of advisory's moves of a case, for the contract."""
    case = "3f2c7a51-9d0e-4b8a-a6f1-52e8c0d4b913"
    return {
        "type": kind,
        "schema_version": 1,
        "event_id": "7d41c2a8-9e3b-4f65-8a1d-2c6b0e9f4a37",
        "occurred_at": "2026-12-03T11:20:00Z",
        "case_id": case,
        "member_id": "M-10293",
        "correlation_id": case,
        "causation_id": None,
        "producer": "advisory",
        **fields,
    }


class ReopenCause(StrEnum):
    STAFF = "staff"  # a member of staff reopened it by hand
    MEMBER_MESSAGE = "member_message"  # the member wrote again within the reopening window
    TASK_REJECTED = "task_rejected"  # the administrative act it needed was refused


class CaseReopened(Envelope):
    """A resolved case is open again. It goes back to ``reopened_to``, who holds it (claimed),
    or, when that is null, to its queue (queued): the one who resolved it knows it best, so
    advisory gives it back to them unless they cannot take it (away, or an automatic
    resolution)."""

    model_config = ConfigDict(json_schema_extra={"examples": [_moved(
        "CaseReopened", actor="liege-front-01", cause="staff",
        reason="The member says the invoice is still wrong.", reopened_to="liege-front-01",
        office="liege", reopened_at="2026-12-03T11:20:00Z",
    )]})  # fmt: skip

    type: Literal["CaseReopened"] = Field(description="Event type discriminator.")
    schema_version: Literal[1] = Field(description="Version of this event's schema.")
    actor: str = Field(
        description="Staff id who reopened the case, or the service that did (for a member's "
        "message or a rejected task)."
    )
    cause: ReopenCause = Field(description="What reopened the case.")
    reason: str = personal(
        "Why, in plain words (e.g. the administrative team's rejection note).",
        min_length=1,
        max_length=10_000,
    )
    reopened_to: str | None = Field(
        description="Staff id who holds the case again (claimed), or null: back in its queue."
    )
    office: Code = Field(description="Office the case belongs to.")
    reopened_at: AwareDatetime = Field(description="When the case was reopened.")


class MoveCause(StrEnum):
    STAFF = "staff"  # a member of staff moved the case
    ABSENCE = "absence"  # its holder is away (routing recorded the absence): advisory moved it


class CaseReleased(Envelope):
    """A held case went back to its queue, unassigned: its holder (or their team lead) gave it
    up, or advisory did because the holder is away."""

    model_config = ConfigDict(json_schema_extra={"examples": [_moved(
        "CaseReleased", released_by="advisory", released_from="liege-front-01",
        cause="absence", reason="liege-front-01 is away.", office="liege",
        queue="liege/front", released_at="2026-12-03T11:20:00Z",
    )]})  # fmt: skip

    type: Literal["CaseReleased"] = Field(description="Event type discriminator.")
    schema_version: Literal[1] = Field(description="Version of this event's schema.")
    released_by: str = Field(description="Staff id who released it, or 'advisory' (an absence).")
    released_from: str = Field(description="Staff id who held the case until now.")
    cause: MoveCause = Field(description="A person's move, or the holder's absence.")
    reason: str = personal("Why, in plain words.", min_length=1, max_length=10_000)
    office: Code = Field(description="Office the case belongs to.")
    queue: str = Field(description="The queue the case is back in.")
    released_at: AwareDatetime = Field(description="When the case was released.")


class CaseReassigned(Envelope):
    """A case was given to a named colleague, who holds it from now on (in the same state:
    a case waiting on the member keeps waiting, with its new holder)."""

    model_config = ConfigDict(json_schema_extra={"examples": [_moved(
        "CaseReassigned", reassigned_by="lead-liege", reassigned_from="liege-front-01",
        reassigned_to="liege-contracts-01", cause="staff",
        reason="A contract question: the contracts desk knows it.", office="liege",
        reassigned_at="2026-12-03T11:20:00Z",
    )]})  # fmt: skip

    type: Literal["CaseReassigned"] = Field(description="Event type discriminator.")
    schema_version: Literal[1] = Field(description="Version of this event's schema.")
    reassigned_by: str = Field(description="Staff id who reassigned it, or 'advisory' (absence).")
    reassigned_from: str | None = Field(description="Who held it until now (null: queued).")
    reassigned_to: str = Field(description="Staff id of the colleague who holds it now.")
    cause: MoveCause = Field(description="A person's move, or the holder's absence.")
    reason: str = personal("Why, in plain words.", min_length=1, max_length=10_000)
    office: Code = Field(description="Office the case belongs to.")
    reassigned_at: AwareDatetime = Field(description="When the case was reassigned.")


class CaseTransferred(Envelope):
    """Staff sent a case elsewhere: another office, another desk, or another topic family.
    routing decides where it goes with the same policy as a new case's and publishes the
    decision on `routed` (caused by this fact, its reason naming the transfer); until then the
    case is in no queue."""

    model_config = ConfigDict(json_schema_extra={"examples": [_moved(
        "CaseTransferred", transferred_by="lead-liege", reason="The member moved to Namur.",
        from_office="liege", from_queue="liege/front", to_office="namur", to_desk=None,
        topic_family="contracts", transferred_at="2026-12-03T11:20:00Z",
    )]})  # fmt: skip

    type: Literal["CaseTransferred"] = Field(description="Event type discriminator.")
    schema_version: Literal[1] = Field(description="Version of this event's schema.")
    transferred_by: str = Field(description="Staff id who transferred it.")
    reason: str = personal("Why, in plain words.", min_length=1, max_length=10_000)
    from_office: Code = Field(description="Office the case belonged to.")
    from_queue: str = Field(description="Queue the case was in.")
    to_office: Code = Field(description="Office routing decides for (the same one or another).")
    to_desk: Code | None = Field(
        description="Desk asked for (specialised model), or null: the office's policy chooses."
    )
    topic_family: Code = Field(description="Topic family from now on (changed or the same).")
    transferred_at: AwareDatetime = Field(description="When the case was transferred.")


# --- one discriminated union per topic ------------------------------------------------------------
# A topic holding one event type today still gets a union, so a new type is an additive change.
RequestReceivedTopic = Annotated[Union[RequestReceived], Field(discriminator="type")]
# What a reader of the whole log meets on `request-received`: every version still in it. Decoding
# upcasts them to the current one; the contract documents all of them.
RequestReceivedLog = Union[RequestReceived, RequestReceivedV1]
RoutedTopic = Annotated[Union[CaseRouted], Field(discriminator="type")]
EscalatedTopic = Annotated[Union[CaseEscalated], Field(discriminator="type")]
ResolvedTopic = Annotated[Union[CaseResolved], Field(discriminator="type")]
CaseActivity = Union[
    CaseClaimed,
    NoteAdded,
    ReplySent,
    WaitingOnMember,
    WaitingEnded,
    CaseReturned,
    CaseReopened,
    CaseReleased,
    CaseReassigned,
    CaseTransferred,
    MemberReminded,
    FollowUpRequested,
]
CaseActivityTopic = Annotated[CaseActivity, Field(discriminator="type")]
AdminTaskEvent = Union[
    AdminTaskOpened, AdminTaskClaimed, AdminTaskAssigned, AdminTaskCompleted, AdminTaskRejected
]
MemberMessagesTopic = Annotated[Union[MemberMessageReceived], Field(discriminator="type")]
AdminTasksTopic = Annotated[AdminTaskEvent, Field(discriminator="type")]
# What a reader of the whole log meets on `admin-tasks`: AdminTaskOpened v1 too (read as v2).
AdminTasksLog = Union[AdminTaskEvent, AdminTaskOpenedV1]
# What a reader of the whole log meets on `organisation`: AdviserAbsenceRecorded v1 as well.
OrganisationLog = Union[OrganisationEvent, AdviserAbsenceRecordedV1]
CaseFact = (
    RequestReceived
    | CaseRouted
    | CaseEscalated
    | CaseResolved
    | CaseActivity
    | AdminTaskEvent
    | SlaEvent
    | MemberMessageReceived
)
"""Every event about a case (keyed by case_id)."""

Event = (
    RequestReceived
    | CaseRouted
    | CaseEscalated
    | CaseResolved
    | CaseClaimed
    | NoteAdded
    | ReplySent
    | WaitingOnMember
    | WaitingEnded
    | CaseReturned
    | CaseReopened
    | CaseReleased
    | CaseReassigned
    | CaseTransferred
    | MemberReminded
    | FollowUpRequested
    | MemberMessageReceived
    | AdminTaskOpened
    | AdminTaskClaimed
    | AdminTaskAssigned
    | AdminTaskCompleted
    | AdminTaskRejected
    | OrganisationEvent
    | SlaEvent
    | CaseShadowRouted
    | MemberErased
)

TOPIC_SCHEMAS: dict[str, Any] = {
    REQUEST_RECEIVED: RequestReceivedTopic,
    ROUTED: RoutedTopic,
    ESCALATED: EscalatedTopic,
    RESOLVED: ResolvedTopic,
    CASE_ACTIVITY: CaseActivityTopic,
    ADMIN_TASKS: AdminTasksTopic,
    ORGANISATION: OrganisationTopic,
    SLA: SlaTopic,
    ROUTED_SHADOW: RoutedShadowTopic,
    MEMBER_MESSAGES: MemberMessagesTopic,
    MEMBER_ERASURES: MemberErasuresTopic,
}
