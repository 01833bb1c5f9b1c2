"""A member's request lives its whole life through the four services, on the real broker and
database: request -> routed -> claimed -> escalated -> routed to support -> resolved -> admin
task -> completed; then every service's projection is checked."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import httpx
import orjson

from shared.events import ADMIN_TASKS, CASE_ACTIVITY, ESCALATED, RESOLVED, ROUTED
from tests.support.kafka import collect, end_offsets
from tests.support.polling import body_has, until
from tests.support.processes import ServiceProcess
from tests.support.staff import ADA, ANN, SAM, act, liege_request, submit

TOPICS = (ROUTED, CASE_ACTIVITY, ESCALATED, RESOLVED, ADMIN_TASKS)


async def test_a_request_lives_its_whole_life_across_the_four_services(
    intake: ServiceProcess,
    routing: ServiceProcess,
    advisory: ServiceProcess,
    admin: ServiceProcess,
    bootstrap: str,
    db: asyncpg.Pool,
) -> None:
    since = {t: await end_offsets(bootstrap, t) for t in TOPICS}
    body = liege_request(801)
    # Given a member's request accepted by intake
    case_id = await submit(intake, body)
    case = f"/cases/{case_id}"
    async with httpx.AsyncClient(base_url=advisory.url, timeout=10) as desk:
        # When routing puts it in a Liège queue (its desk's, if Liège runs the pilot model), an
        # adviser claims and works it
        queued = await until(
            lambda: desk.get(case, headers=ANN), body_has(status="queued", tier="first_line")
        )
        assert queued.json()["case"]["queue"].startswith("liege/")
        assert (await act(desk, f"{case}/claim", ANN))["event_type"] == "CaseClaimed"
        await act(desk, f"{case}/replies", ANN, {"text": "We are looking into it."})
        await act(desk, f"{case}/notes", ANN, {"note": "Needs a lawyer's eye."})
        # And escalates it to the support team
        escalated = await act(
            desk, f"{case}/escalation", ANN, {"reason_code": "legal", "note": "Legal question."}
        )
        assert escalated["case"]["status"] == "escalated"
        # Then routing sends it to the support queue, where support claims and resolves it
        await until(lambda: desk.get(case, headers=SAM), body_has(status="queued", tier="support"))
        await act(desk, f"{case}/claim", SAM)
        resolution = {"outcome": "solved", "admin_act": "contract_registration", "note": "OK"}
        resolved = await act(desk, f"{case}/resolution", SAM, resolution)
        assert resolved["case"]["status"] == "resolved"
    async with httpx.AsyncClient(base_url=admin.url, timeout=10) as office:
        # And admin opens a task for the contract registration, which the team completes
        tasks = await until(
            lambda: office.get(case, headers=ADA), lambda a: bool(a.json().get("tasks"))
        )
        (task,) = tasks.json()["tasks"]
        assert (task["act"], task["status"], task["office"]) == (
            "contract_registration",
            "open",
            "liege",
        )
        done = await act(office, f"/tasks/{task['task_id']}/completion", ADA, {"note": "Done."})
        assert done["task"]["status"] == "completed"
        member = (await office.get(f"/members/{body['member']['member_id']}", headers=ADA)).json()
    # Then every fact is in the log, once
    on_topics = {t: await facts(bootstrap, t, since[t], case_id) for t in TOPICS}
    assert on_topics == {
        ROUTED: ["CaseRouted", "CaseRouted"],
        CASE_ACTIVITY: ["CaseClaimed", "ReplySent", "NoteAdded", "CaseClaimed"],
        ESCALATED: ["CaseEscalated"],
        RESOLVED: ["CaseResolved"],
        ADMIN_TASKS: ["AdminTaskOpened", "AdminTaskCompleted"],
    }
    # And every service's projection tells the same story
    await check_projections(db, uuid.UUID(case_id), body)
    assert member["name"] == body["member"]["name"]
    assert [a["act"] for a in member["past_acts"]] == ["contract_registration"]
    assert case_id not in [c["case_id"] for c in member["open_cases"]]
    assert member["last_contact_at"] is not None


async def facts(bootstrap: str, topic: str, since: Any, case_id: str) -> list[str]:
    """The types of the case's events on a topic, in log order (waits until they are there)."""

    def ours(records: list[Any]) -> list[str]:
        events = [orjson.loads(r.value) for r in records]
        return [e["type"] for e in events if e["case_id"] == case_id]

    expected = {ROUTED: 2, CASE_ACTIVITY: 4, ESCALATED: 1, RESOLVED: 1, ADMIN_TASKS: 2}[topic]
    return ours(await collect(bootstrap, topic, since, lambda rs: len(ours(rs)) >= expected))


