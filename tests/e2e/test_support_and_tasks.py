"""Support that matches skills, and the administrative loop closing both ways, through the HTTP
APIs alone on the real stack: an escalation reaches the support member with the skill and the
language; support answers the adviser, who keeps the case and sees the answer in their queue;
another escalation is taken over by support; a resolution's task carries its due date, is
claimed, refused to a colleague, rejected, and the case reopens in the adviser's queue with the
reason. Then routing's, advisory's and admin's projections verify against the log."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest

from ops.verify import verify
from shared.events import ADMIN_TASKS, CASE_ACTIVITY, ESCALATED, RESOLVED, SLA
from shared.identity import Role
from shared.settings import Settings
from tests.support.auth import bearer
from tests.support.polling import body_has, until
from tests.support.processes import ServiceProcess
from tests.support.settling import at_rest
from tests.support.staff import act, liege_request, submit

OPS = bearer(Role.OPS, "ops-e2e")
ADVISER = "liege-e2e-support"
ANN = bearer(Role.ADVISER, ADVISER, "liege")
ADA = bearer(Role.ADMIN_TEAM, "ada-e2e")
ADELE = bearer(Role.ADMIN_TEAM, "adele-e2e")
# What each service publishes and reads back (routing decides and records at once: its outbox).
OWN_TOPICS: dict[str, list[str]] = {
    "routing": [],
    "advisory": [CASE_ACTIVITY, ESCALATED, RESOLVED, SLA],
    "admin": [ADMIN_TASKS],
}


# The tables these facts change, which must verify (None: all of the service's). Routing's
# organisation tables move with other tests' absences and profiles while this one runs.
MINE: dict[str, set[str] | None] = {
    "routing": {"decisions", "workload", "escalations", "cases"},
    "advisory": None,
    "admin": None,
}


def support_id(skill: str) -> str:
    # The team of this run: much room, and ids smaller than earlier runs' (ties go to the
    # smallest id), so the shared stack's leftovers never take their cases.
    return f"sup-e2e-{10**10 - int(time.time()):010d}-{skill[:8]}"


@pytest.fixture
async def support_team(routing: ServiceProcess) -> AsyncIterator[dict[str, str]]:
    """Two German-speaking support members: one for contracts, one for payments."""
    team = {skill: support_id(skill) for skill in ("contracts", "payments_advances")}
    async with httpx.AsyncClient(base_url=routing.url, headers=OPS, timeout=10) as org:

        async def profile(skill: str, active: bool) -> None:
            body = {
                "office": "bruxelles",
                "team": "support",
                "languages": ["de", "fr"],
                "skills": [skill],
                "capacity": 200,
                "active": active,
            }
            answer = await org.put(f"/advisers/{team[skill]}", json=body)
            assert answer.status_code == 200, answer.text

        for skill in team:
            await profile(skill, True)
        try:
            yield team
        finally:
            for skill in team:
                await profile(skill, False)


def german(seed: int, family: str) -> dict[str, Any]:
    body = liege_request(seed)
    body["member"] = {**body["member"], "preferred_language": "de"}
    return {**body, "topic_family": family}


async def escalated(desk: httpx.AsyncClient, case_id: str, reason: str, who: str) -> dict[str, Any]:
    """The case claimed by the adviser (if queued) and escalated; routing's support decision."""
    case = f"/cases/{case_id}"
    now = (await until(lambda: desk.get(case, headers=ANN), body_has(office="liege"))).json()
    if now["case"]["status"] == "queued":
        await act(desk, f"{case}/claim", ANN)
    await act(desk, f"{case}/escalation", ANN, {"reason_code": reason, "note": "Help, please."})
    routed = await until(
        lambda: desk.get(case, headers=ANN),
        body_has(tier="support", status="queued", routed_to=who),
    )
    assert routed.status_code == 200, routed.text
    detail: dict[str, Any] = routed.json()
    return detail


def queue_row(listing: httpx.Response, case_id: str) -> dict[str, Any] | None:
    if listing.status_code != 200:
        return None
    rows = [r for r in listing.json()["cases"] if r["case_id"] == case_id]
    return rows[0] if rows else None


