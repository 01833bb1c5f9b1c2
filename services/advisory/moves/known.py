"""What a move is checked against: what advisory knows of the organisation (``Known``:
routing's facts on `organisation`, read by advisory), loaded with the case; and the checks a
colleague who takes a case, or a transfer's destination, must pass."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from services.advisory.domain import CaseState
from shared.events import Tier
from shared.refusals import Conflict, Invalid, Refused


@dataclass(frozen=True)
class Colleague:
    """A member of staff as advisory knows them from routing's organisation facts."""

    staff_id: str
    office: str
    team: Tier
    active: bool
    away: bool  # an absence covers the time of the decision


@dataclass(frozen=True)
class Known:
    """What a move is checked against: the offices and topic families advisory is configured
    with, the desks of the office a transfer names, and the staff the move names."""

    offices: frozenset[str] = frozenset()
    topic_families: frozenset[str] = frozenset()
    desks: frozenset[str] = frozenset()
    staff: Mapping[str, Colleague] = field(default_factory=dict)

    @property
    def away(self) -> frozenset[str]:
        return frozenset(s for s, c in self.staff.items() if c.away)


NOTHING = Known()


def can_take(state: CaseState, colleague: Colleague) -> bool:
    """Whether the colleague may be given the case (same office and team, present)."""
    try:
        check_taker(state, colleague, colleague.staff_id)
    except Refused:
        return False
    return colleague.staff_id != state.assignee


def check_taker(state: CaseState, colleague: Colleague | None, who: str) -> None:
    """Refuses a colleague who cannot be given the case: not on the roster, in another team,
    in another office (a first-line case), or away."""
    if colleague is None or not colleague.active:
        raise Invalid("unknown_colleague", f"{who} is not on the organisation's roster.")
    if colleague.team is not state.tier:
        raise Conflict("other_team", f"{who} is not in the {state.tier.value} team.")
    if state.tier is Tier.FIRST_LINE and colleague.office != state.office:
        raise Conflict("other_office", f"{who} works for {colleague.office}, not {state.office}.")
    if colleague.away:
        raise Conflict("colleague_away", f"{who} is away: give the case to someone present.")


def check_destination(office: str, family: str, desk: str | None, known: Known) -> None:
    """A transfer's destination: an office served, a known topic family, a desk of the office."""
    if office not in known.offices:
        raise Invalid("unknown_office", f"No office {office!r} is served.")
    if family not in known.topic_families:
        raise Invalid("unknown_topic_family", f"No topic family {family!r}.")
    if desk is not None and desk not in known.desks:
        raise Invalid("unknown_desk", f"Office {office} has no desk {desk!r}.")
