"""Members and staff acting over the services' real HTTP APIs, for end-to-end tests: a request
sent, a case worked through its life, a task closed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from relais_cli.demo_data import stream
from shared.identity import Role
from tests.support.auth import CHANNEL, bearer
from tests.support.polling import body_has, until
from tests.support.processes import ServiceProcess

ANN = bearer(Role.ADVISER, "ann", "liege")
SAM = bearer(Role.SUPPORT, "sam")
ADA = bearer(Role.ADMIN_TEAM, "ada")


def liege_request(seed: int) -> dict[str, Any]:
    """A member request for Liège, from a member of its own (the shared stack keeps the cases
    of earlier runs)."""
    body = stream(1, seed=seed)[0]
    member_id = f"M-E2E-{seed}-{uuid.uuid4().hex[:8]}"
    body["member"] = {**body["member"], "home_office": "liege", "member_id": member_id}
    return body


async def submit(
    intake: ServiceProcess, body: dict[str, Any], headers: dict[str, str] | None = None
) -> str:
    """Sends the request through intake; returns its case_id."""
    async with httpx.AsyncClient(base_url=intake.url, headers=CHANNEL) as client:
        answer = await client.post("/requests", json=body, headers=headers)
    assert answer.status_code == 202, answer.text
    case_id: str = answer.json()["case_id"]
    return case_id


async def act(client: httpx.AsyncClient, path: str, who: dict[str, str], body: Any = None) -> Any:
    """A staff command that must succeed; its answer's JSON."""
    answer = await client.post(path, json=body, headers=who)
    assert answer.status_code == 200, answer.text
    return answer.json()


@dataclass(frozen=True)
class Lived:
    case_id: str
    task_id: str


async def escalated_then_resolved_with_an_act(
    advisory: ServiceProcess, admin: ServiceProcess, case_id: str
) -> Lived:
    """The long life of a Liège case: Ann claims and escalates it, routing sends it to the
    support team, Sam claims and resolves it with a contract registration, admin opens the task
    and Ada completes it."""
    case = f"/cases/{case_id}"
    async with httpx.AsyncClient(base_url=advisory.url, timeout=10) as desk:
        await until(lambda: desk.get(case, headers=ANN), body_has(status="queued"))
        await act(desk, f"{case}/claim", ANN)
        await act(desk, f"{case}/escalation", ANN, {"reason_code": "legal", "note": "Law."})
        await until(lambda: desk.get(case, headers=SAM), body_has(status="queued", tier="support"))
        await act(desk, f"{case}/claim", SAM)
        resolution = {"outcome": "solved", "admin_act": "contract_registration", "note": "OK"}
        await act(desk, f"{case}/resolution", SAM, resolution)
    async with httpx.AsyncClient(base_url=admin.url, timeout=10) as office:
        tasks = await until(
            lambda: office.get(case, headers=ADA),
            lambda a: a.status_code == 200 and bool(a.json()["tasks"]),
        )
        assert tasks.status_code == 200, tasks.text
        (task,) = tasks.json()["tasks"]
        await act(office, f"/tasks/{task['task_id']}/completion", ADA, {"note": "Registered."})
    return Lived(case_id, task["task_id"])


async def resolved_with_an_act(
    intake: ServiceProcess,
    advisory: ServiceProcess,
    admin: ServiceProcess,
    adviser: dict[str, str],
    seed: int,
) -> tuple[str, str]:
    """A new Liège case the adviser claims and resolves with a contract registration: its id
    and the task admin opens for it."""
    case_id = await submit(intake, liege_request(seed))
    case = f"/cases/{case_id}"
    async with httpx.AsyncClient(base_url=advisory.url, timeout=10, headers=adviser) as desk:
        await until(lambda: desk.get(case), body_has(status="queued"))
        assert (await desk.post(f"{case}/claim")).status_code == 200
        resolution = {"outcome": "solved", "admin_act": "contract_registration", "note": "OK"}
        assert (await desk.post(f"{case}/resolution", json=resolution)).status_code == 200
    async with httpx.AsyncClient(base_url=admin.url, timeout=10, headers=ADA) as office:
        found = await until(
            lambda: office.get(case), lambda a: a.status_code == 200 and bool(a.json()["tasks"])
        )
    return case_id, str(found.json()["tasks"][0]["task_id"])
