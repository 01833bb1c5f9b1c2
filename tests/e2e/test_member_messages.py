"""The member answers, through the HTTP APIs alone on the real stack: an adviser waits on the
member, the member's message posted to intake ends the wait; a message on a resolved case
reopens it. A wait nobody answers is reminded, then closed by the SLA tick; a message after the
reopen window opens a new case; advisory's and intake's projections verify against the log."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import asyncpg
import httpx
import pytest

from ops.verify import verify
from shared.events import CASE_ACTIVITY, ESCALATED, MEMBER_MESSAGES, RESOLVED, SLA
from shared.settings import Settings
from tests.support.auth import CHANNEL
from tests.support.polling import body_has, until
from tests.support.processes import ServiceProcess
from tests.support.settling import at_rest
from tests.support.staff import ADA, ANN, act, liege_request, submit
from tests.support.traces import tracing_env


async def post_message(
    intake: ServiceProcess, case_id: str, member_id: str, text: str, key: str
) -> Any:
    async with httpx.AsyncClient(base_url=intake.url, headers=CHANNEL, timeout=10) as channel:
        path = f"/requests/{case_id}/messages"
        body = {"member_id": member_id, "channel": "email", "body": text}
        answer = await channel.post(path, json=body, headers={"Idempotency-Key": key})
        assert answer.status_code == 202, answer.text
        again = await channel.post(path, json=body, headers={"Idempotency-Key": key})
        assert again.status_code == 202, again.text
        assert again.headers["Idempotent-Replayed"] == "true"
        assert again.json()["message_id"] == answer.json()["message_id"]
        other = await channel.post(path, json={**body, "member_id": "M-SOMEONE-ELSE"})
        assert other.status_code == 422, other.text
        return answer.json()


def types(detail: httpx.Response) -> list[str]:
    return types_of(detail.json())


def types_of(detail: dict[str, Any]) -> list[str]:
    return [h["type"] for h in detail["history"]]


async def test_the_member_answers_a_wait_and_reopens_a_resolved_case(
    intake: ServiceProcess, routing: ServiceProcess, advisory: ServiceProcess
) -> None:
    body = liege_request(1401)
    member_id = body["member"]["member_id"]
    # Given a case an adviser claimed and put on hold until the member answers
    case_id = await submit(intake, body)
    case = f"/cases/{case_id}"
    async with httpx.AsyncClient(base_url=advisory.url, timeout=10) as desk:
        await until(lambda: desk.get(case, headers=ANN), body_has(status="queued"))
        await act(desk, f"{case}/claim", ANN)
        await act(desk, f"{case}/replies", ANN, {"text": "Please send your contract."})
        waiting = await act(desk, f"{case}/waiting", ANN, {"note": "The contract."})
        assert waiting["case"]["status"] == "waiting_on_member"
        # When the member answers through intake
        posted = await post_message(intake, case_id, member_id, "Attached.", uuid.uuid4().hex)
        # Then the wait ends: the case is the adviser's again, the message in its history
        answered = await until(lambda: desk.get(case, headers=ANN), body_has(status="claimed"))
        assert answered.json()["case"]["assignee"] == "ann"
        history = types(answered)
        assert history[-2:] == ["MemberMessageReceived", "WaitingEnded"]
        said, ended = answered.json()["history"][-2:]
        assert said["event"]["body"] == "Attached."  # the adviser reads the member's answer
        assert ended["actor"] == "member"
        # And intake tells the channel its message is on the log
        async with httpx.AsyncClient(base_url=intake.url, headers=CHANNEL) as channel:
            seen = await until(
                lambda: channel.get(posted["status_url"]), body_has(status="published")
            )
        assert seen.json()["follow_up_case_id"] is None
        # When the adviser resolves it and the member writes again (within the window)
        await act(desk, f"{case}/resolution", ANN, {"outcome": "answered"})
        await post_message(intake, case_id, member_id, "One more question.", uuid.uuid4().hex)
        # Then the case reopens, back to the adviser who resolved it
        reopened = await until(lambda: desk.get(case, headers=ANN), body_has(status="claimed"))
        assert types(reopened)[-3:] == ["CaseResolved", "MemberMessageReceived", "CaseReopened"]
        assert reopened.json()["case"]["assignee"] == "ann"


DAY_S = 24 * 3600
# Round the clock, a business day is 24 hours: a reminder after 2 s of waiting, a closure after
# 5 s, and no reopen window (a message on a resolved case opens a new one).
QUICK_WAITS = {
    "RELAIS_SLA_TICK_SECONDS": "0.3",
    "RELAIS_SLA_OPENS": "00:00:00",
    "RELAIS_SLA_CLOSES": "23:59:59.999999",
    "RELAIS_SLA_WORKDAYS": "[0, 1, 2, 3, 4, 5, 6]",
    "RELAIS_SLA_PUBLIC_HOLIDAYS": "false",
    "RELAIS_SLA_REMIND_AFTER_DAYS": str(2 / DAY_S),
    "RELAIS_SLA_CLOSE_AFTER_DAYS": str(5 / DAY_S),
    "RELAIS_SLA_REOPEN_WINDOW_DAYS": "0",
    "RELAIS_SLA_POLICY_VERSION": "98",
}
OWN_TOPICS = {
    "intake": [CASE_ACTIVITY],
    "advisory": [CASE_ACTIVITY, ESCALATED, RESOLVED, SLA, MEMBER_MESSAGES],
}


@pytest.fixture
def quick_waits_advisory(advisory: ServiceProcess) -> Iterator[ServiceProcess]:
    """advisory with quick waits for this test only; the session's one is back after."""
    advisory.stop()
    quick = ServiceProcess("advisory", {**tracing_env("advisory"), **QUICK_WAITS}).start()
    try:
        yield quick
    finally:
        quick.stop()
        advisory.start()


