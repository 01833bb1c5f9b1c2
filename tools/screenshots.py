"""`make screenshots`: a picture of every screen of the console for docs/console.md and the
README, taken in Debian's Chromium with the browser tests' setup (tests/support/browser.py).

Run it against a console that shows a living day: `make run` in one terminal, then
`make screenshots` (or `python -m tools.screenshots --url http://127.0.0.1:8005`). It signs in
as the demo person of each screen's role (an adviser and a team lead of Liège), in French,
and writes `docs/console/<screen>.png`: the login, each role's screen, a case, a task, and the
ops screen's organisation."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from playwright.async_api import Browser, Page, ViewportSize

from services.console.screens import SCREENS
from tests.support.browser import chromium
from tests.support.console_pages import sign_in

ROOT = Path(__file__).resolve().parents[1]
OFFICE = "liege"
VIEWPORT = ViewportSize(width=1280, height=900)


async def shoot(page: Page, out: Path, name: str) -> Path:
    await page.wait_for_load_state("networkidle")
    target = out / f"{name}.png"
    await page.screenshot(path=str(target), full_page=False)
    return target


async def screens(browser: Browser, url: str, out: Path, lang: str) -> list[Path]:
    taken: list[Path] = []
    context = await browser.new_context(
        base_url=url, viewport=VIEWPORT, locale=f"{lang}-BE", timezone_id="Europe/Brussels"
    )
    try:
        page = await context.new_page()
        await page.goto("/login")
        taken.append(await shoot(page, out, "login"))
        for screen in SCREENS:
            role = sorted(r.value for r in screen.roles)[0]
            office = OFFICE if role in ("adviser", "team_lead") else ""
            person = await sign_in(context, role, office, lang=lang)
            await person.page.goto(screen.path)
            taken.append(await shoot(person.page, out, screen.name))
            opened = {"adviser": ("#case-rows a", "case"), "tasks": ("#task-rows a", "task")}
            if screen.name in opened:
                link, name = opened[screen.name]
                first = person.page.locator(link).first
                if await first.count():
                    await first.click()
                    taken.append(await shoot(person.page, out, name))
            if screen.name == "ops":
                await person.page.goto("/ops/organisation")
                taken.append(await shoot(person.page, out, "ops-organisation"))
            await person.page.close()
            await context.clear_cookies()
    finally:
        await context.close()
    return taken


async def main(url: str, out: Path, lang: str) -> None:
    async with chromium() as browser:
        for path in await screens(browser, url, out, lang):
            print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8005", help="The console.")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "console")
    parser.add_argument("--lang", choices=("fr", "nl"), default="fr")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    asyncio.run(main(args.url, args.out, args.lang))
