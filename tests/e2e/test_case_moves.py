"""Cases move between people and places, through the HTTP APIs alone, on the real stack: an
adviser releases a case, the team lead reassigns it and sees the workload, transfers it to
another office (routing decides again), a resolved case is reopened; an absence recorded by
the team lead hands the absent adviser's cases back to their queue. Every move is a fact in
the case's history with its actor; an invalid move is a 409 that records nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import httpx

from shared.identity import Role
from tests.support.auth import bearer
from tests.support.polling import body_has, until
from tests.support.processes import ServiceProcess
from tests.support.staff import act, liege_request, submit

# Advisers of the demo organisation (routing's seed), known to advisory from `organisation`.
FRONT = bearer(Role.ADVISER, "liege-front-01", "liege")
COLLEAGUE = "liege-contracts-01"
AWAY = "liege-projects-08"  # goes away in the absence test
AWAY_TOKEN = bearer(Role.ADVISER, AWAY, "liege")
COVERED = "liege-projects-07"  # goes away, covered by COVER, in the cover test
COVER = "liege-projects-06"
NAMUR = bearer(Role.ADVISER, "namur-front-01", "namur")
LEAD = bearer(Role.TEAM_LEAD, "lead-liege", "liege")
OTHER_LEAD = bearer(Role.TEAM_LEAD, "lead-gent", "gent")


async def history(desk: httpx.AsyncClient, case: str, who: dict[str, str]) -> list[Any]:
    answer = await desk.get(case, headers=who)
    assert answer.status_code == 200, answer.text
    entries: list[Any] = answer.json()["history"]
    return entries


async def refused(
    desk: httpx.AsyncClient, path: str, who: dict[str, str], body: Any, status: int, error: str
) -> None:
    """A move that must be refused, in the Problem shape, recording nothing on the case."""
    case = path.rsplit("/", 1)[0]
    before = len(await history(desk, case, LEAD))
    answer = await desk.post(path, json=body, headers=who)
    assert (answer.status_code, answer.json()["error"]) == (status, error), answer.text
    assert len(await history(desk, case, LEAD)) == before


async def test_a_case_is_released_reassigned_transferred_and_reopened(
    intake: ServiceProcess, routing: ServiceProcess, advisory: ServiceProcess
) -> None:
    body = liege_request(1401)
    family = next(f for f in ("contracts", "expenses") if f != body["topic_family"])
    case_id = await submit(intake, body)
    case = f"/cases/{case_id}"
    async with httpx.AsyncClient(base_url=advisory.url, timeout=10) as desk:
        await until(lambda: desk.get(case, headers=FRONT), body_has(status="queued"))
        # Given an adviser who claims the case, then gives it back to the queue
        await act(desk, f"{case}/claim", FRONT)
        released = await act(desk, f"{case}/release", FRONT, {"reason": "Needs Dutch."})
        assert (released["event_type"], released["case"]["status"]) == ("CaseReleased", "queued")
        assert released["case"]["assignee"] is None
        # An invalid move is refused and records nothing
        await refused(desk, f"{case}/release", FRONT, {"reason": "again"}, 409, "not_claimed")
        await refused(
            desk,
            f"{case}/reassign",
            LEAD,
            {"to": "nobody-1", "reason": "x"},
            422,
            "unknown_colleague",
        )
        await refused(
            desk,
            f"{case}/reassign",
            OTHER_LEAD,
            {"to": COLLEAGUE, "reason": "x"},
            403,
            "other_office",
        )
        # When the team lead gives it to a colleague of the office
        given = await until(
            lambda: desk.post(
                f"{case}/reassign", json={"to": COLLEAGUE, "reason": "Knows it."}, headers=LEAD
            ),
            lambda a: a.status_code == 200,  # once advisory has read the organisation
        )
        assert given.status_code == 200, given.text
        assert given.json()["case"]["assignee"] == COLLEAGUE
        # Then the colleague's workload counts it
        load = (await desk.get("/workload", headers=LEAD)).json()
        assert load["office"] == "liege"
        row = next(a for a in load["advisers"] if a["adviser_id"] == COLLEAGUE)
        assert row["claimed"] >= 1
        assert row["open_cases"] == row["claimed"] + row["waiting"]
        assert (await desk.get("/workload", headers=FRONT)).status_code == 403
        # When the team lead transfers it to Namur with another topic family
        transfer = {"to_office": "namur", "topic_family": family, "reason": "Member moved."}
        moved = await act(desk, f"{case}/transfer", LEAD, transfer)
        assert moved["case"]["status"] == "transferring"
        # Then routing decides again with Namur's policy, and the case waits in a Namur queue
        there = await until(
            lambda: desk.get(case, headers=NAMUR),
            lambda a: a.status_code == 200 and a.json()["case"]["office"] == "namur",
        )
        assert there.status_code == 200, there.text
        assert there.json()["case"]["queue"].startswith("namur/")
        assert (there.json()["case"]["status"], there.json()["case"]["topic_family"]) == (
            "queued",
            family,
        )
        routed = there.json()["history"][-1]
        assert routed["type"] == "CaseRouted"
        assert "transferred by lead-liege" in routed["event"]["reason"]
        assert (await desk.get(case, headers=LEAD)).status_code == 403  # Namur's case now
        # When a Namur adviser resolves it, and reopens it on the member's word
        await act(desk, f"{case}/claim", NAMUR)
        await act(desk, f"{case}/resolution", NAMUR, {"outcome": "answered"})
        reopened = await act(desk, f"{case}/reopen", NAMUR, {"reason": "Still wrong."})
        # Then it is back with the adviser who resolved it
        assert (reopened["case"]["status"], reopened["case"]["assignee"]) == (
            "claimed",
            "namur-front-01",
        )
        assert reopened["case"]["outcome"] is None
        types = [h["type"] for h in await history(desk, case, NAMUR)]
        assert types == [
            "CaseRouted",
            "CaseClaimed",
            "CaseReleased",
            "CaseReassigned",
            "CaseTransferred",
            "CaseRouted",
            "CaseClaimed",
            "CaseResolved",
            "CaseReopened",
        ]
        actors = {h["type"]: h["actor"] for h in await history(desk, case, NAMUR)}
        assert (actors["CaseReleased"], actors["CaseReassigned"]) == (
            "liege-front-01",
            "lead-liege",
        )
        assert actors["CaseReopened"] == "namur-front-01"


async def test_an_absence_hands_the_advisers_cases_back_to_their_queues(
    intake: ServiceProcess, routing: ServiceProcess, advisory: ServiceProcess
) -> None:
    cases = [f"/cases/{await submit(intake, liege_request(1410 + i))}" for i in range(2)]
    async with (
        httpx.AsyncClient(base_url=advisory.url, timeout=10) as desk,
        httpx.AsyncClient(base_url=routing.url, timeout=10) as org,
    ):
        # Given an adviser holding two cases, one of them waiting on the member
        for case in cases:
            await until(partial(desk.get, case, headers=AWAY_TOKEN), body_has(status="queued"))
            await act(desk, f"{case}/claim", AWAY_TOKEN)
        await act(desk, f"{cases[1]}/waiting", AWAY_TOKEN, {"note": "The invoice."})
        # When the team lead of another office tries to record their absence: refused
        now = datetime.now(UTC)
        absence = {
            "starts_at": (now - timedelta(minutes=1)).isoformat(),
            "ends_at": (now + timedelta(minutes=3)).isoformat(),
            "reason": "training",
        }
        path = f"/advisers/{AWAY}/absences"
        denied = await org.post(path, json=absence, headers=OTHER_LEAD)
        assert (denied.status_code, denied.json()["error"]) == (403, "other_office")
        # And their own team lead records it
        recorded = await org.post(path, json=absence, headers=LEAD)
        assert recorded.status_code == 200, recorded.text
        absence_id = recorded.json()["absence_id"]
        try:
            # Then both cases go back to their queue, unassigned, as facts of advisory's
            for case in cases:
                back = await until(
                    partial(desk.get, case, headers=LEAD), body_has(status="queued", assignee=None)
                )
                assert back.json()["case"]["status"] == "queued", back.text
                last = back.json()["history"][-1]
                assert (last["type"], last["actor"]) == ("CaseReleased", "advisory")
                assert (last["event"]["cause"], last["event"]["released_from"]) == (
                    "absence",
                    AWAY,
                )
            waited = [h["type"] for h in await history(desk, cases[1], LEAD)]
            assert waited[-2:] == ["WaitingEnded", "CaseReleased"]
            # And the workload shows them away, holding nothing
            load = (await desk.get("/workload", headers=LEAD)).json()
            row = next(a for a in load["advisers"] if a["adviser_id"] == AWAY)
            assert (row["open_cases"], row["away_until"] is not None) == (0, True)
            # And nobody can give them a case meanwhile
            await refused(
                desk,
                f"{cases[0]}/reassign",
                LEAD,
                {"to": AWAY, "reason": "x"},
                409,
                "colleague_away",
            )
        finally:
            cancelled = await org.delete(f"{path}/{absence_id}", headers=LEAD)
            assert cancelled.status_code == 200, cancelled.text


async def test_an_absence_with_a_named_colleague_gives_them_the_cases(
    intake: ServiceProcess, routing: ServiceProcess, advisory: ServiceProcess
) -> None:
    case = f"/cases/{await submit(intake, liege_request(1420))}"
    holder = bearer(Role.ADVISER, COVERED, "liege")
    async with (
        httpx.AsyncClient(base_url=advisory.url, timeout=10) as desk,
        httpx.AsyncClient(base_url=routing.url, timeout=10) as org,
    ):
        # Given an adviser holding a case that waits on the member
        await until(partial(desk.get, case, headers=holder), body_has(status="queued"))
        await act(desk, f"{case}/claim", holder)
        await act(desk, f"{case}/waiting", holder, {"note": "The contract."})
        # When their team lead records their absence, covered by a colleague
        now = datetime.now(UTC)
        absence = {
            "starts_at": (now - timedelta(minutes=1)).isoformat(),
            "ends_at": (now + timedelta(minutes=3)).isoformat(),
            "covered_by": COVER,
        }
        path = f"/advisers/{COVERED}/absences"
        elsewhere = await org.post(
            path, json={**absence, "covered_by": "gent-front-01"}, headers=LEAD
        )
        assert (elsewhere.status_code, elsewhere.json()["error"]) == (409, "other_team")
        recorded = await org.post(path, json=absence, headers=LEAD)
        assert recorded.status_code == 200, recorded.text
        try:
            # Then the colleague holds it, still waiting on the member
            moved = await until(partial(desk.get, case, headers=LEAD), body_has(assignee=COVER))
            assert moved.json()["case"]["status"] == "waiting_on_member", moved.text
            last = moved.json()["history"][-1]
            assert (last["type"], last["actor"], last["event"]["cause"]) == (
                "CaseReassigned",
                "advisory",
                "absence",
            )
        finally:
            gone = await org.delete(f"{path}/{recorded.json()['absence_id']}", headers=LEAD)
            assert gone.status_code == 200, gone.text