async def test_an_unanswered_wait_is_reminded_then_closed_and_a_late_message_opens_a_new_case(
    intake: ServiceProcess,
    routing: ServiceProcess,
    admin: ServiceProcess,
    quick_waits_advisory: ServiceProcess,
    db: asyncpg.Pool,
    settings: Settings,
) -> None:
    body = liege_request(1402)
    member_id = body["member"]["member_id"]
    # Given a case waiting on a member who does not answer
    case_id = await submit(intake, body)
    case = f"/cases/{case_id}"
    async with httpx.AsyncClient(base_url=quick_waits_advisory.url, timeout=10) as desk:
        await until(lambda: desk.get(case, headers=ANN), body_has(status="queued"))
        await act(desk, f"{case}/claim", ANN)
        await act(desk, f"{case}/waiting", ANN, {"note": "Your invoice."})
        # Then the SLA tick reminds them, and closes the case as no response from the member
        closed = await until(lambda: desk.get(case, headers=ANN), body_has(status="resolved"))
        assert closed.json()["case"]["outcome"] == "no_response_from_member"
        assert closed.json()["case"]["admin_act"] is None
        assert types(closed)[-2:] == ["MemberReminded", "CaseResolved"]
        # When the member writes after all (the reopen window is over)
        late = uuid.uuid4().hex
        posted = await post_message(intake, case_id, member_id, "Sorry, here it is.", late)
        async with httpx.AsyncClient(base_url=intake.url, headers=CHANNEL) as channel:
            seen = await until(
                lambda: channel.get(posted["status_url"]),
                lambda a: a.status_code == 200 and bool(a.json()["follow_up_case_id"]),
            )
        # Then a new case follows it, routed like any request
        follow_up = seen.json()["follow_up_case_id"]
        routed = await until(
            lambda: desk.get(f"/cases/{follow_up}", headers=ANN), body_has(status="queued")
        )
        assert routed.json()["case"]["member_id"] == member_id
        # And the new case shows which case it follows, in its request and in the member's rows
        read = await until(
            lambda: desk.get(f"/cases/{follow_up}", headers=ANN),
            lambda a: a.status_code == 200 and a.json()["request"] is not None,
        )
        assert read.json()["request"]["follows_case_id"] == case_id
        assert read.json()["request"]["body"] == "Sorry, here it is."
        rows = (await desk.get(f"/members/{member_id}/cases", headers=ANN)).json()
        follows = {r["case_id"]: r["follows_case_id"] for r in rows["open_cases"]}
        assert follows == {follow_up: case_id}
        old = (await desk.get(case, headers=ANN)).json()
        assert old["case"]["status"] == "resolved"
        assert types_of(old)[-2:] == ["MemberMessageReceived", "FollowUpRequested"]
    # And admin opened no task for the closure
    async with httpx.AsyncClient(base_url=admin.url, timeout=10) as office:
        seen_by_admin = await until(
            lambda: office.get(case, headers=ADA), body_has(outcome="no_response_from_member")
        )
        assert seen_by_admin.json()["tasks"] == []
    # And advisory's and intake's projections are what their logs say
    left = await at_rest(db, settings, OWN_TOPICS)
    assert not left, left
    quick_waits_advisory.stop()
    for service in ("advisory", "intake"):
        verdict = await verify(settings, service)
        differing = {t.table: t.differences for t in verdict.tables if not t.same}
        assert verdict.identical, (service, differing)
