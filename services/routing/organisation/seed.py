"""The demo organisation (``seed/organisation.json``) as organisation facts, pure.

routing publishes them at its first start, when its organisation projection is empty. Their
ids and times derive from the file alone, so publishing them twice (two instances starting,
a fresh database on an old log) records the same facts twice, which consumers absorb."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid5

import orjson

from shared.organisation_events import (
    AdviserProfileSet,
    DeskDefined,
    OfficeModelChanged,
    OrganisationEvent,
)

SEED_FILE = Path(__file__).parent / "seed" / "organisation.json"
SEED_NAMESPACE = UUID("2b0f5c3e-9d4a-4a51-8f3e-6c7d1e2a9b40")
SEED_ACTOR = "seed"
SERVICE = "routing"


def load(path: Path = SEED_FILE) -> dict[str, Any]:
    data: dict[str, Any] = orjson.loads(path.read_bytes())
    return data


def facts(seed: dict[str, Any]) -> list[OrganisationEvent]:
    """Every office's model, desks and advisers, then the support team."""
    at = datetime.fromisoformat(seed["as_of"])
    desks = seed["desks"]
    families = {d["desk"]: tuple(d["topic_families"]) for d in desks}
    result: list[OrganisationEvent] = []
    for office, spec in seed["offices"].items():
        result.append(
            OfficeModelChanged(
                **common("OfficeModelChanged", f"model:{office}", at),
                office=office,
                model=spec["model"],
                effective_at=at,
            )
        )
        result.extend(
            DeskDefined(
                **common("DeskDefined", f"desk:{office}/{d['desk']}", at),
                office=office,
                desk=d["desk"],
                kind=d["kind"],
                topic_families=tuple(d["topic_families"]),
            )
            for d in desks
        )
        numbers: dict[str, int] = {}
        for team in spec["teams"]:
            desk = team["desk"]
            for _ in range(team["count"]):
                numbers[desk] = numbers.get(desk, 0) + 1
                adviser_id = f"{office}-{desk}-{numbers[desk]:02d}"
                result.append(adviser(adviser_id, office, desk, team, families[desk], at))
    support = seed["support"]
    everything = tuple(sorted({f for fs in families.values() for f in fs}))
    count = 0
    for team in support["teams"]:
        for _ in range(team["count"]):
            count += 1
            result.append(
                adviser(f"support-{count:02d}", support["office"], None, team, everything, at)
            )
    return result


def adviser(
    adviser_id: str,
    office: str,
    desk: str | None,
    team: dict[str, Any],
    skills: tuple[str, ...],
    at: datetime,
) -> AdviserProfileSet:
    return AdviserProfileSet(
        **common("AdviserProfileSet", f"adviser:{adviser_id}", at),
        adviser_id=adviser_id,
        office=office,
        team="first_line" if desk else "support",
        desk=desk,
        languages=tuple(team["languages"]),
        skills=skills,
        capacity=team["capacity"],
        active=True,
    )


def common(event_type: str, key: str, at: datetime) -> dict[str, Any]:
    """The envelope and version of a seed fact: id and time from the file alone."""
    return {
        "type": event_type,
        "schema_version": 1,
        "event_id": uuid5(SEED_NAMESPACE, key),
        "occurred_at": at,
        "causation_id": None,
        "producer": SERVICE,
        "changed_by": SEED_ACTOR,
    }
