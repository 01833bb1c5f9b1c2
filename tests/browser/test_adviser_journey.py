"""An adviser works a new case in the console from its arrival to the administrative act:
finds it, reads the question, claims it, replies, waits on the member, sees the member's
answer arrive live, resolves it with the act the administrative team then finds."""

from __future__ import annotations

import uuid

import httpx
from playwright.async_api import BrowserContext, expect

from tests.support.auth import CHANNEL
from tests.support.console_pages import act, open_case_from_queue, sign_in
from tests.support.polling import until
from tests.support.processes import ServiceProcess
from tests.support.staff import ADA, liege_request, submit


async def test_an_adviser_works_a_case_from_arrival_to_its_administrative_act(
    context: BrowserContext, intake: ServiceProcess, admin: ServiceProcess
) -> None:
    # Given a member's new request for Liège
    request = liege_request(9501)
    request["subject"] = f"Navigateur {uuid.uuid4().hex[:8]}"
    case_id = await submit(intake, request)
    # When an adviser of Liège signs in and finds it in the queue
    adviser = await sign_in(context, "adviser", "liege", nth=0)
    page = adviser.page
    await open_case_from_queue(adviser, request["subject"], case_id)
    # Then they read the member's question
    await expect(page.locator("#page-title")).to_have_text(request["subject"])
    await expect(page.locator("#conversation")).to_contain_text(request["body"][:40])
    # When they claim it, reply and wait on the member
    await act(page, "#action-claim")
    await expect(page.locator("#case-assignee")).to_have_text(adviser.subject)
    await page.fill("#reply-text", "Bonjour, nous regardons votre facture.")
    await act(page, "#action-reply")
    await expect(page.locator("#conversation")).to_contain_text("nous regardons votre facture")
    await page.click("#wait-open")
    await page.fill("#wait-text", "Pourriez-vous nous envoyer la facture de janvier ?")
    await act(page, "#action-wait")
    await expect(page.locator("#done")).to_be_visible()
    # And the member answers through their channel
    answer = f"Voici la facture, réf. {uuid.uuid4().hex[:6]}"
    message = {"member_id": request["member"]["member_id"], "channel": "email", "body": answer}
    async with httpx.AsyncClient(base_url=intake.url, headers=CHANNEL) as channel:
        posted = await channel.post(f"/requests/{case_id}/messages", json=message)
        assert posted.status_code == 202, posted.text
    # Then the open case says so without a reload, and the answer is there once shown
    await expect(page.locator("#case-news")).to_be_visible(timeout=20_000)
    await act(page, "#case-reload")
    await expect(page.locator("#conversation")).to_contain_text(answer)
    # When they resolve it with a contract registration
    await page.click("#resolve-open")
    await page.select_option("#resolve-outcome", "solved")
    await page.select_option("#resolve-act", "contract_registration")
    await act(page, "#action-resolve")
    await expect(page.locator("#done")).to_be_visible()
    # Then the administrative team has the task
    async with httpx.AsyncClient(base_url=admin.url, headers=ADA) as office:
        tasks = await until(
            lambda: office.get(f"/cases/{case_id}"),
            lambda a: a.status_code == 200 and bool(a.json()["tasks"]),
        )
    assert [t["act"] for t in tasks.json()["tasks"]] == ["contract_registration"]
