"""Bringing a candidate projection to the live one's exact cut and swapping it in, with the
checks that must pass first, and the BI views re-pointed at it in the same transaction; then
the result verified.

Rebuild and rollback share it: the candidate is a freshly rebuilt shadow, or the kept
previous projection brought up to date."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg

from ops import guards, schemas, swap
from ops.cut import writers_paused
from ops.progress import Observer
from ops.rebuild_failures import FailedEvent, check_failures, failed_events
from ops.rebuild_lock import RebuildLock
from ops.schemas import quoted
from ops.shadow_run import ShadowRun
from ops.verify import Verdict, verify
from reporting import install as reporting_install
from shared import faults
from shared.db import Conn
from shared.settings import Settings

ATTEMPTS = 3
# Where a projection was rebuilt from, noted on its schema: verifying it, or a rollback to it,
# replays the log from the same point.
NOTE = "COMMENT ON SCHEMA {schema} IS {text}"
READ_NOTE = "SELECT obj_description($1::regnamespace, 'pg_namespace')"


class NotVerified(RuntimeError):
    """The swapped-in projection differs from its log."""


@dataclass(frozen=True)
class Rules:
    """What the operator allows: failed events accepted, and forcing an empty projection."""

    accept_failures: int = 0
    force: bool = False


@dataclass(frozen=True)
class Swapped:
    kept_as: str
    paused_seconds: float
    failures: list[FailedEvent]


async def swap_in(
    run: ShadowRun,
    lock: RebuildLock,
    rules: Rules,
    observer: Observer,
    since: datetime | None,
) -> Swapped:
    """Pauses the live writers, brings the candidate (``run.shadow``) to their cut, checks it
    and swaps it in, re-pointing the BI views at it in the same transaction; the live
    projection is kept (see ops.swap)."""
    live, candidate, name = run.service.schema, run.shadow, run.service.name
    owner = await schemas.owner(run.ops, live)
    await lock.ensure_held()
    for attempt in range(1, ATTEMPTS + 1):
        observer.phase("pausing live writers")
        try:
            async with writers_paused(run.ops, live, run.tables):
                paused_at = time.monotonic()
                stop, pending = await run.read_cut()
                await run.replay_to(stop, pending, observer)
                failures = await failed_events(run.ops, candidate, name)
                check_failures(name, failures, rules.accept_failures)
                if not rules.force:
                    await guards.check_not_emptied(run.ops, live, candidate, run.tables)
                await lock.ensure_held()
                observer.phase("swapping")
                await schemas.require_logged(run.ops, candidate)
                await note_origin(run.ops, candidate, since)
                kept_as = swap.kept_name(live)
                await swap.exchange(
                    run.ops,
                    live=live,
                    candidate=candidate,
                    kept_as=kept_as,
                    owner=owner,
                    group=run.service.group,
                    cut=stop,
                )
                # Views follow tables, not names: re-pointed in the swap's transaction, they
                # can never be left reading the replaced (kept, frozen) projection.
                await reporting_install.repoint(run.ops)
                faults.point("rebuild.swapping")  # crash: swapped, views re-pointed, not committed
            return Swapped(kept_as, time.monotonic() - paused_at, failures)
        except asyncpg.DeadlockDetectedError:
            # A live writer took the locks in the other order; it went on, try again.
            if attempt == ATTEMPTS:
                raise
    raise AssertionError("unreachable")


async def after_swap(
    settings: Settings,
    run: ShadowRun,
    swapped: Swapped,
    observer: Observer,
    *,
    since: datetime | None,
    check: bool,
) -> Verdict | None:
    """Drops the kept copies older than the one just made and (when ``check``) verifies the
    new live projection against its log: raises NotVerified if it differs. Returns the
    verdict (None when not checked)."""
    faults.point("rebuild.swapped")  # crash: swapped, older copies left behind
    await swap.drop_older(run.ops, run.service.schema)
    if not check:
        return None
    name = run.service.name
    verdict = await verify(settings, name, since=since, observer=observer, workers=run.workers)
    if not verdict.identical:
        differing = ", ".join(t.table for t in verdict.tables if not t.same)
        raise NotVerified(
            f"the new projection of {name} is live, but it differs from its log in {differing} "
            f"(`relais verify {name}` shows the rows). The projection it replaced is kept as "
            f"schema {swapped.kept_as}: `relais rebuild {name} --rollback` puts it back"
        )
    return verdict


async def note_origin(conn: Conn, schema: str, since: datetime | None) -> None:
    """Notes on ``schema`` where in the log its projection was rebuilt from."""
    text = json.dumps(
        {
            "rebuilt_from": since.isoformat() if since else "earliest",
            "at": datetime.now(UTC).isoformat(),
        }
    )
    literal = "'" + text.replace("'", "''") + "'"
    await conn.execute(NOTE.format(schema=quoted(schema), text=literal))


async def origin(conn: Conn, schema: str) -> datetime | None:
    """Where ``schema``'s projection was rebuilt from (None: the whole log)."""
    text = await conn.fetchval(READ_NOTE, schema)
    try:
        start = json.loads(text)["rebuilt_from"] if text else "earliest"
    except (ValueError, KeyError, TypeError):
        start = "earliest"
    return None if start == "earliest" else datetime.fromisoformat(start)
