"""Routing policies, pure: (request facts, organisation, workload) -> decision with its reason.

- polyvalent (legacy): the member's own adviser when known and available, otherwise the
  least-loaded available adviser of the home office.
- specialised (pilot): simple requests to the front desk, others to the specialist desk of the
  topic family; within a desk, the adviser with the most free capacity who speaks the member's
  language; everyone at capacity -> the desk's queue.
Language first: never an adviser who does not speak the member's language while one who does
is available (at the desk; failing that, a speaker of the office skilled in the topic family).
Capacity: never over capacity while an eligible adviser has room. Ties go to the smallest id,
so a decision is deterministic; ``replay`` re-runs it from the inputs the event records."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from services.routing.organisation import Adviser, Office
from shared.events import OrganisationModel, Tier
from shared.routing_inputs import MAX_CANDIDATES

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
    """An adviser as a policy weighs them for one request."""

    adviser_id: str
    desk: str | None
    open_cases: int
    capacity: int
    speaks_language: bool
    available: bool

    @property
    def free(self) -> int:
        return self.capacity - self.open_cases

    @property
    def has_room(self) -> bool:
        return self.available and self.free > 0


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
    pool: str
    considered: int
    candidates: tuple[Candidate, ...]
    own: Candidate | None = None


def candidate(adviser: Adviser, language: str) -> Candidate:
    return Candidate(
        adviser.adviser_id,
        adviser.desk,
        adviser.open_cases,
        adviser.capacity,
        language in adviser.languages,
        adviser.available,
    )


def preference(c: Candidate) -> tuple[bool, bool, bool, int, int, str]:
    """The order in which ``pick`` prefers advisers: available speakers, then the other
    available advisers, then the rest; within each, room first, most free, least loaded, id."""
    return (
        not (c.available and c.speaks_language),
        not c.available,
        not c.has_room,
        -c.free,
        c.open_cases,
        c.adviser_id,
    )


def best_of(pool: Sequence[Candidate]) -> tuple[Candidate, ...]:
    """What a decision records of its pool: enough of the top to replay ``pick`` exactly."""
    return tuple(sorted(pool, key=preference)[:MAX_CANDIDATES])


def pick(pool: Sequence[Candidate], language: str) -> tuple[Candidate | None, str]:
    """The adviser with the most room among those who speak the language; (None, why) when the
    case must wait in the queue."""
    speakers = [c for c in pool if c.available and c.speaks_language]
    eligible = speakers or [c for c in pool if c.available]
    with_room = [c for c in eligible if c.has_room]
    if not with_room:
        why = "every available adviser is at capacity" if eligible else "no adviser is available"
        return None, why
    best = min(with_room, key=preference)
    lang = "speaks" if speakers else f"nobody available speaks {language};"
    return best, f"{lang} {language} with the most free capacity ({best.free})"


def own_adviser_takes_it(own: Candidate | None) -> bool:
    return own is not None and own.has_room and own.speaks_language


def polyvalent(request: Request, office: Office) -> Choice:
    pool = [candidate(a, request.language) for a in office.advisers]
    own = next((c for c in pool if c.adviser_id == request.own_adviser), None)
    if own_adviser_takes_it(own):
        assert own is not None
        chosen: Candidate | None = own
        reason = f"the member's own adviser {own.adviser_id} is available"
    else:
        chosen, why = pick(pool, request.language)
        prefix = "own adviser unavailable; " if request.own_adviser else ""
        reason = prefix + (f"least-loaded adviser who {why}" if chosen else f"queued: {why}")
    return Choice(
        queue=f"{office.office}/{Tier.FIRST_LINE.value}",
        desk=None,
        adviser_id=chosen.adviser_id if chosen else None,
        organisation_model=OrganisationModel.POLYVALENT,
        policy="polyvalent",
        policy_version=POLICY_VERSION,
        tier=Tier.FIRST_LINE,
        reason=reason,
        pool="office",
        considered=len(pool),
        candidates=best_of(pool),
        own=own,
    )


def specialised(request: Request, office: Office) -> Choice:
    desk = office.desk_for(request.topic_family) or office.front_desk()
    if desk is None:  # an office set to specialised without desks: its first-line queue
        where, queue = "the office's first-line queue (no desks)", f"{office.office}/first_line"
        staff = list(office.advisers)
    else:
        kind = "front desk" if desk == office.front_desk() else "specialist desk"
        where, queue = f"the {kind} {desk.desk_id}", f"{office.office}/{desk.desk_id}"
        staff = list(office.advisers_of(desk))
    pool = [candidate(a, request.language) for a in staff]
    pool_name = "desk" if desk else "office"
    if not any(c.available and c.speaks_language for c in pool):
        skilled = [
            candidate(a, request.language)
            for a in office.advisers
            if a.available and request.language in a.languages and request.topic_family in a.skills
        ]
        if skilled:
            pool, pool_name = skilled, "skilled_speakers"
    chosen, why = pick(pool, request.language)
    helper = " (a skilled speaker of another desk)" if pool_name == "skilled_speakers" else ""
    reason = f"{request.topic_family} goes to {where}; " + (
        f"adviser{helper} who {why}" if chosen else f"queued: {why}"
    )
    return Choice(
        queue=queue,
        desk=desk.desk_id if desk else None,
        adviser_id=chosen.adviser_id if chosen else None,
        organisation_model=OrganisationModel.SPECIALISED,
        policy="specialised",
        policy_version=POLICY_VERSION,
        tier=Tier.FIRST_LINE,
        reason=reason,
        pool=pool_name,
        considered=len(pool),
        candidates=best_of(pool),
    )


def decide(request: Request, office: Office) -> Choice:
    """The office's organisation model picks the policy."""
    if office.model is OrganisationModel.SPECIALISED:
        return specialised(request, office)
    return polyvalent(request, office)


def replay(
    model: OrganisationModel,
    language: str,
    own: Candidate | None,
    candidates: Sequence[Candidate],
) -> str | None:
    """The adviser a recorded decision picks again from its recorded inputs (None: queued)."""
    if model is OrganisationModel.POLYVALENT and own_adviser_takes_it(own):
        assert own is not None
        return own.adviser_id
    chosen, _ = pick(candidates, language)
    return chosen.adviser_id if chosen else None
