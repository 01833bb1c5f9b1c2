"""Routing policies, pure: (request facts, organisation, workload) -> decision with its reason.

- polyvalent (legacy): the member's own adviser when known and available, otherwise the
  least-loaded available adviser of the home office.
- specialised (pilot): simple requests to the front desk, others to the specialist desk of the
  topic family; within a desk, the adviser with the most free capacity who speaks the member's
  language; everyone at capacity -> the desk's queue.
Language first: never an adviser who does not speak the member's language while one who does
is available (at the desk; failing that, a speaker of the office skilled in the topic family).
Capacity: never over capacity while an eligible adviser has room. Ties go to the smallest id,
so a decision is deterministic; ``replay`` re-runs it from the inputs the event records.

A decision comes in two steps: ``place`` decides (the queue, the desk, the adviser, the pool
they were weighed in), and the policy explains it (``Choice``: its candidates and reason, what
``CaseRouted`` records). Live routing does both; the lab's simulation, which makes millions of
decisions and records none, only places."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from services.routing.organisation.model import Adviser, Desk, Office
from services.routing.organisation.standings import Standings
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
    desk: str | None = None  # a desk a transfer asks for (specialised model), else the family's


class Candidate(NamedTuple):
    """An adviser as a policy weighs them for one request (a tuple: thousands per batch)."""

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
        return self.available and self.capacity > self.open_cases


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


class Placement(NamedTuple):
    """A policy's decision before it is explained: where the case goes (queue, desk), the
    adviser who takes it (None: it waits in the queue), the pool they were weighed in and its
    name, and the member's own adviser as the office has them (the polyvalent policy's)."""

    queue: str
    desk: Desk | None
    adviser: Adviser | None
    pool: Standings
    pool_name: str
    own: Adviser | None = None


def candidate(adviser: Adviser, language: str) -> Candidate:
    # tuple.__new__ straight: the named tuple's own __new__ is a Python call, and the lab
    # makes three candidates per decision, millions per run
    return _new(
        Candidate,
        (
            adviser.adviser_id,
            adviser.desk,
            adviser.open_cases,
            adviser.capacity,
            language in adviser.languages,
            adviser.available,
        ),
    )


_new = tuple.__new__


def preference(c: Candidate) -> tuple[bool, bool, bool, int, int, str]:
    """The order in which ``pick`` prefers advisers: available speakers, then the other
    available advisers, then the rest; within each, room first, most free, least loaded, id."""
    return (
        not (c.available and c.speaks_language),
        not c.available,
        not c.has_room,
        c.open_cases - c.capacity,
        c.open_cases,
        c.adviser_id,
    )


def ranked(advisers: Iterable[Adviser], language: str) -> tuple[Candidate, ...]:
    """The best of a pool in the order of ``preference``: what a decision records, and all
    ``pick`` needs (it takes the first)."""
    return best_of(Standings(advisers), language)


def best_of(pool: Standings, language: str) -> tuple[Candidate, ...]:
    """The best of a pool kept in order (an office's own pools: ``Office.standings``)."""
    return tuple(candidate(a, language) for a in pool.top(language, MAX_CANDIDATES))


def pick(pool: Sequence[Candidate], language: str) -> tuple[Candidate | None, str]:
    """The adviser with the most room among the available ones who speak the language (among
    all available ones when none does); (None, why) when the case must wait in the queue."""
    best = min(pool, key=preference, default=None)
    if best is None or not best.available:
        return None, "no adviser is available"
    if not best.has_room:
        return None, "every available adviser is at capacity"
    lang = "speaks" if best.speaks_language else f"nobody available speaks {language};"
    return best, f"{lang} {language} with the most free capacity ({best.free})"


def own_adviser_takes_it(own: Candidate | None) -> bool:
    return own is not None and own.has_room and own.speaks_language


def takes_it(a: Adviser | None) -> Adviser | None:
    """``a`` when they can take a case now (available with room), else None."""
    return a if a is not None and a.available and a.capacity > a.open_cases else None


def place_polyvalent(request: Request, office: Office) -> Placement:
    """The member's own adviser when they speak the language and have room, else the first of
    the office in ``preference`` order if they have room (``pick`` on the best few: the same)."""
    pool = office.standings(None)
    mine = office.adviser(request.own_adviser) if request.own_adviser is not None else None
    if mine is not None and request.language in mine.languages and takes_it(mine):
        chosen: Adviser | None = mine
    else:
        chosen = takes_it(pool.first(request.language))
    return _new(Placement, (office.first_line_queue, None, chosen, pool, "office", mine))


def polyvalent(request: Request, office: Office) -> Choice:
    return _polyvalent(request, office, place_polyvalent(request, office))


def _polyvalent(request: Request, office: Office, placed: Placement) -> Choice:
    top = best_of(placed.pool, request.language)
    own = candidate(placed.own, request.language) if placed.own else None
    if own_adviser_takes_it(own):
        assert own is not None
        chosen: Candidate | None = own
        reason = f"the member's own adviser {own.adviser_id} is available"
    else:
        chosen, why = pick(top, request.language)
        prefix = "own adviser unavailable; " if request.own_adviser else ""
        reason = prefix + (f"least-loaded adviser who {why}" if chosen else f"queued: {why}")
    return Choice(
        queue=placed.queue,
        desk=None,
        adviser_id=chosen.adviser_id if chosen else None,
        organisation_model=OrganisationModel.POLYVALENT,
        policy="polyvalent",
        policy_version=POLICY_VERSION,
        tier=Tier.FIRST_LINE,
        reason=reason,
        pool=placed.pool_name,
        considered=len(office.advisers),
        candidates=top,
        own=own,
    )


def place_specialised(request: Request, office: Office) -> Placement:
    """The desk asked for, else the family's, else the front desk; its first adviser in
    ``preference`` order; failing an available speaker there, the office's available speakers
    skilled in the family; the first of the pool if they have room."""
    asked = None
    if request.desk is not None:
        asked = next((d for d in office.desks if d.desk_id == request.desk), None)
    desk = asked or office.desk_for(request.topic_family) or office.front_desk()
    queue = office.first_line_queue if desk is None else f"{office.office}/{desk.desk_id}"
    pool, pool_name = office.standings(desk), "desk" if desk else "office"
    language = request.language
    best = pool.first(language)
    if not (best is not None and best.available and language in best.languages):
        skilled = [
            a
            for a in office.advisers
            if a.available and language in a.languages and request.topic_family in a.skills
        ]
        if skilled:
            pool, pool_name = Standings(skilled), "skilled_speakers"
            best = pool.first(language)
    return _new(Placement, (queue, desk, takes_it(best), pool, pool_name, None))


def specialised(request: Request, office: Office) -> Choice:
    return _specialised(request, office, place_specialised(request, office))


def _specialised(request: Request, office: Office, placed: Placement) -> Choice:
    desk = placed.desk
    if desk is None:  # an office set to specialised without desks: its first-line queue
        where = "the office's first-line queue (no desks)"
    else:
        kind = "front desk" if desk == office.front_desk() else "specialist desk"
        where = f"the {kind} {desk.desk_id}"
        where += " (asked for)" if request.desk is not None and desk.desk_id == request.desk else ""
    top = best_of(placed.pool, request.language)
    chosen, why = pick(top, request.language)
    skilled = placed.pool_name == "skilled_speakers"
    helper = " (a skilled speaker of another desk)" if skilled else ""
    reason = f"{request.topic_family} goes to {where}; " + (
        f"adviser{helper} who {why}" if chosen else f"queued: {why}"
    )
    return Choice(
        queue=placed.queue,
        desk=desk.desk_id if desk else None,
        adviser_id=chosen.adviser_id if chosen else None,
        organisation_model=OrganisationModel.SPECIALISED,
        policy="specialised",
        policy_version=POLICY_VERSION,
        tier=Tier.FIRST_LINE,
        reason=reason,
        pool=placed.pool_name,
        considered=len(placed.pool),
        candidates=top,
    )


def decide(request: Request, office: Office) -> Choice:
    """The office's organisation model picks the policy."""
    if office.model is OrganisationModel.SPECIALISED:
        return specialised(request, office)
    return polyvalent(request, office)


def place(request: Request, office: Office) -> Placement:
    """``decide``'s decision, unexplained: the same queue, desk and adviser (a property test
    holds them equal), without the candidates and reason a recorded decision needs."""
    if office.model is OrganisationModel.SPECIALISED:
        return place_specialised(request, office)
    return place_polyvalent(request, office)


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
