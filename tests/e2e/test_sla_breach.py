"""An SLA breach escalates a case by itself: advisory runs with a test-only policy (targets of
seconds, a round-the-clock calendar), a request is left untouched, and the clocks start, warn,
breach and escalate; routing then sends the case to the support team. Nothing sleeps: the test
waits for the facts to appear."""

from __future__ import annotations

import uuid

import httpx
import orjson

from relais_cli.demo_data import stream
from shared.events import ESCALATED, ROUTED, SLA
from shared.identity import Role
from tests.support.auth import CHANNEL, bearer
from tests.support.kafka import collect, end_offsets
from tests.support.polling import body_has, until
from tests.support.processes import ServiceProcess

OPS = bearer(Role.OPS, "ops-sla")


def ours(records: list[object], case_id: str) -> list[dict[str, object]]:
    events = [orjson.loads(r.value) for r in records]  # type: ignore[attr-defined]
    return [e for e in events if e["case_id"] == case_id]


async def test_an_untouched_case_breaches_its_sla_and_is_escalated_by_itself(
    intake: ServiceProcess,
    routing: ServiceProcess,
    short_sla_advisory: ServiceProcess,
    bootstrap: str,
) -> None:
    since = {t: await end_offsets(bootstrap, t) for t in (SLA, ESCALATED, ROUTED)}
    request = stream(1, seed=1401)[0]
    request["member"] = {**request["member"], "member_id": f"M-SLA-{uuid.uuid4().hex[:8]}"}
    # Given a member's request that nobody answers
    async with httpx.AsyncClient(base_url=intake.url, headers=CHANNEL) as channel:
        answer = await channel.post("/requests", json=request)
    assert answer.status_code == 202
    case_id = answer.json()["case_id"]
    # When its first-response target passes, the case ends up in the support team's queue
    async with httpx.AsyncClient(base_url=short_sla_advisory.url, headers=OPS) as desk:
        seen = await until(
            lambda: desk.get(f"/cases/{case_id}"),
            body_has(tier="support", status="queued"),
            timeout=60,
        )
    assert seen.json()["case"]["escalations"] == 1
    # Then the clock's history is in the log: started, warned, breached
    sla = await collect(
        bootstrap,
        SLA,
        since[SLA],
        lambda rs: any(e["type"] == "SlaBreached" for e in ours(rs, case_id)),
    )
    first_response = [e for e in ours(sla, case_id) if e["clock"] == "first_response"]
    assert [e["type"] for e in first_response][:3] == ["SlaStarted", "SlaWarned", "SlaBreached"]
    assert first_response[0]["policy_version"] == 99
    # And the escalation was automatic: by 'sla', for an SLA breach, caused by the breach
    escalated = await collect(
        bootstrap, ESCALATED, since[ESCALATED], lambda rs: bool(ours(rs, case_id))
    )
    (escalation,) = ours(escalated, case_id)
    assert (escalation["escalated_by"], escalation["reason_code"]) == ("sla", "sla_breach")
    assert escalation["causation_id"] == first_response[2]["event_id"]
    # And routing sent it to the support team because of that escalation
    routed = await collect(bootstrap, ROUTED, since[ROUTED], lambda rs: len(ours(rs, case_id)) >= 2)
    support = [e for e in ours(routed, case_id) if e["tier"] == "support"]
    assert [e["causation_id"] for e in support] == [escalation["event_id"]]
