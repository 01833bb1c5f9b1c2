"""Two advisers open the same case in the console: each sees the other on it, the second to
claim it is told who was first, and a reply sent from a page that no longer shows the case as
it is (a stale version) is refused with what changed, so the member never gets two answers."""

from __future__ import annotations

import httpx
from playwright.async_api import BrowserContext, expect

from tests.support.console_pages import act, sign_in
from tests.support.polling import body_has, until
from tests.support.processes import ServiceProcess
from tests.support.staff import ANN, liege_request, submit


async def test_two_advisers_on_one_case_never_answer_twice(
    context: BrowserContext,
    other_context: BrowserContext,
    intake: ServiceProcess,
    advisory: ServiceProcess,
) -> None:
    # Given a new Liège case two advisers of Liège open
    case_id = await submit(intake, liege_request(9911))
    case = f"/cases/{case_id}"
    async with httpx.AsyncClient(base_url=advisory.url, timeout=10, headers=ANN) as desk:
        await until(lambda: desk.get(case), body_has(status="queued"))
    first = await sign_in(context, "adviser", "liege", nth=0)
    second = await sign_in(other_context, "adviser", "liege", nth=1)
    await first.page.goto(case)
    await second.page.goto(case)
    # Then each sees the other on it (advisory's presence, renewed while the page is open)
    await expect(first.page.locator("#presence")).to_contain_text(second.subject, timeout=15_000)
    await expect(second.page.locator("#presence")).to_contain_text(first.subject, timeout=15_000)
    # When the first claims it, the second's claim from the page they read is refused by name
    await act(first.page, "#action-claim")
    await act(second.page, "#action-claim")
    await expect(second.page.locator("#problem")).to_contain_text(first.subject)
    # And when the first replies from one tab, the same reply from an older tab is refused
    older = await context.new_page()
    await older.goto(case)
    await first.page.fill("#reply-text", "Bonjour, voici la réponse.")
    await act(first.page, "#action-reply")
    await expect(first.page.locator("#done")).to_be_visible()
    await older.fill("#reply-text", "Bonjour, voici la réponse.")
    await act(older, "#action-reply")
    # Then with what changed since that tab read the case: the reply already sent
    await expect(older.locator("#problem-changes")).to_contain_text(first.subject)
    async with httpx.AsyncClient(base_url=advisory.url, timeout=10, headers=ANN) as desk:
        history = (await desk.get(case)).json()["history"]
    assert [h["type"] for h in history].count("ReplySent") == 1
