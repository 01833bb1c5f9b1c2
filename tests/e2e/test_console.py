"""The console on the real stack (in-process, over the services' real HTTP APIs): an adviser
picked at the dev login reads a new Liège case, claims it and replies; a colleague's claim is
refused naming who was first; an adviser of another office is refused the case in words."""

from __future__ import annotations

import re
import time
import uuid

import httpx

from services.console.app import build
from services.console.settings import ConsoleSettings
from shared.settings import Settings
from tests.support.polling import body_has, until
from tests.support.processes import TEST_PORT_BASE, ServiceProcess
from tests.support.staff import ANN, liege_request, submit


def console_client() -> httpx.AsyncClient:
    settings = ConsoleSettings(base=Settings(env="dev", port_base=TEST_PORT_BASE))
    app = build(settings)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://console")


async def sign_in_as(client: httpx.AsyncClient, who: str) -> None:
    page = (await client.get("/login")).text
    assert f'value="{who}"' in page
    answer = await client.post("/login", data={"who": who, "lang": "fr"})
    assert answer.status_code == 303, answer.text


async def sign_in(client: httpx.AsyncClient, office: str, nth: int = 0) -> str:
    """Signs in the nth adviser of ``office`` the login page lists; their id."""
    page = (await client.get("/login")).text
    people = re.findall(rf'value="(adviser\|([^|"]+)\|{office})"', page)
    assert len(people) > nth, page
    who, subject = str(people[nth][0]), str(people[nth][1])
    answer = await client.post("/login", data={"who": who, "lang": "fr"})
    assert answer.status_code == 303, answer.text
    return subject


def csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html
    return found.group(1)


async def test_an_adviser_works_a_new_case_through_the_console(
    intake: ServiceProcess, routing: ServiceProcess, advisory: ServiceProcess
) -> None:
    request = liege_request(9301)
    request["subject"] = f"Console {uuid.uuid4().hex[:8]}"
    case_id = await submit(intake, request)
    async with httpx.AsyncClient(base_url=advisory.url, timeout=10) as desk:
        await until(lambda: desk.get(f"/cases/{case_id}", headers=ANN), body_has(status="queued"))
    async with console_client() as first, console_client() as second, console_client() as far:
        me = await sign_in(first, "liege", 0)
        # The first screen, on the shared stack's queue (its earlier runs' cases included).
        started = time.monotonic()
        assert (await first.get("/queue")).status_code == 200
        assert time.monotonic() - started < 1.0
        # The queue finds it by its subject, with its SLA state in words (outside business
        # hours its clock has not started: "Pas d'échéance").
        queue = (await first.get("/queue", params={"search": request["subject"]})).text
        assert f'data-id="{case_id}"' in queue
        assert re.search(r"En retard|Échéance proche|Dans les temps|Pas d&#39;échéance", queue)
        page = (await first.get(f"/cases/{case_id}")).text
        assert request["body"][:40].replace("'", "&#39;") in page
        claimed = await first.post(f"/cases/{case_id}/claim", data={"csrf": csrf(page)})
        assert claimed.status_code == 303
        page = (await first.get(claimed.headers["location"])).text
        assert "Le dossier est à vous." in page
        replied = await first.post(
            f"/cases/{case_id}/reply", data={"csrf": csrf(page), "text": "Bonjour, c'est en cours."}
        )
        assert replied.status_code == 303
        # A colleague of the office who claims it too is told who was first.
        await sign_in(second, "liege", 1)
        late = await second.post(
            f"/cases/{case_id}/claim", data={"csrf": csrf((await second.get("/queue")).text)}
        )
        assert late.status_code == 409
        assert f"{me} a pris ce dossier avant vous." in late.text
        # An adviser of another office cannot see it.
        await sign_in(far, "gent", 0)
        refused = await far.get(f"/cases/{case_id}")
        assert refused.status_code == 403
        assert "appartient à un autre bureau" in refused.text
    async with httpx.AsyncClient(base_url=advisory.url, timeout=10) as desk:
        case = (await desk.get(f"/cases/{case_id}", headers=ANN)).json()["case"]
    assert case["assignee"] == me
    assert case["replies"] == 1


async def test_support_answers_an_escalation_and_the_adviser_reads_the_answer(
    intake: ServiceProcess, routing: ServiceProcess, advisory: ServiceProcess
) -> None:
    request = liege_request(9302)
    case_id = await submit(intake, request)
    path = f"/cases/{case_id}"
    async with httpx.AsyncClient(base_url=advisory.url, timeout=10) as desk:
        await until(lambda: desk.get(path, headers=ANN), body_has(status="queued"))
    async with console_client() as adviser, console_client() as support:
        await sign_in(adviser, "liege", 0)
        page = (await adviser.get(path)).text
        await adviser.post(f"{path}/claim", data={"csrf": csrf(page)})
        page = (await adviser.get(path)).text
        form = {"csrf": csrf(page), "reason_code": "legal", "text": "Article 4 ?"}
        assert (await adviser.post(f"{path}/escalate", data=form)).status_code == 303
        async with httpx.AsyncClient(base_url=advisory.url, timeout=10) as desk:
            routed = await until(
                lambda: desk.get(path, headers=ANN),
                body_has(status="queued", tier="support"),
            )
        expert = routed.json()["case"]["routed_to"] or "support-01"
        # The support member routing matched finds it among the escalations for them.
        await sign_in_as(support, f"support|{expert}|")
        tab = "for_me" if routed.json()["case"]["routed_to"] else "queue"
        listed = (await support.get("/support", params={"tab": tab, "language": ""})).text
        assert case_id in listed or 'id="page-next"' in listed
        page = (await support.get(path)).text
        assert "Article 4 ?" in page  # the adviser's escalation note, internal
        taken = await support.post(f"{path}/claim", data={"csrf": csrf(page)})
        assert taken.status_code == 303
        page = (await support.get(path)).text
        answer = {"csrf": csrf(page), "text": "Oui, article 4 du contrat cadre."}
        assert (await support.post(f"{path}/return", data=answer)).status_code == 303
        # The adviser holds the case again and reads support's answer first.
        async with httpx.AsyncClient(base_url=advisory.url, timeout=10) as desk:
            await until(
                lambda: desk.get(path, headers=ANN), body_has(status="claimed", tier="first_line")
            )
        page = (await adviser.get(path)).text
        notice = page[page.index('id="case-notice"') :]
        assert "Le support a répondu" in notice
        assert "Oui, article 4 du contrat cadre." in notice
