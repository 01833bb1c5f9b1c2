"""Shadow routing on the running stack: an office shadowed by a candidate model gets a shadow
decision for each new case on `routed-shadow`, and its live decisions are exactly those of a
run without the shadow, or with a shadow that fails.

Three runs of the same requests, one after the other, each against advisers of its own
created for it with the same profiles (the previous run's leave the roster), so every run
starts from the same organisation and load: off (no shadow), on (the specialised model
shadowing polyvalent Mons), failing (the same shadow, in a routing process whose shadow step
raises). Each request is routed before the next is sent, so the runs decide in the same order."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from relais_cli.demo_data import stream
from shared.codec import decode
from shared.events import ROUTED, ROUTED_SHADOW, CaseRouted
from shared.identity import Role
from shared.provision import ensure_topics
from shared.shadow_events import CaseShadowRouted
from tests.support.auth import CHANNEL, bearer
from tests.support.kafka import collect, end_offsets
from tests.support.processes import ServiceProcess
from tests.support.traces import tracing_env

OPS = bearer(Role.OPS, "ops-shadow-e2e")
OFFICE = "mons"
# (desk, languages) of the advisers each run creates: wide open (capacity 200), so they are
# the least loaded of the office and live routing picks among them alone.
PROFILES = (("contracts", ["fr"]), ("contracts", ["fr", "nl"]), ("payments", ["fr", "nl"]))
REQUESTS = (
    ("contracts", "fr"),
    ("vat_tax", "nl"),
    ("invoicing", "fr"),
    ("payments_advances", "fr"),
    ("contracts", "nl"),
    ("vat_tax", "fr"),
    ("contracts", "fr"),
)


def request(run: str, n: int) -> dict[str, Any]:
    family, language = REQUESTS[n]
    body = stream(1, seed=4200 + n)[0]
    member = {
        **body["member"],
        "home_office": OFFICE,
        "preferred_language": language,
        "member_id": f"M-SHD-{run}-{n}",
    }
    return {**body, "member": member, "topic_family": family}


async def staff(api: httpx.AsyncClient, run: str, active: bool) -> list[str]:
    ids = [f"shd-{run}-{i}" for i in range(len(PROFILES))]
    for adviser, (desk, languages) in zip(ids, PROFILES, strict=True):
        profile = {"office": OFFICE, "desk": desk, "languages": languages, "capacity": 200}
        answer = await api.put(f"/advisers/{adviser}", json={**profile, "active": active})
        assert answer.status_code == 200, answer.text
    return ids


async def held(api: httpx.AsyncClient, advisers: list[str]) -> int:
    found = (await api.get("/advisers", params={"office": OFFICE})).json()["advisers"]
    return sum(a["open_cases"] for a in found if a["adviser_id"] in advisers)


async def routed_one_by_one(
    api: httpx.AsyncClient, channel: httpx.AsyncClient, run: str, advisers: list[str]
) -> list[str]:
    """Sends the requests, each once the previous one is routed to one of ``advisers``."""
    cases = []
    for n in range(len(REQUESTS)):
        answer = await channel.post("/requests", json=request(run, n))
        assert answer.status_code == 202, answer.text
        cases.append(answer.json()["case_id"])
        deadline = time.monotonic() + 30
        while await held(api, advisers) < n + 1:
            assert time.monotonic() < deadline, f"request {n} of run {run} was not routed"
            await asyncio.sleep(0.05)
    return cases


async def facts(
    bootstrap: str, topic: str, since: Any, cases: list[str], wait: float
) -> dict[str, Any]:
    """The facts of ``topic`` about ``cases`` (by case), once all are there or after ``wait``."""
    wanted = set(cases)

    def mine(records: list[Any]) -> dict[str, Any]:
        events = (decode(topic, r.value) for r in records)
        by_case = {str(getattr(e, "case_id", "")): e for e in events}
        return {c: e for c, e in by_case.items() if c in wanted}

    return mine(await collect(bootstrap, topic, since, lambda rs: wanted <= set(mine(rs)), wait))


def as_run(decision: CaseRouted, advisers: list[str]) -> tuple[Any, ...]:
    """A live decision with the run's advisers named by their place (the runs' only difference)."""
    who = advisers.index(decision.adviser_id) if decision.adviser_id in advisers else None
    return (
        decision.queue,
        decision.desk,
        who,
        decision.organisation_model,
        decision.policy,
        decision.policy_version,
        decision.reason,
    )


@pytest.fixture
async def polyvalent_mons(routing: ServiceProcess, bootstrap: str) -> AsyncIterator[None]:
    """Mons on the polyvalent model, no shadow; the shadow stopped again after the test."""
    await ensure_topics(bootstrap)  # `routed-shadow` on a stack provisioned before it existed
    async with httpx.AsyncClient(base_url=routing.url, headers=OPS, timeout=10) as api:
        answer = await api.put(f"/offices/{OFFICE}/model", json={"model": "polyvalent"})
        assert answer.status_code == 200, answer.text
        assert (await api.put(f"/offices/{OFFICE}/shadow", json={"model": None})).status_code == 200
    yield
    async with httpx.AsyncClient(base_url=routing.url, headers=OPS, timeout=10) as api:
        await api.put(f"/offices/{OFFICE}/shadow", json={"model": None})


async def run_once(
    routing_url: str, intake: ServiceProcess, bootstrap: str, run: str
) -> tuple[list[str], list[str], Any, Any]:
    """One run: fresh advisers, the requests routed one by one, the advisers retired."""
    async with (
        httpx.AsyncClient(base_url=routing_url, headers=OPS, timeout=10) as api,
        httpx.AsyncClient(base_url=intake.url, headers=CHANNEL, timeout=10) as channel,
    ):
        routed_since = await end_offsets(bootstrap, ROUTED)
        shadow_since = await end_offsets(bootstrap, ROUTED_SHADOW)
        advisers = await staff(api, run, active=True)
        try:
            cases = await routed_one_by_one(api, channel, run, advisers)
        finally:
            await staff(api, run, active=False)
    return advisers, cases, routed_since, shadow_since


async def test_live_routing_is_the_same_with_the_shadow_off_on_or_failing(
    intake: ServiceProcess, routing: ServiceProcess, bootstrap: str, polyvalent_mons: None
) -> None:
    tag = uuid.uuid4().hex[:6]
    # Given a run of the requests with no shadow
    off = await run_once(routing.url, intake, bootstrap, f"{tag}-off")
    # And the same requests with the specialised model shadowing Mons
    async with httpx.AsyncClient(base_url=routing.url, headers=OPS, timeout=10) as api:
        answer = await api.put(f"/offices/{OFFICE}/shadow", json={"model": "specialised"})
        assert answer.status_code == 200, answer.text
        assert (await api.get(f"/offices/{OFFICE}")).json()["shadow_model"] == "specialised"
    on = await run_once(routing.url, intake, bootstrap, f"{tag}-on")
    # And once more with routing's shadow step failing on every batch
    routing.stop()
    failing = ServiceProcess(
        "routing", {**tracing_env("routing"), "RELAIS_FAULT_FAIL": "routing.shadow"}
    ).start()
    try:
        broken = await run_once(failing.url, intake, bootstrap, f"{tag}-failing")
    finally:
        failing.stop()
        routing.start()
    runs = {"off": off, "on": on, "failing": broken}
    live = {
        name: await facts(bootstrap, ROUTED, since, cases, 30)
        for name, (_, cases, since, _) in runs.items()
    }
    # Then live routing decided every request of the three runs identically
    decided = {
        name: [as_run(live[name][c], advisers) for c in cases]
        for name, (advisers, cases, _, _) in runs.items()
    }
    assert decided["on"] == decided["off"]
    assert decided["failing"] == decided["off"]
    assert len({d[2] for d in decided["off"]}) > 1  # the decisions weighed a moving load
    # And with the shadow on, each case got one shadow decision, by the candidate, naming the
    # live decision beside it
    _, cases, _, shadow_since = on
    shadows = await facts(bootstrap, ROUTED_SHADOW, shadow_since, cases, 30)
    assert set(shadows) == set(cases)
    for case_id, shadow in shadows.items():
        assert isinstance(shadow, CaseShadowRouted)
        assert (shadow.organisation_model.value, shadow.policy) == ("specialised", "specialised")
        assert shadow.queue == f"{OFFICE}/{shadow.desk}"
        real = live["on"][case_id]
        assert (shadow.live_queue, shadow.live_adviser_id) == (real.queue, real.adviser_id)
        assert shadow.live_model.value == "polyvalent"
    # ...whose choices differ from live routing's (the desks), so the comparison says something
    assert {s.queue for s in shadows.values()} != {f"{OFFICE}/first_line"}
    # And the failing shadow published nothing, while live routing went on
    _, cases, _, shadow_since = broken
    assert not await facts(bootstrap, ROUTED_SHADOW, shadow_since, cases, 3)