async def check_projections(db: asyncpg.Pool, case_id: uuid.UUID, body: dict[str, Any]) -> None:
    request = await db.fetchrow("SELECT member_id FROM intake.requests WHERE case_id = $1", case_id)
    assert request is not None
    assert request["member_id"] == body["member"]["member_id"]
    routed = await db.fetchrow("SELECT queue, tier FROM routing.cases WHERE case_id = $1", case_id)
    assert routed is not None
    assert (routed["queue"], routed["tier"]) == ("support", "support")
    escalations = await db.fetch(
        "SELECT routed_event_id FROM routing.escalations WHERE case_id = $1", case_id
    )
    assert len(escalations) == 1
    assert escalations[0]["routed_event_id"] is not None
    advised = await db.fetchrow("SELECT * FROM advisory.cases WHERE case_id = $1", case_id)
    assert advised is not None
    assert (advised["status"], advised["tier"], advised["office"]) == (
        "resolved",
        "support",
        "liege",
    )
    assert (advised["outcome"], advised["admin_act"], advised["resolved_by"]) == (
        "solved",
        "contract_registration",
        "sam",
    )
    assert (advised["escalations"], advised["replies"], advised["notes"]) == (1, 1, 1)
    history = await db.fetch(
        "SELECT type FROM advisory.case_history WHERE case_id = $1 ORDER BY occurred_at, event_id",
        case_id,
    )
    assert [h["type"] for h in history] == [
        "CaseRouted",
        "CaseClaimed",
        "ReplySent",
        "NoteAdded",
        "CaseEscalated",
        "CaseRouted",
        "CaseClaimed",
        "CaseResolved",
    ]
    administered = await db.fetchrow("SELECT * FROM admin.cases WHERE case_id = $1", case_id)
    assert administered is not None
    assert administered["received_at"] is not None
    assert administered["outcome"] == "solved"
    task = await db.fetchrow("SELECT * FROM admin.tasks WHERE case_id = $1", case_id)
    assert task is not None
    assert (task["status"], task["closed_by"]) == ("completed", "ada")
    member = await db.fetchrow(
        "SELECT name FROM admin.members WHERE member_id = $1", body["member"]["member_id"]
    )
    assert member is not None
    assert member["name"] == body["member"]["name"]


async def test_support_returns_a_case_and_the_adviser_resolves_it_without_an_act(
    intake: ServiceProcess,
    routing: ServiceProcess,
    advisory: ServiceProcess,
    admin: ServiceProcess,
    db: asyncpg.Pool,
) -> None:
    case = f"/cases/{await submit(intake, liege_request(802))}"
    async with httpx.AsyncClient(base_url=advisory.url, timeout=10) as desk:
        await until(lambda: desk.get(case, headers=ANN), body_has(status="queued"))
        await act(desk, f"{case}/claim", ANN)
        await act(desk, f"{case}/waiting", ANN, {"note": "Waiting for the invoice."})
        await act(desk, f"{case}/waiting/end", ANN, {"note": "Invoice received."})
        await act(desk, f"{case}/escalation", ANN, {"reason_code": "complex_case", "note": "?"})
        await until(lambda: desk.get(case, headers=SAM), body_has(tier="support"))
        # When support returns it with a note
        returned = await act(desk, f"{case}/return", SAM, {"note": "Standard case: answer it."})
        # Then it is Ann's again, first line, and she resolves it
        assert (returned["case"]["assignee"], returned["case"]["tier"]) == ("ann", "first_line")
        await act(desk, f"{case}/resolution", ANN, {"outcome": "answered"})
    async with httpx.AsyncClient(base_url=admin.url, timeout=10) as office:
        seen = await until(
            lambda: office.get(case, headers=ADA),
            lambda a: a.status_code == 200 and a.json()["case"]["outcome"] == "answered",
        )
    # And admin knows the resolution but opened no task: no act was needed
    assert seen.json()["tasks"] == []
    case_id = uuid.UUID(case.rsplit("/", 1)[1])
    types = await db.fetch(
        "SELECT type FROM advisory.case_history WHERE case_id = $1 ORDER BY occurred_at, event_id",
        case_id,
    )
    assert [t["type"] for t in types][-3:] == ["CaseRouted", "CaseReturned", "CaseResolved"]
