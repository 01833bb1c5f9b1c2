"""Ops in the console: a dead letter redriven (before the fix, it comes back once, its redrive
counted) and an office's organisation model switched live, as routing then says."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from playwright.async_api import BrowserContext, expect

from shared.codec import encode
from shared.events import REQUEST_RECEIVED
from shared.identity import Role
from tests.support.auth import bearer
from tests.support.console_pages import act, reload_until_shown, sign_in
from tests.support.events import TEST_PRODUCER, request
from tests.support.kafka import produce
from tests.support.processes import ServiceProcess

OPS = bearer(Role.OPS)
OFFICE = "mons"


async def test_ops_redrive_a_dead_letter(
    context: BrowserContext, routing: ServiceProcess, bootstrap: str
) -> None:
    # Given a request routing cannot route (an office it does not serve): a dead letter
    event = request(
        9601, at=datetime.now(UTC), member={"home_office": "arlon"}, producer=TEST_PRODUCER
    )
    case_id = str(event.case_id)
    await produce(bootstrap, REQUEST_RECEIVED, [(case_id.encode(), encode(event))])
    ops = await sign_in(context, "ops")
    page = ops.page
    mine = page.locator(f'#letters-routing tr[data-key="{case_id}"]')
    await reload_until_shown(page, "/ops", mine)
    # Then ops see it with its reason
    await expect(mine).to_have_count(1)
    await expect(mine.locator(".reason")).to_contain_text("UnknownOffice")
    await expect(mine).to_have_attribute("data-redrives", "0")
    # When they redrive it (before any fix)
    await act(page, f'#letters-routing tr[data-key="{case_id}"] button')
    await expect(page.locator("#done")).to_be_visible()
    # Then it fails again and comes back once, its redrive counted
    again = page.locator(f'#letters-routing tr[data-key="{case_id}"][data-redrives="1"]')
    await reload_until_shown(page, "/ops", again)
    await expect(again).to_have_count(1)


async def test_ops_switch_an_office_model_live(
    context: BrowserContext, routing: ServiceProcess
) -> None:
    ops = await sign_in(context, "ops")
    page = ops.page
    await page.click("#tab-organisation")
    row = page.locator(f"#office-{OFFICE}")
    before = await row.get_attribute("data-model")
    after = "specialised" if before == "polyvalent" else "polyvalent"
    try:
        # When ops switch the office to the other model
        await page.select_option(f"#model-select-{OFFICE}", after)
        await act(page, f"#switch-{OFFICE}")
        # Then the screen says so, and routing routes the office's new requests by it
        await expect(page.locator("#done")).to_be_visible()
        await expect(row).to_have_attribute("data-model", after)
        async with httpx.AsyncClient(base_url=routing.url, headers=OPS) as client:
            office = (await client.get(f"/offices/{OFFICE}")).json()
        assert office["model"] == after
        assert office["changes"][-1]["changed_by"] == ops.subject
    finally:  # the office as it was, for whoever comes next
        async with httpx.AsyncClient(base_url=routing.url, headers=OPS) as client:
            await client.put(f"/offices/{OFFICE}/model", json={"model": before})
