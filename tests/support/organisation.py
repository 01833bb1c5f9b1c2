"""The organisation for tests: the demo seed as facts, and routing's view of it folded in
memory (what routing's tables would hold), with loads and absences given by the test."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime

from services.routing import domain
from services.routing.deciding import Staffing, route
from services.routing.domain import Decision
from services.routing.organisation import seed
from services.routing.organisation.model import DEFAULT_MODEL, Adviser, Desk, ModelChange, Office
from shared.events import OrganisationModel, RequestReceived
from shared.organisation_events import (
    AdviserProfileSet,
    DeskDefined,
    OfficeModelChanged,
    OrganisationEvent,
)
from shared.settings import DEMO_OFFICES

SEED = seed.facts(seed.load())
ADVISERS = [f for f in SEED if isinstance(f, AdviserProfileSet)]


def staffing(
    facts: Sequence[OrganisationEvent] = SEED,
    loads: Mapping[str, int] | None = None,
    away: frozenset[str] = frozenset(),
) -> dict[str, Staffing]:
    """Every office as routing would know it after ``facts``: latest profile per adviser and
    desk, every model change; ``loads`` open cases per adviser, ``away`` absent advisers."""
    latest: dict[str, OrganisationEvent] = {}
    changes: dict[str, list[ModelChange]] = {}
    for fact in sorted(facts, key=lambda f: (f.occurred_at, f.event_id.int)):
        match fact:
            case OfficeModelChanged():
                changes.setdefault(fact.office, []).append(
                    ModelChange(
                        fact.office, fact.model, fact.effective_at, fact.occurred_at, fact.event_id
                    )
                )
            case DeskDefined():
                latest[f"desk:{fact.office}/{fact.desk}"] = fact
            case AdviserProfileSet():
                latest[f"adviser:{fact.adviser_id}"] = fact
    offices = sorted({*changes, *(getattr(f, "office", "") for f in latest.values())} - {""})
    result = {}
    for office in offices:
        desks = tuple(
            Desk(f.desk, office, f.kind, frozenset(f.topic_families))
            for f in latest.values()
            if isinstance(f, DeskDefined) and f.office == office
        )
        advisers = tuple(
            Adviser(
                adviser_id=f.adviser_id,
                office=office,
                languages=frozenset(lang.value for lang in f.languages),
                skills=frozenset(f.skills),
                capacity=f.capacity,
                open_cases=(loads or {}).get(f.adviser_id, 0),
                available=f.adviser_id not in away,
                desk=f.desk,
            )
            for f in sorted(
                (x for x in latest.values() if isinstance(x, AdviserProfileSet)),
                key=lambda x: x.adviser_id,
            )
            if f.office == office and f.team.value == "first_line" and f.active
        )
        ordered = tuple(sorted(desks, key=lambda d: d.desk_id))
        result[office] = Staffing(office, ordered, advisers, tuple(changes.get(office, [])))
    return result


def model_switch(office: str, model: str, effective_at: datetime, n: int = 0) -> OfficeModelChanged:
    """An ops switch of ``office`` to ``model`` from ``effective_at`` on."""
    return OfficeModelChanged(
        type="OfficeModelChanged",
        schema_version=1,
        event_id=uuid.uuid5(seed.SEED_NAMESPACE, f"test-switch:{office}:{effective_at}:{n}"),
        occurred_at=effective_at,
        causation_id=None,
        producer="routing",
        changed_by="ops-test",
        office=office,
        model=OrganisationModel(model),
        effective_at=effective_at,
    )


def unstaffed(office: str, model: OrganisationModel = DEFAULT_MODEL) -> Office:
    """An office with no desks nor advisers known: every case waits in its queue."""
    return Office(office, model)


def first_line(request: RequestReceived, offices: Collection[str] = DEMO_OFFICES) -> Decision:
    """The first routing of a case in an office of which nothing is known (no desks, no
    advisers): its first-line queue. For tests that need a plain decision."""
    domain.require_office(request.member.home_office, offices)
    return route(request, unstaffed(request.member.home_office), None)
