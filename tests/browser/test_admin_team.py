"""The administrative team in the console (in Dutch): completes one task and rejects another,
which comes back to the adviser who resolved its case, with the team's reason to read first."""

from __future__ import annotations

import uuid

import httpx
from playwright.async_api import BrowserContext, expect

from shared.identity import Role
from tests.support.auth import bearer
from tests.support.console_pages import (
    act,
    assert_screen_is_complete,
    offered,
    reload_until_shown,
    sign_in,
)
from tests.support.processes import ServiceProcess
from tests.support.staff import ADA, resolved_with_an_act


async def test_the_team_completes_one_task_and_rejects_another_back_to_the_adviser(
    context: BrowserContext,
    intake: ServiceProcess,
    advisory: ServiceProcess,
    admin: ServiceProcess,
) -> None:
    # Given two cases a Liège adviser of the console resolved with an administrative act
    resolver = (await offered(context, "adviser", "liege"))[0]
    adviser = bearer(Role.ADVISER, resolver, "liege")
    _, done_task = await resolved_with_an_act(intake, advisory, admin, adviser, 9901)
    rejected_case, rejected_task = await resolved_with_an_act(
        intake, advisory, admin, adviser, 9902
    )
    # When the team completes the first
    team = await sign_in(context, "admin_team", lang="nl")
    page = team.page
    await assert_screen_is_complete(page, "nl")
    await page.goto(f"/tasks/{done_task}")
    await assert_screen_is_complete(page, "nl")
    await act(page, "#action-claim")
    await page.fill("#complete-text", "Contract geregistreerd.")
    await act(page, "#action-complete")
    await expect(page.locator("#done")).to_be_visible()
    # And rejects the second with a reason
    reason = f"De handtekening ontbreekt ({uuid.uuid4().hex[:6]})."
    await page.goto(f"/tasks/{rejected_task}")
    await act(page, "#action-claim")
    await page.fill("#reject-text", reason)
    await act(page, "#action-reject")
    await expect(page.locator("#done")).to_be_visible()
    async with httpx.AsyncClient(base_url=admin.url, timeout=10, headers=ADA) as office:
        statuses = [
            (await office.get(f"/tasks/{t}")).json()["task"]["status"]
            for t in (done_task, rejected_task)
        ]
    assert statuses == ["completed", "rejected"]
    # Then the rejected case is back with its adviser, the team's reason first
    back = await sign_in(context, "adviser", "liege", subject=resolver)
    row = back.page.locator(f'#case-rows tr[data-id="{rejected_case}"]')
    await reload_until_shown(back.page, "/queue?tab=mine", row)
    async with back.page.expect_navigation():
        await row.locator("a").first.click()
    await expect(back.page.locator("#case-notice")).to_contain_text(reason)
