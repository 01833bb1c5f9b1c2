"""Shadow routing in routing's own tables (real PostgreSQL): live decisions and the load they
leave are the same with an office shadowed or not, and a rebuild from the facts routing
published (organisation, routed, routed-shadow) gives back the same shadow tables."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import NamedTuple

from ops.schemas import Shadow
from ops.services import load
from services.routing.organisation import seed
from shared.batch import Apply
from shared.codec import decode
from shared.events import ORGANISATION, REQUEST_RECEIVED, ROUTED, ROUTED_SHADOW, Event
from shared.organisation_events import OfficeShadowSet
from shared.settings import Settings
from tests.support import routing_live
from tests.support.events import T0, request
from tests.support.interleavings import Step, apply_steps, in_order, rows

TABLES = ("decisions", "workload", "office_shadows", "shadow_decisions")
# What live routing decided and the load it left, but the batch's clock (routed_at, as_of):
# the only columns two live runs of the same requests may not share.
LIVE = """
SELECT d.case_id, d.queue, d.adviser_id, d.organisation_model, d.policy, w.holder
FROM decisions d JOIN workload w USING (case_id) ORDER BY d.case_id"""
CLEAR = "TRUNCATE requests, decisions, members, workload, office_shadows, shadow_decisions, outbox"
REBUILD: dict[str, Apply] = {s.topic: s.apply for s in load("routing", Settings()).sources}
LIVE_HANDLERS: dict[str, Apply] = {
    ORGANISATION: routing_live.on_organisation,
    REQUEST_RECEIVED: routing_live.on_request_received,
}
SHADOWED = "bruxelles"


def shadow_of(model: str | None) -> OfficeShadowSet:
    return OfficeShadowSet.model_validate(
        {
            "type": "OfficeShadowSet",
            "schema_version": 1,
            "event_id": uuid.uuid4(),
            "occurred_at": datetime(2025, 1, 1, tzinfo=UTC),
            "causation_id": None,
            "producer": "routing",
            "changed_by": "ops-test",
            "office": SHADOWED,
            "model": model,
        }
    )


REQUESTS: list[Event] = [
    request(n, at=T0, member={"home_office": office, "member_id": f"M-SH-{n}"})
    for n, office in enumerate(["bruxelles", "namur"] * 6)
]
ORGANISATION_FACTS: list[Event] = list(seed.facts(seed.load()))
SHADOW_ON = shadow_of("specialised")


class Run(NamedTuple):
    tables: dict[str, list[str]]
    live: list[tuple[object, ...]]
    published: list[Event]


async def live_run(shadow: Shadow, facts: list[Event]) -> Run:
    """Routes the requests live (one batch) over the organisation ``facts``."""
    async with shadow.pool.acquire() as conn:
        await conn.execute(CLEAR)
        await apply_steps(conn, LIVE_HANDLERS, in_order({ORGANISATION: facts}))
        await apply_steps(conn, LIVE_HANDLERS, [Step(REQUEST_RECEIVED, tuple(REQUESTS))])
        tables = await rows(conn, TABLES)
        live = [tuple(r) for r in await conn.fetch(LIVE)]
        published = await conn.fetch("SELECT topic, value FROM outbox ORDER BY id")
    return Run(tables, live, [decode(r["topic"], r["value"]) for r in published])


async def test_a_shadow_changes_no_live_decision_and_rebuilds_as_it_was(
    routing_scratch: Shadow,
) -> None:
    # Given the same requests routed live with no shadow, then with Bruxelles shadowed
    plain = await live_run(routing_scratch, ORGANISATION_FACTS)
    shadowed = await live_run(routing_scratch, [*ORGANISATION_FACTS, SHADOW_ON])
    # Then the live decisions and the load they left are the same
    assert shadowed.live == plain.live
    assert len(plain.live) == len(REQUESTS)
    assert [e for e in plain.published if e.type == "CaseShadowRouted"] == []
    # ...and each Bruxelles case has its shadow decision, by the candidate, published
    out = shadowed.published
    shadows: list[Event] = [e for e in out if e.type == "CaseShadowRouted"]
    assert len(shadows) == len(shadowed.tables["shadow_decisions"]) == 6
    assert all("specialised" in row for row in shadowed.tables["shadow_decisions"])
    # When routing's projection is rebuilt from what it published and read
    async with routing_scratch.pool.acquire() as conn:
        await conn.execute(CLEAR)
        streams: dict[str, list[Event]] = {
            ORGANISATION: [*ORGANISATION_FACTS, SHADOW_ON],
            REQUEST_RECEIVED: REQUESTS,
            ROUTED: [e for e in out if e.type == "CaseRouted"],
            ROUTED_SHADOW: shadows,
        }
        await apply_steps(conn, REBUILD, in_order(streams))
        rebuilt = await rows(conn, TABLES)
    # Then the shadow's tables (and the live ones) are as they were
    assert rebuilt == shadowed.tables


async def test_stopping_the_shadow_stops_the_shadow_decisions(routing_scratch: Shadow) -> None:
    facts = [*ORGANISATION_FACTS, SHADOW_ON]
    stopped = shadow_of(None).model_copy(update={"occurred_at": datetime(2025, 2, 1, tzinfo=UTC)})
    run = await live_run(routing_scratch, [*facts, stopped])
    assert run.tables["shadow_decisions"] == []
    assert run.tables["office_shadows"]  # the stop is recorded
    assert not [e for e in run.published if e.type == "CaseShadowRouted"]
