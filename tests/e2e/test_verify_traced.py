"""`verify advisory` on a traced stack after the SLA tick acted: the escalation the tick decided
live is stored with the trace context its message carries, so the projection rebuilt from the
log is identical to the live one. Tracing is on in the services and in the verifier (an
in-memory tracer), which is when a trace context exists to differ."""

from __future__ import annotations

import asyncpg
import httpx
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from ops.verify import verify
from shared import telemetry
from shared.events import CASE_ACTIVITY, ESCALATED, ORGANISATION, RESOLVED, SLA
from shared.settings import Settings
from tests.support.polling import body_has, until
from tests.support.processes import ServiceProcess
from tests.support.settling import at_rest, behind
from tests.support.staff import SAM, act, liege_request, submit

# The topics each service publishes and reads back live (routing reads `routed` back only in
# a rebuild: its outbox being empty is enough).
OWN_TOPICS = {
    "routing": [ORGANISATION],
    "advisory": [CASE_ACTIVITY, ESCALATED, RESOLVED, SLA],
}
TICK_ESCALATION = """
SELECT traceparent FROM advisory.case_history
WHERE case_id::text = $1 AND type = 'CaseEscalated' AND actor = 'sla'"""


async def test_verify_finds_advisory_as_its_log_says_after_the_tick_escalated_a_case(
    intake: ServiceProcess,
    routing: ServiceProcess,
    short_sla_advisory: ServiceProcess,
    db: asyncpg.Pool,
    settings: Settings,
    spans: InMemorySpanExporter,
) -> None:
    assert telemetry.enabled(), "the verifier's replay runs traced"
    # Given a case nobody answers, escalated by the SLA tick to the support team
    case_id = await submit(intake, liege_request(1511))
    case = f"/cases/{case_id}"
    async with httpx.AsyncClient(base_url=short_sla_advisory.url, timeout=10) as desk:
        queued = await until(
            lambda: desk.get(case, headers=SAM),
            body_has(tier="support", status="queued"),
            timeout=60,
        )
        assert queued.json()["case"]["escalations"] == 1, queued.text
        # And resolved there, which stops its clocks
        await act(desk, f"{case}/claim", SAM)
        resolution = {"outcome": "solved", "admin_act": None, "note": "Answered."}
        await act(desk, f"{case}/resolution", SAM, resolution)
    # The tick stored its escalation with the trace context it published it with
    assert await db.fetchval(TICK_ESCALATION, case_id)
    # When the stack is at rest and ops verify advisory, tracing on
    left = await at_rest(db, settings, OWN_TOPICS)
    assert not left, left
    short_sla_advisory.stop()  # its tick decides nothing more while the log is compared
    assert not await behind(db, settings, "advisory", OWN_TOPICS["advisory"])
    verdict = await verify(settings, "advisory")
    # Then the projection is identical to its rebuild from the log
    differing = {t.table: t.differences for t in verdict.tables if not t.same}
    assert verdict.identical, differing
    compared = {t.table for t in verdict.tables}
    assert compared >= {"case_history", "sla_facts", "sla_clocks", "requests", "admin_tasks"}
