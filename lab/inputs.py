"""Everything a lab run starts from, gathered once: the requests, the organisation, the
service times and the time axis; from the log when it has them, otherwise generated or given
by the scenario."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from lab import cases as traffic
from lab import clock as clocks
from lab import log
from lab.cases import Case
from lab.clock import Clock
from lab.durations import DEFAULT_STEPS, HOUR, Durations, Spread
from lab.estimates import estimate
from lab.history import Story, stories
from lab.organisation import Roster, fold
from lab.scenario import Scenario
from services.advisory.sla.policy import SlaPolicy
from services.routing.organisation import seed
from shared.events import (
    CASE_ACTIVITY,
    ESCALATED,
    ORGANISATION,
    REQUEST_RECEIVED,
    RESOLVED,
    ROUTED,
    CaseRouted,
    RequestReceived,
)
from shared.organisation_events import OrganisationEvent


class NothingToReplay(ValueError):
    """The log holds no request for the period asked."""


CASE_TOPICS = (ROUTED, CASE_ACTIVITY, ESCALATED, RESOLVED)


@dataclass(frozen=True)
class Inputs:
    cases: Sequence[Case]
    roster: Roster
    durations: Durations
    clock: Clock
    policy: SlaPolicy
    requests: dict[str, RequestReceived] = field(default_factory=dict)
    routed: Sequence[CaseRouted] = ()
    facts: Sequence[OrganisationEvent] = ()
    stories: dict[str, Story] = field(default_factory=dict)

    @property
    def from_log(self) -> bool:
        return bool(self.requests)


def defaults(scenario: Scenario) -> Durations:
    a = scenario.assumptions
    changes: dict[str, Any] = {k: Spread(v.mean_hours * HOUR, v.cv) for k, v in a.steps.items()}
    if a.p_escalate is not None:
        changes["p_escalate"] = a.p_escalate
    if a.p_wait is not None:
        changes["p_wait"] = a.p_wait
    steps = replace(DEFAULT_STEPS, **changes)
    return Durations(default=steps, source="the scenario's defaults")


async def gather(scenario: Scenario, bootstrap: str | None) -> Inputs:
    """The inputs, reading the log when the scenario needs it: the period's requests and the
    organisation first, then only the facts about the period's cases (a log holds years)."""
    needs_log = "log" in (scenario.traffic.source, scenario.organisation.source)
    if not (needs_log and bootstrap):
        return assemble(scenario, {}, bootstrap is not None)
    found = await log.read(bootstrap, (REQUEST_RECEIVED, ORGANISATION), _in_period(scenario))
    if scenario.traffic.source == "log":
        cases = {r.case_id for r in found[REQUEST_RECEIVED]}
        found |= await log.read(bootstrap, CASE_TOPICS, lambda e: e.case_id in cases)
    return assemble(scenario, found)


def _in_period(scenario: Scenario) -> Callable[[Any], bool]:
    since, until = scenario.traffic.since, scenario.traffic.until

    def keep(event: Any) -> bool:
        if not isinstance(event, RequestReceived):
            return True
        return (since is None or event.received_at >= since) and (
            until is None or event.received_at < until
        )

    return keep


def assemble(scenario: Scenario, found: dict[str, list[Any]], connected: bool = True) -> Inputs:
    """The inputs from the events read (topic -> events)."""
    facts: list[OrganisationEvent] = found.get(ORGANISATION, [])
    roster = _roster(scenario, facts)
    policy = SlaPolicy()
    if scenario.traffic.source == "generated":
        t = scenario.traffic
        cases = traffic.generated(t.cases, t.start, t.seed)
        return Inputs(cases, roster, defaults(scenario), _clock(scenario, cases, policy), policy)
    requests = [
        r
        for r in found.get(REQUEST_RECEIVED, [])
        if (scenario.traffic.since is None or r.received_at >= scenario.traffic.since)
        and (scenario.traffic.until is None or r.received_at < scenario.traffic.until)
    ]
    requests.sort(key=lambda r: (r.received_at, str(r.case_id)))
    if not requests:
        raise NothingToReplay(
            "the log holds no request-received for the period asked"
            + ("" if connected else " (no Kafka bootstrap servers given)")
        )
    cases = [traffic.of_request(r) for r in requests]
    clock = _clock(scenario, cases, policy)
    told = stories(
        e for t in (ROUTED, CASE_ACTIVITY, ESCALATED, RESOLVED) for e in found.get(t, [])
    )
    durations = (
        estimate(cases, told, clock, defaults(scenario))
        if scenario.assumptions.estimate_from_log
        else defaults(scenario)
    )
    return Inputs(
        cases,
        roster,
        durations,
        clock,
        policy,
        {str(r.case_id): r for r in requests},
        found.get(ROUTED, []),
        facts,
        told,
    )


def _roster(scenario: Scenario, facts: Sequence[OrganisationEvent]) -> Roster:
    o = scenario.organisation
    if o.source == "file":
        return fold(seed.facts(seed.load(o.file) if o.file else seed.load()))
    return fold(facts, o.as_of)


COMPRESSED = timedelta(days=1)  # a log of requests shorter than this is a compressed one


def _clock(scenario: Scenario, cases: Sequence[Case], policy: SlaPolicy) -> Clock:
    start = cases[0].received_at if cases else datetime.now(policy.calendar.tz)
    end = cases[-1].received_at if cases else start
    kind = scenario.assumptions.clock
    if kind == "auto":
        kind = "continuous" if end - start < COMPRESSED else "business"
    if kind == "continuous":
        return clocks.continuous(start)
    return clocks.business(policy.calendar, start, end)
