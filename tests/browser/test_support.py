"""Support answers an escalation in the console: the support member routing chose finds it
among the escalations for them, takes it and answers the adviser, who holds the case again
with support's answer to read first."""

from __future__ import annotations

import uuid

import httpx
from playwright.async_api import BrowserContext, expect

from tests.support.console_pages import act, offered, sign_in
from tests.support.polling import body_has, until
from tests.support.processes import ServiceProcess
from tests.support.staff import ANN, liege_request, submit


async def test_support_answers_an_escalation(
    context: BrowserContext, intake: ServiceProcess, advisory: ServiceProcess
) -> None:
    # Given a Liège case Ann escalated for a legal question
    case_id = await submit(intake, liege_request(9701))
    case = f"/cases/{case_id}"
    async with httpx.AsyncClient(base_url=advisory.url, timeout=10, headers=ANN) as desk:
        await until(lambda: desk.get(case), body_has(status="queued"))
        assert (await desk.post(f"{case}/claim")).status_code == 200
        escalation = {"reason_code": "legal", "note": "Question de droit d'auteur."}
        assert (await desk.post(f"{case}/escalation", json=escalation)).status_code == 200
        routed = await until(lambda: desk.get(case), body_has(status="queued", tier="support"))
    chosen = routed.json()["case"]["routed_to"]
    # When the support member it went to signs in (one the demo login lists, if it went to
    # another or to the shared queue) and opens it (their lists hold earlier runs' cases too)
    mine = chosen if chosen in await offered(context, "support") else None
    support = await sign_in(context, "support", subject=mine)
    page = support.page
    await page.goto(case)
    # And takes it over, then answers the adviser
    await act(page, "#action-claim")
    answer = f"Réponse du support {uuid.uuid4().hex[:6]} : c'est couvert."
    await page.fill("#return-text", answer)
    await act(page, "#action-return")
    await expect(page.locator("#done")).to_be_visible()
    # Then Ann holds the case again, support's answer first
    async with httpx.AsyncClient(base_url=advisory.url, timeout=10, headers=ANN) as desk:
        back = await until(lambda: desk.get(case), body_has(status="claimed", assignee="ann"))
    assert back.json()["case"]["notice"]["text"] == answer
