"""Working the console as a person does, in the browser: signing in at the dev login, and the
checks every screen must pass (no missing word in French or Dutch, no serious axe violation).

The console's stable hooks the tests rely on (docs/console.md): the login form `#who`
(`role|subject|office` values), `/login?lang=fr|nl`, `#login-submit`; every page's `#page-title`;
a missing word shown as `⟦key⟧`."""

from __future__ import annotations

from dataclasses import dataclass

from axe_playwright_python.async_playwright import Axe
from playwright.async_api import BrowserContext, Locator, Page

MISSING_WORD = "⟦"
# axe's impacts we refuse; "moderate" and "minor" are reported by the message, not failed.
REFUSED_IMPACTS = frozenset({"serious", "critical"})
AXE = Axe()
# The rules of WCAG 2.2 A and AA (what the console promises), axe's best practices aside.
WCAG_AA = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
    },
    "resultTypes": ["violations"],
}


@dataclass(frozen=True)
class Person:
    page: Page
    subject: str
    role: str
    office: str


async def offered(context: BrowserContext, role: str, office: str = "") -> list[str]:
    """Who of ``role`` (and ``office``) the dev login offers: their ids."""
    page = await context.new_page()
    await page.goto("/login")
    values = await page.locator("#who option").evaluate_all("os => os.map(o => o.value)")
    await page.close()
    people = [str(v).split("|") for v in values]
    return [p[1] for p in people if p[0] == role and (not office or p[2] == office)]


async def sign_in(
    context: BrowserContext,
    role: str,
    office: str = "",
    nth: int = 0,
    lang: str = "fr",
    subject: str | None = None,
) -> Person:
    """Opens a page and signs in the nth person of ``role`` (and ``office``; or the one named
    ``subject``) the dev login offers, in ``lang``; the page is then on their first screen."""
    page = await context.new_page()
    # The login lists advisers and support from routing; on a busy machine routing may not
    # answer in the console's time: the page says so, and a person reloads it.
    for _ in range(5):
        await page.goto(f"/login?lang={lang}")
        values = await page.locator("#who option").evaluate_all("os => os.map(o => o.value)")
        people = [
            v
            for v in values
            if v.startswith(f"{role}|")
            and (not office or v.endswith(f"|{office}"))
            and (subject is None or v.split("|")[1] == subject)
        ]
        if len(people) > nth:
            break
        await page.wait_for_timeout(500)
    assert len(people) > nth, f"no {role} #{nth} of {office!r} at the login: {values}"
    chosen = people[nth]
    await page.select_option("#who", chosen)
    async with page.expect_navigation():
        await page.click("#login-submit")
    _, subject, where = chosen.split("|")
    return Person(page, subject, role, where)


async def words_missing(page: Page) -> list[str]:
    """The catalog keys the page shows instead of words (``⟦key⟧``)."""
    text = await page.content()
    return [part.split("⟧")[0] for part in text.split(MISSING_WORD)[1:]]


async def serious_violations(page: Page) -> list[str]:
    """axe's serious and critical violations of the page against WCAG 2.2 A and AA, each with
    where it is."""
    results = await AXE.run(page, options=WCAG_AA)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v.get("impact") in REFUSED_IMPACTS
    ]


async def assert_screen_is_complete(page: Page, lang: str) -> None:
    """In ``lang``, with every word, and accessible (no serious axe violation)."""
    assert await page.get_attribute("html", "lang") == lang, page.url
    assert await page.locator("#page-title").count() == 1, page.url
    assert await words_missing(page) == [], page.url
    assert await serious_violations(page) == [], page.url


async def reload_until_shown(page: Page, path: str, wanted: Locator, tries: int = 40) -> None:
    """Opens ``path`` again until ``wanted`` is on it (what the services do next takes them a
    moment), at most ``tries`` times."""
    for _ in range(tries):
        await page.goto(path)
        if await wanted.count():
            return
        await page.wait_for_timeout(250)


async def open_case_from_queue(person: Person, search: str, case_id: str) -> None:
    """Searches the person's queue until the case shows (routing and advisory take a moment
    after intake accepted it), then opens it from its row."""
    row = person.page.locator(f'#case-rows tr[data-id="{case_id}"]')
    await reload_until_shown(person.page, f"/queue?search={search}", row)
    async with person.page.expect_navigation():
        await row.locator("a").first.click()


async def act(page: Page, button: str) -> None:
    """Clicks an action's button and waits for the page the console answers with."""
    async with page.expect_navigation():
        await page.click(button)
