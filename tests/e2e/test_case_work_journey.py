"""An adviser's whole piece of work, through the HTTP APIs alone, on the real stack (issue 14's
"Done means"): she finds the case in her queue by a word of its subject, reads the member's
question and the member's other cases, answers, waits for the member and gets the reply,
resolves with an administrative act, sees the rejected act come back with its reason, and hands
the case over to a colleague. Then every service's projection, rebuilt from a log holding all of
these facts, is identical to the live one."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from ops.rebuild import rebuild
from ops.verify import verify
from shared.identity import Role
from shared.settings import Settings
from tests.support.auth import CHANNEL, bearer
from tests.support.polling import body_has, until
from tests.support.processes import ServiceProcess
from tests.support.staff import ADA, ANN, act, liege_request, submit

LEAD = bearer(Role.TEAM_LEAD, "lead-liege", "liege")
COLLEAGUE = "liege-contracts-01"  # an adviser of the demo organisation (routing's seed)
SERVICES = ("intake", "routing", "advisory", "admin")


def types(detail: dict[str, Any]) -> list[str]:
    return [h["type"] for h in detail["history"]]


async def test_an_adviser_reads_answers_waits_hands_over_and_gets_a_rejected_act_back(
    intake: ServiceProcess,
    routing: ServiceProcess,
    advisory: ServiceProcess,
    admin: ServiceProcess,
    settings: Settings,
) -> None:
    body = liege_request(1414)
    subject_word = f"journey{uuid.uuid4().hex[:10]}"
    body["subject"] = f"{body['subject']} {subject_word}"[:200]
    member_id = body["member"]["member_id"]
    case_id = await submit(intake, body)
    case = f"/cases/{case_id}"
    async with (
        httpx.AsyncClient(base_url=advisory.url, timeout=10) as desk,
        httpx.AsyncClient(base_url=admin.url, timeout=10) as office,
        httpx.AsyncClient(base_url=intake.url, headers=CHANNEL, timeout=10) as channel,
    ):
        # Given the member's request, the adviser finds it in her office's queue by a word of
        # its subject, with who asked and in which language
        found = await until(
            lambda: desk.get("/cases", params={"search": subject_word}, headers=ANN),
            lambda a: a.status_code == 200 and len(a.json()["cases"]) == 1,
        )
        assert found.status_code == 200, found.text
        (row,) = found.json()["cases"]
        assert row["case_id"] == case_id
        assert (row["member_name"], row["subject"]) == (body["member"]["name"], body["subject"])
        assert row["language"] == body["member"]["preferred_language"]
        # And she reads the member's question in the case
        detail = await until(
            lambda: desk.get(case, headers=ANN),
            lambda a: a.status_code == 200 and a.json()["request"] is not None,
        )
        request = detail.json()["request"]
        assert (request["subject"], request["body"]) == (body["subject"], body["body"])
        assert request["member"]["member_id"] == member_id
        # When she claims it, answers, and waits on the member
        await act(desk, f"{case}/claim", ANN)
        await act(desk, f"{case}/replies", ANN, {"text": "Please send the signed contract."})
        await act(desk, f"{case}/waiting", ANN, {"note": "The signed contract."})
        # And the member answers through their channel
        answer = {"member_id": member_id, "channel": "email", "body": "Here it is, signed."}
        posted = await channel.post(f"/requests/{case_id}/messages", json=answer)
        assert posted.status_code == 202, posted.text
        # Then the wait ends and she reads the answer in the case's history
        answered = await until(lambda: desk.get(case, headers=ANN), body_has(status="claimed"))
        history = answered.json()["history"]
        message = next(h for h in history if h["type"] == "MemberMessageReceived")
        assert message["event"]["body"] == "Here it is, signed."
        assert types(answered.json())[-1] == "WaitingEnded"
        # When she resolves it with a contract registration for the administrative team
        resolution = {"outcome": "solved", "admin_act": "contract_registration", "note": "OK"}
        await act(desk, f"{case}/resolution", ANN, resolution)
        tasks = await until(
            lambda: office.get(case, headers=ADA),
            lambda a: a.status_code == 200 and bool(a.json()["tasks"]),
        )
        (task,) = tasks.json()["tasks"]
        # Then the member's page shows the case among the past ones, with the open task
        member = await until(
            lambda: desk.get(f"/members/{member_id}/cases", headers=ANN),
            lambda a: a.status_code == 200 and bool(a.json()["open_tasks"]),
        )
        assert member.status_code == 200, member.text
        seen = member.json()
        assert [c["case_id"] for c in seen["past_cases"]] == [case_id]
        assert [t["task_id"] for t in seen["open_tasks"]] == [task["task_id"]]
        assert seen["last_contact_at"] is not None
        # When the administrative team claims the task and rejects it, saying why
        await act(office, f"/tasks/{task['task_id']}/claim", ADA)
        why = "The contract's annex is not signed."
        await act(office, f"/tasks/{task['task_id']}/rejection", ADA, {"note": why})
        # Then the case comes back to her, reopened with the reason, in her queue
        back = await until(lambda: desk.get(case, headers=ANN), body_has(status="claimed"))
        assert back.json()["case"]["assignee"] == "ann"
        reopened = back.json()["history"][-1]
        assert reopened["type"] == "CaseReopened"
        assert reopened["event"]["cause"] == "task_rejected"
        assert why in reopened["event"]["reason"]
        mine = await desk.get(
            "/cases", params={"assignee": "ann", "search": subject_word}, headers=ANN
        )
        assert [c["case_id"] for c in mine.json()["cases"]] == [case_id]
        # When her team lead hands the case to a colleague
        handed = await until(
            lambda: desk.post(
                f"{case}/reassign",
                json={"to": COLLEAGUE, "reason": "Ann is on leave from tomorrow."},
                headers=LEAD,
            ),
            lambda a: a.status_code == 200,  # once advisory has read the organisation
        )
        assert handed.status_code == 200, handed.text
        assert handed.json()["case"]["assignee"] == COLLEAGUE
        # Then the colleague has it, and Ann no longer does
        theirs = await desk.get(
            "/cases", params={"assignee": COLLEAGUE, "search": subject_word}, headers=LEAD
        )
        assert [c["case_id"] for c in theirs.json()["cases"]] == [case_id]
        still_mine = await desk.get(
            "/cases", params={"assignee": "ann", "search": subject_word}, headers=ANN
        )
        assert still_mine.json()["cases"] == []
    # And every service's projection, rebuilt from the log that now holds all of these facts,
    # is exactly the live one
    for service in SERVICES:
        rebuilt = await rebuild(settings, service)
        assert rebuilt.verified, service
        verdict = await verify(settings, service)
        assert verdict.identical, (service, [t.table for t in verdict.tables if not t.same])
