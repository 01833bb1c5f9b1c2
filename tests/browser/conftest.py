"""The staff console in a real browser: Debian's Chromium driven by Playwright
(tests/support/browser.py), against the console process and the real services (the session's
service fixtures, shared with tests/e2e: tests/support/service_fixtures.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from playwright.async_api import Browser, BrowserContext

from tests.support.browser import chromium
from tests.support.processes import TEST_PORT_BASE, ServiceProcess

CONSOLE_PORT = TEST_PORT_BASE + 5


@pytest.fixture(scope="session")
def console(
    intake: ServiceProcess, routing: ServiceProcess, advisory: ServiceProcess, admin: ServiceProcess
) -> Iterator[ServiceProcess]:
    """The console, calling the test services (their ports are TEST_PORT_BASE + 1..4)."""
    process = ServiceProcess(
        "console", {"RELAIS_PORT_BASE": str(TEST_PORT_BASE)}, port=CONSOLE_PORT
    ).start()
    yield process
    process.stop()


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as started:
        yield started


async def opened(browser: Browser, console: ServiceProcess) -> AsyncIterator[BrowserContext]:
    made = await browser.new_context(
        base_url=console.url, locale="fr-BE", timezone_id="Europe/Brussels"
    )
    made.set_default_timeout(10_000)
    yield made
    await made.close()


@pytest.fixture
async def context(browser: Browser, console: ServiceProcess) -> AsyncIterator[BrowserContext]:
    """A browser context of its own (its own cookies: one person signed in), on the console."""
    async for made in opened(browser, console):
        yield made


@pytest.fixture
async def other_context(browser: Browser, console: ServiceProcess) -> AsyncIterator[BrowserContext]:
    """A second person's browser, beside ``context``."""
    async for made in opened(browser, console):
        yield made
