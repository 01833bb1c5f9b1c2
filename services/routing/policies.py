"""Routing policies, pure: (request facts, organisation, workload) -> decision with its reason.

- polyvalent (legacy): the member's own adviser when known and available, otherwise the
  least-loaded available adviser of the home office.
- specialised (pilot): simple requests to the front desk, others to the specialist desk of the
  topic family; within a desk, the adviser with the most free capacity who speaks the member's
  language; everyone at capacity -> the desk's queue.
Language first: never an adviser who does not speak the member's language while one who does
is available. Capacity: never over capacity while an eligible adviser has room."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from services.routing.organisation import Adviser, Desk, Office
from shared.events import OrganisationModel, Tier

POLICY_VERSION = 2


@dataclass(frozen=True)
class Request:
    """What a policy needs of a case."""

    office: str
    language: str
    topic_family: str
    own_adviser: str | None = None


@dataclass(frozen=True)
class Candidate:
    adviser_id: str
    free: int
    speaks_language: bool
    available: bool


@dataclass(frozen=True)
class Choice:
    queue: str
    desk: str | None
    adviser_id: str | None
    organisation_model: OrganisationModel
    policy: str
    policy_version: int
    tier: Tier
    reason: str
    candidates: tuple[Candidate, ...]


def candidates(advisers: Sequence[Adviser], language: str) -> tuple[Candidate, ...]:
    return tuple(
        Candidate(a.adviser_id, a.free, language in a.languages, a.available)
        for a in sorted(advisers, key=lambda a: a.adviser_id)
    )


def pick(advisers: Sequence[Adviser], language: str) -> tuple[Adviser | None, str]:
    """The adviser with the most room among those who speak the language; (None, why) when the
    case must wait in the queue. Ties go to the smallest id, so the choice is deterministic."""
    speakers = [a for a in advisers if a.available and language in a.languages]
    pool = speakers or [a for a in advisers if a.available]
    with_room = [a for a in pool if a.has_room]
    if not with_room:
        why = "every available adviser is at capacity" if pool else "no adviser is available"
        return None, why
    best = min(with_room, key=lambda a: (-a.free, a.open_cases, a.adviser_id))
    lang = "speaks" if speakers else f"nobody available speaks {language};"
    return best, f"{lang} {language} with the most free capacity ({best.free})"


def polyvalent(request: Request, office: Office) -> Choice:
    queue = f"{office.office}/first_line"
    own = next((a for a in office.advisers if a.adviser_id == request.own_adviser), None)
    if own and own.has_room and request.language in own.languages:
        chosen: Adviser | None = own
        reason = f"the member's own adviser {own.adviser_id} is available"
    else:
        chosen, why = pick(office.advisers, request.language)
        prefix = "own adviser unavailable; " if request.own_adviser else ""
        reason = prefix + (f"least-loaded adviser who {why}" if chosen else f"queued: {why}")
    return Choice(
        queue=queue,
        desk=None,
        adviser_id=chosen.adviser_id if chosen else None,
        organisation_model=OrganisationModel.POLYVALENT,
        policy="polyvalent",
        policy_version=POLICY_VERSION,
        tier=Tier.FIRST_LINE,
        reason=reason,
        candidates=candidates(office.advisers, request.language),
    )


def specialised(request: Request, office: Office) -> Choice:
    desk: Desk | None = office.desk_for(request.topic_family) or office.front_desk()
    where = "front desk" if desk is office.front_desk() else "specialist desk"
    if desk is None:  # an office set to specialised without desks: its first-line queue
        return polyvalent(request, office)
    staff = office.advisers_of(desk)
    chosen, why = pick(staff, request.language)
    reason = f"{request.topic_family} goes to the {where} {desk.desk_id}; " + (
        f"adviser who {why}" if chosen else f"queued: {why}"
    )
    return Choice(
        queue=f"{office.office}/{desk.desk_id}",
        desk=desk.desk_id,
        adviser_id=chosen.adviser_id if chosen else None,
        organisation_model=OrganisationModel.SPECIALISED,
        policy="specialised",
        policy_version=POLICY_VERSION,
        tier=Tier.FIRST_LINE,
        reason=reason,
        candidates=candidates(staff, request.language),
    )


def decide(request: Request, office: Office) -> Choice:
    """The office's organisation model picks the policy."""
    if office.model is OrganisationModel.SPECIALISED:
        return specialised(request, office)
    return polyvalent(request, office)
