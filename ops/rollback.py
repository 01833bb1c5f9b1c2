"""`relais rebuild --rollback`: the projection a swap replaced put back.

The kept projection (``<service>_previous_<stamp>``, the newest) stood at the cut of the swap
that replaced it, with its positions stored (ops.swap). Since then the live service went on:
it applied more events and accepted more requests. So the kept projection is brought up to
date from the log exactly as a rebuild's shadow is (catch-up, then the live writers paused and
the final events applied) and swapped in the same way; the projection it replaces becomes the
kept one, so a rollback can itself be rolled back."""

from __future__ import annotations

import time

import asyncpg

from ops import swap
from ops.progress import Observer, Silent
from ops.rebuild import Rebuilt, catch_up_and_swap
from ops.rebuild_lock import rebuild_lock
from ops.services import load
from ops.shadow_run import shadow_run
from ops.swap_in import Rules, origin
from shared.settings import Settings


class NothingToRollBack(LookupError):
    """No kept projection of the service."""


async def rollback(
    settings: Settings,
    name: str,
    *,
    observer: Observer | None = None,
    workers: int = 1,
    rules: Rules | None = None,
    check: bool = True,
) -> Rebuilt:
    """Brings ``name``'s newest kept projection up to date and swaps it back in."""
    observer = observer or Silent()
    rules = rules or Rules()
    service = load(name, settings)
    started = time.monotonic()
    async with rebuild_lock(settings, name, "rollback") as lock:
        conn = await asyncpg.connect(settings.ops_dsn())
        try:
            kept = await swap.kept(conn, service.schema)
            since = await origin(conn, kept[0]) if kept else None
        finally:
            await conn.close()
        if not kept:
            raise NothingToRollBack(
                f"no previous projection of {name} is kept (a rebuild keeps the one it "
                "replaces, as schema "
                f"{service.schema}_previous_<time>): nothing to roll back to"
            )
        async with shadow_run(settings, service, kept[0], since, workers, existing=True) as run:
            return await catch_up_and_swap(
                settings, run, lock, rules, observer, since, check, started
            )
