"""An adviser of one office can neither see nor act on another office's case through the
console: the page says so in words, and a claim sent with their own session is refused."""

from __future__ import annotations

import re

import httpx
from playwright.async_api import BrowserContext, expect

from tests.support.console_pages import sign_in
from tests.support.polling import body_has, until
from tests.support.processes import ServiceProcess
from tests.support.staff import ANN, liege_request, submit


async def test_an_adviser_of_another_office_cannot_see_or_act_on_a_case(
    context: BrowserContext, intake: ServiceProcess, advisory: ServiceProcess
) -> None:
    # Given a new Liège case
    case_id = await submit(intake, liege_request(9801))
    async with httpx.AsyncClient(base_url=advisory.url, timeout=10, headers=ANN) as desk:
        await until(lambda: desk.get(f"/cases/{case_id}"), body_has(status="queued"))
    # When an adviser of Gent opens it
    far = await sign_in(context, "adviser", "gent")
    answer = await far.page.goto(f"/cases/{case_id}")
    # Then the console refuses in words, showing nothing of it
    assert answer is not None
    assert answer.status == 403
    await expect(far.page.locator("#problem")).to_contain_text("un autre bureau")
    assert await far.page.locator("#conversation").count() == 0
    # And a claim sent with their own session (its form token) is refused too
    await far.page.goto("/queue")
    token = await far.page.locator('input[name="csrf"]').first.get_attribute("value")
    claim = await far.page.request.post(
        f"/cases/{case_id}/claim", form={"csrf": token or ""}, max_redirects=0
    )
    assert claim.status == 403
    assert re.search("un autre bureau", await claim.text())
    async with httpx.AsyncClient(base_url=advisory.url, timeout=10, headers=ANN) as desk:
        still = (await desk.get(f"/cases/{case_id}")).json()["case"]
    assert (still["status"], still["assignee"]) == ("queued", None)
