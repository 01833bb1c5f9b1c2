"""An adviser reads a member's question, the member's other cases and open administrative tasks,
through the HTTP APIs alone, on the real stack: intake takes two requests of one member, the
first is resolved with an act admin opens a task for, and advisory shows it all."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from shared.identity import Role
from tests.support.auth import bearer
from tests.support.polling import body_has, until
from tests.support.processes import ServiceProcess
from tests.support.staff import ANN, SAM, act, liege_request, submit

BOB = bearer(Role.ADVISER, "bob", "namur")  # an adviser of another office
TESS = bearer(Role.TEAM_LEAD, "tess", "liege")


def has_open_task(answer: httpx.Response) -> bool:
    return answer.status_code == 200 and bool(answer.json()["open_tasks"])


async def test_an_adviser_reads_the_question_the_member_and_their_open_tasks(
    intake: ServiceProcess, routing: ServiceProcess, advisory: ServiceProcess, admin: ServiceProcess
) -> None:
    # Given a member's first request, answered and resolved with an invoice to issue
    # (a name and a subject word of their own: the shared stack keeps earlier runs' cases)
    token = uuid.uuid4().hex[:8]
    first = liege_request(811)
    first["member"]["name"] = f"Arne Vanzq{token}"
    second = {**liege_request(812), "member": first["member"]}
    second["subject"] = f"{second['subject']} ref{token}"
    member_id, name = first["member"]["member_id"], first["member"]["name"]
    old_case = await submit(intake, first)
    async with httpx.AsyncClient(base_url=advisory.url, timeout=10) as desk:
        old = f"/cases/{old_case}"
        await until(lambda: desk.get(old, headers=ANN), body_has(status="queued"))
        await act(desk, f"{old}/claim", ANN)
        await act(desk, f"{old}/replies", ANN, {"text": "We issue it."})
        resolution = {"outcome": "solved", "admin_act": "invoice_issue", "note": "OK"}
        await act(desk, f"{old}/resolution", ANN, resolution)
        # And a second question from the same member
        new_case = await submit(intake, second)
        new = f"/cases/{new_case}"
        # When Ann opens the new case
        read = await until(
            lambda: desk.get(new, headers=ANN),
            lambda a: a.status_code == 200 and a.json()["request"] is not None,
        )
        # Then she reads the question, who asked it, in which language and through which channel
        request = read.json()["request"]
        assert (request["subject"], request["body"]) == (second["subject"], second["body"])
        assert request["channel"] == second["channel"]
        assert request["member"]["name"] == name
        assert request["member"]["preferred_language"] == first["member"]["preferred_language"]
        # And the member's whole picture: the open case, the past one, the open invoice task
        member = f"/members/{member_id}/cases"
        whole = (await until(lambda: desk.get(member, headers=ANN), has_open_task)).json()
        assert [c["case_id"] for c in whole["open_cases"]] == [new_case]
        assert [c["case_id"] for c in whole["past_cases"]] == [old_case]
        assert whole["open_cases"][0]["subject"] == second["subject"]
        assert whole["member"]["name"] == name
        assert whole["last_contact_at"] is not None
        (task,) = whole["open_tasks"]
        assert (task["case_id"], task["act"], task["status"]) == (old_case, "invoice_issue", "open")
        # And the old case shows its task too
        detail = (await desk.get(old, headers=ANN)).json()
        assert [t["task_id"] for t in detail["tasks"]] == [task["task_id"]]
        # And the queue finds the new case by the member's name and by the subject's words
        await search_finds(desk, new_case, f"vanzq{token}", member_id)
        await search_finds(
            desk, new_case, f"{second['subject'].split()[0]} REF{token[:6]}", member_id
        )
        # And pages through the member's cases one at a time
        page = (
            await desk.get("/cases", params={"member_id": member_id, "limit": 1}, headers=ANN)
        ).json()
        more = {"member_id": member_id, "limit": 1, "cursor": page["next_cursor"]}
        rest = (await desk.get("/cases", params=more, headers=ANN)).json()
        assert {page["cases"][0]["case_id"], rest["cases"][0]["case_id"]} == {old_case, new_case}
        assert rest["next_cursor"] is None
        # And the counts of her office's queues hold the new case's
        queues = (await desk.get("/queues", headers=ANN)).json()["queues"]
        assert any(q["queue"] == whole["open_cases"][0]["queue"] and q["open"] >= 1 for q in queues)
        # And a team lead of Liège and support see the member too; an adviser of Namur sees
        # none of the member's Liège cases, and may not open one
        for who in (TESS, SAM):
            seen = (await desk.get(member, headers=who)).json()
            assert [c["case_id"] for c in seen["open_cases"]] == [new_case]
        elsewhere = (await desk.get(member, headers=BOB)).json()
        assert (elsewhere["open_cases"], elsewhere["past_cases"], elsewhere["open_tasks"]) == (
            [],
            [],
            [],
        )
        assert elsewhere["member"] is None
        assert (await desk.get(new, headers=BOB)).status_code == 403
        assert (await desk.get("/cases", params={"cursor": "nope"}, headers=ANN)).status_code == 422


async def search_finds(desk: httpx.AsyncClient, case_id: str, words: str, member_id: str) -> None:
    found = await desk.get("/cases", params={"search": words, "limit": 1000}, headers=ANN)
    assert found.status_code == 200, found.text
    rows: list[dict[str, Any]] = found.json()["cases"]
    assert case_id in [r["case_id"] for r in rows], words
    ours = [r for r in rows if r["case_id"] == case_id]
    assert ours[0]["member_id"] == member_id
    assert ours[0]["language"] is not None