async def test_support_matches_skills_and_a_rejected_act_comes_back_to_the_adviser(
    intake: ServiceProcess,
    routing: ServiceProcess,
    advisory: ServiceProcess,
    admin: ServiceProcess,
    support_team: dict[str, str],
    db: asyncpg.Pool,
    settings: Settings,
) -> None:
    contracts, payments = support_team["contracts"], support_team["payments_advances"]
    case_id = await submit(intake, german(1501, "contracts"))
    other_id = await submit(intake, german(1502, "contracts"))
    case = f"/cases/{case_id}"
    async with httpx.AsyncClient(base_url=advisory.url, timeout=10) as desk:
        # Given an adviser escalates a German contracts question
        detail = await escalated(desk, case_id, "complex_case", contracts)
        # Then it reaches the support member with the skill and the language
        routing_fact = detail["history"][-1]
        assert routing_fact["type"] == "CaseRouted"
        assert routing_fact["event"]["policy_version"] == 2
        assert routing_fact["event"]["inputs"]["pool"] == "support"
        assert (
            contracts in routing_fact["event"]["reason"]
            or "support member" in (routing_fact["event"]["reason"])
        )
        member = bearer(Role.SUPPORT, contracts)
        mine = await desk.get(
            "/cases",
            params={"tier": "support", "state": "queued", "routed_to": contracts},
            headers=member,
        )
        assert queue_row(mine, case_id) is not None, mine.text
        # When that member answers the adviser
        await act(desk, f"{case}/return", member, {"note": "Article 4 covers it."})
        # Then the adviser keeps the case, and their queue shows the answer
        listing = await until(
            lambda: desk.get("/cases", params={"assignee": ADVISER}, headers=ANN),
            lambda a: queue_row(a, case_id) is not None,
        )
        row = queue_row(listing, case_id)
        assert row is not None
        assert row["status"] == "claimed"
        assert row["notice"]["kind"] == "support_answer"
        assert (row["notice"]["text"], row["notice"]["by"]) == ("Article 4 covers it.", contracts)
        # And a payment problem on another case goes to the payments member, who takes it over
        await escalated(desk, other_id, "payment_problem", payments)
        taken = await act(desk, f"/cases/{other_id}/claim", bearer(Role.SUPPORT, payments))
        assert (taken["case"]["assignee"], taken["case"]["tier"]) == (payments, "support")
        # When the adviser replies and resolves the first case with a contract registration
        answered = await act(desk, f"{case}/replies", ANN, {"text": "Your clause is valid."})
        assert answered["case"]["notice"] is None
        resolution = {"outcome": "solved", "admin_act": "contract_registration", "note": "OK"}
        await act(desk, f"{case}/resolution", ANN, resolution)
    async with httpx.AsyncClient(base_url=admin.url, timeout=10) as office:
        tasks = await until(
            lambda: office.get(case, headers=ADA),
            lambda a: a.status_code == 200 and bool(a.json()["tasks"]),
        )
        (task,) = tasks.json()["tasks"]
        # Then the task is due by the act's business days
        assert task["due_at"] is not None
        assert task["due_at"] > task["opened_at"]
        path = f"/tasks/{task['task_id']}"
        # When Ada claims it, Adele cannot reject it, Ada can
        claimed = await act(office, f"{path}/claim", ADA)
        assert claimed["task"]["assignee"] == "ada-e2e"
        mine = await office.get("/tasks", params={"assignee": "ada-e2e"}, headers=ADA)
        assert task["task_id"] in {t["task_id"] for t in mine.json()["tasks"]}
        refused = await office.post(f"{path}/rejection", json={"note": "No."}, headers=ADELE)
        assert (refused.status_code, refused.json()["error"]) == (409, "assigned_to_other")
        note = "The signed contract is missing its annex."
        await act(office, f"{path}/rejection", ADA, {"note": note})
    async with httpx.AsyncClient(base_url=advisory.url, timeout=10) as desk:
        # Then the case reopens in the adviser's queue, with the rejection's reason
        listing = await until(
            lambda: desk.get("/cases", params={"assignee": ADVISER}, headers=ANN),
            lambda a: (row := queue_row(a, case_id)) is not None and row["status"] == "claimed",
        )
        row = queue_row(listing, case_id)
        assert row is not None, listing.text
        assert row["notice"]["kind"] == "task_rejected"
        assert note in row["notice"]["text"]
        history = (await desk.get(case, headers=ANN)).json()["history"]
        reopened = history[-1]
        assert (reopened["type"], reopened["event"]["cause"]) == ("CaseReopened", "task_rejected")
    # And every projection these facts touched is what the log says
    left = await at_rest(db, settings, OWN_TOPICS)
    assert not left, left
    for service, tables in MINE.items():
        verdict = await verify(settings, service)
        differing = {t.table: t.differences for t in verdict.tables if not t.same}
        assert not differing.keys() & (tables or differing.keys()), (service, differing)
        if service == "admin":
            assert {"tasks", "task_history", "opening_traces"} <= {t.table for t in verdict.tables}
