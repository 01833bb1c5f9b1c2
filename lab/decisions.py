"""Backtest of routing decisions: every first routing the log holds is decided again by
routing's own code (``deciding.route``, the function live routing calls), from the same
inputs: the request, the organisation the `organisation` log had decided by then (model in
force, desks, advisers, languages, skills, absences), and the load of the advisers the
decision weighed, as the event recorded it. Advisers the decision did not record ranked below
them, so they are given a load that keeps them there. The decision must come out identical:
adviser, queue, desk, model, policy and reason. ``deciding.replayed`` is checked too."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from lab.organisation import Roster, fold
from services.routing import deciding
from services.routing.domain import Decision
from services.routing.organisation.model import Adviser, Office
from shared.events import CaseRouted, RequestReceived, Tier
from shared.organisation_events import OrganisationEvent
from shared.routing_inputs import RoutingCandidate

BELOW = 10_000  # extra load that keeps an unrecorded adviser below the recorded candidates


@dataclass(frozen=True)
class Agreement:
    decisions: int
    identical: int
    replayed: int  # deciding.replayed(event) == event.adviser_id
    differences: tuple[str, ...]  # the first few, in words

    @property
    def share(self) -> float:
        return self.identical / self.decisions if self.decisions else 1.0


def check(
    requests: Mapping[str, RequestReceived],  # the period's: decisions about others are not checked
    routed: Sequence[CaseRouted],
    facts: Sequence[OrganisationEvent],
) -> Agreement:
    firsts = sorted(
        (
            e
            for e in routed
            if e.tier is Tier.FIRST_LINE
            and e.inputs is not None
            and str(e.case_id) in requests
            # a first routing, caused by the request (not a transfer's routing)
            and e.causation_id == requests[str(e.case_id)].event_id
        ),
        key=lambda e: (e.routed_at, e.event_id.int),
    )
    facts = sorted(facts, key=lambda f: (f.occurred_at, f.event_id.int))
    identical = replayed = 0
    differences: list[str] = []
    roster, applied = fold([]), 0
    for event in firsts:
        request = requests[str(event.case_id)]
        seen = applied
        while seen < len(facts) and facts[seen].occurred_at <= event.routed_at:
            seen += 1
        if seen != applied:
            roster, applied = fold(facts[:seen]), seen
        again = decide_again(request, event, roster)
        same = _same(again, event)
        identical += same
        replayed += deciding.replayed(event) == event.adviser_id
        if not same and len(differences) < 10:
            differences.append(f"case {event.case_id}: live {_what(event)}, lab {_what(again)}")
    return Agreement(len(firsts), identical, replayed, tuple(differences))


def decide_again(request: RequestReceived, event: CaseRouted, roster: Roster) -> Decision:
    assert event.inputs is not None
    office = roster.offices.get(request.member.home_office)
    staffing = office or deciding.Staffing(request.member.home_office)
    recorded = {c.adviser_id: c for c in event.inputs.candidates}
    own = event.inputs.own_adviser
    if own is not None:
        recorded[own.adviser_id] = own
    at = event.routed_at
    absent = {a.adviser_id for a in roster.absences if a.starts_at <= at < a.ends_at}
    advisers = tuple(_as_weighed(a, recorded, absent) for a in staffing.advisers)
    view: Office = replace(staffing, advisers=advisers).as_office(request.received_at)
    return deciding.route(request, view, own.adviser_id if own else _own_unknown(event))


def _own_unknown(event: CaseRouted) -> str | None:
    # The policy names an own adviser off the roster only in its reason's prefix.
    return "?" if event.reason.startswith("own adviser unavailable") else None


def _as_weighed(a: Adviser, recorded: Mapping[str, RoutingCandidate], absent: set[str]) -> Adviser:
    c = recorded.get(a.adviser_id)
    if c is None:
        return replace(a, open_cases=a.capacity + BELOW, available=a.adviser_id not in absent)
    return replace(
        a,
        open_cases=c.open_cases,
        capacity=c.capacity,
        available=c.available,
    )


def _same(d: Decision, e: CaseRouted) -> bool:
    return (d.adviser_id, d.queue, d.desk, d.organisation_model, d.policy, d.reason) == (
        e.adviser_id,
        e.queue,
        e.desk,
        e.organisation_model,
        e.policy,
        e.reason,
    )


def _what(d: Decision | CaseRouted) -> str:
    return f"{d.adviser_id or 'queued'} via {d.queue} ({d.organisation_model.value}): {d.reason}"
