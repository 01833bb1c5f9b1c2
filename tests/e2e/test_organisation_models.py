"""Both organisation models route real traffic side by side, and an office switches model at
runtime: Liège runs specialised, Bruxelles polyvalent, then Bruxelles joins the pilot while
requests flow. Every CaseRouted names the model and policy version that decided it, and
replays from its own inputs."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import orjson

from relais_cli.demo_data import stream
from services.routing.deciding import replayed
from shared.codec import decode
from shared.events import ORGANISATION, ROUTED, CaseRouted
from shared.identity import Role
from tests.support.auth import CHANNEL, bearer
from tests.support.kafka import Record, collect, end_offsets
from tests.support.processes import ServiceProcess

OPS = bearer(Role.OPS, "ops-e2e")
PER_OFFICE = 6


def body(office: str, seed: int) -> dict[str, Any]:
    request = stream(1, seed=seed)[0]
    language = {"liege": "fr", "bruxelles": "nl"}[office]
    member = f"M-ORG-{seed}-{uuid.uuid4().hex[:8]}"
    request["member"] = {
        **request["member"],
        "home_office": office,
        "preferred_language": language,
        "member_id": member,
    }
    return request


async def submit(client: httpx.AsyncClient, office: str, seeds: range) -> list[str]:
    case_ids = []
    for seed in seeds:
        answer = await client.post("/requests", json=body(office, seed))
        assert answer.status_code == 202, answer.text
        case_ids.append(answer.json()["case_id"])
    return case_ids


async def set_model(api: httpx.AsyncClient, office: str, model: str) -> dict[str, Any]:
    answer = await api.put(f"/offices/{office}/model", json={"model": model})
    assert answer.status_code == 200, answer.text
    done: dict[str, Any] = answer.json()
    return done


def decisions(records: list[Record], case_ids: set[str]) -> dict[str, CaseRouted]:
    events = [decode(ROUTED, r.value) for r in records]
    return {
        str(e.case_id): e
        for e in events
        if isinstance(e, CaseRouted) and str(e.case_id) in case_ids and e.tier.value == "first_line"
    }


async def test_offices_route_by_their_model_and_a_switch_applies_to_later_requests(
    intake: ServiceProcess, routing: ServiceProcess, bootstrap: str
) -> None:
    since = await end_offsets(bootstrap, ROUTED)
    facts_since = await end_offsets(bootstrap, ORGANISATION)
    async with (
        httpx.AsyncClient(base_url=routing.url, headers=OPS, timeout=10) as api,
        httpx.AsyncClient(base_url=intake.url, headers=CHANNEL, timeout=10) as channel,
    ):
        # Given Liège runs the specialised model and Bruxelles the polyvalent one (set now:
        # the shared stack may keep earlier switches)
        await set_model(api, "liege", "specialised")
        await set_model(api, "bruxelles", "polyvalent")
        liege = await submit(channel, "liege", range(1100, 1100 + PER_OFFICE))
        before = await submit(channel, "bruxelles", range(1200, 1200 + PER_OFFICE))
        # When Bruxelles joins the pilot while requests flow
        switch = await set_model(api, "bruxelles", "specialised")
        try:
            after = await submit(channel, "bruxelles", range(1300, 1300 + PER_OFFICE))
            office = (await api.get("/offices/bruxelles")).json()
        finally:
            await set_model(api, "bruxelles", "polyvalent")
    wanted = {*liege, *before, *after}
    records = await collect(
        bootstrap, ROUTED, since, lambda rs: wanted <= set(decisions(rs, wanted)), timeout=60
    )
    routed = decisions(records, wanted)
    # Then Liège's cases went to its desks by the specialised policy
    for case_id in liege:
        event = routed[case_id]
        assert (event.organisation_model.value, event.policy, event.policy_version) == (
            "specialised",
            "specialised",
            2,
        )
        assert event.desk is not None
        assert event.queue == f"liege/{event.desk}"
    # And Bruxelles' cases received before the switch kept the polyvalent model, later ones not
    assert {routed[c].organisation_model.value for c in before} == {"polyvalent"}
    assert {routed[c].queue for c in before} == {"bruxelles/first_line"}
    assert {routed[c].organisation_model.value for c in after} == {"specialised"}
    assert all(routed[c].queue == f"bruxelles/{routed[c].desk}" for c in after)
    # And every decision explains itself: its recorded inputs pick the same adviser again
    for event in routed.values():
        assert event.inputs is not None
        assert replayed(event) == event.adviser_id
        if event.adviser_id is not None:
            chosen = next(c for c in event.inputs.candidates if c.adviser_id == event.adviser_id)
            assert chosen.speaks_language
    # And the switch is a fact in the log, keyed by the office, that the office's view shows
    assert office["model"] == "specialised"
    assert switch["event_id"] in {c["event_id"] for c in office["changes"]}
    facts = await collect(
        bootstrap,
        ORGANISATION,
        facts_since,
        lambda rs: switch["event_id"] in {orjson.loads(r.value)["event_id"] for r in rs},
    )
    (fact,) = [r for r in facts if orjson.loads(r.value)["event_id"] == switch["event_id"]]
    assert fact.key == b"bruxelles"
    assert orjson.loads(fact.value)["changed_by"] == "ops-e2e"


async def test_only_ops_and_the_administrative_team_manage_the_organisation(
    routing: ServiceProcess,
) -> None:
    async with httpx.AsyncClient(base_url=routing.url, timeout=10) as api:
        adviser = bearer(Role.ADVISER, "ann", "liege")
        refused = await api.put(
            "/offices/liege/model", json={"model": "polyvalent"}, headers=adviser
        )
        assert refused.status_code == 403
        assert (await api.get("/offices")).status_code == 401
        admin = bearer(Role.ADMIN_TEAM, "ada")
        advisers = await api.get("/advisers", params={"office": "liege"}, headers=admin)
        assert advisers.status_code == 200
        rows = advisers.json()["advisers"]
        assert len(rows) >= 40
        assert all(r["office"] == "liege" for r in rows)
        assert any("de" in r["languages"] for r in rows)
        unknown = await api.put(
            "/offices/paris/model", json={"model": "specialised"}, headers=admin
        )
        assert unknown.status_code == 404
