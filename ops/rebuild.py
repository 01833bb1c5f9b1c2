"""`relais rebuild`: a service's projection rebuilt from the log while the live one serves,
then swapped in atomically, with the previous one kept until the next swap.

1. Only one rebuild (or rollback) of a service runs at a time (ops.rebuild_lock).
2. A start time in the future is refused (ops.guards) unless forced.
3. A shadow schema ``<service>_rebuild`` is made by the service's own migrations; the
   replayer fills it from the log (replay mode: no decisions, nothing published), then
   catches up with the live projection until it is a few thousand events behind.
4. The live writers are paused (see ops.cut), the shadow is brought to the exact cut and
   checked: events that failed to apply refuse the swap unless accepted, and so does an empty
   shadow replacing a projection that holds rows, unless forced. Then, in the same
   transaction, the schemas are swapped: the live one is kept as
   ``<service>_previous_<stamp>`` (ops.swap), the shadow takes its name.
5. The BI views are re-pointed, older kept copies dropped, and the new live projection is
   verified against its log (ops.verify); ``relais rebuild --rollback`` puts the kept one back
   (ops.rollback).

Cancelling at any point before the swap commits rolls the pause back: the live projection is
untouched; the shadow stays until the next rebuild replaces it."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime

from ops import guards
from ops.progress import Observer, Silent
from ops.rebuild_failures import FailedEvent
from ops.rebuild_lock import RebuildLock, rebuild_lock
from ops.services import load
from ops.shadow_run import ShadowRun, shadow_run
from ops.swap_in import Rules, after_swap, swap_in
from shared.settings import Settings


@dataclass(frozen=True)
class Rebuilt:
    service: str
    events: int
    dead_lettered: int
    skipped: int
    seconds: float
    paused_seconds: float
    in_bulk: int = 0  # of the events, those a bulk loader staged (ops.bulk)
    kept_as: str = ""  # the schema the replaced projection is kept as
    failures: list[FailedEvent] = field(default_factory=list)  # accepted by the operator
    verified: bool = False  # the new live projection was checked against its log


async def rebuild(
    settings: Settings,
    name: str,
    *,
    since: datetime | None = None,
    observer: Observer | None = None,
    workers: int = 1,
    rules: Rules | None = None,
    check: bool = True,
) -> Rebuilt:
    """Rebuilds ``name``'s projection from the log and swaps it in; returns what it did.

    Raises guards.RebuildRefused (unless ``rules.force``), rebuild_failures.RebuildFailed
    (more failed events than ``rules.accept_failures``), rebuild_lock.RebuildRunning, and,
    after the swap when ``check``, swap_in.NotVerified."""
    observer = observer or Silent()
    rules = rules or Rules()
    service = load(name, settings)
    if not rules.force:
        guards.check_since(since)
    shadow = f"{service.schema}_rebuild"
    started = time.monotonic()
    async with (
        rebuild_lock(settings, name, "rebuild") as lock,
        shadow_run(settings, service, shadow, since, workers) as run,
    ):
        return await catch_up_and_swap(settings, run, lock, rules, observer, since, check, started)


async def catch_up_and_swap(
    settings: Settings,
    run: ShadowRun,
    lock: RebuildLock,
    rules: Rules,
    observer: Observer,
    since: datetime | None,
    check: bool,
    started: float,
) -> Rebuilt:
    """Brings ``run``'s candidate up to the log, swaps it in, re-checks it (``check``): the
    end of a rebuild and of a rollback alike. ``started``: when the command began."""
    await run.catch_up(observer)
    swapped = await swap_in(run, lock, rules, observer, since)
    counts = run.replayer.counts
    seconds = time.monotonic() - started
    verdict = await after_swap(settings, run, swapped, observer, since=since, check=check)
    return Rebuilt(
        run.service.name,
        counts.read,
        counts.dead_lettered,
        counts.skipped,
        seconds,
        swapped.paused_seconds,
        counts.in_bulk,
        swapped.kept_as,
        swapped.failures,
        verdict is not None,
    )
