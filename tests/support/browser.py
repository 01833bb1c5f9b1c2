"""Debian's Chromium driven by Playwright, as the browser tests and the screenshots use it.

Playwright's own browser download is never used (it is not reachable from our machines): its
Python package brings the driver, `deploy/chromium.sh` (run by `make test`) the browser. Each
launch gets a fresh, empty profile of Playwright's making; the flags keep Chromium from
reaching out (no QUIC, updates, sync or background fetches) and from needing a GPU or a
sandbox (CI runs as root)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator

from playwright.async_api import Browser, async_playwright

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextlib.asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    """A started Chromium, closed after."""
    if not os.access(CHROMIUM, os.X_OK):
        raise RuntimeError(f"{CHROMIUM} is missing: `make chromium` (deploy/chromium.sh)")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=FLAGS, headless=True
        )
        try:
            yield browser
        finally:
            await browser.close()
