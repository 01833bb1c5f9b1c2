"""The administrative team's and the team lead's console screens on the real stack (the
console in-process, over the services' real HTTP APIs): the team rejects a task with a
reason, which reopens the case with its adviser; the lead sees the workload, records and
cancels an absence, reassigns a case with the version seen, and a stale reassignment is
refused with what changed."""

from __future__ import annotations

import re

import httpx

from services.console.app import build
from services.console.settings import ConsoleSettings
from shared.identity import Role
from shared.settings import Settings
from tests.support.auth import bearer
from tests.support.polling import body_has, until
from tests.support.processes import TEST_PORT_BASE, ServiceProcess
from tests.support.staff import ADA, ANN, act, liege_request, submit

HOLDER = "liege-front-03"  # on the demo roster, first line in Liège
HOLDER_TOKEN = bearer(Role.ADVISER, HOLDER, "liege")
COLLEAGUE = "liege-contracts-02"
OTHER = "liege-front-04"


def console_client() -> httpx.AsyncClient:
    settings = ConsoleSettings(base=Settings(env="dev", port_base=TEST_PORT_BASE))
    app = build(settings)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://console")


async def sign_in(client: httpx.AsyncClient, who: str) -> None:
    answer = await client.post("/login", data={"who": who, "lang": "fr"})
    assert answer.status_code == 303, answer.text


def csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


async def claimed(
    intake: ServiceProcess, advisory: ServiceProcess, seed: int, who: dict[str, str]
) -> str:
    case_id = await submit(intake, liege_request(seed))
    async with httpx.AsyncClient(base_url=advisory.url, timeout=10) as desk:
        await until(lambda: desk.get(f"/cases/{case_id}", headers=who), body_has(status="queued"))
        await act(desk, f"/cases/{case_id}/claim", who)
    return case_id


async def test_the_administrative_team_rejects_a_task_which_goes_back_to_the_adviser(
    intake: ServiceProcess, routing: ServiceProcess, advisory: ServiceProcess, admin: ServiceProcess
) -> None:
    case_id = await claimed(intake, advisory, 1801, ANN)
    async with httpx.AsyncClient(base_url=advisory.url, timeout=10) as desk:
        resolution = {"outcome": "solved", "admin_act": "dimona_declaration", "note": "OK"}
        await act(desk, f"/cases/{case_id}/resolution", ANN, resolution)
    async with httpx.AsyncClient(base_url=admin.url, timeout=10) as office:
        opened = await until(
            lambda: office.get(f"/cases/{case_id}", headers=ADA),
            lambda a: a.status_code == 200 and bool(a.json()["tasks"]),
        )
    task_id = opened.json()["tasks"][0]["task_id"]
    async with console_client() as team:
        await sign_in(team, "admin_team|admin-1|")
        # The team member claims the task; it is among their tasks
        page = (await team.get(f"/tasks/{task_id}")).text
        assert "Déclaration Dimona" in page
        taken = await team.post(f"/tasks/{task_id}/claim", data={"csrf": csrf(page)})
        assert taken.status_code == 303, taken.text
        mine = await team.get("/tasks", params={"tab": "mine", "act": "dimona_declaration"})
        assert f'data-id="{task_id}"' in mine.text
        page = (await team.get(f"/tasks/{task_id}")).text
        assert 'id="action-reject"' in page
        # A rejection without a reason is not sent; with one it is
        empty = await team.post(f"/tasks/{task_id}/reject", data={"csrf": csrf(page), "note": ""})
        assert empty.status_code == 422
        rejected = await team.post(
            f"/tasks/{task_id}/reject", data={"csrf": csrf(page), "note": "Pas de contrat signé."}
        )
        assert rejected.status_code == 303, rejected.text
        after = (await team.get(rejected.headers["location"])).text
        assert "Tâche refusée" in after
    # The case reopens with its adviser, who reads the reason
    async with httpx.AsyncClient(base_url=advisory.url, timeout=10) as desk:
        reopened = await until(
            lambda: desk.get(f"/cases/{case_id}", headers=ANN), body_has(status="claimed")
        )
    notice = reopened.json()["case"]["notice"]
    assert notice["kind"] == "task_rejected"
    assert "Pas de contrat signé." in notice["text"]


async def test_the_team_lead_sees_the_workload_handles_absences_and_reassigns(
    intake: ServiceProcess, routing: ServiceProcess, advisory: ServiceProcess
) -> None:
    case_id = await claimed(intake, advisory, 1802, HOLDER_TOKEN)
    async with console_client() as lead:
        await sign_in(lead, "team_lead|lead-liege|liege")
        page = (await lead.get("/team")).text
        assert 'id="workload"' in page
        assert f'data-id="{COLLEAGUE}"' in page
        # An absence far ahead (nothing is handed over now), then cancelled
        recorded = await lead.post(
            "/team/absences",
            data={
                "csrf": csrf(page),
                "adviser": COLLEAGUE,
                "starts_at": "2030-07-01T09:00",
                "ends_at": "2030-07-05T17:00",
                "reason": "Congé",
            },
        )
        assert recorded.status_code == 303, recorded.text
        page = (await lead.get("/team")).text
        cancel = re.search(
            rf'action="(/team/advisers/{COLLEAGUE}/absences/[0-9a-f-]+/cancel)"', page
        )
        assert cancel, page
        cancelled = await lead.post(cancel.group(1), data={"csrf": csrf(page)})
        assert cancelled.status_code == 303, cancelled.text
        assert cancel.group(1) not in (await lead.get("/team")).text
        # The holder's case, reassigned with the version the lead saw; again on that
        # version (a lead who did not reload): refused with what changed
        page = (await lead.get("/team", params={"adviser": HOLDER})).text
        version = re.search(
            rf'id="reassign-{case_id}".*?name="seen_version" value="(\d+)"', page, re.S
        )
        assert version, page
        seen = version.group(1)
        form = {
            "csrf": csrf(page),
            "to": COLLEAGUE,
            "reason": "En formation.",
            "seen_version": seen,
        }
        given = await lead.post(f"/team/cases/{case_id}/reassign", data=form)
        assert given.status_code == 303, given.text
        stale = await lead.post(
            f"/team/cases/{case_id}/reassign",
            data={**form, "to": OTHER},
        )
        assert stale.status_code == 409, stale.text
        assert 'id="problem-changes"' in stale.text
    async with httpx.AsyncClient(base_url=advisory.url, timeout=10) as desk:
        case = (await desk.get(f"/cases/{case_id}", headers=ANN)).json()["case"]
    assert case["assignee"] == COLLEAGUE
