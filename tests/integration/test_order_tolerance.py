"""routing's projection reaches the same final state whatever order a rebuild reads its two
topics in, however deliveries are batched, and however often they are redelivered. A rebuild
runs what routing's sources declare (shared.service.Source.apply): facts applied, nothing
decided."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ops.schemas import Shadow
from ops.services import load
from services.routing import handlers
from shared.batch import Apply
from shared.events import REQUEST_RECEIVED, ROUTED, Event
from shared.service import then
from shared.settings import DEMO_OFFICES, Settings
from tests.support.events import T0, request, rerouted, routed
from tests.support.interleavings import Step, apply_steps, in_order, interleavings, rows

TABLES = ("cases", "members")
# What a rebuild applies: the handlers routing declares for its sources.
HANDLERS: dict[str, Apply] = {
    s.topic: s.apply
    for s in load("routing", Settings()).sources
    if s.topic in (REQUEST_RECEIVED, ROUTED)
}
# What routing's live consumer runs on a request: its facts applied, then decided on.
LIVE: dict[str, Apply] = {
    REQUEST_RECEIVED: then(
        handlers.apply_request_received,
        partial(handlers.decide_request_received, offices=DEMO_OFFICES),
    )
}
CLEAR = "TRUNCATE requests, decisions, members, outbox"

# Three cases of one member (two of them received at the same instant, with different
# snapshots of the member), one case of another; one case routed twice (re-routed later).
ANNE = {"member_id": "M-1", "home_office": "liege", "preferred_language": "fr"}
_r1 = request(1, at=T0, member=ANNE)
_r2 = request(2, at=T0 + timedelta(minutes=5), member={**ANNE, "home_office": "namur"})
_r3 = request(3, at=T0 + timedelta(minutes=5), member={**ANNE, "preferred_language": "de"})
_r4 = request(4, at=T0 + timedelta(minutes=1), member={"member_id": "M-2"})
_d1 = routed(_r1)
STREAMS: dict[str, list[Event]] = {
    REQUEST_RECEIVED: [_r1, _r2, _r3, _r4],
    ROUTED: [
        _d1,
        routed(_r2),
        routed(_r3),
        routed(_r4),
        rerouted(_d1, "liege/support", timedelta(hours=2)),
    ],
}


async def final_state(shadow: Shadow, steps: list[Step]) -> dict[str, list[str]]:
    async with shadow.pool.acquire() as conn:
        await conn.execute(CLEAR)
        await apply_steps(conn, HANDLERS, steps)
        return await rows(conn, TABLES)


async def test_the_canonical_order_gives_the_expected_projection(routing_scratch: Shadow) -> None:
    state = await final_state(routing_scratch, in_order(STREAMS))
    assert len(state["cases"]) == 4
    assert len(state["members"]) == 2
    # the re-routing is the case's current decision; the latest snapshot (tie: by event id)
    assert any("liege/support" in row for row in state["cases"])
    assert not any(
        row.startswith(f"({_r1.case_id},") and "liege/first_line" in row for row in state["cases"]
    )


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
async def test_any_interleaving_reaches_the_same_state(
    routing_scratch: Shadow, data: st.DataObject
) -> None:
    # Given the state the events give in the canonical order
    expected = await final_state(routing_scratch, in_order(STREAMS))
    # When they arrive interleaved across topics and cases, batched, some twice
    steps = data.draw(interleavings(STREAMS))
    # Then the projection is the same
    assert await final_state(routing_scratch, steps) == expected


async def test_the_decisions_first_then_the_requests_gives_the_same_state(
    routing_scratch: Shadow,
) -> None:
    reversed_topics: dict[str, list[Event]] = {
        ROUTED: STREAMS[ROUTED],
        REQUEST_RECEIVED: STREAMS[REQUEST_RECEIVED],
    }
    assert await final_state(routing_scratch, in_order(reversed_topics)) == await final_state(
        routing_scratch, in_order(STREAMS)
    )


async def test_a_rebuild_decides_and_publishes_nothing(routing_scratch: Shadow) -> None:
    steps = in_order({REQUEST_RECEIVED: STREAMS[REQUEST_RECEIVED]})
    async with routing_scratch.pool.acquire() as conn:
        await conn.execute(CLEAR)
        # When requests are replayed (a rebuild)
        await apply_steps(conn, HANDLERS, steps)
        # Then they are recorded, undecided, and nothing is published
        assert await conn.fetchval("SELECT count(*) FROM cases WHERE queue IS NULL") == 4
        assert await conn.fetchval("SELECT count(*) FROM decisions") == 0
        assert await conn.fetchval("SELECT count(*) FROM outbox") == 0
        # While live, the same requests are routed and the decisions published
        await conn.execute(CLEAR)
        await apply_steps(conn, LIVE, steps)
        assert await conn.fetchval("SELECT count(*) FROM cases WHERE queue IS NULL") == 0
        assert await conn.fetchval("SELECT count(*) FROM outbox WHERE topic = 'routed'") == 4
