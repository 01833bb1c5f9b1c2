"""Every screen of the console renders in French and in Dutch with every word, and passes
axe with no serious violation: the login, each role's screen (services/console/screens.py),
a case, a task, and the ops organisation."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, BrowserContext

from services.console.screens import SCREENS, Screen
from tests.support.console_pages import assert_screen_is_complete, sign_in
from tests.support.processes import ServiceProcess
from tests.support.staff import ANN, resolved_with_an_act

LANGUAGES = ("fr", "nl")
OFFICE_OF = {"adviser": "liege", "team_lead": "liege"}


@pytest.fixture(scope="module")
async def liege_task(
    intake: ServiceProcess, advisory: ServiceProcess, admin: ServiceProcess
) -> tuple[str, str]:
    """A Liège case resolved with an act, and its task."""
    return await resolved_with_an_act(intake, advisory, admin, ANN, 9401)


def more_pages(screen: str, case_id: str, task_id: str) -> list[str]:
    """The pages reached from a screen that the test also checks."""
    return {
        "adviser": [f"/cases/{case_id}"],
        "tasks": [f"/tasks/{task_id}"],
        "ops": ["/ops/organisation"],
    }.get(screen, [])


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


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
@pytest.mark.parametrize("lang", LANGUAGES)
async def test_every_screen_of_every_role(
    context: BrowserContext, lang: str, screen: Screen, liege_task: tuple[str, str]
) -> None:
    case_id, task_id = liege_task
    role = sorted(r.value for r in screen.roles)[0]
    person = await sign_in(context, role, OFFICE_OF.get(role, ""), lang=lang)
    for path in [screen.path, *more_pages(screen.name, case_id, task_id)]:
        await person.page.goto(path)
        await assert_screen_is_complete(person.page, lang)
