"""Every screen of the console renders in French and in Dutch with every word, and passes
axe with no serious violation."""

from __future__ import annotations

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext

from tests.support.console_pages import assert_screen_is_complete, sign_in
from tests.support.polling import body_has, until
from tests.support.processes import ServiceProcess
from tests.support.staff import ANN, liege_request, submit

LANGUAGES = ("fr", "nl")


@pytest.fixture(scope="module")
async def liege_case(intake: ServiceProcess, advisory: ServiceProcess) -> str:
    """A new Liège case, queued."""
    case_id = await submit(intake, liege_request(9401))
    async with httpx.AsyncClient(base_url=advisory.url, timeout=10) as desk:
        await until(lambda: desk.get(f"/cases/{case_id}", headers=ANN), body_has(status="queued"))
    return case_id


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_the_login_screen_in_the_browser_language(
    browser: Browser, console: ServiceProcess, lang: str
) -> None:
    context = await browser.new_context(base_url=console.url, locale=f"{lang}-BE")
    try:
        page = await context.new_page()
        await page.goto("/login")
        await assert_screen_is_complete(page, lang)
    finally:
        await context.close()


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_the_adviser_screens(context: BrowserContext, lang: str, liege_case: str) -> None:
    adviser = await sign_in(context, "adviser", "liege", lang=lang)
    await assert_screen_is_complete(adviser.page, lang)
    await adviser.page.goto(f"/cases/{liege_case}")
    await assert_screen_is_complete(adviser.page, lang)


@pytest.mark.parametrize("lang", LANGUAGES)
async def test_the_support_screen(context: BrowserContext, lang: str) -> None:
    support = await sign_in(context, "support", lang=lang)
    await assert_screen_is_complete(support.page, lang)
